// SPDX-License-Identifier: Apache-2.0
/*
 * Names of event values, one table each: open flags, IP protocols, directions, TCP states, DNS
 * question types, namespace (clone) flags, ptrace requests, bpf commands, memfd and mount
 * flags. x86_64 Linux values.
 */
#include <fcntl.h>
#include <stddef.h>

#include "event/table.h"

#define NAMES(a)                                          \
	{                                                 \
		.v = (a), .n = sizeof(a) / sizeof((a)[0]) \
	}

size_t ev_names_get(const struct ev_names *names, uint64_t v, const char **out, size_t max)
{
	if (!names || !max)
		return 0;
	if (names->fn)
		return names->fn(v, out, max);
	for (size_t i = 0; i < names->n; i++) {
		if (names->v[i].value == v) {
			out[0] = names->v[i].name;
			return 1;
		}
	}
	return 0;
}

/* Bit names of v, in table order. */
static size_t bit_names(const struct ev_name *tab, size_t n, uint64_t v, const char **out,
			size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		if ((v & tab[i].value) == tab[i].value && tab[i].value)
			out[k++] = tab[i].name;
	}
	return k;
}

/* Kernel values (x86_64): glibc's O_LARGEFILE is 0 on 64-bit, the kernel's is not. */
#define K_O_LARGEFILE 0100000

static const struct ev_name open_bits[] = {
	{ O_CREAT, "O_CREAT" },		{ O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" },	{ O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" },	{ O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" },		{ O_ASYNC, "O_ASYNC" },
	{ O_DIRECT, "O_DIRECT" },	{ K_O_LARGEFILE, "O_LARGEFILE" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" },	{ O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" },
};

size_t vigil_open_flag_names(uint32_t flags, const char **out, size_t max)
{
	size_t n = 0;

	if (!max)
		return 0;
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		out[n++] = "O_WRONLY";
		break;
	case O_RDWR:
		out[n++] = "O_RDWR";
		break;
	default:
		out[n++] = "O_RDONLY";
		break;
	}
	/* O_TMPFILE includes O_DIRECTORY's bit: name it as one flag */
	if ((flags & O_TMPFILE) == O_TMPFILE && n < max) {
		out[n++] = "O_TMPFILE";
		flags &= ~(uint32_t)O_TMPFILE;
	}
	/* O_SYNC includes O_DSYNC's bit */
	if ((flags & O_SYNC) == O_SYNC && n < max) {
		out[n++] = "O_SYNC";
		flags &= ~(uint32_t)O_SYNC;
	}
	return n + bit_names(open_bits, sizeof(open_bits) / sizeof(open_bits[0]), flags, out + n,
			     max - n);
}

static size_t open_flags_fn(uint64_t v, const char **out, size_t max)
{
	return vigil_open_flag_names((uint32_t)v, out, max);
}

const struct ev_names ev_names_open_flags = { .fn = open_flags_fn };

/* SETID: the mode's set-id bits (V1106), and the file's type (S_IFMT) */
static const struct ev_name setid_bits[] = {
	{ 04000, "S_ISUID" },
	{ 02000, "S_ISGID" },
};
static size_t setid_bits_fn(uint64_t v, const char **out, size_t max)
{
	return bit_names(setid_bits, sizeof(setid_bits) / sizeof(setid_bits[0]), v, out, max);
}
const struct ev_names ev_names_setid_bits = { .fn = setid_bits_fn };

static const struct ev_name file_type[] = {
	{ 0100000, "regular" }, { 0040000, "directory" }, { 0120000, "symlink" },
	{ 0020000, "char" },	{ 0060000, "block" },	  { 0010000, "fifo" },
	{ 0140000, "socket" },
};
const struct ev_names ev_names_file_type = NAMES(file_type);

static const struct ev_name proto[] = {
	{ 0, "" },     { 6, "TCP" },	 { 17, "UDP" },	 { 132, "SCTP" },
	{ 1, "ICMP" }, { 58, "ICMPV6" }, { 255, "RAW" },
};
const struct ev_names ev_names_proto = NAMES(proto);

