// SPDX-License-Identifier: Apache-2.0
/*
 * Recorder and incidents: ring and workload bounds, incident open/extend/close, the report of
 * a beaconing client that reads a token and sends it (the founding demo's shape, fed as sensor
 * events with a real live process so language detection reads a real /proc entry).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "vigil/store.h"
#include "vigil/zoom.h"

#define S  1000000000ull
#define T0 (1795312800ull * S)

static const char TOKEN[] = "eyJhbGciOiJSUzI1NiIsImtpZCI6InZpZ2lsIn0.eyJzdWIiOiJzeXN0ZW06c2Vydmlj"
			    "ZWFjY291bnQ6ZGVmYXVsdDpjbGllbnQifQ.c2ln";
static const char TOKEN_PATH[] = "/var/run/secrets/kubernetes.io/serviceaccount/token";

struct fixture {
	struct vigil_workload wl;
	struct vigil_process proc;
	char cgroup[64], name[32];
};

static void fixture_init(struct fixture *f, uint64_t cg, uint32_t pid, const char *comm)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->cgroup, sizeof(f->cgroup), "/vigil/test-%llu", (unsigned long long)cg);
	snprintf(f->name, sizeof(f->name), "wl%llu", (unsigned long long)cg);
	f->wl.cgroup_id = cg;
	f->wl.cgroup_path = f->cgroup;
	f->wl.container_id = "";
	f->wl.runtime = "";
	f->wl.name = f->name;
	f->proc.pid = pid;
	f->proc.tid = pid;
	snprintf(f->proc.comm, sizeof(f->proc.comm), "%s", comm);
	f->proc.exe = "";
	f->proc.cwd = "/";
}

static struct vigil_event mk(struct fixture *f, enum vigil_event_kind kind, uint64_t t)
{
	struct vigil_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.time_ns = t;
	ev.workload = &f->wl;
	ev.proc = &f->proc;
	return ev;
}

static struct vigil_event mk_open(struct fixture *f, const char *path, uint64_t t)
{
	struct vigil_event ev = mk(f, VIGIL_EV_OPEN, t);

	ev.open.path = path;
	return ev;
}

static void set_remote(struct vigil_sockaddr *sa, const char *ip, uint16_t port)
{
	sa->family = AF_INET;
	sa->port = port;
	inet_pton(AF_INET, ip, sa->addr);
}

/* ---- callbacks ------------------------------------------------------------------------- */

struct seen {
	int zoom_on, zoom_off;
	uint64_t zoom_cgroup;
	int reports, closed;
	json_t *last;
};

static int on_zoom(void *ctx, uint64_t cg, bool on)
{
	struct seen *s = ctx;

	s->zoom_cgroup = cg;
	if (on)
		s->zoom_on++;
	else
		s->zoom_off++;
	return 0;
}

static int on_report(void *ctx, const json_t *report, bool closed)
{
	struct seen *s = ctx;

	s->reports++;
	s->closed += closed;
	json_decref(s->last);
	s->last = json_deep_copy(report);
	return 0;
}

static json_t *mk_alert(const char *rule, uint32_t pid, const char *comm)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:{s:i, s:s}}", "time",
			 "2026-11-22T10:00:00.000000000Z", "rule_id", rule, "rule_name",
			 "Unexpected io_uring operation", "severity", 5, "message",
			 "io_uring opcode CONNECT not in profile", "process", "pid", (int)pid,
			 "comm", comm);
}

/* ---- recorder bounds ------------------------------------------------------------------ */

