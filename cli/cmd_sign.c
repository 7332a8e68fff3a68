// SPDX-License-Identifier: Apache-2.0
/*
 * vigil sign --key KEY [--identity ID] [-o OUT] FILE: signs every document of FILE. Like
 * `cosign sign-blob`, the input is never modified unless asked: the signed YAML goes to stdout,
 * or to OUT (which may be FILE itself; it is replaced atomically).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fileio.h"
#include "util/buf.h"
#include "util/strutil.h"
#include "vigil/profile.h"
#include "vigil/sign.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil sign --key KEY [--identity ID] [--profile-version N] [-o OUT] FILE\n\n"
		"Signs every document of FILE with the ECDSA P-256 private key KEY: the signature\n"
		"covers the canonical JSON (`vigil profile canon FILE`) and is stored with the public\n"
		"key, issuer, identity and time in the signature.kubescape.io/* annotations. Nothing\n"
		"else changes. The signed YAML goes to stdout, or to OUT (may be FILE itself).\n"
		"SOURCE_DATE_EPOCH, when set, is used as the timestamp (reproducible output).\n"
		"Each document gets a version (annotation vigil.dev/profile-version, covered by\n"
		"the signature): by default the timestamp, or one more than the version it already\n"
		"has if that is larger, so a newer signature always has a higher version. A verifier\n"
		"that accepted a version refuses an older one (replay protection).\n\n"
		"  --key KEY        private key from `vigil keygen`\n"
		"  --identity ID    who signs (free text, not covered by the signature; default local)\n"
		"  --profile-version N  this version (1 to 2^53-1) instead\n"
		"  -o, --output OUT write here instead of stdout\n");
}

static int64_t sign_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (sde && vigil_parse_u64(sde, &v) == 0 && v <= INT64_MAX)
		return (int64_t)v;
	return (int64_t)time(NULL);
}

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "identity", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "profile-version", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_path = NULL, *identity = NULL, *out = NULL, *file;
	struct vigil_buf yaml = VIGIL_BUF_INIT;
	struct vigil_error err = { 0 };
	struct vigil_sign_key *key = NULL;
	struct vigil_profile *p = NULL;
	int64_t ts = sign_time();
	uint64_t version = 0;
	int c, r, rc = EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_path = optarg;
			break;
		case 'i':
			identity = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'V':
			if (vigil_sign__parse_version(optarg, &version) < 0) {
				cli_errorf("--profile-version: \"%s\" is not a number from 1 to "
					   "2^53-1 (no leading zero)",
					   optarg);
				return EXIT_ERROR;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (!key_path || optind != argc - 1) {
		usage(stderr);
		return EXIT_ERROR;
	}
	file = argv[optind];
	if (identity && strlen(identity) > VIGIL_SIGN_MAX_FIELD) {
		cli_errorf("--identity: longer than %d bytes", VIGIL_SIGN_MAX_FIELD);
		return EXIT_ERROR;
	}
	if (vigil_sign__key_load(key_path, &key, &err) < 0) {
		cli_print_error(&err);
		goto out;
	}
	if (vigil_profile__load_file(file, NULL, &p, &err) < 0) {
		cli_print_error(&err);
		goto out;
	}
	if (vigil_profile__skipped_count(p)) {
		/* the output holds the profiles only: never overwrite the other objects */
		struct stat a, b;
		bool same = out && stat(out, &a) == 0 && stat(file, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino;

		cli_errorf("%s: %s%zu document%s that %s not a profile %s left out of the output",
			   file, same ? "not signed in place: " : "warning: ",
			   vigil_profile__skipped_count(p),
			   vigil_profile__skipped_count(p) == 1 ? "" : "s",
			   vigil_profile__skipped_count(p) == 1 ? "is" : "are",
			   same					  ? "would be"
			   : vigil_profile__skipped_count(p) == 1 ? "is"
								  : "are");
		if (same)
			goto out;
	}
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++) {
		r = vigil_sign__set_version(p, d,
					    version ? version : vigil_sign__next_version(p, d, ts));
		if (!r)
			r = vigil_sign__sign_profile(key, p, d, identity, ts);
		if (r < 0) {
			cli_errorf("%s: document %zu: cannot sign: %s", file, d + 1, strerror(-r));
			goto out;
		}
	}
	r = vigil_profile__emit_yaml(p, &yaml);
	if (r < 0) {
		cli_errorf("%s: cannot write YAML: %s", file, strerror(-r));
		goto out;
	}
	if (out) {
		r = vigil_replace_file(out, yaml.data ? yaml.data : "", yaml.len);
		if (r < 0) {
			cli_errorf("%s: %s", out, strerror(-r));
			goto out;
		}
	} else if (fwrite(yaml.data ? yaml.data : "", 1, yaml.len, stdout) != yaml.len ||
		   fflush(stdout) != 0) {
		cli_errorf("stdout: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	vigil_buf__release(&yaml);
	vigil_profile__free(p);
	vigil_sign__key_free(key);
	return rc;
}
