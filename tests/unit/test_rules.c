// SPDX-License-Identifier: Apache-2.0
/*
 * The rule engine on synthetic events against a real profile (YAML, loaded by the profile
 * library): each rule fires exactly when it should, one alert per event, rulePolicies,
 * cooldown, and the alert record's fields.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "vigil/detect.h"
#include "vigil/detect_paths.h"
#include "vigil/profile.h"

#define CG 4242

static const char profile_yaml[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata:\n"
				   "  name: demo\n"
				   "spec:\n"
				   "  architectures: [amd64]\n"
				   "  capabilities: [CAP_NET_BIND_SERVICE]\n"
				   "  execs:\n"
				   "  - path: /usr/bin/demo\n"
				   "    args: [demo, --port, \"8080\"]\n"
				   "  - path: /bin/sh\n"
				   "    args: [sh, -c, \"\xe2\x8b\xaf\"]\n"
				   "  - path: /build/out/tool\n"
				   "    args: [tool]\n"
				   "  opens:\n"
				   "  - path: /build/out/tool\n"
				   "    flags: [O_WRONLY, O_CREAT, O_TRUNC]\n"
				   "  - path: /etc/demo.conf\n"
				   "    flags: [O_RDONLY, O_CLOEXEC]\n"
				   "  - path: /proc/\xe2\x8b\xaf/stat\n"
				   "    flags: [O_RDONLY]\n"
				   "  syscalls: [close, execve, openat, read, write]\n"
				   "  iouring: [READ]\n"
				   "  rulePolicies:\n"
				   "    R0002:\n"
				   "      processAllowed: [backup]\n"
				   "    V1001:\n"
				   "      processAllowed: [/usr/bin/ping]\n"
				   "  egress:\n"
				   "  - identifier: api\n"
				   "    type: external\n"
				   "    dnsNames: [api.example.com]\n"
				   "    ipAddresses: [127.0.0.1]\n"
				   "    ports:\n"
				   "    - name: TCP-8080\n"
				   "      protocol: TCP\n"
				   "      port: 8080\n";

struct fixture {
	struct vigil_detector *d;
	struct vigil_profile *p;
	json_t *alerts; /* every alert raised, in order */
};

static struct vigil_workload wl = {
	.cgroup_id = CG,
	.cgroup_path = "/vigil/demo",
	.container_id = "",
	.runtime = "",
	.name = "demo",
};

static struct vigil_process proc;
static const char *argv_buf[8];

static void set_proc(const char *comm, const char *exe, const char *const *argv, uint32_t argc)
{
	memset(&proc, 0, sizeof(proc));
	proc.pid = 100;
	proc.ppid = 1;
	proc.uid = 1000;
	proc.gid = 1000;
	snprintf(proc.comm, sizeof(proc.comm), "%s", comm);
	proc.exe = exe;
	for (uint32_t i = 0; i < argc && i < 8; i++)
		argv_buf[i] = argv[i];
	proc.argv = argv_buf;
	proc.argc = argc;
	proc.cwd = "/";
}

static struct vigil_event base_event(enum vigil_event_kind kind)
{
	static uint64_t t = 1763805600000000000ULL; /* 2025-11-22T10:00:00Z */
	struct vigil_event ev = { .kind = kind, .workload = &wl, .proc = &proc };

	ev.time_ns = t++;
	ev.ktime_ns = ev.time_ns;
	return ev;
}

/* Keeps each alert as the JSON it goes out as (the shared encoder). */
static int collect(const struct vigil_alert *alert, void *ctx)
{
	struct fixture *f = ctx;

	json_array_append_new(f->alerts, vigil_alert__json(alert));
	return 0;
}

static int setup_opts(void **state, const struct vigil_detect_opts *opts)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vigil_error err = { 0 };

	assert_non_null(f);
	assert_int_equal(vigil_profile__load_buffer(profile_yaml, sizeof(profile_yaml) - 1,
						    "demo.yaml", NULL, &f->p, &err),
			 0);
	f->d = vigil_detector__new(opts);
	assert_non_null(f->d);
	assert_int_equal(vigil_detector__bind(f->d, CG, f->p, NULL, NULL), 0);
	f->alerts = json_array();
	set_proc("demo", "/usr/bin/demo", (const char *[]){ "demo" }, 1);
	*state = f;
	return 0;
}

/* Every rule on, also those Kubescape ships off (test_kubescape_defaults checks those). */
static const char *const all_rules[] = { "all", NULL };

static int setup(void **state)
{
	struct vigil_detect_opts o = { .enabled = all_rules };

	return setup_opts(state, &o);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vigil_detector__free(f->d);
	vigil_profile__free(f->p);
	json_decref(f->alerts);
	free(f);
	return 0;
}

/* Feeds ev; returns the rule id of the single alert raised, or "" when none. */
static const char *run1(struct fixture *f, const struct vigil_event *ev)
{
	size_t before = json_array_size(f->alerts);
	int n = vigil_detector__event(f->d, ev, collect, f);

	assert_true(n >= 0);
	assert_int_equal((size_t)n, json_array_size(f->alerts) - before);
	assert_true(n <= 1); /* one deviation, one alert */
	if (!n)
		return "";
	return json_string_value(json_object_get(
		json_array_get(f->alerts, json_array_size(f->alerts) - 1), "rule_id"));
}

static const char *exec_ev(struct fixture *f, const char *path, const char *const *argv,
			   uint32_t argc, bool upper, bool memfd)
{
	struct vigil_event ev = base_event(VIGIL_EV_EXEC);
	const char *base = strrchr(path, '/');

	set_proc(base ? base + 1 : path, path, argv, argc);
	ev.exec.path = path;
	ev.exec.upper_layer = upper;
	ev.exec.memfd = memfd;
	return run1(f, &ev);
}

static void test_exec_rules(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(exec_ev(f, "/usr/bin/demo",
				    (const char *[]){ "demo", "--port", "8080" }, 3, false, false),
			    "");
	assert_string_equal(
		exec_ev(f, "/bin/sh", (const char *[]){ "sh", "-c", "ls /" }, 3, false, false), "");
	assert_string_equal(
		exec_ev(f, "/usr/bin/curl", (const char *[]){ "curl", "x" }, 2, false, false),
		"R0001");
	assert_string_equal(exec_ev(f, "/usr/bin/demo",
				    (const char *[]){ "demo", "--port", "9090" }, 3, false, false),
			    "R0040");
	/* drift: only when not in the profile */
	assert_string_equal(
		exec_ev(f, "/tmp/dropper", (const char *[]){ "dropper" }, 1, true, false), "R1001");
	assert_string_equal(exec_ev(f, "/usr/bin/demo",
				    (const char *[]){ "demo", "--port", "8080" }, 3, true, false),
			    "");
	/* the most specific rule wins: a memfd exec is R1005, not also R0001 */
	assert_string_equal(
		exec_ev(f, "/memfd:payload (deleted)", (const char *[]){ "x" }, 1, false, true),
		"R1005");
	assert_string_equal(exec_ev(f, "/proc/self/fd/3", (const char *[]){ "x" }, 1, false, false),
			    "R1005");
	assert_string_equal(
		exec_ev(f, "/dev/shm/miner", (const char *[]){ "miner" }, 1, false, false),
		"R1000");
	/* argv[0] under /dev/shm counts too */
	assert_string_equal(exec_ev(f, "/bin/sh", (const char *[]){ "/dev/shm/sh", "-c", "x" }, 3,
				    false, false),
			    "R1000");
	assert_string_equal(exec_ev(f, "/usr/local/bin/kubectl",
				    (const char *[]){ "kubectl", "get", "pods" }, 3, false, false),
			    "R0007");
}

/* An exec of a file written at run time (written: the kernel's mark; else only its ctime). */
/* when the dropped files were written (the kernel's mark), a second before the first event */
#define WRITTEN_NS (1763805600000000000ULL - 1000000000ull)

static const char *dropped_ev(struct fixture *f, const char *path, const char *const *argv,
			      uint32_t argc, const char *script, bool written)
{
	struct vigil_event ev = base_event(VIGIL_EV_EXEC);

	set_proc("x", path, argv, argc);
	ev.exec.path = path;
	ev.exec.script = script;
	if (script) {
		ev.exec.script_written = written;
		ev.exec.script_modified = !written;
	} else {
		ev.exec.written = written;
		ev.exec.modified = !written;
	}
	ev.exec.writer_pid = 99;
	ev.exec.writer_cgroup = CG;
	ev.exec.written_how = 1;
	ev.exec.written_ns = WRITTEN_NS;
	return run1(f, &ev);
}

static void test_drop_exec(void **state)
{
	struct fixture *f = *state;
	json_t *a;

	/* written by a workload and run: high, even when the exec itself is a known one */
	assert_string_equal(dropped_ev(f, "/tmp/x", (const char *[]){ "x" }, 1, NULL, true),
			    "R1001");
	a = json_array_get(f->alerts, json_array_size(f->alerts) - 1);
	assert_non_null(strstr(json_string_value(json_object_get(a, "message")),
			       "drop and execute: /tmp/x was written at run time by pid 99"));
	assert_int_equal(json_integer_value(json_object_get(a, "severity")), 8);
	assert_true(json_is_true(json_object_get(json_object_get(a, "event"), "written")));
	assert_string_equal(dropped_ev(f, "/usr/bin/demo",
				       (const char *[]){ "demo", "--port", "8080" }, 3, NULL, true),
			    "R1001");
	/* unless the profile has both the write and the exec of that file: a build step */
	assert_string_equal(
		dropped_ev(f, "/build/out/tool", (const char *[]){ "tool" }, 1, NULL, true), "");
	/* changed by someone the sensor did not see: only when the exec is not in the profile */
	assert_string_equal(dropped_ev(f, "/usr/bin/demo",
				       (const char *[]){ "demo", "--port", "8080" }, 3, NULL,
				       false),
			    "");
	assert_string_equal(
		dropped_ev(f, "/usr/bin/curl", (const char *[]){ "curl" }, 1, NULL, false),
		"R1001");
	/* a script written and run: the alert names the script */
	assert_string_equal(dropped_ev(f, "/bin/sh", (const char *[]){ "sh", "/tmp/s.sh" }, 2,
				       "/tmp/s.sh", true),
			    "R1001");
	a = json_array_get(f->alerts, json_array_size(f->alerts) - 1);
	assert_non_null(strstr(json_string_value(json_object_get(a, "message")),
			       "script /tmp/s.sh (run by /bin/sh) was written"));
	/* the fileless and /dev/shm rules still come first */
	assert_string_equal(dropped_ev(f, "/dev/shm/x", (const char *[]){ "x" }, 1, NULL, true),
			    "R1000");
}

