// SPDX-License-Identifier: Apache-2.0
/* vigil evidence list|show|import|flush: incidents from an evidence store. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/cli.h"
#include "util/strutil.h"
#include "vigil/sensor.h"
#include "vigil/store.h"
#include "vigil/zoom.h"

static const char usage_text[] =
	"usage: vigil evidence list [--store STORE] [--json] [--limit N]\n"
	"       vigil evidence show ID [--store STORE] [--json]\n"
	"       vigil evidence import [--store STORE] [--spool DIR] FILE...\n"
	"       vigil evidence flush --store STORE --spool DIR\n"
	"       vigil evidence capture [--store STORE] [--duration D] [--keep-secrets] -- CMD ARGS...\n"
	"\n"
	"Incidents recorded by `vigil agent` / `vigil watch --evidence`.\n"
	"  list     newest first: id, state, workload, opening time, summary\n"
	"  show     the incident report (a unique prefix of the id is enough)\n"
	"  import   writes incident reports (JSON, as `show --json` prints them) into a store\n"
	"  flush    replays batches spooled while ClickHouse was unreachable\n"
	"  capture  runs CMD as its own workload, zoomed in from its first event until it exits\n"
	"           (or --duration), and stores the incident report (root: needs the sensor)\n"
	"\n"
	"  --store STORE   sqlite:PATH or clickhouse:http://HOST:PORT[/DB]\n"
	"                  (default " VIGIL_STORE_DEFAULT ", or $VIGIL_EVIDENCE_STORE)\n"
	"  --spool DIR     ClickHouse: keep batches here while the server is down\n"
	"  --json          JSON instead of text\n"
	"  --keep-secrets  capture: keep secret bytes found in payloads (default: redacted)\n";

/* "2026-11-22T10:00:00.123Z" (ms) from nanoseconds. */
static const char *fmt_time(uint64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char day[32];

	if (!ns || !gmtime_r(&secs, &tm)) {
		snprintf(buf, size, "-");
		return buf;
	}
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03uZ", day, (unsigned)(ns / 1000000ull % 1000));
	return buf;
}

