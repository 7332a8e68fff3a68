// SPDX-License-Identifier: Apache-2.0
/*
 * Where the agent's workloads come from and which profile binds each: containers found in
 * the cgroup tree (with their engine's metadata), the agent's own commands (spawned in their
 * own cgroup, restarted when asked), and the rules that pick a profile file (bindings, the
 * Kubescape user-defined-profile label, PROFILES_DIR/NAME.yaml, .yml or .json). Gone
 * workloads are reaped.
 */
#include <errno.h>
#include <malloc.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

static bool binding_matches(const struct agent_binding *b, const struct wl *w,
			    const struct vigil_container_meta *meta)
{
	if (b->name && strcmp(b->name, w->name))
		return false;
	if (b->container_name && (!w->container_id[0] || strcmp(b->container_name, w->name)))
		return false;
	if (b->cgroup && fnmatch(b->cgroup, w->cgroup, 0))
		return false;
	if (b->image && (!meta || strcmp(b->image, meta->image)))
		return false;
	if (b->label_key &&
	    (!meta || !vigil_container_meta__has_label(meta, b->label_key, b->label_value)))
		return false;
	return true;
}

static void profile_path(const struct agent *a, const char *name, char *buf, size_t size)
{
	if (name[0] == '/')
		vigil_strlcpy(buf, name, size);
	else
		snprintf(buf, size, "%s/%s", a->c->profiles_dir, name);
}

static void safe_name(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++) {
		char ch = in[i];

		out[i] = (ch == '/' || ch == '\\' || ch == ' ' || (i == 0 && ch == '.')) ? '_' : ch;
	}
	out[i] = '\0';
}

/* DIR/STEM.yaml, or .yml, or .json (kubectl get -o json, which the loader reads too). */
static bool exists_as(char *file, size_t size, const char *dir, const char *stem)
{
	static const char *const ext[] = { "yaml", "yml", "json" };

	for (size_t i = 0; dir && dir[0] && i < sizeof(ext) / sizeof(ext[0]); i++)
		if (snprintf(file, size, "%s/%s.%s", dir, stem, ext[i]) < (int)size &&
		    access(file, F_OK) == 0)
			return true;
	return false;
}

/*
 * A pod's container: the cluster's profiles directory (a ConfigMap) by Kubescape's name, with
 * or without the namespace, then what the agent learned for the workload's container.
 */
static bool find_k8s_profile(struct agent *a, const struct wl *w, char *file, size_t size)
{
	const struct agent_identity *id = &w->id;
	char stem[sizeof(id->profile_stem) + 8];

	if (id->hints.user_defined_profile[0] &&
	    (exists_as(file, size, a->c->k8s_profiles_dir, id->hints.user_defined_profile) ||
	     exists_as(file, size, a->c->profiles_dir, id->hints.user_defined_profile)))
		return true;
	snprintf(stem, sizeof(stem), "%s.%s", id->namespace_, id->profile_name);
	if (exists_as(file, size, a->c->k8s_profiles_dir, stem) ||
	    exists_as(file, size, a->c->k8s_profiles_dir, id->profile_name))
		return true;
	return exists_as(file, size, a->c->profiles_dir, id->profile_stem);
}

/* Which profile file binds w: explicit bindings first, then PROFILES_DIR/NAME.yaml. */
bool agent_find_binding(struct agent *a, struct wl *w, char *file, size_t size)
{
	bool found = false;
	char stem[160];

	/* a container's image and labels (bindings, the user-defined-profile label) are in
	 * w->meta once its engine answered (naming.c, meta_late.c) */
	w->enforce_rules = 0;
	w->rule_params = NULL;
	for (size_t i = 0; i < a->c->nbindings && !found; i++) {
		if (binding_matches(&a->c->bindings[i], w, w->has_meta ? &w->meta : NULL)) {
			profile_path(a, a->c->bindings[i].profile, file, size);
			w->enforce_rules = a->c->bindings[i].enforce_rules;
			w->enforce_kill = a->c->bindings[i].enforce_kill;
			w->rule_params = a->c->bindings[i].rule_params;
			found = true;
		}
	}
	if (!found && w->has_meta) {
		/* Kubescape's pod label naming a hand-written profile */
		const char *name =
			vigil_container_meta__label(&w->meta, "kubescape.io/user-defined-profile");

		/* a name of a file in PROFILES_DIR, as documented: the label is the image's or
		 * the container's creator's, and with a '/' it named any file of the host (one
		 * shipped in the image's own layers, for instance) */
		if (name && strchr(name, '/')) {
			agent_logf(
				"%s: label kubescape.io/user-defined-profile=%s ignored: a profile "
				"name in %s, not a path",
				w->name, name, a->c->profiles_dir);
			name = NULL;
		}
		if (name && name[0]) {
			snprintf(stem, sizeof(stem), "%s.yaml", name);
			profile_path(a, stem, file, size);
			found = true;
		}
	}
	if (found)
		return true;
	if (w->id.k8s && w->id.profile_stem[0])
		return find_k8s_profile(a, w, file, size);
	safe_name(w->name, stem, sizeof(stem) - 5);
	if (exists_as(file, size, a->c->profiles_dir, stem))
		return true;
	snprintf(file + 0, size, "%s/%s.yaml", a->c->profiles_dir, stem);
	return false;
}