/* A file written at run time mapped executable by the current process (proc). */
/* A mapping of dropped file path, whose last write the kernel marked at written_ns. */
static const char *mapped_ev_at(struct fixture *f, const char *path, uint64_t written_ns)
{
	struct vigil_event ev = base_event(VIGIL_EV_MMAP_EXEC);

	ev.exec.path = path;
	ev.exec.prot = 5; /* PROT_READ | PROT_EXEC */
	ev.exec.written = true;
	ev.exec.writer_pid = 99;
	ev.exec.writer_cgroup = CG;
	ev.exec.written_how = 1;
	ev.exec.written_ns = written_ns;
	return run1(f, &ev);
}

static const char *mapped_ev(struct fixture *f, const char *path)
{
	return mapped_ev_at(f, path, WRITTEN_NS);
}

/*
 * One dropped file, one alert: the loader running a dropped ELF (exec R1001 naming it) maps
 * it next; that mapping, in the same process before its next exec, is folded into the exec's
 * alert. Any other mapping still alerts. Without a cooldown: a fold, not a repeat, keeps the
 * mapping quiet.
 */
static void test_drop_fold(void **state)
{
	struct fixture *f = *state;
	const char *ld = "/lib64/ld-linux-x86-64.so.2";

	/* a mapping with no exec alert before it: its own R1001 */
	set_proc("x", "/usr/bin/x", (const char *[]){ "x" }, 1);
	assert_string_equal(mapped_ev(f, "/tmp/alone.so"), "R1001");
	/* ld.so /tmp/prog: the exec alerts, the loader's mapping of /tmp/prog is folded */
	assert_string_equal(
		dropped_ev(f, ld, (const char *[]){ "ld.so", "/tmp/prog" }, 2, "/tmp/prog", true),
		"R1001");
	assert_string_equal(mapped_ev(f, "/tmp/prog"), "");
	/* the process replaced the file at that path after the alert (a write the kernel marked
	 * later), then mapped it: another file, its own alert (the fold is by the file's version,
	 * not its name) */
	assert_string_equal(mapped_ev_at(f, "/tmp/prog", WRITTEN_NS + 5000000000ull), "R1001");
	assert_string_equal(mapped_ev(f, "/tmp/prog"), "");
	/* another dropped library it maps is another file */
	assert_string_equal(mapped_ev(f, "/tmp/other.so"), "R1001");
	/* another process mapping the same file */
	set_proc("y", "/usr/bin/y", (const char *[]){ "y" }, 1);
	proc.pid = 101;
	assert_string_equal(mapped_ev(f, "/tmp/prog"), "R1001");
	/* the first process runs another program: what the last one ran is not noted any more */
	assert_string_equal(
		dropped_ev(f, ld, (const char *[]){ "ld.so", "/tmp/prog2" }, 2, "/tmp/prog2", true),
		"R1001");
	assert_string_equal(exec_ev(f, "/usr/bin/demo",
				    (const char *[]){ "demo", "--port", "8080" }, 3, false, false),
			    "");
	assert_string_equal(mapped_ev(f, "/tmp/prog2"), "R1001");
}

/* An open by the executable /usr/bin/EXE, whose process name (comm) is EXE too. */
static const char *open_ev(struct fixture *f, const char *exe, const char *path, uint32_t flags,
			   int32_t ret)
{
	struct vigil_event ev = base_event(VIGIL_EV_OPEN);
	static char path_buf[64];

	snprintf(path_buf, sizeof(path_buf), "/usr/bin/%s", exe);
	set_proc(exe, path_buf, (const char *[]){ exe }, 1);
	ev.open.path = path;
	ev.open.flags = flags;
	ev.open.ret = ret;
	return run1(f, &ev);
}

static void test_open_rules(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(open_ev(f, "demo", "/etc/demo.conf", O_RDONLY | O_CLOEXEC, 3), "");
	/* a flag the profile does not list: a write where the profile never writes, V1102 */
	assert_string_equal(open_ev(f, "demo", "/etc/demo.conf", O_RDWR, 3), "V1102");
	assert_string_equal(open_ev(f, "demo", "/etc/passwd", O_RDONLY, 3), "R0002");
	/* failed opens touched nothing; outside the watched directories nothing is judged */
	assert_string_equal(open_ev(f, "demo", "/etc/nothere", O_RDONLY, -ENOENT), "");
	assert_string_equal(open_ev(f, "demo", "/tmp/scratch", O_RDONLY, 3), "");
	/* V1102: a file written where the profile never writes; where it does (/build/out), a
	 * new file is its job; a failed open wrote nothing; terminals and /dev/null neither */
	assert_string_equal(open_ev(f, "demo", "/tmp/scratch", O_RDWR | O_CREAT, 3), "V1102");
	assert_string_equal(open_ev(f, "demo", "/build/out/tool.tmp", O_WRONLY | O_CREAT, 3), "");
	assert_string_equal(open_ev(f, "demo", "/build/out/sub/x", O_WRONLY | O_CREAT, 3), "V1102");
	assert_string_equal(open_ev(f, "demo", "/tmp/denied", O_WRONLY | O_CREAT, -EACCES), "");
	assert_string_equal(open_ev(f, "demo", "/dev/null", O_WRONLY, 3), "");
	assert_string_equal(open_ev(f, "demo", "/dev/pts/3", O_RDWR, 3), "");
	assert_string_equal(open_ev(f, "demo", "/usr/bin/ls", O_WRONLY | O_TRUNC, 3), "V1102");
	assert_string_equal(open_ev(f, "demo", "/var/www/html/shell.php", O_WRONLY | O_APPEND, 3),
			    "V1102");
	assert_string_equal(open_ev(f, "demo", "/proc/1234/stat", O_RDONLY, 3), "");
	/* rulePolicies apply only to the rules that take them (Kubescape's supportPolicy):
	 * `R0002: processAllowed: [backup]` is inert, as in Kubescape */
	assert_string_equal(open_ev(f, "backup", "/etc/hostname", O_RDONLY, 3), "R0002");
	/* the pod's service-account directory is out of R0002, as in Kubescape (its token is
	 * R0006's); a secret mounted beside it is not */
	assert_string_equal(open_ev(f, "demo",
				    "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
				    O_RDONLY, 3),
			    "");
	assert_string_equal(
		open_ev(f, "demo",
			"/run/secrets/kubernetes.io/serviceaccount/..2026_12_07/namespace",
			O_RDONLY, 3),
		"");
	assert_string_equal(
		open_ev(f, "demo", "/run/secrets/kubernetes.io/other/ca.crt", O_RDONLY, 3),
		"R0002");
	/* Kubescape's tests are bare prefixes: '/etc/' (the directory itself is not watched)
	 * and '.../serviceaccount' (a longer name is left out too) */
	assert_string_equal(open_ev(f, "demo", "/etc", O_RDONLY | O_DIRECTORY, 3), "");
	assert_string_equal(open_ev(f, "demo",
				    "/run/secrets/kubernetes.io/serviceaccount-extra/ca.crt",
				    O_RDONLY, 3),
			    "");
	/* the sensitive classes win over R0002 and count attempts */
	assert_string_equal(open_ev(f, "demo",
				    "/var/run/secrets/kubernetes.io/serviceaccount/token", O_RDONLY,
				    -ENOENT),
			    "R0006");
	assert_string_equal(open_ev(f, "demo", "/proc/self/environ", O_RDONLY, 3), "R0008");
	assert_string_equal(open_ev(f, "demo", "/proc/77/task/78/environ", O_RDONLY, 3), "R0008");
	assert_string_equal(open_ev(f, "demo", "/etc/shadow", O_RDONLY, -EACCES), "R0010");
	assert_string_equal(open_ev(f, "demo", "/root/.ssh/id_ed25519", O_RDONLY, 3), "R0010");
	/* rulePolicies are per rule: backup is not allowed R0010 */
	assert_string_equal(open_ev(f, "backup", "/etc/gshadow", O_RDONLY, 3), "R0010");
	/* V1101: a write to a persistence path, anywhere, denied or not; reads are not */
	assert_string_equal(
		open_ev(f, "demo", "/var/spool/cron/crontabs/temp-77.rdb", O_WRONLY | O_CREAT, 3),
		"V1101");
	assert_string_equal(
		open_ev(f, "demo", "/home/al/.ssh/authorized_keys", O_WRONLY | O_APPEND, -EACCES),
		"V1101");
	assert_string_equal(open_ev(f, "demo", "/var/lib/postgresql/.bashrc", O_RDWR | O_TRUNC, 3),
			    "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/systemd/system/x.service",
				    O_WRONLY | O_CREAT | O_TRUNC, 3),
			    "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/sudoers", O_WRONLY, 3), "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/sudoers", O_RDONLY, 3), "R0010");
	assert_string_equal(open_ev(f, "demo", "/etc/crontab", O_RDONLY, 3), "R0002");
	assert_string_equal(open_ev(f, "demo", "/tmp/.bashrc.d/x", O_WRONLY | O_CREAT, 3), "V1102");
	/* the hooks root tools run later: library search path, modprobe, APT, logrotate,
	 * sysctl (redteam2) */
	assert_string_equal(
		open_ev(f, "demo", "/etc/ld.so.conf.d/x.conf", O_WRONLY | O_CREAT, -EACCES),
		"V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/modprobe.d/x.conf", O_WRONLY | O_CREAT, 3),
			    "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/apt/apt.conf.d/99x", O_WRONLY | O_CREAT, 3),
			    "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/logrotate.d/x", O_WRONLY | O_CREAT, 3),
			    "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/sysctl.d/99-x.conf", O_WRONLY | O_CREAT, 3),
			    "V1101");
	assert_string_equal(open_ev(f, "demo", "/etc/ld.so.conf", O_WRONLY | O_APPEND, 3), "V1101");
}

