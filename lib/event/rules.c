// SPDX-License-Identifier: Apache-2.0
/* The rule catalogue's table, made from the list in include/vigil/rules.h (in lib/: sinks and
 * tools name rules too, not only the detector). */
#include <string.h>

#include "vigil/rules.h"

static const struct vigil_rule rules[VIGIL_RULE__MAX] = {
#define ROW(id_, name_, sev_, tactic_, tech_, flags_, summary_) \
	[VIGIL_##id_] = { .rid = VIGIL_##id_,                   \
			  .id = #id_,                           \
			  .name = (name_),                      \
			  .severity = (sev_),                   \
			  .tactic = (tactic_),                  \
			  .technique = (tech_),                 \
			  .flags = (flags_),                    \
			  .summary = (summary_) },
	VIGIL_RULES(ROW)
#undef ROW
};

const struct vigil_rule *vigil_rule(enum vigil_rule_id rid)
{
	return (unsigned)rid < VIGIL_RULE__MAX ? &rules[rid] : NULL;
}

const struct vigil_rule *vigil_rules__all(size_t *ret_count)
{
	*ret_count = VIGIL_RULE__MAX;
	return rules;
}

const struct vigil_rule *vigil_rule__find(const char *id)
{
	for (size_t i = 0; id && i < VIGIL_RULE__MAX; i++) {
		if (!strcmp(rules[i].id, id))
			return &rules[i];
	}
	return NULL;
}
