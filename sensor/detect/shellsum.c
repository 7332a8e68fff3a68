// SPDX-License-Identifier: Apache-2.0
/*
 * Shells and interpreters by content (V1100): `cp /bin/sh /tmp/x; /tmp/x -c id` is a shell
 * whatever its name. The set holds the SHA-256 of every shell or interpreter a workload ran
 * under its own name (so a container's own /bin/sh counts once it ran), and of the host's
 * shells and interpreters (the names programs.c knows, found in the usual bin directories, and
 * the shells /etc/shells lists). An exec is compared by the digest exe_digest.c computes of the
 * file the kernel ran.
 *
 * This runs on the event thread, at a deviating exec: the host's candidates are only listed
 * (one stat each) the first time, and one is hashed only when its size is the size of the file
 * that ran (a copy has the size of its original), so no exec pays for reading every
 * interpreter on the host (node alone is ~100 MiB). Bounded: SHELLSUM_MAX digests,
 * SHELLSUM_HOST_MAX host candidates.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sensor/detect/detect_internal.h"
#include "util/strutil.h"
#include "vigil/detect_paths.h"
#include "vigil/exe_digest.h"

#define SHELLSUM_MAX	  256
#define SHELLSUM_HOST_MAX 256

struct sum {
	char hex[65];
	char path[256]; /* the program it is, for the message */
};

/* A host shell or interpreter not hashed yet (its size says whether it could be the one). */
struct candidate {
	char path[256];
	uint64_t size;
	bool hashed;
};

struct vigil_shellsum {
	struct sum v[SHELLSUM_MAX];
	size_t n;
	struct candidate host[SHELLSUM_HOST_MAX];
	size_t nhost;
	bool host_listed;
};

struct vigil_shellsum *vigil_shellsum__new(void)
{
	return calloc(1, sizeof(struct vigil_shellsum));
}

void vigil_shellsum__free(struct vigil_shellsum *s)
{
	free(s);
}

static const struct sum *find(const struct vigil_shellsum *s, const char *hex)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].hex, hex))
			return &s->v[i];
	return NULL;
}

static void add(struct vigil_shellsum *s, const char *hex, const char *path)
{
	if (find(s, hex) || s->n >= SHELLSUM_MAX)
		return;
	vigil_strlcpy(s->v[s->n].hex, hex, sizeof(s->v[s->n].hex));
	vigil_strlcpy(s->v[s->n].path, path, sizeof(s->v[s->n].path));
	s->n++;
}

/* A host file, once per file (/bin/sh and /usr/bin/dash are one). */
static void list_file(struct vigil_shellsum *s, const char *path)
{
	char real[PATH_MAX];
	struct stat st;

	if (s->nhost >= SHELLSUM_HOST_MAX || !realpath(path, real) || stat(real, &st) ||
	    !S_ISREG(st.st_mode) || (uint64_t)st.st_size > VIGIL_EXE_DIGEST_MAX_FILE ||
	    strlen(real) >= sizeof(s->host[0].path))
		return;
	for (size_t i = 0; i < s->nhost; i++)
		if (!strcmp(s->host[i].path, real))
			return;
	vigil_strlcpy(s->host[s->nhost].path, real, sizeof(s->host[s->nhost].path));
	s->host[s->nhost++].size = (uint64_t)st.st_size;
}

static void list_dir(struct vigil_shellsum *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d)) && s->nhost < SHELLSUM_HOST_MAX) {
		/* a multi-call binary too: what its copy runs is told by its argv
		 * (eval_exec.c) */
		if (de->d_name[0] == '.' ||
		    (!vigil_program_is_shell_or_interpreter(de->d_name, NULL) &&
		     !vigil_program_is_multi_call(de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		list_file(s, path);
	}
	closedir(d);
}

static void list_host(struct vigil_shellsum *s)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin",
					    "/sbin" };
	char line[PATH_MAX];
	FILE *f;

	s->host_listed = true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		list_dir(s, dirs[i]);
	f = fopen("/etc/shells", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->nhost < SHELLSUM_HOST_MAX) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '/')
			list_file(s, line);
	}
	fclose(f);
}

/* The host's candidates of this size, hashed into the set (each once). */
static void hash_host_of_size(struct vigil_shellsum *s, uint64_t size)
{
	char hex[65];

	for (size_t i = 0; i < s->nhost; i++) {
		struct candidate *c = &s->host[i];
		int fd;

		if (c->hashed || c->size != size)
			continue;
		c->hashed = true;
		fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;
		if (!vigil_sha256_fd(fd, c->size, hex))
			add(s, hex, c->path);
		close(fd);
	}
}

void vigil_shellsum__ran(struct vigil_shellsum *s, struct vigil_exe_digests *digests,
			 const struct vigil_event *ev, const char *path)
{
	char hex[65];

	if (s && vigil_exe_digests__of(digests, ev, hex) == 0)
		add(s, hex, path);
}

const char *vigil_shellsum__copy_of(struct vigil_shellsum *s, struct vigil_exe_digests *digests,
				    const struct vigil_event *ev)
{
	const struct sum *m;
	char hex[65];

	if (!s || vigil_exe_digests__of(digests, ev, hex))
		return NULL;
	if ((m = find(s, hex)))
		return m->path;
	if (!s->host_listed)
		list_host(s);
	hash_host_of_size(s, ev->exec.size);
	m = find(s, hex);
	return m ? m->path : NULL;
}
