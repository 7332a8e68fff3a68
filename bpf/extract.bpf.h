/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Extractors: what a hook reads from the kernel or the task into the record: paths (from a
 * dentry, a descriptor, the cwd or a user string), sockets and user socket addresses.
 * Included after record.bpf.h.
 */
#ifndef VIGIL_BPF_EXTRACT_H
#define VIGIL_BPF_EXTRACT_H

#define AT_FDCWD_	       -100
#define OVERLAYFS_SUPER_MAGIC_ 0x794c7630
#define AF_UNIX_	       1
#define AF_INET_	       2
#define AF_INET6_	       10
#define IPPROTO_UDP_	       17
#define AF_PACKET_	       17
#define SOCK_RAW_	       3
#define IPPROTO_ICMP_	       1
#define IPPROTO_ICMPV6_	       58
#define O_CREAT_	       0100

/* The path walker (common.bpf.c): a global function, so the verifier checks it once, not at
 * every call site. Writes string idx at offset off of the record in scratch. */
__u32 put_path_g(__u32 off, __u32 idx, __u64 dentry, __u64 vfsmnt);

static __always_inline __u32 put_path(struct vg_event *e, __u32 off, int idx, struct dentry *dentry,
				      struct vfsmount *vfsmnt)
{
	return put_path_g(off, idx, (__u64)dentry, (__u64)vfsmnt);
}

