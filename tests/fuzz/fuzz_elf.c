// SPDX-License-Identifier: Apache-2.0
/* The ELF language reader (libelf) and the /proc/PID/maps reader on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_lang_info li;

	if (vigil_lang__from_elf_mem(data, size, &li) == 0) {
		if ((unsigned)li.lang >= VIGIL_LANG__MAX ||
		    strnlen(li.version, sizeof(li.version)) == sizeof(li.version) ||
		    strnlen(li.evidence, sizeof(li.evidence)) == sizeof(li.evidence))
			abort();
	}
	vigil_lang__from_maps((const char *)data, size, "/usr/bin/app", &li);
	if ((unsigned)li.lang >= VIGIL_LANG__MAX)
		abort();
	return 0;
}
