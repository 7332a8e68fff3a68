// SPDX-License-Identifier: Apache-2.0
/*
 * Typed readers of generic YAML tree nodes (loadctx.h): wrong types, unknown fields (with a
 * suggestion) and bad values become errors at FILE:LINE:COL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/loadctx.h"
#include "profile/yamltree.h"
#include "util/strutil.h"

#define STRICT_CHECK(fn)                                                            \
	bool fn##_(const char *v, char *msg, size_t size, char *warn, size_t wsize) \
	{                                                                           \
		(void)warn;                                                         \
		(void)wsize;                                                        \
		return fn(v, msg, size);                                            \
	}
/*
 * Names Kubescape's learner writes from what it observed: open flags, HTTP methods,
 * capabilities, syscalls. Kubescape's types take any string there, and its learner writes names
 * Vigil may not have in its lists (node-agent's O_FASYNC once; any method token a client sends;
 * the capabilities and syscalls of a newer kernel). Such a name loads with a warning (an error
 * under lint --strict) and matches no event: the matcher looks names up and finds none, so an
 * unknown name allows nothing.
 */
#define VOCAB_CHECK(fn, what_it_does)                                                        \
	bool fn##_(const char *v, char *msg, size_t size, char *warn, size_t wsize)          \
	{                                                                                    \
		if (fn(v, msg, size))                                                        \
			return true;                                                         \
		if (warn && !*warn)                                                          \
			snprintf(warn, wsize, "%.*s: loaded as in Kubescape, " what_it_does, \
				 (int)(wsize > 64 ? wsize - 64 : 0), msg);                   \
		return warn != NULL;                                                         \
	}
VOCAB_CHECK(prof_check_open_flag, "it allows nothing")
VOCAB_CHECK(prof_check_method, "it allows nothing")
VOCAB_CHECK(prof_check_capability, "it allows nothing")
VOCAB_CHECK(prof_check_syscall, "it allows nothing")
/* an endpoint's direction and a neighbor's type are strings too; no rule judges them */
VOCAB_CHECK(prof_check_direction, "it matches no direction")
VOCAB_CHECK(prof_check_neighbor_type, "kept as written")
/* a port's protocol too: its port allows nothing (prof_protocol_known) */
VOCAB_CHECK(prof_check_protocol, "the port matches nothing and NetworkPolicy drafts leave it out")
STRICT_CHECK(prof_check_ip)
STRICT_CHECK(prof_check_exec_digest)
STRICT_CHECK(prof_check_iouring_op)
STRICT_CHECK(prof_check_exe_key)

int ld_fail(struct ld *c, struct prof_pos p, const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vigil_error__set(c->err, -EINVAL, c->name, p.line, p.col, "%s", msg);
}

int ld_oom(struct ld *c)
{
	return vigil_error__set(c->err, -ENOMEM, c->name, 0, 0, "out of memory");
}

const char *ld_type_name(const struct prof_node *n)
{
	if (n->type == PROF_NODE_SEQ)
		return "a list";
	if (n->type == PROF_NODE_MAP)
		return "a mapping";
	switch (n->stype) {
	case PROF_SCALAR_NULL:
		return "null";
	case PROF_SCALAR_BOOL:
		return "a boolean";
	case PROF_SCALAR_INT:
	case PROF_SCALAR_FLOAT:
		return "a number";
	default:
		return "a string";
	}
}

bool ld_is_null(const struct prof_node *n)
{
	return n->type == PROF_NODE_SCALAR && n->stype == PROF_SCALAR_NULL;
}

int ld_list_open(struct ld *c, const struct prof_node *n, const char *what, enum prof_state *state,
		 struct prof_pos *pos)
{
	*pos = n->pos;
	if (ld_is_null(n)) {
		*state = PROF_NULL;
		return 1;
	}
	if (n->type != PROF_NODE_SEQ)
		return ld_fail(c, n->pos, "\"%s\" must be a list, not %s", what, ld_type_name(n));
	*state = PROF_SET;
	return 0;
}

int ld_want_map(struct ld *c, const struct prof_node *n, const char *what)
{
	if (n->type == PROF_NODE_MAP)
		return 0;
	return ld_fail(c, n->pos, "%s must be a mapping, not %s", what, ld_type_name(n));
}

/* A string value; a null leaves *out NULL. */
int ld_str(struct ld *c, struct prof_node *n, const char *what, char **out)
{
	if (ld_is_null(n)) {
		*out = NULL;
		return 0;
	}
	if (n->type != PROF_NODE_SCALAR)
		return ld_fail(c, n->pos, "\"%s\" must be a string, not %s", what, ld_type_name(n));
	if (n->stype != PROF_SCALAR_STR)
		return ld_fail(c, n->pos, "\"%s\" must be a string, not %s (quote it: '%s')", what,
			       ld_type_name(n), n->value);
	/* the parsed tree is ours: take the string instead of copying it */
	*out = n->value;
	n->value = NULL;
	n->len = 0;
	return 0;
}

