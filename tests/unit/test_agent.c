// SPDX-License-Identifier: Apache-2.0
/* Agent configuration (defaults, every key, errors a person can act on) and atomic writes. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/agent/config.h"
#include "util/fileio.h"
#include "vigil/agent.h"
#include "vigil/sign.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-test-agent-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_defaults(void **state)
{
	struct vigil_agent_config *c = NULL;
	const char *path = write_file("empty.yaml", "");

	assert_int_equal(vigil_agent_config__load(path, &c, NULL), 0);
	assert_string_equal(c->state_dir, "/var/lib/vigil");
	assert_string_equal(c->profiles_dir, "/var/lib/vigil/profiles");
	assert_int_equal(c->scope, AGENT_SCOPE_CONTAINERS);
	assert_true(c->learn);
	assert_true(c->learn_ns == 600ULL * 1000000000ULL);
	assert_true(c->cooldown_ns == 3600ULL * 1000000000ULL);
	assert_int_equal(c->sinks.n, 1);
	assert_string_equal(c->sinks.v[0], "stdout");
	assert_false(c->require_signatures);
	assert_int_equal(c->nbindings, 0);
	/* a status file by default, so `vigil status` finds a running agent */
	assert_string_equal(vigil_agent_config__status_file(c), "/var/lib/vigil/status.json");
	assert_true(c->health_ns == 10ULL * 1000000000ULL);
	/* kubernetes: the node's root through pid 1, the API server when in a cluster */
	assert_string_equal(c->k8s_host_root, "/proc/1/root");
	assert_string_equal(c->k8s_profiles_dir, "");
	assert_string_equal(c->k8s_api_url, "");
	assert_string_equal(c->k8s_sa_dir, "/var/run/secrets/kubernetes.io/serviceaccount");
	assert_true(c->k8s_api);
	assert_true(c->k8s_workload_profiles);
	vigil_agent_config__free(c);
}

static void expect_error(const char *text, int line, int col, const char *needle);

static void test_kubernetes(void **state)
{
	struct vigil_agent_config *c = NULL;
	const char *text = "kubernetes:\n"
			   "  host_root: /host\n"
			   "  profiles_dir: /etc/vigil/cluster-profiles\n"
			   "  node_name: node-a\n"
			   "  api_server: off\n"
			   "  api_url: https://10.0.0.1:6443\n"
			   "  service_account_dir: /sa\n"
			   "  workload_profiles: false\n";

	assert_int_equal(vigil_agent_config__load(write_file("k8s.yaml", text), &c, NULL), 0);
	assert_string_equal(c->k8s_host_root, "/host");
	assert_string_equal(c->k8s_profiles_dir, "/etc/vigil/cluster-profiles");
	assert_string_equal(c->k8s_node_name, "node-a");
	assert_false(c->k8s_api);
	assert_string_equal(c->k8s_api_url, "https://10.0.0.1:6443");
	assert_string_equal(c->k8s_sa_dir, "/sa");
	assert_false(c->k8s_workload_profiles);
	vigil_agent_config__free(c);
	expect_error("kubernetes:\n  api_server: yes\n", 2, 15, "auto or off");
	expect_error("kubernetes:\n  host_rot: /x\n", 2, 3, "did you mean \"host_root\"");
}