static const char *syscall_ev(struct fixture *f, const char *name)
{
	struct vigil_event ev = base_event(VIGIL_EV_SYSCALL);

	ev.syscall.name = name;
	ev.syscall.nr = 63;
	return run1(f, &ev);
}

static void test_syscall_cap_iouring(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev;

	assert_string_equal(syscall_ev(f, "read"), "");
	assert_string_equal(syscall_ev(f, "mprotect"), "R0003");
	/* an informational syscall from the known /usr/bin/demo is not news; from a program
	 * the profile does not know it is */
	assert_string_equal(syscall_ev(f, "uname"), "");
	set_proc("x", "/tmp/x", (const char *[]){ "x" }, 1);
	assert_string_equal(syscall_ev(f, "uname"), "R0003");
	set_proc("demo", "/usr/bin/demo", (const char *[]){ "demo" }, 1);
	/* judged by their own rules, not by R0003 */
	assert_string_equal(syscall_ev(f, "ptrace"), "");
	/* another process's memory without ptrace: R1015, as ptrace (was R0003, severity 1) */
	assert_string_equal(syscall_ev(f, "process_vm_writev"), "R1015");
	assert_string_equal(syscall_ev(f, "process_vm_readv"), "R1015");
	assert_string_equal(syscall_ev(f, "unshare"), "");
	assert_string_equal(syscall_ev(f, "memfd_create"), "");
	assert_string_equal(syscall_ev(f, "io_uring_setup"), "");

	ev = base_event(VIGIL_EV_CAPABILITY);
	ev.cap.name = "CAP_NET_BIND_SERVICE";
	assert_string_equal(run1(f, &ev), "");
	ev.cap.name = "CAP_SYS_ADMIN";
	assert_string_equal(run1(f, &ev), "R0004");
	/* passing file permissions: not news from the known /usr/bin/demo, news from /tmp/x */
	ev.cap.name = "CAP_DAC_OVERRIDE";
	assert_string_equal(run1(f, &ev), "");
	set_proc("x", "/tmp/x", (const char *[]){ "x" }, 1);
	assert_string_equal(run1(f, &ev), "R0004");
	set_proc("demo", "/usr/bin/demo", (const char *[]){ "demo" }, 1);

	ev = base_event(VIGIL_EV_IOURING_OP);
	ev.iouring.opname = "READ";
	assert_string_equal(run1(f, &ev), "");
	ev.iouring.opname = "OPENAT";
	assert_string_equal(run1(f, &ev), "R1030");
}

static const char *net_ev(struct fixture *f, enum vigil_event_kind kind, const char *ip,
			  uint16_t port, uint8_t proto)
{
	struct vigil_event ev = base_event(kind);

	ev.net.proto = proto;
	ev.net.direction = VIGIL_DIR_OUTBOUND;
	ev.net.remote.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	ev.net.remote.port = port;
	assert_int_equal(inet_pton(ev.net.remote.family, ip, ev.net.remote.addr), 1);
	return run1(f, &ev);
}

static const char *connect_ev(struct fixture *f, const char *ip, uint16_t port, uint8_t proto)
{
	return net_ev(f, VIGIL_EV_CONNECT, ip, port, proto);
}

static void test_network_rules(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev;

	assert_string_equal(connect_ev(f, "127.0.0.1", 8080, IPPROTO_TCP), "");
	assert_string_equal(connect_ev(f, "127.0.0.2", 8080, IPPROTO_TCP), "R0011");
	assert_string_equal(connect_ev(f, "192.0.2.7", 3333, IPPROTO_TCP), "R1009");
	assert_string_equal(connect_ev(f, "10.96.0.1", 443, IPPROTO_TCP), "R0007");
	assert_string_equal(connect_ev(f, "10.1.2.3", 6443, IPPROTO_TCP), "R0007");
	/* egress without connect (a datagram or Fast Open to an address named in the call) is
	 * judged as a connection to that peer */
	assert_string_equal(net_ev(f, VIGIL_EV_SEND, "127.0.0.1", 8080, IPPROTO_TCP), "");
	assert_string_equal(net_ev(f, VIGIL_EV_SEND, "127.0.0.2", 8080, IPPROTO_UDP), "R0011");
	assert_string_equal(net_ev(f, VIGIL_EV_SEND, "192.0.2.8", 3333, IPPROTO_TCP), "R1009");
	assert_string_equal(net_ev(f, VIGIL_EV_SEND, "10.1.2.4", 6443, IPPROTO_TCP), "R0007");
	/* an IPv4-mapped IPv6 peer (an AF_INET6 socket reaching IPv4) is the IPv4 address: the
	 * API server is R0007 however it is spelt, a learned IPv4 peer stays allowed */
	assert_string_equal(connect_ev(f, "::ffff:10.96.0.1", 443, IPPROTO_TCP), "R0007");
	assert_string_equal(net_ev(f, VIGIL_EV_SEND, "::ffff:10.96.0.1", 443, IPPROTO_UDP),
			    "R0007");
	assert_string_equal(connect_ev(f, "::ffff:127.0.0.1", 8080, IPPROTO_TCP), "");
	assert_string_equal(connect_ev(f, "::ffff:127.0.0.2", 8080, IPPROTO_TCP), "R0011");
	assert_string_equal(connect_ev(f, "::ffff:192.0.2.7", 3333, IPPROTO_TCP), "R1009");
	assert_string_equal(connect_ev(f, "::1", 443, IPPROTO_TCP), "R0011");

	ev = base_event(VIGIL_EV_DNS);
	ev.dns.name = "api.example.com";
	assert_string_equal(run1(f, &ev), "");
	ev.dns.name = "kubernetes.default.svc.cluster.local";
	assert_string_equal(run1(f, &ev), "");
	ev.dns.name = "pool.miner.example";
	assert_string_equal(run1(f, &ev), "R0005");
}

static void test_call_rules(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev;

	ev = base_event(VIGIL_EV_PTRACE);
	ev.call.arg0 = 16;
	ev.call.arg1 = 1;
	assert_string_equal(run1(f, &ev), "R1015");

	ev = base_event(VIGIL_EV_UNSHARE);
	ev.call.arg0 = 0x10000000;
	assert_string_equal(run1(f, &ev), "R1006");
	set_proc("runc:[1:CHILD]", "/usr/bin/runc", (const char *[]){ "runc" }, 1);
	ev = base_event(VIGIL_EV_UNSHARE);
	assert_string_equal(run1(f, &ev), "");

	set_proc("loader", "/usr/bin/loader", (const char *[]){ "loader" }, 1);
	ev = base_event(VIGIL_EV_BPF);
	ev.call.arg0 = 0; /* BPF_MAP_CREATE */
	assert_string_equal(run1(f, &ev), "");
	ev.call.arg0 = 5; /* BPF_PROG_LOAD */
	assert_string_equal(run1(f, &ev), "R0009");

	ev = base_event(VIGIL_EV_MODULE);
	ev.call.str = "rootkit";
	assert_string_equal(run1(f, &ev), "R1002");

	ev = base_event(VIGIL_EV_SYMLINK);
	ev.link.path = "/tmp/s";
	ev.link.target = "/etc/shadow";
	assert_string_equal(run1(f, &ev), "R1010");
	ev.link.target = "/etc/hostname";
	assert_string_equal(run1(f, &ev), "");
	ev = base_event(VIGIL_EV_LINK);
	ev.link.path = "/tmp/h";
	ev.link.target = "/etc/sudoers";
	assert_string_equal(run1(f, &ev), "R1012");

	/* V1001: a raw or packet socket, allowed by the executable's path, never by its name */
	set_proc("ping", "/usr/bin/ping", (const char *[]){ "ping" }, 1);
	ev = base_event(VIGIL_EV_SOCKET);
	ev.call.arg0 = 2; /* AF_INET, SOCK_RAW, ICMP */
	ev.call.arg1 = 3;
	ev.call.arg2 = 1;
	assert_string_equal(run1(f, &ev), "");
	set_proc("ping", "/tmp/ping", (const char *[]){ "ping" }, 1);
	assert_string_equal(run1(f, &ev), "V1001");
	ev = base_event(VIGIL_EV_SOCKET);
	ev.call.arg0 = 17; /* AF_PACKET */
	ev.call.arg1 = 3;
	ev.call.arg2 = 768;
	assert_string_equal(run1(f, &ev), "V1001");
}

