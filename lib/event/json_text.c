// SPDX-License-Identifier: Apache-2.0
/*
 * Text the kernel or a workload chose, as a JSON string. A file name, a process name or an
 * argument is any bytes but '/' and NUL; JSON wants UTF-8, and jansson refuses anything else
 * (json_string returns NULL, json_pack fails as a whole). So a name with a 0xff byte in it
 * would make the alert about it vanish — an evasion. Every encoder of such text goes through
 * here: valid UTF-8 is kept as it is, each byte outside a well-formed sequence is written as
 * the four characters \xNN (as `ls -b` and the kernel's audit log show them).
 * On a line (vigil trace, the zoom's event rows) control characters are escaped too, so a
 * name cannot forge a line or send escape sequences to an analyst's terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/strutil.h"
#include "vigil/event.h"

/* Bytes kept as they are at s (a whole character), or 0 when s[0] is written as \xNN: outside
 * well-formed UTF-8 within the len bytes left, or (on a line) an ASCII control character. */
static size_t kept_len(const char *s, size_t left, bool line)
{
	size_t n = vigil_utf8_len(s);

	if (n == 0 || n > left)
		return 0;
	if (line && n == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f))
		return 0;
	return n;
}

/* len bytes of s with nothing to escape? */
static bool all_kept(const char *s, size_t len, bool line)
{
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = kept_len(s + i, len - i, line)))
			return false;
	return true;
}

/* s escaped into out (size > 0), cut at a whole character or escape; returns the length. */
static size_t escape(const char *s, size_t len, bool line, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0, n; i < len; i += n) {
		n = kept_len(s + i, len - i, line);
		if (n == 0) {
			if (o + 5 > size)
				break;
			o += (size_t)snprintf(out + o, 5, "\\x%02x", (unsigned char)s[i]);
			n = 1;
			continue;
		}
		if (o + n + 1 > size)
			break;
		memcpy(out + o, s + i, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

json_t *vigil_json_textn(const char *s, size_t len)
{
	size_t size;
	char *out;
	json_t *j;

	if (!s)
		return json_string("");
	len = strnlen(s, len);
	if (all_kept(s, len, false))
		return json_stringn(s, len);
	size = 4 * len + 1; /* each byte at most \xNN */
	out = malloc(size);
	if (!out)
		return NULL;
	j = json_stringn(out, escape(s, len, false, out, size));
	free(out);
	return j;
}

json_t *vigil_json_text(const char *s)
{
	return vigil_json_textn(s, s ? strlen(s) : 0);
}

const char *vigil_text_shown(const char *s, char *buf, size_t size)
{
	size_t len;

	if (!s)
		return "";
	len = strlen(s);
	if (all_kept(s, len, true))
		return s; /* nothing to escape: as it is */
	if (!size)
		return "";
	escape(s, len, true, buf, size);
	return buf;
}
