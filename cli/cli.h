/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vigil command line: one binary, git-style subcommands, one file per subcommand
 * (cli/cmd_NAME.c defines cmd_NAME). Exit status contract (ARCHITECTURE.md): 0 success,
 * 1 a negative verdict, 2 usage or runtime error. Errors go to stderr as "vigil: what: why".
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdbool.h>

#include "vigil/error.h"

enum {
	EXIT_VERDICT = 1,
	EXIT_ERROR = 2
};

/* Subcommands: argv[0] is the subcommand name. Each handles --help itself. */
int cmd_version(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_cockpit(int argc, char **argv);
int cmd_status(int argc, char **argv);

/*
 * `vigil profile merge --trust DIR ...` (argv as given to the merge subcommand), implemented by
 * the signing module; a weak reference in cmd_profile.c, NULL when that module is not built.
 */
int profile_merge_trusted(int argc, char **argv);

/* `vigil profile seccomp|netpol` (cli/profile_harden.c) and their usage texts. */
int profile_seccomp(int argc, char **argv);
int profile_netpol(int argc, char **argv);
extern const char profile_usage_seccomp[];
extern const char profile_usage_netpol[];

/* "vigil: " + message + "\n" on stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a library error as "vigil: FILE:LINE:COL: message". */
void cli_print_error(const struct vigil_error *err);
/* True when argv has -h or --help before any "--". */
bool cli_wants_help(int argc, char **argv);

#endif
