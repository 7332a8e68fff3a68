// SPDX-License-Identifier: Apache-2.0
/*
 * Path and flag classification shared by learning and detection: which opens the
 * sensitive-file rules look at, O_* flag names, /dev/shm and memfd executables.
 */
#include <fcntl.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/detect_paths.h"

/* True when path is dir itself or below it (component boundary). */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* /proc/<pid|self|thread-self>/ prefix length, 0 when path is not one. */
static size_t proc_pid_prefix(const char *path)
{
	const char *seg, *end;

	if (strncmp(path, "/proc/", 6))
		return 0;
	seg = path + 6;
	end = strchr(seg, '/');
	if (!end)
		return 0;
	if (vigil_all_digits(seg, (size_t)(end - seg)) ||
	    (end - seg == 4 && !strncmp(seg, "self", 4)) ||
	    (end - seg == 11 && !strncmp(seg, "thread-self", 11)) ||
	    (end - seg == 3 && !strncmp(seg, "\xe2\x8b\xaf", 3)))
		return (size_t)(end - path) + 1;
	return 0;
}

static bool is_environ(const char *path)
{
	size_t n = proc_pid_prefix(path);
	const char *rest;

	if (!n)
		return false;
	rest = path + n;
	if (!strcmp(rest, "environ"))
		return true;
	/* /proc/PID/task/TID/environ */
	if (!strncmp(rest, "task/", 5)) {
		const char *tid = rest + 5, *slash = strchr(tid, '/');

		return slash && !strcmp(slash, "/environ");
	}
	return false;
}

static bool is_token(const char *path)
{
	/* kubernetes.io, eks.amazonaws.com, ... all mount the token as .../serviceaccount/token */
	return strstr(path, "/serviceaccount/") && vigil_str_has_suffix(path, "/token");
}

static const char *const sensitive_exact[] = {
	"/etc/shadow",	"/etc/shadow-",		 "/etc/gshadow",       "/etc/gshadow-",
	"/etc/sudoers", "/etc/security/opasswd", "/etc/master.passwd", NULL,
};

static const char *const sensitive_dirs[] = {
	"/etc/sudoers.d",
	"/root/.ssh",
	"/etc/ssl/private",
	"/etc/kubernetes/pki",
	"/var/lib/kubelet/pki",
	"/etc/pki/tls/private",
	NULL,
};

const char *const *vigil_sensitive_files(void)
{
	return sensitive_exact;
}

const char *const *vigil_sensitive_dirs(void)
{
	return sensitive_dirs;
}

static const char *const token_dirs[] = {
	"/run/secrets/kubernetes.io/serviceaccount",
	"/var/run/secrets/kubernetes.io/serviceaccount",
	"/run/secrets/eks.amazonaws.com/serviceaccount",
	"/var/run/secrets/eks.amazonaws.com/serviceaccount",
	NULL,
};

const char *const *vigil_token_dirs(void)
{
	return token_dirs;
}

static bool is_sensitive(const char *path)
{
	const char *base;

	for (size_t i = 0; sensitive_exact[i]; i++) {
		if (!strcmp(path, sensitive_exact[i]))
			return true;
	}
	for (size_t i = 0; sensitive_dirs[i]; i++) {
		if (under(path, sensitive_dirs[i]) && strcmp(path, sensitive_dirs[i]))
			return true;
	}
	/* host keys and users' private keys */
	base = strrchr(path, '/');
	if (vigil_str_has_prefix(path, "/etc/ssh/ssh_host_") && !vigil_str_has_suffix(path, ".pub"))
		return true;
	if (vigil_str_has_prefix(path, "/home/") && base && strstr(path, "/.ssh/") &&
	    vigil_str_has_prefix(base, "/id_") && !vigil_str_has_suffix(path, ".pub"))
		return true;
	return false;
}

/*
 * The pod's own service-account directories, which Kubescape's R0002 leaves out altogether
 * (its `!event.path.startsWith(...)`): ca.crt and namespace are no anomaly; the token in them
 * is R0006's (is_token, looked at first). Kubescape names only the kubernetes.io ones; the
 * eks.amazonaws.com directory (the IRSA token alone) stays watched, as in Kubescape. A bare
 * prefix, as Kubescape's startsWith is: `.../serviceaccounts/x` is left out too.
 */
static const char *const r0002_skipped_prefixes[] = {
	"/run/secrets/kubernetes.io/serviceaccount",
	"/var/run/secrets/kubernetes.io/serviceaccount",
	NULL,
};

/*
 * Kubescape's R0002 paths: what is below these directories (its startsWith('/etc/'): the
 * directory itself is not watched), and two files.
 */
static const char *const watched_prefixes[] = {
	"/etc/", "/var/log/",	"/var/run/", "/run/", "/var/spool/cron/", "/var/www/", "/var/lib/",
	"/opt/", "/usr/local/", "/app/",     NULL,
};
static const char *const watched_files[] = { "/.dockerenv", "/proc/self/environ", NULL };

enum vigil_open_class vigil_open_class(const char *path)
{
	if (!path || path[0] != '/')
		return VIGIL_OPEN_OTHER;
	if (is_token(path))
		return VIGIL_OPEN_TOKEN;
	if (is_environ(path))
		return VIGIL_OPEN_ENVIRON;
	if (is_sensitive(path))
		return VIGIL_OPEN_SENSITIVE;
	for (size_t i = 0; r0002_skipped_prefixes[i]; i++) {
		if (vigil_str_has_prefix(path, r0002_skipped_prefixes[i]))
			return VIGIL_OPEN_OTHER;
	}
	for (size_t i = 0; watched_prefixes[i]; i++) {
		if (vigil_str_has_prefix(path, watched_prefixes[i]))
			return VIGIL_OPEN_WATCHED;
	}
	for (size_t i = 0; watched_files[i]; i++) {
		if (!strcmp(path, watched_files[i]))
			return VIGIL_OPEN_WATCHED;
	}
	return VIGIL_OPEN_OTHER;
}

bool vigil_path_is_memfd_exe(const char *path)
{
	size_t n;

	if (!path)
		return false;
	if (vigil_str_has_prefix(path, "/memfd:") || vigil_str_has_prefix(path, "memfd:"))
		return true;
	n = proc_pid_prefix(path);
	return n && !strncmp(path + n, "fd/", 3);
}

bool vigil_path_under_dev_shm(const char *path)
{
	return path && under(path, "/dev/shm");
}

bool vigil_path_sensitive_link_target(const char *target)
{
	return target && (vigil_str_has_prefix(target, "/etc/shadow") ||
			  vigil_str_has_prefix(target, "/etc/sudoers"));
}
