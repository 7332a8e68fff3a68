// SPDX-License-Identifier: Apache-2.0
/*
 * Loader: every lint error class with its exact FILE:LINE:COL message (tests/data/profiles/bad/
 * NAME.yaml against NAME.expect, plus inline cases), every input limit, and the fields that
 * must survive loading (tri-state lists, argsRequired, rulePolicies, neighbors).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "profile/model.h"
#include "util/buf.h"
#include "vigil/profile.h"

#define DATA "tests/data/profiles"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct vigil_buf b = VIGIL_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(vigil_buf__append(&b, chunk, n), 0);
	fclose(f);
	*len = b.len;
	return b.data ? vigil_buf__steal(&b, NULL) : strdup("");
}

/* Loads text under the name "t.yaml"; returns the formatted error ("" when it loaded). */
static const char *load_error(const char *text, const struct vigil_profile_limits *lim, int *code)
{
	static char msg[1024];
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	int r = vigil_profile__load_buffer(text, strlen(text), "t.yaml", lim, &p, &err);

	if (code)
		*code = r;
	if (!r) {
		vigil_profile__free(p);
		return "";
	}
	assert_null(p);
	return vigil_error__format(&err, msg, sizeof(msg));
}

static void test_bad_files(void **state)
{
	DIR *d = opendir(DATA "/bad");
	struct dirent *e;
	int checked = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], expect_path[512], got[1024];
		size_t len = strlen(e->d_name), dlen, elen;
		char *data, *expect;
		struct vigil_profile *p = NULL;
		struct vigil_error err;

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), DATA "/bad/%s", e->d_name);
		snprintf(expect_path, sizeof(expect_path), DATA "/bad/%.*s.expect", (int)(len - 5),
			 e->d_name);
		data = slurp(path, &dlen);
		expect = slurp(expect_path, &elen);
		assert_non_null(data);
		assert_non_null(expect);
		while (elen && expect[elen - 1] == '\n')
			expect[--elen] = 0;
		assert_int_not_equal(
			vigil_profile__load_buffer(data, dlen, e->d_name, NULL, &p, &err), 0);
		assert_null(p);
		vigil_error__format(&err, got, sizeof(got));
		if (strcmp(got, expect))
			fail_msg("%s:\n  got    %s\n  wanted %s", e->d_name, got, expect);
		free(data);
		free(expect);
		checked++;
	}
	closedir(d);
	/* 28: eight classes Kubescape accepts moved to warn/ (issue 15) */
	assert_true(checked >= 28);
}

static const char head[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			   "kind: ApplicationProfile\n"
			   "metadata:\n"
			   "  name: t\n"
			   "spec:\n"
			   "  containers:\n"
			   "  - name: c\n";

static const char *with_head(const char *body)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), "%s%s", head, body);
	return buf;
}

