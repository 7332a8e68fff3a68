// SPDX-License-Identifier: Apache-2.0
/*
 * SQLite backend: WAL, one prepared INSERT per table, rows written inside a transaction that
 * flush commits (or that commits by itself every batch_rows rows), schema version in
 * PRAGMA user_version, retention after each commit (oldest incidents first).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "store/store_internal.h"
#include "util/buf.h"
#include "util/strutil.h"

struct sq {
	sqlite3 *db;
	sqlite3_stmt *ins[T__MAX];
	sqlite3_stmt *del[T__MAX];
	bool in_tx;
	size_t pending;
};

static int sq_err(struct vigil_store *s, struct vigil_error *err, const char *what)
{
	struct sq *q = s->be;
	int code = sqlite3_errcode(q->db);

	return vigil_error__set(err,
				code == SQLITE_FULL   ? -ENOSPC
				: code == SQLITE_BUSY ? -EBUSY
						      : -EIO,
				"", 0, 0, "sqlite: %s: %s", what, sqlite3_errmsg(q->db));
}

static const char *sql_type(enum col_type t)
{
	switch (t) {
	case COL_F64:
		return "REAL";
	case COL_STR:
	case COL_ENUM:
	case COL_ARR:
		return "TEXT";
	default:
		return "INTEGER";
	}
}

static int exec(struct vigil_store *s, const char *sql, struct vigil_error *err)
{
	struct sq *q = s->be;

	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_err(s, err, sql);
	return 0;
}

static int create_schema(struct vigil_store *s, struct vigil_error *err)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	int rc = 0;

	vigil_buf__puts(&b, "PRAGMA auto_vacuum = INCREMENTAL; BEGIN;");
	for (int t = 0; t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];

		vigil_buf__printf(&b, "CREATE TABLE IF NOT EXISTS %s (", tab->name);
		for (size_t i = 0; i < tab->ncols; i++)
			vigil_buf__printf(&b, "%s%s %s", i ? ", " : "", tab->cols[i].name,
					  sql_type(tab->cols[i].type));
		if (t == T_INCIDENTS)
			vigil_buf__puts(&b, ", PRIMARY KEY (incident_id)");
		else if (tab->unique)
			vigil_buf__printf(&b, ", UNIQUE (%s)", tab->unique);
		vigil_buf__puts(&b, ");");
		if (t == T_INCIDENTS)
			vigil_buf__puts(&b, "CREATE INDEX IF NOT EXISTS incidents_opened ON "
					    "incidents (opened_ns);");
		else
			vigil_buf__printf(&b,
					  "CREATE INDEX IF NOT EXISTS %s_incident ON %s "
					  "(incident_id, %s);",
					  tab->name, tab->name, tab->time_col);
	}
	vigil_buf__printf(&b, "PRAGMA user_version = %d; COMMIT;", STORE_SCHEMA_VERSION);
	if (!b.data)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	rc = exec(s, b.data, err);
	vigil_buf__release(&b);
	return rc;
}

static int prepare(struct vigil_store *s, struct vigil_error *err)
{
	struct sq *q = s->be;

	for (int t = 0; t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];
		char sql[2048];
		size_t o;

		o = (size_t)snprintf(sql, sizeof(sql), "INSERT %sINTO %s VALUES (",
				     t == T_INCIDENTS ? "OR REPLACE "
				     : tab->dedup     ? "OR IGNORE "
						      : "",
				     tab->name);
		for (size_t i = 0; i < tab->ncols && o < sizeof(sql); i++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s?", i ? "," : "");
		snprintf(sql + o, sizeof(sql) - o, ")");
		if (sqlite3_prepare_v2(q->db, sql, -1, &q->ins[t], NULL) != SQLITE_OK)
			return sq_err(s, err, "prepare insert");
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE incident_id = ?", tab->name);
		if (sqlite3_prepare_v2(q->db, sql, -1, &q->del[t], NULL) != SQLITE_OK)
			return sq_err(s, err, "prepare delete");
	}
	return 0;
}

static int begin(struct vigil_store *s)
{
	struct sq *q = s->be;

	if (q->in_tx)
		return 0;
	if (exec(s, "BEGIN IMMEDIATE", NULL))
		return -EBUSY;
	q->in_tx = true;
	return 0;
}

static int bind_row(sqlite3_stmt *st, const struct store_table *tab, const json_t *row)
{
	for (size_t i = 0; i < tab->ncols; i++) {
		const json_t *v = json_object_get(row, tab->cols[i].name);
		int rc, col = (int)i + 1;

		switch (tab->cols[i].type) {
		case COL_STR:
		case COL_ENUM:
			rc = sqlite3_bind_text(st, col, json_string_value(v), -1, SQLITE_TRANSIENT);
			break;
		case COL_ARR: {
			char *txt = json_dumps(v, JSON_COMPACT);

			rc = txt ? sqlite3_bind_text(st, col, txt, -1, free) : SQLITE_NOMEM;
			break;
		}
		case COL_F64:
			rc = sqlite3_bind_double(st, col, json_number_value(v));
			break;
		default:
			rc = sqlite3_bind_int64(st, col, json_integer_value(v));
			break;
		}
		if (rc != SQLITE_OK)
			return -ENOMEM;
	}
	return 0;
}

static int sq_commit(struct vigil_store *s, struct vigil_error *err);

static int sq_put_rows(struct vigil_store *s, enum store_table_id t, json_t *rows,
		       const char *replace_incident, uint64_t version)
{
	struct sq *q = s->be;
	const struct store_table *tab = &store_tables[t];
	size_t i;
	json_t *row;
	int rc;

	if (s->opts.read_only)
		return -EROFS;
	rc = begin(s);
	if (rc)
		return rc;
	if (replace_incident) {
		sqlite3_bind_text(q->del[t], 1, replace_incident, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q->del[t]);
		sqlite3_reset(q->del[t]);
		if (rc != SQLITE_DONE)
			return -EIO;
	}
	json_array_foreach(rows, i, row)
	{
		rc = bind_row(q->ins[t], tab, row);
		if (!rc && sqlite3_step(q->ins[t]) != SQLITE_DONE)
			rc = sqlite3_errcode(q->db) == SQLITE_FULL ? -ENOSPC : -EIO;
		sqlite3_reset(q->ins[t]);
		sqlite3_clear_bindings(q->ins[t]);
		if (rc)
			return rc;
		q->pending++;
	}
	if (q->pending >= s->opts.batch_rows)
		return sq_commit(s, NULL);
	return 0;
}

static int64_t query_i64(struct sq *q, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int delete_incident(struct vigil_store *s, const char *id)
{
	struct sq *q = s->be;

	for (int t = 0; t < T__MAX; t++) {
		sqlite3_bind_text(q->del[t], 1, id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q->del[t]) != SQLITE_DONE) {
			sqlite3_reset(q->del[t]);
			return -EIO;
		}
		sqlite3_reset(q->del[t]);
	}
	s->stats.retention_deleted++;
	return 0;
}

/* Deletes the oldest incidents past the limits; bytes are counted as used pages. */
static int retention(struct vigil_store *s)
{
	struct sq *q = s->be;
	const struct vigil_store_opts *o = &s->opts;
	int64_t page = query_i64(q, "PRAGMA page_size");
	bool deleted = false;

	for (int guard = 0; guard < 100000; guard++) {
		int64_t n = query_i64(q, "SELECT count(*) FROM incidents");
		int64_t used = (query_i64(q, "PRAGMA page_count") -
				query_i64(q, "PRAGMA freelist_count")) *
			       page;
		int64_t oldest_ns = query_i64(q, "SELECT min(opened_ns) FROM incidents");
		bool over = (o->max_incidents && n > (int64_t)o->max_incidents) ||
			    /* bytes: the newest incident stays even when it alone is larger */
			    (o->max_bytes && used > (int64_t)o->max_bytes && n > 1) ||
			    (o->max_age_ns && n > 0 && oldest_ns >= 0 &&
			     (uint64_t)oldest_ns + o->max_age_ns < store_now_ns());
		sqlite3_stmt *st;
		char id[40] = "";

		if (!over || n <= 0)
			break;
		if (sqlite3_prepare_v2(q->db,
				       "SELECT incident_id FROM incidents ORDER BY opened_ns "
				       "LIMIT 1",
				       -1, &st, NULL) != SQLITE_OK)
			return -EIO;
		if (sqlite3_step(st) == SQLITE_ROW)
			vigil_strlcpy(id, (const char *)sqlite3_column_text(st, 0), sizeof(id));
		sqlite3_finalize(st);
		if (!id[0] || begin(s) || delete_incident(s, id))
			return -EIO;
		deleted = true;
		/* commit per incident so freed pages show in freelist_count */
		if (exec(s, "COMMIT", NULL))
			return -EIO;
		q->in_tx = false;
	}
	if (deleted)
		exec(s, "PRAGMA incremental_vacuum", NULL);
	return 0;
}

