// SPDX-License-Identifier: Apache-2.0
/*
 * Files and buffers -> the typed SBoB model (vigil_profile__load_*): every document of the
 * text, the items of a List, other Kubernetes objects skipped with a note. The pieces are in
 * loadctx.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/loadctx.h"
#include "profile/yamltree.h"
#include "util/strutil.h"

static const char *map_str(const struct prof_node *m, const char *key)
{
	for (size_t i = 0; m->type == PROF_NODE_MAP && i < m->n; i++)
		if (!strcmp(m->items[i].key, key))
			return m->items[i].type == PROF_NODE_SCALAR &&
					       m->items[i].stype == PROF_SCALAR_STR
				       ? m->items[i].value
				       : NULL;
	return NULL;
}

static struct prof_node *map_get(struct prof_node *m, const char *key)
{
	for (size_t i = 0; m->type == PROF_NODE_MAP && i < m->n; i++)
		if (!strcmp(m->items[i].key, key))
			return &m->items[i];
	return NULL;
}

static const char *const profile_kinds[] = { "ApplicationProfile", "NetworkNeighborhood",
					     "ContainerProfile", NULL };

enum doc_class {
	DOC_PROFILE, /* load it (errors included: a broken profile is an error) */
	DOC_LIST,    /* kind: List (kubectl get -o yaml) or ApplicationProfileList & co. */
	DOC_OTHER,   /* another Kubernetes object: skipped with a note */
};

/*
 * Files as people keep them hold profiles next to a Namespace or a Deployment. A document
 * whose kind is neither a profile kind nor a near miss of one (a typo stays an error) is some
 * other object. Without a kind it is a profile with a mistake, reported as such.
 */
static enum doc_class classify(const struct prof_node *root)
{
	const char *kind = map_str(root, "kind"), *api = map_str(root, "apiVersion");
	size_t kl;

	if (root->type != PROF_NODE_MAP || !kind || !*kind)
		return DOC_PROFILE;
	if (prof_name_in(kind, profile_kinds) || vigil_suggest(kind, profile_kinds))
		return DOC_PROFILE;
	if (!strcmp(kind, "List"))
		return DOC_LIST;
	kl = strlen(kind);
	if (kl > 4 && !strcmp(kind + kl - 4, "List") && api &&
	    !strcmp(api, VIGIL_PROFILE_API_VERSION)) {
		for (size_t i = 0; profile_kinds[i]; i++)
			if (strlen(profile_kinds[i]) == kl - 4 &&
			    !strncmp(kind, profile_kinds[i], kl - 4))
				return DOC_LIST;
	}
	return DOC_OTHER;
}

static int skip_doc(struct ld *c, struct prof_node *root, struct prof_pos pos)
{
	struct prof_node *meta = map_get(root, "metadata");
	const char *name = meta ? map_str(meta, "name") : NULL;
	const char *api = map_str(root, "apiVersion");

	c->p->skipped_docs++;
	if (prof_note_add(c->p, VIGIL_PROFILE_SKIPPED, pos, "skipped %s%s%s%s%s%s: not a profile",
			  api ? api : "", api ? " " : "", map_str(root, "kind"), name ? " \"" : "",
			  name ? name : "", name ? "\"" : ""))
		return ld_oom(c);
	return 0;
}

static int add_doc(struct ld *c, struct prof_node *root, struct prof_pos pos)
{
	struct vigil_profile *p = c->p;
	int r;

	if (prof_grow((void **)&p->docs, &p->docs_cap, p->ndocs, sizeof(*p->docs)))
		return ld_oom(c);
	p->ndocs++;
	if ((r = ld_doc(c, root, &p->docs[p->ndocs - 1])))
		return r;
	p->docs[p->ndocs - 1].pos = pos;
	return 0;
}

