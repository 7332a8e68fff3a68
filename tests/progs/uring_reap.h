/* SPDX-License-Identifier: Apache-2.0 */
/* For the io_uring trigger programs (liburing). */
#ifndef VIGIL_PROGS_URING_REAP_H
#define VIGIL_PROGS_URING_REAP_H

#include <liburing.h>
#include <stdbool.h>

/* Submits what is queued and reaps completions until the request's own ends (a zero-copy
 * send posts its result, then a notification). Returns the request's result. */
static inline int uring_reap(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret, res = -EIO;
	bool more = true, got = false;

	ret = io_uring_submit(ring);
	if (ret < 0)
		return ret;
	while (more) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret < 0)
			return ret;
		if (!(cqe->flags & IORING_CQE_F_NOTIF) && !got) {
			res = cqe->res;
			got = true;
		}
		more = (cqe->flags & IORING_CQE_F_MORE) != 0;
		io_uring_cqe_seen(ring, cqe);
	}
	return res;
}

#endif
