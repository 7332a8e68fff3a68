// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Syscalls: the set each workload uses (sys_enter), and the sys_exit dispatcher that sends a
 * syscall to its concern's handler (syscalls.bpf.h), with the "calls" handled here.
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
	/* an exec into a container in the host's pid namespace is told by its runtime's init,
	 * which is gone or orphaned by the time the exec completes: noted at the call (two
	 * compares for every other syscall; setns notes its namespaces the same way: a third) */
	if (id == NR_execve || id == NR_execveat)
		exec_note();
	else if (id == NR_setns)
		setns_note();
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

/* ---- syscalls: events at exit (arguments are still in pt_regs, the result is known) ---- */

/*
 * socket(): only the kinds that reach the wire below the TCP and UDP the other hooks see:
 * packet sockets (AF_PACKET: any frame, sniffing), raw sockets (SOCK_RAW in any family:
 * hand-made IP, ICMP tunnels) and ICMP datagram ("ping") sockets. A repeat is the same kind
 * from the same executable (its inode, never the name a process gives itself): the profile
 * allows it per executable (rulePolicies).
 */
__noinline int socket_made(__u64 fam, __u64 type, __u64 proto, __u64 ret_flags, __u64 cg)
{
	struct task_struct *t;
	struct vg_event *e;
	__u64 h, ino;

	type &= 0xf; /* without SOCK_NONBLOCK, SOCK_CLOEXEC */
	if (!want(VG_EV_SOCKET))
		return 0;
	if (fam != AF_PACKET_ && type != SOCK_RAW_ &&
	    !((fam == AF_INET_ || fam == AF_INET6_) && type == 2 /* SOCK_DGRAM */ &&
	      (proto == IPPROTO_ICMP_ || proto == IPPROTO_ICMPV6_)))
		return 0;
	e = ev_begin(VG_EV_SOCKET, cg);
	if (!e)
		return 0;
	e->arg[0] = fam;
	e->arg[1] = type;
	e->arg[2] = proto;
	e->arg[5] = (__s32)(ret_flags & 0xffffffff);
	e->flags |= ret_flags >> 32;
	t = (struct task_struct *)bpf_get_current_task();
	ino = BPF_CORE_READ(t, mm, exe_file, f_inode, i_ino);
	h = ev_hash(e, 0, 3);
	h = (h ^ ino) * 0x100000001b3ull;
	return ev_submit_key(e, 0, 3, false, h | 1);
}

static __always_inline int on_socket(struct pt_regs *regs, long ret, __u64 cg)
{
	if (ret < 0)
		return 0;
	http_fd_new(ret); /* a TCP socket at a number known quiet (bpf/http.bpf.c) */
	return socket_made(BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si),
			   BPF_CORE_READ(regs, dx), (__u64)ret & 0xffffffff, cg);
}

/*
 * Namespaces made by clone or clone3 instead of unshare (`clone(CLONE_NEWUSER | CLONE_NEWNS)`,
 * what unshare(1) -f, bwrap and a container escape's helper can do): the same record as an
 * unshare's (R1006; learned as "unshare"), from the parent's return (the child returns 0 from
 * the same call) or a failed call (an attempt). The namespace bits of clone's first argument,
 * or of the first field of clone3's struct clone_args, in the caller's memory; CLONE_NEWTIME
 * only for clone3 (clone's low byte is the exit signal). A clone without them (every fork,
 * every thread) returns here, before the monitored-set lookup.
 */
#define CLONE_NEW_MASK_ \
	0x7e020000ull /* NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET */
#define CLONE_NEWTIME_ 0x80ull

static __always_inline __u64 clone_ns_flags(struct pt_regs *regs, long nr, long ret)
{
	__u64 flags = 0;

	if (ret == 0)
		return 0;
	if (nr == NR_clone)
		return BPF_CORE_READ(regs, di) & CLONE_NEW_MASK_;
	if (bpf_probe_read_user(&flags, sizeof(flags), (void *)BPF_CORE_READ(regs, di)))
		return 0;
	return flags & (CLONE_NEW_MASK_ | CLONE_NEWTIME_);
}

