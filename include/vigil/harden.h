/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardening generated from a learned profile: an OCI seccomp profile from its syscalls and a
 * Kubernetes NetworkPolicy from its network neighbors. Both are drafts for a person to review
 * before applying them (docs/ENFORCEMENT.md, "Hardening from a profile"): a profile learned
 * over too short a window forbids what the application does on a rare path.
 *
 * Functions return 0 or a negative errno. -EINVAL and -ENOENT come with why (when why_size > 0):
 * the profile cannot make this output (no syscalls learned, no such container, an architecture
 * seccomp does not name), which is a verdict about the input, not a failure of the tool.
 */
#ifndef VIGIL_HARDEN_H
#define VIGIL_HARDEN_H

#include <stdbool.h>
#include <stddef.h>

struct vigil_buf;
struct vigil_profile;

struct vigil_seccomp_opts {
	/* The container whose syscalls are allowed; NULL = the profile's only container. */
	const char *container;
	/*
	 * Leave out the syscalls the OCI runtime itself makes between installing the filter and
	 * starting the workload (runc's tail of container start-up, listed in harden_seccomp.c).
	 * Without them runc cannot start the container under the filter unless the profile
	 * learned them; a profile learned from the container's first instruction does not.
	 */
	bool no_runtime;
};

/*
 * OCI seccomp JSON (what podman, containerd and the kubelet's localhost profiles read):
 * defaultAction SCMP_ACT_ERRNO with errno EPERM, the profile's architectures (the host's when
 * it names none), one SCMP_ACT_ALLOW rule for the learned syscalls and one for the runtime's.
 * Appended to out, ending in a newline.
 */
int vigil_harden__seccomp(const struct vigil_profile *p, const struct vigil_seccomp_opts *o,
			  struct vigil_buf *out, char *why, size_t why_size);

struct vigil_netpol_opts {
	/* Only this container's neighbors; NULL = every container of the pod (a policy is per pod). */
	const char *container;
	const char *name;	/* metadata.name; NULL = "vigil-" + the profile's name */
	const char *namespace_; /* NULL = the profile's namespace (omitted when it has none) */
	/* "KEY=VALUE" labels for spec.podSelector; none = the profile's selector. */
	const char *const *selector;
	size_t nselector;
};

/*
 * A networking.k8s.io/v1 NetworkPolicy as YAML, appended to out: policyTypes for each direction
 * the profile learned (a direction it did not learn stays open), one rule per neighbor (ipBlock
 * per address, pod/namespace selectors, ports), the cluster's DNS when names were resolved, and
 * as YAML comments what a NetworkPolicy cannot express (DNS names, neighbors with no address).
 */
int vigil_harden__netpol(const struct vigil_profile *p, const struct vigil_netpol_opts *o,
			 struct vigil_buf *out, char *why, size_t why_size);

/* ---- enforcement (docs/ENFORCEMENT.md) ---------------------------------------------- */

/* Profiles with more entries than this are not enforced (their review cannot be trusted). */
#define VIGIL_ENFORCE_MAX_ENTRIES 100000

/*
 * The safety rails on the profile itself: -EPERM (why says which) when it is learning or
 * initializing (kubescape.io/status), partial (kubescape.io/completion), too-large (status, or
 * more than VIGIL_ENFORCE_MAX_ENTRIES entries). Signatures are the caller's check.
 */
int vigil_harden__enforceable(const struct vigil_profile *p, char *why, size_t why_size);

/*
 * Calls fn for every exec path of the container over every document, the containers picked
 * as the matcher picks them (NULL = the first container found; a ContainerProfile's unnamed
 * container is any container's): what the kernel's exec allow set holds. -EINVAL (why
 * says which) when a path has a wildcard: the kernel compares exact paths, so it would kill
 * what the profile allows. fn's non-zero value stops the walk and is returned.
 */
int vigil_harden__exec_paths(const struct vigil_profile *p, const char *container,
			     int (*fn)(const char *path, void *arg), void *arg, char *why,
			     size_t why_size);

#endif
