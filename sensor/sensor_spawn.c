// SPDX-License-Identifier: Apache-2.0
/*
 * `-- CMD`: run a program as its own workload. The parent makes a cgroup2 directory for it
 * (under vigil/) and marks it watched, then starts the child inside it, so the program's exec
 * and everything after it is observed, and nothing before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sensor/sensor_state.h"
#include "util/strutil.h"
#include "vigil/sensor.h"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		r = -errno;
	close(fd);
	return r;
}

static void safe_name(const char *in, char *out, size_t size)
{
	size_t o = 0;
	const char *base = strrchr(in, '/');

	base = base ? base + 1 : in;
	for (; *base && o + 1 < size && o < 32; base++) {
		char c = *base;

		out[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					   (c >= '0' && c <= '9') || c == '-' || c == '_'
				   ? c
				   : '_';
	}
	out[o] = '\0';
	if (!o)
		vigil_strlcpy(out, "cmd", size);
}

pid_t vigil_sensor__spawn(struct vigil_sensor *s, char *const argv[], const char *name,
			  uint64_t *ret_cgroup_id, struct vigil_error *err)
{
	return vigil_sensor__spawn_with(s, argv, name, NULL, NULL, ret_cgroup_id, err);
}

/* Each spawned workload gets its own cgroup directory: NAME-AGENTPID-SEQ. */
static unsigned spawn_seq;

