// SPDX-License-Identifier: Apache-2.0
/*
 * The sensor core: probes the kernel, loads and attaches bpf/vigil.bpf.c, reads the ring
 * buffer and turns raw records (bpf/sensor_abi.h) into struct vigil_event with the process and
 * workload filled from the bounded tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/sensor_abi.h"
#include "sensor/sensor_internal.h"
#include "sensor/zoom_capture.h"
#include "util/strutil.h"
#include "vigil.skel.h"
#include "vigil/sensor.h"

_Static_assert(sizeof(struct vg_event) == VG_EVENT_HDR_SIZE, "vg_event header size");
_Static_assert(offsetof(struct vg_event, data) == VG_EVENT_HDR_SIZE, "vg_event data offset");
_Static_assert((int)VG_EV_EXEC == (int)VIGIL_EV_EXEC && (int)VG_EV_MOUNT == (int)VIGIL_EV_MOUNT &&
		       (int)VG_EV_IOURING_OP == (int)VIGIL_EV_IOURING_OP &&
		       (int)VG_EV__MAX_KERNEL == (int)VIGIL_EV_NET_IO,
	       "kernel record kinds match enum vigil_event_kind");

#define HOOKS_MAX 16
#define SPAWN_MAX 64
#define STR_BUF	  (VG_STR_MAX + 16)

struct hook {
	const char *name;
	struct bpf_program *prog; /* the flavour loaded, NULL when none */
	struct bpf_link *link;
	char state[96];
};

struct spawned {
	uint64_t cgroup_id;
	char *dir;
};

struct vigil_sensor {
	struct vigil_sensor_opts opts;
	struct vigil_bpf *skel;
	struct ring_buffer *rb;
	struct hook hooks[HOOKS_MAX];
	unsigned nhooks;
	char cg2_root[PATH_MAX];
	int cg2_fd;
	int64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC at open */
	struct vigil_proc_table *procs;
	struct vigil_workload_table *wls;
	struct spawned spawned[SPAWN_MAX];
	uint64_t delivered;
	uint64_t decode_errors;
	bool offline; /* no kernel side: records are fed by vigil_sensor__feed (fuzzing) */
	uint64_t opened_ns;

	/* the poll in progress */
	vigil_event_cb cb;
	void *cb_ctx;
	int cb_rc;
	int batch;

