// SPDX-License-Identifier: Apache-2.0
/*
 * One HTTP request through the cockpit. On its headers: route it, judge its credential, its
 * declared size and whether there is room to work on it, and refuse it there (401, 403, 413,
 * 503) before one byte of its body is read. Then read the body (bounded), hand the request
 * to the writer or a reader and suspend the connection; the worker's answer resumes it.
 * Health, metrics and the page are answered here, on the loop, without the store.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"

#define MAX_HEARTBEAT_BODY (4u << 20)

struct request {
	struct cockpit_job *job; /* owned until submitted, then the worker's until done */
	bool submitted, done, too_large;
	size_t reserved; /* bytes counted in inflight_bytes */
	size_t max_body;
};

static enum MHD_Result queue_ex(struct MHD_Connection *conn, unsigned status, const char *type,
				char *body, size_t len, bool owned, bool close,
				unsigned retry_after)
{
	char secs[16];

	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body,
					    owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; script-src 'self'; style-src 'self'; "
				"img-src 'self' data:; frame-ancestors 'none'");
	if (status == 503 || retry_after) {
		snprintf(secs, sizeof(secs), "%u", retry_after ? retry_after : 1);
		MHD_add_response_header(r, "Retry-After", secs);
	}
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	/* refused before its body was read: the rest of the connection is that body, unread */
	if (close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len, bool owned)
{
	return queue_ex(conn, status, type, body, len, owned, false, 0);
}

static enum MHD_Result queue_reply_ex(struct vigil_cockpit *c, struct MHD_Connection *conn,
				      struct cockpit_reply *reply, bool close, unsigned retry_after)
{
	char *text;

	cockpit_conn_phase(c, conn, PH_SENDING);
	if (reply->text) {
		text = reply->text;
		reply->text = NULL;
		return queue_ex(conn, reply->status, reply->type ? reply->type : "text/plain", text,
				strlen(text), true, close, retry_after);
	}
	if (!reply->body) {
		reply->status = 500;
		reply->body = json_pack("{s:s}", "error", "out of memory");
	}
	text = reply->body ? json_dumps(reply->body, JSON_COMPACT) : NULL;
	json_decref(reply->body);
	reply->body = NULL;
	if (!text)
		return MHD_NO;
	return queue_ex(conn, reply->status, "application/json", text, strlen(text), true, close,
			retry_after);
}

static enum MHD_Result queue_reply(struct vigil_cockpit *c, struct MHD_Connection *conn,
				   struct cockpit_reply *reply)
{
	return queue_reply_ex(c, conn, reply, false, reply->retry_after);
}

/* An answer given on the headers; the body (if any) is never read. */
static enum MHD_Result refuse_after(struct vigil_cockpit *c, struct MHD_Connection *conn,
				    unsigned status, enum reject_cause why, const char *msg,
				    unsigned retry_after)
{
	struct cockpit_reply r = { .status = status };

	atomic_fetch_add(&c->m.rejected[why], 1);
	r.body = json_pack("{s:s}", "error", msg);
	return queue_reply_ex(c, conn, &r, true, retry_after);
}

static enum MHD_Result refuse(struct vigil_cockpit *c, struct MHD_Connection *conn, unsigned status,
			      enum reject_cause why, const char *msg)
{
	return refuse_after(c, conn, status, why, msg, 0);
}

/*
 * A worker's answer, counted with the bodies in hand until it is sent: a client that asks for
 * big answers and never reads them holds them only within that budget (and until its send
 * deadline). Over it, the answer is dropped and 503 said instead.
 */
static enum MHD_Result queue_answer(struct vigil_cockpit *c, struct MHD_Connection *conn,
				    struct request *req)
{
	struct cockpit_reply *reply = &req->job->reply;
	size_t len;

	if (reply->body && !reply->text) {
		reply->text = json_dumps(reply->body, JSON_COMPACT);
		if (reply->text) {
			json_decref(reply->body);
			reply->body = NULL;
			reply->type = "application/json";
		}
	}
	/* a write's answer is a few counts, and 503 would say it was not stored */
	len = reply->text && req->job->req.route == R_READ ? strlen(reply->text) : 0;
	if (len && atomic_fetch_add(&c->m.inflight_bytes, len) + len > c->o.max_inflight_bytes) {
		atomic_fetch_sub(&c->m.inflight_bytes, len);
		free(reply->text);
		reply->text = NULL;
		atomic_fetch_add(&c->m.rejected[REJ_BUSY], 1);
		cockpit_reply_error(reply, 503, "busy (answers in hand): retry later");
	} else {
		req->reserved += len;
	}
	return queue_reply(c, conn, reply);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	json_t *args = cls;

	if (key && json_object_size(args) < 32)
		json_object_set_new(args, key, json_string(value ? value : ""));
	return MHD_YES;
}

