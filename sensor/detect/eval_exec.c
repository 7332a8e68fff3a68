// SPDX-License-Identifier: Apache-2.0
/*
 * The rules of an exec and of code mapped executable: which program or library leaves the
 * bound profile, and as which rule (the most specific wins: a memfd exec is R1005, not R0001).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/exe_digest.h"
#include "vigil/profile.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void join_args(const struct vigil_process *p, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; p && p->argv && i < p->argc && off + 1 < size; i++) {
		int n = snprintf(buf + off, size - off, "%s%s", i ? " " : "",
				 p->argv[i] ? p->argv[i] : "");

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * Drop-and-execute: the file executed (or the script run) was written at run time. Written by
 * a monitored workload (the kernel's mark) it alerts unless the profile has both the exec and a
 * write of that very file; changed by someone the sensor did not see (only its ctime says so)
 * it alerts when the exec is not in the profile.
 */
static bool dropped_and_executed(const struct raise *r, enum vigil_match m)
{
	const struct vigil_event *ev = r->ev;
	const char *file = ev->exec.script ? ev->exec.script : ev->exec.path;
	bool written = ev->exec.script ? ev->exec.script_written : ev->exec.written;
	bool modified = ev->exec.script ? ev->exec.script_modified : ev->exec.modified;

	if (!file || !file[0])
		return false;
	if (written)
		return m != VIGIL_MATCH_YES || !detect_learned_write(r->b->m, file);
	return modified && m == VIGIL_MATCH_NO;
}

static int raise_dropped(struct raise *r, const char *path)
{
	const struct vigil_event *ev = r->ev;
	const char *file = ev->exec.script ? ev->exec.script : path;
	bool written = ev->exec.script ? ev->exec.script_written : ev->exec.written;
	char who[96] = "";
	int rc;

	if (written) {
		double ago = ev->time_ns > ev->exec.written_ns
				     ? (double)(ev->time_ns - ev->exec.written_ns) / 1e9
				     : 0.0;

		snprintf(who, sizeof(who), " by pid %u%s, %.1f s before", ev->exec.writer_pid,
			 r->w && ev->exec.writer_cgroup != r->w->cgroup_id ? " of another workload"
									   : "",
			 ago);
	}
	if (ev->exec.script)
		rc = detect_raise(r, VIGIL_R1001, file,
				  "drop and execute: script %s (run by %s) was %s at run time%s",
				  file, path, written ? "written" : "changed", who);
	else
		rc = detect_raise(r, VIGIL_R1001, file, "drop and execute: %s was %s at run time%s",
				  file, written ? "written" : "changed", who);
	/* the loader running it maps it next: the same deed (fold.c) */
	if (rc > 0)
		detect_fold_exec(r, file);
	return rc;
}

/*
 * An executable the profile pins (execDigests) whose content is none of its learned digests
 * is drift, however it was replaced (written in place, copied over, renamed into place). A
 * file that can no longer be read as it ran (gone, or changed again since) is not verified,
 * and raised as such: content that cannot be checked is not trusted.
 */
static int eval_exec_content(struct raise *r, const char *path)
{
	char hex[65], key[KEY_MAX];
	int err;

	if (vigil_matcher__exec_digest(r->b->m, path, NULL) == VIGIL_DIGEST_UNKNOWN)
		return 0;
	err = vigil_exe_digests__of(r->d->digests, r->ev, hex);
	if (err == -EINVAL)
		return 0; /* the record carries no identity (an offline or older source) */
	if (err) {
		snprintf(key, sizeof(key), "%s\x1funverified", path);
		return detect_raise(r, VIGIL_R1001, key,
				    "drifted process executed: the content of %s could not be read "
				    "to check it against the profile (%s)",
				    path, strerror(-err));
	}
	if (vigil_matcher__exec_digest(r->b->m, path, hex) == VIGIL_DIGEST_MATCH)
		return 0;
	snprintf(key, sizeof(key), "%s\x1fsha256:%s", path, hex);
	return detect_raise(r, VIGIL_R1001, key,
			    "drifted process executed: %s changed since the profile was learned "
			    "(sha256:%s is not a learned digest)",
			    path, hex);
}

/* The exec judged by the section of the program that started it (parent_exe). */
static enum vigil_match exec_by_section(const struct raise *r, const char *path, enum vigil_match m,
					const char **who)
{
	const struct vigil_process *p = r->ev->proc;
	const struct vigil_matcher *sec;
	enum vigil_match ms;

	if (m != VIGIL_MATCH_YES || !(sec = detect_section_of(r, r->ev->exec.parent_exe)))
		return m;
	ms = vigil_matcher__exec(sec, path, p ? (const char *const *)p->argv : NULL,
				 p ? p->argc : 0);
	if (ms != VIGIL_MATCH_YES)
		*who = r->ev->exec.parent_exe;
	return ms;
}

