/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent configuration parser's internals, shared by sensor/agent/config*.c only:
 * config_yaml.c (the YAML readers), config.c (top-level keys, defaults, load and free),
 * config_bindings.c, config_workloads.c, config_cockpit.c (one section each) and
 * config_check.c (start-up checks against the machine).
 */
#ifndef VIGIL_AGENT_CONFIG_PARSE_H
#define VIGIL_AGENT_CONFIG_PARSE_H

#include <yaml.h>

#include "sensor/agent/config.h"
#include "vigil/error.h"

/* One file being parsed: its document, its name for messages, where errors go. */
struct cfg_parse {
	yaml_document_t doc;
	const char *file;
	struct vigil_error *err;
};

/* Sets p->err at node n (FILE:LINE:COL; n may be NULL) and returns -EINVAL. */
int cfg_fail(struct cfg_parse *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The scalar's text, NULL when n is not a scalar. */
const char *cfg_scalar(const yaml_node_t *n);

/* Typed values of key at node n; errors name the key. A string or list replaces *out. */
int cfg_str(struct cfg_parse *p, const yaml_node_t *n, const char *key, char **out);
int cfg_bool(struct cfg_parse *p, const yaml_node_t *n, const char *key, bool *out);
int cfg_duration(struct cfg_parse *p, const yaml_node_t *n, const char *key, uint64_t *out);
int cfg_strv(struct cfg_parse *p, const yaml_node_t *n, const char *key, struct strv *out);

void cfg_strv_free(struct strv *v);
int cfg_strv_push(struct strv *v, const char *s);

/* "unknown key K in SECTION (did you mean ...?)"; known is NULL-terminated. */
int cfg_unknown_key(struct cfg_parse *p, const yaml_node_t *k, const char *section,
		    const char *const *known);

#define CFG_FOR_PAIRS(p, n, pair)                                    \
	for (yaml_node_pair_t *pair = (n)->data.mapping.pairs.start; \
	     pair < (n)->data.mapping.pairs.top; pair++)

/*
 * A mapping walked key by key: fn handles one key and returns -ENOENT for a key it does not
 * know, which becomes an unknown-key error suggesting one of known.
 */
int cfg_section(struct cfg_parse *p, const yaml_node_t *n, const char *section,
		const char *const *known,
		int (*fn)(struct cfg_parse *, const char *, const yaml_node_t *, void *),
		void *ctx);

/* Reads a bounded file (AGENT_CONFIG_MAX_BYTES) and parses it into p->doc. */
int cfg_load_doc(struct cfg_parse *p, const char *file);

/* The sections parsed in their own files. */
int agent_config__parse_bindings(struct cfg_parse *p, struct vigil_agent_config *c,
				 const yaml_node_t *n);
void agent_config__binding_free(struct agent_binding *b);
int agent_config__parse_workloads(struct cfg_parse *p, struct vigil_agent_config *c,
				  const yaml_node_t *n);
int agent_config__parse_cockpit(struct cfg_parse *p, struct vigil_agent_config *c,
				const yaml_node_t *n);
int agent_config__check_cockpit(const struct agent_cockpit *k, struct vigil_error *err);

#endif
