// SPDX-License-Identifier: Apache-2.0
/* Container name, image and labels from `podman inspect` (or `docker inspect`), time-bounded. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sensor/agent/meta.h"
#include "util/buf.h"
#include "util/strutil.h"

#define META_TIMEOUT_MS 5000
#define META_MAX_BYTES	(64u << 10)

/* The labels as JSON: a label's key or value may hold a newline (an image's LABEL, or whoever
 * creates the container), and as "KEY=VALUE" lines such a value forged another label, e.g. a
 * binding label or kubescape.io/user-defined-profile. */
static const char meta_format[] = "{{.Name}}{{println}}{{.ImageName}}{{println}}"
				  "{{json .Config.Labels}}";
static const char docker_format[] = "{{.Name}}{{println}}{{.Config.Image}}{{println}}"
				    "{{json .Config.Labels}}";

/* A CLI question in flight: its child, the read end of its stdout, what it said so far. */
struct vigil_meta_query {
	pid_t pid;
	int fd;
	struct timespec t0;
	long bound_ms;
	struct vigil_buf out;
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
		if (q->out.len + (size_t)n > META_MAX_BYTES ||
		    vigil_buf__append(&q->out, buf, (size_t)n)) {
			err = -E2BIG;
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

static void take_line(char **s, char *dst, size_t size)
{
	char *nl = strchr(*s, '\n');

	if (nl)
		*nl = '\0';
	vigil_strlcpy(dst, *s, size);
	*s = nl ? nl + 1 : *s + strlen(*s);
}

/* The engine's JSON object of labels into "KEY=VALUE\n" lines. A label that cannot be one line
 * (a newline in it, or "=" in its key) is left out: no binding or profile label has one. */
static int labels_from_json(const char *text, char **ret)
{
	json_error_t jerr;
	/* "null" when there are none */
	json_t *o = json_loads(text, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &jerr);
	struct vigil_buf b = VIGIL_BUF_INIT;
	const char *k;
	json_t *v;
	int err = 0;

	*ret = NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	json_object_foreach(o, k, v)
	{
		const char *val = json_string_value(v);

		if (!val || strchr(k, '\n') || strchr(k, '=') || strchr(val, '\n'))
			continue;
		if ((err = vigil_buf__printf(&b, "%s=%s\n", k, val)) < 0)
			break;
	}
	json_decref(o);
	if (err < 0 || !b.len) {
		vigil_buf__release(&b);
		return err < 0 ? err : 0;
	}
	*ret = strndup(b.data, b.len);
	vigil_buf__release(&b);
	return *ret ? 0 : -ENOMEM;
}

static int parse_answer(struct vigil_meta_query *q, struct vigil_container_meta *ret)
{
	char *s;

	memset(ret, 0, sizeof(*ret));
	if (!q->out.data)
		return -ENOENT;
	s = q->out.data;
	take_line(&s, ret->name, sizeof(ret->name));
	/* docker prints "/name" */
	if (ret->name[0] == '/')
		memmove(ret->name, ret->name + 1, strlen(ret->name));
	take_line(&s, ret->image, sizeof(ret->image));
	return labels_from_json(s, &ret->labels);
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
	static char value[512];
	size_t klen = strlen(key);

	for (const char *line = m->labels; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			size_t vlen = len - klen - 1;

			if (vlen >= sizeof(value))
				vlen = sizeof(value) - 1;
			memcpy(value, line + klen + 1, vlen);
			value[vlen] = '\0';
			return value;
		}
		line = nl ? nl + 1 : line + len;
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
	m->labels = NULL;
}
