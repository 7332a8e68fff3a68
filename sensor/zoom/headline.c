// SPDX-License-Identifier: Apache-2.0
/*
 * An incident's headline: its root cause in one line, as an analyst would say it ("postgres
 * started /usr/bin/dash, which ran id as postgres"). The strongest alert names the root (for an
 * exec: the program that started it and what it started); the programs its process tree then
 * ran, as later exec alerts show them, follow; the user is the root's. A stronger alert later
 * becomes the new root: the headline always names the worst thing in the incident.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "sensor/zoom/zoom_internal.h"

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : (path ? path : "");
}

static bool in_tree(const struct zhead *h, uint32_t pid)
{
	for (size_t i = 0; i < h->npids; i++) {
		if (h->pids[i] == pid)
			return true;
	}
	return false;
}

static void add_pid(struct zhead *h, uint32_t pid)
{
	if (pid && !in_tree(h, pid) && h->npids < ZHEAD_PIDS)
		h->pids[h->npids++] = pid;
}

/* a host workload's uid by name; in a container the host's names would mislead */
static void user_of(const struct zinc *inc, uint32_t uid, char *out, size_t size)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!inc->wl->container_id[0] && !getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res)
		snprintf(out, size, "%s", pw.pw_name);
	else
		snprintf(out, size, "uid %u", uid);
}

/* who it ran as: the effective user, and the real one when a set-id program changed it
 * ("root (from nobody)"); a process without euid (older records) ran as its uid */
static void user_as(const struct zinc *inc, const json_t *p, char *out, size_t size)
{
	const json_t *je = json_object_get(p, "euid");
	uint32_t uid = (uint32_t)json_integer_value(json_object_get(p, "uid"));
	uint32_t euid = json_is_integer(je) ? (uint32_t)json_integer_value(je) : uid;
	char real[64];

	user_of(inc, euid, out, size);
	if (euid == uid)
		return;
	user_of(inc, uid, real, sizeof(real));
	snprintf(out + strlen(out), size - strlen(out), " (from %s)", real);
}

static void compose(struct zhead *h)
{
	size_t n = (size_t)snprintf(h->text, sizeof(h->text), "%s", h->root);

	for (size_t i = 0; i < h->nran && n < sizeof(h->text); i++)
		n += (size_t)snprintf(h->text + n, sizeof(h->text) - n, "%s%s",
				      i ? ", " : ", which ran ", h->ran[i]);
	if (n < sizeof(h->text))
		snprintf(h->text + n, sizeof(h->text) - n, " as %s", h->user);
}

void zoom_headline_alert(struct zinc *inc, const json_t *alert)
{
	struct zhead *h = &inc->head;
	const json_t *ev = json_object_get(alert, "event"), *p = json_object_get(alert, "process");
	int sev = (int)json_integer_value(json_object_get(alert, "severity"));
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *path = json_string_value(json_object_get(ev, "path"));
	const char *parent = json_string_value(json_object_get(ev, "parent_exe"));
	const char *comm = json_string_value(json_object_get(p, "comm"));
	uint32_t pid = (uint32_t)json_integer_value(json_object_get(p, "pid"));
	uint32_t ppid = (uint32_t)json_integer_value(json_object_get(p, "ppid"));
	bool exec = type && !strcmp(type, "exec");
	const json_t *t = json_object_get(alert, "dns_tunnel");
	int names = (int)json_integer_value(json_object_get(t, "unique_names"));

	/* a tunnel is named by several alerts (each summary, each name past a window's keys):
	 * the latest counts the most names */
	if (!h->text[0] || sev > h->sev || (t && sev == h->sev && names > h->tunnel_names)) {
		h->sev = sev;
		h->npids = h->nran = 0;
		h->tunnel_names = t ? names : 0;
		add_pid(h, pid);

		if (t) /* a burst of names the detector called a tunnel: say that, not its first */
			snprintf(h->root, sizeof(h->root),
				 "%s tunnelled data through DNS to %s (%d names)",
				 comm ? comm : inc->wl->name,
				 json_string_value(json_object_get(t, "domain")) ?: "",
				 (int)json_integer_value(json_object_get(t, "unique_names")));
		else if (exec && parent && parent[0])
			snprintf(h->root, sizeof(h->root), "%s started %s", base(parent),
				 path ? path : "");
		else
			snprintf(h->root, sizeof(h->root), "%s: %s", comm ? comm : inc->wl->name,
				 json_string_value(json_object_get(alert, "message")) ?: "");
		user_as(inc, p, h->user, sizeof(h->user));
	} else if (exec && path && (in_tree(h, pid) || in_tree(h, ppid))) {
		/* what the root's tree ran next (a shell execs its last command in place) */
		bool seen = false;

		add_pid(h, pid);
		for (size_t i = 0; i < h->nran; i++)
			seen = seen || !strcmp(h->ran[i], base(path));
		if (!seen && h->nran < ZHEAD_RAN)
			snprintf(h->ran[h->nran++], sizeof(h->ran[0]), "%s", base(path));
	} else {
		return;
	}
	compose(h);
}
