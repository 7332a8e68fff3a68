// SPDX-License-Identifier: Apache-2.0
/* The sensor's counters for `vigil status`: per-CPU kernel counters summed, table fill. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil.skel.h"

int vigil_sensor__status(struct vigil_sensor *s, struct vigil_sensor_status *ret)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(s->skel->maps.counters);
	uint64_t sums[VG_CNT__MAX] = { 0 };

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));

	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < VG_CNT__MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			sums[i] += vals[c];
	}
	free(vals);
	memset(ret, 0, sizeof(*ret));
	ret->events = s->delivered;
	ret->drops_ringbuf = sums[VG_CNT_DROP_RINGBUF];
	ret->drops_ratelimit = sums[VG_CNT_DROP_RATELIMIT];
	ret->drops_table = sums[VG_CNT_DROP_TABLE] + vigil_proc_table__evictions(s->procs);
	ret->drops = ret->drops_ringbuf + ret->drops_ratelimit + ret->drops_table;
	ret->dedup_hits = sums[VG_CNT_DEDUP];
	ret->kills = sums[VG_CNT_KILLS];
	ret->would_kill = sums[VG_CNT_WOULD_KILL];
	ret->processes = vigil_proc_table__count(s->procs);
	ret->max_processes = s->opts.max_processes;
	ret->workloads = vigil_workload_table__count(s->wls);
	ret->max_workloads = s->opts.max_workloads;
	for (unsigned i = 0; i < s->nhooks; i++) {
		if (s->hooks[i].link)
			ret->hooks_attached++;
		else
			ret->hooks_failed++;
	}
	return 0;
}
