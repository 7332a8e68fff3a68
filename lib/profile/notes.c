// SPDX-License-Identifier: Apache-2.0
/*
 * Notes the loader leaves on a profile: warnings (values Kubescape accepts that probably do not
 * mean what their author thought) and skipped documents. Bounded: a file with a million odd
 * values gets PROF_NOTES_MAX notes and a count, not a million allocations.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/strutil.h"

int prof_note_add(struct vigil_profile *p, enum vigil_profile_note_kind kind, struct prof_pos pos,
		  const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	struct prof_note *n;
	va_list ap;

	if (p->nnotes >= PROF_NOTES_MAX) {
		p->notes_dropped++;
		return 0;
	}
	if (prof_grow((void **)&p->notes, &p->notes_cap, p->nnotes, sizeof(*p->notes)))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = &p->notes[p->nnotes];
	n->msg = strdup(msg);
	if (!n->msg)
		return -ENOMEM;
	n->kind = kind;
	n->pos = pos;
	p->nnotes++;
	return 0;
}

void prof_notes_release(struct vigil_profile *p)
{
	for (size_t i = 0; i < p->nnotes; i++)
		free(p->notes[i].msg);
	free(p->notes);
	free(p->source);
	p->notes = NULL;
	p->source = NULL;
	p->nnotes = p->notes_cap = p->notes_dropped = 0;
}

size_t vigil_profile__note_count(const struct vigil_profile *p)
{
	return p ? p->nnotes : 0;
}

size_t vigil_profile__notes_dropped(const struct vigil_profile *p)
{
	return p ? p->notes_dropped : 0;
}

size_t vigil_profile__skipped_count(const struct vigil_profile *p)
{
	return p ? p->skipped_docs : 0;
}

enum vigil_profile_note_kind vigil_profile__note(const struct vigil_profile *p, size_t i,
						 struct vigil_error *out)
{
	const struct prof_note *n;

	if (!p || i >= p->nnotes)
		return 0;
	n = &p->notes[i];
	if (out) {
		memset(out, 0, sizeof(*out));
		vigil_strlcpy(out->file, p->source ? p->source : "", sizeof(out->file));
		out->line = n->pos.line;
		out->column = n->pos.col;
		vigil_strlcpy(out->message, n->msg, sizeof(out->message));
	}
	return n->kind;
}
