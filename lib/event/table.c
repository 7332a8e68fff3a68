// SPDX-License-Identifier: Apache-2.0
/*
 * The event table: every kind's name and fields, in the order they are shown. Adding an event
 * kind adds a row here (docs/DESIGN.md, "Adding an event kind"); the encoders
 * (lib/event/encode.c) and the zoom's copies need no change.
 */
#include <stddef.h>
#include <string.h>

#include "event/table.h"

#define MEMBER_SIZE(m) sizeof(((struct vigil_event *)0)->m)
/* a field: name, type, member of struct vigil_event, flags, names (or NULL) */
#define F(n, t, m, fl, nm)                                                        \
	{                                                                         \
		.name = (n), .type = (t), .off = offsetof(struct vigil_event, m), \
		.size = MEMBER_SIZE(m), .flags = (fl), .names = (nm)              \
	}
/* a payload or content sample and its length member */
#define SAMPLE(m, len_m)                                                                     \
	{                                                                                    \
		.name = "sample", .type = EV_SAMPLE, .off = offsetof(struct vigil_event, m), \
		.size = MEMBER_SIZE(m), .len_off = offsetof(struct vigil_event, len_m)       \
	}
/* a socket address as NAME_addr and NAME_port ("addr" and "port" for the peer) */
#define ADDR(n_addr, n_port, m, fl) \
	F(n_addr, EV_ADDR, m, (fl), NULL), F(n_port, EV_PORT, m, (fl)&EV_OPTIONAL, NULL)
#define NET_COMMON                                                                   \
	F("proto", EV_NAME, net.proto, EV_PROTO, &ev_names_proto),                   \
		F("direction", EV_NAME, net.direction, EV_DIR, &ev_names_direction), \
		F("family", EV_FAMILY, net.remote, 0, NULL)

static const struct ev_field exec_fields[] = {
	F("path", EV_STR, exec.path, EV_KEY, NULL),
	F("upper_layer", EV_BOOL, exec.upper_layer, 0, NULL),
	F("memfd", EV_BOOL, exec.memfd, 0, NULL),
	F("dev_shm", EV_BOOL, exec.dev_shm, 0, NULL),
	/* drop-and-execute: shown only when true (or known) */
	F("written", EV_BOOL, exec.written, EV_OPTIONAL, NULL),
	F("modified", EV_BOOL, exec.modified, EV_OPTIONAL, NULL),
	F("script", EV_STR, exec.script, EV_OPTIONAL, NULL),
	F("script_written", EV_BOOL, exec.script_written, EV_OPTIONAL, NULL),
	F("script_modified", EV_BOOL, exec.script_modified, EV_OPTIONAL, NULL),
	F("writer_pid", EV_UINT, exec.writer_pid, EV_OPTIONAL, NULL),
	F("writer_cgroup_id", EV_UINT, exec.writer_cgroup, EV_OPTIONAL, NULL),
	F("written_how", EV_FLAGS, exec.written_how, EV_OPTIONAL, &ev_names_written_how),
	F("written_ns", EV_UINT, exec.written_ns, EV_OPTIONAL, NULL),
	F("parent_exe", EV_STR, exec.parent_exe, EV_OPTIONAL, NULL),
	F("setid", EV_BOOL, exec.setid, EV_OPTIONAL, NULL),
	/* the executable's inode as the kernel ran it */
	F("ino", EV_UINT, exec.ino, EV_OPTIONAL, NULL),
	F("size", EV_UINT, exec.size, EV_OPTIONAL, NULL),
	F("mtime_ns", EV_UINT, exec.mtime_ns, EV_OPTIONAL, NULL),
	F("ctime_ns", EV_UINT, exec.ctime_ns, EV_OPTIONAL, NULL),
	F("ld_hook", EV_STR, exec.ld_hook, EV_OPTIONAL, NULL),
	F("history_off", EV_STR, exec.history_off, EV_OPTIONAL, NULL),
	/* entered a running container from outside (R2000), and from which tool */
	F("entered", EV_BOOL, exec.entered, EV_OPTIONAL, NULL),
	F("entered_by", EV_STR, exec.entered_by, EV_OPTIONAL, NULL),
	F("entered_pid", EV_UINT, exec.entered_pid, EV_OPTIONAL, NULL),
	F("entered_host_pid", EV_BOOL, exec.entered_host_pid, EV_OPTIONAL, NULL),
};

