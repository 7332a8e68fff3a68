// SPDX-License-Identifier: Apache-2.0
/* Container name, image and labels from `podman inspect` (or `docker inspect`), time-bounded;
 * the answer is read by meta_parse.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sensor/agent/meta.h"
#include "util/buf.h"
#include "util/strutil.h"

#define META_TIMEOUT_MS 5000

#define STR_(x) #x
#define STR(x)	STR_(x)
/* One label a line, key and value each printed by the engine's `json` (a newline, a NUL or a
 * quote in either cannot leave its string; Go's encoder turns invalid UTF-8 into U+FFFD), or,
 * when longer than the bound, only its length: one oversized label (an image's LABEL can be
 * megabytes) neither fills the answer nor costs the others (meta_parse.c). Before, the labels
 * came as one JSON object, which was refused whole for a single "\u0000". */
#define LABELS_FORMAT                                                                                      \
	"{{range $k, $v := .Config.Labels}}"                                                               \
	"{{if le (len $k) " STR(                                                                           \
		VIGIL_META_KEY_MAX) "}}{{json $k}}{{else}}{{len $k}}{{end}} "                              \
				    "{{if le (len $v) " STR(                                               \
					    VIGIL_META_VALUE_MAX) "}}{{json $v}}{{else}}{{len $v}}{{end}}" \
								  "{{println}}{{end}}"
static const char meta_format[] = "{{.Name}}{{println}}{{.ImageName}}{{println}}" LABELS_FORMAT;
static const char docker_format[] =
	"{{.Name}}{{println}}{{.Config.Image}}{{println}}" LABELS_FORMAT;

/* A CLI question in flight: its child, the read end of its stdout, what it said so far. */
struct vigil_meta_query {
	pid_t pid;
	int fd;
	struct timespec t0;
	long bound_ms;
	struct vigil_buf out;
	bool cut;    /* the answer went past VIGIL_META_ANSWER_MAX: the rest was read, not kept */
	bool docker; /* which format it was asked in */
};

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int query_start(const char *container_id, bool docker, long bound_ms,
		       struct vigil_meta_query **ret)
{
	char *const argv[] = { docker ? "docker" : "podman",
			       "inspect",
			       "--type",
			       "container",
			       "--format",
			       (char *)(docker ? docker_format : meta_format),
			       (char *)container_id,
			       NULL };
	struct vigil_meta_query *q = calloc(1, sizeof(*q));
	int pfd[2], err;

	if (!q)
		return -ENOMEM;
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
		err = -errno;
		free(q);
		return err;
	}
	q->pid = fork();
	if (q->pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		free(q);
		return err;
	}
	if (q->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(pfd[1], 1);
		fcntl(1, F_SETFL, 0); /* the CLI writes blocking */
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	q->fd = pfd[0];
	q->docker = docker;
	q->bound_ms = bound_ms;
	clock_gettime(CLOCK_MONOTONIC, &q->t0);
	*ret = q;
	return 0;
}

/* Reads what is there, waiting at most wait_ms: -EAGAIN while the CLI is still talking,
 * else its verdict (0 on exit status 0); the child is reaped either way. */
static int query_step(struct vigil_meta_query *q, long wait_ms)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	int status, err = 0;

	for (;;) {
		char buf[4096];
		long left = q->bound_ms - elapsed_ms(&q->t0);
		ssize_t n;

		if (left <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)(wait_ms < left ? wait_ms : left)) <= 0) {
			if (wait_ms < left)
				return -EAGAIN;
			continue;
		}
		n = read(q->fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			break;
		/* past the bound the engine is still read to its end (its exit status says
		 * whether it answered), the labels that arrived whole are kept */
		if (q->out.len + (size_t)n > VIGIL_META_ANSWER_MAX) {
			n = (ssize_t)(VIGIL_META_ANSWER_MAX - q->out.len);
			q->cut = true;
		}
		if (n > 0 && vigil_buf__append(&q->out, buf, (size_t)n)) {
			err = -ENOMEM;
			break;
		}
	}
	close(q->fd);
	q->fd = -1;
	if (err)
		kill(q->pid, SIGKILL);
	if (waitpid(q->pid, &status, 0) < 0)
		err = err ? err : -errno;
	else if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -ENOENT;
	q->pid = -1;
	return err;
}

static int parse_answer(struct vigil_meta_query *q, struct vigil_container_meta *ret)
{
	return vigil_container_meta__parse(q->out.data, q->out.len, q->cut, ret);
}

void vigil_meta_query__free(struct vigil_meta_query *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0);
	}
	vigil_buf__release(&q->out);
	free(q);
}

int vigil_meta_query__start(const char *container_id, bool docker, long bound_ms,
			    struct vigil_meta_query **ret)
{
	return query_start(container_id, docker, bound_ms, ret);
}

int vigil_meta_query__poll(struct vigil_meta_query *q, struct vigil_container_meta *ret)
{
	int err = q->pid > 0 ? query_step(q, 0) : -EINVAL;

	return err ? err : parse_answer(q, ret);
}

/* Asks one engine and waits for its answer (bounded). */
static int ask(const char *container_id, bool docker, struct vigil_container_meta *ret)
{
	struct vigil_meta_query *q;
	int err = query_start(container_id, docker, META_TIMEOUT_MS, &q);

	if (err)
		return err;
	err = query_step(q, META_TIMEOUT_MS);
	if (!err)
		err = parse_answer(q, ret);
	vigil_meta_query__free(q);
	return err;
}

int vigil_container_meta__get(const char *container_id, struct vigil_container_meta *ret)
{
	int err;

	memset(ret, 0, sizeof(*ret));
	err = ask(container_id, false, ret);
	if (err) {
		int podman_err = err;

		err = ask(container_id, true, ret);
		/* podman that did not answer in time is worth asking again (meta_late.c); a docker
		 * that is not there says nothing about it */
		if (err && podman_err == -ETIMEDOUT)
			err = podman_err;
	}
	return err;
}

const char *vigil_container_meta__label(const struct vigil_container_meta *m, const char *key)
{
	const char *p = m->labels, *end = p ? p + m->labels_size : NULL;

	while (p && p < end) {
		const char *value = p + strlen(p) + 1;

		if (!strcmp(p, key))
			return value;
		p = value + strlen(value) + 1;
	}
	return NULL;
}

bool vigil_container_meta__has_label(const struct vigil_container_meta *m, const char *key,
				     const char *value)
{
	const char *v = vigil_container_meta__label(m, key);

	return v && (!value || !strcmp(v, value));
}

void vigil_container_meta__release(struct vigil_container_meta *m)
{
	free(m->labels);
	free(m->warnings);
	m->labels = m->warnings = NULL;
	m->labels_size = 0;
	m->nlabels = 0;
}
