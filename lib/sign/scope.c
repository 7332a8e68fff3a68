// SPDX-License-Identifier: Apache-2.0
/*
 * Signer scopes: what one trusted key may vouch for. A scope is a small YAML file (parsed with
 * libyaml) naming the allowed kinds, the allowed sections and, per section, glob patterns that
 * every entry must match. The check runs on the canonical JSON (jansson) because that is
 * exactly what the signature covers: nothing outside it can widen or narrow the verdict.
 * Unknown sections in a profile count as sections, so a field this file does not know is out
 * of scope rather than silently allowed (fail closed). docs/SIGNING.md documents the format.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "sign/sign_internal.h"
#include "util/strutil.h"

#define SCOPE_MAX_BYTES	   (64u << 10)
#define SCOPE_MAX_PATTERNS 1024
#define SCOPE_MAX_STRING   512

enum field {
	F_PATH,
	F_ENDPOINT,
	F_NAMES,
	F_DNS,
	F_IP,
	F_PORTS,
	F_COUNT,
};

static const char *const field_names[F_COUNT] = { "path",     "endpoint",    "names",
						  "dnsNames", "ipAddresses", "ports" };

enum shape {
	S_PATHS,     /* [{path: ...}] */
	S_ENDPOINTS, /* [{endpoint: ...}] */
	S_STRINGS,   /* [string] */
	S_MAPKEYS,   /* {key: ...} */
	S_NEIGHBORS, /* [{dnsNames, ipAddresses, ports, ...}] */
	S_OPAQUE,    /* no patterns possible */
};

struct section_def {
	const char *name;
	enum shape shape;
};

/* Sections a scope may name; anything else in a profile is always out of a limited scope. */
static const struct section_def sections_known[] = {
	{ "execs", S_PATHS },
	{ "opens", S_PATHS },
	{ "endpoints", S_ENDPOINTS },
	{ "syscalls", S_STRINGS },
	{ "capabilities", S_STRINGS },
	{ "iouring", S_STRINGS },
	{ "rulePolicies", S_MAPKEYS },
	{ "ingress", S_NEIGHBORS },
	{ "egress", S_NEIGHBORS },
	{ "seccompProfile", S_OPAQUE },
	{ "identifiedCallStacks", S_OPAQUE },
};
#define N_SECTIONS (sizeof(sections_known) / sizeof(sections_known[0]))

static const char *const section_names[] = {
	"execs",	"opens",   "endpoints", "syscalls",	  "capabilities",	  "iouring",
	"rulePolicies", "ingress", "egress",	"seccompProfile", "identifiedCallStacks", NULL,
};

/* Fields that say which workload a document is about, not what it may do: always allowed. */
static const char *const identity_fields[] = {
	"name", "imageID", "imageTag", "architectures", "matchLabels", "matchExpressions", NULL
};

static const char *const kind_names[] = { "ApplicationProfile", "NetworkNeighborhood",
					  "ContainerProfile", NULL };

struct patterns {
	char **v;
	size_t n;
	bool set;
};

struct vigil_scope {
	struct patterns kinds;
	struct patterns sections;
	/* Per known section, per field: the patterns (set == false: no constraint). */
	struct patterns rules[N_SECTIONS][F_COUNT];
	bool has_rules[N_SECTIONS];
};

