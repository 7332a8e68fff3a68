// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil profile seccomp`: an OCI seccomp profile from the syscalls a profile learned.
 *
 * Everything not allowed fails with EPERM (SCMP_ACT_ERRNO, defaultErrnoRet 1) rather than
 * killing: a draft that missed a rare syscall then shows up as an error in the application's
 * log, not as a dead pod. Only the profile's own architectures are listed (no 32-bit x86 or
 * x32 sub-architecture), so a syscall made through another ABI, whose numbers and names differ
 * from those learned, is refused as a whole instead of slipping past a name-based allow list.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <jansson.h>

#include "profile/harden_internal.h"
#include "profile/model.h"
#include "util/buf.h"
#include "vigil/harden.h"

/*
 * What the OCI runtime runs after it installed the filter and before the workload's first
 * instruction. runc (podman's and containerd's default here) installs the filter before it
 * drops privileges when no_new_privs is off, so its Go runtime then sets ids and capabilities,
 * closes descriptors, opens the exec FIFO, looks the program up and calls execve; all of it
 * runs in the container's cgroup before the workload exists, which is why a profile learned
 * from the first instruction does not hold it (t2202). Found by running podman+runc under a
 * filter of the learned syscalls plus these: without them runc cannot even close its descriptors
 * ("error closing exec fds: open /proc/self/fd: operation not permitted"), with them
 * tests/e2e/t7010-seccomp-podman.sh runs the workload.
 */
static const char *const runtime_syscalls[] = {
	"capget",      "capset",       "chdir",		 "close",	 "close_range",
	"epoll_ctl",   "epoll_pwait",  "execve",	 "exit",	 "exit_group",
	"faccessat",   "faccessat2",   "fchdir",	 "fchown",	 "fcntl",
	"fstat",       "fstatfs",      "futex",		 "getdents64",	 "getegid",
	"geteuid",     "getgid",       "getpid",	 "getppid",	 "gettid",
	"getuid",      "madvise",      "mmap",		 "mprotect",	 "munmap",
	"nanosleep",   "newfstatat",   "openat",	 "prctl",	 "read",
	"readlinkat",  "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity",
	"sched_yield", "setgid",       "setgroups",	 "setresgid",	 "setresuid",
	"setuid",      "sigaltstack",  "stat",		 "statx",	 "tgkill",
	"write",       NULL,
};

static bool same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/*
 * Picks the container: by name, or the only one there is (an unnamed ContainerProfile and a
 * NetworkNeighborhood entry of the same name count as one container).
 */
static int pick_container(const struct vigil_profile *p, const char *want, const char **ret,
			  char *why, size_t size)
{
	const char *first = NULL;
	bool found = false, several = false;

	for (size_t d = 0; d < p->ndocs; d++) {
		for (size_t i = 0; i < prof_doc_container_count(&p->docs[d]); i++) {
			const struct prof_container *c = prof_doc_matched(&p->docs[d], i);

			if (!c || c->shadowed) /* never read (select.c) */
				continue;
			if (want && c->name && !strcmp(want, c->name)) {
				*ret = c->name;
				return 0;
			}
			if (found && !same_name(first, c->name))
				several = true;
			if (!found)
				first = c->name;
			found = true;
		}
	}
	if (want)
		return harden_fail(why, size, -ENOENT, "no container \"%s\" in the profile", want);
	if (!found)
		return harden_fail(why, size, -ENOENT, "the profile has no containers");
	if (several)
		return harden_fail(why, size, -EINVAL,
				   "the profile has several containers: name one with --container");
	*ret = first;
	return 0;
}

/* The seccomp name of a Kubernetes/Go architecture (spec.architectures), NULL if none. */
static const char *scmp_arch(const char *goarch)
{
	static const char *const map[][2] = {
		{ "amd64", "SCMP_ARCH_X86_64" },    { "arm64", "SCMP_ARCH_AARCH64" },
		{ "386", "SCMP_ARCH_X86" },	    { "arm", "SCMP_ARCH_ARM" },
		{ "ppc64le", "SCMP_ARCH_PPC64LE" }, { "s390x", "SCMP_ARCH_S390X" },
		{ "riscv64", "SCMP_ARCH_RISCV64" }, { "x86_64", "SCMP_ARCH_X86_64" },
		{ "aarch64", "SCMP_ARCH_AARCH64" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], goarch))
			return map[i][1];
	return NULL;
}

static int add_arch(json_t *archs, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(archs, i, v) if (!strcmp(json_string_value(v), name)) return 0;
	return json_array_append_new(archs, json_string(name)) ? -ENOMEM : 0;
}

static int architectures(const struct vigil_profile *p, json_t *archs, char *why, size_t size)
{
	struct utsname u;
	const char *a;
	int r;

	for (size_t d = 0; d < p->ndocs; d++) {
		const struct prof_strs *l = &p->docs[d].architectures;

		for (size_t i = 0; i < l->n; i++) {
			if (!(a = scmp_arch(l->v[i])))
				return harden_fail(why, size, -EINVAL,
						   "architecture \"%s\" has no seccomp name",
						   l->v[i]);
			if ((r = add_arch(archs, a)))
				return r;
		}
	}
	if (json_array_size(archs))
		return 0;
	/* a profile that names none was learned here */
	if (uname(&u) || !(a = scmp_arch(u.machine)))
		return harden_fail(
			why, size, -EINVAL,
			"the profile names no architecture and this machine's has no seccomp name");
	return add_arch(archs, a);
}

