// SPDX-License-Identifier: Apache-2.0
/* Pure parsers of the sensor: container ids in cgroup paths, DNS questions, kernel paths. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "sensor/sensor_internal.h"
#include "util/strutil.h"

/* Known prefixes of a cgroup path component that carries a container id, and their runtime. */
static const struct {
	const char *prefix;
	const char *runtime;
} id_prefixes[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "crio-conmon-", "cri-o" },
	{ "libpod-conmon-", "podman" },
	{ "libpod-", "podman" },
	{ "containerd-", "containerd" },
};

int vigil_cgroup__container_id(const char *path, char *id, size_t size, const char **ret_runtime)
{
	const char *runtime = NULL, *found = NULL;
	bool kube = strstr(path, "kubepods") != NULL;
	bool docker_dir = false;
	const char *p = path;

	if (size < VIGIL_CONTAINER_ID_LEN + 1)
		return -EINVAL;
	/* the last component that names a container wins (nested cgroups inside a container) */
	while (*p) {
		const char *comp, *end;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		end = strchr(comp, '/');
		if (!end)
			end = comp + strlen(comp);
		n = (size_t)(end - comp);
		for (size_t i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
			size_t pl = strlen(id_prefixes[i].prefix);

			if (n >= pl + 64 && !strncmp(comp, id_prefixes[i].prefix, pl) &&
			    vigil_is_hex(comp + pl, 64) &&
			    (n == pl + 64 || !strncmp(comp + pl + 64, ".scope", n - pl - 64))) {
				found = comp + pl;
				runtime = id_prefixes[i].runtime;
				break;
			}
		}
		/* bare 64-hex component: /docker/<id>, /kubepods/<qos>/pod<uid>/<id> */
		if (n == 64 && vigil_is_hex(comp, 64)) {
			found = comp;
			runtime = docker_dir ? "docker" : kube ? "kubepods" : "containerd";
		}
		docker_dir = n == 6 && !strncmp(comp, "docker", 6);
		p = end;
	}
	if (!found)
		return -ENOENT;
	memcpy(id, found, 64);
	id[64] = '\0';
	if (kube && strcmp(runtime, "docker") && strcmp(runtime, "podman"))
		runtime = strcmp(runtime, "containerd") && strcmp(runtime, "cri-o") ? "kubepods"
										    : runtime;
	if (ret_runtime)
		*ret_runtime = runtime;
	return 0;
}

int vigil_dns__parse_question(const uint8_t *msg, size_t len, char *name, size_t size,
			      uint16_t *ret_qtype)
{
	size_t at = 12, out = 0;
	unsigned labels = 0;

	if (len < 12 || size < 2)
		return -EINVAL;
	/* QR bit clear (a query) and at least one question */
	if ((msg[2] & 0x80) || ((msg[4] << 8) | msg[5]) == 0)
		return -EINVAL;
	for (;;) {
		uint8_t l;

		if (at >= len)
			return -EINVAL;
		l = msg[at++];
		if (l == 0)
			break;
		if (l & 0xc0) /* compression pointers have no place in a query's question */
			return -EINVAL;
		if (++labels > 127 || at + l > len)
			return -EINVAL;
		if (out && out + 1 < size)
			name[out++] = '.';
		else if (out)
			return -EINVAL;
		for (uint8_t i = 0; i < l; i++) {
			unsigned char c = msg[at + i];

			if (out + 1 >= size)
				return -EINVAL;
			if (c < 0x21 || c > 0x7e || c == '.')
				c = '?';
			name[out++] = (char)tolower(c);
		}
		at += l;
	}
	if (at + 4 > len)
		return -EINVAL;
	name[out] = '\0';
	if (ret_qtype)
		*ret_qtype = (uint16_t)((msg[at] << 8) | msg[at + 1]);
	return 0;
}

size_t vigil_path__from_components(const char *comp, size_t len, char *out, size_t size)
{
	const char *starts[64];
	size_t n = 0, o = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len && n < 64;) {
		size_t l = strnlen(comp + i, len - i);

		/* a root dentry's own name is "/" (the walk from the root directory itself) */
		if (l && !(l == 1 && comp[i] == '/'))
			starts[n++] = comp + i;
		i += l + 1;
	}
	if (!n) {
		vigil_strlcpy(out, "/", size);
		return strlen(out);
	}
	out[0] = '\0';
	for (size_t k = n; k-- > 0;) {
		size_t l = strnlen(starts[k], len - (size_t)(starts[k] - comp));

		if (o + 1 + l + 1 > size)
			break;
		out[o++] = '/';
		memcpy(out + o, starts[k], l);
		o += l;
		out[o] = '\0';
	}
	return o;
}

size_t vigil_path__join(const char *dir, const char *rel, char *out, size_t size)
{
	size_t o;

	if (!size)
		return 0;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (!strcmp(rel, "."))
		rel = "";
	o = vigil_strlcpy(out, dir, size);
	if (o >= size)
		return size - 1;
	if (!*rel)
		return o;
	if (!(o > 0 && out[o - 1] == '/')) {
		if (o + 1 >= size)
			return o;
		out[o++] = '/';
		out[o] = '\0';
	}
	o += vigil_strlcpy(out + o, rel, size - o);
	return o >= size ? size - 1 : o;
}
