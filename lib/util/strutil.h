/* SPDX-License-Identifier: Apache-2.0 */
/* Small string helpers shared by every module (bounded copies, number and duration parsing). */
#ifndef VIGIL_UTIL_STRUTIL_H
#define VIGIL_UTIL_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies src into dst (size bytes, always NUL-terminated). Returns strlen(src): >= size means truncated. */
size_t vigil_strlcpy(char *dst, const char *src, size_t size);

bool vigil_str_has_prefix(const char *s, const char *prefix);
bool vigil_str_has_suffix(const char *s, const char *suffix);

/* True when s[0..n) is one or more ASCII decimal digits (a pid, an fd, a pts number). */
bool vigil_all_digits(const char *s, size_t n);

/* True when s[0..n) is one or more lower-case hex digits (a container id, a sha256 digest, an
 * incident id): bounded by n, so a name's component can be tested in place. */
bool vigil_is_hex(const char *s, size_t n);

/* Parses a whole decimal unsigned number. Returns 0 or -EINVAL/-ERANGE. */
int vigil_parse_u64(const char *s, uint64_t *ret);

/*
 * Parses a duration: a number followed by ns, us, ms, s, m, h or d ("500ms", "30s", "10m",
 * "24h"); a bare number is seconds. Returns 0 and nanoseconds in *ret_ns, or -EINVAL/-ERANGE.
 */
int vigil_parse_duration(const char *s, uint64_t *ret_ns);

/*
 * Parses a size in bytes: a number, optionally followed by B, K/KiB, M/MiB, G/GiB or T/TiB
 * (powers of 1024: "64MiB", "512K"). Returns 0 and the size in *ret, or -EINVAL/-ERANGE.
 */
int vigil_parse_size(const char *s, uint64_t *ret);
/*
 * Lower-case hexadecimal of n bytes (digests, ids): 2n characters and a NUL into out, which
 * holds 2n + 1. Returns out.
 */
char *vigil_hex(const void *data, size_t n, char *out);

/* Levenshtein distance, capped at max+1 (cheap "did you mean" for short identifiers). */
unsigned vigil_edit_distance(const char *a, const char *b, unsigned max);

/*
 * Picks the candidate closest to word (NULL-terminated list) within a distance that makes a
 * suggestion useful; NULL when none is close.
 */
const char *vigil_suggest(const char *word, const char *const *candidates);

/* Length (1 to 4) of the well-formed UTF-8 sequence that starts at s; 0 when none does (a stray
 * byte, an overlong form, a surrogate, past U+10FFFF, or the end of the string). */
size_t vigil_utf8_len(const char *s);

/*
 * Makes s valid, printable UTF-8 in place: every byte outside a well-formed sequence and every
 * ASCII control character becomes '?'. For messages that quote input (JSON encoders refuse
 * invalid UTF-8, and a terminal must not receive escapes).
 */
void vigil_utf8_scrub(char *s);

#endif
