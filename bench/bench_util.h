/* SPDX-License-Identifier: Apache-2.0 */
/* Small pieces the benchmarks share. */
#ifndef VIGIL_BENCH_UTIL_H
#define VIGIL_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vigil/sensor.h"

/* CPU time (user + system) this process has used so far. */
static inline uint64_t bench_cpu_ns(void)
{
	struct rusage a;

	getrusage(RUSAGE_SELF, &a);
	return (uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec) * 1000ull;
}

/*
 * A cgroup of the benchmark's own, cg2/vigil-bench-NAME-PID (cg2: the cgroup2 root), with pid
 * moved into it (0: left empty): its directory in dir (rmdir it when done; t9000 checks that
 * none is left), its id in *ret_cg. 0, or -1 when it could not be made or its id read.
 */
static inline int bench_cgroup_make(const char *cg2, const char *name, pid_t pid, char *dir,
				    size_t size, uint64_t *ret_cg)
{
	char procs[512];
	FILE *f;

	*ret_cg = 0;
	if ((size_t)snprintf(dir, size, "%s/vigil-bench-%s-%d", cg2, name, (int)getpid()) >= size)
		return -1;
	mkdir(dir, 0755);
	if (pid) {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		if ((f = fopen(procs, "w"))) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
	}
	return vigil_sensor__cgroup_id(dir + strlen(cg2), ret_cg) ? -1 : 0;
}

/* An event callback that only drains the ring buffer. */
static inline int bench_drain_event(const struct vigil_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
	return 0;
}

#endif
