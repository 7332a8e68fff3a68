/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error details for parsers and loaders. Functions return negative errno values; when they are
 * given a non-NULL struct vigil_error they also say where and why, in words a person can act
 * on. The library never prints: the program formats the error once, at its boundary.
 */
#ifndef VIGIL_ERROR_H
#define VIGIL_ERROR_H

#include <stddef.h>

#define VIGIL_ERROR_MSG_MAX  512
#define VIGIL_ERROR_FILE_MAX 256

struct vigil_error {
	char file[VIGIL_ERROR_FILE_MAX]; /* "" when the input is not a file */
	int line;			 /* 1-based; 0 when unknown */
	int column;			 /* 1-based; 0 when unknown */
	int code;			 /* negative errno */
	char message[VIGIL_ERROR_MSG_MAX];
};

/* Fills err (when not NULL) and returns code, so callers can write `return vigil_error__set(...)`. */
int vigil_error__set(struct vigil_error *err, int code, const char *file, int line, int column,
		     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Clears err (when not NULL). */
void vigil_error__clear(struct vigil_error *err);

/*
 * Formats err as "FILE:LINE:COL: message" (parts that are unknown are left out) into buf.
 * Returns buf.
 */
const char *vigil_error__format(const struct vigil_error *err, char *buf, size_t size);

#endif
