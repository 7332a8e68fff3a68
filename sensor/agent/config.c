// SPDX-License-Identifier: Apache-2.0
/*
 * Agent configuration: a small YAML file read with libyaml's document API (bounded size and
 * item counts), unknown keys rejected with a suggestion, defaults filled in. This file holds
 * the top-level keys and the small sections (learning, signatures, kubernetes, metrics), the
 * defaults, load and free; the readers are in config_yaml.c, the larger sections in
 * config_bindings.c, config_workloads.c and config_cockpit.c, start-up checks in config_check.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/agent/config_parse.h"
#include "sensor/metrics/metrics.h"
#include "util/strutil.h"
#include "vigil/burst.h"
#include "vigil/detect.h"

static int learning_key(struct cfg_parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "enabled"))
		return cfg_bool(p, v, key, &c->learn);
	if (!strcmp(key, "duration"))
		return cfg_duration(p, v, key, &c->learn_ns);
	if (!strcmp(key, "per_executable"))
		return cfg_bool(p, v, key, &c->learn_per_exe);
	if (!strcmp(key, "checkpoint")) {
		int e = cfg_duration(p, v, key, &c->checkpoint_ns);

		if (!e && c->checkpoint_ns && c->checkpoint_ns < 100000000ULL)
			return cfg_fail(p, v, "checkpoint: at least 100ms (or 0: none)");
		return e;
	}
	return -ENOENT;
}

static int signatures_key(struct cfg_parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "required")) {
		c->sig_line = (int)v->start_mark.line + 1;
		c->sig_col = (int)v->start_mark.column + 1;
		return cfg_bool(p, v, key, &c->require_signatures);
	}
	if (!strcmp(key, "allow_rollback"))
		return cfg_strv(p, v, key, &c->allow_rollback);
	if (!strcmp(key, "trust_dir"))
		return cfg_str(p, v, key, &c->trust_dir);
	if (!strcmp(key, "key"))
		return cfg_str(p, v, key, &c->sign_key);
	if (!strcmp(key, "accept_foreign"))
		return cfg_bool(p, v, key, &c->accept_foreign);
	return -ENOENT;
}

static int kubernetes_key(struct cfg_parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct vigil_agent_config *c = ctx;

	if (!strcmp(key, "host_root"))
		return cfg_str(p, v, key, &c->k8s_host_root);
	if (!strcmp(key, "profiles_dir"))
		return cfg_str(p, v, key, &c->k8s_profiles_dir);
	if (!strcmp(key, "node_name"))
		return cfg_str(p, v, key, &c->k8s_node_name);
	if (!strcmp(key, "containerd_state"))
		return cfg_str(p, v, key, &c->k8s_containerd_state);
	if (!strcmp(key, "api_url"))
		return cfg_str(p, v, key, &c->k8s_api_url);
	if (!strcmp(key, "service_account_dir"))
		return cfg_str(p, v, key, &c->k8s_sa_dir);
	if (!strcmp(key, "api_server")) {
		const char *s = cfg_scalar(v);

		if (s && (!strcmp(s, "auto") || !strcmp(s, "off"))) {
			c->k8s_api = !strcmp(s, "auto");
			return 0;
		}
		return cfg_fail(p, v, "api_server: expected auto or off");
	}
	if (!strcmp(key, "workload_profiles"))
		return cfg_bool(p, v, key, &c->k8s_workload_profiles);
	return -ENOENT;
}

static int metrics_key(struct cfg_parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct agent_metrics *m = ctx;

	if (!strcmp(key, "listen")) {
		int e = cfg_str(p, v, key, &m->listen);

		if (!e && vigil_metrics_server__check_listen(m->listen) < 0)
			return cfg_fail(
				p, v,
				"metrics.listen: expected IP:PORT (127.0.0.1:9464, [::1]:9464)");
		return e;
	}
	return -ENOENT;
}

static int top_key(struct cfg_parse *p, const char *key, const yaml_node_t *v, void *ctx)
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
		return cfg_str(p, v, key, &c->state_dir);
	if (!strcmp(key, "profiles_dir"))
		return cfg_str(p, v, key, &c->profiles_dir);
	if (!strcmp(key, "scope")) {
		const char *s = cfg_scalar(v);

		if (s && !strcmp(s, "containers"))
			c->scope = AGENT_SCOPE_CONTAINERS;
		else if (s && !strcmp(s, "all"))
			c->scope = AGENT_SCOPE_ALL;
		else
			return cfg_fail(p, v, "scope: expected containers or all");
		return 0;
	}
	if (!strcmp(key, "learning"))
		return cfg_section(p, v, "learning", learning_known, learning_key, c);
	if (!strcmp(key, "cooldown"))
		return cfg_duration(p, v, key, &c->cooldown_ns);
	if (!strcmp(key, "burst_window"))
		return cfg_duration(p, v, key, &c->burst_ns);
	if (!strcmp(key, "rescan"))
		return cfg_duration(p, v, key, &c->rescan_ns);
	if (!strcmp(key, "engine_timeout")) {
		int e = cfg_duration(p, v, key, &c->engine_timeout_ns);

		/* a new container's events are held that long (docs/AGENT.md §1, naming) */
		if (!e && (c->engine_timeout_ns < 100000000ULL ||
			   c->engine_timeout_ns > 60ULL * 1000000000ULL))
			return cfg_fail(p, v, "engine_timeout: from 100ms to 60s");
		return e;
	}
	if (!strcmp(key, "health_interval")) {
		int e = cfg_duration(p, v, key, &c->health_ns);

		if (!e && c->health_ns < 100000000ULL)
			return cfg_fail(p, v, "health_interval: at least 100ms");
		return e;
	}
	if (!strcmp(key, "sinks"))
		return cfg_strv(p, v, key, &c->sinks);
	if (!strcmp(key, "evidence"))
		return cfg_str(p, v, key, &c->evidence);
	if (!strcmp(key, "signatures"))
		return cfg_section(p, v, "signatures", sig_known, signatures_key, c);
	if (!strcmp(key, "exclude_cgroups"))
		return cfg_strv(p, v, key, &c->exclude_cgroups);
	if (!strcmp(key, "include_cgroups"))
		return cfg_strv(p, v, key, &c->include_cgroups);
	if (!strcmp(key, "disabled_rules"))
		return cfg_strv(p, v, key, &c->disabled_rules);
	if (!strcmp(key, "enabled_rules"))
		return cfg_strv(p, v, key, &c->enabled_rules);
	if (!strcmp(key, "bindings"))
		return agent_config__parse_bindings(p, c, v);
	if (!strcmp(key, "binding_files")) {
		struct strv files = { 0 };
		int err = cfg_strv(p, v, key, &files);

		for (size_t i = 0; !err && i < files.n; i++)
			err = agent_config__load_bindings(c, files.v[i], p->err);
		cfg_strv_free(&files);
		return err;
	}
	if (!strcmp(key, "workloads"))
		return agent_config__parse_workloads(p, c, v);
	if (!strcmp(key, "status_file"))
		return cfg_str(p, v, key, &c->status_file);
	if (!strcmp(key, "enforce_switch"))
		return cfg_str(p, v, key, &c->enforce_switch);
	if (!strcmp(key, "cockpit"))
		return agent_config__parse_cockpit(p, c, v);
	if (!strcmp(key, "metrics")) {
		static const char *const metrics_known[] = { "listen", NULL };
		int e = cfg_section(p, v, "metrics", metrics_known, metrics_key, &c->metrics);

		if (!e && !c->metrics.listen &&
		    !(c->metrics.listen = strdup(AGENT_METRICS_DEFAULT_LISTEN)))
			return -ENOMEM;
		return e;
	}
	if (!strcmp(key, "profile_max_bytes")) {
		const char *s = cfg_scalar(v);

		if (!s || vigil_parse_u64(s, &c->profile_max_bytes) < 0 ||
		    c->profile_max_bytes < 4096 || c->profile_max_bytes > (64ULL << 20))
			return cfg_fail(p, v,
					"profile_max_bytes: a number of bytes from 4096 to %llu",
					64ULL << 20);
		return 0;
	}
	if (!strcmp(key, "ring_buffer")) {
		/* the kernel wants a power of two of pages; 64 KiB holds a few hundred records */
		const char *s = cfg_scalar(v);
		uint64_t b;

		if (!s || vigil_parse_size(s, &b) < 0 || b < (64ULL << 10) || b > (256ULL << 20) ||
		    (b & (b - 1)))
			return cfg_fail(
				p, v,
				"ring_buffer: a power of two from 64KiB to 256MiB (1MiB, 4MiB)");
		c->ringbuf_bytes = b;
		return 0;
	}
	if (!strcmp(key, "kubernetes"))
		return cfg_section(p, v, "kubernetes", k8s_known, kubernetes_key, c);
	return -ENOENT;
}

