// SPDX-License-Identifier: Apache-2.0
/*
 * The event table and its encoder (lib/event/): every kind has a row and a name; every field
 * encodes to a value (no field is lost or NULL); values are spelled by name (open flags, DNS
 * types, TCP states, namespaces, ptrace, bpf); the line shows the key first; what compact
 * copies keep (key, peer, sample) follows the table.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <jansson.h>

#include "event/table.h"
#include "vigil/event.h"

static struct vigil_process proc = {
	.pid = 42, .tid = 43, .ppid = 1, .comm = "app", .exe = "/bin/app"
};
static struct vigil_workload wl = {
	.cgroup_id = 7, .cgroup_path = "/w", .container_id = "", .runtime = "", .name = "w"
};

static struct vigil_event mk(enum vigil_event_kind k)
{
	struct vigil_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = k;
	ev.proc = &proc;
	ev.workload = &wl;
	return ev;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_every_kind_has_a_row(void **state)
{
	(void)state;
	for (int k = 1; k < VIGIL_EV__MAX; k++) {
		const struct ev_desc *d = ev_desc_of((enum vigil_event_kind)k);
		struct vigil_event ev = mk((enum vigil_event_kind)k);
		char line[512];
		json_t *o;

		assert_non_null(d);
		assert_true(d->nfields > 0);
		assert_int_equal(vigil_event_kind__from_name(d->name), k);
		o = vigil_event__json(&ev);
		assert_non_null(o);
		assert_string_equal(str(o, "type"), d->name);
		/* every field of the row is in the object, with a value */
		for (size_t i = 0; i < d->nfields; i++) {
			const struct ev_field *f = &d->fields[i];
			const char *name = f->type == EV_SAMPLE ? "sample_len" : f->name;

			assert_true(f->name && f->name[0]);
			assert_true((size_t)f->off + f->size <= sizeof(struct vigil_event));
			if (f->type == EV_NAME || f->type == EV_FLAGS)
				assert_non_null(f->names);
			if (!(f->flags & EV_OPTIONAL)) {
				if (!json_object_get(o, name))
					fail_msg("%s: field %s missing", d->name, name);
			}
			/* one name per field in a row */
			for (size_t j = 0; j < i; j++)
				assert_string_not_equal(d->fields[j].name, f->name);
		}
		json_decref(o);
		assert_int_equal(vigil_event__detail(&ev, line, sizeof(line)), 0);
	}
	assert_null(ev_desc_of(0));
	assert_null(ev_desc_of(VIGIL_EV__MAX));
	assert_string_equal(vigil_event_kind__name(VIGIL_EV__MAX), "unknown");
	assert_int_equal(vigil_event_kind__from_name("nope"), 0);
}