__noinline int on_call(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	__u32 kind;
	struct vg_event *e;
	__u32 off = 0;

	switch (nr) {
	case NR_socket:
		return on_socket(regs, ret, cg);
	case NR_ptrace:
		kind = VG_EV_PTRACE;
		break;
	case NR_unshare:
	case NR_clone:
	case NR_clone3:
		kind = VG_EV_UNSHARE;
		break;
	case NR_setns:
		return on_setns(regs_, nr, ret, cg);
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
	if (kind == VG_EV_UNSHARE) {
		/* arg1: the call (0 unshare, else clone's or clone3's number) */
		e->arg[1] = nr == NR_unshare ? 0 : nr;
		if (nr != NR_unshare)
			e->arg[0] = clone_ns_flags(regs, nr, ret);
	} else if (kind == VG_EV_MEMFD) {
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

/*
 * The exits of the two hottest syscalls handled here that make no record, told before
 * anything is read (not even the monitored-set check, nor the task): an mmap or mprotect that
 * makes no file's pages executable (malloc, thread stacks, file reads, JIT code), or failed
 * (on_mmap records only PROT_EXEC of a file); a failed write, or any write while no workload
 * made a TCP connection to a DNS port and none enforces R0011 (on_write's only two reasons to
 * look). prot and mflags: the syscall's third and fourth arguments, read by the caller only
 * for mmap and mprotect (a direct load in tp_btf).
 */
static __always_inline bool map_quiet(long nr, long ret, __u64 prot, __u64 mflags)
{
	return !want(VG_EV_MMAP_EXEC) || !(prot & PROT_EXEC_) || (ret < 0 && ret > -4096) ||
	       (nr == NR_mmap && (mflags & MAP_ANONYMOUS_));
}

static __always_inline bool write_quiet(long ret)
{
	return ret < 0 || (!dnstcp_any && !enforce_egress && !want(VG_EV_HTTP));
}

/* btf: regs is a BTF pointer (tp_btf: direct loads), else read with probe reads (raw_tp) */
static __always_inline int sys_exit_body(struct pt_regs *regs, long nr, long ret, bool btf)
{
	__u64 cg, r = 0, fd;
	bool http = true;

	if ((nr == NR_write || nr == NR_writev) && write_quiet(ret))
		return 0;
	/* reads: only HTTP request lines (bpf/http.bpf.c), and nothing on an empty or failed read */
	if ((nr == NR_read || nr == NR_readv || nr == NR_recvfrom || nr == NR_recvmsg) &&
	    (ret <= 0 || !want(VG_EV_HTTP)))
		return 0;
	switch (nr) {
	case NR_clone:
	case NR_clone3:
		if (!clone_ns_flags(regs, nr, ret))
			return 0;
		break;
	/* a descriptor duplicated or taken from another process: HTTP looks at its new number
	 * (http_fd_new) */
	case NR_fcntl:
		if (ret < 0 || !want(VG_EV_HTTP) ||
		    (BPF_CORE_READ(regs, si) != F_DUPFD_ &&
		     BPF_CORE_READ(regs, si) != F_DUPFD_CLOEXEC_))
			return 0;
		break;
	case NR_dup:
	case NR_dup2:
	case NR_dup3:
	case NR_pidfd_getfd:
		if (ret < 0 || !want(VG_EV_HTTP))
			return 0;
		break;
	case NR_read:
	case NR_readv:
	case NR_recvfrom:
	case NR_recvmsg:
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_open_by_handle_at:
	case NR_creat:
	case NR_connect:
	case NR_accept:
	case NR_accept4:
	case NR_bind:
	case NR_listen:
	case NR_sendto:
	case NR_sendmsg:
	case NR_sendmmsg:
	case NR_write:
	case NR_writev:
	case NR_ptrace:
	case NR_unshare:
	case NR_setns:
	case NR_bpf:
	case NR_init_module:
	case NR_finit_module:
	case NR_memfd_create:
	case NR_mount:
	case NR_socket:
	case NR_symlink:
	case NR_symlinkat:
	case NR_link:
	case NR_linkat:
	case NR_chmod:
	case NR_fchmod:
	case NR_fchmodat:
	case NR_fchmodat2:
	case NR_setxattr:
	case NR_lsetxattr:
	case NR_fsetxattr:
	case NR_setxattrat:
	case NR_mmap:
	case NR_mprotect:
	case NR_rename:
	case NR_renameat:
	case NR_renameat2:
	case NR_mknod:
	case NR_mknodat:
	case NR_unlink:
	case NR_unlinkat:
	case NR_truncate:
	case NR_ftruncate:
		break;
	default:
		return 0;
	}
	if (!monitored(&cg))
		return 0;
	/* HTTP (bpf/http.bpf.c): a read or write of a descriptor known quiet (a file, a pipe, a
	 * socket already looked at) ends here or skips on_http, before the call to a handler */
	if (nr == NR_read || nr == NR_readv || nr == NR_recvfrom || nr == NR_recvmsg ||
	    nr == NR_write || nr == NR_writev || nr == NR_sendto || nr == NR_sendmsg) {
		bool in = nr == NR_read || nr == NR_readv || nr == NR_recvfrom || nr == NR_recvmsg;

		fd = btf ? regs->di : BPF_CORE_READ(regs, di);
		/* a recvmsg may bring descriptors (SCM_RIGHTS): on_http looks at its control data */
		if (nr != NR_recvmsg && http_fd_quiet(fd, in)) {
			/* a write: on_write's two reasons to look (write_quiet's, without HTTP) */
			if (in ||
			    ((nr == NR_write || nr == NR_writev) && !dnstcp_any && !enforce_egress))
				return 0;
			http = false;
		}
	}
	/* the handlers are global functions, which take numbers: in tp_btf, regs is a trusted
	 * pointer the verifier refuses as a global function's scalar argument (the tp_btf
	 * programs would not load), so it goes through the stack as a plain number */
	bpf_probe_read_kernel(&r, sizeof(r), &regs);
	switch (nr) {
	case NR_open:
	case NR_openat:
	case NR_openat2:
	case NR_open_by_handle_at:
	case NR_creat:
		/* O_CREAT with a setuid or setgid mode (a mode test for the others) */
		if (nr != NR_open_by_handle_at)
			on_setid(r, nr, ret, cg);
		return on_open(r, nr, ret, cg);
	case NR_connect:
	case NR_accept:
	case NR_accept4:
	case NR_bind:
	case NR_listen:
		return on_sock(r, nr, ret, cg);
	case NR_read:
	case NR_readv:
	case NR_recvfrom:
	case NR_recvmsg:
		return on_http(r, nr, ret, cg);
	case NR_sendto:
	case NR_sendmsg:
		if (http)
			on_http(r, nr, ret, cg);
		return on_send(r, nr, ret, cg);
	case NR_sendmmsg:
		return on_send(r, nr, ret, cg);
	case NR_fcntl:
	case NR_dup:
	case NR_dup2:
	case NR_dup3:
	case NR_pidfd_getfd:
		return http_fd_new(ret);
	case NR_write:
	case NR_writev:
		if (http)
			on_http(r, nr, ret, cg);
		/* on_write's two reasons to look (write_quiet's, without HTTP) */
		if (!dnstcp_any && !enforce_egress)
			return 0;
		return on_write(r, nr, ret, cg);
	case NR_symlink:
	case NR_symlinkat:
	case NR_link:
	case NR_linkat:
	case NR_rename:
	case NR_renameat:
	case NR_renameat2:
		return on_link(r, nr, ret, cg);
	case NR_chmod:
	case NR_fchmod:
	case NR_fchmodat:
	case NR_fchmodat2:
		on_setid(r, nr, ret, cg);
		return on_chmod(r, nr, ret, cg);
	case NR_mknod:
	case NR_mknodat:
	case NR_setxattr:
	case NR_lsetxattr:
	case NR_fsetxattr:
	case NR_setxattrat:
		return on_setid(r, nr, ret, cg);
	case NR_unlink:
	case NR_unlinkat:
	case NR_truncate:
	case NR_ftruncate:
		return on_erase(r, nr, ret, cg);
	case NR_mmap:
	case NR_mprotect:
		return on_mmap(r, nr, ret, cg);
	default:
		return on_call(r, nr, ret, cg);
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_sys_exit, struct pt_regs *regs, long ret)
{
	/* a BTF-typed pointer: direct loads, no helper call on the hottest path */
	long nr = regs->orig_ax;

	if ((nr == NR_mmap || nr == NR_mprotect) && map_quiet(nr, ret, regs->dx, regs->r10))
		return 0;
	return sys_exit_body(regs, nr, ret, true);
}

/* ---- capabilities, TCP state --------------------------------------------------------- */

/* raw_tp twins: the same bodies, for kernels where tp_btf programs do not load (not loaded
 * unless user space falls back). */
SEC("raw_tp/sys_enter")
int BPF_PROG(vg_sys_enter_raw, struct pt_regs *regs, long id)
{
	return ____vg_sys_enter(ctx, regs, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(vg_sys_exit_raw, struct pt_regs *regs, long ret)
{
	long nr = BPF_CORE_READ(regs, orig_ax);

	if ((nr == NR_mmap || nr == NR_mprotect) &&
	    map_quiet(nr, ret, BPF_CORE_READ(regs, dx), BPF_CORE_READ(regs, r10)))
		return 0;
	return sys_exit_body(regs, nr, ret, false);
}
