// SPDX-License-Identifier: Apache-2.0
/* The sensor's pure parts: record layout, cgroup paths, DNS questions, paths, tables, names. */
#include <errno.h>
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bpf/sensor_abi.h"
#include "sensor/sensor_internal.h"
#include "vigil/sensor.h"

/* The kernel writes these offsets; user space must read the same ones. */
static void test_abi_layout(void **state)
{
	assert_int_equal(offsetof(struct vg_event, version), 0);
	assert_int_equal(offsetof(struct vg_event, kind), 2);
	assert_int_equal(offsetof(struct vg_event, flags), 4);
	assert_int_equal(offsetof(struct vg_event, size), 6);
	assert_int_equal(offsetof(struct vg_event, pid), 8);
	assert_int_equal(offsetof(struct vg_event, mntns), 28);
	assert_int_equal(offsetof(struct vg_event, ktime_ns), 32);
	assert_int_equal(offsetof(struct vg_event, cgroup_id), 40);
	assert_int_equal(offsetof(struct vg_event, start_ns), 48);
	assert_int_equal(offsetof(struct vg_event, comm), 56);
	assert_int_equal(offsetof(struct vg_event, arg), 72);
	assert_int_equal(offsetof(struct vg_event, sa), 120);
	assert_int_equal(offsetof(struct vg_event, str_len), 160);
	assert_int_equal(offsetof(struct vg_event, str_fmt), 166);
	assert_int_equal(offsetof(struct vg_event, data), VG_EVENT_HDR_SIZE);
	assert_int_equal(sizeof(struct vg_sockaddr), 20);
	assert_int_equal(sizeof(struct vg_dedup_key), 24);
	assert_int_equal(sizeof(struct vg_bitmap) * 8, VG_MAX_SYSCALLS);
	/* string data fits the kernel's scratch record */
	assert_true(VG_EVENT_HDR_SIZE + VG_DATA_MAX + VG_STR_MAX <= 16384);
	assert_int_equal(VG_EV__MAX_KERNEL, VIGIL_EV_NET_IO);
}

static void expect_container(const char *path, const char *id_prefix, const char *runtime)
{
	char id[VIGIL_CONTAINER_ID_LEN + 1];
	const char *rt = NULL;

	assert_int_equal(vigil_cgroup__container_id(path, id, sizeof(id), &rt), 0);
	assert_int_equal(strlen(id), 64);
	assert_memory_equal(id, id_prefix, strlen(id_prefix));
	assert_string_equal(rt, runtime);
}

#define HEX64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void test_container_id(void **state)
{
	char id[VIGIL_CONTAINER_ID_LEN + 1];

	expect_container("/libpod_parent/libpod-" HEX64, "0123", "podman");
	expect_container("/machine.slice/libpod-" HEX64 ".scope/container", "0123", "podman");
	expect_container("/docker/" HEX64, "0123", "docker");
	expect_container("/system.slice/docker-" HEX64 ".scope", "0123", "docker");
	expect_container("/system.slice/crio-" HEX64 ".scope", "0123", "cri-o");
	expect_container("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678"
			 ".slice/cri-containerd-" HEX64 ".scope",
			 "0123", "containerd");
	expect_container("/kubepods/besteffort/pod12345678-aaaa-bbbb-cccc-1234567890ab/" HEX64,
			 "0123", "kubepods");
	expect_container("/kubepods.slice/kubepods-pod1.slice/crio-" HEX64 ".scope", "0123",
			 "cri-o");
	/* the innermost container id wins */
	expect_container("/docker/" HEX64 "/docker/" HEX64B, "fedc", "docker");
	/* not containers */
	assert_int_equal(vigil_cgroup__container_id("/", id, sizeof(id), NULL), -ENOENT);
	assert_int_equal(vigil_cgroup__container_id("/user.slice/user-0.slice/session-1.scope", id,
						    sizeof(id), NULL),
			 -ENOENT);
	assert_int_equal(vigil_cgroup__container_id("/vigil/cat-1234", id, sizeof(id), NULL),
			 -ENOENT);
	/* upper-case or short hex is not an id */
	assert_int_equal(vigil_cgroup__container_id("/docker/0123456789ABCDEF0123456789abcdef"
						    "0123456789abcdef0123456789abcdef",
						    id, sizeof(id), NULL),
			 -ENOENT);
	assert_int_equal(
		vigil_cgroup__container_id("/docker/0123456789abcdef", id, sizeof(id), NULL),
		-ENOENT);
	assert_int_equal(vigil_cgroup__container_id("/libpod_parent/libpod-" HEX64 "x", id,
						    sizeof(id), NULL),
			 -ENOENT);
	/* too small an output buffer */
	assert_int_equal(vigil_cgroup__container_id("/docker/" HEX64, id, 10, NULL), -EINVAL);
}

