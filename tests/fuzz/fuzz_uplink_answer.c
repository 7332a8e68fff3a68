// SPDX-License-Identifier: Apache-2.0
/*
 * The cockpit's answers as the uplink reads them (sensor/uplink/answer.c): a batch's counts
 * and an enrolment's token. Input: a first byte n (records sent), then the body. Checks: the
 * counts always add up to n, the reason is a terminated string, a token taken is printable,
 * of bounded length and NUL-terminated within the buffer.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/uplink/answer.h"
#include "sensor/uplink/credential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uplink_answer a;
	char tok[UPLINK_TOKEN_MAX + 1];
	size_t n;

	if (!size || size > 256 * 1024)
		return 0;
	n = data[0];
	uplink_answer__parse((const char *)data + 1, size - 1, n, &a);
	if (a.accepted + a.duplicates + a.rejected != n || a.accepted > n ||
	    !memchr(a.why, '\0', sizeof(a.why)) || (a.rejected && !a.why[0]))
		abort();
	memset(tok, 'x', sizeof(tok));
	if (uplink_answer__token((const char *)data + 1, size - 1, tok, sizeof(tok)) == 0) {
		size_t len = strnlen(tok, sizeof(tok));

		if (len == sizeof(tok) || len < UPLINK_TOKEN_MIN)
			abort();
		for (size_t i = 0; i < len; i++)
			if (!isgraph((unsigned char)tok[i]))
				abort();
	}
	return 0;
}
