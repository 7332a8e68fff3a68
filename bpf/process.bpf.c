// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Process lifecycle (exec, fork, exit) and capability checks. */
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

/* Was the executable written by a monitored workload since the sensor started (map written)? */
static __always_inline void exec_written(struct vg_event *e, struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	struct vg_writer *wr = (struct vg_writer *)&e->sa[0];
	struct vg_inode_key k;
	struct vg_written *w;

	if (!ino)
		return;
	inode_key(ino, &k);
	w = bpf_map_lookup_elem(&written, &k);
	if (!w)
		return;
	e->arg[5] = w->cgroup_id; /* non-zero: written */
	wr->how = w->how;
	wr->tgid = w->tgid;
	wr->ktime_lo = (__u32)w->ktime_ns;
	wr->ktime_hi = w->ktime_ns >> 32;
}

/* when the executable was last written (arg[5] set) */
static __always_inline __u64 wr_time(struct vg_event *e)
{
	struct vg_writer *wr = (struct vg_writer *)&e->sa[0];

	return ((__u64)wr->ktime_hi << 32) | wr->ktime_lo;
}

/*
 * Did this exec enter a running container from outside (R2000: podman/runc/ctr/crictl exec)?
 * The runtime's exec puts the new process into the container's pid namespace while its parent
 * (runc, conmon, the containerd shim) stays in an outer one; the container's own processes
 * are born in their parent's pid namespace. The first process of a pid namespace (the
 * container's entrypoint, or a process that unshared one inside) is its pid 1: not an entry.
 * A container that shares the host's pid namespace (hostPID) cannot be told apart this way:
 * see exec_entered_host.
 */
static __always_inline bool exec_entered(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	unsigned int plevel = BPF_CORE_READ(t, real_parent, thread_pid, level);
	int nr = 0;

	if (level <= plevel || level > 32)
		return false;
	bpf_probe_read_kernel(&nr, sizeof(nr),
			      (void *)pid + bpf_core_field_offset(struct pid, numbers) +
				      level * bpf_core_type_size(struct upid) +
				      bpf_core_field_offset(struct upid, nr));
	return nr > 1;
}

/*
 * At execve's entry (bpf/syscalls.bpf.c, monitored tasks only): is the caller a container
 * runtime's init about to run the command it put into a container? Its comm is the runtime's
 * (runc:[2:INIT]: vg_runtime_comm), and so is its executable (vg_runtime_exe), a file it
 * brought from outside: the executable's mount is not in the task's mount namespace (the init
 * has joined the container's; a program of the container's own, on its root or a volume, lies
 * in it). A workload can rename itself and name a file runc, not run a file from beyond its
 * mount namespace (a memfd aside: see docs/DETECTION.md R2000). Noted by thread id, with the
 * thread group's start time (a thread that execs takes its leader's, and a reused id has
 * another).
 */
__noinline int exec_note(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vfsmount *mnt;
	struct mount *m;
	struct file *exe;
	char c[16] = {};
	__u64 start;
	__u32 tid;

	bpf_get_current_comm(&c, sizeof(c));
	if (!vg_runtime_comm(c))
		return 0;
	exe = BPF_CORE_READ(t, mm, exe_file);
	if (!exe)
		return 0;
	__builtin_memset(c, 0, sizeof(c));
	bpf_probe_read_kernel_str(&c, sizeof(c), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
	if (!vg_runtime_exe(c))
		return 0;
	mnt = BPF_CORE_READ(exe, f_path.mnt);
	m = container_of(mnt, struct mount, mnt);
	if (BPF_CORE_READ(m, mnt_ns) == BPF_CORE_READ(t, nsproxy, mnt_ns))
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	start = BPF_CORE_READ(t, group_leader, start_boottime);
	bpf_map_update_elem(&execnote, &tid, &start, BPF_ANY);
	return 0;
}

/* Was this exec noted at its call (exec_note)? The note is consumed either way. */
static __always_inline bool exec_noted(struct task_struct *t, pid_t old_pid)
{
	__u32 tid = old_pid;
	__u64 *start = bpf_map_lookup_elem(&execnote, &tid);
	bool yes;

	if (!start)
		return false;
	yes = *start == BPF_CORE_READ(t, start_boottime);
	bpf_map_delete_elem(&execnote, &tid);
	return yes;
}

/*
 * The same for a container in the host's pid namespace: the runtime's exec (runc exec, what
 * conmon and the containerd shim run) puts a process into the container's cgroup from its own,
 * so the new process's parent is the runtime, outside the container's cgroup. A container's
 * own processes are born in their parent's cgroup; an orphan of one is handed to conmon or the
 * shim (not the runtime); the entrypoint is the runtime's too (runc run), but it is then the
 * only task of its cgroup (its exec ended its other threads), while an exec into a running
 * container finds the entrypoint there. runc may exit before the new process reaches this hook
 * (it returns when the init closes its sync pipe, just before the execve), handing it to conmon
 * or the shim as an orphan is: then the note taken at the execve's call (noted: exec_note)
 * says it was the runtime's init.
 */
static __always_inline bool exec_entered_host(struct task_struct *t, __u64 cg, bool noted)
{
	struct task_struct *p = BPF_CORE_READ(t, real_parent);
	char pc[16] = {};

	if (BPF_CORE_READ(t, thread_pid, level) != BPF_CORE_READ(p, thread_pid, level) ||
	    BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id) == cg ||
	    BPF_CORE_READ(t, cgroups, nr_tasks) < 2)
		return false;
	if (noted)
		return true;
	BPF_CORE_READ_STR_INTO(&pc, p, comm);
	return vg_runtime_comm(pc);
}

