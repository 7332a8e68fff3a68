// SPDX-License-Identifier: Apache-2.0
/*
 * The container engine's answer about one container (meta.c asks it): the name on a line, the
 * image on a line, then one line per label, "KEY VALUE" with each a JSON string (the engine's
 * `json` template function) or, for one longer than the engine was told to print, its length
 * in bytes.
 *
 * The labels are the image's and the container creator's: whoever wrote them may want the
 * container to shed a label another party set (a binding label, Kubescape's
 * user-defined-profile). So each label is judged on its own and a bad one costs only itself:
 * one holding a NUL (jansson refuses "\u0000" unless asked, and a whole object with one used to
 * be refused, every label with it), one that is not valid JSON or UTF-8, one over the bounds,
 * a key given twice (an engine's map has no such thing: which one was meant is unknown, so
 * neither is taken). Each is said in a warning that names it. The answer as a whole is bounded
 * by the reader; a cut answer keeps every label that arrived whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sensor/agent/meta.h"
#include "util/buf.h"
#include "util/strutil.h"

/* Warnings beyond this many are counted, not spelled: a container with ten thousand bad labels
 * does not flood the log. */
#define META_WARNINGS_MAX 8

struct label {
	char *key; /* owned: "KEY\0VALUE\0" */
	size_t size;
	bool dup;
};

struct parse {
	struct label *v;
	size_t n, cap;
	struct vigil_buf warn;
	unsigned nwarn, unsaid;
};

static void warnf(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warnf(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nwarn >= META_WARNINGS_MAX) {
		p->unsaid++;
		return;
	}
	p->nwarn++;
	va_start(ap, fmt);
	/* out of memory: the warning is lost, the label is dropped all the same */
	if (!vigil_buf__vprintf(&p->warn, fmt, ap))
		vigil_buf__puts(&p->warn, "\n");
	va_end(ap);
}

