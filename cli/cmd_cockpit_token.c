// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil cockpit token add|revoke|list` and `vigil cockpit join-token`: the node credentials,
 * written straight into the cockpit's store (the store keeps only their sha256), so they work
 * while the cockpit runs and on every cockpit sharing the store (within about a second).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cockpit_cli.h"
#include "cockpit/cockpit.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/strutil.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

static void token_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil cockpit token add NODE [--store STORE]\n"
		"       vigil cockpit token revoke NODE [--store STORE]\n"
		"       vigil cockpit token list [--store STORE] [--json]\n"
		"       vigil cockpit join-token [--uses N] [--ttl DUR] [--store STORE]\n\n"
		"add prints a new token for NODE (refused while NODE has an active one);\n"
		"revoke makes NODE's tokens invalid at once (401 within a second on every\n"
		"cockpit); join-token prints a token agents enrol with (POST /api/v1/enroll),\n"
		"usable N times (1) until it expires (24h). The store defaults to\n"
		"$VIGIL_COCKPIT_STORE, else %s.\n",
		VIGIL_STORE_DEFAULT);
}

/* Parses --store, --json, --uses, --ttl; the rest stays in argv[optind..]. */
static int opts(int argc, char **argv, const char **store, bool *json, uint64_t *uses,
		uint64_t *ttl)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "uses", required_argument, NULL, 'u' },  { "ttl", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },	   { NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			*store = optarg;
			break;
		case 'j':
			*json = true;
			break;
		case 'u':
			if (vigil_parse_u64(optarg, uses) || *uses == 0 || *uses > 100000) {
				cli_errorf("--uses: want a number from 1 to 100000");
				return EXIT_ERROR;
			}
			break;
		case 't':
			if (vigil_parse_duration(optarg, ttl) || *ttl == 0) {
				cli_errorf("--ttl: want a duration such as 1h or 7d");
				return EXIT_ERROR;
			}
			break;
		case 'h':
			token_usage(stdout);
			return -1;
		default:
			token_usage(stderr);
			return EXIT_ERROR;
		}
	}
	return 0;
}

static struct vigil_store *open_store(const char *spec)
{
	struct vigil_store *s = NULL;
	struct vigil_error err = { 0 };

	spec = cockpit_cli_store(spec);
	if (vigil_str_has_prefix(spec, "sqlite:"))
		vigil_mkdir_parents(spec + 7, 0750);
	if (vigil_store__open(spec, NULL, &s, &err)) {
		cli_print_error(&err);
		return NULL;
	}
	return s;
}

static int flush(struct vigil_store *s)
{
	struct vigil_error err = { 0 };

	if (vigil_store__flush(s, &err)) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	return 0;
}

/* The node's credentials that are not revoked. */
static size_t active(json_t *creds, const char *node, json_t *out)
{
	size_t i, n = 0;
	json_t *c;

	json_array_foreach(creds, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "kind")) ?: "", "node") ||
		    strcmp(json_string_value(json_object_get(c, "node")) ?: "", node) ||
		    json_integer_value(json_object_get(c, "revoked_ns")))
			continue;
		n++;
		if (out)
			json_array_append(out, c);
	}
	return n;
}

static int add(struct vigil_store *s, const char *node)
{
	struct vigil_credential cred = { .kind = "node" };
	struct vigil_error err = { 0 };
	char token[VIGIL_TOKEN_LEN + 1];
	json_t *creds = NULL;
	size_t n;

	if (!vigil_node_name__valid(node)) {
		cli_errorf("\"%s\" is not a node name (1 to 253 of A-Z a-z 0-9 . _ -)", node);
		return EXIT_ERROR;
	}
	if (vigil_store__credentials(s, 0, &creds, &err)) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	n = active(creds, node, NULL);
	json_decref(creds);
	if (n) {
		cli_errorf("node %s has an active token already: revoke it first "
			   "(vigil cockpit token revoke %s)",
			   node, node);
		return EXIT_ERROR;
	}
	if (vigil_token__new(VIGIL_NODE_TOKEN_PREFIX, token, sizeof(token))) {
		cli_errorf("no randomness for a token");
		return EXIT_ERROR;
	}
	vigil_token__hash(token, cred.token_hash);
	vigil_strlcpy(cred.node, node, sizeof(cred.node));
	cred.version = cred.created_ns = vigil_realtime_ns();
	if (vigil_store__put_credential(s, &cred) || flush(s))
		return EXIT_ERROR;
	printf("%s\n", token);
	return 0;
}

