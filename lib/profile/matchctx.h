/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The matcher's layout and shared pieces, internal to lib/profile (match*.c). A matcher is one
 * container's profile entries compiled into indexes (index.h); each file holds one concern,
 * its entries' compilation beside their lookups:
 *
 *   match.c       the matcher itself: which containers of a profile go in, byExecutable
 *                 sections, free and size; the string sets (syscalls, capabilities, io_uring
 *                 operations, exec digests) and rule policies
 *   match_path.c  exec and open entries: path patterns, arguments, open flags, the
 *                 directories the profile writes in
 *   match_net.c   network entries: neighbors by address, DNS names, HTTP endpoints
 *
 * The rules each lookup applies, and why, are in docs/PROFILES.md ("Matching"); wildcard.h
 * names the Kubescape sources they follow. Every int mt_ function returns 0 or a negative
 * errno.
 */
#ifndef VIGIL_PROFILE_MATCHCTX_H
#define VIGIL_PROFILE_MATCHCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/index.h"
#include "profile/model.h"

struct m_exec {
	bool check_args;
	char **args;
	uint8_t *kinds; /* vigil_wc_arg_kind of each argument, classified once */
	size_t nargs;
};

struct m_open {
	bool any_flags; /* the entry lists no flags: its path alone decides */
	uint64_t flags;
};

struct m_endpoint {
	uint16_t port; /* 0 = any */
	char **methods;
	size_t nmethods;
	char *direction; /* NULL = any */
};

struct m_port {
	bool any_port;
	uint16_t port;
	char *proto; /* NULL = any */
	bool never;  /* a protocol Vigil does not know (prof_protocol_known): matches nothing */
};

struct m_neighbor {
	struct m_port *ports; /* none = any port and protocol */
	size_t nports;
	/*
	 * A peer named only by podSelector/namespaceSelector (what Kubescape learns for in-cluster
	 * peers): no address to look up, so it allows in-cluster addresses on its ports.
	 */
	bool selector_only;
	bool egress;
};

struct m_policy {
	char *rule_id;
	bool container_allowed;
	char **procs;
	size_t nprocs;
};

/* A byExecutable section: the execs and opens of one executable, compiled alike. */
struct m_scope {
	char *exe;
	struct vigil_matcher *m;
};

struct vigil_matcher {
	struct vigil_segindex *execs, *opens, *endpoints, *dns;
	struct vigil_wdirs *wdirs;   /* directories the opens write in (V1102) */
	struct vigil_ipindex *ip[2]; /* [0] ingress, [1] egress */
	struct vigil_strset *syscalls, *caps, *iouring;
	struct vigil_strset *digests, *digest_paths; /* execDigests entries; their paths */
	bool has_syscalls;
	bool tokens; /* an open entry names a service-account token (vigil_wc_token_pattern) */
	struct m_exec *ex;
	size_t nex, cex;
	struct m_open *op;
	size_t nop, cop;
	struct m_endpoint *ep;
	size_t nep, cep;
	struct m_neighbor *nb;
	size_t nnb, cnb;
	size_t nselector[2]; /* selector-only neighbors, [0] ingress, [1] egress */
	struct m_policy *pol;
	size_t npol, cpol;
	struct m_scope *scopes; /* sorted by exe once built */
	size_t nscopes, cscopes;
	bool has_scopes; /* the profile has byExecutable (maybe empty) */
	bool net_known;	 /* some container has an ingress or egress list (maybe empty) */
};

/* match.c: grows an array so element n exists; string lists copied, freed and sized. */
int mt_grow(void **v, size_t *cap, size_t n, size_t elem);
int mt_dup_strv(const struct prof_strs *l, char ***ret, size_t *ret_n);
void mt_free_strv(char **v, size_t n);
size_t mt_strv_bytes(char **v, size_t n);

/*
 * match_path.c: an entry into the matcher (one the loader should have refused adds nothing);
 * mt_reserve_paths sizes the exec and open indexes for a container's entries before they go in.
 */
int mt_reserve_paths(struct vigil_matcher *m, const struct prof_container *c);
int mt_add_exec(struct vigil_matcher *m, const struct prof_exec *e);
int mt_add_open(struct vigil_matcher *m, const struct prof_open *o);

/* match_net.c: the same for network entries (egress neighbors also index their DNS names). */
int mt_add_endpoint(struct vigil_matcher *m, const struct prof_endpoint *e);
int mt_add_neighbor(struct vigil_matcher *m, const struct prof_neighbor *nb, bool egress);
/* notes whether the container carries network data (its lists' presence, even empty) */
void mt_note_network(struct vigil_matcher *m, const struct prof_container *c);

#endif
