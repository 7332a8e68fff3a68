// SPDX-License-Identifier: Apache-2.0
/*
 * SQLite backend: WAL, one prepared INSERT per table, rows written inside a transaction that
 * flush commits (or that commits by itself every batch_rows rows), schema version in
 * PRAGMA user_version, retention after each commit (the incidents that arrived first go
 * first: retention counts from arrival, so nothing is deleted as it is acknowledged).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "store/sqlite_internal.h"
#include "util/clock.h"
#include "util/strutil.h"

#define MAX_COLS 64 /* columns of a table (schema.c has at most some 30) */

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

int sq_exec(struct vigil_store *s, const char *sql, struct vigil_error *err)
{
	struct sq *q = s->be;

	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_err(s, err, "exec");
	return 0;
}

static int prepare(struct vigil_store *s, struct vigil_error *err)
{
	struct sq *q = s->be;

	for (int t = 0; t < T__MAX; t++) {
		const struct store_table *tab = &store_tables[t];
		char sql[2048];
		size_t o;

		o = (size_t)snprintf(sql, sizeof(sql), "INSERT %sINTO %s VALUES (",
				     tab->mode == PUT_REPLACE  ? "OR REPLACE "
				     : tab->mode == PUT_IGNORE ? "OR IGNORE "
							       : "",
				     tab->name);
		for (size_t i = 0; i < tab->ncols && o < sizeof(sql); i++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s?", i ? "," : "");
		snprintf(sql + o, sizeof(sql) - o, ")");
		if (sqlite3_prepare_v2(q->db, sql, -1, &q->ins[t], NULL) != SQLITE_OK)
			return sq_err(s, err, "prepare insert");
		if (tab->mode == PUT_REPLACE) {
			memcpy(sql, "INSERT OR IGNORE  ", 18); /* same length as OR REPLACE */
			if (sqlite3_prepare_v2(q->db, sql, -1, &q->ins_absent[t], NULL) !=
			    SQLITE_OK)
				return sq_err(s, err, "prepare insert");
		}
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?", tab->name,
			 tab->cols[0].name);
		if (sqlite3_prepare_v2(q->db, sql, -1, &q->del[t], NULL) != SQLITE_OK)
			return sq_err(s, err, "prepare delete");
	}
	if (sq_counts_prepare(q))
		return sq_err(s, err, "prepare counters");
	return 0;
}

static int begin(struct vigil_store *s)
{
	struct sq *q = s->be;

	if (q->in_tx)
		return 0;
	if (sq_exec(s, "BEGIN IMMEDIATE", NULL))
		return -EBUSY;
	q->in_tx = true;
	return 0;
}

/*
 * A column's value: rows are built column by column (schema.c, ingest.c), so the row's next
 * key is nearly always the column's, and walking the row beside the columns saves a hash
 * lookup per column (16 per alert); a row in another order is looked up by name.
 */
static const json_t *col_value(const json_t *row, void **it, const char *col)
{
	const json_t *v;

	if (*it && !strcmp(json_object_iter_key(*it), col)) {
		v = json_object_iter_value(*it);
		*it = json_object_iter_next((json_t *)row, *it);
		return v;
	}
	return json_object_get(row, col);
}

