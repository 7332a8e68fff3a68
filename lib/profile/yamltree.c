// SPDX-License-Identifier: Apache-2.0
/*
 * YAML text -> generic trees (struct prof_node), one per document, with every bound of
 * struct vigil_profile_limits enforced while parsing. libyaml's event API is used (not its
 * document API) so aliases can be refused before anything is expanded (billion laughs), depth
 * is bounded before libyaml's stacks grow, and duplicate keys are found with positions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "profile/yamlalias.h"
#include "profile/yamltree.h"

#define DEFAULT_MAX_FILE   (64u << 20)
#define DEFAULT_MAX_DEPTH  512
#define DEFAULT_MAX_ENTRY  1000000
#define DEFAULT_MAX_STRING (256u << 10)
#define DEFAULT_MAX_DOCS   1024

void prof_limits_resolve(const struct vigil_profile_limits *in, struct vigil_profile_limits *out)
{
	struct vigil_profile_limits l = { 0 };

	if (in)
		l = *in;
	out->max_file_bytes = l.max_file_bytes ? l.max_file_bytes : DEFAULT_MAX_FILE;
	out->max_depth = l.max_depth ? l.max_depth : DEFAULT_MAX_DEPTH;
	out->max_entries = l.max_entries ? l.max_entries : DEFAULT_MAX_ENTRY;
	out->max_string = l.max_string ? l.max_string : DEFAULT_MAX_STRING;
	out->max_documents = l.max_documents ? l.max_documents : DEFAULT_MAX_DOCS;
}

struct tree_ctx {
	const char *name;
	const struct vigil_profile_limits *lim;
	struct vigil_error *err;
	size_t total_nodes;
	size_t max_total;
};

static int fail(struct tree_ctx *c, int code, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(struct tree_ctx *c, int code, int line, int col, const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vigil_error__set(c->err, code, c->name, line, col, "%s", msg);
}

static struct prof_pos mark_pos(const yaml_mark_t *m)
{
	struct prof_pos p = { (int)m->line + 1, (int)m->column + 1 };

	return p;
}

static bool all_of(const char *s, size_t len, const char *set, size_t from)
{
	if (from >= len)
		return false;
	for (size_t i = from; i < len; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

enum prof_scalar_type prof_resolve_plain(const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = {
		"true", "True", "TRUE", "false", "False", "FALSE", NULL
	};
	static const char *const specials[] = { ".inf",	 ".Inf", ".INF", "-.inf", "-.Inf", "-.INF",
						"+.inf", ".nan", ".NaN", ".NAN",  NULL };
	size_t i = 0;
	bool digits = false, dot = false;

	/* most scalars are paths and names: nothing but these first bytes can start a non-string */
	if (len && !strchr("0123456789+-.~nNtTfF", s[0]))
		return PROF_SCALAR_STR;
	for (size_t k = 0; nulls[k]; k++)
		if (strlen(nulls[k]) == len && !memcmp(s, nulls[k], len))
			return PROF_SCALAR_NULL;
	for (size_t k = 0; bools[k]; k++)
		if (strlen(bools[k]) == len && !memcmp(s, bools[k], len))
			return PROF_SCALAR_BOOL;
	for (size_t k = 0; specials[k]; k++)
		if (strlen(specials[k]) == len && !memcmp(s, specials[k], len))
			return PROF_SCALAR_FLOAT;
	if (len > 2 && s[0] == '0' && s[1] == 'x' && all_of(s, len, "0123456789abcdefABCDEF", 2))
		return PROF_SCALAR_INT;
	if (len > 2 && s[0] == '0' && s[1] == 'o' && all_of(s, len, "01234567", 2))
		return PROF_SCALAR_INT;
	if (len && (s[0] == '-' || s[0] == '+'))
		i = 1;
	if (all_of(s, len, "0123456789", i))
		return PROF_SCALAR_INT;
	/* [-+]? ( . [0-9]+ | [0-9]+ ( . [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits = true;
	if (i < len && s[i] == '.') {
		dot = true;
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits = true;
	}
	if (!digits)
		return PROF_SCALAR_STR;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		if (!all_of(s, len, "0123456789", i))
			return PROF_SCALAR_STR;
		return PROF_SCALAR_FLOAT;
	}
	return i == len && dot ? PROF_SCALAR_FLOAT : PROF_SCALAR_STR;
}

static int cmp_key_idx(const void *a, const void *b, void *arg)
{
	const struct prof_node *items = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(items[x].key, items[y].key);

	return r ? r : (x < y ? -1 : x > y);
}

bool prof_map_find_duplicate(const struct prof_node *m, size_t *ret_first, size_t *ret_dup)
{
	size_t dup = SIZE_MAX, first = 0;

	if (m->n < 2)
		return false;
	if (m->n <= 16) {
		for (size_t j = 1; j < m->n && dup == SIZE_MAX; j++)
			for (size_t i = 0; i < j; i++)
				if (!strcmp(m->items[i].key, m->items[j].key)) {
					first = i;
					dup = j;
					break;
				}
	} else {
		size_t *idx = malloc(m->n * sizeof(*idx));

		if (!idx)
			return true; /* the caller cannot tell: it says out of memory */
		for (size_t i = 0; i < m->n; i++)
			idx[i] = i;
		qsort_r(idx, m->n, sizeof(*idx), cmp_key_idx, m->items);
		for (size_t i = 1; i < m->n; i++) {
			const struct prof_node *a = &m->items[idx[i - 1]], *b = &m->items[idx[i]];

			if (strcmp(a->key, b->key))
				continue;
			/* report the earliest second occurrence in the file */
			if (idx[i] < dup) {
				size_t f = i - 1;

				while (f > 0 && !strcmp(m->items[idx[f - 1]].key, b->key))
					f--;
				first = idx[f];
				dup = idx[i];
			}
		}
		free(idx);
	}
	if (dup == SIZE_MAX)
		return false;
	*ret_first = first;
	*ret_dup = dup;
	return true;
}

