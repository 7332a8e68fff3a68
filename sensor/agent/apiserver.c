// SPDX-License-Identifier: Apache-2.0
/*
 * The node's pods from the API server (apiserver.h). One transfer at a time: a LIST, then a
 * WATCH from the list's resourceVersion (with bookmarks, ended by the server every few
 * minutes), again and again; an expired watch lists again; a failure waits (1 s, doubling up
 * to 30 s). Sizes are bounded: the list answer, one watch line, the number of pods.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "sensor/agent/apiserver.h"
#include "util/buf.h"
#include "util/lazylib.h"
#include "util/strutil.h"

#define MAX_PODS      1024
#define LINE_MAX_B    (1u << 20)
#define TOKEN_MAX     (64u << 10)
#define WATCH_SECONDS 300
#define BACKOFF_MIN   1000000000ULL
#define BACKOFF_MAX   30000000000ULL

struct pod {
	char ns[VIGIL_K8S_LABEL_MAX + 1];
	char name[VIGIL_K8S_NAME_MAX + 1];
	char uid[VIGIL_K8S_UID_LEN + 1];
	struct vigil_k8s_owner owner;
	struct vigil_k8s_hints hints;
};

enum phase {
	IDLE,
	LISTING,
	WATCHING
};

struct agent_api {
	char base[512]; /* https://HOST:PORT */
	char node[VIGIL_K8S_NAME_MAX + 1];
	char token_file[512], ca_file[512];
	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers;
	enum phase phase;
	struct vigil_buf body; /* the list answer, or the watch's partial line */
	bool too_big, relist, synced;
	char rv[32];
	uint64_t next_try, backoff;
	struct pod *pods;
	size_t npods;
	char last_error[256];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void report(struct agent_api *api, const char *msg)
{
	/* once per distinct problem: a server that stays down does not fill the log */
	if (!strcmp(api->last_error, msg))
		return;
	vigil_strlcpy(api->last_error, msg, sizeof(api->last_error));
	agent_logf("api server: %s", msg);
}

static struct pod *find(struct agent_api *api, const char *ns, const char *name, const char *uid)
{
	for (size_t i = 0; i < api->npods; i++) {
		struct pod *p = &api->pods[i];

		if ((uid && uid[0] && !strcmp(p->uid, uid)) ||
		    (ns && name && !strcmp(p->ns, ns) && !strcmp(p->name, name)))
			return p;
	}
	return NULL;
}

static int on_pod(const char *type, const struct vigil_k8s_pod *kp, void *ctx)
{
	struct agent_api *api = ctx;
	struct pod *p = find(api, kp->namespace_, kp->name, kp->uid);

	if (!strcmp(type, "DELETED")) {
		if (p)
			*p = api->pods[--api->npods];
		return 0;
	}
	if (!p) {
		if (api->npods >= MAX_PODS)
			return 0;
		p = &api->pods[api->npods++];
	}
	memset(p, 0, sizeof(*p));
	vigil_strlcpy(p->ns, kp->namespace_, sizeof(p->ns));
	vigil_strlcpy(p->name, kp->name, sizeof(p->name));
	vigil_strlcpy(p->uid, kp->uid, sizeof(p->uid));
	p->owner = kp->owner;
	p->hints = kp->hints;
	return 0;
}

/* The watch's body: one JSON event per line. */
static void watch_lines(struct agent_api *api)
{
	char *start = api->body.data, *nl;
	size_t left = api->body.len;

	while (left && (nl = memchr(start, '\n', left))) {
		struct vigil_error err = { 0 };
		size_t n = (size_t)(nl - start);
		int rc = n ? vigil_k8s_watch_line__parse(start, n, on_pod, api, api->rv,
							 sizeof(api->rv), &err)
			   : 0;

		if (rc == -ESTALE)
			api->relist = true;
		else if (rc < 0)
			report(api, err.message);
		left -= n + 1;
		start = nl + 1;
	}
	memmove(api->body.data, start, left);
	api->body.len = left;
}

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
	struct agent_api *api = ctx;
	size_t len = size * n;
	size_t max = api->phase == LISTING ? VIGIL_K8S_LIST_MAX : LINE_MAX_B;

	if (api->body.len + len > max) {
		api->too_big = true;
		return 0; /* ends the transfer */
	}
	if (vigil_buf__append(&api->body, data, len) < 0)
		return 0;
	if (api->phase == WATCHING)
		watch_lines(api);
	return len;
}

