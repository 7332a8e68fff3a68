// SPDX-License-Identifier: Apache-2.0
/*
 * Presentation: an alert and its event as the JSON objects of docs/ALERTS.md (workload,
 * process, event with names for flags, protocols, DNS types, ptrace requests).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <arpa/inet.h>
#include "sensor/detect/detect_internal.h"
#include "vigil/detect_paths.h"

const char *vigil_format_time_ns(uint64_t realtime_ns, char *buf, size_t size)
{
	time_t sec = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;
	char date[32];

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09lluZ", date, (unsigned long long)(realtime_ns % 1000000000ULL));
	return buf;
}

static const char *k8s_or(const struct binding *b, int i, const char *dflt)
{
	return b && b->k8s[i] ? b->k8s[i] : dflt;
}

static json_t *workload_json(const struct vigil_workload *w, const struct binding *b)
{
	const char *known_name = b ? b->wl_name : NULL, *image = b ? b->wl_image : NULL;
	const char *cid, *cgroup, *name;
	json_t *o;

	if (!w)
		return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", "", "name", "",
				 "cgroup", "", "container_id", "", "container_name", "", "pod", "",
				 "namespace", "", "image", "");
	cid = w->container_id ? w->container_id : "";
	cgroup = w->cgroup_path ? w->cgroup_path : "";
	name = known_name ? known_name : (w->name && w->name[0] ? w->name : cgroup);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", cid[0] ? cid : cgroup, "name",
		      name, "cgroup", cgroup, "container_id", cid, "container_name",
		      k8s_or(b, K8S_CNAME, cid[0] ? name : ""), "pod", k8s_or(b, K8S_POD, ""),
		      "namespace", k8s_or(b, K8S_NS, ""), "image", image ? image : "", "runtime",
		      k8s_or(b, K8S_RUNTIME, w->runtime ? w->runtime : ""));
	/* Kubernetes only: the pod's uid and the controller whose profile it shares */
	if (o && b && b->k8s[K8S_UID])
		json_object_set_new(o, "pod_uid", json_string(b->k8s[K8S_UID]));
	if (o && b && b->k8s[K8S_KIND]) {
		json_object_set_new(o, "workload_kind", json_string(b->k8s[K8S_KIND]));
		json_object_set_new(o, "workload_name", json_string(k8s_or(b, K8S_WNAME, "")));
	}
	return o;
}

static json_t *process_json(const struct vigil_process *p)
{
	json_t *args, *o;

	if (!p)
		return json_pack("{s:i,s:i,s:s,s:s,s:[],s:i,s:i}", "pid", 0, "ppid", 0, "comm", "",
				 "exe", "", "args", "uid", 0, "gid", 0);
	args = json_array();
	for (uint32_t i = 0; args && p->argv && i < p->argc; i++)
		json_array_append_new(args, json_string(p->argv[i] ? p->argv[i] : ""));
	o = json_pack("{s:I,s:I,s:s%,s:s,s:o,s:I,s:I}", "pid", (json_int_t)p->pid, "ppid",
		      (json_int_t)p->ppid, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)),
		      "exe", p->exe ? p->exe : "", "args", args ? args : json_array(), "uid",
		      (json_int_t)p->uid, "gid", (json_int_t)p->gid);
	if (o && p->args_truncated)
		json_object_set_new(o, "args_truncated", json_true());
	if (o && p->cwd)
		json_object_set_new(o, "cwd", json_string(p->cwd));
	return o;
}

void detect_format_addr(const struct vigil_sockaddr *a, char *buf, size_t size)
{
	if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->addr, buf, (socklen_t)size);
	else if (a->family == AF_INET)
		inet_ntop(AF_INET, a->addr, buf, (socklen_t)size);
	else if (a->family == AF_UNIX)
		snprintf(buf, size, "%s", a->unix_path ? a->unix_path : "");
	else
		snprintf(buf, size, "%s", "");
}

const char *detect_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	default:
		return "";
	}
}

static const char *qtype_name(uint16_t qtype, char *buf, size_t size)
{
	static const struct {
		uint16_t t;
		const char *name;
	} names[] = { { 1, "A" },    { 2, "NS" },     { 5, "CNAME" }, { 6, "SOA" },
		      { 12, "PTR" }, { 15, "MX" },    { 16, "TXT" },  { 28, "AAAA" },
		      { 33, "SRV" }, { 65, "HTTPS" }, { 255, "ANY" } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].t == qtype)
			return names[i].name;
	}
	snprintf(buf, size, "%u", qtype);
	return buf;
}

static json_t *clone_flags_json(uint64_t flags)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ 0x00020000, "CLONE_NEWNS" },	 { 0x02000000, "CLONE_NEWCGROUP" },
		{ 0x04000000, "CLONE_NEWUTS" },	 { 0x08000000, "CLONE_NEWIPC" },
		{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
		{ 0x40000000, "CLONE_NEWNET" },	 { 0x00000080, "CLONE_NEWTIME" },
		{ 0x00000200, "CLONE_FILES" },	 { 0x00000400, "CLONE_FS" },
		{ 0x00000800, "CLONE_SYSVSEM" },
	};
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].bit)
			json_array_append_new(a, json_string(names[i].name));
	}
	return a ? a : json_array();
}

