// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * setns(2) into the host's namespaces (V1105, T1611): `nsenter -t 1 -m -p`, setns on an open
 * /proc/1/ns/mnt file, or on a pidfd of a host process (one call, several types). What matters
 * is where the process is after the call, not what it named: at the call (sys_enter) the
 * namespaces it is in are noted per thread; at the exit the record says which types changed
 * and which of those are now the host's (cfg_host_ns, pid 1's, set by user space at load).
 * Joining one's own namespaces changes nothing and a runtime's setns into a container goes
 * away from the host's: neither sets the host mask. A network namespace another workload's
 * processes run in (netns_wl) sets the "other" mask: the only type whose owner the kernel side
 * knows. Kept apart from the other calls so that
 * the two hooks it needs (note at entry, judge at exit) stay in one place.
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
#include "syscalls.bpf.h"

/* the namespaces a thread was in when it called setns, by tid (the call is short: a note
 * left by a thread killed in the call is overwritten by the next one or evicted) */
struct ns_set {
	__u32 ino[VG_NS_TYPES];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct ns_set);
} setns_before SEC(".maps");

/* the CLONE_NEW* bit of each entry of struct ns_set and cfg_host_ns, in VG_NS_* order */
static const __u32 ns_bit[VG_NS_TYPES] = {
	0x00020000, /* CLONE_NEWNS */
	0x04000000, /* CLONE_NEWUTS */
	0x08000000, /* CLONE_NEWIPC */
	0x20000000, /* CLONE_NEWPID (the namespace of the children it makes) */
	0x40000000, /* CLONE_NEWNET */
	0x02000000, /* CLONE_NEWCGROUP */
	0x10000000, /* CLONE_NEWUSER */
};

static __always_inline void ns_read(struct ns_set *s)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct nsproxy *n = BPF_CORE_READ(t, nsproxy);

	s->ino[VG_NS_MNT] = BPF_CORE_READ(n, mnt_ns, ns.inum);
	s->ino[VG_NS_UTS] = BPF_CORE_READ(n, uts_ns, ns.inum);
	s->ino[VG_NS_IPC] = BPF_CORE_READ(n, ipc_ns, ns.inum);
	s->ino[VG_NS_PID] = BPF_CORE_READ(n, pid_ns_for_children, ns.inum);
	s->ino[VG_NS_NET] = BPF_CORE_READ(n, net_ns, ns.inum);
	s->ino[VG_NS_CGROUP] = BPF_CORE_READ(n, cgroup_ns, ns.inum);
	s->ino[VG_NS_USER] = BPF_CORE_READ(t, cred, user_ns, ns.inum);
}

__noinline int setns_note(void)
{
	struct ns_set s = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!want(VG_EV_SETNS))
		return 0;
	ns_read(&s);
	bpf_map_update_elem(&setns_before, &tid, &s, BPF_ANY);
	return 0;
}

__noinline int on_setns(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 changed = 0, host = 0, ino = 0, other = 0;
	struct ns_set now = {}, *before;
	struct vg_event *e;

	before = bpf_map_lookup_elem(&setns_before, &tid);
	if (!want(VG_EV_SETNS)) {
		if (before)
			bpf_map_delete_elem(&setns_before, &tid);
		return 0;
	}
	if (before && ret == 0) {
		ns_read(&now);
		for (int i = 0; i < VG_NS_TYPES; i++) {
			if (now.ino[i] == before->ino[i])
				continue;
			changed |= ns_bit[i];
			if (cfg_host_ns[i] && now.ino[i] == cfg_host_ns[i]) {
				host |= ns_bit[i];
				if (!ino)
					ino = now.ino[i];
			}
			/* the first namespace changed, when none is the host's */
		}
		if (!ino) {
			for (int i = 0; i < VG_NS_TYPES; i++) {
				if (changed & ns_bit[i]) {
					ino = now.ino[i];
					break;
				}
			}
		}
	}
	/* another workload's network namespace (netns_wl: the workload whose processes run
	 * in it): a step from one container into another's network, the host's or not */
	if (changed & 0x40000000) {
		struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
		__u64 net = netns_key(BPF_CORE_READ(cur, nsproxy, net_ns));
		__u64 *owner = bpf_map_lookup_elem(&netns_wl, &net);

		if (owner && *owner != cg)
			other = 0x40000000;
	}
	if (before)
		bpf_map_delete_elem(&setns_before, &tid);
	e = ev_begin(VG_EV_SETNS, cg);
	if (!e)
		return 0;
	e->arg[0] = BPF_CORE_READ(regs, di);
	e->arg[1] = BPF_CORE_READ(regs, si);
	e->arg[2] = changed | ((__u64)other << 32); /* other: another workload's (types) */
	e->arg[3] = host;
	e->arg[4] = ino;
	e->arg[5] = ret;
	return ev_submit(e, 0, 5, false);
}
