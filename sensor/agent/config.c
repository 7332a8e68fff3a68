// SPDX-License-Identifier: Apache-2.0
/*
 * Agent configuration: a small YAML file read with libyaml's document API (bounded size and
 * item counts), unknown keys rejected with a suggestion, defaults filled in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "sensor/agent/config.h"
#include "sensor/agent/rule_params.h"
#include "sensor/metrics/metrics.h"
#include "sensor/uplink/credential.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/sensor.h"
#include "vigil/uplink.h"
#include "vigil/sign.h"

struct parse {
	yaml_document_t doc;
	const char *file;
	struct vigil_error *err;
};

static int fail(struct parse *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parse *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vigil_error__set(p->err, -EINVAL, p->file, n ? (int)n->start_mark.line + 1 : 0,
				n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int get_str(struct parse *p, const yaml_node_t *n, const char *key, char **out)
{
	const char *s = scalar(n);

	if (!s)
		return fail(p, n, "%s: expected a string", key);
	free(*out);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int get_bool(struct parse *p, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s = scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
		*out = false;
		return 0;
	}
	return fail(p, n, "%s: expected true or false", key);
}

static int get_duration(struct parse *p, const yaml_node_t *n, const char *key, uint64_t *out)
{
	const char *s = scalar(n);

	if (!s || vigil_parse_duration(s, out) < 0)
		return fail(p, n, "%s: expected a duration (500ms, 30s, 10m, 24h)", key);
	return 0;
}

static void strv_free(struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* Keeps v NULL-terminated (commands are passed to exec as they are). */
static int strv_push(struct strv *v, const char *s)
{
	char **grown = realloc(v->v, (v->n + 2) * sizeof(*v->v));

	if (!grown)
		return -ENOMEM;
	v->v = grown;
	v->v[v->n] = strdup(s);
	if (!v->v[v->n])
		return -ENOMEM;
	v->n++;
	v->v[v->n] = NULL;
	return 0;
}

/* A list of strings (a single string is a list of one). */
static int get_strv(struct parse *p, const yaml_node_t *n, const char *key, struct strv *out)
{
	int err;

	strv_free(out);
	if (scalar(n))
		return strv_push(out, scalar(n));
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(p, n, "%s: expected a list of strings", key);
	if (n->data.sequence.items.top - n->data.sequence.items.start > AGENT_CONFIG_MAX_ITEMS)
		return fail(p, n, "%s: more than %d items", key, AGENT_CONFIG_MAX_ITEMS);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = yaml_document_get_node(&p->doc, *it);

		if (!scalar(item))
			return fail(p, item, "%s: expected a string", key);
		err = strv_push(out, scalar(item));
		if (err < 0)
			return err;
	}
	return 0;
}

static int unknown_key(struct parse *p, const yaml_node_t *k, const char *section,
		       const char *const *known)
{
	const char *hint = vigil_suggest(scalar(k) ? scalar(k) : "", known);

	if (hint)
		return fail(p, k, "unknown key \"%s\"%s%s (did you mean \"%s\"?)", scalar(k),
			    section ? " in " : "", section ? section : "", hint);
	return fail(p, k, "unknown key \"%s\"%s%s", scalar(k) ? scalar(k) : "?",
		    section ? " in " : "", section ? section : "");
}

#define FOR_PAIRS(p, n, pair)                                        \
	for (yaml_node_pair_t *pair = (n)->data.mapping.pairs.start; \
	     pair < (n)->data.mapping.pairs.top; pair++)

/* rules: [{ruleID: R0002, parameters: {...}}] (sensor/agent/rule_params.c) */
static int get_rule_params(struct parse *p, const yaml_node_t *n, struct agent_binding *b)
{
	struct agent_rule_params_error e = { 0 };
	int err;

	if (b->rule_params)
		return fail(p, n, "rules: given twice");
	err = agent_rule_params__parse(&p->doc, n, &b->rule_params, &e);
	return err == -EINVAL ? fail(p, e.node, "%s", e.msg) : err;
}

static void binding_free(struct agent_binding *b)
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
static int get_enforce(struct parse *p, const yaml_node_t *n, uint32_t *ret)
{
	struct strv l = { 0 };
	int err = get_strv(p, n, "enforce", &l);

	*ret = 0;
	for (size_t i = 0; !err && i < l.n; i++) {
		uint32_t bit = vigil_sensor__enforce_rule(l.v[i]);

		if (!bit)
			err = fail(p, n, "enforce: %s is not enforced in the kernel (%s are)",
				   l.v[i], VIGIL_ENFORCE_RULE_LIST);
		*ret |= bit;
	}
	strv_free(&l);
	return err;
}

