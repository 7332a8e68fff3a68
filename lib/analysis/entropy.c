// SPDX-License-Identifier: Apache-2.0
#include <math.h>

#include "vigil/analysis.h"

double vigil_entropy(const uint8_t *data, size_t len)
{
	size_t count[256] = { 0 };
	double h = 0;

	if (!data || !len)
		return 0;
	for (size_t i = 0; i < len; i++)
		count[data[i]]++;
	for (int b = 0; b < 256; b++) {
		double p;

		if (!count[b])
			continue;
		p = (double)count[b] / (double)len;
		h -= p * log2(p);
	}
	return h;
}
