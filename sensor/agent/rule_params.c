// SPDX-License-Identifier: Apache-2.0
/*
 * Per-rule parameters of a binding (rule_params.h): parsed once when the configuration is
 * loaded, checked against what each rule judges, applied to each alert before it goes out.
 * The meaning follows Kubescape's node-agent pre-filter: a prefix matches the path itself or
 * the path below it (whole segments: /tmp does not match /tmpfs), a trailing '/' is
 * dropped, a process is a name and an executable path that must both match.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/agent/rule_params.h"
#include "util/strutil.h"
#include "vigil/alert.h"
#include "vigil/detect_paths.h"
#include "vigil/event.h"
#include "vigil/rules.h"

enum {
	/* the events a rule judges: its flags in the catalogue (include/vigil/rules.h) */
	K_EXEC = VIGIL_RULE_EXEC,
	K_OPEN = VIGIL_RULE_OPEN,
	K_NET = VIGIL_RULE_NET, /* connect and send events (a destination port) */
	MAX_RULES = 64,
	MAX_ITEMS = 256,
	MAX_PATH = 4096,
};

enum param {
	P_IGNORE,
	P_INCLUDE,
	P_MOUNTS,
	P_PROCS,
	P_PARENTS,
	P_PORTS,
};

static const struct {
	const char *name;
	unsigned kinds; /* the rules it applies to judge these events */
} params[] = {
	[P_IGNORE] = { "ignorePrefixes", K_EXEC | K_OPEN },
	[P_INCLUDE] = { "includePrefixes", K_EXEC | K_OPEN },
	[P_MOUNTS] = { "ignoreMounts", K_OPEN },
	[P_PROCS] = { "excludeProcesses", K_EXEC },
	[P_PARENTS] = { "excludeParentProcesses", K_EXEC },
	[P_PORTS] = { "ports", K_NET },
};
static const char *const param_names[] = { "ignorePrefixes",
					   "includePrefixes",
					   "ignoreMounts",
					   "excludeProcesses",
					   "excludeParentProcesses",
					   "ports",
					   NULL };

struct strlist {
	char **v;
	size_t n;
};

struct proc_key {
	char *name, *path;
};

struct rule_params {
	const struct vigil_rule *rule;
	struct strlist ignore, include;
	bool ignore_mounts;
	struct proc_key *procs, *parents;
	size_t nprocs, nparents;
	uint16_t *ports;
	size_t nports;
};

struct agent_rule_params {
	struct rule_params *r;
	size_t n;
};

/* ---- parsing ----------------------------------------------------------------------------- */

struct ctx {
	yaml_document_t *doc;
	struct agent_rule_params_error *e;
};

static int bad(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	c->e->node = n;
	va_start(ap, fmt);
	vsnprintf(c->e->msg, sizeof(c->e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* "ignorePrefixes, includePrefixes, ..." that rule kinds k take, for messages. */
static void taken(unsigned k, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]) && off < size; i++) {
		if (params[i].kinds & k)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "",
						params[i].name);
	}
}

/* A list of absolute paths; a trailing '/' is dropped ("/" stays: it matches every path). */
static int get_prefixes(struct ctx *c, const yaml_node_t *n, const char *key, struct strlist *l)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(c, n, "%s: expected a list of paths", key);
	if (l->v)
		return bad(c, n, "%s: given twice", key);
	if (seq_len(n) > MAX_ITEMS)
		return bad(c, n, "%s: more than %d paths", key, MAX_ITEMS);
	l->v = calloc(seq_len(n) + 1, sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = node(c, *it);
		const char *s = scalar(item);
		size_t len = s ? strlen(s) : 0;

		if (!s || s[0] != '/' || len >= MAX_PATH)
			return bad(c, item, "%s: expected an absolute path (shorter than %d)", key,
				   MAX_PATH);
		while (len > 1 && s[len - 1] == '/')
			len--;
		l->v[l->n] = strndup(s, len);
		if (!l->v[l->n])
			return -ENOMEM;
		l->n++;
	}
	return 0;
}

/* [{name: COMM, path: /usr/bin/x}, ...]: both are required, as Kubescape matches both. */
static int get_procs(struct ctx *c, const yaml_node_t *n, const char *key, struct proc_key **ret,
		     size_t *count)
{
	struct proc_key *v;

	if (n->type != YAML_SEQUENCE_NODE)
		return bad(c, n, "%s: expected a list of {name: NAME, path: PATH}", key);
	if (*ret)
		return bad(c, n, "%s: given twice", key);
	if (seq_len(n) > MAX_ITEMS)
		return bad(c, n, "%s: more than %d processes", key, MAX_ITEMS);
	v = calloc(seq_len(n) + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*ret = v;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = node(c, *it);
		struct proc_key *k = &v[*count];
		const char *name = NULL, *path = NULL;

		if (item->type != YAML_MAPPING_NODE)
			return bad(c, item, "%s: a process is {name: NAME, path: PATH}", key);
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
		     p < item->data.mapping.pairs.top; p++) {
			const char *k2 = scalar(node(c, p->key)), *val = scalar(node(c, p->value));

			if (k2 && !strcmp(k2, "name"))
				name = val;
			else if (k2 && !strcmp(k2, "path"))
				path = val;
			else
				return bad(c, node(c, p->key),
					   "%s: unknown key \"%s\" (a process is {name, path})",
					   key, k2 ? k2 : "?");
		}
		if (!name || !name[0] || !path || path[0] != '/')
			return bad(c, item,
				   "%s: a process needs a name (its comm) and an absolute path",
				   key);
		k->name = strndup(name, 15); /* the kernel's comm: 15 bytes */
		k->path = strdup(path);
		(*count)++;
		if (!k->name || !k->path)
			return -ENOMEM;
	}
	return 0;
}

