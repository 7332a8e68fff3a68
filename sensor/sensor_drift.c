// SPDX-License-Identifier: Apache-2.0
/*
 * Drop-and-execute: was the file a process just executed written at run time?
 *
 * The kernel marks every regular file a monitored workload opens for writing, makes executable
 * by descriptor, or writes through io_uring (map `written`, by inode: renames and links are the
 * same file), and an exec of a marked file carries its last writer (arg[5], sa[0]). Two cases
 * need user space:
 *   - a script: the kernel has replaced the file by its interpreter before the exec tracepoint,
 *     so the script is found again from argv (binfmt_script puts its name there) and looked at
 *     through the process's root;
 *   - a file whose mark is gone (the LRU map was flooded) or that was changed by a process the
 *     sensor does not watch: its ctime (which no process can set back) is compared with the
 *     start of the workload.
 * Both read the file system after the fact, so a file deleted right after its exec is judged by
 * the kernel's mark alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "sensor/interp_args.h"
#include "sensor/sensor_state.h"
#include "util/strutil.h"
#include "vigil.skel.h"

/*
 * The kernel's write bits are enum vigil_written_how's, bit for bit: every bit is checked, and
 * both lists have the same bits, so a bit added to one list only fails the build.
 */
#define SAME_WRITE(n, v)                                         \
	_Static_assert((int)VG_WR_##n == (int)VIGIL_WRITTEN_##n, \
		       "enum vg_write_how and enum vigil_written_how differ at " #n);
VG_WRITES(SAME_WRITE)
#define WRITE_BIT(n, v) | VG_WR_##n
_Static_assert((0 VG_WRITES(WRITE_BIT)) == VIGIL_WRITTEN__ALL,
	       "enum vg_write_how and enum vigil_written_how have the same bits");

/* The kernel's internal dev_t (MKDEV: 12-bit major, 20-bit minor) of a stat st_dev. */
static uint32_t kernel_dev(dev_t d)
{
	return (uint32_t)((major(d) << 20) | (minor(d) & 0xfffff));
}

/* path (absolute, or relative to cwd) as seen by process pid: /proc/PID/root/... */
static int proc_path_of(uint32_t pid, const char *cwd, const char *path, char *out, size_t size)
{
	int n;

	if (path[0] == '/')
		n = snprintf(out, size, "/proc/%u/root%s", pid, path);
	else
		n = snprintf(out, size, "/proc/%u/root%s/%s", pid, cwd && cwd[0] ? cwd : "/", path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * The same through the process, or when it is gone already (a script that ran for a moment),
 * through its parent: the shell that started it usually shares its root.
 */
static int proc_path(const struct vigil_process *p, const char *path, char *out, size_t size)
{
	char probe[32];

	snprintf(probe, sizeof(probe), "/proc/%u/root", p->pid);
	if (access(probe, F_OK) && p->ppid)
		return proc_path_of(p->ppid, p->cwd, path, out, size);
	return proc_path_of(p->pid, p->cwd, path, out, size);
}

/* A script: a regular file starting with "#!". Fills st. */
static bool is_script(const char *path, struct stat *st)
{
	char head[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	bool ok;

	if (fd < 0) {
		/* a symlink to the script: follow it, the kernel did */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			return false;
	}
	ok = !fstat(fd, st) && S_ISREG(st->st_mode) && pread(fd, head, 2, 0) == 2 &&
	     head[0] == '#' && head[1] == '!';
	close(fd);
	return ok;
}

/* Lexically: no empty or "." segments, ".." removes the one before (the kernel resolved the
 * real file; this only makes the name comparable with the paths the sensor reports). */
static void clean_path(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		char *seg = s, *end;
		size_t n;

		while (*seg == '/')
			seg++;
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		s = seg + n;
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, n);
		out += n;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* Fills s->script with argument arg of p as an absolute, clean path. */
static const char *script_name(struct vigil_sensor *s, const struct vigil_process *p,
			       const char *arg)
{
	if (arg[0] == '/' || !p->cwd || !p->cwd[0])
		vigil_strlcpy(s->script, arg, sizeof(s->script));
	else
		snprintf(s->script, sizeof(s->script), "%s%s%s", p->cwd,
			 vigil_str_has_suffix(p->cwd, "/") ? "" : "/", arg);
	if (s->script[0] == '/')
		clean_path(s->script);
	return s->script;
}

/*
 * The script of a script exec: binfmt_script makes argv [interpreter, (its one argument),
 * script as given to execve, original arguments...], so it is argv[1] or argv[2].
 */
static const char *find_script(struct vigil_sensor *s, const struct vigil_process *p,
			       struct stat *st)
{
	char path[STR_BUF + 64];

	for (uint32_t i = 1; i <= 2 && i < p->argc; i++) {
		if (!p->argv[i] || !p->argv[i][0] || proc_path(p, p->argv[i], path, sizeof(path)) ||
		    !is_script(path, st))
			continue;
		return script_name(s, p, p->argv[i]);
	}
	return NULL;
}

/*
 * The file an interpreter (`sh x.sh`, `python3 -W ignore x.py`) or the dynamic loader
 * (`ld-linux-x86-64.so.2 ./x`) was asked to run: the argument sensor/interp_args.c finds, if
 * it is a regular file. Inline code (`sh -c`, `perl -e`), a module or stdin: none.
 */
static const char *find_interpreted(struct vigil_sensor *s, const struct vigil_process *p,
				    const char *exe, struct stat *st)
{
	char path[STR_BUF + 64];
	const char *a;
	int i, fd;

	if (!exe || !vigil_interp_known(exe))
		return NULL;
	i = vigil_interp_file_arg(exe, p->argv, p->argc);
	if (i < 0 || !(a = p->argv[i]) || !a[0] || proc_path(p, a, path, sizeof(path)))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return script_name(s, p, a);
}

/* The kernel's mark of a file by identity, read from user space (a script's). */
static bool lookup_written(struct vigil_sensor *s, const struct stat *st, struct vg_written *w)
{
	struct vg_inode_key k = { .ino = st->st_ino, .dev = kernel_dev(st->st_dev) };

	if (!s->skel)
		return false;
	return !bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.written), &k, w);
}

static uint64_t ctime_ns(const struct stat *st)
{
	return (uint64_t)st->st_ctim.tv_sec * 1000000000ull + (uint64_t)st->st_ctim.tv_nsec;
}

/* The kernel's mark of a file written at run time, in an EXEC or MMAP_EXEC record. */
void sensor_written_mark(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	const struct vg_writer *wr = (const struct vg_writer *)&e->sa[0];

	if (!e->arg[5])
		return;
	ev->exec.written = true;
	ev->exec.writer_cgroup = (uint64_t)e->arg[5];
	ev->exec.writer_pid = wr->tgid;
	ev->exec.written_how = wr->how;
	ev->exec.written_ns =
		(((uint64_t)wr->ktime_hi << 32) | wr->ktime_lo) + (uint64_t)s->realtime_offset;
}

void sensor_exec_drift(struct vigil_sensor *s, const struct vg_event *e, struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	uint64_t start = ev->workload ? ev->workload->start_ns : 0;
	bool interpreted = false;
	struct vg_written w;
	struct stat st;
	char path[64];
	ssize_t n;

	sensor_written_mark(s, e, ev);
	if (s->offline || !p || !p->pid || ev->exec.memfd)
		return;
	ev->exec.script = (e->flags & VG_F_SCRIPT) ? find_script(s, p, &st) : NULL;
	if (!ev->exec.script && !ev->exec.written) {
		interpreted = true;
		ev->exec.script = find_interpreted(s, p, ev->exec.path, &st);
	}
	if (ev->exec.script) {
		if (lookup_written(s, &st, &w)) {
			ev->exec.script_written = true;
			ev->exec.writer_cgroup = w.cgroup_id;
			ev->exec.writer_pid = w.tgid;
			ev->exec.written_how = w.how;
			ev->exec.written_ns = w.ktime_ns + (uint64_t)s->realtime_offset;
		}
		ev->exec.script_modified = start && ctime_ns(&st) > start;
		/* a file given to an interpreter is named only when it changed */
		if (!interpreted || ev->exec.script_written || ev->exec.script_modified)
			return;
		ev->exec.script = NULL;
	}
	/* the executable the process runs now, if it still runs the one of this event */
	snprintf(path, sizeof(path), "/proc/%u/exe", p->pid);
	if (ev->exec.written || !ev->exec.path || !start)
		return;
	n = readlink(path, s->script, sizeof(s->script) - 1);
	if (n <= 0)
		return;
	s->script[n] = '\0';
	if (strcmp(s->script, ev->exec.path) || stat(path, &st))
		return;
	ev->exec.modified = ctime_ns(&st) > start;
}
