// SPDX-License-Identifier: Apache-2.0
/*
 * Signatures in the agent: a profile read from disk must carry valid signatures from trusted
 * keys when require_signatures is set (except what the agent wrote itself, known by digest);
 * one that does not raises R1016 and is not used. A learned profile is signed with the
 * agent's key when it has one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/agent/agent_state.h"
#include "util/strutil.h"

void agent_raise_r1016(struct agent *a, struct stored *st, const char *reason, const char *msg)
{
	struct vigil_profile_ref ref = { .name = "", .digest = st->digest, .signer = st->signer };
	bool any = false;

	if (st->good && vigil_profile__doc_count(st->good))
		ref.name = vigil_profile__doc_name(st->good, 0);
	for (size_t i = 0; i < a->nwl; i++) {
		struct vigil_workload w;

		if (a->wl[i]->profile != st || a->wl[i]->gone)
			continue;
		agent_wl_as_workload(a->wl[i], &w);
		vigil_detector__raise(a->d, VIGIL_R1016, &w, st->file, reason, msg,
				      st->good ? &ref : NULL, vigil_alert_pipe__emit, &a->pipe);
		any = true;
	}
	if (!any)
		vigil_detector__raise(a->d, VIGIL_R1016, NULL, st->file, reason, msg, NULL,
				      vigil_alert_pipe__emit, &a->pipe);
}

int agent_versions_open(struct agent *a, struct vigil_error *err)
{
	snprintf(a->versions_path, sizeof(a->versions_path), "%s/profile-versions.json",
		 a->c->state_dir);
	/* a store that cannot be read is not an empty one: forgetting it would let replays in */
	return vigil_sign_versions__load(a->versions_path, &a->versions, err);
}

static bool rollback_allowed(const struct agent *a, const char *name)
{
	for (size_t i = 0; name && i < a->c->allow_rollback.n; i++) {
		if (!strcmp(a->c->allow_rollback.v[i], name))
			return true;
	}
	return false;
}

/* Remembers the versions of p's documents (each signed by signers[doc]) as accepted. */
static void record_versions(struct agent *a, const struct vigil_profile *p, char (*signers)[72])
{
	struct vigil_error err = { 0 };
	bool changed = false;

	for (size_t doc = 0; a->versions && doc < vigil_profile__doc_count(p); doc++) {
		int r = vigil_sign_versions__record(a->versions, p, doc, signers[doc]);

		if (r < 0)
			agent_logf("%s: cannot remember its version (%s): a replay of an older one "
				   "would not be refused",
				   vigil_profile__doc_name(p, doc), strerror(-r));
		changed |= r > 0;
	}
	if (changed && vigil_sign_versions__save(a->versions, a->versions_path, &err) < 0)
		agent_logf("%s: %s (versions accepted since the start will be forgotten at the "
			   "next one)",
			   a->versions_path, err.message);
}

/*
 * Replay protection: a valid document older than the one accepted before (same kind, name
 * and signer) is refused unless signatures.allow_rollback names it. Returns true to go on.
 */
static bool check_version(struct agent *a, const struct vigil_profile *p, size_t doc,
			  const char *signer, char *why, size_t why_size)
{
	const char *name = vigil_profile__doc_name(p, doc);
	int r = a->versions ? vigil_sign_versions__check(a->versions, p, doc, signer, why, why_size)
			    : VIGIL_VERSION_NEW;

	if (r != VIGIL_VERSION_ROLLBACK)
		return true;
	if (rollback_allowed(a, name)) {
		agent_logf("%s: rollback allowed by signatures.allow_rollback", why);
		return true;
	}
	return false;
}

bool agent_verify_profile(struct agent *a, struct stored *st, const struct vigil_profile *p,
			  const char *digest, char *signer, size_t signer_size)
{
	char msg[768];
	char(*signers)[72] = NULL;
	size_t ndocs = vigil_profile__doc_count(p);

	if (a->c->require_signatures && !(st->self_digest[0] && !strcmp(digest, st->self_digest))) {
		struct vigil_sign_verdict v = { 0 };
		const char *reason = NULL;

		if (!a->trust) {
			v.status = VIGIL_SIGN_UNTRUSTED_KEY;
			snprintf(v.reason, sizeof(v.reason), "no trusted keys loaded from %s",
				 a->c->trust_dir);
		}
		signers = calloc(ndocs ? ndocs : 1, sizeof(*signers));
		if (!signers) {
			v.status = VIGIL_SIGN_MALFORMED;
			snprintf(v.reason, sizeof(v.reason), "out of memory");
		}
		for (size_t doc = 0; signers && a->trust && doc < ndocs; doc++) {
			if (vigil_sign__verify_profile(a->trust, p, doc, &v) < 0) {
				v.status = VIGIL_SIGN_MALFORMED;
				snprintf(v.reason, sizeof(v.reason), "verification failed");
			}
			if (v.status == VIGIL_SIGN_FOREIGN_SCHEME && a->c->accept_foreign)
				v.status =
					VIGIL_SIGN_VALID; /* the operator accepts the fork's scheme */
			if (v.status != VIGIL_SIGN_VALID)
				break;
			if (!check_version(a, p, doc, v.signer, v.reason, sizeof(v.reason))) {
				reason = "rollback";
				break;
			}
			vigil_strlcpy(signers[doc], v.signer, sizeof(signers[doc]));
			if (!doc)
				vigil_strlcpy(signer, v.signer, signer_size);
		}
		if (v.status != VIGIL_SIGN_VALID || reason) {
			if (!reason)
				reason = v.status == VIGIL_SIGN_UNSIGNED	 ? "unsigned"
					 : v.status == VIGIL_SIGN_TAMPERED	 ? "tampered"
					 : v.status == VIGIL_SIGN_FOREIGN_SCHEME ? "foreign-scheme"
										 : "untrusted";
			snprintf(msg, sizeof(msg), "profile %s is %s (%s): not used, %s", st->file,
				 reason[0] == 'r' ? "a rollback"
						  : vigil_sign__status_name(v.status),
				 v.reason,
				 st->good ? "the last good version stays in force"
					  : "no profile in force");
			agent_logf("%s", msg);
			agent_raise_r1016(a, st, reason, msg);
			free(signers);
			return false;
		}
		record_versions(a, p, signers);
		free(signers);
	}
	return true;
}

void agent_sign_profile(struct agent *a, struct vigil_profile *p)
{
	int64_t now = (int64_t)time(NULL);
	size_t ndocs = vigil_profile__doc_count(p);
	char(*signers)[72];
	int idx;

	if (!a->key)
		return;
	for (size_t doc = 0; doc < ndocs; doc++) {
		/* a version too, so a replay of an older learned profile is refused like any */
		vigil_sign__set_version(p, doc, vigil_sign__next_version(p, doc, now));
		vigil_sign__sign_profile(a->key, p, doc, "vigil-agent", now);
	}
	idx = a->trust ? vigil_trust__signer_of(a->trust, a->key) : -1;
	signers = idx >= 0 ? calloc(ndocs ? ndocs : 1, sizeof(*signers)) : NULL;
	if (!signers)
		return;
	for (size_t doc = 0; doc < ndocs; doc++)
		vigil_strlcpy(signers[doc], vigil_trust__name(a->trust, (size_t)idx),
			      sizeof(signers[doc]));
	record_versions(a, p, signers);
	free(signers);
}
