/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container metadata the kernel does not know: name, image and labels, asked from the
 * container engine's CLI (podman, then docker) once per container, with a time bound.
 * Internal to sensor/agent.
 */
#ifndef VIGIL_AGENT_META_H
#define VIGIL_AGENT_META_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds on what the engine is asked to print (meta.c's template) and what is kept
 * (meta_parse.c): a label over them is dropped with a warning, the others are kept. */
#define VIGIL_META_KEY_MAX    512	 /* bytes; Kubernetes: 253 of prefix, 63 of name */
#define VIGIL_META_VALUE_MAX  4096	 /* bytes */
#define VIGIL_META_LABELS_MAX 4096	 /* labels of one container */
#define VIGIL_META_ANSWER_MAX (1u << 20) /* the engine's whole answer; more is cut */

struct vigil_container_meta {
	char name[128];
	char image[256];
	/* "KEY\0VALUE\0" pairs sorted by key, owned; NULL when none. NUL-separated: a label
	 * holding a NUL is dropped, so no label can forge another (as newlines did in lines). */
	char *labels;
	size_t labels_size;
	unsigned nlabels;
	/* labels dropped and why, one per line, owned; NULL when none: for the log */
	char *warnings;
};

/* The engine's answer (see meta_parse.c): 0 and *ret filled (what could not be taken is in
 * ret->warnings), -ENOENT for an empty answer, -ENOMEM. cut: the answer was cut at the
 * reader's bound (its last line is incomplete). */
int vigil_container_meta__parse(const char *text, size_t len, bool cut,
				struct vigil_container_meta *ret);

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
/* The value of label key, or NULL. The pointer is into m (valid until it is released). */
const char *vigil_container_meta__label(const struct vigil_container_meta *m, const char *key);
bool vigil_container_meta__has_label(const struct vigil_container_meta *m, const char *key,
				     const char *value);
void vigil_container_meta__release(struct vigil_container_meta *m);

#endif
