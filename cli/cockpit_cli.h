/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil cockpit` subcommands shared between cli/cmd_cockpit*.c. */
#ifndef VIGIL_CLI_COCKPIT_H
#define VIGIL_CLI_COCKPIT_H

/* The store spec: given, else $VIGIL_COCKPIT_STORE, else the default. */
const char *cockpit_cli_store(const char *given);
/* `vigil cockpit token add|revoke|list ...` (argv[0] is "token"). */
int cockpit_cli_token(int argc, char **argv);
/* `vigil cockpit join-token [--uses N] [--ttl DUR]` (argv[0] is "join-token"). */
int cockpit_cli_join_token(int argc, char **argv);

#endif
