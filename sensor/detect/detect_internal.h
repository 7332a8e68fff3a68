/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detector's parts, private to sensor/detect/:
 *   detect.c      the engine: bindings (compiled profile per workload), cooldowns, raising
 *   eval.c        the rules by event kind: which event leaves the profile, and as which rule
 *                 (the dispatch, and the kinds judged in a few lines)
 *   eval_exec.c   an exec's rules, and code mapped executable (R1001, R1005)
 *   eval_open.c   an open's rules
 *   eval_syscall.c a syscall's first use (R0003), other processes' memory (R1015)
 *   eval_net.c    egress, connections into the namespace (R2001), raw sockets (V1001)
 *   eval_link.c   links to sensitive files, sensitive files renamed
 *   eval_profile.c what the bound profile says, asked by several of the above
 *   programs.c    which executables are shells and interpreters (V1100), SSH clients (R1003)
 *   shellsum.c    shells and interpreters by content: a copy under another name (V1100)
 *   quiet.c       syscalls and capabilities that carry signal only from a program the profile
 *                 does not know
 *   ldhook.c      R1011's facts: dynamic-linker hook variables, /etc/ld.so.preload
 *   mining.c      R1008's list of crypto-mining pool domains
 *   miner.c       R1007's hints that a crypto miner starts (stratum, RandomX, MSR writes)
 *   mounts.c      R1004's volumes: the mount an executable's path is under
 *   fold.c        one dropped file, one R1001: the loader's mapping of what its exec ran
 * The rule catalogue is include/vigil/rules.h (its table: lib/event/rules.c).
 * Presentation is not here: alerts go up as struct vigil_alert (lib/event/alert.c encodes them).
 */
#ifndef VIGIL_DETECT_INTERNAL_H
#define VIGIL_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "util/lru.h"
#include "vigil/detect.h"

/*
 * The program of an event's actor: for an exec the program that started it, otherwise the
 * process's own executable ("" when unknown). Part of who did it for the cooldown
 * (detect.c) and for bursts (burst.c): a program that replaces itself by execve is another.
 */
const char *detect_actor_program(const struct vigil_event *ev);

#define BIND_BUCKETS 1024
#define COOL_BUCKETS 4096
#define KEY_MAX	     1024

struct binding {
	struct binding *next;
	uint64_t cgroup_id;
	struct vigil_matcher *m;
	char *name, *digest, *signer;
	char *wl_name, *wl_image; /* from the caller (container engine), NULL when unknown */
	/* pod, namespace, pod_uid, container_name, runtime, workload_kind, workload_name */
	char *k8s[7];
	bool has_syscalls;
};

enum {
	K8S_POD,
	K8S_NS,
	K8S_UID,
	K8S_CNAME,
	K8S_RUNTIME,
	K8S_KIND,
	K8S_WNAME,
	K8S_N
};

struct cool {
	struct cool *hnext; /* hash chain */
	struct vigil_lru_node lru;
	uint64_t cgroup_id;
	uint64_t hash;
	enum vigil_rule_id rule;
	uint64_t last_sent_ns;
	uint64_t suppressed; /* repeats since last_sent */
	char key[];
};

/* fold.c: an exec's R1001 noted for its process (one dropped file, one alert) */
#define FOLD_SLOTS 256
struct fold_note {
	char *file;	     /* NULL: none */
	uint64_t written_ns; /* the file's version: the kernel's mark of its last write */
	uint64_t cgroup_id, start_ns;
	uint32_t pid;
};

struct vigil_detector {
	uint64_t cooldown_ns;
	size_t max_keys;
	bool disabled[VIGIL_RULE__MAX];
	char **k8s_api; /* "ADDR:PORT" */
	size_t nk8s;
	struct binding *bind[BIND_BUCKETS];
	struct cool *cool[COOL_BUCKETS];
	struct vigil_lru lru; /* cooldown keys, head = most recently used */
	size_t ncool;
	struct vigil_detect_stats stats;
	struct vigil_exe_digests *digests; /* executables' content, by inode identity */
	struct vigil_path_alias *alias;	   /* sensitive files under other names */
	struct vigil_shellsum *shells;	   /* shells' and interpreters' contents (V1100) */
	bool (*exec_mount)(const struct vigil_event *ev, char *mnt, size_t size); /* R1004 */
	struct fold_note fold[FOLD_SLOTS];
};

/* shellsum.c: the contents of the shells and interpreters known (the host's, taken when first
 * needed, and those seen running under their own names). */
