// SPDX-License-Identifier: Apache-2.0
/*
 * A matcher's exec and open entries: path patterns in a segment index (segindex.c), each with
 * what else the entry checks (arguments, open flags), and the directories the opens write in
 * (wdirs.c, for V1102). matchctx.h maps the matcher's files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/matchctx.h"
#include "profile/wdirs.h"
#include "profile/wildcard.h"

/*
 * argsRequired: true -> anchored match (an empty list means "no arguments"); false -> not
 * checked (Kubescape MatchExecArgs). Unset -> Kubescape's CompareExecArgs rule: the listed
 * arguments are checked, no list means any arguments (docs/PROFILES.md).
 */
int mt_add_exec(struct vigil_matcher *m, const struct prof_exec *e)
{
	struct m_exec *x;
	int r;

	if (!e->path)
		return 0;
	r = mt_grow((void **)&m->ex, &m->cex, m->nex, sizeof(*m->ex));
	if (r < 0)
		return r;
	x = &m->ex[m->nex];
	if (e->args_required == PROF_TRI_TRUE)
		x->check_args = true;
	else if (e->args_required == PROF_TRI_UNSET)
		x->check_args = e->args.n > 0;
	r = mt_dup_strv(&e->args, &x->args, &x->nargs);
	if (r < 0)
		return r;
	if (x->nargs) {
		x->kinds = malloc(x->nargs);
		if (!x->kinds)
			return -ENOMEM;
		for (size_t i = 0; i < x->nargs; i++)
			x->kinds[i] = (uint8_t)vigil_wc_arg_kind(x->args[i]);
	}
	r = vigil_segindex__add(m->execs, e->path, (uint32_t)m->nex);
	if (r == -EINVAL) { /* a pattern the loader should have refused: it matches nothing */
		mt_free_strv(x->args, x->nargs);
		free(x->kinds);
		memset(x, 0, sizeof(*x));
		return 0;
	}
	if (r < 0)
		return r;
	m->nex++;
	return 0;
}

int mt_add_open(struct vigil_matcher *m, const struct prof_open *o)
{
	struct m_open *x;
	int r;

	if (!o->path)
		return 0;
	if (vigil_wc_token_pattern(o->path))
		m->tokens = true;
	r = mt_grow((void **)&m->op, &m->cop, m->nop, sizeof(*m->op));
	if (r < 0)
		return r;
	x = &m->op[m->nop];
	x->any_flags = o->flags.n == 0;
	for (size_t i = 0; i < o->flags.n; i++) {
		uint64_t bits;

		/* An unknown name adds nothing: no event bit can be covered by it. */
		if (o->flags.v[i] && vigil_wc_open_flag(o->flags.v[i], &bits) == 0)
			x->flags |= bits;
	}
	r = vigil_segindex__add(m->opens, o->path, (uint32_t)m->nop);
	if (r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	m->nop++;
	if (x->any_flags || (x->flags & vigil_wdirs__write_bits()))
		return vigil_wdirs__add(m->wdirs, o->path);
	return 0;
}

/* Sizes the exec and open indexes for the container's entries before they go in. */
int mt_reserve_paths(struct vigil_matcher *m, const struct prof_container *c)
{
	size_t wild = 0;
	int r;

	for (size_t i = 0; i < c->execs.n; i++)
		wild += c->execs.v[i].path && (strchr(c->execs.v[i].path, '*') ||
					       strstr(c->execs.v[i].path, VIGIL_WC_ONE));
	r = vigil_segindex__reserve(m->execs, c->execs.n - wild, wild);
	if (r < 0)
		return r;
	wild = 0;
	for (size_t i = 0; i < c->opens.n; i++)
		wild += c->opens.v[i].path && (strchr(c->opens.v[i].path, '*') ||
					       strstr(c->opens.v[i].path, VIGIL_WC_ONE));
	return vigil_segindex__reserve(m->opens, c->opens.n - wild, wild);
}

struct exec_ctx {
	const struct vigil_matcher *m;
	const char *const *argv;
	size_t argc;
	bool path_known;
};

static bool exec_cb(uint32_t id, void *ctx)
{
	struct exec_ctx *c = ctx;
	const struct m_exec *x = &c->m->ex[id];

	c->path_known = true;
	return !x->check_args || vigil_wc_args_match_kinds((const char *const *)x->args, x->kinds,
							   x->nargs, c->argv, c->argc);
}

enum vigil_match vigil_matcher__exec(const struct vigil_matcher *m, const char *path,
				     const char *const *argv, size_t argc)
{
	struct exec_ctx c = { m, argv, argv ? argc : 0, false };

	if (!m || !path)
		return VIGIL_MATCH_NO;
	if (vigil_segindex__match(m->execs, path, strlen(path), exec_cb, &c))
		return VIGIL_MATCH_YES;
	return c.path_known ? VIGIL_MATCH_ARGS : VIGIL_MATCH_NO;
}

/* An entry that checks its arguments and lists exactly these, with no wildcard among them. */
static bool exec_literal_cb(uint32_t id, void *ctx)
{
	struct exec_ctx *c = ctx;
	const struct m_exec *x = &c->m->ex[id];

	if (!x->check_args || x->nargs != c->argc)
		return false;
	for (size_t i = 0; i < x->nargs; i++) {
		if (x->kinds[i] != VIGIL_WC_ARG_LIT ||
		    strcmp(x->args[i], c->argv[i] ? c->argv[i] : "") != 0)
			return false;
	}
	return true;
}

bool vigil_matcher__exec_literal(const struct vigil_matcher *m, const char *path,
				 const char *const *argv, size_t argc)
{
	struct exec_ctx c = { m, argv, argv ? argc : 0, false };

	if (!m || !path)
		return false;
	return vigil_segindex__match(m->execs, path, strlen(path), exec_literal_cb, &c);
}

struct open_ctx {
	const struct vigil_matcher *m;
	uint64_t want;
};

static bool open_cb(uint32_t id, void *ctx)
{
	struct open_ctx *c = ctx;
	const struct m_open *x = &c->m->op[id];

	return x->any_flags || (c->want & ~x->flags) == 0;
}

bool vigil_matcher__open(const struct vigil_matcher *m, const char *path, uint32_t flags)
{
	struct open_ctx c = { m, vigil_wc_open_flags(flags) };

	if (!m || !path)
		return false;
	return vigil_segindex__match(m->opens, path, strlen(path), open_cb, &c);
}

bool vigil_matcher__token(const struct vigil_matcher *m)
{
	return m && m->tokens;
}

bool vigil_matcher__dir_written(const struct vigil_matcher *m, const char *path)
{
	return m && vigil_wdirs__has(m->wdirs, path);
}
