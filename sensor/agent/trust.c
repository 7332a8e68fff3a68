// SPDX-License-Identifier: Apache-2.0
/*
 * The trust directory, watched. A key removed from it (a signer that left, a key that leaked)
 * must stop being trusted now, not at the next restart: when the directory changes (inotify,
 * and its stamp compared every rescan for what inotify cannot see), the agent loads it again
 * and verifies again every profile in force that was accepted on a signature. One that no
 * longer verifies is dropped (R1016, its workloads unprotected, as after a restart); files
 * that now verify (a key added back) come into force. A directory that no longer loads trusts
 * nobody until it is fixed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

/* IN_ATTRIB: a chmod can make the directory or a key refused (writable by others) */
#define TRUST_EVENTS                                                                        \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | \
	 IN_DELETE_SELF | IN_MOVE_SELF)

void agent_trust_watch(struct agent *a)
{
	a->trust_wd = -1;
	if (!a->c->require_signatures)
		return;
	vigil_trust__dir_stamp(a->c->trust_dir, a->trust_stamp, sizeof(a->trust_stamp));
	if (a->ino < 0)
		return;
	a->trust_wd = inotify_add_watch(a->ino, a->c->trust_dir, TRUST_EVENTS);
	if (a->trust_wd < 0)
		agent_logf("cannot watch %s for changes (checked every rescan instead): %s",
			   a->c->trust_dir, strerror(errno));
}

bool agent_trust_event(struct agent *a, int wd)
{
	if (a->trust_wd < 0 || wd != a->trust_wd)
		return false;
	a->trust_dirty = true;
	return true;
}

/* Verifies every document of st's good version against the current trust set. */
static bool still_valid(struct agent *a, const struct stored *st, struct vigil_sign_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (!a->trust) {
		v->status = VIGIL_SIGN_UNTRUSTED_KEY;
		snprintf(v->reason, sizeof(v->reason), "no trusted keys loaded from %s",
			 a->c->trust_dir);
		return false;
	}
	for (size_t doc = 0; doc < vigil_profile__doc_count(st->good); doc++) {
		if (vigil_sign__verify_profile(a->trust, st->good, doc, v) < 0 ||
		    v->status != VIGIL_SIGN_VALID)
			return false;
	}
	return true;
}

/* st's good version no longer verifies: it leaves force, like a refused file at start. */
static void drop_good(struct agent *a, struct stored *st, const struct vigil_sign_verdict *v)
{
	char msg[768];

	snprintf(msg, sizeof(msg),
		 "profile %s in force is %s after the trust directory changed (%s): no longer "
		 "used, no profile in force",
		 st->file, vigil_sign__status_name(v->status), v->reason);
	agent_logf("%s", msg);
	agent_raise_r1016(a, st,
			  v->status == VIGIL_SIGN_TAMPERED   ? "tampered"
			  : v->status == VIGIL_SIGN_UNSIGNED ? "unsigned"
							     : "untrusted",
			  msg);
	vigil_profile__free(st->good);
	st->good = NULL;
	st->digest[0] = '\0';
	st->signer[0] = '\0';
	for (size_t i = 0; i < a->nwl; i++) {
		if (a->wl[i]->profile == st && !a->wl[i]->gone)
			agent_wl_bind(a, a->wl[i]);
	}
}

static void reload_trust(struct agent *a)
{
	struct vigil_trust *t = NULL;
	struct vigil_error err = { 0 };
	char ebuf[VIGIL_ERROR_FILE_MAX + VIGIL_ERROR_MSG_MAX + 32];
	struct vigil_sign_verdict v;
	bool *dropped;

	if (vigil_trust__load_dir(a->c->trust_dir, &t, &err) < 0)
		agent_logf("%s: the trust directory is not usable: nothing is trusted until it is "
			   "fixed",
			   vigil_error__format(&err, ebuf, sizeof(ebuf)));
	else
		agent_logf("trust directory %s changed: %zu signer(s); verifying every profile "
			   "again",
			   a->c->trust_dir, vigil_trust__count(t));
	vigil_trust__free(a->trust);
	a->trust = t;
	dropped = calloc(a->nstored ? a->nstored : 1, sizeof(*dropped));
	for (size_t i = 0; i < a->nstored; i++) {
		struct stored *st = a->stored[i];

		/* what the agent wrote itself is trusted by its digest, not by a key */
		if (st->good && st->signer[0] && !still_valid(a, st, &v)) {
			drop_good(a, st, &v);
			if (dropped)
				dropped[i] = true;
		}
	}
	/* a file not in force may verify now (its key added back); one just dropped is not read
	 * again (it would only be refused a second time) */
	for (size_t i = 0; i < a->nstored; i++) {
		if ((a->stored[i]->refused || !a->stored[i]->good) && !(dropped && dropped[i]))
			agent_profile_changed(a, a->stored[i]->file);
	}
	free(dropped);
}

void agent_trust_check(struct agent *a, bool polled)
{
	char stamp[80];

	if (!a->c->require_signatures || (!a->trust_dirty && !polled))
		return;
	if (vigil_trust__dir_stamp(a->c->trust_dir, stamp, sizeof(stamp)) < 0)
		snprintf(stamp, sizeof(stamp), "error");
	a->trust_dirty = false;
	if (!strcmp(stamp, a->trust_stamp))
		return;
	vigil_strlcpy(a->trust_stamp, stamp, sizeof(a->trust_stamp));
	/* the directory may have been replaced: watch what is there now (the same directory
	 * keeps its watch descriptor) */
	if (a->ino >= 0 && strncmp(stamp, "absent:", 7))
		a->trust_wd = inotify_add_watch(a->ino, a->c->trust_dir, TRUST_EVENTS);
	reload_trust(a);
}
