// SPDX-License-Identifier: Apache-2.0
/*
 * The cost of enforcement on the open, datagram and io_uring paths (docs/ENFORCEMENT.md): the
 * worker's CPU time (user + system) per call of open(/etc/shadow)+close, a UDP sendto to a
 * local peer, and an io_uring SEND on a connected UDP socket, side by side in one run: no
 * sensor; empty programs on every hook the sensor attaches (the floor); the sensor detecting
 * (watched, the call allowed by the in-kernel allow sets); enforcing R0010/R0006/R0011/R1030
 * in kill mode with the call allowed (what every call of an enforcing workload pays);
 * enforcing in dry-run with the call not allowed (every call a would-kill record); and an
 * unwatched process while another workload enforces R0011 (the node-wide cost of the cgroup
 * socket hooks, beside an unwatched process with nothing enforced). Prints a Markdown section.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bench/overhead/floor.skel.h"
#include "vigil/kallow.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"

#include "bench_util.h"

#define MODES 7
#define OPS   3

enum {
	M_NONE,
	M_FLOOR,
	M_DETECT,
	M_ENFORCE,
	M_DRYRUN,
	M_IDLE,
	M_OTHER
};
enum {
	OP_OPEN,
	OP_SENDTO,
	OP_URING
};

static const char *const cg2 = "/sys/fs/cgroup/unified";
static const char *const file = "/etc/shadow";

/* n calls of op; the CPU time per call in ns, or 0. Runs in the worker. */
static uint64_t run_op(int op, long n, uint16_t port)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct io_uring ring;
	char b = 'x';
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint64_t t0;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (u < 0)
		return 0;
	if (op == OP_URING &&
	    (connect(u, (struct sockaddr *)&to, sizeof(to)) || io_uring_queue_init(8, &ring, 0)))
		return 0;
	t0 = bench_cpu_ns();
	for (long i = 0; i < n; i++) {
		if (op == OP_OPEN) {
			int fd = open(file, O_RDONLY | O_CLOEXEC);

			if (fd >= 0)
				close(fd);
		} else if (op == OP_SENDTO) {
			sendto(u, &b, 1, 0, (struct sockaddr *)&to, sizeof(to));
		} else {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			struct io_uring_cqe *cqe;

			io_uring_prep_send(sqe, u, &b, 1, 0);
			io_uring_submit(&ring);
			if (!io_uring_wait_cqe(&ring, &cqe))
				io_uring_cqe_seen(&ring, cqe);
		}
	}
	t0 = bench_cpu_ns() - t0;
	if (op == OP_URING)
		io_uring_queue_exit(&ring);
	close(u);
	return t0 / (uint64_t)n;
}

/* The allowed workload's profile: the file (by name, so by identity too), the loopback peer
 * and port */
