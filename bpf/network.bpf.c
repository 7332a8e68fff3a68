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
#include "enforce.bpf.h"

/* A TCP connection to a DNS port (53, or dns_port): remembered per workload, so that only such
 * workloads pay for a look at the descriptor of each write() and writev() (on_write). */
static __always_inline void dns_tcp_mark(struct sock *sk, __u64 cg)
{
	__u16 port;
	__u8 one = 1;

	if (!sk || !want(VG_EV_DNS) || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_)
		return;
	port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if ((port == 53 || port == cfg_dns_port) && !bpf_map_lookup_elem(&dnstcp, &cg)) {
		bpf_map_update_elem(&dnstcp, &cg, &one, BPF_ANY);
		if (!dnstcp_any)
			dnstcp_any = 1;
	}
}

__noinline int on_sock(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	__u32 kind;
	struct vg_event *e;
	struct sock *sk;
	long fd = BPF_CORE_READ(regs, di);
	__u32 off = 0;

	/* TCP to a DNS port (started or made), whether connect events are wanted or not */
	if (nr == NR_connect && (ret == 0 || ret == -115 /* EINPROGRESS */))
		dns_tcp_mark(fd_sock(fd, NULL), cg);
	/* HTTP: a client's reads and a server's writes are responses (bpf/http.bpf.c) */
	if (want(VG_EV_HTTP) && ((nr == NR_connect && (ret == 0 || ret == -115)) ||
				 ((nr == NR_accept || nr == NR_accept4) && ret >= 0)))
		http_side((__u64)fd_sock(nr == NR_connect ? fd : ret, NULL), nr != NR_connect);
	if ((nr == NR_accept || nr == NR_accept4) && ret >= 0)
		http_fd_new(ret); /* a number maybe known quiet from its last use */
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
	/* the peer the kernel connected the socket to; the caller's memory only when there is
	 * none (a failed connect, a unix socket): see sock_has_peer */
	if (kind == VG_EV_CONNECT && !(sk && sock_has_peer(sk)))
		off = put_user_sockaddr(e, off, &e->sa[1], (void *)BPF_CORE_READ(regs, si),
					BPF_CORE_READ(regs, dx), 0);
	else if (kind == VG_EV_BIND) {
		off = put_user_sockaddr(e, off, &e->sa[0], (void *)BPF_CORE_READ(regs, si),
					BPF_CORE_READ(regs, dx), 0);
		/* port 0 asks the kernel to pick one: report the port it picked */
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_num))
			e->sa[0].port = BPF_CORE_READ(sk, __sk_common.skc_num);
	}
	/* a peer the workload's profile allows: decided here, never sent */
	if (kind == VG_EV_CONNECT && net_allowed(e, cg, e->arg[0])) {
		count(VG_CNT_KALLOW);
		return 0;
	}
	if (kind == VG_EV_CONNECT)
		enforce_peer(e, cg, e->arg[0]);
	e->arg[1] = ret;
	e->arg[2] = fd;
	e->arg[3] = kind == VG_EV_CONNECT ? VG_DIR_OUT : kind == VG_EV_ACCEPT ? VG_DIR_IN : 0;
	return ev_submit(e, off, 1, false);
}

/* sendmmsg: at most this many messages are looked at (the kernel caps vlen at UIO_MAXIOV) */
#define VG_MMSG_MAX 1024

/* One message sent to an address named in the call (VG_EV_SEND): arg[0] protocol, arg[1] the
 * call's result, arg[2] fd, arg[3] VG_DIR_OUT, arg[4] the call (VG_SEND_*), arg[5] the
 * message flags. De-duplicated by the peer (and protocol): a workload that sends to one
 * address a million times reports it once, whichever call or io_uring request sent it. */
/* how: the address length (16 bits), the call (8 bits), VG_SENDHOW_* (8 bits), the message
 * flags (high 32 bits) */