static uint64_t u64(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v < 0 ? 0 : (uint64_t)v;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void print_list(const json_t *list)
{
	size_t i;
	json_t *e;

	if (!json_array_size(list)) {
		printf("no incidents\n");
		return;
	}
	printf("%-32s  %-6s  %-20s  %-24s  %s\n", "INCIDENT", "STATE", "WORKLOAD", "OPENED",
	       "SUMMARY");
	json_array_foreach(list, i, e)
	{
		char t[40];

		printf("%-32s  %-6s  %-20.20s  %-24s  %s\n", str(e, "incident_id"), str(e, "state"),
		       str(json_object_get(e, "workload"), "name"),
		       fmt_time(u64(e, "opened_ns"), t, sizeof(t)), str(e, "summary"));
	}
}

static void print_report(const json_t *r)
{
	const json_t *wl = json_object_get(r, "workload"), *arr, *e;
	char a[40], b[40];
	size_t i;
	uint64_t start = u64(r, "start_ns"), end = u64(r, "end_ns");

	printf("incident   %s (%s)\n", str(r, "incident_id"), str(r, "state"));
	printf("workload   %s  cgroup %s%s%s\n", str(wl, "name"), str(wl, "cgroup"),
	       str(wl, "container_id")[0] ? "  container " : "", str(wl, "container_id"));
	printf("window     %s .. %s (%.1f s)\n", fmt_time(start, a, sizeof(a)),
	       fmt_time(end, b, sizeof(b)), end > start ? (double)(end - start) / 1e9 : 0.0);
	printf("summary    %s\n", str(r, "summary"));

	arr = json_object_get(r, "alerts");
	printf("\nalerts (%zu)\n", json_array_size(arr));
	json_array_foreach(arr, i, e)
	{
		const json_t *p = json_object_get(e, "process");

		printf("  %s  %-6s %s  %s[%lld]: %s\n", str(e, "time"), str(e, "rule_id"),
		       str(e, "rule_name"), str(p, "comm"),
		       (long long)json_integer_value(json_object_get(p, "pid")), str(e, "message"));
	}
	arr = json_object_get(r, "processes");
	if (json_array_size(arr))
		printf("\nprocesses\n");
	json_array_foreach(arr, i, e)
	{
		printf("  %-7llu %-16s %s  language %s%s%s (%s)\n",
		       (unsigned long long)u64(e, "pid"), str(e, "comm"), str(e, "exe"),
		       str(e, "language"), str(e, "language_version")[0] ? " " : "",
		       str(e, "language_version"), str(e, "language_evidence"));
	}
	arr = json_object_get(r, "destinations");
	if (json_array_size(arr))
		printf("\ndestinations\n");
	json_array_foreach(arr, i, e)
	{
		double score = json_number_value(json_object_get(e, "beacon_score"));
		const char *band = str(e, "beacon_band");

		printf("  %s:%llu %s%s%s  %s  connections %llu, messages %llu, out %llu B, in %llu B",
		       str(e, "addr"), (unsigned long long)u64(e, "port"), str(e, "transport"),
		       str(e, "dns")[0] ? "  dns " : "", str(e, "dns"), str(e, "protocol"),
		       (unsigned long long)u64(e, "connections"),
		       (unsigned long long)u64(e, "messages"),
		       (unsigned long long)u64(e, "bytes_out"),
		       (unsigned long long)u64(e, "bytes_in"));
		if (band[0] && strcmp(band, "unscored"))
			printf(", every %.2f s, beacon %.2f (%s)",
			       (double)u64(e, "interval_ns") / 1e9, score, band);
		printf("\n");
	}
	arr = json_object_get(r, "files");
	if (json_array_size(arr))
		printf("\nsensitive files read\n");
	json_array_foreach(arr, i, e)
	{
		const json_t *to = json_object_get(e, "sent_to");

		printf("  %s  %llu B by pid %llu", str(e, "path"),
		       (unsigned long long)u64(e, "bytes"), (unsigned long long)u64(e, "pid"));
		if (json_array_size(to)) {
			size_t j;
			json_t *d;

			printf("  SENT TO");
			json_array_foreach(to, j, d)
			{
				printf(" %s", json_string_value(d));
			}
		}
		printf("\n");
	}
	arr = json_object_get(r, "flows");
	if (json_array_size(arr))
		printf("\npayload samples\n");
	json_array_foreach(arr, i, e)
	{
		const json_t *red = json_object_get(e, "redactions");

		printf("  %s  %-3s %s:%llu%s  %s (%s), entropy %.2f, %llu B",
		       fmt_time(u64(e, "time_ns"), a, sizeof(a)), str(e, "direction"),
		       str(e, "addr"), (unsigned long long)u64(e, "port"),
		       u64(e, "via_iouring") ? " io_uring" : "", str(e, "protocol"),
		       str(e, "detail"), json_number_value(json_object_get(e, "entropy")),
		       (unsigned long long)u64(e, "bytes"));
		if (json_array_size(red))
			printf(", secret redacted: %s", json_string_value(json_array_get(red, 0)));
		printf("\n");
	}
	arr = json_object_get(r, "events");
	printf("\nevents (%zu%s)\n", json_array_size(arr),
	       u64(r, "events_dropped") ? ", some dropped at the incident's bound" : "");
	json_array_foreach(arr, i, e)
	{
		printf("  %s  %-12s %-7llu %-16s %s%s\n", fmt_time(u64(e, "time_ns"), a, sizeof(a)),
		       str(e, "kind"), (unsigned long long)u64(e, "pid"), str(e, "comm"),
		       str(e, "detail"), u64(e, "via_iouring") ? " (io_uring)" : "");
	}
}

/* Reports come from other machines: a file larger than this is refused, not loaded whole. */
#define IMPORT_MAX_BYTES (256L << 20)

static int import_file(struct vigil_store *s, const char *path)
{
	json_error_t je;
	struct stat st;
	json_t *j;
	size_t i;
	json_t *r;
	int rc = 0;

	if (stat(path, &st) < 0) {
		cli_errorf("%s: %s", path, strerror(errno));
		return -errno;
	}
	if (st.st_size > IMPORT_MAX_BYTES) {
		cli_errorf("%s: %lld bytes, more than the %ld MiB an import takes (split it)", path,
			   (long long)st.st_size, IMPORT_MAX_BYTES >> 20);
		return -EFBIG;
	}
	j = json_load_file(path, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		cli_errorf("%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	if (json_is_object(j)) {
		rc = vigil_store__put_report(s, j);
	} else {
		json_array_foreach(j, i, r)
		{
			if ((rc = vigil_store__put_report(s, r)))
				break;
		}
	}
	if (rc)
		cli_errorf("%s: not an incident report (%s)", path, strerror(-rc));
	json_decref(j);
	return rc;
}

/* ---- capture: the real sensor -> zoom -> analysis -> store, for one command ------------ */

struct capture {
	struct vigil_sensor *sensor;
	struct vigil_zoom *zoom;
	struct vigil_store *store;
	uint64_t cgroup_id;
	bool opened;
	char id[VIGIL_INCIDENT_ID_LEN + 1];
	int store_rc;
	json_t *summary;
};

static volatile sig_atomic_t capture_stop;

static void capture_signal(int sig)
{
	capture_stop = 1;
}

static int capture_zoom(void *ctx, uint64_t cgroup_id, bool on)
{
	struct capture *c = ctx;

	return vigil_sensor__set_zoom(c->sensor, cgroup_id, on);
}

static int capture_report(void *ctx, const json_t *report, bool closed)
{
	struct capture *c = ctx;

	if (!closed)
		return 0;
	c->store_rc = vigil_store__put_report(c->store, report);
	if (!c->store_rc)
		c->store_rc = vigil_store__flush(c->store, NULL);
	json_decref(c->summary);
	c->summary = json_incref(json_object_get(report, "summary"));
	return 0;
}

static int capture_event(const struct vigil_event *ev, void *ctx)
{
	struct capture *c = ctx;

	if (!ev->workload || ev->workload->cgroup_id != c->cgroup_id)
		return 0;
	vigil_zoom__event(c->zoom, ev);
	/* the incident opens at the workload's first event: everything after is zoomed in */
	if (!c->opened && vigil_zoom__alert(c->zoom, ev, NULL, c->id) >= 0)
		c->opened = true;
	return 0;
}

static int capture(struct vigil_store *store, char **cmd, uint64_t duration, bool keep_secrets)
{
	struct vigil_sensor_opts so = { .scope = VIGIL_SCOPE_SELECTED, .dedup = false };
	struct vigil_zoom_opts zo;
	struct capture c = { .store = store };
	struct vigil_error err = { 0 };
	struct timespec start, now;
	int status = 0, r;
	pid_t child;

	r = vigil_sensor__open(&so, &c.sensor, &err);
	if (r) {
		cli_errorf("evidence capture: %s", err.message[0] ? err.message : strerror(-r));
		return EXIT_ERROR;
	}
	vigil_zoom_opts__init(&zo);
	/* one incident for the whole run: it closes when the command ends */
	zo.post_ns = zo.max_duration_ns = 365ull * 86400 * 1000000000ull;
	zo.keep_secrets = keep_secrets;
	c.zoom = vigil_zoom__new(&zo);
	if (!c.zoom) {
		vigil_sensor__free(c.sensor);
		cli_errorf("evidence capture: out of memory");
		return EXIT_ERROR;
	}
	vigil_zoom__set_zoom_cb(c.zoom, capture_zoom, &c);
	vigil_zoom__set_report_cb(c.zoom, capture_report, &c);
	signal(SIGINT, capture_signal);
	signal(SIGTERM, capture_signal);
	child = vigil_sensor__spawn(c.sensor, cmd, NULL, &c.cgroup_id, &err);
	if (child < 0) {
		cli_errorf("evidence capture: %s", err.message[0] ? err.message : strerror(-child));
		vigil_zoom__free(c.zoom);
		vigil_sensor__free(c.sensor);
		return EXIT_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!capture_stop) {
		r = vigil_sensor__poll(c.sensor, 100, capture_event, &c);
		if (r < 0 && r != -EINTR)
			break;
		if (waitpid(child, &status, WNOHANG) == child) {
			child = -1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration && (uint64_t)(now.tv_sec - start.tv_sec) * 1000000000ull +
						(uint64_t)(now.tv_nsec - start.tv_nsec) >=
					duration)
			break;
	}
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	/* what is still in the ring buffer belongs to the capture too */
	for (int i = 0; i < 20 && vigil_sensor__poll(c.sensor, 50, capture_event, &c) > 0; i++)
		;
	vigil_zoom__free(c.zoom); /* closes the incident: the report goes to the store */
	vigil_sensor__spawn_cleanup(c.sensor, c.cgroup_id);
	vigil_sensor__free(c.sensor);
	if (!c.opened) {
		cli_errorf("evidence capture: no events from the command; nothing captured");
		return EXIT_VERDICT;
	}
	if (c.store_rc && c.store_rc != -EAGAIN) {
		cli_errorf("evidence capture: storing incident %s: %s", c.id,
			   strerror(-c.store_rc));
		json_decref(c.summary);
		return EXIT_ERROR;
	}
	printf("incident %s%s\n%s\n", c.id, c.store_rc == -EAGAIN ? " (spooled)" : "",
	       json_string_value(c.summary) ? json_string_value(c.summary) : "");
	json_decref(c.summary);
	return 0;
}

struct evidence_args {
	const char *spec, *sub;
	struct vigil_store_opts opts;
	bool json, keep_secrets;
	uint64_t limit, duration;
	int first; /* argv index of the first operand */
};

/* Options after the subcommand; 0, or EXIT_ERROR (said why). */
static int parse_args(int argc, char **argv, struct evidence_args *a)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		{ "spool", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:jn:S:D:Kh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->spec = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'n':
			if (vigil_parse_u64(optarg, &a->limit) || !a->limit) {
				cli_errorf("evidence: --limit wants a positive number, got \"%s\"",
					   optarg);
				return EXIT_ERROR;
			}
			break;
		case 'S':
			a->opts.spool_dir = optarg;
			break;
		case 'D':
			if (vigil_parse_duration(optarg, &a->duration)) {
				cli_errorf(
					"evidence: --duration: \"%s\" is not a duration (500ms, 30s, "
					"10m)",
					optarg);
				return EXIT_ERROR;
			}
			break;
		case 'K':
			a->keep_secrets = true;
			break;
		default:
			fputs(usage_text, stderr);
			return EXIT_ERROR;
		}
	}
	a->first = optind;
	return 0;
}

