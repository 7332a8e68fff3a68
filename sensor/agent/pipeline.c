// SPDX-License-Identifier: Apache-2.0
/*
 * The alert pipeline: the one place an alert raised becomes JSON and goes out, for the agent
 * and `vigil watch` alike. The detector hands the alert up with its event, so nothing has to
 * remember "the event being evaluated".
 */
#include <errno.h>
#include <jansson.h>

#include "vigil/agent.h"
#include "vigil/alert.h"

int vigil_alert_pipe__emit(const struct vigil_alert *a, void *ctx)
{
	struct vigil_alert_pipe *p = ctx;
	json_t *j = vigil_alert__json(a);

	if (!j)
		return -ENOMEM;
	p->raised++;
	vigil_evidence__alert(p->evidence, a->event, j);
	vigil_alerts__emit(p->sinks, j);
	json_decref(j);
	return 0;
}
