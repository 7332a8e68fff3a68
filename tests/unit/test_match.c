// SPDX-License-Identifier: Apache-2.0
/*
 * vigil_matcher__* on a profile built in memory (the lib/profile model): what detection asks
 * for each kind of event, on a redis-like container spread over an ApplicationProfile and a
 * NetworkNeighborhood document.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "profile/model.h"
#include "vigil/profile.h"

#define ONE  PROF_ELLIPSIS
#define ARGS PROF_ELLIPSIS_ANY

#define NARG(...) (sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *))
#define STRS(...) strs(NARG(__VA_ARGS__), (const char *[]){ __VA_ARGS__ })
#define LIST(arr)                                                                  \
	{                                                                          \
		.state = PROF_SET, .v = (arr), .n = sizeof(arr) / sizeof((arr)[0]) \
	}
#define NB_LIST(arr)              \
	((struct prof_neighbors){ \
		.state = PROF_SET, .v = (arr), .n = sizeof(arr) / sizeof((arr)[0]) })

static struct vigil_matcher *m;

/* String lists live in a static pool: the model points at them after build() returns. */
static char *pool[256];
static size_t pool_used;

static struct prof_strs strs(size_t n, const char **v)
{
	struct prof_strs l = { .state = PROF_SET, .v = &pool[pool_used], .n = n };

	assert_true(pool_used + n <= sizeof(pool) / sizeof(pool[0]));
	for (size_t i = 0; i < n; i++)
		pool[pool_used++] = (char *)v[i];
	return l;
}

static struct prof_exec execs[6];
static struct prof_open opens[6];
static struct prof_endpoint endpoints[4];
static struct prof_rule_policy policies[2];
static struct prof_neighbor egress[3], ingress[1];
static struct prof_port ports_443[1], ports_dns[1];
static struct prof_container ap_containers[2], nn_containers[1];
static struct prof_doc docs[2];
static struct vigil_profile prof;

