// SPDX-License-Identifier: Apache-2.0
/*
 * libcurl, loaded at its first use (see lazylib.h): every libcurl function Vigil calls is
 * defined here under its own name and calls through to libcurl.so.4 once loaded. An agent
 * without a cockpit uplink, HTTP sink or Kubernetes API client never maps libcurl, its TLS
 * stacks or their dependencies. A function added to the code that is not wrapped here fails
 * at link time (the binary does not link -lcurl), so nothing falls through silently.
 */
#define CURL_DISABLE_TYPECHECK /* the wrappers are plain functions; callers keep the checks */
#include <curl/curl.h>

#define VIGIL_LAZYLIB_WRAPPERS
#include "util/lazylib.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

/* libcurl's ABI has been .so.4 since 7.16 (2006), 8.x included. */
#define CURL_SONAME "libcurl.so.4"

#define CURL_SYMS(X)                \
	X(curl_global_init)         \
	X(curl_easy_init)           \
	X(curl_easy_setopt)         \
	X(curl_easy_perform)        \
	X(curl_easy_getinfo)        \
	X(curl_easy_cleanup)        \
	X(curl_easy_strerror)       \
	X(curl_easy_escape)         \
	X(curl_free)                \
	X(curl_slist_append)        \
	X(curl_slist_free_all)      \
	X(curl_multi_init)          \
	X(curl_multi_add_handle)    \
	X(curl_multi_remove_handle) \
	X(curl_multi_perform)       \
	X(curl_multi_info_read)     \
	X(curl_multi_cleanup)       \
	X(curl_url)                 \
	X(curl_url_cleanup)         \
	X(curl_url_get)             \
	X(curl_url_set)

VIGIL_LAZYLIB_DEFINE(CURL_SONAME, "libcurl4", CURL_SYMS);

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = LAZY_REAL(curl_global_init)(CURL_GLOBAL_DEFAULT);
}

int vigil_curl_need(const char *user, char *err, size_t size)
{
	int e = vigil_lazylib_need(&lazy_lib, user, err, size);

	if (e)
		return e;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(err, size, "%s: libcurl does not start: %s", user,
			 LAZY_REAL(curl_easy_strerror)(global_rc));
		return -ENOMEM;
	}
	return 0;
}

CURL *curl_easy_init(void)
{
	return LAZY_CALL(NULL, curl_easy_init, ());
}

/*
 * One argument follows the option; its type is encoded in the option's number (a multiple of
 * 10 000 per type: long, object pointer, function pointer, curl_off_t, blob). It is read as
 * that type and passed on as that type, as libcurl reads it.
 */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!vigil_lazylib_load(&lazy_lib))
		return rc;
	va_start(ap, option);
	switch (option / 10000 * 10000) {
	case CURLOPTTYPE_LONG:
		rc = LAZY_REAL(curl_easy_setopt)(curl, option, va_arg(ap, long));
		break;
	case CURLOPTTYPE_FUNCTIONPOINT:
		rc = LAZY_REAL(curl_easy_setopt)(curl, option, va_arg(ap, void (*)(void)));
		break;
	case CURLOPTTYPE_OFF_T:
		rc = LAZY_REAL(curl_easy_setopt)(curl, option, va_arg(ap, curl_off_t));
		break;
	default: /* object, string, slist, callback data, blob: a pointer */
		rc = LAZY_REAL(curl_easy_setopt)(curl, option, va_arg(ap, void *));
		break;
	}
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *curl)
{
	return LAZY_CALL(CURLE_FAILED_INIT, curl_easy_perform, (curl));
}

/* Every CURLINFO takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!vigil_lazylib_load(&lazy_lib))
		return rc;
	va_start(ap, info);
	rc = LAZY_REAL(curl_easy_getinfo)(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

void curl_easy_cleanup(CURL *curl)
{
	if (LAZY_WAS_LOADED())
		LAZY_REAL(curl_easy_cleanup)(curl);
}

const char *curl_easy_strerror(CURLcode code)
{
	return LAZY_CALL("libcurl could not be loaded", curl_easy_strerror, (code));
}

char *curl_easy_escape(CURL *curl, const char *string, int length)
{
	return LAZY_CALL(NULL, curl_easy_escape, (curl, string, length));
}

void curl_free(void *p)
{
	if (LAZY_WAS_LOADED())
		LAZY_REAL(curl_free)(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
	return LAZY_CALL(NULL, curl_slist_append, (list, data));
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (LAZY_WAS_LOADED())
		LAZY_REAL(curl_slist_free_all)(list);
}

CURLM *curl_multi_init(void)
{
	return LAZY_CALL(NULL, curl_multi_init, ());
}

CURLMcode curl_multi_add_handle(CURLM *multi, CURL *curl)
{
	return LAZY_CALL(CURLM_INTERNAL_ERROR, curl_multi_add_handle, (multi, curl));
}

CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *curl)
{
	return LAZY_CALL(CURLM_INTERNAL_ERROR, curl_multi_remove_handle, (multi, curl));
}

CURLMcode curl_multi_perform(CURLM *multi, int *running)
{
	return LAZY_CALL(CURLM_INTERNAL_ERROR, curl_multi_perform, (multi, running));
}

CURLMsg *curl_multi_info_read(CURLM *multi, int *msgs_in_queue)
{
	return LAZY_CALL(NULL, curl_multi_info_read, (multi, msgs_in_queue));
}

CURLMcode curl_multi_cleanup(CURLM *multi)
{
	return LAZY_WAS_LOADED() ? LAZY_REAL(curl_multi_cleanup)(multi) : CURLM_OK;
}

CURLU *curl_url(void)
{
	return LAZY_CALL(NULL, curl_url, ());
}

void curl_url_cleanup(CURLU *url)
{
	if (LAZY_WAS_LOADED())
		LAZY_REAL(curl_url_cleanup)(url);
}

CURLUcode curl_url_get(CURLU *url, CURLUPart what, char **part, unsigned int flags)
{
	return LAZY_CALL(CURLUE_OUT_OF_MEMORY, curl_url_get, (url, what, part, flags));
}

CURLUcode curl_url_set(CURLU *url, CURLUPart what, const char *part, unsigned int flags)
{
	return LAZY_CALL(CURLUE_OUT_OF_MEMORY, curl_url_set, (url, what, part, flags));
}
