// SPDX-License-Identifier: Apache-2.0
/*
 * The analysis pipeline: an incident's events -> the report (docs/EVIDENCE.md). Destinations
 * with counts, bytes and beacon scores; the protocol and entropy of each payload sample; the
 * sensitive files read and whether their bytes went out; languages of the processes; a one-line
 * summary. Secrets found in payload samples are redacted unless keep_secrets is set.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/strutil.h"
#include "sensor/zoom/zoom_internal.h"
#include "util/digest.h"

#define MAX_DESTS	   256
#define MAX_CONTACTS	   4096
#define MAX_FLOWS	   200
#define MAX_FILES	   64
#define BURST_NS	   100000000ull /* writes closer than this are one message */
#define DNS_BEFORE_CONN_NS 2000000000ull

struct dest {
	uint16_t family, port;
	uint8_t addr[16];
	uint8_t proto;
	char dns[128];
	uint32_t connections, messages;
	uint64_t first_ns, last_ns, bytes_out, bytes_in;
	enum vigil_proto protocol;
	bool protocol_from_out;
	uint64_t *t, *sz; /* contacts */
	size_t n;
	uint64_t last_contact_ns;
	struct vigil_beacon beacon;
};

/* A destination is named once in a file's "sent_to", however many messages carried it. */
static bool json_array_has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

static void fmt_addr(uint16_t family, const uint8_t *addr, char *buf, size_t size)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static void fmt_dest(const struct dest *d, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	fmt_addr(d->family, d->addr, a, sizeof(a));
	if (d->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, d->port);
	else
		snprintf(buf, size, "%s:%u", a, d->port);
}

static bool is_net(const struct zev *e)
{
	return (e->kind == VIGIL_EV_CONNECT || e->kind == VIGIL_EV_NET_IO ||
		e->kind == VIGIL_EV_ACCEPT || e->kind == VIGIL_EV_SEND) &&
	       (e->family == AF_INET || e->family == AF_INET6);
}

static struct dest *dest_get(struct dest *ds, size_t *n, const struct zev *e)
{
	for (size_t i = 0; i < *n; i++)
		if (ds[i].family == e->family && ds[i].port == e->port &&
		    !memcmp(ds[i].addr, e->addr, e->family == AF_INET6 ? 16 : 4) &&
		    ds[i].proto == e->proto)
			return &ds[i];
	if (*n >= MAX_DESTS)
		return NULL;
	memset(&ds[*n], 0, sizeof(ds[*n]));
	ds[*n].family = e->family;
	ds[*n].port = e->port;
	ds[*n].proto = e->proto;
	memcpy(ds[*n].addr, e->addr, 16);
	ds[*n].first_ns = e->time_ns;
	return &ds[(*n)++];
}

static void contact(struct dest *d, uint64_t t, uint64_t bytes)
{
	/* a burst of writes is one message */
	if (d->n && t - d->last_contact_ns < BURST_NS) {
		d->sz[d->n - 1] += bytes;
		d->last_contact_ns = t;
		return;
	}
	if (d->n >= MAX_CONTACTS)
		return;
	if (!d->t) {
		d->t = calloc(MAX_CONTACTS, sizeof(*d->t));
		d->sz = calloc(MAX_CONTACTS, sizeof(*d->sz));
		if (!d->t || !d->sz)
			return;
	}
	d->t[d->n] = t;
	d->sz[d->n] = bytes;
	d->n++;
	d->last_contact_ns = t;
	d->messages++;
}

