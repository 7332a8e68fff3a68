// SPDX-License-Identifier: Apache-2.0
/*
 * Deterministic YAML (libyaml's emitter) and JSON (jansson) of a profile, both rendered from
 * the ordered output tree. Strings are quoted exactly when a YAML reader (1.2 core or the 1.1
 * rules Kubernetes tools still use) would otherwise read them as something else.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "profile/outtree.h"
#include "profile/yamltree.h"
#include "util/buf.h"

static bool needs_quotes(const char *s, size_t len)
{
	return prof_yaml_needs_quotes(s, len);
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return vigil_buf__append(data, buffer, size) == 0;
}

static int emit_node(yaml_emitter_t *em, const struct prof_node *n)
{
	yaml_event_t ev;
	int ok;

	if (n->key) {
		yaml_scalar_style_t st = needs_quotes(n->key, strlen(n->key))
						 ? YAML_SINGLE_QUOTED_SCALAR_STYLE
						 : YAML_PLAIN_SCALAR_STYLE;

		if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)n->key,
						  (int)strlen(n->key), 1, 1, st) ||
		    !yaml_emitter_emit(em, &ev))
			return -EIO;
	}
	switch (n->type) {
	case PROF_NODE_SCALAR: {
		yaml_scalar_style_t st = YAML_PLAIN_SCALAR_STYLE;
		const char *text = n->value;
		size_t len = n->len;

		if (n->stype == PROF_SCALAR_STR) {
			if (needs_quotes(text, len))
				st = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		} else if (n->stype == PROF_SCALAR_NULL) {
			text = "null";
			len = 4;
		} else if (n->stype == PROF_SCALAR_BOOL) {
			text = (text[0] == 't' || text[0] == 'T') ? "true" : "false";
			len = strlen(text);
		}
		if (len > INT_MAX)
			return -E2BIG;
		ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)len, 1,
						  1, st);
		break;
	}
	case PROF_NODE_SEQ:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return -EIO;
		for (size_t i = 0; i < n->n; i++)
			if (emit_node(em, &n->items[i]))
				return -EIO;
		ok = yaml_sequence_end_event_initialize(&ev);
		break;
	default:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return -EIO;
		for (size_t i = 0; i < n->n; i++)
			if (emit_node(em, &n->items[i]))
				return -EIO;
		ok = yaml_mapping_end_event_initialize(&ev);
		break;
	}
	if (!ok || !yaml_emitter_emit(em, &ev))
		return -EIO;
	return 0;
}

int prof_emit_trees_yaml(const struct vigil_profile *p, prof_tree_fn tree, void *arg,
			 struct vigil_buf *out)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	size_t start = out->len;
	int r = 0;

	prof_ensure_normal(p);
	if (!yaml_emitter_initialize(&em))
		return -ENOMEM;
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);
	yaml_emitter_set_encoding(&em, YAML_UTF8_ENCODING);
	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) ||
	    !yaml_emitter_emit(&em, &ev))
		r = -EIO;
	for (size_t i = 0; !r && i < p->ndocs; i++) {
		struct prof_node *t = NULL;

		r = tree(&p->docs[i], arg, &t);
		if (r)
			break;
		if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, i == 0) ||
		    !yaml_emitter_emit(&em, &ev) || emit_node(&em, t) ||
		    !yaml_document_end_event_initialize(&ev, 1) || !yaml_emitter_emit(&em, &ev))
			r = -EIO;
		prof_node_free(t);
	}
	if (!r && (!yaml_stream_end_event_initialize(&ev) || !yaml_emitter_emit(&em, &ev) ||
		   !yaml_emitter_flush(&em)))
		r = -EIO;
	yaml_emitter_delete(&em);
	if (r) {
		/* leave out as it was; a bound (-E2BIG) shows up as an emitter write error */
		out->len = start;
		if (out->data)
			out->data[start] = 0;
	}
	return r;
}

static int authored_tree(const struct prof_doc *d, void *arg, struct prof_node **ret)
{
	(void)arg;
	*ret = prof_doc_tree(d, false);
	return *ret ? 0 : -ENOMEM;
}

int vigil_profile__emit_yaml(const struct vigil_profile *p, struct vigil_buf *out)
{
	return prof_emit_trees_yaml(p, authored_tree, NULL, out);
}

json_t *prof_tree_to_json(const struct prof_node *n, int *err)
{
	json_t *j = NULL;

	switch (n->type) {
	case PROF_NODE_SCALAR:
		switch (n->stype) {
		case PROF_SCALAR_NULL:
			j = json_null();
			break;
		case PROF_SCALAR_BOOL:
			j = json_boolean(n->value[0] == 't' || n->value[0] == 'T');
			break;
		case PROF_SCALAR_INT: {
			int64_t v;

			/* as Kubernetes reads it (yaml11.c): 0123 is octal 83, 0865 (no octal) 865 */
			if (!prof_yaml11_int(n, &v)) {
				*err = -ERANGE;
				return NULL;
			}
			j = json_integer((json_int_t)v);
			break;
		}
		case PROF_SCALAR_FLOAT: {
			double v = strtod(n->value, NULL);

			j = json_real(v); /* NULL for inf/nan: JSON has no such numbers */
			if (!j) {
				*err = -ERANGE;
				return NULL;
			}
			break;
		}
		default:
			j = json_stringn(n->value, n->len);
			break;
		}
		break;
	case PROF_NODE_SEQ:
		j = json_array();
		for (size_t i = 0; j && i < n->n; i++) {
			json_t *c = prof_tree_to_json(&n->items[i], err);

			if (!c || json_array_append_new(j, c)) {
				json_decref(j);
				return NULL;
			}
		}
		break;
	default:
		j = json_object();
		for (size_t i = 0; j && i < n->n; i++) {
			json_t *c = prof_tree_to_json(&n->items[i], err);

			if (!c || json_object_set_new(j, n->items[i].key, c)) {
				json_decref(j);
				return NULL;
			}
		}
		break;
	}
	if (!j && !*err)
		*err = -ENOMEM;
	return j;
}

int vigil_profile__emit_json(const struct vigil_profile *p, struct vigil_buf *out)
{
	prof_ensure_normal(p);
	for (size_t i = 0; i < p->ndocs; i++) {
		struct prof_node *t = prof_doc_tree(&p->docs[i], false);
		int err = 0;
		json_t *j;
		char *s;
		int r;

		if (!t)
			return -ENOMEM;
		j = prof_tree_to_json(t, &err);
		prof_node_free(t);
		if (!j)
			return err ? err : -ENOMEM;
		s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		if (!s)
			return -ENOMEM;
		r = vigil_buf__puts(out, s);
		free(s);
		if (r || (r = vigil_buf__puts(out, "\n")))
			return r;
	}
	return 0;
}
