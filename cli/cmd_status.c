// SPDX-License-Identifier: Apache-2.0
/*
 * vigil status: loads the sensor, shows which hooks attach (and which failed or fell back),
 * then samples the node for a moment (every workload, de-duplication on, as the agent runs)
 * and prints events/s, drops by cause and table fill.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "util/strutil.h"
#include "vigil/sensor.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil status [--json] [--sample D]\n\n"
		"Loads the sensor, prints the hooks (attached, fallback or failed), then watches\n"
		"every workload for D (default 1s, 0 = no sample) and prints events/s, drops by\n"
		"cause and table fill. Exit status 0 when every hook attached, 1 when some\n"
		"failed (the sensor still works without them), 2 when it cannot load at all.\n");
}

static int count_event(const struct vigil_event *ev, void *ctx)
{
	(void)ev;
	(*(uint64_t *)ctx)++;
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sample", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vigil_sensor_opts opts = { .scope = VIGIL_SCOPE_ALL, .dedup = true };
	struct vigil_sensor_status st;
	struct vigil_error err = { 0 };
	struct vigil_sensor *s;
	uint64_t sample = 1000000000ull, seen = 0;
	struct timespec t0, t1;
	char hooks[4096];
	bool json = false;
	double secs = 0;
	int c;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			if (vigil_parse_duration(optarg, &sample)) {
				cli_errorf("--sample: '%s' is not a duration (500ms, 5s)", optarg);
				return EXIT_ERROR;
			}
			break;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (vigil_sensor__open(&opts, &s, &err)) {
		cli_errorf("status: %s", err.message);
		return EXIT_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs * 1e9 >= (double)sample)
			break;
		if (vigil_sensor__poll(s, 50, count_event, &seen) < 0)
			break;
	}
	vigil_sensor__status(s, &st);
	vigil_sensor__describe_hooks(s, hooks, sizeof(hooks));
	if (json) {
		json_t *o = json_pack(
			"{s:s, s:i, s:i, s:f, s:I, s:{s:I, s:I, s:I, s:I}, s:I, "
			"s:{s:I, s:I}, s:{s:I, s:I}}",
			"hooks", hooks, "hooks_attached", (int)st.hooks_attached, "hooks_failed",
			(int)st.hooks_failed, "sample_seconds", secs, "events",
			(json_int_t)st.events, "drops", "total", (json_int_t)st.drops, "ringbuf",
			(json_int_t)st.drops_ringbuf, "ratelimit", (json_int_t)st.drops_ratelimit,
			"table", (json_int_t)st.drops_table, "dedup_hits",
			(json_int_t)st.dedup_hits, "processes", "count", (json_int_t)st.processes,
			"max", (json_int_t)st.max_processes, "workloads", "count",
			(json_int_t)st.workloads, "max", (json_int_t)st.max_workloads);
		char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (txt)
			puts(txt);
		free(txt);
		json_decref(o);
	} else {
		printf("hooks (%u attached, %u failed):\n%s", st.hooks_attached, st.hooks_failed,
		       hooks);
		printf("sample: %.1fs, all workloads, de-duplication on\n", secs);
		printf("events: %llu (%.1f/s), repeats suppressed in the kernel: %llu\n",
		       (unsigned long long)st.events, secs > 0 ? (double)st.events / secs : 0.0,
		       (unsigned long long)st.dedup_hits);
		printf("drops: %llu (ring buffer %llu, rate limit %llu, tables %llu)\n",
		       (unsigned long long)st.drops, (unsigned long long)st.drops_ringbuf,
		       (unsigned long long)st.drops_ratelimit, (unsigned long long)st.drops_table);
		printf("processes: %llu / %llu, workloads: %llu / %llu\n",
		       (unsigned long long)st.processes, (unsigned long long)st.max_processes,
		       (unsigned long long)st.workloads, (unsigned long long)st.max_workloads);
	}
	vigil_sensor__free(s);
	return st.hooks_failed ? EXIT_VERDICT : 0;
}
