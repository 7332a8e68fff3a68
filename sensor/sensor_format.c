// SPDX-License-Identifier: Apache-2.0
/* Event formatting: one JSON object (jansson) or one readable line per event. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "util/buf.h"
#include "vigil/sensor.h"

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 0 ? "" : "other";
}

static const char *family_name(uint16_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : f == AF_UNIX ? "unix" : "";
}

static void addr_text(const struct vigil_sockaddr *a, char *out, size_t size)
{
	out[0] = '\0';
	if (a->family == AF_INET)
		inet_ntop(AF_INET, a->addr, out, (socklen_t)size);
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->addr, out, (socklen_t)size);
	else if (a->family == AF_UNIX && a->unix_path)
		snprintf(out, size, "%s", a->unix_path);
}

static json_t *sockaddr_json(const struct vigil_sockaddr *a)
{
	char txt[128];

	addr_text(a, txt, sizeof(txt));
	return json_pack("{s:s, s:s, s:i}", "family", family_name(a->family), "addr", txt, "port",
			 (int)a->port);
}

const char *vigil_tcp_state_name(unsigned s)
{
	static const char *const names[] = {
		"",	     "ESTABLISHED", "SYN_SENT",	   "SYN_RECV",	 "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT",   "CLOSE",	   "CLOSE_WAIT", "LAST_ACK",
		"LISTEN",    "CLOSING",	    "NEW_SYN_RECV"
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "";
}

static void time_text(uint64_t ns, char *out, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%09lluZ", base, (unsigned long long)(ns % 1000000000ull));
}

/* A zoom payload/content sample as "sample_hex" (binary-safe) and "sample_len". */
static void set_sample(json_t *o, const uint8_t *d, uint32_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *h;

	json_object_set_new(o, "sample_len", json_integer(d ? len : 0));
	if (!d || !len)
		return;
	h = malloc((size_t)len * 2 + 1);
	if (!h)
		return;
	for (uint32_t i = 0; i < len; i++) {
		h[2 * i] = hex[d[i] >> 4];
		h[2 * i + 1] = hex[d[i] & 15];
	}
	h[2 * len] = '\0';
	json_object_set_new(o, "sample_hex", json_string(h));
	free(h);
}

