// SPDX-License-Identifier: Apache-2.0
/*
 * ClickHouse backend over HTTP (libcurl). Rows are queued per table as JSONEachRow lines with a
 * batch id; flush sends one INSERT per table (clickhouse_http.c) and otherwise writes the batch
 * to the spool directory (clickhouse_spool.c), replayed oldest first by later flushes. Rows of
 * tables unique by a key (alerts by node and alert_id, profiles) are looked up before they are queued,
 * so a re-sent row is reported as a duplicate and not written again (the cockpit's writer
 * asks once for its whole group: ch_prefetch); ReplacingMergeTree (and FINAL in reads)
 * collapses what two writers raced to insert.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/clickhouse_internal.h"
#include "util/lazylib.h"
#include "util/strutil.h"

#define LOOKUP_CHUNK   1000
#define PREFETCH_CHUNK 10000 /* a writer group's keys: ~40 bytes each in the query */

static void new_batch_id(char out[33])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1) {
		uint64_t t = vigil_realtime_ns();

		memcpy(r, &t, 8);
		memcpy(r + 8, &t, 8);
	}
	vigil_hex(r, sizeof(r), out);
	out[32] = '\0';
}

static int ch_flush(struct vigil_store *s, struct vigil_error *err);

/* The key of a row of a PUT_IGNORE table, its columns joined by \x1f. */
static int row_key(const struct store_table *tab, const json_t *row, struct vigil_buf *b)
{
	const char *p = tab->key;
	int rc = 0;

	vigil_buf__reset(b);
	while (*p && !rc) {
		size_t n = strcspn(p, ", ");
		char col[64];
		const json_t *v;

		snprintf(col, sizeof(col), "%.*s", (int)n, p);
		v = json_object_get(row, col);
		if (json_is_string(v))
			rc = vigil_buf__puts(b, json_string_value(v));
		else
			rc = vigil_buf__printf(b, "%lld", (long long)json_integer_value(v));
		if (!rc)
			rc = vigil_buf__append(b, "\x1f", 1);
		p += n;
		p += strspn(p, ", ");
	}
	return rc;
}

/* Appends the key columns of tab (and first the owner, when not NULL) to b, each followed by
 * suffix: "incident_id String, alert_id String" or "incident_id, alert_id" or a TSV row's
 * fields (row not NULL: each value escaped, then suffix). */
static int key_cols(const struct store_table *tab, const char *owner, const json_t *row,
		    const char *suffix, const char *sep, struct vigil_buf *b)
{
	const char *p = tab->key;
	int rc = 0;

	for (bool first = true; !rc && (owner || *p); first = false) {
		size_t n = owner ? strlen(owner) : strcspn(p, ", ");
		char col[64];

		snprintf(col, sizeof(col), "%.*s", (int)n, owner ? owner : p);
		if (!first)
			rc = vigil_buf__puts(b, sep);
		if (!rc && row)
			rc = ch_tsv_escape(b, json_string_value(json_object_get(row, col)));
		else if (!rc)
			rc = vigil_buf__puts(b, col);
		if (!rc)
			rc = vigil_buf__puts(b, suffix);
		if (owner) {
			owner = NULL;
			continue;
		}
		p += n;
		p += strspn(p, ", ");
	}
	return rc;
}

/*
 * Marks in stored[] the rows in [from, to) whose key is in the table already. The owner
 * column (incident_id for alerts) narrows the lookup to the primary key's first column. The
 * keys go to the server as an external table ("keys"), not as literals in the SQL: 18.16
 * parses each literal of an IN list as a node of the query (3 000 alert ids: ~50 ms of the
 * server's time at the median, the rows read ~2 ms; as data, 2 ms in all).
 */