/* Duplicate keys in a finished mapping. */
static int check_duplicates(struct tree_ctx *c, const struct prof_node *m)
{
	size_t first = SIZE_MAX, dup = SIZE_MAX;

	if (!prof_map_find_duplicate(m, &first, &dup))
		return 0;
	if (dup == SIZE_MAX)
		return fail(c, -ENOMEM, 0, 0, "out of memory");
	return fail(c, -EINVAL, m->items[dup].key_pos.line, m->items[dup].key_pos.col,
		    "duplicate key \"%s\" (first at line %d)", m->items[dup].key,
		    m->items[first].key_pos.line);
}

struct frame {
	struct prof_node *node;
	bool want_key; /* mappings: the next scalar is a key */
	char *pending_key;
	struct prof_pos pending_pos;
	bool pending_merge; /* the pending key is a plain "<<" */
	char *anchor;	    /* the collection's anchor, copied when it ends */
};

static int add_child(struct tree_ctx *c, struct frame *f, struct prof_node **ret,
		     const yaml_mark_t *mark)
{
	struct prof_node *parent = f->node;

	if (parent->n >= c->lim->max_entries) {
		/* point at the key of a mapping entry, at the item of a list */
		struct prof_pos at = { (int)mark->line + 1, (int)mark->column + 1 };

		if (parent->type == PROF_NODE_MAP)
			at = f->pending_pos;
		return fail(c, -E2BIG, at.line, at.col,
			    "too many entries in one list or mapping (limit %zu)",
			    c->lim->max_entries);
	}
	if (++c->total_nodes > c->max_total)
		return fail(c, -E2BIG, (int)mark->line + 1, (int)mark->column + 1,
			    "too many values in the file (limit %zu)", c->max_total);
	if (prof_grow((void **)&parent->items, &parent->cap, parent->n, sizeof(*parent->items)))
		return fail(c, -ENOMEM, 0, 0, "out of memory");
	*ret = &parent->items[parent->n++];
	memset(*ret, 0, sizeof(**ret));
	if (parent->type == PROF_NODE_MAP) {
		(*ret)->key = f->pending_key;
		(*ret)->key_pos = f->pending_pos;
		(*ret)->merge = f->pending_merge;
		f->pending_key = NULL;
		f->pending_merge = false;
		f->want_key = true;
	}
	return 0;
}

