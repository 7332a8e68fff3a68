/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite evidence store of one unit test: each test (cmocka setup and teardown) gets a
 * directory of its own, /tmp/vigil-NAME-XXXXXX, removed after it. Define STORE_FIXTURE_NAME
 * ("store", "fleet", "nodes") before including this; setup sets dir, path (its evidence.db)
 * and spec ("sqlite:PATH", for vigil_store__open). For test_store, test_store_fleet and
 * test_store_nodes_page.
 */
#ifndef VIGIL_TESTS_STORE_FIXTURE_H
#define VIGIL_TESTS_STORE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef STORE_FIXTURE_NAME
#error "define STORE_FIXTURE_NAME before including store_fixture.h"
#endif

static char dir[64], spec[160], path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-" STORE_FIXTURE_NAME "-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/evidence.db", dir);
	snprintf(spec, sizeof(spec), "sqlite:%s", path);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

/* The wall clock in nanoseconds (the store's times are CLOCK_REALTIME). */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