	/* decode scratch: the strings of the event being delivered */
	char str[VG_NSTR][STR_BUF];
	char path[STR_BUF * 2];
	char path2[STR_BUF * 2];
	char dns_name[256];
	char unix_path[2][128];
	struct vigil_process anon_proc;
	struct vigil_workload anon_wl;
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- environment probes -------------------------------------------------------------- */

static int find_cgroup2(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* id parent major:minor root mountpoint opts ... - fstype source superopts */
		char *sep = strstr(line, " - ");
		char mnt[PATH_MAX];

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		vigil_strlcpy(out, mnt, size);
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

static bool file_contains(const char *path, const char *needle)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void ensure_tracefs(void)
{
	struct stat st;

	if (stat("/sys/kernel/tracing/events", &st) == 0)
		return;
	/* tracepoints attach through tracefs; an empty mount point means nobody mounted it */
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

static bool btf_has_tracepoint(const struct btf *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* ---- open / free --------------------------------------------------------------------- */

__attribute__((format(printf, 2, 0))) static int libbpf_quiet(enum libbpf_print_level level,
							      const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("VIGIL_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG && getenv("VIGIL_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size);

static int open_error(int code, struct vigil_error *err)
{
	if (code == -EPERM || code == -EACCES) {
		if (file_contains("/sys/kernel/security/lockdown", "[confidentiality]"))
			return vigil_error__set(
				err, code, "", 0, 0,
				"kernel lockdown (confidentiality) forbids BPF tracing; "
				"boot with lockdown=integrity or none");
		return vigil_error__set(err, code, "", 0, 0,
					"cannot load BPF programs: run as root (or with "
					"CAP_BPF+CAP_PERFMON)");
	}
	return vigil_error__set(err, code, "", 0, 0, "cannot load BPF programs: %s",
				strerror(-code));
}

static void add_hook(struct vigil_sensor *s, const char *name, struct bpf_program *btf_prog,
		     struct bpf_program *raw_prog, bool raw, const struct btf *btf)
{
	struct hook *h;

	if (s->nhooks >= HOOKS_MAX)
		return;
	h = &s->hooks[s->nhooks++];
	memset(h, 0, sizeof(*h));
	h->name = name;
	bpf_program__set_autoload(btf_prog, false);
	bpf_program__set_autoload(raw_prog, false);
	/* a hook whose tracepoint this kernel lacks is left out; the others still load */
	if (!btf_has_tracepoint(btf, name)) {
		vigil_strlcpy(h->state, "failed: tracepoint not in this kernel", sizeof(h->state));
		return;
	}
	h->prog = raw ? raw_prog : btf_prog;
	bpf_program__set_autoload(h->prog, true);
	vigil_strlcpy(h->state, "not attached", sizeof(h->state));
}

static int load_programs(struct vigil_sensor *s, bool raw, struct vigil_error *err)
{
	struct vigil_bpf *k;
	struct btf *btf;
	int r;

	vigil_bpf__destroy(s->skel);
	s->nhooks = 0;
	s->skel = k = vigil_bpf__open();
	if (!k)
		return open_error(-errno, err);
	k->rodata->cfg_self_tgid = (uint32_t)getpid();
	k->rodata->cfg_scope_selected = s->opts.scope == VIGIL_SCOPE_SELECTED;
	k->rodata->cfg_kinds = s->opts.kinds ? s->opts.kinds : ~0ull;
	k->rodata->cfg_dedup = s->opts.dedup;
	k->rodata->cfg_dns_port = s->opts.dns_port ? s->opts.dns_port : 53;
	bpf_map__set_max_entries(k->maps.events, (uint32_t)s->opts.ringbuf_bytes);

	/* the benchmark's empty floor programs are never part of the sensor */
	bpf_program__set_autoload(k->progs.vg_floor_sys_enter, false);
	bpf_program__set_autoload(k->progs.vg_floor_sys_exit, false);
	bpf_program__set_autoload(k->progs.vg_floor_exec, false);
	bpf_program__set_autoload(k->progs.vg_floor_fork, false);
	bpf_program__set_autoload(k->progs.vg_floor_exit, false);
	bpf_program__set_autoload(k->progs.vg_floor_cap, false);
	btf = btf__load_vmlinux_btf();
	add_hook(s, "sched_process_exec", k->progs.vg_exec, k->progs.vg_exec_raw, raw, btf);
	add_hook(s, "sched_process_fork", k->progs.vg_fork, k->progs.vg_fork_raw, raw, btf);
	add_hook(s, "sched_process_exit", k->progs.vg_exit, k->progs.vg_exit_raw, raw, btf);
	add_hook(s, "sys_enter", k->progs.vg_sys_enter, k->progs.vg_sys_enter_raw, raw, btf);
	add_hook(s, "sys_exit", k->progs.vg_sys_exit, k->progs.vg_sys_exit_raw, raw, btf);
	add_hook(s, "cap_capable", k->progs.vg_cap, k->progs.vg_cap_raw, raw, btf);
	add_hook(s, "inet_sock_set_state", k->progs.vg_tcp_state, k->progs.vg_tcp_state_raw, raw,
		 btf);
	add_hook(s, "io_uring_create", k->progs.vg_uring_create, k->progs.vg_uring_create_raw, raw,
		 btf);
	add_hook(s, "io_uring_submit_req", k->progs.vg_uring_submit, k->progs.vg_uring_submit_raw,
		 raw, btf);
	/* zoom capture (bpf/zoom.bpf.c): idle unless a workload is zoomed */
	add_hook(s, "sys_exit", k->progs.vg_zoom_sys_exit, k->progs.vg_zoom_sys_exit_raw, raw, btf);
	add_hook(s, "io_uring_submit_req", k->progs.vg_zoom_uring_submit,
		 k->progs.vg_zoom_uring_submit_raw, raw, btf);
	add_hook(s, "io_uring_complete", k->progs.vg_zoom_uring_complete,
		 k->progs.vg_zoom_uring_complete_raw, raw, btf);
	btf__free(btf);

	r = vigil_bpf__load(k);
	if (r)
		return open_error(r < 0 ? r : -errno, err);
	return 0;
}

int vigil_sensor__open(const struct vigil_sensor_opts *opts, struct vigil_sensor **ret,
		       struct vigil_error *err)
{
	struct vigil_sensor *s;
	struct vigil_sensor_opts def = { 0 };
	bool raw, fell_back = false;
	int r;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return vigil_error__set(
			err, -ENOTSUP, "", 0, 0,
			"kernel lacks BTF (CONFIG_DEBUG_INFO_BTF): the sensor needs "
			"/sys/kernel/btf/vmlinux");
	if (geteuid() != 0 && access("/sys/kernel/btf/vmlinux", R_OK))
		return open_error(-EPERM, err);
	s = calloc(1, sizeof(*s));
	if (!s)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	s->opts = opts ? *opts : def;
	s->cg2_fd = -1;
	if (!s->opts.ringbuf_bytes)
		s->opts.ringbuf_bytes = 4u << 20;
	if (!s->opts.max_processes)
		s->opts.max_processes = 32768;
	if (!s->opts.max_workloads)
		s->opts.max_workloads = 4096;
	s->procs = vigil_proc_table__new(s->opts.max_processes);
	s->wls = vigil_workload_table__new(s->opts.max_workloads);
	if (!s->procs || !s->wls) {
		r = vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
		goto fail;
	}
	s->anon_proc.exe = "";
	s->anon_proc.cwd = "";
	s->anon_wl.cgroup_path = "";
	s->anon_wl.container_id = "";
	s->anon_wl.runtime = "";
	s->anon_wl.name = "";
	s->realtime_offset = (int64_t)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC));
	s->opened_ns = now_ns(CLOCK_MONOTONIC);

	if (find_cgroup2(s->cg2_root, sizeof(s->cg2_root))) {
		r = vigil_error__set(err, -ENOENT, "", 0, 0,
				     "no cgroup2 mount in /proc/self/mountinfo: mount one with "
				     "'mount -t cgroup2 none /sys/fs/cgroup/unified'");
		goto fail;
	}
	s->cg2_fd = open(s->cg2_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ensure_tracefs();

	libbpf_set_print(libbpf_quiet);
	/* tp_btf first; raw_tp twins of the same programs when tp_btf does not load */
	raw = getenv("VIGIL_HOOKS") && !strcmp(getenv("VIGIL_HOOKS"), "raw_tp");
	r = load_programs(s, raw, err);
	if (r && !raw) {
		r = load_programs(s, true, err);
		fell_back = true;
	}
	if (r)
		goto fail;
	for (unsigned i = 0; i < s->nhooks; i++) {
		struct hook *h = &s->hooks[i];

		if (!h->prog)
			continue;
		h->link = bpf_program__attach(h->prog);
		if (!h->link)
			snprintf(h->state, sizeof(h->state), "failed: %s", strerror(errno));
		else if (raw)
			snprintf(h->state, sizeof(h->state), "fallback: raw_tp (forced)");
		else if (fell_back)
			snprintf(h->state, sizeof(h->state),
				 "fallback: raw_tp (tp_btf did not load)");
		else
			snprintf(h->state, sizeof(h->state), "attached (tp_btf)");
	}
	/* VIGIL_ZOOM_BUDGET: sampled bytes per workload and incident (tests, tuning) */
	{
		uint64_t budget = 0;
		const char *b = getenv("VIGIL_ZOOM_BUDGET");

		if (b && vigil_parse_u64(b, &budget))
			budget = 0;
		r = vigil_zoom_capture__configure(bpf_map__fd(s->skel->maps.zcfg), 0, budget, NULL);
	}
	if (r) {
		r = vigil_error__set(err, r, "", 0, 0, "cannot configure the zoom capture: %s",
				     strerror(-r));
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
	if (!s->rb) {
		r = vigil_error__set(err, -errno, "", 0, 0, "cannot open the ring buffer: %s",
				     strerror(errno));
		goto fail;
	}
	/* loading parsed the kernel's BTF (megabytes, now freed): give that memory back */
	malloc_trim(0);
	*ret = s;
	return 0;
fail:
	vigil_sensor__free(s);
	return r;
}

void vigil_sensor__free(struct vigil_sensor *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	for (unsigned i = 0; i < s->nhooks; i++)
		bpf_link__destroy(s->hooks[i].link);
	vigil_bpf__destroy(s->skel);
	for (int i = 0; i < SPAWN_MAX; i++)
		free(s->spawned[i].dir);
	vigil_proc_table__free(s->procs);
	vigil_workload_table__free(s->wls);
	if (s->cg2_fd >= 0)
		close(s->cg2_fd);
	free(s);
}

const char *vigil_sensor__cgroup2_root(const struct vigil_sensor *s)
{
	return s->cg2_root;
}

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

static struct vigil_workload_entry *workload_of(struct vigil_sensor *s, uint64_t cg, uint32_t mntns)
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
		w->wl.start_ns = now_ns(CLOCK_REALTIME);
	}
	if (!w->wl.mntns)
		w->wl.mntns = mntns;
	return w;
}

void vigil_sensor__name_workload(struct vigil_sensor *s, uint64_t cgroup_id, const char *name)
{
	struct vigil_workload_entry *w = workload_of(s, cgroup_id, 0);

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

/* ---- decoding ------------------------------------------------------------------------ */

static void decode_sockaddr(struct vigil_sockaddr *out, const struct vg_sockaddr *in,
			    const char *unix_path)
{
	out->family = in->family;
	out->port = in->port;
	memcpy(out->addr, in->addr, sizeof(out->addr));
	out->unix_path = in->family == 1 ? unix_path : NULL;
}

/* Resolves string 0 with the directory in string 1 when string 0 is a relative raw path. */
static const char *resolved_path(struct vigil_sensor *s, const struct vg_event *e, char *out,
				 size_t size, int idx, int diridx)
{
	int fmt = (e->str_fmt >> (idx * 2)) & 3;

	if (fmt == VG_STR_PATH)
		return s->str[idx];
	if (s->str[idx][0] != '/' && e->str_len[diridx] && s->str[idx][0]) {
		vigil_path__join(s->str[diridx], s->str[idx], out, size);
		return out;
	}
	return s->str[idx];
}

static int decode_strings(struct vigil_sensor *s, const struct vg_event *e, size_t size)
{
	size_t off = 0, avail = size - VG_EVENT_HDR_SIZE;

	for (int i = 0; i < VG_NSTR; i++) {
		size_t len = e->str_len[i];
		int fmt = (e->str_fmt >> (i * 2)) & 3;
		const char *src = (const char *)e->data + off;

		s->str[i][0] = '\0';
		if (!len)
			continue;
		if (off + len > avail || len > VG_STR_MAX)
			return -EINVAL;
		if (fmt == VG_STR_PATH) {
			if ((e->flags & VG_F_PSEUDO) && i == 0) {
				size_t l = strnlen(src, len);

				memcpy(s->str[i], src, l); /* len <= VG_STR_MAX < STR_BUF */
				s->str[i][l] = '\0';
			} else {
				vigil_path__from_components(src, len, s->str[i], STR_BUF);
			}
		} else if (fmt == VG_STR_RAW) {
			size_t l = strnlen(src, len);

			memcpy(s->str[i], src, l);
			s->str[i][l] = '\0';
		} else {
			memcpy(s->str[i], src, len); /* ARGV/BYTES: binary, length in str_len */
		}
		off += len;
	}
	return 0;
}

static int deliver(struct vigil_sensor *s, const struct vg_event *e, size_t size)
{
	struct vigil_event ev;
	struct vigil_proc_entry *p = NULL;
	struct vigil_workload_entry *w;
	bool created = false;
	int r;

	if (size < VG_EVENT_HDR_SIZE || e->version != VG_ABI_VERSION || e->size > size ||
	    e->kind == 0 || e->kind >= VG_EV__MAX_ZOOM || decode_strings(s, e, size)) {
		s->decode_errors++;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = (enum vigil_event_kind)e->kind;
	ev.ktime_ns = e->ktime_ns;
	ev.time_ns = e->ktime_ns + (uint64_t)s->realtime_offset;
	ev.via_iouring = e->flags & VG_F_IOURING;
	w = workload_of(s, e->cgroup_id, e->mntns);
	ev.workload = w ? &w->wl : &s->anon_wl;

	if (e->pid) {
		p = vigil_proc_table__get(s->procs, e->pid, e->start_ns, &created);
		if (p) {
			p->proc.tid = e->tid;
			p->proc.ppid = e->ppid;
			p->proc.uid = e->uid;
			p->proc.gid = e->gid;
			memcpy(p->proc.comm, e->comm, sizeof(p->proc.comm));
			p->proc.comm[sizeof(p->proc.comm) - 1] = '\0';
			if (created && e->kind != VG_EV_EXEC && !s->offline)
				proc_from_procfs(p);
		}
	}
	if (!p) {
		memset(&s->anon_proc, 0, sizeof(s->anon_proc));
		s->anon_proc.exe = "";
		s->anon_proc.cwd = "";
	}
	ev.proc = p ? &p->proc : &s->anon_proc;

	switch (e->kind) {
	case VG_EV_EXEC: {
		const char *exe = s->str[0];

		if (p)
			vigil_proc_entry__set_exec(p, exe, s->str[2], s->str[1], e->str_len[1],
						   e->flags & VG_F_ARGS_TRUNC);
		ev.exec.path = p ? p->proc.exe : exe;
		ev.exec.upper_layer = e->flags & VG_F_UPPER;
		ev.exec.memfd = e->flags & VG_F_MEMFD;
		ev.exec.dev_shm =
			vigil_str_has_prefix(ev.exec.path, "/dev/shm/") ||
			vigil_str_has_prefix(s->str[2], "/dev/shm") ||
			(p && p->proc.argc && vigil_str_has_prefix(p->argv[0], "/dev/shm/"));
		break;
	}
	case VG_EV_FORK: {
		struct vigil_proc_entry *c = vigil_proc_table__get(s->procs, (uint32_t)e->arg[0],
								   (uint64_t)e->arg[1], &created);

		ev.fork.child_pid = (uint32_t)e->arg[0];
		if (c && p) {
			c = vigil_proc_table__find(s->procs, (uint32_t)e->arg[0],
						   (uint64_t)e->arg[1]);
			p = vigil_proc_table__find(s->procs, e->pid, e->start_ns);
			if (c && p && created) {
				vigil_proc_entry__inherit(c, p);
				c->proc.ppid = e->pid;
				c->proc.uid = e->uid;
				c->proc.gid = e->gid;
				memcpy(c->proc.comm, p->proc.comm, sizeof(c->proc.comm));
			}
			ev.proc = p ? &p->proc : &s->anon_proc;
		}
		break;
	}
	case VG_EV_EXIT: {
		/* the kernel keeps a wait status: report it as a shell would */
		int32_t raw = (int32_t)e->arg[0];

		ev.exit.code = (raw & 0x7f) ? 128 + (raw & 0x7f) : (raw >> 8) & 0xff;
		break;
	}
	case VG_EV_OPEN:
	case VG_EV_EXEC_WRITE:
		ev.open.path = resolved_path(s, e, s->path, sizeof(s->path), 0, 1);
		ev.open.flags = (uint32_t)e->arg[0];
		ev.open.ret = (int32_t)e->arg[1];
		if (e->kind == VG_EV_EXEC_WRITE)
			ev.open.flags = 0;
		break;
	case VG_EV_SYMLINK:
	case VG_EV_LINK:
		ev.link.path = resolved_path(s, e, s->path, sizeof(s->path), 0, 1);
		ev.link.target = s->str[2];
		break;
	case VG_EV_CONNECT:
	case VG_EV_ACCEPT:
	case VG_EV_BIND:
	case VG_EV_LISTEN:
	case VG_EV_TCP_STATE: {
		const char *up = s->str[0];

		ev.net.proto = (uint8_t)(e->kind == VG_EV_TCP_STATE ? e->arg[2] : e->arg[0]);
		ev.net.direction = e->arg[3] == 1		? VIGIL_DIR_OUTBOUND
				   : e->arg[3] == 2		? VIGIL_DIR_INBOUND
				   : e->kind == VG_EV_TCP_STATE ? VIGIL_DIR_NONE
								: VIGIL_DIR_NONE;
		decode_sockaddr(&ev.net.local, &e->sa[0], up);
		decode_sockaddr(&ev.net.remote, &e->sa[1], up);
		if (e->kind == VG_EV_BIND && e->sa[0].family == 1)
			ev.net.remote.unix_path = NULL;
		ev.net.ret = (int32_t)e->arg[1];
		ev.net.fd = (int32_t)e->arg[2];
		if (e->kind == VG_EV_TCP_STATE) {
			ev.net.old_state = (uint16_t)e->arg[0];
			ev.net.new_state = (uint16_t)e->arg[1];
			ev.net.ret = 0;
			ev.net.fd = -1;
		}
		break;
	}
	case VG_EV_DNS:
		if (vigil_dns__parse_question((const uint8_t *)s->str[0], e->str_len[0],
					      s->dns_name, sizeof(s->dns_name), &ev.dns.qtype))
			return 0;
		ev.dns.name = s->dns_name;
		decode_sockaddr(&ev.dns.server, &e->sa[1], NULL);
		break;
	case VG_EV_CAPABILITY:
		ev.cap.cap = (int32_t)e->arg[0];
		ev.cap.name = vigil_capability_name((int)e->arg[0]);
		if (!ev.cap.name)
			ev.cap.name = "";
		ev.cap.ret = (int32_t)e->arg[1];
		break;
	case VG_EV_SYSCALL:
		ev.syscall.nr = (int32_t)e->arg[0];
		ev.syscall.name = vigil_syscall_name((int)e->arg[0]);
		if (!ev.syscall.name)
			ev.syscall.name = "";
		break;
	case VG_EV_IOURING_CREATE:
		ev.iouring.sq_entries = (uint32_t)e->arg[0];
		ev.iouring.opcode = -1;
		ev.iouring.opname = "";
		ev.iouring.path = "";
		break;
	case VG_EV_IOURING_OP:
		ev.iouring.opcode = (int32_t)e->arg[0];
		ev.iouring.opname = vigil_iouring_op_name((int)e->arg[0]);
		if (!ev.iouring.opname)
			ev.iouring.opname = "";
		/* the file or socket the request works on, when a plain descriptor */
		ev.iouring.path = s->str[0];
		decode_sockaddr(&ev.iouring.addr, &e->sa[1], NULL);
		break;
	case VG_EV_NET_IO:
	case VG_EV_FILE_READ: {
		const char *const strs[VG_NSTR] = { s->str[0], s->str[1], s->str[2] };

		vigil_zoom_capture__decode(e, strs, &ev);
		break;
	}
	default: /* sensitive calls */
		ev.call.arg0 = e->arg[0];
		ev.call.arg1 = e->arg[1];
		ev.call.ret = (int32_t)e->arg[5];
		ev.call.str = s->str[0];
		break;
	}
	s->delivered++;
	r = s->cb ? s->cb(&ev, s->cb_ctx) : 0;
	if (e->kind == VG_EV_EXIT)
		vigil_proc_table__remove(s->procs, e->pid, e->start_ns);
	if (r) {
		s->cb_rc = r;
		return -ECANCELED;
	}
	s->batch++;
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	return deliver(ctx, data, size);
}

struct vigil_sensor *vigil_sensor__new_offline(void)
{
	struct vigil_sensor *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->offline = true;
	s->cg2_fd = -1;
	s->opts.max_processes = 64;
	s->opts.max_workloads = 16;
	s->procs = vigil_proc_table__new(s->opts.max_processes);
	s->wls = vigil_workload_table__new(s->opts.max_workloads);
	s->anon_proc.exe = s->anon_proc.cwd = "";
	s->anon_wl.cgroup_path = s->anon_wl.container_id = s->anon_wl.runtime = "";
	s->anon_wl.name = "";
	if (!s->procs || !s->wls) {
		vigil_sensor__free(s);
		return NULL;
	}
	return s;
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
	r = ring_buffer__poll(s->rb, timeout_ms);
	s->cb = NULL;
	if (s->cb_rc)
		return s->cb_rc;
	if (r < 0 && r != -EINTR)
		return r;
	return s->batch;
}

/* ---- monitored set and per-workload state -------------------------------------------- */

/*
 * After a change of the monitored set (the map update is done): every cached decision with an
 * older generation is made again, so no stale one survives a race with a hook.
 */
static void verdicts_changed(struct vigil_sensor *s)
{
	__atomic_add_fetch(&s->skel->bss->verdict_gen, 1, __ATOMIC_SEQ_CST);
}

/* The kernel's per-CPU quiet syscall sets were built from the old allow sets. */
static void syscalls_changed(struct vigil_sensor *s)
{
	__atomic_add_fetch(&s->skel->bss->syscall_gen, 1, __ATOMIC_SEQ_CST);
}

int vigil_sensor__watch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	uint8_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.watched), &cgroup_id, &one, BPF_ANY))
		return -errno;
	verdicts_changed(s);
	return 0;
}

int vigil_sensor__unwatch_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	if (bpf_map_delete_elem(bpf_map__fd(s->skel->maps.watched), &cgroup_id) && errno != ENOENT)
		return -errno;
	verdicts_changed(s);
	return 0;
}

