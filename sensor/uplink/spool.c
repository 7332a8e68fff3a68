// SPDX-License-Identifier: Apache-2.0
/*
 * The uplink spool: segments on disk, a durable write path and an in-order reader
 * (spool.h says what is promised; this file is how).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sensor/uplink/spool.h"
#include "util/fileio.h"
#include "util/strutil.h"

#define DEFAULT_MAX  (64ull << 20)
#define SEG_MIN	     (64ull << 10)
#define SEG_MAX	     (4ull << 20)
#define SEG_NAME_LEN 20 /* 16 hex digits + ".seg" */
#define MAX_SEGMENTS 65536
#define CURSOR_NAME  "cursor"
#define CURSOR_TMP   "cursor.tmp"

struct seg {
	uint64_t seq;
	uint64_t size;
};

struct uplink_spool {
	char dir[PATH_MAX];
	int dir_fd;
	int lock_fd;
	uint64_t max_bytes, reserve_bytes, segment_bytes;
	struct seg *segs; /* by sequence; the newest may be the active one */
	size_t nsegs, cap;
	uint64_t total; /* sum of segs[].size */

	/* writer: the active segment */
	int wfd; /* -1 until the first append of this run */
	uint64_t wseq;
	uint64_t next_seq;
	uint64_t synced;  /* its durable end: what the reader may see */
	uint64_t pending; /* records appended and not yet durable */
	uint64_t durable; /* records made durable since uplink_spool__sync last returned */
	bool dir_dirty;	  /* a segment was created since the directory was synced */

	/* reader */
	uint64_t cur_seq, cur_off;
	uint8_t *cache; /* the head segment's bytes [0, cache_len) */
	size_t cache_len, cache_cap;
	uint64_t cache_seq;

	struct uplink_spool_stats st;
};

static void seg_path(const struct uplink_spool *s, uint64_t seq, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%016" PRIx64 ".seg", s->dir, seq);
}

static bool is_active(const struct uplink_spool *s, uint64_t seq)
{
	return s->wfd >= 0 && seq == s->wseq;
}

/* How far the reader may read a segment: the durable end of the active one. */
static uint64_t seg_limit(const struct uplink_spool *s, const struct seg *g)
{
	return is_active(s, g->seq) ? s->synced : g->size;
}

