// SPDX-License-Identifier: Apache-2.0
/*
 * Protocol detectors, entropy and the secret matcher on arbitrary bytes. The first byte splits
 * the input into a "secret" and a "payload" for the matcher.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_proto_info pi;
	struct vigil_secret_match m;
	size_t split;
	double h;

	vigil_proto__detect(data, size, &pi);
	if (strnlen(pi.detail, sizeof(pi.detail)) == sizeof(pi.detail))
		abort(); /* detail must stay NUL-terminated */
	if ((unsigned)pi.proto >= VIGIL_PROTO__MAX)
		abort();
	h = vigil_entropy(data, size);
	if (h < 0 || h > 8.0000001)
		abort();
	if (size < 2)
		return 0;
	split = 1 + data[0] % (size - 1);
	if (vigil_secret__find(data + 1, split - 1 + (split == 1), data + split, size - split,
			       &m) == 1) {
		if (m.secret_off + m.len > split || m.payload_off + m.len > size - split ||
		    memcmp(data + 1 + m.secret_off, data + split + m.payload_off, m.len))
			abort();
	}
	return 0;
}
