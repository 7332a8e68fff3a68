// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink's thread: moves what callers queued into the spool (durable before it counts),
 * then talks to the cockpit: enrolment when there is no node token yet, the newest heartbeat,
 * and the spool's head, one batch at a time, in order. What an answer means:
 *
 *   2xx            stored (accepted, duplicates and per-item refusals counted from the body);
 *                  the batch leaves the spool
 *   401, 403       the credential was refused: the records stay, the token file is read again
 *                  and the request retried with backoff (revoking a node must not silently
 *                  delete its evidence; the loss, if the spool fills, is reported)
 *   413            the batch is halved; a single record that is still too large is refused
 *   408, 429, 5xx,
 *   no answer      retried with backoff (exponential, with jitter, capped; a Retry-After
 *                  within the cap is honoured)
 *   other 4xx      refused for good: counted as rejected, the batch leaves the spool
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/uplink/answer.h"
#include "sensor/uplink/uplink_internal.h"
#include "util/strutil.h"

enum outcome {
	OUT_OK,
	OUT_RETRY,
	OUT_AUTH,
	OUT_REJECT,
	OUT_TOO_LARGE,
};

static const char *const endpoint[UPLINK_KINDS] = {
	[UPLINK_ALERT] = "/api/v1/alerts",
	[UPLINK_REPORT] = "/api/v1/reports",
	[UPLINK_PROFILE] = "/api/v1/profiles",
};

static enum outcome classify(int e, long status)
{
	/*
	 * A redirect is not the cockpit's verdict on the records either: the agent follows none
	 * (its token would go elsewhere), and treating it as a refusal dropped the whole spool
	 * of a node whose cockpit URL a proxy answered with 301. Kept and retried, like 5xx.
	 */
	if (e < 0 || status == 408 || status == 429 || status >= 500 || status < 200 ||
	    (status >= 300 && status < 400))
		return OUT_RETRY;
	if (status < 300)
		return OUT_OK;
	if (status == 401 || status == 403)
		return OUT_AUTH;
	if (status == 413)
		return OUT_TOO_LARGE;
	return OUT_REJECT;
}

static uint64_t backoff_ns(struct vigil_uplink *u)
{
	uint64_t d = u->retry_base_ns;

	for (unsigned i = 1; i < u->attempt && d < u->retry_cap_ns; i++)
		d *= 2;
	if (d > u->retry_cap_ns)
		d = u->retry_cap_ns;
	/* a uniform pick in [d/2, d]: a fleet that lost its cockpit does not retry in step */
	u->rng ^= u->rng << 13, u->rng ^= u->rng >> 7, u->rng ^= u->rng << 17;
	return d / 2 + (d / 2 ? u->rng % (d / 2 + 1) : 0);
}

/* Bookkeeping of one answer (or its absence). Called without the lock. */
static void note_result(struct vigil_uplink *u, enum outcome o, long status, const char *err)
{
	bool refused = uplink_client__peer_refused(u->client);

	pthread_mutex_lock(&u->mu);
	u->st.requests++;
	u->st.last_status = status;
	if (refused)
		u->st.untrusted++;
	if (o == OUT_OK) {
		u->trust_alert_mono = 0; /* the cockpit is trusted again: a new refusal is news */
		u->attempt = 0;
		u->backoff_until = 0;
		u->batch_limit = u->batch_max;
		u->st.connected = true;
		u->st.last_ok_unix = (int64_t)time(NULL);
		u->st.last_error[0] = '\0';
	} else {
		u->st.connected = false;
		if (o == OUT_RETRY)
			u->st.failures++;
		if (o == OUT_AUTH)
			u->st.auth_failures++;
		vigil_strlcpy(u->st.last_error, err, sizeof(u->st.last_error));
		if (o == OUT_RETRY || o == OUT_AUTH) {
			uint64_t wait = backoff_ns(u);
			uint64_t asked =
				(uint64_t)uplink_client__retry_after(u->client) * 1000000000ull;

			/* a busy cockpit's Retry-After is honoured, within the backoff's cap */
			if (o == OUT_RETRY && asked > wait)
				wait = asked < u->retry_cap_ns ? asked : u->retry_cap_ns;
			u->attempt++;
			u->backoff_until = uplink_now_mono() + wait;
		}
	}
	pthread_mutex_unlock(&u->mu);
}

