/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loads the floor BPF object (empty programs on the sensor's hooks, see gen-floor), attaches
 * every program, prints "attached N: hook,hook,..." and holds them until SIGTERM or SIGINT. The
 * links belong to this process, so they go away with it even on SIGKILL.
 *
 *   floor OBJECT.bpf.o
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[64];
	struct bpf_object *obj;
	struct bpf_program *prog;
	size_t n = 0;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: floor OBJECT.bpf.o\n");
		return 2;
	}
	libbpf_set_print(quiet);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "floor: load: %s\n", strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	printf("attached");
	bpf_object__for_each_program(prog, obj)
	{
		if (n == sizeof(links) / sizeof(links[0]))
			break;
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			fprintf(stderr, "\nfloor: attach %s: %s\n", bpf_program__section_name(prog),
				strerror(errno));
			continue;
		}
		printf("%s%s", n ? "," : " ", bpf_program__section_name(prog));
		n++;
	}
	printf("\n");
	fflush(stdout);
	while (!stop)
		pause();
	while (n)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return 0;
}
