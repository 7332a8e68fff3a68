// SPDX-License-Identifier: Apache-2.0
/* Loading a library at its first use: see lazylib.h. */
#include "util/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lazylib_lock = PTHREAD_MUTEX_INITIALIZER;

static bool lazylib_resolve(struct vigil_lazylib *lib)
{
	/* RTLD_LOCAL: the library's symbols stay out of the global scope, so nothing else
	 * (a library loaded later, an uprobe's symbol search) binds to them by accident. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "vigil: cannot load %s: %s\n", lib->soname, dlerror());
		return false;
	}
	for (size_t i = 0; lib->syms[i]; i++) {
		void *p = dlsym(h, lib->syms[i]);

		if (!p) {
			fprintf(stderr, "vigil: %s has no %s: %s\n", lib->soname, lib->syms[i],
				dlerror());
			/* Kept open: a half-resolved library is never called, and unloading one
			 * whose constructors ran is riskier than the mapping. */
			return false;
		}
		lib->slots[i] = p;
	}
	return true;
}

bool vigil_lazylib_load(struct vigil_lazylib *lib)
{
	bool ok;

	/* Acquire pairs with the release below: a thread that sees loaded also sees the slots. */
	if (__atomic_load_n(&lib->loaded, __ATOMIC_ACQUIRE))
		return true;
	pthread_mutex_lock(&lazylib_lock);
	if (!lib->loaded && !lib->failed) {
		if (lazylib_resolve(lib))
			__atomic_store_n(&lib->loaded, true, __ATOMIC_RELEASE);
		else
			lib->failed = true;
	}
	ok = lib->loaded;
	pthread_mutex_unlock(&lazylib_lock);
	return ok;
}

bool vigil_lazylib_is_loaded(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return false;
	dlclose(h); /* drops the reference RTLD_NOLOAD took */
	return true;
}