static __always_inline __u64 send_how(long alen, long nr, __u64 flags)
{
	__u64 call = nr == NR_sendto	? VG_SEND_SENDTO
		     : nr == NR_sendmsg ? VG_SEND_SENDMSG
					: VG_SEND_SENDMMSG;

	if (alen < 0 || alen > 0xffff)
		alen = 0;
	return (__u64)alen | (call << 16) | (flags << 32);
}

/* (at most five arguments for a global function: the call's details are packed in `how`,
 * its result and descriptor in ret_fd) */
__noinline int send_peer(__u64 sk_, __u64 uaddr, __u64 how, __u64 ret_fd, __u64 cg)
{
	struct sock *sk = (struct sock *)sk_;
	long alen = how & 0xffff;
	union vg_inet_sockaddr a = {};
	struct vg_event *e;
	bool tfo, peer, noted = false;
	__u64 h;

	/* Fast Open connects the socket: its peer is the kernel's copy (sock_has_peer) */
	tfo = BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP_ && sock_has_peer(sk);
	peer = tfo;
	if (!tfo && (!uaddr || alen < 2)) {
		/*
		 * No address: the datagram goes to the socket's connected peer, which its connect
		 * showed (and judged) — unless the socket was connected before the workload began
		 * to enforce R0011, or passed in from outside it: the kernel runs no cgroup hook on
		 * such a send. In a workload enforcing R0011 the connected peer is judged here, at
		 * the call's exit: the first datagram has left, the process sends no second.
		 */
		if (!egress_enforced(cg) || BPF_CORE_READ(sk, sk_type) != SOCK_DGRAM_ ||
		    !BPF_CORE_READ(sk, __sk_common.skc_dport))
			return 0;
		peer = true;
	}
	/* io_uring's requests carry the kernel's copy of the address, the calls the caller's;
	 * a call's datagram the cgroup hook saw routed has the kernel's copy in a note */
	if (!peer && (how & VG_SENDHOW_NOTE)) {
		struct vg_udp_dest *d = udp_dest_get(false);
		__u32 i = (how >> VG_SENDHOW_NOTE_SHIFT) & (VG_UDP_DEST_MAX - 1);

		if (d && i < d->n) {
			__builtin_memcpy(&a.in6, &d->a[i], sizeof(a.in6));
			noted = true;
		}
	}
	if (noted)
		;
	else if (peer)
		a.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	else if (how & VG_SENDHOW_KADDR)
		bpf_probe_read_kernel(&a.family, sizeof(a.family), (void *)uaddr);
	else
		bpf_probe_read_user(&a.family, sizeof(a.family), (void *)uaddr);
	if (a.family != AF_INET_ && a.family != AF_INET6_)
		return 0;
	e = ev_begin(VG_EV_SEND, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk);
	if (noted) {
		inet_to_sa(&e->sa[1], &a);
	} else if (!peer) {
		/* a datagram to the address named in the call (else sa[1] is the socket's peer) */
		if (how & VG_SENDHOW_KADDR) {
			if (a.family == AF_INET_)
				bpf_probe_read_kernel(&a.in, sizeof(a.in), (void *)uaddr);
			else
				bpf_probe_read_kernel(&a.in6, sizeof(a.in6), (void *)uaddr);
		} else {
			if (a.family == AF_INET_)
				bpf_probe_read_user(&a.in, sizeof(a.in), (void *)uaddr);
			else
				bpf_probe_read_user(&a.in6, sizeof(a.in6), (void *)uaddr);
		}
		inet_to_sa(&e->sa[1], &a); /* a.family is AF_INET_ or AF_INET6_ */
	}
	e->arg[1] = (__s32)(ret_fd & 0xffffffff);
	e->arg[2] = (__s32)(ret_fd >> 32);
	e->arg[3] = VG_DIR_OUT;
	e->arg[4] = (how >> 16) & 0xff;
	/* the peer read from the caller's memory, which another thread may have rewritten while
	 * the call ran: no note of the kernel's copy (an ICMP socket, a sendmmsg message past the
	 * VG_UDP_DEST_MAX-th, a note the hook could not allocate) */
	if (!noted && !peer && !(how & VG_SENDHOW_KADDR))
		e->arg[4] |= VG_SEND_ADDR_USER;
	e->arg[5] = how >> 32;
	if (how & VG_SENDHOW_IOURING)
		e->flags |= VG_F_IOURING;
	/* the key leaves out the local port: a new socket per message is still one peer */
	h = (0xcbf29ce484222325ull ^ *(__u64 *)&e->sa[1].addr[0]) * 0x100000001b3ull;
	h = (h ^ *(__u64 *)&e->sa[1].addr[8]) * 0x100000001b3ull;
	h = (h ^ e->sa[1].port ^ ((__u64)e->arg[0] << 16) ^ ((__u64)a.family << 32)) *
	    0x100000001b3ull;
	if (net_allowed(e, cg, e->arg[0])) {
		count(VG_CNT_KALLOW);
		kallow_seen(cg, VG_EV_SEND, h | 1);
		return 0;
	}
	enforce_peer(e, cg, e->arg[0]);
	return ev_submit_key(e, 0, 1, false, h | 1);
}

