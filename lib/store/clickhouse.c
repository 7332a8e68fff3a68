// SPDX-License-Identifier: Apache-2.0
/*
 * ClickHouse backend over HTTP (libcurl). Rows are queued per table as JSONEachRow lines with a
 * batch id; flush sends one INSERT per table with input_format_skip_unknown_fields=0, checks
 * the rows written (X-ClickHouse-Summary where the server sends it; ClickHouse 18.16 does not,
 * so there the rows carrying the batch id are counted), retries with backoff, and otherwise
 * writes the batch to the spool directory (one file per batch, written once, renamed into
 * place). Later flushes replay the spool oldest first; a batch already present (counted by its
 * id) is not sent twice.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_internal.h"
#include "util/buf.h"
#include "util/strutil.h"

#define RESP_MAX     (64u << 20)
#define SPOOL_SUFFIX ".jsonl"

struct ch {
	CURL *curl;
	char base[512]; /* http://host:port/ */
	char db[64];
	struct vigil_buf q[T__MAX]; /* queued JSONEachRow lines */
	size_t nrows[T__MAX];
	char batch[T__MAX][33];
	uint64_t seq;
	uint64_t next_replay_ns;
	uint64_t backoff_ns;
	long summary_written; /* -1 when the server sent no summary */
	bool schema_ok;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct vigil_buf *b = ud;

	return vigil_buf__append(b, p, sz * n) ? 0 : sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct ch *c = ud;
	size_t len = sz * n;
	static const char key[] = "x-clickhouse-summary:";

	if (len > sizeof(key) && !strncasecmp(p, key, sizeof(key) - 1)) {
		json_t *j = json_loadb(p + sizeof(key) - 1, len - (sizeof(key) - 1), 0, NULL);
		const json_t *w = json_object_get(j, "written_rows");

		if (json_is_string(w))
			c->summary_written = strtol(json_string_value(w), NULL, 10);
		else if (json_is_integer(w))
			c->summary_written = (long)json_integer_value(w);
		json_decref(j);
	}
	return len;
}

/* POSTs body to ?query=sql. resp (may be NULL) gets the answer. 0 or -errno. */
static int http(struct vigil_store *s, const char *sql, const char *body, size_t len,
		struct vigil_buf *resp, struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf url = VIGIL_BUF_INIT, scratch = VIGIL_BUF_INIT;
	char *esc = curl_easy_escape(c->curl, sql, 0);
	long code = 0;
	CURLcode cc;
	int rc = 0;

	if (!esc)
		return -ENOMEM;
	if (vigil_buf__printf(&url, "%s?input_format_skip_unknown_fields=0&query=%s", c->base,
			      esc)) {
		curl_free(esc);
		return -ENOMEM;
	}
	curl_free(esc);
	if (!resp)
		resp = &scratch;
	resp->max = RESP_MAX;
	c->summary_written = -1;
	curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	c->errbuf[0] = '\0';
	cc = curl_easy_perform(c->curl);
	if (cc != CURLE_OK) {
		rc = vigil_error__set(err, -EHOSTUNREACH, "", 0, 0, "clickhouse %s: %s", c->base,
				      c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code != 200)
			rc = vigil_error__set(err, code >= 500 ? -EAGAIN : -EINVAL, "", 0, 0,
					      "clickhouse: HTTP %ld: %.300s", code,
					      resp->data ? resp->data : "");
	}
	vigil_buf__release(&url);
	vigil_buf__release(&scratch);
	return rc;
}

static int count_batch(struct vigil_store *s, const char *table, const char *batch, long *ret)
{
	struct ch *c = s->be;
	struct vigil_buf resp = VIGIL_BUF_INIT;
	char sql[256];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count() FROM %s.%s WHERE batch_id = '%s'", c->db, table,
		 batch);
	rc = http(s, sql, NULL, 0, &resp, NULL);
	if (!rc)
		*ret = resp.data ? strtol(resp.data, NULL, 10) : 0;
	vigil_buf__release(&resp);
	return rc;
}

