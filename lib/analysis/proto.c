// SPDX-License-Identifier: Apache-2.0
/*
 * Protocol of a flow from its first payload bytes. Each detector checks structure, not just a
 * magic byte, so that a random binary stream is rarely mistaken for a known protocol. Inputs
 * are untrusted and truncated samples: every read is bounds-checked against len.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vigil/analysis.h"

static const char *const proto_names[VIGIL_PROTO__MAX] = {
	[VIGIL_PROTO_NONE] = "none",	 [VIGIL_PROTO_HTTP] = "http",
	[VIGIL_PROTO_DNS] = "dns",	 [VIGIL_PROTO_TLS] = "tls",
	[VIGIL_PROTO_REDIS] = "redis",	 [VIGIL_PROTO_POSTGRES] = "postgres",
	[VIGIL_PROTO_MYSQL] = "mysql",	 [VIGIL_PROTO_TEXT] = "text",
	[VIGIL_PROTO_BINARY] = "binary",
};

const char *vigil_proto__name(enum vigil_proto p)
{
	if ((unsigned)p >= VIGIL_PROTO__MAX || !proto_names[p])
		return "none";
	return proto_names[p];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Copies up to n printable bytes of s into detail, replacing others with '.'. */
static void put_printable(char *out, size_t size, const char *prefix, const uint8_t *s, size_t n)
{
	size_t o = (size_t)snprintf(out, size, "%s", prefix);

	for (size_t i = 0; i < n && o + 1 < size; i++)
		out[o++] = isprint(s[i]) ? (char)s[i] : '.';
	if (o < size)
		out[o] = '\0';
}

static size_t line_len(const uint8_t *d, size_t len)
{
	size_t i = 0;

	while (i < len && d[i] != '\r' && d[i] != '\n')
		i++;
	return i;
}

static bool detect_http(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	static const char *const methods[] = { "GET ",	 "POST ",    "PUT ",	 "DELETE ", "HEAD ",
					       "PATCH ", "OPTIONS ", "CONNECT ", "TRACE " };
	size_t ll = line_len(d, len);

	if (len >= 12 && !memcmp(d, "HTTP/1.", 7) && d[8] == ' ' && isdigit(d[9]) &&
	    isdigit(d[10]) && isdigit(d[11])) {
		put_printable(r->detail, sizeof(r->detail), "response ", d, ll);
		return true;
	}
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);

		if (len <= ml || memcmp(d, methods[i], ml) || d[ml] == ' ')
			continue;
		/* The request line must look like one: "METHOD target HTTP/1.x" when complete. */
		if (ll < len) {
			if (ll < ml + 10 || memcmp(d + ll - 9, " HTTP/", 6))
				return false;
		}
		put_printable(r->detail, sizeof(r->detail), "", d, ll);
		return true;
	}
	return false;
}

static bool tls_sni(const uint8_t *d, size_t len, char *out, size_t size)
{
	size_t p = 5 + 4 + 2 + 32, end;

	if (p + 1 > len)
		return false;
	p += 1 + d[p]; /* session id */
	if (p + 2 > len)
		return false;
	p += 2 + be16(d + p); /* cipher suites */
	if (p + 1 > len)
		return false;
	p += 1 + d[p]; /* compression methods */
	if (p + 2 > len)
		return false;
	end = p + 2 + be16(d + p);
	p += 2;
	if (end > len)
		end = len;
	while (p + 4 <= end) {
		uint16_t type = be16(d + p), elen = be16(d + p + 2);

		p += 4;
		if (type == 0 && p + 5 <= end && p + elen <= end) {
			uint16_t nlen = be16(d + p + 3);

			if (d[p + 2] != 0 || p + 5 + nlen > end)
				return false;
			put_printable(out, size, "", d + p + 5, nlen);
			return true;
		}
		p += elen;
	}
	return false;
}

static bool detect_tls(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	static const char *const vers[] = { "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3" };
	uint16_t rlen;
	char sni[64] = "";

	if (len < 6 || d[0] != 0x16 || d[1] != 3 || d[2] > 4)
		return false;
	rlen = be16(d + 3);
	if (rlen < 4 || rlen > 16384 + 2048)
		return false;
	if (d[5] == 1) {
		/* ClientHello: the body's own version field is the meaningful one. */
		uint8_t v = len >= 11 && d[9] == 3 && d[10] <= 4 ? d[10] : d[2];

		tls_sni(d, len, sni, sizeof(sni));
		snprintf(r->detail, sizeof(r->detail), "ClientHello %s%s%s", vers[v],
			 sni[0] ? " sni=" : "", sni);
		return true;
	}
	if (d[5] == 2) {
		snprintf(r->detail, sizeof(r->detail), "ServerHello %s", vers[d[2]]);
		return true;
	}
	return false;
}

