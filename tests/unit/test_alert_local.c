// SPDX-License-Identifier: Apache-2.0
/* stdout, file: and syslog sinks: what lands in the file, on stdout and on a real socket. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/out/sink.h"
#include "vigil/alert.h"

static char tmpdir[] = "/tmp/vigil-alert-XXXXXX";

static json_t *make_alert(const char *rule, int severity, const char *wl_name, int seq)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, "
			 "s:s, s:s, s:s}, s:{s:i, s:i, s:s, s:s, s:[s, s], s:i, s:i}, "
			 "s:{s:s, s:s}, s:n, s:i}",
			 "time", "2026-11-22T10:00:00.123456789Z", "rule_id", rule, "rule_name",
			 "Process executed from /dev/shm", "severity", severity, "message",
			 "sh ran /dev/shm/x", "mitre", "tactic", "TA0002", "technique", "T1059",
			 "workload", "id", "w1", "name", wl_name, "cgroup", "/t", "container_id",
			 "", "container_name", "", "pod", "p1", "namespace", "ns1", "image", "",
			 "process", "pid", 4242, "ppid", 1, "comm", "x", "exe", "/dev/shm/x",
			 "args", "/dev/shm/x", "-q", "uid", 0, "gid", 0, "event", "type", "exec",
			 "path", "/dev/shm/x", "profile", "seq", seq);
}

static int emit(struct vigil_alerts *a, json_t *j)
{
	int ret = vigil_alerts__emit(a, j);

	json_decref(j);
	return ret;
}

static json_t *read_lines(const char *path)
{
	json_t *arr = json_array();
	char line[65536];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		json_error_t e;
		json_t *j;

		assert_true(strlen(line) > 0 && line[strlen(line) - 1] == '\n');
		j = json_loads(line, 0, &e);
		if (!j)
			fail_msg("not a JSON line: %s (%s)", line, e.text);
		json_array_append_new(arr, j);
	}
	fclose(f);
	return arr;
}

static void test_file_sink(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;
	char path[256], spec[300], host[256] = "";
	struct stat st;
	json_t *lines, *given;
	int fd;

	snprintf(path, sizeof(path), "%s/alerts.jsonl", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	umask(022);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	given = make_alert("R1000", 8, "web", 1);
	json_object_set_new(given, "alert_id", json_string("0123456789abcdef0123456789abcdef"));
	assert_int_equal(emit(a, given), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 2)), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 3)), 0);

	/* Written by the time emit returns, one object per line, producer fields untouched. */
	lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 3);
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; i < 3; i++) {
		json_t *j = json_array_get(lines, i);
		const char *id = json_string_value(json_object_get(j, "alert_id"));

		assert_int_equal(json_integer_value(json_object_get(j, "seq")), (int)i + 1);
		assert_string_equal(json_string_value(json_object_get(j, "node")), host);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		assert_string_equal(json_string_value(json_object_get(j, "rule_id")), "R1000");
		assert_string_equal(
			json_string_value(json_object_get(json_object_get(j, "process"), "exe")),
			"/dev/shm/x");
	}
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(lines, 0), "alert_id")),
		"0123456789abcdef0123456789abcdef");
	assert_string_not_equal(
		json_string_value(json_object_get(json_array_get(lines, 1), "alert_id")),
		json_string_value(json_object_get(json_array_get(lines, 2), "alert_id")));
	json_decref(lines);
	vigil_alerts__free(a);

	/* Appends to what is there. */
	a = vigil_alerts__new(NULL);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 4)), 0);
	lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 4);
	json_decref(lines);
	/* O_CLOEXEC: the descriptor does not leak into programs the agent starts. */
	for (fd = 3; fd < 1024; fd++) {
		char link[64], target[512];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, path))
			break;
	}
	assert_true(fd < 1024);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	vigil_alerts__free(a);
}