/* The questions of a UDP datagram to port 53: its payload (parsed in user space). The server is
 * the kernel's copy of the address when the cgroup hook noted one (udpdest.bpf.c), else the
 * caller's sockaddr, else the connected peer. */
static __always_inline int dns_question(struct sock *sk, __u64 cg, const void *uaddr, long alen,
					const void *buf, __u64 len)
{
	struct vg_udp_dest *d = udp_dest_get(false);
	struct vg_event *e;
	__u32 off;

	e = ev_begin(VG_EV_DNS, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk);
	if (d && d->n && (d->a[0].sin6_family == AF_INET_ || d->a[0].sin6_family == AF_INET6_))
		inet_to_sa(&e->sa[1], (const union vg_inet_sockaddr *)&d->a[0]);
	else if (uaddr)
		put_user_sockaddr(e, 0, &e->sa[1], uaddr, alen, 2);
	if (e->sa[1].port != 53 && e->sa[1].port != cfg_dns_port)
		return 0;
	off = put_user_bytes(e, 0, 0, buf, len, VG_DNS_MAX, VG_STR_BYTES);
	return ev_submit(e, off, 0, false);
}

/*
 * The question of a UDP datagram sent by io_uring (SEND, SENDMSG and their zero-copy forms):
 * to the kernel's copy of the address the request names (kaddr), or without one to the
 * socket's connected peer; the payload from the submitter's buffer, read when the request is
 * submitted (the syscalls' questions are read the same way, from the caller's memory).
 */
__noinline int dns_udp(__u64 sk_, __u64 cg, __u64 kaddr, __u64 buf, __u64 len)
{
	struct sock *sk = (struct sock *)sk_;
	union vg_inet_sockaddr a = {};
	struct vg_event *e;
	__u32 off;

	if (!sk || !buf || !want(VG_EV_DNS))
		return 0;
	e = ev_begin(VG_EV_DNS, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk);
	if (kaddr) {
		bpf_probe_read_kernel(&a.in6, sizeof(a.in6), (void *)kaddr);
		if (a.family == AF_INET_ || a.family == AF_INET6_)
			inet_to_sa(&e->sa[1], &a);
	}
	if (e->sa[1].port != 53 && e->sa[1].port != cfg_dns_port)
		return 0;
	off = put_user_bytes(e, 0, 0, (void *)buf, len, VG_DNS_MAX, VG_STR_BYTES);
	return ev_submit(e, off, 0, false);
}

/*
 * sendto, sendmsg, sendmmsg: datagrams (and TCP Fast Open) to an address named in the call,
 * which no connect event shows (VG_EV_SEND, one per message of sendmmsg), and DNS questions
 * in UDP datagrams (VG_EV_DNS, the first message). A call without an address goes to the
 * socket's connected peer, which its connect event showed.
 */
