// SPDX-License-Identifier: Apache-2.0
/*
 * The fleet's queries: nodes, one node, workloads, profiles, one profile (with its YAML) and
 * the diff of two profiles (lib/profile's diff, as `vigil profile diff` prints it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cockpit/cockpit_internal.h"
#include "util/strutil.h"
#include "vigil/profile.h"
#include "vigil/store.h"
#include "vigil/store_fleet.h"

#define DIFF_MAX (8u << 20)

static void nodes(struct cockpit_ctx *ctx, struct cockpit_req *req, const char *name,
		  struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	json_t *list = NULL, *wl = NULL, *node;

	if (!cockpit_query_args(req, &f, 0, r))
		return;
	if (name && !vigil_node_name__valid(name))
		return cockpit_reply_error(r, 400, "not a node name");
	if (!name)
		return cockpit_nodes_list(ctx, req, &f, r);
	f.node = name;
	if (vigil_store__nodes(ctx->store, &f, &list, &err))
		return cockpit_store_error(r, &err, "nodes");
	r->status = 200;
	node = json_incref(json_array_get(list, 0));
	json_decref(list);
	if (!node)
		return cockpit_reply_error(r, 404, "no node %s", name);
	f = (struct vigil_query){ .node = name, .now_ns = req->now_ns };
	if (vigil_store__workloads(ctx->store, &f, &wl, &err)) {
		json_decref(node);
		return cockpit_store_error(r, &err, "workloads");
	}
	json_object_set_new(node, "workloads", wl);
	r->body = node;
}

static void workloads(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	json_t *list = NULL;

	if (!cockpit_query_args(req, &f, 1000, r))
		return;
	if (vigil_store__workloads(ctx->store, &f, &list, &err))
		return cockpit_store_error(r, &err, "workloads");
	r->status = 200;
	r->body = json_pack("{s:o}", "workloads", list);
}

static void profiles(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	struct vigil_query f;
	json_t *list = NULL;

	if (!cockpit_query_args(req, &f, 1000, r))
		return;
	if (vigil_store__profiles(ctx->store, &f, &list, &err))
		return cockpit_store_error(r, &err, "profiles");
	r->status = 200;
	r->body = json_pack("{s:o}", "profiles", list);
}

/* "sha256:HEX" or "HEX" -> "sha256:HEX" into out; false when it is not a digest. */
static bool digest_arg(const char *in, char out[72])
{
	const char *hex = in && vigil_str_has_prefix(in, "sha256:") ? in + 7 : in;

	if (!hex || strlen(hex) != 64 || !vigil_is_hex(hex, 64))
		return false;
	snprintf(out, 72, "sha256:%s", hex);
	return true;
}

/* The profile with this digest (with yaml), or NULL with r answered. */
static json_t *profile_of(struct cockpit_ctx *ctx, const char *arg, struct cockpit_reply *r)
{
	struct vigil_error err = { 0 };
	char digest[72];
	json_t *p = NULL;
	int rc;

	if (!digest_arg(arg, digest)) {
		cockpit_reply_error(r, 400,
				    "a profile digest is sha256: and 64 lower-case hex digits");
		return NULL;
	}
	rc = vigil_store__profile(ctx->store, digest, &p, &err);
	if (rc == -ENOENT)
		cockpit_reply_error(r, 404, "no profile %s", digest);
	else if (rc)
		cockpit_store_error(r, &err, "the profile");
	return rc ? NULL : p;
}

static struct vigil_profile *load(const json_t *p, struct cockpit_reply *r)
{
	const json_t *yaml = json_object_get(p, "yaml");
	struct vigil_profile_limits lim = { .max_file_bytes = 4u << 20 };
	struct vigil_profile *prof = NULL;
	struct vigil_error err = { 0 };

	if (vigil_profile__load_buffer(json_string_value(yaml) ?: "", json_string_length(yaml),
				       json_string_value(json_object_get(p, "digest")), &lim, &prof,
				       &err)) {
		cockpit_reply_error(r, 500, "stored profile does not load: %s", err.message);
		return NULL;
	}
	return prof;
}

static void diff(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	json_t *a = profile_of(ctx, cockpit_arg(req, "a"), r), *b = NULL;
	struct vigil_profile *pa = NULL, *pb = NULL;
	struct vigil_buf out = VIGIL_BUF_INIT;
	int rc;

	if (!a || !(b = profile_of(ctx, cockpit_arg(req, "b"), r)))
		goto done;
	if (!(pa = load(a, r)) || !(pb = load(b, r)))
		goto done;
	out.max = DIFF_MAX;
	rc = vigil_profile__diff(pa, pb, &out);
	if (rc < 0) {
		cockpit_reply_error(r, 500, "cannot diff: %s", strerror(-rc));
		goto done;
	}
	r->status = 200;
	r->body = json_pack("{s:O, s:O, s:b, s:s}", "a", json_object_get(a, "digest"), "b",
			    json_object_get(b, "digest"), "equal", rc == 0, "diff",
			    out.data ? out.data : "");
done:
	vigil_buf__release(&out);
	vigil_profile__free(pa);
	vigil_profile__free(pb);
	json_decref(a);
	json_decref(b);
}

void cockpit_read_fleet(struct cockpit_ctx *ctx, struct cockpit_req *req, struct cockpit_reply *r)
{
	const char *p = req->path;

	if (!strcmp(p, "/api/v1/nodes"))
		return nodes(ctx, req, NULL, r);
	if (vigil_str_has_prefix(p, "/api/v1/nodes/"))
		return nodes(ctx, req, p + strlen("/api/v1/nodes/"), r);
	if (!strcmp(p, "/api/v1/workloads"))
		return workloads(ctx, req, r);
	if (!strcmp(p, "/api/v1/profiles"))
		return profiles(ctx, req, r);
	if (!strcmp(p, "/api/v1/profiles/diff"))
		return diff(ctx, req, r);
	if (vigil_str_has_prefix(p, "/api/v1/profiles/")) {
		json_t *prof = profile_of(ctx, p + strlen("/api/v1/profiles/"), r);

		if (prof) {
			r->status = 200;
			r->body = prof;
		}
		return;
	}
	cockpit_reply_error(r, 404, "no API endpoint %s", p);
}
