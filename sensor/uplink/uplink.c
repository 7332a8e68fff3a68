// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink object, callers' side: options, the bounded in-memory queue the agent's thread
 * fills (records go to disk in the uplink's own thread, sender.c), counters, the V0003
 * health alert, flush and shutdown.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sensor/uplink/thin.h"
#include "sensor/uplink/uplink_internal.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/strutil.h"
#include "vigil/alert.h"

#define DEFAULT_HEARTBEAT (10ull * 1000000000ull)

uint64_t uplink_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t uplink_lost_total(const struct vigil_uplink_stats *st)
{
	uint64_t n = st->spool_torn;

	for (int k = 0; k < VIGIL_UPLINK_NKINDS; k++)
		n += st->dropped[k] + st->rejected[k];
	/* a V0003 that could not be kept is not news for the next one: on a full disk each
	 * would otherwise announce the loss of the one before, forever */
	return n - st->dropped_health;
}

static char *dup_opt(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

static void uplink_release(struct vigil_uplink *u)
{
	for (size_t i = 0; i < u->qn; i++)
		free(u->q[(u->qhead + i) % u->qcap].text);
	free(u->q);
	json_decref(u->hb_state);
	uplink_client__free(u->client);
	uplink_spool__free(u->spool);
	explicit_bzero(u->token, sizeof(u->token));
	free(u->url);
	free(u->token_file);
	free(u->join_token_file);
	free(u->node_token_file);
	free(u->ca_file);
	free(u->spool_dir);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->cv_work);
	pthread_cond_destroy(&u->cv_idle);
	free(u);
}

/* A node token given, or kept from an earlier enrolment; none yet is fine with a join token. */
static int load_token(struct vigil_uplink *u, struct vigil_error *err)
{
	char why[160];
	int e;

	if (u->token_file) {
		e = uplink_token__read(u->token_file, u->token, sizeof(u->token), why, sizeof(why));
		if (e < 0)
			return vigil_error__set(err, e, u->token_file, 0, 0,
						"cockpit token_file: %s", why);
		u->st.have_token = true;
		return 0;
	}
	if (u->node_token_file && access(u->node_token_file, F_OK) == 0) {
		e = uplink_token__read(u->node_token_file, u->token, sizeof(u->token), why,
				       sizeof(why));
		if (e < 0)
			return vigil_error__set(err, e, u->node_token_file, 0, 0,
						"the node token kept from enrolment: %s", why);
		u->st.have_token = true;
		return 0;
	}
	/* the join token is read when it is used, but it must be there now */
	e = uplink_token__read(u->join_token_file, why, sizeof(why), why, sizeof(why));
	if (e < 0) {
		char msg[160];

		vigil_strlcpy(msg, why, sizeof(msg));
		return vigil_error__set(err, e, u->join_token_file, 0, 0,
					"cockpit join_token_file: %s", msg);
	}
	explicit_bzero(why, sizeof(why));
	return 0;
}

static int start_thread(struct vigil_uplink *u)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int e;

	pthread_cond_destroy(&u->cv_work);
	pthread_cond_destroy(&u->cv_idle);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&u->cv_work, &ca);
	pthread_cond_init(&u->cv_idle, &ca);
	pthread_condattr_destroy(&ca);
	/* signals belong to the agent's thread; a SIGPIPE from a TLS write stays pending */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = -pthread_create(&u->thread, NULL, uplink_sender__main, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e)
		u->thread_started = true;
	return e;
}

int vigil_uplink__open(const struct vigil_uplink_opts *o, struct vigil_uplink **ret,
		       struct vigil_error *err)
{
	struct uplink_spool_opts so = { 0 };
	struct uplink_client_opts co = { 0 };
	struct uplink_spool_stats ss;
	struct vigil_uplink *u;
	char why[256];
	int e;