static void test_ring_bounds(void **state)
{
	struct vigil_zoom_opts o;
	struct vigil_zoom *z;
	struct vigil_zoom_stats st;
	struct fixture f;
	json_t *r;
	char id[VIGIL_INCIDENT_ID_LEN + 1];
	char path[64];

	vigil_zoom_opts__init(&o);
	o.ring_bytes = 4 * 256; /* four events */
	z = vigil_zoom__new(&o);
	assert_non_null(z);
	fixture_init(&f, 10, 0, "app");
	for (int i = 0; i < 100; i++) {
		struct vigil_event ev;

		snprintf(path, sizeof(path), "/etc/file-%d", i);
		ev = mk_open(&f, path, T0 + (uint64_t)i * 1000);
		assert_int_equal(vigil_zoom__event(z, &ev), 0);
	}
	vigil_zoom__stats(z, &st);
	assert_int_equal(st.events, 100);
	assert_int_equal(st.ring_evicted, 96);
	assert_int_equal(st.ring_bytes, 4 * 256);
	{
		struct vigil_event ev = mk_open(&f, "/etc/trigger", T0 + 200000);

		assert_int_equal(vigil_zoom__alert(z, &ev, NULL, id), 1);
	}
	assert_int_equal(vigil_zoom__report(z, id, &r), 0);
	/* only what the ring held: the last four events, each row as `vigil trace` prints it */
	assert_int_equal(json_array_size(json_object_get(r, "events")), 4);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r, "events"), 3), "detail")),
			    "/etc/file-99 flags=O_RDONLY ret=0");
	json_decref(r);
	vigil_zoom__free(z);
}

static void test_pre_window(void **state)
{
	struct vigil_zoom *z = vigil_zoom__new(NULL);
	struct fixture f;
	struct vigil_event ev;
	char id[VIGIL_INCIDENT_ID_LEN + 1];
	json_t *r;

	fixture_init(&f, 11, 0, "app");
	/* one event 2 minutes before the alert, one 30 s before: only the latter is context */
	ev = mk_open(&f, "/etc/old", T0 - 120 * S);
	vigil_zoom__event(z, &ev);
	ev = mk_open(&f, "/etc/recent", T0 - 30 * S);
	vigil_zoom__event(z, &ev);
	ev = mk_open(&f, "/etc/trigger", T0);
	vigil_zoom__event(z, &ev);
	assert_int_equal(vigil_zoom__alert(z, &ev, NULL, id), 1);
	assert_int_equal(vigil_zoom__report(z, id, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "events")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "start_ns")), T0 - 30 * S);
	json_decref(r);
	vigil_zoom__free(z);
}

static void test_workload_lru(void **state)
{
	struct vigil_zoom_opts o;
	struct vigil_zoom *z;
	struct vigil_zoom_stats st;
	struct fixture f[5];
	struct vigil_event ev;

	vigil_zoom_opts__init(&o);
	o.max_workloads = 3;
	z = vigil_zoom__new(&o);
	for (int i = 0; i < 5; i++)
		fixture_init(&f[i], 100 + (uint64_t)i, 0, "app");
	/* workload 0 has an open incident: it is pinned */
	ev = mk_open(&f[0], "/x", T0);
	vigil_zoom__event(z, &ev);
	assert_int_equal(vigil_zoom__alert(z, &ev, NULL, NULL), 1);
	for (int i = 1; i < 5; i++) {
		ev = mk_open(&f[i], "/x", T0 + (uint64_t)i);
		assert_int_equal(vigil_zoom__event(z, &ev), 0);
	}
	vigil_zoom__stats(z, &st);
	assert_int_equal(st.workloads, 3);
	assert_int_equal(st.workloads_evicted, 2);
	/* the pinned one still records into its incident */
	ev = mk_open(&f[0], "/y", T0 + 10);
	assert_int_equal(vigil_zoom__event(z, &ev), 0);
	vigil_zoom__stats(z, &st);
	assert_int_equal(st.incidents_open, 1);
	assert_int_equal(st.workloads_evicted, 2);
	assert_int_equal(st.workloads, 3);
	{
		json_t *r;
		char id[33];

		assert_int_equal(vigil_zoom__alert(z, &ev, NULL, id), 0);
		assert_int_equal(vigil_zoom__report(z, id, &r), 0);
		assert_int_equal(json_array_size(json_object_get(r, "events")), 2);
		json_decref(r);
	}
	vigil_zoom__free(z);
}

/* ---- incidents ----------------------------------------------------------------------- */

