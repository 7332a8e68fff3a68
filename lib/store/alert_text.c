// SPDX-License-Identifier: Apache-2.0
/*
 * An alert's members read from its text in one pass, without building a jansson tree: at
 * fleet rates jansson's parse (some 140 instructions a byte) and freeing its ~50 allocations
 * per alert were most of the cockpit's CPU. The reader is a strict subset of JSON as jansson
 * reads it with JSON_REJECT_DUPLICATES: whatever it accepts, jansson accepts with the same
 * values; whatever it is unsure of (invalid text, escapes in keys, \u0000 and surrogate
 * escapes, numbers that might not fit, deep nesting) it declines, and the caller parses the
 * text with jansson as before, errors included. fuzz_cockpit_api checks the two agree.
 */
#include <string.h>

#include "store/alert_text.h"

#define MAX_DEPTH  64  /* nesting this reader follows (jansson: 2 048) */
#define MAX_KEYS   128 /* members of one object it checks for duplicates */
#define MAX_DIGITS 18  /* an integer of at most this many digits fits int64_t */

struct scan {
	const char *p;
	size_t len, at;
	char *scratch;
	size_t used, size;
};

/* Which member of which object: the top level's, workload's or process's. */
struct key {
	const char *name;
	size_t len; /* of name: keys are compared by length first */
	int field;  /* enum alert_field, or -1: an object of the keys in sub */
	const struct key *sub;
};

#define K(name) name, sizeof(name) - 1