static int parse_binding(struct parse *p, const yaml_node_t *n, struct agent_binding *b)
{
	static const char *const known[] = { "profile", "name",	  "container_name", "image",
					     "label",	"cgroup", "enforce",	    "enforce_mode",
					     "rules",	NULL };
	char origin[512];
	int err = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail(p, n, "a binding is a mapping (profile: FILE, name: NAME, ...)");
	snprintf(origin, sizeof(origin), "%s:%zu", p->file, n->start_mark.line + 1);
	b->origin = strdup(origin);
	if (!b->origin)
		return -ENOMEM;
	FOR_PAIRS(p, n, pair)
	{
		const yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
		const char *key = scalar(k) ? scalar(k) : "";

		if (!strcmp(key, "profile"))
			err = get_str(p, v, key, &b->profile);
		else if (!strcmp(key, "name"))
			err = get_str(p, v, key, &b->name);
		else if (!strcmp(key, "container_name"))
			err = get_str(p, v, key, &b->container_name);
		else if (!strcmp(key, "image"))
			err = get_str(p, v, key, &b->image);
		else if (!strcmp(key, "cgroup"))
			err = get_str(p, v, key, &b->cgroup);
		else if (!strcmp(key, "enforce"))
			err = get_enforce(p, v, &b->enforce_rules);
		else if (!strcmp(key, "rules"))
			err = get_rule_params(p, v, b);
		else if (!strcmp(key, "enforce_mode")) {
			const char *m = scalar(v);

			if (!m || (strcmp(m, "kill") && strcmp(m, "dry-run")))
				return fail(p, v, "enforce_mode: kill or dry-run");
			b->enforce_kill = !strcmp(m, "kill");
		} else if (!strcmp(key, "label")) {
			char *eq;

			err = get_str(p, v, key, &b->label_key);
			if (err)
				return err;
			eq = strchr(b->label_key, '=');
			if (!eq)
				return fail(p, v, "label: expected KEY=VALUE");
			*eq = '\0';
			free(b->label_value); /* a repeated "label:" replaces the earlier one */
			b->label_value = strdup(eq + 1);
			if (!b->label_value)
				return -ENOMEM;
		} else
			err = unknown_key(p, k, "a binding", known);
		if (err)
			return err;
	}
	if (!b->profile)
		return fail(p, n, "a binding needs a profile");
	if (!b->name && !b->container_name && !b->image && !b->label_key && !b->cgroup)
		return fail(p, n,
			    "a binding needs a selector: name, container_name, image, label or "
			    "cgroup");
	return 0;
}

static int parse_bindings(struct parse *p, struct vigil_agent_config *c, const yaml_node_t *n)
{
	size_t count;
	struct agent_binding *grown;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(p, n, "bindings: expected a list");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (c->nbindings + count > AGENT_CONFIG_MAX_ITEMS)
		return fail(p, n, "bindings: more than %d", AGENT_CONFIG_MAX_ITEMS);
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

static int parse_commands(struct parse *p, struct vigil_agent_config *c, const yaml_node_t *n)
{
	static const char *const known[] = { "name", "command", "restart", NULL };
	size_t count;
	int err = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(p, n, "workloads: expected a list");
	if (c->commands)
		return fail(p, n, "workloads: given twice");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > 256)
		return fail(p, n, "workloads: more than 256");
	c->commands = calloc(count ? count : 1, sizeof(*c->commands));
	if (!c->commands)
		return -ENOMEM;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *m = yaml_document_get_node(&p->doc, *it);
		struct agent_command *cmd = &c->commands[c->ncommands++];

		if (m->type != YAML_MAPPING_NODE)
			return fail(p, m, "a workload is a mapping (name: NAME, command: [...])");
		FOR_PAIRS(p, m, pair)
		{
			const yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
			const yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
			const char *key = scalar(k) ? scalar(k) : "";

			if (!strcmp(key, "name"))
				err = get_str(p, v, key, &cmd->name);
			else if (!strcmp(key, "command"))
				err = get_strv(p, v, key, &cmd->argv);
			else if (!strcmp(key, "restart"))
				err = get_bool(p, v, key, &cmd->restart);
			else
				err = unknown_key(p, k, "a workload", known);
			if (err)
				return err;
		}
		if (!cmd->argv.n)
			return fail(p, m, "a workload needs a command");
		if (!cmd->name) {
			const char *base = strrchr(cmd->argv.v[0], '/');

			cmd->name = strdup(base ? base + 1 : cmd->argv.v[0]);
			if (!cmd->name)
				return -ENOMEM;
		}
	}
	return 0;
}

