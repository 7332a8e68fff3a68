// SPDX-License-Identifier: Apache-2.0
/* vigil trace: print sensor events, for the whole node, a cgroup, a pid or a command. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <linux/types.h>

#include "bpf/sensor_abi.h"
#include "cli/cli.h"
#include "sensor/zoom_capture.h"
#include "util/strutil.h"
#include "vigil/sensor.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct trace_ctx {
	bool json;
	uint64_t kinds;
	long pid;
	FILE *out;
};

struct allow_set {
	uint64_t bits[8];
	struct vigil_sensor *s;
	bool on;
	bool zoom; /* --zoom: on for the command's cgroup before it starts */
};

static int parse_syscalls(const char *list, struct allow_set *a)
{
	char buf[8192], *save = NULL;

	if (vigil_strlcpy(buf, list, sizeof(buf)) >= sizeof(buf)) {
		cli_errorf("--allow-syscalls: list too long");
		return -EINVAL;
	}
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int nr = vigil_syscall_nr(tok);

		if (nr < 0 || nr >= 512) {
			cli_errorf("--allow-syscalls: unknown syscall '%s'", tok);
			return -EINVAL;
		}
		a->bits[nr / 64] |= 1ull << (nr % 64);
	}
	a->on = true;
	return 0;
}

/* Runs before the command starts: the syscall filter and --zoom apply from its first step. */
static int before_start(uint64_t cgroup_id, void *ctx)
{
	struct allow_set *a = ctx;
	int r = a->on ? vigil_sensor__set_syscall_allow(a->s, cgroup_id, a->bits, 512) : 0;

	/* before the command's first step: set after its start, a quick command (a token read,
	 * one request) was over before the flag, and its zoom empty */
	if (!r && a->zoom)
		r = vigil_sensor__set_zoom(a->s, cgroup_id, true);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil trace [--json] [--kinds exec,open,...] [--cgroup PATH] [--pid PID]\n"
		"                   [--dedup] [--zoom] [--duration D] [-o FILE] [--buffer BYTES]\n"
		"                   [--dns-port N] [--rate N] [--allow-syscalls LIST] [--summary]\n"
		"                   [-- CMD ARGS...]\n\n"
		"Prints sensor events, one per line (readable, or JSON with --json).\n"
		"  --kinds LIST    only these event kinds (default: all)\n"
		"  --cgroup PATH   only this cgroup2 directory and its children\n"
		"  --pid PID       only this process\n"
		"  --dedup         drop repeats in the kernel (as the agent does)\n"
		"  --zoom          zoom capture for the traced cgroup or CMD: net_io (bytes,\n"
		"                  payload samples) and file_read (sensitive files) events\n"
		"  --duration D    stop after D (500ms, 30s, 10m)\n"
		"  -o, --output FILE  write events to FILE (created once the sensor watches)\n"
		"                  and leave stdout to CMD\n"
		"  --buffer BYTES  ring buffer size: a power of two, 4096..2^30 (default 4 MiB)\n"
		"  --dns-port N    also sample UDP payloads to/from port N as DNS (besides 53)\n"
		"  --rate N        per-workload rate limit, records per second (default 20000)\n"
		"  --allow-syscalls LIST  report only syscalls outside LIST (read,write,...)\n"
		"  --summary       with -- CMD: end with the syscall and io_uring sets the kernel kept\n"
		"  -- CMD ARGS     run CMD as its own workload, trace only it, end when it exits;\n"
		"                  the exit status is CMD's (128+N if killed by signal N)\n");
}

static int parse_kinds(const char *list, uint64_t *ret)
{
	char buf[512], *save = NULL;
	const char *names[VIGIL_EV__MAX + 1];
	int n = 0;

	for (int k = 1; k < VIGIL_EV__MAX; k++)
		names[n++] = vigil_event_kind__name((enum vigil_event_kind)k);
	names[n] = NULL;
	*ret = 0;
	vigil_strlcpy(buf, list, sizeof(buf));
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum vigil_event_kind k = vigil_event_kind__from_name(tok);

		if (!k) {
			const char *s = vigil_suggest(tok, names);

			cli_errorf("--kinds: unknown kind '%s'%s%s%s", tok,
				   s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
			return -EINVAL;
		}
		*ret |= 1ull << k;
	}
	return 0;
}

static int print_event(const struct vigil_event *ev, void *ctx)
{
	struct trace_ctx *t = ctx;
	char line[2048];

	if (t->kinds && !(t->kinds & (1ull << ev->kind)))
		return 0;
	if (t->pid && ev->proc->pid != (uint32_t)t->pid)
		return 0;
	if (t->json) {
		char *j = vigil_event__to_json(ev);

		if (j) {
			fputs(j, t->out);
			fputc('\n', t->out);
			free(j);
		}
	} else if (vigil_event__format_line(ev, line, sizeof(line)) >= 0) {
		fputs(line, t->out);
		fputc('\n', t->out);
	}
	return 0;
}

