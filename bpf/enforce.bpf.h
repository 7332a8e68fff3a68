/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Enforcement at the exec hook (docs/ENFORCEMENT.md): for a workload with an entry in map
 * enforce, a program it may not run is killed with SIGKILL from the hook itself, before the new
 * image runs its first instruction (sched_process_exec fires after the point of no return of
 * execve and before the return to user space, where the pending SIGKILL is taken). No round
 * trip to user space: the decision is a hash of the path the record already holds and one map
 * lookup. The record says what was done (VG_F_KILLED, VG_F_WOULD_KILL and why not).
 * Included after record.bpf.h.
 */
#ifndef VIGIL_BPF_ENFORCE_H
#define VIGIL_BPF_ENFORCE_H

#include "allow.bpf.h"

#define SIGKILL_ 9

/* vg_path_hash (sensor_abi.h) of the first string of the record, len bytes. */
static __always_inline __u64 path_hash(struct vg_event *e, __u32 len)
{
	__u64 h = VG_FNV_OFFSET;

	for (int i = 0; i < VG_PATH_HASH_MAX / 8; i++) {
		__u32 at = i * 8;
		__u64 w;

		if (at >= len)
			break;
		w = *(__u64 *)&e->data[doff(at)];
		if (len - at < 8)
			w &= (1ull << ((len - at) * 8)) - 1;
		h = (h ^ w) * VG_FNV_PRIME;
	}
	return (h ^ len) * VG_FNV_PRIME;
}

/* The path (leaf first) is below /dev/shm: it ends in "shm\0dev\0" after a component's end. */
static __always_inline bool path_under_dev_shm(struct vg_event *e, __u32 len)
{
	__u64 tail;

	if (len < 10 || len > VG_DATA_MAX || e->data[doff(len - 9)] != 0)
		return false;
	tail = *(__u64 *)&e->data[doff(len - 8)];
	return tail == 0x00766564006d6873ull; /* "shm\0dev\0" little-endian */
}

/* Whether the exec in record e (path in string 0, flags set) breaks the workload's rules. */
static __always_inline bool exec_forbidden(struct vg_event *e, __u64 cg, __u32 rules)
{
	struct vg_exec_key k = { .cgroup_id = cg };
	__u32 len = e->str_len[0];
	bool allowed;

	if ((rules & VG_ENF_MEMFD) && (e->flags & VG_F_MEMFD))
		return true;
	if ((rules & VG_ENF_DEVSHM) && path_under_dev_shm(e, len))
		return true;
	if (!(rules & (VG_ENF_EXEC | VG_ENF_UPPER)))
		return false;
	/* a cut path is not the path that was allowed: fail closed */
	k.hash = path_hash(e, len);
	allowed = len && !(e->flags & VG_F_TRUNC) && bpf_map_lookup_elem(&execallow, &k);
	if (allowed)
		return false;
	return (rules & VG_ENF_EXEC) || (e->flags & VG_F_UPPER);
}

/*
 * Acts on the deviation in record e (any hook): marks the record with what was done, and kills
 * the calling process unless a rail says not to (dry-run, the host's init or the sensor, the
 * node-wide switch, the workload's kill budget).
 */
static __always_inline void enforce_act(struct vg_event *e, struct vg_enforce *en)
{
	e->flags |= VG_F_WOULD_KILL;
	count(VG_CNT_WOULD_KILL);
	/* the host's init and the sensor itself are never killed */
	if (e->pid == 1 || e->pid == cfg_self_tgid) {
		e->flags |= VG_F_ENF_SPARED;
		return;
	}
	if (enforce_off) {
		e->flags |= VG_F_ENF_OFF;
		return;
	}
	if (en->mode != VG_ENF_KILL)
		return;
	if (e->ktime_ns - en->window_start > en->window_ns) {
		en->window_start = e->ktime_ns;
		en->kills = 0;
	}
	if (en->kills >= en->max_kills) {
		e->flags |= VG_F_ENF_LIMIT;
		return;
	}
	__sync_fetch_and_add(&en->kills, 1);
	if (bpf_send_signal(SIGKILL_))
		return;
	e->flags = (e->flags & ~VG_F_WOULD_KILL) | VG_F_KILLED;
	count(VG_CNT_KILLS);
}

/* Whether enforce_act on record e would kill now (no rail in the way); changes nothing. */
static __always_inline bool enforce_kills_now(struct vg_event *e, struct vg_enforce *en)
{
	if (e->pid == 1 || e->pid == cfg_self_tgid || enforce_off || en->mode != VG_ENF_KILL)
		return false;
	return e->ktime_ns - en->window_start > en->window_ns || en->kills < en->max_kills;
}