static int parse_section(struct parse *p, const yaml_node_t *n, const char *section,
			 const char *const *known,
			 int (*fn)(struct parse *, const char *, const yaml_node_t *, void *),
			 void *ctx)
{
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return fail(p, n, "%s: expected a mapping", section ? section : "configuration");
	FOR_PAIRS(p, n, pair)
	{
		const yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
		const char *key = scalar(k) ? scalar(k) : "";

		err = fn(p, key, v, ctx);
		if (err == -ENOENT)
			return unknown_key(p, k, section, known);
		if (err)
			return err;
	}
	return 0;
}

static int learning_key(struct parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "enabled"))
		return get_bool(p, v, key, &c->learn);
	if (!strcmp(key, "duration"))
		return get_duration(p, v, key, &c->learn_ns);
	if (!strcmp(key, "per_executable"))
		return get_bool(p, v, key, &c->learn_per_exe);
	if (!strcmp(key, "checkpoint")) {
		int e = get_duration(p, v, key, &c->checkpoint_ns);

		if (!e && c->checkpoint_ns && c->checkpoint_ns < 100000000ULL)
			return fail(p, v, "checkpoint: at least 100ms (or 0: none)");
		return e;
	}
	return -ENOENT;
}

static int signatures_key(struct parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "required")) {
		c->sig_line = (int)v->start_mark.line + 1;
		c->sig_col = (int)v->start_mark.column + 1;
		return get_bool(p, v, key, &c->require_signatures);
	}
	if (!strcmp(key, "allow_rollback"))
		return get_strv(p, v, key, &c->allow_rollback);
	if (!strcmp(key, "trust_dir"))
		return get_str(p, v, key, &c->trust_dir);
	if (!strcmp(key, "key"))
		return get_str(p, v, key, &c->sign_key);
	if (!strcmp(key, "accept_foreign"))
		return get_bool(p, v, key, &c->accept_foreign);
	return -ENOENT;
}

static int kubernetes_key(struct parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "host_root"))
		return get_str(p, v, key, &c->k8s_host_root);
	if (!strcmp(key, "profiles_dir"))
		return get_str(p, v, key, &c->k8s_profiles_dir);
	if (!strcmp(key, "node_name"))
		return get_str(p, v, key, &c->k8s_node_name);
	if (!strcmp(key, "containerd_state"))
		return get_str(p, v, key, &c->k8s_containerd_state);
	if (!strcmp(key, "api_url"))
		return get_str(p, v, key, &c->k8s_api_url);
	if (!strcmp(key, "service_account_dir"))
		return get_str(p, v, key, &c->k8s_sa_dir);
	if (!strcmp(key, "api_server")) {
		const char *s = scalar(v);

		if (s && (!strcmp(s, "auto") || !strcmp(s, "off"))) {
			c->k8s_api = !strcmp(s, "auto");
			return 0;
		}
		return fail(p, v, "api_server: expected auto or off");
	}
	if (!strcmp(key, "workload_profiles"))
		return get_bool(p, v, key, &c->k8s_workload_profiles);
	return -ENOENT;
}

