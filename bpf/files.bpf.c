// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Files at sys_exit: opens (and executables created), chmod to executable, links and symlinks. */
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

__noinline int on_open(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct sys_args a = {};
	const char *upath;
	long dirfd = AT_FDCWD_, flags = 0, mode = 0;
	struct vg_event *e;
	__u64 pre = 0;
	__u32 off = 0;

	bpf_probe_read_kernel(&a, sizeof(a), &regs->r10);
	if (nr == NR_open) {
		upath = (const char *)a.di;
		flags = a.si;
		mode = a.dx;
	} else if (nr == NR_creat) {
		upath = (const char *)a.di;
		flags = 01101; /* O_CREAT|O_WRONLY|O_TRUNC */
		mode = a.si;
	} else if (nr == NR_openat) {
		dirfd = (int)a.di;
		upath = (const char *)a.si;
		flags = a.dx;
		mode = a.r10;
	} else if (nr == NR_open_by_handle_at) {
		/* a file named by a handle, no name at all: only what it opened says which; a
		 * failed one has nothing to judge (the syscall itself is in the workload's
		 * syscall profile) */
		if (ret < 0)
			return 0;
		upath = NULL;
		flags = a.dx;
	} else {
		struct open_how how = {};

		dirfd = (int)a.di;
		upath = (const char *)a.si;
		bpf_probe_read_user(&how, sizeof(how), (void *)a.dx);
		flags = how.flags;
		mode = how.mode;
	}
	/* a file opened to be written: if it is executed later, that is a drop-and-execute */
	if (ret >= 0 && open_writes(flags))
		mark_written(cg, fd_file(t, ret), VG_WR_OPEN);
	/*
	 * Steady state: with de-duplication, a file already reported (same inode, same flags) is
	 * recognised from the new descriptor's inode before any path walk: one map lookup.
	 */
	if (ret >= 0 && open_seen(cg, fd_file(t, ret), (__u32)flags, &pre))
		goto exec_write;
	if (want(VG_EV_OPEN)) {
		e = ev_begin(VG_EV_OPEN, cg);
		if (!e)
			return 0;
		if (ret >= 0) {
			struct file *f = fd_file(t, ret);

			off = put_file_path(e, off, 0, f);
			flag_alias(e, f);
			enforce_ident(e, cg);
			/* allowed by the workload's profile: decided here, never sent */
			if (off && open_allowed(e, off, cg, (__u32)flags)) {
				count(VG_CNT_KALLOW);
				kallow_seen(cg, VG_EV_OPEN, pre);
				goto exec_write;
			}
			/* R0010 / R0006 enforced: the process dies before it can use the descriptor */
			if (off)
				enforce_open(e, off, cg, (__u32)flags);
		}
		if (!off && upath)
			off = put_user_path(e, off, 0, 1, upath, dirfd);
		e->arg[0] = (__u32)flags;
		e->arg[1] = ret;
		e->arg[2] = mode;
		ev_submit_key(e, off, 1, false, pre);
	}
exec_write:
	/* an executable created: O_CREAT with an exec bit in the mode */
	if (want(VG_EV_EXEC_WRITE) && ret >= 0 && (flags & O_CREAT_) && (mode & 0111)) {
		e = ev_begin(VG_EV_EXEC_WRITE, cg);
		if (!e)
			return 0;
		off = put_file_path(e, 0, 0, fd_file(t, ret));
		e->arg[0] = mode;
		e->arg[1] = ret;
		ev_submit(e, off, 1, false);
	}
	return 0;
}