static const char *const top_known[] = {
	"state_dir",	   "profiles_dir",	"scope",
	"learning",	   "cooldown",		"rescan",
	"sinks",	   "evidence",		"signatures",
	"exclude_cgroups", "include_cgroups",	"disabled_rules",
	"enabled_rules",   "bindings",		"binding_files",
	"workloads",	   "status_file",	"enforce_switch",
	"health_interval", "profile_max_bytes", "kubernetes",
	"cockpit",	   "metrics",		"burst_window",
	"ring_buffer",	   "engine_timeout",	NULL,
};

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
	if (!c->sinks.n && cfg_strv_push(&c->sinks, "stdout") < 0)
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
	struct cfg_parse p = { .err = err };
	yaml_node_t *root;
	int e = 0;

	if (!c)
		return -ENOMEM;
	c->learn = true;
	c->k8s_api = true;
	c->k8s_workload_profiles = true;
	c->learn_ns = 10ULL * 60 * 1000000000ULL;
	c->cooldown_ns = VIGIL_DETECT_DEFAULT_COOLDOWN_NS;
	c->burst_ns = UINT64_MAX; /* not set: follows the cooldown, below */
	c->rescan_ns = 2ULL * 1000000000ULL;
	c->engine_timeout_ns = 5ULL * 1000000000ULL;
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
		e = cfg_load_doc(&p, path);
		if (e)
			goto out;
		root = yaml_document_get_root_node(&p.doc);
		if (root && root->type != YAML_MAPPING_NODE)
			e = cfg_fail(&p, root, "expected a mapping of settings");
		else if (root)
			e = cfg_section(&p, root, NULL, top_known, top_key, c);
		yaml_document_delete(&p.doc);
		if (e)
			goto out;
	}
	/* cooldown 0 sends every alert: every alert of a burst too, unless a window is set */
	if (c->burst_ns == UINT64_MAX)
		c->burst_ns = c->cooldown_ns ? VIGIL_BURST_DEFAULT_WINDOW_NS : 0;
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
	cfg_strv_free(&c->sinks);
	free(c->evidence);
	free(c->trust_dir);
	free(c->sign_key);
	cfg_strv_free(&c->exclude_cgroups);
	cfg_strv_free(&c->include_cgroups);
	cfg_strv_free(&c->disabled_rules);
	cfg_strv_free(&c->enabled_rules);
	cfg_strv_free(&c->allow_rollback);
	for (size_t i = 0; i < c->nbindings; i++)
		agent_config__binding_free(&c->bindings[i]);
	free(c->bindings);
	for (size_t i = 0; i < c->ncommands; i++) {
		free(c->commands[i].name);
		cfg_strv_free(&c->commands[i].argv);
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
