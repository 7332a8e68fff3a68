// SPDX-License-Identifier: Apache-2.0
/*
 * Signatures in the agent: a profile read from disk must carry valid signatures from trusted
 * keys when require_signatures is set (except what the agent wrote itself, known by digest);
 * one that does not raises R1016 and is not used. A learned profile is signed with the
 * agent's key when it has one.
 */
#include <stdio.h>
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
		vigil_detector__raise(a->d, "R1016", &w, st->file, reason, msg,
				      st->good ? &ref : NULL, agent_emit, a);
		any = true;
	}
	if (!any)
		vigil_detector__raise(a->d, "R1016", NULL, st->file, reason, msg, NULL, agent_emit,
				      a);
}

bool agent_verify_profile(struct agent *a, struct stored *st, const struct vigil_profile *p,
			  const char *digest, char *signer, size_t signer_size)
{
	char msg[768];

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
				vigil_strlcpy(signer, v.signer, signer_size);
		}
		if (v.status != VIGIL_SIGN_VALID) {
			reason = v.status == VIGIL_SIGN_UNSIGNED   ? "unsigned"
				 : v.status == VIGIL_SIGN_TAMPERED ? "tampered"
								   : "untrusted";
			snprintf(msg, sizeof(msg), "profile %s is %s (%s): not used, %s", st->file,
				 vigil_sign__status_name(v.status), v.reason,
				 st->good ? "the last good version stays in force"
					  : "no profile in force");
			agent_logf("%s", msg);
			agent_raise_r1016(a, st, reason, msg);
			return false;
		}
	}
	return true;
}

void agent_sign_profile(struct agent *a, struct vigil_profile *p)
{
	if (!a->key)
		return;
	for (size_t doc = 0; doc < vigil_profile__doc_count(p); doc++)
		vigil_sign__sign_profile(a->key, p, doc, "vigil-agent", (int64_t)time(NULL));
}
