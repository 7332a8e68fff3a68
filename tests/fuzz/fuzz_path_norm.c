// SPDX-License-Identifier: Apache-2.0
/*
 * Lexical path normalisation (lib/util/path.c) runs on strings a workload writes (failed opens,
 * io_uring submissions). The input is the path, its first byte choosing the output size.
 * Checks: the output fits, an absolute input gives an absolute output with no "//", "/./",
 * "/../", trailing "/", "." or ".." component; normalising the output again changes nothing;
 * doubling every '/' of the input changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clean(const char *p, size_t n)
{
	if (p[0] != '/' || (n > 1 && p[n - 1] == '/') || strstr(p, "//") || strstr(p, "/./") ||
	    strstr(p, "/../"))
		abort();
	if ((n >= 2 && !strcmp(p + n - 2, "/.")) || (n >= 3 && !strcmp(p + n - 3, "/..")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[4200], again[4200], doubled_out[4200], doubled[8400];
	size_t osize, n, n2, j = 0;
	const char *in;
	bool cut, cut2;

	if (size < 1 || size > 4097)
		return 0;
	osize = 2 + data[0] * 16; /* 2 .. 4082 */
	in = (const char *)data + 1;
	size--;
	n = vigil_path_normalize(in, size, out, osize, &cut);
	if (n >= osize || strlen(out) != n)
		abort();
	if (!size || in[0] != '/')
		return cut ? 0 : (abort(), 0);
	check_clean(out, n);
	n2 = vigil_path_normalize(out, n, again, osize, &cut2);
	if (cut2 || n2 != n || strcmp(again, out))
		abort();
	for (size_t i = 0; i < size && in[i]; i++) {
		doubled[j++] = in[i];
		if (in[i] == '/')
			doubled[j++] = '/';
	}
	vigil_path_normalize(doubled, j, doubled_out, osize, &cut2);
	if (cut2 != cut || strcmp(doubled_out, out))
		abort();
	return 0;
}
