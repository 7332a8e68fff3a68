/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A throwaway SQLite evidence store for the store and cockpit harnesses: in /dev/shm when it
 * exists (no disk writes), recreated every STORE_TMP_RUNS inputs so it stays small, removed at
 * exit. Retention is off: a fuzzed opened_ns must not make an incident vanish before it is
 * read back.
 */
#ifndef VIGIL_FUZZ_STORE_TMP_H
#define VIGIL_FUZZ_STORE_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vigil/store.h"

#define STORE_TMP_RUNS 2000

static char store_tmp_dir[64];
static struct vigil_store *store_tmp;
static unsigned store_tmp_runs;

static void store_tmp_remove(void)
{
	static const char *const files[] = { "e.db", "e.db-wal", "e.db-shm", "e.db-journal" };
	char p[128];

	vigil_store__free(store_tmp);
	store_tmp = NULL;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", store_tmp_dir, files[i]);
		unlink(p);
	}
}

static void store_tmp_exit(void)
{
	store_tmp_remove();
	rmdir(store_tmp_dir);
}

/* The store to use for this input (owned here). */
static struct vigil_store *store_tmp_get(void)
{
	struct vigil_store_opts opts;
	char spec[128];

	if (!store_tmp_dir[0]) {
		snprintf(store_tmp_dir, sizeof(store_tmp_dir), "%s/vigil-fuzz-store-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(store_tmp_dir))
			abort();
		atexit(store_tmp_exit);
	}
	if (store_tmp && ++store_tmp_runs % STORE_TMP_RUNS == 0)
		store_tmp_remove();
	if (!store_tmp) {
		vigil_store_opts__init(&opts);
		opts.max_bytes = 0;
		opts.max_incidents = 0;
		opts.max_age_ns = 0;
		snprintf(spec, sizeof(spec), "sqlite:%s/e.db", store_tmp_dir);
		if (vigil_store__open(spec, &opts, &store_tmp, NULL) < 0)
			abort();
	}
	return store_tmp;
}

#endif
