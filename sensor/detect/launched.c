// SPDX-License-Identifier: Apache-2.0
/*
 * A shell or an interpreter started through a launcher that runs it in place (V1100): the
 * kernel's executable is the launcher, the program that runs is in its arguments.
 * `busybox sh -c id` (busybox called by its own name, or any name beginning with it, runs the
 * applet argv[1] names: busybox's own dispatch, so a copy named busyboxd is busybox) and
 * `/lib64/ld-linux-x86-64.so.2 /bin/sh -c id` (the dynamic loader maps and runs the file
 * after its options) are a server starting a shell as surely as `sh -c id`.
 */
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "sensor/interp_args.h"
#include "vigil/detect_paths.h"

bool vigil_multi_call_runs_shell(const char *const *argv, uint32_t argc)
{
	const char *a0 = argv && argc ? argv[0] : NULL;

	if (!a0 || !a0[0])
		return false;
	if (vigil_program_is_multi_call(a0))
		return argc >= 2 && argv[1] && vigil_program_is_shell_or_interpreter(argv[1], NULL);
	return vigil_program_is_shell_or_interpreter(a0[0] == '-' ? a0 + 1 : a0, NULL);
}

bool vigil_exec_runs_shell_or_interpreter(const char *exe, const char *const *argv, uint32_t argc)
{
	const char *a0 = argv && argc ? argv[0] : NULL;
	int f;

	if (vigil_program_is_shell_or_interpreter(exe, a0))
		return true;
	if (!exe || !argv || argc < 2 || !argv[1])
		return false;
	if (vigil_program_is_multi_call(exe))
		return a0 && vigil_program_is_multi_call(a0) &&
		       vigil_program_is_shell_or_interpreter(argv[1], NULL);
	if (!vigil_interp_is_loader(exe))
		return false;
	/* the loader's file is its own program: a launcher again (ld.so busybox sh) or not;
	 * each step consumes at least one argument */
	f = vigil_interp_file_arg(exe, argv, argc);
	return f > 0 && (uint32_t)f < argc && argv[f] &&
	       vigil_exec_runs_shell_or_interpreter(argv[f], argv + f, argc - (uint32_t)f);
}
