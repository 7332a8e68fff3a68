// SPDX-License-Identifier: Apache-2.0
/*
 * V1107's environment fact: a program started with shell history turned off (HISTFILE
 * pointed at /dev/null or emptied, HISTSIZE/HISTFILESIZE/SAVEHIST at 0: what `export
 * HISTFILE=/dev/null` before an attack leaves in every program the shell then starts). Read
 * from /proc/PID/environ with the dynamic-linker hook variables (sensor/sensor_decode.c).
 * `unset HISTFILE` is not here: an unset variable looks like one never set.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/detect_paths.h"

/* entry e (n bytes, "KEY=VALUE") turns history off */
static bool history_off(const char *e, size_t n)
{
	static const char *const zero_vars[] = { "HISTSIZE=", "HISTFILESIZE=", "SAVEHIST=", NULL };
	size_t k;

	if (n >= 9 && !memcmp(e, "HISTFILE=", 9))
		return n == 9 || (n == 18 && !memcmp(e + 9, "/dev/null", 9));
	for (int i = 0; zero_vars[i]; i++) {
		k = strlen(zero_vars[i]);
		if (n == k + 1 && !memcmp(e, zero_vars[i], k) && e[k] == '0')
			return true;
	}
	return false;
}

void vigil_env_history_off(const char *env, size_t len, char *out, size_t size)
{
	size_t off = 0;

	if (size)
		out[0] = '\0';
	while (env && off < len) {
		const char *e = env + off, *nul = memchr(e, '\0', len - off);
		size_t n = nul ? (size_t)(nul - e) : len - off;

		if (history_off(e, n)) {
			snprintf(out, size, "%.*s", (int)n, e);
			return;
		}
		off += n + 1;
	}
}
