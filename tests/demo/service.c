/* SPDX-License-Identifier: Apache-2.0 */
/*
 * service CONFIG: the founding demo's benign service (C, dynamically linked). One run:
 *   1. reads CONFIG ("key = value" lines) and, if set, the file named by data;
 *   2. spawns the child program once (default /bin/date) and waits for it;
 *   3. resolves name through the DNS responder at dns (UDP, tests/progs/dns_server);
 *   4. for each of requests (default 1): connects to peer (TCP, tests/progs/tcp_echo), sends
 *      message (plus the data file's bytes), reads the echo back.
 * The inputs (message, data content, requests) may vary between runs without changing what it
 * does, so a profile learned on one run covers the others. Loopback peers only; bounded.
 *
 * Keys: peer = IP:PORT, dns = IP:PORT, name = DNS name, message = text, data = PATH,
 *       child = PATH, child_args = ARGS (space-separated), requests = 1..100.
 * Changing name, peer, data's path, child or child_args is a deviation a profile must catch.
 */
#include <poll.h>

#include "dns_wire.h"
#include "progs.h"

struct config {
	char peer[64], dns[64], name[DNS_MAX_NAME + 1], message[512], data[PATH_MAX];
	char child[PATH_MAX], child_args[256];
	long requests;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static void load_config(const char *path, struct config *c)
{
	char line[1024];
	int lineno = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		prog_die("%s: %s", path, strerror(errno));
	snprintf(c->child, sizeof(c->child), "/bin/date");
	c->requests = 1;
	while (fgets(line, sizeof(line), f) && lineno < 1000) {
		char *eq, *k, *v;

		lineno++;
		k = trim(line);
		if (*k == '#' || *k == 0)
			continue;
		eq = strchr(k, '=');
		if (!eq)
			prog_die("%s:%d: expected key = value", path, lineno);
		*eq = 0;
		k = trim(k);
		v = trim(eq + 1);
		if (!strcmp(k, "peer"))
			snprintf(c->peer, sizeof(c->peer), "%s", v);
		else if (!strcmp(k, "dns"))
			snprintf(c->dns, sizeof(c->dns), "%s", v);
		else if (!strcmp(k, "name"))
			snprintf(c->name, sizeof(c->name), "%s", v);
		else if (!strcmp(k, "message"))
			snprintf(c->message, sizeof(c->message), "%s", v);
		else if (!strcmp(k, "data"))
			snprintf(c->data, sizeof(c->data), "%s", v);
		else if (!strcmp(k, "child"))
			snprintf(c->child, sizeof(c->child), "%s", v);
		else if (!strcmp(k, "child_args"))
			snprintf(c->child_args, sizeof(c->child_args), "%s", v);
		else if (!strcmp(k, "requests"))
			c->requests = prog_num(v, 1, 100, "requests");
		else
			prog_die("%s:%d: unknown key '%s'", path, lineno, k);
	}
	fclose(f);
	if (!c->peer[0] || !c->dns[0] || !c->name[0])
		prog_die("%s: peer, dns and name are required", path);
}

/* Splits "IP:PORT" (IPv4) into a socket address. */
static socklen_t parse_hostport(const char *hp, struct sockaddr_storage *ss)
{
	char host[64];
	const char *colon = strrchr(hp, ':');

	if (!colon || (size_t)(colon - hp) >= sizeof(host))
		prog_die("%s: expected IP:PORT", hp);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hp), hp);
	return prog_sockaddr(host, colon + 1, ss);
}

static size_t read_data(const char *path, char *buf, size_t cap)
{
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		prog_die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Runs PATH once with ARGS (space-separated, at most 8) and waits for it. */
static void run_child(const char *path, char *args)
{
	extern char **environ;
	char *argv[10] = { (char *)path };
	char *save = NULL, *tok;
	int argc = 1;
	pid_t pid;

	for (tok = strtok_r(args, " ", &save); tok && argc < 9; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	pid = fork();

	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		execve(path, argv, environ);
		_exit(127);
	}
	if (prog_wait(pid) != 0)
		prog_die("%s failed", path);
}

static void resolve(const char *server, const char *name, char *out, size_t cap)
{
	uint8_t q[DNS_MAX_MSG], r[DNS_MAX_MSG];
	struct sockaddr_storage ss;
	struct pollfd pfd;
	char qname[DNS_MAX_NAME + 2];
	socklen_t slen = parse_hostport(server, &ss);
	uint16_t id = (uint16_t)getpid();
	int fd, qlen, off;
	ssize_t n;

	qlen = dns_build_query(q, sizeof(q), id, name);
	if (qlen < 0)
		prog_die("%s: not a valid DNS name", name);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, q, (size_t)qlen, 0, (struct sockaddr *)&ss, slen) != qlen)
		prog_die("dns %s: %s", server, strerror(errno));
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) != 1)
		prog_die("dns %s: no answer within 2 s", server);
	n = recv(fd, r, sizeof(r), 0);
	close(fd);
	off = n >= 12 ? dns_get_question(r, (size_t)n, qname, sizeof(qname)) : -1;
	if (off < 0 || ((r[0] << 8) | r[1]) != id || (r[3] & 0x0f) || ((r[6] << 8) | r[7]) < 1 ||
	    off + 16 > n || r[off] != 0xc0 || r[off + 11] != 4)
		prog_die("dns %s: no usable answer for %s", server, name);
	snprintf(out, cap, "%u.%u.%u.%u", r[off + 12], r[off + 13], r[off + 14], r[off + 15]);
}

static long request(const char *peer, const char *msg, const char *data, size_t dlen)
{
	struct sockaddr_storage ss;
	socklen_t slen = parse_hostport(peer, &ss);
	size_t want = strlen(msg) + dlen;
	struct timeval tv = { .tv_sec = 2 };
	char buf[4096];
	long got = 0;
	ssize_t n;
	int fd;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, slen) < 0)
		prog_die("connect %s: %s", peer, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) < 0 ||
	    (dlen && send(fd, data, dlen, MSG_NOSIGNAL) < 0))
		prog_die("send %s: %s", peer, strerror(errno));
	shutdown(fd, SHUT_WR);
	while ((size_t)got < want && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
		got += n;
	close(fd);
	if ((size_t)got != want)
		prog_die("%s echoed %ld of %zu bytes", peer, got, want);
	return got;
}

int main(int argc, char **argv)
{
	static struct config c;
	static char data[4096];
	char addr[32];
	size_t dlen = 0;
	long total = 0;

	prog_name = "service";
	if (argc != 2)
		prog_usage("CONFIG");
	load_config(argv[1], &c);
	if (c.data[0])
		dlen = read_data(c.data, data, sizeof(data));
	run_child(c.child, c.child_args);
	resolve(c.dns, c.name, addr, sizeof(addr));
	for (long i = 0; i < c.requests; i++)
		total += request(c.peer, c.message, data, dlen);
	printf("service: %s is %s; %ld request(s) to %s, %ld bytes echoed\n", c.name, addr,
	       c.requests, c.peer, total);
	return 0;
}
