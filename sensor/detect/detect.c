// SPDX-License-Identifier: Apache-2.0
/*
 * The rule engine: one binding (compiled matcher) per workload, one evaluation per event, at
 * most one alert per event (the most specific rule wins, so a memfd exec is R1005 and not also
 * R0001), and a bounded cooldown table that counts repeats instead of re-sending them.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/hash.h"
#include "util/strutil.h"
#include "sensor/detect/detect_internal.h"
#include "vigil/detect.h"
#include "vigil/exe_digest.h"
#include "vigil/path_alias.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"

static const char *const default_k8s_api[] = { "*:6443", "10.96.0.1:443", NULL };

/* Turns the listed rules off (or on); "all" names every rule. -EINVAL for an unknown id. */
static int set_rules(struct vigil_detector *d, const char *const *ids, bool off)
{
	for (size_t i = 0; ids && ids[i]; i++) {
		const struct vigil_rule *r = vigil_rule__find(ids[i]);

		if (!strcmp(ids[i], "all")) {
			for (size_t k = 0; k < VIGIL_RULE__MAX; k++)
				d->disabled[k] = off;
			continue;
		}
		if (!r)
			return -EINVAL;
		d->disabled[r->rid] = off;
	}
	return 0;
}

void vigil_detect_opts__dedup(const struct vigil_detect_opts *opts, bool *dedup, uint64_t *ttl_ns)
{
	bool none = opts && opts->no_cooldown;

	*dedup = !none;
	/* the set kinds (capabilities...) stay de-duplicated: the kernel keeps them quiet for
	 * a second at least, whatever the ttl (bpf/record.bpf.h dedup_repeat) */
	*ttl_ns = none ? 1
		       : (opts && opts->cooldown_ns ? opts->cooldown_ns
						    : VIGIL_DETECT_DEFAULT_COOLDOWN_NS);
}

struct vigil_detector *vigil_detector__new(const struct vigil_detect_opts *opts)
{
	struct vigil_detector *d = calloc(1, sizeof(*d));
	const char *const *api;

	if (!d)
		return NULL;
	d->digests = vigil_exe_digests__new(0);
	d->alias = vigil_path_alias__new();
	d->shells = vigil_shellsum__new();
	if (!d->digests || !d->alias || !d->shells)
		goto fail;
	d->cooldown_ns = VIGIL_DETECT_DEFAULT_COOLDOWN_NS;
	d->max_keys = 65536;
	if (opts && opts->cooldown_ns)
		d->cooldown_ns = opts->cooldown_ns;
	if (opts && opts->no_cooldown)
		d->cooldown_ns = 0;
	if (opts && opts->max_keys)
		d->max_keys = opts->max_keys;
	d->exec_mount = opts && opts->exec_mount ? opts->exec_mount : detect_exec_mount;
	for (size_t i = 0; i < VIGIL_RULE__MAX; i++)
		d->disabled[i] = (vigil_rule(i)->flags & VIGIL_RULE_OFF) != 0;
	if (set_rules(d, opts ? opts->enabled : NULL, false) < 0 ||
	    set_rules(d, opts ? opts->disabled : NULL, true) < 0) {
		errno = EINVAL;
		goto fail;
	}
	api = opts && opts->k8s_api ? opts->k8s_api : default_k8s_api;
	for (size_t i = 0; api[i]; i++)
		d->nk8s++;
	d->k8s_api = calloc(d->nk8s + 1, sizeof(*d->k8s_api));
	if (!d->k8s_api)
		goto fail;
	for (size_t i = 0; i < d->nk8s; i++) {
		d->k8s_api[i] = strdup(api[i]);
		if (!d->k8s_api[i])
			goto fail;
	}
	return d;
fail:
	vigil_detector__free(d);
	return NULL;
}

static void binding_free(struct binding *b)
{
	if (!b)
		return;
	vigil_matcher__free(b->m);
	free(b->name);
	free(b->digest);
	free(b->signer);
	free(b->wl_name);
	free(b->wl_image);
	for (int i = 0; i < K8S_N; i++)
		free(b->k8s[i]);
	free(b);
}

void vigil_detector__free(struct vigil_detector *d)
{
	int saved = errno;

	if (!d)
		return;
	vigil_exe_digests__free(d->digests);
	detect_fold_free(d);
	vigil_shellsum__free(d->shells);
	vigil_path_alias__free(d->alias);
	for (size_t i = 0; i < BIND_BUCKETS; i++) {
		while (d->bind[i]) {
			struct binding *b = d->bind[i];

			d->bind[i] = b->next;
			binding_free(b);
		}
	}
	while (d->lru.head) {
		struct cool *c = vigil_lru_entry(d->lru.head, struct cool, lru);

		vigil_lru__unlink(&d->lru, &c->lru);
		free(c);
	}
	for (size_t i = 0; d->k8s_api && i < d->nk8s; i++)
		free(d->k8s_api[i]);
	free(d->k8s_api);
	free(d);
	errno = saved;
}