static void test_names(void **state)
{
	struct vigil_event ev = mk(VIGIL_EV_OPEN);
	char line[512];
	json_t *o, *flags;

	(void)state;
	ev.open.path = "/etc/passwd";
	ev.open.flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	ev.open.ret = 3;
	o = vigil_event__json(&ev);
	flags = json_object_get(o, "flags");
	assert_int_equal(json_array_size(flags), 3);
	assert_string_equal(json_string_value(json_array_get(flags, 0)), "O_WRONLY");
	assert_string_equal(json_string_value(json_array_get(flags, 1)), "O_CREAT");
	assert_string_equal(json_string_value(json_array_get(flags, 2)), "O_CLOEXEC");
	json_decref(o);
	vigil_event__detail(&ev, line, sizeof(line));
	assert_string_equal(line, "/etc/passwd flags=O_WRONLY|O_CREAT|O_CLOEXEC ret=3");

	ev = mk(VIGIL_EV_DNS);
	ev.dns.name = "example.org";
	ev.dns.qtype = 28;
	ev.dns.server.family = AF_INET;
	ev.dns.server.port = 53;
	inet_pton(AF_INET, "10.0.0.53", ev.dns.server.addr);
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "qtype"), "AAAA");
	assert_string_equal(str(o, "server_addr"), "10.0.0.53");
	assert_int_equal(json_integer_value(json_object_get(o, "server_port")), 53);
	json_decref(o);
	vigil_event__detail(&ev, line, sizeof(line));
	assert_string_equal(line, "example.org qtype=AAAA server_addr=10.0.0.53:53");
	ev.dns.qtype = 4242; /* no name: the number, as text */
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "qtype"), "4242");
	json_decref(o);

	ev = mk(VIGIL_EV_UNSHARE);
	ev.call.arg0 = 0x04000000 | 0x00020000;
	o = vigil_event__json(&ev);
	flags = json_object_get(o, "flags");
	assert_int_equal(json_array_size(flags), 2);
	assert_string_equal(json_string_value(json_array_get(flags, 0)), "CLONE_NEWNS");
	assert_string_equal(json_string_value(json_array_get(flags, 1)), "CLONE_NEWUTS");
	json_decref(o);

	/* setns: where it took the process, by namespace type */
	ev = mk(VIGIL_EV_SETNS);
	ev.call.ns_joined = 0x00020000 | 0x40000000;
	ev.call.ns_host = 0x00020000;
	ev.call.ns_ino = 4026531841u;
	o = vigil_event__json(&ev);
	assert_int_equal(json_array_size(json_object_get(o, "joined")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "host"), 0)),
			    "CLONE_NEWNS");
	assert_int_equal(json_integer_value(json_object_get(o, "ns_ino")), 4026531841LL);
	json_decref(o);

	/* setid: the set-id bits and the file's type by name */
	ev = mk(VIGIL_EV_SETID);
	ev.attr.path = "/tmp/x";
	ev.attr.call = "fchmodat";
	ev.attr.mode = 06755;
	ev.attr.file_type = 0100000;
	o = vigil_event__json(&ev);
	flags = json_object_get(o, "bits");
	assert_int_equal(json_array_size(flags), 2);
	assert_string_equal(json_string_value(json_array_get(flags, 0)), "S_ISUID");
	assert_string_equal(str(o, "file_type"), "regular");
	assert_string_equal(str(o, "call"), "fchmodat");
	json_decref(o);

	ev = mk(VIGIL_EV_PTRACE);
	ev.call.arg0 = 16;
	ev.call.arg1 = 99;
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "request_name"), "PTRACE_ATTACH");
	assert_int_equal(json_integer_value(json_object_get(o, "request")), 16);
	assert_int_equal(json_integer_value(json_object_get(o, "target_pid")), 99);
	json_decref(o);

	ev = mk(VIGIL_EV_TCP_STATE);
	ev.net.old_state = 2;
	ev.net.new_state = 1;
	ev.net.proto = 6;
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "old_state"), "SYN_SENT");
	assert_string_equal(str(o, "new_state"), "ESTABLISHED");
	assert_string_equal(str(o, "proto"), "TCP");
	json_decref(o);

	ev = mk(VIGIL_EV_BPF);
	ev.call.arg0 = 5;
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "cmd_name"), "BPF_PROG_LOAD");
	json_decref(o);
}

