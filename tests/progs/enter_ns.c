/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enter_ns ns|cgroup|alone TOOL CMD [ARGS...]: enters a "container" from outside the way a
 * runtime's exec does, and runs CMD there. It renames itself TOOL (the entering tool, as
 * conmon or the containerd shim), then forks two runtime-named stages ("runc", then
 * "runc:[1:CHILD]") whose last one:
 *  ns:     unshares a pid namespace, starts its pid 1 (runs `sleep 60` until killed), waits
 *          until it sleeps, and then a second process (pid 2) that execs CMD: an entry
 *          (R2000), the pid 1 is not;
 *  cgroup: makes a child cgroup of its own (cgroup v2), moves a sleeper and then a second
 *          process into it, and that one execs CMD: its parent (the runtime stage) is in
 *          another cgroup, the same pid namespace (a hostPID container's exec);
 *  alone:  the same with no sleeper: CMD is the only task of the child cgroup (an entrypoint).
 *  late:   as cgroup, but shaped like runc's init whose runc has exited first: the process that
 *          runs CMD is named "runc:[2:INIT]" (or $ENTER_NS_COMM), has a mount namespace of its
 *          own (its executable, run under the name runc, then lies outside it, as runc's does
 *          once its init joined the container's) and execs only once the runtime stages have
 *          exited and it was handed to TOOL (a child subreaper, as conmon and the shim are);
 *  late-samens: the same in the mount namespace of its executable (a workload's own program);
 *  late-alone:  late with no sleeper (an entrypoint whose runtime returned first).
 * Prints "tool PID" and "entered PID" (the process that ran CMD, pid in the initial
 * namespace) and exits with CMD's status.
 */
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/prctl.h>

#include "progs.h"

#define USAGE "ns|cgroup|alone|late|late-samens|late-alone TOOL CMD [ARGS...]"

static void set_name(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0))
		prog_die("prctl: %s", strerror(errno));
}

/* The cgroup v2 directory this process is in (hybrid hosts mount it at .../unified). */
static void own_cgroup(char *dir, size_t len)
{
	static const char *const roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	char line[PATH_MAX], probe[PATH_MAX + 64];
	FILE *f = fopen("/proc/self/cgroup", "re");
	const char *path = NULL;

	if (!f)
		prog_die("/proc/self/cgroup: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			path = line + 3;
			break;
		}
	}
	fclose(f);
	if (!path)
		prog_die("no cgroup v2 line in /proc/self/cgroup");
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(probe, sizeof(probe), "%s%s/cgroup.procs", roots[i], path);
		if (access(probe, W_OK) == 0) {
			snprintf(dir, len, "%s", probe);
			dir[strlen(dir) - strlen("/cgroup.procs")] = '\0';
			return;
		}
	}
	prog_die("cgroup v2 directory of %s not found", path);
}

static void move_to(const char *dir, pid_t pid)
{
	char file[PATH_MAX + 16], num[16];
	int fd, n;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	n = snprintf(num, sizeof(num), "%d", (int)pid);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, num, (size_t)n) != n)
		prog_die("%s: %s", file, strerror(errno));
	close(fd);
}

/* A child that waits for a byte on fd, then execs argv. */
static pid_t spawn_waiting(int fd, char **argv)
{
	pid_t pid = fork();
	char c;

	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (read(fd, &c, 1) != 1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, 0) < 0)
		prog_die("waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Waits until pid sleeps in clock_nanosleep (or nanosleep): it has exec'd `sleep` and is past
 * the exec hook, so the next process moved into its cgroup does not count at its exec (on a
 * loaded machine it may not have run at all yet when that process arrives).
 */
static void wait_sleeping(pid_t pid)
{
	char file[64], buf[32];

	snprintf(file, sizeof(file), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 6000; i++) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (!strncmp(buf, "230 ", 4) || !strncmp(buf, "35 ", 3))
				return;
		}
		usleep(10000);
	}
	prog_die("%d never slept", (int)pid);
}

/* The runtime's last stage: puts a sleeper and then CMD where the mode says. */
static int stage(const char *mode, char **cmd)
{
	static char *sleeper[] = { "/bin/sleep", "60", NULL };
	char dir[PATH_MAX + 64], sub[PATH_MAX + 96];
	int go[2], hold[2], rc;
	pid_t sleep_pid = 0, pid;

	if (pipe(go) || pipe(hold))
		prog_die("pipe: %s", strerror(errno));
	if (!strcmp(mode, "ns")) {
		if (unshare(CLONE_NEWPID))
			prog_die("unshare: %s", strerror(errno));
		sleep_pid = spawn_waiting(hold[0], sleeper); /* the namespace's pid 1 */
		if (write(hold[1], "x", 1) != 1)
			prog_die("write: %s", strerror(errno));
		/* its exec is part of what the test expects: on a loaded machine CMD could run
		 * and exit, and the pid 1 be killed, before it ever exec'd sleep */
		wait_sleeping(sleep_pid);
		pid = spawn_waiting(go[0], cmd);
	} else {
		own_cgroup(dir, sizeof(dir));
		snprintf(sub, sizeof(sub), "%s/enter-%d", dir, (int)getpid());
		if (mkdir(sub, 0755))
			prog_die("mkdir %s: %s", sub, strerror(errno));
		if (!strcmp(mode, "cgroup")) {
			sleep_pid = spawn_waiting(hold[0], sleeper);
			move_to(sub, sleep_pid);
			if (write(hold[1], "x", 1) != 1)
				prog_die("write: %s", strerror(errno));
			wait_sleeping(sleep_pid);
		}
		pid = spawn_waiting(go[0], cmd);
		move_to(sub, pid);
	}
	printf("entered %d\n", (int)pid);
	fflush(stdout);
	if (write(go[1], "x", 1) != 1)
		prog_die("write: %s", strerror(errno));
	rc = wait_status(pid);
	if (sleep_pid) {
		kill(sleep_pid, SIGKILL);
		wait_status(sleep_pid);
	}
	if (strcmp(mode, "ns")) {
		snprintf(sub, sizeof(sub), "%s/enter-%d", dir, (int)getpid());
		rmdir(sub); /* empty now: its tasks were waited for */
	}
	return rc;
}

