// SPDX-License-Identifier: Apache-2.0
/*
 * The sensor's life: probes of the environment (BTF, cgroup2, tracefs, lockdown), open (load,
 * attach, ring buffer, zoom capture configuration), free, and the offline sensor that only
 * decodes fed records (fuzzing, tests). The rest of the sensor: sensor_state.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "sensor/ringbuf_reader.h"
#include "sensor/sensor_state.h"
#include "sensor/zoom_capture.h"
#include "util/strutil.h"
#include "vigil.skel.h"

/*
 * The kernel's record kinds are enum vigil_event_kind's, number for number (bpf/sensor_abi.h
 * cannot include the public header): every kind is checked, so a kind added at different
 * places in the two enums fails the build.
 */
#define SAME_KIND(k)                                        \
	_Static_assert((int)VG_EV_##k == (int)VIGIL_EV_##k, \
		       "enum vg_kind and enum vigil_event_kind differ at " #k);
VG_KINDS(SAME_KIND)
_Static_assert((int)VG_EV__MAX_KERNEL == (int)VIGIL_EV_NET_IO,
	       "enum vg_kind and enum vigil_event_kind have as many kernel kinds");

uint64_t sensor_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * VIGIL_MEM_TRACE=1: the process's RSS and peak at each stage of the sensor's start-up on
 * stderr (bench/agent_memory.sh reads them; docs/BENCHMARKS.md "Agent memory").
 */
static void mem_stage(const char *stage)
{
	char line[128], out[160] = "";
	FILE *f;

	if (!getenv("VIGIL_MEM_TRACE") || !(f = fopen("/proc/self/status", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long kib;

		if ((sscanf(line, "VmRSS: %lu", &kib) == 1 ||
		     sscanf(line, "VmHWM: %lu", &kib) == 1))
			snprintf(out + strlen(out), sizeof(out) - strlen(out), " %.5s %lu KiB",
				 line, kib);
	}
	fclose(f);
	fprintf(stderr, "vigil: memory: %s:%s\n", stage, out);
}

/* ---- environment probes -------------------------------------------------------------- */

int sensor_find_cgroup2(char *out, size_t size)
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

int sensor_open_error(int code, struct vigil_error *err)
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
		return sensor_open_error(-EPERM, err);
	s = calloc(1, sizeof(*s));
	if (!s)
		return vigil_error__set(err, -ENOMEM, "", 0, 0, "out of memory");
	s->opts = opts ? *opts : def;
	s->cg2_fd = -1;
	for (int i = 0; i < 4; i++)
		s->egress_links[i] = -1;
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
	s->realtime_offset =
		(int64_t)(sensor_now_ns(CLOCK_REALTIME) - sensor_now_ns(CLOCK_MONOTONIC));
	s->opened_ns = sensor_now_ns(CLOCK_MONOTONIC);

	if (sensor_find_cgroup2(s->cg2_root, sizeof(s->cg2_root))) {
		r = vigil_error__set(err, -ENOENT, "", 0, 0,
				     "no cgroup2 mount in /proc/self/mountinfo: mount one with "
				     "'mount -t cgroup2 none /sys/fs/cgroup/unified'");
		goto fail;
	}
	s->cg2_fd = open(s->cg2_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ensure_tracefs();

	libbpf_set_print(libbpf_quiet);
	mem_stage("sensor open");
	/* tp_btf first; raw_tp twins of the same programs when tp_btf does not load */
	raw = getenv("VIGIL_HOOKS") && !strcmp(getenv("VIGIL_HOOKS"), "raw_tp");
	r = sensor_load_programs(s, raw, err);
	if (r && !raw) {
		r = sensor_load_programs(s, true, err);
		fell_back = true;
	}
	if (r)
		goto fail;
	mem_stage("programs loaded");
	sensor_attach_hooks(s, raw, fell_back);
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
	s->tls = sensor_tls_new();
	s->rb = vigil_rbuf__new(bpf_map__fd(s->skel->maps.events),
				bpf_map__max_entries(s->skel->maps.events), sensor_on_record, s);
	if (!s->rb) {
		r = vigil_error__set(err, -errno, "", 0, 0, "cannot open the ring buffer: %s",
				     strerror(errno));
		goto fail;
	}
	mem_stage("ring buffer mapped");
	/* loading parsed the kernel's BTF (megabytes, now freed): give that memory back */
	malloc_trim(0);
	mem_stage("trimmed");
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
	vigil_rbuf__free(s->rb);
	sensor_tls_free(s->tls);
	for (unsigned i = 0; i < s->nhooks; i++)
		if (s->hooks[i].link_fd >= 0)
			close(s->hooks[i].link_fd);
	for (int i = 0; i < 4; i++)
		if (s->egress_links[i] >= 0)
			close(s->egress_links[i]);
	sensor_close_programs(s);
	vigil_bpf__destroy(s->skel);
	for (int i = 0; i < SPAWN_MAX; i++)
		free(s->spawned[i].dir);
	free(s->root_idents);
	free(s->netns_notes);
	vigil_proc_table__free(s->procs);
	vigil_workload_table__free(s->wls);
	vigil_dns_streams__free(s->dns_streams);
	if (s->cg2_fd >= 0)
		close(s->cg2_fd);
	free(s);
}

struct vigil_sensor *vigil_sensor__new_offline(void)
{
	struct vigil_sensor *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->offline = true;
	s->cg2_fd = -1;
	for (int i = 0; i < 4; i++)
		s->egress_links[i] = -1;
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

const char *vigil_sensor__cgroup2_root(const struct vigil_sensor *s)
{
	return s->cg2_root;
}
