// SPDX-License-Identifier: Apache-2.0
/*
 * Sensor overhead, side by side in one run: an open/close loop, the same open through io_uring
 * (IORING_OP_OPENAT: its submission and completion hooks) and a fork+exec loop in a
 * separate worker process, with no BPF at all, with empty BPF programs on the same hooks (the
 * floor), and with the vigil sensor (workload unmonitored; monitored as the agent runs it,
 * de-duplication on; monitored without de-duplication, every open an event). Then the
 * sensor's RSS with 100 workloads. Prints a Markdown section for docs/BENCHMARKS.md.
 *
 * Also the hot paths issue 14 added, each in a loop of its own: write(2) (the dispatcher and
 * the DNS-over-TCP lookup at its exit), socket(2)+close (the family/type compare), an open for
 * writing (the `written` map update, never de-duplicated) and an io_uring send on a UDP
 * socket (the submission hook's opcode compare and socket/address reads). And mmap+munmap of
 * anonymous memory (what malloc does): mmap's exit records only PROT_EXEC of a file
 * (mmap_exec), so this is the dispatcher's early exit.
 * And issue 14's third round: a file created, truncated and removed (open with O_CREAT: the
 * setid mode test; ftruncate and unlink: the erase name read and suffix test; every syscall:
 * the setns compare at sys_enter).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <liburing.h>

#include "bench/overhead/floor.skel.h"
#include "vigil/sensor.h"

#include "bench_util.h"

enum loop {
	LOOP_OPEN,
	LOOP_URING,
	LOOP_FORKEXEC,
	LOOP_WRITE,
	LOOP_SOCKET,
	LOOP_OPENW,
	LOOP_URING_SEND,
	LOOP_MMAP,
	LOOP_ERASE,
	LOOP__N
};

static char openw_path[64] = "/tmp/vigil-bench-openw";
static char erase_path[64] = "/tmp/vigil-bench-erase";
static volatile int buf_sink;

static const char *bench_cg2 = "/sys/fs/cgroup/unified";

/*
 * CPU time of the worker and its reaped children (user + system; BPF programs run in the
 * worker's system time). Unlike wall time it does not count waiting for a CPU, which on a
 * shared machine would drown the figures.
 */
static uint64_t now_ns(void)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return ((uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
			   b.ru_stime.tv_sec)) *
		       1000000000ull +
	       (uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
			  b.ru_stime.tv_usec) *
		       1000ull;
}

/* One IORING_OP_OPENAT of /etc/hostname on a ring made once per worker, then close(2). */
static void uring_open_close(void)
{
	static struct io_uring ring;
	static int ready;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;

	if (!ready && io_uring_queue_init(8, &ring, 0) == 0)
		ready = 1;
	if (!ready || !(sqe = io_uring_get_sqe(&ring)))
		return;
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC, 0);
	if (io_uring_submit_and_wait(&ring, 1) < 1 || io_uring_wait_cqe(&ring, &cqe))
		return;
	if (cqe->res >= 0)
		close(cqe->res);
	io_uring_cqe_seen(&ring, cqe);
}

/* One IORING_OP_SEND of 32 bytes on a UDP socket connected to one of its own (never read:
 * the receiver drops what overflows, the send still completes). */
static void uring_send(void)
{
	static struct io_uring ring;
	static int ready, fd = -1;
	static const char msg[32] = "vigil-bench";
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;

	if (!ready) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(a);
		int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (rx < 0 || fd < 0 || bind(rx, (struct sockaddr *)&a, sizeof(a)) ||
		    getsockname(rx, (struct sockaddr *)&a, &len) ||
		    connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
		    io_uring_queue_init(8, &ring, 0))
			return;
		ready = 1;
	}
	if (!(sqe = io_uring_get_sqe(&ring)))
		return;
	io_uring_prep_send(sqe, fd, msg, sizeof(msg), 0);
	if (io_uring_submit_and_wait(&ring, 1) < 1 || io_uring_wait_cqe(&ring, &cqe))
		return;
	io_uring_cqe_seen(&ring, cqe);
}

static void run_one(enum loop l)
{
	static int null_fd = -1;
	static const char buf[64];
	int fd;

	switch (l) {
	case LOOP_WRITE:
		if (null_fd < 0)
			null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (write(null_fd, buf, sizeof(buf)) < 0)
			return;
		break;
	case LOOP_SOCKET:
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0)
			close(fd);
		break;
	case LOOP_OPENW:
		fd = open(openw_path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		break;
	case LOOP_URING_SEND:
		uring_send();
		break;
	case LOOP_MMAP: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p != MAP_FAILED)
			munmap(p, 4096);
		break;
	}
	case LOOP_ERASE:
		fd = open(erase_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (ftruncate(fd, 0))
				buf_sink++;
			close(fd);
		}
		unlink(erase_path);
		break;
	default:
		break;
	}
}

