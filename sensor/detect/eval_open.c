// SPDX-License-Identifier: Apache-2.0
/*
 * The rules of an open: which file opened leaves the bound profile, and as which rule.
 */
#include <stdio.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/path_alias.h"
#include "vigil/profile.h"

/*
 * The open is in the profile: workload-wide, and in its executable's section if it has one.
 * *who names that executable when the workload opens the file (with any flags) and this
 * program never did: what only per-executable learning can tell.
 */
static bool open_allowed(const struct raise *r, const char *path, const char **who)
{
	const char *exe = r->ev->proc ? r->ev->proc->exe : NULL;
	const struct vigil_matcher *sec = detect_section_of(r, exe);
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
	const struct vigil_matcher *sec = detect_section_of(r, exe);
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

int detect_eval_open(struct raise *r)
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