static int segs_push(struct uplink_spool *s, uint64_t seq, uint64_t size)
{
	if (s->nsegs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct seg *g = realloc(s->segs, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		s->segs = g;
		s->cap = cap;
	}
	s->segs[s->nsegs].seq = seq;
	s->segs[s->nsegs].size = size;
	s->nsegs++;
	s->total += size;
	return 0;
}

/* Deletes the oldest segment (read to its end, or older than the cursor). */
static void segs_drop_head(struct uplink_spool *s)
{
	char path[PATH_MAX + 32];

	seg_path(s, s->segs[0].seq, path, sizeof(path));
	unlink(path);
	s->total -= s->segs[0].size;
	if (s->cache_seq == s->segs[0].seq)
		s->cache_len = 0, s->cache_seq = 0;
	memmove(s->segs, s->segs + 1, (s->nsegs - 1) * sizeof(*s->segs));
	s->nsegs--;
}

/* Brings the cache to hold bytes [0, limit) of segment seq. */
static int cache_load(struct uplink_spool *s, uint64_t seq, uint64_t limit)
{
	char path[PATH_MAX + 32];
	int fd;

	if (s->cache_seq != seq)
		s->cache_len = 0, s->cache_seq = seq;
	if (s->cache_len >= limit)
		return 0;
	if (limit > s->cache_cap) {
		uint8_t *c = realloc(s->cache, limit);

		if (!c)
			return -ENOMEM;
		s->cache = c;
		s->cache_cap = limit;
	}
	seg_path(s, seq, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (s->cache_len < limit) {
		ssize_t n = pread(fd, s->cache + s->cache_len, limit - s->cache_len,
				  (off_t)s->cache_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? -errno : -EIO; /* shorter than stat said: not ours */

			close(fd);
			return e;
		}
		s->cache_len += (size_t)n;
	}
	close(fd);
	return 0;
}

/*
 * Walks the records of the cached segment from off to limit: counts the good ones in
 * *items and the damage in the stats (at open only: the reader meets the same damage again
 * and must not count it twice). Returns nothing; damage never stops the walk.
 */
static void scan_segment(struct uplink_spool *s, uint64_t off, uint64_t limit, uint64_t *items)
{
	struct uplink_rec r;

	while (off < limit) {
		long n = uplink_rec__parse(s->cache + off, limit - off, &r);
		uint64_t next;

		if (n > 0) {
			(*items)++;
			off += (uint64_t)n;
			continue;
		}
		/* n == 0: cut short by a crash (old segments are complete or torn, never growing) */
		next = n == 0 ? limit : uplink_rec__resync(s->cache, limit, off + 1);
		s->st.torn++;
		s->st.torn_bytes += next - off;
		off = next;
	}
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool seg_name(const char *name, uint64_t *seq)
{
	uint64_t v = 0;

	if (strlen(name) != SEG_NAME_LEN || strcmp(name + 16, ".seg"))
		return false;
	for (int i = 0; i < 16; i++) {
		char c = name[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
						    : 16;

		if (d > 15)
			return false;
		v = v << 4 | d;
	}
	*seq = v;
	return v != 0;
}

static int list_segments(struct uplink_spool *s)
{
	DIR *d = fdopendir(dup(s->dir_fd));
	struct dirent *de;
	int e = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && !e) {
		struct stat sb;
		uint64_t seq;

		if (!seg_name(de->d_name, &seq))
			continue;
		if (fstatat(s->dir_fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (s->nsegs >= MAX_SEGMENTS)
			e = -E2BIG;
		else
			e = segs_push(s, seq, (uint64_t)sb.st_size);
	}
	closedir(d);
	if (s->nsegs)
		qsort(s->segs, s->nsegs, sizeof(*s->segs), cmp_seg);
	return e;
}

static void read_cursor(struct uplink_spool *s)
{
	char buf[64];
	unsigned long long seq, off;
	int fd = openat(s->dir_fd, CURSOR_NAME, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	s->cur_seq = s->cur_off = 0;
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &seq, &off) == 2) {
		s->cur_seq = seq;
		s->cur_off = off;
	}
}

/* Not fsync'd on purpose (spool.h): losing it re-sends what the cockpit de-duplicates. */
static int write_cursor(struct uplink_spool *s)
{
	char buf[64];
	int fd, len, e = 0;

	len = snprintf(buf, sizeof(buf), "%llu %llu\n", (unsigned long long)s->cur_seq,
		       (unsigned long long)s->cur_off);
	fd = openat(s->dir_fd, CURSOR_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len)
		e = -EIO;
	close(fd);
	if (!e && renameat(s->dir_fd, CURSOR_TMP, s->dir_fd, CURSOR_NAME) < 0)
		e = -errno;
	return e;
}

/* Drops what the cursor already passed and counts what is left. */
static int recover(struct uplink_spool *s)
{
	uint64_t items = 0;
	int e;

	read_cursor(s);
	while (s->nsegs && s->segs[0].seq < s->cur_seq)
		segs_drop_head(s);
	if (!s->nsegs || s->segs[0].seq != s->cur_seq)
		s->cur_seq = s->nsegs ? s->segs[0].seq : 0, s->cur_off = 0;
	for (size_t i = 0; i < s->nsegs; i++) {
		struct seg *g = &s->segs[i];
		uint64_t from = i == 0 ? s->cur_off : 0;

		/* larger than anything this spool writes: not a segment of ours */
		if (g->size >
		    s->max_bytes + s->reserve_bytes + UPLINK_REC_HEADER + UPLINK_REC_MAX_LEN) {
			s->st.torn++;
			s->st.torn_bytes += g->size;
			s->total -= g->size;
			g->size = 0; /* the reader deletes it */
			continue;
		}
		if (from >= g->size)
			continue;
		e = cache_load(s, g->seq, g->size);
		if (e < 0)
			return e;
		scan_segment(s, from, g->size, &items);
	}
	s->cache_len = 0;
	s->cache_seq = 0;
	s->st.items = s->st.recovered = items;
	s->next_seq = (s->nsegs ? s->segs[s->nsegs - 1].seq : s->cur_seq) + 1;
	return 0;
}

int uplink_spool__open(const struct uplink_spool_opts *o, struct uplink_spool **ret,
		       struct vigil_error *err)
{
	struct uplink_spool *s;
	char lock[PATH_MAX + 8];
	pid_t holder = 0;
	int e;

	if (!o || !o->dir || !o->dir[0])
		return vigil_error__set(err, -EINVAL, "", 0, 0, "spool: no directory");
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dir_fd = s->lock_fd = s->wfd = -1;
	if (vigil_strlcpy(s->dir, o->dir, sizeof(s->dir)) >= sizeof(s->dir)) {
		e = vigil_error__set(err, -ENAMETOOLONG, o->dir, 0, 0, "path too long");
		goto fail;
	}
	s->max_bytes = o->max_bytes ? o->max_bytes : DEFAULT_MAX;
	s->reserve_bytes = o->reserve_bytes;
	s->segment_bytes = o->segment_bytes ? o->segment_bytes : s->max_bytes / 16;
	if (!o->segment_bytes)
		s->segment_bytes = s->segment_bytes < SEG_MIN	? SEG_MIN
				   : s->segment_bytes > SEG_MAX ? SEG_MAX
								: s->segment_bytes;
	/* a small spool still gets several segments, so stored ones can be deleted */
	if (s->segment_bytes > s->max_bytes / 4)
		s->segment_bytes = s->max_bytes / 4 ? s->max_bytes / 4 : 1;
	if ((vigil_mkdir_parents(s->dir, 0755) < 0 || mkdir(s->dir, 0700) < 0) && errno != EEXIST) {
		e = vigil_error__set(err, -errno, s->dir, 0, 0, "cannot create the spool: %s",
				     strerror(errno));
		goto fail;
	}
	s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0) {
		e = vigil_error__set(err, -errno, s->dir, 0, 0, "cannot open the spool: %s",
				     strerror(errno));
		goto fail;
	}
	snprintf(lock, sizeof(lock), "%s/lock", s->dir);
	s->lock_fd = vigil_lock_file(lock, &holder);
	if (s->lock_fd < 0) {
		e = s->lock_fd == -EWOULDBLOCK
			    ? vigil_error__set(err, -EBUSY, s->dir, 0, 0,
					       "the spool is in use by another agent (pid %ld)",
					       (long)holder)
			    : vigil_error__set(err, s->lock_fd, lock, 0, 0, "cannot lock: %s",
					       strerror(-s->lock_fd));
		s->lock_fd = -1;
		goto fail;
	}
	e = list_segments(s);
	if (!e)
		e = recover(s);
	if (e < 0) {
		vigil_error__set(err, e, s->dir, 0, 0, "cannot read the spool: %s", strerror(-e));
		goto fail;
	}
	*ret = s;
	return 0;
fail:
	uplink_spool__free(s);
	return e;
}

static int sync_active(struct uplink_spool *s)
{
	if (s->wfd >= 0 && s->synced < s->segs[s->nsegs - 1].size) {
		if (fdatasync(s->wfd) < 0)
			return -errno;
	}
	if (s->dir_dirty) {
		if (fsync(s->dir_fd) < 0)
			return -errno;
		s->dir_dirty = false;
	}
	if (s->wfd >= 0)
		s->synced = s->segs[s->nsegs - 1].size;
	return 0;
}

static int make_durable(struct uplink_spool *s)
{
	int e = sync_active(s);

	if (e < 0)
		return e;
	s->st.items += s->pending;
	s->st.appended += s->pending;
	s->durable += s->pending;
	s->pending = 0;
	return 0;
}

long uplink_spool__sync(struct uplink_spool *s)
{
	int e = make_durable(s);
	long n = (long)s->durable;

	if (e < 0)
		return e;
	s->durable = 0;
	return n;
}

/* The active segment is complete: make it durable and stop writing to it. */
static int rotate(struct uplink_spool *s)
{
	int e = make_durable(s);

	if (e < 0)
		return e;
	close(s->wfd);
	s->wfd = -1;
	return 0;
}

static int open_segment(struct uplink_spool *s)
{
	char path[PATH_MAX + 32];
	int e;

	seg_path(s, s->next_seq, path, sizeof(path));
	s->wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (s->wfd < 0)
		return -errno;
	e = segs_push(s, s->next_seq, 0);
	if (e < 0) {
		close(s->wfd);
		s->wfd = -1;
		unlink(path);
		return e;
	}
	s->wseq = s->next_seq++;
	s->synced = 0;
	s->dir_dirty = true;
	return 0;
}

int uplink_spool__append(struct uplink_spool *s, enum uplink_kind kind, const void *data,
			 size_t len, bool reserve)
{
	uint8_t hdr[UPLINK_REC_HEADER];
	struct iovec iov[2];
	uint64_t need = UPLINK_REC_HEADER + (uint64_t)len, done = 0, size0;
	struct seg *g;
	int e;

	if (len > UPLINK_REC_MAX_LEN)
		return -EMSGSIZE;
	if (memchr(data, '\0', len))
		return -EINVAL; /* not JSON text; and see spool_record.h */
	if (s->total + need > s->max_bytes + (reserve ? s->reserve_bytes : 0)) {
		s->st.dropped_full++;
		return -ENOSPC;
	}
	if (s->wfd >= 0 && s->segs[s->nsegs - 1].size &&
	    s->segs[s->nsegs - 1].size + need > s->segment_bytes) {
		e = rotate(s);
		if (e < 0)
			return e;
	}
	if (s->wfd < 0 && (e = open_segment(s)) < 0)
		return e;
	g = &s->segs[s->nsegs - 1];
	size0 = g->size;
	uplink_rec__header(hdr, kind, data, (uint32_t)len);
	while (done < need) {
		ssize_t n;

		iov[0].iov_base = hdr + (done < UPLINK_REC_HEADER ? done : UPLINK_REC_HEADER);
		iov[0].iov_len = done < UPLINK_REC_HEADER ? UPLINK_REC_HEADER - done : 0;
		iov[1].iov_base =
			(uint8_t *)data + (done > UPLINK_REC_HEADER ? done - UPLINK_REC_HEADER : 0);
		iov[1].iov_len = len - (done > UPLINK_REC_HEADER ? done - UPLINK_REC_HEADER : 0);
		n = writev(s->wfd, iov, 2);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? -errno : -EIO;
			/* leave no partial record behind; if even that fails, never write here again */
			if (ftruncate(s->wfd, (off_t)size0) < 0) {
				g->size = size0 + done;
				s->total += done;
				make_durable(s);
				close(s->wfd);
				s->wfd = -1;
			}
			return e;
		}
		done += (uint64_t)n;
	}
	g->size += need;
	s->total += need;
	s->pending++;
	return 0;
}

void uplink_batch__release(struct uplink_batch *b)
{
	if (b) {
		vigil_buf__release(&b->body);
		b->n = 0;
	}
}

/* Adds one record to the batch body ("[" first, "," between). */
static int batch_add(struct uplink_batch *b, const struct uplink_rec *r)
{
	int e = vigil_buf__puts(&b->body, b->n ? "," : "[");

	if (!e)
		e = vigil_buf__append(&b->body, r->payload, r->len);
	if (!e) {
		b->kind = r->kind;
		b->n++;
	}
	return e;
}

int uplink_spool__peek(struct uplink_spool *s, size_t max_items, size_t max_bytes,
		       struct uplink_batch *b)
{
	vigil_buf__reset(&b->body);
	b->n = 0;
	while (s->nsegs) {
		struct seg *g = &s->segs[0];
		uint64_t limit, off;
		int e;

		if (s->cur_seq != g->seq)
			s->cur_seq = g->seq, s->cur_off = 0;
		limit = seg_limit(s, g);
		if (s->cur_off >= limit) {
			if (is_active(s, g->seq))
				return 0; /* everything durable was read */
			segs_drop_head(s);
			continue;
		}
		e = cache_load(s, g->seq, limit);
		if (e < 0)
			return e;
		off = s->cur_off;
		while (off < limit) {
			struct uplink_rec r;
			long n = uplink_rec__parse(s->cache + off, limit - off, &r);

			if (n <= 0) {
				/* counted at open: a torn tail or damage in an old segment */
				if (b->n)
					break;
				off = n == 0 ? limit : uplink_rec__resync(s->cache, limit, off + 1);
				s->cur_off = off;
				continue;
			}
			if (b->n && (r.kind != b->kind || b->n >= max_items ||
				     b->body.len + r.len + 2 > max_bytes))
				break;
			e = batch_add(b, &r);
			if (e < 0)
				return e;
			off += (uint64_t)n;
		}
		if (b->n) {
			e = vigil_buf__puts(&b->body, "]");
			if (e < 0)
				return e;
			b->end_seq = g->seq;
			b->end_off = off;
			return (int)b->n;
		}
	}
	return 0;
}

int uplink_spool__ack(struct uplink_spool *s, const struct uplink_batch *b)
{
	if (!b->n)
		return 0;
	s->cur_seq = b->end_seq;
	s->cur_off = b->end_off;
	s->st.items -= b->n < s->st.items ? b->n : s->st.items;
	s->st.acked += b->n;
	if (s->nsegs && s->segs[0].seq == s->cur_seq && s->cur_off >= s->segs[0].size) {
		/* everything in the active segment was stored: start afresh rather than keep
		 * its bytes counted against the bound */
		if (is_active(s, s->cur_seq) && !s->pending && rotate(s) < 0)
			return write_cursor(s);
		if (!is_active(s, s->cur_seq))
			segs_drop_head(s);
	}
	return write_cursor(s);
}

void uplink_spool__stats(const struct uplink_spool *s, struct uplink_spool_stats *ret)
{
	*ret = s->st;
	ret->bytes = s->total;
	ret->segments = s->nsegs;
}

void uplink_spool__free(struct uplink_spool *s)
{
	if (!s)
		return;
	if (s->wfd >= 0) {
		uplink_spool__sync(s);
		close(s->wfd);
	}
	if (s->dir_fd >= 0 && s->st.acked)
		write_cursor(s);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->segs);
	free(s->cache);
	free(s);
}
