/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sensor: loads and attaches the eBPF programs, reads the ring buffer, keeps the bounded
 * process and workload tables, and hands decoded struct vigil_event records to a callback.
 * Consumers (trace, learn, detect, zoom) only see this interface and vigil/event.h.
 *
 * Lifecycle: vigil_sensor__open (probe hooks, load, attach; hooks that fail are reported in
 * the status and the rest keep working) -> vigil_sensor__poll in a loop -> vigil_sensor__free.
 * Not thread-safe: one thread polls and configures.
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vigil/error.h"
#include "vigil/event.h"

struct vigil_sensor;

enum vigil_sensor_scope {
	VIGIL_SCOPE_ALL = 0,	  /* every workload on the node except excluded cgroups */
	VIGIL_SCOPE_SELECTED = 1, /* only cgroups added with vigil_sensor__watch_cgroup */
};

struct vigil_sensor_opts {
	enum vigil_sensor_scope scope;
	uint64_t kinds; /* bit (1 << kind) per enum vigil_event_kind; 0 = all */
	bool dedup;	/* kernel de-duplication of repeats (default on in agent/learn) */
	/* how long a de-duplicated record stays a repeat after it was sent: the detector's
	 * cooldown, so a repeat after it alerts again (0: until evicted; learn, trace). The set
	 * kinds (capability, syscall outside the allow set) stay quiet 1 s at least. */
	uint64_t dedup_ttl_ns;
	size_t ringbuf_bytes;  /* 0 = default (4 MiB) */
	size_t max_processes;  /* process table bound (LRU), 0 = default 32 768 */
	size_t max_workloads;  /* workload table bound (LRU), 0 = default 4 096 */
	uint16_t dns_port;     /* DNS traffic is UDP to port 53 and, when not 0, this port too */
	uint32_t rate_per_sec; /* records per second per workload (rate limit), 0 = 20 000 */
};

typedef int (*vigil_event_cb)(const struct vigil_event *ev, void *ctx);

/* NULL opts = defaults. On failure returns a negative errno and explains in err what to do
 * (not root, no BTF, lockdown, tracefs missing...). */
int vigil_sensor__open(const struct vigil_sensor_opts *opts, struct vigil_sensor **ret,
		       struct vigil_error *err);
void vigil_sensor__free(struct vigil_sensor *s);

/* Waits up to timeout_ms for events and calls cb for each. Returns events handled or -errno.
 * A non-zero return from cb stops the current batch and is returned. */
int vigil_sensor__poll(struct vigil_sensor *s, int timeout_ms, vigil_event_cb cb, void *ctx);

/*
 * Runs argv as its own workload: a fresh cgroup2 directory (its cgroup id is returned) that is
 * watched before the program execs, so its first instruction is observed. The child starts
 * stopped until the cgroup is set up. Returns the pid or -errno.
 */
pid_t vigil_sensor__spawn(struct vigil_sensor *s, char *const argv[], const char *name,
			  uint64_t *ret_cgroup_id, struct vigil_error *err);
/*
 * Like vigil_sensor__spawn, and calls setup(cgroup_id, ctx) after the cgroup is watched and
 * before the program runs, so per-workload state (a syscall allow set, zoom) applies from its
 * first instruction. A negative return from setup ends the child and is returned.
 */
typedef int (*vigil_spawn_setup_cb)(uint64_t cgroup_id, void *ctx);
pid_t vigil_sensor__spawn_with(struct vigil_sensor *s, char *const argv[], const char *name,
			       vigil_spawn_setup_cb setup, void *ctx, uint64_t *ret_cgroup_id,
			       struct vigil_error *err);
/* Removes the cgroup made by spawn once its processes are gone (ending any that remain). */
int vigil_sensor__spawn_cleanup(struct vigil_sensor *s, uint64_t cgroup_id);

/* Start/stop watching a cgroup (by id or cgroup2 path relative to the cgroup2 mount). */
int vigil_sensor__watch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id);
int vigil_sensor__unwatch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id);
/* Forgets the table entries of cgroups that no longer exist (seen through a watched parent,
 * never watched themselves, or named by a record read after their unwatch); how many. */
size_t vigil_sensor__forget_gone_workloads(struct vigil_sensor *s);
/* Path relative to the cgroup2 mount, or an absolute path under /sys/fs/cgroup. */
int vigil_sensor__cgroup_id(const char *cgroup_path, uint64_t *ret_id);
/*
 * The network namespace of process pid is the workload's (unless it is the host's): a TCP
 * connection opened in it by a process outside every workload is the workload's NETNS_CONNECT
 * (a port forward). The kernel notes it at each exec; call this for the processes a workload
 * had before the sensor. 1 noted, 0 the host's namespace, -errno (-ESRCH: no such process;
 * -ENOSPC: the agent's share of the map, one per watched cgroup, is full: counted as a table
 * drop). Unwatching the workload removes its entries.
 */