/* Acts on the exec in record e for workload cg; marks the record with what was done. */
static __always_inline void enforce_exec(struct vg_event *e, __u64 cg)
{
	struct vg_enforce *en = bpf_map_lookup_elem(&enforce, &cg);

	if (!en || !exec_forbidden(e, cg, en->rules))
		return;
	enforce_act(e, en);
}

/*
 * R0010 / R0006 by identity, whatever the name: for a workload that enforces either, every
 * regular file it opens (dev and ino in arg[4], arg[5]: flag_alias) is looked up among the
 * sensitive files' and the service-account tokens' identities, so /etc/shadow or the token
 * renamed, or linked elsewhere and its own name removed (one link, no mount on the way), is
 * still known. One found whose rule the workload enforces is marked VG_F_ALIAS: the name it was
 * opened under says nothing (never allowed by it), it is judged by its identity, in the kernel
 * and in user space. One hash lookup per open, only in enforcing workloads; nothing at all on a
 * node where no workload enforces R0010 or R0006.
 */
static __always_inline void enforce_ident(struct vg_event *e, __u64 cg)
{
	struct vg_open_key k = { .hash = e->arg[5], .kind = VG_OA_INODE, .pad = (__u32)e->arg[4] };
	struct vg_enforce *en;
	__u8 *c;

	if (!enforce_idents || !e->arg[5] || (e->flags & VG_F_ALIAS))
		return;
	en = bpf_map_lookup_elem(&enforce, &cg);
	if (!en || !(en->rules & (VG_ENF_SENSITIVE | VG_ENF_TOKEN)))
		return;
	c = bpf_map_lookup_elem(&sensitive, &k);
	k.cgroup_id = cg;
	if (!c)
		c = bpf_map_lookup_elem(&sensitive, &k);
	if (c && ident_class_enforced(*c, en->rules))
		e->flags |= VG_F_ALIAS;
}

/*
 * R0010 / R0006 at the open's exit: a sensitive file or a service-account token the profile
 * does not allow. The descriptor is already in the process's table, but the process never
 * returns to user space to use it: SIGKILL is taken on the way back. A sensitive file or a
 * token opened under another name (a hard link, a bind mount, a rename) is recognised by its
 * identity (device and inode, map sensitive) and judged by its own name, as detection does; a
 * cut path is detected, not killed.
 */
static __always_inline void enforce_open(struct vg_event *e, __u32 off, __u64 cg, __u32 flags)
{
	struct vg_enforce *en = bpf_map_lookup_elem(&enforce, &cg);
	int cls;

	if (!en || !(en->rules & (VG_ENF_SENSITIVE | VG_ENF_TOKEN)))
		return;
	if (e->flags & VG_F_ALIAS) {
		int a = kallow_alias_allowed(cg, (__u32)e->arg[4], (__u64)e->arg[5],
					     oa_flags(flags), en->rules);

		if (a == 0)
			enforce_act(e, en);
		if (a >= 0)
			return;
	}
	/* not a sensitive file by identity: judged by the name it was opened under, as
	 * detection judges a sensitive name (a hard link elsewhere must not shield /etc/shadow
	 * itself) */
	if (!open_judgeable(e->flags & ~VG_F_ALIAS, e->str_len[0], off))
		return;
	cls = kallow_class(e->str_len[0]);
	if (!cls || !(en->rules & cls))
		return;
	if (cls == VG_ENF_TOKEN && kallow_tokens_allowed(cg) == 1)
		return;
	if (kallow_path_allowed(cg, oa_flags(flags), e->str_len[0]) == 1)
		return;
	enforce_act(e, en);
}

/* The workload enforces R0011: a datagram its cgroup hook refused (EPERM) is still judged. */
static __always_inline bool egress_enforced(__u64 cg)
{
	struct vg_enforce *en = bpf_map_lookup_elem(&enforce, &cg);

	return en && (en->rules & VG_ENF_EGRESS);
}

/* R0011 at a connect's or a datagram's exit: the peer in e->sa[1] is not in the profile. In
 * kill mode the cgroup socket hooks refused the call before anything was sent
 * (bpf/enforce.bpf.c): the process dies here, on its way back. */
static __always_inline void enforce_peer(struct vg_event *e, __u64 cg, __u32 proto)
{
	struct vg_enforce *en = bpf_map_lookup_elem(&enforce, &cg);
	__u16 fam = e->sa[1].family;

	if (!en || !(en->rules & VG_ENF_EGRESS) || (fam != AF_INET_ && fam != AF_INET6_))
		return;
	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return;
	if (!net_in_set(e, cg, proto))
		enforce_act(e, en);
}

#endif
