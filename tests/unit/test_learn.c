// SPDX-License-Identifier: Apache-2.0
/*
 * Learning on synthetic event streams: the same behaviour learned twice (other pids, other
 * temp names, other order of repeats) gives the same file; what was learned, detection then
 * accepts (a rerun raises nothing) and a deviation is still caught.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "profile/wildcard.h"
#include "util/buf.h"
#include "vigil/detect.h"
#include "vigil/learn.h"
#include "vigil/profile.h"

#define CG 777

static struct vigil_workload wl = {
	.cgroup_id = CG, .cgroup_path = "/vigil/svc", .container_id = "", .name = "svc"
};

/* One run of a small service: pid base and temp-name suffix vary between runs. */
struct run {
	uint32_t pid;
	const char *tmpname;
	uint64_t t;
	bool extra_exec; /* a deviation for the detection side */
};

static int feed(struct run *r, int (*fn)(const struct vigil_event *, void *), void *ctx)
{
	struct vigil_process p = { .pid = r->pid, .ppid = 1, .comm = "svc", .exe = "/usr/bin/svc" };
	struct vigil_process child = {
		.pid = r->pid + 1, .ppid = r->pid, .comm = "sh", .exe = "/bin/sh"
	};
	const char *argv[] = { "svc", "--config", "/etc/svc.conf" };
	const char *cargv[] = { "sh", "-c", "date" };
	char procpath[64], tmppath[64];
	struct vigil_event ev;
	int err = 0;

	p.argv = argv;
	p.argc = 3;
	child.argv = cargv;
	child.argc = 3;
#define EV(k, pr)                            \
	do {                                 \
		memset(&ev, 0, sizeof(ev));  \
		ev.kind = (k);               \
		ev.workload = &wl;           \
		ev.proc = (pr);              \
		ev.time_ns = (r->t += 1000); \
	} while (0)

	EV(VIGIL_EV_EXEC, &p);
	ev.exec.path = "/usr/bin/svc";
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_OPEN, &p);
	ev.open.path = "/etc/ld.so.cache";
	ev.open.flags = O_RDONLY | O_CLOEXEC;
	ev.open.ret = 3;
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_OPEN, &p);
	ev.open.path = "/etc/svc.conf";
	ev.open.flags = O_RDONLY;
	ev.open.ret = 3;
	err |= fn(&ev, ctx);
	/* a loader probe that fails: not learned, and not an alert later */
	EV(VIGIL_EV_OPEN, &p);
	ev.open.path = "/etc/ld.so.preload";
	ev.open.flags = O_RDONLY | O_CLOEXEC;
	ev.open.ret = -ENOENT;
	err |= fn(&ev, ctx);
	snprintf(procpath, sizeof(procpath), "/proc/%u/stat", r->pid);
	EV(VIGIL_EV_OPEN, &p);
	ev.open.path = procpath;
	ev.open.flags = O_RDONLY;
	ev.open.ret = 4;
	err |= fn(&ev, ctx);
	snprintf(tmppath, sizeof(tmppath), "/tmp/svc.%s", r->tmpname);
	EV(VIGIL_EV_OPEN, &p);
	ev.open.path = tmppath;
	ev.open.flags = O_RDWR | O_CREAT | O_EXCL;
	ev.open.ret = 5;
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_DNS, &p);
	ev.dns.name = "api.example.com";
	ev.dns.qtype = 1;
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_CONNECT, &p);
	ev.net.proto = IPPROTO_TCP;
	ev.net.direction = VIGIL_DIR_OUTBOUND;
	ev.net.remote.family = AF_INET;
	ev.net.remote.port = 443;
	inet_pton(AF_INET, "127.0.0.5", ev.net.remote.addr);
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_DNS, &p);
	ev.dns.name = "metrics.example.com";
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_CAPABILITY, &p);
	ev.cap.name = "CAP_NET_BIND_SERVICE";
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_IOURING_OP, &p);
	ev.iouring.opname = "READ";
	err |= fn(&ev, ctx);
	EV(VIGIL_EV_EXEC, &child);
	ev.exec.path = "/bin/sh";
	err |= fn(&ev, ctx);
	/* the same again: repeats change nothing */
	EV(VIGIL_EV_OPEN, &p);
	ev.open.path = "/etc/svc.conf";
	ev.open.flags = O_RDONLY;
	ev.open.ret = 3;
	err |= fn(&ev, ctx);
	if (r->extra_exec) {
		const char *xargv[] = { "nc", "-e", "/bin/sh" };
		struct vigil_process x = { .pid = r->pid + 2,
					   .ppid = r->pid,
					   .comm = "nc",
					   .exe = "/usr/bin/nc",
					   .argv = xargv,
					   .argc = 3 };

		EV(VIGIL_EV_EXEC, &x);
		ev.exec.path = "/usr/bin/nc";
		err |= fn(&ev, ctx);
	}