static const char *ptrace_name(int64_t req)
{
	switch (req) {
	case 0:
		return "PTRACE_TRACEME";
	case 1:
		return "PTRACE_PEEKTEXT";
	case 2:
		return "PTRACE_PEEKDATA";
	case 4:
		return "PTRACE_POKETEXT";
	case 5:
		return "PTRACE_POKEDATA";
	case 12:
		return "PTRACE_GETREGS";
	case 13:
		return "PTRACE_SETREGS";
	case 16:
		return "PTRACE_ATTACH";
	case 17:
		return "PTRACE_DETACH";
	case 0x4206:
		return "PTRACE_SEIZE";
	default:
		return "";
	}
}

json_t *detect_event_json(const struct vigil_event *ev)
{
	const char *type = vigil_event_kind__name(ev->kind);
	json_t *o = json_pack("{s:s}", "type", type ? type : "");
	char addr[INET6_ADDRSTRLEN + 1], num[16];

	if (!o)
		return NULL;
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		json_object_set_new(o, "path", json_string(ev->exec.path ? ev->exec.path : ""));
		json_object_set_new(o, "upper_layer", json_boolean(ev->exec.upper_layer));
		json_object_set_new(o, "memfd", json_boolean(ev->exec.memfd));
		json_object_set_new(o, "dev_shm", json_boolean(ev->exec.dev_shm));
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE: {
		const char *names[VIGIL_OPEN_FLAGS_MAX];
		size_t n = vigil_open_flag_names(ev->open.flags, names, VIGIL_OPEN_FLAGS_MAX);
		json_t *flags = json_array();

		for (size_t i = 0; flags && i < n; i++)
			json_array_append_new(flags, json_string(names[i]));
		json_object_set_new(o, "path", json_string(ev->open.path ? ev->open.path : ""));
		json_object_set_new(o, "flags", flags ? flags : json_array());
		json_object_set_new(o, "ret", json_integer(ev->open.ret));
		break;
	}
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
		json_object_set_new(o, "proto", json_string(detect_proto_name(ev->net.proto)));
		json_object_set_new(o, "direction",
				    json_string(ev->net.direction == VIGIL_DIR_INBOUND ? "inbound"
						: ev->net.direction == VIGIL_DIR_OUTBOUND
							? "outbound"
							: ""));
		detect_format_addr(&ev->net.remote, addr, sizeof(addr));
		json_object_set_new(o, "addr", json_string(addr));
		json_object_set_new(o, "port", json_integer(ev->net.remote.port));
		detect_format_addr(&ev->net.local, addr, sizeof(addr));
		json_object_set_new(o, "local_addr", json_string(addr));
		json_object_set_new(o, "local_port", json_integer(ev->net.local.port));
		break;
	case VIGIL_EV_DNS:
		json_object_set_new(o, "domain", json_string(ev->dns.name ? ev->dns.name : ""));
		json_object_set_new(o, "qtype",
				    json_string(qtype_name(ev->dns.qtype, num, sizeof(num))));
		break;
	case VIGIL_EV_CAPABILITY:
		json_object_set_new(o, "capability", json_string(ev->cap.name ? ev->cap.name : ""));
		break;
	case VIGIL_EV_SYSCALL:
		json_object_set_new(o, "syscall",
				    json_string(ev->syscall.name ? ev->syscall.name : ""));
		json_object_set_new(o, "nr", json_integer(ev->syscall.nr));
		break;
	case VIGIL_EV_IOURING_OP:
	case VIGIL_EV_IOURING_CREATE:
		json_object_set_new(o, "opcode", json_integer(ev->iouring.opcode));
		json_object_set_new(o, "op",
				    json_string(ev->iouring.opname ? ev->iouring.opname : ""));
		if (ev->iouring.path)
			json_object_set_new(o, "path", json_string(ev->iouring.path));
		break;
	case VIGIL_EV_PTRACE:
		json_object_set_new(o, "request", json_integer(ev->call.arg0));
		json_object_set_new(o, "request_name", json_string(ptrace_name(ev->call.arg0)));
		json_object_set_new(o, "target_pid", json_integer(ev->call.arg1));
		break;
	case VIGIL_EV_UNSHARE:
		json_object_set_new(o, "flags", clone_flags_json((uint64_t)ev->call.arg0));
		break;
	case VIGIL_EV_SETNS:
		json_object_set_new(o, "flags", clone_flags_json((uint64_t)ev->call.arg1));
		break;
	case VIGIL_EV_BPF:
		json_object_set_new(o, "cmd", json_integer(ev->call.arg0));
		json_object_set_new(o, "cmd_name",
				    json_string(ev->call.arg0 == 5 ? "BPF_PROG_LOAD" : ""));
		break;
	case VIGIL_EV_MODULE:
	case VIGIL_EV_MEMFD:
		json_object_set_new(o, "name", json_string(ev->call.str ? ev->call.str : ""));
		break;
	default:
		break;
	}
	if (ev->via_iouring)
		json_object_set_new(o, "via_iouring", json_true());
	return o;
}

json_t *detect_alert_json(const struct vigil_rule *r, const struct vigil_workload *w,
			  const struct binding *b, const struct vigil_process *proc, json_t *event,
			  json_t *profile, const char *key, uint64_t time_ns, uint64_t repeats,
			  const char *message)
{
	char when[48];

	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:{s:s,s:s},s:o,s:o,s:o,s:o,s:s,s:I}", "time",
			 vigil_format_time_ns(time_ns, when, sizeof(when)), "rule_id", r->id,
			 "rule_name", r->name, "severity", r->severity, "message", message, "mitre",
			 "tactic", r->tactic, "technique", r->technique, "workload",
			 workload_json(w, b), "process", process_json(proc), "event",
			 event ? event : json_object(), "profile", profile ? profile : json_null(),
			 "key", key ? key : "", "repeats", (json_int_t)repeats);
}