bool agent_config__node_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 253 || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static int cockpit_key(struct parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct agent_cockpit *k = ctx;
	char why[256];
	int e;

	if (!strcmp(key, "url")) {
		e = get_str(p, v, key, &k->url);
		if (!e && vigil_uplink__check_url(k->url, why, sizeof(why)) < 0)
			return fail(p, v, "cockpit.url: %s", why);
		return e;
	}
	if (!strcmp(key, "token_file"))
		return get_str(p, v, key, &k->token_file);
	if (!strcmp(key, "join_token_file"))
		return get_str(p, v, key, &k->join_token_file);
	if (!strcmp(key, "ca_file"))
		return get_str(p, v, key, &k->ca_file);
	if (!strcmp(key, "node_name")) {
		e = get_str(p, v, key, &k->node_name);
		if (!e && !agent_config__node_name_ok(k->node_name))
			return fail(p, v,
				    "cockpit.node_name: 1 to 253 of A-Z a-z 0-9 . _ -, not "
				    "starting with . or -");
		return e;
	}
	if (!strcmp(key, "heartbeat_interval")) {
		e = get_duration(p, v, key, &k->heartbeat_ns);
		if (!e && (k->heartbeat_ns < 1000000000ULL || k->heartbeat_ns > 3600000000000ULL))
			return fail(p, v, "cockpit.heartbeat_interval: between 1s and 1h");
		return e;
	}
	if (!strcmp(key, "spool_dir"))
		return get_str(p, v, key, &k->spool_dir);
	if (!strcmp(key, "spool_max_bytes")) {
		const char *s = scalar(v);

		if (!s || vigil_parse_size(s, &k->spool_max_bytes) < 0)
			return fail(p, v, "cockpit.spool_max_bytes: expected a size (64MiB, 1GiB)");
		if (k->spool_max_bytes < AGENT_SPOOL_MIN)
			return fail(p, v, "cockpit.spool_max_bytes: at least 1MiB");
		return 0;
	}
	return -ENOENT;
}

static const char *const cockpit_known[] = {
	"url",	     "token_file",	"join_token_file",
	"ca_file",   "node_name",	"heartbeat_interval",
	"spool_dir", "spool_max_bytes", NULL,
};

/* The cockpit section as a whole: a URL and exactly one way to a credential. */
static int parse_cockpit(struct parse *p, struct vigil_agent_config *c, const yaml_node_t *n)
{
	struct agent_cockpit *k = &c->cockpit;
	int e;

	if (k->url || k->token_file || k->join_token_file)
		return fail(p, n, "cockpit: given twice");
	e = parse_section(p, n, "cockpit", cockpit_known, cockpit_key, k);
	if (e)
		return e;
	if (!k->url)
		return fail(p, n, "cockpit: needs url (https://HOST:PORT of the cockpit)");
	if (!!k->token_file == !!k->join_token_file)
		return fail(p, n,
			    "cockpit: needs exactly one of token_file (a node token made with "
			    "'vigil cockpit token add NODE') and join_token_file (a join token "
			    "made with 'vigil cockpit join-token')");
	return 0;
}

static int metrics_key(struct parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct agent_metrics *m = ctx;

	if (!strcmp(key, "listen")) {
		int e = get_str(p, v, key, &m->listen);

		if (!e && vigil_metrics_server__check_listen(m->listen) < 0)
			return fail(
				p, v,
				"metrics.listen: expected IP:PORT (127.0.0.1:9464, [::1]:9464)");
		return e;
	}
	return -ENOENT;
}

