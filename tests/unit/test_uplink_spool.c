// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink spool (sensor/uplink/spool.c) on a real directory: order across kinds and
 * segments, replay after a restart, a torn tail and damaged bytes skipped and counted, the
 * bound (and the reserve for health records), durability before visibility, one agent per
 * spool, and the cursor's at-least-once promise.
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/uplink/spool.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-spool-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static struct uplink_spool *open_spool(uint64_t max, uint64_t reserve, uint64_t seg)
{
	struct uplink_spool_opts o = {
		.dir = dir, .max_bytes = max, .reserve_bytes = reserve, .segment_bytes = seg
	};
	struct uplink_spool *s = NULL;
	struct vigil_error err = { 0 };

	assert_int_equal(uplink_spool__open(&o, &s, &err), 0);
	return s;
}

/* {"n":I} with some padding so records have a size worth counting */
static void put(struct uplink_spool *s, enum uplink_kind kind, int n)
{
	char buf[128];
	int len = snprintf(buf, sizeof(buf), "{\"n\":%d,\"pad\":\"%040d\"}", n, n);

	assert_int_equal(uplink_spool__append(s, kind, buf, (size_t)len, false), 0);
}

/* Reads every batch (acknowledging each), checking the kind runs; returns the n values. */
static size_t drain(struct uplink_spool *s, int *out, size_t max, size_t per_batch,
		    enum uplink_kind *kinds)
{
	struct uplink_batch b = { 0 };
	size_t got = 0;
	int n;

	while ((n = uplink_spool__peek(s, per_batch, 1u << 20, &b)) > 0) {
		json_error_t je;
		json_t *arr = json_loadb(b.body.data, b.body.len, 0, &je);
		size_t i;
		json_t *v;

		assert_non_null(arr);
		assert_true(json_is_array(arr));
		assert_int_equal(json_array_size(arr), (size_t)n);
		assert_true((size_t)n <= per_batch);
		json_array_foreach(arr, i, v)
		{
			assert_true(got < max);
			if (kinds)
				kinds[got] = b.kind;
			out[got++] = (int)json_integer_value(json_object_get(v, "n"));
		}
		json_decref(arr);
		assert_int_equal(uplink_spool__ack(s, &b), 0);
	}
	assert_int_equal(n, 0);
	uplink_batch__release(&b);
	return got;
}

static void test_order_kinds_and_segments(void **state)
{
	struct uplink_spool *s = open_spool(1u << 20, 0, 4096);
	struct uplink_spool_stats st;
	enum uplink_kind kinds[300];
	int got[300];
	size_t n;

	for (int i = 0; i < 300; i++)
		put(s,
		    i % 50 == 7	  ? UPLINK_REPORT
		    : i % 50 == 8 ? UPLINK_PROFILE
				  : UPLINK_ALERT,
		    i);
	assert_int_equal(uplink_spool__sync(s), 300);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.items, 300);
	assert_true(st.segments > 3); /* 4 KiB segments: the run spans many */
	n = drain(s, got, 300, 16, kinds);
	assert_int_equal(n, 300);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(got[i], i);
		assert_int_equal(kinds[i], i % 50 == 7	 ? UPLINK_REPORT
					   : i % 50 == 8 ? UPLINK_PROFILE
							 : UPLINK_ALERT);
	}
	uplink_spool__stats(s, &st);
	assert_int_equal(st.items, 0);
	assert_int_equal(st.acked, 300);
	assert_true(st.segments <= 1); /* read segments are deleted; the active one stays */
	assert_true(st.bytes <= 4096);
	uplink_spool__free(s);
}

static void test_not_visible_before_sync(void **state)
{
	struct uplink_spool *s = open_spool(0, 0, 0);
	struct uplink_batch b = { 0 };

	put(s, UPLINK_ALERT, 1);
	assert_int_equal(uplink_spool__peek(s, 10, 1u << 20, &b), 0);
	assert_int_equal(uplink_spool__sync(s), 1);
	assert_int_equal(uplink_spool__peek(s, 10, 1u << 20, &b), 1);
	uplink_batch__release(&b);
	uplink_spool__free(s);
}

static void test_replay_after_restart(void **state)
{
	struct uplink_spool *s = open_spool(0, 0, 2048);
	struct uplink_spool_stats st;
	struct uplink_batch b = { 0 };
	int got[100];

	for (int i = 0; i < 100; i++)
		put(s, UPLINK_ALERT, i);
	assert_int_equal(uplink_spool__sync(s), 100);
	/* the cockpit stored the first 30, then the agent stopped */
	for (int acked = 0; acked < 30;) {
		int n = uplink_spool__peek(s, (size_t)(30 - acked), 1u << 20, &b);

		assert_true(n > 0);
		assert_int_equal(uplink_spool__ack(s, &b), 0);
		acked += n;
	}
	uplink_batch__release(&b);
	uplink_spool__free(s);

	s = open_spool(0, 0, 2048);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.recovered, 70);
	assert_int_equal(st.items, 70);
	assert_int_equal(st.torn, 0);
	/* new records come after the old ones */
	put(s, UPLINK_ALERT, 100);
	assert_int_equal(uplink_spool__sync(s), 1);
	assert_int_equal(drain(s, got, 100, 7, NULL), 71);
	for (int i = 0; i < 71; i++)
		assert_int_equal(got[i], 30 + i);
	uplink_spool__free(s);

	s = open_spool(0, 0, 2048);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.items, 0);
	uplink_spool__free(s);
}

