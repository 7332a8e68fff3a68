// SPDX-License-Identifier: Apache-2.0
/*
 * The entries of a profile the kernel can judge exactly as the matcher does (vigil/kallow.h).
 * Every choice here errs towards leaving an entry out: an entry left out only means its events
 * go to user space as before, an entry the kernel judged more widely than the matcher would
 * hide a deviation. So the shapes kept are the ones whose meaning is unambiguous: an exact
 * path, a literal directory followed by one trailing wildcard, a literal address.
 */
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "profile/model.h"
#include "profile/wildcard.h"
#include "vigil/kallow.h"
#include "vigil/sensor.h"

/* The longest path the kernel judges (bpf/sensor_abi.h VG_PATH_HASH_MAX: a path is as long as
 * its leaf-first form) */
#define KPATH_MAX 1024

static bool seg_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/*
 * An open pattern as (directory or file, kind): "/a/b" is the file, "/a/⋯" the children of /a,
 * "/a/\*" everything below /a. -EINVAL for any other shape: a wildcard before the end, an empty,
 * "." or ".." segment (the kernel's paths have none, and the matcher compares them literally).
 */
static int open_shape(const char *pattern, char *out, size_t size, enum vigil_kallow_path *kind)
{
	size_t len, start = 1, last = 0;

	if (!pattern || pattern[0] != '/')
		return -EINVAL;
	len = vigil_wc_path_trim(pattern, strlen(pattern));
	if (len >= size || len > KPATH_MAX)
		return -EINVAL;
	*kind = VIGIL_KALLOW_FILE;
	if (len == 1) { /* "/" itself */
		memcpy(out, "/", 2);
		return 0;
	}
	for (size_t i = 1; i <= len; i++) {
		size_t n;
		const char *s;

		if (i < len && pattern[i] != '/')
			continue;
		s = pattern + start;
		n = i - start;
		if (!n || seg_is(s, n, ".") || seg_is(s, n, ".."))
			return -EINVAL;
		if (seg_is(s, n, VIGIL_WC_ONE) || seg_is(s, n, "*")) {
			if (i != len)
				return -EINVAL; /* mid-path: zero or more / exactly one, left to user space */
			*kind = seg_is(s, n, "*") ? VIGIL_KALLOW_DESC : VIGIL_KALLOW_CHILD;
			last = start;
		}
		start = i + 1;
	}
	if (*kind == VIGIL_KALLOW_FILE) {
		memcpy(out, pattern, len);
		out[len] = '\0';
	} else if (last <= 1) {
		memcpy(out, "/", 2);
	} else {
		memcpy(out, pattern, last - 1);
		out[last - 1] = '\0';
	}
	return 0;
}

/* A pattern the kernel cannot judge that could match a file the open rules name: those all
 * lie below /etc, /root, /run or /var (bpf/sensor_abi.h, map sensitive). */
static bool may_name_sensitive(const char *pattern)
{
	static const char *const roots[] = { "etc", "root", "run", "var", NULL };
	const char *s = pattern[0] == '/' ? pattern + 1 : pattern, *end = strchr(s, '/');
	size_t n = end ? (size_t)(end - s) : strlen(s);

	if (!n || seg_is(s, n, VIGIL_WC_ONE) || seg_is(s, n, "*") || seg_is(s, n, "..") ||
	    seg_is(s, n, "."))
		return true;
	for (size_t i = 0; roots[i]; i++)
		if (seg_is(s, n, roots[i]))
			return true;
	return false;
}

static int visit_open(const struct prof_open *o, const struct vigil_kallow_visit *v, void *arg,
		      struct vigil_kallow_count *cnt)
{
	char path[KPATH_MAX + 1];
	enum vigil_kallow_path kind;
	uint64_t bits = 0;
	bool tokens;

	if (!o->path)
		return 0;
	/* a token entry allows every token (its own name does not matter): whole in the kernel */
	tokens = vigil_wc_token_pattern(o->path);
	if (tokens) {
		int r = v->tokens ? v->tokens(arg) : 0;

		if (r)
			return r;
	}
	if (open_shape(o->path, path, sizeof(path), &kind) < 0) {
		cnt->opens_left_out++;
		if (may_name_sensitive(o->path) && !tokens)
			cnt->opens_left_out_sensitive++;
		return 0;
	}
	/* as the matcher: an unknown flag name adds nothing */
	for (size_t i = 0; i < o->flags.n; i++) {
		uint64_t b;

		if (o->flags.v[i] && vigil_wc_open_flag(o->flags.v[i], &b) == 0)
			bits |= b;
	}
	cnt->opens++;
	return v->open ? v->open(path, kind, bits, o->flags.n == 0, arg) : 0;
}

/* "TCP" -> IPPROTO_TCP; NULL or "" -> 0 (any); -1 for a protocol the kernel does not judge. */
static int proto_of(const char *name)
{
	if (!name || !*name)
		return 0;
	if (!strcasecmp(name, "TCP"))
		return IPPROTO_TCP;
	if (!strcasecmp(name, "UDP"))
		return IPPROTO_UDP;
	return -1;
}

