// SPDX-License-Identifier: Apache-2.0
/* Container cgroups, found by walking the cgroup2 hierarchy (bounded depth and count). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/agent.h"

#define WALK_DEPTH 8
#define ID_LEN	   64

int vigil_cgroup2_mount(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPEROPTS */
		char *sep = strstr(line, " - "), *mp;
		char *fields[5];
		int n = 0;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		for (char *p = line; n < 5 && p < sep;) {
			fields[n++] = p;
			p = strchr(p, ' ');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n < 5)
			continue;
		mp = fields[4];
		vigil_strlcpy(buf, mp, size);
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

/* The container id in a cgroup directory name, or NULL. */
static const char *container_id(const char *name, char *id)
{
	static const char *const prefixes[] = { "libpod-", "docker-", "cri-containerd-", "crio-",
						"" };
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);
		size_t rest;

		if (strncmp(name, prefixes[i], pl))
			continue;
		rest = len - pl;
		if (rest != ID_LEN &&
		    !(rest == ID_LEN + 6 && !strcmp(name + pl + ID_LEN, ".scope")))
			continue;
		if (!vigil_is_hex(name + pl, ID_LEN))
			continue;
		memcpy(id, name + pl, ID_LEN);
		id[ID_LEN] = '\0';
		return id;
	}
	return NULL;
}

static int walk(const char *root, const char *rel, int depth,
		int (*fn)(const char *rel, const char *id, void *ctx), void *ctx)
{
	char path[4096], sub[4096], id[ID_LEN + 1];
	struct dirent *de;
	DIR *d;
	int err = 0;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	d = opendir(path);
	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub))
			continue;
		if (container_id(de->d_name, id))
			err = fn(sub, id, ctx);
		else if (depth < WALK_DEPTH)
			err = walk(root, sub, depth + 1, fn, ctx);
	}
	closedir(d);
	return err;
}

int vigil_find_containers(int (*fn)(const char *rel, const char *id, void *ctx), void *ctx)
{
	char root[4096];
	int err = vigil_cgroup2_mount(root, sizeof(root));

	if (err < 0)
		return err;
	return walk(root, "", 0, fn, ctx);
}