static int read_token(const char *file, char *buf, size_t size)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] <= ' ' || buf[i] > '~')
			return -EINVAL;
	}
	return n ? 0 : -EINVAL;
}

static void start(struct agent_api *api, enum phase phase)
{
	char url[1024], *token = malloc(TOKEN_MAX), *auth;

	api->phase = IDLE;
	if (!token)
		return;
	/* projected service-account tokens rotate: read it again for every request */
	if (read_token(api->token_file, token, TOKEN_MAX) < 0) {
		report(api, "cannot read the service-account token");
		free(token);
		api->next_try = now_ns() + BACKOFF_MAX;
		return;
	}
	if (phase == LISTING)
		snprintf(url, sizeof(url), "%s/api/v1/pods?fieldSelector=spec.nodeName%%3D%s",
			 api->base, api->node);
	else
		snprintf(url, sizeof(url),
			 "%s/api/v1/pods?fieldSelector=spec.nodeName%%3D%s&watch=1"
			 "&allowWatchBookmarks=true&timeoutSeconds=%d&resourceVersion=%s",
			 api->base, api->node, WATCH_SECONDS, api->rv);
	curl_slist_free_all(api->headers);
	auth = malloc(TOKEN_MAX + 32);
	api->headers = NULL;
	if (auth) {
		snprintf(auth, TOKEN_MAX + 32, "Authorization: Bearer %s", token);
		api->headers = curl_slist_append(NULL, auth);
		api->headers = curl_slist_append(api->headers, "Accept: application/json");
	}
	free(auth);
	free(token);
	if (!api->headers)
		return;
	api->easy = curl_easy_init();
	if (!api->easy)
		return;
	vigil_buf__reset(&api->body);
	api->body.len = 0;
	api->too_big = false;
	api->relist = false;
	curl_easy_setopt(api->easy, CURLOPT_URL, url);
	curl_easy_setopt(api->easy, CURLOPT_HTTPHEADER, api->headers);
	curl_easy_setopt(api->easy, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	curl_easy_setopt(api->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(api->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(api->easy, CURLOPT_TIMEOUT_MS,
			 phase == LISTING ? 60000L : (WATCH_SECONDS + 30) * 1000L);
	curl_easy_setopt(api->easy, CURLOPT_CAINFO, api->ca_file);
	curl_easy_setopt(api->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(api->easy, CURLOPT_WRITEDATA, api);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(api->easy, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(api->easy, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_multi_add_handle(api->multi, api->easy);
	api->phase = phase;
}

static void failed(struct agent_api *api, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s; retrying in %llus", what,
		 (unsigned long long)(api->backoff / 1000000000ULL));
	report(api, msg);
	api->next_try = now_ns() + api->backoff;
	api->backoff = api->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : api->backoff * 2;
	api->phase = IDLE;
	api->relist = true;
}

static void finished(struct agent_api *api, CURLcode res)
{
	long status = 0;
	enum phase was = api->phase;
	char msg[256];

	curl_easy_getinfo(api->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(api->multi, api->easy);
	curl_easy_cleanup(api->easy);
	api->easy = NULL;
	api->phase = IDLE;
	if (api->too_big) {
		failed(api,
		       was == LISTING ? "pod list over the size limit" : "watch line too long");
		return;
	}
	if (res != CURLE_OK && !(was == WATCHING && res == CURLE_OPERATION_TIMEDOUT)) {
		snprintf(msg, sizeof(msg), "%s: %s", was == LISTING ? "list" : "watch",
			 curl_easy_strerror(res));
		failed(api, msg);
		return;
	}
	if (status != 200) {
		snprintf(msg, sizeof(msg), "%s: HTTP %ld%s", was == LISTING ? "list" : "watch",
			 status,
			 status == 401 || status == 403 ? " (token or RBAC: pods get/list/watch)"
							: "");
		failed(api, msg);
		return;
	}
	if (was == LISTING) {
		struct vigil_error err = { 0 };
		char rv[sizeof(api->rv)] = "";

		api->npods = 0;
		if (vigil_k8s_podlist__parse(api->body.data ? api->body.data : "", api->body.len,
					     MAX_PODS, on_pod, api, rv, sizeof(rv), &err) < 0) {
			failed(api, err.message);
			return;
		}
		vigil_strlcpy(api->rv, rv, sizeof(api->rv));
		if (!api->synced)
			agent_logf("api server: %zu pod(s) on node %s", api->npods, api->node);
		api->synced = true;
		api->last_error[0] = '\0';
	}
	api->backoff = BACKOFF_MIN;
	start(api, api->relist || !api->rv[0] ? LISTING : WATCHING);
}

void agent_api__tick(struct agent_api *api)
{
	CURLMsg *m;
	int running, left;

	if (!api)
		return;
	if (api->phase == IDLE) {
		if (now_ns() >= api->next_try)
			start(api, api->relist || !api->rv[0] ? LISTING : WATCHING);
		return;
	}
	curl_multi_perform(api->multi, &running);
	while ((m = curl_multi_info_read(api->multi, &left))) {
		if (m->msg == CURLMSG_DONE && m->easy_handle == api->easy) {
			finished(api, m->data.result);
			break;
		}
	}
}

struct agent_api *agent_api__new(const struct vigil_agent_config *c, char *why, size_t why_size)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	struct agent_api *api;

	if (!c->k8s_api) {
		snprintf(why, why_size, "api_server: off");
		return NULL;
	}
	if (!c->k8s_api_url[0] && (!host || !host[0])) {
		snprintf(why, why_size, "not in a cluster (no KUBERNETES_SERVICE_HOST)");
		return NULL;
	}
	if (!vigil_k8s_valid_subdomain(c->k8s_node_name)) {
		snprintf(why, why_size, "node name '%.64s' is not a Kubernetes name",
			 c->k8s_node_name);
		return NULL;
	}
	api = calloc(1, sizeof(*api));
	if (!api || !(api->pods = calloc(MAX_PODS, sizeof(*api->pods)))) {
		free(api);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	if (c->k8s_api_url[0])
		vigil_strlcpy(api->base, c->k8s_api_url, sizeof(api->base));
	else
		snprintf(api->base, sizeof(api->base),
			 strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
			 port && port[0] ? port : "443");
	vigil_strlcpy(api->node, c->k8s_node_name, sizeof(api->node));
	snprintf(api->token_file, sizeof(api->token_file), "%s/token", c->k8s_sa_dir);
	snprintf(api->ca_file, sizeof(api->ca_file), "%s/ca.crt", c->k8s_sa_dir);
	if (access(api->token_file, R_OK) < 0) {
		snprintf(why, why_size, "no service-account token at %s", api->token_file);
		agent_api__free(api);
		return NULL;
	}
	if (vigil_curl_need("Kubernetes API client", why, why_size) < 0) {
		agent_api__free(api);
		return NULL;
	}
	api->multi = curl_multi_init();
	if (!api->multi) {
		snprintf(why, why_size, "out of memory");
		agent_api__free(api);
		return NULL;
	}
	api->backoff = BACKOFF_MIN;
	api->relist = true;
	agent_logf("api server: %s, pods of node %s", api->base, api->node);
	return api;
}

void agent_api__free(struct agent_api *api)
{
	if (!api)
		return;
	if (api->easy) {
		curl_multi_remove_handle(api->multi, api->easy);
		curl_easy_cleanup(api->easy);
	}
	/* no curl_global_cleanup: libcurl is set up once for the process (vigil_curl_need) and
	 * the uplink and HTTP sinks may still use it */
	if (api->multi)
		curl_multi_cleanup(api->multi);
	curl_slist_free_all(api->headers);
	vigil_buf__release(&api->body);
	free(api->pods);
	free(api);
}

bool agent_api__pod(const struct agent_api *api, const char *ns, const char *name, const char *uid,
		    struct vigil_k8s_owner *owner, struct vigil_k8s_hints *hints)
{
	const struct pod *p;

	if (!api)
		return false;
	p = find((struct agent_api *)api, ns, name, uid);
	if (!p)
		return false;
	if (owner)
		*owner = p->owner;
	if (hints)
		*hints = p->hints;
	return true;
}

size_t agent_api__pods(const struct agent_api *api, bool *synced)
{
	if (synced)
		*synced = api && api->synced;
	return api ? api->npods : 0;
}
