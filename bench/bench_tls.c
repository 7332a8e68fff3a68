// SPDX-License-Identifier: Apache-2.0
/*
 * bench_tls: the cost of the TLS uprobes (bpf/zoom_tls.bpf.h) per SSL_write call. A workload
 * (this program re-executed with --child) makes a TLS 1.2 connection to itself over a
 * socketpair (a server thread reads everything) and times N SSL_write calls of SIZE bytes with
 * the writing thread's CPU time (user + system: a uprobe's trap and program run in the
 * caller's thread) and with the wall clock. Modes, interleaved, best of ROUNDS:
 *   - no probes (the sensor not loaded);
 *   - floor: empty programs on the same four probes (SSL_write and SSL_read, entry and
 *     return), attached with perf_event_open: the price of a uprobe trap alone;
 *   - sensor, another workload zoomed: the probes attached (they follow any zoom) and this
 *     workload not zoomed: each call traps and the program leaves after a hash lookup;
 *   - sensor, this workload zoomed: every call records its plaintext sample (budget raised so
 *     sampling never stops; the parent drains the ring buffer).
 * Prints a Markdown section (bench/run). Needs root.
 *
 *   bench_tls [CALLS [SIZE [ROUNDS]]]      defaults 10000, 64, 3
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sensor/sensor_tls.h"
#include "vigil/sensor.h"

#define LIBSSL "/usr/lib/x86_64-linux-gnu/libssl.so.3"

struct result {
	double cpu_ns, wall_ns; /* per SSL_write */
};

/* ---- the workload --------------------------------------------------------------------- */

static SSL_CTX *ctx_new(bool server)
{
	SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	/* anonymous ECDH: no certificate to make, a real handshake and record layer all the same */
	SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(c, "AECDH-AES128-SHA:@SECLEVEL=0");
	return c;
}

