// SPDX-License-Identifier: Apache-2.0
/*
 * The YAML profile loader under libFuzzer: load with small limits; when the input loads,
 * emit YAML, reload it and require the same model (load(fmt(x)) == load(x)), require fmt to
 * be a fixed point, and render JSON, the canonical form of every document, a describe and a
 * diff against itself (which must say "same"); the loader's warnings and notes stay bounded.
 * The hardening drafts made from it are well formed: the seccomp profile is JSON, the
 * NetworkPolicy is one YAML document whatever the profile's strings hold. The fast YAML path
 * (yamlfast.c) gives libyaml's trees, positions included, whenever it does not decline: on the
 * input and on what fmt writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "profile/model.h"
#include "profile/yamltree.h"
#include "util/buf.h"
#include "vigil/harden.h"
#include "vigil/profile.h"

/* Whether text is exactly one well-formed YAML document. */
static bool one_yaml_doc(const char *text, size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	int docs = 0;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&yp))
		return false;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	while (ok && !done) {
		if (!yaml_parser_parse(&yp, &ev)) {
			ok = false;
			break;
		}
		docs += ev.type == YAML_DOCUMENT_START_EVENT;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	return ok && docs == 1;
}

static bool same_node(const struct prof_node *a, const struct prof_node *b)
{
	if (a->type != b->type || a->stype != b->stype || a->quoted != b->quoted || a->n != b->n ||
	    a->len != b->len || a->pos.line != b->pos.line || a->pos.col != b->pos.col ||
	    a->key_pos.line != b->key_pos.line || a->key_pos.col != b->key_pos.col ||
	    !a->key != !b->key || (a->key && strcmp(a->key, b->key)) || !a->value != !b->value ||
	    (a->value && memcmp(a->value, b->value, a->len + 1)))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_node(&a->items[i], &b->items[i]))
			return false;
	return true;
}

/* When the fast path takes the text, libyaml takes it too and builds the same trees. */
static void check_fast_path(const char *data, size_t size, const struct vigil_profile_limits *lim)
{
	struct prof_node *fd = NULL, *ld = NULL;
	size_t fn = 0, ln = 0;
	bool fc = false, lc = false;
	struct vigil_error err;

	if (prof_parse_yaml_fast(data, size, lim, &fd, &fn, &fc))
		return;
	if (prof_parse_yaml_libyaml(data, size, "fuzz", lim, &ld, &ln, &lc, &err) || fn != ln ||
	    fc != lc)
		abort();
	for (size_t i = 0; i < fn; i++) {
		if (!same_node(&fd[i], &ld[i]))
			abort();
		prof_node_release(&fd[i]);
		prof_node_release(&ld[i]);
	}
	free(fd);
	free(ld);
}

static void check_harden(const struct vigil_profile *p)
{
	const char *sel[] = { "app=fuzz" };
	struct vigil_netpol_opts np = { .selector = sel, .nselector = 1 };
	struct vigil_buf b = VIGIL_BUF_INIT;
	char why[256];
	json_t *j;

	if (!vigil_harden__seccomp(p, NULL, &b, why, sizeof(why))) {
		if (!(j = json_loadb(b.data, b.len, 0, NULL)))
			abort();
		json_decref(j);
	}
	vigil_buf__reset(&b);
	if (!vigil_harden__netpol(p, &np, &b, why, sizeof(why)) && !one_yaml_doc(b.data, b.len))
		abort();
	vigil_buf__release(&b);
}

/*
 * byExecutable: the matcher of the first container finds a section for every executable its
 * sections name, and each section answers for its own entries.
 */
