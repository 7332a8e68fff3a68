// SPDX-License-Identifier: Apache-2.0
/*
 * What enforcement takes from a profile, and the rails on the profile itself: a profile that is
 * still learning, partial or too large describes less than the workload does, and enforcing it
 * would kill the application's own rare paths.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "profile/harden_internal.h"
#include "profile/model.h"
#include "vigil/harden.h"

int harden_fail(char *why, size_t size, int code, const char *fmt, ...)
{
	va_list ap;

	if (size) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return code;
}

int vigil_harden__enforceable(const struct vigil_profile *p, char *why, size_t why_size)
{
	size_t n;

	if (why_size)
		why[0] = '\0';
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++) {
		const char *st = vigil_profile__annotation(p, d, "kubescape.io/status");
		const char *co = vigil_profile__annotation(p, d, "kubescape.io/completion");

		if (st && (!strcmp(st, "learning") || !strcmp(st, "initializing") ||
			   !strcmp(st, "too-large")))
			return harden_fail(why, why_size, -EPERM,
					   "the profile is %s (kubescape.io/status)", st);
		if (co && !strcmp(co, "partial"))
			return harden_fail(
				why, why_size, -EPERM,
				"the profile is partial (kubescape.io/completion): the workload "
				"ran before learning began");
	}
	n = vigil_profile__entry_count(p);
	if (n > VIGIL_ENFORCE_MAX_ENTRIES)
		return harden_fail(why, why_size, -EPERM,
				   "the profile is too large to review (%zu entries)", n);
	return 0;
}

/*
 * Checks one container's entries; calls fn per path. rulePolicies need no check: the exec
 * rules do not take them (as in Kubescape), so a profile's processAllowed never allows an exec.
 */
static int walk(const struct prof_container *c, int (*fn)(const char *, void *), void *arg,
		char *why, size_t size)
{
	for (size_t i = 0; i < c->execs.n; i++) {
		const char *path = c->execs.v[i].path;
		int r;

		if (!path || path[0] != '/' || strstr(path, PROF_ELLIPSIS) || strchr(path, '*'))
			return harden_fail(
				why, size, -EINVAL,
				"exec path \"%s\" is not an exact absolute path: the kernel "
				"compares exact paths",
				path ? path : "");
		if ((r = fn(path, arg)))
			return r;
	}
	return 0;
}

struct walk_ctx {
	int (*fn)(const char *path, void *arg);
	void *arg;
	char *why;
	size_t why_size;
	bool found;
};

static int walk_one(const struct prof_container *c, void *arg)
{
	struct walk_ctx *x = arg;

	x->found = true;
	return walk(c, x->fn, x->arg, x->why, x->why_size);
}

int vigil_harden__exec_paths(const struct vigil_profile *p, const char *container,
			     int (*fn)(const char *path, void *arg), void *arg, char *why,
			     size_t why_size)
{
	struct walk_ctx x = { fn, arg, why, why_size, false };
	int r;

	if (why_size)
		why[0] = '\0';
	prof_ensure_normal(p);
	/* the containers the matcher reads (prof_each_container): the kernel kills no exec the
	 * matcher allows */
	r = prof_each_container(p, container, walk_one, &x);
	if (r == -ENOENT && !x.found)
		return harden_fail(why, why_size, -ENOENT, "no container %s in the profile",
				   container ? container : "");
	return r;
}
