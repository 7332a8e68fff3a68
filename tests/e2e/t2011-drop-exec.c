/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t2011-drop-exec MODE PATH: writes a copy of /bin/true to PATH in one of the ways an implant
 * drops a binary that the plain open/write path does not show, then runs it. Built by t2011
 * (static, with liburing).
 *
 *   uring     open, write and close PATH only through io_uring (OPENAT with mode 0755, WRITE,
 *             CLOSE), then execve it
 *   execveat  write PATH (open, write), then run it with execveat(dirfd, "name", AT_...)
 *   thread    a second thread writes PATH, the main thread runs it
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char image[4 << 20];
static size_t image_len;
static const char *target;

static void die(const char *what, int err)
{
	fprintf(stderr, "t2011-drop-exec: %s: %s\n", what, strerror(err));
	exit(1);
}

static void load_true(void)
{
	int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die("/bin/true", errno);
	while ((n = read(fd, image + image_len, sizeof(image) - image_len)) > 0)
		image_len += (size_t)n;
	close(fd);
}

/* One request, waited for: its result. */
static int uring_one(struct io_uring *r)
{
	struct io_uring_cqe *cqe;
	int ret;

	if (io_uring_submit(r) != 1)
		die("io_uring_submit", errno);
	if ((ret = io_uring_wait_cqe(r, &cqe)) < 0)
		die("io_uring_wait_cqe", -ret);
	ret = cqe->res;
	io_uring_cqe_seen(r, cqe);
	return ret;
}

static void write_uring(const char *path)
{
	struct io_uring r;
	int fd, ret;

	if ((ret = io_uring_queue_init(4, &r, 0)) < 0)
		die("io_uring_queue_init", -ret);
	io_uring_prep_openat(io_uring_get_sqe(&r), AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC,
			     0755);
	if ((fd = uring_one(&r)) < 0)
		die("IORING_OP_OPENAT", -fd);
	io_uring_prep_write(io_uring_get_sqe(&r), fd, image, (unsigned)image_len, 0);
	if ((ret = uring_one(&r)) != (int)image_len)
		die("IORING_OP_WRITE", ret < 0 ? -ret : EIO);
	io_uring_prep_close(io_uring_get_sqe(&r), fd);
	uring_one(&r);
	io_uring_queue_exit(&r);
}

static void write_plain(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0755);

	if (fd < 0 || write(fd, image, image_len) != (ssize_t)image_len)
		die(path, errno);
	close(fd);
}

static void *writer(void *arg)
{
	(void)arg;
	write_plain(target);
	return NULL;
}

static int run(const char *path, bool at)
{
	char *argv[] = { (char *)path, NULL };
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		if (at) {
			const char *slash = strrchr(path, '/');
			char dir[4096];
			int dfd;

			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
			dfd = open(dir, O_PATH | O_DIRECTORY);
			syscall(SYS_execveat, dfd, slash + 1, argv, environ, 0);
		} else {
			execve(path, argv, environ);
		}
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int main(int argc, char **argv)
{
	pthread_t th;

	if (argc != 3 || argv[2][0] != '/') {
		fprintf(stderr, "usage: t2011-drop-exec uring|execveat|thread /PATH\n");
		return 2;
	}
	target = argv[2];
	load_true();
	if (!strcmp(argv[1], "uring")) {
		write_uring(target);
	} else if (!strcmp(argv[1], "execveat")) {
		write_plain(target);
	} else if (!strcmp(argv[1], "thread")) {
		if (pthread_create(&th, NULL, writer, NULL) || pthread_join(th, NULL))
			die("pthread", errno);
	} else {
		return 2;
	}
	return run(target, !strcmp(argv[1], "execveat"));
}