static void test_inline_errors(void **state)
{
	int code;

	assert_string_equal(
		load_error(with_head("    exec: []\n"), NULL, &code),
		"t.yaml:8:5: unknown field \"exec\" in container (did you mean \"execs\"?)");
	assert_int_equal(code, -EINVAL);
	assert_string_equal(load_error(with_head("    syscals: [read]\n"), NULL, NULL),
			    "t.yaml:8:5: unknown field \"syscals\" in container (did you mean "
			    "\"syscalls\"?)");
	/* Kubescape accepts a "⋯⋯" segment and compares it as text: a warning, not an error */
	assert_string_equal(load_error(with_head("    opens:\n    - path: /a/⋯⋯/b\n"), NULL, NULL),
			    "");
	assert_string_equal(load_error(with_head("    opens: {path: /x}\n"), NULL, NULL),
			    "t.yaml:8:12: \"opens\" must be a list, not a mapping");
	assert_string_equal(
		load_error(with_head("    execs:\n    - path: /bin/x\n      path: /y\n"), NULL,
			   NULL),
		"t.yaml:10:7: duplicate key \"path\" (first at line 9)");
	/* Kubescape's learning writes capabilities without the prefix */
	assert_string_equal(
		load_error(with_head("    capabilities: [SETUID, CAP_SETGID]\n"), NULL, NULL), "");
	/* Kubescape's types take any name for a capability, flag, method or syscall: an unknown
	 * one loads with a warning (warn/unknown-*.yaml has the message) and allows nothing */
	assert_string_equal(load_error(with_head("    capabilities: [SYS_ADMN]\n"), NULL, NULL),
			    "");
	assert_string_equal(load_error(with_head("    capabilities: [CAP_SYS_ADMN]\n"), NULL, NULL),
			    "");
	assert_string_equal(
		load_error(with_head("    opens:\n    - path: /x\n      flags: [O_RDWRR]\n"), NULL,
			   NULL),
		"");
	/* a missing endpoint is Go's zero value "": Kubescape loads it, so does Vigil (warning) */
	assert_string_equal(
		load_error(with_head("    endpoints:\n    - methods: [GET]\n"), NULL, NULL), "");
	/* the same names are fine as strings and as exec args ("*" is literal there) */
	assert_string_equal(load_error(with_head("    execs:\n    - path: /bin/ls\n"
						 "      args: [ls, '*', '⋯', '⋯⋯']\n"),
				       NULL, NULL),
			    "");
	/* a path-like argument may hold "⋯" as one whole segment (Kubescape matches it so) */
	assert_string_equal(load_error(with_head("    execs:\n    - path: /bin/pg\n"
						 "      args: [pg, /usr/lib/⋯/bin/pg]\n"),
				       NULL, NULL),
			    "");
	assert_string_equal(load_error(with_head("    execs:\n    - path: /bin/pg\n"
						 "      args: [pg, /usr/lib/1⋯/bin]\n"),
				       NULL, NULL),
			    "");
	/* a container without a name loads (Kubescape's name is omitempty); so do two, the
	 * second with a warning, since Kubescape reads the first (test_profile_kscompat.c) */
	assert_string_equal(load_error("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				       "kind: ApplicationProfile\nmetadata: {name: x}\nspec:\n"
				       "  containers:\n  - execs: []\n  - syscalls: []\n",
				       NULL, NULL),
			    "");
	/* IPv6 CIDR bounds */
	assert_string_equal(
		load_error("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			   "kind: ContainerProfile\nmetadata: {name: x}\nspec:\n"
			   "  egress:\n  - ipAddresses: ['::/0', 'fd00::/128', '0.0.0.0/0']\n",
			   NULL, NULL),
		"");
	assert_string_equal(
		load_error("apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			   "kind: ContainerProfile\nmetadata: {name: x}\nspec:\n"
			   "  egress:\n  - ipAddresses: ['fd00::/129']\n",
			   NULL, NULL),
		"t.yaml:6:19: invalid CIDR \"fd00::/129\": prefix length must be 0..128");
}

