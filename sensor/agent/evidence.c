// SPDX-License-Identifier: Apache-2.0
/*
 * Evidence for `vigil watch --evidence` and the agent's `evidence:`: zoom (recorder rings,
 * incidents opened by alerts, deeper capture for that workload) wired to the sensor and to a
 * store (SQLite or ClickHouse).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#include "util/clock.h"
#include "vigil/agent.h"
#include "vigil/store.h"
#include "vigil/zoom.h"

struct vigil_evidence {
	struct vigil_sensor *s;
	struct vigil_zoom *z;
	struct vigil_store *store;
	uint64_t reports;
	vigil_evidence_report_fn report_fn; /* also told of each report (the cockpit uplink) */
	void *report_ctx;
};

static int set_zoom(void *ctx, uint64_t cgroup_id, bool on)
{
	struct vigil_evidence *e = ctx;

	return vigil_sensor__set_zoom(e->s, cgroup_id, on);
}

static int on_report(void *ctx, const json_t *report, bool closed)
{
	struct vigil_evidence *e = ctx;
	int err = vigil_store__put_report(e->store, report);

	e->reports++;
	/* a closed incident is final: write it now rather than at the next flush */
	if (!err && closed)
		err = vigil_store__flush(e->store, NULL);
	if (e->report_fn)
		e->report_fn(e->report_ctx, report, closed);
	return err;
}

void vigil_evidence__set_report_cb(struct vigil_evidence *e, vigil_evidence_report_fn fn, void *ctx)
{
	if (e) {
		e->report_fn = fn;
		e->report_ctx = ctx;
	}
}

int vigil_evidence__open(const char *spec, struct vigil_sensor *s, struct vigil_evidence **ret,
			 struct vigil_error *err)
{
	struct vigil_evidence *e = calloc(1, sizeof(*e));
	int r;

	if (!e)
		return -ENOMEM;
	e->s = s;
	r = vigil_store__open(spec, NULL, &e->store, err);
	if (r < 0) {
		free(e);
		return r;
	}
	e->z = vigil_zoom__new(NULL);
	if (!e->z) {
		r = -errno;
		vigil_store__free(e->store);
		free(e);
		return vigil_error__set(err, r, "", 0, 0, "zoom: %s", "cannot start");
	}
	vigil_zoom__set_zoom_cb(e->z, set_zoom, e);
	vigil_zoom__set_report_cb(e->z, on_report, e);
	*ret = e;
	return 0;
}

void vigil_evidence__event(struct vigil_evidence *e, const struct vigil_event *ev)
{
	if (e)
		vigil_zoom__event(e->z, ev);
}

void vigil_evidence__alert(struct vigil_evidence *e, const struct vigil_event *ev,
			   struct json_t *alert)
{
	if (!e || !ev)
		return;
	if (vigil_zoom__alert(e->z, ev, alert, NULL) >= 0)
		vigil_store__put_alert(e->store, NULL, alert);
}

void vigil_evidence__tick(struct vigil_evidence *e)
{
	if (!e)
		return;
	vigil_zoom__tick(e->z, vigil_realtime_ns());
}

int vigil_evidence__close(struct vigil_evidence *e, struct vigil_error *err)
{
	int r;

	if (!e)
		return 0;
	/* report what is open, then free (which closes and reports them as closed) */
	vigil_zoom__flush(e->z);
	vigil_zoom__free(e->z);
	r = vigil_store__flush(e->store, err);
	vigil_store__free(e->store);
	free(e);
	return r;
}

json_t *vigil_evidence__stats_json(const struct vigil_evidence *e)
{
	struct vigil_zoom_stats z = { 0 };
	struct vigil_store_stats s = { 0 };

	if (!e)
		return NULL;
	vigil_zoom__stats(e->z, &z);
	vigil_store__stats(e->store, &s);
	return json_pack(
		"{s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
		" s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
		"reports", (json_int_t)e->reports, "zoom", "events", (json_int_t)z.events,
		"ring_bytes", (json_int_t)z.ring_bytes, "ring_evicted", (json_int_t)z.ring_evicted,
		"workloads", (json_int_t)z.workloads, "workloads_evicted",
		(json_int_t)z.workloads_evicted, "incidents_open", (json_int_t)z.incidents_open,
		"incidents_opened", (json_int_t)z.incidents_opened, "incidents_closed",
		(json_int_t)z.incidents_closed, "incident_events_dropped",
		(json_int_t)z.incident_events_dropped, "alerts_dropped",
		(json_int_t)z.alerts_dropped, "store", "rows_written", (json_int_t)s.rows_written,
		"batches_written", (json_int_t)s.batches_written, "retries", (json_int_t)s.retries,
		"spooled_batches", (json_int_t)s.spooled_batches, "replayed_batches",
		(json_int_t)s.replayed_batches, "spool_bytes", (json_int_t)s.spool_bytes,
		"lost_batches", (json_int_t)s.lost_batches, "retention_deleted",
		(json_int_t)s.retention_deleted);
}
