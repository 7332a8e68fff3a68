/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incident analysis: pure functions over bounded inputs (no I/O except the ELF/maps readers,
 * which read only the file they are given). Used by sensor/zoom to turn an incident's events
 * into a report; docs/EVIDENCE.md explains how to read the results.
 *
 * Every function takes untrusted bytes with an explicit length and never reads past it.
 * Functions return 0 or a negative errno; outputs go through ret pointers, untouched on error.
 */
#ifndef VIGIL_ANALYSIS_H
#define VIGIL_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- entropy ---------------------------------------------------------------------------- */

/* Shannon entropy of the bytes in bits per byte (0..8); 0 for len 0. */
double vigil_entropy(const uint8_t *data, size_t len);

/* ---- protocol of a flow from its first payload bytes ------------------------------------ */

enum vigil_proto {
	VIGIL_PROTO_NONE = 0, /* no payload seen */
	VIGIL_PROTO_HTTP,
	VIGIL_PROTO_DNS,
	VIGIL_PROTO_TLS,
	VIGIL_PROTO_REDIS,
	VIGIL_PROTO_POSTGRES,
	VIGIL_PROTO_MYSQL,
	VIGIL_PROTO_TEXT,   /* unknown, printable text */
	VIGIL_PROTO_BINARY, /* unknown binary protocol */
	VIGIL_PROTO__MAX
};

struct vigil_proto_info {
	enum vigil_proto proto;
	double entropy; /* bits per byte over the bytes examined */
	char detail
		[96]; /* e.g. "GET /index.html", "ClientHello TLS 1.2 sni=x", "query a.example" */
};

/* Bytes the detectors look at; longer input is examined only up to this bound. */
#define VIGIL_PROTO_MAX_EXAMINE 4096

/*
 * Classifies the first payload bytes of a flow (either direction). DNS is recognised both as
 * a bare UDP message and with TCP's 2-byte length prefix. Never fails: unknown data is TEXT or
 * BINARY, empty data NONE.
 */
void vigil_proto__detect(const uint8_t *data, size_t len, struct vigil_proto_info *ret);
/* "http", "dns", "tls", "redis", "postgres", "mysql", "text", "binary", "none". */
const char *vigil_proto__name(enum vigil_proto p);

/* ---- beaconing (RITA-style timestamp and size sub-scores) ------------------------------- */

#define VIGIL_BEACON_MIN_CONNS 4

struct vigil_beacon {
	bool scored;	      /* false when fewer than VIGIL_BEACON_MIN_CONNS contacts */
	uint32_t contacts;    /* timestamps considered */
	double ts_skew_score; /* 1 - |Bowley skew| of the gaps */
	double ts_mad_score;  /* (median - MAD) / median of the gaps, clamped to [0,1] */
	double ts_score;      /* mean of the two */
	double ds_score;      /* the same two over the sizes */
	double score;	      /* (ts_score + ds_score) / 2 */
	uint64_t interval_ns; /* median gap */
	const char *band;     /* "none" (<0.5), "low" (<0.7), "medium" (<0.9), "high" */
};

/*
 * Scores n contact times (nanoseconds, any order; they are sorted in a copy) and the bytes
 * sent at each. sizes may be NULL (size score then 1). n is capped at 65 536.
 * Returns 0, -EINVAL on NULL times, -ENOMEM.
 */
int vigil_beacon__score(const uint64_t *times_ns, const uint64_t *sizes, size_t n,
			struct vigil_beacon *ret);
/* Band name for a final score. */
const char *vigil_beacon__band(double score);

/* ---- language / runtime --------------------------------------------------------------- */

enum vigil_lang {
	VIGIL_LANG_UNKNOWN = 0,
	VIGIL_LANG_C,
	VIGIL_LANG_CXX,
	VIGIL_LANG_GO,
	VIGIL_LANG_RUST,
	VIGIL_LANG_PYTHON,
	VIGIL_LANG_JVM,
	VIGIL_LANG_NODE,
	VIGIL_LANG_DOTNET,
	VIGIL_LANG_RUBY,
	VIGIL_LANG__MAX
};

