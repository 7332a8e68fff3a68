// SPDX-License-Identifier: Apache-2.0
/*
 * R1004's facts: is an executable on a volume mounted into the workload? Kubescape asks the
 * pod's spec for its volume mounts; Vigil asks the kernel, which also knows the volumes of a
 * plain container (podman -v) and mounts made after start: the process's own mount table
 * (/proc/PID/mountinfo) names the mount the executable's path is under.
 *
 * A volume is any mount but the root filesystem, the kernel's pseudo filesystems (proc, sysfs,
 * cgroup, devpts, ...) and the scratch tmpfs a runtime mounts itself (/dev, /dev/shm, /run,
 * /tmp, /var/tmp): a bind mount of a host directory, an emptyDir, a configMap or secret, NFS,
 * a block device. Workloads in the host's mount namespace (pid 1's, or the sensor's own when
 * it may not look at pid 1's) have no volumes in this sense: there /home or /boot are just
 * the host's filesystems. A program gone before its mount table is read is judged by its
 * parent's (a shell that waits for it shares its mounts); when both are gone, R0001 says it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/detect/detect_internal.h"
#include "util/strutil.h"
#include "vigil/detect_paths.h"

static const char *const pseudo_fs[] = {
	"proc",	      "sysfs",	 "cgroup",  "cgroup2",	 "devpts",   "mqueue",	   "devtmpfs",
	"securityfs", "debugfs", "tracefs", "bpf",	 "configfs", "pstore",	   "binfmt_misc",
	"fusectl",    "autofs",	 "nsfs",    "hugetlbfs", "efivarfs", "rpc_pipefs", NULL,
};

static const char *const runtime_tmpfs[] = {
	"/dev", "/dev/shm", "/dev/mqueue", "/run", "/run/lock", "/tmp", "/var/tmp", NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		if (!strcmp(s, list[i]))
			return true;
	}
	return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo; decodes in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* mp is path itself or a directory above it, as whole segments. */
static size_t covers(const char *mp, const char *path)
{
	size_t n = strlen(mp);

	if (!strcmp(mp, "/"))
		return 1;
	if (strncmp(mp, path, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return 0;
	return n;
}

bool vigil_mountinfo_volume(const char *text, size_t len, const char *path, char *mnt, size_t size)
{
	char line[4096], best_mp[4096] = "", best_fs[64] = "";
	size_t best = 0, off = 0;

	if (!text || !path || path[0] != '/')
		return false;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
		char *f[6], *sep, *save = NULL, *fs;
		size_t k;
		int nf = 0;

		if (l < sizeof(line)) {
			memcpy(line, text + off, l);
			line[l] = '\0';
			/* id parent major:minor root mountpoint options [optional...] - fstype ... */
			sep = strstr(line, " - ");
			if (sep) {
				*sep = '\0';
				fs = strtok_r(sep + 3, " ", &save);
				save = NULL;
				for (char *t = strtok_r(line, " ", &save); t && nf < 6;
				     t = strtok_r(NULL, " ", &save))
					f[nf++] = t;
				if (nf >= 5 && fs) {
					unescape(f[4]);
					k = covers(f[4], path);
					/* the longest mount point wins; of equal ones the last
					 * (mounted over the others) */
					if (k && k >= best) {
						best = k;
						vigil_strlcpy(best_mp, f[4], sizeof(best_mp));
						vigil_strlcpy(best_fs, fs, sizeof(best_fs));
					}
				}
			}
		}
		off += l + 1;
	}
	if (!best || !strcmp(best_mp, "/") || in_list(best_fs, pseudo_fs))
		return false;
	if ((!strcmp(best_fs, "tmpfs") || !strcmp(best_fs, "devtmpfs")) &&
	    in_list(best_mp, runtime_tmpfs))
		return false;
	if (mnt && size)
		vigil_strlcpy(mnt, best_mp, size);
	return true;
}

static int mntns_of(uint32_t pid, ino_t *ino)
{
	char file[40];
	struct stat st;

	snprintf(file, sizeof(file), "/proc/%u/ns/mnt", pid);
	if (stat(file, &st) < 0)
		return -1;
	*ino = st.st_ino;
	return 0;
}

bool vigil_exec_mount(uint32_t pid, uint32_t ppid, const char *path, char *mnt, size_t size)
{
	enum {
		MOUNTINFO_MAX = 256 * 1024
	};
	static ino_t host;
	uint32_t pids[2] = { pid, ppid };
	ino_t ns;

	/* the host's: pid 1's, or (not allowed to look at pid 1) the sensor's own, which is the
	 * host's when it runs on the host */
	if (!host && mntns_of(1, &host) < 0 && mntns_of((uint32_t)getpid(), &host) < 0)
		return false;
	/* the process itself, or (gone already) its parent, which usually shares its mounts */
	for (int i = 0; i < 2; i++) {
		char file[40], *buf;
		size_t len = 0;
		ssize_t n;
		bool found;
		int fd;

		if (!pids[i] || mntns_of(pids[i], &ns) < 0)
			continue;
		if (ns == host)
			return false;
		snprintf(file, sizeof(file), "/proc/%u/mountinfo", pids[i]);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		buf = malloc(MOUNTINFO_MAX);
		if (!buf) {
			close(fd);
			return false;
		}
		while (len < MOUNTINFO_MAX && (n = read(fd, buf + len, MOUNTINFO_MAX - len)) > 0)
			len += (size_t)n;
		close(fd);
		found = vigil_mountinfo_volume(buf, len, path, mnt, size);
		free(buf);
		return found;
	}
	return false;
}

bool detect_exec_mount(const struct vigil_event *ev, char *mnt, size_t size)
{
	const char *path = ev->exec.path;

	if (!ev->proc || !path || path[0] != '/')
		return false;
	return vigil_exec_mount(ev->proc->pid, ev->proc->ppid, path, mnt, size);
}