static int cmp_zev_time(const void *a, const void *b)
{
	const struct zev *x = *(const struct zev *const *)a, *y = *(const struct zev *const *)b;

	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

static const char *proto_phrase(enum vigil_proto p)
{
	switch (p) {
	case VIGIL_PROTO_BINARY:
		return "in an unknown binary protocol";
	case VIGIL_PROTO_TEXT:
		return "in an unknown text protocol";
	case VIGIL_PROTO_HTTP:
		return "over plain HTTP";
	case VIGIL_PROTO_TLS:
		return "over TLS";
	case VIGIL_PROTO_DNS:
		return "over DNS";
	case VIGIL_PROTO_REDIS:
		return "in the Redis protocol";
	case VIGIL_PROTO_POSTGRES:
		return "in the Postgres protocol";
	case VIGIL_PROTO_MYSQL:
		return "in the MySQL protocol";
	default:
		return "";
	}
}

/* The report being built: the incident's events in time order and each section's state. */
struct report {
	const struct zinc *inc;
	const struct vigil_zoom_opts *o;
	const struct zev **ev; /* inc->ev sorted by time */
	struct dest *ds;
	size_t nd;
	json_t *events, *procs, *dests, *flows, *files, *rules, *langs;
	size_t nflows, nfiles;
	/* per sensitive-file read: where its bytes were found going out */
	const struct zev *file_ev[MAX_FILES];
	json_t *file_sent[MAX_FILES];
	const char *last_dns;
	uint64_t last_dns_ns, bytes;
	const struct dest *top; /* the destination that matters most */
	const char *sent_file, *read_file;
	char sent_to[80];
};

/* Sensitive files read (FILE_READ with a content sample, or an open): one row per file and
 * process, a later read with content winning. */
static void collect_files(struct report *b)
{
	for (size_t i = 0; i < b->inc->nev && b->nfiles < MAX_FILES; i++) {
		const struct zev *e = b->ev[i];
		bool dup = false;

		if ((e->kind != VIGIL_EV_FILE_READ && e->kind != VIGIL_EV_OPEN) ||
		    !vigil_secret__sensitive_path(e->text))
			continue;
		for (size_t f = 0; f < b->nfiles; f++)
			if (!strcmp(b->file_ev[f]->text, e->text) && b->file_ev[f]->pid == e->pid) {
				if (!b->file_ev[f]->data_len && e->data_len)
					b->file_ev[f] = e;
				dup = true;
			}
		if (dup)
			continue;
		b->file_ev[b->nfiles] = e;
		b->file_sent[b->nfiles] = json_array();
		b->nfiles++;
	}
}

/* The "events" section: one row per event, its detail as `vigil trace` prints it. */
static void event_row(struct report *b, size_t seq, const struct zev *e)
{
	json_array_append_new(
		b->events,
		json_pack("{s:I, s:I, s:s, s:I, s:o, s:b, s:o, s:I}", "seq", (json_int_t)seq,
			  "time_ns", (json_int_t)e->time_ns, "kind",
			  vigil_event_kind__name((enum vigil_event_kind)e->kind), "pid",
			  (json_int_t)e->pid, "comm", vigil_json_textn(e->comm, sizeof(e->comm)),
			  "via_iouring", (int)e->via_iouring, "detail",
			  vigil_json_text(zev_detail(e)), "bytes", (json_int_t)e->bytes));
}

/* Sensitive file f went to addr: the file's "sent_to" names it once; the first such pair is
 * the summary's "read FILE and sent it to ADDR". */
static void mark_sent(struct report *b, size_t f, const char *addr)
{
	if (!json_array_has_string(b->file_sent[f], addr))
		json_array_append_new(b->file_sent[f], vigil_json_text(addr));
	if (!b->sent_file) {
		b->sent_file = b->file_ev[f]->text;
		vigil_strlcpy(b->sent_to, addr, sizeof(b->sent_to));
	}
}

/* A message the kernel copied out of a sensitive file (sendfile, splice, copy_file_range):
 * there is no sample to match, the record names the file (its data is the path). */
static void file_copied_out(struct report *b, const struct zev *e, const char *addr)
{
	for (size_t f = 0; e->dir != VIGIL_DIR_INBOUND && f < b->nfiles; f++) {
		const struct zev *fe = b->file_ev[f];

		if (fe->time_ns > e->time_ns || fe->text_len != e->data_len ||
		    memcmp(fe->text, zev_data(e), e->data_len))
			continue;
		mark_sent(b, f, addr);
	}
}

/* Secret bytes of a sensitive file read before this payload sample and found in it: the
 * file's "sent_to" gains addr, and the sample gets a redaction unless keep_secrets. */
static void find_sent_secrets(struct report *b, const struct zev *e, uint8_t *sample,
			      const char *addr, json_t *red)
{
	for (size_t f = 0; e->dir != VIGIL_DIR_INBOUND && f < b->nfiles; f++) {
		const struct zev *fe = b->file_ev[f];
		struct vigil_secret_match m;

		if (!fe->data_len || fe->time_ns > e->time_ns)
			continue;
		if (vigil_secret__find(zev_data(fe), fe->data_len, sample, e->data_len, &m) != 1)
			continue;
		mark_sent(b, f, addr);
		if (!b->o->keep_secrets) {
			struct vigil_redaction rd;
			char txt[160];

			vigil_redact(sample, e->data_len, m.payload_off, m.len, &rd);
			snprintf(txt, sizeof(txt), "sha256:%s len:%zu prefix:%s file:%.40s",
				 rd.sha256, rd.len, rd.prefix_hex, fe->text);
			json_array_append_new(red, json_string(txt));
		}
	}
}

/* The "flows" section: one payload sample with its protocol, entropy and redactions. */
static void flow_row(struct report *b, struct dest *d, const struct zev *e, const char *addr)
{
	struct vigil_proto_info pi;
	uint8_t *sample;
	json_t *red = json_array();
	struct vigil_buf hex = VIGIL_BUF_INIT;
	const uint8_t *data = zev_data(e);
	char ip[INET6_ADDRSTRLEN];

	/* "addr" is the address alone, as in "destinations" (the port has its own field) */
	fmt_addr(e->family, e->addr, ip, sizeof(ip));
	vigil_proto__detect(data, e->data_len, &pi);
	/* the destination's protocol is what its socket carries (TLS), not the plaintext */
	if (!e->tls && (d->protocol == VIGIL_PROTO_NONE ||
			(!d->protocol_from_out && e->dir != VIGIL_DIR_INBOUND))) {
		d->protocol = pi.proto;
		d->protocol_from_out = e->dir != VIGIL_DIR_INBOUND;
	}
	if (b->nflows >= MAX_FLOWS || !red || !(sample = malloc(e->data_len))) {
		json_decref(red);
		return;
	}
	memcpy(sample, data, e->data_len);
	find_sent_secrets(b, e, sample, addr, red);
	vigil_buf__append_hex(&hex, sample, e->data_len);
	free(sample);
	json_array_append_new(
		b->flows,
		json_pack("{s:I, s:s, s:i, s:s, s:b, s:b, s:s, s:o, s:f, s:I, s:s, s:o}", "time_ns",
			  (json_int_t)e->time_ns, "addr", ip, "port", (int)e->port, "direction",
			  e->dir == VIGIL_DIR_INBOUND ? "in" : "out", "via_iouring",
			  (int)e->via_iouring, "tls", (int)(e->tls != 0), "protocol",
			  vigil_proto__name(pi.proto), "detail", vigil_json_text(pi.detail),
			  "entropy", pi.entropy, "bytes", (json_int_t)e->bytes, "sample_hex",
			  hex.data ? hex.data : "", "redactions", red));
	vigil_buf__release(&hex);
	b->nflows++;
}

/* A network event counted against its destination (connections, messages, bytes, the DNS
 * name asked just before a connect). */
static void account_net(struct report *b, const struct zev *e, const char *addr)
{
	struct dest *d;

	if (!is_net(e) || !(d = dest_get(b->ds, &b->nd, e)))
		return;
	if (e->time_ns < d->first_ns)
		d->first_ns = e->time_ns;
	if (e->time_ns > d->last_ns)
		d->last_ns = e->time_ns;
	if (e->kind == VIGIL_EV_CONNECT || e->kind == VIGIL_EV_ACCEPT) {
		d->connections++;
		if (e->kind == VIGIL_EV_CONNECT) {
			contact(d, e->time_ns, 0);
			if (b->last_dns && !d->dns[0] &&
			    e->time_ns - b->last_dns_ns <= DNS_BEFORE_CONN_NS)
				vigil_strlcpy(d->dns, b->last_dns, sizeof(d->dns));
		}
		return;
	}
	/* a message with no connect: a destination (its bytes and contacts come from NET_IO) */
	if (e->kind == VIGIL_EV_SEND) {
		if (b->last_dns && !d->dns[0] && e->time_ns - b->last_dns_ns <= DNS_BEFORE_CONN_NS)
			vigil_strlcpy(d->dns, b->last_dns, sizeof(d->dns));
		return;
	}
	/* NET_IO; TLS plaintext is a sample only: its socket's own records count the bytes */
	if (e->tls) {
		if (e->data_len)
			flow_row(b, d, e, addr);
		return;
	}
	if (e->dir == VIGIL_DIR_INBOUND) {
		d->bytes_in += e->bytes;
	} else {
		d->bytes_out += e->bytes;
		contact(d, e->time_ns, e->bytes);
	}
	if (e->from_file)
		file_copied_out(b, e, addr);
	else if (e->data_len)
		flow_row(b, d, e, addr);
}

static void walk_events(struct report *b)
{
	for (size_t i = 0; i < b->inc->nev; i++) {
		const struct zev *e = b->ev[i];
		char addr[80] = "";

		if (!e->tls)
			b->bytes += e->bytes;
		if (e->family == AF_INET || e->family == AF_INET6) {
			struct dest tmp = { .family = e->family, .port = e->port };

			memcpy(tmp.addr, e->addr, 16);
			fmt_dest(&tmp, addr, sizeof(addr));
		}
		event_row(b, i, e);
		if (e->kind == VIGIL_EV_DNS) {
			b->last_dns = e->text;
			b->last_dns_ns = e->time_ns;
		}
		account_net(b, e, addr);
	}
}

/* The "destinations" section, with beacon scores; picks the top one for the summary. */
static void destinations(struct report *b)
{
	for (size_t i = 0; i < b->nd; i++) {
		struct dest *d = &b->ds[i];
		const struct dest *top = b->top;
		char ip[INET6_ADDRSTRLEN];

		if (d->n)
			vigil_beacon__score(d->t, d->sz, d->n, &d->beacon);
		if (!d->beacon.band)
			d->beacon.band = "none";
		fmt_addr(d->family, d->addr, ip, sizeof(ip));
		json_array_append_new(
			b->dests,
			json_pack(
				"{s:s, s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, "
				"s:f, s:s, s:I}",
				"addr", ip, "port", (int)d->port, "transport",
				d->proto == IPPROTO_UDP ? "udp" : "tcp", "dns", d->dns, "protocol",
				vigil_proto__name(d->protocol), "connections",
				(json_int_t)d->connections, "messages", (json_int_t)d->messages,
				"first_ns", (json_int_t)d->first_ns, "last_ns",
				(json_int_t)d->last_ns, "bytes_out", (json_int_t)d->bytes_out,
				"bytes_in", (json_int_t)d->bytes_in, "beacon_score",
				d->beacon.scored ? d->beacon.score : 0.0, "beacon_ts_score",
				d->beacon.ts_score, "beacon_ds_score", d->beacon.ds_score,
				"beacon_band", d->beacon.scored ? d->beacon.band : "unscored",
				"interval_ns", (json_int_t)d->beacon.interval_ns));
		/* highest beacon score, then most messages */
		if (!top || (d->beacon.scored && d->beacon.score > top->beacon.score) ||
		    (!top->beacon.scored && d->messages > top->messages))
			b->top = d;
	}
}

/* The "files" section: sensitive files read, a hash of their sample, where they went. */
static void files(struct report *b)
{
	for (size_t f = 0; f < b->nfiles; f++) {
		const struct zev *fe = b->file_ev[f];
		unsigned char md[VIGIL_SHA256_LEN];
		struct vigil_buf h = VIGIL_BUF_INIT;

		if (fe->data_len) {
			vigil_sha256(zev_data(fe), fe->data_len, md);
			vigil_buf__append_hex(&h, md, sizeof(md));
		}
		if (!b->read_file)
			b->read_file = fe->text;
		json_array_append_new(b->files,
				      json_pack("{s:I, s:o, s:I, s:I, s:s, s:i, s:o}", "time_ns",
						(json_int_t)fe->time_ns, "path",
						vigil_json_text(fe->text), "pid",
						(json_int_t)fe->pid, "bytes", (json_int_t)fe->bytes,
						"sample_sha256", h.data ? h.data : "", "sample_len",
						(int)fe->data_len, "sent_to", b->file_sent[f]));
		b->file_sent[f] = NULL;
		vigil_buf__release(&h);
	}
}

/* The "processes" section with their languages, and the "languages" seen. */
static void processes(struct report *b)
{
	for (size_t i = 0; i < b->inc->nprocs; i++) {
		const struct zproc *p = &b->inc->procs[i];
		const char *ln = p->lang_known ? vigil_lang__name(p->lang.lang) : "unknown";
		bool seen = false;
		size_t j;
		json_t *l;

		json_array_append_new(
			b->procs,
			json_pack(
				"{s:I, s:o, s:o, s:s, s:o, s:o, s:I}", "pid", (json_int_t)p->pid,
				"comm", vigil_json_textn(p->comm, sizeof(p->comm)), "exe",
				vigil_json_text(p->exe), "language", ln, "language_version",
				vigil_json_text(p->lang_known ? p->lang.version : ""),
				"language_evidence",
				vigil_json_text(p->lang_known ? p->lang.evidence : "process gone"),
				"first_ns", (json_int_t)p->first_ns));
		json_array_foreach(b->langs, j, l)
		{
			seen = seen || !strcmp(json_string_value(l), ln);
		}
		if (!seen && p->lang_known)
			json_array_append_new(b->langs, json_string(ln));
	}
}

/* The "rules" section: each rule id of the incident's alerts once. */
static void rules(struct report *b)
{
	size_t i;
	json_t *a;

	json_array_foreach(b->inc->alerts, i, a)
	{
		const char *rid = json_string_value(json_object_get(a, "rule_id"));
		bool seen = false;
		size_t j;
		json_t *x;

		json_array_foreach(b->rules, j, x)
		{
			seen = seen || (rid && !strcmp(json_string_value(x), rid));
		}
		if (rid && !seen)
			json_array_append_new(b->rules, json_string(rid));
	}
}

/* The one-line summary: who (and in which language) read what, sent it where, how often. */
static void summary(const struct report *b, struct vigil_buf *sum)
{
	const struct zinc *inc = b->inc;
	const struct dest *top = b->top;
	const json_t *a0 = json_array_get(inc->alerts, 0);
	const json_t *p0 = json_object_get(a0, "process");
	const char *comm = json_string_value(json_object_get(p0, "comm"));
	uint32_t pid = (uint32_t)json_integer_value(json_object_get(p0, "pid"));
	const char *lang = NULL;
	char topa[80] = "";

	if (!comm && inc->nprocs)
		comm = inc->procs[0].comm;
	for (size_t i = 0; i < inc->nprocs; i++)
		if (inc->procs[i].lang_known && (!pid || inc->procs[i].pid == pid)) {
			lang = vigil_lang__name(inc->procs[i].lang.lang);
			break;
		}
	if (top)
		fmt_dest(top, topa, sizeof(topa));
	/* a compromise (an alert of severity 8 or more) leads with its root cause: the incident
	 * list shows the summary */
	if (inc->head.text[0] && inc->head.sev >= 8)
		vigil_buf__printf(sum, "%s; ", inc->head.text);
	vigil_buf__printf(sum, "%s", comm ? comm : inc->wl->name);
	if (lang && strcmp(lang, "unknown"))
		vigil_buf__printf(sum, " (%s)", lang);
	if (b->sent_file)
		vigil_buf__printf(sum, " read %s and sent it to %s", b->sent_file, b->sent_to);
	else if (b->read_file)
		vigil_buf__printf(sum, " read %s", b->read_file);
	if (top && (!b->sent_file || strcmp(topa, b->sent_to)))
		vigil_buf__printf(sum, "%s contacted %s", b->read_file ? "," : "", topa);
	if (top && top->beacon.scored && top->beacon.score >= 0.7)
		vigil_buf__printf(sum, " every %.1f s (beacon score %.2f)",
				  (double)top->beacon.interval_ns / 1e9, top->beacon.score);
	else if (top && top->messages > 1)
		vigil_buf__printf(sum, " %u times", top->messages);
	if (top && proto_phrase(top->protocol)[0])
		vigil_buf__printf(sum, " %s", proto_phrase(top->protocol));
	if (!top && !b->read_file)
		vigil_buf__printf(sum, ": %zu alert(s), %zu event(s)", json_array_size(inc->alerts),
				  inc->nev);
}

/*
 * What the incident's bursts say (docs/DETECTION.md §6): how many alerts their summaries
 * stand for, and the DNS tunnels they named, one per domain (the latest figures).
 */
static void add_bursts(json_t *r, const json_t *alerts)
{
	json_t *tunnels = json_array(), *a;
	json_int_t folded = 0;
	size_t i, k;

	json_array_foreach(alerts, i, a)
	{
		const json_t *t = json_object_get(a, "dns_tunnel");
		const char *dom = json_string_value(json_object_get(t, "domain"));
		json_t *o;

		folded += json_integer_value(json_object_get(json_object_get(a, "burst"), "count"));
		if (!dom || !tunnels)
			continue;
		json_array_foreach(
			tunnels, k,
			o) if (!strcmp(json_string_value(json_object_get(o, "domain")), dom)) break;
		if (k < json_array_size(tunnels))
			json_array_set(tunnels, k, (json_t *)t);
		else
			json_array_append(tunnels, (json_t *)t);
	}
	json_object_set_new(r, "alerts_folded", json_integer(folded));
	json_object_set_new(r, "dns_tunnels", tunnels ? tunnels : json_array());
}

/* The report object: the incident's identity and times, then every section (taken over). */
static json_t *assemble(struct report *b, bool closed, const char *summary_text)
{
	const struct zinc *inc = b->inc;
	json_t *r = json_object();
	char host[256] = "";

	if (!r)
		return NULL;
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(r, "incident_id", json_string(inc->id));
	json_object_set_new(r, "state", json_string(closed ? "closed" : "open"));
	json_object_set_new(
		r, "workload",
		json_pack("{s:o, s:o, s:I, s:o, s:s}", "id", vigil_json_text(inc->workload_id),
			  "name", vigil_json_text(inc->wl->name), "cgroup_id",
			  (json_int_t)inc->wl->cgroup_id, "cgroup",
			  vigil_json_text(inc->wl->cgroup), "container_id", inc->wl->container_id));
	json_object_set_new(r, "host", json_string(host));
	json_object_set_new(r, "opened_ns", json_integer((json_int_t)inc->opened_ns));
	json_object_set_new(
		r, "start_ns",
		json_integer((json_int_t)(inc->first_ns && inc->first_ns < inc->opened_ns
						  ? inc->first_ns
						  : inc->opened_ns)));
	json_object_set_new(r, "end_ns",
			    json_integer((json_int_t)(closed && inc->closed_ns < inc->planned_end_ns
							      ? inc->closed_ns
							      : inc->planned_end_ns)));
	json_object_set_new(r, "closed_ns",
			    json_integer((json_int_t)(closed ? inc->closed_ns : 0)));
	json_object_set_new(r, "alert_count",
			    json_integer((json_int_t)json_array_size(inc->alerts)));
	json_object_set_new(r, "event_count", json_integer((json_int_t)inc->nev));
	json_object_set_new(r, "events_dropped", json_integer(inc->dropped));
	json_object_set_new(r, "bytes", json_integer((json_int_t)b->bytes));
	json_object_set_new(r, "rules", b->rules);
	json_object_set_new(r, "languages", b->langs);
	json_object_set_new(r, "headline", vigil_json_text(inc->head.text));
	json_object_set_new(r, "summary", vigil_json_text(summary_text));
	json_object_set_new(r, "alerts", json_deep_copy(inc->alerts));
	add_bursts(r, inc->alerts);
	json_object_set_new(r, "processes", b->procs);
	json_object_set_new(r, "destinations", b->dests);
	json_object_set_new(r, "flows", b->flows);
	json_object_set_new(r, "files", b->files);
	json_object_set_new(r, "events", b->events);
	json_object_set_new(r, "bounds",
			    json_pack("{s:I, s:I, s:I, s:b}", "incident_bytes",
				      (json_int_t)b->o->incident_bytes, "bytes_kept",
				      (json_int_t)inc->bytes, "sample_bytes",
				      (json_int_t)b->o->sample_bytes, "secrets_redacted",
				      !b->o->keep_secrets));
	b->rules = b->langs = b->procs = b->dests = b->flows = b->files = b->events = NULL;
	return r;
}

static void report_release(struct report *b)
{
	for (size_t i = 0; b->ds && i < b->nd; i++) {
		free(b->ds[i].t);
		free(b->ds[i].sz);
	}
	for (size_t f = 0; f < b->nfiles; f++)
		json_decref(b->file_sent[f]);
	free(b->ds);
	free(b->ev);
	json_decref(b->events);
	json_decref(b->procs);
	json_decref(b->dests);
	json_decref(b->flows);
	json_decref(b->files);
	json_decref(b->rules);
	json_decref(b->langs);
}

json_t *zoom_build_report(const struct zinc *inc, const struct vigil_zoom_opts *o, bool closed)
{
	struct report b = { .inc = inc, .o = o };
	struct vigil_buf sum = VIGIL_BUF_INIT;
	json_t *r = NULL;

	b.ds = calloc(MAX_DESTS, sizeof(*b.ds));
	b.ev = malloc((inc->nev ? inc->nev : 1) * sizeof(*b.ev));
	b.events = json_array();
	b.procs = json_array();
	b.dests = json_array();
	b.flows = json_array();
	b.files = json_array();
	b.rules = json_array();
	b.langs = json_array();
	if (!b.ds || !b.ev || !b.events || !b.procs || !b.dests || !b.flows || !b.files ||
	    !b.rules || !b.langs)
		goto out;
	for (size_t i = 0; i < inc->nev; i++)
		b.ev[i] = inc->ev[i];
	qsort(b.ev, inc->nev, sizeof(*b.ev), cmp_zev_time);

	collect_files(&b);
	walk_events(&b);
	destinations(&b);
	files(&b);
	processes(&b);
	rules(&b);
	summary(&b, &sum);
	r = assemble(&b, closed, sum.data ? sum.data : "");
out:
	vigil_buf__release(&sum);
	report_release(&b);
	return r;
}
