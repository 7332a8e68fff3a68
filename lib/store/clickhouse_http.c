// SPDX-License-Identifier: Apache-2.0
/*
 * ClickHouse over HTTP (libcurl): queries, inserts and their checks. An INSERT is sent with
 * wait_end_of_query=1, so the status is the insert's outcome (18.16 sends no
 * X-ClickHouse-Summary); when the outcome is unknown (the connection broke) the rows carrying
 * the batch id are counted before anything is sent again. On a cluster every insert is
 * synchronous (insert_distributed_sync=1): an acknowledged row is on its shard.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/clickhouse_internal.h"

#define RESP_MAX (256u << 20)

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct vigil_buf *b = ud;

	return vigil_buf__append(b, p, sz * n) ? 0 : sz * n;
}

int ch_conn_init(struct vigil_store *s, struct ch_conn *k)
{
	k->curl = curl_easy_init();
	if (!k->curl)
		return -ENOMEM;
	curl_easy_setopt(k->curl, CURLOPT_ERRORBUFFER, k->errbuf);
	curl_easy_setopt(k->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
		k->curl, CURLOPT_TIMEOUT_MS,
		(long)((s->opts.http_timeout_ns ? s->opts.http_timeout_ns : 10000000000ull) /
		       1000000));
	curl_easy_setopt(k->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	return 0;
}

struct ch_conn *ch_conn_new(struct vigil_store *s)
{
	struct ch_conn *k = calloc(1, sizeof(*k));

	if (k && ch_conn_init(s, k)) {
		free(k);
		k = NULL;
	}
	return k;
}

void ch_conn_free(struct ch_conn *k)
{
	if (!k)
		return;
	curl_easy_cleanup(k->curl);
	free(k);
}

/*
 * One request. With body, sql goes in the URL: an INSERT of body (settings the inserts need),
 * or, with ctype (multipart/form-data), a query with body as its external data, and params
 * (URL parameters, escaped, starting with '&') saying what that data is. Without, sql is the
 * body.
 */
static int http_do(struct vigil_store *s, struct ch_conn *k, const char *url, const char *sql,
		   const char *body, size_t len, const char *params, const char *ctype,
		   struct vigil_buf *resp, struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf u = VIGIL_BUF_INIT, scratch = VIGIL_BUF_INIT;
	struct curl_slist *hdr = NULL;
	long code = 0;
	CURLcode cc;
	int rc = 0;

	/* every setting an answer depends on is in the URL: the server's defaults may differ */
	/* on a cluster, a subquery over a Distributed table runs once (GLOBAL), not per shard */
	vigil_buf__printf(&u,
			  "%s?database=%s&max_query_size=16777216"
			  "&output_format_json_quote_64bit_integers=0%s",
			  url ? url : c->base, c->no_db ? "system" : c->db,
			  c->cluster[0] ? "&distributed_product_mode=global" : "");
	if (body) {
		char *esc = curl_easy_escape(k->curl, sql, 0);

		if (!esc) {
			vigil_buf__release(&u);
			return -ENOMEM;
		}
		if (ctype)
			vigil_buf__printf(&u, "%s&query=%s", params ? params : "", esc);
		else
			vigil_buf__printf(
				&u,
				"&input_format_skip_unknown_fields=0&wait_end_of_query=1%s"
				"&query=%s",
				c->cluster[0] ? "&insert_distributed_sync=1" : "", esc);
		curl_free(esc);
	} else {
		body = sql;
		len = strlen(sql);
	}
	if (ctype && !(hdr = curl_slist_append(NULL, ctype)))
		rc = -ENOMEM;
	if (!u.data || rc) {
		vigil_buf__release(&u);
		curl_slist_free_all(hdr);
		return -ENOMEM;
	}
	if (!resp)
		resp = &scratch;
	resp->max = RESP_MAX;
	curl_easy_setopt(k->curl, CURLOPT_URL, u.data);
	curl_easy_setopt(k->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(k->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, resp);
	k->errbuf[0] = '\0';
	cc = curl_easy_perform(k->curl);
	/* the handle is kept alive: the next request must not send this one's header */
	curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		rc = vigil_error__set(err, -EHOSTUNREACH, "", 0, 0, "clickhouse %s: %s",
				      url ? url : c->base,
				      k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code != 200)
			rc = vigil_error__set(err, code >= 500 ? -EAGAIN : -EINVAL, "", 0, 0,
					      "clickhouse: HTTP %ld: %.300s", code,
					      resp->data ? resp->data : "");
	}
	vigil_buf__release(&u);
	vigil_buf__release(&scratch);
	return rc;
}

