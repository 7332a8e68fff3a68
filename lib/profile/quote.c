// SPDX-License-Identifier: Apache-2.0
/*
 * Which strings the emitter must quote: those a YAML reader would otherwise read as another
 * type. Vigil reads YAML 1.2 (core schema), but profiles are also read by YAML 1.1 readers:
 * Go's yaml.v2 behind kubectl and sigs.k8s.io/yaml, PyYAML. A creationTimestamp written plain
 * comes back from PyYAML as a datetime, "on" as true, "0755" as 493, "1:30" as 90. Quoting a
 * string never changes its meaning for any reader, so when in doubt this quotes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "profile/yamltree.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Bytes from i on are all in set (and there is at least one when need_one). */
static bool all_in(const char *s, size_t len, size_t i, const char *set, bool need_one)
{
	if (need_one && i >= len)
		return false;
	for (; i < len; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

/* n digits at s[*i] (n = 0: one or more); advances *i. */
static bool digits(const char *s, size_t len, size_t *i, unsigned min, unsigned max)
{
	unsigned n = 0;

	while (*i < len && is_digit(s[*i]) && n < max) {
		(*i)++;
		n++;
	}
	return n >= min;
}

/*
 * YAML 1.1 timestamp (yaml.org/type/timestamp): YYYY-MM-DD, or
 * YYYY-M-D(T|t|spaces)H:MM:SS(.frac)?(spaces)?(Z|+-H(:MM)?)?
 */
static bool yaml11_timestamp(const char *s, size_t len)
{
	size_t i = 0;

	if (!digits(s, len, &i, 4, 4) || i >= len || s[i++] != '-')
		return false;
	if (len == 10)
		return digits(s, len, &i, 2, 2) && i < len && s[i++] == '-' &&
		       digits(s, len, &i, 2, 2) && i == len;
	if (!digits(s, len, &i, 1, 2) || i >= len || s[i++] != '-' || !digits(s, len, &i, 1, 2))
		return false;
	if (i < len && (s[i] == 'T' || s[i] == 't'))
		i++;
	else if (i < len && (s[i] == ' ' || s[i] == '\t'))
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
	else
		return false;
	if (!digits(s, len, &i, 1, 2) || i >= len || s[i++] != ':' || !digits(s, len, &i, 2, 2) ||
	    i >= len || s[i++] != ':' || !digits(s, len, &i, 2, 2))
		return false;
	if (i < len && s[i] == '.') {
		i++;
		digits(s, len, &i, 0, (unsigned)len);
	}
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len)
		return true;
	if (s[i] == 'Z')
		return i + 1 == len;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (!digits(s, len, &i, 1, 2))
		return false;
	if (i < len && s[i] == ':') {
		i++;
		if (!digits(s, len, &i, 2, 2))
			return false;
	}
	return i == len;
}

/*
 * YAML 1.1 int and float (yaml.org/type/int, /float), including '_' separators, 0b/0/0x
 * prefixes and base 60 ("1:30"). A string with two dots (an IPv4 address, a version) is read
 * as a string by every YAML 1.1 reader in use (PyYAML, yaml.v2), so it stays plain.
 */
static bool yaml11_number(const char *s, size_t len)
{
	size_t i = 0;
	const char *dot;

	if (len && (s[0] == '-' || s[0] == '+'))
		i = 1;
	if (i >= len)
		return false;
	if (len - i == 4 &&
	    (!memcmp(s + i, ".inf", 4) || !memcmp(s + i, ".Inf", 4) || !memcmp(s + i, ".INF", 4) ||
	     (!i && (!memcmp(s, ".nan", 4) || !memcmp(s, ".NaN", 4) || !memcmp(s, ".NAN", 4)))))
		return true;
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B'))
		return all_in(s, len, i + 2, "01_", true);
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		return all_in(s, len, i + 2, "0123456789abcdefABCDEF_", true);
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O'))
		return all_in(s, len, i + 2, "01234567_", true);
	if (!is_digit(s[i]) && s[i] != '.')
		return false;
	dot = memchr(s, '.', len);
	if (dot && memchr(dot + 1, '.', len - (size_t)(dot + 1 - s)))
		return false;
	/* digits, '_', ':' (base 60), one '.', an exponent: anything of that shape is a number */
	for (; i < len; i++) {
		char c = s[i];

		if (is_digit(c) || c == '_' || c == ':' || c == '.')
			continue;
		if ((c == 'e' || c == 'E') && i + 1 < len &&
		    all_in(s, len, i + 1 + (s[i + 1] == '-' || s[i + 1] == '+'), "0123456789",
			   true))
			return true;
		return false;
	}
	/* at least one digit ("." and "_" alone are strings) */
	for (i = 0; i < len; i++)
		if (is_digit(s[i]))
			return true;
	return false;
}

bool prof_yaml_needs_quotes(const char *s, size_t len)
{
	static const char *const words[] = { "y",     "n",    "yes", "no", "on", "off", "true",
					     "false", "null", "~",   "<<", "=",	 NULL };

	if (!len)
		return true;
	if (prof_resolve_plain(s, len) != PROF_SCALAR_STR)
		return true;
	/* most scalars are paths and names: nothing else can start a non-string */
	if (!strchr("0123456789+-.~nNyYtTfFoO<=", s[0]))
		return false;
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == len && !strncasecmp(s, words[i], len))
			return true;
	return yaml11_number(s, len) || yaml11_timestamp(s, len);
}
