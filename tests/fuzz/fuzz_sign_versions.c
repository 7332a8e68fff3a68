// SPDX-License-Identifier: Apache-2.0
/*
 * The store of accepted profile versions (lib/sign/version.c) is read back from the agent's
 * state directory at every start, and the version annotation comes with any signed profile.
 * Checks: a version is accepted exactly when it is digits without a leading zero, at most
 * 2^53-1, and prints back to the same text; a store that loads saves and loads again to the
 * same number of records; a refusal always says why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], in_path[96], out_path[96];

static void cleanup(void)
{
	unlink(in_path);
	unlink(out_path);
	rmdir(dir);
}

static void check_version(const uint8_t *data, size_t size)
{
	char s[32], back[32];
	uint64_t v = 0;
	bool digits;
	int r;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	/* the annotation is a C string: what follows a NUL is not part of it */
	size = strlen(s);
	digits = size > 0 && s[0] >= '1' && s[0] <= '9';
	for (size_t i = 0; digits && i < size; i++)
		digits = s[i] >= '0' && s[i] <= '9';
	r = vigil_sign__parse_version(s, &v);
	if (r == 0) {
		snprintf(back, sizeof(back), "%" PRIu64, v);
		if (!digits || strcmp(back, s) || !v || v > VIGIL_SIGN_VERSION_MAX)
			abort();
	} else if (r != -EINVAL || (digits && size < 16)) {
		abort(); /* up to 15 digits always fit under 2^53 */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_sign_versions *v = NULL, *again = NULL;
	struct vigil_error err = { 0 };
	FILE *f;
	int r;

	if (size > (2u << 20))
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/vigil-fuzz-versions-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
		snprintf(in_path, sizeof(in_path), "%s/in.json", dir);
		snprintf(out_path, sizeof(out_path), "%s/out.json", dir);
		atexit(cleanup);
	}
	check_version(data, size);
	f = fopen(in_path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();
	r = vigil_sign_versions__load(in_path, &v, &err);
	if (r < 0) {
		if (r != -ENOMEM && !err.message[0])
			abort();
		return 0;
	}
	if (vigil_sign_versions__save(v, out_path, &err) < 0 ||
	    vigil_sign_versions__load(out_path, &again, &err) < 0 ||
	    vigil_sign_versions__count(again) != vigil_sign_versions__count(v))
		abort();
	vigil_sign_versions__free(v);
	vigil_sign_versions__free(again);
	return 0;
}
