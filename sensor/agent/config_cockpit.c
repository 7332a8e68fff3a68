// SPDX-License-Identifier: Apache-2.0
/*
 * The `cockpit:` section (the uplink: URL, credentials, node name, heartbeat, spool) and what
 * the agent checks of it before it starts (token files readable, spool directory creatable).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/agent/config_parse.h"
#include "sensor/uplink/credential.h"
#include "util/strutil.h"
#include "vigil/uplink.h"

bool agent_config__node_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 253 || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static int cockpit_key(struct cfg_parse *p, const char *key, const yaml_node_t *v, void *ctx)
{
	struct agent_cockpit *k = ctx;
	char why[256];
	int e;

	if (!strcmp(key, "url")) {
		e = cfg_str(p, v, key, &k->url);
		if (!e && vigil_uplink__check_url(k->url, why, sizeof(why)) < 0)
			return cfg_fail(p, v, "cockpit.url: %s", why);
		return e;
	}
	if (!strcmp(key, "token_file"))
		return cfg_str(p, v, key, &k->token_file);
	if (!strcmp(key, "join_token_file"))
		return cfg_str(p, v, key, &k->join_token_file);
	if (!strcmp(key, "ca_file"))
		return cfg_str(p, v, key, &k->ca_file);
	if (!strcmp(key, "node_name")) {
		e = cfg_str(p, v, key, &k->node_name);
		if (!e && !agent_config__node_name_ok(k->node_name))
			return cfg_fail(p, v,
					"cockpit.node_name: 1 to 253 of A-Z a-z 0-9 . _ -, not "
					"starting with . or -");
		return e;
	}
	if (!strcmp(key, "heartbeat_interval")) {
		e = cfg_duration(p, v, key, &k->heartbeat_ns);
		if (!e && (k->heartbeat_ns < 1000000000ULL || k->heartbeat_ns > 3600000000000ULL))
			return cfg_fail(p, v, "cockpit.heartbeat_interval: between 1s and 1h");
		return e;
	}
	if (!strcmp(key, "spool_dir"))
		return cfg_str(p, v, key, &k->spool_dir);
	if (!strcmp(key, "spool_max_bytes")) {
		const char *s = cfg_scalar(v);

		if (!s || vigil_parse_size(s, &k->spool_max_bytes) < 0)
			return cfg_fail(p, v,
					"cockpit.spool_max_bytes: expected a size (64MiB, 1GiB)");
		if (k->spool_max_bytes < AGENT_SPOOL_MIN)
			return cfg_fail(p, v, "cockpit.spool_max_bytes: at least 1MiB");
		return 0;
	}
	return -ENOENT;
}

static const char *const cockpit_known[] = {
	"url",	     "token_file",	"join_token_file",
	"ca_file",   "node_name",	"heartbeat_interval",
	"spool_dir", "spool_max_bytes", NULL,
};

/* The cockpit section as a whole: a URL and exactly one way to a credential. */
int agent_config__parse_cockpit(struct cfg_parse *p, struct vigil_agent_config *c,
				const yaml_node_t *n)
{
	struct agent_cockpit *k = &c->cockpit;
	int e;

	if (k->url || k->token_file || k->join_token_file)
		return cfg_fail(p, n, "cockpit: given twice");
	e = cfg_section(p, n, "cockpit", cockpit_known, cockpit_key, k);
	if (e)
		return e;
	if (!k->url)
		return cfg_fail(p, n, "cockpit: needs url (https://HOST:PORT of the cockpit)");
	if (!!k->token_file == !!k->join_token_file)
		return cfg_fail(p, n,
				"cockpit: needs exactly one of token_file (a node token made with "
				"'vigil cockpit token add NODE') and join_token_file (a join token "
				"made with 'vigil cockpit join-token')");
	return 0;
}

/* A directory the agent creates (with its parents) when missing: the nearest existing one on
 * its path must be writable. */
static int check_creatable(const char *path, const char *what, struct vigil_error *err)
{
	char dir[PATH_MAX];
	char *slash;

	if (vigil_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return vigil_error__set(err, -ENAMETOOLONG, path, 0, 0, "%s: path too long", what);
	while (access(dir, F_OK) < 0) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			vigil_strlcpy(dir, slash ? "/" : ".", sizeof(dir));
			break;
		}
		*slash = '\0';
	}
	if (access(dir, W_OK | X_OK) < 0)
		return vigil_error__set(err, -errno, path, 0, 0, "%s: %s: %s", what, dir,
					strerror(errno));
	return 0;
}

/* A token file the uplink will read: present, private, one token (it is not printed). */
static int check_token(const char *file, const char *what, struct vigil_error *err)
{
	char tok[UPLINK_TOKEN_MAX + 1], why[160];
	int e = uplink_token__read(file, tok, sizeof(tok), why, sizeof(why));

	explicit_bzero(tok, sizeof(tok));
	if (e < 0)
		return vigil_error__set(err, e, file, 0, 0, "%s: %s", what, why);
	return 0;
}

int agent_config__check_cockpit(const struct agent_cockpit *k, struct vigil_error *err)
{
	int e;

	if (k->token_file && (e = check_token(k->token_file, "cockpit.token_file", err)) < 0)
		return e;
	/* a join token is needed only until the node token it buys is kept */
	if (k->join_token_file && access(k->node_token_file, F_OK) < 0 &&
	    (e = check_token(k->join_token_file, "cockpit.join_token_file", err)) < 0)
		return e;
	if (k->join_token_file && access(k->node_token_file, F_OK) == 0 &&
	    (e = check_token(k->node_token_file, "the node token kept from enrolment", err)) < 0)
		return e;
	if (k->ca_file && access(k->ca_file, R_OK) < 0)
		return vigil_error__set(err, -errno, k->ca_file, 0, 0, "cockpit.ca_file: %s",
					strerror(errno));
	return check_creatable(k->spool_dir, "cockpit.spool_dir", err);
}
