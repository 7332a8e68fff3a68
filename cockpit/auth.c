// SPDX-License-Identifier: Apache-2.0
/*
 * Who is calling: the analyst token (compared in constant time) and the node and join tokens
 * of the store, cached here by their sha256 so a request is judged on its headers without
 * touching the store. The refresher (work.c) merges what changed in the store every second,
 * so a token added or revoked by `vigil cockpit token` on any machine takes effect on every
 * cockpit within about a second. A token nobody issued costs one hash and one lookup.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"

#define MAX_TOKEN 512

struct cockpit_auth {
	pthread_rwlock_t lock;
	char *analyst;
	json_t *by_hash; /* token hash -> credential row (+ "enrolments") */
	uint64_t last_version;
};

struct cockpit_auth *cockpit_auth_new(const char *analyst_token)
{
	struct cockpit_auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	pthread_rwlock_init(&a->lock, NULL);
	a->by_hash = json_object();
	a->analyst = analyst_token ? strdup(analyst_token) : NULL;
	if (!a->by_hash || (analyst_token && !a->analyst)) {
		cockpit_auth_free(a);
		return NULL;
	}
	return a;
}

void cockpit_auth_free(struct cockpit_auth *a)
{
	if (!a)
		return;
	if (a->analyst)
		OPENSSL_cleanse(a->analyst, strlen(a->analyst));
	free(a->analyst);
	json_decref(a->by_hash);
	pthread_rwlock_destroy(&a->lock);
	free(a);
}

enum cred_verdict cockpit_auth_check(struct cockpit_auth *a, const char *header, char *who,
				     size_t size)
{
	const char *token;
	size_t len;
	char hash[65];
	const json_t *row;
	enum cred_verdict v = CRED_UNKNOWN;

	who[0] = '\0';
	if (!header || strncmp(header, "Bearer ", 7))
		return CRED_NONE;
	token = header + 7;
	len = strlen(token);
	if (!len || len > MAX_TOKEN)
		return CRED_UNKNOWN;
	if (a->analyst && len == strlen(a->analyst) && CRYPTO_memcmp(token, a->analyst, len) == 0)
		return CRED_ANALYST;
	if (!vigil_str_has_prefix(token, VIGIL_NODE_TOKEN_PREFIX) &&
	    !vigil_str_has_prefix(token, VIGIL_JOIN_TOKEN_PREFIX))
		return CRED_UNKNOWN;
	/* the hash of a secret looked up by the hash: timing tells nothing about the token */
	vigil_token__hash(token, hash);
	pthread_rwlock_rdlock(&a->lock);
	row = json_object_get(a->by_hash, hash);
	if (row) {
		const char *kind = json_string_value(json_object_get(row, "kind")) ?: "";
		bool revoked = json_integer_value(json_object_get(row, "revoked_ns")) != 0;

		if (!strcmp(kind, "node") && vigil_str_has_prefix(token, VIGIL_NODE_TOKEN_PREFIX)) {
			v = revoked ? CRED_REVOKED : CRED_NODE;
			vigil_strlcpy(who, json_string_value(json_object_get(row, "node")) ?: "",
				      size);
		} else if (!strcmp(kind, "join") &&
			   vigil_str_has_prefix(token, VIGIL_JOIN_TOKEN_PREFIX)) {
			json_int_t exp = json_integer_value(json_object_get(row, "expires_ns"));
			json_int_t uses = json_integer_value(json_object_get(row, "uses"));
			json_int_t used = json_integer_value(json_object_get(row, "enrolments"));

			v = revoked || (exp && (uint64_t)exp < vigil_realtime_ns()) || used >= uses
				    ? CRED_JOIN_SPENT
				    : CRED_JOIN;
			vigil_strlcpy(who, hash, size);
		}
	}
	pthread_rwlock_unlock(&a->lock);
	return v;
}

void cockpit_auth_merge(struct cockpit_auth *a, const json_t *rows)
{
	size_t i;
	json_t *row;

	pthread_rwlock_wrlock(&a->lock);
	json_array_foreach(rows, i, row)
	{
		const char *h = json_string_value(json_object_get(row, "token_hash"));
		json_t *old = h ? json_object_get(a->by_hash, h) : NULL;
		json_int_t v = json_integer_value(json_object_get(row, "version"));

		if (!h)
			continue;
		if ((uint64_t)v > a->last_version)
			a->last_version = (uint64_t)v;
		/* an older row of the token (a replica that lags) never undoes a revocation */
		if (old && json_integer_value(json_object_get(old, "version")) > v)
			continue;
		if (old && json_integer_value(json_object_get(old, "revoked_ns")) &&
		    !json_integer_value(json_object_get(row, "revoked_ns")))
			continue;
		json_object_set_new(a->by_hash, h, json_deep_copy(row));
	}
	pthread_rwlock_unlock(&a->lock);
}

size_t cockpit_auth_active_tokens(struct cockpit_auth *a, const char *node)
{
	const char *h;
	json_t *row;
	size_t n = 0;

	pthread_rwlock_rdlock(&a->lock);
	json_object_foreach(a->by_hash, h, row)
	{
		n += !strcmp(json_string_value(json_object_get(row, "kind")) ?: "", "node") &&
		     !strcmp(json_string_value(json_object_get(row, "node")) ?: "", node) &&
		     !json_integer_value(json_object_get(row, "revoked_ns"));
	}
	pthread_rwlock_unlock(&a->lock);
	return n;
}

uint64_t cockpit_auth_last_version(struct cockpit_auth *a)
{
	uint64_t v;

	pthread_rwlock_rdlock(&a->lock);
	v = a->last_version;
	pthread_rwlock_unlock(&a->lock);
	return v;
}
