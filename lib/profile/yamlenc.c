// SPDX-License-Identifier: Apache-2.0
/*
 * Profiles saved as UTF-16 (yamltree.h, prof_utf16_to_utf8). Windows PowerShell 5 writes
 * `kubectl get ... -o yaml > file` as UTF-16 with a byte order mark, and kubectl reads such a
 * file back (its decoder honours the mark). The text is turned into UTF-8 before parsing: lines
 * and columns (libyaml counts characters) stay those of the file.
 */
#include <errno.h>
#include <stdlib.h>

#include "profile/yamltree.h"

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int prof_utf16_to_utf8(const char *data, size_t len, char **ret, size_t *ret_len)
{
	const unsigned char *s = (const unsigned char *)data;
	bool le;
	char *o;
	size_t n = 0;

	if (len < 2 || !((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		return PROF_NOT_UTF16;
	le = s[0] == 0xFF;
	/* each 2-byte unit gives at most 3 bytes, a 4-byte pair 4 */
	o = malloc(len / 2 * 3 + 1);
	if (!o)
		return -ENOMEM;
	for (size_t i = 2; i + 1 < len; i += 2) {
		unsigned u = le ? s[i] | (unsigned)s[i + 1] << 8 : (unsigned)s[i] << 8 | s[i + 1];

		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
			unsigned v = le ? s[i + 2] | (unsigned)s[i + 3] << 8
					: (unsigned)s[i + 2] << 8 | s[i + 3];

			if (v >= 0xDC00 && v <= 0xDFFF) {
				n += put_utf8(o + n,
					      0x10000u + ((u - 0xD800u) << 10) + (v - 0xDC00u));
				i += 2;
				continue;
			}
		}
		/* a lone surrogate reads as U+FFFD, as Go's decoder reads it */
		n += put_utf8(o + n, u >= 0xD800 && u <= 0xDFFF ? 0xFFFD : u);
	}
	/* an odd last byte is no character: U+FFFD as well */
	if (len % 2)
		n += put_utf8(o + n, 0xFFFD);
	o[n] = '\0';
	*ret = o;
	*ret_len = n;
	return 0;
}
