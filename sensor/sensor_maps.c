// SPDX-License-Identifier: Apache-2.0
/*
 * The sensor's control maps: the monitored set (watched / excluded cgroups, with the
 * generation that makes the kernel decide again), syscall allow sets and the learned sets,
 * io_uring opcodes, the zoom flag and its capture state, and de-duplication resets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "sensor/zoom_capture.h"
#include "vigil.skel.h"

/*
 * After a change of the monitored set (the map update is done): every cached decision with an
 * older generation is made again, so no stale one survives a race with a hook.
 */
static void verdicts_changed(struct vigil_sensor *s)
{
	__atomic_add_fetch(&s->skel->bss->verdict_gen, 1, __ATOMIC_SEQ_CST);
}

/* The kernel's per-CPU quiet syscall sets were built from the old allow sets. */
static void syscalls_changed(struct vigil_sensor *s)
{
	__atomic_add_fetch(&s->skel->bss->syscall_gen, 1, __ATOMIC_SEQ_CST);
}

int vigil_sensor__watch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	uint8_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.watched), &cgroup_id, &one, BPF_ANY))
		return -errno;
	verdicts_changed(s);
	return 0;
}

int vigil_sensor__unwatch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	if (bpf_map_delete_elem(bpf_map__fd(s->skel->maps.watched), &cgroup_id) && errno != ENOENT)
		return -errno;
	verdicts_changed(s);
	sensor_forget_netns(s, cgroup_id);
	/* its entry (path, name, container id: ~1 KiB) goes too, or churn fills the table */
	vigil_workload_table__remove(s->wls, cgroup_id);
	return 0;
}

/* Its cgroup is gone: no path was found when the entry was made, or the path is no more. */
static bool cgroup_gone(const struct vigil_workload_entry *w, void *ctx)
{
	const struct vigil_sensor *s = ctx;
	struct stat st;

	if (!w->path[0] || w->path[0] != '/')
		return true;
	if (!w->path[1])
		return false; /* the root */
	return fstatat(s->cg2_fd, w->path + 1, &st, 0) < 0 && errno == ENOENT;
}

size_t vigil_sensor__forget_gone_workloads(struct vigil_sensor *s)
{
	if (s->offline || s->cg2_fd < 0)
		return 0;
	/* their network namespaces too: an inode number is reused once a namespace is freed */
	sensor_forget_gone_netns(s);
	return vigil_workload_table__prune(s->wls, cgroup_gone, s);
}

int vigil_sensor__exclude_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	uint8_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.excluded), &cgroup_id, &one, BPF_ANY))
		return -errno;
	verdicts_changed(s);
	return 0;
}

int vigil_sensor__cgroup_id(const char *cgroup_path, uint64_t *ret_id)
{
	char root[PATH_MAX], full[PATH_MAX * 2];
	struct stat st;
	int r;

	if (cgroup_path[0] == '/' && !stat(cgroup_path, &st) && S_ISDIR(st.st_mode) &&
	    strncmp(cgroup_path, "/sys/fs/cgroup", 14) == 0) {
		*ret_id = st.st_ino;
		return 0;
	}
	r = sensor_find_cgroup2(root, sizeof(root));
	if (r)
		return r;
	snprintf(full, sizeof(full), "%s/%s", root,
		 cgroup_path[0] == '/' ? cgroup_path + 1 : cgroup_path);
	if (stat(full, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret_id = st.st_ino;
	return 0;
}

int vigil_sensor__set_syscall_allow(struct vigil_sensor *s, uint64_t cgroup_id,
				    const uint64_t *bitmap, size_t nbits)
{
	struct vg_bitmap b;

	memset(&b, 0, sizeof(b));
	if (bitmap) {
		size_t words = (nbits + 63) / 64;

		if (words > VG_BITMAP_WORDS)
			words = VG_BITMAP_WORDS;
		memcpy(b.w, bitmap, words * sizeof(uint64_t));
		if (nbits % 64 && words * 64 == ((nbits + 63) / 64) * 64 && words)
			b.w[words - 1] &= (nbits % 64) ? (1ull << (nbits % 64)) - 1 : ~0ull;
	} else {
		if (bpf_map_delete_elem(bpf_map__fd(s->skel->maps.sysallow), &cgroup_id) &&
		    errno != ENOENT)
			return -errno;
		syscalls_changed(s);
		return 0;
	}
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.sysallow), &cgroup_id, &b, BPF_ANY))
		return -errno;
	syscalls_changed(s);
	return 0;
}

int vigil_sensor__syscalls(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t *bitmap,
			   size_t nbits)
{
	struct vg_bitmap b;
	size_t words = (nbits + 63) / 64;

	memset(bitmap, 0, words * sizeof(uint64_t));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.sysbits), &cgroup_id, &b))
		return errno == ENOENT ? 0 : -errno;
	if (words > VG_BITMAP_WORDS)
		words = VG_BITMAP_WORDS;
	memcpy(bitmap, b.w, words * sizeof(uint64_t));
	return 0;
}

int vigil_sensor__iouring_ops(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t bitmap[4])
{
	struct vg_uring_ops o;

	memset(bitmap, 0, 4 * sizeof(uint64_t));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.uringops), &cgroup_id, &o))
		return errno == ENOENT ? 0 : -errno;
	memcpy(bitmap, o.w, sizeof(o.w));
	return 0;
}

int vigil_sensor__set_zoom(struct vigil_sensor *s, uint64_t cgroup_id, bool on)
{
	uint8_t one = 1;
	int fd = bpf_map__fd(s->skel->maps.zoom), r;

	if (on ? bpf_map_update_elem(fd, &cgroup_id, &one, BPF_ANY)
	       : (bpf_map_delete_elem(fd, &cgroup_id) && errno != ENOENT))
		return -errno;
	if (!on) {
		/* the next incident gets a fresh capture budget */
		vigil_zoom_capture__reset(bpf_map__fd(s->skel->maps.zbudget), cgroup_id);
		/* and the workload's deeds are news again: what was de-duplicated before the
		 * incident opened (its first alert's key) would otherwise stay suppressed in the
		 * kernel for as long as the LRU keeps it, and the same misbehaviour after the
		 * incident closed would raise nothing (the cooldown judges repeats in user space) */
		vigil_sensor__reset_dedup(s, cgroup_id);
	}
	r = vigil_zoom_capture__refresh_active(fd, bpf_map__fd(s->skel->maps.zactive));
	/* after the map: the TLS probes follow what is zoomed now */
	sensor_tls_zoom(s, cgroup_id, on);
	return r;
}

int vigil_sensor__zoom_counters(struct vigil_sensor *s, struct vigil_zoom_counters *ret)
{
	struct sensor_tls_stats ts;
	int r = vigil_zoom_capture__counters(bpf_map__fd(s->skel->maps.zcounters), ret);

	sensor_tls_stats(s->tls, &ts);
	ret->tls_files = ts.files;
	ret->tls_links = ts.links;
	ret->tls_attach_failed = ts.attach_failed;
	return r;
}

int vigil_sensor__reset_dedup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	int fd = bpf_map__fd(s->skel->maps.dedup);
	struct vg_dedup_key k, next;
	void *prev = NULL;

	/* walk the LRU and delete this workload's keys (restart after each delete) */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (next.cgroup_id == cgroup_id) {
			bpf_map_delete_elem(fd, &next);
			continue;
		}
		k = next;
		prev = &k;
	}
	return 0;
}