/* The tool an entering exec came from, captured now (struct vg_entered in sa[1]). */
static __always_inline void exec_enterer(struct task_struct *t, struct vg_event *e)
{
	struct vg_entered *en = (struct vg_entered *)&e->sa[1];
	struct task_struct *p = BPF_CORE_READ(t, real_parent);

	for (int i = 0; i < VG_ENTER_UP && p; i++) {
		BPF_CORE_READ_STR_INTO(&en->comm, p, comm);
		en->tgid = BPF_CORE_READ(p, tgid);
		if (!vg_runtime_comm(en->comm))
			break;
		p = BPF_CORE_READ(p, real_parent);
	}
}

/* inode times across kernel versions: i_ctime_sec/nsec (6.11), __i_ctime (6.6), i_ctime; and
 * i_mtime_sec/nsec (6.11), __i_mtime (6.7), i_mtime */
struct inode___v66 {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));
struct inode___v65 {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

static __always_inline __u64 inode_mtime_ns(struct inode *ino)
{
	if (bpf_core_field_exists(ino->i_mtime_sec))
		return (__u64)BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ull +
		       BPF_CORE_READ(ino, i_mtime_nsec);
	if (bpf_core_field_exists(((struct inode___v66 *)ino)->__i_mtime)) {
		struct inode___v66 *i = (void *)ino;

		return (__u64)BPF_CORE_READ(i, __i_mtime.tv_sec) * 1000000000ull +
		       BPF_CORE_READ(i, __i_mtime.tv_nsec);
	}
	{
		struct inode___v65 *i = (void *)ino;

		return (__u64)BPF_CORE_READ(i, i_mtime.tv_sec) * 1000000000ull +
		       BPF_CORE_READ(i, i_mtime.tv_nsec);
	}
}

static __always_inline __u64 inode_ctime_ns(struct inode *ino)
{
	if (bpf_core_field_exists(ino->i_ctime_sec))
		return (__u64)BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ull +
		       BPF_CORE_READ(ino, i_ctime_nsec);
	if (bpf_core_field_exists(((struct inode___v66 *)ino)->__i_ctime)) {
		struct inode___v66 *i = (void *)ino;

		return (__u64)BPF_CORE_READ(i, __i_ctime.tv_sec) * 1000000000ull +
		       BPF_CORE_READ(i, __i_ctime.tv_nsec);
	}
	{
		struct inode___v65 *i = (void *)ino;

		return (__u64)BPF_CORE_READ(i, i_ctime.tv_sec) * 1000000000ull +
		       BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
}

/*
 * A monitored process's network namespace is its workload's (map netns_wl), unless it is the
 * host's: noted at an exec when the namespace has no workload yet. The first keeps it: another
 * container sharing the namespace (a pod's) does not take it over, nor does one the sensor
 * follows but the agent does not watch (excluded, under a watched parent), whose records no
 * workload would own; the agent's own note of a watched container replaces any (sensor_netns.c).
 * A cgroup holds at most VG_NETNS_PER_WL namespaces at once (netns_own): one allowed to make
 * namespaces (unshare -n) and exec in each cannot fill the map and blind R2001 to new pods.
 * A slot is free when it is 0 or its namespace's entry is gone from netns_wl (user space
 * removes the entries of namespaces that no process holds any more, sensor/sensor_netns.c);
 * while all are taken the cgroup's first are kept (its pod's, noted at its first exec) and a
 * refused note is a table drop. Keyed by the namespace's cookie (netns_key): a freed
 * namespace's inode number, reused by the kernel, names no old entry.
 */
#define EEXIST_ 17

static __always_inline void netns_note(struct task_struct *t, __u64 cg)
{
	struct net *net = BPF_CORE_READ(t, nsproxy, net_ns);
	__u64 ns = netns_key(net);
	struct vg_netns_own *o, none = {};
	__u32 slot = VG_NETNS_PER_WL;
	long r;

	if (!ns || BPF_CORE_READ(net, ns.inum) == cfg_host_netns ||
	    bpf_map_lookup_elem(&netns_wl, &ns))
		return;
	o = bpf_map_lookup_elem(&netns_own, &cg);
	if (!o) {
		bpf_map_update_elem(&netns_own, &cg, &none, BPF_NOEXIST);
		o = bpf_map_lookup_elem(&netns_own, &cg);
	}
	if (!o)
		goto refused;
	/* a free slot of its own even when CPUs note for the cgroup at once (compare-and-swap) */
	for (__u32 i = 0; i < VG_NETNS_PER_WL; i++) {
		__u64 old = o->ns[i];

		if (old && bpf_map_lookup_elem(&netns_wl, &old))
			continue; /* its namespace is still noted */
		if (__sync_val_compare_and_swap(&o->ns[i], old, ns) == old) {
			slot = i;
			break;
		}
	}
	if (slot >= VG_NETNS_PER_WL)
		goto refused;
	r = bpf_map_update_elem(&netns_wl, &ns, &cg, BPF_NOEXIST);
	/* -EEXIST: another CPU noted it first: the slot goes back */
	if (r) {
		__sync_val_compare_and_swap(&o->ns[slot & (VG_NETNS_PER_WL - 1)], ns, 0);
		if (r != -EEXIST_)
			goto refused;
	}
	return;
refused:
	count(VG_CNT_DROP_TABLE);
}

/* Notes a monitored process's workload (map wlof), for cgroup_attach_task (bpf/cgroup.bpf.c):
 * at its fork and at each exec. */
static __always_inline void wl_note(__u32 tgid, __u64 cg)
{
	struct vg_wlof o = { .cgroup_id = cg };

	bpf_map_update_elem(&wlof, &tgid, &o, BPF_ANY);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vg_event *e;
	struct file *f;
	struct dentry *d;
	__u64 cg, as, ae;
	__u32 off = 0;
	bool noted;

	if (!monitored(&cg))
		return 0;
	wl_note((__u32)(bpf_get_current_pid_tgid() >> 32), cg);
	netns_note(t, cg);
	if (!want(VG_EV_EXEC))
		return 0;
	e = ev_begin(VG_EV_EXEC, cg);
	if (!e)
		return 0;
	f = BPF_CORE_READ(bprm, file);
	d = BPF_CORE_READ(f, f_path.dentry);
	off = put_file_path(e, off, 0, f);
	if ((e->flags & VG_F_PSEUDO) && !BPF_CORE_READ(d, d_inode, __i_nlink))
		e->flags |= VG_F_MEMFD;
	if (BPF_CORE_READ(d, d_sb, s_magic) == OVERLAYFS_SUPER_MAGIC_) {
		struct dentry *upper = ovl_upper(BPF_CORE_READ(d, d_inode));

		if (upper && BPF_CORE_READ(upper, d_inode))
			e->flags |= VG_F_UPPER;
	}
	enforce_exec(e, cg);
	as = BPF_CORE_READ(t, mm, arg_start);
	ae = BPF_CORE_READ(t, mm, arg_end);
	off = put_user_bytes(e, off, 1, (void *)as, ae > as ? ae - as : 0, VG_ARGV_MAX,
			     VG_STR_ARGV);
	off = put_path(e, off, 2, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt));
	e->arg[0] = BPF_CORE_READ(bprm, argc);
	noted = exec_noted(t, old_pid);
	if (exec_entered(t))
		e->arg[0] |= VG_EXEC_ENTERED;
	else if (exec_entered_host(t, cg, noted))
		e->arg[0] |= VG_EXEC_ENTERED_HOST;
	if (e->arg[0] & (VG_EXEC_ENTERED | VG_EXEC_ENTERED_HOST))
		exec_enterer(t, e);
	exec_written(e, f);
	/* a script: binfmt_script replaced the file name with its interpreter's */
	if (BPF_CORE_READ(bprm, interp) != BPF_CORE_READ(bprm, filename))
		e->flags |= VG_F_SCRIPT;
	/* a set-id executable or one with file capabilities: the kernel clears personality bits
	 * when it honours them (e->euid, read after the exec, is the new one) */
	if (BPF_CORE_READ(bprm, per_clear))
		e->xflags |= VG_X_SETID;
	{
		/* the executable's identity: its content cannot change without ctime changing,
		 * so a replaced binary is a new record even when de-duplication is on */
		struct inode *ino = BPF_CORE_READ(f, f_inode);
		/* a repeat is the same program started by the same program (and uid, in the
		 * hash): a shell from the web server is not a repeat of one from cron */
		char pc[16] = {};
		__u64 h, w0, w1;

		e->arg[1] = BPF_CORE_READ(ino, i_ino);
		e->arg[2] = inode_ctime_ns(ino);
		e->arg[3] = BPF_CORE_READ(ino, i_size);
		e->arg[4] = inode_mtime_ns(ino);
		h = ev_hash(e, off, 3);
		BPF_CORE_READ_STR_INTO(&pc, t, real_parent, comm);
		__builtin_memcpy(&w0, pc, 8);
		__builtin_memcpy(&w1, pc + 8, 8);
		h = ((h ^ w0) * 0x100000001b3ull ^ w1) * 0x100000001b3ull;
		/* a file written again is news each time it is run after a write; a script's
		 * file is known only in user space: never a repeat */
		if (e->arg[5])
			h = (h ^ ((__u64)wr_time(e))) * 0x100000001b3ull;
		if (e->flags & VG_F_SCRIPT)
			h = (h ^ e->ktime_ns) * 0x100000001b3ull;
		/* every entry into a container from outside is news: a second `kubectl exec`
		 * of the same command within the cooldown is not a repeat */
		if (e->arg[0] & (VG_EXEC_ENTERED | VG_EXEC_ENTERED_HOST))
			h = (h ^ e->ktime_ns) * 0x100000001b3ull;
		if (off > SCRATCH_SIZE - VG_EVENT_HDR_SIZE)
			return 0;
		barrier_var(off);
		return ev_submit_key(e, off, 3, false, h | 1);
	}
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vg_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vg_event *e;
	__u64 cg;

	__u32 ctgid = BPF_CORE_READ(child, tgid), ptgid = bpf_get_current_pid_tgid() >> 32;

	if (BPF_CORE_READ(child, pid) != ctgid)
		return 0;
	if (!monitored(&cg))
		return 0;
	wl_note(ctgid, cg);
	/* the child of a process that left its workload is the workload's too */
	if (moved_any > 0 && bpf_map_lookup_elem(&moved, &ptgid)) {
		struct vg_wlof o = { .cgroup_id = cg };

		if (!bpf_map_update_elem(&moved, &ctgid, &o, BPF_NOEXIST))
			__sync_fetch_and_add(&moved_any, 1);
		else
			count(VG_CNT_DROP_TABLE);
	}
	if (!want(VG_EV_FORK))
		return 0;
	e = ev_begin(VG_EV_FORK, cg);
	if (!e)
		return 0;
	e->arg[0] = BPF_CORE_READ(child, tgid);
	e->arg[1] = BPF_CORE_READ(child, start_boottime);
	return ev_submit(e, 0, 0, false);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vg_exit, struct task_struct *p, bool group_dead)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vg_event *e;
	__u64 cg;

	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!group_dead || !monitored(&cg))
		return 0;
	bpf_map_delete_elem(&wlof, &tgid);
	http_proc_gone(tgid); /* its descriptors' HTTP notes (bpf/http.bpf.c) */
	if (moved_any > 0 && !bpf_map_delete_elem(&moved, &tgid))
		__sync_fetch_and_add(&moved_any, -1);
	if (!want(VG_EV_EXIT))
		return 0;
	e = ev_begin(VG_EV_EXIT, cg);
	if (!e)
		return 0;
	e->arg[0] = BPF_CORE_READ(t, exit_code);
	/* never a repeat: each process exits once, and user space forgets the process on it (a
	 * de-duplicated exit, e.g. a second busybox applet exiting in one workload, left the
	 * process in the sensor's table until it filled: ~1 KiB per short-lived process) */
	return ev_submit_key(e, 0, 0, false, VG_KEY_STREAM);
}

/* ---- syscalls: the set per workload (enter) ------------------------------------------ */

/* ---- capabilities -------------------------------------------------------------------- */

SEC("tp_btf/cap_capable")
int BPF_PROG(vg_cap, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct vg_event *e;
	__u64 cg;

	if (!want(VG_EV_CAPABILITY) || !monitored(&cg))
		return 0;
	e = ev_begin(VG_EV_CAPABILITY, cg);
	if (!e)
		return 0;
	e->arg[0] = cap;
	e->arg[1] = ret;
	/* the kernel checks some capabilities on every mmap/exec: report each (cap, result)
	 * once per workload, the set is what matters */
	return ev_submit(e, 0, 2, true);
}

/* raw_tp twins: the same bodies, for kernels where tp_btf programs do not load (not loaded
 * unless user space falls back). */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(vg_exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return ____vg_exec(ctx, p, old_pid, bprm);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(vg_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return ____vg_fork(ctx, parent, child);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(vg_exit_raw, struct task_struct *p, bool group_dead)
{
	return ____vg_exit(ctx, p, group_dead);
}

SEC("raw_tp/cap_capable")
int BPF_PROG(vg_cap_raw, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	return ____vg_cap(ctx, cred, target_ns, capable_ns, cap, ret);
}
