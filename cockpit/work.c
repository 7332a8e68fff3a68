// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's workers. The writer takes every write waiting (up to a group), runs them and
 * commits them with one flush: one transaction for many agents' batches, and an answer only
 * after the commit (a failed commit answers 503 to every request of the group, and drops
 * what they queued, so the agents send it again). Readers answer queries on their own store
 * handles and prepare writes (parsing, checks) before the writer gets them. A write is never
 * kept waiting by reads, however slow or many: in the read queue writes go ahead of reads,
 * and one more reader, the preparer, takes only writes. The refresher re-reads credentials every second and counts nodes for metrics.
 * Queues are bounded: a full queue is refused on the request's headers (http.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cockpit/cockpit_internal.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define QUEUE_MAX	  512
#define READS_LEAVE	  128 /* places in the read queue only writes may take */
#define GROUP_MAX_JOBS	  256
#define NODES_EVERY_NS	  5000000000ull
#define CREDS_SLACK_NS	  60000000000ull /* rows written by a clock a minute behind */
#define WRITER_BATCH_ROWS (1u << 30)	 /* commits are the group's: never in between */

static void q_init(struct cockpit_queue *q)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->max = QUEUE_MAX;
}

static bool q_push(struct vigil_cockpit *c, struct cockpit_queue *q, struct cockpit_job *j,
		   int which)
{
	bool ok;

	pthread_mutex_lock(&q->mu);
	ok = q->n < q->max && !atomic_load(&c->stop_work);
	if (ok && which == 1 && j->req.route == R_WRITE) {
		/* after the writes already waiting, ahead of every read */
		struct cockpit_job **at = q->last_write ? &q->last_write->next : &q->head;

		j->next = *at;
		*at = j;
		if (!j->next)
			q->tail = j;
		q->last_write = j;
		q->n++;
		atomic_store(&c->m.queued[which], q->n);
		pthread_cond_broadcast(&q->cv); /* the preparer may be the one waiting */
	} else if (ok) {
		j->next = NULL;
		if (q->tail)
			q->tail->next = j;
		else
			q->head = j;
		q->tail = j;
		q->n++;
		atomic_store(&c->m.queued[which], q->n);
		/* the read queue has waiters of two kinds (the preparer takes no read): wake all */
		if (which == 1)
			pthread_cond_broadcast(&q->cv);
		else
			pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return ok;
}

static bool q_ready(const struct cockpit_queue *q, bool writes_only)
{
	return q->head && (!writes_only || q->head->req.route == R_WRITE);
}

/*
 * Up to max jobs as a list; NULL when stopping (what is left is not taken). Blocks while
 * there is nothing (writes_only: no write) to take.
 */
static struct cockpit_job *q_pop(struct vigil_cockpit *c, struct cockpit_queue *q, size_t max,
				 int which, bool writes_only)
{
	struct cockpit_job *head, *last;
	size_t n = 1;

	pthread_mutex_lock(&q->mu);
	while (!q_ready(q, writes_only) && !atomic_load(&c->stop_work))
		pthread_cond_wait(&q->cv, &q->mu);
	head = q_ready(q, writes_only) ? q->head : NULL;
	if (head) {
		last = head;
		while (last->next && n < max) {
			if (last == q->last_write)
				q->last_write = NULL;
			last = last->next;
			n++;
		}
		if (last == q->last_write)
			q->last_write = NULL;
		q->head = last->next;
		if (!q->head)
			q->tail = NULL;
		last->next = NULL;
		q->n -= n;
		atomic_store(&c->m.queued[which], q->n);
	}
	pthread_mutex_unlock(&q->mu);
	return head;
}

bool cockpit_work_submit(struct vigil_cockpit *c, struct cockpit_job *job, bool write)
{
	return q_push(c, write ? &c->wq : &c->rq, job, write ? 0 : 1);
}

bool cockpit_work_has_room(struct vigil_cockpit *c, bool write, bool read)
{
	struct cockpit_queue *q = write ? &c->wq : &c->rq;
	bool ok;

	pthread_mutex_lock(&q->mu);
	/* reads leave places for writes: queries cannot crowd out ingest */
	ok = q->n + (read ? READS_LEAVE : 0) < q->max && !atomic_load(&c->stop_work);
	pthread_mutex_unlock(&q->mu);
	return ok;
}

static void finish(struct vigil_cockpit *c, struct cockpit_job *list)
{
	while (list) {
		struct cockpit_job *next = list->next;

		cockpit_job_done(c, list);
		list = next;
	}
}

/*
 * The alerts of the whole group asked about at once (stored already? whose incident?): on
 * ClickHouse that is two round trips for the group instead of two per request.
 */
static void prefetch(struct cockpit_ctx *ctx, struct cockpit_job *list)
{
	struct vigil_store_prepared *p[GROUP_MAX_JOBS];
	size_t n = 0;

	for (struct cockpit_job *j = list; j && n < GROUP_MAX_JOBS; j = j->next)
		if (j->req.route == R_WRITE && j->req.ep == EP_ALERTS && j->req.prepared)
			p[n++] = j->req.prepared;
	if (n > 1)
		vigil_store__prefetch_alerts(ctx->store, p, n);
}

/* Runs a group of writes and commits them once. */
static void write_group(struct cockpit_ctx *ctx, struct cockpit_job *list)
{
	struct vigil_cockpit *c = ctx->c;
	struct vigil_error err = { 0 };
	bool wrote = false, failed = false;
	uint64_t t0 = vigil_realtime_ns();
	struct vigil_store_stats st;

	prefetch(ctx, list);

	for (struct cockpit_job *j = list; j; j = j->next) {
		cockpit_api(ctx, &j->req, &j->reply);
		wrote |= j->req.wrote;
		failed |= j->req.wrote && j->reply.status == 503;
	}
	if (wrote && !failed && vigil_store__flush(ctx->store, &err))
		failed = true;
	vigil_store__prefetch_alerts(ctx->store, NULL, 0); /* asked for this group only */
	if (failed) {
		/* nothing of the group is acknowledged: drop it all, the senders retry */
		vigil_store__discard(ctx->store);
		for (struct cockpit_job *j = list; j; j = j->next) {
			if (!j->req.wrote)
				continue;
			json_decref(j->reply.body);
			j->reply.body = NULL;
			atomic_fetch_add(&c->m.rejected[REJ_STORE], 1);
			cockpit_reply_error(&j->reply, 503, "store unavailable, nothing stored: %s",
					    err.message[0] ? err.message : "retry later");
		}
	} else {
		for (struct cockpit_job *j = list; j; j = j->next) {
			for (int r = 0; r < RES__MAX; r++)
				atomic_fetch_add(&c->m.ingest[j->req.ep][r], j->req.counts[r]);
			if (j->req.new_cred)
				cockpit_auth_merge(c->auth, j->req.new_cred);
		}
	}
	if (wrote)
		cockpit_metrics_latency(&c->m, 0, vigil_realtime_ns() - t0);
	vigil_store__stats(ctx->store, &st);
	atomic_store(&c->m.store_rows_written, st.rows_written);
	finish(c, list);
}

static void *writer_main(void *arg)
{
	struct cockpit_ctx *ctx = arg;
	struct cockpit_job *list;

	pthread_setname_np(pthread_self(), "vigil-writer");
	while ((list = q_pop(ctx->c, &ctx->c->wq, GROUP_MAX_JOBS, 0, false)))
		write_group(ctx, list);
	return NULL;
}

/* The answer as text, here on the worker: the loop thread only hands it to the socket. */
static void render(struct cockpit_reply *r)
{
	char *text;

	if (!r->body || r->text)
		return;
	text = json_dumps(r->body, JSON_COMPACT);
	if (!text)
		return; /* the loop tries again, or answers 500 */
	json_decref(r->body);
	r->body = NULL;
	r->text = text;
	r->type = "application/json";
}

static void *reader_main(void *arg)
{
	struct cockpit_ctx *ctx = arg;
	struct cockpit_job *j;

	pthread_setname_np(pthread_self(), ctx->writes_only ? "vigil-prepare" : "vigil-reader");
	while ((j = q_pop(ctx->c, &ctx->c->rq, 1, 1, ctx->writes_only))) {
		uint64_t t0 = vigil_realtime_ns();

		if (j->req.route == R_WRITE) {
			/* the part of a write that needs no store; then on to the writer */
			if (!cockpit_ingest_prepare(ctx, &j->req, &j->reply)) {
				finish(ctx->c, j);
			} else if (!q_push(ctx->c, &ctx->c->wq, j, 0)) {
				atomic_fetch_add(&ctx->c->m.rejected[REJ_BUSY], 1);
				cockpit_reply_error(&j->reply, 503, "busy: retry later");
				finish(ctx->c, j);
			}
			continue;
		}
		cockpit_api(ctx, &j->req, &j->reply);
		render(&j->reply);
		cockpit_metrics_latency(&ctx->c->m, 1, vigil_realtime_ns() - t0);
		finish(ctx->c, j);
	}
	return NULL;
}

static void refresh_creds(struct cockpit_ctx *ctx)
{
	uint64_t last = cockpit_auth_last_version(ctx->c->auth);
	json_t *rows = NULL;

	if (vigil_store__credentials(ctx->store, last > CREDS_SLACK_NS ? last - CREDS_SLACK_NS : 0,
				     &rows, NULL) == 0) {
		cockpit_auth_merge(ctx->c->auth, rows);
		atomic_fetch_add(&ctx->c->m.credentials_loaded, json_array_size(rows));
	}
	json_decref(rows);
}

static void count_nodes(struct cockpit_ctx *ctx)
{
	struct vigil_query f = { .now_ns = vigil_realtime_ns() };
	struct vigil_nodes_page p = { .now_ns = f.now_ns }; /* no page: the totals */
	json_t *nodes = NULL, *n, *sum;
	uint64_t by[3] = { 0 };
	size_t i;
	int rc = vigil_store__nodes_page(ctx->store, &p, &nodes, NULL);

	if (!rc) { /* counted by the store, without every node's entry */
		sum = json_object_get(nodes, "summary");
		by[0] = (uint64_t)json_integer_value(json_object_get(sum, "online"));
		by[1] = (uint64_t)json_integer_value(json_object_get(sum, "stale"));
		by[2] = (uint64_t)json_integer_value(json_object_get(sum, "offline"));
		json_decref(nodes);
		for (int k = 0; k < 3; k++)
			atomic_store(&ctx->c->m.nodes[k], by[k]);
		return;
	}
	if (rc != -EOPNOTSUPP || vigil_store__nodes(ctx->store, &f, &nodes, NULL))
		return;
	json_array_foreach(nodes, i, n)
	{
		const char *st = json_string_value(json_object_get(n, "status")) ?: "";

		by[!strcmp(st, "online") ? 0 : !strcmp(st, "stale") ? 1 : 2]++;
	}
	json_decref(nodes);
	for (int k = 0; k < 3; k++)
		atomic_store(&ctx->c->m.nodes[k], by[k]);
}

static void *refresher_main(void *arg)
{
	struct cockpit_ctx *ctx = arg;
	struct vigil_cockpit *c = ctx->c;
	uint64_t last_nodes = 0;

	pthread_setname_np(pthread_self(), "vigil-creds");
	pthread_mutex_lock(&c->stop_mu);
	while (!atomic_load(&c->stop_work)) {
		struct timespec until;
		uint64_t now;

		pthread_mutex_unlock(&c->stop_mu);
		refresh_creds(ctx);
		now = vigil_realtime_ns();
		if (now - last_nodes >= NODES_EVERY_NS) {
			count_nodes(ctx);
			last_nodes = now;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(c->o.creds_refresh_ns / 1000000000ull);
		until.tv_nsec += (long)(c->o.creds_refresh_ns % 1000000000ull);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&c->stop_mu);
		if (!atomic_load(&c->stop_work))
			pthread_cond_timedwait(&c->stop_cv, &c->stop_mu, &until);
	}
	pthread_mutex_unlock(&c->stop_mu);
	return NULL;
}

static int open_store(const struct vigil_cockpit *c, const char *spec, bool writer,
		      struct vigil_store **ret, struct vigil_error *err)
{
	struct vigil_store_opts o;

	vigil_store_opts__init(&o);
	o.read_only = !writer;
	o.cache_bytes = writer ? 64u << 20 : 32u << 20;
	o.batch_rows = WRITER_BATCH_ROWS;
	/* no spool: an answer of 200 means stored where every cockpit sees it, and a store
	 * that is down answers 503 so the agents keep their batches */
	o.spool_dir = NULL;
	o.retries = 2;
	o.http_timeout_ns = 5000000000ull;
	/*
	 * An analyst's query (a search through every alert's text) holds a reader for as long as
	 * it runs, and the rows it reads: bounded in time and bytes, so a few expensive queries
	 * cannot take the page (or the cockpit's memory) from everyone. The
	 * writer is not bounded: its statements are the ingest, indexed by design.
	 */
	if (!writer) {
		o.query_timeout_ns = c->o.query_timeout_ns;
		o.query_max_bytes = COCKPIT_QUERY_MAX_BYTES;
	}
	/* an incident's page shows its first alerts; the alert list pages through the rest */
	o.max_report_alerts = COCKPIT_REPORT_ALERTS;
	return vigil_store__open(spec, &o, ret, err);
}

static struct cockpit_ctx *new_ctx(struct vigil_cockpit *c, const char *spec, bool writer,
				   struct vigil_error *err)
{
	struct cockpit_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx) {
		vigil_error__set(err, -ENOMEM, NULL, 0, 0, "out of memory");
		return NULL;
	}
	ctx->c = c;
	if (open_store(c, spec, writer, &ctx->store, err)) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

int cockpit_work_start(struct vigil_cockpit *c, const char *spec, struct vigil_error *err)
{
	struct cockpit_ctx *w, *r;
	int rc;

	q_init(&c->wq);
	q_init(&c->rq);
	pthread_mutex_init(&c->stop_mu, NULL);
	pthread_cond_init(&c->stop_cv, NULL);
	c->work_started = true;
	/* the writer first: it creates (or brings up to date) the schema the others read */
	w = new_ctx(c, spec, true, err);
	if (!w)
		return err->code ? err->code : -EIO;
	c->backend = vigil_store__backend(w->store);
	c->ctxs[c->nctx++] = w;
	/* the readers and the preparer (the last) */
	c->readers = calloc(c->o.readers + 1, sizeof(*c->readers));
	if (!c->readers)
		return vigil_error__set(err, -ENOMEM, NULL, 0, 0, "out of memory");
	/* the refresher's, the readers' and the preparer's */
	for (unsigned i = 0; i <= c->o.readers + 1; i++) {
		r = new_ctx(c, spec, false, err);
		if (!r)
			return err->code ? err->code : -EIO;
		c->ctxs[c->nctx++] = r;
	}
	/* credentials before the first request: a node token works from the start */
	refresh_creds(c->ctxs[1]);
	if ((rc = pthread_create(&c->writer, NULL, writer_main, w)))
		return vigil_error__set(err, -rc, NULL, 0, 0, "cannot start the writer");
	c->threads_started |= 1;
	c->ctxs[2 + c->o.readers]->writes_only = true;
	for (unsigned i = 0; i <= c->o.readers; i++) {
		if ((rc = pthread_create(&c->readers[i], NULL, reader_main, c->ctxs[2 + i])))
			return vigil_error__set(err, -rc, NULL, 0, 0, "cannot start a reader");
		c->nreaders++;
	}
	if ((rc = pthread_create(&c->refresher, NULL, refresher_main, c->ctxs[1])))
		return vigil_error__set(err, -rc, NULL, 0, 0, "cannot start the refresher");
	c->threads_started |= 2;
	return 0;
}

void cockpit_work_stop(struct vigil_cockpit *c)
{
	if (!c->work_started)
		return;
	atomic_store(&c->stop_work, true);
	pthread_mutex_lock(&c->wq.mu);
	pthread_cond_broadcast(&c->wq.cv);
	pthread_mutex_unlock(&c->wq.mu);
	pthread_mutex_lock(&c->rq.mu);
	pthread_cond_broadcast(&c->rq.cv);
	pthread_mutex_unlock(&c->rq.mu);
	pthread_mutex_lock(&c->stop_mu);
	pthread_cond_broadcast(&c->stop_cv);
	pthread_mutex_unlock(&c->stop_mu);
	if (c->threads_started & 1)
		pthread_join(c->writer, NULL);
	for (size_t i = 0; i < c->nreaders; i++)
		pthread_join(c->readers[i], NULL);
	if (c->threads_started & 2)
		pthread_join(c->refresher, NULL);
	for (size_t i = 0; i < c->nctx; i++) {
		vigil_store__free(c->ctxs[i]->store);
		free(c->ctxs[i]);
	}
	c->nctx = 0;
	free(c->readers);
	c->readers = NULL;
	c->work_started = false;
}