	if (!o || !o->spool_dir || !o->spool_dir[0])
		return vigil_error__set(err, -EINVAL, "", 0, 0, "cockpit: no spool directory");
	if ((e = vigil_uplink__check_url(o->url, why, sizeof(why))) < 0)
		return vigil_error__set(err, e, "", 0, 0, "cockpit url: %s", why);
	if (!(o->token_file && o->token_file[0]) && !(o->join_token_file && o->join_token_file[0] &&
						      o->node_token_file && o->node_token_file[0]))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"cockpit: a token_file or a join_token_file is needed");
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv_work, NULL);
	pthread_cond_init(&u->cv_idle, NULL);
	u->url = dup_opt(o->url);
	u->token_file = dup_opt(o->token_file);
	u->join_token_file = u->token_file ? NULL : dup_opt(o->join_token_file);
	u->node_token_file = u->token_file ? NULL : dup_opt(o->node_token_file);
	u->ca_file = dup_opt(o->ca_file);
	u->spool_dir = dup_opt(o->spool_dir);
	if (o->node_name && o->node_name[0])
		vigil_strlcpy(u->node, o->node_name, sizeof(u->node));
	else if (gethostname(u->node, sizeof(u->node) - 1) < 0)
		vigil_strlcpy(u->node, "localhost", sizeof(u->node));
	u->heartbeat_ns = o->heartbeat_ns ? o->heartbeat_ns : DEFAULT_HEARTBEAT;
	u->retry_base_ns = o->retry_base_ns ? o->retry_base_ns : 200000000ull;
	u->retry_cap_ns = o->retry_cap_ns ? o->retry_cap_ns : u->heartbeat_ns;
	if (u->retry_cap_ns < u->retry_base_ns)
		u->retry_cap_ns = u->retry_base_ns;
	u->queue_max = o->queue_max ? o->queue_max : 10000;
	u->batch_max = o->batch_max ? o->batch_max : 500;
	u->batch_bytes = o->batch_bytes ? o->batch_bytes : (4u << 20);
	u->batch_limit = u->batch_max;
	u->qcap = u->queue_max + 64; /* + room for health alerts */
	u->q = calloc(u->qcap, sizeof(*u->q));
	u->started_mono = uplink_now_mono();
	if (getrandom(&u->rng, sizeof(u->rng), GRND_NONBLOCK) != (ssize_t)sizeof(u->rng) || !u->rng)
		u->rng = u->started_mono | 1;
	if (!u->url || !u->spool_dir || !u->q || (o->ca_file && o->ca_file[0] && !u->ca_file)) {
		uplink_release(u);
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	}
	if (u->ca_file && access(u->ca_file, R_OK) < 0) {
		e = vigil_error__set(err, -errno, u->ca_file, 0, 0, "cockpit ca_file: %s",
				     strerror(errno));
		uplink_release(u);
		return e;
	}
	e = load_token(u, err);
	if (e < 0) {
		uplink_release(u);
		return e;
	}
	so.dir = u->spool_dir;
	so.max_bytes = o->spool_max_bytes;
	so.reserve_bytes = UPLINK_HEALTH_RESERVE;
	e = uplink_spool__open(&so, &u->spool, err);
	if (e < 0) {
		uplink_release(u);
		return e;
	}
	uplink_spool__stats(u->spool, &ss);
	u->st.spool_items = ss.items;
	u->st.spool_bytes = ss.bytes;
	u->st.spool_torn = ss.torn;
	u->st.spool_torn_bytes = ss.torn_bytes;
	u->st.spool_recovered = ss.recovered;
	u->st.spool_max_bytes = o->spool_max_bytes ? o->spool_max_bytes : (64ull << 20);
	co.url = u->url;
	co.ca_file = u->ca_file;
	co.connect_timeout_ns = o->connect_timeout_ns ? o->connect_timeout_ns : 5000000000ull;
	co.timeout_ns = o->timeout_ns ? o->timeout_ns : 10000000000ull;
	co.abort = &u->abort;
	co.tick = uplink_sender__tick;
	co.tick_ctx = u;
	u->client = uplink_client__new(&co);
	if (!u->client) {
		uplink_release(u);
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "cockpit: cannot create a client");
	}
	uplink_heartbeat__host_facts(u);
	e = start_thread(u);
	if (e < 0) {
		uplink_release(u);
		return vigil_error__set(err, e, "", 0, 0, "cockpit: cannot start the uplink: %s",
					strerror(-e));
	}
	*ret = u;
	return 0;
}

