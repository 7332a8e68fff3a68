// SPDX-License-Identifier: Apache-2.0
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/randid.h"
#include "util/strutil.h"

void vigil_random_id(char out[VIGIL_RANDOM_ID_LEN + 1])
{
	static atomic_ulong counter;
	unsigned char r[VIGIL_RANDOM_ID_LEN / 2];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^
		    ((uint64_t)getpid() << 32) ^
		    atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ull;
		for (i = 0; i < sizeof(r); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			r[i] = (unsigned char)x;
		}
	}
	vigil_hex(r, sizeof(r), out);
}
