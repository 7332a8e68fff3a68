// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Vigil's kernel side: every hook of the sensor in one object (one skeleton). Layers:
 * monitored-set check (a few instructions for tasks nobody watches) -> record header ->
 * extractors (paths, argv, socket addresses) -> de-duplication and rate limit -> ring buffer.
 * Maps are documented in bpf/sensor_abi.h and docs/SENSOR.md.
 *
 * Syscall numbers are x86_64 (the only architecture this build targets).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "sensor_abi.h"
#include "shared.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Configuration, set by user space between open and load. */
const volatile __u32 cfg_self_tgid = 0;
const volatile __u32 cfg_scope_selected = 0;
const volatile __u64 cfg_kinds = ~0ull; /* bit per enum vg_kind */
const volatile __u32 cfg_dedup = 0;
const volatile __u32 cfg_syscall_first_use = 1;
const volatile __u64 cfg_rate_per_sec = 20000; /* per workload; 0 = unlimited */
const volatile __u32 cfg_dns_port = 53;	       /* a second DNS port (tests, local resolvers) */

#define AT_FDCWD_	       -100
#define OVERLAYFS_SUPER_MAGIC_ 0x794c7630
#define AF_UNIX_	       1
#define AF_INET_	       2
#define AF_INET6_	       10
#define IPPROTO_UDP_	       17
#define O_CREAT_	       0100

/* x86_64 syscall numbers used by the exit dispatcher */
#define NR_open		2
#define NR_connect	42
#define NR_accept	43
#define NR_sendto	44
#define NR_sendmsg	46
#define NR_bind		49
#define NR_listen	50
#define NR_creat	85
#define NR_link		86
#define NR_symlink	88
#define NR_chmod	90
#define NR_fchmod	91
#define NR_ptrace	101
#define NR_mount	165
#define NR_init_module	175
#define NR_openat	257
#define NR_linkat	265
#define NR_symlinkat	266
#define NR_fchmodat	268
#define NR_unshare	272
#define NR_accept4	288
#define NR_sendmmsg	307
#define NR_setns	308
#define NR_finit_module 313
#define NR_memfd_create 319
#define NR_bpf		321
#define NR_openat2	437
#define NR_fchmodat2	452

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} excluded SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct vg_vcache);
} verdict SEC(".maps");

/* Bumped by user space after watched/excluded change: every cached decision older than it
 * (in verdict or vcache) is decided again. */
volatile __u32 verdict_gen = 0;
/* Bumped by user space after sysallow changes: per-CPU quiet syscall sets are refilled. */
volatile __u32 syscall_gen = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_cpucache);
} vcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_bitmap);
} sysbits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_bitmap);
} sysallow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_uring_ops);
} uringops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} zoom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vg_dedup_key);
	__type(value, __u8);
} dedup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vg_rate);
} rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

#define SCRATCH_SIZE 16384
struct scratch {
	__u8 buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

#define DMASK (VG_DATA_MAX - 1)

/* A data offset the verifier can see is bounded: the AND survives the compiler, which would
 * otherwise drop it after its own range checks. */
static __always_inline __u32 doff(__u32 off)
{
	asm volatile("%[o] &= 8191" : [o] "+r"(off));
	return off;
}

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &what);

	if (v)
		*v += 1;
}

static __always_inline bool want(__u32 kind)
{
	return cfg_kinds & (1ull << kind);
}

/* ---- monitored set ------------------------------------------------------------------- */

/* Cache miss: decide from the watched/excluded maps and the task's cgroup ancestry. */
static __noinline int decide_current(__u64 cg, __u32 gen)
{
	struct vg_vcache val = { .cgroup_id = cg, .gen = gen };
	__u8 v = 2;

	for (int lvl = 0; lvl < 16; lvl++) {
		__u64 anc = bpf_get_current_ancestor_cgroup_id(lvl);

		if (!anc)
			break;
		if (cfg_scope_selected) {
			if (bpf_map_lookup_elem(&watched, &anc)) {
				v = 1;
				break;
			}
		} else if (bpf_map_lookup_elem(&excluded, &anc)) {
			v = 2;
			goto out;
		}
	}
	if (!cfg_scope_selected)
		v = 1;
out:
	val.verdict = v;
	bpf_map_update_elem(&verdict, &cg, &val, BPF_ANY);
	return v == 1;
}

/* The early exit of every hook: the sensor itself and unmonitored cgroups leave here.
 * ret_c: this CPU's cache (may be NULL), for hooks with a fast path of their own. */