static int get_ports(struct ctx *c, const yaml_node_t *n, struct rule_params *r)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(c, n, "ports: expected a list of port numbers");
	if (r->ports)
		return bad(c, n, "ports: given twice");
	if (seq_len(n) > MAX_ITEMS)
		return bad(c, n, "ports: more than %d ports", MAX_ITEMS);
	r->ports = calloc(seq_len(n) + 1, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = node(c, *it);
		uint64_t port;

		if (!scalar(item) || vigil_parse_u64(scalar(item), &port) < 0 || port < 1 ||
		    port > 65535)
			return bad(c, item, "ports: expected a port number (1-65535)");
		r->ports[r->nports++] = (uint16_t)port;
	}
	return 0;
}

static int get_param(struct ctx *c, const yaml_node_t *k, const yaml_node_t *v,
		     struct rule_params *r, unsigned kinds)
{
	const char *key = scalar(k) ? scalar(k) : "";
	const char *hint;
	char list[160];
	size_t i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if (!strcmp(params[i].name, key))
			break;
	}
	if (i == sizeof(params) / sizeof(params[0])) {
		if (!strcmp(key, "direction") || !strcmp(key, "methods"))
			return bad(c, k,
				   "%s: Kubescape's HTTP parameter; Vigil has no HTTP rule to take "
				   "it",
				   key);
		hint = vigil_suggest(key, param_names);
		return bad(c, k, "unknown rule parameter \"%s\"%s%s%s", key,
			   hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
	}
	if (!(params[i].kinds & kinds)) {
		taken(kinds, list, sizeof(list));
		return bad(c, k, "%s does not take %s (%s%s)", r->rule->id, key,
			   list[0] ? "it takes: " : "it takes no parameters", list);
	}
	switch ((enum param)i) {
	case P_IGNORE:
		return get_prefixes(c, v, key, &r->ignore);
	case P_INCLUDE:
		return get_prefixes(c, v, key, &r->include);
	case P_MOUNTS:
		if (!scalar(v) || (strcmp(scalar(v), "true") && strcmp(scalar(v), "false")))
			return bad(c, v, "ignoreMounts: expected true or false");
		r->ignore_mounts = !strcmp(scalar(v), "true");
		return 0;
	case P_PROCS:
		return get_procs(c, v, key, &r->procs, &r->nprocs);
	case P_PARENTS:
		return get_procs(c, v, key, &r->parents, &r->nparents);
	case P_PORTS:
		return get_ports(c, v, r);
	}
	return 0;
}

/* The rule an entry names: ruleID (R0002) or ruleName (Kubescape's name, as in the catalogue). */
static const struct vigil_rule *entry_rule(struct ctx *c, const yaml_node_t *k,
					   const yaml_node_t *v, const char *key)
{
	size_t n;
	const struct vigil_rule *all = vigil_rules__all(&n);
	const char *s = scalar(v);

	if (!s) {
		bad(c, v, "%s: expected a string", key);
		return NULL;
	}
	if (!strcmp(key, "ruleID")) {
		if (!vigil_rule__find(s))
			bad(c, v, "ruleID: no rule %s (docs/ALERTS.md lists them)", s);
		return vigil_rule__find(s);
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(all[i].name, s))
			return &all[i];
	}
	bad(c, k, "ruleName: no rule is named \"%s\" (docs/ALERTS.md lists Kubescape's names)", s);
	return NULL;
}

