// SPDX-License-Identifier: Apache-2.0
/*
 * vigil profile lint|fmt|show|diff|merge|canon|seccomp|netpol: the SBoB profile tools. Exit status per
 * ARCHITECTURE.md: 0 success, 1 a negative verdict (invalid file, profiles differ), 2 usage or
 * runtime error. Library errors are printed once, here, as "vigil: FILE:LINE:COL: message".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fileio.h"
#include "util/buf.h"
#include "vigil/profile.h"

#pragma weak profile_merge_trusted

static const char usage_main[] =
	"usage: vigil profile <command> [options]\n"
	"\n"
	"commands:\n"
	"  lint FILE...                      check files; 0 all valid, 1 any invalid\n"
	"  fmt [-w] FILE...                  print (or with -w rewrite) in canonical YAML\n"
	"  show [--json] FILE                list documents, containers and entries\n"
	"  diff OLD NEW                      what changed; 0 same, 1 different\n"
	"  merge -o OUT [--trust DIR] FILE... union of the files into OUT\n"
	"  canon [--doc N] FILE              the canonical JSON that is signed\n"
	"  seccomp FILE                      an OCI seccomp profile from the learned syscalls\n"
	"  netpol FILE                       a Kubernetes NetworkPolicy from the learned network\n"
	"\n"
	"Run 'vigil profile <command> --help' for details. docs/PROFILES.md describes the format.\n";

static const char usage_lint[] =
	"usage: vigil profile lint [--strict] FILE...\n"
	"\n"
	"Loads every FILE and reports each problem as FILE:LINE:COL: message on stderr (unknown\n"
	"fields, wrong types, duplicate keys, bad wildcards, limits). Valid files are listed on\n"
	"stdout. Exit 0 when all are valid, 1 when any is invalid, 2 when a file cannot be read.\n"
	"\n"
	"Warnings (FILE:LINE:COL: warning: ...) name values Kubescape accepts that probably do not\n"
	"mean what was meant, such as a \"⋯\" or \"*\" inside a path segment (compared literally).\n"
	"Notes name documents that are not profiles (a Namespace, a Deployment), which are skipped.\n"
	"\n"
	"  --strict    a file with warnings is invalid\n";

static const char usage_fmt[] =
	"usage: vigil profile fmt [-w] [--served] [--drop-comments] [--drop-others] FILE...\n"
	"\n"
	"Prints each FILE in canonical YAML: Kubescape's key order, sets sorted and de-duplicated,\n"
	"entries sorted, exec arguments in their order. fmt is a fixed point and never changes\n"
	"what a profile means (nor its canonical form).\n"
	"\n"
	"  -w, --write        rewrite the files in place (only those that change)\n"
	"  --drop-comments    with -w: accept that YAML comments are lost (otherwise a file with\n"
	"                     comments is not rewritten: libyaml does not keep comments)\n"
	"  --served           write each document as Kubescape storage serves it (its Go types:\n"
	"                     zero values written out, empty lists as null, iouring left out);\n"
	"                     sign that form so the signature survives storage (docs/SIGNING.md)\n"
	"  --drop-others      with -w: accept that documents which are not profiles (a\n"
	"                     Namespace, a Deployment) are left out (otherwise such a file is\n"
	"                     not rewritten)\n"
	"\n"
	"A List (kubectl get -o yaml) is written as one document per profile.\n";

static const char usage_show[] =
	"usage: vigil profile show [--json] FILE\n"
	"\n"
	"Lists each document, its containers and every entry, one per line. --json prints each\n"
	"document as a JSON object instead (one after the other; jq reads them as a stream).\n";

static const char usage_diff[] =
	"usage: vigil profile diff OLD NEW\n"
	"\n"
	"Prints what NEW adds (+) and removes (-) relative to OLD, by document, container and\n"
	"section, e.g. '+ execs: /usr/bin/curl [curl, ⋯⋯]'. Annotations are not compared.\n"
	"Exit 0 when the profiles are the same, 1 when they differ.\n";

static const char usage_merge[] =
	"usage: vigil profile merge -o OUT [--trust DIR] FILE...\n"
	"\n"
	"Writes the union of the FILEs to OUT: documents matched by kind and name, containers by\n"
	"name, every set and entry list united. Signature annotations of documents whose signed\n"
	"content changed are removed. --trust DIR verifies each signed piece against the keys in\n"
	"DIR first (when the signing module is built in).\n";

static const char usage_canon[] =
	"usage: vigil profile canon [--doc N] [--kubescape-hash] FILE\n"
	"\n"
	"Prints the RFC 8785 canonical JSON of the signed content (apiVersion, kind,\n"
	"metadata.name, metadata.namespace, metadata.labels, spec) of each document: exactly the\n"
	"bytes that are signed, without a trailing newline for a one-document file. With several\n"
	"documents each is printed on its own line; --doc N (from 0) prints only one.\n"
	"\n"
	"  --kubescape-hash   print instead the 64 hex digits the k8sstormcenter fork of\n"
	"                     Kubescape signs (its order-independent hash of the typed object)\n";

static int load(const char *path, struct vigil_profile **ret)
{
	struct vigil_error err;
	int r = vigil_profile__load_file(path, NULL, ret, &err);

	if (r)
		cli_print_error(&err);
	return r;
}

/* A file we could not read is an error (2); one we read and rejected is a verdict (1). */
static int load_status(int r)
{
	if (r == -ENOENT || r == -EACCES || r == -EIO || r == -ENOMEM || r == -EISDIR ||
	    r == -EPERM || r == -ELOOP || r == -ENAMETOOLONG)
		return EXIT_ERROR;
	return EXIT_VERDICT;
}

