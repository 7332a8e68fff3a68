// SPDX-License-Identifier: Apache-2.0
/*
 * The one encoder of events: the JSON "event" object (vigil trace --json, alerts, evidence)
 * and the one-line text (vigil trace, the zoom's event rows), both read from the event table.
 * Also the "process" and "workload" objects every event and alert carries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "event/table.h"
#include "util/buf.h"

#define NAMES_MAX 32

static const char *family_name(uint16_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : f == AF_UNIX ? "unix" : "";
}

void vigil_sockaddr__text(const struct vigil_sockaddr *a, char *out, size_t size)
{
	out[0] = '\0';
	if (a->family == AF_INET)
		inet_ntop(AF_INET, a->addr, out, (socklen_t)size);
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->addr, out, (socklen_t)size);
	else if (a->family == AF_UNIX && a->unix_path)
		snprintf(out, size, "%s", a->unix_path);
}

/* A field with nothing to say: left out when optional. */
static bool field_empty(const struct vigil_event *ev, const struct ev_field *f)
{
	switch (f->type) {
	case EV_STR:
		return !ev_field_str(ev, f)[0];
	case EV_ADDR:
	case EV_PORT:
	case EV_FAMILY:
		return !ev_field_addr(ev, f)->family;
	case EV_SAMPLE:
		return !*(const uint32_t *)((const unsigned char *)ev + f->len_off);
	default:
		return !ev_field_u64(ev, f);
	}
}

static json_t *names_json(const struct vigil_event *ev, const struct ev_field *f)
{
	const char *names[NAMES_MAX];
	size_t n = ev_names_get(f->names, ev_field_u64(ev, f), names, NAMES_MAX);
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

/* NAME: the value's name, or its number as text. */
static const char *name_text(const struct vigil_event *ev, const struct ev_field *f, char *buf,
			     size_t size)
{
	const char *n = NULL;

	if (ev_names_get(f->names, ev_field_u64(ev, f), &n, 1))
		return n;
	snprintf(buf, size, "%" PRIu64, ev_field_u64(ev, f));
	return buf;
}

static void sample_json(json_t *o, const struct vigil_event *ev, const struct ev_field *f)
{
	const uint8_t *d = *(const uint8_t *const *)((const unsigned char *)ev + f->off);
	uint32_t len = *(const uint32_t *)((const unsigned char *)ev + f->len_off);
	struct vigil_buf h = VIGIL_BUF_INIT;

	json_object_set_new(o, "sample_len", json_integer(d ? len : 0));
	if (!d || !len)
		return;
	vigil_buf__append_hex(&h, d, len);
	if (h.data)
		json_object_set_new(o, "sample_hex", json_string(h.data));
	vigil_buf__release(&h);
}

static json_t *field_json(const struct vigil_event *ev, const struct ev_field *f)
{
	char buf[128];

	switch (f->type) {
	case EV_STR:
		return vigil_json_text(ev_field_str(ev, f));
	case EV_BOOL:
		return json_boolean(ev_field_u64(ev, f));
	case EV_INT:
		return json_integer((json_int_t)ev_field_i64(ev, f));
	case EV_UINT:
		return json_integer((json_int_t)ev_field_u64(ev, f));
	case EV_NAME:
		return json_string(name_text(ev, f, buf, sizeof(buf)));
	case EV_FLAGS:
		return names_json(ev, f);
	case EV_ADDR:
		vigil_sockaddr__text(ev_field_addr(ev, f), buf, sizeof(buf));
		return vigil_json_text(buf); /* a unix socket's path is any bytes */
	case EV_PORT:
		return json_integer(ev_field_addr(ev, f)->port);
	case EV_FAMILY:
		return json_string(family_name(ev_field_addr(ev, f)->family));
	default:
		return NULL;
	}
}

json_t *vigil_event__json(const struct vigil_event *ev)
{
	const struct ev_desc *d = ev_desc_of(ev->kind);
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "type", json_string(vigil_event_kind__name(ev->kind)));
	for (size_t i = 0; d && i < d->nfields; i++) {
		const struct ev_field *f = &d->fields[i];

		if ((f->flags & EV_OPTIONAL) && field_empty(ev, f))
			continue;
		if (f->type == EV_SAMPLE)
			sample_json(o, ev, f);
		else
			json_object_set_new(o, f->name, field_json(ev, f));
	}
	if (ev->via_iouring)
		json_object_set_new(o, "via_iouring", json_true());
	return o;
}

/* ---- one line -------------------------------------------------------------------------- */

