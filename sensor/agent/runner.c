// SPDX-License-Identifier: Apache-2.0
/* One command as one workload: spawn under the sensor, route its events, end it cleanly. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "vigil/agent.h"

#define POLL_MS 50
/* After the command exits, events still in the ring buffer are drained for this long. */
#define DRAIN_NS (100ULL * 1000000ULL)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct route {
	const struct vigil_run *run;
	uint64_t cgroup_id;
};

static int route_event(const struct vigil_event *ev, void *ctx)
{
	struct route *r = ctx;

	if (!ev->workload || ev->workload->cgroup_id != r->cgroup_id)
		return 0;
	return r->run->on_event ? r->run->on_event(ev, r->run->ctx) : 0;
}

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

int vigil_run_workload(struct vigil_sensor *s, char *const argv[], const char *name,
		       const struct vigil_run *run, int *ret_status, uint64_t *ret_cgroup_id,
		       struct vigil_error *err)
{
	struct route r = { .run = run };
	uint64_t start, deadline = 0, kill_at = 0, drain_until = 0;
	uint64_t grace = run->grace_ns ? run->grace_ns : 2000000000ULL;
	bool exited = false, termed = false;
	int status = 0, n;
	pid_t pid;

	/* The setup (e.g. the syscall allow set) runs before the program's first instruction. */
	pid = vigil_sensor__spawn_with(s, argv, name, run->on_spawn, run->ctx, &r.cgroup_id, err);
	if (pid < 0)
		return pid;
	*ret_cgroup_id = r.cgroup_id;
	start = mono_ns();
	if (run->duration_ns)
		deadline = start + run->duration_ns;
	for (;;) {
		uint64_t now;

		n = vigil_sensor__poll(s, POLL_MS, route_event, &r);
		if (n < 0 && n != -EINTR) {
			if (!exited) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
			}
			return vigil_error__set(err, n, "", 0, 0, "reading events: %s",
						strerror(-n));
		}
		if (run->on_tick)
			run->on_tick(run->ctx);
		now = mono_ns();
		if (!exited) {
			int ws;
			pid_t w = waitpid(pid, &ws, WNOHANG);

			if (w == pid) {
				exited = true;
				status = status_of(ws);
				drain_until = now + DRAIN_NS;
			}
		}
		if (exited) {
			/* stop draining once the window passed and the ring is quiet */
			if (now >= drain_until && n == 0)
				break;
			continue;
		}
		if (!termed && ((deadline && now >= deadline) || (run->stop && *run->stop))) {
			kill(pid, SIGTERM);
			termed = true;
			kill_at = now + grace;
		}
		if (termed && now >= kill_at) {
			kill(pid, SIGKILL);
			kill_at = UINT64_MAX;
		}
	}
	*ret_status = status;
	return 0;
}