/* A key fit for a warning: as JSON (printable, quoted), cut; else where it was. */
static void key_name(const char *key, size_t klen, unsigned line, char *dst, size_t size)
{
	size_t cut = klen < 64 ? klen : 64;
	json_t *s;
	char *t;

	/* not inside a UTF-8 sequence: the cut key must still be UTF-8 to be printed */
	while (cut < klen && cut && ((unsigned char)key[cut] & 0xc0) == 0x80)
		cut--;
	s = key ? json_stringn_nocheck(key, cut) : NULL;
	t = s ? json_dumps(s, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	if (t) {
		struct vigil_buf b = { .max = size };

		/* jansson escapes the controls below 0x20 only: DEL too, for the log */
		for (const char *c = t; *c; c++)
			if (*c == 0x7f ? vigil_buf__puts(&b, "\\u007f")
				       : vigil_buf__append(&b, c, 1))
				break;
		snprintf(dst, size, "%s%s", b.data ? b.data : "", klen > cut ? "..." : "");
		vigil_buf__release(&b);
	} else {
		snprintf(dst, size, "on line %u", line);
	}
	free(t);
	json_decref(s);
}

/* End of the JSON string token that starts at s (a '"'), or NULL. */
static const char *string_end(const char *s, const char *end)
{
	for (s++; s < end; s++) {
		if (*s == '\\')
			s++;
		else if (*s == '"')
			return s + 1;
	}
	return NULL;
}

/* Whether [s, end) is a length (what the engine prints for a key or value over its bound). */
static bool is_length(const char *s, const char *end)
{
	if (s == end || end - s > 20)
		return false;
	for (; s < end; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A JSON string token into *ret (jansson's, NUL inside allowed so it can be told apart). */
static json_t *load_string(const char *s, const char *end)
{
	json_error_t jerr;
	json_t *j = json_loadb(s, (size_t)(end - s), JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (!json_is_string(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int add_label(struct parse *p, const char *k, size_t klen, const char *v, size_t vlen)
{
	struct label *l;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct label *nv = realloc(p->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	l = &p->v[p->n];
	l->size = klen + vlen + 2;
	l->key = malloc(l->size);
	if (!l->key)
		return -ENOMEM;
	memcpy(l->key, k, klen);
	l->key[klen] = '\0';
	memcpy(l->key + klen + 1, v, vlen);
	l->key[klen + 1 + vlen] = '\0';
	l->dup = false;
	p->n++;
	return 0;
}

/* One label line. Only running out of memory is an error: a bad label is a warning. */
static int parse_label(struct parse *p, const char *s, const char *end, unsigned line)
{
	const char *kend = *s == '"' ? string_end(s, end) : memchr(s, ' ', (size_t)(end - s));
	json_t *jk = NULL, *jv = NULL;
	const char *k = NULL, *v;
	size_t klen = 0, vlen;
	char name[400]; /* a 64-byte key with each byte escaped in 6 characters */
	int err = 0;

	if (kend && *s == '"')
		jk = load_string(s, kend);
	if (jk) {
		k = json_string_value(jk);
		klen = json_string_length(jk);
	}
	key_name(k, klen, line, name, sizeof(name));
	if (!kend || kend == end || *kend != ' ') {
		warnf(p, "label %s dropped: not a key and a value", name);
		goto out;
	}
	if (!jk) {
		if (is_length(s, kend))
			warnf(p, "label dropped: its key is %.*s bytes long, over %u",
			      (int)(kend - s), s, VIGIL_META_KEY_MAX);
		else
			warnf(p, "label %s dropped: its key is not a valid JSON string (UTF-8)",
			      name);
		goto out;
	}
	if (is_length(kend + 1, end)) {
		warnf(p, "label %s dropped: its value is %.*s bytes long, over %u", name,
		      (int)(end - kend - 1), kend + 1, VIGIL_META_VALUE_MAX);
		goto out;
	}
	jv = load_string(kend + 1, end);
	if (!jv) {
		warnf(p, "label %s dropped: its value is not a valid JSON string (UTF-8)", name);
		goto out;
	}
	v = json_string_value(jv);
	vlen = json_string_length(jv);
	/* the engine bounds what it prints; an answer that did not is held to the same bounds */
	if (klen > VIGIL_META_KEY_MAX || vlen > VIGIL_META_VALUE_MAX || !klen) {
		warnf(p, "label %s dropped: %s", name,
		      !klen ? "its key is empty" : "longer than the bounds (key, value)");
		goto out;
	}
	if (strlen(k) != klen || strlen(v) != vlen) {
		warnf(p, "label %s dropped: its %s holds a NUL character", name,
		      strlen(k) != klen ? "key" : "value");
		goto out;
	}
	if (p->n >= VIGIL_META_LABELS_MAX) {
		warnf(p, "label %s dropped: more than %u labels", name, VIGIL_META_LABELS_MAX);
		goto out;
	}
	err = add_label(p, k, klen, v, vlen);
out:
	json_decref(jk);
	json_decref(jv);
	return err;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->key, ((const struct label *)b)->key);
}

/* Sorted, without the keys given twice, into "KEY\0VALUE\0..." */
static int pack(struct parse *p, struct vigil_container_meta *ret)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	char name[400]; /* a 64-byte key with each byte escaped in 6 characters */
	int err = 0;

	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), by_key);
	for (size_t i = 1; i < p->n; i++)
		if (!strcmp(p->v[i - 1].key, p->v[i].key))
			p->v[i - 1].dup = p->v[i].dup = true;
	for (size_t i = 0; i < p->n && !err; i++) {
		if (!p->v[i].dup) {
			err = vigil_buf__append(&b, p->v[i].key, p->v[i].size);
			ret->nlabels++;
		} else if (i == 0 || strcmp(p->v[i - 1].key, p->v[i].key)) {
			key_name(p->v[i].key, strlen(p->v[i].key), 0, name, sizeof(name));
			warnf(p, "label %s dropped: given more than once", name);
		}
	}
	if (err) {
		vigil_buf__release(&b);
		ret->nlabels = 0;
		return err;
	}
	if (b.len)
		ret->labels = vigil_buf__steal(&b, &ret->labels_size);
	vigil_buf__release(&b);
	return 0;
}

static void take_line(const char **s, const char *end, char *dst, size_t size)
{
	const char *nl = memchr(*s, '\n', (size_t)(end - *s));
	size_t len = (size_t)((nl ? nl : end) - *s);

	if (size) {
		len = len < size - 1 ? len : size - 1;
		memcpy(dst, *s, len);
		dst[len] = '\0';
	}
	*s = nl ? nl + 1 : end;
}

int vigil_container_meta__parse(const char *text, size_t len, bool cut,
				struct vigil_container_meta *ret)
{
	const char *s = text, *end = text + len;
	struct parse p = { 0 };
	unsigned line = 2;
	int err = 0;

	memset(ret, 0, sizeof(*ret));
	if (!text || !len)
		return -ENOENT;
	take_line(&s, end, ret->name, sizeof(ret->name));
	/* docker prints "/name" */
	if (ret->name[0] == '/')
		memmove(ret->name, ret->name + 1, strlen(ret->name));
	take_line(&s, end, ret->image, sizeof(ret->image));
	while (s < end && !err) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		line++;
		if (!nl && cut) {
			warnf(&p,
			      "the engine's answer was cut at %u KiB: labels from line %u on "
			      "are not read",
			      VIGIL_META_ANSWER_MAX >> 10, line);
			break;
		}
		if ((nl ? nl : end) > s)
			err = parse_label(&p, s, nl ? nl : end, line);
		s = nl ? nl + 1 : end;
	}
	if (!err)
		err = pack(&p, ret);
	for (size_t i = 0; i < p.n; i++)
		free(p.v[i].key);
	free(p.v);
	if (!err && p.unsaid)
		vigil_buf__printf(&p.warn, "and %u more warnings about labels\n", p.unsaid);
	if (err) {
		vigil_buf__release(&p.warn);
		vigil_container_meta__release(ret);
		return err;
	}
	if (p.warn.len)
		ret->warnings = vigil_buf__steal(&p.warn, NULL);
	vigil_buf__release(&p.warn);
	return 0;
}
