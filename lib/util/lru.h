/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An intrusive least-recently-used list: the bounded tables (processes, workloads, alert
 * cooldown keys) embed a struct vigil_lru_node in their entries, move an entry to the head when
 * it is used and evict from the tail when full. The list owns nothing.
 */
#ifndef VIGIL_UTIL_LRU_H
#define VIGIL_UTIL_LRU_H

#include <stddef.h>

struct vigil_lru_node {
	struct vigil_lru_node *prev, *next;
};

struct vigil_lru {
	struct vigil_lru_node *head; /* most recently used */
	struct vigil_lru_node *tail; /* next to evict */
};

/* The entry of type `type` whose member `member` is node (NULL for a NULL node). */
#define vigil_lru_entry(node, type, member) \
	((node) ? (type *)(void *)((char *)(node)-offsetof(type, member)) : (type *)NULL)

static inline void vigil_lru__unlink(struct vigil_lru *l, struct vigil_lru_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

static inline void vigil_lru__push(struct vigil_lru *l, struct vigil_lru_node *n)
{
	n->prev = NULL;
	n->next = l->head;
	if (l->head)
		l->head->prev = n;
	l->head = n;
	if (!l->tail)
		l->tail = n;
}

/* Marks n as the most recently used. */
static inline void vigil_lru__touch(struct vigil_lru *l, struct vigil_lru_node *n)
{
	if (l->head == n)
		return;
	vigil_lru__unlink(l, n);
	vigil_lru__push(l, n);
}

#endif
