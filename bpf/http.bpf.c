// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * HTTP/1.x request lines (HTTP records, V1108, docs/DETECTION.md "endpoints"): the first bytes
 * of the first write on a TCP socket (a request the workload sends: outbound) and of the first
 * read (a request it receives: inbound), when they start with an HTTP method and a space.
 * Once per socket and direction: a per-socket note (httpsk) says the socket was looked at,
 * and a per-process note of quiet descriptors (httpfd, below) lets the dispatcher end every
 * later call on it, and every read or write of a file or pipe, at one lookup and a bit test. The request line
 * is parsed in user space (lib/analysis/http.c), from at most VG_HTTP_MAX bytes.
 *
 * A server's writes are its responses and a client's reads the server's: a socket's side is
 * noted when it connects or accepts (http_side), so those are never read; a socket whose side
 * is not known (io_uring CONNECT, Fast Open, a note evicted) is read in both directions, where
 * a response does not start with a method. A connection reused for a second request
 * (keep-alive, pipelining) shows only its first; TLS and HTTP/2 never match (their first
 * bytes are a handshake or the "PRI *" preface): docs/DETECTION.md limits.
 *
 * Outbound bytes are read from the caller's buffer at the call's exit, after the kernel took
 * its copy: a second thread of the workload can rewrite the buffer in between (the same
 * limit as DNS payloads). Inbound bytes are what the kernel just copied into the reader's
 * buffer: the remote client cannot change them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "sensor_abi.h"
#include "shared.bpf.h"
#include "maps.bpf.h"
#include "record.bpf.h"
#include "extract.bpf.h"
#include "syscalls.bpf.h"

#ifndef IPPROTO_TCP_
#define IPPROTO_TCP_ 6
#endif

/* One note per socket and direction: looked at already. The socket's inode number is in the
 * key beside its address so a socket freed and reallocated at the same address is new. LRU:
 * a note evicted lets a later call on that socket be looked at again, which reads bytes in
 * the middle of the stream (they rarely start with a method; when they do, it is a request) */
struct vg_http_key {
	__u64 sk;
	__u32 ino;
	__u32 dir;
};
/* n: VG_HTTP_DONE once looked at; 1..4 while the bytes seen (pre, first byte lowest) are the
 * start of a method and the rest has not come yet: a request dripped a byte at a time, or a
 * server whose first read got only what had arrived, is read when its method is whole */
#define VG_HTTP_DONE 0xff
struct vg_http_note {
	__u32 pre;
	__u8 n;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vg_http_key);
	__type(value, struct vg_http_note);
} httpsk SEC(".maps");

/*
 * Per process (tgid, whose threads share their descriptors), the descriptors already known
 * to need no look in a direction: not a TCP socket (a file, a pipe, a UNIX socket), or a
 * socket whose note is done. A read or write of such a descriptor costs one lookup and a bit
 * test, never the descriptor walk nor the note's lookup. A clear bit means "look": a process
 * seen for the first time (or its entry evicted, or its leader exited) starts with every
 * descriptor looked at once, so descriptors inherited at fork or present at exec are covered.
 * A descriptor made again at a number known quiet is cleared by socket, accept, dup and
 * pidfd_getfd (http_fd_new); a recvmsg that brought control data (SCM_RIGHTS) forgets the
 * process's note. One made by io_uring (its accept or socket) stays quiet: docs/DETECTION.md
 * limits. Descriptors from VG_HTTP_FDS on are always looked at. A thread closing a socket and
 * reusing its number while another thread's call on it is between the walk and the bit can
 * leave the new descriptor quiet (a window of a few instructions).
 */
/* VG_HTTP_FDS, struct vg_http_fds and the map httpfd: bpf/syscalls.bpf.h (the dispatcher tests
 * it inline) */
static const struct vg_http_fds http_fds_fresh; /* all clear: every descriptor looked at */

/* a descriptor known quiet in a direction (in, out, or both) */
static __always_inline void fd_quiet(struct vg_http_fds *q, __u64 fd, bool in, bool out)
{
	if (!q || fd >= VG_HTTP_FDS)
		return;
	if (in)
		__sync_fetch_and_or(&q->in[fd / 64], 1ull << (fd & 63));
	if (out)
		__sync_fetch_and_or(&q->out[fd / 64], 1ull << (fd & 63));
}

