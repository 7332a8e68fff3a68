// SPDX-License-Identifier: Apache-2.0
/*
 * Analysis on real data: protocol bytes captured from real clients (curl, openssl s_client,
 * redis-cli, psql, glibc's resolver), language of real binaries on this machine (a Go program
 * and a C++ program built here, /bin/ls, python3), beacon scores, entropy, secrets.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vigil/analysis.h"

/* ---- helpers ------------------------------------------------------------------------- */

static bool have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/*
 * Starts the shell command fmt (with %d = a free loopback port we listen on), accepts its
 * connection and returns the first bytes it sends (what a sensor sees as the flow's start).
 */
static size_t capture_client(uint8_t *out, size_t max, const char *fmt)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), cs;
	char cmd[512];
	size_t got = 0;
	struct pollfd pfd;
	pid_t pid;

	assert_true(ls >= 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 4), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	{
		const char *at = strstr(fmt, "%d");

		assert_non_null(at);
		snprintf(cmd, sizeof(cmd), "%.*s%d%s", (int)(at - fmt), fmt, ntohs(sa.sin_port),
			 at + 2);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	pfd.fd = ls;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	cs = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cs >= 0);
	pfd.fd = cs;
	/* Read until the client pauses: it waits for our answer, which never comes. */
	while (got < max && poll(&pfd, 1, got ? 300 : 10000) == 1) {
		ssize_t n = read(cs, out + got, max - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(cs);
	close(ls);
	return got;
}

static void expect_proto(const uint8_t *d, size_t len, enum vigil_proto want, const char *detail)
{
	struct vigil_proto_info pi;

	vigil_proto__detect(d, len, &pi);
	if (pi.proto != want)
		fail_msg("detected %s (%s), want %s", vigil_proto__name(pi.proto), pi.detail,
			 vigil_proto__name(want));
	if (detail && !strstr(pi.detail, detail))
		fail_msg("detail \"%s\" lacks \"%s\"", pi.detail, detail);
}

/* ---- protocols ------------------------------------------------------------------------ */

static void test_proto_http(void **state)
{
	uint8_t buf[4096];
	size_t n;

	if (!have("curl"))
		skip();
	n = capture_client(buf, sizeof(buf), "curl -s -m 3 http://127.0.0.1:%d/vigil/index.html");
	assert_true(n > 16);
	expect_proto(buf, n, VIGIL_PROTO_HTTP, "GET /vigil/index.html HTTP/1.1");
	/* A response line too */
	expect_proto((const uint8_t *)"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38,
		     VIGIL_PROTO_HTTP, "200 OK");
}

/*
 * Sends the captured ClientHello to a real `openssl s_server` on a free port and checks its
 * first answer is detected as a ServerHello.
 */
static void server_answer_tls(const uint8_t *hello, size_t n)
{
	char dir[] = "/tmp/vigil-tls-XXXXXX", cmd[1024];
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	uint8_t ans[8192];
	size_t got = 0;
	struct pollfd pfd;
	int port, in[2], fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	/* a free port: bind to 0, note it, release it for s_server */
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
		 "-subj /CN=c2.vigil.test -keyout %s/k.pem -out %s/c.pem >/dev/null 2>&1",
		 dir, dir);
	assert_int_equal(run(cmd), 0);
	/* s_server ends a connection at EOF on its stdin: give it a pipe that stays open */
	assert_int_equal(pipe(in), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char portarg[16], cert[64], key[64];
		int null = open("/dev/null", O_RDWR);

		dup2(in[0], 0);
		close(in[1]);
		dup2(null, 1);
		dup2(null, 2);
		snprintf(portarg, sizeof(portarg), "%d", port);
		snprintf(cert, sizeof(cert), "%s/c.pem", dir);
		snprintf(key, sizeof(key), "%s/k.pem", dir);
		execlp("openssl", "openssl", "s_server", "-accept", portarg, "-cert", cert, "-key",
		       key, "-naccept", "1", (char *)NULL);
		_exit(127);
	}
	sa.sin_port = htons((uint16_t)port);
	for (int i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(fd);
		fd = -1;
		usleep(50000);
	}
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hello, n), (ssize_t)n);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < sizeof(ans) && poll(&pfd, 1, got ? 300 : 5000) == 1) {
		ssize_t r = read(fd, ans + got, sizeof(ans) - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(in[0]);
	close(in[1]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	assert_true(got > 40);
	expect_proto(ans, got, VIGIL_PROTO_TLS, "ServerHello");
}

static void test_proto_tls(void **state)
{
	uint8_t buf[4096];
	size_t n;

	if (!have("openssl"))
		skip();
	n = capture_client(buf, sizeof(buf),
			   "openssl s_client -connect 127.0.0.1:%d -servername c2.vigil.test "
			   "</dev/null");
	assert_true(n > 40);
	expect_proto(buf, n, VIGIL_PROTO_TLS, "ClientHello");
	expect_proto(buf, n, VIGIL_PROTO_TLS, "sni=c2.vigil.test");
	server_answer_tls(buf, n);
}

static void test_proto_redis(void **state)
{
	uint8_t buf[4096];
	size_t n;

	if (!have("redis-cli"))
		skip();
	n = capture_client(buf, sizeof(buf), "redis-cli -h 127.0.0.1 -p %d SET vigil 1");
	assert_true(n > 8);
	expect_proto(buf, n, VIGIL_PROTO_REDIS, "command SET");
	expect_proto((const uint8_t *)"+OK\r\n", 5, VIGIL_PROTO_REDIS, "reply +OK");
}

static void test_proto_postgres(void **state)
{
	uint8_t buf[4096];
	size_t n;

	if (!have("psql"))
		skip();
	n = capture_client(buf, sizeof(buf),
			   "PGCONNECT_TIMEOUT=3 psql 'host=127.0.0.1 port=%d user=vigil "
			   "dbname=evidence sslmode=disable' -c 'select 1'");
	assert_true(n > 8);
	expect_proto(buf, n, VIGIL_PROTO_POSTGRES, "startup user.vigil");
	/* psql's default sslmode=prefer starts with an SSLRequest */
	n = capture_client(buf, sizeof(buf),
			   "PGCONNECT_TIMEOUT=3 psql 'host=127.0.0.1 port=%d user=vigil "
			   "sslmode=prefer' -c 'select 1'");
	assert_int_equal(n, 8);
	expect_proto(buf, n, VIGIL_PROTO_POSTGRES, "SSLRequest");
}

static void test_proto_dns(void **state)
{
	uint8_t q[512], tcp[514];
	int n;

	/* glibc's resolver builds the query exactly as it sends it */
	res_init();
	n = res_mkquery(ns_o_query, "c2.Example.org", ns_c_in, ns_t_a, NULL, 0, NULL, q, sizeof(q));
	assert_true(n > 12);
	expect_proto(q, (size_t)n, VIGIL_PROTO_DNS, "query c2.example.org type 1");
	/* and over TCP, with its length prefix */
	tcp[0] = (uint8_t)(n >> 8);
	tcp[1] = (uint8_t)n;
	memcpy(tcp + 2, q, (size_t)n);
	expect_proto(tcp, (size_t)n + 2, VIGIL_PROTO_DNS, "c2.example.org");
}

static void test_proto_mysql(void **state)
{
	/*
	 * No MySQL server or client is installed here: this is a MariaDB 10.11 server greeting
	 * laid out per the protocol documentation (length, seq 0, protocol 10, version, ...).
	 */
	static const uint8_t greeting[] = {
		0x4a, 0x00, 0x00, 0x00, 0x0a, '1',  '0',  '.',	'1',  '1',  '.',  '6',	'-',
		'M',  'a',  'r',  'i',	'a',  'D',  'B',  0x00, 0x05, 0x00, 0x00, 0x00, 0x3f,
		0x22, 0x5b, 0x41, 0x2e, 0x6c, 0x71, 0x4e, 0x00, 0xfe, 0xf7, 0x2d, 0x02, 0x00,
		0xff, 0x81, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00,
		0x6d, 0x52, 0x51, 0x3e, 0x6f, 0x6a, 0x33, 0x31, 0x2c, 0x2a, 0x4a, 0x21, 0x00,
		'm',  'y',  's',  'q',	'l',  '_',  'n',  'a',	't',  'i',  'v',  'e',	'_',
		'p',  'a',  's',  's',	'w',  'o',  'r',  'd',	0x00,
	};
	static const uint8_t query[] = { 0x09, 0x00, 0x00, 0x00, 0x03, 's', 'e',
					 'l',  'e',  'c',  't',	 ' ',  '1' };

	expect_proto(greeting, sizeof(greeting), VIGIL_PROTO_MYSQL, "greeting 10.11.6-MariaDB");
	expect_proto(query, sizeof(query), VIGIL_PROTO_MYSQL, "query select 1");
}

static void test_proto_binary_and_text(void **state)
{
	uint8_t rnd[1024];
	struct vigil_proto_info pi;
	FILE *f = fopen("/dev/urandom", "rb");

	assert_non_null(f);
	assert_int_equal(fread(rnd, 1, sizeof(rnd), f), sizeof(rnd));
	fclose(f);
	rnd[0] = 0x00; /* not a TLS/redis/pg lead byte by chance */
	rnd[1] = 0x01;
	vigil_proto__detect(rnd, sizeof(rnd), &pi);
	assert_int_equal(pi.proto, VIGIL_PROTO_BINARY);
	assert_true(pi.entropy > 7.5);
	expect_proto((const uint8_t *)"hello there, c2\n", 16, VIGIL_PROTO_TEXT, "hello");
	vigil_proto__detect(NULL, 0, &pi);
	assert_int_equal(pi.proto, VIGIL_PROTO_NONE);
	/* Almost-protocols: an HTTP-looking line that is not a request line */
	expect_proto((const uint8_t *)"GET me a coffee\r\nplease\r\n", 25, VIGIL_PROTO_TEXT, NULL);
}

static void test_entropy(void **state)
{
	uint8_t all[256], zero[64] = { 0 };

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	assert_true(fabs(vigil_entropy(all, sizeof(all)) - 8.0) < 1e-9);
	assert_true(vigil_entropy(zero, sizeof(zero)) == 0.0);
	assert_true(fabs(vigil_entropy((const uint8_t *)"abab", 4) - 1.0) < 1e-9);
	assert_true(vigil_entropy(NULL, 0) == 0.0);
}

/* ---- beaconing ------------------------------------------------------------------------ */

static void test_beacon_regular(void **state)
{
	uint64_t t[60], sz[60];
	struct vigil_beacon b;

	/* every 1 s with up to 3 ms of jitter, frames of 180..182 bytes */
	srand(7);
	for (int i = 0; i < 60; i++) {
		t[i] = 1700000000000000000ull + (uint64_t)i * 1000000000ull +
		       (uint64_t)(rand() % 3000000);
		sz[i] = 180 + (uint64_t)(rand() % 3);
	}
	assert_int_equal(vigil_beacon__score(t, sz, 60, &b), 0);
	assert_true(b.scored);
	assert_true(b.score >= 0.9);
	assert_string_equal(b.band, "high");
	assert_true(b.interval_ns > 990000000ull && b.interval_ns < 1010000000ull);
}

static void test_beacon_random(void **state)
{
	uint64_t t[60], sz[60], now = 1700000000000000000ull;
	struct vigil_beacon b;

	/* exponential gaps (mean 1 s) and sizes spread over 100..10 000 bytes: no beacon */
	srand(11);
	for (int i = 0; i < 60; i++) {
		double u = (rand() + 1.0) / (RAND_MAX + 2.0);

		now += (uint64_t)(-log(u) * 1e9);
		t[i] = now;
		sz[i] = 100 + (uint64_t)(rand() % 9900);
	}
	assert_int_equal(vigil_beacon__score(t, sz, 60, &b), 0);
	assert_true(b.scored);
	if (b.score >= 0.7)
		fail_msg("random traffic scored %.3f", b.score);
	assert_string_not_equal(b.band, "high");
	assert_string_not_equal(b.band, "medium");
}

static void test_beacon_too_few(void **state)
{
	uint64_t t[3] = { 1, 1000000001, 2000000001 };
	struct vigil_beacon b;

	assert_int_equal(vigil_beacon__score(t, NULL, 3, &b), 0);
	assert_false(b.scored);
	assert_string_equal(b.band, "none");
	assert_int_equal(vigil_beacon__score(NULL, NULL, 3, &b), -EINVAL);
}

/* ---- language ------------------------------------------------------------------------- */

static char tmpdir[64];

static int lang_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-lang-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int lang_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return run(cmd) == 0 ? 0 : -1;
}

static void expect_lang(const char *path, enum vigil_lang want)
{
	struct vigil_lang_info li;
	int err = vigil_lang__from_elf_file(path, &li);

	if (err)
		fail_msg("%s: %s", path, strerror(-err));
	if (li.lang != want)
		fail_msg("%s: %s (%s), want %s", path, vigil_lang__name(li.lang), li.evidence,
			 vigil_lang__name(want));
}

static void test_lang_go(void **state)
{
	char cmd[1024], bin[128];
	struct vigil_lang_info li;

	if (!have("go"))
		skip();
	snprintf(
		cmd, sizeof(cmd),
		"cd %s && printf 'package main\\nimport \"fmt\"\\nfunc main() { fmt.Println(1) }\\n' "
		"> main.go && HOME=%s GOCACHE=%s/cache GOPATH=%s/gopath GO111MODULE=off "
		"go build -o hello main.go",
		tmpdir, tmpdir, tmpdir, tmpdir);
	assert_int_equal(run(cmd), 0);
	snprintf(bin, sizeof(bin), "%s/hello", tmpdir);
	expect_lang(bin, VIGIL_LANG_GO);
	assert_int_equal(vigil_lang__from_elf_file(bin, &li), 0);
	assert_true(strncmp(li.version, "go1.", 4) == 0);
	/* stripped too: .go.buildinfo survives strip */
	snprintf(cmd, sizeof(cmd), "strip %s/hello", tmpdir);
	assert_int_equal(run(cmd), 0);
	expect_lang(bin, VIGIL_LANG_GO);
}

static void test_lang_cxx_and_c(void **state)
{
	char cmd[1024], bin[128];

	if (!have("g++"))
		skip();
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf '#include <iostream>\\n#include <string>\\nint main() { "
		 "std::string s(\"x\"); std::cout << s << std::endl; }\\n' > m.cc && "
		 "g++ -O1 -o cxx m.cc",
		 tmpdir);
	assert_int_equal(run(cmd), 0);
	snprintf(bin, sizeof(bin), "%s/cxx", tmpdir);
	expect_lang(bin, VIGIL_LANG_CXX);
	expect_lang("/bin/ls", VIGIL_LANG_C);
}

