// SPDX-License-Identifier: Apache-2.0
/*
 * `vigil profile netpol`: a Kubernetes NetworkPolicy drafted from a profile's neighbors.
 *
 * A NetworkPolicy speaks of pods (selectors), address blocks and ports; a profile also knows
 * DNS names, which a policy cannot name. Those are written as comments next to the addresses
 * learned for them, and a neighbor known only by name becomes a comment the reviewer has to
 * turn into a rule (or an egress gateway). Written by hand rather than through the profile
 * emitter because the comments are the point: every string is double-quoted with YAML
 * escapes, so no value can be read back as another type or break out of its line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/harden_internal.h"
#include "profile/model.h"
#include "util/buf.h"
#include "vigil/harden.h"

struct np {
	const struct vigil_profile *p;
	const struct vigil_netpol_opts *o;
	struct vigil_buf *out;
	int err; /* first append error */
	bool dns_used;
	size_t rules; /* rules written in the current direction */
};

static void put(struct np *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct np *n, const char *fmt, ...)
{
	va_list ap;

	if (n->err)
		return;
	va_start(ap, fmt);
	n->err = vigil_buf__vprintf(n->out, fmt, ap);
	va_end(ap);
}

/* s as a YAML double-quoted scalar: control bytes, quote and backslash escaped. */
static void quoted(struct np *n, const char *s)
{
	put(n, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(n, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			put(n, "\\x%02x", c);
		else
			put(n, "%c", c);
	}
	put(n, "\"");
}

/* Text for a comment: one line, printable (a learned name is bytes someone else chose). */
static void comment_text(struct np *n, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		put(n, "%c", c < 0x20 || c == 0x7f ? '?' : c);
	}
}

/* A shadowed container (a repeated name, select.c) is one Kubescape never reads. */
static bool wanted(const struct np *n, const struct prof_container *c)
{
	return !c->shadowed && (!n->o->container || (c->name && !strcmp(c->name, n->o->container)));
}

/* Calls fn for every neighbor of the chosen containers in one direction. */
static void each_neighbor(struct np *n, bool egress,
			  void (*fn)(struct np *n, const struct prof_neighbor *nb))
{
	for (size_t d = 0; d < n->p->ndocs; d++) {
		const struct prof_doc *doc = &n->p->docs[d];

		for (size_t i = 0; i < prof_doc_container_count(doc); i++) {
			const struct prof_container *c = prof_doc_matched(doc, i);
			const struct prof_neighbors *l;

			if (!c || !wanted(n, c))
				continue;
			l = egress ? &c->egress : &c->ingress;
			for (size_t k = 0; k < l->n; k++)
				fn(n, &l->v[k]);
		}
	}
}

/* Whether any chosen container has a list for the direction (an absent one was not learned). */
static bool learned(const struct np *n, bool egress, bool *any_container)
{
	bool has = false;

	for (size_t d = 0; d < n->p->ndocs; d++) {
		const struct prof_doc *doc = &n->p->docs[d];

		for (size_t i = 0; i < prof_doc_container_count(doc); i++) {
			const struct prof_container *c = prof_doc_matched(doc, i);

			if (!c || !wanted(n, c))
				continue;
			*any_container = true;
			if ((egress ? c->egress.state : c->ingress.state) != PROF_ABSENT)
				has = true;
		}
	}
	return has;
}

/* An address or CIDR as a CIDR; false when it is neither. */
static bool to_cidr(const char *ip, char *buf, size_t size)
{
	unsigned char a[16];
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(ip, '/');
	size_t hl = slash ? (size_t)(slash - ip) : strlen(ip);
	int family;
	char *end;
	long bits;

	if (hl >= sizeof(host))
		return false;
	memcpy(host, ip, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, host, a) == 1)
		family = AF_INET6;
	else
		return false;
	if (!slash)
		return snprintf(buf, size, "%s/%d", host, family == AF_INET ? 32 : 128) < (int)size;
	errno = 0;
	bits = strtol(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || bits < 0 || bits > (family == AF_INET ? 32 : 128))
		return false;
	return snprintf(buf, size, "%s/%ld", host, bits) < (int)size;
}