static void test_file_reopen(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;
	char path[256], rotated[300], spec[300];
	json_t *lines;

	snprintf(path, sizeof(path), "%s/rot.jsonl", tmpdir);
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	snprintf(spec, sizeof(spec), "file:%s", path);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 1)), 0);
	assert_int_equal(rename(path, rotated), 0);
	/* Until reopen, alerts follow the renamed file (logrotate's window). */
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 2)), 0);
	assert_int_equal(vigil_alerts__reopen(a), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 3)), 0);

	lines = read_lines(rotated);
	assert_int_equal(json_array_size(lines), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 1), "seq")), 2);
	json_decref(lines);
	lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 0), "seq")), 3);
	json_decref(lines);

	vigil_alerts__free(a);

	/* A relative path is reopened where it was first opened, whatever the cwd is now. */
	{
		char cwd[4096];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(tmpdir), 0);
		a = vigil_alerts__new(NULL);
		assert_int_equal(vigil_alerts__add_sink(a, "file:rel.jsonl", &err), 0);
		assert_int_equal(chdir("/"), 0);
		snprintf(path, sizeof(path), "%s/rel.jsonl", tmpdir);
		snprintf(rotated, sizeof(rotated), "%s/rel.jsonl.1", tmpdir);
		assert_int_equal(rename(path, rotated), 0);
		assert_int_equal(vigil_alerts__reopen(a), 0);
		assert_int_equal(emit(a, make_alert("R1000", 8, "web", 9)), 0);
		lines = read_lines(path);
		assert_int_equal(json_array_size(lines), 1);
		json_decref(lines);
		assert_int_equal(chdir(cwd), 0);
		vigil_alerts__free(a);
	}

	/* A reopen that fails (the directory is gone) keeps writing to the open file. */
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(spec, sizeof(spec), "file:%s/sub/x.jsonl", tmpdir);
	a = vigil_alerts__new(NULL);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	snprintf(rotated, sizeof(rotated), "%s/sub.old", tmpdir);
	assert_int_equal(rename(path, rotated), 0);
	assert_int_equal(vigil_alerts__reopen(a), -ENOENT);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 4)), 0);
	snprintf(path, sizeof(path), "%s/sub.old/x.jsonl", tmpdir);
	lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 0), "seq")), 4);
	json_decref(lines);
	vigil_alerts__free(a);
}

static void test_file_write_error_counted(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;
	struct vigil_sink_stats st;

	assert_int_equal(vigil_alerts__add_sink(a, "file:/dev/full", &err), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "web", 1)), -EIO);
	assert_int_equal(vigil_alerts__stats(a, &st, 1), 1);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.sent, 0);
	assert_non_null(strstr(st.last_error, "space"));
	vigil_alerts__free(a);
}

static void test_stdout_sink(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;
	char path[256];
	json_t *lines;
	int saved, fd;

	snprintf(path, sizeof(path), "%s/stdout.jsonl", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	assert_int_equal(vigil_alerts__add_sink(a, "stdout", &err), 0);
	assert_int_equal(emit(a, make_alert("R0001", 1, "web", 1)), 0);
	assert_int_equal(emit(a, make_alert("R0001", 1, "web", 2)), 0);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 1), "seq")), 2);
	json_decref(lines);
	assert_int_equal(emit(a, json_string("not an object")), -EINVAL);
	vigil_alerts__free(a);
}

/* Splits "<PRI>1 TS HOST APP PROCID MSGID [SD] MSG" and checks every part. */
struct parsed {
	int pri;
	char ts[64], host[256], app[64], procid[32], msgid[64];
	char sd[2048];
	const char *msg;
};

static void parse_5424(const char *m, struct parsed *p)
{
	const char *sd_end;
	int n = 0;

	assert_int_equal(sscanf(m, "<%d>1 %63s %255s %63s %31s %63s %n", &p->pri, p->ts, p->host,
				p->app, p->procid, p->msgid, &n),
			 6);
	assert_int_equal(m[n], '[');
	/* The SD element ends at the first ']' not escaped by a backslash. */
	for (sd_end = m + n + 1; *sd_end && !(*sd_end == ']' && sd_end[-1] != '\\'); sd_end++)
		;
	assert_int_equal(*sd_end, ']');
	assert_true((size_t)(sd_end - m - n) < sizeof(p->sd));
	memcpy(p->sd, m + n, (size_t)(sd_end - m - n + 1));
	p->sd[sd_end - m - n + 1] = '\0';
	assert_int_equal(sd_end[1], ' ');
	p->msg = sd_end + 2;
}

static int udp_receiver(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*port = ntohs(sin.sin_port);
	return fd;
}