static void test_incident_extend_and_close(void **state)
{
	struct vigil_zoom *z = vigil_zoom__new(NULL); /* post 30 s, max 10 min */
	struct seen s = { 0 };
	struct fixture a, b;
	struct vigil_event ev;
	char id1[33], id2[33], id3[33];
	json_t *al;

	vigil_zoom__set_zoom_cb(z, on_zoom, &s);
	vigil_zoom__set_report_cb(z, on_report, &s);
	fixture_init(&a, 20, 0, "app");
	fixture_init(&b, 21, 0, "other");
	ev = mk_open(&a, "/x", T0);
	al = mk_alert("R0001", 0, "app");
	assert_int_equal(vigil_zoom__alert(z, &ev, al, id1), 1);
	assert_string_equal(json_string_value(json_object_get(al, "incident_id")), id1);
	json_decref(al);
	assert_int_equal(s.zoom_on, 1);
	assert_int_equal(s.zoom_cgroup, 20);
	/* another rule on the same workload joins the incident */
	ev = mk_open(&a, "/y", T0 + 10 * S);
	al = mk_alert("R1030", 0, "app");
	assert_int_equal(vigil_zoom__alert(z, &ev, al, id2), 0);
	json_decref(al);
	assert_string_equal(id1, id2);
	assert_int_equal(s.zoom_on, 1);
	/* another workload: its own incident */
	ev = mk_open(&b, "/x", T0 + 11 * S);
	assert_int_equal(vigil_zoom__alert(z, &ev, NULL, id3), 1);
	assert_string_not_equal(id1, id3);
	/* closes 30 s after the last alert, not before */
	assert_int_equal(vigil_zoom__tick(z, T0 + 39 * S), 0);
	assert_int_equal(vigil_zoom__tick(z, T0 + 40 * S), 1);
	assert_int_equal(s.closed, 1);
	assert_int_equal(s.zoom_off, 1);
	assert_string_equal(json_string_value(json_object_get(s.last, "incident_id")), id1);
	assert_string_equal(json_string_value(json_object_get(s.last, "state")), "closed");
	assert_int_equal(json_array_size(json_object_get(s.last, "alerts")), 2);
	assert_int_equal(json_array_size(json_object_get(s.last, "rules")), 2);
	assert_int_equal(json_integer_value(json_object_get(s.last, "end_ns")), T0 + 40 * S);
	/* a new alert after it closed opens a new incident with a new id */
	ev = mk_open(&a, "/z", T0 + 41 * S);
	assert_int_equal(vigil_zoom__alert(z, &ev, NULL, id2), 1);
	assert_string_not_equal(id1, id2);
	/* the closed report is still there to read */
	{
		json_t *r;

		assert_int_equal(vigil_zoom__report(z, id1, &r), 0);
		json_decref(r);
	}
	json_decref(s.last);
	s.last = NULL;
	vigil_zoom__free(z); /* closes the two open ones */
	assert_int_equal(s.closed, 3);
	json_decref(s.last);
}

/* an exec alert as the detector raises it (lib/event: event.type, path, parent_exe) */
static json_t *mk_exec_alert(const char *rule, int sev, uint32_t pid, uint32_t ppid,
			     const char *path, const char *parent, uint32_t uid)
{
	return json_pack("{s:s, s:i, s:s, s:{s:i, s:i, s:s, s:i}, s:{s:s, s:s, s:s}}", "rule_id",
			 rule, "severity", sev, "message", "m", "process", "pid", (int)pid, "ppid",
			 (int)ppid, "comm", "x", "uid", (int)uid, "event", "type", "exec", "path",
			 path, "parent_exe", parent);
}