#undef EV
	return err;
}

static int learn_fn(const struct vigil_event *ev, void *ctx)
{
	return vigil_learner__event(ctx, ev) < 0;
}

static char *learn_yaml(struct run *r, bool partial, struct vigil_profile **ret)
{
	struct vigil_learn_opts o = { .name = "svc" };
	struct vigil_learner *l = vigil_learner__new(&o);
	struct vigil_buf out = VIGIL_BUF_INIT;
	struct vigil_profile *p = NULL;

	assert_non_null(l);
	assert_int_equal(feed(r, learn_fn, l), 0);
	assert_int_equal(vigil_learner__add_syscall(l, "read"), 0);
	assert_int_equal(vigil_learner__add_syscall(l, "openat"), 0);
	assert_int_equal(vigil_learner__finish(l, partial, &p), 0);
	assert_int_equal(vigil_learner__finish(l, partial, &p), -EINVAL);
	vigil_learner__free(l);
	assert_int_equal(vigil_profile__emit_yaml(p, &out), 0);
	if (ret)
		*ret = p;
	else
		vigil_profile__free(p);
	return vigil_buf__steal(&out, NULL);
}

static void test_deterministic(void **state)
{
	struct run a = { .pid = 1200, .tmpname = "Xa81kQ", .t = 1000 };
	struct run b = { .pid = 98765, .tmpname = "p0ZZt9", .t = 5000000 };
	char *ya = learn_yaml(&a, false, NULL), *yb = learn_yaml(&b, false, NULL);

	assert_string_equal(ya, yb);
	/* what a person reads in it */
	assert_non_null(strstr(ya, "kind: ContainerProfile"));
	assert_non_null(strstr(ya, "/usr/bin/svc"));
	assert_non_null(strstr(ya, "/etc/svc.conf"));
	assert_non_null(strstr(ya, "/proc/\xe2\x8b\xaf/stat"));
	assert_non_null(strstr(ya, "/tmp/\xe2\x8b\xaf"));
	assert_non_null(strstr(ya, "api.example.com"));
	assert_non_null(strstr(ya, "metrics.example.com"));
	assert_non_null(strstr(ya, "127.0.0.5"));
	assert_non_null(strstr(ya, "CAP_NET_BIND_SERVICE"));
	assert_non_null(strstr(ya, "iouring"));
	assert_non_null(strstr(ya, "kubescape.io/status: completed"));
	assert_non_null(strstr(ya, "kubescape.io/completion: complete"));
	assert_null(strstr(ya, "ld.so.preload"));
	assert_null(strstr(ya, "1200"));
	assert_null(strstr(ya, "Xa81kQ"));
	free(ya);
	free(yb);
}

static void test_labels(void **state)
{
	struct vigil_learn_opts o = { .name = "web",
				      .workload_kind = "Container",
				      .workload_name = "web" };
	struct vigil_learner *l = vigil_learner__new(&o);
	struct vigil_buf out = VIGIL_BUF_INIT;
	struct vigil_profile *p = NULL;

	assert_non_null(l);
	assert_int_equal(vigil_learner__add_syscall(l, "read"), 0);
	assert_int_equal(vigil_learner__finish(l, true, &p), 0);
	vigil_learner__free(l);
	assert_int_equal(vigil_profile__emit_yaml(p, &out), 0);
	assert_non_null(strstr(out.data, "kubescape.io/workload-kind: Container"));
	assert_non_null(strstr(out.data, "kubescape.io/workload-name: web"));
	assert_non_null(strstr(out.data, "kubescape.io/workload-container-name: web"));
	assert_non_null(strstr(out.data, "- read"));
	vigil_buf__release(&out);
	vigil_profile__free(p);
}

