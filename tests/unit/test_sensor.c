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
#include "sensor/dns_stream.h"
#include "sensor/sensor_internal.h"
#include "sensor/sensor_state.h"
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
	assert_int_equal(offsetof(struct vg_event, euid), 168);
	assert_int_equal(offsetof(struct vg_event, xflags), 172);
	assert_int_equal(offsetof(struct vg_event, data), VG_EVENT_HDR_SIZE);
	assert_int_equal(sizeof(struct vg_sockaddr), 20);
	assert_int_equal(sizeof(struct vg_writer), sizeof(struct vg_sockaddr));
	assert_int_equal(sizeof(struct vg_entered), sizeof(struct vg_sockaddr));
	assert_int_equal(sizeof(struct vg_inode_key), 16);
	assert_int_equal(sizeof(struct vg_dedup_key), 24);
	/* netns_own: 8-byte slots (a cookie each, the BPF compare-and-swap width) */
	assert_int_equal(sizeof(struct vg_netns_own), 8 * VG_NETNS_PER_WL);
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

/* DNS over TCP: one stream fed in pieces of every size, with lost tails and other streams */
static void test_dns_stream(void **state)
{
	struct vigil_dns_streams *t = vigil_dns_streams__new();
	struct vigil_dns_question q[VIGIL_DNS_STREAM_QUESTIONS];
	uint8_t s[3 * 700];
	size_t n, m1, m2, len;

	assert_non_null(t);
	/* two messages after their lengths: a.example, then bb.test */
	n = dns_query(s + 2,
		      "\x01"
		      "a"
		      "\x07"
		      "example"
		      "\x00",
		      11, 1);
	s[0] = 0, s[1] = (uint8_t)n;
	m1 = n + 2;
	n = dns_query(s + m1 + 2,
		      "\x02"
		      "bb"
		      "\x04"
		      "test"
		      "\x00",
		      9, 28);
	s[m1] = 0, s[m1 + 1] = (uint8_t)n;
	m2 = n + 2;
	/* all in one write */
	assert_int_equal(vigil_dns_streams__feed(t, 1, s, m1 + m2, m1 + m2, q, 8, NULL), 2);
	assert_string_equal(q[0].name, "a.example");
	assert_int_equal(q[0].qtype, 1);
	assert_string_equal(q[1].name, "bb.test");
	assert_int_equal(q[1].qtype, 28);
	/* one byte per write, interleaved with another stream's whole messages */
	for (size_t i = 0; i < m1 + m2; i++) {
		n = vigil_dns_streams__feed(t, 2, s + i, 1, 1, q, 8, NULL);
		assert_int_equal(n, i == m1 - 1 || i == m1 + m2 - 1 ? 1 : 0);
		if (n)
			assert_string_equal(q[0].name, i < m1 ? "a.example" : "bb.test");
		assert_int_equal(vigil_dns_streams__feed(t, 3, s, m1, m1, q, 8, NULL), 1);
	}
	/* the length alone, then the message */
	assert_int_equal(vigil_dns_streams__feed(t, 4, s, 2, 2, q, 8, NULL), 0);
	assert_int_equal(vigil_dns_streams__feed(t, 4, s + 2, m1 - 2, m1 - 2, q, 8, NULL), 1);
	/* at most max questions handed out */
	assert_int_equal(vigil_dns_streams__feed(t, 5, s, m1 + m2, m1 + m2, q, 1, NULL), 1);
	/* a message longer than what is copied: its question, the rest passed over (seen or
	 * not), then the next message */
	len = 600;
	memset(s, 0, sizeof(s));
	n = dns_query(s + 2,
		      "\x01"
		      "z"
		      "\x00",
		      3, 1);
	s[0] = (uint8_t)(len >> 8), s[1] = (uint8_t)len;
	assert_int_equal(vigil_dns_streams__feed(t, 6, s, 514, len + 2, q, 8, NULL), 1);
	assert_string_equal(q[0].name, "z");
	n = dns_query(s + 2,
		      "\x01"
		      "y"
		      "\x00",
		      3, 1);
	s[0] = 0, s[1] = (uint8_t)n;
	assert_int_equal(vigil_dns__parse_question(s + 2, n, q[0].name, 256, &q[0].qtype), 0);
	assert_int_equal(vigil_dns_streams__feed(t, 6, s, n + 2, n + 2, q, 8, NULL), 1);
	assert_string_equal(q[0].name, "y");
	/* a tail lost inside a message before its question: that message is skipped, the next
	 * one read */
	assert_int_equal(vigil_dns_streams__feed(t, 7, s, 4, n + 2, q, 8, NULL), 0);
	assert_int_equal(vigil_dns_streams__feed(t, 7, s, n + 2, n + 2, q, 8, NULL), 1);
	/* garbage: a zero length, a message that is not a query */
	s[0] = s[1] = 0;
	assert_int_equal(vigil_dns_streams__feed(t, 8, s, 2, 2, q, 8, NULL), 0);
	/* many streams: the oldest is forgotten, never more than the table holds */
	for (uint64_t k = 100; k < 100 + 3 * VIGIL_DNS_STREAMS; k++)
		assert_int_equal(vigil_dns_streams__feed(t, k, s, 1, 1, q, 8, NULL), 0);
	vigil_dns_streams__free(t);
}

