// SPDX-License-Identifier: Apache-2.0
/*
 * Shells and interpreters by content (V1100): `cp /bin/sh /tmp/x; /tmp/x -c id` is a shell
 * whatever its name. The set holds the SHA-256 of the host's shells and interpreters, taken
 * the first time a deviating exec needs it (the names programs.c knows, found in the usual
 * bin directories, and the shells /etc/shells lists), and of every shell or interpreter a
 * workload ran under its own name since (so a container's own /bin/sh counts once it ran).
 * An exec is then compared by the digest exe_digest.c computes of the file the kernel ran.
 * Bounded: at most SHELLSUM_MAX contents, files over SHELLSUM_MAX_FILE are not hashed.
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

#include <openssl/evp.h>

#include "sensor/detect/detect_internal.h"
#include "util/strutil.h"
#include "vigil/detect_paths.h"
#include "vigil/exe_digest.h"

#define SHELLSUM_MAX	  256
#define SHELLSUM_MAX_FILE (256u << 20) /* node is about 100 MiB */

struct sum {
	char hex[65];
	char path[256]; /* the program it is, for the message */
};

struct vigil_shellsum {
	struct sum v[SHELLSUM_MAX];
	size_t n;
	bool host_done;
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

static int sha256_file(const char *path, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct stat st;
	EVP_MD_CTX *ctx;
	ssize_t n = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SHELLSUM_MAX_FILE) {
		close(fd);
		return -EINVAL;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		r = -ENOMEM;
	while (!r && (n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			r = -EIO;
	if (!r && (n < 0 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32))
		r = -EIO;
	EVP_MD_CTX_free(ctx);
	close(fd);
	for (unsigned i = 0; !r && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	if (!r)
		hex[64] = '\0';
	return r;
}

/* A host file, once per content (/bin/sh and /usr/bin/dash are one file). */
static void add_file(struct vigil_shellsum *s, const char *path)
{
	char real[PATH_MAX], hex[65];

	if (!realpath(path, real) || sha256_file(real, hex))
		return;
	add(s, hex, real);
}

static void scan_dir(struct vigil_shellsum *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d)) && s->n < SHELLSUM_MAX) {
		if (de->d_name[0] == '.' ||
		    !vigil_program_is_shell_or_interpreter(de->d_name, NULL))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		add_file(s, path);
	}
	closedir(d);
}

static void scan_host(struct vigil_shellsum *s)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin",
					    "/sbin" };
	char line[PATH_MAX];
	FILE *f;

	s->host_done = true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		scan_dir(s, dirs[i]);
	f = fopen("/etc/shells", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < SHELLSUM_MAX) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '/')
			add_file(s, line);
	}
	fclose(f);
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
	if (!s->host_done)
		scan_host(s);
	m = find(s, hex);
	return m ? m->path : NULL;
}
