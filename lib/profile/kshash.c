// SPDX-License-Identifier: Apache-2.0
/*
 * The k8sstormcenter fork's content hash, and the served form as YAML.
 *
 * The fork (node-agent pkg/signature) signs the 64 hex digits of storage's CanonicalHash of
 * {apiVersion, kind, metadata: {name, namespace, labels}, spec}, encoded from the typed object.
 * CanonicalHash is github.com/SergJa/jsonhash: an order-independent hash, so reordering any
 * list (exec arguments included) keeps the hash; that is the fork's scheme, verified here as
 * it is, not endorsed (docs/SIGNING.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/loadctx.h"
#include "profile/outtree.h"
#include "profile/served.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "util/digest.h"

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(a, b, 129); /* "hex:hex" */
}

static int cmp_item(const void *a, const void *b)
{
	return memcmp(a, b, 64); /* "hex" */
}

/*
 * Hash of the '|'-join of the sorted item strings (each 64 or 129 bytes plus NUL): sorted in
 * place, then joined in place (each string's NUL becomes the separator).
 */
static void hash_sorted(char *items, size_t n, size_t width, unsigned char out[32])
{
	size_t len = n ? n * width - 1 : 0;

	if (n > 1)
		qsort(items, n, width, width == 130 ? cmp_entry : cmp_item);
	for (size_t i = 0; i + 1 < n; i++)
		items[i * width + width - 1] = '|';
	vigil_sha256(items, len, out);
}

static int hash_scalar(const struct prof_node *n, unsigned char out[32])
{
	switch (n->stype) {
	case PROF_SCALAR_NULL:
		vigil_sha256("null", 4, out);
		return 0;
	case PROF_SCALAR_BOOL: {
		bool t = n->value[0] == 't' || n->value[0] == 'T';

		vigil_sha256((t ? "true" : "false"), t ? 4 : 5, out);
		return 0;
	}
	case PROF_SCALAR_INT:
	case PROF_SCALAR_FLOAT: {
		/* JSON numbers decode to float64; the hash is over its big-endian bits */
		char *end;
		double d = strtod(n->value, &end);
		unsigned char be[8];
		uint64_t bits;

		if (end == n->value || *end)
			return -EINVAL;
		memcpy(&bits, &d, sizeof(bits));
		for (int i = 0; i < 8; i++)
			be[i] = (unsigned char)(bits >> (56 - 8 * i));
		vigil_sha256(be, sizeof(be), out);
		return 0;
	}
	default:
		vigil_sha256(n->value, n->len, out);
		return 0;
	}
}

int prof_json_hash(const struct prof_node *n, unsigned char out[32])
{
	size_t width = n->type == PROF_NODE_MAP ? 130 : 65;
	char *items;
	int r = 0;

	if (n->type == PROF_NODE_SCALAR)
		return hash_scalar(n, out);
	items = calloc(n->n ? n->n : 1, width);
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < n->n && !r; i++) {
		unsigned char h[32];
		char *s = items + i * width;

		r = prof_json_hash(&n->items[i], h);
		if (r)
			break;
		if (n->type == PROF_NODE_MAP) {
			/* "hex(sha256(key)):hex(hash(value))" */
			unsigned char k[32];

			vigil_sha256(n->items[i].key, strlen(n->items[i].key), k);
			vigil_hex(k, 32, s);
			s[64] = ':';
			vigil_hex(h, 32, s + 65);
		} else {
			vigil_hex(h, 32, s);
		}
	}
	if (!r)
		hash_sorted(items, n->n, width, out);
	free(items);
	return r;
}

static struct prof_node *add_child(struct prof_node *m, const char *key)
{
	struct prof_node *c;

	if (prof_grow((void **)&m->items, &m->cap, m->n, sizeof(*m->items)))
		return NULL;
	c = &m->items[m->n];
	memset(c, 0, sizeof(*c));
	if (!(c->key = strdup(key)))
		return NULL;
	m->n++;
	return c;
}

