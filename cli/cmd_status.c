// SPDX-License-Identifier: Apache-2.0
/*
 * vigil status: when an agent runs, what it is doing (read from its status file: workloads,
 * detection, sinks, sensor drops, evidence). Otherwise (or with --sample) it loads the sensor,
 * shows which hooks attach (and which failed or fell back), then samples the node for a
 * moment (every workload, de-duplication on, as the agent runs) and prints events/s, drops by
 * cause and table fill.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "util/strutil.h"
#include "vigil/agent.h"
#include "vigil/sensor.h"

/* The agent rewrites its status every 2 s: older than this, it is not running. */
#define STATUS_STALE_S	  30
#define STATUS_FILE_LIMIT (16u << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil status [--json] [--sample D] [--config FILE | --status-file FILE]\n\n"
		"When an agent runs (its status file is fresh and its pid alive), prints what it\n"
		"does: each workload and its state, detection counters, each sink's counters,\n"
		"sensor drops by cause and evidence store counters. Otherwise, or with --sample,\n"
		"loads the sensor, prints the hooks (attached, fallback or failed), then watches\n"
		"every workload for D (default 1s, 0 = no sample) and prints events/s, drops by\n"
		"cause and table fill. Exit status 0 when every hook attached (or the agent\n"
		"runs), 1 when some failed (the sensor still works without them), 2 when it cannot\n"
		"load at all.\n\n"
		"  -c, --config FILE       the agent's configuration, to find its status_file\n"
		"                          (default /etc/vigil/agent.yaml, else built-in defaults:\n"
		"                          /var/lib/vigil/status.json)\n"
		"      --status-file FILE  read this status file\n");
}

static int count_event(const struct vigil_event *ev, void *ctx)
{
	(void)ev;
	(*(uint64_t *)ctx)++;
	return 0;
}

static uint64_t u(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/*
 * Reads the agent's status file. 1 with *ret when an agent runs, 0 with why in buf when not.
 */
static int agent_status(const char *file, json_t **ret, char *why, size_t size)
{
	json_error_t jerr;
	struct stat sb;
	json_t *o;
	json_int_t pid;

	if (!file[0]) {
		snprintf(why, size, "the agent's configuration sets no status_file");
		return 0;
	}
	if (stat(file, &sb) < 0) {
		snprintf(why, size, "%s: %s", file, strerror(errno));
		return 0;
	}
	if (sb.st_size > STATUS_FILE_LIMIT) {
		snprintf(why, size, "%s: larger than %u bytes", file, STATUS_FILE_LIMIT);
		return 0;
	}
	if (time(NULL) - sb.st_mtime > STATUS_STALE_S) {
		snprintf(why, size, "%s was last written %llds ago", file,
			 (long long)(time(NULL) - sb.st_mtime));
		return 0;
	}
	o = json_load_file(file, 0, &jerr);
	if (!json_is_object(o)) {
		snprintf(why, size, "%s:%d: %s", file, jerr.line, o ? "not an object" : jerr.text);
		json_decref(o);
		return 0;
	}
	pid = json_integer_value(json_object_get(o, "pid"));
	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
		snprintf(why, size, "%s names pid %lld, which is not running", file,
			 (long long)pid);
		json_decref(o);
		return 0;
	}
	*ret = o;
	return 1;
}

/* Sum of a per-kind object {"alerts":N,"reports":N,"profiles":N}. */
static unsigned long long kinds_sum(const json_t *k)
{
	return (unsigned long long)(u(k, "alerts") + u(k, "reports") + u(k, "profiles"));
}

