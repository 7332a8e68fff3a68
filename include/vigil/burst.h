/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bursts: one alert per burst of the same rule by the same actor in one workload, instead of
 * dozens (docs/DETECTION.md §6). Every rule goes through it, in the alert pipeline
 * (vigil/agent.h, struct vigil_alert_pipe), after the detector's cooldown:
 *
 *   - the first alert of a burst goes out at once, as it always did, and opens a window;
 *   - every further alert of that rule by that actor in that workload within the window is
 *     folded: counted exactly, its key kept (up to VIGIL_BURST_KEYS distinct keys), nothing
 *     sent; an alert with a further distinct key closes the window (its summary sent) and goes
 *     out itself at once, so every distinct key is in some alert (decoys cannot hide one);
 *   - when the window closes (vigil_bursts__tick), or when VIGIL_BURST_MAX_FOLD alerts were
 *     folded, one summary alert goes out: the first folded alert as it would have been sent,
 *     with "burst": {count, keys, keys_omitted, first, last, window_s, opened_by} and a message
 *     that says how many; then a new window opens. A window that closes empty ends the burst;
 *   - what the burst means where it is clear: R0005 names under one registered domain that
 *     carry data (many unique, with runs of encoded data new in each) are DNS tunnelling,
 *     said in the summary ("dns_tunnel") at the severity of the scale's row for it
 *     (VIGIL_BURST_TUNNEL_SEV).
 *     The names are tallied per workload and uid (not per process: a tunnel split over one
 *     short-lived resolver per name adds up), for an hour after the last one.
 *
 * The actor is who did it: the process (for an exec, the process that started it), its
 * program (the cooldown's: for an exec the parent's executable), its uid and effective uid, so
 * a new program (also one that replaced itself by execve), or an escalation, opens a burst of
 * its own and is sent at once. Never folded: an alert the kernel acted on (kill), an alert of
 * severity VIGIL_BURST_NEVER_FOLD_SEV and up, an alert whose key a summary could not keep
 * whole (VIGIL_BURST_KEY_BYTES or longer), and alerts raised without an event (R1016, health).
 * Bounded: at most VIGIL_BURST_OPEN bursts are open; beyond that the oldest window is closed
 * early (its summary sent), never dropped. Folded
 * alerts live only in memory until their summary: an agent killed with SIGKILL loses up to one
 * window of them (their first alert was sent).
 *
 * Not thread-safe: the thread that raises alerts calls it.
 */
#ifndef VIGIL_BURST_H
#define VIGIL_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/alert.h"

struct json_t;
struct vigil_bursts;

#define VIGIL_BURST_DEFAULT_WINDOW_NS (10ULL * 1000000000ULL)
#define VIGIL_BURST_MAX_FOLD	      1000u /* folded alerts per summary */
#define VIGIL_BURST_KEYS	      16u   /* distinct keys named per summary */
#define VIGIL_BURST_KEY_BYTES	      256u  /* an alert with a longer key is never folded */
#define VIGIL_BURST_OPEN	      1024u /* bursts open at once */
#define VIGIL_BURST_TUNNEL_SEV	      8
#define VIGIL_BURST_NEVER_FOLD_SEV    8 /* alerts of this severity and up: never folded */

/*
 * Receives each summary: sa carries the rule, time (the last folded alert's), message, key, the
 * repeats summed and the workload (a copy, valid during the call); j is its JSON (borrowed:
 * the receiver may add members, e.g. "alert_id", "incident_id"). A value < 0 is returned by
 * the call that closed the window.
 */
typedef int (*vigil_burst_out_fn)(const struct vigil_alert *sa, struct json_t *j, void *ctx);

/* window_ns 0 = default (10 s). Returns NULL (errno) on failure. */
struct vigil_bursts *vigil_bursts__new(uint64_t window_ns);
/* Accepts NULL. Open bursts are forgotten: call vigil_bursts__flush first. */
void vigil_bursts__free(struct vigil_bursts *b);

/*
 * Alert a is about to be sent. Returns 0 when it is to be sent (it opened a burst, carries a
 * key the window could not name, or cannot be folded: then call vigil_bursts__annotate), 1
 * when it was folded (do not send it), or out's value < 0 when a summary it completed failed.
 * out receives a summary that a full count, a further key or the bound on open bursts made due.
 */
int vigil_bursts__alert(struct vigil_bursts *b, const struct vigil_alert *a, vigil_burst_out_fn out,
			void *ctx);
/*
 * The alert vigil_bursts__alert just said to send (0), encoded as j with its "alert_id": the
 * burst it opened records that id ("opened_by" of its summaries); and when the names of its
 * workload and user are a DNS tunnel already (a tunnel slower than the window, or split over
 * processes: each name opens a burst), j gets "dns_tunnel", severity and message as a summary
 * would. Returns 1 when it named a tunnel, 0 when not, -ENOMEM.
 */
int vigil_bursts__annotate(struct vigil_bursts *b, struct json_t *j);
/* Sends the summaries of windows closed by now_ns (CLOCK_REALTIME). Returns how many, or < 0. */
int vigil_bursts__tick(struct vigil_bursts *b, uint64_t now_ns, vigil_burst_out_fn out, void *ctx);
/* Sends every pending summary now (at exit). Returns how many, or < 0. */
int vigil_bursts__flush(struct vigil_bursts *b, vigil_burst_out_fn out, void *ctx);

struct vigil_burst_stats {
	uint64_t opened;    /* bursts opened (their first alert sent) */
	uint64_t folded;    /* alerts folded into a summary */
	uint64_t summaries; /* summaries sent */
	uint64_t tunnels;   /* summaries that named DNS tunnelling */
	size_t open;	    /* bursts open now */
};
void vigil_bursts__stats(const struct vigil_bursts *b, struct vigil_burst_stats *ret);

/* ---- DNS tunnelling: what a burst of R0005 names means (sensor/detect/dns_tunnel.c) -------- */

struct vigil_dns_tally;

struct vigil_dns_tunnel {
	char domain[256];	/* the registered domain the names are under */
	uint32_t unique_names;	/* distinct names under it (counted up to a bound, then each) */
	uint32_t data_names;	/* of them, names whose labels carry data (new random runs) */
	uint32_t max_label_len; /* the longest label below the domain */
	double entropy;		/* mean bits per character of the part below the domain */
};

struct vigil_dns_tally *vigil_dns_tally__new(void);
void vigil_dns_tally__free(struct vigil_dns_tally *t);
/* Counts one DNS question name (lower case, no trailing dot). -ENOMEM. */
int vigil_dns_tally__add(struct vigil_dns_tally *t, const char *name);
/*
 * The domain with most names; returns true when its names are tunnelling: at least
 * VIGIL_DNS_TUNNEL_NAMES unique names under it, and at least that many of them carry data.
 * ret gets the domain's figures either way (domain "" when nothing was counted).
 */
#define VIGIL_DNS_TUNNEL_NAMES 10u
bool vigil_dns_tally__verdict(const struct vigil_dns_tally *t, struct vigil_dns_tunnel *ret);
/* The registered domain of name (its last two labels, three under a ccTLD's public second
 * level such as co.uk): a pointer into name. */
const char *vigil_dns_registered_domain(const char *name);

#endif