/* The newest segment file of the spool. */
static void newest_segment(char *path, size_t size)
{
	char cmd[160];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/*.seg | sort | tail -n 1", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(path, (int)size, p));
	path[strcspn(path, "\n")] = '\0';
	pclose(p);
}

static void test_torn_tail(void **state)
{
	struct uplink_spool *s = open_spool(0, 0, 0);
	struct uplink_spool_stats st;
	char seg[256];
	struct stat sb;
	int got[10];

	for (int i = 0; i < 3; i++)
		put(s, UPLINK_ALERT, i);
	assert_int_equal(uplink_spool__sync(s), 3);
	uplink_spool__free(s);
	/* a crash in the middle of the third record's write */
	newest_segment(seg, sizeof(seg));
	assert_int_equal(stat(seg, &sb), 0);
	assert_int_equal(truncate(seg, sb.st_size - 20), 0);

	s = open_spool(0, 0, 0);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.recovered, 2);
	assert_int_equal(st.torn, 1);
	assert_true(st.torn_bytes > 0 && st.torn_bytes < (uint64_t)sb.st_size);
	put(s, UPLINK_ALERT, 3); /* a new run writes a new segment, after the torn one */
	assert_int_equal(uplink_spool__sync(s), 1);
	assert_int_equal(drain(s, got, 10, 10, NULL), 3);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 3);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.torn, 1); /* the reader does not count it again */
	uplink_spool__free(s);
}

static void test_damage_in_the_middle(void **state)
{
	struct uplink_spool *s = open_spool(0, 0, 0);
	struct uplink_spool_stats st;
	char seg[256];
	int got[10], fd;
	char c;

	for (int i = 0; i < 4; i++)
		put(s, UPLINK_ALERT, i);
	assert_int_equal(uplink_spool__sync(s), 4);
	uplink_spool__free(s);
	/* flip one payload byte of the second record: its CRC no longer matches */
	newest_segment(seg, sizeof(seg));
	fd = open(seg, O_RDWR);
	assert_true(fd >= 0);
	{
		off_t rec = 16 + 56; /* header + first payload ({"n":0,"pad":"0...0"}, 56 bytes) */

		assert_int_equal(pread(fd, &c, 1, rec + 16 + 5), 1);
		assert_int_equal(c, '1'); /* {"n":1 */
		c ^= 0x20;
		assert_int_equal(pwrite(fd, &c, 1, rec + 16 + 5), 1);
	}
	close(fd);

	s = open_spool(0, 0, 0);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.recovered, 3);
	assert_int_equal(st.torn, 1);
	assert_int_equal(drain(s, got, 10, 10, NULL), 3);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 2);
	assert_int_equal(got[2], 3);
	uplink_spool__free(s);
}

static void test_full_and_reserve(void **state)
{
	/* 16-byte header + 56- or 57-byte payload: 10 * 72 + 3 * 73 = 939, room for 13 */
	struct uplink_spool *s = open_spool(1000, 200, 0);
	struct uplink_spool_stats st;
	const char *health = "{\"rule_id\":\"V0003\"}";
	struct uplink_batch b = { 0 };
	int ok = 0, e;
	char buf[128];

	for (int i = 0; i < 20; i++) {
		int len = snprintf(buf, sizeof(buf), "{\"n\":%d,\"pad\":\"%040d\"}", i, i);

		e = uplink_spool__append(s, UPLINK_ALERT, buf, (size_t)len, false);
		assert_true(e == 0 || e == -ENOSPC);
		ok += e == 0;
	}
	assert_int_equal(ok, 13);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.dropped_full, 7);
	assert_true(st.bytes <= 1000);
	/* a health record may use the reserve */
	assert_int_equal(uplink_spool__append(s, UPLINK_ALERT, health, strlen(health), true), 0);
	assert_int_equal(uplink_spool__sync(s), 14);
	/* acknowledged records make room again (once their segment is gone) */
	while (uplink_spool__peek(s, 100, 1u << 20, &b) > 0)
		assert_int_equal(uplink_spool__ack(s, &b), 0);
	uplink_batch__release(&b);
	put(s, UPLINK_ALERT, 99);
	assert_int_equal(uplink_spool__append(s, UPLINK_ALERT, "{}", 2, false), 0);
	assert_int_equal(uplink_spool__append(s, UPLINK_ALERT, "x", UPLINK_REC_MAX_LEN + 1, false),
			 -EMSGSIZE);
	/* not JSON text: a NUL byte could let a payload pass for a record header */
	assert_int_equal(uplink_spool__append(s, UPLINK_ALERT, "{\"a\":\0}", 7, false), -EINVAL);
	uplink_spool__free(s);
}

