// SPDX-License-Identifier: Apache-2.0
/*
 * vigil profile merge --trust DIR [-o OUT] FILE...: the effective profile from several signed
 * pieces (seed 002: a vendor base, network neighbors signed by their provider, a local
 * overlay). Each document is verified against its own trusted key and scope; what gets merged
 * is re-read from the exact canonical bytes that were verified, so nothing unsigned (comments,
 * other annotations) can slip in between verification and merging. A piece that fails is named
 * on stderr and left out. Exit 0 when every piece was used, 1 when any was left out, 2 on errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "util/fileio.h"
#include "util/buf.h"
#include "vigil/profile.h"
#include "vigil/sign.h"

/* How many entries per section the summary names before it only counts. */
#define SHOW_PER_SECTION 4

struct piece {
	enum vigil_profile_kind kind;
	char *name;
	char signer[VIGIL_SIGN_NAME_MAX + 1];
	char digest[72];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil profile merge --trust DIR [-o OUT] FILE...\n\n"
		"Builds the effective profile from signed pieces. Every document of every FILE is\n"
		"verified against the trusted keys in DIR (and their scopes); valid ones are merged,\n"
		"the others are named on stderr and left out. stderr lists which entries came from\n"
		"which signer; each output document gets the annotation vigil.dev/provenance\n"
		"(SIGNER=sha256:DIGEST of every piece merged into it). The output is not signed:\n"
		"sign it with `vigil sign` to distribute it.\n\n"
		"Exit status: 0 all pieces used, 1 a piece was left out (the output holds the others),\n"
		"2 an unreadable key, directory or file, or no valid piece at all.\n");
}

/* A short label for one entry: its path, endpoint, name or address. */
static void entry_label(const json_t *e, const char *key, char *buf, size_t size)
{
	static const char *const fields[] = { "path",	     "endpoint",  "dnsNames", "dns",
					      "ipAddresses", "ipAddress", NULL };

	if (json_is_string(e)) {
		snprintf(buf, size, "%s", json_string_value(e));
		return;
	}
	if (key) {
		snprintf(buf, size, "%s", key);
		return;
	}
	for (size_t i = 0; fields[i]; i++) {
		const json_t *v = json_object_get(e, fields[i]);

		if (json_is_array(v))
			v = json_array_get(v, 0);
		if (json_is_string(v)) {
			snprintf(buf, size, "%s", json_string_value(v));
			return;
		}
	}
	snprintf(buf, size, "(entry)");
}

static bool skip_field(const char *key)
{
	static const char *const identity[] = { "name",	       "imageID",
						"imageTag",    "architectures",
						"matchLabels", "matchExpressions",
						NULL };

	for (size_t i = 0; identity[i]; i++)
		if (!strcmp(identity[i], key))
			return true;
	return false;
}

static void print_sections(const json_t *obj, const char *where)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val)
	{
		char label[128];
		size_t n = 0;

		if (skip_field(key))
			continue;
		if (!strcmp(key, "containers") || !strcmp(key, "initContainers") ||
		    !strcmp(key, "ephemeralContainers")) {
			size_t i;
			json_t *ct;

			json_array_foreach(val, i, ct)
			{
				char w[128];
				const char *cn = json_string_value(json_object_get(ct, "name"));

				snprintf(w, sizeof(w), "container %s", cn ? cn : "?");
				if (json_is_object(ct))
					print_sections(ct, w);
			}
			continue;
		}
		if (json_is_array(val))
			n = json_array_size(val);
		else if (json_is_object(val))
			n = json_object_size(val);
		else if (!json_is_null(val))
			n = 1;
		if (!n)
			continue;
		fprintf(stderr, "vigil:     %s: %s (%zu):", where, key, n);
		if (json_is_array(val)) {
			for (size_t i = 0; i < n && i < SHOW_PER_SECTION; i++) {
				entry_label(json_array_get(val, i), NULL, label, sizeof(label));
				fprintf(stderr, "%s %s", i ? "," : "", label);
			}
		} else if (json_is_object(val)) {
			const char *k;
			json_t *v;
			size_t i = 0;

			json_object_foreach(val, k, v)
			{
				if (i >= SHOW_PER_SECTION)
					break;
				entry_label(v, k, label, sizeof(label));
				fprintf(stderr, "%s %s", i++ ? "," : "", label);
			}
		}
		if (n > SHOW_PER_SECTION)
			fprintf(stderr, ", ... %zu more", n - SHOW_PER_SECTION);
		fputc('\n', stderr);
	}
}

/* Names the entries of one verified piece (from its canonical JSON). */
static void print_provenance(const char *canon, size_t len)
{
	json_t *root = json_loadb(canon, len, 0, NULL);
	json_t *spec = json_object_get(root, "spec");

	if (json_is_object(spec))
		print_sections(spec, "spec");
	json_decref(root);
}

static bool same_doc(const struct piece *pc, enum vigil_profile_kind kind, const char *name)
{
	return pc->kind == kind && !strcmp(pc->name, name ? name : "");
}

