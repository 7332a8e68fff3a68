// SPDX-License-Identifier: Apache-2.0
/*
 * Bursts of one rule by one actor in one workload: the first alert is sent at once, the rest of
 * the window folded into one summary (vigil/burst.h says the whole contract). Pure bookkeeping
 * over alerts as they are raised; the caller's pipeline sends what this decides.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "util/hash.h"
#include "util/lru.h"
#include "util/strutil.h"
#include "vigil/burst.h"
#include "vigil/event.h"

#define BURST_BUCKETS 256
/*
 * DNS names are tallied per workload and uid, not per burst: a tunnel split over processes
 * (a shell loop of one resolver per name) adds up as one. A tally lives DNS_MEMORY_NS after its
 * last name (a tunnel slower than the window is a new burst each time: its names still add
 * up); at most DNS_MEMORY of them, and when full the one with the fewest names carrying data
 * goes (ordinary DNS churn does not push a tunnel's tally out).
 */
#define DNS_MEMORY    64
#define DNS_MEMORY_NS (3600ULL * 1000000000ULL)

struct dns_memory {
	uint64_t cgroup_id, last_ns;
	uint32_t uid;
	struct vigil_dns_tally *t;
};

struct burst {
	struct burst *hnext;
	struct vigil_lru_node lru; /* by window start: the tail opened first */
	uint64_t cgroup_id;
	const struct vigil_rule *rule;
	uint32_t actor, uid, euid;
	uint64_t prog;	   /* hash of the actor's program (detect_actor_program) */
	bool dns;	   /* R0005 names: the tally of its workload and uid says what they mean */
	uint64_t start_ns; /* the window opened */
	uint64_t first_ns, last_ns;
	uint32_t count; /* folded in this window */
	uint32_t keys_omitted;
	uint32_t nkeys;
	uint64_t repeats;
	uint64_t total; /* alerts of the whole burst, the first one sent included */
	char *keys[VIGIL_BURST_KEYS];
	json_t *tmpl; /* the window's first folded alert, as it would have been sent */
	char opened_by[64];
	/* the workload, copied: the summary may go out after it is gone */
	struct vigil_workload wl;
	char *wl_strs[4];
};

struct vigil_bursts {
	uint64_t window_ns;
	struct burst *b[BURST_BUCKETS];
	size_t open;
	struct vigil_lru lru;
	struct vigil_burst_stats st;
	struct dns_memory mem[DNS_MEMORY];
	struct burst *sent;  /* the burst of the alert vigil_bursts__alert just said to send */
	char sent_name[256]; /* that alert's DNS name ("" when none) */
};

struct vigil_bursts *vigil_bursts__new(uint64_t window_ns)
{
	struct vigil_bursts *b = calloc(1, sizeof(*b));

	if (b)
		b->window_ns = window_ns ? window_ns : VIGIL_BURST_DEFAULT_WINDOW_NS;
	return b;
}

static void window_reset(struct burst *x)
{
	for (uint32_t i = 0; i < x->nkeys; i++)
		free(x->keys[i]);
	x->nkeys = x->count = x->keys_omitted = 0;
	x->repeats = 0;
	json_decref(x->tmpl);
	x->tmpl = NULL;
}

static void burst_free(struct burst *x)
{
	window_reset(x);
	for (int i = 0; i < 4; i++)
		free(x->wl_strs[i]);
	free(x);
}

void vigil_bursts__free(struct vigil_bursts *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < DNS_MEMORY; i++)
		vigil_dns_tally__free(b->mem[i].t);
	for (size_t i = 0; i < BURST_BUCKETS; i++)
		while (b->b[i]) {
			struct burst *x = b->b[i];

			b->b[i] = x->hnext;
			burst_free(x);
		}
	free(b);
}

/* Who did it: the process, for an exec the one that started it; as whom; and which program
 * (the cooldown's, detect_actor_program: one that replaced itself by execve is another). */
static void actor_of(const struct vigil_alert *a, uint32_t *pid, uint32_t *uid, uint32_t *euid,
		     uint64_t *prog)
{
	const struct vigil_process *p = a->proc ? a->proc : a->event->proc;

	*pid = *uid = *euid = 0;
	*prog = vigil_fnv1a_str(detect_actor_program(a->event));
	if (!p)
		return;
	*pid = a->event->kind == VIGIL_EV_EXEC ? p->ppid : p->pid;
	*uid = p->uid;
	*euid = p->euid;
}

static size_t bucket_of(uint64_t cg, const struct vigil_rule *r, uint32_t actor)
{
	uint64_t h = cg * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)r ^ (uint64_t)actor << 17;

	return (size_t)((h ^ (h >> 29)) % BURST_BUCKETS);
}