static void test_unbound_and_policies(void **state)
{
	struct fixture *f = *state;
	struct vigil_workload other = wl;
	struct vigil_event ev = base_event(VIGIL_EV_MODULE);
	static const char yaml[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata: {name: dbg}\n"
				   "spec:\n"
				   "  rulePolicies:\n"
				   "    R1015: {containerAllowed: true}\n"
				   "    R1030: {containerAllowed: true}\n"
				   "    R1010: {processAllowed: [ln]}\n";
	struct vigil_profile *p = NULL;

	other.cgroup_id = CG + 1;
	ev.workload = &other;
	assert_string_equal(run1(f, &ev), "");

	/* containerAllowed exempts the whole workload from that rule only, and only for the rules
	 * that take policies (R1010, R1011, R1012, R1030): R1015 ignores it, as in Kubescape */
	assert_int_equal(
		vigil_profile__load_buffer(yaml, sizeof(yaml) - 1, "dbg.yaml", NULL, &p, NULL), 0);
	assert_int_equal(vigil_detector__bind(f->d, CG + 1, p, NULL, NULL), 0);
	vigil_profile__free(p);
	ev = base_event(VIGIL_EV_PTRACE);
	ev.workload = &other;
	assert_string_equal(run1(f, &ev), "R1015");
	ev = base_event(VIGIL_EV_IOURING_OP);
	ev.workload = &other;
	ev.iouring.opname = "OPENAT";
	assert_string_equal(run1(f, &ev), "");
	/* processAllowed: the named executable only */
	ev = base_event(VIGIL_EV_SYMLINK);
	ev.workload = &other;
	ev.link.path = "/tmp/s";
	ev.link.target = "/etc/shadow";
	set_proc("ln", "/bin/ln", (const char *[]){ "ln" }, 1);
	assert_string_equal(run1(f, &ev), "");
	/* not a process that only calls itself ln (prctl, /proc/self/comm) */
	set_proc("ln", "/usr/bin/demo", (const char *[]){ "ln" }, 1);
	ev.link.path = "/tmp/s1";
	assert_string_equal(run1(f, &ev), "R1010");
	set_proc("sh", "/bin/sh", (const char *[]){ "sh" }, 1);
	ev.link.path = "/tmp/s2";
	assert_string_equal(run1(f, &ev), "R1010");
	ev = base_event(VIGIL_EV_MODULE);
	ev.workload = &other;
	assert_string_equal(run1(f, &ev), "R1002");
	assert_int_equal(vigil_detector__unbind(f->d, CG + 1), 0);
	assert_int_equal(vigil_detector__unbind(f->d, CG + 1), -ENOENT);
	ev = base_event(VIGIL_EV_MODULE);
	ev.workload = &other;
	assert_string_equal(run1(f, &ev), "");
}

/* R1010/R1012 as Kubescape's (`!ap.was_path_opened(oldPath)`): a sensitive target the profile
 * itself opens, with any flags and however the link spells it, raises nothing; one it does not
 * open still does. */
static void test_link_target_opened(void **state)
{
	struct fixture *f = *state;
	struct vigil_workload other = wl;
	struct vigil_event ev;
	static const char yaml[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata: {name: login}\n"
				   "spec:\n"
				   "  opens:\n"
				   "  - {path: /etc/shadow, flags: [O_RDONLY]}\n"
				   "  - {path: /etc/sudoers.d/\xe2\x8b\xaf, flags: [O_RDONLY]}\n";
	struct vigil_profile *p = NULL;

	assert_int_equal(
		vigil_profile__load_buffer(yaml, sizeof(yaml) - 1, "login.yaml", NULL, &p, NULL),
		0);
	other.cgroup_id = CG + 2;
	assert_int_equal(vigil_detector__bind(f->d, CG + 2, p, NULL, NULL), 0);
	vigil_profile__free(p);
	set_proc("ln", "/bin/ln", (const char *[]){ "ln" }, 1);

	ev = base_event(VIGIL_EV_SYMLINK);
	ev.workload = &other;
	ev.link.path = "/tmp/s";
	ev.link.target = "/etc/shadow";
	assert_string_equal(run1(f, &ev), "");
	ev.link.target = "../etc/./shadow"; /* relative to /tmp */
	assert_string_equal(run1(f, &ev), "");
	ev.link.target = "/etc/shadow-"; /* the backup is not opened */
	assert_string_equal(run1(f, &ev), "R1010");

	ev = base_event(VIGIL_EV_LINK);
	ev.workload = &other;
	ev.link.path = "/tmp/h";
	ev.link.target = "/etc/sudoers.d/ops";
	assert_string_equal(run1(f, &ev), "");
	ev.link.target = "/etc/sudoers";
	assert_string_equal(run1(f, &ev), "R1012");

	/* the demo profile opens neither: both rules as before */
	ev = base_event(VIGIL_EV_LINK);
	ev.link.path = "/tmp/h2";
	ev.link.target = "/etc/shadow";
	assert_string_equal(run1(f, &ev), "R1012");
	assert_int_equal(vigil_detector__unbind(f->d, CG + 2), 0);
}

/* Binds a profile with one open entry to workload CG + 3 and returns the rule an open of path
 * raises there ("" for none). */
static const char *token_open(struct fixture *f, const char *entry, const char *path)
{
	struct vigil_workload other = wl;
	struct vigil_event ev = base_event(VIGIL_EV_OPEN);
	char yaml[512];
	struct vigil_profile *p = NULL;
	static char ret[16];
	int n = snprintf(yaml, sizeof(yaml),
			 "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
			 "kind: ContainerProfile\n"
			 "metadata: {name: tok}\n"
			 "spec:\n"
			 "  opens:\n"
			 "  - {path: '%s', flags: [O_RDONLY]}\n",
			 entry);

	assert_int_equal(vigil_profile__load_buffer(yaml, (size_t)n, "tok.yaml", NULL, &p, NULL),
			 0);
	other.cgroup_id = CG + 3;
	assert_int_equal(vigil_detector__bind(f->d, CG + 3, p, NULL, NULL), 0);
	vigil_profile__free(p);
	set_proc("app", "/usr/bin/app", (const char *[]){ "app" }, 1);
	ev.workload = &other;
	ev.open.path = path;
	ev.open.flags = O_RDONLY;
	ev.open.ret = 3;
	snprintf(ret, sizeof(ret), "%s", run1(f, &ev));
	assert_int_equal(vigil_detector__unbind(f->d, CG + 3), 0);
	return ret;
}

/*
 * R0006 as Kubescape reads a profile (`!ap.was_path_opened_with_suffix(id, '/token')`): an
 * entry naming a token under any of its names allows every token open, whatever name the
 * kernel reports (the timestamped directory changes at every rotation). Kubescape learns
 * ".../serviceaccount/⋯/token" (node-agent's dynamic path) or, in its tests, the kubelet's
 * symlink ".../serviceaccount/token".
 */
static void test_token_kubescape(void **state)
{
	struct fixture *f = *state;
	static const char now[] =
		"/run/secrets/kubernetes.io/serviceaccount/..2026_12_06_21_40_05.3676909075/token";

	assert_string_equal(
		token_open(f, "/var/run/secrets/kubernetes.io/serviceaccount/token", now), "");
	assert_string_equal(
		token_open(f, "/run/secrets/kubernetes.io/serviceaccount/\xe2\x8b\xaf/token", now),
		"");
	assert_string_equal(token_open(f,
				       "/run/secrets/kubernetes.io/serviceaccount/"
				       "..2024_11_21_04_30_58.850095521/token",
				       now),
			    "");
	assert_string_equal(token_open(f, "/run/secrets/eks.amazonaws.com/serviceaccount/token",
				       "/var/run/secrets/kubernetes.io/serviceaccount/token"),
			    "");
	/* no token entry: the token's other files, or another directory's "token" */
	assert_string_equal(
		token_open(f, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", now),
		"R0006");
	assert_string_equal(token_open(f, "/app/token", now), "R0006");
	assert_string_equal(token_open(f, "/etc/hostname", now), "R0006");
}

static void test_cooldown(void **state)
{
	struct fixture *f = *state;
	struct vigil_detect_stats st;
	struct vigil_event ev = base_event(VIGIL_EV_CAPABILITY);
	json_t *a;

	ev.cap.name = "CAP_SYS_ADMIN";
	assert_string_equal(run1(f, &ev), "R0004");
	ev.time_ns += 1000;
	assert_string_equal(run1(f, &ev), "");
	ev.time_ns += 1000;
	assert_string_equal(run1(f, &ev), "");
	/* another key is another alert */
	ev.cap.name = "CAP_SYS_PTRACE";
	assert_string_equal(run1(f, &ev), "R0004");
	vigil_detector__stats(f->d, &st);
	assert_int_equal(st.suppressed, 2);
	assert_int_equal(st.alerts, 2);
	/* after the window the repeat is sent again and says how many were counted */
	ev.cap.name = "CAP_SYS_ADMIN";
	ev.time_ns += VIGIL_DETECT_DEFAULT_COOLDOWN_NS;
	assert_string_equal(run1(f, &ev), "R0004");
	a = json_array_get(f->alerts, json_array_size(f->alerts) - 1);
	assert_int_equal(json_integer_value(json_object_get(a, "repeats")), 2);
}

/* A repeat is the same deed by the same actor: another uid, or another program starting it,
 * is news (an escalation never hides behind an earlier unprivileged alert). */
static void test_cooldown_identity(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev = base_event(VIGIL_EV_EXEC);
	const char *argv[] = { "id" };

	set_proc("id", "/usr/bin/id", argv, 1);
	ev.exec.path = "/usr/bin/id";
	ev.exec.parent_exe = "/usr/bin/dash";
	proc.uid = 65534;
	assert_string_equal(run1(f, &ev), "R0001");
	ev.time_ns += 1000;
	assert_string_equal(run1(f, &ev), ""); /* the same worker again: a repeat */
	proc.uid = 0;
	assert_string_equal(run1(f, &ev), "R0001"); /* root: not a repeat */
	assert_string_equal(run1(f, &ev), "");
	ev.exec.parent_exe = "/usr/sbin/nginx"; /* started by another program */
	assert_string_equal(run1(f, &ev), "R0001");
	/* other events: the actor is the process's own executable */
	ev = base_event(VIGIL_EV_CAPABILITY);
	ev.cap.name = "CAP_SYS_ADMIN";
	assert_string_equal(run1(f, &ev), "R0004");
	assert_string_equal(run1(f, &ev), "");
	proc.exe = "/usr/bin/dash";
	assert_string_equal(run1(f, &ev), "R0004");
}

static const char *exec_from(struct fixture *f, const char *parent, const char *path,
			     const char *const *argv, uint32_t argc)
{
	struct vigil_event ev = base_event(VIGIL_EV_EXEC);

	set_proc(argv[0], path, argv, argc);
	ev.exec.path = path;
	ev.exec.parent_exe = parent;
	return run1(f, &ev);
}

/* V1100: a program that is not a shell starts a shell or interpreter the profile does not
 * allow; a shell starting one is the chain that follows (R0001). */
static void test_shell_from_server(void **state)
{
	struct fixture *f = *state;
	json_t *a;

	assert_string_equal(exec_from(f, "/usr/sbin/nginx", "/usr/bin/python3.11",
				      (const char *[]){ "python3", "-c", "x" }, 3),
			    "V1100");
	a = json_array_get(f->alerts, json_array_size(f->alerts) - 1);
	assert_int_equal(json_integer_value(json_object_get(a, "severity")), 8);
	assert_non_null(strstr(json_string_value(json_object_get(a, "message")),
			       "/usr/sbin/nginx started /usr/bin/python3.11"));
	assert_string_equal(exec_from(f, "/usr/bin/dash", "/usr/bin/perl",
				      (const char *[]){ "perl", "-e", "x" }, 3),
			    "R0001");
	/* allowed with these arguments: nothing; other arguments: V1100, not R0040 */
	assert_string_equal(
		exec_from(f, "/usr/sbin/nginx", "/bin/sh", (const char *[]){ "sh", "-c", "x" }, 3),
		"");
	assert_string_equal(
		exec_from(f, "/usr/sbin/nginx", "/bin/sh", (const char *[]){ "sh", "-i" }, 2),
		"V1100");
	/* busybox is what argv[0] names */
	assert_string_equal(
		exec_from(f, "/usr/sbin/nginx", "/bin/busybox", (const char *[]){ "cat", "/x" }, 2),
		"R0001");
	assert_string_equal(
		exec_from(f, "/usr/sbin/nginx", "/bin/busybox", (const char *[]){ "sh" }, 1),
		"V1100");
	/* a copy named as busybox names itself (any name beginning with busybox, toybox's
	 * likewise) runs the applet argv[1] names (redteam2) */
	assert_string_equal(exec_from(f, "/usr/sbin/nginx", "/tmp/busyboxd",
				      (const char *[]){ "/tmp/busyboxd", "sh", "-c", "id" }, 4),
			    "V1100");
	assert_string_equal(exec_from(f, "/usr/sbin/nginx", "/tmp/toybox-x86_64",
				      (const char *[]){ "toybox-x86_64", "sh" }, 2),
			    "V1100");
	assert_string_equal(exec_from(f, "/usr/sbin/nginx", "/tmp/busyboxd",
				      (const char *[]){ "busyboxd", "true" }, 2),
			    "R0001");
	/* not an interpreter: a name that only starts like one */
	assert_string_equal(
		exec_from(f, "/usr/sbin/nginx", "/usr/bin/phpize", (const char *[]){ "phpize" }, 1),
		"R0001");
}

static void test_no_cooldown(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev = base_event(VIGIL_EV_CAPABILITY);

	ev.cap.name = "CAP_SYS_ADMIN";
	assert_string_equal(run1(f, &ev), "R0004");
	assert_string_equal(run1(f, &ev), "R0004");
}

static int setup_no_cooldown(void **state)
{
	struct vigil_detect_opts o = { .no_cooldown = true, .enabled = all_rules };

	return setup_opts(state, &o);
}

static int setup_disabled(void **state)
{
	static const char *const off[] = { "R0002", "R0011", NULL };
	struct vigil_detect_opts o = { .enabled = all_rules, .disabled = off };

	return setup_opts(state, &o);
}

static void test_disabled(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(open_ev(f, "demo", "/etc/passwd", O_RDONLY, 3), "");
	assert_string_equal(connect_ev(f, "127.0.0.2", 8080, IPPROTO_TCP), "");
	assert_string_equal(open_ev(f, "demo", "/etc/shadow", O_RDONLY, 3), "R0010");
}

/* Defaults as Kubescape ships them: R0002 and R0011 off; `enabled` turns one on. */
/* R1008: a mining pool's domain, listed in the profile or not; other names are R0005's. */
static void test_r1008(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev = base_event(VIGIL_EV_DNS);

	ev.dns.name = "pool.supportxmr.com.";
	assert_string_equal(run1(f, &ev), "R1008");
	ev.dns.name = "xmr-eu1.nanopool.org";
	assert_string_equal(run1(f, &ev), "R1008");
	ev.dns.name = "nanopool.org.example.net";
	assert_string_equal(run1(f, &ev), "R0005");
	ev.dns.name = "api.example.com";
	assert_string_equal(run1(f, &ev), "");
}

static const char *exec_hook(struct fixture *f, const char *comm, const char *path,
			     const char *hook)
{
	struct vigil_event ev = base_event(VIGIL_EV_EXEC);

	/* the arguments the demo profile allows /usr/bin/demo */
	set_proc(comm, path, (const char *[]){ comm, "--port", "8080" }, 3);
	ev.exec.path = path;
	ev.exec.ld_hook = hook;
	return run1(f, &ev);
}

/* R1011: an exec with a dynamic-linker hook, a write of /etc/ld.so.preload; rulePolicies. */
/* R2000: an exec that entered the running container from outside (the kernel's fact, the tool
 * named by the sensor), raised beside what the exec itself raises (as Kubescape's webhook
 * alert comes beside its node rules); the container's own execs never raise it. Returns the
 * rule ids raised, in order, joined by spaces. */
static const char *exec_entered(struct fixture *f, const char *path, const char *const *argv,
				uint32_t argc, const char *by, bool entered)
{
	static char ids[64];
	struct vigil_event ev = base_event(VIGIL_EV_EXEC);
	size_t before = json_array_size(f->alerts);
	int n;

	set_proc(strrchr(path, '/') + 1, path, argv, argc);
	ev.exec.path = path;
	ev.exec.entered = entered;
	ev.exec.entered_by = by;
	ev.exec.parent_exe = "/usr/bin/runc";
	n = vigil_detector__event(f->d, &ev, collect, f);
	assert_int_equal((size_t)n, json_array_size(f->alerts) - before);
	ids[0] = '\0';
	for (size_t i = before; i < json_array_size(f->alerts); i++)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", ids[0] ? " " : "",
			 json_string_value(
				 json_object_get(json_array_get(f->alerts, i), "rule_id")));
	return ids;
}

static const char *last_message(struct fixture *f)
{
	json_t *a = json_array_get(f->alerts, json_array_size(f->alerts) - 1);

	return json_string_value(json_object_get(a, "message"));
}

static void test_r2000(void **state)
{
	struct fixture *f = *state;

	/* a program the profile does not know: R0001 for it, R2000 for the entry (the tool
	 * and the command named) */
	assert_string_equal(
		exec_entered(f, "/usr/bin/id", (const char *[]){ "id", "-u" }, 2, "conmon", true),
		"R0001 R2000");
	assert_non_null(strstr(last_message(f), "by conmon"));
	assert_non_null(strstr(last_message(f), "/usr/bin/id: id -u"));
	/* the container's own exec of it: R0001 alone (another key: not a repeat) */
	assert_string_equal(
		exec_entered(f, "/usr/bin/who", (const char *[]){ "who" }, 1, NULL, false),
		"R0001");
	/* a shell entered from outside: R2000 and R0040 (other arguments), never V1100 (its
	 * parent is the runtime, not a server) */
	assert_string_equal(exec_entered(f, "/bin/sh", (const char *[]){ "sh" }, 1, NULL, true),
			    "R0040 R2000");
	assert_non_null(strstr(last_message(f), "an unknown program"));
	/* the profile's own program with other arguments */
	assert_string_equal(exec_entered(f, "/usr/bin/demo", (const char *[]){ "demo", "--x" }, 2,
					 "containerd-shim", true),
			    "R0040 R2000");
	/* exactly as learned (an exec probe): nothing at all */
	assert_string_equal(exec_entered(f, "/usr/bin/demo",
					 (const char *[]){ "demo", "--port", "8080" }, 3,
					 "containerd-shim", true),
			    "");
	/* a learned pattern is not enough: the profile's `sh -c ⋯` does not cover an entered
	 * `sh -c ...` (the shell itself is allowed: R2000 alone) */
	assert_string_equal(exec_entered(f, "/bin/sh", (const char *[]){ "sh", "-c", "curl x|sh" },
					 3, "conmon", true),
			    "R2000");
	/* the same command entered again within the cooldown: counted, not raised again */
	assert_string_equal(
		exec_entered(f, "/usr/bin/id", (const char *[]){ "id", "-u" }, 2, "conmon", true),
		"");
}

/* R2001: a connection into the workload's network namespace from outside it (a port forward):
 * whatever the profile says, naming the outsider, the address
 * and the port; the same program to the same place again is a repeat, another port is news. */
static int netns_connect(struct fixture *f, const char *comm, const char *addr, uint16_t port)
{
	struct vigil_event ev = base_event(VIGIL_EV_NETNS_CONNECT);

	set_proc(comm, "/usr/bin/containerd", (const char *[]){ comm }, 1);
	ev.net.proto = 6;
	ev.net.direction = VIGIL_DIR_OUTBOUND;
	ev.net.remote.family = AF_INET;
	ev.net.remote.port = port;
	assert_int_equal(inet_pton(AF_INET, addr, ev.net.remote.addr), 1);
	return vigil_detector__event(f->d, &ev, collect, f);
}

static void test_r2001(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(netns_connect(f, "containerd", "127.0.0.1", 8080), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(f->alerts, json_array_size(f->alerts) - 1), "rule_id")),
		"R2001");
	assert_non_null(strstr(last_message(f), "by containerd"));
	assert_non_null(strstr(last_message(f), "127.0.0.1 port 8080"));
	assert_int_equal(netns_connect(f, "containerd", "127.0.0.1", 8080), 0);
	assert_int_equal(netns_connect(f, "containerd", "127.0.0.1", 5432), 1);
	assert_int_equal(netns_connect(f, "nsenter", "127.0.0.1", 8080), 1);
}

