/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An alert's columns read straight from its JSON text, without a parsed tree (alert_text.c).
 * Only for the store's ingest path: what it cannot read exactly as jansson would, it leaves to
 * jansson.
 */
#ifndef VIGIL_STORE_ALERT_TEXT_H
#define VIGIL_STORE_ALERT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The members of an alert the row, its record and its incident are made of. */
enum alert_field {
	AF_RULE_ID,
	AF_ALERT_ID,
	AF_TIME,
	AF_NODE,
	AF_INCIDENT_ID,
	AF_RULE_NAME,
	AF_SEVERITY,
	AF_MESSAGE,
	AF_WL_ID, /* workload.id ... */
	AF_WL_CONTAINER_ID,
	AF_WL_CGROUP,
	AF_WL_NAME,
	AF_WL_NAMESPACE,
	AF_PID, /* process.pid */
	AF_COMM,
	AF__MAX
};

enum alert_value {
	AV_ABSENT,
	AV_STRING,
	AV_INTEGER,
	AV_OTHER
};

struct alert_member {
	enum alert_value kind;
	const char *s; /* AV_STRING: decoded, NUL-terminated (in the scan's scratch) */
	size_t len;
	int64_t i; /* AV_INTEGER */
};

struct alert_text {
	struct alert_member f[AF__MAX];
	size_t start, end; /* the object's text: from its { to after its } */
};

/*
 * Reads the object at text[*at] (whitespace before it skipped) into a; *at then points past
 * it. scratch (size bytes) holds the decoded strings. false when the text is not an object
 * this reader takes for certain as jansson (JSON_REJECT_DUPLICATES) would parse it: invalid,
 * a duplicate key, a key with an escape, \u0000 or a surrogate escape, a number that may not
 * fit, nested deeper than 64, or scratch too small. The caller then asks jansson.
 */
bool store_alert_text_read(const char *text, size_t len, size_t *at, struct alert_text *a,
			   char *scratch, size_t size);

#endif
