// SPDX-License-Identifier: Apache-2.0
/*
 * Exec arguments come from the workload (an attacker chooses them) and learning generalises
 * them (sensor/learn/args.c). The input is an argv: arguments separated by NUL bytes, the
 * first the executable. Checks: a generalised argument is the argument itself, the static
 * wildcard or the caller's buffer, never read or written past its bounds (ASan); what is learned
 * matches what ran (Kubescape's argument rule); program text (whitespace, quotes,
 * metacharacters) is never generalised, and a program's file name never. No pattern character
 * comes from the name (sensor/learn/wild.c): an argument with a `⋯` of its own, or a path with a
 * `*` or `⋯`, is refused (NULL: not learned), and in what is learned every `⋯` is a whole
 * segment or argument learning placed and no `*` appears that the name did not have as text.
 * An absolute argument is also judged as an opened file's path (vigil_learn_normalize_path):
 * what is learned matches it, and a name made ⋯ by its shape (a PID, a counter, a date: a
 * path open_names.c lets change) never gives an entry that allows /etc/shadow, root's keys or
 * a home's start-up file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/wildcard.h"
#include "vigil/learn.h"

#define W "\xe2\x8b\xaf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Every ⋯ in pat stands alone between '/' (or, in an argument, is the whole of it). */
static bool whole_ellipses(const char *pat, bool arg)
{
	if (arg && !strcmp(pat, W))
		return true;
	for (const char *e = strstr(pat, W); e; e = strstr(e + 1, W)) {
		if ((e != pat && e[-1] != '/') || (e[3] && e[3] != '/'))
			return false;
	}
	return true;
}

static void one(const char *arg, size_t room)
{
	char *buf = malloc(room ? room : 1);
	const char *g;

	if (!buf)
		abort();
	g = vigil_learn_generalize_arg(arg, buf, room);
	if (!g != (strstr(arg, W) != NULL))
		abort(); /* refused exactly when the name carries a ⋯ of its own */
	if (!g) {
		if (vigil_learn_generalize_program(arg, buf, room))
			abort();
		free(buf);
		return;
	}
	if (g != arg && g != buf && strcmp(g, W))
		abort();
	if (g == buf && (strlen(buf) >= room || !strchr(arg, '/')))
		abort();
	if (g != arg && !vigil_wc_arg_token_match(g, arg))
		abort(); /* the learned pattern must match what ran */
	if (g != arg && arg[strcspn(arg, " \t\n;|&$`'\"(){}<>")])
		abort(); /* program text: as is */
	if (!whole_ellipses(g, true) || count_char(g, '*') != count_char(arg, '*'))
		abort(); /* every ⋯ is learning's, a whole argument or '/'-segment */
	/* a program's path: its directories may generalise, its file name never */
	g = vigil_learn_generalize_program(arg, buf, room);
	if (g != arg && (g != buf || !vigil_wc_arg_token_match(g, arg) ||
			 strcmp(strrchr(g, '/'), strrchr(arg, '/'))))
		abort();
	free(buf);
}

/* The shapes stay out of the system's trees and homes. */
static void check_open_pattern(const char *path, const char *r)
{
	static const char *const never[] = { "/etc/shadow", "/root/.ssh/authorized_keys",
					     "/home/u/.bashrc", NULL };

	/* (the rules before the shapes, a container id or an atomic-writer directory, are not
	 * this property's) */
	if (vigil_learn_open_names(path) == VIGIL_LEARN_NAMES_NONE || !strncmp(r, "/" W, 4) ||
	    !strcmp(r, path))
		return;
	for (size_t i = 0; never[i]; i++) {
		if (vigil_wc_path_match(r, never[i]) && strcmp(path, never[i]))
			abort();
	}
}

/* An opened file's path as learned. */
static void open_path(const char *path)
{
	size_t room = strlen(path) * 2 + 8; /* a 1-byte segment as ⋯ grows by 2 */
	char *buf;
	const char *r;

	if (path[0] != '/')
		return;
	buf = malloc(room);
	if (!buf)
		abort();
	r = vigil_learn_normalize_path(path, buf, room);
	if (!r != (strchr(path, '*') || strstr(path, W)))
		abort(); /* refused exactly when the name carries a `*` or `⋯` */
	if (!r) {
		free(buf);
		return;
	}
	if (r != buf || (vigil_wc_path_match(path, path) && !vigil_wc_path_match(r, path)))
		abort(); /* the learned pattern must match what was opened */
	if (strchr(r, '*') || !whole_ellipses(r, false))
		abort(); /* no `*` at all, every ⋯ a whole segment learning placed */
	check_open_pattern(path, r);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[64];
	size_t argc = 0, keep;
	char *copy;

	if (size > 4096) /* the sensor copies at most 1 KiB of argv */
		return 0;
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i <= size && argc < 64; i += strlen(copy + i) + 1)
		argv[argc++] = copy + i;
	keep = vigil_learn_program_args(argv[0], argv + 1, argc - 1);
	if (keep > argc - 1 || (argc > 1 && keep < 1))
		abort();
	for (size_t i = 1; i < argc; i++) {
		one(argv[i], (strlen(argv[i]) * 2 + 8) >> (i & 1)); /* also a buffer too small */
		open_path(argv[i]);
	}
	free(copy);
	return 0;
}
