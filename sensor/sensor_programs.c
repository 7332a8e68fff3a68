// SPDX-License-Identifier: Apache-2.0
/*
 * The sensor's programs and hooks: each hook has a tp_btf program and a raw_tp twin
 * (bpf/ *.bpf.c); one flavour loads, a hook whose tracepoint this kernel lacks is left out,
 * and each hook's state ("attached (tp_btf)", "failed: ...") is kept for `vigil status`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "util/strutil.h"
#include "vigil.skel.h"

/*
 * Which tracepoints this kernel has: a tp_btf hook needs the typedef btf_trace_NAME in the
 * kernel's BTF. Only its string section is read, in pieces, never the whole BTF (parsing it
 * costs megabytes: the loader child does that, sensor_loader.c). A BTF this cannot read marks
 * every name present and leaves the verdict to the load.
 */
static void btf_tracepoints(const char *const *names, size_t n, bool *found)
{
	struct {
		uint16_t magic;
		uint8_t version, flags;
		uint32_t hdr_len, type_off, type_len, str_off, str_len;
	} h;
	char buf[65536], cur[128];
	size_t curlen = 0, left;
	bool over = false;
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "re");

	for (size_t i = 0; i < n; i++)
		found[i] = false;
	if (!f || fread(&h, sizeof(h), 1, f) != 1 || h.magic != 0xeB9F ||
	    fseek(f, (long)h.hdr_len + (long)h.str_off, SEEK_SET)) {
		for (size_t i = 0; i < n; i++)
			found[i] = true;
		if (f)
			fclose(f);
		return;
	}
	for (left = h.str_len; left;) {
		size_t got = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), f);

		if (!got)
			break;
		left -= got;
		for (size_t j = 0; j < got; j++) {
			if (buf[j]) {
				if (curlen < sizeof(cur) - 1)
					cur[curlen++] = buf[j];
				else
					over = true;
				continue;
			}
			cur[curlen] = '\0';
			if (!over && curlen > 10 && !memcmp(cur, "btf_trace_", 10))
				for (size_t i = 0; i < n; i++)
					found[i] |= !strcmp(cur + 10, names[i]);
			curlen = 0;
			over = false;
		}
	}
	fclose(f);
}

static void add_hook(struct vigil_sensor *s, const char *name, struct bpf_program *btf_prog,
		     struct bpf_program *raw_prog, bool raw, bool present)
{
	struct hook *h;

	if (s->nhooks >= HOOKS_MAX)
		return;
	h = &s->hooks[s->nhooks++];
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->link_fd = -1;
	bpf_program__set_autoload(btf_prog, false);
	bpf_program__set_autoload(raw_prog, false);
	/* a hook whose tracepoint this kernel lacks is left out; the others still load */
	if (!present) {
		vigil_strlcpy(h->state, "failed: tracepoint not in this kernel", sizeof(h->state));
		return;
	}
	h->prog = raw ? raw_prog : btf_prog;
	bpf_program__set_autoload(h->prog, true);
	vigil_strlcpy(h->state, "not attached", sizeof(h->state));
}

/*
 * The BPF object is embedded in the binary's read-only data (0.8 MiB) and read in full when it
 * is opened; libbpf copies what it keeps (programs, BTF), and after the load nothing reads
 * those pages again, yet they stay in the agent's page tables and RSS for its whole life.
 * MADV_PAGEOUT reclaims them (clean file pages: dropped unless another process maps them, read
 * again from the binary if anything ever touches them); before Linux 5.4, MADV_DONTNEED only
 * unmaps them, leaving the kernel to reclaim the page cache.
 */