static void print_cockpit(const json_t *c)
{
	const json_t *sp = json_object_get(c, "spool");

	if (!json_is_object(c)) {
		printf("cockpit: none configured\n");
		return;
	}
	printf("cockpit: %s, %s%s; records accepted %llu (alerts %llu), duplicates %llu, "
	       "rejected %llu, dropped %llu; spool %llu records, %llu of %llu bytes, %llu "
	       "damaged skipped; requests %llu, failures %llu, auth failures %llu%s%s\n",
	       str(c, "url"),
	       json_is_true(json_object_get(c, "connected")) ? "connected" : "not connected",
	       json_is_true(json_object_get(c, "have_token")) ? "" : " (no node token yet)",
	       kinds_sum(json_object_get(c, "accepted")),
	       (unsigned long long)u(json_object_get(c, "accepted"), "alerts"),
	       kinds_sum(json_object_get(c, "duplicates")),
	       kinds_sum(json_object_get(c, "rejected")), kinds_sum(json_object_get(c, "dropped")),
	       (unsigned long long)u(sp, "items"), (unsigned long long)u(sp, "bytes"),
	       (unsigned long long)u(sp, "max_bytes"), (unsigned long long)u(sp, "torn"),
	       (unsigned long long)u(c, "requests"), (unsigned long long)u(c, "failures"),
	       (unsigned long long)u(c, "auth_failures"),
	       str(c, "last_error")[0] ? ", last error: " : "", str(c, "last_error"));
}

static void print_agent(const json_t *o, const char *file)
{
	const json_t *det = json_object_get(o, "detection");
	const json_t *sen = json_object_get(o, "sensor");
	const json_t *drops = json_object_get(sen, "drops");
	const json_t *ev = json_object_get(o, "evidence");
	const json_t *nm = json_object_get(o, "naming");
	const json_t *v;
	size_t i;

	printf("agent: running, pid %lld, config %s, status %s (%s)\n",
	       (long long)json_integer_value(json_object_get(o, "pid")), str(o, "config"), file,
	       str(o, "time"));
	printf("workloads: %zu\n", json_array_size(json_object_get(o, "workloads")));
	json_array_foreach(json_object_get(o, "workloads"), i, v)
	{
		const char *prof = str(v, "profile");

		printf("  %-24s %-11s cgroup %s%s%s\n", str(v, "name"), str(v, "state"),
		       str(v, "cgroup")[0] ? str(v, "cgroup") : "-", prof[0] ? ", profile " : "",
		       prof);
	}
	printf("detection: %llu events checked, %llu alerts raised, %llu repeats in cooldowns, "
	       "%llu cooldown keys evicted, %llu health alerts\n",
	       (unsigned long long)u(det, "events"), (unsigned long long)u(det, "alerts"),
	       (unsigned long long)u(det, "suppressed"), (unsigned long long)u(det, "evicted"),
	       (unsigned long long)u(o, "health_alerts"));
	printf("sinks:\n");
	json_array_foreach(json_object_get(o, "sinks"), i, v)
	{
		const json_t *by = json_object_get(v, "dropped_by");

		printf("  %s: sent %llu, queued %llu, retries %llu, failures %llu, dropped %llu "
		       "(queue full %llu, rejected %llu, retries exhausted %llu)%s%s\n",
		       str(v, "spec"), (unsigned long long)u(v, "sent"),
		       (unsigned long long)u(v, "queued"), (unsigned long long)u(v, "retries"),
		       (unsigned long long)u(v, "failures"), (unsigned long long)u(v, "dropped"),
		       (unsigned long long)u(by, "queue_full"),
		       (unsigned long long)u(by, "rejected"),
		       (unsigned long long)u(by, "retries_exhausted"),
		       str(v, "last_error")[0] ? ", last error: " : "", str(v, "last_error"));
	}
	printf("sensor: %llu events, drops %llu (ring buffer %llu, rate limit %llu, tables %llu)\n",
	       (unsigned long long)u(sen, "events"), (unsigned long long)u(drops, "total"),
	       (unsigned long long)u(drops, "ringbuf"), (unsigned long long)u(drops, "ratelimit"),
	       (unsigned long long)u(drops, "table"));
	if (json_is_object(nm))
		printf("naming: %llu containers now, %llu events held (%llu judged after the answer, "
		       "%llu dropped: queue full), %llu answered, %llu timeouts\n",
		       (unsigned long long)u(nm, "containers"), (unsigned long long)u(nm, "held"),
		       (unsigned long long)u(nm, "replayed"), (unsigned long long)u(nm, "dropped"),
		       (unsigned long long)u(nm, "answered"),
		       (unsigned long long)u(nm, "timeouts"));
	if (json_is_object(ev)) {
		const json_t *z = json_object_get(ev, "zoom"), *s = json_object_get(ev, "store");

		printf("evidence: incidents open %llu (opened %llu, closed %llu), store rows %llu, "
		       "retries %llu, spooled batches %llu, lost batches %llu\n",
		       (unsigned long long)u(z, "incidents_open"),
		       (unsigned long long)u(z, "incidents_opened"),
		       (unsigned long long)u(z, "incidents_closed"),
		       (unsigned long long)u(s, "rows_written"),
		       (unsigned long long)u(s, "retries"),
		       (unsigned long long)u(s, "spooled_batches"),
		       (unsigned long long)u(s, "lost_batches"));
	} else {
		printf("evidence: none configured\n");
	}
	print_cockpit(json_object_get(o, "cockpit"));
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = 1;
}

