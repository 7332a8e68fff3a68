// SPDX-License-Identifier: Apache-2.0
/*
 * The rules by event kind: which events leave the bound profile, and as which rule. At most
 * one alert per event: the most specific rule wins (a memfd exec is R1005 and not also R0001).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "sensor/dns_stream.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"

static bool cluster_local(const char *name)
{
	return vigil_str_has_suffix(name, ".cluster.local") || vigil_str_has_suffix(name, ".svc") ||
	       !strcmp(name, "localhost") || vigil_str_has_suffix(name, ".in-addr.arpa") ||
	       vigil_str_has_suffix(name, ".ip6.arpa");
}

/*
 * The container runtime unshares as it starts a container: runc, or the memfd copy of itself
 * it runs (memfd:runc_cloned:...). Judged by the executable the kernel ran, so a process that
 * renames itself runc is not exempt (a memfd executable raises R1005 on its own).
 */
static bool is_runc(const char *exe)
{
	const char *base = exe ? strrchr(exe, '/') : NULL;

	if (!exe)
		return false;
	if (vigil_str_has_prefix(exe, "memfd:runc_cloned") ||
	    vigil_str_has_prefix(exe, "/memfd:runc_cloned"))
		return true;
	return vigil_str_has_prefix(base ? base + 1 : exe, "runc");
}

/*
 * An open, a peer or an io_uring operation the kernel acted on always has its alert: the
 * kernel acts only where these rules raise (its allow sets are the profile's, the rails refuse
 * a profile it cannot hold whole), and if they found nothing to say the alert still says what
 * enforcement did.
 */
static int eval_acted(struct raise *r, int n)
{
	const struct vigil_event *ev = r->ev;
	char key[INET6_ADDRSTRLEN + 32], addr[INET6_ADDRSTRLEN + 1];

	if (n || ev->action == VIGIL_ACTION_NONE)
		return n;
	switch (ev->kind) {
	case VIGIL_EV_OPEN: {
		const char *path = ev->open.path ? ev->open.path : "";
		bool token = vigil_open_class(ev->open.ident ? ev->open.ident : path) ==
			     VIGIL_OPEN_TOKEN;

		return detect_raise(r, token ? VIGIL_R0006 : VIGIL_R0010, path,
				    "open stopped by enforcement: %s", path);
	}
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_SEND:
		vigil_sockaddr__text(&ev->net.remote, addr, sizeof(addr));
		snprintf(key, sizeof(key), "%s/%s:%u", vigil_ip_proto_name(ev->net.proto), addr,
			 ev->net.remote.port);
		return detect_raise(r, VIGIL_R0011, key, "egress stopped by enforcement: %s", key);
	case VIGIL_EV_IOURING_OP:
		return detect_raise(r, VIGIL_R1030, ev->iouring.opname ? ev->iouring.opname : "",
				    "io_uring operation stopped by enforcement: %s",
				    ev->iouring.opname ? ev->iouring.opname : "");
	default:
		return n;
	}
}

static int detect_eval_kind(struct raise *r);

int detect_eval(struct raise *r)
{
	return eval_acted(r, detect_eval_kind(r));
}

