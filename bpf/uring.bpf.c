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
	       op == URING_OP(WRITE) || op == URING_OP(SEND) || op == URING_OP(RECV);
}

static __always_inline __u32 uring_target(struct vg_event *e, struct io_kiocb *req)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__s32 fd = BPF_CORE_READ(req, cqe.fd);
	struct file *f;
	struct socket *so;
	__u16 mode;

	if (!uring_op_has_file(BPF_CORE_READ(req, opcode)))
		return 0;
	if (fd < 0 || (BPF_CORE_READ(req, flags) & 1)) /* REQ_F_FIXED_FILE */
		return 0;
	f = fd_file(t, fd);
	if (!f)
		return 0;
	e->arg[1] = fd;
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
	struct task_struct *t;
	__s32 fd;

	if (op != URING_OP(WRITE) && op != URING_OP(WRITEV) && op != URING_OP(WRITE_FIXED))
		return;
	fd = BPF_CORE_READ(req, cqe.fd);
	if (fd < 0 || (BPF_CORE_READ(req, flags) & 1)) /* REQ_F_FIXED_FILE */
		return;
	t = (struct task_struct *)bpf_get_current_task();
	mark_written(cg, fd_file(t, fd), VG_WR_URING);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vg_uring_submit, struct io_kiocb *req)
{
	struct vg_uring_ops *ops, zero = {};
	struct vg_event *e;
	__u64 cg, bit;
	__u8 op;
	bool first = false, zoomed;
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
	if (want(VG_EV_IOURING_OP) && (first || zoomed || !cfg_dedup)) {
		e = ev_begin(VG_EV_IOURING_OP, cg);
		if (e) {
			e->arg[1] = -1;
			e->flags |= VG_F_IOURING | (first ? VG_F_FIRST : 0);
			off = uring_target(e, req);
			e->arg[0] = op; /* after uring_target, which sets arg[0] to the protocol */
			ev_submit(e, off, 1, false);
		}
	}
	off = 0;
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_OPENAT) &&
	    (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT) ||
	     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT2))) {
		struct io_open *o = (void *)&req->cmd;
		struct filename *fn;

		if (!want(VG_EV_OPEN))
			return 0;
		e = ev_begin(VG_EV_OPEN, cg);
		if (!e)
			return 0;
		fn = BPF_CORE_READ(o, filename);
		off = put_str(e, 0, 0, BPF_CORE_READ(fn, name), false, VG_STR_RAW);
		if (off && e->data[0] != '/')
			off = put_dir(e, off, 1, BPF_CORE_READ(o, dfd));
		e->arg[0] = BPF_CORE_READ(o, how.flags);
		e->arg[2] = BPF_CORE_READ(o, how.mode);
		e->arg[3] = op;
		e->flags |= VG_F_IOURING;
		return ev_submit(e, off, 1, false);
	}
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
		e->arg[3] = 1;
		e->arg[4] = op;
		e->flags |= VG_F_IOURING;
		return ev_submit(e, off, 1, false);
	}
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
