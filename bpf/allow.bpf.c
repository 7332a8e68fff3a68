// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * The open allow set's lookups (bpf/allow.bpf.h): a path's hash, and the walk up its
 * directories, as global functions so the verifier checks them once. The path is the record
 * in this CPU's scratch, string 0, leaf first ("shadow\0etc\0"): a directory's own path is a
 * suffix of it, so each ancestor is one hash of a suffix and one or two lookups.
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
#include "allow.bpf.h"

static __always_inline struct vg_event *scratch_event(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	return s ? (struct vg_event *)s->buf : NULL;
}

/* vg_path_hash (sensor_abi.h) of data[start, len) of the record in scratch: the whole path for
 * start 0 (as enforce.bpf.h's path_hash), its parent directory's path after the leaf... */
__noinline __u64 kallow_hash(__u32 start, __u32 len)
{
	struct vg_event *e = scratch_event();
	__u64 h = VG_FNV_OFFSET;
	__u32 n;

	if (!e || start > len || len > VG_PATH_HASH_MAX)
		return 0;
	n = len - start;
	for (int i = 0; i < VG_PATH_HASH_MAX / 8; i++) {
		__u32 at = i * 8;
		__u64 w;

		if (at >= n)
			break;
		w = *(__u64 *)&e->data[doff(start + at)];
		if (n - at < 8)
			w &= (1ull << ((n - at) * 8)) - 1;
		h = (h ^ w) * VG_FNV_PRIME;
	}
	return (h ^ n) * VG_FNV_PRIME;
}

/* Where the component starting at pos ends, past its NUL; len + 1 when it does not. */
__noinline __u32 kallow_next(__u32 pos, __u32 len)
{
	struct vg_event *e = scratch_event();

	if (!e || len > VG_PATH_HASH_MAX)
		return len + 1;
	for (int c = 0; c < VG_NAME_MAX; c++) {
		if (pos >= len)
			return len + 1;
		if (!e->data[doff(pos)])
			return pos + 1;
		pos++;
	}
	return len + 1;
}

static __always_inline bool oa_covers(const struct vg_open_allow *v, __u64 want)
{
	if (!v)
		return false;
	if (v->any)
		return true;
	for (int i = 0; i < VG_OA_SETS; i++) {
		if (i >= v->n)
			break;
		if (!(want & ~v->sets[i]))
			return true;
	}
	return false;
}

struct oa_walk {
	__u64 cg;
	__u64 want;
	__u32 pos; /* where the current component starts */
	__u32 len;
	int ok;
};

/* One directory above the path: its children (the first only) and its descendants. */
static long oa_step(__u32 i, struct oa_walk *w)
{
	struct vg_open_key k = { .cgroup_id = w->cg };
	__u32 p = kallow_next(w->pos, w->len);

	if (p > w->len)
		return 1;
	k.hash = kallow_hash(p, w->len);
	if (i == 0) {
		k.kind = VG_OA_CHILD;
		if (oa_covers(bpf_map_lookup_elem(&openallow, &k), w->want)) {
			w->ok = 1;
			return 1;
		}
	}
	k.kind = VG_OA_DESC;
	if (oa_covers(bpf_map_lookup_elem(&openallow, &k), w->want)) {
		w->ok = 1;
		return 1;
	}
	w->pos = p;
	return p >= w->len; /* the root directory was the last */
}

__noinline int kallow_path_allowed(__u64 cg, __u64 want, __u32 len)
{
	struct vg_open_key k = { .cgroup_id = cg, .kind = VG_OA_FILE };
	struct oa_walk w = { .cg = cg, .want = want, .len = len };

	if (!len || len > VG_PATH_HASH_MAX)
		return 0;
	k.hash = kallow_hash(0, len);
	if (oa_covers(bpf_map_lookup_elem(&openallow, &k), want))
		return 1;
	bpf_loop(VG_PATH_DEPTH, oa_step, &w, 0);
	return w.ok;
}

struct class_walk {
	__u32 pos;
	__u32 len;
	int cls;
};

/* One directory above the path, in the node-wide map of what the open rules name. */
static long class_step(__u32 i, struct class_walk *w)
{
	struct vg_open_key k = { .kind = VG_OA_DESC };
	__u32 p = kallow_next(w->pos, w->len);
	struct vg_event *e;
	__u8 *c;

	if (p > w->len)
		return 1;
	k.hash = kallow_hash(p, w->len);
	c = bpf_map_lookup_elem(&sensitive, &k);
	if (c && *c == VG_CLASS_SENSITIVE) {
		w->cls = VG_ENF_SENSITIVE;
		return 1;
	}
	if (c && *c == VG_CLASS_TOKEN_DIR) {
		/* the leaf is the first component: "token\0" */
		e = scratch_event();
		if (e && w->len >= 6 && e->data[0] == 't' && e->data[1] == 'o' &&
		    e->data[2] == 'k' && e->data[3] == 'e' && e->data[4] == 'n' &&
		    e->data[5] == 0) {
			w->cls = VG_ENF_TOKEN;
			return 1;
		}
	}
	w->pos = p;
	return p >= w->len;
}

__noinline int kallow_class(__u32 len)
{
	struct vg_open_key k = { .kind = VG_OA_FILE };
	struct class_walk w = { .len = len };
	__u8 *c;

	if (!len || len > VG_PATH_HASH_MAX)
		return 0;
	k.hash = kallow_hash(0, len);
	c = bpf_map_lookup_elem(&sensitive, &k);
	if (c && *c == VG_CLASS_SENSITIVE)
		return VG_ENF_SENSITIVE;
	bpf_loop(VG_PATH_DEPTH, class_step, &w, 0);
	return w.cls;
}

__noinline int kallow_tokens_allowed(__u64 cg)
{
	struct vg_open_key k = { .cgroup_id = cg, .kind = VG_OA_TOKENS };

	return bpf_map_lookup_elem(&openallow, &k) ? 1 : 0;
}

__noinline int kallow_alias_allowed(__u64 cg, __u32 dev, __u64 ino, __u64 want, __u32 rules)
{
	struct vg_open_key k = { .hash = ino, .kind = VG_OA_INODE, .pad = dev };
	__u8 *c = bpf_map_lookup_elem(&sensitive, &k);

	/* the node's file, else one of the workload's own root (its container image's) */
	k.cgroup_id = cg;
	if (!c)
		c = bpf_map_lookup_elem(&sensitive, &k);
	if (!c || !ident_class_enforced(*c, rules))
		return -1;
	if (*c == VG_CLASS_TOKEN && kallow_tokens_allowed(cg))
		return 1;
	return oa_covers(bpf_map_lookup_elem(&openallow, &k), want) ? 1 : 0;
}
