// SPDX-License-Identifier: Apache-2.0
/*
 * Name tables: x86_64 syscalls and capabilities (generated at build time from the system
 * headers), io_uring opcodes (read once from the running kernel's BTF, because the enum grows
 * every release). Event kinds and value names are in the event table (lib/event/).
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "vigil/event.h"
#include "vigil/sensor.h"

static const char *const syscall_names[512] = {
#include "syscall_names.h"
};

const char *vigil_syscall_name(int nr)
{
	if (nr < 0 || nr >= (int)(sizeof(syscall_names) / sizeof(syscall_names[0])))
		return NULL;
	return syscall_names[nr];
}

int vigil_syscall_nr(const char *name)
{
	for (int i = 0; i < (int)(sizeof(syscall_names) / sizeof(syscall_names[0])); i++) {
		if (syscall_names[i] && !strcmp(syscall_names[i], name))
			return i;
	}
	return -1;
}

static const char *const cap_names[64] = {
#include "cap_names.h"
};

const char *vigil_capability_name(int cap)
{
	if (cap < 0 || cap >= 64)
		return NULL;
	return cap_names[cap];
}

/* io_uring opcodes from BTF, loaded on first use (not thread-safe, like the sensor). */
#define IOURING_OPS_MAX 256
static char *iouring_names[IOURING_OPS_MAX];
static int iouring_loaded; /* 0 not tried, 1 loaded, -1 failed */

static void iouring_load(void)
{
	struct btf *btf;
	int id;

	if (iouring_loaded)
		return;
	iouring_loaded = -1;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "io_uring_op", BTF_KIND_ENUM);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++, e++) {
			const char *n = btf__name_by_offset(btf, e->name_off);

			if (e->val < 0 || e->val >= IOURING_OPS_MAX || !n ||
			    strncmp(n, "IORING_OP_", 10) || !strcmp(n, "IORING_OP_LAST"))
				continue;
			free(iouring_names[e->val]);
			iouring_names[e->val] = strdup(n + 10);
		}
		iouring_loaded = 1;
	}
	btf__free(btf);
	malloc_trim(0);
}

const char *vigil_iouring_op_name(int opcode)
{
	iouring_load();
	if (opcode < 0 || opcode >= IOURING_OPS_MAX)
		return NULL;
	return iouring_names[opcode];
}

int vigil_iouring_op_nr(const char *name)
{
	iouring_load();
	for (int i = 0; i < IOURING_OPS_MAX; i++) {
		if (iouring_names[i] && !strcmp(iouring_names[i], name))
			return i;
	}
	return -1;
}