int vigil_sensor__exclude_cgroup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	uint8_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.excluded), &cgroup_id, &one, BPF_ANY))
		return -errno;
	verdicts_changed(s);
	return 0;
}

int vigil_sensor__cgroup_id(const char *cgroup_path, uint64_t *ret_id)
{
	char root[PATH_MAX], full[PATH_MAX * 2];
	struct stat st;
	int r;

	if (cgroup_path[0] == '/' && !stat(cgroup_path, &st) && S_ISDIR(st.st_mode) &&
	    strncmp(cgroup_path, "/sys/fs/cgroup", 14) == 0) {
		*ret_id = st.st_ino;
		return 0;
	}
	r = find_cgroup2(root, sizeof(root));
	if (r)
		return r;
	snprintf(full, sizeof(full), "%s/%s", root,
		 cgroup_path[0] == '/' ? cgroup_path + 1 : cgroup_path);
	if (stat(full, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret_id = st.st_ino;
	return 0;
}

int vigil_sensor__set_syscall_allow(struct vigil_sensor *s, uint64_t cgroup_id,
				    const uint64_t *bitmap, size_t nbits)
{
	struct vg_bitmap b;

	memset(&b, 0, sizeof(b));
	if (bitmap) {
		size_t words = (nbits + 63) / 64;

		if (words > VG_BITMAP_WORDS)
			words = VG_BITMAP_WORDS;
		memcpy(b.w, bitmap, words * sizeof(uint64_t));
		if (nbits % 64 && words * 64 == ((nbits + 63) / 64) * 64 && words)
			b.w[words - 1] &= (nbits % 64) ? (1ull << (nbits % 64)) - 1 : ~0ull;
	} else {
		if (bpf_map_delete_elem(bpf_map__fd(s->skel->maps.sysallow), &cgroup_id) &&
		    errno != ENOENT)
			return -errno;
		syscalls_changed(s);
		return 0;
	}
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.sysallow), &cgroup_id, &b, BPF_ANY))
		return -errno;
	syscalls_changed(s);
	return 0;
}

