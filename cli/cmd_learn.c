// SPDX-License-Identifier: Apache-2.0
/* vigil learn: write the SBoB of a command, or of every running container. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "sensor/agent/meta.h"
#include "util/strutil.h"
#include "vigil/agent.h"
#include "vigil/learn.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"

#define MAX_CONTAINERS 256

static volatile sig_atomic_t stop_flag;
static bool per_exe; /* --per-executable */

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil learn --out FILE [--name NAME] [--duration D] -- CMD ARGS...\n"
		"       vigil learn --out DIR [--duration D] --containers\n"
		"\n"
		"Runs CMD as its own workload and writes its profile (a Kubescape ContainerProfile)\n"
		"to FILE when CMD exits or D passes (then CMD gets SIGTERM). With --containers,\n"
		"learns every running container for D (default 60s) into DIR/NAME.yaml.\n"
		"Files are replaced atomically.\n"
		"\n"
		"  -o, --out PATH        output file (or directory with --containers)\n"
		"  -n, --name NAME       profile and workload name (default: CMD's base name)\n"
		"  -d, --duration D      learning window: 500ms, 30s, 10m, 24h\n"
		"      --containers      learn the running containers (podman, docker, containerd)\n"
		"      --per-executable  also key execs and opens by the executable that made them\n"
		"                        (byExecutable, docs/PROFILES.md): a file the launcher\n"
		"                        read is then not allowed to the server\n");
}

static uint64_t total_drops(struct vigil_sensor *s)
{
	struct vigil_sensor_status st;

	if (vigil_sensor__status(s, &st) < 0)
		return 0;
	return st.drops;
}

static int learn_event(const struct vigil_event *ev, void *ctx)
{
	int err = vigil_learner__event(ctx, ev);

	/* a full list or an odd event must not end learning: only out-of-memory does */
	return err == -ENOMEM ? err : 0;
}

static int learn_command(const char *out, const char *name, uint64_t duration_ns, char **cmd)
{
	struct vigil_sensor_opts so = { .scope = VIGIL_SCOPE_SELECTED, .dedup = true };
	struct vigil_learn_opts lo = { 0 };
	struct vigil_run run = { 0 };
	struct vigil_sensor *s = NULL;
	struct vigil_learner *l = NULL;
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	uint64_t cg = 0, drops0;
	int status = 0, e, rc = EXIT_ERROR;
	const char *base = strrchr(cmd[0], '/');

	lo.name = name ? name : (base ? base + 1 : cmd[0]);
	lo.per_exe = per_exe;
	l = vigil_learner__new(&lo);
	if (!l) {
		cli_errorf("learn: %s", strerror(errno));
		return EXIT_ERROR;
	}
	e = vigil_sensor__open(&so, &s, &err);
	if (e < 0) {
		cli_print_error(&err);
		goto out;
	}
	drops0 = total_drops(s);
	run.duration_ns = duration_ns;
	run.on_event = learn_event;
	run.ctx = l;
	run.stop = &stop_flag;
	e = vigil_run_workload(s, cmd, lo.name, &run, &status, &cg, &err);
	if (e < 0) {
		cli_print_error(&err);
		goto out;
	}
	e = vigil_learn_kernel_sets(s, l, cg);
	if (!e)
		e = vigil_learner__finish(l, total_drops(s) != drops0, &p);
	if (e < 0) {
		cli_errorf("learn: %s: %s", lo.name, strerror(-e));
		goto out;
	}
	if (vigil_profile_write_atomic(p, out, &err) < 0) {
		cli_print_error(&err);
		goto out;
	}
	if (status)
		cli_errorf("learn: note: %s exited with status %d", cmd[0], status);
	/* names with a `*` or `⋯` of the workload's own (sensor/learn/wild.c) */
	if (vigil_learner__left_out(l))
		cli_errorf("learn: warning: %zu entries left out: their names carry a profile "
			   "wildcard character ('*' or '⋯'), which would allow other names",
			   vigil_learner__left_out(l));
	fprintf(stderr, "vigil: learned %s: %zu events, %zu entries -> %s\n", lo.name,
		vigil_learner__events(l), vigil_profile__entry_count(p), out);
	rc = 0;
out:
	if (cg)
		vigil_sensor__spawn_cleanup(s, cg);
	vigil_profile__free(p);
	vigil_learner__free(l);
	vigil_sensor__free(s);
	return rc;
}

/* ---- --containers ------------------------------------------------------------------- */

struct learned {
	uint64_t cgroup_id;
	char name[128];
	bool named; /* name from the container engine */
	struct vigil_learner *l;
};

struct containers {
	struct learned v[MAX_CONTAINERS];
	size_t n;
};

static struct learned *find_learned(struct containers *cs, uint64_t id)
{
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->v[i].cgroup_id == id)
			return &cs->v[i];
	}
	return NULL;
}

/* A learner per container, made at its first event, when the container's name is known. */
static int ensure_learner(struct learned *c, const char *name)
{
	struct vigil_learn_opts lo = { 0 };

	if (c->l)
		return 0;
	if (!c->named && name && name[0] && !strchr(name, '/'))
		vigil_strlcpy(c->name, name, sizeof(c->name));
	lo.name = c->name;
	lo.workload_kind = "Container";
	lo.workload_name = c->name;
	lo.per_exe = per_exe;
	c->l = vigil_learner__new(&lo);
	return c->l ? 0 : -errno;
}

