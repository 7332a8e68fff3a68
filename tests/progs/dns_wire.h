/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal DNS wire format for the test programs (RFC 1035): one A question per message, no
 * compression on input. Only used against our own loopback responder; every length is bounded.
 */
#ifndef VIGIL_TEST_DNS_WIRE_H
#define VIGIL_TEST_DNS_WIRE_H

#include <stdint.h>
#include <string.h>

#define DNS_MAX_MSG  512
#define DNS_MAX_NAME 253

/* Encodes "a.b.c" as labels at OUT; returns bytes written or -1 if NAME is not a valid name. */
static inline int dns_put_name(uint8_t *out, size_t cap, const char *name)
{
	size_t n = strlen(name), pos = 0;
	const char *p = name;

	if (n == 0 || n > DNS_MAX_NAME || cap < n + 2)
		return -1;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (len == 0 || len > 63)
			return -1;
		out[pos++] = (uint8_t)len;
		memcpy(out + pos, p, len);
		pos += len;
		p += len;
		if (*p == '.')
			p++;
	}
	out[pos++] = 0;
	return (int)pos;
}

/* Builds a recursive A query for NAME with ID. Returns the message length or -1. */
static inline int dns_build_query(uint8_t *msg, size_t cap, uint16_t id, const char *name)
{
	int n;

	if (cap < 12 + 4)
		return -1;
	memset(msg, 0, 12);
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
	msg[2] = 0x01; /* RD */
	msg[5] = 1;    /* QDCOUNT */
	n = dns_put_name(msg + 12, cap - 12 - 4, name);
	if (n < 0)
		return -1;
	msg[12 + n] = 0;
	msg[13 + n] = 1; /* QTYPE A */
	msg[14 + n] = 0;
	msg[15 + n] = 1; /* QCLASS IN */
	return 12 + n + 4;
}

/*
 * Decodes the first question of MSG into NAME (dotted, NUL-terminated). Returns the offset just
 * past the question (type and class included), or -1 if the message is malformed.
 */
static inline int dns_get_question(const uint8_t *msg, size_t len, char *name, size_t cap)
{
	size_t pos = 12, out = 0;

	if (len < 12 || cap == 0 || ((msg[4] << 8) | msg[5]) < 1)
		return -1;
	while (pos < len && msg[pos]) {
		size_t l = msg[pos];

		if (l > 63 || pos + 1 + l > len || out + l + 2 > cap)
			return -1;
		if (out)
			name[out++] = '.';
		memcpy(name + out, msg + pos + 1, l);
		out += l;
		pos += 1 + l;
	}
	if (pos + 5 > len)
		return -1;
	name[out] = 0;
	return (int)(pos + 5);
}

#endif
