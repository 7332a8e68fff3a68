// SPDX-License-Identifier: Apache-2.0
/*
 * In-kernel allow sets for detection (bpf/allow.bpf.h, docs/SENSOR.md): per workload, the kinds
 * decided in the kernel (map kallow), the open paths it may open (openallow, keyed by the hash
 * of a file's or a directory's path as the kernel's walk writes it) and the egress peers it
 * may reach (netallow). Loading is ordered so the kernel is never more permissive than the
 * profile: the workload's kinds go off first, the old entries go, the new ones come, and only
 * then the kinds go on again; until then its events are sent and judged in user space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil/detect_paths.h"
#include "vigil/kallow.h"
#include "vigil.skel.h"

_Static_assert(VIGIL_KALLOW_FILE == VG_OA_FILE && VIGIL_KALLOW_CHILD == VG_OA_CHILD &&
		       VIGIL_KALLOW_DESC == VG_OA_DESC,
	       "enum vigil_kallow_path is VG_OA_*");
_Static_assert(VIGIL_KALLOW_OPEN == VG_KA_OPEN && VIGIL_KALLOW_NET == VG_KA_NET,
	       "VIGIL_KALLOW_* are VG_KA_*");

/*
 * Deletes every key of one workload from a map whose keys start with the cgroup id: the keys
 * are collected in one walk, then deleted (deleting during the walk would have to restart it
 * after each delete, quadratic in a map of thousands of entries).
 */
int sensor_kallow_clear_keys(int fd, uint64_t cgroup_id, size_t key_size)
{
	unsigned char k[64], next[64], *keys = NULL, *grown;
	size_t n = 0, cap = 0;
	void *prev = NULL;
	uint64_t cg;
	int err = 0;

	if (key_size > sizeof(k) || key_size < sizeof(cg))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(&cg, next, sizeof(cg));
		if (cg == cgroup_id) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				if (!(grown = realloc(keys, cap * key_size))) {
					free(keys);
					return -ENOMEM;
				}
				keys = grown;
			}
			memcpy(keys + n++ * key_size, next, key_size);
		}
		memcpy(k, next, key_size);
		prev = k;
	}
	for (size_t i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

int vigil_sensor__set_kallow(struct vigil_sensor *s, uint64_t cgroup_id, uint32_t kinds)
{
	int fd = bpf_map__fd(s->skel->maps.kallow);
	struct vg_kallow v = { .kinds = kinds };

	if (!kinds) {
		if (bpf_map_delete_elem(fd, &cgroup_id) && errno != ENOENT)
			return -errno;
		return 0;
	}
	if (bpf_map_update_elem(fd, &cgroup_id, &v, BPF_ANY))
		return -errno;
	return 0;
}

int vigil_sensor__clear_kallow(struct vigil_sensor *s, uint64_t cgroup_id)
{
	int err = vigil_sensor__set_kallow(s, cgroup_id, 0);

	if (!err)
		err = sensor_kallow_clear_keys(bpf_map__fd(s->skel->maps.openallow), cgroup_id,
					       sizeof(struct vg_open_key));
	if (!err)
		err = sensor_kallow_clear_keys(bpf_map__fd(s->skel->maps.netallow), cgroup_id,
					       sizeof(struct vg_net_key));
	if (!err) /* its own root's sensitive files (sensor_idents.c) */
		err = sensor_kallow_clear_keys(bpf_map__fd(s->skel->maps.sensitive), cgroup_id,
					       sizeof(struct vg_open_key));
	return err;
}

/* Adds a flag set to an entry: a set within one already there adds nothing; past VG_OA_SETS
 * sets the new one is left out (-EOVERFLOW: its opens are then judged in user space). */
int sensor_kallow_add_set(struct vg_open_allow *v, uint64_t flags, bool any)
{
	if (any) {
		v->any = 1;
		return 0;
	}
	for (int i = 0; i < v->n; i++) {
		if (!(flags & ~v->sets[i]))
			return 0;
		if (!(v->sets[i] & ~flags)) { /* the new set is wider: it replaces this one */
			v->sets[i] = flags;
			return 0;
		}
	}
	if (v->n >= VG_OA_SETS)
		return -EOVERFLOW;
	v->sets[v->n++] = flags;
	return 0;
}

int vigil_sensor__kallow_open(struct vigil_sensor *s, uint64_t cgroup_id, const char *path,
			      int kind, uint64_t flags, bool any)
{
	int fd = bpf_map__fd(s->skel->maps.openallow);
	struct vg_open_key k = { .cgroup_id = cgroup_id, .kind = (uint32_t)kind };
	struct vg_open_allow v;
	int err;

	if (kind < VG_OA_FILE || kind > VG_OA_DESC || !path || path[0] != '/')
		return -EINVAL;
	k.hash = vigil_sensor__path_hash(path);
	if (bpf_map_lookup_elem(fd, &k, &v))
		memset(&v, 0, sizeof(v));
	err = sensor_kallow_add_set(&v, flags, any);
	if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
		return -errno;
	return err;
}

int vigil_sensor__kallow_tokens(struct vigil_sensor *s, uint64_t cgroup_id)
{
	struct vg_open_key k = { .cgroup_id = cgroup_id, .kind = VG_OA_TOKENS };
	struct vg_open_allow v = { .any = 1 };

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.openallow), &k, &v, BPF_ANY))
		return -errno;
	return 0;
}