static const char *event_name(yaml_event_type_t t)
{
	switch (t) {
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "this";
	}
}

/* The trees being built from libyaml's events. */
struct tree_build {
	struct tree_ctx c;
	const char *data;
	size_t len;
	struct frame *stack;
	size_t depth;
	struct prof_node *docs;
	size_t ndocs, docs_cap;
	/* comments: a '#' after a blank or at a line start, between events (outside scalars) */
	bool may_comment, comments;
	size_t scanned; /* bytes of data looked at */
	size_t cursor,
		cursor_at; /* byte offset of character cursor_at (libyaml counts characters) */
	struct prof_anchors *anchors;
	size_t alias_values; /* values aliases added to the trees so far */
	size_t copied;	     /* values anchors and aliases copied so far (the budget) */
};

static int syntax_error(struct tree_build *b, const yaml_parser_t *parser)
{
	const char *ctx = parser->context ? parser->context : "";

	if (*ctx && parser->context_mark.line != parser->problem_mark.line)
		return fail(&b->c, -EINVAL, (int)parser->problem_mark.line + 1,
			    (int)parser->problem_mark.column + 1,
			    "YAML syntax error: %s %s (started at line %d)",
			    parser->problem ? parser->problem : "unknown problem", ctx,
			    (int)parser->context_mark.line + 1);
	return fail(&b->c, -EINVAL, (int)parser->problem_mark.line + 1,
		    (int)parser->problem_mark.column + 1, "YAML syntax error: %s%s%s",
		    parser->problem ? parser->problem : "unknown problem", *ctx ? " " : "", ctx);
}

/*
 * The byte offset of libyaml's mark index k: marks count characters, the text is UTF-8 (a
 * 3-byte character before a comment put the comment outside the bytes looked at). Walked
 * forward only, as events come in text order; an index behind the walk stays where it is.
 */
static size_t byte_offset(struct tree_build *b, size_t k)
{
	const unsigned char *d = (const unsigned char *)b->data;

	while (b->cursor_at < k && b->cursor < b->len) {
		b->cursor++;
		while (b->cursor < b->len && (d[b->cursor] & 0xC0) == 0x80)
			b->cursor++;
		b->cursor_at++;
	}
	return b->cursor;
}

/* Looks for a comment in the text between the previous event and this one. */
static void scan_comments(struct tree_build *b, const yaml_event_t *ev)
{
	const char *data = b->data;
	size_t start, end;

	if (!b->may_comment || b->comments)
		return;
	start = ev->type == YAML_STREAM_END_EVENT ? b->len : byte_offset(b, ev->start_mark.index);
	for (size_t i = b->scanned; i < start && !b->comments; i++)
		b->comments = data[i] == '#' && (i == 0 || data[i - 1] == ' ' ||
						 data[i - 1] == '\t' || data[i - 1] == '\n');
	end = ev->type == YAML_SCALAR_EVENT ? byte_offset(b, ev->end_mark.index) : start;
	if (end > b->scanned)
		b->scanned = end;
}

static int document_start(struct tree_build *b, struct prof_pos pos)
{
	if (b->ndocs >= b->c.lim->max_documents)
		return fail(&b->c, -E2BIG, pos.line, pos.col, "too many documents (limit %zu)",
			    b->c.lim->max_documents);
	if (prof_grow((void **)&b->docs, &b->docs_cap, b->ndocs, sizeof(*b->docs)))
		return fail(&b->c, -ENOMEM, 0, 0, "out of memory");
	memset(&b->docs[b->ndocs], 0, sizeof(b->docs[b->ndocs]));
	/* a placeholder holder node: its one child is the root */
	b->docs[b->ndocs].type = PROF_NODE_SEQ;
	b->docs[b->ndocs].pos = pos;
	b->ndocs++;
	b->stack[0] = (struct frame){ .node = &b->docs[b->ndocs - 1] };
	b->depth = 1;
	prof_anchors_clear(b->anchors);
	return 0;
}

