// SPDX-License-Identifier: Apache-2.0
/*
 * Which process of a container the agent reads the container's root through (agent_root_pid,
 * sensor/agent/kallow.c), with real processes: one chrooted, one the init of its own pid
 * namespace, one whose root is the node's as a DaemonSet agent sees it (host_root). Needs root
 * (chroot, CLONE_NEWPID); skipped otherwise.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/agent/agent_state.h"

#define KIDS 4

static char dir[64];
static pid_t kids[KIDS];
static int nkids;

/* A process chrooted into root that waits to be killed; in a pid namespace of its own (its
 * init) when init. Its pid as this process sees it. */
static pid_t chrooted(const char *root, bool init)
{
	int fds[2];
	pid_t pid, got = 0;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		pid_t me = getpid();
		int ready[2];
		char c = 0;

		close(fds[0]);
		if (init) {
			/* the namespace's init tells its parent once chrooted; the parent tells the
			 * test its pid (as the test sees it) */
			if (pipe(ready) || unshare(CLONE_NEWPID) || (me = fork()) < 0)
				_exit(1);
			if (me) {
				close(ready[1]);
				if (read(ready[0], &c, 1) != 1 ||
				    write(fds[1], &me, sizeof(me)) != sizeof(me))
					_exit(1);
				waitpid(me, NULL, 0);
				_exit(0);
			}
			close(ready[0]);
		}
		if (chroot(root) || chdir("/"))
			_exit(1);
		if (init ? write(ready[1], &c, 1) != 1
			 : write(fds[1], &me, sizeof(me)) != sizeof(me))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &got, sizeof(got)), sizeof(got));
	close(fds[0]);
	kids[nkids++] = pid;
	if (init)
		kids[nkids++] = got;
	return got;
}

static const char *subdir(const char *name)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	mkdir(p, 0755);
	return p;
}

static const char *procs(const pid_t *pids, int n)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	assert_non_null(f = fopen(path, "w"));
	for (int i = 0; i < n; i++)
		fprintf(f, "%d\n", (int)pids[i]);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	if (geteuid())
		skip();
	snprintf(dir, sizeof(dir), "/tmp/vigil-test-rootpid-XXXXXX");
	assert_non_null(mkdtemp(dir));
	nkids = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	for (int i = nkids - 1; i >= 0; i--) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* A chrooted process listed before the container's init (older, or moved in first) is not
 * taken for the container's root: the init is. */
static void test_init_first(void **state)
{
	pid_t fake = chrooted(subdir("fake"), false), init = chrooted(subdir("image"), true);
	pid_t list[] = { fake, init };

	(void)state;
	assert_int_equal(agent_root_pid(procs(list, 2), NULL), init);
}

/* A process whose root is the node's (host_root: runc:[2:INIT] before its pivot_root, seen by
 * a DaemonSet agent) is never read; the agent's own root neither. */
static void test_host_root(void **state)
{
	const char *node = subdir("node");
	pid_t early = chrooted(node, false), later = chrooted(subdir("image"), false);
	pid_t list[] = { early, later }, own[] = { getpid() };

	(void)state;
	assert_int_equal(agent_root_pid(procs(list, 2), node), later);
	assert_int_equal(agent_root_pid(procs(list, 1), node), 0);
	assert_int_equal(agent_root_pid(procs(own, 1), NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_root, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
