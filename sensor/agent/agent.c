// SPDX-License-Identifier: Apache-2.0
/*
 * The node agent: discovers workloads (containers, its own commands, or every cgroup), learns
 * each new one for the learning window, then detects against the learned (or bound,
 * hand-written) profile. Profiles on disk are watched with inotify, reloaded and re-verified;
 * a profile that fails verification raises R1016 and the last good one stays in force.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <limits.h>
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

#include "sensor/agent/config.h"
#include "sensor/agent/meta.h"
#include "util/strutil.h"
#include "util/fileio.h"
#include "vigil/agent.h"
#include "vigil/alert.h"
#include "vigil/detect.h"
#include "vigil/learn.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"
#include "vigil/sign.h"

#define MAX_WORKLOADS 4096
#define MAX_STORED    1024
#define MAX_WATCHES   64
#define POLL_MS	      100
#define DRAIN_NS      (300ULL * 1000000ULL)

enum wl_state {
	WL_LEARNING = 1,
	WL_DETECTING,	/* bound to a profile */
	WL_UNPROTECTED, /* its profile is not usable and there is no last good one */
	WL_IGNORED,	/* excluded, or learning is off and nothing binds it */
};

struct stored {
	char *file;
	struct vigil_profile *good; /* last good: verified (or not required to be) */
	char digest[80];	    /* of good */
	char signer[VIGIL_SIGN_NAME_MAX + 1];
	char self_digest[80]; /* what the agent itself last wrote there */
	/* identity of the file last read: a change inotify cannot see (a ConfigMap's symlink
	 * swap, a bind mount) is found by comparing it */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
};

struct wl {
	uint64_t cgroup_id;
	char name[128];
	char cgroup[512];
	char container_id[VIGIL_CONTAINER_ID_LEN + 1];
	enum wl_state state;
	struct vigil_learner *l;
	uint64_t learn_end; /* monotonic */
	uint64_t drops0;
	bool partial;
	struct stored *profile;
	int cmd;	    /* index into config commands, -1 when not ours */
	pid_t pid;	    /* ours: the command's pid, 0 once reaped */
	uint64_t exited_at; /* monotonic, ours only */
	bool gone;
	struct vigil_container_meta meta; /* containers: from the engine, once */
	bool has_meta;
};