/* Queues text (compact JSON, len bytes; taken over, freed here on failure). */
static int push_text(struct vigil_uplink *u, enum uplink_kind kind, char *text, size_t len,
		     bool reserve)
{
	struct uplink_item it = { .kind = kind, .reserve = reserve, .text = text, .len = len };
	size_t limit = u->queue_max + (reserve ? u->qcap - u->queue_max : 0);
	int idx = (int)kind - 1;

	pthread_mutex_lock(&u->mu);
	u->st.queued[idx]++;
	if (it.len > UPLINK_REC_MAX_LEN || u->qn >= limit || u->draining) {
		u->st.dropped[idx]++;
		u->st.dropped_health += reserve;
		pthread_mutex_unlock(&u->mu);
		free(it.text);
		return it.len > UPLINK_REC_MAX_LEN ? -EMSGSIZE : -ENOBUFS;
	}
	u->q[(u->qhead + u->qn) % u->qcap] = it;
	u->qn++;
	u->st.waiting = u->qn;
	if (u->qn == 1)
		pthread_cond_signal(&u->cv_work);
	pthread_mutex_unlock(&u->mu);
	return 0;
}

static int push(struct vigil_uplink *u, enum uplink_kind kind, const json_t *rec, bool reserve)
{
	char *text = json_dumps(rec, JSON_COMPACT);

	return text ? push_text(u, kind, text, strlen(text), reserve) : -ENOMEM;
}

int vigil_uplink__alert(struct vigil_uplink *u, const json_t *alert)
{
	const char *rule;

	if (!u || !json_is_string(json_object_get(alert, "alert_id")))
		return -EINVAL;
	rule = json_string_value(json_object_get(alert, "rule_id"));
	return push(u, UPLINK_ALERT, alert, rule && rule[0] == 'V');
}

int vigil_uplink__report(struct vigil_uplink *u, const json_t *report)
{
	char *text;
	size_t len = 0;
	int e;

	if (!u || !json_is_string(json_object_get(report, "incident_id")))
		return -EINVAL;
	/* a report over the record limit goes with fewer events rather than not at all */
	/* no larger than a batch: the cockpit stores it within a request's time */
	e = uplink_thin_report(report, u->batch_bytes, &text, &len);
	if (e == -EMSGSIZE || e == -ENOMEM) {
		pthread_mutex_lock(&u->mu);
		u->st.queued[VIGIL_UPLINK_REPORT]++;
		u->st.dropped[VIGIL_UPLINK_REPORT]++;
		pthread_mutex_unlock(&u->mu);
		return e;
	}
	if (e == 1) {
		pthread_mutex_lock(&u->mu);
		u->st.reports_thinned++;
		pthread_mutex_unlock(&u->mu);
	}
	return push_text(u, UPLINK_REPORT, text, len, false);
}

/* FNV-1a over the fields that make a profile record the same one. */
static uint64_t profile_key(const json_t *p)
{
	const json_t *w = json_object_get(p, "workload");
	const char *parts[] = { json_string_value(json_object_get(w, "name")),
				json_string_value(json_object_get(w, "namespace")),
				json_string_value(json_object_get(p, "kind")),
				json_string_value(json_object_get(p, "digest")) };
	uint64_t h = VIGIL_FNV1A_INIT;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *s = parts[i] ? parts[i] : "";

		h = vigil_fnv1a(h, s, strlen(s));
		h = vigil_fnv1a(h, "\xff", 1); /* ends the part: ("ab","c") is not ("a","bc") */
	}
	return h;
}

int vigil_uplink__profile(struct vigil_uplink *u, const json_t *profile)
{
	uint64_t key;
	int e;

	if (!u || !json_is_string(json_object_get(profile, "digest")) ||
	    !json_is_string(json_object_get(profile, "yaml")) ||
	    !json_is_object(json_object_get(profile, "workload")))
		return -EINVAL;
	/* the same profile bound again (a reload, a restart of a command) is sent once a run */
	key = profile_key(profile);
	pthread_mutex_lock(&u->mu);
	for (size_t i = 0; i < UPLINK_SEEN_MAX; i++) {
		if (u->seen[i] == key) {
			pthread_mutex_unlock(&u->mu);
			return 0;
		}
	}
	pthread_mutex_unlock(&u->mu);
	e = push(u, UPLINK_PROFILE, profile, false);
	if (!e) {
		pthread_mutex_lock(&u->mu);
		u->seen[u->seen_next] = key;
		u->seen_next = (u->seen_next + 1) % UPLINK_SEEN_MAX;
		pthread_mutex_unlock(&u->mu);
	}
	return e;
}

