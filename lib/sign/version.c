// SPDX-License-Identifier: Apache-2.0
/*
 * Replay protection for signed profiles. A signature proves who made a document, not that it is
 * the newest one: whoever can write the profiles directory can put back an older signed profile
 * that allowed more. So a document carries a version inside its signed content
 * (VIGIL_SIGN_ANN_VERSION), and the verifier remembers, per (kind, namespace, name, signer),
 * the version and digest it accepted, refusing anything older.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign/sign_internal.h"
#include "util/fileio.h"
#include "util/strutil.h"
#include "vigil/profile.h"

#define VERSIONS_FILE_MAX    (1u << 20)
#define VERSIONS_RECORDS_MAX 16384

struct record {
	char *kind, *ns, *name;
	char signer[VIGIL_SIGN_NAME_MAX + 1];
	uint64_t version;
	char digest[72];
};

struct vigil_sign_versions {
	struct record *v;
	size_t n, cap;
};

int vigil_sign__parse_version(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	/* one spelling per number: digits only, no sign, no leading zero, no spaces */
	if (!s || s[0] < '1' || s[0] > '9')
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 16)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > VIGIL_SIGN_VERSION_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

int vigil_sign__profile_version(const struct vigil_profile *p, size_t doc, uint64_t *ret)
{
	const char *s = vigil_profile__annotation(p, doc, VIGIL_SIGN_ANN_VERSION);

	*ret = 0;
	if (!s)
		return -ENOENT;
	return vigil_sign__parse_version(s, ret);
}

int vigil_sign__set_version(struct vigil_profile *p, size_t doc, uint64_t version)
{
	char text[24];

	if (!version || version > VIGIL_SIGN_VERSION_MAX)
		return -EINVAL;
	snprintf(text, sizeof(text), "%" PRIu64, version);
	return vigil_profile__set_annotation(p, doc, VIGIL_SIGN_ANN_VERSION, text);
}

uint64_t vigil_sign__next_version(const struct vigil_profile *p, size_t doc, int64_t now)
{
	uint64_t cur = 0, next;

	vigil_sign__profile_version(p, doc, &cur);
	next = now > 0 ? (uint64_t)now : 1;
	if (cur >= next)
		next = cur + 1;
	return next > VIGIL_SIGN_VERSION_MAX ? VIGIL_SIGN_VERSION_MAX : next;
}

/* ---- the store ---------------------------------------------------------------------- */

struct vigil_sign_versions *vigil_sign_versions__new(void)
{
	return calloc(1, sizeof(struct vigil_sign_versions));
}

static void record_release(struct record *r)
{
	free(r->kind);
	free(r->ns);
	free(r->name);
}

void vigil_sign_versions__free(struct vigil_sign_versions *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		record_release(&v->v[i]);
	free(v->v);
	free(v);
}

size_t vigil_sign_versions__count(const struct vigil_sign_versions *v)
{
	return v ? v->n : 0;
}

static struct record *find(const struct vigil_sign_versions *v, const char *kind, const char *ns,
			   const char *name, const char *signer)
{
	for (size_t i = 0; i < v->n; i++) {
		struct record *r = &v->v[i];

		if (!strcmp(r->kind, kind) && !strcmp(r->ns, ns) && !strcmp(r->name, name) &&
		    !strcmp(r->signer, signer))
			return r;
	}
	return NULL;
}

static int add(struct vigil_sign_versions *v, const char *kind, const char *ns, const char *name,
	       const char *signer, uint64_t version, const char *digest)
{
	struct record r = { 0 };

	if (v->n >= VERSIONS_RECORDS_MAX)
		return -E2BIG;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		struct record *nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	r.kind = strdup(kind);
	r.ns = strdup(ns);
	r.name = strdup(name);
	if (!r.kind || !r.ns || !r.name) {
		record_release(&r);
		return -ENOMEM;
	}
	vigil_strlcpy(r.signer, signer, sizeof(r.signer));
	vigil_strlcpy(r.digest, digest, sizeof(r.digest));
	r.version = version;
	v->v[v->n++] = r;
	return 0;
}

/* The record key of one document, and its version and digest. */
struct doc_id {
	const char *kind, *ns, *name;
	uint64_t version;
	char digest[72];
};

static int doc_id(const struct vigil_profile *p, size_t doc, struct doc_id *id)
{
	int r;

	id->kind = vigil_profile_kind__name(vigil_profile__doc_kind(p, doc));
	id->ns = vigil_profile__doc_namespace(p, doc);
	id->name = vigil_profile__doc_name(p, doc);
	if (!id->ns)
		id->ns = "";
	if (!id->name)
		id->name = "";
	r = vigil_sign__profile_version(p, doc, &id->version);
	if (r < 0 && r != -ENOENT)
		return r;
	return vigil_sign__digest(p, doc, id->digest, sizeof(id->digest));
}

