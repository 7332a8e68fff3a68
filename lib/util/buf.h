/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable byte buffer with a hard upper bound. Every append can fail (-ENOMEM, or -E2BIG
 * when the bound would be passed), and callers check it. The content is kept NUL-terminated.
 */
#ifndef VIGIL_UTIL_BUF_H
#define VIGIL_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct vigil_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* 0 = VIGIL_BUF_DEFAULT_MAX */
};

#define VIGIL_BUF_DEFAULT_MAX (256u << 20)
#define VIGIL_BUF_INIT        \
	{                     \
		NULL, 0, 0, 0 \
	}

/* Makes room for extra more bytes at once (no reallocation while they are appended). */
int vigil_buf__reserve(struct vigil_buf *b, size_t extra);
int vigil_buf__append(struct vigil_buf *b, const void *data, size_t len);
int vigil_buf__puts(struct vigil_buf *b, const char *s);
/* Appends n bytes as lower-case hexadecimal (2n characters). */
int vigil_buf__append_hex(struct vigil_buf *b, const void *data, size_t n);
int vigil_buf__printf(struct vigil_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vigil_buf__vprintf(struct vigil_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void vigil_buf__reset(struct vigil_buf *b);
/* Gives the caller the data (NUL-terminated, free() it) and leaves b empty. */
char *vigil_buf__steal(struct vigil_buf *b, size_t *ret_len);
void vigil_buf__release(struct vigil_buf *b);

#endif
