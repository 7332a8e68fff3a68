// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Network: sockets at sys_exit (connect, bind, listen, accept), DNS questions, TCP state. */
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

__noinline int on_sock(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	__u32 kind;
	struct vg_event *e;
	struct sock *sk;
	long fd = BPF_CORE_READ(regs, di);
	__u32 off = 0;

	if (nr == NR_connect)
		kind = VG_EV_CONNECT;
	else if (nr == NR_bind)
		kind = VG_EV_BIND;
	else if (nr == NR_listen)
		kind = VG_EV_LISTEN;
	else
		kind = VG_EV_ACCEPT;
	if (!want(kind))
		return 0;
	if (kind == VG_EV_ACCEPT) {
		if (ret < 0)
			return 0;
		fd = ret;
	}
	e = ev_begin(kind, cg);
	if (!e)
		return 0;
	sk = fd_sock(fd, NULL);
	if (sk)
		sock_addrs(e, sk);
	if (kind == VG_EV_CONNECT)
		off = put_user_sockaddr(e, off, &e->sa[1], (void *)BPF_CORE_READ(regs, si),
					BPF_CORE_READ(regs, dx), 0);
	else if (kind == VG_EV_BIND) {
		off = put_user_sockaddr(e, off, &e->sa[0], (void *)BPF_CORE_READ(regs, si),
					BPF_CORE_READ(regs, dx), 0);
		/* port 0 asks the kernel to pick one: report the port it picked */
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_num))
			e->sa[0].port = BPF_CORE_READ(sk, __sk_common.skc_num);
	}
	e->arg[1] = ret;
	e->arg[2] = fd;
	e->arg[3] = kind == VG_EV_CONNECT ? 1 : kind == VG_EV_ACCEPT ? 2 : 0;
	return ev_submit(e, off, 1, false);
}

/* DNS questions: the payload of a UDP datagram to port 53 (parsed in user space). */
__noinline int on_send(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct vg_event *e;
	struct sock *sk;
	const void *buf, *uaddr = NULL;
	__u64 len;
	long alen = 0;
	__u32 off = 0;

	if (!want(VG_EV_DNS) || ret <= 0)
		return 0;
	sk = fd_sock(BPF_CORE_READ(regs, di), NULL);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP_)
		return 0;
	if (nr == NR_sendto) {
		buf = (void *)BPF_CORE_READ(regs, si);
		len = BPF_CORE_READ(regs, dx);
		uaddr = (void *)BPF_CORE_READ(regs, r8);
		alen = BPF_CORE_READ(regs, r9);
	} else {
		struct user_msghdr m = {};
		struct iovec iov = {};

		/* sendmmsg: the first message (its msg_hdr starts the struct mmsghdr) */
		bpf_probe_read_user(&m, sizeof(m), (void *)BPF_CORE_READ(regs, si));
		bpf_probe_read_user(&iov, sizeof(iov), m.msg_iov);
		buf = iov.iov_base;
		len = iov.iov_len;
		uaddr = m.msg_name;
		alen = m.msg_namelen;
	}
	e = ev_begin(VG_EV_DNS, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk);
	if (uaddr)
		put_user_sockaddr(e, 0, &e->sa[1], uaddr, alen, 2);
	if (e->sa[1].port != 53 && e->sa[1].port != cfg_dns_port)
		return 0;
	off = put_user_bytes(e, 0, 0, buf, len, VG_DNS_MAX, VG_STR_BYTES);
	return ev_submit(e, off, 0, false);
}

/* ---- TCP state ----------------------------------------------------------------------- */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(vg_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct vg_event *e;
	__u64 cg, cur;

	if (!want(VG_EV_TCP_STATE))
		return 0;
	cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	if ((bpf_get_current_pid_tgid() >> 32) == cfg_self_tgid || !monitored_cgid(cg))
		return 0;
	e = ev_begin(VG_EV_TCP_STATE, cg);
	if (!e)
		return 0;
	/* in softirq context the current task is unrelated: keep only the socket's cgroup */
	cur = bpf_get_current_cgroup_id();
	if (cur != cg) {
		e->pid = e->tid = e->ppid = e->uid = e->gid = 0;
		e->start_ns = 0;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	}
	sock_addrs(e, (struct sock *)sk);
	e->arg[2] = e->arg[0]; /* protocol */
	e->arg[0] = oldstate;
	e->arg[1] = newstate;
	return ev_submit(e, 0, 2, false);
}

/* ---- io_uring ------------------------------------------------------------------------ */

/* raw_tp twins: the same bodies, for kernels where tp_btf programs do not load (not loaded
 * unless user space falls back). */
SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(vg_tcp_state_raw, const struct sock *sk, const int oldstate, const int newstate)
{
	return ____vg_tcp_state(ctx, sk, oldstate, newstate);
}
