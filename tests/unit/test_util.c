// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "util/buf.h"
#include "util/digest.h"
#include "util/lru.h"
#include "util/strutil.h"
#include "vigil/error.h"

static void test_duration(void **state)
{
	uint64_t ns;

	assert_int_equal(vigil_parse_duration("500ms", &ns), 0);
	assert_int_equal(ns, 500000000ULL);
	assert_int_equal(vigil_parse_duration("30s", &ns), 0);
	assert_int_equal(ns, 30000000000ULL);
	assert_int_equal(vigil_parse_duration("10m", &ns), 0);
	assert_int_equal(ns, 600000000000ULL);
	assert_int_equal(vigil_parse_duration("24h", &ns), 0);
	assert_int_equal(ns, 86400000000000ULL);
	assert_int_equal(vigil_parse_duration("7", &ns), 0);
	assert_int_equal(ns, 7000000000ULL);
	assert_int_equal(vigil_parse_duration("", &ns), -EINVAL);
	assert_int_equal(vigil_parse_duration("-1s", &ns), -EINVAL);
	assert_int_equal(vigil_parse_duration("5x", &ns), -EINVAL);
	assert_int_equal(vigil_parse_duration("99999999999999999999d", &ns), -ERANGE);
	assert_int_equal(vigil_parse_duration("999999999999d", &ns), -ERANGE);
}

static void test_size(void **state)
{
	uint64_t v;

	assert_int_equal(vigil_parse_size("64MiB", &v), 0);
	assert_true(v == 64ULL << 20);
	assert_int_equal(vigil_parse_size("512K", &v), 0);
	assert_true(v == 512ULL << 10);
	assert_int_equal(vigil_parse_size("1000", &v), 0);
	assert_true(v == 1000);
	assert_int_equal(vigil_parse_size("2GiB", &v), 0);
	assert_true(v == 2ULL << 30);
	assert_int_equal(vigil_parse_size("", &v), -EINVAL);
	assert_int_equal(vigil_parse_size("-1M", &v), -EINVAL);
	assert_int_equal(vigil_parse_size("5MB", &v), -EINVAL); /* 1000 or 1024? refused */
	assert_int_equal(vigil_parse_size(" 5M", &v), -EINVAL);
	assert_int_equal(vigil_parse_size("99999999999T", &v), -ERANGE);
}

