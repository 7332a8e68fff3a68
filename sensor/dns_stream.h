/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DNS over TCP, put back together: a TCP DNS stream is messages each after a two-byte length
 * (RFC 1035 4.2.2), written in whatever pieces the client likes. The sensor sees, per write,
 * its first bytes (at most VG_DNS_MAX + 2) and how many it wrote; this table keeps, per stream,
 * the message being assembled, and gives the questions of the messages completed. Bounded:
 * a fixed number of streams (the least recently fed is forgotten), one message's question
 * (512 bytes) each, at most VIGIL_DNS_STREAM_QUESTIONS questions per write.
 *
 * Eviction is attacked: a client writes a length prefix, opens VIGIL_DNS_STREAMS other
 * connections to push its stream out, then writes the message: taken as the start of a
 * message, its bytes would be misread and its question never seen. So a stream forgotten in
 * the middle of a message is remembered (the last VIGIL_DNS_STREAMS_LOST of them); its next
 * write reports it (the stream is out of sync: the caller raises it, with the workload) and
 * the stream stays out of sync, its bytes unread, until a write parses as a whole message:
 * one that starts with a length prefix and a question, or one that is the rest of the message
 * cut (a DNS header and question at its start), whose question is then given.
 */
#ifndef VIGIL_SENSOR_DNS_STREAM_H
#define VIGIL_SENSOR_DNS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_DNS_STREAMS	   64
#define VIGIL_DNS_STREAM_QUESTIONS 8
#define VIGIL_DNS_STREAMS_LOST	   64

struct vigil_dns_streams;

struct vigil_dns_question {
	char name[256]; /* lower case, no trailing dot */
	uint16_t qtype;
};

struct vigil_dns_streams *vigil_dns_streams__new(void);
void vigil_dns_streams__free(struct vigil_dns_streams *t);

/*
 * Feeds one write to stream `key` (untrusted): `have` bytes seen of the `total` the write put
 * in the stream (the rest, unseen, follow them). Fills out[] with the questions of the messages
 * this write completed (at most max) and returns how many. A message whose length is shorter
 * than a DNS header, a question that does not parse, or bytes lost inside a message before
 * its question was seen, are skipped: the stream goes on at the next message boundary it can
 * know (after the unseen tail of a write, the next write is taken to start a message).
 */
size_t vigil_dns_streams__feed(struct vigil_dns_streams *t, uint64_t key, const uint8_t *data,
			       size_t have, uint64_t total, struct vigil_dns_question *out,
			       size_t max, bool *ret_lost);
/* *ret_lost (above) is set when this write is the first to a stream that eviction cut in the
 * middle of a message: it is out of sync from here (see the top). */

struct vigil_dns_stream_stats {
	uint64_t evicted;     /* streams forgotten to make room */
	uint64_t evicted_mid; /* of them, in the middle of a message */
	uint64_t desync;      /* streams found out of sync by their next write */
	uint64_t resync;      /* out of sync streams that found a message boundary again */
	uint64_t unread;      /* writes not read while out of sync */
	/* cut streams pushed out of the lost list (more than VIGIL_DNS_STREAMS_LOST cut before
	 * their next write): their next write is read as a new stream, unflagged. Seen only
	 * here, and in the agent's metrics */
	uint64_t forgotten;
};
void vigil_dns_streams__stats(const struct vigil_dns_streams *t,
			      struct vigil_dns_stream_stats *ret);

#endif