static int lookup_stored(struct vigil_store *s, enum store_table_id t, json_t *rows, size_t from,
			 size_t to, json_t *stored)
{
	struct ch *c = s->be;
	const struct store_table *tab = &store_tables[t];
	const char *owner =
		vigil_str_has_prefix(tab->key, tab->cols[0].name) ? NULL : tab->cols[0].name;
	struct vigil_buf sql = VIGIL_BUF_INIT, tsv = VIGIL_BUF_INIT, st = VIGIL_BUF_INIT,
			 key = VIGIL_BUF_INIT;
	json_t *res = NULL;
	size_t i;
	json_t *r;
	int rc;

	tsv.max = 64u << 20;
	rc = key_cols(tab, owner, NULL, " String", ", ", &st);
	for (i = from; !rc && i < to; i++) {
		rc = key_cols(tab, owner, json_array_get(rows, i), "", "\t", &tsv);
		if (!rc)
			rc = vigil_buf__puts(&tsv, "\n");
	}
	if (!rc)
		rc = vigil_buf__printf(&sql, "SELECT %s FROM %s.%s WHERE ", tab->key, c->db,
				       tab->name);
	if (!rc && owner)
		rc = vigil_buf__printf(&sql, "%s IN (SELECT %s FROM keys) AND ", owner, owner);
	if (!rc)
		rc = vigil_buf__printf(&sql, "(%s) IN (SELECT %s FROM keys)", tab->key, tab->key);
	if (!rc && (!sql.data || !st.data || !tsv.data))
		rc = -ENOMEM;
	if (!rc)
		rc = ch_query_external(s, sql.data, "keys", st.data, tsv.data, tsv.len, &res, NULL);
	vigil_buf__release(&sql);
	vigil_buf__release(&tsv);
	vigil_buf__release(&st);
	json_array_foreach(res, i, r)
	{
		if (!row_key(tab, r, &key) && key.data)
			json_object_set_new(stored, key.data, json_true());
	}
	json_decref(res);
	vigil_buf__release(&key);
	return rc;
}

static void prefetch_forget(struct ch *c)
{
	json_decref(c->pf_asked);
	json_decref(c->pf_stored);
	c->pf_asked = c->pf_stored = NULL;
}

/* One lookup for the rows of a whole writer group, so its put_rows calls ask for nothing. */
static int ch_prefetch(struct vigil_store *s, enum store_table_id t, const json_t *rows)
{
	struct ch *c = s->be;
	const struct store_table *tab = &store_tables[t];
	struct vigil_buf key = VIGIL_BUF_INIT;
	json_t *asked, *stored, *row;
	size_t i, n = json_array_size(rows);
	int rc = 0;

	prefetch_forget(c);
	if (!rows || !n || tab->mode != PUT_IGNORE)
		return 0;
	asked = json_object();
	stored = json_object();
	if (!asked || !stored)
		rc = -ENOMEM;
	for (i = 0; !rc && i < n; i += PREFETCH_CHUNK)
		rc = lookup_stored(s, t, (json_t *)rows, i,
				   i + PREFETCH_CHUNK < n ? i + PREFETCH_CHUNK : n, stored);
	json_array_foreach(rows, i, row)
	{
		if (rc)
			break;
		if (!(rc = row_key(tab, row, &key)) && key.data)
			rc = json_object_set_new(asked, key.data, json_true()) ? -ENOMEM : 0;
		else
			rc = rc ? rc : -ENOMEM;
	}
	vigil_buf__release(&key);
	if (rc) {
		json_decref(asked);
		json_decref(stored);
		return rc;
	}
	c->pf_table = t;
	c->pf_asked = asked;
	c->pf_stored = stored;
	return 0;
}

/* The rows of rows whose key was not prefetched (a new array; all of them when none was). */
static json_t *not_prefetched(struct ch *c, enum store_table_id t, json_t *rows)
{
	struct vigil_buf key = VIGIL_BUF_INIT;
	json_t *rest, *row;
	size_t i;

	if (!c->pf_asked || c->pf_table != t)
		return json_incref(rows);
	rest = json_array();
	json_array_foreach(rows, i, row)
	{
		if (!rest)
			break;
		if (row_key(&store_tables[t], row, &key) || !key.data) {
			json_decref(rest);
			rest = NULL;
		} else if (!json_object_get(c->pf_asked, key.data)) {
			json_array_append(rest, row);
		}
	}
	vigil_buf__release(&key);
	return rest;
}