static void patterns_free(struct patterns *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

void sign_scope_free(struct vigil_scope *s)
{
	if (!s)
		return;
	patterns_free(&s->kinds);
	patterns_free(&s->sections);
	for (size_t i = 0; i < N_SECTIONS; i++)
		for (size_t f = 0; f < F_COUNT; f++)
			patterns_free(&s->rules[i][f]);
	free(s);
}

static int section_index(const char *name)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (!strcmp(sections_known[i].name, name))
			return (int)i;
	return -1;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* ---- parsing --------------------------------------------------------------------------- */

struct parse {
	yaml_document_t *doc;
	const char *origin;
	struct vigil_error *err;
};

static int perr(struct parse *ps, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parse *ps, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vigil_error__set(ps->err, -EINVAL, ps->origin, n ? (int)n->start_mark.line + 1 : 0,
				n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A list of strings, or a single string (sugar for a one-element list). */
static int parse_patterns(struct parse *ps, yaml_node_t *n, const char *what,
			  const char *const *valid, struct patterns *out)
{
	yaml_node_item_t *it;
	size_t count;

	if (out->set)
		return perr(ps, n, "%s given twice", what);
	if (n->type == YAML_SCALAR_NODE) {
		count = 1;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	} else {
		return perr(ps, n, "%s: expected a list of strings", what);
	}
	if (count > SCOPE_MAX_PATTERNS)
		return perr(ps, n, "%s: more than %d patterns", what, SCOPE_MAX_PATTERNS);
	out->v = calloc(count ? count : 1, sizeof(char *));
	if (!out->v)
		return vigil_error__set(ps->err, -ENOMEM, ps->origin, 0, 0, "out of memory");
	out->set = true;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = n;
		const char *s;

		if (n->type == YAML_SEQUENCE_NODE) {
			it = n->data.sequence.items.start + i;
			item = yaml_document_get_node(ps->doc, *it);
		}
		s = scalar(item);
		if (!s || !*s)
			return perr(ps, item, "%s: expected a non-empty string", what);
		if (strlen(s) > SCOPE_MAX_STRING)
			return perr(ps, item, "%s: pattern longer than %d bytes", what,
				    SCOPE_MAX_STRING);
		if (valid && !in_list(valid, s)) {
			const char *hint = vigil_suggest(s, valid);

			return perr(ps, item, "%s: unknown value \"%s\"%s%s%s", what, s,
				    hint ? " (did you mean \"" : "", hint ? hint : "",
				    hint ? "\"?)" : "");
		}
		out->v[i] = strdup(s);
		if (!out->v[i])
			return vigil_error__set(ps->err, -ENOMEM, ps->origin, 0, 0,
						"out of memory");
		out->n++;
	}
	return 0;
}

static bool field_allowed(enum shape shape, enum field f)
{
	switch (shape) {
	case S_PATHS:
		return f == F_PATH;
	case S_ENDPOINTS:
		return f == F_ENDPOINT;
	case S_STRINGS:
	case S_MAPKEYS:
		return f == F_NAMES;
	case S_NEIGHBORS:
		return f == F_DNS || f == F_IP || f == F_PORTS;
	case S_OPAQUE:
		break;
	}
	return false;
}

static int valid_cidr(const char *s);

static int parse_rule(struct parse *ps, struct vigil_scope *s, int sec, yaml_node_t *n)
{
	const struct section_def *def = &sections_known[sec];
	yaml_node_pair_t *pair;

	if (def->shape == S_OPAQUE)
		return perr(ps, n, "%s takes no patterns (list it under sections or leave it out)",
			    def->name);
	if (n->type != YAML_MAPPING_NODE)
		return perr(ps, n, "%s: expected a mapping of field: patterns", def->name);
	if (s->has_rules[sec])
		return perr(ps, n, "%s given twice", def->name);
	s->has_rules[sec] = true;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(ps->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(ps->doc, pair->value);
		const char *key = scalar(k);
		int f = -1, r;

		for (int i = 0; key && i < F_COUNT; i++)
			if (!strcmp(field_names[i], key))
				f = i;
		if (f < 0 || !field_allowed(def->shape, (enum field)f)) {
			const char *valid[4] = { NULL };
			size_t nv = 0;

			for (int i = 0; i < F_COUNT; i++)
				if (field_allowed(def->shape, (enum field)i))
					valid[nv++] = field_names[i];
			return perr(ps, k, "%s: unknown field \"%s\" (allowed: %s%s%s%s%s)",
				    def->name, key ? key : "?", valid[0], nv > 1 ? ", " : "",
				    nv > 1 ? valid[1] : "", nv > 2 ? ", " : "",
				    nv > 2 ? valid[2] : "");
		}
		r = parse_patterns(ps, v, field_names[f], NULL, &s->rules[sec][f]);
		if (r < 0)
			return r;
		if (f == F_IP) {
			for (size_t i = 0; i < s->rules[sec][f].n; i++)
				if (!valid_cidr(s->rules[sec][f].v[i]))
					return perr(ps, v,
						    "ipAddresses: \"%s\" is not an address or CIDR",
						    s->rules[sec][f].v[i]);
		}
		if (f == F_DNS) {
			/* Names compare lower-case without the root dot; so do patterns. */
			for (size_t i = 0; i < s->rules[sec][f].n; i++) {
				char *p = s->rules[sec][f].v[i];
				size_t l = strlen(p);

				for (size_t j = 0; j < l; j++)
					p[j] = (char)tolower((unsigned char)p[j]);
				if (l > 1 && p[l - 1] == '.')
					p[l - 1] = '\0';
			}
		}
	}
	if (def->shape == S_PATHS && !s->rules[sec][F_PATH].set)
		return perr(ps, n, "%s: patterns need a path list", def->name);
	if (def->shape == S_ENDPOINTS && !s->rules[sec][F_ENDPOINT].set)
		return perr(ps, n, "%s: patterns need an endpoint list", def->name);
	if ((def->shape == S_STRINGS || def->shape == S_MAPKEYS) && !s->rules[sec][F_NAMES].set)
		return perr(ps, n, "%s: patterns need a names list", def->name);
	if (def->shape == S_NEIGHBORS && !s->rules[sec][F_DNS].set && !s->rules[sec][F_IP].set)
		return perr(ps, n, "%s: patterns need dnsNames or ipAddresses", def->name);
	return 0;
}

static int parse_root(struct parse *ps, struct vigil_scope *s, yaml_node_t *root)
{
	static const char *const top[] = {
		"kinds",
		"sections",
		"execs",
		"opens",
		"endpoints",
		"syscalls",
		"capabilities",
		"iouring",
		"rulePolicies",
		"ingress",
		"egress",
		"seccompProfile",
		"identifiedCallStacks",
		NULL,
	};
	yaml_node_pair_t *pair;
	int r;

	if (!root)
		return 0; /* an empty scope file limits nothing */
	if (root->type != YAML_MAPPING_NODE)
		return perr(ps, root, "expected a mapping (kinds, sections, per-section patterns)");
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(ps->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(ps->doc, pair->value);
		const char *key = scalar(k);
		int sec;

		if (!key)
			return perr(ps, k, "expected a string key");
		if (!strcmp(key, "kinds")) {
			r = parse_patterns(ps, v, "kinds", kind_names, &s->kinds);
		} else if (!strcmp(key, "sections")) {
			r = parse_patterns(ps, v, "sections", section_names, &s->sections);
		} else if ((sec = section_index(key)) >= 0) {
			r = parse_rule(ps, s, sec, v);
		} else {
			const char *hint = vigil_suggest(key, top);

			return perr(ps, k, "unknown key \"%s\"%s%s%s", key,
				    hint ? " (did you mean \"" : "", hint ? hint : "",
				    hint ? "\"?)" : "");
		}
		if (r < 0)
			return r;
	}
	/* Patterns for a section the scope does not allow would never apply: say so. */
	for (size_t i = 0; i < N_SECTIONS && s->sections.set; i++) {
		bool listed = false;

		for (size_t j = 0; j < s->sections.n; j++)
			listed |= !strcmp(s->sections.v[j], sections_known[i].name);
		if (s->has_rules[i] && !listed)
			return perr(ps, root, "%s has patterns but is not listed in sections",
				    sections_known[i].name);
	}
	return 0;
}

int sign_scope_parse(const char *text, size_t len, const char *origin, struct vigil_scope **ret,
		     struct vigil_error *err)
{
	struct vigil_scope *s;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct parse ps = { &doc, origin, err };
	int r;

	if (len > SCOPE_MAX_BYTES)
		return vigil_error__set(err, -E2BIG, origin, 0, 0, "scope larger than %u bytes",
					SCOPE_MAX_BYTES);
	s = calloc(1, sizeof(*s));
	if (!s)
		return vigil_error__set(err, -ENOMEM, origin, 0, 0, "out of memory");
	if (!yaml_parser_initialize(&parser)) {
		free(s);
		return vigil_error__set(err, -ENOMEM, origin, 0, 0, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = vigil_error__set(err, -EINVAL, origin, (int)parser.problem_mark.line + 1,
				     (int)parser.problem_mark.column + 1, "%s",
				     parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		free(s);
		return r;
	}
	r = parse_root(&ps, s, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r < 0) {
		sign_scope_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

/* ---- matching -------------------------------------------------------------------------- */

struct ipnet {
	int family;
	unsigned char addr[16];
	unsigned bits;
};

static int parse_ipnet(const char *s, struct ipnet *out)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (hl >= sizeof(host))
		return 0;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return 0;
	}
	out->bits = max;
	if (slash) {
		uint64_t b;

		if (vigil_parse_u64(slash + 1, &b) < 0 || b > max)
			return 0;
		out->bits = (unsigned)b;
	}
	return 1;
}

static int valid_cidr(const char *s)
{
	struct ipnet n;

	return parse_ipnet(s, &n);
}

static bool prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ b[full]) & (0xff00u >> rest) & 0xff) == 0;
}

/* value (address or network) lies inside pattern (address or network). */
static bool ip_inside(const char *value, const char *pattern)
{
	struct ipnet v, p;

	if (!parse_ipnet(value, &v) || !parse_ipnet(pattern, &p) || v.family != p.family)
		return false;
	return v.bits >= p.bits && prefix_equal(v.addr, p.addr, p.bits);
}

static bool glob_any(const struct patterns *p, const char *s)
{
	for (size_t i = 0; i < p->n; i++)
		if (fnmatch(p->v[i], s, 0) == 0)
			return true;
	return false;
}

/* "." and ".." segments could walk out of a pattern's directory: never in scope. */
static bool path_dotted(const char *s)
{
	for (const char *p = s; (p = strchr(p, '/')); p++) {
		if (p[1] == '.' &&
		    (p[2] == '/' || !p[2] || (p[2] == '.' && (p[3] == '/' || !p[3]))))
			return true;
	}
	return false;
}

static bool dns_inside(const struct patterns *p, const char *name)
{
	char low[256];
	size_t l = strlen(name);

	if (l == 0 || l >= sizeof(low))
		return false;
	for (size_t i = 0; i < l; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	if (l > 1 && low[l - 1] == '.')
		l--;
	low[l] = '\0';
	return glob_any(p, low);
}

struct check {
	const struct vigil_scope *s;
	char *reason;
	size_t size;
};

static int out(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int out(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, c->size, fmt, ap);
	va_end(ap);
	return 0;
}

static bool json_empty(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_array(v) && !json_array_size(v)) ||
	       (json_is_object(v) && !json_object_size(v)) ||
	       (json_is_string(v) && !json_string_length(v)) || json_is_false(v);
}

static const char *short_str(const char *s, char *buf, size_t size)
{
	vigil_strlcpy(buf, s, size);
	if (strlen(s) >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

/*
 * Checks a neighbor's names or addresses: the list field and its deprecated singular twin.
 * Returns 1 when all are inside (adding how many to *count), 0 with a reason otherwise.
 */
static int check_neighbor_values(struct check *c, const char *sec, const json_t *e,
				 const char *list, const char *single, const struct patterns *p,
				 bool dns, size_t *count)
{
	const json_t *arr = json_object_get(e, list), *one = json_object_get(e, single);
	size_t n;
	char b[96];

	if (arr && !json_empty(arr) && !json_is_array(arr))
		return out(c, "%s entry has a non-list %s", sec, list);
	n = json_is_array(arr) ? json_array_size(arr) : 0;
	for (size_t i = 0; i <= n; i++) {
		const json_t *v = i < n ? json_array_get(arr, i) : one;
		const char *s;
		bool ok = false;

		if (!v || json_empty(v))
			continue;
		if (!json_is_string(v))
			return out(c, "%s entry has a non-string %s value", sec,
				   i < n ? list : single);
		s = json_string_value(v);
		(*count)++;
		if (!p->set)
			return out(c, "%s entry %s \"%s\" outside scope (no %s patterns)", sec,
				   list, short_str(s, b, sizeof(b)), list);
		if (dns) {
			ok = dns_inside(p, s);
		} else {
			for (size_t j = 0; j < p->n && !ok; j++)
				ok = ip_inside(s, p->v[j]);
		}
		if (!ok)
			return out(c, "%s entry %s \"%s\" outside scope", sec, list,
				   short_str(s, b, sizeof(b)));
	}
	return 1;
}

static int check_neighbor(struct check *c, int sec, const json_t *e)
{
	const struct patterns *rules = c->s->rules[sec];
	const char *name = sections_known[sec].name;
	size_t count = 0;
	const json_t *ports;
	int r;

	if (!json_is_object(e))
		return out(c, "%s entry is not an object", name);
	if (!json_empty(json_object_get(e, "podSelector")) ||
	    !json_empty(json_object_get(e, "namespaceSelector")))
		return out(c, "%s entry with a pod or namespace selector is outside scope", name);
	r = check_neighbor_values(c, name, e, "dnsNames", "dns", &rules[F_DNS], true, &count);
	if (r <= 0)
		return r;
	r = check_neighbor_values(c, name, e, "ipAddresses", "ipAddress", &rules[F_IP], false,
				  &count);
	if (r <= 0)
		return r;
	if (!count)
		return out(c, "%s entry without dnsNames or ipAddresses is outside scope", name);
	ports = json_object_get(e, "ports");
	if (rules[F_PORTS].set && ports && !json_empty(ports)) {
		size_t i;
		const json_t *pt;

		if (!json_is_array(ports))
			return out(c, "%s entry has a non-list ports", name);
		json_array_foreach(ports, i, pt)
		{
			char pn[64];
			const json_t *n = json_object_get(pt, "name");

			if (json_is_string(n)) {
				vigil_strlcpy(pn, json_string_value(n), sizeof(pn));
			} else {
				const json_t *proto = json_object_get(pt, "protocol");
				const json_t *port = json_object_get(pt, "port");

				snprintf(pn, sizeof(pn), "%s-%lld",
					 json_is_string(proto) ? json_string_value(proto) : "",
					 json_is_integer(port) ? (long long)json_integer_value(port)
							       : -1LL);
			}
			if (!glob_any(&rules[F_PORTS], pn))
				return out(c, "%s entry port %s outside scope", name, pn);
		}
	}
	return 1;
}

static int check_section(struct check *c, const char *key, const json_t *val, const char *where)
{
	const struct vigil_scope *s = c->s;
	int sec = section_index(key);
	char b[96];
	size_t i;
	const json_t *e;

	if (json_empty(val))
		return 1;
	if (s->sections.set) {
		bool listed = false;

		for (size_t j = 0; j < s->sections.n; j++)
			listed |= !strcmp(s->sections.v[j], key);
		if (!listed)
			return out(c, "%s: section %s is outside scope", where, key);
	}
	if (sec < 0 || !s->has_rules[sec])
		return 1;
	switch (sections_known[sec].shape) {
	case S_PATHS:
	case S_ENDPOINTS: {
		enum field f = sections_known[sec].shape == S_PATHS ? F_PATH : F_ENDPOINT;

		if (!json_is_array(val))
			return out(c, "%s: %s is not a list", where, key);
		json_array_foreach(val, i, e)
		{
			const json_t *v = json_object_get(e, field_names[f]);
			const char *str = json_string_value(v);

			if (!str)
				return out(c, "%s: %s entry without a %s", where, key,
					   field_names[f]);
			if ((f == F_PATH && path_dotted(str)) || !glob_any(&s->rules[sec][f], str))
				return out(c, "%s: %s entry \"%s\" outside scope", where, key,
					   short_str(str, b, sizeof(b)));
		}
		return 1;
	}
	case S_STRINGS:
		if (!json_is_array(val))
			return out(c, "%s: %s is not a list", where, key);
		json_array_foreach(val, i, e)
		{
			const char *str = json_string_value(e);

			if (!str || !glob_any(&s->rules[sec][F_NAMES], str))
				return out(c, "%s: %s entry \"%s\" outside scope", where, key,
					   str ? short_str(str, b, sizeof(b)) : "?");
		}
		return 1;
	case S_MAPKEYS: {
		const char *k;
		json_t *v;

		if (!json_is_object(val))
			return out(c, "%s: %s is not a mapping", where, key);
		json_object_foreach((json_t *)val, k, v)
		{
			if (!glob_any(&s->rules[sec][F_NAMES], k))
				return out(c, "%s: %s entry \"%s\" outside scope", where, key,
					   short_str(k, b, sizeof(b)));
		}
		return 1;
	}
	case S_NEIGHBORS:
		if (!json_is_array(val))
			return out(c, "%s: %s is not a list", where, key);
		json_array_foreach(val, i, e)
		{
			int r = check_neighbor(c, sec, e);

			if (r <= 0) {
				char inner[256];

				vigil_strlcpy(inner, c->reason, sizeof(inner));
				return out(c, "%s: %s", where, inner);
			}
		}
		return 1;
	case S_OPAQUE:
		break;
	}
	return 1;
}

static int check_fields(struct check *c, const json_t *obj, const char *where)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val)
	{
		int r;

		if (in_list(identity_fields, key))
			continue;
		if (!strcmp(key, "containers") || !strcmp(key, "initContainers") ||
		    !strcmp(key, "ephemeralContainers")) {
			size_t i;
			json_t *ct;

			if (json_empty(val))
				continue;
			if (!json_is_array(val))
				return out(c, "spec.%s is not a list", key);
			json_array_foreach(val, i, ct)
			{
				char w[128];
				const char *cn = json_string_value(json_object_get(ct, "name"));

				if (!json_is_object(ct))
					return out(c, "spec.%s[%zu] is not an object", key, i);
				snprintf(w, sizeof(w), "container %s", cn ? cn : "?");
				r = check_fields(c, ct, w);
				if (r <= 0)
					return r;
			}
			continue;
		}
		r = check_section(c, key, val, where);
		if (r <= 0)
			return r;
	}
	return 1;
}

int sign_scope_check(const struct vigil_scope *s, const char *canon, size_t len, char *reason,
		     size_t reason_size)
{
	struct check c = { s, reason, reason_size };
	json_t *root, *spec;
	const char *kind;
	int r = 1;

	if (reason_size)
		reason[0] = '\0';
	root = json_loadb(canon, len, 0, NULL);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EINVAL;
	}
	kind = json_string_value(json_object_get(root, "kind"));
	if (s->kinds.set) {
		bool ok = false;

		for (size_t i = 0; kind && i < s->kinds.n; i++)
			ok |= !strcmp(s->kinds.v[i], kind);
		if (!ok)
			r = out(&c, "kind %s is outside scope", kind ? kind : "(none)");
	}
	spec = json_object_get(root, "spec");
	if (r > 0 && spec && !json_empty(spec)) {
		if (!json_is_object(spec))
			r = out(&c, "spec is not an object");
		else
			r = check_fields(&c, spec, "spec");
	}
	json_decref(root);
	return r;
}
