// SPDX-License-Identifier: Apache-2.0
/* Every wildcard rule of kubescape-sbob.md §2 and its edges, one pattern at a time. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "profile/wildcard.h"

#define ONE  VIGIL_WC_ONE
#define ARGS VIGIL_WC_ARGS

struct pcase {
	const char *pattern, *query;
	bool want;
};

static void run_path_cases(const struct pcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool got = vigil_wc_path_match(c[i].pattern, c[i].query);

		if (got != c[i].want)
			fail_msg("path %zu: \"%s\" vs \"%s\": got %d, want %d", i, c[i].pattern,
				 c[i].query, got, c[i].want);
	}
}

static void test_path_literal(void **state)
{
	static const struct pcase c[] = {
		{ "/etc/passwd", "/etc/passwd", true },
		{ "/etc/passwd", "/etc/passwd/", true }, /* trailing '/' ignored */
		{ "/etc/passwd/", "/etc/passwd", true },
		{ "/etc/passwd", "/etc/passwdx", false },
		{ "/etc/passwd", "/etc", false },
		{ "/etc", "/etc/passwd", false },
		{ "/", "/", true },
		{ "/", "//", true },
		{ "/", "/etc", false },
		{ "/etc/passwd", "etc/passwd", false }, /* anchored at the leading '/' */
		{ "", "/", false },			/* an empty entry matches nothing */
		{ "/etc", "", false },
		{ "/etc/*.conf", "/etc/a.conf", false }, /* '*' inside a segment is literal */
		{ "/etc/*.conf", "/etc/*.conf", true },
		{ "/a/x" ONE, "/a/xy", false }, /* so is ⋯ inside a segment */
	};

	run_path_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_path_one(void **state)
{
	static const struct pcase c[] = {
		{ "/proc/" ONE "/status", "/proc/1/status", true },
		{ "/proc/" ONE "/status", "/proc/self/status", true },
		{ "/proc/" ONE "/status", "/proc/status", false },     /* exactly one, not zero */
		{ "/proc/" ONE "/status", "/proc/1/2/status", false }, /* not two */
		{ "/proc/" ONE, "/proc/1", true },
		{ "/proc/" ONE, "/proc", false },
		{ "/proc/" ONE, "/proc/", false },
		{ "/proc/" ONE, "/proc/1/fd", false },
		/* An empty segment ("//") is a segment, as in Kubescape's split. */
		{ "/a/" ONE "/b", "/a//b", true },
		{ "/a/" ONE "/" ONE, "/a/x/y", true },
		{ ONE, "x", true },
		{ ONE, "/", true }, /* "/" is one empty segment */
	};

	run_path_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_path_star(void **state)
{
	static const struct pcase c[] = {
		/* Trailing '*': one or more segments. */
		{ "/etc/*", "/etc/passwd", true },
		{ "/etc/*", "/etc/ssl/certs/ca.pem", true },
		{ "/etc/*", "/etc", false },
		{ "/etc/*", "/etc/", false },
		{ "/etc/*", "/etcx/passwd", false },
		{ "/*", "/", false },
		{ "/*", "/etc", true },
		/* Mid-path '*': zero or more. */
		{ "/a/*/b", "/a/b", true },
		{ "/a/*/b", "/a/x/b", true },
		{ "/a/*/b", "/a/x/y/z/b", true },
		{ "/a/*/b", "/a/x/y/z/c", false },
		{ "/a/*/b", "/a/b/c", false },
		{ "/a/*/b", "/a/b/b", true },
		{ "/*/passwd", "/passwd", true },
		{ "/a/*/b/*/c", "/a/b/c", true },
		{ "/a/*/b/*/c", "/a/1/b/2/3/c", true },
		{ "/a/*/b/*/c", "/a/1/b/2/3/d", false },
		/* Adjacent: mid stars collapse; a trailing run still needs one segment. */
		{ "/a/*/*/b", "/a/b", true },
		{ "/x/*/*", "/x", false },
		{ "/x/*/*", "/x/1", true },
		{ "/a/*/" ONE, "/a", false },
		{ "/a/*/" ONE, "/a/1", true },
		{ "/a/*/" ONE, "/a/1/2/3", true },
		/* Unanchored '*': everything, "/" included. */
		{ "*", "/", true },
		{ "*", "/etc/passwd", true },
		{ "*", "relative", true },
	};

	run_path_cases(c, sizeof(c) / sizeof(c[0]));
}

/* The splitter scans eight bytes at a time: separators at every position of a word. */
static void test_split(void **state)
{
	struct vigil_wc_seg seg[16];
	/* '.' is '/' ^ 1: a borrow-based zero-byte test would see one after each '/'. */
	static const char path[] = "/./../a.b/.c//d/";
	static const char *const want[] = { "", ".", "..", "a.b", ".c", "", "d" };
	int n = vigil_wc_split(path, strlen(path), VIGIL_WC_PATH, seg, 16);

	assert_int_equal(n, 7);
	for (int i = 0; i < n; i++) {
		assert_int_equal(seg[i].len, strlen(want[i]));
		assert_memory_equal(seg[i].s, want[i], seg[i].len);
	}
	assert_int_equal(vigil_wc_split("a.b.c.d.e.f.g.h.i", 17, VIGIL_WC_DNS, seg, 16), 9);
	assert_int_equal(vigil_wc_split("abcdefgh.ijklmnop.q", 19, VIGIL_WC_DNS, seg, 16), 3);
	assert_int_equal(seg[1].len, 8);
	assert_int_equal(vigil_wc_split("abcdefg..x", 10, VIGIL_WC_DNS, seg, 16), -EINVAL);
	/* More segments than the buffer: the count, so the caller can retry. */
	assert_int_equal(vigil_wc_split("/a/b/c/d", 8, VIGIL_WC_PATH, seg, 2), 5);
	assert_true(vigil_wc_path_match("/" ONE "/x", "/./x"));
	assert_false(vigil_wc_path_match("/" ONE "/x", "/a/./x"));
}

static void test_path_limits(void **state)
{
	char big[VIGIL_WC_MAX_LEN + 16];
	struct vigil_wc_pattern p;

	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_false(vigil_wc_path_match("*", big));
	assert_int_equal(vigil_wc_pattern__compile(&p, big, VIGIL_WC_PATH), -EINVAL);
	assert_int_equal(vigil_wc_pattern__compile(&p, "", VIGIL_WC_PATH), -EINVAL);
	assert_int_equal(vigil_wc_pattern__compile(&p, NULL, VIGIL_WC_PATH), -EINVAL);
	assert_int_equal(vigil_wc_pattern__compile(&p, "/a/" ONE "/*", VIGIL_WC_PATH), 0);
	assert_false(p.literal);
	vigil_wc_pattern__release(&p);
	assert_int_equal(vigil_wc_pattern__compile(&p, "/a/b/", VIGIL_WC_PATH), 0);
	assert_true(p.literal);
	assert_string_equal(p.text, "/a/b");
	vigil_wc_pattern__release(&p);
	vigil_wc_pattern__release(NULL);
}

struct acase {
	const char *pat[6];
	size_t npat;
	bool required;
	const char *argv[6];
	size_t argc;
	bool want;
};

static void test_args(void **state)
{
	static const struct acase c[] = {
		/* argsRequired false: never checked. */
		{ { "a" }, 1, false, { "b", "c" }, 2, true },
		/* true: anchored, position by position. */
		{ { "ls", "-l" }, 2, true, { "ls", "-l" }, 2, true },
		{ { "ls", "-l" }, 2, true, { "ls" }, 1, false },
		{ { "ls", "-l" }, 2, true, { "ls", "-l", "/" }, 3, false },
		{ { 0 }, 0, true, { 0 }, 0, true }, /* empty list + required: no arguments */
		{ { 0 }, 0, true, { "x" }, 1, false },
		/* ⋯ is exactly one argument. */
		{ { "curl", "-s", ONE }, 3, true, { "curl", "-s", "http://x" }, 3, true },
		{ { "curl", "-s", ONE }, 3, true, { "curl", "-s" }, 2, false },
		{ { "curl", "-s", ONE }, 3, true, { "curl", "-s", "a", "b" }, 4, false },
		{ { ONE }, 1, true, { "" }, 1, true },
		/* ⋯⋯ is zero or more whole arguments, at the start, middle or end. */
		{ { "sh", "-c", ARGS }, 3, true, { "sh", "-c" }, 2, true },
		{ { "sh", "-c", ARGS }, 3, true, { "sh", "-c", "echo hi" }, 3, true },
		{ { "sh", "-c", ARGS }, 3, true, { "sh", "-x", "echo hi" }, 3, false },
		{ { ARGS, "exit" }, 2, true, { "exit" }, 1, true },
		{ { ARGS, "exit" }, 2, true, { "a", "b", "exit" }, 3, true },
		{ { ARGS, "exit" }, 2, true, { "a", "exit", "b" }, 3, false },
		{ { "sh", ARGS, "exit" }, 3, true, { "sh", "exit" }, 2, true },
		{ { "sh", ARGS, "exit" }, 3, true, { "sh", "-c", "x", "exit" }, 4, true },
		{ { "sh", ARGS, "exit" }, 3, true, { "sh", "-c", "x" }, 3, false },
		{ { ARGS }, 1, true, { 0 }, 0, true },
		{ { ARGS, ONE }, 2, true, { 0 }, 0, false },
		{ { ARGS, ONE }, 2, true, { "x" }, 1, true },
		{ { ARGS, "a", ARGS, "b", ARGS }, 5, true, { "b", "a", "x", "b" }, 4, true },
		{ { ARGS, "a", ARGS, "b", ARGS }, 5, true, { "b", "a" }, 2, false },
		/* '*' in arguments is a literal character. */
		{ { "echo", "*" }, 2, true, { "echo", "*" }, 2, true },
		{ { "echo", "*" }, 2, true, { "echo", "anything" }, 2, false },
		{ { "--load", "/plugins/*" }, 2, true, { "--load", "/plugins/evil.so" }, 2, false },
		/* A token holding ⋯ is matched segment by segment, same segment count. */
		{ { "/usr/lib/pg/" ONE "/bin/pg" }, 1, true, { "/usr/lib/pg/16/bin/pg" }, 1, true },
		{ { "/usr/lib/pg/" ONE "/bin/pg" },
		  1,
		  true,
		  { "/usr/lib/pg/16/x/bin/pg" },
		  1,
		  false },
		{ { "/opt/" ONE "/bin*" }, 1, true, { "/opt/v2/binX" }, 1, false },
		{ { "/opt/" ONE "/bin*" }, 1, true, { "/opt/v2/bin*" }, 1, true },
		{ { "x" ONE }, 1, true, { "xy" }, 1, false },
		{ { "x" ONE }, 1, true, { "x" ONE }, 1, true },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool got = vigil_wc_args_match(c[i].pat, c[i].npat, c[i].required, c[i].argv,
					       c[i].argc);

		if (got != c[i].want)
			fail_msg("args case %zu: got %d, want %d", i, got, c[i].want);
	}
}

static void test_dns(void **state)
{
	static const struct pcase c[] = {
		{ "example.com", "example.com", true },
		{ "example.com", "EXAMPLE.com.", true }, /* case and trailing dot */
		{ "Example.COM.", "example.com", true },
		{ "example.com", "www.example.com", false },
		/* *.x: exactly one label. */
		{ "*.example.com", "www.example.com", true },
		{ "*.example.com", "example.com", false },
		{ "*.example.com", "a.b.example.com", false },
		/* a.⋯.b: exactly one middle label. */
		{ "api." ONE ".svc", "api.ns1.svc", true },
		{ "api." ONE ".svc", "api.svc", false },
		{ "api." ONE ".svc", "api.a.b.svc", false },
		/* prefix.*: one or more labels. */
		{ "cdn.*", "cdn.example.com", true },
		{ "cdn.*", "cdn.x", true },
		{ "cdn.*", "cdn", false },
		{ "*.cdn.*", "a.cdn.b.c", true },
		{ "*.cdn.*", "cdn.b", false },
		/* Invalid patterns and names match nothing. */
		{ "*", "com", false },
		{ "**.com", "a.com", false },
		{ "a..com", "a..com", false },
		{ "example.com", "a..example.com", false },
		{ "example.com", ".", false },
		{ "example.com", "", false },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool got = vigil_wc_dns_match(c[i].pattern, c[i].query);

		if (got != c[i].want)
			fail_msg("dns %zu: \"%s\" vs \"%s\": got %d, want %d", i, c[i].pattern,
				 c[i].query, got, c[i].want);
	}
}

static bool ip_match(const char *pattern, const char *addr)
{
	struct vigil_wc_ipnet net;
	uint8_t raw[16], norm[16], fam;
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, addr, raw), 1);
	assert_int_equal(vigil_wc_ip_normalize(family, raw, norm, &fam), 0);
	if (vigil_wc_ip_parse(pattern, &net) < 0)
		return false;
	return vigil_wc_ip_match(&net, fam, norm);
}

