// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* io_uring: rings created and requests submitted (their opcodes, files, opens and connects). */
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
#include "enforce.bpf.h"
#include "syscalls.bpf.h"

SEC("tp_btf/io_uring_create")
int BPF_PROG(vg_uring_create, int fd, void *uctx, __u32 sq_entries, __u32 cq_entries, __u32 flags)
{
	struct vg_event *e;
	__u64 cg;

	if (!want(VG_EV_IOURING_CREATE) || !monitored(&cg))
		return 0;
	e = ev_begin(VG_EV_IOURING_CREATE, cg);
	if (!e)
		return 0;
	e->arg[0] = sq_entries;
	e->arg[1] = cq_entries;
	e->arg[2] = flags;
	e->arg[3] = fd;
	return ev_submit(e, 0, 0, false);
}

/*
 * What an io_uring request works on: its file is only assigned when it is issued, after this
 * tracepoint, so a plain (not fixed) descriptor is looked up in the submitter's table: a
 * socket gives addresses, a file its path. Fixed files stay unknown.
 */
#define URING_OP(name) bpf_core_enum_value(enum io_uring_op, IORING_OP_##name)

/* Opcodes whose sqe fd names the file or socket they work on. */
static __always_inline bool uring_op_has_file(__u8 op)
{
	return op == URING_OP(READV) || op == URING_OP(WRITEV) || op == URING_OP(READ_FIXED) ||
	       op == URING_OP(WRITE_FIXED) || op == URING_OP(SENDMSG) || op == URING_OP(RECVMSG) ||
	       op == URING_OP(ACCEPT) || op == URING_OP(CONNECT) || op == URING_OP(READ) ||
	       op == URING_OP(WRITE) || op == URING_OP(SEND) || op == URING_OP(RECV) ||
	       (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SENDMSG_ZC) &&
		(op == URING_OP(SEND_ZC) || op == URING_OP(SENDMSG_ZC)));
}

static __always_inline bool uring_op_is_open(__u8 op)
{
	return bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_OPENAT) &&
	       (op == URING_OP(OPENAT) || op == URING_OP(OPENAT2));
}

/* Keeps the name of a submitted open (the kernel's copy, the bytes it resolves). */
static __always_inline int uring_open_pending(struct io_kiocb *req)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct io_open *o = (void *)&req->cmd;
	struct vg_uring_open *p;
	__u64 key = (__u64)req;
	long n;

	if (!s)
		return 0;
	p = (struct vg_uring_open *)s->buf;
	p->user_data = BPF_CORE_READ(req, cqe.user_data);
	n = bpf_probe_read_kernel_str(p->name, sizeof(p->name), BPF_CORE_READ(o, filename, name));
	p->len = n > 0 ? n : 0;
	if (bpf_map_update_elem(&uring_open, &key, p, BPF_ANY))
		count(VG_CNT_DROP_TABLE);
	return 0;
}

/* A slot of the ring's table of fixed files (registered, or installed by a direct open). */
static __always_inline struct file *uring_fixed_file(struct io_ring_ctx *rctx, __u32 slot)
{
	struct io_rsrc_node **nodes, *node = NULL;
	unsigned long ptr;
	__u32 nr;

	nr = BPF_CORE_READ(rctx, file_table.data.nr);
	nodes = BPF_CORE_READ(rctx, file_table.data.nodes);
	if (slot >= nr || !nodes)
		return NULL;
	bpf_probe_read_kernel(&node, sizeof(node), &nodes[slot]);
	if (!node)
		return NULL;
	ptr = BPF_CORE_READ(node, file_ptr);
	return (struct file *)(ptr & ~3ul); /* low bits: FFS_NOWAIT, FFS_ISREG */
}

/* The file a completed open installed: a descriptor, or a slot of the ring's fixed table. */
static __always_inline struct file *uring_opened_file(struct io_kiocb *req, struct io_open *o,
						      __s32 res)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 slot = BPF_CORE_READ(o, file_slot);

	if (!slot)
		return fd_file(t, res);
	/* IORING_FILE_INDEX_ALLOC: the kernel chose the slot and returned it; else slot - 1 */
	slot = slot == ~0u ? (__u32)res : slot - 1;
	return uring_fixed_file(BPF_CORE_READ(req, ctx), slot);
}

