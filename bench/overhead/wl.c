/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall workloads for the overhead benchmark (bench/overhead/run). Each runs a fixed number
 * of iterations and prints one line: "ops=N secs=S ops_per_s=R cpu_s=C". Nothing here is timed
 * against a threshold: the harness compares the same workload across sensor modes.
 *
 *   wl open N DIR        open+close of DIR/file (created once)
 *   wl stat N DIR        stat of DIR/file
 *   wl pipe N            write+read of 64 bytes through a pipe, one process
 *   wl connect N PORT    loopback TCP connect+accept+close (PORT 0: any free port)
 *   wl forkexec N EXE    fork, exec EXE (no arguments), wait
 *   wl flood RATE SECS DIR   open of distinct missing files DIR/m<i>, paced to RATE per second
 *                            (0: as fast as possible); defeats the sensor's de-duplication
 *   wl latency N CGDIR EXEDIR ALERTS  event-to-alert latency: a child moves itself into CGDIR and
 *                            execs EXEDIR/p<i> (a path not in the profile); the parent waits for
 *                            a line naming that path in the ALERTS file; prints the latencies
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int die(const char *what)
{
	fprintf(stderr, "wl: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*ret = v;
	return 0;
}

static void report(uint64_t ops, double t0, double c0)
{
	double secs = now_s() - t0;

	printf("ops=%llu secs=%.6f ops_per_s=%.1f cpu_s=%.6f\n", (unsigned long long)ops, secs,
	       secs > 0 ? (double)ops / secs : 0.0, cpu_s() - c0);
}

static int w_open(uint64_t n, const char *dir, int do_stat)
{
	char path[4096];
	struct stat st;
	double t0, c0;
	int fd;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return die(path);
	close(fd);
	t0 = now_s();
	c0 = cpu_s();
	for (uint64_t i = 0; i < n; i++) {
		if (do_stat) {
			if (stat(path, &st) < 0)
				return die("stat");
			continue;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return die("open");
		close(fd);
	}
	report(n, t0, c0);
	return 0;
}

static int w_pipe(uint64_t n)
{
	char buf[64] = { 0 };
	int p[2];
	double t0, c0;

	if (pipe(p) < 0)
		return die("pipe");
	t0 = now_s();
	c0 = cpu_s();
	for (uint64_t i = 0; i < n; i++) {
		if (write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return die("write");
		if (read(p[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return die("read");
	}
	report(n, t0, c0);
	return 0;
}

static int w_connect(uint64_t n, uint64_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int one = 1, ls;
	double t0, c0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 64) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &len) < 0)
		return die("listen");
	t0 = now_s();
	c0 = cpu_s();
	for (uint64_t i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

		if (c < 0)
			return die("socket");
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return die("connect");
		a = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			return die("accept");
		/* reset instead of FIN: no TIME_WAIT, so ephemeral ports never run out */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
		close(a);
	}
	report(n, t0, c0);
	close(ls);
	return 0;
}

static int w_forkexec(uint64_t n, const char *exe)
{
	char *const argv[] = { (char *)exe, NULL };
	char *const envp[] = { NULL };
	double t0 = now_s(), c0 = cpu_s();
	struct rusage ru;

	for (uint64_t i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return die("fork");
		if (!pid) {
			execve(exe, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0)
			return die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "wl: %s failed\n", exe);
			return 1;
		}
	}
	/* the children's CPU counts too: they are the workload */
	getrusage(RUSAGE_CHILDREN, &ru);
	report(n, t0,
	       c0 - ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6));
	return 0;
}

static int w_flood(uint64_t rate, uint64_t secs, const char *dir)
{
	char path[4096];
	double t0 = now_s(), c0 = cpu_s(), end = t0 + (double)secs;
	uint64_t i = 0;

	for (;;) {
		for (int k = 0; k < 256; k++, i++) {
			snprintf(path, sizeof(path), "%s/m%llu", dir, (unsigned long long)i);
			if (open(path, O_RDONLY | O_CLOEXEC) >= 0)
				return die("flood: file exists");
		}
		double t = now_s();

		if (t >= end)
			break;
		if (rate) {
			double ahead = (double)i / (double)rate - (t - t0);

			if (ahead > 0) {
				struct timespec ts = {
					.tv_sec = (time_t)ahead,
					.tv_nsec = (long)((ahead - (double)(time_t)ahead) * 1e9)
				};

				nanosleep(&ts, NULL);
			}
		}
	}
	report(i, t0, c0);
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(s);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, (size_t)len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* Waits until a line of the alerts file contains needle; returns 0, or -1 after timeout_s. */
static int wait_alert(FILE *f, const char *needle, double timeout_s)
{
	char line[16384];
	double end = now_s() + timeout_s;

	for (;;) {
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, needle))
				return 0;
		}
		clearerr(f);
		if (now_s() > end)
			return -1;
		usleep(200);
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int w_latency(uint64_t n, const char *cgdir, const char *exedir, const char *alerts)
{
	char procs[4096], exe[4096], pidbuf[32];
	double lat[1000];
	uint64_t got = 0, missed = 0;
	FILE *f;

	if (n > 1000)
		n = 1000;
	f = fopen(alerts, "re");
	if (!f)
		return die(alerts);
	fseek(f, 0, SEEK_END);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgdir);
	for (uint64_t i = 0; i < n; i++) {
		char *const envp[] = { NULL };
		double t0;
		pid_t pid;
		int st;

		snprintf(exe, sizeof(exe), "%s/p%llu", exedir, (unsigned long long)i);
		t0 = now_s();
		pid = fork();
		if (pid < 0)
			return die("fork");
		if (!pid) {
			char *const argv[] = { exe, NULL };

			snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
			if (write_str(procs, pidbuf) < 0)
				_exit(126);
			execve(exe, argv, envp);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "wl: latency probe %s failed\n", exe);
			return 1;
		}
		/* the alert names the path; a trailing quote makes p1 not match p10 */
		{
			char needle[4200];

			snprintf(needle, sizeof(needle), "%s\"", exe);
			if (wait_alert(f, needle, 5.0) == 0)
				lat[got++] = (now_s() - t0) * 1e3;
			else
				missed++;
		}
	}
	fclose(f);
	qsort(lat, got, sizeof(lat[0]), cmp_d);
	printf("n=%llu missed=%llu", (unsigned long long)got, (unsigned long long)missed);
	if (got)
		printf(" p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", lat[(got - 1) / 2],
		       lat[(size_t)((double)(got - 1) * 0.99)], lat[got - 1]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = 0, m = 0;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 3 || parse_u64(argv[2], &n) < 0) {
		fprintf(stderr, "usage: wl open|stat|pipe|connect|forkexec|flood|latency N ...\n");
		return 2;
	}
	if (!strcmp(argv[1], "open") && argc == 4)
		return w_open(n, argv[3], 0);
	if (!strcmp(argv[1], "stat") && argc == 4)
		return w_open(n, argv[3], 1);
	if (!strcmp(argv[1], "pipe") && argc == 3)
		return w_pipe(n);
	if (!strcmp(argv[1], "connect") && argc == 4 && !parse_u64(argv[3], &m) && m < 65536)
		return w_connect(n, m);
	if (!strcmp(argv[1], "forkexec") && argc == 4)
		return w_forkexec(n, argv[3]);
	if (!strcmp(argv[1], "flood") && argc == 5 && !parse_u64(argv[3], &m))
		return w_flood(n, m, argv[4]);
	if (!strcmp(argv[1], "latency") && argc == 6)
		return w_latency(n, argv[3], argv[4], argv[5]);
	fprintf(stderr, "wl: bad arguments (see the comment at the top of bench/overhead/wl.c)\n");
	return 2;
}
