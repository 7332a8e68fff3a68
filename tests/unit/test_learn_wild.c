// SPDX-License-Identifier: Apache-2.0
/*
 * A name the workload wrote that a profile reads as a wildcard (`*`, `⋯`) is never learned as
 * one (sensor/learn/wild.c, issues 11 and 14): for each field learning fills from a name (an
 * opened path, a rename's names, an exec path, an exec argument, a DNS name, an HTTP path),
 * a workload that used such a name while learning is still caught, watched, when it uses
 * another name in its place; the learned profile holds no `*` and no `⋯` but learning's own
 * (a volatile shape), and an ordinary name next to it is learned as before.
 */
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "util/buf.h"
#include "vigil/detect.h"
#include "vigil/learn.h"
#include "vigil/profile.h"

#define CG 779
#define W  "\xe2\x8b\xaf"

static struct vigil_workload wl = {
	.cgroup_id = CG, .cgroup_path = "/vigil/wild", .container_id = "", .name = "wild"
};

/* One event of a field, with the name (or argument) given. */
enum field {
	F_OPEN,
	F_RENAME,
	F_EXEC_PATH,
	F_ARG,
	F_DNS,
	F_HTTP
};

static void make(enum field f, const char *name, struct vigil_event *ev, struct vigil_process *p,
		 const char **argv)
{
	memset(ev, 0, sizeof(*ev));
	memset(p, 0, sizeof(*p));
	p->pid = 10;
	p->ppid = 1;
	snprintf(p->comm, sizeof(p->comm), "app");
	p->exe = "/usr/bin/app";
	argv[0] = "app";
	argv[1] = f == F_ARG ? name : "-v";
	p->argv = argv;
	p->argc = 2;
	ev->workload = &wl;
	ev->proc = p;
	ev->time_ns = 1000;
	switch (f) {
	case F_OPEN:
		ev->kind = VIGIL_EV_OPEN;
		ev->open.path = name;
		/* written in /tmp (V1102 judges writes there), read elsewhere (R0002) */
		ev->open.flags = strncmp(name, "/tmp/", 5) ? O_RDONLY : O_WRONLY | O_CREAT;
		ev->open.ret = 3;
		break;
	case F_RENAME:
		ev->kind = VIGIL_EV_RENAME;
		ev->link.path = "/srv/app/new.tmp";
		ev->link.target = name;
		break;
	case F_EXEC_PATH:
	case F_ARG:
		ev->kind = VIGIL_EV_EXEC;
		ev->exec.path = f == F_EXEC_PATH ? name : "/usr/bin/app";
		break;
	case F_DNS:
		ev->kind = VIGIL_EV_DNS;
		ev->dns.name = name;
		ev->dns.qtype = 1;
		break;
	case F_HTTP:
		ev->kind = VIGIL_EV_HTTP;
		ev->net.proto = IPPROTO_TCP;
		ev->net.direction = VIGIL_DIR_INBOUND;
		ev->net.local.family = AF_INET;
		ev->net.local.port = 8080;
		ev->net.remote.family = AF_INET;
		ev->net.remote.port = 40000;
		ev->net.http_method = "GET";
		ev->net.http_path = name;
		break;
	}
}

static int collect(const struct vigil_alert *alert, void *ctx)
{
	json_array_append_new(ctx, vigil_alert__json(alert));
	return 0;
}

/* The rules one event of field f named `name` raises against p, space-separated. */
static const char *rules(const struct vigil_profile *p, enum field f, const char *name, char *buf,
			 size_t size)
{
	static const char *const all[] = { "all", NULL };
	struct vigil_detect_opts o = { .enabled = all };
	struct vigil_detector *d = vigil_detector__new(&o);
	json_t *alerts = json_array();
	struct vigil_process p2;
	struct vigil_event ev;
	const char *argv[2];
	size_t used = 0;

	assert_non_null(d);
	assert_int_equal(vigil_detector__bind(d, CG, p, NULL, NULL), 0);
	make(f, name, &ev, &p2, argv);
	assert_true(vigil_detector__event(d, &ev, collect, alerts) >= 0);
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(alerts); i++)
		used += (size_t)snprintf(
			buf + used, size - used, "%s%s", used ? " " : "",
			json_string_value(json_object_get(json_array_get(alerts, i), "rule_id")));
	json_decref(alerts);
	vigil_detector__free(d);
	return buf;
}