static void build(void)
{
	pool_used = 0;
	execs[0] = (struct prof_exec){ .path = "/usr/local/bin/redis-server",
				       .args = STRS("redis-server", ARGS) };
	execs[1] = (struct prof_exec){ .path = "/bin/sh",
				       .args = STRS("sh", "-c", ONE),
				       .args_required = PROF_TRI_TRUE };
	execs[2] = (struct prof_exec){ .path = "/usr/bin/id" }; /* no args: any */
	execs[3] = (struct prof_exec){ .path = "/usr/bin/env",
				       .args = STRS("env", "x"),
				       .args_required = PROF_TRI_FALSE };
	execs[4] = (struct prof_exec){ .path = "/usr/bin/true",
				       .args_required = PROF_TRI_TRUE }; /* no arguments at all */
	execs[5] = (struct prof_exec){ .path = "/opt/app/" ONE "/bin/*" };

	opens[0] = (struct prof_open){ .path = "/etc/redis/" ONE "/redis.conf",
				       .flags = STRS("O_CLOEXEC", "O_RDONLY") };
	opens[1] = (struct prof_open){ .path = "/data/*", .flags = STRS("O_CREAT", "O_RDWR") };
	opens[2] = (struct prof_open){ .path = "/proc/" ONE "/*" }; /* no flags: path only */
	opens[3] = (struct prof_open){ .path = "/etc/hosts", .flags = STRS("O_RDONLY") };
	opens[4] = (struct prof_open){ .path = "/etc/hosts", .flags = STRS("O_WRONLY") };
	opens[5] = (struct prof_open){ .path = "/var/log/*/app.log",
				       .flags = STRS("O_APPEND", "O_WRONLY", "O_BOGUS") };

	endpoints[0] = (struct prof_endpoint){ .endpoint = ":6379/", .direction = "inbound" };
	endpoints[1] =
		(struct prof_endpoint){ .endpoint = ":0/health", .methods = STRS("GET", "HEAD") };
	endpoints[2] = (struct prof_endpoint){ .endpoint = ":8080/api/" ONE "/items",
					       .methods = STRS("POST"),
					       .direction = "outbound" };
	endpoints[3] = (struct prof_endpoint){ .endpoint = ":9090/metrics/*" };

	policies[0] = (struct prof_rule_policy){ .rule_id = "R0002",
						 .process_allowed = STRS("redis-check-aof") };
	policies[1] =
		(struct prof_rule_policy){ .rule_id = "R1000", .container_allowed = PROF_TRI_TRUE };

	ap_containers[0] = (struct prof_container){
		.name = "redis",
		.capabilities = STRS("CAP_SETUID", "SETGID") /* as Kubescape learns it */,
		.execs = LIST(execs),
		.opens = LIST(opens),
		.syscalls = STRS("openat", "read", "epoll_wait"),
		.endpoints = LIST(endpoints),
		.rule_policies = LIST(policies),
		.iouring = STRS("READ", "WRITE"),
	};
	ap_containers[1] = (struct prof_container){
		.name = "sidecar",
		.execs = { .state = PROF_SET, .v = &execs[2], .n = 1 },
		.syscalls = STRS("nanosleep"),
	};

	ports_443[0] = (struct prof_port){
		.name = "TCP-443", .protocol = "TCP", .has_port = true, .port = 443
	};
	ports_dns[0] = (struct prof_port){
		.name = "UDP-53", .protocol = "UDP", .has_port = true, .port = 53
	};
	egress[0] = (struct prof_neighbor){ .dns_names = STRS("api.example.com.", "*.s3.aws.com"),
					    .ip_addresses = STRS("203.0.113.0/24", "2001:db8::/32"),
					    .ports_state = PROF_SET,
					    .ports = ports_443,
					    .nports = 1 };
	egress[1] = (struct prof_neighbor){ .dns = "Kube-DNS.kube-system.svc.cluster.local",
					    .ip_address = "10.96.0.10",
					    .ports_state = PROF_SET,
					    .ports = ports_dns,
					    .nports = 1 };
	egress[2] = (struct prof_neighbor){ .ip_addresses = STRS("192.0.2.7", "not-an-ip") };
	ingress[0] = (struct prof_neighbor){ .ip_addresses = STRS("*") };
	nn_containers[0] = (struct prof_container){ .name = "redis",
						    .egress = NB_LIST(egress),
						    .ingress = NB_LIST(ingress) };

	docs[0] = (struct prof_doc){ .kind = VIGIL_KIND_APPLICATION_PROFILE,
				     .name = "redis",
				     .containers = {
					     .state = PROF_SET, .v = ap_containers, .n = 2 } };
	docs[1] = (struct prof_doc){ .kind = VIGIL_KIND_NETWORK_NEIGHBORHOOD,
				     .name = "redis",
				     .containers = {
					     .state = PROF_SET, .v = nn_containers, .n = 1 } };
	prof = (struct vigil_profile){ .docs = docs, .ndocs = 2 };
}

static int setup(void **state)
{
	build();
	return vigil_matcher__new(&prof, "redis", &m);
}

static int teardown(void **state)
{
	vigil_matcher__free(m);
	return 0;
}

static enum vigil_match exec_argv(const char *path, size_t argc, const char *const *argv)
{
	return vigil_matcher__exec(m, path, argv, argc);
}

