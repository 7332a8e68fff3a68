// SPDX-License-Identifier: Apache-2.0
/*
 * TEMPORARY: weak stand-ins for the sensor (branch `sensor`) and profile collapse (branch
 * `profile`) until those land, so this branch builds and its unit tests run. Every stand-in
 * fails with -ENOSYS; the real definitions replace them. Deleted at the merge.
 */
#include <errno.h>

#include "vigil/event.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"

#define WEAK __attribute__((weak))

WEAK const char *vigil_event_kind__name(enum vigil_event_kind kind)
{
	static const char *const names[] = {
		[VIGIL_EV_EXEC] = "exec",
		[VIGIL_EV_OPEN] = "open",
		[VIGIL_EV_CONNECT] = "connect",
		[VIGIL_EV_DNS] = "dns",
		[VIGIL_EV_SYSCALL] = "syscall",
		[VIGIL_EV_CAPABILITY] = "capability",
		[VIGIL_EV_PTRACE] = "ptrace",
		[VIGIL_EV_UNSHARE] = "unshare",
		[VIGIL_EV_IOURING_OP] = "iouring_op",
	};

	return kind > 0 && kind < VIGIL_EV__MAX && (size_t)kind < sizeof(names) / sizeof(names[0])
		       ? names[kind]
		       : NULL;
}
WEAK const char *vigil_syscall_name(int nr)
{
	return NULL;
}
WEAK const char *vigil_iouring_op_name(int opcode)
{
	return NULL;
}
WEAK int vigil_profile__collapse(struct vigil_profile *p, const struct vigil_collapse_opts *o)
{
	return 0;
}
WEAK int vigil_sensor__open(const struct vigil_sensor_opts *opts, struct vigil_sensor **ret,
			    struct vigil_error *err)
{
	return vigil_error__set(err, -ENOSYS, "", 0, 0, "sensor: not part of this build");
}
WEAK void vigil_sensor__free(struct vigil_sensor *s)
{
}
WEAK int vigil_sensor__poll(struct vigil_sensor *s, int timeout_ms, vigil_event_cb cb, void *ctx)
{
	return -ENOSYS;
}
WEAK pid_t vigil_sensor__spawn(struct vigil_sensor *s, char *const argv[], const char *name,
			       uint64_t *ret_cgroup_id, struct vigil_error *err)
{
	return -ENOSYS;
}
WEAK int vigil_sensor__spawn_cleanup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	return -ENOSYS;
}
WEAK int vigil_sensor__watch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	return -ENOSYS;
}
WEAK int vigil_sensor__cgroup_id(const char *cgroup_path, uint64_t *ret_id)
{
	return -ENOSYS;
}
WEAK int vigil_sensor__set_syscall_allow(struct vigil_sensor *s, uint64_t cgroup_id,
					 const uint64_t *bitmap, size_t nbits)
{
	return -ENOSYS;
}
WEAK int vigil_sensor__syscalls(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t *bitmap,
				size_t nbits)
{
	return -ENOSYS;
}
WEAK int vigil_sensor__iouring_ops(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t bitmap[4])
{
	return -ENOSYS;
}
WEAK int vigil_sensor__status(struct vigil_sensor *s, struct vigil_sensor_status *ret)
{
	return -ENOSYS;
}
