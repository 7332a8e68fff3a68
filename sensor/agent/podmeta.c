// SPDX-License-Identifier: Apache-2.0
/*
 * Where runtimes keep a running container's OCI bundle (relative to the host's root):
 *
 *   containerd   /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json
 *                (k3s: /run/k3s/containerd/...)
 *   runc         /run/containerd/runc/<namespace>/<id>/state.json, /run/runc/<id>/state.json:
 *                its "bundle=" label names the bundle, wherever the runtime's state lives
 *   CRI-O        /run/containers/storage/overlay-containers/<id>/userdata/config.json
 *
 * Every file is opened without following a final symlink, must be a regular file and is read
 * up to VIGIL_K8S_BUNDLE_MAX bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/agent/podmeta.h"
#include "util/strutil.h"

#define NAMESPACES_MAX 32

static const char *const containerd_tasks[] = {
	"/run/containerd/io.containerd.runtime.v2.task",
	"/run/k3s/containerd/io.containerd.runtime.v2.task",
};
static const char *const runc_ns_roots[] = {
	"/run/containerd/runc",
	"/run/k3s/containerd/runc",
};
static const char *const runc_roots[] = { "/run/runc" };
static const char *const storage_roots[] = {
	"/run/containers/storage/overlay-containers",
	"/var/lib/containers/storage/overlay-containers",
};

/* Reads a regular file of at most VIGIL_K8S_BUNDLE_MAX bytes; *ret is malloc'd, NUL-ended. */
static int read_bounded(const char *path, char **ret, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	size_t got = 0;
	char *buf;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VIGIL_K8S_BUNDLE_MAX) {
		int e = S_ISREG(st.st_mode) ? -E2BIG : -EINVAL;

		close(fd);
		return e;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return 0;
}

static int parse_file(const char *path, struct vigil_k8s_identity *ret)
{
	char *json = NULL;
	size_t len = 0;
	int rc = read_bounded(path, &json, &len);

	if (rc < 0)
		return rc;
	rc = vigil_k8s_bundle__parse(json, len, ret, NULL);
	free(json);
	return rc;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* <root><dir>/<ns>/<id>/<leaf> for each namespace directory (bounded). */
static bool find_in_namespaces(const char *root, const char *dir, const char *id, const char *leaf,
			       char *out, size_t size)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && n++ < NAMESPACES_MAX && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(out, size, "%s%s/%s/%s/%s", root, dir, de->d_name, id, leaf) <
		    (int)size)
			found = exists(out);
	}
	closedir(d);
	return found;
}

/* The bundle's config.json named by a runc state file. */
static bool bundle_from_state(const char *root, const char *state, char *out, size_t size)
{
	char bundle[PATH_MAX], *json = NULL;
	size_t len = 0;
	int rc;

	if (read_bounded(state, &json, &len) < 0)
		return false;
	rc = vigil_k8s_runc_state__bundle(json, len, bundle, sizeof(bundle));
	free(json);
	return rc == 0 && snprintf(out, size, "%s%s/config.json", root, bundle) < (int)size &&
	       exists(out);
}

static bool find_bundle(const char *root, const char *extra, const char *id, char *out, size_t size)
{
	char state[PATH_MAX];

	if (extra && extra[0] == '/' &&
	    snprintf(state, sizeof(state), "%s/io.containerd.runtime.v2.task", extra) <
		    (int)sizeof(state) &&
	    find_in_namespaces(root, state, id, "config.json", out, size))
		return true;
	for (size_t i = 0; i < sizeof(containerd_tasks) / sizeof(containerd_tasks[0]); i++) {
		if (find_in_namespaces(root, containerd_tasks[i], id, "config.json", out, size))
			return true;
	}
	for (size_t i = 0; i < sizeof(runc_ns_roots) / sizeof(runc_ns_roots[0]); i++) {
		if (find_in_namespaces(root, runc_ns_roots[i], id, "state.json", state,
				       sizeof(state)) &&
		    bundle_from_state(root, state, out, size))
			return true;
	}
	for (size_t i = 0; i < sizeof(runc_roots) / sizeof(runc_roots[0]); i++) {
		snprintf(state, sizeof(state), "%s%s/%s/state.json", root, runc_roots[i], id);
		if (exists(state) && bundle_from_state(root, state, out, size))
			return true;
	}
	for (size_t i = 0; i < sizeof(storage_roots) / sizeof(storage_roots[0]); i++) {
		if (snprintf(out, size, "%s%s/%s/userdata/config.json", root, storage_roots[i],
			     id) < (int)size &&
		    exists(out))
			return true;
	}
	return false;
}

static bool no_hints(const struct vigil_k8s_hints *h)
{
	return !h->pod_template_hash[0] && !h->controller_revision_hash[0] && !h->job_name[0] &&
	       !h->user_defined_profile[0];
}

int vigil_podmeta__lookup(const char *host_root, const char *containerd_state,
			  const char *container_id, struct vigil_k8s_identity *ret, char *bundle,
			  size_t bundle_size)
{
	char path[PATH_MAX];
	const char *root = host_root && strcmp(host_root, "/") ? host_root : "";
	int rc;

	memset(ret, 0, sizeof(*ret));
	ret->runtime = "";
	/* /proc/1/root needs ptrace access to pid 1 (privileged, host pid namespace): without it
	 * the runtime's files are looked for under the agent's own root */
	if (root[0] && access(root, X_OK) != 0)
		root = "";
	if (!container_id || strlen(container_id) != 64 || !vigil_is_hex(container_id, 64))
		return -EINVAL;
	if (!find_bundle(root, containerd_state, container_id, path, sizeof(path)))
		return -ENOENT;
	if (bundle)
		vigil_strlcpy(bundle, path, bundle_size);
	rc = parse_file(path, ret);
	/* CRI-O keeps the pod's labels on the sandbox: they say which controller made the pod */
	if (rc == 1 && !ret->sandbox && ret->sandbox_id[0] && no_hints(&ret->hints) &&
	    strcmp(ret->sandbox_id, container_id)) {
		struct vigil_k8s_identity sb;

		if (find_bundle(root, containerd_state, ret->sandbox_id, path, sizeof(path)) &&
		    parse_file(path, &sb) == 1 && !strcmp(sb.pod, ret->pod) &&
		    !strcmp(sb.namespace_, ret->namespace_))
			ret->hints = sb.hints;
	}
	return rc;
}
