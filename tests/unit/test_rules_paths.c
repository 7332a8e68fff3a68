// SPDX-License-Identifier: Apache-2.0
/* Path classes the file rules use, memfd and /dev/shm executables, O_* flag names. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vigil/detect_paths.h"

/* R1011: the hook variable in an environment block as /proc/PID/environ holds it. */
static void test_ld_hook_env(void **state)
{
	static const char plain[] = "PATH=/bin\0HOME=/root\0LD_X=1\0";
	static const char preload[] = "PATH=/bin\0LD_PRELOAD=/tmp/x.so\0HOME=/";
	static const char audit[] = "LD_AUDIT=/a.so"; /* no final NUL */
	static const char lookalike[] = "XLD_PRELOAD=1\0LD_PRELOADX=1\0LD_PRELOAD"; /* no '=' */
	static const char libpath[] = "A=LD_PRELOAD=x\0LD_LIBRARY_PATH=/opt/lib\0";

	(void)state;
	assert_null(vigil_env_ld_hook(plain, sizeof(plain) - 1));
	assert_string_equal(vigil_env_ld_hook(preload, sizeof(preload) - 1), "LD_PRELOAD");
	assert_string_equal(vigil_env_ld_hook(audit, sizeof(audit) - 1), "LD_AUDIT");
	assert_null(vigil_env_ld_hook(lookalike, sizeof(lookalike) - 1));
	assert_string_equal(vigil_env_ld_hook(libpath, sizeof(libpath) - 1), "LD_LIBRARY_PATH");
	/* bounded by len: a variable past it is not read */
	assert_null(vigil_env_ld_hook(preload, 10));
	assert_null(vigil_env_ld_hook(NULL, 0));
	assert_null(vigil_env_ld_hook("", 0));
	assert_true(vigil_path_ld_preload("/etc/ld.so.preload"));
	assert_false(vigil_path_ld_preload("/etc/ld.so.preload.bak"));
	assert_false(vigil_path_ld_preload("/etc/ld.so.conf"));
}

/* R1008: a pool's domain or a name below it, not a look-alike. */
static void test_mining_pools(void **state)
{
	(void)state;
	assert_true(vigil_dns_mining_pool("pool.supportxmr.com"));
	assert_true(vigil_dns_mining_pool("supportxmr.com."));
	assert_true(vigil_dns_mining_pool("XMR-EU1.NanoPool.org"));
	assert_true(vigil_dns_mining_pool("gulf.moneroocean.stream"));
	assert_false(vigil_dns_mining_pool("notsupportxmr.com"));
	assert_false(vigil_dns_mining_pool("supportxmr.com.evil.example"));
	assert_false(vigil_dns_mining_pool("example.com"));
	assert_false(vigil_dns_mining_pool("com"));
	assert_false(vigil_dns_mining_pool(""));
	assert_false(vigil_dns_mining_pool(NULL));
}

