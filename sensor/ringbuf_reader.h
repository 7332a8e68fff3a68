/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A consumer of a BPF ring buffer that maps its data area once. libbpf's ring_buffer maps the
 * data pages twice in a row so that a record crossing the end reads contiguously; the kernel
 * populates the whole mapping at mmap time, so the agent's RSS counted the buffer twice
 * (8 MiB for a 4 MiB buffer). Here the rare record that crosses the end is copied into a
 * scratch buffer instead. Private to sensor/sensor_*.c.
 */
#ifndef VIGIL_SENSOR_RINGBUF_READER_H
#define VIGIL_SENSOR_RINGBUF_READER_H

#include <stddef.h>

struct vigil_rbuf;

/* Called for each committed record; a negative return stops the consumption (kept). */
typedef int (*vigil_rbuf_cb)(void *ctx, void *data, size_t size);

/* Maps the ring buffer map map_fd (data size size, a power of two); NULL with errno set. */
struct vigil_rbuf *vigil_rbuf__new(int map_fd, size_t size, vigil_rbuf_cb cb, void *ctx);
void vigil_rbuf__free(struct vigil_rbuf *r);

/*
 * Consumes every committed record; returns how many were handed to cb or the callback's
 * negative return.
 */
int vigil_rbuf__consume(struct vigil_rbuf *r);

/*
 * Waits up to timeout_ms (-1: forever) for the kernel to signal data, then consumes. Returns
 * what vigil_rbuf__consume returns, or -errno from poll (-EINTR on a signal).
 */
int vigil_rbuf__poll(struct vigil_rbuf *r, int timeout_ms);

/* Bytes of the data area this consumer maps (for `vigil status` and the benchmarks). */
size_t vigil_rbuf__mapped_bytes(const struct vigil_rbuf *r);

#endif
