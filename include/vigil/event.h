/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A decoded sensor event, as user space sees it: the contract between the sensor (which fills
 * it from the ring buffer and the process/workload tables) and its consumers (trace output,
 * learning, detection, the recorder and zoom). The raw kernel records are a different, packed
 * layout private to sensor/ and bpf/.
 *
 * Ownership: an event and every pointer in it are owned by the sensor and valid only during the
 * callback that receives it. A consumer that keeps anything copies it.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vigil_event_kind {
	VIGIL_EV_EXEC = 1,
	VIGIL_EV_FORK,
	VIGIL_EV_EXIT,
	VIGIL_EV_OPEN,	     /* open/openat/openat2, and io_uring OPENAT (via_iouring) */
	VIGIL_EV_SYMLINK,    /* path = link name, target = what it points to */
	VIGIL_EV_LINK,	     /* hard link: path = new name, target = existing file */
	VIGIL_EV_EXEC_WRITE, /* a write that created/made executable a file (path) */
	VIGIL_EV_CONNECT,    /* also io_uring CONNECT (via_iouring) */
	VIGIL_EV_ACCEPT,
	VIGIL_EV_BIND,
	VIGIL_EV_LISTEN,
	VIGIL_EV_DNS, /* a DNS question seen in port-53 traffic */
	VIGIL_EV_TCP_STATE,
	VIGIL_EV_CAPABILITY, /* cap_capable */
	VIGIL_EV_SYSCALL,    /* a syscall outside the workload's loaded set (or first use) */
	VIGIL_EV_IOURING_CREATE,
	VIGIL_EV_IOURING_OP, /* an io_uring opcode, first use per workload (or every one in zoom) */
	VIGIL_EV_PTRACE,
	VIGIL_EV_UNSHARE,
	VIGIL_EV_SETNS,
	VIGIL_EV_BPF,
	VIGIL_EV_MODULE, /* init_module / finit_module */
	VIGIL_EV_MEMFD,	 /* memfd_create */
	VIGIL_EV_MOUNT,
	VIGIL_EV_SEND,		/* a message to an address named in the call, without connect: UDP
			     * sendto/sendmsg/sendmmsg with a destination, TCP Fast Open */
	VIGIL_EV_SOCKET,	/* a raw, packet or ICMP socket created (family, type, protocol) */
	VIGIL_EV_CGROUP_MOVE,	/* a process moved out of its workload's cgroup (call.arg0: its
			       * pid, arg1: the destination's cgroup id, str: its path) */
	VIGIL_EV_MMAP_EXEC,	/* a file written at run time, or a memfd, mapped executable (a
			       * library loaded: mmap or mprotect with PROT_EXEC); exec's members */
	VIGIL_EV_RENAME,	/* rename/renameat/renameat2: link.path = new name, target = old */
	VIGIL_EV_NETNS_CONNECT, /* a TCP connection opened inside the workload's network
				 * namespace by a process outside the workload (a port forward:
				 * containerd's, or nsenter --net); net's members, the process
				 * is the outsider */
	VIGIL_EV_SETID,		/* the setuid or setgid bit given to a file (chmod, open with
				 * O_CREAT, mknod); attr's members */
	VIGIL_EV_ERASE,		/* a file whose name ends in "history" unlinked or truncated;
				 * attr's members */
	VIGIL_EV_HTTP,		/* an HTTP/1.x request line, the first of a TCP connection in
				 * its direction (outbound: sent, inbound: received); net's
				 * members with http_method, http_path */
	VIGIL_EV_NET_IO,	/* zoom only: bytes sent/received on a socket, optional payload */
	VIGIL_EV_FILE_READ,	/* zoom only: read of a sensitive file, optional content sample */
	VIGIL_EV__MAX
};

/* Stable lower-case names ("exec", "open", ...), used by --kinds and JSON output. */
const char *vigil_event_kind__name(enum vigil_event_kind kind);
/* Returns 0 for an unknown name. */
enum vigil_event_kind vigil_event_kind__from_name(const char *name);

#define VIGIL_CONTAINER_ID_LEN 64

