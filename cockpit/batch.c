// SPDX-License-Identifier: Apache-2.0
/*
 * A write's body as items, each with the text it was sent as. An array is parsed one element
 * at a time (jansson stops at each element's end and says where: JSON_DISABLE_EOF_CHECK), so
 * the store can keep an alert's record as the node sent it instead of dumping the parsed
 * alert again (a third of the prepare's work at fleet rates). Whatever is not a plain array
 * of at most max items, valid or not, is parsed whole as before, so a bad body gets the same
 * answer, with jansson's line and column, as it always did.
 */
#include <stdlib.h>
#include <string.h>

#include "cockpit/cockpit_internal.h"
#include "vigil/store_fleet.h"

#define FLAGS	    JSON_REJECT_DUPLICATES
#define DEPTH_LIMIT 2048 /* jansson's JSON_PARSER_MAX_DEPTH */

static size_t skip_ws(const char *p, size_t len, size_t at)
{
	while (at < len && (p[at] == ' ' || p[at] == '\t' || p[at] == '\n' || p[at] == '\r'))
		at++;
	return at;
}

/*
 * Whether an element nests as deep as jansson's limit (2 048) allows on its own but not one
 * level down, inside the array, where the whole parse would refuse it. Only a long text can.
 */
static bool at_depth_limit(const char *p, size_t len)
{
	size_t depth = 0, most = 0;
	bool in_str = false;

	if (len < 2 * DEPTH_LIMIT)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = false;
		} else if (p[i] == '"') {
			in_str = true;
		} else if (p[i] == '[' || p[i] == '{') {
			if (++depth > most)
				most = depth;
		} else if (p[i] == ']' || p[i] == '}') {
			depth--;
		}
	}
	return most >= DEPTH_LIMIT;
}

/* The array's elements with their spans; NULL (nothing kept) when any step is not plain. */
static json_t *by_element(const char *p, size_t len, size_t max, struct vigil_text **spans)
{
	json_t *items = json_array();
	struct vigil_text *sp = NULL;
	size_t at = skip_ws(p, len, 0), n = 0, cap = 0;

	if (!items || at >= len || p[at] != '[')
		goto fail;
	at = skip_ws(p, len, at + 1);
	if (at < len && p[at] == ']') {
		at++;
		goto end;
	}
	for (;;) {
		json_error_t e;
		json_t *it;

		if (n == max)
			goto fail; /* the whole parse counts them for the answer */
		it = json_loadb(p + at, len - at, FLAGS | JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY,
				&e);
		if (!it || e.position <= 0 || (size_t)e.position > len - at ||
		    at_depth_limit(p + at, (size_t)e.position)) {
			json_decref(it);
			goto fail;
		}
		if (n == cap) {
			struct vigil_text *g;

			/* room for as many as the first element's size says, at once: each growth
			 * of a large block is a malloc_consolidate */
			cap = cap ? 2 * cap : len / (size_t)e.position + 16;
			if (cap > max)
				cap = max;
			g = realloc(sp, cap * sizeof(*sp));
			if (!g) {
				json_decref(it);
				goto fail;
			}
			sp = g;
		}
		sp[n++] = (struct vigil_text){ .p = p + at, .len = (size_t)e.position };
		if (json_array_append_new(items, it))
			goto fail;
		at = skip_ws(p, len, at + (size_t)e.position);
		if (at < len && p[at] == ',') {
			at = skip_ws(p, len, at + 1);
			continue;
		}
		if (at < len && p[at] == ']') {
			at++;
			break;
		}
		goto fail;
	}
end:
	if (skip_ws(p, len, at) != len)
		goto fail;
	*spans = sp;
	return items;
fail:
	free(sp);
	json_decref(items);
	return NULL;
}

json_t *cockpit_batch_parse(const char *body, size_t len, size_t max, struct vigil_text **spans,
			    json_error_t *err)
{
	const char *p = body ? body : "";
	json_t *items;

	if (spans)
		*spans = NULL;
	/* a raw NUL is never JSON, but jansson reads one differently depending on where its
	 * buffer starts (an element parsed alone took `[2\0,3]` as [2,3] where the whole body
	 * was refused): such a body gets the whole parse's answer */
	items = spans && !memchr(p, '\0', len) ? by_element(p, len, max, spans) : NULL;
	return items ? items : json_loadb(p, len, FLAGS, err);
}