struct agent {
	const struct vigil_agent_config *c;
	struct vigil_sensor *s;
	struct vigil_detector *d;
	struct vigil_alerts *alerts;
	struct vigil_trust *trust;
	struct vigil_sign_key *key;
	struct wl *wl[MAX_WORKLOADS];
	size_t nwl;
	struct stored *stored[MAX_STORED];
	size_t nstored;
	int ino;
	struct {
		int wd;
		char *dir;
	} watches[MAX_WATCHES];
	size_t nwatches;
	struct vigil_evidence *evidence; /* NULL when no store is configured */
	const struct vigil_event *cur;	 /* the event being evaluated */
	uint64_t alerts_raised;
	char self_cgroup[512]; /* the agent's own cgroup2 path */
	struct wl *last;       /* wl_find's last hit */
	char cg_root[PATH_MAX];
	struct vigil_sensor_status drops_seen; /* sensor drop counters at the last health check */
	uint64_t health_alerts;		       /* V0001 and V0002 emitted */
	time_t started;
	int lock_fd; /* STATE_DIR/agent.lock, held while running: one agent per state directory */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The agent is a program: it reports once per fact, on stderr. */
static void logf_(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int emit(json_t *alert, void *ctx)
{
	struct agent *a = ctx;

	a->alerts_raised++;
	vigil_evidence__alert(a->evidence, a->cur, alert);
	vigil_alerts__emit(a->alerts, alert);
	return 0;
}

static void wl_as_workload(const struct wl *w, struct vigil_workload *out)
{
	memset(out, 0, sizeof(*out));
	out->cgroup_id = w->cgroup_id;
	out->cgroup_path = w->cgroup;
	out->container_id = w->container_id;
	out->name = w->name;
	out->runtime = "";
}

/* ---- profile store ------------------------------------------------------------------ */

static void watch_dir_of(struct agent *a, const char *file)
{
	char dir[PATH_MAX];
	char *slash;
	int wd;

	if (a->ino < 0)
		return;
	vigil_strlcpy(dir, file, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		vigil_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	for (size_t i = 0; i < a->nwatches; i++) {
		if (!strcmp(a->watches[i].dir, dir))
			return;
	}
	if (a->nwatches >= MAX_WATCHES)
		return;
	wd = inotify_add_watch(
		a->ino, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
	if (wd < 0) {
		logf_("cannot watch %s for changes: %s", dir, strerror(errno));
		return;
	}
	a->watches[a->nwatches].wd = wd;
	a->watches[a->nwatches].dir = strdup(dir);
	if (a->watches[a->nwatches].dir)
		a->nwatches++;
}

static struct stored *stored_find(struct agent *a, const char *file)
{
	for (size_t i = 0; i < a->nstored; i++) {
		if (!strcmp(a->stored[i]->file, file))
			return a->stored[i];
	}
	return NULL;
}

static void raise_r1016(struct agent *a, struct stored *st, const char *reason, const char *msg)
{
	struct vigil_profile_ref ref = { .name = "", .digest = st->digest, .signer = st->signer };
	bool any = false;

	if (st->good && vigil_profile__doc_count(st->good))
		ref.name = vigil_profile__doc_name(st->good, 0);
	for (size_t i = 0; i < a->nwl; i++) {
		struct vigil_workload w;

		if (a->wl[i]->profile != st || a->wl[i]->gone)
			continue;
		wl_as_workload(a->wl[i], &w);
		vigil_detector__raise(a->d, "R1016", &w, st->file, reason, msg,
				      st->good ? &ref : NULL, emit, a);
		any = true;
	}
	if (!any)
		vigil_detector__raise(a->d, "R1016", NULL, st->file, reason, msg, NULL, emit, a);
}

/*
 * Loads and verifies st->file. On success the new profile becomes the good one (returns 1);
 * on failure the last good one stays (returns 0) and, for a signature problem, R1016 fires.
 */
static int stored_reload(struct agent *a, struct stored *st)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char digest[80] = "", signer[VIGIL_SIGN_NAME_MAX + 1] = "", msg[768];
	char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

	{
		struct stat sb;

		if (stat(st->file, &sb) == 0) {
			st->dev = sb.st_dev;
			st->ino = sb.st_ino;
			st->mtime = sb.st_mtim;
			st->size = sb.st_size;
		}
	}
	if (vigil_profile__load_file(st->file, NULL, &p, &err) < 0) {
		logf_("%s (keeping the last good profile)",
		      vigil_error__format(&err, ebuf, sizeof(ebuf)));
		return 0;
	}
	if (vigil_profile_digest(p, digest, sizeof(digest)) < 0)
		digest[0] = '\0';
	if (a->c->require_signatures && !(st->self_digest[0] && !strcmp(digest, st->self_digest))) {
		struct vigil_sign_verdict v = { 0 };
		const char *reason = NULL;

		if (!a->trust) {
			v.status = VIGIL_SIGN_UNTRUSTED_KEY;
			snprintf(v.reason, sizeof(v.reason), "no trusted keys loaded from %s",
				 a->c->trust_dir);
		}
		for (size_t doc = 0; a->trust && doc < vigil_profile__doc_count(p); doc++) {
			if (vigil_sign__verify_profile(a->trust, p, doc, &v) < 0) {
				v.status = VIGIL_SIGN_MALFORMED;
				snprintf(v.reason, sizeof(v.reason), "verification failed");
			}
			if (v.status != VIGIL_SIGN_VALID)
				break;
			if (!doc)
				vigil_strlcpy(signer, v.signer, sizeof(signer));
		}
		if (v.status != VIGIL_SIGN_VALID) {
			reason = v.status == VIGIL_SIGN_UNSIGNED   ? "unsigned"
				 : v.status == VIGIL_SIGN_TAMPERED ? "tampered"
								   : "untrusted";
			snprintf(msg, sizeof(msg), "profile %s is %s (%s): not used, %s", st->file,
				 vigil_sign__status_name(v.status), v.reason,
				 st->good ? "the last good version stays in force"
					  : "no profile in force");
			logf_("%s", msg);
			raise_r1016(a, st, reason, msg);
			vigil_profile__free(p);
			return 0;
		}
	}
	if (st->good && digest[0] && !strcmp(digest, st->digest)) {
		/* the same content again (our own write, a re-sign, a touch): nothing to do */
		vigil_profile__free(p);
		return 0;
	}
	vigil_profile__free(st->good);
	st->good = p;
	vigil_strlcpy(st->digest, digest, sizeof(st->digest));
	vigil_strlcpy(st->signer, signer, sizeof(st->signer));
	return 1;
}

static struct stored *stored_get(struct agent *a, const char *file)
{
	struct stored *st = stored_find(a, file);

	if (st)
		return st;
	if (a->nstored >= MAX_STORED)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->file = strdup(file);
	if (!st->file) {
		free(st);
		return NULL;
	}
	a->stored[a->nstored++] = st;
	watch_dir_of(a, file);
	stored_reload(a, st);
	return st;
}

/* Binds (or rebinds) a workload to its stored profile's good version. */
static void wl_bind(struct agent *a, struct wl *w)
{
	struct vigil_profile_ref ref = { 0 };
	uint64_t bitmap[VIGIL_SYSCALL_BITS / 64];
	int err;

	if (!w->profile || !w->profile->good) {
		vigil_detector__unbind(a->d, w->cgroup_id);
		w->state = WL_UNPROTECTED;
		return;
	}
	ref.digest = w->profile->digest;
	ref.signer = w->profile->signer;
	err = vigil_detector__bind(a->d, w->cgroup_id, w->profile->good, NULL, &ref);
	if (err < 0) {
		logf_("%s: cannot use %s: %s", w->name, w->profile->file, strerror(-err));
		w->state = WL_UNPROTECTED;
		return;
	}
	w->state = WL_DETECTING;
	vigil_detector__set_workload_info(a->d, w->cgroup_id, w->name,
					  w->has_meta && w->meta.image[0] ? w->meta.image : NULL);
	if (!vigil_detector__syscall_bitmap(a->d, w->cgroup_id, vigil_syscall_name, bitmap,
					    VIGIL_SYSCALL_BITS))
		vigil_sensor__set_syscall_allow(a->s, w->cgroup_id, bitmap, VIGIL_SYSCALL_BITS);
}

static void learned_path(const struct agent *a, const struct wl *w, char *buf, size_t size);

/*
 * A profile file a person put in place for a workload still learning: it wins, learning
 * stops (nothing learned is written over a hand-written profile).
 */
static void adopt_profile(struct agent *a, struct wl *w, const char *file)
{
	vigil_learner__free(w->l);
	w->l = NULL;
	w->profile = stored_get(a, file);
	wl_bind(a, w);
	logf_("%s: %s appeared while learning: %s with it", w->name, file,
	      w->state == WL_DETECTING ? "detecting" : "unprotected (profile not usable)");
}

static void on_profile_changed(struct agent *a, const char *file)
{
	struct stored *st = stored_find(a, file);
	char mine[PATH_MAX];

	if (!st) {
		for (size_t i = 0; i < a->nwl; i++) {
			struct wl *w = a->wl[i];

			if (w->state != WL_LEARNING || w->gone)
				continue;
			learned_path(a, w, mine, sizeof(mine));
			if (!strcmp(mine, file))
				adopt_profile(a, w, file);
		}
		return;
	}
	if (access(file, F_OK) < 0)
		return; /* deleted: keep the last good version in force */
	if (stored_reload(a, st) <= 0)
		return;
	logf_("reloaded %s (%s)", file, st->digest);
	for (size_t i = 0; i < a->nwl; i++) {
		if (a->wl[i]->profile == st && !a->wl[i]->gone)
			wl_bind(a, a->wl[i]);
	}
}

/* Files changed behind inotify's back (symlink swaps, other mounts) by their stat identity. */
static void poll_profiles(struct agent *a)
{
	for (size_t i = 0; i < a->nstored; i++) {
		struct stored *st = a->stored[i];
		struct stat sb;

		if (stat(st->file, &sb) < 0)
			continue;
		if (sb.st_dev != st->dev || sb.st_ino != st->ino || sb.st_size != st->size ||
		    sb.st_mtim.tv_sec != st->mtime.tv_sec ||
		    sb.st_mtim.tv_nsec != st->mtime.tv_nsec)
			on_profile_changed(a, st->file);
	}
}

static void read_inotify(struct agent *a)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (a->ino < 0)
		return;
	while ((n = read(a->ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ie = (const struct inotify_event *)p;

			p += sizeof(*ie) + ie->len;
			if (!ie->len || (ie->mask & (IN_DELETE | IN_MOVED_FROM)))
				continue;
			if (!vigil_str_has_suffix(ie->name, ".yaml") &&
			    !vigil_str_has_suffix(ie->name, ".yml"))
				continue;
			for (size_t i = 0; i < a->nwatches; i++) {
				char file[PATH_MAX];

				if (a->watches[i].wd != ie->wd)
					continue;
				snprintf(file, sizeof(file), "%s/%s", a->watches[i].dir, ie->name);
				on_profile_changed(a, file);
			}
		}
	}
}

/* ---- workloads ---------------------------------------------------------------------- */

static struct wl *wl_find(struct agent *a, uint64_t cgroup_id)
{
	/* events come in runs from one workload: try the last one first */
	if (a->last && a->last->cgroup_id == cgroup_id)
		return a->last;
	for (size_t i = 0; i < a->nwl; i++) {
		if (a->wl[i]->cgroup_id == cgroup_id)
			return a->last = a->wl[i];
	}
	return NULL;
}

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

/* Which profile file binds w: explicit bindings first, then PROFILES_DIR/NAME.yaml. */
static bool find_binding(struct agent *a, struct wl *w, char *file, size_t size)
{
	bool found = false;
	char stem[160];

	/* containers: image and labels (bindings, the user-defined-profile label) */
	if (w->container_id[0] && !w->has_meta)
		w->has_meta = vigil_container_meta__get(w->container_id, &w->meta) == 0;
	for (size_t i = 0; i < a->c->nbindings && !found; i++) {
		if (binding_matches(&a->c->bindings[i], w, w->has_meta ? &w->meta : NULL)) {
			profile_path(a, a->c->bindings[i].profile, file, size);
			found = true;
		}
	}
	if (!found && w->has_meta) {
		/* Kubescape's pod label naming a hand-written profile */
		const char *name =
			vigil_container_meta__label(&w->meta, "kubescape.io/user-defined-profile");

		if (name && name[0]) {
			snprintf(stem, sizeof(stem), "%s.yaml", name);
			profile_path(a, stem, file, size);
			found = true;
		}
	}
	if (found)
		return true;
	safe_name(w->name, stem, sizeof(stem) - 5);
	snprintf(file + 0, size, "%s/%s.yaml", a->c->profiles_dir, stem);
	return access(file, F_OK) == 0;
}

static uint64_t total_drops(struct agent *a)
{
	struct vigil_sensor_status st;

	return vigil_sensor__status(a->s, &st) < 0 ? 0 : st.drops;
}

static bool excluded(const struct agent *a, const char *cgroup)
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

/* meta (may be NULL) is taken over by the new workload. */
static struct wl *wl_new(struct agent *a, uint64_t cgroup_id, const char *name, const char *cgroup,
			 const char *container_id, int cmd, bool complete,
			 struct vigil_container_meta *meta)
{
	struct wl *w;
	char file[PATH_MAX];

	if (a->nwl >= MAX_WORKLOADS)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cgroup_id = cgroup_id;
	w->cmd = cmd;
	vigil_strlcpy(w->name, name && name[0] ? name : cgroup, sizeof(w->name));
	vigil_strlcpy(w->cgroup, cgroup ? cgroup : "", sizeof(w->cgroup));
	vigil_strlcpy(w->container_id, container_id ? container_id : "", sizeof(w->container_id));
	if (meta) {
		w->meta = *meta;
		w->has_meta = true;
	}
	a->wl[a->nwl++] = w;
	if (cmd < 0 && excluded(a, w->cgroup)) {
		w->state = WL_IGNORED;
		return w;
	}
	if (find_binding(a, w, file, sizeof(file))) {
		w->profile = stored_get(a, file);
		wl_bind(a, w);
		logf_("%s: %s with %s", w->name,
		      w->state == WL_DETECTING ? "detecting" : "unprotected (profile not usable)",
		      file);
		return w;
	}
	if (!a->c->learn) {
		w->state = WL_IGNORED;
		return w;
	}
	{
		struct vigil_learn_opts lo = { .name = w->name };

		if (w->container_id[0]) {
			lo.workload_kind = "Container";
			lo.workload_name = w->name;
		}
		w->l = vigil_learner__new(&lo);
	}
	if (!w->l) {
		w->state = WL_IGNORED;
		return w;
	}
	w->state = WL_LEARNING;
	w->learn_end = mono_ns() + a->c->learn_ns;
	w->drops0 = total_drops(a);
	w->partial = !complete;
	logf_("%s: learning for %llus", w->name,
	      (unsigned long long)(a->c->learn_ns / 1000000000ULL));
	return w;
}

/* Ends learning: writes the profile atomically, loads it back, detects from now on. */
static void learned_path(const struct agent *a, const struct wl *w, char *buf, size_t size)
{
	char stem[160];

	safe_name(w->name, stem, sizeof(stem) - 5);
	snprintf(buf, size, "%s/%s.yaml", a->c->profiles_dir, stem);
}

static void wl_finish_learning(struct agent *a, struct wl *w)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char file[PATH_MAX], digest[80];
	struct stored *st;
	int e;

	learned_path(a, w, file, sizeof(file));
	if (!stored_find(a, file) && access(file, F_OK) == 0) {
		adopt_profile(a, w, file);
		return;
	}

	e = vigil_learn_kernel_sets(a->s, w->l, w->cgroup_id);
	if (!e)
		e = vigil_learner__finish(w->l, w->partial || total_drops(a) != w->drops0, &p);
	vigil_learner__free(w->l);
	w->l = NULL;
	if (e < 0) {
		logf_("%s: learning failed: %s", w->name, strerror(-e));
		w->state = WL_IGNORED;
		return;
	}
	if (a->key) {
		for (size_t doc = 0; doc < vigil_profile__doc_count(p); doc++)
			vigil_sign__sign_profile(a->key, p, doc, "vigil-agent",
						 (int64_t)time(NULL));
	}
	st = stored_find(a, file);
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (st)
			st->file = strdup(file);
		if (!st || !st->file || a->nstored >= MAX_STORED) {
			if (st)
				free(st->file);
			free(st);
			vigil_profile__free(p);
			w->state = WL_IGNORED;
			return;
		}
		a->stored[a->nstored++] = st;
		watch_dir_of(a, file);
	}
	if (vigil_profile_digest(p, digest, sizeof(digest)) < 0)
		digest[0] = '\0';
	/* what the agent writes itself needs no signature to be reloaded: it knows the digest */
	vigil_strlcpy(st->self_digest, digest, sizeof(st->self_digest));
	if (vigil_profile_write_atomic(p, file, &err) < 0) {
		char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

		logf_("%s", vigil_error__format(&err, ebuf, sizeof(ebuf)));
	}
	vigil_profile__free(st->good);
	st->good = p;
	vigil_strlcpy(st->digest, digest, sizeof(st->digest));
	st->signer[0] = '\0';
	w->profile = st;
	wl_bind(a, w);
	logf_("%s: learned -> %s; detecting", w->name, file);
}

static struct wl *wl_for_event(struct agent *a, const struct vigil_event *ev)
{
	const struct vigil_workload *ew = ev->workload;
	struct wl *w;