/* A workload that runs ever new programs: memory stays bounded, the profile says too-large. */
static void test_too_large(void **state)
{
	struct vigil_learn_opts o = { .name = "fork-bomb" };
	struct vigil_learner *l = vigil_learner__new(&o);
	struct vigil_process p = { .pid = 1, .comm = "x" };
	struct vigil_profile *prof = NULL;
	struct vigil_event ev = { .kind = VIGIL_EV_EXEC, .workload = &wl, .proc = &p };
	const char *argv[] = { "x" };
	char path[64];

	assert_non_null(l);
	p.argv = argv;
	p.argc = 1;
	for (int i = 0; i < 42000; i++) {
		/* not under /tmp: generated-looking names there are one learned path */
		snprintf(path, sizeof(path), "/opt/gen/x%d", i);
		ev.exec.path = path;
		assert_int_equal(vigil_learner__event(l, &ev), 0);
	}
	assert_int_equal(vigil_learner__finish(l, false, &prof), 0);
	vigil_learner__free(l);
	assert_true(vigil_profile__entry_count(prof) < 42000);
	assert_string_equal(vigil_profile__annotation(prof, 0, "kubescape.io/status"), "too-large");
	assert_string_equal(vigil_profile__annotation(prof, 0, "kubescape.io/completion"),
			    "partial");
	vigil_profile__free(prof);
}

static void test_partial(void **state)
{
	struct run a = { .pid = 10, .tmpname = "AAAA11", .t = 1 };
	char *y = learn_yaml(&a, true, NULL);

	assert_non_null(strstr(y, "kubescape.io/completion: partial"));
	free(y);
}

struct detect_ctx {
	struct vigil_detector *d;
	json_t *alerts;
};

static int collect(const struct vigil_alert *alert, void *ctx)
{
	json_array_append_new(ctx, vigil_alert__json(alert));
	return 0;
}

static int detect_fn(const struct vigil_event *ev, void *ctx)
{
	struct detect_ctx *c = ctx;

	return vigil_detector__event(c->d, ev, collect, c->alerts) < 0;
}

static void test_learned_then_detected(void **state)
{
	struct run learn = { .pid = 300, .tmpname = "k2LmN8", .t = 1 };
	struct run rerun = { .pid = 4000, .tmpname = "Zq90aB", .t = 1000000000 };
	struct run attack = {
		.pid = 5000, .tmpname = "Yy77uu", .t = 2000000000, .extra_exec = true
	};
	struct vigil_profile *p = NULL;
	struct detect_ctx c = { .d = vigil_detector__new(NULL), .alerts = json_array() };
	char *y = learn_yaml(&learn, false, &p);

	free(y);
	assert_int_equal(vigil_detector__bind(c.d, CG, p, NULL, NULL), 0);
	vigil_profile__free(p);
	assert_int_equal(feed(&rerun, detect_fn, &c), 0);
	assert_int_equal(json_array_size(c.alerts), 0);
	assert_int_equal(feed(&attack, detect_fn, &c), 0);
	assert_int_equal(json_array_size(c.alerts), 1);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(c.alerts, 0), "rule_id")),
		"R0001");
	json_decref(c.alerts);
	vigil_detector__free(c.d);
}

/*
 * A checkpoint written to a file and read back by a new learner (an agent restarted after a
 * crash) continues the learning: the result is the same as one learner seeing everything.
 */