/* The headline names the strongest alert's root, then what its tree ran, as the root's user. */
static void test_incident_headline(void **state)
{
	struct vigil_zoom *z = vigil_zoom__new(NULL);
	struct seen s = { 0 };
	struct fixture a;
	struct vigil_event ev;
	json_t *al;
	const char *want = "postgres started /usr/bin/dash, which ran id, cat as root";

	(void)state;
	vigil_zoom__set_report_cb(z, on_report, &s);
	fixture_init(&a, 30, 0, "postgres");
	ev = mk_open(&a, "/x", T0);
	/* a weak alert first: it names the incident until a stronger one comes */
	al = mk_alert("R0003", 50, "postgres");
	vigil_zoom__alert(z, &ev, al, NULL);
	assert_non_null(
		strstr(json_string_value(json_object_get(al, "incident_headline")), "postgres: "));
	json_decref(al);
	al = mk_exec_alert("V1100", 8, 60, 50, "/usr/bin/dash", "/usr/lib/postgresql/bin/postgres",
			   0);
	vigil_zoom__alert(z, &ev, al, NULL);
	assert_string_equal(json_string_value(json_object_get(al, "incident_headline")),
			    "postgres started /usr/bin/dash as root");
	json_decref(al);
	/* the shell execs id in place (same pid), then a child of it runs cat */
	al = mk_exec_alert("R0001", 1, 60, 50, "/usr/bin/id", "/usr/bin/dash", 0);
	vigil_zoom__alert(z, &ev, al, NULL);
	json_decref(al);
	al = mk_exec_alert("R0001", 1, 61, 60, "/usr/bin/cat", "/usr/bin/dash", 0);
	vigil_zoom__alert(z, &ev, al, NULL);
	json_decref(al);
	/* outside the tree: not part of the headline */
	al = mk_exec_alert("R0001", 1, 99, 1, "/usr/bin/true", "/usr/bin/cron", 0);
	vigil_zoom__alert(z, &ev, al, NULL);
	assert_string_equal(json_string_value(json_object_get(al, "incident_headline")), want);
	json_decref(al);
	vigil_zoom__free(z);
	assert_string_equal(json_string_value(json_object_get(s.last, "headline")), want);
	/* a compromise leads the summary with it */
	assert_true(!strncmp(json_string_value(json_object_get(s.last, "summary")), want,
			     strlen(want)));
	json_decref(s.last);
}

static void test_incident_max_duration(void **state)
{
	struct vigil_zoom_opts o;
	struct vigil_zoom *z;
	struct fixture a;
	struct vigil_event ev;
	int closed = 0;

	vigil_zoom_opts__init(&o);
	o.max_duration_ns = 60 * S;
	o.post_ns = 30 * S;
	z = vigil_zoom__new(&o);
	fixture_init(&a, 30, 0, "app");
	/* an alert every 20 s keeps extending it, but it closes at 60 s */
	for (uint64_t t = 0; t <= 100 * S && !closed; t += 20 * S) {
		ev = mk_open(&a, "/x", T0 + t);
		vigil_zoom__alert(z, &ev, NULL, NULL);
		closed = vigil_zoom__tick(z, T0 + t + S);
		if (closed)
			assert_true(t + S >= 60 * S);
	}
	assert_int_equal(closed, 1);
	vigil_zoom__free(z);
}

static void test_incident_id_stable(void **state)
{
	struct vigil_zoom *z1 = vigil_zoom__new(NULL), *z2 = vigil_zoom__new(NULL);
	struct fixture a;
	struct vigil_event ev;
	char id1[33], id2[33];

	fixture_init(&a, 40, 0, "app");
	ev = mk_open(&a, "/x", T0);
	vigil_zoom__alert(z1, &ev, NULL, id1);
	vigil_zoom__alert(z2, &ev, NULL, id2);
	assert_string_equal(id1, id2);
	assert_int_equal(strlen(id1), VIGIL_INCIDENT_ID_LEN);
	vigil_zoom__free(z1);
	vigil_zoom__free(z2);
}

static void test_incident_byte_bound(void **state)
{
	struct vigil_zoom_opts o;
	struct vigil_zoom *z;
	struct vigil_zoom_stats st;
	struct fixture a;
	struct vigil_event ev;
	char id[33];
	json_t *r;

	vigil_zoom_opts__init(&o);
	o.incident_bytes = 4096;
	z = vigil_zoom__new(&o);
	fixture_init(&a, 50, 0, "app");
	ev = mk_open(&a, "/x", T0);
	vigil_zoom__alert(z, &ev, NULL, id);
	for (int i = 0; i < 200; i++) {
		ev = mk_open(&a, "/etc/some/longer/path/name", T0 + (uint64_t)i);
		vigil_zoom__event(z, &ev);
	}
	vigil_zoom__stats(z, &st);
	assert_true(st.incident_events_dropped > 100);
	assert_int_equal(vigil_zoom__report(z, id, &r), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "events_dropped")),
			 (json_int_t)st.incident_events_dropped);
	assert_true(json_integer_value(
			    json_object_get(json_object_get(r, "bounds"), "bytes_kept")) <= 4096);
	json_decref(r);
	vigil_zoom__free(z);
}

/* ---- the analysis of a beaconing token thief ------------------------------------------ */

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	usleep(100000);
	return pid;
}

