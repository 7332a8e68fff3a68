// SPDX-License-Identifier: Apache-2.0
/*
 * Queries written once for both backends: SQL text with '?' placeholders plus typed
 * arguments. What differs between SQLite and ClickHouse (FINAL, aggregates, integer division,
 * case-insensitive search) comes from the backend's struct store_dialect.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "store/store_internal.h"

void sql_init(struct store_sql *q)
{
	memset(&q->text, 0, sizeof(q->text));
	q->text.max = 4u << 20;
	q->nargs = 0;
	q->err = 0;
}

void sql_release(struct store_sql *q)
{
	vigil_buf__release(&q->text);
}

void sql_add(struct store_sql *q, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (q->err)
		return;
	va_start(ap, fmt);
	rc = vigil_buf__vprintf(&q->text, fmt, ap);
	va_end(ap);
	if (rc)
		q->err = rc;
}

void sql_arg(struct store_sql *q, struct store_arg a)
{
	if (q->err)
		return;
	if (q->nargs >= STORE_MAX_ARGS) {
		q->err = -E2BIG;
		return;
	}
	q->args[q->nargs++] = a;
}

void sql_wrap(struct store_sql *q, const char *const pre[2], const char *col)
{
	sql_add(q, "%s%s%s", pre[0], col, pre[1]);
}

int sql_run(struct vigil_store *s, struct store_sql *q, json_t **ret, struct vigil_error *err)
{
	if (q->err)
		return vigil_error__set(err, q->err, "", 0, 0, "query too large");
	return s->ops->query(s, q->text.data, q->args, q->nargs, ret, err);
}