static int add_str(struct prof_node *m, const char *key, const char *v, enum prof_scalar_type t)
{
	struct prof_node *c = add_child(m, key);

	if (!c)
		return -ENOMEM;
	c->type = PROF_NODE_SCALAR;
	c->stype = t;
	c->len = strlen(v);
	return (c->value = strdup(v)) ? 0 : -ENOMEM;
}

/* {apiVersion, kind, metadata{name, namespace, labels}, spec} as the fork's adapters build it */
static int fork_content(const struct prof_doc *d, struct prof_node **ret, char *why, size_t wsize)
{
	struct prof_node *root = calloc(1, sizeof(*root)), *meta, *labels, *spec = NULL;
	int r;

	if (!root)
		return -ENOMEM;
	root->type = PROF_NODE_MAP;
	r = add_str(root, "apiVersion", d->api_version ? d->api_version : VIGIL_PROFILE_API_VERSION,
		    PROF_SCALAR_STR);
	if (!r)
		r = add_str(root, "kind", prof_kind_name(d->kind), PROF_SCALAR_STR);
	meta = r ? NULL : add_child(root, "metadata");
	if (!meta) {
		r = -ENOMEM;
		goto out;
	}
	meta->type = PROF_NODE_MAP;
	r = add_str(meta, "name", d->name ? d->name : "", PROF_SCALAR_STR);
	if (!r)
		r = add_str(meta, "namespace", d->namespace_ ? d->namespace_ : "", PROF_SCALAR_STR);
	if (!r && d->labels.state != PROF_SET)
		r = add_str(meta, "labels", "null", PROF_SCALAR_NULL);
	if (!r && d->labels.state == PROF_SET) {
		labels = add_child(meta, "labels");
		if (!labels)
			r = -ENOMEM;
		else
			labels->type = PROF_NODE_MAP;
		for (size_t i = 0; !r && i < d->labels.n; i++)
			r = add_str(labels, d->labels.v[i].key, d->labels.v[i].value,
				    PROF_SCALAR_STR);
	}
	if (!r)
		r = prof_served_spec(d, PROF_SERVED_DECODED,
				     d->kind == VIGIL_KIND_APPLICATION_PROFILE, &spec, why, wsize);
	if (!r) {
		struct prof_node *c = add_child(root, "spec");

		if (!c) {
			r = -ENOMEM;
		} else {
			char *key = c->key;

			*c = *spec;
			c->key = key;
			free(spec);
			spec = NULL;
		}
	}
out:
	prof_node_free(spec);
	if (r) {
		prof_node_free(root);
		return r;
	}
	*ret = root;
	return 0;
}

int vigil_profile__kubescape_hash(const struct vigil_profile *p, size_t doc, char *out, size_t size,
				  char *why, size_t why_size)
{
	struct prof_node *content = NULL;
	unsigned char h[32];
	int r;

	if (!p || doc >= p->ndocs || size < 65)
		return -EINVAL;
	prof_ensure_normal(p);
	r = fork_content(&p->docs[doc], &content, why, why_size);
	if (r)
		return r;
	r = prof_json_hash(content, h);
	prof_node_free(content);
	if (r)
		return r;
	vigil_hex(h, 32, out);
	return 0;
}

