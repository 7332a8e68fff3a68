// SPDX-License-Identifier: Apache-2.0
/*
 * Which programs are shells and interpreters: what an attacker who got code execution in a
 * server starts first (a reverse shell, `sh -c id`, `python -c`, `perl -e`), and what a server
 * almost never needs. Judged on the executable's base name (argv[0]'s for a multi-call binary:
 * busybox runs as `sh`), with version suffixes (`python3.11`, `php8.2`, `perl5.36.0`).
 * A shell copied under another name is recognised by its content (shellsum.c).
 */
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/detect_paths.h"

static const char *const shells[] = {
	"sh",  "bash", "dash", "ash",  "ksh",	"ksh93", "mksh", "pdksh",
	"zsh", "csh",  "tcsh", "fish", "rbash", "yash",	 NULL,
};

/* interpreters, matched as NAME followed by nothing or a version ("3", "3.11", "5.36.0") */
static const char *const interpreters[] = {
	"python", "perl",  "ruby",    "php",   "node", "nodejs",     "lua",
	"luajit", "tclsh", "wish",    "awk",   "gawk", "mawk",	     "nawk",
	"expect", "pwsh",  "Rscript", "guile", "irb",  "jrunscript", NULL,
};

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool version_suffix(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
			return false;
	}
	return true;
}

static bool name_is(const char *name)
{
	for (size_t i = 0; shells[i]; i++) {
		if (!strcmp(name, shells[i]))
			return true;
	}
	for (size_t i = 0; interpreters[i]; i++) {
		size_t n = strlen(interpreters[i]);

		if (!strncmp(name, interpreters[i], n) && version_suffix(name + n))
			return true;
	}
	return false;
}

/* busybox's own test (its applet_name prefixed with "busybox"), and toybox's */
bool vigil_program_is_multi_call(const char *path)
{
	const char *b = path ? base(path) : "";

	return !strncmp(b, "busybox", 7) || !strncmp(b, "toybox", 6);
}

bool vigil_program_is_shell_or_interpreter(const char *path, const char *argv0)
{
	const char *b;

	if (!path || !path[0])
		return false;
	b = base(path);
	/* a multi-call binary is what argv[0] names (busybox sh, busybox cat); a login
	 * shell's argv[0] is "-sh" */
	if (vigil_program_is_multi_call(b)) {
		if (!argv0 || !argv0[0])
			return false;
		b = base(argv0);
		if (b[0] == '-')
			b++;
	}
	return name_is(b);
}

/* SSH clients (R1003), by the executable's name: OpenSSH's ssh, scp, sftp (which run ssh),
 * Dropbear's dbclient and busybox's applet, PuTTY's plink, autossh. */
static const char *const ssh_clients[] = {
	"ssh", "scp", "sftp", "dbclient", "plink", "autossh", NULL,
};

bool vigil_is_ssh_client(const char *exe, const char *argv0)
{
	const char *b;

	if (!exe || !exe[0])
		return false;
	b = base(exe);
	if ((vigil_program_is_multi_call(b) || !strcmp(b, "dropbearmulti")) && argv0 && argv0[0])
		b = base(argv0);
	for (size_t i = 0; ssh_clients[i]; i++) {
		if (!strcmp(b, ssh_clients[i]))
			return true;
	}
	return false;
}
