// SPDX-License-Identifier: Apache-2.0
/*
 * Bursts (vigil/burst.h): the first alert of a burst is sent at once, the rest of its window
 * folded into one summary with an exact count and its keys (bounded); an actor of its own, an
 * escalation or a kill is never folded; the bounds close windows early and lose nothing. And
 * what a burst of DNS names means: tunnelling for many data-carrying names under one domain,
 * not for a CDN's many short names.
 */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vigil/burst.h"
#include "vigil/rules.h"

#define S  1000000000ull
#define T0 (1795312800ull * S)

struct got {
	json_t *j[8];
	size_t n;
	uint64_t cg;
};

static int out(const struct vigil_alert *sa, json_t *j, void *ctx)
{
	struct got *g = ctx;

	assert_non_null(sa->workload);
	g->cg = sa->workload->cgroup_id;
	if (g->n < 8)
		g->j[g->n++] = json_incref(j);
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		json_decref(g->j[i]);
	memset(g, 0, sizeof(*g));
}

struct fake {
	struct vigil_workload wl;
	struct vigil_process proc;
	struct vigil_event ev;
	struct vigil_alert a;
	char name[512];
};

static void fake_init(struct fake *f, enum vigil_rule_id rule, uint32_t pid, uint32_t uid,
		      const char *key, uint64_t t)
{
	memset(f, 0, sizeof(*f));
	f->wl = (struct vigil_workload){
		.cgroup_id = 77, .cgroup_path = "/w", .container_id = "", .runtime = "", .name = "w"
	};
	f->proc = (struct vigil_process){ .pid = pid,
					  .ppid = 1,
					  .uid = uid,
					  .euid = uid,
					  .comm = "tool",
					  .exe = "/usr/bin/tool" };
	f->ev.kind = rule == VIGIL_R0005 ? VIGIL_EV_DNS : VIGIL_EV_OPEN;
	f->ev.time_ns = t;
	f->ev.workload = &f->wl;
	f->ev.proc = &f->proc;
	snprintf(f->name, sizeof(f->name), "%s", key);
	if (rule == VIGIL_R0005)
		f->ev.dns.name = f->name;
	else
		f->ev.open.path = f->name;
	f->a = (struct vigil_alert){ .rule = vigil_rule(rule),
				     .time_ns = t,
				     .message = "m",
				     .key = f->name,
				     .event = &f->ev,
				     .workload = &f->wl,
				     .proc = &f->proc,
				     .repeats = 1 };
}

static int raise_one(struct vigil_bursts *b, struct got *g, enum vigil_rule_id rule, uint32_t pid,
		     uint32_t uid, const char *key, uint64_t t)
{
	struct fake f;
	int ret;

	fake_init(&f, rule, pid, uid, key, t);
	ret = vigil_bursts__alert(b, &f.a, out, g);
	if (ret == 0) { /* sent: as the pipeline does, with its id */
		json_t *j = json_pack("{s:s,s:s}", "alert_id", "first-id", "message", "m");

		assert_true(vigil_bursts__annotate(b, j) >= 0);
		json_decref(j);
	}
	return ret;
}