static __always_inline bool monitored_c(__u64 *ret_cg, struct vg_cpucache **ret_c)
{
	__u32 zero = 0, gen = verdict_gen;
	struct vg_cpucache *c;
	struct vg_vcache *v;
	__u64 cg = bpf_get_current_cgroup_id();
	bool m;

	*ret_cg = cg;
	/* per-CPU one-entry cache: consecutive syscalls of one task cost an array lookup */
	c = bpf_map_lookup_elem(&vcache, &zero);
	*ret_c = c;
	if (c && c->v.cgroup_id == cg && c->v.gen == gen) {
		if (c->v.verdict != 1)
			return false;
	} else {
		v = bpf_map_lookup_elem(&verdict, &cg);
		m = v && v->gen == gen ? v->verdict == 1 : decide_current(cg, gen);
		if (c) {
			c->v.cgroup_id = cg;
			c->v.gen = gen;
			c->v.verdict = m ? 1 : 2;
		}
		if (!m)
			return false;
	}
	/* the sensor's own process, checked only where it could be monitored */
	return (bpf_get_current_pid_tgid() >> 32) != cfg_self_tgid;
}

static __always_inline bool monitored(__u64 *ret_cg)
{
	struct vg_cpucache *c;

	return monitored_c(ret_cg, &c);
}

static __always_inline bool monitored_cgid(__u64 cg)
{
	struct vg_vcache *v = bpf_map_lookup_elem(&verdict, &cg);

	if (v && v->gen == verdict_gen)
		return v->verdict == 1;
	if (cfg_scope_selected)
		return bpf_map_lookup_elem(&watched, &cg) != NULL;
	return bpf_map_lookup_elem(&excluded, &cg) == NULL;
}

/* ---- record construction ------------------------------------------------------------- */

static __always_inline struct vg_event *ev_begin(__u32 kind, __u64 cg)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct vg_event *e;

	if (!s)
		return NULL;
	e = (struct vg_event *)s->buf;
	vg_event_init(e, kind, cg);
	return e;
}

/* Per-workload token bucket: a flood from one workload cannot blind the sensor to others. */
static __always_inline bool rate_ok(__u64 cg, __u64 now)
{
	struct vg_rate *r, init = { .last_ns = now, .tokens = cfg_rate_per_sec };
	__u64 add;

	if (!cfg_rate_per_sec)
		return true;
	r = bpf_map_lookup_elem(&rate, &cg);
	if (!r) {
		bpf_map_update_elem(&rate, &cg, &init, BPF_ANY);
		return true;
	}
	add = (now - r->last_ns) * cfg_rate_per_sec / 1000000000ull;
	if (add) {
		r->tokens += add;
		if (r->tokens > cfg_rate_per_sec)
			r->tokens = cfg_rate_per_sec;
		r->last_ns = now;
	}
	if (!r->tokens)
		return false;
	r->tokens--;
	return true;
}

/* FNV-style fold of the first 256 bytes of the strings and the kind's numbers. */
static __always_inline __u64 ev_hash(struct vg_event *e, __u32 off, int nargs)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (int i = 0; i < 32; i++) {
		__u32 at = i * 8;
		__u64 w;

		if (at >= off)
			break;
		w = *(__u64 *)&e->data[doff(at)];
		if (off - at < 8)
			w &= (1ull << ((off - at) * 8)) - 1;
		h = (h ^ w) * 0x100000001b3ull;
	}
	for (int i = 0; i < 6; i++) {
		if (i >= nargs)
			break;
		h = (h ^ (__u64)e->arg[i]) * 0x100000001b3ull;
	}
	h = (h ^ e->sa[1].port ^ ((__u64)e->sa[0].port << 16)) * 0x100000001b3ull;
	h = (h ^ *(__u64 *)&e->sa[1].addr[0] ^ *(__u64 *)&e->sa[1].addr[8]) * 0x100000001b3ull;
	return h;
}

/*
 * Sends the record built in scratch with `off` bytes of string data. nargs: how many of the
 * arg[] numbers are part of the de-duplication key (the rest, e.g. return values, are not).
 * force_dedup: de-duplicate even when the sensor runs without it (first-use style events).
 */
static __always_inline int ev_submit_key(struct vg_event *e, __u32 off, int nargs, bool force_dedup,
					 __u64 key_hash)
{
	struct vg_dedup_key k = {};
	__u8 one = 1;
	bool dd = cfg_dedup || force_dedup;
	__u64 size;

	/* a zoomed workload reports every repeat (each connection...), first-use events aside */
	if (dd && !force_dedup && bpf_map_lookup_elem(&zoom, &e->cgroup_id))
		dd = false;

	if (dd) {
		k.cgroup_id = e->cgroup_id;
		k.kind = e->kind;
		k.hash = key_hash ? key_hash : ev_hash(e, off, nargs);
		if (bpf_map_lookup_elem(&dedup, &k)) {
			count(VG_CNT_DEDUP);
			return 0;
		}
	}
	if (!rate_ok(e->cgroup_id, e->ktime_ns)) {
		count(VG_CNT_DROP_RATELIMIT);
		return 0;
	}
	size = VG_EVENT_HDR_SIZE + (__u64)off;
	if (size > SCRATCH_SIZE)
		return 0;
	e->size = size;
	if (bpf_ringbuf_output(&events, e, size, 0)) {
		count(VG_CNT_DROP_RINGBUF);
		return 0;
	}
	count(VG_CNT_EVENTS);
	if (dd && bpf_map_update_elem(&dedup, &k, &one, BPF_ANY))
		count(VG_CNT_DROP_TABLE);
	return 0;
}

