// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Zoom capture: the deeper look at one workload while an incident is open. Every hook here
 * first checks the per-workload `zoom` flag (one hash lookup, the only cost for everyone
 * else), then records:
 *   - socket traffic (read, write, their vectored forms, send and recv family exits incl.
 *     sendmmsg/recvmmsg, io_uring READ/WRITE/SEND/RECV completions)
 *     as NET_IO records: byte count, direction, addresses, and a payload sample bounded per
 *     message (zk_cfg.sample) and per workload (zk_cfg.budget); UDP port 53 traffic in both
 *     directions is captured this way, so DNS answers come with it;
 *   - reads of sensitive files (path decided on open against zk_cfg.pats, plain or io_uring
 *     OPENAT) as FILE_READ records with a content sample;
 *   - sendfile, splice, copy_file_range (kernel-to-kernel copies, nothing to sample): the
 *     sensitive file read, the socket end as NET_IO naming the file it came from;
 *   - TLS plaintext at the library's calls (bpf/zoom_tls.bpf.h, uprobes).
 * Linked with the sensor's objects (bpf/common.bpf.c lists them) into one; `events` and `zoom` are the sensor's maps.
 * Record layout: bpf/zoom_abi.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "sensor_abi.h"
#include "zoom_abi.h"
#include "shared.bpf.h"

extern struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

extern struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} zoom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zk_cfg);
} zcfg SEC(".maps");

/* non-zero while any workload is zoomed (user space keeps it with the zoom map): the early
 * exit for everyone when nothing is zoomed is one array load, no cgroup lookup */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} zactive SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct zk_budget);
} zbudget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct zk_file);
} zfiles SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct zk_pend);
} zpend SEC(".maps");

/* last peer an unconnected (UDP) socket sent to: the peer of an answer read with recv() */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct vg_sockaddr);
} zpeer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZK_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} zcounters SEC(".maps");

/* record under construction + the path being tested */
#define ZK_REC_MAX (VG_EVENT_HDR_SIZE + 2048)
struct zk_scratch {
	__u8 rec[ZK_REC_MAX];
	char path[ZK_PATH_MAX];
	struct zk_pend pend;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zk_scratch);
} zscratch SEC(".maps");

#define S_IFMT_	  00170000
#define S_IFSOCK_ 0140000
#define AF_INET_  2
#define AF_INET6_ 10

/* x86_64 syscall numbers */
#define NR_read		   0
#define NR_write	   1
#define NR_open		   2
#define NR_pread64	   17
#define NR_sendto	   44
#define NR_recvfrom	   45
#define NR_sendmsg	   46
#define NR_recvmsg	   47
#define NR_openat	   257
#define NR_openat2	   437
#define NR_readv	   19
#define NR_writev	   20
#define NR_sendfile	   40
#define NR_splice	   275
#define NR_preadv	   295
#define NR_pwritev	   296
#define NR_recvmmsg	   299
#define NR_sendmmsg	   307
#define NR_copy_file_range 326
#define NR_preadv2	   327
#define NR_pwritev2	   328

static __always_inline void zcount(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&zcounters, &what);

	if (v)
		*v += 1;
}

static __always_inline struct zk_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&zscratch, &zero);
}

static __always_inline struct zk_cfg *cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&zcfg, &zero);
}

static __always_inline bool any_zoomed(void)
{
	__u32 zero = 0, *a = bpf_map_lookup_elem(&zactive, &zero);

	return a && *a;
}

static __always_inline bool zoomed(__u64 cg)
{
	return bpf_map_lookup_elem(&zoom, &cg) != NULL;
}

static __always_inline struct vg_event *rec_begin(struct zk_scratch *s, __u32 kind, __u64 cg)
{
	struct vg_event *e = (struct vg_event *)s->rec;

	vg_event_init(e, kind, cg);
	return e;
}

