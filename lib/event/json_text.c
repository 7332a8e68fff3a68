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

static bool utf8_ok(const char *s, size_t len, size_t *ret_bad)
{
	size_t bad = 0;

	for (size_t i = 0; i < len;) {
		size_t n = vigil_utf8_len(s + i);

		if (n == 0 || i + n > len) {
			bad++;
			i++;
			continue;
		}
		i += n;
	}
	*ret_bad = bad;
	return bad == 0;
}

json_t *vigil_json_textn(const char *s, size_t len)
{
	size_t bad, o = 0;
	char *out;
	json_t *j;

	if (!s)
		return json_string("");
	len = strnlen(s, len);
	if (utf8_ok(s, len, &bad))
		return json_stringn(s, len);
	out = malloc(len + 3 * bad + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = vigil_utf8_len(s + i);

		if (n == 0 || i + n > len) {
			o += (size_t)snprintf(out + o, 5, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	j = json_stringn(out, o);
	free(out);
	return j;
}

json_t *vigil_json_text(const char *s)
{
	return vigil_json_textn(s, s ? strlen(s) : 0);
}

/* One byte as printed on a line: kept, or how many bytes of a kept character. 0: escape it. */
static size_t shown_len(const char *s)
{
	size_t n = vigil_utf8_len(s);

	if (n == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f))
		return 0;
	return n;
}

const char *vigil_text_shown(const char *s, char *buf, size_t size)
{
	size_t o = 0, i = 0;

	if (!s)
		return "";
	for (i = 0; s[i]; i++)
		if (!shown_len(s + i))
			break;
		else
			i += shown_len(s + i) - 1;
	if (!s[i] || !size)
		return s; /* nothing to escape: as it is */
	for (i = 0; s[i] && o + 1 < size;) {
		size_t n = shown_len(s + i);

		if (n == 0) {
			if (o + 5 > size)
				break;
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (o + n + 1 > size)
			break;
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	buf[o] = '\0';
	return buf;
}
