// SPDX-License-Identifier: Apache-2.0
/*
 * Profile matching benchmark: ns per exec/open lookup through vigil_matcher (indexes) and,
 * side by side in the same run, through a linear scan over the same entries (precompiled
 * patterns, Kubescape's approach), at 100, 10 000 and 50 000 entries, literal-heavy and
 * wildcard-heavy. Also the time to load a 50 000-entry YAML and to build its matcher (when
 * the loader is linked in). Prints one Markdown section for docs/BENCHMARKS.md (bench/run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile/index.h"
#include "profile/model.h"
#include "profile/wildcard.h"
#include "util/buf.h"
#include "vigil/profile.h"

#define ONE  PROF_ELLIPSIS
#define ARGS PROF_ELLIPSIS_ANY

#define NQUERIES 4096
#define MIN_NS	 (150ULL * 1000 * 1000) /* measure each figure for at least 150 ms */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: robust on a shared machine */
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "bench_match: out of memory\n");
		exit(2);
	}
	return d;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "bench_match: out of memory\n");
		exit(2);
	}
	return p;
}

/* ---- workloads -------------------------------------------------------------------------- */

enum shape {
	LITERAL,
	WILDCARD
};

/* The i-th open pattern and a path it matches (hit) or that nothing matches (miss). */
static void open_pattern(enum shape s, size_t i, char *out, size_t size)
{
	if (s == LITERAL) {
		snprintf(out, size, "/usr/lib/x86_64-linux-gnu/pkg%zu/lib%zu.so.%zu", i % 997, i,
			 i % 7);
		return;
	}
	switch (i % 4) {
	case 0:
		snprintf(out, size, "/var/lib/app%zu/" ONE "/data%zu.db", i / 4, i);
		break;
	case 1:
		snprintf(out, size, "/srv/site%zu/*/access.log", i / 4);
		break;
	case 2:
		snprintf(out, size, "/proc/" ONE "/task/" ONE "/fd%zu", i);
		break;
	default:
		snprintf(out, size, "/opt/vendor%zu/*", i / 4);
		break;
	}
}

static void open_query(enum shape s, size_t n, bool hit, char *out, size_t size)
{
	size_t i = rnd((uint32_t)n);

	if (s == LITERAL) {
		if (hit)
			open_pattern(s, i, out, size);
		else
			snprintf(out, size, "/usr/lib/x86_64-linux-gnu/pkg%zu/lib%zu.so.x", i % 997,
				 i);
		return;
	}
	switch (i % 4) {
	case 0:
		snprintf(out, size, "/var/lib/app%zu/%s/data%zu.db", i / 4, hit ? "c1" : "c1/c2",
			 i);
		break;
	case 1:
		snprintf(out, size, "/srv/site%zu/%saccess.log", i / 4, hit ? "a/b/" : "a/b/x");
		break;
	case 2:
		snprintf(out, size, "/proc/%u/task/%u/fd%zu%s", rnd(30000), rnd(30000), i,
			 hit ? "" : "/x");
		break;
	default:
		snprintf(out, size, hit ? "/opt/vendor%zu/lib/a.so" : "/opt/vendor%zu", i / 4);
		break;
	}
}

static void exec_pattern(enum shape s, size_t i, char *out, size_t size)
{
	if (s == LITERAL)
		snprintf(out, size, "/usr/libexec/tools/t%zu/bin/tool%zu", i % 503, i);
	else if (i % 2)
		snprintf(out, size, "/opt/app%zu/" ONE "/bin/run", i);
	else
		snprintf(out, size, "/nix/store/" ONE "/pkg%zu/*", i);
}

static void exec_query(enum shape s, size_t n, bool hit, char *out, size_t size)
{
	size_t i = rnd((uint32_t)n);

	if (s == LITERAL)
		snprintf(out, size, "/usr/libexec/tools/t%zu/bin/tool%zu%s", i % 503, i,
			 hit ? "" : "x");
	else if (i % 2)
		snprintf(out, size, "/opt/app%zu/v%u/bin/%s", i, rnd(9), hit ? "run" : "other");
	else
		snprintf(out, size, "/nix/store/h%u/pkg%zu%s", rnd(99999), i, hit ? "/bin/sh" : "");
}

/* ---- a profile in memory ---------------------------------------------------------------- */