static struct burst **find(struct vigil_bursts *b, const struct vigil_alert *a)
{
	uint32_t actor, uid, euid;
	uint64_t cg = a->workload ? a->workload->cgroup_id : 0, prog;
	struct burst **pp;

	actor_of(a, &actor, &uid, &euid, &prog);
	pp = &b->b[bucket_of(cg, a->rule, actor)];
	while (*pp && !((*pp)->cgroup_id == cg && (*pp)->rule == a->rule && (*pp)->actor == actor &&
			(*pp)->uid == uid && (*pp)->euid == euid && (*pp)->prog == prog))
		pp = &(*pp)->hnext;
	return pp;
}

static const char *dns_name(const struct vigil_alert *a)
{
	if (a->event->kind != VIGIL_EV_DNS || !a->event->dns.name)
		return NULL;
	return a->event->dns.name;
}

static bool dns_expired(const struct dns_memory *m, uint64_t now)
{
	return now < m->last_ns ? m->last_ns - now >= DNS_MEMORY_NS
				: now - m->last_ns >= DNS_MEMORY_NS;
}

/* The tally of names of workload cg's user uid (NULL: none kept). */
static struct dns_memory *dns_find(struct vigil_bursts *b, uint64_t cg, uint32_t uid)
{
	for (size_t i = 0; i < DNS_MEMORY; i++)
		if (b->mem[i].t && b->mem[i].cgroup_id == cg && b->mem[i].uid == uid)
			return &b->mem[i];
	return NULL;
}

/* A place for a new tally: a free one, else an expired one, else the one with the fewest
 * names carrying data (of equals, the oldest). */
static struct dns_memory *dns_place(struct vigil_bursts *b, uint64_t now)
{
	struct dns_memory *m = NULL;
	uint32_t m_data = 0;

	for (size_t i = 0; i < DNS_MEMORY; i++) {
		struct dns_memory *c = &b->mem[i];
		struct vigil_dns_tunnel t;

		if (!c->t || dns_expired(c, now)) {
			m = c;
			break;
		}
		vigil_dns_tally__verdict(c->t, &t);
		if (!m || t.data_names < m_data ||
		    (t.data_names == m_data && c->last_ns < m->last_ns)) {
			m = c;
			m_data = t.data_names;
		}
	}
	vigil_dns_tally__free(m->t);
	memset(m, 0, sizeof(*m));
	return m;
}

/* Counts a's DNS name in the tally of its workload and user. -ENOMEM. */
static int dns_add(struct vigil_bursts *b, const struct burst *x, const char *name, uint64_t now)
{
	struct dns_memory *m = dns_find(b, x->cgroup_id, x->uid);

	if (m && dns_expired(m, now)) {
		vigil_dns_tally__free(m->t);
		memset(m, 0, sizeof(*m));
		m = NULL;
	}
	if (!m) {
		m = dns_place(b, now);
		m->t = vigil_dns_tally__new();
		if (!m->t)
			return -ENOMEM;
		m->cgroup_id = x->cgroup_id;
		m->uid = x->uid;
	}
	if (now > m->last_ns)
		m->last_ns = now;
	return vigil_dns_tally__add(m->t, name);
}

/* Whether x's names (those of its workload and user) are a tunnel: t gets the figures. */
static bool dns_verdict(struct vigil_bursts *b, const struct burst *x, struct vigil_dns_tunnel *t)
{
	const struct dns_memory *m = x->dns ? dns_find(b, x->cgroup_id, x->uid) : NULL;

	return m && vigil_dns_tally__verdict(m->t, t);
}

static bool under(const char *name, const char *domain)
{
	return name && !strcmp(vigil_dns_registered_domain(name), domain);
}

/* Adds the tunnelling verdict to a summary of DNS names (or a name sent on its own) when some
 * of its names are under the tunnel's domain (another name of that workload and user, say
 * www.example.org, is not called tunnelling): 1 when it did. */