/* Learns one event of field f named `name` (and an ordinary open and request); returns the profile and
 * how many entries were left out. */
static struct vigil_profile *learn(enum field f, const char *name, size_t *left_out)
{
	struct vigil_learn_opts lo = { .name = "wild" };
	struct vigil_learner *l = vigil_learner__new(&lo);
	struct vigil_profile *p = NULL;
	struct vigil_process proc;
	struct vigil_event ev;
	const char *argv[2];

	assert_non_null(l);
	make(f, name, &ev, &proc, argv);
	assert_int_equal(vigil_learner__event(l, &ev), 0);
	make(F_OPEN, "/srv/app/ordinary.conf", &ev, &proc, argv);
	assert_int_equal(vigil_learner__event(l, &ev), 0);
	/* V1108 judges only a profile with endpoints */
	make(F_HTTP, "/healthz", &ev, &proc, argv);
	assert_int_equal(vigil_learner__event(l, &ev), 0);
	*left_out = vigil_learner__left_out(l);
	assert_int_equal(vigil_learner__finish(l, false, &p), 0);
	vigil_learner__free(l);
	return p;
}

/* The learned profile, as YAML, holds no wildcard (its names carry none of their own). */
static void no_wildcard_in(const struct vigil_profile *p, const char *name)
{
	struct vigil_buf y = VIGIL_BUF_INIT;

	assert_int_equal(vigil_profile__emit_yaml(p, &y), 0);
	assert_non_null(strstr(y.data, "/srv/app/ordinary.conf"));
	if (memmem(y.data, y.len, W, strlen(W)) || (memchr(y.data, '*', y.len)))
		fail_msg("learned from %s:\n%s", name, y.data);
	vigil_buf__release(&y);
}

struct wild_case {
	enum field f;
	const char *learned, *watched;
	enum field wf;	  /* the watched event's field */
	const char *want; /* rules the watched event raises (before the fix: none) */
};

