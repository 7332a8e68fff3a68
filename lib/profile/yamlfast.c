// SPDX-License-Identifier: Apache-2.0
/*
 * The fast way through large profiles (yamltree.h): the block-style YAML that Vigil's own
 * emitter, kubectl and most tools write, parsed in one pass straight into the trees that
 * prof_parse_yaml builds from libyaml's events, positions included. libyaml spends most of a
 * 50 000-entry load in its token queue and per-event copies; this reads each line once.
 *
 * It is strict and gives up (returns PROF_FAST_DECLINE) on anything it does not fully
 * understand: tabs, CR, control or non-UTF-8 bytes, NEL/LS/PS line breaks, a BOM, directives,
 * "...", anchors, aliases, merge keys ("<<"), tags, block scalars, multi-line scalars, nested or multi-line flow
 * collections, escapes other than \\ \" \n \t, a null written as
 * nothing, compact nested sequences ("- - x"), and every error (limits, duplicate keys, bad
 * indentation). libyaml then parses the text and is the one that decides and words errors, so
 * nothing accepted here could have been refused there: tests/fuzz/fuzz_profile_yaml.c runs
 * both on every input and requires the same trees whenever this path accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "profile/yamltree.h"

struct fy {
	const char *s, *end;
	const char *bol; /* start of the current line */
	int line;	 /* 1-based number of the line at bol */
	bool ascii;	 /* no byte >= 0x80: a column is a byte offset */
	bool comments;
	const struct vigil_profile_limits *lim;
	size_t total, max_total;
	/*
	 * The items of the collection being built at each depth gather here and are copied out
	 * once, at its exact size, when it ends: no realloc per doubling, no slack per entry.
	 */
	struct level {
		struct prof_node *v;
		size_t n, cap;
	} * lv;
	size_t nlv;
};

#define DECLINE PROF_FAST_DECLINE

/* libyaml's printable set (\t and \r left to libyaml), valid UTF-8, no BOM, NEL, LS or PS. */
static bool plain_text(const unsigned char *p, const unsigned char *end, bool *ret_ascii)
{
	bool ascii = true;

	while (p < end) {
		unsigned c = *p;
		uint32_t cp;
		int n;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return false;
			p++;
			continue;
		}
		ascii = false;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (end - p <= n)
			return false;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false; /* overlong or out of range */
		if (cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			return false;
		p += n + 1;
	}
	*ret_ascii = ascii;
	return true;
}

/* libyaml's column: characters, not bytes, since the start of the line. */
static struct prof_pos pos_at(const struct fy *f, const char *q)
{
	struct prof_pos pos = { f->line, 1 };

	if (f->ascii) {
		pos.col += (int)(q - f->bol);
		return pos;
	}
	for (const char *c = f->bol; c < q; c++)
		pos.col += ((unsigned char)*c & 0xc0) != 0x80;
	return pos;
}

static bool at_eol(const struct fy *f, const char *q)
{
	return q == f->end || *q == '\n';
}

/* A blank or a line end follows: "- ", "? ", ": " and "#" after a blank are indicators. */
static bool blank_after(const struct fy *f, const char *q)
{
	return q + 1 == f->end || q[1] == ' ' || q[1] == '\n';
}

/* "---" or "..." at the start of a line, followed by a blank or the end. */
static bool marker_at(const struct fy *f, const char *q, char c)
{
	return q == f->bol && f->end - q >= 3 && q[0] == c && q[1] == c && q[2] == c &&
	       (q + 3 == f->end || q[3] == ' ' || q[3] == '\n');
}

/* Moves to the next line (q on the current one). */
static void next_line(struct fy *f, const char *q)
{
	const char *nl = memchr(q, '\n', (size_t)(f->end - q));

	f->bol = nl ? nl + 1 : f->end;
	f->line++;
}

/*
 * From the start of a line, skips blank and comment lines. Returns the indent of the next
 * content line (f->bol is its start), or -1 at the end.
 */
static int next_content(struct fy *f)
{
	for (;;) {
		const char *q = f->bol;

		if (q == f->end)
			return -1;
		while (q < f->end && *q == ' ')
			q++;
		if (q < f->end && *q == '#')
			f->comments = true;
		else if (!at_eol(f, q))
			return (int)(q - f->bol);
		if (q == f->end)
			return -1;
		next_line(f, q);
	}
}

