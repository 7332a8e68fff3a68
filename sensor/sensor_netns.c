// SPDX-License-Identifier: Apache-2.0
/*
 * Which network namespace is a workload's (the kernel map netns_wl): a TCP connection opened in
 * a workload's namespace by a process outside every workload (a port forward, nsenter --net) is
 * the workload's NETNS_CONNECT record. The kernel notes a namespace at each exec of a workload's
 * process; user space notes those of processes that ran before the sensor, and removes a
 * workload's entries when it stops being watched, or its namespace is gone
 * (sensor_netns_live.c). A namespace is named by its cookie (NS_GET_ID on its nsfs file), which
 * the kernel never reuses, as it does an inode number.
 *
 * The map cannot be filled (bpf/maps.bpf.h): the kernel notes at most VG_NETNS_PER_WL
 * namespaces per cgroup, for at most VG_NETNS_OWNERS cgroups (netns_own), and user space has
 * VG_NETNS_AGENT entries of its own. Those are reserved rather than taken from the workload's
 * kernel notes: a scanned container's note must succeed even when other cgroups made the
 * kernel's share full, which evicting the container's own notes could not give. Each entry is
 * indexed by its owner (netns_own for the kernel's, netns_notes here for user space's): an
 * unwatch removes its workload's few entries without walking the map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil.skel.h"

/* NS_GET_ID (linux/nsfs.h, 6.18; older headers lack it): a namespace's 64-bit id, which for
 * a network namespace is its cookie */
#define NS_GET_ID_	 _IOR(0xb7, 0xd, uint64_t)
#define SO_NETNS_COOKIE_ 71

/* A kernel without NS_GET_ID: a thread of its own joins the namespace and asks a socket made
 * there (SO_NETNS_COOKIE, 5.14). */
static void *cookie_in(void *arg)
{
	int *fd = arg, so;
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (setns(*fd, CLONE_NEWNET))
		return NULL;
	so = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (so >= 0 && getsockopt(so, SOL_SOCKET, SO_NETNS_COOKIE_, &c, &len))
		c = 0;
	if (so >= 0)
		close(so);
	*fd = -1;
	return (void *)(uintptr_t)c;
}

uint64_t sensor_netns_cookie(const char *proc_pid)
{
	char path[64];
	uint64_t c = 0;
	pthread_t t;
	void *r = NULL;
	int fd, arg;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", proc_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ioctl(fd, NS_GET_ID_, &c) < 0) {
		c = 0;
		arg = fd;
		if (!pthread_create(&t, NULL, cookie_in, &arg) && !pthread_join(t, &r))
			c = (uint64_t)(uintptr_t)r;
	}
	close(fd);
	return c;
}

static uint32_t netns_of(const char *proc_pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", proc_pid);
	return stat(path, &st) ? 0 : (uint32_t)st.st_ino;
}

uint32_t sensor_host_netns(void)
{
	/* the agent runs with the host's pid namespace: pid 1 is the host's init (and a sensor
	 * in a container of its own sees its own namespace there, which then is the host's
	 * for it: nothing it watches shares it) */
	uint32_t ns = netns_of("1");

	return ns ? ns : netns_of("self");
}