__noinline int on_chmod(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vg_event *e;
	long mode;
	__u32 off = 0;

	if (!want(VG_EV_EXEC_WRITE) || ret < 0)
		return 0;
	mode = nr == NR_chmod || nr == NR_fchmod ? BPF_CORE_READ(regs, si)
						 : BPF_CORE_READ(regs, dx);
	if (!(mode & 0111))
		return 0;
	/* by descriptor the file is known (by path, the ctime it now has tells the change) */
	if (nr == NR_fchmod)
		mark_written(cg, fd_file(t, BPF_CORE_READ(regs, di)), VG_WR_CHMOD);
	e = ev_begin(VG_EV_EXEC_WRITE, cg);
	if (!e)
		return 0;
	if (nr == NR_chmod)
		off = put_user_path(e, 0, 0, 1, (const char *)BPF_CORE_READ(regs, di), AT_FDCWD_);
	else if (nr == NR_fchmod)
		off = put_file_path(e, 0, 0, fd_file(t, BPF_CORE_READ(regs, di)));
	else
		off = put_user_path(e, 0, 0, 1, (const char *)BPF_CORE_READ(regs, si),
				    (int)BPF_CORE_READ(regs, di));
	e->arg[0] = mode;
	e->arg[1] = ret;
	return ev_submit(e, off, 1, false);
}

__noinline int on_link(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	__u32 kind = nr == NR_symlink || nr == NR_symlinkat ? VG_EV_SYMLINK : VG_EV_LINK;
	const char *target, *name;
	long dirfd = AT_FDCWD_, odirfd = AT_FDCWD_, flags = 0;
	struct vg_event *e;
	__u32 off;

	if (nr == NR_rename || nr == NR_renameat || nr == NR_renameat2)
		kind = VG_EV_RENAME;
	if (!want(kind))
		return 0;
	if (kind == VG_EV_RENAME) {
		/* a sensitive file moved away, or swapped with an allowed one (RENAME_EXCHANGE):
		 * target = the old name, name = the new one */
		if (nr == NR_rename) {
			target = (const char *)BPF_CORE_READ(regs, di);
			name = (const char *)BPF_CORE_READ(regs, si);
		} else {
			odirfd = (int)BPF_CORE_READ(regs, di);
			target = (const char *)BPF_CORE_READ(regs, si);
			dirfd = (int)BPF_CORE_READ(regs, dx);
			name = (const char *)BPF_CORE_READ(regs, r10);
			if (nr == NR_renameat2)
				flags = BPF_CORE_READ(regs, r8);
		}
	} else if (nr == NR_symlink || nr == NR_link) {
		target = (const char *)BPF_CORE_READ(regs, di);
		name = (const char *)BPF_CORE_READ(regs, si);
	} else if (nr == NR_symlinkat) {
		target = (const char *)BPF_CORE_READ(regs, di);
		dirfd = (int)BPF_CORE_READ(regs, si);
		name = (const char *)BPF_CORE_READ(regs, dx);
	} else {
		target = (const char *)BPF_CORE_READ(regs, si);
		dirfd = (int)BPF_CORE_READ(regs, dx);
		name = (const char *)BPF_CORE_READ(regs, r10);
	}
	e = ev_begin(kind, cg);
	if (!e)
		return 0;
	/* string 0: link name, 1: directory of a relative link name, 2: target as given; a
	 * rename's old name joined to its directory (the cwd's or the descriptor's) */
	off = put_user_path(e, 0, 0, 1, name, dirfd);
	if (kind == VG_EV_RENAME)
		off = put_joined_path(e, off, 2, target, true, odirfd);
	else
		off = put_str(e, off, 2, target, true, VG_STR_RAW);
	e->arg[0] = flags;
	e->arg[1] = ret;
	e->arg[2] = odirfd == AT_FDCWD_; /* a relative old name is the cwd's */
	return ev_submit(e, off, 0, false);
}

/* ---- pages of a file made executable (a library loaded) ------------------------------ */

struct vma_file {
	struct file *f;
};

static long vma_file_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_file *v = data;

	v->f = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/*
 * The name a mapping's file has for the process. overlayfs puts its real file (a backing file:
 * the upper layer's, under a private mount of the layer) in the mapping, whose path is the
 * layer's; the overlay path the process opened is the backing file's user_path. Taken only
 * when that path is an overlay file whose upper inode is the mapped one (struct backing_file
 * is told by an f_mode bit whose number changed between kernels: checked by what it says).
 */
