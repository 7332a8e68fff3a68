// SPDX-License-Identifier: Apache-2.0
/*
 * The delivery thread of a network sink. The queue is a FIFO ring bounded by queue_max; a
 * batch is the first alerts of the queue and stays there until the transport acknowledges or
 * gives up on it, so alerts go out in order and a retry re-sends exactly the same batch.
 * When the queue is full the NEW alert is refused (docs/ALERTS.md: the oldest alerts of an
 * incident show how it began; the gap is reported by the V0001 health alert).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sensor/out/sink.h"

static void abs_timespec(uint64_t mono_ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(mono_ns / 1000000000ull);
	ts->tv_nsec = (long)(mono_ns % 1000000000ull);
}

/* Waits on cv until the CLOCK_MONOTONIC deadline (the conds use that clock). */
static void wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t deadline)
{
	struct timespec ts;

	abs_timespec(deadline, &ts);
	pthread_cond_timedwait(cv, mu, &ts);
}

static uint64_t backoff(const struct vigil_sink_cfg *c, unsigned attempt, uint64_t *rng)
{
	uint64_t d = c->retry_base_ns;
	unsigned i;

	for (i = 1; i < attempt && d < c->retry_cap_ns; i++)
		d *= 2;
	if (d > c->retry_cap_ns)
		d = c->retry_cap_ns;
	/* Jitter: a uniform pick in [d/2, d], so many sensors do not retry in lock step. */
	*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
	return d / 2 + (d / 2 ? *rng % (d / 2 + 1) : 0);
}

static void pop(struct vigil_sink *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		vigil_alert_msg__put(s->q[s->head]);
		s->q[s->head] = NULL;
		s->head = (s->head + 1) % s->cap;
	}
	s->count -= n;
}

static size_t batch_size(const struct vigil_sink *s)
{
	size_t max = s->tp->single ? 1 : s->cfg.batch_max;
	size_t n = 0, bytes = 2;

	while (n < s->count && n < max) {
		bytes += s->q[(s->head + n) % s->cap]->len + 1;
		if (n && bytes > VIGIL_SINK_BATCH_BYTES)
			break;
		n++;
	}
	return n;
}

static bool batch_ready(const struct vigil_sink *s, uint64_t now)
{
	if (!s->count)
		return false;
	if (s->tp->single || s->flushers || s->count >= s->cfg.batch_max)
		return true;
	return now >= s->q_time[s->head] + s->cfg.batch_wait_ns;
}

static void *sink_thread(void *arg)
{
	struct vigil_sink *s = arg;
	struct vigil_alert_msg **batch;
	unsigned attempt = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char err[128];

	if (getrandom(&rng, sizeof(rng), GRND_NONBLOCK) != (ssize_t)sizeof(rng) || !rng)
		rng = vigil_sink__now_mono() | 1;
	batch = calloc(s->cfg.batch_max ? s->cfg.batch_max : 1, sizeof(*batch));
	pthread_mutex_lock(&s->mu);
	while (!atomic_load(&s->stop) && batch) {
		enum vigil_deliver r;
		size_t n, i;

		if (!batch_ready(s, vigil_sink__now_mono())) {
			if (s->count)
				wait_until(&s->cv_work, &s->mu,
					   s->q_time[s->head] + s->cfg.batch_wait_ns);
			else
				pthread_cond_wait(&s->cv_work, &s->mu);
			continue;
		}
		n = batch_size(s);
		for (i = 0; i < n; i++)
			batch[i] = s->q[(s->head + i) % s->cap];
		pthread_mutex_unlock(&s->mu);

		err[0] = '\0';
		r = s->tp->deliver(s, batch, n, err, sizeof(err));

		pthread_mutex_lock(&s->mu);
		if (r == VIGIL_DELIVER_OK) {
			s->st.sent += n;
			attempt = 0;
			pop(s, n);
		} else {
			s->st.failures++;
			memcpy(s->st.last_error, err, sizeof(err));
			attempt++;
			if (r == VIGIL_DELIVER_REJECT) {
				s->st.dropped += n;
				s->st.dropped_rejected += n;
				attempt = 0;
				pop(s, n);
			} else if (s->cfg.retry_max && attempt >= s->cfg.retry_max) {
				s->st.dropped += n;
				s->st.dropped_retries += n;
				attempt = 0;
				pop(s, n);
			} else {
				uint64_t until =
					vigil_sink__now_mono() + backoff(&s->cfg, attempt, &rng);

				s->st.retries++;
				while (!atomic_load(&s->stop) && vigil_sink__now_mono() < until)
					wait_until(&s->cv_work, &s->mu, until);
			}
		}
		pthread_cond_broadcast(&s->cv_idle);
	}
	pthread_mutex_unlock(&s->mu);
	free(batch);
	return NULL;
}

