// SPDX-License-Identifier: Apache-2.0
/*
 * Replay protection: the version annotation is covered by the signature (and is the only
 * annotation that is), `vigil sign`'s default version always moves forward, and the store of
 * accepted versions refuses an older (or as old but different) signed document, per kind,
 * namespace, name and signer, across a save and a load.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "vigil/profile.h"
#include "vigil/sign.h"

static const char doc_text[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			       "kind: ContainerProfile\n"
			       "metadata:\n"
			       "  name: web\n"
			       "  namespace: shop\n"
			       "  annotations: {kubescape.io/managed-by: User}\n"
			       "spec:\n"
			       "  execs:\n"
			       "  - {path: /usr/bin/nginx, args: [nginx]}\n";

struct fx {
	char dir[64];
	struct vigil_sign_key *k, *k2;
	struct vigil_trust *t; /* k as "vendor", k2 as "other" */
};

static struct vigil_profile *load_text(const char *text)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;

	if (vigil_profile__load_buffer(text, strlen(text), "test.yaml", NULL, &p, &err) < 0)
		fail_msg("load: %d:%d: %s", err.line, err.column, err.message);
	return p;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	assert_non_null(f);
	buf = calloc(1, 4096);
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vigil_error err;
	char key[128], pub[160];
	char *pem;

	snprintf(f->dir, sizeof(f->dir), "/tmp/vigil-test-signv-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->t = vigil_trust__new();
	for (int i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s/%s", f->dir, i ? "other" : "vendor");
		assert_int_equal(vigil_sign__keygen(key, false, &err), 0);
		assert_int_equal(vigil_sign__key_load(key, i ? &f->k2 : &f->k, &err), 0);
		snprintf(pub, sizeof(pub), "%s.pub", key);
		pem = read_all(pub);
		assert_int_equal(vigil_trust__add(f->t, i ? "other" : "vendor", pem, strlen(pem),
						  NULL, 0, pub, &err),
				 0);
		free(pem);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	vigil_sign__key_free(f->k);
	vigil_sign__key_free(f->k2);
	vigil_trust__free(f->t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* doc_text, at version v (0 = none), signed with k (NULL = unsigned), exec path changed. */
static struct vigil_profile *make(const struct vigil_sign_key *k, uint64_t v, const char *exec)
{
	struct vigil_profile *p = load_text(doc_text);

	if (exec)
		assert_int_equal(vigil_profile__add_exec(p, 0, 0, exec, NULL, 0), 0);
	if (v)
		assert_int_equal(vigil_sign__set_version(p, 0, v), 0);
	if (k)
		assert_int_equal(vigil_sign__sign_profile(k, p, 0, "ci", 1763776800), 0);
	return p;
}

static enum vigil_sign_status status_of(struct fx *f, const struct vigil_profile *p)
{
	struct vigil_sign_verdict v;

	assert_int_equal(vigil_sign__verify_profile(f->t, p, 0, &v), 0);
	return v.status;
}

static void test_parse(void **state)
{
	static const char *const bad[] = { "",	  "0",
					   "007", "-1",
					   "+1",  " 1",
					   "1 ",  "1.0",
					   "1e3", "9007199254740992",
					   "x",	  "12345678901234567" };
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vigil_sign__parse_version("1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(vigil_sign__parse_version("9007199254740991", &v), 0);
	assert_int_equal(v, VIGIL_SIGN_VERSION_MAX);
	assert_int_equal(vigil_sign__parse_version("1763776800", &v), 0);
	assert_int_equal(v, 1763776800);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vigil_sign__parse_version(bad[i], &v), -EINVAL);
}

/* The version is in the canonical form (so signed); other annotations are not. */
static void test_canon_covers_version(void **state)
{
	struct fx *f = *state;
	struct vigil_profile *p = make(NULL, 0, NULL);
	struct vigil_buf c0 = VIGIL_BUF_INIT, c1 = VIGIL_BUF_INIT;

	assert_int_equal(vigil_profile__canon(p, 0, &c0), 0);
	assert_null(strstr(c0.data, "annotations"));
	assert_int_equal(vigil_sign__set_version(p, 0, 42), 0);
	assert_int_equal(vigil_profile__canon(p, 0, &c1), 0);
	assert_non_null(strstr(c1.data, "\"annotations\":{\"vigil.dev/profile-version\":\"42\"}"));
	assert_null(strstr(c1.data, "managed-by"));
	vigil_buf__release(&c0);
	vigil_buf__release(&c1);
	vigil_profile__free(p);

	/* changing the version of a signed document breaks its signature */
	p = make(f->k, 5, NULL);
	assert_int_equal(status_of(f, p), VIGIL_SIGN_VALID);
	assert_int_equal(vigil_sign__set_version(p, 0, 9), 0);
	assert_int_equal(status_of(f, p), VIGIL_SIGN_TAMPERED);
	/* ...and so does removing it */
	vigil_profile__free(p);
	p = make(f->k, 5, NULL);
	assert_int_equal(vigil_profile__set_annotation(p, 0, VIGIL_SIGN_ANN_VERSION, NULL), 0);
	assert_int_equal(status_of(f, p), VIGIL_SIGN_TAMPERED);
	vigil_profile__free(p);

	/* a signed version a verifier cannot read is malformed, not valid */
	p = make(NULL, 0, NULL);
	assert_int_equal(vigil_profile__set_annotation(p, 0, VIGIL_SIGN_ANN_VERSION, "007"), 0);
	assert_int_equal(vigil_sign__sign_profile(f->k, p, 0, "ci", 1), 0);
	assert_int_equal(status_of(f, p), VIGIL_SIGN_MALFORMED);
	vigil_profile__free(p);

	/* a signature made before versions existed still verifies */
	p = make(f->k, 0, NULL);
	assert_int_equal(status_of(f, p), VIGIL_SIGN_VALID);
	vigil_profile__free(p);
}

static void test_next_version(void **state)
{
	struct vigil_profile *p = make(NULL, 0, NULL);

	(void)state;
	assert_int_equal(vigil_sign__next_version(p, 0, 1000), 1000);
	assert_int_equal(vigil_sign__set_version(p, 0, 1000), 0);
	/* re-signing in the same second still moves forward */
	assert_int_equal(vigil_sign__next_version(p, 0, 1000), 1001);
	assert_int_equal(vigil_sign__next_version(p, 0, 2000), 2000);
	assert_int_equal(vigil_sign__next_version(p, 0, 0), 1001);
	assert_int_equal(vigil_sign__set_version(p, 0, 0), -EINVAL);
	assert_int_equal(vigil_sign__set_version(p, 0, VIGIL_SIGN_VERSION_MAX + 1), -EINVAL);
	vigil_profile__free(p);
}

static int check(struct vigil_sign_versions *v, const struct vigil_profile *p, const char *signer,
		 char *why)
{
	return vigil_sign_versions__check(v, p, 0, signer, why, 256);
}

static void test_store_refuses_rollback(void **state)
{
	struct fx *f = *state;
	struct vigil_sign_versions *v = vigil_sign_versions__new();
	struct vigil_profile *v5 = make(f->k, 5, "/usr/bin/curl"); /* the older, allows more */
	struct vigil_profile *v7 = make(f->k, 7, NULL);
	struct vigil_profile *v7b = make(f->k, 7, "/usr/bin/id");
	struct vigil_profile *v8 = make(f->k, 8, NULL);
	char why[256];

	assert_non_null(v);
	assert_int_equal(check(v, v7, "vendor", why), VIGIL_VERSION_NEW);
	assert_int_equal(vigil_sign_versions__record(v, v7, 0, "vendor"), 1);
	assert_int_equal(vigil_sign_versions__record(v, v7, 0, "vendor"), 0);
	assert_int_equal(check(v, v7, "vendor", why), VIGIL_VERSION_SAME);
	/* the replay */
	assert_int_equal(check(v, v5, "vendor", why), VIGIL_VERSION_ROLLBACK);
	assert_non_null(strstr(why, "version 5"));
	assert_non_null(strstr(why, "older than version 7"));
	/* the same version with other content is no newer */
	assert_int_equal(check(v, v7b, "vendor", why), VIGIL_VERSION_ROLLBACK);
	assert_non_null(strstr(why, "other content"));
	/* an unversioned signed document after a versioned one is older */
	{
		struct vigil_profile *u = make(f->k, 0, NULL);

		assert_int_equal(check(v, u, "vendor", why), VIGIL_VERSION_ROLLBACK);
		vigil_profile__free(u);
	}
	assert_int_equal(check(v, v8, "vendor", why), VIGIL_VERSION_NEW);
	/* per signer: another signer's record is separate */
	assert_int_equal(check(v, v5, "other", why), VIGIL_VERSION_NEW);
	/* an explicit rollback: recording the older one makes it the one in force */
	assert_int_equal(vigil_sign_versions__record(v, v5, 0, "vendor"), 1);
	assert_int_equal(check(v, v5, "vendor", why), VIGIL_VERSION_SAME);
	assert_int_equal(check(v, v7, "vendor", why), VIGIL_VERSION_NEW);
	assert_int_equal(vigil_sign_versions__count(v), 1);
	vigil_profile__free(v5);
	vigil_profile__free(v7);
	vigil_profile__free(v7b);
	vigil_profile__free(v8);
	vigil_sign_versions__free(v);
}

static void test_store_keys(void **state)
{
	struct fx *f = *state;
	struct vigil_sign_versions *v = vigil_sign_versions__new();
	struct vigil_profile *a = make(f->k, 9, NULL), *b;
	char why[256], *text;

	assert_int_equal(vigil_sign_versions__record(v, a, 0, "vendor"), 1);
	/* another namespace, another name, another kind: other records */
	text = strdup(doc_text);
	memcpy(strstr(text, "namespace: shop"), "namespace: shoq", 15);
	b = load_text(text);
	assert_int_equal(vigil_sign__set_version(b, 0, 1), 0);
	assert_int_equal(check(v, b, "vendor", why), VIGIL_VERSION_NEW);
	vigil_profile__free(b);
	memcpy(strstr(text, "name: web"), "name: wex", 9);
	b = load_text(text);
	assert_int_equal(check(v, b, "vendor", why), VIGIL_VERSION_UNVERSIONED);
	vigil_profile__free(b);
	free(text);
	/* unversioned before and now: nothing to compare (not protected, documented) */
	b = make(f->k2, 0, NULL);
	assert_int_equal(vigil_sign_versions__record(v, b, 0, "other"), 1);
	vigil_profile__free(b);
	b = make(f->k2, 0, "/usr/bin/id");
	assert_int_equal(check(v, b, "other", why), VIGIL_VERSION_UNVERSIONED);
	vigil_profile__free(b);
	vigil_profile__free(a);
	vigil_sign_versions__free(v);
}

static void test_store_persists(void **state)
{
	struct fx *f = *state;
	struct vigil_sign_versions *v = vigil_sign_versions__new(), *w = NULL;
	struct vigil_profile *v7 = make(f->k, 7, NULL), *v5 = make(f->k, 5, "/usr/bin/curl");
	struct vigil_error err = { 0 };
	char path[128], why[256];
	struct stat st;
	FILE *o;

	snprintf(path, sizeof(path), "%s/versions.json", f->dir);
	/* missing file: empty store */
	assert_int_equal(vigil_sign_versions__load(path, &w, &err), 0);
	assert_int_equal(vigil_sign_versions__count(w), 0);
	vigil_sign_versions__free(w);
	w = NULL;
	assert_int_equal(vigil_sign_versions__record(v, v7, 0, "vendor"), 1);
	assert_int_equal(vigil_sign_versions__save(v, path, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(vigil_sign_versions__load(path, &w, &err), 0);
	assert_int_equal(vigil_sign_versions__count(w), 1);
	/* a restart does not forget: the replay is still refused */
	assert_int_equal(check(w, v5, "vendor", why), VIGIL_VERSION_ROLLBACK);
	assert_int_equal(check(w, v7, "vendor", why), VIGIL_VERSION_SAME);
	vigil_sign_versions__free(w);
	w = NULL;

	/* a broken or repeated record is an error naming the file */
	o = fopen(path, "w");
	fputs("{\"records\":[{\"kind\":\"ContainerProfile\",\"namespace\":\"\",\"name\":\"x\","
	      "\"signer\":\"s\",\"version\":-3,\"digest\":\"sha256:00\"}]}",
	      o);
	fclose(o);
	assert_int_equal(vigil_sign_versions__load(path, &w, &err), -EINVAL);
	assert_null(w);
	assert_non_null(strstr(err.file, "versions.json"));
	o = fopen(path, "w");
	fputs("not json", o);
	fclose(o);
	assert_int_equal(vigil_sign_versions__load(path, &w, &err), -EINVAL);
	/* bounded before it is parsed */
	assert_int_equal(truncate(path, 2u << 20), 0);
	assert_int_equal(vigil_sign_versions__load(path, &w, &err), -EFBIG);
	assert_null(w);
	vigil_profile__free(v5);
	vigil_profile__free(v7);
	vigil_sign_versions__free(v);
}

static void stamp(const char *dir, char *out)
{
	assert_int_equal(vigil_trust__dir_stamp(dir, out, 80), 0);
}

/* Every change that matters to the trust set changes the stamp; other files do not. */
static void test_trust_stamp(void **state)
{
	struct fx *f = *state;
	char dir[160], path[200], path2[200], s0[80], s1[80];
	FILE *o;

	snprintf(dir, sizeof(dir), "%s/trust", f->dir);
	stamp(dir, s0);
	assert_true(!strncmp(s0, "absent:", 7));
	assert_int_equal(mkdir(dir, 0755), 0);
	stamp(dir, s1);
	assert_true(!strncmp(s1, "stat:", 5));
	assert_int_equal(strlen(s1), 5 + 64);
	assert_string_not_equal(s0, s1);

	snprintf(path, sizeof(path), "%s/vendor.pub", dir);
	snprintf(path2, sizeof(path2), "%s/vendor.pub", f->dir);
	{
		char *pem = read_all(path2);

		o = fopen(path, "w");
		fputs(pem, o);
		fclose(o);
		free(pem);
	}
	stamp(dir, s0);
	assert_string_not_equal(s0, s1);
	stamp(dir, s1);
	assert_string_equal(s0, s1); /* nothing changed: the same stamp */

	/* a file that is not a key or scope does not count */
	snprintf(path2, sizeof(path2), "%s/README", dir);
	o = fopen(path2, "w");
	fputs("x", o);
	fclose(o);
	stamp(dir, s1);
	assert_string_equal(s0, s1);

	/* made writable by others (the loader then refuses the directory) */
	assert_int_equal(chmod(path, 0666), 0);
	stamp(dir, s1);
	assert_string_not_equal(s0, s1);
	assert_int_equal(chmod(path, 0644), 0);
	stamp(dir, s0);
	/* a scope added */
	snprintf(path2, sizeof(path2), "%s/vendor.scope", dir);
	o = fopen(path2, "w");
	fclose(o);
	stamp(dir, s1);
	assert_string_not_equal(s0, s1);
	/* the key removed */
	unlink(path2);
	stamp(dir, s0);
	unlink(path);
	stamp(dir, s1);
	assert_string_not_equal(s0, s1);
	assert_int_equal(vigil_trust__dir_stamp(dir, s0, 16), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	     cmocka_unit_test(test_canon_covers_version),
		cmocka_unit_test(test_next_version), cmocka_unit_test(test_store_refuses_rollback),
		cmocka_unit_test(test_store_keys),   cmocka_unit_test(test_store_persists),
		cmocka_unit_test(test_trust_stamp),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