/*
 * The late modes' last stage: like stage(), but it exits as soon as the process that runs CMD
 * may exec; that one waits until it is TOOL's (handed over as an orphan) and then execs. Tells
 * TOOL the pids and the child cgroup on fd out.
 */
static int stage_late(const char *mode, char **cmd, int out)
{
	static char *sleeper[] = { "/bin/sleep", "60", NULL };
	const char *comm = getenv("ENTER_NS_COMM");
	char dir[PATH_MAX + 64], sub[PATH_MAX + 96], c;
	pid_t me = getpid(), sleep_pid = 0, pid;
	int go[2], hold[2];

	if (pipe(go) || pipe(hold))
		prog_die("pipe: %s", strerror(errno));
	own_cgroup(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/enter-%d", dir, (int)me);
	if (mkdir(sub, 0755))
		prog_die("mkdir %s: %s", sub, strerror(errno));
	if (strcmp(mode, "late-alone")) {
		sleep_pid = spawn_waiting(hold[0], sleeper);
		move_to(sub, sleep_pid);
		if (write(hold[1], "x", 1) != 1)
			prog_die("write: %s", strerror(errno));
		wait_sleeping(sleep_pid);
	}
	pid = fork();
	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		set_name(comm && comm[0] ? comm : "runc:[2:INIT]");
		if (strcmp(mode, "late-samens") && unshare(CLONE_NEWNS))
			_exit(125);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		for (int i = 0; i < 6000 && getppid() == me; i++)
			usleep(10000);
		execv(cmd[0], cmd);
		_exit(127);
	}
	move_to(sub, pid);
	printf("entered %d\n", (int)pid);
	fflush(stdout);
	dprintf(out, "%d %d %s\n", (int)pid, (int)sleep_pid, sub);
	if (write(go[1], "x", 1) != 1)
		prog_die("write: %s", strerror(errno));
	return 0;
}

/* TOOL in the late modes: waits for the process it was handed, then clears up after it. */
static int reap_late(int in)
{
	char line[PATH_MAX + 160], sub[PATH_MAX + 96];
	int pid = 0, sleep_pid = 0, rc;
	FILE *f = fdopen(in, "r");

	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "%d %d %4191s", &pid, &sleep_pid, sub) != 3 || pid <= 0)
		prog_die("the runtime stage told nothing");
	fclose(f);
	rc = wait_status(pid);
	if (sleep_pid > 0) {
		kill(sleep_pid, SIGKILL);
		wait_status(sleep_pid);
	}
	rmdir(sub);
	return rc;
}

int main(int argc, char **argv)
{
	const char *mode;
	int pids[2] = { -1, -1 };
	bool late;
	pid_t pid;

	prog_name = "enter_ns";
	if (argc < 4 || (strcmp(argv[1], "ns") && strcmp(argv[1], "cgroup") &&
			 strcmp(argv[1], "alone") && strcmp(argv[1], "late") &&
			 strcmp(argv[1], "late-samens") && strcmp(argv[1], "late-alone")))
		prog_usage(USAGE);
	mode = argv[1];
	late = !strncmp(mode, "late", 4);
	set_name(argv[2]);
	if (late && (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) || pipe(pids)))
		prog_die("subreaper: %s", strerror(errno));
	printf("tool %d\n", (int)getpid());
	fflush(stdout);
	pid = fork(); /* runc, as a runtime's exec starts it */
	if (pid < 0)
		prog_die("fork: %s", strerror(errno));
	if (pid == 0) {
		set_name("runc");
		pid = fork(); /* its init stage */
		if (pid < 0)
			prog_die("fork: %s", strerror(errno));
		if (pid == 0) {
			set_name("runc:[1:CHILD]");
			exit(late ? stage_late(mode, argv + 3, pids[1]) : stage(mode, argv + 3));
		}
		exit(wait_status(pid));
	}
	if (!late)
		return wait_status(pid);
	close(pids[1]);
	if (wait_status(pid))
		prog_die("the runtime stages failed");
	return reap_late(pids[0]);
}
