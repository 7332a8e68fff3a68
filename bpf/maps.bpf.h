/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The sensor's configuration and maps, in one place (docs/SENSOR.md describes each). Every
 * sensor .bpf.c includes this header: definitions are weak, so each object carries them and
 * `bpftool gen object` keeps one (zoom.bpf.c declares the two it shares as extern instead).
 * Record and map value layouts: bpf/sensor_abi.h.
 */
#ifndef VIGIL_BPF_MAPS_H
#define VIGIL_BPF_MAPS_H

/* Configuration, set by user space between open and load. */
/* Configuration, set by user space between open and load. */
__weak const volatile __u32 cfg_self_tgid = 0;
__weak const volatile __u32 cfg_scope_selected = 0;
__weak const volatile __u64 cfg_kinds = ~0ull; /* bit per enum vg_kind */
__weak const volatile __u32 cfg_dedup = 0;
/* how long a de-duplicated record stays a repeat after it was sent: the detector's cooldown
 * (0: until evicted; the set kinds, force_dedup, at least VG_DEDUP_SET_TTL_NS) */
__weak const volatile __u64 cfg_dedup_ttl_ns = 0;
__weak const volatile __u32 cfg_syscall_first_use = 1;
__weak const volatile __u64 cfg_rate_per_sec = 20000; /* per workload; 0 = unlimited */
__weak const volatile __u32 cfg_dns_port = 53; /* a second DNS port (tests, local resolvers) */
/* the host's network namespace (its inode number): a workload sharing it has no netns_wl entry */
__weak const volatile __u32 cfg_host_netns = 0;
/* the host's namespaces by type (enum vg_ns_type; 0: not known): setns into one is V1105's */
__weak const volatile __u32 cfg_host_ns[VG_NS_TYPES] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} watched __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} excluded __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct vg_vcache);
} verdict __weak SEC(".maps");

/* Bumped by user space after watched/excluded change: every cached decision older than it
 * (in verdict or vcache) is decided again. */
__weak volatile __u32 verdict_gen = 0;
/* Bumped by user space after sysallow changes: per-CPU quiet syscall sets are refilled. */
__weak volatile __u32 syscall_gen = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_cpucache);
} vcache __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_bitmap);
} sysbits __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_bitmap);
} sysallow __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_uring_ops);
} uringops __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} zoom __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vg_dedup_key);
	__type(value, __u64); /* bpf_ktime_get_ns() when it was last sent (or decided) */
} dedup __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_rate);
} rate __weak SEC(".maps");

/* Files opened for writing or made executable by monitored workloads, by inode: an exec of one
 * is a drop-and-execute. LRU: a flood of writes evicts old entries (user space then falls
 * back to the file's ctime against the workload's start). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vg_inode_key);
	__type(value, struct vg_written);
} written __weak SEC(".maps");
/* workloads that opened a TCP connection to a DNS port (value unused): only their write() and
 * writev() calls look at the descriptor, to read DNS over TCP (network.bpf.c on_write) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} dnstcp __weak SEC(".maps");
/* io_uring opens in flight, by request; an entry evicted before its completion leaves a
 * failed open without its name (reported as cut, so it is still judged) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct vg_uring_open);
} uring_open __weak SEC(".maps");

/*
 * The kernel's copies of the destinations of the datagrams a thread is sending with an address
 * (sendto, sendmsg, sendmmsg's first VG_UDP_DEST_MAX messages): written by the cgroup
 * sendmsg4/6 hooks as the kernel routes each (bpf/udpdest.bpf.c), read at the call's exit
 * instead of the caller's memory, which another thread can rewrite while the call runs, and
 * emptied there (network.bpf.c on_send). io_uring's sends carry their own copy (uring.bpf.c):
 * what one issued inline by its submitter notes is emptied at its completion.
 *
 * Task-local storage, not a map keyed by thread id: a note lives as long as its thread and no
 * other thread can take its place. An LRU map of 4 096 threads lost the note of a thread whose
 * call was blocked while more threads than that sent datagrams (tests/kernel/t1088), and the
 * exit then read the rewritable memory. A note the kernel could not allocate is counted
 * (VG_CNT_UDP_NOTE_LOST) and its record marked VG_F_ADDR_USER.
 */
#define VG_UDP_DEST_MAX 8
struct vg_udp_dest {
	__u32 n; /* addresses noted */
	__u32 pad;
	struct sockaddr_in6 a[VG_UDP_DEST_MAX]; /* an IPv4 one as struct sockaddr_in */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vg_udp_dest);
} udp_dest __weak SEC(".maps");

