// SPDX-License-Identifier: Apache-2.0
/* The rule catalogue: Kubescape's ids, names, severities and MITRE ids (rulelibrary). */
#include <string.h>

#include "vigil/detect.h"

static const struct vigil_rule rules[] = {
	{ "R0001", "Unexpected process launched", 1, "TA0002", "T1059",
	  "exec of a path not in the profile" },
	{ "R0002", "Files access anomalies", 1, "TA0009", "T1005",
	  "open under a watched directory of a file not in the profile" },
	{ "R0003", "Syscalls anomalies", 1, "TA0002", "T1059", "syscall not in the profile" },
	{ "R0004", "Linux capabilities anomalies", 1, "TA0002", "T1059",
	  "capability not in the profile" },
	{ "R0005", "DNS anomalies", 1, "TA0011", "T1071.004",
	  "DNS name not in the profile's egress (cluster-local names excluded)" },
	{ "R0006", "Unexpected service account token access", 5, "TA0006", "T1528",
	  "open of a service account token not in the profile" },
	{ "R0007", "Kubernetes API used unexpectedly", 5, "TA0008", "T1210",
	  "kubectl run, or a connection to the API server, not in the profile" },
	{ "R0008", "Read environment variables from procfs", 5, "TA0006", "T1552.001",
	  "open of /proc/*/environ not in the profile" },
	{ "R0009", "eBPF program load", 5, "TA0005", "T1218",
	  "bpf(BPF_PROG_LOAD) while bpf is not in the profile's syscalls" },
	{ "R0010", "Unexpected sensitive file access", 5, "TA0006", "T1005",
	  "open of a sensitive file (/etc/shadow, ...) not in the profile" },
	{ "R0011", "Unexpected egress network traffic", 5, "TA0010", "T1041",
	  "connection to an address not in the profile's egress" },
	{ "R0040", "Unexpected process arguments", 3, "TA0002", "T1059",
	  "exec of a known path with arguments the profile does not allow" },
	{ "R1000", "Process executed from /dev/shm", 8, "TA0002", "T1059",
	  "exe, cwd or argv[0] under /dev/shm" },
	{ "R1001", "Drifted process executed", 8, "TA0005", "T1036",
	  "exe on the overlay upper layer (not in the image) and not in the profile" },
	{ "R1002", "Kernel module load", 10, "TA0005", "T1547.006", "init_module or finit_module" },
	{ "R1005", "Fileless execution", 8, "TA0005", "T1055",
	  "exe is a memfd or /proc/self/fd/N" },
	{ "R1006", "Unexpected unshare", 5, "TA0004", "T1611",
	  "unshare while unshare is not in the profile's syscalls (runc excluded)" },
	{ "R1009", "Crypto-mining port", 3, "TA0011", "T1071",
	  "TCP connection to port 3333 or 45700 not in the profile's egress" },
	{ "R1010", "Symlink over sensitive file", 5, "TA0006", "T1005",
	  "symlink to /etc/shadow* or /etc/sudoers*" },
	{ "R1012", "Hard link over sensitive file", 5, "TA0006", "T1005",
	  "hard link to /etc/shadow* or /etc/sudoers*" },
	{ "R1015", "Ptrace", 5, "TA0005", "T1622",
	  "ptrace while ptrace is not in the profile's syscalls" },
	{ "R1016", "Signed profile tampered", 10, "TA0005", "T1562",
	  "a profile required to be signed is unsigned, tampered or signed by an untrusted key" },
	{ "R1030", "Unexpected io_uring operation", 5, "TA0002", "T1218",
	  "io_uring opcode not in the profile's iouring list" },
};

const struct vigil_rule *vigil_rules__all(size_t *ret_count)
{
	*ret_count = sizeof(rules) / sizeof(rules[0]);
	return rules;
}

const struct vigil_rule *vigil_rule__find(const char *id)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (!strcmp(rules[i].id, id))
			return &rules[i];
	}
	return NULL;
}