/* The sets the kernel learned for the workload, from its bitmaps (not from events). */
static void print_summary(struct vigil_sensor *s, uint64_t cg, struct trace_ctx *t)
{
	uint64_t sys[8], ops[4];
	json_t *o, *a, *b;
	char *txt;

	if (vigil_sensor__syscalls(s, cg, sys, 512) || vigil_sensor__iouring_ops(s, cg, ops))
		return;
	a = json_array();
	b = json_array();
	for (int nr = 0; nr < 512; nr++) {
		const char *n = vigil_syscall_name(nr);

		if (sys[nr / 64] & (1ull << (nr % 64)))
			json_array_append_new(a, n ? json_string(n) : json_integer(nr));
	}
	for (int op = 0; op < 256; op++) {
		const char *n = vigil_iouring_op_name(op);

		if (ops[op / 64] & (1ull << (op % 64)))
			json_array_append_new(b, n ? json_string(n) : json_integer(op));
	}
	o = json_pack("{s:s, s:I, s:o, s:o}", "kind", "summary", "cgroup_id", (json_int_t)cg,
		      "syscalls", a, "iouring_ops", b);
	txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (txt) {
		if (!t->json)
			fputs("summary ", t->out);
		fputs(txt, t->out);
		fputc('\n', t->out);
	}
	free(txt);
	json_decref(o);
}

/* Reads what the ring buffer still holds after the command is gone. */
static void drain(struct vigil_sensor *s, struct trace_ctx *t)
{
	int empty = 0;

	for (int i = 0; i < 200 && empty < 3; i++) {
		int n = vigil_sensor__poll(s, 30, print_event, t);

		empty = n > 0 ? 0 : empty + 1;
	}
}

/* What the command line asked for. */
struct trace_args {
	struct vigil_sensor_opts opts;
	const char *cgroup, *output;
	uint64_t duration;
	struct allow_set allow;
	bool summary, zoom;
	char **cmd;
};

static int parse_number_opt(int c, const char *arg, struct trace_args *a, struct trace_ctx *t)
{
	uint64_t v = 0;

	switch (c) {
	case 'p':
		if (vigil_parse_u64(arg, &v) || !v || v > 4194304) {
			cli_errorf("--pid: '%s' is not a process id", arg);
			return -EINVAL;
		}
		/* a typo'd pid would otherwise trace nothing, silently */
		if (kill((pid_t)v, 0) < 0 && errno == ESRCH) {
			cli_errorf("--pid: no process %s", arg);
			return -EINVAL;
		}
		t->pid = (long)v;
		return 0;
	case 'P':
		if (vigil_parse_u64(arg, &v) || !v || v > 65535) {
			cli_errorf("--dns-port: '%s' is not a port", arg);
			return -EINVAL;
		}
		a->opts.dns_port = (uint16_t)v;
		return 0;
	case 'r':
		if (vigil_parse_u64(arg, &v) || !v || v > 100000000) {
			cli_errorf("--rate: '%s' is not a rate between 1 and 100000000 per second",
				   arg);
			return -EINVAL;
		}
		a->opts.rate_per_sec = (uint32_t)v;
		return 0;
	case 'b':
		if (vigil_parse_u64(arg, &v) || v < 4096 || v > (1u << 30) || (v & (v - 1))) {
			cli_errorf("--buffer: '%s' is not a power of two between 4096 and 2^30",
				   arg);
			return -EINVAL;
		}
		a->opts.ringbuf_bytes = v;
		return 0;
	default: /* 'D' */
		if (vigil_parse_duration(arg, &a->duration)) {
			cli_errorf("--duration: '%s' is not a duration (500ms, 30s, 10m)", arg);
			return -EINVAL;
		}
		return 0;
	}
}

/* Returns 0, or -EINVAL after printing what is wrong. */
static int parse_args(int argc, char **argv, struct trace_args *a, struct trace_ctx *t)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "dedup", no_argument, NULL, 'd' },
		{ "duration", required_argument, NULL, 'D' },
		{ "output", required_argument, NULL, 'o' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "dns-port", required_argument, NULL, 'P' },
		{ "rate", required_argument, NULL, 'r' },
		{ "zoom", no_argument, NULL, 'z' },
		{ "allow-syscalls", required_argument, NULL, 'A' },
		{ "summary", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+jk:c:p:dD:o:b:P:r:zA:Sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			t->json = true;
			break;
		case 'k':
			if (parse_kinds(optarg, &t->kinds))
				return -EINVAL;
			break;
		case 'c':
			a->cgroup = optarg;
			break;
		case 'd':
			a->opts.dedup = true;
			break;
		case 'z':
			a->zoom = true;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'A':
			if (parse_syscalls(optarg, &a->allow))
				return -EINVAL;
			break;
		case 'S':
			a->summary = true;
			break;
		case 'p':
		case 'P':
		case 'r':
		case 'b':
		case 'D':
			if (parse_number_opt(c, optarg, a, t))
				return -EINVAL;
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		a->cmd = argv + optind;
		if (a->cgroup) {
			cli_errorf("trace: --cgroup and -- CMD exclude each other");
			return -EINVAL;
		}
	}
	a->opts.kinds = t->kinds;
	a->opts.scope = a->cmd || a->cgroup ? VIGIL_SCOPE_SELECTED : VIGIL_SCOPE_ALL;
	return 0;
}