static const char allowed_yaml[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata:\n"
				   "  name: bench-enforce-io\n"
				   "  annotations:\n"
				   "    kubescape.io/status: completed\n"
				   "    kubescape.io/completion: complete\n"
				   "spec:\n"
				   "  opens:\n"
				   "  - path: /etc/shadow\n"
				   "    flags: [O_RDONLY, O_CLOEXEC, O_LARGEFILE]\n"
				   "  egress:\n"
				   "  - ipAddress: 127.0.0.1\n"
				   "    ports:\n"
				   "    - name: UDP-%u\n"
				   "      protocol: UDP\n"
				   "      port: %u\n";
static struct vigil_profile *allowed;

/* The allow sets of a watched workload: the profile's (all), or none. */
static void allow(struct vigil_sensor *s, uint64_t cg, bool all)
{
	vigil_sensor__clear_kallow(s, cg);
	if (all && allowed &&
	    !vigil_sensor__load_kallow(s, cg, allowed, NULL, VIGIL_KALLOW_OPEN | VIGIL_KALLOW_NET,
				       NULL))
		return;
	vigil_sensor__set_kallow(s, cg, VIGIL_KALLOW_OPEN | VIGIL_KALLOW_NET);
}

/* A worker in a fresh cgroup runs n calls of op under mode; its CPU ns per call. */
static double measure(struct vigil_sensor *s, int mode, int op, long n, uint16_t port,
		      uint64_t other_cg)
{
	char dir[256], c = 'g';
	int go[2], res[2];
	uint64_t cg = 0, id, per = 0;
	pid_t pid;

	if (pipe(go) || pipe(res))
		return -1;
	if ((pid = fork()) == 0) {
		close(go[1]);
		close(res[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		per = run_op(op, n, port);
		_exit(write(res[1], &per, sizeof(per)) == sizeof(per) ? 0 : 1);
	}
	close(go[0]);
	close(res[1]);
	/* the unwatched modes' worker has a cgroup too, never watched (cg stays 0) */
	if (!bench_cgroup_make(cg2, "enforce-io", pid, dir, sizeof(dir), &id) && s &&
	    mode < M_IDLE) {
		struct vigil_enforce e = { .rules = VIGIL_ENFORCE_OPENS | VIGIL_ENFORCE_EGRESS |
						    VIGIL_ENFORCE_IOURING,
					   .kill = mode == M_ENFORCE,
					   .max_kills = 1000000 };

		cg = id;
		vigil_sensor__watch_cgroup(s, cg);
		allow(s, cg, mode != M_DRYRUN);
		if (mode != M_DRYRUN)
			e.uring_allow[IORING_OP_SEND / 64] |= 1ull << (IORING_OP_SEND % 64);
		if (mode == M_ENFORCE || mode == M_DRYRUN)
			vigil_sensor__set_enforce(s, cg, &e);
	}
	if (s && mode == M_OTHER) { /* another workload enforces R0011: the hooks are attached */
		struct vigil_enforce e = { .rules = VIGIL_ENFORCE_EGRESS, .kill = true };

		vigil_sensor__set_enforce(s, other_cg, &e);
	}
	if (write(go[1], &c, 1) != 1)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = res[0], .events = POLLIN };

		if (s)
			vigil_sensor__poll(s, 5, bench_drain_event, NULL);
		if (poll(&p, 1, s ? 0 : 100) > 0) {
			if (read(res[0], &per, sizeof(per)) != sizeof(per))
				per = 0;
			break;
		}
	}
	waitpid(pid, NULL, 0);
	close(go[1]);
	close(res[0]);
	if (s && cg) {
		vigil_sensor__set_enforce(s, cg, NULL);
		vigil_sensor__clear_kallow(s, cg);
		vigil_sensor__unwatch_cgroup(s, cg);
	}
	rmdir(dir);
	return per ? (double)per : -1;
}

static struct vigil_floor *floor_open(void)
{
	struct vigil_floor *k = vigil_floor__open_and_load();

	if (k && vigil_floor__attach(k)) {
		vigil_floor__destroy(k);
		return NULL;
	}
	return k;
}

int main(int argc, char **argv)
{
	static const char *const names[MODES] = {
		"no sensor",
		"floor: empty programs on every hook the sensor attaches",
		"detect: watched, the call allowed by the in-kernel allow sets",
		"enforce kill, the call allowed (R0010/R0006/R0011/R1030)",
		"enforce dry-run, the call not allowed (every call a would-kill record)",
		"unwatched process, sensor loaded, nothing enforced on the node",
		"unwatched process while another workload enforces R0011",
	};
	static const char *const ops[OPS] = { "open+close /etc/shadow", "UDP sendto",
					      "io_uring SEND" };
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	struct vigil_sensor_opts o = { .scope = VIGIL_SCOPE_SELECTED, .dedup = true };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	double best[MODES][OPS];
	uint64_t other_cg = 0;
	char other[256], yaml[sizeof(allowed_yaml) + 16];
	int rx;

	if (n <= 0)
		n = 20000;
	if (geteuid() != 0) {
		fprintf(stderr, "bench_enforce_io: needs root\n");
		return 77;
	}
	libbpf_set_print(NULL);
	/* the peer: a local UDP socket nobody reads (a full buffer drops, sendto still succeeds) */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rx < 0 || bind(rx, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(rx, (struct sockaddr *)&a, &al))
		return 1;
	snprintf(yaml, sizeof(yaml), allowed_yaml, ntohs(a.sin_port), ntohs(a.sin_port));
	if (vigil_profile__load_buffer(yaml, strlen(yaml), "bench", NULL, &allowed, NULL)) {
		fprintf(stderr, "bench_enforce_io: the profile does not load\n");
		return 1;
	}
	/* the other workload (an empty cgroup) that enforces R0011 in the last mode */
	if (bench_cgroup_make(cg2, "enforce-other", 0, other, sizeof(other), &other_cg))
		other_cg = 0;
	for (int m = 0; m < MODES; m++)
		for (int k = 0; k < OPS; k++)
			best[m][k] = 1e18;
	/* modes interleaved, 3 rounds, the best of each: on a shared machine noise only adds */
	for (int round = 0; round < 3; round++) {
		for (int m = 0; m < MODES; m++) {
			struct vigil_sensor *s = NULL;
			struct vigil_floor *fl = NULL;

			if (m == M_FLOOR && !(fl = floor_open())) {
				fprintf(stderr, "bench_enforce_io: cannot load the floor\n");
				return 77;
			}
			if (m >= M_DETECT && vigil_sensor__open(&o, &s, NULL)) {
				fprintf(stderr, "bench_enforce_io: cannot load the sensor\n");
				return 77;
			}
			for (int k = 0; k < OPS; k++) {
				double v = measure(s, m, k, n, ntohs(a.sin_port), other_cg);

				if (v > 0 && v < best[m][k])
					best[m][k] = v;
			}
			if (s && other_cg)
				vigil_sensor__set_enforce(s, other_cg, NULL);
			vigil_sensor__free(s);
			vigil_floor__destroy(fl);
		}
	}
	rmdir(other);
	close(rx);
	vigil_profile__free(allowed);
	printf("A worker in a fresh cgroup runs %ld calls of each; best of 3 interleaved rounds.\n"
	       "Worker CPU time (user + system) per call in ns, in parentheses the ratio to no\n"
	       "sensor. Open: of /etc/shadow (a sensitive file, so the open rules judge it);\n"
	       "sendto and io_uring SEND: one byte to a loopback UDP peer.\n\n",
	       n);
	printf("| mode |");
	for (int k = 0; k < OPS; k++)
		printf(" %s |", ops[k]);
	printf("\n|---|---|---|---|\n");
	for (int m = 0; m < MODES; m++) {
		printf("| %s |", names[m]);
		for (int k = 0; k < OPS; k++)
			printf(" %.0f (%.2fx) |", best[m][k], best[m][k] / best[M_NONE][k]);
		printf("\n");
	}
	return 0;
}