static __always_inline void rec_send(struct vg_event *e, __u32 off)
{
	__u64 size = VG_EVENT_HDR_SIZE + (__u64)off;

	if (size > ZK_REC_MAX)
		return;
	e->size = size;
	if (bpf_ringbuf_output(&events, e, size, 0)) {
		zcount(ZK_CNT_DROP_RINGBUF);
		return;
	}
	zcount(ZK_CNT_EVENTS);
}

static __always_inline struct zk_budget *budget_of(__u64 cg)
{
	struct zk_budget zero = {}, *b = bpf_map_lookup_elem(&zbudget, &cg);

	if (b)
		return b;
	if (bpf_map_update_elem(&zbudget, &cg, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&zbudget, &cg)) {
		zcount(ZK_CNT_DROP_TABLE);
		return NULL;
	}
	return bpf_map_lookup_elem(&zbudget, &cg);
}

/*
 * How many bytes of a message of len bytes may be sampled: bounded by the per-message sample
 * size and what is left of the workload's budget (charged here).
 */
static __always_inline __u32 take_budget(__u64 cg, __u64 len)
{
	struct zk_cfg *c = cfg();
	struct zk_budget *b;
	__u64 want;

	if (!c || !c->sample || !len)
		return 0;
	want = len < c->sample ? len : c->sample;
	if (want > ZK_SAMPLE_MAX)
		want = ZK_SAMPLE_MAX;
	b = budget_of(cg);
	if (!b)
		return 0;
	if (b->bytes >= c->budget) {
		zcount(ZK_CNT_DROP_BUDGET);
		return 0;
	}
	if (want > c->budget - b->bytes)
		want = c->budget - b->bytes;
	__sync_fetch_and_add(&b->bytes, want);
	return want;
}

/* One record of the zoomed syscall sequence, within the workload's syscall budget. */
static __always_inline void syscall_record(struct zk_scratch *s, __u64 cg, long nr, long ret)
{
	struct zk_cfg *c = cfg();
	struct zk_budget *b;
	struct vg_event *e;

	if (!c || !c->syscalls)
		return;
	b = budget_of(cg);
	if (!b)
		return;
	if (b->syscalls >= c->syscalls) {
		zcount(ZK_CNT_DROP_SYSCALLS);
		return;
	}
	__sync_fetch_and_add(&b->syscalls, 1);
	e = rec_begin(s, VG_EV_SYSCALL, cg);
	e->arg[0] = nr;
	e->arg[1] = ret;
	e->flags |= ZK_F_SEQ;
	rec_send(e, 0);
}

/* n bytes of user memory at src as string idx at data offset off; returns the new offset. */
static __always_inline __u32 put_sample(struct vg_event *e, __u32 off, int idx, const void *src,
					__u32 n)
{
	if (!n || n > ZK_SAMPLE_MAX || off > ZK_PATH_MAX)
		return off;
	asm volatile("%[o] &= 511" : [o] "+r"(off));
	if (bpf_probe_read_user(&e->data[off], n, src)) {
		zcount(ZK_CNT_DROP_READ);
		return off;
	}
	e->str_len[idx] = n;
	e->str_fmt |= VG_STR_BYTES << (idx * 2);
	return off + n;
}

/* The current task's file behind fd. */
static __always_inline struct file *cur_fd_file(long fd)
{
	return fd_file((struct task_struct *)bpf_get_current_task(), fd);
}

static __always_inline struct sock *file_sock(struct file *f)
{
	struct socket *so;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT_) != S_IFSOCK_)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

/* The peer of an unconnected socket (UDP sendto/recvfrom) from a user struct sockaddr. */
static __always_inline void user_peer(struct vg_event *e, const void *uaddr)
{
	__u16 fam = 0;

	if (!uaddr || e->sa[1].port)
		return;
	bpf_probe_read_user(&fam, sizeof(fam), uaddr);
	if (fam == AF_INET_) {
		struct sockaddr_in in = {};

		bpf_probe_read_user(&in, sizeof(in), uaddr);
		e->sa[1].family = fam;
		e->sa[1].port = bpf_ntohs(in.sin_port);
		__builtin_memcpy(e->sa[1].addr, &in.sin_addr, 4);
	} else if (fam == AF_INET6_) {
		struct sockaddr_in6 in6 = {};

		bpf_probe_read_user(&in6, sizeof(in6), uaddr);
		e->sa[1].family = fam;
		e->sa[1].port = bpf_ntohs(in6.sin6_port);
		__builtin_memcpy(e->sa[1].addr, &in6.sin6_addr, 16);
	}
}