static const struct ev_name sock_family[] = {
	{ 1, "AF_UNIX" },     { 2, "AF_INET" },	   { 10, "AF_INET6" },
	{ 16, "AF_NETLINK" }, { 17, "AF_PACKET" },
};
const struct ev_names ev_names_sock_family = NAMES(sock_family);

static const struct ev_name sock_type[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" },     { 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" },    { 5, "SOCK_SEQPACKET" }, { 10, "SOCK_PACKET" },
};
const struct ev_names ev_names_sock_type = NAMES(sock_type);

const char *vigil_ip_proto_name(unsigned p)
{
	const char *n = "";

	ev_names_get(&ev_names_proto, p, &n, 1);
	return n;
}

static const struct ev_name direction[] = {
	{ VIGIL_DIR_NONE, "" },
	{ VIGIL_DIR_OUTBOUND, "outbound" },
	{ VIGIL_DIR_INBOUND, "inbound" },
};
const struct ev_names ev_names_direction = NAMES(direction);

static const struct ev_name tcp_state[] = {
	{ 0, "" },
	{ 1, "ESTABLISHED" },
	{ 2, "SYN_SENT" },
	{ 3, "SYN_RECV" },
	{ 4, "FIN_WAIT1" },
	{ 5, "FIN_WAIT2" },
	{ 6, "TIME_WAIT" },
	{ 7, "CLOSE" },
	{ 8, "CLOSE_WAIT" },
	{ 9, "LAST_ACK" },
	{ 10, "LISTEN" },
	{ 11, "CLOSING" },
	{ 12, "NEW_SYN_RECV" },
	{ 13, "BOUND_INACTIVE" },
};
const struct ev_names ev_names_tcp_state = NAMES(tcp_state);

const char *vigil_tcp_state_name(unsigned s)
{
	const char *n = "";

	ev_names_get(&ev_names_tcp_state, s, &n, 1);
	return n;
}

static const struct ev_name dns_qtype[] = {
	{ 1, "A" },	 { 2, "NS" },	  { 5, "CNAME" },   { 6, "SOA" },   { 12, "PTR" },
	{ 13, "HINFO" }, { 15, "MX" },	  { 16, "TXT" },    { 28, "AAAA" }, { 33, "SRV" },
	{ 35, "NAPTR" }, { 43, "DS" },	  { 48, "DNSKEY" }, { 64, "SVCB" }, { 65, "HTTPS" },
	{ 99, "SPF" },	 { 252, "AXFR" }, { 255, "ANY" },   { 257, "CAA" },
};
const struct ev_names ev_names_dns_qtype = NAMES(dns_qtype);

