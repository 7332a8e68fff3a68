// SPDX-License-Identifier: Apache-2.0
/*
 * Single-pattern wildcard matching with Kubescape's semantics (see wildcard.h). Every pattern
 * is reduced to literal / ONE / STAR tokens, which the classic greedy glob algorithm matches in
 * O(pattern x query) without recursion: it only ever backtracks to the most recent STAR.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "profile/wildcard.h"
#include "util/strutil.h"

static bool seg_is(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len == n && memcmp(s, lit, n) == 0;
}

size_t vigil_wc_path_trim(const char *s, size_t len)
{
	size_t n = len;

	while (n > 1 && s[n - 1] == '/')
		n--;
	return n;
}

/*
 * Bit 8k+7 set for every byte k of w equal to sep, exactly (no borrow between bytes). The split
 * runs on every query: eight bytes a step beats a byte loop or a memchr call per segment.
 */
static uint64_t sep_bytes(uint64_t w, uint64_t pat)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t x = w ^ pat;

	return ~(((x & low7) + low7) | x | low7);
}

/* Ends the segment that ends at i; -EINVAL when the query cannot match anything. */
static int emit_seg(const char *s, size_t *start, size_t i, enum vigil_wc_kind kind,
		    struct vigil_wc_seg *out, size_t max, size_t *n)
{
	if (kind == VIGIL_WC_DNS && i == *start)
		return -EINVAL; /* an empty label is not a name */
	if (*n < max) {
		out[*n].s = s + *start;
		out[*n].len = (uint32_t)(i - *start);
		out[*n].tok = VIGIL_WC_LIT;
	}
	if (++*n > VIGIL_WC_MAX_SEGS)
		return -EINVAL;
	*start = i + 1;
	return 0;
}

int vigil_wc_split(const char *s, size_t len, enum vigil_wc_kind kind, struct vigil_wc_seg *out,
		   size_t max)
{
	char sep = kind == VIGIL_WC_DNS ? '.' : '/';
	size_t n = 0, start = 0, i;
	uint64_t pat;

	if (!s || len == 0 || len > VIGIL_WC_MAX_LEN)
		return -EINVAL;
	if (kind == VIGIL_WC_PATH) {
		len = vigil_wc_path_trim(s, len);
		/* "/" (all separators) is the single empty segment, as Go's split + trim gives. */
		if (len == 1 && s[0] == '/')
			len = 0;
	}
	pat = 0x0101010101010101ULL * (uint8_t)sep;
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w, t;

		memcpy(&w, s + i, 8);
		for (t = sep_bytes(w, pat); t; t &= t - 1)
			if (emit_seg(s, &start, i + (size_t)__builtin_ctzll(t) / 8, kind, out, max,
				     &n) < 0)
				return -EINVAL;
	}
	for (; i < len; i++)
		if (s[i] == sep && emit_seg(s, &start, i, kind, out, max, &n) < 0)
			return -EINVAL;
	if (emit_seg(s, &start, len, kind, out, max, &n) < 0)
		return -EINVAL;
	return (int)n;
}

int vigil_wc_dns_normalize(const char *name, char *out, size_t size)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= size || len > VIGIL_WC_MAX_LEN)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.' && (i == 0 || name[i - 1] == '.'))
			return -EINVAL;
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	return (int)len;
}

void vigil_wc_pattern__release(struct vigil_wc_pattern *p)
{
	if (!p)
		return;
	free(p->text);
	free(p->segs);
	memset(p, 0, sizeof(*p));
}

int vigil_wc_pattern__compile(struct vigil_wc_pattern *p, const char *pattern,
			      enum vigil_wc_kind kind)
{
	size_t len;
	int n, r;