static void test_u64(void **state)
{
	uint64_t v;

	assert_int_equal(vigil_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vigil_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(vigil_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(vigil_parse_u64("12a", &v), -EINVAL);
}

static void test_suggest(void **state)
{
	static const char *const fields[] = { "execs", "opens", "syscalls", "capabilities", NULL };

	assert_string_equal(vigil_suggest("exec", fields), "execs");
	assert_string_equal(vigil_suggest("syscals", fields), "syscalls");
	assert_null(vigil_suggest("zzzzzz", fields));
	assert_int_equal(vigil_edit_distance("kitten", "sitting", 5), 3);
}

static void test_utf8(void **state)
{
	char bad[] = "id\xff\xe2\x8b\xaf\x06 \xc0\xaf \xed\xa0\x80 \xe2\x8b";
	char good[] = "\xe2\x8b\xaf caf\xc3\xa9 \xf0\x9f\x90\xa7";

	(void)state;
	assert_int_equal(vigil_utf8_len("a"), 1);
	assert_int_equal(vigil_utf8_len("\xc3\xa9"), 2);
	assert_int_equal(vigil_utf8_len("\xe2\x8b\xaf"), 3);
	assert_int_equal(vigil_utf8_len("\xf0\x9f\x90\xa7"), 4);
	assert_int_equal(vigil_utf8_len(""), 0);
	assert_int_equal(vigil_utf8_len("\xc0\xaf"), 0);     /* overlong '/' */
	assert_int_equal(vigil_utf8_len("\xed\xa0\x80"), 0); /* surrogate */
	assert_int_equal(vigil_utf8_len("\xe2\x8b"), 0);     /* cut at the end */
	vigil_utf8_scrub(bad);
	/* a stray byte, a control character, an overlong form, a surrogate and a cut sequence
	 * each become one '?' per byte; the valid ellipsis stays */
	assert_string_equal(bad, "id?\xe2\x8b\xaf? ?? ??? ??");
	vigil_utf8_scrub(good);
	assert_string_equal(good, "\xe2\x8b\xaf caf\xc3\xa9 \xf0\x9f\x90\xa7");
}

static void test_buf_bound(void **state)
{
	struct vigil_buf b = VIGIL_BUF_INIT;

	b.max = 8;
	assert_int_equal(vigil_buf__puts(&b, "12345"), 0);
	assert_int_equal(vigil_buf__printf(&b, "%d", 678), 0);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(vigil_buf__puts(&b, "9"), -E2BIG);
	assert_int_equal(b.len, 8);
	vigil_buf__release(&b);
}

/* The one digit-run test of path segments (pids, fds, pts numbers): bounded by n, never empty. */
static void test_all_digits(void **state)
{
	(void)state;
	assert_true(vigil_all_digits("1234", 4));
	assert_true(vigil_all_digits("12/x", 2));
	assert_false(vigil_all_digits("12/x", 3));
	assert_false(vigil_all_digits("", 0));
	assert_false(vigil_all_digits("1a", 2));
	assert_false(vigil_all_digits("1\0002", 3));
	assert_false(vigil_all_digits("+1", 2));
}

/* The one lower-case hex test (ids, digests): bounded by n, never empty, no upper case. */
static void test_is_hex(void **state)
{
	(void)state;
	assert_true(vigil_is_hex("0123456789abcdef", 16));
	assert_true(vigil_is_hex("ab/x", 2));
	assert_false(vigil_is_hex("ab/x", 3));
	assert_false(vigil_is_hex("", 0));
	assert_false(vigil_is_hex("aB", 2));
	assert_false(vigil_is_hex("ag", 2));
	assert_false(vigil_is_hex("a\0b", 3));
	assert_false(vigil_is_hex("a`", 2));
	assert_false(vigil_is_hex("a:", 2));
}

/* One hex encoder for digests, ids and samples: lower case, NUL-terminated, all or nothing. */
static void test_hex(void **state)
{
	const unsigned char d[] = { 0x00, 0x0f, 0xa5, 0xff };
	struct vigil_buf b = VIGIL_BUF_INIT;
	char out[2 * sizeof(d) + 1];

	memset(out, 'x', sizeof(out));
	assert_ptr_equal(vigil_hex(d, sizeof(d), out), out);
	assert_string_equal(out, "000fa5ff");
	assert_string_equal(vigil_hex(d, 0, out), "");
	b.max = 7;
	assert_int_equal(vigil_buf__puts(&b, "id:"), 0);
	assert_int_equal(vigil_buf__append_hex(&b, d, 2), 0);
	assert_string_equal(b.data, "id:000f");
	assert_int_equal(vigil_buf__append_hex(&b, d + 2, 1), -E2BIG);
	assert_string_equal(b.data, "id:000f");
	vigil_buf__release(&b);
}

static void test_error_format(void **state)
{
	struct vigil_error err;
	char out[1024];

	assert_int_equal(
		vigil_error__set(&err, -EINVAL, "p.yaml", 12, 5, "unknown field \"%s\"", "exec"),
		-EINVAL);
	assert_string_equal(vigil_error__format(&err, out, sizeof(out)),
			    "p.yaml:12:5: unknown field \"exec\"");
	vigil_error__clear(&err);
	err.code = -ENOENT;
	assert_string_equal(vigil_error__format(&err, out, sizeof(out)),
			    "No such file or directory");
}

struct item {
	int id;
	struct vigil_lru_node lru;
};

static int lru_order(const struct vigil_lru *l)
{
	int v = 0;

	for (const struct vigil_lru_node *n = l->head; n; n = n->next)
		v = v * 10 + vigil_lru_entry(n, const struct item, lru)->id;
	return v;
}

static void test_lru(void **state)
{
	struct vigil_lru l = { NULL, NULL };
	struct item a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };

	assert_null(vigil_lru_entry(l.tail, struct item, lru));
	vigil_lru__push(&l, &a.lru);
	vigil_lru__push(&l, &b.lru);
	vigil_lru__push(&l, &c.lru);
	assert_int_equal(lru_order(&l), 321);
	assert_ptr_equal(vigil_lru_entry(l.tail, struct item, lru), &a);
	vigil_lru__touch(&l, &a.lru); /* the oldest becomes the newest */
	assert_int_equal(lru_order(&l), 132);
	assert_ptr_equal(vigil_lru_entry(l.tail, struct item, lru), &b);
	vigil_lru__touch(&l, &a.lru); /* already at the head */
	assert_int_equal(lru_order(&l), 132);
	vigil_lru__unlink(&l, &b.lru); /* evict the tail */
	assert_int_equal(lru_order(&l), 13);
	assert_ptr_equal(l.tail, &c.lru);
	vigil_lru__unlink(&l, &a.lru);
	vigil_lru__unlink(&l, &c.lru);
	assert_null(l.head);
	assert_null(l.tail);
}

/* The low-level digests agree with OpenSSL's EVP ones, whole and fed in uneven pieces. */
static void test_digest(void **state)
{
	static const unsigned char abc_sha[] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const unsigned char abc_md5[] = { 0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
						 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72 };
	static unsigned char data[70000];
	unsigned char md[VIGIL_SHA256_LEN], inc[VIGIL_SHA256_LEN], ref[EVP_MAX_MD_SIZE];
	unsigned char m5[VIGIL_MD5_LEN];
	unsigned int n;

	(void)state;
	vigil_sha256("abc", 3, md);
	assert_memory_equal(md, abc_sha, sizeof(md));
	vigil_md5("abc", 3, m5);
	assert_memory_equal(m5, abc_md5, sizeof(m5));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + (i >> 7));
	for (size_t len = 0; len <= sizeof(data); len = len < 300 ? len + 1 : len * 3 + 7) {
		struct vigil_sha256 c;

		vigil_sha256(data, len, md);
		vigil_sha256_init(&c);
		for (size_t off = 0, step = 1; off < len; off += step, step = step * 2 + 1)
			vigil_sha256_update(&c, data + off, step < len - off ? step : len - off);
		vigil_sha256_final(&c, inc);
		assert_int_equal(EVP_Digest(data, len, ref, &n, EVP_sha256(), NULL), 1);
		assert_int_equal(n, sizeof(md));
		assert_memory_equal(md, ref, sizeof(md));
		assert_memory_equal(inc, ref, sizeof(md));
		vigil_md5(data, len, m5);
		assert_int_equal(EVP_Digest(data, len, ref, &n, EVP_md5(), NULL), 1);
		assert_memory_equal(m5, ref, sizeof(m5));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),     cmocka_unit_test(test_size),
		cmocka_unit_test(test_u64),	     cmocka_unit_test(test_is_hex),
		cmocka_unit_test(test_suggest),	     cmocka_unit_test(test_buf_bound),
		cmocka_unit_test(test_error_format), cmocka_unit_test(test_lru),
		cmocka_unit_test(test_utf8),	     cmocka_unit_test(test_hex),
		cmocka_unit_test(test_all_digits),   cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