/* The file a request names in its sqe: a descriptor of the submitter's table, or with
 * IOSQE_FIXED_FILE (REQ_F_FIXED_FILE) a slot of the ring's table. */
static __always_inline struct file *uring_req_file(struct io_kiocb *req)
{
	__s32 fd = BPF_CORE_READ(req, cqe.fd);

	if (fd < 0)
		return NULL;
	if (BPF_CORE_READ(req, flags) & 1) /* REQ_F_FIXED_FILE */
		return uring_fixed_file(BPF_CORE_READ(req, ctx), fd);
	return fd_file((struct task_struct *)bpf_get_current_task(), fd);
}

static __always_inline __u32 uring_target(struct vg_event *e, struct io_kiocb *req)
{
	struct file *f;
	struct socket *so;
	__u16 mode;

	if (!uring_op_has_file(BPF_CORE_READ(req, opcode)))
		return 0;
	f = uring_req_file(req);
	if (!f)
		return 0;
	/* a fixed file has no descriptor: -1 */
	if (!(BPF_CORE_READ(req, flags) & 1))
		e->arg[1] = BPF_CORE_READ(req, cqe.fd);
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & 0170000) == 0140000) { /* S_IFSOCK */
		so = BPF_CORE_READ(f, private_data);
		if (so && BPF_CORE_READ(so, sk))
			sock_addrs(e, BPF_CORE_READ(so, sk));
		return 0;
	}
	return put_file_path(e, 0, 0, f);
}

/* A write to a regular file through io_uring: the file may be executed later (drop-and-execute). */
static __always_inline void uring_mark_written(__u64 cg, struct io_kiocb *req, __u8 op)
{
	if (op != URING_OP(WRITE) && op != URING_OP(WRITEV) && op != URING_OP(WRITE_FIXED))
		return;
	mark_written(cg, uring_req_file(req), VG_WR_URING);
}

/*
 * Sends that name their peer: SENDMSG with a msg_name, SEND with an address (sqe addr2), and
 * their zero-copy forms. Egress with no connect, judged as the sendto/sendmsg calls are
 * (send_peer: a datagram socket, or TCP with MSG_FASTOPEN). The address is the kernel's
 * copy, made when the request was prepared (before this tracepoint): the peer the request
 * sends to, whatever the submitter writes into its own memory afterwards. The request has not
 * run yet: its result is unknown (arg[1] 0), and a refused peer is judged before it leaves.
 * A send without an address (and a WRITE or WRITEV on a datagram socket) goes to the socket's
 * connected peer: its connect showed it, unless the socket was connected before the workload
 * began to enforce R0011 or came from outside it; in a workload enforcing R0011 that peer is
 * read from the socket and judged here (send_peer), elsewhere nothing is recorded.
 */