	memset(p, 0, sizeof(*p));
	if (!pattern)
		return -EINVAL;
	len = strlen(pattern);
	if (len == 0 || len > VIGIL_WC_MAX_LEN)
		return -EINVAL;
	p->text = malloc(len + 1);
	if (!p->text)
		return -ENOMEM;
	if (kind == VIGIL_WC_DNS) {
		r = vigil_wc_dns_normalize(pattern, p->text, len + 1);
		if (r < 0)
			goto fail;
		len = (size_t)r;
	} else {
		len = vigil_wc_path_trim(pattern, len);
		memcpy(p->text, pattern, len);
		p->text[len] = '\0';
	}
	n = vigil_wc_split(p->text, len, kind, NULL, 0);
	if (n < 0) {
		r = n;
		goto fail;
	}
	/* One spare slot: a trailing "*" becomes ONE STAR. */
	p->segs = calloc((size_t)n + 1, sizeof(*p->segs));
	if (!p->segs) {
		r = -ENOMEM;
		goto fail;
	}
	vigil_wc_split(p->text, len, kind, p->segs, (size_t)n);
	p->nsegs = (uint32_t)n;
	p->literal = true;
	for (uint32_t i = 0; i < p->nsegs; i++) {
		struct vigil_wc_seg *s = &p->segs[i];
		bool last = i + 1 == p->nsegs;

		if (seg_is(s->s, s->len, VIGIL_WC_ONE)) {
			s->tok = VIGIL_WC_TOK_ONE;
		} else if (seg_is(s->s, s->len, "*")) {
			if (kind == VIGIL_WC_DNS && p->nsegs == 1) {
				r = -EINVAL; /* a lone "*" has no anchor (networkmatch rejects it) */
				goto fail;
			}
			if (last && !(kind == VIGIL_WC_DNS && i == 0)) {
				/* Trailing: one or more. */
				s->tok = VIGIL_WC_TOK_ONE;
				p->segs[p->nsegs].s = s->s;
				p->segs[p->nsegs].len = s->len;
				p->segs[p->nsegs].tok = VIGIL_WC_TOK_STAR;
				p->nsegs++;
				p->literal = false;
				break;
			}
			/* Mid-path: zero or more. DNS leading or middle: exactly one label. */
			s->tok = kind == VIGIL_WC_DNS ? VIGIL_WC_TOK_ONE : VIGIL_WC_TOK_STAR;
		} else if (kind == VIGIL_WC_DNS && seg_is(s->s, s->len, "**")) {
			r = -EINVAL; /* reserved by the BoB spec */
			goto fail;
		} else {
			continue;
		}
		p->literal = false;
	}
	return 0;
fail:
	vigil_wc_pattern__release(p);
	return r;
}

