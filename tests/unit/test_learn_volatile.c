// SPDX-License-Identifier: Apache-2.0
/*
 * Issue 14 ("Noise"): a script in a container's own PID namespace names its files by $$, a
 * 1 to 3 digit number. Learned once with one PID, a rerun with another is quiet (the counter
 * before an extension in an argument, the PID-named file in /run); the same profile still
 * alerts on another program, another argument where the program's input was, and on a token
 * read next to the PID file (the ⋯ in /run is one segment).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vigil/detect.h"
#include "vigil/learn.h"
#include "vigil/profile.h"

#define CG 778

static struct vigil_workload wl = {
	.cgroup_id = CG, .cgroup_path = "/vigil/job", .container_id = "", .name = "job"
};

/* One run: `cp /srv/in out-PID.log`, then the PID file /run/job.PID.pid written. prog and
 * src change the program and its input (an attack); open, when set, is opened instead. */
struct run {
	uint32_t pid;
	const char *prog, *src, *open;
	uint32_t open_flags;
};

static int feed(const struct run *r, int (*fn)(const struct vigil_event *, void *), void *ctx)
{
	struct vigil_process p = { .pid = r->pid, .ppid = 1, .comm = "cp" };
	char out[32], pidfile[64];
	const char *argv[3];
	struct vigil_event ev;
	int err = 0;

	snprintf(out, sizeof(out), "out-%u.log", r->pid);
	snprintf(pidfile, sizeof(pidfile), "/run/job.%u.pid", r->pid);
	argv[0] = strrchr(r->prog, '/') + 1;
	argv[1] = r->src;
	argv[2] = out;
	p.exe = r->prog;
	p.argv = argv;
	p.argc = 3;
	memset(&ev, 0, sizeof(ev));
	ev.kind = VIGIL_EV_EXEC;
	ev.workload = &wl;
	ev.proc = &p;
	ev.time_ns = 1000;
	ev.exec.path = r->prog;
	err |= fn(&ev, ctx);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VIGIL_EV_OPEN;
	ev.workload = &wl;
	ev.proc = &p;
	ev.time_ns = 2000;
	ev.open.path = r->open ? r->open : pidfile;
	ev.open.flags = r->open ? r->open_flags : O_WRONLY | O_CREAT | O_TRUNC;
	ev.open.ret = 3;
	err |= fn(&ev, ctx);
	return err;
}

static int learn_fn(const struct vigil_event *ev, void *ctx)
{
	return vigil_learner__event(ctx, ev) < 0;
}

static int collect(const struct vigil_alert *alert, void *ctx)
{
	json_array_append_new(ctx, vigil_alert__json(alert));
	return 0;
}

struct ctx {
	struct vigil_detector *d;
	json_t *alerts;
};

static int detect_collect(const struct vigil_event *ev, void *ctx)
{
	struct ctx *c = ctx;

	return vigil_detector__event(c->d, ev, collect, c->alerts) < 0;
}

/* The rules the run raised, space-separated, in order. */
static const char *rules(const struct run *r, const struct vigil_profile *p, char *buf, size_t size)
{
	static const char *const all[] = { "all", NULL };
	struct vigil_detect_opts o = { .enabled = all };
	struct ctx c = { .alerts = json_array() };
	size_t used = 0;

	c.d = vigil_detector__new(&o);
	assert_non_null(c.d);
	assert_int_equal(vigil_detector__bind(c.d, CG, p, NULL, NULL), 0);
	assert_int_equal(feed(r, detect_collect, &c), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(c.alerts); i++) {
		const char *id =
			json_string_value(json_object_get(json_array_get(c.alerts, i), "rule_id"));

		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", id);
	}
	json_decref(c.alerts);
	vigil_detector__free(c.d);
	return buf;
}

static void test_small_pids(void **state)
{
	struct vigil_learn_opts lo = { .name = "job" };
	struct vigil_learner *l = vigil_learner__new(&lo);
	struct run learn = { .pid = 7, .prog = "/usr/bin/cp", .src = "/srv/in" };
	struct run rerun = { .pid = 42, .prog = "/usr/bin/cp", .src = "/srv/in" };
	struct run other_prog = { .pid = 42, .prog = "/usr/bin/mv", .src = "/srv/in" };
	struct run other_arg = { .pid = 42, .prog = "/usr/bin/cp", .src = "/srv/secret" };
	struct run token = { .pid = 42,
			     .prog = "/usr/bin/cp",
			     .src = "/srv/in",
			     .open = "/run/secrets/kubernetes.io/serviceaccount/token",
			     .open_flags = O_RDONLY };
	struct vigil_profile *p = NULL;
	char buf[256];

	(void)state;
	assert_non_null(l);
	assert_int_equal(feed(&learn, learn_fn, l), 0);
	assert_int_equal(vigil_learner__finish(l, false, &p), 0);
	vigil_learner__free(l);

	assert_string_equal(rules(&rerun, p, buf, sizeof(buf)), "");
	assert_string_equal(rules(&other_prog, p, buf, sizeof(buf)), "R0001");
	assert_string_equal(rules(&other_arg, p, buf, sizeof(buf)), "R0040");
	assert_string_equal(rules(&token, p, buf, sizeof(buf)), "R0006");
	vigil_profile__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_pids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