/* The current thread's notes; create: make them if it has none (the cgroup hook) */
static __always_inline struct vg_udp_dest *udp_dest_get(bool create)
{
	return bpf_task_storage_get(&udp_dest, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* Threads of a container runtime's init that called execve, by thread id (the initial pid
 * namespace's): the thread group's start time then (bpf/process.bpf.c exec_note). The exec
 * that follows consumes its entry; one of a failed execve is found stale by its start time. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} execnote __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters __weak SEC(".maps");

/* Enforcement (bpf/enforce.bpf.h): per workload, the exec paths it may run, and a switch. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_enforce);
} enforce __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vg_exec_key);
	__type(value, __u8);
} execallow __weak SEC(".maps");

/* In-kernel allow sets for detection (bpf/allow.bpf.h): which kinds are decided in the
 * kernel per workload, and the open paths and egress peers its profile allows. Entries are
 * allocated as user space adds them (profiles differ widely in size). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_kallow);
} kallow __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vg_open_key);
	__type(value, struct vg_open_allow);
} openallow __weak SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vg_net_key);
	__type(value, __u8);
} netallow __weak SEC(".maps");

/* node-wide keys (cgroup id 0), and per enforcing workload the sensitive files of its own root
 * by identity (at most VG_ROOT_IDENTS each, sensor_kallow.c) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vg_open_key);
	__type(value, __u8);
} sensitive __weak SEC(".maps");

/* Each monitored process's workload, by thread group id (the initial pid namespace's), noted
 * at fork and exec: a process writing itself into another cgroup's cgroup.procs is in the
 * destination by the time cgroup_attach_task fires, so its source is read from here. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct vg_wlof);
} wlof __weak SEC(".maps");
/* Processes that left every watched cgroup (and their children), by thread group id: they
 * stay their workload's (monitored_c). Not LRU: a fork flood must not evict an escapee. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct vg_wlof);
} moved __weak SEC(".maps");
/*
 * Each workload's network namespace (its inode number) -> the workload's cgroup id, noted at each
 * exec of a monitored process outside the host's namespace, and by user space for processes that
 * ran before the sensor: a TCP connection that a process outside every workload opens inside
 * such a namespace (a port forward: containerd's thread joins the pod's namespace and connects to
 * localhost; or `nsenter --net`) is reported as the workload's (NETNS_CONNECT). Keyed by the
 * namespace's cookie (netns_key), which the kernel never gives another namespace: an inode
 * number is reused once its namespace is freed, and a new namespace of another workload (or
 * none) with the old number was blamed on the old one's cgroup while it lived. User space
 * removes a gone workload's entries, and those of namespaces no process holds any more.
 *
 * It cannot be filled: the kernel notes at most VG_NETNS_PER_WL namespaces for each of at most
 * VG_NETNS_OWNERS cgroups (netns_own), and the rest, VG_NETNS_AGENT entries, is left for user
 * space's notes (one per container a scan finds, at most one per watched cgroup: the size of
 * watched), which therefore always succeed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VG_NETNS_OWNERS *VG_NETNS_PER_WL + VG_NETNS_AGENT);
	__type(key, __u64);
	__type(value, __u64);
} netns_wl __weak SEC(".maps");

struct net___nocookie {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

/* A network namespace's key in netns_wl: its cookie (SO_NETNS_COOKIE, NS_GET_ID on its nsfs
 * file, bpf_get_netns_cookie: one 64-bit counter, never reused); its inode number on a kernel
 * without one (older than 5.14: inode reuse then misleads, as before). */
static __always_inline __u64 netns_key(struct net *n)
{
	struct net___nocookie *c = (void *)n;

	if (!n)
		return 0;
	if (bpf_core_field_exists(c->net_cookie))
		return BPF_CORE_READ(c, net_cookie);
	return BPF_CORE_READ(n, ns.inum);
}
/* cgroup id -> the namespaces the kernel noted for it in netns_wl (the cap; user space's index
 * to remove them when the cgroup is unwatched or gone) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VG_NETNS_OWNERS);
	__type(key, __u64);
	__type(value, struct vg_netns_own);
} netns_own __weak SEC(".maps");
/* entries in moved (0: every hook skips the lookup) */
__weak volatile __s64 moved_any = 0;

/* Set by user space (the node-wide switch): no process is killed while it is not 0. */
__weak volatile __u32 enforce_off = 0;
/* Set by user space once a workload enforces R0010: from then on, an enforcing workload's every
 * open of a regular file is compared with the sensitive files' identities (enforce_ident). */
__weak volatile __u32 enforce_idents = 0;
/* set by user space once some workload enforces R0011: only then does a write() or writev() on
 * a socket, or an io_uring send without an address, look at the socket's peer (send_peer) */
__weak volatile __u32 enforce_egress = 0;
/* set by the kernel once some workload made a TCP connection to a DNS port (map dnstcp): only
 * then does a write() or writev() go past the dispatcher for DNS over TCP (on_write) */
__weak volatile __u32 dnstcp_any = 0;

#define SCRATCH_SIZE 16384
struct scratch {
	__u8 buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch __weak SEC(".maps");

#endif
