// SPDX-License-Identifier: Apache-2.0
/*
 * The heartbeat's envelope: what the uplink itself knows about the node and about its own
 * delivery, added around the state the agent hands over (docs/COCKPIT.md, POST
 * /api/v1/heartbeat). The cockpit replaces the node's previous state with each one.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sensor/uplink/uplink_internal.h"
#include "util/strutil.h"
#include "util/version.h"

void uplink_heartbeat__host_facts(struct vigil_uplink *u)
{
	struct utsname un;
	int fd;

	if (uname(&un) == 0)
		vigil_strlcpy(u->kernel, un.release, sizeof(u->kernel));
	/* boot_id tells a reboot from an agent restart on the cockpit's side */
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, u->boot_id, sizeof(u->boot_id) - 1);

		close(fd);
		u->boot_id[n > 0 ? n : 0] = '\0';
		u->boot_id[strcspn(u->boot_id, "\n")] = '\0';
	}
}

static uint64_t host_uptime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

json_t *uplink_heartbeat__build(struct vigil_uplink *u, const json_t *state, uint64_t seq,
				const struct vigil_uplink_stats *st)
{
	json_t *hb = json_deep_copy(state), *sinks, *mine;
	struct timespec ts;
	struct tm tm;
	char when[64];
	uint64_t sent = 0, lost = uplink_lost_total(st);

	if (!hb)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
	for (int k = 0; k < VIGIL_UPLINK_NKINDS; k++)
		sent += st->accepted[k] + st->duplicates[k];
	json_object_set_new(hb, "time", json_string(when));
	json_object_set_new(hb, "seq", json_integer((json_int_t)seq));
	/* no "node": the cockpit names the node from the credential, and refuses a body that
	 * names another one */
	json_object_set_new(hb, "interval_s",
			    json_integer((json_int_t)(u->heartbeat_ns / 1000000000ull)));
	json_object_set_new(hb, "version", json_string(vigil_version()));
	json_object_set_new(hb, "kernel", json_string(u->kernel));
	json_object_set_new(
		hb, "uptime_s",
		json_integer((json_int_t)((uplink_now_mono() - u->started_mono) / 1000000000ull)));
	json_object_set_new(hb, "host_uptime_s", json_integer((json_int_t)host_uptime_s()));
	json_object_set_new(hb, "boot_id", json_string(u->boot_id));
	json_object_set_new(hb, "spool",
			    json_pack("{s:I, s:I, s:I, s:I}", "bytes", (json_int_t)st->spool_bytes,
				      "items", (json_int_t)st->spool_items, "max_bytes",
				      (json_int_t)st->spool_max_bytes, "dropped",
				      (json_int_t)lost));
	/* the uplink is one of the node's sinks: its counters go with the others */
	sinks = json_object_get(hb, "sinks");
	if (!json_is_array(sinks)) {
		sinks = json_array();
		json_object_set_new(hb, "sinks", sinks);
	}
	mine = json_pack("{s:s, s:I, s:I, s:I, s:I}", "name", "cockpit", "sent", (json_int_t)sent,
			 "failed", (json_int_t)(st->failures + st->auth_failures), "queued",
			 (json_int_t)(st->spool_items + st->waiting), "dropped", (json_int_t)lost);
	if (!sinks || !mine || json_array_append_new(sinks, mine) < 0) {
		json_decref(hb);
		return NULL;
	}
	return hb;
}

/*
 * The heartbeat as sent: within what the cockpit takes (4 MiB, 10 000 workloads). A node with
 * more (thousands of containers with long names or labels, which whoever starts containers
 * chooses) had every heartbeat refused (413 or 400): the node showed offline and its health
 * unseen for as long as they ran. The workloads past the bound are left out and counted in
 * workloads_omitted; the ones the node watches (not ignored) go first.
 */
char *uplink_heartbeat__text(json_t *hb)
{
	json_t *wls = json_object_get(hb, "workloads"), *kept, *w;
	size_t n = json_array_size(wls), used, omitted = 0, i;
	char *text = json_dumps(hb, JSON_COMPACT);

	if (!text || (strlen(text) <= UPLINK_HB_MAX_BYTES && n <= UPLINK_HB_MAX_WORKLOADS))
		return text;
	free(text);
	kept = json_array();
	if (!kept)
		return NULL;
	json_incref(wls);
	json_object_set_new(hb, "workloads", json_array());
	json_object_set_new(hb, "workloads_omitted", json_integer((json_int_t)n));
	text = json_dumps(hb, JSON_COMPACT);
	used = text ? strlen(text) + 64 : UPLINK_HB_MAX_BYTES;
	free(text);
	for (int pass = 0; pass < 2; pass++) { /* watched workloads first, then ignored ones */
		json_array_foreach(wls, i, w)
		{
			char *one;
			size_t len;

			if (json_is_true(json_object_get(w, "ignored")) != (pass == 1))
				continue;
			one = json_dumps(w, JSON_COMPACT);
			len = one ? strlen(one) + 1 : 0;
			free(one);
			if (!len || used + len > UPLINK_HB_MAX_BYTES ||
			    json_array_size(kept) >= UPLINK_HB_MAX_WORKLOADS) {
				omitted++;
				continue;
			}
			used += len;
			json_array_append(kept, w);
		}
	}
	json_decref(wls);
	json_object_set_new(hb, "workloads", kept);
	json_object_set_new(hb, "workloads_omitted", json_integer((json_int_t)omitted));
	return json_dumps(hb, JSON_COMPACT);
}