static void test_checkpoint_continues(void **state)
{
	struct vigil_learn_opts o = { .name = "svc" };
	struct run first = { .pid = 300, .tmpname = "k2LmN8", .t = 1 };
	struct run second = { .pid = 4000, .tmpname = "Zq90aB", .t = 9000, .extra_exec = true };
	struct run first2 = first, second2 = second;
	struct vigil_learner *a = vigil_learner__new(&o), *b = vigil_learner__new(&o);
	struct vigil_learner *whole = vigil_learner__new(&o);
	struct vigil_buf file = VIGIL_BUF_INIT, yb = VIGIL_BUF_INIT, yw = VIGIL_BUF_INIT;
	struct vigil_profile *snap = NULL, *back = NULL, *pb = NULL, *pw = NULL;
	struct vigil_error err;

	assert_int_equal(feed(&first, learn_fn, a), 0);
	assert_int_equal(vigil_learner__snapshot(a, &snap), 0);
	/* learning goes on after a snapshot */
	assert_int_equal(vigil_learner__add_syscall(a, "read"), 0);
	assert_int_equal(vigil_profile__emit_yaml(snap, &file), 0);
	assert_non_null(strstr(file.data, "/usr/bin/svc"));
	assert_null(strstr(file.data, "kubescape.io/status"));
	assert_int_equal(vigil_profile__load_buffer(file.data, file.len, "checkpoint.yaml", NULL,
						    &back, &err),
			 0);
	assert_int_equal(vigil_learner__seed(b, back), 0);
	assert_int_equal(feed(&second, learn_fn, b), 0);
	assert_int_equal(vigil_learner__finish(b, true, &pb), 0);

	assert_int_equal(feed(&first2, learn_fn, whole), 0);
	assert_int_equal(feed(&second2, learn_fn, whole), 0);
	assert_int_equal(vigil_learner__finish(whole, true, &pw), 0);
	assert_int_equal(vigil_profile__emit_yaml(pb, &yb), 0);
	assert_int_equal(vigil_profile__emit_yaml(pw, &yw), 0);
	assert_string_equal(yb.data, yw.data);

	/* a checkpoint of another workload is refused, not merged in as a second document */
	{
		struct vigil_learn_opts o2 = { .name = "other" };
		struct vigil_learner *c = vigil_learner__new(&o2);

		assert_int_equal(vigil_learner__seed(c, back), -EINVAL);
		vigil_learner__free(c);
	}
	assert_int_equal(vigil_learner__snapshot(b, &snap), -EINVAL); /* finished */
	vigil_buf__release(&file);
	vigil_buf__release(&yb);
	vigil_buf__release(&yw);
	vigil_profile__free(snap);
	vigil_profile__free(back);
	vigil_profile__free(pb);
	vigil_profile__free(pw);
	vigil_learner__free(a);
	vigil_learner__free(b);
	vigil_learner__free(whole);
}