static const struct ev_field fork_fields[] = {
	F("child_pid", EV_UINT, fork.child_pid, 0, NULL),
};

static const struct ev_field exit_fields[] = {
	F("code", EV_INT, exit.code, 0, NULL),
};

static const struct ev_field open_fields[] = {
	F("path", EV_STR, open.path, EV_KEY, NULL),
	F("flags", EV_FLAGS, open.flags, 0, &ev_names_open_flags),
	F("ret", EV_INT, open.ret, 0, NULL),
	F("truncated", EV_BOOL, open.truncated, EV_OPTIONAL, NULL), /* path cut by the sensor */
	F("aliased", EV_BOOL, open.aliased, EV_OPTIONAL, NULL),	    /* hard links, bind mount */
};

static const struct ev_field exec_write_fields[] = {
	F("path", EV_STR, open.path, EV_KEY, NULL),
	F("ret", EV_INT, open.ret, 0, NULL),
};

static const struct ev_field setid_fields[] = {
	F("path", EV_STR, attr.path, EV_KEY, NULL),
	F("call", EV_STR, attr.call, 0, NULL),
	F("bits", EV_FLAGS, attr.mode, 0, &ev_names_setid_bits),
	F("mode", EV_UINT, attr.mode, 0, NULL),
	F("file_mode", EV_UINT, attr.file_mode, EV_OPTIONAL, NULL),
	F("file_type", EV_NAME, attr.file_type, EV_OPTIONAL, &ev_names_file_type),
	F("ret", EV_INT, attr.ret, 0, NULL),
};

static const struct ev_field erase_fields[] = {
	F("path", EV_STR, attr.path, EV_KEY, NULL),
	F("call", EV_STR, attr.call, 0, NULL),
	F("ret", EV_INT, attr.ret, 0, NULL),
};

static const struct ev_field link_fields[] = {
	F("path", EV_STR, link.path, EV_KEY, NULL),
	F("target", EV_STR, link.target, 0, NULL),
};

/* connect, accept: the peer is the remote end */
static const struct ev_field conn_fields[] = {
	NET_COMMON,
	ADDR("addr", "port", net.remote, EV_PEER),
	ADDR("local_addr", "local_port", net.local, 0),
	F("ret", EV_INT, net.ret, 0, NULL),
	F("fd", EV_INT, net.fd, 0, NULL),
};

/* bind, listen: what matters is the local end */
static const struct ev_field bind_fields[] = {
	NET_COMMON,
	ADDR("local_addr", "local_port", net.local, EV_PEER),
	ADDR("addr", "port", net.remote, 0),
	F("ret", EV_INT, net.ret, 0, NULL),
	F("fd", EV_INT, net.fd, 0, NULL),
};

/* send: a message to an address named in the call (no connect) */
static const struct ev_field send_fields[] = {
	NET_COMMON,
	ADDR("addr", "port", net.remote, EV_PEER),
	ADDR("local_addr", "local_port", net.local, 0),
	F("call", EV_NAME, net.call, 0, &ev_names_send_call),
	F("fastopen", EV_BOOL, net.fastopen, 0, NULL),
	F("addr_from_memory", EV_BOOL, net.addr_from_memory, 0, NULL),
	F("ret", EV_INT, net.ret, 0, NULL),
	F("fd", EV_INT, net.fd, 0, NULL),
};

/* netns_connect: a connection into the workload's network namespace from outside the workload
 * (the process is the outsider's; the address is as the workload's namespace sees it) */
static const struct ev_field netns_connect_fields[] = {
	NET_COMMON,
	ADDR("addr", "port", net.remote, EV_PEER),
	ADDR("local_addr", "local_port", net.local, 0),
};

