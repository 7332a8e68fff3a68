// SPDX-License-Identifier: Apache-2.0
/*
 * The learner: one profile builder per workload. Set-union adds make repeats free; the only
 * state kept besides the profile is the DNS names seen (to pair a name with the connect that
 * follows it, and to list names never connected to).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "util/strutil.h"
#include "vigil/detect_paths.h"
#include "vigil/exe_digest.h"
#include "vigil/http.h"
#include "vigil/path_alias.h"
#include "vigil/learn.h"

#define DNS_NAMES_MAX  4096
#define DNS_PAIR_NS    (5ULL * 1000000000ULL) /* a connect this soon after a lookup uses it */
#define PATH_MAX_LEARN 4096
#define ARGS_MAX       256
#define ARGS_ARENA     8192 /* generalised arguments of one exec (argv is 1 KiB at most) */
/* Kubescape's limit: a profile with more entries is "too-large". */
#define ENTRIES_MAX 40000
/* how often (in events) the size is checked, and from which size collapse runs early */
#define CHECK_EVERY   2048
#define COLLAPSE_FROM 20000

/* U+22EF, one path segment or one argument */
#define ELLIPSIS "\xe2\x8b\xaf"

struct dns_name {
	char *name;
	uint32_t pid; /* last process that asked */
	uint64_t time_ns;
	bool paired; /* seen on a connect: listed with its address */
};

struct vigil_learner {
	struct vigil_profile *p;
	int c;
	char *cname; /* the container entry's name (snapshots find it by name) */
	size_t events;
	struct dns_name *dns;
	size_t ndns;
	bool finished;
	bool too_large; /* stopped adding at ENTRIES_MAX */
	bool has_collapse;
	size_t left_out; /* entries whose names carried a wildcard character (wild.c) */
	bool per_exe;	 /* byExecutable sections too */
	struct vigil_collapse_opts collapse;
	struct vigil_exe_digests *digests; /* made at the first exec that carries an identity */
	struct vigil_path_alias *alias;	   /* made at the first open of an aliased file */
};

/*
 * A new profile document. With workload labels it is made from a JSON skeleton (JSON is YAML)
 * through the loader, the public way to set metadata.labels.
 */
static struct vigil_profile *new_profile(const struct vigil_learn_opts *o)
{
	struct vigil_profile *p = NULL;
	json_t *doc, *labels;
	char *text;
	int err;

	if (!o->workload_kind && !o->workload_name && !o->workload_namespace)
		return vigil_profile__new(VIGIL_KIND_CONTAINER_PROFILE, o->name, o->namespace_);
	labels = json_object();
	if (o->workload_kind)
		json_object_set_new(labels, "kubescape.io/workload-kind",
				    json_string(o->workload_kind));
	if (o->workload_name)
		json_object_set_new(labels, "kubescape.io/workload-name",
				    json_string(o->workload_name));
	if (o->workload_namespace)
		json_object_set_new(labels, "kubescape.io/workload-namespace",
				    json_string(o->workload_namespace));
	json_object_set_new(labels, "kubescape.io/workload-container-name",
			    json_string(o->container ? o->container : o->name));
	doc = json_pack("{s:s,s:s,s:{s:s,s:o},s:{s:[s]}}", "apiVersion", VIGIL_PROFILE_API_VERSION,
			"kind", "ContainerProfile", "metadata", "name", o->name, "labels", labels,
			"spec", "architectures", "amd64");
	if (!doc) {
		errno = ENOMEM;
		return NULL;
	}
	if (o->namespace_)
		json_object_set_new(json_object_get(doc, "metadata"), "namespace",
				    json_string(o->namespace_));
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text) {
		errno = ENOMEM;
		return NULL;
	}
	err = vigil_profile__load_buffer(text, strlen(text), "learned", NULL, &p, NULL);
	free(text);
	if (err < 0) {
		errno = -err;
		return NULL;
	}
	return p;
}

struct vigil_learner *vigil_learner__new(const struct vigil_learn_opts *opts)
{
	struct vigil_learner *l;
	int c;

