// SPDX-License-Identifier: Apache-2.0
/*
 * V1107: shell or REPL history cleared (T1070.003), in the ways that leave a trace in the
 * kernel: the file truncated (O_TRUNC at open, `: > ~/.bash_history`; truncate, ftruncate),
 * opened for writing without O_APPEND (overwritten in place: `dd conv=notrunc`, shred),
 * removed (unlink), replaced by a link (`ln -sf /dev/null ~/.bash_history`) or renamed away or
 * over, and a program started with history turned off in its environment (HISTFILE=/dev/null
 * or empty, HISTSIZE=0, HISTFILESIZE=0, SAVEHIST=0). `unset HISTFILE` in an interactive shell
 * changes a shell variable and nothing the kernel sees: not caught (docs/DETECTION.md).
 * A history file is a dotfile whose name ends in "history" (.bash_history, .zsh_history,
 * .ash_history, .sh_history, .python_history, .mysql_history, .psql_history, .history, ...).
 * A shell appending to its history (O_APPEND) is what it is for; bash and readline rewrite a
 * history by a temporary file renamed over it (NAME-PID.tmp: a name that begins with the
 * history's own), which is quiet. A profile cannot allow it: a profile lists the history file
 * for the shell's appends, and an open's entry does not hold its flags against a truncation.
 */
#include <stdio.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/detect_paths.h"

static const char *base_of(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "";
}

bool vigil_path_history(const char *path)
{
	const char *b = base_of(path);
	size_t n = strlen(b);

	return n >= 8 && b[0] == '.' && !strcmp(b + n - 7, "history");
}

bool vigil_path_system_log(const char *path)
{
	static const char *const logs[] = {
		"/var/log/wtmp",
		"/var/log/btmp",
		"/var/log/lastlog",
		"/var/log/faillog",
		"/var/log/auth.log",
		"/var/log/secure",
		"/var/log/syslog",
		"/var/log/messages",
		"/var/log/kern.log",
		"/var/log/audit/audit.log",
		"/var/run/utmp",
		"/run/utmp",
		NULL,
	};

	for (size_t i = 0; path && logs[i]; i++)
		if (!strcmp(path, logs[i]))
			return true;
	return false;
}

/*
 * V1110: login records or a system log truncated (O_TRUNC at open, truncate, ftruncate) or
 * removed (T1070.002), whatever the profile: their writers append (syslog daemons, login's
 * wtmp and btmp) or rewrite a record in place (lastlog, utmp), so only a truncation or a
 * removal is judged; logrotate renames a log away and creates it again (not judged). Attempts
 * count.
 */
static int eval_system_log(struct raise *r, const char *comm, const char *path, const char *how,
			   int32_t ret)
{
	return detect_raise(r, VIGIL_V1110, path, "system log %s: %s, by %s%s", how, path, comm,
			    ret < 0 ? " (denied)" : "");
}

/* a rename between a history file and a name that begins with its own (a shell's rewrite
 * through NAME-PID.tmp, a backup NAME-) */
static bool own_rewrite(const char *hist, const char *other)
{
	const char *h = base_of(hist), *o = base_of(other);

	return other && other[0] && !strncmp(o, h, strlen(h));
}

int detect_eval_history(struct raise *r, const char *comm)
{
	const struct vigil_event *ev = r->ev;
	const char *path = NULL, *how = NULL;
	char what[64];
	int32_t ret = 0;

	switch (ev->kind) {
	case VIGIL_EV_ERASE:
		path = ev->attr.path;
		snprintf(what, sizeof(what), "%s by %s",
			 strstr(ev->attr.call ? ev->attr.call : "", "trunc") ? "truncated"
									     : "removed",
			 ev->attr.call ? ev->attr.call : "?");
		how = what;
		ret = ev->attr.ret;
		if (vigil_path_system_log(path))
			return eval_system_log(r, comm, path, how, ret);
		if (!vigil_path_history(path))
			return 0;
		break;
	case VIGIL_EV_OPEN:
		/* write access without O_APPEND (02000): truncated at open (O_TRUNC, 01000), or
		 * overwritten in place (dd conv=notrunc, shred, fallocate --punch-hole, an r+
		 * open): a shell only ever appends. O_EXCL (0200) makes a new file: nothing in it
		 * to clear */
		path = ev->open.path;
		if ((ev->open.flags & 01000) && (ev->open.flags & 3) && vigil_path_system_log(path))
			return eval_system_log(r, comm, path, "truncated at open (O_TRUNC)",
					       ev->open.ret);
		if (!(ev->open.flags & 3) || (ev->open.flags & (02000 | 0200)) ||
		    !vigil_path_history(path))
			return 0;
		how = ev->open.flags & 01000 ? "truncated at open (O_TRUNC)"
					     : "opened to be overwritten in place (write access, "
					       "no O_APPEND)";
		ret = ev->open.ret;
		break;
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
		path = ev->link.path;
		if (!vigil_path_history(path))
			return 0;
		snprintf(what, sizeof(what), "replaced by a %s link to %.30s",
			 ev->kind == VIGIL_EV_SYMLINK ? "symbolic" : "hard",
			 ev->link.target ? ev->link.target : "?");
		how = what;
		ret = ev->link.ret;
		break;
	case VIGIL_EV_RENAME:
		ret = ev->link.ret;
		if (vigil_path_history(ev->link.path) &&
		    !own_rewrite(ev->link.path, ev->link.target)) {
			path = ev->link.path;
			how = "replaced by a rename over it";
		} else if (vigil_path_history(ev->link.target) &&
			   !own_rewrite(ev->link.target, ev->link.path)) {
			path = ev->link.target;
			how = "renamed away";
		} else {
			return 0;
		}
		break;
	case VIGIL_EV_EXEC:
		if (!ev->exec.history_off || !ev->exec.history_off[0])
			return 0;
		return detect_raise(r, VIGIL_V1107, ev->exec.history_off,
				    "%s started with shell history off (%s)",
				    ev->exec.path ? ev->exec.path : comm, ev->exec.history_off);
	default:
		return 0;
	}
	return detect_raise(r, VIGIL_V1107, path ? path : "", "shell history %s: %s, by %s%s", how,
			    path ? path : "", comm, ret < 0 ? " (denied)" : "");
}
