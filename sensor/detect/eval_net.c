// SPDX-License-Identifier: Apache-2.0
/*
 * The rules of the network: egress (R0007, R1003, R1009, R0011), a connection into the
 * workload's namespace from outside (R2001), raw and packet sockets (V1001).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include "sensor/detect/detect_internal.h"
#include "util/strutil.h"
#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"
#include "profile/wildcard.h"

/*
 * R2001: a process outside the workload opened a TCP connection inside its network namespace:
 * a port forward (kubectl port-forward reaches the node as containerd's forward, which connects
 * to localhost:PORT from the pod sandbox's namespace), or a host tool entering the namespace to
 * talk as the pod. Nothing in a profile allows it: a profile says what the workload does, and
 * this is done to it. Kubescape raises R2001 from the API server's pods/portforward; Vigil from
 * the node, so a forward that never passed the API server (crictl, nsenter) alerts too.
 */
int detect_eval_netns_connect(struct raise *r, const char *comm)
{
	const struct vigil_event *ev = r->ev;
	char addr[64], key[KEY_MAX];

	vigil_sockaddr__text(&ev->net.remote, addr, sizeof(addr));
	snprintf(key, sizeof(key), "%s\x1f%s\x1f%u", comm, addr, ev->net.remote.port);
	return detect_raise(r, VIGIL_R2001, key,
			    "connection into the workload's network namespace from outside it "
			    "(port forward) by %s (pid %u) to %s port %u",
			    comm, ev->proc ? ev->proc->pid : 0u, addr, ev->net.remote.port);
}

/*
 * Whether addr:port is the API server: entries "ADDR:PORT", ADDR "*", an address or a CIDR,
 * IPv6 in brackets or not. Compared as addresses, never as text: an IPv4-mapped IPv6 peer
 * (::ffff:10.96.0.1, from an AF_INET6 socket) is the IPv4 address it maps, as the profile's
 * egress matching takes it (vigil_wc_ip_normalize), so the spelling cannot hide the API server.
 */
static bool is_k8s_api(const struct vigil_detector *d, const struct vigil_sockaddr *ra)
{
	char want[INET6_ADDRSTRLEN + 16];
	struct vigil_wc_ipnet net;
	uint8_t a[16], fam;

	if (vigil_wc_ip_normalize(ra->family, ra->addr, a, &fam) < 0)
		return false;
	for (size_t i = 0; i < d->nk8s; i++) {
		const char *colon = strrchr(d->k8s_api[i], ':');
		const char *h = d->k8s_api[i];
		size_t len;
		uint64_t p;

		if (!colon || vigil_parse_u64(colon + 1, &p) || p != ra->port)
			continue;
		len = (size_t)(colon - h);
		if (len >= 2 && h[0] == '[' && h[len - 1] == ']')
			h++, len -= 2;
		if (len >= sizeof(want))
			continue;
		memcpy(want, h, len);
		want[len] = '\0';
		if (!vigil_wc_ip_parse(want, &net) && vigil_wc_ip_match(&net, fam, a))
			return true;
	}
	return false;
}

int detect_eval_connect(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const struct vigil_sockaddr *ra = &ev->net.remote;
	const char *proto = vigil_ip_proto_name(ev->net.proto);
	char addr[INET6_ADDRSTRLEN + 1], key[INET6_ADDRSTRLEN + 32];

	if (ra->family != AF_INET && ra->family != AF_INET6)
		return 0;
	if (ev->net.direction == VIGIL_DIR_INBOUND)
		return 0;
	if (vigil_matcher__neighbor(r->b->m, true, ra->family, ra->addr, ra->port, proto))
		return 0;
	vigil_sockaddr__text(ra, addr, sizeof(addr));
	snprintf(key, sizeof(key), "%s/%s:%u", proto, addr, ra->port);
	if (is_k8s_api(r->d, ra))
		return detect_raise(r, VIGIL_R0007, key,
				    "connection to the Kubernetes API server %s:%u", addr,
				    ra->port);
	/* R1003 (off by default, as in Kubescape): an SSH client to an address and port the
	 * profile does not know, on a port SSH does not use; off, R1009/R0011 judge it */
	if (ev->net.proto == IPPROTO_TCP && ra->port != 22 && ra->port != 2022 && ev->proc &&
	    vigil_is_ssh_client(ev->proc->exe,
				ev->proc->argc && ev->proc->argv ? ev->proc->argv[0] : NULL) &&
	    detect_rule_on(r, VIGIL_R1003))
		return detect_raise(r, VIGIL_R1003, key,
				    "SSH connection to an unexpected destination on a non-standard "
				    "port: %s:%u by %s",
				    addr, ra->port, ev->proc->exe);
	if (ev->net.proto == IPPROTO_TCP && (ra->port == 3333 || ra->port == 45700))
		return detect_raise(r, VIGIL_R1009, key, "connection to crypto-mining port %s:%u",
				    addr, ra->port);
	return detect_raise(r, VIGIL_R0011, key, "unexpected egress to %s %s:%u", proto, addr,
			    ra->port);
}

/*
 * A raw, packet or ICMP socket (the sensor reports only those): it reaches the wire below TCP
 * and UDP, where egress and DNS are not seen: sniffing, hand-made packets, ICMP tunnels.
 * Allowed per executable by rulePolicies (learned; detect.c checks them, by exe).
 */
int detect_eval_socket(struct raise *r)
{
	const struct vigil_event *ev = r->ev;
	const char *exe = ev->proc && ev->proc->exe ? ev->proc->exe : "";
	const char *what = ev->call.arg0 == 17 ? "packet" : ev->call.arg1 == 3 ? "raw" : "ICMP";
	char key[KEY_MAX];

	snprintf(key, sizeof(key), "%s\x1f%lld:%lld:%lld", exe, (long long)ev->call.arg0,
		 (long long)ev->call.arg1, (long long)ev->call.arg2);
	return detect_raise(r, VIGIL_V1001, key,
			    "%s socket created by %s (family %lld, type %lld, protocol %lld)", what,
			    exe[0] ? exe : (ev->proc ? ev->proc->comm : "?"),
			    (long long)ev->call.arg0, (long long)ev->call.arg1,
			    (long long)ev->call.arg2);
}
