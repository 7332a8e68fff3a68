// SPDX-License-Identifier: Apache-2.0
/*
 * The host's namespaces, one inode number per type (the kernel's cfg_host_ns): a workload's
 * setns that lands in one of them is V1105's (bpf/nsjoin.bpf.c). They are pid 1's: the agent
 * runs in the host's pid namespace, where pid 1 is the host's init (a sensor in a pid
 * namespace of its own sees its own init there, and the host is then out of its sight).
 * pid 1's hidden (not dumpable): the sensor's own, as sensor_host_netns.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "sensor/sensor_state.h"

void sensor_host_ns(uint32_t ino[VG_NS_TYPES])
{
	/* in enum vg_ns_type order; pid_for_children is what setns(CLONE_NEWPID) changes */
	static const char *const names[VG_NS_TYPES] = {
		[VG_NS_MNT] = "mnt",   [VG_NS_UTS] = "uts", [VG_NS_IPC] = "ipc",
		[VG_NS_PID] = "pid",   [VG_NS_NET] = "net", [VG_NS_CGROUP] = "cgroup",
		[VG_NS_USER] = "user",
	};
	char path[64];
	struct stat st;

	/* pid 1's, or the sensor's own when pid 1's are hidden from it (a sandbox whose init
	 * is not dumpable; sensor_host_netns does the same) */
	for (int i = 0; i < VG_NS_TYPES; i++) {
		snprintf(path, sizeof(path), "/proc/1/ns/%s", names[i]);
		if (stat(path, &st)) {
			snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
			if (stat(path, &st))
				st.st_ino = 0;
		}
		ino[i] = (uint32_t)st.st_ino;
	}
}
