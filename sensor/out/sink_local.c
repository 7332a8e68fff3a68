// SPDX-License-Identifier: Apache-2.0
/*
 * stdout and file: sinks. One write per alert (line + newline in one writev), so on an
 * O_APPEND file concurrent writers never interleave inside a line and a reader sees whole
 * lines as soon as emit returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sensor/out/kubescape.h"
#include "sensor/out/sink.h"
#include "util/strutil.h"

static int open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);

	return fd < 0 ? -errno : fd;
}

int vigil_sink_local__open(struct vigil_sink *s, const char *path, char *err, size_t err_size)
{
	int fd = open_append(path);

	if (fd < 0) {
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(-fd));
		return fd;
	}
	/* Remember an absolute path: a later chdir must not change what reopen opens. */
	if (path[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		if (cwd && asprintf(&s->path, "%s/%s", cwd, path) < 0)
			s->path = NULL;
		free(cwd);
	} else {
		s->path = strdup(path);
	}
	if (!s->path) {
		close(fd);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	s->fd = fd;
	return 0;
}

static void note_error(struct vigil_sink *s, const char *what, int e)
{
	snprintf(s->st.last_error, sizeof(s->st.last_error), "%s: %s", what, strerror(e));
}

const char *vigil_sink__line(const struct vigil_sink *s, const struct vigil_alert_msg *m,
			     size_t *len, char **owned)
{
	json_t *k;

	*owned = NULL;
	if (s->cfg.format != VIGIL_SINK_FORMAT_KUBESCAPE) {
		*len = m->len;
		return m->line;
	}
	k = vigil_kubescape__runtime_alert(m->json, (enum vigil_ks_names)s->cfg.ks_names);
	*owned = k ? json_dumps(k, JSON_COMPACT) : NULL;
	json_decref(k);
	*len = *owned ? strlen(*owned) : 0;
	return *owned;
}

int vigil_sink_local__write(struct vigil_sink *s, const struct vigil_alert_msg *m)
{
	char *owned;
	size_t len;
	const char *line = vigil_sink__line(s, m, &len, &owned);
	struct iovec iov[2] = {
		{ .iov_base = (void *)line, .iov_len = len },
		{ .iov_base = (void *)"\n", .iov_len = 1 },
	};
	size_t left = len + 1;
	int ret = 0;

	if (!line) {
		pthread_mutex_lock(&s->mu);
		s->st.failures++;
		s->st.dropped++;
		note_error(s, "format", ENOMEM);
		pthread_mutex_unlock(&s->mu);
		return -ENOMEM;
	}

	pthread_mutex_lock(&s->mu);
	while (left) {
		ssize_t n = writev(s->fd, iov, 2);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		left -= (size_t)n;
		/* A short write (pipe, full disk): continue where it stopped. */
		for (int i = 0; i < 2; i++) {
			size_t take = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + take;
			iov[i].iov_len -= take;
			n -= (ssize_t)take;
		}
	}
	if (ret < 0) {
		s->st.failures++;
		s->st.dropped++;
		note_error(s, "write", -ret);
		ret = -EIO;
	} else {
		s->st.sent++;
	}
	pthread_mutex_unlock(&s->mu);
	free(owned);
	return ret;
}

int vigil_sink_local__reopen(struct vigil_sink *s)
{
	int fd = open_append(s->path);

	pthread_mutex_lock(&s->mu);
	if (fd < 0) {
		note_error(s, "reopen", -fd);
		pthread_mutex_unlock(&s->mu);
		return fd;
	}
	close(s->fd);
	s->fd = fd;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static int stdout_open(struct vigil_sink *s, const char *addr, char *err, size_t err_size)
{
	(void)addr;
	(void)err;
	(void)err_size;
	s->fd = STDOUT_FILENO;
	return 0;
}

static const char *const local_options[] = { "format", "names", NULL };

/* stdout: one compact JSON line per alert. */
const struct vigil_sink_type vigil_sink_stdout = {
	.name = "stdout",
	.usage = "stdout",
	.addr = VIGIL_SINK_ADDR_NONE,
	.options = local_options,
	.open = stdout_open,
};

/* file:PATH: one line per alert, appended; reopened by path on SIGHUP (log rotation). */
const struct vigil_sink_type vigil_sink_file = {
	.name = "file",
	.usage = "file:PATH",
	.addr = VIGIL_SINK_ADDR_REQUIRED,
	.own_file = true,
	.options = local_options,
	.open = vigil_sink_local__open,
};
