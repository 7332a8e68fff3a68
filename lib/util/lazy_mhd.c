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

#define VIGIL_LAZYLIB_WRAPPERS
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

VIGIL_LAZYLIB_DEFINE(MHD_SONAME, "libmicrohttpd12", MHD_SYMS);

int vigil_mhd_need(const char *user, char *err, size_t size)
{
	return vigil_lazylib_need(&lazy_lib, user, err, size);
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (!vigil_lazylib_load(&lazy_lib))
		return NULL;
	va_start(ap, dh_cls);
	d = LAZY_REAL(MHD_start_daemon_va)(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	if (vigil_lazylib_load(&lazy_lib))
		LAZY_REAL(MHD_stop_daemon)(daemon);
}

enum MHD_Result MHD_run(struct MHD_Daemon *daemon)
{
	return LAZY_CALL(MHD_NO, MHD_run, (daemon));
}

enum MHD_Result MHD_get_timeout(struct MHD_Daemon *daemon, MHD_UNSIGNED_LONG_LONG *timeout)
{
	return LAZY_CALL(MHD_NO, MHD_get_timeout, (daemon, timeout));
}

/* The trailing arguments are unused by every info type (the header says so): none passed. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	return LAZY_CALL(NULL, MHD_get_daemon_info, (daemon, info_type));
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	return LAZY_CALL(NULL, MHD_get_connection_info, (connection, info_type));
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
					const char *key)
{
	return LAZY_CALL(NULL, MHD_lookup_connection_value, (connection, kind, key));
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
			      MHD_KeyValueIterator iterator, void *iterator_cls)
{
	return LAZY_CALL(-1, MHD_get_connection_values, (connection, kind, iterator, iterator_cls));
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	return LAZY_CALL(MHD_NO, MHD_queue_response, (connection, status_code, response));
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	return LAZY_CALL(NULL, MHD_create_response_from_buffer, (size, buffer, mode));
}

void MHD_destroy_response(struct MHD_Response *response)
{
	if (vigil_lazylib_load(&lazy_lib))
		LAZY_REAL(MHD_destroy_response)(response);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
					const char *content)
{
	return LAZY_CALL(MHD_NO, MHD_add_response_header, (response, header, content));
}

void MHD_suspend_connection(struct MHD_Connection *connection)
{
	if (vigil_lazylib_load(&lazy_lib))
		LAZY_REAL(MHD_suspend_connection)(connection);
}

void MHD_resume_connection(struct MHD_Connection *connection)
{
	if (vigil_lazylib_load(&lazy_lib))
		LAZY_REAL(MHD_resume_connection)(connection);
}
