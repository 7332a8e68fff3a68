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

#define TOKENS_MAX 16 /* tokens remembered to report each once */

struct tok {
	uint32_t dev;
	uint64_t ino;
};

struct reader {
	int root;
	vigil_sensitive_fn fn;
	void *arg;
	struct tok tokens[TOKENS_MAX];
	size_t ntokens;
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

/* Whether the token (dev, ino) was reported already (under its timestamped directory's name);
 * records it when not. */
static bool token_seen(struct reader *r, uint32_t dev, uint64_t ino)
{
	for (size_t i = 0; i < r->ntokens; i++)
		if (r->tokens[i].dev == dev && r->tokens[i].ino == ino)
			return true;
	if (r->ntokens < TOKENS_MAX)
		r->tokens[r->ntokens++] = (struct tok){ dev, ino };
	return false;
}

/* Reports path when it is a regular file below the root; a token once, under the first name
 * found (its timestamped directory's, the name the kernel's path walk gives its opens). */
static void read_file(struct reader *r, const char *path)
{
	struct stat st;
	int fd = open_in(r->root, path, O_PATH);
	uint32_t dev;

	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
		dev = (uint32_t)((major(st.st_dev) << 20) | minor(st.st_dev));
		if (vigil_open_class(path) != VIGIL_OPEN_TOKEN ||
		    !token_seen(r, dev, (uint64_t)st.st_ino))
			r->fn(path, dev, (uint64_t)st.st_ino, r->arg);
	}
	close(fd);
}

/* The sensitive files in dir (subdirs: its directories, when deep, one level down; else its
 * files). */
static void scan_dir(struct reader *r, const char *dir, bool subdirs)
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
		enum vigil_open_class cls;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		/* a file system without d_type: asked of the entry itself, never followed */
		if (de->d_type == DT_UNKNOWN &&
		    !fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			is_dir = S_ISDIR(st.st_mode);
		if (subdirs) {
			if (is_dir)
				scan_dir(r, path, false);
			continue;
		}
		cls = vigil_open_class(path);
		if (!is_dir && (cls == VIGIL_OPEN_SENSITIVE || cls == VIGIL_OPEN_TOKEN))
			read_file(r, path);
	}
	closedir(d);
}

/* The sensitive files in dir and, when deep, one level further down (the directories first: a
 * token's timestamped directory before the symlinks that lead into it). */
static void read_dir(struct reader *r, const char *dir, bool deep)
{
	if (deep)
		scan_dir(r, dir, true);
	scan_dir(r, dir, false);
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
	const char *const *tokens = vigil_token_dirs();
	struct reader r = { .root = root, .fn = fn, .arg = arg };
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
	/* the token as the kubelet writes it: token -> ..data/token, ..data -> ..2026_.../, the
	 * file itself in the timestamped directory (both names reported: a profile names either) */
	for (size_t i = 0; tokens[i]; i++)
		read_dir(&r, tokens[i], true);
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
