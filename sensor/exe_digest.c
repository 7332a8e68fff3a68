// SPDX-License-Identifier: Apache-2.0
/* SHA-256 of executables as the kernel ran them, cached by inode identity (exe_digest.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/digest.h"
#include "util/lru.h"
#include "vigil/exe_digest.h"
#include "util/strutil.h"

#define BUCKETS 256

struct entry {
	uint64_t ino, ctime_ns, size, mtime_ns;
	char hex[65];
	struct entry *hnext;
	struct vigil_lru_node lru;
};

struct vigil_exe_digests {
	struct entry *bucket[BUCKETS];
	struct vigil_lru lru;
	size_t n, max;
	uint64_t hashed, hits;
};

struct vigil_exe_digests *vigil_exe_digests__new(size_t max)
{
	struct vigil_exe_digests *c = calloc(1, sizeof(*c));

	if (c)
		c->max = max ? max : 4096;
	return c;
}

void vigil_exe_digests__free(struct vigil_exe_digests *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct entry *e = c->bucket[i], *next; e; e = next) {
			next = e->hnext;
			free(e);
		}
	}
	free(c);
}

static size_t slot(uint64_t ino, uint64_t ctime_ns)
{
	return (size_t)(((ino * 0x9e3779b97f4a7c15ull) ^ ctime_ns) % BUCKETS);
}

static struct entry *find(struct vigil_exe_digests *c, const struct vigil_event *ev)
{
	for (struct entry *e = c->bucket[slot(ev->exec.ino, ev->exec.ctime_ns)]; e; e = e->hnext) {
		if (e->ino == ev->exec.ino && e->ctime_ns == ev->exec.ctime_ns &&
		    e->size == ev->exec.size && e->mtime_ns == ev->exec.mtime_ns)
			return e;
	}
	return NULL;
}

static void evict(struct vigil_exe_digests *c)
{
	struct entry *old = vigil_lru_entry(c->lru.tail, struct entry, lru);
	struct entry **pp;

	if (!old)
		return;
	vigil_lru__unlink(&c->lru, &old->lru);
	for (pp = &c->bucket[slot(old->ino, old->ctime_ns)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == old) {
			*pp = old->hnext;
			break;
		}
	}
	free(old);
	c->n--;
}

static void remember(struct vigil_exe_digests *c, const struct vigil_event *ev, const char *hex)
{
	struct entry *e;
	size_t s = slot(ev->exec.ino, ev->exec.ctime_ns);

	if (c->n >= c->max)
		evict(c);
	e = calloc(1, sizeof(*e));
	if (!e)
		return; /* not cached: the next exec hashes again */
	e->ino = ev->exec.ino;
	e->ctime_ns = ev->exec.ctime_ns;
	e->size = ev->exec.size;
	e->mtime_ns = ev->exec.mtime_ns;
	memcpy(e->hex, hex, sizeof(e->hex));
	e->hnext = c->bucket[s];
	c->bucket[s] = e;
	vigil_lru__push(&c->lru, &e->lru);
	c->n++;
}

/*
 * The file at fd is the inode the kernel ran: same number, size and modification time. (The
 * change time the kernel holds in memory is not always the one stat reports, e.g. after an
 * access-time update on ext4 with multigrain timestamps: it is part of the cache key, which
 * only the kernel's own values fill, not of this comparison.)
 */
static bool same_file(int fd, const struct vigil_event *ev)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_ino == ev->exec.ino &&
	       (uint64_t)st.st_size == ev->exec.size &&
	       (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec ==
		       ev->exec.mtime_ns;
}

int vigil_sha256_fd(int fd, uint64_t size, char hex[65])
{
	unsigned char buf[1 << 16], md[VIGIL_SHA256_LEN];
	struct vigil_sha256 ctx;
	uint64_t total = 0;
	int r = 0;

	if (size > VIGIL_EXE_DIGEST_MAX_FILE)
		return -EFBIG;
	vigil_sha256_init(&ctx);
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > size) {
			r = -ENOENT; /* grew while read: not the file that ran */
			break;
		}
		vigil_sha256_update(&ctx, buf, (size_t)n);
	}
	if (!r && total != size)
		r = -ENOENT;
	vigil_sha256_final(&ctx, md);
	if (!r)
		vigil_hex(md, sizeof(md), hex);
	return r;
}

/* The sensor's own mount namespace (its inode number), 0 when it cannot be known. */
static uint32_t own_mntns(void)
{
	static uint32_t ns;
	static bool known;
	struct stat st;

	if (!known) {
		ns = stat("/proc/self/ns/mnt", &st) ? 0 : (uint32_t)st.st_ino;
		known = true;
	}
	return ns;
}

/*
 * Opens the file ev ran: /proc/PID/exe, else PATH below the root of PID or of its parent, else
 * (both gone: a short-lived program, a build step) PATH itself when the workload lives in the
 * sensor's own mount namespace, where PATH names the same file. Each is taken only when it is
 * the inode that ran (same_file), so a path now naming another file is not hashed instead.
 */
static int open_ran(const struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	uint32_t pids[2] = { p ? p->pid : 0, p ? p->ppid : 0 };
	char path[4200];
	int fd;

	if (pids[0]) {
		snprintf(path, sizeof(path), "/proc/%u/exe", pids[0]);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 && same_file(fd, ev))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < 2 && ev->exec.path && ev->exec.path[0] == '/'; i++) {
		if (!pids[i])
			continue;
		if ((size_t)snprintf(path, sizeof(path), "/proc/%u/root%s", pids[i],
				     ev->exec.path) >= sizeof(path))
			break;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
		if (fd >= 0 && same_file(fd, ev))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	if (ev->exec.path && ev->exec.path[0] == '/' && ev->workload && ev->workload->mntns &&
	    ev->workload->mntns == own_mntns()) {
		fd = open(ev->exec.path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
		if (fd >= 0 && same_file(fd, ev))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -ENOENT;
}

int vigil_exe_digests__of(struct vigil_exe_digests *c, const struct vigil_event *ev, char hex[65])
{
	struct entry *e;
	int fd, r;

	if (!c || !ev || ev->kind != VIGIL_EV_EXEC || !ev->exec.ino)
		return -EINVAL;
	e = find(c, ev);
	if (e) {
		vigil_lru__touch(&c->lru, &e->lru);
		memcpy(hex, e->hex, 65);
		c->hits++;
		return 0;
	}
	if (ev->exec.size > VIGIL_EXE_DIGEST_MAX_FILE)
		return -EFBIG;
	fd = open_ran(ev);
	if (fd < 0)
		return fd;
	r = vigil_sha256_fd(fd, ev->exec.size, hex);
	/* the file may have changed while it was read: keep the digest only if it did not */
	if (!r && !same_file(fd, ev))
		r = -ENOENT;
	close(fd);
	if (r)
		return r;
	c->hashed++;
	remember(c, ev, hex);
	return 0;
}

void vigil_exe_digests__stats(const struct vigil_exe_digests *c, uint64_t *ret_hashed,
			      uint64_t *ret_hits)
{
	if (ret_hashed)
		*ret_hashed = c ? c->hashed : 0;
	if (ret_hits)
		*ret_hits = c ? c->hits : 0;
}