	if (!opts || !opts->name || !opts->name[0]) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->p = new_profile(opts);
	if (!l->p)
		goto fail;
	l->cname = strdup(opts->container ? opts->container : opts->name);
	if (!l->cname)
		goto fail;
	c = vigil_profile__container(l->p, 0, l->cname, true);
	if (c < 0) {
		errno = -c;
		goto fail;
	}
	l->c = c;
	/* the network is always watched while learning: a workload that accepted nothing gets
	 * `ingress: []`, which V1109 judges, not a missing list, which says "not known" */
	c = vigil_profile__network_watched(l->p, 0, l->c);
	if (c < 0) {
		errno = -c;
		goto fail;
	}
	l->per_exe = opts->per_exe;
	if (opts->collapse) {
		l->collapse = *opts->collapse;
		l->has_collapse = true;
	}
	return l;
fail:
	vigil_learner__free(l);
	return NULL;
}

void vigil_learner__free(struct vigil_learner *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ndns; i++)
		free(l->dns[i].name);
	free(l->dns);
	vigil_profile__free(l->p);
	vigil_exe_digests__free(l->digests);
	vigil_path_alias__free(l->alias);
	free(l->cname);
	free(l);
}

int vigil_learner__snapshot(const struct vigil_learner *l, struct vigil_profile **ret)
{
	struct vigil_profile *p;
	int c, err;

	if (l->finished)
		return -EINVAL;
	p = vigil_profile__new(vigil_profile__doc_kind(l->p, 0), vigil_profile__doc_name(l->p, 0),
			       vigil_profile__doc_namespace(l->p, 0));
	if (!p)
		return -errno;
	err = vigil_profile__merge(p, l->p);
	c = err ? err : vigil_profile__container(p, 0, l->cname, true);
	err = c < 0 ? c : 0;
	/* names looked up but not yet connected to: what finish would list as egress */
	for (size_t i = 0; !err && i < l->ndns; i++) {
		if (!l->dns[i].paired)
			err = vigil_profile__add_neighbor(p, 0, c, true, NULL, l->dns[i].name, 0,
							  NULL);
	}
	if (err) {
		vigil_profile__free(p);
		return err;
	}
	*ret = p;
	return 0;
}

int vigil_learner__seed(struct vigil_learner *l, const struct vigil_profile *p)
{
	const char *name = vigil_profile__doc_name(p, 0);

	/* one document about the same workload, or it would be merged in as another one */
	if (l->finished || vigil_profile__doc_count(p) != 1 ||
	    vigil_profile__doc_kind(p, 0) != vigil_profile__doc_kind(l->p, 0) || !name ||
	    strcmp(name, vigil_profile__doc_name(l->p, 0)))
		return -EINVAL;
	return vigil_profile__merge(l->p, p);
}

size_t vigil_learner__events(const struct vigil_learner *l)
{
	return l->events;
}

size_t vigil_learner__left_out(const struct vigil_learner *l)
{
	return l->left_out;
}

/* A container, sandbox or image id: 64 lower-case hex digits (runc's /run/runc/<id>/,
 * containerd's task directories, docker's /var/lib/docker/containers/<id>/). Every container of
 * a workload has its own, so a path with one is the same path for all of them. */