static void addr_port_text(const struct vigil_sockaddr *a, struct vigil_buf *b)
{
	char t[128], shown[512];

	vigil_sockaddr__text(a, t, sizeof(t));
	if (a->family == AF_INET6)
		vigil_buf__printf(b, "[%s]:%u", t, a->port);
	else if (a->family == AF_INET)
		vigil_buf__printf(b, "%s:%u", t, a->port);
	else
		vigil_buf__puts(b, vigil_text_shown(t, shown, sizeof(shown)));
}

static void field_text(const struct vigil_event *ev, const struct ev_field *f, struct vigil_buf *b)
{
	const char *names[NAMES_MAX];
	char buf[64], shown[1024];
	size_t n;

	switch (f->type) {
	case EV_STR:
		vigil_buf__puts(b, vigil_text_shown(ev_field_str(ev, f), shown, sizeof(shown)));
		break;
	case EV_INT:
		vigil_buf__printf(b, "%" PRId64, ev_field_i64(ev, f));
		break;
	case EV_UINT:
		vigil_buf__printf(b, "%" PRIu64, ev_field_u64(ev, f));
		break;
	case EV_NAME:
		vigil_buf__puts(b, name_text(ev, f, buf, sizeof(buf)));
		break;
	case EV_FLAGS:
		n = ev_names_get(f->names, ev_field_u64(ev, f), names, NAMES_MAX);
		for (size_t i = 0; i < n; i++)
			vigil_buf__printf(b, "%s%s", i ? "|" : "", names[i]);
		if (!n)
			vigil_buf__puts(b, "0");
		break;
	case EV_ADDR:
		addr_port_text(ev_field_addr(ev, f), b);
		break;
	case EV_SAMPLE:
		vigil_buf__printf(b, "%u",
				  *(const uint32_t *)((const unsigned char *)ev + f->len_off));
		break;
	default:
		break;
	}
}

/* On a line: the key bare and first, then NAME=VALUE; a port goes with its address, the
 * family and false booleans are left out, a true boolean is its name. */
int vigil_event__detail(const struct vigil_event *ev, char *buf, size_t size)
{
	const struct ev_desc *d = ev_desc_of(ev->kind);
	struct vigil_buf b = VIGIL_BUF_INIT;
	bool first = true;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	for (size_t pass = 0; d && pass < 2; pass++) {
		for (size_t i = 0; i < d->nfields; i++) {
			const struct ev_field *f = &d->fields[i];
			bool key = f->flags & EV_KEY;

			if (key != (pass == 0) || f->type == EV_PORT || f->type == EV_FAMILY ||
			    (f->type == EV_BOOL && !ev_field_u64(ev, f)) ||
			    ((f->flags & EV_OPTIONAL) && field_empty(ev, f)))
				continue;
			if (!first)
				vigil_buf__puts(&b, " ");
			first = false;
			if (f->type == EV_BOOL) {
				vigil_buf__puts(&b, f->name);
				continue;
			}
			if (!key)
				vigil_buf__printf(
					&b, "%s=", f->type == EV_SAMPLE ? "sample_len" : f->name);
			field_text(ev, f, &b);
		}
	}
	if (b.data)
		snprintf(buf, size, "%s", b.data);
	vigil_buf__release(&b);
	return 0;
}

/* ---- what compact copies keep ------------------------------------------------------------ */

static const struct ev_field *field_with(const struct vigil_event *ev, unsigned flag)
{
	const struct ev_desc *d = ev_desc_of(ev->kind);

	for (size_t i = 0; d && i < d->nfields; i++)
		if (d->fields[i].flags & flag)
			return &d->fields[i];
	return NULL;
}

const char *vigil_event__key(const struct vigil_event *ev, char *buf, size_t size)
{
	const struct ev_field *f = field_with(ev, EV_KEY);

	if (!f)
		return "";
	if (f->type == EV_STR)
		return ev_field_str(ev, f);
	if (f->type == EV_NAME)
		return name_text(ev, f, buf, size);
	return "";
}

const struct vigil_sockaddr *vigil_event__peer(const struct vigil_event *ev)
{
	const struct ev_field *f = field_with(ev, EV_PEER);

	return f ? ev_field_addr(ev, f) : NULL;
}

void vigil_event__net(const struct vigil_event *ev, uint8_t *ret_proto, uint8_t *ret_dir,
		      uint64_t *ret_bytes)
{
	const struct ev_field *p = field_with(ev, EV_PROTO), *d = field_with(ev, EV_DIR),
			      *b = field_with(ev, EV_BYTES);

	*ret_proto = p ? (uint8_t)ev_field_u64(ev, p) : 0;
	*ret_dir = d ? (uint8_t)ev_field_u64(ev, d) : 0;
	*ret_bytes = b ? ev_field_u64(ev, b) : 0;
}

