/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-rule parameters of a binding, as Kubescape's rule bindings take them (node-agent's
 * pre-filter): `rules: [{ruleID: R0002, parameters: {ignorePrefixes: [/tmp]}}]`. Each rule
 * takes the parameters that fit the events it judges (docs/AGENT.md §3):
 *
 *   ignorePrefixes, includePrefixes  exec and open rules: the event's path, by whole segments
 *   ignoreMounts                     open rules: a file on a volume of the workload
 *   excludeProcesses                 exec rules: the program, {name: COMM, path: EXE}
 *   excludeParentProcesses           exec rules: the program that started it, {name, path}
 *   ports                            network rules: only connections to these ports
 *
 * Anything else (an unknown key, a parameter the rule does not take, Kubescape's HTTP
 * `direction`/`methods`: Vigil has no HTTP rule) is a configuration error.
 */
#ifndef VIGIL_AGENT_RULE_PARAMS_H
#define VIGIL_AGENT_RULE_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct vigil_alert;
struct agent_rule_params;

/* Where a `rules:` list is wrong, for the caller's FILE:LINE:COL message. */
struct agent_rule_params_error {
	const yaml_node_t *node;
	char msg[256];
};

/* Parses a binding's `rules:` list (node n of doc) into *ret (NULL for an empty list).
 * -EINVAL with e filled, or -ENOMEM. */
int agent_rule_params__parse(yaml_document_t *doc, const yaml_node_t *n,
			     struct agent_rule_params **ret, struct agent_rule_params_error *e);
void agent_rule_params__free(struct agent_rule_params *p);

/* Whether the binding's parameters for the alert's rule leave its event out. p may be NULL.
 * An alert about something the kernel acted on (enforcement) is never left out. */
bool agent_rule_params__skip(const struct agent_rule_params *p, const struct vigil_alert *a);

#endif
