// SPDX-License-Identifier: Apache-2.0
/*
 * R1011's facts: the environment variables that make the dynamic linker load or look up code
 * the program did not ask for (glibc's LD_* variables, the set Kubescape's rule checks), and
 * the file that does the same for every program (/etc/ld.so.preload).
 */
#include <string.h>

#include "vigil/detect_paths.h"

static const char *const hook_vars[] = {
	"LD_PRELOAD",	    "LD_LIBRARY_PATH",
	"LD_AUDIT",	    "LD_BIND_NOW",
	"LD_DEBUG",	    "LD_PROFILE",
	"LD_USE_LOAD_BIAS", "LD_SHOW_AUXV",
	"LD_ORIGIN_PATH",   "LD_LIBRARY_PATH_FDS",
	"LD_ASSUME_KERNEL", "LD_VERBOSE",
	"LD_WARN",	    "LD_TRACE_LOADED_OBJECTS",
	"LD_BIND_NOT",	    "LD_NOWARN",
	"LD_HWCAP_MASK",    NULL,
};

/* The hook variable named by entry e (n bytes, "KEY=VALUE"), or NULL. */
static const char *hook_of(const char *e, size_t n)
{
	const char *eq = memchr(e, '=', n);
	size_t klen;

	if (!eq || n < 3 || memcmp(e, "LD_", 3) != 0)
		return NULL;
	klen = (size_t)(eq - e);
	for (size_t i = 0; hook_vars[i]; i++) {
		if (strlen(hook_vars[i]) == klen && !memcmp(hook_vars[i], e, klen))
			return hook_vars[i];
	}
	return NULL;
}

const char *vigil_env_ld_hook(const char *env, size_t len)
{
	size_t off = 0;

	while (env && off < len) {
		const char *e = env + off, *nul = memchr(e, '\0', len - off);
		size_t n = nul ? (size_t)(nul - e) : len - off;
		const char *h = hook_of(e, n);

		if (h)
			return h;
		off += n + 1;
	}
	return NULL;
}

bool vigil_path_ld_preload(const char *path)
{
	return path && !strcmp(path, "/etc/ld.so.preload");
}
