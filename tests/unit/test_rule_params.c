// SPDX-License-Identifier: Apache-2.0
/*
 * Per-rule binding parameters (sensor/agent/rule_params.c) as the agent's configuration loads
 * them: Kubescape's shape accepted, each parameter applied by the rules that take it with
 * Kubescape's meaning (whole-segment prefixes, name and path both for a process, ports), and
 * every mistake a configuration error at its line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/agent/config.h"
#include "sensor/agent/rule_params.h"
#include "vigil/agent.h"
#include "vigil/alert.h"
#include "vigil/event.h"
#include "vigil/rules.h"

static char file[64];

static int setup(void **state)
{
	int fd;

	snprintf(file, sizeof(file), "/tmp/vigil-test-rule-params-XXXXXX");
	fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(file);
	return 0;
}

static struct vigil_agent_config *load(const char *rules, struct vigil_error *err)
{
	struct vigil_agent_config *c = NULL;
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	fprintf(f, "bindings:\n  - profile: web.yaml\n    name: web\n    rules:\n%s", rules);
	fclose(f);
	vigil_agent_config__load(file, &c, err);
	return c;
}

static void expect_error(const char *rules, int line, const char *needle)
{
	struct vigil_error err = { 0 };
	struct vigil_agent_config *c = load(rules, &err);

	assert_null(c);
	if (err.line != line)
		fail_msg("line %d, not %d: %s", err.line, line, err.message);
	if (!strstr(err.message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

static const char *const ok_rules =
	"      - ruleID: R0002\n"
	"        parameters:\n"
	"          ignorePrefixes: [/tmp/, /var/cache]\n"
	"          ignoreMounts: false\n"
	"      - ruleName: Unexpected process launched\n"
	"        parameters:\n"
	"          excludeProcesses: [{name: backup, path: /usr/bin/backup}]\n"
	"          excludeParentProcesses: [{name: cron, path: /usr/sbin/cron}]\n"
	"          includePrefixes: [/app]\n"
	"      - ruleID: R0011\n"
	"        parameters: {ports: [443, 8443]}\n"
	"      - ruleID: V1102\n"
	"        parameters: {ignorePrefixes: [/srv/uploads]}\n"
	"      - ruleID: R0003\n";

static struct vigil_process proc = { .pid = 1, .comm = "worker" };
static struct vigil_event ev;
static struct vigil_alert alert;

static bool skipped(const struct vigil_agent_config *c, const char *rule)
{
	alert.rule = vigil_rule__find(rule);
	alert.event = &ev;
	return agent_rule_params__skip(c->bindings[0].rule_params, &alert);
}

static void open_ev(const char *path)
{
	memset(&ev, 0, sizeof(ev));
	ev.kind = VIGIL_EV_OPEN;
	ev.proc = &proc;
	ev.open.path = path;
}

static void exec_ev(const char *comm, const char *path, const char *parent)
{
	memset(&ev, 0, sizeof(ev));
	snprintf(proc.comm, sizeof(proc.comm), "%s", comm);
	ev.kind = VIGIL_EV_EXEC;
	ev.proc = &proc;
	ev.exec.path = path;
	ev.exec.parent_exe = parent;
}

static void test_applied(void **state)
{
	struct vigil_error err = { 0 };
	struct vigil_agent_config *c = load(ok_rules, &err);

	if (!c)
		fail_msg("%s", err.message);
	assert_non_null(c->bindings[0].rule_params);

	/* ignorePrefixes: the path or below it, whole segments; a trailing '/' dropped */
	open_ev("/tmp");
	assert_true(skipped(c, "R0002"));
	open_ev("/tmp/x/y");
	assert_true(skipped(c, "R0002"));
	open_ev("/tmpfs/x");
	assert_false(skipped(c, "R0002"));
	open_ev("/var/cache/nginx/a");
	assert_true(skipped(c, "R0002"));
	/* a rule judged on opens takes them, whichever session added it (V1102: the catalogue's
	 * VIGIL_RULE_OPEN, no second list) */
	open_ev("/srv/uploads/a.php");
	assert_true(skipped(c, "V1102"));
	open_ev("/srv/www/a.php");
	assert_false(skipped(c, "V1102"));
	open_ev("/etc/passwd");
	assert_false(skipped(c, "R0002"));
	/* another rule on the same event: its own parameters (none) */
	open_ev("/tmp/x");
	assert_false(skipped(c, "R0010"));
	/* a path not known: kept */
	open_ev(NULL);
	assert_false(skipped(c, "R0002"));
	/* enforcement acted: never left out */
	open_ev("/tmp/x");
	ev.action = VIGIL_ACTION_KILLED;
	assert_false(skipped(c, "R0002"));

	/* R0001: includePrefixes, excludeProcesses (name and path), excludeParentProcesses */
	exec_ev("tool", "/usr/bin/tool", "/bin/sh");
	assert_true(skipped(c, "R0001")); /* not under /app */
	exec_ev("tool", "/app/bin/tool", "/bin/sh");
	assert_false(skipped(c, "R0001"));
	exec_ev("backup", "/app/backup", "/bin/sh");
	assert_false(skipped(c, "R0001")); /* the name alone is not enough */
	exec_ev("tool", "/app/run", "/usr/sbin/cron");
	assert_true(skipped(c, "R0001")); /* started by cron */
	exec_ev("tool", "/app/run", "/opt/cron");
	assert_false(skipped(c, "R0001")); /* another program called cron */

	/* ports: only connections to the listed ports are reported */
	memset(&ev, 0, sizeof(ev));
	ev.kind = VIGIL_EV_CONNECT;
	ev.net.remote.port = 443;
	assert_false(skipped(c, "R0011"));
	ev.net.remote.port = 80;
	assert_true(skipped(c, "R0011"));
	ev.kind = VIGIL_EV_SEND;
	assert_true(skipped(c, "R0011"));
	/* a rule listed without parameters, and a rule not listed: nothing left out */
	assert_false(skipped(c, "R0003"));
	assert_false(skipped(c, "R1009"));
	vigil_agent_config__free(c);
}

