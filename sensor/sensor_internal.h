/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the sensor core shared between sensor/ *.c files and their unit tests: pure
 * helpers (cgroup path parsing, DNS question parsing, path assembly) and the bounded process
 * and workload tables. Not a public interface.
 */
#ifndef VIGIL_SENSOR_INTERNAL_H
#define VIGIL_SENSOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/lru.h"
#include "vigil/event.h"
#include "vigil/sensor.h"

/*
 * Finds a container id in a cgroup path (docker, containerd/CRI, cri-o, podman/libpod,
 * kubepods layouts). On success copies the 64 hex characters into id (size >= 65), sets
 * *ret_runtime to a static name and returns 0; -ENOENT when the path is not a container's.
 */
int vigil_cgroup__container_id(const char *path, char *id, size_t size, const char **ret_runtime);

/*
 * Parses the first question of a DNS message (untrusted, len bytes). Writes the name in lower
 * case without the trailing dot into name (size bytes) and the question type into *ret_qtype.
 * Returns 0, or -EINVAL for anything malformed (compression in a question, bad lengths,
 * truncated, not a query, name too long for name).
 */
int vigil_dns__parse_question(const uint8_t *msg, size_t len, char *name, size_t size,
			      uint16_t *ret_qtype);

/*
 * Builds an absolute path from components stored leaf first, each NUL-terminated (the kernel's
 * path walk), len bytes in all. Writes "/a/b/c" into out (size bytes, truncated if needed) and
 * returns the length written. Zero components give "/".
 */
size_t vigil_path__from_components(const char *comp, size_t len, char *out, size_t size);

/* Joins dir and a relative path, removing "." components and a leading "./". */
size_t vigil_path__join(const char *dir, const char *rel, char *out, size_t size);

/* ---- process table: bounded, LRU, keyed by (pid, start_ns) so pid reuse is not confused --- */

struct vigil_proc_table;
struct vigil_proc_entry {
	struct vigil_process proc; /* exe, argv, cwd point into owned storage below */
	char *exe;
	char *cwd;
	char **argv;
	/* private */
	struct vigil_proc_entry *hnext;
	struct vigil_proc_entry *pnext; /* chain by pid alone */
	struct vigil_lru_node lru;
};

struct vigil_proc_table *vigil_proc_table__new(size_t max);
void vigil_proc_table__free(struct vigil_proc_table *t);
/* Finds (pid, start_ns) or creates it (evicting the least recently used when full). NULL on
 * out of memory. *ret_created tells whether it is new. */
struct vigil_proc_entry *vigil_proc_table__get(struct vigil_proc_table *t, uint32_t pid,
					       uint64_t start_ns, bool *ret_created);
struct vigil_proc_entry *vigil_proc_table__find(struct vigil_proc_table *t, uint32_t pid,
						uint64_t start_ns);
/* The latest-started entry with this pid (whatever its start time), or NULL: a parent known
 * only by its pid (the record's ppid). */
struct vigil_proc_entry *vigil_proc_table__find_pid(const struct vigil_proc_table *t, uint32_t pid);
void vigil_proc_table__remove(struct vigil_proc_table *t, uint32_t pid, uint64_t start_ns);
size_t vigil_proc_table__count(const struct vigil_proc_table *t);
uint64_t vigil_proc_table__evictions(const struct vigil_proc_table *t);
/* Replaces exe, cwd and argv (copies; argv block is NUL-separated, len bytes). -ENOMEM. */
int vigil_proc_entry__set_exec(struct vigil_proc_entry *p, const char *exe, const char *cwd,
			       const char *argv_block, size_t len, bool truncated);
/* Copies exe/cwd/argv of src into dst (fork). */
int vigil_proc_entry__inherit(struct vigil_proc_entry *dst, const struct vigil_proc_entry *src);

/* ---- workload table: bounded, LRU, keyed by cgroup id ------------------------------------ */

struct vigil_workload_table;
struct vigil_workload_entry {
	struct vigil_workload wl;
	char path[512];
	char container_id[VIGIL_CONTAINER_ID_LEN + 1];
	char name[256];
	/* private */
	struct vigil_workload_entry *hnext;
	struct vigil_lru_node lru;
};

struct vigil_workload_table *vigil_workload_table__new(size_t max);
void vigil_workload_table__free(struct vigil_workload_table *t);
struct vigil_workload_entry *vigil_workload_table__get(struct vigil_workload_table *t,
						       uint64_t cgroup_id, bool *ret_created);
void vigil_workload_table__remove(struct vigil_workload_table *t, uint64_t cgroup_id);
/* Removes every entry for which gone(entry, ctx) is true; how many. */
size_t vigil_workload_table__prune(struct vigil_workload_table *t,
				   bool (*gone)(const struct vigil_workload_entry *w, void *ctx),
				   void *ctx);
size_t vigil_workload_table__count(const struct vigil_workload_table *t);
/* Fills path, container id, runtime and name of a fresh entry from its cgroup path. */
void vigil_workload_entry__set_path(struct vigil_workload_entry *w, const char *path);

/* ---- sensor core helpers used by sensor_spawn.c -------------------------------------------- */
struct vigil_sensor;
/* The cgroup2 mount point found in /proc/self/mountinfo ("/sys/fs/cgroup/unified"). */
const char *vigil_sensor__cgroup2_root(const struct vigil_sensor *s);
/* Names a workload (shown as workload.name); the name is copied. */
void vigil_sensor__name_workload(struct vigil_sensor *s, uint64_t cgroup_id, const char *name);
/*
 * A sensor without a kernel side, for feeding raw ring-buffer records (bpf/sensor_abi.h) to the
 * decoder: the fuzz harness and tests. No /proc or cgroup lookups. Free with
 * vigil_sensor__free. feed returns the events delivered (0 or 1) or the callback's value.
 */
struct vigil_sensor *vigil_sensor__new_offline(void);
int vigil_sensor__feed(struct vigil_sensor *s, const void *rec, size_t size, vigil_event_cb cb,
		       void *ctx);

/* Remembers / forgets the directory made for a spawned workload. */
int vigil_sensor__spawn_track(struct vigil_sensor *s, uint64_t cgroup_id, const char *dir);
const char *vigil_sensor__spawn_dir(const struct vigil_sensor *s, uint64_t cgroup_id);
void vigil_sensor__spawn_untrack(struct vigil_sensor *s, uint64_t cgroup_id);

#endif