static int sq_commit(struct vigil_store *s, struct vigil_error *err)
{
	struct sq *q = s->be;
	size_t n = q->pending;

	if (!q->in_tx)
		return 0;
	if (exec(s, "COMMIT", err)) {
		exec(s, "ROLLBACK", NULL);
		q->in_tx = false;
		q->pending = 0;
		return -EIO;
	}
	q->in_tx = false;
	q->pending = 0;
	s->stats.rows_written += n;
	s->stats.batches_written++;
	return retention(s);
}

static int sq_flush(struct vigil_store *s, struct vigil_error *err)
{
	return sq_commit(s, err);
}

/* One result row as JSON keyed by column name. */
static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st);

	for (int i = 0; o && i < n; i++) {
		json_t *v;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			v = json_string((const char *)sqlite3_column_text(st, i));
			break;
		default:
			v = json_null();
		}
		json_object_set_new(o, sqlite3_column_name(st, i), v);
	}
	return o;
}

static int select_rows(struct vigil_store *s, const struct store_table *tab, const char *sql,
		       const char *arg, int64_t iarg, json_t **ret, struct vigil_error *err)
{
	struct sq *q = s->be;
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	if (!arr)
		return -ENOMEM;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return sq_err(s, err, "query");
	}
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, iarg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *raw = row_json(st);

		json_array_append_new(arr, store_row_normalize(tab, raw));
		json_decref(raw);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return sq_err(s, err, "query");
	}
	*ret = arr;
	return 0;
}

