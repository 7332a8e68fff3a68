// SPDX-License-Identifier: Apache-2.0
/*
 * Exec arguments that differ between identical runs: a script passes a mktemp name, its PID, a
 * /proc/PID path, a timestamp, a UUID, a content hash or an ephemeral port to a command, and a
 * literal profile would flag every rerun (R0040). Learning writes the part that changes as ⋯,
 * and nothing else: a path keeps its directories and its stable segments (`/tmp/⋯/out`,
 * matched '/'-segment by segment as Kubescape does), a single value becomes one whole-argument
 * ⋯ (`--pid=4242`, `host:40123`: Kubescape compares any other token with ⋯ in it as text).
 *
 * Never generalised, because a wildcard there would let something else run:
 *   - the arguments that name the program that runs: argv[0], for a shell or interpreter
 *     everything up to its script, its -c / -e program text or its -f file, for the dynamic
 *     loader everything up to the file it runs (sensor/interp_args.c) (`sh
 *     /tmp/x/status.sh` learned as `sh ⋯` would pass a webshell planted next to it). The one
 *     exception is a program the workload itself wrote at run time (a build step in a fresh
 *     mktemp directory, drop-and-execute's mark): its path, and argv[0] or the script naming
 *     it, have their volatile directories as ⋯, never their file name (`/tmp/⋯/helper`);
 *   - an argument that is not one value (whitespace, quotes, shell metacharacters): that is
 *     program text, whichever wrapper (env, timeout, su -c, xargs) hands it on.
 * Such an argument that changes every run raises R0040 every run: the price of not letting a
 * different program through (docs/DETECTION.md §3).
 *
 * What is volatile, token by token (a value is split at '=', ',', ':' and '@', so
 * `--pid=4242` and `host:40123` are judged by their values; a path segment as a whole):
 *   - a number of 3 or more digits (optionally with a fraction): PIDs, ports, epoch times;
 *   - a run of 4 or more digits inside a token after '.', '-' or '_' (`out.4242`,
 *     `backup-20240101`), a date (`2024-01-31`) or a time (`12:30:00`);
 *   - a counter of any length before an extension, at the start or after a separator
 *     (`out-7.log`, `x.42.pid`, `622.tmp`), and in a path a segment that ends in one after
 *     '-' or '_' (`/tmp/job-7`): in a container's own PID namespace a script's $$ has 1 to 3
 *     digits, so its place tells, not its length (counter_at, counter_end);
 *   - a UUID (8-4-4-4-12 hex digits) anywhere, or 12 or more hex digits mixing digits and
 *     letters (container ids, hashes, short commit ids);
 *   - a `tmp.XXXXXX` name anywhere; in a path, also a random-looking segment under a tmp or
 *     shm directory and the number after /proc, task, fd, fdinfo or /dev/pts.
 * A small number (`-n 5`, `-j2`), a version (`python3.11`, `libc-2.31.so`, `x86_64`), a
 * number glued to a word (`sha256.txt`), a bare value ending in one (`utf-8`) or a word stays
 * literal: those are what the command is told to do, not when or where it runs. So does a
 * small number standing alone (`kill 7`, `--pid=7`): nothing tells it from a count.
 *
 * Why a shape and not a merge of the runs learned: the shape works from one learn (the agent
 * learns each container once), and a merge cannot tell a PID that happened to be the same in
 * both runs (a fresh PID namespace gives the same PIDs to the same script) from a constant.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sensor/interp_args.h"
#include "util/strutil.h"
#include "vigil/detect_paths.h"
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

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * A digit run of any length at s[i] (digits long) that stands alone as a name's counter or
 * PID: at the start or after '-', '_', '.' (or '=', ':', '@', ',' that begin a value), and
 * right before an extension ('.' and a letter): `out-7.log`, `x.42.pid`, `622.tmp`. A PID in
 * a container's own namespace has 1 to 3 digits, so length says nothing there; the place does.
 * Not a version: a separator with a digit before it (`libc-2.31.so`, `x86-64.so`), a run
 * followed by '.' and a digit (`3.11`), a run glued to a letter (`sha256.txt`, `-j2`), a run
 * at the end (`x86_64`, `app.log.1`).
 */
static bool counter_at(const char *a, size_t n, size_t i, size_t digits)
{
	char before = i ? a[i - 1] : '\0';

	if (!digits || i + digits + 1 >= n || a[i + digits] != '.' || !is_letter(a[i + digits + 1]))
		return false;
	if (i && !strchr("-_.=:@,", before))
		return false;
	return !(strchr("-_.", before) && i >= 2 && is_digit(a[i - 2]));
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
		if (counter_at(a, n, i, digits))
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

/*
 * A path segment that ends in a counter after '-' or '_' (`job-622`, `lock_7`: a directory or
 * file a script names by $$): a made name, where a bare value (`utf-8`, `sha-256`) is an
 * option's word. Not after a digit (`x86_64`).
 */
static bool counter_end(const char *s, size_t n)
{
	size_t d = 0;

	while (d < n && is_digit(s[n - 1 - d]))
		d++;
	if (!d || d + 2 > n || (s[n - 1 - d] != '-' && s[n - 1 - d] != '_'))
		return false;
	return !is_digit(s[n - 2 - d]);
}

bool vigil_learn_volatile_name(const char *s, size_t n)
{
	return s && n && (volatile_anywhere(s, n) || counter_end(s, n));
}

/* A value judged whole: what may sit anywhere in it, then its key=value, host:port parts. */
static bool volatile_value(const char *a, size_t n)
{
	size_t i = 0;

	if (volatile_anywhere(a, n))
		return true;
	while (i < n) {
		size_t len = 0;

		while (i + len < n && !strchr("=,:@", a[i + len]))
			len++;
		if (number_token(a + i, len, 3))
			return true;
		i += len + 1;
	}
	return false;
}

/* A mkstemp-like name: ends in 6+ alphanumerics that mix digits and letters, or cases. */
static bool looks_random(const char *s, size_t n)
{
	size_t run = 0;
	bool digit = false, lower = false, upper = false;

	while (run < n && is_alnum(s[n - 1 - run])) {
		char ch = s[n - 1 - run];

		digit |= is_digit(ch);
		lower |= ch >= 'a' && ch <= 'z';
		upper |= ch >= 'A' && ch <= 'Z';
		run++;
	}
	return run >= 6 && ((digit && (lower || upper)) || (lower && upper));
}

static bool seg_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(s, word, n);
}

