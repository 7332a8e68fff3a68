/* SPDX-License-Identifier: Apache-2.0 */
/*
 * open_flood SECONDS: one process pinned to each CPU, all in the caller's workload, attempt
 * opens of distinct missing paths (/nonexistent/vigil-flood-CPU-N) as fast as they can for
 * SECONDS. Prints "opens N seconds S cpus C": every attempt is a distinct event for the sensor,
 * so N over S is the rate the workload offered.
 */
#include <sched.h>
#include <time.h>
#include <sys/mman.h>

#include "progs.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long seconds, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long *counts;
	double start, took;
	unsigned long total = 0;

	prog_name = "open_flood";
	if (argc != 2)
		prog_usage("SECONDS");
	seconds = prog_num(argv[1], 1, 60, "seconds");
	if (ncpu < 1 || ncpu > 256)
		prog_die("unexpected CPU count %ld", ncpu);
	counts = mmap(NULL, (size_t)ncpu * sizeof(*counts), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		prog_die("mmap: %s", strerror(errno));
	start = now();
	for (long c = 0; c < ncpu; c++) {
		pid_t pid = fork();

		if (pid < 0)
			prog_die("fork: %s", strerror(errno));
		if (pid == 0) {
			cpu_set_t set;
			char path[64];
			unsigned long n = 0;

			CPU_ZERO(&set);
			CPU_SET((int)c, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				prog_die("sched_setaffinity %ld: %s", c, strerror(errno));
			while (now() - start < (double)seconds) {
				for (int k = 0; k < 64; k++, n++) {
					snprintf(path, sizeof(path),
						 "/nonexistent/vigil-flood-%ld-%lu", c, n);
					if (open(path, O_RDONLY) >= 0)
						prog_die("%s exists", path);
				}
			}
			counts[c] = n;
			_exit(0);
		}
	}
	for (long c = 0; c < ncpu; c++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			prog_die("a flooding child failed");
	}
	took = now() - start;
	for (long c = 0; c < ncpu; c++)
		total += counts[c];
	printf("opens %lu seconds %.3f cpus %ld\n", total, took, ncpu);
	return 0;
}
