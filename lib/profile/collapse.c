// SPDX-License-Identifier: Apache-2.0
/*
 * Dynamic path detection for learned profiles (kubescape-sbob.md §2): in the trie of path
 * segments, a node with more than N distinct children becomes one "⋯" child (its subtrees
 * merge), then runs of two or more "⋯" segments become "*". N is 50 for opens and 100 for
 * endpoints, with per-prefix overrides for opens (/etc 100; /opt, /var/run, /app 50).
 *
 * The trie is never built as nodes: the paths are sorted segment-wise, so the children of a
 * prefix are contiguous runs; a level is counted, rewritten in place and re-sorted. That is
 * O(n log n) per level, and memory is one array of segment pointers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/buf.h"
#include "util/strutil.h"

static const char ellipsis[] = PROF_ELLIPSIS;

struct cpath {
	char *text;	   /* the original path, split in place at '/' */
	const char **segs; /* segments (pointers into text, or to ellipsis) */
	size_t nsegs;
	size_t entry; /* index of the entry it came from */
};

struct cctx {
	unsigned threshold;
	const struct vigil_collapse_opts *opts;
	bool opens; /* per-prefix overrides apply to opens */
	int depth;
};

static int cmp_from(const struct cpath *a, const struct cpath *b, size_t d)
{
	for (size_t i = d;; i++) {
		int r;

		if (i == a->nsegs || i == b->nsegs)
			return (i < a->nsegs) - (i < b->nsegs);
		if ((r = strcmp(a->segs[i], b->segs[i])))
			return r;
	}
}

static int cmp_cpath(const void *a, const void *b, void *depth)
{
	return cmp_from(a, b, *(const size_t *)depth);
}

static void sort_from(struct cpath *paths, size_t n, size_t depth)
{
	qsort_r(paths, n, sizeof(*paths), cmp_cpath, &depth);
}

static bool is_ellipsis(const char *seg)
{
	return seg == ellipsis || !strcmp(seg, ellipsis);
}

static unsigned threshold_for(const struct cctx *c, const struct cpath *p, size_t d)
{
	static const struct {
		const char *prefix;
		unsigned n;
	} overrides[] = { { "/etc", 100 }, { "/opt", 50 }, { "/var/run", 50 }, { "/app", 50 } };
	char prefix[256];
	size_t off = 0;

	if (!c->opens || (c->opts && c->opts->opens_threshold))
		return c->threshold;
	for (size_t i = 1; i < d && off < sizeof(prefix); i++)
		off += (size_t)snprintf(prefix + off, sizeof(prefix) - off, "/%s", p->segs[i]);
	if (off >= sizeof(prefix))
		return c->threshold;
	prefix[off] = 0;
	for (size_t i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		size_t l = strlen(overrides[i].prefix);

		if (!strncmp(prefix, overrides[i].prefix, l) &&
		    (prefix[l] == 0 || prefix[l] == '/'))
			return overrides[i].n;
	}
	return c->threshold;
}

/* Collapses level d of paths[lo, hi), which share segments [0, d), then recurses. */
static void collapse_level(struct cctx *c, struct cpath *paths, size_t lo, size_t hi, size_t d)
{
	size_t groups = 0, i;

	/* paths that end before d are terminals of this prefix; they sort first */
	while (lo < hi && paths[lo].nsegs <= d)
		lo++;
	if (hi - lo < 2) {
		if (hi - lo == 1)
			collapse_level(c, paths, lo, hi, d + 1);
		return;
	}
	for (i = lo; i < hi; i++)
		if (i == lo || strcmp(paths[i].segs[d], paths[i - 1].segs[d]))
			groups++;
	if (groups > threshold_for(c, &paths[lo], d)) {
		for (i = lo; i < hi; i++)
			paths[i].segs[d] = ellipsis;
		/* the merged subtrees must be contiguous again: sort by what follows */
		sort_from(paths + lo, hi - lo, d);
	}
	for (i = lo; i < hi;) {
		size_t j = i + 1;

		while (j < hi && !strcmp(paths[j].segs[d], paths[i].segs[d]))
			j++;
		collapse_level(c, paths, i, j, d + 1);
		i = j;
	}
}

/* Rebuilds the path text: runs of two or more "⋯" become "*". */
static char *join_path(const struct cpath *p, const char *lead)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	int r = lead ? vigil_buf__puts(&b, lead) : 0;

	for (size_t i = lead ? 1 : 0; !r && i < p->nsegs; i++) {
		size_t run = 0;

		while (i + run < p->nsegs && is_ellipsis(p->segs[i + run]))
			run++;
		if (run >= 2) {
			r = vigil_buf__printf(&b, "%s*", i ? "/" : "");
			i += run - 1;
			continue;
		}
		r = vigil_buf__printf(&b, "%s%s", i ? "/" : "", p->segs[i]);
	}
	if (r) {
		vigil_buf__release(&b);
		return NULL;
	}
	return b.data ? vigil_buf__steal(&b, NULL) : strdup("");
}

