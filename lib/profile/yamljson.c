// SPDX-License-Identifier: Apache-2.0
/*
 * JSON as kubectl reads it, where libyaml alone refuses it (yamltree.h, prof_parse_json_stream):
 *
 * - a stream of JSON values, one after the other (what `jq '.items[]'` prints, or several
 *   `kubectl get -o json` outputs in one file): kubectl's decoder takes each value as an object;
 *   to libyaml the second value is a syntax error.
 * - a character beyond the BMP escaped as a UTF-16 surrogate pair (`\ud83d\udce6`, what
 *   Python's json.dump writes by default), and a lone surrogate (Go's decoder makes it U+FFFD):
 *   libyaml refuses both escapes.
 *
 * Only text that is JSON throughout (jansson checks each value) is handled here: each value is
 * parsed on its own by libyaml, a surrogate pair rewritten as the character it encodes,
 * and the positions in trees and errors mapped back to the file's lines and columns.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "profile/yamltree.h"

/* A column shift after a rewritten pair: on line (1-based, of the piece), after column col. */
struct colfix {
	int line, col, shift;
};

struct piece {
	size_t start, end; /* bytes of the file */
	int line0, col0;   /* lines before the start, characters before it on its line */
	char *text;	   /* the rewritten value, or NULL when nothing was rewritten */
	size_t len;
	struct colfix *fix;
	size_t nfix, capfix;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* End of the JSON value (object or array) starting at data[i], or 0 if unbalanced. */
static size_t value_end(const char *data, size_t len, size_t i)
{
	size_t depth = 0;
	bool str = false;

	for (; i < len; i++) {
		char c = data[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return i + 1;
	}
	return 0;
}

static int hexval(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int surrogate_at(const char *s, const char *end, int lo, int hi)
{
	int v;

	if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || (v = hexval(s + 2)) < 0)
		return -1;
	return v >= lo && v <= hi ? v : -1;
}

/*
 * Rewrites the surrogate escapes inside the strings of p's value: a pair becomes the character
 * it encodes (11 characters shorter: a column fix), a lone surrogate \uFFFD (as Go's decoder
 * reads it).
 */
static int rewrite_surrogates(const char *data, struct piece *p)
{
	const char *s = data + p->start, *end = data + p->end;
	char *o = malloc(p->end - p->start + 1);
	int line = 1, col = 1;
	bool str = false;

	if (!o)
		return -ENOMEM;
	p->text = o;
	while (s < end) {
		int hi, lo;

		if (str && (hi = surrogate_at(s, end, 0xD800, 0xDBFF)) >= 0 &&
		    (lo = surrogate_at(s + 6, end, 0xDC00, 0xDFFF)) >= 0) {
			unsigned cp = 0x10000u + (((unsigned)hi - 0xD800u) << 10) +
				      ((unsigned)lo - 0xDC00u);

			/* the character itself (valid JSON and YAML): 4 bytes where 12 were */
			*o++ = (char)(0xF0 | (cp >> 18));
			*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
			col += 1;
			s += 12;
			if (prof_grow((void **)&p->fix, &p->capfix, p->nfix, sizeof(*p->fix)))
				return -ENOMEM;
			p->fix[p->nfix++] = (struct colfix){ line, col - 1, 11 };
			continue;
		}
		if (str && surrogate_at(s, end, 0xD800, 0xDFFF) >= 0) {
			memcpy(o, "\\uFFFD", 6);
			o += 6;
			col += 6;
			s += 6;
			continue;
		}
		if (str && *s == '\\' && s + 1 < end) {
			*o++ = *s++;
			col++;
		} else if (*s == '"') {
			str = !str;
		}
		if (*s == '\n') {
			line++;
			col = 0;
		}
		if (((unsigned char)*s & 0xC0) != 0x80)
			col++;
		*o++ = *s++;
	}
	p->len = (size_t)(o - p->text);
	return 0;
}

static void map_pos(const struct piece *p, struct prof_pos *pos)
{
	int shift = 0;

	if (pos->line <= 0)
		return;
	for (size_t i = 0; i < p->nfix; i++)
		if (p->fix[i].line == pos->line && p->fix[i].col < pos->col)
			shift += p->fix[i].shift;
	pos->col += shift + (pos->line == 1 ? p->col0 : 0);
	pos->line += p->line0;
}

static void map_tree(const struct piece *p, struct prof_node *n)
{
	map_pos(p, &n->pos);
	if (n->key)
		map_pos(p, &n->key_pos);
	for (size_t i = 0; i < n->n; i++)
		map_tree(p, &n->items[i]);
}

/* The values of the file, or 1 when it is not a stream of JSON objects and arrays. */
static int split(const char *data, size_t len, struct piece **ret, size_t *ret_n)
{
	struct piece *v = NULL;
	size_t n = 0, cap = 0, i = 0;
	int line = 0, col = 0;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3; /* libyaml does not count the BOM as a column */
	for (;;) {
		size_t e;

		for (; i < len && is_ws(data[i]); i++) {
			col++;
			if (data[i] == '\n') {
				line++;
				col = 0;
			}
		}
		if (i == len)
			break;
		if ((data[i] != '{' && data[i] != '[') || !(e = value_end(data, len, i))) {
			free(v);
			return 1;
		}
		if (prof_grow((void **)&v, &cap, n, sizeof(*v))) {
			free(v);
			return -ENOMEM;
		}
		v[n++] = (struct piece){ .start = i, .end = e, .line0 = line, .col0 = col };
		for (; i < e; i++) {
			if (data[i] == '\n') {
				line++;
				col = 0;
			} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
				col++;
			}
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool has_surrogate_escape(const char *s, size_t len)
{
	for (const char *p = s; (p = memchr(p, '\\', len - (size_t)(p - s))) && p + 3 < s + len;
	     p++)
		if (p[1] == 'u' && (p[2] == 'd' || p[2] == 'D') && p[3] &&
		    strchr("89abcdefABCDEF", p[3]))
			return true;
	return false;
}

/* Whether every value is JSON (jansson's strict reader), surrogates rewritten. */
static bool all_json(const char *data, const struct piece *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_error_t jerr;
		json_t *j = v[i].text ? json_loadb(v[i].text, v[i].len, JSON_ALLOW_NUL, &jerr)
				      : json_loadb(data + v[i].start, v[i].end - v[i].start,
						   JSON_ALLOW_NUL, &jerr);

		if (!j)
			return false;
		json_decref(j);
	}
	return true;
}

static void free_pieces(struct piece *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].fix);
	}
	free(v);
}

