/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The directories a profile's open entries write in (wdirs.c says how and why). Internal to
 * lib/profile: the matcher keeps one per matcher (workload-wide and per byExecutable section).
 */
#ifndef VIGIL_PROFILE_WDIRS_H
#define VIGIL_PROFILE_WDIRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vigil_wdirs;

/* NULL + errno on failure. */
struct vigil_wdirs *vigil_wdirs__new(void);
void vigil_wdirs__free(struct vigil_wdirs *w);

/* The vigil_wc_open_flags bits that make an entry a write (write, read-write, create,
 * truncate, append). */
uint64_t vigil_wdirs__write_bits(void);

/* Adds the directory of an open entry's path pattern. 0 or -ENOMEM (an invalid pattern or a
 * relative path adds nothing). */
int vigil_wdirs__add(struct vigil_wdirs *w, const char *path);

/* Whether the directory of path (an absolute path an event named) is one the profile writes
 * in. */
bool vigil_wdirs__has(const struct vigil_wdirs *w, const char *path);

size_t vigil_wdirs__count(const struct vigil_wdirs *w);
size_t vigil_wdirs__bytes(const struct vigil_wdirs *w);

#endif