static int revoke(struct vigil_store *s, const char *node)
{
	struct vigil_error err = { 0 };
	json_t *creds = NULL, *mine = json_array(), *c;
	uint64_t now = vigil_realtime_ns();
	size_t i;
	int rc = 0;

	if (vigil_store__credentials(s, 0, &creds, &err)) {
		cli_print_error(&err);
		json_decref(mine);
		return EXIT_ERROR;
	}
	active(creds, node, mine);
	json_array_foreach(mine, i, c)
	{
		struct vigil_credential cred = { .kind = "node" };

		vigil_strlcpy(cred.token_hash, json_string_value(json_object_get(c, "token_hash")),
			      sizeof(cred.token_hash));
		vigil_strlcpy(cred.node, node, sizeof(cred.node));
		cred.created_ns = (uint64_t)json_integer_value(json_object_get(c, "created_ns"));
		cred.version = cred.revoked_ns = now;
		if (vigil_store__put_credential(s, &cred))
			rc = EXIT_ERROR;
	}
	if (!rc)
		rc = flush(s);
	if (!rc && !json_array_size(mine)) {
		cli_errorf("node %s has no active token", node);
		rc = EXIT_VERDICT;
	} else if (!rc) {
		printf("revoked %zu token%s of node %s\n", json_array_size(mine),
		       json_array_size(mine) == 1 ? "" : "s", node);
	}
	json_decref(creds);
	json_decref(mine);
	return rc;
}

static const char *when(uint64_t ns, char *buf, size_t size)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "-");
	return buf;
}

static int list(struct vigil_store *s, bool as_json)
{
	struct vigil_error err = { 0 };
	json_t *creds = NULL, *c;
	size_t i;

	if (vigil_store__credentials(s, 0, &creds, &err)) {
		cli_print_error(&err);
		return EXIT_ERROR;
	}
	if (as_json) {
		char *t = json_dumps(creds, JSON_INDENT(2));

		printf("%s\n", t ? t : "[]");
		free(t);
		json_decref(creds);
		return 0;
	}
	printf("%-5s %-24s %-8s %-20s %-20s %-10s %s\n", "KIND", "NODE", "STATE", "CREATED",
	       "REVOKED/EXPIRES", "USES", "HASH");
	json_array_foreach(creds, i, c)
	{
		char a[32], b[32], uses[32] = "-";
		bool join = !strcmp(json_string_value(json_object_get(c, "kind")) ?: "", "join");
		uint64_t rev = (uint64_t)json_integer_value(json_object_get(c, "revoked_ns"));
		uint64_t exp = (uint64_t)json_integer_value(json_object_get(c, "expires_ns"));

		if (join)
			snprintf(uses, sizeof(uses), "%lld/%lld",
				 (long long)json_integer_value(json_object_get(c, "enrolments")),
				 (long long)json_integer_value(json_object_get(c, "uses")));
		printf("%-5s %-24s %-8s %-20s %-20s %-10s %.12s\n", join ? "join" : "node",
		       join ? "-" : json_string_value(json_object_get(c, "node")),
		       rev					  ? "revoked"
		       : join && exp && exp < vigil_realtime_ns() ? "expired"
								  : "active",
		       when((uint64_t)json_integer_value(json_object_get(c, "created_ns")), a,
			    sizeof(a)),
		       when(rev ? rev : exp, b, sizeof(b)), uses,
		       json_string_value(json_object_get(c, "token_hash")));
	}
	json_decref(creds);
	return 0;
}

int cockpit_cli_token(int argc, char **argv)
{
	const char *store = NULL, *verb, *node;
	bool as_json = false;
	uint64_t uses = 1, ttl = 0;
	struct vigil_store *s;
	int rc = opts(argc, argv, &store, &as_json, &uses, &ttl);

	if (rc)
		return rc < 0 ? 0 : rc;
	verb = optind < argc ? argv[optind] : NULL;
	node = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (!verb || (strcmp(verb, "list") && !node) || optind + (node ? 2 : 1) != argc ||
	    (strcmp(verb, "add") && strcmp(verb, "revoke") && strcmp(verb, "list"))) {
		token_usage(stderr);
		return EXIT_ERROR;
	}
	s = open_store(store);
	if (!s)
		return EXIT_ERROR;
	rc = !strcmp(verb, "add")      ? add(s, node)
	     : !strcmp(verb, "revoke") ? revoke(s, node)
				       : list(s, as_json);
	vigil_store__free(s);
	return rc;
}

int cockpit_cli_join_token(int argc, char **argv)
{
	const char *store = NULL;
	bool as_json = false;
	uint64_t uses = 1, ttl = 86400ull * 1000000000ull;
	struct vigil_credential cred = { .kind = "join" };
	char token[VIGIL_TOKEN_LEN + 1];
	struct vigil_store *s;
	int rc = opts(argc, argv, &store, &as_json, &uses, &ttl);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (optind != argc) {
		token_usage(stderr);
		return EXIT_ERROR;
	}
	if (vigil_token__new(VIGIL_JOIN_TOKEN_PREFIX, token, sizeof(token))) {
		cli_errorf("no randomness for a token");
		return EXIT_ERROR;
	}
	s = open_store(store);
	if (!s)
		return EXIT_ERROR;
	vigil_token__hash(token, cred.token_hash);
	cred.version = cred.created_ns = vigil_realtime_ns();
	cred.expires_ns = cred.created_ns + ttl;
	cred.uses = (uint32_t)uses;
	rc = vigil_store__put_credential(s, &cred) ? EXIT_ERROR : flush(s);
	vigil_store__free(s);
	if (!rc)
		printf("%s\n", token);
	return rc;
}