static int http_on(struct vigil_store *s, struct ch_conn *k, const char *url, const char *sql,
		   const char *body, size_t len, struct vigil_buf *resp, struct vigil_error *err)
{
	return http_do(s, k, url, sql, body, len, NULL, NULL, resp, err);
}

int ch_http(struct vigil_store *s, const char *url, const char *sql, const char *body, size_t len,
	    struct vigil_buf *resp, struct vigil_error *err)
{
	return http_on(s, &((struct ch *)s->be)->conn, url, sql, body, len, resp, err);
}

static int count_batch_on(struct vigil_store *s, struct ch_conn *k, const char *table,
			  const char *batch, long *ret)
{
	struct ch *c = s->be;
	struct vigil_buf resp = VIGIL_BUF_INIT;
	char sql[256];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count() FROM %s.%s WHERE batch_id = '%s'", c->db, table,
		 batch);
	rc = http_on(s, k, NULL, sql, NULL, 0, &resp, NULL);
	if (!rc)
		*ret = resp.data ? strtol(resp.data, NULL, 10) : 0;
	vigil_buf__release(&resp);
	return rc;
}

int ch_count_batch(struct vigil_store *s, const char *table, const char *batch, long *ret)
{
	return count_batch_on(s, &((struct ch *)s->be)->conn, table, batch, ret);
}

static int insert_on(struct vigil_store *s, struct ch_conn *k, const char *table, const char *body,
		     size_t len, struct vigil_error *err)
{
	struct ch *c = s->be;
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO %s.%s FORMAT JSONEachRow", c->db, table);
	return http_on(s, k, NULL, sql, body, len, NULL, err);
}

