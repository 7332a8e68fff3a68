// SPDX-License-Identifier: Apache-2.0
/*
 * Sensitive files and service-account tokens by identity (device, inode) for the kernel's open
 * enforcement (map sensitive, class VG_CLASS_SENSITIVE or VG_CLASS_TOKEN,
 * VG_OA_INODE; bpf/enforce.bpf.h): an open of one under another name (a hard link, a bind
 * mount) is recognised by the file itself and judged as its own name. Two sets: the node's
 * files (cgroup id 0, read again whenever a workload's allow sets load, so a `passwd` that
 * replaced /etc/shadow with a new inode is followed), and per enforcing workload the files of
 * its own root, a container image's /etc/shadow, every name resolved inside /proc/PID/root (keyed by its
 * cgroup id, at most VG_ROOT_IDENTS). A file the profile allows by name is allowed by identity
 * too (openallow, same key with the cgroup id), so an alias is never judged more strictly than
 * the name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensitive_read.h"
#include "sensor/sensor_state.h"
#include "vigil/detect_paths.h"
#include "vigil/kallow.h"
#include "vigil.skel.h"

_Static_assert(VIGIL_KALLOW_ROOT_MAX == VG_ROOT_IDENTS, "VIGIL_KALLOW_ROOT_MAX is VG_ROOT_IDENTS");

/* A list being read: the sensitive files below a root, at most max. */
struct idents {
	struct sensor_ident *v;
	size_t n, max;
	unsigned left_out;		 /* sensitive files past max */
	const struct vigil_sensor *node; /* set: the node's own files are left out (before max) */
};

static bool node_ident(const struct vigil_sensor *s, const struct sensor_ident *id);

/* One sensitive file found below the root (path as the workload names it; vigil_sensitive_read) */
static void ident_add(const char *path, uint32_t dev, uint64_t ino, void *arg)
{
	struct idents *l = arg;
	struct sensor_ident found = { .dev = dev, .ino = ino };

	if (strlen(path) >= sizeof(found.path))
		return;
	/* a node file mounted into the workload is known node-wide: never spends the bound */
	if (l->node && node_ident(l->node, &found))
		return;
	if (l->n >= l->max) {
		l->left_out++;
		return;
	}
	snprintf(found.path, sizeof(found.path), "%s", path);
	l->v[l->n++] = found;
}

/* The sensitive files below the root of pid (0: the node's, as the agent sees it), each name
 * resolved inside that root (sensor/sensitive_read.c, the reader detection uses too). */
static int idents_read(struct idents *l, int pid)
{
	int root = vigil_sensitive_root(pid), err;

	if (root < 0)
		return root;
	err = vigil_sensitive_read(root, ident_add, l);
	close(root);
	return err;
}

static int ident_put(int fd, uint64_t cgroup_id, const struct sensor_ident *id)
{
	struct vg_open_key k = {
		.cgroup_id = cgroup_id, .hash = id->ino, .kind = VG_OA_INODE, .pad = id->dev
	};
	uint8_t cls = vigil_open_class(id->path) == VIGIL_OPEN_TOKEN ? VG_CLASS_TOKEN
								     : VG_CLASS_SENSITIVE;

	if (bpf_map_update_elem(fd, &k, &cls, BPF_ANY))
		return -errno;
	return 0;
}

int sensor_identities_load(struct vigil_sensor *s)
{
	int fd = bpf_map__fd(s->skel->maps.sensitive);
	struct idents l = { .v = s->idents, .max = SENSOR_IDENTS_MAX };
	int err;

	for (size_t i = 0; i < s->nidents; i++) {
		struct vg_open_key k = { .hash = s->idents[i].ino,
					 .kind = VG_OA_INODE,
					 .pad = s->idents[i].dev };

		bpf_map_delete_elem(fd, &k);
	}
	err = idents_read(&l, 0);
	s->nidents = l.n;
	if (err < 0)
		return err;
	for (size_t i = 0; i < s->nidents; i++)
		if ((err = ident_put(fd, 0, &s->idents[i])) < 0)
			return err;
	return 0;
}

/* Whether the sensitive file at ident names what a profile entry (path, kind) allows. */
static bool entry_names(const char *ident, const char *path, enum vigil_kallow_path kind)
{
	size_t n = strlen(path);
	const char *slash = strrchr(ident, '/');

	if (kind == VIGIL_KALLOW_FILE)
		return !strcmp(ident, path);
	if (strncmp(ident, path, n) || (n > 1 && ident[n] != '/'))
		return false; /* not below the directory ("/" is below itself) */
	if (kind == VIGIL_KALLOW_DESC)
		return true;
	return slash && (size_t)(slash - ident) == (n > 1 ? n : 0);
}

