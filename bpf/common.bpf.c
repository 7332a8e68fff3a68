// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Vigil's kernel side is several objects linked into one (one skeleton, vigil.skel.h):
 *   common.bpf.c    the path walker shared by every hook
 *   process.bpf.c   exec, fork, exit, capabilities
 *   syscalls.bpf.c  the per-workload syscall set (sys_enter), the sys_exit dispatcher and the
 *                   "calls" (ptrace, namespaces, bpf, modules, memfd, mount)
 *   files.bpf.c     open, chmod, link and symlink at sys_exit
 *   network.bpf.c   sockets at sys_exit, DNS questions, TCP state changes
 *   uring.bpf.c     io_uring rings and submissions
 *   zoom.bpf.c      the zoom capture (its own header comment)
 * Layers, as headers: maps.bpf.h (configuration and maps) -> record.bpf.h (monitored set,
 * record header, de-duplication, rate limit, ring buffer) -> extract.bpf.h (paths, sockets)
 * -> the hooks. Maps are documented in bpf/sensor_abi.h and docs/SENSOR.md.
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Walks a path from its dentry up to the task's root (or the global root), writing the
 * component names leaf first; user space reverses them. Mount points are crossed through
 * struct mount. A pseudo file (memfd, pipe, socket: its dentry is its own parent) yields its
 * one name and sets VG_F_PSEUDO (for string 0). One bpf_loop step per component keeps the
 * verifier's work independent of the depth.
 */
struct walk_ctx {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_d;
	struct vfsmount *root_m;
	__u64 mnt_off;
	__u32 off;
	__u32 idx;
};

static long walk_step(__u32 i, struct walk_ctx *w)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct vg_event *e;
	struct dentry *mnt_root, *parent, *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	const unsigned char *name;
	long n;

	if (!s)
		return 1;
	e = (struct vg_event *)s->buf;
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	if (dentry == w->root_d && vfsmnt == w->root_m) {
		e->flags |= VG_F_ABS_ROOT;
		return 1;
	}
	if (dentry == mnt_root) {
		struct mount *pm = BPF_CORE_READ(mnt, mnt_parent);

		if (pm == mnt) {
			/* the top of a mount tree that is not the task's root: a detached copy
			 * (open_tree OPEN_TREE_CLONE) or another namespace's tree. Its names are
			 * relative to that top, so the file may be known by another name */
			if (w->root_d || mnt_root != BPF_CORE_READ(mnt_root, d_sb, s_root))
				e->flags |= VG_F_ALIAS;
			return 1;
		}
		/* a bind mount of a subtree (or of one file): what is below has another name */
		if (mnt_root != BPF_CORE_READ(mnt_root, d_sb, s_root))
			e->flags |= VG_F_ALIAS;
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = pm;
		w->vfsmnt = (void *)pm + w->mnt_off;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (w->off > VG_DATA_MAX - VG_NAME_MAX) {
		e->flags |= VG_F_TRUNC;
		count(VG_CNT_DROP_PATH);
		return 1;
	}
	name = BPF_CORE_READ(dentry, d_name.name);
	n = bpf_probe_read_kernel_str(&e->data[doff(w->off)], VG_NAME_MAX, name);
	if (n <= 0)
		return 1;
	w->off += n;
	if (parent == dentry) {
		if (w->idx == 0)
			e->flags |= VG_F_PSEUDO;
		return 1;
	}
	w->dentry = parent;
	return 0;
}

/* A global function: the verifier checks it once, not at every call site. */
__noinline __u32 put_path_g(__u32 off, __u32 idx, __u64 dentry, __u64 vfsmnt)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct walk_ctx w = {};
	struct vfsmount *root_m;
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct vg_event *e;
	long n;

	if (!s || idx >= VG_NSTR || !dentry || off > VG_DATA_MAX)
		return off;
	e = (struct vg_event *)s->buf;
	w.dentry = (struct dentry *)dentry;
	w.vfsmnt = (struct vfsmount *)vfsmnt;
	w.mnt_off = bpf_core_field_offset(struct mount, mnt);
	w.mnt = (void *)vfsmnt - w.mnt_off;
	w.root_d = BPF_CORE_READ(t, fs, root.dentry);
	w.root_m = BPF_CORE_READ(t, fs, root.mnt);
	/*
	 * A root that is the root of its mount is the workload's file system (a container's
	 * pivot_root): paths are written below it. A root inside a mount is a chroot into a
	 * directory, which any root process can make: `chroot /etc` would turn /etc/shadow into
	 * /shadow. The walk then goes on to the mount namespace's top, as for no root at all.
	 */
	root_m = w.root_m;
	if (w.root_d != BPF_CORE_READ(root_m, mnt_root))
		w.root_d = NULL;
	w.off = off;
	w.idx = idx;
	n = bpf_loop(VG_PATH_DEPTH, walk_step, &w, 0);
	if (n >= VG_PATH_DEPTH && !(e->flags & VG_F_ABS_ROOT)) {
		e->flags |= VG_F_TRUNC;
		count(VG_CNT_DROP_PATH);
	}
	if (w.off < off || w.off > VG_DATA_MAX)
		return off;
	if (idx == 0)
		e->str_len[0] = w.off - off;
	else if (idx == 1)
		e->str_len[1] = w.off - off;
	else
		e->str_len[2] = w.off - off;
	e->str_fmt |= VG_STR_PATH << (idx * 2);
	return w.off;
}