/* A selector's body after its key ("podSelector:"), which the caller wrote without newline. */
static void selector(struct np *n, const char *indent, const struct prof_selector *s)
{
	if (!s->match_labels.n && !s->nexprs) {
		put(n, " {}\n");
		return;
	}
	put(n, "\n");
	if (s->match_labels.n) {
		put(n, "%smatchLabels:\n", indent);
		for (size_t i = 0; i < s->match_labels.n; i++) {
			put(n, "%s  ", indent);
			quoted(n, s->match_labels.v[i].key);
			put(n, ": ");
			quoted(n, s->match_labels.v[i].value);
			put(n, "\n");
		}
	}
	if (s->nexprs) {
		put(n, "%smatchExpressions:\n", indent);
		for (size_t i = 0; i < s->nexprs; i++) {
			const struct prof_match_expr *e = &s->exprs[i];

			put(n, "%s- key: ", indent);
			quoted(n, e->key);
			put(n, "\n%s  operator: ", indent);
			quoted(n, e->op);
			put(n, "\n");
			if (!e->values.n)
				continue;
			put(n, "%s  values:\n", indent);
			for (size_t k = 0; k < e->values.n; k++) {
				put(n, "%s  - ", indent);
				quoted(n, e->values.v[k]);
				put(n, "\n");
			}
		}
	}
}

static bool has_selector(const struct prof_selector *s)
{
	return s->state == PROF_SET;
}

static void ipblock(struct np *n, const char *cidr)
{
	put(n, "    - ipBlock:\n        cidr: ");
	quoted(n, cidr);
	put(n, "\n");
}

/* The peers of a neighbor; returns how many were written. */
static size_t peers(struct np *n, const struct prof_neighbor *nb)
{
	char cidr[INET6_ADDRSTRLEN + 8];
	size_t count = 0;

	for (size_t i = 0; i <= nb->ip_addresses.n; i++) {
		const char *ip = i < nb->ip_addresses.n ? nb->ip_addresses.v[i] : nb->ip_address;

		if (!ip || !*ip)
			continue;
		if (!strcmp(ip, "*")) {
			ipblock(n, "0.0.0.0/0");
			ipblock(n, "::/0");
			count += 2;
		} else if (to_cidr(ip, cidr, sizeof(cidr))) {
			ipblock(n, cidr);
			count++;
		} else {
			put(n, "    # not an address, left out: ");
			comment_text(n, ip);
			put(n, "\n");
		}
	}
	if (has_selector(&nb->pod_selector) || has_selector(&nb->namespace_selector)) {
		const char *dash = "    - ";

		if (has_selector(&nb->namespace_selector)) {
			put(n, "%snamespaceSelector:", dash);
			selector(n, "        ", &nb->namespace_selector);
			dash = "      ";
		}
		if (has_selector(&nb->pod_selector)) {
			put(n, "%spodSelector:", dash);
			selector(n, "        ", &nb->pod_selector);
		}
		count++;
	}
	return count;
}

/* A protocol Kubernetes would read: "" (Go's zero value) and absent mean any (match_net.c). */
static bool any_protocol(const struct prof_port *pt)
{
	return !pt->protocol || !*pt->protocol;
}

static bool any_port(const struct prof_port *pt)
{
	return !(pt->has_port && pt->port > 0 && pt->port <= 65535);
}

/*
 * A NetworkPolicy port names TCP, UDP or SCTP (absent reads as TCP, "" is refused), so a learned
 * port whose protocol is any (absent or "") is written once per protocol; one that is any port
 * and any protocol ({}, as the matcher reads it) allows all: the rule gets no ports at all.
 */
static void ports(struct np *n, const struct prof_neighbor *nb)
{
	static const char *const all[] = { "TCP", "UDP", "SCTP" };
	bool any = false;

	for (size_t i = 0; i < nb->nports; i++) {
		const struct prof_port *pt = &nb->ports[i];

		if (prof_protocol_known(pt->protocol) && any_protocol(pt) && any_port(pt)) {
			put(n, "    # every port and protocol (a learned port allows them all)\n");
			return;
		}
	}
	for (size_t i = 0; i < nb->nports; i++) {
		const struct prof_port *pt = &nb->ports[i];
		size_t nproto = any_protocol(pt) ? 3 : 1;

		if (!prof_protocol_known(pt->protocol)) /* it matches nothing (model.h) */
			continue;
		if (!any)
			put(n, "    ports:\n");
		any = true;
		for (size_t k = 0; k < nproto; k++) {
			put(n, "    - protocol: ");
			quoted(n, any_protocol(pt) ? all[k] : pt->protocol);
			put(n, "\n");
			if (!any_port(pt))
				put(n, "      port: %d\n", (int)pt->port);
		}
	}
}