static void test_limits(void **state)
{
	struct vigil_profile_limits lim = { 0 };
	struct vigil_buf b = VIGIL_BUF_INIT;
	int code;

	/* file size */
	lim.max_file_bytes = 100;
	assert_int_equal(strlen(head), 135);
	assert_string_equal(load_error(with_head(""), &lim, &code),
			    "t.yaml: file is 135 bytes, larger than the limit of 100");
	assert_int_equal(code, -EFBIG);

	/* nesting depth: headers are a generic tree, so depth is only bounded by the limit */
	memset(&lim, 0, sizeof(lim));
	lim.max_depth = 8;
	assert_string_equal(load_error(with_head("    endpoints:\n    - endpoint: :80/\n"
						 "      headers: {a: {b: {c: {d: x}}}}\n"),
				       &lim, &code),
			    "t.yaml:10:24: nesting deeper than the limit of 8 levels");
	assert_int_equal(code, -E2BIG);

	/* entries per list */
	memset(&lim, 0, sizeof(lim));
	lim.max_entries = 4;
	assert_string_equal(load_error(with_head("    syscalls: [a, b, c, d, e]\n"), &lim, &code),
			    "t.yaml:8:28: too many entries in one list or mapping (limit 4)");
	assert_int_equal(code, -E2BIG);
	assert_string_equal(load_error(with_head("    execs: []\n    opens: []\n    syscalls: []\n"
						 "    iouring: []\n"),
				       &lim, &code),
			    "t.yaml:11:5: too many entries in one list or mapping (limit 4)");
	assert_int_equal(code, -E2BIG);

	/* string length */
	memset(&lim, 0, sizeof(lim));
	lim.max_string = 50; /* the apiVersion is 45 */
	assert_string_equal(
		load_error(
			with_head(
				"    syscalls: [a_very_long_name_that_no_syscall_ever_had_in_linux_x]\n"),
			&lim, &code),
		"t.yaml:8:16: string of 52 bytes is longer than the limit of 50");
	assert_int_equal(code, -E2BIG);

	/* documents */
	memset(&lim, 0, sizeof(lim));
	lim.max_documents = 2;
	for (int i = 0; i < 3; i++)
		assert_int_equal(vigil_buf__printf(&b, "---\n%s", head), 0);
	assert_string_equal(load_error(b.data, &lim, &code),
			    "t.yaml:17:1: too many documents (limit 2)");
	assert_int_equal(code, -E2BIG);
	vigil_buf__release(&b);

	/* billion laughs: aliases copy at most 100 000 values (more only for bigger files) */
	assert_int_equal(vigil_buf__puts(&b, "a: &a [x, x, x, x, x, x, x, x, x, x]\n"), 0);
	for (char k = 'b'; k <= 'h'; k++)
		assert_int_equal(vigil_buf__printf(&b,
						   "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, "
						   "*%c, *%c, *%c]\n",
						   k, k, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1,
						   k - 1, k - 1, k - 1, k - 1),
				 0);
	assert_string_equal(load_error(b.data, NULL, &code),
			    "t.yaml:5:32: anchors and aliases copy more than 100000 values "
			    "(they are bounded)");
	assert_int_equal(code, -E2BIG);
	vigil_buf__release(&b);
	/* an anchor on every level of a deep tree: each copy counts, nothing is copied twice */
	for (int i = 0; i < 300; i++)
		assert_int_equal(vigil_buf__printf(&b, "%*sk: &a%d\n", 2 * i, "", i), 0);
	assert_int_equal(vigil_buf__printf(&b, "%*sleaf: [", 600, ""), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(vigil_buf__puts(&b, i ? ", x" : "x"), 0);
	assert_int_equal(vigil_buf__puts(&b, "]\n"), 0);
	assert_non_null(strstr(load_error(b.data, NULL, &code),
			       "anchors and aliases copy more than 100000 values"));
	vigil_buf__release(&b);
	/* an alias cannot reach past the depth limit */
	lim.max_depth = 8;
	lim.max_documents = 0;
	assert_string_equal(load_error("a: &a [[[[[x]]]]]\nb: [[[*a]]]\n", &lim, &code),
			    "t.yaml:2:7: nesting deeper than the limit of 8 levels");
}

/* Canonical bytes of every document of text (a loading error fails the test). */
static void canon_all(const char *text, struct vigil_buf *out)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;

	if (vigil_profile__load_buffer(text, strlen(text), "t.yaml", NULL, &p, &err)) {
		char msg[512];

		fail_msg("%s", vigil_error__format(&err, msg, sizeof(msg)));
	}
	for (size_t i = 0; i < vigil_profile__doc_count(p); i++) {
		assert_int_equal(vigil_profile__canon(p, i, out), 0);
		assert_int_equal(vigil_buf__puts(out, "\n"), 0);
	}
	vigil_profile__free(p);
}

