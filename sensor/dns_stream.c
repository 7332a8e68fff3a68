// SPDX-License-Identifier: Apache-2.0
/* DNS over TCP: streams of length-prefixed messages put back together (dns_stream.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/dns_stream.h"
#include "sensor/sensor_internal.h"

#define MSG_KEEP 512 /* bytes of a message kept: its header and question (VG_DNS_MAX) */

struct stream {
	uint64_t key;
	uint64_t last; /* feed counter when last fed: the oldest is reused */
	bool live;
	bool desync;   /* cut by eviction: message boundaries unknown until a whole one parses */
	size_t have;   /* bytes of buf: the length prefix, then the message */
	uint64_t skip; /* bytes still to pass over: the rest of a message */
	uint8_t buf[2 + MSG_KEEP];
};

struct vigil_dns_streams {
	uint64_t clock;
	struct stream s[VIGIL_DNS_STREAMS];
	uint64_t lost[VIGIL_DNS_STREAMS_LOST]; /* keys of streams evicted mid-message */
	size_t lost_next;
	struct vigil_dns_stream_stats st;
};

struct vigil_dns_streams *vigil_dns_streams__new(void)
{
	return calloc(1, sizeof(struct vigil_dns_streams));
}

void vigil_dns_streams__free(struct vigil_dns_streams *t)
{
	free(t);
}

/* Whether key's stream was evicted in the middle of a message (and forgets it). */
static bool was_lost(struct vigil_dns_streams *t, uint64_t key)
{
	for (size_t i = 0; i < VIGIL_DNS_STREAMS_LOST; i++) {
		if (t->lost[i] == key && key) {
			t->lost[i] = 0;
			return true;
		}
	}
	return false;
}

static struct stream *stream_of(struct vigil_dns_streams *t, uint64_t key, bool *lost)
{
	struct stream *old = &t->s[0];

	for (size_t i = 0; i < VIGIL_DNS_STREAMS; i++) {
		if (t->s[i].live && t->s[i].key == key)
			return &t->s[i];
		if (!t->s[i].live || (old->live && t->s[i].last < old->last))
			old = &t->s[i];
	}
	if (old->live) {
		t->st.evicted++;
		if (old->have || old->skip || old->desync) {
			uint64_t *slot = &t->lost[t->lost_next++ % VIGIL_DNS_STREAMS_LOST];

			t->st.evicted_mid++;
			/* an older cut stream not written to since: it will be misread, unflagged */
			if (*slot)
				t->st.forgotten++;
			*slot = old->key;
		}
	}
	memset(old, 0, sizeof(*old));
	old->live = true;
	old->key = key;
	if (was_lost(t, key)) {
		old->desync = true;
		*lost = true;
		t->st.desync++;
	}
	return old;
}

static size_t msg_len(const struct stream *s)
{
	return ((size_t)s->buf[0] << 8) | s->buf[1];
}

/* Bytes the message being assembled still needs before its kept part is complete. */
static size_t kept_need(const struct stream *s)
{
	size_t len;

	if (s->have < 2)
		return 2 - s->have;
	len = msg_len(s);
	return 2 + (len < MSG_KEEP ? len : MSG_KEEP) - s->have;
}

/* The kept part of a message is complete: its question, then the rest of it is skipped. */
static size_t finish(struct stream *s, struct vigil_dns_question *out, size_t n, size_t max)
{
	size_t len = msg_len(s), kept = len < MSG_KEEP ? len : MSG_KEEP;

	if (n < max && !vigil_dns__parse_question(s->buf + 2, kept, out[n].name,
						  sizeof(out[n].name), &out[n].qtype))
		n++;
	s->skip = len - kept;
	s->have = 0;
	return n;
}

/* Bytes of the write that were not seen: what they cover is passed over; past the message in
 * hand nothing is known, so the next write is taken to start a message. */
static void lose(struct stream *s, uint64_t unseen)
{
	uint64_t rest;

	if (unseen <= s->skip) {
		s->skip -= unseen;
		return;
	}
	unseen -= s->skip;
	s->skip = 0;
	if (s->have >= 2) {
		rest = 2 + msg_len(s) - s->have;
		s->skip = unseen < rest ? rest - unseen : 0;
	}
	s->have = 0;
}

/*
 * A write to a stream out of sync: read only when it parses as a whole message, prefixed (a
 * boundary found: read on as usual, returns false) or the unprefixed rest of the message cut
 * (its question in *out, *n = 1; the next write is taken to start a message). Returns true
 * when the write is done with.
 */
static bool resync(struct vigil_dns_streams *t, struct stream *s, const uint8_t *data, size_t have,
		   uint64_t total, struct vigil_dns_question *out, size_t max, size_t *n)
{
	size_t len = have >= 2 ? ((size_t)data[0] << 8) | data[1] : 0;
	size_t kept = len < MSG_KEEP ? len : MSG_KEEP;
	struct vigil_dns_question q;

	if (len && total >= 2 + len && have >= 2 + kept &&
	    !vigil_dns__parse_question(data + 2, kept, q.name, sizeof(q.name), &q.qtype)) {
		s->desync = false;
		t->st.resync++;
		return false;
	}
	if (max && !vigil_dns__parse_question(data, have < MSG_KEEP ? have : MSG_KEEP, out[0].name,
					      sizeof(out[0].name), &out[0].qtype)) {
		*n = 1;
		s->desync = false;
		t->st.resync++;
		return true;
	}
	t->st.unread++;
	return true;
}

size_t vigil_dns_streams__feed(struct vigil_dns_streams *t, uint64_t key, const uint8_t *data,
			       size_t have, uint64_t total, struct vigil_dns_question *out,
			       size_t max, bool *ret_lost)
{
	bool lost = false;
	struct stream *s = stream_of(t, key, &lost);
	size_t i = 0, n = 0, take;

	if (ret_lost)
		*ret_lost = lost;
	s->last = ++t->clock;
	if (total < have)
		total = have;
	if (s->desync && resync(t, s, data, have, total, out, max, &n))
		return n;
	while (i < have) {
		if (s->skip) {
			take = have - i < s->skip ? have - i : (size_t)s->skip;
			s->skip -= take;
			i += take;
			continue;
		}
		take = kept_need(s);
		if (take > have - i)
			take = have - i;
		memcpy(s->buf + s->have, data + i, take);
		s->have += take;
		i += take;
		if (s->have >= 2 && !kept_need(s))
			n = finish(s, out, n, max);
	}
	if (total > have)
		lose(s, total - have);
	return n;
}

void vigil_dns_streams__stats(const struct vigil_dns_streams *t, struct vigil_dns_stream_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (t)
		*ret = t->st;
}