static void test_net_and_copies(void **state)
{
	struct vigil_event ev = mk(VIGIL_EV_CONNECT);
	static const uint8_t sample[] = { 'h', 'i' };
	const struct vigil_sockaddr *peer;
	const uint8_t *data;
	uint8_t proto, dir;
	uint64_t bytes;
	char line[512], buf[32];
	json_t *o;

	(void)state;
	ev.net.proto = 6;
	ev.net.direction = VIGIL_DIR_OUTBOUND;
	ev.net.remote.family = AF_INET6;
	ev.net.remote.port = 443;
	inet_pton(AF_INET6, "2001:db8::1", ev.net.remote.addr);
	ev.net.local.family = AF_INET6;
	ev.net.local.port = 5555;
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "addr"), "2001:db8::1");
	assert_int_equal(json_integer_value(json_object_get(o, "port")), 443);
	assert_int_equal(json_integer_value(json_object_get(o, "local_port")), 5555);
	assert_string_equal(str(o, "family"), "inet6");
	assert_string_equal(str(o, "direction"), "outbound");
	json_decref(o);
	vigil_event__detail(&ev, line, sizeof(line));
	assert_non_null(strstr(line, "addr=[2001:db8::1]:443"));
	peer = vigil_event__peer(&ev);
	assert_ptr_equal(peer, &ev.net.remote);
	vigil_event__net(&ev, &proto, &dir, &bytes);
	assert_int_equal(proto, 6);
	assert_int_equal(dir, VIGIL_DIR_OUTBOUND);

	/* bind: the end that matters is the local one */
	ev.kind = VIGIL_EV_BIND;
	assert_ptr_equal(vigil_event__peer(&ev), &ev.net.local);

	ev = mk(VIGIL_EV_NET_IO);
	ev.net.bytes = 2;
	ev.net.data = sample;
	ev.net.data_len = 2;
	assert_int_equal(vigil_event__sample(&ev, &data), 2);
	assert_ptr_equal(data, sample);
	o = vigil_event__json(&ev);
	assert_string_equal(str(o, "sample_hex"), "6869");
	assert_int_equal(json_integer_value(json_object_get(o, "sample_len")), 2);
	json_decref(o);
	vigil_event__net(&ev, &proto, &dir, &bytes);
	assert_int_equal(bytes, 2);

	ev = mk(VIGIL_EV_TCP_STATE);
	ev.net.new_state = 10;
	assert_string_equal(vigil_event__key(&ev, buf, sizeof(buf)), "LISTEN");
	ev = mk(VIGIL_EV_EXIT);
	assert_string_equal(vigil_event__key(&ev, buf, sizeof(buf)), "");
	assert_null(vigil_event__peer(&ev));
	assert_int_equal(vigil_event__sample(&ev, &data), 0);
}

/* Text a workload chose: JSON keeps valid UTF-8 and writes other bytes as \xNN; a line also
 * escapes control characters (no forged line, no terminal escape). */
static void test_any_bytes(void **state)
{
	char buf[64];
	json_t *j;

	(void)state;
	j = vigil_json_text("/tmp/x\xff\xe2\x8b\xaf\n");
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "/tmp/x\\xff\xe2\x8b\xaf\n");
	json_decref(j);
	j = vigil_json_textn("ab\xc3", 3); /* a character cut by the length */
	assert_string_equal(json_string_value(j), "ab\\xc3");
	json_decref(j);
	assert_string_equal(vigil_text_shown("/etc/x\nFAKE \x1b[31m", buf, sizeof(buf)),
			    "/etc/x\\x0aFAKE \\x1b[31m");
	assert_string_equal(vigil_text_shown("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9");
	assert_string_equal(vigil_text_shown("\x01\x02\x03\x04", buf, 9), "\\x01\\x02");
}

static void test_process_workload(void **state)
{
	const char *argv[] = { "app", "-v" };
	struct vigil_process p = proc;
	struct vigil_workload_info info = {
		.name = "web", .image = "nginx:1", .pod = "web-0", .namespace_ = "prod"
	};
	json_t *o;

	(void)state;
	p.argv = argv;
	p.argc = 2;
	o = vigil_process__json(&p);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 42);
	assert_int_equal(json_array_size(json_object_get(o, "args")), 2);
	json_decref(o);
	o = vigil_process__json(NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 0);
	json_decref(o);
	o = vigil_workload__json(&wl, &info);
	assert_string_equal(str(o, "name"), "web");
	assert_string_equal(str(o, "pod"), "web-0");
	assert_string_equal(str(o, "namespace"), "prod");
	assert_string_equal(str(o, "image"), "nginx:1");
	assert_string_equal(str(o, "id"), "/w");
	json_decref(o);
	o = vigil_workload__json(NULL, NULL);
	assert_string_equal(str(o, "id"), "");
	json_decref(o);
}

/* A copy owns everything it points to: every text and sample field of every kind's row, the
 * process and the workload are still there (and the same) after the originals are gone. */
