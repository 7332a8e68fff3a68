// SPDX-License-Identifier: Apache-2.0
/*
 * Which names of an opened file learning may write as ⋯ by their shape (a PID, a counter, a
 * date, a UUID, a hex id, a tmp.XXXXXX name: args.c's rule for arguments), so that a script's
 * /tmp/job-622/out, /run/app.7.pid or /var/log/app.2026-12-07.log is learned once for every run.
 *
 * A ⋯ in `opens` allows every name in its place, with the entry's flags, and the sensitive,
 * token and persistence rules honour `opens` (docs/DETECTION.md §3): a shape must never turn
 * an entry into one that allows /etc/shadow, a token or a ~/.bashrc. So:
 *   - nothing under the system's own trees (/etc, /usr, /bin, /sbin, /lib*, /boot, /sys,
 *     /proc, /dev but /dev/shm, /var/spool) or a home (/root, /home): those names are stable,
 *     and where credentials, start-up files and persistence live;
 *   - a file's own name only in scratch, runtime and log directories (/tmp, /var/tmp,
 *     /dev/shm, /run, /var/run, /var/log, /var/cache), where no home is: elsewhere `DIR/⋯`
 *     could allow a service user's ~/.profile (postgres' home is /var/lib/postgresql);
 *     a directory's name elsewhere too (`/srv/⋯/out` allows only files named out);
 *   - nothing in a path that is itself sensitive, a token, an environment or a persistence
 *     path, and no pattern that would match one of the sensitive files or lie over one of the
 *     sensitive or token directories (checked segment by segment, ⋯ matching any).
 */
#include <stdbool.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/detect_paths.h"
#include "vigil/learn.h"

#define ELLIPSIS "\xe2\x8b\xaf"

/* path is dir or below it (component boundary) */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool under_any(const char *path, const char *const *dirs)
{
	for (size_t i = 0; dirs[i]; i++) {
		if (under(path, dirs[i]))
			return true;
	}
	return false;
}

int vigil_learn_open_names(const char *path)
{
	static const char *const stable[] = { "/etc",	"/usr",	  "/bin",    "/sbin",	   "/lib",
					      "/lib32", "/lib64", "/libx32", "/boot",	   "/sys",
					      "/proc",	"/root",  "/home",   "/var/spool", NULL };
	static const char *const scratch[] = { "/tmp",	   "/var/tmp", "/dev/shm",   "/run",
					       "/var/run", "/var/log", "/var/cache", NULL };
	enum vigil_open_class cls;

	if (!path || path[0] != '/' || under_any(path, stable) ||
	    (under(path, "/dev") && !under(path, "/dev/shm")))
		return VIGIL_LEARN_NAMES_NONE;
	cls = vigil_open_class(path);
	if ((cls != VIGIL_OPEN_OTHER && cls != VIGIL_OPEN_WATCHED) || vigil_path_persistence(path))
		return VIGIL_LEARN_NAMES_NONE;
	return under_any(path, scratch) ? VIGIL_LEARN_NAMES_ALL : VIGIL_LEARN_NAMES_DIRS;
}

/* Pattern pat (with ⋯ segments) matches the first segments of target: all of them (file)
 * or more (dir: pat lies inside it). */
static bool covers(const char *pat, const char *target, bool dir)
{
	const char *p = pat, *t = target;

	while (*p == '/' && *t == '/') {
		size_t pn = strcspn(p + 1, "/"), tn = strcspn(t + 1, "/");

		if (!(pn == sizeof(ELLIPSIS) - 1 && !memcmp(p + 1, ELLIPSIS, pn)) &&
		    (pn != tn || memcmp(p + 1, t + 1, pn)))
			return false;
		p += pn + 1;
		t += tn + 1;
	}
	return dir ? !*t && *p == '/' : !*t && !*p;
}

bool vigil_learn_pattern_sensitive(const char *pattern)
{
	const char *const *files = vigil_sensitive_files();
	const char *const *dirs[] = { vigil_sensitive_dirs(), vigil_token_dirs() };

	for (size_t i = 0; files[i]; i++) {
		if (covers(pattern, files[i], false))
			return true;
	}
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; dirs[k][i]; i++) {
			if (covers(pattern, dirs[k][i], true))
				return true;
		}
	}
	return false;
}