/* One INSERT, its rows checked. */
static int insert_once(struct vigil_store *s, const char *table, const char *batch,
		       const char *body, size_t len, size_t nrows, struct vigil_error *err)
{
	struct ch *c = s->be;
	char sql[256];
	long n = 0;
	int rc;

	snprintf(sql, sizeof(sql), "INSERT INTO %s.%s FORMAT JSONEachRow", c->db, table);
	rc = http(s, sql, body, len, NULL, err);
	if (rc)
		return rc;
	if (c->summary_written >= 0)
		n = c->summary_written;
	else if ((rc = count_batch(s, table, batch, &n)))
		return vigil_error__set(err, rc, "", 0, 0, "clickhouse: cannot count batch %s",
					batch);
	if (n != (long)nrows)
		return vigil_error__set(err, -EIO, "", 0, 0,
					"clickhouse: %s: %ld of %zu rows written", table, n, nrows);
	s->stats.rows_written += nrows;
	s->stats.batches_written++;
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int insert_retry(struct vigil_store *s, const char *table, const char *batch,
			const char *body, size_t len, size_t nrows, struct vigil_error *err)
{
	uint64_t backoff = s->opts.retry_base_ns;
	unsigned tries = s->opts.retries ? s->opts.retries : 1;
	int rc = -EIO;

	for (unsigned i = 0; i < tries; i++) {
		if (i) {
			long n = 0;

			s->stats.retries++;
			sleep_ns(backoff);
			backoff *= 2;
			/* the last attempt may have landed even though we saw an error */
			if (!count_batch(s, table, batch, &n) && n == (long)nrows) {
				s->stats.rows_written += nrows;
				s->stats.batches_written++;
				return 0;
			}
		}
		rc = insert_once(s, table, batch, body, len, nrows, err);
		if (!rc || rc == -EINVAL) /* a rejected batch will not pass by retrying */
			return rc;
	}
	return rc;
}

/* ---- spool --------------------------------------------------------------------------- */

static uint64_t spool_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;

		if (vigil_str_has_suffix(de->d_name, SPOOL_SUFFIX) &&
		    !fstatat(dirfd(d), de->d_name, &st, 0))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

static int spool_write(struct vigil_store *s, const char *table, const char *batch,
		       const char *body, size_t len, size_t nrows, const char *suffix)
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
		 (unsigned long long)(store_now_ns() + c->seq++), table, batch, nrows, suffix);
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
	if (strcmp(suffix, SPOOL_SUFFIX))
		return 0; /* kept for a person to look at, never replayed */
	s->stats.spooled_batches++;
	s->stats.spool_bytes += len;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses "SEQ-TABLE-BATCH-ROWS.jsonl". */
static bool spool_name(const char *n, char *table, size_t tsize, char *batch, size_t *rows)
{
	const char *a = strchr(n, '-'), *b, *cc, *end;
	uint64_t r;
	char num[32];

	if (!a || !(b = strchr(a + 1, '-')) || !(cc = strchr(b + 1, '-')) ||
	    !(end = strstr(cc, SPOOL_SUFFIX)))
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
static int spool_replay(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!s->opts.spool_dir || !s->stats.spool_bytes)
		return 0;
	if (store_now_ns() < c->next_replay_ns)
		return -EAGAIN;
	d = opendir(s->opts.spool_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!vigil_str_has_suffix(de->d_name, SPOOL_SUFFIX))
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
	qsort(names, n, sizeof(*names), cmp_str);
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
			rc = count_batch(s, table, batch, &have);
			if (!rc && have != (long)rows) {
				rc = read_file(path, &body);
				if (!rc)
					rc = insert_once(s, table, batch,
							 body.data ? body.data : "", body.len, rows,
							 err);
			}
			if (!rc) {
				unlink(path);
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
		c->next_replay_ns = store_now_ns() + c->backoff_ns;
	} else {
		c->backoff_ns = 0;
		s->stats.spool_bytes = spool_bytes(s->opts.spool_dir);
	}
	return rc;
}