static __always_inline int ev_submit(struct vg_event *e, __u32 off, int nargs, bool force_dedup)
{
	return ev_submit_key(e, off, nargs, force_dedup, 0);
}

static __always_inline void set_fmt(struct vg_event *e, int idx, __u8 fmt)
{
	e->str_fmt |= fmt << (idx * 2);
}

/* Copies a kernel or user string as string number idx; returns the new data offset. */
static __always_inline __u32 put_str(struct vg_event *e, __u32 off, int idx, const void *src,
				     bool user, __u8 fmt)
{
	long n;

	if (idx >= VG_NSTR || off > VG_DATA_MAX - VG_STR_MAX) {
		e->flags |= VG_F_TRUNC;
		return off;
	}
	if (user)
		n = bpf_probe_read_user_str(&e->data[doff(off)], VG_STR_MAX, src);
	else
		n = bpf_probe_read_kernel_str(&e->data[doff(off)], VG_STR_MAX, src);
	if (n <= 0)
		return off;
	if (n == VG_STR_MAX)
		e->flags |= VG_F_TRUNC;
	e->str_len[idx] = n;
	set_fmt(e, idx, fmt);
	return off + n;
}

/* Bounded bytes from user memory (argv block, DNS payload). */
static __always_inline __u32 put_user_bytes(struct vg_event *e, __u32 off, int idx, const void *src,
					    __u64 len, __u32 max, __u8 fmt)
{
	if (idx >= VG_NSTR || off > VG_DATA_MAX - VG_STR_MAX)
		return off;
	if (len > max) {
		len = max;
		e->flags |= idx == 1 ? VG_F_ARGS_TRUNC : VG_F_TRUNC;
	}
	if (len == 0 || len > VG_STR_MAX)
		return off;
	if (bpf_probe_read_user(&e->data[doff(off)], len, src))
		return off;
	e->str_len[idx] = len;
	set_fmt(e, idx, fmt);
	return off + len;
}

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

		if (pm == mnt)
			return 1;
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

static __always_inline __u32 put_path(struct vg_event *e, __u32 off, int idx, struct dentry *dentry,
				      struct vfsmount *vfsmnt)
{
	return put_path_g(off, idx, (__u64)dentry, (__u64)vfsmnt);
}