/* The attacker's view: a length prefix, then 64 other DNS streams push this one out of the
 * table, then the message. Read as a new stream, the message's first bytes would be its
 * length and its question never seen: the stream is reported out of sync and the message,
 * the rest of the one cut, is still read; garbage keeps it out of sync until a whole message
 * parses. */
static void test_dns_stream_eviction(void **state)
{
	struct vigil_dns_streams *t = vigil_dns_streams__new();
	struct vigil_dns_question q[VIGIL_DNS_STREAM_QUESTIONS];
	struct vigil_dns_stream_stats st;
	uint8_t s[600], junk[40];
	size_t n, m;
	bool lost = true;

	(void)state;
	assert_non_null(t);
	n = dns_query(s + 2,
		      "\x06"
		      "hidden"
		      "\x07"
		      "example"
		      "\x00",
		      16, 1);
	s[0] = 0, s[1] = (uint8_t)n;
	m = n + 2;
	assert_int_equal(vigil_dns_streams__feed(t, 9, s, 2, 2, q, 8, &lost), 0);
	assert_false(lost);
	/* 64 other streams, each a whole message: stream 9 is forgotten in mid-message */
	for (uint64_t k = 1000; k < 1000 + VIGIL_DNS_STREAMS; k++)
		assert_int_equal(vigil_dns_streams__feed(t, k, s, m, m, q, 8, &lost), 1);
	vigil_dns_streams__stats(t, &st);
	assert_int_equal(st.evicted_mid, 1);
	/* the message: reported out of sync, and its question still read */
	assert_int_equal(vigil_dns_streams__feed(t, 9, s + 2, n, n, q, 8, &lost), 1);
	assert_true(lost);
	assert_string_equal(q[0].name, "hidden.example");
	/* in sync again: the next message as usual */
	assert_int_equal(vigil_dns_streams__feed(t, 9, s, m, m, q, 8, &lost), 1);
	assert_false(lost);
	/* cut again in mid-message, then garbage: out of sync, unread, until a whole message */
	assert_int_equal(vigil_dns_streams__feed(t, 9, s, 5, 5, q, 8, &lost), 0);
	for (uint64_t k = 2000; k < 2000 + VIGIL_DNS_STREAMS; k++)
		vigil_dns_streams__feed(t, k, s, m, m, q, 8, NULL);
	memset(junk, 0xff, sizeof(junk));
	assert_int_equal(
		vigil_dns_streams__feed(t, 9, junk, sizeof(junk), sizeof(junk), q, 8, &lost), 0);
	assert_true(lost);
	assert_int_equal(
		vigil_dns_streams__feed(t, 9, junk, sizeof(junk), sizeof(junk), q, 8, &lost), 0);
	assert_false(lost); /* said once */
	assert_int_equal(vigil_dns_streams__feed(t, 9, s, m, m, q, 8, &lost), 1);
	assert_string_equal(q[0].name, "hidden.example");
	vigil_dns_streams__stats(t, &st);
	assert_int_equal(st.desync, 2);
	assert_int_equal(st.resync, 2);
	assert_int_equal(st.unread, 2);
	assert_int_equal(st.forgotten, 0);
	/* more cut streams than the lost list holds before the first writes again: counted */
	for (uint64_t k = 3000; k < 3000 + VIGIL_DNS_STREAMS_LOST + 1; k++)
		assert_int_equal(vigil_dns_streams__feed(t, k, s, 2, 2, q, 8, NULL), 0);
	for (uint64_t k = 4000; k < 4000 + 2 * VIGIL_DNS_STREAMS; k++)
		vigil_dns_streams__feed(t, k, s, 2, 2, q, 8, NULL);
	vigil_dns_streams__stats(t, &st);
	assert_true(st.forgotten >= 1);
	vigil_dns_streams__free(t);
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
	/* the root directory itself: its dentry's name is "/", the path is "/" (not "//") */
	vigil_path__from_components("/\0", 2, out, sizeof(out));
	assert_string_equal(out, "/");
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

/* The buckets grow with the table: every entry is found again after each growth. */
static void test_proc_table_grows(void **state)
{
	struct vigil_proc_table *t = vigil_proc_table__new(4096);
	struct vigil_proc_entry *p;

	(void)state;
	assert_non_null(t);
	for (uint32_t i = 0; i < 4096; i++) {
		p = vigil_proc_table__get(t, 1000 + i / 2, 7 + i % 2, NULL);
		assert_non_null(p);
		assert_int_equal(vigil_proc_entry__set_exec(p, "/bin/x", "/", "x\0", 2, false), 0);
		/* what was there before this growth is still there */
		assert_non_null(vigil_proc_table__find(t, 1000, 7));
		assert_non_null(vigil_proc_table__find(t, 1000 + i / 2, 7 + i % 2));
	}
	assert_int_equal(vigil_proc_table__count(t), 4096);
	assert_int_equal(vigil_proc_table__evictions(t), 0);
	for (uint32_t i = 0; i < 4096; i++)
		assert_non_null(vigil_proc_table__find(t, 1000 + i / 2, 7 + i % 2));
	/* by pid alone: the one that started last */
	for (uint32_t pid = 1000; pid < 1000 + 2048; pid++)
		assert_int_equal(vigil_proc_table__find_pid(t, pid)->proc.start_ns, 8);
	for (uint32_t pid = 1000; pid < 1000 + 2048; pid++)
		vigil_proc_table__remove(t, pid, 8);
	for (uint32_t pid = 1000; pid < 1000 + 2048; pid++) {
		assert_int_equal(vigil_proc_table__find_pid(t, pid)->proc.start_ns, 7);
		assert_null(vigil_proc_table__find(t, pid, 8));
	}
	assert_int_equal(vigil_proc_table__count(t), 2048);
	/* still bounded: the 4097th entry evicts */
	for (uint32_t i = 0; i < 2049; i++)
		vigil_proc_table__get(t, 9000 + i, 1, NULL);
	assert_int_equal(vigil_proc_table__count(t), 4096);
	assert_int_equal(vigil_proc_table__evictions(t), 1);
	vigil_proc_table__free(t);
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

static bool odd_id(const struct vigil_workload_entry *w, void *ctx)
{
	(*(int *)ctx)++;
	return w->wl.cgroup_id & 1;
}

/* Pruning removes exactly the entries the predicate names, asking once per entry. */
static void test_workload_table_prune(void **state)
{
	struct vigil_workload_table *t = vigil_workload_table__new(64);
	bool created;
	int asked = 0;

	(void)state;
	for (uint64_t id = 1; id <= 10; id++)
		assert_non_null(vigil_workload_table__get(t, id, &created));
	assert_int_equal(vigil_workload_table__prune(t, odd_id, &asked), 5);
	assert_int_equal(asked, 10);
	assert_int_equal(vigil_workload_table__count(t), 5);
	for (uint64_t id = 1; id <= 10; id++) {
		vigil_workload_table__get(t, id, &created);
		assert_int_equal(created, (bool)(id & 1)); /* the odd ones were gone */
	}
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

/* ---- the record decoder, fed records as the kernel writes them ------------------------- */

struct rec {
	struct vg_event e;
	uint8_t data[512];
};

static size_t rec_init(struct rec *r, uint16_t kind, const void *strs, size_t len,
		       const uint16_t lens[3], uint8_t fmt)
{
	memset(r, 0, sizeof(*r));
	r->e.version = VG_ABI_VERSION;
	r->e.kind = kind;
	r->e.pid = r->e.tid = 4242;
	r->e.ppid = 1;
	r->e.cgroup_id = 77;
	r->e.start_ns = 999;
	memcpy(r->e.comm, "cat", 4);
	memcpy(r->data, strs, len);
	memcpy(r->e.str_len, lens, 3 * sizeof(uint16_t));
	r->e.str_fmt = fmt;
	r->e.size = (uint16_t)(VG_EVENT_HDR_SIZE + len);
	return VG_EVENT_HDR_SIZE + len;
}

struct seen {
	int n;
	char path[256], cwd[256], arg1[64], exe[256], target[64];
	int32_t code;
	bool memfd;
	uint32_t pid, ppid;
	char comm[16];
};

static int seen_cb(const struct vigil_event *ev, void *ctx)
{
	struct seen *w = ctx;

	w->n++;
	w->pid = ev->proc->pid;
	w->ppid = ev->proc->ppid;
	snprintf(w->comm, sizeof(w->comm), "%s", ev->proc->comm);
	snprintf(w->exe, sizeof(w->exe), "%s", ev->proc->exe);
	if (ev->kind == VIGIL_EV_EXEC) {
		snprintf(w->path, sizeof(w->path), "%s", ev->exec.path);
		snprintf(w->cwd, sizeof(w->cwd), "%s", ev->proc->cwd);
		snprintf(w->arg1, sizeof(w->arg1), "%s",
			 ev->proc->argc > 1 ? ev->proc->argv[1] : "");
		w->memfd = ev->exec.memfd;
	} else if (ev->kind == VIGIL_EV_OPEN) {
		snprintf(w->path, sizeof(w->path), "%s", ev->open.path);
	} else if (ev->kind == VIGIL_EV_EXIT) {
		w->code = ev->exit.code;
	} else if (ev->kind == VIGIL_EV_SYMLINK) {
		snprintf(w->path, sizeof(w->path), "%s", ev->link.path);
		snprintf(w->target, sizeof(w->target), "%s", ev->link.target);
	}
	return 0;
}

/* R2000: the entering tool as the kernel captured it (sa[1]), and the runtime's own names */
struct entered_seen {
	bool entered, host;
	char by[32];
	uint32_t pid;
};

static int entered_cb(const struct vigil_event *ev, void *ctx)
{
	struct entered_seen *w = ctx;

	w->entered = ev->exec.entered;
	w->host = ev->exec.entered_host_pid;
	snprintf(w->by, sizeof(w->by), "%s", ev->exec.entered_by ? ev->exec.entered_by : "(null)");
	w->pid = ev->exec.entered_pid;
	return 0;
}

static void test_decode_entered(void **state)
{
	static const char strs[] = "id\0bin\0usr\0id\0";
	uint16_t lens[3] = { 11, 3, 0 };
	struct vigil_sensor *s = vigil_sensor__new_offline();
	struct vg_entered *en;
	struct entered_seen w;
	struct rec r;
	size_t n;

	assert_non_null(s);
	n = rec_init(&r, VG_EV_EXEC, strs, sizeof(strs) - 1, lens,
		     VG_STR_PATH | VG_STR_ARGV << 2 | VG_STR_PATH << 4);
	en = (struct vg_entered *)&r.e.sa[1];
	r.e.arg[0] = 1 | VG_EXEC_ENTERED;
	memcpy(en->comm, "conmon", 7);
	en->tgid = 31337;
	memset(&w, 0, sizeof(w));
	assert_int_equal(vigil_sensor__feed(s, &r, n, entered_cb, &w), 1);
	assert_true(w.entered);
	assert_false(w.host);
	assert_string_equal(w.by, "conmon");
	assert_int_equal(w.pid, 31337);
	/* hostPID, and a comm of all 16 bytes (no NUL): cut to the kernel's 15 */
	r.e.arg[0] = 1 | VG_EXEC_ENTERED_HOST;
	memcpy(en->comm, "containerd-shim-", 16);
	memset(&w, 0, sizeof(w));
	assert_int_equal(vigil_sensor__feed(s, &r, n, entered_cb, &w), 1);
	assert_true(w.entered && w.host);
	assert_string_equal(w.by, "containerd-shim");
	/* not entered: no tool, whatever sa[1] holds */
	r.e.arg[0] = 1;
	memset(&w, 0, sizeof(w));
	assert_int_equal(vigil_sensor__feed(s, &r, n, entered_cb, &w), 1);
	assert_false(w.entered);
	assert_string_equal(w.by, "(null)");
	assert_int_equal(w.pid, 0);
	vigil_sensor__free(s);
	(void)state;
}

static void test_runtime_comm(void **state)
{
	static const char *const yes[] = {
		"runc", "runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]", "exe", "crun"
	};
	static const char *const no[] = { "runcx",  "run", "crun2",	      "exe2",
					  "conmon", "",	   "containerd-shim", "runc:" };
	char c[16];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		memset(c, 0, sizeof(c));
		memcpy(c, yes[i], strlen(yes[i]));
		assert_true(vg_runtime_comm(c));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		memset(c, 0, sizeof(c));
		memcpy(c, no[i], strlen(no[i]));
		if (vg_runtime_comm(c))
			fail_msg("'%s' taken for the runtime", no[i]);
	}
	(void)state;
}

/* The runtime's executable by its file name (bpf/process.bpf.c exec_note), as the kernel
 * reads it: at most 15 bytes and a NUL. */
static void test_runtime_exe(void **state)
{
	static const char *const yes[] = { "runc", "crun", "runc.a1B2c3", "memfd:runc_clon" };
	static const char *const no[] = { "runcx", "run",     "crun.1",	  "runc-dmz",
					  "",	   "memfd:x", "enter_ns", "memfd:run" };
	char c[16];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		memset(c, 0, sizeof(c));
		memcpy(c, yes[i], strlen(yes[i]));
		if (!vg_runtime_exe(c))
			fail_msg("'%s' not taken for the runtime's executable", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		memset(c, 0, sizeof(c));
		memcpy(c, no[i], strlen(no[i]));
		if (vg_runtime_exe(c))
			fail_msg("'%s' taken for the runtime's executable", no[i]);
	}
	(void)state;
}

static void test_decode(void **state)
{
	struct vigil_sensor *s = vigil_sensor__new_offline();
	struct seen w;
	struct rec r;
	size_t n;

	assert_non_null(s);
	/* exec: exe and cwd as leaf-first components, argv as a NUL-separated block */
	{
		static const char strs[] = "cat\0bin\0usr\0/bin/cat\0/etc/hostname\0tmp\0";
		uint16_t lens[3] = { 12, 23, 4 };

		n = rec_init(&r, VG_EV_EXEC, strs, sizeof(strs) - 1, lens,
			     VG_STR_PATH | VG_STR_ARGV << 2 | VG_STR_PATH << 4);
		memset(&w, 0, sizeof(w));
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		assert_string_equal(w.path, "/usr/bin/cat");
		assert_string_equal(w.cwd, "/tmp");
		assert_string_equal(w.arg1, "/etc/hostname");
	}
	/* a later event of the same process carries what its exec said */
	{
		static const char strs[] = "rel.txt\0sub\0tmp\0";
		uint16_t lens[3] = { 8, 8, 0 };

		n = rec_init(&r, VG_EV_OPEN, strs, sizeof(strs) - 1, lens,
			     VG_STR_RAW | VG_STR_PATH << 2);
		memset(&w, 0, sizeof(w));
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		assert_string_equal(w.path, "/tmp/sub/rel.txt");
		assert_string_equal(w.exe, "/usr/bin/cat");
	}
	/* symlink: the link name resolved, the target as given */
	{
		static const char strs[] = "lnk\0tmp\0/etc/shadow\0";
		uint16_t lens[3] = { 4, 4, 12 };

		n = rec_init(&r, VG_EV_SYMLINK, strs, sizeof(strs) - 1, lens,
			     VG_STR_RAW | VG_STR_PATH << 2 | VG_STR_RAW << 4);
		memset(&w, 0, sizeof(w));
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		assert_string_equal(w.path, "/tmp/lnk");
		assert_string_equal(w.target, "/etc/shadow");
	}
	/* exit: a wait status becomes a shell's exit status */
	{
		uint16_t lens[3] = { 0, 0, 0 };

		n = rec_init(&r, VG_EV_EXIT, "", 0, lens, 0);
		r.e.arg[0] = 3 << 8;
		memset(&w, 0, sizeof(w));
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		assert_int_equal(w.code, 3);
	}
	/* the exit of a process user space never saw (its other events de-duplicated in the
	 * kernel): told from the record (pid, parent, comm), no entry made, none evicted, with
	 * the table full of living processes of other workloads */
	{
		uint16_t lens[3] = { 0, 0, 0 };
		size_t max = s->opts.max_processes;
		uint64_t evicted;

		n = rec_init(&r, VG_EV_OPEN, "x\0", 2, lens, VG_STR_RAW);
		for (uint32_t pid = 10000; pid < 10000 + max; pid++) {
			r.e.pid = r.e.tid = pid;
			assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		}
		assert_int_equal(vigil_proc_table__count(s->procs), max);
		evicted = vigil_proc_table__evictions(s->procs);
		n = rec_init(&r, VG_EV_EXIT, "", 0, lens, 0);
		r.e.pid = r.e.tid = 31337;
		r.e.ppid = 4242;
		memcpy(r.e.comm, "runc:[2:INIT]", 14);
		memset(&w, 0, sizeof(w));
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		assert_int_equal(w.pid, 31337);
		assert_int_equal(w.ppid, 4242);
		assert_string_equal(w.comm, "runc:[2:INIT]");
		assert_string_equal(w.exe, "");
		assert_int_equal(vigil_proc_table__count(s->procs), max);
		assert_int_equal(vigil_proc_table__evictions(s->procs), evicted);
		for (uint32_t pid = 10000; pid < 10000 + max; pid++)
			assert_non_null(vigil_proc_table__find(s->procs, pid, 999));
		/* a known process's exit: it is forgotten */
		r.e.pid = r.e.tid = 10000;
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 1);
		assert_int_equal(w.pid, 10000);
		assert_null(vigil_proc_table__find(s->procs, 10000, 999));
		assert_int_equal(vigil_proc_table__count(s->procs), max - 1);
	}
	/* malformed: string lengths past the record, wrong version, unknown kind, short */
	{
		uint16_t lens[3] = { 400, 0, 0 };

		n = rec_init(&r, VG_EV_OPEN, "x", 1, lens, VG_STR_RAW);
		memset(&w, 0, sizeof(w));
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 0);
		n = rec_init(&r, VG_EV_EXIT, "", 0, (uint16_t[3]){ 0, 0, 0 }, 0);
		r.e.version = 99;
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 0);
		r.e.version = VG_ABI_VERSION;
		r.e.kind = 200;
		assert_int_equal(vigil_sensor__feed(s, &r, n, seen_cb, &w), 0);
		assert_int_equal(vigil_sensor__feed(s, &r, 20, seen_cb, &w), 0);
		assert_int_equal(w.n, 0);
	}
	vigil_sensor__free(s);
}