/* ---- operations ---------------------------------------------------------------------- */

static void new_batch_id(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1) {
		uint64_t t = store_now_ns();

		memcpy(r, &t, 8);
		memcpy(r + 8, &t, 8);
	}
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[32] = '\0';
}

static int ch_flush(struct vigil_store *s, struct vigil_error *err);

static int ch_put_rows(struct vigil_store *s, enum store_table_id t, json_t *rows,
		       const char *replace_incident, uint64_t version)
{
	struct ch *c = s->be;
	size_t i;
	json_t *row;

	if (s->opts.read_only)
		return -EROFS;
	json_array_foreach(rows, i, row)
	{
		char *line;
		int rc;

		if (!c->nrows[t])
			new_batch_id(c->batch[t]);
		json_object_set_new(row, "batch_id", json_string(c->batch[t]));
		line = json_dumps(row, JSON_COMPACT);
		json_object_del(row, "batch_id");
		if (!line)
			return -ENOMEM;
		rc = vigil_buf__puts(&c->q[t], line);
		free(line);
		if (rc || (rc = vigil_buf__puts(&c->q[t], "\n")))
			return rc;
		c->nrows[t]++;
	}
	if (c->nrows[t] >= s->opts.batch_rows)
		return ch_flush(s, NULL);
	return 0;
}

static int create_schema(struct vigil_store *s, struct vigil_error *err);

static int ch_flush(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	int rc, first = 0;
	bool spool_blocked;

	/* The server may have been down at open: create the tables before anything else. */
	if (!c->schema_ok && !s->opts.read_only && s->opts.create_schema)
		c->schema_ok = create_schema(s, NULL) == 0;
	/* A non-empty spool must drain first, or batches would arrive out of order. */
	spool_blocked = (!c->schema_ok && !s->opts.read_only && s->opts.create_schema) ||
			spool_replay(s, err) != 0;

	/* Incidents last: a reader that sees an incident row sees its children. */
	for (int k = 0; k < T__MAX; k++) {
		int t = (k + 1) % T__MAX;

		if (!c->nrows[t])
			continue;
		rc = spool_blocked ? -EAGAIN
				   : insert_retry(s, store_tables[t].name, c->batch[t],
						  c->q[t].data, c->q[t].len, c->nrows[t], err);
		if (rc && rc != -EINVAL) {
			int sr = spool_write(s, store_tables[t].name, c->batch[t], c->q[t].data,
					     c->q[t].len, c->nrows[t], SPOOL_SUFFIX);

			if (sr == -EHOSTUNREACH) { /* no spool: keep the rows queued */
				if (!first)
					first = rc;
				continue;
			}
			spool_blocked = true;
			if (sr && !first)
				first = sr;
			else if (!first)
				first = -EAGAIN; /* spooled: will arrive later */
		} else if (rc) {
			/* rejected by the server: keep it aside for a person, do not retry */
			spool_write(s, store_tables[t].name, c->batch[t], c->q[t].data, c->q[t].len,
				    c->nrows[t], ".rejected");
			if (!first)
				first = rc;
		}
		vigil_buf__reset(&c->q[t]);
		c->nrows[t] = 0;
	}
	return first;
}

static int select_json(struct vigil_store *s, const struct store_table *tab, const char *sql,
		       json_t **ret, struct vigil_error *err)
{
	struct vigil_buf resp = VIGIL_BUF_INIT;
	json_t *arr;
	const char *p;
	int rc = http(s, sql, NULL, 0, &resp, err);

	if (rc) {
		vigil_buf__release(&resp);
		return rc;
	}
	arr = json_array();
	for (p = resp.data; arr && p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		json_t *raw = l ? json_loadb(p, l, 0, NULL) : NULL;

		if (raw) {
			json_array_append_new(arr, store_row_normalize(tab, raw));
			json_decref(raw);
		}
		p += l + (nl ? 1 : 0);
	}
	vigil_buf__release(&resp);
	if (!arr)
		return -ENOMEM;
	*ret = arr;
	return 0;
}

