// SPDX-License-Identifier: Apache-2.0
/*
 * The cgroup sendmsg4/6 hooks that note where a datagram sent with an address really goes,
 * the kernel's copy of the address (bpf/udpdest.bpf.c), on the cgroup2 root so they see every
 * workload. They refuse nothing. Without them (no cgroup2 root open, a kernel that refuses
 * the link) a send's peer is read from the caller's memory at the call's exit, as before:
 * a thread rewriting it while the call runs then misleads the sensor (docs/SENSOR.md).
 */
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "sensor/sensor_state.h"
#include "vigil.skel.h"

void sensor_attach_udp_dest(struct vigil_sensor *s)
{
	struct bpf_program *progs[2] = { s->skel->progs.vg_udp_dest4, s->skel->progs.vg_udp_dest6 };

	if (s->cg2_fd < 0)
		return;
	for (int i = 0; i < 2; i++) {
		int l = s->udp_dest_links[i] >= 0 ? s->udp_dest_links[i]
						  : sensor_attach_cgroup(s, progs[i], s->cg2_fd);

		if (l < 0)
			fprintf(stderr,
				"vigil: sensor: cannot attach the datagram destination hook: %s "
				"(a datagram's peer is read from the sender's memory)\n",
				strerror(-l));
		s->udp_dest_links[i] = l < 0 ? -1 : l;
	}
}
