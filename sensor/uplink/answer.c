// SPDX-License-Identifier: Apache-2.0
/* The cockpit's answers, read defensively (answer.h). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sensor/uplink/answer.h"
#include "sensor/uplink/credential.h"
#include "util/strutil.h"

int uplink_answer__parse(const char *body, size_t len, size_t n, struct uplink_answer *ret)
{
	json_t *ans = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *rej = json_object_get(ans, "rejected");
	json_int_t dup = json_integer_value(json_object_get(ans, "duplicates"));
	const char *why = json_string_value(json_object_get(json_array_get(rej, 0), "error"));
	uint64_t bad = json_is_array(rej) ? json_array_size(rej) : 0;
	int e;

	memset(ret, 0, sizeof(*ret));
	ret->duplicates = dup > 0 ? (uint64_t)dup : 0;
	if (ret->duplicates > n)
		ret->duplicates = n;
	ret->rejected = bad > n - ret->duplicates ? n - ret->duplicates : bad;
	ret->accepted = n - ret->duplicates - ret->rejected;
	if (ret->rejected)
		vigil_strlcpy(ret->why, why && why[0] ? why : "?", sizeof(ret->why));
	/* the cockpit always counts what it stored: a 2xx without counts is someone else's */
	e = json_is_integer(json_object_get(ans, "accepted")) ? 0 : -EPROTO;
	json_decref(ans);
	return e;
}

int uplink_answer__token(const char *body, size_t len, char *buf, size_t size)
{
	json_t *ans = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	const char *tok = json_string_value(json_object_get(ans, "token"));
	size_t tl = tok ? strlen(tok) : 0;
	int e = 0;

	if (!tok || tl < UPLINK_TOKEN_MIN || tl > UPLINK_TOKEN_MAX || tl >= size ||
	    (size_t)json_string_length(json_object_get(ans, "token")) != tl)
		e = -EPROTO;
	for (size_t i = 0; !e && i < tl; i++) {
		if (!isgraph((unsigned char)tok[i]))
			e = -EPROTO;
	}
	if (!e)
		memcpy(buf, tok, tl + 1);
	json_decref(ans);
	return e;
}