static int sq_list(struct vigil_store *s, size_t limit, json_t **ret, struct vigil_error *err)
{
	json_t *rows, *out = json_array(), *row;
	size_t i;
	int rc = select_rows(s, &store_tables[T_INCIDENTS],
			     "SELECT * FROM incidents ORDER BY opened_ns DESC LIMIT ?", NULL,
			     (int64_t)limit, &rows, err);

	if (rc) {
		json_decref(out);
		return rc;
	}
	json_array_foreach(rows, i, row)
	{
		json_array_append_new(out, store_list_entry(row));
	}
	json_decref(rows);
	*ret = out;
	return 0;
}

static int sq_get(struct vigil_store *s, const char *id, json_t **ret, struct vigil_error *err)
{
	json_t *inc = NULL, *children[T__MAX] = { 0 };
	char like[40], sql[256];
	int rc;

	snprintf(like, sizeof(like), "%s%%", id);
	rc = select_rows(s, &store_tables[T_INCIDENTS],
			 "SELECT * FROM incidents WHERE incident_id LIKE ? LIMIT 2", like, 0, &inc,
			 err);
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
		snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE incident_id = ? ORDER BY %s%s",
			 store_tables[t].name, store_tables[t].time_col,
			 t == T_EVENTS ? ", seq" : "");
		rc = select_rows(s, &store_tables[t], sql, id, 0, &children[t], err);
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

static void sq_close(struct vigil_store *s)
{
	struct sq *q = s->be;

	if (!q)
		return;
	for (int t = 0; t < T__MAX; t++) {
		sqlite3_finalize(q->ins[t]);
		sqlite3_finalize(q->del[t]);
	}
	sqlite3_close(q->db);
	free(q);
	s->be = NULL;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.put_rows = sq_put_rows,
	.flush = sq_flush,
	.list = sq_list,
	.get = sq_get,
	.close = sq_close,
};

int store_sqlite_open(struct vigil_store *s, const char *path, struct vigil_error *err)
{
	struct sq *q;
	int flags = s->opts.read_only ? SQLITE_OPEN_READONLY
				      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int64_t ver;
	int rc;

	if (!path[0])
		return vigil_error__set(err, -EINVAL, "", 0, 0, "sqlite: no path");
	if (!s->opts.read_only) {
		char dir[PATH_MAX];

		vigil_strlcpy(dir, path, sizeof(dir));
		mkdir(dirname(dir), 0750); /* one level, e.g. /var/lib/vigil */
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	s->be = q;
	s->ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		bool missing = s->opts.read_only && access(path, F_OK) < 0;

		rc = vigil_error__set(err, s->opts.read_only ? -ENOENT : -EIO, path, 0, 0,
				      "cannot open: %s",
				      missing ? "no such file (no evidence stored there yet?)"
				      : q->db ? sqlite3_errmsg(q->db)
					      : "out of memory");
		sq_close(s);
		return rc;
	}
	sqlite3_busy_timeout(q->db, 5000);
	if (!s->opts.read_only &&
	    (rc = exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", err)))
		goto fail;
	ver = query_i64(q, "PRAGMA user_version");
	if (ver < 0) {
		rc = vigil_error__set(err, -EIO, path, 0, 0, "not an SQLite database");
		goto fail;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		rc = vigil_error__set(err, -EPROTO, path, 0, 0,
				      "schema version %lld is newer than this vigil's (%d)",
				      (long long)ver, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (ver == 0) {
		if (s->opts.read_only) {
			rc = vigil_error__set(err, -ENOENT, path, 0, 0, "no evidence store here");
			goto fail;
		}
		rc = create_schema(s, err);
		if (rc)
			goto fail;
	}
	rc = prepare(s, err);
	if (rc)
		goto fail;
	return 0;
fail:
	sq_close(s);
	return rc;
}