static const char *last_rule(struct fixture *f)
{
	return json_string_value(json_object_get(
		json_array_get(f->alerts, json_array_size(f->alerts) - 1), "rule_id"));
}

/* V1105: a setns that left the process in one of the host's namespaces; joining its own, or a
 * namespace that is not the host's, is quiet whatever the types it changed. */
static void test_v1105(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev = base_event(VIGIL_EV_SETNS);

	set_proc("nsenter", "/usr/bin/nsenter", (const char *[]){ "nsenter", "-t", "1", "-m" }, 4);
	ev.call.arg1 = 0;
	assert_int_equal(vigil_detector__event(f->d, &ev, collect, f), 0); /* its own */
	ev.call.ns_joined = 0x00020000;
	ev.call.ns_ino = 4026532100u;
	assert_int_equal(vigil_detector__event(f->d, &ev, collect, f), 0); /* not the host's */
	ev.call.ns_joined = 0x00020000 | 0x20000000;
	ev.call.ns_host = 0x00020000 | 0x20000000;
	ev.call.ns_ino = 4026531841u;
	assert_int_equal(vigil_detector__event(f->d, &ev, collect, f), 1);
	assert_string_equal(last_rule(f), "V1105");
	assert_non_null(strstr(last_message(f), "joined the host's namespaces (mnt,pid; inode "
						"4026531841)"));
}

