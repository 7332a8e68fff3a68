/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container metadata the kernel does not know: name, image and labels, asked from the
 * container engine's CLI (podman, then docker) once per container, with a time bound.
 * Internal to sensor/agent.
 */
#ifndef VIGIL_AGENT_META_H
#define VIGIL_AGENT_META_H

#include <stdbool.h>

struct vigil_container_meta {
	char name[128];
	char image[256];
	char *labels; /* "KEY=VALUE\n" lines, owned; NULL when none */
};

/* 0 and *ret filled, or a negative errno: -ETIMEDOUT when podman did not answer within its
 * bound (worth asking again), else no engine or an unknown container. */
int vigil_container_meta__get(const char *container_id, struct vigil_container_meta *ret);
/* The value of label key, or NULL. Returned pointer is into a static buffer. */
const char *vigil_container_meta__label(const struct vigil_container_meta *m, const char *key);
bool vigil_container_meta__has_label(const struct vigil_container_meta *m, const char *key,
				     const char *value);
void vigil_container_meta__release(struct vigil_container_meta *m);

#endif