static void test_classes(void **state)
{
	static const struct {
		const char *path;
		enum vigil_open_class cls;
	} cases[] = {
		{ "/var/run/secrets/kubernetes.io/serviceaccount/token", VIGIL_OPEN_TOKEN },
		{ "/run/secrets/kubernetes.io/serviceaccount/..2024/token", VIGIL_OPEN_TOKEN },
		{ "/var/run/secrets/eks.amazonaws.com/serviceaccount/token", VIGIL_OPEN_TOKEN },
		/* the token's directory is out of R0002, as in Kubescape; the eks one is not */
		{ "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", VIGIL_OPEN_OTHER },
		{ "/run/secrets/kubernetes.io/serviceaccount/namespace", VIGIL_OPEN_OTHER },
		{ "/run/secrets/kubernetes.io/serviceaccount/..2024/ca.crt", VIGIL_OPEN_OTHER },
		{ "/run/secrets/kubernetes.io/serviceaccount", VIGIL_OPEN_OTHER },
		/* Kubescape's exclusion is a bare startsWith: a longer name is out too */
		{ "/run/secrets/kubernetes.io/serviceaccounts/x", VIGIL_OPEN_OTHER },
		{ "/var/run/secrets/kubernetes.io/serviceaccount-x/y", VIGIL_OPEN_OTHER },
		{ "/var/run/secrets/kubernetes.io/serviceaccoun/y", VIGIL_OPEN_WATCHED },
		{ "/run/secrets/kubernetes.io/other/ca.crt", VIGIL_OPEN_WATCHED },
		{ "/run/secrets/eks.amazonaws.com/serviceaccount/x", VIGIL_OPEN_WATCHED },
		{ "/proc/self/environ", VIGIL_OPEN_ENVIRON },
		{ "/proc/1/environ", VIGIL_OPEN_ENVIRON },
		{ "/proc/thread-self/environ", VIGIL_OPEN_ENVIRON },
		{ "/proc/12/task/13/environ", VIGIL_OPEN_ENVIRON },
		{ "/proc/12/environment", VIGIL_OPEN_OTHER },
		{ "/proc/meminfo", VIGIL_OPEN_OTHER },
		{ "/etc/shadow", VIGIL_OPEN_SENSITIVE },
		{ "/etc/shadow-", VIGIL_OPEN_SENSITIVE },
		{ "/etc/gshadow", VIGIL_OPEN_SENSITIVE },
		{ "/etc/sudoers", VIGIL_OPEN_SENSITIVE },
		{ "/etc/sudoers.d/90-cloud", VIGIL_OPEN_SENSITIVE },
		{ "/etc/sudoers.d", VIGIL_OPEN_WATCHED },
		{ "/root/.ssh/authorized_keys", VIGIL_OPEN_SENSITIVE },
		{ "/home/ann/.ssh/id_rsa", VIGIL_OPEN_SENSITIVE },
		{ "/home/ann/.ssh/id_rsa.pub", VIGIL_OPEN_OTHER },
		{ "/etc/ssh/ssh_host_ed25519_key", VIGIL_OPEN_SENSITIVE },
		{ "/etc/ssh/ssh_host_ed25519_key.pub", VIGIL_OPEN_WATCHED },
		{ "/etc/passwd", VIGIL_OPEN_WATCHED },
		/* Kubescape watches what is below '/etc/', not the directory itself */
		{ "/etc", VIGIL_OPEN_OTHER },
		{ "/etc/", VIGIL_OPEN_WATCHED },
		{ "/var/run", VIGIL_OPEN_OTHER },
		{ "/.dockerenv/x", VIGIL_OPEN_OTHER },
		{ "/etcetera/x", VIGIL_OPEN_OTHER },
		{ "/var/lib/app/db", VIGIL_OPEN_WATCHED },
		{ "/var/library", VIGIL_OPEN_OTHER },
		{ "/usr/local/bin/x", VIGIL_OPEN_WATCHED },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", VIGIL_OPEN_OTHER },
		{ "/.dockerenv", VIGIL_OPEN_WATCHED },
		{ "/tmp/x", VIGIL_OPEN_OTHER },
		{ "relative/path", VIGIL_OPEN_OTHER },
		{ "", VIGIL_OPEN_OTHER },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (vigil_open_class(cases[i].path) != cases[i].cls)
			fail_msg("%s: class %d, want %d", cases[i].path,
				 vigil_open_class(cases[i].path), cases[i].cls);
	}
	assert_int_equal(vigil_open_class(NULL), VIGIL_OPEN_OTHER);
}

