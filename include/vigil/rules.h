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

/*
 * What Kubescape's rule library says of a rule beyond its name, as flags:
 * VIGIL_RULE_OFF     Kubescape ships it turned off (`enabled: false`); Vigil too, so a switch
 *                    keeps the alerts a user had. `enabled_rules` turns it on.
 * VIGIL_RULE_POLICY  the rule honours a profile's `rulePolicies` (Kubescape's `supportPolicy`);
 *                    the others ignore them, as Kubescape does.
 * And which events the rule judges (sensor/detect/eval.c), so that an agent binding's rule
 * parameters (sensor/agent/rule_params.c) are taken by the rules they can apply to:
 * VIGIL_RULE_EXEC    exec events (ignorePrefixes, includePrefixes, excludeProcesses,
 *                    excludeParentProcesses)
 * VIGIL_RULE_OPEN    open events (ignorePrefixes, includePrefixes, ignoreMounts)
 * VIGIL_RULE_NET     connect and send events (ports)
 */
enum {
	VIGIL_RULE_OFF = 1u << 0,
	VIGIL_RULE_POLICY = 1u << 1,
	VIGIL_RULE_EXEC = 1u << 2,
	VIGIL_RULE_OPEN = 1u << 3,
	VIGIL_RULE_NET = 1u << 4,
};

/* R(ID, NAME as Kubescape's rule library spells it, SEVERITY 1..10, TACTIC, TECHNIQUE, FLAGS,
 *   SUMMARY) */
