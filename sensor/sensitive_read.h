/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sensitive files (R0010) and service-account tokens (R0006) below a root, by identity: the
 * one reader of detection's files and directories (vigil/detect_paths.h), /etc/ssh,
 * /home/<user>/.ssh and the token directories (vigil_token_dirs), used by detection's
 * alias lookup (sensor/path_alias.c) and by the kernel's identity sets (sensor/sensor_idents.c)
 * so both know the same files. Every name is resolved inside the root (openat2
 * RESOLVE_IN_ROOT): an absolute symlink in a container's /etc never leads to the agent's files.
 */
#ifndef VIGIL_SENSITIVE_READ_H
#define VIGIL_SENSITIVE_READ_H

#include <stdbool.h>
#include <stdint.h>

/* A sensitive regular file or a token (vigil_open_class of path says which): its path as the
 * root names it, its device (the kernel's encoding,
 * as events carry it) and inode. */
typedef void (*vigil_sensitive_fn)(const char *path, uint32_t dev, uint64_t ino, void *arg);

/* The root of pid (its /proc/PID/root, pid > 0) or the agent's own (pid 0), opened O_PATH for
 * vigil_sensitive_read; the descriptor, or -errno. */
int vigil_sensitive_root(int pid);

/* Calls fn for each sensitive regular file below root (bounded: 64 entries a directory).
 * Returns 0, or -errno when the root cannot be read at all (openat2 missing: -ENOSYS). */
int vigil_sensitive_read(int root, vigil_sensitive_fn fn, void *arg);

/* Whether path no longer names anything below root (the file renamed or its name removed),
 * not merely unreadable. */
bool vigil_sensitive_gone(int root, const char *path);

#endif
