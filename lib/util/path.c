// SPDX-License-Identifier: Apache-2.0
/* Lexical path helpers (see path.h). */
#include <errno.h>
#include <string.h>

#include "util/path.h"
#include "util/strutil.h"

/* Copies a relative path, dropping "./" runs and repeated "/", nothing more. */
static size_t copy_relative(const char *in, size_t len, char *out, size_t size, bool *cut)
{
	size_t o = 0, i = 0;

	while (i < len && in[i]) {
		size_t s = i;

		while (i < len && in[i] && in[i] != '/')
			i++;
		if (!(i - s == 1 && in[s] == '.') && i > s) {
			size_t need = (o ? 1 : 0) + (i - s);

			if (o + need >= size) {
				*cut = true;
				break;
			}
			if (o)
				out[o++] = '/';
			memcpy(out + o, in + s, i - s);
			o += i - s;
		}
		while (i < len && in[i] == '/')
			i++;
	}
	if (!o && size > 1)
		out[o++] = '.';
	out[o] = '\0';
	return o;
}

size_t vigil_path_normalize(const char *in, size_t len, char *out, size_t size, bool *ret_cut)
{
	size_t o = 0, i = 0, skipped = 0;

	*ret_cut = false;
	if (size < 2)
		return out && size ? (out[0] = '\0', 0) : 0;
	if (!len || in[0] != '/') {
		*ret_cut = true;
		return copy_relative(in, len, out, size, ret_cut);
	}
	/* out always holds "/" or "/a/b" (no trailing slash); components are appended or popped */
	out[o++] = '/';
	while (i < len && in[i]) {
		size_t s, n;

		while (i < len && in[i] == '/')
			i++;
		s = i;
		while (i < len && in[i] && in[i] != '/')
			i++;
		n = i - s;
		if (!n || (n == 1 && in[s] == '.'))
			continue;
		if (n == 2 && in[s] == '.' && in[s + 1] == '.') {
			if (skipped) { /* pops a component that did not fit */
				skipped--;
				continue;
			}
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the separator before the popped component */
			continue;
		}
		/* a component that does not fit (or follows one) is counted, not written: a later
		 * ".." may still bring the path back within size */
		if (skipped || o + (o > 1) + n >= size) {
			skipped++;
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, in + s, n);
		o += n;
	}
	out[o] = '\0';
	*ret_cut = skipped > 0;
	return o;
}

int vigil_path_dir(const char *path, char *out, size_t size)
{
	char *slash;

	if (vigil_strlcpy(out, path, size) >= size)
		return -ENAMETOOLONG;
	slash = strrchr(out, '/');
	if (!slash)
		vigil_strlcpy(out, ".", size);
	else if (slash == out)
		out[1] = '\0';
	else
		*slash = '\0';
	return 0;
}
