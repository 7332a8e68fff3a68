// SPDX-License-Identifier: Apache-2.0
/*
 * libmicrohttpd, loaded at its first use (see lazylib.h): every MHD function Vigil calls is
 * defined here under its own name and calls through to libmicrohttpd.so.12 once loaded. An
 * agent without a metrics server never maps it nor the GnuTLS it links. A function added to
 * the code that is not wrapped here fails at link time (the binary does not link it).
 */
#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

#include "util/lazylib.h"

/* libmicrohttpd's ABI has been .so.12 since 0.9.? (2014) to this day. */
#define MHD_SONAME "libmicrohttpd.so.12"

/* MHD_start_daemon is variadic: the wrapper passes its options on through the _va form. */
#define MHD_SYMS(X)                        \
	X(MHD_start_daemon_va)             \
	X(MHD_stop_daemon)                 \
	X(MHD_run)                         \
	X(MHD_get_timeout)                 \
	X(MHD_get_daemon_info)             \
	X(MHD_get_connection_info)         \
	X(MHD_lookup_connection_value)     \
	X(MHD_get_connection_values)       \
	X(MHD_queue_response)              \
	X(MHD_create_response_from_buffer) \
	X(MHD_destroy_response)            \
	X(MHD_add_response_header)         \
	X(MHD_suspend_connection)          \
	X(MHD_resume_connection)

#define MHD_IX(n) IX_##n,
enum {
	MHD_SYMS(MHD_IX) MHD_NSYMS
};
#define MHD_NAME(n) #n,
static const char *const mhd_names[] = { MHD_SYMS(MHD_NAME) NULL };
static void *mhd_slots[MHD_NSYMS];
static struct vigil_lazylib mhd_lib = { .soname = MHD_SONAME,
					.syms = mhd_names,
					.slots = mhd_slots };

#define REAL(n) ((__typeof__(&n))mhd_slots[IX_##n])

/* Anything but MHD_start_daemon needs a daemon, connection or response: loaded already. */
static bool mhd_loaded(void)
{
	return vigil_lazylib_load(&mhd_lib);
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (!mhd_loaded())
		return NULL;
	va_start(ap, dh_cls);
	d = REAL(MHD_start_daemon_va)(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	if (mhd_loaded())
		REAL(MHD_stop_daemon)(daemon);
}

enum MHD_Result MHD_run(struct MHD_Daemon *daemon)
{
	return mhd_loaded() ? REAL(MHD_run)(daemon) : MHD_NO;
}

enum MHD_Result MHD_get_timeout(struct MHD_Daemon *daemon, MHD_UNSIGNED_LONG_LONG *timeout)
{
	return mhd_loaded() ? REAL(MHD_get_timeout)(daemon, timeout) : MHD_NO;
}

/* The trailing arguments are unused by every info type (the header says so): none passed. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	return mhd_loaded() ? REAL(MHD_get_daemon_info)(daemon, info_type) : NULL;
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	return mhd_loaded() ? REAL(MHD_get_connection_info)(connection, info_type) : NULL;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
					const char *key)
{
	return mhd_loaded() ? REAL(MHD_lookup_connection_value)(connection, kind, key) : NULL;
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
			      MHD_KeyValueIterator iterator, void *iterator_cls)
{
	return mhd_loaded()
		       ? REAL(MHD_get_connection_values)(connection, kind, iterator, iterator_cls)
		       : -1;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	return mhd_loaded() ? REAL(MHD_queue_response)(connection, status_code, response) : MHD_NO;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	return mhd_loaded() ? REAL(MHD_create_response_from_buffer)(size, buffer, mode) : NULL;
}

void MHD_destroy_response(struct MHD_Response *response)
{
	if (mhd_loaded())
		REAL(MHD_destroy_response)(response);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
					const char *content)
{
	return mhd_loaded() ? REAL(MHD_add_response_header)(response, header, content) : MHD_NO;
}

void MHD_suspend_connection(struct MHD_Connection *connection)
{
	if (mhd_loaded())
		REAL(MHD_suspend_connection)(connection);
}

void MHD_resume_connection(struct MHD_Connection *connection)
{
	if (mhd_loaded())
		REAL(MHD_resume_connection)(connection);
}