int vigil_uplink__heartbeat(struct vigil_uplink *u, const json_t *state)
{
	json_t *copy;

	if (!u || !json_is_object(state))
		return -EINVAL;
	copy = json_deep_copy(state);
	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&u->mu);
	json_decref(u->hb_state);
	u->hb_state = copy;
	pthread_cond_signal(&u->cv_work);
	pthread_mutex_unlock(&u->mu);
	return 0;
}

void vigil_uplink__stats(struct vigil_uplink *u, struct vigil_uplink_stats *ret)
{
	pthread_mutex_lock(&u->mu);
	*ret = u->st;
	pthread_mutex_unlock(&u->mu);
}

static json_t *per_kind(const uint64_t *v)
{
	return json_pack("{s:I, s:I, s:I}", "alerts", (json_int_t)v[VIGIL_UPLINK_ALERT], "reports",
			 (json_int_t)v[VIGIL_UPLINK_REPORT], "profiles",
			 (json_int_t)v[VIGIL_UPLINK_PROFILE]);
}

json_t *vigil_uplink__stats_json(struct vigil_uplink *u)
{
	struct vigil_uplink_stats st;

	vigil_uplink__stats(u, &st);
	return json_pack(
		"{s:s, s:s, s:b, s:b, s:I, s:I, s:s,"
		" s:o, s:o, s:o, s:o, s:o, s:I,"
		" s:{s:I, s:I, s:I, s:I, s:I, s:I},"
		" s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
		"url", u->url, "node", u->node, "connected", st.connected, "have_token",
		st.have_token, "last_status", (json_int_t)st.last_status, "last_ok",
		(json_int_t)st.last_ok_unix, "last_error", st.last_error, "queued",
		per_kind(st.queued), "accepted", per_kind(st.accepted), "duplicates",
		per_kind(st.duplicates), "rejected", per_kind(st.rejected), "dropped",
		per_kind(st.dropped), "waiting", (json_int_t)st.waiting, "spool", "items",
		(json_int_t)st.spool_items, "bytes", (json_int_t)st.spool_bytes, "max_bytes",
		(json_int_t)st.spool_max_bytes, "torn", (json_int_t)st.spool_torn, "torn_bytes",
		(json_int_t)st.spool_torn_bytes, "recovered", (json_int_t)st.spool_recovered,
		"requests", (json_int_t)st.requests, "failures", (json_int_t)st.failures,
		"auth_failures", (json_int_t)st.auth_failures, "untrusted",
		(json_int_t)st.untrusted, "heartbeats_sent", (json_int_t)st.heartbeats_sent,
		"heartbeats_failed", (json_int_t)st.heartbeats_failed, "enrolments",
		(json_int_t)st.enrolments, "reports_thinned", (json_int_t)st.reports_thinned,
		"dropped_health", (json_int_t)st.dropped_health, "spool_error", st.spool_error);
}

int vigil_uplink__health_alert(struct vigil_uplink *u, json_t **ret)
{
	struct vigil_alert va = { .rule = vigil_rule(VIGIL_V0003), .time_ns = vigil_realtime_ns() };
	struct vigil_uplink_stats st;
	uint64_t lost, fresh;
	char msg[512];
	json_t *event, *a;

	if (!u || !ret)
		return -EINVAL;
	pthread_mutex_lock(&u->mu);
	st = u->st;
	lost = uplink_lost_total(&st);
	fresh = lost - u->lost_reported;
	u->lost_reported = lost;
	pthread_mutex_unlock(&u->mu);
	if (!fresh)
		return 0;
	snprintf(msg, sizeof(msg),
		 "%llu record(s) for the cockpit %s were lost since the last report (queue or "
		 "spool full, refused by the cockpit, or damaged on disk); see event.totals",
		 (unsigned long long)fresh, u->url);
	event = json_pack("{s:s, s:s, s:I, s:{s:o, s:o, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:s}}",
			  "type", "health", "cockpit", u->url, "dropped", (json_int_t)fresh,
			  "totals", "dropped", per_kind(st.dropped), "rejected",
			  per_kind(st.rejected), "torn", (json_int_t)st.spool_torn, "torn_bytes",
			  (json_int_t)st.spool_torn_bytes, "dropped_health",
			  (json_int_t)st.dropped_health, "spool", "items",
			  (json_int_t)st.spool_items, "bytes", (json_int_t)st.spool_bytes,
			  "max_bytes", (json_int_t)st.spool_max_bytes, "error", st.spool_error);
	a = vigil_alert__health_json(&va, msg, event);
	if (!a)
		return -ENOMEM;
	*ret = a;
	return 1;
}