static char *flags_rd[] = { "O_CLOEXEC", "O_RDONLY" };
static char *exec_args[] = { "tool", "-c", ARGS };

static void build_profile(struct vigil_profile *p, struct prof_doc *d, struct prof_container *c,
			  bool exec, enum shape s, size_t n)
{
	char buf[512];

	memset(p, 0, sizeof(*p));
	memset(d, 0, sizeof(*d));
	memset(c, 0, sizeof(*c));
	c->name = "app";
	if (exec) {
		c->execs.state = PROF_SET;
		c->execs.v = xcalloc(n, sizeof(*c->execs.v));
		c->execs.n = n;
		for (size_t i = 0; i < n; i++) {
			exec_pattern(s, i, buf, sizeof(buf));
			c->execs.v[i].path = xstrdup(buf);
			c->execs.v[i].args = (struct prof_strs){ PROF_SET, exec_args, 3, 3, { 0 } };
		}
	} else {
		c->opens.state = PROF_SET;
		c->opens.v = xcalloc(n, sizeof(*c->opens.v));
		c->opens.n = n;
		for (size_t i = 0; i < n; i++) {
			open_pattern(s, i, buf, sizeof(buf));
			c->opens.v[i].path = xstrdup(buf);
			c->opens.v[i].flags = (struct prof_strs){ PROF_SET, flags_rd, 2, 2, { 0 } };
		}
	}
	d->kind = VIGIL_KIND_APPLICATION_PROFILE;
	d->name = "bench";
	d->containers = (struct prof_containers){ PROF_SET, c, 1, 1, { 0 } };
	p->docs = d;
	p->ndocs = 1;
}

static void free_profile(struct prof_container *c)
{
	for (size_t i = 0; i < c->execs.n; i++)
		free(c->execs.v[i].path);
	free(c->execs.v);
	for (size_t i = 0; i < c->opens.n; i++)
		free(c->opens.v[i].path);
	free(c->opens.v);
}

/* ---- the linear baseline: every entry's precompiled pattern, in turn ---------------------- */

struct linear {
	struct vigil_wc_pattern *pat;
	uint64_t *flags;
	size_t n;
};

static void linear_build(struct linear *l, const struct prof_container *c, bool exec)
{
	l->n = exec ? c->execs.n : c->opens.n;
	l->pat = xcalloc(l->n, sizeof(*l->pat));
	l->flags = xcalloc(l->n, sizeof(*l->flags));
	for (size_t i = 0; i < l->n; i++) {
		const char *path = exec ? c->execs.v[i].path : c->opens.v[i].path;

		if (vigil_wc_pattern__compile(&l->pat[i], path, VIGIL_WC_PATH) < 0) {
			fprintf(stderr, "bench_match: bad pattern %s\n", path);
			exit(2);
		}
		for (size_t k = 0; !exec && k < c->opens.v[i].flags.n; k++) {
			uint64_t b = 0;

			vigil_wc_open_flag(c->opens.v[i].flags.v[k], &b);
			l->flags[i] |= b;
		}
	}
}

static void linear_free(struct linear *l)
{
	for (size_t i = 0; i < l->n; i++)
		vigil_wc_pattern__release(&l->pat[i]);
	free(l->pat);
	free(l->flags);
}

static bool linear_lookup(const struct linear *l, bool exec, const char *q, uint32_t flags,
			  const char *const *argv, size_t argc)
{
	struct vigil_wc_seg segs[64];
	uint64_t want = vigil_wc_open_flags(flags);
	int n = vigil_wc_split(q, strlen(q), VIGIL_WC_PATH, segs, 64);

	if (n < 0 || n > 64)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		if (!vigil_wc_pattern__match(&l->pat[i], segs, (size_t)n))
			continue;
		if (exec ? vigil_wc_args_match((const char *const *)exec_args, 3, true, argv, argc)
			 : (want & ~l->flags[i]) == 0)
			return true;
	}
	return false;
}

/* ---- measurement ------------------------------------------------------------------------ */

/* VIGIL_BENCH_INDEX_ONLY=1 skips the linear scan (for profiling the index alone). */
static bool index_only;

static const char *const argv_q[] = { "tool", "-c", "echo hi" };

struct result {
	double ns;
	size_t hits;
};

/*
 * The machine is shared: time windows of WINDOW_NS and keep the fastest window's ns/lookup
 * (the least disturbed), over at least MIN_NS in all.
 */