static int queue_row(struct ch *c, enum store_table_id t, json_t *row)
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
	return 0;
}

static int ch_put_rows(struct vigil_store *s, enum store_table_id t, json_t *rows,
		       const struct put_opts *o)
{
	bool *dup = o ? o->dup : NULL;
	struct ch *c = s->be;
	const struct store_table *tab = &store_tables[t];
	struct vigil_buf key = VIGIL_BUF_INIT;
	json_t *stored = NULL;
	size_t i;
	json_t *row;
	int rc = 0;

	if (s->opts.read_only)
		return -EROFS;
	/* replace_owner needs nothing here: readers take the newest version of an owner's rows;
	 * but another node's rows, taken over, are deleted once the flush stored the new owner's */
	if (o && o->replace_owner && o->taken && t != T_ALERTS) {
		if (!c->taken_queued && !(c->taken_queued = json_object()))
			return -ENOMEM;
		if (json_object_set_new(c->taken_queued, o->replace_owner, json_true()))
			return -ENOMEM;
	}
	if (tab->mode == PUT_IGNORE) {
		json_t *ask;
		size_t m;

		if (!c->queued_keys[t] && !(c->queued_keys[t] = json_object()))
			return -ENOMEM;
		stored = json_object();
		/* what the group's prefetch asked is known: look up only the rest */
		ask = not_prefetched(c, t, rows);
		m = json_array_size(ask);
		for (i = 0; stored && ask && !rc && i < m; i += LOOKUP_CHUNK)
			rc = lookup_stored(s, t, ask, i,
					   i + LOOKUP_CHUNK < m ? i + LOOKUP_CHUNK : m, stored);
		json_decref(ask);
		if (!stored || !ask)
			rc = -ENOMEM;
		/* server down and a spool to wait in: ReplacingMergeTree collapses a re-sent row */
		if (rc && rc != -ENOMEM && s->opts.spool_dir)
			rc = 0;
	}
	json_array_foreach(rows, i, row)
	{
		bool is_dup = false;

		if (rc)
			break;
		if (stored) {
			if ((rc = row_key(tab, row, &key)) || !key.data) {
				rc = rc ? rc : -ENOMEM;
				break;
			}
			is_dup = json_object_get(stored, key.data) ||
				 (c->pf_stored && c->pf_table == t &&
				  json_object_get(c->pf_stored, key.data)) ||
				 json_object_get(c->queued_keys[t], key.data);
			if (!is_dup)
				json_object_set_new(c->queued_keys[t], key.data, json_true());
		}
		if (dup)
			dup[i] = is_dup;
		if (!is_dup)
			rc = queue_row(c, t, row);
		/* the first incident row accepted claims the id (clickhouse_owners.c) */
		if (!rc && !is_dup && t == T_INCIDENTS)
			rc = ch_owner_queued(s, row);
	}
	vigil_buf__release(&key);
	json_decref(stored);
	if (!rc && c->nrows[t] >= s->opts.batch_rows)
		return ch_flush(s, NULL);
	return rc;
}