size_t vigil_event__sample(const struct vigil_event *ev, const uint8_t **ret_data)
{
	const struct ev_desc *d = ev_desc_of(ev->kind);

	*ret_data = NULL;
	for (size_t i = 0; d && i < d->nfields; i++) {
		const struct ev_field *f = &d->fields[i];

		if (f->type != EV_SAMPLE)
			continue;
		*ret_data = *(const uint8_t *const *)((const unsigned char *)ev + f->off);
		return *ret_data ? *(const uint32_t *)((const unsigned char *)ev + f->len_off) : 0;
	}
	return 0;
}

const char *vigil_format_time_ns(uint64_t realtime_ns, char *buf, size_t size)
{
	time_t sec = (time_t)(realtime_ns / 1000000000ULL);
	struct tm tm;
	char date[32];

	if (!gmtime_r(&sec, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(date, sizeof(date), "1970-01-01T00:00:00");
	snprintf(buf, size, "%s.%09lluZ", date, (unsigned long long)(realtime_ns % 1000000000ULL));
	return buf;
}

/* ---- process and workload ---------------------------------------------------------------- */

json_t *vigil_process__json(const struct vigil_process *p)
{
	json_t *args = json_array(), *o;

	if (!p)
		return json_pack("{s:i,s:i,s:i,s:s,s:s,s:o,s:b,s:s,s:i,s:i,s:i,s:I}", "pid", 0,
				 "tid", 0, "ppid", 0, "comm", "", "exe", "", "args",
				 args ? args : json_array(), "args_truncated", 0, "cwd", "", "uid",
				 0, "gid", 0, "euid", 0, "start_ns", (json_int_t)0);
	for (uint32_t i = 0; args && p->argv && i < p->argc; i++)
		json_array_append_new(args, vigil_json_text(p->argv[i]));
	/* names, paths and arguments are the process's own choice: any bytes (json_text) */
	o = json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:b,s:o,s:I,s:I,s:I,s:I}", "pid",
		      (json_int_t)p->pid, "tid", (json_int_t)p->tid, "ppid", (json_int_t)p->ppid,
		      "comm", vigil_json_textn(p->comm, sizeof(p->comm)), "exe",
		      vigil_json_text(p->exe), "args", args ? args : json_array(), "args_truncated",
		      (int)p->args_truncated, "cwd", vigil_json_text(p->cwd), "uid",
		      (json_int_t)p->uid, "gid", (json_int_t)p->gid, "euid", (json_int_t)p->euid,
		      "start_ns", (json_int_t)p->start_ns);
	return o;
}

json_t *vigil_workload__json(const struct vigil_workload *w, const struct vigil_workload_info *info)
{
	const char *cid, *cgroup, *name;
	const struct vigil_workload_info none = { 0 };
	json_t *o;

	if (!info)
		info = &none;
	if (!w)
		return json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id", "", "name",
				 "", "cgroup", "", "cgroup_id", (json_int_t)0, "container_id", "",
				 "container_name", "", "runtime", "", "pod", "", "namespace", "",
				 "image", "", "mntns", (json_int_t)0);
	cid = w->container_id ? w->container_id : "";
	cgroup = w->cgroup_path ? w->cgroup_path : "";
	name = info->name ? info->name : (w->name && w->name[0] ? w->name : cgroup);
	/* a cgroup's name (and a workload named after it) is chosen by whoever made it */
	o = json_pack("{s:o,s:o,s:o,s:I,s:s,s:o,s:s,s:s,s:s,s:s,s:I}", "id",
		      vigil_json_text(cid[0] ? cid : cgroup), "name", vigil_json_text(name),
		      "cgroup", vigil_json_text(cgroup), "cgroup_id", (json_int_t)w->cgroup_id,
		      "container_id", cid, "container_name",
		      vigil_json_text(info->container_name ? info->container_name
				      : cid[0]		   ? name
							   : ""),
		      "runtime",
		      info->runtime ? info->runtime
		      : w->runtime  ? w->runtime
				    : "",
		      "pod", info->pod ? info->pod : "", "namespace",
		      info->namespace_ ? info->namespace_ : "", "image",
		      info->image ? info->image : "", "mntns", (json_int_t)w->mntns);
	/* Kubernetes only: the pod's uid and the controller whose profile it shares */
	if (o && info->pod_uid)
		json_object_set_new(o, "pod_uid", json_string(info->pod_uid));
	if (o && info->workload_kind) {
		json_object_set_new(o, "workload_kind", json_string(info->workload_kind));
		json_object_set_new(o, "workload_name",
				    json_string(info->workload_name ? info->workload_name : ""));
	}
	return o;
}
