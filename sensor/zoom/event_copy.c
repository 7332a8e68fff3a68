// SPDX-License-Identifier: Apache-2.0
/* Compact copies of events for the recorder and incidents: fixed fields plus one text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "sensor/zoom/zoom_internal.h"
#include "vigil/sensor.h"

/* The event's one descriptive text (path, name, target ...). */
static void event_text(const struct vigil_event *ev, char *buf, size_t size)
{
	buf[0] = '\0';
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		snprintf(buf, size, "%s", ev->exec.path ? ev->exec.path : "");
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE:
	case VIGIL_EV_FILE_READ:
		snprintf(buf, size, "%s", ev->open.path ? ev->open.path : "");
		break;
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
		snprintf(buf, size, "%s -> %s", ev->link.path ? ev->link.path : "",
			 ev->link.target ? ev->link.target : "");
		break;
	case VIGIL_EV_DNS:
		snprintf(buf, size, "%s", ev->dns.name ? ev->dns.name : "");
		break;
	case VIGIL_EV_CAPABILITY:
		snprintf(buf, size, "%s", ev->cap.name ? ev->cap.name : "");
		break;
	case VIGIL_EV_SYSCALL:
		snprintf(buf, size, "%s", ev->syscall.name ? ev->syscall.name : "");
		break;
	case VIGIL_EV_IOURING_CREATE:
	case VIGIL_EV_IOURING_OP:
		snprintf(buf, size, "%s%s%s", ev->iouring.opname ? ev->iouring.opname : "",
			 ev->iouring.path ? " " : "", ev->iouring.path ? ev->iouring.path : "");
		break;
	case VIGIL_EV_PTRACE:
	case VIGIL_EV_UNSHARE:
	case VIGIL_EV_SETNS:
	case VIGIL_EV_BPF:
	case VIGIL_EV_MODULE:
	case VIGIL_EV_MEMFD:
	case VIGIL_EV_MOUNT:
		snprintf(buf, size, "%s", ev->call.str ? ev->call.str : "");
		break;
	case VIGIL_EV_TCP_STATE:
		snprintf(buf, size, "%s -> %s", vigil_tcp_state_name(ev->net.old_state),
			 vigil_tcp_state_name(ev->net.new_state));
		break;
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
	case VIGIL_EV_NET_IO:
		if (ev->net.remote.family == AF_UNIX && ev->net.remote.unix_path)
			snprintf(buf, size, "%s", ev->net.remote.unix_path);
		break;
	default:
		break;
	}
}

static const struct vigil_sockaddr *event_addr(const struct vigil_event *ev)
{
	switch (ev->kind) {
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_TCP_STATE:
	case VIGIL_EV_NET_IO:
		return &ev->net.remote;
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
		return &ev->net.local;
	case VIGIL_EV_DNS:
		return &ev->dns.server;
	case VIGIL_EV_IOURING_OP:
		return &ev->iouring.addr;
	default:
		return NULL;
	}
}

static void event_data(const struct vigil_event *ev, const uint8_t **d, size_t *len)
{
	*d = NULL;
	*len = 0;
	if (ev->kind == VIGIL_EV_NET_IO && ev->net.data) {
		*d = ev->net.data;
		*len = ev->net.data_len;
	} else if (ev->kind == VIGIL_EV_FILE_READ && ev->open.data) {
		*d = ev->open.data;
		*len = ev->open.data_len;
	}
}

size_t zev_size(const struct vigil_event *ev, size_t max_data)
{
	char text[1024];
	const uint8_t *d;
	size_t dl;

	event_text(ev, text, sizeof(text));
	event_data(ev, &d, &dl);
	if (dl > max_data)
		dl = max_data;
	return sizeof(struct zev) + strlen(text) + 1 + dl;
}

size_t zev_fill(struct zev *z, size_t cap, const struct vigil_event *ev, size_t max_data)
{
	const struct vigil_sockaddr *sa = event_addr(ev);
	char text[1024];
	const uint8_t *d;
	size_t tl, dl;

	memset(z, 0, sizeof(*z));
	z->time_ns = ev->time_ns;
	z->kind = (uint8_t)ev->kind;
	z->via_iouring = ev->via_iouring;
	if (ev->proc) {
		z->pid = ev->proc->pid;
		memcpy(z->comm, ev->proc->comm, sizeof(z->comm));
		z->comm[sizeof(z->comm) - 1] = '\0';
	}
	if (sa) {
		z->family = sa->family;
		z->port = sa->port;
		/* IPv4 uses 4 bytes: the rest is not part of the address */
		memcpy(z->addr, sa->addr, sa->family == AF_INET6 ? 16 : 4);
	}
	switch (ev->kind) {
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_BIND:
	case VIGIL_EV_LISTEN:
	case VIGIL_EV_TCP_STATE:
	case VIGIL_EV_NET_IO:
		z->dir = (uint8_t)ev->net.direction;
		z->proto = ev->net.proto;
		z->bytes = ev->net.bytes;
		z->aux = ev->net.ret;
		break;
	case VIGIL_EV_FILE_READ:
	case VIGIL_EV_OPEN:
		z->bytes = ev->open.size;
		z->aux = (int32_t)ev->open.flags;
		break;
	case VIGIL_EV_EXIT:
		z->aux = ev->exit.code;
		break;
	case VIGIL_EV_DNS:
		z->aux = ev->dns.qtype;
		z->proto = 17;
		break;
	case VIGIL_EV_IOURING_OP:
	case VIGIL_EV_IOURING_CREATE:
		z->aux = ev->iouring.opcode;
		break;
	case VIGIL_EV_FORK:
		z->aux = (int32_t)ev->fork.child_pid;
		break;
	default:
		break;
	}
	event_text(ev, text, sizeof(text));
	event_data(ev, &d, &dl);
	if (dl > max_data)
		dl = max_data;
	tl = strlen(text);
	if (sizeof(*z) + tl + 1 + dl > cap) {
		/* a ring slot: text first, the sample only if room is left */
		if (sizeof(*z) + tl + 1 > cap)
			tl = cap - sizeof(*z) - 1;
		dl = cap - sizeof(*z) - tl - 1 < dl ? cap - sizeof(*z) - tl - 1 : dl;
	}
	memcpy(z->text, text, tl);
	z->text[tl] = '\0';
	z->text_len = (uint16_t)tl;
	if (dl)
		memcpy(z->text + tl + 1, d, dl);
	z->data_len = (uint16_t)dl;
	return sizeof(*z) + tl + 1 + dl;
}
