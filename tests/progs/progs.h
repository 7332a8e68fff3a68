/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the test trigger programs in tests/progs/. Each program performs exactly
 * one behaviour and exits 0; on failure it prints "PROG: what: why" once and exits 1.
 * Header-only so every program stays a single standalone translation unit.
 */
#ifndef VIGIL_TEST_PROGS_H
#define VIGIL_TEST_PROGS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char *prog_name = "prog";

__attribute__((format(printf, 1, 2), noreturn)) static inline void prog_die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s: ", prog_name);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One write, so the line cannot interleave with other output. */
	fprintf(stderr, "%s\n", msg);
	exit(1);
}

__attribute__((noreturn)) static inline void prog_usage(const char *usage)
{
	fprintf(stderr, "usage: %s %s\n", prog_name, usage);
	exit(2);
}

/* Parses a decimal number in [min, max]; dies with a message naming WHAT otherwise. */
static inline long prog_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		prog_die("%s: invalid number '%s' (want %ld..%ld)", what, s, min, max);
	return v;
}

/* Fills an IPv4 or IPv6 socket address from a numeric HOST and PORT. Returns its length. */
static inline socklen_t prog_sockaddr(const char *host, const char *port,
				      struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	uint16_t p = (uint16_t)prog_num(port, 0, 65535, "port");

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(p);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		return sizeof(*in6);
	}
	prog_die("%s: not a numeric IPv4/IPv6 address", host);
}

/* Copies SRC to a new file DST with MODE; DST must not exist. Returns 0 or -errno. */
static inline int prog_copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			err = errno ? -errno : -EIO;
			break;
		}
	}
	if (n < 0)
		err = -errno;
	if (fchmod(out, mode) < 0 && !err)
		err = -errno;
	if (close(out) < 0 && !err)
		err = -errno;
	close(in);
	return err;
}

/* Waits for PID; returns its exit status, or 128+signal, or -1. */
static inline int prog_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

#endif