static json_t *event_fields(const struct vigil_event *ev)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(vigil_event_kind__name(ev->kind)));
	if (ev->via_iouring)
		json_object_set_new(o, "via_iouring", json_true());
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		json_object_set_new(o, "path", json_string(ev->exec.path));
		json_object_set_new(o, "upper_layer", json_boolean(ev->exec.upper_layer));
		json_object_set_new(o, "memfd", json_boolean(ev->exec.memfd));
		json_object_set_new(o, "dev_shm", json_boolean(ev->exec.dev_shm));
		if (ev->exec.ino) {
			/* the executable's identity as the kernel ran it */
			json_object_set_new(o, "ino", json_integer((json_int_t)ev->exec.ino));
			json_object_set_new(o, "size", json_integer((json_int_t)ev->exec.size));
			json_object_set_new(o, "ctime_ns",
					    json_integer((json_int_t)ev->exec.ctime_ns));
			json_object_set_new(o, "mtime_ns",
					    json_integer((json_int_t)ev->exec.mtime_ns));
		}
		break;
	case VIGIL_EV_EXIT:
		json_object_set_new(o, "code", json_integer(ev->exit.code));
		break;
	case VIGIL_EV_FORK:
		json_object_set_new(o, "child_pid", json_integer(ev->fork.child_pid));
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE:
	case VIGIL_EV_FILE_READ:
		json_object_set_new(o, "path", json_string(ev->open.path ? ev->open.path : ""));
		json_object_set_new(o, "flags", json_integer(ev->open.flags));
		json_object_set_new(o, "ret", json_integer(ev->open.ret));
		if (ev->open.truncated)
			json_object_set_new(o, "truncated", json_true());
		if (ev->open.aliased)
			json_object_set_new(o, "aliased", json_true());
		if (ev->kind == VIGIL_EV_FILE_READ) {
			json_object_set_new(o, "size", json_integer((json_int_t)ev->open.size));
			set_sample(o, ev->open.data, ev->open.data_len);
		}
		break;
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
		json_object_set_new(o, "path", json_string(ev->link.path ? ev->link.path : ""));
		json_object_set_new(o, "target",
				    json_string(ev->link.target ? ev->link.target : ""));
		break;
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
	case VIGIL_EV_TCP_STATE:
	case VIGIL_EV_NET_IO:
		json_object_set_new(o, "proto", json_string(proto_name(ev->net.proto)));
		json_object_set_new(o, "direction",
				    json_string(ev->net.direction == VIGIL_DIR_OUTBOUND ? "outbound"
						: ev->net.direction == VIGIL_DIR_INBOUND ? "inbound"
											 : ""));
		json_object_set_new(o, "local", sockaddr_json(&ev->net.local));
		json_object_set_new(o, "remote", sockaddr_json(&ev->net.remote));
		json_object_set_new(o, "ret", json_integer(ev->net.ret));
		if (ev->kind == VIGIL_EV_TCP_STATE) {
			json_object_set_new(o, "old_state",
					    json_string(vigil_tcp_state_name(ev->net.old_state)));
			json_object_set_new(o, "new_state",
					    json_string(vigil_tcp_state_name(ev->net.new_state)));
		}
		if (ev->kind == VIGIL_EV_NET_IO) {
			json_object_set_new(o, "bytes", json_integer((json_int_t)ev->net.bytes));
			set_sample(o, ev->net.data, ev->net.data_len);
		}
		break;
	case VIGIL_EV_DNS:
		json_object_set_new(o, "domain", json_string(ev->dns.name));
		json_object_set_new(o, "qtype", json_integer(ev->dns.qtype));
		json_object_set_new(o, "server", sockaddr_json(&ev->dns.server));
		break;
	case VIGIL_EV_CAPABILITY:
		json_object_set_new(o, "capability", json_string(ev->cap.name));
		json_object_set_new(o, "cap", json_integer(ev->cap.cap));
		json_object_set_new(o, "ret", json_integer(ev->cap.ret));
		break;
	case VIGIL_EV_SYSCALL:
		json_object_set_new(o, "syscall", json_string(ev->syscall.name));
		json_object_set_new(o, "nr", json_integer(ev->syscall.nr));
		break;
	case VIGIL_EV_IOURING_CREATE:
		json_object_set_new(o, "sq_entries", json_integer(ev->iouring.sq_entries));
		break;
	case VIGIL_EV_IOURING_OP:
		json_object_set_new(o, "opcode", json_integer(ev->iouring.opcode));
		json_object_set_new(o, "opname", json_string(ev->iouring.opname));
		json_object_set_new(o, "path",
				    json_string(ev->iouring.path ? ev->iouring.path : ""));
		if (ev->iouring.addr.family)
			json_object_set_new(o, "addr", sockaddr_json(&ev->iouring.addr));
		break;
	default:
		json_object_set_new(o, "arg0", json_integer(ev->call.arg0));
		json_object_set_new(o, "arg1", json_integer(ev->call.arg1));
		json_object_set_new(o, "str", json_string(ev->call.str ? ev->call.str : ""));
		json_object_set_new(o, "ret", json_integer(ev->call.ret));
		break;
	}
	return o;
}

char *vigil_event__to_json(const struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	const struct vigil_workload *w = ev->workload;
	json_t *o, *args = json_array();
	char ts[48];
	char *out;

	for (uint32_t i = 0; p && i < p->argc; i++)
		json_array_append_new(args, json_string(p->argv[i]));
	time_text(ev->time_ns, ts, sizeof(ts));
	o = json_pack("{s:s, s:s, s:{s:I, s:s, s:s, s:s, s:s, s:I}, "
		      "s:{s:i, s:i, s:i, s:s, s:s, s:o, s:b, s:s, s:i, s:i, s:I}}",
		      "time", ts, "kind", vigil_event_kind__name(ev->kind), "workload", "cgroup_id",
		      (json_int_t)w->cgroup_id, "cgroup", w->cgroup_path ? w->cgroup_path : "",
		      "container_id", w->container_id ? w->container_id : "", "runtime",
		      w->runtime ? w->runtime : "", "name", w->name ? w->name : "", "mntns",
		      (json_int_t)w->mntns, "process", "pid", (int)p->pid, "tid", (int)p->tid,
		      "ppid", (int)p->ppid, "comm", p->comm, "exe", p->exe ? p->exe : "", "args",
		      args, "args_truncated", p->args_truncated, "cwd", p->cwd ? p->cwd : "", "uid",
		      (int)p->uid, "gid", (int)p->gid, "start_ns", (json_int_t)p->start_ns);
	if (!o)
		return NULL;
	json_object_set_new(o, "event", event_fields(ev));
	out = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return out;
}