static bool write_all(FILE *f, const char *data, size_t len)
{
	return fwrite(data, 1, len, f) == len && !fflush(f);
}

/* Prints the notes of p on stderr; returns how many were warnings. */
static size_t print_notes(const struct vigil_profile *p, const char *path)
{
	size_t warnings = 0;

	for (size_t i = 0; i < vigil_profile__note_count(p); i++) {
		struct vigil_error note;
		char where[VIGIL_ERROR_FILE_MAX + 32];
		enum vigil_profile_note_kind k = vigil_profile__note(p, i, &note);

		snprintf(where, sizeof(where), "%s:%d:%d", note.file, note.line, note.column);
		cli_errorf("%s: %s: %s", where, k == VIGIL_PROFILE_WARNING ? "warning" : "note",
			   note.message);
		warnings += k == VIGIL_PROFILE_WARNING;
	}
	if (vigil_profile__notes_dropped(p)) {
		cli_errorf("%s: ... and %zu more warnings or notes", path,
			   vigil_profile__notes_dropped(p));
		warnings += vigil_profile__notes_dropped(p);
	}
	return warnings;
}

static int profile_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool strict = false;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c != 's') {
			fputs(usage_lint, stderr);
			return EXIT_ERROR;
		}
		strict = true;
	}
	if (optind >= argc) {
		fputs(usage_lint, stderr);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct vigil_profile *p = NULL;
		struct vigil_error err;
		size_t warnings, skipped;
		int r = vigil_profile__load_file(argv[i], NULL, &p, &err);

		if (r) {
			cli_print_error(&err);
			if (load_status(r) > rc)
				rc = load_status(r);
			continue;
		}
		warnings = print_notes(p, argv[i]);
		skipped = vigil_profile__skipped_count(p);
		if (strict && warnings) {
			cli_errorf("%s: invalid under --strict (%zu warning%s)", argv[i], warnings,
				   warnings == 1 ? "" : "s");
			if (rc < EXIT_VERDICT)
				rc = EXIT_VERDICT;
		} else {
			printf("%s: valid (%zu document%s, %zu entries", argv[i],
			       vigil_profile__doc_count(p),
			       vigil_profile__doc_count(p) == 1 ? "" : "s",
			       vigil_profile__entry_count(p));
			if (warnings)
				printf(", %zu warning%s", warnings, warnings == 1 ? "" : "s");
			if (skipped)
				printf(", %zu other object%s skipped", skipped,
				       skipped == 1 ? "" : "s");
			printf(")\n");
		}
		vigil_profile__free(p);
	}
	return rc;
}