int vigil_sensor__note_netns(struct vigil_sensor *s, uint64_t cgroup_id, int pid);
/* SCOPE_ALL: stop watching a cgroup and everything below it. */
int vigil_sensor__exclude_cgroup(struct vigil_sensor *s, uint64_t cgroup_id);

/*
 * Detection mode for a workload: the syscall numbers it may use (bitmap of nbits bits). After
 * this the kernel sends a SYSCALL event only for a syscall outside the set; before it, the
 * kernel learns the set in a per-workload bitmap (read with vigil_sensor__syscalls).
 */
int vigil_sensor__set_syscall_allow(struct vigil_sensor *s, uint64_t cgroup_id,
				    const uint64_t *bitmap, size_t nbits);
/* The syscalls a workload has used so far (bitmap, nbits bits). */
int vigil_sensor__syscalls(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t *bitmap,
			   size_t nbits);
/* The io_uring opcodes a workload has submitted so far (bitmap of 256 bits). */
int vigil_sensor__iouring_ops(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t bitmap[4]);

/*
 * Zoom: deeper capture for one workload (payload samples, every connection, file reads...).
 * Zoom off also forgets the workload's de-duplication state: what it does after an incident
 * closed reaches user space again (its cooldown decides what is a repeat).
 */
int vigil_sensor__set_zoom(struct vigil_sensor *s, uint64_t cgroup_id, bool on);

/*
 * Enforcement (docs/ENFORCEMENT.md): the exec hook acts on a workload's forbidden programs in
 * the kernel. rules: VIGIL_ENFORCE_* bits; kill false = dry-run (the record says would-kill);
 * at most max_kills per window_ns, then alert only (0 = defaults: 10 per 60 s).
 */
#define VIGIL_ENFORCE_EXEC   (1u << 0) /* R0001: a path not in the exec allow set */
#define VIGIL_ENFORCE_UPPER  (1u << 1) /* R1001: not allowed and on an overlayfs upper layer */
#define VIGIL_ENFORCE_MEMFD  (1u << 2) /* R1005: a memfd (fileless) */
#define VIGIL_ENFORCE_DEVSHM (1u << 3) /* R1000: below /dev/shm */
/* at the open's exit, connect/sendto/sendmsg's entry, io_uring submission: with the
 * workload's open and egress allow sets loaded (vigil_sensor__load_kallow) */
#define VIGIL_ENFORCE_SENSITIVE (1u << 4) /* R0010: a sensitive file the profile does not open */
#define VIGIL_ENFORCE_TOKEN	(1u << 5) /* R0006: a service-account token, likewise */
#define VIGIL_ENFORCE_EGRESS	(1u << 6) /* R0011: a peer not in the profile's egress */
#define VIGIL_ENFORCE_IOURING	(1u << 7) /* R1030: an io_uring operation not in the profile */
#define VIGIL_ENFORCE_OPENS	(VIGIL_ENFORCE_SENSITIVE | VIGIL_ENFORCE_TOKEN)
struct vigil_enforce {
	uint32_t rules;
	bool kill;
	uint32_t max_kills;
	uint64_t window_ns;
	uint64_t uring_allow[4]; /* VIGIL_ENFORCE_IOURING: the opcodes allowed (bit per opcode) */
};
/* The VIGIL_ENFORCE_* bit of a rule id ("R0001"); 0 when the kernel cannot enforce it. */
uint32_t vigil_sensor__enforce_rule(const char *rule_id);
/* "R0001, R1000, R1001, R1005": the rules vigil_sensor__enforce_rule knows, for messages. */
#define VIGIL_ENFORCE_RULE_LIST "R0001, R1000, R1001, R1005, R0010, R0006, R0011, R1030"
/* Sets (enf != NULL) or removes a workload's enforcement; removing also clears its allow set. */
int vigil_sensor__set_enforce(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_enforce *enf);
/* Adds an absolute path (no wildcards) to a workload's exec allow set. */
int vigil_sensor__allow_exec(struct vigil_sensor *s, uint64_t cgroup_id, const char *path);
/* The node-wide switch: while off is true no process is killed (alerts say would-kill). */
int vigil_sensor__set_enforce_off(struct vigil_sensor *s, bool off);
/* The allow set's hash of a path (sensor_abi.h, vg_path_hash); 0 for a relative path. */
uint64_t vigil_sensor__path_hash(const char *path);

