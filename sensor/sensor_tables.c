// SPDX-License-Identifier: Apache-2.0
/*
 * The sensor's bounded process and workload tables: hash chains plus an LRU list, so memory
 * stays fixed under churn and the least recently seen entry is evicted first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_internal.h"
#include "util/strutil.h"

/* ---- process table ------------------------------------------------------------------- */

struct vigil_proc_table {
	struct vigil_proc_entry **buckets;
	struct vigil_proc_entry **pbuckets; /* by pid alone: a process's parent */
	size_t nbuckets, count, max;
	uint64_t evictions;
	struct vigil_lru lru;
};

/* buckets at first: grown with the table, so a node with few processes has few pages of them */
#define PROC_BUCKETS_MIN 511

static size_t proc_hash_n(size_t nbuckets, uint32_t pid, uint64_t start)
{
	uint64_t h = (pid * 0x9e3779b97f4a7c15ull) ^ (start * 0xbf58476d1ce4e5b9ull);

	return (size_t)(h ^ (h >> 29)) % nbuckets;
}

static size_t proc_hash(const struct vigil_proc_table *t, uint32_t pid, uint64_t start)
{
	return proc_hash_n(t->nbuckets, pid, start);
}

struct vigil_proc_table *vigil_proc_table__new(size_t max)
{
	struct vigil_proc_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max ? max : 1;
	/* two buckets per entry at most: a small table is not given more */
	t->nbuckets = t->max * 2 + 1 < PROC_BUCKETS_MIN ? t->max * 2 + 1 : PROC_BUCKETS_MIN;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->pbuckets = calloc(t->nbuckets, sizeof(*t->pbuckets));
	if (!t->buckets || !t->pbuckets) {
		free(t->buckets);
		free(t->pbuckets);
		free(t);
		return NULL;
	}
	return t;
}

static void proc_entry_clear(struct vigil_proc_entry *p)
{
	if (p->argv) {
		for (uint32_t i = 0; i < p->proc.argc; i++)
			free(p->argv[i]);
		free(p->argv);
	}
	free(p->exe);
	free(p->cwd);
	p->argv = NULL;
	p->exe = p->cwd = NULL;
	p->proc.argv = NULL;
	p->proc.argc = 0;
	p->proc.exe = "";
	p->proc.cwd = "";
}