int vigil_uplink__trust_alert(struct vigil_uplink *u, json_t **ret)
{
	struct vigil_alert va = { .rule = vigil_rule(VIGIL_V0004), .time_ns = vigil_realtime_ns() };
	uint64_t refused, fresh;
	char msg[512], why[160];
	json_t *event, *a;

	if (!u || !ret)
		return -EINVAL;
	pthread_mutex_lock(&u->mu);
	refused = u->st.untrusted;
	fresh = refused - u->untrusted_reported;
	/* once when refusals start, then every UPLINK_TRUST_REALERT_NS while they go on */
	if (!fresh || (u->trust_alert_mono &&
		       uplink_now_mono() - u->trust_alert_mono < UPLINK_TRUST_REALERT_NS)) {
		pthread_mutex_unlock(&u->mu);
		return 0;
	}
	u->untrusted_reported = refused;
	u->trust_alert_mono = uplink_now_mono();
	vigil_strlcpy(why, u->st.last_error, sizeof(why));
	pthread_mutex_unlock(&u->mu);
	snprintf(
		msg, sizeof(msg),
		"the cockpit's address %s answered %llu time(s) with a certificate %s does not "
		"accept: someone else may be answering there. Nothing was sent to it (no token, no "
		"record); the records wait in the spool",
		u->url, (unsigned long long)fresh, u->ca_file ? u->ca_file : "the system's CAs");
	event = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "type", "health", "cockpit", u->url,
			  "ca_file", u->ca_file ? u->ca_file : "", "refused", (json_int_t)fresh,
			  "refused_total", (json_int_t)refused, "error", why);
	a = vigil_alert__health_json(&va, msg, event);
	if (!a)
		return -ENOMEM;
	*ret = a;
	return 1;
}

static void wait_idle(struct vigil_uplink *u, uint64_t deadline)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline / 1000000000ull);
	ts.tv_nsec = (long)(deadline % 1000000000ull);
	pthread_cond_timedwait(&u->cv_idle, &u->mu, &ts);
}

int vigil_uplink__flush(struct vigil_uplink *u, uint64_t timeout_ns)
{
	uint64_t deadline = uplink_now_mono() + timeout_ns;
	int e = 0;

	if (!u)
		return 0;
	pthread_mutex_lock(&u->mu);
	u->backoff_until = 0; /* try now rather than at the end of a backoff */
	pthread_cond_signal(&u->cv_work);
	while (u->qn || u->st.spool_items || u->busy) {
		if (uplink_now_mono() >= deadline) {
			e = -ETIMEDOUT;
			break;
		}
		wait_idle(u, deadline);
	}
	pthread_mutex_unlock(&u->mu);
	return e;
}

void vigil_uplink__free(struct vigil_uplink *u, uint64_t timeout_ns)
{
	uint64_t deadline = uplink_now_mono() + timeout_ns;

	if (!u)
		return;
	if (u->thread_started) {
		pthread_mutex_lock(&u->mu);
		u->draining = true;
		pthread_cond_signal(&u->cv_work);
		/* delivery is tried until the deadline; the thread spools the queue before it
		 * exits in any case */
		while ((u->qn || u->busy || u->st.spool_items) && uplink_now_mono() < deadline)
			wait_idle(u, deadline);
		atomic_store(&u->abort, true);
		pthread_cond_broadcast(&u->cv_work);
		pthread_mutex_unlock(&u->mu);
		pthread_join(u->thread, NULL);
	}
	uplink_release(u);
}