static bool declared_size(struct MHD_Connection *conn, uint64_t *ret)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

	*ret = 0;
	return cl && !vigil_parse_u64(cl, ret);
}

/*
 * A compressed body is refused, not inflated: its size on the wire says nothing of its size
 * once inflated (a few KiB of gzip are GiB of JSON), and parsing it as JSON would only give a
 * puzzling "invalid JSON". The agent never compresses.
 */
static bool identity_encoding(struct MHD_Connection *conn)
{
	const char *ce = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Encoding");

	return !ce || !ce[0] || !strcasecmp(ce, "identity");
}

/* Everything judged on the headers. Returns MHD_YES with *reqp set to go on reading. */
static enum MHD_Result on_headers(struct vigil_cockpit *c, struct MHD_Connection *conn,
				  const char *url, const char *method, struct request **reqp)
{
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	enum ingest_ep ep = EP_ALERTS;
	enum route rt = cockpit_route(method, url, &ep);
	char who[256];
	enum cred_verdict v = cockpit_auth_check(c->auth, auth, who, sizeof(who));
	bool reader = v == CRED_ANALYST || (c->open_mode && v == CRED_NONE);
	struct cockpit_reply r = { 0 };
	struct request *req;
	struct cockpit_job *job;
	uint64_t size = 0;
	bool has_size = declared_size(conn, &size);

	atomic_fetch_add(&c->m.requests, 1);
	switch (rt) {
	case R_NOT_FOUND:
		if (strncmp(url, "/api/", 5))
			return queue(conn, 404, "text/plain", (char *)"not found\n", 10, false);
		return refuse(c, conn, 404, REJ_BAD_REQUEST, "no such API endpoint");
	case R_METHOD:
		return refuse(c, conn, 405, REJ_BAD_REQUEST, "method not allowed here");
	case R_ASSET: {
		const struct cockpit_asset *a =
			cockpit_asset_find(!strcmp(url, "/") ? "/index.html" : url);

		if (!a)
			return queue(conn, 404, "text/plain", (char *)"not found\n", 10, false);
		cockpit_conn_phase(c, conn, PH_SENDING);
		return queue(conn, 200, a->type, (char *)a->data, a->len, false);
	}
	case R_HEALTH:
		cockpit_health(c, reader, &r);
		return queue_reply(c, conn, &r);
	case R_METRICS:
		if (!reader)
			return refuse(c, conn, v == CRED_NONE || v == CRED_UNKNOWN ? 401 : 403,
				      REJ_UNAUTHENTICATED, "metrics need the analyst token");
		r.status = 200;
		r.type = "text/plain; version=0.0.4";
		r.text = cockpit_metrics_render(&c->m, c->backend);
		return queue_reply(c, conn, &r);
	case R_READ:
		if (!reader)
			return v == CRED_NODE || v == CRED_JOIN || v == CRED_JOIN_SPENT
				       ? refuse(c, conn, 403, REJ_FORBIDDEN,
						"a node or join token cannot read: use the analyst "
						"token")
				       : refuse(c, conn, 401, REJ_UNAUTHENTICATED,
						"missing or wrong bearer token");
		break;
	case R_WRITE:
		if (v == CRED_REVOKED)
			return refuse(c, conn, 401, REJ_REVOKED, "this node's token was revoked");
		if (v == CRED_ANALYST || v == CRED_JOIN || v == CRED_JOIN_SPENT)
			return refuse(c, conn, 403, REJ_FORBIDDEN,
				      "only a node token can write (enrol with the join token "
				      "first)");
		if (v != CRED_NODE)
			return refuse(c, conn, 401, REJ_UNAUTHENTICATED,
				      "missing or unknown node token");
		break;
	case R_ENROLL:
		if (v == CRED_NODE || v == CRED_ANALYST)
			return refuse(c, conn, 403, REJ_FORBIDDEN, "enrolment needs a join token");
		if (v != CRED_JOIN)
			return refuse(
				c, conn, 401, v == CRED_NONE ? REJ_UNAUTHENTICATED : REJ_REVOKED,
				"enrolment needs a join token that is valid and has uses left");
		break;
	}
	if (!identity_encoding(conn))
		return refuse(c, conn, 415, REJ_BAD_REQUEST,
			      "Content-Encoding is not supported: send the body as it is");
	{
		/* a query has no body: one would be read outside the budget of bodies in hand */
		size_t max = rt == R_READ			   ? 0
			     : rt == R_WRITE && ep == EP_HEARTBEAT ? MAX_HEARTBEAT_BODY
			     : rt == R_ENROLL			   ? 4096
								   : c->o.max_body_bytes;
		size_t reserve = has_size ? (size_t)size : max;

		if (rt == R_READ)
			reserve = 0;
		if (has_size && size > max)
			return refuse(c, conn, 413, REJ_TOO_LARGE,
				      max ? "request body too large" : "a query has no body");
		if (rt == R_WRITE) {
			unsigned wait = cockpit_rates_take(&c->rates, who, has_size ? size : max,
							   vigil_realtime_ns());

			if (wait)
				return refuse_after(c, conn, 429, REJ_RATE,
						    "this node writes faster than its rate: retry "
						    "later",
						    wait);
		}
		if (!cockpit_work_has_room(c, rt == R_ENROLL, rt == R_READ) ||
		    (rt == R_WRITE && !cockpit_work_has_room(c, true, false)))
			return refuse(c, conn, 503, REJ_BUSY, "busy: retry later");
		if (atomic_fetch_add(&c->m.inflight_bytes, reserve) + reserve >
		    c->o.max_inflight_bytes) {
			atomic_fetch_sub(&c->m.inflight_bytes, reserve);
			return refuse(c, conn, 503, REJ_BUSY,
				      "busy (request bodies in hand): retry later");
		}
		req = calloc(1, sizeof(*req));
		job = calloc(1, sizeof(*job));
		if (!req || !job) {
			free(req);
			free(job);
			atomic_fetch_sub(&c->m.inflight_bytes, reserve);
			return MHD_NO;
		}
		req->reserved = reserve;
		job->owner = req;
		req->max_body = max;
		req->job = job;
		job->conn = conn;
		job->req.route = rt;
		job->req.ep = ep;
		job->req.body.max = max + 1;
		/* the declared size at once: no copying as the body grows (it is within max) */
		if (has_size && size)
			vigil_buf__reserve(&job->req.body, (size_t)size);
		vigil_strlcpy(job->req.method, method, sizeof(job->req.method));
		vigil_strlcpy(job->req.path, url, sizeof(job->req.path));
		vigil_strlcpy(job->req.node, who, sizeof(job->req.node));
		job->req.args = json_object();
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, job->req.args);
	}
	*reqp = req;
	cockpit_conn_phase(c, conn, PH_BODY);
	return MHD_YES;
}

