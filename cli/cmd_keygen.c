// SPDX-License-Identifier: Apache-2.0
/* vigil keygen --out KEY [--force]: an ECDSA P-256 signing key pair (KEY, KEY.pub). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/sign.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil keygen --out KEY [--force]\n\n"
		"Creates an ECDSA P-256 key pair: KEY, the private key (PKCS#8 PEM, mode 0600,\n"
		"never readable by others) and KEY.pub, the public key (PEM) that verifiers pin\n"
		"in their trust directory. Existing files are kept unless --force is given.\n");
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vigil_error err = { 0 };
	const char *out = NULL;
	bool force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (vigil_sign__keygen(out, force, &err) < 0) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	fprintf(stderr, "vigil: wrote private key %s (keep it secret) and public key %s.pub\n", out,
		out);
	return 0;
}