static __always_inline void net_io(struct zk_scratch *s, __u64 cg, struct sock *sk, long fd,
				   long bytes, int dir, long op, bool uring, const void *buf,
				   __u64 buflen, const void *uaddr, const char *from_path)
{
	struct vg_event *e = rec_begin(s, VG_EV_NET_IO, cg);
	__u64 avail = (__u64)bytes < buflen ? (__u64)bytes : buflen;
	__u32 off;

	sock_addrs(e, sk);
	user_peer(e, uaddr);
	if (!BPF_CORE_READ(sk, __sk_common.skc_dport)) {
		__u64 key = (__u64)sk;
		struct vg_sockaddr *peer;

		if (dir == VG_DIR_OUT && e->sa[1].port) {
			bpf_map_update_elem(&zpeer, &key, &e->sa[1], BPF_ANY);
		} else if (dir == VG_DIR_IN && !e->sa[1].port) {
			peer = bpf_map_lookup_elem(&zpeer, &key);
			if (peer)
				e->sa[1] = *peer;
		}
	}
	e->arg[1] = bytes;
	e->arg[2] = fd;
	e->arg[3] = dir;
	e->arg[4] = op;
	if (uring)
		e->flags |= VG_F_IOURING;
	off = buf ? put_sample(e, 0, 0, buf, take_budget(cg, avail)) : 0;
	if (from_path) {
		long n;

		asm volatile("%[o] &= 1023" : [o] "+r"(off));
		n = bpf_probe_read_kernel_str(&e->data[off], ZK_PATH_MAX, from_path);
		if (n > 0) {
			off += n;
			e->str_len[1] = n;
		}
	}
	rec_send(e, off);
}

static __always_inline void file_read(struct zk_scratch *s, __u64 cg, struct zk_file *zf, long fd,
				      long bytes, long op, bool uring, const void *buf,
				      __u64 buflen)
{
	__u64 avail = (__u64)bytes < buflen ? (__u64)bytes : buflen;
	struct vg_event *e = rec_begin(s, VG_EV_FILE_READ, cg);
	long n;
	__u32 off = 0;

	n = bpf_probe_read_kernel_str(&e->data[0], ZK_PATH_MAX, zf->path);
	if (n > 0) {
		off = n;
		e->str_len[0] = n;
	}
	e->arg[0] = bytes;
	e->arg[1] = fd;
	e->arg[4] = op;
	if (uring)
		e->flags |= VG_F_IOURING;
	/* no buffer: the content went kernel to kernel (sendfile, splice, copy_file_range) */
	if (buf)
		off = put_sample(e, off, 1, buf, take_budget(cg, avail));
	rec_send(e, off);
}

/* The zfiles entry of f when it is a sensitive file this workload opened while zoomed. */
static __always_inline struct zk_file *sensitive_file(struct file *f)
{
	__u64 key = (__u64)f;
	struct zk_file *zf;

	if (!f)
		return NULL;
	zf = bpf_map_lookup_elem(&zfiles, &key);
	if (zf && zf->inode != (__u64)BPF_CORE_READ(f, f_inode))
		return NULL;
	return zf;
}

/* ---- sensitive path test ------------------------------------------------------------- */

struct match_ctx {
	const char *path;
	struct zk_cfg *cfg;
	__u32 n;
	bool hit;
};

static long match_one(__u32 i, struct match_ctx *m)
{
	struct zk_pat *p;
	__u32 len, start;

	if (i >= ZK_PATS)
		return 1;
	p = &m->cfg->pats[i];
	len = p->len;
	if (!len)
		return 1;
	if (len > ZK_PAT_MAX || len > m->n)
		return 0;
	start = p->kind == ZK_PAT_SUFFIX ? m->n - len : 0;
	for (__u32 j = 0; j < ZK_PAT_MAX; j++) {
		if (j >= len)
			break;
		if (m->path[(start + j) & (ZK_PATH_MAX - 1)] != p->s[j])
			return 0;
	}
	m->hit = true;
	return 1;
}