struct vigil_shellsum;
struct vigil_shellsum *vigil_shellsum__new(void);
void vigil_shellsum__free(struct vigil_shellsum *s);
/* ev ran path, a shell or interpreter by its name: remember its content. */
void vigil_shellsum__ran(struct vigil_shellsum *s, struct vigil_exe_digests *digests,
			 const struct vigil_event *ev, const char *path);
/* The shell or interpreter whose content ev's executable has (its path), or NULL. */
const char *vigil_shellsum__copy_of(struct vigil_shellsum *s, struct vigil_exe_digests *digests,
				    const struct vigil_event *ev);

/* One alert being raised. */
struct raise {
	struct vigil_detector *d;
	const struct binding *b;
	const struct vigil_event *ev;
	const struct vigil_workload *w;
	vigil_alert_fn emit;
	void *ctx;
};

/* quiet.c: the syscall tells nothing when a program the profile knows adds it (R0003). */
bool detect_syscall_needs_context(const char *name);
/* quiet.c: the capability only passes file permissions (R0004 from a known program: no). */
bool detect_cap_needs_context(const char *name);

/* mounts.c: the default R1004 lookup (the process's mount table in /proc). */
bool detect_exec_mount(const struct vigil_event *ev, char *mnt, size_t size);

/* detect.c: raises rule id for the event in r unless disabled, allowed by the profile's
 * rulePolicies, or cooling down. Returns 1 when raised, 0 when not, or emit's < 0. */
int detect_raise(struct raise *r, enum vigil_rule_id rule, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* fold.c: the exec in r raised R1001 for file (NULL: the process exec'd, nothing to note) */
void detect_fold_exec(struct raise *r, const char *file);
/* fold.c: an R1001 for mapping file is the one the process's exec raised already */
bool detect_fold_mapped(struct raise *r, const char *file);
void detect_fold_free(struct vigil_detector *d);

/* setid.c: V1106, the setuid or setgid bit given to a regular file (SETID). */
int detect_eval_setid(struct raise *r, const char *comm);
/* history.c: V1107, shell history cleared; V1110, a system log cleared (ERASE, OPEN with O_TRUNC, SYMLINK, LINK, RENAME,
 * EXEC with history off in its environment); 0 for any other event. */
int detect_eval_history(struct raise *r, const char *comm);
/* procmem.c: R1015, a process's memory opened through /proc/PID/mem (path: the file opened). */
int detect_eval_procmem(struct raise *r, const char *path);
/* nsjoin.c: V1105, a setns that took the process into the host's namespaces. */
int detect_eval_setns(struct raise *r, const char *comm);

/* eval.c: evaluates r->ev against r->b (bound); returns as detect_raise. */
int detect_eval(struct raise *r);

/* eval_exec.c, eval_open.c, eval_syscall.c, eval_net.c, eval_link.c: one kind's rules, called
 * by eval.c for r->ev of that kind; return as detect_raise. */
int detect_eval_exec(struct raise *r);
int detect_eval_mmap_exec(struct raise *r);
int detect_eval_open(struct raise *r);
int detect_eval_syscall(struct raise *r);
int detect_eval_connect(struct raise *r);
int detect_eval_netns_connect(struct raise *r, const char *comm);
int detect_eval_socket(struct raise *r);
/* eval_http.c: V1108 (HTTP) and V1109 (ACCEPT) */
int detect_eval_http(struct raise *r);
int detect_eval_accept(struct raise *r);
int detect_eval_rename(struct raise *r);
/* V1101 / R1011: a persistence path made by a rename, a link or a symlink (eval_link.c). */
int detect_eval_name_persist(struct raise *r);
/* eval_link.c: a SYMLINK's (symlink) or LINK's target is a sensitive file the profile does
 * not open */
bool detect_link_target_sensitive(const struct raise *r, bool symlink);

/* eval_profile.c: the profile knows this workload writes the file and runs it (a build, a
 * self-update). */
bool detect_learned_write(const struct vigil_matcher *m, const char *path);
/* eval_profile.c: the byExecutable section of exe, NULL for workload-wide only */
const struct vigil_matcher *detect_section_of(const struct raise *r, const char *exe);
/* eval_profile.c: the process runs an executable the profile's execs name */
bool detect_known_program(const struct raise *r);

/* The rule is on (not turned off, nor off by default and not turned on): for a rule that
 * decides first and lets the others judge the event when it is off. */
bool detect_rule_on(const struct raise *r, enum vigil_rule_id rule);

#endif