static int ch_list(struct vigil_store *s, size_t limit, json_t **ret, struct vigil_error *err)
{
	struct ch *c = s->be;
	char sql[256];
	json_t *rows, *out, *row;
	size_t i;
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT * FROM %s.incidents FINAL ORDER BY opened_ns DESC LIMIT %zu FORMAT "
		 "JSONEachRow",
		 c->db, limit);
	rc = select_json(s, &store_tables[T_INCIDENTS], sql, &rows, err);
	if (rc)
		return rc;
	out = json_array();
	json_array_foreach(rows, i, row)
	{
		json_array_append_new(out, store_list_entry(row));
	}
	json_decref(rows);
	*ret = out;
	return 0;
}

static int ch_get(struct vigil_store *s, const char *id, json_t **ret, struct vigil_error *err)
{
	struct ch *c = s->be;
	json_t *inc = NULL, *children[T__MAX] = { 0 };
	char sql[512];
	int rc;

	/* id was checked to be hex: safe inside the query */
	snprintf(sql, sizeof(sql),
		 "SELECT * FROM %s.incidents FINAL WHERE substring(incident_id, 1, %zu) = '%s' "
		 "LIMIT 2 FORMAT JSONEachRow",
		 c->db, strlen(id), id);
	rc = select_json(s, &store_tables[T_INCIDENTS], sql, &inc, err);
	if (rc)
		return rc;
	if (json_array_size(inc) != 1) {
		rc = json_array_size(inc) ? -EINVAL : -ENOENT;
		json_decref(inc);
		return vigil_error__set(err, rc, "", 0, 0, "incident %s: %s", id,
					rc == -ENOENT ? "not found" : "prefix is ambiguous");
	}
	id = json_string_value(json_object_get(json_array_get(inc, 0), "incident_id"));
	for (int t = T_ALERTS; t < T__MAX && !rc; t++) {
		const struct store_table *tab = &store_tables[t];

		if (t == T_ALERTS)
			snprintf(sql, sizeof(sql),
				 "SELECT * FROM %s.alerts FINAL WHERE incident_id = '%s' ORDER BY "
				 "time_ns FORMAT JSONEachRow",
				 c->db, id);
		else
			/* the children of the newest report of this incident */
			snprintf(sql, sizeof(sql),
				 "SELECT * FROM %s.%s WHERE incident_id = '%s' AND version = "
				 "(SELECT max(version) FROM %s.%s WHERE incident_id = '%s') "
				 "ORDER BY %s%s FORMAT JSONEachRow",
				 c->db, tab->name, id, c->db, tab->name, id, tab->time_col,
				 t == T_EVENTS ? ", seq" : "");
		rc = select_json(s, tab, sql, &children[t], err);
	}
	if (!rc) {
		*ret = store_report_assemble(json_array_get(inc, 0), children);
		if (!*ret)
			rc = -ENOMEM;
	}
	for (int t = 0; t < T__MAX; t++)
		json_decref(children[t]);
	json_decref(inc);
	return rc;
}

static void ch_close(struct vigil_store *s)
{
	struct ch *c = s->be;

	if (!c)
		return;
	for (int t = 0; t < T__MAX; t++)
		vigil_buf__release(&c->q[t]);
	curl_easy_cleanup(c->curl);
	free(c);
	s->be = NULL;
}