/* Where an event comes from: a cgroup (container or not). */
struct vigil_workload {
	uint64_t cgroup_id;
	const char *cgroup_path;  /* cgroup2 path relative to the cgroup2 root, "/" for root */
	const char *container_id; /* 64 hex chars, "" when not a container */
	const char *runtime;	  /* "docker", "containerd", "cri-o", "podman", "kubepods", "" */
	const char *name;	  /* workload name: container name, `-- CMD` name, or cgroup path */
	uint32_t mntns;
	uint64_t start_ns; /* when the sensor first saw it (CLOCK_REALTIME) */
};

struct vigil_process {
	uint32_t pid; /* tgid */
	uint32_t tid;
	uint32_t ppid;
	uint32_t uid, gid;
	uint32_t euid;	   /* effective uid: differs from uid after a setuid program's exec */
	uint64_t start_ns; /* boot-time start: (pid, start_ns) is unique across pid reuse */
	char comm[16];
	const char *exe;	 /* may be "" when not known */
	const char *const *argv; /* argc entries; may be truncated (args_truncated) */
	uint32_t argc;
	bool args_truncated;
	const char *cwd;
};

enum vigil_direction {
	VIGIL_DIR_NONE = 0,
	VIGIL_DIR_OUTBOUND,
	VIGIL_DIR_INBOUND
};

/* SEND: how the message was sent (the io_uring forms also set via_iouring: SENDMSG is
 * VIGIL_SEND_SENDMSG, SEND with an address and the zero-copy forms have their own) */
enum vigil_send_call {
	VIGIL_SEND_SENDTO = 0,
	VIGIL_SEND_SENDMSG,
	VIGIL_SEND_SENDMMSG,
	VIGIL_SEND_SEND,       /* io_uring SEND with an address */
	VIGIL_SEND_SEND_ZC,    /* io_uring SEND_ZC */
	VIGIL_SEND_SENDMSG_ZC, /* io_uring SENDMSG_ZC */
	VIGIL_SEND_WRITE,      /* write() on a connected datagram socket (or io_uring WRITE) */
	VIGIL_SEND_WRITEV,     /* writev() (or io_uring WRITEV) */
	VIGIL_SEND__MAX
};

/* EXEC written_how: how the file executed was changed at run time, one bit each */
enum vigil_written_how {
	VIGIL_WRITTEN_OPEN = 1u << 0,  /* opened for writing */
	VIGIL_WRITTEN_CHMOD = 1u << 1, /* an execute bit set by fchmod */
	VIGIL_WRITTEN_URING = 1u << 2, /* written through io_uring */
	VIGIL_WRITTEN__ALL = (1u << 3) - 1
};

/* NET_IO: the TLS library call a plaintext sample was taken at (0: the socket's own bytes) */
enum vigil_tls_call {
	VIGIL_TLS_NONE = 0,
	VIGIL_TLS_SSL_WRITE,
	VIGIL_TLS_SSL_WRITE_EX,
	VIGIL_TLS_SSL_READ,
	VIGIL_TLS_SSL_READ_EX,
	VIGIL_TLS_GO_WRITE, /* crypto/tls.(*Conn).Write */
	VIGIL_TLS__MAX
};

struct vigil_sockaddr {
	uint16_t family;  /* AF_INET / AF_INET6 / AF_UNIX */
	uint16_t port;	  /* host order */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	const char *unix_path;
};

/* What enforcement did at the hook (docs/ENFORCEMENT.md). */
enum vigil_action {
	VIGIL_ACTION_NONE = 0,
	VIGIL_ACTION_WOULD_KILL, /* a deviation enforcement did not kill: see the reason */
	VIGIL_ACTION_KILLED,	 /* SIGKILL sent from the kernel hook */
};

/* Why a deviation was not killed (with VIGIL_ACTION_WOULD_KILL). */
enum vigil_action_reason {
	VIGIL_ACTION_DRY_RUN = 0, /* the workload's mode is dry-run */
	VIGIL_ACTION_RATE_LIMIT,  /* the workload's kill budget is spent: alert only */
	VIGIL_ACTION_SWITCH_OFF,  /* the node-wide switch turned enforcement off */
	VIGIL_ACTION_PROTECTED,	  /* the host's init or the sensor itself */
};

/*
 * Whether an event's alert always goes out (no kernel de-duplication, cooldown or burst folding
 * hides it): a kill, or a kill a rail held back (budget, switch, protected). A dry-run
 * deviation is de-duplicated as detection is (a disabled rule or an exemption hides neither).
 */
