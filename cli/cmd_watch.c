// SPDX-License-Identifier: Apache-2.0
/* vigil watch: run a command as its own workload and alert on behaviour outside its profile. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/strutil.h"
#include "vigil/agent.h"
#include "vigil/alert.h"
#include "vigil/burst.h"
#include "vigil/detect.h"
#include "vigil/harden.h"
#include "vigil/kallow.h"
#include "vigil/profile.h"
#include "vigil/sensor.h"
#include "vigil/sign.h"

#define MAX_SINKS 16

#define DEFAULT_SWITCH "/run/vigil/enforce-off"

static volatile sig_atomic_t stop_flag, reopen_flag, enforce_off_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_flag = 1;
	else if (sig == SIGUSR1)
		enforce_off_flag = 1;
	else
		stop_flag = 1;
}

static void usage(FILE *f)
{
	char sinks[256];

	vigil_alerts__sink_usage(sinks, sizeof(sinks));
	fprintf(f,
		"usage: vigil watch --profile FILE [--alerts SINK]... [--evidence STORE]\n"
		"                   [--cooldown D] [--burst D] [--enable RULE]... [--trust DIR | --pub KEY]\n"
		"                   -- CMD ARGS...\n"
		"\n"
		"Runs CMD as its own workload and raises an alert for each behaviour its profile\n"
		"does not allow (docs/DETECTION.md). Exit status: 0 no alert, 1 alerts were raised,\n"
		"2 usage or runtime error. CMD's own exit status is reported on stderr when not 0.\n"
		"SIGHUP reopens file sinks (logrotate).\n"
		"\n"
		"  -p, --profile FILE    the SBoB to enforce\n"
		"  -a, --alerts SINK     where alerts go (repeatable; stdout by default):\n"
		"                        %s\n"
		"  -e, --evidence STORE  keep evidence of each incident: sqlite:PATH or\n"
		"                        clickhouse:URL (vigil evidence list|show)\n"
		"  -c, --cooldown D      repeats of an alert within D are counted, not sent (1h)\n"
		"      --burst D         further alerts of a rule by one process within D of the\n"
		"                        first are sent as one summary when D is over (10s; 0 sends\n"
		"                        each on its own, as --cooldown 0 does unless --burst is set)\n"
		"  -r, --enable RULE     turn on a rule that is off by default (R0002, R0011,\n"
		"                        R1003, R1011 as in Kubescape; V1108), or `all` (repeatable)\n"
		"  -t, --trust DIR       require a signature by a key in DIR (R1016 otherwise)\n"
		"      --pub KEY         require a signature by this public key\n"
		"  -n, --name NAME       workload name (default: CMD's base name)\n"
		"      --events FILE     also write every event checked, as `vigil trace --json`\n"
		"      --no-kernel-allow send every event to user space (by default an open or an\n"
		"                        egress the profile allows is decided in the kernel)\n"
		"      --enforce RULES   stop in the kernel what the profile forbids, for these rules\n"
		"                        (comma-separated): R0001, R1000, R1001, R1005 (exec),\n"
		"                        R0010, R0006 (opens), R0011 (egress), R1030 (io_uring)\n"
		"      --enforce-mode M  dry-run (default: alerts say would-kill) or kill\n"
		"      --enforce-switch FILE  nothing is killed while FILE exists (default\n"
		"                        " DEFAULT_SWITCH "); SIGUSR1 turns enforcement off too\n"
		"\nEnforcement is refused (alerts only) for a learning, partial or too-large profile\n"
		"(docs/ENFORCEMENT.md).\n",
		sinks);
}

struct watch {
	struct vigil_sensor *s;
	struct vigil_detector *d;
	struct vigil_alerts *alerts;
	struct vigil_profile *p; /* NULL when it failed verification */
	struct vigil_profile_ref ref;
	char digest[80];
	char signer[128];
	struct vigil_evidence *evidence; /* NULL without --evidence */
	struct vigil_alert_pipe pipe;	 /* alerts raised: evidence, then sinks */
	FILE *events;			 /* --events: every event checked, trace JSON */
	struct vigil_enforce enf;	 /* --enforce: rules and mode (rules 0: none) */
	const char *enforce_list;	 /* as given, for messages */
	const char *switch_path;	 /* the node-wide switch file */
	uint64_t cg;			 /* the workload, once spawned */
	bool kallow;			 /* allow sets in the kernel (not --no-kernel-allow) */
	struct vigil_kallow_count kc;	 /* what of the profile the kernel holds */
	int kc_err;			 /* loading them: 0 or -errno */
	bool off;			 /* the switch as last applied */
};

