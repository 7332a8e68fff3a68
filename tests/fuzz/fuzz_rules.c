// SPDX-License-Identifier: Apache-2.0
/*
 * Learning and detection on arbitrary event contents: the first bytes pick the event kind and
 * numbers, the rest is split at NUL bytes into strings (paths, link targets, names, argv). The
 * learner and the detector (bound to a profile with wildcards and rulePolicies) must accept
 * anything without crashing, and every alert must be a complete JSON object.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vigil/detect.h"
#include "vigil/learn.h"
#include "vigil/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char profile_yaml[] =
	"apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
	"kind: ContainerProfile\n"
	"metadata: {name: fuzz}\n"
	"spec:\n"
	"  execs: [{path: /bin/sh, args: [sh, -c, \"\xe2\x8b\xaf\"]}, {path: /usr/bin/*}]\n"
	"  opens: [{path: /etc/*, flags: [O_RDONLY]}, {path: /proc/\xe2\x8b\xaf/stat}]\n"
	"  syscalls: [read, write]\n"
	"  capabilities: [CAP_CHOWN]\n"
	"  iouring: [READ]\n"
	"  rulePolicies: {R0002: {processAllowed: [ok]}}\n"
	"  egress: [{identifier: a, type: external, dnsNames: [a.example.com],\n"
	"            ipAddresses: [127.0.0.0/8]}]\n";

/* Every alert has a rule and its event, and encodes to an object with both. */
static int check_alert(const struct vigil_alert *a, void *ctx)
{
	json_t *j = vigil_alert__json(a);

	(void)ctx;
	if (!a->rule || !a->event || !j || !json_is_string(json_object_get(j, "rule_id")) ||
	    !json_is_object(json_object_get(j, "event")))
		__builtin_trap();
	json_decref(j);
	return 0;
}

/* R1004's lookup from the executable's path alone: the fuzzed process is no real one, and
 * what /proc says of a real pid would make runs differ. */
