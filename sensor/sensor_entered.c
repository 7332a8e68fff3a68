// SPDX-License-Identifier: Apache-2.0
/*
 * Exec into a running container from outside (R2000): podman exec, runc exec, ctr task exec,
 * crictl exec and kubectl exec (through the kubelet's CRI call) all end in the runtime putting
 * a new process into the container's namespaces and cgroup. The kernel tells that it happened
 * and from which tool, captured at the exec (bpf/process.bpf.c: VG_EXEC_ENTERED, or
 * VG_EXEC_ENTERED_HOST for a container in the host's pid namespace; struct vg_entered in
 * sa[1]): the first ancestor past the runtime's own runc, conmon for podman, the containerd shim
 * for ctr and crictl, the shell or sudo for runc run by hand. Nothing is read from /proc: the
 * tool may be gone by the time the record is handled.
 */
#include <string.h>

#include "sensor/sensor_state.h"

void sensor_exec_entered(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	const struct vg_entered *en = (const struct vg_entered *)&e->sa[1];
	uint64_t bits = (uint64_t)e->arg[0];

	ev->exec.entered = bits & (VG_EXEC_ENTERED | VG_EXEC_ENTERED_HOST);
	ev->exec.entered_host_pid = bits & VG_EXEC_ENTERED_HOST;
	ev->exec.entered_by = NULL;
	ev->exec.entered_pid = 0;
	if (!ev->exec.entered)
		return;
	/* a comm is at most 15 bytes; the record's need not end in NUL */
	memcpy(s->entered_by, en->comm, sizeof(en->comm));
	s->entered_by[sizeof(s->entered_by) - 1] = '\0';
	ev->exec.entered_by = s->entered_by;
	ev->exec.entered_pid = en->tgid;
}