int vigil_sensor__kallow_peer(struct vigil_sensor *s, uint64_t cgroup_id, int family,
			      const uint8_t addr[16], uint8_t proto, uint16_t port)
{
	struct vg_net_key k = { .cgroup_id = cgroup_id, .port = port, .proto = proto };
	uint8_t one = 1;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	k.family = (uint8_t)family;
	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.netallow), &k, &one, BPF_ANY))
		return -errno;
	return 0;
}

struct load {
	struct vigil_sensor *s;
	uint64_t cg;
	struct vigil_kallow_count *c;
};

/* An entry the kernel did not take is left to user space (and counted: it blocks enforcement
 * of its kind); a full map is not an error. */
static int loaded(struct load *l, int err)
{
	if (err == -E2BIG || err == -ENOMEM || err == -EOVERFLOW) {
		l->c->not_loaded++;
		return 0;
	}
	return err;
}

static int load_open(const char *path, enum vigil_kallow_path kind, uint64_t flags, bool any,
		     void *arg)
{
	struct load *l = arg;
	int err = loaded(l, vigil_sensor__kallow_open(l->s, l->cg, path, kind, flags, any));

	/* the node's sensitive files this entry allows, by identity too (sensor_idents.c) */
	return err ? err
		   : loaded(l, sensor_idents_allow(l->s, l->cg, l->s->idents, l->s->nidents, NULL,
						   path, kind, flags, any));
}

static int load_tokens(void *arg)
{
	struct load *l = arg;

	return loaded(l, vigil_sensor__kallow_tokens(l->s, l->cg));
}

static int load_peer(int family, const uint8_t addr[16], uint8_t proto, uint16_t port, void *arg)
{
	struct load *l = arg;

	return loaded(l, vigil_sensor__kallow_peer(l->s, l->cg, family, addr, proto, port));
}

static int load_uring(const char *name, void *arg)
{
	struct load *l = arg;
	int op = vigil_iouring_op_nr(name);

	/* a name this kernel does not have: no event can carry it */
	if (op >= 0 && op < 256)
		l->c->uring_allow[op / 64] |= 1ULL << (op % 64);
	return 0;
}

int vigil_sensor__load_kallow(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_profile *p, const char *container, uint32_t kinds,
			      struct vigil_kallow_count *ret)
{
	static const struct vigil_kallow_visit visit = { load_open, load_peer, load_uring,
							 load_tokens };
	struct vigil_kallow_count c = { 0 };
	struct load l = { s, cgroup_id, &c };
	int err;

	err = vigil_sensor__clear_kallow(s, cgroup_id);
	/* the sensitive files as they are now (passwd replaces /etc/shadow: a new inode) */
	if (!err)
		err = sensor_identities_load(s);
	if (!err)
		err = vigil_profile__kernel_allow(p, container, &visit, &l, &c);
	if (!err && kinds)
		err = vigil_sensor__set_kallow(s, cgroup_id, kinds);
	if (err)
		vigil_sensor__clear_kallow(s, cgroup_id); /* a part loaded is not turned on */
	if (ret)
		*ret = c;
	return err;
}

static int sensitive_put(int fd, const char *path, uint32_t kind, uint8_t cls)
{
	struct vg_open_key k = { .hash = vigil_sensor__path_hash(path), .kind = kind };

	if (bpf_map_update_elem(fd, &k, &cls, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * The node-wide map of what the open rules name (map sensitive): detection's sensitive files
 * and directories (vigil/detect_paths.h), and the token directories. The kernel names fewer
 * files than detection does (not users' SSH keys, nor a token outside these directories): it
 * kills only where detection would raise the rule.
 */
int sensor_sensitive_load(struct vigil_sensor *s)
{
	int fd = bpf_map__fd(s->skel->maps.sensitive), err = 0;
	const char *const *f = vigil_sensitive_files(), *const *d = vigil_sensitive_dirs();
	const char *const *token_dirs = vigil_token_dirs();

	for (size_t i = 0; !err && f[i]; i++)
		err = sensitive_put(fd, f[i], VG_OA_FILE, VG_CLASS_SENSITIVE);
	for (size_t i = 0; !err && d[i]; i++)
		err = sensitive_put(fd, d[i], VG_OA_DESC, VG_CLASS_SENSITIVE);
	for (size_t i = 0; !err && token_dirs[i]; i++)
		err = sensitive_put(fd, token_dirs[i], VG_OA_DESC, VG_CLASS_TOKEN_DIR);
	return err ? err : sensor_identities_load(s);
}