static int parse_entry(struct ctx *c, const yaml_node_t *n, struct agent_rule_params *out)
{
	static const char *const known[] = { "ruleID", "ruleName", "parameters", NULL };
	struct rule_params *r = &out->r[out->n];
	const yaml_node_t *pn = NULL;
	const char *hint;
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return bad(c, n, "a rule is a mapping (ruleID: ID, parameters: {...})");
	out->n++;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		const char *key = scalar(k) ? scalar(k) : "";

		if (!strcmp(key, "ruleID") || !strcmp(key, "ruleName")) {
			if (r->rule)
				return bad(c, k, "a rule is named once (ruleID or ruleName)");
			if (!(r->rule = entry_rule(c, k, v, key)))
				return -EINVAL;
		} else if (!strcmp(key, "parameters")) {
			pn = v;
		} else {
			hint = vigil_suggest(key, known);
			return bad(c, k, "unknown key \"%s\" in a rule%s%s%s", key,
				   hint ? " (did you mean \"" : "", hint ? hint : "",
				   hint ? "\"?)" : " (ruleID, ruleName, parameters)");
		}
	}
	if (!r->rule)
		return bad(c, n, "a rule needs ruleID or ruleName");
	for (size_t i = 0; i + 1 < out->n; i++) {
		if (out->r[i].rule == r->rule)
			return bad(c, n, "%s: given twice in this binding", r->rule->id);
	}
	if (!pn)
		return 0;
	if (pn->type != YAML_MAPPING_NODE)
		return bad(c, pn, "parameters: expected a mapping");
	for (yaml_node_pair_t *p = pn->data.mapping.pairs.start; p < pn->data.mapping.pairs.top;
	     p++) {
		err = get_param(c, node(c, p->key), node(c, p->value), r,
				r->rule->flags & (K_EXEC | K_OPEN | K_NET));
		if (err)
			return err;
	}
	return 0;
}

int agent_rule_params__parse(yaml_document_t *doc, const yaml_node_t *n,
			     struct agent_rule_params **ret, struct agent_rule_params_error *e)
{
	struct ctx c = { doc, e };
	struct agent_rule_params *out;
	int err = 0;

	*ret = NULL;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(&c, n, "rules: expected a list of {ruleID: ID, parameters: {...}}");
	if (seq_len(n) > MAX_RULES)
		return bad(&c, n, "rules: more than %d", MAX_RULES);
	if (!seq_len(n))
		return 0;
	out = calloc(1, sizeof(*out));
	if (!out || !(out->r = calloc(seq_len(n), sizeof(*out->r)))) {
		free(out);
		return -ENOMEM;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     !err && it < n->data.sequence.items.top; it++)
		err = parse_entry(&c, node(&c, *it), out);
	if (err) {
		agent_rule_params__free(out);
		return err;
	}
	*ret = out;
	return 0;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static void procs_free(struct proc_key *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

void agent_rule_params__free(struct agent_rule_params *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct rule_params *r = &p->r[i];

		strlist_free(&r->ignore);
		strlist_free(&r->include);
		procs_free(r->procs, r->nprocs);
		procs_free(r->parents, r->nparents);
		free(r->ports);
	}
	free(p->r);
	free(p);
}

/* ---- applying ---------------------------------------------------------------------------- */

/* path is prefix itself or lies below it (whole segments); "/" is below nothing but is all */
static bool under(const char *path, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);

		if (!strcmp(l->v[i], "/") ||
		    (!strncmp(path, l->v[i], n) && (path[n] == '\0' || path[n] == '/')))
			return true;
	}
	return false;
}

static bool proc_listed(const struct proc_key *v, size_t n, const char *name, const char *path)
{
	for (size_t i = 0; name && name[0] && path && path[0] && i < n; i++) {
		if (!strncmp(v[i].name, name, 15) && !strcmp(v[i].path, path))
			return true;
	}
	return false;
}

/* The parent by its program: Vigil keeps the parent's executable, not its comm, so the name
 * is matched against that file's name as the kernel makes a comm of it (15 bytes). */
static bool parent_listed(const struct rule_params *r, const char *parent_exe)
{
	const char *base = parent_exe ? strrchr(parent_exe, '/') : NULL;

	return base && proc_listed(r->parents, r->nparents, base + 1, parent_exe);
}

static bool skip_path(const struct rule_params *r, const char *path)
{
	if (!path || !path[0])
		return false; /* undetermined: kept, as Kubescape keeps it */
	if (r->include.n && !under(path, &r->include))
		return true;
	return r->ignore.n && under(path, &r->ignore);
}

bool agent_rule_params__skip(const struct agent_rule_params *p, const struct vigil_alert *a)
{
	const struct vigil_event *ev = a ? a->event : NULL;
	const struct rule_params *r = NULL;
	char mnt[256];

	if (!p || !ev || !a->rule || ev->action != VIGIL_ACTION_NONE)
		return false;
	for (size_t i = 0; i < p->n && !r; i++) {
		if (p->r[i].rule == a->rule)
			r = &p->r[i];
	}
	if (!r)
		return false;
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		return skip_path(r, ev->exec.path) ||
		       (ev->proc &&
			proc_listed(r->procs, r->nprocs, ev->proc->comm, ev->exec.path)) ||
		       parent_listed(r, ev->exec.parent_exe);
	case VIGIL_EV_OPEN:
		return skip_path(r, ev->open.path) ||
		       (r->ignore_mounts && ev->proc && ev->open.path &&
			vigil_exec_mount(ev->proc->pid, ev->proc->ppid, ev->open.path, mnt,
					 sizeof(mnt)));
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_SEND:
		if (!r->nports || !ev->net.remote.port)
			return false;
		for (size_t i = 0; i < r->nports; i++) {
			if (r->ports[i] == ev->net.remote.port)
				return false;
		}
		return true;
	default:
		return false;
	}
}