#define VIGIL_RULES(R)                                                                                   \
	R(R0001, "Unexpected process launched", 1, "TA0002", "T1059", VIGIL_RULE_EXEC,                   \
	  "exec of a path not in the profile")                                                           \
	R(R0002, "Files Access Anomalies in container", 1, "TA0009", "T1005",                            \
	  VIGIL_RULE_OFF | VIGIL_RULE_OPEN,                                                              \
	  "open under a watched directory of a file not in the profile")                                 \
	R(R0003, "Syscalls Anomalies in container", 1, "TA0002", "T1059", 0,                             \
	  "syscall not in the profile")                                                                  \
	R(R0004, "Linux Capabilities Anomalies in container", 1, "TA0002", "T1059", 0,                   \
	  "capability not in the profile")                                                               \
	R(R0005, "DNS Anomalies in container", 1, "TA0011", "T1071.004", 0,                              \
	  "DNS name not in the profile's egress (cluster-local names excluded)")                         \
	R(R0006, "Unexpected service account token access", 5, "TA0006", "T1528", VIGIL_RULE_OPEN,       \
	  "open of a service account token not in the profile")                                          \
	R(R0007, "Workload uses Kubernetes API unexpectedly", 5, "TA0008", "T1210",                      \
	  VIGIL_RULE_EXEC | VIGIL_RULE_NET,                                                              \
	  "kubectl run, or a connection to the API server, not in the profile")                          \
	R(R0008, "Read Environment Variables from procfs", 5, "TA0006", "T1552.001",                     \
	  VIGIL_RULE_OPEN, "open of /proc/*/environ not in the profile")                                 \
	R(R0009, "eBPF Program Load", 5, "TA0005", "T1218", 0,                                           \
	  "bpf(BPF_PROG_LOAD) while bpf is not in the profile's syscalls")                               \
	R(R0010, "Unexpected Sensitive File Access", 5, "TA0006", "T1005", VIGIL_RULE_OPEN,              \
	  "open of a sensitive file (/etc/shadow, ...) not in the profile")                              \
	R(R0011, "Unexpected Egress Network Traffic", 5, "TA0010", "T1041",                              \
	  VIGIL_RULE_OFF | VIGIL_RULE_NET, "connection to an address not in the profile's egress")       \
	R(R0040, "Unexpected process arguments", 3, "TA0002", "T1059", VIGIL_RULE_EXEC,                  \
	  "exec of a known path with arguments the profile does not allow")                              \
	R(R1000, "Process Executed from /dev/shm", 8, "TA0002", "T1059", VIGIL_RULE_EXEC,                \
	  "exe, cwd or argv[0] under /dev/shm")                                                          \
	R(R1001, "Drifted process executed", 8, "TA0005", "T1036", VIGIL_RULE_EXEC,                      \
	  "exe, its script or a library it maps written at run time (drop-and-execute), or on the "      \
	  "overlay upper layer and not in the profile")                                                  \
	R(R1002, "Process tries to load a kernel module", 10, "TA0005", "T1547.006", 0,                  \
	  "init_module or finit_module")                                                                 \
	R(R1003, "SSH Connection to Unexpected Destination on Non-Standard Port", 5, "TA0008",           \
	  "T1021.001", VIGIL_RULE_OFF | VIGIL_RULE_NET,                                                  \
	  "an SSH client connects to a port other than 22/2022 at an address not in egress")             \
	R(R1004, "Process executed from mount", 5, "TA0002", "T1059", VIGIL_RULE_EXEC,                   \
	  "exe on a volume mounted into the workload (bind mount, network or block fs), not in execs")   \
	R(R1005, "Fileless execution detected", 8, "TA0005", "T1055", VIGIL_RULE_EXEC,                   \
	  "exe is a memfd or /proc/self/fd/N, or a memfd mapped executable")                             \
	R(R1006, "Unexpected unshare Syscall in Container", 5, "TA0004", "T1611", 0,                     \
	  "unshare while unshare is not in the profile's syscalls (runc excluded)")                      \
	R(R1007, "Crypto miner launched", 10, "TA0040", "T1496",                                         \
	  VIGIL_RULE_EXEC | VIGIL_RULE_OPEN,                                                             \
	  "a miner's hints: stratum URL or RandomX/CryptoNight algorithm in argv, a miner's name, "      \
	  "MSR writes")                                                                                  \
	R(R1008, "Crypto Mining Domain Communication", 10, "TA0011", "T1071.004", 0,                     \
	  "DNS question for a crypto-mining pool's domain (in the profile or not)")                      \
	R(R1009, "Crypto Mining Related Port Communication", 3, "TA0011", "T1071", VIGIL_RULE_NET,       \
	  "TCP connection to port 3333 or 45700 not in the profile's egress")                            \
	R(R1010, "Soft link created over sensitive file", 5, "TA0006", "T1005", VIGIL_RULE_POLICY,       \
	  "symlink to /etc/shadow* or /etc/sudoers*")                                                    \
	R(R1011, "ld_preload Mechanism Use or ld.so.preload Modification", 5, "TA0005",                  \
	  "T1574.006", VIGIL_RULE_OFF | VIGIL_RULE_POLICY | VIGIL_RULE_EXEC | VIGIL_RULE_OPEN,           \
	  "exec with LD_PRELOAD (or another dynamic-linker hook) set, or a write of /etc/ld.so.preload") \
	R(R1012, "Hard link created over sensitive file", 5, "TA0006", "T1005", VIGIL_RULE_POLICY,       \
	  "hard link to /etc/shadow* or /etc/sudoers*")                                                  \
	R(R1015, "Unexpected Ptrace Syscall Usage", 5, "TA0005", "T1622", 0,                             \
	  "ptrace while ptrace is not in the profile's syscalls")                                        \
	R(R1016, "Signed profile tampered", 10, "TA0005", "T1562", 0,                                    \
	  "a profile required to be signed is unsigned, tampered or signed by an untrusted key")         \
	R(R1030, "Unexpected io_uring Operation Detected", 5, "TA0002", "T1218",                         \
	  VIGIL_RULE_POLICY, "io_uring opcode not in the profile's iouring list")                        \
	R(R2000, "Exec to pod", 8, "TA0002", "T1609", VIGIL_RULE_EXEC,                                   \
	  "a process enters a running container from outside it (podman, runc, ctr, crictl exec)")       \
	R(R2001, "Port forward to pod", 5, "TA0011", "T1090", 0,                                         \
	  "a process outside the workload opens a TCP connection inside its network namespace (a port "  \
	  "forward, nsenter --net)")                                                                     \
	R(V1001, "Raw or packet socket created", 5, "TA0011", "T1095", VIGIL_RULE_POLICY,                \
	  "AF_PACKET, SOCK_RAW or ICMP socket by an executable the profile does not allow "              \
	  "(rulePolicies)")                                                                              \
	R(V1100, "Server started a shell or interpreter", 8, "TA0002", "T1059", VIGIL_RULE_EXEC,         \
	  "a program that is not a shell starts a shell or interpreter the profile does not allow")      \
	R(V1101, "Persistence path written", 8, "TA0003", "T1098", VIGIL_RULE_OPEN,                      \
	  "open for write of a persistence path (cron, systemd, ~/.ssh, shell rc, accounts)")            \
	R(V1102, "Unexpected file written", 5, "TA0011", "T1105", VIGIL_RULE_OPEN,                       \
	  "a file the profile does not list written in a directory the profile never writes in")         \
	R(V1103, "Learned behaviour from another program", 5, "TA0002", "T1059",                         \
	  VIGIL_RULE_EXEC | VIGIL_RULE_OPEN,                                                             \
	  "byExecutable: an exec or an open of a watched file the profile allows, by a program "         \
	  "whose own section does not have it")                                                          \
	R(V1104, "Process left its workload", 10, "TA0005", "T1562.001", 0,                              \
	  "a watched process wrote itself (or another) into a cgroup nobody watches")                    \
	R(V1105, "Setns into the host's namespaces", 10, "TA0004", "T1611", 0,                           \
	  "a workload's process joins a namespace of the host's (pid 1's) it was not in: nsenter -t 1, " \
	  "setns on /proc/1/ns/mnt, a pidfd")                                                            \
	R(V1106, "Set-user-ID or set-group-ID bit set", 8, "TA0004", "T1548.001", 0,                     \
	  "chmod (any spelling), open(O_CREAT) or mknod gives a regular file the setuid or setgid bit")  \
	R(V1107, "Shell history cleared", 5, "TA0005", "T1070.003", 0,                                   \
	  "a shell or REPL history file truncated, removed or replaced by a link (/dev/null), or a "     \
	  "program started with HISTFILE=/dev/null or HISTSIZE=0")                                       \
	R(V1108, "Unexpected HTTP endpoint", 3, "TA0011", "T1071.001", VIGIL_RULE_OFF,                   \
	  "an HTTP/1.x request (method, port and path, inbound or outbound) not in the profile's "       \
	  "endpoints")                                                                                   \
	R(V1109, "Unexpected inbound connection port", 5, "TA0001", "T1190", 0,                          \
	  "a connection accepted on a local port no ingress neighbour of the profile lists")             \
	R(V1110, "System log cleared", 5, "TA0005", "T1070.002", 0,                                      \
	  "login records or a system log (wtmp, btmp, lastlog, utmp, auth.log, secure, syslog, "         \
	  "messages, audit.log) truncated or removed")                                                   \
	R(V0001, "Alerts dropped", 5, "", "", 0,                                                         \
	  "Vigil health: a sink dropped alerts (queue full, rejected, retries exhausted)")               \
	R(V0002, "Sensor dropped events", 5, "", "", 0,                                                  \
	  "Vigil health: the sensor lost events (ring buffer, rate limit, a kernel table)")              \
	R(V0003, "Cockpit uplink lost data", 5, "", "", 0,                                               \
	  "Vigil health: records for the cockpit were lost (queue or spool full, refused, damaged)")     \
	R(V0004, "Cockpit certificate refused", 7, "", "", 0,                                            \
	  "Vigil health: the cockpit's address presented a certificate the pinned CA does not accept")

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
	unsigned flags;	       /* VIGIL_RULE_OFF, VIGIL_RULE_POLICY */
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
