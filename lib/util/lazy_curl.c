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

#include "util/lazylib.h"

#include <stdarg.h>

/* libcurl's ABI has been .so.4 since 7.16 (2006), 8.x included. */
#define CURL_SONAME "libcurl.so.4"

#define CURL_SYMS(X)                \
	X(curl_global_init)         \
	X(curl_global_cleanup)      \
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

#define CURL_IX(n) IX_##n,
enum {
	CURL_SYMS(CURL_IX) CURL_NSYMS
};
#define CURL_NAME(n) #n,
static const char *const curl_names[] = { CURL_SYMS(CURL_NAME) NULL };
static void *curl_slots[CURL_NSYMS];
static struct vigil_lazylib curl_lib = { .soname = CURL_SONAME,
					 .syms = curl_names,
					 .slots = curl_slots };

/* The real function, typed as libcurl declares it. */
#define REAL(n) ((__typeof__(&n))curl_slots[IX_##n])

static bool curl_loaded(void)
{
	return vigil_lazylib_load(&curl_lib);
}

/* Whether libcurl was loaded already: cleanups never load it just to do nothing. */
static bool curl_was_loaded(void)
{
	return __atomic_load_n(&curl_lib.loaded, __ATOMIC_ACQUIRE);
}

CURLcode curl_global_init(long flags)
{
	return curl_loaded() ? REAL(curl_global_init)(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	if (curl_was_loaded())
		REAL(curl_global_cleanup)();
}

CURL *curl_easy_init(void)
{
	return curl_loaded() ? REAL(curl_easy_init)() : NULL;
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

	if (!curl_loaded())
		return rc;
	va_start(ap, option);
	switch (option / 10000 * 10000) {
	case CURLOPTTYPE_LONG:
		rc = REAL(curl_easy_setopt)(curl, option, va_arg(ap, long));
		break;
	case CURLOPTTYPE_FUNCTIONPOINT:
		rc = REAL(curl_easy_setopt)(curl, option, va_arg(ap, void (*)(void)));
		break;
	case CURLOPTTYPE_OFF_T:
		rc = REAL(curl_easy_setopt)(curl, option, va_arg(ap, curl_off_t));
		break;
	default: /* object, string, slist, callback data, blob: a pointer */
		rc = REAL(curl_easy_setopt)(curl, option, va_arg(ap, void *));
		break;
	}
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *curl)
{
	return curl_loaded() ? REAL(curl_easy_perform)(curl) : CURLE_FAILED_INIT;
}

/* Every CURLINFO takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!curl_loaded())
		return rc;
	va_start(ap, info);
	rc = REAL(curl_easy_getinfo)(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

void curl_easy_cleanup(CURL *curl)
{
	if (curl_was_loaded())
		REAL(curl_easy_cleanup)(curl);
}

const char *curl_easy_strerror(CURLcode code)
{
	return curl_loaded() ? REAL(curl_easy_strerror)(code) : "libcurl could not be loaded";
}

char *curl_easy_escape(CURL *curl, const char *string, int length)
{
	return curl_loaded() ? REAL(curl_easy_escape)(curl, string, length) : NULL;
}

void curl_free(void *p)
{
	if (curl_was_loaded())
		REAL(curl_free)(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
	return curl_loaded() ? REAL(curl_slist_append)(list, data) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (curl_was_loaded())
		REAL(curl_slist_free_all)(list);
}

CURLM *curl_multi_init(void)
{
	return curl_loaded() ? REAL(curl_multi_init)() : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *multi, CURL *curl)
{
	return curl_loaded() ? REAL(curl_multi_add_handle)(multi, curl) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *curl)
{
	return curl_loaded() ? REAL(curl_multi_remove_handle)(multi, curl) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *multi, int *running)
{
	return curl_loaded() ? REAL(curl_multi_perform)(multi, running) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *multi, int *msgs_in_queue)
{
	return curl_loaded() ? REAL(curl_multi_info_read)(multi, msgs_in_queue) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *multi)
{
	return curl_was_loaded() ? REAL(curl_multi_cleanup)(multi) : CURLM_OK;
}

CURLU *curl_url(void)
{
	return curl_loaded() ? REAL(curl_url)() : NULL;
}

void curl_url_cleanup(CURLU *url)
{
	if (curl_was_loaded())
		REAL(curl_url_cleanup)(url);
}

CURLUcode curl_url_get(CURLU *url, CURLUPart what, char **part, unsigned int flags)
{
	return curl_loaded() ? REAL(curl_url_get)(url, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *url, CURLUPart what, const char *part, unsigned int flags)
{
	return curl_loaded() ? REAL(curl_url_set)(url, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}