int vigil_event__format_line(const struct vigil_event *ev, char *buf, size_t size)
{
	const struct vigil_process *p = ev->proc;
	char ts[48], detail[1024], a[128], b[128];
	time_t secs = (time_t)(ev->time_ns / 1000000000ull);
	struct tm tm;
	int n;

	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	detail[0] = '\0';
	switch (ev->kind) {
	case VIGIL_EV_EXEC: {
		struct vigil_buf args = VIGIL_BUF_INIT;

		for (uint32_t i = 0; i < p->argc && i < 16; i++)
			vigil_buf__printf(&args, "%s%s", i ? " " : "", p->argv[i]);
		snprintf(detail, sizeof(detail), "%s [%s]%s%s", ev->exec.path,
			 args.data ? args.data : "", ev->exec.upper_layer ? " upper-layer" : "",
			 ev->exec.memfd ? " memfd" : "");
		vigil_buf__release(&args);
		break;
	}
	case VIGIL_EV_EXIT:
		snprintf(detail, sizeof(detail), "code=%d", ev->exit.code);
		break;
	case VIGIL_EV_FORK:
		snprintf(detail, sizeof(detail), "child=%u", ev->fork.child_pid);
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE:
		snprintf(detail, sizeof(detail), "%s flags=0%o ret=%d", ev->open.path,
			 ev->open.flags, ev->open.ret);
		break;
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
		snprintf(detail, sizeof(detail), "%s -> %s", ev->link.path, ev->link.target);
		break;
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
	case VIGIL_EV_TCP_STATE:
		addr_text(&ev->net.local, a, sizeof(a));
		addr_text(&ev->net.remote, b, sizeof(b));
		snprintf(detail, sizeof(detail), "%s %s:%u -> %s:%u ret=%d%s%s%s",
			 proto_name(ev->net.proto), a, ev->net.local.port, b, ev->net.remote.port,
			 ev->net.ret, ev->kind == VIGIL_EV_TCP_STATE ? " " : "",
			 ev->kind == VIGIL_EV_TCP_STATE ? vigil_tcp_state_name(ev->net.old_state)
							: "",
			 ev->kind == VIGIL_EV_TCP_STATE ? "->" : "");
		if (ev->kind == VIGIL_EV_TCP_STATE)
			snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "%s",
				 vigil_tcp_state_name(ev->net.new_state));
		break;
	case VIGIL_EV_NET_IO:
		addr_text(&ev->net.remote, b, sizeof(b));
		snprintf(detail, sizeof(detail), "%s %s %s:%u bytes=%llu sample=%u",
			 proto_name(ev->net.proto),
			 ev->net.direction == VIGIL_DIR_OUTBOUND ? "->" : "<-", b,
			 ev->net.remote.port, (unsigned long long)ev->net.bytes, ev->net.data_len);
		break;
	case VIGIL_EV_FILE_READ:
		snprintf(detail, sizeof(detail), "%s bytes=%llu sample=%u", ev->open.path,
			 (unsigned long long)ev->open.size, ev->open.data_len);
		break;
	case VIGIL_EV_DNS:
		snprintf(detail, sizeof(detail), "%s qtype=%u", ev->dns.name, ev->dns.qtype);
		break;
	case VIGIL_EV_CAPABILITY:
		snprintf(detail, sizeof(detail), "%s ret=%d", ev->cap.name, ev->cap.ret);
		break;
	case VIGIL_EV_SYSCALL:
		snprintf(detail, sizeof(detail), "%s (%d)", ev->syscall.name, ev->syscall.nr);
		break;
	case VIGIL_EV_IOURING_CREATE:
		snprintf(detail, sizeof(detail), "sq_entries=%u", ev->iouring.sq_entries);
		break;
	case VIGIL_EV_IOURING_OP:
		addr_text(&ev->iouring.addr, a, sizeof(a));
		snprintf(detail, sizeof(detail), "%s (%d)%s%s%s%s", ev->iouring.opname,
			 ev->iouring.opcode, ev->iouring.path && ev->iouring.path[0] ? " " : "",
			 ev->iouring.path ? ev->iouring.path : "", a[0] ? " " : "", a);
		break;
	default:
		snprintf(detail, sizeof(detail), "arg0=%lld arg1=%lld %s ret=%d",
			 (long long)ev->call.arg0, (long long)ev->call.arg1,
			 ev->call.str ? ev->call.str : "", ev->call.ret);
		break;
	}
	n = snprintf(buf, size, "%s %-10s %-7u %-16s %s%s %s", ts, vigil_event_kind__name(ev->kind),
		     p->pid, p->comm, ev->workload->name ? ev->workload->name : "",
		     ev->via_iouring ? " (io_uring)" : "", detail);
	return n < 0 ? -EINVAL : n;
}
