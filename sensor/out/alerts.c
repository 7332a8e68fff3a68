// SPDX-License-Identifier: Apache-2.0
/*
 * The alert fan-out: parses sink specs, turns each alert into one shared message (deep copy +
 * compact JSON) and hands it to every sink. Local sinks write here; network sinks only enqueue.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sensor/out/sink.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/randid.h"
#include "util/strutil.h"
#include "vigil/alert.h"
#include "vigil/event.h"

#define MAX_SINKS      32
#define MAX_ALERT_SIZE (1u << 20)

struct vigil_alerts {
	struct vigil_alerts_opts opts;
	char node[256];
	pthread_mutex_t mu; /* sinks[] and health bookkeeping */
	struct vigil_sink *sinks[MAX_SINKS];
	size_t n_sinks;
	uint64_t health_dropped_seen; /* total dropped when the last health alert was built */
};

uint64_t vigil_sink__now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct vigil_alert_msg *vigil_alert_msg__get(struct vigil_alert_msg *m)
{
	atomic_fetch_add(&m->refs, 1);
	return m;
}

void vigil_alert_msg__put(struct vigil_alert_msg *m)
{
	if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	json_decref(m->json);
	free(m);
}

static void set_defaults(struct vigil_alerts_opts *o)
{
	if (!o->queue_max)
		o->queue_max = 10000;
	if (!o->batch_max)
		o->batch_max = 50;
	if (!o->batch_wait_ns)
		o->batch_wait_ns = 1000000000ull;
	if (!o->retry_base_ns)
		o->retry_base_ns = 200000000ull;
	if (!o->retry_cap_ns)
		o->retry_cap_ns = 30000000000ull;
	if (o->retry_cap_ns < o->retry_base_ns)
		o->retry_cap_ns = o->retry_base_ns;
	if (!o->connect_timeout_ns)
		o->connect_timeout_ns = 5000000000ull;
	if (!o->timeout_ns)
		o->timeout_ns = 10000000000ull;
	if (!o->resolve_ns)
		o->resolve_ns = 3600000000000ull;
}

struct vigil_alerts *vigil_alerts__new(const struct vigil_alerts_opts *opts)
{
	struct vigil_alerts *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (opts)
		a->opts = *opts;
	set_defaults(&a->opts);
	if (gethostname(a->node, sizeof(a->node) - 1) < 0)
		vigil_strlcpy(a->node, "localhost", sizeof(a->node));
	pthread_mutex_init(&a->mu, NULL);
	return a;
}

static void sink_free(struct vigil_sink *s)
{
	if (!s)
		return;
	if (s->type && s->type->queued)
		vigil_sink_queue__stop(s);
	if (s->tp && s->tp->destroy)
		s->tp->destroy(s->priv);
	if (s->fd >= 0 && s->type && s->type->own_file)
		close(s->fd);
	free(s->path);
	for (unsigned i = 0; i < s->cfg.n_headers; i++)
		free(s->cfg.headers[i]);
	free(s->cfg.cacert);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_idle);
	free(s);
}

/*
 * The sink as it is shown everywhere but its own configuration: status, /metrics labels,
 * health alerts and the heartbeat the cockpit stores and shows to every analyst. A spec holds
 * secrets (`header=Authorization: Bearer TOKEN`, as ALERTS.md advises, a URL's user:password
 * or its query), so those are written as three stars: a webhook to https://u:p@siem/x?k=v with
 * a header is shown as https://(stars)@siem/x?(stars) and "header=Authorization: (stars)".
 * What it keeps (kind, host, path, other options) still tells sinks apart.
 */
static void shown_spec(const char *spec, char *out, size_t size)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *opt = strchr(spec, ';'), *end = opt ? opt : spec + strlen(spec);
	const char *scheme = strstr(spec, "://"), *p = spec;

	if (scheme && scheme < end) {
		const char *host = scheme + 3, *slash = host + strcspn(host, "/?;"),
			   *at = memchr(host, '@', (size_t)(slash - host)),
			   *q = memchr(host, '?', (size_t)(end - host));

		vigil_buf__append(&b, spec, (size_t)(host - spec));
		if (at) {
			vigil_buf__puts(&b, "***");
			host = at;
		}
		vigil_buf__append(&b, host, (size_t)((q ? q : end) - host));
		if (q)
			vigil_buf__puts(&b, "?***");
		p = end;
	}
	while (*p) {
		size_t n = strcspn(p + 1, ";") + 1; /* one ";option" (or the address) */
		const char *colon = memchr(p, ':', n);

		if (vigil_str_has_prefix(p, ";header=") && colon) {
			vigil_buf__append(&b, p, (size_t)(colon - p));
			vigil_buf__puts(&b, ": ***");
		} else {
			vigil_buf__append(&b, p, n);
		}
		p += n;
	}
	vigil_strlcpy(out, b.data ? b.data : "", size);
	vigil_buf__release(&b);
}

