// SPDX-License-Identifier: Apache-2.0
/*
 * What an agent killed with SIGKILL leaves behind, cleaned up by the next one with the same
 * state directory (it holds the state directory's lock, so the dead one is really gone):
 *
 * - temporary files of atomic writes cut short (PATH.tmp.XXXXXX next to a profile, a
 *   checkpoint or the status file): removed;
 * - commands it started from `workloads:`: each runs in its own cgroup, recorded in
 *   STATE_DIR/commands/NAME (the cgroup id) before the command's first instruction. They ran
 *   unwatched since the crash, so they are not adopted: every process in that cgroup is
 *   ended (cgroup.kill) and the cgroup removed, and the agent starts one fresh, watched copy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "util/fileio.h"
#include "util/strutil.h"

static void remove_tmp_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !vigil_is_atomic_tmp(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			agent_logf("removed %s (a write cut short by a crash)", path);
	}
	closedir(d);
}

void agent_remove_stale_tmp(struct agent *a)
{
	char dir[PATH_MAX];

	remove_tmp_in(a->c->profiles_dir);
	remove_tmp_in(a->c->state_dir);
	snprintf(dir, sizeof(dir), "%s/learning", a->c->state_dir);
	remove_tmp_in(dir);
}

static void record_path(const struct agent *a, const char *name, char *buf, size_t size)
{
	char stem[160];
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof(stem); i++)
		stem[i] = name[i] == '/' || (i == 0 && name[i] == '.') ? '_' : name[i];
	stem[i] = '\0';
	snprintf(buf, size, "%s/commands/%s", a->c->state_dir, stem);
}

int agent_record_command(struct agent *a, const char *name, uint64_t cgroup_id)
{
	char path[PATH_MAX], text[32];

	snprintf(path, sizeof(path), "%s/commands", a->c->state_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	record_path(a, name, path, sizeof(path));
	snprintf(text, sizeof(text), "%" PRIu64 "\n", cgroup_id);
	return vigil_write_file_atomic(path, text, strlen(text), 0600, NULL);
}

void agent_forget_command(struct agent *a, const char *name)
{
	char path[PATH_MAX];

	record_path(a, name, path, sizeof(path));
	unlink(path);
}

/* The directory under CGROUP2/vigil whose inode is id (spawned cgroups live there). */
static bool find_cgroup(const struct agent *a, uint64_t id, char *buf, size_t size)
{
	char parent[PATH_MAX + 8];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	snprintf(parent, sizeof(parent), "%s/vigil", a->cg_root);
	d = opendir(parent);
	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || (uint64_t)st.st_ino != id)
			continue;
		snprintf(buf, size, "%s/%s", parent, de->d_name);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0) {
			/* reported by the caller: the cgroup stays populated */
		}
		close(fd);
	}
}

/* Ends every process of cgroup dir and removes it. Returns 0, or -EBUSY if it stays. */
static int end_cgroup(const char *dir)
{
	char path[2 * PATH_MAX + 32], line[32];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	if (access(path, F_OK) == 0) {
		write_text(path, "1");
	} else {
		/* before Linux 5.14: one by one (a fork in between is caught by the next pass) */
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		for (int pass = 0; pass < 10; pass++) {
			f = fopen(path, "re");
			while (f && fgets(line, sizeof(line), f))
				kill((pid_t)strtol(line, NULL, 10), SIGKILL);
			if (f)
				fclose(f);
		}
	}
	for (int i = 0; i < 250; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -EBUSY;
}

void agent_end_leftover_commands(struct agent *a)
{
	char dir[PATH_MAX], rec[PATH_MAX + 256], cg[2 * PATH_MAX], text[32];
	struct dirent *de;
	uint64_t id;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/commands", a->c->state_dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || vigil_is_atomic_tmp(de->d_name))
			continue;
		snprintf(rec, sizeof(rec), "%s/%s", dir, de->d_name);
		f = fopen(rec, "re");
		text[0] = '\0';
		if (f) {
			if (!fgets(text, sizeof(text), f))
				text[0] = '\0';
			fclose(f);
		}
		text[strcspn(text, "\n")] = '\0';
		if (vigil_parse_u64(text, &id) == 0 && a->cg_root[0] &&
		    find_cgroup(a, id, cg, sizeof(cg))) {
			if (end_cgroup(cg) == 0)
				agent_logf("%s: ended the command left by a previous agent (cgroup "
					   "%s): a fresh copy starts, watched from its start",
					   de->d_name, cg);
			else
				agent_logf("%s: cannot end the command left by a previous agent in "
					   "%s",
					   de->d_name, cg);
		}
		unlink(rec);
	}
	closedir(d);
}