static void *server(void *arg)
{
	SSL *s = arg;
	char buf[16384];

	if (SSL_accept(s) != 1)
		return NULL;
	while (SSL_read(s, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static double ts_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int child(long calls, long size, int out)
{
	SSL_CTX *sc = ctx_new(true), *cc = ctx_new(false);
	SSL *ss = SSL_new(sc), *cs = SSL_new(cc);
	struct result r;
	pthread_t t;
	char *buf = calloc(1, (size_t)size);
	double c0, w0;
	int sv[2];

	if (!buf || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	memset(buf, 'x', (size_t)size);
	SSL_set_fd(ss, sv[1]);
	SSL_set_fd(cs, sv[0]);
	if (pthread_create(&t, NULL, server, ss))
		return 1;
	if (SSL_connect(cs) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	c0 = ts_ns(CLOCK_THREAD_CPUTIME_ID);
	w0 = ts_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < calls; i++)
		if (SSL_write(cs, buf, (int)size) != size)
			return 1;
	r.cpu_ns = (ts_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)calls;
	r.wall_ns = (ts_ns(CLOCK_MONOTONIC) - w0) / (double)calls;
	SSL_shutdown(cs);
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	return write(out, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

/* ---- the floor: empty programs on the same probes ------------------------------------- */

static int empty_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },			  /* exit */
	};

	return bpf_prog_load(BPF_PROG_TYPE_KPROBE, "vg_tls_floor", "GPL", insns, 2, NULL);
}

/* One empty uprobe (ret: uretprobe) at off in LIBSSL, for every process; the perf fd. */
static int floor_probe(int prog, uint64_t off, bool ret)
{
	struct perf_event_attr a = { .size = sizeof(a) };
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	int type = -1, fd;

	if (!f || fscanf(f, "%d", &type) != 1) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	a.type = (uint32_t)type;
	a.config = ret ? 1 : 0; /* bit 0 of the uprobe PMU's config: retprobe */
	a.config1 = (uint64_t)(uintptr_t)LIBSSL;
	a.config2 = off;
	fd = (int)syscall(__NR_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the runs ------------------------------------------------------------------------- */

enum mode {
	M_NONE,
	M_FLOOR,
	M_OTHER,
	M_ZOOMED,
	M__MAX
};

static const char *const mode_name[M__MAX] = {
	"no probes (sensor not loaded)",
	"floor: empty programs on the 4 probes",
	"vigil, probes attached, this workload not zoomed",
	"vigil, this workload zoomed (plaintext sampled)",
};

struct run {
	const char *self;
	long calls, size;
};

/* Starts the workload (spawned as a workload when s is given) and waits for its result,
 * draining the sensor's ring buffer meanwhile; zoom: zoom its cgroup first. */
static int run_one(const struct run *rn, struct vigil_sensor *s, bool zoom, struct result *ret)
{
	char calls[32], size[32], fds[16];
	int p[2], st = 0;
	uint64_t cg = 0;
	pid_t pid;
	ssize_t n = -1;

	if (pipe(p))
		return -1;
	snprintf(calls, sizeof(calls), "%ld", rn->calls);
	snprintf(size, sizeof(size), "%ld", rn->size);
	snprintf(fds, sizeof(fds), "%d", p[1]);
	char *argv[] = { (char *)rn->self, "--child", calls, size, fds, NULL };
	if (s) {
		struct vigil_error err = { 0 };

		pid = vigil_sensor__spawn(s, argv, "bench-tls", &cg, &err);
		if (pid > 0 && zoom)
			vigil_sensor__set_zoom(s, cg, true);
	} else {
		pid = fork();
		if (pid == 0) {
			execv(rn->self, argv);
			_exit(127);
		}
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	for (;;) {
		struct timeval tv = { 0, 10000 };
		fd_set rf;

		FD_ZERO(&rf);
		FD_SET(p[0], &rf);
		if (s)
			vigil_sensor__poll(s, 0, NULL, NULL);
		if (select(p[0] + 1, &rf, NULL, NULL, &tv) > 0) {
			n = read(p[0], ret, sizeof(*ret));
			break;
		}
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	if (s) {
		if (zoom)
			vigil_sensor__set_zoom(s, cg, false);
		vigil_sensor__spawn_cleanup(s, cg);
	}
	return n == sizeof(*ret) && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static double best(double a, double b)
{
	return a == 0 || b < a ? b : a;
}

int main(int argc, char **argv)
{
	struct vigil_sensor_opts so = { .scope = VIGIL_SCOPE_SELECTED, .dedup = true };
	struct result bestr[M__MAX] = { 0 };
	struct vigil_error err = { 0 };
	struct vigil_sensor *s = NULL;
	uint64_t off[TLS_SYM__MAX], idle_cg = 0;
	struct run rn = { .calls = 10000, .size = 64 };
	long rounds = 3;
	char self[4096];
	ssize_t len;
	int prog, pfd[4], nf = 0;
	pid_t idle = -1;

	if (argc == 5 && !strcmp(argv[1], "--child"))
		return child(strtol(argv[2], NULL, 10), strtol(argv[3], NULL, 10),
			     (int)strtol(argv[4], NULL, 10));
	if (argc > 1)
		rn.calls = strtol(argv[1], NULL, 10);
	if (argc > 2)
		rn.size = strtol(argv[2], NULL, 10);
	if (argc > 3)
		rounds = strtol(argv[3], NULL, 10);
	if (rn.calls < 1 || rn.calls > 100000000 || rn.size < 1 || rn.size > 16384 || rounds < 1 ||
	    rounds > 100) {
		fprintf(stderr, "usage: bench_tls [CALLS [SIZE (1..16384) [ROUNDS]]]\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_tls: needs root (eBPF)\n");
		return 77;
	}
	if (sensor_tls_symbols(LIBSSL, off) < 4) {
		fprintf(stderr, "bench_tls: no OpenSSL 3 at %s\n", LIBSSL);
		return 77;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	rn.self = self;
	/* sampling never stops for the budget in the zoomed mode */
	setenv("VIGIL_ZOOM_BUDGET", "1099511627776", 1);

	for (long r = 0; r < rounds; r++) {
		for (int m = 0; m < M__MAX; m++) {
			struct result res;
			int rc;

			if (m == M_FLOOR) {
				prog = empty_prog();
				nf = 0;
				pfd[nf++] = floor_probe(prog, off[TLS_SYM_SSL_WRITE], false);
				pfd[nf++] = floor_probe(prog, off[TLS_SYM_SSL_WRITE], true);
				pfd[nf++] = floor_probe(prog, off[TLS_SYM_SSL_READ], false);
				pfd[nf++] = floor_probe(prog, off[TLS_SYM_SSL_READ], true);
				for (int i = 0; i < nf; i++)
					if (pfd[i] < 0) {
						fprintf(stderr, "bench_tls: floor probe: %s\n",
							strerror(errno));
						return 1;
					}
			}
			if (m == M_OTHER) {
				char *iargv[] = { "/bin/sleep", "3600", NULL };

				if (vigil_sensor__open(&so, &s, &err) < 0) {
					fprintf(stderr, "bench_tls: sensor: %s\n", err.message);
					return 77;
				}
				/* another workload zoomed: the probes are attached for it */
				idle = vigil_sensor__spawn(s, iargv, "bench-tls-idle", &idle_cg,
							   &err);
				if (idle < 0 || vigil_sensor__set_zoom(s, idle_cg, true))
					return 1;
			}
			rc = run_one(&rn, m >= M_OTHER ? s : NULL, m == M_ZOOMED, &res);
			if (rc) {
				fprintf(stderr, "bench_tls: %s: the workload failed\n",
					mode_name[m]);
				return 1;
			}
			bestr[m].cpu_ns = best(bestr[m].cpu_ns, res.cpu_ns);
			bestr[m].wall_ns = best(bestr[m].wall_ns, res.wall_ns);
			if (m == M_FLOOR) {
				for (int i = 0; i < nf; i++)
					close(pfd[i]);
				close(prog);
			}
		}
		vigil_sensor__set_zoom(s, idle_cg, false);
		kill(idle, SIGKILL);
		waitpid(idle, NULL, 0);
		vigil_sensor__spawn_cleanup(s, idle_cg);
		vigil_sensor__free(s);
		s = NULL;
	}

	printf("Per `SSL_write` of %ld bytes (OpenSSL 3, TLS 1.2 over a socketpair to a server thread "
	       "of the same workload), %ld calls, best of %ld interleaved rounds. CPU = the writing "
	       "thread's user + system time (a uprobe's trap and program run in the caller); "
	       "overhead = mode - no probes.\n\n",
	       rn.size, rn.calls, rounds);
	printf("| mode | CPU ns/call | overhead | ratio to floor | wall ns/call |\n");
	printf("|---|---|---|---|---|\n");
	for (int m = 0; m < M__MAX; m++) {
		double ov = bestr[m].cpu_ns - bestr[M_NONE].cpu_ns;
		double fl = bestr[M_FLOOR].cpu_ns - bestr[M_NONE].cpu_ns;

		if (m == M_NONE)
			printf("| %s | %.0f | | | %.0f |\n", mode_name[m], bestr[m].cpu_ns,
			       bestr[m].wall_ns);
		else
			printf("| %s | %.0f | %.0f | %.2f | %.0f |\n", mode_name[m],
			       bestr[m].cpu_ns, ov, fl > 0 ? ov / fl : 0.0, bestr[m].wall_ns);
	}
	printf("\nThe server thread's SSL_read calls (also probed) are not in the figures: only the "
	       "writer's thread is timed. On a machine shared with other jobs, compare rows of one "
	       "run.\n");
	return 0;
}