/* clone3() with CLONE_INTO_CGROUP (Linux 5.7; the sensor needs 5.17 for bpf_loop anyway). */
static pid_t clone_into_cgroup(int cgroup_fd)
{
	struct clone_args ca = {
		/* VFORK: the parent resumes once the child has exec'd or exited, so an exec error
		 * is already in the pipe when the parent reads it. */
		.flags = CLONE_INTO_CGROUP | CLONE_VFORK,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};

	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

/*
 * The child is born inside its watched cgroup and makes no system call before execve: the
 * workload's events, and its learned syscall set, begin exactly at the program's exec. (Moving
 * a forked child into the cgroup made the child's own wait on a pipe part of the workload
 * whenever it happened after the cgroup was watched: a syscall set that varied from run to run.)
 */
pid_t vigil_sensor__spawn_with(struct vigil_sensor *s, char *const argv[], const char *name,
			       vigil_spawn_setup_cb setup, void *ctx, uint64_t *ret_cgroup_id,
			       struct vigil_error *err)
{
	int ep[2], cgfd = -1;
	char parent[PATH_MAX], dir[PATH_MAX + 64], nm[40];
	struct stat st;
	pid_t pid;
	int r, child_errno = 0;
	ssize_t n;

	if (!argv || !argv[0])
		return vigil_error__set(err, -EINVAL, "", 0, 0, "no command to run");
	snprintf(parent, sizeof(parent), "%s/vigil", vigil_sensor__cgroup2_root(s));
	if (mkdir(parent, 0755) && errno != EEXIST)
		return vigil_error__set(err, -errno, "", 0, 0, "cannot create cgroup %s: %s",
					parent, strerror(errno));
	safe_name(name ? name : argv[0], nm, sizeof(nm));
	snprintf(dir, sizeof(dir), "%s/%s-%d-%u", parent, nm, (int)getpid(), ++spawn_seq);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return vigil_error__set(err, -errno, "", 0, 0, "cannot create cgroup %s: %s", dir,
					strerror(errno));
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0 || fstat(cgfd, &st)) {
		r = -errno;
		if (cgfd >= 0)
			close(cgfd);
		rmdir(dir);
		return vigil_error__set(err, r, "", 0, 0, "cannot open cgroup %s: %s", dir,
					strerror(-r));
	}
	r = vigil_sensor__watch_cgroup(s, st.st_ino);
	if (!r)
		r = vigil_sensor__spawn_track(s, st.st_ino, dir);
	if (r) {
		close(cgfd);
		vigil_sensor__unwatch_cgroup(s, st.st_ino);
		rmdir(dir);
		return vigil_error__set(err, r, "", 0, 0, "cannot watch cgroup %s: %s", dir,
					strerror(-r));
	}
	vigil_sensor__name_workload(s, st.st_ino, name ? name : argv[0]);
	if (setup) {
		r = setup(st.st_ino, ctx);
		if (r < 0) {
			r = vigil_error__set(err, r, "", 0, 0, "workload setup failed: %s",
					     strerror(-r));
			goto fail;
		}
	}
	if (pipe2(ep, O_CLOEXEC)) {
		r = vigil_error__set(err, -errno, "", 0, 0, "pipe: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	pid = clone_into_cgroup(cgfd);
	if (pid == 0) {
		char c;

		execvp(argv[0], argv);
		c = (char)errno;
		n = write(ep[1], &c, 1);
		(void)n;
		_exit(127);
	}
	r = -errno;
	close(ep[1]);
	if (pid < 0) {
		close(ep[0]);
		r = vigil_error__set(err, r, "", 0, 0, "cannot start %s in cgroup %s: %s", argv[0],
				     dir, strerror(-r));
		goto fail;
	}
	close(cgfd);
	n = read(ep[0], &child_errno, 1);
	close(ep[0]);
	if (n == 1) {
		int status;

		waitpid(pid, &status, 0);
		vigil_sensor__spawn_cleanup(s, st.st_ino);
		return vigil_error__set(err, -(child_errno & 0xff), "", 0, 0, "cannot run %s: %s",
					argv[0], strerror(child_errno & 0xff));
	}
	if (ret_cgroup_id)
		*ret_cgroup_id = st.st_ino;
	return pid;
fail:
	close(cgfd);
	vigil_sensor__spawn_cleanup(s, st.st_ino);
	return r;
}

int vigil_sensor__spawn_cleanup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	const char *dir = vigil_sensor__spawn_dir(s, cgroup_id);
	char kill_path[PATH_MAX + 64];
	int r = 0;

	vigil_sensor__unwatch_cgroup(s, cgroup_id);
	if (!dir)
		return -ENOENT;
	if (rmdir(dir) && errno == EBUSY) {
		/* leftovers (daemonized children) of the command: end them with the cgroup */
		snprintf(kill_path, sizeof(kill_path), "%s/cgroup.kill", dir);
		write_file(kill_path, "1");
		for (int i = 0; i < 100; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			if (!rmdir(dir) || errno != EBUSY)
				break;
			nanosleep(&ts, NULL);
		}
	}
	if (access(dir, F_OK) == 0)
		r = -EBUSY;
	vigil_sensor__spawn_untrack(s, cgroup_id);
	return r;
}

/* ---- spawned workloads bookkeeping --------------------------------------------------- */

int vigil_sensor__spawn_track(struct vigil_sensor *s, uint64_t cgroup_id, const char *dir)
{
	for (int i = 0; i < SPAWN_MAX; i++) {
		if (!s->spawned[i].dir) {
			s->spawned[i].dir = strdup(dir);
			if (!s->spawned[i].dir)
				return -ENOMEM;
			s->spawned[i].cgroup_id = cgroup_id;
			return 0;
		}
	}
	return -ENOSPC;
}

const char *vigil_sensor__spawn_dir(const struct vigil_sensor *s, uint64_t cgroup_id)
{
	for (int i = 0; i < SPAWN_MAX; i++) {
		if (s->spawned[i].dir && s->spawned[i].cgroup_id == cgroup_id)
			return s->spawned[i].dir;
	}
	return NULL;
}

void vigil_sensor__spawn_untrack(struct vigil_sensor *s, uint64_t cgroup_id)
{
	for (int i = 0; i < SPAWN_MAX; i++) {
		if (s->spawned[i].dir && s->spawned[i].cgroup_id == cgroup_id) {
			free(s->spawned[i].dir);
			s->spawned[i].dir = NULL;
		}
	}
}