int vigil_sensor__syscalls(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t *bitmap,
			   size_t nbits)
{
	struct vg_bitmap b;
	size_t words = (nbits + 63) / 64;

	memset(bitmap, 0, words * sizeof(uint64_t));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.sysbits), &cgroup_id, &b))
		return errno == ENOENT ? 0 : -errno;
	if (words > VG_BITMAP_WORDS)
		words = VG_BITMAP_WORDS;
	memcpy(bitmap, b.w, words * sizeof(uint64_t));
	return 0;
}

int vigil_sensor__iouring_ops(struct vigil_sensor *s, uint64_t cgroup_id, uint64_t bitmap[4])
{
	struct vg_uring_ops o;

	memset(bitmap, 0, 4 * sizeof(uint64_t));
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.uringops), &cgroup_id, &o))
		return errno == ENOENT ? 0 : -errno;
	memcpy(bitmap, o.w, sizeof(o.w));
	return 0;
}

int vigil_sensor__set_zoom(struct vigil_sensor *s, uint64_t cgroup_id, bool on)
{
	uint8_t one = 1;
	int fd = bpf_map__fd(s->skel->maps.zoom);

	if (on ? bpf_map_update_elem(fd, &cgroup_id, &one, BPF_ANY)
	       : (bpf_map_delete_elem(fd, &cgroup_id) && errno != ENOENT))
		return -errno;
	if (!on) /* the next incident gets a fresh capture budget */
		vigil_zoom_capture__reset(bpf_map__fd(s->skel->maps.zbudget), cgroup_id);
	return vigil_zoom_capture__refresh_active(fd, bpf_map__fd(s->skel->maps.zactive));
}

