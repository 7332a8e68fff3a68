/* SPDX-License-Identifier: Apache-2.0 */
/* Alert records in Kubescape node-agent's shapes (kubescape.c). Internal to sensor/out/. */
#ifndef VIGIL_SENSOR_OUT_KUBESCAPE_H
#define VIGIL_SENSOR_OUT_KUBESCAPE_H

#include <jansson.h>

/* Which rule names a Kubescape-format sink sends. */
enum vigil_ks_names {
	VIGIL_KS_NAMES_LIBRARY = 0, /* as Kubescape's rule library names them today */
	VIGIL_KS_NAMES_CHART,	    /* as the Helm chart's default rules name them */
};

/* The rule name to send: name, or the chart's name for rule_id when names asks for it. */
const char *vigil_kubescape__rule_name(const char *rule_id, const char *name,
				       enum vigil_ks_names names);

/* node-agent's stdout JSON entry for one alert record (new reference, NULL when out of memory). */
json_t *vigil_kubescape__runtime_alert(const json_t *alert, enum vigil_ks_names names);

/*
 * node-agent's Alertmanager labels and annotations for one alert record (new reference): an
 * object with "labels" and "annotations"; the caller adds startsAt and endsAt.
 */
json_t *vigil_kubescape__alertmanager(const json_t *alert, enum vigil_ks_names names);

#endif