/* What the command line asked for. */
struct watch_args {
	const char *sinks[MAX_SINKS], *profile, *trust, *pub, *name, *evidence, *events;
	const char *enforce, *enforce_mode, *enforce_switch;
	size_t nsinks;
	bool no_kallow;
	uint64_t burst_ns; /* --burst: the window, 0 = off */
	const char *enable[VIGIL_RULE__MAX + 1];
	size_t nenable;
	struct vigil_detect_opts dopts;
	char **cmd;
};

/* The node-wide switch (file or SIGUSR1), applied to the kernel when it changes. */
static void on_tick(void *ctx)
{
	struct watch *w = ctx;
	bool off;

	vigil_alert_pipe__tick(&w->pipe); /* burst summaries due */
	if (!w->enf.rules)
		return;
	off = enforce_off_flag || (w->switch_path && access(w->switch_path, F_OK) == 0);
	if (off == w->off)
		return;
	w->off = off;
	vigil_sensor__set_enforce_off(w->s, off);
	cli_errorf("watch: enforcement %s by the node-wide switch", off ? "turned off" : "back on");
}

static int allow_exec(const char *path, void *arg)
{
	struct watch *w = arg;

	return vigil_sensor__allow_exec(w->s, w->cg, path);
}

/* Loads the kernel's allow set and rules, unless a rail says the profile cannot be enforced. */
static int enforce_setup(struct watch *w, uint64_t cgroup_id)
{
	char why[256];
	int err;

	w->cg = cgroup_id;
	on_tick(w);
	if (vigil_harden__enforceable(w->p, why, sizeof(why)) < 0) {
		cli_errorf("watch: not enforcing: %s; alerts only", why);
		return 0;
	}
	if (w->enf.rules & (VIGIL_ENFORCE_OPENS | VIGIL_ENFORCE_EGRESS | VIGIL_ENFORCE_IOURING)) {
		if (w->kc_err < 0) {
			cli_errorf("watch: not enforcing: the allow sets did not load (%s); alerts "
				   "only",
				   strerror(-w->kc_err));
			return 0;
		}
		if (vigil_kallow__enforceable(&w->kc, w->enf.rules, why, sizeof(why)) < 0) {
			cli_errorf("watch: not enforcing: %s; alerts only", why);
			return 0;
		}
		memcpy(w->enf.uring_allow, w->kc.uring_allow, sizeof(w->enf.uring_allow));
	}
	if (w->enf.rules & (VIGIL_ENFORCE_EXEC | VIGIL_ENFORCE_UPPER)) {
		err = vigil_harden__exec_paths(w->p, NULL, allow_exec, w, why, sizeof(why));
		if (err == -EINVAL || err == -ENOENT) {
			vigil_sensor__set_enforce(w->s, cgroup_id, NULL);
			cli_errorf("watch: not enforcing: %s; alerts only", why);
			return 0;
		}
		if (err < 0)
			return err;
	}
	err = vigil_sensor__set_enforce(w->s, cgroup_id, &w->enf);
	if (err < 0)
		return err;
	cli_errorf("watch: enforcing %s (%s)", w->enforce_list, w->enf.kill ? "kill" : "dry-run");
	return 0;
}

static int on_spawn(uint64_t cgroup_id, void *ctx)
{
	struct watch *w = ctx;
	uint64_t bitmap[VIGIL_SYSCALL_BITS / 64];
	int err;

	if (!w->p)
		return 0;
	err = vigil_detector__bind(w->d, cgroup_id, w->p, NULL, &w->ref);
	if (err < 0)
		return err;
	/* R0003 in the kernel: only syscalls outside the profile reach user space */
	err = vigil_detector__syscall_bitmap(w->d, cgroup_id, vigil_syscall_name, bitmap,
					     VIGIL_SYSCALL_BITS);
	/* without the kernel filter the detector still judges first uses: not fatal */
	if (!err)
		vigil_sensor__set_syscall_allow(w->s, cgroup_id, bitmap, VIGIL_SYSCALL_BITS);
	/* opens and egress the profile allows: decided in the kernel (not fatal either), and
	 * what enforcement of opens, egress and io_uring compares with */
	if (w->kallow ||
	    (w->enf.rules & (VIGIL_ENFORCE_OPENS | VIGIL_ENFORCE_EGRESS | VIGIL_ENFORCE_IOURING))) {
		w->kc_err = vigil_sensor__load_kallow(
			w->s, cgroup_id, w->p, NULL,
			w->kallow ? VIGIL_KALLOW_OPEN | VIGIL_KALLOW_NET : 0, &w->kc);
		if (w->kc_err < 0)
			cli_errorf(
				"watch: allow sets not loaded in the kernel (%s): every event is "
				"judged in user space",
				strerror(-w->kc_err));
	}
	return w->enf.rules ? enforce_setup(w, cgroup_id) : 0;
}