static void test_ip(void **state)
{
	struct vigil_wc_ipnet net;

	assert_true(ip_match("10.0.0.1", "10.0.0.1"));
	assert_false(ip_match("10.0.0.1", "10.0.0.2"));
	assert_true(ip_match("*", "10.0.0.1"));
	assert_true(ip_match("*", "fd00::1"));
	/* CIDR bounds. */
	assert_true(ip_match("10.1.0.0/16", "10.1.0.0"));
	assert_true(ip_match("10.1.0.0/16", "10.1.255.255"));
	assert_false(ip_match("10.1.0.0/16", "10.2.0.0"));
	assert_false(ip_match("10.1.0.0/16", "10.0.255.255"));
	assert_true(ip_match("192.168.1.128/25", "192.168.1.128"));
	assert_true(ip_match("192.168.1.128/25", "192.168.1.255"));
	assert_false(ip_match("192.168.1.128/25", "192.168.1.127"));
	assert_true(ip_match("0.0.0.0/0", "255.255.255.255"));
	assert_true(ip_match("0.0.0.0/0", "0.0.0.0"));
	assert_false(ip_match("0.0.0.0/0", "fd00::1")); /* families never cross */
	assert_true(ip_match("10.0.0.7/32", "10.0.0.7"));
	assert_false(ip_match("10.0.0.7/32", "10.0.0.6"));
	assert_true(ip_match("10.0.0.7/8", "10.9.9.9")); /* host bits are cleared */
	/* IPv6. */
	assert_true(ip_match("fd00::1", "fd00:0:0::1"));
	assert_true(ip_match("fd00::/8", "fdff:ffff::1"));
	assert_false(ip_match("fd00::/8", "fe00::1"));
	assert_true(ip_match("2001:db8::1/128", "2001:db8::1"));
	assert_false(ip_match("2001:db8::1/128", "2001:db8::2"));
	assert_true(ip_match("2001:db8::/127", "2001:db8::1"));
	assert_false(ip_match("2001:db8::/127", "2001:db8::2"));
	assert_true(ip_match("::/0", "ffff::1"));
	assert_false(ip_match("::/0", "10.0.0.1"));
	/* IPv4-mapped IPv6 is IPv4 (as Go's net.IP.Equal). */
	assert_true(ip_match("10.0.0.1", "::ffff:10.0.0.1"));
	assert_true(ip_match("::ffff:10.0.0.1", "10.0.0.1"));
	assert_true(ip_match("10.0.0.0/8", "::ffff:10.2.3.4"));
	/* Invalid. */
	assert_int_equal(vigil_wc_ip_parse("10.0.0.0/33", &net), -EINVAL);
	assert_int_equal(vigil_wc_ip_parse("fd00::/129", &net), -EINVAL);
	assert_int_equal(vigil_wc_ip_parse("10.0.0.0/", &net), -EINVAL);
	assert_int_equal(vigil_wc_ip_parse("10.0.0.0/-1", &net), -EINVAL);
	assert_int_equal(vigil_wc_ip_parse("10.0.0", &net), -EINVAL);
	assert_int_equal(vigil_wc_ip_parse("", &net), -EINVAL);
	assert_int_equal(vigil_wc_ip_parse("example.com", &net), -EINVAL);
}