/* Is the NUL-terminated path (n bytes with the NUL) in s->path sensitive? */
static __always_inline bool sensitive_path(struct zk_scratch *s, long n)
{
	struct match_ctx m = { .path = s->path };

	m.cfg = cfg();
	if (!m.cfg || n <= 1 || n > ZK_PATH_MAX)
		return false;
	m.n = n - 1;
	bpf_loop(ZK_PATS, match_one, &m, 0);
	return m.hit;
}

static __always_inline void remember_file(struct file *f, const char *path)
{
	struct zk_file *zf;
	__u64 key = (__u64)f;
	struct zk_scratch *s = scratch();

	if (!f || !s)
		return;
	/* build the value in scratch (too big for the stack) */
	zf = (struct zk_file *)s->rec;
	zf->inode = (__u64)BPF_CORE_READ(f, f_inode);
	if (bpf_probe_read_kernel_str(zf->path, sizeof(zf->path), path) < 0)
		zf->path[0] = 0;
	if (bpf_map_update_elem(&zfiles, &key, zf, BPF_ANY))
		zcount(ZK_CNT_DROP_TABLE);
}

#include "zoom_tls.bpf.h"

/* ---- plain syscalls ------------------------------------------------------------------ */

/*
 * sendfile, splice, copy_file_range: the content goes from one file to another inside the
 * kernel, never through user memory, so there is nothing to sample; what is recorded is that
 * a sensitive file was read (with the byte count) and that bytes left through (or came in
 * from) a socket. The NET_IO record of a send names the file it came from (string 1), so the
 * report can say the secret was sent without a sample to match.
 */
