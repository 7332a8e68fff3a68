// SPDX-License-Identifier: Apache-2.0
/*
 * Encoding and parsing of spool records (spool_record.h). Pure functions: the spool uses
 * them on segment files and the fuzz harness on arbitrary bytes.
 */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "sensor/uplink/spool_record.h"

const char *uplink_kind_name(unsigned kind)
{
	switch (kind) {
	case UPLINK_ALERT:
		return "alert";
	case UPLINK_REPORT:
		return "report";
	case UPLINK_PROFILE:
		return "profile";
	default:
		return "?";
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The CRC covers the kind byte and the reserved bytes too: a flipped kind is damage. */
static uint32_t rec_crc(const uint8_t tail[4], const void *payload, uint32_t len)
{
	uLong c = crc32(0L, Z_NULL, 0);

	c = crc32(c, tail, 4);
	if (len)
		c = crc32(c, payload, len);
	return (uint32_t)c;
}

void uplink_rec__header(uint8_t hdr[UPLINK_REC_HEADER], enum uplink_kind kind, const void *payload,
			uint32_t len)
{
	memset(hdr, 0, UPLINK_REC_HEADER);
	put32(hdr, UPLINK_REC_MAGIC);
	put32(hdr + 4, len);
	hdr[12] = (uint8_t)kind;
	put32(hdr + 8, rec_crc(hdr + 12, payload, len));
}

long uplink_rec__parse(const uint8_t *buf, size_t avail, struct uplink_rec *ret)
{
	uint32_t len;

	/* Judge what is there: a partial header with a wrong magic is already not a record. */
	if (avail < 4)
		return memcmp(buf, "VGS1", avail) ? -EBADMSG : 0;
	if (get32(buf) != UPLINK_REC_MAGIC)
		return -EBADMSG;
	if (avail < UPLINK_REC_HEADER)
		return 0;
	len = get32(buf + 4);
	if (len > UPLINK_REC_MAX_LEN || buf[12] < UPLINK_ALERT || buf[12] > UPLINK_PROFILE ||
	    buf[13] || buf[14] || buf[15])
		return -EBADMSG;
	if (avail - UPLINK_REC_HEADER < len)
		return 0;
	if (rec_crc(buf + 12, buf + UPLINK_REC_HEADER, len) != get32(buf + 8))
		return -EBADMSG;
	ret->kind = (enum uplink_kind)buf[12];
	ret->payload = buf + UPLINK_REC_HEADER;
	ret->len = len;
	return (long)(UPLINK_REC_HEADER + len);
}

/*
 * Every candidate costs a CRC over its claimed payload, so damaged bytes made of fake headers
 * could make the search quadratic: past this many hashed bytes the rest is given up as damaged.
 */
#define RESYNC_BUDGET (64ull << 20)

size_t uplink_rec__resync(const uint8_t *buf, size_t avail, size_t from)
{
	unsigned long long spent = 0;
	struct uplink_rec r;
	long n;

	for (size_t o = from; o < avail && spent <= RESYNC_BUDGET; o++) {
		const uint8_t *m = memchr(buf + o, 'V', avail - o);

		if (!m)
			break;
		o = (size_t)(m - buf);
		n = uplink_rec__parse(buf + o, avail - o, &r);
		if (n > 0)
			return o;
		if (avail - o >= UPLINK_REC_HEADER && !memcmp(buf + o, "VGS1", 4))
			spent += get32(buf + o + 4);
	}
	return avail;
}
