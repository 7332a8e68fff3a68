/* SPDX-License-Identifier: Apache-2.0 */
/* What the hardening drafts (harden_*.c) share, internal to lib/profile. */
#ifndef VIGIL_PROFILE_HARDEN_INTERNAL_H
#define VIGIL_PROFILE_HARDEN_INTERNAL_H

#include <stddef.h>

/* Writes the reason a person reads into why (when size > 0) and returns code (harden_enforce.c). */
int harden_fail(char *why, size_t size, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
