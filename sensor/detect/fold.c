// SPDX-License-Identifier: Apache-2.0
/*
 * One dropped file, one R1001. A dropped ELF run through the dynamic loader (`ld.so ./x`) is
 * seen twice: the exec (user space finds the file the loader runs) and the loader mapping the
 * same file executable (mmap_exec). The exec's R1001 is noted for its process; an mmap_exec
 * R1001 of that very file by that process, after that exec and before its next one, is the
 * same deed and is folded into it. A mapping with no such exec alert (dlopen of a dropped
 * library, or an exec that raised nothing) still raises its own.
 *
 * "That very file" is its path and its version: the time of its last write as the kernel
 * marked it (map written, by the file's identity), which both records carry. A file the
 * process replaced at the same path after the exec's alert, or wrote again in place, and then
 * mapped, is another version: its own alert. Not the inode number: the exec's is the one the
 * kernel ran (an overlay's, in a container) while the mapping's is the real file's, which
 * would never match in a container; and an in-place rewrite keeps the inode.
 *
 * A direct-mapped table by process (workload, pid, start time): a collision forgets the older
 * note, which can only cost a second alert, never lose one.
 */
#include <stdlib.h>
#include <string.h>

#include "detect_internal.h"

static struct fold_note *slot(const struct raise *r)
{
	const struct vigil_process *p = r->ev->proc;
	uint64_t h = ((uint64_t)p->pid * 0x9e3779b97f4a7c15ull) ^ p->start_ns ^
		     (r->b->cgroup_id * 0xff51afd7ed558ccdull);

	return &r->d->fold[(h ^ (h >> 29)) % FOLD_SLOTS];
}

static bool same_process(const struct fold_note *n, const struct raise *r)
{
	const struct vigil_process *p = r->ev->proc;

	return n->file && n->cgroup_id == r->b->cgroup_id && n->pid == p->pid &&
	       n->start_ns == p->start_ns;
}

void detect_fold_exec(struct raise *r, const char *file)
{
	const struct vigil_event *ev = r->ev;
	struct fold_note *n;

	if (!ev->proc)
		return;
	n = slot(r);
	if (!file) {
		/* a new exec of the process: what an earlier one ran is no longer its program */
		if (same_process(n, r)) {
			free(n->file);
			n->file = NULL;
		}
		return;
	}
	free(n->file);
	n->file = strdup(file); /* out of memory: no note, a second alert at most */
	n->written_ns = ev->exec.written_ns;
	n->cgroup_id = r->b->cgroup_id;
	n->pid = ev->proc->pid;
	n->start_ns = ev->proc->start_ns;
}

bool detect_fold_mapped(struct raise *r, const char *file)
{
	const struct vigil_event *ev = r->ev;
	const struct fold_note *n;

	if (!ev->proc || !file || !file[0])
		return false;
	n = slot(r);
	return same_process(n, r) && n->written_ns == ev->exec.written_ns && !strcmp(n->file, file);
}

void detect_fold_free(struct vigil_detector *d)
{
	for (size_t i = 0; i < FOLD_SLOTS; i++) {
		free(d->fold[i].file);
		d->fold[i].file = NULL;
	}
}
