/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the cockpit answers (internal to sensor/uplink): the counts of a batch and the token of
 * an enrolment. The cockpit is authenticated (TLS, pinned CA), but its answer is still input:
 * whatever it says, the counts add up to the records sent and a token is a bounded, printable
 * word.
 */
#ifndef VIGIL_UPLINK_ANSWER_H
#define VIGIL_UPLINK_ANSWER_H

#include <stddef.h>
#include <stdint.h>

struct uplink_answer {
	uint64_t accepted, duplicates, rejected; /* add up to the n records sent */
	char why[128];				 /* the first refused item's error, "" for none */
};

/*
 * Reads {"accepted":N,"duplicates":D,"rejected":[{"index":i,"error":"..."}]} for a 2xx answer
 * to n records; what it does not say is counted as accepted. -EPROTO when the body is not
 * such an object with a whole number "accepted": not the cockpit's answer (a proxy's page, a
 * server at the wrong address), so not a sign that anything was stored (ret is filled still).
 */
int uplink_answer__parse(const char *body, size_t len, size_t n, struct uplink_answer *ret);

/*
 * The node token of an enrolment answer {"node":NAME,"token":TOKEN}: 0 and copied into buf,
 * or -EPROTO when there is none that is UPLINK_TOKEN_MIN..UPLINK_TOKEN_MAX printable
 * characters (and fits size).
 */
int uplink_answer__token(const char *body, size_t len, char *buf, size_t size);

#endif