static void test_exec(void **state)
{
	/* argsRequired unset + args listed: checked (⋯⋯ absorbs zero or more). */
	assert_int_equal(exec_argv("/usr/local/bin/redis-server", 1,
				   (const char *const[]){ "redis-server" }),
			 VIGIL_MATCH_YES);
	assert_int_equal(exec_argv("/usr/local/bin/redis-server", 3,
				   (const char *const[]){ "redis-server", "--port", "1" }),
			 VIGIL_MATCH_YES);
	assert_int_equal(exec_argv("/usr/local/bin/redis-server", 2,
				   (const char *const[]){ "evil", "--port" }),
			 VIGIL_MATCH_ARGS);
	/* argsRequired true: anchored, ⋯ is exactly one. */
	assert_int_equal(exec_argv("/bin/sh", 3, (const char *const[]){ "sh", "-c", "id" }),
			 VIGIL_MATCH_YES);
	assert_int_equal(exec_argv("/bin/sh", 2, (const char *const[]){ "sh", "-c" }),
			 VIGIL_MATCH_ARGS);
	assert_int_equal(exec_argv("/bin/sh", 4, (const char *const[]){ "sh", "-c", "id", "x" }),
			 VIGIL_MATCH_ARGS);
	/* No args listed, unset: any; explicit false: not checked. */
	assert_int_equal(exec_argv("/usr/bin/id", 2, (const char *const[]){ "id", "-u" }),
			 VIGIL_MATCH_YES);
	assert_int_equal(exec_argv("/usr/bin/env", 1, (const char *const[]){ "whatever" }),
			 VIGIL_MATCH_YES);
	/* argsRequired true with no args: only an empty argv. */
	assert_int_equal(exec_argv("/usr/bin/true", 0, NULL), VIGIL_MATCH_YES);
	assert_int_equal(exec_argv("/usr/bin/true", 1, (const char *const[]){ "true" }),
			 VIGIL_MATCH_ARGS);
	/* Wildcard exec paths. */
	assert_int_equal(exec_argv("/opt/app/v2/bin/run", 0, NULL), VIGIL_MATCH_YES);
	assert_int_equal(exec_argv("/opt/app/v2/bin", 0, NULL), VIGIL_MATCH_NO);
	assert_int_equal(exec_argv("/usr/bin/curl", 1, (const char *const[]){ "curl" }),
			 VIGIL_MATCH_NO);
}

static void test_open(void **state)
{
	assert_true(vigil_matcher__open(m, "/etc/redis/7/redis.conf", O_RDONLY | O_CLOEXEC));
	assert_true(vigil_matcher__open(m, "/etc/redis/7/redis.conf", O_RDONLY));
	assert_false(vigil_matcher__open(m, "/etc/redis/7/redis.conf", O_WRONLY));
	assert_false(vigil_matcher__open(m, "/etc/redis/redis.conf", O_RDONLY));
	assert_true(vigil_matcher__open(m, "/data/dump.rdb", O_RDWR | O_CREAT));
	assert_false(vigil_matcher__open(m, "/data/dump.rdb", O_RDWR | O_CREAT | O_TRUNC));
	assert_false(vigil_matcher__open(m, "/data", O_RDWR));
	/* No flags listed: any flags. */
	assert_true(vigil_matcher__open(m, "/proc/1/status", O_WRONLY | O_TRUNC));
	/* Two entries with one path: each is checked on its own. */
	assert_true(vigil_matcher__open(m, "/etc/hosts", O_RDONLY));
	assert_true(vigil_matcher__open(m, "/etc/hosts", O_WRONLY));
	assert_false(vigil_matcher__open(m, "/etc/hosts", O_RDWR));
	/* Mid-path '*' (zero or more) and an unknown flag name that adds nothing. */
	assert_true(vigil_matcher__open(m, "/var/log/app.log", O_WRONLY | O_APPEND));
	assert_true(vigil_matcher__open(m, "/var/log/a/b/app.log", O_WRONLY));
	assert_false(vigil_matcher__open(m, "/var/log/a/b/app.log", O_RDONLY));
	assert_false(vigil_matcher__open(m, "/etc/shadow", O_RDONLY));
}

