// SPDX-License-Identifier: Apache-2.0
/*
 * RFC 8785 (JCS) canonical JSON of the signed content of a document. jansson holds the value;
 * the serializer is ours because JCS fixes what general JSON writers leave open: object keys
 * sorted by UTF-16 code units, minimal string escapes, numbers in ECMAScript form, no spaces.
 * Lists keep their order (exec args are order-sensitive); sets were already sorted by
 * normalization, so `fmt` can never change the canonical bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/outtree.h"
#include "util/buf.h"

/* Next UTF-16 code unit of a UTF-8 string (input is valid UTF-8: libyaml checked it). */
struct u16it {
	const unsigned char *s;
	unsigned pending; /* low surrogate still to return, or 0 */
};

static unsigned u16_next(struct u16it *it)
{
	unsigned cp, c;

	if (it->pending) {
		c = it->pending;
		it->pending = 0;
		return c;
	}
	c = *it->s;
	if (!c)
		return 0; /* end: a prefix sorts first (strings hold no NUL) */
	if (c < 0x80) {
		it->s++;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		cp = ((c & 0x1fu) << 6) | (it->s[1] & 0x3fu);
		it->s += 2;
	} else if ((c & 0xf0) == 0xe0) {
		cp = ((c & 0x0fu) << 12) | ((it->s[1] & 0x3fu) << 6) | (it->s[2] & 0x3fu);
		it->s += 3;
	} else {
		cp = ((c & 0x07u) << 18) | ((it->s[1] & 0x3fu) << 12) | ((it->s[2] & 0x3fu) << 6) |
		     (it->s[3] & 0x3fu);
		it->s += 4;
	}
	if (cp < 0x10000)
		return cp;
	cp -= 0x10000;
	it->pending = 0xdc00 + (cp & 0x3ff);
	return 0xd800 + (cp >> 10);
}

int prof_utf16_cmp(const char *a, const char *b)
{
	struct u16it x = { (const unsigned char *)a, 0 }, y = { (const unsigned char *)b, 0 };

	for (;;) {
		unsigned p = u16_next(&x), q = u16_next(&y);

		if (p != q)
			return p < q ? -1 : 1;
		if (!p)
			return 0;
	}
}

static int cmp_keys(const void *a, const void *b)
{
	return prof_utf16_cmp(*(const char *const *)a, *(const char *const *)b);
}

static int put_string(struct vigil_buf *out, const char *s, size_t len)
{
	size_t run = 0;
	int r;

	if ((r = vigil_buf__append(out, "\"", 1)))
		return r;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];

		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\b')
			esc = "\\b";
		else if (c == '\t')
			esc = "\\t";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\f')
			esc = "\\f";
		else if (c == '\r')
			esc = "\\r";
		else if (c < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", c);
			esc = u;
		}
		if (!esc)
			continue;
		if ((r = vigil_buf__append(out, s + run, i - run)) ||
		    (r = vigil_buf__puts(out, esc)))
			return r;
		run = i + 1;
	}
	if ((r = vigil_buf__append(out, s + run, len - run)))
		return r;
	return vigil_buf__append(out, "\"", 1);
}

/* ECMAScript Number::toString for a finite double (RFC 8785 §3.2.2.3). */
int prof_es6_number(double v, char *buf, size_t size)
{
	char tmp[40], digits[24], out[64];
	int prec, k = 0, n;
	long e;
	size_t o = 0;
	const char *p;

	if (!isfinite(v))
		return -ERANGE;
	if (v == 0) {
		snprintf(buf, size, "0");
		return 0;
	}
	if (v < 0) {
		out[o++] = '-';
		v = -v;
	}
	/* the shortest digit string that reads back as the same double */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	for (p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && k < 20)
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = 0;
	e = strtol(p + 1, NULL, 10);
	n = (int)e + 1; /* value = 0.DIGITS * 10^n */
	if (k <= n && n <= 21) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%0*d", digits, n - k, 0);
		if (n == k)
			out[--o] = 0; /* "%0*d" with width 0 still printed one "0" */
	} else if (0 < n && n <= 21) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s.%s", n, digits, digits + n);
	} else if (-6 < n && n <= 0) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "0.%0*d%s", -n, 0, digits);
		if (n == 0) {
			/* "%0*d" with width 0 printed "0": drop it */
			memmove(out + o - k - 1, out + o - k, (size_t)k + 1);
			o--;
		}
	} else {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%c%s%s%se%c%d", digits[0],
				      k > 1 ? "." : "", digits + 1, "", n - 1 >= 0 ? '+' : '-',
				      abs(n - 1));
	}
	if (o + 1 > size)
		return -ERANGE;
	memcpy(buf, out, o + 1);
	return 0;
}

static int put_json(struct vigil_buf *out, json_t *j)
{
	char num[64];
	int r;

	switch (json_typeof(j)) {
	case JSON_NULL:
		return vigil_buf__puts(out, "null");
	case JSON_TRUE:
		return vigil_buf__puts(out, "true");
	case JSON_FALSE:
		return vigil_buf__puts(out, "false");
	case JSON_INTEGER:
		/* JCS numbers are IEEE doubles: print the integer the way ES6 would */
		if ((r = prof_es6_number((double)json_integer_value(j), num, sizeof(num))))
			return r;
		return vigil_buf__puts(out, num);
	case JSON_REAL:
		if ((r = prof_es6_number(json_real_value(j), num, sizeof(num))))
			return r;
		return vigil_buf__puts(out, num);
	case JSON_STRING:
		return put_string(out, json_string_value(j), json_string_length(j));
	case JSON_ARRAY: {
		size_t i;
		json_t *v;

		if ((r = vigil_buf__puts(out, "[")))
			return r;
		json_array_foreach(j, i, v)
		{
			if ((i && (r = vigil_buf__puts(out, ","))) || (r = put_json(out, v)))
				return r;
		}
		return vigil_buf__puts(out, "]");
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(j), i = 0;
		const char **keys = calloc(n ? n : 1, sizeof(*keys));
		const char *key;
		json_t *v;

		if (!keys)
			return -ENOMEM;
		json_object_foreach(j, key, v) keys[i++] = key;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		r = vigil_buf__puts(out, "{");
		for (i = 0; !r && i < n; i++) {
			if (i)
				r = vigil_buf__puts(out, ",");
			if (!r)
				r = put_string(out, keys[i], strlen(keys[i]));
			if (!r)
				r = vigil_buf__puts(out, ":");
			if (!r)
				r = put_json(out, json_object_get(j, keys[i]));
		}
		free(keys);
		return r ? r : vigil_buf__puts(out, "}");
	}
	}
	return -EINVAL;
}

int vigil_profile__canon(const struct vigil_profile *p, size_t doc, struct vigil_buf *out)
{
	struct prof_node *t;
	json_t *j;
	int err = 0, r;
	size_t start = out->len;
	if (!p || doc >= p->ndocs)
		return -EINVAL;
	prof_ensure_normal(p);
	t = prof_doc_tree(&p->docs[doc], true);
	if (!t)
		return -ENOMEM;
	j = prof_tree_to_json(t, &err);
	prof_node_free(t);
	if (!j)
		return err ? err : -ENOMEM;
	r = put_json(out, j);
	json_decref(j);
	if (r) {
		out->len = start;
		if (out->data)
			out->data[start] = 0;
	}
	return r;
}
