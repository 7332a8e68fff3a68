/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The sys_exit dispatcher (syscalls.bpf.c) and the handlers it calls, one file per concern:
 * files.bpf.c (open, chmod, link), network.bpf.c (connect, bind, listen, accept, DNS sends),
 * syscalls.bpf.c (ptrace, namespaces, bpf, modules, memfd, mount). Handlers are global
 * functions: verified once, and callable from both the tp_btf and the raw_tp dispatcher.
 * Their regs argument is the syscall's struct pt_regs, passed as a number (a global
 * function cannot take the tracepoint's typed pointer) and read with probe reads.
 *
 * Syscall numbers are x86_64 (the only architecture this build targets).
 */
#ifndef VIGIL_BPF_SYSCALLS_H
#define VIGIL_BPF_SYSCALLS_H

/* x86_64 syscall numbers used by the exit dispatcher */
#define NR_read		     0
#define NR_write	     1
#define NR_readv	     19
#define NR_recvfrom	     45
#define NR_recvmsg	     47
#define NR_mmap		     9
#define NR_mprotect	     10
#define NR_open		     2
#define NR_writev	     20
#define NR_connect	     42
#define NR_accept	     43
#define NR_sendto	     44
#define NR_sendmsg	     46
#define NR_bind		     49
#define NR_listen	     50
#define NR_creat	     85
#define NR_link		     86
#define NR_rename	     82
#define NR_renameat	     264
#define NR_renameat2	     316
#define NR_symlink	     88
#define NR_chmod	     90
#define NR_mknod	     133
#define NR_mknodat	     259
#define NR_unlink	     87
#define NR_unlinkat	     263
#define NR_truncate	     76
#define NR_ftruncate	     77
#define NR_fchmod	     91
#define NR_ptrace	     101
#define NR_mount	     165
#define NR_init_module	     175
#define NR_open_by_handle_at 304
#define NR_openat	     257
#define NR_linkat	     265
#define NR_symlinkat	     266
#define NR_fchmodat	     268
#define NR_unshare	     272
#define NR_clone	     56
#define NR_clone3	     435
#define NR_accept4	     288
#define NR_sendmmsg	     307
#define NR_setns	     308
#define NR_finit_module	     313
#define NR_memfd_create	     319
#define NR_bpf		     321
#define NR_socket	     41
#define NR_openat2	     437
#define NR_fchmodat2	     452
#define NR_setxattr	     188
#define NR_lsetxattr	     189
#define NR_fsetxattr	     190
#define NR_setxattrat	     463
#define NR_execve	     59
#define NR_execveat	     322
#define NR_dup		     32
#define NR_dup2		     33
#define NR_dup3		     292
#define NR_fcntl	     72
#define NR_pidfd_getfd	     438
#define F_DUPFD_	     0
#define F_DUPFD_CLOEXEC_     1030

/* The x86_64 argument registers r10..di are adjacent in pt_regs: one read instead of four. */
struct sys_args {
	long r10, r9, r8, ax, cx, dx, si, di;
};
_Static_assert(__builtin_offsetof(struct pt_regs, di) - __builtin_offsetof(struct pt_regs, r10) ==
		       __builtin_offsetof(struct sys_args, di),
	       "pt_regs layout");

int on_open(__u64 regs, long nr, long ret, __u64 cg);
int on_chmod(__u64 regs, long nr, long ret, __u64 cg);
int on_link(__u64 regs, long nr, long ret, __u64 cg);
int on_sock(__u64 regs, long nr, long ret, __u64 cg);
int on_send(__u64 regs, long nr, long ret, __u64 cg);
int on_write(__u64 regs, long nr, long ret, __u64 cg);
/* mmap or mprotect making a file's pages executable: a library written at run time, or a
 * memfd (MMAP_EXEC, bpf/files.bpf.c) */
int on_mmap(__u64 regs, long nr, long ret, __u64 cg);
int dns_stream(__u64 sk, __u64 cg, __u64 buf0, __u64 buf1, __u64 lens);
/* A UDP DNS question sent by io_uring: kaddr the kernel's copy of the address (0: the
 * connected peer), buf/len the payload in the submitter's memory (bpf/network.bpf.c). */