	if (!ew)
		return NULL;
	w = wl_find(a, ew->cgroup_id);
	if (w) {
		/* our commands' cgroup paths are known from their first event */
		if (!w->cgroup[0] && ew->cgroup_path)
			vigil_strlcpy(w->cgroup, ew->cgroup_path, sizeof(w->cgroup));
		return w;
	}
	if (a->c->scope == AGENT_SCOPE_CONTAINERS && !(ew->container_id && ew->container_id[0]))
		return NULL;
	return wl_new(a, ew->cgroup_id, ew->name, ew->cgroup_path ? ew->cgroup_path : "",
		      ew->container_id, -1, false, NULL);
}

static int on_event(const struct vigil_event *ev, void *ctx)
{
	struct agent *a = ctx;
	struct wl *w = wl_for_event(a, ev);
	int err;

	if (!w)
		return 0;
	switch (w->state) {
	case WL_LEARNING:
		err = vigil_learner__event(w->l, ev);
		return err == -ENOMEM ? err : 0;
	case WL_DETECTING:
		vigil_evidence__event(a->evidence, ev);
		a->cur = ev;
		err = vigil_detector__event(a->d, ev, emit, a);
		a->cur = NULL;
		return err < 0 ? err : 0;
	default:
		return 0;
	}
}

/* ---- discovery ---------------------------------------------------------------------- */

static int on_container(const char *rel, const char *id, void *ctx)
{
	struct agent *a = ctx;
	uint64_t cg;
	char name[16];

	/* cheap before anything else: no engine query for a container we will not watch */
	if (excluded(a, rel) || vigil_sensor__cgroup_id(rel, &cg) < 0 || wl_find(a, cg))
		return 0;
	if (vigil_sensor__watch_cgroup(a->s, cg) < 0)
		return 0;
	/* named by the sensor's workload table when its first event arrives; the id until then */
	snprintf(name, sizeof(name), "%.12s", id);
	{
		struct vigil_container_meta meta = { 0 };
		bool has = vigil_container_meta__get(id, &meta) == 0;
		struct wl *w = wl_new(a, cg, has && meta.name[0] ? meta.name : name, rel, id, -1,
				      false, has ? &meta : NULL);

		if (!w)
			vigil_container_meta__release(&meta);
	}
	return 0;
}

static int spawn_command(struct agent *a, size_t i)
{
	const struct agent_command *cmd = &a->c->commands[i];
	struct vigil_error err = { 0 };
	uint64_t cg = 0;
	struct wl *w;
	pid_t pid;

	pid = vigil_sensor__spawn(a->s, cmd->argv.v, cmd->name, &cg, &err);
	if (pid < 0) {
		char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];

		logf_("%s: %s", cmd->name, vigil_error__format(&err, ebuf, sizeof(ebuf)));
		return pid;
	}
	/* watched before its first instruction: what it learns is complete */
	w = wl_new(a, cg, cmd->name, "", "", (int)i, true, NULL);
	if (!w) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -ENOMEM;
	}
	w->pid = pid;
	return 0;
}

