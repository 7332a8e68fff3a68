// SPDX-License-Identifier: Apache-2.0
/*
 * The recorder and the incident manager. Each workload (cgroup) has a ring of fixed slots,
 * allocated once when the workload is first seen, so recording an event in steady state is a
 * hash lookup and a copy. Rings are bounded per workload and in total; the least recently
 * active workload without an open incident is evicted first. An alert opens an incident for
 * its workload (or extends the open one): the ring's last pre_ns of events seed it, zoom is
 * switched on, and every further event of the workload is kept (bounded) until the incident
 * closes post_ns after its last alert, or max_duration_ns after it opened.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/strutil.h"
#include "sensor/zoom/zoom_internal.h"
#include "util/digest.h"

#define RECENT_REPORTS 16

struct vigil_zoom {
	struct vigil_zoom_opts o;
	struct zwl **table; /* open addressing by cgroup id, tsize slots */
	size_t tsize;
	struct zwl *lru_head, *lru_tail;
	size_t nwl;
	size_t ring_bytes_used;
	struct zinc **incs;
	size_t ninc;
	json_t *recent[RECENT_REPORTS]; /* reports of recently closed incidents */
	size_t recent_next;
	vigil_zoom_set_fn zoom_fn;
	void *zoom_ctx;
	vigil_zoom_report_fn report_fn;
	void *report_ctx;
	struct vigil_zoom_stats st;
};

void vigil_zoom_opts__init(struct vigil_zoom_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pre_ns = 60ull * 1000000000ull;
	o->post_ns = 30ull * 1000000000ull;
	o->max_duration_ns = 600ull * 1000000000ull;
	o->ring_bytes = 64u << 10;
	o->ring_total_bytes = 16u << 20;
	o->max_workloads = 1024;
	o->incident_bytes = 8u << 20;
	o->max_incidents = 64;
	o->sample_bytes = 1024;
}

struct vigil_zoom *vigil_zoom__new(const struct vigil_zoom_opts *opts)
{
	struct vigil_zoom *z = calloc(1, sizeof(*z));
	struct vigil_zoom_opts d;

	if (!z)
		return NULL;
	vigil_zoom_opts__init(&d);
	z->o = opts ? *opts : d;
	/* zero fields mean the default */
#define DEF(f)       \
	if (!z->o.f) \
		z->o.f = d.f;
	DEF(pre_ns)
	DEF(post_ns)
	DEF(max_duration_ns)
	DEF(ring_bytes)
	DEF(ring_total_bytes)
	DEF(max_workloads)
	DEF(incident_bytes)
	DEF(max_incidents)
	DEF(sample_bytes)
#undef DEF
	if (z->o.sample_bytes > 16384)
		z->o.sample_bytes = 16384;
	if (z->o.ring_bytes < ZSLOT_BYTES)
		z->o.ring_bytes = ZSLOT_BYTES;
	z->tsize = 16;
	while (z->tsize < z->o.max_workloads * 2)
		z->tsize *= 2;
	z->table = calloc(z->tsize, sizeof(*z->table));
	z->incs = calloc(z->o.max_incidents, sizeof(*z->incs));
	if (!z->table || !z->incs) {
		free(z->table);
		free(z->incs);
		free(z);
		errno = ENOMEM;
		return NULL;
	}
	return z;
}

void vigil_zoom__set_zoom_cb(struct vigil_zoom *z, vigil_zoom_set_fn fn, void *ctx)
{
	z->zoom_fn = fn;
	z->zoom_ctx = ctx;
}

void vigil_zoom__set_report_cb(struct vigil_zoom *z, vigil_zoom_report_fn fn, void *ctx)
{
	z->report_fn = fn;
	z->report_ctx = ctx;
}

/* ---- workload table and LRU ----------------------------------------------------------- */

static size_t slot_of(const struct vigil_zoom *z, uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull;
	id ^= id >> 33;
	return (size_t)id & (z->tsize - 1);
}

