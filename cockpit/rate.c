// SPDX-License-Identifier: Apache-2.0
/*
 * Per-node write rate limits. A node's token lets it write, but not as much as it likes: one
 * compromised or broken agent must not take the writer from every other node. Each node has
 * two token buckets, requests per second and body bytes per second (the declared size, or the
 * largest allowed for a body without one), both judged on the request's headers, so a request
 * over its node's rate is answered 429 with Retry-After before its body is read. A node that
 * was quiet long enough has full buckets, which is the same as having none: such entries are
 * dropped when the table grows, so it is bounded by the nodes writing in the last minute.
 * Runs on the loop thread only (like every header decision): no lock.
 *
 * A third bucket counts items (alerts, reports, profiles in a request): a body may carry 10 000
 * of them, so 50 requests/s would let one node write 500 000 items a second. Items are known
 * only once the body is parsed, on a worker thread: that bucket has a lock of its own, and a
 * request it cannot hold is answered 429 with Retry-After, nothing stored. Its burst holds at
 * least one request of the largest size, or such a request could never pass.
 */
#include <pthread.h>
#include <stdlib.h>

#include "cockpit/cockpit_internal.h"

#define PRUNE_AT 1024

/* A node's buckets: [requests left, bytes left, when last refilled (ns)]. */
static json_t *bucket_of(struct cockpit_rates *r, const char *node, uint64_t now_ns)
{
	json_t *b = json_object_get(r->buckets, node);

	if (b)
		return b;
	if (json_object_size(r->buckets) >= PRUNE_AT) {
		const char *key;
		json_t *v, *tmp;

		json_object_foreach_safe(r->buckets, tmp, key, v)
		{
			uint64_t at = (uint64_t)json_integer_value(json_array_get(v, 2));

			if (now_ns - at > r->full_after_ns)
				json_object_del(r->buckets, key);
		}
	}
	b = json_pack("[f, f, I]", r->req_burst, r->byte_burst, (json_int_t)now_ns);
	if (b && json_object_set_new(r->buckets, node, b))
		return NULL;
	return b;
}

void cockpit_rates_init(struct cockpit_rates *r, double req_per_s, double bytes_per_s,
			size_t max_body)
{
	r->buckets = json_object();
	r->req_rate = req_per_s;
	r->req_burst = req_per_s * 10;
	r->byte_rate = bytes_per_s;
	/* a burst always holds the largest body, or a node could never send one */
	r->byte_burst =
		bytes_per_s * 8 > (double)max_body * 2 ? bytes_per_s * 8 : (double)max_body * 2;
	r->full_after_ns =
		(uint64_t)(1e9 * (r->req_burst / r->req_rate > r->byte_burst / r->byte_rate
					  ? r->req_burst / r->req_rate
					  : r->byte_burst / r->byte_rate)) +
		1000000000ull;
}

void cockpit_rates_init_items(struct cockpit_rates *r, double items_per_s, size_t max_items)
{
	pthread_mutex_init(&r->items_mu, NULL);
	r->items = json_object();
	r->item_rate = items_per_s;
	r->item_burst = items_per_s * 10 > (double)max_items ? items_per_s * 10 : (double)max_items;
	r->items_full_after_ns = (uint64_t)(1e9 * r->item_burst / items_per_s) + 1000000000ull;
}

void cockpit_rates_release(struct cockpit_rates *r)
{
	json_decref(r->buckets);
	r->buckets = NULL;
	if (r->items) {
		json_decref(r->items);
		r->items = NULL;
		pthread_mutex_destroy(&r->items_mu);
	}
}

/* The node's [items left, refilled at]; the table pruned of full buckets when it grows. */
static json_t *items_bucket(struct cockpit_rates *r, const char *node, uint64_t now_ns)
{
	json_t *b = json_object_get(r->items, node), *v, *tmp;
	const char *key;

	if (b)
		return b;
	if (json_object_size(r->items) >= PRUNE_AT)
		json_object_foreach_safe(r->items, tmp, key, v)
		{
			uint64_t at = (uint64_t)json_integer_value(json_array_get(v, 1));

			if (now_ns - at > r->items_full_after_ns)
				json_object_del(r->items, key);
		}
	b = json_pack("[f, I]", r->item_burst, (json_int_t)now_ns);
	if (b && json_object_set_new(r->items, node, b))
		return NULL;
	return b;
}

unsigned cockpit_rates_take_items(struct cockpit_rates *r, const char *node, size_t n,
				  uint64_t now_ns)
{
	double left, dt, wait_s;
	uint64_t at;
	json_t *b;

	if (!(r->item_rate > 0) || !r->items)
		return 0; /* not limited (a cockpit made without it: the fuzz harness) */
	pthread_mutex_lock(&r->items_mu);
	b = items_bucket(r, node, now_ns);
	if (!b) {
		pthread_mutex_unlock(&r->items_mu);
		return 1;
	}
	left = json_real_value(json_array_get(b, 0));
	at = (uint64_t)json_integer_value(json_array_get(b, 1));
	dt = now_ns > at ? (double)(now_ns - at) / 1e9 : 0;
	left += dt * r->item_rate;
	if (left > r->item_burst)
		left = r->item_burst;
	json_integer_set(json_array_get(b, 1), (json_int_t)(now_ns > at ? now_ns : at));
	if (left >= (double)n) {
		json_real_set(json_array_get(b, 0), left - (double)n);
		pthread_mutex_unlock(&r->items_mu);
		return 0;
	}
	json_real_set(json_array_get(b, 0), left);
	pthread_mutex_unlock(&r->items_mu);
	wait_s = ((double)n - left) / r->item_rate;
	return wait_s < 1 ? 1 : wait_s > 3600 ? 3600 : (unsigned)wait_s + 1;
}

unsigned cockpit_rates_take(struct cockpit_rates *r, const char *node, uint64_t bytes,
			    uint64_t now_ns)
{
	json_t *b = bucket_of(r, node, now_ns);
	double req, byt, dt, wait_s;
	uint64_t at;

	if (!b)
		return 1; /* out of memory: refuse rather than let it through unmetered */
	req = json_real_value(json_array_get(b, 0));
	byt = json_real_value(json_array_get(b, 1));
	at = (uint64_t)json_integer_value(json_array_get(b, 2));
	dt = now_ns > at ? (double)(now_ns - at) / 1e9 : 0;
	req += dt * r->req_rate;
	byt += dt * r->byte_rate;
	if (req > r->req_burst)
		req = r->req_burst;
	if (byt > r->byte_burst)
		byt = r->byte_burst;
	json_integer_set(json_array_get(b, 2), (json_int_t)now_ns);
	if (req >= 1 && byt >= (double)bytes) {
		json_real_set(json_array_get(b, 0), req - 1);
		json_real_set(json_array_get(b, 1), byt - (double)bytes);
		return 0;
	}
	json_real_set(json_array_get(b, 0), req);
	json_real_set(json_array_get(b, 1), byt);
	/* when both buckets will hold this request again (whole seconds, at least 1) */
	wait_s = req >= 1 ? 0 : (1 - req) / r->req_rate;
	if (byt < (double)bytes && ((double)bytes - byt) / r->byte_rate > wait_s)
		wait_s = ((double)bytes - byt) / r->byte_rate;
	return wait_s < 1 ? 1 : wait_s > 3600 ? 3600 : (unsigned)wait_s + 1;
}