static bool any_iouring(const struct vigil_profile *p)
{
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++)
		if (vigil_profile__has_iouring(p, d))
			return true;
	return false;
}

static bool any_exec_digests(const struct vigil_profile *p)
{
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++)
		if (vigil_profile__has_exec_digests(p, d))
			return true;
	return false;
}

static bool any_by_exe(const struct vigil_profile *p)
{
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++)
		if (vigil_profile__has_by_exe(p, d))
			return true;
	return false;
}

static int profile_fmt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "write", no_argument, NULL, 'w' },
		{ "drop-comments", no_argument, NULL, 'D' },
		{ "drop-others", no_argument, NULL, 'O' },
		{ "served", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool write_back = false, drop_comments = false, drop_others = false, served = false;
	char why[256] = "";
	int c, rc = 0, printed = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+wh", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			write_back = true;
			break;
		case 'D':
			drop_comments = true;
			break;
		case 'O':
			drop_others = true;
			break;
		case 'S':
			served = true;
			break;
		default:
			fputs(usage_fmt, stderr);
			return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		fputs(usage_fmt, stderr);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct vigil_profile *p = NULL;
		struct vigil_buf out = VIGIL_BUF_INIT;
		int r;

		if ((r = load(argv[i], &p))) {
			if (load_status(r) > rc)
				rc = load_status(r);
			continue;
		}
		why[0] = '\0';
		r = served ? vigil_profile__emit_served_yaml(p, &out, why, sizeof(why))
			   : vigil_profile__emit_yaml(p, &out);
		if (served && !r && any_iouring(p))
			cli_errorf("%s: warning: the iouring lists are left out: Kubescape's types "
				   "have no such field (R1030 has nothing to check against)",
				   argv[i]);
		if (served && !r && any_exec_digests(p))
			cli_errorf(
				"%s: warning: the execDigests lists are left out: Kubescape's types "
				"have no such field (R1001 cannot check executables' content)",
				argv[i]);
		if (served && !r && any_by_exe(p))
			cli_errorf("%s: warning: the byExecutable sections are left out: "
				   "Kubescape's types have no such field (entries are then judged "
				   "workload-wide)",
				   argv[i]);
		if (r) {
			cli_errorf("%s: cannot format: %s", argv[i], why[0] ? why : strerror(-r));
			rc = r == -EINVAL && why[0] ? EXIT_VERDICT : EXIT_ERROR;
		} else if (!write_back) {
			if (vigil_profile__had_comments(p))
				cli_errorf(
					"%s: warning: comments are not kept in the output (libyaml "
					"drops them)",
					argv[i]);
			if (vigil_profile__skipped_count(p))
				cli_errorf("%s: warning: %zu document%s that %s not a profile %s "
					   "left out of the output",
					   argv[i], vigil_profile__skipped_count(p),
					   vigil_profile__skipped_count(p) == 1 ? "" : "s",
					   vigil_profile__skipped_count(p) == 1 ? "is" : "are",
					   vigil_profile__skipped_count(p) == 1 ? "is" : "are");
			/* several files make one YAML stream: documents stay separated */
			if (printed++ && !write_all(stdout, "---\n", 4)) {
				cli_errorf("stdout: %s", strerror(errno));
				rc = EXIT_ERROR;
			}
			if (!write_all(stdout, out.data, out.len)) {
				cli_errorf("stdout: %s", strerror(errno));
				rc = EXIT_ERROR;
			}
		} else {
			struct vigil_buf old = VIGIL_BUF_INIT;
			FILE *f = fopen(argv[i], "rb");
			char chunk[65536];
			size_t n;

			while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
				if (vigil_buf__append(&old, chunk, n))
					break;
			if (f)
				fclose(f);
			if (old.len == out.len &&
			    (!out.len || !memcmp(old.data, out.data, out.len))) {
				/* already canonical: leave the file (and its mtime) alone */
			} else if (vigil_profile__had_comments(p) && !drop_comments) {
				cli_errorf(
					"%s: not rewritten: it has comments, which fmt cannot keep "
					"(remove them, or pass --drop-comments)",
					argv[i]);
				rc = EXIT_ERROR;
			} else if (vigil_profile__skipped_count(p) && !drop_others) {
				cli_errorf(
					"%s: not rewritten: %zu document%s in it %s not a profile "
					"and would be lost (move %s to another file, or pass "
					"--drop-others)",
					argv[i], vigil_profile__skipped_count(p),
					vigil_profile__skipped_count(p) == 1 ? "" : "s",
					vigil_profile__skipped_count(p) == 1 ? "is" : "are",
					vigil_profile__skipped_count(p) == 1 ? "it" : "them");
				rc = EXIT_ERROR;
			} else if ((r = vigil_replace_file(argv[i], out.data, out.len))) {
				cli_errorf("%s: cannot write: %s", argv[i], strerror(-r));
				rc = EXIT_ERROR;
			}
			vigil_buf__release(&old);
		}
		vigil_buf__release(&out);
		vigil_profile__free(p);
	}
	return rc;
}