static void test_open_flags(void **state)
{
	uint64_t bits, entry = 0;

	assert_int_equal(vigil_wc_open_flag("O_RDONLY", &bits), 0);
	entry |= bits;
	assert_int_equal(vigil_wc_open_flag("O_CLOEXEC", &bits), 0);
	entry |= bits;
	assert_int_equal(vigil_wc_open_flag("O_BOGUS", &bits), -ENOENT);
	/* Entry [O_RDONLY, O_CLOEXEC] covers an O_RDONLY|O_CLOEXEC open and a plain O_RDONLY. */
	assert_true((vigil_wc_open_flags(02000000) & ~entry) == 0);
	assert_true((vigil_wc_open_flags(0) & ~entry) == 0);
	/* Not a write, not O_CREAT. */
	assert_false((vigil_wc_open_flags(1) & ~entry) == 0);
	assert_false((vigil_wc_open_flags(0100) & ~entry) == 0);
	/* O_SYNC needs O_SYNC: O_DSYNC alone in the entry does not cover it. */
	assert_int_equal(vigil_wc_open_flag("O_DSYNC", &bits), 0);
	assert_false((vigil_wc_open_flags(04010000) & ~(bits | VIGIL_WC_FLAG_RDONLY)) == 0);
	/* Access mode: 0 -> O_RDONLY, 1 -> O_WRONLY, 2 -> O_RDWR. */
	assert_true(vigil_wc_open_flags(0) == VIGIL_WC_FLAG_RDONLY);
	assert_true(vigil_wc_open_flags(1) == VIGIL_WC_FLAG_WRONLY);
	assert_true(vigil_wc_open_flags(2) == VIGIL_WC_FLAG_RDWR);
	/* Every name Linux documents resolves (the table is searched by bisection). */
	{
		static const char *const names[] = {
			"O_APPEND",    "O_ASYNC",   "O_CLOEXEC", "O_CREAT",    "O_DIRECT",
			"O_DIRECTORY", "O_DSYNC",   "O_EXCL",	 "O_FASYNC",   "O_LARGEFILE",
			"O_NDELAY",    "O_NOATIME", "O_NOCTTY",	 "O_NOFOLLOW", "O_NONBLOCK",
			"O_PATH",      "O_RDONLY",  "O_RDWR",	 "O_RSYNC",    "O_SYNC",
			"O_TMPFILE",   "O_TRUNC",   "O_WRONLY",
		};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (vigil_wc_open_flag(names[i], &bits) != 0 || bits == 0)
				fail_msg("flag %s not found", names[i]);
		assert_int_equal(vigil_wc_open_flag("o_rdonly", &bits), -ENOENT);
		assert_int_equal(vigil_wc_open_flag("", &bits), -ENOENT);
	}
	/* O_LARGEFILE has its kernel value (glibc's is 0). */
	assert_int_equal(vigil_wc_open_flag("O_LARGEFILE", &bits), 0);
	assert_true(bits == 0100000);
}