static void test_ignore_mounts(void **state)
{
	struct vigil_error err = { 0 };
	struct vigil_agent_config *c = load("      - ruleID: R0002\n"
					    "        parameters: {ignoreMounts: true}\n",
					    &err);

	if (!c)
		fail_msg("%s", err.message);
	/* this process's own mount table: the sensor's own mount namespace has no volumes */
	proc.pid = (uint32_t)getpid();
	open_ev("/etc/hostname");
	assert_false(skipped(c, "R0002"));
	vigil_agent_config__free(c);
}

static void test_errors(void **state)
{
	expect_error("      - ruleID: R0002\n        parameters: {ignorePrefix: [/tmp]}\n", 6,
		     "did you mean \"ignorePrefixes\"");
	expect_error("      - ruleID: R0003\n        parameters: {ignorePrefixes: [/tmp]}\n", 6,
		     "R0003 does not take ignorePrefixes (it takes no parameters)");
	expect_error("      - ruleID: R0011\n        parameters: {ignorePrefixes: [/tmp]}\n", 6,
		     "(it takes: ports)");
	expect_error("      - ruleID: R0001\n        parameters: {ports: [22]}\n", 6,
		     "R0001 does not take ports");
	expect_error("      - ruleID: R0001\n        parameters: {direction: inbound}\n", 6,
		     "no HTTP rule");
	expect_error("      - ruleID: R9999\n", 5, "no rule R9999");
	expect_error("      - ruleName: Unexpected proces launched\n", 5, "no rule is named");
	expect_error("      - parameters: {}\n", 5, "needs ruleID or ruleName");
	expect_error("      - ruleID: R0001\n      - ruleID: R0001\n", 6, "given twice");
	expect_error("      - ruleID: R0001\n        ruleTags: [x]\n", 6,
		     "unknown key \"ruleTags\"");
	expect_error("      - ruleID: R0001\n        parameters:\n"
		     "          excludeProcesses: [{name: cron}]\n",
		     7, "needs a name (its comm) and an absolute path");
	expect_error("      - ruleID: R0002\n        parameters: {ignorePrefixes: [tmp]}\n", 6,
		     "absolute path");
	expect_error("      - ruleID: R0011\n        parameters: {ports: [0]}\n", 6, "1-65535");
	expect_error("      - ruleID: R0011\n        parameters: {ports: [70000]}\n", 6, "1-65535");
	expect_error("      - ruleID: R0002\n        parameters: {ignoreMounts: maybe}\n", 6,
		     "true or false");
	expect_error("      ruleID: R0002\n", 5, "expected a list");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_mounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
