/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which argument names the file a shell, an interpreter or the dynamic loader runs
 * (`sh x.sh`, `python3 -W ignore x.py`, `/lib64/ld-linux-x86-64.so.2 ./x`): drop-and-execute
 * looks at that file as it looks at an executable (sensor/sensor_drift.c).
 */
#ifndef VIGIL_SENSOR_INTERP_ARGS_H
#define VIGIL_SENSOR_INTERP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

/* exe (a path or a file name) is a program that runs a file named in its arguments. */
bool vigil_interp_known(const char *exe);
/* exe is the dynamic loader (ld-linux*, ld-musl-*, ld.so): it runs the file it is given. */
bool vigil_interp_is_loader(const char *exe);

/*
 * The index in argv (argc entries, argv[0] the program) of the file exe runs, or -1 when it
 * runs none by name: not an interpreter, a program given inline (`sh -c`, `perl -e`,
 * `python -c`), a module (`python -m`), standard input, or the loader only listing or
 * verifying (`ld.so --list`). Options that take a value are skipped with their value, per
 * interpreter, so the value is never taken for the file (nor the file for a value).
 */
int vigil_interp_file_arg(const char *exe, const char *const *argv, uint32_t argc);

#endif