static const struct ev_name clone_bits[] = {
	{ 0x00020000, "CLONE_NEWNS" },	 { 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" },	 { 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },	 { 0x00000080, "CLONE_NEWTIME" },
	{ 0x00000200, "CLONE_FILES" },	 { 0x00000400, "CLONE_FS" },
	{ 0x00040000, "CLONE_SYSVSEM" },
};

static size_t clone_flags_fn(uint64_t v, const char **out, size_t max)
{
	return bit_names(clone_bits, sizeof(clone_bits) / sizeof(clone_bits[0]), v, out, max);
}

const struct ev_names ev_names_clone_flags = { .fn = clone_flags_fn };

static const struct ev_name ptrace_req[] = {
	{ 0, "PTRACE_TRACEME" },	 { 1, "PTRACE_PEEKTEXT" },   { 2, "PTRACE_PEEKDATA" },
	{ 3, "PTRACE_PEEKUSER" },	 { 4, "PTRACE_POKETEXT" },   { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSER" },	 { 7, "PTRACE_CONT" },	     { 8, "PTRACE_KILL" },
	{ 9, "PTRACE_SINGLESTEP" },	 { 12, "PTRACE_GETREGS" },   { 13, "PTRACE_SETREGS" },
	{ 16, "PTRACE_ATTACH" },	 { 17, "PTRACE_DETACH" },    { 24, "PTRACE_SYSCALL" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" },
};
const struct ev_names ev_names_ptrace = NAMES(ptrace_req);

/* enum bpf_cmd, in order */
static const struct ev_name bpf_cmd[] = {
	{ 0, "BPF_MAP_CREATE" },
	{ 1, "BPF_MAP_LOOKUP_ELEM" },
	{ 2, "BPF_MAP_UPDATE_ELEM" },
	{ 3, "BPF_MAP_DELETE_ELEM" },
	{ 4, "BPF_MAP_GET_NEXT_KEY" },
	{ 5, "BPF_PROG_LOAD" },
	{ 6, "BPF_OBJ_PIN" },
	{ 7, "BPF_OBJ_GET" },
	{ 8, "BPF_PROG_ATTACH" },
	{ 9, "BPF_PROG_DETACH" },
	{ 10, "BPF_PROG_TEST_RUN" },
	{ 11, "BPF_PROG_GET_NEXT_ID" },
	{ 12, "BPF_MAP_GET_NEXT_ID" },
	{ 13, "BPF_PROG_GET_FD_BY_ID" },
	{ 14, "BPF_MAP_GET_FD_BY_ID" },
	{ 15, "BPF_OBJ_GET_INFO_BY_FD" },
	{ 16, "BPF_PROG_QUERY" },
	{ 17, "BPF_RAW_TRACEPOINT_OPEN" },
	{ 18, "BPF_BTF_LOAD" },
	{ 19, "BPF_BTF_GET_FD_BY_ID" },
	{ 20, "BPF_TASK_FD_QUERY" },
	{ 21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM" },
	{ 22, "BPF_MAP_FREEZE" },
	{ 23, "BPF_BTF_GET_NEXT_ID" },
	{ 24, "BPF_MAP_LOOKUP_BATCH" },
	{ 25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH" },
	{ 26, "BPF_MAP_UPDATE_BATCH" },
	{ 27, "BPF_MAP_DELETE_BATCH" },
	{ 28, "BPF_LINK_CREATE" },
	{ 29, "BPF_LINK_UPDATE" },
	{ 30, "BPF_LINK_GET_FD_BY_ID" },
	{ 31, "BPF_LINK_GET_NEXT_ID" },
	{ 32, "BPF_ENABLE_STATS" },
	{ 33, "BPF_ITER_CREATE" },
	{ 34, "BPF_LINK_DETACH" },
	{ 35, "BPF_PROG_BIND_MAP" },
	{ 36, "BPF_TOKEN_CREATE" },
};
const struct ev_names ev_names_bpf_cmd = NAMES(bpf_cmd);

static const struct ev_name memfd_bits[] = {
	{ 0x1, "MFD_CLOEXEC" },	    { 0x2, "MFD_ALLOW_SEALING" }, { 0x4, "MFD_HUGETLB" },
	{ 0x8, "MFD_NOEXEC_SEAL" }, { 0x10, "MFD_EXEC" },
};

static size_t memfd_flags_fn(uint64_t v, const char **out, size_t max)
{
	return bit_names(memfd_bits, sizeof(memfd_bits) / sizeof(memfd_bits[0]), v, out, max);
}

const struct ev_names ev_names_memfd_flags = { .fn = memfd_flags_fn };

static const struct ev_name mount_bits[] = {
	{ 1, "MS_RDONLY" },	     { 2, "MS_NOSUID" },	   { 4, "MS_NODEV" },
	{ 8, "MS_NOEXEC" },	     { 16, "MS_SYNCHRONOUS" },	   { 32, "MS_REMOUNT" },
	{ 64, "MS_MANDLOCK" },	     { 128, "MS_DIRSYNC" },	   { 256, "MS_NOSYMFOLLOW" },
	{ 1024, "MS_NOATIME" },	     { 2048, "MS_NODIRATIME" },	   { 4096, "MS_BIND" },
	{ 8192, "MS_MOVE" },	     { 16384, "MS_REC" },	   { 32768, "MS_SILENT" },
	{ 1 << 16, "MS_POSIXACL" },  { 1 << 17, "MS_UNBINDABLE" }, { 1 << 18, "MS_PRIVATE" },
	{ 1 << 19, "MS_SLAVE" },     { 1 << 20, "MS_SHARED" },	   { 1 << 21, "MS_RELATIME" },
	{ 1 << 22, "MS_KERNMOUNT" }, { 1 << 23, "MS_I_VERSION" },  { 1 << 24, "MS_STRICTATIME" },
	{ 1 << 25, "MS_LAZYTIME" },
};

static size_t mount_flags_fn(uint64_t v, const char **out, size_t max)
{
	return bit_names(mount_bits, sizeof(mount_bits) / sizeof(mount_bits[0]), v, out, max);
}

const struct ev_names ev_names_mount_flags = { .fn = mount_flags_fn };

static const struct ev_name module_call[] = {
	{ 0, "init_module" },
	{ 1, "finit_module" },
};
const struct ev_names ev_names_module_call = NAMES(module_call);

/* the call that made namespaces (an unshare record's arg1: 0, or clone's or clone3's number) */
static const struct ev_name ns_call[] = {
	{ 0, "unshare" },
	{ 56, "clone" },
	{ 435, "clone3" },
};
const struct ev_names ev_names_ns_call = NAMES(ns_call);

/* how a file executed was changed at run time (exec.written_how) */
static const struct ev_name written_bits[] = {
	{ VIGIL_WRITTEN_OPEN, "open_write" },
	{ VIGIL_WRITTEN_CHMOD, "chmod_x" },
	{ VIGIL_WRITTEN_URING, "io_uring_write" },
};

static size_t written_how_fn(uint64_t v, const char **out, size_t max)
{
	return bit_names(written_bits, sizeof(written_bits) / sizeof(written_bits[0]), v, out, max);
}

const struct ev_names ev_names_written_how = { .fn = written_how_fn };

/* mmap/mprotect protection (mmap_exec.prot) */
static const struct ev_name prot_bits[] = {
	{ 1, "PROT_READ" },
	{ 2, "PROT_WRITE" },
	{ 4, "PROT_EXEC" },
};

static size_t prot_fn(uint64_t v, const char **out, size_t max)
{
	return bit_names(prot_bits, sizeof(prot_bits) / sizeof(prot_bits[0]), v, out, max);
}

const struct ev_names ev_names_prot = { .fn = prot_fn };

static const struct ev_name send_call[] = {
	{ VIGIL_SEND_SENDTO, "sendto" },     { VIGIL_SEND_SENDMSG, "sendmsg" },
	{ VIGIL_SEND_SENDMMSG, "sendmmsg" }, { VIGIL_SEND_SEND, "send" },
	{ VIGIL_SEND_SEND_ZC, "send_zc" },   { VIGIL_SEND_SENDMSG_ZC, "sendmsg_zc" },
	{ VIGIL_SEND_WRITE, "write" },	     { VIGIL_SEND_WRITEV, "writev" },
};
_Static_assert(sizeof(send_call) / sizeof(send_call[0]) == VIGIL_SEND__MAX,
	       "every enum vigil_send_call has its name");
const struct ev_names ev_names_send_call = NAMES(send_call);

static const struct ev_name tls_call[] = {
	{ VIGIL_TLS_NONE, "" },
	{ VIGIL_TLS_SSL_WRITE, "SSL_write" },
	{ VIGIL_TLS_SSL_WRITE_EX, "SSL_write_ex" },
	{ VIGIL_TLS_SSL_READ, "SSL_read" },
	{ VIGIL_TLS_SSL_READ_EX, "SSL_read_ex" },
	{ VIGIL_TLS_GO_WRITE, "crypto/tls.(*Conn).Write" },
};
_Static_assert(sizeof(tls_call) / sizeof(tls_call[0]) == VIGIL_TLS__MAX,
	       "every enum vigil_tls_call has its name");
const struct ev_names ev_names_tls_call = NAMES(tls_call);
