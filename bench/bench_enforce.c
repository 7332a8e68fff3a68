// SPDX-License-Identifier: Apache-2.0
/*
 * The cost of enforcement on the hot path (docs/ENFORCEMENT.md): the exec hook's run time per
 * exec (kernel bpf_stats: run_time_ns / run_cnt of the sensor's sched_process_exec program) and
 * the worker's CPU per fork+exec of /bin/true, in a watched workload, side by side in one run:
 * not enforced; enforced with the program allowed (the steady state: a hash of the path the
 * record already holds and one map lookup); enforced in dry-run with the program not allowed
 * (every exec a would-kill record, never de-duplicated). Prints a Markdown section.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/types.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vigil/sensor.h"

#include "bench_util.h"

#define STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"
#define MODES	     3

static const char *const cg2 = "/sys/fs/cgroup/unified";

static uint64_t cpu_ns(void)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return (uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
			  b.ru_stime.tv_sec) *
		       1000000000ull +
	       (uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
			  b.ru_stime.tv_usec) *
		       1000ull;
}

/* The exec hook programs loaded after id `after` (this sensor's: ids only grow). */
static size_t exec_progs(__u32 after, int *fds, size_t max)
{
	__u32 id = after;
	size_t n = 0;

	while (n < max && !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    (!strcmp(info.name, "vg_exec") || !strcmp(info.name, "vg_exec_raw")))
			fds[n++] = fd;
		else
			close(fd);
	}
	return n;
}

static void prog_stats(const int *fds, size_t n, uint64_t *ns, uint64_t *cnt)
{
	*ns = *cnt = 0;
	for (size_t i = 0; i < n; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(fds[i], &info, &len)) {
			*ns += info.run_time_ns;
			*cnt += info.run_cnt;
		}
	}
}

/* A worker in a fresh watched cgroup runs n fork+exec of /bin/true after a start signal. */
struct run {
	double hook_ns, cpu_us;
};

static int measure(struct vigil_sensor *s, int mode, const int *fds, size_t nfds, long n,
		   struct run *ret)
{
	char dir[256], c = 'g';
	int go[2], res[2];
	uint64_t cg = 0, ns0, cnt0, ns1, cnt1, elapsed = 0;
	pid_t pid;

