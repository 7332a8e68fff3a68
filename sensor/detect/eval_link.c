// SPDX-License-Identifier: Apache-2.0
/*
 * The rules of names given to files: links to sensitive files (R1010, R1012), sensitive
 * files renamed (R0010), and persistence paths made by a name rather than a write (V1101,
 * R1011).
 */
#include <stdio.h>
#include <string.h>

#include "sensor/detect/detect_internal.h"
#include "util/path.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"

/*
 * Whether a link points at a sensitive file, however its target is spelt: a symlink's relative
 * target is relative to the link's directory, a hard link's to the process's working directory
 * (linkat's own directory descriptor is not in the record: the cwd is the usual case); then
 * "." and ".." are resolved lexically (/etc/../etc/shadow, ../../etc/shadow). As Kubescape's
 * R1010/R1012 (`!ap.was_path_opened(oldPath)`), a target the profile itself opens (with any
 * flags) is not news: a workload that reads /etc/shadow anyway may link it.
 */
bool detect_link_target_sensitive(const struct raise *r, bool symlink)
{
	const struct vigil_event *ev = r->ev;
	const char *t = ev->link.target, *base;
	char joined[8192], norm[4096];
	bool cut;

	if (!t || !t[0])
		return false;
	if (t[0] == '/') {
		vigil_strlcpy(joined, t, sizeof(joined));
	} else if (symlink && ev->link.path && (base = strrchr(ev->link.path, '/'))) {
		snprintf(joined, sizeof(joined), "%.*s/%s", (int)(base - ev->link.path),
			 ev->link.path, t);
	} else if (!symlink && ev->proc && ev->proc->cwd && ev->proc->cwd[0] == '/') {
		snprintf(joined, sizeof(joined), "%s/%s", ev->proc->cwd, t);
	} else {
		return vigil_path_sensitive_link_target(t) && !vigil_matcher__open(r->b->m, t, 0);
	}
	vigil_path_normalize(joined, strlen(joined), norm, sizeof(norm), &cut);
	if (!vigil_path_sensitive_link_target(norm) && !vigil_path_sensitive_link_target(t))
		return false;
	return cut || !vigil_matcher__open(r->b->m, norm, 0);
}

/* A rename's old name as an absolute, normalised path (relative: the cwd's); false when it
 * cannot be told. */
static bool rename_old(const struct vigil_event *ev, char *out, size_t size)
{
	const char *t = ev->link.target;
	char joined[8192];
	bool cut;

	if (!t || !t[0])
		return false;
	if (t[0] == '/')
		vigil_strlcpy(joined, t, sizeof(joined));
	else if (ev->proc && ev->proc->cwd && ev->proc->cwd[0] == '/')
		snprintf(joined, sizeof(joined), "%s/%s", ev->proc->cwd, t);
	else
		return false;
	vigil_path_normalize(joined, strlen(joined), out, size, &cut);
	return true;
}

/* A name a rename must not touch unseen: a sensitive file or a service-account token. */
static bool rename_sensitive(const char *path)
{
	enum vigil_open_class c = path && path[0] ? vigil_open_class(path) : VIGIL_OPEN_OTHER;

	return c == VIGIL_OPEN_SENSITIVE || c == VIGIL_OPEN_TOKEN;
}

/*
 * A sensitive file renamed away, renamed over, or swapped with another file (RENAME_EXCHANGE):
 * from then on it is read under a name the open rules do not judge (a file allowed by the
 * profile), so the rename itself is the access: R0010, unless the profile has a write of
 * that name (a tool that replaces /etc/shadow by renaming a new copy over it, learned).
 * Attempts count (a denied rename still says what was wanted).
 */
int detect_eval_rename(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *to = ev->link.path ? ev->link.path : "", *name;
	char from[4096] = "";

	rename_old(ev, from, sizeof(from));
	if (rename_sensitive(from))
		name = from;
	else if (rename_sensitive(to))
		name = to;
	else
		return 0;
	if (detect_learned_write(r->b->m, name))
		return 0;
	return detect_raise(r, VIGIL_R0010, name, "sensitive file %s: %s %s %s%s",
			    ev->link.exchange ? "swapped" : "renamed", from[0] ? from : "?",
			    ev->link.exchange ? "<->" : "->", to,
			    ev->link.ret < 0 ? " (denied)" : "");
}

/*
 * A persistence path made by naming a file, not by writing it: renamed into place
 * (`mv /tmp/x /etc/cron.d/x`: the write happened elsewhere, under a name no rule judges),
 * linked there (`ln /tmp/x ~/.ssh/authorized_keys2`), or a symlink made there (systemctl
 * enable's shape: a unit linked into a .wants directory). The same verdict as an open for
 * write of that name: V1101, or R1011 for /etc/ld.so.preload (when on); attempts count.
 * A swap (RENAME_EXCHANGE) puts new content under both names. Unless the profile has a write
 * of that name, or of the rename's old name (a tool that installs its file through a
 * temporary one, learned).
 */
int detect_eval_name_persist(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *to = ev->link.path, *name = NULL;
	const char *how = ev->kind == VIGIL_EV_RENAME	 ? "renamed into place"
			  : ev->kind == VIGIL_EV_SYMLINK ? "made a symbolic link"
							 : "made a hard link";
	char from[4096] = "";
	bool preload;

	if (ev->kind == VIGIL_EV_RENAME)
		rename_old(ev, from, sizeof(from));
	if (to && (vigil_path_persistence(to) || vigil_path_ld_preload(to)))
		name = to;
	else if (ev->link.exchange && (vigil_path_persistence(from) || vigil_path_ld_preload(from)))
		name = from;
	if (!name)
		return 0;
	preload = vigil_path_ld_preload(name);
	if ((preload && !detect_rule_on(r, VIGIL_R1011)) || detect_learned_write(r->b->m, name) ||
	    (from[0] && detect_learned_write(r->b->m, from)))
		return 0;
	return detect_raise(r, preload ? VIGIL_R1011 : VIGIL_V1101, name,
			    "%s written by a name: %s (%s%s%.300s)%s",
			    preload ? "dynamic-linker preload file" : "persistence path", name, how,
			    ev->link.target && ev->link.target[0] ? " from " : "",
			    ev->link.target ? ev->link.target : "",
			    ev->link.ret < 0 ? " (denied)" : "");
}
