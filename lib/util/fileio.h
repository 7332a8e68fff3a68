/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file writes that readers and crashes never see half done. */
#ifndef VIGIL_UTIL_FILEIO_H
#define VIGIL_UTIL_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "vigil/error.h"

/*
 * Writes data to path atomically: a temp file in the same directory, fsync, rename, fsync of
 * the directory. A crash leaves either the old file or the new one, never a mix. Returns 0 or
 * a negative errno (and fills err when not NULL).
 */
int vigil_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    struct vigil_error *err);

/*
 * The same, calling before_rename(tmp, arg) (when not NULL) once the temporary file tmp is
 * complete and synced, just before it is renamed over path: a test uses it to stop the writer
 * at that exact moment (what a crash there leaves behind is the temporary file, which carries
 * VIGIL_TMP_INFIX in its name).
 */
int vigil_write_file_atomic_hook(const char *path, const void *data, size_t len, mode_t mode,
				 void (*before_rename)(const char *tmp, void *arg), void *arg,
				 struct vigil_error *err);
/* Temporary files of the atomic writes are named PATH VIGIL_TMP_INFIX XXXXXX. */
#define VIGIL_TMP_INFIX ".tmp."
/* Whether a file name is such a temporary file (PATH.tmp.XXXXXX, six characters). */
int vigil_is_atomic_tmp(const char *name);

/* The permission bits of path, or fallback when it does not exist. */
mode_t vigil_file_mode_or(const char *path, mode_t fallback);

/* vigil_write_file_atomic keeping path's permissions when it exists (0644 when it does not). */
int vigil_replace_file(const char *path, const void *data, size_t len);

/*
 * Creates the directories leading to path (not path itself), like `mkdir -p "$(dirname PATH)"`.
 * Returns 0 or a negative errno.
 */
int vigil_mkdir_parents(const char *path, mode_t mode);

/*
 * Holds an exclusive lock on path (created when missing) for as long as the returned fd stays
 * open, and writes the caller's pid into it. -EWOULDBLOCK when another process holds it; then
 * *ret_holder (when not NULL) is the pid written by the holder, or 0 when unknown.
 */
int vigil_lock_file(const char *path, pid_t *ret_holder);

#endif
