/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An incident report made to fit one spool record (internal to sensor/uplink; thin.c says why).
 */
#ifndef VIGIL_UPLINK_THIN_H
#define VIGIL_UPLINK_THIN_H

#include <stddef.h>

struct json_t;

/*
 * The report as compact JSON of at most limit bytes, in *ret_text (malloc'd) and *ret_len:
 * 0 when it fits whole; 1 when events (first) and alerts (then) were left out of the middle
 * of their arrays to make it fit, said in its "uplink_omitted" object; -EMSGSIZE when even
 * that does not fit; -ENOMEM.
 */
int uplink_thin_report(const struct json_t *report, size_t limit, char **ret_text, size_t *ret_len);

#endif