static int remember(struct tree_build *b, const char *name, const struct prof_node *n);

static int scalar(struct tree_build *b, struct frame *top, yaml_event_t *ev, struct prof_pos pos)
{
	size_t slen = ev->data.scalar.length;
	const char *sval = (const char *)ev->data.scalar.value;
	struct prof_node *n = NULL;
	int r;

	if (!top)
		return fail(&b->c, -EINVAL, pos.line, pos.col, "unexpected scalar");
	if (slen > b->c.lim->max_string)
		return fail(&b->c, -E2BIG, pos.line, pos.col,
			    "string of %zu bytes is longer than the limit of %zu", slen,
			    b->c.lim->max_string);
	if (memchr(sval, 0, slen))
		return fail(&b->c, -EINVAL, pos.line, pos.col,
			    "strings must not contain NUL characters");
	if (top->node->type == PROF_NODE_MAP && top->want_key) {
		top->pending_key = (char *)ev->data.scalar.value; /* taken, as below */
		ev->data.scalar.value = NULL;
		top->pending_pos = pos;
		top->pending_merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				     !ev->data.scalar.tag && !strcmp(top->pending_key, "<<");
		top->want_key = false;
		return 0;
	}
	if ((r = add_child(&b->c, top, &n, &ev->start_mark)))
		return r;
	n->type = PROF_NODE_SCALAR;
	n->pos = pos;
	n->len = slen;
	/*
	 * Take libyaml's NUL-terminated, malloc'ed copy instead of making another
	 * (yaml_event_delete then frees NULL): a quarter of the loader's time.
	 */
	n->value = (char *)ev->data.scalar.value;
	ev->data.scalar.value = NULL;
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (ev->data.scalar.tag && !strcmp((const char *)ev->data.scalar.tag, YAML_STR_TAG))
		n->quoted = true;
	n->stype = n->quoted ? PROF_SCALAR_STR : prof_resolve_plain(sval, slen);
	if (ev->data.scalar.anchor)
		return remember(b, (const char *)ev->data.scalar.anchor, n);
	return 0;
}

/* What aliases and anchors may still copy (yamlalias.h). */
static size_t copy_budget(const struct tree_build *b)
{
	size_t written = b->c.total_nodes - b->alias_values;
	size_t budget = written > PROF_ALIAS_BUDGET ? written : PROF_ALIAS_BUDGET;

	return budget > b->copied ? budget - b->copied : 0;
}

static int copy_refused(struct tree_build *b, struct prof_pos pos)
{
	size_t written = b->c.total_nodes - b->alias_values;

	return fail(&b->c, -E2BIG, pos.line, pos.col,
		    "anchors and aliases copy more than %zu values (they are bounded)",
		    written > PROF_ALIAS_BUDGET ? written : PROF_ALIAS_BUDGET);
}

/* &name on a finished node: a copy for the aliases to come. */
static int remember(struct tree_build *b, const char *name, const struct prof_node *n)
{
	size_t values = 0;
	int r = prof_anchors_set(b->anchors, name, n, copy_budget(b), &values);

	if (r == -E2BIG)
		return copy_refused(b, n->pos);
	if (r)
		return fail(&b->c, -ENOMEM, 0, 0, "out of memory");
	b->copied += values;
	return 0;
}

/*
 * *name: a copy of the anchored node, as kubectl reads it. Copies are bounded (billion
 * laughs, copy_budget).
 */
