/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FNV-1a (64 bit): the one small non-cryptographic hash of the tables (detector bindings and
 * cooldowns, the profile builder's index, DNS tallies). Not for anything an attacker must not
 * be able to collide on purpose: the tables that use it are bounded whatever the keys.
 */
#ifndef VIGIL_UTIL_HASH_H
#define VIGIL_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VIGIL_FNV1A_INIT 0xcbf29ce484222325ULL

/* h continued over len bytes of data (start with VIGIL_FNV1A_INIT). */
static inline uint64_t vigil_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t vigil_fnv1a_str(const char *s)
{
	return vigil_fnv1a(VIGIL_FNV1A_INIT, s, strlen(s));
}

#endif