static void test_normalize(void **state)
{
	char buf[256];

	assert_string_equal(vigil_learn_normalize_path("/proc/1234/stat", buf, sizeof(buf)),
			    "/proc/\xe2\x8b\xaf/stat");
	assert_string_equal(vigil_learn_normalize_path("/proc/self/fd/17", buf, sizeof(buf)),
			    "/proc/\xe2\x8b\xaf/fd/\xe2\x8b\xaf");
	assert_string_equal(vigil_learn_normalize_path("/proc/9/task/12/comm", buf, sizeof(buf)),
			    "/proc/\xe2\x8b\xaf/task/\xe2\x8b\xaf/comm");
	assert_string_equal(vigil_learn_normalize_path("/proc/meminfo", buf, sizeof(buf)),
			    "/proc/meminfo");
	assert_string_equal(vigil_learn_normalize_path("/dev/pts/3", buf, sizeof(buf)),
			    "/dev/pts/\xe2\x8b\xaf");
	assert_string_equal(vigil_learn_normalize_path("/tmp/tmp.aB3xYz9/out", buf, sizeof(buf)),
			    "/tmp/\xe2\x8b\xaf/out");
	/* the kubelet's atomic-writer directory: a new one at each token rotation */
	assert_string_equal(vigil_learn_normalize_path("/run/secrets/kubernetes.io/serviceaccount/"
						       "..2026_12_06_21_40_05.3676909075/token",
						       buf, sizeof(buf)),
			    "/run/secrets/kubernetes.io/serviceaccount/\xe2\x8b\xaf/token");
	assert_string_equal(vigil_learn_normalize_path("/etc/cfg/..2026_12_06_21_40_05/a.conf", buf,
						       sizeof(buf)),
			    "/etc/cfg/\xe2\x8b\xaf/a.conf");
	assert_string_equal(vigil_learn_normalize_path("/etc/cfg/..data/a.conf", buf, sizeof(buf)),
			    "/etc/cfg/..data/a.conf");
	assert_string_equal(
		vigil_learn_normalize_path("/etc/cfg/..2026_12_06x/a", buf, sizeof(buf)),
		"/etc/cfg/..2026_12_06x/a");
	/* names by PID, counter, date, time, hex id (issue 14): scratch, runtime and log
	 * directories learn the file's name as ⋯, other trees only a directory's */
	assert_string_equal(vigil_learn_normalize_path("/tmp/out-622.log", buf, sizeof(buf)),
			    "/tmp/\xe2\x8b\xaf");
	assert_string_equal(vigil_learn_normalize_path("/run/x.7.pid", buf, sizeof(buf)),
			    "/run/\xe2\x8b\xaf");
	assert_string_equal(
		vigil_learn_normalize_path("/var/log/app.2026-12-07.log", buf, sizeof(buf)),
		"/var/log/\xe2\x8b\xaf");
	assert_string_equal(
		vigil_learn_normalize_path("/var/log/app/run-1796528876/x.log", buf, sizeof(buf)),
		"/var/log/app/\xe2\x8b\xaf/x.log");
	assert_string_equal(vigil_learn_normalize_path("/srv/job-7/out-7.log", buf, sizeof(buf)),
			    "/srv/\xe2\x8b\xaf/out-7.log");
	assert_string_equal(vigil_learn_normalize_path("/var/lib/app/"
						       "3f2b8c1e-0d4e-4a7b-9c1a-2b3c4d5e6f70/state",
						       buf, sizeof(buf)),
			    "/var/lib/app/\xe2\x8b\xaf/state");
	assert_string_equal(vigil_learn_normalize_path("/proc/37/status", buf, sizeof(buf)),
			    "/proc/\xe2\x8b\xaf/status");
	/* never where credentials, start-up files and the system live: a home, /etc, /usr */
	assert_string_equal(vigil_learn_normalize_path("/etc/app.7.conf", buf, sizeof(buf)),
			    "/etc/app.7.conf");
	assert_string_equal(vigil_learn_normalize_path("/home/u/out-7.log", buf, sizeof(buf)),
			    "/home/u/out-7.log");
	assert_string_equal(
		vigil_learn_normalize_path("/var/lib/postgresql/out-7.log", buf, sizeof(buf)),
		"/var/lib/postgresql/out-7.log");
	assert_string_equal(vigil_learn_normalize_path("/usr/lib/python3.11/__pycache__/"
						       "os.cpython-311.pyc",
						       buf, sizeof(buf)),
			    "/usr/lib/python3.11/__pycache__/os.cpython-311.pyc");
	/* nor a pattern that would lie over a sensitive or token directory */
	assert_string_equal(
		vigil_learn_normalize_path("/var/lib/kubelet/job-7.d/x", buf, sizeof(buf)),
		"/var/lib/kubelet/job-7.d/x");
	assert_true(vigil_learn_pattern_sensitive("/var/lib/kubelet/\xe2\x8b\xaf/x"));
	assert_true(vigil_learn_pattern_sensitive("/etc/\xe2\x8b\xaf"));
	assert_true(vigil_learn_pattern_sensitive("/run/\xe2\x8b\xaf/kubernetes.io/"
						  "serviceaccount/token"));
	assert_false(vigil_learn_pattern_sensitive("/run/\xe2\x8b\xaf"));
	assert_false(vigil_learn_pattern_sensitive("/var/lib/\xe2\x8b\xaf"));
	/* a pattern that does not fit is not cut: the path stays literal */
	{
		char small[13];

		assert_string_equal(
			vigil_learn_normalize_path("/proc/1/fd/2", small, sizeof(small)),
			"/proc/1/fd/2");
	}
	/* ordinary names stay */
	assert_string_equal(vigil_learn_normalize_path("/tmp/report/data", buf, sizeof(buf)),
			    "/tmp/report/data");
	assert_string_equal(vigil_learn_normalize_path("/etc/abc123def", buf, sizeof(buf)),
			    "/etc/abc123def");
	/* a container id in a runtime path: every container of the workload has its own */
	assert_string_equal(vigil_learn_normalize_path(
				    "/run/runc/9d3c1f5e7a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b"
				    "8c0d2e4f6a8b0c2d/state.json",
				    buf, sizeof(buf)),
			    "/run/runc/\xe2\x8b\xaf/state.json");
	/* 63 or 65 hex digits, or upper case, are not ids */
	assert_string_equal(
		vigil_learn_normalize_path("/data/9D3C1F5E7A2B4C6D8E0F1A3B5C7D9E1F2A4B6C8D0E2F4A6B"
					   "8C0D2E4F6A8B0C2D",
					   buf, sizeof(buf)),
		"/data/9D3C1F5E7A2B4C6D8E0F1A3B5C7D9E1F2A4B6C8D0E2F4A6B8C0D2E4F6A8B0C2D");
}