static __noinline int send_call(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct sock *sk;
	const void *buf = NULL, *buf1 = NULL, *uaddr = NULL;
	__u64 len = 0, len1 = 0, flags = 0;
	long alen = 0, fam, fd = BPF_CORE_READ(regs, di);
	__u64 ret_fd = ((__u64)ret & 0xffffffff) | ((__u64)fd << 32);
	__u16 type, proto;
	bool send;

	/* a refused first message (R0011 enforced, EPERM) is still judged: the sender dies */
	if (nr == NR_sendmmsg && ret <= 0 && !(ret == -1 && egress_enforced(cg)))
		return 0;
	if (!want(VG_EV_DNS) && !want(VG_EV_SEND))
		return 0;
	sk = fd_sock(fd, NULL);
	if (!sk)
		return 0;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam != AF_INET_ && fam != AF_INET6_)
		return 0;
	type = BPF_CORE_READ(sk, sk_type);
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (nr == NR_sendto) {
		buf = (void *)BPF_CORE_READ(regs, si);
		len = BPF_CORE_READ(regs, dx);
		flags = BPF_CORE_READ(regs, r10);
		uaddr = (void *)BPF_CORE_READ(regs, r8);
		alen = BPF_CORE_READ(regs, r9);
	} else {
		struct user_msghdr m = {};
		struct iovec iov[2] = {};

		/* sendmsg, and sendmmsg's first message (its msg_hdr starts the struct mmsghdr) */
		bpf_probe_read_user(&m, sizeof(m), (void *)BPF_CORE_READ(regs, si));
		bpf_probe_read_user(&iov, m.msg_iovlen > 1 ? sizeof(iov) : sizeof(iov[0]),
				    m.msg_iov);
		buf = iov[0].iov_base;
		len = iov[0].iov_len;
		buf1 = iov[1].iov_base;
		len1 = iov[1].iov_len;
		uaddr = m.msg_name;
		alen = m.msg_namelen;
		flags = nr == NR_sendmsg ? BPF_CORE_READ(regs, dx) : BPF_CORE_READ(regs, r10);
	}
	/* datagram sockets (UDP, UDP-Lite, ICMP echo); TCP only with Fast Open, which connects
	 * and sends in one call (raw and packet sockets are judged where they are created) */
	send = want(VG_EV_SEND) &&
	       (type == SOCK_DGRAM_ || (proto == IPPROTO_TCP_ && (flags & MSG_FASTOPEN_)));
	/* a datagram that failed did not leave; a Fast Open SYN leaves even when the call fails
	 * (EINPROGRESS on a non-blocking socket, a refused connection), as a connect does */
	if (ret < 0 && !(send && proto == IPPROTO_TCP_) &&
	    !(send && ret == -1 && egress_enforced(cg)))
		return 0;
	/* a datagram's address: the kernel's copy when the cgroup hook noted one (send_peer) */
	if (send && nr != NR_sendmmsg)
		send_peer((__u64)sk, (__u64)uaddr, send_how(alen, nr, flags) | VG_SENDHOW_NOTE,
			  ret_fd, cg);
	if (send && nr == NR_sendmmsg) {
		const struct mmsghdr *v = (void *)BPF_CORE_READ(regs, si);
		/* every message sent may name its own address; the hook noted the first
		 * VG_UDP_DEST_MAX in order (a message with no address, on a connected socket,
		 * makes no note and shifts the later ones: their peers are then misread) */
		for (int i = 0; i < VG_MMSG_MAX; i++) {
			struct user_msghdr m = {};
			__u64 how;

			if (i >= (ret > 0 ? ret : 1))
				break;
			bpf_probe_read_user(&m, sizeof(m), &v[i].msg_hdr);
			how = send_how(m.msg_namelen, nr, flags);
			if (i < VG_UDP_DEST_MAX)
				how |= VG_SENDHOW_NOTE | ((__u64)i << VG_SENDHOW_NOTE_SHIFT);
			send_peer((__u64)sk, (__u64)m.msg_name, how, ret_fd, cg);
		}
	}
	if (want(VG_EV_DNS) && proto == IPPROTO_UDP_ && ret > 0)
		return dns_question(sk, cg, uaddr, alen, buf, len);
	/* DNS over TCP: send, sendto (also Fast Open's), sendmsg on a TCP socket to a DNS port */
	if (want(VG_EV_DNS) && proto == IPPROTO_TCP_ && ret > 0 && nr != NR_sendmmsg)
		return dns_stream((__u64)sk, cg, (__u64)buf, (__u64)buf1, dns_lens(len, len1, ret));
	return 0;
}

