// SPDX-License-Identifier: Apache-2.0
/*
 * Alert sink specs (`--alerts SPEC`, agent.yaml `sinks:`) and the number and duration parsers
 * they and every other option use. The first byte picks a mode, the rest is a string:
 *   0: a whole spec (kinds file and syslog excluded: they create files or resolve host names)
 *   1: webhook:REST   2: alertmanager:REST   3: syslog:unix:/nonexistent/vigil-fuzzREST
 *   4: the string through vigil_parse_u64, vigil_parse_duration, vigil_edit_distance,
 *      vigil_suggest and vigil_strlcpy
 * Checks: an accepted sink is listed with its spec (its secrets as ***) and a refused one says why; a parsed
 * number prints back to the same digits; a duration equals its number times its unit;
 * edit distance is symmetric and zero only for equal words; strlcpy truncates safely.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/alert.h"
#include "vigil/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sink(const char *spec)
{
	struct vigil_alerts_opts opts = { .retry_max = 1 };
	struct vigil_alerts *a = vigil_alerts__new(&opts);
	struct vigil_error err = { 0 };
	struct vigil_sink_stats st[2];
	size_t kind = strcspn(spec, ":;");
	int rc;

	if (!a)
		abort();
	rc = vigil_alerts__add_sink(a, spec, &err);
	if (rc == 0) {
		bool secret = strpbrk(spec, "@?") || strstr(spec, ";header=");

		/* listed by its kind; whole unless it holds what is shown as *** (a header's
		 * value, a URL's user or query), and then without the header values */
		if (vigil_alerts__stats(a, st, 2) != 1 || strncmp(st[0].spec, spec, kind) ||
		    (!secret && strncmp(st[0].spec, spec, 255)))
			abort();
		/* every header shown has its value as *** */
		for (const char *h = strstr(st[0].spec, ";header="); h;
		     h = strstr(h + 1, ";header=")) {
			const char *v = strchr(h, ':');

			/* (a shown spec cut at its size may end inside the stars) */
			if (v && strcspn(h + 1, ";") >= (size_t)(v - h) &&
			    strlen(st[0].spec) < sizeof(st[0].spec) - 1 &&
			    strncmp(v, ": ***", 5) != 0)
				abort();
		}
	} else if (!err.message[0]) {
		abort(); /* a refusal always says why */
	}
	vigil_alerts__free(a);
}

static void check_u64(const char *s)
{
	uint64_t v;
	char back[32];
	const char *digits = s;

	if (vigil_parse_u64(s, &v) < 0)
		return;
	/* a whole decimal number: digits only, printed back it is the same without leading 0s */
	while (digits[0] == '0' && digits[1])
		digits++;
	snprintf(back, sizeof(back), "%" PRIu64, v);
	if (strcmp(back, digits))
		abort();
}

static void check_duration(const char *s)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = { { "ns", 1 },
		      { "us", 1000 },
		      { "ms", 1000000 },
		      { "s", 1000000000ull },
		      { "m", 60000000000ull },
		      { "h", 3600000000000ull },
		      { "d", 86400000000000ull },
		      { "", 1000000000ull } };
	size_t nd = strspn(s, "0123456789");
	char *digits;
	uint64_t v, n;
	int rc;

	if (vigil_parse_duration(s, &v) < 0)
		return;
	if (!nd)
		abort();
	digits = strndup(s, nd); /* leading zeros make it any length */
	if (!digits)
		abort();
	rc = vigil_parse_u64(digits, &n);
	free(digits);
	if (rc < 0)
		abort();
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(s + nd, units[i].unit)) {
			if (n > UINT64_MAX / units[i].ns || n * units[i].ns != v)
				abort();
			return;
		}
	}
	abort(); /* accepted an unknown unit */
}

static void check_words(const char *s)
{
	static const char *const cands[] = { "stdout", "webhook", "alertmanager",
					     "syslog", "file",	  NULL };
	const char *half = s + strlen(s) / 2;
	char a[64];
	unsigned d1, d2;
	const char *hint;

	if (strlen(half) > 62 || (size_t)(half - s) > 62)
		return; /* longer words are outside the distance's domain (it answers max + 1) */
	vigil_strlcpy(a, s, (size_t)(half - s) + 1);
	d1 = vigil_edit_distance(a, half, 8);
	d2 = vigil_edit_distance(half, a, 8);
	if (d1 != d2 || d1 > 9 || (d1 == 0) != !strcmp(a, half) || vigil_edit_distance(a, a, 8))
		abort();
	hint = vigil_suggest(s, cands);
	if (hint && vigil_edit_distance(s, hint, 8) > 8)
		abort();
}

static void check_strlcpy(const char *s)
{
	size_t len = strlen(s);

	for (size_t size = 1; size < 8; size++) {
		char dst[8];

		if (vigil_strlcpy(dst, s, size) != len ||
		    strlen(dst) != (len < size ? len : size - 1) || strncmp(dst, s, strlen(dst)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefix[] = { "", "webhook:", "alertmanager:",
					      "syslog:unix:/nonexistent/vigil-fuzz" };
	char spec[1100];
	char *s;
	size_t kind;

	if (size < 1 || size > 1024)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		kind = strcspn(s, ":;");
		if ((kind == 4 && !strncmp(s, "file", 4)) ||
		    (kind == 6 && !strncmp(s, "syslog", 6)))
			break;
		__attribute__((fallthrough));
	case 1:
	case 2:
	case 3:
		snprintf(spec, sizeof(spec), "%s%s", prefix[data[0] % 5 % 4], s);
		check_sink(spec);
		break;
	case 4:
		check_u64(s);
		check_duration(s);
		check_words(s);
		check_strlcpy(s);
		break;
	}
	free(s);
	return 0;
}