static void copy_spool_stats(struct vigil_uplink *u)
{
	struct uplink_spool_stats ss;

	uplink_spool__stats(u->spool, &ss);
	pthread_mutex_lock(&u->mu);
	u->st.spool_items = ss.items;
	u->st.spool_bytes = ss.bytes;
	u->st.spool_torn = ss.torn;
	u->st.spool_torn_bytes = ss.torn_bytes;
	pthread_mutex_unlock(&u->mu);
}

/* Moves every queued item into the spool and makes them durable. */
static void commit_queue(struct vigil_uplink *u, struct uplink_item *items)
{
	size_t n = 0;
	char why[160] = "";
	long synced;

	pthread_mutex_lock(&u->mu);
	while (u->qn) {
		items[n++] = u->q[u->qhead];
		u->q[u->qhead].text = NULL;
		u->qhead = (u->qhead + 1) % u->qcap;
		u->qn--;
	}
	u->st.waiting = 0;
	pthread_mutex_unlock(&u->mu);
	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		struct uplink_spool_stats before, after;
		int e;

		uplink_spool__stats(u->spool, &before);
		e = uplink_spool__append(u->spool, items[i].kind, items[i].text, items[i].len,
					 items[i].reserve);
		if (e < 0) {
			uplink_spool__stats(u->spool, &after);
			pthread_mutex_lock(&u->mu);
			u->st.dropped[items[i].kind - 1]++;
			u->st.dropped_health += items[i].reserve;
			pthread_mutex_unlock(&u->mu);
			/* the spool's own bound is no failure; the disk's ENOSPC is */
			if (after.dropped_full == before.dropped_full)
				snprintf(why, sizeof(why), "spool %s: %s", u->spool_dir,
					 strerror(-e));
		}
		free(items[i].text);
		items[i].text = NULL;
	}
	synced = uplink_spool__sync(u->spool);
	if (synced < 0)
		snprintf(why, sizeof(why), "spool %s: %s", u->spool_dir, strerror((int)-synced));
	copy_spool_stats(u);
	if (why[0]) {
		pthread_mutex_lock(&u->mu);
		vigil_strlcpy(u->st.last_error, why, sizeof(u->st.last_error));
		vigil_strlcpy(u->st.spool_error, why, sizeof(u->st.spool_error));
		pthread_mutex_unlock(&u->mu);
	}
}

/* A refused token may have been replaced on disk: read it again before the next try. */
static void reread_token(struct vigil_uplink *u)
{
	const char *f = u->token_file ? u->token_file : u->node_token_file;
	char why[160];

	if (f && uplink_token__read(f, u->token, sizeof(u->token), why, sizeof(why)) < 0 &&
	    !u->token_file)
		u->token[0] = '\0';
}

/*
 * Enrols with the join token. A node whose stored token is refused later does not enrol
 * again by itself: that would undo a revocation.
 */
static bool ensure_token(struct vigil_uplink *u)
{
	char join[UPLINK_TOKEN_MAX + 1], why[160], tok[UPLINK_TOKEN_MAX + 1];
	long status = 0;
	int e;

	if (u->token[0])
		return true;
	if (!u->join_token_file)
		return false;
	e = uplink_token__read(u->join_token_file, join, sizeof(join), why, sizeof(why));
	if (!e)
		e = uplink_enroll(u->client, join, u->node, tok, sizeof(tok), &status, why,
				  sizeof(why));
	explicit_bzero(join, sizeof(join));
	if (!e && (e = uplink_token__store(u->node_token_file, tok)) < 0)
		snprintf(why, sizeof(why), "cannot keep the node token in %s: %s",
			 u->node_token_file, strerror(-e));
	if (e < 0) {
		explicit_bzero(tok, sizeof(tok));
		note_result(u, e == -EIO ? OUT_RETRY : OUT_AUTH, status, why);
		return false;
	}
	vigil_strlcpy(u->token, tok, sizeof(u->token));
	explicit_bzero(tok, sizeof(tok));
	note_result(u, OUT_OK, status, "");
	pthread_mutex_lock(&u->mu);
	u->st.enrolments++;
	u->st.have_token = true;
	pthread_mutex_unlock(&u->mu);
	return true;
}

