// SPDX-License-Identifier: Apache-2.0
/* Telling the runtime's init work in a container from the workload's own (rtinit.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/types.h>

#include "bpf/sensor_abi.h"
#include "sensor/agent/rtinit.h"

/* Seeding reads a runtime-named process's memfd whole when it is the size of the node's runc:
 * at most this many times (a workload could pad memfds to that size), of at most this. */
#define RTINIT_COMPARES	  4
#define RTINIT_BINARY_MAX (256 << 20)

static bool is_native(const struct agent_rtinit *r, uint32_t pid)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->native[i] == pid)
			return true;
	}
	return false;
}

/* A process of the workload that exited: its slot is free (the table holds the living). */
static void drop_native(struct agent_rtinit *r, uint32_t pid)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->native[i] == pid) {
			r->native[i] = r->native[--r->n];
			return;
		}
	}
}

static void add_native(struct agent_rtinit *r, uint32_t pid)
{
	if (is_native(r, pid))
		return;
	if (r->n >= AGENT_RTINIT_PIDS) {
		r->off = true; /* a reused slot could hide a renamed process: check everything */
		return;
	}
	r->native[r->n++] = pid;
}

/*
 * The runtime's binary, as an exec's path names it: runc installed (Debian: /usr/sbin/runc),
 * its re-exec of a copy of itself (runc 1.1: a memfd "runc_cloned:/proc/self/exe"; or a file
 * under /run/runc/), crun. Only for a process that came from outside (runtime_reexec); a
 * process met in the cgroup is judged by its binary's content (runtime_binary): a path in the
 * container's root, or a memfd's name, is the workload's to choose.
 */
static bool runtime_path(const char *path)
{
	static const char *const exact[] = { "/usr/bin/runc", "/usr/sbin/runc", "/usr/bin/crun",
					     "/usr/sbin/crun" };

	if (!strncmp(path, "/run/runc/", 10) || !strncmp(path, "memfd:runc", 10))
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		if (!strcmp(path, exact[i]))
			return true;
	}
	return false;
}

/* An exec by a runtime process that starts the runtime again (not the entrypoint). runc as
 * it shows in a container's cgroup (vg_runtime_comm): "exe" (exec'd as /proc/self/exe), "runc"
 * (its re-exec of a copy of itself), then its init stages "runc:[0:PARENT]", "runc:[1:CHILD]",
 * "runc:[2:INIT]"; crun. */
static bool runtime_reexec(const struct vigil_event *ev)
{
	const char *path = ev->exec.path ? ev->exec.path : "";

	return vg_runtime_comm(ev->proc->comm) && (!path[0] || runtime_path(path));
}

bool agent_rtinit__skip(struct agent_rtinit *r, const struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	bool native;

	if (r->off || !p)
		return false;
	native = is_native(r, p->pid);
	/* the child of a process of the workload is the workload's, whatever it calls itself:
	 * its FORK may never have come (forks are de-duplicated in the kernel), and runc's init
	 * has its parent outside the container (runc, or the runtime's shim) */
	if (!native && is_native(r, p->ppid)) {
		add_native(r, p->pid);
		native = true;
	}
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		if (!native && runtime_reexec(ev)) {
			r->skipped++;
			return true;
		}
		/* the entrypoint (or an exec'd command): the workload's first instruction */
		add_native(r, p->pid);
		return false;
	case VIGIL_EV_FORK:
		/* runc's init stages fork inside the cgroup: their children are the runtime's too */
		if (native)
			add_native(r, ev->fork.child_pid);
		else if (vg_runtime_comm(p->comm)) {
			r->skipped++;
			return true;
		}
		return false;
	case VIGIL_EV_EXIT:
		/* a busy workload's short-lived children must not fill the table: with it off,
		 * every exec into the container (runc's Go init) would be judged as the
		 * workload's (R0003, R0004 beside R2000) */
		if (native) {
			drop_native(r, p->pid);
			return false;
		}
		break;
	default:
		break;
	}
	if (native || !vg_runtime_comm(p->comm))
		return false;
	r->skipped++;
	return true;
}

/* /proc/PID/comm into comm (16 bytes); false when the process is gone */
static bool read_comm(const char *proc, unsigned int pid, char comm[16])
{
	char file[64];
	FILE *f;
	bool ok;

	snprintf(file, sizeof(file), "%s/%u/comm", proc, pid);
	f = fopen(file, "re");
	if (!f)
		return false;
	memset(comm, 0, 16);
	ok = fgets(comm, 16, f) != NULL;
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return ok;
}

/* Do the file at file and the one at path hold the same size bytes (one read of each). */
static bool same_bytes(const char *file, const char *path, off_t size)
{
	enum {
		CHUNK = 64 * 1024
	};
	int fd = open(file, O_RDONLY | O_CLOEXEC), bfd = open(path, O_RDONLY | O_CLOEXEC);
	char *a = malloc(2 * CHUNK);
	bool same = a && fd >= 0 && bfd >= 0;

	for (off_t off = 0; same && off < size; off += CHUNK) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;

		same = pread(fd, a, want, off) == (ssize_t)want &&
		       pread(bfd, a + CHUNK, want, off) == (ssize_t)want &&
		       !memcmp(a, a + CHUNK, want);
	}
	free(a);
	if (fd >= 0)
		close(fd);
	if (bfd >= 0)
		close(bfd);
	return same;
}