static bool seg_eq(const struct vigil_wc_seg *a, const struct vigil_wc_seg *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

bool vigil_wc_pattern__match(const struct vigil_wc_pattern *p, const struct vigil_wc_seg *q,
			     size_t nq)
{
	const struct vigil_wc_seg *t = p->segs;
	size_t np = p->nsegs, pi = 0, qi = 0, star_p = SIZE_MAX, star_q = 0;

	while (qi < nq) {
		if (pi < np && t[pi].tok == VIGIL_WC_TOK_STAR) {
			star_p = ++pi;
			star_q = qi;
			continue;
		}
		if (pi < np && (t[pi].tok == VIGIL_WC_TOK_ONE || seg_eq(&t[pi], &q[qi]))) {
			pi++;
			qi++;
			continue;
		}
		if (star_p == SIZE_MAX)
			return false;
		/* Let the last STAR absorb one more segment and retry from there. */
		pi = star_p;
		qi = ++star_q;
	}
	while (pi < np && t[pi].tok == VIGIL_WC_TOK_STAR)
		pi++;
	return pi == np;
}

static bool match_text(const char *pattern, const char *query, size_t qlen, enum vigil_wc_kind kind)
{
	struct vigil_wc_pattern p;
	struct vigil_wc_seg stack[64], *q = stack;
	bool ok = false;
	int n;

	n = vigil_wc_split(query, qlen, kind, q, 64);
	if (n < 0)
		return false;
	if (n > 64) {
		q = calloc((size_t)n, sizeof(*q));
		if (!q)
			return false;
		vigil_wc_split(query, qlen, kind, q, (size_t)n);
	}
	if (vigil_wc_pattern__compile(&p, pattern, kind) == 0) {
		ok = vigil_wc_pattern__match(&p, q, (size_t)n);
		vigil_wc_pattern__release(&p);
	}
	if (q != stack)
		free(q);
	return ok;
}

bool vigil_wc_path_match(const char *pattern, const char *path)
{
	if (!pattern || !path || !*path)
		return false;
	return match_text(pattern, path, strlen(path), VIGIL_WC_PATH);
}

bool vigil_wc_dns_match(const char *pattern, const char *name)
{
	char buf[1024];
	int n;

	if (!pattern || !name)
		return false;
	n = vigil_wc_dns_normalize(name, buf, sizeof(buf));
	if (n < 0)
		return false;
	return match_text(pattern, buf, (size_t)n, VIGIL_WC_DNS);
}

/* ---- exec arguments ------------------------------------------------------------------- */

bool vigil_wc_arg_token_match(const char *tok, const char *arg)
{
	const char *a, *b;

	if (strcmp(tok, VIGIL_WC_ONE) == 0)
		return true;
	if (!strstr(tok, VIGIL_WC_ONE))
		return strcmp(tok, arg) == 0;
	/* A path-shaped token: same number of '/' segments, "⋯" stands for one of them. */
	a = tok;
	b = arg;
	for (;;) {
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");

		if (!seg_is(a, la, VIGIL_WC_ONE) && (la != lb || memcmp(a, b, la) != 0))
			return false;
		a += la;
		b += lb;
		if (!*a || !*b)
			return !*a && !*b;
		a++;
		b++;
	}
}

enum vigil_wc_arg vigil_wc_arg_kind(const char *tok)
{
	if (strcmp(tok, VIGIL_WC_ARGS) == 0)
		return VIGIL_WC_ARG_ANY;
	if (strcmp(tok, VIGIL_WC_ONE) == 0)
		return VIGIL_WC_ARG_ONE;
	return strstr(tok, VIGIL_WC_ONE) ? VIGIL_WC_ARG_SEGS : VIGIL_WC_ARG_LIT;
}

static bool arg_kind_match(const char *tok, uint8_t kind, const char *arg)
{
	switch (kind) {
	case VIGIL_WC_ARG_ONE:
		return true;
	case VIGIL_WC_ARG_LIT:
		return strcmp(tok, arg) == 0;
	default:
		return vigil_wc_arg_token_match(tok, arg);
	}
}

bool vigil_wc_args_match_kinds(const char *const *pat, const uint8_t *kinds, size_t npat,
			       const char *const *argv, size_t argc)
{
	size_t pi = 0, qi = 0, star_p = SIZE_MAX, star_q = 0;

	while (qi < argc) {
		if (pi < npat && kinds[pi] == VIGIL_WC_ARG_ANY) {
			star_p = ++pi;
			star_q = qi;
			continue;
		}
		if (pi < npat && arg_kind_match(pat[pi], kinds[pi], argv[qi] ? argv[qi] : "")) {
			pi++;
			qi++;
			continue;
		}
		if (star_p == SIZE_MAX)
			return false;
		/* Let the last ⋯⋯ absorb one more argument and retry from there. */
		pi = star_p;
		qi = ++star_q;
	}
	while (pi < npat && kinds[pi] == VIGIL_WC_ARG_ANY)
		pi++;
	return pi == npat;
}

bool vigil_wc_args_match(const char *const *pat, size_t npat, bool args_required,
			 const char *const *argv, size_t argc)
{
	uint8_t stack[64] = { 0 }, *kinds = stack;
	bool ok;

	if (!args_required)
		return true;
	if (npat > 64) {
		kinds = malloc(npat);
		if (!kinds)
			return false;
	}
	for (size_t i = 0; i < npat; i++)
		kinds[i] = (uint8_t)vigil_wc_arg_kind(pat[i]);
	ok = vigil_wc_args_match_kinds(pat, kinds, npat, argv, argc);
	if (kinds != stack)
		free(kinds);
	return ok;
}

/* ---- IP addresses ----------------------------------------------------------------------- */

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void mask_addr(uint8_t *a, unsigned bits, unsigned total)
{
	for (unsigned i = 0; i < total / 8; i++) {
		unsigned keep = bits > i * 8 ? bits - i * 8 : 0;

		if (keep >= 8)
			continue;
		a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int vigil_wc_ip_parse(const char *s, struct vigil_wc_ipnet *ret)
{
	struct vigil_wc_ipnet n;
	char buf[64];
	const char *slash;
	size_t alen;
	uint64_t prefix = 0;
	bool cidr;

	if (!s)
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	if (strcmp(s, "*") == 0) {
		n.any = true;
		*ret = n;
		return 0;
	}
	slash = strchr(s, '/');
	cidr = slash != NULL;
	alen = cidr ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (cidr && (slash[1] < '0' || slash[1] > '9' || vigil_parse_u64(slash + 1, &prefix) < 0))
		return -EINVAL;
	if (inet_pton(AF_INET, buf, n.addr) == 1) {
		n.family = 4;
		if (prefix > 32)
			return -EINVAL;
		n.prefix = cidr ? (uint8_t)prefix : 32;
	} else if (inet_pton(AF_INET6, buf, n.addr) == 1) {
		n.family = 6;
		if (prefix > 128)
			return -EINVAL;
		n.prefix = cidr ? (uint8_t)prefix : 128;
		if (!cidr && memcmp(n.addr, v4_mapped, 12) == 0) {
			/* Go's net.IP treats ::ffff:a.b.c.d and a.b.c.d as the same address. */
			memmove(n.addr, n.addr + 12, 4);
			memset(n.addr + 4, 0, 12);
			n.family = 4;
			n.prefix = 32;
		}
	} else {
		return -EINVAL;
	}
	mask_addr(n.addr, n.prefix, n.family == 4 ? 32 : 128);
	*ret = n;
	return 0;
}

int vigil_wc_ip_normalize(int family, const void *addr, uint8_t out[16], uint8_t *ret_family)
{
	memset(out, 0, 16);
	if (family == AF_INET) {
		memcpy(out, addr, 4);
		*ret_family = 4;
	} else if (family == AF_INET6) {
		memcpy(out, addr, 16);
		*ret_family = 6;
		if (memcmp(out, v4_mapped, 12) == 0) {
			memmove(out, out + 12, 4);
			memset(out + 4, 0, 12);
			*ret_family = 4;
		}
	} else {
		return -EINVAL;
	}
	return 0;
}

bool vigil_wc_ip_match(const struct vigil_wc_ipnet *net, uint8_t family, const uint8_t addr[16])
{
	uint8_t a[16];

	if (net->any)
		return family == 4 || family == 6;
	if (net->family != family)
		return false;
	memcpy(a, addr, 16);
	mask_addr(a, net->prefix, family == 4 ? 32 : 128);
	return memcmp(a, net->addr, family == 4 ? 4 : 16) == 0;
}

/* ---- open flags ------------------------------------------------------------------------- */

/*
 * The x86-64 kernel values (uapi asm-generic/fcntl.h), not libc's: glibc has O_LARGEFILE 0.
 * Sorted by name for bsearch (every open entry of a profile looks its flags up).
 */
static const struct open_flag {
	const char *name;
	uint64_t bits;
} open_flags[] = {
	{ "O_APPEND", 02000 },
	{ "O_ASYNC", 020000 },
	{ "O_CLOEXEC", 02000000 },
	{ "O_CREAT", 0100 },
	{ "O_DIRECT", 040000 },
	{ "O_DIRECTORY", 0200000 },
	{ "O_DSYNC", 010000 },
	{ "O_EXCL", 0200 },
	{ "O_FASYNC", 020000 },
	{ "O_LARGEFILE", 0100000 },
	{ "O_NDELAY", 04000 },
	{ "O_NOATIME", 01000000 },
	{ "O_NOCTTY", 0400 },
	{ "O_NOFOLLOW", 0400000 },
	{ "O_NONBLOCK", 04000 },
	{ "O_PATH", 010000000 },
	{ "O_RDONLY", VIGIL_WC_FLAG_RDONLY },
	{ "O_RDWR", VIGIL_WC_FLAG_RDWR },
	{ "O_RSYNC", 04010000 },
	{ "O_SYNC", 04010000 },
	{ "O_TMPFILE", 020200000 },
	{ "O_TRUNC", 01000 },
	{ "O_WRONLY", VIGIL_WC_FLAG_WRONLY },
};

static int flag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct open_flag *)elem)->name);
}

