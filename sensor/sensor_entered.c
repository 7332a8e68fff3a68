// SPDX-License-Identifier: Apache-2.0
/*
 * Exec into a running container from outside (R2000): podman exec, runc exec, ctr task exec,
 * crictl exec and kubectl exec (through the kubelet's CRI call) all end in the runtime putting
 * a new process into the container's namespaces and cgroup. The kernel tells that it happened
 * (VG_EXEC_ENTERED: the process was born into a pid namespace deeper than its parent's and is
 * not that namespace's pid 1, bpf/process.bpf.c); user space names the tool, walking the
 * parent's ancestry in /proc past the runtime's own runc: conmon for podman, the containerd
 * shim for ctr and crictl, the shell or sudo for runc run by hand. That walk is best effort
 * (a tool already gone leaves its name unknown); the fact itself is the kernel's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sensor/sensor_state.h"
#include "util/strutil.h"

/* The runtime's own processes between the tool and the new process. */
static bool runtime_comm(const char *comm)
{
	return !strncmp(comm, "runc", 4) || !strcmp(comm, "exe") || !strcmp(comm, "crun");
}

/* /proc/PID/stat's comm and parent; false when the process is gone or the file is odd. */
static bool proc_stat(uint32_t pid, char *comm, size_t len, uint32_t *ppid)
{
	char file[40], buf[512], *lp, *rp;
	unsigned int pp = 0;
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "/proc/%u/stat", pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')'); /* a comm may hold ')' itself: the last one closes it */
	if (!lp || !rp || rp < lp || sscanf(rp + 1, " %*c %u", &pp) != 1)
		return false;
	snprintf(comm, len, "%.*s", (int)(rp - lp - 1), lp + 1);
	*ppid = pp;
	return true;
}

void sensor_exec_entered(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	enum {
		MAX_UP = 8
	};
	uint32_t pid = e->ppid, up;
	char comm[16];

	ev->exec.entered = (uint64_t)e->arg[0] & VG_EXEC_ENTERED;
	ev->exec.entered_by = NULL;
	if (!ev->exec.entered)
		return;
	s->entered_by[0] = '\0';
	for (int i = 0; i < MAX_UP && pid > 0 && !s->offline; i++, pid = up) {
		if (!proc_stat(pid, comm, sizeof(comm), &up))
			break;
		if (!s->entered_by[0] || !runtime_comm(comm))
			vigil_strlcpy(s->entered_by, comm, sizeof(s->entered_by));
		if (!runtime_comm(comm))
			break;
	}
	ev->exec.entered_by = s->entered_by;
}
