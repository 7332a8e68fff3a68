// SPDX-License-Identifier: Apache-2.0
/*
 * Loading the BPF object in a short-lived child process, and attaching its programs by
 * descriptor.
 *
 * Why: to relocate the object and to find its tp_btf attach points, libbpf reads the kernel's
 * whole BTF (5.4 MB on this kernel) and holds it twice while parsing it: +11.5 MiB of peak
 * RSS. Done in the agent, that transient set the agent's VmHWM (22 MiB) whatever its steady
 * size. The child is a fork of the sensor with the object opened and configured (rodata, which
 * programs load, map sizes); it loads it, sends every map's and program's descriptor back over
 * a socket pair (SCM_RIGHTS) and exits, taking the BTF peak with it. The parent adopts the
 * maps (bpf_map__reuse_fd, then maps the global-data sections at the skeleton's addresses as
 * libbpf's skeleton loader does) and keeps the programs' descriptors: its own copy of the
 * object is never loaded, so libbpf cannot attach its programs, and the sensor attaches them
 * itself (raw tracepoints, cgroup hooks, uprobes) with the same system calls libbpf uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil.skel.h"

#define BATCH	 64 /* descriptors per message */
#define K_MAP	 1
#define K_PROG	 2
#define K_STATUS 3

struct item {
	uint16_t kind;
	uint16_t index;
	int32_t status; /* K_STATUS: 0 or the load's -errno */
};

static int send_batch(int sock, const struct item *items, const int *fds, size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * BATCH)];
	struct iovec iov = { .iov_base = (void *)items, .iov_len = n * sizeof(*items) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t nfds = 0;

	for (size_t i = 0; i < n; i++)
		nfds += items[i].kind != K_STATUS;
	if (nfds) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The child: load, send every descriptor (maps, then the programs that loaded), the status. */
static __attribute__((noreturn)) void child_load(struct vigil_sensor *s, int sock)
{
	struct item items[BATCH];
	int fds[BATCH];
	size_t n = 0;
	uint16_t i = 0;
	struct bpf_map *map;
	struct bpf_program *prog;
	int r = vigil_bpf__load(s->skel);

	if (r) {
		r = r < 0 ? r : -errno;
		goto status;
	}
	bpf_object__for_each_map(map, s->skel->obj)
	{
		items[n] = (struct item){ K_MAP, i++, 0 };
		fds[n++] = bpf_map__fd(map);
		if (n == BATCH && (r = send_batch(sock, items, fds, n)))
			goto status;
		n = n == BATCH ? 0 : n;
	}
	i = 0;
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		int fd = bpf_program__fd(prog);

		i++;
		if (fd < 0)
			continue; /* not loaded: a twin of the other flavour, a hook left out */
		items[n] = (struct item){ K_PROG, (uint16_t)(i - 1), 0 };
		fds[n++] = fd;
		if (n == BATCH && (r = send_batch(sock, items, fds, n)))
			goto status;
		n = n == BATCH ? 0 : n;
	}
	if (n && (r = send_batch(sock, items, fds, n)))
		goto status;
status:
	items[0] = (struct item){ K_STATUS, 0, r };
	send_batch(sock, items, NULL, 1);
	_exit(0);
}

static struct bpf_map *nth_map(struct vigil_sensor *s, unsigned n)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, s->skel->obj)
	{
		if (!n--)
			return map;
	}
	return NULL;
}

/* One message from the child: adopts its descriptors; 1 after the status (in *status). */
static int receive(struct vigil_sensor *s, int sock, int *status)
{
	struct item items[BATCH];
	char cbuf[CMSG_SPACE(sizeof(int) * BATCH)];
	struct iovec iov = { .iov_base = items, .iov_len = sizeof(items) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fds[BATCH], nfds = 0, used = 0, r = 0;
	ssize_t got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

	if (got < 0)
		return -errno;
	if (got == 0)
		return -EPIPE; /* the child died before its status */
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)nfds);
		}
	for (size_t i = 0; i < (size_t)got / sizeof(items[0]); i++) {
		struct bpf_map *map;

		if (items[i].kind == K_STATUS) {
			*status = items[i].status;
			r = 1;
			continue;
		}
		if (used >= nfds)
			return -EPROTO;
		if (items[i].kind == K_MAP) {
			map = nth_map(s, items[i].index);
			if (!map || bpf_map__reuse_fd(map, fds[used]))
				r = r ? r : -EPROTO;
			close(fds[used++]);
		} else if (items[i].kind == K_PROG && items[i].index < s->nprogs &&
			   s->prog_fds[items[i].index] < 0) {
			s->prog_fds[items[i].index] = fds[used++];
		} else {
			close(fds[used++]);
			r = r ? r : -EPROTO;
		}
	}
	while (used < nfds)
		close(fds[used++]);
	return r;
}

