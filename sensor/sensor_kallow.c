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
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil/kallow.h"
#include "vigil.skel.h"

_Static_assert(VIGIL_KALLOW_FILE == VG_OA_FILE && VIGIL_KALLOW_CHILD == VG_OA_CHILD &&
		       VIGIL_KALLOW_DESC == VG_OA_DESC,
	       "enum vigil_kallow_path is VG_OA_*");
_Static_assert(VIGIL_KALLOW_OPEN == VG_KA_OPEN && VIGIL_KALLOW_NET == VG_KA_NET,
	       "VIGIL_KALLOW_* are VG_KA_*");

/* Deletes every key of one workload from a map whose keys start with the cgroup id. */
static int clear_keys(int fd, uint64_t cgroup_id, size_t key_size)
{
	unsigned char k[64], next[64];
	void *prev = NULL;
	uint64_t cg;

	if (key_size > sizeof(k))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(&cg, next, sizeof(cg));
		if (cg == cgroup_id) {
			if (bpf_map_delete_elem(fd, next) && errno != ENOENT)
				return -errno;
			prev = NULL; /* restart: deleting can reorder the walk */
			continue;
		}
		memcpy(k, next, key_size);
		prev = k;
	}
	return 0;
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
		err = clear_keys(bpf_map__fd(s->skel->maps.openallow), cgroup_id,
				 sizeof(struct vg_open_key));
	if (!err)
		err = clear_keys(bpf_map__fd(s->skel->maps.netallow), cgroup_id,
				 sizeof(struct vg_net_key));
	return err;
}

/* Adds a flag set to an entry: a set within one already there adds nothing; past VG_OA_SETS
 * sets the new one is left out (its opens are then judged in user space). */
static void add_set(struct vg_open_allow *v, uint64_t flags, bool any)
{
	if (any) {
		v->any = 1;
		return;
	}
	for (int i = 0; i < v->n; i++) {
		if (!(flags & ~v->sets[i]))
			return;
		if (!(v->sets[i] & ~flags)) { /* the new set is wider: it replaces this one */
			v->sets[i] = flags;
			return;
		}
	}
	if (v->n < VG_OA_SETS)
		v->sets[v->n++] = flags;
}

int vigil_sensor__kallow_open(struct vigil_sensor *s, uint64_t cgroup_id, const char *path,
			      int kind, uint64_t flags, bool any)
{
	int fd = bpf_map__fd(s->skel->maps.openallow);
	struct vg_open_key k = { .cgroup_id = cgroup_id, .kind = (uint32_t)kind };
	struct vg_open_allow v;

	if (kind < VG_OA_FILE || kind > VG_OA_DESC || !path || path[0] != '/')
		return -EINVAL;
	k.hash = vigil_sensor__path_hash(path);
	if (bpf_map_lookup_elem(fd, &k, &v))
		memset(&v, 0, sizeof(v));
	add_set(&v, flags, any);
	if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
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
};

/* A full map leaves the entry out, which is safe (its events are judged in user space). */
static int loaded(int err)
{
	return err == -E2BIG || err == -ENOMEM ? 0 : err;
}

static int load_open(const char *path, enum vigil_kallow_path kind, uint64_t flags, bool any,
		     void *arg)
{
	struct load *l = arg;

	return loaded(vigil_sensor__kallow_open(l->s, l->cg, path, kind, flags, any));
}

static int load_peer(int family, const uint8_t addr[16], uint8_t proto, uint16_t port, void *arg)
{
	struct load *l = arg;

	return loaded(vigil_sensor__kallow_peer(l->s, l->cg, family, addr, proto, port));
}

int vigil_sensor__load_kallow(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_profile *p, const char *container,
			      struct vigil_kallow_count *ret)
{
	static const struct vigil_kallow_visit visit = { load_open, load_peer };
	struct load l = { s, cgroup_id };
	int err;

	err = vigil_sensor__clear_kallow(s, cgroup_id);
	if (!err)
		err = vigil_profile__kernel_allow(p, container, &visit, &l, ret);
	if (!err)
		err = vigil_sensor__set_kallow(s, cgroup_id, VIGIL_KALLOW_OPEN | VIGIL_KALLOW_NET);
	if (err)
		vigil_sensor__clear_kallow(s, cgroup_id); /* a part loaded is not turned on */
	return err;
}