/* Loads the sensor and samples the node: what `vigil status` does without an agent. Ctrl-C
 * ends the sample early and still prints what was measured. */
static int sample_sensor(uint64_t sample, bool json, json_t *agent_json)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct vigil_sensor_opts opts = { .scope = VIGIL_SCOPE_ALL, .dedup = true };
	struct vigil_sensor_status st;
	struct vigil_error err = { 0 };
	struct vigil_sensor *s;
	uint64_t seen = 0;
	struct timespec t0, t1;
	char hooks[4096];
	double secs = 0;

	if (vigil_sensor__open(&opts, &s, &err)) {
		cli_errorf("status: %s", err.message);
		return EXIT_ERROR;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs * 1e9 >= (double)sample || interrupted)
			break;
		if (vigil_sensor__poll(s, 50, count_event, &seen) < 0)
			break;
	}
	vigil_sensor__status(s, &st);
	vigil_sensor__describe_hooks(s, hooks, sizeof(hooks));
	if (json) {
		json_t *o = json_pack(
			"{s:s, s:i, s:i, s:f, s:I, s:{s:I, s:I, s:I, s:I}, s:I, "
			"s:{s:I, s:I}, s:{s:I, s:I}, s:O}",
			"hooks", hooks, "hooks_attached", (int)st.hooks_attached, "hooks_failed",
			(int)st.hooks_failed, "sample_seconds", secs, "events",
			(json_int_t)st.events, "drops", "total", (json_int_t)st.drops, "ringbuf",
			(json_int_t)st.drops_ringbuf, "ratelimit", (json_int_t)st.drops_ratelimit,
			"table", (json_int_t)st.drops_table, "dedup_hits",
			(json_int_t)st.dedup_hits, "processes", "count", (json_int_t)st.processes,
			"max", (json_int_t)st.max_processes, "workloads", "count",
			(json_int_t)st.workloads, "max", (json_int_t)st.max_workloads, "agent",
			agent_json ? agent_json : json_null());
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

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sample", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "status-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vigil_agent_config *cfg = NULL;
	struct vigil_error err = { 0 };
	uint64_t sample = 1000000000ull;
	const char *config = NULL, *status_file = NULL;
	bool json = false, sample_given = false;
	json_t *agent = NULL;
	char why[PATH_MAX + 128];
	int c, rc = 0;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			if (vigil_parse_duration(optarg, &sample)) {
				cli_errorf("--sample: '%s' is not a duration (500ms, 5s)", optarg);
				return EXIT_ERROR;
			}
			sample_given = true;
			break;
		case 'c':
			config = optarg;
			break;
		case 'f':
			status_file = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cli_errorf("status: unexpected argument '%s'", argv[optind]);
		return EXIT_ERROR;
	}
	if (!status_file) {
		if (vigil_agent_config__load(config, &cfg, &err) < 0) {
			cli_print_error(&err);
			return EXIT_ERROR;
		}
		status_file = vigil_agent_config__status_file(cfg);
	}
	if (agent_status(status_file, &agent, why, sizeof(why)) > 0) {
		if (!json)
			print_agent(agent, status_file);
		if (sample_given) {
			if (!json)
				printf("\n");
			rc = sample_sensor(sample, json, agent);
		} else if (json) {
			json_t *o = json_pack("{s:O}", "agent", agent);
			char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;

			if (txt)
				puts(txt);
			free(txt);
			json_decref(o);
		}
	} else {
		/* stderr: --json output stays one object */
		cli_errorf("status: no agent running (%s); sampling the sensor", why);
		rc = sample_sensor(sample, json, NULL);
	}
	json_decref(agent);
	vigil_agent_config__free(cfg);
	return rc;
}