/* One DNS message (no TCP prefix). */
static bool detect_dns_msg(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	uint16_t flags, qd, an, ns, ar;
	size_t p = 12, o = 0;
	char name[80];
	int labels = 0;

	if (len < 17 || len > 65535)
		return false;
	flags = be16(d + 2);
	qd = be16(d + 4);
	an = be16(d + 6);
	ns = be16(d + 8);
	ar = be16(d + 10);
	/* opcode QUERY, Z bit clear, one to ten questions, few records */
	if (((flags >> 11) & 0xf) != 0 || (flags & 0x40) || qd < 1 || qd > 10 || an > 25 ||
	    ns > 25 || ar > 25)
		return false;
	if (!(flags & 0x8000) && (an || ns)) /* a query carries no answers */
		return false;
	for (;;) {
		uint8_t l;

		if (p >= len)
			return false;
		l = d[p++];
		if (!l)
			break;
		if (l > 63 || p + l > len || ++labels > 127)
			return false;
		for (size_t i = 0; i < l; i++) {
			uint8_t c = d[p + i];

			if (c <= 0x20 || c >= 0x7f)
				return false;
			if (o + 2 < sizeof(name))
				name[o++] = (char)tolower(c);
		}
		if (o + 2 < sizeof(name))
			name[o++] = '.';
		p += l;
	}
	if (p + 4 > len)
		return false;
	if (be16(d + p + 2) != 1 && be16(d + p + 2) != 255) /* class IN or ANY */
		return false;
	if (o)
		o--; /* no trailing dot */
	name[o] = '\0';
	snprintf(r->detail, sizeof(r->detail), "%s %.64s type %u",
		 flags & 0x8000 ? "answer" : "query", o ? name : ".", be16(d + p));
	return true;
}

static bool detect_dns(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	if (detect_dns_msg(d, len, r))
		return true;
	/* DNS over TCP: a 2-byte length first (the sample may be shorter than the message). */
	if (len > 2 && be16(d) >= 17 && be16(d) >= len - 2)
		return detect_dns_msg(d + 2, len - 2, r);
	return false;
}

/* Digits then CRLF at d[p]; returns the index after CRLF or 0. */
static size_t resp_number(const uint8_t *d, size_t len, size_t p, long *ret)
{
	long v = 0;
	size_t start = p;

	if (p < len && d[p] == '-')
		p++;
	while (p < len && isdigit(d[p]) && p - start < 12)
		v = v * 10 + (d[p++] - '0');
	if (p == start || p + 2 > len || d[p] != '\r' || d[p + 1] != '\n')
		return 0;
	*ret = d[start] == '-' ? -v : v;
	return p + 2;
}

static bool detect_redis(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	size_t p, ll;
	long n, blen;

	if (len < 4)
		return false;
	switch (d[0]) {
	case '*': /* a command: array of bulk strings */
		p = resp_number(d, len, 1, &n);
		if (!p || n < 1 || n > 1024 * 1024 || p >= len || d[p] != '$')
			return false;
		p = resp_number(d, len, p + 1, &blen);
		if (!p || blen < 0 || blen > 512)
			return false;
		put_printable(r->detail, sizeof(r->detail), "command ", d + p,
			      (size_t)blen < len - p ? (size_t)blen : len - p);
		return true;
	case '+':
	case '-':
	case ':':
		ll = line_len(d, len);
		if (ll + 2 > len || d[ll] != '\r' || d[ll + 1] != '\n' || ll < 2)
			return false;
		for (size_t i = 1; i < ll; i++)
			if (!isprint(d[i]))
				return false;
		if (d[0] == ':' && !resp_number(d, len, 1, &n))
			return false;
		put_printable(r->detail, sizeof(r->detail), "reply ", d, ll);
		return true;
	case '$':
		p = resp_number(d, len, 1, &blen);
		if (!p || blen < -1 || blen > 512 * 1024 * 1024)
			return false;
		snprintf(r->detail, sizeof(r->detail), "reply bulk %ld bytes", blen);
		return true;
	}
	return false;
}