static void test_full(void **state)
{
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };
	char text[2048];
	const char *bfile = write_file("bind.yaml", "bindings:\n"
						    "  - profile: extra.yaml\n"
						    "    image: localhost/web:1\n");

	snprintf(text, sizeof(text),
		 "state_dir: /srv/vigil\n"
		 "scope: all\n"
		 "rescan: 500ms\n"
		 "health_interval: 2s\n"
		 "status_file: ''\n"
		 "exclude_cgroups: [/system.slice/*]\n"
		 "include_cgroups: [/libpod_parent/*, /kubepods/*]\n"
		 "learning: {enabled: false, duration: 30s}\n"
		 "cooldown: 0\n"
		 "disabled_rules: [R0002]\n"
		 "sinks: [stdout, 'file:/tmp/a.jsonl']\n"
		 "signatures:\n"
		 "  required: true\n"
		 "  trust_dir: /etc/t\n"
		 "bindings:\n"
		 "  - profile: demo.yaml\n"
		 "    name: demo\n"
		 "  - profile: /abs/web.yaml\n"
		 "    label: app=web\n"
		 "    cgroup: /libpod_parent/*\n"
		 "binding_files: [%s]\n"
		 "workloads:\n"
		 "  - command: [/usr/bin/demo, --port, '8080']\n"
		 "  - name: other\n"
		 "    command: /bin/true\n"
		 "    restart: true\n",
		 bfile);
	assert_int_equal(vigil_agent_config__load(write_file("full.yaml", text), &c, &err), 0);
	assert_string_equal(c->state_dir, "/srv/vigil");
	assert_string_equal(c->profiles_dir, "/srv/vigil/profiles");
	assert_int_equal(c->scope, AGENT_SCOPE_ALL);
	assert_true(c->rescan_ns == 500000000ULL);
	assert_true(c->health_ns == 2000000000ULL);
	assert_string_equal(vigil_agent_config__status_file(c), ""); /* turned off */
	assert_int_equal(c->include_cgroups.n, 2);
	assert_string_equal(c->include_cgroups.v[1], "/kubepods/*");
	assert_null(c->include_cgroups.v[2]); /* lists stay NULL-terminated */
	assert_false(c->learn);
	assert_true(c->learn_ns == 30000000000ULL);
	assert_true(c->cooldown_ns == 0);
	assert_string_equal(c->disabled_rules.v[0], "R0002");
	assert_int_equal(c->sinks.n, 2);
	assert_true(c->require_signatures);
	assert_string_equal(c->trust_dir, "/etc/t");
	assert_int_equal(c->nbindings, 3);
	assert_string_equal(c->bindings[0].name, "demo");
	assert_string_equal(c->bindings[1].label_key, "app");
	assert_string_equal(c->bindings[1].label_value, "web");
	assert_string_equal(c->bindings[1].cgroup, "/libpod_parent/*");
	assert_string_equal(c->bindings[2].image, "localhost/web:1");
	assert_int_equal(c->ncommands, 2);
	assert_string_equal(c->commands[0].name, "demo");
	assert_int_equal(c->commands[0].argv.n, 3);
	assert_string_equal(c->commands[0].argv.v[2], "8080");
	assert_string_equal(c->commands[1].argv.v[0], "/bin/true");
	assert_true(c->commands[1].restart);
	vigil_agent_config__free(c);
}

