// SPDX-License-Identifier: Apache-2.0
/*
 * The ring buffer consumer that maps the data area once (ringbuf_reader.h). The kernel's
 * layout (kernel/bpf/ringbuf.c): page 0 the consumer position (the only writable page),
 * page 1 the producer position, then the data area; each record starts with an 8-byte header
 * (length with a busy and a discard bit, page offset) and is padded to 8 bytes, so a header
 * never crosses the end of the data area but a record's body may.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sensor/ringbuf_reader.h"

#define HDR_SZ	    8u
#define BUSY_BIT    (1u << 31)
#define DISCARD_BIT (1u << 30)

struct vigil_rbuf {
	int fd;
	size_t page;
	size_t size; /* data area, a power of two */
	unsigned long *consumer;
	unsigned long *producer; /* the producer page, followed by the data area */
	unsigned char *data;
	unsigned char *scratch; /* a record that crosses the end, made contiguous */
	size_t scratch_size;
	vigil_rbuf_cb cb;
	void *ctx;
};

struct vigil_rbuf *vigil_rbuf__new(int map_fd, size_t size, vigil_rbuf_cb cb, void *ctx)
{
	struct vigil_rbuf *r;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (map_fd < 0 || page <= 0 || !size || (size & (size - 1)) || size % (size_t)page) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fd = map_fd;
	r->page = (size_t)page;
	r->size = size;
	r->cb = cb;
	r->ctx = ctx;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->consumer = p;
	/* the producer page and the data area once (libbpf maps the data twice) */
	p = mmap(NULL, r->page + size, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (p == MAP_FAILED)
		goto fail;
	r->producer = p;
	r->data = (unsigned char *)p + r->page;
	return r;
fail:
	vigil_rbuf__free(r);
	return NULL;
}

void vigil_rbuf__free(struct vigil_rbuf *r)
{
	int e = errno;

	if (!r)
		return;
	if (r->consumer)
		munmap(r->consumer, r->page);
	if (r->producer)
		munmap(r->producer, r->page + r->size);
	free(r->scratch);
	free(r);
	errno = e;
}

/* The body of the record whose body starts at off (len bytes), contiguous; NULL: no memory. */
static void *body_at(struct vigil_rbuf *r, size_t off, size_t len)
{
	size_t first = r->size - off;

	if (len <= first)
		return r->data + off;
	if (len > r->scratch_size) {
		unsigned char *n = realloc(r->scratch, len);

		if (!n)
			return NULL;
		r->scratch = n;
		r->scratch_size = len;
	}
	memcpy(r->scratch, r->data + off, first);
	memcpy(r->scratch + first, r->data, len - first);
	return r->scratch;
}

int vigil_rbuf__consume(struct vigil_rbuf *r)
{
	unsigned long cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	unsigned long prod;
	int n = 0;
	bool more = true;

	while (more) {
		more = false;
		prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			uint32_t *hdr = (uint32_t *)(r->data + (cons & (r->size - 1)));
			uint32_t raw = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			uint32_t len = raw & ~(BUSY_BIT | DISCARD_BIT);
			size_t body = (cons + HDR_SZ) & (r->size - 1);
			void *rec;

			if (raw & BUSY_BIT)
				return n; /* the producer has not committed it yet */
			more = true;
			cons += (len + HDR_SZ + 7) & ~7ul;
			/* a length beyond the area cannot come from the kernel: skip, never read */
			rec = !(raw & DISCARD_BIT) && len <= r->size ? body_at(r, body, len) : NULL;
			if (rec) {
				int rc = r->cb(r->ctx, rec, len);

				if (rc < 0) {
					__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
					return rc;
				}
				n++;
			}
			__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
		}
	}
	return n;
}

int vigil_rbuf__poll(struct vigil_rbuf *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	int rc = poll(&p, 1, timeout_ms);

	if (rc < 0)
		return -errno;
	return vigil_rbuf__consume(r);
}

size_t vigil_rbuf__mapped_bytes(const struct vigil_rbuf *r)
{
	return r->page * 2 + r->size;
}
