/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The records and maps shared by the BPF programs (the .bpf.c files in bpf/) and user space
 * (sensor/ *.c). Plain fixed-width types, explicit padding, a version field; the layout is
 * checked by tests/unit/test_sensor_abi.c. Included after vmlinux.h in BPF and after
 * <linux/types.h> in user space.
 *
 * Maps (all in bpf/maps.bpf.h, documented here and in docs/SENSOR.md):
 *   events      RINGBUF    every record below (struct vg_event + string data)
 *   watched     HASH       u64 cgroup id -> u8 (1 watched)          SELECTED scope: what to watch
 *   excluded    HASH       u64 cgroup id -> u8 (1 excluded)         ALL scope: what to skip
 *   verdict     LRU_HASH   u64 cgroup id -> struct vg_vcache        cache of the two above and of
 *                          cgroup ancestry (verdict 1 monitored, 2 not); entries older than
 *                          the global verdict_gen (bumped by user space) are decided again
 *   sysbits     LRU_HASH   u64 cgroup id -> struct vg_bitmap        syscalls used (learned)
 *   sysallow    HASH       u64 cgroup id -> struct vg_bitmap        allow mode: report others
 *   uringops    LRU_HASH   u64 cgroup id -> struct vg_uring_ops     io_uring opcodes used
 *   zoom        HASH       u64 cgroup id -> u8                      zoom: every io_uring op etc.
 *   dedup       LRU_HASH   struct vg_dedup_key -> u64 (ktime sent)  already reported; a repeat
 *                          again once cfg_dedup_ttl_ns (the cooldown) has passed since
 *   rate        LRU_HASH   u64 cgroup id -> struct vg_rate          per-workload token bucket
 *   written     LRU_HASH   struct vg_inode_key -> struct vg_written files a workload opened
 *                          for writing (or made executable): read when one is executed
 *   uring_open  LRU_HASH   u64 request -> struct vg_uring_open      io_uring opens in flight
 *   dnstcp      LRU_HASH   u64 cgroup id -> u8                      made a TCP connection to DNS
 *   wlof        LRU_HASH   u32 tgid -> struct vg_wlof               a process's workload (fork, exec)
 *   moved       HASH       u32 tgid -> struct vg_wlof               left its workload: still its
 *   vcache      PERCPU_ARRAY 1 x struct vg_cpucache                 last verdict on this CPU,
 *                          valid while its gen equals the global verdict_gen; and the
 *                          syscalls of its workload that need no work (learned and allowed),
 *                          valid while its sys_gen equals the global syscall_gen
 *   counters    PERCPU_ARRAY VG_CNT__MAX x u64                      events, drops per cause
 *   scratch     PERCPU_ARRAY 1 x struct vg_scratch                  record under construction
 *   enforce     HASH       u64 cgroup id -> struct vg_enforce       enforcement per workload
 *   execallow   HASH       struct vg_exec_key -> u8                 exec paths a workload may run
 *                          (key: cgroup id, vg_path_hash of the path as the kernel writes it)
 *   kallow      HASH       u64 cgroup id -> struct vg_kallow        in-kernel allow sets in force
 *   openallow   HASH       struct vg_open_key -> struct vg_open_allow   open paths a workload
 *                          may open (a file, a directory's children, everything below it)
 *   netallow    HASH       struct vg_net_key -> u8                  egress peers a workload may
 *                          reach (address, protocol or any, port or any)
 *   sensitive   HASH       struct vg_open_key -> u8 (VG_CLASS_*)    node-wide: the files the open
 *                          rules name, for their enforcement; per workload: its own root's
 *                          sensitive files by identity
 *   netns_wl    HASH       u64 netns cookie -> u64 cgroup id        a workload's network namespace
 *   netns_own   HASH       u64 cgroup id -> struct vg_netns_own     the namespaces the kernel noted
 *                          for a cgroup in netns_wl (its cap, and the index that removes them)
 */
#ifndef VIGIL_BPF_SENSOR_ABI_H
#define VIGIL_BPF_SENSOR_ABI_H

#define VG_ABI_VERSION 1

#define VG_MAX_SYSCALLS 512 /* x86_64 numbers are < 512 (bitmap bits) */
#define VG_BITMAP_WORDS (VG_MAX_SYSCALLS / 64)

/* Strings carried after the fixed part of a record. */
#define VG_DATA_MAX   8192 /* bytes of string data in one record */
#define VG_STR_MAX    4096 /* one string (path, argv block) */
#define VG_NAME_MAX   256  /* one path component */
#define VG_PATH_DEPTH 40   /* path components walked */
#define VG_ARGV_MAX   1024 /* argv bytes copied */
#define VG_DNS_MAX    512  /* DNS payload bytes copied */
#define VG_HTTP_MAX   256  /* HTTP request bytes copied (bpf/http.bpf.c) */
#define VG_NSTR	      3

/* namespace types, in the order of cfg_host_ns and of setns's notes (bpf/nsjoin.bpf.c) */
enum vg_ns_type {
	VG_NS_MNT,
	VG_NS_UTS,
	VG_NS_IPC,
	VG_NS_PID,
	VG_NS_NET,
	VG_NS_CGROUP,
	VG_NS_USER,
	VG_NS_TYPES
};

/* flags in struct vg_event.flags */
#define VG_F_UPPER	(1u << 0) /* exe on an overlayfs upper layer */
#define VG_F_MEMFD	(1u << 1) /* exe is a memfd */
#define VG_F_IOURING	(1u << 2) /* submitted through io_uring */
#define VG_F_TRUNC	(1u << 3) /* a string was truncated */
#define VG_F_ARGS_TRUNC (1u << 4)
#define VG_F_FIRST	(1u << 5) /* first use in the workload (syscall, io_uring op) */
#define VG_F_OUT_OF_SET (1u << 6) /* syscall outside the loaded allow set */
#define VG_F_ABS_ROOT	(1u << 7) /* path walk reached the task's root */
#define VG_F_PSEUDO	(1u << 8) /* string 0 names a pseudo file (memfd, pipe, socket) */
/* enforcement (map enforce): what was done to the process at the hook */
#define VG_F_KILLED	(1u << 9)  /* SIGKILL sent from the hook (bpf_send_signal) */
#define VG_F_WOULD_KILL (1u << 10) /* enforcement would have killed: dry-run, or below */
#define VG_F_ENF_LIMIT	(1u << 11) /* ... not killed: the workload's kill budget was spent */
#define VG_F_ENF_OFF	(1u << 12) /* ... not killed: the node-wide switch is off */
#define VG_F_ENF_SPARED (1u << 13) /* ... not killed: a protected process (init, the sensor) */
#define VG_F_ALIAS	(1u << 14) /* the file has other names: hard links, or a bind mount on the way */
/* exec: a script: the kernel ran an interpreter for the file given to execve. (That the
 * executable was written by a monitored workload is arg[5] != 0: the writer's cgroup, with
 * struct vg_writer in sa[0]; the 16 flag bits are all taken.) */
#define VG_F_SCRIPT (1u << 15)
/* exec arg[0] is argc, and these bits when the process entered a running container from outside
 * (R2000): its pid namespace is deeper than its parent's and it is not that namespace's pid 1;
 * or (a container sharing the host's pid namespace, hostPID) its parent is the runtime's own
 * process in another cgroup and the container already runs (bpf/process.bpf.c). The tool it
 * entered from is then in sa[1] (struct vg_entered). */
#define VG_EXEC_ENTERED	     (1ull << 32)
#define VG_EXEC_ENTERED_HOST (1ull << 33)

/* an entering exec's sa[1]: the tool it entered from, captured in the kernel at the exec (the
 * tool may be gone by the time user space reads the record): the first ancestor, from the
 * parent up at most VG_ENTER_UP levels, that is not the runtime's own process (vg_runtime_comm);
 * when all are, the last one walked */
struct vg_entered {
	char comm[16];
	__u32 tgid; /* in the initial pid namespace */
};		    /* 20 bytes, as struct vg_sockaddr */
#define VG_ENTER_UP 8

/*
 * The container runtime's own processes, by comm: runc ("runc"; "exe" when it re-runs itself
 * through /proc/self/exe; its init stages "runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]")
 * and crun. The one list for the kernel's ancestry walk (above), the runtime start-up filter
 * (sensor/agent/rtinit.c) and user space's naming of the tool (sensor/sensor_entered.c).
 * c: a comm as the kernel keeps it (at most 15 bytes, NUL-terminated, 16 readable); it is lit,
 * or (prefix) starts with lit.
 */
static inline __attribute__((always_inline)) int vg_comm_is(const char *c, const char *lit,
							    int prefix)
{
	int i;

	for (i = 0; i < 15 && lit[i]; i++) {
		if (c[i] != lit[i])
			return 0;
	}
	return prefix || c[i] == '\0';
}

static inline __attribute__((always_inline)) int vg_runtime_comm(const char *c)
{
	return vg_comm_is(c, "runc", 0) || vg_comm_is(c, "runc:[", 1) || vg_comm_is(c, "exe", 0) ||
	       vg_comm_is(c, "crun", 0);
}

/*
 * The runtime's own executable, by the name of its file (the last component of the task's
 * exe): runc and crun as installed, runc's copy of itself ("runc.XXXXXX" under /run/runc/) and
 * its sealed in-memory copy ("memfd:runc_cloned:/proc/self/exe"). leaf: a name as the kernel
 * keeps it, 16 readable bytes, NUL-terminated within them (a longer name cut at 15).
 * bpf/process.bpf.c exec_note: with vg_runtime_comm, and the file lying outside the task's
 * mount namespace, a runtime's init about to run a command in a container.
 */
static inline __attribute__((always_inline)) int vg_runtime_exe(const char *leaf)
{
	return vg_comm_is(leaf, "runc", 0) || vg_comm_is(leaf, "crun", 0) ||
	       vg_comm_is(leaf, "runc.", 1) || vg_comm_is(leaf, "memfd:runc", 1);
}

/* flags in struct vg_event.xflags */
/* exec: the kernel honoured a set-user-id or set-group-id bit or file capabilities of the
 * executable (bprm->per_clear: the personality bits cleared on a privilege change) */
#define VG_X_SETID (1u << 0)

/* how a string in the data area is encoded (struct vg_event.str_fmt, 2 bits per string) */
#define VG_STR_RAW   0 /* bytes as they are (NUL-terminated) */
#define VG_STR_PATH  1 /* path components, leaf first, each NUL-terminated */
#define VG_STR_ARGV  2 /* NUL-separated argv block */
#define VG_STR_BYTES 3 /* binary payload (DNS) */

/* Direction (arg[3] of network records, zoom's NET_IO too); 0: neither (bind, listen) */
#define VG_DIR_OUT 1 /* this side reached out: connect, send, bytes written */
#define VG_DIR_IN  2 /* the peer reached in: accept, bytes read */

/* counters (per CPU) */
enum vg_counter {
	VG_CNT_EVENTS = 0,     /* records written to the ring buffer */
	VG_CNT_DROP_RINGBUF,   /* ring buffer full */
	VG_CNT_DROP_RATELIMIT, /* per-workload rate limit */
	VG_CNT_DROP_TABLE,     /* map full (dedup, bitmap, rate), a netns note refused */
	VG_CNT_DROP_PATH,      /* path or string truncated (event still sent) */
	VG_CNT_DEDUP,	       /* repeats suppressed */
	VG_CNT_KILLS,	       /* processes killed by enforcement */
	VG_CNT_WOULD_KILL,     /* deviations enforcement would have killed (dry-run, rails) */
	VG_CNT_KALLOW,	       /* events decided allowed in the kernel (allow sets): not sent */
	VG_CNT__MAX
};

/*
 * Record kinds: VG_EV_EXEC = 1 and on, the numbers of enum vigil_event_kind
 * (include/vigil/event.h) in its order; sensor/sensor_lifecycle.c checks every one.
 */
/* clang-format off */
#define VG_KINDS(X) \
	X(EXEC) \
	X(FORK) \
	X(EXIT) \
	X(OPEN) \
	X(SYMLINK) \
	X(LINK) \
	X(EXEC_WRITE) \
	X(CONNECT) \
	X(ACCEPT) \
	X(BIND) \
	X(LISTEN) \
	X(DNS) \
	X(TCP_STATE) \
	X(CAPABILITY) \
	X(SYSCALL) \
	X(IOURING_CREATE) \
	X(IOURING_OP) \
	X(PTRACE) \
	X(UNSHARE) \
	X(SETNS) \
	X(BPF) \
	X(MODULE) \
	X(MEMFD) \
	X(MOUNT) \
	X(SEND) \
	X(SOCKET) \
	X(CGROUP_MOVE) \
	X(MMAP_EXEC) \
	X(RENAME) \
	X(NETNS_CONNECT) \
	X(SETID) \
	X(ERASE) \
	X(HTTP)
/* clang-format on */
#define VG_KIND_ENUM(k) VG_EV_##k,
enum vg_kind {
	VG_EV__NONE = 0,
	VG_KINDS(VG_KIND_ENUM) VG_EV__MAX_KERNEL
};
#undef VG_KIND_ENUM

struct vg_sockaddr {
	__u16 family;
	__u16 port; /* host order */
	__u8 addr[16];
}; /* 20 bytes */

struct vg_event {
	__u16 version;
	__u16 kind;
	__u16 flags;
	__u16 size; /* bytes of this record, data included */
	__u32 pid;  /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 mntns;
	__u64 ktime_ns;
	__u64 cgroup_id;
	__u64 start_ns; /* task group leader's start_boottime */
	char comm[16];
	/* kind-specific numbers: see docs/SENSOR.md ("record arguments") */
	__s64 arg[6];
	struct vg_sockaddr sa[2]; /* [0] local / server, [1] remote */
	__u16 str_len[VG_NSTR];	  /* bytes of each string in data[], in order */
	__u8 str_fmt;		  /* 2 bits per string: VG_STR_* */
	__u8 pad0;
	__u32 euid;   /* effective uid of the task (uid is the real one): a setuid program's */
	__u16 xflags; /* VG_X_* (the 16 bits of flags are all taken) */
	__u16 pad1;
	__u8 data[]; /* strings, back to back */
};

#define VG_EVENT_HDR_SIZE 176

struct vg_bitmap {
	__u64 w[VG_BITMAP_WORDS];
};

struct vg_uring_ops {
	__u64 w[4];
};

/* the shortest time a set kind's record (capability, syscall outside the allow set: sent once,
 * not as a stream) stays a repeat when a cooldown is configured, even a cooldown of 0 */
#define VG_DEDUP_SET_TTL_NS 1000000000ull

struct vg_dedup_key {
	__u64 cgroup_id;
	__u64 hash;
	__u32 kind;
	__u32 pad;
};

/* a process's workload (maps wlof and moved): the cgroup it was in when the sensor saw it
 * fork or exec, kept after it moved itself out of every watched cgroup */
struct vg_wlof {
	__u64 cgroup_id;
};

/*
 * The network namespaces the kernel noted in netns_wl for one cgroup, at most VG_NETNS_PER_WL
 * at once (a workload that makes namespaces cannot fill netns_wl: docs/SENSOR.md): each slot a
 * namespace's cookie, 0 when free. A slot whose cookie has no netns_wl entry any more (user
 * space removed it: its namespace is gone) is free again (bpf/process.bpf.c netns_note); a
 * slot names an entry that may since be another's (user space replaced it): it is removed
 * only while it still names this cgroup.
 */
#define VG_NETNS_PER_WL 16
/* netns_wl's size: VG_NETNS_OWNERS cgroups' kernel notes (netns_own's size), and room for
 * VG_NETNS_AGENT notes of user space (at most one per watched cgroup: watched's size) */
#define VG_NETNS_OWNERS 1024
#define VG_NETNS_AGENT	4096
struct vg_netns_own {
	/* 64 bits: the netns cookie's width, and the only compare-and-swap the build's BPF has */
	__u64 ns[VG_NETNS_PER_WL];
};

/* a cached monitored-set decision (maps verdict and vcache) */
struct vg_vcache {
	__u64 cgroup_id;
	__u32 gen; /* verdict_gen when cached */
	__u8 verdict;
	__u8 pad[3];
};

/* per-CPU cache (map vcache): the sys_enter fast path is one array lookup and a bit test */
struct vg_cpucache {
	struct vg_vcache v;
	__u64 quiet_cg; /* workload whose quiet set this is (0: none) */
	__u32 sys_gen;	/* syscall_gen when filled */
	__u32 pad;
	struct vg_bitmap quiet; /* learned, and allowed when an allow set is loaded */
};

/* an io_uring OPENAT/OPENAT2 between submission and completion (map uring_open): the name
 * as the kernel copied it, for a failed open (the kernel frees its copy before completing) */
#define VG_URING_NAME_MAX 4096
struct vg_uring_open {
	__u64 user_data; /* the request's, checked at completion */
	__u32 len;	 /* bytes of name, NUL included; 0: not copied */
	__u32 pad;
	char name[VG_URING_NAME_MAX];
};

/* a file by identity (map written): inode number and the superblock's device */
struct vg_inode_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/*
 * How a file was changed (struct vg_written.how), one bit each: the bits of enum
 * vigil_written_how (include/vigil/event.h); sensor/sensor_drift.c checks every one.
 *   OPEN   opened for writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC)
 *   CHMOD  an execute bit set by fchmod
 *   URING  written through io_uring
 */
/* clang-format off */
#define VG_WRITES(X) \
	X(OPEN, 1) \
	X(CHMOD, 2) \
	X(URING, 4)
/* clang-format on */
#define VG_WR_ENUM(n, v) VG_WR_##n = (v),
enum vg_write_how {
	VG_WRITES(VG_WR_ENUM)
};
#undef VG_WR_ENUM

/*
 * VG_EV_SEND arg[4]: the call that sent, VG_SEND_SENDTO = 0 and on, the numbers of enum
 * vigil_send_call (include/vigil/event.h) in its order; sensor/sensor_decode.c checks every one.
 * The io_uring SENDMSG is VG_SEND_SENDMSG with VG_F_IOURING; SEND and the zero-copy forms are
 * io_uring only. WRITE and WRITEV: a datagram by write()/writev() (or io_uring's WRITE/WRITEV) on
 * a connected socket, recorded only where the workload enforces R0011.
 */
/* clang-format off */
#define VG_SEND_CALLS(X) \
	X(SENDTO) \
	X(SENDMSG) \
	X(SENDMMSG) \
	X(SEND) \
	X(SEND_ZC) \
	X(SENDMSG_ZC) \
	X(WRITE) \
	X(WRITEV)
/* clang-format on */
#define VG_SEND_ENUM(c) VG_SEND_##c,
enum vg_send_call {
	VG_SEND_CALLS(VG_SEND_ENUM) VG_SEND__MAX
};
#undef VG_SEND_ENUM
/* VG_EV_SEND arg[4], above the call: the peer was read from the caller's memory when the call
 * returned, not from the kernel's copy (bpf/network.bpf.c send_peer): another thread could
 * have rewritten it while the call ran */
#define VG_SEND_ADDR_USER (1u << 8)

/* VG_EV_DNS arg[0]: the protocol. UDP (17): string 0 is one datagram's payload. TCP (6): the
 * first bytes a write put in the stream (length prefixes included), string 0 from the first
 * buffer, string 1 from the second (writev, sendmsg) when the first was copied whole; arg[1]
 * the bytes the call wrote, arg[3] the first buffer's length, arg[4] the socket's inode (the
 * stream's identity) */

/* who changed it last (map written) */
struct vg_written {
	__u64 cgroup_id;
	__u64 ktime_ns;
	__u32 tgid;
	__u32 how; /* VG_WR_* of every change seen */
};

/* an exec record's sa[0] when arg[5] (the writer's cgroup) is set: the last writer (family
 * stays 0) */
struct vg_writer {
	__u16 family; /* 0 */
	__u16 how;
	__u32 tgid;
	__u32 ktime_lo, ktime_hi; /* when (bpf_ktime_get_ns), in halves: 4-byte aligned */
	__u32 pad;
}; /* 20 bytes, as struct vg_sockaddr */
struct vg_rate {
	__u64 last_ns; /* the time the tokens added so far stand for */
	__s64 tokens;  /* may dip below 0 for an instant while CPUs race for the last one */
};

/* enforcement rules (struct vg_enforce.rules): what the exec hook acts on */
#define VG_ENF_EXEC   (1u << 0) /* R0001: the exe's path is not in execallow */
#define VG_ENF_UPPER  (1u << 1) /* R1001: exe on an overlayfs upper layer, path not allowed */
#define VG_ENF_MEMFD  (1u << 2) /* R1005: exe is a memfd (fileless) */
#define VG_ENF_DEVSHM (1u << 3) /* R1000: exe under /dev/shm */
/* ... and at the other hooks (bpf/enforce.bpf.h, bpf/enforce.bpf.c) */
#define VG_ENF_SENSITIVE (1u << 4) /* R0010: a sensitive file opened, not in openallow */
#define VG_ENF_TOKEN	 (1u << 5) /* R0006: a service-account token opened, not in openallow */
#define VG_ENF_EGRESS	 (1u << 6) /* R0011: connect / datagram to a peer not in netallow */
#define VG_ENF_IOURING	 (1u << 7) /* R1030: an io_uring opcode not in uring_allow */

#define VG_ENF_DRY_RUN 1
#define VG_ENF_KILL    2

/* one workload's enforcement (map enforce); the budget is refilled every window */
struct vg_enforce {
	__u32 rules;	      /* VG_ENF_* */
	__u32 mode;	      /* VG_ENF_DRY_RUN / VG_ENF_KILL */
	__u32 max_kills;      /* kills per window; past it: alert only (VG_F_ENF_LIMIT) */
	__u32 kills;	      /* kills in the current window (updated by the kernel) */
	__u64 window_ns;      /* the window's length */
	__u64 window_start;   /* bpf_ktime_get_ns() when the window began (kernel) */
	__u64 uring_allow[4]; /* VG_ENF_IOURING: the io_uring opcodes the profile allows */
};

/*
 * The files the open rules name, node-wide (map sensitive, key cgroup id 0): a file (VG_OA_FILE)
 * or everything below a directory (VG_OA_DESC), of class R0010 (sensitive) or R0006 (a
 * directory whose "token" files are service-account tokens), and the node's sensitive files by
 * identity (VG_OA_INODE). Keyed by a workload's cgroup id: the sensitive files of that
 * workload's own root (a container image's /etc/shadow) by identity, at most VG_ROOT_IDENTS.
 */
#define VG_CLASS_SENSITIVE 1
#define VG_CLASS_TOKEN_DIR 2
#define VG_CLASS_TOKEN	   3 /* a service-account token by identity (VG_OA_INODE keys) */
#define VG_ROOT_IDENTS	   64

struct vg_exec_key {
	__u64 cgroup_id;
	__u64 hash; /* vg_path_hash */
};

/*
 * The exec allow set's hash of a path as the kernel's path walk writes it (components leaf
 * first, each NUL-terminated: "/usr/bin/id" is "id\0bin\0usr\0"): FNV-1a over little-endian
 * 64-bit words of the first VG_PATH_HASH_MAX bytes (the last word zero-padded), then the
 * length. User space computes the same (sensor/sensor_enforce.c).
 */
#define VG_PATH_HASH_MAX 1024

/*
 * In-kernel allow sets (bpf/allow.bpf.h, docs/SENSOR.md "In-kernel allow sets"): for a
 * workload in detection with an entry in map kallow, an open or an egress its profile allows
 * is decided in the kernel and never sent. Only what the kernel can judge exactly as user space
 * would is filtered; anything else (a failed open, a cut or aliased path, a peer given as a
 * CIDR) is sent and judged in user space. A zoomed workload is never filtered.
 */
#define VG_KA_OPEN (1u << 0) /* opens judged against openallow */
#define VG_KA_NET  (1u << 1) /* connects and datagram sends judged against netallow */

struct vg_kallow {
	__u32 kinds; /* VG_KA_* */
	__u32 pad;
};

/* what an openallow key names: hash is vg_path_hash of the file or of the directory */
#define VG_OA_FILE  0 /* the file itself (an exact path) */
#define VG_OA_CHILD 1 /* any file directly in the directory (a pattern ending in "/⋯") */
#define VG_OA_DESC  2 /* any file below the directory (a pattern ending in "/\*") */
/* a file by identity, whatever name it is opened under (a hard link, a bind mount): hash is
 * its inode number, pad its device (the kernel's encoding, MKDEV); in map sensitive (cgroup
 * id 0) a sensitive file of the node, in openallow one the workload's profile allows by its
 * own name */
#define VG_OA_INODE 3
/* every service-account token (R0006): the profile names a token under some name (Kubescape's
 * meaning: lib/profile/wildcard.h vigil_wc_token_pattern); hash 0, any flags */
#define VG_OA_TOKENS 4

struct vg_open_key {
	__u64 cgroup_id;
	__u64 hash;
	__u32 kind; /* VG_OA_* */
	__u32 pad;
};

/*
 * The open flags allowed for one key: up to VG_OA_SETS sets, each as the profile matcher
 * writes flags (lib/profile/wildcard.h: access mode as bit 32 + mode, O_* bits above the
 * access mode as they are); an open is allowed when its flags are within one set, or any.
 */
#define VG_OA_SETS	 4
#define VG_OA_MODE_SHIFT 32
#define VG_OA_FLAG_BITS	 037777774u
struct vg_open_allow {
	__u64 sets[VG_OA_SETS];
	__u8 n;	  /* sets used */
	__u8 any; /* any flags */
	__u8 pad[6];
};

struct vg_net_key {
	__u64 cgroup_id;
	__u8 addr[16]; /* IPv4 in the first 4 bytes, the rest 0 */
	__u16 port;    /* host order; 0 = any port */
	__u8 family;   /* AF_INET or AF_INET6 */
	__u8 proto;    /* IPPROTO_TCP / IPPROTO_UDP; 0 = any protocol */
	__u32 pad;
};
#define VG_FNV_OFFSET 0xcbf29ce484222325ull
#define VG_FNV_PRIME  0x100000001b3ull

#endif