static void test_exec_paths(void **state)
{
	assert_true(vigil_path_is_memfd_exe("/memfd:x (deleted)"));
	assert_true(vigil_path_is_memfd_exe("memfd:x"));
	assert_true(vigil_path_is_memfd_exe("/proc/self/fd/3"));
	assert_true(vigil_path_is_memfd_exe("/proc/77/fd/12"));
	assert_false(vigil_path_is_memfd_exe("/proc/self/exe"));
	assert_false(vigil_path_is_memfd_exe("/usr/bin/memfd"));
	assert_false(vigil_path_is_memfd_exe(NULL));
	assert_true(vigil_path_under_dev_shm("/dev/shm/x"));
	assert_true(vigil_path_under_dev_shm("/dev/shm"));
	assert_false(vigil_path_under_dev_shm("/dev/shmem/x"));
	assert_true(vigil_path_sensitive_link_target("/etc/shadow"));
	assert_true(vigil_path_sensitive_link_target("/etc/sudoers.d/x"));
	assert_false(vigil_path_sensitive_link_target("/etc/passwd"));
}

static void test_flag_names(void **state)
{
	const char *n[VIGIL_OPEN_FLAGS_MAX];
	size_t c;

	c = vigil_open_flag_names(O_RDONLY, n, VIGIL_OPEN_FLAGS_MAX);
	assert_int_equal(c, 1);
	assert_string_equal(n[0], "O_RDONLY");
	c = vigil_open_flag_names(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, n,
				  VIGIL_OPEN_FLAGS_MAX);
	assert_int_equal(c, 4);
	assert_string_equal(n[0], "O_WRONLY");
	assert_string_equal(n[1], "O_CREAT");
	assert_string_equal(n[2], "O_TRUNC");
	assert_string_equal(n[3], "O_CLOEXEC");
	c = vigil_open_flag_names(O_RDWR | O_TMPFILE, n, VIGIL_OPEN_FLAGS_MAX);
	assert_int_equal(c, 2);
	assert_string_equal(n[1], "O_TMPFILE");
	c = vigil_open_flag_names(O_WRONLY | O_SYNC, n, VIGIL_OPEN_FLAGS_MAX);
	assert_int_equal(c, 2);
	assert_string_equal(n[1], "O_SYNC");
	/* the kernel's O_LARGEFILE (glibc defines it as 0 on 64-bit) */
	c = vigil_open_flag_names(0100000, n, VIGIL_OPEN_FLAGS_MAX);
	assert_int_equal(c, 2);
	assert_string_equal(n[1], "O_LARGEFILE");
	/* bounded by max */
	c = vigil_open_flag_names(O_WRONLY | O_CREAT | O_TRUNC, n, 2);
	assert_int_equal(c, 2);
	assert_int_equal(vigil_open_flag_names(O_RDONLY, n, 0), 0);
}

/* R1007: a miner's hints in what it is started with; look-alikes of everyday commands are not. */
static void test_miner_hints(void **state)
{
	(void)state;
	assert_non_null(vigil_miner_hint(
		"/tmp/kworker",
		(const char *[]){ "kworker", "-o", "stratum+tcp://198.51.100.7:3333" }, 3));
	assert_non_null(vigil_miner_hint(
		"/x", (const char *[]){ "x", "--url=STRATUM+SSL://pool.example:443" }, 2));
	assert_non_null(vigil_miner_hint("/x", (const char *[]){ "x", "-a", "rx/0" }, 3));
	assert_non_null(vigil_miner_hint("/x", (const char *[]){ "x", "-arx/0" }, 2));
	assert_non_null(vigil_miner_hint("/x", (const char *[]){ "x", "--algo=rx/wow" }, 2));
	assert_non_null(vigil_miner_hint("/x", (const char *[]){ "x", "--algo", "cn/r" }, 3));
	assert_non_null(vigil_miner_hint("/x", (const char *[]){ "x", "--coin", "XMR" }, 3));
	assert_non_null(vigil_miner_hint("/x", (const char *[]){ "x", "--randomx-1gb-pages" }, 2));
	assert_non_null(vigil_miner_hint("/opt/xmrig-6.21/xmrig", (const char *[]){ "xmrig" }, 1));
	assert_non_null(vigil_miner_hint("/tmp/a", (const char *[]){ "/tmp/xmrig" }, 1));
	/* everyday commands */
	assert_null(
		vigil_miner_hint("/usr/bin/cp", (const char *[]){ "cp", "-a", "rx/", "/d" }, 4));
	assert_null(vigil_miner_hint("/usr/bin/cp", (const char *[]){ "cp", "-a", "cn-data", "/d" },
				     4));
	assert_null(vigil_miner_hint("/usr/bin/uname", (const char *[]){ "uname", "-a" }, 2));
	assert_null(
		vigil_miner_hint("/usr/bin/grep", (const char *[]){ "grep", "stratum", "f" }, 3));
	assert_null(vigil_miner_hint("/usr/bin/x", (const char *[]){ "x", "--coin", "btc" }, 3));
	assert_null(vigil_miner_hint("/usr/bin/x", NULL, 0));
	assert_null(vigil_miner_hint(NULL, NULL, 0));
	assert_true(vigil_path_cpu_msr("/dev/cpu/0/msr"));
	assert_true(vigil_path_cpu_msr("/dev/cpu/127/msr"));
	assert_false(vigil_path_cpu_msr("/dev/cpu/0/cpuid"));
	assert_false(vigil_path_cpu_msr("/dev/cpu/msr"));
	assert_false(vigil_path_cpu_msr("/dev/cpu/0/msr/x"));
	assert_false(vigil_path_cpu_msr(NULL));
}

