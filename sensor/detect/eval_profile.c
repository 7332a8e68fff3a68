// SPDX-License-Identifier: Apache-2.0
/*
 * What the bound profile says, asked by the rules of several event kinds (eval_*.c).
 */
#include <fcntl.h>

#include "sensor/detect/detect_internal.h"
#include "vigil/profile.h"

/* The profile knows this workload writes the file and runs it (a build, a self-update). */
bool detect_learned_write(const struct vigil_matcher *m, const char *path)
{
	return vigil_matcher__open(m, path, O_WRONLY) || vigil_matcher__open(m, path, O_RDWR);
}

/*
 * byExecutable (docs/PROFILES.md): when the profile keys entries by executable and has a
 * section for exe, what exe did is judged by that section too; NULL: workload-wide only (an
 * executable never seen while learning is judged by its own exec, R0001).
 */
const struct vigil_matcher *detect_section_of(const struct raise *r, const char *exe)
{
	if (!exe || !exe[0] || !vigil_matcher__has_by_exe(r->b->m))
		return NULL;
	return vigil_matcher__by_exe(r->b->m, exe);
}

/* The process runs an executable the profile's execs name (with any arguments). */
bool detect_known_program(const struct raise *r)
{
	const struct vigil_process *p = r->ev->proc;

	return p && p->exe && p->exe[0] &&
	       vigil_matcher__exec(r->b->m, p->exe, NULL, 0) != VIGIL_MATCH_NO;
}
