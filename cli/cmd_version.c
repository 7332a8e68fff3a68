// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>
#include <yaml.h>

#include "cli/cli.h"
#include "util/version.h"

int cmd_version(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: vigil version\n\nPrints vigil's version and the versions of the libraries it uses.\n");
		return 0;
	}
	if (argc > 1) {
		cli_errorf("version: unexpected argument '%s' (see 'vigil version --help')",
			   argv[1]);
		return EXIT_ERROR;
	}
	printf("vigil %s\n", vigil_version());
	printf("libbpf %u.%u, libyaml %s, %s, sqlite %s\n", libbpf_major_version(),
	       libbpf_minor_version(), yaml_get_version_string(), OPENSSL_VERSION_TEXT,
	       sqlite3_libversion());
	return 0;
}
