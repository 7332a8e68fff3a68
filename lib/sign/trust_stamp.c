// SPDX-License-Identifier: Apache-2.0
/*
 * A cheap fingerprint of a trust directory, so a long-running verifier (the agent) notices a
 * key removed, added, replaced or made writable without reading and parsing every key each
 * time: the identity of the directory and of each NAME.pub / NAME.scope file (device, inode,
 * size, mode, modification and change times), hashed in name order. inotify gives the news
 * sooner; this catches what inotify cannot see (another mount, a missed event).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sign/sign_internal.h"
#include "util/strutil.h"

#define STAMP_MAX_FILES 4096

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void hash_stat(EVP_MD_CTX *md, const char *name, const struct stat *st)
{
	/* fixed-width fields: the hash input cannot be ambiguous */
	long long f[9] = { (long long)st->st_dev,	  (long long)st->st_ino,
			   (long long)st->st_size,	  (long long)st->st_mode,
			   (long long)st->st_mtim.tv_sec, (long long)st->st_mtim.tv_nsec,
			   (long long)st->st_ctim.tv_sec, (long long)st->st_ctim.tv_nsec,
			   (long long)st->st_uid };

	EVP_DigestUpdate(md, name, strlen(name) + 1);
	EVP_DigestUpdate(md, f, sizeof(f));
}

int vigil_trust__dir_stamp(const char *dir, char *out, size_t size)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	EVP_MD_CTX *md = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int dfd, r = 0;

	if (size < 72)
		return -ENOSPC;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		/* a directory that is gone is a state too: a stamp that differs from any other */
		snprintf(out, size, "absent:%d", errno);
		return 0;
	}
	md = EVP_MD_CTX_new();
	d = fdopendir(dfd);
	if (!md || !d || fstat(dfd, &st) < 0 || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		r = -ENOMEM;
		goto out;
	}
	/* the directory itself: which one, and who may write it (not its times: a README
	 * written next to the keys changes nothing) */
	st.st_size = 0;
	memset(&st.st_mtim, 0, sizeof(st.st_mtim));
	memset(&st.st_ctim, 0, sizeof(st.st_ctim));
	hash_stat(md, ".", &st);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || (!vigil_str_has_suffix(de->d_name, ".pub") &&
					     !vigil_str_has_suffix(de->d_name, ".scope")))
			continue;
		if (n >= STAMP_MAX_FILES) {
			r = -E2BIG;
			goto out;
		}
		if (n == cap) {
			char **v = realloc(names, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!v) {
				r = -ENOMEM;
				goto out;
			}
			names = v;
			cap = cap ? cap * 2 : 16;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			memset(&st, 0, sizeof(st)); /* vanished between readdir and here */
		hash_stat(md, names[i], &st);
	}
	if (!EVP_DigestFinal_ex(md, h, &hlen)) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(out, "stat:", 5);
	/* as much of the digest as fits (size >= 72 holds all of SHA-256's) */
	vigil_hex(h, hlen < (size - 6) / 2 ? hlen : (size - 6) / 2, out + 5);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	else
		close(dfd);
	EVP_MD_CTX_free(md);
	return r;
}
