// SPDX-License-Identifier: Apache-2.0
/* Atomic file replacement: a kill -9 at any point leaves the old file or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/strutil.h"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vigil_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    struct vigil_error *err)
{
	return vigil_write_file_atomic_hook(path, data, len, mode, NULL, NULL, err);
}

int vigil_is_atomic_tmp(const char *name)
{
	const char *at = strstr(name, VIGIL_TMP_INFIX);
	const char *last = NULL;

	while (at) {
		last = at;
		at = strstr(at + 1, VIGIL_TMP_INFIX);
	}
	return last && last != name && strlen(last + strlen(VIGIL_TMP_INFIX)) == 6;
}

int vigil_write_file_atomic_hook(const char *path, const void *data, size_t len, mode_t mode,
				 void (*before_rename)(const char *tmp, void *arg), void *arg,
				 struct vigil_error *err)
{
	char tmp[4096], dir[4096];
	int fd, dfd, e;

	if (snprintf(tmp, sizeof(tmp), "%s" VIGIL_TMP_INFIX "XXXXXX", path) >= (int)sizeof(tmp))
		return vigil_error__set(err, -ENAMETOOLONG, path, 0, 0, "path too long");
	fd = mkstemp(tmp);
	if (fd < 0)
		return vigil_error__set(err, -errno, path, 0, 0,
					"cannot create a file next to it: %s", strerror(errno));
	e = write_all(fd, data, len);
	if (!e && fchmod(fd, mode) < 0)
		e = -errno;
	if (!e && fsync(fd) < 0)
		e = -errno;
	if (close(fd) < 0 && !e)
		e = -errno;
	if (!e && before_rename)
		before_rename(tmp, arg);
	if (!e && rename(tmp, path) < 0)
		e = -errno;
	if (e) {
		unlink(tmp);
		return vigil_error__set(err, e, path, 0, 0, "cannot write: %s", strerror(-e));
	}
	/* the rename itself must reach the disk */
	vigil_strlcpy(dir, path, sizeof(dir));
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

mode_t vigil_file_mode_or(const char *path, mode_t fallback)
{
	struct stat st;

	return stat(path, &st) == 0 ? (st.st_mode & 07777) : fallback;
}

int vigil_replace_file(const char *path, const void *data, size_t len)
{
	return vigil_write_file_atomic(path, data, len, vigil_file_mode_or(path, 0644), NULL);
}

int vigil_mkdir_parents(const char *path, mode_t mode)
{
	char dir[4096];
	char *slash;

	if (vigil_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

int vigil_lock_file(const char *path, pid_t *ret_holder)
{
	char buf[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;

		if (ret_holder) {
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			*ret_holder = (pid_t)strtol(buf, NULL, 10);
		}
		close(fd);
		return e;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}