static __always_inline void in_kernel_copy(struct zk_scratch *s, __u64 cg, struct pt_regs *regs,
					   long nr, long ret)
{
	long in = nr == NR_sendfile ? BPF_CORE_READ(regs, si) : BPF_CORE_READ(regs, di);
	long out = nr == NR_sendfile ? BPF_CORE_READ(regs, di) : BPF_CORE_READ(regs, dx);
	struct file *fin = cur_fd_file(in);
	struct file *fout = cur_fd_file(out);
	struct zk_file *zf = sensitive_file(fin);
	struct sock *sk;

	if (zf)
		file_read(s, cg, zf, in, ret, nr, false, NULL, 0);
	sk = file_sock(fout);
	if (sk)
		net_io(s, cg, sk, out, ret, VG_DIR_OUT, nr, false, NULL, 0, NULL,
		       zf ? zf->path : NULL);
	sk = file_sock(fin);
	if (sk)
		net_io(s, cg, sk, in, ret, VG_DIR_IN, nr, false, NULL, 0, NULL, NULL);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_zoom_sys_exit, struct pt_regs *regs, long ret)
{
	long nr, fd;
	const void *buf = NULL, *uaddr = NULL;
	struct zk_scratch *s;
	struct sock *sk;
	struct file *f;
	__u64 cg, len;
	int dir;

	if (!any_zoomed())
		return 0;
	cg = bpf_get_current_cgroup_id();
	if (!zoomed(cg))
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	s = scratch();
	if (!s)
		return 0;
	/* orig_ax is -1 after a signal handler's return (rt_sigreturn's own exit) */
	if (nr >= 0 && nr < VG_MAX_SYSCALLS)
		syscall_record(s, cg, nr, ret);
	switch (nr) {
	case NR_read:
	case NR_write:
	case NR_pread64:
	case NR_sendto:
	case NR_recvfrom:
	case NR_sendmsg:
	case NR_recvmsg:
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_readv:
	case NR_writev:
	case NR_preadv:
	case NR_pwritev:
	case NR_preadv2:
	case NR_pwritev2:
	case NR_recvmmsg:
	case NR_sendmmsg:
	case NR_sendfile:
	case NR_splice:
	case NR_copy_file_range:
		break;
	default:
		return 0;
	}
	if (ret < 0)
		return 0;
	if (nr == NR_open || nr == NR_openat || nr == NR_openat2) {
		const char *up = (const char *)(nr == NR_open ? BPF_CORE_READ(regs, di)
							      : BPF_CORE_READ(regs, si));
		long n = bpf_probe_read_user_str(s->path, sizeof(s->path), up);

		if (sensitive_path(s, n))
			remember_file(cur_fd_file(ret), s->path);
		return 0;
	}
	if (ret == 0)
		return 0;
	if (nr == NR_sendfile || nr == NR_splice || nr == NR_copy_file_range) {
		in_kernel_copy(s, cg, regs, nr, ret);
		return 0;
	}
	fd = BPF_CORE_READ(regs, di);
	f = cur_fd_file(fd);
	if (!f)
		return 0;
	dir = nr == NR_write || nr == NR_sendto || nr == NR_sendmsg || nr == NR_writev ||
			      nr == NR_pwritev || nr == NR_pwritev2 || nr == NR_sendmmsg
		      ? VG_DIR_OUT
		      : VG_DIR_IN;
	len = ret;
	if (nr == NR_sendmsg || nr == NR_recvmsg || nr == NR_sendmmsg || nr == NR_recvmmsg) {
		/* a struct mmsghdr starts with its user_msghdr; of the *mmsg calls (whose result
		 * is a count of messages) the first message is recorded, with its own length */
		struct mmsghdr m = {};
		struct iovec iov = {};
		bool multi = nr == NR_sendmmsg || nr == NR_recvmmsg;

		bpf_probe_read_user(&m, multi ? sizeof(m) : sizeof(m.msg_hdr),
				    (void *)BPF_CORE_READ(regs, si));
		if (multi)
			ret = m.msg_len;
		if (ret <= 0)
			return 0;
		bpf_probe_read_user(&iov, sizeof(iov), m.msg_hdr.msg_iov);
		buf = iov.iov_base;
		len = iov.iov_len;
		uaddr = m.msg_hdr.msg_name;
	} else if (nr == NR_readv || nr == NR_writev || nr == NR_preadv || nr == NR_pwritev ||
		   nr == NR_preadv2 || nr == NR_pwritev2) {
		/* vectored: the first buffer is sampled, the byte count is the whole call's */
		struct iovec iov = {};

		bpf_probe_read_user(&iov, sizeof(iov), (void *)BPF_CORE_READ(regs, si));
		buf = iov.iov_base;
		len = iov.iov_len;
	} else {
		buf = (const void *)BPF_CORE_READ(regs, si);
		if (nr == NR_sendto || nr == NR_recvfrom)
			uaddr = (const void *)BPF_CORE_READ(regs, r8);
	}
	sk = file_sock(f);
	if (sk) {
		net_io(s, cg, sk, fd, ret, dir, nr, false, buf, len, uaddr, NULL);
		tls_note_sock(s, sk, fd);
		return 0;
	}
	if (nr == NR_read || nr == NR_pread64 || nr == NR_readv || nr == NR_preadv ||
	    nr == NR_preadv2) {
		struct zk_file *zf = sensitive_file(f);

		if (zf)
			file_read(s, cg, zf, fd, ret, nr, false, buf, len);
	}
	return 0;
}

