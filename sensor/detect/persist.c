// SPDX-License-Identifier: Apache-2.0
/*
 * Persistence paths: where a write makes code run again later, or lets the attacker back in
 * (MITRE TA0003): SSH keys of any user, cron and at, systemd units and init scripts, shell
 * start-up files, accounts, sudoers, PAM, udev rules and modules loaded at boot; and the
 * hooks a root tool runs on its own later: the dynamic linker's search path (ld.so.conf.d:
 * a library of the attacker's found before libc's, T1574.006), modprobe's install commands
 * (run as root at the next module load, T1547.006), APT and dpkg hooks (at the next package
 * operation), logrotate's postrotate scripts (daily, as root), sysctl files (a
 * kernel.core_pattern pipe set again at every boot) and xinetd services. A directory
 * counts as a whole, because tools write a temporary file there and rename it into place
 * (Redis' SAVE writes temp-PID.rdb next to its dbfilename). /etc/ld.so.preload is R1011's
 * (Kubescape's LD_PRELOAD rule), not listed here.
 */
#include <string.h>

#include "util/strutil.h"
#include "vigil/detect_paths.h"

/* anything written under these directories */
static const char *const persist_dirs[] = {
	"/var/spool/cron",
	"/etc/cron.d",
	"/etc/cron.hourly",
	"/etc/cron.daily",
	"/etc/cron.weekly",
	"/etc/cron.monthly",
	"/var/spool/anacron",
	"/etc/systemd/system",
	"/etc/systemd/user",
	"/run/systemd/system",
	"/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/usr/lib/systemd/user",
	"/etc/init.d",
	"/etc/rc.d",
	"/etc/profile.d",
	"/etc/sudoers.d",
	"/etc/pam.d",
	"/etc/udev/rules.d",
	"/etc/modules-load.d",
	"/etc/update-motd.d",
	"/etc/xdg/autostart",
	"/etc/ld.so.conf.d",
	"/etc/modprobe.d",
	"/lib/modprobe.d",
	"/usr/lib/modprobe.d",
	"/etc/apt/apt.conf.d",
	"/etc/dpkg/dpkg.cfg.d",
	"/etc/logrotate.d",
	"/etc/sysctl.d",
	"/etc/xinetd.d",
	"/etc/NetworkManager/dispatcher.d",
	NULL,
};

static const char *const persist_files[] = {
	"/etc/crontab",	   "/etc/anacrontab",  "/etc/rc.local",
	"/etc/profile",	   "/etc/bash.bashrc", "/etc/environment",
	"/etc/passwd",	   "/etc/shadow",      "/etc/group",
	"/etc/gshadow",	   "/etc/sudoers",     "/etc/ssh/sshd_config",
	"/etc/zsh/zshrc",  "/etc/zshrc",       "/etc/zprofile",
	"/etc/ld.so.conf", "/etc/sysctl.conf", "/etc/logrotate.conf",
	"/etc/ssh/sshrc",  "/etc/inittab",     NULL,
};

/* start-up files in any home directory (the last path component) */
static const char *const home_files[] = {
	".bashrc", ".bash_profile", ".bash_login",	".bash_logout", ".profile",
	".zshrc",  ".zprofile",	    ".zshenv",		".zlogin",	".cshrc",
	".tcshrc", ".kshrc",	    ".pam_environment", NULL,
};

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && path[n] == '/';
}

bool vigil_path_persistence(const char *path)
{
	const char *base;

	if (!path || path[0] != '/')
		return false;
	for (size_t i = 0; persist_dirs[i]; i++) {
		if (under(path, persist_dirs[i]))
			return true;
	}
	for (size_t i = 0; persist_files[i]; i++) {
		if (!strcmp(path, persist_files[i]))
			return true;
	}
	/* any user's ~/.ssh (authorized_keys, rc, environment; a file renamed into place),
	 * systemd user units and autostart entries in any home */
	if (strstr(path, "/.ssh/") || strstr(path, "/.config/systemd/user/") ||
	    strstr(path, "/.config/autostart/"))
		return true;
	base = strrchr(path, '/') + 1;
	for (size_t i = 0; home_files[i]; i++) {
		if (!strcmp(base, home_files[i]))
			return true;
	}
	return false;
}

bool vigil_open_flags_write(uint32_t flags)
{
	/* O_WRONLY 01, O_RDWR 02, O_CREAT 0100, O_TRUNC 01000, O_APPEND 02000 */
	return (flags & 03) || (flags & (0100 | 01000 | 02000));
}