/* The subcommand exists and has its operands; 0, or EXIT_ERROR (said why). */
static int check_sub(int argc, const struct evidence_args *a)
{
	const char *sub = a->sub;

	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "import") &&
	    strcmp(sub, "flush") && strcmp(sub, "capture")) {
		static const char *const subs[] = { "list",  "show",	"import",
						    "flush", "capture", NULL };
		const char *sug = vigil_suggest(sub, subs);

		cli_errorf("evidence: unknown subcommand \"%s\"%s%s%s", sub,
			   sug ? " (did you mean \"" : "", sug ? sug : "", sug ? "\"?)" : "");
		return EXIT_ERROR;
	}
	if (!strcmp(sub, "show") && a->first != argc - 1) {
		cli_errorf("evidence show: want one incident id");
		return EXIT_ERROR;
	}
	if (!strcmp(sub, "import") && a->first >= argc) {
		cli_errorf("evidence import: want report files");
		return EXIT_ERROR;
	}
	if (!strcmp(sub, "capture") && a->first >= argc) {
		cli_errorf("evidence capture: want -- CMD ARGS...");
		return EXIT_ERROR;
	}
	if (!strcmp(sub, "flush") && !a->opts.spool_dir) {
		cli_errorf("evidence flush: want --spool DIR");
		return EXIT_ERROR;
	}
	return 0;
}

/* import FILES... and flush: write, then say what was written or spooled. *status is set to
 * EXIT_VERDICT when bytes still wait in the spool; *import_failed when a file was refused. */
static int run_write(struct vigil_store *s, int argc, char **argv, const struct evidence_args *a,
		     int *status, bool *import_failed, struct vigil_error *err)
{
	struct vigil_store_stats st;
	int rc = 0;

	for (int i = a->first; !rc && !strcmp(a->sub, "import") && i < argc; i++) {
		rc = import_file(s, argv[i]);
		*import_failed = rc != 0; /* import_file said why */
	}
	if (!rc)
		rc = vigil_store__flush(s, err);
	vigil_store__stats(s, &st);
	if (rc == -EAGAIN) {
		printf("spooled: %llu batch(es) wait in %s for the store to come back\n",
		       (unsigned long long)st.spooled_batches + 0, a->opts.spool_dir);
		rc = 0;
	} else if (!rc) {
		printf("written: %llu rows in %llu batches, %llu replayed from the spool\n",
		       (unsigned long long)st.rows_written, (unsigned long long)st.batches_written,
		       (unsigned long long)st.replayed_batches);
		if (st.spool_bytes) {
			printf("spool: %llu bytes still waiting\n",
			       (unsigned long long)st.spool_bytes);
			*status = EXIT_VERDICT;
		}
	}
	return rc;
}

int cmd_evidence(int argc, char **argv)
{
	struct evidence_args a = { .limit = 100 };
	struct vigil_store *s;
	struct vigil_error err = { 0 };
	bool import_failed = false;
	json_t *out = NULL;
	int rc, status = 0;

	vigil_store_opts__init(&a.opts);
	a.spec = getenv("VIGIL_EVIDENCE_STORE");
	if (!a.spec || !a.spec[0])
		a.spec = VIGIL_STORE_DEFAULT;
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_ERROR;
	}
	if (parse_args(argc, argv, &a) || check_sub(argc, &a))
		return EXIT_ERROR;
	a.opts.read_only = !strcmp(a.sub, "list") || !strcmp(a.sub, "show");
	rc = vigil_store__open(a.spec, &a.opts, &s, &err);
	if (rc) {
		cli_errorf("evidence: %s: %s", a.spec,
			   err.message[0] ? err.message : strerror(-rc));
		return EXIT_ERROR;
	}
	if (!strcmp(a.sub, "capture")) {
		status = capture(s, argv + a.first, a.duration, a.keep_secrets);
		vigil_store__free(s);
		return status;
	}
	if (!strcmp(a.sub, "list")) {
		rc = vigil_store__list(s, (size_t)a.limit, &out, &err);
		if (!rc && a.json)
			json_dumpf(out, stdout, JSON_INDENT(2)), putchar('\n');
		else if (!rc)
			print_list(out);
	} else if (!strcmp(a.sub, "show")) {
		rc = vigil_store__get(s, argv[a.first], &out, &err);
		if (!rc && a.json)
			json_dumpf(out, stdout, JSON_INDENT(2)), putchar('\n');
		else if (!rc)
			print_report(out);
	} else {
		rc = run_write(s, argc, argv, &a, &status, &import_failed, &err);
	}
	if (rc && import_failed) {
		status = EXIT_ERROR;
	} else if (rc) {
		if (err.message[0])
			cli_errorf("evidence: %s", err.message);
		else
			cli_errorf("evidence: %s", strerror(-rc));
		status = rc == -ENOENT ? EXIT_VERDICT : EXIT_ERROR;
	}
	json_decref(out);
	vigil_store__free(s);
	return status;
}