static size_t dns_query(uint8_t *buf, const char *labels, size_t llen, uint16_t qtype)
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t n = 0;

	memcpy(buf, hdr, 12);
	n = 12;
	memcpy(buf + n, labels, llen);
	n += llen;
	buf[n++] = (uint8_t)(qtype >> 8);
	buf[n++] = (uint8_t)qtype;
	buf[n++] = 0;
	buf[n++] = 1;
	return n;
}

static void test_dns(void **state)
{
	uint8_t msg[600];
	char name[256];
	uint16_t qt = 0;
	size_t n;

	n = dns_query(msg,
		      "\x03www\x07"
		      "Example\x03"
		      "com\x00",
		      17, 28);
	assert_int_equal(vigil_dns__parse_question(msg, n, name, sizeof(name), &qt), 0);
	assert_string_equal(name, "www.example.com");
	assert_int_equal(qt, 28);
	/* root name */
	n = dns_query(msg, "\x00", 1, 2);
	assert_int_equal(vigil_dns__parse_question(msg, n, name, sizeof(name), &qt), 0);
	assert_string_equal(name, "");
	/* truncated: label runs past the end, or no room for type/class */
	n = dns_query(msg,
		      "\x03www\x07"
		      "Example\x03"
		      "com\x00",
		      17, 1);
	assert_int_equal(vigil_dns__parse_question(msg, 20, name, sizeof(name), &qt), -EINVAL);
	assert_int_equal(vigil_dns__parse_question(msg, n - 2, name, sizeof(name), &qt), -EINVAL);
	/* a compression pointer in a question */
	n = dns_query(msg, "\x03www\xc0\x0c", 6, 1);
	assert_int_equal(vigil_dns__parse_question(msg, n, name, sizeof(name), &qt), -EINVAL);
	/* a response is not a question asked */
	n = dns_query(msg,
		      "\x01"
		      "a\x00",
		      3, 1);
	msg[2] |= 0x80;
	assert_int_equal(vigil_dns__parse_question(msg, n, name, sizeof(name), &qt), -EINVAL);
	/* no question */
	n = dns_query(msg,
		      "\x01"
		      "a\x00",
		      3, 1);
	msg[5] = 0;
	assert_int_equal(vigil_dns__parse_question(msg, n, name, sizeof(name), &qt), -EINVAL);
	/* name longer than the output buffer */
	n = dns_query(msg,
		      "\x0a"
		      "abcdefghij\x0a"
		      "abcdefghij\x00",
		      23, 1);
	assert_int_equal(vigil_dns__parse_question(msg, n, name, 12, &qt), -EINVAL);
	assert_int_equal(vigil_dns__parse_question(msg, n, name, 22, &qt), 0);
	assert_string_equal(name, "abcdefghij.abcdefghij");
	/* short header */
	assert_int_equal(vigil_dns__parse_question(msg, 11, name, sizeof(name), &qt), -EINVAL);
}

static void test_paths(void **state)
{
	char out[64];

	assert_int_equal(vigil_path__from_components("cat\0bin\0usr\0", 12, out, sizeof(out)), 12);
	assert_string_equal(out, "/usr/bin/cat");
	vigil_path__from_components("", 0, out, sizeof(out));
	assert_string_equal(out, "/");
	vigil_path__from_components("etc\0", 4, out, sizeof(out));
	assert_string_equal(out, "/etc");
	/* truncated output keeps whole leading components */
	vigil_path__from_components("cccccccccc\0bbbbbbbbbb\0aaaa\0", 27, out, 18);
	assert_string_equal(out, "/aaaa/bbbbbbbbbb");
	vigil_path__join("/etc", "hostname", out, sizeof(out));
	assert_string_equal(out, "/etc/hostname");
	vigil_path__join("/", "./x", out, sizeof(out));
	assert_string_equal(out, "/x");
	vigil_path__join("/tmp", ".", out, sizeof(out));
	assert_string_equal(out, "/tmp");
}

