// SPDX-License-Identifier: Apache-2.0
/*
 * R1011's scan of a new program's environment (vigil_env_ld_hook, sensor/detect/ldhook.c) reads
 * /proc/PID/environ, bytes the workload chose: any length, entries without '=', without the
 * final NUL, empty ones. The input is the environment. Checks: nothing is read past the length
 * given (the bytes are copied to a buffer of exactly that size, with no terminator); a name
 * found is an LD_ variable that an entry of the input really sets ("NAME=" at an entry's start)
 * and no earlier entry sets; the scan of the input cut right after that entry finds the same
 * name; a final NUL added changes nothing; the variables Kubescape's rule is about
 * (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH) are never missed.
 * V1107's scan of the same bytes (vigil_env_history_off) too: nothing read past the length, the
 * answer always a NUL-terminated "HIST..."/"SAVEHIST=..." entry of the input, cut to the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/detect_paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entry at env[off..] (up to its NUL or the end) sets name: "NAME=" at its start. */
static int sets(const char *env, size_t len, size_t off, const char *name)
{
	size_t n = strlen(name);

	return len - off > n && !memcmp(env + off, name, n) && env[off + n] == '=';
}

static size_t entry_end(const char *env, size_t len, size_t off)
{
	const char *nul = memchr(env + off, '\0', len - off);

	return nul ? (size_t)(nul - env) : len;
}

static void check(const char *env, size_t len)
{
	static const char *const must[] = { "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", NULL };
	const char *h = vigil_env_ld_hook(env, len);
	size_t off = 0;

	if (h && strncmp(h, "LD_", 3) != 0)
		abort();
	for (; off < len; off = entry_end(env, len, off) + 1) {
		if (h && sets(env, len, off, h)) {
			size_t end = entry_end(env, len, off);

			/* cut after this entry (with or without its NUL): same answer */
			if (vigil_env_ld_hook(env, end) != h)
				abort();
			return;
		}
		for (size_t i = 0; must[i]; i++) {
			if (sets(env, len, off, must[i]))
				abort(); /* a hook before the one reported, or none reported */
		}
	}
	if (h)
		abort(); /* reported a name no entry sets */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *env, *nul_ended;
	const char *h;

	if (size > 1 << 16)
		return 0;
	env = malloc(size ? size : 1); /* exact size: ASan sees any read past it */
	nul_ended = malloc(size + 1);
	if (!env || !nul_ended) {
		free(env);
		free(nul_ended);
		return 0;
	}
	memcpy(env, data, size);
	check(env, size);
	{
		char off[64];

		vigil_env_history_off(env, size, off, sizeof(off));
		if (memchr(off, '\0', sizeof(off)) == NULL ||
		    (off[0] && strncmp(off, "HIST", 4) != 0 && strncmp(off, "SAVEHIST=", 9) != 0))
			abort();
	}
	h = vigil_env_ld_hook(env, size);
	memcpy(nul_ended, data, size);
	nul_ended[size] = '\0';
	if (vigil_env_ld_hook(nul_ended, size + 1) != h)
		abort();
	free(env);
	free(nul_ended);
	return 0;
}