static int add_tunnel(struct vigil_bursts *b, struct burst *x, const char *name, json_t *j,
		      char *msg, size_t size)
{
	struct vigil_dns_tunnel t;
	char was[1024];
	bool ours;
	int n;

	if (!dns_verdict(b, x, &t))
		return 0;
	ours = under(name, t.domain);
	for (uint32_t i = 0; i < x->nkeys && !ours; i++)
		ours = under(x->keys[i], t.domain);
	if (!ours)
		return 0;
	if (json_object_set_new(j, "dns_tunnel",
				json_pack("{s:o,s:i,s:i,s:i,s:f}", "domain",
					  vigil_json_text(t.domain), "unique_names",
					  (int)t.unique_names, "data_names", (int)t.data_names,
					  "max_label_len", (int)t.max_label_len, "entropy",
					  (double)(int)(t.entropy * 100 + 0.5) / 100)) ||
	    json_object_set_new(j, "severity", json_integer(VIGIL_BURST_TUNNEL_SEV)))
		return -ENOMEM;
	vigil_strlcpy(was, msg, sizeof(was));
	n = snprintf(
		msg, size,
		"DNS tunnelling to %.253s: %u unique names under it, %u carrying data in their "
		"labels (longest label %u, %.2f bits per character); ",
		t.domain, t.unique_names, t.data_names, t.max_label_len, t.entropy);
	if (n > 0 && (size_t)n < size)
		vigil_strlcpy(msg + n, was, size - (size_t)n);
	b->st.tunnels++;
	return 1;
}

/* The window's summary, sent through out; the window then restarts at now. */
static int summary(struct vigil_bursts *b, struct burst *x, uint64_t now, vigil_burst_out_fn out,
		   void *ctx)
{
	struct vigil_alert sa = {
		.rule = x->rule, .time_ns = x->last_ns, .repeats = x->repeats, .workload = &x->wl
	};
	char msg[1024], keys[512], when[48], until[48];
	size_t off = 0;
	json_t *j = x->tmpl, *karr = json_array(), *bo;
	const char *first = json_string_value(json_object_get(j, "message"));
	int err = -ENOMEM;

	/* every key kept is in "burst"; the message names the first three */
	for (uint32_t i = 0; i < x->nkeys && karr; i++) {
		json_array_append_new(karr, vigil_json_text(x->keys[i]));
		if (i < 3 && off < sizeof(keys))
			off += (size_t)snprintf(keys + off, sizeof(keys) - off, "%s%.150s",
						i ? ", " : "", x->keys[i]);
	}
	if (off >= sizeof(keys))
		memcpy(keys + sizeof(keys) - 4, "...", 4);
	snprintf(msg, sizeof(msg),
		 "%u more alert(s) of %s by the same process within %llu s of the first (%u "
		 "distinct key(s)%s%s%s); the first of them: %s",
		 x->count, x->rule->id,
		 (unsigned long long)((x->last_ns - x->start_ns) / 1000000000ULL + 1),
		 x->nkeys + x->keys_omitted, x->nkeys ? ": " : "", x->nkeys ? keys : "",
		 x->nkeys + x->keys_omitted > 3 ? ", ..." : "", first ? first : "");
	bo = json_pack("{s:i,s:o,s:i,s:s,s:s,s:I,s:I,s:s}", "count", (int)x->count, "keys",
		       karr ? karr : json_array(), "keys_omitted", (int)x->keys_omitted, "first",
		       vigil_format_time_ns(x->first_ns, when, sizeof(when)), "last",
		       vigil_format_time_ns(x->last_ns, until, sizeof(until)), "window_s",
		       (json_int_t)(b->window_ns / 1000000000ULL), "total", (json_int_t)x->total,
		       "opened_by", x->opened_by);
	if (!j || !bo)
		goto out;
	if (json_object_set_new(j, "burst", bo) < 0) {
		bo = NULL;
		goto out;
	}
	bo = NULL;
	if (add_tunnel(b, x, NULL, j, msg, sizeof(msg)) < 0)
		goto out;
	sa.message = msg;
	sa.key = json_string_value(json_object_get(j, "key"));
	if (json_object_set_new(j, "message", vigil_json_text(msg)) ||
	    json_object_set_new(j, "repeats", json_integer((json_int_t)x->repeats)) ||
	    json_object_set_new(j, "time", json_string(until)))
		goto out;
	json_object_del(j, "alert_id");
	b->st.summaries++;
	err = out ? out(&sa, j, ctx) : 0;
out:
	json_decref(bo);
	x->tmpl = NULL;
	json_decref(j);
	window_reset(x);
	x->start_ns = now;
	vigil_lru__touch(&b->lru, &x->lru);
	return err < 0 ? err : 1;
}

static void unlink_burst(struct vigil_bursts *b, struct burst *x)
{
	struct burst **pp = &b->b[bucket_of(x->cgroup_id, x->rule, x->actor)];

	if (b->sent == x)
		b->sent = NULL;
	vigil_lru__unlink(&b->lru, &x->lru);

	while (*pp && *pp != x)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = x->hnext;
	b->open--;
	burst_free(x);
}