/* One '/'-segment of a path-like argument, knowing the one before it and whether a temp
 * directory (tmp, shm) was passed. */
static bool volatile_segment(const char *seg, size_t n, const char *prev, size_t prevlen, bool tmp)
{
	if (!n)
		return false;
	if (volatile_value(seg, n) || counter_end(seg, n))
		return true;
	if (tmp && looks_random(seg, n))
		return true;
	return prev && vigil_all_digits(seg, n) &&
	       (seg_is(prev, prevlen, "proc") || seg_is(prev, prevlen, "task") ||
		seg_is(prev, prevlen, "fd") || seg_is(prev, prevlen, "fdinfo") ||
		seg_is(prev, prevlen, "pts"));
}

/* Whitespace, quotes or shell metacharacters: program text, never a wildcard. */
static bool is_text(const char *a)
{
	return a[strcspn(a, " \t\n\r\v\f;|&$`'\"(){}<>\\*?![]#~")] != '\0';
}

/* arg with its volatile segments as ⋯ (but the last one when keep_last), into buf; arg itself
 * when none is or buf is small. */
static const char *generalize_path(const char *arg, char *buf, size_t size, bool keep_last)
{
	const char *s = arg, *prev = NULL;
	size_t prevlen = 0, out = 0;
	bool tmp = false, changed = false;

	for (;;) {
		size_t n = strcspn(s, "/");
		bool vol = (!keep_last || s[n]) && volatile_segment(s, n, prev, prevlen, tmp);
		size_t add = vol ? sizeof(ELLIPSIS) - 1 : n;

		if (out + add + 2 > size)
			return arg;
		memcpy(buf + out, vol ? ELLIPSIS : s, add);
		out += add;
		changed |= vol;
		tmp |= seg_is(s, n, "tmp") || seg_is(s, n, "shm");
		prev = s;
		prevlen = n;
		s += n;
		if (!*s)
			break;
		buf[out++] = '/';
		s++;
	}
	buf[out] = '\0';
	return changed ? buf : arg;
}

const char *vigil_learn_generalize_arg(const char *arg, char *buf, size_t size)
{
	if (vigil_learn_wild_arg(arg))
		return NULL; /* would be read as a wildcard: never learned (wild.c) */
	if (!arg || is_text(arg))
		return arg; /* program text */
	if (strchr(arg, '/'))
		return generalize_path(arg, buf, size, false);
	return volatile_value(arg, strlen(arg)) ? ELLIPSIS : arg;
}

const char *vigil_learn_generalize_program(const char *path, char *buf, size_t size)
{
	if (vigil_learn_wild_arg(path))
		return NULL;
	if (!path || is_text(path) || !strchr(path, '/'))
		return path;
	return generalize_path(path, buf, size, true);
}

/* Interpreter options whose value is the next argument (not the program). */
static bool takes_value(const char *a)
{
	static const char *const opts[] = { "-v", "-F", "-W", "-X", "-o", "-O", "-I", "-M", NULL };

	for (size_t i = 0; opts[i]; i++) {
		if (!strcmp(a, opts[i]))
			return true;
	}
	return false;
}

/* `busybox sh FILE`: the applet is argv[1] (as `sh` through a link it is argv[0]). */
static bool multi_call(const char *s)
{
	return s && (vigil_str_has_suffix(s, "busybox") || vigil_str_has_suffix(s, "toybox"));
}

size_t vigil_learn_program_args(const char *exe, const char *const *argv, size_t argc)
{
	size_t i = 1;

	if (!argc)
		return 0;
	if (multi_call(exe) && multi_call(argv[0]) && argc > 1) {
		if (!vigil_program_is_shell_or_interpreter(exe, argv[1]))
			return 2;
		i = 2;
	} else if (exe && vigil_interp_known(exe) &&
		   !vigil_program_is_shell_or_interpreter(exe, argv[0])) {
		/* the dynamic loader (`ld.so [OPTIONS] FILE`): FILE is the program that runs */
		int f = vigil_interp_file_arg(exe, argv,
					      argc > UINT32_MAX ? UINT32_MAX : (uint32_t)argc);

		return f < 0 ? 1 : (size_t)f + 1;
	} else if (!exe || !vigil_program_is_shell_or_interpreter(exe, argv[0])) {
		return 1; /* argv[0] */
	}
	/* the program is the first argument that is not an option: a script, the text after -c
	 * or -e, the file after -f, whatever follows "--" */
	for (; i < argc; i++) {
		const char *a = argv[i] ? argv[i] : "";

		if (!strcmp(a, "--"))
			return i + 2 < argc ? i + 2 : argc;
		if (a[0] != '-' || !a[1])
			return i + 1;
		if (takes_value(a))
			i++;
	}
	return argc;
}