/* The items of a List, each a document of its own (other objects skipped). */
static int load_list(struct ld *c, struct prof_node *root)
{
	struct prof_node *items = map_get(root, "items");
	int r;

	if (!items || ld_is_null(items))
		return 0;
	if (items->type != PROF_NODE_SEQ)
		return ld_fail(c, items->pos, "\"items\" of a %s must be a list, not %s",
			       map_str(root, "kind"), ld_type_name(items));
	for (size_t i = 0; i < items->n; i++) {
		struct prof_node *it = &items->items[i];

		switch (classify(it)) {
		case DOC_PROFILE:
			r = add_doc(c, it, it->pos);
			break;
		case DOC_LIST:
			r = ld_fail(c, it->pos, "a List inside a List is not supported");
			break;
		default:
			r = skip_doc(c, it, it->pos);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

int prof_load_doc_tree(struct prof_node *root, const char *name, struct vigil_profile **ret,
		       struct vigil_error *err)
{
	struct ld c = { .name = name, .err = err };
	struct vigil_profile *p;
	int r;

	vigil_error__clear(err);
	p = calloc(1, sizeof(*p));
	if (!p)
		return ld_oom(&c);
	c.p = p;
	r = add_doc(&c, root, root->pos);
	if (r) {
		vigil_profile__free(p);
		return r;
	}
	prof_normalize(p);
	*ret = p;
	return 0;
}

int vigil_profile__load_buffer(const char *data, size_t len, const char *name,
			       const struct vigil_profile_limits *limits,
			       struct vigil_profile **ret, struct vigil_error *err)
{
	struct vigil_profile_limits lim;
	struct ld c = { .name = name ? name : "", .err = err, .lim = &lim };
	struct prof_node *docs = NULL;
	size_t ndocs = 0;
	struct vigil_profile *p;
	bool comments = false;
	int r;

	vigil_error__clear(err);
	prof_limits_resolve(limits, &lim);
	if ((r = prof_parse_yaml(data, len, c.name, &lim, &docs, &ndocs, &comments, err)))
		return r;
	p = calloc(1, sizeof(*p));
	if (!p || (name && !(p->source = strdup(name)))) {
		r = ld_oom(&c);
		goto out;
	}
	c.p = p;
	for (size_t i = 0; i < ndocs && !r; i++) {
		struct prof_node *root;

		if (!docs[i].n)
			continue; /* an empty document ("---" at the end) */
		root = &docs[i].items[0];
		/* "---" twice, or "---" at the end after "...": the empty documents that helm
		 * templates and concatenated files leave, which kubectl skips */
		if (root->type == PROF_NODE_SCALAR && root->stype == PROF_SCALAR_NULL &&
		    !root->quoted && !root->len)
			continue;
		switch (classify(root)) {
		case DOC_PROFILE:
			r = add_doc(&c, root, docs[i].pos);
			break;
		case DOC_LIST:
			r = load_list(&c, root);
			break;
		default:
			r = skip_doc(&c, root, docs[i].pos);
			break;
		}
	}
	if (r)
		goto out;
	if (!p->ndocs) {
		r = vigil_error__set(err, -EINVAL, c.name, 1, 1,
				     p->skipped_docs ? "no profile document in the file (%zu other "
						       "object%s skipped)"
						     : "no profile document in the file",
				     p->skipped_docs, p->skipped_docs == 1 ? "" : "s");
		goto out;
	}
	prof_normalize(p);
	p->had_comments = comments;
out:
	for (size_t i = 0; i < ndocs; i++)
		prof_node_release(&docs[i]);
	free(docs);
	if (r) {
		vigil_profile__free(p);
		return r;
	}
	*ret = p;
	return 0;
}

int vigil_profile__load_file(const char *path, const struct vigil_profile_limits *limits,
			     struct vigil_profile **ret, struct vigil_error *err)
{
	struct vigil_profile_limits lim;
	struct stat st;
	char *data;
	size_t got = 0;
	int fd, r;

	prof_limits_resolve(limits, &lim);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vigil_error__set(err, -errno, path, 0, 0, "cannot open: %s",
					strerror(errno));
	if (fstat(fd, &st)) {
		r = -errno;
		close(fd);
		return vigil_error__set(err, r, path, 0, 0, "cannot stat: %s", strerror(-r));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vigil_error__set(err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, path, 0, 0,
					"not a regular file");
	}
	if ((uint64_t)st.st_size > lim.max_file_bytes) {
		close(fd);
		return vigil_error__set(err, -EFBIG, path, 0, 0,
					"file is %lld bytes, larger than the limit of %zu",
					(long long)st.st_size, lim.max_file_bytes);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return vigil_error__set(err, -ENOMEM, path, 0, 0, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			close(fd);
			free(data);
			return vigil_error__set(err, r, path, 0, 0, "cannot read: %s",
						strerror(-r));
		}
		got += (size_t)n;
	}
	close(fd);
	r = vigil_profile__load_buffer(data, got, path, &lim, ret, err);
	free(data);
	return r;
}