static void test_syslog_udp(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;
	struct vigil_sink_stats st;
	char spec[128], buf[16384], pid[32];
	struct parsed p;
	uint16_t port;
	json_t *body;
	ssize_t n;
	int fd = udp_receiver(&port);

	snprintf(spec, sizeof(spec), "syslog:127.0.0.1:%u", port);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	assert_int_equal(emit(a, make_alert("R1000", 8, "we\"b]\\x", 1)), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	parse_5424(buf, &p);
	assert_int_equal(p.pri, 16 * 8 + 3); /* local0, severity 8 -> error */
	assert_string_equal(p.ts, "2026-11-22T10:00:00.123456Z");
	assert_string_equal(p.app, "vigil");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	assert_string_equal(p.procid, pid);
	assert_string_equal(p.msgid, "R1000");
	assert_non_null(strstr(p.sd, "[vigil@32473 "));
	assert_non_null(strstr(p.sd, " rule_id=\"R1000\""));
	assert_non_null(strstr(p.sd, " severity=\"8\""));
	assert_non_null(strstr(p.sd, " workload=\"we\\\"b\\]\\\\x\""));
	assert_non_null(strstr(p.sd, " pod=\"p1\""));
	assert_non_null(strstr(p.sd, " pid=\"4242\""));
	/* MSG is the full record; its alert_id is the one in the structured data. */
	body = json_loads(p.msg, 0, NULL);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "rule_id")), "R1000");
	snprintf(buf, sizeof(buf), " alert_id=\"%s\"",
		 json_string_value(json_object_get(body, "alert_id")));
	assert_non_null(strstr(p.sd, buf));
	json_decref(body);
	assert_int_equal(vigil_alerts__flush(a, 5000000000ull), 0);
	assert_int_equal(vigil_alerts__stats(a, &st, 1), 1);
	assert_int_equal(st.sent, 1);
	vigil_alerts__free(a);

	/* facility option and the severity scale. */
	a = vigil_alerts__new(NULL);
	snprintf(spec, sizeof(spec), "syslog:127.0.0.1:%u;facility=authpriv", port);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	assert_int_equal(emit(a, make_alert("R1002", 10, "w", 2)), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	parse_5424(buf, &p);
	assert_int_equal(p.pri, 10 * 8 + 2);
	vigil_alerts__free(a);

	/* A time without a fraction is kept; a malformed one becomes now. */
	a = vigil_alerts__new(NULL);
	snprintf(spec, sizeof(spec), "syslog:127.0.0.1:%u", port);
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	body = make_alert("R0001", 1, "w", 3);
	json_object_set_new(body, "time", json_string("2026-11-22T10:00:00Z"));
	assert_int_equal(emit(a, body), 0);
	body = make_alert("R0001", 1, "w", 4);
	json_object_set_new(body, "time", json_string("yesterday"));
	assert_int_equal(emit(a, body), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	parse_5424(buf, &p);
	assert_string_equal(p.ts, "2026-11-22T10:00:00Z");
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	parse_5424(buf, &p);
	assert_int_equal(strlen(p.ts), 27); /* now: YYYY-MM-DDTHH:MM:SS.uuuuuuZ */
	assert_int_equal(p.ts[26], 'Z');
	vigil_alerts__free(a);
	close(fd);

	assert_int_equal(vigil_syslog__severity(1), 5);
	assert_int_equal(vigil_syslog__severity(3), 5);
	assert_int_equal(vigil_syslog__severity(5), 4);
	assert_int_equal(vigil_syslog__severity(8), 3);
	assert_int_equal(vigil_syslog__severity(10), 2);
}

static void test_syslog_unix_and_retry(void **state)
{
	struct vigil_alerts_opts o = { .retry_base_ns = 10000000ull, .retry_cap_ns = 20000000ull };
	struct vigil_alerts *a = vigil_alerts__new(&o);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	struct vigil_error err;
	struct vigil_sink_stats st;
	char spec[300], buf[16384];
	struct parsed p;
	ssize_t n;
	int fd, i;

	snprintf(un.sun_path, sizeof(un.sun_path), "%s/log.sock", tmpdir);
	snprintf(spec, sizeof(spec), "syslog:unix:%s", un.sun_path);
	/* No listener yet: the sink retries until one appears. */
	assert_int_equal(vigil_alerts__add_sink(a, spec, &err), 0);
	assert_int_equal(emit(a, make_alert("R0001", 1, "w", 1)), 0);
	for (i = 0; i < 500; i++) {
		vigil_alerts__stats(a, &st, 1);
		if (st.failures >= 2)
			break;
		usleep(10000);
	}
	assert_true(st.failures >= 2);
	assert_int_equal(st.sent, 0);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&un, sizeof(un)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(vigil_alerts__flush(a, 5000000000ull), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	parse_5424(buf, &p);
	assert_int_equal(p.pri, 16 * 8 + 5);
	assert_string_equal(p.msgid, "R0001");
	vigil_alerts__free(a);
	close(fd);
}

static void test_syslog_bad_specs(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;

	assert_int_equal(vigil_alerts__add_sink(a, "syslog:nohostport", &err), -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog:127.0.0.1:514;facility=bogus", &err),
			 -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog:[::1:514", &err), -EINVAL);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog:[::1]:5514", &err), 0);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog", &err), 0);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog;facility=auth", &err), 0);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog;facility=nope", &err), -EINVAL);
	assert_int_equal(vigil_alerts__stats(a, NULL, 0), 3);
	vigil_alerts__free(a);
}