static int top_key(struct parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	static const char *const k8s_known[] = {
		"host_root",	     "profiles_dir",	 "node_name",
		"api_server",	     "api_url",		 "service_account_dir",
		"workload_profiles", "containerd_state", NULL
	};
	static const char *const learning_known[] = { "enabled", "duration", "checkpoint",
						      "per_executable", NULL };
	static const char *const sig_known[] = { "required",	   "trust_dir",	     "key",
						 "allow_rollback", "accept_foreign", NULL };
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "state_dir"))
		return get_str(p, v, key, &c->state_dir);
	if (!strcmp(key, "profiles_dir"))
		return get_str(p, v, key, &c->profiles_dir);
	if (!strcmp(key, "scope")) {
		const char *s = scalar(v);

		if (s && !strcmp(s, "containers"))
			c->scope = AGENT_SCOPE_CONTAINERS;
		else if (s && !strcmp(s, "all"))
			c->scope = AGENT_SCOPE_ALL;
		else
			return fail(p, v, "scope: expected containers or all");
		return 0;
	}
	if (!strcmp(key, "learning"))
		return parse_section(p, v, "learning", learning_known, learning_key, c);
	if (!strcmp(key, "cooldown"))
		return get_duration(p, v, key, &c->cooldown_ns);
	if (!strcmp(key, "rescan"))
		return get_duration(p, v, key, &c->rescan_ns);
	if (!strcmp(key, "health_interval")) {
		int e = get_duration(p, v, key, &c->health_ns);

		if (!e && c->health_ns < 100000000ULL)
			return fail(p, v, "health_interval: at least 100ms");
		return e;
	}
	if (!strcmp(key, "sinks"))
		return get_strv(p, v, key, &c->sinks);
	if (!strcmp(key, "evidence"))
		return get_str(p, v, key, &c->evidence);
	if (!strcmp(key, "signatures"))
		return parse_section(p, v, "signatures", sig_known, signatures_key, c);
	if (!strcmp(key, "exclude_cgroups"))
		return get_strv(p, v, key, &c->exclude_cgroups);
	if (!strcmp(key, "include_cgroups"))
		return get_strv(p, v, key, &c->include_cgroups);
	if (!strcmp(key, "disabled_rules"))
		return get_strv(p, v, key, &c->disabled_rules);
	if (!strcmp(key, "enabled_rules"))
		return get_strv(p, v, key, &c->enabled_rules);
	if (!strcmp(key, "bindings"))
		return parse_bindings(p, c, v);
	if (!strcmp(key, "binding_files")) {
		struct strv files = { 0 };
		int err = get_strv(p, v, key, &files);

		for (size_t i = 0; !err && i < files.n; i++)
			err = agent_config__load_bindings(c, files.v[i], p->err);
		strv_free(&files);
		return err;
	}
	if (!strcmp(key, "workloads"))
		return parse_commands(p, c, v);
	if (!strcmp(key, "status_file"))
		return get_str(p, v, key, &c->status_file);
	if (!strcmp(key, "enforce_switch"))
		return get_str(p, v, key, &c->enforce_switch);
	if (!strcmp(key, "cockpit"))
		return parse_cockpit(p, c, v);
	if (!strcmp(key, "metrics")) {
		static const char *const metrics_known[] = { "listen", NULL };
		int e = parse_section(p, v, "metrics", metrics_known, metrics_key, &c->metrics);

		if (!e && !c->metrics.listen &&
		    !(c->metrics.listen = strdup(AGENT_METRICS_DEFAULT_LISTEN)))
			return -ENOMEM;
		return e;
	}
	if (!strcmp(key, "profile_max_bytes")) {
		const char *s = scalar(v);

		if (!s || vigil_parse_u64(s, &c->profile_max_bytes) < 0 ||
		    c->profile_max_bytes < 4096 || c->profile_max_bytes > (64ULL << 20))
			return fail(p, v, "profile_max_bytes: a number of bytes from 4096 to %llu",
				    64ULL << 20);
		return 0;
	}
	if (!strcmp(key, "kubernetes"))
		return parse_section(p, v, "kubernetes", k8s_known, kubernetes_key, c);
	return -ENOENT;
}

static const char *const top_known[] = {
	"state_dir",	 "profiles_dir",    "scope",	       "learning",
	"cooldown",	 "rescan",	    "sinks",	       "evidence",
	"signatures",	 "exclude_cgroups", "include_cgroups", "disabled_rules",
	"enabled_rules", "bindings",	    "binding_files",   "workloads",
	"status_file",	 "enforce_switch",  "health_interval", "profile_max_bytes",
	"kubernetes",	 "cockpit",	    "metrics",	       NULL,
};

/* Reads a bounded file and parses it into p->doc. */
static int load_doc(struct parse *p, const char *file)
{
	yaml_parser_t parser;
	struct stat st;
	char *data;
	ssize_t n;
	int fd, err = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vigil_error__set(p->err, -errno, file, 0, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > AGENT_CONFIG_MAX_BYTES) {
		close(fd);
		return vigil_error__set(p->err, -EFBIG, file, 0, 0,
					"not a regular file of at most %u bytes",
					AGENT_CONFIG_MAX_BYTES);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, data, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(data);
		return vigil_error__set(p->err, -EIO, file, 0, 0, "short read");
	}
	if (!yaml_parser_initialize(&parser)) {
		free(data);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, (size_t)n);
	if (!yaml_parser_load(&parser, &p->doc)) {
		err = vigil_error__set(p->err, -EINVAL, file, (int)parser.problem_mark.line + 1,
				       (int)parser.problem_mark.column + 1, "%s",
				       parser.problem ? parser.problem : "YAML error");
		memset(&p->doc, 0, sizeof(p->doc));
	}
	yaml_parser_delete(&parser);
	free(data);
	return err;
}

int agent_config__load_bindings(struct vigil_agent_config *c, const char *file,
				struct vigil_error *err)
{
	struct parse p = { .file = file, .err = err };
	yaml_node_t *root;
	int e = load_doc(&p, file);

