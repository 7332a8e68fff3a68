// SPDX-License-Identifier: Apache-2.0
/*
 * Start-up checks of a parsed agent configuration against the machine: the directories it
 * writes in, the files it reads, and a signing key that its own trust directory accepts.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "sensor/agent/config_parse.h"
#include "util/path.h"
#include "util/strutil.h"
#include "vigil/sign.h"

/* The directory a file would be created in must exist and be writable. */
static int check_dir_of(const char *file, const char *what, struct vigil_error *err)
{
	char dir[PATH_MAX];

	if (vigil_path_dir(file, dir, sizeof(dir)) < 0)
		return vigil_error__set(err, -ENAMETOOLONG, file, 0, 0, "%s: path too long", what);
	if (access(dir, W_OK) < 0)
		return vigil_error__set(err, -errno, file, 0, 0, "%s: directory %s: %s", what, dir,
					strerror(errno));
	return 0;
}

int vigil_agent_config__check_paths(const struct vigil_agent_config *c, struct vigil_error *err)
{
	int e;

	if (access(c->state_dir, W_OK) < 0 &&
	    (e = check_dir_of(c->state_dir, "state_dir", err)) < 0)
		return e;
	for (size_t i = 0; i < c->sinks.n; i++) {
		const char *s = c->sinks.v[i];

		if (!strncmp(s, "file:", 5) && (e = check_dir_of(s + 5, "file sink", err)) < 0)
			return e;
	}
	if (c->require_signatures && access(c->trust_dir, R_OK | X_OK) < 0)
		return vigil_error__set(err, -errno, c->trust_dir, 0, 0, "signatures.trust_dir: %s",
					strerror(errno));
	if (c->sign_key && c->sign_key[0] && access(c->sign_key, R_OK) < 0)
		return vigil_error__set(err, -errno, c->sign_key, 0, 0, "signatures.key: %s",
					strerror(errno));
	e = agent_config__check_signing(c, err);
	if (e < 0)
		return e;
	return c->cockpit.url ? agent_config__check_cockpit(&c->cockpit, err) : 0;
}

int agent_config__check_signing(const struct vigil_agent_config *c, struct vigil_error *err)
{
	struct vigil_sign_key *k = NULL;
	struct vigil_trust *t = NULL;
	int e;

	if (!c->require_signatures || !c->sign_key || !c->sign_key[0])
		return 0;
	e = vigil_trust__load_dir(c->trust_dir, &t, err);
	if (!e)
		e = vigil_sign__key_load(c->sign_key, &k, err);
	if (!e && (e = vigil_trust__signer_of(t, k)) < 0)
		e = vigil_error__set(
			err, e, c->sign_key, 0, 0,
			"signatures.key: its public key is not in %s, so the profiles "
			"it signs would be refused after a restart (vigil keygen wrote "
			"it next to the key as KEY.pub: copy it there as NAME.pub)",
			c->trust_dir);
	vigil_sign__key_free(k);
	vigil_trust__free(t);
	return e < 0 ? e : 0;
}
