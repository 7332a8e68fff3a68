// SPDX-License-Identifier: Apache-2.0
/*
 * A plain scalar where Kubescape's types want a bool or an integer, read as Kubernetes reads it.
 * kubectl and the API machinery turn YAML into JSON with go-yaml v2 (sigs.k8s.io/yaml), which
 * resolves YAML 1.1: `argsRequired: yes` is true, `port: 0x1BB`, `0o673`, `0673` (octal),
 * `4_43`, `+443` and `443.0` are all 443, and the API server accepts them. YAML 1.2's core schema
 * (yamltree.c) reads `yes` as a string and `0673` as 673; where the model wants a bool or an
 * integer, these two readers decide instead, so a profile means what it means in the cluster.
 * Quoted scalars are strings in both (`"yes"` into a bool is refused by Kubernetes too).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/yamltree.h"

bool prof_yaml11_bool(const struct prof_node *n, bool *out)
{
	static const char *const yes[] = { "y",	 "Y",  "yes",  "Yes",  "YES",  "on",
					   "On", "ON", "true", "True", "TRUE", NULL };
	static const char *const no[] = { "n",	 "N",	"no",	 "No",	  "NO",	   "off",
					  "Off", "OFF", "false", "False", "FALSE", NULL };

	if (n->type != PROF_NODE_SCALAR || n->quoted)
		return false;
	for (size_t i = 0; yes[i]; i++)
		if (!strcmp(n->value, yes[i]))
			return *out = true;
	for (size_t i = 0; no[i]; i++)
		if (!strcmp(n->value, no[i])) {
			*out = false;
			return true;
		}
	return false;
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return 99;
}

/* Go's strconv.ParseInt(s, 0, 64) without underscores: 0x, 0o, 0b prefixes, a leading 0 octal. */
static bool parse_go_int(const char *s, int64_t *out)
{
	bool neg = false;
	unsigned base = 10;
	uint64_t v = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s += 1;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)digit_value(*s);

		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (v > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* go-yaml v2's float form: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_yaml_float(const char *s)
{
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits = true;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits = true;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

bool prof_yaml11_int(const struct prof_node *n, int64_t *out)
{
	char buf[80];
	size_t k = 0;
	double d;

	if (n->type != PROF_NODE_SCALAR || n->quoted || !n->len || n->len >= sizeof(buf) ||
	    !strchr("+-.0123456789", n->value[0]))
		return false;
	/* go-yaml v2 drops every '_' before it parses a number */
	for (size_t i = 0; i < n->len; i++)
		if (n->value[i] != '_')
			buf[k++] = n->value[i];
	buf[k] = '\0';
	if (parse_go_int(buf, out))
		return true;
	if (!is_yaml_float(buf))
		return false;
	/* a float that is a whole number goes into JSON as that integer ("443.0" -> 443) */
	d = strtod(buf, NULL);
	if (!(d >= -9.2e18 && d <= 9.2e18) || d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}