/* ---- io_uring: buffer at submission, result at completion ------------------------------- */

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vg_zoom_uring_submit, struct io_kiocb *req)
{
	struct zk_scratch *s;
	struct zk_pend *p;
	__u64 cg, key = (__u64)req;
	__u8 op;

	if (!any_zoomed())
		return 0;
	cg = bpf_get_current_cgroup_id();
	if (!zoomed(cg))
		return 0;
	s = scratch();
	if (!s)
		return 0;
	op = BPF_CORE_READ(req, opcode);
	p = &s->pend;
	__builtin_memset(p, 0, sizeof(*p));
	p->op = op;
	p->cgroup_id = cg;
	p->user_data = BPF_CORE_READ(req, cqe.user_data);
	if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_READ) ||
	    op == bpf_core_enum_value(enum io_uring_op, IORING_OP_WRITE)) {
		struct io_rw *rw = (void *)&req->cmd;

		p->buf = BPF_CORE_READ(rw, addr);
		p->len = BPF_CORE_READ(rw, len);
	} else if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SEND) ||
		   op == bpf_core_enum_value(enum io_uring_op, IORING_OP_RECV)) {
		struct io_sr_msg *sr = (void *)&req->cmd;

		p->buf = (__u64)BPF_CORE_READ(sr, buf);
		p->len = BPF_CORE_READ(sr, len);
	} else if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT) ||
		   op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT2)) {
		struct io_open *o = (void *)&req->cmd;
		struct filename *fn = BPF_CORE_READ(o, filename);
		long n = bpf_probe_read_kernel_str(s->path, sizeof(s->path),
						   BPF_CORE_READ(fn, name));

		/* an open into a fixed-file slot completes with 0, not an fd: not followed */
		if (BPF_CORE_READ(o, file_slot) || !sensitive_path(s, n))
			return 0;
		p->sensitive = 1;
		bpf_probe_read_kernel_str(p->path, sizeof(p->path), s->path);
	} else {
		return 0;
	}
	if (bpf_map_update_elem(&zpend, &key, p, BPF_ANY))
		zcount(ZK_CNT_DROP_TABLE);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(vg_zoom_uring_complete, struct io_ring_ctx *rctx, void *req_, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = req_;
	struct zk_scratch *s;
	struct zk_pend *p;
	struct sock *sk;
	struct file *f;
	__u64 key = (__u64)req, cg, buf;
	__s32 res;
	__u32 len;
	__u8 op;

	if (!any_zoomed())
		return 0;
	p = bpf_map_lookup_elem(&zpend, &key);
	if (!p)
		return 0;
	s = scratch();
	if (!s || p->user_data != BPF_CORE_READ(cqe, user_data)) {
		bpf_map_delete_elem(&zpend, &key);
		return 0;
	}
	__builtin_memcpy(&s->pend, p, sizeof(s->pend));
	bpf_map_delete_elem(&zpend, &key);
	p = &s->pend;
	res = BPF_CORE_READ(cqe, res);
	cg = p->cgroup_id;
	op = p->op;
	buf = p->buf;
	len = p->len;
	if (res < 0)
		return 0;
	if (p->sensitive) {
		/* OPENAT: the result is the new fd (fixed-file opens are not followed) */
		remember_file(cur_fd_file(res), p->path);
		return 0;
	}
	if (!res)
		return 0;
	f = BPF_CORE_READ(req, file);
	sk = file_sock(f);
	if (sk) {
		int dir =
			op == bpf_core_enum_value(enum io_uring_op, IORING_OP_WRITE) ||
					op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SEND)
				? VG_DIR_OUT
				: VG_DIR_IN;

		net_io(s, cg, sk, -1, res, dir, op, true, (const void *)buf, len, NULL, NULL);
		return 0;
	}
	if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_READ)) {
		struct zk_file *zf = sensitive_file(f);

		if (zf)
			file_read(s, cg, zf, -1, res, op, true, (const void *)buf, len);
	}
	return 0;
}

/* raw_tp twins (the sensor falls back to them when tp_btf programs do not load) */
SEC("raw_tp/sys_exit")
int BPF_PROG(vg_zoom_sys_exit_raw, struct pt_regs *regs, long ret)
{
	return ____vg_zoom_sys_exit(ctx, regs, ret);
}

SEC("raw_tp/io_uring_submit_req")
int BPF_PROG(vg_zoom_uring_submit_raw, struct io_kiocb *req)
{
	return ____vg_zoom_uring_submit(ctx, req);
}

SEC("raw_tp/io_uring_complete")
int BPF_PROG(vg_zoom_uring_complete_raw, struct io_ring_ctx *rctx, void *req_,
	     struct io_uring_cqe *cqe)
{
	return ____vg_zoom_uring_complete(ctx, rctx, req_, cqe);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
