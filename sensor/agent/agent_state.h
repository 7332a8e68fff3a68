/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's state and the functions its files share; private to sensor/agent/. By concern:
 *   agent.c       open, close and the main loop
 *   profiles.c    the profile store: files watched (inotify, stat identity), reloaded, bound
 *   signatures.c  signature checks of a profile read (R1016) and signing of a learned one
 *   workloads.c   the workload state machine: learning -> detecting / unprotected / ignored
 *   discovery.c   where workloads come from (containers, own commands) and which profile
 *                 binds each one; reaping the gone
 *   naming.c      a new container while its engine is asked who it is: its events held
 *   meta_late.c   a container its engine did not describe in time: asked again
 *   health.c      V0001 / V0002 / V0003 health alerts and the status file
 *   trust.c       the trust directory watched; every profile in force verified again when it
 *                 changes
 *   recovery.c    after a crash: temporary files removed, commands a dead agent started ended
 *   checkpoint.c  learning checkpoints: written periodically, continued after a restart
 *   cockpit.c     the uplink: alerts, reports, profiles and the heartbeat to the cockpit
 *   metrics.c     the Prometheus /metrics page
 */
#ifndef VIGIL_AGENT_STATE_H
#define VIGIL_AGENT_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "sensor/agent/config.h"
#include "util/clock.h"
#include "vigil/kallow.h"
#include "sensor/agent/identity.h"
#include "sensor/agent/meta.h"
#include "sensor/agent/rtinit.h"
#include "vigil/agent.h"
#include "vigil/alert.h"
#include "vigil/detect.h"
#include "vigil/learn.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"
#include "vigil/sign.h"

#define MAX_WORKLOADS  4096
#define MAX_STORED     1024
#define MAX_WATCHES    64
#define POLL_MS	       100
#define NAMING_POLL_MS 10 /* while a container is being named (naming.c) */
#define DRAIN_NS       (300ULL * 1000000ULL)

enum wl_state {
	WL_LEARNING = 1,
	WL_DETECTING,	/* bound to a profile */
	WL_UNPROTECTED, /* its profile is not usable and there is no last good one */
	WL_IGNORED,	/* agent_excluded, or learning is off and nothing binds it */
	WL_NAMING,	/* a container whose engine is being asked (naming.c): events held */
};

struct stored {
	char *file;
	struct vigil_profile *good; /* last good: verified (or not required to be) */
	char digest[80];	    /* of good */
	char signer[VIGIL_SIGN_NAME_MAX + 1];
	char self_digest[80]; /* what the agent itself last wrote there */
	bool refused;	      /* the file as last read is not in force (bad, or not trusted) */
	/* identity of the file last read: a change inotify cannot see (a ConfigMap's symlink
	 * swap, a bind mount) is found by comparing it */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
};

struct wl {
	uint64_t cgroup_id;
	char name[128];
	char cgroup[512];
	char container_id[VIGIL_CONTAINER_ID_LEN + 1];
	enum wl_state state;
	struct vigil_learner *l;
	uint64_t learn_end;	 /* monotonic */
	uint64_t learn_start;	 /* monotonic, when this agent began learning it */
	uint64_t learned_before; /* ns learned by an earlier agent (from a checkpoint) */
	uint64_t drops0;
	bool partial;
	struct stored *profile;
	int cmd;	    /* index into config commands, -1 when not ours */
	pid_t pid;	    /* ours: the command's pid, 0 once reaped */
	uint64_t exited_at; /* monotonic, ours only */
	bool gone;
	struct vigil_container_meta meta; /* containers: from the engine, once */
	bool has_meta;
	bool meta_asked; /* the engine was asked (has_meta says whether it answered) */
	/* the engine did not answer in time (a loaded node): asked again from the rescan until
	 * meta_give_up (monotonic), so a binding by label or image is not lost (meta_late.c);
	 * meta_q is the question in flight */
	uint64_t meta_retry_at, meta_give_up;
	struct vigil_meta_query *meta_q;
	/* naming (naming.c): the first question, its bound (monotonic), the events held */
	struct vigil_meta_query *name_q;
	bool name_docker; /* name_q asks docker (podman did not know the container) */
	bool naming_complete;
	uint64_t naming_deadline;
	struct held *held, *held_tail;
	size_t nheld, held_bytes;
	uint64_t held_dropped;
	uint64_t alerts;	  /* raised on its events */
	char sent_digest[80];	  /* the profile in force last sent to the cockpit */
	struct agent_identity id; /* Kubernetes pod identity (id.k8s false otherwise) */
	struct agent_rtinit
		rtinit; /* the runtime's start-up in the container: not the workload's */
	/* a replica learning into another replica's learner (same profile): the one that owns it */
	struct wl *lead;
	/* enforcement asked by its binding (docs/ENFORCEMENT.md), and whether it is in force */
	uint32_t enforce_rules;
	bool enforce_kill;
	/* its binding's per-rule parameters (owned by the configuration), NULL when none */
	const struct agent_rule_params *rule_params;
	bool enforcing;
	bool kallow;		      /* its allow sets are in the kernel (kallow.c) */
	struct vigil_kallow_count kc; /* what of its profile they hold */
	int kc_err;		      /* loading them: 0 or -errno */
	/* enforcing R0010 in a container: its own root's sensitive files are in the kernel by
	 * identity (kallow.c), or when to look again for a process that has that root */
	bool root_known;
	uint64_t root_next; /* monotonic */
};

