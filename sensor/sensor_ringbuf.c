// SPDX-License-Identifier: Apache-2.0
/*
 * The ring buffer: poll (and feed, for the offline sensor), and delivery of each record with
 * its process (from the bounded process table, /proc for processes older than the sensor) and
 * workload (cgroup id -> path, container id, runtime). Decoding: sensor_decode.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "sensor/ringbuf_reader.h"
#include "sensor/sensor_state.h"
#include "sensor/zoom_capture.h"
#include "util/strutil.h"

/* ---- workload and process lookup ----------------------------------------------------- */

/* cgroup id -> path through the cgroup2 file handle (kernfs node id); "" when not found. */
static void cgroup_path_of(struct vigil_sensor *s, uint64_t id, char *out, size_t size)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	char link[64], target[PATH_MAX];
	ssize_t n;
	size_t rl = strlen(s->cg2_root);
	int fd;

	out[0] = '\0';
	if (id == 1) {
		vigil_strlcpy(out, "/", size);
		return;
	}
	if (s->cg2_fd < 0)
		return;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(s->cg2_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (!strncmp(target, s->cg2_root, rl) && (target[rl] == '/' || !target[rl]))
		vigil_strlcpy(out, target[rl] ? target + rl : "/", size);
	else
		vigil_strlcpy(out, target, size);
}

struct vigil_workload_entry *sensor_workload_of(struct vigil_sensor *s, uint64_t cg, uint32_t mntns)
{
	bool created;
	struct vigil_workload_entry *w = vigil_workload_table__get(s->wls, cg, &created);
	char path[512];

	if (!w)
		return NULL;
	if (created) {
		path[0] = '\0';
		if (!s->offline)
			cgroup_path_of(s, cg, path, sizeof(path));
		vigil_workload_entry__set_path(w, path);
		w->wl.mntns = mntns;
		w->wl.start_ns = sensor_now_ns(CLOCK_REALTIME);
	}
	if (!w->wl.mntns)
		w->wl.mntns = mntns;
	return w;
}

void vigil_sensor__name_workload(struct vigil_sensor *s, uint64_t cgroup_id, const char *name)
{
	struct vigil_workload_entry *w = sensor_workload_of(s, cgroup_id, 0);

	if (w)
		vigil_strlcpy(w->name, name, sizeof(w->name));
}

static size_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, size);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* A process that started before the sensor: exe, cwd and argv from /proc (bounded). */
static void proc_from_procfs(struct vigil_proc_entry *p)
{
	char path[64], exe[PATH_MAX] = "", cwd[PATH_MAX] = "", args[VG_ARGV_MAX];
	ssize_t n;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%u/exe", p->proc.pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/cwd", p->proc.pid);
	n = readlink(path, cwd, sizeof(cwd) - 1);
	cwd[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/cmdline", p->proc.pid);
	len = read_small(path, args, sizeof(args));
	vigil_proc_entry__set_exec(p, exe, cwd, args, len, len == sizeof(args));
}

/* ---- delivery ------------------------------------------------------------------------ */

/* What every record says of its process (the kernel's, as of this record). */
static void proc_ids(struct vigil_process *pr, const struct vg_event *e)
{
	pr->tid = e->tid;
	pr->ppid = e->ppid;
	pr->uid = e->uid;
	pr->gid = e->gid;
	pr->euid = e->euid;
	memcpy(pr->comm, e->comm, sizeof(pr->comm));
	pr->comm[sizeof(pr->comm) - 1] = '\0';
}

static int deliver(struct vigil_sensor *s, const struct vg_event *e, size_t size)
{
	struct vigil_event ev;
	struct vigil_proc_entry *p = NULL;
	struct vigil_workload_entry *w;
	bool created = false;
	int r;

	if (size < VG_EVENT_HDR_SIZE || e->version != VG_ABI_VERSION || e->size > size ||
	    e->kind == 0 || e->kind >= VG_EV__MAX_ZOOM || sensor_decode_strings(s, e, size)) {
		s->decode_errors++;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = (enum vigil_event_kind)e->kind;
	ev.ktime_ns = e->ktime_ns;
	ev.time_ns = e->ktime_ns + (uint64_t)s->realtime_offset;
	ev.via_iouring = e->flags & VG_F_IOURING;
	w = sensor_workload_of(s, e->cgroup_id, e->mntns);
	ev.workload = w ? &w->wl : &s->anon_wl;

	if (e->pid) {
		/* an exit is a process's last record: one user space never saw (its other events
		 * de-duplicated) is told from the record alone, neither an entry that could evict
		 * a living process of another workload nor reads of the /proc of a dead one */
		if (e->kind == VG_EV_EXIT)
			p = vigil_proc_table__find(s->procs, e->pid, e->start_ns);
		else
			p = vigil_proc_table__get(s->procs, e->pid, e->start_ns, &created);
		if (p) {
			proc_ids(&p->proc, e);
			if (created && e->kind != VG_EV_EXEC && !s->offline)
				proc_from_procfs(p);
		}
	}
	if (!p) {
		memset(&s->anon_proc, 0, sizeof(s->anon_proc));
		s->anon_proc.exe = "";
		s->anon_proc.cwd = "";
		if (e->pid) {
			s->anon_proc.pid = e->pid;
			s->anon_proc.start_ns = e->start_ns;
			proc_ids(&s->anon_proc, e);
		}
	}
	ev.proc = p ? &p->proc : &s->anon_proc;

	if (sensor_decode(s, e, p, &ev))
		return 0;
	/* a zoomed workload's new program: its TLS library calls get probes before it runs far */
	if (e->kind == VG_EV_EXEC)
		sensor_tls_exec(s, e->cgroup_id, e->pid);
	else if (e->kind == VG_EV_CONNECT)
		sensor_tls_connect(s, e->cgroup_id, e->pid);

	s->delivered++;
	r = s->cb ? s->cb(&ev, s->cb_ctx) : 0;
	/* DNS over TCP: one write may have ended several messages, one event each */
	while (!r && sensor_decode_more(s, &ev)) {
		s->delivered++;
		r = s->cb ? s->cb(&ev, s->cb_ctx) : 0;
	}
	if (e->kind == VG_EV_EXIT)
		vigil_proc_table__remove(s->procs, e->pid, e->start_ns);
	if (r) {
		s->cb_rc = r;
		return -ECANCELED;
	}
	s->batch++;
	return 0;
}

int sensor_on_record(void *ctx, void *data, size_t size)
{
	return deliver(ctx, data, size);
}

int vigil_sensor__feed(struct vigil_sensor *s, const void *rec, size_t size, vigil_event_cb cb,
		       void *ctx)
{
	int r;

	s->cb = cb;
	s->cb_ctx = ctx;
	s->cb_rc = 0;
	s->batch = 0;
	r = deliver(s, rec, size);
	s->cb = NULL;
	if (s->cb_rc)
		return s->cb_rc;
	return r < 0 ? r : s->batch;
}

int vigil_sensor__poll(struct vigil_sensor *s, int timeout_ms, vigil_event_cb cb, void *ctx)
{
	int r;

	s->cb = cb;
	s->cb_ctx = ctx;
	s->cb_rc = 0;
	s->batch = 0;
	r = vigil_rbuf__poll(s->rb, timeout_ms);
	s->cb = NULL;
	sensor_netns_tick(s);
	if (s->cb_rc)
		return s->cb_rc;
	if (r < 0 && r != -EINTR)
		return r;
	return s->batch;
}