static __always_inline int uring_send(__u64 cg, struct io_kiocb *req, __u8 op)
{
	struct io_sr_msg *sr = (void *)&req->cmd;
	struct io_async_msghdr *km;
	struct socket *so;
	struct sock *sk;
	struct file *f;
	__u64 call, flags = 0, how;
	__s32 fd;
	void *name = NULL;
	int nlen = 0;
	__u16 fam;
	bool wr = false;

	if (op == URING_OP(SENDMSG))
		call = VG_SEND_SENDMSG;
	else if (op == URING_OP(SEND))
		call = VG_SEND_SEND;
	else if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SEND_ZC) &&
		 op == URING_OP(SEND_ZC))
		call = VG_SEND_SEND_ZC;
	else if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SENDMSG_ZC) &&
		 op == URING_OP(SENDMSG_ZC))
		call = VG_SEND_SENDMSG_ZC;
	else if (op == URING_OP(WRITE) || op == URING_OP(WRITEV))
		call = op == URING_OP(WRITE) ? VG_SEND_WRITE : VG_SEND_WRITEV, wr = true;
	else
		return 0;
	if (!want(VG_EV_SEND))
		return 0;
	/* prepared since 6.10: the msghdr in the request's async data, its name in kmsg->addr */
	km = wr ? NULL : BPF_CORE_READ(req, async_data);
	if (km) {
		name = BPF_CORE_READ(km, msg.msg_name);
		nlen = BPF_CORE_READ(km, msg.msg_namelen);
	}
	if (!name || nlen < 2) {
		/* no address: only a workload enforcing R0011 judges the connected peer */
		if (!enforce_egress || !egress_enforced(cg))
			return 0;
		name = NULL;
		nlen = 0;
	}
	f = uring_req_file(req);
	so = f ? BPF_CORE_READ(f, private_data) : NULL;
	sk = so ? BPF_CORE_READ(so, sk) : NULL;
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != 0140000 || !sk)
		return 0;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam != AF_INET_ && fam != AF_INET6_)
		return 0;
	if (!wr)
		flags = BPF_CORE_READ(sr, msg_flags);
	if (BPF_CORE_READ(sk, sk_type) != SOCK_DGRAM_ &&
	    !(BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP_ && (flags & MSG_FASTOPEN_)))
		return 0;
	fd = BPF_CORE_READ(req, flags) & 1 ? -1 : BPF_CORE_READ(req, cqe.fd);
	how = (__u64)(nlen & 0xffff) | (call << 16) | VG_SENDHOW_KADDR | VG_SENDHOW_IOURING |
	      (flags << 32);
	return send_peer((__u64)sk, (__u64)name, how, (__u64)(__u32)fd << 32, cg);
}

/*
 * DNS in io_uring requests, read as the syscalls' (docs/SENSOR.md): a UDP datagram to a DNS
 * port by SEND or SENDMSG (and their zero-copy forms), to the address the request names or the
 * connected peer; DNS over TCP by SEND, SENDMSG, WRITE or WRITEV on a TCP socket whose peer is
 * a DNS port (its stream, put back together in user space with the syscalls' writes). The
 * request has not run: the length sent is the length asked.
 */
static __always_inline void uring_dns(__u64 cg, struct io_kiocb *req, __u8 op)
{
	struct io_sr_msg *sr = (void *)&req->cmd;
	struct io_rw *rw = (void *)&req->cmd;
	struct io_async_msghdr *km;
	struct iovec v[2] = {};
	struct socket *so;
	struct sock *sk;
	struct file *f;
	__u64 b0 = 0, b1 = 0, l0 = 0, l1 = 0;
	bool msg = false, wr = false, wv = false;
	__u16 fam, proto;

	if (op == URING_OP(SENDMSG) ||
	    (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SENDMSG_ZC) &&
	     op == URING_OP(SENDMSG_ZC)))
		msg = true;
	else if (op == URING_OP(WRITE) || op == URING_OP(WRITEV))
		wr = true, wv = op == URING_OP(WRITEV);
	else if (op != URING_OP(SEND) &&
		 !(bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SEND_ZC) &&
		   op == URING_OP(SEND_ZC)))
		return;
	if (!want(VG_EV_DNS))
		return;
	f = uring_req_file(req);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != 0140000) /* S_IFSOCK */
		return;
	so = BPF_CORE_READ(f, private_data);
	sk = so ? BPF_CORE_READ(so, sk) : NULL;
	if (!sk)
		return;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	proto = BPF_CORE_READ(sk, sk_protocol);
	if ((fam != AF_INET_ && fam != AF_INET6_) || (wr && proto != IPPROTO_TCP_))
		return;
	if (wr) {
		b0 = BPF_CORE_READ(rw, addr);
		l0 = BPF_CORE_READ(rw, len);
	} else {
		b0 = (__u64)BPF_CORE_READ(sr, buf);
		l0 = (__u32)BPF_CORE_READ(sr, len);
	}
	if (msg || wv) {
		/* a msghdr, or an iovec array of l0 entries: the first two buffers */
		if (msg) {
			struct user_msghdr m = {};

			bpf_probe_read_user(&m, sizeof(m), (void *)b0);
			b0 = (__u64)m.msg_iov;
			l0 = m.msg_iovlen;
		}
		bpf_probe_read_user(&v, l0 > 1 ? sizeof(v) : sizeof(v[0]), (void *)b0);
		b0 = (__u64)v[0].iov_base;
		l0 = v[0].iov_len;
		b1 = (__u64)v[1].iov_base;
		l1 = v[1].iov_len;
	}
	if (proto == IPPROTO_TCP_) {
		dns_stream((__u64)sk, cg, b0, b1, dns_lens(l0, l1, (long)(l0 + l1)));
		return;
	}
	if (proto != IPPROTO_UDP_)
		return;
	/* the address the request names: the kernel's copy, prepared since 6.10 */
	km = BPF_CORE_READ(req, async_data);
	dns_udp((__u64)sk, cg,
		km && BPF_CORE_READ(km, msg.msg_namelen) >= 2
			? (__u64)BPF_CORE_READ(km, msg.msg_name)
			: 0,
		b0, l0);
}