#define AGENT_MAX_RULES 128 /* distinct rule ids counted for metrics */

struct vigil_uplink;
struct vigil_metrics_server;

struct agent {
	const struct vigil_agent_config *c;
	struct vigil_sensor *s;
	struct vigil_detector *d;
	struct vigil_alerts *alerts;
	struct vigil_trust *trust;
	struct vigil_sign_key *key;
	struct wl *wl[MAX_WORKLOADS];
	size_t nwl;
	struct stored *stored[MAX_STORED];
	size_t nstored;
	int ino;
	struct {
		int wd;
		char *dir;
	} watches[MAX_WATCHES];
	size_t nwatches;
	struct vigil_evidence *evidence; /* NULL when no store is configured */
	struct vigil_alert_pipe pipe;	 /* alerts raised: evidence, then sinks */
	char self_cgroup[512];		 /* the agent's own cgroup2 path */
	bool enforce_off;		 /* the node-wide switch as last applied */
	struct wl *last;		 /* wl_find's last hit */
	char cg_root[PATH_MAX];
	struct vigil_sensor_status drops_seen; /* sensor drop counters at the last health check */
	uint64_t health_alerts;		       /* V0001 and V0002 emitted */
	time_t started;
	int lock_fd; /* STATE_DIR/agent.lock, held while running: one agent per state directory */
	/* replay protection: versions accepted per document and signer, kept in versions_path */
	struct vigil_sign_versions *versions;
	char versions_path[PATH_MAX];
	int trust_wd;	      /* inotify watch of the trust directory, -1 when none */
	bool trust_dirty;     /* inotify said the trust directory changed */
	char trust_stamp[80]; /* vigil_trust__dir_stamp when the trust set was loaded */
	uint64_t next_checkpoint;
	bool hook_stop_before_rename; /* VIGIL_TEST_HOOKS=stop-before-rename (tests only) */
	struct agent_api *api;	      /* the API server's pods of this node; NULL when not used */
	struct vigil_uplink *uplink;  /* NULL without a cockpit */
	uint64_t next_heartbeat;      /* monotonic */
	int cockpit_state;	      /* last logged: 0 unknown, 1 connected, -1 not */
	struct vigil_metrics_server *metrics; /* NULL without metrics */
	uint64_t next_metrics;		      /* monotonic */
	struct {
		char rule[16];
		uint64_t n;
	} rules[AGENT_MAX_RULES]; /* alerts raised per rule id */
	size_t nrules;
	/* container parents watched so new containers are seen from their first instruction */
	char parents[16][128];
	size_t nparents;
	const char *scan_below; /* a discovery limited to one new parent, NULL = everywhere */
	struct {
		size_t now;	       /* containers being named */
		size_t held_bytes;     /* held now, all of them */
		uint64_t held_total;   /* events ever held */
		uint64_t replayed;     /* held events judged after the answer (or the timeout) */
		uint64_t dropped;      /* events that did not fit (V0002) */
		uint64_t dropped_seen; /* at the last health check */
		uint64_t answered, timeouts;
	} naming;
};

