/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node agent (`vigil agent`) and the building blocks `vigil learn` and `vigil watch` share:
 * running a command as its own workload under the sensor, writing profiles atomically, the
 * agent's configuration (docs/AGENT.md) and its main loop.
 */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vigil/error.h"
#include "vigil/sensor.h"

struct vigil_profile;

/* ---- one command as a workload (learn, watch) ------------------------------------------ */

struct vigil_run {
	uint64_t duration_ns; /* stop the command after this long; 0 = until it exits */
	uint64_t grace_ns;    /* after SIGTERM, SIGKILL after this long (0 = 2 s) */
	/* called once the workload exists and before any of its events is handled */
	int (*on_spawn)(uint64_t cgroup_id, void *ctx);
	vigil_event_cb on_event;    /* every event of the workload (others are ignored) */
	void (*on_tick)(void *ctx); /* after each poll (at least every 50 ms); may be NULL */
	void *ctx;
	volatile sig_atomic_t *stop; /* set by a signal handler: end early (may be NULL) */
};

/*
 * Spawns argv as workload `name` under the sensor and feeds its events to run->on_event until
 * the command exits (then drains what is still in flight), the duration passes (then the
 * workload gets SIGTERM, then SIGKILL), or *stop is set. *ret_status gets the command's exit
 * status (128 + signal when killed). *ret_cgroup_id the workload's cgroup (still valid: call
 * vigil_sensor__spawn_cleanup when done with it). Returns 0 or a negative errno (err filled).
 */
int vigil_run_workload(struct vigil_sensor *s, char *const argv[], const char *name,
		       const struct vigil_run *run, int *ret_status, uint64_t *ret_cgroup_id,
		       struct vigil_error *err);

/* Emits p as YAML and writes it atomically to path. */
int vigil_profile_write_atomic(const struct vigil_profile *p, const char *path,
			       struct vigil_error *err);

/* Syscall numbers covered by the kernel bitmaps (x86_64 has fewer than 512). */
#define VIGIL_SYSCALL_BITS 512

struct vigil_learner;
/*
 * Adds to l what the kernel accumulated for the workload outside events: the syscalls and the
 * io_uring opcodes it used (vigil_sensor__syscalls, vigil_sensor__iouring_ops).
 */
int vigil_learn_kernel_sets(struct vigil_sensor *s, struct vigil_learner *l, uint64_t cgroup_id);

/*
 * Finds the cgroup2 mount point (from /proc/self/mountinfo) into buf. 0 or -ENOENT.
 */
int vigil_cgroup2_mount(char *buf, size_t size);
/*
 * Calls fn for every container cgroup under the cgroup2 mount (podman libpod-ID, docker-ID.scope,
 * cri-containerd-ID.scope, crio-ID.scope, and plain 64-hex directories as made by containerd
 * and Kubernetes): rel is the path relative to the cgroup2 root, id the 64-hex container id.
 * A negative return from fn stops the walk and is returned.
 */
int vigil_find_containers(int (*fn)(const char *rel, const char *id, void *ctx), void *ctx);

/* ---- evidence (zoom + store) ------------------------------------------------------------ */

struct json_t;
struct vigil_evidence;

/*
 * Opens the evidence store named by spec (sqlite:PATH, clickhouse:URL) and a zoom instance
 * that turns deeper capture on through s. *ret is owned by the caller (vigil_evidence__close).
 */
int vigil_evidence__open(const char *spec, struct vigil_sensor *s, struct vigil_evidence **ret,
			 struct vigil_error *err);
/* Every event of a watched workload (the recorder ring). e may be NULL (no evidence). */
void vigil_evidence__event(struct vigil_evidence *e, const struct vigil_event *ev);
/* An alert raised on ev, before it is emitted: opens or extends an incident and writes
 * "incident_id" into alert. e may be NULL. */
void vigil_evidence__alert(struct vigil_evidence *e, const struct vigil_event *ev,
			   struct json_t *alert);
/*
 * Also hands every report written to the store to fn (the cockpit uplink): when an incident
 * closes, and for open ones at close. The report is valid during the call. e may be NULL.
 */