static void test_first_at_once_rest_folded(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	json_t *bo;

	(void)state;
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/a", T0), 0); /* sent */
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/b", T0 + 1 * S), 1);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/c", T0 + 2 * S), 1);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/b", T0 + 3 * S), 1);
	assert_int_equal(g.n, 0);
	assert_int_equal(vigil_bursts__tick(b, T0 + 9 * S, out, &g), 0);
	assert_int_equal(vigil_bursts__tick(b, T0 + 10 * S, out, &g), 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.cg, 77);
	bo = json_object_get(g.j[0], "burst");
	assert_int_equal(json_integer_value(json_object_get(bo, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(bo, "total")), 4);
	assert_int_equal(json_array_size(json_object_get(bo, "keys")), 2); /* b, c: distinct */
	assert_string_equal(json_string_value(json_array_get(json_object_get(bo, "keys"), 0)),
			    "/etc/b");
	assert_string_equal(json_string_value(json_object_get(bo, "opened_by")), "first-id");
	assert_string_equal(json_string_value(json_object_get(g.j[0], "rule_id")), "R0002");
	assert_int_equal(json_integer_value(json_object_get(g.j[0], "repeats")), 3);
	assert_non_null(strstr(json_string_value(json_object_get(g.j[0], "message")), "3 more"));
	/* the next window is empty: the burst ends, and the next alert is sent at once */
	assert_int_equal(vigil_bursts__tick(b, T0 + 20 * S, out, &g), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/d", T0 + 21 * S), 0);
	got_free(&g);
	vigil_bursts__free(b);
}

static void test_actor_escalation_kill_not_folded(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	struct fake f;
	struct vigil_burst_stats st;

	(void)state;
	assert_int_equal(raise_one(b, &g, VIGIL_R0003, 10, 1000, "ptrace", T0), 0);
	/* another process, another uid, another rule: each opens a burst of its own */
	assert_int_equal(raise_one(b, &g, VIGIL_R0003, 11, 1000, "mount", T0 + S), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0003, 10, 0, "mount", T0 + S), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0004, 10, 1000, "CAP_SYS_ADMIN", T0 + S), 0);
	/* what the kernel acted on is always sent on its own */
	fake_init(&f, VIGIL_R0003, 10, 1000, "kexec_load", T0 + 2 * S);
	f.ev.action = VIGIL_ACTION_KILLED;
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0);
	/* an alert without an event (R1016, health) too */
	f.a.event = NULL;
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0);
	/* severity 8 and up: never folded (folded alerts live in memory until their summary) */
	assert_int_equal(raise_one(b, &g, VIGIL_R1001, 10, 1000, "/tmp/a", T0 + 2 * S), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R1001, 10, 1000, "/tmp/b", T0 + 2 * S), 0);
	/* the same actor again: folded */
	assert_int_equal(raise_one(b, &g, VIGIL_R0003, 10, 1000, "mount", T0 + 3 * S), 1);
	vigil_bursts__stats(b, &st);
	assert_int_equal(st.opened, 4);
	assert_int_equal(st.folded, 1);
	assert_int_equal(st.open, 4);
	/* at exit everything pending goes out */
	assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
	vigil_bursts__stats(b, &st);
	assert_int_equal(st.open, 0);
	assert_int_equal(st.summaries, 1);
	got_free(&g);
	vigil_bursts__free(b);
}

static void test_bounds(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	struct vigil_burst_stats st;
	char key[32];
	json_t *bo;

	(void)state;
	/* VIGIL_BURST_MAX_FOLD folded: the summary goes out then, not at the window's end */
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 5, 0, "/etc/first", T0), 0);
	for (unsigned i = 0; i < VIGIL_BURST_MAX_FOLD; i++) {
		snprintf(key, sizeof(key), "/etc/k%u", i % VIGIL_BURST_KEYS);
		assert_int_equal(raise_one(b, &g, VIGIL_R0002, 5, 0, key, T0 + S), 1);
	}
	assert_int_equal(g.n, 1);
	bo = json_object_get(g.j[0], "burst");
	assert_int_equal(json_integer_value(json_object_get(bo, "count")), VIGIL_BURST_MAX_FOLD);
	assert_int_equal(json_array_size(json_object_get(bo, "keys")), VIGIL_BURST_KEYS);
	assert_int_equal(json_integer_value(json_object_get(bo, "keys_omitted")), 0);
	got_free(&g);
	/* more actors than bursts may be open: the oldest window closes early, nothing lost */
	for (uint32_t pid = 100; pid < 100 + VIGIL_BURST_OPEN + 1; pid++) {
		assert_int_equal(raise_one(b, &g, VIGIL_R0001, pid, 0, "/bin/a", T0 + 2 * S), 0);
		assert_int_equal(raise_one(b, &g, VIGIL_R0001, pid, 0, "/bin/b", T0 + 3 * S), 1);
	}
	vigil_bursts__stats(b, &st);
	assert_true(st.open <= VIGIL_BURST_OPEN);
	assert_int_equal(vigil_bursts__flush(b, out, &g) + (int)(st.summaries - 1),
			 (int)VIGIL_BURST_OPEN + 1);
	got_free(&g);
	vigil_bursts__free(b);
}

static uint64_t lcg = 42;