static const struct ev_field tcp_state_fields[] = {
	F("old_state", EV_NAME, net.old_state, 0, &ev_names_tcp_state),
	F("new_state", EV_NAME, net.new_state, EV_KEY, &ev_names_tcp_state),
	NET_COMMON,
	ADDR("addr", "port", net.remote, EV_PEER),
	ADDR("local_addr", "local_port", net.local, 0),
};

static const struct ev_field dns_fields[] = {
	F("domain", EV_STR, dns.name, EV_KEY, NULL),
	F("qtype", EV_NAME, dns.qtype, 0, &ev_names_dns_qtype),
	ADDR("server_addr", "server_port", dns.server, EV_PEER),
	F("tcp", EV_BOOL, dns.tcp, EV_OPTIONAL, NULL),	     /* DNS over TCP */
	F("desync", EV_BOOL, dns.desync, EV_OPTIONAL, NULL), /* its stream lost sync */
};

static const struct ev_field capability_fields[] = {
	F("capability", EV_STR, cap.name, EV_KEY, NULL),
	F("cap", EV_INT, cap.cap, 0, NULL),
	F("ret", EV_INT, cap.ret, 0, NULL),
};

static const struct ev_field syscall_fields[] = {
	F("syscall", EV_STR, syscall.name, EV_KEY, NULL),
	F("nr", EV_INT, syscall.nr, 0, NULL),
};

static const struct ev_field iouring_create_fields[] = {
	F("sq_entries", EV_UINT, iouring.sq_entries, 0, NULL),
};

static const struct ev_field iouring_op_fields[] = {
	F("op", EV_STR, iouring.opname, EV_KEY, NULL),
	F("opcode", EV_INT, iouring.opcode, 0, NULL),
	F("path", EV_STR, iouring.path, EV_OPTIONAL, NULL),
	ADDR("addr", "port", iouring.addr, EV_PEER | EV_OPTIONAL),
};