/* V1105 too: a setns into another workload's network namespace (not the host's). */
static void test_v1105_other(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev = base_event(VIGIL_EV_SETNS);

	set_proc("nsenter", "/usr/bin/nsenter", (const char *[]){ "nsenter", "-t", "77", "-n" }, 4);
	ev.call.ns_joined = 0x40000000;
	ev.call.ns_ino = 4026532200u;
	assert_int_equal(vigil_detector__event(f->d, &ev, collect, f),
			 0); /* a namespace nobody's */
	ev.call.ns_other = 0x40000000;
	assert_int_equal(vigil_detector__event(f->d, &ev, collect, f), 1);
	assert_string_equal(last_rule(f), "V1105");
	assert_non_null(strstr(last_message(f), "joined another workload's namespaces (net; inode "
						"4026532200)"));
}

/* V1106: the setuid or setgid bit on a regular file (or one whose type is not known), in any
 * call; a setgid directory and a mode the kernel did not keep are quiet. */
static int setid(struct fixture *f, const char *call, uint32_t mode, uint32_t file_mode,
		 uint32_t type)
{
	struct vigil_event ev = base_event(VIGIL_EV_SETID);

	set_proc("chmod", "/usr/bin/chmod", (const char *[]){ "chmod" }, 1);
	ev.attr.path = "/tmp/x";
	ev.attr.call = call;
	ev.attr.mode = mode;
	ev.attr.file_mode = file_mode;
	ev.attr.file_type = type;
	return vigil_detector__event(f->d, &ev, collect, f);
}

static void test_v1106(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(setid(f, "fchmodat", 02775, 0, 0040000), 0);	  /* a shared directory */
	assert_int_equal(setid(f, "openat", 04755, 0100755, 0100000), 0); /* existed: kept 0755 */
	assert_int_equal(setid(f, "fchmodat", 04755, 0, 0100000), 1);
	assert_string_equal(last_rule(f), "V1106");
	assert_non_null(strstr(last_message(f), "setuid bit set on /tmp/x (mode 4755) by chmod "
						"with fchmodat"));
	/* the same file again: a repeat within the cooldown */
	assert_int_equal(setid(f, "fchmod", 04755, 0104755, 0100000), 0);
	assert_int_equal(setid(f, "mknodat", 02755, 0, 0100000), 0); /* same key: cooldown */
}

/* V1107: history truncated, removed, replaced by a link, renamed; history off in an exec's
 * environment. Appending, and a rewrite through NAME-PID.tmp, are quiet. */
static int history(struct fixture *f, enum vigil_event_kind kind, const char *path,
		   const char *other, uint32_t flags)
{
	struct vigil_event ev = base_event(kind);

	set_proc("sh", "/bin/sh", (const char *[]){ "sh" }, 1);
	if (kind == VIGIL_EV_OPEN) {
		ev.open.path = path;
		ev.open.flags = flags;
	} else if (kind == VIGIL_EV_ERASE) {
		ev.attr.path = path;
		ev.attr.call = other;
	} else {
		ev.link.path = path;
		ev.link.target = other;
	}
	return vigil_detector__event(f->d, &ev, collect, f);
}

static size_t count_rule(struct fixture *f, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(f->alerts); i++)
		n += !strcmp(
			json_string_value(json_object_get(json_array_get(f->alerts, i), "rule_id")),
			id);
	return n;
}

static void test_v1107(void **state)
{
	struct fixture *f = *state;
	struct vigil_event ev;

	assert_true(vigil_path_history("/root/.bash_history"));
	assert_true(vigil_path_history("/home/u/.history"));
	assert_false(vigil_path_history("/srv/history"));
	assert_false(vigil_path_history("/root/.bash_history-1.tmp"));
	/* a shell appending, and bash's rewrite through a temporary file: no V1107 (the append
	 * is a write the fixture's profile does not list: V1102's, not this rule's) */
	history(f, VIGIL_EV_OPEN, "/root/.bash_history", NULL, 02101);
	assert_int_equal(count_rule(f, "V1107"), 0);
	assert_int_equal(
		history(f, VIGIL_EV_RENAME, "/root/.bash_history", "/root/.bash_history-42.tmp", 0),
		0);
	assert_int_equal(history(f, VIGIL_EV_OPEN, "/root/.bash_history", NULL, 01101), 1);
	assert_string_equal(last_rule(f), "V1107");
	/* overwritten in place (write access, no O_APPEND, no O_TRUNC: dd conv=notrunc) */
	assert_int_equal(history(f, VIGIL_EV_OPEN, "/root/.sh_history", NULL, 0101), 1);
	assert_string_equal(last_rule(f), "V1107");
	assert_non_null(strstr(last_message(f), "overwritten in place"));
	/* a new history made with O_EXCL, and a read: nothing to clear */
	assert_int_equal(history(f, VIGIL_EV_OPEN, "/root/.lesshst_history", NULL, 0301), 0);
	assert_int_equal(history(f, VIGIL_EV_OPEN, "/root/.mysql_history", NULL, 0), 0);
	assert_int_equal(history(f, VIGIL_EV_ERASE, "/root/.zsh_history", "unlinkat", 0), 1);
	assert_int_equal(history(f, VIGIL_EV_SYMLINK, "/root/.ash_history", "/dev/null", 0), 1);
	assert_non_null(strstr(last_message(f), "replaced by a symbolic link to /dev/null"));
	assert_int_equal(history(f, VIGIL_EV_RENAME, "/tmp/gone", "/root/.python_history", 0), 1);
	assert_non_null(strstr(last_message(f), "renamed away"));
	/* V1110: login records and system logs truncated or removed, attempts included;
	 * appended to (login, a syslog daemon), or an application's own file: nothing */
	assert_int_equal(history(f, VIGIL_EV_ERASE, "/var/log/wtmp", "truncate", 0), 1);
	assert_string_equal(last_rule(f), "V1110");
	assert_non_null(strstr(last_message(f), "system log truncated by truncate: /var/log/wtmp"));
	assert_int_equal(history(f, VIGIL_EV_OPEN, "/var/log/btmp", NULL, 01001), 1);
	assert_string_equal(last_rule(f), "V1110");
	assert_int_equal(history(f, VIGIL_EV_ERASE, "/var/log/audit/audit.log", "unlinkat", 0), 1);
	assert_string_equal(last_rule(f), "V1110");
	assert_int_equal(count_rule(f, "V1110"), 3);
	history(f, VIGIL_EV_OPEN, "/var/log/auth.log", NULL, 02101);
	history(f, VIGIL_EV_OPEN, "/var/log/lastlog", NULL, 02);
	history(f, VIGIL_EV_ERASE, "/srv/app/messages", "unlink", 0);
	assert_int_equal(count_rule(f, "V1110"), 3);
	/* a name ending in history that is not a dotfile: not a history */
	assert_int_equal(history(f, VIGIL_EV_ERASE, "/srv/app/history", "unlink", 0), 0);

	ev = base_event(VIGIL_EV_EXEC);
	set_proc("sleep", "/bin/sleep", (const char *[]){ "sleep", "1" }, 2);
	ev.exec.path = "/bin/sleep";
	ev.exec.history_off = "HISTFILE=/dev/null";
	assert_true(vigil_detector__event(f->d, &ev, collect, f) >= 1);
	assert_string_equal(last_rule(f), "V1107");
}

/* A persistence path made by a name (rename into place, hard link, symlink), not by a write:
 * V1101 as the write would be, R1011 for /etc/ld.so.preload; attempts count (redteam2). */
