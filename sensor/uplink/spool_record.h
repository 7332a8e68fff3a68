/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One record of the uplink spool (internal to sensor/uplink): a 16-byte header and a payload
 * (one compact JSON document). Everything is little-endian and fixed-width, so a segment
 * written by one agent reads back on any other:
 *
 *   u32 magic "VGS1" | u32 payload length | u32 CRC-32 of kind, reserved and payload |
 *   u8 kind | u8 reserved[3] (zero) | payload
 *
 * The CRC is what tells a record cut short by a crash (a torn tail) or damaged on disk from
 * a good one; the reader skips such bytes and counts them instead of sending garbage. A
 * payload never holds a NUL byte (it is JSON text; the spool refuses others) while every
 * header holds three: so when the reader searches past damage for the next record, a
 * record-like string inside a payload (an attacker's file name in an alert) can never pass
 * for one.
 */
#ifndef VIGIL_UPLINK_SPOOL_RECORD_H
#define VIGIL_UPLINK_SPOOL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define UPLINK_REC_MAGIC   0x31534756u /* "VGS1" read as a little-endian u32 */
#define UPLINK_REC_HEADER  16u
#define UPLINK_REC_MAX_LEN (8u << 20) /* a payload (an incident report is the largest) */

enum uplink_kind {
	UPLINK_ALERT = 1,
	UPLINK_REPORT = 2,
	UPLINK_PROFILE = 3,
};
#define UPLINK_KINDS 4 /* array size for per-kind counters (index 0 unused) */

struct uplink_rec {
	enum uplink_kind kind;
	const uint8_t *payload; /* points into the parsed buffer */
	uint32_t len;
};

/* "alert", "report", "profile" ("?" for anything else). */
const char *uplink_kind_name(unsigned kind);

/* Fills hdr for a payload of len bytes (len <= UPLINK_REC_MAX_LEN). */
void uplink_rec__header(uint8_t hdr[UPLINK_REC_HEADER], enum uplink_kind kind, const void *payload,
			uint32_t len);

/*
 * Parses the record at buf (avail bytes, untrusted). Returns its whole size (header +
 * payload) and fills *ret; 0 when buf holds only the start of a record that may still be
 * complete (fewer than a header, or fewer than its payload); -EBADMSG when these bytes are
 * not a record (bad magic, kind, reserved bytes, length or CRC).
 */
long uplink_rec__parse(const uint8_t *buf, size_t avail, struct uplink_rec *ret);

/*
 * The next offset at or after from where a whole valid record starts, or avail when none
 * does: how a reader gets past damaged bytes without trusting any length in them.
 */
size_t uplink_rec__resync(const uint8_t *buf, size_t avail, size_t from);

#endif