/* Remembers a note of user space (its own entries are bounded: VG_NETNS_AGENT). */
static int remember(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t ns)
{
	for (size_t i = 0; i < s->nnetns_notes; i++)
		if (s->netns_notes[i].cgroup_id == cgroup_id && s->netns_notes[i].ns == ns)
			return 0;
	if (s->nnetns_notes == VG_NETNS_AGENT)
		return -ENOSPC;
	if (s->nnetns_notes == s->netns_notes_cap) {
		size_t cap = s->netns_notes_cap ? s->netns_notes_cap * 2 : 64;
		struct sensor_netns_note *n = realloc(s->netns_notes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->netns_notes = n;
		s->netns_notes_cap = cap;
	}
	s->netns_notes[s->nnetns_notes++] = (struct sensor_netns_note){ cgroup_id, ns };
	return 0;
}

int vigil_sensor__note_netns(struct vigil_sensor *s, uint64_t cgroup_id, int pid)
{
	char p[24];
	uint32_t ino;
	uint64_t ns;
	int r;

	if (s->offline || !s->skel)
		return 0;
	snprintf(p, sizeof(p), "%d", pid);
	ino = netns_of(p);
	if (!ino)
		return -ESRCH;
	if (ino == s->skel->rodata->cfg_host_netns)
		return 0; /* host network: every host connection would be the workload's */
	ns = sensor_netns_cookie(p);
	if (!ns)
		return -ESRCH;
	r = remember(s, cgroup_id, ns);
	if (!r &&
	    bpf_map_update_elem(bpf_map__fd(s->skel->maps.netns_wl), &ns, &cgroup_id, BPF_ANY))
		r = -errno;
	if (r) {
		/* not silent: a table drop, as the kernel's refused notes (V0002) */
		s->netns_refused++;
		return r;
	}
	return 1;
}

/* Removes ns's entry if it still names the cgroup (another may have replaced it since). */
void sensor_forget_netns_one(int fd, uint64_t ns, uint64_t cgroup_id)
{
	uint64_t cg;

	if (!bpf_map_lookup_elem(fd, &ns, &cg) && cg == cgroup_id)
		bpf_map_delete_elem(fd, &ns);
}

void sensor_forget_netns(struct vigil_sensor *s, uint64_t cgroup_id)
{
	int fd, own;
	struct vg_netns_own o;
	size_t keep = 0;

	if (s->offline || !s->skel)
		return;
	fd = bpf_map__fd(s->skel->maps.netns_wl);
	own = bpf_map__fd(s->skel->maps.netns_own);
	if (!bpf_map_lookup_elem(own, &cgroup_id, &o)) {
		for (size_t i = 0; i < VG_NETNS_PER_WL; i++)
			if (o.ns[i])
				sensor_forget_netns_one(fd, o.ns[i], cgroup_id);
		bpf_map_delete_elem(own, &cgroup_id);
	}
	for (size_t i = 0; i < s->nnetns_notes; i++) {
		if (s->netns_notes[i].cgroup_id == cgroup_id)
			sensor_forget_netns_one(fd, s->netns_notes[i].ns, cgroup_id);
		else
			s->netns_notes[keep++] = s->netns_notes[i];
	}
	s->nnetns_notes = keep;
}

/* The cgroup no longer exists: its id (the kernfs node's) no longer opens. Any other failure
 * (no cgroup2 descriptor, no permission) keeps it: a live workload's entry is never lost. */
static bool cgroup_gone(const struct vigil_sensor *s, uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	int fd;

	if (s->cg2_fd < 0 || id == 1)
		return false;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(s->cg2_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == ESTALE || errno == ENOENT;
}

size_t sensor_forget_gone_netns(struct vigil_sensor *s)
{
	uint64_t key, next, *gone;
	size_t n = 0;
	int own, r;

	if (s->offline || !s->skel)
		return 0;
	own = bpf_map__fd(s->skel->maps.netns_own);
	gone = calloc(VG_NETNS_OWNERS, sizeof(*gone));
	if (!gone)
		return 0;
	/* collect, then forget: the walk is not restarted by its own deletions (netns_own holds
	 * at most VG_NETNS_OWNERS cgroups) */
	for (r = bpf_map_get_next_key(own, NULL, &next); !r && n < VG_NETNS_OWNERS;
	     r = bpf_map_get_next_key(own, &key, &next)) {
		key = next;
		if (cgroup_gone(s, key))
			gone[n++] = key;
	}
	for (size_t i = 0; i < n; i++)
		sensor_forget_netns(s, gone[i]);
	free(gone);
	return n;
}

void sensor_netns_tick(struct vigil_sensor *s)
{
	uint64_t now = sensor_now_ns(CLOCK_MONOTONIC);

	if (now - s->netns_pruned_ns < SENSOR_NETNS_PRUNE_S * 1000000000ull)
		return;
	s->netns_pruned_ns = now;
	sensor_forget_gone_netns(s);
	sensor_forget_freed_netns(s);
}
