/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscall_set [EXTRA...]: makes a known, fixed set of syscalls (raw, so libc cannot skip or
 * cache any), then the EXTRA ones named on the command line, and prints "NAME NR" for each.
 * Base set: getpid getppid getuid geteuid getgid getegid uname getcwd sched_yield. Extras that
 * the base set never makes: sysinfo times getpriority getrusage getitimer getcpu.
 * A learning test runs it bare; a detection test adds one extra and expects one new syscall.
 * Being a static binary its start-up adds only the usual few (brk, arch_prctl, ...).
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>

#include "progs.h"

struct call {
	const char *name;
	long nr;
};

static const struct call base[] = {
	{ "getpid", SYS_getpid },   { "getppid", SYS_getppid }, { "getuid", SYS_getuid },
	{ "geteuid", SYS_geteuid }, { "getgid", SYS_getgid },	{ "getegid", SYS_getegid },
	{ "uname", SYS_uname },	    { "getcwd", SYS_getcwd },	{ "sched_yield", SYS_sched_yield },
};

static const struct call extras[] = {
	{ "sysinfo", SYS_sysinfo },	    { "times", SYS_times },
	{ "getpriority", SYS_getpriority }, { "getrusage", SYS_getrusage },
	{ "getitimer", SYS_getitimer },	    { "getcpu", SYS_getcpu },
};

/* One call with harmless, valid arguments for each syscall in the tables. */
static long do_call(long nr)
{
	union {
		struct utsname uts;
		struct sysinfo si;
		struct tms tms;
		struct rusage ru;
		struct itimerval it;
		char cwd[PATH_MAX];
	} u;
	unsigned cpu, node;

	switch (nr) {
	case SYS_uname:
		return syscall(nr, &u.uts);
	case SYS_getcwd:
		return syscall(nr, u.cwd, sizeof(u.cwd));
	case SYS_sysinfo:
		return syscall(nr, &u.si);
	case SYS_times:
		return syscall(nr, &u.tms);
	case SYS_getpriority:
		return syscall(nr, PRIO_PROCESS, 0);
	case SYS_getrusage:
		return syscall(nr, RUSAGE_SELF, &u.ru);
	case SYS_getitimer:
		return syscall(nr, ITIMER_REAL, &u.it);
	case SYS_getcpu:
		return syscall(nr, &cpu, &node, NULL);
	default:
		return syscall(nr);
	}
}

int main(int argc, char **argv)
{
	prog_name = "syscall_set";
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		if (do_call(base[i].nr) < 0)
			prog_die("%s: %s", base[i].name, strerror(errno));
		printf("%s %ld\n", base[i].name, base[i].nr);
	}
	for (int a = 1; a < argc; a++) {
		size_t i;

		for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
			if (!strcmp(argv[a], extras[i].name))
				break;
		}
		if (i == sizeof(extras) / sizeof(extras[0]))
			prog_die("unknown extra syscall '%s'", argv[a]);
		if (do_call(extras[i].nr) < 0)
			prog_die("%s: %s", extras[i].name, strerror(errno));
		printf("%s %ld\n", extras[i].name, extras[i].nr);
	}
	return 0;
}