static __always_inline struct file *fd_file(struct task_struct *t, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **arr;
	struct file *f = NULL;

	if (fd < 0 || !fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	arr = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

static __always_inline __u32 put_file_path(struct vg_event *e, __u32 off, int idx, struct file *f)
{
	if (!f)
		return off;
	return put_path(e, off, idx, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}

/* The directory a relative path is resolved against: cwd for AT_FDCWD, else the dirfd. */
static __always_inline __u32 put_dir(struct vg_event *e, __u32 off, int idx, long dirfd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	if (dirfd == AT_FDCWD_)
		return put_path(e, off, idx, BPF_CORE_READ(t, fs, pwd.dentry),
				BPF_CORE_READ(t, fs, pwd.mnt));
	return put_file_path(e, off, idx, fd_file(t, dirfd));
}

/* A user path argument: raw string, plus the directory when it is relative. */
static __always_inline __u32 put_user_path(struct vg_event *e, __u32 off, int idx, int diridx,
					   const char *upath, long dirfd)
{
	__u32 start = off;
	char c = 0;

	off = put_str(e, off, idx, upath, true, VG_STR_RAW);
	if (off != start)
		c = e->data[doff(start)];
	if (off != start && c != '/')
		off = put_dir(e, off, diridx, dirfd);
	return off;
}

/* ---- sockets ------------------------------------------------------------------------- */

static __always_inline struct sock *fd_sock(long fd, struct socket **ret_sock)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct file *f = fd_file(t, fd);
	struct socket *so;

	if (!f)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	if (ret_sock)
		*ret_sock = so;
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

/* A user struct sockaddr into sa (unix paths go to string idx); returns the data offset. */
static __always_inline __u32 put_user_sockaddr(struct vg_event *e, __u32 off,
					       struct vg_sockaddr *sa, const void *uaddr, long len,
					       int idx)
{
	__u16 fam = 0;

	if (!uaddr || len < 2)
		return off;
	bpf_probe_read_user(&fam, sizeof(fam), uaddr);
	sa->family = fam;
	if (fam == AF_INET_) {
		struct sockaddr_in in = {};

		bpf_probe_read_user(&in, sizeof(in), uaddr);
		sa->port = bpf_ntohs(in.sin_port);
		__builtin_memcpy(sa->addr, &in.sin_addr, 4);
	} else if (fam == AF_INET6_) {
		struct sockaddr_in6 in6 = {};

		bpf_probe_read_user(&in6, sizeof(in6), uaddr);
		sa->port = bpf_ntohs(in6.sin6_port);
		__builtin_memcpy(sa->addr, &in6.sin6_addr, 16);
	} else if (fam == AF_UNIX_) {
		off = put_str(e, off, idx, uaddr + 2, true, VG_STR_RAW);
		/* abstract socket: leading NUL; keep its name after the '@' marker user space adds */
		if (!e->str_len[idx] && len > 3)
			off = put_str(e, off, idx, uaddr + 3, true, VG_STR_RAW);
	}
	return off;
}

/* ---- process lifecycle --------------------------------------------------------------- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct vg_event *e;
	struct file *f;
	struct dentry *d;
	__u64 cg, as, ae;
	__u32 off = 0;

	if (!want(VG_EV_EXEC) || !monitored(&cg))
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
		struct inode *ino = BPF_CORE_READ(d, d_inode);
		struct dentry *upper = NULL;

		/* struct ovl_inode keeps __upperdentry right after its vfs inode (not in BTF) */
		bpf_probe_read_kernel(&upper, sizeof(upper),
				      (void *)ino + bpf_core_type_size(struct inode));
		if (upper && BPF_CORE_READ(upper, d_inode))
			e->flags |= VG_F_UPPER;
	}
	as = BPF_CORE_READ(t, mm, arg_start);
	ae = BPF_CORE_READ(t, mm, arg_end);
	off = put_user_bytes(e, off, 1, (void *)as, ae > as ? ae - as : 0, VG_ARGV_MAX,
			     VG_STR_ARGV);
	off = put_path(e, off, 2, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt));
	e->arg[0] = BPF_CORE_READ(bprm, argc);
	return ev_submit(e, off, 0, false);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vg_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vg_event *e;
	__u64 cg;

	if (!want(VG_EV_FORK) || BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (!monitored(&cg))
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

	if (!want(VG_EV_EXIT) || !group_dead || !monitored(&cg))
		return 0;
	e = ev_begin(VG_EV_EXIT, cg);
	if (!e)
		return 0;
	e->arg[0] = BPF_CORE_READ(t, exit_code);
	return ev_submit(e, 0, 0, false);
}

/* ---- syscalls: the set per workload (enter) ------------------------------------------ */

SEC("tp_btf/sys_enter")
int BPF_PROG(vg_sys_enter, struct pt_regs *regs, long id)
{
	struct vg_bitmap *b, *allow, zero = {};
	struct vg_cpucache *c;
	struct vg_event *e;
	__u64 cg, bit;
	__u32 w, oos = 0, sgen = syscall_gen;
	bool first = false;

	if (!monitored_c(&cg, &c))
		return 0;
	if ((__u64)id >= VG_MAX_SYSCALLS)
		return 0;
	w = (id >> 6) & (VG_BITMAP_WORDS - 1);
	bit = 1ull << (id & 63);
	/* steady state: a syscall this workload already used (and may use) costs a bit test,
	 * no map lookup and no write */
	if (c && c->quiet_cg == cg && c->sys_gen == sgen && (c->quiet.w[w] & bit))
		return 0;
	b = bpf_map_lookup_elem(&sysbits, &cg);
	if (!b) {
		if (bpf_map_update_elem(&sysbits, &cg, &zero, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&sysbits, &cg)) {
			count(VG_CNT_DROP_TABLE);
			return 0;
		}
		b = bpf_map_lookup_elem(&sysbits, &cg);
		if (!b)
			return 0;
	}
	if (!(b->w[w] & bit)) {
		__sync_fetch_and_or(&b->w[w], bit);
		first = true;
	}
	allow = want(VG_EV_SYSCALL) ? bpf_map_lookup_elem(&sysallow, &cg) : NULL;
	if (c) {
		/* refill this CPU's quiet set: learned bits, less the ones outside the allow set
		 * (those keep being checked, and reported once each by de-duplication) */
		c->quiet_cg = cg;
		c->sys_gen = sgen;
		for (int i = 0; i < VG_BITMAP_WORDS; i++)
			c->quiet.w[i] = b->w[i] & (allow ? allow->w[i] : ~0ull);
	}
	if (!want(VG_EV_SYSCALL))
		return 0;
	if (allow) {
		if (allow->w[w] & bit)
			return 0;
		oos = 1;
	} else if (!first || !cfg_syscall_first_use) {
		return 0;
	}
	/* keep the verifier from seeing a pointer in the flag arithmetic below */
	asm volatile("" : "+r"(oos));
	e = ev_begin(VG_EV_SYSCALL, cg);
	if (!e)
		return 0;
	e->arg[0] = id;
	e->flags |= oos ? VG_F_OUT_OF_SET : VG_F_FIRST;
	/* out-of-set calls are reported once per workload and number, whatever the mode */
	return ev_submit(e, 0, 1, oos);
}

/* ---- syscalls: events at exit (arguments are still in pt_regs, the result is known) ---- */

/* The x86_64 argument registers r10..di are adjacent in pt_regs: one read instead of four. */
struct sys_args {
	long r10, r9, r8, ax, cx, dx, si, di;
};
_Static_assert(__builtin_offsetof(struct pt_regs, di) - __builtin_offsetof(struct pt_regs, r10) ==
		       __builtin_offsetof(struct sys_args, di),
	       "pt_regs layout");

static __always_inline int on_open(struct pt_regs *regs, long nr, long ret, __u64 cg)
{
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
	} else {
		struct open_how how = {};

		dirfd = (int)a.di;
		upath = (const char *)a.si;
		bpf_probe_read_user(&how, sizeof(how), (void *)a.dx);
		flags = how.flags;
		mode = how.mode;
	}
	/*
	 * Steady state: with de-duplication, a file already reported (same inode, same flags) is
	 * recognised from the new descriptor's inode before any path walk: one map lookup.
	 */
	if (want(VG_EV_OPEN) && cfg_dedup && ret >= 0) {
		struct file *f = fd_file(t, ret);
		struct inode *ino = f ? BPF_CORE_READ(f, f_inode) : NULL;
		struct vg_dedup_key k = { .cgroup_id = cg, .kind = VG_EV_OPEN };

		if (ino) {
			k.hash = (BPF_CORE_READ(ino, i_ino) * 0x9e3779b97f4a7c15ull) ^
				 ((__u64)BPF_CORE_READ(ino, i_sb, s_dev) << 32) ^ (__u32)flags;
			k.hash |= 1; /* never 0: 0 means "hash the record" */
			pre = k.hash;
			if (bpf_map_lookup_elem(&dedup, &k)) {
				count(VG_CNT_DEDUP);
				goto exec_write;
			}
		}
	}
	if (want(VG_EV_OPEN)) {
		e = ev_begin(VG_EV_OPEN, cg);
		if (!e)
			return 0;
		if (ret >= 0)
			off = put_file_path(e, off, 0, fd_file(t, ret));
		if (!off)
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

static __always_inline int on_chmod(struct pt_regs *regs, long nr, long ret, __u64 cg)
{
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

static __always_inline int on_link(struct pt_regs *regs, long nr, long ret, __u64 cg)
{
	__u32 kind = nr == NR_symlink || nr == NR_symlinkat ? VG_EV_SYMLINK : VG_EV_LINK;
	const char *target, *name;
	long dirfd = AT_FDCWD_;
	struct vg_event *e;
	__u32 off;

	if (!want(kind))
		return 0;
	if (nr == NR_symlink || nr == NR_link) {
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
	/* string 0: link name, 1: directory of a relative link name, 2: target as given */
	off = put_user_path(e, 0, 0, 1, name, dirfd);
	off = put_str(e, off, 2, target, true, VG_STR_RAW);
	e->arg[1] = ret;
	return ev_submit(e, off, 0, false);
}

static __always_inline int on_sock(struct pt_regs *regs, long nr, long ret, __u64 cg)
{
	__u32 kind;
	struct vg_event *e;
	struct sock *sk;
	long fd = BPF_CORE_READ(regs, di);
	__u32 off = 0;

	if (nr == NR_connect)
		kind = VG_EV_CONNECT;
	else if (nr == NR_bind)
		kind = VG_EV_BIND;
	else if (nr == NR_listen)
		kind = VG_EV_LISTEN;
	else
		kind = VG_EV_ACCEPT;
	if (!want(kind))
		return 0;
	if (kind == VG_EV_ACCEPT) {
		if (ret < 0)
			return 0;
		fd = ret;
	}
	e = ev_begin(kind, cg);
	if (!e)
		return 0;
	sk = fd_sock(fd, NULL);
	if (sk)
		sock_addrs(e, sk);
	if (kind == VG_EV_CONNECT)
		off = put_user_sockaddr(e, off, &e->sa[1], (void *)BPF_CORE_READ(regs, si),
					BPF_CORE_READ(regs, dx), 0);
	else if (kind == VG_EV_BIND) {
		off = put_user_sockaddr(e, off, &e->sa[0], (void *)BPF_CORE_READ(regs, si),
					BPF_CORE_READ(regs, dx), 0);
		/* port 0 asks the kernel to pick one: report the port it picked */
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_num))
			e->sa[0].port = BPF_CORE_READ(sk, __sk_common.skc_num);
	}
	e->arg[1] = ret;
	e->arg[2] = fd;
	e->arg[3] = kind == VG_EV_CONNECT ? 1 : kind == VG_EV_ACCEPT ? 2 : 0;
	return ev_submit(e, off, 1, false);
}

/* DNS questions: the payload of a UDP datagram to port 53 (parsed in user space). */
static __always_inline int on_send(struct pt_regs *regs, long nr, long ret, __u64 cg)
{
	struct vg_event *e;
	struct sock *sk;
	const void *buf, *uaddr = NULL;
	__u64 len;
	long alen = 0;
	__u32 off = 0;

	if (!want(VG_EV_DNS) || ret <= 0)
		return 0;
	sk = fd_sock(BPF_CORE_READ(regs, di), NULL);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP_)
		return 0;
	if (nr == NR_sendto) {
		buf = (void *)BPF_CORE_READ(regs, si);
		len = BPF_CORE_READ(regs, dx);
		uaddr = (void *)BPF_CORE_READ(regs, r8);
		alen = BPF_CORE_READ(regs, r9);
	} else {
		struct user_msghdr m = {};
		struct iovec iov = {};

		/* sendmmsg: the first message (its msg_hdr starts the struct mmsghdr) */
		bpf_probe_read_user(&m, sizeof(m), (void *)BPF_CORE_READ(regs, si));
		bpf_probe_read_user(&iov, sizeof(iov), m.msg_iov);
		buf = iov.iov_base;
		len = iov.iov_len;
		uaddr = m.msg_name;
		alen = m.msg_namelen;
	}
	e = ev_begin(VG_EV_DNS, cg);
	if (!e)
		return 0;
	sock_addrs(e, sk);
	if (uaddr)
		put_user_sockaddr(e, 0, &e->sa[1], uaddr, alen, 2);
	if (e->sa[1].port != 53 && e->sa[1].port != cfg_dns_port)
		return 0;
	off = put_user_bytes(e, 0, 0, buf, len, VG_DNS_MAX, VG_STR_BYTES);
	return ev_submit(e, off, 0, false);
}

static __always_inline int on_call(struct pt_regs *regs, long nr, long ret, __u64 cg)
{
	__u32 kind;
	struct vg_event *e;
	__u32 off = 0;

	switch (nr) {
	case NR_ptrace:
		kind = VG_EV_PTRACE;
		break;
	case NR_unshare:
		kind = VG_EV_UNSHARE;
		break;
	case NR_setns:
		kind = VG_EV_SETNS;
		break;
	case NR_bpf:
		kind = VG_EV_BPF;
		break;
	case NR_memfd_create:
		kind = VG_EV_MEMFD;
		break;
	case NR_mount:
		kind = VG_EV_MOUNT;
		break;
	default:
		kind = VG_EV_MODULE;
	}
	if (!want(kind))
		return 0;
	e = ev_begin(kind, cg);
	if (!e)
		return 0;
	e->arg[0] = BPF_CORE_READ(regs, di);
	e->arg[1] = BPF_CORE_READ(regs, si);
	e->arg[5] = ret;
	if (kind == VG_EV_MEMFD) {
		off = put_str(e, off, 0, (void *)BPF_CORE_READ(regs, di), true, VG_STR_RAW);
		e->arg[0] = BPF_CORE_READ(regs, si); /* flags */
		e->arg[1] = 0;
	} else if (kind == VG_EV_MOUNT) {
		/* string 0: target, 1: source, 2: fs type */
		off = put_str(e, off, 0, (void *)BPF_CORE_READ(regs, si), true, VG_STR_RAW);
		off = put_str(e, off, 1, (void *)BPF_CORE_READ(regs, di), true, VG_STR_RAW);
		off = put_str(e, off, 2, (void *)BPF_CORE_READ(regs, dx), true, VG_STR_RAW);
		e->arg[0] = BPF_CORE_READ(regs, r10); /* flags */
		e->arg[1] = 0;
	} else if (kind == VG_EV_MODULE) {
		e->arg[0] = nr == NR_finit_module; /* 0 init_module, 1 finit_module (fd in arg1) */
		e->arg[1] = nr == NR_finit_module ? (long)BPF_CORE_READ(regs, di) : 0;
		e->arg[2] = 0;
		off = put_str(e, off, 0,
			      (void *)(nr == NR_finit_module ? BPF_CORE_READ(regs, si)
							     : BPF_CORE_READ(regs, dx)),
			      true, VG_STR_RAW);
	}
	return ev_submit(e, off, 2, false);
}

static __always_inline int sys_exit_body(struct pt_regs *regs, long nr, long ret)
{
	__u64 cg;

	switch (nr) {
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_creat:
	case NR_connect:
	case NR_accept:
	case NR_accept4:
	case NR_bind:
	case NR_listen:
	case NR_sendto:
	case NR_sendmsg:
	case NR_sendmmsg:
	case NR_ptrace:
	case NR_unshare:
	case NR_setns:
	case NR_bpf:
	case NR_init_module:
	case NR_finit_module:
	case NR_memfd_create:
	case NR_mount:
	case NR_symlink:
	case NR_symlinkat:
	case NR_link:
	case NR_linkat:
	case NR_chmod:
	case NR_fchmod:
	case NR_fchmodat:
	case NR_fchmodat2:
		break;
	default:
		return 0;
	}
	if (!monitored(&cg))
		return 0;
	switch (nr) {
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_creat:
		return on_open(regs, nr, ret, cg);
	case NR_connect:
	case NR_accept:
	case NR_accept4:
	case NR_bind:
	case NR_listen:
		return on_sock(regs, nr, ret, cg);
	case NR_sendto:
	case NR_sendmsg:
	case NR_sendmmsg:
		return on_send(regs, nr, ret, cg);
	case NR_symlink:
	case NR_symlinkat:
	case NR_link:
	case NR_linkat:
		return on_link(regs, nr, ret, cg);
	case NR_chmod:
	case NR_fchmod:
	case NR_fchmodat:
	case NR_fchmodat2:
		return on_chmod(regs, nr, ret, cg);
	default:
		return on_call(regs, nr, ret, cg);
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_sys_exit, struct pt_regs *regs, long ret)
{
	/* a BTF-typed pointer: a direct load, no helper call on the hottest path */
	return sys_exit_body(regs, regs->orig_ax, ret);
}

/* ---- capabilities, TCP state --------------------------------------------------------- */

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

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(vg_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct vg_event *e;
	__u64 cg, cur;

	if (!want(VG_EV_TCP_STATE))
		return 0;
	cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	if ((bpf_get_current_pid_tgid() >> 32) == cfg_self_tgid || !monitored_cgid(cg))
		return 0;
	e = ev_begin(VG_EV_TCP_STATE, cg);
	if (!e)
		return 0;
	/* in softirq context the current task is unrelated: keep only the socket's cgroup */
	cur = bpf_get_current_cgroup_id();
	if (cur != cg) {
		e->pid = e->tid = e->ppid = e->uid = e->gid = 0;
		e->start_ns = 0;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	}
	sock_addrs(e, (struct sock *)sk);
	e->arg[2] = e->arg[0]; /* protocol */
	e->arg[0] = oldstate;
	e->arg[1] = newstate;
	return ev_submit(e, 0, 2, false);
}

/* ---- io_uring ------------------------------------------------------------------------ */

SEC("tp_btf/io_uring_create")
int BPF_PROG(vg_uring_create, int fd, void *uctx, __u32 sq_entries, __u32 cq_entries, __u32 flags)
{
	struct vg_event *e;
	__u64 cg;

	if (!want(VG_EV_IOURING_CREATE) || !monitored(&cg))
		return 0;
	e = ev_begin(VG_EV_IOURING_CREATE, cg);
	if (!e)
		return 0;
	e->arg[0] = sq_entries;
	e->arg[1] = cq_entries;
	e->arg[2] = flags;
	e->arg[3] = fd;
	return ev_submit(e, 0, 0, false);
}

/*
 * What an io_uring request works on: its file is only assigned when it is issued, after this
 * tracepoint, so a plain (not fixed) descriptor is looked up in the submitter's table: a
 * socket gives addresses, a file its path. Fixed files stay unknown.
 */
#define URING_OP(name) bpf_core_enum_value(enum io_uring_op, IORING_OP_##name)

/* Opcodes whose sqe fd names the file or socket they work on. */
static __always_inline bool uring_op_has_file(__u8 op)
{
	return op == URING_OP(READV) || op == URING_OP(WRITEV) || op == URING_OP(READ_FIXED) ||
	       op == URING_OP(WRITE_FIXED) || op == URING_OP(SENDMSG) || op == URING_OP(RECVMSG) ||
	       op == URING_OP(ACCEPT) || op == URING_OP(CONNECT) || op == URING_OP(READ) ||
	       op == URING_OP(WRITE) || op == URING_OP(SEND) || op == URING_OP(RECV);
}

static __always_inline __u32 uring_target(struct vg_event *e, struct io_kiocb *req)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__s32 fd = BPF_CORE_READ(req, cqe.fd);
	struct file *f;
	struct socket *so;
	__u16 mode;

	if (!uring_op_has_file(BPF_CORE_READ(req, opcode)))
		return 0;
	if (fd < 0 || (BPF_CORE_READ(req, flags) & 1)) /* REQ_F_FIXED_FILE */
		return 0;
	f = fd_file(t, fd);
	if (!f)
		return 0;
	e->arg[1] = fd;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & 0170000) == 0140000) { /* S_IFSOCK */
		so = BPF_CORE_READ(f, private_data);
		if (so && BPF_CORE_READ(so, sk))
			sock_addrs(e, BPF_CORE_READ(so, sk));
		return 0;
	}
	return put_file_path(e, 0, 0, f);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vg_uring_submit, struct io_kiocb *req)
{
	struct vg_uring_ops *ops, zero = {};
	struct vg_event *e;
	__u64 cg, bit;
	__u8 op;
	bool first = false, zoomed;
	__u32 off = 0;

	if (!monitored(&cg))
		return 0;
	op = BPF_CORE_READ(req, opcode);
	bit = 1ull << (op & 63);
	ops = bpf_map_lookup_elem(&uringops, &cg);
	if (!ops) {
		bpf_map_update_elem(&uringops, &cg, &zero, BPF_NOEXIST);
		ops = bpf_map_lookup_elem(&uringops, &cg);
		if (!ops) {
			count(VG_CNT_DROP_TABLE);
			return 0;
		}
	}
	if (!(ops->w[(op >> 6) & 3] & bit)) {
		__sync_fetch_and_or(&ops->w[(op >> 6) & 3], bit);
		first = true;
	}
	zoomed = bpf_map_lookup_elem(&zoom, &cg) != NULL;
	if (want(VG_EV_IOURING_OP) && (first || zoomed || !cfg_dedup)) {
		e = ev_begin(VG_EV_IOURING_OP, cg);
		if (e) {
			e->arg[1] = -1;
			e->flags |= VG_F_IOURING | (first ? VG_F_FIRST : 0);
			off = uring_target(e, req);
			e->arg[0] = op; /* after uring_target, which sets arg[0] to the protocol */
			ev_submit(e, off, 1, false);
		}
	}
	off = 0;
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_OPENAT) &&
	    (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT) ||
	     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT2))) {
		struct io_open *o = (void *)&req->cmd;
		struct filename *fn;

		if (!want(VG_EV_OPEN))
			return 0;
		e = ev_begin(VG_EV_OPEN, cg);
		if (!e)
			return 0;
		fn = BPF_CORE_READ(o, filename);
		off = put_str(e, 0, 0, BPF_CORE_READ(fn, name), false, VG_STR_RAW);
		if (off && e->data[0] != '/')
			off = put_dir(e, off, 1, BPF_CORE_READ(o, dfd));
		e->arg[0] = BPF_CORE_READ(o, how.flags);
		e->arg[2] = BPF_CORE_READ(o, how.mode);
		e->arg[3] = op;
		e->flags |= VG_F_IOURING;
		return ev_submit(e, off, 1, false);
	}
	if (bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_CONNECT) &&
	    op == bpf_core_enum_value(enum io_uring_op, IORING_OP_CONNECT)) {
		struct io_connect *c = (void *)&req->cmd;

		if (!want(VG_EV_CONNECT))
			return 0;
		e = ev_begin(VG_EV_CONNECT, cg);
		if (!e)
			return 0;
		uring_target(e, req); /* protocol and local address of the socket */
		e->arg[1] = 0;
		off = put_user_sockaddr(e, 0, &e->sa[1], BPF_CORE_READ(c, addr),
					BPF_CORE_READ(c, addr_len), 0);
		e->arg[2] = -1;
		e->arg[3] = 1;
		e->arg[4] = op;
		e->flags |= VG_F_IOURING;
		return ev_submit(e, off, 1, false);
	}
	return 0;
}