static void expect_error(const char *text, int line, int col, const char *needle)
{
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };

	assert_int_equal(vigil_agent_config__load(write_file("bad.yaml", text), &c, &err), -EINVAL);
	assert_null(c);
	assert_int_equal(err.line, line);
	if (col)
		assert_int_equal(err.column, col);
	if (!strstr(err.message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

static void test_errors(void **state)
{
	expect_error("learning:\n  duraton: 5s\n", 2, 3, "did you mean \"duration\"");
	expect_error("cooldown: soon\n", 1, 11, "duration");
	expect_error("health_interval: 0s\n", 1, 18, "at least 100ms");
	expect_error("scope: some\n", 1, 8, "containers or all");
	expect_error("bindings:\n  - profile: a.yaml\n", 2, 5, "selector");
	expect_error("bindings:\n  - name: x\n", 2, 5, "needs a profile");
	expect_error("bindings:\n  - profile: a.yaml\n    label: app\n", 3, 12, "KEY=VALUE");
	expect_error("workloads:\n  - name: x\n", 2, 5, "needs a command");
	expect_error("sinks: {a: b}\n", 1, 8, "list");
	expect_error("[1, 2]\n", 1, 1, "mapping");
	expect_error("a: [\n", 2, 1, "");
	/* the cockpit section */
	expect_error("cockpit:\n  url: http://10.0.0.1:7070\n  token_file: /t\n", 2, 8,
		     "only allowed to a loopback address");
	expect_error("cockpit:\n  url: https://c:7443\n", 2, 3, "exactly one of token_file");
	expect_error("cockpit:\n  url: https://c\n  token_file: /a\n  join_token_file: /b\n", 2, 3,
		     "exactly one of token_file");
	expect_error("cockpit:\n  token_file: /a\n", 2, 3, "needs url");
	expect_error("cockpit:\n  url: https://c\n  token_fil: /a\n", 3, 3,
		     "did you mean \"token_file\"");
	expect_error("cockpit:\n  url: https://c\n  token_file: /a\n  node_name: -x\n", 4, 14,
		     "not starting with");
	expect_error("cockpit:\n  url: https://c\n  token_file: /a\n  spool_max_bytes: 5MB\n", 4,
		     20, "expected a size");
	expect_error("cockpit:\n  url: https://c\n  token_file: /a\n  spool_max_bytes: 64K\n", 4,
		     20, "at least 1MiB");
	expect_error("cockpit:\n  url: https://c\n  token_file: /a\n  heartbeat_interval: 2h\n", 4,
		     23, "between 1s and 1h");
	expect_error("metrics:\n  listen: 9464\n", 2, 11, "IP:PORT");
	expect_error("metrics:\n  listen: localhost:9464\n", 2, 11, "IP:PORT");
	expect_error("learning: {checkpoint: 10ms}\n", 1, 24, "at least 100ms");
	expect_error("profile_max_bytes: 1k\n", 1, 20, "number of bytes");
	expect_error("profile_max_bytes: 100000000\n", 1, 20, "4096 to");
	expect_error("ring_buffer: 3MiB\n", 1, 14, "power of two");
	expect_error("ring_buffer: 32KiB\n", 1, 14, "64KiB to 256MiB");
	expect_error("ring_buffer: lots\n", 1, 14, "power of two");
	/* learned profiles would come back unsigned after a restart: refused, also by --check */
	expect_error("signatures:\n  trust_dir: /t\n  required: true\n", 3, 13,
		     "needs signatures.key");
}

static void test_cockpit_section(void **state)
{
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };
	char text[1024], path[256];

	snprintf(text, sizeof(text),
		 "state_dir: %s/state\ncockpit:\n  url: https://cockpit.example.org:7443\n"
		 "  join_token_file: %s/join.token\n  node_name: web-1\n  spool_max_bytes: 8MiB\n"
		 "metrics: {}\n",
		 dir, dir);
	assert_int_equal(vigil_agent_config__load(write_file("c.yaml", text), &c, &err), 0);
	snprintf(path, sizeof(path), "%s/state/cockpit-spool", dir);
	assert_string_equal(c->cockpit.spool_dir, path);
	snprintf(path, sizeof(path), "%s/state/cockpit-node.token", dir);
	assert_string_equal(c->cockpit.node_token_file, path);
	assert_true(c->cockpit.spool_max_bytes == 8ULL << 20);
	assert_true(c->cockpit.heartbeat_ns == 10000000000ULL);
	assert_string_equal(c->metrics.listen, "127.0.0.1:9464");
	/* --check: the join token must be there, private; the spool creatable */
	assert_int_equal(vigil_agent_config__check_paths(c, &err), -ENOENT);
	assert_non_null(strstr(err.message, "cockpit.join_token_file"));
	write_file("join.token", "vgj_0123456789abcdef0123456789abcdef\n");
	snprintf(path, sizeof(path), "%s/join.token", dir);
	chmod(path, 0644);
	assert_int_equal(vigil_agent_config__check_paths(c, &err), -EPERM);
	assert_non_null(strstr(err.message, "chmod 600"));
	chmod(path, 0600);
	assert_int_equal(vigil_agent_config__check_paths(c, &err), 0);
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(access(path, F_OK), -1); /* checking created nothing */
	vigil_agent_config__free(c);
}

/* The keys of replay protection, checkpoints and the profile bound. */
static void test_hardening_keys(void **state)
{
	struct vigil_agent_config *c = NULL;
	const char *path = write_file("h.yaml", "learning: {checkpoint: 2s}\n"
						"profile_max_bytes: 1048576\n"
						"ring_buffer: 1MiB\n"
						"signatures:\n"
						"  required: true\n"
						"  key: /k\n"
						"  allow_rollback: [web, api]\n");

	assert_int_equal(vigil_agent_config__load(path, &c, NULL), 0);
	assert_true(c->checkpoint_ns == 2ULL * 1000000000ULL);
	assert_true(c->profile_max_bytes == 1048576);
	assert_true(c->ringbuf_bytes == 1u << 20);
	assert_int_equal(c->allow_rollback.n, 2);
	assert_string_equal(c->allow_rollback.v[1], "api");
	vigil_agent_config__free(c);
	/* defaults: a checkpoint every 30 s, 4 MiB; without learning no key is needed */
	path = write_file("d.yaml", "learning: {enabled: false}\nsignatures: {required: true}\n");
	assert_int_equal(vigil_agent_config__load(path, &c, NULL), 0);
	assert_true(c->checkpoint_ns == 30ULL * 1000000000ULL);
	assert_true(c->profile_max_bytes == 4u << 20);
	vigil_agent_config__free(c);
}

static void test_missing_file(void **state)
{
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "%s/nope.yaml", dir);
	assert_int_equal(vigil_agent_config__load(path, &c, &err), -ENOENT);
	assert_string_equal(err.file, path);
}

