// SPDX-License-Identifier: Apache-2.0
/* Executable digests (sensor/exe_digest.c): read as the kernel ran it, cached by identity. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "vigil/exe_digest.h"

#define HELLO_SHA256 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static void identity(const char *path, struct vigil_event *ev)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	ev->exec.ino = st.st_ino;
	ev->exec.size = (uint64_t)st.st_size;
	ev->exec.ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000ull + st.st_ctim.tv_nsec;
	ev->exec.mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + st.st_mtim.tv_nsec;
}

static void test_digest_by_identity(void **state)
{
	char path[] = "/tmp/vigil-exe-digest-XXXXXX", hex[65];
	struct vigil_process proc = { .pid = (uint32_t)getpid(), .ppid = (uint32_t)getppid() };
	struct vigil_event ev = { .kind = VIGIL_EV_EXEC, .proc = &proc };
	struct vigil_exe_digests *c = vigil_exe_digests__new(2);
	uint64_t hashed, hits;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	ev.exec.path = path;
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), -EINVAL); /* no identity */
	identity(path, &ev);
	/* /proc/self/exe is the test binary, not this inode: found through the root instead */
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), 0);
	assert_string_equal(hex, HELLO_SHA256);
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), 0);
	vigil_exe_digests__stats(c, &hashed, &hits);
	assert_int_equal(hashed, 1);
	assert_int_equal(hits, 1);
	/* the file changed after the event: not the file that ran */
	usleep(2000);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("HELLO\n", f);
	fclose(f);
	ev.exec.ino++; /* another identity, so the cache does not answer */
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), -ENOENT);
	identity(path, &ev);
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), 0);
	assert_string_not_equal(hex, HELLO_SHA256);
	/* a size over the bound is refused without reading */
	ev.exec.size = VIGIL_EXE_DIGEST_MAX_FILE + 1;
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), -EFBIG);
	unlink(path);
	vigil_exe_digests__free(c);
}

/* Program and parent both gone (a short-lived build step): in the sensor's own mount
 * namespace the path itself is read, when it is still the inode that ran; elsewhere not. */
static void test_digest_after_exit(void **state)
{
	char path[] = "/tmp/vigil-exe-digest-XXXXXX", hex[65];
	struct vigil_process gone = { .pid = 0, .ppid = 0 };
	struct vigil_workload wl = { .mntns = 0 };
	struct vigil_event ev = { .kind = VIGIL_EV_EXEC, .proc = &gone, .workload = &wl };
	struct vigil_exe_digests *c = vigil_exe_digests__new(8);
	struct stat st;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	ev.exec.path = path;
	identity(path, &ev);
	/* another mount namespace: the path may name another file there */
	wl.mntns = 1;
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), -ENOENT);
	assert_int_equal(stat("/proc/self/ns/mnt", &st), 0);
	wl.mntns = (uint32_t)st.st_ino;
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), 0);
	assert_string_equal(hex, HELLO_SHA256);
	/* the path now names another file: not read in its place */
	ev.exec.ino++;
	assert_int_equal(vigil_exe_digests__of(c, &ev, hex), -ENOENT);
	unlink(path);
	vigil_exe_digests__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_by_identity),
		cmocka_unit_test(test_digest_after_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
