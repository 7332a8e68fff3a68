/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event model: one row per event kind listing its fields (in the spirit of Falco's event
 * table). Every place that shows an event reads this table: `vigil trace` (JSON and lines), the
 * alert's "event" object, the zoom's compact copies and the evidence store's event rows. So a
 * field has one name and one spelling (open flags, DNS types, TCP states... by name) everywhere.
 * Private to lib/event/; the interface is include/vigil/event.h.
 */
#ifndef VIGIL_EVENT_TABLE_H
#define VIGIL_EVENT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

enum ev_field_type {
	EV_STR = 1, /* const char * ("" when NULL) */
	EV_BOOL,    /* bool */
	EV_INT,	    /* signed integer of the member's size */
	EV_UINT,    /* unsigned integer of the member's size */
	EV_NAME,    /* integer shown by its name (names), the number as text when it has none */
	EV_FLAGS,   /* integer bits shown as a list of names (names) */
	EV_ADDR,    /* struct vigil_sockaddr: address as text (IPv4, IPv6, unix path) */
	EV_PORT,    /* struct vigil_sockaddr: port (lines show it with the address) */
	EV_FAMILY,  /* struct vigil_sockaddr: "inet", "inet6", "unix" or "" */
	EV_SAMPLE,  /* const uint8_t * plus its length member (len_off): sample_len, sample_hex */
};

enum ev_field_flag {
	EV_OPTIONAL = 1 << 0, /* left out when 0, "" or NULL (an ADDR: when no family) */
	EV_KEY = 1 << 1,      /* the kind's main text (a path, a name): first on a line, kept in
			       * compact copies (zoom) */
	EV_PEER = 1 << 2,     /* ADDR: the other end (kept in compact copies) */
	EV_BYTES = 1 << 3,    /* UINT: a byte count (kept in compact copies) */
	EV_PROTO = 1 << 4,    /* NAME: the IP protocol (kept in compact copies) */
	EV_DIR = 1 << 5,      /* NAME: the direction (kept in compact copies) */
};

/* Names of the values of one field: a table of values, or of bits (FLAGS), or a function. */
struct ev_name {
	uint64_t value;
	const char *name;
};
struct ev_names {
	const struct ev_name *v;
	size_t n;
	/* computed names (open flags: the access mode is not a bit); returns how many */
	size_t (*fn)(uint64_t value, const char **out, size_t max);
};

struct ev_field {
	const char *name;
	enum ev_field_type type;
	uint16_t off;	  /* offsetof(struct vigil_event, member) */
	uint8_t size;	  /* sizeof(member), for integers */
	uint16_t len_off; /* SAMPLE: offsetof its length member (uint32_t) */
	unsigned flags;	  /* enum ev_field_flag */
	const struct ev_names *names;
};

struct ev_desc {
	const char *name; /* stable lower-case name: "open" */
	const struct ev_field *fields;
	size_t nfields;
};

/* The row of a kind; NULL for an unknown kind. */
const struct ev_desc *ev_desc_of(enum vigil_event_kind kind);

/* names.c: the value names the table refers to */
extern const struct ev_names ev_names_open_flags, ev_names_proto, ev_names_direction,
	ev_names_tcp_state, ev_names_dns_qtype, ev_names_clone_flags, ev_names_ptrace,
	ev_names_bpf_cmd, ev_names_memfd_flags, ev_names_mount_flags, ev_names_module_call,
	ev_names_written_how, ev_names_send_call, ev_names_tls_call, ev_names_sock_family,
	ev_names_sock_type, ev_names_prot, ev_names_setid_bits, ev_names_file_type,
	ev_names_ns_call;

/* The names of value v (at most max); 0 when it has none. */
size_t ev_names_get(const struct ev_names *names, uint64_t v, const char **out, size_t max);

/* Field access */
uint64_t ev_field_u64(const struct vigil_event *ev, const struct ev_field *f);
int64_t ev_field_i64(const struct vigil_event *ev, const struct ev_field *f);
const char *ev_field_str(const struct vigil_event *ev, const struct ev_field *f);
const struct vigil_sockaddr *ev_field_addr(const struct vigil_event *ev, const struct ev_field *f);

#endif