enum MHD_Result cockpit_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_data_size,
				    void **con_cls)
{
	struct vigil_cockpit *c = cls;
	struct request *req = *con_cls;
	struct cockpit_job *job;

	if (!req) {
		enum MHD_Result rc = on_headers(c, conn, url, method, &req);

		*con_cls = req;
		return rc;
	}
	job = req->job;
	if (*upload_data_size) {
		if (!req->too_large &&
		    (job->req.body.len + *upload_data_size > req->max_body ||
		     vigil_buf__append(&job->req.body, upload_data, *upload_data_size)))
			req->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->done)
		return queue_answer(c, conn, req);
	if (req->submitted) /* resumed before the job finished: cannot happen, but never hang */
		return MHD_YES;
	if (req->too_large) {
		struct cockpit_reply r = { .status = 413 };

		atomic_fetch_add(&c->m.rejected[REJ_TOO_LARGE], 1);
		r.body = json_pack("{s:s, s:I}", "error", "request body too large", "max_bytes",
				   (json_int_t)req->max_body);
		return queue_reply_ex(c, conn, &r, true, 0);
	}
	job->req.now_ns = vigil_realtime_ns();
	job->queued_ns = job->req.now_ns;
	req->submitted = true;
	MHD_suspend_connection(conn);
	cockpit_conn_phase(c, conn, PH_WORKING);
	/* a node's write is prepared on a reader first (work.c), then written */
	if (!cockpit_work_submit(c, job, job->req.route == R_ENROLL)) {
		/* full since the headers were judged: answer 503 at once */
		req->submitted = false;
		req->done = true;
		atomic_fetch_add(&c->m.rejected[REJ_BUSY], 1);
		cockpit_reply_error(&job->reply, 503, "busy: retry later");
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}

/* The loop calls this for each finished job: the connection is resumed and answered. */
void cockpit_http_resume(struct vigil_cockpit *c, struct cockpit_job *job)
{
	struct request *req = job->owner;

	req->done = true;
	MHD_resume_connection(job->conn);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, cut or failed). */
void cockpit_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			    enum MHD_RequestTerminationCode toe)
{
	struct vigil_cockpit *c = cls;
	struct request *req = *con_cls;

	if (req) {
		struct cockpit_job *job = req->job;

		atomic_fetch_sub(&c->m.inflight_bytes, req->reserved);
		if (job) {
			cockpit_req_release(&job->req);
			json_decref(job->reply.body);
			free(job->reply.text);
			free(job);
		}
		free(req);
		*con_cls = NULL;
	}
	cockpit_conn_phase(c, conn, PH_IDLE);
}
