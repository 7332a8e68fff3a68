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
	/* an io_uring operation the profile allows, by name ("OPENAT") */
	int (*uring)(const char *name, void *arg);
	/* an open entry names a service-account token (vigil_wc_token_pattern): every token is
	 * allowed, whatever its name and flags (Kubescape's R0006); may come more than once */
	int (*tokens)(void *arg);
};

/* How many entries the kernel received and how many it cannot express. */
struct vigil_kallow_count {
	uint64_t opens, opens_left_out;
	/* opens left out that could name a file the open rules name (below /etc, /root, /run,
	 * /var, or starting with a wildcard): the kernel could not tell them allowed */
	uint64_t opens_left_out_sensitive;
	/* peers left out (CIDRs, "*", other protocols) and neighbors known by selector only */
	uint64_t peers, peers_left_out;
	/* entries the kernel did not take (a fifth flag set for one path, a full map) */
	uint64_t not_loaded;
	uint64_t uring_allow[4]; /* the io_uring opcodes allowed, as the kernel numbers them */
};

/*
 * The rails of in-kernel enforcement on the allow sets (docs/ENFORCEMENT.md): the open rules
 * (R0010, R0006) need every open the profile allows below the sensitive directories in the
 * kernel; the egress rule (R0011) every peer. rules: VIGIL_ENFORCE_* (vigil/sensor.h). Returns
 * 0, or -EPERM with why.
 */
int vigil_kallow__enforceable(const struct vigil_kallow_count *c, uint32_t rules, char *why,
			      size_t why_size);

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
 * vigil_sensor__clear_kallow, entries, vigil_sensor__set_kallow) and turns on filtering for
 * kinds (VIGIL_KALLOW_*; 0: the sets serve enforcement only). On failure nothing is left: the
 * workload's events are all sent, as without allow sets.
 */
struct vigil_sensor;
int vigil_sensor__load_kallow(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_profile *p, const char *container, uint32_t kinds,
			      struct vigil_kallow_count *ret);

/*
 * The sensitive files of a workload's own root (a container image's /etc/shadow, ...), as the
 * process pid sees them (/proc/PID/root), by identity into the kernel for the open rules'
 * enforcement: an alias of one (a hard link, a bind mount inside the container) is then judged
 * as the file, as the node's own are (docs/ENFORCEMENT.md). At most VIGIL_KALLOW_ROOT_MAX per
 * workload; the node's files (mounted in) are left to the node-wide set. The profile's
 * allowances by name come first, so the kernel is never stricter than the profile. Replaces the
 * workload's earlier root set; vigil_sensor__clear_kallow removes it. Returns 0 or -errno.
 */
#define VIGIL_KALLOW_ROOT_MAX 64
struct vigil_kallow_root {
	unsigned loaded;   /* files the kernel knows by identity */
	unsigned left_out; /* past the bound, or allowed in a way the kernel cannot hold:
			    * an alias of those is detected, not killed */
};
int vigil_sensor__kallow_root(struct vigil_sensor *s, uint64_t cgroup_id,
			      const struct vigil_profile *p, const char *container, int pid,
			      struct vigil_kallow_root *ret);

#endif