int vigil_sign_versions__check(const struct vigil_sign_versions *v, const struct vigil_profile *p,
			       size_t doc, const char *signer, char *reason, size_t reason_size)
{
	struct doc_id id;
	struct record *r;
	int e;

	if (reason_size)
		reason[0] = '\0';
	e = doc_id(p, doc, &id);
	if (e < 0)
		return e;
	r = find(v, id.kind, id.ns, id.name, signer ? signer : "");
	if (!r)
		return id.version ? VIGIL_VERSION_NEW : VIGIL_VERSION_UNVERSIONED;
	if (id.version > r->version)
		return VIGIL_VERSION_NEW;
	if (id.version == r->version && !strcmp(id.digest, r->digest))
		return VIGIL_VERSION_SAME;
	/* nothing to compare: a signer that never versions is not protected (documented) */
	if (!id.version && !r->version)
		return VIGIL_VERSION_UNVERSIONED;
	if (id.version == r->version)
		snprintf(reason, reason_size,
			 "version %" PRIu64 " of %s %s by %s was already accepted with other "
			 "content (%.19s...)",
			 id.version, id.kind, id.name, signer, r->digest);
	else
		snprintf(reason, reason_size,
			 "version %" PRIu64 " of %s %s by %s is older than version %" PRIu64
			 " already accepted (a replay)",
			 id.version, id.kind, id.name, signer, r->version);
	return VIGIL_VERSION_ROLLBACK;
}

int vigil_sign_versions__record(struct vigil_sign_versions *v, const struct vigil_profile *p,
				size_t doc, const char *signer)
{
	struct doc_id id;
	struct record *r;
	int e;

	e = doc_id(p, doc, &id);
	if (e < 0)
		return e;
	if (!signer)
		signer = "";
	r = find(v, id.kind, id.ns, id.name, signer);
	if (!r) {
		e = add(v, id.kind, id.ns, id.name, signer, id.version, id.digest);
		return e < 0 ? e : 1;
	}
	if (r->version == id.version && !strcmp(r->digest, id.digest))
		return 0;
	r->version = id.version;
	vigil_strlcpy(r->digest, id.digest, sizeof(r->digest));
	return 1;
}

/* ---- persistence -------------------------------------------------------------------- */

static int load_record(struct vigil_sign_versions *v, json_t *o)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *ns = json_string_value(json_object_get(o, "namespace"));
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *signer = json_string_value(json_object_get(o, "signer"));
	const char *digest = json_string_value(json_object_get(o, "digest"));
	json_t *ver = json_object_get(o, "version");

	if (!kind || !ns || !name || !signer || !digest || !json_is_integer(ver) ||
	    json_integer_value(ver) < 0 ||
	    (uint64_t)json_integer_value(ver) > VIGIL_SIGN_VERSION_MAX ||
	    strlen(signer) > VIGIL_SIGN_NAME_MAX || strlen(digest) >= 72)
		return -EINVAL;
	if (find(v, kind, ns, name, signer))
		return -EINVAL;
	return add(v, kind, ns, name, signer, (uint64_t)json_integer_value(ver), digest);
}

int vigil_sign_versions__load(const char *path, struct vigil_sign_versions **ret,
			      struct vigil_error *err)
{
	struct vigil_sign_versions *v = vigil_sign_versions__new();
	json_error_t je;
	json_t *root = NULL, *recs, *o;
	struct stat st;
	size_t i;
	int fd, r = 0;

	if (!v)
		return vigil_error__set(err, -ENOMEM, path, 0, 0, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		*ret = v;
		return 0;
	}
	if (fd < 0) {
		r = vigil_error__set(err, -errno, path, 0, 0, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VERSIONS_FILE_MAX) {
		close(fd);
		r = vigil_error__set(err, -EFBIG, path, 0, 0,
				     "not a regular file of at most %u bytes", VERSIONS_FILE_MAX);
		goto fail;
	}
	root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!root) {
		r = vigil_error__set(err, -EINVAL, path, je.line, je.column, "%s", je.text);
		goto fail;
	}
	recs = json_object_get(root, "records");
	if (!json_is_array(recs)) {
		r = vigil_error__set(err, -EINVAL, path, 0, 0, "no \"records\" list");
		goto fail;
	}
	json_array_foreach(recs, i, o)
	{
		r = load_record(v, o);
		if (r < 0) {
			r = vigil_error__set(err, r, path, 0, 0, "record %zu: %s", i + 1,
					     r == -EINVAL ? "malformed or repeated" : strerror(-r));
			goto fail;
		}
	}
	json_decref(root);
	*ret = v;
	return 0;
fail:
	json_decref(root);
	vigil_sign_versions__free(v);
	return r;
}

int vigil_sign_versions__save(const struct vigil_sign_versions *v, const char *path,
			      struct vigil_error *err)
{
	json_t *root = json_object(), *recs = json_array();
	char *text = NULL;
	int r = -ENOMEM;

	if (!root || !recs)
		goto out;
	json_object_set_new(root, "records", recs);
	recs = NULL;
	for (size_t i = 0; i < v->n; i++) {
		const struct record *rec = &v->v[i];
		json_t *o =
			json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "kind", rec->kind, "namespace",
				  rec->ns, "name", rec->name, "signer", rec->signer, "version",
				  (json_int_t)rec->version, "digest", rec->digest);

		if (!o || json_array_append_new(json_object_get(root, "records"), o) < 0)
			goto out;
	}
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text)
		goto out;
	r = vigil_write_file_atomic(path, text, strlen(text), 0600, err);
	free(text);
	json_decref(root);
	return r;
out:
	json_decref(recs);
	json_decref(root);
	return vigil_error__set(err, r, path, 0, 0, "out of memory");
}