static void reap_commands(struct agent *a, uint64_t now)
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
			wl_finish_learning(a, w);
		w->gone = true;
		vigil_detector__unbind(a->d, w->cgroup_id);
		vigil_sensor__spawn_cleanup(a->s, w->cgroup_id);
		/* forgotten at the next reap: its cgroup id may be reused by a new cgroup */
		cmd = w->cmd;
		w->cmd = -1;
		/* a restart is a new workload: its own cgroup, bound to the same profile */
		if (a->c->commands[cmd].restart)
			spawn_command(a, (size_t)cmd);
	}
}

static void check_learning(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->state == WL_LEARNING && !w->gone && now >= w->learn_end)
			wl_finish_learning(a, w);
	}
}

/*
 * Containers that went away: one still learning ends its learning now (it did all it will
 * do); then it is forgotten, so the table holds live workloads.
 */
static void reap_containers(struct agent *a)
{
	char path[PATH_MAX + 512];
	size_t keep = 0;

	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->cmd < 0 && w->container_id[0] && w->cgroup[0] && a->cg_root[0]) {
			snprintf(path, sizeof(path), "%s%s", a->cg_root, w->cgroup);
			if (access(path, F_OK) < 0 && errno == ENOENT) {
				if (w->state == WL_LEARNING)
					wl_finish_learning(a, w);
				vigil_detector__unbind(a->d, w->cgroup_id);
				vigil_sensor__unwatch_cgroup(a->s, w->cgroup_id);
				w->gone = true;
			}
		}
		if (w->gone && w->cmd < 0 && !w->pid) {
			if (a->last == w)
				a->last = NULL;
			vigil_learner__free(w->l);
			vigil_container_meta__release(&w->meta);
			free(w);
			continue;
		}
		a->wl[keep++] = w;
	}
	a->nwl = keep;
}

