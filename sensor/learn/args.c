// SPDX-License-Identifier: Apache-2.0
/*
 * Exec arguments that differ between identical runs: a script passes a mktemp name, its PID, a
 * /proc/PID path, a timestamp, a UUID, a content hash or an ephemeral port to a command, and a
 * literal profile would flag every rerun (R0040). Such an argument is learned as ⋯ (exactly one
 * argument, Kubescape's wildcard), the way paths generalise one segment.
 *
 * What counts, token by token (an argument is split at '=', ',', ':' and '@', so
 * `--pid=4242` and `host:40123` are judged by their values):
 *   - a number of 3 or more digits (optionally with a fraction): PIDs, ports, epoch times;
 *   - a run of 4 or more digits inside a token after '.', '-' or '_' (`out.4242`,
 *     `backup-20240101`), a date (`2024-01-31`) or a time (`12:30:00`);
 *   - a UUID (8-4-4-4-12 hex digits) anywhere, or 12 or more hex digits mixing digits and
 *     letters (container ids, hashes, short commit ids);
 *   - a path that the path rules generalise (/proc/PID/..., random names under /tmp,
 *     /var/tmp and /dev/shm, 64-hex ids), and a `tmp.XXXXXX` name anywhere.
 * A small number (`-n 5`, `-j2`), a version (`python3.11`) or a word stays literal: those are
 * what the command is told to do, not when or where it runs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/learn.h"

#define ELLIPSIS "\xe2\x8b\xaf"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* n digits, at least min, optionally "." and more digits: a number as a whole token. */
static bool number_token(const char *s, size_t n, size_t min)
{
	size_t i = 0, digits = 0;

	while (i < n && is_digit(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.' && digits) {
		i++;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n && digits >= min;
}

/* 8-4-4-4-12 hex digits at s (n bytes available). */
static bool uuid_at(const char *s, size_t n)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t i = 0;

	for (int g = 0; g < 5; g++) {
		for (int k = 0; k < groups[g]; k++, i++) {
			if (i >= n || !is_hex(s[i]))
				return false;
		}
		if (g < 4 && (i >= n || s[i++] != '-'))
			return false;
	}
	return i == n || !is_hex(s[i]);
}

/* NNNN-NN-NN (a date) or NN:NN:NN (a time) at s. */
static bool date_or_time_at(const char *s, size_t n)
{
	if (n >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
	    s[4] == '-' && is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) &&
	    is_digit(s[9]))
		return true;
	return n >= 8 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':' && is_digit(s[3]) &&
	       is_digit(s[4]) && s[5] == ':' && is_digit(s[6]) && is_digit(s[7]);
}

/* Scans the whole argument for the patterns that may sit anywhere in it. */
static bool volatile_anywhere(const char *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t hex = 0, digits = 0;
		bool letter = false, digit = false;

		if (i && is_hex(a[i - 1]))
			continue; /* runs are measured from their start */
		if (uuid_at(a + i, n - i) || date_or_time_at(a + i, n - i))
			return true;
		while (i + hex < n && is_hex(a[i + hex])) {
			if (is_digit(a[i + hex]))
				digit = true;
			else
				letter = true;
			hex++;
		}
		if (hex >= 12 && digit && letter)
			return true;
		/* a long digit run after a separator: out.4242, backup-20240101, x_1700000000 */
		while (i + digits < n && is_digit(a[i + digits]))
			digits++;
		if (digits >= 4 && i > 0 && (a[i - 1] == '.' || a[i - 1] == '-' || a[i - 1] == '_'))
			return true;
		if (n - i > 10 && !strncmp(a + i, "tmp.", 4)) {
			size_t run = 0;

			while (i + 4 + run < n && is_alnum(a[i + 4 + run]))
				run++;
			if (run >= 6)
				return true;
		}
	}
	return false;
}

static bool volatile_path(const char *tok, size_t n)
{
	char in[1024], out[1024];

	if (n == 0 || tok[0] != '/' || n >= sizeof(in))
		return false;
	memcpy(in, tok, n);
	in[n] = '\0';
	vigil_learn_normalize_path(in, out, sizeof(out));
	return strstr(out, ELLIPSIS) != NULL;
}

bool vigil_learn_volatile_arg(const char *arg)
{
	size_t n = strlen(arg);
	const char *s = arg;

	if (strstr(arg, ELLIPSIS))
		return false; /* a wildcard already (a learned profile fed back) */
	if (volatile_anywhere(arg, n))
		return true;
	/* token by token: values of key=value, host:port, user@host, lists */
	while (*s) {
		size_t len = strcspn(s, "=,:@");

		if (number_token(s, len, 3) || volatile_path(s, len))
			return true;
		s += len;
		if (*s)
			s++;
	}
	return false;
}

const char *vigil_learn_generalize_arg(const char *arg)
{
	return arg && vigil_learn_volatile_arg(arg) ? ELLIPSIS : arg;
}