static int detect_eval_kind(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *comm = ev->proc ? ev->proc->comm : "";
	int n;

	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		return detect_eval_exec(r);
	case VIGIL_EV_OPEN:
		return detect_eval_open(r);
	case VIGIL_EV_SYSCALL:
		return detect_eval_syscall(r);
	case VIGIL_EV_CAPABILITY:
		if (!ev->cap.name || vigil_matcher__capability(r->b->m, ev->cap.name))
			return 0;
		if (detect_cap_needs_context(ev->cap.name) && detect_known_program(r))
			return 0;
		return detect_raise(r, VIGIL_R0004, ev->cap.name, "unexpected capability: %s",
				    ev->cap.name);
	case VIGIL_EV_DNS:
		/* a DNS stream cut by eviction mid-message (64 TCP:53 streams at once): what it
		 * asks until it resyncs is unread, whatever the profile says */
		if (ev->dns.desync)
			return detect_raise(
				r, VIGIL_R0005, "(TCP stream out of sync)",
				"DNS over TCP stream out of sync: cut in the middle of a "
				"message while more than %d DNS streams were open; its "
				"questions are unread until a whole message parses",
				VIGIL_DNS_STREAMS);
		/* a mining pool is news even when the profile lists it (as in Kubescape) */
		if (ev->dns.name && vigil_dns_mining_pool(ev->dns.name))
			return detect_raise(r, VIGIL_R1008, ev->dns.name,
					    "crypto-mining pool domain looked up: %s",
					    ev->dns.name);
		if (!ev->dns.name || !ev->dns.name[0] || cluster_local(ev->dns.name) ||
		    vigil_matcher__dns(r->b->m, ev->dns.name))
			return 0;
		return detect_raise(r, VIGIL_R0005, ev->dns.name, "unexpected DNS name: %s",
				    ev->dns.name);
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_SEND: /* egress without connect: judged as a connection to the peer */
		return detect_eval_connect(r);
	case VIGIL_EV_HTTP:
		return detect_eval_http(r);
	case VIGIL_EV_ACCEPT:
		return detect_eval_accept(r);
	case VIGIL_EV_IOURING_OP: {
		const char *op = ev->iouring.opname;
		char buf[32];

		if (!op || !op[0]) {
			snprintf(buf, sizeof(buf), "OP_%d", ev->iouring.opcode);
			op = buf;
		}
		if (vigil_matcher__iouring(r->b->m, op))
			return 0;
		return detect_raise(r, VIGIL_R1030, op, "unexpected io_uring operation: %s", op);
	}
	case VIGIL_EV_SYMLINK:
		if ((n = detect_eval_history(r, comm)) != 0)
			return n;
		if (!detect_link_target_sensitive(r, true))
			return detect_eval_name_persist(r);
		return detect_raise(r, VIGIL_R1010, ev->link.path ? ev->link.path : "",
				    "symlink %s -> %s", ev->link.path ? ev->link.path : "",
				    ev->link.target);
	case VIGIL_EV_LINK:
		if ((n = detect_eval_history(r, comm)) != 0)
			return n;
		if (!detect_link_target_sensitive(r, false))
			return detect_eval_name_persist(r);
		return detect_raise(r, VIGIL_R1012, ev->link.path ? ev->link.path : "",
				    "hard link %s -> %s", ev->link.path ? ev->link.path : "",
				    ev->link.target);
	case VIGIL_EV_PTRACE:
		if (vigil_matcher__syscall(r->b->m, "ptrace"))
			return 0;
		return detect_raise(r, VIGIL_R1015, comm, "ptrace request %lld on pid %lld by %s",
				    (long long)ev->call.arg0, (long long)ev->call.arg1, comm);
	case VIGIL_EV_UNSHARE:
		if (is_runc(ev->proc ? ev->proc->exe : NULL) ||
		    vigil_matcher__syscall(r->b->m, "unshare"))
			return 0;
		/* arg1: 0 unshare, else the namespaces came with a new process (clone 56,
		 * clone3 435: bpf/syscalls.bpf.c) */
		return detect_raise(r, VIGIL_R1006, comm, "unexpected %s (flags 0x%llx) by %s",
				    ev->call.arg1 == 56	   ? "clone making namespaces"
				    : ev->call.arg1 == 435 ? "clone3 making namespaces"
							   : "unshare",
				    (unsigned long long)ev->call.arg0, comm);
	case VIGIL_EV_SETNS:
		return detect_eval_setns(r, comm);
	case VIGIL_EV_SETID:
		return detect_eval_setid(r, comm);
	case VIGIL_EV_ERASE:
		return detect_eval_history(r, comm);
	case VIGIL_EV_BPF:
		/* 5 = BPF_PROG_LOAD */
		if (ev->call.arg0 != 5 || vigil_matcher__syscall(r->b->m, "bpf"))
			return 0;
		return detect_raise(r, VIGIL_R0009, comm, "eBPF program loaded by %s", comm);
	case VIGIL_EV_SOCKET:
		return detect_eval_socket(r);
	case VIGIL_EV_MMAP_EXEC:
		return detect_eval_mmap_exec(r);
	case VIGIL_EV_RENAME:
		if ((n = detect_eval_history(r, comm)) != 0)
			return n;
		if ((n = detect_eval_rename(r)) != 0)
			return n;
		return detect_eval_name_persist(r);
	case VIGIL_EV_NETNS_CONNECT:
		return detect_eval_netns_connect(r, comm);
	case VIGIL_EV_CGROUP_MOVE:
		/* never learned, never allowed: a workload's process has no business outside the
		 * cgroups the sensor watches (it is still followed as the workload's) */
		return detect_raise(r, VIGIL_V1104, ev->call.str ? ev->call.str : "",
				    "pid %lld moved by %s out of the workload into cgroup %s",
				    (long long)ev->call.arg0, comm,
				    ev->call.str ? ev->call.str : "");
	case VIGIL_EV_MODULE:
		return detect_raise(r, VIGIL_R1002, ev->call.str ? ev->call.str : "",
				    "kernel module load%s%s by %s",
				    ev->call.str && ev->call.str[0] ? ": " : "",
				    ev->call.str ? ev->call.str : "", comm);
	default:
		return 0;
	}
}