static const struct key wl_keys[] = {
	{ K("id"), AF_WL_ID, NULL },
	{ K("container_id"), AF_WL_CONTAINER_ID, NULL },
	{ K("cgroup"), AF_WL_CGROUP, NULL },
	{ K("name"), AF_WL_NAME, NULL },
	{ K("namespace"), AF_WL_NAMESPACE, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct key proc_keys[] = {
	{ K("pid"), AF_PID, NULL },
	{ K("comm"), AF_COMM, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct key top_keys[] = {
	{ K("rule_id"), AF_RULE_ID, NULL },
	{ K("alert_id"), AF_ALERT_ID, NULL },
	{ K("time"), AF_TIME, NULL },
	{ K("node"), AF_NODE, NULL },
	{ K("incident_id"), AF_INCIDENT_ID, NULL },
	{ K("rule_name"), AF_RULE_NAME, NULL },
	{ K("severity"), AF_SEVERITY, NULL },
	{ K("message"), AF_MESSAGE, NULL },
	{ K("workload"), -1, wl_keys },
	{ K("process"), -1, proc_keys },
	{ NULL, 0, 0, NULL },
};

static void ws(struct scan *s)
{
	while (s->at < s->len && (s->p[s->at] == ' ' || s->p[s->at] == '\t' ||
				  s->p[s->at] == '\n' || s->p[s->at] == '\r'))
		s->at++;
}

static int peek(const struct scan *s)
{
	return s->at < s->len ? (unsigned char)s->p[s->at] : -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlong form, no surrogate,
 * nothing past U+10FFFF, as jansson checks), or 0. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* The end of the run from at of bytes that stand for themselves in a string: printable
 * ASCII but the quote and the backslash. */
static size_t plain_run(const char *p, size_t at, size_t len)
{
	while (at < len) {
		unsigned char c = (unsigned char)p[at];

		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			break;
		at++;
	}
	return at;
}

/*
 * The string at s->at (its opening quote): checked, and decoded into the scratch when out is
 * set. *raw_len: its bytes between the quotes; *escaped: it has a backslash.
 */
static bool string(struct scan *s, struct alert_member *out, size_t *raw_start, size_t *raw_len,
		   bool *escaped)
{
	size_t start = ++s->at, o = s->used;
	char *d = out ? s->scratch : NULL;

	*escaped = false;
	for (;;) {
		size_t run = plain_run(s->p, s->at, s->len);
		unsigned char c;

		if (run > s->at) { /* most of a string: copied at once */
			if (d) {
				if (o + (run - s->at) >= s->size)
					return false;
				memcpy(d + o, s->p + s->at, run - s->at);
				o += run - s->at;
			}
			s->at = run;
		}
		if (s->at >= s->len)
			return false;
		c = (unsigned char)s->p[s->at];
		if (c == '"')
			break;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *e;
			unsigned cp = 0;

			*escaped = true;
			if (s->at + 1 >= s->len)
				return false;
			c = (unsigned char)s->p[s->at + 1];
			if (c == 'u') {
				if (s->at + 6 > s->len)
					return false;
				for (int i = 2; i < 6; i++) {
					int h = hexval((unsigned char)s->p[s->at + (size_t)i]);

					if (h < 0)
						return false;
					cp = cp << 4 | (unsigned)h;
				}
				/* NUL is refused and a surrogate pair needs its partner: jansson's */
				if (!cp || (cp >= 0xd800 && cp <= 0xdfff))
					return false;
				if (d) {
					if (o + 4 >= s->size)
						return false;
					if (cp < 0x80) {
						d[o++] = (char)cp;
					} else if (cp < 0x800) {
						d[o++] = (char)(0xc0 | cp >> 6);
						d[o++] = (char)(0x80 | (cp & 0x3f));
					} else {
						d[o++] = (char)(0xe0 | cp >> 12);
						d[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
						d[o++] = (char)(0x80 | (cp & 0x3f));
					}
				}
				s->at += 6;
				continue;
			}
			e = c ? strchr(from, c) : NULL;
			if (!e)
				return false;
			if (d) {
				if (o + 1 >= s->size)
					return false;
				d[o++] = to[e - from];
			}
			s->at += 2;
			continue;
		}
		{ /* 0x80 and up (plain_run took the rest) */
			size_t n = utf8_len((const unsigned char *)s->p + s->at, s->len - s->at);

			if (!n)
				return false;
			if (d) {
				if (o + n >= s->size)
					return false;
				memcpy(d + o, s->p + s->at, n);
				o += n;
			}
			s->at += n;
		}
	}
	*raw_start = start;
	*raw_len = s->at - start;
	s->at++; /* the closing quote */
	if (d) {
		d[o] = '\0';
		*out = (struct alert_member){ .kind = AV_STRING,
					      .s = d + s->used,
					      .len = o - s->used };
		s->used = o + 1;
	}
	return true;
}

static bool digits(struct scan *s, size_t *n)
{
	size_t from = s->at;

	while (peek(s) >= '0' && peek(s) <= '9')
		s->at++;
	*n = s->at - from;
	return *n > 0;
}

/*
 * A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. An integer of more than 18
 * digits (jansson refuses one past int64_t) and a real with an exponent of more than 2 digits
 * or more than 40 characters (one past DBL_MAX is refused) are declined.
 */
static bool number(struct scan *s, struct alert_member *out)
{
	size_t from = s->at, n, ndig;
	bool neg = peek(s) == '-', real = false;
	int64_t v = 0;

	if (neg)
		s->at++;
	if (peek(s) == '0') {
		s->at++;
		ndig = 1;
	} else if (!digits(s, &ndig)) {
		return false;
	}
	if (ndig > MAX_DIGITS)
		return false;
	for (size_t i = s->at - ndig; i < s->at; i++)
		v = v * 10 + (s->p[i] - '0');
	if (peek(s) == '.') {
		s->at++;
		if (!digits(s, &n))
			return false;
		real = true;
	}
	if (peek(s) == 'e' || peek(s) == 'E') {
		s->at++;
		if (peek(s) == '+' || peek(s) == '-')
			s->at++;
		if (!digits(s, &n) || n > 2)
			return false;
		real = true;
	}
	if (s->at - from > 40)
		return false;
	if (out)
		*out = real ? (struct alert_member){ .kind = AV_OTHER }
			    : (struct alert_member){ .kind = AV_INTEGER, .i = neg ? -v : v };
	return true;
}

static bool literal(struct scan *s)
{
	static const char *const words[] = { "true", "false", "null" };

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if (s->len - s->at >= n && !memcmp(s->p + s->at, words[i], n)) {
			s->at += n;
			return true;
		}
	}
	return false;
}

static bool value(struct scan *s, int depth, const struct key *keys, struct alert_member *f,
		  struct alert_member *out);

/* The object at s->at; with keys, the members named there are read into f. */
static bool object(struct scan *s, int depth, const struct key *keys, struct alert_member *f)
{
	size_t kstart[MAX_KEYS], klen[MAX_KEYS], nkeys = 0;

	if (depth > MAX_DEPTH)
		return false;
	s->at++;
	ws(s);
	if (peek(s) == '}') {
		s->at++;
		return true;
	}
	for (;;) {
		const struct key *k = NULL;
		size_t ks, kl;
		bool esc;

		if (peek(s) != '"' || nkeys == MAX_KEYS || !string(s, NULL, &ks, &kl, &esc) || esc)
			return false;
		for (size_t i = 0; i < nkeys; i++)
			if (klen[i] == kl && !memcmp(s->p + kstart[i], s->p + ks, kl))
				return false; /* jansson refuses a duplicate key */
		kstart[nkeys] = ks;
		klen[nkeys++] = kl;
		for (const struct key *c = keys; c && c->name; c++)
			if (c->len == kl && !memcmp(c->name, s->p + ks, kl)) {
				k = c;
				break;
			}
		ws(s);
		if (peek(s) != ':')
			return false;
		s->at++;
		ws(s);
		if (!value(s, depth + 1, k ? k->sub : NULL, f,
			   k && k->field >= 0 ? &f[k->field] : NULL))
			return false;
		ws(s);
		if (peek(s) == ',') {
			s->at++;
			ws(s);
			continue;
		}
		if (peek(s) != '}')
			return false;
		s->at++;
		return true;
	}
}

static bool array(struct scan *s, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	s->at++;
	ws(s);
	if (peek(s) == ']') {
		s->at++;
		return true;
	}
	for (;;) {
		if (!value(s, depth + 1, NULL, NULL, NULL))
			return false;
		ws(s);
		if (peek(s) == ',') {
			s->at++;
			ws(s);
			continue;
		}
		if (peek(s) != ']')
			return false;
		s->at++;
		return true;
	}
}

/*
 * A value: read into out when set (a string decoded, an integer's value, else AV_OTHER); an
 * object with keys has its members read into f (keys: the members of workload or process).
 */
static bool value(struct scan *s, int depth, const struct key *keys, struct alert_member *f,
		  struct alert_member *out)
{
	int c = peek(s);
	size_t rs, rl;
	bool esc;

	if (c == '"')
		return string(s, out, &rs, &rl, &esc);
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(s, out);
	if (out)
		out->kind = AV_OTHER;
	if (c == '{')
		return object(s, depth, keys, f);
	if (c == '[')
		return array(s, depth);
	return literal(s);
}

bool store_alert_text_read(const char *text, size_t len, size_t *at, struct alert_text *a,
			   char *scratch, size_t size)
{
	struct scan s = { .p = text, .len = len, .at = *at, .scratch = scratch, .size = size };

	memset(a->f, 0, sizeof(a->f));
	ws(&s);
	if (peek(&s) != '{')
		return false;
	a->start = s.at;
	if (!object(&s, 1, top_keys, a->f))
		return false;
	a->end = s.at;
	*at = s.at;
	return true;
}
