// SPDX-License-Identifier: Apache-2.0
/*
 * DNS over TCP streams get whatever a workload writes to a TCP connection to port 53, in
 * pieces it chooses. The input is a series of writes: [stream byte][have byte][lost byte]
 * then `have` bytes (the bytes the sensor saw) and `lost` more that it did not.
 */
#include <stdint.h>
#include <string.h>

#include "sensor/dns_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_dns_streams *t = vigil_dns_streams__new();
	struct vigil_dns_question q[VIGIL_DNS_STREAM_QUESTIONS];
	size_t at = 0;
	bool cut;

	if (!t)
		return 0;
	while (at + 3 <= size) {
		uint64_t key = data[at] % (VIGIL_DNS_STREAMS + 4);
		size_t have = data[at + 1] * 3u, lost = data[at + 2] * 5u, n;

		at += 3;
		if (have > size - at)
			have = size - at;
		n = vigil_dns_streams__feed(t, key, data + at, have, have + lost, q,
					    VIGIL_DNS_STREAM_QUESTIONS, &cut);
		if (n > VIGIL_DNS_STREAM_QUESTIONS)
			__builtin_trap();
		/* every question handed out is a printable, lower-case, terminated name */
		for (size_t i = 0; i < n; i++) {
			size_t l = strnlen(q[i].name, sizeof(q[i].name));

			if (l == sizeof(q[i].name))
				__builtin_trap();
			for (size_t j = 0; j < l; j++)
				if (q[i].name[j] < 0x21 || q[i].name[j] > 0x7e ||
				    (q[i].name[j] >= 'A' && q[i].name[j] <= 'Z'))
					__builtin_trap();
		}
		at += have;
	}
	vigil_dns_streams__free(t);
	return 0;
}