/* A launcher (runuser) starts the server; each opens its files; the server may start a shell. */
static int feed_launch(bool server_reads_passwd, bool server_runs_date,
		       int (*fn)(const struct vigil_event *, void *), void *ctx)
{
	struct vigil_process ru = {
		.pid = 10, .ppid = 1, .comm = "runuser", .exe = "/usr/sbin/runuser"
	};
	struct vigil_process sv = { .pid = 11, .ppid = 10, .comm = "srv", .exe = "/usr/bin/srv" };
	struct vigil_process sh = { .pid = 12, .ppid = 11, .comm = "sh", .exe = "/bin/sh" };
	struct vigil_process dt = { .pid = 13, .ppid = 12, .comm = "date", .exe = "/bin/date" };
	struct vigil_event ev;
	int err = 0;

#define EV(k, pr)                           \
	do {                                \
		memset(&ev, 0, sizeof(ev)); \
		ev.kind = (k);              \
		ev.workload = &wl;          \
		ev.proc = (pr);             \
	} while (0)
#define OPEN(pr, path_)                   \
	do {                              \
		EV(VIGIL_EV_OPEN, pr);    \
		ev.open.path = (path_);   \
		ev.open.flags = O_RDONLY; \
		ev.open.ret = 3;          \
		err |= fn(&ev, ctx);      \
	} while (0)
#define EXEC(pr, parent)                       \
	do {                                   \
		EV(VIGIL_EV_EXEC, pr);         \
		ev.exec.path = (pr)->exe;      \
		ev.exec.parent_exe = (parent); \
		err |= fn(&ev, ctx);           \
	} while (0)
	EXEC(&ru, "/usr/bin/vigil");
	OPEN(&ru, "/etc/passwd");
	EXEC(&sv, "/usr/sbin/runuser");
	OPEN(&sv, "/etc/srv.conf");
	EXEC(&sh, "/usr/bin/srv");
	EXEC(&dt, "/bin/sh");
	if (server_reads_passwd)
		OPEN(&sv, "/etc/passwd");
	if (server_runs_date) /* the shell's program, now started by the server itself */
		EXEC(&dt, "/usr/bin/srv");
#undef OPEN
#undef EXEC
#undef EV
	return err;
}

static struct vigil_profile *learn_launch(bool per_exe)
{
	struct vigil_learn_opts o = { .name = "svc", .per_exe = per_exe };
	struct vigil_learner *l = vigil_learner__new(&o);
	struct vigil_profile *p = NULL;

	assert_non_null(l);
	assert_int_equal(feed_launch(false, false, learn_fn, l), 0);
	assert_int_equal(vigil_learner__finish(l, false, &p), 0);
	vigil_learner__free(l);
	return p;
}

/*
 * Learning per executable (byExecutable): the launcher's read of /etc/passwd does not make
 * the server's read known, nor the shell's program one the server may start itself. Without
 * it, both pass.
 */
static void test_per_exe(void **state)
{
	for (int per_exe = 0; per_exe < 2; per_exe++) {
		struct vigil_profile *p = learn_launch(per_exe);
		struct detect_ctx c = { .d = vigil_detector__new(NULL), .alerts = json_array() };
		struct vigil_buf y = VIGIL_BUF_INIT;

		assert_int_equal(vigil_profile__emit_yaml(p, &y), 0);
		assert_int_equal(strstr(y.data, "byExecutable:") != NULL, per_exe);
		if (per_exe)
			assert_non_null(strstr(y.data, "  - path: /usr/sbin/runuser\n"
						       "    execs:\n"
						       "    - path: /usr/bin/srv\n"));
		vigil_buf__release(&y);
		assert_int_equal(vigil_detector__bind(c.d, CG, p, NULL, NULL), 0);
		vigil_profile__free(p);
		/* the learned run again: quiet */
		assert_int_equal(feed_launch(false, false, detect_fn, &c), 0);
		assert_int_equal(json_array_size(c.alerts), 0);
		assert_int_equal(feed_launch(true, true, detect_fn, &c), 0);
		assert_int_equal(json_array_size(c.alerts), per_exe ? 2 : 0);
		for (size_t i = 0; i < json_array_size(c.alerts); i++)
			assert_string_equal(json_string_value(json_object_get(
						    json_array_get(c.alerts, i), "rule_id")),
					    "V1103");
		json_decref(c.alerts);
		vigil_detector__free(c.d);
	}
	(void)state;
}