int vigil_alerts__add_sink(struct vigil_alerts *a, const char *spec, struct vigil_error *err)
{
	struct vigil_sink *s;
	int ret;

	if (!a || !spec)
		return -EINVAL;
	if (a->n_sinks >= MAX_SINKS)
		return vigil_error__set(err, -E2BIG, "", 0, 0, "more than %d sinks", MAX_SINKS);
	s = calloc(1, sizeof(*s));
	if (!s)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	s->fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv_work, NULL);
	pthread_cond_init(&s->cv_idle, NULL);
	vigil_strlcpy(s->spec, spec, sizeof(s->spec));
	shown_spec(spec, s->st.spec, sizeof(s->st.spec));
	s->cfg = (struct vigil_sink_cfg){
		.queue_max = a->opts.queue_max,
		.batch_max = a->opts.batch_max,
		.batch_wait_ns = a->opts.batch_wait_ns,
		.retry_max = a->opts.retry_max,
		.retry_base_ns = a->opts.retry_base_ns,
		.retry_cap_ns = a->opts.retry_cap_ns,
		.connect_timeout_ns = a->opts.connect_timeout_ns,
		.timeout_ns = a->opts.timeout_ns,
		.resolve_ns = a->opts.resolve_ns,
		.facility = 16, /* local0 */
	};
	ret = vigil_sink__configure(s, spec, err);
	if (ret < 0)
		goto fail;
	if (s->type->queued && (ret = vigil_sink_queue__start(s)) < 0) {
		vigil_error__set(err, ret, "", 0, 0, "%s: cannot start the sink: %s", spec,
				 strerror(-ret));
		goto fail;
	}
	pthread_mutex_lock(&a->mu);
	if (a->n_sinks >= MAX_SINKS) { /* checked again: another thread may have added one */
		pthread_mutex_unlock(&a->mu);
		ret = vigil_error__set(err, -E2BIG, "", 0, 0, "more than %d sinks", MAX_SINKS);
		goto fail;
	}
	a->sinks[a->n_sinks++] = s;
	pthread_mutex_unlock(&a->mu);
	return 0;
fail:
	sink_free(s);
	return ret;
}

static struct vigil_alert_msg *msg_new(struct vigil_alerts *a, json_t *alert, int *ret)
{
	struct vigil_alert_msg *m;
	json_t *copy;
	const char *rule;
	char id[VIGIL_RANDOM_ID_LEN + 1];
	size_t len;
	char *line;

	copy = json_deep_copy(alert);
	if (!copy) {
		*ret = -ENOMEM;
		return NULL;
	}
	if (!json_is_string(json_object_get(copy, "alert_id"))) {
		vigil_random_id(id);
		json_object_set_new(copy, "alert_id", json_string(id));
	}
	if (!json_is_string(json_object_get(copy, "node")))
		json_object_set_new(copy, "node", json_string(a->node));
	line = json_dumps(copy, JSON_COMPACT);
	if (!line) {
		json_decref(copy);
		*ret = -ENOMEM;
		return NULL;
	}
	len = strlen(line);
	if (len > MAX_ALERT_SIZE) {
		free(line);
		json_decref(copy);
		*ret = -EMSGSIZE;
		return NULL;
	}
	m = malloc(sizeof(*m) + len + 1);
	if (!m) {
		free(line);
		json_decref(copy);
		*ret = -ENOMEM;
		return NULL;
	}
	atomic_init(&m->refs, 1);
	m->json = copy;
	rule = json_string_value(json_object_get(copy, "rule_id"));
	m->health = rule && rule[0] == 'V';
	m->len = len;
	memcpy(m->line, line, len + 1);
	free(line);
	return m;
}

int vigil_alerts__emit(struct vigil_alerts *a, struct json_t *alert)
{
	struct vigil_alert_msg *m;
	int ret = 0, r;
	size_t i, n;

	if (!a || !json_is_object(alert))
		return -EINVAL;
	m = msg_new(a, alert, &ret);
	if (!m)
		return ret;
	pthread_mutex_lock(&a->mu);
	n = a->n_sinks;
	pthread_mutex_unlock(&a->mu);
	/* sinks[] only grows and entries never move, so reading [0, n) unlocked is safe. */
	for (i = 0; i < n; i++) {
		struct vigil_sink *s = a->sinks[i];

		if (!s->type->queued)
			r = vigil_sink_local__write(s, m);
		else
			r = vigil_sink_queue__push(s, m);
		if (r < 0 && !ret)
			ret = r;
	}
	vigil_alert_msg__put(m);
	return ret;
}

