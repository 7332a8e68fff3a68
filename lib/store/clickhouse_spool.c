// SPDX-License-Identifier: Apache-2.0
/*
 * The ClickHouse spool: a batch that cannot be written (server down) goes to the spool
 * directory as one file (written once, fsynced, renamed into place); later flushes replay the
 * files oldest first, and a batch already present (counted by its id) is not sent twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/clickhouse_internal.h"
#include "util/strutil.h"

uint64_t ch_spool_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;

		if (vigil_str_has_suffix(de->d_name, CH_SPOOL_SUFFIX) &&
		    !fstatat(dirfd(d), de->d_name, &st, 0))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

int ch_spool_write(struct vigil_store *s, const char *table, const char *batch, const char *body,
		   size_t len, size_t nrows, const char *suffix)
{
	struct ch *c = s->be;
	char name[512], tmp[520];
	int fd, rc = 0;
	size_t off = 0;

	if (!s->opts.spool_dir)
		return -EHOSTUNREACH;
	if (s->stats.spool_bytes + len > s->opts.spool_max_bytes) {
		s->stats.lost_batches++;
		return -ENOSPC;
	}
	/* name: sequence (time-ordered), table, batch id, rows */
	snprintf(name, sizeof(name), "%s/%020llu-%s-%s-%zu%s", s->opts.spool_dir,
		 (unsigned long long)(vigil_realtime_ns() + c->seq++), table, batch, nrows, suffix);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, body + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, name))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	if (strcmp(suffix, CH_SPOOL_SUFFIX))
		return 0; /* kept for a person to look at, never replayed */
	s->stats.spooled_batches++;
	s->stats.spool_bytes += len;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ch_spool_names(const char *dir, char ***ret, size_t *nret)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	*ret = NULL;
	*nret = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!vigil_str_has_suffix(de->d_name, CH_SPOOL_SUFFIX))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));

			if (!nn)
				break;
			names = nn;
			cap = cap ? cap * 2 : 64;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*ret = names;
	*nret = n;
	return 0;
}

/* Parses "SEQ-TABLE-BATCH-ROWS.jsonl". */
static bool spool_name(const char *n, char *table, size_t tsize, char *batch, size_t *rows)
{
	const char *a = strchr(n, '-'), *b, *cc, *end;
	uint64_t r;
	char num[32];

	if (!a || !(b = strchr(a + 1, '-')) || !(cc = strchr(b + 1, '-')) ||
	    !(end = strstr(cc, CH_SPOOL_SUFFIX)))
		return false;
	snprintf(table, tsize, "%.*s", (int)(b - a - 1), a + 1);
	if (cc - b - 1 != 32)
		return false;
	memcpy(batch, b + 1, 32);
	batch[32] = '\0';
	snprintf(num, sizeof(num), "%.*s", (int)(end - cc - 1), cc + 1);
	if (vigil_parse_u64(num, &r) || !store_id_valid(batch))
		return false;
	for (int t = 0; t < T__MAX; t++)
		if (!strcmp(store_tables[t].name, table)) {
			*rows = (size_t)r;
			return true;
		}
	return false;
}

static int read_file(const char *path, struct vigil_buf *b)
{
	FILE *f = fopen(path, "re");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((rc = vigil_buf__append(b, chunk, n)))
			break;
	fclose(f);
	return rc;
}

/* Replays spooled batches, oldest first; stops at the first failure. 0 when the spool is empty. */
int ch_spool_replay(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	char **names = NULL;
	size_t n = 0, replayed = 0;
	int rc = 0;

	if (!s->opts.spool_dir || !s->stats.spool_bytes)
		return 0;
	if (vigil_realtime_ns() < c->next_replay_ns)
		return -EAGAIN;
	rc = ch_spool_names(s->opts.spool_dir, &names, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char path[1024], table[64], batch[33];
		struct vigil_buf body = VIGIL_BUF_INIT;
		size_t rows;
		long have = -1;
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", s->opts.spool_dir, names[i]);
		if (!spool_name(names[i], table, sizeof(table), batch, &rows))
			continue; /* not ours: leave it */
		if (!rc && stat(path, &st) == 0) {
			rc = ch_count_batch(s, table, batch, &have);
			if (!rc && have != (long)rows) {
				rc = read_file(path, &body);
				if (!rc)
					rc = ch_insert_once(s, table, batch,
							    body.data ? body.data : "", body.len,
							    rows, err);
			}
			if (!rc) {
				unlink(path);
				replayed++;
				s->stats.replayed_batches++;
				s->stats.spool_bytes =
					s->stats.spool_bytes > (uint64_t)st.st_size
						? s->stats.spool_bytes - (uint64_t)st.st_size
						: 0;
			}
		}
		vigil_buf__release(&body);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc) {
		c->backoff_ns = c->backoff_ns ? c->backoff_ns * 2 : s->opts.retry_base_ns;
		if (c->backoff_ns > s->opts.retry_cap_ns)
			c->backoff_ns = s->opts.retry_cap_ns;
		c->next_replay_ns = vigil_realtime_ns() + c->backoff_ns;
	} else {
		c->backoff_ns = 0;
		s->stats.spool_bytes = ch_spool_bytes(s->opts.spool_dir);
	}
	/* what was replayed is in the table now: the owner lookups read it there */
	if (replayed)
		ch_owners_scan_spool(s);
	return rc;
}
