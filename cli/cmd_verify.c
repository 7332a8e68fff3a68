// SPDX-License-Identifier: Apache-2.0
/*
 * vigil verify (--pub PUB | --trust DIR) FILE...: one line per document with its verdict.
 * Exit 0 only when every document of every file is valid (or foreign-scheme, with
 * --accept-foreign), 1 when any is not, 2 when a key, trust directory or file cannot be read.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/profile.h"
#include "vigil/sign.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil verify (--pub PUB | --trust DIR) [-q] FILE...\n\n"
		"Checks that every document of every FILE is signed, unmodified since, and signed by a\n"
		"trusted key (within that key's scope). The key stored in the document only says\n"
		"which trusted key to use; it is never trusted by itself.\n\n"
		"  --pub PUB      trust exactly this public key (PEM)\n"
		"  --trust DIR    trust the NAME.pub keys in DIR, each limited by NAME.scope if present\n"
		"  -q, --quiet    print only documents that are not valid\n"
		"  --accept-foreign\n"
		"                 count foreign-scheme documents as valid (signed by a trusted key in\n"
		"                 the k8sstormcenter fork's scheme, which does not cover list order)\n\n"
		"Prints FILE:LINE: KIND NAME: VERDICT: reason, one line per document. Verdicts: valid,\n"
		"unsigned, tampered, untrusted-key, out-of-scope, malformed, foreign-scheme.\n"
		"Exit status: 0 all valid, 1 any other verdict, 2 an unreadable key, directory or file.\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "trust", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "accept-foreign", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pub = NULL, *dir = NULL;
	struct vigil_error err = { 0 };
	struct vigil_trust *trust = NULL;
	bool quiet = false, any_bad = false, any_error = false, accept_foreign = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pub = optarg;
			break;
		case 't':
			dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'F':
			accept_foreign = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (!!pub == !!dir || optind >= argc) {
		if (pub && dir)
			cli_errorf("verify: give --pub or --trust, not both");
		else if (!pub && !dir)
			cli_errorf("verify: --pub PUB or --trust DIR is required");
		else
			cli_errorf("verify: no FILE given");
		usage(stderr);
		return EXIT_ERROR;
	}
	if ((pub ? vigil_trust__load_pub(pub, &trust, &err)
		 : vigil_trust__load_dir(dir, &trust, &err)) < 0) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct vigil_profile *p = NULL;

		if (vigil_profile__load_file(argv[i], NULL, &p, &err) < 0) {
			cli_print_error(&err);
			any_error = true;
			continue;
		}
		for (size_t d = 0; d < vigil_profile__doc_count(p); d++) {
			struct vigil_sign_verdict v;
			const char *name = vigil_profile__doc_name(p, d);
			int r = vigil_sign__verify_profile(trust, p, d, &v);

			if (r < 0) {
				cli_errorf("%s: document %zu: %s", argv[i], d + 1, v.reason);
				any_error = true;
				continue;
			}
			if (v.status != VIGIL_SIGN_VALID &&
			    !(accept_foreign && v.status == VIGIL_SIGN_FOREIGN_SCHEME))
				any_bad = true;
			else if (quiet)
				continue;
			printf("%s:%d: %s %s: %s: %s\n", argv[i], vigil_profile__doc_line(p, d),
			       vigil_profile_kind__name(vigil_profile__doc_kind(p, d)),
			       name ? name : "(unnamed)", vigil_sign__status_name(v.status),
			       v.reason);
		}
		vigil_profile__free(p);
	}
	vigil_trust__free(trust);
	fflush(stdout);
	if (any_error)
		return EXIT_ERROR;
	return any_bad ? EXIT_VERDICT : 0;
}