/* Anchors, aliases and merge keys mean what kubectl (yaml.v2) makes of them. */
static void test_aliases(void **state)
{
	static const char with[] =
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\n"
		"metadata: {name: t, labels: &l {app: t}}\n"
		"spec:\n"
		"  matchLabels: *l\n"
		"  opens:\n"
		"  - {path: /etc/a, flags: &ro [O_RDONLY]}\n"
		"  - {path: /etc/b, flags: *ro}\n"
		"  egress:\n"
		"  - &db {identifier: db, type: internal, ports: [{name: TCP-5432, protocol: TCP, "
		"port: 5432}], podSelector: {matchLabels: {app: db}}}\n"
		"  - <<: *db\n"
		"    identifier: db2\n"
		"  - <<: [{identifier: x, dnsNames: [a.example.com]}, *db]\n"
		"---\n"
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\n"
		"metadata: {name: u}\n"
		"spec:\n"
		"  seccompProfile: {'<<': {a: b}}\n";
	static const char without[] =
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\n"
		"metadata: {name: t, labels: {app: t}}\n"
		"spec:\n"
		"  matchLabels: {app: t}\n"
		"  opens:\n"
		"  - {path: /etc/a, flags: [O_RDONLY]}\n"
		"  - {path: /etc/b, flags: [O_RDONLY]}\n"
		"  egress:\n"
		"  - {identifier: db, type: internal, ports: [{name: TCP-5432, protocol: TCP, "
		"port: 5432}], podSelector: {matchLabels: {app: db}}}\n"
		"  - {identifier: db2, type: internal, ports: [{name: TCP-5432, protocol: TCP, "
		"port: 5432}], podSelector: {matchLabels: {app: db}}}\n"
		"  - {identifier: x, dnsNames: [a.example.com], type: internal, ports: [{name: "
		"TCP-5432, protocol: TCP, port: 5432}], podSelector: {matchLabels: {app: db}}}\n"
		"---\n"
		"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
		"kind: ContainerProfile\n"
		"metadata: {name: u}\n"
		"spec:\n"
		"  seccompProfile: {'<<': {a: b}}\n";
	struct vigil_buf a = VIGIL_BUF_INIT, b = VIGIL_BUF_INIT;
	int code;

	(void)state;
	canon_all(with, &a);
	canon_all(without, &b);
	assert_string_equal(a.data, b.data);
	/* a quoted '<<' is a plain key, kept */
	assert_non_null(strstr(a.data, "\"<<\""));
	vigil_buf__release(&a);
	vigil_buf__release(&b);

	/* anchors do not cross documents; an alias key and a bad merge are errors */
	assert_string_equal(load_error("a: &x 1\n---\nb: *x\n", NULL, &code),
			    "t.yaml:3:4: alias *x names no finished anchor &x before it in this "
			    "document");
	assert_int_equal(code, -EINVAL);
	assert_string_equal(load_error("a: &x [*x]\n", NULL, NULL),
			    "t.yaml:1:8: alias *x names no finished anchor &x before it in this "
			    "document");
	assert_string_equal(load_error("a: &x k\nb: {*x : v}\n", NULL, NULL),
			    "t.yaml:2:5: mapping keys must be plain strings, not an alias (*x)");
	assert_string_equal(load_error("a: {<<: [x]}\n", NULL, NULL),
			    "t.yaml:1:10: the merge key << takes a mapping or a list of mappings");
}

/*
 * A mapping merged from a big anchor costs its size, not its size squared: each of 60 000
 * keys merged was compared with every key merged before it (1.8e9 comparisons of 240-byte
 * keys, minutes of the loader's CPU from a 15 MB file; well under 10 s under ASan now). The
 * child's limit is 60 s of CPU, not of wall time: a loaded machine does not make it fail.
 */