static int profile_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vigil_profile *p = NULL;
	struct vigil_buf out = VIGIL_BUF_INIT;
	bool json = false;
	int c, r, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c != 'j') {
			fputs(usage_show, stderr);
			return EXIT_ERROR;
		}
		json = true;
	}
	if (optind + 1 != argc) {
		fputs(usage_show, stderr);
		return EXIT_ERROR;
	}
	if ((r = load(argv[optind], &p)))
		return load_status(r);
	r = json ? vigil_profile__emit_json(p, &out) : vigil_profile__describe(p, &out);
	if (r) {
		cli_errorf("%s: %s", argv[optind], strerror(-r));
		rc = EXIT_ERROR;
	} else if (!write_all(stdout, out.data, out.len)) {
		cli_errorf("stdout: %s", strerror(errno));
		rc = EXIT_ERROR;
	}
	vigil_buf__release(&out);
	vigil_profile__free(p);
	return rc;
}

static int profile_diff(int argc, char **argv)
{
	struct vigil_profile *a = NULL, *b = NULL;
	struct vigil_buf out = VIGIL_BUF_INIT;
	int r, rc;

	if (argc != 3) {
		fputs(usage_diff, stderr);
		return EXIT_ERROR;
	}
	if (load(argv[1], &a) || load(argv[2], &b)) {
		vigil_profile__free(a);
		return EXIT_ERROR;
	}
	r = vigil_profile__diff(a, b, &out);
	if (r < 0) {
		cli_errorf("diff: %s", strerror(-r));
		rc = EXIT_ERROR;
	} else {
		rc = r ? EXIT_VERDICT : 0;
		if (out.len && !write_all(stdout, out.data, out.len))
			rc = EXIT_ERROR;
	}
	vigil_buf__release(&out);
	vigil_profile__free(a);
	vigil_profile__free(b);
	return rc;
}