typedef void (*vigil_evidence_report_fn)(void *ctx, const struct json_t *report, bool closed);
void vigil_evidence__set_report_cb(struct vigil_evidence *e, vigil_evidence_report_fn fn,
				   void *ctx);
/* Closes incidents whose window passed. */
void vigil_evidence__tick(struct vigil_evidence *e);
/* Counters of the recorder, incidents and store as a new JSON object (NULL for e NULL or out
 * of memory); the caller owns the reference. */
struct json_t *vigil_evidence__stats_json(const struct vigil_evidence *e);
/* Reports open incidents, writes everything, frees. Accepts NULL. */
int vigil_evidence__close(struct vigil_evidence *e, struct vigil_error *err);

/* ---- the alert pipeline ------------------------------------------------------------------ */

struct vigil_alert;
struct vigil_alerts;

/*
 * One fan-out for every alert raised, in the agent and in `vigil watch`: the alert is encoded
 * once (vigil_alert__json), given to the evidence with the event that raised it (an incident
 * opens; "incident_id" is added), then to every sink. The caller fills the members.
 */
struct vigil_alert_pipe {
	struct vigil_alerts *sinks;	 /* required */
	struct vigil_evidence *evidence; /* NULL without a store */
	uint64_t raised;		 /* alerts that went through */
	/*
	 * Optional: called last with the alert and its JSON (alert_id and incident_id set), e.g.
	 * the agent counts it and hands it to its cockpit uplink. Must not keep alert's pointers.
	 */
	void (*tap)(const struct vigil_alert *a, struct json_t *j, void *ctx);
	void *tap_ctx;
	/*
	 * Optional: bursts (vigil/burst.h): the first alert of a burst goes out at once, the
	 * rest of its window as one summary, sent by vigil_alert_pipe__tick. NULL = every
	 * alert goes out on its own. The caller owns it.
	 */
	struct vigil_bursts *bursts;
};

/* A vigil_alert_fn (vigil/detect.h): ctx is a struct vigil_alert_pipe. The alert gets its
 * alert_id here, before the evidence keeps a copy, so the incident report, every sink and the
 * cockpit name it alike. A sink failure is counted in the sink's stats, not returned:
 * detection goes on. -ENOMEM. */
int vigil_alert_pipe__emit(const struct vigil_alert *a, void *ctx);
/* Sends the burst summaries whose window closed by now (CLOCK_REALTIME). Call it about once a
 * second. Returns how many, or -ENOMEM. */
int vigil_alert_pipe__tick(struct vigil_alert_pipe *p);
/* Sends every pending burst summary (before exit). Returns how many, or -ENOMEM. */
int vigil_alert_pipe__flush(struct vigil_alert_pipe *p);

/* ---- the agent ------------------------------------------------------------------------- */

struct vigil_agent_config;

/*
 * Loads the agent configuration (YAML, docs/AGENT.md). path NULL = /etc/vigil/agent.yaml when
 * it exists, else the built-in defaults. *ret is owned by the caller.
 */
int vigil_agent_config__load(const char *path, struct vigil_agent_config **ret,
			     struct vigil_error *err);
void vigil_agent_config__free(struct vigil_agent_config *c);
/* Where the agent writes its status (status_file; "" = none). Owned by c. */
const char *vigil_agent_config__status_file(const struct vigil_agent_config *c);
/*
 * What `vigil agent --check` adds to parsing: the places the agent will write (state
 * directory, file sinks) and read (trust directory, signing key) are reachable. Connects to
 * nothing and creates nothing.
 */
int vigil_agent_config__check_paths(const struct vigil_agent_config *c, struct vigil_error *err);

/* Runs the agent until *stop is set; flushes sinks and returns 0, or a negative errno. */
int vigil_agent__run(const struct vigil_agent_config *c, volatile sig_atomic_t *stop,
		     struct vigil_error *err);
/*
 * vigil_agent__run, and whenever *reopen is set (by a SIGHUP handler; may be NULL) the agent
 * clears it and reopens its file sinks (logrotate).
 */
int vigil_agent__run_reopen(const struct vigil_agent_config *c, volatile sig_atomic_t *stop,
			    volatile sig_atomic_t *reopen, struct vigil_error *err);

#endif