int vigil_sensor__zoom_counters(struct vigil_sensor *s, struct vigil_zoom_counters *ret)
{
	return vigil_zoom_capture__counters(bpf_map__fd(s->skel->maps.zcounters), ret);
}

int vigil_sensor__reset_dedup(struct vigil_sensor *s, uint64_t cgroup_id)
{
	int fd = bpf_map__fd(s->skel->maps.dedup);
	struct vg_dedup_key k, next;
	void *prev = NULL;

	/* walk the LRU and delete this workload's keys (restart after each delete) */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (next.cgroup_id == cgroup_id) {
			bpf_map_delete_elem(fd, &next);
			continue;
		}
		k = next;
		prev = &k;
	}
	return 0;
}

/* ---- status -------------------------------------------------------------------------- */

int vigil_sensor__status(struct vigil_sensor *s, struct vigil_sensor_status *ret)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(s->skel->maps.counters);
	uint64_t sums[VG_CNT__MAX] = { 0 };

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));

	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < VG_CNT__MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			sums[i] += vals[c];
	}
	free(vals);
	memset(ret, 0, sizeof(*ret));
	ret->events = s->delivered;
	ret->drops_ringbuf = sums[VG_CNT_DROP_RINGBUF];
	ret->drops_ratelimit = sums[VG_CNT_DROP_RATELIMIT];
	ret->drops_table = sums[VG_CNT_DROP_TABLE] + vigil_proc_table__evictions(s->procs);
	ret->drops = ret->drops_ringbuf + ret->drops_ratelimit + ret->drops_table;
	ret->dedup_hits = sums[VG_CNT_DEDUP];
	ret->processes = vigil_proc_table__count(s->procs);
	ret->max_processes = s->opts.max_processes;
	ret->workloads = vigil_workload_table__count(s->wls);
	ret->max_workloads = s->opts.max_workloads;
	for (unsigned i = 0; i < s->nhooks; i++) {
		if (s->hooks[i].link)
			ret->hooks_attached++;
		else
			ret->hooks_failed++;
	}
	return 0;
}