static int alias(struct tree_build *b, struct frame *top, const yaml_event_t *ev,
		 struct prof_pos pos)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct prof_node *src;
	struct prof_node *n = NULL, *copy;
	size_t values = 0, height = 0;
	char *key;
	struct prof_pos key_pos;
	bool merge;
	int r;

	if (!top)
		return fail(&b->c, -EINVAL, pos.line, pos.col, "unexpected alias");
	if (top->node->type == PROF_NODE_MAP && top->want_key)
		return fail(&b->c, -EINVAL, pos.line, pos.col,
			    "mapping keys must be plain strings, not an alias (*%s)", name);
	src = prof_anchors_get(b->anchors, name, &values, &height);
	if (!src)
		return fail(&b->c, -EINVAL, pos.line, pos.col,
			    "alias *%s names no finished anchor &%s before it in this document",
			    name, name);
	if (b->depth + height > b->c.lim->max_depth)
		return fail(&b->c, -E2BIG, pos.line, pos.col,
			    "nesting deeper than the limit of %zu levels", b->c.lim->max_depth);
	if (values > copy_budget(b))
		return copy_refused(b, pos);
	if ((r = add_child(&b->c, top, &n, &ev->start_mark)))
		return r;
	b->alias_values += values;
	b->copied += values;
	b->c.total_nodes += values - 1; /* add_child counted the first */
	if (b->c.total_nodes > b->c.max_total)
		return fail(&b->c, -E2BIG, pos.line, pos.col,
			    "too many values in the file (limit %zu)", b->c.max_total);
	copy = prof_node_clone(src);
	if (!copy)
		return fail(&b->c, -ENOMEM, 0, 0, "out of memory");
	key = n->key;
	key_pos = n->key_pos;
	merge = n->merge;
	*n = *copy;
	free(copy);
	n->key = key;
	n->key_pos = key_pos;
	n->merge = merge;
	n->pos = pos;
	return 0;
}

static int collection_start(struct tree_build *b, struct frame *top, const yaml_event_t *ev,
			    struct prof_pos pos)
{
	struct prof_node *n = NULL;
	const yaml_char_t *anchor;
	int r;

	if (!top)
		return fail(&b->c, -EINVAL, pos.line, pos.col, "unexpected node");
	if (top->node->type == PROF_NODE_MAP && top->want_key)
		return fail(&b->c, -EINVAL, pos.line, pos.col,
			    "mapping keys must be plain strings, not %s", event_name(ev->type));
	if (b->depth > b->c.lim->max_depth)
		return fail(&b->c, -E2BIG, pos.line, pos.col,
			    "nesting deeper than the limit of %zu levels", b->c.lim->max_depth);
	if ((r = add_child(&b->c, top, &n, &ev->start_mark)))
		return r;
	n->type = ev->type == YAML_SEQUENCE_START_EVENT ? PROF_NODE_SEQ : PROF_NODE_MAP;
	n->pos = pos;
	b->stack[b->depth++] = (struct frame){ .node = n, .want_key = true };
	anchor = ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
						       : ev->data.mapping_start.anchor;
	if (anchor && !(b->stack[b->depth - 1].anchor = strdup((const char *)anchor)))
		return fail(&b->c, -ENOMEM, 0, 0, "out of memory");
	return 0;
}

static int collection_end(struct tree_build *b, struct frame *top, struct prof_pos pos)
{
	int r = 0;

	struct prof_pos at = { 0, 0 };

	if (b->depth < 2)
		return fail(&b->c, -EINVAL, pos.line, pos.col, "unbalanced YAML");
	if (top->node->type == PROF_NODE_MAP) {
		r = prof_apply_merge_keys(top->node, &at);
		if (r == -EINVAL)
			r = fail(&b->c, r, at.line, at.col,
				 "the merge key << takes a mapping or a list of mappings");
		else if (r)
			r = fail(&b->c, r, 0, 0, "out of memory");
		if (!r)
			r = check_duplicates(&b->c, top->node);
	}
	if (!r && top->anchor)
		r = remember(b, top->anchor, top->node);
	free(top->pending_key);
	top->pending_key = NULL;
	free(top->anchor);
	top->anchor = NULL;
	b->depth--;
	return r;
}

/* One event into the trees; *ret_done at the end of the stream. */
static int on_event(struct tree_build *b, yaml_event_t *ev, bool *ret_done)
{
	struct frame *top = b->depth ? &b->stack[b->depth - 1] : NULL;
	struct prof_pos pos = mark_pos(&ev->start_mark);

	scan_comments(b, ev);
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*ret_done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		return document_start(b, pos);
	case YAML_DOCUMENT_END_EVENT:
		b->depth = 0;
		return 0;
	case YAML_ALIAS_EVENT:
		return alias(b, top, ev, pos);
	case YAML_SCALAR_EVENT:
		return scalar(b, top, ev, pos);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return collection_start(b, top, ev, pos);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return collection_end(b, top, pos);
	default:
		return 0;
	}
}