static void test_endpoint_split(void **state)
{
	uint16_t port;
	const char *path;

	assert_int_equal(vigil_wc_endpoint_split(":8080/api/v1", &port, &path), 0);
	assert_int_equal(port, 8080);
	assert_string_equal(path, "/api/v1");
	assert_int_equal(vigil_wc_endpoint_split(":0/x", &port, &path), 0);
	assert_int_equal(port, 0);
	assert_int_equal(vigil_wc_endpoint_split(":443", &port, &path), 0);
	assert_string_equal(path, "/");
	assert_int_equal(vigil_wc_endpoint_split("/health", &port, &path), 0);
	assert_int_equal(port, 0);
	assert_string_equal(path, "/health");
	assert_int_equal(vigil_wc_endpoint_split(":65536/x", &port, &path), -EINVAL);
	assert_int_equal(vigil_wc_endpoint_split(":x/y", &port, &path), -EINVAL);
	assert_int_equal(vigil_wc_endpoint_split(":80x/y", &port, &path), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_literal), cmocka_unit_test(test_path_one),
		cmocka_unit_test(test_path_star),    cmocka_unit_test(test_path_limits),
		cmocka_unit_test(test_split),	     cmocka_unit_test(test_args),
		cmocka_unit_test(test_dns),	     cmocka_unit_test(test_ip),
		cmocka_unit_test(test_open_flags),   cmocka_unit_test(test_endpoint_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