static void proc_unlink_free(struct vigil_proc_table *t, struct vigil_proc_entry *p)
{
	struct vigil_proc_entry **pp = &t->buckets[proc_hash(t, p->proc.pid, p->proc.start_ns)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	pp = &t->pbuckets[p->proc.pid % t->nbuckets];
	while (*pp && *pp != p)
		pp = &(*pp)->pnext;
	if (*pp)
		*pp = p->pnext;
	vigil_lru__unlink(&t->lru, &p->lru);
	proc_entry_clear(p);
	free(p);
	t->count--;
}

void vigil_proc_table__free(struct vigil_proc_table *t)
{
	if (!t)
		return;
	while (t->lru.head)
		proc_unlink_free(t, vigil_lru_entry(t->lru.head, struct vigil_proc_entry, lru));
	free(t->buckets);
	free(t->pbuckets);
	free(t);
}

struct vigil_proc_entry *vigil_proc_table__find(struct vigil_proc_table *t, uint32_t pid,
						uint64_t start_ns)
{
	struct vigil_proc_entry *p = t->buckets[proc_hash(t, pid, start_ns)];

	while (p && !(p->proc.pid == pid && p->proc.start_ns == start_ns))
		p = p->hnext;
	if (p)
		vigil_lru__touch(&t->lru, &p->lru);
	return p;
}

/*
 * More buckets once there are more entries than buckets (twice as many): every entry is
 * chained again. On failure the table keeps its buckets (longer chains). No bound to check:
 * __get evicts before it adds, so count <= max, and growing only when count > nbuckets keeps
 * nbuckets < max, the new 2 * nbuckets + 1 below 2 * max + 1 (two buckets per entry).
 */
static void proc_grow(struct vigil_proc_table *t)
{
	size_t n = t->nbuckets * 2 + 1;
	struct vigil_proc_entry **b, **pb;

	if (t->count <= t->nbuckets)
		return;
	b = calloc(n, sizeof(*b));
	pb = calloc(n, sizeof(*pb));
	if (!b || !pb) {
		free(b);
		free(pb);
		return;
	}
	for (struct vigil_lru_node *l = t->lru.head; l; l = l->next) {
		struct vigil_proc_entry *p = vigil_lru_entry(l, struct vigil_proc_entry, lru);
		size_t h = proc_hash_n(n, p->proc.pid, p->proc.start_ns);

		p->hnext = b[h];
		b[h] = p;
		p->pnext = pb[p->proc.pid % n];
		pb[p->proc.pid % n] = p;
	}
	free(t->buckets);
	free(t->pbuckets);
	t->buckets = b;
	t->pbuckets = pb;
	t->nbuckets = n;
}

struct vigil_proc_entry *vigil_proc_table__get(struct vigil_proc_table *t, uint32_t pid,
					       uint64_t start_ns, bool *ret_created)
{
	struct vigil_proc_entry *p = vigil_proc_table__find(t, pid, start_ns);
	size_t b;

	if (ret_created)
		*ret_created = false;
	if (p)
		return p;
	if (t->count >= t->max && t->lru.tail) {
		proc_unlink_free(t, vigil_lru_entry(t->lru.tail, struct vigil_proc_entry, lru));
		t->evictions++;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->proc.pid = pid;
	p->proc.start_ns = start_ns;
	p->proc.exe = "";
	p->proc.cwd = "";
	b = proc_hash(t, pid, start_ns);
	p->hnext = t->buckets[b];
	t->buckets[b] = p;
	p->pnext = t->pbuckets[pid % t->nbuckets];
	t->pbuckets[pid % t->nbuckets] = p;
	vigil_lru__push(&t->lru, &p->lru);
	t->count++;
	proc_grow(t);
	if (ret_created)
		*ret_created = true;
	return p;
}

struct vigil_proc_entry *vigil_proc_table__find_pid(const struct vigil_proc_table *t, uint32_t pid)
{
	struct vigil_proc_entry *best = NULL;

	/* a reused pid: the process that started last is the one alive now */
	for (struct vigil_proc_entry *p = t->pbuckets[pid % t->nbuckets]; p; p = p->pnext) {
		if (p->proc.pid == pid && (!best || p->proc.start_ns > best->proc.start_ns))
			best = p;
	}
	return best;
}

void vigil_proc_table__remove(struct vigil_proc_table *t, uint32_t pid, uint64_t start_ns)
{
	struct vigil_proc_entry *p = vigil_proc_table__find(t, pid, start_ns);

	if (p)
		proc_unlink_free(t, p);
}

size_t vigil_proc_table__count(const struct vigil_proc_table *t)
{
	return t->count;
}

uint64_t vigil_proc_table__evictions(const struct vigil_proc_table *t)
{
	return t->evictions;
}

int vigil_proc_entry__set_exec(struct vigil_proc_entry *p, const char *exe, const char *cwd,
			       const char *argv_block, size_t len, bool truncated)
{
	size_t argc = 0;
	char **argv;

	for (size_t i = 0; i < len; i += strnlen(argv_block + i, len - i) + 1)
		argc++;
	argv = calloc(argc + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	for (size_t i = 0, k = 0; i < len && k < argc; k++) {
		size_t l = strnlen(argv_block + i, len - i);

		argv[k] = strndup(argv_block + i, l);
		if (!argv[k]) {
			while (k--)
				free(argv[k]);
			free(argv);
			return -ENOMEM;
		}
		i += l + 1;
	}
	proc_entry_clear(p);
	p->argv = argv;
	p->proc.argc = (uint32_t)argc;
	p->proc.argv = (const char *const *)argv;
	p->proc.args_truncated = truncated;
	p->exe = strdup(exe ? exe : "");
	p->cwd = strdup(cwd ? cwd : "");
	p->proc.exe = p->exe ? p->exe : "";
	p->proc.cwd = p->cwd ? p->cwd : "";
	return p->exe && p->cwd ? 0 : -ENOMEM;
}

int vigil_proc_entry__inherit(struct vigil_proc_entry *dst, const struct vigil_proc_entry *src)
{
	size_t len = 0;
	char *block;
	int r;

	for (uint32_t i = 0; i < src->proc.argc; i++)
		len += strlen(src->argv[i]) + 1;
	block = malloc(len + 1);
	if (!block)
		return -ENOMEM;
	len = 0;
	for (uint32_t i = 0; i < src->proc.argc; i++) {
		size_t l = strlen(src->argv[i]) + 1;

		memcpy(block + len, src->argv[i], l);
		len += l;
	}
	r = vigil_proc_entry__set_exec(dst, src->proc.exe, src->proc.cwd, block, len,
				       src->proc.args_truncated);
	free(block);
	return r;
}

/* ---- workload table ------------------------------------------------------------------ */

struct vigil_workload_table {
	struct vigil_workload_entry **buckets;
	size_t nbuckets, count, max;
	struct vigil_lru lru;
};

static size_t wl_hash(const struct vigil_workload_table *t, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17) % t->nbuckets;
}

struct vigil_workload_table *vigil_workload_table__new(size_t max)
{
	struct vigil_workload_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max ? max : 1;
	t->nbuckets = t->max * 2 + 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

static void wl_unlink_free(struct vigil_workload_table *t, struct vigil_workload_entry *w)
{
	struct vigil_workload_entry **pp = &t->buckets[wl_hash(t, w->wl.cgroup_id)];

	while (*pp && *pp != w)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = w->hnext;
	vigil_lru__unlink(&t->lru, &w->lru);
	free(w);
	t->count--;
}

void vigil_workload_table__free(struct vigil_workload_table *t)
{
	if (!t)
		return;
	while (t->lru.head)
		wl_unlink_free(t, vigil_lru_entry(t->lru.head, struct vigil_workload_entry, lru));
	free(t->buckets);
	free(t);
}

struct vigil_workload_entry *vigil_workload_table__get(struct vigil_workload_table *t,
						       uint64_t cgroup_id, bool *ret_created)
{
	struct vigil_workload_entry *w = t->buckets[wl_hash(t, cgroup_id)];
	size_t b;

	if (ret_created)
		*ret_created = false;
	while (w && w->wl.cgroup_id != cgroup_id)
		w = w->hnext;
	if (w) {
		vigil_lru__touch(&t->lru, &w->lru);
		return w;
	}
	if (t->count >= t->max && t->lru.tail)
		wl_unlink_free(t, vigil_lru_entry(t->lru.tail, struct vigil_workload_entry, lru));
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->wl.cgroup_id = cgroup_id;
	w->wl.cgroup_path = w->path;
	w->wl.container_id = w->container_id;
	w->wl.runtime = "";
	w->wl.name = w->name;
	b = wl_hash(t, cgroup_id);
	w->hnext = t->buckets[b];
	t->buckets[b] = w;
	vigil_lru__push(&t->lru, &w->lru);
	t->count++;
	if (ret_created)
		*ret_created = true;
	return w;
}

void vigil_workload_table__remove(struct vigil_workload_table *t, uint64_t cgroup_id)
{
	struct vigil_workload_entry *w = t->buckets[wl_hash(t, cgroup_id)];

	while (w && w->wl.cgroup_id != cgroup_id)
		w = w->hnext;
	if (w)
		wl_unlink_free(t, w);
}

size_t vigil_workload_table__prune(struct vigil_workload_table *t,
				   bool (*gone)(const struct vigil_workload_entry *w, void *ctx),
				   void *ctx)
{
	struct vigil_lru_node *l = t->lru.head, *next;
	size_t n = 0;

	for (; l; l = next) {
		struct vigil_workload_entry *w =
			vigil_lru_entry(l, struct vigil_workload_entry, lru);

		next = l->next;
		if (gone(w, ctx)) {
			wl_unlink_free(t, w);
			n++;
		}
	}
	return n;
}

size_t vigil_workload_table__count(const struct vigil_workload_table *t)
{
	return t->count;
}

void vigil_workload_entry__set_path(struct vigil_workload_entry *w, const char *path)
{
	const char *runtime = "";

	vigil_strlcpy(w->path, path, sizeof(w->path));
	if (vigil_cgroup__container_id(path, w->container_id, sizeof(w->container_id), &runtime))
		w->container_id[0] = '\0';
	w->wl.runtime = runtime;
	if (!w->name[0])
		vigil_strlcpy(w->name, w->container_id[0] ? w->container_id : path,
			      sizeof(w->name));
}
