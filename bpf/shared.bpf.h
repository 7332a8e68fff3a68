/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BPF helpers shared by the sensor's programs (the .bpf.c files in bpf/) and the zoom's (zoom.bpf.c):
 * the record header, descriptors and socket addresses.
 * Included after vmlinux.h, the libbpf headers and sensor_abi.h.
 */
#ifndef VIGIL_BPF_SHARED_H
#define VIGIL_BPF_SHARED_H

#ifndef AF_INET_
#define AF_INET_  2
#define AF_INET6_ 10
#endif

/* The common header of every record: who, where, when. */
static __always_inline void vg_event_init(struct vg_event *e, __u32 kind, __u64 cg)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid(), uid_gid = bpf_get_current_uid_gid();

	__builtin_memset(e, 0, sizeof(*e));
	e->version = VG_ABI_VERSION;
	e->kind = kind;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->euid = BPF_CORE_READ(t, cred, euid.val);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->mntns = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
	e->start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	e->ktime_ns = bpf_ktime_get_ns();
	e->cgroup_id = cg;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* The file behind descriptor fd of task t (NULL when none). */
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

/* A socket's protocol, local (sa[0]) and remote (sa[1]) family, address and port. */
static __always_inline void sock_addrs(struct vg_event *e, struct sock *sk)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);

	e->arg[0] = BPF_CORE_READ(sk, sk_protocol);
	e->sa[0].family = fam;
	e->sa[1].family = fam;
	e->sa[0].port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->sa[1].port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == AF_INET_) {
		/* 4 bytes each: BPF_CORE_READ_INTO would copy sizeof(addr), 16 */
		__u32 a4 = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(e->sa[0].addr, &a4, 4);
		a4 = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(e->sa[1].addr, &a4, 4);
	} else if (fam == AF_INET6_) {
		BPF_CORE_READ_INTO(&e->sa[0].addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->sa[1].addr, sk, __sk_common.skc_v6_daddr);
	}
}

/*
 * Whether an IPv4/IPv6 socket has a peer (sock_addrs put it in sa[1]): set by the kernel once a
 * connect began (the SYN sent, a UDP peer set; cleared again when a TCP connect failed). That
 * is the kernel's own copy of the address. The caller's sockaddr is not: another thread can
 * rewrite it while a blocking connect or Fast Open waits for its SYN-ACK, so a hook that reads
 * it at sys_exit would see an address of the attacker's choosing.
 */
static __always_inline bool sock_has_peer(struct sock *sk)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);

	return (fam == AF_INET_ || fam == AF_INET6_) && BPF_CORE_READ(sk, __sk_common.skc_dport);
}

#endif
