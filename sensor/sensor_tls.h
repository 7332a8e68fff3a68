/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS plaintext under zoom (sensor/sensor_tls.c): while some workload is zoomed, the TLS
 * libraries its processes use carry uprobes (bpf/zoom_tls.bpf.h); when the last zoom is
 * cleared they are all detached. Private to sensor/.
 */
#ifndef VIGIL_SENSOR_TLS_H
#define VIGIL_SENSOR_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vigil_sensor;
struct sensor_tls;

struct sensor_tls_stats {
	uint64_t files;		/* library files (and Go executables) with probes now */
	uint64_t links;		/* uprobe links attached now */
	uint64_t attach_failed; /* attach calls that failed, since open */
	uint64_t attached;	/* links ever attached, since open */
};

/* What sensor_tls_symbols found in one ELF file: file offsets, 0 when absent. */
enum tls_sym {
	TLS_SYM_SSL_WRITE,
	TLS_SYM_SSL_WRITE_EX,
	TLS_SYM_SSL_READ,
	TLS_SYM_SSL_READ_EX,
	TLS_SYM_GO_WRITE,
	TLS_SYM__MAX
};

/*
 * The file offsets of the TLS functions defined in the ELF file at path (.symtab and
 * .dynsym, bounded scan). Returns how many were found (0 for a file that is not ELF).
 */
int sensor_tls_symbols(const char *path, uint64_t off[TLS_SYM__MAX]);
/* The same over an ELF image in memory (len bytes, untrusted: the fuzz harness). */
int sensor_tls_symbols_mem(const void *data, size_t len, uint64_t off[TLS_SYM__MAX]);

struct sensor_tls *sensor_tls_new(void);
void sensor_tls_free(struct sensor_tls *t);
/* A workload's zoom went on (attach to what its processes use) or off (detach all when it
 * was the last one). */
void sensor_tls_zoom(struct vigil_sensor *s, uint64_t cgroup_id, bool on);
/* A process of cgroup_id exec'd: if the cgroup is zoomed, probe its executable (Go) and
 * libraries. */
void sensor_tls_exec(struct vigil_sensor *s, uint64_t cgroup_id, uint32_t pid);
void sensor_tls_stats(const struct sensor_tls *t, struct sensor_tls_stats *ret);

#endif
