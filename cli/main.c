// SPDX-License-Identifier: Apache-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/*
 * Subcommands are weak references so a module's command exists exactly when its file is built
 * in; the table below is the whole command-line surface.
 */
#pragma weak cmd_profile
#pragma weak cmd_keygen
#pragma weak cmd_sign
#pragma weak cmd_verify
#pragma weak cmd_trace
#pragma weak cmd_learn
#pragma weak cmd_watch
#pragma weak cmd_agent
#pragma weak cmd_evidence
#pragma weak cmd_cockpit
#pragma weak cmd_status

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "version", cmd_version, "print the version" },
	{ "profile", cmd_profile, "lint, fmt, show, diff, merge, canon SBoB profiles" },
	{ "keygen", cmd_keygen, "create an ECDSA P-256 signing key" },
	{ "sign", cmd_sign, "sign a profile" },
	{ "verify", cmd_verify, "verify signed profiles against trusted keys" },
	{ "trace", cmd_trace, "print sensor events" },
	{ "learn", cmd_learn, "learn a profile from a program or the running containers" },
	{ "watch", cmd_watch, "run a program and alert on behaviour outside its profile" },
	{ "agent", cmd_agent, "the node daemon: learn, detect, zoom, ship" },
	{ "evidence", cmd_evidence, "list and show incidents" },
	{ "cockpit", cmd_cockpit, "central server and web page" },
	{ "status", cmd_status, "hooks attached, events, drops, workloads" },
};

void cli_errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_error(const struct vigil_error *err)
{
	char buf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

	cli_errorf("%s", vigil_error__format(err, buf, sizeof(buf)));
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].fn)
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\n'vigil <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (!commands[i].fn) {
			cli_errorf("%s: not part of this build", argv[1]);
			return EXIT_ERROR;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	cli_errorf("unknown command '%s' (see 'vigil --help')", argv[1]);
	return EXIT_ERROR;
}
