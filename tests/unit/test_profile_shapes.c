// SPDX-License-Identifier: Apache-2.0
/*
 * Every profile fixture that Kubescape accepts, through what a user and the agent do with it
 * (issue 15): the files of tests/data/profiles, realworld/ (the shapes Kubescape users keep) and
 * warn/ (accepted with a warning). Each must load with no error (warnings allowed), fmt must be
 * a fixed point whose output reads back to the same canonical form, canon of every document,
 * show (describe), show --json, and the agent's binding (a matcher for every container the
 * file names, as sensor/agent/profiles.c compiles it) must all succeed. The CLI side of the
 * same files is tests/e2e/t6010 (realworld/) and t6000/t6001.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile/model.h"
#include "util/buf.h"
#include "vigil/profile.h"

#define DATA "tests/data/profiles"

static int checked;

static void fail_at(const char *path, const char *what, const struct vigil_error *err)
{
	char msg[1024];

	fail_msg("%s: %s%s%s", path, what, err ? ": " : "",
		 err ? vigil_error__format(err, msg, sizeof(msg)) : "");
}

/* The canonical form of every document, one after the other. */
static void canon_all(const char *path, const struct vigil_profile *p, struct vigil_buf *out)
{
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++)
		if (vigil_profile__canon(p, d, out) || vigil_buf__puts(out, "\n"))
			fail_at(path, "canon", NULL);
}

static void bind_container(const char *path, const struct vigil_profile *p,
			   const struct prof_container *c)
{
	struct vigil_matcher *m = NULL;

	/* a container without a name is the one a binding without a container name selects */
	if (vigil_matcher__new(p, c->name ? c->name : NULL, &m))
		fail_at(path, "the agent's binding (matcher)", NULL);
	vigil_matcher__free(m);
}

static void bind_list(const char *path, const struct vigil_profile *p,
		      const struct prof_containers *l)
{
	for (size_t i = 0; i < l->n; i++)
		bind_container(path, p, &l->v[i]);
}

static void check_file(const char *path)
{
	struct vigil_profile *p = NULL, *q = NULL;
	struct vigil_buf f1 = { 0 }, f2 = { 0 }, c1 = { 0 }, c2 = { 0 }, show = { 0 };
	struct vigil_error err;

	if (vigil_profile__load_file(path, NULL, &p, &err))
		fail_at(path, "load", &err);
	if (vigil_profile__emit_yaml(p, &f1))
		fail_at(path, "fmt", NULL);
	if (vigil_profile__load_buffer(f1.data, f1.len, "fmt.yaml", NULL, &q, &err))
		fail_at(path, "load of fmt", &err);
	if (vigil_profile__emit_yaml(q, &f2))
		fail_at(path, "fmt of fmt", NULL);
	if (f1.len != f2.len || memcmp(f1.data, f2.data, f1.len))
		fail_at(path, "fmt is no fixed point", NULL);
	canon_all(path, p, &c1);
	canon_all(path, q, &c2);
	if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len))
		fail_at(path, "fmt changed the canonical form", NULL);
	if (vigil_profile__describe(p, &show))
		fail_at(path, "show", NULL);
	vigil_buf__reset(&show);
	if (vigil_profile__emit_json(p, &show))
		fail_at(path, "show --json", NULL);
	for (size_t d = 0; d < p->ndocs; d++) {
		const struct prof_doc *doc = &p->docs[d];

		if (doc->kind == VIGIL_KIND_CONTAINER_PROFILE && !doc->containers.n &&
		    !doc->init_containers.n && !doc->ephemeral_containers.n) {
			bind_container(path, p, &doc->cp);
			continue;
		}
		bind_list(path, p, &doc->containers);
		bind_list(path, p, &doc->init_containers);
		bind_list(path, p, &doc->ephemeral_containers);
	}
	vigil_buf__release(&f1);
	vigil_buf__release(&f2);
	vigil_buf__release(&c1);
	vigil_buf__release(&c2);
	vigil_buf__release(&show);
	vigil_profile__free(q);
	vigil_profile__free(p);
	checked++;
}

static void check_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[512];

		if (!(len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) &&
		    !(len > 5 && !strcmp(e->d_name + len - 5, ".json")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		check_file(path);
	}
	closedir(d);
}

static void test_every_shape(void **state)
{
	(void)state;
	checked = 0;
	check_dir(DATA);
	check_dir(DATA "/realworld");
	check_dir(DATA "/warn");
	/* 40 files today: more than the 25 distinct shapes issue 15 asks for */
	assert_true(checked >= 40);
	print_message("%d profile files checked\n", checked);
}

/* A big learned profile: 20000 opens, 2000 execs, 300 neighbors, loaded and bound. */
static void test_big_shape(void **state)
{
	struct vigil_buf b = { .max = 64u << 20 };
	struct vigil_profile *p = NULL;
	struct vigil_matcher *m = NULL;
	struct vigil_error err;
	const char *argv[] = { "/usr/bin/worker-1999", "--shard=1999" };

	(void)state;
	assert_int_equal(vigil_buf__puts(&b, "apiVersion: spdx.softwarecomposition.kubescape.io/"
					     "v1beta1\nkind: ContainerProfile\n"
					     "metadata: {name: big}\nspec:\n  opens:\n"),
			 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(vigil_buf__printf(&b,
						   "  - {path: /var/lib/app/%05d/⋯/seg.db, "
						   "flags: [O_RDONLY, O_FASYNC, O_LARGEFILE]}\n",
						   i),
				 0);
	assert_int_equal(vigil_buf__puts(&b, "  execs:\n"), 0);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(vigil_buf__printf(&b,
						   "  - {path: /usr/bin/worker-%d, args: "
						   "[/usr/bin/worker-%d, '--shard=%d'], "
						   "argsRequired: yes}\n",
						   i, i, i),
				 0);
	assert_int_equal(vigil_buf__puts(&b, "  egress:\n"), 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(
			vigil_buf__printf(&b,
					  "  - {identifier: n%d, type: internal, "
					  "podSelector: {matchLabels: {app: a%d}}, "
					  "ports: [{name: TCP-%d, protocol: TCP, port: %d}]}\n",
					  i, i, 1000 + i, 1000 + i),
			0);
	if (vigil_profile__load_buffer(b.data, b.len, "big.yaml", NULL, &p, &err))
		fail_at("big.yaml", "load", &err);
	assert_int_equal(vigil_profile__note_count(p), 0);
	assert_int_equal(vigil_matcher__new(p, NULL, &m), 0);
	assert_int_equal(vigil_matcher__exec(m, "/usr/bin/worker-1999", argv, 2), VIGIL_MATCH_YES);
	assert_true(vigil_matcher__open(m, "/var/lib/app/19999/x/seg.db", 0));
	vigil_matcher__free(m);
	vigil_profile__free(p);
	vigil_buf__release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shape),
		cmocka_unit_test(test_big_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