static int name_op(struct fixture *f, enum vigil_event_kind kind, const char *path,
		   const char *target, int32_t ret)
{
	struct vigil_event ev = base_event(kind);

	set_proc("mv", "/usr/bin/mv", (const char *[]){ "mv" }, 1);
	ev.link.path = path;
	ev.link.target = target;
	ev.link.ret = ret;
	return vigil_detector__event(f->d, &ev, collect, f);
}

static void test_persist_by_name(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(name_op(f, VIGIL_EV_RENAME, "/etc/cron.d/x", "/tmp/x", -EACCES), 1);
	assert_string_equal(last_rule(f), "V1101");
	assert_non_null(strstr(last_message(f), "renamed into place"));
	assert_non_null(strstr(last_message(f), "(denied)"));
	assert_int_equal(name_op(f, VIGIL_EV_SYMLINK,
				 "/etc/systemd/system/multi-user.target.wants/x.service",
				 "/tmp/x.service", 0),
			 1);
	assert_string_equal(last_rule(f), "V1101");
	assert_int_equal(name_op(f, VIGIL_EV_LINK, "/root/.ssh/authorized_keys2", "/tmp/k", 0), 1);
	assert_string_equal(last_rule(f), "V1101");
	assert_int_equal(name_op(f, VIGIL_EV_RENAME, "/etc/ld.so.preload", "/tmp/p", 0), 1);
	assert_string_equal(last_rule(f), "R1011");
	/* names elsewhere: nothing; a sensitive file renamed stays R0010 */
	assert_int_equal(name_op(f, VIGIL_EV_RENAME, "/srv/app/conf", "/srv/app/conf.tmp", 0), 0);
	assert_int_equal(name_op(f, VIGIL_EV_SYMLINK, "/srv/app/current", "/srv/app/v2", 0), 0);
	assert_int_equal(name_op(f, VIGIL_EV_RENAME, "/tmp/s", "/etc/shadow", 0), 1);
	assert_string_equal(last_rule(f), "R0010");
}

static void test_r1011(void **state)
{
	struct fixture *f = *state;
	static const char yaml[] = "apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1\n"
				   "kind: ContainerProfile\n"
				   "metadata: {name: hooks}\n"
				   "spec:\n"
				   "  execs: [{path: /usr/bin/demo}, {path: /usr/bin/java}]\n"
				   "  rulePolicies:\n"
				   "    R1011: {processAllowed: [demo]}\n";
	struct vigil_workload other = wl;
	struct vigil_profile *p = NULL;
	struct vigil_event ev;

	/* a known program with LD_PRELOAD set: R1011, not silence */
	assert_string_equal(exec_hook(f, "demo", "/usr/bin/demo", "LD_PRELOAD"), "R1011");
	assert_string_equal(exec_hook(f, "demo", "/usr/bin/demo", ""), "");
	assert_string_equal(exec_hook(f, "demo", "/usr/bin/demo", NULL), "");
	/* an unknown one: R1011 wins over R0001 (one alert) */
	assert_string_equal(exec_hook(f, "curl", "/usr/bin/curl", "LD_AUDIT"), "R1011");
	/* JVMs set LD_LIBRARY_PATH themselves: not R1011 (R0001 for the unknown path) */
	assert_string_equal(exec_hook(f, "java", "/usr/bin/java", "LD_LIBRARY_PATH"), "R0001");
	/* writes of /etc/ld.so.preload, denied ones too; reads are what ld.so does */
	assert_string_equal(open_ev(f, "sh", "/etc/ld.so.preload", O_WRONLY | O_APPEND, -EACCES),
			    "R1011");
	/* the same file by the same program again within the cooldown: a repeat, counted */
	assert_string_equal(open_ev(f, "sh", "/etc/ld.so.preload", O_WRONLY | O_CREAT, 3), "");
	/* by another program: news */
	assert_string_equal(open_ev(f, "demo", "/etc/ld.so.preload", O_WRONLY | O_CREAT, 3),
			    "R1011");
	assert_string_equal(open_ev(f, "demo", "/etc/ld.so.preload", O_RDONLY | O_CLOEXEC, -ENOENT),
			    "");

	/* rulePolicies: R1011 takes them (Kubescape's supportPolicy) */
	other.cgroup_id = CG + 2;
	assert_int_equal(
		vigil_profile__load_buffer(yaml, sizeof(yaml) - 1, "hooks.yaml", NULL, &p, NULL),
		0);
	assert_int_equal(vigil_detector__bind(f->d, CG + 2, p, NULL, NULL), 0);
	vigil_profile__free(p);
	set_proc("demo", "/usr/bin/demo", (const char *[]){ "demo" }, 1);
	ev = base_event(VIGIL_EV_EXEC);
	ev.workload = &other;
	ev.exec.path = "/usr/bin/demo";
	ev.exec.ld_hook = "LD_PRELOAD";
	assert_string_equal(run1(f, &ev), "");
}

/* R1011 is off by default: the exec is judged by the other rules. */
static void test_r1011_off(void **state)
{
	struct fixture *f;

	(void)state;
	setup_opts((void **)&f, NULL);
	assert_string_equal(exec_hook(f, "demo", "/usr/bin/demo", "LD_PRELOAD"), "");
	assert_string_equal(exec_hook(f, "curl", "/usr/bin/curl", "LD_PRELOAD"), "R0001");
	/* the write is still a file written where the profile never writes */
	assert_string_equal(open_ev(f, "demo", "/etc/ld.so.preload", O_WRONLY | O_CREAT, 3),
			    "V1102");
	teardown((void **)&f);
}

/* R1003 (off by default): an SSH client to an address and port the profile does not know,
 * on a port SSH does not use; another program there is R0011's. */
static void test_r1003(void **state)
{
	struct fixture *f = *state;
	struct fixture *off;

	set_proc("ssh", "/usr/bin/ssh", (const char *[]){ "ssh", "-p", "2222", "10.0.0.9" }, 4);
	assert_string_equal(connect_ev(f, "10.0.0.9", 2222, IPPROTO_TCP), "R1003");
	assert_string_equal(connect_ev(f, "10.0.0.9", 22, IPPROTO_TCP), "R0011");
	assert_string_equal(connect_ev(f, "10.0.0.9", 2022, IPPROTO_TCP), "R0011");
	/* in egress: nothing */
	assert_string_equal(connect_ev(f, "127.0.0.1", 8080, IPPROTO_TCP), "");
	set_proc("curl", "/usr/bin/curl", (const char *[]){ "curl" }, 1);
	assert_string_equal(connect_ev(f, "10.0.0.9", 2223, IPPROTO_TCP), "R0011");
	/* off by default, as Kubescape ships it: the other rules judge the connection */
	setup_opts((void **)&off, NULL);
	set_proc("ssh", "/usr/bin/ssh", (const char *[]){ "ssh" }, 1);
	assert_string_equal(connect_ev(off, "192.0.2.9", 3333, IPPROTO_TCP), "R1009");
	assert_string_equal(connect_ev(off, "192.0.2.9", 2222, IPPROTO_TCP), "");
	teardown((void **)&off);
}

static const char *fake_mount_path;

static bool fake_exec_mount(const struct vigil_event *ev, char *mnt, size_t size)
{
	if (!fake_mount_path || strncmp(ev->exec.path, fake_mount_path, strlen(fake_mount_path)))
		return false;
	snprintf(mnt, size, "%s", fake_mount_path);
	return true;
}

/* R1004: a program the profile does not list, run from a volume; the stronger exec rules
 * still win, and a listed program from a volume is quiet. */
static void test_r1004(void **state)
{
	struct vigil_detect_opts o = { .enabled = all_rules, .exec_mount = fake_exec_mount };
	struct fixture *f;

	(void)state;
	setup_opts((void **)&f, &o);
	fake_mount_path = "/data";
	assert_string_equal(exec_ev(f, "/data/tool", (const char *[]){ "tool" }, 1, false, false),
			    "R1004");
	assert_string_equal(
		exec_ev(f, "/usr/bin/curl", (const char *[]){ "curl" }, 1, false, false), "R0001");
	/* a shell from a volume started by a server: V1100, the stronger one */
	assert_string_equal(
		exec_ev(f, "/data/sh", (const char *[]){ "sh", "-c", "id" }, 3, false, false),
		"V1100");
	fake_mount_path = "/usr/bin";
	assert_string_equal(exec_ev(f, "/usr/bin/demo",
				    (const char *[]){ "demo", "--port", "8080" }, 3, false, false),
			    "");
	assert_string_equal(exec_ev(f, "/usr/bin/demo", (const char *[]){ "demo", "--port", "1" },
				    3, false, false),
			    "R0040");
	fake_mount_path = NULL;
	teardown((void **)&f);
}

/* R1007: a miner starting (its arguments, its name) or writing the MSRs, listed or not. */
static void test_r1007(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(exec_ev(f, "/tmp/kworker",
				    (const char *[]){ "kworker", "-o", "stratum+tcp://pool:3333",
						      "-u", "4abc" },
				    5, false, false),
			    "R1007");
	/* listed in the profile: still R1007 */
	assert_string_equal(exec_ev(f, "/usr/bin/demo",
				    (const char *[]){ "demo", "--algo", "rx/0" }, 3, false, false),
			    "R1007");
	/* from memfd: the miner is the news */
	assert_string_equal(exec_ev(f, "/memfd:x (deleted)",
				    (const char *[]){ "x", "--coin=monero" }, 2, false, true),
			    "R1007");
	assert_string_equal(open_ev(f, "demo", "/dev/cpu/0/msr", O_WRONLY, -EACCES), "R1007");
	assert_string_equal(open_ev(f, "demo", "/dev/cpu/1/msr", O_RDWR, 3), "R1007");
	/* reading them is what monitoring tools do */
	assert_string_equal(open_ev(f, "demo", "/dev/cpu/2/msr", O_RDONLY, 3), "");
}

