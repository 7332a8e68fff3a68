// SPDX-License-Identifier: Apache-2.0
/*
 * A name the workload chose that a profile would read as a wildcard. Kubescape's profiles have
 * no escape: `*` and `⋯` (U+22EF) are wildcards as a whole path segment, DNS label or argument,
 * and a directory literally named `*` learned as it is (the opened `/tmp/x/STAR/f`, STAR being
 * the one character) allows every path in its place. Anyone who can create such a name while a workload learns (an attacker, or a benign
 * program) would widen the profile. The narrowest pattern that still matches a literal `*`
 * segment is `⋯`, which allows every other name there too; so learning leaves such an entry out
 * (the learner counts it, `vigil learn` says so): a wildcard in a learned profile is always
 * learning's own decision (a volatile shape, a collapse), never a character the workload wrote.
 * The price: a workload that really uses such a name raises its alert on every run.
 * docs/DETECTION.md §2.
 */
#include <stdbool.h>
#include <string.h>

#include "vigil/learn.h"

#define ELLIPSIS "\xe2\x8b\xaf"

bool vigil_learn_wild_name(const char *s)
{
	/* also a `*` inside a segment (`*.log`): compared literally by the matchers, but the
	 * profile builder refuses it (a learned profile always loads back), so it is never
	 * learned either */
	return s && (strchr(s, '*') || strstr(s, ELLIPSIS));
}

bool vigil_learn_wild_arg(const char *s)
{
	/* `*` is plain text in arguments (Kubescape's MatchExecArgs); `⋯` and `⋯⋯` are not, as a
	 * whole argument or as a '/'-segment of one */
	return s && strstr(s, ELLIPSIS);
}
