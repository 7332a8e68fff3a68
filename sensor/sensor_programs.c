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

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "util/strutil.h"
#include "vigil.skel.h"

static bool btf_has_tracepoint(const struct btf *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
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

int sensor_load_programs(struct vigil_sensor *s, bool raw, struct vigil_error *err)
{
	struct vigil_bpf *k;
	struct btf *btf;
	int r;

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
	if (s->opts.rate_per_sec)
		k->rodata->cfg_rate_per_sec = s->opts.rate_per_sec;
	bpf_map__set_max_entries(k->maps.events, (uint32_t)s->opts.ringbuf_bytes);

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
	add_hook(s, "io_uring_complete", k->progs.vg_uring_complete, k->progs.vg_uring_complete_raw,
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
		return sensor_open_error(r < 0 ? r : -errno, err);
	return 0;
}

void sensor_attach_hooks(struct vigil_sensor *s, bool raw, bool fell_back)
{
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
