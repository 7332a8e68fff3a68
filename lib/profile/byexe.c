// SPDX-License-Identifier: Apache-2.0
/*
 * byExecutable (Vigil extension, docs/PROFILES.md): a container's execs and opens again, keyed
 * by the executable that made them. Workload-wide lists let a launcher's behaviour cover the
 * server (runuser reads /etc/passwd at start, so the database reading it later is "known");
 * a section per executable says which program did what. A section is a prof_container whose
 * name is the executable's path and whose only lists are execs and opens, so merge, normalize,
 * equality and the matcher treat it as they treat a container.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"

static int cmp_section(const void *a, const void *b)
{
	const struct prof_container *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

void prof_byexe_normalize(struct prof_container *c)
{
	for (size_t i = 0; i < c->by_exe.n; i++)
		prof_container_normalize(&c->by_exe.v[i]);
	if (c->by_exe.n > 1)
		qsort(c->by_exe.v, c->by_exe.n, sizeof(*c->by_exe.v), cmp_section);
}

struct prof_container *prof_byexe_section(struct prof_container *c, const char *exe, bool create)
{
	struct prof_container *s;

	for (size_t i = 0; i < c->by_exe.n; i++)
		if (c->by_exe.v[i].name && !strcmp(c->by_exe.v[i].name, exe))
			return &c->by_exe.v[i];
	if (!create)
		return NULL;
	if (prof_grow((void **)&c->by_exe.v, &c->by_exe.cap, c->by_exe.n, sizeof(*c->by_exe.v))) {
		errno = ENOMEM;
		return NULL;
	}
	s = &c->by_exe.v[c->by_exe.n];
	memset(s, 0, sizeof(*s));
	if (!(s->name = strdup(exe))) {
		errno = ENOMEM;
		return NULL;
	}
	/* a section lists what its program did: both lists are there, maybe empty */
	s->execs.state = PROF_SET;
	s->opens.state = PROF_SET;
	c->by_exe.n++;
	c->by_exe.state = PROF_SET;
	return s;
}

bool prof_byexe_present(const struct prof_container *c)
{
	return c->by_exe.state != PROF_ABSENT;
}