/*
 * IORING_OP_SYMLINKAT and IORING_OP_LINKAT make the same link as symlinkat(2) and linkat(2):
 * the same record (VG_EV_SYMLINK / VG_EV_LINK: string 0 the link name, 1 its directory when
 * relative, 2 the target as given), from the kernel's copies of both names, taken when the
 * request was prepared (a later change of the caller's memory changes nothing). The result is
 * not known yet (arg[1] 0): an attempt at a link over a sensitive file is judged as one.
 */
static __always_inline int uring_link(__u64 cg, struct io_kiocb *req, __u8 op)
{
	struct io_link *l = (void *)&req->cmd;
	__u32 kind, off, start;
	struct vg_event *e;

	if (!bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_LINKAT))
		return 0;
	if (op == URING_OP(SYMLINKAT))
		kind = VG_EV_SYMLINK;
	else if (op == URING_OP(LINKAT))
		kind = VG_EV_LINK;
	else
		return 0;
	if (!want(kind))
		return 1;
	e = ev_begin(kind, cg);
	if (!e)
		return 1;
	off = put_str(e, 0, 0, BPF_CORE_READ(l, newpath, name), false, VG_STR_RAW);
	if (off && e->data[0] != '/')
		off = put_dir(e, off, 1, BPF_CORE_READ(l, new_dfd));
	start = off;
	off = put_str(e, off, 2, BPF_CORE_READ(l, oldpath, name), false, VG_STR_RAW);
	if (off == start)
		return 1; /* no target: nothing to judge (the record is dropped unsent) */
	e->arg[1] = 0;
	e->flags |= VG_F_IOURING;
	ev_submit(e, off, 0, false);
	return 1;
}

/*
 * IORING_OP_RENAMEAT renames as renameat2(2) does: the same record (VG_EV_RENAME: string 0 the
 * new name, 1 its directory when relative, 2 the old name joined to its directory), from the
 * kernel's copies taken when the request was prepared. Judged before it runs (arg[1] 0): an
 * attempt to move a sensitive file is one.
 */
static __always_inline int uring_rename(__u64 cg, struct io_kiocb *req, __u8 op)
{
	struct io_rename *rn = (void *)&req->cmd;
	struct vg_event *e;
	__u32 off;

	if (!bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_RENAMEAT) ||
	    op != URING_OP(RENAMEAT))
		return 0;
	if (!want(VG_EV_RENAME))
		return 1;
	e = ev_begin(VG_EV_RENAME, cg);
	if (!e)
		return 1;
	off = put_str(e, 0, 0, BPF_CORE_READ(rn, newpath, name), false, VG_STR_RAW);
	if (off && e->data[0] != '/')
		off = put_dir(e, off, 1, BPF_CORE_READ(rn, new_dfd));
	off = put_joined_path(e, off, 2, BPF_CORE_READ(rn, oldpath, name), false,
			      BPF_CORE_READ(rn, old_dfd));
	e->arg[0] = BPF_CORE_READ(rn, flags);
	e->arg[1] = 0;
	e->arg[2] = BPF_CORE_READ(rn, old_dfd) == AT_FDCWD_;
	e->flags |= VG_F_IOURING;
	ev_submit(e, off, 0, false);
	return 1;
}

