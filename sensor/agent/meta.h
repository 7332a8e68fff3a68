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
/* The same question to podman (docker: to docker) without waiting for the answer (meta_late.c asks again from the
 * agent's loop, which must not block on a slow engine): start it, then poll; bound_ms bounds
 * the whole question. poll: 0 and *ret filled, -EAGAIN still waiting, else a negative errno
 * (-ETIMEDOUT past the bound). free kills and reaps a question still in flight. */
struct vigil_meta_query;
int vigil_meta_query__start(const char *container_id, bool docker, long bound_ms,
			    struct vigil_meta_query **ret);
int vigil_meta_query__poll(struct vigil_meta_query *q, struct vigil_container_meta *ret);
void vigil_meta_query__free(struct vigil_meta_query *q);
/* The value of label key, or NULL. Returned pointer is into a static buffer. */
const char *vigil_container_meta__label(const struct vigil_container_meta *m, const char *key);
bool vigil_container_meta__has_label(const struct vigil_container_meta *m, const char *key,
				     const char *value);
void vigil_container_meta__release(struct vigil_container_meta *m);

#endif