int ld_req_str(struct ld *c, struct prof_node *n, const char *what, char **out)
{
	int r = ld_str(c, n, what, out);

	if (!r && !*out)
		return ld_fail(c, n->pos, "\"%s\" must not be null", what);
	return r;
}

int ld_tri(struct ld *c, const struct prof_node *n, const char *what, enum prof_tri *out)
{
	bool b;

	if (ld_is_null(n)) {
		*out = PROF_TRI_UNSET;
		return 0;
	}
	/* yes/no/on/off/y/n as kubectl reads them (yaml11.c) */
	if (!prof_yaml11_bool(n, &b))
		return ld_fail(c, n->pos, "\"%s\" must be true or false, not %s", what,
			       ld_type_name(n));
	*out = b ? PROF_TRI_TRUE : PROF_TRI_FALSE;
	return 0;
}

int ld_check(struct ld *c, const struct prof_node *n, const char *v, check_fn check)
{
	char msg[VIGIL_ERROR_MSG_MAX - 64], warn[VIGIL_ERROR_MSG_MAX - 64];

	warn[0] = '\0';
	if (check && !check(v, msg, sizeof(msg), warn, sizeof(warn)))
		return ld_fail(c, n->pos, "%s", msg);
	if (warn[0] && prof_note_add(c->p, VIGIL_PROFILE_WARNING, n->pos, "%s", warn))
		return ld_oom(c);
	return 0;
}

int ld_strs(struct ld *c, struct prof_node *n, const char *what, struct prof_strs *out,
	    check_fn check)
{
	int r;

	if ((r = ld_list_open(c, n, what, &out->state, &out->pos)))
		return r < 0 ? r : 0;
	if (n->n) {
		out->v = calloc(n->n, sizeof(*out->v));
		if (!out->v)
			return ld_oom(c);
		out->cap = n->n;
	}
	for (size_t i = 0; i < n->n; i++) {
		char *s;

		if ((r = ld_str(c, &n->items[i], what, &s)))
			return r;
		/* Go decodes a null item of a string list as "": Kubescape loads it, so does Vigil */
		if (!s) {
			s = strdup("");
			if (!s || prof_note_add(c->p, VIGIL_PROFILE_WARNING, n->items[i].pos,
						"a null item of \"%s\" is read as \"\" (Go's zero "
						"value), as in Kubescape",
						what)) {
				free(s);
				return ld_oom(c);
			}
		}
		out->v[out->n++] = s;
		if ((r = ld_check(c, &n->items[i], s, check)))
			return r;
	}
	return 0;
}

int ld_kvs(struct ld *c, struct prof_node *n, const char *what, struct prof_kvs *out)
{
	int r;

	out->pos = n->pos;
	if (ld_is_null(n)) {
		out->state = PROF_NULL;
		return 0;
	}
	if ((r = ld_want_map(c, n, what)))
		return r;
	out->state = PROF_SET;
	for (size_t i = 0; i < n->n; i++) {
		char *v;

		if ((r = ld_str(c, &n->items[i], n->items[i].key, &v)))
			return r;
		if (prof_grow((void **)&out->v, &out->cap, out->n, sizeof(*out->v))) {
			free(v);
			return ld_oom(c);
		}
		out->v[out->n].key = strdup(n->items[i].key);
		out->v[out->n].value = v ? v : strdup("");
		out->v[out->n].pos = n->items[i].key_pos;
		out->n++;
		if (!out->v[out->n - 1].key || !out->v[out->n - 1].value)
			return ld_oom(c);
	}
	return 0;
}

/* Field name lookup with a "did you mean" when the name is unknown. */
int ld_field(struct ld *c, const struct prof_node *item, const char *const *names,
	     const char *where)
{
	const char *s;

	for (int i = 0; names[i]; i++)
		if (!strcmp(item->key, names[i]))
			return i;
	s = vigil_suggest(item->key, names);
	if (s)
		return ld_fail(c, item->key_pos, "unknown field \"%s\"%s%s (did you mean \"%s\"?)",
			       item->key, *where ? " in " : "", where, s);
	{
		/* no near miss: say what is allowed here when the list is short */
		char allowed[256] = "";
		size_t n = 0, off = 0;

		while (names[n])
			n++;
		for (size_t i = 0; n <= 6 && i < n && off < sizeof(allowed); i++)
			off += (size_t)snprintf(allowed + off, sizeof(allowed) - off, "%s%s",
						i ? ", " : "", names[i]);
		if (n <= 6)
			return ld_fail(c, item->key_pos, "unknown field \"%s\"%s%s (allowed: %s)",
				       item->key, *where ? " in " : "", where, allowed);
	}
	return ld_fail(c, item->key_pos, "unknown field \"%s\"%s%s", item->key,
		       *where ? " in " : "", where);
}

/* Moves a generic subtree out of the parsed tree into the model. */
int ld_take_node(struct ld *c, struct prof_node *n, struct prof_node **out)
{
	struct prof_node *m = malloc(sizeof(*m));

	if (!m)
		return ld_oom(c);
	*m = *n;
	free(m->key);
	m->key = NULL;
	memset(n, 0, sizeof(*n));
	prof_node_free(*out);
	*out = m;
	return 0;
}
