// SPDX-License-Identifier: Apache-2.0
/* Loading a library at its first use: see lazylib.h. */
#include "util/lazylib.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lazylib_lock = PTHREAD_MUTEX_INITIALIZER;

/* Why lib did not load, said the way an operator acts on it. */
static void lazylib_why(struct vigil_lazylib *lib, const char *sym, const char *dlerr)
{
	if (sym)
		snprintf(lib->why, sizeof(lib->why), "it has no %s (too old: apt install %s)", sym,
			 lib->package);
	else if (dlerr && strstr(dlerr, "No such file"))
		snprintf(lib->why, sizeof(lib->why), "not installed (apt install %s)",
			 lib->package);
	else
		snprintf(lib->why, sizeof(lib->why), "cannot be loaded (%s)",
			 dlerr ? dlerr : "unknown error");
}

static bool lazylib_resolve(struct vigil_lazylib *lib)
{
	/* RTLD_LOCAL: the library's symbols stay out of the global scope, so nothing else
	 * (a library loaded later, an uprobe's symbol search) binds to them by accident. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		lazylib_why(lib, NULL, dlerror());
		return false;
	}
	for (size_t i = 0; lib->syms[i]; i++) {
		void *p = dlsym(h, lib->syms[i]);

		if (!p) {
			lazylib_why(lib, lib->syms[i], NULL);
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
		if (lazylib_resolve(lib)) {
			__atomic_store_n(&lib->loaded, true, __ATOMIC_RELEASE);
		} else {
			lib->failed = true;
			/* once: a caller that does not ask through need() still leaves a trace */
			fprintf(stderr, "vigil: %s: %s\n", lib->soname, lib->why);
		}
	}
	ok = lib->loaded;
	pthread_mutex_unlock(&lazylib_lock);
	return ok;
}

int vigil_lazylib_need(struct vigil_lazylib *lib, const char *user, char *err, size_t size)
{
	if (vigil_lazylib_load(lib))
		return 0;
	/* why is written once, before failed, under the lock that load took: stable now */
	snprintf(err, size, "%s needs %s: %s", user, lib->soname, lib->why);
	return strncmp(lib->why, "it has no ", 10) ? -ENOENT : -ENOSYS;
}

bool vigil_lazylib_is_loaded(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return false;
	dlclose(h); /* drops the reference RTLD_NOLOAD took */
	return true;
}
