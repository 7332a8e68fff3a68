/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A document as Kubescape's Go types encode it (served.c), and the k8sstormcenter fork's hash
 * of it (kshash.c). Internal to lib/profile.
 */
#ifndef VIGIL_PROFILE_SERVED_H
#define VIGIL_PROFILE_SERVED_H

#include "profile/model.h"

enum prof_served_mode {
	PROF_SERVED_DECODED = 1, /* decoded from this document and encoded again */
	PROF_SERVED_STORED,	 /* ... after a round trip through storage (gob) */
};

/*
 * The spec of d as encoding/json writes Kubescape's typed object. fill_policies: a nil
 * rulePolicies map becomes {} (the fork's ApplicationProfile adapter does this before hashing).
 * -EINVAL when a value cannot be decoded into the Go type (why says which), -ENOMEM.
 */
int prof_served_spec(const struct prof_doc *d, enum prof_served_mode mode, bool fill_policies,
		     struct prof_node **ret, char *why, size_t why_size);

/*
 * The order-independent SHA-256 of a JSON-shaped tree as github.com/SergJa/jsonhash computes it
 * (the hash storage's CanonicalHash uses): scalars hash their text (numbers as big-endian
 * float64), lists and maps the sorted hex hashes of their items joined by '|'.
 */
int prof_json_hash(const struct prof_node *n, unsigned char out[32]);

#endif
