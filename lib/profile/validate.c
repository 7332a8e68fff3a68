// SPDX-License-Identifier: Apache-2.0
/*
 * Validation of the values inside an SBoB: wildcard placement in paths, exec arguments,
 * endpoints and DNS names, IP literals and CIDRs, and the closed vocabularies (open flags,
 * capabilities, io_uring operations, HTTP methods). Each check writes a message a person can
 * act on into msg and returns false; the loader adds FILE:LINE:COL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/strutil.h"

/* The three big vocabularies are sorted (byte order): lookups are binary searches. */
const char *const prof_open_flag_names[] = {
	"O_APPEND",    "O_ASYNC",   "O_CLOEXEC", "O_CREAT",  "O_DIRECT",
	"O_DIRECTORY", "O_DSYNC",   "O_EXCL",	 "O_FASYNC", "O_FSYNC",
	"O_LARGEFILE", "O_NDELAY",  "O_NOATIME", "O_NOCTTY", "O_NOFOLLOW",
	"O_NONBLOCK",  "O_PATH",    "O_RDONLY",	 "O_RDWR",   "O_RSYNC",
	"O_SYNC",      "O_TMPFILE", "O_TRUNC",	 "O_WRONLY", NULL,
};

const char *const prof_capability_names[] = {
	"CAP_AUDIT_CONTROL",   "CAP_AUDIT_READ",   "CAP_AUDIT_WRITE",
	"CAP_BLOCK_SUSPEND",   "CAP_BPF",	   "CAP_CHECKPOINT_RESTORE",
	"CAP_CHOWN",	       "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",	       "CAP_FSETID",	   "CAP_IPC_LOCK",
	"CAP_IPC_OWNER",       "CAP_KILL",	   "CAP_LEASE",
	"CAP_LINUX_IMMUTABLE", "CAP_MAC_ADMIN",	   "CAP_MAC_OVERRIDE",
	"CAP_MKNOD",	       "CAP_NET_ADMIN",	   "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",   "CAP_NET_RAW",	   "CAP_PERFMON",
	"CAP_SETFCAP",	       "CAP_SETGID",	   "CAP_SETPCAP",
	"CAP_SETUID",	       "CAP_SYSLOG",	   "CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",	       "CAP_SYS_CHROOT",   "CAP_SYS_MODULE",
	"CAP_SYS_NICE",	       "CAP_SYS_PACCT",	   "CAP_SYS_PTRACE",
	"CAP_SYS_RAWIO",       "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",  "CAP_WAKE_ALARM",   NULL,
};

/* io_uring opcodes (IORING_OP_* without the prefix) up to kernel 6.18. */
const char *const prof_iouring_op_names[] = {
	"ACCEPT",
	"ASYNC_CANCEL",
	"BIND",
	"CLOSE",
	"CONNECT",
	"EPOLL_CTL",
	"EPOLL_WAIT",
	"FADVISE",
	"FALLOCATE",
	"FGETXATTR",
	"FILES_UPDATE",
	"FIXED_FD_INSTALL",
	"FSETXATTR",
	"FSYNC",
	"FTRUNCATE",
	"FUTEX_WAIT",
	"FUTEX_WAITV",
	"FUTEX_WAKE",
	"GETXATTR",
	"LINKAT",
	"LINK_TIMEOUT",
	"LISTEN",
	"MADVISE",
	"MKDIRAT",
	"MSG_RING",
	"NOP",
	"OPENAT",
	"OPENAT2",
	"PIPE",
	"POLL_ADD",
	"POLL_REMOVE",
	"PROVIDE_BUFFERS",
	"READ",
	"READV",
	"READV_FIXED",
	"READ_FIXED",
	"READ_MULTISHOT",
	"RECV",
	"RECVMSG",
	"RECV_ZC",
	"REMOVE_BUFFERS",
	"RENAMEAT",
	"SEND",
	"SENDMSG",
	"SENDMSG_ZC",
	"SEND_ZC",
	"SETXATTR",
	"SHUTDOWN",
	"SOCKET",
	"SPLICE",
	"STATX",
	"SYMLINKAT",
	"SYNC_FILE_RANGE",
	"TEE",
	"TIMEOUT",
	"TIMEOUT_REMOVE",
	"UNLINKAT",
	"URING_CMD",
	"WAITID",
	"WRITE",
	"WRITEV",
	"WRITEV_FIXED",
	"WRITE_FIXED",
	NULL,
};

