// SPDX-License-Identifier: Apache-2.0
/* Atomic file replacement: a kill -9 at any point leaves the old file or the new one. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
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
	char tmp[4096], dir[4096];
	int fd, dfd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
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