static const char *ch_type(const struct store_col *col, char *buf, size_t size)
{
	switch (col->type) {
	case COL_STR:
		return "String";
	case COL_U64:
		return "UInt64";
	case COL_U32:
		return "UInt32";
	case COL_U16:
		return "UInt16";
	case COL_U8:
		return "UInt8";
	case COL_F64:
		return "Float64";
	case COL_ARR:
		return "Array(String)";
	case COL_ENUM:
		snprintf(buf, size, "Enum8(%s)", col->enum_values);
		return buf;
	}
	return "String";
}

static int create_schema(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	char sql[4096], tb[128];
	int rc;

	snprintf(sql, sizeof(sql), "CREATE DATABASE IF NOT EXISTS %s", c->db);
	if ((rc = http(s, sql, NULL, 0, NULL, err)))
		return rc;
	for (int t = 0; t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];
		size_t o = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS %s.%s (",
					    c->db, tab->name);

		for (size_t i = 0; i < tab->ncols && o < sizeof(sql); i++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s %s, ",
					      tab->cols[i].name,
					      ch_type(&tab->cols[i], tb, sizeof(tb)));
		if (o < sizeof(sql))
			snprintf(sql + o, sizeof(sql) - o,
				 "batch_id String) ENGINE = %s PARTITION BY "
				 "toYYYYMM(toDateTime(intDiv(%s, 1000000000))) ORDER BY (%s)",
				 tab->dedup ? "ReplacingMergeTree(version)" : "MergeTree()",
				 tab->time_col, tab->ch_order);
		if ((rc = http(s, sql, NULL, 0, NULL, err)))
			return rc;
	}
	return 0;
}

int store_clickhouse_open(struct vigil_store *s, const char *url, struct vigil_error *err)
{
	struct ch *c;
	const char *hostp, *slash;
	int rc;

	if (!vigil_str_has_prefix(url, "http://") && !vigil_str_has_prefix(url, "https://"))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"clickhouse: want clickhouse:http://HOST:PORT[/DATABASE], "
					"got \"%s\"",
					url);
	c = calloc(1, sizeof(*c));
	if (!c)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	s->be = c;
	s->ops = NULL;
	hostp = strstr(url, "://") + 3;
	slash = strchr(hostp, '/');
	snprintf(c->base, sizeof(c->base), "%.*s/", slash ? (int)(slash - url) : (int)strlen(url),
		 url);
	vigil_strlcpy(c->db, slash && slash[1] ? slash + 1 : "vigil", sizeof(c->db));
	for (const char *p = c->db; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_')) {
			ch_close(s);
			return vigil_error__set(err, -EINVAL, "", 0, 0,
						"clickhouse: bad database name in \"%s\"", url);
		}
	c->curl = curl_easy_init();
	if (!c->curl) {
		ch_close(s);
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "curl: cannot initialise");
	}
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
		c->curl, CURLOPT_TIMEOUT_MS,
		(long)((s->opts.http_timeout_ns ? s->opts.http_timeout_ns : 10000000000ull) /
		       1000000));
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	if (s->opts.spool_dir) {
		if (mkdir(s->opts.spool_dir, 0700) && errno != EEXIST) {
			rc = vigil_error__set(err, -errno, s->opts.spool_dir, 0, 0,
					      "cannot create spool directory: %s", strerror(errno));
			ch_close(s);
			return rc;
		}
		s->stats.spool_bytes = spool_bytes(s->opts.spool_dir);
	}
	if (!s->opts.read_only && s->opts.create_schema) {
		rc = create_schema(s, err);
		c->schema_ok = rc == 0;
		/* Down now is fine when there is a spool: batches wait there. */
		if (rc && !(s->opts.spool_dir && rc == -EHOSTUNREACH)) {
			ch_close(s);
			return rc;
		}
	}
	{
		static const struct store_ops ops = {
			.name = "clickhouse",
			.put_rows = ch_put_rows,
			.flush = ch_flush,
			.list = ch_list,
			.get = ch_get,
			.close = ch_close,
		};

		s->ops = &ops;
	}
	return 0;
}
