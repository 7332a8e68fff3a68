/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_via HOW PATH [ARGS...]: runs PATH (argv = ARGS, or PATH's base name alone) in place,
 * without the plain execve(PATH) a sensor may expect:
 *   execveat  execveat(descriptor of PATH's directory, PATH's base name)
 *   fd        open(PATH, O_PATH), then execveat(that descriptor, "", AT_EMPTY_PATH)
 *   thread    execve(PATH) from a second thread (the kernel makes it the thread-group leader)
 * On success it never returns; prints "exec_via: ..." and exits 1 when the exec fails.
 */
#include <libgen.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "progs.h"

#define USAGE "execveat|fd|thread PATH [ARGS...]"

static char *const *new_argv;
static const char *target;
static char *const no_env[] = { "PATH=/usr/bin:/bin", NULL };

static void *thread_exec(void *arg)
{
	(void)arg;
	execve(target, new_argv, no_env);
	prog_die("execve %s from a thread: %s", target, strerror(errno));
}

int main(int argc, char **argv)
{
	static char *own[2];
	char dir[PATH_MAX], base[PATH_MAX];
	pthread_t t;
	int fd;

	prog_name = "exec_via";
	if (argc < 3)
		prog_usage(USAGE);
	target = argv[2];
	snprintf(dir, sizeof(dir), "%s", target);
	snprintf(base, sizeof(base), "%s", target);
	own[0] = basename(base);
	new_argv = argc > 3 ? argv + 3 : own;
	if (!strcmp(argv[1], "execveat")) {
		fd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			prog_die("%s: %s", dir, strerror(errno));
		syscall(SYS_execveat, fd, own[0], new_argv, no_env, 0);
	} else if (!strcmp(argv[1], "fd")) {
		fd = open(target, O_PATH | O_CLOEXEC);
		if (fd < 0)
			prog_die("%s: %s", target, strerror(errno));
		syscall(SYS_execveat, fd, "", new_argv, no_env, AT_EMPTY_PATH);
	} else if (!strcmp(argv[1], "thread")) {
		if (pthread_create(&t, NULL, thread_exec, NULL))
			prog_die("pthread_create failed");
		pthread_join(t, NULL);
	} else {
		prog_usage(USAGE);
	}
	prog_die("execveat %s: %s", target, strerror(errno));
}
