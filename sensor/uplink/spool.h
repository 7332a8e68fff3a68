/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The uplink spool (internal to sensor/uplink): a bounded, append-only, crash-safe queue on
 * disk of what the agent owes the cockpit. It lives in one directory:
 *
 *   NNNNNNNNNNNNNNNN.seg   segments (hex sequence numbers), records as in spool_record.h
 *   cursor                 "SEQ OFFSET": the first record not yet stored by the cockpit
 *   lock                   held while a spool is open: one agent per spool directory
 *
 * Records are appended to the newest segment and become visible to the reader only once
 * uplink_spool__sync made them durable (fdatasync), so nothing is ever counted as spooled
 * that a crash could take back. The reader hands out batches from the cursor in order; a
 * batch is removed (the cursor moves, fully read segments are deleted) only by
 * uplink_spool__ack, after the cockpit answered that it stored it. The cursor is renamed
 * into place without fsync: a power cut can move it back, which re-sends a few records the
 * cockpit then recognises by id (at-least-once on the wire, exactly once in the cockpit).
 *
 * Segments of an earlier run are never written again (a new run starts a new segment), so a
 * record cut short by a crash can only be the tail of an old segment: the reader skips it,
 * and any damaged bytes, without trusting a length in them, and counts them (torn).
 *
 * Not thread-safe: one thread (the uplink's) appends, reads and acknowledges.
 */
#ifndef VIGIL_UPLINK_SPOOL_H
#define VIGIL_UPLINK_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/uplink/spool_record.h"
#include "util/buf.h"
#include "vigil/error.h"

struct uplink_spool;

struct uplink_spool_opts {
	const char *dir;	/* created (0700) when missing */
	uint64_t max_bytes;	/* bound on the segment files (0 = 64 MiB) */
	uint64_t reserve_bytes; /* beyond max_bytes, for records appended with reserve */
	uint64_t segment_bytes; /* start a new segment past this size (0 = max_bytes / 16,
				 * at least 64 KiB and at most 4 MiB) */
};

struct uplink_spool_stats {
	uint64_t bytes;	       /* segment files on disk now */
	uint64_t items;	       /* durable and not yet acknowledged */
	uint64_t segments;     /* segment files now */
	uint64_t appended;     /* records made durable since open */
	uint64_t acked;	       /* records removed after an acknowledgement */
	uint64_t dropped_full; /* records refused because the spool was full */
	uint64_t torn;	       /* damaged regions skipped (a torn tail, damaged bytes) */
	uint64_t torn_bytes;   /* their size */
	uint64_t recovered;    /* records found at open (left by an earlier run) */
};

/* Opens (or creates) the spool in o->dir and scans it. *ret is owned by the caller. */
int uplink_spool__open(const struct uplink_spool_opts *o, struct uplink_spool **ret,
		       struct vigil_error *err);
/* Closes; records not yet synced are synced first. Accepts NULL. */
void uplink_spool__free(struct uplink_spool *s);

/*
 * Appends one record (data: len bytes of JSON) to the newest segment. Not durable until
 * uplink_spool__sync. -ENOSPC when it does not fit in max_bytes (plus reserve_bytes when
 * reserve is true; counted in dropped_full), -EMSGSIZE when len > UPLINK_REC_MAX_LEN,
 * -EINVAL for data holding a NUL byte (not JSON text), or a negative errno from the file
 * system.
 */
int uplink_spool__append(struct uplink_spool *s, enum uplink_kind kind, const void *data,
			 size_t len, bool reserve);
/* Makes every appended record durable and visible to the reader. Returns how many records
 * became durable, or a negative errno (then they are not counted as spooled). */
long uplink_spool__sync(struct uplink_spool *s);

/* A run of records of one kind from the head of the spool. */
struct uplink_batch {
	enum uplink_kind kind;
	size_t n;
	struct vigil_buf body; /* the records as a JSON array: "[r1,r2,...]" (owned) */
	/* private: where the batch ends */
	uint64_t end_seq;
	uint64_t end_off;
};

/*
 * Reads the next records, in order, that share the first one's kind: at most max_items and
 * at most max_bytes of body (a single record larger than that comes alone). Fills b (its
 * body is reset first) and returns b->n; 0 when nothing durable is waiting; or a negative
 * errno. The records stay in the spool until uplink_spool__ack(b).
 */
int uplink_spool__peek(struct uplink_spool *s, size_t max_items, size_t max_bytes,
		       struct uplink_batch *b);
/* Removes the records of b (peeked last) from the spool. 0 or a negative errno. */
int uplink_spool__ack(struct uplink_spool *s, const struct uplink_batch *b);
void uplink_batch__release(struct uplink_batch *b);

void uplink_spool__stats(const struct uplink_spool *s, struct uplink_spool_stats *ret);

#endif
