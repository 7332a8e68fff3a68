// SPDX-License-Identifier: Apache-2.0
/*
 * The rules by event kind: which events leave the bound profile, and as which rule. At most
 * one alert per event: the most specific rule wins (a memfd exec is R1005 and not also R0001).
 */
#include <fcntl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include "sensor/detect/detect_internal.h"
#include "sensor/dns_stream.h"
#include "util/path.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/exe_digest.h"
#include "vigil/path_alias.h"
#include "vigil/profile.h"
#include "profile/wildcard.h"

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

/* The profile knows this workload writes the file and runs it (a build, a self-update). */
static bool learned_write(const struct vigil_matcher *m, const char *path)
{
	return vigil_matcher__open(m, path, O_WRONLY) || vigil_matcher__open(m, path, O_RDWR);
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
		return m != VIGIL_MATCH_YES || !learned_write(r->b->m, file);
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

/*
 * byExecutable (docs/PROFILES.md): when the profile keys entries by executable and has a
 * section for exe, what exe did is judged by that section too; NULL: workload-wide only (an
 * executable never seen while learning is judged by its own exec, R0001).
 */
static const struct vigil_matcher *section_of(const struct raise *r, const char *exe)
{
	if (!exe || !exe[0] || !vigil_matcher__has_by_exe(r->b->m))
		return NULL;
	return vigil_matcher__by_exe(r->b->m, exe);
}

/*
 * The open is in the profile: workload-wide, and in its executable's section if it has one.
 * *who names that executable when the workload opens the file (with any flags) and this
 * program never did: what only per-executable learning can tell.
 */
static bool open_allowed(const struct raise *r, const char *path, const char **who)
{
	const char *exe = r->ev->proc ? r->ev->proc->exe : NULL;
	const struct vigil_matcher *sec = section_of(r, exe);
	bool wide = vigil_matcher__open(r->b->m, path, r->ev->open.flags);

	if (!sec)
		return wide;
	if (vigil_matcher__open(sec, path, r->ev->open.flags))
		return wide;
	if (vigil_matcher__open(r->b->m, path, 0))
		*who = exe;
	return false;
}

/*
 * A service-account token opened: allowed when the profile allows that name, or, as
 * Kubescape's R0006 reads a profile, when any of its open entries names a token (the kubelet
 * rotates the timestamped directory the kernel's name goes through, and Kubescape learns the
 * name the program asked for: ".../serviceaccount/token"). By the program's section as
 * open_allowed.
 */
static bool token_allowed(const struct raise *r, const char *path, const char **who)
{
	const char *exe = r->ev->proc ? r->ev->proc->exe : NULL;
	const struct vigil_matcher *sec = section_of(r, exe);
	bool wide = vigil_matcher__token(r->b->m);

	if (vigil_open_class(path) != VIGIL_OPEN_TOKEN)
		return false;
	if (!sec)
		return wide;
	if (vigil_matcher__token(sec))
		return wide;
	if (wide)
		*who = exe;
	return false;
}

/* The exec judged by the section of the program that started it (parent_exe). */
static enum vigil_match exec_by_section(const struct raise *r, const char *path, enum vigil_match m,
					const char **who)
{
	const struct vigil_process *p = r->ev->proc;
	const struct vigil_matcher *sec;
	enum vigil_match ms;

	if (m != VIGIL_MATCH_YES || !(sec = section_of(r, r->ev->exec.parent_exe)))
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
	    (named || (copy = vigil_shellsum__copy_of(r->d->shells, r->d->digests, ev)))) {
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

/*
 * R2001: a process outside the workload opened a TCP connection inside its network namespace:
 * a port forward (kubectl port-forward reaches the node as containerd's forward, which connects
 * to localhost:PORT from the pod sandbox's namespace), or a host tool entering the namespace to
 * talk as the pod. Nothing in a profile allows it: a profile says what the workload does, and
 * this is done to it. Kubescape raises R2001 from the API server's pods/portforward; Vigil from
 * the node, so a forward that never passed the API server (crictl, nsenter) alerts too.
 */
static int eval_netns_connect(struct raise *r, const char *comm)
{
	const struct vigil_event *ev = r->ev;
	char addr[64], key[KEY_MAX];

	vigil_sockaddr__text(&ev->net.remote, addr, sizeof(addr));
	snprintf(key, sizeof(key), "%s\x1f%s\x1f%u", comm, addr, ev->net.remote.port);
	return detect_raise(r, VIGIL_R2001, key,
			    "connection into the workload's network namespace from outside it "
			    "(port forward) by %s (pid %u) to %s port %u",
			    comm, ev->proc ? ev->proc->pid : 0u, addr, ev->net.remote.port);
}

static int eval_exec(struct raise *r)
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

/* Terminals and the null devices: writing them leaves nothing behind. */
static bool write_leaves_nothing(const char *path)
{
	static const char *const devs[] = { "/dev/null", "/dev/zero",	 "/dev/full",
					    "/dev/tty",	 "/dev/console", "/dev/ptmx" };

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (!strcmp(path, devs[i]))
			return true;
	return vigil_str_has_prefix(path, "/dev/pts/");
}

/*
 * V1102: a successful open that may write a file (write, create, truncate, append) the profile
 * does not list, in a directory the profile never writes in (vigil_matcher__dir_written: the
 * directories of its write entries, wildcards kept). New files where the server wrote while
 * learning (WAL segments, temp-PID.rdb, rotated logs) are its job; a file in a directory it
 * never wrote in (a web root, /tmp, a home) is news. One alert per directory and actor: a
 * dropped tool kit is one alert, its first file named.
 */
static bool written_elsewhere(const struct raise *r, const char *path)
{
	const struct vigil_event *ev = r->ev;

	return detect_rule_on(r, VIGIL_V1102) && ev->open.ret >= 0 && path[0] == '/' &&
	       vigil_open_flags_write(ev->open.flags) && !write_leaves_nothing(path) &&
	       !vigil_matcher__dir_written(r->b->m, path);
}

static int raise_written(struct raise *r, const char *path, const char *by)
{
	const char *slash = strrchr(path, '/');
	char dir[KEY_MAX];

	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return detect_raise(r, VIGIL_V1102, dir,
			    "unexpected file written: %s (the profile never writes in %s)%s", path,
			    dir, by);
}

static int eval_open(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *path = ev->open.path;
	enum vigil_open_class cls = vigil_open_class(path);
	bool persist = vigil_open_flags_write(ev->open.flags) && vigil_path_persistence(path);
	const char *who = NULL;
	char alias[256], by[600] = "";
	int n;

	/* the file under another name: a hard link, a bind mount or a rename of a sensitive file
	 * or a service-account token (every regular file opened carries its identity: a renamed
	 * one has one link, no mount) */
	if ((ev->open.aliased || ev->open.ino) && cls != VIGIL_OPEN_SENSITIVE &&
	    cls != VIGIL_OPEN_TOKEN && cls != VIGIL_OPEN_ENVIRON &&
	    (vigil_path_alias__sensitive(r->d->alias, ev, alias, sizeof(alias)) ||
	     (ev->open.ident && ev->open.ret >= 0 &&
	      snprintf(alias, sizeof(alias), "%s", ev->open.ident) > 0))) {
		if (open_allowed(r, alias, &who) || token_allowed(r, alias, &who))
			return 0;
		if (who)
			snprintf(by, sizeof(by), " (%.500s never opened it while learning)", who);
		if (vigil_open_flags_write(ev->open.flags) && vigil_path_persistence(alias))
			return detect_raise(r, VIGIL_V1101, alias,
					    "persistence path written: %s, opened as %s (a hard "
					    "link or a bind mount of it)%s%s",
					    alias, path, ev->open.ret < 0 ? " (denied)" : "", by);
		if (vigil_open_class(alias) == VIGIL_OPEN_TOKEN)
			return detect_raise(r, VIGIL_R0006, alias,
					    "service account token access: %s, opened as %s (a "
					    "hard link, a bind mount or a rename of it)%s",
					    alias, path, by);
		return detect_raise(r, VIGIL_R0010, alias,
				    "sensitive file access: %s, opened as %s (a hard link, a bind "
				    "mount or a rename of it)%s",
				    alias, path, by);
	}
	/* R1007: a write to a CPU's model-specific registers (XMRig's RandomX tuning); attempts
	 * count, the profile does not excuse it */
	if (vigil_path_cpu_msr(path) && vigil_open_flags_write(ev->open.flags))
		return detect_raise(r, VIGIL_R1007, path,
				    "crypto miner: model-specific registers written (%s)%s", path,
				    ev->open.ret < 0 ? " (denied)" : "");
	/* a failed open whose name the sensor could not keep whole (longer than it copies, or
	 * its directory too deep) could have named any file, a sensitive one included */
	if (ev->open.truncated && ev->open.ret < 0 && (!path[0] || path[0] == '/'))
		cls = VIGIL_OPEN_SENSITIVE;
	/* shell history truncated (V1107): whatever the profile says */
	if ((n = detect_eval_history(r, ev->proc ? ev->proc->comm : "")) != 0)
		return n;
	/* a process's memory through /proc/PID/mem (R1015): whatever the open entries say */
	if ((n = detect_eval_procmem(r, path)) != 0)
		return n;
	/* most opens: nothing to judge (a read outside the watched directories) */
	if (cls == VIGIL_OPEN_OTHER && !persist && !written_elsewhere(r, path))
		return 0;
	if (path[0] && (open_allowed(r, path, &who) || token_allowed(r, path, &who)))
		return 0;
	if (who)
		snprintf(by, sizeof(by), " (%.500s never opened it while learning)", who);
	/* a write of /etc/ld.so.preload (R1011, off by default; attempts count) */
	if (vigil_path_ld_preload(path) && vigil_open_flags_write(ev->open.flags) &&
	    detect_rule_on(r, VIGIL_R1011))
		return detect_raise(r, VIGIL_R1011, path,
				    "dynamic-linker preload file written: %s%s%s", path,
				    ev->open.ret < 0 ? " (denied)" : "", by);
	/* before the sensitive classes: writing sudoers or ~/.ssh is persistence; attempts
	 * count (a denied write still says what the attacker wanted) */
	if (persist)
		return detect_raise(r, VIGIL_V1101, path, "persistence path written: %s%s%s", path,
				    ev->open.ret < 0 ? " (denied)" : "", by);
	/* a write the profile does not expect, where it never writes: before the watched
	 * directories' R0002 (off by default; reads and writes alike) */
	if ((cls == VIGIL_OPEN_OTHER || cls == VIGIL_OPEN_WATCHED) && written_elsewhere(r, path))
		return raise_written(r, path, by);
	switch (cls) {
	case VIGIL_OPEN_TOKEN:
		return detect_raise(r, VIGIL_R0006, path, "service account token access: %s%s",
				    path, by);
	case VIGIL_OPEN_ENVIRON:
		return detect_raise(r, VIGIL_R0008, path, "environment read from procfs: %s%s",
				    path, by);
	case VIGIL_OPEN_SENSITIVE:
		if (ev->open.truncated && ev->open.ret < 0)
			return detect_raise(
				r, VIGIL_R0010, path,
				"failed open of a path cut by the sensor (%zu bytes kept, "
				"could name a sensitive file): %.300s",
				strlen(path), path[0] ? path : "(name lost)");
		return detect_raise(r, VIGIL_R0010, path, "sensitive file access: %s%s", path, by);
	case VIGIL_OPEN_WATCHED:
		/* a failed open touched nothing: only the sensitive classes count attempts */
		if (ev->open.ret < 0)
			return 0;
		if (who) /* the workload opens it, this program never did (byExecutable) */
			return detect_raise(r, VIGIL_V1103, path,
					    "%s opened %s (the workload opens it; this program "
					    "never did while learning)",
					    who, path);
		return detect_raise(r, VIGIL_R0002, path, "unexpected file access: %s%s", path, by);
	default:
		return 0;
	}
}

/*
 * Syscalls judged by a dedicated rule on what they do, not by R0003 on their first use:
 * one deviation, one alert.
 */
static const char *const dedicated_syscalls[] = {
	"ptrace",
	"unshare",
	"bpf",
	"init_module",
	"finit_module",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"memfd_create",
	"execveat",
	NULL,
};

/* The process runs an executable the profile's execs name (with any arguments). */
static bool known_program(const struct raise *r)
{
	const struct vigil_process *p = r->ev->proc;

	return p && p->exe && p->exe[0] &&
	       vigil_matcher__exec(r->b->m, p->exe, NULL, 0) != VIGIL_MATCH_NO;
}

static int eval_syscall(struct raise *r)
{
	const char *name = r->ev->syscall.name;
	char buf[32];

	/* reading or writing another process's memory without ptrace(2): the kernel asks the
	 * same permission as PTRACE_ATTACH, and it is how code is injected without a ptrace
	 * event, so it is R1015's, as ptrace is (and whether or not the profile lists syscalls) */
	if (name && (!strcmp(name, "process_vm_writev") || !strcmp(name, "process_vm_readv")) &&
	    !vigil_matcher__syscall(r->b->m, name))
		return detect_raise(r, VIGIL_R1015, name, "%s: another process's memory %s by %s",
				    name, name[11] == 'w' ? "written" : "read",
				    r->ev->proc ? r->ev->proc->comm : "");
	/* taking a descriptor out of another process (its open /etc/shadow, a socket it
	 * connected): the same permission, and no open or connect in the taker */
	if (name && !strcmp(name, "pidfd_getfd") && !vigil_matcher__syscall(r->b->m, name))
		return detect_raise(r, VIGIL_R1015, name,
				    "pidfd_getfd: another process's descriptor taken by %s",
				    r->ev->proc ? r->ev->proc->comm : "");
	if (!r->b->has_syscalls)
		return 0;
	if (!name || !name[0]) {
		snprintf(buf, sizeof(buf), "syscall_%d", r->ev->syscall.nr);
		name = buf;
	}
	for (size_t i = 0; dedicated_syscalls[i]; i++) {
		if (!strcmp(name, dedicated_syscalls[i]))
			return 0;
	}
	if (vigil_matcher__syscall(r->b->m, name))
		return 0;
	/* one more harmless syscall from a known binary is not news; from a new program it is */
	if (detect_syscall_needs_context(name) && known_program(r))
		return 0;
	return detect_raise(r, VIGIL_R0003, name, "unexpected syscall: %s", name);
}

static bool cluster_local(const char *name)
{
	return vigil_str_has_suffix(name, ".cluster.local") || vigil_str_has_suffix(name, ".svc") ||
	       !strcmp(name, "localhost") || vigil_str_has_suffix(name, ".in-addr.arpa") ||
	       vigil_str_has_suffix(name, ".ip6.arpa");
}

/*
 * Whether addr:port is the API server: entries "ADDR:PORT", ADDR "*", an address or a CIDR,
 * IPv6 in brackets or not. Compared as addresses, never as text: an IPv4-mapped IPv6 peer
 * (::ffff:10.96.0.1, from an AF_INET6 socket) is the IPv4 address it maps, as the profile's
 * egress matching takes it (vigil_wc_ip_normalize), so the spelling cannot hide the API server.
 */
static bool is_k8s_api(const struct vigil_detector *d, const struct vigil_sockaddr *ra)
{
	char want[INET6_ADDRSTRLEN + 16];
	struct vigil_wc_ipnet net;
	uint8_t a[16], fam;

	if (vigil_wc_ip_normalize(ra->family, ra->addr, a, &fam) < 0)
		return false;
	for (size_t i = 0; i < d->nk8s; i++) {
		const char *colon = strrchr(d->k8s_api[i], ':');
		const char *h = d->k8s_api[i];
		size_t len;
		uint64_t p;

		if (!colon || vigil_parse_u64(colon + 1, &p) || p != ra->port)
			continue;
		len = (size_t)(colon - h);
		if (len >= 2 && h[0] == '[' && h[len - 1] == ']')
			h++, len -= 2;
		if (len >= sizeof(want))
			continue;
		memcpy(want, h, len);
		want[len] = '\0';
		if (!vigil_wc_ip_parse(want, &net) && vigil_wc_ip_match(&net, fam, a))
			return true;
	}
	return false;
}

static int eval_connect(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_sockaddr *ra = &ev->net.remote;
	const char *proto = vigil_ip_proto_name(ev->net.proto);
	char addr[INET6_ADDRSTRLEN + 1], key[INET6_ADDRSTRLEN + 32];

	if (ra->family != AF_INET && ra->family != AF_INET6)
		return 0;
	if (ev->net.direction == VIGIL_DIR_INBOUND)
		return 0;
	if (vigil_matcher__neighbor(r->b->m, true, ra->family, ra->addr, ra->port, proto))
		return 0;
	vigil_sockaddr__text(ra, addr, sizeof(addr));
	snprintf(key, sizeof(key), "%s/%s:%u", proto, addr, ra->port);
	if (is_k8s_api(r->d, ra))
		return detect_raise(r, VIGIL_R0007, key,
				    "connection to the Kubernetes API server %s:%u", addr,
				    ra->port);
	/* R1003 (off by default, as in Kubescape): an SSH client to an address and port the
	 * profile does not know, on a port SSH does not use; off, R1009/R0011 judge it */
	if (ev->net.proto == IPPROTO_TCP && ra->port != 22 && ra->port != 2022 && ev->proc &&
	    vigil_is_ssh_client(ev->proc->exe,
				ev->proc->argc && ev->proc->argv ? ev->proc->argv[0] : NULL) &&
	    detect_rule_on(r, VIGIL_R1003))
		return detect_raise(r, VIGIL_R1003, key,
				    "SSH connection to an unexpected destination on a non-standard "
				    "port: %s:%u by %s",
				    addr, ra->port, ev->proc->exe);
	if (ev->net.proto == IPPROTO_TCP && (ra->port == 3333 || ra->port == 45700))
		return detect_raise(r, VIGIL_R1009, key, "connection to crypto-mining port %s:%u",
				    addr, ra->port);
	return detect_raise(r, VIGIL_R0011, key, "unexpected egress to %s %s:%u", proto, addr,
			    ra->port);
}

/*
 * Whether a link points at a sensitive file, however its target is spelt: a symlink's relative
 * target is relative to the link's directory, a hard link's to the process's working directory
 * (linkat's own directory descriptor is not in the record: the cwd is the usual case); then
 * "." and ".." are resolved lexically (/etc/../etc/shadow, ../../etc/shadow). As Kubescape's
 * R1010/R1012 (`!ap.was_path_opened(oldPath)`), a target the profile itself opens (with any
 * flags) is not news: a workload that reads /etc/shadow anyway may link it.
 */
static bool link_target_sensitive(const struct raise *r, bool symlink)
{
	const struct vigil_event *ev = r->ev;
	const char *t = ev->link.target, *base;
	char joined[8192], norm[4096];
	bool cut;

	if (!t || !t[0])
		return false;
	if (t[0] == '/') {
		vigil_strlcpy(joined, t, sizeof(joined));
	} else if (symlink && ev->link.path && (base = strrchr(ev->link.path, '/'))) {
		snprintf(joined, sizeof(joined), "%.*s/%s", (int)(base - ev->link.path),
			 ev->link.path, t);
	} else if (!symlink && ev->proc && ev->proc->cwd && ev->proc->cwd[0] == '/') {
		snprintf(joined, sizeof(joined), "%s/%s", ev->proc->cwd, t);
	} else {
		return vigil_path_sensitive_link_target(t) && !vigil_matcher__open(r->b->m, t, 0);
	}
	vigil_path_normalize(joined, strlen(joined), norm, sizeof(norm), &cut);
	if (!vigil_path_sensitive_link_target(norm) && !vigil_path_sensitive_link_target(t))
		return false;
	return cut || !vigil_matcher__open(r->b->m, norm, 0);
}

/*
 * The container runtime unshares as it starts a container: runc, or the memfd copy of itself
 * it runs (memfd:runc_cloned:...). Judged by the executable the kernel ran, so a process that
 * renames itself runc is not exempt (a memfd executable raises R1005 on its own).
 */
static bool is_runc(const char *exe)
{
	const char *base = exe ? strrchr(exe, '/') : NULL;

	if (!exe)
		return false;
	if (vigil_str_has_prefix(exe, "memfd:runc_cloned") ||
	    vigil_str_has_prefix(exe, "/memfd:runc_cloned"))
		return true;
	return vigil_str_has_prefix(base ? base + 1 : exe, "runc");
}

/*
 * A raw, packet or ICMP socket (the sensor reports only those): it reaches the wire below TCP
 * and UDP, where egress and DNS are not seen: sniffing, hand-made packets, ICMP tunnels.
 * Allowed per executable by rulePolicies (learned; detect.c checks them, by exe).
 */
static int eval_socket(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *exe = ev->proc && ev->proc->exe ? ev->proc->exe : "";
	const char *what = ev->call.arg0 == 17 ? "packet" : ev->call.arg1 == 3 ? "raw" : "ICMP";
	char key[KEY_MAX];

	snprintf(key, sizeof(key), "%s\x1f%lld:%lld:%lld", exe, (long long)ev->call.arg0,
		 (long long)ev->call.arg1, (long long)ev->call.arg2);
	return detect_raise(r, VIGIL_V1001, key,
			    "%s socket created by %s (family %lld, type %lld, protocol %lld)", what,
			    exe[0] ? exe : (ev->proc ? ev->proc->comm : "?"),
			    (long long)ev->call.arg0, (long long)ev->call.arg1,
			    (long long)ev->call.arg2);
}

/*
 * An open, a peer or an io_uring operation the kernel acted on always has its alert: the
 * kernel acts only where these rules raise (its allow sets are the profile's, the rails refuse
 * a profile it cannot hold whole), and if they found nothing to say the alert still says what
 * enforcement did.
 */
static int eval_acted(struct raise *r, int n)
{
	const struct vigil_event *ev = r->ev;
	char key[INET6_ADDRSTRLEN + 32], addr[INET6_ADDRSTRLEN + 1];

	if (n || ev->action == VIGIL_ACTION_NONE)
		return n;
	switch (ev->kind) {
	case VIGIL_EV_OPEN: {
		const char *path = ev->open.path ? ev->open.path : "";
		bool token = vigil_open_class(ev->open.ident ? ev->open.ident : path) ==
			     VIGIL_OPEN_TOKEN;

		return detect_raise(r, token ? VIGIL_R0006 : VIGIL_R0010, path,
				    "open stopped by enforcement: %s", path);
	}
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_SEND:
		vigil_sockaddr__text(&ev->net.remote, addr, sizeof(addr));
		snprintf(key, sizeof(key), "%s/%s:%u", vigil_ip_proto_name(ev->net.proto), addr,
			 ev->net.remote.port);
		return detect_raise(r, VIGIL_R0011, key, "egress stopped by enforcement: %s", key);
	case VIGIL_EV_IOURING_OP:
		return detect_raise(r, VIGIL_R1030, ev->iouring.opname ? ev->iouring.opname : "",
				    "io_uring operation stopped by enforcement: %s",
				    ev->iouring.opname ? ev->iouring.opname : "");
	default:
		return n;
	}
}

static int detect_eval_kind(struct raise *r);

int detect_eval(struct raise *r)
{
	return eval_acted(r, detect_eval_kind(r));
}

/*
 * A library loaded is code run: a file the workload wrote at run time (or a memfd) mapped
 * executable (dlopen, LD_PRELOAD, ld.so --preload of a dropped .so) is drop-and-execute as an
 * exec of it is, unless the profile knows the workload writes that very file (a learned
 * extraction of a native library); a memfd is fileless, unless the workload learned to make
 * memfds.
 */
static int eval_mmap_exec(struct raise *r)
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
	if (!ev->exec.written || !path[0] || learned_write(r->b->m, path))
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

/* A rename's old name as an absolute, normalised path (relative: the cwd's); false when it
 * cannot be told. */
static bool rename_old(const struct vigil_event *ev, char *out, size_t size)
{
	const char *t = ev->link.target;
	char joined[8192];
	bool cut;

	if (!t || !t[0])
		return false;
	if (t[0] == '/')
		vigil_strlcpy(joined, t, sizeof(joined));
	else if (ev->proc && ev->proc->cwd && ev->proc->cwd[0] == '/')
		snprintf(joined, sizeof(joined), "%s/%s", ev->proc->cwd, t);
	else
		return false;
	vigil_path_normalize(joined, strlen(joined), out, size, &cut);
	return true;
}

/* A name a rename must not touch unseen: a sensitive file or a service-account token. */
static bool rename_sensitive(const char *path)
{
	enum vigil_open_class c = path && path[0] ? vigil_open_class(path) : VIGIL_OPEN_OTHER;

	return c == VIGIL_OPEN_SENSITIVE || c == VIGIL_OPEN_TOKEN;
}

/*
 * A sensitive file renamed away, renamed over, or swapped with another file (RENAME_EXCHANGE):
 * from then on it is read under a name the open rules do not judge (a file allowed by the
 * profile), so the rename itself is the access: R0010, unless the profile has a write of
 * that name (a tool that replaces /etc/shadow by renaming a new copy over it, learned).
 * Attempts count (a denied rename still says what was wanted).
 */
static int eval_rename(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *to = ev->link.path ? ev->link.path : "", *name;
	char from[4096] = "";

	rename_old(ev, from, sizeof(from));
	if (rename_sensitive(from))
		name = from;
	else if (rename_sensitive(to))
		name = to;
	else
		return 0;
	if (learned_write(r->b->m, name))
		return 0;
	return detect_raise(r, VIGIL_R0010, name, "sensitive file %s: %s %s %s%s",
			    ev->link.exchange ? "swapped" : "renamed", from[0] ? from : "?",
			    ev->link.exchange ? "<->" : "->", to,
			    ev->link.ret < 0 ? " (denied)" : "");
}

static int detect_eval_kind(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *comm = ev->proc ? ev->proc->comm : "";
	int n;

	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		return eval_exec(r);
	case VIGIL_EV_OPEN:
		return eval_open(r);
	case VIGIL_EV_SYSCALL:
		return eval_syscall(r);
	case VIGIL_EV_CAPABILITY:
		if (!ev->cap.name || vigil_matcher__capability(r->b->m, ev->cap.name))
			return 0;
		if (detect_cap_needs_context(ev->cap.name) && known_program(r))
			return 0;
		return detect_raise(r, VIGIL_R0004, ev->cap.name, "unexpected capability: %s",
				    ev->cap.name);
	case VIGIL_EV_DNS:
		/* a DNS stream cut by eviction mid-message (64 TCP:53 streams at once): what it
		 * asks until it resyncs is unread, whatever the profile says */
		if (ev->dns.desync)
			return detect_raise(
				r, VIGIL_R0005, "(TCP stream out of sync)",
				"DNS over TCP stream out of sync: cut in the middle of a "
				"message while more than %d DNS streams were open; its "
				"questions are unread until a whole message parses",
				VIGIL_DNS_STREAMS);
		/* a mining pool is news even when the profile lists it (as in Kubescape) */
		if (ev->dns.name && vigil_dns_mining_pool(ev->dns.name))
			return detect_raise(r, VIGIL_R1008, ev->dns.name,
					    "crypto-mining pool domain looked up: %s",
					    ev->dns.name);
		if (!ev->dns.name || !ev->dns.name[0] || cluster_local(ev->dns.name) ||
		    vigil_matcher__dns(r->b->m, ev->dns.name))
			return 0;
		return detect_raise(r, VIGIL_R0005, ev->dns.name, "unexpected DNS name: %s",
				    ev->dns.name);
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_SEND: /* egress without connect: judged as a connection to the peer */
		return eval_connect(r);
	case VIGIL_EV_IOURING_OP: {
		const char *op = ev->iouring.opname;
		char buf[32];

		if (!op || !op[0]) {
			snprintf(buf, sizeof(buf), "OP_%d", ev->iouring.opcode);
			op = buf;
		}
		if (vigil_matcher__iouring(r->b->m, op))
			return 0;
		return detect_raise(r, VIGIL_R1030, op, "unexpected io_uring operation: %s", op);
	}
	case VIGIL_EV_SYMLINK:
		if ((n = detect_eval_history(r, comm)) != 0)
			return n;
		if (!link_target_sensitive(r, true))
			return 0;
		return detect_raise(r, VIGIL_R1010, ev->link.path ? ev->link.path : "",
				    "symlink %s -> %s", ev->link.path ? ev->link.path : "",
				    ev->link.target);
	case VIGIL_EV_LINK:
		if ((n = detect_eval_history(r, comm)) != 0)
			return n;
		if (!link_target_sensitive(r, false))
			return 0;
		return detect_raise(r, VIGIL_R1012, ev->link.path ? ev->link.path : "",
				    "hard link %s -> %s", ev->link.path ? ev->link.path : "",
				    ev->link.target);
	case VIGIL_EV_PTRACE:
		if (vigil_matcher__syscall(r->b->m, "ptrace"))
			return 0;
		return detect_raise(r, VIGIL_R1015, comm, "ptrace request %lld on pid %lld by %s",
				    (long long)ev->call.arg0, (long long)ev->call.arg1, comm);
	case VIGIL_EV_UNSHARE:
		if (is_runc(ev->proc ? ev->proc->exe : NULL) ||
		    vigil_matcher__syscall(r->b->m, "unshare"))
			return 0;
		return detect_raise(r, VIGIL_R1006, comm, "unexpected unshare (flags 0x%llx) by %s",
				    (unsigned long long)ev->call.arg0, comm);
	case VIGIL_EV_SETNS:
		return detect_eval_setns(r, comm);
	case VIGIL_EV_SETID:
		return detect_eval_setid(r, comm);
	case VIGIL_EV_ERASE:
		return detect_eval_history(r, comm);
	case VIGIL_EV_BPF:
		/* 5 = BPF_PROG_LOAD */
		if (ev->call.arg0 != 5 || vigil_matcher__syscall(r->b->m, "bpf"))
			return 0;
		return detect_raise(r, VIGIL_R0009, comm, "eBPF program loaded by %s", comm);
	case VIGIL_EV_SOCKET:
		return eval_socket(r);
	case VIGIL_EV_MMAP_EXEC:
		return eval_mmap_exec(r);
	case VIGIL_EV_RENAME:
		if ((n = detect_eval_history(r, comm)) != 0)
			return n;
		return eval_rename(r);
	case VIGIL_EV_NETNS_CONNECT:
		return eval_netns_connect(r, comm);
	case VIGIL_EV_CGROUP_MOVE:
		/* never learned, never allowed: a workload's process has no business outside the
		 * cgroups the sensor watches (it is still followed as the workload's) */
		return detect_raise(r, VIGIL_V1104, ev->call.str ? ev->call.str : "",
				    "pid %lld moved by %s out of the workload into cgroup %s",
				    (long long)ev->call.arg0, comm,
				    ev->call.str ? ev->call.str : "");
	case VIGIL_EV_MODULE:
		return detect_raise(r, VIGIL_R1002, ev->call.str ? ev->call.str : "",
				    "kernel module load%s%s by %s",
				    ev->call.str && ev->call.str[0] ? ": " : "",
				    ev->call.str ? ev->call.str : "", comm);
	default:
		return 0;
	}
}
