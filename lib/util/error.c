// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vigil/error.h"
#include "util/strutil.h"

int vigil_error__set(struct vigil_error *err, int code, const char *file, int line, int column,
		     const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	vigil_strlcpy(err->file, file ? file : "", sizeof(err->file));
	err->line = line;
	err->column = column;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void vigil_error__clear(struct vigil_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

const char *vigil_error__format(const struct vigil_error *err, char *buf, size_t size)
{
	if (!size)
		return buf;
	if (err->file[0] && err->line > 0 && err->column > 0)
		snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->column,
			 err->message);
	else if (err->file[0] && err->line > 0)
		snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->message);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->message);
	else
		snprintf(buf, size, "%s", err->message[0] ? err->message : strerror(-err->code));
	return buf;
}
