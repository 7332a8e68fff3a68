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
