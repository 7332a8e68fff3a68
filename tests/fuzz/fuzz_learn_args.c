// SPDX-License-Identifier: Apache-2.0
/*
 * Exec arguments come from the workload (an attacker chooses them) and learning classifies
 * each one (sensor/learn/args.c). The input is one argument. Checks: the classifier returns
 * the argument itself or the static wildcard, never reads past the string (ASan), and an
 * argument that already is a wildcard stays itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/learn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *g;
	char *arg;

	if (size > 4096) /* the sensor copies at most 1 KiB of argv */
		return 0;
	arg = malloc(size + 1);
	if (!arg)
		abort();
	memcpy(arg, data, size);
	arg[size] = '\0';
	g = vigil_learn_generalize_arg(arg);
	if (g != arg && strcmp(g, "\xe2\x8b\xaf"))
		abort();
	if ((g != arg) != vigil_learn_volatile_arg(arg))
		abort();
	if (!strcmp(arg, "\xe2\x8b\xaf") && g != arg)
		abort();
	free(arg);
	return 0;
}