static bool container_id_like(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* A mkstemp-like name: ends in 6+ alphanumerics that mix digits and letters, or cases. */
static bool looks_random(const char *s, size_t n)
{
	size_t run = 0;
	bool digit = false, lower = false, upper = false;

	while (run < n) {
		char ch = s[n - 1 - run];

		if (ch >= '0' && ch <= '9')
			digit = true;
		else if (ch >= 'a' && ch <= 'z')
			lower = true;
		else if (ch >= 'A' && ch <= 'Z')
			upper = true;
		else
			break;
		run++;
	}
	return run >= 6 && ((digit && (lower || upper)) || (lower && upper));
}

/*
 * The kubelet's atomic writer (service-account tokens, ConfigMap and Secret volumes) keeps a
 * volume's files in "..YYYY_MM_DD_HH_MM_SS.N", replaced by a new one at each update or token
 * rotation; the kernel names a file through it. Learned as ⋯, as Kubescape's node-agent
 * learns it (".../serviceaccount/⋯/token").
 */
static bool atomic_writer_dir(const char *s, size_t n)
{
	static const char shape[] = "..dddd_dd_dd_dd_dd_dd";

	if (n < sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	}
	return n == sizeof(shape) - 1 || s[sizeof(shape) - 1] == '.';
}

/*
 * Rewrites segment by segment. `prev` remembers the previous segment so that /proc/PID,
 * .../task/TID, .../fd/N and /dev/pts/N are recognised. names: which segments may also be ⋯
 * by their shape (open_names.c).
 */
static const char *normalize(const char *path, char *buf, size_t size, int names)
{
	struct vigil_buf out = VIGIL_BUF_INIT;
	const char *s = path, *prev = NULL;
	size_t prevlen = 0, idx = 0;
	bool proc = vigil_str_has_prefix(path, "/proc/");
	bool tmp = vigil_str_has_prefix(path, "/tmp/") || vigil_str_has_prefix(path, "/var/tmp/") ||
		   vigil_str_has_prefix(path, "/dev/shm/");
	bool pts = vigil_str_has_prefix(path, "/dev/pts/");

	if (path[0] != '/') {
		vigil_strlcpy(buf, path, size);
		return buf;
	}
	while (*s == '/') {
		const char *seg = s + 1, *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		bool generic = false;

		if (proc && idx == 1 &&
		    (vigil_all_digits(seg, n) || (n == 4 && !strncmp(seg, "self", 4)) ||
		     (n == 11 && !strncmp(seg, "thread-self", 11))))
			generic = true;
		else if (proc && prev && vigil_all_digits(seg, n) &&
			 ((prevlen == 4 && !strncmp(prev, "task", 4)) ||
			  (prevlen == 2 && !strncmp(prev, "fd", 2)) ||
			  (prevlen == 6 && !strncmp(prev, "fdinfo", 6))))
			generic = true;
		else if (pts && idx == 2 && vigil_all_digits(seg, n))
			generic = true;
		else if (tmp && idx >= 1 && looks_random(seg, n))
			generic = true;
		else if (container_id_like(seg, n) || atomic_writer_dir(seg, n))
			generic = true;
		else if (idx >= 1 && names != VIGIL_LEARN_NAMES_NONE &&
			 (end || names == VIGIL_LEARN_NAMES_ALL) &&
			 vigil_learn_volatile_name(seg, n))
			generic = true;
		if (vigil_buf__append(&out, "/", 1) < 0 ||
		    (generic ? vigil_buf__puts(&out, ELLIPSIS) : vigil_buf__append(&out, seg, n)) <
			    0)
			break;
		prev = seg;
		prevlen = n;
		idx++;
		s = seg + n;
	}
	/* a pattern cut to fit would be another path: the literal one, then (noise, never a
	 * wrong pattern) */
	vigil_strlcpy(buf, out.data && out.len < size ? out.data : path, size);
	vigil_buf__release(&out);
	return buf;
}

const char *vigil_learn_normalize_path(const char *path, char *buf, size_t size)
{
	int names;

	if (vigil_learn_wild_name(path))
		return NULL; /* the workload's `*` or `⋯` would be a wildcard (wild.c) */
	names = vigil_learn_open_names(path);

	normalize(path, buf, size, names);
	/* a shape never makes an entry that allows a sensitive file or a token */
	if (names != VIGIL_LEARN_NAMES_NONE && vigil_learn_pattern_sensitive(buf))
		normalize(path, buf, size, VIGIL_LEARN_NAMES_NONE);
	return buf;
}

/* The program that runs was written or changed at run time (drop-and-execute's marks). */
static bool program_made_at_run_time(const struct vigil_event *ev)
{
	return ev->exec.script ? ev->exec.script_written || ev->exec.script_modified
			       : ev->exec.written || ev->exec.modified;
}

/*
 * Exec arguments as learned (args.c): what names the program literal, unless the workload made
 * that program at run time (then only its directories generalise); values that change every run
 * as ⋯. SIZE_MAX when an argument carries a `⋯` of its own (wild.c).
 */
static size_t learn_args(const struct vigil_event *ev, const char **args, char *arena, size_t size)
{
	const struct vigil_process *p = ev->proc;
	const char *exe = ev->exec.path && ev->exec.path[0] ? ev->exec.path : p->exe;
	bool made = program_made_at_run_time(ev);
	size_t n = 0, used = 0, keep;

	if (!p->argv)
		return 0;
	keep = vigil_learn_program_args(exe, (const char *const *)p->argv, p->argc);
	for (uint32_t i = 0; i < p->argc && n < ARGS_MAX; i++) {
		const char *a = p->argv[i] ? p->argv[i] : "";

		if (i >= keep)
			args[n] = vigil_learn_generalize_arg(a, arena + used, size - used);
		else if (made && (i == 0 || a[0] != '-'))
			args[n] = vigil_learn_generalize_program(a, arena + used, size - used);
		else
			args[n] = vigil_learn_wild_arg(a) ? NULL : a;
		if (!args[n])
			return SIZE_MAX; /* a `⋯` the workload wrote: the exec is left out */
		if (args[n] == arena + used)
			used += strlen(args[n]) + 1;
		n++;
	}
	/* what was cut off is "zero or more arguments" */
	if (p->args_truncated || p->argc > ARGS_MAX)
		args[n++] = ELLIPSIS ELLIPSIS;
	return n;
}

static int learn_exec(struct vigil_learner *l, const struct vigil_event *ev)
{
	const struct vigil_process *p = ev->proc;
	const char *ran =
		ev->exec.path && ev->exec.path[0] ? ev->exec.path : (p && p->exe ? p->exe : NULL);
	const char *args[ARGS_MAX + 1];
	char arena[ARGS_ARENA], norm[PATH_MAX_LEARN];
	const char *path = ran;
	char hex[65];
	size_t n = 0;
	int err;

	if (!ran || !ran[0])
		return 0;
	/* a `*` or `⋯` in the program's path or arguments would be a wildcard: left out (wild.c) */
	if (vigil_learn_wild_name(ran)) {
		l->left_out++;
		return 0;
	}
	/* the path of what runs is its identity, literal; but a program this workload wrote in a
	 * fresh temp directory is there again next run under a new directory name */
	if (!ev->exec.script && (ev->exec.written || ev->exec.modified))
		path = vigil_learn_generalize_program(ran, norm, sizeof(norm));
	if (p)
		n = learn_args(ev, args, arena, sizeof(arena));
	if (n == SIZE_MAX) {
		l->left_out++;
		return 0;
	}
	err = vigil_profile__add_exec(l->p, 0, l->c, path, args, n);
	/* keyed by the program that started it; one that cannot be named adds no section (an
	 * -EINVAL here is no reason to lose the rest) */
	if (!err && l->per_exe && ev->exec.parent_exe && ev->exec.parent_exe[0] == '/')
		err = vigil_profile__add_exec_by(l->p, 0, l->c, ev->exec.parent_exe, path, args,
						 n) == -ENOMEM
			      ? -ENOMEM
			      : 0;
	/* the content is pinned to the path as it ran (the matcher compares digests by exact
	 * path): a generalised entry pins each file seen, which a rerun in a new temp directory
	 * does not meet (not checked, as an entry without a digest) */
	if (err < 0 || !ev->exec.ino || ran[0] != '/')
		return err;
	/* the executable's content, read now while it can be found as it ran (execDigests) */
	if (!l->digests && !(l->digests = vigil_exe_digests__new(1024)))
		return -ENOMEM;
	if (vigil_exe_digests__of(l->digests, ev, hex) == 0)
		err = vigil_profile__add_exec_digest(l->p, 0, l->c, ran, hex);
	return err == -ENOMEM ? err : 0;
}

/* Workload-wide, and in the section of the process's executable when keyed by executable. */
static int add_open(struct vigil_learner *l, const struct vigil_event *ev, const char *path,
		    const char *const *names, size_t n)
{
	const char *exe = ev->proc ? ev->proc->exe : NULL;
	int err = vigil_profile__add_open(l->p, 0, l->c, path, names, n);

	if (err || !l->per_exe || !exe || exe[0] != '/')
		return err;
	err = vigil_profile__add_open_by(l->p, 0, l->c, exe, path, names, n);
	return err == -ENOMEM ? err : 0;
}

static int learn_open(struct vigil_learner *l, const struct vigil_event *ev)
{
	const char *names[VIGIL_OPEN_FLAGS_MAX];
	char path[PATH_MAX_LEARN], alias[256];
	size_t n;
	int err;

	if (!ev->open.path || ev->open.path[0] != '/')
		return 0;
	/*
	 * A failed open touched nothing, and the loader probes many missing paths: learn failures
	 * only where detection counts attempts (tokens, environ, sensitive files).
	 */
	if (ev->open.ret < 0) {
		enum vigil_open_class cls = vigil_open_class(ev->open.path);

		/* a cut path is judged as a sensitive attempt (detect/eval_open.c): learned as one */
		if (cls != VIGIL_OPEN_TOKEN && cls != VIGIL_OPEN_ENVIRON &&
		    cls != VIGIL_OPEN_SENSITIVE && !ev->open.truncated)
			return 0;
	}
	/* a sensitive file under another name is learned as the name detection judges */
	if (ev->open.aliased && ev->open.ret >= 0 &&
	    vigil_open_class(ev->open.path) != VIGIL_OPEN_SENSITIVE &&
	    (l->alias || (l->alias = vigil_path_alias__new())) &&
	    vigil_path_alias__sensitive(l->alias, ev, alias, sizeof(alias))) {
		n = vigil_open_flag_names(ev->open.flags, names, VIGIL_OPEN_FLAGS_MAX);
		err = vigil_learn_normalize_path(alias, path, sizeof(path))
			      ? add_open(l, ev, path, names, n)
			      : 0;
		if (err < 0)
			return err;
	}
	/* a `*` or `⋯` the workload put in a name would be a wildcard: left out (wild.c) */
	if (!vigil_learn_normalize_path(ev->open.path, path, sizeof(path))) {
		l->left_out++;
		return 0;
	}
	n = vigil_open_flag_names(ev->open.flags, names, VIGIL_OPEN_FLAGS_MAX);
	return add_open(l, ev, path, names, n);
}

/* A rename writes both names: learned as writes of each (absolute) name, so that a tool that
 * replaces a sensitive file by renaming a new copy over it is quiet when rerun. */
static int learn_rename(struct vigil_learner *l, const struct vigil_event *ev)
{
	const char *names[] = { "O_WRONLY" };
	const char *both[2] = { ev->link.path, ev->link.target };
	char path[PATH_MAX_LEARN];
	int err;

	if (ev->link.ret < 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (!both[i] || both[i][0] != '/')
			continue;
		if (!vigil_learn_normalize_path(both[i], path, sizeof(path))) {
			l->left_out++; /* a wildcard character in the name (wild.c) */
			continue;
		}
		err = add_open(l, ev, path, names, 1);
		if (err < 0)
			return err;
	}
	return 0;
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "UDP" : (proto == IPPROTO_SCTP ? "SCTP" : "TCP");
}

static struct dns_name *dns_find(struct vigil_learner *l, const char *name)
{
	for (size_t i = 0; i < l->ndns; i++) {
		if (!strcmp(l->dns[i].name, name))
			return &l->dns[i];
	}
	return NULL;
}

static int learn_dns(struct vigil_learner *l, const struct vigil_event *ev)
{
	struct dns_name *d;

	if (!ev->dns.name || !ev->dns.name[0])
		return 0;
	/* a `*` or `⋯` label would be a wildcard (a label is the asker's choice: a tunnel's) */
	if (vigil_learn_wild_name(ev->dns.name)) {
		l->left_out++;
		return 0;
	}
	d = dns_find(l, ev->dns.name);
	if (!d) {
		struct dns_name *grown;

		if (l->ndns >= DNS_NAMES_MAX)
			return -E2BIG;
		grown = realloc(l->dns, (l->ndns + 1) * sizeof(*l->dns));
		if (!grown)
			return -ENOMEM;
		l->dns = grown;
		d = &l->dns[l->ndns];
		memset(d, 0, sizeof(*d));
		d->name = strdup(ev->dns.name);
		if (!d->name)
			return -ENOMEM;
		l->ndns++;
	}
	d->pid = ev->proc ? ev->proc->pid : 0;
	d->time_ns = ev->time_ns;
	return 0;
}

/* The name this process looked up last, shortly before connecting. */
static struct dns_name *dns_for_connect(struct vigil_learner *l, const struct vigil_event *ev)
{
	struct dns_name *best = NULL;
	uint32_t pid = ev->proc ? ev->proc->pid : 0;

	for (size_t i = 0; i < l->ndns; i++) {
		struct dns_name *d = &l->dns[i];

		if (d->pid != pid || d->time_ns > ev->time_ns ||
		    ev->time_ns - d->time_ns > DNS_PAIR_NS)
			continue;
		if (!best || d->time_ns > best->time_ns)
			best = d;
	}
	return best;
}

static int learn_net(struct vigil_learner *l, const struct vigil_event *ev)
{
	const struct vigil_sockaddr *ra = &ev->net.remote;
	char addr[INET6_ADDRSTRLEN + 1];
	struct dns_name *d = NULL;
	bool egress = (ev->kind == VIGIL_EV_CONNECT || ev->kind == VIGIL_EV_SEND) &&
		      ev->net.direction != VIGIL_DIR_INBOUND;

	if (ra->family != AF_INET && ra->family != AF_INET6)
		return 0;
	if (!inet_ntop(ra->family, ra->addr, addr, sizeof(addr)))
		return 0;
	if (egress) {
		if (ra->port != 53)
			d = dns_for_connect(l, ev);
		if (d)
			d->paired = true;
		return vigil_profile__add_neighbor(l->p, 0, l->c, true, addr, d ? d->name : NULL,
						   ra->port, proto_name(ev->net.proto));
	}
	/* inbound: who connected, to which of our ports */
	return vigil_profile__add_neighbor(l->p, 0, l->c, false, addr, NULL, ev->net.local.port,
					   proto_name(ev->net.proto));
}

/* An HTTP request: ":PORT/path" (the server's port: the peer's for a request sent, ours for
 * one received) with its ids as "⋯", the method, the direction (Kubescape's HTTPEndpoint) */
static int learn_http(struct vigil_learner *l, const struct vigil_event *ev)
{
	bool in = ev->net.direction == VIGIL_DIR_INBOUND;
	char ep[VIGIL_HTTP_PATH_MAX * 3 + 16];

	if (!ev->net.http_method || !ev->net.http_path || !ev->net.http_path[0])
		return 0;
	/* a `*` or `⋯` segment would be a wildcard; `*` also as a request target (OPTIONS *) */
	if (vigil_learn_wild_name(ev->net.http_path)) {
		l->left_out++;
		return 0;
	}
	if (vigil_http_endpoint(in ? ev->net.local.port : ev->net.remote.port, ev->net.http_path,
				ev->net.http_truncated, ep, sizeof(ep)) < 0)
		return 0;
	return vigil_profile__add_endpoint(l->p, 0, l->c, ep, ev->net.http_method,
					   in ? "inbound" : "outbound");
}

/*
 * Keeps memory bounded: a workload that touches ever new paths is collapsed early, and past
 * ENTRIES_MAX nothing more is added (the profile is then marked too-large).
 */
static void check_size(struct vigil_learner *l)
{
	if (l->events % CHECK_EVERY || l->too_large)
		return;
	if (vigil_profile__entry_count(l->p) < COLLAPSE_FROM)
		return;
	vigil_profile__collapse(l->p, l->has_collapse ? &l->collapse : NULL);
	if (vigil_profile__entry_count(l->p) >= ENTRIES_MAX)
		l->too_large = true;
}

int vigil_learner__event(struct vigil_learner *l, const struct vigil_event *ev)
{
	if (l->finished)
		return -EINVAL;
	l->events++;
	check_size(l);
	if (l->too_large)
		return 0;
	switch (ev->kind) {
	case VIGIL_EV_EXEC:
		return learn_exec(l, ev);
	case VIGIL_EV_OPEN:
		return learn_open(l, ev);
	case VIGIL_EV_RENAME:
		return learn_rename(l, ev);
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_SEND:
		return learn_net(l, ev);
	case VIGIL_EV_DNS:
		return learn_dns(l, ev);
	case VIGIL_EV_HTTP:
		return learn_http(l, ev);
	case VIGIL_EV_CAPABILITY:
		return ev->cap.name ? vigil_profile__add_capability(l->p, 0, l->c, ev->cap.name)
				    : 0;
	case VIGIL_EV_SYSCALL:
		return ev->syscall.name
			       ? vigil_profile__add_syscall(l->p, 0, l->c, ev->syscall.name)
			       : 0;
	case VIGIL_EV_IOURING_OP:
		return ev->iouring.opname
			       ? vigil_profile__add_iouring(l->p, 0, l->c, ev->iouring.opname)
			       : 0;
	/* these are syscalls the detector judges by name against the profile's syscalls */
	case VIGIL_EV_PTRACE:
		return vigil_profile__add_syscall(l->p, 0, l->c, "ptrace");
	case VIGIL_EV_UNSHARE:
		return vigil_profile__add_syscall(l->p, 0, l->c, "unshare");
	case VIGIL_EV_BPF:
		return vigil_profile__add_syscall(l->p, 0, l->c, "bpf");
	/* a program that uses raw, packet or ICMP sockets (ping, a DHCP client) may: Kubescape's
	 * per-rule exemption, by the executable (never by the name a process gives itself) */
	case VIGIL_EV_SOCKET:
		return ev->proc && ev->proc->exe && ev->proc->exe[0] == '/'
			       ? vigil_profile__add_rule_policy(l->p, 0, l->c, "V1001",
								ev->proc->exe)
			       : 0;
	default:
		return 0;
	}
}

int vigil_learner__add_syscall(struct vigil_learner *l, const char *name)
{
	return l->finished ? -EINVAL : vigil_profile__add_syscall(l->p, 0, l->c, name);
}

int vigil_learner__add_iouring(struct vigil_learner *l, const char *opname)
{
	return l->finished ? -EINVAL : vigil_profile__add_iouring(l->p, 0, l->c, opname);
}

int vigil_learner__finish(struct vigil_learner *l, bool partial, struct vigil_profile **ret)
{
	int err;

	if (l->finished)
		return -EINVAL;
	/* names looked up but never connected to still belong to the egress */
	for (size_t i = 0; i < l->ndns; i++) {
		if (l->dns[i].paired)
			continue;
		err = vigil_profile__add_neighbor(l->p, 0, l->c, true, NULL, l->dns[i].name, 0,
						  NULL);
		if (err < 0)
			return err;
	}
	err = vigil_profile__collapse(l->p, l->has_collapse ? &l->collapse : NULL);
	if (err < 0)
		return err;
	if (vigil_profile__entry_count(l->p) >= ENTRIES_MAX)
		l->too_large = true;
	err = vigil_profile__set_annotation(l->p, 0, "kubescape.io/status",
					    l->too_large ? "too-large" : "completed");
	if (!err)
		err = vigil_profile__set_annotation(l->p, 0, "kubescape.io/completion",
						    partial || l->too_large ? "partial"
									    : "complete");
	if (err < 0)
		return err;
	l->finished = true;
	*ret = l->p;
	l->p = NULL;
	return 0;
}
