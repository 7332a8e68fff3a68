/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A file opened under another name: a hard link to /etc/shadow in /tmp, or a bind mount of it
 * (or of its directory) somewhere else, is reported by the kernel under that other name. When
 * the sensor marks an open as aliased (the file has more than one link, or a bind mount lies on
 * its path), this finds whether the file is one of the sensitive files (R0010) by identity:
 * the device and inode the kernel reported for the opened file against those of the sensitive
 * files below the root of the opening process, of its parent, and of the node. The sensitive
 * files' identities are kept per mount namespace for a few seconds. (On overlayfs without
 * xino over more than one file system, stat reports another device than the kernel's inode
 * has: a hard link to a file of a lower layer is then not recognised.)
 */
#ifndef VIGIL_PATH_ALIAS_H
#define VIGIL_PATH_ALIAS_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/event.h"

struct vigil_path_alias;

/* NULL on out of memory. */
struct vigil_path_alias *vigil_path_alias__new(void);
void vigil_path_alias__free(struct vigil_path_alias *a);

/*
 * For a successful, aliased OPEN event: when the file is one of the sensitive files, writes its
 * canonical path (e.g. "/etc/shadow") into out (size bytes) and returns true. False when it is
 * not, or cannot be told (the process is gone).
 */
bool vigil_path_alias__sensitive(struct vigil_path_alias *a, const struct vigil_event *ev,
				 char *out, size_t size);

#endif
