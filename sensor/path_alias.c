// SPDX-License-Identifier: Apache-2.0
/* Sensitive files found by identity under another name (path_alias.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/strutil.h"
#include "sensor/sensitive_read.h"
#include "vigil/path_alias.h"

#define NS_MAX	   64			  /* mount namespaces remembered */
#define FILES_MAX  512			  /* sensitive files per namespace */
#define REFRESH_NS (5ull * 1000000000ull) /* identities older than this are read again */

struct ident {
	uint32_t dev; /* the kernel's encoding, as events carry it */
	uint64_t ino;
	char *path;
};

/* Where files are seen from: a mount namespace and a root in it (a chroot shares the
 * namespace, not the root: its /etc/shadow is another file) */
struct view {
	unsigned long long mntns; /* 0: none (a free slot) */
	uint64_t root_dev, root_ino;
};

struct ns {
	struct view view;
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

/* One sensitive file found below the namespace's root (vigil_sensitive_read). */
static void add_file(const char *path, uint32_t dev, uint64_t ino, void *arg)
{
	struct ns *n = arg;
	char *copy;

	if (n->n >= FILES_MAX)
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
	n->v[n->n].dev = dev;
	n->v[n->n].ino = ino;
	n->v[n->n].path = copy;
	n->n++;
}

static bool known(const struct ns *n, uint32_t dev, uint64_t ino)
{
	for (size_t i = 0; i < n->n; i++)
		if (n->v[i].dev == dev && n->v[i].ino == ino)
			return true;
	return false;
}

/*
 * The sensitive files below the root of pid (0: the agent's own), resolved inside it. A file
 * known before whose name is now gone (renamed, or linked elsewhere and its name removed) is
 * kept under that name: it is still that file wherever it went. One whose name now holds
 * another file (passwd's new /etc/shadow) is forgotten.
 */
static void read_identities(struct ns *n, uint32_t pid)
{
	int root = vigil_sensitive_root((int)pid);
	struct ident *old = n->v;
	size_t nold = n->n;

	if (root < 0)
		return; /* the process is gone: what was known stays */
	n->v = NULL;
	n->n = n->cap = 0;
	vigil_sensitive_read(root, add_file, n);
	for (size_t i = 0; i < nold; i++)
		if (!known(n, old[i].dev, old[i].ino) && vigil_sensitive_gone(root, old[i].path))
			add_file(old[i].path, old[i].dev, old[i].ino, n);
	close(root);
	for (size_t i = 0; i < nold; i++)
		free(old[i].path);
	free(old);
}

static bool same_view(const struct view *a, const struct view *b)
{
	return a->mntns == b->mntns && a->root_dev == b->root_dev && a->root_ino == b->root_ino;
}

/* The entry of a view, (re)read when older than REFRESH_NS. */
static struct ns *ns_for(struct vigil_path_alias *a, const struct view *view, uint32_t pid)
{
	unsigned long long now = mono_ns();
	struct ns *n = NULL, *oldest = &a->ns[0];

	for (size_t i = 0; i < NS_MAX; i++) {
		if (same_view(&a->ns[i].view, view)) {
			n = &a->ns[i];
			break;
		}
		if (a->ns[i].read_ns < oldest->read_ns)
			oldest = &a->ns[i];
	}
	if (!n) {
		n = oldest;
		ns_clear(n);
		n->view = *view;
	}
	if (!n->read_ns || now - n->read_ns > REFRESH_NS) {
		read_identities(n, pid);
		n->read_ns = now;
	}
	return n;
}

/*
 * Looks (dev, ino) up among the sensitive files below the root of pid (0: the agent's own);
 * *view is where pid sees them from (mntns 0: unknown); a view already looked in (seen[0],
 * seen[1]) is not again.
 */
static bool lookup(struct vigil_path_alias *a, uint32_t pid, uint32_t dev, uint64_t ino,
		   const struct view seen[2], struct view *view, char *out, size_t size)
{
	char nsl[64], link[64], root[64];
	struct view v = { 0 };
	struct stat st;
	struct ns *n;
	ssize_t len;

	memset(view, 0, sizeof(*view));
	if (pid) {
		snprintf(nsl, sizeof(nsl), "/proc/%u/ns/mnt", pid);
		snprintf(root, sizeof(root), "/proc/%u/root", pid);
	} else {
		snprintf(nsl, sizeof(nsl), "/proc/self/ns/mnt");
		snprintf(root, sizeof(root), "/");
	}
	len = readlink(nsl, link, sizeof(link) - 1);
	if (len <= 0 || stat(root, &st))
		return false;
	link[len] = '\0';
	if (sscanf(link, "mnt:[%llu]", &v.mntns) != 1)
		return false;
	v.root_dev = (uint64_t)st.st_dev;
	v.root_ino = (uint64_t)st.st_ino;
	if (same_view(&v, &seen[0]) || same_view(&v, &seen[1]))
		return false;
	*view = v;
	n = ns_for(a, &v, pid);
	for (size_t i = 0; n && i < n->n; i++) {
		if (n->v[i].dev == dev && n->v[i].ino == ino) {
			vigil_strlcpy(out, n->v[i].path, size);
			return true;
		}
	}
	return false;
}

bool vigil_path_alias__sensitive(struct vigil_path_alias *a, const struct vigil_event *ev,
				 char *out, size_t size)
{
	struct view seen[2] = { { 0 }, { 0 } }, node;

	if (!a || !ev || ev->kind != VIGIL_EV_OPEN || ev->open.ret < 0 || !ev->open.ino)
		return false;
	/* the sensitive files as the opening process sees them, as its parent does (the
	 * process may be gone), and as the node does (a host file mounted into a workload);
	 * each view looked in once */
	if (ev->proc && ev->proc->pid &&
	    lookup(a, ev->proc->pid, ev->open.dev, ev->open.ino, seen, &seen[0], out, size))
		return true;
	if (ev->proc && ev->proc->ppid &&
	    lookup(a, ev->proc->ppid, ev->open.dev, ev->open.ino, seen, &seen[1], out, size))
		return true;
	return lookup(a, 0, ev->open.dev, ev->open.ino, seen, &node, out, size);
}