static void release_object_image(void)
{
	size_t sz = 0;
	uintptr_t b = (uintptr_t)vigil_bpf__elf_bytes(&sz);
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (b + pg - 1) & ~(pg - 1), hi = (b + sz) & ~(pg - 1);

	if (hi <= lo)
		return;
	if (madvise((void *)lo, hi - lo, MADV_PAGEOUT) && errno == EINVAL)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

int sensor_load_programs(struct vigil_sensor *s, bool raw, struct vigil_error *err)
{
	static const char *const tps[] = {
		"sched_process_exec",  "sched_process_fork", "sched_process_exit",
		"sys_enter",	       "sys_exit",	     "cap_capable",
		"inet_sock_set_state", "io_uring_create",    "io_uring_submit_req",
		"io_uring_complete",   "cgroup_attach_task"
	};
	enum {
		EXEC,
		FORK,
		EXIT,
		ENTER,
		SEXIT,
		CAP,
		TCP,
		URC,
		URS,
		URD,
		CGA,
		NTPS
	};
	_Static_assert(sizeof(tps) / sizeof(tps[0]) == NTPS, "one name per tracepoint");
	bool has[NTPS];
	struct vigil_bpf *k;
	int r;

	sensor_close_programs(s);
	vigil_bpf__destroy(s->skel);
	s->nhooks = 0;
	s->skel = k = vigil_bpf__open();
	if (!k)
		return sensor_open_error(-errno, err);
	k->rodata->cfg_self_tgid = (uint32_t)getpid();
	k->rodata->cfg_scope_selected = s->opts.scope == VIGIL_SCOPE_SELECTED;
	k->rodata->cfg_kinds = s->opts.kinds ? s->opts.kinds : ~0ull;
	k->rodata->cfg_dedup = s->opts.dedup;
	k->rodata->cfg_dedup_ttl_ns = s->opts.dedup_ttl_ns;
	k->rodata->cfg_dns_port = s->opts.dns_port ? s->opts.dns_port : 53;
	k->rodata->cfg_host_netns = sensor_host_netns();
	sensor_host_ns((uint32_t *)k->rodata->cfg_host_ns);
	if (s->opts.rate_per_sec)
		k->rodata->cfg_rate_per_sec = s->opts.rate_per_sec;
	bpf_map__set_max_entries(k->maps.events, (uint32_t)s->opts.ringbuf_bytes);

	btf_tracepoints(tps, NTPS, has);
	add_hook(s, tps[EXEC], k->progs.vg_exec, k->progs.vg_exec_raw, raw, has[EXEC]);
	add_hook(s, tps[FORK], k->progs.vg_fork, k->progs.vg_fork_raw, raw, has[FORK]);
	add_hook(s, tps[EXIT], k->progs.vg_exit, k->progs.vg_exit_raw, raw, has[EXIT]);
	add_hook(s, tps[ENTER], k->progs.vg_sys_enter, k->progs.vg_sys_enter_raw, raw, has[ENTER]);
	add_hook(s, tps[SEXIT], k->progs.vg_sys_exit, k->progs.vg_sys_exit_raw, raw, has[SEXIT]);
	add_hook(s, tps[CAP], k->progs.vg_cap, k->progs.vg_cap_raw, raw, has[CAP]);
	add_hook(s, tps[TCP], k->progs.vg_tcp_state, k->progs.vg_tcp_state_raw, raw, has[TCP]);
	add_hook(s, tps[URC], k->progs.vg_uring_create, k->progs.vg_uring_create_raw, raw,
		 has[URC]);
	add_hook(s, tps[URS], k->progs.vg_uring_submit, k->progs.vg_uring_submit_raw, raw,
		 has[URS]);
	add_hook(s, tps[URD], k->progs.vg_uring_complete, k->progs.vg_uring_complete_raw, raw,
		 has[URD]);
	add_hook(s, tps[CGA], k->progs.vg_cgroup_attach, k->progs.vg_cgroup_attach_raw, raw,
		 has[CGA]);
	/* zoom capture (bpf/zoom.bpf.c): idle unless a workload is zoomed */
	add_hook(s, tps[SEXIT], k->progs.vg_zoom_sys_exit, k->progs.vg_zoom_sys_exit_raw, raw,
		 has[SEXIT]);
	add_hook(s, tps[URS], k->progs.vg_zoom_uring_submit, k->progs.vg_zoom_uring_submit_raw, raw,
		 has[URS]);
	add_hook(s, tps[URD], k->progs.vg_zoom_uring_complete, k->progs.vg_zoom_uring_complete_raw,
		 raw, has[URD]);

	/* the kernel's BTF is parsed in a child that exits once it has loaded (sensor_loader.c) */
	r = sensor_load_in_child(s);
	if (r)
		return sensor_open_error(r, err);
	release_object_image();
	return 0;
}

void sensor_attach_hooks(struct vigil_sensor *s, bool raw, bool fell_back)
{
	for (unsigned i = 0; i < s->nhooks; i++) {
		struct hook *h = &s->hooks[i];

		if (!h->prog)
			continue;
		h->link_fd = sensor_attach_tracepoint(s, h->prog, raw, h->name);
		if (h->link_fd < 0) {
			snprintf(h->state, sizeof(h->state), "failed: %s", strerror(-h->link_fd));
			h->link_fd = -1;
		} else if (raw)
			snprintf(h->state, sizeof(h->state), "fallback: raw_tp (forced)");
		else if (fell_back)
			snprintf(h->state, sizeof(h->state),
				 "fallback: raw_tp (tp_btf did not load)");
		else
			snprintf(h->state, sizeof(h->state), "attached (tp_btf)");
	}
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