/* RFC 9110 methods, then WebDAV's (RFC 4918, 3253, 5323), which servers also see. */
const char *const prof_http_method_names[] = {
	"GET",	 "HEAD",   "POST",     "PUT",	    "DELETE", "CONNECT", "OPTIONS",
	"TRACE", "PATCH",  "PROPFIND", "PROPPATCH", "MKCOL",  "COPY",	 "MOVE",
	"LOCK",	 "UNLOCK", "REPORT",   "SEARCH",    "QUERY",  NULL,
};

static bool msgf(char *msg, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool msgf(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return false;
}

/* Entries of a NULL-terminated table defined in this file. */
#define NAMES(t) (sizeof(t) / sizeof((t)[0]) - 1)

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool in_sorted(const char *name, const char *const *names, size_t n)
{
	return bsearch(name, names, n, sizeof(*names), cmp_name) != NULL;
}

bool prof_name_in(const char *name, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static bool check_vocab(const char *value, const char *const *names, const char *what, char *msg,
			size_t size)
{
	const char *s;

	if (prof_name_in(value, names))
		return true;
	s = vigil_suggest(value, names);
	if (!s) {
		/* a truncated name ("CAP_NET_BIND") is a prefix of the one meant */
		size_t n = 0, len = strlen(value);

		for (size_t i = 0; names[i]; i++)
			if (len >= 4 && !strncmp(names[i], value, len) && ++n == 1)
				s = names[i];
		if (n != 1)
			s = NULL;
	}
	if (s)
		return msgf(msg, size, "unknown %s \"%s\" (did you mean \"%s\"?)", what, value, s);
	if (names[0] && names[1] && !names[2])
		return msgf(msg, size, "unknown %s \"%s\" (expected %s or %s)", what, value,
			    names[0], names[1]);
	if (names[0] && names[1] && names[2] && !names[3])
		return msgf(msg, size, "unknown %s \"%s\" (expected %s, %s or %s)", what, value,
			    names[0], names[1], names[2]);
	return msgf(msg, size, "unknown %s \"%s\"", what, value);
}

bool prof_check_open_flag(const char *v, char *msg, size_t size)
{
	if (in_sorted(v, prof_open_flag_names, NAMES(prof_open_flag_names)))
		return true;
	return check_vocab(v, prof_open_flag_names, "open flag", msg, size);
}

bool prof_check_capability(const char *v, char *msg, size_t size)
{
	char full[64];

	if (in_sorted(v, prof_capability_names, NAMES(prof_capability_names)))
		return true;
	/* profiles learned by Kubescape write capabilities without the prefix ("SETUID") */
	if (!vigil_str_has_prefix(v, "CAP_") && strlen(v) < sizeof(full) - 4) {
		snprintf(full, sizeof(full), "CAP_%s", v);
		if (in_sorted(full, prof_capability_names, NAMES(prof_capability_names)))
			return true;
		return check_vocab(full, prof_capability_names, "capability", msg, size);
	}
	return check_vocab(v, prof_capability_names, "capability", msg, size);
}

bool prof_check_iouring_op(const char *v, char *msg, size_t size)
{
	if (in_sorted(v, prof_iouring_op_names, NAMES(prof_iouring_op_names)))
		return true;
	if (vigil_str_has_prefix(v, "IORING_OP_") && prof_name_in(v + 10, prof_iouring_op_names))
		return msgf(msg, size,
			    "io_uring operation \"%s\" is written without the prefix: \"%s\"", v,
			    v + 10);
	return check_vocab(v, prof_iouring_op_names, "io_uring operation", msg, size);
}

bool prof_check_exec_digest(const char *v, char *msg, size_t size)
{
	const char *sp = strrchr(v, ' ');
	size_t plen = sp ? (size_t)(sp - v) : 0;

	if (!sp || v[0] != '/' || strlen(v) >= PROF_DIGEST_ENTRY_MAX)
		return msgf(msg, size,
			    "execDigests entry \"%.80s\" must be \"/absolute/path sha256:HEX\"", v);
	if (memmem(v, plen, "\xe2\x8b\xaf", 3) || memchr(v, '*', plen))
		return msgf(msg, size, "execDigests path \"%.*s\" must be literal (no ⋯ or *)",
			    (int)(plen > 200 ? 200 : plen), v);
	if (strncmp(sp + 1, "sha256:", 7) || strlen(sp + 8) != 64 || !vigil_is_hex(sp + 8, 64))
		return msgf(
			msg, size,
			"execDigests digest \"%.80s\" must be sha256: and 64 lower-case hex digits",
			sp + 1);
	return true;
}

bool prof_check_exe_key(const char *v, char *msg, size_t size)
{
	if (v[0] != '/' || strlen(v) >= 4096)
		return msgf(msg, size,
			    "byExecutable path \"%.80s\" must be an absolute path (at most 4095 "
			    "bytes)",
			    v);
	if (strstr(v, "\xe2\x8b\xaf") || strchr(v, '*'))
		return msgf(msg, size,
			    "byExecutable path \"%.200s\" must be literal (no ⋯ or *): a section "
			    "is the executable the kernel ran",
			    v);
	return prof_utf8_valid(v) ? true : msgf(msg, size, "byExecutable path is not UTF-8");
}

bool prof_check_method(const char *v, char *msg, size_t size)
{
	return check_vocab(v, prof_http_method_names, "HTTP method", msg, size);
}

bool prof_utf8_valid(const char *s)
{
	while (*s) {
		size_t n = vigil_utf8_len(s);

		if (n == 0)
			return false;
		s += n;
	}
	return true;
}

bool prof_check_syscall(const char *v, char *msg, size_t size)
{
	if (!*v)
		return msgf(msg, size, "empty syscall name");
	for (const char *c = v; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return msgf(
				msg, size,
				"invalid syscall name \"%s\": lower-case letters, digits and _ only",
				v);
	return true;
}

/*
 * Path rules (kubescape-sbob.md §2): "⋯" is exactly one whole segment, "*" is a whole segment
 * (mid-path: zero or more segments; trailing: one or more), "⋯⋯" belongs to exec args only.
 * Kubescape accepts any other placement and compares such a segment as plain text
 * (dynamicpathdetector.CompareDynamic), and so does Vigil's matcher: with warn given, such a
 * value is accepted and described there; without (the builder), it is refused.
 */
static bool check_path_segments(const char *path, const char *what, char *msg, size_t size,
				char *warn, size_t wsize)
{
	const char *seg = path;

	while (*seg) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		bool ell = memmem(seg, len, PROF_ELLIPSIS, PROF_ELLIPSIS_LEN) != NULL;
		bool star = memchr(seg, '*', len) != NULL;
		bool whole_ell = len == PROF_ELLIPSIS_LEN && ell;
		bool whole_star = len == 1 && star;

		if ((ell && !whole_ell) || (star && !whole_star)) {
			bool any = len == 2 * PROF_ELLIPSIS_LEN &&
				   !memcmp(seg, PROF_ELLIPSIS_ANY, 2 * PROF_ELLIPSIS_LEN);

			if (!warn && any)
				return msgf(
					msg, size,
					"invalid %s \"%s\": \"⋯⋯\" is only allowed in exec args "
					"(use \"*\" for any number of path segments)",
					what, path);
			if (!warn)
				return msgf(
					msg, size,
					"invalid %s \"%s\": \"%s\" must be a whole path segment "
					"(\"/a/%s/b\")",
					what, path, ell ? "⋯" : "*", ell ? "⋯" : "*");
			if (!*warn)
				snprintf(
					warn, wsize,
					"%s \"%s\": \"%.*s\" is compared literally, as in Kubescape "
					"(%s)",
					what, path, (int)len, seg,
					any ? "\"⋯⋯\" is a wildcard only in exec args; \"*\" is any "
					      "number of segments"
					    : "\"⋯\" and \"*\" are wildcards only as a whole segment: "
					      "\"/a/⋯/b\", \"/a/*\"");
		}
		if (!end)
			break;
		seg = end + 1;
	}
	return true;
}

bool prof_check_open_path_w(const char *path, char *msg, size_t size, char *warn, size_t wsize)
{
	if (!prof_utf8_valid(path))
		return msgf(msg, size, "not valid UTF-8");
	if (path[0] != '/' && !warn)
		return msgf(msg, size,
			    "invalid open path \"%s\": must be absolute (start with \"/\")", path);
	/*
	 * Kubescape's types take any string, and node-agent wrote relative paths as the program
	 * gave them before it resolved them against the working directory: such an entry loads
	 * with a warning and matches no open (the kernel reports absolute paths).
	 */
	if (path[0] != '/') {
		if (!*warn)
			snprintf(warn, wsize,
				 "open path \"%s\" is not absolute: loaded as in Kubescape, it "
				 "matches no open",
				 path);
		return true;
	}
	return check_path_segments(path, "open path", msg, size, warn, wsize);
}

bool prof_check_open_path(const char *path, char *msg, size_t size)
{
	return prof_check_open_path_w(path, msg, size, NULL, 0);
}

bool prof_check_exec_path_w(const char *path, char *msg, size_t size, char *warn, size_t wsize)
{
	if (!prof_utf8_valid(path))
		return msgf(msg, size, "not valid UTF-8");
	if (!*path && !warn)
		return msgf(msg, size, "empty exec path");
	if (!*path) { /* Go's zero value: Kubescape loads it, no program has that path */
		if (!*warn)
			snprintf(warn, wsize,
				 "empty exec path: loaded as in Kubescape, it matches no program");
		return true;
	}
	return check_path_segments(path, "exec path", msg, size, warn, wsize);
}

bool prof_check_exec_path(const char *path, char *msg, size_t size)
{
	return prof_check_exec_path_w(path, msg, size, NULL, 0);
}

/*
 * Kubescape also matches a path-like argument segment by segment ("/usr/lib/⋯/bin/pg"): there
 * "⋯" may stand for one whole segment. "*" stays a literal character in arguments.
 */
static bool path_like_arg_ok(const char *arg)
{
	const char *seg = arg;

	if (!strchr(arg, '/') || strstr(arg, PROF_ELLIPSIS_ANY))
		return false;
	while (*seg) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (memmem(seg, len, PROF_ELLIPSIS, PROF_ELLIPSIS_LEN) && len != PROF_ELLIPSIS_LEN)
			return false;
		if (!end)
			break;
		seg = end + 1;
	}
	return true;
}

bool prof_check_exec_arg_w(const char *arg, char *msg, size_t size, char *warn, size_t wsize)
{
	if (!prof_utf8_valid(arg))
		return msgf(msg, size, "not valid UTF-8");
	if (!strcmp(arg, PROF_ELLIPSIS) || !strcmp(arg, PROF_ELLIPSIS_ANY))
		return true;
	if (strstr(arg, PROF_ELLIPSIS) && !path_like_arg_ok(arg)) {
		/* Kubescape compares it as text, '/'-segment by segment (MatchExecArgs) */
		if (!warn)
			return msgf(msg, size,
				    "invalid exec arg \"%s\": \"⋯\" (one argument) and \"⋯⋯\" "
				    "(any arguments) must be a whole argument",
				    arg);
		if (!*warn)
			snprintf(
				warn, wsize,
				"exec arg \"%s\" is compared literally, as in Kubescape (\"⋯\" is "
				"a wildcard only as a whole argument or a whole segment of a path: "
				"\"⋯\", \"/usr/lib/⋯/bin\")",
				arg);
	}
	return true;
}

bool prof_check_exec_arg(const char *arg, char *msg, size_t size)
{
	return prof_check_exec_arg_w(arg, msg, size, NULL, 0);
}

static bool check_endpoint_shape(const char *ep, char *msg, size_t size, char *warn, size_t wsize);

/*
 * Kubescape's endpoint is any string; node-agent writes ":PORT" + the request's URL, and the
 * URL alone when the request had no Host header (an HTTP/1.0 health check: "/healthz"). With
 * warn given, an endpoint of another shape loads with a warning. No rule of Kubescape's library
 * judges endpoints; Vigil's V1108 (off by default) does, through the matcher, which reads "/path"
 * as any port and never matches an endpoint of another shape (a request is always ":PORT/path").
 */
bool prof_check_endpoint_w(const char *ep, char *msg, size_t size, char *warn, size_t wsize)
{
	if (check_endpoint_shape(ep, msg, size, warn, wsize))
		return true;
	if (!warn || !prof_utf8_valid(ep))
		return false;
	if (!*warn)
		snprintf(warn, wsize, "%.*s: loaded as in Kubescape, which compares it as text",
			 (int)(wsize > 64 ? wsize - 64 : 0), msg);
	return true;
}

static bool check_endpoint_shape(const char *ep, char *msg, size_t size, char *warn, size_t wsize)
{
	const char *p = ep + 1;
	unsigned long port = 0;
	size_t digits = 0;

	if (ep[0] != ':')
		return msgf(
			msg, size,
			"invalid endpoint \"%s\": expected \":PORT/path\" (e.g. \":443/api/⋯\", "
			"\":0/health\" for any port)",
			ep);
	while (*p >= '0' && *p <= '9' && digits < 6) {
		port = port * 10 + (unsigned long)(*p - '0');
		p++;
		digits++;
	}
	if (!digits || port > 65535)
		return msgf(msg, size, "invalid endpoint \"%s\": port must be 0..65535", ep);
	if (*p != '/')
		return msgf(
			msg, size,
			"invalid endpoint \"%s\": expected \":PORT/path\" (the path starts with "
			"\"/\")",
			ep);
	return check_path_segments(p, "endpoint path", msg, size, warn, wsize);
}

bool prof_check_endpoint(const char *ep, char *msg, size_t size)
{
	return prof_check_endpoint_w(ep, msg, size, NULL, 0);
}

bool prof_check_direction(const char *v, char *msg, size_t size)
{
	static const char *const dirs[] = { "inbound", "outbound", NULL };

	return check_vocab(v, dirs, "endpoint direction", msg, size);
}

bool prof_check_ip(const char *v, char *msg, size_t size)
{
	char addr[64];
	const char *slash;
	unsigned char buf[16];
	int family;
	size_t alen;

	if (!strcmp(v, "*"))
		return true;
	slash = strchr(v, '/');
	alen = slash ? (size_t)(slash - v) : strlen(v);
	if (alen >= sizeof(addr))
		return msgf(msg, size, "invalid IP address or CIDR \"%s\"", v);
	memcpy(addr, v, alen);
	addr[alen] = 0;
	if (inet_pton(AF_INET, addr, buf) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, addr, buf) == 1)
		family = 6;
	else
		return msgf(msg, size,
			    "invalid IP address or CIDR \"%s\": expected an IPv4/IPv6 literal, "
			    "ADDR/PREFIX or \"*\"",
			    v);
	if (slash) {
		const char *p = slash + 1;
		unsigned long bits = 0;
		unsigned long max = family == 4 ? 32 : 128;
		size_t digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			bits = bits * 10 + (unsigned long)(*p - '0');
			p++;
			digits++;
		}
		if (!digits || *p || bits > max)
			return msgf(msg, size, "invalid CIDR \"%s\": prefix length must be 0..%lu",
				    v, max);
	}
	return true;
}

