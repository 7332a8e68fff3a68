// SPDX-License-Identifier: Apache-2.0
/*
 * Workloads: the commands the agent runs as its own workloads (`workloads:`), like
 * `vigil watch -- CMD`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/config_parse.h"

int agent_config__parse_workloads(struct cfg_parse *p, struct vigil_agent_config *c,
				  const yaml_node_t *n)
{
	static const char *const known[] = { "name", "command", "restart", NULL };
	size_t count;
	int err = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(p, n, "workloads: expected a list");
	if (c->commands)
		return cfg_fail(p, n, "workloads: given twice");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > 256)
		return cfg_fail(p, n, "workloads: more than 256");
	c->commands = calloc(count ? count : 1, sizeof(*c->commands));
	if (!c->commands)
		return -ENOMEM;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *m = yaml_document_get_node(&p->doc, *it);
		struct agent_command *cmd = &c->commands[c->ncommands++];

		if (m->type != YAML_MAPPING_NODE)
			return cfg_fail(p, m,
					"a workload is a mapping (name: NAME, command: [...])");
		CFG_FOR_PAIRS(p, m, pair)
		{
			const yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
			const yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
			const char *key = cfg_scalar(k) ? cfg_scalar(k) : "";

			if (!strcmp(key, "name"))
				err = cfg_str(p, v, key, &cmd->name);
			else if (!strcmp(key, "command"))
				err = cfg_strv(p, v, key, &cmd->argv);
			else if (!strcmp(key, "restart"))
				err = cfg_bool(p, v, key, &cmd->restart);
			else
				err = cfg_unknown_key(p, k, "a workload", known);
			if (err)
				return err;
		}
		if (!cmd->argv.n)
			return cfg_fail(p, m, "a workload needs a command");
		if (!cmd->name) {
			const char *base = strrchr(cmd->argv.v[0], '/');

			cmd->name = strdup(base ? base + 1 : cmd->argv.v[0]);
			if (!cmd->name)
				return -ENOMEM;
		}
	}
	return 0;
}
