// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strutil.h"

static int buf_reserve(struct vigil_buf *b, size_t extra)
{
	size_t max = b->max ? b->max : VIGIL_BUF_DEFAULT_MAX;
	size_t need, cap;
	char *p;

	if (extra > max || b->len > max - extra)
		return -E2BIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > max + 1)
		cap = max + 1;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int vigil_buf__reserve(struct vigil_buf *b, size_t extra)
{
	int err = buf_reserve(b, extra);

	if (!err && b->data)
		b->data[b->len] = '\0';
	return err;
}

int vigil_buf__append(struct vigil_buf *b, const void *data, size_t len)
{
	int err = buf_reserve(b, len);

	if (err)
		return err;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int vigil_buf__puts(struct vigil_buf *b, const char *s)
{
	return vigil_buf__append(b, s, strlen(s));
}

int vigil_buf__append_hex(struct vigil_buf *b, const void *data, size_t n)
{
	int err = n > SIZE_MAX / 4 ? -E2BIG : buf_reserve(b, 2 * n);

	if (err)
		return err;
	vigil_hex(data, n, b->data + b->len);
	b->len += 2 * n;
	return 0;
}

int vigil_buf__vprintf(struct vigil_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, err;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	err = buf_reserve(b, (size_t)n);
	if (err)
		return err;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int vigil_buf__printf(struct vigil_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vigil_buf__vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

void vigil_buf__reset(struct vigil_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *vigil_buf__steal(struct vigil_buf *b, size_t *ret_len)
{
	char *p = b->data;

	if (!p) {
		p = calloc(1, 1);
		if (!p)
			return NULL;
	}
	if (ret_len)
		*ret_len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void vigil_buf__release(struct vigil_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