static struct binding **bind_slot(const struct vigil_detector *d, uint64_t cgroup_id)
{
	struct binding **pp =
		(struct binding **)&d
			->bind[vigil_fnv1a(VIGIL_FNV1A_INIT, &cgroup_id, sizeof(cgroup_id)) %
			       BIND_BUCKETS];

	while (*pp && (*pp)->cgroup_id != cgroup_id)
		pp = &(*pp)->next;
	return pp;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int vigil_detector__bind(struct vigil_detector *d, uint64_t cgroup_id,
			 const struct vigil_profile *p, const char *container,
			 const struct vigil_profile_ref *ref)
{
	struct binding *b, **pp;
	char digest[80];
	const char *name = ref ? ref->name : NULL;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->cgroup_id = cgroup_id;
	err = vigil_matcher__new(p, container, &b->m);
	if (err < 0) {
		free(b);
		return err;
	}
	b->has_syscalls = vigil_matcher__has_syscalls(b->m);
	if (!name && vigil_profile__doc_count(p))
		name = vigil_profile__doc_name(p, 0);
	if (ref && ref->digest) {
		b->digest = strdup(ref->digest);
	} else {
		err = vigil_profile_digest(p, digest, sizeof(digest));
		if (err < 0) {
			binding_free(b);
			return err;
		}
		b->digest = strdup(digest);
	}
	b->name = dup_or_empty(name);
	b->signer = dup_or_empty(ref ? ref->signer : NULL);
	if (!b->name || !b->digest || !b->signer) {
		binding_free(b);
		return -ENOMEM;
	}
	pp = bind_slot(d, cgroup_id);
	if (*pp) {
		b->next = (*pp)->next;
		/* what the caller said about the workload outlives a profile change */
		b->wl_name = (*pp)->wl_name;
		b->wl_image = (*pp)->wl_image;
		(*pp)->wl_name = (*pp)->wl_image = NULL;
		memcpy(b->k8s, (*pp)->k8s, sizeof(b->k8s));
		memset((*pp)->k8s, 0, sizeof((*pp)->k8s));
		binding_free(*pp);
	} else {
		d->stats.workloads++;
	}
	*pp = b;
	return 0;
}

static void cool_unlink(struct vigil_detector *d, struct cool *c)
{
	struct cool **pp = &d->cool[c->hash % COOL_BUCKETS];

	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	vigil_lru__unlink(&d->lru, &c->lru);
	d->ncool--;
}

int vigil_detector__unbind(struct vigil_detector *d, uint64_t cgroup_id)
{
	struct binding **pp = bind_slot(d, cgroup_id), *b = *pp;
	struct vigil_lru_node *n, *next;

	if (!b)
		return -ENOENT;
	*pp = b->next;
	binding_free(b);
	d->stats.workloads--;
	for (n = d->lru.head; n; n = next) {
		struct cool *c = vigil_lru_entry(n, struct cool, lru);

		next = n->next;
		if (c->cgroup_id == cgroup_id) {
			cool_unlink(d, c);
			free(c);
		}
	}
	return 0;
}

int vigil_detector__set_workload_info(struct vigil_detector *d, uint64_t cgroup_id,
				      const char *name, const char *image)
{
	struct binding *b = *bind_slot(d, cgroup_id);

	if (!b)
		return -ENOENT;
	if (name) {
		free(b->wl_name);
		b->wl_name = strdup(name);
		if (!b->wl_name)
			return -ENOMEM;
	}
	if (image) {
		free(b->wl_image);
		b->wl_image = strdup(image);
		if (!b->wl_image)
			return -ENOMEM;
	}
	return 0;
}

int vigil_detector__set_k8s_info(struct vigil_detector *d, uint64_t cgroup_id,
				 const struct vigil_workload_k8s *k)
{
	struct binding *b = *bind_slot(d, cgroup_id);
	const char *v[K8S_N] = { k->pod,     k->namespace_,    k->pod_uid,	k->container_name,
				 k->runtime, k->workload_kind, k->workload_name };

	if (!b)
		return -ENOENT;
	for (int i = 0; i < K8S_N; i++) {
		free(b->k8s[i]);
		b->k8s[i] = v[i] && v[i][0] ? strdup(v[i]) : NULL;
		if (v[i] && v[i][0] && !b->k8s[i])
			return -ENOMEM;
	}
	return 0;
}

bool vigil_detector__bound(const struct vigil_detector *d, uint64_t cgroup_id)
{
	return *bind_slot(d, cgroup_id) != NULL;
}

void vigil_detector__stats(const struct vigil_detector *d, struct vigil_detect_stats *ret)
{
	*ret = d->stats;
}

int vigil_detector__syscall_bitmap(const struct vigil_detector *d, uint64_t cgroup_id,
				   const char *(*name_of)(int nr), uint64_t *bitmap, size_t nbits)
{
	const struct binding *b = *bind_slot(d, cgroup_id);

	if (!b)
		return -ENOENT;
	if (!b->has_syscalls)
		return -ENODATA;
	memset(bitmap, 0, (nbits + 63) / 64 * sizeof(uint64_t));
	for (size_t nr = 0; nr < nbits; nr++) {
		const char *name = name_of((int)nr);

		if (name && vigil_matcher__syscall(b->m, name))
			bitmap[nr / 64] |= 1ULL << (nr % 64);
	}
	return 0;
}

/*
 * Cooldown. Returns true when the alert should be sent; *ret_repeats gets how many repeats were
 * counted since the last one sent.
 */
static bool cooldown_pass(struct vigil_detector *d, uint64_t cgroup_id, enum vigil_rule_id rule,
			  const char *key, uint64_t now, uint64_t *ret_repeats)
{
	size_t klen = strlen(key);
	uint64_t h = vigil_fnv1a(
		vigil_fnv1a(vigil_fnv1a(VIGIL_FNV1A_INIT, &cgroup_id, sizeof(cgroup_id)), &rule,
			    sizeof(rule)),
		key, klen);
	struct cool *c;

	*ret_repeats = 0;
	for (c = d->cool[h % COOL_BUCKETS]; c; c = c->hnext) {
		if (c->hash == h && c->cgroup_id == cgroup_id && c->rule == rule &&
		    !strcmp(c->key, key))
			break;
	}
	if (c) {
		vigil_lru__touch(&d->lru, &c->lru);
		if (d->cooldown_ns && now >= c->last_sent_ns &&
		    now - c->last_sent_ns < d->cooldown_ns) {
			c->suppressed++;
			d->stats.suppressed++;
			return false;
		}
		/* clock stepped back, or the window is over: send, reporting the repeats */
		*ret_repeats = c->suppressed;
		c->suppressed = 0;
		c->last_sent_ns = now;
		return true;
	}
	if (!d->cooldown_ns)
		return true;
	if (d->ncool >= d->max_keys && d->lru.tail) {
		struct cool *old = vigil_lru_entry(d->lru.tail, struct cool, lru);

		cool_unlink(d, old);
		free(old);
		d->stats.evicted++;
	}
	c = calloc(1, sizeof(*c) + klen + 1);
	if (!c)
		return true; /* better a duplicate alert than a lost one */
	memcpy(c->key, key, klen + 1);
	c->cgroup_id = cgroup_id;
	c->rule = rule;
	c->hash = h;
	c->last_sent_ns = now;
	c->hnext = d->cool[h % COOL_BUCKETS];
	d->cool[h % COOL_BUCKETS] = c;
	vigil_lru__push(&d->lru, &c->lru);
	d->ncool++;
	return true;
}

/* Hands the alert up; counts it. 1 raised, or emit's value as < 0. */
static int emit_alert(struct vigil_detector *d, struct vigil_alert *a, const struct binding *b,
		      vigil_alert_fn emit, void *ctx)
{
	int err;

	if (b) {
		a->info.name = b->wl_name;
		a->info.image = b->wl_image;
		a->info.pod = b->k8s[K8S_POD];
		a->info.namespace_ = b->k8s[K8S_NS];
		a->info.pod_uid = b->k8s[K8S_UID];
		a->info.container_name = b->k8s[K8S_CNAME];
		a->info.runtime = b->k8s[K8S_RUNTIME];
		a->info.workload_kind = b->k8s[K8S_KIND];
		a->info.workload_name = b->k8s[K8S_WNAME];
	}
	d->stats.alerts++;
	err = emit ? emit(a, ctx) : 0;
	return err < 0 ? err : (err > 0 ? -ECANCELED : 1);
}

/*
 * What makes two alerts of one rule "the same" for the cooldown: the rule's key and who did it,
 * the uid, the effective uid and the program (for an exec, the program that started it; otherwise the process's
 * own executable). So a shell started by root is never a repeat of one started by an
 * unprivileged worker, nor a shell started by the web server a repeat of one started by cron:
 * a repeat cannot hide an escalation.
 */
const char *detect_actor_program(const struct vigil_event *ev)
{
	if (ev->kind == VIGIL_EV_EXEC && ev->exec.parent_exe)
		return ev->exec.parent_exe;
	return ev->proc && ev->proc->exe ? ev->proc->exe : "";
}

static void actor_identity(const struct vigil_event *ev, const char *key, char *out, size_t size)
{
	const struct vigil_process *p = ev->proc;
	const char *who = detect_actor_program(ev);

	/* the effective uid too: a setuid program's deed (euid 0 after uid 65534) is an
	 * escalation, never a repeat of the unprivileged one */
	snprintf(out, size, "%s\x1f%u\x1f%u\x1f%.255s", key, p ? p->uid : 0u, p ? p->euid : 0u,
		 who);
}

bool detect_rule_on(const struct raise *r, enum vigil_rule_id rule)
{
	return (unsigned)rule < VIGIL_RULE__MAX && !r->d->disabled[rule];
}

int detect_raise(struct raise *r, enum vigil_rule_id rule, const char *key, const char *fmt, ...)
{
	struct vigil_detector *d = r->d;
	const struct vigil_event *ev = r->ev;
	struct vigil_profile_ref ref = { r->b->name, r->b->digest, r->b->signer };
	struct vigil_alert a = { .rule = vigil_rule(rule),
				 .event = ev,
				 .workload = r->w,
				 .proc = ev->proc,
				 .profile = &ref };
	/* what enforcement judged is reported whatever the rule's switch or an exemption says;
	 * a kill (or one a rail held back) passes the cooldown too, a dry-run's would-kill is
	 * de-duplicated as detection is: its repeats within the cooldown are counted */
	bool acted = ev->action != VIGIL_ACTION_NONE;
	bool always = vigil_action__always_reported(ev->action, ev->action_reason);
	char keybuf[KEY_MAX], idbuf[KEY_MAX + 2 * 256], msg[1024];
	va_list ap;

	if (!a.rule || (d->disabled[rule] && !acted))
		return 0;
	/* rulePolicies exempt only from the rules that take them, as in Kubescape: the
	 * `R0001: processAllowed` entries of real profiles are inert there, and here; and
	 * they follow the executable the kernel ran, never the name a process gives itself */
	if (!acted && (a.rule->flags & VIGIL_RULE_POLICY) && ev->proc &&
	    vigil_matcher__rule_allowed(r->b->m, a.rule->id, ev->proc->exe))
		return 0;
	vigil_strlcpy(keybuf, key ? key : "", sizeof(keybuf));
	a.time_ns = ev->time_ns ? ev->time_ns : vigil_realtime_ns();
	actor_identity(ev, keybuf, idbuf, sizeof(idbuf));
	if (!always &&
	    !cooldown_pass(d, r->w ? r->w->cgroup_id : 0, rule, idbuf, a.time_ns, &a.repeats))
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a.message = msg;
	a.key = keybuf;
	return emit_alert(d, &a, r->b, r->emit, r->ctx);
}

int vigil_detector__raise(struct vigil_detector *d, enum vigil_rule_id rule,
			  const struct vigil_workload *w, const char *key, const char *reason,
			  const char *message, const struct vigil_profile_ref *ref,
			  vigil_alert_fn emit, void *ctx)
{
	struct vigil_alert a = { .rule = vigil_rule(rule),
				 .time_ns = vigil_realtime_ns(),
				 .message = message ? message : "",
				 .key = key ? key : "",
				 .workload = w,
				 .profile = ref };
	char keybuf[KEY_MAX];

	if (!a.rule)
		return -EINVAL;
	if (d->disabled[rule])
		return 0;
	/* the reason is part of the key: a tampered file that becomes unsigned is news */
	snprintf(keybuf, sizeof(keybuf), "%s%s%s", key ? key : "", reason ? "\x1f" : "",
		 reason ? reason : "");
	if (!cooldown_pass(d, w ? w->cgroup_id : 0, rule, keybuf, a.time_ns, &a.repeats))
		return 0;
	a.profile_file.path = key ? key : "";
	a.profile_file.reason = reason;
	a.profile_file.detail = message;
	return emit_alert(d, &a, w ? *bind_slot(d, w->cgroup_id) : NULL, emit, ctx);
}

int vigil_detector__event(struct vigil_detector *d, const struct vigil_event *ev,
			  vigil_alert_fn emit, void *ctx)
{
	struct raise r = { .d = d, .ev = ev, .w = ev->workload, .emit = emit, .ctx = ctx };

	if (!ev->workload)
		return 0;
	r.b = *bind_slot(d, ev->workload->cgroup_id);
	if (!r.b)
		return 0;
	d->stats.events++;
	return detect_eval(&r);
}
