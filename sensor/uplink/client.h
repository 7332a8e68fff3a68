/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The uplink's HTTP client (internal to sensor/uplink): one libcurl handle, reused between
 * requests so the TLS session and connection stay up, used by one thread.
 */
#ifndef VIGIL_UPLINK_CLIENT_H
#define VIGIL_UPLINK_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define UPLINK_REPLY_MAX (1u << 20) /* a longer answer is cut off: not a cockpit */

struct uplink_client;

struct uplink_client_opts {
	const char *url;     /* the cockpit's base URL (checked with vigil_uplink__check_url) */
	const char *ca_file; /* pinned CA bundle (PEM); NULL = the system's */
	uint64_t connect_timeout_ns;
	uint64_t timeout_ns;	  /* the whole request */
	const atomic_bool *abort; /* set: a transfer in progress gives up (shutdown) */
	/* called during a transfer, about every 100 ms (libcurl's progress callback), in the
	 * thread that posts: a slow cockpit must not hold up the spooling of new records */
	void (*tick)(void *ctx);
	void *tick_ctx;
};

/* NULL and errno set on failure. */
struct uplink_client *uplink_client__new(const struct uplink_client_opts *o);
void uplink_client__free(struct uplink_client *c);

/*
 * POSTs body (JSON, len bytes) to BASE + path with "Authorization: Bearer token". Returns 0
 * with *status set when the server answered (any status; its body in reply, at most
 * UPLINK_REPLY_MAX), or -EIO when it did not (refused, timed out, TLS failure, aborted):
 * then err says why.
 */
int uplink_client__post(struct uplink_client *c, const char *path, const char *token,
			const char *body, size_t len, long *status, struct vigil_buf *reply,
			char *err, size_t err_size);

/* The last request failed because the server's certificate was refused (TLS verification):
 * nothing of the request was sent to it. */
bool uplink_client__peer_refused(const struct uplink_client *c);

/* Seconds the last answer asked to wait (Retry-After), 0 when it did not. */
long uplink_client__retry_after(const struct uplink_client *c);

#endif
