// SPDX-License-Identifier: Apache-2.0
/* Sensitive files found by identity under another name (path_alias.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/strutil.h"
#include "vigil/detect_paths.h"
#include "vigil/path_alias.h"

#define NS_MAX	   16			  /* mount namespaces remembered */
#define FILES_MAX  512			  /* sensitive files per namespace */
#define DIR_MAX	   64			  /* entries read from one directory */
#define REFRESH_NS (5ull * 1000000000ull) /* identities older than this are read again */
#define PATH_BYTES 4200

struct ident {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct ns {
	unsigned long long mntns; /* 0: free slot */
	unsigned long long read_ns;
	struct ident *v; /* grown as files are found: most namespaces hold a handful */
	size_t n, cap;
};

struct vigil_path_alias {
	struct ns ns[NS_MAX];
};

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

struct vigil_path_alias *vigil_path_alias__new(void)
{
	return calloc(1, sizeof(struct vigil_path_alias));
}

static void ns_clear(struct ns *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i].path);
	free(n->v);
	memset(n, 0, sizeof(*n));
}

void vigil_path_alias__free(struct vigil_path_alias *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < NS_MAX; i++)
		ns_clear(&a->ns[i]);
	free(a);
}

/* Adds path (as the workload names it) when root+path is a regular file. */
static void add_file(struct ns *n, const char *root, const char *path)
{
	char full[PATH_BYTES];
	struct stat st;
	char *copy;

	if (n->n >= FILES_MAX ||
	    (size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full) ||
	    stat(full, &st) || !S_ISREG(st.st_mode))
		return;
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 8;
		struct ident *v = realloc(n->v, cap * sizeof(*v));

		if (!v)
			return;
		n->v = v;
		n->cap = cap;
	}
	if (!(copy = strdup(path)))
		return;
	n->v[n->n].dev = st.st_dev;
	n->v[n->n].ino = st.st_ino;
	n->v[n->n].path = copy;
	n->n++;
}

/* The sensitive files in dir (one level, and one more for subdirectories when deep). */
static void add_dir(struct ns *n, const char *root, const char *dir, bool deep)
{
	char full[PATH_BYTES], path[PATH_BYTES];
	struct dirent *de;
	DIR *d;
	int count = 0;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, dir) >= sizeof(full) ||
	    !(d = opendir(full)))
		return;
	while ((de = readdir(d)) && count++ < DIR_MAX && n->n < FILES_MAX) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (de->d_type == DT_DIR && deep)
			add_dir(n, root, path, false);
		else if (vigil_open_class(path) == VIGIL_OPEN_SENSITIVE)
			add_file(n, root, path);
	}
	closedir(d);
}

static void read_identities(struct ns *n, const char *root)
{
	const char *const *files = vigil_sensitive_files(), *const *dirs = vigil_sensitive_dirs();
	char full[PATH_BYTES], home[PATH_BYTES];
	struct dirent *de;
	DIR *d;
	int count = 0;

	for (size_t i = 0; i < n->n; i++)
		free(n->v[i].path);
	n->n = 0;
	for (size_t i = 0; files[i]; i++)
		add_file(n, root, files[i]);
	for (size_t i = 0; dirs[i]; i++)
		add_dir(n, root, dirs[i], true);
	add_dir(n, root, "/etc/ssh", false);
	snprintf(full, sizeof(full), "%s/home", root);
	if (!(d = opendir(full)))
		return;
	while ((de = readdir(d)) && count++ < DIR_MAX && n->n < FILES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(home, sizeof(home), "/home/%s/.ssh", de->d_name) <
		    sizeof(home))
			add_dir(n, root, home, false);
	}
	closedir(d);
}

/* The namespace entry of mntns, (re)read when older than REFRESH_NS. */
static struct ns *ns_for(struct vigil_path_alias *a, unsigned long long mntns, const char *root)
{
	unsigned long long now = mono_ns();
	struct ns *n = NULL, *oldest = &a->ns[0];

	for (size_t i = 0; i < NS_MAX; i++) {
		if (a->ns[i].mntns == mntns) {
			n = &a->ns[i];
			break;
		}
		if (a->ns[i].read_ns < oldest->read_ns)
			oldest = &a->ns[i];
	}
	if (!n) {
		n = oldest;
		ns_clear(n);
		n->mntns = mntns;
	}
	if (!n->read_ns || now - n->read_ns > REFRESH_NS) {
		read_identities(n, root);
		n->read_ns = now;
	}
	return n;
}

/* The kernel's encoding of a device number (MKDEV: major << 20 | minor). */
static uint32_t kernel_dev(dev_t d)
{
	return (uint32_t)((major(d) << 20) | minor(d));
}

/* Looks (dev, ino) up among the sensitive files below the root of pid (0: the agent's own). */
static bool lookup(struct vigil_path_alias *a, uint32_t pid, uint32_t dev, uint64_t ino, char *out,
		   size_t size)
{
	char root[64], nsl[64], link[64];
	unsigned long long mntns = 0;
	struct ns *n;
	ssize_t len;

	if (pid) {
		snprintf(root, sizeof(root), "/proc/%u/root", pid);
		snprintf(nsl, sizeof(nsl), "/proc/%u/ns/mnt", pid);
	} else {
		root[0] = '\0'; /* paths as they are: the agent's own view */
		snprintf(nsl, sizeof(nsl), "/proc/self/ns/mnt");
	}
	len = readlink(nsl, link, sizeof(link) - 1);
	if (len <= 0)
		return false;
	link[len] = '\0';
	if (sscanf(link, "mnt:[%llu]", &mntns) != 1)
		return false;
	n = ns_for(a, mntns, root);
	for (size_t i = 0; n && i < n->n; i++) {
		if (kernel_dev(n->v[i].dev) == dev && (uint64_t)n->v[i].ino == ino) {
			vigil_strlcpy(out, n->v[i].path, size);
			return true;
		}
	}
	return false;
}

bool vigil_path_alias__sensitive(struct vigil_path_alias *a, const struct vigil_event *ev,
				 char *out, size_t size)
{
	if (!a || !ev || ev->kind != VIGIL_EV_OPEN || !ev->open.aliased || ev->open.ret < 0 ||
	    !ev->open.ino)
		return false;
	/* the sensitive files as the opening process sees them, as its parent does (the
	 * process may be gone), and as the node does (a host file mounted into a workload) */
	if (ev->proc && ev->proc->pid &&
	    lookup(a, ev->proc->pid, ev->open.dev, ev->open.ino, out, size))
		return true;
	if (ev->proc && ev->proc->ppid &&
	    lookup(a, ev->proc->ppid, ev->open.dev, ev->open.ino, out, size))
		return true;
	return lookup(a, 0, ev->open.dev, ev->open.ino, out, size);
}
