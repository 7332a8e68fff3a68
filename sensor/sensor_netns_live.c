// SPDX-License-Identifier: Apache-2.0
/*
 * A noted network namespace that is gone gives its place back while its cgroup lives
 * (netns_wl, netns_own: at most VG_NETNS_PER_WL per cgroup at once). A namespace is gone when
 * no process holds it: its cookie is no /proc/PID/ns/net's. The notes are read first and the
 * processes second, so a namespace noted meanwhile is never judged. Its netns_wl entry is
 * removed; the kernel takes a slot whose cookie has no entry as free (bpf/process.bpf.c
 * netns_note). The kernel cannot say so itself here: fentry and kprobes on the namespace's
 * release do not load on every kernel (this one refuses both).
 *
 * Limits: a namespace held only by a bind mount (ip netns add) or a descriptor, with no process
 * in it, is taken for gone; a process that execs in it again notes it again. The agent must
 * see every process (the host's pid namespace: hostPID in deploy/kubernetes), as it must for
 * the rest of its work.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "util/strutil.h"
#include "vigil.skel.h"

/* A note to check: the namespace's cookie, the cgroup it was noted for, and (a note of user
 * space's) its place in s->netns_notes, else SIZE_MAX. */
struct cand {
	uint64_t ns, cgroup_id;
	size_t note;
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static int add(struct cands *c, uint64_t ns, uint64_t cg, size_t note)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct cand *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct cand){ ns, cg, note };
	return 0;
}

/* The cookies of every network namespace a process is in, sorted; NULL on failure. One look
 * per distinct inode number (a process gone meanwhile: the next one in it is asked). */
static uint64_t *live_cookies(size_t *n)
{
	struct {
		uint64_t ino;
		uint64_t cookie;
	} *seen = NULL;
	size_t nseen = 0, cap = 0;
	uint64_t *out;
	struct dirent *d;
	DIR *proc = opendir("/proc");

	if (!proc)
		return NULL;
	while ((d = readdir(proc))) {
		char path[sizeof(d->d_name) + 16];
		struct stat st;
		size_t i;

		if (!vigil_all_digits(d->d_name, strlen(d->d_name)))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		if (stat(path, &st))
			continue;
		for (i = 0; i < nseen && seen[i].ino != st.st_ino; i++)
			;
		if (i < nseen && seen[i].cookie)
			continue;
		if (i == nseen) {
			if (nseen == cap) {
				void *v = realloc(seen, (cap = cap ? cap * 2 : 64) * sizeof(*seen));

				if (!v) {
					free(seen);
					closedir(proc);
					return NULL;
				}
				seen = v;
			}
			seen[nseen].ino = st.st_ino;
			seen[nseen++].cookie = 0;
		}
		seen[i].cookie = sensor_netns_cookie(d->d_name);
	}
	closedir(proc);
	out = calloc(nseen ? nseen : 1, sizeof(*out));
	if (!out) {
		free(seen);
		return NULL;
	}
	*n = 0;
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].cookie)
			out[(*n)++] = seen[i].cookie;
	free(seen);
	return out;
}

static bool is_live(const uint64_t *live, size_t n, uint64_t ns)
{
	for (size_t i = 0; i < n; i++)
		if (live[i] == ns)
			return true;
	return false;
}

size_t sensor_forget_freed_netns(struct vigil_sensor *s)
{
	struct cands c = { 0 };
	struct vg_netns_own o;
	uint64_t key, next, cg, *live;
	size_t nlive = 0, gone = 0, keep = 0;
	int own, wl, r;

	if (s->offline || !s->skel)
		return 0;
	own = bpf_map__fd(s->skel->maps.netns_own);
	wl = bpf_map__fd(s->skel->maps.netns_wl);
	/* 1. the notes: the kernel's (slots whose entry still names their cgroup), user space's */
	for (r = bpf_map_get_next_key(own, NULL, &next); !r;
	     r = bpf_map_get_next_key(own, &key, &next)) {
		key = next;
		if (bpf_map_lookup_elem(own, &key, &o))
			continue;
		for (size_t i = 0; i < VG_NETNS_PER_WL; i++)
			if (o.ns[i] && !bpf_map_lookup_elem(wl, &o.ns[i], &cg) && cg == key &&
			    add(&c, o.ns[i], key, SIZE_MAX))
				goto out;
	}
	for (size_t i = 0; i < s->nnetns_notes; i++)
		if (add(&c, s->netns_notes[i].ns, s->netns_notes[i].cgroup_id, i))
			goto out;
	if (!c.n)
		goto out;
	/* 2. the namespaces processes are in, now */
	live = live_cookies(&nlive);
	if (!live)
		goto out;
	for (size_t i = 0; i < c.n; i++) {
		if (is_live(live, nlive, c.v[i].ns))
			continue;
		sensor_forget_netns_one(wl, c.v[i].ns, c.v[i].cgroup_id);
		if (c.v[i].note != SIZE_MAX)
			s->netns_notes[c.v[i].note].cgroup_id = 0; /* dropped below */
		gone++;
	}
	free(live);
	for (size_t i = 0; i < s->nnetns_notes; i++)
		if (s->netns_notes[i].cgroup_id)
			s->netns_notes[keep++] = s->netns_notes[i];
	s->nnetns_notes = keep;
out:
	free(c.v);
	return gone;
}