static void hex_label(char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = "0123456789abcdef"[(lcg >> 33) & 15];
	}
	out[n] = '\0';
}

static void test_dns_tunnel_named(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	char lab[64], name[256];
	json_t *t;

	(void)state;
	for (int i = 0; i < 24; i++) {
		hex_label(lab, 32);
		snprintf(name, sizeof(name), "%s.%d.t.exfil-example.com", lab, i);
		/* every 17th distinct name closes the window and goes out itself */
		assert_int_equal(
			raise_one(b, &g, VIGIL_R0005, 9, 0, name, T0 + (uint64_t)i * S / 10),
			i % (VIGIL_BURST_KEYS + 1) ? 1 : 0);
	}
	assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
	assert_int_equal(g.n, 2);
	/* the last summary: the names of the whole burst */
	g.j[0] = (json_decref(g.j[0]), g.j[1]);
	g.n = 1;
	t = json_object_get(g.j[0], "dns_tunnel");
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "domain")), "exfil-example.com");
	assert_int_equal(json_integer_value(json_object_get(t, "unique_names")), 24);
	assert_int_equal(json_integer_value(json_object_get(t, "max_label_len")), 32);
	assert_true(json_real_value(json_object_get(t, "entropy")) > 3.0);
	assert_int_equal(json_integer_value(json_object_get(g.j[0], "severity")),
			 VIGIL_BURST_TUNNEL_SEV);
	assert_non_null(strstr(json_string_value(json_object_get(g.j[0], "message")),
			       "DNS tunnelling to exfil-example.com"));
	got_free(&g);
	vigil_bursts__free(b);
}

/* A tunnel slower than the window: every name is a burst of its own, sent at once; the names
 * add up over the bursts and the one that makes it a tunnel is named at once. */
static void test_slow_tunnel_named(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(1 * S);
	struct got g = { 0 };
	struct fake f;
	char lab[64], name[256];
	int named = 0;

	(void)state;
	for (int i = 0; i < 12; i++) {
		json_t *j;

		hex_label(lab, 40);
		snprintf(name, sizeof(name), "%s.slow-example.org", lab);
		fake_init(&f, VIGIL_R0005, 9, 0, name, T0 + (uint64_t)i * 3 * S);
		assert_int_equal(vigil_bursts__tick(b, f.a.time_ns, out, &g), 0);
		assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0); /* sent */
		j = json_pack("{s:s,s:i}", "message", "unexpected DNS name", "severity", 1);
		named += vigil_bursts__annotate(b, j);
		if (i < (int)VIGIL_DNS_TUNNEL_NAMES - 1) {
			assert_null(json_object_get(j, "dns_tunnel"));
		} else {
			assert_string_equal(json_string_value(json_object_get(
						    json_object_get(j, "dns_tunnel"), "domain")),
					    "slow-example.org");
			assert_int_equal(json_integer_value(json_object_get(j, "severity")),
					 VIGIL_BURST_TUNNEL_SEV);
		}
		json_decref(j);
	}
	assert_int_equal(named, 12 - (int)VIGIL_DNS_TUNNEL_NAMES + 1);
	assert_int_equal(g.n, 0); /* nothing folded: no summary */
	/* another user's names are its own */
	fake_init(&f, VIGIL_R0005, 10, 1000, name, T0 + 40 * S);
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0);
	assert_int_equal(vigil_bursts__annotate(b, NULL), 0);
	got_free(&g);
	vigil_bursts__free(b);
}

/* Padding with other domains does not push the tunnel's domain out of the tally. */
static void test_tunnel_among_padding(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	char lab[64], name[256];

	(void)state;
	for (int i = 0; i < 60; i++) {
		if (i % 4)
			snprintf(name, sizeof(name), "www.pad%d-example.com", i);
		else {
			hex_label(lab, 32);
			snprintf(name, sizeof(name), "%s.exfil-example.net", lab);
		}
		raise_one(b, &g, VIGIL_R0005, 9, 0, name, T0 + (uint64_t)i * S / 100);
	}
	assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
	assert_true(g.n >= 1 && g.n < 8);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(g.j[g.n - 1], "dns_tunnel"), "domain")),
			    "exfil-example.net");
	got_free(&g);
	vigil_bursts__free(b);
}