	if (e)
		return e;
	root = yaml_document_get_root_node(&p.doc);
	if (!root) {
		e = 0; /* an empty file binds nothing */
	} else if (root->type == YAML_SEQUENCE_NODE) {
		e = parse_bindings(&p, c, root);
	} else if (root->type == YAML_MAPPING_NODE) {
		e = 0;
		FOR_PAIRS(&p, root, pair)
		{
			const yaml_node_t *k = yaml_document_get_node(&p.doc, pair->key);
			static const char *const known[] = { "bindings", NULL };

			if (scalar(k) && !strcmp(scalar(k), "bindings"))
				e = parse_bindings(&p, c,
						   yaml_document_get_node(&p.doc, pair->value));
			else
				e = unknown_key(&p, k, NULL, known);
			if (e)
				break;
		}
	} else {
		e = fail(&p, root, "expected a list of bindings");
	}
	yaml_document_delete(&p.doc);
	return e;
}

static int fill_defaults(struct vigil_agent_config *c)
{
	char buf[4096];

	if (!c->state_dir && !(c->state_dir = strdup("/var/lib/vigil")))
		return -ENOMEM;
	if (!c->profiles_dir) {
		snprintf(buf, sizeof(buf), "%s/profiles", c->state_dir);
		if (!(c->profiles_dir = strdup(buf)))
			return -ENOMEM;
	}
	if (!c->sinks.n && strv_push(&c->sinks, "stdout") < 0)
		return -ENOMEM;
	if (!c->trust_dir && !(c->trust_dir = strdup("/etc/vigil/trust")))
		return -ENOMEM;
	if (!c->evidence && !(c->evidence = strdup("")))
		return -ENOMEM;
	if (!c->enforce_switch && !(c->enforce_switch = strdup("/run/vigil/enforce-off")))
		return -ENOMEM;
	if (!c->status_file) {
		snprintf(buf, sizeof(buf), "%s/status.json", c->state_dir);
		if (!(c->status_file = strdup(buf)))
			return -ENOMEM;
	}
	/* the node's root: itself on the host, the host's through pid 1 in a hostPID pod */
	if (!c->k8s_host_root && !(c->k8s_host_root = strdup("/proc/1/root")))
		return -ENOMEM;
	if (!c->k8s_profiles_dir && !(c->k8s_profiles_dir = strdup("")))
		return -ENOMEM;
	if (!c->k8s_api_url && !(c->k8s_api_url = strdup("")))
		return -ENOMEM;
	if (!c->k8s_containerd_state && !(c->k8s_containerd_state = strdup("")))
		return -ENOMEM;
	if (!c->k8s_sa_dir &&
	    !(c->k8s_sa_dir = strdup("/var/run/secrets/kubernetes.io/serviceaccount")))
		return -ENOMEM;
	if (!c->k8s_node_name) {
		const char *env = getenv("VIGIL_NODE_NAME");

		if (!env || !env[0]) {
			if (gethostname(buf, sizeof(buf)) < 0)
				buf[0] = '\0';
			buf[sizeof(buf) - 1] = '\0';
			env = buf;
		}
		if (!(c->k8s_node_name = strdup(env)))
			return -ENOMEM;
	}
	if (c->cockpit.url) {
		struct agent_cockpit *k = &c->cockpit;

		if (!k->spool_dir) {
			snprintf(buf, sizeof(buf), "%s/cockpit-spool", c->state_dir);
			if (!(k->spool_dir = strdup(buf)))
				return -ENOMEM;
		}
		snprintf(buf, sizeof(buf), "%s/cockpit-node.token", c->state_dir);
		if (!(k->node_token_file = strdup(buf)))
			return -ENOMEM;
		if (!k->heartbeat_ns)
			k->heartbeat_ns = 10ULL * 1000000000ULL;
		if (!k->spool_max_bytes)
			k->spool_max_bytes = AGENT_SPOOL_DEFAULT_MAX;
	}
	return 0;
}

/*
 * Settings that parse alone but not together. Learning with signatures required and no key:
 * the agent trusts what it learned by digest while it runs, but after a restart those
 * profiles are unsigned files like any other, refused, and the workloads unprotected.
 */