int vigil_alerts__flush(struct vigil_alerts *a, uint64_t timeout_ns)
{
	uint64_t deadline = vigil_sink__now_mono() + timeout_ns;
	int ret = 0;
	size_t i, n;

	if (!a)
		return 0;
	pthread_mutex_lock(&a->mu);
	n = a->n_sinks;
	pthread_mutex_unlock(&a->mu);
	for (i = 0; i < n; i++)
		if (a->sinks[i]->type->queued)
			vigil_sink_queue__flush_begin(a->sinks[i]);
	for (i = 0; i < n; i++)
		if (a->sinks[i]->type->queued &&
		    vigil_sink_queue__wait_idle(a->sinks[i], deadline) < 0)
			ret = -ETIMEDOUT;
	for (i = 0; i < n; i++)
		if (a->sinks[i]->type->queued)
			vigil_sink_queue__flush_end(a->sinks[i]);
	return ret;
}

size_t vigil_alerts__stats(const struct vigil_alerts *a, struct vigil_sink_stats *out, size_t max)
{
	struct vigil_alerts *ma = (struct vigil_alerts *)a; /* locks only */
	size_t i, n;

	if (!a)
		return 0;
	pthread_mutex_lock(&ma->mu);
	n = a->n_sinks;
	pthread_mutex_unlock(&ma->mu);
	for (i = 0; i < n && i < max && out; i++) {
		struct vigil_sink *s = a->sinks[i];

		pthread_mutex_lock(&s->mu);
		out[i] = s->st;
		out[i].queued = s->count;
		pthread_mutex_unlock(&s->mu);
	}
	return n;
}

int vigil_alerts__reopen(struct vigil_alerts *a)
{
	int ret = 0, r;
	size_t i, n;

	if (!a)
		return -EINVAL;
	pthread_mutex_lock(&a->mu);
	n = a->n_sinks;
	pthread_mutex_unlock(&a->mu);
	for (i = 0; i < n; i++) {
		if (!a->sinks[i]->type->own_file)
			continue;
		r = vigil_sink_local__reopen(a->sinks[i]);
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

static json_t *stats_json(const struct vigil_sink_stats *st)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "spec", st->spec,
			 "sent", (json_int_t)st->sent, "queued", (json_int_t)st->queued, "retries",
			 (json_int_t)st->retries, "dropped", (json_int_t)st->dropped,
			 "dropped_full", (json_int_t)st->dropped_full, "dropped_rejected",
			 (json_int_t)st->dropped_rejected, "dropped_retries",
			 (json_int_t)st->dropped_retries, "failures", (json_int_t)st->failures,
			 "last_error", st->last_error);
}

int vigil_alerts__health_alert(struct vigil_alerts *a, struct json_t **ret)
{
	struct vigil_sink_stats st[MAX_SINKS];
	uint64_t total = 0, fresh;
	json_t *alert, *sinks, *names = NULL, *event;
	struct vigil_alert va = { .rule = vigil_rule(VIGIL_V0001), .time_ns = vigil_realtime_ns() };
	char msg[512];
	size_t i, n;
	int r = 0;

	if (!a || !ret)
		return -EINVAL;
	n = vigil_alerts__stats(a, st, MAX_SINKS);
	for (i = 0; i < n; i++)
		total += st[i].dropped;
	pthread_mutex_lock(&a->mu);
	fresh = total - a->health_dropped_seen;
	if (fresh)
		a->health_dropped_seen = total;
	pthread_mutex_unlock(&a->mu);
	if (!fresh)
		return 0;

	sinks = json_array();
	if (!sinks)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (json_array_append_new(sinks, stats_json(&st[i])) < 0)
			r = -ENOMEM;
	for (i = 0; i < n; i++)
		if (st[i].dropped) {
			names = json_string(st[i].spec);
			break;
		}
	snprintf(msg, sizeof(msg),
		 "%llu alert(s) could not be delivered since the last report "
		 "(first sink with drops: %s); see event.sinks",
		 (unsigned long long)fresh, names ? json_string_value(names) : "?");
	json_decref(names);
	event = json_pack("{s:s, s:o, s:I}", "type", "health", "sinks", sinks, "dropped",
			  (json_int_t)fresh);
	alert = vigil_alert__health_json(&va, msg, event);
	if (!alert || r < 0) {
		json_decref(alert);
		return -ENOMEM;
	}
	*ret = alert;
	return 1;
}

void vigil_alerts__free(struct vigil_alerts *a)
{
	size_t i;

	if (!a)
		return;
	/* Brief, bounded: a dead receiver must not hold up shutdown. */
	vigil_alerts__flush(a, 2000000000ull);
	for (i = 0; i < a->n_sinks; i++)
		sink_free(a->sinks[i]);
	pthread_mutex_destroy(&a->mu);
	free(a);
}
