// SPDX-License-Identifier: Apache-2.0
/*
 * Which network namespace is a workload's (the kernel map netns_wl): a TCP connection opened in
 * a workload's namespace by a process outside every workload (a port forward, nsenter --net) is
 * the workload's NETNS_CONNECT record. The kernel notes a namespace at each exec of a workload's
 * process; user space notes those of processes that ran before the sensor, and removes a
 * workload's entries when it stops being watched (a namespace's inode number is reused once
 * the namespace is freed: a stale entry would blame the wrong workload).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil.skel.h"

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

int vigil_sensor__note_netns(struct vigil_sensor *s, uint64_t cgroup_id, int pid)
{
	char p[24];
	uint32_t ns;

	if (s->offline || !s->skel)
		return 0;
	snprintf(p, sizeof(p), "%d", pid);
	ns = netns_of(p);
	if (!ns)
		return -ESRCH;
	if (ns == s->skel->rodata->cfg_host_netns)
		return 0; /* host network: every host connection would be the workload's */
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.netns_wl), &ns, &cgroup_id, BPF_ANY))
		return -errno;
	return 1;
}

void sensor_forget_netns(struct vigil_sensor *s, uint64_t cgroup_id)
{
	uint32_t key, next, gone[64];
	uint64_t cg;
	size_t n = 0;
	int fd, r;

	if (s->offline || !s->skel)
		return;
	fd = bpf_map__fd(s->skel->maps.netns_wl);
	/* a small map (one entry per pod network): collect, then delete, so the walk is not
	 * restarted by its own deletions */
	for (r = bpf_map_get_next_key(fd, NULL, &next); !r;
	     r = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &cg) && cg == cgroup_id &&
		    n < sizeof(gone) / sizeof(gone[0]))
			gone[n++] = key;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &gone[i]);
}
