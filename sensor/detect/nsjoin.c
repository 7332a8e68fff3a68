// SPDX-License-Identifier: Apache-2.0
/*
 * V1105: a workload's process that setns(2) took into one of the host's namespaces it was not
 * in (T1611: nsenter -t 1 -m -p from a privileged container, setns on /proc/1/ns/mnt, on a
 * pidfd of a host process). The kernel decides "the host's" (pid 1's namespaces, inode by
 * inode) and "it was not in" (the namespaces at the call against those after): joining one's
 * own namespaces, or a runtime's setns into a container, never sets ns_host. A profile cannot
 * allow it. Also a setns into another workload's network namespace (ns_other: the kernel knows
 * which workload's processes run in a network namespace, not who owns a mount or pid one).
 * A profile cannot allow it (Kubescape's ApplicationProfile has no field for namespaces; listing the setns
 * syscall only says the workload calls it): never learned, always raised.
 */
#include <stdio.h>

#include "sensor/detect/detect_internal.h"

/* the types of a CLONE_NEW* mask, as nsenter names them */
static void ns_names(uint32_t mask, char *out, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} types[] = {
		{ 0x00020000, "mnt" },	{ 0x04000000, "uts" }, { 0x08000000, "ipc" },
		{ 0x20000000, "pid" },	{ 0x40000000, "net" }, { 0x02000000, "cgroup" },
		{ 0x10000000, "user" },
	};
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && n < size; i++) {
		if (mask & types[i].bit)
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "",
					      types[i].name);
	}
}

int detect_eval_setns(struct raise *r, const char *comm)
{
	const struct vigil_event *ev = r->ev;
	char types[64], key[128];

	if (!ev->call.ns_host && ev->call.ns_other) {
		/* into another workload's network namespace (not the host's): lateral movement
		 * from one container to another's network, the escape's shape without the host */
		ns_names(ev->call.ns_other, types, sizeof(types));
		snprintf(key, sizeof(key), "%s\x1fother\x1f%s", comm, types);
		return detect_raise(
			r, VIGIL_V1105, key,
			"%s (pid %u) joined another workload's namespaces (%s; inode %llu) "
			"with setns",
			comm, ev->proc ? ev->proc->pid : 0u, types,
			(unsigned long long)ev->call.ns_ino);
	}
	if (!ev->call.ns_host)
		return 0;
	ns_names(ev->call.ns_host, types, sizeof(types));
	snprintf(key, sizeof(key), "%s\x1f%s", comm, types);
	return detect_raise(r, VIGIL_V1105, key,
			    "%s (pid %u) joined the host's namespaces (%s; inode %llu) with setns",
			    comm, ev->proc ? ev->proc->pid : 0u, types,
			    (unsigned long long)ev->call.ns_ino);
}