/* Binds row's columns to st; vals (when not NULL) gets each column's value. */
static int bind_row(sqlite3_stmt *st, const struct store_table *tab, const json_t *row,
		    const json_t **vals)
{
	void *it = json_object_iter((json_t *)row);

	for (size_t i = 0; i < tab->ncols; i++) {
		const json_t *v = col_value(row, &it, tab->cols[i].name);
		int rc, col = (int)i + 1;

		if (vals)
			vals[i] = v;
		switch (tab->cols[i].type) {
		case COL_STR:
		case COL_ENUM:
			/* the row outlives the step: no copy */
			rc = json_is_string(v)
				     ? sqlite3_bind_text(st, col, json_string_value(v),
							 (int)json_string_length(v), SQLITE_STATIC)
				     : sqlite3_bind_text(st, col, "", 0, SQLITE_STATIC);
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

/* The index of the alerts' column name (the counters read three of them). */
static size_t alert_col(const char *name)
{
	const struct store_table *tab = &store_tables[T_ALERTS];

	for (size_t i = 0; i < tab->ncols; i++)
		if (!strcmp(tab->cols[i].name, name))
			return i;
	return 0;
}

static int sq_commit(struct vigil_store *s, struct vigil_error *err);

static int sq_put_rows(struct vigil_store *s, enum store_table_id t, json_t *rows,
		       const struct put_opts *o)
{
	struct sq *q = s->be;
	const struct store_table *tab = &store_tables[t];
	const char *replace_owner = o ? o->replace_owner : NULL;
	bool *dup = o ? o->dup : NULL;
	bool ignore = tab->mode == PUT_IGNORE || (o && o->if_absent);
	sqlite3_stmt *ins = o && o->if_absent && q->ins_absent[t] ? q->ins_absent[t] : q->ins[t];
	size_t i;
	json_t *row;
	int rc;

	if (s->opts.read_only)
		return -EROFS;
	rc = begin(s);
	if (rc)
		return rc;
	if (replace_owner) {
		sqlite3_bind_text(q->del[t], 1, replace_owner, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q->del[t]);
		sqlite3_reset(q->del[t]);
		if (rc != SQLITE_DONE)
			return -EIO;
	}
	const json_t *vals[MAX_COLS];
	size_t c_node = alert_col("node"), c_time = alert_col("time_ns"),
	       c_sev = alert_col("severity");

	if (tab->ncols > MAX_COLS)
		return -EINVAL;
	json_array_foreach(rows, i, row)
	{
		bool added;

		rc = bind_row(ins, tab, row, vals);
		if (!rc && sqlite3_step(ins) != SQLITE_DONE)
			rc = sqlite3_errcode(q->db) == SQLITE_FULL ? -ENOSPC : -EIO;
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		added = !ignore || sqlite3_changes(q->db);
		/* an alert stored now is counted (a duplicate the insert ignored is not) */
		if (!rc && added && t == T_ALERTS)
			rc = sq_counts_add(q, json_string_value(vals[c_node]) ?: "",
					   json_integer_value(vals[c_time]),
					   json_integer_value(vals[c_sev]));
		if (rc) {
			q->ntally = 0; /* the caller discards the transaction */
			return rc;
		}
		if (dup)
			dup[i] = !added;
		if (added)
			q->pending_rows++;
		q->pending++;
	}
	if (t == T_ALERTS && (rc = sq_counts_flush(q)))
		return rc;
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

	for (int t = T_INCIDENTS; t <= T_REPORT_LAST; t++) {
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

/*
 * Deletes the incidents that arrived first while past a limit; bytes are counted as used
 * pages. The incident that arrived last always stays, so a write that was acknowledged is
 * never deleted by the retention its own arrival triggered.
 */
static int retention(struct vigil_store *s)
{
	struct sq *q = s->be;
	const struct vigil_store_opts *o = &s->opts;
	int64_t page = query_i64(q, "PRAGMA page_size");
	bool deleted = false;

	for (int guard = 0; guard < 100000; guard++) {
		/* counting every incident after each commit costs a scan: only for that limit */
		int64_t n = query_i64(
			q, o->max_incidents
				   ? "SELECT count(*) FROM incidents"
				   : "SELECT count(*) FROM (SELECT 1 FROM incidents LIMIT 2)");
		int64_t used = (query_i64(q, "PRAGMA page_count") -
				query_i64(q, "PRAGMA freelist_count")) *
			       page;
		int64_t oldest_ns = query_i64(q, "SELECT min(received_ns) FROM incidents");
		bool over = (o->max_incidents && n > (int64_t)o->max_incidents) ||
			    (o->max_bytes && used > (int64_t)o->max_bytes) ||
			    (o->max_age_ns && oldest_ns >= 0 &&
			     (uint64_t)oldest_ns + o->max_age_ns < vigil_realtime_ns());
		sqlite3_stmt *st;
		char id[40] = "";

		if (!over || n <= 1)
			break;
		if (sqlite3_prepare_v2(q->db,
				       "SELECT incident_id FROM incidents ORDER BY received_ns "
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
		if (sq_exec(s, "COMMIT", NULL))
			return -EIO;
		q->in_tx = false;
	}
	if (deleted)
		sq_exec(s, "PRAGMA incremental_vacuum", NULL);
	return 0;
}

static int sq_commit(struct vigil_store *s, struct vigil_error *err)
{
	struct sq *q = s->be;
	uint64_t n = q->pending_rows;

	if (!q->in_tx)
		return 0;
	if (sq_exec(s, "COMMIT", err)) {
		sq_exec(s, "ROLLBACK", NULL);
		q->in_tx = false;
		q->pending = 0;
		q->pending_rows = 0;
		return -EIO;
	}
	q->in_tx = false;
	q->pending = 0;
	q->pending_rows = 0;
	s->stats.rows_written += n;
	s->stats.batches_written++;
	return retention(s);
}

static int sq_flush(struct vigil_store *s, struct vigil_error *err)
{
	return sq_commit(s, err);
}

static void sq_discard(struct vigil_store *s)
{
	struct sq *q = s->be;

	if (!q->in_tx)
		return;
	sq_exec(s, "ROLLBACK", NULL);
	q->in_tx = false;
	q->pending = 0;
	q->pending_rows = 0;
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
			v = json_stringn((const char *)sqlite3_column_text(st, i),
					 (size_t)sqlite3_column_bytes(st, i));
			break;
		default:
			v = json_null();
		}
		json_object_set_new(o, sqlite3_column_name(st, i), v);
	}
	return o;
}

/* SQLite's progress callback: a nonzero answer interrupts the running statement. */
static int past_deadline(void *arg)
{
	const struct sq *q = arg;

	return q->query_deadline_ns && vigil_monotonic_ns() > q->query_deadline_ns;
}

static int sq_query(struct vigil_store *s, const char *sql, const struct store_arg *args,
		    size_t nargs, json_t **ret, struct vigil_error *err)
{
	struct sq *q = s->be;
	sqlite3_stmt *st;
	json_t *arr = json_array();
	size_t bytes = 0;
	int rc;

	if (!arr)
		return -ENOMEM;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return sq_err(s, err, "query");
	}
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].is_str)
			sqlite3_bind_text(st, (int)i + 1, args[i].s ?: "", -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, (int)i + 1, args[i].i);
	}
	if (s->opts.query_timeout_ns)
		q->query_deadline_ns = vigil_monotonic_ns() + s->opts.query_timeout_ns;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row;

		if (s->opts.query_max_bytes) {
			for (int i = 0; i < sqlite3_column_count(st); i++)
				bytes += (size_t)sqlite3_column_bytes(st, i);
			if (bytes > s->opts.query_max_bytes)
				break;
		}
		row = row_json(st);
		if (!row || json_array_append_new(arr, row)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	q->query_deadline_ns = 0;
	if (rc == SQLITE_ROW) {
		rc = vigil_error__set(err, -E2BIG, "", 0, 0,
				      "the answer passed its bound of %zu MiB",
				      s->opts.query_max_bytes >> 20);
		sqlite3_finalize(st);
		json_decref(arr);
		return rc;
	}
	if (rc == SQLITE_INTERRUPT) {
		rc = vigil_error__set(err, -ETIMEDOUT, "", 0, 0,
				      "the query ran past its bound of %llu ms",
				      (unsigned long long)(s->opts.query_timeout_ns / 1000000));
		sqlite3_finalize(st);
		json_decref(arr);
		return rc;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_err(s, err, "query");
		sqlite3_finalize(st);
		json_decref(arr);
		return rc;
	}
	sqlite3_finalize(st);
	*ret = arr;
	return 0;
}

static void sq_close(struct vigil_store *s)
{
	struct sq *q = s->be;

	if (!q)
		return;
	sqlite3_finalize(q->touch);
	sq_counts_close(q);
	for (int t = 0; t < T__MAX; t++) {
		sqlite3_finalize(q->ins[t]);
		sqlite3_finalize(q->ins_absent[t]);
		sqlite3_finalize(q->del[t]);
	}
	sqlite3_close(q->db);
	free(q);
	s->be = NULL;
}

static const struct store_dialect sqlite_dialect = {
	.final = "",
	.count_alerts = "count(*)",
	.rules_concat = "group_concat(DISTINCT rule_id)",
	.idiv = { "((", ") / ", ")" },
	.ci_contains = { "instr(lower(", "), lower(?)) > 0" },
	.array_has = { "instr(", ", json_quote(?)) > 0" },
	.sets_replaced = true,
	.minute_counts = true,
	.paged_nodes = true,
};

/* An alert stored into an incident is an arrival of that incident: retention counts from it. */
static int sq_touch(struct vigil_store *s, const json_t *ids, uint64_t now_ns)
{
	struct sq *q = s->be;
	sqlite3_stmt *st;
	const char *id;
	json_t *v;
	int rc = begin(s);

	if (rc)
		return rc;
	if (!q->touch &&
	    sqlite3_prepare_v2(q->db,
			       "UPDATE incidents SET received_ns = ?1 WHERE incident_id = ?2 AND "
			       "received_ns < ?1",
			       -1, &q->touch, NULL) != SQLITE_OK)
		return -EIO;
	st = q->touch;
	json_object_foreach((json_t *)ids, id, v)
	{
		sqlite3_bind_int64(st, 1, (sqlite3_int64)now_ns);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sqlite3_errcode(q->db) == SQLITE_FULL ? -ENOSPC : -EIO;
		sqlite3_reset(st);
		if (rc)
			break;
	}
	return rc;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.dialect = &sqlite_dialect,
	.put_rows = sq_put_rows,
	.flush = sq_flush,
	.discard = sq_discard,
	.query = sq_query,
	.close = sq_close,
	.touch = sq_touch,
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
	/* a writer holds the lock for one commit at a time: wait for it rather than fail */
	sqlite3_busy_timeout(q->db, 10000);
	/* every 10 000 virtual machine steps (tens of microseconds): sq_query's bound */
	if (s->opts.query_timeout_ns)
		sqlite3_progress_handler(q->db, 10000, past_deadline, q);
	/*
	 * FULL: every commit syncs the write-ahead log, so a commit that returned survives a crash
	 * of the machine too, not only of the process (NORMAL syncs at checkpoints only). The
	 * cockpit acknowledges what it committed, and groups many requests into one commit.
	 */
	/*
	 * 16 KiB pages for a new file (an existing one keeps its size): a commit writes a quarter
	 * of the WAL frames, one pwrite each, for the same rows (commit CPU per alert 5.1 -> 2.7 us
	 * in a 200 000-alert put+flush loop). Before journal_mode: WAL fixes the page size.
	 */
	/*
	 * auto_vacuum too, for the same reason: a file's first write (here, journal_mode) fixes
	 * it, so sq_create_schema asking later left every new file at NONE and retention's
	 * incremental_vacuum without effect. An existing file keeps what it has (NONE cannot be
	 * changed without a VACUUM, which rewrites the whole file: not done here).
	 */
	if (!s->opts.read_only &&
	    (rc = sq_exec(s,
			  "PRAGMA page_size = 16384; PRAGMA auto_vacuum = INCREMENTAL; PRAGMA "
			  "journal_mode = WAL; PRAGMA synchronous = FULL",
			  err)))
		goto fail;
	/*
	 * An alert's insert also updates its counters (triggers, sqlite_schema.c), so it keeps a
	 * statement journal to undo its part should it fail: in memory, not a temporary file
	 * written page by page (it was 13 pwrite calls per alert; the transaction's own
	 * durability is the WAL's, unchanged).
	 */
	sq_exec(s, "PRAGMA temp_store = MEMORY", NULL);
	if (s->opts.cache_bytes) {
		char pragma[96];

		/* a bigger cache keeps the indexes of a large store in memory (fewer preads) */
		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%zu; PRAGMA mmap_size = %zu",
			 s->opts.cache_bytes / 1024, s->opts.cache_bytes * 4);
		sq_exec(s, pragma, NULL);
	}
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
	if (ver < STORE_SCHEMA_VERSION) {
		if (s->opts.read_only) {
			rc = vigil_error__set(err, ver ? -EPROTO : -ENOENT, path, 0, 0, "%s",
					      ver ? "written by an older vigil: open it once for "
						    "writing (the cockpit or `vigil evidence "
						    "import`) to bring it up to date"
						  : "no evidence store here");
			goto fail;
		}
		rc = sq_create_schema(s, ver, err);
		if (rc)
			goto fail;
	}
	if (!s->opts.read_only && (rc = prepare(s, err)))
		goto fail;
	return 0;
fail:
	sq_close(s);
	return rc;
}