static const char *state_name(enum wl_state st)
{
	switch (st) {
	case WL_LEARNING:
		return "learning";
	case WL_DETECTING:
		return "detecting";
	case WL_UNPROTECTED:
		return "unprotected";
	default:
		return "ignored";
	}
}

static void rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

/* V0002: the sensor lost events since the last check; same shape as V0001 (docs/ALERTS.md). */
static json_t *sensor_drop_alert(const struct vigil_sensor_status *now,
				 const struct vigil_sensor_status *was)
{
	uint64_t rb = now->drops_ringbuf - was->drops_ringbuf;
	uint64_t rl = now->drops_ratelimit - was->drops_ratelimit;
	uint64_t tb = now->drops_table - was->drops_table;
	char when[64], msg[512];

	snprintf(msg, sizeof(msg),
		 "the sensor dropped %llu event(s) since the last check (ring buffer %llu, rate "
		 "limit %llu, tables %llu): detection and learning may have missed behaviour",
		 (unsigned long long)(rb + rl + tb), (unsigned long long)rb, (unsigned long long)rl,
		 (unsigned long long)tb);
	rfc3339_now(when, sizeof(when));
	return json_pack(
		"{s:s, s:s, s:s, s:i, s:s, s:{s:s, s:s},"
		" s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
		" s:{s:i, s:i, s:s, s:s, s:[], s:i, s:i},"
		" s:{s:s, s:{s:I, s:I, s:I}, s:I, s:{s:I, s:I, s:I}}, s:n}",
		"time", when, "rule_id", "V0002", "rule_name", "Sensor dropped events", "severity",
		5, "message", msg, "mitre", "tactic", "", "technique", "", "workload", "id", "",
		"name", "", "cgroup", "", "container_id", "", "container_name", "", "pod", "",
		"namespace", "", "image", "", "process", "pid", 0, "ppid", 0, "comm", "", "exe", "",
		"args", "uid", 0, "gid", 0, "event", "type", "health", "drops", "ringbuf",
		(json_int_t)rb, "ratelimit", (json_int_t)rl, "table", (json_int_t)tb, "dropped",
		(json_int_t)(rb + rl + tb), "totals", "ringbuf", (json_int_t)now->drops_ringbuf,
		"ratelimit", (json_int_t)now->drops_ratelimit, "table",
		(json_int_t)now->drops_table, "profile");
}

