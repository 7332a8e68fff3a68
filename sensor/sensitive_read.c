// SPDX-License-Identifier: Apache-2.0
/* The sensitive files below a root, resolved inside it (sensitive_read.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sensor/sensitive_read.h"
#include "vigil/detect_paths.h"

#define DIR_MAX	   64 /* entries read from one directory */
#define PATH_BYTES 512

struct reader {
	int root;
	vigil_sensitive_fn fn;
	void *arg;
};

/*
 * path (absolute, as the root names it) opened inside the root: ".." and absolute symlinks stop
 * at the root, a magic link (/proc/self/root, ...) is refused; a symlink is followed inside the
 * root, as the root's own programs would follow it.
 */
static int open_in(int root, const char *path, uint64_t flags)
{
	struct open_how how = { .flags = flags | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/* Reports path when it is a regular file below the root. */
static void read_file(const struct reader *r, const char *path)
{
	struct stat st;
	int fd = open_in(r->root, path, O_PATH);

	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		r->fn(path, (uint32_t)((major(st.st_dev) << 20) | minor(st.st_dev)),
		      (uint64_t)st.st_ino, r->arg);
	close(fd);
}

/* The sensitive files in dir (and, when deep, one level further down). */
static void read_dir(const struct reader *r, const char *dir, bool deep)
{
	char path[PATH_BYTES];
	struct dirent *de;
	struct stat st;
	int fd = open_in(r->root, dir, O_RDONLY | O_DIRECTORY), count = 0;
	DIR *d;

	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) && count++ < DIR_MAX) {
		bool is_dir = de->d_type == DT_DIR;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		/* a file system without d_type: asked of the entry itself, never followed */
		if (de->d_type == DT_UNKNOWN &&
		    !fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			is_dir = S_ISDIR(st.st_mode);
		if (is_dir && deep)
			read_dir(r, path, false);
		else if (vigil_open_class(path) == VIGIL_OPEN_SENSITIVE)
			read_file(r, path);
	}
	closedir(d);
}

int vigil_sensitive_root(int pid)
{
	char path[64];
	int fd;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/root", pid);
	else
		snprintf(path, sizeof(path), "/");
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int vigil_sensitive_read(int root, vigil_sensitive_fn fn, void *arg)
{
	const char *const *files = vigil_sensitive_files(), *const *dirs = vigil_sensitive_dirs();
	struct reader r = { root, fn, arg };
	char home[PATH_BYTES];
	struct dirent *de;
	int fd, count = 0;
	DIR *d;

	/* openat2 (Linux 5.6) is what keeps the names inside the root: without it, nothing */
	if ((fd = open_in(root, "/", O_PATH)) < 0)
		return fd;
	close(fd);
	for (size_t i = 0; files[i]; i++)
		read_file(&r, files[i]);
	for (size_t i = 0; dirs[i]; i++)
		read_dir(&r, dirs[i], true);
	read_dir(&r, "/etc/ssh", false);
	if ((fd = open_in(root, "/home", O_RDONLY | O_DIRECTORY)) < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) && count++ < DIR_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(home, sizeof(home), "/home/%s/.ssh", de->d_name) <
		    sizeof(home))
			read_dir(&r, home, false);
	}
	closedir(d);
	return 0;
}

bool vigil_sensitive_gone(int root, const char *path)
{
	int fd = open_in(root, path, O_PATH);

	if (fd >= 0)
		close(fd);
	return fd == -ENOENT;
}