/* agent.c */
uint64_t agent_mono_ns(void);
/* The agent is a program: it reports once per fact, on stderr ("vigil: agent: ..."). */
void agent_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* profiles.c */
void agent_watch_dir_of(struct agent *a, const char *file);
struct stored *agent_stored_find(struct agent *a, const char *file);
/* Frees the stored profiles no workload in the table uses (after a reap). */
void agent_stored_release_unused(struct agent *a);
/* The stored entry of file, created (read, verified, watched) on first use; NULL when full. */
struct stored *agent_stored_get(struct agent *a, const char *file);
/* Binds (or rebinds) a workload to its stored profile's good version. */
void agent_wl_bind(struct agent *a, struct wl *w);
/* enforce.c: the kernel's enforcement for a bound workload (after agent_wl_bind), or none. */
void agent_wl_enforce(struct agent *a, struct wl *w);
/* kallow.c: the bound profile's opens and egress into the kernel's allow sets, or out */
void agent_wl_kallow(struct agent *a, struct wl *w);
void agent_wl_unkallow(struct agent *a, struct wl *w);
/* Each loop: the container roots' sensitive files of workloads enforcing R0010, once known. */
void agent_kallow_roots(struct agent *a, uint64_t now);
/*
 * kallow.c: the process listed in procs (a cgroup.procs) whose root to read as its container's:
 * never one whose root is the agent's or host_root's (a DaemonSet agent sees the node's root
 * there; runc:[2:INIT] has it until its pivot_root) nor a runtime's (runc, crun, conmon, a
 * shim); the container's init (NSpid ending in 1) first, else the oldest (a chrooted process
 * the workload started later is no container root). 0 when none has the container's root yet.
 */
int agent_root_pid(const char *procs, const char *host_root);
void agent_wl_unenforce(struct agent *a, struct wl *w);
/* The node-wide switch file, applied when it changed (every loop). */
void agent_enforce_switch(struct agent *a);
void agent_adopt_profile(struct agent *a, struct wl *w, const char *file);
void agent_poll_profiles(struct agent *a);
void agent_read_inotify(struct agent *a);
/* A profile file changed (or must be read again): reload it and rebind its workloads. */
void agent_profile_changed(struct agent *a, const char *file);

/* signatures.c */
/* R1016 for every workload bound to st (or once without one). */
void agent_raise_r1016(struct agent *a, struct stored *st, const char *reason, const char *msg);
/* When signatures are required, checks every document of p (read from st->file, digest
 * given): true when p may be used (signer copied into signer), false after logging and
 * raising R1016. */
bool agent_verify_profile(struct agent *a, struct stored *st, const struct vigil_profile *p,
			  const char *digest, char *signer, size_t signer_size);
/* Signs every document of a learned profile with the agent's key, when it has one. */
void agent_sign_profile(struct agent *a, struct vigil_profile *p);
/* Loads STATE_DIR/profile-versions.json (the versions accepted before a restart). */
int agent_versions_open(struct agent *a, struct vigil_error *err);

/* trust.c */
/* Watches the trust directory (signatures required) and notes its stamp. */
void agent_trust_watch(struct agent *a);
/* Whether an inotify watch descriptor is the trust directory's (then it is marked dirty). */
bool agent_trust_event(struct agent *a, int wd);
/* When the trust directory changed (inotify, or its stamp when polled is true): load it
 * again and verify again every profile in force. */
void agent_trust_check(struct agent *a, bool polled);

/* recovery.c */
/* Removes temporary files of atomic writes a crash cut short (profiles and state dirs). */
void agent_remove_stale_tmp(struct agent *a);
/* Ends the commands an earlier agent with this state directory started and left running. */
void agent_end_leftover_commands(struct agent *a);
/* Records (before it runs) / forgets a command the agent started, by its cgroup id. */
int agent_record_command(struct agent *a, const char *name, uint64_t cgroup_id);
void agent_forget_command(struct agent *a, const char *name);

/* checkpoint.c */
/* Writes p to path atomically (the test hook applies). */
int agent_write_profile(struct agent *a, const struct vigil_profile *p, const char *path,
			struct vigil_error *err);
/* Every learning.checkpoint: what each workload learned so far, to STATE_DIR/learning/. */
void agent_checkpoint_learning(struct agent *a, uint64_t now, bool force);
/* A new learning workload: continue from its checkpoint when there is one. */
void agent_resume_learning(struct agent *a, struct wl *w);
/* Learning ended (profile written): its checkpoint is not needed any more. */
void agent_drop_checkpoint(struct agent *a, const struct wl *w);

/* workloads.c */
void agent_wl_as_workload(const struct wl *w, struct vigil_workload *out);
struct wl *agent_wl_find(struct agent *a, uint64_t cgroup_id);
struct wl *agent_wl_new(struct agent *a, uint64_t cgroup_id, const char *name, const char *cgroup,
			const char *container_id, int cmd, bool complete,
			struct vigil_container_meta *meta, int meta_err);
