// SPDX-License-Identifier: Apache-2.0
/*
 * The container engine's answer about a container (`podman inspect` / `docker inspect` with
 * meta.c's template, read by sensor/agent/meta_parse.c): name, image, then one label a line. The
 * labels are the image's and the container creator's. First byte: bit 0 = the reader cut the
 * answer at its bound; the rest is the answer.
 *
 * Checks: the name and image are one line each; the labels kept are sorted, unique, non-empty,
 * within the bounds, free of NUL and valid UTF-8, walk the storage exactly and are found by
 * lookup; the warnings are printable ASCII lines (they go to the log) and bounded. And a bad
 * label costs only itself: a good label put in front of the labels is kept, with every label
 * kept before and nothing else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sensor/agent/meta.h"

#define BIND_KEY  "vigil.fuzz/bind"
#define BIND_LINE "\"" BIND_KEY "\" \"yes\"\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *s)
{
	if (strchr(s, '\n'))
		abort();
}

static void check_labels(const struct vigil_container_meta *m)
{
	const char *p = m->labels, *end = p ? p + m->labels_size : NULL, *prev = NULL;
	unsigned n = 0;

	if (!p && (m->labels_size || m->nlabels))
		abort();
	while (p && p < end) {
		const char *v = p + strlen(p) + 1;
		size_t klen = strlen(p), vlen;
		json_t *jk, *jv;

		if (v >= end || !klen || klen > VIGIL_META_KEY_MAX)
			abort();
		vlen = strlen(v);
		if (v + vlen >= end || vlen > VIGIL_META_VALUE_MAX)
			abort();
		/* jansson checks UTF-8 here */
		jk = json_stringn(p, klen);
		jv = json_stringn(v, vlen);
		if (!jk || !jv)
			abort();
		json_decref(jk);
		json_decref(jv);
		if (prev && strcmp(prev, p) >= 0)
			abort();
		if (vigil_container_meta__label(m, p) != v)
			abort();
		prev = p;
		p = v + vlen + 1;
		n++;
	}
	if (p != end || n != m->nlabels || n > VIGIL_META_LABELS_MAX)
		abort();
}

static void check_warnings(const char *w)
{
	unsigned lines = 0;

	for (; w && *w; w++) {
		if (*w == '\n')
			lines++;
		else if (*w < 0x20 || *w > 0x7e)
			abort();
	}
	/* the bound, and one line counting the rest */
	if (lines > 9)
		abort();
}

/* Every label of a is in b with the same value. */
static void check_kept(const struct vigil_container_meta *a, const struct vigil_container_meta *b)
{
	for (const char *p = a->labels; p && p < a->labels + a->labels_size;) {
		const char *v = p + strlen(p) + 1;
		const char *got = vigil_container_meta__label(b, p);

		if (!got || strcmp(got, v))
			abort();
		p = v + strlen(v) + 1;
	}
}

/* The answer with a good label put first among the labels (after the name and image lines). */
static void check_good_label_kept(const char *text, size_t len, bool cut,
				  const struct vigil_container_meta *m)
{
	const char *nl = memchr(text, '\n', len);
	struct vigil_container_meta m2;
	size_t head;
	char *t;

	nl = nl ? memchr(nl + 1, '\n', len - (size_t)(nl + 1 - text)) : NULL;
	/* the same key spelled another way (an escape) would be a duplicate: not this check's */
	if (!nl || memmem(text, len, "vigil.fuzz", 10) || memmem(text, len, "\\u", 2))
		return;
	/* the count bound is on the labels read, duplicates included: one more may push one out */
	if (m->warnings &&
	    (strstr(m->warnings, "more than") || strstr(m->warnings, "more warnings")))
		return;
	head = (size_t)(nl + 1 - text);
	t = malloc(len + sizeof(BIND_LINE));
	if (!t)
		return;
	memcpy(t, text, head);
	memcpy(t + head, BIND_LINE, sizeof(BIND_LINE) - 1);
	memcpy(t + head + sizeof(BIND_LINE) - 1, text + head, len - head);
	if (vigil_container_meta__parse(t, len + sizeof(BIND_LINE) - 1, cut, &m2) == 0) {
		const char *v = vigil_container_meta__label(&m2, BIND_KEY);

		if (!v || strcmp(v, "yes") || m2.nlabels != m->nlabels + 1)
			abort();
		check_kept(m, &m2);
		vigil_container_meta__release(&m2);
	}
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_container_meta m;
	const char *text = (const char *)data + 1;
	bool cut;
	int e;

	if (!size)
		return 0;
	cut = data[0] & 1;
	e = vigil_container_meta__parse(text, size - 1, cut, &m);
	if (e == -ENOENT && size == 1)
		return 0;
	if (e == -ENOMEM)
		return 0;
	if (e)
		abort();
	check_line(m.name);
	check_line(m.image);
	check_labels(&m);
	check_warnings(m.warnings);
	check_good_label_kept(text, size - 1, cut, &m);
	vigil_container_meta__release(&m);
	return 0;
}