int ch_insert_once(struct vigil_store *s, const char *table, const char *batch, const char *body,
		   size_t len, size_t nrows, struct vigil_error *err)
{
	int rc = insert_on(s, &((struct ch *)s->be)->conn, table, body, len, err);

	(void)batch;
	if (rc)
		return rc;
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

int ch_insert_retry_on(struct vigil_store *s, struct ch_conn *k, const char *table,
		       const char *batch, const char *body, size_t len, size_t nrows,
		       struct ch_tally *tally, struct vigil_error *err)
{
	uint64_t backoff = s->opts.retry_base_ns;
	unsigned tries = s->opts.retries ? s->opts.retries : 1;
	int rc = -EIO;

	for (unsigned i = 0; i < tries; i++) {
		if (i) {
			long n = 0;

			tally->retries++;
			sleep_ns(backoff);
			backoff *= 2;
			/* the last attempt may have landed even though we saw an error */
			if (!count_batch_on(s, k, table, batch, &n) && n == (long)nrows) {
				rc = 0;
				break;
			}
		}
		rc = insert_on(s, k, table, body, len, err);
		if (!rc || rc == -EINVAL) /* a rejected batch will not pass by retrying */
			break;
	}
	if (!rc) {
		tally->rows += nrows;
		tally->batches++;
	}
	return rc;
}

int ch_insert_retry(struct vigil_store *s, const char *table, const char *batch, const char *body,
		    size_t len, size_t nrows, struct vigil_error *err)
{
	struct ch_tally t = { 0 };
	int rc = ch_insert_retry_on(s, &((struct ch *)s->be)->conn, table, batch, body, len, nrows,
				    &t, err);

	s->stats.rows_written += t.rows;
	s->stats.batches_written += t.batches;
	s->stats.retries += t.retries;
	return rc;
}

int ch_quote(struct vigil_buf *b, const char *v)
{
	int rc = vigil_buf__puts(b, "'");

	for (const char *p = v ? v : ""; !rc && *p; p++) {
		if (*p == '\\' || *p == '\'')
			rc = vigil_buf__append(b, "\\", 1);
		if (!rc)
			rc = vigil_buf__append(b, p, 1);
	}
	return rc ? rc : vigil_buf__puts(b, "'");
}

/* Parses JSONEachRow: one object per line. */
static json_t *parse_rows(const char *p)
{
	json_t *arr = json_array();

	while (arr && p && *p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		if (l) {
			json_t *row = json_loadb(p, l, 0, NULL);

			if (!row || json_array_append_new(arr, row)) {
				json_decref(arr);
				return NULL;
			}
		}
		p += l + (nl ? 1 : 0);
	}
	return arr;
}

int ch_query(struct vigil_store *s, const char *sql, const struct store_arg *args, size_t nargs,
	     json_t **ret, struct vigil_error *err)
{
	return ch_query_on(s, &((struct ch *)s->be)->conn, sql, args, nargs, ret, err);
}

int ch_query_on(struct vigil_store *s, struct ch_conn *k, const char *sql,
		const struct store_arg *args, size_t nargs, json_t **ret, struct vigil_error *err)
{
	struct vigil_buf q = VIGIL_BUF_INIT, resp = VIGIL_BUF_INIT;
	size_t a = 0;
	int rc = 0;

	q.max = 16u << 20;
	for (const char *p = sql; *p && !rc; p++) {
		size_t ix;

		if (*p != '?') {
			rc = vigil_buf__append(&q, p, 1);
			continue;
		}
		ix = a++;
		/* "?N": the N-th argument (SQLite's numbered parameters, a value used twice) */
		if (p[1] >= '1' && p[1] <= '9') {
			char *end;

			ix = strtoul(p + 1, &end, 10) - 1;
			p = end - 1;
		}
		if (ix >= nargs) {
			rc = -EINVAL;
			break;
		}
		if (args[ix].is_str)
			rc = ch_quote(&q, args[ix].s);
		else
			rc = vigil_buf__printf(&q, "%lld", (long long)args[ix].i);
	}
	if (!rc)
		rc = vigil_buf__puts(&q, " FORMAT JSONEachRow");
	if (rc) {
		vigil_buf__release(&q);
		return vigil_error__set(err, rc, "", 0, 0, "clickhouse: cannot build the query");
	}
	rc = http_on(s, k, NULL, q.data, NULL, 0, &resp, err);
	vigil_buf__release(&q);
	if (!rc) {
		*ret = parse_rows(resp.data);
		if (!*ret)
			rc = vigil_error__set(err, -EIO, "", 0, 0,
					      "clickhouse: an answer that is not JSON rows");
	}
	vigil_buf__release(&resp);
	return rc;
}

/* The boundary of the multipart body: never in the data, whose lines hold no '\r' (escaped). */
#define KEYS_BOUNDARY "vigil-external-data-5c1f"

int ch_query_external(struct vigil_store *s, const char *sql, const char *name,
		      const char *structure, const char *tsv, size_t len, json_t **ret,
		      struct vigil_error *err)
{
	struct ch *c = s->be;
	struct vigil_buf body = VIGIL_BUF_INIT, params = VIGIL_BUF_INIT, resp = VIGIL_BUF_INIT;
	char *esc = curl_easy_escape(c->conn.curl, structure, 0);
	int rc;

	body.max = 64u << 20;
	vigil_buf__printf(&body,
			  "--" KEYS_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; "
			  "filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n",
			  name, name);
	vigil_buf__append(&body, tsv, len);
	vigil_buf__puts(&body, "\r\n--" KEYS_BOUNDARY "--\r\n");
	if (esc)
		vigil_buf__printf(&params, "&%s_structure=%s&%s_format=TabSeparated", name, esc,
				  name);
	curl_free(esc);
	if (!body.data || !params.data || !esc) {
		vigil_buf__release(&body);
		vigil_buf__release(&params);
		return vigil_error__set(err, -ENOMEM, "", 0, 0,
					"clickhouse: cannot build the query");
	}
	/* the answer as ch_query's: JSON rows */
	{
		struct vigil_buf q = VIGIL_BUF_INIT;

		vigil_buf__printf(&q, "%s FORMAT JSONEachRow", sql);
		rc = q.data ? http_do(s, &c->conn, NULL, q.data, body.data, body.len, params.data,
				      "Content-Type: multipart/form-data; boundary=" KEYS_BOUNDARY,
				      &resp, err)
			    : -ENOMEM;
		vigil_buf__release(&q);
	}
	vigil_buf__release(&body);
	vigil_buf__release(&params);
	if (!rc) {
		*ret = parse_rows(resp.data);
		if (!*ret)
			rc = vigil_error__set(err, -EIO, "", 0, 0,
					      "clickhouse: an answer that is not JSON rows");
	}
	vigil_buf__release(&resp);
	return rc;
}

int ch_tsv_escape(struct vigil_buf *b, const char *v)
{
	int rc = 0;

	for (const char *p = v ? v : ""; !rc && *p; p++) {
		const char *e = *p == '\\'   ? "\\\\"
				: *p == '\t' ? "\\t"
				: *p == '\n' ? "\\n"
				: *p == '\r' ? "\\r"
					     : NULL;

		rc = e ? vigil_buf__puts(b, e) : vigil_buf__append(b, p, 1);
	}
	return rc;
}