/* Threads of this process whose signal mask blocks both SIGHUP and SIGPIPE. */
static int threads_blocking_hup_pipe(void)
{
	const unsigned long long want = (1ull << (SIGHUP - 1)) | (1ull << (SIGPIPE - 1));
	char path[300], line[256];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int n = 0;

	assert_non_null(dir);
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "SigBlk:", 7) &&
			    (strtoull(line + 7, NULL, 16) & want) == want)
				n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

/* Sink threads take no signals: SIGHUP is the program's, SIGPIPE must not kill it. */
static void test_sink_threads_block_signals(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	struct vigil_error err;
	sigset_t none;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	assert_int_equal(threads_blocking_hup_pipe(), 0);
	assert_int_equal(vigil_alerts__add_sink(a, "syslog:127.0.0.1:9", &err), 0);
	assert_int_equal(vigil_alerts__add_sink(a, "webhook:http://127.0.0.1:9/", &err), 0);
	assert_int_equal(threads_blocking_hup_pipe(), 2);
	vigil_alerts__free(a);
}

static void test_health_nothing_dropped(void **state)
{
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	json_t *h = NULL;

	assert_int_equal(vigil_alerts__health_alert(a, &h), 0);
	assert_null(h);
	vigil_alerts__free(a);
}

static void test_alertmanager_mapping_edges(void **state)
{
	/* 2026-11-22T10:00:00Z as "now", resolve 1 h. */
	const uint64_t now = 1795341600ull * 1000000000ull, hour = 3600ull * 1000000000ull;
	const char *const times[] = { "2026-11-22T09:59:59.5Z", "2026-11-22T11:00:00.000000001Z",
				      "2026-11-22 09:00:00Z", "2026-11-22T09:00:00.Z", "" };
	const char *const want[] = { "2026-11-22T09:59:59.5Z", "2026-11-22T10:00:00.000000000Z",
				     "2026-11-22T10:00:00.000000000Z",
				     "2026-11-22T10:00:00.000000000Z",
				     "2026-11-22T10:00:00.000000000Z" };
	json_t *al, *am;

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		al = json_pack("{s:s, s:s, s:i}", "time", times[i], "rule_id", "R0040", "severity",
			       4);
		am = vigil_alertmanager__alert(al, hour, now);
		/* A time ahead of endsAt (clock skew) or malformed becomes now: never a 400. */
		assert_string_equal(json_string_value(json_object_get(am, "startsAt")), want[i]);
		assert_string_equal(json_string_value(json_object_get(am, "endsAt")),
				    "2026-11-22T11:00:00.000000000Z");
		assert_string_equal(json_string_value(json_object_get(json_object_get(am, "labels"),
								      "severity")),
				    "medium");
		/* Empty values are left out: Alertmanager treats "" as no label. */
		assert_null(json_object_get(json_object_get(am, "labels"), "pod"));
		json_decref(am);
		json_decref(al);
	}
	al = json_pack("{s:s, s:i}", "rule_id", "V0001", "severity", 5);
	am = vigil_alertmanager__alert(al, hour, now);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(am, "labels"), "alertname")),
		"VigilHealth");
	json_decref(am);
	json_decref(al);
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
	return rng_state;
}

