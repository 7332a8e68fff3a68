// SPDX-License-Identifier: Apache-2.0
/* A profile written atomically (util/fileio.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/strutil.h"
#include "util/fileio.h"
#include "vigil/agent.h"
#include "vigil/profile.h"

int vigil_profile_write_atomic(const struct vigil_profile *p, const char *path,
			       struct vigil_error *err)
{
	struct vigil_buf out = VIGIL_BUF_INIT;
	int e;

	e = vigil_profile__emit_yaml(p, &out);
	if (e < 0) {
		vigil_buf__release(&out);
		return vigil_error__set(err, e, path, 0, 0, "cannot render the profile: %s",
					strerror(-e));
	}
	e = vigil_write_file_atomic(path, out.data ? out.data : "", out.len, 0644, err);
	vigil_buf__release(&out);
	return e;
}
