// SPDX-License-Identifier: Apache-2.0
/*
 * Beaconing score after RITA: a beacon's gaps and sizes are symmetric (Bowley skew near 0) and
 * tightly spread (median absolute deviation small next to the median). Only the timestamp and
 * size sub-scores are used: the histogram and duration scores need hours of data and a zoom
 * window is minutes.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "vigil/analysis.h"

#define BEACON_MAX_N 65536

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Quantile by nearest rank on sorted v (RITA rounds the index the same way). */
static double quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)llround(q * (double)(n - 1));

	return v[i];
}

/*
 * skew and MAD scores of v (sorted in place). min_iqr: below it the distribution is treated
 * as symmetric (Bowley's measure is unstable on a near-zero spread).
 */
static void dist_scores(double *v, size_t n, double min_iqr, double *skew_score, double *mad_score)
{
	double q1, q2, q3, skew = 0, mad, *dev;

	qsort(v, n, sizeof(*v), cmp_double);
	q1 = quantile(v, n, 0.25);
	q2 = quantile(v, n, 0.5);
	q3 = quantile(v, n, 0.75);
	if (q3 - q1 >= min_iqr && q2 != q1 && q2 != q3)
		skew = (q1 + q3 - 2 * q2) / (q3 - q1);
	*skew_score = 1 - fabs(skew);

	/* v is no longer needed in order: reuse it for the deviations. */
	dev = v;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(dev[i] - q2);
	qsort(dev, n, sizeof(*dev), cmp_double);
	mad = quantile(dev, n, 0.5);
	if (q2 <= 0)
		*mad_score = mad == 0 ? 1 : 0;
	else
		*mad_score = (q2 - mad) / q2;
	if (*mad_score < 0)
		*mad_score = 0;
	if (*mad_score > 1)
		*mad_score = 1;
}

const char *vigil_beacon__band(double score)
{
	if (score >= 0.9)
		return "high";
	if (score >= 0.7)
		return "medium";
	if (score >= 0.5)
		return "low";
	return "none";
}

int vigil_beacon__score(const uint64_t *times_ns, const uint64_t *sizes, size_t n,
			struct vigil_beacon *ret)
{
	struct vigil_beacon b = { .band = "none" };
	uint64_t *t;
	double *v, skew, mad;

	if (!times_ns || !ret)
		return -EINVAL;
	if (n > BEACON_MAX_N)
		n = BEACON_MAX_N;
	b.contacts = (uint32_t)n;
	if (n < VIGIL_BEACON_MIN_CONNS) {
		*ret = b;
		return 0;
	}
	t = malloc(n * sizeof(*t));
	v = malloc(n * sizeof(*v));
	if (!t || !v) {
		free(t);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = times_ns[i];
	qsort(t, n, sizeof(*t), cmp_u64);
	/* Gaps in milliseconds: a 10 ms spread is RITA's floor (it works in seconds on hours of
	 * logs; zoom windows are short and sensor times are precise). */
	for (size_t i = 0; i + 1 < n; i++)
		v[i] = (double)(t[i + 1] - t[i]) / 1e6;
	dist_scores(v, n - 1, 10.0, &skew, &mad);
	b.ts_skew_score = skew;
	b.ts_mad_score = mad;
	b.ts_score = (skew + mad) / 2;
	/* dist_scores sorted v: the median gap is no longer at hand, compute it again. */
	for (size_t i = 0; i + 1 < n; i++)
		v[i] = (double)(t[i + 1] - t[i]);
	qsort(v, n - 1, sizeof(*v), cmp_double);
	b.interval_ns = (uint64_t)quantile(v, n - 1, 0.5);

	if (sizes) {
		for (size_t i = 0; i < n; i++)
			v[i] = (double)sizes[i];
		dist_scores(v, n, 10.0, &skew, &mad);
		b.ds_score = (skew + mad) / 2;
	} else {
		b.ds_score = 1;
	}
	b.score = (b.ts_score + b.ds_score) / 2;
	b.band = vigil_beacon__band(b.score);
	b.scored = true;
	free(t);
	free(v);
	*ret = b;
	return 0;
}
