// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Where a datagram sent with an address really goes (VG_EV_SEND's peer). The kernel copies the
 * sockaddr of sendto, sendmsg and sendmmsg when the call begins; the sys_exit handler sees
 * only the caller's memory, which a second thread can rewrite while the call runs (it blocks
 * on a page fault in the payload's copy, on a full socket buffer): the datagram went to one
 * address, the sensor would report another (tests/kernel/t1086). These cgroup hooks run on the
 * cgroup2 root as the kernel routes each datagram that names an address (UDP, UDP-Lite; never
 * for a connected send) and note the kernel's copy in the sending thread's own storage (a
 * monitored workload's threads only); on_send (network.bpf.c) reads the notes instead. They never refuse anything (R0011's
 * refusal is enforce.bpf.c's). Attached whenever the sensor runs (sensor/sensor_lifecycle.c).
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

#define PF_IO_WORKER_ 0x00000010

static __always_inline int note_dest(struct bpf_sock_addr *ctx, bool v6)
{
	struct vg_udp_dest *d;
	__u64 cg;
	struct sockaddr_in6 *a;
	__u32 i;

	if (!want(VG_EV_SEND) || !monitored(&cg))
		return 1;
	/* an io_uring request run by an io thread (io-wq, SQPOLL) carries its own copy; one
	 * issued inline by its submitter is noted and dropped at its completion (uring.bpf.c) */
	if (BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), flags) & PF_IO_WORKER_)
		return 1;
	/* the thread's own storage, made at its first datagram: no other thread can evict it */
	d = udp_dest_get(true);
	if (!d) {
		/* not allocated (memory): the exit finds no note and marks its record */
		count(VG_CNT_DROP_TABLE);
		return 1;
	}
	i = d->n;
	if (i >= VG_UDP_DEST_MAX)
		return 1; /* later messages of a sendmmsg: the caller's memory (docs/SENSOR.md) */
	a = &d->a[i & (VG_UDP_DEST_MAX - 1)];
	if (v6) {
		a->sin6_family = AF_INET6_;
		a->sin6_port = (__u16)ctx->user_port;
		a->sin6_addr.in6_u.u6_addr32[0] = ctx->user_ip6[0];
		a->sin6_addr.in6_u.u6_addr32[1] = ctx->user_ip6[1];
		a->sin6_addr.in6_u.u6_addr32[2] = ctx->user_ip6[2];
		a->sin6_addr.in6_u.u6_addr32[3] = ctx->user_ip6[3];
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)a;

		a4->sin_family = AF_INET_;
		a4->sin_port = (__u16)ctx->user_port;
		a4->sin_addr.s_addr = ctx->user_ip4;
	}
	d->n = i + 1;
	return 1;
}

SEC("cgroup/sendmsg4")
int vg_udp_dest4(struct bpf_sock_addr *ctx)
{
	return note_dest(ctx, false);
}

SEC("cgroup/sendmsg6")
int vg_udp_dest6(struct bpf_sock_addr *ctx)
{
	return note_dest(ctx, true);
}