/*
 * IORING_OP_SETXATTR and FSETXATTR of "security.capability" (file capabilities, V1106): at
 * submission, from the kernel's copies of the name and path taken when the request was
 * prepared (SETXATTR: relative to the working directory), or the request's descriptor. Judged
 * before it runs (arg[1] 0), as an attempt; arg[5] 1 (by name) or 2 (by descriptor) tells the
 * opcode (sensor_attr.c).
 */
static __always_inline int uring_setcap(__u64 cg, struct io_kiocb *req, __u8 op)
{
	struct io_xattr *x = (void *)&req->cmd;
	struct vg_event *e;
	bool byfd;
	__u32 off = 0;

	if (!bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SETXATTR))
		return 0;
	if (op == URING_OP(SETXATTR))
		byfd = false;
	else if (op == URING_OP(FSETXATTR))
		byfd = true;
	else
		return 0;
	if (!want(VG_EV_SETID) || !vg_xattr_is_caps((__u64)BPF_CORE_READ(x, ctx.kname), 0))
		return 1;
	e = ev_begin(VG_EV_SETID, cg);
	if (!e)
		return 1;
	if (byfd) {
		struct file *f = uring_req_file(req);

		if (f)
			off = put_file_path(e, 0, 0, f);
	} else {
		off = put_str(e, 0, 0, BPF_CORE_READ(x, filename, name), false, VG_STR_RAW);
		if (off && e->data[0] != '/')
			off = put_dir(e, off, 1, AT_FDCWD_);
	}
	e->arg[5] = byfd ? 2 : 1;
	e->flags |= VG_F_IOURING;
	ev_submit(e, off, 1, false);
	return 1;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vg_uring_submit, struct io_kiocb *req)
{
	struct vg_uring_ops *ops, zero = {};
	struct vg_enforce *en;
	struct vg_event *e;
	__u64 cg, bit;
	__u8 op;
	bool first = false, zoomed, forbidden;
	__u32 off = 0;

	if (!monitored(&cg))
		return 0;
	op = BPF_CORE_READ(req, opcode);
	bit = 1ull << (op & 63);
	ops = bpf_map_lookup_elem(&uringops, &cg);
	if (!ops) {
		bpf_map_update_elem(&uringops, &cg, &zero, BPF_NOEXIST);
		ops = bpf_map_lookup_elem(&uringops, &cg);
		if (!ops) {
			count(VG_CNT_DROP_TABLE);
			return 0;
		}
	}
	if (!(ops->w[(op >> 6) & 3] & bit)) {
		__sync_fetch_and_or(&ops->w[(op >> 6) & 3], bit);
		first = true;
	}
	uring_mark_written(cg, req, op);
	zoomed = bpf_map_lookup_elem(&zoom, &cg) != NULL;
	/* R1030 enforced: an opcode the profile does not list. The request is already prepared
	 * and is issued after this tracepoint: it may run, but its submitter never returns to
	 * user space to see it complete */
	en = bpf_map_lookup_elem(&enforce, &cg);
	forbidden = en && (en->rules & VG_ENF_IOURING) && !(en->uring_allow[(op >> 6) & 3] & bit);
	if (want(VG_EV_IOURING_OP) && (first || zoomed || !cfg_dedup || forbidden)) {
		e = ev_begin(VG_EV_IOURING_OP, cg);
		if (e) {
			e->arg[1] = -1;
			e->flags |= VG_F_IOURING | (first ? VG_F_FIRST : 0);
			off = uring_target(e, req);
			e->arg[0] = op; /* after uring_target, which sets arg[0] to the protocol */
			if (forbidden && en)
				enforce_act(e, en);
			ev_submit(e, off, 1, false);
		}
	}
	off = 0;
	/* an open is judged at its completion, by the file it opened (vg_uring_complete); the
	 * name is kept until then for a failure */
	if (uring_op_is_open(op))
		return want(VG_EV_OPEN) ? uring_open_pending(req) : 0;
	if (uring_link(cg, req, op) || uring_rename(cg, req, op) || uring_setcap(cg, req, op))
		return 0;
	uring_dns(cg, req, op);
	if (uring_send(cg, req, op))
		return 0;
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_CONNECT) &&
	    op == bpf_core_enum_value(enum io_uring_op, IORING_OP_CONNECT)) {
		struct io_connect *c = (void *)&req->cmd;

		if (!want(VG_EV_CONNECT))
			return 0;
		e = ev_begin(VG_EV_CONNECT, cg);
		if (!e)
			return 0;
		uring_target(e, req); /* protocol and local address of the socket */
		e->arg[1] = 0;
		off = put_user_sockaddr(e, 0, &e->sa[1], BPF_CORE_READ(c, addr),
					BPF_CORE_READ(c, addr_len), 0);
		e->arg[2] = -1;
		e->arg[3] = VG_DIR_OUT;
		e->arg[4] = op;
		e->flags |= VG_F_IOURING;
		/* R0011: the cgroup hook refuses the connect when it is issued, right after this
		 * tracepoint (bpf/enforce.bpf.c); the submitter dies on its way back */
		enforce_peer(e, cg, e->arg[0]);
		return ev_submit(e, off, 1, false);
	}
	return 0;
}

