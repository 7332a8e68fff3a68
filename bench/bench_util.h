/* SPDX-License-Identifier: Apache-2.0 */
/* Small pieces the benchmarks share. */
#ifndef VIGIL_BENCH_UTIL_H
#define VIGIL_BENCH_UTIL_H

#include <stdint.h>
#include <sys/resource.h>

#include "vigil/sensor.h"

/* CPU time (user + system) this process has used so far. */
static inline uint64_t bench_cpu_ns(void)
{
	struct rusage a;

	getrusage(RUSAGE_SELF, &a);
	return (uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec) * 1000ull;
}

/* An event callback that only drains the ring buffer. */
static inline int bench_drain_event(const struct vigil_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
	return 0;
}

#endif
