// SPDX-License-Identifier: Apache-2.0
/*
 * The trust set: pinned public keys, one per named signer, each with an optional scope. A
 * document's embedded key is compared with these by their DER SubjectPublicKeyInfo bytes, so
 * the same key in another PEM wrapping (or inside a certificate) still matches, and a fresh key
 * never does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sign/sign_internal.h"
#include "util/buf.h"
#include "util/strutil.h"

#define TRUST_MAX_KEYS 1024
#define TRUST_FILE_MAX (64u << 10)

struct signer {
	char name[VIGIL_SIGN_NAME_MAX + 1];
	EVP_PKEY *pkey;
	unsigned char *spki;
	size_t spki_len;
	struct vigil_scope *scope;
};

struct vigil_trust {
	struct signer *v;
	size_t n, cap;
};

struct vigil_trust *vigil_trust__new(void)
{
	return calloc(1, sizeof(struct vigil_trust));
}

void vigil_trust__free(struct vigil_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		EVP_PKEY_free(t->v[i].pkey);
		OPENSSL_free(t->v[i].spki);
		sign_scope_free(t->v[i].scope);
	}
	free(t->v);
	free(t);
}

size_t vigil_trust__count(const struct vigil_trust *t)
{
	return t->n;
}

const char *vigil_trust__name(const struct vigil_trust *t, size_t i)
{
	return i < t->n ? t->v[i].name : NULL;
}

bool vigil_trust__scoped(const struct vigil_trust *t, size_t i)
{
	return i < t->n && t->v[i].scope;
}

EVP_PKEY *sign_trust_key(const struct vigil_trust *t, size_t i)
{
	return t->v[i].pkey;
}

int sign_trust_find(const struct vigil_trust *t, const unsigned char *spki, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].spki_len == len && !memcmp(t->v[i].spki, spki, len))
			return (int)i;
	return -1;
}

int vigil_trust__in_scope(const struct vigil_trust *t, size_t i, const char *canon, size_t len,
			  char *reason, size_t reason_size)
{
	if (reason_size)
		reason[0] = '\0';
	if (i >= t->n)
		return -EINVAL;
	if (!t->v[i].scope)
		return 1;
	return sign_scope_check(t->v[i].scope, canon, len, reason, reason_size);
}

static bool valid_name(const char *name)
{
	size_t l = strlen(name);

	if (!l || l > VIGIL_SIGN_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < l; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '@'))
			return false;
	}
	return true;
}

static int trust_add(struct vigil_trust *t, const char *name, const char *pem, size_t pem_len,
		     const char *scope, size_t scope_len, const char *origin,
		     const char *scope_origin, struct vigil_error *err)
{
	struct signer s = { 0 };
	char why[128];
	int r;

	if (!valid_name(name))
		return vigil_error__set(err, -EINVAL, origin, 0, 0,
					"signer name \"%.64s\" must be 1-%d characters of "
					"A-Z a-z 0-9 . _ - @",
					name, VIGIL_SIGN_NAME_MAX);
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return vigil_error__set(err, -EEXIST, origin, 0, 0, "signer %s given twice",
						name);
	if (t->n >= TRUST_MAX_KEYS)
		return vigil_error__set(err, -E2BIG, origin, 0, 0, "more than %d trusted keys",
					TRUST_MAX_KEYS);
	vigil_strlcpy(s.name, name, sizeof(s.name));
	s.pkey = sign_pem_public(pem, pem_len, why, sizeof(why));
	if (!s.pkey)
		return vigil_error__set(err, -EINVAL, origin, 0, 0, "%s", why);
	r = sign_check_p256(s.pkey, why, sizeof(why));
	if (r < 0) {
		r = vigil_error__set(err, r, origin, 0, 0, "%s", why);
		goto fail;
	}
	r = sign_spki(s.pkey, &s.spki, &s.spki_len);
	if (r < 0) {
		r = vigil_error__set(err, r, origin, 0, 0, "cannot encode the public key");
		goto fail;
	}
	r = sign_trust_find(t, s.spki, s.spki_len);
	if (r >= 0) {
		r = vigil_error__set(err, -EEXIST, origin, 0, 0,
				     "same key as signer %s (one key, one signer name)",
				     t->v[r].name);
		goto fail;
	}
	if (scope) {
		r = sign_scope_parse(scope, scope_len, scope_origin, &s.scope, err);
		if (r < 0)
			goto fail;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct signer *v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			r = vigil_error__set(err, -ENOMEM, origin, 0, 0, "out of memory");
			goto fail;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = s;
	return 0;
fail:
	EVP_PKEY_free(s.pkey);
	OPENSSL_free(s.spki);
	sign_scope_free(s.scope);
	return r;
}

int vigil_trust__add(struct vigil_trust *t, const char *name, const char *pem, size_t pem_len,
		     const char *scope, size_t scope_len, const char *origin,
		     struct vigil_error *err)
{
	char sorigin[VIGIL_SIGN_NAME_MAX + 16];

	snprintf(sorigin, sizeof(sorigin), "%.64s.scope", name);
	return trust_add(t, name, pem, pem_len, scope, scope_len, origin, sorigin, err);
}

/*
 * Reads a trust file: regular, not writable by group or others (whoever can write it can add a
 * signer), at most TRUST_FILE_MAX bytes.
 */