#define OPEN_FLAG_BITS 037777774u /* every kernel bit above the access mode */

int vigil_wc_open_flag(const char *name, uint64_t *ret)
{
	const struct open_flag *f =
		bsearch(name, open_flags, sizeof(open_flags) / sizeof(open_flags[0]),
			sizeof(open_flags[0]), flag_cmp);

	if (!f)
		return -ENOENT;
	*ret = f->bits;
	return 0;
}

uint64_t vigil_wc_open_flags(uint32_t flags)
{
	static const uint64_t mode[4] = { VIGIL_WC_FLAG_RDONLY, VIGIL_WC_FLAG_WRONLY,
					  VIGIL_WC_FLAG_RDWR, VIGIL_WC_FLAG_RDWR };

	return mode[flags & 3] | (flags & OPEN_FLAG_BITS);
}

/* ---- HTTP endpoints ------------------------------------------------------------------- */

int vigil_wc_endpoint_split(const char *ep, uint16_t *ret_port, const char **ret_path)
{
	unsigned long port = 0;
	const char *p;

	if (!ep)
		return -EINVAL;
	if (ep[0] != ':') {
		*ret_port = 0;
		*ret_path = *ep ? ep : "/";
		return 0;
	}
	p = ep + 1;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return -EINVAL;
		p++;
	}
	if (*p && *p != '/')
		return -EINVAL;
	*ret_port = (uint16_t)port;
	*ret_path = *p ? p : "/";
	return 0;
}

bool vigil_wc_token_pattern(const char *pattern)
{
	size_t n = pattern ? strlen(pattern) : 0;

	return n > 6 && !strcmp(pattern + n - 6, "/token") && strstr(pattern, "/serviceaccount/");
}