/*
 * DNS names: labels of letters, digits, '-' and '_'; wildcards "*.suffix" (one label),
 * "a.⋯.b" (one label, anywhere but alone) and "prefix.*" (one or more labels). One trailing
 * dot. A "*" or "⋯" inside a label is text to Kubescape's matcher (networkmatch) and to
 * Vigil's: accepted with a warning when warn is given. A whole "*" label in the middle, "**",
 * an empty label and a lone "*" are refused, as Kubescape's storage refuses them
 * (networkmatch.ValidateDNSEntry); other bytes in a label and labels or names longer than DNS
 * allows, which it takes, are accepted with a warning when warn is given (compared literally:
 * a query rarely has them).
 */
static bool dns_odd(const char *name, const char *what, char *msg, size_t size, char *warn,
		    size_t wsize)
{
	if (!warn)
		return msgf(msg, size, "invalid DNS name \"%s\": %s", name, what);
	if (!*warn)
		snprintf(warn, wsize,
			 "DNS name \"%s\": %s: loaded as in Kubescape, compared literally", name,
			 what);
	return true;
}

bool prof_check_dns_w(const char *name, char *msg, size_t size, char *warn, size_t wsize)
{
	size_t len = strlen(name);
	const char *lab = name;
	size_t nlabels = 0;

	if (!len)
		return msgf(msg, size, "empty DNS name");
	if (len > 254 && !dns_odd(name, "longer than 253 bytes", msg, size, warn, wsize))
		return false;
	if (name[len - 1] == '.')
		len--;
	while (lab < name + len) {
		const char *end = memchr(lab, '.', (size_t)(name + len - lab));
		size_t l = end ? (size_t)(end - lab) : (size_t)(name + len - lab);
		bool is_star = l == 1 && lab[0] == '*';
		bool is_ell = l == PROF_ELLIPSIS_LEN && !memcmp(lab, PROF_ELLIPSIS, l);

		nlabels++;
		if (!l)
			return msgf(msg, size, "invalid DNS name \"%s\": empty label", name);
		if (l > 63 &&
		    !dns_odd(name, "a label longer than 63 bytes", msg, size, warn, wsize))
			return false;
		if (is_star && lab != name && end)
			return msgf(msg, size,
				    "invalid DNS name \"%s\": \"*\" is allowed as the first label "
				    "(\"*.example.com\") or the last (\"example.*\")",
				    name);
		if (l == 2 && lab[0] == '*' && lab[1] == '*')
			return msgf(
				msg, size,
				"invalid DNS name \"%s\": \"**\" is reserved (Kubescape refuses "
				"it; \"*.example.com\" is one label, \"example.*\" one or more)",
				name);
		if (!is_star && !is_ell) {
			bool partial = false, odd = false;

			for (size_t i = 0; i < l; i++) {
				unsigned char c = (unsigned char)lab[i];

				if (c == '*') {
					partial = true;
					continue;
				}
				if (i + PROF_ELLIPSIS_LEN <= l &&
				    !memcmp(lab + i, PROF_ELLIPSIS, PROF_ELLIPSIS_LEN)) {
					partial = true;
					i += PROF_ELLIPSIS_LEN - 1;
					continue;
				}
				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				      (c >= '0' && c <= '9') || c == '-' || c == '_'))
					odd = true;
			}
			if (odd) {
				char what[160];

				snprintf(what, sizeof(what),
					 "label \"%.*s\" has a character DNS names do not",
					 (int)(l > 80 ? 80 : l), lab);
				if (!dns_odd(name, what, msg, size, warn, wsize))
					return false;
			}
			if (partial && !warn)
				return msgf(
					msg, size,
					"invalid DNS name \"%s\": \"*\" and \"⋯\" must be a "
					"whole label (\"*.example.com\", \"api.⋯.example.com\")",
					name);
			if (partial && !*warn)
				snprintf(warn, wsize,
					 "DNS name \"%s\": \"%.*s\" is compared literally, as in "
					 "Kubescape (\"*\" and \"⋯\" are wildcards only as a whole "
					 "label: \"*.example.com\", \"api.⋯.example.com\")",
					 name, (int)l, lab);
		}
		if (!end)
			break;
		lab = end + 1;
	}
	if (nlabels == 1 && name[0] == '*')
		return msgf(msg, size, "invalid DNS name \"%s\": \"*\" needs a suffix", name);
	return true;
}

bool prof_check_dns(const char *name, char *msg, size_t size)
{
	return prof_check_dns_w(name, msg, size, NULL, 0);
}

static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };

bool prof_check_protocol(const char *v, char *msg, size_t size)
{
	return check_vocab(v, protocols, "protocol", msg, size);
}

bool prof_protocol_known(const char *v)
{
	return !v || !*v || prof_name_in(v, protocols);
}

bool prof_check_neighbor_type(const char *v, char *msg, size_t size)
{
	static const char *const types[] = { "internal", "external", NULL };

	return check_vocab(v, types, "neighbor type", msg, size);
}