void agent_finish_learning(struct agent *a, struct wl *w);
void agent_check_learning(struct agent *a, uint64_t now);
int agent_on_event(const struct vigil_event *ev, void *ctx);
/* One event of w through what w is now (learning, detecting); -ENOMEM or 0. */
int agent_judge(struct agent *a, struct wl *w, const struct vigil_event *ev);
/* A new workload (or one its engine just named) becomes what binds it, learns, or is ignored;
 * complete: watched from its start. */
void agent_wl_settle(struct agent *a, struct wl *w, bool complete);
const char *agent_state_name(enum wl_state st);
uint64_t agent_total_drops(struct agent *a);

/* naming.c: a new container while its engine is asked (the loop never waits for it) */
struct held;
void agent_naming_start(struct agent *a, struct wl *w, bool complete);
/* Holds a copy of ev until w is named (bounded: what does not fit is counted, dropped). */
int agent_naming_hold(struct agent *a, struct wl *w, const struct vigil_event *ev);
/* Every loop: answers read, held events judged, timeouts given up, questions started. */
void agent_naming_poll(struct agent *a);
/* w leaves: its question and held events go (held events unjudged). */
void agent_naming_forget(struct agent *a, struct wl *w);
/* The status file's "naming" object (new reference). */
json_t *agent_naming_status(const struct agent *a);

/* meta_late.c: a container its engine did not describe in time */
void agent_meta_late(struct agent *a, struct wl *w, int err);
void agent_meta_retry(struct agent *a, uint64_t now);
/* whether w waits for its engine's answer; forget: stop waiting (w leaves) */
bool agent_meta_pending(const struct wl *w);
void agent_meta_forget(struct wl *w);
/* The labels w's engine described that were dropped (meta_parse.c), each said in the log once,
 * with w's name. */
void agent_meta_warnings(struct wl *w);
/* workloads.c: binds a learning or unbound workload to the profile file that now binds it */
void agent_wl_rebind(struct agent *a, struct wl *w, const char *file);

/* discovery.c */
bool agent_excluded(const struct agent *a, const char *cgroup);
bool agent_find_binding(struct agent *a, struct wl *w, char *file, size_t size);
void agent_learned_path(const struct agent *a, const struct wl *w, char *buf, size_t size);
int agent_on_container(const char *rel, const char *id, void *ctx);
/* A container workload (engine metadata, pod identity); complete: seen from its start. */
struct wl *agent_new_container(struct agent *a, uint64_t cg, const char *cgroup, const char *id,
			       bool complete);
int agent_spawn_command(struct agent *a, size_t i);
void agent_reap_commands(struct agent *a, uint64_t now);
void agent_reap_containers(struct agent *a);
/* Watches the cgroups where runtimes make containers (kubepods, libpod_parent, ...) so a new
 * container's events arrive from its first instruction (docs/KUBERNETES.md §4). */
void agent_watch_parents(struct agent *a);
/* Whether cgroup is below one of the watched parents. */
bool agent_under_parent(const struct agent *a, const char *cgroup);
/* The agent's own cgroup2 path from /proc/self/cgroup into a->self_cgroup. */
void agent_find_self_cgroup(struct agent *a);

/* health.c */
/*
 * An alert not raised by the detector (health: V0001, V0002, V0003) goes out here: given an
 * alert_id, counted by rule, handed to every sink and to the cockpit.
 */
void agent_deliver(struct agent *a, json_t *alert);
/* The alert pipeline's tap (struct vigil_alert_pipe): counts the alert by workload and rule
 * and hands it to the cockpit. */
void agent_on_alert(const struct vigil_alert *al, json_t *j, void *ctx);
void agent_health_check(struct agent *a);
void agent_write_status(struct agent *a);

/* cockpit.c */
int agent_cockpit_open(struct agent *a, struct vigil_error *err);
void agent_cockpit_close(struct agent *a);
/* The heartbeat when it is due; logs when the cockpit is reached or lost. */
void agent_cockpit_tick(struct agent *a, uint64_t now);
/* Sends w's profile (kind "learned" or "in_force") when it was not sent yet. */
void agent_cockpit_profile(struct agent *a, struct wl *w, const char *kind);
/* The uplink's counters for the status file (new reference; null without a cockpit). */
json_t *agent_cockpit_status(struct agent *a);

/* metrics.c */
int agent_metrics_open(struct agent *a, struct vigil_error *err);
void agent_metrics_tick(struct agent *a, uint64_t now);
void agent_metrics_close(struct agent *a);

#endif