/* The global-data sections (.bss, .data, .rodata) mapped where the skeleton points. */
static int map_global_data(struct vigil_sensor *s)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bpf_map *map;

	bpf_object__for_each_map(map, s->skel->obj)
	{
		size_t size;
		void *at = (void *)bpf_map__initial_value(map, &size);
		int prot = PROT_READ | PROT_WRITE;

		if (!at || !(bpf_map__map_flags(map) & BPF_F_MMAPABLE))
			continue;
		size = (((size + 7) & ~(size_t)7) + (size_t)page - 1) & ~((size_t)page - 1);
		if (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG)
			prot = PROT_READ;
		if (mmap(at, size, prot, MAP_SHARED | MAP_FIXED, bpf_map__fd(map), 0) == MAP_FAILED)
			return -errno;
	}
	return 0;
}

void sensor_close_programs(struct vigil_sensor *s)
{
	for (unsigned i = 0; i < s->nprogs; i++)
		if (s->prog_fds[i] >= 0)
			close(s->prog_fds[i]);
	free(s->prog_fds);
	s->prog_fds = NULL;
	s->nprogs = 0;
}

int sensor_load_in_child(struct vigil_sensor *s)
{
	struct bpf_program *prog;
	int sv[2], status = -EPROTO, r = 0, ws;
	pid_t pid, parent;

	sensor_close_programs(s);
	bpf_object__for_each_program(prog, s->skel->obj) s->nprogs++;
	s->prog_fds = malloc(sizeof(int) * (s->nprogs ? s->nprogs : 1));
	if (!s->prog_fds)
		return -ENOMEM;
	for (unsigned i = 0; i < s->nprogs; i++)
		s->prog_fds[i] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		/* The loader must not outlive the agent: killed while the verifier works (that
		 * takes seconds on a busy node), an orphaned loader kept every descriptor it
		 * inherited, the agent's state lock among them, so the next agent was refused
		 * as "another agent is running" until the load finished. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		/* and holds nothing of the agent's: a flock() is shared by a forked child, so
		 * until this child had died of its parent's death (not at once), an agent
		 * stopped during its load still held its state lock and the agent started
		 * right after it was refused (CI, t2103 at load 20). The load opens what it
		 * needs itself (the object is in memory). */
		close(sv[0]);
		if (sv[1] > 3)
			close_range(3, (unsigned)sv[1] - 1, 0);
		close_range((unsigned)sv[1] + 1, ~0U, 0);
		child_load(s, sv[1]);
	}
	close(sv[1]);
	while (r == 0)
		r = receive(s, sv[0], &status);
	close(sv[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (status)
		return status;
	return map_global_data(s);
}

int sensor_prog_fd(const struct vigil_sensor *s, const struct bpf_program *p)
{
	struct bpf_program *q;
	unsigned i = 0;

	if (!s->skel)
		return -ENOENT;
	bpf_object__for_each_program(q, s->skel->obj)
	{
		if (q == p)
			return i < s->nprogs && s->prog_fds[i] >= 0 ? s->prog_fds[i] : -ENOENT;
		i++;
	}
	return -ENOENT;
}

int sensor_attach_tracepoint(struct vigil_sensor *s, const struct bpf_program *p, bool raw,
			     const char *tp)
{
	int fd = sensor_prog_fd(s, p), l;

	if (fd < 0)
		return fd;
	/* a tp_btf program names its tracepoint in its load attributes (attach_btf_id) */
	l = bpf_raw_tracepoint_open(raw ? tp : NULL, fd);
	return l < 0 ? -errno : l;
}

int sensor_attach_cgroup(struct vigil_sensor *s, const struct bpf_program *p, int cgroup_fd)
{
	int fd = sensor_prog_fd(s, p), l;

	if (fd < 0)
		return fd;
	l = bpf_link_create(fd, cgroup_fd, bpf_program__expected_attach_type(p), NULL);
	return l < 0 ? -errno : l;
}

/* A number from a sysfs file of the uprobe PMU ("7", "config:0"); -errno when unreadable. */
static int pmu_number(const char *path, const char *prefix)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC), v;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	if (strncmp(buf, prefix, strlen(prefix)) || sscanf(buf + strlen(prefix), "%d", &v) != 1)
		return -EINVAL;
	return v;
}

int sensor_attach_uprobe(struct vigil_sensor *s, const struct bpf_program *p, const char *path,
			 uint64_t offset, bool ret)
{
	struct perf_event_attr a;
	int fd = sensor_prog_fd(s, p), type, bit = 0, pfd, l;

	if (fd < 0)
		return fd;
	type = pmu_number("/sys/bus/event_source/devices/uprobe/type", "");
	if (type < 0)
		return type;
	if (ret) {
		bit = pmu_number("/sys/bus/event_source/devices/uprobe/format/retprobe", "config:");
		if (bit < 0)
			return bit;
	}
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = (uint32_t)type;
	a.config = ret ? 1ull << bit : 0;
	a.config1 = (uint64_t)(uintptr_t)path;
	a.config2 = offset;
	/* every process (pid -1) needs one CPU named; the program runs on all of them */
	pfd = (int)syscall(__NR_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	/* the program on the event, then the event on: closing the event's descriptor detaches
	 * it; holding it (not a link) keeps the probe visible to `bpftool perf` with our pid */
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, fd) < 0 ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		l = -errno;
		close(pfd);
		return l;
	}
	return pfd;
}