static struct zwl *wl_find(struct vigil_zoom *z, uint64_t id, size_t *ret_slot)
{
	size_t k = slot_of(z, id);

	while (z->table[k]) {
		if (z->table[k]->cgroup_id == id) {
			if (ret_slot)
				*ret_slot = k;
			return z->table[k];
		}
		k = (k + 1) & (z->tsize - 1);
	}
	if (ret_slot)
		*ret_slot = k;
	return NULL;
}

static void lru_unlink(struct vigil_zoom *z, struct zwl *w)
{
	if (w->lru_prev)
		w->lru_prev->lru_next = w->lru_next;
	else
		z->lru_head = w->lru_next;
	if (w->lru_next)
		w->lru_next->lru_prev = w->lru_prev;
	else
		z->lru_tail = w->lru_prev;
	w->lru_prev = w->lru_next = NULL;
}

static void lru_push_front(struct vigil_zoom *z, struct zwl *w)
{
	w->lru_next = z->lru_head;
	w->lru_prev = NULL;
	if (z->lru_head)
		z->lru_head->lru_prev = w;
	z->lru_head = w;
	if (!z->lru_tail)
		z->lru_tail = w;
}

/* Removes w from the open-addressing table, re-inserting the run after it. */
static void wl_remove(struct vigil_zoom *z, struct zwl *w)
{
	size_t k;

	if (wl_find(z, w->cgroup_id, &k) != w)
		return;
	z->table[k] = NULL;
	for (size_t j = (k + 1) & (z->tsize - 1); z->table[j]; j = (j + 1) & (z->tsize - 1)) {
		struct zwl *m = z->table[j];
		size_t dst;

		z->table[j] = NULL;
		wl_find(z, m->cgroup_id, &dst);
		z->table[dst] = m;
	}
	lru_unlink(z, w);
	z->ring_bytes_used -= (size_t)w->nslots * ZSLOT_BYTES;
	z->nwl--;
	free(w->slots);
	free(w);
}

/* Evicts the least recently active workload without an open incident. */
static bool wl_evict_one(struct vigil_zoom *z)
{
	for (struct zwl *w = z->lru_tail; w; w = w->lru_prev) {
		if (w->inc)
			continue;
		z->st.workloads_evicted++;
		wl_remove(z, w);
		return true;
	}
	return false;
}

static struct zwl *wl_get(struct vigil_zoom *z, const struct vigil_workload *wl)
{
	size_t k, ring = z->o.ring_bytes / ZSLOT_BYTES * ZSLOT_BYTES;
	struct zwl *w = wl_find(z, wl->cgroup_id, NULL);

	if (w) {
		if (z->lru_head != w) {
			lru_unlink(z, w);
			lru_push_front(z, w);
		}
		return w;
	}
	while (z->nwl >= z->o.max_workloads || z->ring_bytes_used + ring > z->o.ring_total_bytes)
		if (!wl_evict_one(z))
			return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->slots = malloc(ring);
	if (!w->slots) {
		free(w);
		return NULL;
	}
	w->nslots = (uint32_t)(ring / ZSLOT_BYTES);
	w->cgroup_id = wl->cgroup_id;
	vigil_strlcpy(w->name, wl->name ? wl->name : "", sizeof(w->name));
	vigil_strlcpy(w->cgroup, wl->cgroup_path ? wl->cgroup_path : "", sizeof(w->cgroup));
	vigil_strlcpy(w->container_id, wl->container_id ? wl->container_id : "",
		      sizeof(w->container_id));
	wl_find(z, wl->cgroup_id, &k);
	z->table[k] = w;
	lru_push_front(z, w);
	z->nwl++;
	z->ring_bytes_used += ring;
	return w;
}

static struct zev *ring_at(const struct zwl *w, uint32_t i)
{
	return (struct zev *)(w->slots + (size_t)((w->head + i) % w->nslots) * ZSLOT_BYTES);
}

/* ---- incidents ----------------------------------------------------------------------- */

