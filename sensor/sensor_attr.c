// SPDX-License-Identifier: Apache-2.0
/*
 * SETID and ERASE records (bpf/setid.bpf.c, bpf/erase.bpf.c) into the event's attr members:
 * the call by its name, the mode asked for, and what the file is. A chmod by path leaves the
 * kernel without the file: its type is read here, through the process's root
 * (/proc/PID/root, its mount namespace's view), or its parent's; a setgid directory (group
 * inheritance, common and harmless) is then told from a setgid program. Both gone, or a
 * replay (offline), leave the type unknown (0): V1106 then raises.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "sensor/sensor_state.h"
#include "vigil/sensor.h"

/* The file's type through the root of the process, or of its parent while that is in the same
 * mount namespace (chmod is gone by now, the shell that ran it seldom is); 0 when neither. */
static uint32_t type_of(const struct vg_event *e, const char *path)
{
	const uint32_t pids[2] = { e->pid, e->ppid };
	char file[PATH_MAX + 32];
	struct stat st;

	for (int i = 0; i < 2; i++) {
		if (!pids[i])
			continue;
		snprintf(file, sizeof(file), "/proc/%u/ns/mnt", pids[i]);
		if (stat(file, &st) || (uint32_t)st.st_ino != e->mntns)
			continue;
		if (snprintf(file, sizeof(file), "/proc/%u/root%s", pids[i], path) <
			    (int)sizeof(file) &&
		    !lstat(file, &st))
			return st.st_mode & S_IFMT;
	}
	return 0;
}

void sensor_decode_attr(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	const char *call;

	if (e->kind == VG_EV_ERASE) {
		ev->attr.ret = (int32_t)e->arg[0];
		call = vigil_syscall_name((int)e->arg[1]);
	} else {
		ev->attr.mode = (uint32_t)e->arg[0];
		ev->attr.ret = (int32_t)e->arg[1];
		/* io_uring's open carries its opcode (bpf/uring.bpf.c uring_setid) */
		call = !(e->flags & VG_F_IOURING) ? vigil_syscall_name((int)e->arg[2])
		       : e->arg[5] == 1		  ? "io_uring SETXATTR"
		       : e->arg[5] == 2		  ? "io_uring FSETXATTR"
						  : "io_uring OPENAT";
		ev->attr.file_mode = (uint32_t)e->arg[3];
		ev->attr.file_type = (uint32_t)e->arg[4];
		if (!ev->attr.file_type && !s->offline && ev->attr.path && ev->attr.path[0] == '/')
			ev->attr.file_type = type_of(e, ev->attr.path);
	}
	ev->attr.call = call ? call : "";
}
