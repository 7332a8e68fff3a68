// SPDX-License-Identifier: Apache-2.0
/*
 * The decoder of raw ring-buffer records (bpf/sensor_abi.h -> struct vigil_event), fed with
 * arbitrary bytes: lengths, string formats, kinds and flags must never lead it out of bounds.
 * Every delivered event is formatted as JSON and as a line, as vigil trace would.
 */
#include <linux/types.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/sensor_abi.h"
#include "sensor/sensor_internal.h"
#include "vigil/sensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int consume(const struct vigil_event *ev, void *ctx)
{
	char line[2048];
	char *j = vigil_event__to_json(ev);

	(void)ctx;
	free(j);
	vigil_event__format_line(ev, line, sizeof(line));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vigil_sensor *s;
	uint8_t *rec;

	if (!s)
		s = vigil_sensor__new_offline();
	if (!s || size > VG_EVENT_HDR_SIZE + VG_DATA_MAX + VG_STR_MAX)
		return 0;
	/* the kernel always writes a valid version and size: let the fuzzer reach past them */
	rec = malloc(size ? size : 1);
	if (!rec)
		return 0;
	memcpy(rec, data, size);
	if (size >= VG_EVENT_HDR_SIZE) {
		struct vg_event *e = (struct vg_event *)rec;

		e->version = VG_ABI_VERSION;
		e->size = (uint16_t)size;
		e->kind = (uint16_t)(e->kind % (VG_EV__MAX_KERNEL + 1));
	}
	vigil_sensor__feed(s, rec, size, consume, NULL);
	free(rec);
	return 0;
}