static void test_cdn_not_tunnel(void **state)
{
	static const char *const pfx[] = { "img", "static", "cdn", "edge", "media", "assets" };
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	char name[256];
	int sent = 0, folded = 0;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "%s%d.eu-west-%d.cdn-example.net", pfx[i % 6], i,
			 i % 3);
		sent += !raise_one(b, &g, VIGIL_R0005, 9, 0, name, T0 + (uint64_t)i * S / 10);
	}
	/* a host's names, many and distinct but readable: ip-10-0-3-7.ec2.internal ... */
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "ip-10-0-%d-%d.eu-west-1.compute.example.com", i,
			 i * 7 % 250);
		sent += !raise_one(b, &g, VIGIL_R0005, 9, 0, name, T0 + 5 * S);
	}
	assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
	assert_true(g.n < 8);
	for (size_t i = 0; i < g.n; i++) {
		folded += (int)json_integer_value(
			json_object_get(json_object_get(g.j[i], "burst"), "count"));
		assert_null(json_object_get(g.j[i], "dns_tunnel"));
		assert_int_equal(json_integer_value(json_object_get(g.j[i], "severity")), 1);
	}
	assert_int_equal(sent + folded, 70); /* each counted once */
	got_free(&g);
	vigil_bursts__free(b);
}

/* Decoy keys cannot hide the one that matters: past VIGIL_BURST_KEYS distinct keys, a further
 * one closes the window and is sent itself, so every distinct key is in some alert. */
static void test_decoy_keys_do_not_hide(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	char key[32];
	bool seen = false;

	(void)state;
	assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, "/bin/true", T0), 0);
	for (unsigned i = 0; i < VIGIL_BURST_KEYS; i++) {
		snprintf(key, sizeof(key), "/bin/decoy%u", i);
		assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, key, T0 + S), 1);
	}
	/* the 18th distinct key: sent at once, the 16 decoys summarised */
	assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, "/tmp/.x/implant", T0 + 2 * S), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(g.j[0], "burst"), "count")),
		VIGIL_BURST_KEYS);
	assert_non_null(strstr(json_string_value(json_object_get(g.j[0], "message")),
			       "16 distinct key(s)"));
	/* more decoys, and the implant's path again among them: it is named in a summary too */
	for (unsigned i = 0; i < 2 * VIGIL_BURST_KEYS; i++) {
		snprintf(key, sizeof(key), "/bin/more%u", i);
		raise_one(b, &g, VIGIL_R0001, 5, 0, i == 3 ? "/tmp/.x/implant2" : key, T0 + 3 * S);
	}
	assert_true(vigil_bursts__flush(b, out, &g) >= 1);
	for (size_t i = 0; i < g.n; i++) {
		json_t *keys = json_object_get(json_object_get(g.j[i], "burst"), "keys");

		for (size_t k = 0; k < json_array_size(keys); k++)
			seen |= !strcmp(json_string_value(json_array_get(keys, k)),
					"/tmp/.x/implant2");
	}
	assert_true(seen);
	got_free(&g);
	vigil_bursts__free(b);
}

/* Keys alike in their first 255 bytes (a long common prefix): a summary could not tell them
 * apart, so such a key is never folded: the implant's whole path is in its own alert. */
static void test_long_keys_not_folded(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	char key[VIGIL_BURST_KEY_BYTES + 32];
	size_t pfx = VIGIL_BURST_KEY_BYTES;

	(void)state;
	memset(key, 'a', pfx);
	key[0] = '/';
	assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, "/bin/true", T0), 0);
	for (unsigned i = 0; i < VIGIL_BURST_KEYS; i++) {
		snprintf(key + pfx, sizeof(key) - pfx, "/decoy%u", i);
		assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, key, T0 + S), 0);
	}
	snprintf(key + pfx, sizeof(key) - pfx, "/implant");
	assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, key, T0 + S), 0);
	/* a key of 255 bytes is kept whole: folded */
	key[VIGIL_BURST_KEY_BYTES - 1] = '\0';
	assert_int_equal(raise_one(b, &g, VIGIL_R0001, 5, 0, key, T0 + S), 1);
	assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(g.j[0], "burst"), "keys"), 0)),
			    key);
	got_free(&g);
	vigil_bursts__free(b);
}