static int containers_event(const struct vigil_event *ev, void *ctx)
{
	struct containers *cs = ctx;
	struct learned *c;
	int err;

	if (!ev->workload)
		return 0;
	c = find_learned(cs, ev->workload->cgroup_id);
	if (!c)
		return 0;
	err = ensure_learner(c, ev->workload->name);
	if (!err)
		err = vigil_learner__event(c->l, ev);
	return err == -ENOMEM ? err : 0;
}

static int on_container(const char *rel, const char *id, void *ctx)
{
	struct containers *cs = ctx;
	struct learned *c;

	if (cs->n >= MAX_CONTAINERS)
		return 0;
	c = &cs->v[cs->n];
	if (vigil_sensor__cgroup_id(rel, &c->cgroup_id) < 0)
		return 0;
	snprintf(c->name, sizeof(c->name), "%.12s", id);
	{
		struct vigil_container_meta meta = { 0 };

		if (vigil_container_meta__get(id, &meta) == 0 && meta.name[0]) {
			vigil_strlcpy(c->name, meta.name, sizeof(c->name));
			c->named = true;
		}
		vigil_container_meta__release(&meta);
	}
	cs->n++;
	return 0;
}

static void safe_file_name(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++) {
		char ch = in[i];

		out[i] = (ch == '/' || ch == '\\' || (i == 0 && ch == '.')) ? '_' : ch;
	}
	out[i] = '\0';
}

static int learn_containers(const char *dir, uint64_t duration_ns)
{
	struct vigil_sensor_opts so = { .scope = VIGIL_SCOPE_SELECTED, .dedup = true };
	struct containers *cs = calloc(1, sizeof(*cs));
	struct vigil_sensor *s = NULL;
	struct vigil_error err = { 0 };
	struct timespec t0, t;
	int e, rc = EXIT_ERROR;

	if (!cs) {
		cli_errorf("learn: %s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cli_errorf("learn: %s: %s", dir, strerror(errno));
		goto out;
	}
	e = vigil_sensor__open(&so, &s, &err);
	if (e < 0) {
		cli_print_error(&err);
		goto out;
	}
	e = vigil_find_containers(on_container, cs);
	if (e < 0) {
		cli_errorf("learn: finding containers: %s", strerror(-e));
		goto out;
	}
	if (!cs->n) {
		cli_errorf("learn: no running containers found");
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < cs->n; i++)
		vigil_sensor__watch_cgroup(s, cs->v[i].cgroup_id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop_flag) {
		e = vigil_sensor__poll(s, 100, containers_event, cs);
		if (e < 0 && e != -EINTR) {
			cli_errorf("learn: reading events: %s", strerror(-e));
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ULL + (uint64_t)t.tv_nsec -
			    (uint64_t)t0.tv_nsec >=
		    duration_ns)
			break;
	}
	rc = 0;
	for (size_t i = 0; i < cs->n; i++) {
		struct learned *c = &cs->v[i];
		struct vigil_profile *p = NULL;
		char file[256], path[4096];

		e = ensure_learner(c, NULL);
		if (!e)
			e = vigil_learn_kernel_sets(s, c->l, c->cgroup_id);
		/* the container ran before learning began: what it did then was not seen */
		if (!e)
			e = vigil_learner__finish(c->l, true, &p);
		if (e < 0) {
			cli_errorf("learn: %s: %s", c->name, strerror(-e));
			rc = EXIT_ERROR;
			continue;
		}
		safe_file_name(c->name, file, sizeof(file));
		snprintf(path, sizeof(path), "%s/%s.yaml", dir, file);
		if (vigil_profile_write_atomic(p, path, &err) < 0) {
			cli_print_error(&err);
			rc = EXIT_ERROR;
		} else {
			fprintf(stderr, "vigil: learned %s: %zu events -> %s\n", c->name,
				vigil_learner__events(c->l), path);
		}
		vigil_profile__free(p);
	}
out:
	for (size_t i = 0; i < cs->n; i++)
		vigil_learner__free(cs->v[i].l);
	free(cs);
	vigil_sensor__free(s);
	return rc;
}

int cmd_learn(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "containers", no_argument, NULL, 'C' },
		{ "per-executable", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *name = NULL;
	uint64_t duration_ns = 0;
	bool containers = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:n:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'd':
			if (vigil_parse_duration(optarg, &duration_ns) < 0 || !duration_ns) {
				cli_errorf("learn: bad duration '%s' (use 500ms, 30s, 10m, 24h)",
					   optarg);
				return EXIT_ERROR;
			}
			break;
		case 'C':
			containers = true;
			break;
		case 'P':
			per_exe = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (!out) {
		cli_errorf("learn: --out is required");
		return EXIT_ERROR;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (containers) {
		if (optind < argc) {
			cli_errorf("learn: --containers takes no command");
			return EXIT_ERROR;
		}
		return learn_containers(out, duration_ns ? duration_ns : 60ULL * 1000000000ULL);
	}
	if (optind >= argc) {
		cli_errorf("learn: no command given (vigil learn --out FILE -- CMD ARGS...)");
		return EXIT_ERROR;
	}
	return learn_command(out, name, duration_ns, argv + optind);
}
