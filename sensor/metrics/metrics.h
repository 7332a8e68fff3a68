/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus metrics of the agent (docs/AGENT.md §12): a writer for the text exposition
 * format and a small HTTP server that serves the newest rendering at /metrics. The agent's
 * thread renders (it owns the counters); the server's thread only hands out the last text,
 * so a scrape never touches the sensor or the detector.
 */
#ifndef VIGIL_SENSOR_METRICS_H
#define VIGIL_SENSOR_METRICS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "vigil/error.h"

/* ---- the text format (prom.c) ------------------------------------------------------------ */

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
int prom_family(struct vigil_buf *b, const char *name, const char *type, const char *help);
/*
 * One sample: name{k1="v1",...} value. nlabels pairs of (key, value) strings follow; values
 * are escaped as the format wants (backslash, double quote, newline).
 */
int prom_sample(struct vigil_buf *b, const char *name, double value, unsigned nlabels, ...);
/* A family with one unlabelled sample: the common case. */
int prom_metric(struct vigil_buf *b, const char *name, const char *type, const char *help,
		double value);

/* ---- the server (server.c) --------------------------------------------------------------- */

struct vigil_metrics_server;

/*
 * Listens on HOST:PORT (port 0: any free port) and serves GET /metrics. Nothing else is
 * answered but 404; at most a few connections at a time, each with a short timeout.
 */
int vigil_metrics_server__start(const char *listen, struct vigil_metrics_server **ret,
				struct vigil_error *err);
/* 0 when listen is an address the server can take (numeric HOST:PORT), else -EINVAL. */
int vigil_metrics_server__check_listen(const char *listen);
/* The port listened on. */
uint16_t vigil_metrics_server__port(const struct vigil_metrics_server *s);
/* Replaces the text served (takes a copy). 0 or -ENOMEM. */
int vigil_metrics_server__publish(struct vigil_metrics_server *s, const char *text, size_t len);
/* Stops serving and frees. Accepts NULL. */
void vigil_metrics_server__free(struct vigil_metrics_server *s);

#endif
