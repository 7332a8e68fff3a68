/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Learning: turns one workload's sensor events into an SBoB profile with the profile builder.
 * The caller routes events of that workload only, adds what the kernel accumulated (syscalls,
 * io_uring opcodes) by name at the end, and says whether the learning was partial.
 *
 * Deterministic: the same behaviour gives the same file. Pids, /proc/PID, fd numbers, pty
 * numbers and temp-file names are generalised to "⋯" (one path segment); nothing time-dependent
 * goes into the spec. docs/DETECTION.md describes what is learned.
 */
#ifndef VIGIL_LEARN_H
#define VIGIL_LEARN_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/event.h"
#include "vigil/profile.h"

struct vigil_learner;

struct vigil_learn_opts {
	const char *name;	/* document name (required) */
	const char *container;	/* container entry name; NULL = name */
	const char *namespace_; /* NULL = none */
	/* labels kubescape.io/workload-{kind,name,namespace,container-name} when known */
	const char *workload_kind, *workload_name, *workload_namespace;
	const struct vigil_collapse_opts *collapse; /* NULL = defaults */
	/*
	 * Also key execs and opens by the executable that made them (the byExecutable extension,
	 * docs/PROFILES.md): an open by the process's executable, an exec by the program that
	 * started it (the event's parent_exe), as detection judges them.
	 */
	bool per_exe;
};

/* Returns NULL and sets errno on failure. Strings in opts are copied. */
struct vigil_learner *vigil_learner__new(const struct vigil_learn_opts *opts);
/* Accepts NULL. */
void vigil_learner__free(struct vigil_learner *l);

/* Adds what ev shows (exec, open, connect, accept, DNS, capability, syscall, io_uring). */
int vigil_learner__event(struct vigil_learner *l, const struct vigil_event *ev);
/* What the kernel accumulated outside events (vigil_sensor__syscalls / __iouring_ops). */
int vigil_learner__add_syscall(struct vigil_learner *l, const char *name);
int vigil_learner__add_iouring(struct vigil_learner *l, const char *opname);

/* Events seen so far (for status lines). */
size_t vigil_learner__events(const struct vigil_learner *l);
/* Entries left out because the workload's name carried a wildcard character (wild.c). */
size_t vigil_learner__left_out(const struct vigil_learner *l);

/*
 * A checkpoint: a copy of what was learned so far (not collapsed, names looked up but not yet
 * connected to listed as egress, as finish would), for the caller to keep (*ret, freed with
 * vigil_profile__free). Learning goes on.
 */
int vigil_learner__snapshot(const struct vigil_learner *l, struct vigil_profile **ret);
/*
 * Continues from a checkpoint: adds what p (one document of the same kind and name, a
 * snapshot written earlier) holds. Its annotations come along: remove the caller's own first.
 * -EINVAL when p is not such a document.
 */
int vigil_learner__seed(struct vigil_learner *l, const struct vigil_profile *p);

/*
 * Ends learning: collapses, sets the annotations kubescape.io/status=completed and
 * kubescape.io/completion=partial|complete, and hands the profile to the caller (*ret, freed
 * with vigil_profile__free). The learner can only be freed afterwards.
 */
int vigil_learner__finish(struct vigil_learner *l, bool partial, struct vigil_profile **ret);

/*
 * Generalises the parts of an opened path that differ between identical runs (see above) into
 * buf. Returns buf, or NULL when the path carries a profile wildcard character (`*`, `⋯`):
 * such a name is not learned (vigil_learn_wild_name).
 */
const char *vigil_learn_normalize_path(const char *path, char *buf, size_t size);

/*
 * A name the workload chose that a profile would read as a wildcard (sensor/learn/wild.c): a
 * path, an exec path, a DNS name or an HTTP path with `*` or `⋯` (U+22EF) anywhere; an exec
 * argument with `⋯` (`*` is plain text in arguments). Learning leaves such an entry out.
 */
bool vigil_learn_wild_name(const char *s);
bool vigil_learn_wild_arg(const char *s);

/*
 * A name (one path segment, n bytes) that changes between identical runs by its shape, as
 * exec arguments are judged (sensor/learn/args.c): a PID or counter before an extension, a
 * long digit run after a separator, a date, a time, a UUID, a long hex id, a tmp.XXXXXX name.
 */
bool vigil_learn_volatile_name(const char *s, size_t n);

/* Which segments of an opened path may be learned as ⋯ by their shape
 * (sensor/learn/open_names.c): none, directories only, or also the file's own name. */
enum {
	VIGIL_LEARN_NAMES_NONE = 0,
	VIGIL_LEARN_NAMES_DIRS,
	VIGIL_LEARN_NAMES_ALL,
};
int vigil_learn_open_names(const char *path);

/* The learned open pattern (⋯ = any one segment) would match a sensitive file or lie inside a
 * sensitive or token directory. */
bool vigil_learn_pattern_sensitive(const char *pattern);

/*
 * How many leading arguments of an exec name the program that runs (sensor/learn/args.c):
 * argv[0], and for a shell or interpreter (exe, or argv[0] for busybox) everything up to its
 * script, its -c / -e program text or its -f file. Learning keeps them literal.
 */
size_t vigil_learn_program_args(const char *exe, const char *const *argv, size_t argc);

/*
 * One exec argument that does not name the program, as learned: arg itself, the static "⋯"
 * (one volatile value: a PID, port, time, UUID, hex id, temp name), or buf (size bytes) holding
 * arg with its volatile '/'-segments as "⋯" (temp directories, /proc/PID). Program text
 * (whitespace, quotes, shell metacharacters) is returned as is. NULL for an argument with `⋯`
 * in it (vigil_learn_wild_arg): not learnable.
 */
const char *vigil_learn_generalize_arg(const char *arg, char *buf, size_t size);

/*
 * The path of a program the workload wrote at run time (or argv[0], or the script naming it),
 * as learned: its volatile directories as "⋯" into buf, never its file name; path itself when
 * nothing changes. A program that existed before the workload ran is learned literally. NULL
 * for a path with `⋯` in it (vigil_learn_wild_arg).
 */
const char *vigil_learn_generalize_program(const char *path, char *buf, size_t size);

#endif