/* 20 frames, one a second: [len][type] then the token in the 4th, 7th, ... */
static void run_c2(struct vigil_zoom *z, struct fixture *f, char *id)
{
	struct vigil_event ev;
	uint8_t frame[256];
	json_t *al;

	ev = mk(f, VIGIL_EV_DNS, T0 - 2 * S);
	ev.dns.name = "c2.example.org";
	ev.dns.qtype = 1;
	set_remote(&ev.dns.server, "127.0.0.53", 53);
	vigil_zoom__event(z, &ev);

	ev = mk(f, VIGIL_EV_CONNECT, T0 - S);
	ev.via_iouring = true;
	ev.net.proto = IPPROTO_TCP;
	ev.net.direction = VIGIL_DIR_OUTBOUND;
	set_remote(&ev.net.remote, "127.0.0.1", 8888);
	vigil_zoom__event(z, &ev);
	al = mk_alert("R1030", f->proc.pid, f->proc.comm);
	assert_int_equal(vigil_zoom__alert(z, &ev, al, id), 1);
	json_decref(al);

	ev = mk(f, VIGIL_EV_FILE_READ, T0 - S / 2);
	ev.via_iouring = true;
	ev.open.path = TOKEN_PATH;
	ev.open.size = sizeof(TOKEN) - 1;
	ev.open.data = (const uint8_t *)TOKEN;
	ev.open.data_len = sizeof(TOKEN) - 1;
	vigil_zoom__event(z, &ev);

	for (int i = 0; i < 20; i++) {
		size_t n;

		memset(frame, 0, sizeof(frame));
		frame[0] = 0x3f;
		frame[1] = 0xff;
		frame[2] = 0x81;
		frame[3] = (uint8_t)i;
		for (int k = 4; k < 40; k++)
			frame[k] = (uint8_t)(k * 37 + i);
		memcpy(frame + 40, TOKEN, sizeof(TOKEN) - 1);
		n = 40 + sizeof(TOKEN) - 1;
		ev = mk(f, VIGIL_EV_NET_IO, T0 + (uint64_t)i * S + (uint64_t)(i % 3) * 1000000);
		ev.via_iouring = true;
		ev.net.proto = IPPROTO_TCP;
		ev.net.direction = VIGIL_DIR_OUTBOUND;
		set_remote(&ev.net.remote, "127.0.0.1", 8888);
		ev.net.bytes = n;
		ev.net.data = frame;
		ev.net.data_len = (uint32_t)n;
		vigil_zoom__event(z, &ev);
		/* the server's short answer */
		ev.net.direction = VIGIL_DIR_INBOUND;
		ev.time_ns += 5000000;
		ev.net.bytes = 8;
		ev.net.data = (const uint8_t *)"\x04\x00\x00\x00ok\x00\x00";
		ev.net.data_len = 8;
		vigil_zoom__event(z, &ev);
	}
}

static bool hex_contains(const char *hex, const char *plain)
{
	char h[512];
	size_t n = strlen(plain);

	for (size_t i = 0; i < n && 2 * i + 2 < sizeof(h); i++)
		snprintf(h + 2 * i, 3, "%02x", (unsigned char)plain[i]);
	return strstr(hex, h) != NULL;
}

