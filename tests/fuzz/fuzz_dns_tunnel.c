// SPDX-License-Identifier: Apache-2.0
/*
 * The DNS tunnelling tally gets the names a workload asks for: any bytes it managed to put in
 * a question. The input is names, one a line (each cut to 255 bytes as the sensor's are);
 * every name goes into one tally, and the verdict must name a domain some name is under, count
 * no more names than were given, and hold a longest label no longer than a name.
 */
#include <stdint.h>
#include <string.h>

#include "vigil/burst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_dns_tally *t = vigil_dns_tally__new();
	struct vigil_dns_tunnel v;
	char name[256];
	size_t at = 0, given = 0;

	if (!t)
		return 0;
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - data - at) : size - at, n = len < 255 ? len : 255;
		const char *dom;

		memcpy(name, data + at, n);
		name[n] = '\0';
		at += len + 1;
		dom = vigil_dns_registered_domain(name);
		/* the registered domain is the name's own tail */
		if (dom < name || dom > name + strlen(name))
			__builtin_trap();
		if (vigil_dns_tally__add(t, name) < 0)
			break;
		given++;
	}
	vigil_dns_tally__verdict(t, &v);
	if (v.unique_names > given || v.data_names > v.unique_names || v.max_label_len > 255 ||
	    strnlen(v.domain, sizeof(v.domain)) == sizeof(v.domain))
		__builtin_trap();
	vigil_dns_tally__free(t);
	return 0;
}