static void check_by_exe(struct vigil_profile *p)
{
	struct vigil_matcher *m = NULL;

	if (vigil_matcher__new(p, NULL, &m))
		return;
	for (size_t d = 0; d < p->ndocs; d++) {
		for (size_t i = 0; i < prof_doc_container_count(&p->docs[d]); i++) {
			const struct prof_container *c = prof_doc_container_at(&p->docs[d], i);

			for (size_t k = 0; k < c->by_exe.n; k++) {
				const struct prof_container *s = &c->by_exe.v[k];
				const struct vigil_matcher *sm = vigil_matcher__by_exe(m, s->name);

				if (!vigil_matcher__has_by_exe(m) && sm)
					abort(); /* a section without the extension */
				for (size_t j = 0; sm && j < s->opens.n; j++)
					(void)vigil_matcher__open(sm, s->opens.v[j].path, 0);
				for (size_t j = 0; sm && j < s->execs.n; j++)
					(void)vigil_matcher__exec(sm, s->execs.v[j].path, NULL, 0);
			}
		}
	}
	vigil_matcher__free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_profile_limits lim = {
		.max_file_bytes = 1 << 20,
		.max_depth = 24,
		.max_entries = 4096,
		.max_string = 4096,
		.max_documents = 16,
	};
	struct vigil_profile *p = NULL, *q = NULL;
	struct vigil_buf y1 = VIGIL_BUF_INIT, y2 = VIGIL_BUF_INIT, b = VIGIL_BUF_INIT;
	struct vigil_error err;

	check_fast_path((const char *)data, size, &lim);
	if (vigil_profile__load_buffer((const char *)data, size, "fuzz", &lim, &p, &err))
		return 0;
	/* warnings and skipped-object notes are bounded and well formed */
	if (vigil_profile__note_count(p) > 64)
		abort();
	for (size_t i = 0; i < vigil_profile__note_count(p); i++)
		if (!vigil_profile__note(p, i, &err) || !err.message[0])
			abort();
	if (vigil_profile__emit_yaml(p, &y1))
		abort();
	check_fast_path(y1.data, y1.len, &lim);
	if (vigil_profile__load_buffer(y1.data, y1.len, "fmt", &lim, &q, &err))
		abort(); /* what we write must load */
	if (!prof_equal(p, q))
		abort();
	if (vigil_profile__emit_yaml(q, &y2) || y1.len != y2.len ||
	    memcmp(y1.data, y2.data, y1.len))
		abort(); /* fmt is a fixed point */
	for (size_t i = 0; i < vigil_profile__doc_count(p); i++) {
		struct vigil_buf c1 = VIGIL_BUF_INIT, c2 = VIGIL_BUF_INIT;
		int r1 = vigil_profile__canon(p, i, &c1), r2 = vigil_profile__canon(q, i, &c2);

		/* numbers JSON cannot hold (.inf) fail the same way on both sides */
		if (r1 != r2 || (!r1 && (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len))))
			abort();
		vigil_buf__release(&c1);
		vigil_buf__release(&c2);
	}
	/* the served form (Kubescape's types) loads back and is a fixed point; hashes render */
	{
		struct vigil_buf s1 = VIGIL_BUF_INIT, s2 = VIGIL_BUF_INIT;
		struct vigil_profile *sp = NULL;
		char why[256], hex[65];

		for (size_t i = 0; i < vigil_profile__doc_count(p); i++)
			(void)vigil_profile__kubescape_hash(p, i, hex, sizeof(hex), why,
							    sizeof(why));
		if (!vigil_profile__emit_served_yaml(p, &s1, why, sizeof(why))) {
			if (vigil_profile__load_buffer(s1.data, s1.len, "served", &lim, &sp,
						       &err) ||
			    vigil_profile__emit_served_yaml(sp, &s2, why, sizeof(why)) ||
			    s1.len != s2.len || memcmp(s1.data, s2.data, s1.len))
				abort();
		}
		vigil_profile__free(sp);
		vigil_buf__release(&s1);
		vigil_buf__release(&s2);
	}
	(void)vigil_profile__emit_json(p, &b);
	vigil_buf__reset(&b);
	check_harden(p);
	check_by_exe(p);
	if (vigil_profile__describe(p, &b))
		abort();
	if (vigil_profile__diff(p, q, NULL) != 0)
		abort();
	/* the union with itself is itself */
	if (vigil_profile__merge(q, p) || vigil_profile__diff(p, q, NULL) != 0)
		abort();
	/* collapsing with tiny thresholds must still give a profile that loads */
	if (vigil_profile__collapse(q, &(struct vigil_collapse_opts){ .opens_threshold = 2,
								      .endpoints_threshold = 2 }))
		abort();
	vigil_buf__reset(&y2);
	if (vigil_profile__emit_yaml(q, &y2))
		abort();
	vigil_profile__free(q);
	q = NULL;
	if (vigil_profile__load_buffer(y2.data, y2.len, "collapsed", &lim, &q, &err))
		abort();
	vigil_buf__release(&y1);
	vigil_buf__release(&y2);
	vigil_buf__release(&b);
	vigil_profile__free(p);
	vigil_profile__free(q);
	return 0;
}