void agent_learned_path(const struct agent *a, const struct wl *w, char *buf, size_t size)
{
	char stem[160];

	/* a pod's container: one file per namespace, controller and container name */
	if (w->id.k8s && w->id.profile_stem[0]) {
		snprintf(buf, size, "%s/%s.yaml", a->c->profiles_dir, w->id.profile_stem);
		return;
	}
	safe_name(w->name, stem, sizeof(stem) - 5);
	snprintf(buf, size, "%s/%s.yaml", a->c->profiles_dir, stem);
}

bool agent_excluded(const struct agent *a, const char *cgroup)
{
	/*
	 * The cgroup2 root holds every process not placed anywhere (the host itself on many
	 * machines), and the agent's own cgroup would watch its own writes: never workloads.
	 */
	if (!strcmp(cgroup, "/") || !cgroup[0] ||
	    (a->self_cgroup[0] && !strcmp(cgroup, a->self_cgroup)))
		return true;
	for (size_t i = 0; i < a->c->exclude_cgroups.n; i++) {
		if (!fnmatch(a->c->exclude_cgroups.v[i], cgroup, 0))
			return true;
	}
	/* include_cgroups, when given, is the whole list of what may be watched */
	for (size_t i = 0; i < a->c->include_cgroups.n; i++) {
		if (!fnmatch(a->c->include_cgroups.v[i], cgroup, 0))
			return false;
	}
	return a->c->include_cgroups.n > 0;
}

/*
 * A container found by a scan (it may have run before the agent) has its network namespace
 * noted from its processes (R2001: a connection opened in it from outside, a port forward): the
 * kernel notes a namespace only at an exec, and such a container may never exec again. This
 * note replaces the kernel's (which may be another container's sharing the namespace, one
 * the agent does not watch). A container met by its events is noted by the kernel at its
 * first exec.
 */
static void note_netns(struct agent *a, uint64_t cg, const char *cgroup)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int pid, n = 0;

	if (!a->cg_root[0] || !cgroup[0])
		return;
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", a->cg_root, cgroup);
	f = fopen(path, "re");
	if (!f)
		return;
	while (n++ < 8 && fscanf(f, "%d", &pid) == 1 && vigil_sensor__note_netns(a->s, cg, pid) < 0)
		;
	fclose(f);
}

int agent_on_container(const char *rel, const char *id, void *ctx)
{
	struct agent *a = ctx;
	uint64_t cg;

	if (a->scan_below && (strncmp(rel, a->scan_below, strlen(a->scan_below)) ||
			      rel[strlen(a->scan_below)] != '/'))
		return 0;
	/* cheap before anything else: no engine query for a container we will not watch */
	if (agent_excluded(a, rel) || vigil_sensor__cgroup_id(rel, &cg) < 0 || agent_wl_find(a, cg))
		return 0;
	if (vigil_sensor__watch_cgroup(a->s, cg) < 0)
		return 0;
	note_netns(a, cg, rel);
	agent_new_container(a, cg, rel, id, false);
	return 0;
}

struct spawn_ctx {
	struct agent *a;
	const char *name;
};

/* Before the command's first instruction: a crash from here on leaves it recorded. */
static int record_spawn(uint64_t cgroup_id, void *ctx)
{
	struct spawn_ctx *sc = ctx;
	int e = agent_record_command(sc->a, sc->name, cgroup_id);

	if (e < 0)
		agent_logf("%s: cannot record the command in %s/commands (a crash would leave it "
			   "running): %s",
			   sc->name, sc->a->c->state_dir, strerror(-e));
	return 0;
}

struct wl *agent_new_container(struct agent *a, uint64_t cg, const char *cgroup, const char *id,
			       bool complete)
{
	char name[16];

	/* a pod's container is named from its pod (identity.c); others by their engine once it
	 * answered (naming.c), by the id until then */
	snprintf(name, sizeof(name), "%.12s", id);
	return agent_wl_new(a, cg, name, cgroup, id, -1, complete, NULL, 1);
}

int agent_spawn_command(struct agent *a, size_t i)
{
	const struct agent_command *cmd = &a->c->commands[i];
	struct spawn_ctx sc = { a, cmd->name };
	struct vigil_error err = { 0 };
	uint64_t cg = 0;
	struct wl *w;
	pid_t pid;

	pid = vigil_sensor__spawn_with(a->s, cmd->argv.v, cmd->name, record_spawn, &sc, &cg, &err);
	if (pid < 0) {
		char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

		agent_logf("%s: %s", cmd->name, vigil_error__format(&err, ebuf, sizeof(ebuf)));
		return pid;
	}
	/* watched before its first instruction: what it learns is complete */
	w = agent_wl_new(a, cg, cmd->name, "", "", (int)i, true, NULL, 1);
	if (!w) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -ENOMEM;
	}
	w->pid = pid;
	return 0;
}