static int exec_rules(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_process *p = ev->proc;
	const char *path =
		ev->exec.path && ev->exec.path[0] ? ev->exec.path : (p && p->exe ? p->exe : "");
	const char *argv0 = p && p->argv && p->argc ? p->argv[0] : NULL;
	const char *cwd = p ? p->cwd : NULL, *who = NULL, *hint, *copy = NULL;
	enum vigil_match m, mj;
	char args[512], mnt[256], by[600] = "";
	bool named;
	int err;

	m = vigil_matcher__exec(r->b->m, path, p ? (const char *const *)p->argv : NULL,
				p ? p->argc : 0);
	/* m: the workload's profile (drift, content); mj: also what this program ran before */
	mj = exec_by_section(r, path, m, &who);
	if (who)
		snprintf(by, sizeof(by), " (%.500s never ran it %s while learning)", who,
			 mj == VIGIL_MATCH_NO ? "at all" : "with these arguments");
	/* a miner is news even when the profile lists it (a profile learned from a
	 * compromised workload), as in Kubescape */
	if ((hint = vigil_miner_hint(path, p ? (const char *const *)p->argv : NULL,
				     p ? p->argc : 0)) != NULL)
		return detect_raise(r, VIGIL_R1007, path, "crypto miner launched: %s (%s)", path,
				    hint);
	if (ev->exec.memfd || vigil_path_is_memfd_exe(path))
		return detect_raise(r, VIGIL_R1005, path, "fileless execution: %s", path);
	if (ev->exec.dev_shm || vigil_path_under_dev_shm(path) || vigil_path_under_dev_shm(cwd) ||
	    vigil_path_under_dev_shm(argv0))
		return detect_raise(r, VIGIL_R1000, path, "process executed from /dev/shm: %s",
				    path);
	if (dropped_and_executed(r, m))
		return raise_dropped(r, path);
	if (m != VIGIL_MATCH_NO && (err = eval_exec_content(r, path)) != 0)
		return err;
	if (m == VIGIL_MATCH_NO && ev->exec.upper_layer)
		return detect_raise(
			r, VIGIL_R1001, path,
			"drifted process executed: %s is not in the image nor the profile", path);
	/* R1011, off by default (as Kubescape ships it): when off, the exec is judged by the
	 * rules below. JVMs set LD_LIBRARY_PATH themselves (Kubescape exempts java too). */
	if (ev->exec.ld_hook && ev->exec.ld_hook[0] && p && strcmp(p->comm, "java") != 0 &&
	    detect_rule_on(r, VIGIL_R1011)) {
		char key[KEY_MAX];

		snprintf(key, sizeof(key), "exec\x1f%s\x1f%s", p->comm, ev->exec.ld_hook);
		return detect_raise(r, VIGIL_R1011, key,
				    "%s (%s) started with the dynamic-linker hook %s set", path,
				    p->comm, ev->exec.ld_hook);
	}
	named = vigil_program_is_shell_or_interpreter(path, argv0);
	if (named)
		vigil_shellsum__ran(r->d->shells, r->d->digests, ev, path);
	/* or one run by a launcher, whose own content is no shell's (launched.c) */
	named = named || vigil_exec_runs_shell_or_interpreter(
				 path, p ? (const char *const *)p->argv : NULL, p ? p->argc : 0);
	/* (a shell entered from outside was started by the runtime, not by a server: R2000's) */
	if (mj != VIGIL_MATCH_YES && !ev->exec.entered &&
	    !vigil_program_is_shell_or_interpreter(ev->exec.parent_exe, NULL) &&
	    (named || ((copy = vigil_shellsum__copy_of(r->d->shells, r->d->digests, ev)) &&
		       (!vigil_program_is_multi_call(copy) ||
			vigil_multi_call_runs_shell(p ? (const char *const *)p->argv : NULL,
						    p ? p->argc : 0))))) {
		/* a program that is not itself a shell (a server) starts a shell or an
		 * interpreter the profile does not allow (not at all, or not with these
		 * arguments): code execution, the strongest signal there is; a shell copied
		 * under another name is one by its content */
		const char *from = ev->exec.parent_exe && ev->exec.parent_exe[0]
					   ? ev->exec.parent_exe
					   : "an unknown program";
		char ids[48], what[320] = "";

		join_args(p, args, sizeof(args));
		/* a set-id program runs as another user than the one who started it */
		if (p && p->euid != p->uid)
			snprintf(ids, sizeof(ids), "uid %u, euid %u", p->uid, p->euid);
		else
			snprintf(ids, sizeof(ids), "uid %u", p ? p->uid : 0u);
		if (copy)
			snprintf(what, sizeof(what), ", a copy of %.280s", copy);
		return detect_raise(r, VIGIL_V1100, path, "%s started %s: %s (%s%s)%s", from, path,
				    args, ids, what, by);
	}
	if (who) {
		/* the workload runs it, this program never did (byExecutable) */
		join_args(p, args, sizeof(args));
		return detect_raise(r, VIGIL_V1103, path,
				    "%s started %s: %s (the workload runs it; this program never "
				    "did %s while learning)",
				    who, path, args,
				    mj == VIGIL_MATCH_NO ? "at all" : "with these arguments");
	}
	if (mj == VIGIL_MATCH_NO && !strcmp(base_name(path), "kubectl"))
		return detect_raise(r, VIGIL_R0007, path, "kubectl run: %s%s", path, by);
	/* only for a program the profile does not know: the mount table costs a read */
	if (m == VIGIL_MATCH_NO && detect_rule_on(r, VIGIL_R1004) &&
	    r->d->exec_mount(ev, mnt, sizeof(mnt)))
		return detect_raise(r, VIGIL_R1004, path,
				    "process executed from a mounted path: %s (a volume at %s)",
				    path, mnt);
	if (mj == VIGIL_MATCH_NO)
		return detect_raise(r, VIGIL_R0001, path, "unexpected process launched: %s%s", path,
				    by);
	if (mj == VIGIL_MATCH_ARGS) {
		char key[KEY_MAX];

		join_args(p, args, sizeof(args));
		snprintf(key, sizeof(key), "%s\x1f%s", path, args);
		return detect_raise(r, VIGIL_R0040, key, "unexpected arguments for %s: %s%s", path,
				    args, by);
	}
	return 0;
}

