/* SPDX-License-Identifier: Apache-2.0 */
/*
 * open_via [-t TAG] [-x FLAGS] [-d DIR] [-r ROOT] METHOD PATH: opens PATH one way and reads
 * a byte.
 * The ways a program can name a file without writing its canonical path, for the sensor's
 * path tests (tests/kernel/t1010): each judged by the file that was actually opened.
 *
 *   sys            openat(AT_FDCWD or DIR's descriptor, PATH)
 *   openat2        openat2(.., PATH, RESOLVE_NO_MAGICLINKS); with -d and RESOLVE_IN_ROOT
 *   opath          open(PATH, O_PATH), then reopen /proc/self/fd/N (a magic link)
 *   chroot         chroot(ROOT) and chdir("/"), then open(PATH)
 *   tree           open_tree(DIR, OPEN_TREE_CLONE): a detached copy of the mount of DIR (-d,
 *                  needs CAP_SYS_ADMIN), then openat(that tree, PATH)
 *   handle         name_to_handle_at(PATH), then open_by_handle_at of that handle (no name:
 *                  needs CAP_DAC_READ_SEARCH, the "shocker" way out of a container)
 *   uring          IORING_OP_OPENAT (relative to DIR with -d)
 *   uring-openat2  IORING_OP_OPENAT2
 *   uring-async    IORING_OP_OPENAT with IOSQE_ASYNC (runs in an io-wq worker)
 *   uring-link     IORING_OP_NOP linked (IOSQE_IO_LINK) to IORING_OP_OPENAT
 *   uring-fixed    IORING_OP_OPENAT into registered file slot 3, read with IOSQE_FIXED_FILE
 *   uring-alloc    the same, slot chosen by the kernel (IORING_FILE_INDEX_ALLOC)
 *   uring-sqpoll   IORING_OP_OPENAT on a ring with IORING_SETUP_SQPOLL
 *   uring-defer    IORING_OP_OPENAT on a ring with IORING_SETUP_DEFER_TASKRUN
 *   uring-swap     one submission: OPENAT(PATH), CLOSE of the descriptor it will get, and
 *                  OPENAT(/etc/hostname), which takes that descriptor number before the
 *                  completions are posted
 *
 * -t TAG is not used: it names the run in its argv, where a test finds its events by it.
 * -m MODE is the mode (octal) an open with O_CREAT gives (default 0), for openat and io_uring's
 * OPENAT. -x FLAGS adds open flags (decimal), so runs can differ in flags (the kernel de-duplicates
 * repeats by file and flags). Prints "opened N" (bytes read, 0 or 1) or "failed ERRNO" and
 * exits 0 either way: an attempt is the behaviour. Exit 1 only when the method itself cannot
 * run (io_uring missing, chroot refused...).
 */
#include <liburing.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "progs.h"

#define USAGE "[-t TAG] [-x FLAGS] [-m MODE] [-d DIR] [-r ROOT] METHOD PATH"

static int extra_flags;
static mode_t create_mode;

static int open_flags(void)
{
	return O_RDONLY | O_CLOEXEC | extra_flags;
}

static void report(int fd, bool fixed, struct io_uring *ring)
{
	char c;
	ssize_t n;

	if (fd < 0) {
		printf("failed %d\n", -fd);
		return;
	}
	if (fixed) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		struct io_uring_cqe *cqe;

		io_uring_prep_read(sqe, fd, &c, 1, 0);
		sqe->flags |= IOSQE_FIXED_FILE;
		io_uring_submit_and_wait(ring, 1);
		if (io_uring_wait_cqe(ring, &cqe))
			prog_die("wait: read");
		n = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		if (n < 0)
			prog_die("read of fixed file %d: %s", fd, strerror((int)-n));
	} else {
		n = read(fd, &c, 1);
		close(fd);
	}
	printf("opened %zd\n", n < 0 ? (ssize_t)0 : n);
}