/*
 * Health, every health_interval: V0001 when a sink dropped alerts, V0002 when the sensor
 * dropped events. Both go to every sink (a working one usually carries the news of a broken one).
 */
static void health_check(struct agent *a)
{
	struct vigil_sensor_status st;
	json_t *alert = NULL;

	if (vigil_alerts__health_alert(a->alerts, &alert) > 0 && alert) {
		logf_("%s", json_string_value(json_object_get(alert, "message")));
		a->health_alerts++;
		vigil_alerts__emit(a->alerts, alert);
		json_decref(alert);
	}
	if (vigil_sensor__status(a->s, &st) < 0 || st.drops == a->drops_seen.drops)
		return;
	alert = sensor_drop_alert(&st, &a->drops_seen);
	a->drops_seen = st;
	if (!alert)
		return;
	logf_("%s", json_string_value(json_object_get(alert, "message")));
	a->health_alerts++;
	vigil_alerts__emit(a->alerts, alert);
	json_decref(alert);
}

static json_t *sink_json(const struct vigil_sink_stats *s)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:s}", "spec", s->spec,
			 "sent", (json_int_t)s->sent, "queued", (json_int_t)s->queued, "retries",
			 (json_int_t)s->retries, "failures", (json_int_t)s->failures, "dropped",
			 (json_int_t)s->dropped, "dropped_by", "queue_full",
			 (json_int_t)s->dropped_full, "rejected", (json_int_t)s->dropped_rejected,
			 "retries_exhausted", (json_int_t)s->dropped_retries, "last_error",
			 s->last_error);
}