/* The learned syscalls of the container over every document, sorted and unique. */
static int learned(const struct vigil_profile *p, const char *name, struct prof_strs *out)
{
	bool any = false;

	for (size_t d = 0; d < p->ndocs; d++) {
		for (size_t i = 0; i < prof_doc_container_count(&p->docs[d]); i++) {
			const struct prof_container *c = prof_doc_matched(&p->docs[d], i);

			if (!c || c->shadowed || !same_name(c->name, name))
				continue;
			any |= c->syscalls.state == PROF_SET;
			for (size_t k = 0; k < c->syscalls.n; k++)
				if (prof_strs_push(out, c->syscalls.v[k]))
					return -ENOMEM;
		}
	}
	prof_strs_sort_unique(out);
	return any ? 0 : -ENOENT;
}

static bool strs_has(const struct prof_strs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static json_t *rule(json_t *names, const char *comment)
{
	return json_pack("{s:o, s:s, s:s}", "names", names, "action", "SCMP_ACT_ALLOW", "comment",
			 comment);
}

static int build(const struct vigil_profile *p, const struct vigil_seccomp_opts *o,
		 const char *cname, const struct prof_strs *calls, json_t *root, char *why,
		 size_t size)
{
	json_t *archs = json_array(), *rules = json_array(), *names = json_array(), *rt;
	char comment[512];
	int r = -ENOMEM;

	if (!archs || !rules || !names)
		goto out;
	if ((r = architectures(p, archs, why, size)))
		goto out;
	r = -ENOMEM;
	for (size_t i = 0; i < calls->n; i++)
		if (json_array_append_new(names, json_string(calls->v[i])))
			goto out;
	snprintf(comment, sizeof(comment), "learned by Vigil: %s, container %s",
		 p->docs[0].name ? p->docs[0].name : "?", cname ? cname : "(unnamed)");
	r = json_array_append_new(rules, rule(names, comment)) ? -ENOMEM : 0;
	names = NULL; /* taken by rule(), appended or released */
	if (r)
		goto out;
	r = -ENOMEM;
	if (!o->no_runtime) {
		if (!(rt = json_array()))
			goto out;
		for (size_t i = 0; runtime_syscalls[i]; i++)
			if (!strs_has(calls, runtime_syscalls[i]) &&
			    json_array_append_new(rt, json_string(runtime_syscalls[i]))) {
				json_decref(rt);
				goto out;
			}
		if (json_array_size(rt) &&
		    json_array_append_new(rules,
					  rule(rt, "the OCI runtime between installing this "
						   "filter and the workload's first instruction")))
			goto out;
		if (!json_array_size(rt))
			json_decref(rt);
	}
	if (json_object_set_new(root, "defaultAction", json_string("SCMP_ACT_ERRNO")) ||
	    json_object_set_new(root, "defaultErrnoRet", json_integer(EPERM)) ||
	    json_object_set(root, "architectures", archs) ||
	    json_object_set(root, "syscalls", rules))
		goto out;
	r = 0;
out:
	json_decref(archs);
	json_decref(rules);
	json_decref(names);
	return r;
}

int vigil_harden__seccomp(const struct vigil_profile *p, const struct vigil_seccomp_opts *o,
			  struct vigil_buf *out, char *why, size_t why_size)
{
	static const struct vigil_seccomp_opts none;
	struct prof_strs calls = { 0 };
	const char *cname = NULL;
	json_t *root;
	char *text;
	int r;

	if (!o)
		o = &none;
	if (why_size)
		why[0] = '\0';
	prof_ensure_normal(p);
	if ((r = pick_container(p, o->container, &cname, why, why_size)))
		return r;
	if ((r = learned(p, cname, &calls))) {
		prof_strs_release(&calls);
		return r == -ENOENT
			       ? harden_fail(why, why_size, -EINVAL,
					     "container %s has no syscalls list: nothing to allow "
					     "(was the profile learned with the syscall sensor?)",
					     cname ? cname : "(unnamed)")
			       : r;
	}
	if (!calls.n) {
		prof_strs_release(&calls);
		return harden_fail(
			why, why_size, -EINVAL,
			"container %s learned no syscalls: the filter would refuse everything",
			cname ? cname : "(unnamed)");
	}
	if (!(root = json_object())) {
		prof_strs_release(&calls);
		return -ENOMEM;
	}
	r = build(p, o, cname, &calls, root, why, why_size);
	prof_strs_release(&calls);
	if (!r) {
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		r = text ? vigil_buf__printf(out, "%s\n", text) : -ENOMEM;
		free(text);
	}
	json_decref(root);
	return r;
}
