// SPDX-License-Identifier: Apache-2.0
/*
 * The node agent: discovers workloads (containers, its own commands, or every cgroup), learns
 * each new one for the learning window, then detects against the learned (or bound,
 * hand-written) profile. Profiles on disk are watched with inotify, reloaded and re-verified;
 * a profile that fails verification raises R1016 and the last good one stays in force.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "sensor/agent/apiserver.h"
#include "util/fileio.h"
#include "util/strutil.h"
#include "vigil/burst.h"

uint64_t agent_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The agent is a program: it reports once per fact, on stderr. */
void agent_logf(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A NULL-terminated copy of the list's pointers (not of the strings); NULL without memory. */
static const char **strv_terminated(const struct strv *l)
{
	const char **v = calloc(l->n + 1, sizeof(*v));

	for (size_t i = 0; v && i < l->n; i++)
		v[i] = l->v[i];
	return v;
}

static int agent_open(struct agent *a, struct vigil_error *err)
{
	struct vigil_sensor_opts so = { .dedup = true };
	struct vigil_detect_opts dopts = { 0 };
	const char **disabled = NULL, **enabled = NULL;
	int e;

	so.scope = a->c->scope == AGENT_SCOPE_ALL ? VIGIL_SCOPE_ALL : VIGIL_SCOPE_SELECTED;
	so.ringbuf_bytes = (size_t)a->c->ringbuf_bytes;
	if (mkdir(a->c->state_dir, 0755) < 0 && errno != EEXIST)
		return vigil_error__set(err, -errno, a->c->state_dir, 0, 0, "cannot create: %s",
					strerror(errno));
	{
		char lock[PATH_MAX];
		pid_t holder = 0;

		snprintf(lock, sizeof(lock), "%s/agent.lock", a->c->state_dir);
		a->lock_fd = vigil_lock_file(lock, &holder);
		if (a->lock_fd == -EWOULDBLOCK)
			return vigil_error__set(
				err, -EBUSY, a->c->state_dir, 0, 0,
				"another vigil agent (pid %ld) is running with this "
				"state directory",
				(long)holder);
		if (a->lock_fd < 0)
			return vigil_error__set(err, a->lock_fd, lock, 0, 0, "cannot lock: %s",
						strerror(-a->lock_fd));
	}
	if (mkdir(a->c->profiles_dir, 0755) < 0 && errno != EEXIST)
		return vigil_error__set(err, -errno, a->c->profiles_dir, 0, 0, "cannot create: %s",
					strerror(errno));
	/* sqlite:/var/lib/vigil/evidence.db needs its directory, as the cockpit's store does */
	if (a->c->evidence && vigil_str_has_prefix(a->c->evidence, "sqlite:") &&
	    (e = vigil_mkdir_parents(a->c->evidence + 7, 0750)) < 0)
		return vigil_error__set(err, e, a->c->evidence + 7, 0, 0,
					"cannot create its directory: %s", strerror(-e));
	if (a->c->require_signatures) {
		e = vigil_trust__load_dir(a->c->trust_dir, &a->trust, err);
		if (e < 0)
			return e;
		/* what the agent signs must verify after a restart (as --check says) */
		e = agent_config__check_signing(a->c, err);
		if (e < 0)
			return e;
		e = agent_versions_open(a, err);
		if (e < 0)
			return e;
	}
	if (a->c->sign_key && a->c->sign_key[0]) {
		e = vigil_sign__key_load(a->c->sign_key, &a->key, err);
		if (e < 0)
			return e;
	}
	/* what a crash of the previous agent left: half-written files, unwatched commands */
	agent_remove_stale_tmp(a);
	disabled = strv_terminated(&a->c->disabled_rules);
	enabled = strv_terminated(&a->c->enabled_rules);
	if (!disabled || !enabled) {
		free(disabled);
		free(enabled);
		return -ENOMEM;
	}
	dopts.disabled = disabled;
	dopts.enabled = enabled;
	dopts.cooldown_ns = a->c->cooldown_ns;
	dopts.no_cooldown = !a->c->cooldown_ns;
	vigil_detect_opts__dedup(&dopts, &so.dedup, &so.dedup_ttl_ns);
	a->d = vigil_detector__new(&dopts);
	free(disabled);
	free(enabled);
	if (!a->d)
		return vigil_error__set(err, -errno, a->c->path, 0, 0,
					"bad detection settings (enabled_rules, disabled_rules: "
					"an unknown rule id?): %s",
					strerror(errno));
	a->alerts = vigil_alerts__new(NULL);
	if (!a->alerts)
		return -ENOMEM;
	for (size_t i = 0; i < a->c->sinks.n; i++) {
		e = vigil_alerts__add_sink(a->alerts, a->c->sinks.v[i], err);
		if (e < 0)
			return e;
	}
	a->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* agent_watch_dir_of takes the directory of a file: name a file inside the profiles dir */
	{
		char probe[PATH_MAX];

		snprintf(probe, sizeof(probe), "%s/.", a->c->profiles_dir);
		agent_watch_dir_of(a, probe);
	}
	agent_trust_watch(a);
	{
		char why[256] = "";

		a->api = agent_api__new(a->c, why, sizeof(why));
		if (!a->api && a->c->scope == AGENT_SCOPE_CONTAINERS)
			agent_logf("api server not used (%s): pod identity from the node only",
				   why);
	}
	e = vigil_sensor__open(&so, &a->s, err);
	if (e < 0)
		return e;
	agent_end_leftover_commands(a);
	if (a->c->evidence && a->c->evidence[0]) {
		e = vigil_evidence__open(a->c->evidence, a->s, &a->evidence, err);
		if (e < 0)
			return e;
	}
	a->pipe.sinks = a->alerts;
	a->pipe.evidence = a->evidence;
	a->pipe.tap = agent_on_alert;
	a->pipe.tap_ctx = a;
	if (a->c->burst_ns && !(a->pipe.bursts = vigil_bursts__new(a->c->burst_ns)))
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	e = agent_cockpit_open(a, err);
	if (e < 0)
		return e;
	return agent_metrics_open(a, err);
}

static void agent_close(struct agent *a)
{
	/* the bursts still open: their summaries, while the workloads and sinks are there */
	if (a->alerts)
		vigil_alert_pipe__flush(&a->pipe);
	/* the last health check and status, while the workload table is still there */
	if (a->s && a->alerts)
		agent_health_check(a);
	if (a->d && a->alerts && a->s)
		agent_write_status(a);
	/* learning goes on after a restart from where it stopped */
	if (a->s)
		agent_checkpoint_learning(a, agent_mono_ns(), true);
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->cmd >= 0 && w->pid) {
			kill(w->pid, SIGTERM);
			waitpid(w->pid, NULL, 0);
		}
		if (w->cmd >= 0 && !w->gone && a->s) {
			vigil_sensor__spawn_cleanup(a->s, w->cgroup_id);
			agent_forget_command(a, a->c->commands[w->cmd].name);
		}
		vigil_learner__free(w->l);
		agent_naming_forget(a, w);
		agent_meta_forget(w);
		vigil_container_meta__release(&w->meta);
		free(w);
	}
	for (size_t i = 0; i < a->nstored; i++) {
		vigil_profile__free(a->stored[i]->good);
		free(a->stored[i]->file);
		free(a->stored[i]);
	}
	for (size_t i = 0; i < a->nwatches; i++)
		free(a->watches[i].dir);
	if (a->ino >= 0)
		close(a->ino);
	if (a->d && a->s) {
		struct vigil_detect_stats st;

		vigil_detector__stats(a->d, &st);
		agent_logf(
			"stopping: %llu events checked, %llu alerts raised, %llu repeats counted in "
			"cooldowns, %llu cooldown keys evicted",
			(unsigned long long)st.events, (unsigned long long)st.alerts,
			(unsigned long long)st.suppressed, (unsigned long long)st.evicted);
	}
	agent_metrics_close(a);
	/* open incidents are reported now: to the store and, through the uplink, the cockpit */
	if (a->evidence) {
		struct vigil_error err = { 0 };

		if (vigil_evidence__close(a->evidence, &err) < 0)
			agent_logf("evidence: %s", err.message);
	}
	agent_cockpit_close(a);
	if (a->alerts && vigil_alerts__flush(a->alerts, 5000000000ULL) < 0)
		agent_logf("some alerts could not be delivered before exit");
	vigil_alerts__free(a->alerts);
	vigil_bursts__free(a->pipe.bursts);
	vigil_detector__free(a->d);
	vigil_trust__free(a->trust);
	vigil_sign_versions__free(a->versions);
	vigil_sign__key_free(a->key);
	vigil_sensor__free(a->s);
	agent_api__free(a->api);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
}