/* Splits "/a/b" into ["", "a", "b"]; the first segment is "" (or ":PORT" for endpoints). */
static int split(struct cpath *p, const char *path)
{
	size_t n = 1;

	p->text = strdup(path);
	if (!p->text)
		return -ENOMEM;
	for (const char *s = path; *s; s++)
		n += *s == '/';
	p->segs = calloc(n, sizeof(*p->segs));
	if (!p->segs)
		return -ENOMEM;
	p->segs[p->nsegs++] = p->text;
	for (char *s = p->text; *s; s++)
		if (*s == '/') {
			*s = 0;
			p->segs[p->nsegs++] = s + 1;
		}
	/* a trailing slash makes an empty last segment: keep it (it is part of the path) */
	return 0;
}

static void free_paths(struct cpath *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(paths[i].text);
		free(paths[i].segs);
	}
	free(paths);
}

/*
 * Collapses the strings get(i) of n entries; results go through set(i, newpath). Entries for
 * which keep() is true are left alone (image files, when the caller knows them).
 */
static int collapse_strings(size_t n, const char *(*get)(void *, size_t),
			    int (*set)(void *, size_t, char *), void *arg, struct cctx *c,
			    const struct vigil_collapse_opts *opts, bool is_path)
{
	struct cpath *paths = calloc(n ? n : 1, sizeof(*paths));
	size_t m = 0;
	int r = 0;

	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < n && !r; i++) {
		const char *s = get(arg, i);

		if (is_path && opts && opts->keep_path && opts->keep_path(s, opts->keep_arg))
			continue;
		paths[m].entry = i;
		r = split(&paths[m++], s);
	}
	if (!r) {
		sort_from(paths, m, 0);
		/* level 0 is "" (or ":PORT"): each group is its own tree */
		for (size_t i = 0; i < m;) {
			size_t j = i + 1;

			while (j < m && !strcmp(paths[j].segs[0], paths[i].segs[0]))
				j++;
			collapse_level(c, paths, i, j, 1);
			i = j;
		}
	}
	for (size_t i = 0; i < m && !r; i++) {
		char *np = join_path(&paths[i], NULL);

		if (!np)
			r = -ENOMEM;
		else
			r = set(arg, paths[i].entry, np);
	}
	free_paths(paths, m);
	return r;
}

static const char *open_get(void *arg, size_t i)
{
	return ((struct prof_container *)arg)->opens.v[i].path;
}

static int open_set(void *arg, size_t i, char *np)
{
	struct prof_open *o = &((struct prof_container *)arg)->opens.v[i];

	free(o->path);
	o->path = np;
	return 0;
}

static const char *ep_get(void *arg, size_t i)
{
	return ((struct prof_container *)arg)->endpoints.v[i].endpoint;
}

static int ep_set(void *arg, size_t i, char *np)
{
	struct prof_endpoint *e = &((struct prof_container *)arg)->endpoints.v[i];

	free(e->endpoint);
	e->endpoint = np;
	return 0;
}

/* A container's opens and endpoints, then each byExecutable section's opens the same way. */
static int collapse_container(struct prof_container *ct, const struct vigil_collapse_opts *opts)
{
	struct cctx oc = { .threshold = opts && opts->opens_threshold ? opts->opens_threshold : 50,
			   .opts = opts,
			   .opens = true };
	struct cctx ec = { .threshold = opts && opts->endpoints_threshold
						? opts->endpoints_threshold
						: 100,
			   .opts = opts };
	int r;

	if ((r = collapse_strings(ct->opens.n, open_get, open_set, ct, &oc, opts, true)) ||
	    (r = collapse_strings(ct->endpoints.n, ep_get, ep_set, ct, &ec, opts, false)))
		return r;
	for (size_t i = 0; i < ct->by_exe.n; i++)
		if ((r = collapse_container(&ct->by_exe.v[i], opts)))
			return r;
	/* the builder index keys are stale now */
	prof_container_drop_cache(ct);
	prof_container_normalize(ct);
	return 0;
}

int vigil_profile__collapse(struct vigil_profile *p, const struct vigil_collapse_opts *opts)
{
	if (!p)
		return -EINVAL;
	prof_ensure_normal(p);
	for (size_t i = 0; i < p->ndocs; i++) {
		struct prof_doc *d = &p->docs[i];

		for (size_t j = 0; j < prof_doc_container_count(d); j++) {
			int r = collapse_container(prof_doc_container_at(d, j), opts);

			if (r)
				return r;
		}
	}
	return 0;
}