int vigil_sink_queue__start(struct vigil_sink *s)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int ret;

	s->cap = s->cfg.queue_max + VIGIL_SINK_HEALTH_RESERVE;
	s->q = calloc(s->cap, sizeof(*s->q));
	s->q_time = calloc(s->cap, sizeof(*s->q_time));
	if (!s->q || !s->q_time)
		return -ENOMEM;
	/* Deadlines are CLOCK_MONOTONIC: a clock step must not stall or rush delivery. */
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_idle);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv_work, &ca);
	pthread_cond_init(&s->cv_idle, &ca);
	pthread_condattr_destroy(&ca);
	/*
	 * The thread starts with every signal blocked: the program's signals (SIGHUP, SIGTERM)
	 * go to its own threads, and a SIGPIPE raised by a TLS write on a closed connection
	 * (libcurl runs with CURLOPT_NOSIGNAL) stays pending instead of killing the process.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&s->thread, NULL, sink_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0)
		return ret;
	s->thread_started = true;
	return 0;
}

int vigil_sink_queue__push(struct vigil_sink *s, struct vigil_alert_msg *m)
{
	size_t limit = s->cfg.queue_max + (m->health ? VIGIL_SINK_HEALTH_RESERVE : 0);

	pthread_mutex_lock(&s->mu);
	if (s->count >= limit || atomic_load(&s->stop)) {
		s->st.dropped++;
		s->st.dropped_full++;
		pthread_mutex_unlock(&s->mu);
		return -ENOBUFS;
	}
	s->q[(s->head + s->count) % s->cap] = vigil_alert_msg__get(m);
	s->q_time[(s->head + s->count) % s->cap] = vigil_sink__now_mono();
	s->count++;
	/* Wake the thread only when it has something new to decide. */
	if (s->count == 1 || s->count == s->cfg.batch_max || s->tp->single)
		pthread_cond_signal(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void vigil_sink_queue__flush_begin(struct vigil_sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->flushers++;
	pthread_cond_signal(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
}

void vigil_sink_queue__flush_end(struct vigil_sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->flushers--;
	pthread_mutex_unlock(&s->mu);
}

int vigil_sink_queue__wait_idle(struct vigil_sink *s, uint64_t deadline)
{
	int ret = 0;

	pthread_mutex_lock(&s->mu);
	while (s->count && !atomic_load(&s->stop)) {
		if (vigil_sink__now_mono() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		wait_until(&s->cv_idle, &s->mu, deadline);
	}
	if (s->count)
		ret = -ETIMEDOUT;
	pthread_mutex_unlock(&s->mu);
	return ret;
}

void vigil_sink_queue__stop(struct vigil_sink *s)
{
	if (s->thread_started) {
		pthread_mutex_lock(&s->mu);
		atomic_store(&s->stop, true);
		pthread_cond_broadcast(&s->cv_work);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		s->thread_started = false;
	}
	if (s->q) {
		s->st.dropped += s->count;
		pop(s, s->count);
	}
	free(s->q);
	free(s->q_time);
	s->q = NULL;
	s->q_time = NULL;
}