/* A program that replaces itself by execve (same pid) is another actor: sent at once. */
static void test_execve_new_program(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	struct fake f;

	(void)state;
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/a", T0), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/b", T0 + S), 1);
	fake_init(&f, VIGIL_R0002, 10, 0, "/etc/c", T0 + 2 * S);
	f.proc.exe = "/tmp/.x/implant";
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0);
	/* and the implant's next one folds into its own burst */
	f.ev.time_ns = f.a.time_ns = T0 + 3 * S;
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 1);
	got_free(&g);
	vigil_bursts__free(b);
}

/* What vigil_bursts__annotate adds belongs to the alert vigil_bursts__alert just said to send,
 * never to a later one that went out on its own (a kill) */
static void test_annotate_only_its_alert(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	struct fake f;
	json_t *j;

	(void)state;
	fake_init(&f, VIGIL_R0002, 10, 0, "/etc/a", T0);
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0); /* sent, not annotated */
	fake_init(&f, VIGIL_R0002, 10, 0, "/etc/b", T0 + S);
	f.ev.action = VIGIL_ACTION_KILLED;
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0); /* the kill: on its own */
	j = json_pack("{s:s,s:s}", "alert_id", "kill-id", "message", "m");
	assert_int_equal(vigil_bursts__annotate(b, j), 0);
	json_decref(j);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/c", T0 + 2 * S), 1);
	assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(g.j[0], "burst"), "opened_by")),
		"");
	got_free(&g);
	vigil_bursts__free(b);
}

/* The clock set back: the window closes (no burst stays open until the clock catches up). */
static void test_clock_set_back(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };

	(void)state;
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/a", T0), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/b", T0 + S), 1);
	assert_int_equal(vigil_bursts__tick(b, T0 - 3600 * S, out, &g), 1);
	assert_int_equal(g.n, 1);
	/* the next window is empty: the burst ends */
	assert_int_equal(vigil_bursts__tick(b, T0 - 3590 * S, out, &g), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 10, 0, "/etc/c", T0 - 3589 * S), 0);
	/* less than a window back (a small step; events a little out of order): still open */
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 11, 0, "/etc/a", T0), 0);
	assert_int_equal(vigil_bursts__tick(b, T0 - S, out, &g), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 11, 0, "/etc/b", T0 - S / 2), 1);
	assert_int_equal(vigil_bursts__tick(b, T0 + 9 * S, out, &g), 0);
	assert_int_equal(raise_one(b, &g, VIGIL_R0002, 11, 0, "/etc/c", T0 + 9 * S), 1);
	got_free(&g);
	vigil_bursts__free(b);
}

/* A tunnel split over processes (one short-lived resolver per name, as a shell loop of dig):
 * its names add up in the tally of the workload and user, and it is named. */
static void test_tunnel_split_over_pids(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(10 * S);
	struct got g = { 0 };
	char lab[64], name[256];
	int named = 0;

	(void)state;
	for (uint32_t i = 0; i < 40; i++) {
		struct fake f;
		json_t *j;

		hex_label(lab, 32);
		snprintf(name, sizeof(name), "%s.%u.split-example.com", lab, i);
		fake_init(&f, VIGIL_R0005, 2000 + i, 1000, name, T0 + (uint64_t)i * S / 10);
		assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0); /* each its own */
		j = json_pack("{s:s,s:s,s:i}", "alert_id", "id", "message", "m", "severity", 1);
		named += vigil_bursts__annotate(b, j);
		if (i >= VIGIL_DNS_TUNNEL_NAMES - 1)
			assert_string_equal(json_string_value(json_object_get(
						    json_object_get(j, "dns_tunnel"), "domain")),
					    "split-example.com");
		json_decref(j);
	}
	assert_int_equal(named, 40 - (int)VIGIL_DNS_TUNNEL_NAMES + 1);
	/* another name of that workload and user, not under the tunnel's domain: not called
	 * tunnelling, sent alone or summarised */
	{
		struct fake f;
		json_t *j;

		fake_init(&f, VIGIL_R0005, 3000, 1000, "www.example.org", T0 + 5 * S);
		assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0);
		j = json_pack("{s:s,s:s,s:i}", "alert_id", "id", "message", "m", "severity", 1);
		assert_int_equal(vigil_bursts__annotate(b, j), 0);
		assert_null(json_object_get(j, "dns_tunnel"));
		json_decref(j);
		fake_init(&f, VIGIL_R0005, 3000, 1000, "api.example.org", T0 + 6 * S);
		assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 1);
		assert_int_equal(vigil_bursts__flush(b, out, &g), 1);
		assert_int_equal(g.n, 1);
		assert_null(json_object_get(g.j[0], "dns_tunnel"));
		assert_int_equal(json_integer_value(json_object_get(g.j[0], "severity")), 1);
	}
	got_free(&g);
	vigil_bursts__free(b);
}

