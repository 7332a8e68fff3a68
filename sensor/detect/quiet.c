// SPDX-License-Identifier: Apache-2.0
/*
 * Syscalls that carry signal only with context. A learning window cannot see every code path of
 * a real server: an admin's INFO makes Redis call getrusage and getsockname, a status page makes
 * a server call uname, a bigger reply makes it use writev instead of write. Measured on real
 * Redis, nginx and PostgreSQL (docs/DETECTION.md, "Real servers"), these are the syscalls a known
 * program adds under a new benign load. They ask the kernel about the process itself, or do
 * more of what the program already does on descriptors it already has, so they tell nothing
 * about an attacker: from a program the profile knows they are not alerted. From a program the
 * profile does not know (a shell, a dropped binary) they still are, and every other syscall
 * (mprotect, ptrace, socket, connect, setuid, mount, ...) is judged as before.
 */
#include <string.h>

#include "sensor/detect/detect_internal.h"

static const char *const informational[] = {
	/* about the process and the machine */
	"uname",
	"getrusage",
	"times",
	"sysinfo",
	"getcwd",
	"getpid",
	"getppid",
	"gettid",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"getgroups",
	"getresuid",
	"getresgid",
	"getpgrp",
	"getpgid",
	"getsid",
	"getrlimit",
	"getitimer",
	"sched_getaffinity",
	"sched_getparam",
	"sched_getscheduler",
	"sched_yield",
	"getcpu",
	/* about its own sockets and descriptors */
	"getsockname",
	"getpeername",
	"getsockopt",
	"fstat",
	"newfstatat",
	"statx",
	"fstatfs",
	"lseek",
	"fcntl",
	/* time */
	"clock_gettime",
	"clock_getres",
	"gettimeofday",
	"time",
	"nanosleep",
	"clock_nanosleep",
	/* more of the same I/O on descriptors it has */
	"readv",
	"writev",
	"pread64",
	"pwrite64",
	"preadv",
	"pwritev",
	"preadv2",
	"pwritev2",
	"fsync",
	"fdatasync",
	"poll",
	"ppoll",
	"select",
	"pselect6",
	"epoll_wait",
	"epoll_pwait",
	"epoll_pwait2",
	"futex",
	"madvise",
	"mincore",
	"fadvise64",
	"readahead",
	"sync_file_range",
	"restart_syscall",
	NULL,
};

/*
 * Capabilities that only let a process past file permissions. A root master that reopens logs
 * rotated to its workers' user needs CAP_DAC_OVERRIDE (measured on nginx); what the access
 * touches is judged by the file rules (R0002, R0010, V1101), so from a known program the
 * capability check adds nothing. CAP_SETUID, CAP_SYS_ADMIN, CAP_NET_RAW, ... stay judged.
 */
static const char *const file_caps[] = {
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	NULL,
};

bool detect_cap_needs_context(const char *name)
{
	for (size_t i = 0; file_caps[i]; i++) {
		if (!strcmp(name, file_caps[i]))
			return true;
	}
	return false;
}

bool detect_syscall_needs_context(const char *name)
{
	for (size_t i = 0; informational[i]; i++) {
		if (!strcmp(name, informational[i]))
			return true;
	}
	return false;
}
