/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wall-clock time in nanoseconds since the epoch: the one spelling of "now" for event, alert,
 * store and cockpit timestamps (sensor_now_ns covers the monotonic clock the ring buffer uses).
 */
#ifndef VIGIL_UTIL_CLOCK_H
#define VIGIL_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t vigil_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Time that never steps back: for deadlines (a wall-clock step must not cut or extend one). */
static inline uint64_t vigil_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif
