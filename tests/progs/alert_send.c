// SPDX-License-Identifier: Apache-2.0
/*
 * Test driver for the alert sinks (not installed): reads alert records, one JSON object per
 * line, from stdin, emits each to the sinks named on the command line, then flushes and
 * prints every sink's stats as one JSON line per sink on stderr.
 *
 *   alert_send [--flush DUR] [--queue N] [--batch N] [--wait DUR] [--retries N]
 *              [--retry-base DUR] [--retry-cap DUR] SINK...
 *
 * Exit status: 0 every alert delivered, 1 something was dropped or the flush timed out,
 * 2 usage or setup error.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "vigil/alert.h"

#define LINE_MAX_BYTES (1u << 20)

static int usage(void)
{
	fprintf(stderr, "usage: alert_send [--flush DUR] [--queue N] [--batch N] [--wait DUR] "
			"[--retries N] [--retry-base DUR] [--retry-cap DUR] SINK...\n");
	return 2;
}

static int num_opt(const char *name, const char *v, uint64_t *ret, bool duration)
{
	int rc = duration ? vigil_parse_duration(v, ret) : vigil_parse_u64(v, ret);

	if (rc < 0 || *ret > UINT32_MAX * (duration ? 1000000000ull : 1ull)) {
		fprintf(stderr, "vigil: alert_send: bad %s \"%s\"\n", name, v);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flush", required_argument, NULL, 'f' },
		{ "queue", required_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' },
		{ "wait", required_argument, NULL, 'w' },
		{ "retries", required_argument, NULL, 'r' },
		{ "retry-base", required_argument, NULL, 'B' },
		{ "retry-cap", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct vigil_alerts_opts o = { 0 };
	struct vigil_sink_stats st[32];
	uint64_t flush_ns = 10000000000ull, v;
	struct vigil_alerts *a;
	struct vigil_error err;
	char *line = NULL;
	size_t cap = 0, n, i;
	ssize_t len;
	int c, rc = 0, lineno = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		bool dur = c == 'f' || c == 'w' || c == 'B' || c == 'C';

		if (c == '?' || num_opt("option value", optarg, &v, dur) < 0)
			return usage();
		switch (c) {
		case 'f':
			flush_ns = v;
			break;
		case 'q':
			o.queue_max = v;
			break;
		case 'b':
			o.batch_max = (unsigned)v;
			break;
		case 'w':
			o.batch_wait_ns = v;
			break;
		case 'r':
			o.retry_max = (unsigned)v;
			break;
		case 'B':
			o.retry_base_ns = v;
			break;
		case 'C':
			o.retry_cap_ns = v;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	a = vigil_alerts__new(&o);
	if (!a) {
		fprintf(stderr, "vigil: alert_send: %s\n", strerror(errno));
		return 2;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (vigil_alerts__add_sink(a, argv[i], &err) < 0) {
			fprintf(stderr, "vigil: %s\n", err.message);
			vigil_alerts__free(a);
			return 2;
		}
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		json_error_t je;
		json_t *j;

		lineno++;
		if ((size_t)len > LINE_MAX_BYTES) {
			fprintf(stderr, "vigil: stdin:%d: line too long\n", lineno);
			rc = 2;
			break;
		}
		if (len <= 1)
			continue;
		j = json_loadb(line, (size_t)len, 0, &je);
		if (!j) {
			fprintf(stderr, "vigil: stdin:%d:%d: %s\n", lineno, je.column, je.text);
			rc = 2;
			break;
		}
		if (vigil_alerts__emit(a, j) < 0)
			rc = 1;
		json_decref(j);
	}
	free(line);
	if (vigil_alerts__flush(a, flush_ns) < 0) {
		fprintf(stderr, "vigil: alert_send: flush timed out\n");
		if (!rc)
			rc = 1;
	}
	n = vigil_alerts__stats(a, st, 32);
	for (i = 0; i < n && i < 32; i++) {
		json_t *j = json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "spec", st[i].spec, "sent",
			(json_int_t)st[i].sent, "queued", (json_int_t)st[i].queued, "retries",
			(json_int_t)st[i].retries, "dropped", (json_int_t)st[i].dropped, "failures",
			(json_int_t)st[i].failures, "last_error", st[i].last_error);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

		if (s)
			fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(j);
		if (st[i].dropped && !rc)
			rc = 1;
	}
	vigil_alerts__free(a);
	return rc;
}