/* --check: places the agent will write must be reachable, and checking creates nothing. */
static void test_check_paths(void **state)
{
	struct vigil_agent_config *c = NULL;
	struct vigil_error err = { 0 };
	char text[512], state_dir[128];

	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	snprintf(text, sizeof(text), "state_dir: %s\nsinks: [stdout, 'file:%s/alerts.jsonl']\n",
		 state_dir, dir);
	assert_int_equal(vigil_agent_config__load(write_file("ok.yaml", text), &c, NULL), 0);
	assert_int_equal(vigil_agent_config__check_paths(c, &err), 0);
	assert_int_equal(access(state_dir, F_OK), -1);
	vigil_agent_config__free(c);

	snprintf(text, sizeof(text), "state_dir: %s\nsinks: ['file:%s/missing/alerts.jsonl']\n",
		 state_dir, dir);
	assert_int_equal(vigil_agent_config__load(write_file("bad.yaml", text), &c, NULL), 0);
	assert_int_equal(vigil_agent_config__check_paths(c, &err), -ENOENT);
	assert_non_null(strstr(err.message, "file sink: directory"));
	vigil_agent_config__free(c);

	/* the signing key's public half must be trusted, or what it signs is refused later */
	{
		char key[160], other[160], trust[160], pub[200], from[200];

		snprintf(key, sizeof(key), "%s/agent.key", dir);
		snprintf(other, sizeof(other), "%s/other.key", dir);
		snprintf(trust, sizeof(trust), "%s/trust", dir);
		assert_int_equal(vigil_sign__keygen(key, false, &err), 0);
		assert_int_equal(vigil_sign__keygen(other, false, &err), 0);
		assert_int_equal(mkdir(trust, 0755), 0);
		snprintf(pub, sizeof(pub), "%s/other.pub", trust);
		snprintf(from, sizeof(from), "%s.pub", other);
		assert_int_equal(rename(from, pub), 0);
		snprintf(text, sizeof(text),
			 "state_dir: %s\nsignatures: {required: true, trust_dir: %s, key: %s}\n",
			 state_dir, trust, key);
		assert_int_equal(vigil_agent_config__load(write_file("k.yaml", text), &c, NULL), 0);
		assert_int_equal(vigil_agent_config__check_paths(c, &err), -ENOENT);
		assert_non_null(strstr(err.message, "its public key is not in"));
		snprintf(pub, sizeof(pub), "%s/agent.pub", trust);
		snprintf(from, sizeof(from), "%s.pub", key);
		assert_int_equal(rename(from, pub), 0);
		assert_int_equal(vigil_agent_config__check_paths(c, &err), 0);
		vigil_agent_config__free(c);
	}
}

static void test_atomic_write(void **state)
{
	char path[256], buf[64];
	struct stat st;
	FILE *f;
	DIR *d;
	struct dirent *de;
	int entries = 0;

	snprintf(path, sizeof(path), "%s/out.yaml", dir);
	assert_int_equal(vigil_write_file_atomic(path, "one\n", 4, 0644, NULL), 0);
	assert_int_equal(vigil_write_file_atomic(path, "two\n", 4, 0640, NULL), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "two\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* no temporary file left behind */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.')
			entries++;
	}
	closedir(d);
	assert_int_equal(entries, 1);
	/* a directory that does not exist is an error with the path */
	snprintf(path, sizeof(path), "%s/no/such/out.yaml", dir);
	assert_int_equal(vigil_write_file_atomic(path, "x", 1, 0644, NULL), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kubernetes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardening_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cockpit_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