/* The whole document as storage serves it: metadata as written, the typed spec. */
static int served_projection(const struct prof_doc *d, char *why, struct prof_node **ret)
{
	struct prof_node *t = prof_doc_tree(d, false), *spec = NULL;
	int r;

	if (!t)
		return -ENOMEM;
	r = prof_served_spec(d, PROF_SERVED_STORED, false, &spec, why, 256);
	for (size_t i = 0; !r && i < t->n; i++) {
		if (!strcmp(t->items[i].key, "spec")) {
			char *key = t->items[i].key;

			t->items[i].key = NULL; /* kept for the replacement */
			prof_node_release(&t->items[i]);
			t->items[i] = *spec;
			t->items[i].key = key;
			free(spec);
			spec = NULL;
		} else if (!strcmp(t->items[i].key, "status")) {
			/* storage writes its own (empty) status; an authored one is not kept */
			prof_node_release(&t->items[i]);
			memmove(&t->items[i], &t->items[i + 1], (t->n - i - 1) * sizeof(*t->items));
			t->n--;
			i--;
		}
	}
	if (!r && spec) {
		/* a document without spec: storage serves the typed zero spec all the same */
		struct prof_node *sp = add_child(t, "spec");

		if (!sp) {
			r = -ENOMEM;
		} else {
			char *key = sp->key;

			*sp = *spec;
			sp->key = key;
			free(spec);
			spec = NULL;
		}
	}
	prof_node_free(spec);
	if (!r && d->kind != VIGIL_KIND_NETWORK_NEIGHBORHOOD) {
		/* ApplicationProfileStatus and ContainerProfileStatus are empty structs: {} */
		struct prof_node *st = add_child(t, "status");

		if (!st)
			r = -ENOMEM;
		else
			st->type = PROF_NODE_MAP;
	}
	if (r) {
		prof_node_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

/*
 * The served form in Vigil's order. The projection erases what told some entries apart in
 * Vigil's sort order (absent, null and empty lists; an absent string and ""; a port of 0 and
 * none): read back, such entries sort in another order or fall together as duplicates, so
 * `fmt --served` would change its own output. What is written is the projection read back
 * (sorted and de-duplicated as every load does) and projected again: what Vigil makes of what
 * storage serves, and a fixed point. Storage itself keeps the first projection's order and
 * duplicates; Vigil's canonical form, and with it a signature, is the same for both.
 */
static int served_tree(const struct prof_doc *d, void *arg, struct prof_node **ret)
{
	struct prof_node *t = NULL;
	struct vigil_profile *q = NULL;
	struct vigil_error err;
	char *why = arg;
	int r = served_projection(d, why, &t);

	if (r)
		return r;
	r = prof_load_doc_tree(t, "served form", &q, &err);
	prof_node_free(t);
	if (r) {
		snprintf(why, 256, "the served form does not load back: %.200s", err.message);
		return r;
	}
	r = served_projection(&q->docs[0], why, ret);
	vigil_profile__free(q);
	return r;
}

int vigil_profile__emit_served_yaml(const struct vigil_profile *p, struct vigil_buf *out, char *why,
				    size_t why_size)
{
	char buf[256] = "";
	int r = prof_emit_trees_yaml(p, served_tree, buf, out);

	if (why_size) {
		snprintf(why, why_size, "%s", buf);
	}
	return r;
}

bool vigil_profile__has_exec_digests(const struct vigil_profile *p, size_t doc)
{
	if (!p || doc >= p->ndocs)
		return false;
	for (size_t j = 0; j < prof_doc_container_count(&p->docs[doc]); j++)
		if (prof_doc_container_at(&p->docs[doc], j)->exec_digests.state != PROF_ABSENT)
			return true;
	return false;
}

bool vigil_profile__has_iouring(const struct vigil_profile *p, size_t doc)
{
	if (!p || doc >= p->ndocs)
		return false;
	for (size_t j = 0; j < prof_doc_container_count(&p->docs[doc]); j++)
		if (prof_doc_container_at(&p->docs[doc], j)->iouring.state != PROF_ABSENT)
			return true;
	return false;
}

bool vigil_profile__has_by_exe(const struct vigil_profile *p, size_t doc)
{
	if (!p || doc >= p->ndocs)
		return false;
	for (size_t j = 0; j < prof_doc_container_count(&p->docs[doc]); j++)
		if (prof_byexe_present(prof_doc_container_at(&p->docs[doc], j)))
			return true;
	return false;
}
