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

#include "sensor/agent/meta.h"
#include "util/buf.h"
#include "util/strutil.h"

#define META_TIMEOUT_MS 5000
#define META_MAX_BYTES	(64u << 10)

static const char meta_format[] = "{{.Name}}{{println}}{{.ImageName}}{{println}}"
				  "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{println}}"
				  "{{end}}";
static const char docker_format[] = "{{.Name}}{{println}}{{.Config.Image}}{{println}}"
				    "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{println}}"
				    "{{end}}";

/* Runs argv, collects stdout (bounded) within the timeout. 0 on exit status 0. */
static int run_capture(char *const argv[], struct vigil_buf *out)
{
	int pfd[2], status, err = 0;
	struct timespec t0, t;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(pfd[1], 1);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		char buf[4096];
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= META_TIMEOUT_MS) {
			err = -ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)(META_TIMEOUT_MS - ms)) <= 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (out->len + (size_t)n > META_MAX_BYTES || vigil_buf__append(out, buf, (size_t)n))
			err = -E2BIG;
		if (err)
			break;
	}
	close(pfd[0]);
	if (err)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return err ? err : -errno;
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -ENOENT;
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

int vigil_container_meta__get(const char *container_id, struct vigil_container_meta *ret)
{
	char *const podman[] = { "podman",
				 "inspect",
				 "--type",
				 "container",
				 "--format",
				 (char *)meta_format,
				 (char *)container_id,
				 NULL };
	char *const docker[] = { "docker",
				 "inspect",
				 "--type",
				 "container",
				 "--format",
				 (char *)docker_format,
				 (char *)container_id,
				 NULL };
	struct vigil_buf out = VIGIL_BUF_INIT;
	char *s;
	int err;

	memset(ret, 0, sizeof(*ret));
	err = run_capture(podman, &out);
	if (err) {
		int podman_err = err;

		vigil_buf__reset(&out);
		out.len = 0;
		err = run_capture(docker, &out);
		/* podman that did not answer in time is worth asking again (meta_late.c); a docker
		 * that is not there says nothing about it */
		if (err && podman_err == -ETIMEDOUT)
			err = podman_err;
	}
	if (err || !out.data) {
		vigil_buf__release(&out);
		return err ? err : -ENOENT;
	}
	s = out.data;
	take_line(&s, ret->name, sizeof(ret->name));
	/* docker prints "/name" */
	if (ret->name[0] == '/')
		memmove(ret->name, ret->name + 1, strlen(ret->name));
	take_line(&s, ret->image, sizeof(ret->image));
	if (*s)
		ret->labels = strdup(s);
	vigil_buf__release(&out);
	return 0;
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