/* Every exit of a send call empties the thread's notes of the kernel's addresses
 * (udpdest.bpf.c), used or not (a call that failed after its datagram was routed). The storage
 * stays for the thread's next call (a store here; it goes with the thread). */
__noinline int on_send(__u64 regs_, long nr, long ret, __u64 cg)
{
	int r = send_call(regs_, nr, ret, cg);
	struct vg_udp_dest *d = udp_dest_get(false);

	if (d)
		d->n = 0;
	return r;
}

/*
 * DNS over TCP (RFC 1035 4.2.2: each message after a two-byte length): the first bytes a call
 * wrote to a TCP socket whose peer is a DNS port, from its first buffer and, when that one
 * was copied whole, its second (resolvers write the length and the message as two buffers
 * of one writev or sendmsg). User space puts each socket's stream back together (the socket's
 * inode names it), so a message split over writes is still read.
 */
__noinline int dns_stream(__u64 sk_, __u64 cg, __u64 buf0, __u64 buf1, __u64 lens)
{
	struct sock *sk = (struct sock *)sk_;
	__u64 len0 = lens & 0xffff, len1 = (lens >> 16) & 0xffff, total = lens >> 32, n;
	struct vg_event *e;
	__u16 port;
	__u32 off;

	if (!sk || !total || !want(VG_EV_DNS) || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP_)
		return 0;
	port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (port != 53 && port != cfg_dns_port)
		return 0;
	e = ev_begin(VG_EV_DNS, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk); /* arg[0]: TCP */
	e->arg[1] = total;
	e->arg[2] = -1;
	e->arg[3] = len0;
	e->arg[4] = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	if (len0 > total)
		len0 = total;
	off = put_user_bytes(e, 0, 0, (void *)buf0, len0, VG_DNS_MAX + 2, VG_STR_BYTES);
	if (buf1 && len0 < VG_DNS_MAX + 2 && total > len0) {
		n = total - len0;
		if (n > len1)
			n = len1;
		off = put_user_bytes(e, off, 1, (void *)buf1, n, VG_DNS_MAX + 2 - len0,
				     VG_STR_BYTES);
	}
	/* every piece: a repeated one (the same byte written twice) is still part of the stream */
	return ev_submit_key(e, off, 0, false, VG_KEY_STREAM);
}

/*
 * write() and writev() on a socket: DNS over TCP, by a workload that connected to a DNS port over
 * TCP; and, in a workload enforcing R0011, a datagram on a connected socket, whose peer no
 * cgroup hook judged (send_peer, as for send() without an address: the first datagram has
 * left, the process dies at this exit).
 */