/*
 * An OPENAT or OPENAT2 with O_CREAT and a setuid or setgid mode (V1106), as setid.bpf.c
 * reports the open syscalls': the file it made, with the bits the kernel kept (an open of a
 * file that existed ignores the mode). io_uring has no chmod and no mknod operation.
 */
__noinline int uring_setid(__u64 f_, __u64 cg, __u64 mode, __s32 res, __u8 op)
{
	struct file *f = (struct file *)f_;
	struct vg_event *e;
	__u32 imode, off;

	if (!f || !want(VG_EV_SETID))
		return 0;
	e = ev_begin(VG_EV_SETID, cg);
	if (!e)
		return 0;
	imode = BPF_CORE_READ(f, f_inode, i_mode);
	off = put_file_path(e, 0, 0, f);
	e->arg[0] = mode & 07777;
	e->arg[1] = res;
	e->arg[2] = op; /* an opcode, not a syscall: VG_F_IOURING says which (sensor_attr.c) */
	e->arg[3] = imode;
	e->arg[4] = imode & 0170000;
	e->flags |= VG_F_IOURING;
	return ev_submit(e, off, 1, false);
}

/*
 * An io_uring open is judged by what it opened, like an open syscall: at completion the file
 * behind the new descriptor or fixed slot gives the path (dentry and mount, whatever mix of
 * symlinks, "..", a directory descriptor or RESOLVE_* flags named it), whether the request ran
 * inline, in an io-wq worker (IOSQE_ASYNC, a blocked open), on the SQPOLL thread or as a
 * linked request. Completions are posted in the ring's own task or its io threads, which
 * share its files and cgroup. A failed open has no file: the name kept at submission, and
 * the directory it was relative to.
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(vg_uring_complete, struct io_ring_ctx *rctx, void *req_, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = req_;
	struct io_open *o = (void *)&req->cmd;
	__u64 key = (__u64)req, cg, pre = 0;
	struct vg_uring_open *p;
	struct vg_event *e;
	__u32 off = 0, flags;
	__s32 res;
	__u8 op;

	if (!req || !monitored(&cg))
		return 0;
	op = BPF_CORE_READ(req, opcode);
	/* a socket made by IORING_OP_SOCKET is judged as socket() is, once it succeeded (raw,
	 * packet, ICMP); its descriptor, or -1 for a fixed slot */
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SOCKET) &&
	    op == URING_OP(SOCKET)) {
		struct io_socket *so = (void *)&req->cmd;

		res = BPF_CORE_READ(cqe, res);
		if (res < 0)
			return 0;
		if (BPF_CORE_READ(so, file_slot))
			res = -1;
		return socket_made(BPF_CORE_READ(so, domain), BPF_CORE_READ(so, type),
				   BPF_CORE_READ(so, protocol),
				   (__u64)(__u32)res | ((__u64)VG_F_IOURING << 32), cg);
	}
	/* a send issued inline by its submitter went through the cgroup hook, which noted its
	 * address for the thread (udpdest.bpf.c): emptied, not for a later syscall of it */
	if (op == URING_OP(SEND) || op == URING_OP(SENDMSG) ||
	    (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_SENDMSG_ZC) &&
	     (op == URING_OP(SEND_ZC) || op == URING_OP(SENDMSG_ZC)))) {
		struct vg_udp_dest *d = udp_dest_get(false);

		if (d)
			d->n = 0;
		return 0;
	}
	if (!want(VG_EV_OPEN) || !uring_op_is_open(op))
		return 0;
	p = bpf_map_lookup_elem(&uring_open, &key);
	if (p && p->user_data != BPF_CORE_READ(cqe, user_data))
		p = NULL; /* a stale entry of a recycled request */
	res = BPF_CORE_READ(cqe, res);
	flags = BPF_CORE_READ(o, how.flags);
	if (res >= 0 && (flags & O_CREAT_) && (BPF_CORE_READ(o, how.mode) & 06000))
		uring_setid((__u64)uring_opened_file(req, o, res), cg, BPF_CORE_READ(o, how.mode),
			    res, op);
	if (res >= 0 && open_seen(cg, uring_opened_file(req, o, res), flags, &pre))
		goto out;
	e = ev_begin(VG_EV_OPEN, cg);
	if (!e)
		goto out;
	if (res >= 0) {
		struct file *f = uring_opened_file(req, o, res);

		off = put_file_path(e, 0, 0, f);
		flag_alias(e, f);
		/* R0010 / R0006 enforced, as at an open syscall's exit (enforce_open): by the
		 * file's identity, then by the name the kernel's walk gave it */
		enforce_ident(e, cg);
		if (off)
			enforce_open(e, off, cg, flags);
	}
	if (!off && p && p->len > 1) {
		off = put_str(e, 0, 0, p->name, false, VG_STR_RAW);
		if (off && e->data[0] != '/')
			off = put_dir(e, off, 1, BPF_CORE_READ(o, dfd));
	}
	if (!off)
		e->flags |= VG_F_TRUNC; /* the name was lost (evicted): judged as a cut path */
	e->arg[0] = flags;
	e->arg[1] = res;
	e->arg[2] = BPF_CORE_READ(o, how.mode);
	e->arg[3] = op;
	e->flags |= VG_F_IOURING;
	ev_submit_key(e, off, 1, false, pre);
out:
	if (p)
		bpf_map_delete_elem(&uring_open, &key);
	return 0;
}

/* raw_tp twins: the same bodies, for kernels where tp_btf programs do not load (not loaded
 * unless user space falls back). */
SEC("raw_tp/io_uring_create")
int BPF_PROG(vg_uring_create_raw, int fd, void *uctx, __u32 sq_entries, __u32 cq_entries,
	     __u32 flags)
{
	return ____vg_uring_create(ctx, fd, uctx, sq_entries, cq_entries, flags);
}

SEC("raw_tp/io_uring_submit_req")
int BPF_PROG(vg_uring_submit_raw, struct io_kiocb *req)
{
	return ____vg_uring_submit(ctx, req);
}

SEC("raw_tp/io_uring_complete")
int BPF_PROG(vg_uring_complete_raw, struct io_ring_ctx *rctx, void *req_, struct io_uring_cqe *cqe)
{
	return ____vg_uring_complete(ctx, rctx, req_, cqe);
}
