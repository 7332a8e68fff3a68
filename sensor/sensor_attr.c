// SPDX-License-Identifier: Apache-2.0
/*
 * SETID and ERASE records (bpf/setid.bpf.c, bpf/erase.bpf.c) into the event's attr members:
 * the call by its name, the mode asked for, and what the file is. A chmod by path leaves the
 * kernel without the file: its type is read here, through the process's root
 * (/proc/PID/root, its mount namespace's view), while the process lives; a setgid directory
 * (group inheritance, common and harmless) is then told from a setgid program. A process
 * already gone, or a replay (offline), leaves the type unknown (0).
 */
#include <stdio.h>
#include <sys/stat.h>

#include "sensor/sensor_state.h"
#include "vigil/sensor.h"

void sensor_decode_attr(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	const char *call;
	char file[PATH_MAX + 32];
	struct stat st;

	if (e->kind == VG_EV_ERASE) {
		ev->attr.ret = (int32_t)e->arg[0];
		call = vigil_syscall_name((int)e->arg[1]);
	} else {
		ev->attr.mode = (uint32_t)e->arg[0];
		ev->attr.ret = (int32_t)e->arg[1];
		call = vigil_syscall_name((int)e->arg[2]);
		ev->attr.file_mode = (uint32_t)e->arg[3];
		ev->attr.file_type = (uint32_t)e->arg[4];
		if (!ev->attr.file_type && !s->offline && e->pid && ev->attr.path && ev->attr.path[0] == '/' &&
		    snprintf(file, sizeof(file), "/proc/%u/root%s", e->pid, ev->attr.path) <
			    (int)sizeof(file) &&
		    !lstat(file, &st))
			ev->attr.file_type = st.st_mode & S_IFMT;
	}
	ev->attr.call = call ? call : "";
}