/*
 * Whether x's window is still open at now. A clock set back by a window or more closes it (else
 * it would stay open until the clock caught up, its summary held back); less than a window
 * back (events' times run a little ahead of the clock read at the tick after a small step, and
 * events of two CPUs reach us a little out of order) it stays open: the summary is at most that
 * much late.
 */
static bool window_open(const struct vigil_bursts *b, const struct burst *x, uint64_t now)
{
	if (now < x->start_ns)
		return x->start_ns - now < b->window_ns;
	return now - x->start_ns < b->window_ns;
}

/* Closes x's window at now: its summary when something was folded, else the burst ends. */
static int close_window(struct vigil_bursts *b, struct burst *x, uint64_t now,
			vigil_burst_out_fn out, void *ctx)
{
	if (x->count)
		return summary(b, x, now, out, ctx);
	unlink_burst(b, x);
	return 0;
}

/* The burst whose window opened first: closed early to make room (nothing is lost). */
static int make_room(struct vigil_bursts *b, vigil_burst_out_fn out, void *ctx)
{
	struct burst *old = vigil_lru_entry(b->lru.tail, struct burst, lru);

	if (!old)
		return 0;
	if (old->count) {
		int err = summary(b, old, old->start_ns, out, ctx);

		if (err < 0)
			return err;
	}
	unlink_burst(b, old);
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static struct burst *open_burst(struct vigil_bursts *b, const struct vigil_alert *a)
{
	struct burst *x = calloc(1, sizeof(*x));
	const struct vigil_workload *w = a->workload;
	size_t k;

	if (!x)
		return NULL;
	x->cgroup_id = w ? w->cgroup_id : 0;
	x->rule = a->rule;
	actor_of(a, &x->actor, &x->uid, &x->euid, &x->prog);
	x->start_ns = a->time_ns;
	x->total = 1;
	x->dns = dns_name(a) != NULL;
	if (w) {
		x->wl = *w;
		x->wl_strs[0] = dup_or_empty(w->cgroup_path);
		x->wl_strs[1] = dup_or_empty(w->container_id);
		x->wl_strs[2] = dup_or_empty(w->runtime);
		x->wl_strs[3] = dup_or_empty(w->name);
		if (!x->wl_strs[0] || !x->wl_strs[1] || !x->wl_strs[2] || !x->wl_strs[3]) {
			burst_free(x);
			return NULL;
		}
		x->wl.cgroup_path = x->wl_strs[0];
		x->wl.container_id = x->wl_strs[1];
		x->wl.runtime = x->wl_strs[2];
		x->wl.name = x->wl_strs[3];
	}
	if (x->dns && dns_add(b, x, dns_name(a), a->time_ns) < 0) {
		burst_free(x);
		return NULL;
	}
	k = bucket_of(x->cgroup_id, x->rule, x->actor);
	x->hnext = b->b[k];
	b->b[k] = x;
	vigil_lru__push(&b->lru, &x->lru);
	b->open++;
	b->st.opened++;
	return x;
}

static const char *key_of(const struct vigil_alert *a)
{
	return a->key ? a->key : "";
}

/* Whether a's key is one x's window names already. */
static bool key_known(const struct burst *x, const struct vigil_alert *a)
{
	for (uint32_t i = 0; i < x->nkeys; i++)
		if (!strncmp(x->keys[i], key_of(a), VIGIL_BURST_KEY_BYTES - 1))
			return true;
	return false;
}

/* Folds a into x's window. 1, or < 0 (out of memory: then a is sent on its own). */
static int fold(struct vigil_bursts *b, struct burst *x, const struct vigil_alert *a)
{
	const char *key = key_of(a);

	if (!x->tmpl) {
		x->tmpl = vigil_alert__json(a);
		if (!x->tmpl)
			return -ENOMEM;
		x->first_ns = a->time_ns;
	}
	if (x->dns && dns_name(a) && dns_add(b, x, dns_name(a), a->time_ns) < 0)
		return -ENOMEM;
	if (!key_known(x, a)) {
		if (x->nkeys < VIGIL_BURST_KEYS &&
		    (x->keys[x->nkeys] = strndup(key, VIGIL_BURST_KEY_BYTES - 1)))
			x->nkeys++;
		else
			x->keys_omitted++;
	}
	x->count++;
	x->total++;
	x->repeats += a->repeats;
	if (a->time_ns > x->last_ns)
		x->last_ns = a->time_ns;
	b->st.folded++;
	return 1;
}

int vigil_bursts__alert(struct vigil_bursts *b, const struct vigil_alert *a, vigil_burst_out_fn out,
			void *ctx)
{
	struct burst **pp, *x;
	int err;

	if (b)
		b->sent = NULL;
	/* what the kernel acted on (a dry-run's would-kill folds as detection does), alerts
	 * without an event, and alerts of severity 8 and up (folded alerts live in memory until
	 * their summary: an agent killed loses them) always go out on their own */
	if (!b || !a->event || !a->rule ||
	    vigil_action__always_reported(a->event->action, a->event->action_reason) ||
	    a->rule->severity >= VIGIL_BURST_NEVER_FOLD_SEV)
		return 0;
	/* a key longer than a summary keeps: folded, what follows its first KEY_BYTES - 1 bytes
	 * would be in no alert (16 decoys and the implant differ after a long common prefix) */
	if (strnlen(key_of(a), VIGIL_BURST_KEY_BYTES) >= VIGIL_BURST_KEY_BYTES)
		return 0;
	pp = find(b, a);
	x = *pp;
	/* the window closed before the tick saw it (or the clock was set back): as the tick would */
	if (x && !window_open(b, x, a->time_ns)) {
		err = close_window(b, x, a->time_ns, out, ctx);
		if (err < 0)
			return err;
		x = *find(b, a);
	}
	if (x && x->nkeys >= VIGIL_BURST_KEYS && !key_known(x, a)) {
		/* a key the summary could not name: the window closes, this alert goes out itself
		 * (decoy keys cannot hide the one that matters) and opens the next window */
		err = summary(b, x, a->time_ns, out, ctx);
		if (err < 0)
			return err;
		x->total++;
		if (x->dns && dns_name(a))
			dns_add(b, x, dns_name(a), a->time_ns); /* without memory: not counted */
		b->sent = x;
		vigil_strlcpy(b->sent_name, dns_name(a) ?: "", sizeof(b->sent_name));
		return 0;
	}
	if (x) {
		err = fold(b, x, a);
		if (err < 0)
			return 0; /* better sent alone than lost */
		if (x->count >= VIGIL_BURST_MAX_FOLD) {
			err = summary(b, x, a->time_ns, out, ctx);
			if (err < 0)
				return err;
		}
		return 1;
	}
	if (b->open >= VIGIL_BURST_OPEN) {
		err = make_room(b, out, ctx);
		if (err < 0)
			return err;
	}
	b->sent = open_burst(b, a); /* without memory the next one is sent alone too */
	vigil_strlcpy(b->sent_name, dns_name(a) ?: "", sizeof(b->sent_name));
	return 0;
}

int vigil_bursts__annotate(struct vigil_bursts *b, json_t *j)
{
	struct burst *x = b ? b->sent : NULL;
	const char *id;
	char msg[1024];
	int err;

	if (!x || !j)
		return 0;
	b->sent = NULL;
	id = json_string_value(json_object_get(j, "alert_id"));
	if (id && !x->opened_by[0])
		vigil_strlcpy(x->opened_by, id, sizeof(x->opened_by));
	vigil_strlcpy(msg, json_string_value(json_object_get(j, "message")) ?: "", sizeof(msg));
	err = add_tunnel(b, x, b->sent_name, j, msg, sizeof(msg));
	if (err > 0 && json_object_set_new(j, "message", vigil_json_text(msg)))
		return -ENOMEM;
	return err;
}

static int close_due(struct vigil_bursts *b, uint64_t now_ns, bool all, vigil_burst_out_fn out,
		     void *ctx)
{
	int n = 0, err;

	for (size_t i = 0; i < BURST_BUCKETS; i++) {
		struct burst *x = b->b[i], *next;

		for (; x; x = next) {
			next = x->hnext;
			if (!all && window_open(b, x, now_ns))
				continue;
			if (all && !x->count) {
				unlink_burst(b, x);
				continue;
			}
			err = close_window(b, x, now_ns, out, ctx);
			if (err < 0)
				return err;
			n += err;
			if (all) /* nothing more comes: the burst ends with its summary */
				unlink_burst(b, x);
		}
	}
	return n;
}

int vigil_bursts__tick(struct vigil_bursts *b, uint64_t now_ns, vigil_burst_out_fn out, void *ctx)
{
	return b ? close_due(b, now_ns, false, out, ctx) : 0;
}

int vigil_bursts__flush(struct vigil_bursts *b, vigil_burst_out_fn out, void *ctx)
{
	return b ? close_due(b, 0, true, out, ctx) : 0;
}

void vigil_bursts__stats(const struct vigil_bursts *b, struct vigil_burst_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!b)
		return;
	*ret = b->st;
	ret->open = b->open;
}