static void test_dup_owns_everything(void **state)
{
	(void)state;
	for (int k = 1; k < VIGIL_EV__MAX; k++) {
		const struct ev_desc *d = ev_desc_of((enum vigil_event_kind)k);
		char *owned[64], *before, *after;
		const char *argv[2];
		struct vigil_process p = proc;
		struct vigil_workload w = wl;
		struct vigil_event ev = mk((enum vigil_event_kind)k), *copy;
		size_t n = 0, size = 0;
		json_t *o;

		assert_non_null(d);
#define OWN(lit) (owned[n] = strdup(lit), assert_true(n < 64), owned[n++])
		p.exe = OWN("/bin/app");
		p.cwd = OWN("/srv");
		argv[0] = OWN("app");
		argv[1] = OWN("-v");
		p.argv = argv;
		p.argc = 2;
		w.name = OWN("web");
		w.cgroup_path = OWN("/w");
		w.container_id = OWN("c0ffee");
		w.runtime = OWN("podman");
		ev.proc = &p;
		ev.workload = &w;
		for (size_t i = 0; i < d->nfields; i++) {
			const struct ev_field *f = &d->fields[i];
			char *at = (char *)&ev + f->off;

			if (f->type == EV_STR) {
				*(const char **)at = OWN("/some/text");
			} else if (f->type == EV_SAMPLE) {
				*(const uint8_t **)at = (const uint8_t *)OWN("sample");
				*(uint32_t *)((char *)&ev + f->len_off) = 6;
			} else if (f->type == EV_ADDR) {
				struct vigil_sockaddr *a = (struct vigil_sockaddr *)at;

				a->family = AF_UNIX;
				a->unix_path = OWN("/run/sock");
			}
		}
		/* pointers no row shows: the open's name by identity (eval_open.c names R0010 by it) */
		if (k == VIGIL_EV_OPEN || k == VIGIL_EV_EXEC_WRITE || k == VIGIL_EV_FILE_READ)
			ev.open.ident = OWN("/etc/shadow");
#undef OWN
		o = json_pack("{s:o, s:o, s:o}", "event", vigil_event__json(&ev), "process",
			      vigil_process__json(ev.proc), "workload",
			      vigil_workload__json(ev.workload, NULL));
		before = json_dumps(o, JSON_SORT_KEYS);
		json_decref(o);
		copy = vigil_event__dup(&ev, &size);
		assert_non_null(copy);
		assert_true(size >= sizeof(ev));
		/* nothing in the copy points at an original, shown in a row or not */
		for (size_t off = 0; off + sizeof(void *) <= size; off += sizeof(void *)) {
			const void *at;

			memcpy(&at, (const char *)copy + off, sizeof(at));
			for (size_t i = 0; i < n; i++)
				if (at == owned[i])
					fail_msg("%s: the copy points at an original (offset %zu)",
						 d->name, off);
			assert_true(at != (const void *)&p && at != (const void *)&w &&
				    at != (const void *)argv);
		}
		if (copy->kind == VIGIL_EV_OPEN || copy->kind == VIGIL_EV_EXEC_WRITE ||
		    copy->kind == VIGIL_EV_FILE_READ)
			assert_ptr_not_equal(copy->open.ident, ev.open.ident);
		/* the originals are overwritten and freed (ASan sees any use of them) */
		for (size_t i = 0; i < n; i++) {
			memset(owned[i], 'X', strlen(owned[i]));
			free(owned[i]);
		}
		memset(&p, 0, sizeof(p));
		memset(&w, 0, sizeof(w));
		argv[0] = argv[1] = NULL;
		o = json_pack("{s:o, s:o, s:o}", "event", vigil_event__json(copy), "process",
			      vigil_process__json(copy->proc), "workload",
			      vigil_workload__json(copy->workload, NULL));
		after = json_dumps(o, JSON_SORT_KEYS);
		json_decref(o);
		assert_string_equal(before, after);
		if (copy->kind == VIGIL_EV_OPEN || copy->kind == VIGIL_EV_EXEC_WRITE ||
		    copy->kind == VIGIL_EV_FILE_READ)
			assert_string_equal(copy->open.ident, "/etc/shadow");
		free(before);
		free(after);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_has_a_row),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_net_and_copies),
		cmocka_unit_test(test_process_workload),
		cmocka_unit_test(test_any_bytes),
		cmocka_unit_test(test_dup_owns_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
