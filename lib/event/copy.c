// SPDX-License-Identifier: Apache-2.0
/*
 * A whole copy of an event in one allocation: the event, its workload and process, and every
 * text and sample they point to. An event handed to a callback points into the sensor's
 * buffers, valid only during the call; the agent holds the events of a container its engine
 * has not described yet and judges them later (sensor/agent/naming.c).
 *
 * The pointers are listed by kind here, not read from the event table: the table lists what
 * is shown, and a pointer left out here would dangle. test_event.c checks that every text and
 * sample field of the table is copied, and the pointers no row shows (open.ident).
 */
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/event.h"

struct arena {
	char *base; /* NULL: only counting */
	size_t len;
};

static void *take(struct arena *ar, const void *src, size_t n, size_t align)
{
	void *p;

	ar->len = (ar->len + align - 1) & ~(align - 1);
	p = ar->base ? ar->base + ar->len : NULL;
	if (p && n)
		memcpy(p, src, n);
	ar->len += n;
	return p;
}

static void str(struct arena *ar, const char **s)
{
	if (*s)
		*s = take(ar, *s, strlen(*s) + 1, 1);
}

static void bytes(struct arena *ar, const uint8_t **d, uint32_t len)
{
	if (*d)
		*d = len ? take(ar, *d, len, 1) : NULL;
}

static void sockaddr(struct arena *ar, struct vigil_sockaddr *a)
{
	str(ar, &a->unix_path);
}

/* The pointers of the kind's member of the union. */
static void kind_ptrs(struct arena *ar, struct vigil_event *e)
{
	switch (e->kind) {
	case VIGIL_EV_EXEC:
	case VIGIL_EV_MMAP_EXEC:
		str(ar, &e->exec.path);
		str(ar, &e->exec.script);
		str(ar, &e->exec.parent_exe);
		str(ar, &e->exec.ld_hook);
		str(ar, &e->exec.history_off);
		str(ar, &e->exec.entered_by);
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE:
	case VIGIL_EV_FILE_READ:
		str(ar, &e->open.path);
		str(ar, &e->open.ident);
		bytes(ar, &e->open.data, e->open.data_len);
		break;
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
	case VIGIL_EV_RENAME:
		str(ar, &e->link.path);
		str(ar, &e->link.target);
		break;
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
	case VIGIL_EV_TCP_STATE:
	case VIGIL_EV_SEND:
	case VIGIL_EV_NETNS_CONNECT:
	case VIGIL_EV_NET_IO:
	case VIGIL_EV_HTTP:
		sockaddr(ar, &e->net.local);
		sockaddr(ar, &e->net.remote);
		str(ar, &e->net.http_method);
		str(ar, &e->net.http_path);
		bytes(ar, &e->net.data, e->net.data_len);
		str(ar, &e->net.from_path);
		break;
	case VIGIL_EV_DNS:
		str(ar, &e->dns.name);
		sockaddr(ar, &e->dns.server);
		break;
	case VIGIL_EV_CAPABILITY:
		str(ar, &e->cap.name);
		break;
	case VIGIL_EV_SYSCALL:
		str(ar, &e->syscall.name);
		break;
	case VIGIL_EV_IOURING_CREATE:
	case VIGIL_EV_IOURING_OP:
		str(ar, &e->iouring.opname);
		str(ar, &e->iouring.path);
		sockaddr(ar, &e->iouring.addr);
		break;
	case VIGIL_EV_SETID:
	case VIGIL_EV_ERASE:
		str(ar, &e->attr.path);
		str(ar, &e->attr.call);
		break;
	case VIGIL_EV_PTRACE:
	case VIGIL_EV_UNSHARE:
	case VIGIL_EV_SETNS:
	case VIGIL_EV_BPF:
	case VIGIL_EV_MODULE:
	case VIGIL_EV_MEMFD:
	case VIGIL_EV_MOUNT:
	case VIGIL_EV_SOCKET:
	case VIGIL_EV_CGROUP_MOVE:
		str(ar, &e->call.str);
		break;
	default: /* FORK, EXIT: no pointers */
		break;
	}
}

/* Lays the copy out in ar, the event first (counting only when ar->base is NULL). */
static void lay_out(struct arena *ar, const struct vigil_event *ev)
{
	struct vigil_event tmp = *ev, *e = take(ar, ev, sizeof(*ev), alignof(struct vigil_event));
	struct vigil_workload *w = NULL;
	struct vigil_process *p = NULL;
	const char **argv = NULL;

	if (!e)
		e = &tmp; /* counting: the pointers are followed in a scratch copy */
	if (ev->workload) {
		w = take(ar, ev->workload, sizeof(*w), alignof(struct vigil_workload));
		e->workload = w;
	}
	if (ev->proc) {
		p = take(ar, ev->proc, sizeof(*p), alignof(struct vigil_process));
		e->proc = p;
		if (ev->proc->argv && ev->proc->argc)
			argv = take(ar, ev->proc->argv, ev->proc->argc * sizeof(*argv),
				    alignof(const char *));
	}
	if (w) {
		str(ar, &w->cgroup_path);
		str(ar, &w->container_id);
		str(ar, &w->runtime);
		str(ar, &w->name);
	} else if (ev->workload) {
		struct vigil_workload wt = *ev->workload;

		str(ar, &wt.cgroup_path);
		str(ar, &wt.container_id);
		str(ar, &wt.runtime);
		str(ar, &wt.name);
	}
	if (ev->proc) {
		struct vigil_process pt = *ev->proc;
		struct vigil_process *pp = p ? p : &pt;

		str(ar, &pp->exe);
		str(ar, &pp->cwd);
		for (uint32_t i = 0; ev->proc->argv && i < ev->proc->argc; i++) {
			const char *s = ev->proc->argv[i];

			str(ar, &s);
			if (argv)
				argv[i] = s;
		}
		if (p)
			p->argv = ev->proc->argv && ev->proc->argc ? argv : NULL;
	}
	kind_ptrs(ar, e);
}

struct vigil_event *vigil_event__dup(const struct vigil_event *ev, size_t *ret_size)
{
	struct arena ar = { 0 };
	struct vigil_event *e;

	lay_out(&ar, ev);
	ar.base = malloc(ar.len);
	if (!ar.base) {
		errno = ENOMEM;
		return NULL;
	}
	ar.len = 0;
	lay_out(&ar, ev);
	e = (struct vigil_event *)ar.base;
	if (ret_size)
		*ret_size = ar.len;
	return e;
}