/* The directories the write entries write in (V1102), wildcards kept. */
static void test_dir_written(void **state)
{
	(void)state;
	/* /data/ STAR with O_RDWR: /data and every directory below it */
	assert_true(vigil_matcher__dir_written(m, "/data/temp-77.rdb"));
	assert_true(vigil_matcher__dir_written(m, "/data/a/b/x"));
	assert_false(vigil_matcher__dir_written(m, "/datax/y"));
	assert_false(vigil_matcher__dir_written(m, "/data"));
	/* a read-only entry writes nowhere */
	assert_false(vigil_matcher__dir_written(m, "/etc/redis/7/new.conf"));
	/* /etc/hosts O_WRONLY: /etc, not below */
	assert_true(vigil_matcher__dir_written(m, "/etc/new"));
	assert_false(vigil_matcher__dir_written(m, "/etc/cron.d/new"));
	/* /var/log/ STAR /app.log: the star's directories, and /var/log itself (zero segments) */
	assert_true(vigil_matcher__dir_written(m, "/var/log/other.log"));
	assert_true(vigil_matcher__dir_written(m, "/var/log/a/b/other.log"));
	assert_false(vigil_matcher__dir_written(m, "/var/x.log"));
	/* no flags: any flags, a write included; one segment stays one segment */
	assert_true(vigil_matcher__dir_written(m, "/proc/1/x"));
	assert_true(vigil_matcher__dir_written(m, "/proc/1/a/x"));
	assert_false(vigil_matcher__dir_written(m, "/proc/x"));
	/* the root is never a written directory; relative paths are not judged */
	assert_false(vigil_matcher__dir_written(m, "/x"));
	assert_false(vigil_matcher__dir_written(m, "data/x"));
	assert_false(vigil_matcher__dir_written(NULL, "/data/x"));
}

static void test_sets(void **state)
{
	assert_true(vigil_matcher__syscall(m, "openat"));
	assert_false(vigil_matcher__syscall(m, "ptrace"));
	assert_false(vigil_matcher__syscall(m, "nanosleep")); /* the sidecar's, not redis' */
	assert_true(vigil_matcher__capability(m, "CAP_SETUID"));
	assert_true(vigil_matcher__capability(m, "SETUID"));
	assert_true(vigil_matcher__capability(m, "CAP_SETGID")); /* listed without the prefix */
	assert_false(vigil_matcher__capability(m, "CAP_SYS_ADMIN"));
	assert_true(vigil_matcher__iouring(m, "READ"));
	assert_false(vigil_matcher__iouring(m, "OPENAT"));
	assert_true(vigil_matcher__has_syscalls(m));
}

static void test_endpoint(void **state)
{
	assert_true(vigil_matcher__endpoint(m, 6379, "/", NULL, "inbound"));
	assert_false(vigil_matcher__endpoint(m, 6379, "/", NULL, "outbound"));
	assert_false(vigil_matcher__endpoint(m, 6380, "/", NULL, "inbound"));
	/* :0 = any port; methods checked. */
	assert_true(vigil_matcher__endpoint(m, 1234, "/health", "GET", NULL));
	assert_true(vigil_matcher__endpoint(m, 80, "/health?verbose=1", "head", NULL));
	assert_false(vigil_matcher__endpoint(m, 80, "/health", "DELETE", NULL));
	assert_true(vigil_matcher__endpoint(m, 8080, "/api/v1/items", "POST", "outbound"));
	assert_false(vigil_matcher__endpoint(m, 8080, "/api/v1/v2/items", "POST", "outbound"));
	assert_false(vigil_matcher__endpoint(m, 8080, "/api/v1/items", "GET", "outbound"));
	assert_true(vigil_matcher__endpoint(m, 9090, "/metrics/x", "GET", NULL));
	assert_false(vigil_matcher__endpoint(m, 9090, "/metrics", "GET", NULL));
}

static bool neighbor(bool egress_, const char *ip, uint16_t port, const char *proto)
{
	uint8_t raw[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, ip, raw), 1);
	return vigil_matcher__neighbor(m, egress_, family, raw, port, proto);
}

