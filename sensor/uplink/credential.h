/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's credential (internal to sensor/uplink): reading a token file, enrolling with a
 * join token, and keeping the node token it got.
 */
#ifndef VIGIL_UPLINK_CREDENTIAL_H
#define VIGIL_UPLINK_CREDENTIAL_H

#include <stddef.h>

#include "sensor/uplink/client.h"

#define UPLINK_TOKEN_MIN 16
#define UPLINK_TOKEN_MAX 512

/*
 * Reads a token file: one line (surrounding white space is not part of it), at least
 * UPLINK_TOKEN_MIN printable characters. A file others may read is refused: a node token
 * is a password. 0, or a negative errno with why filled.
 */
int uplink_token__read(const char *path, char *buf, size_t size, char *why, size_t why_size);

/* Writes the token atomically, mode 0600. 0 or a negative errno. */
int uplink_token__store(const char *path, const char *token);

/*
 * POST /api/v1/enroll with the join token and {"node": node}. On a 200 with a token, copies
 * it into buf and returns 0. Otherwise returns -EIO (no answer: retry later), -EACCES (the
 * join token was refused: retrying will not help until an administrator acts) or -EPROTO
 * (an answer without a usable token); *status is the HTTP status (0 for none), why says more.
 */
int uplink_enroll(struct uplink_client *c, const char *join_token, const char *node, char *buf,
		  size_t size, long *status, char *why, size_t why_size);

#endif
