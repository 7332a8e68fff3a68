// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil trace` output: one JSON object or one readable line per event. The event's own fields
 * come from the shared encoder (lib/event/), so they read as in alerts and evidence.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "vigil/sensor.h"

char *vigil_event__to_json(const struct vigil_event *ev)
{
	char ts[48];
	char *out;
	json_t *o;

	o = json_pack("{s:s, s:s, s:o, s:o, s:o}", "time",
		      vigil_format_time_ns(ev->time_ns, ts, sizeof(ts)), "kind",
		      vigil_event_kind__name(ev->kind), "workload",
		      vigil_workload__json(ev->workload, NULL), "process",
		      vigil_process__json(ev->proc), "event", vigil_event__json(ev));
	if (!o)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return out;
}

int vigil_event__format_line(const struct vigil_event *ev, char *buf, size_t size)
{
	const struct vigil_process *p = ev->proc;
	char ts[48], detail[1024], comm[sizeof(p->comm) + 1], comm_shown[4 * sizeof(p->comm) + 1],
		name_shown[256];
	time_t secs = (time_t)(ev->time_ns / 1000000000ull);
	struct tm tm;
	int n;

	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	vigil_event__detail(ev, detail, sizeof(detail));
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(p->comm), p ? p->comm : "");
	n = snprintf(buf, size, "%s %-10s %-7u %-16s %s%s %s", ts, vigil_event_kind__name(ev->kind),
		     p ? p->pid : 0, vigil_text_shown(comm, comm_shown, sizeof(comm_shown)),
		     vigil_text_shown(ev->workload && ev->workload->name ? ev->workload->name : "",
				      name_shown, sizeof(name_shown)),
		     ev->via_iouring ? " (io_uring)" : "", detail);
	return n < 0 ? -EINVAL : n;
}
