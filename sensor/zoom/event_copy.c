// SPDX-License-Identifier: Apache-2.0
/*
 * Compact copies of events for the recorder and incidents. What is kept comes from the event
 * table (lib/event/): the key text, the line the shared encoder prints, the other end's
 * address, protocol, direction, bytes, and the sample.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sensor/zoom/zoom_internal.h"
#include "vigil/event.h"

#define DETAIL_MAX 1024

/* The bytes kept after the line: the sample, or for a message copied from a sensitive file
 * inside the kernel (sendfile, splice, copy_file_range) that file's path. */
static size_t zev_payload(const struct vigil_event *ev, const uint8_t **d, bool *from_file)
{
	*from_file = ev->kind == VIGIL_EV_NET_IO && ev->net.from_path && *ev->net.from_path;
	if (!*from_file)
		return vigil_event__sample(ev, d);
	*d = (const uint8_t *)ev->net.from_path;
	return strlen(ev->net.from_path);
}

size_t zev_size(const struct vigil_event *ev, size_t max_data)
{
	char kbuf[64], detail[DETAIL_MAX];
	const char *key = vigil_event__key(ev, kbuf, sizeof(kbuf));
	const uint8_t *d;
	bool from_file;
	size_t dl = zev_payload(ev, &d, &from_file);

	vigil_event__detail(ev, detail, sizeof(detail));
	if (dl > max_data)
		dl = max_data;
	return sizeof(struct zev) + strlen(key) + 1 + strlen(detail) + 1 + dl;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

size_t zev_fill(struct zev *z, size_t cap, const struct vigil_event *ev, size_t max_data)
{
	const struct vigil_sockaddr *sa = vigil_event__peer(ev);
	char kbuf[64], detail[DETAIL_MAX];
	const char *key = vigil_event__key(ev, kbuf, sizeof(kbuf));
	const uint8_t *d;
	bool from_file;
	size_t room = cap - sizeof(*z) - 2, tl = strlen(key), sl,
	       dl = zev_payload(ev, &d, &from_file);
	char *p;

	memset(z, 0, sizeof(*z));
	z->from_file = from_file;
	z->tls = ev->kind == VIGIL_EV_NET_IO ? ev->net.tls : 0;
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
	vigil_event__net(ev, &z->proto, &z->dir, &z->bytes);
	vigil_event__detail(ev, detail, sizeof(detail));
	sl = strlen(detail);
	/* a ring slot: the key first, then the line, the sample only if room is left */
	tl = min_sz(tl, room);
	sl = min_sz(sl, room - tl);
	dl = min_sz(min_sz(dl, max_data), room - tl - sl);
	p = z->text;
	memcpy(p, key, tl);
	p[tl] = '\0';
	p += tl + 1;
	memcpy(p, detail, sl);
	p[sl] = '\0';
	p += sl + 1;
	if (dl)
		memcpy(p, d, dl);
	z->text_len = (uint16_t)tl;
	z->detail_len = (uint16_t)sl;
	z->data_len = (uint16_t)dl;
	return zev_bytes(z);
}
