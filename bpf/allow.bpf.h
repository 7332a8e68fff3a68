/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * In-kernel allow sets (docs/SENSOR.md, "In-kernel allow sets"): for a workload in detection,
 * an open or an egress its profile allows is decided here and never crosses to user space.
 * The rule for correctness: the kernel says "allowed" only where user space's matcher would say
 * the same of the same event; whenever it cannot be sure (a failed open, whose name user space
 * normalises; a cut, aliased or pseudo path; a path the walk did not take to the task's root;
 * a protocol other than TCP and UDP) the event is sent
 * as before. A zoomed workload is never filtered (its evidence wants every event).
 * Included after record.bpf.h.
 */
#ifndef VIGIL_BPF_ALLOW_H
#define VIGIL_BPF_ALLOW_H

#define IPPROTO_TCP_ 6

/* The workload has this kind of allow set in force, and is not zoomed. */
static __always_inline bool kallow_on(__u64 cg, __u32 kind)
{
	struct vg_kallow *k = bpf_map_lookup_elem(&kallow, &cg);

	return k && (k->kinds & kind) && !bpf_map_lookup_elem(&zoom, &cg);
}

/* The open flags as the profile matcher writes them (vigil_wc_open_flags). */
static __always_inline __u64 oa_flags(__u32 flags)
{
	__u32 m = flags & 3;

	return (1ull << (VG_OA_MODE_SHIFT + (m == 3 ? 2 : m))) | (flags & VG_OA_FLAG_BITS);
}

/* The open's path in record e (string 0, `off` bytes in all) is one the kernel can judge as
 * user space would: whole, walked to the task's root, the file's only name, not a pseudo file. */
static __always_inline bool open_judgeable(__u32 flags, __u32 len, __u32 off)
{
	return (flags & VG_F_ABS_ROOT) && !(flags & (VG_F_TRUNC | VG_F_ALIAS | VG_F_PSEUDO)) &&
	       len && len == off && len <= VG_PATH_HASH_MAX;
}

/* allow.bpf.c: global functions, so the verifier checks each once, not at every caller. */
/* Whether the path of `len` bytes in string 0 of the record in scratch is allowed to the
 * workload with these flags (matcher form): the file, or a directory above it. */
int kallow_path_allowed(__u64 cg, __u64 want, __u32 len);
/* The class (VG_ENF_SENSITIVE, VG_ENF_TOKEN or 0) the open rules give that path (map
 * sensitive): a sensitive file or a file below a sensitive directory; a file named "token"
 * below a service-account directory. */
int kallow_class(__u32 len);
/* Whether the workload's profile allows every service-account token (VG_OA_TOKENS). */
int kallow_tokens_allowed(__u64 cg);
/* Whether a file known by identity (its class in map sensitive) is one the enforced rules
 * (VG_ENF_*) name: a sensitive file under R0010, a service-account token under R0006. */
static __always_inline bool ident_class_enforced(__u8 cls, __u32 rules)
{
	return (cls == VG_CLASS_SENSITIVE && (rules & VG_ENF_SENSITIVE)) ||
	       (cls == VG_CLASS_TOKEN && (rules & VG_ENF_TOKEN));
}

/*
 * A file opened under another name (VG_F_ALIAS: dev and ino from the record): -1 when it is
 * neither one of the node's sensitive files or tokens by identity nor one of the workload's own
 * root's (map sensitive under its cgroup id), or its rule is not in rules (VG_ENF_*); else 1 when the workload's profile allows
 * it (by its own name) with these flags, 0 when not.
 */
int kallow_alias_allowed(__u64 cg, __u32 dev, __u64 ino, __u64 want, __u32 rules);

/*
 * Whether the successful open in record e (its file's path in string 0, `off` bytes in all) is
 * one the workload's profile allows with these flags.
 */
static __always_inline bool open_allowed(struct vg_event *e, __u32 off, __u64 cg, __u32 flags)
{
	__u32 len = e->str_len[0];

	if (!kallow_on(cg, VG_KA_OPEN))
		return false;
	if (!(e->flags & VG_F_ABS_ROOT) || (e->flags & (VG_F_TRUNC | VG_F_ALIAS | VG_F_PSEUDO)) ||
	    !len || len != off || len > VG_PATH_HASH_MAX)
		return false;
	return kallow_path_allowed(cg, oa_flags(flags), len) == 1;
}

/* Marks a decision as a repeat (map dedup) so the next identical event costs one lookup. */
static __always_inline void kallow_seen(__u64 cg, __u32 kind, __u64 hash)
{
	struct vg_dedup_key k = { .cgroup_id = cg, .kind = kind, .hash = hash };
	__u64 now = bpf_ktime_get_ns();

	if (cfg_dedup && hash)
		bpf_map_update_elem(&dedup, &k, &now, BPF_ANY);
}

/* Whether the peer in e->sa[1] (protocol proto) is in the workload's egress set: its address
 * with its protocol and port, either of them, or neither ("any"). */
static __always_inline bool net_in_set(struct vg_event *e, __u64 cg, __u32 proto)
{
	struct vg_net_key k = { .cgroup_id = cg, .proto = proto };
	__u16 fam = e->sa[1].family, port = e->sa[1].port;

	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return false;
	if (fam == AF_INET_) {
		__builtin_memcpy(k.addr, e->sa[1].addr, 4);
	} else if (fam == AF_INET6_) {
		__u32 w[4];

		__builtin_memcpy(w, e->sa[1].addr, 16);
		if (!w[0] && !w[1] && w[2] == bpf_htonl(0xffff)) {
			/* IPv4-mapped (an AF_INET6 socket reaching IPv4, as Java's do): the IPv4
			 * address it maps, as user space's matcher takes it; else an allowed peer
			 * reached this way would be refused where egress is enforced */
			__builtin_memcpy(k.addr, &w[3], 4);
			fam = AF_INET_;
		} else {
			__builtin_memcpy(k.addr, e->sa[1].addr, 16);
		}
	} else {
		return false;
	}
	k.family = fam;
	k.port = port;
	if (bpf_map_lookup_elem(&netallow, &k))
		return true;
	k.port = 0;
	if (bpf_map_lookup_elem(&netallow, &k))
		return true;
	k.proto = 0;
	k.port = port;
	if (bpf_map_lookup_elem(&netallow, &k))
		return true;
	k.port = 0;
	return bpf_map_lookup_elem(&netallow, &k) != NULL;
}

/* The egress in e is allowed and the workload's egress is decided in the kernel. */
static __always_inline bool net_allowed(struct vg_event *e, __u64 cg, __u32 proto)
{
	return kallow_on(cg, VG_KA_NET) && net_in_set(e, cg, proto);
}

#endif