static void test_network(void **state)
{
	assert_true(neighbor(true, "203.0.113.9", 443, "TCP"));
	assert_true(neighbor(true, "203.0.113.9", 443, "tcp"));
	assert_false(neighbor(true, "203.0.113.9", 80, "TCP")); /* ports listed: checked */
	assert_false(neighbor(true, "203.0.113.9", 443, "UDP"));
	assert_false(neighbor(true, "203.0.114.1", 443, "TCP"));
	assert_true(neighbor(true, "2001:db8:1::5", 443, "TCP"));
	assert_true(neighbor(true, "10.96.0.10", 53, "UDP"));
	assert_true(neighbor(true, "::ffff:10.96.0.10", 53, "UDP"));
	/* No ports listed: any port and protocol. */
	assert_true(neighbor(true, "192.0.2.7", 22, "TCP"));
	assert_true(neighbor(false, "192.0.2.7", 22, "TCP")); /* ingress "*" */
	assert_true(neighbor(false, "fe80::1", 6379, "TCP"));
	assert_false(neighbor(true, "198.51.100.1", 443, "TCP"));

	assert_true(vigil_matcher__dns(m, "api.example.com"));
	assert_true(vigil_matcher__dns(m, "API.Example.com."));
	assert_true(vigil_matcher__dns(m, "bucket.s3.aws.com"));
	assert_false(vigil_matcher__dns(m, "s3.aws.com"));
	assert_false(vigil_matcher__dns(m, "a.bucket.s3.aws.com"));
	assert_true(vigil_matcher__dns(m, "kube-dns.kube-system.svc.cluster.local"));
	assert_false(vigil_matcher__dns(m, "evil.example.org"));
}

static void test_rule_policies(void **state)
{
	/* entries name executables: a file name matches the executable's, wherever it lives */
	assert_true(vigil_matcher__rule_allowed(m, "R0002", "redis-check-aof"));
	assert_true(vigil_matcher__rule_allowed(m, "R0002", "/usr/local/bin/redis-check-aof"));
	assert_false(vigil_matcher__rule_allowed(m, "R0002", "/usr/bin/redis-check-ao"));
	assert_false(vigil_matcher__rule_allowed(m, "R0002", "/redis-check-aof/sh"));
	assert_false(vigil_matcher__rule_allowed(m, "R0002", "sh"));
	assert_false(vigil_matcher__rule_allowed(m, "R0002", ""));
	assert_false(vigil_matcher__rule_allowed(m, "R0002", NULL));
	assert_true(vigil_matcher__rule_allowed(m, "R1000", "anything"));
	assert_true(vigil_matcher__rule_allowed(m, "R1000", NULL));
	assert_false(vigil_matcher__rule_allowed(m, "R0001", "redis-check-aof"));
}