void agent_reap_commands(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];
		int ws, cmd;

		if (w->cmd < 0 || w->gone)
			continue;
		if (w->pid && waitpid(w->pid, &ws, WNOHANG) == w->pid) {
			w->pid = 0;
			w->exited_at = now;
		}
		if (w->pid || now < w->exited_at + DRAIN_NS)
			continue;
		/* exited and drained: a learning command ends its learning now */
		if (w->state == WL_LEARNING)
			agent_finish_learning(a, w);
		w->gone = true;
		vigil_detector__unbind(a->d, w->cgroup_id);
		agent_wl_unkallow(a, w);
		vigil_sensor__spawn_cleanup(a->s, w->cgroup_id);
		agent_forget_command(a, a->c->commands[w->cmd].name);
		/* forgotten at the next reap: its cgroup id may be reused by a new cgroup */
		cmd = w->cmd;
		w->cmd = -1;
		/* a restart is a new workload: its own cgroup, bound to the same profile */
		if (a->c->commands[cmd].restart)
			agent_spawn_command(a, (size_t)cmd);
	}
}

/*
 * Containers that went away: one still learning ends its learning now (it did all it will
 * do); then it is forgotten, so the table holds live workloads.
 */
/* VIGIL_MEM_TRACE=1: heap in use and RSS after each reap that forgot a workload (churn bench) */
static void mem_after_reap(const struct agent *a, size_t forgotten)
{
	struct mallinfo2 mi;
	char line[128];
	unsigned long rss = 0;
	FILE *f;

	if (!forgotten || !getenv("VIGIL_MEM_TRACE"))
		return;
	mi = mallinfo2();
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu", &rss) == 1)
			break;
	if (f)
		fclose(f);
	agent_logf("memory: forgot %zu workloads, %zu left: heap in use %zu KiB, VmRSS %lu KiB",
		   forgotten, a->nwl, mi.uordblks / 1024, rss);
}

void agent_reap_containers(struct agent *a)
{
	char path[PATH_MAX + 512];
	size_t keep = 0, forgotten;

	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->cmd < 0 && w->container_id[0] && w->cgroup[0] && a->cg_root[0]) {
			snprintf(path, sizeof(path), "%s%s", a->cg_root, w->cgroup);
			/* one being named stays until its engine answered (at most its bound):
			 * what it did before it left is judged first */
			if (w->state != WL_NAMING && access(path, F_OK) < 0 && errno == ENOENT) {
				if (w->state == WL_LEARNING)
					agent_finish_learning(a, w);
				vigil_detector__unbind(a->d, w->cgroup_id);
				agent_wl_unenforce(a, w);
				agent_wl_unkallow(a, w);
				vigil_sensor__unwatch_cgroup(a->s, w->cgroup_id);
				w->gone = true;
			}
		}
		if (w->gone && w->cmd < 0 && !w->pid) {
			if (a->last == w)
				a->last = NULL;
			vigil_learner__free(w->l);
			agent_naming_forget(a, w);
			agent_meta_forget(w);
			vigil_container_meta__release(&w->meta);
			free(w);
			continue;
		}
		a->wl[keep++] = w;
	}
	forgotten = a->nwl - keep;
	a->nwl = keep;
	if (forgotten) {
		agent_stored_release_unused(a);
		vigil_sensor__forget_gone_workloads(a->s);
	}
	mem_after_reap(a, forgotten);
}

/* Where runtimes make containers: kubelet (both drivers, kind's nested kubelet), podman, docker. */
static const char *const container_parents[] = {
	"/kubepods",	  "/kubepods.slice", "/kubelet.slice/kubelet-kubepods.slice",
	"/libpod_parent", "/machine.slice",  "/docker",
};

void agent_watch_parents(struct agent *a)
{
	for (size_t i = 0; i < sizeof(container_parents) / sizeof(container_parents[0]); i++) {
		const char *p = container_parents[i];
		bool have = false;
		uint64_t cg;

		for (size_t j = 0; j < a->nparents && !have; j++)
			have = !strcmp(a->parents[j], p);
		if (have || a->nparents >= sizeof(a->parents) / sizeof(a->parents[0]) ||
		    vigil_sensor__cgroup_id(p, &cg) < 0 || vigil_sensor__watch_cgroup(a->s, cg) < 0)
			continue;
		vigil_strlcpy(a->parents[a->nparents++], p, sizeof(a->parents[0]));
		agent_logf("watching new containers under %s", p);
	}
}

bool agent_under_parent(const struct agent *a, const char *cgroup)
{
	for (size_t i = 0; i < a->nparents; i++) {
		size_t n = strlen(a->parents[i]);

		if (!strncmp(cgroup, a->parents[i], n) && cgroup[n] == '/')
			return true;
	}
	return false;
}

void agent_find_self_cgroup(struct agent *a)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[600];

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			vigil_strlcpy(a->self_cgroup, line + 3, sizeof(a->self_cgroup));
		}
	}
	if (f)
		fclose(f);
}