static void run_loop(enum loop l, long n)
{
	for (long i = 0; i < n; i++) {
		if (l >= LOOP_WRITE) {
			run_one(l);
		} else if (l == LOOP_URING) {
			uring_open_close();
		} else if (l == LOOP_OPEN) {
			int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);

			if (fd >= 0)
				close(fd);
		} else {
			pid_t p = fork();

			if (p == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (p > 0)
				waitpid(p, NULL, 0);
		}
	}
}

static int count_event(const struct vigil_event *ev, void *ctx)
{
	(void)ev;
	(*(uint64_t *)ctx)++;
	return 0;
}

/*
 * Runs the loop in a worker (a process the sensor can watch: the sensor never watches itself)
 * and returns ns per iteration. While it runs, the sensor (if any) is polled as a consumer
 * would. With a sensor and watch, the worker is spawned in its own watched cgroup.
 */
static double measure(struct vigil_sensor *s, bool watch, enum loop l, long n)
{
	int res[2], go[2];
	uint64_t elapsed = 0, events = 0;
	pid_t pid;
	uint64_t cg = 0;
	char cgdir[512] = "";

	if (pipe(res) || pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;

		close(res[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		run_loop(l, n / 20); /* warm caches and the sensor's tables */
		uint64_t t0 = now_ns();

		run_loop(l, n);
		t0 = now_ns() - t0;
		if (write(res[1], &t0, sizeof(t0)) != sizeof(t0))
			_exit(1);
		_exit(0);
	}
	close(res[1]);
	close(go[0]);
	/* move the worker into a fresh watched cgroup, as spawn does */
	if (s && watch && !bench_cgroup_make(bench_cg2, "sensor", pid, cgdir, sizeof(cgdir), &cg))
		vigil_sensor__watch_cgroup(s, cg);
	if (write(go[1], "g", 1) != 1)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = res[0], .events = POLLIN };

		if (s)
			vigil_sensor__poll(s, 5, count_event, &events);
		if (poll(&p, 1, s ? 0 : 1000) > 0) {
			if (read(res[0], &elapsed, sizeof(elapsed)) != sizeof(elapsed))
				elapsed = 0;
			break;
		}
	}
	waitpid(pid, NULL, 0);
	close(res[0]);
	close(go[1]);
	if (s && watch) {
		vigil_sensor__unwatch_cgroup(s, cg);
		rmdir(cgdir);
	}
	return elapsed ? (double)elapsed / (double)n : -1;
}