/* --cgroup: watch it (and zoom on it) before anything is read. */
static int watch_cgroup(struct vigil_sensor *s, const struct trace_args *a, uint64_t *ret_cg)
{
	int r = vigil_sensor__cgroup_id(a->cgroup, ret_cg);

	if (!r)
		r = vigil_sensor__watch_cgroup(s, *ret_cg);
	if (!r && a->zoom)
		r = vigil_sensor__set_zoom(s, *ret_cg, true);
	if (r)
		cli_errorf("trace: cgroup %s: %s", a->cgroup, strerror(-r));
	return r;
}

/* Polls until interrupted, the command exits or the duration is over. */
static int trace_loop(struct vigil_sensor *s, struct trace_ctx *t, uint64_t duration, pid_t *child,
		      int *status)
{
	struct timespec start, now;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop) {
		r = vigil_sensor__poll(s, 100, print_event, t);
		if (r < 0) {
			cli_errorf("trace: %s", strerror(-r));
			return EXIT_ERROR;
		}
		if (*child > 0 && waitpid(*child, status, WNOHANG) == *child) {
			*child = -1;
			break;
		}
		if (duration) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((uint64_t)(now.tv_sec - start.tv_sec) * 1000000000ull +
				    (uint64_t)(now.tv_nsec - start.tv_nsec) >=
			    duration)
				break;
		}
	}
	return 0;
}

/* What was left out or lost, on stderr: a trace that missed events says so. */
static void report_losses(struct vigil_sensor *s, bool zoom)
{
	struct vigil_sensor_status st;
	struct vigil_zoom_counters zc;

	if (zoom && !vigil_sensor__zoom_counters(s, &zc))
		cli_errorf(
			"trace: zoom: %llu records; samples left out: budget spent %llu, "
			"unreadable %llu; syscalls past the budget %llu; lost: ring buffer %llu, "
			"tables %llu",
			(unsigned long long)zc.events, (unsigned long long)zc.drops_budget,
			(unsigned long long)zc.drops_read, (unsigned long long)zc.drops_syscalls,
			(unsigned long long)zc.drops_ringbuf, (unsigned long long)zc.drops_table);
	if (zoom && !vigil_sensor__zoom_counters(s, &zc) && (zc.tls || zc.tls_attach_failed))
		cli_errorf("trace: zoom: TLS plaintext records %llu (socket unknown %llu); "
			   "uprobe attachments failed %llu",
			   (unsigned long long)zc.tls, (unsigned long long)zc.tls_nopeer,
			   (unsigned long long)zc.tls_attach_failed);
	if (!vigil_sensor__status(s, &st) && st.drops)
		cli_errorf("trace: %llu events dropped (ring buffer %llu, rate limit %llu, tables "
			   "%llu)",
			   (unsigned long long)st.drops, (unsigned long long)st.drops_ringbuf,
			   (unsigned long long)st.drops_ratelimit,
			   (unsigned long long)st.drops_table);
}

int cmd_trace(int argc, char **argv)
{
	struct trace_args a = { 0 };
	struct trace_ctx t = { 0 };
	struct vigil_error err = { 0 };
	struct vigil_sensor *s = NULL;
	uint64_t cg = 0;
	pid_t child = -1;
	int status = 0, rc = EXIT_ERROR;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (parse_args(argc, argv, &a, &t))
		return EXIT_ERROR;
	if (vigil_sensor__open(&a.opts, &s, &err)) {
		cli_errorf("trace: %s", err.message);
		return EXIT_ERROR;
	}
	if (a.cgroup && watch_cgroup(s, &a, &cg))
		goto out;
	/* the output file appears once the sensor is watching: scripts can wait for it */
	t.out = stdout;
	if (a.output && !(t.out = fopen(a.output, "we"))) {
		cli_errorf("trace: %s: %s", a.output, strerror(errno));
		t.out = stdout;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(t.out, NULL, _IOLBF, 0);
	if (a.cmd) {
		a.allow.s = s;
		a.allow.zoom = a.zoom;
		child = vigil_sensor__spawn_with(s, a.cmd, NULL, before_start, &a.allow, &cg, &err);
		if (child < 0) {
			cli_errorf("trace: %s", err.message);
			goto out;
		}
	}
	rc = trace_loop(s, &t, a.duration, &child, &status);
	if (child > 0) {
		/* interrupted or timed out: end the command, still report its events */
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
		child = -1;
	}
	drain(s, &t);
	if (a.cmd && a.summary)
		print_summary(s, cg, &t);
	if (a.cmd) {
		vigil_sensor__spawn_cleanup(s, cg);
		if (!rc)
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (t.out != stdout)
		fclose(t.out);
	t.out = stdout;
	report_losses(s, a.zoom);
	fflush(stdout);
out:
	if (t.out && t.out != stdout)
		fclose(t.out);
	vigil_sensor__free(s);
	return rc;
}