__noinline int on_write(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t;
	struct socket *so;
	struct sock *sk;
	struct file *f;
	__u64 b0, b1 = 0, l0, l1 = 0, fd = BPF_CORE_READ(regs, di);
	bool dns = ret > 0 && bpf_map_lookup_elem(&dnstcp, &cg);
	bool egress = enforce_egress && ret >= 0 && egress_enforced(cg);

	if (!dns && !egress)
		return 0;
	t = (struct task_struct *)bpf_get_current_task();
	f = fd_file(t, fd);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != 0140000) /* S_IFSOCK */
		return 0;
	so = BPF_CORE_READ(f, private_data);
	sk = so ? BPF_CORE_READ(so, sk) : NULL;
	if (!sk)
		return 0;
	if (egress && BPF_CORE_READ(sk, sk_type) == SOCK_DGRAM_ && want(VG_EV_SEND)) {
		__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
		__u64 call = nr == NR_write ? VG_SEND_WRITE : VG_SEND_WRITEV;

		if (fam == AF_INET_ || fam == AF_INET6_)
			send_peer((__u64)sk, 0, call << 16, ((__u64)ret & 0xffffffff) | (fd << 32),
				  cg);
	}
	if (!dns)
		return 0;
	if (nr == NR_write) {
		b0 = BPF_CORE_READ(regs, si);
		l0 = BPF_CORE_READ(regs, dx);
	} else {
		struct iovec v[2] = {};

		bpf_probe_read_user(&v, BPF_CORE_READ(regs, dx) > 1 ? sizeof(v) : sizeof(v[0]),
				    (void *)BPF_CORE_READ(regs, si));
		b0 = (__u64)v[0].iov_base;
		l0 = v[0].iov_len;
		b1 = (__u64)v[1].iov_base;
		l1 = v[1].iov_len;
	}
	return dns_stream((__u64)sk, cg, b0, b1, dns_lens(l0, l1, ret));
}

/* ---- TCP state ----------------------------------------------------------------------- */

#define TCP_SYN_SENT_ 2

/*
 * A process outside every workload opens a TCP connection inside a workload's network namespace
 * (netns_wl): a port forward (containerd's forward joins the pod sandbox's namespace and
 * connects to localhost:PORT; the pod only sees a loopback peer), or a host tool entering the
 * namespace (nsenter --net) to talk as the pod. Seen at SYN_SENT, which connect() and io_uring's
 * CONNECT both pass, in the connecting process's context. The record is the workload's, the
 * process the outsider's; a repeat is the same program to the same destination.
 */
static __always_inline int netns_connect(const struct sock *sk)
{
	__u64 ns = netns_key(BPF_CORE_READ(sk, __sk_common.skc_net.net));
	struct vg_event *e;
	__u64 *wl, task_cg;

	if (!want(VG_EV_NETNS_CONNECT))
		return 0;
	wl = bpf_map_lookup_elem(&netns_wl, &ns);
	if (!wl)
		return 0;
	/* an outsider is a process no workload owns: not one the sensor follows by its cgroup's
	 * ancestry (another container of the pod, one excluded by the agent's configuration but
	 * under a watched parent), nor one that moved itself out of its workload (still the
	 * workload's: bpf/cgroup.bpf.c) */
	if (monitored(&task_cg))
		return 0;
	e = ev_begin(VG_EV_NETNS_CONNECT, *wl);
	if (!e)
		return 0;
	sock_addrs(e, (struct sock *)sk);
	e->sa[0].port = 0; /* the ephemeral source port: every connection would be news */
	e->arg[1] = 0;
	e->arg[2] = -1;
	e->arg[3] = VG_DIR_OUT;
	return ev_submit(e, 0, 1, false);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(vg_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	bool tcp = want(VG_EV_TCP_STATE);
	struct vg_event *e;
	__u64 cg, cur;

	/* neither kind wanted (vigil trace --kinds): nothing read at all */
	if (!tcp && (newstate != TCP_SYN_SENT_ || !want(VG_EV_NETNS_CONNECT)))
		return 0;
	cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	if ((bpf_get_current_pid_tgid() >> 32) == cfg_self_tgid)
		return 0;
	if (!monitored_cgid(cg))
		return newstate == TCP_SYN_SENT_ ? netns_connect(sk) : 0;
	if (!tcp)
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