/*
 * In-kernel allow sets for detection (docs/SENSOR.md, "In-kernel allow sets"): an open or an
 * egress the workload's profile allows is decided in the kernel and never sent. Load a set with
 * vigil_sensor__clear_kallow (kinds off, old entries gone), the entries, then
 * vigil_sensor__set_kallow(kinds); vigil_profile__kernel_allow (vigil/kallow.h) lists a
 * profile's entries. kind: enum vigil_kallow_path; flags as the profile matcher writes them.
 */
#define VIGIL_KALLOW_OPEN (1u << 0)
#define VIGIL_KALLOW_NET  (1u << 1)
int vigil_sensor__set_kallow(struct vigil_sensor *s, uint64_t cgroup_id, uint32_t kinds);
int vigil_sensor__clear_kallow(struct vigil_sensor *s, uint64_t cgroup_id);
int vigil_sensor__kallow_open(struct vigil_sensor *s, uint64_t cgroup_id, const char *path,
			      int kind, uint64_t flags, bool any);
/* every service-account token allowed (R0006 as Kubescape reads a profile: vigil/kallow.h) */
int vigil_sensor__kallow_tokens(struct vigil_sensor *s, uint64_t cgroup_id);
int vigil_sensor__kallow_peer(struct vigil_sensor *s, uint64_t cgroup_id, int family,
			      const uint8_t addr[16], uint8_t proto, uint16_t port);

/* Forget de-duplication state of a workload (so repeats are reported again). */
int vigil_sensor__reset_dedup(struct vigil_sensor *s, uint64_t cgroup_id);

/* The event as one compact JSON object (the `vigil trace --json` schema, docs/SENSOR.md).
 * Returns a malloc'd string the caller frees, or NULL on out of memory. */
char *vigil_event__to_json(const struct vigil_event *ev);
/* One readable line (no newline) into buf; returns its length (truncated at size) or -errno. */
int vigil_event__format_line(const struct vigil_event *ev, char *buf, size_t size);

/* Syscall number <-> name for the running kernel (x86_64). NULL / -1 when unknown. */
const char *vigil_syscall_name(int nr);
int vigil_syscall_nr(const char *name);
/* io_uring opcode <-> name ("OPENAT"), read from the kernel's BTF enum io_uring_op. */
const char *vigil_iouring_op_name(int opcode);
int vigil_iouring_op_nr(const char *name);
/* Capability number <-> name ("CAP_SYS_ADMIN"). */
const char *vigil_capability_name(int cap);

struct vigil_sensor_status {
	uint64_t events;	  /* delivered to user space */
	uint64_t drops;		  /* all causes */
	uint64_t drops_ringbuf;	  /* ring buffer full */
	uint64_t drops_ratelimit; /* per-workload rate limit */
	uint64_t drops_table;	  /* table full / eviction of pending state */
	uint64_t dedup_hits;	  /* repeats suppressed in the kernel */
	uint64_t kills;		  /* processes killed by enforcement */
	uint64_t would_kill;	  /* deviations enforcement did not kill (dry-run, rails) */
	uint64_t kernel_allowed;  /* events decided allowed in the kernel, not sent */
	/* DNS over TCP streams (sensor/dns_stream.h): cut by eviction in mid-message, found out
	 * of sync by their next write, and cut ones no longer told apart */
	uint64_t dns_tcp_cut, dns_tcp_desync, dns_tcp_forgotten;
	uint64_t processes, max_processes;
	uint64_t workloads, max_workloads;
	unsigned hooks_attached, hooks_failed;
};
int vigil_sensor__status(struct vigil_sensor *s, struct vigil_sensor_status *ret);
/* One BPF program of the sensor and what the kernel measured of it (bpf_prog_info). */
struct vigil_prog_stat {
	char name[64];
	uint64_t run_time_ns; /* total time in the program, while kernel.bpf_stats_enabled = 1 */
	uint64_t run_cnt;     /* runs counted in that time */
};
/*
 * Fills out with the sensor's loaded programs (at most max) and returns how many there are.
 * *ret_enabled (may be NULL) tells whether kernel.bpf_stats_enabled is on: when it is off the
 * kernel does not count and the figures stand still.
 */
int vigil_sensor__prog_stats(struct vigil_sensor *s, struct vigil_prog_stat *out, size_t max,
			     bool *ret_enabled);
/* Human-readable hook report: one line per hook, "attached", "fallback: ..." or "failed: ...". */
int vigil_sensor__describe_hooks(struct vigil_sensor *s, char *buf, size_t size);

#endif