	if (pipe(go) || pipe(res))
		return -1;
	pid = fork();
	if (pid == 0) {
		uint64_t t0;

		close(go[1]);
		close(res[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		t0 = cpu_ns();
		for (long i = 0; i < n; i++) {
			pid_t p = fork();

			if (p == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (p > 0)
				waitpid(p, NULL, 0);
		}
		t0 = cpu_ns() - t0;
		_exit(write(res[1], &t0, sizeof(t0)) == sizeof(t0) ? 0 : 1);
	}
	close(go[0]);
	close(res[1]);
	if (!bench_cgroup_make(cg2, "enforce", pid, dir, sizeof(dir), &cg)) {
		vigil_sensor__watch_cgroup(s, cg);
		if (mode > 0) {
			struct vigil_enforce e = { .rules = VIGIL_ENFORCE_EXEC };
			char real[PATH_MAX];

			/* mode 1: /bin/true allowed; mode 2: something else is, dry-run */
			if (mode == 1 && realpath("/bin/true", real))
				vigil_sensor__allow_exec(s, cg, real);
			else
				vigil_sensor__allow_exec(s, cg, "/usr/bin/not-true");
			vigil_sensor__set_enforce(s, cg, &e);
		}
	}
	prog_stats(fds, nfds, &ns0, &cnt0);
	if (write(go[1], &c, 1) != 1)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = res[0], .events = POLLIN };

		vigil_sensor__poll(s, 5, bench_drain_event, NULL);
		if (poll(&p, 1, 0) > 0) {
			if (read(res[0], &elapsed, sizeof(elapsed)) != sizeof(elapsed))
				elapsed = 0;
			break;
		}
	}
	waitpid(pid, NULL, 0);
	prog_stats(fds, nfds, &ns1, &cnt1);
	close(go[1]);
	close(res[0]);
	vigil_sensor__set_enforce(s, cg, NULL);
	vigil_sensor__unwatch_cgroup(s, cg);
	rmdir(dir);
	ret->hook_ns = cnt1 > cnt0 ? (double)(ns1 - ns0) / (double)(cnt1 - cnt0) : -1;
	ret->cpu_us = elapsed ? (double)elapsed / (double)n / 1000.0 : -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[MODES] = {
		"watched, not enforced",
		"enforced, program allowed (steady state)",
		"enforced dry-run, program not allowed (every exec a would-kill record)",
	};
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 400;
	struct vigil_sensor_opts o = { .scope = VIGIL_SCOPE_SELECTED, .dedup = true };
	struct run best[MODES];
	struct vigil_sensor *s = NULL;
	char old[8] = "0";
	int fds[4], sfd;
	size_t nfds;
	__u32 last = 0, id = 0;

	if (n <= 0)
		n = 400;
	if (geteuid() != 0) {
		fprintf(stderr, "bench_enforce: needs root\n");
		return 77;
	}
	libbpf_set_print(NULL);
	while (!bpf_prog_get_next_id(id, &id))
		last = id;
	if (vigil_sensor__open(&o, &s, NULL)) {
		fprintf(stderr, "bench_enforce: cannot load the sensor\n");
		return 77;
	}
	nfds = exec_progs(last, fds, 4);
	sfd = open(STATS_SYSCTL, O_RDWR | O_CLOEXEC);
	if (!nfds || sfd < 0 || read(sfd, old, sizeof(old) - 1) < 0 ||
	    pwrite(sfd, "1", 1, 0) != 1) {
		fprintf(stderr, "bench_enforce: no exec program or no bpf_stats\n");
		vigil_sensor__free(s);
		return 77;
	}
	for (int m = 0; m < MODES; m++)
		best[m].hook_ns = best[m].cpu_us = 1e18;
	/* modes interleaved, 5 rounds, the best of each: on a shared machine noise only adds */
	for (int round = 0; round < 5; round++) {
		for (int m = 0; m < MODES; m++) {
			struct run r;

			if (measure(s, m, fds, nfds, n, &r))
				continue;
			if (r.hook_ns > 0 && r.hook_ns < best[m].hook_ns)
				best[m].hook_ns = r.hook_ns;
			if (r.cpu_us > 0 && r.cpu_us < best[m].cpu_us)
				best[m].cpu_us = r.cpu_us;
		}
	}
	if (pwrite(sfd, old[0] == '1' ? "1" : "0", 1, 0) != 1)
		fprintf(stderr, "bench_enforce: could not restore %s\n", STATS_SYSCTL);
	close(sfd);
	vigil_sensor__free(s);

	printf("A worker in a watched cgroup runs %ld fork+exec of /bin/true per round; best of 5\n"
	       "interleaved rounds. Exec hook: kernel bpf_stats (run_time_ns / run_cnt) of the\n"
	       "sensor's sched_process_exec program, the whole program (path walk, argv, record)\n"
	       "and not only the enforcement part; worker: CPU time (user + system, children\n"
	       "included) per fork+exec.\n\n",
	       n);
	printf("| mode | exec hook ns | vs not enforced | fork+exec µs |\n|---|---|---|---|\n");
	for (int m = 0; m < MODES; m++)
		printf("| %s | %.0f | %+.0f ns | %.0f |\n", names[m], best[m].hook_ns,
		       best[m].hook_ns - best[0].hook_ns, best[m].cpu_us);
	printf("\nOther workloads (not enforced) pay one hash lookup in `enforce` per exec. The\n"
	       "fork+exec column moves by tens of µs between runs on this shared machine; the hook\n"
	       "column is the one to compare.\n");
	return 0;
}