static void test_kubescape_defaults(void **state)
{
	static const char *const on[] = { "R0002", NULL };
	struct vigil_detect_opts o = { .enabled = on };
	struct fixture *f;

	(void)state;
	setup_opts((void **)&f, NULL);
	assert_string_equal(open_ev(f, "demo", "/etc/passwd", O_RDONLY, 3), "");
	assert_string_equal(connect_ev(f, "127.0.0.2", 8080, IPPROTO_TCP), "");
	assert_string_equal(open_ev(f, "demo", "/etc/shadow", O_RDONLY, 3), "R0010");
	assert_string_equal(connect_ev(f, "192.0.2.7", 3333, IPPROTO_TCP), "R1009");
	teardown((void **)&f);

	setup_opts((void **)&f, &o);
	assert_string_equal(open_ev(f, "demo", "/etc/passwd", O_RDONLY, 3), "R0002");
	assert_string_equal(connect_ev(f, "127.0.0.2", 8080, IPPROTO_TCP), "");
	teardown((void **)&f);

	for (size_t i = 0; i < VIGIL_RULE__MAX; i++) {
		const struct vigil_rule *r = vigil_rule((enum vigil_rule_id)i);
		bool off = !strcmp(r->id, "R0002") || !strcmp(r->id, "R0011") ||
			   !strcmp(r->id, "R1003") || !strcmp(r->id, "R1011") ||
			   !strcmp(r->id, "V1108");
		bool pol = !strcmp(r->id, "R1010") || !strcmp(r->id, "R1011") ||
			   !strcmp(r->id, "R1012") || !strcmp(r->id, "R1030") ||
			   !strcmp(r->id, "V1001");

		assert_int_equal(!!(r->flags & VIGIL_RULE_OFF), off);
		assert_int_equal(!!(r->flags & VIGIL_RULE_POLICY), pol);
	}
}

static void test_bad_disabled_id(void **state)
{
	static const char *const off[] = { "R9999", NULL };
	struct vigil_detect_opts o = { .disabled = off };

	assert_null(vigil_detector__new(&o));
	assert_int_equal(errno, EINVAL);
	o.disabled = NULL;
	o.enabled = off;
	assert_null(vigil_detector__new(&o));
	assert_int_equal(errno, EINVAL);
}

static void test_alert_record(void **state)
{
	struct fixture *f = *state;
	json_t *a, *o;
	const char *t;

	assert_string_equal(exec_ev(f, "/usr/bin/curl",
				    (const char *[]){ "curl", "-s", "http://x" }, 3, false, false),
			    "R0001");
	a = json_array_get(f->alerts, 0);
	t = json_string_value(json_object_get(a, "time"));
	assert_non_null(t);
	/* RFC 3339, UTC, nanoseconds */
	assert_int_equal(strlen(t), strlen("2025-11-22T10:00:00.000000000Z"));
	assert_int_equal(t[10], 'T');
	assert_int_equal(t[19], '.');
	assert_int_equal(t[29], 'Z');
	assert_string_equal(json_string_value(json_object_get(a, "rule_name")),
			    "Unexpected process launched");
	/* names as Kubescape's rule library spells them */
	assert_string_equal(vigil_rule(VIGIL_R0007)->name,
			    "Workload uses Kubernetes API unexpectedly");
	assert_string_equal(vigil_rule(VIGIL_R1010)->name, "Soft link created over sensitive file");
	assert_int_equal(json_integer_value(json_object_get(a, "severity")), 1);
	o = json_object_get(a, "mitre");
	assert_string_equal(json_string_value(json_object_get(o, "tactic")), "TA0002");
	assert_string_equal(json_string_value(json_object_get(o, "technique")), "T1059");
	o = json_object_get(a, "workload");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "demo");
	assert_string_equal(json_string_value(json_object_get(o, "id")), "/vigil/demo");
	assert_string_equal(json_string_value(json_object_get(o, "cgroup")), "/vigil/demo");
	assert_string_equal(json_string_value(json_object_get(o, "container_id")), "");
	o = json_object_get(a, "process");
	assert_string_equal(json_string_value(json_object_get(o, "comm")), "curl");
	assert_int_equal(json_array_size(json_object_get(o, "args")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "args"), 2)),
			    "http://x");
	o = json_object_get(a, "event");
	assert_string_equal(json_string_value(json_object_get(o, "type")), "exec");
	assert_string_equal(json_string_value(json_object_get(o, "path")), "/usr/bin/curl");
	o = json_object_get(a, "profile");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "demo");
	assert_memory_equal(json_string_value(json_object_get(o, "digest")), "sha256:", 7);
	assert_int_equal(strlen(json_string_value(json_object_get(o, "digest"))), 7 + 64);
	assert_string_equal(json_string_value(json_object_get(a, "key")), "/usr/bin/curl");
	assert_true(strstr(json_string_value(json_object_get(a, "message")), "/usr/bin/curl"));
}

static void test_raise_r1016(void **state)
{
	struct fixture *f = *state;
	json_t *a;

	assert_int_equal(vigil_detector__raise(f->d, VIGIL_R1016, &wl, "/p/demo.yaml", "tampered",
					       "profile /p/demo.yaml is tampered", NULL, collect,
					       f),
			 1);
	/* the same problem again is a repeat; a different one is news */
	assert_int_equal(vigil_detector__raise(f->d, VIGIL_R1016, &wl, "/p/demo.yaml", "tampered",
					       "again", NULL, collect, f),
			 0);
	assert_int_equal(vigil_detector__raise(f->d, VIGIL_R1016, &wl, "/p/demo.yaml", "unsigned",
					       "now unsigned", NULL, collect, f),
			 1);
	a = json_array_get(f->alerts, 0);
	assert_string_equal(json_string_value(json_object_get(a, "rule_id")), "R1016");
	assert_int_equal(json_integer_value(json_object_get(a, "severity")), 10);
	assert_true(json_is_null(json_object_get(a, "profile")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "event"), "type")),
			    "profile");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(a, "event"), "reason")),
		"tampered");
}

static const char *fake_names(int nr)
{
	static const char *const t[] = { "read", "write", "open", "close", "stat" };

	return nr >= 0 && nr < 5 ? t[nr] : NULL;
}

static void test_syscall_bitmap(void **state)
{
	struct fixture *f = *state;
	uint64_t bm[2] = { ~0ULL, ~0ULL };

	assert_int_equal(vigil_detector__syscall_bitmap(f->d, CG, fake_names, bm, 128), 0);
	/* read, write, close are in the profile; open and stat are not */
	assert_true(bm[0] == ((1ULL << 0) | (1ULL << 1) | (1ULL << 3)));
	assert_true(bm[1] == 0);
	assert_int_equal(vigil_detector__syscall_bitmap(f->d, CG + 9, fake_names, bm, 128),
			 -ENOENT);
}

static void test_catalogue(void **state)
{
	static const char *const ids[] = { "R0001", "R0002", "R0003", "R0004", "R0005", "R0006",
					   "R0007", "R0008", "R0009", "R0010", "R0011", "R0040",
					   "R1000", "R1001", "R1002", "R1003", "R1004", "R1005",
					   "R1006", "R1007", "R1008", "R1009", "R1010", "R1011",
					   "R1012", "R1015", "R1016", "R1030", "R2000", "R2001",
					   "V1001", "V1100", "V1101", "V1102", "V1103", "V1104",
					   "V1105", "V1106", "V1107", "V1108", "V1109", "V1110",
					   "V0001", "V0002", "V0003", "V0004" };
	size_t n;
	const struct vigil_rule *all = vigil_rules__all(&n);

	/* every enum value has its row, the row's id is the enum's, ids are unique */
	assert_int_equal(n, VIGIL_RULE__MAX);
	assert_int_equal(n, sizeof(ids) / sizeof(ids[0]));
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i].id);
		assert_string_equal(all[i].id, ids[i]);
		assert_int_equal(all[i].rid, i);
		assert_ptr_equal(vigil_rule((enum vigil_rule_id)i), &all[i]);
		assert_ptr_equal(vigil_rule__find(ids[i]), &all[i]);
		assert_true(all[i].name && all[i].name[0] && all[i].summary && all[i].summary[0]);
		assert_true(all[i].severity >= 1 && all[i].severity <= 10);
	}
	assert_null(vigil_rule(VIGIL_RULE__MAX));
	assert_int_equal(VIGIL_R0001, 0);
	assert_string_equal(vigil_rule(VIGIL_R1016)->id, "R1016");
	assert_int_equal(vigil_rule__find("R1016")->severity, 10);
	assert_int_equal(vigil_rule__find("R1002")->severity, 10);
	assert_string_equal(vigil_rule__find("R0005")->technique, "T1071.004");
	assert_null(vigil_rule__find("R0000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_fold, setup_no_cooldown, teardown),
		cmocka_unit_test_setup_teardown(test_open_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_kubescape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscall_cap_iouring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbound_and_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_target_opened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cooldown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cooldown_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_from_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cooldown, setup_no_cooldown, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup_disabled, teardown),
		cmocka_unit_test(test_kubescape_defaults),
		cmocka_unit_test_setup_teardown(test_r1003, setup, teardown),
		cmocka_unit_test(test_r1004),
		cmocka_unit_test_setup_teardown(test_r1007, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r1008, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r1011, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r2001, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1105, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1105_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1106, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1107, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persist_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r2000, setup, teardown),
		cmocka_unit_test(test_r1011_off),
		cmocka_unit_test(test_bad_disabled_id),
		cmocka_unit_test_setup_teardown(test_alert_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raise_r1016, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscall_bitmap, setup, teardown),
		cmocka_unit_test(test_catalogue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