/* A string with quotes, brackets, backslashes, control bytes, UTF-8 and sometimes 64 KiB. */
static json_t *hostile_string(void)
{
	static const char *const parts[] = { "\"", "]", "\\",	     "\n",    "\x01", " ",
					     "é",  "≋", "[a=\"b\"]", "<13>1", "%s%n", "x" };
	char buf[70000];
	size_t len = 0, n = rnd() % 8 == 0 ? 65536 : rnd() % 40;

	while (len < n) {
		const char *p = parts[rnd() % (sizeof(parts) / sizeof(parts[0]))];
		size_t l = strlen(p);

		if (len + l >= sizeof(buf))
			break;
		memcpy(buf + len, p, l);
		len += l;
	}
	buf[len] = '\0';
	return json_string(buf);
}

static json_t *hostile_value(int depth)
{
	switch (rnd() % (depth > 2 ? 4 : 7)) {
	case 0:
		return hostile_string();
	case 1:
		return json_integer((json_int_t)rnd());
	case 2:
		return json_null();
	case 3:
		return json_real(-1.5);
	case 4: {
		json_t *o = json_object();

		json_object_set_new(o, "name", hostile_value(depth + 1));
		json_object_set_new(o, "comm", hostile_value(depth + 1));
		json_object_set_new(o, "pid", hostile_value(depth + 1));
		json_object_set_new(o, "tactic", hostile_value(depth + 1));
		return o;
	}
	case 5: {
		json_t *a = json_array();

		for (int i = 0; i < 3; i++)
			json_array_append_new(a, hostile_value(depth + 1));
		return a;
	}
	default:
		return json_true();
	}
}

/*
 * Whatever a producer puts in an alert (wrong types, hostile strings), the Alertmanager
 * object has only string labels and annotations, and the syslog message stays one bounded,
 * parseable RFC 5424 line whose header fields have no spaces.
 */
static void test_formatters_hostile_input(void **state)
{
	static const char *const keys[] = { "time",    "rule_id", "rule_name", "severity",
					    "message", "node",	  "alert_id",  "workload",
					    "process", "mitre",	  "event",     "incident_id" };
	static char buf[16384];

	for (int round = 0; round < 300; round++) {
		struct vigil_alert_msg *m = calloc(1, sizeof(*m) + 1);
		json_t *al = json_object(), *am;
		const char *k;
		json_t *v;
		struct parsed p;
		size_t len;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (rnd() % 4)
				json_object_set_new(al, keys[i], hostile_value(0));
		am = vigil_alertmanager__alert(al, 1000000000ull, 1795341600ull * 1000000000ull);
		assert_non_null(am);
		json_object_foreach(json_object_get(am, "labels"), k, v)
		{
			assert_true(json_is_string(v));
			assert_true(*json_string_value(v));
			assert_true(json_string_length(v) <= 1024);
		}
		json_object_foreach(json_object_get(am, "annotations"), k, v)
		{
			assert_true(json_is_string(v));
			assert_true(json_string_length(v) <= 8192);
		}
		/* Every field that was a non-empty string arrives (possibly cut), none is lost. */
		if (json_is_string(json_object_get(al, "message")) &&
		    *json_string_value(json_object_get(al, "message")))
			assert_non_null(
				json_object_get(json_object_get(am, "annotations"), "description"));
		if (json_is_string(json_object_get(al, "rule_name")) &&
		    *json_string_value(json_object_get(al, "rule_name")))
			assert_non_null(
				json_object_get(json_object_get(am, "labels"), "rule_name"));
		assert_int_equal(strlen(json_string_value(json_object_get(am, "endsAt"))), 30);
		json_decref(am);

		m->json = al;
		len = vigil_syslog__format(m, 16, buf, sizeof(buf));
		assert_true(len > 0 && len <= 8192);
		assert_int_equal(strlen(buf), len);
		assert_null(memchr(buf, '\n', len));
		parse_5424(buf, &p);
		assert_true(p.pri >= 16 * 8 + 2 && p.pri <= 16 * 8 + 5);
		assert_string_equal(p.app, "vigil");
		json_decref(al);
		free(m);
	}
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_sink),
		cmocka_unit_test(test_file_reopen),
		cmocka_unit_test(test_file_write_error_counted),
		cmocka_unit_test(test_stdout_sink),
		cmocka_unit_test(test_syslog_udp),
		cmocka_unit_test(test_syslog_unix_and_retry),
		cmocka_unit_test(test_syslog_bad_specs),
		cmocka_unit_test(test_health_nothing_dropped),
		cmocka_unit_test(test_sink_threads_block_signals),
		cmocka_unit_test(test_alertmanager_mapping_edges),
		cmocka_unit_test(test_formatters_hostile_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