/* The first four bytes (little-endian) of every method Vigil knows, and the byte after them
 * the method needs ("GET " and "PUT " end in the space) */
static __always_inline bool http_method_start(__u64 w)
{
	__u32 lo = (__u32)w;
	__u8 b4 = (w >> 32) & 0xff;

	switch (lo) {
	case 0x20544547: /* "GET " */
	case 0x20545550: /* "PUT " */
		return true;
	case 0x54534f50: /* "POST" */
	case 0x44414548: /* "HEAD" */
		return b4 == ' ';
	case 0x454c4544: /* "DELE" TE */
	case 0x43544150: /* "PATC" H */
	case 0x4954504f: /* "OPTI" ONS */
	case 0x4e4e4f43: /* "CONN" ECT */
	case 0x43415254: /* "TRAC" E */
		return b4 >= 'A' && b4 <= 'Z';
	default:
		return false;
	}
}

/* Whether the first `have` bytes of w (1..4) are the start of a method Vigil knows */
static __always_inline bool http_method_prefix(__u64 w, __u32 have)
{
	static const __u32 m[] = { 0x20544547, 0x20545550, 0x54534f50, 0x44414548, 0x454c4544,
				   0x43544150, 0x4954504f, 0x4e4e4f43, 0x43415254 };
	__u32 mask = have >= 4 ? 0xffffffff : (1u << (have * 8)) - 1;

	for (int i = 0; i < 9; i++)
		if (!((m[i] ^ (__u32)w) & mask))
			return true;
	return false;
}

__noinline int on_http(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t;
	struct vg_http_key k = {};
	struct socket *so;
	struct sock *sk;
	struct file *f;
	struct vg_event *e;
	__u64 buf = 0, len = 0, w = 0, h, sz, fd = BPF_CORE_READ(regs, di);
	struct vg_http_note *v, note = { .n = VG_HTTP_DONE };
	__u32 pre = 0, pn = 0, have;
	__u16 fam;
	__u32 off, tgid = bpf_get_current_pid_tgid() >> 32;
	bool in = nr == NR_read || nr == NR_readv || nr == NR_recvfrom || nr == NR_recvmsg;
	struct vg_http_fds *q;

	if (ret <= 0 || !want(VG_EV_HTTP))
		return 0;
	/* descriptors received over a UNIX socket (SCM_RIGHTS) land on numbers that may be known
	 * quiet: after a message with control data, every descriptor is looked at once again */
	if (nr == NR_recvmsg) {
		__u64 clen = 0;
		struct user_msghdr *um = (struct user_msghdr *)BPF_CORE_READ(regs, si);

		if (!bpf_probe_read_user(&clen, sizeof(clen), &um->msg_controllen) && clen)
			bpf_map_delete_elem(&httpfd, &tgid);
	}
	/* the one test most calls end at: a descriptor known quiet in this direction */
	q = bpf_map_lookup_elem(&httpfd, &tgid);
	if (q && fd < VG_HTTP_FDS && ((in ? q->in[fd / 64] : q->out[fd / 64]) >> (fd & 63)) & 1)
		return 0;
	if (!q) {
		bpf_map_update_elem(&httpfd, &tgid, &http_fds_fresh, BPF_NOEXIST);
		q = bpf_map_lookup_elem(&httpfd, &tgid);
	}
	t = (struct task_struct *)bpf_get_current_task();
	f = fd_file(t, fd);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != 0140000) { /* S_IFSOCK */
		if (f)							      /* not a socket */
			fd_quiet(q, fd, true, true);
		return 0;
	}
	so = BPF_CORE_READ(f, private_data);
	sk = so ? BPF_CORE_READ(so, sk) : NULL;
	fam = sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : 0;
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_ ||
	    (fam != AF_INET_ && fam != AF_INET6_)) {
		fd_quiet(q, fd, true, true);
		return 0;
	}
	k.sk = (__u64)sk;
	k.ino = BPF_CORE_READ(f, f_inode, i_ino);
	k.dir = in ? VG_DIR_IN : VG_DIR_OUT;
	v = bpf_map_lookup_elem(&httpsk, &k);
	if (v && v->n == VG_HTTP_DONE) {
		fd_quiet(q, fd, in, !in);
		return 0;
	}
	if (v) {
		pre = v->pre;
		pn = v->n > 4 ? 4 : v->n;
	}
	if (nr == NR_read || nr == NR_write || nr == NR_recvfrom || nr == NR_sendto) {
		buf = BPF_CORE_READ(regs, si);
		len = BPF_CORE_READ(regs, dx);
	} else {
		struct iovec v = {};
		__u64 iov = BPF_CORE_READ(regs, si);

		/* recvmsg, sendmsg: the message header's iovec; readv, writev: the vector */
		if (nr == NR_recvmsg || nr == NR_sendmsg) {
			struct user_msghdr m = {};

			bpf_probe_read_user(&m, sizeof(m), (void *)iov);
			iov = (__u64)m.msg_iov;
		}
		bpf_probe_read_user(&v, sizeof(v), (void *)iov);
		buf = (__u64)v.iov_base;
		len = v.iov_len;
	}
	if (len > (__u64)ret)
		len = ret;
	/* the stream's first bytes: those noted before, then this call's */
	sz = len > 8 ? 8 : len;
	if (!sz || bpf_probe_read_user(&w, sz, (void *)buf)) {
		bpf_map_update_elem(&httpsk, &k, &note, BPF_ANY);
		fd_quiet(q, fd, in, !in);
		return 0;
	}
	h = (__u64)pre | (w << (pn * 8));
	have = pn + sz;
	if (have < 5) {
		if (http_method_prefix(h, have)) {
			note.n = have;
			note.pre = (__u32)h;
		} else {
			fd_quiet(q, fd, in, !in);
		}
		bpf_map_update_elem(&httpsk, &k, &note, BPF_ANY);
		return 0;
	}
	bpf_map_update_elem(&httpsk, &k, &note, BPF_ANY);
	fd_quiet(q, fd, in, !in);
	if (!http_method_start(h))
		return 0;
	e = ev_begin(VG_EV_HTTP, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk); /* arg[0]: TCP */
	e->arg[1] = 0;
	e->arg[2] = fd;
	e->arg[3] = k.dir; /* net's layout (docs/SENSOR.md): the direction */
	e->arg[4] = pn;	   /* bytes of the request that came before this call's, */
	e->arg[5] = pre;   /* in arg[5], first byte lowest */
	off = put_user_bytes(e, 0, 0, (void *)buf, len, VG_HTTP_MAX, VG_STR_BYTES);
	/* de-duplicated by the request's first bytes and the addresses */
	return ev_submit(e, off, 2, false);
}

