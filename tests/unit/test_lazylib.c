// SPDX-License-Identifier: Apache-2.0
/*
 * Libraries loaded at their first use (lib/util/lazylib.c, lazy_curl.c, lazy_mhd.c): a missing
 * library or function is said with what needs it and how to install it, the same every time it
 * is asked; a present one resolves and is called through; libcurl is set up once whichever
 * threads ask together. With root, a webhook sink is added and a ClickHouse store opened in a
 * mount namespace where the system's library directory is empty (libcurl "not installed"):
 * each one's error names it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/lazylib.h"
#include "vigil/alert.h"
#include "vigil/error.h"
#include "vigil/store.h"

#define THREADS 8

static void test_missing_library(void **state)
{
	static const char *const syms[] = { "f", NULL };
	void *slots[1];
	struct vigil_lazylib lib = { .soname = "libvigil-no-such.so.1",
				     .package = "vigil-no-such",
				     .syms = syms,
				     .slots = slots };
	char err[256];

	(void)state;
	for (int i = 0; i < 2; i++) {
		err[0] = '\0';
		assert_int_equal(vigil_lazylib_need(&lib, "webhook sink", err, sizeof(err)),
				 -ENOENT);
		assert_string_equal(err, "webhook sink needs libvigil-no-such.so.1: not installed "
					 "(apt install vigil-no-such)");
		assert_false(vigil_lazylib_load(&lib));
	}
	/* another feature asking later is told the same, under its own name */
	assert_int_equal(vigil_lazylib_need(&lib, "metrics server", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "metrics server needs libvigil-no-such.so.1: not installed (apt "
				 "install vigil-no-such)");
}

static void test_missing_function(void **state)
{
	static const char *const syms[] = { "cos", "vigil_no_such_function", NULL };
	void *slots[2];
	struct vigil_lazylib lib = {
		.soname = "libm.so.6", .package = "libc6", .syms = syms, .slots = slots
	};
	char err[256];

	(void)state;
	assert_int_equal(vigil_lazylib_need(&lib, "cockpit uplink", err, sizeof(err)), -ENOSYS);
	assert_string_equal(err, "cockpit uplink needs libm.so.6: it has no vigil_no_such_function "
				 "(too old: apt install libc6)");
}

static void test_present(void **state)
{
	static const char *const syms[] = { "cos", NULL };
	void *slots[1] = { NULL };
	struct vigil_lazylib lib = {
		.soname = "libm.so.6", .package = "libc6", .syms = syms, .slots = slots
	};
	char err[256] = "";
	double (*cosine)(double);

	(void)state;
	assert_int_equal(vigil_lazylib_need(&lib, "test", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_true(vigil_lazylib_load(&lib));
	cosine = (double (*)(double))slots[0];
	assert_non_null(cosine);
	assert_true(cosine(0.0) == 1.0);
}

static void *need_curl(void *arg)
{
	char err[256];

	*(int *)arg = vigil_curl_need("test", err, sizeof(err));
	if (*(int *)arg)
		fprintf(stderr, "%s\n", err);
	return NULL;
}

/* Eight threads at once: libcurl is loaded and set up once, every one is told it is ready. */
static void test_curl_threads(void **state)
{
	pthread_t t[THREADS];
	int rc[THREADS];
	char err[256];

	(void)state;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, need_curl, &rc[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(rc[i], 0);
	}
	assert_true(vigil_lazylib_is_loaded("libcurl.so.4"));
	assert_int_equal(vigil_mhd_need("metrics server", err, sizeof(err)), 0);
	assert_true(vigil_lazylib_is_loaded("libmicrohttpd.so.12"));
}

/* The directory the loader finds libcurl in, or NULL. */
static const char *curl_dir(void)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu",
					    "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
					    NULL };
	static char path[256];

	for (int i = 0; dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/libcurl.so.4", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

/* The check a child runs without libcurl: 0 when it was told so as it should be. */
typedef int (*without_curl_fn)(void);

static int add_webhook_sink(void)
{
	struct vigil_error err = { 0 };
	struct vigil_alerts *a = vigil_alerts__new(NULL);
	int rc;

	if (!a)
		return 3;
	rc = vigil_alerts__add_sink(a, "webhook:http://127.0.0.1:9/", &err);
	fprintf(stderr, "add_sink: %d: %s\n", rc, err.message);
	vigil_alerts__free(a);
	return rc == -ENOENT && strstr(err.message, "webhook sink needs libcurl.so.4: not "
						    "installed (apt install libcurl4)")
		       ? 0
		       : 1;
}

/* The ClickHouse store says what it needs at open, before any query (no server needed). */
static int open_clickhouse_store(void)
{
	struct vigil_error err = { 0 };
	struct vigil_store *s = NULL;
	int rc = vigil_store__open("clickhouse:http://127.0.0.1:9/vigil", NULL, &s, &err);

	fprintf(stderr, "store open: %d: %s\n", rc, err.message);
	if (!rc)
		vigil_store__free(s);
	return rc == -ENOENT && strstr(err.message, "ClickHouse store needs libcurl.so.4: not "
						    "installed (apt install libcurl4)")
		       ? 0
		       : 1;
}

/* fn in a child process whose view of the library directory is an empty tmpfs. */
static void without_curl(without_curl_fn fn)
{
	const char *dir = curl_dir();
	int status;
	pid_t pid;

	if (geteuid() != 0 || !dir || vigil_lazylib_is_loaded("libcurl.so.4"))
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("none", dir, "tmpfs", 0, "size=64k")) {
			perror("mount namespace");
			_exit(77);
		}
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_sink_without_curl(void **state)
{
	(void)state;
	without_curl(add_webhook_sink);
}

static void test_clickhouse_without_curl(void **state)
{
	(void)state;
	without_curl(open_clickhouse_store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: they need libcurl not loaded yet in this process */
		cmocka_unit_test(test_sink_without_curl),
		cmocka_unit_test(test_clickhouse_without_curl),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_curl_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
