// SPDX-License-Identifier: Apache-2.0
/* The Prometheus text exposition format (version 0.0.4): families, samples, label escaping. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sensor/metrics/metrics.h"

int prom_family(struct vigil_buf *b, const char *name, const char *type, const char *help)
{
	return vigil_buf__printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int put_label_value(struct vigil_buf *b, const char *v)
{
	int e = 0;

	for (; *v && !e; v++) {
		if (*v == '\\')
			e = vigil_buf__puts(b, "\\\\");
		else if (*v == '"')
			e = vigil_buf__puts(b, "\\\"");
		else if (*v == '\n')
			e = vigil_buf__puts(b, "\\n");
		else
			e = vigil_buf__append(b, v, 1);
	}
	return e;
}

int prom_sample(struct vigil_buf *b, const char *name, double value, unsigned nlabels, ...)
{
	va_list ap;
	int e = vigil_buf__puts(b, name);

	va_start(ap, nlabels);
	for (unsigned i = 0; i < nlabels && !e; i++) {
		const char *k = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);

		e = vigil_buf__printf(b, "%s%s=\"", i ? "," : "{", k);
		if (!e)
			e = put_label_value(b, v ? v : "");
		if (!e)
			e = vigil_buf__puts(b, "\"");
	}
	va_end(ap);
	if (!e && nlabels)
		e = vigil_buf__puts(b, "}");
	/* counters are integers: print them as such, without an exponent */
	if (!e && value == floor(value) && fabs(value) < 9007199254740992.0)
		e = vigil_buf__printf(b, " %.0f\n", value);
	else if (!e)
		e = vigil_buf__printf(b, " %.9g\n", value);
	return e;
}

int prom_metric(struct vigil_buf *b, const char *name, const char *type, const char *help,
		double value)
{
	int e = prom_family(b, name, type, help);

	return e ? e : prom_sample(b, name, value, 0);
}