#define WINDOW_NS (30ULL * 1000 * 1000)

static bool lookup(const struct vigil_matcher *m, const struct linear *l, bool exec, const char *q)
{
	if (m && exec)
		return vigil_matcher__exec(m, q, argv_q, 3) == VIGIL_MATCH_YES;
	if (m)
		return vigil_matcher__open(m, q, 0 /* O_RDONLY */);
	return linear_lookup(l, exec, q, 0, argv_q, 3);
}

static struct result run(const struct vigil_matcher *m, const struct linear *l, bool exec,
			 char **qs)
{
	uint64_t start = now_ns(), t0, t, done;
	double best = 1e300;
	size_t hits = 0, i = 0;

	do {
		t0 = now_ns();
		done = 0;
		do {
			/* Read the clock (a system call for CPU time) every 256 lookups only. */
			for (int k = 0; k < 256; k++, i++, done++)
				hits += lookup(m, l, exec, qs[i % NQUERIES]);
			t = now_ns();
		} while (t - t0 < WINDOW_NS);
		if ((double)(t - t0) / (double)done < best)
			best = (double)(t - t0) / (double)done;
	} while (t - start < MIN_NS);
	return (struct result){ best, hits };
}

static void bench_case(bool exec, enum shape s, size_t n)
{
	struct vigil_profile p;
	struct prof_doc d;
	struct prof_container c;
	struct vigil_matcher *m;
	struct linear lin;
	struct result ri, rl;
	char **qs = xcalloc(NQUERIES, sizeof(*qs));
	char buf[512];
	uint64_t t0, build_ns;
	int r;

	build_profile(&p, &d, &c, exec, s, n);
	t0 = now_ns();
	r = vigil_matcher__new(&p, NULL, &m);
	build_ns = now_ns() - t0;
	if (r < 0) {
		fprintf(stderr, "bench_match: vigil_matcher__new: %s\n", strerror(-r));
		exit(2);
	}
	linear_build(&lin, &c, exec);
	for (size_t i = 0; i < NQUERIES; i++) {
		bool hit = rnd(10) < 7; /* 70 % of events are in the profile */

		if (exec)
			exec_query(s, n, hit, buf, sizeof(buf));
		else
			open_query(s, n, hit, buf, sizeof(buf));
		qs[i] = xstrdup(buf);
	}
	/* Both must agree (on a quarter of the queries: the scan is slow) before speed means anything. */
	for (size_t i = 0; i < NQUERIES / 4 && !index_only; i++) {
		bool a = exec ? vigil_matcher__exec(m, qs[i], argv_q, 3) == VIGIL_MATCH_YES
			      : vigil_matcher__open(m, qs[i], 0);

		if (a != linear_lookup(&lin, exec, qs[i], 0, argv_q, 3)) {
			fprintf(stderr, "bench_match: index and linear scan disagree on %s\n",
				qs[i]);
			exit(2);
		}
	}
	ri = run(m, NULL, exec, qs);
	rl = index_only ? ri : run(NULL, &lin, exec, qs);
	printf("| %s | %s | %zu | %.0f | %.2f M | %.0f | %.0fx | %.1f | %.0f |\n",
	       exec ? "exec" : "open", s == LITERAL ? "literal" : "wildcard", n, ri.ns,
	       1000.0 / ri.ns, rl.ns, rl.ns / ri.ns, (double)build_ns / 1e6,
	       (double)vigil_matcher__bytes(m) / 1024.0);
	fflush(stdout);
	for (size_t i = 0; i < NQUERIES; i++)
		free(qs[i]);
	free(qs);
	linear_free(&lin);
	vigil_matcher__free(m);
	free_profile(&c);
}

/* ---- loading a 50 000-entry YAML --------------------------------------------------------- */