static int find_cg2(void)
{
	static char mnt[256];
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (sep && !strncmp(sep + 3, "cgroup2 ", 8) &&
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
			bench_cg2 = mnt;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

/* The floor: empty programs on every hook the sensor attaches (generated by
 * bench/overhead/gen-floor, built with the benchmark; never part of the sensor's object). The
 * skeleton owns the links, so destroying it detaches them. */
static struct vigil_floor *floor_open(void)
{
	struct vigil_floor *k = vigil_floor__open_and_load();

	if (!k)
		return NULL;
	if (vigil_floor__attach(k)) {
		vigil_floor__destroy(k);
		return NULL;
	}
	return k;
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

static int noop_cb(const struct vigil_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
	return 0;
}

/* RSS with 100 workloads: 100 commands, each in its own cgroup, all events consumed. */
static long rss_with_workloads(long *ret_base, long *ret_before)
{
	struct vigil_sensor_opts o = { .scope = VIGIL_SCOPE_ALL, .dedup = true };
	struct vigil_sensor *s;
	char *argv[] = { "/bin/true", NULL };
	long rss;

	*ret_base = rss_kib();
	if (vigil_sensor__open(&o, &s, NULL))
		return -1;
	*ret_before = rss_kib();
	for (int i = 0; i < 100; i++) {
		uint64_t cg;
		pid_t p = vigil_sensor__spawn(s, argv, "bench", &cg, NULL);

		if (p > 0) {
			while (waitpid(p, NULL, WNOHANG) == 0)
				vigil_sensor__poll(s, 2, noop_cb, NULL);
			vigil_sensor__poll(s, 0, noop_cb, NULL);
			vigil_sensor__spawn_cleanup(s, cg);
		}
	}
	for (int i = 0; i < 20; i++)
		vigil_sensor__poll(s, 10, noop_cb, NULL);
	rss = rss_kib();
	vigil_sensor__free(s);
	return rss;
}

static const char *const mode_names[] = {
	"no BPF",
	"floor: empty programs on every hook the sensor attaches",
	"vigil, workload not monitored (early exit)",
	"vigil agent mode (all workloads, de-duplication on)",
	"vigil trace mode (watched, no de-duplication: every open an event)",
};

/* The second table: the loops of the hot paths issue 14 added. */
static void print_hooks(double r[5][LOOP__N], const long counts[LOOP__N])
{
	static const enum loop hl[] = { LOOP_WRITE,	 LOOP_SOCKET, LOOP_OPENW,
					LOOP_URING_SEND, LOOP_MMAP,   LOOP_ERASE };

	printf("\nThe hot paths issue 14 added, same rounds (%ld write(2) of 64 bytes to /dev/null; "
	       "%ld socket(2)+close of a UDP socket; %ld open for writing of a regular file + "
	       "close; %ld io_uring IORING_OP_SEND of 32 bytes on a connected UDP socket; %ld "
	       "mmap+munmap of 4 KiB of anonymous memory; %ld open(O_CREAT)+ftruncate+close+unlink "
	       "of a new file), ns per iteration, in parentheses the overhead over no BPF and its "
	       "ratio to the floor's:\n\n",
	       counts[LOOP_WRITE], counts[LOOP_SOCKET], counts[LOOP_OPENW], counts[LOOP_URING_SEND],
	       counts[LOOP_MMAP], counts[LOOP_ERASE]);
	printf("| mode | write | socket+close | open for writing | io_uring send | mmap+munmap | "
	       "create+truncate+unlink |\n"
	       "|---|---|---|---|---|---|---|\n");
	for (int m = 0; m < 5; m++) {
		printf("| %s |", mode_names[m]);
		for (size_t k = 0; k < sizeof(hl) / sizeof(hl[0]); k++) {
			double v = r[m][hl[k]], o = v - r[0][hl[k]], f = r[1][hl[k]] - r[0][hl[k]];

			if (m == 0)
				printf(" %.0f |", v);
			else if (f > 0)
				printf(" %.0f (%+.0f, %.2f×) |", v, o, o / f);
			else
				printf(" %.0f (%+.0f, floor in noise) |", v, o);
		}
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	long nopen = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	long nfork = argc > 2 ? strtol(argv[2], NULL, 10) : 400;

	if (nopen <= 0)
		nopen = 200000;
	if (nfork <= 0)
		nfork = 400;
	struct vigil_sensor_opts agent = { .scope = VIGIL_SCOPE_ALL, .dedup = true };
	struct vigil_sensor_opts sel = { .scope = VIGIL_SCOPE_SELECTED, .dedup = true };
	struct vigil_sensor_opts trace = { .scope = VIGIL_SCOPE_SELECTED, .dedup = false };
	struct vigil_sensor *s;
	struct vigil_floor *fl;
	struct timespec t0, t1;
	double r[5][LOOP__N];
	long base = -1, before = -1, rss;
	long counts[LOOP__N] = { nopen, nopen / 2, nfork, nopen,    nopen / 2,
				 nopen, nopen / 2, nopen, nopen / 4 };

	if (geteuid() != 0) {
		fprintf(stderr, "bench_sensor: needs root\n");
		return 77;
	}
	libbpf_set_print(NULL);
	find_cg2();
	/* `bench_sensor hold-floor SECONDS`: keep the floor attached, for bpftool's run times */
	if (argc > 2 && !strcmp(argv[1], "hold-floor")) {
		fl = floor_open();
		if (!fl)
			return 77;
		sleep((unsigned)strtoul(argv[2], NULL, 10));
		vigil_floor__destroy(fl);
		return 0;
	}
	snprintf(openw_path, sizeof(openw_path), "/tmp/vigil-bench-openw-%d", (int)getpid());
	snprintf(erase_path, sizeof(erase_path), "/tmp/vigil-bench-erase-%d", (int)getpid());
	{
		int fd = open(openw_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0)
			return 1;
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* modes interleaved, 3 rounds, the best of each: the machine is shared, noise only adds */
	for (int m = 0; m < 5; m++)
		for (int i = 0; i < LOOP__N; i++)
			r[m][i] = 1e18;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < LOOP__N; i++) {
			for (int m = 0; m < 5; m++) {
				double v;

				s = NULL;
				fl = NULL;
				if (m == 1 && !(fl = floor_open())) {
					fprintf(stderr, "bench_sensor: cannot load the floor\n");
					return 77;
				}
				if (m >= 2 && vigil_sensor__open(m == 2	  ? &sel
								 : m == 3 ? &agent
									  : &trace,
								 &s, NULL)) {
					fprintf(stderr, "bench_sensor: cannot load the sensor\n");
					return 77;
				}
				v = measure(s, m == 4, (enum loop)i, counts[i]);
				if (v > 0 && v < r[m][i])
					r[m][i] = v;
				vigil_sensor__free(s);
				vigil_floor__destroy(fl);
			}
		}
	}
	{
		/* in a fresh process, so the loops above leave nothing in the heap */
		long v[3] = { -1, -1, -1 };
		int pp[2];
		pid_t c;

		if (pipe(pp))
			return 1;
		c = fork();
		if (c == 0) {
			v[2] = rss_with_workloads(&v[0], &v[1]);
			_exit(write(pp[1], v, sizeof(v)) == sizeof(v) ? 0 : 1);
		}
		close(pp[1]);
		if (read(pp[0], v, sizeof(v)) != sizeof(v))
			v[0] = v[1] = v[2] = -1;
		close(pp[0]);
		waitpid(c, NULL, 0);
		base = v[0];
		before = v[1];
		rss = v[2];
	}

	printf("Worker process loops (%ld open+close of /etc/hostname; %ld of the same open through\n"
	       "io_uring, IORING_OP_OPENAT then close; %ld fork+exec of /bin/true), CPU time (user +\n"
	       "system, children included) per iteration; overhead = mode - no BPF; ratio = overhead /\n"
	       "floor overhead.\n\n",
	       nopen, nopen / 2, nfork);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("Best of 3 interleaved rounds (%.0f s in all) on a machine shared with other jobs:\n"
	       "compare rows of one run, not runs.\n\n",
	       (double)(t1.tv_sec - t0.tv_sec));
	printf("| mode | open+close ns | overhead | ratio to floor | io_uring open+close ns | overhead "
	       "| ratio to floor | fork+exec µs | overhead | vs no BPF |\n"
	       "|---|---|---|---|---|---|---|---|---|---|\n");
	const char *const *names = mode_names;
	double fo = r[1][LOOP_OPEN] - r[0][LOOP_OPEN], fu = r[1][LOOP_URING] - r[0][LOOP_URING];

	for (int m = 0; m < 5; m++) {
		double o = r[m][LOOP_OPEN] - r[0][LOOP_OPEN],
		       u = r[m][LOOP_URING] - r[0][LOOP_URING],
		       f = r[m][LOOP_FORKEXEC] - r[0][LOOP_FORKEXEC];

		if (m == 0)
			printf("| %s | %.0f | | | %.0f | | | %.0f | | |\n", names[m],
			       r[m][LOOP_OPEN], r[m][LOOP_URING], r[m][LOOP_FORKEXEC] / 1000.0);
		else {
			char ratio[32] = "n/a (floor in noise)",
			     uratio[32] = "n/a (floor in noise)";

			if (fo > 0)
				snprintf(ratio, sizeof(ratio), "%.2f", o / fo);
			if (fu > 0)
				snprintf(uratio, sizeof(uratio), "%.2f", u / fu);
			printf("| %s | %.0f | %.0f | %s | %.0f | %.0f | %s | %.0f | %.0f | %+.1f%% |\n",
			       names[m], r[m][LOOP_OPEN], o, ratio, r[m][LOOP_URING], u, uratio,
			       r[m][LOOP_FORKEXEC] / 1000.0, f / 1000.0,
			       r[0][LOOP_FORKEXEC] > 0 ? 100.0 * f / r[0][LOOP_FORKEXEC] : 0.0);
		}
	}
	print_hooks(r, counts);
	unlink(openw_path);
	printf("\nOn a machine shared with other jobs, differences of a few hundred ns are noise "
	       "(the floor can come out faster than no BPF); compare large differences only.\n");
	printf("\nSensor RSS (VmRSS of the process holding it): %ld KiB before open, %ld KiB after "
	       "open, %ld KiB after 100 workloads (100 spawned commands, their events consumed).\n",
	       base, before, rss);
	return 0;
}