int vigil_sensor__describe_hooks(struct vigil_sensor *s, char *buf, size_t size)
{
	size_t o = 0;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	for (unsigned i = 0; i < s->nhooks; i++) {
		int n = snprintf(buf + o, size - o, "%-22s %s\n", s->hooks[i].name,
				 s->hooks[i].state);

		if (n < 0 || (size_t)n >= size - o)
			return -E2BIG;
		o += (size_t)n;
	}
	return 0;
}

/* ---- spawned workloads bookkeeping --------------------------------------------------- */

int vigil_sensor__spawn_track(struct vigil_sensor *s, uint64_t cgroup_id, const char *dir)
{
	for (int i = 0; i < SPAWN_MAX; i++) {
		if (!s->spawned[i].dir) {
			s->spawned[i].dir = strdup(dir);
			if (!s->spawned[i].dir)
				return -ENOMEM;
			s->spawned[i].cgroup_id = cgroup_id;
			return 0;
		}
	}
	return -ENOSPC;
}

const char *vigil_sensor__spawn_dir(const struct vigil_sensor *s, uint64_t cgroup_id)
{
	for (int i = 0; i < SPAWN_MAX; i++) {
		if (s->spawned[i].dir && s->spawned[i].cgroup_id == cgroup_id)
			return s->spawned[i].dir;
	}
	return NULL;
}

void vigil_sensor__spawn_untrack(struct vigil_sensor *s, uint64_t cgroup_id)
{
	for (int i = 0; i < SPAWN_MAX; i++) {
		if (s->spawned[i].dir && s->spawned[i].cgroup_id == cgroup_id) {
			free(s->spawned[i].dir);
			s->spawned[i].dir = NULL;
		}
	}
}
