/* SPDX-License-Identifier: Apache-2.0 */
/*
 * red_addr_race connect|fastopen ADDR PORT DECOY PORT2: a blocking TCP connect(), or TCP Fast
 * Open (sendto with MSG_FASTOPEN, no connect), to ADDR:PORT, while a second thread rewrites the
 * caller's sockaddr to DECOY:PORT2 200 ms after the call began. The kernel copied ADDR:PORT when the call began and its SYN goes there; a
 * sensor that reads the address from the caller's memory when the call returns sees DECOY.
 * The call must block for the rewrite to land: ADDR should not answer (a peer that drops the
 * SYN, or a listener whose accept queue is full); SO_SNDTIMEO bounds the wait to 1 s. Prints
 * "connect|fastopen RESULT" (the errno's name or 0).
 */
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/time.h>

#include "progs.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

static struct sockaddr_storage target, decoy;
static socklen_t target_len;

static void *rewrite(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	memcpy(&target, &decoy, sizeof(decoy));
	return NULL;
}

int main(int argc, char **argv)
{
	struct timeval tv = { 1, 0 };
	pthread_t th;
	ssize_t n;
	int fd;

	prog_name = "red_addr_race";
	if (argc != 6 || (strcmp(argv[1], "connect") && strcmp(argv[1], "fastopen")))
		prog_usage("connect|fastopen ADDR PORT DECOY PORT2");
	target_len = prog_sockaddr(argv[2], argv[3], &target);
	if (prog_sockaddr(argv[4], argv[5], &decoy) != target_len)
		prog_die("ADDR and DECOY must be of one family");
	fd = socket(target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		prog_die("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		prog_die("SO_SNDTIMEO: %s", strerror(errno));
	if (pthread_create(&th, NULL, rewrite, NULL))
		prog_die("pthread_create failed");
	if (!strcmp(argv[1], "connect"))
		n = connect(fd, (struct sockaddr *)&target, target_len);
	else
		n = sendto(fd, "vigil", 5, MSG_FASTOPEN, (struct sockaddr *)&target, target_len);
	pthread_join(th, NULL);
	printf("%s %s\n", argv[1], n < 0 ? strerror(errno) : "0");
	close(fd);
	return 0;
}
