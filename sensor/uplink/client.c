// SPDX-License-Identifier: Apache-2.0
/*
 * HTTP for the uplink: libcurl with the CA pinned, no redirects, bounded answers, and a
 * progress callback that lets shutdown abort a transfer stuck on a slow cockpit. The URL
 * rules (vigil_uplink__check_url) live here too, so the configuration check and the
 * client agree on them.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/uplink/client.h"
#include "util/lazylib.h"
#include "util/strutil.h"
#include "vigil/uplink.h"

struct uplink_client {
	CURL *curl;
	char *base; /* without a trailing '/' */
	const atomic_bool *abort;
	long retry_after_s; /* of the last answer */
	bool peer_refused;  /* the last request: the server's certificate was refused */
	long timeout_ms;    /* a small request's; a large body gets more (post) */
	void (*tick)(void *ctx);
	void *tick_ctx;
	uint64_t next_tick; /* CLOCK_MONOTONIC ns */
};

static bool host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[64];
	size_t len = strlen(host);

	if (!strcmp(host, "localhost"))
		return true;
	/* [::1] comes with its brackets from curl_url */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(h)) {
		memcpy(h, host + 1, len - 2);
		h[len - 2] = '\0';
		host = h;
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int vigil_uplink__check_url(const char *url, char *why, size_t size)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
	int ret = 0;

	if (!url || !url[0]) {
		snprintf(why, size, "no URL");
		return -EINVAL;
	}
	/* the configuration check says it first: a cockpit uplink without libcurl */
	if ((ret = vigil_curl_need("cockpit uplink", why, size)) < 0)
		return ret;
	u = curl_url();
	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(why, size, "\"%s\" is not a URL (expected https://HOST:PORT)", url);
		ret = -EINVAL;
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (strcmp(scheme, "https") && strcmp(scheme, "http")) {
		snprintf(why, size, "the URL must start with https:// (or http:// on loopback)");
		ret = -EINVAL;
	} else if (user || query || frag) {
		snprintf(why, size,
			 "the URL takes no user, query or fragment: the node token goes "
			 "in token_file");
		ret = -EINVAL;
	} else if (!strcmp(scheme, "http") && !host_is_loopback(host)) {
		/* a node token and alerts in clear text over a network: never */
		snprintf(why, size,
			 "plain http:// is only allowed to a loopback address; use https:// "
			 "(and ca_file) for %s",
			 host);
		ret = -EINVAL;
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return ret;
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct vigil_buf *b = ctx;

	/* a reply larger than the bound ends the transfer (a write error) */
	if (b->len + size * n > UPLINK_REPLY_MAX || vigil_buf__append(b, p, size * n) < 0)
		return 0;
	return size * n;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct uplink_client *c = ctx;
	uint64_t now;

	if (c->abort && atomic_load(c->abort))
		return 1;
	if (c->tick && (now = mono_ns()) >= c->next_tick) {
		c->next_tick = now + 100000000ull;
		c->tick(c->tick_ctx);
	}
	return 0;
}

struct uplink_client *uplink_client__new(const struct uplink_client_opts *o)
{
	struct uplink_client *c;
	size_t len;
	char why[256];
	int e = vigil_curl_need("cockpit uplink", why, sizeof(why));

	/* vigil_uplink__check_url, which the uplink calls first, said why already */
	if (e < 0) {
		errno = -e;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base = strdup(o->url);
	c->curl = curl_easy_init();
	if (!c->base || !c->curl) {
		uplink_client__free(c);
		errno = ENOMEM;
		return NULL;
	}
	len = strlen(c->base);
	while (len && c->base[len - 1] == '/')
		c->base[--len] = '\0';
	c->abort = o->abort;
	c->tick = o->tick;
	c->tick_ctx = o->tick_ctx;
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "vigil-agent/" VIGIL_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->connect_timeout_ns / 1000000ull));
	c->timeout_ms = (long)(o->timeout_ns / 1000000ull);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	/* the pinned CA and nothing else: no system CA may vouch for a fake cockpit */
	if (o->ca_file && o->ca_file[0]) {
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(c->curl, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	return c;
}

bool uplink_client__peer_refused(const struct uplink_client *c)
{
	return c->peer_refused;
}

long uplink_client__retry_after(const struct uplink_client *c)
{
	return c->retry_after_s;
}

void uplink_client__free(struct uplink_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->base);
	free(c);
}

int uplink_client__post(struct uplink_client *c, const char *path, const char *token,
			const char *body, size_t len, long *status, struct vigil_buf *reply,
			char *err, size_t err_size)
{
	struct curl_slist *h = NULL, *t;
	struct vigil_buf url = VIGIL_BUF_INIT, auth = VIGIL_BUF_INIT;
	CURLcode rc;
	int ret = 0;

	vigil_buf__reset(reply);
	c->retry_after_s = 0;
	c->peer_refused = false;
	if (vigil_buf__printf(&url, "%s%s", c->base, path) < 0 ||
	    vigil_buf__printf(&auth, "Authorization: Bearer %s", token ? token : "") < 0) {
		snprintf(err, err_size, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	h = curl_slist_append(NULL, "Content-Type: application/json");
	t = h ? curl_slist_append(h, "Expect:") : NULL; /* no 100-continue round trip */
	t = t ? curl_slist_append(t, auth.data) : NULL;
	if (!t) {
		snprintf(err, err_size, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	/* A large batch or report takes the cockpit longer to store (parse, insert, fsync) than
	 * a heartbeat. With one timeout for all, a record that can never be stored within it
	 * is sent again and again, each copy adding to the cockpit's work, and holds up the
	 * whole spool behind it (the 10-minute outage run of t8100: an 8 MiB report): +1 s per
	 * 256 KiB. A hostile cockpit holds a small request no longer than before. */
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms + (long)(len >> 18) * 1000L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, reply);
	rc = curl_easy_perform(c->curl);
	/* the header list (which holds the token) must not outlive the request in the handle */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	/* the cockpit's address answered, but not with a certificate the pinned CA signed (or
	 * not for this name): the handshake ended before any byte of the request was sent */
	c->peer_refused =
		rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
	if (rc != CURLE_OK) {
		snprintf(err, err_size, "%s", curl_easy_strerror(rc));
		ret = -EIO;
		goto out;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	{
		curl_off_t ra = 0;

		if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
			c->retry_after_s = ra > 3600 ? 3600 : (long)ra;
	}
out:
	curl_slist_free_all(h);
	vigil_buf__release(&url);
	/* the token does not linger in freed memory */
	if (auth.data)
		explicit_bzero(auth.data, auth.len);
	vigil_buf__release(&auth);
	return ret;
}