/* Best of 5 CPU times of loading y and of building its matcher. */
static void time_load(const struct vigil_buf *y, uint64_t *best_load, uint64_t *best_build)
{
	struct vigil_profile *p = NULL;
	struct vigil_matcher *m = NULL;
	struct vigil_error err;
	int r;

	*best_load = *best_build = UINT64_MAX;
	for (int round = 0; round < 5; round++) {
		uint64_t t0 = now_ns(), t1, t2;

		r = vigil_profile__load_buffer(y->data, y->len, "bench.yaml", NULL, &p, &err);
		t1 = now_ns();
		if (r < 0) {
			fprintf(stderr, "bench_match: load: %s\n", err.message);
			exit(2);
		}
		r = vigil_matcher__new(p, NULL, &m);
		t2 = now_ns();
		if (r < 0) {
			fprintf(stderr, "bench_match: matcher: %s\n", strerror(-r));
			exit(2);
		}
		if (t1 - t0 < *best_load)
			*best_load = t1 - t0;
		if (t2 - t1 < *best_build)
			*best_build = t2 - t1;
		vigil_matcher__free(m);
		vigil_profile__free(p);
	}
}

static void bench_load(size_t n)
{
	struct vigil_buf y = VIGIL_BUF_INIT, fmt = VIGIL_BUF_INIT;
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char buf[512];
	uint64_t load, build;
	int r = 0;

	r |= vigil_buf__puts(&y, "apiVersion: " VIGIL_PROFILE_API_VERSION "\n"
				 "kind: ApplicationProfile\n"
				 "metadata:\n  name: bench\n"
				 "spec:\n  containers:\n  - name: app\n    opens:\n");
	for (size_t i = 0; i < n; i++) {
		open_pattern(i % 2 ? WILDCARD : LITERAL, i, buf, sizeof(buf));
		r |= vigil_buf__printf(&y, "    - path: %s\n      flags: [O_CLOEXEC, O_RDONLY]\n",
				       buf);
	}
	/* the same profile as Vigil writes it (vigil profile fmt: entries sorted, block lists) */
	if (r || vigil_profile__load_buffer(y.data, y.len, "bench.yaml", NULL, &p, &err) ||
	    vigil_profile__emit_yaml(p, &fmt)) {
		fprintf(stderr, "bench_match: cannot make the profile\n");
		exit(2);
	}
	vigil_profile__free(p);
	time_load(&y, &load, &build);
	printf("\nLoad of a %zu-entry YAML (%zu KiB, half literal, half wildcard opens, in no "
	       "order), best of 5 (CPU time): parse + model %.1f ms, matcher build %.1f ms, total "
	       "%.1f ms.\n",
	       n, y.len / 1024, (double)load / 1e6, (double)build / 1e6,
	       (double)(load + build) / 1e6);
	time_load(&fmt, &load, &build);
	printf("The same profile as `vigil profile fmt` writes it (%zu KiB, entries sorted): parse "
	       "+ model %.1f ms, matcher build %.1f ms, total %.1f ms.\n",
	       fmt.len / 1024, (double)load / 1e6, (double)build / 1e6,
	       (double)(load + build) / 1e6);
	vigil_buf__release(&y);
	vigil_buf__release(&fmt);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 100, 10000, 50000 };

	index_only = getenv("VIGIL_BENCH_INDEX_ONLY") != NULL;

	printf("Per-lookup cost of `vigil_matcher__exec`/`__open` (indexed) and of a linear scan "
	       "over the same precompiled entries (Kubescape's approach), measured side by side in "
	       "one run. %d distinct queries, 70 %% in the profile; exec queries carry argv "
	       "`[tool, -c, \"echo hi\"]` against entries `[tool, -c, ⋯⋯]`. Times are CPU time of "
	       "the measuring thread, fastest of several windows; \"matcher KiB\" is what the "
	       "matcher allocated (indexes, entries, copied strings).\n\n",
	       NQUERIES);
	printf("| event | entries | count | indexed ns/lookup | indexed lookups/s | linear ns/lookup "
	       "| linear / indexed | matcher build ms | matcher KiB |\n");
	printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
	/* Optional filters for profiling one case: [exec|open|load] [literal|wildcard] [COUNT]. */
	for (int e = 0; e < 2; e++) {
		if (argc > 1 && strcmp(argv[1], e == 0 ? "exec" : "open") != 0)
			continue;
		for (int s = 0; s < 2; s++) {
			if (argc > 2 && strcmp(argv[2], s ? "wildcard" : "literal") != 0)
				continue;
			for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
				if (argc <= 3 || strtoul(argv[3], NULL, 10) == sizes[k])
					bench_case(e == 0, s ? WILDCARD : LITERAL, sizes[k]);
		}
	}
	if (argc <= 1 || strcmp(argv[1], "load") == 0)
		bench_load(50000);
	return 0;
}