static void test_batch_limits(void **state)
{
	struct uplink_spool *s = open_spool(0, 0, 0);
	struct uplink_batch b = { 0 };
	size_t big_len = 300000;
	char *big = malloc(big_len + 16);

	assert_non_null(big);
	memset(big, 'a', big_len + 16);
	big[0] = '"';
	big[big_len - 1] = '"';
	put(s, UPLINK_REPORT, 1);
	assert_int_equal(uplink_spool__append(s, UPLINK_REPORT, big, big_len, false), 0);
	put(s, UPLINK_REPORT, 2);
	assert_int_equal(uplink_spool__sync(s), 3);
	/* a body of at most 1000 bytes: the big record does not join the first */
	assert_int_equal(uplink_spool__peek(s, 10, 1000, &b), 1);
	assert_int_equal(uplink_spool__ack(s, &b), 0);
	/* ... and comes alone, though larger than the bound */
	assert_int_equal(uplink_spool__peek(s, 10, 1000, &b), 1);
	assert_int_equal(b.body.len, big_len + 2);
	/* not acknowledged (the cockpit was down): the same batch again */
	assert_int_equal(uplink_spool__peek(s, 10, 1000, &b), 1);
	assert_int_equal(b.body.len, big_len + 2);
	assert_int_equal(uplink_spool__ack(s, &b), 0);
	assert_int_equal(uplink_spool__peek(s, 10, 1000, &b), 1);
	assert_non_null(strstr(b.body.data, "\"n\":2"));
	uplink_batch__release(&b);
	free(big);
	uplink_spool__free(s);
}

static void test_one_agent_per_spool(void **state)
{
	struct uplink_spool_opts o = { .dir = dir };
	struct uplink_spool *s = open_spool(0, 0, 0), *t = NULL;
	struct vigil_error err = { 0 };

	assert_int_equal(uplink_spool__open(&o, &t, &err), -EBUSY);
	assert_null(t);
	assert_non_null(strstr(err.message, "in use by another agent"));
	uplink_spool__free(s);
	assert_int_equal(uplink_spool__open(&o, &t, &err), 0);
	uplink_spool__free(t);
}

static void test_cursor_lost_resends(void **state)
{
	struct uplink_spool *s = open_spool(0, 0, 0);
	struct uplink_batch b = { 0 };
	char path[128];
	int got[10];

	for (int i = 0; i < 5; i++)
		put(s, UPLINK_ALERT, i);
	assert_int_equal(uplink_spool__sync(s), 5);
	assert_int_equal(uplink_spool__peek(s, 2, 1u << 20, &b), 2);
	assert_int_equal(uplink_spool__ack(s, &b), 0);
	uplink_batch__release(&b);
	uplink_spool__free(s);
	/* a power cut took the cursor back: what is still on disk is sent again (at least once) */
	snprintf(path, sizeof(path), "%s/cursor", dir);
	assert_int_equal(unlink(path), 0);
	s = open_spool(0, 0, 0);
	assert_int_equal(drain(s, got, 10, 10, NULL), 5);
	assert_int_equal(got[0], 0);
	uplink_spool__free(s);
}

static void test_foreign_files_ignored(void **state)
{
	struct uplink_spool_stats st;
	struct uplink_spool *s;
	char path[128];
	int fd;

	/* not segment names: left alone */
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "VGS1", 4), 4);
	close(fd);
	snprintf(path, sizeof(path), "%s/00000000000000zz.seg", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	/* a segment name holding garbage: skipped as damage */
	snprintf(path, sizeof(path), "%s/0000000000000001.seg", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "garbage, not records", 20), 20);
	close(fd);
	s = open_spool(0, 0, 0);
	uplink_spool__stats(s, &st);
	assert_int_equal(st.recovered, 0);
	assert_int_equal(st.torn, 1);
	assert_int_equal(st.torn_bytes, 20);
	put(s, UPLINK_PROFILE, 7);
	assert_int_equal(uplink_spool__sync(s), 1);
	{
		int got[2];

		assert_int_equal(drain(s, got, 2, 2, NULL), 1);
		assert_int_equal(got[0], 7);
	}
	uplink_spool__free(s);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	assert_int_equal(access(path, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_kinds_and_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_visible_before_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_after_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_in_the_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_and_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_agent_per_spool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_lost_resends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_files_ignored, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