static void test_proc_table_reuse_and_lru(void **state)
{
	struct vigil_proc_table *t = vigil_proc_table__new(3);
	struct vigil_proc_entry *a, *b;
	bool created;

	assert_non_null(t);
	a = vigil_proc_table__get(t, 100, 1000, &created);
	assert_true(created);
	assert_int_equal(vigil_proc_entry__set_exec(a, "/bin/a", "/", "a\0x\0", 4, false), 0);
	/* the same pid with a new start time is another process */
	b = vigil_proc_table__get(t, 100, 2000, &created);
	assert_true(created);
	assert_int_equal(vigil_proc_entry__set_exec(b, "/bin/b", "/tmp", "b\0", 2, false), 0);
	a = vigil_proc_table__find(t, 100, 1000);
	b = vigil_proc_table__find(t, 100, 2000);
	assert_string_equal(a->proc.exe, "/bin/a");
	assert_int_equal(a->proc.argc, 2);
	assert_string_equal(a->proc.argv[1], "x");
	assert_string_equal(b->proc.exe, "/bin/b");
	/* bounded at 3: the 4th entry evicts the least recently used, (100, 1000) */
	vigil_proc_table__get(t, 200, 1, NULL);
	vigil_proc_table__get(t, 300, 1, NULL);
	assert_int_equal(vigil_proc_table__count(t), 3);
	assert_null(vigil_proc_table__find(t, 100, 1000));
	assert_non_null(vigil_proc_table__find(t, 100, 2000));
	assert_int_equal(vigil_proc_table__evictions(t), 1);
	/* fork copies what the parent runs */
	a = vigil_proc_table__get(t, 400, 5, &created);
	b = vigil_proc_table__find(t, 100, 2000);
	assert_non_null(b);
	assert_int_equal(vigil_proc_entry__inherit(a, b), 0);
	assert_string_equal(a->proc.exe, "/bin/b");
	assert_string_equal(a->proc.cwd, "/tmp");
	vigil_proc_table__remove(t, 400, 5);
	assert_null(vigil_proc_table__find(t, 400, 5));
	vigil_proc_table__free(t);
	vigil_proc_table__free(NULL);
}

static void test_workload_table(void **state)
{
	struct vigil_workload_table *t = vigil_workload_table__new(2);
	struct vigil_workload_entry *w;
	bool created;

	w = vigil_workload_table__get(t, 42, &created);
	assert_true(created);
	vigil_workload_entry__set_path(w, "/libpod_parent/libpod-" HEX64);
	assert_string_equal(w->wl.container_id, HEX64);
	assert_string_equal(w->wl.runtime, "podman");
	assert_string_equal(w->wl.name, HEX64);
	w = vigil_workload_table__get(t, 43, &created);
	vigil_workload_entry__set_path(w, "/vigil/x-1");
	assert_string_equal(w->wl.container_id, "");
	assert_string_equal(w->wl.name, "/vigil/x-1");
	vigil_workload_table__get(t, 44, &created);
	assert_int_equal(vigil_workload_table__count(t), 2);
	w = vigil_workload_table__get(t, 42, &created);
	assert_true(created); /* 42 was the least recently used: evicted, now fresh */
	vigil_workload_table__free(t);
}

static void test_names(void **state)
{
	for (int k = 1; k < VIGIL_EV__MAX; k++)
		assert_int_equal(vigil_event_kind__from_name(
					 vigil_event_kind__name((enum vigil_event_kind)k)),
				 k);
	assert_int_equal(vigil_event_kind__from_name("nope"), 0);
	assert_string_equal(vigil_event_kind__name(VIGIL_EV_IOURING_OP), "iouring_op");
	assert_string_equal(vigil_syscall_name(0), "read");
	assert_string_equal(vigil_syscall_name(257), "openat");
	assert_int_equal(vigil_syscall_nr("execve"), 59);
	assert_null(vigil_syscall_name(-1));
	assert_null(vigil_syscall_name(100000));
	assert_int_equal(vigil_syscall_nr("nope"), -1);
	assert_string_equal(vigil_capability_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(vigil_capability_name(0), "CAP_CHOWN");
	assert_null(vigil_capability_name(64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_layout),
		cmocka_unit_test(test_container_id),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_proc_table_reuse_and_lru),
		cmocka_unit_test(test_workload_table),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