static void test_report_token_beacon(void **state)
{
	struct vigil_zoom *z = vigil_zoom__new(NULL);
	struct seen s = { 0 };
	struct fixture f;
	pid_t pid = spawn_sleeper();
	char id[33];
	json_t *r, *d, *file, *flow;
	const char *sum;

	fixture_init(&f, 60, (uint32_t)pid, "client");
	vigil_zoom__set_report_cb(z, on_report, &s);
	run_c2(z, &f, id);
	assert_int_equal(vigil_zoom__tick(z, T0 + 60 * S), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	r = s.last;
	assert_non_null(r);

	assert_int_equal(json_array_size(json_object_get(r, "destinations")), 1);
	d = json_array_get(json_object_get(r, "destinations"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "addr")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(d, "port")), 8888);
	assert_string_equal(json_string_value(json_object_get(d, "dns")), "c2.example.org");
	assert_int_equal(json_integer_value(json_object_get(d, "connections")), 1);
	assert_int_equal(json_integer_value(json_object_get(d, "bytes_in")), 160);
	assert_string_equal(json_string_value(json_object_get(d, "protocol")), "binary");
	assert_string_equal(json_string_value(json_object_get(d, "beacon_band")), "high");
	assert_true(json_real_value(json_object_get(d, "beacon_score")) >= 0.9);
	assert_true(llabs((long long)json_integer_value(json_object_get(d, "interval_ns")) -
			  (long long)S) < 5000000);

	file = json_array_get(json_object_get(r, "files"), 0);
	assert_string_equal(json_string_value(json_object_get(file, "path")), TOKEN_PATH);
	assert_string_equal(json_string_value(json_array_get(json_object_get(file, "sent_to"), 0)),
			    "127.0.0.1:8888");
	/* every beacon carried the token: the destination is still named once */
	assert_int_equal(json_array_size(json_object_get(file, "sent_to")), 1);

	flow = json_array_get(json_object_get(r, "flows"), 0);
	assert_string_equal(json_string_value(json_object_get(flow, "direction")), "out");
	assert_int_equal(json_array_size(json_object_get(flow, "redactions")), 1);
	assert_false(
		hex_contains(json_string_value(json_object_get(flow, "sample_hex")), "eyJhbGci"));
	assert_non_null(
		strstr(json_string_value(json_array_get(json_object_get(flow, "redactions"), 0)),
		       "prefix:65794a68"));

	/* the live process was examined: /bin/sleep is C */
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r, "processes"), 0), "language")),
		"c");
	sum = json_string_value(json_object_get(r, "summary"));
	print_message("summary: %s\n", sum);
	assert_non_null(strstr(sum,
			       "client (c) read "
			       "/var/run/secrets/kubernetes.io/"
			       "serviceaccount/token and sent it to 127.0.0.1:8888 every 1.0 s "
			       "(beacon score "));
	assert_non_null(strstr(sum, "in an unknown binary protocol"));

	/* the report survives the SQLite store unchanged in substance */
	{
		char dir[] = "/tmp/vigil-zoom-XXXXXX", spec[96], cmd[64];
		struct vigil_store *st;
		json_t *got;

		assert_non_null(mkdtemp(dir));
		snprintf(spec, sizeof(spec), "sqlite:%s/e.db", dir);
		assert_int_equal(vigil_store__open(spec, NULL, &st, NULL), 0);
		assert_int_equal(vigil_store__put_report(st, r), 0);
		assert_int_equal(vigil_store__flush(st, NULL), 0);
		assert_int_equal(vigil_store__get(st, id, &got, NULL), 0);
		assert_string_equal(json_string_value(json_object_get(got, "summary")), sum);
		assert_int_equal(json_array_size(json_object_get(got, "events")),
				 json_array_size(json_object_get(r, "events")));
		assert_int_equal(json_array_size(json_object_get(got, "flows")),
				 json_array_size(json_object_get(r, "flows")));
		json_decref(got);
		vigil_store__free(st);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
	json_decref(s.last);
	vigil_zoom__free(z);
}

static void test_report_keep_secrets(void **state)
{
	struct vigil_zoom_opts o;
	struct vigil_zoom *z;
	struct fixture f;
	char id[33];
	json_t *r, *flow;

	vigil_zoom_opts__init(&o);
	o.keep_secrets = true;
	z = vigil_zoom__new(&o);
	fixture_init(&f, 61, 0, "client");
	run_c2(z, &f, id);
	assert_int_equal(vigil_zoom__report(z, id, &r), 0);
	flow = json_array_get(json_object_get(r, "flows"), 0);
	assert_int_equal(json_array_size(json_object_get(flow, "redactions")), 0);
	assert_true(
		hex_contains(json_string_value(json_object_get(flow, "sample_hex")), "eyJhbGci"));
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(json_array_get(json_object_get(r, "files"), 0), "sent_to"),
			0)),
		"127.0.0.1:8888");
	json_decref(r);
	vigil_zoom__free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_bounds),
		cmocka_unit_test(test_incident_headline),
		cmocka_unit_test(test_pre_window),
		cmocka_unit_test(test_workload_lru),
		cmocka_unit_test(test_incident_extend_and_close),
		cmocka_unit_test(test_incident_max_duration),
		cmocka_unit_test(test_incident_id_stable),
		cmocka_unit_test(test_incident_byte_bound),
		cmocka_unit_test(test_report_token_beacon),
		cmocka_unit_test(test_report_keep_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