/*
 * raw_tp twins of every hook: the same bodies, reading everything through probe reads, for
 * kernels where tp_btf programs do not load. Not loaded unless user space falls back.
 */
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

SEC("raw_tp/sys_enter")
int BPF_PROG(vg_sys_enter_raw, struct pt_regs *regs, long id)
{
	return ____vg_sys_enter(ctx, regs, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(vg_sys_exit_raw, struct pt_regs *regs, long ret)
{
	return sys_exit_body(regs, BPF_CORE_READ(regs, orig_ax), ret);
}

SEC("raw_tp/cap_capable")
int BPF_PROG(vg_cap_raw, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	return ____vg_cap(ctx, cred, target_ns, capable_ns, cap, ret);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(vg_tcp_state_raw, const struct sock *sk, const int oldstate, const int newstate)
{
	return ____vg_tcp_state(ctx, sk, oldstate, newstate);
}

SEC("raw_tp/io_uring_create")
int BPF_PROG(vg_uring_create_raw, int fd, void *uctx, __u32 sq_entries, __u32 cq_entries,
	     __u32 flags)
{
	return ____vg_uring_create(ctx, fd, uctx, sq_entries, cq_entries, flags);
}

SEC("raw_tp/io_uring_submit_req")
int BPF_PROG(vg_uring_submit_raw, struct io_kiocb *req)
{
	return ____vg_uring_submit(ctx, req);
}

/*
 * The floor for bench/bench_sensor.c: empty programs on the same hooks, never loaded by the
 * sensor. Overhead of the sensor is compared with the overhead of these.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(vg_floor_sys_enter)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_floor_sys_exit)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_floor_exec)
{
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vg_floor_fork)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vg_floor_exit)
{
	return 0;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(vg_floor_cap)
{
	return 0;
}