static json_t *sensor_json(struct agent *a)
{
	struct vigil_sensor_status st;

	if (vigil_sensor__status(a->s, &st) < 0)
		return json_object();
	return json_pack("{s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:{s:I, s:I}}", "events",
			 (json_int_t)st.events, "dedup_hits", (json_int_t)st.dedup_hits, "drops",
			 "total", (json_int_t)st.drops, "ringbuf", (json_int_t)st.drops_ringbuf,
			 "ratelimit", (json_int_t)st.drops_ratelimit, "table",
			 (json_int_t)st.drops_table, "processes", "count", (json_int_t)st.processes,
			 "max", (json_int_t)st.max_processes, "workloads", "count",
			 (json_int_t)st.workloads, "max", (json_int_t)st.max_workloads);
}

/* status_file: what the agent is doing, as one JSON object, replaced atomically. */
static void write_status(struct agent *a)
{
	struct vigil_sink_stats sinks[32];
	struct vigil_detect_stats st;
	size_t nsinks;
	json_t *o, *wls, *sa, *ev;
	char *text, when[64];

	if (!a->c->status_file || !a->c->status_file[0])
		return;
	vigil_detector__stats(a->d, &st);
	wls = json_array();
	for (size_t i = 0; wls && i < a->nwl; i++) {
		const struct wl *w = a->wl[i];

		if (w->gone)
			continue;
		json_array_append_new(wls,
				      json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", w->name, "cgroup",
						w->cgroup, "container_id", w->container_id, "state",
						state_name(w->state), "profile",
						w->profile ? w->profile->file : ""));
	}
	sa = json_array();
	nsinks = vigil_alerts__stats(a->alerts, sinks, 32);
	for (size_t i = 0; sa && i < nsinks && i < 32; i++)
		json_array_append_new(sa, sink_json(&sinks[i]));
	ev = a->evidence ? vigil_evidence__stats_json(a->evidence) : json_null();
	rfc3339_now(when, sizeof(when));
	o = json_pack("{s:i, s:s, s:I, s:s, s:I, s:o, s:{s:I,s:I,s:I,s:I,s:I}, s:o, s:o, s:o}",
		      "pid", (int)getpid(), "time", when, "started", (json_int_t)a->started,
		      "config", a->c->path[0] ? a->c->path : "built-in defaults", "health_alerts",
		      (json_int_t)a->health_alerts, "workloads", wls ? wls : json_array(),
		      "detection", "events", (json_int_t)st.events, "alerts", (json_int_t)st.alerts,
		      "suppressed", (json_int_t)st.suppressed, "evicted", (json_int_t)st.evicted,
		      "raised", (json_int_t)a->alerts_raised, "sinks", sa ? sa : json_array(),
		      "sensor", sensor_json(a), "evidence", ev ? ev : json_null());
	text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (text)
		vigil_write_file_atomic(a->c->status_file, text, strlen(text), 0644, NULL);
	free(text);
	json_decref(o);
}