static int ch_flush(struct vigil_store *s, struct vigil_error *err)
{
	struct ch *c = s->be;
	int rc, first = 0, sent[T__MAX] = { 0 };
	enum store_table_id at_once[T__MAX];
	struct vigil_error *errs = NULL;
	size_t n = 0;
	bool spool_blocked;

	/* The server may have been down at open: create the tables before anything else. */
	if (!c->schema_ok && !s->opts.read_only && s->opts.create_schema)
		c->schema_ok = ch_create_schema(s, NULL) == 0;
	/* A non-empty spool must drain first, or batches would arrive out of order. */
	spool_blocked = (!c->schema_ok && !s->opts.read_only && s->opts.create_schema) ||
			ch_spool_replay(s, err) != 0;

	/* Every table but the incidents at once (clickhouse_inserts.c); their outcomes are
	 * handled below in the order they were handled one by one. */
	for (int t = 0; !spool_blocked && t < T__MAX; t++)
		if (c->nrows[t] && t != T_INCIDENTS)
			at_once[n++] = (enum store_table_id)t;
	if (n && err && !(errs = calloc(T__MAX, sizeof(*errs))))
		return -ENOMEM; /* nothing sent: the rows stay queued */
	if (n)
		ch_insert_tables(s, at_once, n, sent, errs);

	/* Incidents last: a reader that sees an incident row sees its children. */
	for (int k = 0; k < T__MAX; k++) {
		int t = (k + 1) % T__MAX;

		if (!c->nrows[t])
			continue;
		if (spool_blocked && t == T_INCIDENTS)
			rc = -EAGAIN;
		else if (t == T_INCIDENTS)
			rc = ch_insert_retry(s, store_tables[t].name, c->batch[t], c->q[t].data,
					     c->q[t].len, c->nrows[t], err);
		else if (n)
			rc = sent[t]; /* tried above; a table after a spooled one is stored */
		else
			rc = -EAGAIN; /* behind the spool */
		if (rc && err && errs && t != T_INCIDENTS && n && !first)
			*err = errs[t];
		if (rc && rc != -EINVAL) {
			int sr = ch_spool_write(s, store_tables[t].name, c->batch[t], c->q[t].data,
						c->q[t].len, c->nrows[t], CH_SPOOL_SUFFIX);

			if (sr == -EHOSTUNREACH) { /* no spool: keep the rows queued */
				if (!first)
					first = rc;
				continue;
			}
			if (t == T_INCIDENTS) /* spooled: claimed until replayed; lost: not */
				sr ? ch_owners_discard(s) : ch_owners_flushed(s, true);
			spool_blocked = true;
			if (sr && !first)
				first = sr;
			else if (!first)
				first = -EAGAIN; /* spooled: will arrive later */
		} else if (rc) {
			/* rejected by the server: keep it aside for a person, do not retry */
			ch_spool_write(s, store_tables[t].name, c->batch[t], c->q[t].data,
				       c->q[t].len, c->nrows[t], ".rejected");
			if (t == T_INCIDENTS)
				ch_owners_discard(s);
			if (!first)
				first = rc;
		} else if (t == T_INCIDENTS) {
			ch_owners_flushed(s, false);
		}
		vigil_buf__reset(&c->q[t]);
		c->nrows[t] = 0;
		json_object_clear(c->queued_keys[t]);
	}
	free(errs);
	/* not an error of this flush: what it acknowledges is stored; tried again next flush */
	if (!first && json_object_size(c->taken_queued)) {
		if (!c->taken && !(c->taken = json_object()))
			return 0; /* stored; the rows to delete stay queued, for the next flush */
		if (json_object_update(c->taken, c->taken_queued))
			return 0;
		json_object_clear(c->taken_queued);
	}
	if (!first && json_object_size(c->taken))
		ch_drop_taken(s, false);
	return first;
}

static void ch_discard(struct vigil_store *s)
{
	struct ch *c = s->be;

	for (int t = 0; t < T__MAX; t++) {
		vigil_buf__reset(&c->q[t]);
		c->nrows[t] = 0;
		json_object_clear(c->queued_keys[t]);
	}
	json_object_clear(c->taken_queued); /* the takes of earlier flushes stand */
	ch_owners_discard(s);
}

static void ch_close(struct vigil_store *s)
{
	struct ch *c = s->be;

	if (!c)
		return;
	/* what waits for its interval goes now (takes stored; not those of an unstored flush) */
	if (json_object_size(c->taken) && !s->opts.read_only)
		ch_drop_taken(s, true);
	for (int t = 0; t < T__MAX; t++) {
		vigil_buf__release(&c->q[t]);
		json_decref(c->queued_keys[t]);
	}
	prefetch_forget(c);
	ch_owners_release(s);
	json_decref(c->taken);
	json_decref(c->taken_queued);
	curl_easy_cleanup(c->conn.curl);
	for (int t = 0; t < T__MAX; t++)
		ch_conn_free(c->ins[t]);
	free(c);
	s->be = NULL;
}