static int check_combinations(const struct vigil_agent_config *c, struct vigil_error *err)
{
	if (c->require_signatures && c->learn && (!c->sign_key || !c->sign_key[0]))
		return vigil_error__set(
			err, -EINVAL, c->path, c->sig_line, c->sig_col,
			"signatures.required with learning needs signatures.key: learned profiles "
			"would be unsigned after a restart and their workloads unprotected (make a "
			"key with `vigil keygen`, set signatures.key and put its .pub in trust_dir; "
			"or set learning.enabled: false)");
	return 0;
}

int vigil_agent_config__load(const char *path, struct vigil_agent_config **ret,
			     struct vigil_error *err)
{
	struct vigil_agent_config *c = calloc(1, sizeof(*c));
	struct parse p = { .err = err };
	yaml_node_t *root;
	int e = 0;

	if (!c)
		return -ENOMEM;
	c->learn = true;
	c->k8s_api = true;
	c->k8s_workload_profiles = true;
	c->learn_ns = 10ULL * 60 * 1000000000ULL;
	c->cooldown_ns = VIGIL_DETECT_DEFAULT_COOLDOWN_NS;
	c->rescan_ns = 2ULL * 1000000000ULL;
	c->health_ns = 10ULL * 1000000000ULL;
	c->checkpoint_ns = 30ULL * 1000000000ULL;
	c->profile_max_bytes = AGENT_PROFILE_MAX_BYTES_DEFAULT;
	if (!path && access(AGENT_CONFIG_DEFAULT_PATH, F_OK) == 0)
		path = AGENT_CONFIG_DEFAULT_PATH;
	c->path = strdup(path ? path : "");
	if (!c->path) {
		e = -ENOMEM;
		goto out;
	}
	if (path) {
		p.file = path;
		e = load_doc(&p, path);
		if (e)
			goto out;
		root = yaml_document_get_root_node(&p.doc);
		if (root && root->type != YAML_MAPPING_NODE)
			e = fail(&p, root, "expected a mapping of settings");
		else if (root)
			e = parse_section(&p, root, NULL, top_known, top_key, c);
		yaml_document_delete(&p.doc);
		if (e)
			goto out;
	}
	e = fill_defaults(c);
	if (!e)
		e = check_combinations(c, err);
out:
	if (e) {
		if (e == -ENOMEM && err && !err->message[0])
			vigil_error__set(err, e, path ? path : "", 0, 0, "out of memory");
		vigil_agent_config__free(c);
		return e;
	}
	*ret = c;
	return 0;
}

void vigil_agent_config__free(struct vigil_agent_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->state_dir);
	free(c->profiles_dir);
	strv_free(&c->sinks);
	free(c->evidence);
	free(c->trust_dir);
	free(c->sign_key);
	strv_free(&c->exclude_cgroups);
	strv_free(&c->include_cgroups);
	strv_free(&c->disabled_rules);
	strv_free(&c->enabled_rules);
	strv_free(&c->allow_rollback);
	for (size_t i = 0; i < c->nbindings; i++)
		binding_free(&c->bindings[i]);
	free(c->bindings);
	for (size_t i = 0; i < c->ncommands; i++) {
		free(c->commands[i].name);
		strv_free(&c->commands[i].argv);
	}
	free(c->commands);
	free(c->status_file);
	free(c->enforce_switch);
	free(c->cockpit.url);
	free(c->cockpit.token_file);
	free(c->cockpit.join_token_file);
	free(c->cockpit.node_token_file);
	free(c->cockpit.ca_file);
	free(c->cockpit.node_name);
	free(c->cockpit.spool_dir);
	free(c->metrics.listen);
	free(c->k8s_host_root);
	free(c->k8s_profiles_dir);
	free(c->k8s_node_name);
	free(c->k8s_api_url);
	free(c->k8s_containerd_state);
	free(c->k8s_sa_dir);
	free(c);
}

const char *vigil_agent_config__status_file(const struct vigil_agent_config *c)
{
	return c && c->status_file ? c->status_file : "";
}

/* The directory a file would be created in must exist and be writable. */
static int check_dir_of(const char *file, const char *what, struct vigil_error *err)
{
	char dir[PATH_MAX];
	char *slash;

	if (vigil_strlcpy(dir, file, sizeof(dir)) >= sizeof(dir))
		return vigil_error__set(err, -ENAMETOOLONG, file, 0, 0, "%s: path too long", what);
	slash = strrchr(dir, '/');
	if (!slash)
		vigil_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK) < 0)
		return vigil_error__set(err, -errno, file, 0, 0, "%s: directory %s: %s", what, dir,
					strerror(errno));
	return 0;
}

