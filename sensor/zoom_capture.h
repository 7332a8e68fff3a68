/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User-space side of the kernel's zoom capture (bpf/zoom.bpf.c, records in bpf/zoom_abi.h):
 * configuration of the capture (sample size, per-incident byte budget, sensitive path
 * patterns), the per-workload budget reset, the decoding of NET_IO / FILE_READ records into
 * struct vigil_event, and the capture's counters. Used by sensor/sensor_*.c; not a public
 * interface. Include after <linux/types.h> and bpf/sensor_abi.h.
 */
#ifndef VIGIL_SENSOR_ZOOM_CAPTURE_H
#define VIGIL_SENSOR_ZOOM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/zoom_abi.h"
#include "vigil/event.h"

#define VIGIL_ZOOM_SAMPLE_DEFAULT   512		 /* bytes per message */
#define VIGIL_ZOOM_BUDGET_DEFAULT   (256u << 10) /* sampled bytes per workload and incident */
#define VIGIL_ZOOM_SYSCALLS_DEFAULT 4096	 /* syscall records per workload and incident */

/* The sensitive-path patterns used by default: "prefix:" or "suffix:" then the bytes. */
extern const char *const vigil_zoom_default_patterns[];

/*
 * Writes the capture configuration into the zcfg map (fd). sample = 0 selects the default,
 * budget = 0 too; patterns is a NULL-terminated list of "prefix:PATH" / "suffix:TEXT"
 * (NULL: the defaults). Returns 0, -EINVAL for a bad pattern (too long, unknown kind, more
 * than ZK_PATS), or -errno from the map update.
 */
int vigil_zoom_capture__configure(int cfg_fd, uint32_t sample, uint64_t budget,
				  const char *const *patterns);

/* The configuration configure writes, built in c (pure: no map); same arguments and errors. */
int vigil_zoom_capture__fill_cfg(struct zk_cfg *c, uint32_t sample, uint64_t budget,
				 const char *const *patterns);

/* Sets the zactive flag (active_fd) from whether the zoom map (zoom_fd) has any entry: call
 * after every change of the zoom map. Returns 0 or -errno. */
int vigil_zoom_capture__refresh_active(int zoom_fd, int active_fd);

/* Forgets a workload's spent budget (zoom cleared: the next incident starts afresh). */
void vigil_zoom_capture__reset(int budget_fd, uint64_t cgroup_id);

/*
 * Fills the kind-specific part of ev (kind NET_IO or FILE_READ) from the record e and its
 * decoded strings (str[i] holds e->str_len[i] bytes). The pointers set in ev point into
 * str and e. Returns 0, or -EINVAL when e is not a zoom record.
 */
int vigil_zoom_capture__decode(const struct vg_event *e, const char *const str[VG_NSTR],
			       struct vigil_event *ev);

struct vigil_zoom_counters {
	uint64_t events;	    /* zoom records written by the kernel */
	uint64_t drops_ringbuf;	    /* lost: ring buffer full */
	uint64_t drops_budget;	    /* samples left out: budget spent (the record still went) */
	uint64_t drops_table;	    /* zfiles/zpend/zbudget full */
	uint64_t drops_read;	    /* samples left out: user memory unreadable */
	uint64_t drops_syscalls;    /* syscall records past the budget */
	uint64_t tls;		    /* TLS plaintext records (bpf/zoom_tls.bpf.h) */
	uint64_t tls_nopeer;	    /* ... whose socket was not known */
	uint64_t tls_files;	    /* files with TLS uprobes now (sensor/sensor_tls.c) */
	uint64_t tls_links;	    /* uprobe links attached now */
	uint64_t tls_attach_failed; /* uprobe attachments that failed, since open */
};

/* Sums the per-CPU zcounters map (fd). Returns 0 or -errno. */
int vigil_zoom_capture__counters(int counters_fd, struct vigil_zoom_counters *ret);

/* The zoom capture's counters of an open sensor (sensor/sensor_maps.c). Returns 0 or -errno. */
struct vigil_sensor;
int vigil_sensor__zoom_counters(struct vigil_sensor *s, struct vigil_zoom_counters *ret);

#endif
