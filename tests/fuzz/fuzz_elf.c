// SPDX-License-Identifier: Apache-2.0
/* The ELF language reader (libelf), the /proc/PID/maps reader and the TLS symbol finder
 * (sensor/sensor_tls.c: which functions get uprobes) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_tls.h"
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
	{
		uint64_t off[TLS_SYM__MAX];
		int n = sensor_tls_symbols_mem(data, size, off);

		/* every offset found lies inside the file; 0 is "not found" (an ELF header is
		 * there), and nothing is found when n <= 0 */
		for (int k = 0; k < TLS_SYM__MAX; k++)
			if ((off[k] && off[k] >= size) || (n <= 0 && off[k]))
				abort();
	}
	vigil_lang__from_maps((const char *)data, size, "/usr/bin/app", &li);
	if ((unsigned)li.lang >= VIGIL_LANG__MAX)
		abort();
	return 0;
}
