/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lexical path helpers. Normalisation is for paths the kernel did not resolve (a failed open
 * is only a string): the spelling a program chose must not change how the path is judged or
 * learned.
 */
#ifndef VIGIL_UTIL_PATH_H
#define VIGIL_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Normalises an absolute path without looking at the file system: repeated "/" become one,
 * "." components go, ".." removes the component before it ("/.." is "/"), and no trailing
 * "/" is kept ("/" itself aside). A symlink followed by ".." is therefore judged as if it were
 * a directory; the kernel's answer for an opened file is authoritative, this is the best guess
 * for a string alone.
 *
 * in need not be NUL-terminated within len bytes. out (size >= 2 bytes) gets the result; when it
 * does not fit, whole components are kept and *ret_cut is set (also set when in is not
 * absolute: a relative path has nothing to anchor "..", and is copied with only "./" removed).
 * Returns the length written.
 */
size_t vigil_path_normalize(const char *in, size_t len, char *out, size_t size, bool *ret_cut);

/*
 * The directory a file name is in, as dirname(1) says it for a name without a trailing "/":
 * "a/b" -> "a", "/b" -> "/", "b" -> ".". 0, or -ENAMETOOLONG when path does not fit in out.
 */
int vigil_path_dir(const char *path, char *out, size_t size);

#endif
