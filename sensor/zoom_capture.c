// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel's zoom capture, user-space side: configuration, budget reset, record decoding
 * and counters (see sensor/zoom_capture.h and bpf/zoom.bpf.c).
 */
#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/sensor_abi.h"
#include "sensor/zoom_capture.h"

_Static_assert((int)VG_EV_NET_IO == (int)VIGIL_EV_NET_IO &&
		       (int)VG_EV_FILE_READ == (int)VIGIL_EV_FILE_READ,
	       "zoom record kinds match enum vigil_event_kind");
/* Every TLS call is checked: one added to one list only, or at different places, fails. */
#define SAME_TLS(c)                                           \
	_Static_assert((int)ZK_TLS_##c == (int)VIGIL_TLS_##c, \
		       "enum zk_tls_call and enum vigil_tls_call differ at " #c);
ZK_TLS_CALLS(SAME_TLS)
_Static_assert((int)ZK_TLS__MAX == (int)VIGIL_TLS__MAX,
	       "enum zk_tls_call and enum vigil_tls_call have as many calls");

/*
 * Tokens, keys and credentials. Prefixes match absolute paths as the program passed them;
 * suffixes also match relative ones.
 */
const char *const vigil_zoom_default_patterns[] = {
	"prefix:/var/run/secrets/",
	"prefix:/run/secrets/",
	"prefix:/etc/shadow",
	"prefix:/etc/gshadow",
	"prefix:/etc/ssl/private/",
	"prefix:/etc/kubernetes/pki/",
	"prefix:/root/.ssh/",
	"suffix:/token",
	"suffix:.key",
	"suffix:key.pem",
	"suffix:/id_rsa",
	"suffix:/id_ecdsa",
	"suffix:/id_ed25519",
	"suffix:/.aws/credentials",
	"suffix:/.kube/config",
	"suffix:/.git-credentials",
	NULL,
};

static int parse_pattern(const char *spec, struct zk_pat *p)
{
	const char *s;
	size_t n;

	if (!strncmp(spec, "prefix:", 7)) {
		p->kind = ZK_PAT_PREFIX;
		s = spec + 7;
	} else if (!strncmp(spec, "suffix:", 7)) {
		p->kind = ZK_PAT_SUFFIX;
		s = spec + 7;
	} else {
		return -EINVAL;
	}
	n = strlen(s);
	if (!n || n > ZK_PAT_MAX)
		return -EINVAL;
	memcpy(p->s, s, n);
	p->len = (uint8_t)n;
	return 0;
}

int vigil_zoom_capture__fill_cfg(struct zk_cfg *c, uint32_t sample, uint64_t budget,
				 const char *const *patterns)
{
	memset(c, 0, sizeof(*c));
	c->sample = sample ? sample : VIGIL_ZOOM_SAMPLE_DEFAULT;
	if (c->sample > ZK_SAMPLE_MAX)
		c->sample = ZK_SAMPLE_MAX;
	c->budget = budget ? budget : VIGIL_ZOOM_BUDGET_DEFAULT;
	c->syscalls = VIGIL_ZOOM_SYSCALLS_DEFAULT;
	if (!patterns)
		patterns = vigil_zoom_default_patterns;
	for (size_t i = 0; patterns[i]; i++) {
		if (i >= ZK_PATS || parse_pattern(patterns[i], &c->pats[i]))
			return -EINVAL;
	}
	return 0;
}

int vigil_zoom_capture__configure(int cfg_fd, uint32_t sample, uint64_t budget,
				  const char *const *patterns)
{
	struct zk_cfg *c = malloc(sizeof(*c));
	uint32_t zero = 0;
	int r;

	if (!c)
		return -ENOMEM;
	r = vigil_zoom_capture__fill_cfg(c, sample, budget, patterns);
	if (!r && bpf_map_update_elem(cfg_fd, &zero, c, BPF_ANY))
		r = -errno;
	free(c);
	return r;
}

int vigil_zoom_capture__refresh_active(int zoom_fd, int active_fd)
{
	uint64_t key;
	uint32_t zero = 0, any;

	any = bpf_map_get_next_key(zoom_fd, NULL, &key) == 0;
	if (bpf_map_update_elem(active_fd, &zero, &any, BPF_ANY))
		return -errno;
	return 0;
}

void vigil_zoom_capture__reset(int budget_fd, uint64_t cgroup_id)
{
	bpf_map_delete_elem(budget_fd, &cgroup_id);
}

int vigil_zoom_capture__decode(const struct vg_event *e, const char *const str[VG_NSTR],
			       struct vigil_event *ev)
{
	if (e->kind == VG_EV_NET_IO) {
		ev->net.proto = (uint8_t)e->arg[0];
		ev->net.bytes = e->arg[1] > 0 ? (uint64_t)e->arg[1] : 0;
		ev->net.fd = (int32_t)e->arg[2];
		ev->net.direction = e->arg[3] == VG_DIR_OUT  ? VIGIL_DIR_OUTBOUND
				    : e->arg[3] == VG_DIR_IN ? VIGIL_DIR_INBOUND
							     : VIGIL_DIR_NONE;
		ev->net.ret = (int32_t)e->arg[1];
		ev->net.local.family = e->sa[0].family;
		ev->net.local.port = e->sa[0].port;
		memcpy(ev->net.local.addr, e->sa[0].addr, sizeof(ev->net.local.addr));
		ev->net.remote.family = e->sa[1].family;
		ev->net.remote.port = e->sa[1].port;
		memcpy(ev->net.remote.addr, e->sa[1].addr, sizeof(ev->net.remote.addr));
		if (e->str_len[0] && ((e->str_fmt & 3) == VG_STR_BYTES)) {
			ev->net.data = (const uint8_t *)str[0];
			ev->net.data_len = e->str_len[0];
		}
		if (e->str_len[1])
			ev->net.from_path = str[1];
		/* plaintext at a TLS library call: arg[4] is the call, not a syscall number */
		if (e->flags & ZK_F_TLS)
			ev->net.tls = e->arg[4] > 0 && e->arg[4] < VIGIL_TLS__MAX
					      ? (uint8_t)e->arg[4]
					      : VIGIL_TLS_NONE;
		return 0;
	}
	if (e->kind == VG_EV_FILE_READ) {
		ev->open.path = str[0];
		ev->open.size = e->arg[0] > 0 ? (uint64_t)e->arg[0] : 0;
		ev->open.ret = (int32_t)e->arg[1];
		if (e->str_len[1] && (((e->str_fmt >> 2) & 3) == VG_STR_BYTES)) {
			ev->open.data = (const uint8_t *)str[1];
			ev->open.data_len = e->str_len[1];
		}
		return 0;
	}
	return -EINVAL;
}

int vigil_zoom_capture__counters(int counters_fd, struct vigil_zoom_counters *ret)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sums[ZK_CNT__MAX] = { 0 };
	uint64_t *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < ZK_CNT__MAX; i++) {
		if (bpf_map_lookup_elem(counters_fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			sums[i] += vals[c];
	}
	free(vals);
	ret->events = sums[ZK_CNT_EVENTS];
	ret->drops_ringbuf = sums[ZK_CNT_DROP_RINGBUF];
	ret->drops_budget = sums[ZK_CNT_DROP_BUDGET];
	ret->drops_table = sums[ZK_CNT_DROP_TABLE];
	ret->drops_read = sums[ZK_CNT_DROP_READ];
	ret->drops_syscalls = sums[ZK_CNT_DROP_SYSCALLS];
	ret->tls = sums[ZK_CNT_TLS];
	ret->tls_nopeer = sums[ZK_CNT_TLS_NOPEER];
	return 0;
}