int sensor_idents_allow(struct vigil_sensor *s, uint64_t cgroup_id, const struct sensor_ident *v,
			size_t n, bool *bad, const char *path, enum vigil_kallow_path kind,
			uint64_t flags, bool any)
{
	int fd = bpf_map__fd(s->skel->maps.openallow);

	for (size_t i = 0; i < n; i++) {
		struct vg_open_key k = { .cgroup_id = cgroup_id,
					 .hash = v[i].ino,
					 .kind = VG_OA_INODE,
					 .pad = v[i].dev };
		struct vg_open_allow a;
		int err;

		if (!entry_names(v[i].path, path, kind))
			continue;
		if (bpf_map_lookup_elem(fd, &k, &a))
			memset(&a, 0, sizeof(a));
		err = sensor_kallow_add_set(&a, flags, any);
		if (!err && bpf_map_update_elem(fd, &k, &a, BPF_ANY))
			err = -errno;
		if (err && !bad)
			return err;
		if (err) /* this file's allowance is not whole in the kernel: never killed */
			bad[i] = true;
	}
	return 0;
}

struct root_load {
	struct vigil_sensor *s;
	uint64_t cg;
	struct idents *l;
	bool *bad;
};

static int root_open(const char *path, enum vigil_kallow_path kind, uint64_t flags, bool any,
		     void *arg)
{
	struct root_load *r = arg;

	return sensor_idents_allow(r->s, r->cg, r->l->v, r->l->n, r->bad, path, kind, flags, any);
}

/* Whether the file is one of the node's (a host file mounted into the workload). */
static bool node_ident(const struct vigil_sensor *s, const struct sensor_ident *id)
{
	for (size_t i = 0; i < s->nidents; i++)
		if (s->idents[i].dev == id->dev && s->idents[i].ino == id->ino)
			return true;
	return false;
}

const char *sensor_ident_name(const struct vigil_sensor *s, uint64_t cgroup_id, uint32_t dev,
			      uint64_t ino)
{
	for (size_t i = 0; i < s->nidents; i++)
		if (s->idents[i].dev == dev && s->idents[i].ino == ino)
			return s->idents[i].path;
	for (size_t i = 0; i < s->nroot_idents; i++) {
		const struct sensor_root_ident *r = &s->root_idents[i];

		if (r->cgroup_id == cgroup_id && r->id.dev == dev && r->id.ino == ino)
			return r->id.path;
	}
	return NULL;
}

void sensor_root_idents_forget(struct vigil_sensor *s, uint64_t cgroup_id)
{
	size_t keep = 0;

	for (size_t i = 0; i < s->nroot_idents; i++)
		if (s->root_idents[i].cgroup_id != cgroup_id)
			s->root_idents[keep++] = s->root_idents[i];
	s->nroot_idents = keep;
}

/* Remembers the identities loaded for the workload (sensor_ident_name). */
static int root_idents_keep(struct vigil_sensor *s, uint64_t cgroup_id,
			    const struct sensor_ident *v, const bool *bad, size_t n)
{
	struct sensor_root_ident *r;

	sensor_root_idents_forget(s, cgroup_id);
	r = realloc(s->root_idents, (s->nroot_idents + n + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	s->root_idents = r;
	for (size_t i = 0; i < n; i++)
		if (!bad[i])
			r[s->nroot_idents++] = (struct sensor_root_ident){ cgroup_id, v[i] };
	return 0;
}

int vigil_sensor__kallow_root(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_profile *p, const char *container, int pid,
			      struct vigil_kallow_root *ret)
{
	static const struct vigil_kallow_visit visit = { root_open, NULL, NULL, NULL };
	struct sensor_ident *v = calloc(VG_ROOT_IDENTS, sizeof(*v));
	bool bad[VG_ROOT_IDENTS] = { false };
	struct idents l = { .v = v, .max = VG_ROOT_IDENTS, .node = s };
	struct root_load r = { s, cgroup_id, &l, bad };
	int fd = bpf_map__fd(s->skel->maps.sensitive), err;

	memset(ret, 0, sizeof(*ret));
	if (!v)
		return -ENOMEM;
	/* the node's files left out as they are read (l.node) */
	if ((err = idents_read(&l, pid)) < 0) {
		free(v);
		return err;
	}
	/* allowances first, then the files: never stricter than the profile in between */
	err = vigil_profile__kernel_allow(p, container, &visit, &r, NULL);
	if (!err)
		err = sensor_kallow_clear_keys(fd, cgroup_id, sizeof(struct vg_open_key));
	for (size_t i = 0; !err && i < l.n; i++) {
		if (bad[i]) {
			ret->left_out++;
			continue;
		}
		err = ident_put(fd, cgroup_id, &v[i]);
		if (err == -E2BIG || err == -ENOMEM) { /* the map is full: detected, not killed */
			ret->left_out++;
			err = 0;
		} else if (!err) {
			ret->loaded++;
		}
	}
	ret->left_out += l.left_out;
	if (!err)
		err = root_idents_keep(s, cgroup_id, v, bad, l.n);
	free(v);
	return err;
}
