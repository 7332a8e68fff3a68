// SPDX-License-Identifier: Apache-2.0
/*
 * The agent configuration's YAML readers: a bounded file into a libyaml document, typed values
 * (strings, lists, booleans, durations) with FILE:LINE:COL errors, and mappings walked key by
 * key with unknown keys refused with a suggestion. Shared by every config*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/agent/config_parse.h"
#include "util/strutil.h"

int cfg_fail(struct cfg_parse *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[VIGIL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vigil_error__set(p->err, -EINVAL, p->file, n ? (int)n->start_mark.line + 1 : 0,
				n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

const char *cfg_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int cfg_str(struct cfg_parse *p, const yaml_node_t *n, const char *key, char **out)
{
	const char *s = cfg_scalar(n);

	if (!s)
		return cfg_fail(p, n, "%s: expected a string", key);
	free(*out);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int cfg_bool(struct cfg_parse *p, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s = cfg_scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
		*out = false;
		return 0;
	}
	return cfg_fail(p, n, "%s: expected true or false", key);
}

int cfg_duration(struct cfg_parse *p, const yaml_node_t *n, const char *key, uint64_t *out)
{
	const char *s = cfg_scalar(n);

	if (!s || vigil_parse_duration(s, out) < 0)
		return cfg_fail(p, n, "%s: expected a duration (500ms, 30s, 10m, 24h)", key);
	return 0;
}

void cfg_strv_free(struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* Keeps v NULL-terminated (commands are passed to exec as they are). */
int cfg_strv_push(struct strv *v, const char *s)
{
	char **grown = realloc(v->v, (v->n + 2) * sizeof(*v->v));

	if (!grown)
		return -ENOMEM;
	v->v = grown;
	v->v[v->n] = strdup(s);
	if (!v->v[v->n])
		return -ENOMEM;
	v->n++;
	v->v[v->n] = NULL;
	return 0;
}

/* A list of strings (a single string is a list of one). */
int cfg_strv(struct cfg_parse *p, const yaml_node_t *n, const char *key, struct strv *out)
{
	int err;

	cfg_strv_free(out);
	if (cfg_scalar(n))
		return cfg_strv_push(out, cfg_scalar(n));
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(p, n, "%s: expected a list of strings", key);
	if (n->data.sequence.items.top - n->data.sequence.items.start > AGENT_CONFIG_MAX_ITEMS)
		return cfg_fail(p, n, "%s: more than %d items", key, AGENT_CONFIG_MAX_ITEMS);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = yaml_document_get_node(&p->doc, *it);

		if (!cfg_scalar(item))
			return cfg_fail(p, item, "%s: expected a string", key);
		err = cfg_strv_push(out, cfg_scalar(item));
		if (err < 0)
			return err;
	}
	return 0;
}

int cfg_unknown_key(struct cfg_parse *p, const yaml_node_t *k, const char *section,
		    const char *const *known)
{
	const char *hint = vigil_suggest(cfg_scalar(k) ? cfg_scalar(k) : "", known);

	if (hint)
		return cfg_fail(p, k, "unknown key \"%s\"%s%s (did you mean \"%s\"?)",
				cfg_scalar(k), section ? " in " : "", section ? section : "", hint);
	return cfg_fail(p, k, "unknown key \"%s\"%s%s", cfg_scalar(k) ? cfg_scalar(k) : "?",
			section ? " in " : "", section ? section : "");
}

int cfg_section(struct cfg_parse *p, const yaml_node_t *n, const char *section,
		const char *const *known,
		int (*fn)(struct cfg_parse *, const char *, const yaml_node_t *, void *), void *ctx)
{
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_fail(p, n, "%s: expected a mapping",
				section ? section : "configuration");
	CFG_FOR_PAIRS(p, n, pair)
	{
		const yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
		const char *key = cfg_scalar(k) ? cfg_scalar(k) : "";

		err = fn(p, key, v, ctx);
		if (err == -ENOENT)
			return cfg_unknown_key(p, k, section, known);
		if (err)
			return err;
	}
	return 0;
}

/* Reads a bounded file and parses it into p->doc. */
int cfg_load_doc(struct cfg_parse *p, const char *file)
{
	yaml_parser_t parser;
	struct stat st;
	char *data;
	ssize_t n;
	int fd, err = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vigil_error__set(p->err, -errno, file, 0, 0, "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > AGENT_CONFIG_MAX_BYTES) {
		close(fd);
		return vigil_error__set(p->err, -EFBIG, file, 0, 0,
					"not a regular file of at most %u bytes",
					AGENT_CONFIG_MAX_BYTES);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, data, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(data);
		return vigil_error__set(p->err, -EIO, file, 0, 0, "short read");
	}
	if (!yaml_parser_initialize(&parser)) {
		free(data);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, (size_t)n);
	if (!yaml_parser_load(&parser, &p->doc)) {
		err = vigil_error__set(p->err, -EINVAL, file, (int)parser.problem_mark.line + 1,
				       (int)parser.problem_mark.column + 1, "%s",
				       parser.problem ? parser.problem : "YAML error");
		memset(&p->doc, 0, sizeof(p->doc));
	}
	yaml_parser_delete(&parser);
	free(data);
	return err;
}