/* R1003: SSH clients by name (a multi-call binary by argv[0]). */
static void test_ssh_clients(void **state)
{
	(void)state;
	assert_true(vigil_is_ssh_client("/usr/bin/ssh", "ssh"));
	assert_true(vigil_is_ssh_client("/usr/bin/scp", NULL));
	assert_true(vigil_is_ssh_client("/usr/bin/dbclient", "dbclient"));
	assert_true(vigil_is_ssh_client("/bin/busybox", "ssh"));
	assert_false(vigil_is_ssh_client("/bin/busybox", "sh"));
	assert_false(vigil_is_ssh_client("/usr/sbin/sshd", "sshd"));
	assert_false(vigil_is_ssh_client("/usr/bin/curl", "ssh")); /* argv[0] is the caller's */
	assert_false(vigil_is_ssh_client("", NULL));
	assert_false(vigil_is_ssh_client(NULL, NULL));
}

/* V1100: a shell or interpreter run through a launcher (busybox APPLET, the dynamic loader). */
static void test_launched_shells(void **state)
{
	const char *bb[] = { "busybox", "sh", "-c", "id" };
	const char *bb_path[] = { "/bin/busybox", "/bin/ash", "-c", "id" };
	const char *bb_cat[] = { "busybox", "cat", "/etc/hostname" };
	const char *bb_link[] = { "sh", "-c", "id" }; /* through a link named sh: argv[0] */
	const char *ld[] = { "/lib64/ld-linux-x86-64.so.2", "/bin/sh", "-c", "id" };
	const char *ld_opts[] = { "ld.so", "--library-path", "/opt/lib", "/usr/bin/python3", "-c",
				  "1" };
	const char *ld_bb[] = { "ld-musl-x86_64.so.1", "/bin/busybox", "sh" };
	const char *ld_true[] = { "/lib64/ld-linux-x86-64.so.2", "/bin/true" };
	const char *ld_list[] = { "/lib64/ld-linux-x86-64.so.2", "--list", "/bin/sh" };
	const char *env_sh[] = { "env", "sh", "-c", "id" }; /* env is a program of its own */

	(void)state;
	assert_true(vigil_exec_runs_shell_or_interpreter("/bin/busybox", bb, 4));
	assert_true(vigil_exec_runs_shell_or_interpreter("/bin/busybox", bb_path, 4));
	assert_false(vigil_exec_runs_shell_or_interpreter("/bin/busybox", bb_cat, 3));
	assert_true(vigil_exec_runs_shell_or_interpreter("/bin/busybox", bb_link, 3));
	assert_true(vigil_exec_runs_shell_or_interpreter("/lib64/ld-linux-x86-64.so.2", ld, 4));
	assert_true(vigil_exec_runs_shell_or_interpreter("/usr/lib/ld.so", ld_opts, 6));
	assert_true(vigil_exec_runs_shell_or_interpreter("/lib/ld-musl-x86_64.so.1", ld_bb, 3));
	assert_false(
		vigil_exec_runs_shell_or_interpreter("/lib64/ld-linux-x86-64.so.2", ld_true, 2));
	assert_false(
		vigil_exec_runs_shell_or_interpreter("/lib64/ld-linux-x86-64.so.2", ld_list, 3));
	assert_false(vigil_exec_runs_shell_or_interpreter("/usr/bin/env", env_sh, 4));
	assert_true(vigil_exec_runs_shell_or_interpreter("/bin/sh", NULL, 0));
	assert_false(vigil_exec_runs_shell_or_interpreter(NULL, NULL, 0));
	assert_false(vigil_exec_runs_shell_or_interpreter("/bin/busybox", bb, 1));
}

