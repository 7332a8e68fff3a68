// SPDX-License-Identifier: Apache-2.0
/*
 * Bindings: which profile watches which workloads (selectors, enforcement), from the agent
 * configuration's `bindings:` and from binding files (`binding_files:`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/config_parse.h"
#include "sensor/agent/rule_params.h"
#include "vigil/sensor.h"

/* rules: [{ruleID: R0002, parameters: {...}}] (sensor/agent/rule_params.c) */
static int get_rule_params(struct cfg_parse *p, const yaml_node_t *n, struct agent_binding *b)
{
	struct agent_rule_params_error e = { 0 };
	int err;

	if (b->rule_params)
		return cfg_fail(p, n, "rules: given twice");
	err = agent_rule_params__parse(&p->doc, n, &b->rule_params, &e);
	return err == -EINVAL ? cfg_fail(p, e.node, "%s", e.msg) : err;
}

void agent_config__binding_free(struct agent_binding *b)
{
	agent_rule_params__free(b->rule_params);
	free(b->profile);
	free(b->name);
	free(b->container_name);
	free(b->image);
	free(b->label_key);
	free(b->label_value);
	free(b->cgroup);
	free(b->origin);
}

/* enforce: [R0001, R1005]: the rules the kernel enforces for the binding's workloads. */
static int get_enforce(struct cfg_parse *p, const yaml_node_t *n, uint32_t *ret)
{
	struct strv l = { 0 };
	int err = cfg_strv(p, n, "enforce", &l);

	*ret = 0;
	for (size_t i = 0; !err && i < l.n; i++) {
		uint32_t bit = vigil_sensor__enforce_rule(l.v[i]);

		if (!bit)
			err = cfg_fail(p, n, "enforce: %s is not enforced in the kernel (%s are)",
				       l.v[i], VIGIL_ENFORCE_RULE_LIST);
		*ret |= bit;
	}
	cfg_strv_free(&l);
	return err;
}

static int parse_binding(struct cfg_parse *p, const yaml_node_t *n, struct agent_binding *b)
{
	static const char *const known[] = { "profile", "name",	  "container_name", "image",
					     "label",	"cgroup", "enforce",	    "enforce_mode",
					     "rules",	NULL };
	char origin[512];
	int err = 0;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_fail(p, n, "a binding is a mapping (profile: FILE, name: NAME, ...)");
	snprintf(origin, sizeof(origin), "%s:%zu", p->file, n->start_mark.line + 1);
	b->origin = strdup(origin);
	if (!b->origin)
		return -ENOMEM;
	CFG_FOR_PAIRS(p, n, pair)
	{
		const yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
		const char *key = cfg_scalar(k) ? cfg_scalar(k) : "";

		if (!strcmp(key, "profile"))
			err = cfg_str(p, v, key, &b->profile);
		else if (!strcmp(key, "name"))
			err = cfg_str(p, v, key, &b->name);
		else if (!strcmp(key, "container_name"))
			err = cfg_str(p, v, key, &b->container_name);
		else if (!strcmp(key, "image"))
			err = cfg_str(p, v, key, &b->image);
		else if (!strcmp(key, "cgroup"))
			err = cfg_str(p, v, key, &b->cgroup);
		else if (!strcmp(key, "enforce"))
			err = get_enforce(p, v, &b->enforce_rules);
		else if (!strcmp(key, "rules"))
			err = get_rule_params(p, v, b);
		else if (!strcmp(key, "enforce_mode")) {
			const char *m = cfg_scalar(v);

			if (!m || (strcmp(m, "kill") && strcmp(m, "dry-run")))
				return cfg_fail(p, v, "enforce_mode: kill or dry-run");
			b->enforce_kill = !strcmp(m, "kill");
		} else if (!strcmp(key, "label")) {
			char *eq;

			err = cfg_str(p, v, key, &b->label_key);
			if (err)
				return err;
			eq = strchr(b->label_key, '=');
			if (!eq)
				return cfg_fail(p, v, "label: expected KEY=VALUE");
			*eq = '\0';
			free(b->label_value); /* a repeated "label:" replaces the earlier one */
			b->label_value = strdup(eq + 1);
			if (!b->label_value)
				return -ENOMEM;
		} else
			err = cfg_unknown_key(p, k, "a binding", known);
		if (err)
			return err;
	}
	if (!b->profile)
		return cfg_fail(p, n, "a binding needs a profile");
	if (!b->name && !b->container_name && !b->image && !b->label_key && !b->cgroup)
		return cfg_fail(p, n,
				"a binding needs a selector: name, container_name, image, label or "
				"cgroup");
	return 0;
}

int agent_config__parse_bindings(struct cfg_parse *p, struct vigil_agent_config *c,
				 const yaml_node_t *n)
{
	size_t count;
	struct agent_binding *grown;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(p, n, "bindings: expected a list");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (c->nbindings + count > AGENT_CONFIG_MAX_ITEMS)
		return cfg_fail(p, n, "bindings: more than %d", AGENT_CONFIG_MAX_ITEMS);
	grown = realloc(c->bindings, (c->nbindings + count) * sizeof(*grown));
	if (!grown && count)
		return -ENOMEM;
	if (grown)
		c->bindings = grown;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		struct agent_binding *b = &c->bindings[c->nbindings];

		memset(b, 0, sizeof(*b));
		c->nbindings++;
		err = parse_binding(p, yaml_document_get_node(&p->doc, *it), b);
		if (err)
			return err;
	}
	return 0;
}

int agent_config__load_bindings(struct vigil_agent_config *c, const char *file,
				struct vigil_error *err)
{
	struct cfg_parse p = { .file = file, .err = err };
	yaml_node_t *root;
	int e = cfg_load_doc(&p, file);

	if (e)
		return e;
	root = yaml_document_get_root_node(&p.doc);
	if (!root) {
		e = 0; /* an empty file binds nothing */
	} else if (root->type == YAML_SEQUENCE_NODE) {
		e = agent_config__parse_bindings(&p, c, root);
	} else if (root->type == YAML_MAPPING_NODE) {
		e = 0;
		CFG_FOR_PAIRS(&p, root, pair)
		{
			const yaml_node_t *k = yaml_document_get_node(&p.doc, pair->key);
			static const char *const known[] = { "bindings", NULL };

			if (cfg_scalar(k) && !strcmp(cfg_scalar(k), "bindings"))
				e = agent_config__parse_bindings(
					&p, c, yaml_document_get_node(&p.doc, pair->value));
			else
				e = cfg_unknown_key(&p, k, NULL, known);
			if (e)
				break;
		}
	} else {
		e = cfg_fail(&p, root, "expected a list of bindings");
	}
	yaml_document_delete(&p.doc);
	return e;
}