static bool send_heartbeat(struct vigil_uplink *u, struct vigil_buf *reply)
{
	struct vigil_uplink_stats st;
	json_t *state, *hb;
	char *text, err[160] = "";
	long status = 0;
	uint64_t seq;
	enum outcome o;
	int e;

	pthread_mutex_lock(&u->mu);
	state = u->hb_state;
	u->hb_state = NULL;
	seq = ++u->hb_seq;
	st = u->st;
	pthread_mutex_unlock(&u->mu);
	if (!state)
		return true;
	hb = uplink_heartbeat__build(u, state, seq, &st);
	text = hb ? uplink_heartbeat__text(hb) : NULL;
	json_decref(hb);
	if (!text) {
		json_decref(state);
		return true;
	}
	e = uplink_client__post(u->client, "/api/v1/heartbeat", u->token, text, strlen(text),
				&status, reply, err, sizeof(err));
	free(text);
	o = classify(e, status);
	if (o != OUT_OK && !err[0])
		snprintf(err, sizeof(err), "heartbeat: HTTP %ld", status);
	note_result(u, o, status, err);
	if (o == OUT_AUTH)
		reread_token(u);
	pthread_mutex_lock(&u->mu);
	if (o == OUT_OK) {
		u->st.heartbeats_sent++;
		json_decref(state);
	} else {
		u->st.heartbeats_failed++;
		/* kept for the next try unless a newer state came meanwhile */
		if (!u->hb_state && o != OUT_REJECT && o != OUT_TOO_LARGE)
			u->hb_state = state;
		else
			json_decref(state);
	}
	pthread_mutex_unlock(&u->mu);
	return o == OUT_OK || o == OUT_REJECT || o == OUT_TOO_LARGE;
}

/* Counts what a 2xx answer says about a batch. */
static void count_stored(struct vigil_uplink *u, int k, const struct uplink_answer *ans)
{
	struct uplink_answer a = *ans;

	pthread_mutex_lock(&u->mu);
	u->st.accepted[k] += a.accepted;
	u->st.duplicates[k] += a.duplicates;
	u->st.rejected[k] += a.rejected;
	if (a.rejected)
		snprintf(u->st.last_error, sizeof(u->st.last_error),
			 "cockpit refused %llu %s(s): %s", (unsigned long long)a.rejected,
			 uplink_kind_name((unsigned)k + 1), a.why);
	pthread_mutex_unlock(&u->mu);
}