static int profile_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "trust", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vigil_profile *acc = NULL;
	struct vigil_buf out = VIGIL_BUF_INIT;
	const char *output = NULL;
	bool trust = false;
	int c, r, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		if (c == 'o') {
			output = optarg;
		} else if (c == 't') {
			trust = true;
		} else {
			fputs(usage_merge, stderr);
			return EXIT_ERROR;
		}
	}
	if (trust) {
		/* verified merging belongs to the signing module */
		if (!profile_merge_trusted) {
			cli_errorf("profile merge --trust: not part of this build");
			return EXIT_ERROR;
		}
		return profile_merge_trusted(argc, argv);
	}
	if (!output || optind >= argc) {
		fputs(usage_merge, stderr);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct vigil_profile *p = NULL;

		if (load(argv[i], &p)) {
			rc = EXIT_ERROR;
			goto out;
		}
		if (!acc) {
			acc = p;
			continue;
		}
		r = vigil_profile__merge(acc, p);
		vigil_profile__free(p);
		if (r) {
			cli_errorf("%s: cannot merge: %s", argv[i], strerror(-r));
			rc = EXIT_ERROR;
			goto out;
		}
	}
	if ((r = vigil_profile__emit_yaml(acc, &out)) ||
	    (r = vigil_replace_file(output, out.data ? out.data : "", out.len))) {
		cli_errorf("%s: cannot write: %s", output, strerror(-r));
		rc = EXIT_ERROR;
	}
out:
	vigil_buf__release(&out);
	vigil_profile__free(acc);
	return rc;
}

static int profile_canon(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "doc", required_argument, NULL, 'd' },
		{ "kubescape-hash", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vigil_profile *p = NULL;
	struct vigil_buf out = VIGIL_BUF_INIT;
	char why[256] = "";
	bool kshash = false;
	long want = -1;
	int c, r = 0, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		char *end;

		if (c == 'k') {
			kshash = true;
			continue;
		}
		if (c != 'd') {
			fputs(usage_canon, stderr);
			return EXIT_ERROR;
		}
		errno = 0;
		want = strtol(optarg, &end, 10);
		if (errno || *end || want < 0) {
			cli_errorf("canon: --doc wants a document number (0, 1, ...), not \"%s\"",
				   optarg);
			return EXIT_ERROR;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage_canon, stderr);
		return EXIT_ERROR;
	}
	if ((r = load(argv[optind], &p)))
		return load_status(r);
	if (want >= 0 && (size_t)want >= vigil_profile__doc_count(p)) {
		cli_errorf("%s: no document %ld (the file has %zu)", argv[optind], want,
			   vigil_profile__doc_count(p));
		vigil_profile__free(p);
		return EXIT_ERROR;
	}
	for (size_t i = 0; !r && i < vigil_profile__doc_count(p); i++) {
		if (want >= 0 && (size_t)want != i)
			continue;
		if (kshash) {
			char hex[65];

			r = vigil_profile__kubescape_hash(p, i, hex, sizeof(hex), why, sizeof(why));
			if (!r)
				r = vigil_buf__puts(&out, hex);
		} else {
			r = vigil_profile__canon(p, i, &out);
		}
		if (!r && want < 0 && vigil_profile__doc_count(p) > 1)
			r = vigil_buf__puts(&out, "\n");
	}
	if (r) {
		cli_errorf("%s: cannot render %s: %s", argv[optind],
			   kshash ? "the k8sstormcenter hash" : "canonical form",
			   why[0] ? why : strerror(-r));
		rc = r == -EINVAL && why[0] ? EXIT_VERDICT : EXIT_ERROR;
	} else if (!write_all(stdout, out.data ? out.data : "", out.len)) {
		rc = EXIT_ERROR;
	}
	vigil_buf__release(&out);
	vigil_profile__free(p);
	return rc;
}

struct sub {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct sub subs[] = {
	{ "lint", profile_lint, usage_lint },
	{ "fmt", profile_fmt, usage_fmt },
	{ "show", profile_show, usage_show },
	{ "diff", profile_diff, usage_diff },
	{ "merge", profile_merge, usage_merge },
	{ "canon", profile_canon, usage_canon },
	{ "seccomp", profile_seccomp, profile_usage_seccomp },
	{ "netpol", profile_netpol, profile_usage_netpol },
};

int cmd_profile(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_ERROR : 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		if (cli_wants_help(argc - 1, argv + 1)) {
			fputs(subs[i].usage, stdout);
			return 0;
		}
		return subs[i].fn(argc - 1, argv + 1);
	}
	cli_errorf("profile: unknown command \"%s\" (see 'vigil profile --help')", argv[1]);
	return EXIT_ERROR;
}
