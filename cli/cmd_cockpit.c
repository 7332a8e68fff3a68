// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
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
		"usage: vigil cockpit [--listen ADDR] [--store STORE] [--token-file FILE]\n\n"
		"Collects alerts and incident reports from agents and serves the investigation\n"
		"page. Runs until SIGINT or SIGTERM.\n\n"
		"  --listen ADDR       HOST:PORT to listen on (default 127.0.0.1:7070; [::1]:PORT\n"
		"                      for IPv6). A non-loopback address needs --token-file.\n"
		"  --store STORE       sqlite:PATH or clickhouse:URL (default %s)\n"
		"  --token-file FILE   bearer token every /api/ request must present\n",
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

int cmd_cockpit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vigil_cockpit_opts opts = { .listen = "127.0.0.1:7070",
					   .store = VIGIL_STORE_DEFAULT };
	struct vigil_cockpit *cockpit = NULL;
	struct vigil_error err = { 0 };
	char token[512];
	struct sigaction sa = { .sa_handler = on_signal };
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			opts.listen = optarg;
			break;
		case 's':
			opts.store = optarg;
			break;
		case 't':
			if (read_token(optarg, token, sizeof(token))) {
				cli_errorf("%s: cannot read a token of at least 16 characters",
					   optarg);
				return EXIT_ERROR;
			}
			opts.token = token;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	/* sqlite:/var/lib/vigil/x.db needs /var/lib/vigil to exist */
	if (vigil_str_has_prefix(opts.store, "sqlite:"))
		vigil_mkdir_parents(opts.store + 7, 0750);
	if (vigil_cockpit__start(&opts, &cockpit, &err)) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "vigil: cockpit listening on port %u (store %s)\n",
		vigil_cockpit__port(cockpit), opts.store);
	while (!stop)
		pause();
	vigil_cockpit__free(cockpit);
	return 0;
}