static bool detect_postgres(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	uint32_t mlen, code;

	if (len >= 8) {
		mlen = be32(d);
		code = be32(d + 4);
		if (mlen == 8 && code == 80877103) {
			snprintf(r->detail, sizeof(r->detail), "SSLRequest");
			return true;
		}
		if (mlen == 8 && code == 80877104) {
			snprintf(r->detail, sizeof(r->detail), "GSSENCRequest");
			return true;
		}
		if (code == 0x00030000 && mlen >= 9 && mlen <= 10000 && (len < 9 || d[8] >= 'a')) {
			/* StartupMessage: protocol 3.0 then "key\0value\0" pairs. */
			size_t n = len < mlen ? len : mlen;

			put_printable(r->detail, sizeof(r->detail), "startup ", d + 8,
				      n > 8 + 40 ? 40 : n - 8);
			return true;
		}
	}
	if (len >= 6 && d[0] == 'Q') {
		mlen = be32(d + 1);
		if (mlen < 5 || mlen > 1u << 30)
			return false;
		for (size_t i = 5; i < len && i < mlen; i++)
			if (!isprint(d[i]) && !isspace(d[i]) && !(d[i] == 0 && i == mlen))
				return false;
		put_printable(r->detail, sizeof(r->detail), "query ", d + 5,
			      len - 5 > 60 ? 60 : len - 5);
		return true;
	}
	return false;
}

static bool detect_mysql(const uint8_t *d, size_t len, struct vigil_proto_info *r)
{
	uint32_t plen;
	size_t i;

	if (len < 5)
		return false;
	plen = d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16;
	if (plen < 1)
		return false;
	/* Server greeting: seq 0, protocol 10, NUL-terminated printable version. */
	if (d[3] == 0 && d[4] == 0x0a && plen >= 30 && plen < 1024) {
		for (i = 5; i < len && i < 5 + 64 && d[i]; i++)
			if (!isprint(d[i]))
				return false;
		if (i == 5 || (i < len && d[i]))
			return false;
		put_printable(r->detail, sizeof(r->detail), "greeting ", d + 5, i - 5);
		return true;
	}
	/* Client handshake response: seq 1, CLIENT_PROTOCOL_41, then 23 zero filler bytes. */
	if (d[3] == 1 && plen >= 32 && len >= 4 + 32 && (d[5] & 0x02)) {
		for (i = 4 + 9; i < 4 + 32; i++)
			if (d[i])
				return false;
		/* the user name follows, NUL-terminated */
		i = strnlen((const char *)d + 36, len - 36 > 32 ? 32 : len - 36);
		put_printable(r->detail, sizeof(r->detail), "login ", d + 36, i);
		return true;
	}
	/* COM_QUERY from a client: seq 0, command 3, text. */
	if (d[3] == 0 && d[4] == 3 && plen >= 2 && plen <= (1u << 24) - 1) {
		for (i = 5; i < len && i < 4 + plen; i++)
			if (!isprint(d[i]) && !isspace(d[i]))
				return false;
		if (len >= 4 + plen && len != 4 + plen)
			return false;
		put_printable(r->detail, sizeof(r->detail), "query ", d + 5,
			      len - 5 > 60 ? 60 : len - 5);
		return true;
	}
	return false;
}

void vigil_proto__detect(const uint8_t *data, size_t len, struct vigil_proto_info *ret)
{
	struct vigil_proto_info r = { .proto = VIGIL_PROTO_NONE };
	size_t printable = 0;

	if (!data || !len) {
		*ret = r;
		return;
	}
	if (len > VIGIL_PROTO_MAX_EXAMINE)
		len = VIGIL_PROTO_MAX_EXAMINE;
	r.entropy = vigil_entropy(data, len);
	if (detect_http(data, len, &r))
		r.proto = VIGIL_PROTO_HTTP;
	else if (detect_tls(data, len, &r))
		r.proto = VIGIL_PROTO_TLS;
	else if (detect_postgres(data, len, &r))
		r.proto = VIGIL_PROTO_POSTGRES;
	else if (detect_redis(data, len, &r))
		r.proto = VIGIL_PROTO_REDIS;
	else if (detect_mysql(data, len, &r))
		r.proto = VIGIL_PROTO_MYSQL;
	else if (detect_dns(data, len, &r))
		r.proto = VIGIL_PROTO_DNS;
	if (r.proto != VIGIL_PROTO_NONE) {
		*ret = r;
		return;
	}
	for (size_t i = 0; i < len; i++)
		if (isprint(data[i]) || data[i] == '\r' || data[i] == '\n' || data[i] == '\t')
			printable++;
	r.detail[0] = '\0';
	if (printable * 10 >= len * 9) {
		r.proto = VIGIL_PROTO_TEXT;
		put_printable(r.detail, sizeof(r.detail), "", data,
			      line_len(data, len) > 60 ? 60 : line_len(data, len));
	} else {
		r.proto = VIGIL_PROTO_BINARY;
		snprintf(r.detail, sizeof(r.detail), "%zu bytes, entropy %.2f", len, r.entropy);
	}
	*ret = r;
}