/* After a value: blanks, an optional comment, the line end. Moves to the next line. */
static int end_line(struct fy *f, const char *q)
{
	const char *b = q;

	while (q < f->end && *q == ' ')
		q++;
	if (q < f->end && *q == '#' && q > b)
		f->comments = true;
	else if (!at_eol(f, q))
		return DECLINE;
	next_line(f, q);
	return 0;
}

static int add_item(struct fy *f, struct prof_node *parent, struct prof_node **ret)
{
	if (parent->n >= f->lim->max_entries || ++f->total > f->max_total)
		return DECLINE;
	if (prof_grow((void **)&parent->items, &parent->cap, parent->n, sizeof(*parent->items)))
		return DECLINE;
	*ret = &parent->items[parent->n++];
	memset(*ret, 0, sizeof(**ret));
	return 0;
}

/* A new item of the collection being built at depth. */
static int push_item(struct fy *f, size_t depth, struct prof_node **ret)
{
	struct level *l;

	if (depth >= f->nlv) {
		size_t cap = f->nlv;

		if (prof_grow((void **)&f->lv, &cap, depth, sizeof(*f->lv)))
			return DECLINE;
		f->nlv = cap;
	}
	l = &f->lv[depth];
	if (l->n >= f->lim->max_entries || ++f->total > f->max_total)
		return DECLINE;
	if (prof_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
		return DECLINE;
	*ret = &l->v[l->n++];
	memset(*ret, 0, sizeof(**ret));
	return 0;
}

/* The collection at depth ends: its items move into n. */
static int finish(struct fy *f, struct prof_node *n, size_t depth)
{
	struct level *l = depth < f->nlv ? &f->lv[depth] : NULL;

	if (!l || !l->n)
		return 0;
	n->items = malloc(l->n * sizeof(*n->items));
	if (!n->items)
		return DECLINE;
	memcpy(n->items, l->v, l->n * sizeof(*n->items));
	n->n = n->cap = l->n;
	l->n = 0;
	return 0;
}

enum sctx {
	S_VALUE,
	S_KEY,
	S_FLOW,
	S_FLOW_KEY
};

struct scalar {
	const char *start, *end; /* the text as written (quotes included) */
	bool quoted;
};

/* A single-quoted scalar on one line; *q at the opening quote. */
static int scan_single(const struct fy *f, const char **q, struct scalar *sc)
{
	const char *p = *q + 1;

	for (;; p++) {
		if (at_eol(f, p))
			return DECLINE;
		if (*p != '\'')
			continue;
		if (p + 1 < f->end && p[1] == '\'') {
			p++;
			continue;
		}
		break;
	}
	sc->start = *q;
	sc->end = p + 1;
	sc->quoted = true;
	*q = p + 1;
	return 0;
}

static int scan_double(const struct fy *f, const char **q, struct scalar *sc)
{
	const char *p = *q + 1;

	for (;; p++) {
		if (at_eol(f, p))
			return DECLINE;
		if (*p == '"')
			break;
		if (*p == '\\') {
			if (p + 1 == f->end || !strchr("\\\"nt", p[1]))
				return DECLINE;
			p++;
		}
	}
	sc->start = *q;
	sc->end = p + 1;
	sc->quoted = true;
	*q = p + 1;
	return 0;
}

/*
 * A plain scalar on one line. S_KEY stops at ": " or ":" at the line end and declines when
 * there is none; S_VALUE takes the rest of the line up to a comment; S_FLOW stops at a flow
 * indicator, S_FLOW_KEY too and wants ": " there. Trailing blanks are not part of it.
 */
static int scan_plain(const struct fy *f, const char **q, enum sctx ctx, struct scalar *sc)
{
	const char *p = *q, *last = NULL;
	bool flow = ctx == S_FLOW || ctx == S_FLOW_KEY, key = ctx == S_KEY || ctx == S_FLOW_KEY;

	if (strchr("[]{},#&*!|>%@`'\"", *p) || (strchr("-?:", *p) && blank_after(f, p)))
		return DECLINE;
	/* in a flow, libyaml takes '?' and ':' for indicators whatever follows */
	if (flow && (strchr("?:", *p) || (*p == '-' && strchr(",[]{}", p[1]))))
		return DECLINE;
	for (; !at_eol(f, p); p++) {
		if (*p == ' ') {
			if (p + 1 < f->end && p[1] == '#')
				break;
			continue;
		}
		/* libyaml 0.2: in a flow, ':' ends a plain scalar before a blank or an indicator */
		if (*p == ':' &&
		    (blank_after(f, p) || (flow && p + 1 < f->end && strchr(",?[]{}", p[1]))))
			break;
		if (flow && (*p == ',' || *p == '[' || *p == ']' || *p == '{' || *p == '}'))
			break;
		last = p;
	}
	if (!last)
		return DECLINE;
	if (key ? at_eol(f, p) || *p != ':' || !blank_after(f, p) : !at_eol(f, p) && *p == ':')
		return DECLINE;
	if (flow && (at_eol(f, p) || *p == ' '))
		return DECLINE; /* a comment or a line end inside a flow collection */
	sc->start = *q;
	sc->end = last + 1;
	sc->quoted = false;
	*q = key ? p : last + 1;
	return 0;
}

static int scan_scalar(const struct fy *f, const char **q, enum sctx ctx, struct scalar *sc)
{
	int r;

	if (**q == '\'')
		r = scan_single(f, q, sc);
	else if (**q == '"')
		r = scan_double(f, q, sc);
	else
		return scan_plain(f, q, ctx, sc);
	if (r)
		return r;
	if ((ctx == S_KEY || ctx == S_FLOW_KEY) &&
	    !(*q < f->end && **q == ':' && blank_after(f, *q)))
		return DECLINE;
	return 0;
}

/* The scalar's value, NUL-terminated and malloc'ed (the tree owns it). */
static char *scalar_text(const struct scalar *sc, size_t *ret_len)
{
	const char *p = sc->start, *e = sc->end;
	char *out, *o;

	if (!sc->quoted) {
		size_t n = (size_t)(e - p);

		out = malloc(n + 1);
		if (out) {
			memcpy(out, p, n);
			out[n] = '\0';
			*ret_len = n;
		}
		return out;
	}
	out = malloc((size_t)(e - p));
	if (!out)
		return NULL;
	o = out;
	for (p++, e--; p < e; p++) {
		if (*sc->start == '\'' && *p == '\'')
			p++; /* '' is one quote */
		else if (*sc->start == '"' && *p == '\\') {
			p++;
			*o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	*ret_len = (size_t)(o - out);
	return out;
}

static int set_scalar(struct fy *f, struct prof_node *n, const struct scalar *sc)
{
	n->type = PROF_NODE_SCALAR;
	n->pos = pos_at(f, sc->start);
	n->value = scalar_text(sc, &n->len);
	if (!n->value || n->len > f->lim->max_string)
		return DECLINE;
	n->quoted = sc->quoted;
	n->stype = sc->quoted ? PROF_SCALAR_STR : prof_resolve_plain(n->value, n->len);
	return 0;
}

/* "[a, 'b', c]" or "[]" on one line; *q at '['. */
static int flow_seq(struct fy *f, struct prof_node *n, const char **q, size_t depth)
{
	const char *p = *q + 1;
	size_t items = 0;

	if (depth > f->lim->max_depth)
		return DECLINE;
	n->type = PROF_NODE_SEQ;
	n->pos = pos_at(f, *q);
	for (;;) {
		struct prof_node *it;
		struct scalar sc;
		int r;

		while (p < f->end && *p == ' ')
			p++;
		if (p < f->end && *p == ']' && !items)
			break;
		if (p == f->end || (r = scan_scalar(f, &p, S_FLOW, &sc)) ||
		    (r = push_item(f, depth, &it)) || (r = set_scalar(f, it, &sc)))
			return DECLINE;
		items++;
		while (p < f->end && *p == ' ')
			p++;
		if (p < f->end && *p == ']')
			break;
		if (p == f->end || *p != ',')
			return DECLINE;
		p++;
	}
	*q = p + 1;
	return finish(f, n, depth);
}

/* "{a: b, 'c': d}" or "{}" on one line; *q at '{'. */
static int flow_map(struct fy *f, struct prof_node *n, const char **q, size_t depth)
{
	const char *p = *q + 1;
	size_t a, b, items = 0;

	if (depth > f->lim->max_depth)
		return DECLINE;
	n->type = PROF_NODE_MAP;
	n->pos = pos_at(f, *q);
	for (;;) {
		struct prof_node *it;
		struct scalar sc;
		size_t klen;

		while (p < f->end && *p == ' ')
			p++;
		if (p < f->end && *p == '}' && !items)
			break;
		if (p == f->end || scan_scalar(f, &p, S_FLOW_KEY, &sc) ||
		    sc.end - sc.start > 1000 || push_item(f, depth, &it))
			return DECLINE;
		items++;
		it->key_pos = pos_at(f, sc.start);
		it->key = scalar_text(&sc, &klen);
		/* "<<" may be YAML's merge key: libyaml's path applies it */
		if (!it->key || klen > f->lim->max_string || !strcmp(it->key, "<<"))
			return DECLINE;
		for (p++; p < f->end && *p == ' ';)
			p++;
		if (p == f->end || scan_scalar(f, &p, S_FLOW, &sc) || set_scalar(f, it, &sc))
			return DECLINE;
		while (p < f->end && *p == ' ')
			p++;
		if (p < f->end && *p == '}')
			break;
		if (p == f->end || *p != ',')
			return DECLINE;
		p++;
	}
	*q = p + 1;
	if (finish(f, n, depth))
		return DECLINE;
	return prof_map_find_duplicate(n, &a, &b) ? DECLINE : 0;
}

/* A scalar, "[...]" or "{...}" after "key: " or "- "; then the end of the line. */
static int inline_value(struct fy *f, struct prof_node *n, const char *q, size_t depth)
{
	struct scalar sc;
	int r;

	if (*q == '[') {
		r = flow_seq(f, n, &q, depth);
	} else if (*q == '{') {
		r = flow_map(f, n, &q, depth);
	} else {
		r = scan_scalar(f, &q, S_VALUE, &sc);
		if (!r)
			r = set_scalar(f, n, &sc);
	}
	return r ? r : end_line(f, q);
}

static int block_node(struct fy *f, struct prof_node *n, int ind, size_t depth);
static int block_map(struct fy *f, struct prof_node *n, const char *first, size_t depth);

/* A "-" of a block sequence at q: followed by a blank or the line end. */
static bool seq_entry(const struct fy *f, const char *q)
{
	return *q == '-' && blank_after(f, q);
}

/* Whether q starts "key:" (a key, then ": " or ":" at the line end) on this line. */
static bool is_key(const struct fy *f, const char *q)
{
	struct scalar sc;

	return !scan_scalar(f, &q, S_KEY, &sc);
}

/*
 * The value of a map entry or a sequence item whose indicator ends the line: a block node
 * indented deeper than ind, or (map values only) a sequence at the same indent.
 */
static int value_below(struct fy *f, struct prof_node *n, int ind, bool map_value, size_t depth)
{
	int k = next_content(f);

	if (k > ind)
		return block_node(f, n, k, depth);
	if (map_value && k == ind && seq_entry(f, f->bol + k))
		return block_node(f, n, k, depth);
	return DECLINE; /* a null written as nothing: libyaml places it */
}

/* The value after "key:" or "- " at q (blanks skipped): inline or on the following lines. */
static int value_at(struct fy *f, struct prof_node *n, const char *q, int ind, bool map_value,
		    size_t depth)
{
	const char *b = q;

	while (q < f->end && *q == ' ')
		q++;
	if (q < f->end && *q == '#' && q > b) {
		f->comments = true;
		next_line(f, q);
		return value_below(f, n, ind, map_value, depth);
	}
	if (at_eol(f, q)) {
		next_line(f, q);
		return value_below(f, n, ind, map_value, depth);
	}
	if (q == b)
		return DECLINE;
	return inline_value(f, n, q, depth);
}

static int block_seq(struct fy *f, struct prof_node *n, int ind, size_t depth)
{
	n->type = PROF_NODE_SEQ;
	n->pos = pos_at(f, f->bol + ind);
	for (;;) {
		const char *q = f->bol + ind + 1, *c = q;
		struct prof_node *it;
		int r, k;

		if ((r = push_item(f, depth, &it)))
			return r;
		while (c < f->end && *c == ' ')
			c++;
		if (c > q && !at_eol(f, c) && *c != '#' && !seq_entry(f, c) && is_key(f, c))
			r = block_map(f, it, c, depth + 1);
		else if (c > q && !at_eol(f, c) && seq_entry(f, c))
			r = DECLINE; /* "- - x" */
		else
			r = value_at(f, it, q, ind, false, depth + 1);
		if (r)
			return r;
		k = next_content(f);
		if (k > ind)
			return DECLINE;
		if (k < ind || !seq_entry(f, f->bol + k))
			return finish(f, n, depth);
	}
}

/* A block mapping whose first key is at first (its column is the mapping's indent). */
static int block_map(struct fy *f, struct prof_node *n, const char *first, size_t depth)
{
	int ind = (int)(first - f->bol);
	const char *q = first;

	if (depth > f->lim->max_depth)
		return DECLINE;
	n->type = PROF_NODE_MAP;
	n->pos = pos_at(f, first);
	for (;;) {
		struct prof_node *it;
		struct scalar sc;
		int r, k;

		size_t klen;

		/* libyaml drops a simple key longer than 1024 characters: keep well below */
		if ((r = scan_scalar(f, &q, S_KEY, &sc)) || sc.end - sc.start > 1000 ||
		    (r = push_item(f, depth, &it)))
			return DECLINE;
		it->key_pos = pos_at(f, sc.start);
		it->key = scalar_text(&sc, &klen);
		/* "<<" may be YAML's merge key: libyaml's path applies it */
		if (!it->key || klen > f->lim->max_string || !strcmp(it->key, "<<"))
			return DECLINE;
		if ((r = value_at(f, it, q + 1, ind, true, depth + 1)))
			return r;
		k = next_content(f);
		if (k < ind)
			break;
		q = f->bol + k;
		if (k > ind || seq_entry(f, q))
			return DECLINE;
		if (marker_at(f, q, '-') || marker_at(f, q, '.'))
			break;
	}
	if (finish(f, n, depth))
		return DECLINE;
	{
		size_t a, b;

		return prof_map_find_duplicate(n, &a, &b) ? DECLINE : 0;
	}
}

/* A collection starting at column ind of the current line. */
static int block_node(struct fy *f, struct prof_node *n, int ind, size_t depth)
{
	const char *q = f->bol + ind;

	if (depth > f->lim->max_depth)
		return DECLINE;
	if (seq_entry(f, q))
		return block_seq(f, n, ind, depth);
	if (marker_at(f, q, '-') || marker_at(f, q, '.') || !is_key(f, q))
		return DECLINE;
	return block_map(f, n, q, depth);
}

static int document(struct fy *f, struct prof_node **docs, size_t *ndocs, size_t *cap)
{
	struct prof_node *d, *root;
	int k;

	if (*ndocs >= f->lim->max_documents ||
	    prof_grow((void **)docs, cap, *ndocs, sizeof(**docs)))
		return DECLINE;
	d = &(*docs)[(*ndocs)++];
	memset(d, 0, sizeof(*d));
	d->type = PROF_NODE_SEQ;
	if (marker_at(f, f->bol, '-')) {
		d->pos = pos_at(f, f->bol);
		if (end_line(f, f->bol + 3))
			return DECLINE;
		k = next_content(f);
		if (k < 0 || marker_at(f, f->bol, '-'))
			return DECLINE; /* an empty document */
	} else {
		if (*ndocs > 1)
			return DECLINE;
		k = next_content(f);
		d->pos = pos_at(f, f->bol + k);
	}
	if (marker_at(f, f->bol, '.') || f->bol[k] == '%')
		return DECLINE;
	if (add_item(f, d, &root) || block_node(f, root, k, 1))
		return DECLINE;
	k = next_content(f);
	if (k >= 0 && !marker_at(f, f->bol, '-'))
		return DECLINE;
	return 0;
}

int prof_parse_yaml_fast(const char *data, size_t len, const struct vigil_profile_limits *lim,
			 struct prof_node **ret_docs, size_t *ret_ndocs, bool *ret_comments)
{
	struct fy f = { .s = data, .end = data + len, .bol = data, .line = 1, .lim = lim };
	struct prof_node *docs = NULL;
	size_t ndocs = 0, cap = 0;
	int r = 0;

	f.max_total = lim->max_entries * 4 > lim->max_entries ? lim->max_entries * 4 : SIZE_MAX;
	if (len > lim->max_file_bytes ||
	    !plain_text((const unsigned char *)data, (const unsigned char *)data + len, &f.ascii))
		return PROF_FAST_DECLINE;
	while (!r && next_content(&f) >= 0)
		r = document(&f, &docs, &ndocs, &cap);
	if (!r && !ndocs)
		r = PROF_FAST_DECLINE;
	for (size_t i = 0; i < f.nlv; i++) {
		for (size_t k = 0; k < f.lv[i].n; k++) /* what a decline left unfinished */
			prof_node_release(&f.lv[i].v[k]);
		free(f.lv[i].v);
	}
	free(f.lv);
	if (r) {
		for (size_t i = 0; i < ndocs; i++)
			prof_node_release(&docs[i]);
		free(docs);
		return PROF_FAST_DECLINE;
	}
	*ret_docs = docs;
	*ret_ndocs = ndocs;
	*ret_comments = f.comments;
	return 0;
}
