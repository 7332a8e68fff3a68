// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Leaving the workload: workloads are known by their cgroup, so a process that can write the
 * cgroup file system (root on the host, a privileged container) could write its pid into a
 * cgroup nobody watches and be unseen from then on. cgroup_attach_task fires after every
 * migration; a process leaving a watched cgroup for one nobody watches is reported (a
 * CGROUP_MOVE record of its workload) and put into the moved map, so that every hook keeps
 * judging it, and its children, as its workload's (record.bpf.h monitored_c).
 *
 * The source is not in the tracepoint (the task is already in the destination when it fires,
 * and so is its writer when the process moved itself): it is the workload noted when the
 * sensor saw the process fork or exec (map wlof). A process that did neither since the
 * sensor started is not followed (docs/SECURITY.md).
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

/* Whether a cgroup of the default hierarchy is monitored, by its ancestry (decide_current's
 * rule for a cgroup that is not the current task's). */
static __always_inline bool cgroup_monitored(struct cgroup *cgrp)
{
	int level = BPF_CORE_READ(cgrp, level);

	for (int lvl = 0; lvl < 16; lvl++) {
		struct cgroup *anc = NULL;
		__u64 id;

		if (lvl > level)
			break;
		bpf_probe_read_kernel(&anc, sizeof(anc), &cgrp->ancestors[lvl]);
		if (!anc)
			break;
		id = BPF_CORE_READ(anc, kn, id);
		if (cfg_scope_selected) {
			if (bpf_map_lookup_elem(&watched, &id))
				return true;
		} else if (bpf_map_lookup_elem(&excluded, &id)) {
			return false;
		}
	}
	return !cfg_scope_selected;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(vg_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct vg_wlof *o, to;
	struct vg_event *e;
	__u64 dst_id, src, size;
	__u32 off = 0;

	/* only the default hierarchy names workloads (a v1 controller's move changes nothing) */
	if (BPF_CORE_READ(dst, root) != BPF_CORE_READ(task, cgroups, dfl_cgrp, root))
		return 0;
	if (tgid == cfg_self_tgid)
		return 0;
	o = bpf_map_lookup_elem(&moved, &tgid);
	if (o)
		return 0; /* already followed as its workload's */
	o = bpf_map_lookup_elem(&wlof, &tgid);
	if (!o)
		return 0;
	src = o->cgroup_id;
	dst_id = BPF_CORE_READ(dst, kn, id);
	if (src == dst_id || !monitored_cgid(src))
		return 0;
	if (cgroup_monitored(dst)) {
		/* into another watched cgroup (a child cgroup, another workload): its own */
		to.cgroup_id = dst_id;
		bpf_map_update_elem(&wlof, &tgid, &to, BPF_ANY);
		return 0;
	}
	to.cgroup_id = src;
	if (!bpf_map_update_elem(&moved, &tgid, &to, BPF_NOEXIST))
		__sync_fetch_and_add(&moved_any, 1);
	else
		count(VG_CNT_DROP_TABLE);
	if (!want(VG_EV_CGROUP_MOVE))
		return 0;
	e = ev_begin(VG_EV_CGROUP_MOVE, src);
	if (!e)
		return 0;
	e->arg[0] = tgid;
	e->arg[1] = dst_id;
	e->arg[2] = threadgroup;
	off = put_str(e, off, 0, path, false, VG_STR_RAW);
	/* every move is reported: not de-duplicated, not rate-limited (a flood first must not
	 * hide it) */
	size = VG_EVENT_HDR_SIZE + (__u64)off;
	if (size > SCRATCH_SIZE)
		return 0;
	e->size = size;
	if (bpf_ringbuf_output(&events, e, size, 0))
		count(VG_CNT_DROP_RINGBUF);
	else
		count(VG_CNT_EVENTS);
	return 0;
}

SEC("raw_tp/cgroup_attach_task")
int BPF_PROG(vg_cgroup_attach_raw, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return ____vg_cgroup_attach(ctx, dst, path, task, threadgroup);
}