/* FNV-1a of bytes, one little-endian word at a time, as bpf/enforce.bpf.h hashes a path. */
static uint64_t ref_hash(const char *b, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t at = 0; at < len && at < 1024; at += 8) {
		uint64_t w = 0;

		memcpy(&w, b + at, len - at < 8 ? len - at : 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	return (h ^ len) * 0x100000001b3ull;
}

/* The exec allow set's key: the path's components leaf first, as the kernel's walk writes them. */
static void test_path_hash(void **state)
{
	char longp[1400] = "", leaf[1400];
	size_t n = 0, lp = 0;

	(void)state;
	assert_true(vigil_sensor__path_hash("/usr/bin/id") == ref_hash("id\0bin\0usr\0", 11));
	/* repeated and trailing slashes name the same file */
	assert_true(vigil_sensor__path_hash("//usr//bin/id/") == ref_hash("id\0bin\0usr\0", 11));
	assert_true(vigil_sensor__path_hash("/x") == ref_hash("x\0", 2));
	assert_true(vigil_sensor__path_hash("/usr/bin/id") !=
		    vigil_sensor__path_hash("/usr/bin/di"));
	assert_true(vigil_sensor__path_hash("/a/bc") != vigil_sensor__path_hash("/ab/c"));
	assert_true(vigil_sensor__path_hash("relative/id") == 0);
	assert_true(vigil_sensor__path_hash(NULL) == 0);
	/* past 1 KiB only the leaf end and the length count */
	for (int i = 0; i < 300; i++) {
		memcpy(longp + lp, "/dir", 5);
		lp += 4;
		memcpy(leaf + n, "dir", 4);
		n += 4;
	}
	assert_true(vigil_sensor__path_hash(longp) == ref_hash(leaf, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_layout),
		cmocka_unit_test(test_decode_entered),
		cmocka_unit_test(test_runtime_comm),
		cmocka_unit_test(test_runtime_exe),
		cmocka_unit_test(test_path_hash),
		cmocka_unit_test(test_container_id),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_dns_stream),
		cmocka_unit_test(test_dns_stream_eviction),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_proc_table_reuse_and_lru),
		cmocka_unit_test(test_proc_table_grows),
		cmocka_unit_test(test_workload_table_prune),
		cmocka_unit_test(test_workload_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