/*
 * The fleet list's rows (nodes_page.c), as SQLite's node_list table holds them: one per node
 * name, from the node_list table the server keeps from heartbeats and node tokens
 * (clickhouse_node_list.c), its states merged here over the rows not merged yet: the newest
 * heartbeat's columns (zeros and '' for a node with a token only), and the credential (active
 * while a token is not revoked, revoked when all are, none without).
 */
#define CH_NODE_LIST                                                                             \
	"(SELECT node, argMaxMerge(last_seen_ns) AS last_seen_ns, argMaxMerge(time_ns) AS "      \
	"time_ns, argMaxMerge(interval_s) AS interval_s, argMaxMerge(agent_version) AS "         \
	"agent_version, argMaxMerge(kernel) AS kernel, argMaxMerge(uptime_s) AS uptime_s, "      \
	"argMaxMerge(drops) AS drops, argMaxMerge(sink_failures) AS sink_failures, "             \
	"argMaxMerge(spool_dropped) AS spool_dropped, argMaxMerge(workloads) AS workloads, "     \
	"CASE WHEN uniqExactMerge(tokens) = 0 THEN 'none' WHEN uniqExactMerge(tokens) > "        \
	"uniqExactMerge(revoked) THEN 'active' ELSE 'revoked' END AS credential FROM node_list " \
	"GROUP BY node)"

static const struct store_dialect ch_dialect = {
	.final = " FINAL",
	/* the rows the table's order key collapses (an incident is one node's, so two nodes'
	 * alerts of one id are two); 64 bits: a collision in 1e8 alerts is 3e-4 */
	.count_alerts = "uniqExact(cityHash64(incident_id, alert_id))",
	.rules_concat = "arrayStringConcat(groupUniqArray(rule_id), ',')",
	.idiv = { "intDiv(", ", ", ")" },
	.ci_contains = { "positionCaseInsensitive(", ", ?) > 0" },
	.array_has = { "has(", ", ?)" },
	.sets_replaced = false,
	.paged_nodes = true,
	.node_list = CH_NODE_LIST,
	.page_joins_counts = true,
	.minute_counts = true, /* materialized views (clickhouse_counters.c) */
	.plain_group_by = true,
	.whole_minutes = true,
};

static const struct store_ops ch_ops = {
	.name = "clickhouse",
	.dialect = &ch_dialect,
	.put_rows = ch_put_rows,
	.prefetch = ch_prefetch,
	.flush = ch_flush,
	.discard = ch_discard,
	.query = ch_query,
	.close = ch_close,
	.incident_children = ch_incident_children,
};

/* "http://h:p/..." -> "http://h:p/" into out; false when it is not an http(s) URL. */
static bool base_url(const char *url, size_t len, char *out, size_t size)
{
	const char *hostp, *slash;

	if (!vigil_str_has_prefix(url, "http://") && !vigil_str_has_prefix(url, "https://"))
		return false;
	hostp = strstr(url, "://") + 3;
	slash = memchr(hostp, '/', len - (size_t)(hostp - url));
	snprintf(out, size, "%.*s/", slash ? (int)(slash - url) : (int)len, url);
	return hostp[0] != '/' && hostp[0] != '\0';
}

