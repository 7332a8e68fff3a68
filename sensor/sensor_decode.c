// SPDX-License-Identifier: Apache-2.0
/*
 * Decoding: a raw record (bpf/sensor_abi.h) into struct vigil_event: its strings (paths
 * written leaf first by the kernel's walk, raw user strings, argv and payload bytes) and its
 * kind's numbers and names.
 */
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sensor/sensor_state.h"
#include "sensor/zoom_capture.h"
#include "util/path.h"
#include "util/strutil.h"
#include "vigil/detect_paths.h"

static void decode_sockaddr(struct vigil_sockaddr *out, const struct vg_sockaddr *in,
			    const char *unix_path)
{
	out->family = in->family;
	out->port = in->port;
	memcpy(out->addr, in->addr, sizeof(out->addr));
	out->unix_path = in->family == 1 ? unix_path : NULL;
}

/*
 * The path of string idx. A path the kernel walked from the file (VG_STR_PATH) is already the
 * file's. A string as the program wrote it (a failed open, a link name) is joined with the
 * directory it was relative to (string diridx) and normalised lexically, so that /./etc/x,
 * //etc/x, /etc/../etc/x and x relative to /etc are one path. *ret_cut: the path is not
 * whole (the kernel cut a string, or a relative path has no known directory).
 */
static const char *resolved_path(struct vigil_sensor *s, const struct vg_event *e, char *out,
				 size_t size, int idx, int diridx, bool *ret_cut)
{
	int fmt = (e->str_fmt >> (idx * 2)) & 3;
	const char *in = s->str[idx];
	bool cut = false;

	*ret_cut = e->flags & VG_F_TRUNC;
	if (fmt == VG_STR_PATH || !in[0])
		return in;
	if (in[0] != '/' && e->str_len[diridx]) {
		vigil_path__join(s->str[diridx], in, s->path2, sizeof(s->path2));
		in = s->path2;
	}
	vigil_path_normalize(in, strlen(in), out, size, &cut);
	*ret_cut |= cut;
	return out;
}

int sensor_decode_strings(struct vigil_sensor *s, const struct vg_event *e, size_t size)
{
	size_t off = 0, avail = size - VG_EVENT_HDR_SIZE;

	for (int i = 0; i < VG_NSTR; i++) {
		size_t len = e->str_len[i];
		int fmt = (e->str_fmt >> (i * 2)) & 3;
		const char *src = (const char *)e->data + off;

		s->str[i][0] = '\0';
		if (!len)
			continue;
		if (off + len > avail || len > VG_STR_MAX)
			return -EINVAL;
		if (fmt == VG_STR_PATH) {
			if ((e->flags & VG_F_PSEUDO) && i == 0) {
				size_t l = strnlen(src, len);

				memcpy(s->str[i], src, l); /* len <= VG_STR_MAX < STR_BUF */
				s->str[i][l] = '\0';
			} else {
				vigil_path__from_components(src, len, s->str[i], STR_BUF);
			}
		} else if (fmt == VG_STR_RAW) {
			size_t l = strnlen(src, len);

			memcpy(s->str[i], src, l);
			s->str[i][l] = '\0';
		} else {
			memcpy(s->str[i], src, len); /* ARGV/BYTES: binary, length in str_len */
		}
		off += len;
	}
	return 0;
}

/*
 * The exec's dynamic-linker hook variable (R1011), from the new program's environment as
 * /proc/PID/environ has it now: a process that is already gone is not known (NULL), as in
 * Kubescape. Only the first ENV_MAX bytes are read: a hook hidden behind 32 KiB of padding
 * is missed (the kernel's own copy at exec has no such bound).
 */
