/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubescape wildcard semantics, one pattern at a time (no index). docs/PROFILES.md and
 * docs/BENCHMARKS.md describe the rules; Kubescape's sources are named next to each rule.
 *
 * Patterns are compiled once into tokens: a literal, ONE (exactly one segment) or STAR (zero or
 * more segments). Compiling rewrites the Kubescape forms into these three:
 *   paths   "⋯" -> ONE; "*" mid-path -> STAR; a trailing "*" -> ONE STAR (one or more);
 *           trailing '/' are ignored ("/etc/" is "/etc"), so "/" is the one empty segment.
 *   DNS     lower-cased, one trailing dot dropped; "⋯" -> ONE; a leading or middle "*" -> ONE
 *           (RFC 4592: exactly one label); a trailing "*" -> ONE STAR (one or more labels).
 * Internal to lib/profile (the matcher, its index, the benchmarks and tests).
 */
#ifndef VIGIL_PROFILE_WILDCARD_H
#define VIGIL_PROFILE_WILDCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_WC_ONE  "\xe2\x8b\xaf"		 /* ⋯ */
#define VIGIL_WC_ARGS "\xe2\x8b\xaf\xe2\x8b\xaf" /* ⋯⋯ */

/* Longest pattern or query accepted (bytes); longer ones never match. */
#define VIGIL_WC_MAX_LEN 8192
/* Most segments in a pattern or query; more never match. */
#define VIGIL_WC_MAX_SEGS 4096

enum vigil_wc_tok {
	VIGIL_WC_LIT = 0,
	VIGIL_WC_TOK_ONE = 1,
	VIGIL_WC_TOK_STAR = 2,
};

/* A segment of a pattern or query: points into a string owned elsewhere. */
struct vigil_wc_seg {
	const char *s;
	uint32_t len;
	uint32_t tok; /* enum vigil_wc_tok; always VIGIL_WC_LIT in a query */
};

enum vigil_wc_kind {
	VIGIL_WC_PATH = 1, /* '/' separated file paths and endpoint paths */
	VIGIL_WC_DNS,	   /* '.' separated DNS names */
};

/*
 * Splits a query (a path or a DNS name already normalized) into at most max segments.
 * Returns the number of segments (may be > max: call again with a larger buffer), or -EINVAL
 * for an empty or too long query. Segments point into s.
 */
int vigil_wc_split(const char *s, size_t len, enum vigil_wc_kind kind, struct vigil_wc_seg *out,
		   size_t max);

/* A compiled pattern. Owns a copy of the text. */
struct vigil_wc_pattern {
	char *text; /* normalized text (DNS: lower case, no trailing dot) */
	struct vigil_wc_seg *segs;
	uint32_t nsegs;
	bool literal; /* no ONE/STAR token: text can be looked up verbatim */
};

/*
 * Compiles pattern. Returns 0, -EINVAL (empty, too long, an invalid DNS pattern: empty label,
 * "**", a lone "*"), or -ENOMEM. Release with vigil_wc_pattern__release.
 */
int vigil_wc_pattern__compile(struct vigil_wc_pattern *p, const char *pattern,
			      enum vigil_wc_kind kind);
void vigil_wc_pattern__release(struct vigil_wc_pattern *p);

/* Matches a compiled pattern against a split query (anchored at both ends). */
bool vigil_wc_pattern__match(const struct vigil_wc_pattern *p, const struct vigil_wc_seg *q,
			     size_t nq);

/* Convenience: compile + split + match. False on any invalid input. */
bool vigil_wc_path_match(const char *pattern, const char *path);
bool vigil_wc_dns_match(const char *pattern, const char *name);

/*
 * Normalizes a DNS name into out: lower case, one trailing dot removed. Returns the length,
 * or -EINVAL (empty, an empty label, too long for size).
 */
int vigil_wc_dns_normalize(const char *name, char *out, size_t size);

/*
 * The effective length of a path query: trailing '/' dropped, but "/" (or "//") stays "/".
 * Returns 0 for "".
 */
size_t vigil_wc_path_trim(const char *s, size_t len);
/*
 * Whether an open pattern names a service-account token (R0006): it ends in "/token" and has a
 * "/serviceaccount/" segment, as detection's token class (sensor/detect/paths.c). Kubescape's
 * R0006 treats any such entry as allowing every token open, whatever name it was learned under
 * (the kubelet's symlink ".../serviceaccount/token" or a timestamped "..2024_.../token"), and so
 * does Vigil (docs/ALERTS.md R0006).
 */
