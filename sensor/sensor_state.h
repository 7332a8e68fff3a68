/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sensor object and the functions its files share; private to sensor/sensor_*.c. The
 * sensor is split by concern, as falcosecurity/libs' libpman is:
 *   sensor_lifecycle.c  probes, open, free (and the offline sensor for fuzzing)
 *   sensor_programs.c   which programs load on which hooks (tp_btf, raw_tp fallback), attach
 *   sensor_ringbuf.c    the ring buffer: poll, feed, delivery with process and workload
 *   sensor_decode.c     a raw record's strings and numbers into struct vigil_event
 *   sensor_maps.c       the control maps: monitored set, syscall allow sets, zoom, de-dup
 *   sensor_netns.c      which network namespace is a workload's (port forwards)
 *   sensor_stats.c      counters and hook states for `vigil status`
 *   sensor_spawn.c      `-- CMD` workloads
 *   sensor_kallow.c     in-kernel allow sets; sensor_idents.c sensitive files by identity
 */
#ifndef VIGIL_SENSOR_STATE_H
#define VIGIL_SENSOR_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <linux/types.h>

#include "bpf/sensor_abi.h"
#include "sensor/dns_stream.h"
#include "sensor/ringbuf_reader.h"
#include "sensor/sensor_internal.h"
#include "sensor/sensor_tls.h"
#include "vigil/http.h"
#include "vigil/kallow.h"
#include "vigil/sensor.h"

#define HOOKS_MAX 16
#define SPAWN_MAX 64
#define STR_BUF	  (VG_STR_MAX + 16)

struct hook {
	const char *name;
	struct bpf_program *prog; /* the flavour loaded, NULL when none */
	int link_fd;		  /* -1 when not attached */
	char state[96];
};

/* A sensitive file of the node by identity (sensor_kallow.c, map sensitive VG_OA_INODE). */
#define SENSOR_IDENTS_MAX 256
struct sensor_ident {
	uint32_t dev; /* the kernel's encoding (MKDEV) */
	uint64_t ino;
	char path[128];
};

/* A sensitive file of an enforcing workload's own root, as loaded into map sensitive: the
 * name an open the kernel knew by identity is given (a renamed file is no longer at its path). */
struct sensor_root_ident {
	uint64_t cgroup_id;
	struct sensor_ident id;
};

struct spawned {
	uint64_t cgroup_id;
	char *dir;
};

struct vigil_sensor {
	struct vigil_sensor_opts opts;
	struct vigil_bpf *skel;
	struct vigil_rbuf *rb; /* ringbuf_reader.c: the data area mapped once */
	struct hook hooks[HOOKS_MAX];
	unsigned nhooks;
	char cg2_root[PATH_MAX];
	int cg2_fd;
	/* R0011 enforcement's cgroup socket hooks on the cgroup2 root (bpf/enforce.bpf.c),
	 * attached when a workload first enforces it */
	int egress_links[4]; /* link descriptors, -1 until attached */
	/* the cgroup sendmsg4/6 hooks noting datagrams' destinations (bpf/udpdest.bpf.c): link
	 * descriptors, -1 when not attached */
	int udp_dest_links[2];
	/* the programs' descriptors from the loader child, in the object's order (sensor_loader.c) */
	int *prog_fds;
	unsigned nprogs;
	struct sensor_ident idents[SENSOR_IDENTS_MAX];
	size_t nidents;
	struct sensor_root_ident *root_idents; /* of enforcing workloads (sensor_idents.c) */
	size_t nroot_idents;
	int64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC at open */
	struct vigil_proc_table *procs;
	struct vigil_workload_table *wls;
	struct sensor_tls *tls; /* TLS uprobes under zoom (sensor_tls.c) */
	struct spawned spawned[SPAWN_MAX];
	uint64_t delivered;
	uint64_t decode_errors;
	bool offline; /* no kernel side: records are fed by vigil_sensor__feed (fuzzing) */
	uint64_t opened_ns;

	/* the poll in progress */
	vigil_event_cb cb;
	void *cb_ctx;
	int cb_rc;
	int batch;

