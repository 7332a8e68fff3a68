// SPDX-License-Identifier: Apache-2.0
/*
 * R2001's namespace map under pod churn: N workloads, each with a network namespace of its own
 * noted by the agent (vigil_sensor__note_netns, as for a container a scan finds), then all N
 * unwatched one by one, each unwatch removing its workload's entries. The figure is the time
 * of the N unwatches (and per unwatch). Before issue 11 an unwatch walked the whole map (two
 * syscalls per entry: O(N^2) for the churn); now it removes its own few entries by index.
 * Needs root (the sensor, and a network namespace per workload: N sleeping children).
 *   build/bench/bench_netns [N]   (default 1000)
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vigil/sensor.h"

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* A child in a network namespace of its own, until killed; its pid (or -1). */
static pid_t netns_child(void)
{
	int p[2];
	char c = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		c = unshare(CLONE_NEWNET) ? 'e' : 'k';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'k') {
		close(p[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(p[0]);
	return pid;
}

int main(int argc, char **argv)
{
	struct vigil_sensor_opts o = { .scope = VIGIL_SCOPE_SELECTED };
	struct vigil_sensor *s = NULL;
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000, made = 0, noted = 0;
	const uint64_t base = 1ull << 40; /* cgroup ids no cgroup has */
	pid_t *kids;
	uint64_t t0, t1;
	int rc = 0;

	if (geteuid()) {
		fprintf(stderr, "needs root\n");
		return 77;
	}
	kids = calloc(n ? n : 1, sizeof(*kids));
	if (!kids || vigil_sensor__open(&o, &s, NULL)) {
		fprintf(stderr, "cannot open the sensor\n");
		free(kids);
		return 77;
	}
	for (; made < n; made++) {
		kids[made] = netns_child();
		if (kids[made] < 0)
			break;
		if (vigil_sensor__watch_cgroup(s, base + made) ||
		    vigil_sensor__note_netns(s, base + made, kids[made]) != 1)
			continue;
		noted++;
	}
	t0 = now_ns();
	for (size_t i = 0; i < made; i++)
		vigil_sensor__unwatch_cgroup(s, base + i);
	t1 = now_ns();
	for (size_t i = 0; i < made; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	if (noted != n) {
		fprintf(stderr, "noted %zu of %zu namespaces\n", noted, n);
		rc = 1;
	}
	printf("| workloads (one namespace each) | unwatches | total ms | us per unwatch |\n");
	printf("|---|---|---|---|\n");
	printf("| %zu | %zu | %.1f | %.1f |\n", noted, made, (double)(t1 - t0) / 1e6,
	       made ? (double)(t1 - t0) / 1e3 / (double)made : 0.0);
	vigil_sensor__free(s);
	free(kids);
	return rc;
}