/* --enforce R0001,R1005: the rules the kernel can act on, as VIGIL_ENFORCE_* bits. */
static int parse_enforce(const char *list, uint32_t *ret)
{
	char buf[256], *save = NULL, *tok;

	*ret = 0;
	if (vigil_strlcpy(buf, list, sizeof(buf)) >= sizeof(buf))
		return -EINVAL;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t bit = vigil_sensor__enforce_rule(tok);

		if (bit) {
			*ret |= bit;
			continue;
		}
		if (vigil_rule__find(tok))
			cli_errorf(
				"watch: --enforce: %s is detected but not enforced in the kernel "
				"yet (" VIGIL_ENFORCE_RULE_LIST " are; docs/ENFORCEMENT.md)",
				tok);
		else
			cli_errorf("watch: --enforce: unknown rule \"%s\"", tok);
		return -EINVAL;
	}
	return *ret ? 0 : -EINVAL;
}

static int on_event(const struct vigil_event *ev, void *ctx)
{
	struct watch *w = ctx;
	int err;

	/* SIGHUP: file sinks are reopened before anything else is written (logrotate) */
	if (reopen_flag) {
		reopen_flag = 0;
		if (vigil_alerts__reopen(w->alerts) < 0)
			cli_errorf("watch: cannot reopen a file sink");
	}
	vigil_evidence__event(w->evidence, ev);
	if (w->events) {
		char *j = vigil_event__to_json(ev);

		if (j) {
			fputs(j, w->events);
			fputc('\n', w->events);
			free(j);
		}
	}
	err = vigil_detector__event(w->d, ev, vigil_alert_pipe__emit, &w->pipe);
	return err < 0 ? err : 0;
}

/* Verifies the profile when a trust set is given; a failure raises R1016 and drops it. */
static int check_signature(struct watch *w, const char *file, const char *trust_dir,
			   const char *pub)
{
	struct vigil_trust *t = NULL;
	struct vigil_sign_verdict v;
	struct vigil_error err = { 0 };
	const char *reason;
	char msg[512];
	int e;

	if (!trust_dir && !pub)
		return 0;
	e = trust_dir ? vigil_trust__load_dir(trust_dir, &t, &err)
		      : vigil_trust__load_pub(pub, &t, &err);
	if (e < 0) {
		cli_print_error(&err);
		return e;
	}
	for (size_t doc = 0; doc < vigil_profile__doc_count(w->p); doc++) {
		e = vigil_sign__verify_profile(t, w->p, doc, &v);
		if (e < 0) {
			vigil_trust__free(t);
			cli_errorf("watch: %s: verifying: %s", file, strerror(-e));
			return e;
		}
		if (v.status == VIGIL_SIGN_VALID) {
			if (!doc)
				vigil_strlcpy(w->signer, v.signer, sizeof(w->signer));
			continue;
		}
		reason = v.status == VIGIL_SIGN_UNSIGNED	 ? "unsigned"
			 : v.status == VIGIL_SIGN_TAMPERED	 ? "tampered"
			 : v.status == VIGIL_SIGN_FOREIGN_SCHEME ? "foreign-scheme"
								 : "untrusted";
		snprintf(msg, sizeof(msg), "profile %s is %s (%s): not used", file,
			 vigil_sign__status_name(v.status), v.reason);
		w->ref.signer = "";
		e = vigil_detector__raise(w->d, VIGIL_R1016, NULL, file, reason, msg, &w->ref,
					  vigil_alert_pipe__emit, &w->pipe);
		vigil_profile__free(w->p);
		w->p = NULL;
		break;
	}
	vigil_trust__free(t);
	return e < 0 ? e : 0;
}

