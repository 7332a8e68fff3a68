// SPDX-License-Identifier: Apache-2.0
/* sensor/interp_args.c: which argument is the file an interpreter or the loader runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sensor/interp_args.h"

/* file_arg(exe, "argv0 arg1 ...") with space-separated arguments (at most 15) */
static int file_arg(const char *exe, const char *args)
{
	static char buf[512];
	const char *argv[16];
	uint32_t argc = 0;
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", args);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 16; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	return vigil_interp_file_arg(exe, argv, argc);
}

static void test_loader(void **state)
{
	(void)state;
	assert_true(vigil_interp_known("/lib64/ld-linux-x86-64.so.2"));
	assert_true(vigil_interp_known("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
	assert_true(vigil_interp_known("/lib/ld-musl-x86_64.so.1"));
	assert_true(vigil_interp_known("/lib/ld-linux-aarch64.so.1"));
	assert_int_equal(file_arg("/lib64/ld-linux-x86-64.so.2", "ld.so /tmp/evil"), 1);
	assert_int_equal(file_arg("/lib64/ld-linux-x86-64.so.2", "ld.so --argv0 ls /tmp/evil -l"),
			 3);
	assert_int_equal(
		file_arg("/lib64/ld-linux-x86-64.so.2",
			 "ld.so --library-path /tmp --inhibit-cache --preload x.so /tmp/evil"),
		6);
	assert_int_equal(file_arg("/lib/ld-musl-x86_64.so.1", "ld-musl --list /tmp/evil"), -1);
	assert_int_equal(file_arg("/lib64/ld-linux-x86-64.so.2", "ld.so --verify /tmp/evil"), -1);
	assert_int_equal(file_arg("/lib64/ld-linux-x86-64.so.2", "ld.so"), -1);
}

static void test_shells(void **state)
{
	(void)state;
	assert_int_equal(file_arg("/bin/sh", "sh x.sh"), 1);
	/* options that used to end the search, or be taken for the file */
	assert_int_equal(file_arg("/bin/sh", "sh -e x.sh"), 2);
	assert_int_equal(file_arg("/bin/sh", "sh -- x.sh"), 2);
	assert_int_equal(file_arg("/bin/bash", "bash -o posix x.sh"), 3);
	assert_int_equal(file_arg("/bin/bash", "bash -eo pipefail x.sh a b"), 3);
	assert_int_equal(file_arg("/bin/bash", "bash +o history --norc x.sh"), 4);
	assert_int_equal(file_arg("/bin/bash", "bash -O extglob +x x.sh"), 4);
	assert_int_equal(file_arg("/bin/bash", "bash --rcfile /dev/null x.sh"), 3);
	/* inline code or standard input: no file */
	assert_int_equal(file_arg("/bin/sh", "sh -c x.sh"), -1);
	assert_int_equal(file_arg("/bin/sh", "sh -ec x.sh"), -1);
	assert_int_equal(file_arg("/bin/sh", "sh -s x.sh"), -1);
	assert_int_equal(file_arg("/bin/sh", "sh - x.sh"), -1);
	assert_int_equal(file_arg("/bin/sh", "sh -x"), -1);
	/* busybox, as `busybox sh FILE` and through a link named sh */
	assert_int_equal(file_arg("/bin/busybox", "busybox sh -e x.sh"), 3);
	assert_int_equal(file_arg("/bin/busybox", "sh x.sh"), 1);
	assert_int_equal(file_arg("/bin/busybox", "ls x.sh"), -1);
	assert_int_equal(file_arg("/bin/busybox", "busybox ls x.sh"), -1);
}

static void test_interpreters(void **state)
{
	(void)state;
	assert_int_equal(file_arg("/usr/bin/python3.11", "python3 -W ignore x.py"), 3);
	assert_int_equal(file_arg("/usr/bin/python3", "python3 -X dev -u x.py"), 4);
	assert_int_equal(file_arg("/usr/bin/python3", "python3 -bW error x.py"), 3);
	assert_int_equal(file_arg("/usr/bin/python3", "python3 -Wignore -O x.py"), 3);
	assert_int_equal(file_arg("/usr/bin/python3", "python3 -m http.server"), -1);
	assert_int_equal(file_arg("/usr/bin/python3", "python3 -Im http.server"), -1);
	assert_int_equal(file_arg("/usr/bin/python3", "python3 -c x.py"), -1);
	assert_int_equal(file_arg("/usr/bin/perl", "perl -w x.pl"), 2);
	assert_int_equal(file_arg("/usr/bin/perl", "perl -MData::Dumper x.pl"), 2);
	assert_int_equal(file_arg("/usr/bin/perl", "perl -wle code"), -1);
	assert_int_equal(file_arg("/usr/bin/ruby", "ruby -r json x.rb"), 3);
	assert_int_equal(file_arg("/usr/bin/ruby", "ruby -e code"), -1);
	assert_int_equal(file_arg("/usr/bin/node", "node --require ./hook.js x.js"), 3);
	assert_int_equal(file_arg("/usr/bin/node", "node -e code"), -1);
	assert_int_equal(file_arg("/usr/bin/php8.2", "php -d x=1 x.php"), 3);
	assert_int_equal(file_arg("/usr/bin/php", "php -f x.php"), 2);
	assert_int_equal(file_arg("/usr/bin/lua5.4", "lua -l mod x.lua"), 3);
	assert_int_equal(file_arg("/usr/bin/gawk", "gawk -v a=1 -f x.awk data"), 4);
	assert_int_equal(file_arg("/usr/bin/awk", "awk {print} data"), -1);
	assert_int_equal(file_arg("/usr/bin/tclsh8.6", "tclsh -encoding utf-8 x.tcl"), 3);
	/* not interpreters */
	assert_false(vigil_interp_known("/usr/bin/id"));
	assert_false(vigil_interp_known("/usr/bin/pythonista"));
	assert_false(vigil_interp_known("/usr/bin/shred"));
	assert_int_equal(file_arg("/usr/bin/env", "env x.sh"), -1);
}

/* Flags repeated before the file (what 1 KiB of argv holds) do not hide it. */
static void test_many_options(void **state)
{
	const char *argv[300];
	uint32_t argc = 0;

	(void)state;
	argv[argc++] = "sh";
	while (argc < 299)
		argv[argc++] = "-e";
	argv[argc++] = "/tmp/dropped";
	assert_int_equal(vigil_interp_file_arg("/bin/sh", argv, argc), 299);
	argv[0] = "python3";
	for (uint32_t i = 1; i + 1 < 299; i += 2) {
		argv[i] = "-W";
		argv[i + 1] = "ignore";
	}
	argv[299] = "/tmp/dropped.py";
	assert_int_equal(vigil_interp_file_arg("/usr/bin/python3", argv, argc), 299);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_shells),
		cmocka_unit_test(test_interpreters),
		cmocka_unit_test(test_many_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