static void inc_add_proc(struct zinc *inc, uint32_t pid, const char *comm, uint64_t t, bool reexec)
{
	struct zproc *p;
	char path[64], exe[sizeof(p->exe)];
	ssize_t n;

	if (!pid)
		return;
	for (size_t i = 0; i < inc->nprocs; i++)
		if (inc->procs[i].pid == pid) {
			p = &inc->procs[i];
			if (!reexec)
				return;
			/* an exec replaced the program: new comm, exe and language */
			vigil_strlcpy(p->comm, comm, sizeof(p->comm));
			goto detect;
		}
	if (inc->nprocs >= ZINC_MAX_PROCS)
		return;
	p = &inc->procs[inc->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->first_ns = t;
	vigil_strlcpy(p->comm, comm, sizeof(p->comm));
detect:
	/* Read while the process lives: the report may be built after it exited. A process
	 * already gone keeps what was learnt before. */
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	vigil_strlcpy(p->exe, exe, sizeof(p->exe));
	p->lang_known = vigil_lang__from_pid((int)pid, &p->lang) == 0;
}

/*
 * Room in the incident for a copy of `need` bytes: the memory to fill, or NULL with *ret_err
 * (-ENOSPC past the incident's bound, counted as dropped; -ENOMEM).
 */
static struct zev *inc_slot(struct zinc *inc, size_t need, size_t bound, int *ret_err)
{
	struct zev *e;

	if (inc->bytes + need > bound) {
		inc->dropped++;
		*ret_err = -ENOSPC;
		return NULL;
	}
	if (inc->nev == inc->cap) {
		size_t cap = inc->cap ? inc->cap * 2 : 256;
		struct zev **n = realloc(inc->ev, cap * sizeof(*n));

		if (!n) {
			*ret_err = -ENOMEM;
			return NULL;
		}
		inc->ev = n;
		inc->cap = cap;
	}
	e = malloc(need);
	if (!e)
		*ret_err = -ENOMEM;
	return e;
}

/* Keeps a filled copy: the incident's times and processes follow it. */
static void inc_keep(struct zinc *inc, struct zev *e, size_t need)
{
	inc->ev[inc->nev++] = e;
	inc->bytes += need;
	if (!inc->first_ns || e->time_ns < inc->first_ns)
		inc->first_ns = e->time_ns;
	if (e->time_ns > inc->last_ns)
		inc->last_ns = e->time_ns;
	inc_add_proc(inc, e->pid, e->comm, e->time_ns, e->kind == VIGIL_EV_EXEC);
}

static int inc_append(struct vigil_zoom *z, struct zinc *inc, const struct vigil_event *ev)
{
	size_t need = zev_size(ev, z->o.sample_bytes);
	struct zev *e;
	int err = 0;

	e = inc_slot(inc, need, z->o.incident_bytes, &err);
	if (!e) {
		if (err == -ENOSPC)
			z->st.incident_events_dropped++;
		return err;
	}
	zev_fill(e, need, ev, z->o.sample_bytes);
	inc_keep(inc, e, need);
	return 0;
}

/* Copies a ring record into the incident. */
static int inc_append_zev(struct vigil_zoom *z, struct zinc *inc, const struct zev *src)
{
	size_t need = zev_bytes(src);
	struct zev *e;
	int err = 0;

	e = inc_slot(inc, need, z->o.incident_bytes, &err);
	if (!e)
		return err;
	memcpy(e, src, need);
	inc_keep(inc, e, need);
	return 0;
}

static void inc_free(struct zinc *inc)
{
	if (!inc)
		return;
	for (size_t i = 0; i < inc->nev; i++)
		free(inc->ev[i]);
	free(inc->ev);
	json_decref(inc->alerts);
	free(inc);
}

static void incident_id(const struct zwl *w, uint64_t opened_ns, char out[33])
{
	unsigned char md[VIGIL_SHA256_LEN];
	uint8_t buf[8 + sizeof(w->container_id) + sizeof(w->name) + 8];
	size_t n = 0, l;

	/* workload identity (cgroup id, container id, name) and the open time: stable, and a
	 * later incident of the same workload gets a different id */
	for (int i = 0; i < 8; i++)
		buf[n++] = (uint8_t)(w->cgroup_id >> (56 - 8 * i));
	l = strlen(w->container_id) + 1;
	memcpy(buf + n, w->container_id, l);
	n += l;
	l = strlen(w->name) + 1;
	memcpy(buf + n, w->name, l);
	n += l;
	for (int i = 0; i < 8; i++)
		buf[n++] = (uint8_t)(opened_ns >> (56 - 8 * i));
	vigil_sha256(buf, n, md);
	vigil_hex(md, 16, out);
}

int vigil_zoom__event(struct vigil_zoom *z, const struct vigil_event *ev)
{
	struct zwl *w;
	struct zev *slot;

	if (!z || !ev || !ev->workload)
		return -EINVAL;
	w = wl_get(z, ev->workload);
	if (!w)
		return -ENOMEM;
	z->st.events++;
	if (w->count == w->nslots) {
		w->head = (w->head + 1) % w->nslots;
		w->count--;
		z->st.ring_evicted++;
	}
	slot = ring_at(w, w->count);
	/* ring slots hold no samples: before an incident there are none */
	zev_fill(slot, ZSLOT_BYTES, ev, 0);
	w->count++;
	if (w->inc)
		return inc_append(z, w->inc, ev) == -ENOMEM ? -ENOMEM : 0;
	return 0;
}

int vigil_zoom__alert(struct vigil_zoom *z, const struct vigil_event *ev, json_t *alert,
		      char *ret_id)
{
	struct zwl *w;
	struct zinc *inc;
	uint64_t t;
	int opened = 0;

	if (!z || !ev || !ev->workload)
		return -EINVAL;
	w = wl_get(z, ev->workload);
	if (!w)
		return -ENOMEM;
	t = ev->time_ns;
	inc = w->inc;
	if (!inc) {
		if (z->ninc >= z->o.max_incidents) {
			z->st.alerts_dropped++;
			return -ENOSPC;
		}
		inc = calloc(1, sizeof(*inc));
		if (!inc)
			return -ENOMEM;
		inc->alerts = json_array();
		if (!inc->alerts) {
			free(inc);
			return -ENOMEM;
		}
		inc->wl = w;
		inc->opened_ns = t;
		incident_id(w, t, inc->id);
		{
			const char *wid = json_string_value(
				json_object_get(json_object_get(alert, "workload"), "id"));

			if (wid && wid[0])
				vigil_strlcpy(inc->workload_id, wid, sizeof(inc->workload_id));
			else if (w->container_id[0])
				vigil_strlcpy(inc->workload_id, w->container_id,
					      sizeof(inc->workload_id));
			else if (w->cgroup[0]) /* as docs/ALERTS.md defines workload.id */
				vigil_strlcpy(inc->workload_id, w->cgroup,
					      sizeof(inc->workload_id));
			else
				snprintf(inc->workload_id, sizeof(inc->workload_id), "cgroup:%llu",
					 (unsigned long long)w->cgroup_id);
		}
		/* pre-trigger context: what the ring holds from the last pre_ns */
		for (uint32_t i = 0; i < w->count; i++) {
			const struct zev *e = ring_at(w, i);

			if (e->time_ns + z->o.pre_ns >= t)
				inc_append_zev(z, inc, e);
		}
		w->inc = inc;
		z->incs[z->ninc++] = inc;
		z->st.incidents_opened++;
		z->st.incidents_open = z->ninc;
		if (z->zoom_fn)
			z->zoom_fn(z->zoom_ctx, w->cgroup_id, true);
		opened = 1;
	}
	if (t > inc->last_alert_ns)
		inc->last_alert_ns = t;
	inc->planned_end_ns = inc->last_alert_ns + z->o.post_ns;
	if (inc->planned_end_ns > inc->opened_ns + z->o.max_duration_ns)
		inc->planned_end_ns = inc->opened_ns + z->o.max_duration_ns;
	if (ev->proc)
		inc_add_proc(inc, ev->proc->pid, ev->proc->comm, t, false);
	if (alert) {
		zoom_headline_alert(inc, alert);
		json_object_set_new(alert, "incident_id", json_string(inc->id));
		json_object_set_new(alert, "incident_headline", vigil_json_text(inc->head.text));
		json_array_append(inc->alerts, alert);
	}
	if (ret_id)
		memcpy(ret_id, inc->id, VIGIL_INCIDENT_ID_LEN + 1);
	return opened;
}

static void remember(struct vigil_zoom *z, json_t *report)
{
	json_decref(z->recent[z->recent_next]);
	z->recent[z->recent_next] = report;
	z->recent_next = (z->recent_next + 1) % RECENT_REPORTS;
}

static void inc_close(struct vigil_zoom *z, size_t idx, uint64_t now)
{
	struct zinc *inc = z->incs[idx];
	json_t *report;

	inc->closed_ns = now;
	if (z->zoom_fn)
		z->zoom_fn(z->zoom_ctx, inc->wl->cgroup_id, false);
	report = zoom_build_report(inc, &z->o, true);
	if (report) {
		if (z->report_fn)
			z->report_fn(z->report_ctx, report, true);
		remember(z, report);
	}
	inc->wl->inc = NULL;
	inc_free(inc);
	z->incs[idx] = z->incs[--z->ninc];
	z->st.incidents_closed++;
	z->st.incidents_open = z->ninc;
}

int vigil_zoom__tick(struct vigil_zoom *z, uint64_t now_ns)
{
	int closed = 0;

	if (!z)
		return -EINVAL;
	for (size_t i = 0; i < z->ninc;) {
		if (now_ns >= z->incs[i]->planned_end_ns) {
			inc_close(z, i, now_ns);
			closed++;
		} else {
			i++;
		}
	}
	return closed;
}

int vigil_zoom__flush(struct vigil_zoom *z)
{
	if (!z)
		return -EINVAL;
	for (size_t i = 0; i < z->ninc; i++) {
		json_t *r = zoom_build_report(z->incs[i], &z->o, false);

		if (r && z->report_fn)
			z->report_fn(z->report_ctx, r, false);
		json_decref(r);
	}
	return (int)z->ninc;
}

int vigil_zoom__report(struct vigil_zoom *z, const char *id, json_t **ret)
{
	if (!z || !id || !ret)
		return -EINVAL;
	for (size_t i = 0; i < z->ninc; i++)
		if (!strcmp(z->incs[i]->id, id)) {
			*ret = zoom_build_report(z->incs[i], &z->o, false);
			return *ret ? 0 : -ENOMEM;
		}
	for (size_t i = 0; i < RECENT_REPORTS; i++) {
		const char *rid = json_string_value(json_object_get(z->recent[i], "incident_id"));

		if (rid && !strcmp(rid, id)) {
			*ret = json_incref(z->recent[i]);
			return 0;
		}
	}
	return -ENOENT;
}

int vigil_zoom__stats(const struct vigil_zoom *z, struct vigil_zoom_stats *ret)
{
	if (!z || !ret)
		return -EINVAL;
	*ret = z->st;
	ret->ring_bytes = z->ring_bytes_used;
	ret->workloads = z->nwl;
	ret->incidents_open = z->ninc;
	return 0;
}

void vigil_zoom__free(struct vigil_zoom *z)
{
	if (!z)
		return;
	while (z->ninc) {
		struct zinc *inc = z->incs[z->ninc - 1];

		/* closes at the last moment it has seen */
		inc_close(z, z->ninc - 1,
			  inc->last_ns > inc->last_alert_ns ? inc->last_ns : inc->last_alert_ns);
	}
	while (z->lru_head)
		wl_remove(z, z->lru_head);
	for (size_t i = 0; i < RECENT_REPORTS; i++)
		json_decref(z->recent[i]);
	free(z->table);
	free(z->incs);
	free(z);
}