/* Parses each value as a document of its own into the trees of the whole file. */
static int parse_pieces(const char *data, struct piece *v, size_t n, const char *name,
			const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
			size_t *ret_ndocs, struct vigil_error *err)
{
	struct prof_node *docs = NULL;
	size_t ndocs = 0, cap = 0, values = 0;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		struct piece *p = &v[i];
		struct prof_node *d = NULL;
		size_t nd = 0;
		bool comments;

		r = prof_parse_yaml_counted(p->text ? p->text : data + p->start,
					    p->text ? p->len : p->end - p->start, name, lim,
					    &values, &d, &nd, &comments, err);
		if (r) {
			struct prof_pos at = { err ? err->line : 0, err ? err->column : 0 };

			map_pos(p, &at);
			if (err && err->line > 0) {
				err->line = at.line;
				err->column = at.col;
			}
			break;
		}
		for (size_t k = 0; k < nd; k++)
			map_tree(p, &d[k]);
		if (ndocs + nd > lim->max_documents) {
			r = vigil_error__set(err, -E2BIG, name, d[0].pos.line, d[0].pos.col,
					     "too many documents (limit %zu)", lim->max_documents);
		} else if (prof_grow((void **)&docs, &cap, ndocs + nd, sizeof(*docs))) {
			r = vigil_error__set(err, -ENOMEM, name, 0, 0, "out of memory");
		} else {
			memcpy(docs + ndocs, d, nd * sizeof(*d));
			ndocs += nd;
			nd = 0;
		}
		for (size_t k = 0; k < nd; k++)
			prof_node_release(&d[k]);
		free(d);
	}
	if (r) {
		for (size_t k = 0; k < ndocs; k++)
			prof_node_release(&docs[k]);
		free(docs);
		return r;
	}
	*ret_docs = docs;
	*ret_ndocs = ndocs;
	return 0;
}

int prof_parse_json_stream(const char *data, size_t len, const char *name,
			   const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
			   size_t *ret_ndocs, struct vigil_error *err)
{
	struct piece *v = NULL;
	size_t n = 0;
	int r;

	if (len > lim->max_file_bytes)
		return PROF_NOT_JSON_STREAM; /* the YAML path words the error */
	r = split(data, len, &v, &n);
	if (r)
		return r < 0 ? vigil_error__set(err, r, name, 0, 0, "out of memory")
			     : PROF_NOT_JSON_STREAM;
	if (n < 2 && !has_surrogate_escape(data, len)) {
		free(v);
		return PROF_NOT_JSON_STREAM;
	}
	for (size_t i = 0; i < n && !r; i++)
		if (has_surrogate_escape(data + v[i].start, v[i].end - v[i].start))
			r = rewrite_surrogates(data, &v[i]);
	if (r || !all_json(data, v, n)) {
		free_pieces(v, n);
		return r ? vigil_error__set(err, r, name, 0, 0, "out of memory")
			 : PROF_NOT_JSON_STREAM;
	}
	r = parse_pieces(data, v, n, name, lim, ret_docs, ret_ndocs, err);
	free_pieces(v, n);
	return r;
}