static void test_wild_names_not_learned(void **state)
{
	static const struct wild_case cases[] = {
		/* a directory named `*`: mid-path, zero or more segments (V1102: a write in a
		 * directory the profile never writes in; R0002: a read under /opt) */
		{ F_OPEN, "/tmp/x/*/f", "/tmp/x/other/f", F_OPEN, "V1102" },
		{ F_OPEN, "/opt/x/*/f", "/opt/x/other/f", F_OPEN, "R0002" },
		{ F_OPEN, "/opt/x/*/f", "/opt/x/a/b/f", F_OPEN, "R0002" },
		/* a file named `*`: trailing, one or more segments */
		{ F_OPEN, "/opt/data/*", "/opt/data/other", F_OPEN, "R0002" },
		/* a name `⋯`: one segment */
		{ F_OPEN, "/opt/data/" W "/f", "/opt/data/other/f", F_OPEN, "R0002" },
		/* inside a name: the builder refuses it, so it was never learned either */
		{ F_OPEN, "/var/log/*.log", "/var/log/*.log", F_OPEN, "R0002" },
		/* a rename's names are learned as writes of them */
		{ F_RENAME, "/tmp/x/*/f", "/tmp/x/other/f", F_OPEN, "V1102" },
		/* the program's path */
		{ F_EXEC_PATH, "/opt/*/tool", "/opt/a/b/tool", F_EXEC_PATH, "R0001" },
		{ F_EXEC_PATH, "/opt/" W "/tool", "/opt/evil/tool", F_EXEC_PATH, "R0001" },
		/* an argument: ⋯ is one argument, ⋯⋯ any, ⋯ in a '/'-segment one segment; the
		 * exec is left out, so the program itself is news */
		{ F_ARG, W, "--upload=/etc/passwd", F_ARG, "R0001" },
		{ F_ARG, W W, "--upload=/etc/passwd", F_ARG, "R0001" },
		{ F_ARG, "/srv/" W "/in", "/srv/secret/in", F_ARG, "R0001" },
		/* a DNS label: `*` one label (leading) or one or more (trailing), ⋯ one */
		{ F_DNS, "*.example.com", "exfil-data.example.com", F_DNS, "R0005" },
		{ F_DNS, "example.*", "example.evil.net", F_DNS, "R0005" },
		{ F_DNS, "api." W ".example.com", "api.x.example.com", F_DNS, "R0005" },
		/* an HTTP path segment */
		{ F_HTTP, "/api/*", "/api/admin/users", F_HTTP, "V1108" },
		{ F_HTTP, "/api/" W "/x", "/api/admin/x", F_HTTP, "V1108" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct wild_case *c = &cases[i];
		size_t left_out = 0;
		struct vigil_profile *p = learn(c->f, c->learned, &left_out);
		const char *got;

		got = rules(p, c->wf, c->watched, buf, sizeof(buf));
		if (!strstr(got, c->want))
			fail_msg("learned %s, watched %s: raised \"%s\", want %s", c->learned,
				 c->watched, got, c->want);
		no_wildcard_in(p, c->learned);
		if (left_out != 1)
			fail_msg("%s: %zu entries left out, want 1", c->learned, left_out);
		vigil_profile__free(p);
	}
}

/* Names without a wildcard character are learned as before; `*` is plain text in arguments. */
static void test_plain_names_learned(void **state)
{
	static const struct wild_case cases[] = {
		{ F_OPEN, "/opt/x/star/f", "/opt/x/star/f", F_OPEN, "" },
		{ F_ARG, "*", "*", F_ARG, "" },
		{ F_ARG, "/srv/*.txt", "/srv/*.txt", F_ARG, "" },
		{ F_EXEC_PATH, "/opt/app/tool", "/opt/app/tool", F_EXEC_PATH, "" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct wild_case *c = &cases[i];
		size_t left_out = 0;
		struct vigil_profile *p = learn(c->f, c->learned, &left_out);

		assert_int_equal(left_out, 0);
		assert_string_equal(rules(p, c->wf, c->watched, buf, sizeof(buf)), c->want);
		vigil_profile__free(p);
	}
	/* a `*` argument stays a literal: another argument in its place is news */
	{
		size_t left_out;
		struct vigil_profile *p = learn(F_ARG, "*", &left_out);

		assert_non_null(strstr(rules(p, F_ARG, "/etc/shadow", buf, sizeof(buf)), "R0040"));
		vigil_profile__free(p);
	}
}

/* The helpers: which names are wild, and the argument helpers refuse them. */
static void test_wild_helpers(void **state)
{
	char buf[256];

	(void)state;
	assert_true(vigil_learn_wild_name("/tmp/*"));
	assert_true(vigil_learn_wild_name("/a/b" W "c"));
	assert_true(vigil_learn_wild_name("*.example.com"));
	assert_false(vigil_learn_wild_name("/tmp/x"));
	assert_false(vigil_learn_wild_name(NULL));
	assert_true(vigil_learn_wild_arg(W W));
	assert_false(vigil_learn_wild_arg("*"));
	assert_null(vigil_learn_generalize_arg(W, buf, sizeof(buf)));
	assert_null(vigil_learn_generalize_arg("/tmp/" W "/out", buf, sizeof(buf)));
	assert_null(vigil_learn_generalize_program("/tmp/" W "/x", buf, sizeof(buf)));
	assert_null(vigil_learn_normalize_path("/tmp/x/*/f", buf, sizeof(buf)));
	assert_null(vigil_learn_normalize_path("/tmp/" W, buf, sizeof(buf)));
	assert_string_equal(vigil_learn_normalize_path("/tmp/x/y/f", buf, sizeof(buf)),
			    "/tmp/x/y/f");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wild_helpers),
		cmocka_unit_test(test_wild_names_not_learned),
		cmocka_unit_test(test_plain_names_learned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
