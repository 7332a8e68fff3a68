/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent configuration as parsed (internal to sensor/agent). docs/AGENT.md is the
 * reference for the YAML file. Everything is owned by the struct vigil_agent_config.
 */
#ifndef VIGIL_AGENT_CONFIG_H
#define VIGIL_AGENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/agent.h"

#define AGENT_CONFIG_DEFAULT_PATH "/etc/vigil/agent.yaml"
#define AGENT_CONFIG_MAX_BYTES	  (1u << 20)
#define AGENT_CONFIG_MAX_ITEMS	  4096
/* Kubernetes stores an object in at most 1.5 MiB: 4 MiB holds any real profile, and parsing
 * costs about 15 times the file's size in memory (docs/AGENT.md §2). */
#define AGENT_PROFILE_MAX_BYTES_DEFAULT (4u << 20)

struct strv {
	char **v;
	size_t n;
};

/* A binding: every selector that is set must match; profile is a file name or path. */
struct agent_binding {
	char *profile;
	char *name;	      /* workload name (`-- CMD` name, container name) */
	char *container_name; /* container name only */
	char *image;	      /* image reference (podman/docker metadata) */
	char *label_key;      /* label KEY=VALUE */
	char *label_value;
	char *cgroup;			       /* fnmatch pattern on the cgroup2 path */
	uint32_t enforce_rules;		       /* enforce: VIGIL_ENFORCE_* bits (0: alerts only) */
	bool enforce_kill;		       /* enforce_mode: kill (default dry-run) */
	struct agent_rule_params *rule_params; /* rules: per-rule parameters (rule_params.h) */
	char *origin;			       /* FILE:LINE for messages */
};

/* A command the agent runs as its own workload (like `vigil watch -- CMD`). */
struct agent_command {
	char *name;
	struct strv argv;
	bool restart; /* run it again when it exits */
};

/* cockpit: the uplink (docs/AGENT.md §11); url NULL = none. */
struct agent_cockpit {
	char *url;
	char *token_file;      /* the node token; or: */
	char *join_token_file; /* enrol with it; the node token is kept in node_token_file */
	char *node_token_file; /* STATE_DIR/cockpit-node.token (not configurable) */
	char *ca_file;
	char *node_name; /* default: the host name */
	uint64_t heartbeat_ns;
	char *spool_dir; /* default STATE_DIR/cockpit-spool */
	uint64_t spool_max_bytes;
};

/* metrics: Prometheus text on http://LISTEN/metrics; listen NULL = off. */
struct agent_metrics {
	char *listen;
};

enum agent_scope {
	AGENT_SCOPE_CONTAINERS = 0, /* containers and the agent's own commands */
	AGENT_SCOPE_ALL,	    /* every cgroup except the excluded ones */
};

struct vigil_agent_config {
	char *path; /* the file it came from, "" for built-in defaults */
	char *state_dir;
	char *profiles_dir;
	enum agent_scope scope;
	bool learn;
	uint64_t learn_ns;
	bool learn_per_exe; /* learning.per_executable: byExecutable sections (docs/PROFILES.md) */
	uint64_t cooldown_ns; /* 0 = no cooldown */
	uint64_t burst_ns;    /* burst_window: 0 = every alert on its own (vigil/burst.h) */
	uint64_t rescan_ns;   /* container discovery period */
	/* a new container's engine question, from its discovery (naming.c) */
	uint64_t engine_timeout_ns;
	uint64_t health_ns; /* health check period (V0001, V0002), default 10 s */
	struct strv sinks;
	char *evidence;
	bool require_signatures;
	bool accept_foreign; /* signatures.accept_foreign: the k8sstormcenter scheme counts as valid */
	char *trust_dir;
	char *sign_key;		     /* signs learned profiles when set */
	struct strv allow_rollback;  /* profile names whose older signed version may come back */
	int sig_line, sig_col;	     /* where signatures.required was set (for messages) */
	uint64_t checkpoint_ns;	     /* learning checkpoint period, 0 = none */
	uint64_t profile_max_bytes;  /* a profile file larger than this is not read */
	uint64_t ringbuf_bytes;	     /* the sensor's ring buffer; 0 = the sensor's default */
	struct strv include_cgroups; /* empty = all */
	struct strv exclude_cgroups;
	struct strv enabled_rules; /* rules Kubescape ships off, turned on ("all": every rule) */
	struct strv disabled_rules;
	struct agent_binding *bindings;
	size_t nbindings;
	struct agent_command *commands;
	size_t ncommands;
	char *status_file; /* JSON stats written periodically, "" = none, default STATE_DIR/status.json */
	char *enforce_switch; /* while this file exists nothing is killed (/run/vigil/enforce-off) */
	struct agent_cockpit cockpit;
	struct agent_metrics metrics;
	/* kubernetes: (docs/KUBERNETES.md) */
	char *k8s_host_root;	/* the node's root as the agent sees it, default /proc/1/root */
	char *k8s_profiles_dir; /* read-only cluster profiles (a ConfigMap), "" = none */
	char *k8s_node_name;	/* default $VIGIL_NODE_NAME, else the host name */
	char *k8s_api_url;	/* "" = https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT */
	char *k8s_containerd_state; /* another containerd state directory, "" = none */
	char *k8s_sa_dir; /* service account: token, ca.crt (/var/run/secrets/kubernetes.io/...) */
	bool k8s_api;	  /* api_server: auto (default) = use it when in a cluster */
	bool k8s_workload_profiles; /* pods of one controller share a profile (default true) */
};

#define AGENT_METRICS_DEFAULT_LISTEN "127.0.0.1:9464"
#define AGENT_SPOOL_DEFAULT_MAX	     (64ull << 20)
#define AGENT_SPOOL_MIN		     (1ull << 20)

/* A node name as the cockpit takes it: 1..253 of [A-Za-z0-9._-], not starting with . or -. */
bool agent_config__node_name_ok(const char *name);

/* Loads YAML bindings (a list, or a map with key "bindings") from a file into c. */
int agent_config__load_bindings(struct vigil_agent_config *c, const char *file,
				struct vigil_error *err);

/*
 * With signatures required and a signing key: the key's public half must be a trusted signer
 * (else what the agent signs is refused after a restart). 0 when it is, or nothing to check.
 */
int agent_config__check_signing(const struct vigil_agent_config *c, struct vigil_error *err);

#endif