static int annotate(struct vigil_profile *out, const struct piece *pieces, size_t npieces)
{
	for (size_t d = 0; d < vigil_profile__doc_count(out); d++) {
		enum vigil_profile_kind kind = vigil_profile__doc_kind(out, d);
		const char *name = vigil_profile__doc_name(out, d);
		struct vigil_buf b = VIGIL_BUF_INIT;
		int r = 0;

		for (size_t i = 0; i < npieces && !r; i++)
			if (same_doc(&pieces[i], kind, name))
				r = vigil_buf__printf(&b, "%s%s=%s", b.len ? "," : "",
						      pieces[i].signer, pieces[i].digest);
		if (!r && b.data)
			r = vigil_profile__set_annotation(out, d, VIGIL_SIGN_ANN_PROVENANCE,
							  b.data);
		vigil_buf__release(&b);
		if (r < 0)
			return r;
	}
	return 0;
}

int profile_merge_trusted(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *out_path = NULL;
	struct vigil_error err = { 0 };
	struct vigil_trust *trust = NULL;
	struct vigil_profile *out = NULL;
	struct piece *pieces = NULL;
	size_t npieces = 0, left_out = 0;
	struct vigil_buf yaml = VIGIL_BUF_INIT;
	int c, r, rc = EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			dir = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (!dir || optind >= argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (vigil_trust__load_dir(dir, &trust, &err) < 0) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct vigil_profile *p = NULL;

		if (vigil_profile__load_file(argv[i], NULL, &p, &err) < 0) {
			cli_print_error(&err);
			goto out;
		}
		for (size_t d = 0; d < vigil_profile__doc_count(p); d++) {
			struct vigil_buf canon = VIGIL_BUF_INIT;
			struct vigil_profile *piece = NULL;
			struct vigil_sign_verdict v;
			const char *name = vigil_profile__doc_name(p, d);
			enum vigil_profile_kind kind = vigil_profile__doc_kind(p, d);
			struct piece *np;

			r = vigil_sign__verify_profile(trust, p, d, &v);
			if (r < 0 || v.status != VIGIL_SIGN_VALID) {
				cli_errorf("merge: %s:%d: %s %s: left out: %s: %s", argv[i],
					   vigil_profile__doc_line(p, d),
					   vigil_profile_kind__name(kind),
					   name ? name : "(unnamed)",
					   vigil_sign__status_name(v.status), v.reason);
				left_out++;
				continue;
			}
			r = vigil_profile__canon(p, d, &canon);
			if (r >= 0)
				r = vigil_profile__load_buffer(canon.data, canon.len, argv[i], NULL,
							       &piece, &err);
			if (r < 0) {
				cli_errorf(
					"merge: %s: document %zu: cannot re-read the signed content",
					argv[i], d + 1);
				vigil_buf__release(&canon);
				vigil_profile__free(p);
				goto out;
			}
			fprintf(stderr, "vigil: merge: %s:%d: %s %s: from %s (%s)\n", argv[i],
				vigil_profile__doc_line(p, d), vigil_profile_kind__name(kind),
				name ? name : "(unnamed)", v.signer, v.digest);
			print_provenance(canon.data, canon.len);
			vigil_buf__release(&canon);
			if (!out) {
				out = piece;
			} else {
				r = vigil_profile__merge(out, piece);
				vigil_profile__free(piece);
				if (r < 0) {
					cli_errorf("merge: %s: document %zu: %s", argv[i], d + 1,
						   strerror(-r));
					vigil_profile__free(p);
					goto out;
				}
			}
			np = realloc(pieces, (npieces + 1) * sizeof(*pieces));
			if (!np) {
				vigil_profile__free(p);
				goto out;
			}
			pieces = np;
			pieces[npieces].kind = kind;
			pieces[npieces].name = strdup(name ? name : "");
			memcpy(pieces[npieces].signer, v.signer, sizeof(v.signer));
			memcpy(pieces[npieces].digest, v.digest, sizeof(v.digest));
			if (!pieces[npieces].name) {
				vigil_profile__free(p);
				goto out;
			}
			npieces++;
		}
		vigil_profile__free(p);
	}
	if (!out) {
		cli_errorf("merge: no valid piece to merge");
		goto out;
	}
	r = annotate(out, pieces, npieces);
	if (r >= 0)
		r = vigil_profile__emit_yaml(out, &yaml);
	if (r < 0) {
		cli_errorf("merge: %s", strerror(-r));
		goto out;
	}
	if (out_path) {
		r = vigil_replace_file(out_path, yaml.data ? yaml.data : "", yaml.len);
		if (r < 0) {
			cli_errorf("%s: %s", out_path, strerror(-r));
			goto out;
		}
	} else if (fwrite(yaml.data ? yaml.data : "", 1, yaml.len, stdout) != yaml.len ||
		   fflush(stdout) != 0) {
		cli_errorf("stdout: %s", strerror(errno));
		goto out;
	}
	fprintf(stderr, "vigil: merge: %zu piece%s merged, %zu left out\n", npieces,
		npieces == 1 ? "" : "s", left_out);
	rc = left_out ? EXIT_VERDICT : 0;
out:
	for (size_t i = 0; i < npieces; i++)
		free(pieces[i].name);
	free(pieces);
	vigil_buf__release(&yaml);
	vigil_profile__free(out);
	vigil_trust__free(trust);
	return rc;
}