/* A directory the agent creates (with its parents) when missing: the nearest existing one on
 * its path must be writable. */
static int check_creatable(const char *path, const char *what, struct vigil_error *err)
{
	char dir[PATH_MAX];
	char *slash;

	if (vigil_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return vigil_error__set(err, -ENAMETOOLONG, path, 0, 0, "%s: path too long", what);
	while (access(dir, F_OK) < 0) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			vigil_strlcpy(dir, slash ? "/" : ".", sizeof(dir));
			break;
		}
		*slash = '\0';
	}
	if (access(dir, W_OK | X_OK) < 0)
		return vigil_error__set(err, -errno, path, 0, 0, "%s: %s: %s", what, dir,
					strerror(errno));
	return 0;
}

/* A token file the uplink will read: present, private, one token (it is not printed). */
static int check_token(const char *file, const char *what, struct vigil_error *err)
{
	char tok[UPLINK_TOKEN_MAX + 1], why[160];
	int e = uplink_token__read(file, tok, sizeof(tok), why, sizeof(why));

	explicit_bzero(tok, sizeof(tok));
	if (e < 0)
		return vigil_error__set(err, e, file, 0, 0, "%s: %s", what, why);
	return 0;
}

static int check_cockpit(const struct agent_cockpit *k, struct vigil_error *err)
{
	int e;

	if (k->token_file && (e = check_token(k->token_file, "cockpit.token_file", err)) < 0)
		return e;
	/* a join token is needed only until the node token it buys is kept */
	if (k->join_token_file && access(k->node_token_file, F_OK) < 0 &&
	    (e = check_token(k->join_token_file, "cockpit.join_token_file", err)) < 0)
		return e;
	if (k->join_token_file && access(k->node_token_file, F_OK) == 0 &&
	    (e = check_token(k->node_token_file, "the node token kept from enrolment", err)) < 0)
		return e;
	if (k->ca_file && access(k->ca_file, R_OK) < 0)
		return vigil_error__set(err, -errno, k->ca_file, 0, 0, "cockpit.ca_file: %s",
					strerror(errno));
	return check_creatable(k->spool_dir, "cockpit.spool_dir", err);
}

int vigil_agent_config__check_paths(const struct vigil_agent_config *c, struct vigil_error *err)
{
	int e;

	if (access(c->state_dir, W_OK) < 0 &&
	    (e = check_dir_of(c->state_dir, "state_dir", err)) < 0)
		return e;
	for (size_t i = 0; i < c->sinks.n; i++) {
		const char *s = c->sinks.v[i];

		if (!strncmp(s, "file:", 5) && (e = check_dir_of(s + 5, "file sink", err)) < 0)
			return e;
	}
	if (c->require_signatures && access(c->trust_dir, R_OK | X_OK) < 0)
		return vigil_error__set(err, -errno, c->trust_dir, 0, 0, "signatures.trust_dir: %s",
					strerror(errno));
	if (c->sign_key && c->sign_key[0] && access(c->sign_key, R_OK) < 0)
		return vigil_error__set(err, -errno, c->sign_key, 0, 0, "signatures.key: %s",
					strerror(errno));
	e = agent_config__check_signing(c, err);
	if (e < 0)
		return e;
	return c->cockpit.url ? check_cockpit(&c->cockpit, err) : 0;
}

int agent_config__check_signing(const struct vigil_agent_config *c, struct vigil_error *err)
{
	struct vigil_sign_key *k = NULL;
	struct vigil_trust *t = NULL;
	int e;

	if (!c->require_signatures || !c->sign_key || !c->sign_key[0])
		return 0;
	e = vigil_trust__load_dir(c->trust_dir, &t, err);
	if (!e)
		e = vigil_sign__key_load(c->sign_key, &k, err);
	if (!e && (e = vigil_trust__signer_of(t, k)) < 0)
		e = vigil_error__set(
			err, e, c->sign_key, 0, 0,
			"signatures.key: its public key is not in %s, so the profiles "
			"it signs would be refused after a restart (vigil keygen wrote "
			"it next to the key as KEY.pub: copy it there as NAME.pub)",
			c->trust_dir);
	vigil_sign__key_free(k);
	vigil_trust__free(t);
	return e < 0 ? e : 0;
}
