// SPDX-License-Identifier: Apache-2.0
#include "util/version.h"

const char *vigil_version(void)
{
	return VIGIL_VERSION;
}