int prof_parse_yaml(const char *data, size_t len, const char *name,
		    const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
		    size_t *ret_ndocs, bool *ret_comments, struct vigil_error *err)
{
	char *utf8 = NULL;
	size_t utf8_len = 0;
	int r;

	if (len > lim->max_file_bytes)
		return prof_parse_yaml_libyaml(data, len, name, lim, ret_docs, ret_ndocs,
					       ret_comments, err);
	r = prof_utf16_to_utf8(data, len, &utf8, &utf8_len);
	if (r < 0)
		return vigil_error__set(err, r, name, 0, 0, "out of memory");
	if (!r) {
		r = prof_parse_yaml(utf8, utf8_len, name, lim, ret_docs, ret_ndocs, ret_comments,
				    err);
		free(utf8);
		return r;
	}
	if (!prof_parse_yaml_fast(data, len, lim, ret_docs, ret_ndocs, ret_comments))
		return 0;
	r = prof_parse_json_stream(data, len, name, lim, ret_docs, ret_ndocs, err);
	if (r != PROF_NOT_JSON_STREAM) {
		*ret_comments = false;
		return r;
	}
	return prof_parse_yaml_libyaml(data, len, name, lim, ret_docs, ret_ndocs, ret_comments,
				       err);
}

int prof_parse_yaml_libyaml(const char *data, size_t len, const char *name,
			    const struct vigil_profile_limits *lim, struct prof_node **ret_docs,
			    size_t *ret_ndocs, bool *ret_comments, struct vigil_error *err)
{
	size_t values = 0;

	return prof_parse_yaml_counted(data, len, name, lim, &values, ret_docs, ret_ndocs,
				       ret_comments, err);
}

int prof_parse_yaml_counted(const char *data, size_t len, const char *name,
			    const struct vigil_profile_limits *lim, size_t *values,
			    struct prof_node **ret_docs, size_t *ret_ndocs, bool *ret_comments,
			    struct vigil_error *err)
{
	struct tree_build b = {
		.c = { .name = name, .lim = lim, .err = err, .total_nodes = *values },
		.data = data,
		.len = len,
		.may_comment = memchr(data, '#', len) != NULL
	};
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int r = 0;

	b.c.max_total = lim->max_entries * 4 > lim->max_entries ? lim->max_entries * 4 : SIZE_MAX;
	if (len > lim->max_file_bytes)
		return fail(&b.c, -EFBIG, 0, 0, "file is %zu bytes, larger than the limit of %zu",
			    len, lim->max_file_bytes);
	b.stack = calloc(lim->max_depth + 2, sizeof(*b.stack));
	if (!b.stack)
		return fail(&b.c, -ENOMEM, 0, 0, "out of memory");
	b.anchors = prof_anchors_new();
	if (!b.anchors || !yaml_parser_initialize(&parser)) {
		prof_anchors_free(b.anchors);
		free(b.stack);
		return fail(&b.c, -ENOMEM, 0, 0, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && !r) {
		if (!yaml_parser_parse(&parser, &ev)) {
			r = syntax_error(&b, &parser);
			break;
		}
		r = on_event(&b, &ev, &done);
		yaml_event_delete(&ev);
	}
	for (size_t i = 0; i < b.depth; i++) {
		free(b.stack[i].pending_key);
		free(b.stack[i].anchor);
	}
	prof_anchors_free(b.anchors);
	yaml_parser_delete(&parser);
	free(b.stack);
	if (r) {
		for (size_t i = 0; i < b.ndocs; i++)
			prof_node_release(&b.docs[i]);
		free(b.docs);
		return r;
	}
	*ret_docs = b.docs;
	*ret_ndocs = b.ndocs;
	*ret_comments = b.comments;
	*values = b.c.total_nodes;
	return 0;
}