static __always_inline __u32 put_file_path(struct vg_event *e, __u32 off, int idx, struct file *f)
{
	if (!f)
		return off;
	return put_path(e, off, idx, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}

/*
 * Steady state of opens: with de-duplication, a file already reported (same inode, same
 * flags) is recognised from the opened file before any path walk: one map lookup. Returns
 * true when it was (counted); else *ret_hash is the key to de-duplicate the record by
 * (0 when there is none).
 */
static __always_inline bool open_seen(__u64 cg, struct file *f, __u32 flags, __u64 *ret_hash)
{
	struct inode *ino = f ? BPF_CORE_READ(f, f_inode) : NULL;
	struct vg_dedup_key k = { .cgroup_id = cg, .kind = VG_EV_OPEN };

	*ret_hash = 0;
	if (!want(VG_EV_OPEN) || !cfg_dedup || !ino)
		return false;
	k.hash = (BPF_CORE_READ(ino, i_ino) * 0x9e3779b97f4a7c15ull) ^
		 ((__u64)BPF_CORE_READ(ino, i_sb, s_dev) << 32) ^ flags;
	/* who opened it is part of a repeat (root after a worker is news), as in ev_hash */
	k.hash ^= (__u64)(__u32)bpf_get_current_uid_gid() * 0xff51afd7ed558ccdull;
	k.hash ^= actor_key(current_euid()) * 0xc4ceb9fe1a85ec53ull; /* its program and euid too */
	k.hash |= 1; /* never 0: 0 means "hash the record" */
	*ret_hash = k.hash;
	if (!dedup_repeat(&k, bpf_ktime_get_ns(), false))
		return false;
	count(VG_CNT_DEDUP);
	return true;
}

/*
 * A regular file with more than one hard link is also known by other names (a bind mount on
 * its path was flagged by the walk). Every regular file carries its identity, device (the
 * kernel's encoding) and inode number, in arg[4] and arg[5]: a sensitive file renamed, or
 * linked elsewhere and its first name removed (one link, no mount), is still known by it
 * (enforce_open); user space finds by them which file it is, even once the process and its
 * mount namespace are gone.
 */
static __always_inline void flag_alias(struct vg_event *e, struct file *f)
{
	struct inode *ino = f ? BPF_CORE_READ(f, f_inode) : NULL;

	if (!ino || (BPF_CORE_READ(ino, i_mode) & 0170000) != 0100000)
		return;
	if (BPF_CORE_READ(ino, __i_nlink) > 1)
		e->flags |= VG_F_ALIAS;
	e->arg[4] = BPF_CORE_READ(ino, i_sb, s_dev);
	e->arg[5] = BPF_CORE_READ(ino, i_ino);
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

/*
 * A name and the directory a relative one is resolved against, in one string (a record has
 * three: a rename's new name and its directory take two): the name as given, then the
 * directory's components leaf first, as VG_STR_PATH, which user space reverses: "shadow"
 * relative to a descriptor of /etc is "/etc/shadow" ("..", "." and "//" in the name are
 * normalised there). An absolute name, or a directory that cannot be read (a bad descriptor),
 * or a join longer than a string: the name alone, raw. user: the name is in user memory (a
 * syscall's argument), else the kernel's copy (io_uring).
 */
static __always_inline __u32 put_joined_path(struct vg_event *e, __u32 off, int idx,
					     const char *name, bool user, long dirfd)
{
	__u32 start = off, end;

	off = put_str(e, off, idx, name, user, VG_STR_RAW);
	if (off == start || e->data[doff(start)] == '/')
		return off;
	end = put_dir(e, off, idx, dirfd);
	if (((e->str_fmt >> (idx * 2)) & 3) != VG_STR_PATH)
		return off; /* no directory walked */
	if (end - start > VG_STR_MAX) {
		e->str_fmt &= ~(3 << (idx * 2));
		e->str_len[idx] = off - start;
		e->flags |= VG_F_TRUNC;
		return off;
	}
	e->str_len[idx] = end - start;
	return end;
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

/* An IPv4 or IPv6 socket address as read from memory: family first, then its own layout. */
union vg_inet_sockaddr {
	__u16 family;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* The family, port (host order) and address of a into sa: the IPv4 layout for AF_INET_, else
 * the IPv6 one (callers check the family first; a family changed between the caller's check and
 * its read of the whole address still yields the address, read as IPv6). */
static __always_inline void inet_to_sa(struct vg_sockaddr *sa, const union vg_inet_sockaddr *a)
{
	sa->family = a->family;
	if (a->family == AF_INET_) {
		sa->port = bpf_ntohs(a->in.sin_port);
		__builtin_memcpy(sa->addr, &a->in.sin_addr, 4);
	} else {
		sa->port = bpf_ntohs(a->in6.sin6_port);
		__builtin_memcpy(sa->addr, &a->in6.sin6_addr, 16);
	}
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

/* ---- files written (drop-and-execute) ------------------------------------------------ */

#define O_ACCMODE_ 3
#define O_TRUNC_   01000

/*
 * overlayfs: the upper layer's dentry of an overlay inode, NULL when the file is only in a
 * lower layer (the image). struct ovl_inode keeps __upperdentry right after its vfs inode; by
 * BTF when the kernel describes it, else by that layout.
 */
static __always_inline struct dentry *ovl_upper(struct inode *ino)
{
	struct dentry *upper = NULL;

	if (bpf_core_type_exists(struct ovl_inode)) {
		struct ovl_inode *oi =
			(void *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode);

		return BPF_CORE_READ(oi, __upperdentry);
	}
	bpf_probe_read_kernel(&upper, sizeof(upper),
			      (void *)ino + bpf_core_type_size(struct inode));
	return upper;
}

/*
 * The inode that holds a file's data, as d_real() finds it: for an overlay inode its upper
 * layer's (a write copies the file up first, so a written file always has one), else the
 * inode itself. The two sides of drop-and-execute see different inodes in a container: an
 * open, an exec and an mmap of a descriptor see the overlay's, while a mapping's vm_file is
 * the real (upper) file overlayfs put there (ovl_mmap), which mprotect finds; the file
 * written on the host through the upper directory is the real one too.
 */
static __always_inline struct inode *real_inode(struct inode *ino)
{
	struct dentry *upper;
	struct inode *r;

	if (BPF_CORE_READ(ino, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC_)
		return ino;
	upper = ovl_upper(ino);
	r = upper ? BPF_CORE_READ(upper, d_inode) : NULL;
	return r ? r : ino;
}

static __always_inline void own_key(struct inode *ino, struct vg_inode_key *k)
{
	k->ino = BPF_CORE_READ(ino, i_ino);
	k->dev = BPF_CORE_READ(ino, i_sb, s_dev);
	k->pad = 0;
}

/* A file's identity in map written: its real inode (real_inode), so that every side agrees. */
static __always_inline void inode_key(struct inode *ino, struct vg_inode_key *k)
{
	own_key(real_inode(ino), k);
}

/*
 * Remembers that workload cg changed regular file f (how: VG_WR_*), so that an exec of it is
 * known as a drop-and-execute. By inode: a rename, a hard link or another path spelling is the
 * same file. One LRU update per open for writing; an overlay file is also kept under the
 * overlay's own identity, which is what user space finds by stat (a script an interpreter runs,
 * sensor/sensor_drift.c): two.
 */
static __always_inline void mark_written(__u64 cg, struct file *f, __u32 how)
{
	struct vg_written w = {};
	struct vg_inode_key k;
	struct inode *ino, *real;

	if (!f)
		return;
	ino = BPF_CORE_READ(f, f_inode);
	if (!ino || (BPF_CORE_READ(ino, i_mode) & 0170000) != 0100000) /* S_IFREG */
		return;
	real = real_inode(ino);
	own_key(real, &k);
	w.cgroup_id = cg;
	w.ktime_ns = bpf_ktime_get_ns();
	w.tgid = bpf_get_current_pid_tgid() >> 32;
	w.how = how;
	if (bpf_map_update_elem(&written, &k, &w, BPF_ANY))
		count(VG_CNT_DROP_TABLE);
	if (real == ino)
		return;
	own_key(ino, &k);
	if (bpf_map_update_elem(&written, &k, &w, BPF_ANY))
		count(VG_CNT_DROP_TABLE);
}

/* Open flags that can change a file's content. */
static __always_inline bool open_writes(long flags)
{
	return (flags & O_ACCMODE_) || (flags & (O_CREAT_ | O_TRUNC_));
}

/* ---- process lifecycle --------------------------------------------------------------- */

#endif