static void test_merge_big_anchor(void **state)
{
	enum {
		KEYS = 60000
	};
	struct vigil_buf y = VIGIL_BUF_INIT;
	char prefix[241];
	int status;
	pid_t pid;

	(void)state;
	memset(prefix, 'k', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	/* written values first: what aliases may copy is bounded by what the file writes */
	assert_int_equal(vigil_buf__puts(&y, "p: ["), 0);
	for (unsigned i = 0; i < 2 * KEYS; i++)
		assert_int_equal(vigil_buf__puts(&y, "0,"), 0);
	assert_int_equal(vigil_buf__puts(&y, "0]\na: &a\n"), 0);
	for (unsigned i = 0; i < KEYS; i++)
		assert_int_equal(vigil_buf__printf(&y, "  %s%u: v\n", prefix, i), 0);
	assert_int_equal(vigil_buf__puts(&y, "b:\n  <<: *a\n"), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit cpu = { 60, 60 };

		setrlimit(RLIMIT_CPU, &cpu);
		/* not a profile: what matters is that the tree is built */
		load_error(y.data, NULL, NULL);
		_exit(0);
	}
	vigil_buf__release(&y);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("the loader was killed by signal %d (over 60 s of CPU)", WTERMSIG(status));
}

/* JSON as kubectl's decoder takes it: a stream of values, surrogate-pair escapes. */
static void test_json_stream(void **state)
{
#define CP_HEAD                                                                       \
	"{\"apiVersion\":\"spdx.softwarecomposition.kubescape.io/v1beta1\",\"kind\":" \
	"\"ContainerProfile\",\"metadata\":{\"name\":"
	static const char stream[] = CP_HEAD "\"a\"},\"spec\":{\"syscalls\":[\"read\"]}}\n" CP_HEAD
					     "\"b\"},\"spec\":{\"opens\":[{\"path\":"
					     "\"/x/\\ud83d\\udce6/\\uD800\",\"flags\":[]}]}}";
	struct vigil_buf c = VIGIL_BUF_INIT;
	int code;

	(void)state;
	canon_all(stream, &c);
	/* two documents; the pair is the character, the lone surrogate U+FFFD (as Go reads it) */
	assert_non_null(strstr(c.data, "\"a\""));
	assert_non_null(strstr(c.data, "/x/\xf0\x9f\x93\xa6/\xef\xbf\xbd\""));
	vigil_buf__release(&c);

	/* errors point into the file: the second value, after a rewritten pair */
	assert_string_equal(
		load_error(CP_HEAD
			   "\"a\"},\"spec\":{}}\n  " CP_HEAD
			   "\"b\"},\n\"spec\":{\"opens\":[{\"path\":"
			   "\"/\\ud83d\\udce6/\\ud83d\\udce6\",\"flags\":\"O_RDONLY\"}]}}\n",
			   NULL, &code),
		"t.yaml:3:63: \"flags\" must be a list, not a string");
	assert_string_equal(
		load_error(CP_HEAD "\"a\"},\"spec\":{}}\n  " CP_HEAD "\"b\"}, \"x\": 1}\n", NULL,
			   &code),
		"t.yaml:2:116: unknown field \"x\" (allowed: apiVersion, kind, metadata, "
		"spec, status)");
	/* text that is not JSON throughout stays libyaml's to judge */
	assert_string_equal(
		load_error(CP_HEAD "\"a\"}}\nb: 1\n", NULL, &code),
		"t.yaml:2:1: YAML syntax error: did not find expected <document start>");
#undef CP_HEAD
}

/* Empty documents (helm's output, "---" twice, "---" at the end after "...") are skipped. */
static void test_empty_documents(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	int code;

	(void)state;
	assert_int_equal(vigil_buf__printf(&b, "---\n# Source: x\n---\n%s---\n---\n", head), 0);
	assert_string_equal(load_error(b.data, NULL, &code), "");
	vigil_buf__release(&b);
	assert_int_equal(vigil_buf__printf(&b, "%s...\n---\n", head), 0);
	assert_string_equal(load_error(b.data, NULL, &code), "");
	vigil_buf__release(&b);
	/* a written null is still no profile */
	assert_string_equal(load_error("null\n", NULL, &code),
			    "t.yaml:1:1: a profile document must be a mapping, not null");
	assert_string_equal(load_error("---\n---\n", NULL, &code),
			    "t.yaml:1:1: no profile document in the file");
}

/* s (ASCII) as UTF-16 with a byte order mark, little- or big-endian; *len set. */
static char *utf16(const char *s, bool le, size_t *len)
{
	size_t n = strlen(s);
	char *o = malloc(2 * n + 2);

	assert_non_null(o);
	o[0] = le ? '\xff' : '\xfe';
	o[1] = le ? '\xfe' : '\xff';
	for (size_t i = 0; i < n; i++) {
		o[2 + 2 * i + !le] = s[i];
		o[2 + 2 * i + le] = 0;
	}
	*len = 2 * n + 2;
	return o;
}

/* Windows PowerShell 5 saves kubectl's output as UTF-16: read as kubectl reads it. */
static void test_utf16(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char msg[512];
	size_t len;
	char *t;

	(void)state;
	for (int le = 0; le < 2; le++) {
		vigil_buf__release(&b);
		assert_int_equal(vigil_buf__printf(&b, "%s    syscalls: [read]\r\n", head), 0);
		t = utf16(b.data, le, &len);
		assert_int_equal(vigil_profile__load_buffer(t, len, "t.yaml", NULL, &p, &err), 0);
		vigil_profile__free(p);
		p = NULL;
		free(t);
		/* positions are the file's lines and characters */
		vigil_buf__release(&b);
		assert_int_equal(vigil_buf__printf(&b, "%s    syscals: [read]\n", head), 0);
		t = utf16(b.data, le, &len);
		assert_int_not_equal(vigil_profile__load_buffer(t, len, "t.yaml", NULL, &p, &err),
				     0);
		assert_string_equal(vigil_error__format(&err, msg, sizeof(msg)),
				    load_error(b.data, NULL, NULL));
		assert_non_null(strstr(msg, "t.yaml:8:5: unknown field \"syscals\""));
		free(t);
	}
	vigil_buf__release(&b);
}

/* Call stacks learned by Kubescape nest two levels a frame: 120 frames load by default. */
static void test_deep_call_stack(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	int code;

	(void)state;
	assert_int_equal(vigil_buf__puts(&b, head), 0);
	assert_int_equal(vigil_buf__puts(&b, "    identifiedCallStacks:\n    - callID: c1\n"
					     "      callStack:\n        root: "),
			 0);
	for (int i = 0; i < 120; i++)
		assert_int_equal(vigil_buf__printf(&b,
						   "{frame: {fileID: f%d, lineno: '%d', "
						   "frameType: 3}, children: [",
						   i, i),
				 0);
	for (int i = 0; i < 120; i++)
		assert_int_equal(vigil_buf__puts(&b, "]}"), 0);
	assert_int_equal(vigil_buf__puts(&b, "\n"), 0);
	assert_string_equal(load_error(b.data, NULL, &code), "");
	vigil_buf__release(&b);
}

static void test_many_containers(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	int code;

	/* the duplicate check must not be quadratic, and must still find the repeat */
	assert_int_equal(vigil_buf__puts(&b,
					 "apiVersion: spdx.softwarecomposition.kubescape.io/"
					 "v1beta1\nkind: ApplicationProfile\nmetadata: {name: t}\n"
					 "spec:\n  containers:\n"),
			 0);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(vigil_buf__printf(&b, "  - name: c%d\n", i), 0);
	assert_string_equal(load_error(b.data, NULL, &code), "");
	assert_int_equal(vigil_buf__puts(&b, "  - name: c17\n  - name: c2\n"), 0);
	/* a repeat loads, as in Kubescape, with a warning per repeat, in file order */
	assert_int_equal(vigil_profile__load_buffer(b.data, b.len, "t.yaml", NULL, &p, &err), 0);
	assert_int_equal(vigil_profile__note_count(p), 2);
	assert_int_equal(vigil_profile__note(p, 0, &err), VIGIL_PROFILE_WARNING);
	assert_int_equal(err.line, 3006);
	assert_string_equal(err.message, "duplicate container \"c17\" (first at line 23): loaded "
					 "as in Kubescape, which reads only the first container "
					 "with a name, so this one allows nothing");
	assert_int_equal(vigil_profile__note(p, 1, &err), VIGIL_PROFILE_WARNING);
	assert_int_equal(err.line, 3007);
	assert_non_null(strstr(err.message, "\"c2\" (first at line 8)"));
	vigil_profile__free(p);
	vigil_buf__release(&b);
}

static void test_defaults_allow_big_profile(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	struct vigil_profile *p = NULL;
	struct vigil_error err;

	assert_int_equal(vigil_buf__puts(&b, with_head("    opens:\n")), 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(vigil_buf__printf(
					 &b, "    - path: /data/f%d\n      flags: [O_RDONLY]\n", i),
				 0);
	assert_int_equal(vigil_profile__load_buffer(b.data, b.len, "big", NULL, &p, &err), 0);
	assert_int_equal(vigil_profile__entry_count(p), 20000);
	vigil_profile__free(p);
	vigil_buf__release(&b);
}

static void test_fields_survive(void **state)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	const struct prof_container *c;

	assert_int_equal(vigil_profile__load_file(DATA "/redis-cp.yaml", NULL, &p, &err), 0);
	assert_int_equal(vigil_profile__doc_count(p), 1);
	assert_int_equal(vigil_profile__doc_kind(p, 0), VIGIL_KIND_CONTAINER_PROFILE);
	assert_string_equal(vigil_profile__doc_name(p, 0), "redis");
	assert_int_equal(vigil_profile__doc_line(p, 0), 3);
	assert_string_equal(vigil_profile__annotation(p, 0, "kubescape.io/managed-by"), "User");
	c = &p->docs[0].cp;
	assert_int_equal(c->egress.state, PROF_NULL); /* "initiates nothing" kept */
	assert_int_equal(c->ingress.state, PROF_SET);
	assert_int_equal(c->ingress.n, 1);
	assert_int_equal(c->ingress.v[0].ports[0].port, 6379);
	assert_int_equal(c->ingress.v[0].dns_names.state, PROF_NULL);
	assert_string_equal(c->ingress.v[0].dns, "");
	assert_int_equal(c->iouring.state, PROF_SET); /* explicit empty list: not "absent" */
	assert_int_equal(c->iouring.n, 0);
	assert_int_equal(c->endpoints.state, PROF_ABSENT);
	/* execs sorted by path, args in their order, argsRequired tri-state */
	assert_int_equal(c->execs.n, 3);
	assert_string_equal(c->execs.v[1].path, "/usr/local/bin/redis-cli");
	assert_int_equal(c->execs.v[1].args_required, PROF_TRI_TRUE);
	assert_int_equal(c->execs.v[2].args_required, PROF_TRI_UNSET);
	assert_string_equal(c->execs.v[2].args.v[1], PROF_ELLIPSIS_ANY);
	/* rulePolicies */
	assert_int_equal(c->rule_policies.n, 2);
	assert_string_equal(c->rule_policies.v[0].rule_id, "R0002");
	assert_string_equal(c->rule_policies.v[0].process_allowed.v[0], "runc:[1:CHILD]");
	assert_int_equal(c->rule_policies.v[1].container_allowed, PROF_TRI_TRUE);
	/* comments were seen (and are not kept) */
	assert_true(vigil_profile__had_comments(p));
	vigil_profile__free(p);
}

static void test_vocabularies_sorted(void **state)
{
	/* the validators binary-search these tables */
	const char *const *tables[] = { prof_open_flag_names, prof_capability_names,
					prof_iouring_op_names };
	char msg[256];

	for (size_t t = 0; t < 3; t++)
		for (size_t i = 1; tables[t][i]; i++)
			assert_true(strcmp(tables[t][i - 1], tables[t][i]) < 0);
	for (size_t i = 0; prof_open_flag_names[i]; i++)
		assert_true(prof_check_open_flag(prof_open_flag_names[i], msg, sizeof(msg)));
	for (size_t i = 0; prof_capability_names[i]; i++)
		assert_true(prof_check_capability(prof_capability_names[i], msg, sizeof(msg)));
	for (size_t i = 0; prof_iouring_op_names[i]; i++)
		assert_true(prof_check_iouring_op(prof_iouring_op_names[i], msg, sizeof(msg)));
	assert_false(prof_check_open_flag("O_RDONLYX", msg, sizeof(msg)));
	assert_false(prof_check_capability("CAP_A", msg, sizeof(msg)));
	assert_false(prof_check_iouring_op("ZZZ", msg, sizeof(msg)));
}

static void test_missing_file(void **state)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err;
	char msg[600];

	assert_int_equal(vigil_profile__load_file("tests/data/profiles/nope.yaml", NULL, &p, &err),
			 -ENOENT);
	assert_string_equal(
		vigil_error__format(&err, msg, sizeof(msg)),
		"tests/data/profiles/nope.yaml: cannot open: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_inline_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_merge_big_anchor),
		cmocka_unit_test(test_deep_call_stack),
		cmocka_unit_test(test_json_stream),
		cmocka_unit_test(test_empty_documents),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_many_containers),
		cmocka_unit_test(test_defaults_allow_big_profile),
		cmocka_unit_test(test_fields_survive),
		cmocka_unit_test(test_vocabularies_sorted),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
