// SPDX-License-Identifier: Apache-2.0
/*
 * V1106: a workload gives a file the setuid or setgid bit (T1548.001: a root shell kept as a
 * setuid copy, a binary dropped setuid for a later unprivileged user). Every spelling the
 * kernel has is a SETID record (bpf/setid.bpf.c: chmod and its variants, open with O_CREAT,
 * mknod; io_uring's OPENAT) and file capabilities, the same privilege by another name (a
 * setxattr of security.capability). Never learned and never allowed: an ApplicationProfile cannot say "this workload
 * makes setuid files" (it lists opens and syscalls, and allowing chmod allows every mode).
 * A directory is left out: its setgid bit makes new files take the directory's group (a
 * shared directory, harmless) and Linux ignores its setuid bit. An attempt the kernel refused
 * is still raised, with its error.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sensor/detect/detect_internal.h"

int detect_eval_setid(struct raise *r, const char *comm)
{
	const struct vigil_event *ev = r->ev;
	const char *path = ev->attr.path ? ev->attr.path : "";
	uint32_t bits = ev->attr.mode & (S_ISUID | S_ISGID);
	const char *call = ev->attr.call ? ev->attr.call : "";

	/* file capabilities (`setcap cap_setuid+ep`): the sensor reports a setxattr only for
	 * "security.capability" (bpf/setid.bpf.c); what the kernel grants at exec, as setuid */
	if (strstr(call, "setxattr") || strstr(call, "SETXATTR"))
		return detect_raise(r, VIGIL_V1106, path,
				    "file capabilities set on %s (security.capability) by %s with "
				    "%s%s",
				    path, comm, call, ev->attr.ret < 0 ? " (denied)" : "");

	/* the file as the kernel left it, where known: an open of a file that already existed
	 * ignored the mode, and setgid is dropped for a group the caller is not in */
	if (ev->attr.file_mode && ev->attr.ret >= 0)
		bits &= ev->attr.file_mode;
	if (!bits || (ev->attr.file_type && ev->attr.file_type != S_IFREG))
		return 0;
	return detect_raise(r, VIGIL_V1106, path, "%s%s bit set on %s (mode %04o) by %s with %s%s",
			    bits & S_ISUID ? "setuid" : "setgid",
			    bits == (S_ISUID | S_ISGID) ? " and setgid" : "", path,
			    ev->attr.mode & 07777, comm, ev->attr.call ? ev->attr.call : "?",
			    ev->attr.ret < 0 ? " (denied)" : "");
}
