/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vigil's version (`git describe` at build time). It lives in one object that the build
 * recompiles whenever the version changes, so `vigil version`, the agent's heartbeat and the
 * cockpit's health always name the same one, even in an incremental build.
 */
#ifndef VIGIL_UTIL_VERSION_H
#define VIGIL_UTIL_VERSION_H

const char *vigil_version(void);

#endif