/* R1004: the mount an executable is under, from a container's mount table. */
static void test_mountinfo_volume(void **state)
{
	static const char podman[] =
		"600 500 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u\n"
		"601 600 0:52 / /proc rw,nosuid - proc proc rw\n"
		"602 600 0:53 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k\n"
		"603 602 0:54 / /dev/shm rw - tmpfs shm rw\n"
		"604 600 0:55 / /run rw - tmpfs tmpfs rw\n"
		"605 600 8:1 /var/lib/vols/data/_data /data rw,relatime - ext4 /dev/sda1 rw\n"
		"606 600 8:1 /srv/my\\040tools /opt/my\\040tools ro - ext4 /dev/sda1 rw\n"
		"607 600 0:60 / /cache rw - tmpfs tmpfs rw\n"
		"608 600 0:61 / /mnt/nfs rw shared:5 - nfs4 srv:/export rw\n"
		"609 600 8:1 /etc/hosts /etc/hosts rw - ext4 /dev/sda1 rw\n"
		"610 605 0:62 / /data/sub rw - sysfs sysfs rw\n"
		"611 600 8:1 /other /data rw - ext4 /dev/sda1 rw\n";
	char mnt[64];

	(void)state;
	assert_true(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/data/x/tool", mnt,
					   sizeof(mnt)));
	assert_string_equal(mnt, "/data");
	assert_true(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/opt/my tools/run", mnt,
					   sizeof(mnt)));
	assert_string_equal(mnt, "/opt/my tools");
	assert_true(
		vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/cache/a", mnt, sizeof(mnt)));
	assert_true(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/mnt/nfs/bin/x", mnt,
					   sizeof(mnt)));
	assert_string_equal(mnt, "/mnt/nfs");
	/* the image, the runtime's scratch tmpfs and pseudo filesystems are not volumes */
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/usr/bin/id", mnt,
					    sizeof(mnt)));
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/dev/shm/x", NULL, 0));
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/run/x", NULL, 0));
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/proc/self/exe", NULL, 0));
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/data/sub/x", NULL, 0));
	/* whole segments: /database is not under /data */
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "/database/x", NULL, 0));
	assert_false(vigil_mountinfo_volume(podman, sizeof(podman) - 1, "relative", NULL, 0));
	/* bounded by len; damaged lines are skipped */
	assert_false(vigil_mountinfo_volume(podman, 80, "/data/x", NULL, 0));
	assert_false(vigil_mountinfo_volume("garbage\n - \n\n", 13, "/data/x", NULL, 0));
	assert_false(vigil_mountinfo_volume(NULL, 0, "/data/x", NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),		 cmocka_unit_test(test_exec_paths),
		cmocka_unit_test(test_flag_names),	 cmocka_unit_test(test_ld_hook_env),
		cmocka_unit_test(test_mining_pools),	 cmocka_unit_test(test_miner_hints),
		cmocka_unit_test(test_ssh_clients),	 cmocka_unit_test(test_launched_shells),
		cmocka_unit_test(test_mountinfo_volume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