/*
 * An exec the kernel acted on always has its alert: when the profile's matcher finds nothing
 * to say (the kernel's allow set is exact paths, the matcher also knows wildcards), R0001 says
 * what enforcement did.
 */
/*
 * R2000: a process entered the running container from outside (podman/runc/ctr/crictl exec;
 * kubectl exec reaches the node as the kubelet's CRI exec). An alert beside what the exec
 * itself raises (R0001 for a program the profile does not know, ...), as Kubescape raises
 * R2000 from the API server beside its node rules: routes written for either keep working.
 * An exec the profile lists with exactly these arguments, none a wildcard, raises no R2000: a
 * Kubernetes exec probe runs one command every period and is learned with the workload
 * (Kubescape never sees probes: they do not pass through the API server). A pattern is not
 * enough: `sh -c ⋯` learned from the entrypoint must not let `kubectl exec -- sh -c ...` in.
 */
static int eval_entered(struct raise *r, const char *path)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_process *p = ev->proc;
	const char *by = ev->exec.entered_by && ev->exec.entered_by[0] ? ev->exec.entered_by
								       : "an unknown program";
	char args[512], key[KEY_MAX];

	if (!ev->exec.entered ||
	    vigil_matcher__exec_literal(r->b->m, path, p ? (const char *const *)p->argv : NULL,
					p ? p->argc : 0))
		return 0;
	join_args(p, args, sizeof(args));
	snprintf(key, sizeof(key), "%s\x1f%s", path, args);
	return detect_raise(r, VIGIL_R2000, key,
			    "exec into the container from outside (by %s, pid %u): %s: %s (uid %u)",
			    by, ev->exec.entered_pid, path, args, p ? p->uid : 0u);
}

int detect_eval_exec(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *path = ev->exec.path && ev->exec.path[0] ? ev->exec.path
			   : ev->proc && ev->proc->exe	     ? ev->proc->exe
							     : "";
	int n, m;

	detect_fold_exec(r, NULL); /* a new program: what the last one ran is not noted */
	n = exec_rules(r);
	if (n >= 0 && (m = detect_eval_history(r, ev->proc ? ev->proc->comm : "")) != 0)
		n = m < 0 ? m : n + m;
	if (!n && ev->action != VIGIL_ACTION_NONE)
		n = detect_raise(r, VIGIL_R0001, path, "process stopped by enforcement: %s", path);
	if (n < 0 || (m = eval_entered(r, path)) < 0)
		return n < 0 ? n : m;
	return n + m;
}

/*
 * A library loaded is code run: a file the workload wrote at run time (or a memfd) mapped
 * executable (dlopen, LD_PRELOAD, ld.so --preload of a dropped .so) is drop-and-execute as an
 * exec of it is, unless the profile knows the workload writes that very file (a learned
 * extraction of a native library); a memfd is fileless, unless the workload learned to make
 * memfds.
 */
int detect_eval_mmap_exec(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *path = ev->exec.path ? ev->exec.path : "";
	const char *comm = ev->proc ? ev->proc->comm : "";
	const char *how = ev->exec.mprotect ? "made executable by mprotect" : "mapped executable";

	/* runtimes that map their own code through a memfd (.NET's double mapping) learned
	 * memfd_create: their profile lists it */
	if (ev->exec.memfd || vigil_path_is_memfd_exe(path))
		return vigil_matcher__syscall(r->b->m, "memfd_create")
			       ? 0
			       : detect_raise(r, VIGIL_R1005, path, "fileless library: %s %s by %s",
					      path, how, comm);
	if (!ev->exec.written || !path[0] || detect_learned_write(r->b->m, path))
		return 0;
	/* the loader mapping the dropped program its exec already alerted on (fold.c) */
	if (detect_fold_mapped(r, path))
		return 0;
	return detect_raise(
		r, VIGIL_R1001, path,
		"drop and execute: library %s was written at run time by pid %u%s and "
		"%s by %s",
		path, ev->exec.writer_pid,
		r->w && ev->exec.writer_cgroup != r->w->cgroup_id ? " of another workload" : "",
		how, comm);
}