static void test_lang_rust(void **state)
{
	char cmd[1024], bin[128];

	if (!have("rustc"))
		skip();
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'fn main() { println!(\"x\"); }\\n' > m.rs && "
		 "rustc -O -C strip=symbols -o rs m.rs 2>/dev/null",
		 tmpdir);
	if (run(cmd) != 0)
		skip(); /* a rustc without a usable toolchain */
	snprintf(bin, sizeof(bin), "%s/rs", tmpdir);
	expect_lang(bin, VIGIL_LANG_RUST);
}

static void test_lang_python(void **state)
{
	struct vigil_lang_info li;
	pid_t pid;

	if (access("/usr/bin/python3", X_OK))
		skip();
	expect_lang("/usr/bin/python3", VIGIL_LANG_PYTHON);
	/* A live interpreter: found through its exe and maps */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/usr/bin/python3", "python3", "-c", "import time; time.sleep(5)",
		      (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	assert_int_equal(vigil_lang__from_pid(pid, &li), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(li.lang, VIGIL_LANG_PYTHON);
	assert_int_equal(vigil_lang__from_pid(pid, &li), -ESRCH);
}

static void test_lang_runtimes(void **state)
{
	/* the JVM launcher (C, runs Java) and node (C++, runs JavaScript), where installed */
	char java[4096];
	bool any = false;

	if (realpath("/usr/bin/java", java)) {
		expect_lang(java, VIGIL_LANG_JVM);
		any = true;
	}
	if (access("/usr/bin/node", R_OK) == 0) {
		expect_lang("/usr/bin/node", VIGIL_LANG_NODE);
		any = true;
	}
	if (!any)
		skip();
}

static void test_lang_maps(void **state)
{
	static const char maps[] =
		"7f0000000000-7f0000001000 r-xp 00000000 08:01 1234 /usr/lib/jvm/java-17/lib/"
		"server/libjvm.so\n"
		"7f0000002000-7f0000003000 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/"
		"libc.so.6\n";
	static const char py[] = "5600-5700 r-xp 0 08:01 7 /usr/lib/libpython3.11.so.1.0\n";
	struct vigil_lang_info li;

	assert_int_equal(vigil_lang__from_maps(maps, sizeof(maps) - 1, "/usr/bin/java", &li), 0);
	assert_int_equal(li.lang, VIGIL_LANG_JVM);
	assert_int_equal(vigil_lang__from_maps(py, sizeof(py) - 1, "/usr/bin/app", &li), 0);
	assert_int_equal(li.lang, VIGIL_LANG_PYTHON);
	assert_string_equal(li.version, "3.11");
	assert_int_equal(vigil_lang__from_maps("", 0, "/usr/bin/node", &li), 0);
	assert_int_equal(li.lang, VIGIL_LANG_NODE);
	assert_int_equal(vigil_lang__from_maps("", 0, "/usr/bin/app", &li), 0);
	assert_int_equal(li.lang, VIGIL_LANG_UNKNOWN);
}

static void test_lang_not_elf(void **state)
{
	struct vigil_lang_info li;
	static const char junk[64] = "\x7f"
				     "ELF but not really";

	assert_int_equal(vigil_lang__from_elf_mem(junk, sizeof(junk), &li), -ENOEXEC);
	assert_int_equal(vigil_lang__from_elf_file("/etc/hostname", &li), -ENOEXEC);
	assert_int_equal(vigil_lang__from_elf_file("/nonexistent/x", &li), -ENOENT);
}

/* ---- secrets -------------------------------------------------------------------------- */

static void test_secret_in_payload(void **state)
{
	/* a service-account-like token, sent inside a framed binary message */
	static const char token[] =
		"eyJhbGciOiJSUzI1NiIsImtpZCI6InZpZ2lsLXRlc3QifQ.eyJzdWIiOiJzeXN0"
		"ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpjbGllbnQifQ.c2lnbmF0dXJl";
	uint8_t payload[512];
	struct vigil_secret_match m;
	struct vigil_redaction r;
	size_t tl = sizeof(token) - 1;

	memset(payload, 0x07, sizeof(payload));
	memcpy(payload, "\x00\x00\x01\x10\xff\x81\x03", 7);
	memcpy(payload + 40, token, tl);
	assert_int_equal(
		vigil_secret__find((const uint8_t *)token, tl, payload, sizeof(payload), &m), 1);
	assert_int_equal(m.payload_off, 40);
	assert_int_equal(m.secret_off, 0);
	assert_int_equal(m.len, tl);

	/* only a part of it sent (e.g. the sample was cut): the run is still found */
	assert_int_equal(vigil_secret__find((const uint8_t *)token, tl, payload + 100, 60, &m), 1);
	assert_int_equal(m.len, 60);
	assert_int_equal(m.secret_off, 60);

	/* redaction keeps hash, length, prefix and hides the bytes */
	assert_int_equal(vigil_redact(payload, sizeof(payload), 40, tl, &r), 0);
	assert_int_equal(r.len, tl);
	assert_string_equal(r.prefix_hex, "65794a68"); /* "eyJh" */
	assert_int_equal(strlen(r.sha256), 64);
	assert_null(memmem(payload, sizeof(payload), "eyJhbGci", 8));
	assert_int_equal(
		vigil_secret__find((const uint8_t *)token, tl, payload, sizeof(payload), &m), 0);
	assert_int_equal(vigil_redact(payload, sizeof(payload), 500, 13, &r), -EINVAL);
}

static void test_secret_absent_and_short(void **state)
{
	static const char shadow[] = "root:$y$j9T$abc:19000:0:99999:7:::\n";
	static const char other[] = "GET / HTTP/1.1\r\nHost: example\r\nUser-Agent: curl/7.88\r\n";
	struct vigil_secret_match m;

	assert_int_equal(vigil_secret__find((const uint8_t *)shadow, sizeof(shadow) - 1,
					    (const uint8_t *)other, sizeof(other) - 1, &m),
			 0);
	/* a short secret counts only whole */
	assert_int_equal(vigil_secret__find((const uint8_t *)"hunter2", 7,
					    (const uint8_t *)"pw=hunter2;", 11, &m),
			 1);
	assert_int_equal(m.payload_off, 3);
	assert_int_equal(vigil_secret__find((const uint8_t *)"hunter2", 7,
					    (const uint8_t *)"pw=hunter;", 10, &m),
			 0);
	/* a payload shorter than the match window (found by fuzz_proto) */
	assert_int_equal(vigil_secret__find((const uint8_t *)shadow, sizeof(shadow) - 1,
					    (const uint8_t *)"root:", 5, &m),
			 0);
	assert_true(vigil_secret__sensitive_path(
		"/var/run/secrets/kubernetes.io/serviceaccount/token"));
	assert_true(vigil_secret__sensitive_path("/etc/shadow"));
	assert_true(vigil_secret__sensitive_path("/home/u/.ssh/id_ed25519"));
	assert_false(vigil_secret__sensitive_path("/etc/hostname"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proto_http),
		cmocka_unit_test(test_proto_tls),
		cmocka_unit_test(test_proto_redis),
		cmocka_unit_test(test_proto_postgres),
		cmocka_unit_test(test_proto_dns),
		cmocka_unit_test(test_proto_mysql),
		cmocka_unit_test(test_proto_binary_and_text),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_beacon_regular),
		cmocka_unit_test(test_beacon_random),
		cmocka_unit_test(test_beacon_too_few),
		cmocka_unit_test_setup_teardown(test_lang_go, lang_setup, lang_teardown),
		cmocka_unit_test_setup_teardown(test_lang_cxx_and_c, lang_setup, lang_teardown),
		cmocka_unit_test_setup_teardown(test_lang_rust, lang_setup, lang_teardown),
		cmocka_unit_test(test_lang_python),
		cmocka_unit_test(test_lang_runtimes),
		cmocka_unit_test(test_lang_maps),
		cmocka_unit_test(test_lang_not_elf),
		cmocka_unit_test(test_secret_in_payload),
		cmocka_unit_test(test_secret_absent_and_short),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
