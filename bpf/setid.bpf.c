// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * The setuid or setgid bit given to a file (SETID records, V1106, T1548.001), in every
 * spelling the kernel has for it: chmod, fchmod, fchmodat, fchmodat2 (what `chmod u+s`,
 * `install -m 4755` and `cp -p` of a setuid file end in), open/openat/openat2/creat with
 * O_CREAT and such a mode, mknod/mknodat of a regular file; and file capabilities, the other
 * way a file runs with privileges its user lacks (`setcap cap_setuid+ep`: setxattr, lsetxattr,
 * fsetxattr, setxattrat of "security.capability"), a record with mode 0 and the call's name.
 * io_uring has no chmod and no mknod operation; its OPENAT with O_CREAT and a setuid mode is
 * seen at its completion (uring.bpf.c), its SETXATTR and FSETXATTR at submission.
 * Only calls whose mode has S_ISUID or S_ISGID make a record: every other chmod and open costs
 * the mode test. Attempts count (a chmod refused is reported with its error).
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
#include "syscalls.bpf.h"

#define S_ISID_	  06000 /* S_ISUID | S_ISGID */
#define S_IFMT_	  0170000
#define S_IFREG_  0100000
#define AT_EMPTY_ 0x1000 /* AT_EMPTY_PATH */

__noinline int vg_xattr_is_caps(__u64 name_, __u64 user)
{
	static const char want[] = "security.capability";
	const char *name = (const char *)name_;
	char got[sizeof(want)] = {};
	long n = user ? bpf_probe_read_user_str(got, sizeof(got), name)
		      : bpf_probe_read_kernel_str(got, sizeof(got), name);

	if (n != sizeof(want))
		return 0;
	for (int i = 0; i < (int)sizeof(want); i++) {
		if (got[i] != want[i])
			return 0;
	}
	return 1;
}

__noinline int on_setid(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t;
	struct sys_args a = {};
	const char *upath = NULL;
	long dirfd = AT_FDCWD_, mode, fd = -1, type = 0;
	bool caps = false;
	struct file *f = NULL;
	struct vg_event *e;
	__u32 off = 0;

	if (!want(VG_EV_SETID))
		return 0;
	bpf_probe_read_kernel(&a, sizeof(a), &regs->r10);
	switch (nr) {
	case NR_chmod:
		upath = (const char *)a.di;
		mode = a.si;
		break;
	case NR_fchmod:
		fd = a.di;
		mode = a.si;
		break;
	case NR_fchmodat:
	case NR_fchmodat2:
		dirfd = (int)a.di;
		upath = (const char *)a.si;
		mode = a.dx;
		if (nr == NR_fchmodat2 && (a.r10 & AT_EMPTY_))
			fd = dirfd; /* the path may be "": the descriptor is the file */
		break;
	case NR_mknod:
	case NR_mknodat:
		if (nr == NR_mknod) {
			upath = (const char *)a.di;
			mode = a.si;
		} else {
			dirfd = (int)a.di;
			upath = (const char *)a.si;
			mode = a.dx;
		}
		type = mode & S_IFMT_ ? mode & S_IFMT_ : S_IFREG_; /* 0 is a regular file */
		break;
	case NR_open:
	case NR_creat:
	case NR_openat:
	case NR_openat2: {
		long flags;

		if (nr == NR_open) {
			flags = a.si;
			mode = a.dx;
		} else if (nr == NR_creat) {
			flags = O_CREAT_;
			mode = a.si;
		} else if (nr == NR_openat) {
			flags = a.dx;
			mode = a.r10;
		} else {
			struct open_how how = {};

			bpf_probe_read_user(&how, sizeof(how), (void *)a.dx);
			flags = how.flags;
			mode = how.mode;
		}
		if (!(flags & O_CREAT_) || !(mode & S_ISID_))
			return 0;
		if (ret < 0)
			return 0; /* nothing made */
		fd = ret;
		break;
	}
	case NR_setxattr:
	case NR_lsetxattr:
	case NR_fsetxattr:
	case NR_setxattrat: {
		const char *name = (const char *)a.si;

		if (nr == NR_fsetxattr) {
			fd = a.di;
		} else if (nr == NR_setxattrat) {
			dirfd = (int)a.di;
			upath = (const char *)a.si;
			name = (const char *)a.r10;
			if (a.dx & AT_EMPTY_)
				fd = dirfd;
		} else {
			upath = (const char *)a.di;
		}
		if (!vg_xattr_is_caps((__u64)name, 1))
			return 0;
		mode = 0; /* no bits: the call's name says capabilities (sensor_attr.c) */
		caps = true;
		break;
	}
	default:
		return 0;
	}
	if (!(mode & S_ISID_) && !caps)
		return 0;
	t = (struct task_struct *)bpf_get_current_task();
	if (fd >= 0)
		f = fd_file(t, fd);
	e = ev_begin(VG_EV_SETID, cg);
	if (!e)
		return 0;
	if (f) {
		__u32 imode = BPF_CORE_READ(f, f_inode, i_mode);

		/* the file as it is now: its type, and the bits the kernel kept (an open of
		 * a file that existed ignores the mode; setgid is dropped for a group the
		 * caller is not in) */
		type = imode & S_IFMT_;
		e->arg[3] = imode;
		off = put_file_path(e, off, 0, f);
	}
	if (!off && upath)
		off = put_user_path(e, off, 0, 1, upath, dirfd);
	e->arg[0] = mode & 07777;
	e->arg[1] = ret;
	e->arg[2] = nr;
	e->arg[4] = type;
	return ev_submit(e, off, 1, false);
}