/* Waits for n completions and returns the result of the one tagged `want`. */
static int wait_tag(struct io_uring *ring, unsigned n, uint64_t want)
{
	int res = -EIO;

	for (unsigned i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		int r = io_uring_wait_cqe(ring, &cqe);

		if (r < 0)
			prog_die("io_uring_wait_cqe: %s", strerror(-r));
		if (cqe->user_data == want)
			res = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return res;
}

static void ring_init(struct io_uring *ring, unsigned flags)
{
	struct io_uring_params p = { .flags = flags, .sq_thread_idle = 100 };
	int r = io_uring_queue_init_params(8, ring, &p);

	if (r < 0)
		prog_die("io_uring_queue_init: %s", strerror(-r));
}

static void by_uring(const char *method, int dirfd, const char *path)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct open_how how = { .flags = (uint64_t)open_flags() };
	unsigned setup = 0, n = 1;
	bool fixed = false;
	int res;

	if (!strcmp(method, "uring-sqpoll"))
		setup = IORING_SETUP_SQPOLL;
	else if (!strcmp(method, "uring-defer"))
		setup = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	ring_init(&ring, setup);
	if (!strcmp(method, "uring-fixed") || !strcmp(method, "uring-alloc")) {
		int r = io_uring_register_files_sparse(&ring, 8);

		if (r < 0)
			prog_die("register files: %s", strerror(-r));
		fixed = true;
	}
	if (!strcmp(method, "uring-link")) {
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_nop(sqe);
		sqe->flags |= IOSQE_IO_LINK;
		sqe->user_data = 2;
		n++;
	}
	sqe = io_uring_get_sqe(&ring);
	if (!strcmp(method, "uring-openat2"))
		io_uring_prep_openat2(sqe, dirfd, path, &how);
	else if (!strcmp(method, "uring-fixed"))
		/* direct descriptors refuse O_CLOEXEC (they are not in the file table) */
		io_uring_prep_openat_direct(sqe, dirfd, path, open_flags() & ~O_CLOEXEC, 0, 3);
	else if (!strcmp(method, "uring-alloc"))
		/* liburing 2.3 stores index + 1: ALLOC - 1 gives the kernel's ALLOC */
		io_uring_prep_openat_direct(sqe, dirfd, path, open_flags() & ~O_CLOEXEC, 0,
					    IORING_FILE_INDEX_ALLOC - 1);
	else
		io_uring_prep_openat(sqe, dirfd, path, open_flags(), create_mode);
	sqe->user_data = 1;
	if (!strcmp(method, "uring-async"))
		sqe->flags |= IOSQE_ASYNC;
	if (!strcmp(method, "uring-swap")) {
		/* the descriptor OPENAT will get is the lowest free one */
		int next = dup(0);

		if (next < 0)
			prog_die("dup: %s", strerror(errno));
		close(next);
		sqe->flags |= IOSQE_IO_LINK;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_close(sqe, next);
		sqe->flags |= IOSQE_IO_LINK;
		sqe->user_data = 3;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_openat(sqe, AT_FDCWD, "/etc/hostname", O_RDONLY, 0);
		sqe->user_data = 4;
		n += 2;
	}
	res = io_uring_submit(&ring);
	if (res < 0)
		prog_die("io_uring_submit: %s", strerror(-res));
	res = wait_tag(&ring, n, 1);
	if (!strcmp(method, "uring-swap")) {
		printf("%s %d\n", res < 0 ? "failed" : "opened", res < 0 ? -res : 1);
		return;
	}
	if (fixed && !strcmp(method, "uring-fixed") && res == 0)
		res = 3;
	report(res, fixed, &ring);
	io_uring_queue_exit(&ring);
}

/* a file opened by its handle: the kernel gets no name at all, only the mount and the handle */
static int by_handle(int dirfd, const char *path)
{
	union {
		struct file_handle h;
		char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} u = { .h.handle_bytes = MAX_HANDLE_SZ };
	int mount_id, mfd, fd;

	if (name_to_handle_at(dirfd, path, &u.h, &mount_id, AT_SYMLINK_FOLLOW))
		prog_die("name_to_handle_at %s: %s", path, strerror(errno));
	mfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		prog_die("/: %s", strerror(errno));
	fd = open_by_handle_at(mfd, &u.h, open_flags());
	if (fd < 0)
		fd = -errno;
	close(mfd);
	return fd;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *root = NULL, *method, *path;
	int dirfd = AT_FDCWD, fd, opt;

	prog_name = "open_via";
	while ((opt = getopt(argc, argv, "t:x:m:d:r:")) != -1) {
		if (opt == 'x')
			extra_flags = (int)prog_num(optarg, 0, 0x7fffffff, "flags");
		else if (opt == 'm')
			create_mode = (mode_t)strtoul(optarg, NULL, 8);
		else if (opt == 'd')
			dir = optarg;
		else if (opt == 'r')
			root = optarg;
		else if (opt != 't')
			prog_usage(USAGE);
	}
	if (argc - optind != 2)
		prog_usage(USAGE);
	method = argv[optind];
	path = argv[optind + 1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (dir) {
		dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			prog_die("%s: %s", dir, strerror(errno));
	}
	if (!strncmp(method, "uring", 5)) {
		by_uring(method, dirfd, path);
		return 0;
	}
	if (!strcmp(method, "sys")) {
		fd = openat(dirfd, path, open_flags(), create_mode);
	} else if (!strcmp(method, "openat2")) {
		struct open_how how = { .flags = (uint64_t)open_flags(),
					.resolve = dir ? RESOLVE_IN_ROOT : RESOLVE_NO_MAGICLINKS };

		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	} else if (!strcmp(method, "opath")) {
		char link[64];
		int p = openat(dirfd, path, O_PATH | O_CLOEXEC);

		if (p < 0) {
			report(-errno, false, NULL);
			return 0;
		}
		snprintf(link, sizeof(link), "/proc/self/fd/%d", p);
		fd = open(link, open_flags());
	} else if (!strcmp(method, "tree")) {
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, dir ? dir : "/",
					OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

		if (tree < 0)
			prog_die("open_tree %s: %s", dir ? dir : "/", strerror(errno));
		fd = openat(tree, path, open_flags());
	} else if (!strcmp(method, "handle")) {
		fd = by_handle(dirfd, path);
	} else if (!strcmp(method, "chroot")) {
		if (!root || chroot(root) || chdir("/"))
			prog_die("chroot %s: %s", root ? root : "(no -r ROOT)", strerror(errno));
		fd = open(path, open_flags());
	} else {
		prog_die("unknown method '%s'", method);
	}
	if (fd < 0 && strcmp(method, "handle"))
		fd = -errno;
	report(fd, false, NULL);
	return 0;
}