static bool mount_of(const struct vigil_event *e, char *mnt, size_t size)
{
	if (strncmp(e->exec.path, "/data/", 6) != 0)
		return false;
	snprintf(mnt, size, "/data");
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const all[] = { "all", NULL };
	struct vigil_detect_opts dopts = { .enabled = all, .exec_mount = mount_of };
	static struct vigil_profile *p;
	struct vigil_workload w = {
		.cgroup_id = 7, .cgroup_path = "/f", .container_id = "", .name = "f"
	};
	struct vigil_process proc = { .pid = 1, .comm = "x" };
	struct vigil_learn_opts lo = { .name = "fuzz" };
	struct vigil_event ev = { .workload = &w, .proc = &proc };
	const char *strs[8] = { "", "", "", "", "", "", "", "" };
	struct vigil_detector *d;
	struct vigil_learner *l;
	struct vigil_profile *learned = NULL;
	char buf[4096];
	size_t n = 0, len;

	if (size < 8)
		return 0;
	if (!p && vigil_profile__load_buffer(profile_yaml, sizeof(profile_yaml) - 1, "fuzz", NULL,
					     &p, NULL) < 0)
		__builtin_trap();
	ev.kind = (enum vigil_event_kind)(1 + data[0] % (VIGIL_EV__MAX - 1));
	ev.time_ns = (uint64_t)data[1] << 32;
	ev.via_iouring = data[2] & 1;
	/* the union's numbers from bytes 3..7 (per kind: its members overlap), strings from the rest */
	len = size - 8 < sizeof(buf) - 1 ? size - 8 : sizeof(buf) - 1;
	memcpy(buf, data + 8, len);
	buf[len] = '\0';
	for (char *s = buf; n < 8 && s <= buf + len; s += strlen(s) + 1)
		strs[n++] = s;
	snprintf(proc.comm, sizeof(proc.comm), "%s", strs[0]);
	proc.exe = strs[1];
	proc.argv = &strs[2];
	proc.argc = n > 2 ? (uint32_t)(n - 2) : 0;
	proc.cwd = strs[3];
	switch (ev.kind) {
	case VIGIL_EV_EXEC:
	case VIGIL_EV_MMAP_EXEC: /* exec's members (the decoder's) */
		ev.exec.path = strs[1];
		ev.exec.upper_layer = data[3] & 1;
		ev.exec.memfd = data[3] & 2;
		ev.exec.dev_shm = data[3] & 4;
		ev.exec.entered = data[3] & 8;
		ev.exec.entered_by = data[3] & 16 ? strs[2] : NULL;
		ev.exec.entered_host_pid = data[3] & 32;
		ev.exec.entered_pid = data[3] & 64 ? 0xffffffffu : data[0];
		ev.exec.history_off = data[3] & 128 ? strs[2] : NULL;
		break;
	case VIGIL_EV_OPEN:
	case VIGIL_EV_EXEC_WRITE:
		ev.open.path = strs[1];
		memcpy(&ev.open.flags, data + 3, 4);
		ev.open.ret = (int8_t)data[7];
		break;
	case VIGIL_EV_SYMLINK:
	case VIGIL_EV_LINK:
	case VIGIL_EV_RENAME: /* the decoder fills link's members for it too */
		ev.link.path = strs[1];
		ev.link.target = strs[2];
		break;
	case VIGIL_EV_DNS:
		ev.dns.name = strs[1];
		break;
	case VIGIL_EV_CAPABILITY:
		ev.cap.name = strs[1];
		break;
	case VIGIL_EV_SYSCALL:
		ev.syscall.name = strs[1];
		break;
	case VIGIL_EV_IOURING_OP:
	case VIGIL_EV_IOURING_CREATE:
		ev.iouring.opname = strs[1];
		ev.iouring.path = strs[2];
		break;
	case VIGIL_EV_CONNECT:
	case VIGIL_EV_ACCEPT:
	case VIGIL_EV_SEND:
	case VIGIL_EV_NETNS_CONNECT:
		ev.net.remote.family = data[3] & 1 ? 10 : 2; /* AF_INET6 : AF_INET */
		ev.net.remote.port = (uint16_t)(data[4] | data[5] << 8);
		if (size >= 24)
			memcpy(ev.net.remote.addr, data + 8, 16);
		ev.net.proto = data[6] & 1 ? 17 : 6;
		ev.net.direction = (enum vigil_direction)(data[7] % 3);
		break;
	case VIGIL_EV_SETID:
	case VIGIL_EV_ERASE:
		ev.attr.path = strs[1];
		ev.attr.call = strs[2];
		memcpy(&ev.attr.mode, data + 3, 4);
		ev.attr.file_mode = data[6] & 1 ? ev.attr.mode : 0;
		ev.attr.file_type = data[6] & 2 ? 0040000 : data[6] & 4 ? 0100000 : 0;
		ev.attr.ret = (int8_t)data[7];
		break;
	case VIGIL_EV_SETNS:
		ev.call.arg0 = data[3];
		memcpy(&ev.call.ns_host, data + 4, 4);
		ev.call.ns_joined = ev.call.ns_host | data[3];
		ev.call.ns_ino = data[5];
		break;
	case VIGIL_EV_SOCKET:
		ev.call.arg0 = data[3] % 18; /* AF_INET, AF_PACKET, ... */
		ev.call.arg1 = data[4] & 0xf;
		ev.call.arg2 = data[5];
		ev.call.ret = data[6];
		break;
	default:
		ev.call.str = strs[1];
		ev.call.arg0 = data[3];
		break;
	}
	d = vigil_detector__new(&dopts);
	l = vigil_learner__new(&lo);
	if (!d || !l || vigil_detector__bind(d, 7, p, NULL, NULL) < 0)
		__builtin_trap();
	vigil_detector__event(d, &ev, check_alert, NULL);
	vigil_learner__event(l, &ev);
	if (vigil_learner__finish(l, false, &learned) == 0)
		vigil_profile__free(learned);
	vigil_learner__free(l);
	vigil_detector__free(d);
	return 0;
}
