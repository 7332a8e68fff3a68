// SPDX-License-Identifier: Apache-2.0
/* The sensor's counters for `vigil status`: per-CPU kernel counters summed, table fill. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	ret->drops_table =
		sums[VG_CNT_DROP_TABLE] + vigil_proc_table__evictions(s->procs) + s->netns_refused;
	ret->drops = ret->drops_ringbuf + ret->drops_ratelimit + ret->drops_table;
	ret->dedup_hits = sums[VG_CNT_DEDUP];
	ret->kills = sums[VG_CNT_KILLS];
	ret->would_kill = sums[VG_CNT_WOULD_KILL];
	ret->kernel_allowed = sums[VG_CNT_KALLOW];
	{
		struct vigil_dns_stream_stats ds;

		vigil_dns_streams__stats(s->dns_streams, &ds);
		ret->dns_tcp_cut = ds.evicted_mid;
		ret->dns_tcp_desync = ds.desync;
		ret->dns_tcp_forgotten = ds.forgotten;
	}
	ret->processes = vigil_proc_table__count(s->procs);
	ret->max_processes = s->opts.max_processes;
	ret->workloads = vigil_workload_table__count(s->wls);
	ret->max_workloads = s->opts.max_workloads;
	for (unsigned i = 0; i < s->nhooks; i++) {
		if (s->hooks[i].link_fd >= 0)
			ret->hooks_attached++;
		else
			ret->hooks_failed++;
	}
	return 0;
}

/* kernel.bpf_stats_enabled: the kernel times programs only while it is 1 (it costs a little). */
static bool bpf_stats_enabled(void)
{
	char c = '0';
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '0';
		close(fd);
	}
	return c == '1';
}

int vigil_sensor__prog_stats(struct vigil_sensor *s, struct vigil_prog_stat *out, size_t max,
			     bool *ret_enabled)
{
	struct bpf_program *prog;
	size_t n = 0;

	if (ret_enabled)
		*ret_enabled = bpf_stats_enabled();
	if (!s->skel || !s->skel->obj)
		return 0;
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = sensor_prog_fd(s, prog);

		if (fd < 0)
			continue; /* not loaded here (a twin of another flavour, a hook left out) */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		if (n < max) {
			snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(prog));
			out[n].run_time_ns = info.run_time_ns;
			out[n].run_cnt = info.run_cnt;
		}
		n++;
	}
	return (int)n;
}