static void test_volatile_args(void **state)
{
#define W "\xe2\x8b\xaf"
	static const char *const cases[][2] = {
		{ "4242", W },				       /* a PID */
		{ "--pid=4242", W },			       /* its value */
		{ "127.0.0.1:40123", W },		       /* a port */
		{ "1796528876", W },			       /* an epoch time */
		{ "1796528876.123", W },		       /* with a fraction */
		{ "2026-12-06", W },			       /* a date */
		{ "T12:30:00", W },			       /* a time */
		{ "work-tmp.Qw3rTy9Z", W },		       /* a mktemp name elsewhere */
		{ "3f2b8c1e-0d4e-4a7b-9c1a-2b3c4d5e6f70", W }, /* a UUID */
		{ "id=3F2B8C1E-0D4E-4A7B-9C1A-2B3C4D5E6F70", W },
		{ "deadbeef0123", W }, /* a short container id */
		{ "sha256:9d3c1f5e7a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d", W },
		{ "report.4242.txt", W }, /* a PID in a name */
		{ "backup-20261206", W }, /* a date in a name */
		{ "user@host:2222", W },
		/* a small PID or counter (a container's own PID namespace) before an extension */
		{ "out-622.log", W },
		{ "out-7.log", W },
		{ "x.7.pid", W },
		{ "job_42.tar.gz", W },
		{ "37.tmp", W },
		{ "--log=9.log", W },
		{ "/tmp/t/out-622.log", "/tmp/t/" W },
		{ "/run/x.7.pid", "/run/" W },
		{ "/srv/job-3/out", "/srv/" W "/out" },
		{ "/tmp/t/job-42", "/tmp/t/" W }, /* a made name in a path ends in its counter */
		{ "/srv/lock_7/x", "/srv/" W "/x" },
		{ "/usr/lib/x86_64/libc.so.6", NULL },
		/* paths: only the segment that changes */
		{ "/proc/1234/status", "/proc/" W "/status" },
		{ "/proc/7/task/9/comm", "/proc/" W "/task/" W "/comm" },
		{ "/tmp/tmp.AbC123xYz9", "/tmp/" W },
		{ "/tmp/vigil.k3J9aQ/out", "/tmp/" W "/out" },
		{ "/tmp/vigil.k3J9aQ/www/cgi-bin/status.sh", "/tmp/" W "/www/cgi-bin/status.sh" },
		{ "--out=/tmp/tmp.AbC123xYz9/x", "--out=/tmp/" W "/x" },
		{ "/var/log/app/out.4242", "/var/log/app/" W },
		{ "/backups/2026-12-06/db.tar", "/backups/" W "/db.tar" },
		{ "http://127.0.0.1:40123/api", "http://" W "/api" },
		/* stays */
		{ "-n", NULL },
		{ "5", NULL },
		{ "-j2", NULL },
		{ "10", NULL },
		{ "python3.11", NULL },
		{ "/usr/bin/python3", NULL },
		{ "--verbose", NULL },
		{ "x86_64", NULL },
		{ "/etc/hostname", NULL },
		{ "/tmp/report/data", NULL },
		{ "-O2", NULL },
		{ "sha256sum", NULL },
		{ "utf-8", NULL },
		/* versions and names with digits stay */
		{ "libc-2.31.so", NULL },
		{ "ld-linux-x86-64.so.2", NULL },
		{ "Python-3.11.tgz", NULL },
		{ "release-1.2.3.tar.gz", NULL },
		{ "sha256.txt", NULL },
		{ "eth0.conf", NULL },
		{ "app.log.1", NULL },
		{ "out-7", NULL },
		{ "v2.log", NULL },
		{ "0.5", NULL },
		{ "abcdef", NULL },
		{ "deadbeef", NULL },
		{ "HTTP/1.1", NULL },
		{ "GET", NULL },
		{ "", NULL },
		{ "/proc/self/status", NULL },
		/* program text is never a wildcard, whatever it holds */
		{ "hello world", NULL },
		{ "kill 4242", NULL },
		{ "cat /tmp/tmp.AbC123xYz9/x", NULL },
		{ "print(4242)", NULL },
		{ "id;sleep 4242", NULL },
		/* a `*` is plain text in an argument (a `⋯` is never learned: test_learn_wild) */
		{ "*", NULL },
		{ "/tmp/*/out", NULL },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *arg = cases[i][0], *want = cases[i][1] ? cases[i][1] : arg;
		const char *got = vigil_learn_generalize_arg(arg, buf, sizeof(buf));

		if (strcmp(got, want))
			fail_msg("%s: learned as %s, want %s", arg, got, want);
		if (!cases[i][1])
			assert_ptr_equal(got, arg);
		/* what is learned matches what ran */
		if (!vigil_wc_arg_token_match(got, arg) && strcmp(got, arg))
			fail_msg("%s: learned %s does not match it", arg, got);
	}
	/* a buffer too small keeps the argument literal (noise, never a wrong pattern) */
	assert_string_equal(vigil_learn_generalize_arg("/tmp/vigil.k3J9aQ/out", buf, 8),
			    "/tmp/vigil.k3J9aQ/out");
#undef W
}

