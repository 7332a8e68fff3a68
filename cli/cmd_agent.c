// SPDX-License-Identifier: Apache-2.0
/* vigil agent: the node daemon (learn, detect, reload profiles, ship alerts). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/agent.h"

static volatile sig_atomic_t stop_flag, reopen_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_flag = 1;
	else
		stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil agent [--config FILE] [--check]\n"
		"\n"
		"The node daemon: learns each new workload for the learning window, writes its\n"
		"profile, then raises alerts on behaviour outside it. Profiles changed on disk\n"
		"are reloaded and re-verified. SIGTERM or SIGINT: flush alerts and exit. SIGHUP:\n"
		"reopen file sinks (after logrotate moved them).\n"
		"docs/AGENT.md describes the configuration file.\n"
		"\n"
		"  -c, --config FILE   configuration (default /etc/vigil/agent.yaml when it\n"
		"                      exists, else built-in defaults, state in /var/lib/vigil)\n"
		"      --check         only validate the configuration\n");
}

int cmd_agent(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };
	struct sigaction sa;
	const char *config = NULL;
	bool check = false;
	int opt, e;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cli_errorf("agent: unexpected argument '%s'", argv[optind]);
		return EXIT_ERROR;
	}
	e = vigil_agent_config__load(config, &c, &err);
	if (e < 0) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	if (check) {
		e = vigil_agent_config__check_paths(c, &err);
		vigil_agent_config__free(c);
		if (e < 0) {
			cli_print_error(&err);
			return EXIT_ERROR;
		}
		return 0;
	}
	/* no SA_RESTART: a signal must wake the poll so the loop sees the flag */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	e = vigil_agent__run_reopen(c, &stop_flag, &reopen_flag, &err);
	vigil_agent_config__free(c);
	if (e < 0) {
		if (err.message[0])
			cli_print_error(&err);
		else
			cli_errorf("agent: %s", strerror(-e));
		return EXIT_ERROR;
	}
	return 0;
}