static const struct ev_field ptrace_fields[] = {
	F("request_name", EV_NAME, call.arg0, EV_KEY, &ev_names_ptrace),
	F("request", EV_INT, call.arg0, 0, NULL),
	F("target_pid", EV_INT, call.arg1, 0, NULL),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field unshare_fields[] = {
	F("flags", EV_FLAGS, call.arg0, 0, &ev_names_clone_flags),
	F("call", EV_NAME, call.arg1, 0, &ev_names_ns_call),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field setns_fields[] = {
	F("fd", EV_INT, call.arg0, 0, NULL),
	F("flags", EV_FLAGS, call.arg1, 0, &ev_names_clone_flags),
	/* where the call took it: the types it changed, those now the host's (V1105) */
	F("joined", EV_FLAGS, call.ns_joined, EV_OPTIONAL, &ev_names_clone_flags),
	F("host", EV_FLAGS, call.ns_host, EV_OPTIONAL, &ev_names_clone_flags),
	F("other", EV_FLAGS, call.ns_other, EV_OPTIONAL, &ev_names_clone_flags),
	F("ns_ino", EV_INT, call.ns_ino, EV_OPTIONAL, NULL),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field bpf_fields[] = {
	F("cmd_name", EV_NAME, call.arg0, EV_KEY, &ev_names_bpf_cmd),
	F("cmd", EV_INT, call.arg0, 0, NULL),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field module_fields[] = {
	F("call", EV_NAME, call.arg0, 0, &ev_names_module_call),
	F("params", EV_STR, call.str, EV_KEY, NULL),
	F("fd", EV_INT, call.arg1, EV_OPTIONAL, NULL),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field memfd_fields[] = {
	F("name", EV_STR, call.str, EV_KEY, NULL),
	F("flags", EV_FLAGS, call.arg0, 0, &ev_names_memfd_flags),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field socket_fields[] = {
	F("family", EV_NAME, call.arg0, EV_KEY, &ev_names_sock_family),
	F("sock_type", EV_NAME, call.arg1, 0, &ev_names_sock_type),
	F("protocol", EV_INT, call.arg2, 0, NULL),
	F("fd", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field mount_fields[] = {
	F("target", EV_STR, call.str, EV_KEY, NULL),
	F("flags", EV_FLAGS, call.arg0, 0, &ev_names_mount_flags),
	F("ret", EV_INT, call.ret, 0, NULL),
};

static const struct ev_field cgroup_move_fields[] = {
	F("moved_pid", EV_INT, call.arg0, 0, NULL),
	F("to_cgroup", EV_STR, call.str, EV_KEY, NULL),
	F("to_cgroup_id", EV_UINT, call.arg1, 0, NULL),
};

static const struct ev_field mmap_exec_fields[] = {
	F("path", EV_STR, exec.path, EV_KEY, NULL),
	F("mprotect", EV_BOOL, exec.mprotect, 0, NULL),
	F("prot", EV_FLAGS, exec.prot, 0, &ev_names_prot),
	F("memfd", EV_BOOL, exec.memfd, 0, NULL),
	F("written", EV_BOOL, exec.written, EV_OPTIONAL, NULL),
	F("writer_pid", EV_UINT, exec.writer_pid, EV_OPTIONAL, NULL),
	F("writer_cgroup_id", EV_UINT, exec.writer_cgroup, EV_OPTIONAL, NULL),
	F("written_how", EV_FLAGS, exec.written_how, EV_OPTIONAL, &ev_names_written_how),
	F("written_ns", EV_UINT, exec.written_ns, EV_OPTIONAL, NULL),
	F("ino", EV_UINT, exec.ino, EV_OPTIONAL, NULL),
};

static const struct ev_field rename_fields[] = {
	F("path", EV_STR, link.path, EV_KEY, NULL),
	F("old_path", EV_STR, link.target, 0, NULL),
	F("exchange", EV_BOOL, link.exchange, 0, NULL),
	F("ret", EV_INT, link.ret, 0, NULL),
};

static const struct ev_field net_io_fields[] = {
	NET_COMMON,
	ADDR("addr", "port", net.remote, EV_PEER),
	ADDR("local_addr", "local_port", net.local, 0),
	F("bytes", EV_UINT, net.bytes, EV_BYTES, NULL),
	F("from_file", EV_STR, net.from_path, EV_OPTIONAL, NULL),
	/* plaintext taken at a TLS library call: which one */
	F("tls", EV_NAME, net.tls, EV_OPTIONAL, &ev_names_tls_call),
	SAMPLE(net.data, net.data_len),
};

static const struct ev_field http_fields[] = {
	F("method", EV_STR, net.http_method, 0, NULL),
	F("path", EV_STR, net.http_path, EV_KEY, NULL),
	F("truncated", EV_BOOL, net.http_truncated, EV_OPTIONAL, NULL),
	NET_COMMON,
	ADDR("addr", "port", net.remote, EV_PEER),
	ADDR("local_addr", "local_port", net.local, 0),
};

static const struct ev_field file_read_fields[] = {
	F("path", EV_STR, open.path, EV_KEY, NULL),
	F("bytes", EV_UINT, open.size, EV_BYTES, NULL),
	SAMPLE(open.data, open.data_len),
};

#define ROW(kind, n, f) [kind] = { (n), (f), sizeof(f) / sizeof((f)[0]) }

static const struct ev_desc table[VIGIL_EV__MAX] = {
	ROW(VIGIL_EV_EXEC, "exec", exec_fields),
	ROW(VIGIL_EV_FORK, "fork", fork_fields),
	ROW(VIGIL_EV_EXIT, "exit", exit_fields),
	ROW(VIGIL_EV_OPEN, "open", open_fields),
	ROW(VIGIL_EV_SYMLINK, "symlink", link_fields),
	ROW(VIGIL_EV_LINK, "link", link_fields),
	ROW(VIGIL_EV_EXEC_WRITE, "exec_write", exec_write_fields),
	ROW(VIGIL_EV_CONNECT, "connect", conn_fields),
	ROW(VIGIL_EV_ACCEPT, "accept", conn_fields),
	ROW(VIGIL_EV_BIND, "bind", bind_fields),
	ROW(VIGIL_EV_LISTEN, "listen", bind_fields),
	ROW(VIGIL_EV_DNS, "dns", dns_fields),
	ROW(VIGIL_EV_TCP_STATE, "tcp_state", tcp_state_fields),
	ROW(VIGIL_EV_CAPABILITY, "capability", capability_fields),
	ROW(VIGIL_EV_SYSCALL, "syscall", syscall_fields),
	ROW(VIGIL_EV_IOURING_CREATE, "iouring_create", iouring_create_fields),
	ROW(VIGIL_EV_IOURING_OP, "iouring_op", iouring_op_fields),
	ROW(VIGIL_EV_PTRACE, "ptrace", ptrace_fields),
	ROW(VIGIL_EV_UNSHARE, "unshare", unshare_fields),
	ROW(VIGIL_EV_SETNS, "setns", setns_fields),
	ROW(VIGIL_EV_BPF, "bpf", bpf_fields),
	ROW(VIGIL_EV_MODULE, "module", module_fields),
	ROW(VIGIL_EV_MEMFD, "memfd", memfd_fields),
	ROW(VIGIL_EV_MOUNT, "mount", mount_fields),
	ROW(VIGIL_EV_SEND, "send", send_fields),
	ROW(VIGIL_EV_SOCKET, "socket", socket_fields),
	ROW(VIGIL_EV_CGROUP_MOVE, "cgroup_move", cgroup_move_fields),
	ROW(VIGIL_EV_MMAP_EXEC, "mmap_exec", mmap_exec_fields),
	ROW(VIGIL_EV_RENAME, "rename", rename_fields),
	ROW(VIGIL_EV_NETNS_CONNECT, "netns_connect", netns_connect_fields),
	ROW(VIGIL_EV_SETID, "setid", setid_fields),
	ROW(VIGIL_EV_ERASE, "erase", erase_fields),
	ROW(VIGIL_EV_HTTP, "http", http_fields),
	ROW(VIGIL_EV_NET_IO, "net_io", net_io_fields),
	ROW(VIGIL_EV_FILE_READ, "file_read", file_read_fields),
};

const struct ev_desc *ev_desc_of(enum vigil_event_kind kind)
{
	if ((int)kind <= 0 || kind >= VIGIL_EV__MAX || !table[kind].name)
		return NULL;
	return &table[kind];
}

const char *vigil_event_kind__name(enum vigil_event_kind kind)
{
	const struct ev_desc *d = ev_desc_of(kind);

	return d ? d->name : "unknown";
}

enum vigil_event_kind vigil_event_kind__from_name(const char *name)
{
	for (int k = 1; k < VIGIL_EV__MAX; k++) {
		if (table[k].name && !strcmp(table[k].name, name))
			return (enum vigil_event_kind)k;
	}
	return 0;
}

uint64_t ev_field_u64(const struct vigil_event *ev, const struct ev_field *f)
{
	const unsigned char *p = (const unsigned char *)ev + f->off;

	switch (f->size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return *(const uint16_t *)p;
	case 4:
		return *(const uint32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

int64_t ev_field_i64(const struct vigil_event *ev, const struct ev_field *f)
{
	const unsigned char *p = (const unsigned char *)ev + f->off;

	switch (f->size) {
	case 1:
		return *(const int8_t *)p;
	case 2:
		return *(const int16_t *)p;
	case 4:
		return *(const int32_t *)p;
	default:
		return *(const int64_t *)p;
	}
}

const char *ev_field_str(const struct vigil_event *ev, const struct ev_field *f)
{
	const char *s = *(const char *const *)((const unsigned char *)ev + f->off);

	return s ? s : "";
}

const struct vigil_sockaddr *ev_field_addr(const struct vigil_event *ev, const struct ev_field *f)
{
	return (const struct vigil_sockaddr *)((const unsigned char *)ev + f->off);
}
