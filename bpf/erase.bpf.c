// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Shell and REPL history erased (ERASE records, V1107, T1070.003): unlink/unlinkat of the
 * file (`rm ~/.bash_history`, the first half of `ln -sf /dev/null ~/.bash_history`) and
 * truncate/ftruncate (`truncate -s0`, `shred`). Only a file whose name ends in "history"
 * (.bash_history, .zsh_history, .ash_history, .python_history, .mysql_history, .history, ...)
 * makes a record: user space decides which of those are history files. Truncation at open
 * (`: > ~/.bash_history`, O_TRUNC) is an OPEN record, and a link or rename over the name a
 * SYMLINK, LINK or RENAME record, judged by the same rule. Attempts count.
 * Login records and system logs too (V1110, T1070.002): a name whose last component is wtmp,
 * btmp, lastlog, faillog, utmp, auth.log, secure, syslog, messages, kern.log or audit.log;
 * user space keeps those at their /var/log (and /run) paths.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "sensor_abi.h"
#include "shared.bpf.h"
#include "maps.bpf.h"
#include "record.bpf.h"
#include "extract.bpf.h"
#include "syscalls.bpf.h"

static const char suffix[] = "history";
#define SUFFIX_LEN (sizeof(suffix) - 1)

/* Does the string of n bytes (its NUL included) at data offset start end in "history"? */
static __always_inline bool ends_history(struct vg_event *e, __u32 start, __u32 n)
{
	if (n < SUFFIX_LEN + 1)
		return false;
	for (__u32 i = 0; i < SUFFIX_LEN; i++) {
		if (e->data[doff(start + n - 1 - SUFFIX_LEN + i)] != suffix[i])
			return false;
	}
	return true;
}

/* Is the string of n bytes (its NUL included) at data offset start the name s (len bytes),
 * alone or as its last component? */
static __always_inline bool ends_name(struct vg_event *e, __u32 start, __u32 n, const char *s,
				      __u32 len)
{
	if (n < len + 1)
		return false;
	for (__u32 i = 0; i < len; i++) {
		if (e->data[doff(start + n - 1 - len + i)] != s[i])
			return false;
	}
	return n == len + 1 || e->data[doff(start + n - 2 - len)] == '/';
}

static const char log_wtmp[] = "wtmp", log_btmp[] = "btmp", log_lastlog[] = "lastlog",
		  log_faillog[] = "faillog", log_utmp[] = "utmp", log_auth[] = "auth.log",
		  log_secure[] = "secure", log_syslog[] = "syslog", log_messages[] = "messages",
		  log_kern[] = "kern.log", log_audit[] = "audit.log";
#define LOG_IS(name) ends_name(e, start, n, name, sizeof(name) - 1)

/* a shell history, or a log an intruder clears */
static __always_inline bool erase_wanted(struct vg_event *e, __u32 start, __u32 n)
{
	return ends_history(e, start, n) || LOG_IS(log_wtmp) || LOG_IS(log_btmp) ||
	       LOG_IS(log_lastlog) || LOG_IS(log_faillog) || LOG_IS(log_utmp) || LOG_IS(log_auth) ||
	       LOG_IS(log_secure) || LOG_IS(log_syslog) || LOG_IS(log_messages) ||
	       LOG_IS(log_kern) || LOG_IS(log_audit);
}

__noinline int on_erase(__u64 regs_, long nr, long ret, __u64 cg)
{
	struct pt_regs *regs = (struct pt_regs *)regs_;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct sys_args a = {};
	struct vg_event *e;
	__u32 off;

	if (!want(VG_EV_ERASE))
		return 0;
	bpf_probe_read_kernel(&a, sizeof(a), &regs->r10);
	e = ev_begin(VG_EV_ERASE, cg);
	if (!e)
		return 0;
	if (nr == NR_ftruncate) {
		struct file *f = fd_file(t, a.di);

		if (!f)
			return 0;
		/* the leaf's name first: a path walk only for a name that matches */
		off = put_str(e, 0, 0, BPF_CORE_READ(f, f_path.dentry, d_name.name), false,
			      VG_STR_RAW);
		if (!erase_wanted(e, 0, off))
			return 0;
		e->str_len[0] = 0;
		e->str_fmt = 0;
		off = put_file_path(e, 0, 0, f);
	} else {
		const char *upath = (const char *)(nr == NR_unlinkat ? a.si : a.di);

		off = put_str(e, 0, 0, upath, true, VG_STR_RAW);
		if (!erase_wanted(e, 0, off))
			return 0;
		if (off && e->data[0] != '/')
			off = put_dir(e, off, 1, nr == NR_unlinkat ? (int)a.di : AT_FDCWD_);
	}
	e->arg[0] = ret;
	e->arg[1] = nr;
	return ev_submit(e, off, 2, false);
}
