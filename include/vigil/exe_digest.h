/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SHA-256 of the executable an exec event ran, for learning (the profile's execDigests)
 * and drift detection (R1001). The file is read as the kernel ran it: through /proc/PID/exe
 * while the process lives, else through the root of the process or its parent, and only when
 * the file found there is the inode the kernel reported (number, size and ctime: content
 * cannot change without ctime changing). A bounded cache keyed by that identity makes a repeat
 * cost a lookup.
 */
#ifndef VIGIL_EXE_DIGEST_H
#define VIGIL_EXE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

#define VIGIL_EXE_DIGEST_MAX_FILE (1ull << 30) /* larger executables are not hashed */

struct vigil_exe_digests;

/* A cache of at most max identities (0: 4096). NULL on out of memory. */
struct vigil_exe_digests *vigil_exe_digests__new(size_t max);
void vigil_exe_digests__free(struct vigil_exe_digests *c);

/*
 * Writes the 64 lower-case hex digits of the SHA-256 of the file ev (an EXEC event) ran into
 * hex. Returns 0; -ENOENT when the file can no longer be read as it was run (the process and
 * its parent are gone, or the file changed again since); -EFBIG over
 * VIGIL_EXE_DIGEST_MAX_FILE; -EINVAL when ev carries no identity; another -errno.
 */
int vigil_exe_digests__of(struct vigil_exe_digests *c, const struct vigil_event *ev, char hex[65]);

/*
 * The SHA-256 of the open file fd, which must hold exactly size bytes: 0; -ENOENT when it
 * holds more or fewer (it changed while read); -EFBIG over VIGIL_EXE_DIGEST_MAX_FILE.
 */
int vigil_sha256_fd(int fd, uint64_t size, char hex[65]);

/* Hashes computed and cache hits so far (status, tests). */
void vigil_exe_digests__stats(const struct vigil_exe_digests *c, uint64_t *ret_hashed,
			      uint64_t *ret_hits);

#endif