/* What a seed may spend on reading binaries, and where runc's copies of itself live. */
struct seed_ctx {
	int compares;
	bool has_memfd;
	dev_t memfd; /* every memfd's device (the kernel's internal tmpfs) */
};

/*
 * Does /proc/PID/exe (file) run the node's runc or crun: the node's file itself (same dev and
 * inode: runc 1.1 re-executes a read-only bind mount of its binary that it detaches at once,
 * whose /proc/PID/exe reads "/"), or a byte-for-byte copy of it in a memfd (runc's re-exec of
 * a copy of itself). The node's files are looked for under proc's pid 1 root (the node's root
 * from a container with the host's pids) and the agent's own root (pid 1's root may be out of
 * its reach). Never the path alone: a process of the workload can exec a memfd it named runc,
 * or a file it put at /run/runc/ or /usr/bin/runc of its own root. The process's file is
 * stat'ed from the kernel's cache only (AT_STATX_DONT_SYNC) and opened only when it is a
 * memfd: a workload's FUSE file must not hold the agent. A copy is read whole: ctx->compares
 * bounds how many per seed (beyond, judged: the safe side).
 */
static bool runtime_binary(const char *proc, const char *file, struct seed_ctx *ctx)
{
	static const char *const bins[] = { "/usr/bin/runc", "/usr/sbin/runc", "/usr/bin/crun",
					    "/usr/sbin/crun" };
	enum {
		NBIN = 2 * sizeof(bins) / sizeof(bins[0])
	};
	char root[PATH_MAX], bin[PATH_MAX + 32];
	struct stat b, seen[NBIN];
	struct statx sx;
	size_t nseen = 0;
	dev_t dev;
	bool copy;

	if (statx(AT_FDCWD, file, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO | STATX_SIZE, &sx) ||
	    !S_ISREG(sx.stx_mode))
		return false; /* gone since, or no binary: the workload's */
	dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	copy = ctx->has_memfd && dev == ctx->memfd && sx.stx_size <= RTINIT_BINARY_MAX;
	snprintf(root, sizeof(root), "%s/1/root", proc);
	for (size_t i = 0; i < NBIN; i++) {
		bool dup = false;

		snprintf(bin, sizeof(bin), "%s%s", i % 2 ? "" : root, bins[i / 2]);
		if (stat(bin, &b) || !S_ISREG(b.st_mode))
			continue;
		if (b.st_dev == dev && b.st_ino == sx.stx_ino)
			return true;
		/* the same node file under both roots, or by two names: compared once */
		for (size_t j = 0; j < nseen; j++)
			dup |= seen[j].st_dev == b.st_dev && seen[j].st_ino == b.st_ino;
		if (!copy || dup || (uint64_t)b.st_size != sx.stx_size || ctx->compares <= 0)
			continue;
		seen[nseen++] = b;
		ctx->compares--;
		if (same_bytes(file, bin, b.st_size))
			return true;
	}
	return false;
}

/* Is pid the runtime's: it calls itself so (a comm anyone can set with prctl) and it runs the
 * node's runtime binary (which it cannot choose without exec'ing it). */
static bool seed_runtime(const char *proc, unsigned int pid, const char *comm, struct seed_ctx *ctx)
{
	char file[PATH_MAX];

	if (!vg_runtime_comm(comm))
		return false;
	snprintf(file, sizeof(file), "%s/%u/exe", proc, pid);
	return runtime_binary(proc, file, ctx);
}

/* every memfd's device, found from one of our own */
static void seed_ctx_init(struct seed_ctx *ctx)
{
	int fd = memfd_create("vigil-rtinit", MFD_CLOEXEC);
	struct stat st;

	ctx->compares = RTINIT_COMPARES;
	ctx->has_memfd = fd >= 0 && !fstat(fd, &st);
	ctx->memfd = ctx->has_memfd ? st.st_dev : 0;
	if (fd >= 0)
		close(fd);
}

int agent_rtinit__seed(struct agent_rtinit *r, const char *procs, const char *proc)
{
	FILE *f = fopen(procs, "re");
	unsigned int pid;
	char comm[16];
	struct seed_ctx ctx;
	int n = 0;

	r->n = 0;
	if (!f) {
		r->off = true;
		return -errno;
	}
	r->off = false;
	seed_ctx_init(&ctx);
	/* a full table turns the filter off: nothing more to read */
	while (!r->off && fscanf(f, "%u", &pid) == 1) {
		/* gone since: its exit is on its way, and a pid not in the table is only skipped
		 * when it is the runtime's */
		if (!read_comm(proc, pid, comm) || seed_runtime(proc, pid, comm, &ctx))
			continue;
		add_native(r, pid);
		n++;
	}
	fclose(f);
	return r->off ? -ENOSPC : n;
}