static inline bool vigil_action__always_reported(enum vigil_action a, enum vigil_action_reason r)
{
	return a == VIGIL_ACTION_KILLED ||
	       (a == VIGIL_ACTION_WOULD_KILL && r != VIGIL_ACTION_DRY_RUN);
}

/* "killed", "would-kill" (NULL for NONE); "dry-run", "rate-limit", "switch-off", "protected". */
const char *vigil_action__name(enum vigil_action a);
const char *vigil_action_reason__name(enum vigil_action_reason r);

struct vigil_event {
	enum vigil_event_kind kind;
	uint64_t time_ns;  /* CLOCK_REALTIME */
	uint64_t ktime_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns), for latency figures */
	const struct vigil_workload *workload;
	const struct vigil_process *proc;
	bool via_iouring; /* submitted through io_uring (work may run on an iou-wrk thread) */
	enum vigil_action action;		/* what enforcement did (exec) */
	enum vigil_action_reason action_reason; /* with WOULD_KILL: why not killed */

	union {
		struct {		  /* EXEC, MMAP_EXEC */
			const char *path; /* resolved exe path */
			bool upper_layer; /* exe is on an overlayfs upper layer: not in the image */
			bool memfd;	  /* exe is a memfd (fileless) */
			bool dev_shm;	  /* exe, cwd or argv[0] under /dev/shm */
			/* drop-and-execute (docs/SENSOR.md): the executable, or the script it
			 * runs, was changed at run time */
			bool written;	    /* opened for writing or made executable by a
					     * monitored workload since the sensor started */
			bool modified;	    /* its ctime is after the workload started */
			const char *script; /* a script run by its interpreter (path): NULL else */
			bool script_written, script_modified; /* the same, for the script */
			uint64_t writer_cgroup;		      /* the last writer (written) */
			uint32_t writer_pid;
			uint32_t written_how; /* enum vigil_written_how bits */
			uint64_t written_ns;  /* CLOCK_REALTIME */
			/* the program that started it: the exe this process ran before the exec
			 * (after a fork, its parent's); "" or NULL when not known */
			const char *parent_exe;
			/* the kernel honoured a set-user/group-id bit or file capabilities of
			 * the executable (proc->euid is the uid it runs as) */
			bool setid;
			/* the executable's inode as the kernel ran it (0 when not known): its
			 * content cannot change without ctime changing */
			uint64_t ino;
			uint64_t ctime_ns;
			uint64_t size;
			uint64_t mtime_ns;
			/* the first dynamic-linker hook variable in its environment (LD_PRELOAD,
			 * LD_AUDIT, LD_LIBRARY_PATH, ...: R1011), read from /proc/PID/environ as
			 * the exec is decoded; NULL or "" when none or not known (already gone) */
			const char *ld_hook;
			/* shell history turned off in its environment ("HISTFILE=/dev/null",
			 * "HISTSIZE=0", ...: V1107), read with ld_hook; NULL or "" when not */
			const char *history_off;
			/* it entered a running container from outside (podman/runc/ctr/crictl
			 * exec: born into the container's pid namespace by a parent outside it,
			 * or for a container in the host's pid namespace (entered_host_pid) put
			 * into the container's cgroup by the runtime, R2000); entered_by and
			 * entered_pid name the tool, captured by the kernel at the exec: the
			 * first ancestor that is not the runtime's runc (conmon, containerd-shim,
			 * runc's caller) */
			bool entered;
			bool entered_host_pid;
			const char *entered_by;
			uint32_t entered_pid;
			/* MMAP_EXEC (which shares path, memfd, written and the writer with
			 * EXEC): the protection asked for, and whether by mprotect */
			uint32_t prot;
			bool mprotect;
		} exec;
		struct { /* EXIT */
			int32_t code;
		} exit;
		struct { /* FORK */
			uint32_t child_pid;
		} fork;
		struct {		  /* OPEN, EXEC_WRITE, FILE_READ */
			const char *path; /* absolute, resolved against cwd/dirfd where possible */
			uint32_t flags;	  /* O_* as passed */
			int32_t ret;	  /* fd or -errno */
			bool truncated;	  /* path is not whole: a prefix (cut by the sensor) */
			bool aliased;	  /* the file has other names (hard links, a bind mount) */
			uint32_t dev;	  /* a regular file's device (kernel encoding) and inode */
			uint64_t ino;
			/* aliased: the sensitive file it is by the identities the kernel holds
			 * (its own name, e.g. "/etc/shadow"), NULL when none */
			const char *ident;
			uint64_t size;	     /* FILE_READ: bytes read */
			const uint8_t *data; /* FILE_READ: sample (data_len bytes), may be NULL */
			uint32_t data_len;
		} open;
		struct { /* SYMLINK, LINK, RENAME */
			const char *path;
			const char *target;
			/* RENAME: RENAME_EXCHANGE (the two names swapped), the result */
			bool exchange;
			int32_t ret;
		} link;
		struct {	       /* CONNECT, ACCEPT, BIND, LISTEN, TCP_STATE, SEND, NET_IO */
			uint8_t proto; /* IPPROTO_TCP / IPPROTO_UDP */
			enum vigil_direction direction;
			struct vigil_sockaddr local;
			struct vigil_sockaddr remote;
			int32_t ret;
			uint16_t old_state, new_state; /* TCP_STATE */
			int32_t fd;
			uint64_t bytes; /* NET_IO */
			uint8_t call;	/* SEND: enum vigil_send_call */
			bool fastopen;	/* SEND: TCP Fast Open (MSG_FASTOPEN) */
			/* SEND: the peer was read from the caller's memory at the call's exit, not
			 * the kernel's copy: another thread may have rewritten it (docs/SENSOR.md) */
			bool addr_from_memory;
			uint8_t tls; /* NET_IO: enum vigil_tls_call, 0 = not TLS plaintext */
			const uint8_t *data; /* NET_IO payload sample, may be NULL */
			/* NET_IO by sendfile, splice or copy_file_range: the sensitive file the
			 * bytes came from (no sample: they never were in user memory), or NULL */
			const char *from_path;
			uint32_t data_len;
			/* HTTP: the request's method and path (no query string; cut when
			 * http_truncated) */
			const char *http_method;
			const char *http_path;
			bool http_truncated;
		} net;
		struct {		  /* DNS */
			const char *name; /* lower case, no trailing dot */
			uint16_t qtype;
			struct vigil_sockaddr server;
			bool tcp; /* DNS over TCP (else a UDP datagram) */
			/* DNS over TCP: the stream was cut by the sensor's stream table in the
			 * middle of a message (name ""): until it resyncs its questions are
			 * unread (sensor/dns_stream.h) */
			bool desync;
		} dns;
		struct {		  /* CAPABILITY */
			int32_t cap;	  /* CAP_* number */
			const char *name; /* "CAP_NET_ADMIN" */
			int32_t ret;
		} cap;
		struct { /* SYSCALL */
			int32_t nr;
			const char *name; /* from the running kernel's table */
		} syscall;
		struct { /* IOURING_CREATE, IOURING_OP */
			int32_t opcode;
			const char *opname; /* "OPENAT", "CONNECT", ... from the kernel's BTF */
			const char *path;   /* OPENAT: file name when readable */
			struct vigil_sockaddr addr; /* CONNECT/SEND/RECV where readable */
			uint32_t sq_entries;	    /* CREATE */
		} iouring;
		struct {		  /* SETID, ERASE */
			const char *path; /* as the call named it, resolved as open's */
			const char *call; /* the syscall: "chmod", "openat", "unlink", ... */
			uint32_t mode;	  /* SETID: the mode asked for (07777 bits) */
			/* SETID: the file's mode after the call where the kernel had the file
			 * (fchmod, open; 0 when not known) and its type (S_IFMT bits: S_IFREG,
			 * S_IFDIR; 0 when not known) */
			uint32_t file_mode;
			uint32_t file_type;
			int32_t ret;
		} attr;
		struct { /* PTRACE, UNSHARE, SETNS, BPF, MODULE, MEMFD, MOUNT, SOCKET */
			int64_t arg0;	 /* ptrace request / unshare flags / bpf cmd / family */
			int64_t arg1;	 /* ptrace target pid / setns nstype / socket type */
			int64_t arg2;	 /* socket protocol */
			const char *str; /* memfd name, mount target, module name, ... */
			int32_t ret;
			/* SETNS: the namespace types (CLONE_NEW*) the call moved the process to,
			 * which of those are the host's (pid 1's: V1105), and the inode of the
			 * namespace it joined (the first host one, else the first one) */
			uint32_t ns_joined;
			uint32_t ns_host;
			/* SETNS: the types now another workload's (its processes run there:
			 * only CLONE_NEWNET is known) (V1105) */
			uint32_t ns_other;
			uint64_t ns_ino;
		} call;
	};
};