static int agent_open(struct agent *a, struct vigil_error *err)
{
	struct vigil_sensor_opts so = { .dedup = true };
	struct vigil_detect_opts dopts = { 0 };
	const char **disabled = NULL;
	int e;

	so.scope = a->c->scope == AGENT_SCOPE_ALL ? VIGIL_SCOPE_ALL : VIGIL_SCOPE_SELECTED;
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
	}
	if (a->c->sign_key && a->c->sign_key[0]) {
		e = vigil_sign__key_load(a->c->sign_key, &a->key, err);
		if (e < 0)
			return e;
	}
	if (a->c->disabled_rules.n) {
		disabled = calloc(a->c->disabled_rules.n + 1, sizeof(*disabled));
		if (!disabled)
			return -ENOMEM;
		for (size_t i = 0; i < a->c->disabled_rules.n; i++)
			disabled[i] = a->c->disabled_rules.v[i];
	}
	dopts.disabled = disabled;
	dopts.cooldown_ns = a->c->cooldown_ns;
	dopts.no_cooldown = !a->c->cooldown_ns;
	a->d = vigil_detector__new(&dopts);
	free(disabled);
	if (!a->d)
		return vigil_error__set(err, -errno, a->c->path, 0, 0,
					"bad detection settings (disabled_rules?): %s",
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
	/* watch_dir_of takes the directory of a file: name a file inside the profiles dir */
	{
		char probe[PATH_MAX];

		snprintf(probe, sizeof(probe), "%s/.", a->c->profiles_dir);
		watch_dir_of(a, probe);
	}
	e = vigil_sensor__open(&so, &a->s, err);
	if (e < 0)
		return e;
	if (a->c->evidence && a->c->evidence[0])
		return vigil_evidence__open(a->c->evidence, a->s, &a->evidence, err);
	return 0;
}

static void agent_close(struct agent *a)
{
	/* the last health check and status, while the workload table is still there */
	if (a->s && a->alerts)
		health_check(a);
	if (a->d && a->alerts && a->s)
		write_status(a);
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->cmd >= 0 && w->pid) {
			kill(w->pid, SIGTERM);
			waitpid(w->pid, NULL, 0);
		}
		if (w->cmd >= 0 && !w->gone && a->s)
			vigil_sensor__spawn_cleanup(a->s, w->cgroup_id);
		vigil_learner__free(w->l);
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
		logf_("stopping: %llu events checked, %llu alerts raised, %llu repeats counted in "
		      "cooldowns, %llu cooldown keys evicted",
		      (unsigned long long)st.events, (unsigned long long)st.alerts,
		      (unsigned long long)st.suppressed, (unsigned long long)st.evicted);
	}
	if (a->evidence) {
		struct vigil_error err = { 0 };

		if (vigil_evidence__close(a->evidence, &err) < 0)
			logf_("evidence: %s", err.message);
	}
	if (a->alerts && vigil_alerts__flush(a->alerts, 5000000000ULL) < 0)
		logf_("some alerts could not be delivered before exit");
	vigil_alerts__free(a->alerts);
	vigil_detector__free(a->d);
	vigil_trust__free(a->trust);
	vigil_sign__key_free(a->key);
	vigil_sensor__free(a->s);
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
	uint64_t next_scan = 0, next_status = 0, next_health = 0;
	int e;

	if (!a)
		return -ENOMEM;
	a->c = c;
	a->ino = -1;
	a->lock_fd = -1;
	a->started = time(NULL);
	vigil_cgroup2_mount(a->cg_root, sizeof(a->cg_root));
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
	e = agent_open(a, err);
	if (e < 0)
		goto out;
	logf_("started (config %s, profiles %s, scope %s, learning %s)",
	      c->path[0] ? c->path : "built-in defaults", c->profiles_dir,
	      c->scope == AGENT_SCOPE_ALL ? "all" : "containers", c->learn ? "on" : "off");
	for (size_t i = 0; i < c->ncommands; i++)
		spawn_command(a, i);
	next_health = mono_ns() + c->health_ns;
	while (!*stop) {
		uint64_t now = mono_ns();

		if (reopen && *reopen) {
			*reopen = 0;
			e = vigil_alerts__reopen(a->alerts);
			if (e < 0)
				logf_("reopening file sinks: %s", strerror(-e));
			else
				logf_("file sinks reopened");
		}
		if (now >= next_health) {
			health_check(a);
			next_health = now + c->health_ns;
		}
		if (now >= next_scan) {
			if (c->scope == AGENT_SCOPE_CONTAINERS)
				vigil_find_containers(on_container, a);
			reap_containers(a);
			poll_profiles(a);
			next_scan = now + c->rescan_ns;
		}
		if (now >= next_status) {
			write_status(a);
			next_status = now + 2000000000ULL;
		}
		e = vigil_sensor__poll(a->s, POLL_MS, on_event, a);
		if (e < 0 && e != -EINTR) {
			vigil_error__set(err, e, "", 0, 0, "reading events: %s", strerror(-e));
			goto out;
		}
		now = mono_ns();
		read_inotify(a);
		vigil_evidence__tick(a->evidence);
		reap_commands(a, now);
		check_learning(a, now);
	}
	e = 0;
out:
	agent_close(a);
	free(a);
	return e;
}