int dns_udp(__u64 sk, __u64 cg, __u64 kaddr, __u64 buf, __u64 len);
/* dns_stream's lens: the first and second buffers' lengths (16 bits each, capped) and the
 * bytes written (high 32 bits) */
static __always_inline __u64 dns_lens(__u64 len0, __u64 len1, long ret)
{
	return (len0 > 0xffff ? 0xffff : len0) | ((len1 > 0xffff ? 0xffff : len1) << 16) |
	       ((__u64)(ret > 0 ? ret : 0) << 32);
}
#define PROT_EXEC_     4    /* mmap/mprotect prot */
#define MAP_ANONYMOUS_ 0x20 /* mmap flags */
#define MSG_FASTOPEN_  0x20000000
#define SOCK_DGRAM_    2

/* send_peer's how: address length (bits 0-15), VG_SEND_* call (16-23), these bits, and the
 * message flags (high 32 bits) */
#define VG_SENDHOW_KADDR   (1ull << 24) /* the address is kernel memory (io_uring's copy) */
#define VG_SENDHOW_IOURING (1ull << 25) /* submitted through io_uring */
/* the address is the kernel's copy the cgroup hook noted for this thread (bpf/udpdest.bpf.c),
 * note number (how >> VG_SENDHOW_NOTE_SHIFT) & (VG_UDP_DEST_MAX - 1) */
#define VG_SENDHOW_NOTE	      (1ull << 26)
#define VG_SENDHOW_NOTE_SHIFT 27
int send_peer(__u64 sk, __u64 uaddr, __u64 how, __u64 ret_fd, __u64 cg);
/* a raw, packet or ICMP socket made (VG_EV_SOCKET); ret_flags: the descriptor (low 32 bits,
 * -1 when not known yet) and event flags (VG_F_*, high 32 bits) */
int socket_made(__u64 fam, __u64 type, __u64 proto, __u64 ret_flags, __u64 cg);
int on_call(__u64 regs, long nr, long ret, __u64 cg);
/* at execve's entry: notes a container runtime's init about to exec (bpf/process.bpf.c) */
int exec_note(void);
/* setns: the namespaces at the call, and the record at its exit (bpf/nsjoin.bpf.c) */
int setns_note(void);
int on_setns(__u64 regs, long nr, long ret, __u64 cg);
/* the setuid/setgid bit given by chmod, open(O_CREAT) or mknod (bpf/setid.bpf.c) */
int on_setid(__u64 regs, long nr, long ret, __u64 cg);
/* setid.bpf.c: the attribute name at name (user memory when user, else the kernel's) is
 * "security.capability" (file capabilities: V1106 as the setuid bit) */
int vg_xattr_is_caps(__u64 name, __u64 user);
/* a history file unlinked or truncated (bpf/erase.bpf.c) */
int on_erase(__u64 regs, long nr, long ret, __u64 cg);
/* The descriptors known quiet for HTTP, per process (bpf/http.bpf.c says how it is kept) */
#define VG_HTTP_FDS 1024
struct vg_http_fds {
	__u64 in[VG_HTTP_FDS / 64];
	__u64 out[VG_HTTP_FDS / 64];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct vg_http_fds);
} httpfd __weak SEC(".maps");

/* fd known quiet in a direction: a read or write of a file, a pipe or a seen socket, told by
 * the dispatcher before it hands the call to on_http (one lookup and a bit test) */
static __always_inline bool http_fd_quiet(__u64 fd, bool in)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct vg_http_fds *q;

	if (fd >= VG_HTTP_FDS)
		return false;
	q = bpf_map_lookup_elem(&httpfd, &tgid);
	return q && (((in ? q->in[fd / 64] : q->out[fd / 64]) >> (fd & 63)) & 1);
}

/* an HTTP/1.x request line, once per socket and direction (bpf/http.bpf.c) */
int on_http(__u64 regs, long nr, long ret, __u64 cg);
/* a TCP socket connected (accepted 0) or accepted (1): the direction it never sends requests
 * in is noted as looked at (bpf/http.bpf.c) */
int http_side(__u64 sk, __u64 accepted);
/* a descriptor made by socket, accept or dup: looked at again; a process gone: forgotten */
int http_fd_new(__u64 fd);
int http_proc_gone(__u64 tgid);

#endif