static void names_comment(struct np *n, const struct prof_neighbor *nb, const char *lead)
{
	bool first = true;

	for (size_t i = 0; i <= nb->dns_names.n; i++) {
		const char *d = i < nb->dns_names.n ? nb->dns_names.v[i] : nb->dns;

		if (!d || !*d)
			continue;
		put(n, first ? "  # %s" : ", ", lead);
		comment_text(n, d);
		first = false;
	}
	if (!first)
		put(n, "\n");
}

static bool has_names(const struct prof_neighbor *nb)
{
	return nb->dns_names.n || (nb->dns && *nb->dns);
}

/* Ports are listed and each names a protocol nobody knows: the neighbor allows nothing. */
static bool ports_match_nothing(const struct prof_neighbor *nb)
{
	if (nb->ports_state != PROF_SET || !nb->nports)
		return false;
	for (size_t i = 0; i < nb->nports; i++)
		if (prof_protocol_known(nb->ports[i].protocol))
			return false;
	return true;
}

static void rule(struct np *n, const struct prof_neighbor *nb, bool egress)
{
	size_t start = n->out->len, npeers;

	if (ports_match_nothing(nb)) {
		/* without its ports the rule would allow every port: not written */
		put(n,
		    "  # NOT WRITTEN, it allows nothing (its ports name only protocols Kubernetes "
		    "does not know, \"");
		comment_text(n, nb->ports[0].protocol);
		put(n, "\"): neighbor ");
		comment_text(n, nb->identifier ? nb->identifier : "(no identifier)");
		put(n, "\n");
		return;
	}

	if (egress && has_names(nb))
		n->dns_used = true;
	names_comment(n, nb,
		      "DNS name (a policy cannot name it; the peers below are as learned): ");
	put(n, egress ? "  - to:\n" : "  - from:\n");
	npeers = peers(n, nb);
	if (!npeers && !n->err) {
		/* a rule with no peers would allow everyone: write it only as a comment */
		n->out->len = start;
		names_comment(n, nb, "NOT EXPRESSIBLE, no address learned for: ");
		return;
	}
	ports(n, nb);
	n->rules++;
}

static void rule_in(struct np *n, const struct prof_neighbor *nb)
{
	rule(n, nb, false);
}

static void rule_out(struct np *n, const struct prof_neighbor *nb)
{
	rule(n, nb, true);
}

static void cluster_dns(struct np *n)
{
	put(n, "  # the cluster's DNS, because the workload resolves names (labels as kubeadm "
	       "sets them)\n"
	       "  - to:\n"
	       "    - namespaceSelector:\n"
	       "        matchLabels:\n"
	       "          \"kubernetes.io/metadata.name\": \"kube-system\"\n"
	       "      podSelector:\n"
	       "        matchLabels:\n"
	       "          \"k8s-app\": \"kube-dns\"\n"
	       "    ports:\n"
	       "    - protocol: \"UDP\"\n"
	       "      port: 53\n"
	       "    - protocol: \"TCP\"\n"
	       "      port: 53\n");
}

/* metadata.name: a DNS-1123 subdomain made from the profile's name. */
static void policy_name(struct np *n, const char *base)
{
	char name[254];
	size_t len = 0;

	len = (size_t)snprintf(name, sizeof(name), "vigil-%s", base ? base : "profile");
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			name[i] = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			   c == '-'))
			name[i] = '-';
	}
	while (len && (name[len - 1] == '-' || name[len - 1] == '.'))
		len--;
	name[len] = '\0';
	quoted(n, name);
}

static const struct prof_doc *network_doc(const struct vigil_profile *p)
{
	for (size_t d = 0; d < p->ndocs; d++)
		if (p->docs[d].kind != VIGIL_KIND_APPLICATION_PROFILE)
			return &p->docs[d];
	return p->ndocs ? &p->docs[0] : NULL;
}