/* Sends the spool's head. false when the cockpit should not be asked again yet. */
static bool send_batch(struct vigil_uplink *u, struct uplink_batch *b, struct vigil_buf *reply)
{
	char err[160] = "";
	struct uplink_answer ans;
	long status = 0;
	enum outcome o;
	int n, e, k;

	n = uplink_spool__peek(u->spool, u->batch_limit, u->batch_bytes, b);
	if (n <= 0) {
		if (n < 0) {
			pthread_mutex_lock(&u->mu);
			snprintf(u->st.last_error, sizeof(u->st.last_error), "spool %s: %s",
				 u->spool_dir, strerror(-n));
			pthread_mutex_unlock(&u->mu);
		}
		return false;
	}
	k = (int)b->kind - 1;
	e = uplink_client__post(u->client, endpoint[b->kind], u->token, b->body.data, b->body.len,
				&status, reply, err, sizeof(err));
	o = classify(e, status);
	/* a 2xx that does not count the records did not store them: kept, retried */
	if (o == OUT_OK && uplink_answer__parse(reply->data, reply->len, (size_t)n, &ans)) {
		o = OUT_RETRY;
		snprintf(err, sizeof(err), "%s: HTTP %ld but not the cockpit's answer (no counts)",
			 endpoint[b->kind], status);
	}
	if (o == OUT_TOO_LARGE && n > 1) {
		/* the same records again, in smaller requests; nothing is lost */
		pthread_mutex_lock(&u->mu);
		u->batch_limit = (size_t)n / 2;
		u->st.requests++;
		pthread_mutex_unlock(&u->mu);
		return true;
	}
	if (o != OUT_OK && !err[0])
		snprintf(err, sizeof(err), "%s: HTTP %ld", endpoint[b->kind], status);
	note_result(u, o, status, err);
	if (o == OUT_AUTH)
		reread_token(u);
	if (o == OUT_RETRY || o == OUT_AUTH)
		return false;
	if (o == OUT_OK) {
		count_stored(u, k, &ans);
	} else {
		pthread_mutex_lock(&u->mu);
		u->st.rejected[k] += (uint64_t)n;
		pthread_mutex_unlock(&u->mu);
	}
	uplink_spool__ack(u->spool, b);
	copy_spool_stats(u);
	return true;
}

static void net_step(struct vigil_uplink *u, struct uplink_batch *b, struct vigil_buf *reply)
{
	if (!ensure_token(u))
		return;
	if (!send_heartbeat(u, reply))
		return;
	send_batch(u, b, reply);
}

static bool net_work(const struct vigil_uplink *u)
{
	return u->hb_state || u->st.spool_items || (!u->st.have_token && u->join_token_file);
}

static void wait_work(struct vigil_uplink *u, uint64_t deadline)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline / 1000000000ull);
	ts.tv_nsec = (long)(deadline % 1000000000ull);
	pthread_cond_timedwait(&u->cv_work, &u->mu, &ts);
}

/*
 * While a request is in flight (a slow or hostile cockpit holds it up to the request timeout),
 * new records still reach the disk: the memory queue stays small and a kill -9 loses little.
 * Appending while a peeked batch waits for its answer is safe: the batch ends at a fixed
 * position, and the acknowledgement moves the cursor there and no further.
 */
void uplink_sender__tick(void *ctx)
{
	struct vigil_uplink *u = ctx;
	bool any;

	if (!u->items)
		return;
	pthread_mutex_lock(&u->mu);
	any = u->qn > 0;
	pthread_mutex_unlock(&u->mu);
	if (any)
		commit_queue(u, u->items);
}

void *uplink_sender__main(void *arg)
{
	struct vigil_uplink *u = arg;
	struct uplink_item *items = calloc(u->qcap, sizeof(*items));
	struct uplink_batch b = { 0 };
	struct vigil_buf reply = VIGIL_BUF_INIT;

	u->items = items;
	pthread_mutex_lock(&u->mu);
	while (!atomic_load(&u->abort) && items) {
		uint64_t now = uplink_now_mono();
		bool due = net_work(u) && now >= u->backoff_until;

		if (!u->qn && !due) {
			u->busy = false;
			pthread_cond_broadcast(&u->cv_idle);
			wait_work(u, net_work(u) ? u->backoff_until : now + 1000000000ull);
			continue;
		}
		u->busy = true;
		pthread_mutex_unlock(&u->mu);
		commit_queue(u, items);
		if (due)
			net_step(u, &b, &reply);
		pthread_mutex_lock(&u->mu);
	}
	u->busy = true;
	pthread_mutex_unlock(&u->mu);
	/* nothing queued stays in memory: it reaches the spool for the next run */
	if (items)
		commit_queue(u, items);
	pthread_mutex_lock(&u->mu);
	u->busy = false;
	pthread_cond_broadcast(&u->cv_idle);
	pthread_mutex_unlock(&u->mu);
	uplink_batch__release(&b);
	vigil_buf__release(&reply);
	u->items = NULL;
	free(items);
	return NULL;
}