static __always_inline __u32 put_map_path(struct vg_event *e, struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);

	if (bpf_core_type_exists(struct backing_file) &&
	    BPF_CORE_READ(ino, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC_) {
		struct backing_file *bf =
			(void *)f - bpf_core_field_offset(struct backing_file, file);
		struct dentry *ud = BPF_CORE_READ(bf, user_path.dentry);
		struct dentry *up;

		if (ud && BPF_CORE_READ(ud, d_sb, s_magic) == OVERLAYFS_SUPER_MAGIC_ &&
		    (up = ovl_upper(BPF_CORE_READ(ud, d_inode))) &&
		    BPF_CORE_READ(up, d_inode) == ino)
			return put_path(e, 0, 0, ud, BPF_CORE_READ(bf, user_path.mnt));
	}
	return put_file_path(e, 0, 0, f);
}

/*
 * A library is mapped, not executed: the dynamic loader (dlopen, LD_PRELOAD, ld.so --preload)
 * maps its code with PROT_EXEC from a descriptor. mmap with PROT_EXEC of a file, or mprotect
 * adding PROT_EXEC to a file's mapping (found with bpf_find_vma), makes an MMAP_EXEC record
 * when the file is one a monitored workload wrote (map written: drop-and-execute, as for an
 * exec) or a memfd (fileless). Any other file costs one map lookup; anonymous mappings
 * (malloc, JIT) return at the flags test.
 */
__noinline int on_mmap(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vg_writer *wr;
	struct vg_inode_key k;
	struct vg_written *w;
	struct vg_event *e;
	struct dentry *d;
	struct inode *ino;
	struct file *f;
	bool memfd;
	__u64 h;
	__u32 off;
	long prot = BPF_CORE_READ(regs, dx);

	if (!want(VG_EV_MMAP_EXEC) || !(prot & PROT_EXEC_) || (ret < 0 && ret > -4096))
		return 0;
	if (nr == NR_mmap) {
		if (BPF_CORE_READ(regs, r10) & MAP_ANONYMOUS_)
			return 0;
		f = fd_file(t, (int)BPF_CORE_READ(regs, r8));
	} else {
		struct vma_file v = {};

		bpf_find_vma(bpf_get_current_task_btf(), BPF_CORE_READ(regs, di), vma_file_cb, &v,
			     0);
		f = v.f;
	}
	if (!f)
		return 0;
	ino = BPF_CORE_READ(f, f_inode);
	d = BPF_CORE_READ(f, f_path.dentry);
	if (!ino)
		return 0;
	inode_key(ino, &k);
	w = bpf_map_lookup_elem(&written, &k);
	/* a memfd: its dentry is its own parent and it has no link (as for an exec) */
	memfd = d == BPF_CORE_READ(d, d_parent) && !BPF_CORE_READ(ino, __i_nlink);
	if (!w && !memfd)
		return 0;
	e = ev_begin(VG_EV_MMAP_EXEC, cg);
	if (!e)
		return 0;
	off = put_map_path(e, f);
	if (memfd)
		e->flags |= VG_F_MEMFD;
	e->arg[0] = prot;
	e->arg[1] = nr == NR_mprotect;
	e->arg[2] = k.ino;
	if (w) {
		wr = (struct vg_writer *)&e->sa[0];
		e->arg[5] = w->cgroup_id; /* non-zero: written */
		wr->how = w->how;
		wr->tgid = w->tgid;
		wr->ktime_lo = (__u32)w->ktime_ns;
		wr->ktime_hi = w->ktime_ns >> 32;
	}
	/* a repeat: the same file, as last written, mapped by the same program */
	h = ev_hash(e, off, 3) ^ actor_key(e->euid);
	if (w)
		h = (h ^ w->ktime_ns) * 0x100000001b3ull;
	if (off > SCRATCH_SIZE - VG_EVENT_HDR_SIZE)
		return 0;
	barrier_var(off);
	return ev_submit_key(e, off, 3, false, h | 1);
}
