// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * R0011 before anything is sent (docs/ENFORCEMENT.md): cgroup socket-address hooks on the
 * cgroup2 root (connect4/6, sendmsg4/6 for datagrams to an address) refuse the call of a
 * workload enforcing R0011 in kill mode when its peer is not in the profile: connect and sendmsg
 * fail with EPERM and no SYN or datagram leaves. The process is then killed at the call's exit
 * (sys_exit, enforce_peer), where the record is made. A pending SIGKILL alone would not stop the
 * call (the kernel sends before it looks at signals), and rewriting the caller's address from a
 * tracepoint needs bpf_probe_write_user, which kernel lockdown forbids.
 * Attached only while some workload enforces R0011 (sensor/sensor_enforce.c).
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
#include "enforce.bpf.h"

/*
 * The calling process is already being killed (SIGKILL pending for it or its thread group): an
 * io_uring send or connect to a refused peer is killed at submission (bpf/uring.bpf.c) and
 * issued after that, so this hook runs once the kill has been counted. It must refuse then
 * whatever the kill budget says now: the budget's last kill would otherwise let its own
 * request through.
 */
static __always_inline bool dying(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 kill = 1ull << (SIGKILL_ - 1);

	return (BPF_CORE_READ(t, pending.signal.sig[0]) & kill) ||
	       (BPF_CORE_READ(t, signal, shared_pending.signal.sig[0]) & kill);
}

/* 1: let the call go on; 0: refuse it (EPERM). */
static __always_inline int egress_verdict(struct bpf_sock_addr *ctx, bool v6)
{
	__u64 cg = bpf_get_current_cgroup_id();
	struct vg_enforce *en = bpf_map_lookup_elem(&enforce, &cg);
	struct vg_event *e;

	if (!en || !(en->rules & VG_ENF_EGRESS) || en->mode != VG_ENF_KILL || enforce_off)
		return 1;
	e = ev_begin(VG_EV_CONNECT, cg);
	if (!e)
		return 1;
	e->sa[1].family = v6 ? AF_INET6_ : AF_INET_;
	e->sa[1].port = bpf_ntohs((__u16)ctx->user_port);
	if (v6) {
		__u32 a[4];

		a[0] = ctx->user_ip6[0];
		a[1] = ctx->user_ip6[1];
		a[2] = ctx->user_ip6[2];
		a[3] = ctx->user_ip6[3];
		__builtin_memcpy(e->sa[1].addr, a, 16);
	} else {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(e->sa[1].addr, &a, 4);
	}
	if (net_in_set(e, cg, ctx->protocol))
		return 1;
	if (dying() && e->pid != 1 && e->pid != cfg_self_tgid)
		return 0;
	return enforce_kills_now(e, en) ? 0 : 1;
}

SEC("cgroup/connect4")
int vg_enf_connect4(struct bpf_sock_addr *ctx)
{
	return egress_verdict(ctx, false);
}

SEC("cgroup/connect6")
int vg_enf_connect6(struct bpf_sock_addr *ctx)
{
	return egress_verdict(ctx, true);
}

SEC("cgroup/sendmsg4")
int vg_enf_sendmsg4(struct bpf_sock_addr *ctx)
{
	return egress_verdict(ctx, false);
}

SEC("cgroup/sendmsg6")
int vg_enf_sendmsg6(struct bpf_sock_addr *ctx)
{
	return egress_verdict(ctx, true);
}
