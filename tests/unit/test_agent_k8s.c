// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's Kubernetes pieces: finding a container's bundle under a host root (containerd's
 * task directory, runc's state file, CRI-O's storage with the sandbox's labels), the identity
 * and profile name it gives, and the runtime start-up filter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/agent/identity.h"
#include "sensor/agent/podmeta.h"
#include "sensor/agent/rtinit.h"
#include "util/fileio.h"

#define DATA	"tests/data/k8s/"
#define CTR_ID	"9d3c1f5e7a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d"
#define CRIO_ID "e4b1c7d9a2f3e5b6c8d0a1f2e3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2"
#define CRIO_SB "a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9"
#define RUNC_ID "1111111111111111111111111111111111111111111111111111111111111111"

static char root[256];

static void copy_to(const char *src, const char *rel)
{
	char dst[512], buf[65536];
	FILE *f = fopen(src, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	snprintf(dst, sizeof(dst), "%s%s", root, rel);
	assert_int_equal(vigil_mkdir_parents(dst, 0755), 0);
	assert_int_equal(vigil_write_file_atomic(dst, buf, n, 0644, NULL), 0);
}

static void write_to(const char *rel, const char *text)
{
	char dst[512];

	snprintf(dst, sizeof(dst), "%s%s", root, rel);
	assert_int_equal(vigil_mkdir_parents(dst, 0755), 0);
	assert_int_equal(vigil_write_file_atomic(dst, text, strlen(text), 0644, NULL), 0);
}

/* a /proc/PID/exe of the fake proc: a symlink to what the process runs */
static void link_to(const char *rel, const char *target)
{
	char dst[512];

	snprintf(dst, sizeof(dst), "%s%s", root, rel);
	assert_int_equal(vigil_mkdir_parents(dst, 0755), 0);
	assert_int_equal(symlink(target, dst), 0);
}

/* rel under the test's root (one of a few at a time: static buffers in turn) */
static const char *path_of(const char *rel)
{
	static char bufs[4][512];
	static unsigned int i;
	char *b = bufs[i++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s%s", root, rel);
	return b;
}

/* a /proc/PID/exe to a memfd holding bytes (runc's re-exec of a copy of itself); *fd kept open */
static void link_to_memfd(const char *rel, const char *bytes, int *fd)
{
	char target[64];

	*fd = memfd_create("runc_cloned:/proc/self/exe", MFD_CLOEXEC);
	assert_true(*fd >= 0);
	assert_int_equal(write(*fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	snprintf(target, sizeof(target), "/proc/self/fd/%d", *fd);
	link_to(rel, target);
}

/* a /proc/PID/exe to a file of the test's own */
static void link_to_root(const char *rel, const char *target_rel)
{
	link_to(rel, path_of(target_rel));
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "%s/vigil-agent-k8s.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(root))
		return -1;
	copy_to(DATA "bundle-containerd.json",
		"/run/containerd/io.containerd.runtime.v2.task/k8s.io/" CTR_ID "/config.json");
	copy_to(DATA "bundle-crio.json",
		"/run/containers/storage/overlay-containers/" CRIO_ID "/userdata/config.json");
	copy_to(DATA "bundle-crio-sandbox.json",
		"/run/containers/storage/overlay-containers/" CRIO_SB "/userdata/config.json");
	/* a task whose bundle is elsewhere, found through runc's state file */
	copy_to(DATA "bundle-containerd.json", "/srv/tasks/" RUNC_ID "/config.json");
	write_to("/run/containerd/runc/k8s.io/" RUNC_ID "/state.json",
		 "{\"id\":\"" RUNC_ID "\",\"config\":{\"labels\":[\"bundle=/srv/tasks/" RUNC_ID
		 "\"]}}");
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_podmeta(void **state)
{
	struct vigil_k8s_identity id;
	char bundle[512];

	assert_int_equal(vigil_podmeta__lookup(root, NULL, CTR_ID, &id, bundle, sizeof(bundle)), 1);
	assert_string_equal(id.pod, "web-7c5d8bf9f7-x2k4p");
	assert_non_null(strstr(bundle, "io.containerd.runtime.v2.task/k8s.io/" CTR_ID));
	assert_int_equal(vigil_podmeta__lookup(root, NULL, RUNC_ID, &id, bundle, sizeof(bundle)),
			 1);
	assert_non_null(strstr(bundle, "/srv/tasks/" RUNC_ID "/config.json"));
	/* CRI-O: the pod's labels come from the sandbox */
	assert_int_equal(vigil_podmeta__lookup(root, NULL, CRIO_ID, &id, NULL, 0), 1);
	assert_string_equal(id.pod, "redis-0");
	assert_string_equal(id.hints.statefulset_pod_name, "redis-0");
	assert_int_equal(vigil_podmeta__lookup(root, NULL,
					       "2222222222222222222222222222222222222222222222"
					       "222222222222222222",
					       &id, NULL, 0),
			 -ENOENT);
	assert_int_equal(vigil_podmeta__lookup(root, NULL, "../../etc", &id, NULL, 0), -EINVAL);
}

static void test_hostile_files(void **state)
{
	struct vigil_k8s_identity id;
	char path[512];

	/* a bundle path with "..", a symlink as config.json, a directory: none is read */
	write_to("/run/runc/"
		 "3333333333333333333333333333333333333333333333333333333333333333"
		 "/state.json",
		 "{\"config\":{\"labels\":[\"bundle=/srv/../etc\"]}}");
	assert_int_equal(vigil_podmeta__lookup(root, NULL,
					       "33333333333333333333333333333333333333333333"
					       "33333333333333333333",
					       &id, NULL, 0),
			 -ENOENT);
	snprintf(path, sizeof(path),
		 "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/"
		 "4444444444444444444444444444444444444444444444444444444444444444",
		 root);
	assert_int_equal(vigil_mkdir_parents(path, 0755), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/config.json");
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(vigil_podmeta__lookup(root, NULL,
					       "44444444444444444444444444444444444444444444"
					       "44444444444444444444",
					       &id, NULL, 0),
			 -ENOENT);
}

static void test_identity(void **state)
{
	struct agent_identity id;
	struct vigil_workload_k8s k;
	char name[400];

	assert_int_equal(agent_identity__resolve(root, NULL,
						 "/kubepods/burstable/pod0b7d6b5e-3f3e-4a7c-9a43-"
						 "6a1c2f9d8e10/" CTR_ID,
						 CTR_ID, true, &id),
			 1);
	assert_true(id.k8s);
	assert_false(id.sandbox);
	assert_string_equal(id.qos, "burstable");
	assert_string_equal(id.owner.kind, "ReplicaSet");
	assert_string_equal(id.profile_name, "replicaset-web-7c5d8bf9f7");
	assert_string_equal(id.profile_stem, "shop.replicaset-web-7c5d8bf9f7.nginx");
	agent_identity__display_name(&id, name, sizeof(name));
	assert_string_equal(name, "shop/web-7c5d8bf9f7-x2k4p/nginx");
	agent_identity__k8s_info(&id, &k);
	assert_string_equal(k.workload_kind, "ReplicaSet");
	assert_string_equal(k.pod_uid, "0b7d6b5e-3f3e-4a7c-9a43-6a1c2f9d8e10");
	/* not shared: the pod is its own workload */
	assert_int_equal(agent_identity__resolve(root, NULL, "/x", CTR_ID, false, &id), 1);
	assert_string_equal(id.profile_stem, "shop.pod-web-7c5d8bf9f7-x2k4p.nginx");
	/* the API server's word replaces the guess */
	{
		struct vigil_k8s_owner o = { .kind = "ReplicaSet",
					     .name = "web-v2",
					     .source = VIGIL_K8S_FROM_API };

		agent_identity__set_owner(&id, &o, true);
		assert_string_equal(id.profile_stem, "shop.replicaset-web-v2.nginx");
	}
	/* CRI-O with the sandbox's labels: exact */
	assert_int_equal(agent_identity__resolve(root, NULL, "/", CRIO_ID, true, &id), 1);
	assert_string_equal(id.owner.kind, "StatefulSet");
	assert_int_equal(id.owner.source, VIGIL_K8S_FROM_LABELS);
	assert_string_equal(id.profile_stem, "shop.statefulset-redis.redis");
	assert_int_equal(agent_identity__resolve(root, NULL, "/", CRIO_SB, true, &id), 1);
	assert_true(id.sandbox);
	/* a container with no bundle: not Kubernetes */
	assert_int_equal(agent_identity__resolve(root, NULL, "/libpod_parent/libpod-" RUNC_ID "0",
						 "x", true, &id),
			 0);
	assert_false(id.k8s);
}

static struct vigil_event ev_of(enum vigil_event_kind kind, struct vigil_process *p, uint32_t child)
{
	struct vigil_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.proc = p;
	if (kind == VIGIL_EV_FORK)
		ev.fork.child_pid = child;
	return ev;
}

static void test_rtinit(void **state)
{
	struct agent_rtinit r = { 0 };
	struct vigil_process p0 = { .pid = 10, .comm = "runc:[0:PARENT]" };
	struct vigil_process p2 = { .pid = 12, .comm = "runc:[2:INIT]" };
	struct vigil_process app = { .pid = 12, .comm = "nginx" };
	struct vigil_process kid = { .pid = 13, .comm = "runc:[2:INIT]" };
	struct vigil_process other = { .pid = 50, .comm = "sh" };
	struct vigil_event ev;

	/* runc exec'd as /proc/self/exe, re-exec'ing its copy: skipped */
	{
		struct vigil_process exe = { .pid = 10, .comm = "exe" };
		struct vigil_process rc = { .pid = 10, .comm = "runc" };

		ev = ev_of(VIGIL_EV_OPEN, &exe, 0);
		assert_true(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_EXEC, &rc, 0);
		ev.exec.path = "";
		assert_true(agent_rtinit__skip(&r, &ev));
		r.skipped -= 2;
	}
	/* runc's stages: skipped, their forks too */
	ev = ev_of(VIGIL_EV_FORK, &p0, 11);
	assert_true(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_OPEN, &p2, 0);
	assert_true(agent_rtinit__skip(&r, &ev));
	/* the entrypoint's exec is the workload's first instruction */
	ev = ev_of(VIGIL_EV_EXEC, &app, 0);
	ev.exec.path = "/usr/sbin/nginx";
	assert_false(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_OPEN, &app, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	/* a child of the workload renaming itself runc:[2:INIT] is still checked */
	ev = ev_of(VIGIL_EV_FORK, &app, 13);
	assert_false(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_OPEN, &kid, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	/* a second child within the kernel's fork cooldown: no FORK comes (de-duplicated), it
	 * renames itself runc:[2:INIT] and so does its own child: its parent makes it the
	 * workload's, checked */
	{
		struct vigil_process kid2 = { .pid = 14, .ppid = 12, .comm = "runc:[2:INIT]" };
		struct vigil_process kid3 = { .pid = 15, .ppid = 14, .comm = "exe" };

		ev = ev_of(VIGIL_EV_OPEN, &kid2, 0);
		assert_false(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_SYSCALL, &kid2, 0);
		assert_false(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_EXEC, &kid3, 0);
		ev.exec.path = "";
		assert_false(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_OPEN, &kid3, 0);
		assert_false(agent_rtinit__skip(&r, &ev));
		/* runc's init from outside (its parent runc, not the workload's): skipped */
		{
			struct vigil_process init = { .pid = 16,
						      .ppid = 9,
						      .comm = "runc:[2:INIT]" };

			ev = ev_of(VIGIL_EV_OPEN, &init, 0);
			assert_true(agent_rtinit__skip(&r, &ev));
			r.skipped--;
		}
	}
	/* a process from outside that is not runc: checked */
	ev = ev_of(VIGIL_EV_OPEN, &other, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	assert_int_equal(r.skipped, 2);
	/* a busy workload: thousands of short-lived children, each gone before the next, never
	 * fill the table; an exec into the container (runc's init from outside) is still runc's */
	for (uint32_t pid = 2000; pid < 2000 + 4 * AGENT_RTINIT_PIDS; pid++) {
		struct vigil_process q = { .pid = pid, .comm = "sh" };

		ev = ev_of(VIGIL_EV_FORK, &app, pid);
		assert_false(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_EXEC, &q, 0);
		ev.exec.path = "/bin/true";
		assert_false(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_EXIT, &q, 0);
		assert_false(agent_rtinit__skip(&r, &ev));
	}
	assert_false(r.off);
	{
		struct vigil_process entering = { .pid = 9000, .comm = "runc:[2:INIT]" };

		ev = ev_of(VIGIL_EV_SYSCALL, &entering, 0);
		assert_true(agent_rtinit__skip(&r, &ev));
		r.skipped--;
	}
	/* overflow turns it off */
	for (uint32_t pid = 1000; pid < 1000 + AGENT_RTINIT_PIDS + 1; pid++) {
		struct vigil_process q = { .pid = pid, .comm = "w" };

		ev = ev_of(VIGIL_EV_EXEC, &q, 0);
		agent_rtinit__skip(&r, &ev);
	}
	assert_true(r.off);
	ev = ev_of(VIGIL_EV_OPEN, &p2, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
}

/* A container met after its start: who is in its cgroup then is the workload's, runc is not */
static void test_rtinit_seed(void **state)
{
	struct agent_rtinit r = { 0 };
	struct vigil_process sh = { .pid = 100, .comm = "sh" };
	struct vigil_process init = { .pid = 101, .comm = "runc:[2:INIT]" };
	struct vigil_process entered = { .pid = 101, .comm = "id" };
	struct vigil_process nginx = { .pid = 103, .comm = "nginx" };
	struct vigil_process kid = { .pid = 104, .comm = "runc:[2:INIT]" };
	struct vigil_process late = { .pid = 105, .comm = "exe" };
	struct vigil_event ev;
	char procs[512], proc[512];
	int fds[8];
	size_t nfds = 0;

	/* the node's runtime binaries, as the agent finds them under pid 1's root */
	write_to("/seed/proc/1/root/usr/sbin/runc", "ELF runc\n");
	write_to("/seed/proc/1/root/usr/bin/crun", "ELF crun, another size\n");
	write_to("/seed/proc/100/comm", "sh\n");
	link_to("/seed/proc/100/exe", "/bin/busybox");
	/* 101: runc's init re-executed from its copy of itself (a memfd): the node's runc's bytes */
	write_to("/seed/proc/101/comm", "runc:[2:INIT]\n");
	link_to_memfd("/seed/proc/101/exe", "ELF runc\n", &fds[nfds++]);
	write_to("/seed/proc/103/comm", "nginx\n"); /* 102: gone since */
	link_to("/seed/proc/103/exe", "/usr/sbin/nginx");
	/* 106: a process of the workload renamed runc:[2:INIT] (prctl, /proc/self/comm) before
	 * the agent met it: it runs its own binary, the workload's */
	write_to("/seed/proc/106/comm", "runc:[2:INIT]\n");
	link_to("/seed/proc/106/exe", "/usr/bin/python3.11");
	/* 107, 108: runc itself (exec'd as /proc/self/exe), crun: the node's files */
	write_to("/seed/proc/107/comm", "exe\n");
	link_to_root("/seed/proc/107/exe", "/seed/proc/1/root/usr/sbin/runc");
	write_to("/seed/proc/108/comm", "crun\n");
	link_to_root("/seed/proc/108/exe", "/seed/proc/1/root/usr/bin/crun");
	/* 109: runc 1.1's init re-executed from a detached bind mount of the node's runc (its exe
	 * reads "/"): the same inode by another name */
	assert_int_equal(link(path_of("/seed/proc/1/root/usr/sbin/runc"), path_of("/seed/bound")),
			 0);
	write_to("/seed/proc/109/comm", "runc:[2:INIT]\n");
	link_to_root("/seed/proc/109/exe", "/seed/bound");
	/* named so, and not the node's runtime, the workload's: 110 runs another binary; 111 a
	 * memfd of runc's size, other bytes; 112 a memfd it named runc, 113 a file it put at
	 * /run/runc/ of its own root (the paths as /proc/PID/exe reads them; no node runtime
	 * behind them); 114 runc's bytes in a file, not a memfd (never opened: a workload's file
	 * may be FUSE's, and hold the agent) */
	write_to("/seed/other-bin", "ELF other\n");
	write_to("/seed/proc/110/comm", "exe\n");
	link_to_root("/seed/proc/110/exe", "/seed/other-bin");
	write_to("/seed/proc/111/comm", "runc:[2:INIT]\n");
	link_to_memfd("/seed/proc/111/exe", "ELF xunc\n", &fds[nfds++]);
	write_to("/seed/runc-on-disk", "ELF runc\n");
	write_to("/seed/proc/114/comm", "runc\n");
	link_to_root("/seed/proc/114/exe", "/seed/runc-on-disk");
	write_to("/seed/proc/112/comm", "runc:[2:INIT]\n");
	link_to("/seed/proc/112/exe", "/memfd:runc_cloned:/proc/self/exe (deleted)");
	write_to("/seed/proc/113/comm", "runc\n");
	link_to("/seed/proc/113/exe", "/run/runc/x/runc.abc");
	write_to("/seed/cgroup.procs", "100\n101\n102\n103\n106\n107\n108\n109\n110\n111\n"
				       "112\n113\n114\n");
	snprintf(procs, sizeof(procs), "%s/seed/cgroup.procs", root);
	snprintf(proc, sizeof(proc), "%s/seed/proc", root);
	assert_int_equal(agent_rtinit__seed(&r, procs, proc), 8);
	assert_false(r.off);
	/* the workload's: checked */
	ev = ev_of(VIGIL_EV_OPEN, &sh, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	/* runc's init on its way to an exec'd command (exec.fifo, its syscalls): skipped, then
	 * the command it execs is the workload's */
	ev = ev_of(VIGIL_EV_OPEN, &init, 0);
	assert_true(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_SYSCALL, &init, 0);
	assert_true(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_EXEC, &entered, 0);
	ev.exec.path = "/usr/bin/id";
	assert_false(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_OPEN, &entered, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	/* a seeded process's child renaming itself runc's: checked */
	ev = ev_of(VIGIL_EV_FORK, &nginx, 104);
	assert_false(agent_rtinit__skip(&r, &ev));
	ev = ev_of(VIGIL_EV_OPEN, &kid, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	/* the renamed one: checked */
	{
		struct vigil_process renamed = { .pid = 106, .comm = "runc:[2:INIT]" };

		ev = ev_of(VIGIL_EV_OPEN, &renamed, 0);
		assert_false(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_SYSCALL, &renamed, 0);
		assert_false(agent_rtinit__skip(&r, &ev));
	}
	/* runc and crun seeded: skipped; a runtime name on another binary: checked */
	{
		struct vigil_process exe = { .pid = 107, .comm = "exe" };
		struct vigil_process crun = { .pid = 108, .comm = "crun" };
		struct vigil_process bound = { .pid = 109, .comm = "runc:[2:INIT]" };
		struct vigil_process named[] = {
			{ .pid = 110, .comm = "exe" },
			{ .pid = 111, .comm = "runc:[2:INIT]" },
			{ .pid = 112, .comm = "runc:[2:INIT]" },
			{ .pid = 113, .comm = "runc" },
			{ .pid = 114, .comm = "runc" },
		};

		ev = ev_of(VIGIL_EV_OPEN, &exe, 0);
		assert_true(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_OPEN, &crun, 0);
		assert_true(agent_rtinit__skip(&r, &ev));
		ev = ev_of(VIGIL_EV_OPEN, &bound, 0);
		assert_true(agent_rtinit__skip(&r, &ev));
		r.skipped -= 3;
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
			ev = ev_of(VIGIL_EV_OPEN, &named[i], 0);
			assert_false(agent_rtinit__skip(&r, &ev));
		}
	}
	/* runc arriving later from outside: skipped */
	ev = ev_of(VIGIL_EV_OPEN, &late, 0);
	assert_true(agent_rtinit__skip(&r, &ev));
	assert_int_equal(r.skipped, 3);
	/* reading copies whole is bounded: of five copies of runc's bytes (memfds of runc's size
	 * a workload could have padded), the fifth is not read and is judged (the safe side) */
	{
		for (unsigned int pid = 120; pid < 125; pid++) {
			snprintf(proc, sizeof(proc), "/seed/proc/%u/exe", pid);
			link_to_memfd(proc, "ELF runc\n", &fds[nfds++]);
			snprintf(proc, sizeof(proc), "/seed/proc/%u/comm", pid);
			write_to(proc, "runc:[2:INIT]\n");
		}
		write_to("/seed/cgroup.procs", "120\n121\n122\n123\n124\n");
		snprintf(proc, sizeof(proc), "%s/seed/proc", root);
		assert_int_equal(agent_rtinit__seed(&r, procs, proc), 1);
		assert_false(r.off);
	}
	/* no cgroup.procs: off, everything checked */
	snprintf(procs, sizeof(procs), "%s/seed/none/cgroup.procs", root);
	assert_int_equal(agent_rtinit__seed(&r, procs, proc), -ENOENT);
	assert_true(r.off);
	ev = ev_of(VIGIL_EV_OPEN, &late, 0);
	assert_false(agent_rtinit__skip(&r, &ev));
	while (nfds)
		close(fds[--nfds]);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podmeta),	    cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_identity),    cmocka_unit_test(test_rtinit),
		cmocka_unit_test(test_rtinit_seed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