/* ---- one spelling of an event (lib/event/: the event table and its encoder) ---------------- */

struct json_t;

/* What the caller knows about a workload beyond the sensor (container engine, Kubernetes);
 * NULL members are left as the sensor has them (or ""). */
struct vigil_workload_info {
	const char *name;
	const char *image;
	/* Kubernetes (docs/KUBERNETES.md): the pod, and its controller whose profile it shares;
	 * pod_uid, workload_kind and workload_name are shown only when known */
	const char *pod, *namespace_, *pod_uid, *container_name, *runtime;
	const char *workload_kind, *workload_name;
};

/* The "event" object: "type" and the kind's fields, by the event table, as `vigil trace
 * --json`, alerts and evidence all show it. New reference; NULL on out of memory. */
/* Text a workload chose (a path, a name, an argument) as a JSON string: valid UTF-8 as it is,
 * any other byte as \xNN, so no name makes its event unencodable. At most len bytes (a
 * fixed-size comm need not end in NUL). NULL only on out of memory. */
struct json_t *vigil_json_textn(const char *s, size_t len);
struct json_t *vigil_json_text(const char *s);
/* The same text for a line: also control characters as \xNN (no forged lines, no terminal
 * escapes). Returns s itself when nothing needs escaping, else buf (cut to size). */