static const char *read_ld_hook(struct vigil_sensor *s, uint32_t pid)
{
	enum {
		ENV_MAX = 32768
	};
	char buf[ENV_MAX];
	char file[40];
	const char *name;
	size_t len = 0;
	ssize_t n;
	int fd;

	s->ld_hook[0] = '\0';
	s->history_off[0] = '\0';
	if (s->offline || !pid)
		return NULL;
	snprintf(file, sizeof(file), "/proc/%u/environ", pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	vigil_env_history_off(buf, len, s->history_off, sizeof(s->history_off));
	name = vigil_env_ld_hook(buf, len);
	if (!name)
		return NULL;
	vigil_strlcpy(s->ld_hook, name, sizeof(s->ld_hook));
	return s->ld_hook;
}

/* exec: the process entry takes the new exe, cwd and argv; where it ran from. */
static void decode_exec(struct vigil_sensor *s, const struct vg_event *e,
			struct vigil_proc_entry *p, struct vigil_event *ev)
{
	const char *exe = s->str[0];

	/* who started it: the parent process's program. Not the exe this process ran before
	 * the exec: a launcher that execs in place (`#!/usr/bin/env bash`, setpriv, nice)
	 * did not start anything, its parent did. The table knows the parent when it was seen
	 * (it is still there: events come in order, its exit after this exec); else /proc
	 * while it lives; else what this process ran before (a fork inherits its parent's). */
	s->parent_exe[0] = '\0';
	if (e->ppid) {
		const struct vigil_proc_entry *pp = vigil_proc_table__find_pid(s->procs, e->ppid);

		if (pp && pp != p && pp->proc.exe)
			vigil_strlcpy(s->parent_exe, pp->proc.exe, sizeof(s->parent_exe));
	}
	if (!s->parent_exe[0] && e->ppid && !s->offline) {
		char link[40];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%u/exe", e->ppid);
		n = readlink(link, s->parent_exe, sizeof(s->parent_exe) - 1);
		s->parent_exe[n > 0 ? n : 0] = '\0';
	}
	if (!s->parent_exe[0] && p && p->proc.exe)
		vigil_strlcpy(s->parent_exe, p->proc.exe, sizeof(s->parent_exe));
	ev->exec.parent_exe = s->parent_exe;
	ev->exec.ld_hook = read_ld_hook(s, e->pid);
	ev->exec.history_off = s->history_off;
	if (p)
		vigil_proc_entry__set_exec(p, exe, s->str[2], s->str[1], e->str_len[1],
					   e->flags & VG_F_ARGS_TRUNC);
	ev->exec.path = p ? p->proc.exe : exe;
	ev->exec.upper_layer = e->flags & VG_F_UPPER;
	ev->exec.memfd = e->flags & VG_F_MEMFD;
	ev->exec.setid = e->xflags & VG_X_SETID;
	ev->exec.ino = (uint64_t)e->arg[1];
	ev->exec.ctime_ns = (uint64_t)e->arg[2];
	ev->exec.size = (uint64_t)e->arg[3];
	ev->exec.mtime_ns = (uint64_t)e->arg[4];
	ev->exec.dev_shm = vigil_str_has_prefix(ev->exec.path, "/dev/shm/") ||
			   vigil_str_has_prefix(s->str[2], "/dev/shm") ||
			   (p && p->proc.argc && vigil_str_has_prefix(p->argv[0], "/dev/shm/"));
	sensor_exec_drift(s, e, ev);
	sensor_exec_entered(s, e, ev);
}

/* What enforcement did at the hook (exec, open, connect, send, io_uring op). */
static void decode_action(const struct vg_event *e, struct vigil_event *ev)
{
	if (e->flags & VG_F_KILLED) {
		ev->action = VIGIL_ACTION_KILLED;
	} else if (e->flags & VG_F_WOULD_KILL) {
		ev->action = VIGIL_ACTION_WOULD_KILL;
		ev->action_reason = e->flags & VG_F_ENF_SPARED	? VIGIL_ACTION_PROTECTED
				    : e->flags & VG_F_ENF_OFF	? VIGIL_ACTION_SWITCH_OFF
				    : e->flags & VG_F_ENF_LIMIT ? VIGIL_ACTION_RATE_LIMIT
								: VIGIL_ACTION_DRY_RUN;
	}
}

/* fork: the child inherits the parent's exe, cwd and argv. */
static void decode_fork(struct vigil_sensor *s, const struct vg_event *e,
			struct vigil_proc_entry *p, struct vigil_event *ev)
{
	bool created = false;
	struct vigil_proc_entry *c =
		vigil_proc_table__get(s->procs, (uint32_t)e->arg[0], (uint64_t)e->arg[1], &created);

	ev->fork.child_pid = (uint32_t)e->arg[0];
	if (c && p) {
		c = vigil_proc_table__find(s->procs, (uint32_t)e->arg[0], (uint64_t)e->arg[1]);
		p = vigil_proc_table__find(s->procs, e->pid, e->start_ns);
		if (c && p && created) {
			vigil_proc_entry__inherit(c, p);
			c->proc.ppid = e->pid;
			c->proc.uid = e->uid;
			c->proc.gid = e->gid;
			c->proc.euid = e->euid;
			memcpy(c->proc.comm, p->proc.comm, sizeof(c->proc.comm));
		}
		ev->proc = p ? &p->proc : &s->anon_proc;
	}
}

/*
 * The kernel's send calls are enum vigil_send_call's, number for number: every call is checked,
 * so a call added at different places in the two lists, or to one only, fails the build.
 */
#define SAME_SEND(c)                                            \
	_Static_assert((int)VG_SEND_##c == (int)VIGIL_SEND_##c, \
		       "enum vg_send_call and enum vigil_send_call differ at " #c);
VG_SEND_CALLS(SAME_SEND)
_Static_assert((int)VG_SEND__MAX == (int)VIGIL_SEND__MAX,
	       "enum vg_send_call and enum vigil_send_call have as many calls");

/* connect, accept, bind, listen, TCP state, send: protocol, direction, both addresses. */
static void decode_net(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	const char *up = s->str[0];

	ev->net.proto = (uint8_t)(e->kind == VG_EV_TCP_STATE ? e->arg[2] : e->arg[0]);
	ev->net.direction = e->arg[3] == VG_DIR_OUT  ? VIGIL_DIR_OUTBOUND
			    : e->arg[3] == VG_DIR_IN ? VIGIL_DIR_INBOUND
						     : VIGIL_DIR_NONE;
	decode_sockaddr(&ev->net.local, &e->sa[0], up);
	decode_sockaddr(&ev->net.remote, &e->sa[1], up);
	if (e->kind == VG_EV_BIND && e->sa[0].family == 1)
		ev->net.remote.unix_path = NULL;
	ev->net.ret = (int32_t)e->arg[1];
	ev->net.fd = (int32_t)e->arg[2];
	if (e->kind == VG_EV_TCP_STATE) {
		ev->net.old_state = (uint16_t)e->arg[0];
		ev->net.new_state = (uint16_t)e->arg[1];
		ev->net.ret = 0;
		ev->net.fd = -1;
	}
	if (e->kind == VG_EV_SEND) {
		ev->net.call = (uint8_t)e->arg[4];
		ev->net.fastopen = (e->arg[5] & 0x20000000) != 0; /* MSG_FASTOPEN */
		ev->net.addr_from_memory = (e->arg[4] & VG_SEND_ADDR_USER) != 0;
	}
}

/* HTTP: the request line, after the bytes earlier calls brought (arg[4] of them, in arg[5],
 * first byte lowest: a request that came a few bytes at a time, bpf/http.bpf.c) */
static int decode_http(struct vigil_sensor *s, const struct vg_event *e)
{
	uint8_t line[4 + VG_HTTP_MAX];
	size_t pn = e->arg[4] > 0 && e->arg[4] <= 4 ? (size_t)e->arg[4] : 0;
	size_t n = e->str_len[0] < VG_HTTP_MAX ? e->str_len[0] : VG_HTTP_MAX;

	for (size_t i = 0; i < pn; i++)
		line[i] = (uint8_t)((uint64_t)e->arg[5] >> (8 * i));
	memcpy(line + pn, s->str[0], n);
	return vigil_http_request_parse(line, pn + n, &s->http);
}

/* io_uring: a ring created, or a request's opcode and what it works on. */
static void decode_iouring(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	if (e->kind == VG_EV_IOURING_CREATE) {
		ev->iouring.sq_entries = (uint32_t)e->arg[0];
		ev->iouring.opcode = -1;
		ev->iouring.opname = "";
		ev->iouring.path = "";
		return;
	}
	ev->iouring.opcode = (int32_t)e->arg[0];
	ev->iouring.opname = vigil_iouring_op_name((int)e->arg[0]);
	if (!ev->iouring.opname)
		ev->iouring.opname = "";
	/* the file or socket the request works on, when a plain descriptor */
	ev->iouring.path = s->str[0];
	decode_sockaddr(&ev->iouring.addr, &e->sa[1], NULL);
}

bool sensor_decode_more(struct vigil_sensor *s, struct vigil_event *ev)
{
	if (ev->kind != VIGIL_EV_DNS || s->dns_q_next >= s->dns_q_n)
		return false;
	ev->dns.name = s->dns_q[s->dns_q_next].name;
	ev->dns.qtype = s->dns_q[s->dns_q_next].qtype;
	ev->dns.desync = false;
	s->dns_q_next++;
	return true;
}

/* DNS over TCP: the write's bytes go into its socket's stream; each question the write
 * completed is an event (the first here, the others by sensor_decode_more). A write that
 * completed none (a length prefix alone, part of a message) makes no event. */
static int decode_dns_tcp(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	uint8_t buf[2 * (VG_DNS_MAX + 2)];
	size_t n0 = e->str_len[0], n1 = e->str_len[1];
	bool lost = false;

	if (n0 > VG_DNS_MAX + 2 || n1 > VG_DNS_MAX + 2)
		return -EINVAL;
	if (!s->dns_streams && !(s->dns_streams = vigil_dns_streams__new()))
		return -ENOMEM;
	memcpy(buf, s->str[0], n0);
	memcpy(buf + n0, s->str[1], n1);
	s->dns_q_n = vigil_dns_streams__feed(s->dns_streams, (uint64_t)e->arg[4], buf, n0 + n1,
					     (uint64_t)e->arg[1], s->dns_q,
					     VIGIL_DNS_STREAM_QUESTIONS, &lost);
	ev->dns.tcp = true;
	/* eviction cut the stream inside a message: said first (the workload is named by its
	 * alert), then what this write still gave */
	if (lost) {
		ev->dns.name = "";
		ev->dns.desync = true;
		return 0;
	}
	return sensor_decode_more(s, ev) ? 0 : -EINVAL;
}

int sensor_decode(struct vigil_sensor *s, const struct vg_event *e, struct vigil_proc_entry *p,
		  struct vigil_event *ev)
{
	decode_action(e, ev);
	switch (e->kind) {
	case VG_EV_EXEC:
		decode_exec(s, e, p, ev);
		break;
	case VG_EV_FORK:
		decode_fork(s, e, p, ev);
		break;
	case VG_EV_MMAP_EXEC:
		ev->exec.path = s->str[0];
		ev->exec.memfd = e->flags & VG_F_MEMFD;
		ev->exec.prot = (uint32_t)e->arg[0];
		ev->exec.mprotect = e->arg[1] != 0;
		ev->exec.ino = (uint64_t)e->arg[2];
		sensor_written_mark(s, e, ev);
		break;
	case VG_EV_EXIT: {
		/* the kernel keeps a wait status: report it as a shell would */
		int32_t raw = (int32_t)e->arg[0];

		ev->exit.code = (raw & 0x7f) ? 128 + (raw & 0x7f) : (raw >> 8) & 0xff;
		break;
	}
	case VG_EV_OPEN:
	case VG_EV_EXEC_WRITE:
		ev->open.path =
			resolved_path(s, e, s->path, sizeof(s->path), 0, 1, &ev->open.truncated);
		ev->open.aliased = e->flags & VG_F_ALIAS;
		ev->open.dev = (uint32_t)e->arg[4];
		ev->open.ino = (uint64_t)e->arg[5];
		ev->open.ident = NULL;
		/* a renamed sensitive file is no longer at its path: named by what the kernel
		 * knew it by */
		if (ev->open.aliased && ev->open.ino)
			ev->open.ident =
				sensor_ident_name(s, e->cgroup_id, ev->open.dev, ev->open.ino);
		ev->open.flags = (uint32_t)e->arg[0];
		ev->open.ret = (int32_t)e->arg[1];
		if (e->kind == VG_EV_EXEC_WRITE)
			ev->open.flags = 0;
		break;
	case VG_EV_SYMLINK:
	case VG_EV_LINK:
	case VG_EV_RENAME: {
		bool cut;

		ev->link.path = resolved_path(s, e, s->path, sizeof(s->path), 0, 1, &cut);
		ev->link.target = s->str[2];
		ev->link.exchange = e->kind == VG_EV_RENAME && (e->arg[0] & 2 /* EXCHANGE */);
		ev->link.ret = (int32_t)e->arg[1];
		/* a relative old name comes joined to its directory (bpf/extract.bpf.h
		 * put_joined_path); one still relative is a descriptor's whose path could not be
		 * read: not joined (the detector takes a relative old name as the cwd's) */
		if (e->kind == VG_EV_RENAME && !e->arg[2] && s->str[2][0] != '/')
			ev->link.target = "";
		break;
	}
	case VG_EV_SETID:
	case VG_EV_ERASE: {
		bool cut;

		ev->attr.path = resolved_path(s, e, s->path, sizeof(s->path), 0, 1, &cut);
		sensor_decode_attr(s, e, ev);
		break;
	}
	case VG_EV_CONNECT:
	case VG_EV_ACCEPT:
	case VG_EV_BIND:
	case VG_EV_LISTEN:
	case VG_EV_TCP_STATE:
	case VG_EV_SEND:
	case VG_EV_NETNS_CONNECT:
		decode_net(s, e, ev);
		break;
	case VG_EV_HTTP:
		decode_net(s, e, ev);
		ev->net.ret = 0;
		/* the kernel checked the method only: a line that does not parse is not HTTP */
		if (decode_http(s, e))
			return -EINVAL;
		ev->net.http_method = s->http.method;
		ev->net.http_path = s->http.path;
		ev->net.http_truncated = s->http.truncated;
		break;
	case VG_EV_DNS:
		s->dns_q_n = s->dns_q_next = 0;
		decode_sockaddr(&ev->dns.server, &e->sa[1], NULL);
		if (e->arg[0] == IPPROTO_TCP)
			return decode_dns_tcp(s, e, ev);
		if (vigil_dns__parse_question((const uint8_t *)s->str[0], e->str_len[0],
					      s->dns_name, sizeof(s->dns_name), &ev->dns.qtype))
			return -EINVAL;
		ev->dns.name = s->dns_name;
		break;
	case VG_EV_CAPABILITY:
		ev->cap.cap = (int32_t)e->arg[0];
		ev->cap.name = vigil_capability_name((int)e->arg[0]);
		if (!ev->cap.name)
			ev->cap.name = "";
		ev->cap.ret = (int32_t)e->arg[1];
		break;
	case VG_EV_SYSCALL:
		ev->syscall.nr = (int32_t)e->arg[0];
		ev->syscall.name = vigil_syscall_name((int)e->arg[0]);
		if (!ev->syscall.name)
			ev->syscall.name = "";
		break;
	case VG_EV_IOURING_CREATE:
	case VG_EV_IOURING_OP:
		decode_iouring(s, e, ev);
		break;
	case VG_EV_NET_IO:
	case VG_EV_FILE_READ: {
		const char *const strs[VG_NSTR] = { s->str[0], s->str[1], s->str[2] };

		vigil_zoom_capture__decode(e, strs, ev);
		break;
	}
	default: /* sensitive calls */
		ev->call.arg0 = e->arg[0];
		ev->call.arg1 = e->arg[1];
		ev->call.arg2 = e->kind == VG_EV_SOCKET ? e->arg[2] : 0;
		ev->call.ret = (int32_t)e->arg[5];
		if (e->kind == VG_EV_SETNS) {
			ev->call.ns_joined = (uint32_t)e->arg[2];
			ev->call.ns_other = (uint32_t)(e->arg[2] >> 32);
			ev->call.ns_host = (uint32_t)e->arg[3];
			ev->call.ns_ino = (uint32_t)e->arg[4];
		}
		ev->call.str = s->str[0];
		break;
	}
	return 0;
}