	/* decode scratch: the strings of the event being delivered */
	char str[VG_NSTR][STR_BUF];
	char path[STR_BUF * 2];
	char path2[STR_BUF * 2];
	char dns_name[256];
	struct vigil_http_request http; /* HTTP: the request line, parsed */
	/* DNS over TCP: the streams, and the questions the record being delivered completed */
	struct vigil_dns_streams *dns_streams;
	struct vigil_dns_question dns_q[VIGIL_DNS_STREAM_QUESTIONS];
	size_t dns_q_n, dns_q_next;
	char script[STR_BUF];	  /* a script exec's script (sensor_drift.c) */
	char parent_exe[STR_BUF]; /* exec: the exe the process ran before */
	char ld_hook[32];	  /* exec: its first dynamic-linker hook variable */
	char history_off[64];	  /* exec: its history-off variable ("HISTSIZE=0") */
	char entered_by[16];	  /* exec: the tool it entered its container from (comm) */
	char unix_path[2][128];
	struct vigil_process anon_proc;
	struct vigil_workload anon_wl;

	/* sensor_netns.c: the netns_wl entries user space noted (the kernel's own are indexed by
	 * netns_own), to remove them at unwatch; and the notes refused (a table drop) */
	struct sensor_netns_note *netns_notes;
	size_t nnetns_notes, netns_notes_cap;
	uint64_t netns_refused;
	uint64_t netns_pruned_ns; /* CLOCK_MONOTONIC of the last sensor_forget_gone_netns */
};

/* CLOCK_REALTIME or CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t sensor_now_ns(clockid_t clk);
/* The host's network namespace, its inode number (the kernel's cfg_host_netns). */
uint32_t sensor_host_netns(void);
/* The host's namespaces by type (pid 1's; 0 when not readable): the kernel's cfg_host_ns. */
void sensor_host_ns(uint32_t ino[VG_NS_TYPES]);
/* A network namespace user space noted in netns_wl for a workload (vigil_sensor__note_netns). */
struct sensor_netns_note {
	uint64_t cgroup_id;
	uint64_t ns; /* its cookie */
};
/* The cookie of /proc/PID/ns/net (the kernel's netns_key), 0 when not known. */
uint64_t sensor_netns_cookie(const char *proc_pid);
/* Removes ns's netns_wl entry (fd) if it still names the cgroup. */
void sensor_forget_netns_one(int fd, uint64_t ns, uint64_t cgroup_id);
/* Removes the netns_wl entries (the kernel's and user space's) of namespaces no process holds
 * any more (sensor_netns_live.c); how many. */
size_t sensor_forget_freed_netns(struct vigil_sensor *s);
/* Removes every netns_wl entry naming the workload (it is no longer watched): those the kernel
 * noted (netns_own) and those user space did, a few map operations whatever the map holds. */
void sensor_forget_netns(struct vigil_sensor *s, uint64_t cgroup_id);
/* Removes the netns_wl entries of cgroups that are gone (never watched: seen through a watched
 * parent, or the node's in the ALL scope); how many cgroups. */
size_t sensor_forget_gone_netns(struct vigil_sensor *s);
/* After a poll: sensor_forget_gone_netns every SENSOR_NETNS_PRUNE_S seconds (a cgroup never
 * watched goes without an unwatch, nor always with a forget_gone_workloads of its user). */
#define SENSOR_NETNS_PRUNE_S 5
void sensor_netns_tick(struct vigil_sensor *s);
/* The cgroup2 mount point from /proc/self/mountinfo into out; -ENOENT when there is none. */
int sensor_find_cgroup2(char *out, size_t size);
/* A load or attach failure as an error a person can act on (root, lockdown). */
int sensor_open_error(int code, struct vigil_error *err);
/* Opens and loads the BPF object with every hook's tp_btf (or, raw, raw_tp) flavour. */
int sensor_load_programs(struct vigil_sensor *s, bool raw, struct vigil_error *err);
/* Attaches every loaded hook, recording each one's state. */
void sensor_attach_hooks(struct vigil_sensor *s, bool raw, bool fell_back);
/*
 * sensor_loader.c: loads s->skel (opened and configured) in a child process that sends the
 * descriptors back; 0 or the load's -errno. The attach helpers return a descriptor (a link;
 * for a uprobe its perf event) whose close detaches, or
 * -errno; sensor_prog_fd is a loaded program's descriptor or -ENOENT.
 */
