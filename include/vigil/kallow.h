/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-kernel allow sets for detection (docs/SENSOR.md, "In-kernel allow sets"): the entries of
 * a profile the kernel can judge exactly as the profile matcher does (lib/profile/match.c), so
 * an open or an egress the profile allows is decided in the kernel and never sent to user
 * space. What the kernel cannot express exactly (a mid-path wildcard, a CIDR, a peer known by
 * a selector or a DNS name only) is left out: such events are sent and judged in user space.
 */
#ifndef VIGIL_KALLOW_H
#define VIGIL_KALLOW_H

#include <stdbool.h>
#include <stdint.h>

struct vigil_profile;

/* What an open entry names (bpf/sensor_abi.h VG_OA_*). */
enum vigil_kallow_path {
	VIGIL_KALLOW_FILE = 0,	/* the path itself */
	VIGIL_KALLOW_CHILD = 1, /* any file directly in the directory ("/dir/⋯") */
	VIGIL_KALLOW_DESC = 2,	/* any file below the directory ("/dir/\*") */
};

struct vigil_kallow_visit {
	/* path: absolute, no wildcard (the directory for CHILD and DESC, "/" for the root);
	 * flags: the matcher's open flags (lib/profile/wildcard.h), any: every flag allowed */
	int (*open)(const char *path, enum vigil_kallow_path kind, uint64_t flags, bool any,
		    void *arg);
	/* family AF_INET / AF_INET6; addr: 4 or 16 bytes; proto IPPROTO_TCP / IPPROTO_UDP, 0 =
	 * any; port 0 = any */
	int (*peer)(int family, const uint8_t addr[16], uint8_t proto, uint16_t port, void *arg);
};

/* How many entries the kernel received and how many it cannot express. */
struct vigil_kallow_count {
	uint64_t opens, opens_left_out;
	uint64_t peers, peers_left_out;
};

/*
 * Calls v's functions for each entry of the container's opens and egress neighbors that the
 * kernel can judge exactly (the container picked as vigil_matcher__new picks it: NULL = the
 * profile's first). Returns 0, -ENOENT (no such container) or the first non-zero return of v.
 */
int vigil_profile__kernel_allow(const struct vigil_profile *p, const char *container,
				const struct vigil_kallow_visit *v, void *arg,
				struct vigil_kallow_count *ret);

/*
 * Loads the workload's allow sets from the profile into the kernel (sensor.h's
 * vigil_sensor__clear_kallow, entries, vigil_sensor__set_kallow) and turns them on. On failure
 * nothing is left on: the workload's events are all sent, as without allow sets.
 */
struct vigil_sensor;
int vigil_sensor__load_kallow(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_profile *p, const char *container,
			      struct vigil_kallow_count *ret);

#endif
