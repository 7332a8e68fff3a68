/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Libraries loaded at their first use (lib/util/lazy_curl.c, lazy_mhd.c). libcurl and
 * libmicrohttpd bring some thirty libraries with them (GnuTLS, p11-kit, Kerberos, LDAP, SASL,
 * nghttp2, librtmp...), whose relocations and constructors cost an agent 3-4 MiB of resident
 * memory at start-up even when no cockpit uplink, HTTP sink, metrics server or API server is
 * configured. The binary therefore does not link them: each of their functions the code calls
 * is defined by a wrapper of the same name that loads the library once, then calls through.
 * Callers keep using the libraries' own headers and functions unchanged.
 */
#ifndef VIGIL_UTIL_LAZYLIB_H
#define VIGIL_UTIL_LAZYLIB_H

#include <stdbool.h>
#include <stddef.h>

struct vigil_lazylib {
	const char *soname;	 /* e.g. "libcurl.so.4" */
	const char *const *syms; /* names to resolve, NULL-terminated */
	void **slots;		 /* where each resolved address goes, same order */
	bool loaded;		 /* written once, under the loader's lock */
	bool failed;		 /* a failure is reported once and stays */
};

/*
 * Loads lib and resolves every symbol the first time it is called (thread-safe); later calls
 * only read the outcome. True when every symbol resolved. A failure is written to stderr once
 * (the library's name and dlerror's text) and every later call returns false, so each wrapper
 * returns its library's own error value and callers report it as they would any failure.
 */
bool vigil_lazylib_load(struct vigil_lazylib *lib);

/* Whether lib is mapped (for tests and the memory trace): never loads it. */
bool vigil_lazylib_is_loaded(const char *soname);

#endif