/* Returns 0, 1 for --help (printed), or -EINVAL after saying what is wrong. */
static int parse_args(int argc, char **argv, struct watch_args *a)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "alerts", required_argument, NULL, 'a' },
		{ "evidence", required_argument, NULL, 'e' },
		{ "cooldown", required_argument, NULL, 'c' },
		{ "burst", required_argument, NULL, 'B' },
		{ "trust", required_argument, NULL, 't' },
		{ "pub", required_argument, NULL, 'P' },
		{ "name", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'E' },
		{ "enable", required_argument, NULL, 'r' },
		{ "enforce", required_argument, NULL, 'F' },
		{ "enforce-mode", required_argument, NULL, 'M' },
		{ "enforce-switch", required_argument, NULL, 'S' },
		{ "no-kernel-allow", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	a->burst_ns = UINT64_MAX; /* not given: follows the cooldown, below */
	while ((c = getopt_long(argc, argv, "+p:a:e:c:t:n:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->profile = optarg;
			break;
		case 'a':
			if (a->nsinks >= MAX_SINKS) {
				cli_errorf("watch: at most %d sinks", MAX_SINKS);
				return -EINVAL;
			}
			a->sinks[a->nsinks++] = optarg;
			break;
		case 'e':
			a->evidence = optarg;
			break;
		case 'c':
			if (vigil_parse_duration(optarg, &a->dopts.cooldown_ns) < 0) {
				cli_errorf("watch: bad cooldown '%s' (use 500ms, 30s, 10m, 1h)",
					   optarg);
				return -EINVAL;
			}
			if (!a->dopts.cooldown_ns)
				a->dopts.no_cooldown = true;
			break;
		case 'B':
			if (vigil_parse_duration(optarg, &a->burst_ns) < 0) {
				cli_errorf("watch: bad burst window '%s' (use 0, 500ms, 10s, 1m)",
					   optarg);
				return -EINVAL;
			}
			break;
		case 't':
			a->trust = optarg;
			break;
		case 'P':
			a->pub = optarg;
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'K':
			a->no_kallow = true;
			break;
		case 'E':
			a->events = optarg;
			break;
		case 'F':
			a->enforce = optarg;
			break;
		case 'M':
			if (strcmp(optarg, "kill") && strcmp(optarg, "dry-run")) {
				cli_errorf("watch: --enforce-mode is kill or dry-run, not \"%s\"",
					   optarg);
				return -EINVAL;
			}
			a->enforce_mode = optarg;
			break;
		case 'S':
			a->enforce_switch = optarg;
			break;
		case 'r':
			if (strcmp(optarg, "all") != 0 && !vigil_rule__find(optarg)) {
				cli_errorf("watch: --enable: unknown rule id '%s'", optarg);
				return -EINVAL;
			}
			if (a->nenable >= VIGIL_RULE__MAX) {
				cli_errorf("watch: --enable: at most %d rules", VIGIL_RULE__MAX);
				return -EINVAL;
			}
			a->enable[a->nenable++] = optarg;
			a->dopts.enabled = a->enable;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	/* --cooldown 0 sends every alert: every alert of a burst too, unless --burst is given */
	if (a->burst_ns == UINT64_MAX)
		a->burst_ns = a->dopts.no_cooldown ? 0 : VIGIL_BURST_DEFAULT_WINDOW_NS;
	if (!a->profile) {
		cli_errorf("watch: --profile is required");
		return -EINVAL;
	}
	if (optind >= argc) {
		cli_errorf("watch: no command given (vigil watch --profile FILE -- CMD ARGS...)");
		return -EINVAL;
	}
	a->cmd = argv + optind;
	if (!a->name) {
		const char *base = strrchr(a->cmd[0], '/');

		a->name = base ? base + 1 : a->cmd[0];
	}
	if (!a->nsinks)
		a->sinks[a->nsinks++] = "stdout";
	if ((a->enforce_mode || a->enforce_switch) && !a->enforce) {
		cli_errorf("watch: --enforce-mode and --enforce-switch need --enforce RULES");
		return -EINVAL;
	}
	return 0;
}

/* Profile, detector, sinks, signature check, sensor, evidence, --events: 0 or -1 (said). */
static int watch_open(struct watch *w, const struct watch_args *a)
{
	struct vigil_error err = { 0 };
	struct vigil_sensor_opts so = { 0 };

	if (vigil_profile__load_file(a->profile, NULL, &w->p, &err) < 0) {
		cli_print_error(&err);
		return -1;
	}
	if (vigil_profile_digest(w->p, w->digest, sizeof(w->digest)) < 0)
		w->digest[0] = '\0';
	w->ref.digest = w->digest;
	w->ref.signer = w->signer;
	w->d = vigil_detector__new(&a->dopts);
	w->alerts = vigil_alerts__new(NULL);
	if (!w->d || !w->alerts) {
		cli_errorf("watch: %s", strerror(errno));
		return -1;
	}
	w->pipe.sinks = w->alerts;
	if (a->burst_ns && !(w->pipe.bursts = vigil_bursts__new(a->burst_ns))) {
		cli_errorf("watch: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < a->nsinks; i++) {
		if (vigil_alerts__add_sink(w->alerts, a->sinks[i], &err) < 0) {
			cli_print_error(&err);
			return -1;
		}
	}
	if (check_signature(w, a->profile, a->trust, a->pub) < 0)
		return -1;
	if (a->events && !(w->events = fopen(a->events, "we"))) {
		cli_errorf("watch: %s: %s", a->events, strerror(errno));
		return -1;
	}
	so.scope = VIGIL_SCOPE_SELECTED;
	vigil_detect_opts__dedup(&a->dopts, &so.dedup, &so.dedup_ttl_ns);
	if (vigil_sensor__open(&so, &w->s, &err) < 0 ||
	    (a->evidence && vigil_evidence__open(a->evidence, w->s, &w->evidence, &err) < 0)) {
		cli_print_error(&err);
		return -1;
	}
	w->pipe.evidence = w->evidence;
	w->kallow = !a->no_kallow;
	if (a->enforce) {
		if (parse_enforce(a->enforce, &w->enf.rules) < 0) {
			if (!w->enf.rules)
				cli_errorf("watch: --enforce wants rule ids, e.g. R0001,R1005");
			return -1;
		}
		w->enf.kill = a->enforce_mode && !strcmp(a->enforce_mode, "kill");
		w->enforce_list = a->enforce;
		w->switch_path = a->enforce_switch ? a->enforce_switch : DEFAULT_SWITCH;
	}
	return 0;
}

/* Names each sink that still holds alerts after the flush, and why, so the user can act. */
static void report_undelivered(struct watch *w)
{
	struct vigil_sink_stats ss[16];
	size_t n;
	bool named = false;

	if (!w->alerts || vigil_alerts__flush(w->alerts, 5000000000ULL) >= 0)
		return;
	n = vigil_alerts__stats(w->alerts, ss, 16);
	for (size_t i = 0; i < n && i < 16; i++) {
		if (!ss[i].queued)
			continue;
		cli_errorf("watch: %s: %llu alert(s) not delivered within 5s, lost: %s", ss[i].spec,
			   (unsigned long long)ss[i].queued,
			   ss[i].last_error[0] ? ss[i].last_error : "no answer");
		named = true;
	}
	if (!named)
		cli_errorf("watch: some alerts could not be delivered in time");
}

int cmd_watch(int argc, char **argv)
{
	struct watch_args a = { 0 };
	struct vigil_error err = { 0 };
	struct watch w = { 0 };
	struct vigil_run run = { 0 };
	struct vigil_detect_stats st;
	uint64_t cg = 0;
	int e, status = 0, rc = EXIT_ERROR;

	e = parse_args(argc, argv, &a);
	if (e)
		return e > 0 ? 0 : EXIT_ERROR;
	if (watch_open(&w, &a) < 0)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGUSR1, on_signal);
	run.on_spawn = on_spawn;
	run.on_tick = on_tick;
	run.on_event = on_event;
	run.ctx = &w;
	run.stop = &stop_flag;
	e = vigil_run_workload(w.s, a.cmd, a.name, &run, &status, &cg, &err);
	if (e < 0) {
		cli_print_error(&err);
		goto out;
	}
	if (status)
		cli_errorf("watch: note: %s exited with status %d", a.cmd[0], status);
	vigil_alert_pipe__flush(&w.pipe); /* the bursts still open: their summaries now */
	vigil_detector__stats(w.d, &st);
	if (w.pipe.raised || st.suppressed)
		cli_errorf("watch: %llu alert(s) raised, %llu repeat(s) counted in cooldowns",
			   (unsigned long long)w.pipe.raised, (unsigned long long)st.suppressed);
	{
		struct vigil_burst_stats bs;

		vigil_bursts__stats(w.pipe.bursts, &bs);
		if (bs.folded)
			cli_errorf("watch: %llu alert(s) folded into %llu burst summary(ies)",
				   (unsigned long long)bs.folded, (unsigned long long)bs.summaries);
	}
	if (w.kallow) {
		struct vigil_sensor_status ss;

		if (vigil_sensor__status(w.s, &ss) == 0 && ss.kernel_allowed)
			cli_errorf("watch: %llu event(s) the profile allows decided in the kernel",
				   (unsigned long long)ss.kernel_allowed);
	}
	rc = w.pipe.raised ? EXIT_VERDICT : 0;
out:
	report_undelivered(&w);
	if (w.evidence && vigil_evidence__close(w.evidence, &err) < 0) {
		cli_print_error(&err);
		rc = EXIT_ERROR;
	}
	if (cg)
		vigil_sensor__spawn_cleanup(w.s, cg);
	if (w.events)
		fclose(w.events);
	vigil_alerts__free(w.alerts);
	vigil_bursts__free(w.pipe.bursts);
	vigil_detector__free(w.d);
	vigil_profile__free(w.p);
	vigil_sensor__free(w.s);
	return rc;
}