static int pod_selector(struct np *n, const struct prof_doc *doc, char *why, size_t size)
{
	const struct vigil_netpol_opts *o = n->o;

	put(n, "  podSelector:");
	if (o->nselector) {
		put(n, "\n    matchLabels:\n");
		for (size_t i = 0; i < o->nselector; i++) {
			const char *eq = strchr(o->selector[i], '=');
			char key[320];

			if (!eq || eq == o->selector[i] ||
			    (size_t)(eq - o->selector[i]) >= sizeof(key))
				return harden_fail(why, size, -EINVAL,
						   "selector \"%s\" is not KEY=VALUE",
						   o->selector[i]);
			memcpy(key, o->selector[i], (size_t)(eq - o->selector[i]));
			key[eq - o->selector[i]] = '\0';
			put(n, "      ");
			quoted(n, key);
			put(n, ": ");
			quoted(n, eq + 1);
			put(n, "\n");
		}
		return 0;
	}
	if (!doc || doc->selector.state != PROF_SET ||
	    (!doc->selector.match_labels.n && !doc->selector.nexprs))
		return harden_fail(
			why, size, -EINVAL,
			"the profile has no pod selector: pass --selector KEY=VALUE (an empty "
			"one would apply the policy to every pod of the namespace)");
	selector(n, "    ", &doc->selector);
	return 0;
}

/*
 * One direction's rules. They are written into a buffer of their own first: a direction that
 * is learned and has no rule is "[]" (nothing allowed), which YAML wants on the key's line.
 */
static void direction(struct np *n, bool egress)
{
	struct vigil_buf *out = n->out, rules = VIGIL_BUF_INIT;

	n->out = &rules;
	n->rules = 0;
	each_neighbor(n, egress, egress ? rule_out : rule_in);
	if (egress && n->dns_used) {
		cluster_dns(n);
		n->rules++;
	}
	n->out = out;
	put(n, "  %s:%s\n", egress ? "egress" : "ingress", n->rules ? "" : " []");
	if (!n->err && rules.len)
		n->err = vigil_buf__append(out, rules.data, rules.len);
	vigil_buf__release(&rules);
}

int vigil_harden__netpol(const struct vigil_profile *p, const struct vigil_netpol_opts *o,
			 struct vigil_buf *out, char *why, size_t why_size)
{
	static const struct vigil_netpol_opts none;
	struct np n = { .p = p, .o = o ? o : &none, .out = out };
	const struct prof_doc *doc;
	bool any = false, in, eg;
	const char *ns;
	int r;

	if (why_size)
		why[0] = '\0';
	prof_ensure_normal(p);
	doc = network_doc(p);
	in = learned(&n, false, &any);
	eg = learned(&n, true, &any);
	if (!any)
		return harden_fail(why, why_size, -ENOENT,
				   n.o->container ? "no container \"%s\" in the profile"
						  : "the profile has no containers%s",
				   n.o->container ? n.o->container : "");
	if (!in && !eg)
		return harden_fail(
			why, why_size, -EINVAL,
			"the profile learned no network neighbors (no ingress or egress list)");
	put(&n, "# NetworkPolicy drafted by `vigil profile netpol` from %s ",
	    vigil_profile_kind__name(doc->kind));
	comment_text(&n, doc->name ? doc->name : "?");
	put(&n, ".\n# Review it before applying: traffic the profile did not learn is dropped "
		"(docs/ENFORCEMENT.md).\n");
	if (!in || !eg)
		put(&n, "# %s was not learned and is left open.\n", in ? "Egress" : "Ingress");
	put(&n, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ");
	if (n.o->name)
		quoted(&n, n.o->name);
	else
		policy_name(&n, doc->name);
	put(&n, "\n");
	ns = n.o->namespace_ ? n.o->namespace_ : doc->namespace_;
	if (ns) {
		put(&n, "  namespace: ");
		quoted(&n, ns);
		put(&n, "\n");
	}
	put(&n, "spec:\n");
	if ((r = pod_selector(&n, doc, why, why_size)))
		return r;
	put(&n, "  policyTypes:\n%s%s", in ? "  - \"Ingress\"\n" : "",
	    eg ? "  - \"Egress\"\n" : "");
	if (in)
		direction(&n, false);
	if (eg)
		direction(&n, true);
	return n.err;
}
