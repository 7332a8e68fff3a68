// SPDX-License-Identifier: Apache-2.0
/*
 * Learning checkpoints. A learning window is minutes of a workload's behaviour held in
 * memory; an agent that dies (SIGKILL, OOM, a node reboot) would lose all of it. Every
 * learning.checkpoint (and at a clean stop) the agent writes what each workload learned so far
 * to STATE_DIR/learning/NAME.yaml, atomically, with the time already spent learning. When a
 * workload of that name starts learning under a later agent, it continues from there: the
 * window's remainder is learned and the result marked partial. What is lost is bounded: the
 * behaviour between the last checkpoint and the crash (at most learning.checkpoint) and
 * whatever the workload did while no agent ran.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/agent/agent_state.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/strutil.h"

#define ANN_ELAPSED "vigil.dev/learning-elapsed-ms"

/* VIGIL_TEST_HOOKS=stop-before-rename: the agent stops itself where a crash leaves a
 * temporary file, and the test kills it there (tests/e2e/t2106). */
static void stop_before_rename(const char *tmp, void *arg)
{
	(void)tmp;
	(void)arg;
	raise(SIGSTOP);
}

int agent_write_profile(struct agent *a, const struct vigil_profile *p, const char *path,
			struct vigil_error *err)
{
	struct vigil_buf out = VIGIL_BUF_INIT;
	int e = vigil_profile__emit_yaml(p, &out);

	if (e < 0) {
		vigil_buf__release(&out);
		return vigil_error__set(err, e, path, 0, 0, "cannot render the profile: %s",
					strerror(-e));
	}
	e = vigil_write_file_atomic_hook(path, out.data ? out.data : "", out.len, 0644,
					 a->hook_stop_before_rename ? stop_before_rename : NULL,
					 NULL, err);
	vigil_buf__release(&out);
	return e;
}

/* STATE_DIR/learning/ and the learned profile's file name: the same workload identity
 * (a command's or container's name, a pod's controller and container) across restarts */
static void checkpoint_path(const struct agent *a, const struct wl *w, char *buf, size_t size)
{
	char learned[PATH_MAX];
	const char *base;

	agent_learned_path(a, w, learned, sizeof(learned));
	base = strrchr(learned, '/');
	base = base ? base + 1 : learned;
	if ((size_t)snprintf(buf, size, "%s/learning/%.255s", a->c->state_dir, base) >= size)
		buf[0] = '\0';
}

static void checkpoint_one(struct agent *a, struct wl *w, uint64_t now)
{
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char path[PATH_MAX], ms[32];
	uint64_t elapsed = w->learned_before + (now - w->learn_start);
	int e;

	/* the kernel's syscall and io_uring sets too: the next agent's kernel will not have them */
	e = vigil_learn_kernel_sets(a->s, w->l, w->cgroup_id);
	if (!e)
		e = vigil_learner__snapshot(w->l, &p);
	if (!e) {
		snprintf(ms, sizeof(ms), "%" PRIu64, (uint64_t)(elapsed / 1000000ULL));
		e = vigil_profile__set_annotation(p, 0, ANN_ELAPSED, ms);
	}
	if (e < 0) {
		agent_logf("%s: cannot checkpoint learning: %s", w->name, strerror(-e));
		vigil_profile__free(p);
		return;
	}
	checkpoint_path(a, w, path, sizeof(path));
	if (agent_write_profile(a, p, path, &err) < 0)
		agent_logf("%s: cannot checkpoint learning: %s", w->name, err.message);
	vigil_profile__free(p);
}

void agent_checkpoint_learning(struct agent *a, uint64_t now, bool force)
{
	char dir[PATH_MAX];

	if (!a->c->checkpoint_ns || (!force && now < a->next_checkpoint))
		return;
	a->next_checkpoint = now + a->c->checkpoint_ns;
	snprintf(dir, sizeof(dir), "%s/learning", a->c->state_dir);
	for (size_t i = 0; i < a->nwl; i++) {
		struct wl *w = a->wl[i];

		if (w->state != WL_LEARNING || w->gone || !w->l)
			continue;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			agent_logf("%s: cannot create: %s (no learning checkpoints)", dir,
				   strerror(errno));
			return;
		}
		checkpoint_one(a, w, now);
	}
}

void agent_resume_learning(struct agent *a, struct wl *w)
{
	struct vigil_profile_limits lim = { .max_file_bytes = a->c->profile_max_bytes };
	struct vigil_profile *p = NULL;
	struct vigil_error err = { 0 };
	char path[PATH_MAX], ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];
	const char *ms;
	uint64_t elapsed_ms = 0, left;
	int e;

	checkpoint_path(a, w, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return;
	e = vigil_profile__load_file(path, &lim, &p, &err);
	if (e < 0) {
		agent_logf("%s (learning starts afresh)",
			   vigil_error__format(&err, ebuf, sizeof(ebuf)));
		unlink(path);
		return;
	}
	ms = vigil_profile__annotation(p, 0, ANN_ELAPSED);
	if (!ms || vigil_parse_u64(ms, &elapsed_ms) < 0 ||
	    vigil_profile__set_annotation(p, 0, ANN_ELAPSED, NULL) < 0 ||
	    (e = vigil_learner__seed(w->l, p)) < 0) {
		agent_logf("%s: not a learning checkpoint of %s (learning starts afresh)", path,
			   w->name);
		vigil_profile__free(p);
		unlink(path);
		return;
	}
	vigil_profile__free(p);
	w->learned_before = elapsed_ms * 1000000ULL;
	left = w->learned_before < a->c->learn_ns ? a->c->learn_ns - w->learned_before : 0;
	w->learn_end = w->learn_start + left;
	/* what happened between the checkpoint and now was not seen */
	w->partial = true;
	agent_logf("continuing %s's learning from its checkpoint (%" PRIu64 "s learned, %" PRIu64
		   "s to go; what it did since the checkpoint is not in it)",
		   w->name, (uint64_t)(elapsed_ms / 1000), (uint64_t)(left / 1000000000ULL));
}

void agent_drop_checkpoint(struct agent *a, const struct wl *w)
{
	char path[PATH_MAX];

	checkpoint_path(a, w, path, sizeof(path));
	unlink(path);
}