static int read_trust_file(int dirfd, const char *dir, const char *file, struct vigil_buf *out,
			   struct vigil_error *err)
{
	char path[PATH_MAX];
	char chunk[4096];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return vigil_error__set(err, -errno, path, 0, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vigil_error__set(err, -EINVAL, path, 0, 0, "not a regular file");
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		return vigil_error__set(err, -EPERM, path, 0, 0,
					"writable by group or others (chmod go-w)");
	}
	out->max = TRUST_FILE_MAX;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = vigil_error__set(err, -errno, path, 0, 0, "%s", strerror(errno));
			break;
		}
		r = vigil_buf__append(out, chunk, (size_t)n);
		if (r < 0) {
			r = vigil_error__set(err, r, path, 0, 0, "larger than %u bytes",
					     TRUST_FILE_MAX);
			break;
		}
	}
	close(fd);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vigil_trust__load_dir(const char *dir, struct vigil_trust **ret, struct vigil_error *err)
{
	struct vigil_trust *t = NULL;
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int dfd, r = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vigil_error__set(err, -errno, dir, 0, 0, "%s", strerror(errno));
	if (fstat(dfd, &st) < 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(dfd);
		return vigil_error__set(err, -EPERM, dir, 0, 0,
					"trust directory writable by group or others (chmod go-w)");
	}
	d = fdopendir(dup(dfd));
	if (!d) {
		r = vigil_error__set(err, -errno, dir, 0, 0, "%s", strerror(errno));
		goto out;
	}
	/* Sorted, so errors and signer order do not depend on the file system. */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!vigil_str_has_suffix(de->d_name, ".pub") &&
		    !vigil_str_has_suffix(de->d_name, ".scope"))
			continue;
		if (nnames >= 2 * TRUST_MAX_KEYS) {
			r = vigil_error__set(err, -E2BIG, dir, 0, 0, "too many files");
			goto out;
		}
		if (nnames == cap) {
			char **v = realloc(names, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!v) {
				r = vigil_error__set(err, -ENOMEM, dir, 0, 0, "out of memory");
				goto out;
			}
			names = v;
			cap = cap ? cap * 2 : 16;
		}
		names[nnames] = strdup(de->d_name);
		if (!names[nnames]) {
			r = vigil_error__set(err, -ENOMEM, dir, 0, 0, "out of memory");
			goto out;
		}
		nnames++;
	}
	if (nnames)
		qsort(names, nnames, sizeof(*names), cmp_str);
	t = vigil_trust__new();
	if (!t) {
		r = vigil_error__set(err, -ENOMEM, dir, 0, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nnames; i++) {
		struct vigil_buf pem = VIGIL_BUF_INIT, scope = VIGIL_BUF_INIT;
		char stem[NAME_MAX + 1], scope_file[NAME_MAX + 8], path[PATH_MAX];
		bool has_scope;
		size_t l = strlen(names[i]);

		if (vigil_str_has_suffix(names[i], ".scope")) {
			char pub[NAME_MAX + 8];

			snprintf(stem, sizeof(stem), "%.*s", (int)(l - 6), names[i]);
			snprintf(pub, sizeof(pub), "%s.pub", stem);
			if (faccessat(dfd, pub, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
				snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
				r = vigil_error__set(err, -ENOENT, path, 0, 0,
						     "scope without a key (%s missing)", pub);
				goto out;
			}
			continue;
		}
		snprintf(stem, sizeof(stem), "%.*s", (int)(l - 4), names[i]);
		snprintf(scope_file, sizeof(scope_file), "%s.scope", stem);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		r = read_trust_file(dfd, dir, names[i], &pem, err);
		has_scope = faccessat(dfd, scope_file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		if (!r && has_scope)
			r = read_trust_file(dfd, dir, scope_file, &scope, err);
		if (!r) {
			char spath[PATH_MAX];

			snprintf(spath, sizeof(spath), "%s/%s", dir, scope_file);
			r = trust_add(t, stem, pem.data ? pem.data : "", pem.len,
				      has_scope ? (scope.data ? scope.data : "") : NULL, scope.len,
				      path, spath, err);
		}
		vigil_buf__release(&pem);
		vigil_buf__release(&scope);
		if (r < 0)
			goto out;
	}
	if (!t->n) {
		r = vigil_error__set(err, -ENOENT, dir, 0, 0, "no trusted keys (NAME.pub files)");
		goto out;
	}
	vigil_error__clear(err);
	*ret = t;
	t = NULL;
out:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	close(dfd);
	vigil_trust__free(t);
	return r;
}

int vigil_trust__load_pub(const char *path, struct vigil_trust **ret, struct vigil_error *err)
{
	struct vigil_buf pem = VIGIL_BUF_INIT;
	struct vigil_trust *t;
	char name[VIGIL_SIGN_NAME_MAX + 1];
	const char *base = strrchr(path, '/');
	FILE *f;
	char chunk[4096];
	size_t n;
	int r = 0;

	base = base ? base + 1 : path;
	vigil_strlcpy(name, base, sizeof(name));
	if (vigil_str_has_suffix(name, ".pub"))
		name[strlen(name) - 4] = '\0';
	if (!name[0])
		vigil_strlcpy(name, "key", sizeof(name));
	/* A file name is not a signer name: keep what is printable and valid. */
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '@'))
			*p = '_';
	if (name[0] == '.')
		name[0] = '_';
	f = fopen(path, "rb");
	if (!f)
		return vigil_error__set(err, -errno, path, 0, 0, "%s", strerror(errno));
	pem.max = TRUST_FILE_MAX;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		r = vigil_buf__append(&pem, chunk, n);
		if (r < 0) {
			r = vigil_error__set(err, r, path, 0, 0, "larger than %u bytes",
					     TRUST_FILE_MAX);
			break;
		}
	}
	fclose(f);
	if (r < 0) {
		vigil_buf__release(&pem);
		return r;
	}
	t = vigil_trust__new();
	if (!t) {
		vigil_buf__release(&pem);
		return vigil_error__set(err, -ENOMEM, path, 0, 0, "out of memory");
	}
	r = vigil_trust__add(t, name, pem.data ? pem.data : "", pem.len, NULL, 0, path, err);
	vigil_buf__release(&pem);
	if (r < 0) {
		vigil_trust__free(t);
		return r;
	}
	*ret = t;
	return 0;
}