int sensor_load_in_child(struct vigil_sensor *s);
void sensor_close_programs(struct vigil_sensor *s);
int sensor_prog_fd(const struct vigil_sensor *s, const struct bpf_program *p);
int sensor_attach_tracepoint(struct vigil_sensor *s, const struct bpf_program *p, bool raw,
			     const char *tp);
int sensor_attach_cgroup(struct vigil_sensor *s, const struct bpf_program *p, int cgroup_fd);
/* sensor_udp_dest.c: attaches the cgroup hooks that note datagrams' destinations. */
void sensor_attach_udp_dest(struct vigil_sensor *s);
int sensor_attach_uprobe(struct vigil_sensor *s, const struct bpf_program *p, const char *path,
			 uint64_t offset, bool ret);
/* The ring buffer's callback: one raw record. */
int sensor_on_record(void *ctx, void *data, size_t size);
/* The workload entry of a cgroup (created with its path on first sight); NULL when full. */
struct vigil_workload_entry *sensor_workload_of(struct vigil_sensor *s, uint64_t cg,
						uint32_t mntns);
/* Fills ev's kind-specific part from record e (strings already in s->str); p is the
 * process (may be NULL). Returns 0, or -EINVAL for a record to drop (a malformed DNS
 * question). */
int sensor_decode(struct vigil_sensor *s, const struct vg_event *e, struct vigil_proc_entry *p,
		  struct vigil_event *ev);
/* After ev was delivered: the next DNS question the same record completed (DNS over TCP: a
 * write may end several messages), put in ev; false when there is none. */
bool sensor_decode_more(struct vigil_sensor *s, struct vigil_event *ev);
/* SETID, ERASE: attr's members after its path (sensor/sensor_attr.c). */
void sensor_decode_attr(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev);
/* The kernel's mark of a file written at run time (EXEC, MMAP_EXEC): exec.written and the
 * writer; sensor_drift.c. */
void sensor_written_mark(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev);
/* exec: the drift fields (written at run time, a script and its file); sensor_drift.c. */
void sensor_exec_drift(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev);
/* exec: whether it entered a running container from outside (VG_EXEC_ENTERED) and from which
 * tool (sensor_entered.c) */
void sensor_exec_entered(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev);
/* Splits the strings of record e (size bytes) into s->str; -EINVAL when they overrun it. */
int sensor_decode_strings(struct vigil_sensor *s, const struct vg_event *e, size_t size);
/* sensor_kallow.c: the node-wide map of the files the open rules name (R0010, R0006) */
int sensor_sensitive_load(struct vigil_sensor *s);
/* sensor_idents.c: the sensitive file (its own name) a workload's open of (dev, ino) is, by the
 * identities loaded into the kernel; NULL when none */
const char *sensor_ident_name(const struct vigil_sensor *s, uint64_t cgroup_id, uint32_t dev,
			      uint64_t ino);
/* sensor_idents.c: forgets the workload's own root's identities */
void sensor_root_idents_forget(struct vigil_sensor *s, uint64_t cgroup_id);
/* sensor_idents.c: the node's sensitive files by identity, read again into map sensitive */
int sensor_identities_load(struct vigil_sensor *s);
/* sensor_idents.c: the files of v[0..n) that a profile entry (path, kind, flags) names get the
 * allowance by identity in openallow (cgroup id's key); a failure marks bad[i] (bad NULL:
 * returned as an error) */
int sensor_idents_allow(struct vigil_sensor *s, uint64_t cgroup_id, const struct sensor_ident *v,
			size_t n, bool *bad, const char *path, enum vigil_kallow_path kind,
			uint64_t flags, bool any);
/* sensor_kallow.c: every key of a workload in a map whose keys start with the cgroup id goes */
int sensor_kallow_clear_keys(int fd, uint64_t cgroup_id, size_t key_size);
/* sensor_kallow.c: adds a flag set to an allowance (-EOVERFLOW past VG_OA_SETS sets) */
int sensor_kallow_add_set(struct vg_open_allow *v, uint64_t flags, bool any);

#endif
