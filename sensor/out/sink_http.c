// SPDX-License-Identifier: Apache-2.0
/*
 * webhook: and alertmanager: transports. One libcurl easy handle per sink, used only by the
 * sink's thread (connections are reused between batches). A batch is one POST of a JSON array:
 * the alert records themselves (webhook) or Alertmanager v2 alerts (POST BASE/api/v2/alerts).
 * 2xx = delivered; 408, 429, 5xx and transport errors = retry; any other status = rejected.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/out/sink.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/lazylib.h"
#include "util/strutil.h"

struct http_priv {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
};

/* The reply body is not needed: read it (bounded by curl's timeout) and discard it. */
static size_t discard(char *p, size_t size, size_t n, void *u)
{
	return size * n;
}

/* Lets vigil_alerts__free abort a transfer stuck on a slow receiver. */
static int progress(void *u, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct vigil_sink *s = u;

	return atomic_load(&s->stop) ? 1 : 0;
}

static void http_destroy(void *p)
{
	struct http_priv *h = p;

	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h);
}

static int build_body(struct vigil_sink *s, struct vigil_alert_msg *const *msgs, size_t n,
		      struct vigil_buf *b)
{
	size_t i;
	int ret;

	if (s->type == &vigil_sink_webhook) {
		ret = vigil_buf__puts(b, "[");
		for (i = 0; i < n && ret >= 0; i++) {
			if (i)
				ret = vigil_buf__puts(b, ",");
			if (ret >= 0) {
				char *owned;
				size_t len;
				const char *line = vigil_sink__line(s, msgs[i], &len, &owned);

				ret = line ? vigil_buf__append(b, line, len) : -ENOMEM;
				free(owned);
			}
		}
		return ret < 0 ? ret : vigil_buf__puts(b, "]");
	} else {
		json_t *arr = json_array();
		uint64_t now = vigil_realtime_ns();
		char *text;

		if (!arr)
			return -ENOMEM;
		for (i = 0; i < n; i++)
			if (json_array_append_new(arr, vigil_alertmanager__alert_as(
							       msgs[i]->json, s->cfg.format,
							       s->cfg.ks_names, s->cfg.resolve_ns,
							       now)) < 0) {
				json_decref(arr);
				return -ENOMEM;
			}
		text = json_dumps(arr, JSON_COMPACT);
		json_decref(arr);
		if (!text)
			return -ENOMEM;
		ret = vigil_buf__puts(b, text);
		free(text);
		return ret;
	}
}

static enum vigil_deliver http_deliver(struct vigil_sink *s, struct vigil_alert_msg *const *msgs,
				       size_t n, char *err, size_t err_size)
{
	struct http_priv *h = s->priv;
	struct vigil_buf body = VIGIL_BUF_INIT;
	long code = 0;
	CURLcode rc;

	if (build_body(s, msgs, n, &body) < 0) {
		vigil_buf__release(&body);
		snprintf(err, err_size, "out of memory building the request");
		return VIGIL_DELIVER_RETRY;
	}
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body.data);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
	rc = curl_easy_perform(h->curl);
	vigil_buf__release(&body);
	if (rc != CURLE_OK) {
		snprintf(err, err_size, "%s", curl_easy_strerror(rc));
		return VIGIL_DELIVER_RETRY;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return VIGIL_DELIVER_OK;
	snprintf(err, err_size, "HTTP %ld", code);
	if (code == 408 || code == 429 || code >= 500)
		return VIGIL_DELIVER_RETRY;
	return VIGIL_DELIVER_REJECT;
}

static const struct vigil_transport http_transport = {
	.single = false,
	.deliver = http_deliver,
	.destroy = http_destroy,
};

int vigil_sink_http__init(struct vigil_sink *s, const char *url, char *err, size_t err_size)
{
	struct http_priv *h;
	struct vigil_buf u = VIGIL_BUF_INIT;
	size_t len = strlen(url);
	int ret;

	if (!vigil_str_has_prefix(url, "http://") && !vigil_str_has_prefix(url, "https://")) {
		snprintf(err, err_size, "the URL must start with http:// or https://");
		return -EINVAL;
	}
	{
		char what[64];

		snprintf(what, sizeof(what), "%s sink", s->type->name);
		ret = vigil_curl_need(what, err, err_size);
		if (ret < 0)
			return ret;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	if (s->type == &vigil_sink_alertmanager) {
		while (len && url[len - 1] == '/')
			len--;
		ret = vigil_buf__append(&u, url, len);
		if (ret >= 0)
			ret = vigil_buf__puts(&u, "/api/v2/alerts");
	} else {
		ret = vigil_buf__puts(&u, url);
	}
	if (ret < 0) {
		vigil_buf__release(&u);
		free(h);
		return ret;
	}
	h->url = vigil_buf__steal(&u, NULL);
	h->curl = curl_easy_init();
	h->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (h->headers)
		h->headers = curl_slist_append(h->headers, "Expect:"); /* no 100-continue wait */
	for (unsigned i = 0; i < s->cfg.n_headers && h->headers; i++) {
		struct curl_slist *l = curl_slist_append(h->headers, s->cfg.headers[i]);

		if (!l) {
			curl_slist_free_all(h->headers);
			h->headers = NULL;
		}
		h->headers = l;
	}
	if (!h->curl || !h->headers) {
		http_destroy(h);
		snprintf(err, err_size, "cannot create an HTTP handle");
		return -ENOMEM;
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(s->cfg.connect_timeout_ns / 1000000ull));
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)(s->cfg.timeout_ns / 1000000ull));
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (s->cfg.cacert)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, s->cfg.cacert);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	s->tp = &http_transport;
	s->priv = h;
	return 0;
}

static const char *const http_options[] = { "batch",   "wait",	  "retries", "queue",
					    "timeout", "resolve", "header",  "cacert",
					    "format",  "names",	  NULL };

/* webhook:URL: batches POSTed as a JSON array of alerts. */
const struct vigil_sink_type vigil_sink_webhook = {
	.name = "webhook",
	.usage = "webhook:URL",
	.addr = VIGIL_SINK_ADDR_REQUIRED,
	.queued = true,
	.options = http_options,
	.open = vigil_sink_http__init,
};

/* alertmanager:URL: batches POSTed to URL/api/v2/alerts as Alertmanager alerts. */
const struct vigil_sink_type vigil_sink_alertmanager = {
	.name = "alertmanager",
	.usage = "alertmanager:URL",
	.addr = VIGIL_SINK_ADDR_REQUIRED,
	.queued = true,
	.options = http_options,
	.open = vigil_sink_http__init,
};
