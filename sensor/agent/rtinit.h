/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container runtime's own start-up inside a container's cgroup (docs/KUBERNETES.md §4):
 * runc's init process joins the cgroup, sets up namespaces, mounts, capabilities and
 * credentials, then execs the entrypoint (runc create) or the command (runc exec). That work is
 * the runtime's, not the workload's: it is neither learned nor checked.
 *
 * Which processes: those that appeared in the cgroup from outside (neither exec'd there, nor
 * forked there by, nor children of, a process of the workload while the agent watched it) and
 * are runc ("exe", "runc", "runc:[...]"), including runc's re-exec of its own copy; the first
 * other exec is the workload's first instruction.
 * A process of the workload that renames itself so is still the workload's: it was exec'd
 * inside, or its parent is the workload's (runc's init has its parent outside the container;
 * a child's FORK may never come, forks being de-duplicated in the kernel). A workload met after
 * its start (older than the agent, or found by a scan while runc was still starting it) begins
 * with the processes in its cgroup at that moment, runc's excepted: named so AND running the
 * node's runtime binary (agent_rtinit__seed); with more living processes than the table holds
 * the filter turns itself off (everything is checked).
 */
#ifndef VIGIL_AGENT_RTINIT_H
#define VIGIL_AGENT_RTINIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil/event.h"

#define AGENT_RTINIT_PIDS 512

struct agent_rtinit {
	uint32_t native[AGENT_RTINIT_PIDS]; /* living pids born or exec'd in the workload */
	uint32_t n;
	bool off; /* table overflowed, or a late-met workload's cgroup could not be read */
	uint64_t skipped;
};

/* Accounts for ev and tells whether it is the runtime's start-up (true: ignore it). */
bool agent_rtinit__skip(struct agent_rtinit *r, const struct vigil_event *ev);

/*
 * A workload met after its start: the processes listed in procs (its cgroup's cgroup.procs)
 * are its own, except those whose comm (read under proc, "/proc") is the runtime's and whose
 * exe is the node's runc or crun (the file, under proc's pid 1 root or /, or a byte-for-byte
 * copy of it in a memfd; never a path, which the workload can choose): runc's init still on its way to the
 * entrypoint or to an exec'd command (a renamed process of the workload runs its own binary).
 * Returns how many were taken, or -errno when procs cannot be read (the filter is then off:
 * everything checked).
 */
int agent_rtinit__seed(struct agent_rtinit *r, const char *procs, const char *proc);

#endif
