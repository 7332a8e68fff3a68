/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path and flag classification shared by learning and detection (docs/DETECTION.md lists the
 * paths). Pure functions on strings; returned names are static.
 */
#ifndef VIGIL_DETECT_PATHS_H
#define VIGIL_DETECT_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

enum vigil_open_class {
	VIGIL_OPEN_OTHER = 0, /* no rule looks at it */
	VIGIL_OPEN_WATCHED,   /* R0002: under /etc, /var/lib, /opt, ... */
	VIGIL_OPEN_TOKEN,     /* R0006: .../serviceaccount/.../token */
	VIGIL_OPEN_ENVIRON,   /* R0008: /proc/PID/environ */
	VIGIL_OPEN_SENSITIVE, /* R0010: /etc/shadow, /etc/sudoers, private keys, ... */
};

enum vigil_open_class vigil_open_class(const char *path);

/*
 * The sensitive files of R0010 for finding them by identity (path_alias.h): exact paths, and
 * directories whose files are sensitive. NULL-terminated, static. (Host keys and users' keys,
 * /etc/ssh/ssh_host_* and /home/NAME/.ssh/id_*, are matched by vigil_open_class alone.)
 */
const char *const *vigil_sensitive_files(void);
const char *const *vigil_sensitive_dirs(void);
/* The service-account token directories (R0006) whose files the kernel and the identity sets
 * know (NULL-terminated; /var/run is usually a link to /run, but not in every image). */
const char *const *vigil_token_dirs(void);

/* Exe is a memfd ("/memfd:NAME (deleted)") or /proc/PID/fd/N: fileless execution. */
bool vigil_path_is_memfd_exe(const char *path);
bool vigil_path_under_dev_shm(const char *path);
/* A write there persists (V1101): cron, systemd units, any user's ~/.ssh, shell start-up
 * files, accounts, sudoers, PAM, ... (sensor/detect/persist.c lists them). */
bool vigil_path_persistence(const char *path);
/* The open flags write, create, truncate or append. */
bool vigil_open_flags_write(uint32_t flags);
/* The first dynamic-linker hook variable (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH, ...: the
 * names Kubescape's R1011 looks for) set in env, a NUL-separated KEY=VALUE list of len bytes
 * as /proc/PID/environ holds it (the last entry may lack its NUL); NULL when none. Static. */
const char *vigil_env_ld_hook(const char *env, size_t len);
/* V1107: the path names a shell or REPL history file (a dotfile ending in "history":
 * .bash_history, .zsh_history, .python_history, .history, ...). */
bool vigil_path_history(const char *path);
/* V1110: the path names login records or a system log an intruder clears (T1070.002):
 * /var/log/{wtmp,btmp,lastlog,faillog,auth.log,secure,syslog,messages,kern.log},
 * /var/log/audit/audit.log, /var/run/utmp, /run/utmp (full paths: an application's own file
 * named "messages" is not one). */
bool vigil_path_system_log(const char *path);
/* V1107's fact: the first variable of the environment env (len bytes, "KEY=VALUE\0"...) that
 * turns shell history off (HISTFILE=/dev/null or empty, HISTSIZE=0, HISTFILESIZE=0,
 * SAVEHIST=0), as "KEY=VALUE" into out (cut to size); out is "" when none. */
void vigil_env_history_off(const char *env, size_t len, char *out, size_t size);
/* A public crypto-mining pool's domain, or a name below one (R1008); case and a trailing dot
 * do not matter. */
bool vigil_dns_mining_pool(const char *name);
/* R1011's file: /etc/ld.so.preload (every dynamic program loads what it lists). */
bool vigil_path_ld_preload(const char *path);
/* The executable (or argv[0], for busybox) is a shell or an interpreter by its base name,
 * versions allowed (`python3.11`): V1100, and what learning keeps literal in its arguments. */
bool vigil_program_is_shell_or_interpreter(const char *path, const char *argv0);
/* The exec (executable exe, argv with argc entries) runs a shell or an interpreter: by the
 * names above, or through a launcher that runs another program in place: busybox or toybox
 * called by its own name (`busybox sh -c id`), the dynamic loader (`ld.so /bin/sh -c id`). */
bool vigil_exec_runs_shell_or_interpreter(const char *exe, const char *const *argv, uint32_t argc);
/* A multi-call binary's name as the binary itself tells it: busybox and toybox take a name
 * that begins with their own as their own (busyboxd, busybox.static, toybox-x86_64). */
bool vigil_program_is_multi_call(const char *path);
/* What a multi-call binary runs, as it decides: the applet argv[0] names, or argv[1] when
 * argv[0] is its own name; whether that is a shell or an interpreter (a busybox copied under
 * any file name dispatches by argv alone). */
bool vigil_multi_call_runs_shell(const char *const *argv, uint32_t argc);
/* Link target is /etc/shadow* or /etc/sudoers* (R1010, R1012). */
bool vigil_path_sensitive_link_target(const char *target);
/* R1007: why an exec looks like a crypto miner starting (a stratum URL, a RandomX or
 * CryptoNight algorithm, Monero, XMRig's RandomX options in argv; a miner's name), or NULL.
 * Static text. */
const char *vigil_miner_hint(const char *exe, const char *const *argv, uint32_t argc);
/* R1007: /dev/cpu/N/msr, the model-specific registers XMRig rewrites for RandomX. */
bool vigil_path_cpu_msr(const char *path);
/* R1004: path is under a volume in a mount table as /proc/PID/mountinfo has it (len bytes):
 * a mount other than /, the kernel's pseudo filesystems and a runtime's scratch tmpfs (/dev,
 * /run, /tmp, ...). Its mount point goes to mnt (size bytes) when found. */
bool vigil_mountinfo_volume(const char *text, size_t len, const char *path, char *mnt, size_t size);
/* R1004: vigil_mountinfo_volume on the mount table of process pid (or, gone, of ppid); false
 * for a process in the host's mount namespace (pid 1's) or when neither can be read. */
bool vigil_exec_mount(uint32_t pid, uint32_t ppid, const char *path, char *mnt, size_t size);
/* R1003: the executable (argv[0]'s name for a multi-call binary) is an SSH client. */
bool vigil_is_ssh_client(const char *exe, const char *argv0);

#endif