bool vigil_wc_token_pattern(const char *pattern);

/* ---- exec arguments ------------------------------------------------------------------- */

/*
 * Kubescape's argv rule (storage: pkg/registry/file/dynamicpathdetector/compare_exec_args.go,
 * MatchExecArgs): argsRequired false -> any argv; true -> anchored, position by position:
 * "⋯⋯" absorbs zero or more whole args, "⋯" is exactly one arg, a token that contains "⋯" is
 * matched '/'-segment by segment with the same count ("⋯" = one segment), anything else
 * (including "*") is literal.
 */
bool vigil_wc_args_match(const char *const *pat, size_t npat, bool args_required,
			 const char *const *argv, size_t argc);
/* One token against one argument (the non-"⋯⋯" part of the rule above). */
bool vigil_wc_arg_token_match(const char *tok, const char *arg);

/* What an argument token is, so a matcher can classify its tokens once. */
enum vigil_wc_arg {
	VIGIL_WC_ARG_LIT = 0, /* compared as is */
	VIGIL_WC_ARG_ONE,     /* "⋯": any one argument */
	VIGIL_WC_ARG_ANY,     /* "⋯⋯": zero or more arguments */
	VIGIL_WC_ARG_SEGS,    /* holds "⋯": compared '/'-segment by segment */
};
enum vigil_wc_arg vigil_wc_arg_kind(const char *tok);
/* vigil_wc_args_match with argsRequired true and kinds[i] = vigil_wc_arg_kind(pat[i]). */
bool vigil_wc_args_match_kinds(const char *const *pat, const uint8_t *kinds, size_t npat,
			       const char *const *argv, size_t argc);

/* ---- IP addresses ----------------------------------------------------------------------- */

/* A literal (prefix = full length), a CIDR, or any address. */
struct vigil_wc_ipnet {
	bool any;
	uint8_t family;	  /* 4 or 6 */
	uint8_t prefix;	  /* bits */
	uint8_t addr[16]; /* masked to prefix; IPv4 in the first 4 bytes */
};

/*
 * Parses "*", "10.0.0.1", "10.0.0.0/8", "fd00::1", "fd00::/8". An IPv4-mapped IPv6 literal
 * ("::ffff:10.0.0.1") is stored as IPv4, as Go's net.IP equality does. Host bits of a CIDR are
 * cleared. Returns 0 or -EINVAL.
 */
int vigil_wc_ip_parse(const char *s, struct vigil_wc_ipnet *ret);
/*
 * Normalizes an observed address: family AF_INET or AF_INET6, addr in network order. An
 * IPv4-mapped IPv6 address becomes IPv4. Returns 4 or 6 in *ret_family and the bytes in out[16],
 * or -EINVAL for another family.
 */
int vigil_wc_ip_normalize(int family, const void *addr, uint8_t out[16], uint8_t *ret_family);
bool vigil_wc_ip_match(const struct vigil_wc_ipnet *net, uint8_t family, const uint8_t addr[16]);

/* ---- open flags ------------------------------------------------------------------------- */

/*
 * Open flags as a 64-bit set: the O_* bits as the kernel defines them (x86-64), with the access
 * mode moved out of bits 0-1 into three bits of its own so O_RDONLY (0) can be named.
 */
#define VIGIL_WC_FLAG_RDONLY (1ULL << 32)
#define VIGIL_WC_FLAG_WRONLY (1ULL << 33)
#define VIGIL_WC_FLAG_RDWR   (1ULL << 34)

/* The set for a flag name ("O_RDONLY", "O_CLOEXEC", ...): 0 and *ret, or -ENOENT. */
int vigil_wc_open_flag(const char *name, uint64_t *ret);
/* The set an open(2) flags word names: the access mode plus every named bit set in it. */
uint64_t vigil_wc_open_flags(uint32_t flags);

/* ---- HTTP endpoints ------------------------------------------------------------------- */

/*
 * Splits ":PORT/path" into port (0 = any) and the path part ("/" when none). A string without a
 * leading ':' is a path on any port. Returns 0 or -EINVAL (bad port).
 */
int vigil_wc_endpoint_split(const char *ep, uint16_t *ret_port, const char **ret_path);

#endif