/* Ordinary DNS churn of other workloads does not push a tunnel's tally out of the memory. */
static void test_tunnel_survives_churn(void **state)
{
	struct vigil_bursts *b = vigil_bursts__new(1 * S);
	struct got g = { 0 };
	char lab[64], name[256];
	struct fake f;
	json_t *j;

	(void)state;
	for (uint32_t i = 0; i < VIGIL_DNS_TUNNEL_NAMES - 1; i++) {
		hex_label(lab, 32);
		snprintf(name, sizeof(name), "%s.churn-example.com", lab);
		raise_one(b, &g, VIGIL_R0005, 3000 + i, 1000, name, T0 + i * S);
	}
	/* 200 workloads (cgroups) ask a readable name each */
	for (uint32_t i = 0; i < 200; i++) {
		fake_init(&f, VIGIL_R0005, 9, 0, "www.example.org", T0 + 20 * S);
		f.wl.cgroup_id = 1000 + i;
		vigil_bursts__alert(b, &f.a, out, &g);
		vigil_bursts__annotate(b, NULL);
	}
	hex_label(lab, 32);
	snprintf(name, sizeof(name), "%s.churn-example.com", lab);
	fake_init(&f, VIGIL_R0005, 4000, 1000, name, T0 + 30 * S);
	assert_int_equal(vigil_bursts__tick(b, T0 + 30 * S, out, &g), 0);
	assert_int_equal(vigil_bursts__alert(b, &f.a, out, &g), 0);
	j = json_pack("{s:s,s:s}", "alert_id", "id", "message", "m");
	assert_int_equal(vigil_bursts__annotate(b, j), 1);
	json_decref(j);
	got_free(&g);
	vigil_bursts__free(b);
}

/* Long readable names (a cloud's load balancers and buckets, a cluster's services) under one
 * domain are not data, however many: their randomness by character counts is as high as
 * hex's, their runs between hyphens are words. Data split over short labels still is. */
static void test_long_vendor_names_not_data(void **state)
{
	static const char *const fmt[][2] = {
		{ "internal-k8s-default-ingress",
		  "-abcdef1234-987654321.eu-west-1.elb.amazonaws.com" },
		{ "company-data-backups-", "-eu-central.s3.eu-central-1.amazonaws.com" },
		{ "prometheus-kube-state-metrics-", ".monitoring.svc.amazonaws.com" },
		{ "production-database-cluster-",
		  ".cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com" },
	};
	struct vigil_dns_tally *t = vigil_dns_tally__new();
	struct vigil_dns_tunnel v;
	char name[256], lab[64];

	(void)state;
	for (int i = 0; i < 48; i++) {
		snprintf(name, sizeof(name), "%s%d%s", fmt[i % 4][0], i, fmt[i % 4][1]);
		assert_int_equal(vigil_dns_tally__add(t, name), 0);
	}
	assert_false(vigil_dns_tally__verdict(t, &v));
	assert_string_equal(v.domain, "amazonaws.com");
	assert_int_equal(v.unique_names, 48);
	assert_int_equal(v.data_names, 0);
	vigil_dns_tally__free(t);
	/* hex data in labels of 12 (under 16) over 48 characters: data */
	t = vigil_dns_tally__new();
	for (int i = 0; i < 12; i++) {
		char parts[4][16];

		for (int k = 0; k < 4; k++) {
			hex_label(lab, 12);
			memcpy(parts[k], lab, 13);
		}
		snprintf(name, sizeof(name), "%s.%s.%s.%s.short-example.com", parts[0], parts[1],
			 parts[2], parts[3]);
		assert_int_equal(vigil_dns_tally__add(t, name), 0);
	}
	assert_true(vigil_dns_tally__verdict(t, &v));
	assert_int_equal(v.data_names, 12);
	vigil_dns_tally__free(t);
	/* a vendor's random id in every name (an S3 bucket each through one VPC endpoint), and a
	 * word with its number (node07-...-ubuntu2204): the same id is no new data */
	t = vigil_dns_tally__new();
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name),
			 "%s-%d.bucket.vpce-0a1b2c3d4e5f67890-abcd1234.s3.us-east-1.vpce."
			 "amazonaws.com",
			 i % 2 ? "backups" : "terraform-state", i);
		assert_int_equal(vigil_dns_tally__add(t, name), 0);
		snprintf(name, sizeof(name),
			 "node%02d-k8s-worker-amd64-ubuntu2204.nodes.amazonaws.com", i);
		assert_int_equal(vigil_dns_tally__add(t, name), 0);
	}
	assert_false(vigil_dns_tally__verdict(t, &v));
	assert_int_equal(v.unique_names, 80);
	assert_true(v.data_names <= 1); /* the id, the first time */
	vigil_dns_tally__free(t);
}

