/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zoom capture (bpf/zoom.bpf.c) <-> user space (sensor/zoom_capture.c): record kinds, their
 * argument layout, the configuration map and the zoom counters. Included after sensor_abi.h.
 *
 * Maps (bpf/zoom.bpf.c; `events`, `zoom` are the sensor's, shared by the static link):
  *   zcfg      ARRAY 1 x struct zk_cfg           sample size, byte budget, sensitive paths
 *   zactive   ARRAY 1 x u32                     1 while the zoom map has any entry
  *   zbudget   HASH  u64 cgroup id -> struct zk_budget  bytes sampled, syscalls recorded
 *                                                        until the zoom is cleared
 *   zfiles    LRU_HASH u64 struct file * -> struct zk_file   sensitive files opened in zoom
 *   zpend     LRU_HASH u64 io_kiocb * -> struct zk_pend      io_uring ops between submit
 *                                                            and completion
 *   zpeer     LRU_HASH u64 struct sock * -> struct vg_sockaddr  last peer of a UDP socket
 *   zcounters PERCPU_ARRAY ZK_CNT__MAX x u64    events and drops per cause
 *   ztlspend  LRU_HASH u64 pid_tgid -> struct zk_tls_pend  a TLS library call in progress
 *   ztlspeer  LRU_HASH u64 SSL * -> struct zk_tls_peer     the socket an SSL object last used
 */
#ifndef VIGIL_BPF_ZOOM_ABI_H
#define VIGIL_BPF_ZOOM_ABI_H

/* Record kinds after the sensor's (same numbers as VIGIL_EV_NET_IO / VIGIL_EV_FILE_READ). */
#define VG_EV_NET_IO	(VG_EV__MAX_KERNEL)
#define VG_EV_FILE_READ (VG_EV__MAX_KERNEL + 1)
#define VG_EV__MAX_ZOOM (VG_EV__MAX_KERNEL + 2)

/*
 * NET_IO:    arg[0] protocol, arg[1] bytes (the call's result), arg[2] fd, arg[3] direction
 *            (1 outbound, 2 inbound), arg[4] syscall number or io_uring opcode (VG_F_IOURING);
 *            sa[0] local, sa[1] remote; string 0 = payload sample (VG_STR_BYTES);
 *            string 1 = the sensitive file a sendfile/splice copied from (VG_STR_RAW).
 * FILE_READ: arg[0] bytes read, arg[1] fd, arg[4] syscall number or io_uring opcode;
 *            string 0 = path as opened (VG_STR_RAW), string 1 = content sample (VG_STR_BYTES).
 */
/*
 * NET_IO records with ZK_F_TLS are plaintext taken at a TLS library call (bpf/zoom_tls.bpf.h):
 * arg[4] is the call (ZK_TLS_*), arg[2] the socket's fd when known (-1 otherwise), sa[] the
 * socket's addresses when known; the byte count is the plaintext's (the socket's own NET_IO
 * records carry the ciphertext and its bytes).
 */
#define ZK_F_TLS (1u << 10) /* on NET_IO only (the bit means other things on exec records) */

/*
 * The TLS calls, ZK_TLS_SSL_WRITE = 1 and on: the numbers of enum vigil_tls_call
 * (include/vigil/event.h) in its order; sensor/zoom_capture.c checks every one. GO_WRITE is
 * crypto/tls.(*Conn).Write.
 */
/* clang-format off */
#define ZK_TLS_CALLS(X) \
	X(SSL_WRITE) \
	X(SSL_WRITE_EX) \
	X(SSL_READ) \
	X(SSL_READ_EX) \
	X(GO_WRITE)
/* clang-format on */
#define ZK_TLS_ENUM(c) ZK_TLS_##c,
enum zk_tls_call {
	ZK_TLS__NONE = 0,
	ZK_TLS_CALLS(ZK_TLS_ENUM) ZK_TLS__MAX
};
#undef ZK_TLS_ENUM

#define ZK_SAMPLE_MAX 512 /* bytes of payload / content in one record (hard limit) */
#define ZK_PATH_MAX   256 /* bytes of a sensitive path kept */
#define ZK_PATS	      16  /* sensitive path patterns */
#define ZK_PAT_MAX    62  /* bytes of one pattern */

#define ZK_PAT_PREFIX 1
#define ZK_PAT_SUFFIX 2

struct zk_pat {
	__u8 len;  /* 0 ends the list */
	__u8 kind; /* ZK_PAT_PREFIX / ZK_PAT_SUFFIX */
	char s[ZK_PAT_MAX];
};

struct zk_cfg {
	__u32 sample;	/* bytes sampled per message, <= ZK_SAMPLE_MAX; 0 = zoom capture off */
	__u32 syscalls; /* syscall records per workload until its zoom is cleared */
	__u64 budget;	/* sampled bytes per workload until its zoom is cleared */
	struct zk_pat pats[ZK_PATS];
};

struct zk_budget {
	__u64 bytes;
	__u64 syscalls;
};

/* SYSCALL records of the zoomed sequence (every call, at its exit): arg[0] number, arg[1]
 * result; flag ZK_F_SEQ tells them from the sensor's first-use / out-of-set ones. */
#define ZK_F_SEQ (1u << 9)

struct zk_file {
	__u64 inode; /* struct inode * when opened: a recycled struct file is not confused */
	char path[ZK_PATH_MAX];
};

struct zk_pend {
	__u64 user_data; /* the SQE's: a recycled io_kiocb is not confused */
	__u64 buf;
	__u32 len;
	__u8 op;
	__u8 sensitive; /* OPENAT of a sensitive path */
	__u8 pad[2];
	__u64 cgroup_id;
	char path[ZK_PATH_MAX]; /* OPENAT */
};

/* An SSL_* call between its entry and its return, per thread. */
struct zk_tls_pend {
	__u64 ssl;  /* SSL * */
	__u64 buf;  /* the plaintext buffer */
	__u64 len;  /* its size */
	__u64 done; /* _ex forms: where the library writes the byte count */
	__u64 cgroup_id;
	struct vg_sockaddr sa[2]; /* the socket the call used (seen at its read/write exit) */
	__s32 fd;		  /* -1 until seen */
	__u8 call;		  /* ZK_TLS_* */
	__u8 proto;
	__u8 pad[2];
};

/* The socket an SSL object was last seen using: a call served from the library's buffer
 * makes no syscall of its own. */
struct zk_tls_peer {
	struct vg_sockaddr sa[2];
	__s32 fd;
	__u8 proto;
	__u8 pad[3];
};

enum zk_counter {
	ZK_CNT_EVENTS = 0,    /* zoom records written */
	ZK_CNT_DROP_RINGBUF,  /* ring buffer full */
	ZK_CNT_DROP_BUDGET,   /* sample left out: the workload's byte budget is spent */
	ZK_CNT_DROP_TABLE,    /* zfiles / zpend / zbudget full */
	ZK_CNT_DROP_READ,     /* user memory not readable: record sent without sample */
	ZK_CNT_DROP_SYSCALLS, /* syscall records past the workload's syscall budget */
	ZK_CNT_TLS,	      /* TLS plaintext records written (also counted in EVENTS) */
	ZK_CNT_TLS_NOPEER,    /* ... of which the socket was not known */
	ZK_CNT__MAX
};

#endif
