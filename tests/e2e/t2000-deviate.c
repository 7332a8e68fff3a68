/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t2000-deviate MODEFILE: one deviation per run, chosen by the first word of MODEFILE, so the
 * command line (and so the learned exec entry) is the same in every run. Built by the t2000
 * tests (static). "benign" does nothing beyond what every mode does: read MODEFILE. Further
 * words are parameters (a path, an address).
 *
 * Modes: benign exec args file syscall capability dns egress udp udp-mmsg fastopen iouring
 *        memfd devshm token ptrace unshare
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "t2000-deviate: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork");
	if (!pid) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	waitpid(pid, &st, 0);
}

/* Copies /bin/true into fd (a memfd or a file). */
static void copy_true(int fd)
{
	char buf[65536];
	int in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (in < 0)
		die("/bin/true");
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)n) != n)
			die("write");
	}
	close(in);
}

/* A DNS question for name to 127.0.0.1:53 (the answer does not matter). */
static void dns(const char *name)
{
	unsigned char q[512] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	size_t off = 12;
	int fd;

	for (const char *p = name; *p;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		q[off++] = (unsigned char)len;
		memcpy(q + off, p, len);
		off += len;
		p += len + (dot ? 1 : 0);
	}
	q[off++] = 0;
	q[off++] = 0;
	q[off++] = 1; /* A */
	q[off++] = 0;
	q[off++] = 1; /* IN */
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, q, off, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("dns");
	close(fd);
}

/* "ADDR:PORT" (IPv4) into sin; 0, or -1 when it has no port. */
static int addr_port(char *arg, struct sockaddr_in *sin)
{
	char *colon = strrchr(arg, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
	inet_pton(AF_INET, arg, &sin->sin_addr);
	return 0;
}

/* Egress with no connect: a UDP datagram to to (sendto), or a sendmmsg whose first message
 * goes to the learned DNS server and whose second goes to to, or TCP Fast Open to to. */
static void send_without_connect(const char *how, const struct sockaddr_in *to)
{
	struct sockaddr_in dns = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct iovec iov = { .iov_base = "vigil", .iov_len = 5 };
	struct mmsghdr mm[2];
	int fd;

	if (!strcmp(how, "fastopen")) {
		/* the SYN leaves whether or not anyone answers (as egress's connect) */
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		sendto(fd, "vigil", 5, MSG_FASTOPEN, (const struct sockaddr *)to, sizeof(*to));
		close(fd);
		return;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	if (!strcmp(how, "udp")) {
		if (sendto(fd, "vigil", 5, 0, (const struct sockaddr *)to, sizeof(*to)) != 5)
			die("sendto");
	} else {
		inet_pton(AF_INET, "127.0.0.1", &dns.sin_addr);
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < 2; i++) {
			mm[i].msg_hdr.msg_name = i ? (void *)to : (void *)&dns;
			mm[i].msg_hdr.msg_namelen = sizeof(dns);
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		if (sendmmsg(fd, mm, 2, 0) != 2)
			die("sendmmsg");
	}
	close(fd);
}

int main(int argc, char **argv)
{
	char mode[64] = "", arg[4096] = "";
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: t2000-deviate MODEFILE\n");
		return 2;
	}
	f = fopen(argv[1], "re");
	if (!f)
		die(argv[1]);
	if (fscanf(f, "%63s %4095s", mode, arg) < 1)
		return 2;
	fclose(f);

	if (!strcmp(mode, "benign"))
		return 0;
	if (!strcmp(mode, "exec")) {
		run((char *[]){ "/bin/true", NULL });
	} else if (!strcmp(mode, "args")) {
		run((char *[]){ "/bin/date", "-u", NULL });
	} else if (!strcmp(mode, "file")) {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die(arg);
		close(fd);
	} else if (!strcmp(mode, "syscall")) {
		syscall(SYS_getpriority, 0, 0);
	} else if (!strcmp(mode, "capability")) {
		int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

		if (fd >= 0)
			close(fd);
	} else if (!strcmp(mode, "dns")) {
		dns(arg);
	} else if (!strcmp(mode, "egress")) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		char *colon = strrchr(arg, ':');
		int fd;

		if (!colon)
			return 2;
		*colon = '\0';
		sin.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
		inet_pton(AF_INET, arg, &sin.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		close(fd);
	} else if (!strcmp(mode, "udp") || !strcmp(mode, "udp-mmsg") || !strcmp(mode, "fastopen")) {
		struct sockaddr_in to;

		if (addr_port(arg, &to))
			return 2;
		send_without_connect(mode, &to);
	} else if (!strcmp(mode, "iouring")) {
		struct io_uring ring;
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;

		if (io_uring_queue_init(4, &ring, 0) < 0)
			die("io_uring");
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_nop(sqe);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe) == 0)
			io_uring_cqe_seen(&ring, cqe);
		io_uring_queue_exit(&ring);
	} else if (!strcmp(mode, "memfd")) {
		int fd = memfd_create("payload", MFD_CLOEXEC);
		pid_t pid;

		if (fd < 0)
			die("memfd_create");
		copy_true(fd);
		pid = fork();
		if (!pid) {
			fexecve(fd, (char *[]){ "true", NULL }, environ);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(mode, "devshm")) {
		int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

		if (fd < 0)
			die(arg);
		copy_true(fd);
		close(fd);
		run((char *[]){ arg, NULL });
	} else if (!strcmp(mode, "token")) {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
	} else if (!strcmp(mode, "ptrace")) {
		pid_t pid = fork();

		if (!pid) {
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(mode, "unshare")) {
		if (unshare(CLONE_NEWUTS) < 0)
			die("unshare");
	} else {
		fprintf(stderr, "t2000-deviate: unknown mode %s\n", mode);
		return 2;
	}
	return 0;
}
