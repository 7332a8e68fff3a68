/* SPDX-License-Identifier: Apache-2.0 */
/* Private to sensor/zoom: compact event copies, workloads with their rings, incidents. */
#ifndef VIGIL_ZOOM_INTERNAL_H
#define VIGIL_ZOOM_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/analysis.h"
#include "vigil/zoom.h"

/*
 * A compact copy of an event: what the analysis needs, no pointers, filled from the event table
 * (lib/event/): the kind's main text (key: a path, a DNS name), its line as `vigil trace`
 * prints it (detail: the evidence's event rows), the other end's address, protocol, direction,
 * bytes and sample. In a ring it sits in a fixed slot (texts bounded, no sample: zoom is off
 * before an incident); in an incident it is allocated at its own size.
 */
struct zev {
	uint64_t time_ns;
	uint64_t bytes; /* NET_IO bytes, FILE_READ size */
	uint32_t pid;
	uint8_t kind;
	uint8_t dir; /* enum vigil_direction */
	uint8_t via_iouring;
	uint8_t proto;	   /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t from_file; /* NET_IO copied from a sensitive file: the data is its path */
	uint8_t tls;	   /* NET_IO plaintext at a TLS library call (enum vigil_tls_call) */
	uint16_t family;
	uint16_t port; /* the other end's */
	uint8_t addr[16];
	char comm[16];
	uint16_t text_len;   /* text[text_len] is NUL */
	uint16_t detail_len; /* the detail follows the text's NUL, NUL-terminated */
	uint16_t data_len;   /* the sample follows the detail's NUL */
	char text[];
};

#define ZSLOT_BYTES 256u

static inline const char *zev_detail(const struct zev *e)
{
	return e->text + e->text_len + 1;
}

static inline const uint8_t *zev_data(const struct zev *e)
{
	return (const uint8_t *)zev_detail(e) + e->detail_len + 1;
}

/* Bytes the copy takes. */
static inline size_t zev_bytes(const struct zev *e)
{
	return sizeof(*e) + e->text_len + 1 + e->detail_len + 1 + e->data_len;
}

struct zproc {
	uint32_t pid;
	char comm[16];
	char exe[256];
	struct vigil_lang_info lang;
	bool lang_known;
	uint64_t first_ns;
};

struct zinc;

struct zwl {
	uint64_t cgroup_id;
	char name[128];
	char cgroup[256];
	char container_id[72];
	uint8_t *slots; /* nslots * ZSLOT_BYTES */
	uint32_t nslots, head, count;
	struct zwl *lru_prev, *lru_next; /* most recent at the list head */
	struct zinc *inc;		 /* open incident, pins the workload */
};

#define ZINC_MAX_PROCS 256
#define ZHEAD_PIDS     32
#define ZHEAD_RAN      4

/* The incident's headline as it stands (headline.c). */
struct zhead {
	char text[384];
	char root[256]; /* "postgres started /usr/bin/dash" */
	char user[64];
	char ran[ZHEAD_RAN][32];
	size_t nran;
	int sev;		   /* the root alert's severity */
	int tunnel_names;	   /* when the root names a DNS tunnel: its unique names */
	uint32_t pids[ZHEAD_PIDS]; /* the root's process tree, as alerts showed it */
	size_t npids;
};

struct zinc {
	char id[VIGIL_INCIDENT_ID_LEN + 1];
	struct zwl *wl;
	char workload_id[128];
	uint64_t opened_ns, first_ns, last_ns, last_alert_ns, closed_ns, planned_end_ns;
	json_t *alerts;
	struct zev **ev;
	size_t nev, cap, bytes;
	uint32_t dropped;
	struct zproc procs[ZINC_MAX_PROCS];
	size_t nprocs;
	struct zhead head;
};

/* Folds an alert (its JSON) into the incident's headline. */
void zoom_headline_alert(struct zinc *inc, const json_t *alert);

/* Builds the report of an incident (open or closed). NULL on ENOMEM. */
json_t *zoom_build_report(const struct zinc *inc, const struct vigil_zoom_opts *o, bool closed);

/* Fills a compact copy of ev into dst (cap bytes); sample bytes at most max_data. Returns the
 * bytes used. */
size_t zev_fill(struct zev *dst, size_t cap, const struct vigil_event *ev, size_t max_data);
/* Bytes a full copy of ev needs with at most max_data sample bytes. */
size_t zev_size(const struct vigil_event *ev, size_t max_data);

#endif