const char *vigil_text_shown(const char *s, char *buf, size_t size);

/* A copy of ev that owns everything it points to (workload, process, texts, samples), in one
 * allocation: release it with free(). *ret_size (may be NULL) is its size in bytes. NULL with
 * errno ENOMEM. */
struct vigil_event *vigil_event__dup(const struct vigil_event *ev, size_t *ret_size);
struct json_t *vigil_event__json(const struct vigil_event *ev);
/* The "process" object (p may be NULL: zeros and ""). New reference. */
struct json_t *vigil_process__json(const struct vigil_process *p);
/* The "workload" object (w may be NULL: ""), with info (may be NULL). New reference. */
struct json_t *vigil_workload__json(const struct vigil_workload *w,
				    const struct vigil_workload_info *info);
/* The kind's fields on one line into buf ("KEY name=value ..."). 0, or -EINVAL for size 0. */
int vigil_event__detail(const struct vigil_event *ev, char *buf, size_t size);

/* What compact copies (the zoom) keep, by the table: the main text (a path, a name; a name
 * computed into buf), the other end's address (NULL when the kind has none), protocol,
 * direction and byte count, and the payload or content sample (its length; *ret_data NULL
 * when none). */
const char *vigil_event__key(const struct vigil_event *ev, char *buf, size_t size);
const struct vigil_sockaddr *vigil_event__peer(const struct vigil_event *ev);
void vigil_event__net(const struct vigil_event *ev, uint8_t *ret_proto, uint8_t *ret_dir,
		      uint64_t *ret_bytes);
size_t vigil_event__sample(const struct vigil_event *ev, const uint8_t **ret_data);

/* RFC 3339 UTC time with nanoseconds ("2026-11-22T10:00:00.123456789Z") into buf (>= 32). */
const char *vigil_format_time_ns(uint64_t realtime_ns, char *buf, size_t size);
/* "TCP", "UDP", ... for an IP protocol number; "" when unknown. */
const char *vigil_ip_proto_name(unsigned proto);
/* An address as text: IPv4, IPv6, a unix socket's path, or "". */
void vigil_sockaddr__text(const struct vigil_sockaddr *a, char *out, size_t size);

/* Names of open flags, Kubescape style ("O_RDONLY", "O_CLOEXEC"...): at most max into out;
 * returns how many. The access mode always comes first. */
#define VIGIL_OPEN_FLAGS_MAX 20
size_t vigil_open_flag_names(uint32_t flags, const char **out, size_t max);
/* "ESTABLISHED", "SYN_SENT", ... ("" when unknown). */
const char *vigil_tcp_state_name(unsigned state);

#endif
