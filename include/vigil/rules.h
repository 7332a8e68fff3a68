/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule catalogue, in one place: every rule's Kubescape id, name, severity, MITRE tactic and
 * technique, and a one-line summary of what raises it. The list below makes the enum the
 * detector indexes (VIGIL_R0001, ...) and the table (lib/event/rules.c), so an id that is
 * not in the catalogue does not compile, and the id's text cannot differ from its enum.
 * Adding a rule: docs/DESIGN.md, "Adding a rule".
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stddef.h>

/* R(ID, NAME, SEVERITY 1..10, TACTIC, TECHNIQUE, SUMMARY) */
#define VIGIL_RULES(R)                                                                              \
	R(R0001, "Unexpected process launched", 1, "TA0002", "T1059",                               \
	  "exec of a path not in the profile")                                                      \
	R(R0002, "Files access anomalies", 1, "TA0009", "T1005",                                    \
	  "open under a watched directory of a file not in the profile")                            \
	R(R0003, "Syscalls anomalies", 1, "TA0002", "T1059", "syscall not in the profile")          \
	R(R0004, "Linux capabilities anomalies", 1, "TA0002", "T1059",                              \
	  "capability not in the profile")                                                          \
	R(R0005, "DNS anomalies", 1, "TA0011", "T1071.004",                                         \
	  "DNS name not in the profile's egress (cluster-local names excluded)")                    \
	R(R0006, "Unexpected service account token access", 5, "TA0006", "T1528",                   \
	  "open of a service account token not in the profile")                                     \
	R(R0007, "Kubernetes API used unexpectedly", 5, "TA0008", "T1210",                          \
	  "kubectl run, or a connection to the API server, not in the profile")                     \
	R(R0008, "Read environment variables from procfs", 5, "TA0006", "T1552.001",                \
	  "open of /proc/*/environ not in the profile")                                             \
	R(R0009, "eBPF program load", 5, "TA0005", "T1218",                                         \
	  "bpf(BPF_PROG_LOAD) while bpf is not in the profile's syscalls")                          \
	R(R0010, "Unexpected sensitive file access", 5, "TA0006", "T1005",                          \
	  "open of a sensitive file (/etc/shadow, ...) not in the profile")                         \
	R(R0011, "Unexpected egress network traffic", 5, "TA0010", "T1041",                         \
	  "connection to an address not in the profile's egress")                                   \
	R(R0040, "Unexpected process arguments", 3, "TA0002", "T1059",                              \
	  "exec of a known path with arguments the profile does not allow")                         \
	R(R1000, "Process executed from /dev/shm", 8, "TA0002", "T1059",                            \
	  "exe, cwd or argv[0] under /dev/shm")                                                     \
	R(R1001, "Drifted process executed", 8, "TA0005", "T1036",                                  \
	  "exe or its script written at run time (drop-and-execute), or on the overlay upper "      \
	  "layer and not in the profile")                                                           \
	R(R1002, "Kernel module load", 10, "TA0005", "T1547.006", "init_module or finit_module")    \
	R(R1005, "Fileless execution", 8, "TA0005", "T1055", "exe is a memfd or /proc/self/fd/N")   \
	R(R1006, "Unexpected unshare", 5, "TA0004", "T1611",                                        \
	  "unshare while unshare is not in the profile's syscalls (runc excluded)")                 \
	R(R1009, "Crypto-mining port", 3, "TA0011", "T1071",                                        \
	  "TCP connection to port 3333 or 45700 not in the profile's egress")                       \
	R(R1010, "Symlink over sensitive file", 5, "TA0006", "T1005",                               \
	  "symlink to /etc/shadow* or /etc/sudoers*")                                               \
	R(R1012, "Hard link over sensitive file", 5, "TA0006", "T1005",                             \
	  "hard link to /etc/shadow* or /etc/sudoers*")                                             \
	R(R1015, "Ptrace", 5, "TA0005", "T1622",                                                    \
	  "ptrace while ptrace is not in the profile's syscalls")                                   \
	R(R1016, "Signed profile tampered", 10, "TA0005", "T1562",                                  \
	  "a profile required to be signed is unsigned, tampered or signed by an untrusted key")    \
	R(R1030, "Unexpected io_uring operation", 5, "TA0002", "T1218",                             \
	  "io_uring opcode not in the profile's iouring list")                                      \
	R(V1100, "Server started a shell or interpreter", 8, "TA0002", "T1059",                     \
	  "a program that is not a shell starts a shell or interpreter the profile does not allow") \
	R(V1101, "Persistence path written", 8, "TA0003", "T1098",                                  \
	  "open for write of a persistence path (cron, systemd, ~/.ssh, shell rc, accounts)")       \
	R(V0001, "Alerts dropped", 5, "", "",                                                       \
	  "Vigil health: a sink dropped alerts (queue full, rejected, retries exhausted)")          \
	R(V0002, "Sensor dropped events", 5, "", "",                                                \
	  "Vigil health: the sensor lost events (ring buffer, rate limit, a kernel table)")

enum vigil_rule_id {
#define VIGIL_RULE_ENUM(id, ...) VIGIL_##id,
	VIGIL_RULES(VIGIL_RULE_ENUM)
#undef VIGIL_RULE_ENUM
	VIGIL_RULE__MAX
};

struct vigil_rule {
	enum vigil_rule_id rid;
	const char *id;	       /* "R0001" */
	const char *name;      /* "Unexpected process launched" */
	int severity;	       /* 1..10 */
	const char *tactic;    /* "TA0002" */
	const char *technique; /* "T1059" */
	const char *summary;   /* one line: what triggers it */
};

/* The rule of an id; NULL only for a value outside the enum. Static storage. */
const struct vigil_rule *vigil_rule(enum vigil_rule_id rid);
/* The catalogue, in enum order (detection rules by id, then Vigil's health rules).
 * *ret_count gets the number of rules. Static storage. */
const struct vigil_rule *vigil_rules__all(size_t *ret_count);
/* NULL for an unknown id text. */
const struct vigil_rule *vigil_rule__find(const char *id);

#endif
