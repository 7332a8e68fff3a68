/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DNS over TCP, put back together: a TCP DNS stream is messages each after a two-byte length
 * (RFC 1035 4.2.2), written in whatever pieces the client likes. The sensor sees, per write,
 * its first bytes (at most VG_DNS_MAX + 2) and how many it wrote; this table keeps, per stream,
 * the message being assembled, and gives the questions of the messages completed. Bounded:
 * a fixed number of streams (the least recently fed is forgotten), one message's question
 * (512 bytes) each, at most VIGIL_DNS_STREAM_QUESTIONS questions per write.
 */
#ifndef VIGIL_SENSOR_DNS_STREAM_H
#define VIGIL_SENSOR_DNS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define VIGIL_DNS_STREAMS	   64
#define VIGIL_DNS_STREAM_QUESTIONS 8

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
			       size_t max);

#endif
