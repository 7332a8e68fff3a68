// SPDX-License-Identifier: Apache-2.0
/*
 * The directories a profile writes in: for each open entry that may write (a write, create,
 * truncate or append flag, or no flags at all), the directory its path names, as a pattern.
 * V1102 judges a write of a file the profile does not list by its directory: a server that
 * writes new files where it wrote while learning (WAL segments, temp-PID.rdb, rotated logs,
 * new relation files) is doing its job; a file written in a directory it never wrote in is
 * news. A pattern's directory keeps its wildcards: `/var/lib/pg/base/⋯/⋯` writes in
 * `/var/lib/pg/base/⋯`; an entry whose last segment is `*` (one or more segments) writes in
 * its directory and in every directory below it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "profile/index.h"
#include "profile/wdirs.h"
#include "profile/wildcard.h"

struct vigil_wdirs {
	struct vigil_segindex *ix;
};

struct vigil_wdirs *vigil_wdirs__new(void)
{
	struct vigil_wdirs *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->ix = vigil_segindex__new(VIGIL_WC_PATH);
	if (!w->ix) {
		free(w);
		return NULL;
	}
	return w;
}

void vigil_wdirs__free(struct vigil_wdirs *w)
{
	if (!w)
		return;
	vigil_segindex__free(w->ix);
	free(w);
}

uint64_t vigil_wdirs__write_bits(void)
{
	return vigil_wc_open_flags(O_WRONLY | O_CREAT | O_TRUNC | O_APPEND) |
	       vigil_wc_open_flags(O_RDWR);
}

/* Adds the first len bytes of pattern (a directory; the root is not kept: a file written
 * directly under / is always news). An invalid pattern adds nothing. */
static int add_dir(struct vigil_wdirs *w, const char *pattern, size_t len)
{
	char buf[4096];
	int r;

	if (len <= 1 || len >= sizeof(buf))
		return 0;
	memcpy(buf, pattern, len);
	buf[len] = '\0';
	r = vigil_segindex__add(w->ix, buf, 0);
	return r == -EINVAL ? 0 : r;
}

int vigil_wdirs__add(struct vigil_wdirs *w, const char *path)
{
	const char *slash;
	size_t dlen;
	int r;

	if (!w || !path || path[0] != '/')
		return 0;
	slash = strrchr(path, '/');
	dlen = (size_t)(slash - path);
	r = add_dir(w, path, dlen);
	/* a last segment `*` is one or more segments: files in DIR and in any directory
	 * below it */
	if (r == 0 && !strcmp(slash + 1, "*"))
		r = add_dir(w, path, strlen(path));
	/* a `*` segment just before the file name may be no segment at all: the directory
	 * above it too */
	if (r == 0 && dlen >= 2 && !strncmp(slash - 2, "/*", 2))
		r = add_dir(w, path, dlen - 2);
	return r;
}

static bool any_cb(uint32_t id, void *ctx)
{
	(void)id;
	(void)ctx;
	return true;
}

bool vigil_wdirs__has(const struct vigil_wdirs *w, const char *path)
{
	const char *slash;

	if (!w || !path || path[0] != '/')
		return false;
	slash = strrchr(path, '/');
	if (slash == path)
		return false;
	return vigil_segindex__match(w->ix, path, (size_t)(slash - path), any_cb, NULL);
}

size_t vigil_wdirs__count(const struct vigil_wdirs *w)
{
	return w ? vigil_segindex__count(w->ix) : 0;
}

size_t vigil_wdirs__bytes(const struct vigil_wdirs *w)
{
	return w ? sizeof(*w) + vigil_segindex__bytes(w->ix) : 0;
}