struct vigil_lang_info {
	enum vigil_lang lang;
	char version[32];  /* e.g. "go1.19.8", "3.11"; "" when unknown */
	char evidence[96]; /* why: ".go.buildinfo", "symbol _ZNSt...", "maps libpython3.11.so" */
};

/* Files larger than this are not examined (-EFBIG). */
#define VIGIL_ELF_MAX_BYTES (512ull << 20)
/* Bytes of read-only data scanned for marker strings ("/rustc/"). */
#define VIGIL_ELF_MAX_SCAN (64u << 20)

/* "c", "c++", "go", "rust", "python", "jvm", "node", ".net", "ruby", "unknown". */
const char *vigil_lang__name(enum vigil_lang l);

/*
 * Language of an ELF image in memory (libelf). -ENOEXEC when it is not a readable ELF file.
 * The image is not modified or kept.
 */
int vigil_lang__from_elf_mem(const void *data, size_t len, struct vigil_lang_info *ret);
/* The same for a file (bounded by VIGIL_ELF_MAX_BYTES). -errno from open/read. */
int vigil_lang__from_elf_file(const char *path, struct vigil_lang_info *ret);
/*
 * Runtime of the code a process maps, from /proc/PID/maps text (len bytes) and its exe path:
 * libpython3.N, libjvm.so, node, libcoreclr.so, libruby. Returns 0 and UNKNOWN when none.
 */
int vigil_lang__from_maps(const char *maps, size_t len, const char *exe,
			  struct vigil_lang_info *ret);
/*
 * Both for a live process: the exe's ELF, then what it maps (a runtime wins over the ELF's
 * language: python3 is a C program running Python). -ESRCH when the process is gone.
 */
int vigil_lang__from_pid(int pid, struct vigil_lang_info *ret);

/* ---- secret read, then sent ------------------------------------------------------------- */

/* Shortest run of secret bytes that counts as "sent" (shorter secrets must match whole). */
#define VIGIL_SECRET_MIN_MATCH 12
/* Bounds on what is compared. */
#define VIGIL_SECRET_MAX_BYTES	(64u << 10)
#define VIGIL_PAYLOAD_MAX_BYTES (64u << 10)

struct vigil_secret_match {
	size_t secret_off;  /* where the match starts in the secret */
	size_t payload_off; /* ... and in the payload */
	size_t len;	    /* longest common run found */
};

/*
 * Finds the longest run of bytes of secret (a sensitive file's content sample) inside payload
 * (an outbound sample), using a rolling hash over VIGIL_SECRET_MIN_MATCH-byte windows.
 * A run counts when it is >= VIGIL_SECRET_MIN_MATCH bytes, or the whole secret when the secret
 * is shorter (but at least 4 bytes). Returns 1 and fills ret on a match, 0 when none, -ENOMEM.
 * Inputs beyond the MAX bounds are ignored.
 */
int vigil_secret__find(const uint8_t *secret, size_t secret_len, const uint8_t *payload,
		       size_t payload_len, struct vigil_secret_match *ret);

/* True for paths whose content is a secret: tokens, keys, /etc/shadow, service accounts. */
bool vigil_secret__sensitive_path(const char *path);

/* How a matched secret is kept: hash, length and a short prefix, never the bytes. */
struct vigil_redaction {
	char sha256[65]; /* hex of the matched bytes */
	size_t len;
	char prefix_hex[9]; /* first 4 bytes, hex (fewer when len < 4) */
};

/*
 * Fills r for bytes [off, off+len) of data and overwrites them in data with '*' (0x2a).
 * Returns 0 or -EINVAL when the range is outside data.
 */
int vigil_redact(uint8_t *data, size_t data_len, size_t off, size_t len, struct vigil_redaction *r);

#endif