/*
 * The side a socket took, noted when it connected or accepted: a connected socket's reads are
 * its peer's responses and an accepted socket's writes are the workload's responses, so
 * neither is a request and neither is looked at (an echoing peer's reflection of a request is
 * not an inbound request). A socket connected another way (io_uring CONNECT, Fast Open) is
 * looked at in both directions, as any socket whose note was evicted.
 */
__noinline int http_side(__u64 sk_, __u64 accepted)
{
	struct sock *sk = (struct sock *)sk_;
	struct vg_http_key k = {};
	struct vg_http_note note = { .n = VG_HTTP_DONE };

	if (!sk || !want(VG_EV_HTTP) || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_)
		return 0;
	k.sk = sk_;
	k.ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	k.dir = accepted ? VG_DIR_OUT : VG_DIR_IN;
	bpf_map_update_elem(&httpsk, &k, &note, BPF_ANY);
	return 0;
}

/* A descriptor made at fd (socket, accept, dup, pidfd_getfd: a number that may be known quiet from its last
 * use) is looked at again in both directions */
__noinline int http_fd_new(__u64 fd)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct vg_http_fds *q;

	if (!want(VG_EV_HTTP) || fd >= VG_HTTP_FDS)
		return 0;
	q = bpf_map_lookup_elem(&httpfd, &tgid);
	if (!q)
		return 0; /* a fresh entry looks at every descriptor */
	__sync_fetch_and_and(&q->in[fd / 64], ~(1ull << (fd & 63)));
	__sync_fetch_and_and(&q->out[fd / 64], ~(1ull << (fd & 63)));
	return 0;
}

/* A process gone (its thread group dead): its descriptors with it, and its number may be
 * reused by a process whose descriptors are others */
__noinline int http_proc_gone(__u64 tgid)
{
	__u32 k = tgid;

	if (want(VG_EV_HTTP))
		bpf_map_delete_elem(&httpfd, &k);
	return 0;
}