/* What names the program that runs is never generalised (t2403's webshell next to a CGI). */
static void test_program_args(void **state)
{
	static const char *const sh[] = { "/bin/sh", "/tmp/vigil.k3J9aQ/cgi-bin/status.sh",
					  "4242" };
	static const char *const shc[] = { "sh", "-ec", "kill 4242", "sh", "4242" };
	static const char *const py[] = { "python3", "-W", "ignore", "/tmp/tmp.AbC123xYz9/run.py",
					  "/tmp/tmp.AbC123xYz9/out" };
	static const char *const awk[] = {
		"awk", "-v", "n=4242", "-f", "/tmp/tmp.x1Y2z3/p.awk", "/tmp/tmp.x1Y2z3/in"
	};
	static const char *const dd[] = { "--", "/tmp/tmp.AbC123xYz9/x" };
	static const char *const bb[] = { "busybox", "sh", "/tmp/tmp.AbC123xYz9/x", "4242" };
	static const char *const cat[] = { "/tmp/tmp.AbC123xYz9/cat", "/proc/4242/status" };
	static const char *const ld[] = { "/lib64/ld-linux-x86-64.so.2", "--argv0", "ls",
					  "/tmp/tmp.AbC123xYz9/x", "4242" };
	char buf[64];

	(void)state;
	assert_int_equal(vigil_learn_program_args("/usr/bin/dash", sh, 3), 2);
	assert_int_equal(vigil_learn_program_args("/usr/bin/dash", shc, 5), 3);
	assert_int_equal(vigil_learn_program_args("/usr/bin/python3.11", py, 5), 4);
	assert_int_equal(vigil_learn_program_args("/usr/bin/mawk", awk, 6), 5);
	assert_int_equal(vigil_learn_program_args("/usr/bin/perl", dd, 2), 2);
	assert_int_equal(vigil_learn_program_args("/bin/busybox", bb, 4), 3);
	assert_int_equal(vigil_learn_program_args("/tmp/tmp.AbC123xYz9/cat", cat, 2), 1);
	/* the dynamic loader names its program as an interpreter does */
	assert_int_equal(
		vigil_learn_program_args("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", ld, 5),
		4);
	assert_int_equal(vigil_learn_program_args(NULL, cat, 2), 1);
	assert_int_equal(vigil_learn_program_args("/bin/sh", sh, 0), 0);
	/* a program the workload wrote: its temp directory generalises, its name never */
	assert_string_equal(
		vigil_learn_generalize_program("/tmp/tmp.AbC123xYz9/helper", buf, sizeof(buf)),
		"/tmp/\xe2\x8b\xaf/helper");
	assert_string_equal(vigil_learn_generalize_program("/tmp/tmp.AbC123xYz9", buf, sizeof(buf)),
			    "/tmp/tmp.AbC123xYz9");
	assert_string_equal(vigil_learn_generalize_program("/usr/bin/id", buf, sizeof(buf)),
			    "/usr/bin/id");
	assert_string_equal(vigil_learn_generalize_program("sh", buf, sizeof(buf)), "sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_learned_then_detected),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_volatile_args),
		cmocka_unit_test(test_program_args),
		cmocka_unit_test(test_checkpoint_continues),
		cmocka_unit_test(test_per_exe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
