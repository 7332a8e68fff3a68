// SPDX-License-Identifier: Apache-2.0
/* A plain string set (index.h): syscalls, capabilities, io_uring ops. */
#include <stdlib.h>
#include <string.h>

#include "profile/ixhash.h"

struct vigil_strset {
	struct ix_hash h;
};

struct vigil_strset *vigil_strset__new(void)
{
	struct vigil_strset *s = calloc(1, sizeof(*s));

	if (s)
		ix_hash_init(&s->h);
	return s;
}

void vigil_strset__free(struct vigil_strset *s)
{
	if (!s)
		return;
	ix_hash_release(&s->h);
	free(s);
}

int vigil_strset__add(struct vigil_strset *s, const char *str)
{
	uint32_t v;
	int r = ix_insert(&s->h, 0, str, strlen(str), 0, &v);

	return r < 0 ? r : 0;
}

bool vigil_strset__has(const struct vigil_strset *s, const char *str)
{
	uint32_t v;

	return s && str && ix_get(&s->h, 0, str, strlen(str), &v);
}

size_t vigil_strset__bytes(const struct vigil_strset *s)
{
	return s ? sizeof(*s) + ix_hash_bytes(&s->h) : 0;
}

size_t vigil_strset__count(const struct vigil_strset *s)
{
	return s ? s->h.n : 0;
}