int vigil_agent__run(const struct vigil_agent_config *c, volatile sig_atomic_t *stop,
		     struct vigil_error *err)
{
	return vigil_agent__run_reopen(c, stop, NULL, err);
}

int vigil_agent__run_reopen(const struct vigil_agent_config *c, volatile sig_atomic_t *stop,
			    volatile sig_atomic_t *reopen, struct vigil_error *err)
{
	struct agent *a = calloc(1, sizeof(*a));
	uint64_t next_scan = 0, next_status = 0, next_health = 0, next_parents = 0;
	int e;

	if (!a)
		return -ENOMEM;
	a->c = c;
	a->ino = -1;
	a->lock_fd = -1;
	a->trust_wd = -1;
	{
		const char *hooks = getenv("VIGIL_TEST_HOOKS");

		a->hook_stop_before_rename = hooks && strstr(hooks, "stop-before-rename");
	}
	a->started = time(NULL);
	vigil_cgroup2_mount(a->cg_root, sizeof(a->cg_root));
	agent_find_self_cgroup(a);
	e = agent_open(a, err);
	if (e < 0)
		goto out;
	agent_logf("started (config %s, profiles %s, scope %s, learning %s)",
		   c->path[0] ? c->path : "built-in defaults", c->profiles_dir,
		   c->scope == AGENT_SCOPE_ALL ? "all" : "containers", c->learn ? "on" : "off");
	for (size_t i = 0; i < c->ncommands; i++)
		agent_spawn_command(a, i);
	next_health = agent_mono_ns() + c->health_ns;
	while (!*stop) {
		uint64_t now = agent_mono_ns();

		if (reopen && *reopen) {
			*reopen = 0;
			e = vigil_alerts__reopen(a->alerts);
			if (e < 0)
				agent_logf("reopening file sinks: %s", strerror(-e));
			else
				agent_logf("file sinks reopened");
		}
		if (now >= next_health) {
			agent_health_check(a);
			next_health = now + c->health_ns;
		}
		if (now >= next_scan) {
			/* parents first: a container made after the scan is then seen from its
			 * start, one made before is found by the scan */
			if (c->scope == AGENT_SCOPE_CONTAINERS) {
				agent_watch_parents(a);
				vigil_find_containers(agent_on_container, a);
			}
			agent_reap_containers(a);
			agent_meta_retry(a, now);
			agent_poll_profiles(a);
			agent_trust_check(a, true);
			next_scan = now + c->rescan_ns;
		}
		/* a runtime's parent cgroup made after the start (the kubelet's /kubepods): watched
		 * within a second, and what is already below it found now */
		if (c->scope == AGENT_SCOPE_CONTAINERS && now >= next_parents) {
			size_t had = a->nparents;

			agent_watch_parents(a);
			/* only below the new parents: a container elsewhere being made right now
			 * is met through its events, from its start */
			for (size_t i = had; next_scan && i < a->nparents; i++) {
				a->scan_below = a->parents[i];
				vigil_find_containers(agent_on_container, a);
			}
			a->scan_below = NULL;
			next_parents = now + 1000000000ULL;
		}
		if (now >= next_status) {
			agent_write_status(a);
			next_status = now + 2000000000ULL;
		}
		agent_cockpit_tick(a, now);
		agent_metrics_tick(a, now);
		/* a container being named: its engine's answer is read within ~10 ms */
		e = vigil_sensor__poll(a->s, a->naming.now ? NAMING_POLL_MS : POLL_MS,
				       agent_on_event, a);
		if (e < 0 && e != -EINTR) {
			vigil_error__set(err, e, "", 0, 0, "reading events: %s", strerror(-e));
			goto out;
		}
		now = agent_mono_ns();
		agent_naming_poll(a);
		agent_enforce_switch(a);
		agent_kallow_roots(a, now);
		agent_read_inotify(a);
		agent_trust_check(a, false);
		vigil_alert_pipe__tick(&a->pipe);
		vigil_evidence__tick(a->evidence);
		agent_api__tick(a->api);
		agent_reap_commands(a, now);
		agent_check_learning(a, now);
		agent_checkpoint_learning(a, now, false);
	}
	e = 0;
out:
	agent_close(a);
	free(a);
	return e;
}
