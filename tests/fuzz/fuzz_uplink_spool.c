// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink spool's record reader (sensor/uplink/spool_record.c, spool.c) meets whatever a
 * crash, a full disk or a damaged file left in a segment. Two shapes of input, chosen by the
 * first byte:
 *
 *   even: the rest IS a segment file; the spool opens it and reads everything. Checks: the
 *         records read are exactly those counted at open, and they plus the bytes skipped as
 *         damage account for the whole file.
 *   odd:  the rest is a script of records (kind, length, bytes) written through the spool,
 *         then cut at a point and one byte flipped, as a crash or bad block would. Checks: what
 *         is read back is the written records in order, minus some (never an invented or
 *         reordered one), and nothing is counted twice.
 *
 * The spool lives in a directory under /dev/shm (no disk writes), emptied for every input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/uplink/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[384];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
}

static void cleanup(void)
{
	empty_dir();
	rmdir(dir);
}

static struct uplink_spool *open_spool(void)
{
	struct uplink_spool_opts o = { .dir = dir, .max_bytes = 1u << 20, .segment_bytes = 512 };
	struct uplink_spool *s = NULL;

	if (uplink_spool__open(&o, &s, NULL) < 0)
		abort();
	return s;
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
		abort();
	close(fd);
}

/* What the scripted mode wrote, to compare with what is read back. */
struct written {
	enum uplink_kind kind;
	const uint8_t *p;
	size_t len;
};

/*
 * Reads everything, acknowledging each batch; returns the record count. With w (scripted
 * mode) batches are of one record, and each must be the next written record or a later one.
 */
static size_t drain(struct uplink_spool *s, const struct written *w, size_t nw)
{
	struct uplink_batch b = { 0 };
	size_t got = 0, j = 0;
	int n;

	while ((n = uplink_spool__peek(s, w ? 1 : 3, 256, &b)) > 0) {
		if (b.body.len < 2 || b.body.data[0] != '[' || b.body.data[b.body.len - 1] != ']')
			abort();
		if (w) {
			while (j < nw && !(w[j].kind == b.kind && w[j].len + 2 == b.body.len &&
					   !memcmp(w[j].p, b.body.data + 1, w[j].len)))
				j++;
			if (j++ >= nw)
				abort(); /* invented, reordered or read twice */
		}
		got += (size_t)n;
		if (uplink_spool__ack(s, &b) < 0)
			abort();
	}
	if (n < 0)
		abort();
	uplink_batch__release(&b);
	return got;
}

static void raw_segment(const uint8_t *data, size_t size)
{
	struct uplink_spool_stats st;
	struct uplink_spool *s;
	size_t got, good_bytes = 0, off = 0;
	struct uplink_rec r;

	write_file("0000000000000001.seg", data, size);
	s = open_spool();
	uplink_spool__stats(s, &st);
	got = drain(s, NULL, 0);
	if (got != st.recovered)
		abort();
	/* the pure parser agrees with the spool on what is a record */
	while (off < size) {
		long n = uplink_rec__parse(data + off, size - off, &r);

		if (n > 0) {
			good_bytes += (size_t)n;
			off += (size_t)n;
		} else {
			off = n == 0 ? size : uplink_rec__resync(data, size, off + 1);
		}
	}
	if (good_bytes + st.torn_bytes != size)
		abort();
	uplink_spool__free(s);
}

static void scripted(const uint8_t *data, size_t size)
{
	struct uplink_spool_stats st;
	struct uplink_spool *s = open_spool();
	static struct written w[256];
	size_t n = 0, off = 0, got;

	/* kind (1 byte), length (1 byte), payload (without NUL bytes, as JSON text is) */
	while (off + 2 <= size && n < 256) {
		enum uplink_kind kind = (enum uplink_kind)(data[off] % 3 + 1);
		size_t len = data[off + 1];
		const uint8_t *nul;
		int e;

		off += 2;
		if (len > size - off)
			len = size - off;
		nul = memchr(data + off, 0, len);
		e = uplink_spool__append(s, kind, data + off, len, false);
		if (nul ? e != -EINVAL : e < 0)
			abort();
		if (nul) {
			off += len;
			continue;
		}
		w[n].kind = kind;
		w[n].p = data + off;
		w[n++].len = len;
		off += len;
	}
	if (uplink_spool__sync(s) != (long)n)
		abort();
	uplink_spool__free(s);
	/* the damage: cut the newest segment and flip one byte, both chosen by the input */
	if (size >= 4) {
		DIR *d = opendir(dir);
		struct dirent *de;
		char newest[256] = "", path[384];

		while (d && (de = readdir(d)))
			if (strstr(de->d_name, ".seg") && strcmp(de->d_name, newest) > 0)
				snprintf(newest, sizeof(newest), "%s", de->d_name);
		if (d)
			closedir(d);
		if (newest[0]) {
			struct stat sb;
			int fd;

			snprintf(path, sizeof(path), "%s/%s", dir, newest);
			if (stat(path, &sb) < 0)
				abort();
			if (sb.st_size && truncate(path, sb.st_size - data[size - 1] % sb.st_size))
				abort();
			fd = open(path, O_RDWR);
			if (fd >= 0 && sb.st_size) {
				uint8_t c;
				off_t at = (off_t)(data[size - 2] * 7u % (unsigned)sb.st_size);

				if (pread(fd, &c, 1, at) == 1) {
					c ^= data[size - 3];
					if (pwrite(fd, &c, 1, at) != 1)
						abort();
				}
			}
			if (fd >= 0)
				close(fd);
		}
	}
	s = open_spool();
	uplink_spool__stats(s, &st);
	got = drain(s, w, n);
	if (got != st.recovered || got > n)
		abort();
	uplink_spool__free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size || size > 64 * 1024)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/vigil-fuzz-spool-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	empty_dir();
	if (data[0] & 1)
		scripted(data + 1, size - 1);
	else
		raw_segment(data + 1, size - 1);
	return 0;
}
