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
	const char *package;	 /* the Debian package that installs it, for the error */
	const char *const *syms; /* names to resolve, NULL-terminated */
	void **slots;		 /* where each resolved address goes, same order */
	bool loaded;		 /* written once, under the loader's lock */
	bool failed;		 /* a failure is reported once and stays */
	char why[200];		 /* the failure ("not installed (apt install ...)"), kept */
};

/*
 * Loads lib and resolves every symbol the first time it is called (thread-safe); later calls
 * only read the outcome. True when every symbol resolved. A failure is written to stderr once
 * and every later call returns false, so each wrapper returns its library's own error value
 * and callers report it as they would any failure.
 */
bool vigil_lazylib_load(struct vigil_lazylib *lib);

/*
 * The same for a feature that needs lib: 0, or -ENOENT (not installed or not loadable) or
 * -ENOSYS (a function missing: too old) with err saying what needs what, e.g. "webhook sink
 * needs libcurl.so.4: not installed (apt install libcurl4)".
 */
int vigil_lazylib_need(struct vigil_lazylib *lib, const char *user, char *err, size_t size);

/* Whether lib is mapped (for tests and the memory trace): never loads it. */
bool vigil_lazylib_is_loaded(const char *soname);

/*
 * The libraries. user names the feature for the error (see vigil_lazylib_need).
 * vigil_curl_need also runs curl_global_init, once for the process whichever thread asks
 * first (libcurl's own is not thread-safe before 7.84): nothing else calls it.
 */
int vigil_curl_need(const char *user, char *err, size_t size);
int vigil_mhd_need(const char *user, char *err, size_t size);

#ifdef VIGIL_LAZYLIB_WRAPPERS
/*
 * For lazy_NAME.c only: what each library's file defines. SYMS(X) lists the functions the
 * wrappers call; it gives lazy_lib (the library) with its names and slots, LAZY_REAL(n) the
 * loaded function n typed as the library's header declares it, and LAZY_CALL the body of a
 * wrapper that loads the library at its first use.
 */
#define LAZYLIB_IX_(n)	 LAZY_IX_##n,
#define LAZYLIB_NAME_(n) #n,
#define VIGIL_LAZYLIB_DEFINE(SONAME, PACKAGE, SYMS)                                           \
	enum {                                                                                \
		SYMS(LAZYLIB_IX_) LAZY_NSYMS                                                  \
	};                                                                                    \
	static const char *const lazy_names[] = { SYMS(LAZYLIB_NAME_) NULL };                 \
	static void *lazy_slots[LAZY_NSYMS];                                                  \
	static struct vigil_lazylib lazy_lib = {                                              \
		.soname = SONAME, .package = PACKAGE, .syms = lazy_names, .slots = lazy_slots \
	}
#define LAZY_REAL(n) ((__typeof__(&n))lazy_slots[LAZY_IX_##n])
/* n args (a parenthesised list) once the library is loaded, else fail (the library's own
 * error value). */
#define LAZY_CALL(fail, n, args) (vigil_lazylib_load(&lazy_lib) ? LAZY_REAL(n) args : (fail))
/* Whether the library was loaded already: cleanups never load it just to do nothing. */
#define LAZY_WAS_LOADED() __atomic_load_n(&lazy_lib.loaded, __ATOMIC_ACQUIRE)
#endif

#endif
