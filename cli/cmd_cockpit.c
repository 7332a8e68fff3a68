// SPDX-License-Identifier: Apache-2.0
/* `vigil cockpit`: the central server; `vigil cockpit token|join-token` manage credentials. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cockpit_cli.h"
#include "cockpit/cockpit.h"
#include "util/fileio.h"
#include "util/strutil.h"
#include "vigil/store.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil cockpit [--listen ADDR] [--store STORE] [--analyst-token-file FILE]\n"
		"                     [--tls-cert FILE --tls-key FILE] [limits...]\n"
		"       vigil cockpit token add|revoke|list ...      node credentials\n"
		"       vigil cockpit join-token [--uses N] [--ttl DUR]  a token to enrol nodes\n\n"
		"Collects alerts, incident reports, heartbeats and profiles from every node's agent\n"
		"and serves the fleet API and the SOC page. Runs until SIGINT or SIGTERM.\n\n"
		"  --listen ADDR             HOST:PORT (default 127.0.0.1:7070; [::1]:PORT for IPv6).\n"
		"                            Off loopback it needs TLS and an analyst token.\n"
		"  --store STORE             sqlite:PATH or clickhouse:URL (default $VIGIL_COCKPIT_STORE,\n"
		"                            else %s)\n"
		"  --analyst-token-file FILE the bearer token reads need (--token-file is the same);\n"
		"                            without it, a loopback cockpit serves reads to anyone local\n"
		"  --tls-cert FILE           PEM certificate (chain) for HTTPS\n"
		"  --tls-key FILE            PEM private key\n"
		"  --max-connections N       open connections (1024)\n"
		"  --max-per-ip N            open connections per client address (64)\n"
		"  --header-timeout DUR      to send a request's headers (10s)\n"
		"  --body-timeout DUR        to send its body, and to read the answer (60s)\n"
		"  --idle-timeout DUR        a kept-alive connection waiting for a request (30s)\n"
		"  --max-body BYTES          request body (16777216)\n"
		"  --max-in-hand BYTES       request bodies and answers held at once (268435456)\n"
		"  --node-rate N             write requests per second per node (50; bursts of 10 s)\n"
		"  --node-bytes-rate BYTES   body bytes per second per node (8388608)\n"
		"  --node-items-rate N       items (alerts, reports, profiles) per second per node\n"
		"                            (20000; bursts of 10 s, at least 10000)\n"
		"  --readers N               threads answering queries (2)\n"
		"  --query-timeout DUR       one query statement of a reader (5s), then 503\n",
		VIGIL_STORE_DEFAULT);
}

/* The token file holds one line; surrounding white space is not part of the token. */
static int read_token(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t len;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len < 16)
		return -EINVAL;
	return 0;
}

const char *cockpit_cli_store(const char *given)
{
	const char *env = getenv("VIGIL_COCKPIT_STORE");

	return given ? given : env && env[0] ? env : VIGIL_STORE_DEFAULT;
}

static int duration_opt(const char *name, const char *arg, uint64_t *ret)
{
	if (vigil_parse_duration(arg, ret) || *ret < 100000000ull) {
		cli_errorf("%s: want a duration of at least 100ms (e.g. 10s), got \"%s\"", name,
			   arg);
		return -EINVAL;
	}
	return 0;
}

static int number_opt(const char *name, const char *arg, uint64_t max, uint64_t *ret)
{
	if (vigil_parse_u64(arg, ret) || *ret == 0 || *ret > max) {
		cli_errorf("%s: want a number from 1 to %llu, got \"%s\"", name,
			   (unsigned long long)max, arg);
		return -EINVAL;
	}
	return 0;
}