static int visit_addr(const struct prof_neighbor *nb, const char *ip,
		      const struct vigil_kallow_visit *v, void *arg, struct vigil_kallow_count *cnt)
{
	struct vigil_wc_ipnet net;
	int fam, r;

	/* a CIDR or "*" matches ranges: left to user space */
	if (vigil_wc_ip_parse(ip, &net) < 0 || net.any ||
	    net.prefix != (net.family == 4 ? 32 : 128)) {
		cnt->peers_left_out++;
		return 0;
	}
	fam = net.family == 4 ? AF_INET : AF_INET6;
	if (nb->ports_state != PROF_SET || !nb->nports) {
		cnt->peers++;
		return v->peer ? v->peer(fam, net.addr, 0, 0, arg) : 0;
	}
	for (size_t i = 0; i < nb->nports; i++) {
		const struct prof_port *p = &nb->ports[i];
		bool any_port = !p->has_port || p->port == 0;
		int proto = proto_of(p->protocol);

		/* a protocol nobody knows allows nothing (prof_protocol_known): nothing to add, and
		 * the kernel's set stays exact without it */
		if (!prof_protocol_known(p->protocol))
			continue;
		if (proto < 0 || (!any_port && (p->port < 0 || p->port > 65535))) {
			cnt->peers_left_out++;
			continue;
		}
		cnt->peers++;
		r = v->peer ? v->peer(fam, net.addr, (uint8_t)proto,
				      any_port ? 0 : (uint16_t)p->port, arg)
			    : 0;
		if (r)
			return r;
	}
	return 0;
}

static int visit_container(const struct prof_container *c, const struct vigil_kallow_visit *v,
			   void *arg, struct vigil_kallow_count *cnt)
{
	int r = 0;

	/* a profile keyed by executable judges an open by the program that made it too (user
	 * space, lib/profile/byexe.c): the kernel's workload-wide set would hide that */
	if (prof_byexe_present(c))
		cnt->opens_left_out += c->opens.n;
	for (size_t i = 0; i < c->opens.n && !r && !prof_byexe_present(c); i++)
		r = visit_open(&c->opens.v[i], v, arg, cnt);
	for (size_t i = 0; i < c->iouring.n && !r; i++)
		r = v->uring && c->iouring.v[i] ? v->uring(c->iouring.v[i], arg) : 0;
	for (size_t i = 0; i < c->egress.n && !r; i++) {
		const struct prof_neighbor *nb = &c->egress.v[i];

		/* the matcher takes an in-cluster address for a neighbor known by selector only */
		if ((nb->pod_selector.state == PROF_SET ||
		     nb->namespace_selector.state == PROF_SET) &&
		    !(nb->ip_address && *nb->ip_address) && !nb->ip_addresses.n &&
		    !(nb->dns && *nb->dns) && !nb->dns_names.n)
			cnt->peers_left_out++;

		if (nb->ip_address)
			r = visit_addr(nb, nb->ip_address, v, arg, cnt);
		for (size_t k = 0; k < nb->ip_addresses.n && !r; k++)
			r = visit_addr(nb, nb->ip_addresses.v[k], v, arg, cnt);
	}
	return r;
}

struct visit_ctx {
	const struct vigil_kallow_visit *v;
	void *arg;
	struct vigil_kallow_count cnt;
};

static int visit_one(const struct prof_container *c, void *arg)
{
	struct visit_ctx *x = arg;

	return visit_container(c, x->v, x->arg, &x->cnt);
}

int vigil_profile__kernel_allow(const struct vigil_profile *p, const char *container,
				const struct vigil_kallow_visit *v, void *arg,
				struct vigil_kallow_count *ret)
{
	struct visit_ctx x = { v, arg, { 0 } };
	int r;

	if (!p || !v)
		return -EINVAL;
	prof_ensure_normal(p);
	/* the containers the matcher reads (prof_each_container), so the kernel agrees with it */
	r = prof_each_container(p, container, visit_one, &x);
	if (ret)
		*ret = x.cnt;
	return r;
}

int vigil_kallow__enforceable(const struct vigil_kallow_count *c, uint32_t rules, char *why,
			      size_t why_size)
{
	if (why_size)
		why[0] = '\0';
	if ((rules & VIGIL_ENFORCE_OPENS) && (c->opens_left_out_sensitive || c->not_loaded)) {
		snprintf(
			why, why_size,
			"%llu open path(s) of the profile the kernel cannot compare exactly (a "
			"wildcard before the end, or more than four flag sets for one path): R0010 "
			"and R0006 are enforced only when every allowed open below /etc, /root, /run "
			"and /var is in the kernel",
			(unsigned long long)(c->opens_left_out_sensitive + c->not_loaded));
		return -EPERM;
	}
	if ((rules & VIGIL_ENFORCE_EGRESS) && (c->peers_left_out || c->not_loaded)) {
		snprintf(why, why_size,
			 "%llu egress peer(s) of the profile the kernel cannot compare exactly (a "
			 "CIDR, \"*\", a selector, a protocol other than TCP and UDP): R0011 is "
			 "enforced only when every allowed peer is an address in the kernel",
			 (unsigned long long)(c->peers_left_out + c->not_loaded));
		return -EPERM;
	}
	return 0;
}
