// SPDX-License-Identifier: Apache-2.0
/*
 * Enforcement's kernel state (bpf/enforce.bpf.h): per workload its rules and mode (map
 * enforce) and the exec paths it may run (map execallow, keyed by the hash of the path as the
 * kernel's path walk writes it), and the node-wide switch (enforce_off in .bss).
 *
 * The exec allow set is keyed by (cgroup id, path hash) so one map serves every workload and a
 * lookup costs one hash probe; issue 16's per-workload allow sets for detection can use the
 * same map and hash (vigil_sensor__allow_exec) instead of a second copy.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil.skel.h"

#define DEFAULT_MAX_KILLS 10
#define DEFAULT_WINDOW_NS (60ull * 1000000000ull)

/* FNV-1a over little-endian words of the first VG_PATH_HASH_MAX bytes, then the length. */
static uint64_t hash_leaf_first(const unsigned char *b, size_t len)
{
	uint64_t h = VG_FNV_OFFSET;

	for (size_t at = 0; at < len && at < VG_PATH_HASH_MAX; at += 8) {
		uint64_t w = 0;
		size_t n = len - at < 8 ? len - at : 8;

		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)b[at + i] << (8 * i);
		h = (h ^ w) * VG_FNV_PRIME;
	}
	return (h ^ (uint64_t)len) * VG_FNV_PRIME;
}

uint64_t vigil_sensor__path_hash(const char *path)
{
	unsigned char buf[VG_DATA_MAX];
	size_t len = 0, end;

	if (!path || path[0] != '/')
		return 0;
	/* components from the leaf up, each NUL-terminated, as the kernel's walk writes them */
	end = strlen(path);
	while (end > 0) {
		size_t start = end;

		while (start > 0 && path[start - 1] != '/')
			start--;
		if (end > start) {
			if (len + (end - start) + 1 > sizeof(buf))
				return 0;
			memcpy(buf + len, path + start, end - start);
			len += end - start;
			buf[len++] = '\0';
		}
		end = start ? start - 1 : 0;
	}
	return hash_leaf_first(buf, len);
}

int vigil_sensor__allow_exec(struct vigil_sensor *s, uint64_t cgroup_id, const char *path)
{
	struct vg_exec_key k = { .cgroup_id = cgroup_id, .hash = vigil_sensor__path_hash(path) };
	uint8_t one = 1;

	if (!k.hash)
		return -EINVAL;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.execallow), &k, &one, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * The cgroup socket hooks that refuse a forbidden connect or datagram before it is sent
 * (bpf/enforce.bpf.c), on the cgroup2 root so they see every workload; they let everything
 * through for a workload that does not enforce R0011.
 */
static int attach_egress(struct vigil_sensor *s)
{
	struct bpf_program *progs[4] = { s->skel->progs.vg_enf_connect4,
					 s->skel->progs.vg_enf_connect6,
					 s->skel->progs.vg_enf_sendmsg4,
					 s->skel->progs.vg_enf_sendmsg6 };

	for (int i = 0; i < 4; i++) {
		int l;

		if (s->egress_links[i] >= 0)
			continue;
		l = sensor_attach_cgroup(s, progs[i], s->cg2_fd);
		if (l < 0)
			return l;
		s->egress_links[i] = l;
	}
	return 0;
}

/* Removes every allow-set entry of the workload. */
static int clear_allow(struct vigil_sensor *s, uint64_t cgroup_id)
{
	int fd = bpf_map__fd(s->skel->maps.execallow);
	struct vg_exec_key k, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		if (k.cgroup_id == cgroup_id) {
			if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
				return -errno;
			prev = NULL; /* restart: deleting can reorder the walk */
			continue;
		}
		prev = &k;
	}
	return 0;
}

int vigil_sensor__set_enforce(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_enforce *enf)
{
	int fd = bpf_map__fd(s->skel->maps.enforce), err;
	struct vg_enforce v;

	if (!enf) {
		if (bpf_map_delete_elem(fd, &cgroup_id) && errno != ENOENT)
			return -errno;
		sensor_root_idents_forget(s, cgroup_id);
		return clear_allow(s, cgroup_id);
	}
	memset(&v, 0, sizeof(v));
	v.rules = enf->rules;
	v.mode = enf->kill ? VG_ENF_KILL : VG_ENF_DRY_RUN;
	v.max_kills = enf->max_kills ? enf->max_kills : DEFAULT_MAX_KILLS;
	v.window_ns = enf->window_ns ? enf->window_ns : DEFAULT_WINDOW_NS;
	memcpy(v.uring_allow, enf->uring_allow, sizeof(v.uring_allow));
	if ((enf->rules & VIGIL_ENFORCE_OPENS) && (err = sensor_sensitive_load(s)) < 0)
		return err;
	if ((enf->rules & VIGIL_ENFORCE_EGRESS) && (err = attach_egress(s)) < 0)
		return err;
	if (bpf_map_update_elem(fd, &cgroup_id, &v, BPF_ANY))
		return -errno;
	/* from now on an enforcing workload's opens are compared by identity (never cleared:
	 * one lookup per open where some workload enforces R0010 or R0006) */
	if (enf->rules & VIGIL_ENFORCE_OPENS)
		__atomic_store_n(&s->skel->bss->enforce_idents, 1u, __ATOMIC_SEQ_CST);
	/* likewise a datagram on a connected socket is judged from the socket's peer (never
	 * cleared: one flag test per write() where some workload enforces R0011) */
	if (enf->rules & VIGIL_ENFORCE_EGRESS)
		__atomic_store_n(&s->skel->bss->enforce_egress, 1u, __ATOMIC_SEQ_CST);
	/* a file reported before is a repeat in the kernel, skipped before the open rules */
	if (enf->rules & VIGIL_ENFORCE_OPENS)
		vigil_sensor__reset_dedup(s, cgroup_id);
	return 0;
}

uint32_t vigil_sensor__enforce_rule(const char *rule_id)
{
	static const struct {
		const char *id;
		uint32_t bit;
	} rules[] = {
		{ "R0001", VIGIL_ENFORCE_EXEC },      { "R1000", VIGIL_ENFORCE_DEVSHM },
		{ "R1001", VIGIL_ENFORCE_UPPER },     { "R1005", VIGIL_ENFORCE_MEMFD },
		{ "R0010", VIGIL_ENFORCE_SENSITIVE }, { "R0006", VIGIL_ENFORCE_TOKEN },
		{ "R0011", VIGIL_ENFORCE_EGRESS },    { "R1030", VIGIL_ENFORCE_IOURING },
	};

	for (size_t i = 0; rule_id && i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rule_id, rules[i].id))
			return rules[i].bit;
	return 0;
}

int vigil_sensor__set_enforce_off(struct vigil_sensor *s, bool off)
{
	__atomic_store_n(&s->skel->bss->enforce_off, off ? 1u : 0u, __ATOMIC_SEQ_CST);
	return 0;
}