static bool valid_name(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/* http://HOST:PORT[/DATABASE][?cluster=NAME&shard=URL&shard=URL...] */
static int parse_url(struct ch *c, const char *url, struct vigil_error *err)
{
	const char *q = strchr(url, '?'), *hostp, *slash;
	size_t len = q ? (size_t)(q - url) : strlen(url);

	if (!base_url(url, len, c->base, sizeof(c->base)))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"clickhouse: want clickhouse:http://HOST:PORT[/DATABASE]"
					"[?cluster=NAME&shard=URL...], got \"%s\"",
					url);
	hostp = strstr(url, "://") + 3;
	slash = memchr(hostp, '/', len - (size_t)(hostp - url));
	snprintf(c->db, sizeof(c->db), "%.*s",
		 slash && (size_t)(slash + 1 - url) < len ? (int)(len - (size_t)(slash + 1 - url))
							  : 5,
		 slash && (size_t)(slash + 1 - url) < len ? slash + 1 : "vigil");
	if (!valid_name(c->db))
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"clickhouse: bad database name in \"%s\"", url);
	for (const char *p = q ? q + 1 : NULL; p && *p;) {
		size_t n = strcspn(p, "&");

		if (vigil_str_has_prefix(p, "cluster=") && n - 8 < sizeof(c->cluster)) {
			snprintf(c->cluster, sizeof(c->cluster), "%.*s", (int)(n - 8), p + 8);
			if (!valid_name(c->cluster))
				return vigil_error__set(err, -EINVAL, "", 0, 0,
							"clickhouse: bad cluster name in \"%s\"",
							url);
		} else if (vigil_str_has_prefix(p, "shard=") && c->nshards < CH_MAX_SHARDS) {
			if (!base_url(p + 6, n - 6, c->shards[c->nshards], sizeof(c->shards[0])))
				return vigil_error__set(err, -EINVAL, "", 0, 0,
							"clickhouse: shard=%.*s is not an http URL",
							(int)(n - 6), p + 6);
			c->nshards++;
		} else {
			return vigil_error__set(err, -EINVAL, "", 0, 0,
						"clickhouse: unknown option \"%.*s\" (want "
						"cluster=NAME or shard=URL)",
						(int)n, p);
		}
		p += n + (p[n] == '&');
	}
	if (c->nshards && !c->cluster[0])
		return vigil_error__set(err, -EINVAL, "", 0, 0,
					"clickhouse: shard= needs cluster=NAME (the remote_servers "
					"entry that names the shards)");
	return 0;
}

int store_clickhouse_open(struct vigil_store *s, const char *url, struct vigil_error *err)
{
	struct ch *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	s->be = c;
	s->ops = &ch_ops;
	rc = parse_url(c, url, err);
	if (rc) {
		ch_close(s);
		return rc;
	}
	/* libcurl is loaded at its first use (lazylib.h): a machine without it is told so here,
	 * before any curl call could fail in a way that says less */
	{
		char why[256];

		rc = vigil_curl_need("ClickHouse store", why, sizeof(why));
		if (rc < 0) {
			ch_close(s);
			return vigil_error__set(err, rc, "", 0, 0, "%s", why);
		}
	}
	if (ch_conn_init(s, &c->conn)) {
		ch_close(s);
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "curl: cannot initialise");
	}
	if (s->opts.spool_dir) {
		if (mkdir(s->opts.spool_dir, 0700) && errno != EEXIST) {
			rc = vigil_error__set(err, -errno, s->opts.spool_dir, 0, 0,
					      "cannot create spool directory: %s", strerror(errno));
			ch_close(s);
			return rc;
		}
		s->stats.spool_bytes = ch_spool_bytes(s->opts.spool_dir);
		/* incidents waiting in the spool are their nodes' already */
		rc = ch_owners_scan_spool(s);
		if (rc) {
			rc = vigil_error__set(err, rc, s->opts.spool_dir, 0, 0,
					      "cannot read the spool: %s", strerror(-rc));
			ch_close(s);
			return rc;
		}
	}
	if (!s->opts.read_only && s->opts.create_schema) {
		rc = ch_create_schema(s, err);
		c->schema_ok = rc == 0;
		/* Down now is fine when there is a spool: batches wait there. */
		if (rc && !(s->opts.spool_dir && rc == -EHOSTUNREACH)) {
			ch_close(s);
			return rc;
		}
	}
	return 0;
}
