// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's profile store: each profile file it uses is read, verified (signatures.c) and
 * kept as its last good version; the directories are watched with inotify, and files changed
 * behind its back (a ConfigMap's symlink swap, a bind mount) are found by their stat
 * identity. A change rebinds every workload using the file; a bad version leaves the last
 * good one in force.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "util/path.h"
#include "util/strutil.h"

void agent_watch_dir_of(struct agent *a, const char *file)
{
	char dir[PATH_MAX];
	int wd;

	if (a->ino < 0 || vigil_path_dir(file, dir, sizeof(dir)) < 0)
		return;
	for (size_t i = 0; i < a->nwatches; i++) {
		if (!strcmp(a->watches[i].dir, dir))
			return;
	}
	if (a->nwatches >= MAX_WATCHES)
		return;
	wd = inotify_add_watch(
		a->ino, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
	if (wd < 0) {
		agent_logf("cannot watch %s for changes: %s", dir, strerror(errno));
		return;
	}
	a->watches[a->nwatches].wd = wd;
	a->watches[a->nwatches].dir = strdup(dir);
	if (a->watches[a->nwatches].dir)
		a->nwatches++;
}

/*
 * A parsed profile is many small allocations; freed, they stay in the heap's free lists and
 * the agent keeps the memory (a refused 63 MB file used to leave it at about 1 GB). Return the
 * free pages to the kernel after a profile is dropped.
 */
static void give_back_memory(void)
{
	malloc_trim(0);
}

struct stored *agent_stored_find(struct agent *a, const char *file)
{
	for (size_t i = 0; i < a->nstored; i++) {
		if (!strcmp(a->stored[i]->file, file))
			return a->stored[i];
	}
	return NULL;
}

/*
 * Loads and verifies st->file. On success the new profile becomes the good one (returns 1);
 * on failure the last good one stays (returns 0) and, for a signature problem, R1016 fires.
 */
static int stored_reload(struct agent *a, struct stored *st)
{
	/* bounded before it is read: parsing costs many times a file's size in memory */
	struct vigil_profile_limits lim = { .max_file_bytes = a->c->profile_max_bytes };
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char digest[80] = "", signer[VIGIL_SIGN_NAME_MAX + 1] = "";
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
	st->refused = true;
	if (vigil_profile__load_file(st->file, &lim, &p, &err) < 0) {
		/* memory first: whoever reads the log line sees the memory already given back */
		give_back_memory();
		agent_logf("%s (keeping the last good profile)",
			   vigil_error__format(&err, ebuf, sizeof(ebuf)));
		return 0;
	}
	if (vigil_profile_digest(p, digest, sizeof(digest)) < 0)
		digest[0] = '\0';
	if (!agent_verify_profile(a, st, p, digest, signer, sizeof(signer))) {
		vigil_profile__free(p);
		give_back_memory();
		return 0;
	}
	st->refused = false;
	if (st->good && digest[0] && !strcmp(digest, st->digest)) {
		/* the same content again (our own write, a re-sign, a touch): nothing to do */
		vigil_profile__free(p);
		give_back_memory();
		return 0;
	}
	vigil_profile__free(st->good);
	give_back_memory();
	st->good = p;
	vigil_strlcpy(st->digest, digest, sizeof(st->digest));
	vigil_strlcpy(st->signer, signer, sizeof(st->signer));
	return 1;
}

struct stored *agent_stored_get(struct agent *a, const char *file)
{
	struct stored *st = agent_stored_find(a, file);

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
	agent_watch_dir_of(a, file);
	stored_reload(a, st);
	return st;
}

/*
 * Forgets the stored profiles no workload uses any more (their workloads are gone): under
 * container churn each departed workload's profile would otherwise stay in memory until the
 * store was full. A workload of the same name that comes back reads its file again.
 */
void agent_stored_release_unused(struct agent *a)
{
	size_t keep = 0;
	bool freed = false;

	for (size_t i = 0; i < a->nstored; i++) {
		struct stored *st = a->stored[i];
		bool used = false;

		for (size_t j = 0; j < a->nwl && !used; j++)
			used = a->wl[j]->profile == st;
		if (used) {
			a->stored[keep++] = st;
			continue;
		}
		vigil_profile__free(st->good);
		free(st->file);
		free(st);
		freed = true;
	}
	a->nstored = keep;
	if (freed)
		give_back_memory();
}

/* Binds (or rebinds) a workload to its stored profile's good version. */
void agent_wl_bind(struct agent *a, struct wl *w)
{
	struct vigil_profile_ref ref = { 0 };
	uint64_t bitmap[VIGIL_SYSCALL_BITS / 64];
	int err;

	if (!w->profile || !w->profile->good) {
		vigil_detector__unbind(a->d, w->cgroup_id);
		agent_wl_unenforce(a, w);
		agent_wl_unkallow(a, w);
		w->state = WL_UNPROTECTED;
		return;
	}
	ref.digest = w->profile->digest;
	ref.signer = w->profile->signer;
	/* a pod's container uses its own entry of the workload's profile */
	err = vigil_detector__bind(
		a->d, w->cgroup_id, w->profile->good,
		w->id.k8s && w->id.container_name[0] ? w->id.container_name : NULL, &ref);
	if (err == -ENOENT && w->id.k8s) /* a hand-written profile naming its container otherwise */
		err = vigil_detector__bind(a->d, w->cgroup_id, w->profile->good, NULL, &ref);
	if (err < 0) {
		agent_logf("%s: cannot use %s: %s", w->name, w->profile->file, strerror(-err));
		agent_wl_unenforce(a, w);
		agent_wl_unkallow(a, w);
		w->state = WL_UNPROTECTED;
		return;
	}
	w->state = WL_DETECTING;
	vigil_detector__set_workload_info(a->d, w->cgroup_id, w->name,
					  w->id.image[0]		    ? w->id.image
					  : w->has_meta && w->meta.image[0] ? w->meta.image
									    : NULL);
	if (w->id.k8s) {
		struct vigil_workload_k8s k;

		agent_identity__k8s_info(&w->id, &k);
		vigil_detector__set_k8s_info(a->d, w->cgroup_id, &k);
	}
	if (!vigil_detector__syscall_bitmap(a->d, w->cgroup_id, vigil_syscall_name, bitmap,
					    VIGIL_SYSCALL_BITS))
		vigil_sensor__set_syscall_allow(a->s, w->cgroup_id, bitmap, VIGIL_SYSCALL_BITS);
	agent_wl_kallow(a, w);
	agent_wl_enforce(a, w);
	agent_cockpit_profile(a, w, "in_force");
}

/*
 * A profile file a person put in place for a workload still learning: it wins, learning
 * stops (nothing learned is written over a hand-written profile).
 */
void agent_adopt_profile(struct agent *a, struct wl *w, const char *file)
{
	vigil_learner__free(w->l);
	w->l = NULL;
	w->profile = agent_stored_get(a, file);
	agent_wl_bind(a, w);
	agent_logf("%s: %s appeared while learning: %s with it", w->name, file,
		   w->state == WL_DETECTING ? "detecting" : "unprotected (profile not usable)");
}

void agent_profile_changed(struct agent *a, const char *file)
{
	struct stored *st = agent_stored_find(a, file);
	char mine[PATH_MAX];

	if (!st) {
		for (size_t i = 0; i < a->nwl; i++) {
			struct wl *w = a->wl[i];

			if (w->state != WL_LEARNING || w->gone)
				continue;
			agent_learned_path(a, w, mine, sizeof(mine));
			if (!strcmp(mine, file))
				agent_adopt_profile(a, w, file);
		}
		return;
	}
	if (access(file, F_OK) < 0)
		return; /* deleted: keep the last good version in force */
	if (stored_reload(a, st) <= 0)
		return;
	agent_logf("reloaded %s (%s)", file, st->digest);
	for (size_t i = 0; i < a->nwl; i++) {
		if (a->wl[i]->profile == st && !a->wl[i]->gone)
			agent_wl_bind(a, a->wl[i]);
	}
}

/* Files changed behind inotify's back (symlink swaps, other mounts) by their stat identity. */
void agent_poll_profiles(struct agent *a)
{
	for (size_t i = 0; i < a->nstored; i++) {
		struct stored *st = a->stored[i];
		struct stat sb;

		if (stat(st->file, &sb) < 0)
			continue;
		if (sb.st_dev != st->dev || sb.st_ino != st->ino || sb.st_size != st->size ||
		    sb.st_mtim.tv_sec != st->mtime.tv_sec ||
		    sb.st_mtim.tv_nsec != st->mtime.tv_nsec)
			agent_profile_changed(a, st->file);
	}
}

void agent_read_inotify(struct agent *a)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (a->ino < 0)
		return;
	while ((n = read(a->ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ie = (const struct inotify_event *)p;

			p += sizeof(*ie) + ie->len;
			if (agent_trust_event(a, ie->wd))
				continue;
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
				agent_profile_changed(a, file);
			}
		}
	}
}
