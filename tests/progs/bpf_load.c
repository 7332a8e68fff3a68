/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_load: loads the smallest socket filter ("return 0") with BPF_PROG_LOAD, then closes it.
 * Nothing is attached anywhere.
 */
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "progs.h"

int main(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	prog_name = "bpf_load";
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (uint64_t)(uintptr_t) "GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "vigil_test");
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		prog_die("BPF_PROG_LOAD: %s", strerror(errno));
	close(fd);
	printf("loaded and closed a socket filter\n");
	return 0;
}