/* Data cut into short labels (11 or 5 characters, dots or hyphens) still carries data: the
 * length of a run is no condition when it mixes digits and letters. */
static void test_short_labels_still_data(void **state)
{
	static const char sep[] = ".-";
	static const size_t cut[] = { 11, 5 };
	struct vigil_dns_tally *t;
	struct vigil_dns_tunnel v;
	char name[256], lab[64];

	(void)state;
	for (int c = 0; c < 4; c++) {
		t = vigil_dns_tally__new();
		for (int i = 0; i < 12; i++) {
			size_t off = 0, step = cut[c / 2];

			hex_label(lab, 44);
			for (size_t k = 0; k < 44; k += step)
				off += (size_t)snprintf(name + off, sizeof(name) - off, "%.*s%c",
							(int)step, lab + k,
							k + step < 44 ? sep[c % 2] : '.');
			snprintf(name + off, sizeof(name) - off, "cut-example.com");
			assert_int_equal(vigil_dns_tally__add(t, name), 0);
		}
		assert_true(vigil_dns_tally__verdict(t, &v));
		assert_string_equal(v.domain, "cut-example.com");
		assert_true(v.data_names >= 11);
		vigil_dns_tally__free(t);
	}
}

static void test_registered_domain(void **state)
{
	(void)state;
	assert_string_equal(vigil_dns_registered_domain("a.b.example.com"), "example.com");
	assert_string_equal(vigil_dns_registered_domain("x.y.bbc.co.uk"), "bbc.co.uk");
	assert_string_equal(vigil_dns_registered_domain("bbc.co.uk"), "bbc.co.uk");
	assert_string_equal(vigil_dns_registered_domain("example.com"), "example.com");
	assert_string_equal(vigil_dns_registered_domain("localhost"), "localhost");
	assert_string_equal(vigil_dns_registered_domain("a.b.de"), "b.de");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_at_once_rest_folded),
		cmocka_unit_test(test_actor_escalation_kill_not_folded),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_dns_tunnel_named),
		cmocka_unit_test(test_slow_tunnel_named),
		cmocka_unit_test(test_tunnel_among_padding),
		cmocka_unit_test(test_cdn_not_tunnel),
		cmocka_unit_test(test_registered_domain),
		cmocka_unit_test(test_decoy_keys_do_not_hide),
		cmocka_unit_test(test_long_keys_not_folded),
		cmocka_unit_test(test_execve_new_program),
		cmocka_unit_test(test_clock_set_back),
		cmocka_unit_test(test_annotate_only_its_alert),
		cmocka_unit_test(test_tunnel_split_over_pids),
		cmocka_unit_test(test_tunnel_survives_churn),
		cmocka_unit_test(test_long_vendor_names_not_data),
		cmocka_unit_test(test_short_labels_still_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