static int parse(int argc, char **argv, struct vigil_cockpit_opts *o, char *token, size_t tsize)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 't' },
		{ "analyst-token-file", required_argument, NULL, 't' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-per-ip", required_argument, NULL, 'P' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "body-timeout", required_argument, NULL, 'B' },
		{ "idle-timeout", required_argument, NULL, 'I' },
		{ "max-body", required_argument, NULL, 'M' },
		{ "readers", required_argument, NULL, 'R' },
		{ "query-timeout", required_argument, NULL, 'Q' },
		{ "max-in-hand", required_argument, NULL, 'm' },
		{ "node-rate", required_argument, NULL, 'r' },
		{ "node-bytes-rate", required_argument, NULL, 'b' },
		{ "node-items-rate", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 's':
			o->store = optarg;
			break;
		case 't':
			if (read_token(optarg, token, tsize)) {
				cli_errorf("%s: cannot read a token of at least 16 characters",
					   optarg);
				return EXIT_ERROR;
			}
			o->analyst_token = token;
			break;
		case 'c':
			o->tls_cert_file = optarg;
			break;
		case 'k':
			o->tls_key_file = optarg;
			break;
		case 'C':
			if (number_opt("--max-connections", optarg, 15000, &n))
				return EXIT_ERROR;
			o->max_connections = (unsigned)n;
			break;
		case 'P':
			if (number_opt("--max-per-ip", optarg, 15000, &n))
				return EXIT_ERROR;
			o->max_per_ip = (unsigned)n;
			break;
		case 'H':
			if (duration_opt("--header-timeout", optarg, &o->header_timeout_ns))
				return EXIT_ERROR;
			break;
		case 'B':
			if (duration_opt("--body-timeout", optarg, &o->body_timeout_ns))
				return EXIT_ERROR;
			break;
		case 'I':
			if (duration_opt("--idle-timeout", optarg, &o->idle_timeout_ns))
				return EXIT_ERROR;
			break;
		case 'M':
			if (number_opt("--max-body", optarg, 1ull << 30, &n))
				return EXIT_ERROR;
			o->max_body_bytes = (size_t)n;
			break;
		case 'R':
			if (number_opt("--readers", optarg, 8, &n))
				return EXIT_ERROR;
			o->readers = (unsigned)n;
			break;
		case 'Q':
			if (duration_opt("--query-timeout", optarg, &o->query_timeout_ns))
				return EXIT_ERROR;
			break;
		case 'm':
			if (number_opt("--max-in-hand", optarg, 1ull << 40, &n))
				return EXIT_ERROR;
			o->max_inflight_bytes = (size_t)n;
			break;
		case 'r':
			if (number_opt("--node-rate", optarg, 1000000, &n))
				return EXIT_ERROR;
			o->node_rate = (double)n;
			break;
		case 'b':
			if (number_opt("--node-bytes-rate", optarg, 1ull << 40, &n))
				return EXIT_ERROR;
			o->node_bytes_rate = (double)n;
			break;
		case 'i':
			if (number_opt("--node-items-rate", optarg, 100000000, &n))
				return EXIT_ERROR;
			o->node_items_rate = (double)n;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	return 0;
}

int cmd_cockpit(int argc, char **argv)
{
	struct vigil_cockpit_opts opts = { .listen = "127.0.0.1:7070" };
	struct vigil_cockpit *cockpit = NULL;
	struct vigil_error err = { 0 };
	char token[512];
	struct sigaction sa = { .sa_handler = on_signal };
	int rc;

	if (argc > 1 && !strcmp(argv[1], "token"))
		return cockpit_cli_token(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "join-token"))
		return cockpit_cli_join_token(argc - 1, argv + 1);
	rc = parse(argc, argv, &opts, token, sizeof(token));
	if (rc)
		return rc < 0 ? 0 : rc;
	opts.store = cockpit_cli_store(opts.store);
	/* sqlite:/var/lib/vigil/x.db needs /var/lib/vigil to exist */
	if (vigil_str_has_prefix(opts.store, "sqlite:"))
		vigil_mkdir_parents(opts.store + 7, 0750);
	/* a client that goes away mid-answer must not end the server */
	signal(SIGPIPE, SIG_IGN);
	if (vigil_cockpit__start(&opts, &cockpit, &err)) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "vigil: cockpit listening on port %u (%s, store %s)\n",
		vigil_cockpit__port(cockpit), opts.tls_cert_file ? "https" : "http", opts.store);
	while (!stop)
		pause();
	vigil_cockpit__free(cockpit);
	return 0;
}
