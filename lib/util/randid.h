/* SPDX-License-Identifier: Apache-2.0 */
/* Random identifiers (alert ids): 128 bits as 32 lower-case hex characters. */
#ifndef VIGIL_UTIL_RANDID_H
#define VIGIL_UTIL_RANDID_H

#define VIGIL_RANDOM_ID_LEN 32

/*
 * Writes a fresh id and its NUL into out. Never waits for entropy (alerts are raised on the
 * detection path): without getrandom's bytes, a mix of clock, pid and a counter stands in,
 * still unique per process.
 */
void vigil_random_id(char out[VIGIL_RANDOM_ID_LEN + 1]);

#endif
