// SPDX-License-Identifier: Apache-2.0
/* The zoom capture's user-space side: configuration (sensitive-path patterns, bounds) and the
 * decoding of NET_IO / FILE_READ records into struct vigil_event. */
#include <errno.h>
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bpf/sensor_abi.h"
#include "sensor/zoom_capture.h"

static void test_defaults(void **state)
{
	struct zk_cfg *c = malloc(sizeof(*c));
	size_t n = 0;

	(void)state;
	assert_non_null(c);
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, NULL), 0);
	assert_int_equal(c->sample, 512);
	assert_int_equal(c->budget, 256u << 10);
	assert_int_equal(c->syscalls, 4096);
	while (vigil_zoom_default_patterns[n])
		n++;
	assert_true(n <= ZK_PATS);
	/* every default is in the kernel's table, in order, with its kind and bytes */
	for (size_t i = 0; i < n; i++) {
		const char *spec = vigil_zoom_default_patterns[i], *text = strchr(spec, ':') + 1;

		assert_int_equal(c->pats[i].len, strlen(text));
		assert_memory_equal(c->pats[i].s, text, strlen(text));
		assert_int_equal(c->pats[i].kind, spec[0] == 'p' ? ZK_PAT_PREFIX : ZK_PAT_SUFFIX);
	}
	if (n < ZK_PATS)
		assert_int_equal(c->pats[n].len, 0); /* the end of the list */
	/* a sample size above the kernel's hard limit is clamped */
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 100000, 5, NULL), 0);
	assert_int_equal(c->sample, ZK_SAMPLE_MAX);
	assert_int_equal(c->budget, 5);
	free(c);
}

static void test_bad_patterns(void **state)
{
	struct zk_cfg *c = malloc(sizeof(*c));
	const char *kind[] = { "infix:/x", NULL }, *empty[] = { "prefix:", NULL };
	const char *ok[] = { "suffix:/token", "prefix:/etc/shadow", NULL };
	char longp[ZK_PAT_MAX + 16];
	const char *toolong[] = { longp, NULL };
	const char *many[ZK_PATS + 2];

	(void)state;
	assert_non_null(c);
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, kind), -EINVAL);
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, empty), -EINVAL);
	memcpy(longp, "prefix:", 7);
	memset(longp + 7, 'a', ZK_PAT_MAX + 1);
	longp[7 + ZK_PAT_MAX + 1] = '\0';
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, toolong), -EINVAL);
	longp[7 + ZK_PAT_MAX] = '\0'; /* exactly the limit */
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, toolong), 0);
	for (int i = 0; i < ZK_PATS + 1; i++)
		many[i] = "suffix:.key";
	many[ZK_PATS + 1] = NULL;
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, many), -EINVAL);
	many[ZK_PATS] = NULL;
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, many), 0);
	assert_int_equal(vigil_zoom_capture__fill_cfg(c, 0, 0, ok), 0);
	assert_int_equal(c->pats[0].kind, ZK_PAT_SUFFIX);
	assert_int_equal(c->pats[1].kind, ZK_PAT_PREFIX);
	assert_int_equal(c->pats[2].len, 0);
	free(c);
}

static void test_decode_net_io(void **state)
{
	struct vg_event e = { 0 };
	struct vigil_event ev = { 0 };
	const char payload[] = "\x00\x01gob\xff";
	const char *str[VG_NSTR] = { payload, "", "" };

	(void)state;
	e.kind = VG_EV_NET_IO;
	e.arg[0] = 6;
	e.arg[1] = 4000; /* bytes of the call; the sample is shorter */
	e.arg[2] = 7;
	e.arg[3] = VG_DIR_OUT;
	e.sa[1].family = 2;
	e.sa[1].port = 8888;
	memcpy(e.sa[1].addr, "\x7f\x00\x00\x01", 4);
	e.sa[0].port = 40000;
	e.str_len[0] = sizeof(payload) - 1;
	e.str_fmt = VG_STR_BYTES;
	assert_int_equal(vigil_zoom_capture__decode(&e, str, &ev), 0);
	assert_int_equal(ev.net.proto, 6);
	assert_int_equal(ev.net.bytes, 4000);
	assert_int_equal(ev.net.fd, 7);
	assert_int_equal(ev.net.direction, VIGIL_DIR_OUTBOUND);
	assert_int_equal(ev.net.remote.port, 8888);
	assert_int_equal(ev.net.local.port, 40000);
	assert_memory_equal(ev.net.remote.addr, "\x7f\x00\x00\x01\x00\x00\x00\x00", 8);
	assert_int_equal(ev.net.data_len, sizeof(payload) - 1);
	assert_memory_equal(ev.net.data, payload, sizeof(payload) - 1); /* binary-safe */

	/* inbound, no sample (budget spent): bytes still there, no data */
	memset(&ev, 0, sizeof(ev));
	e.arg[3] = VG_DIR_IN;
	e.str_len[0] = 0;
	e.str_fmt = 0;
	assert_int_equal(vigil_zoom_capture__decode(&e, str, &ev), 0);
	assert_int_equal(ev.net.direction, VIGIL_DIR_INBOUND);
	assert_null(ev.net.data);
	assert_int_equal(ev.net.data_len, 0);
	assert_int_equal(ev.net.bytes, 4000);
}

static void test_decode_file_read(void **state)
{
	struct vg_event e = { 0 };
	struct vigil_event ev = { 0 };
	const char *path = "/var/run/secrets/kubernetes.io/serviceaccount/token";
	const char *str[VG_NSTR] = { path, "eyJhbGciOi", "" };

	(void)state;
	e.kind = VG_EV_FILE_READ;
	e.flags = VG_F_IOURING;
	e.arg[0] = 72;
	e.arg[1] = -1;
	e.str_len[0] = (uint16_t)strlen(path) + 1;
	e.str_len[1] = 10;
	e.str_fmt = VG_STR_RAW | (VG_STR_BYTES << 2);
	assert_int_equal(vigil_zoom_capture__decode(&e, str, &ev), 0);
	assert_string_equal(ev.open.path, path);
	assert_int_equal(ev.open.size, 72);
	assert_int_equal(ev.open.ret, -1);
	assert_int_equal(ev.open.data_len, 10);
	assert_memory_equal(ev.open.data, "eyJhbGciOi", 10);

	/* a negative result is not a size; another kind is not a zoom record */
	e.arg[0] = -14;
	assert_int_equal(vigil_zoom_capture__decode(&e, str, &ev), 0);
	assert_int_equal(ev.open.size, 0);
	e.kind = VG_EV_OPEN;
	assert_int_equal(vigil_zoom_capture__decode(&e, str, &ev), -EINVAL);
}

static void test_layout(void **state)
{
	(void)state;
	/* the kinds follow the sensor's and match the public enum */
	assert_int_equal(VG_EV_NET_IO, VIGIL_EV_NET_IO);
	assert_int_equal(VG_EV_FILE_READ, VIGIL_EV_FILE_READ);
	assert_int_equal(sizeof(struct zk_pat), 64);
	assert_int_equal(sizeof(struct zk_budget), 16);
	assert_int_equal(offsetof(struct zk_cfg, pats), 16);
	/* a record with a full path and a full sample fits the kernel's 2 KiB data area */
	assert_true(ZK_PATH_MAX + ZK_SAMPLE_MAX <= 2048);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),      cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_decode_net_io), cmocka_unit_test(test_decode_file_read),
		cmocka_unit_test(test_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