/* processAllowed entries with a '/' are whole paths; 15 bytes is Kubescape's comm, cut */
static void test_rule_policies_exe(void **state)
{
	static const char text[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata: {name: p}\n"
				   "spec:\n"
				   "  rulePolicies:\n"
				   "    R0002:\n"
				   "      processAllowed: [/opt/app/bin/backup, logrotate-helpe]\n";
	struct vigil_profile *p = NULL;
	struct vigil_matcher *x = NULL;
	struct vigil_error err = { 0 };

	(void)state;
	assert_int_equal(vigil_profile__load_buffer(text, sizeof(text) - 1, "p", NULL, &p, &err),
			 0);
	assert_int_equal(vigil_matcher__new(p, NULL, &x), 0);
	assert_true(vigil_matcher__rule_allowed(x, "R0002", "/opt/app/bin/backup"));
	assert_false(vigil_matcher__rule_allowed(x, "R0002", "/tmp/backup"));
	assert_false(vigil_matcher__rule_allowed(x, "R0002", "backup"));
	assert_true(vigil_matcher__rule_allowed(x, "R0002", "/usr/sbin/logrotate-helper"));
	assert_true(vigil_matcher__rule_allowed(x, "R0002", "/usr/sbin/logrotate-helpe"));
	assert_false(vigil_matcher__rule_allowed(x, "R0002", "/usr/sbin/logrotate-help"));
	vigil_matcher__free(x);
	vigil_profile__free(p);
}

static void test_selection(void **state)
{
	struct vigil_matcher *s = NULL;
	struct vigil_profile empty = { 0 };

	build();
	/* NULL picks the first container found: "redis". */
	assert_int_equal(vigil_matcher__new(&prof, NULL, &s), 0);
	assert_true(vigil_matcher__syscall(s, "openat"));
	vigil_matcher__free(s);
	assert_int_equal(vigil_matcher__new(&prof, "sidecar", &s), 0);
	assert_true(vigil_matcher__syscall(s, "nanosleep"));
	assert_false(vigil_matcher__syscall(s, "openat"));
	assert_int_equal(vigil_matcher__exec(s, "/usr/bin/id", NULL, 0), VIGIL_MATCH_YES);
	assert_false(vigil_matcher__dns(s, "api.example.com"));
	vigil_matcher__free(s);
	assert_int_equal(vigil_matcher__new(&prof, "nope", &s), -ENOENT);
	assert_int_equal(vigil_matcher__new(&empty, NULL, &s), -ENOENT);
	vigil_matcher__free(NULL);
	/* A NULL matcher answers no. */
	assert_false(vigil_matcher__open(NULL, "/", 0));
	assert_int_equal(vigil_matcher__exec(NULL, "/", NULL, 0), VIGIL_MATCH_NO);
}

/* The hand-written redis ContainerProfile of tests/data, through the real loader. */
static void test_redis_yaml(void **state)
{
	struct vigil_profile *p = NULL;
	struct vigil_matcher *r = NULL;
	struct vigil_error err;
	uint8_t a[4] = { 10, 0, 0, 1 };

	assert_int_equal(
		vigil_profile__load_file("tests/data/profiles/redis-cp.yaml", NULL, &p, &err), 0);
	/* The ContainerProfile's unnamed container answers for the bound container. */
	assert_int_equal(vigil_matcher__new(p, "redis", &r), 0);
	vigil_profile__free(p);

	assert_int_equal(vigil_matcher__exec(r, "/usr/local/bin/redis-server",
					     (const char *const[]){ "redis-server", "/etc/r.conf" },
					     2),
			 VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(r, "/usr/local/bin/redis-cli",
					     (const char *const[]){ "redis-cli", "-h", "localhost",
								    "-p", "6379", "ping" },
					     6),
			 VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(r, "/usr/local/bin/redis-cli",
					     (const char *const[]){ "redis-cli", "-h", "evil", "-p",
								    "6379", "ping" },
					     6),
			 VIGIL_MATCH_ARGS);
	assert_int_equal(vigil_matcher__exec(r, "/usr/bin/timeout",
					     (const char *const[]){ "/usr/bin/timeout", "-s", "15",
								    "5", "redis-cli", "ping" },
					     6),
			 VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(r, "/bin/sh", (const char *const[]){ "sh" }, 1),
			 VIGIL_MATCH_NO);
	assert_true(vigil_matcher__open(r, "/etc/redis/7/redis.conf", O_RDONLY));
	assert_true(vigil_matcher__open(r, "/data/dump.rdb", O_WRONLY | O_CREAT | O_TRUNC));
	assert_false(vigil_matcher__open(r, "/data/dump.rdb", O_RDONLY));
	assert_true(vigil_matcher__open(r, "/data", O_RDONLY | O_DIRECTORY));
	assert_true(vigil_matcher__open(r, "/proc/1/fd/3", O_RDONLY | O_CLOEXEC));
	assert_false(vigil_matcher__open(r, "/proc/1", O_RDONLY));
	assert_false(vigil_matcher__open(r, "/etc/shadow", O_RDONLY));
	assert_true(vigil_matcher__syscall(r, "epoll_wait"));
	assert_false(vigil_matcher__syscall(r, "ptrace"));
	assert_true(vigil_matcher__has_syscalls(r));
	assert_true(vigil_matcher__capability(r, "CAP_CHOWN"));
	assert_false(vigil_matcher__iouring(r, "READ")); /* iouring: [] */
	assert_true(vigil_matcher__rule_allowed(r, "R0002", "runc:[2:INIT]"));
	assert_true(vigil_matcher__rule_allowed(r, "R0004", "redis-server"));
	assert_false(vigil_matcher__rule_allowed(r, "R0002", "redis-server"));
	/*
	 * egress: null initiates nothing; ingress is by pod selector: an in-cluster address on its
	 * port and protocol is taken to be that peer (its pod is not known here), nothing else.
	 */
	assert_false(vigil_matcher__neighbor(r, true, AF_INET, a, 443, "TCP"));
	assert_true(vigil_matcher__neighbor(r, false, AF_INET, a, 6379, "TCP"));
	assert_false(vigil_matcher__neighbor(r, false, AF_INET, a, 6380, "TCP"));
	assert_false(vigil_matcher__neighbor(r, false, AF_INET, (uint8_t[4]){ 8, 8, 8, 8 }, 6379,
					     "TCP"));
	assert_false(vigil_matcher__dns(r, "example.com"));
	vigil_matcher__free(r);
}

/* byExecutable: each executable's section answers for what that executable did. */
static void test_by_exe(void **state)
{
	struct vigil_profile *p = NULL;
	struct vigil_matcher *r = NULL;
	const struct vigil_matcher *pg, *sh;
	struct vigil_error err;
	const char *pg_argv[] = { "/usr/lib/postgresql/15/bin/postgres", "-D", "/d" };

	(void)state;
	assert_int_equal(
		vigil_profile__load_file("tests/data/profiles/byexe-cp.yaml", NULL, &p, &err), 0);
	assert_true(vigil_profile__has_by_exe(p, 0));
	assert_int_equal(vigil_matcher__new(p, "postgres", &r), 0);
	vigil_profile__free(p);
	assert_true(vigil_matcher__has_by_exe(r));
	/* workload-wide, the launcher's read covers the server's */
	assert_true(vigil_matcher__open(r, "/etc/passwd", O_RDONLY | O_CLOEXEC));
	pg = vigil_matcher__by_exe(r, "/usr/lib/postgresql/15/bin/postgres");
	assert_non_null(pg);
	assert_false(vigil_matcher__open(pg, "/etc/passwd", O_RDONLY));
	assert_true(vigil_matcher__open(pg, "/var/lib/postgresql/15/main/base/1/2", O_RDWR));
	assert_true(vigil_matcher__open(vigil_matcher__by_exe(r, "/usr/bin/setpriv"), "/etc/passwd",
					O_RDONLY | O_CLOEXEC));
	/* execs by the program that started them: the shell ran date, never postgres */
	sh = vigil_matcher__by_exe(r, "/usr/bin/dash");
	assert_int_equal(vigil_matcher__exec(sh, "/usr/bin/date", NULL, 0), VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(sh, "/usr/lib/postgresql/15/bin/postgres", pg_argv, 3),
			 VIGIL_MATCH_NO);
	assert_int_equal(vigil_matcher__exec(r, "/usr/lib/postgresql/15/bin/postgres", pg_argv, 3),
			 VIGIL_MATCH_YES);
	assert_int_equal(vigil_matcher__exec(pg, "/usr/bin/dash",
					     (const char *const[]){ "sh", "-c", "x", "y" }, 4),
			 VIGIL_MATCH_ARGS);
	/* no section: nothing to say (judged workload-wide) */
	assert_null(vigil_matcher__by_exe(r, "/usr/bin/perl"));
	assert_null(vigil_matcher__by_exe(r, "/usr/bin/das"));
	vigil_matcher__free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec),	      cmocka_unit_test(test_open),
		cmocka_unit_test(test_dir_written),   cmocka_unit_test(test_sets),
		cmocka_unit_test(test_endpoint),      cmocka_unit_test(test_network),
		cmocka_unit_test(test_rule_policies), cmocka_unit_test(test_rule_policies_exe),
		cmocka_unit_test(test_selection),     cmocka_unit_test(test_redis_yaml),
		cmocka_unit_test(test_by_exe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
