// SPDX-License-Identifier: Apache-2.0
/*
 * vigil profile seccomp|netpol: hardening drafted from a learned profile (lib/profile/
 * harden_*.c). Exit status: 0 written, 1 the profile cannot make it (why on stderr), 2 usage or
 * I/O error. A profile that is still learning or partial is used but warned about: the draft
 * is for review, and it forbids whatever the profile missed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "vigil/harden.h"
#include "vigil/profile.h"

const char profile_usage_seccomp[] =
	"usage: vigil profile seccomp [--container NAME] [--no-runtime] [-o OUT] FILE\n"
	"\n"
	"Writes an OCI seccomp profile (podman --security-opt seccomp=OUT, containerd, the\n"
	"kubelet's Localhost profiles) allowing the syscalls FILE learned: defaultAction\n"
	"SCMP_ACT_ERRNO (EPERM), the profile's architectures only. Review it before use: a\n"
	"syscall the learning window missed fails with EPERM (docs/ENFORCEMENT.md).\n"
	"\n"
	"  --container NAME   the container to take (needed when the profile has several)\n"
	"  --no-runtime       leave out the syscalls the OCI runtime makes after installing the\n"
	"                     filter (only for a profile that learned the runtime's start-up)\n"
	"  -o, --output OUT   write OUT instead of stdout\n";

const char profile_usage_netpol[] =
	"usage: vigil profile netpol [--container NAME] [--name N] [--namespace NS]\n"
	"                            [--selector KEY=VALUE]... [-o OUT] FILE\n"
	"\n"
	"Writes a Kubernetes NetworkPolicy (networking.k8s.io/v1) allowing the ingress and egress\n"
	"FILE learned: an ipBlock per address, the neighbors' pod and namespace selectors, their\n"
	"ports; DNS names as comments (a policy cannot name them), the cluster's DNS when names\n"
	"were resolved. A direction the profile has no list for is left open. Review it before\n"
	"applying: traffic the profile did not learn is dropped (docs/ENFORCEMENT.md).\n"
	"\n"
	"  --container NAME      only this container's neighbors (default: the whole pod)\n"
	"  --name N              metadata.name (default: vigil-<profile name>)\n"
	"  --namespace NS        metadata.namespace (default: the profile's)\n"
	"  --selector KEY=VALUE  the pods it applies to (default: the profile's selector)\n"
	"  -o, --output OUT      write OUT instead of stdout\n";

static void warn_incomplete(const struct vigil_profile *p, const char *path)
{
	for (size_t d = 0; d < vigil_profile__doc_count(p); d++) {
		const char *st = vigil_profile__annotation(p, d, "kubescape.io/status");
		const char *co = vigil_profile__annotation(p, d, "kubescape.io/completion");

		if ((st && !strcmp(st, "learning")) || (co && !strcmp(co, "partial")))
			cli_errorf("%s: warning: the profile is %s: what it missed will be refused",
				   path,
				   st && !strcmp(st, "learning") ? "still learning" : "partial");
	}
}

/* Loads FILE, runs gen, writes the result to output or stdout. */
static int generate(const char *path, const char *output,
		    int (*gen)(const struct vigil_profile *p, const void *o, struct vigil_buf *out,
			       char *why, size_t why_size),
		    const void *opts)
{
	struct vigil_profile *p = NULL;
	struct vigil_buf out = VIGIL_BUF_INIT;
	struct vigil_error err;
	char why[512] = "";
	int r, rc = 0;

	if ((r = vigil_profile__load_file(path, NULL, &p, &err))) {
		cli_print_error(&err);
		return r == -ENOENT || r == -EACCES || r == -EIO || r == -ENOMEM ? EXIT_ERROR
										 : EXIT_VERDICT;
	}
	warn_incomplete(p, path);
	r = gen(p, opts, &out, why, sizeof(why));
	if (r) {
		cli_errorf("%s: %s", path, why[0] ? why : strerror(-r));
		rc = why[0] ? EXIT_VERDICT : EXIT_ERROR;
	} else if (output) {
		if ((r = vigil_replace_file(output, out.data, out.len))) {
			cli_errorf("%s: cannot write: %s", output, strerror(-r));
			rc = EXIT_ERROR;
		}
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)) {
		cli_errorf("stdout: %s", strerror(errno));
		rc = EXIT_ERROR;
	}
	vigil_buf__release(&out);
	vigil_profile__free(p);
	return rc;
}

static int gen_seccomp(const struct vigil_profile *p, const void *o, struct vigil_buf *out,
		       char *why, size_t why_size)
{
	return vigil_harden__seccomp(p, o, out, why, why_size);
}

static int gen_netpol(const struct vigil_profile *p, const void *o, struct vigil_buf *out,
		      char *why, size_t why_size)
{
	return vigil_harden__netpol(p, o, out, why, why_size);
}

int profile_seccomp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "container", required_argument, NULL, 'c' },
		{ "no-runtime", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vigil_seccomp_opts o = { 0 };
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		if (c == 'c') {
			o.container = optarg;
		} else if (c == 'n') {
			o.no_runtime = true;
		} else if (c == 'o') {
			output = optarg;
		} else {
			fputs(profile_usage_seccomp, stderr);
			return EXIT_ERROR;
		}
	}
	if (optind + 1 != argc) {
		fputs(profile_usage_seccomp, stderr);
		return EXIT_ERROR;
	}
	return generate(argv[optind], output, gen_seccomp, &o);
}

#define MAX_SELECTORS 64

int profile_netpol(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "container", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'N' },
		{ "namespace", required_argument, NULL, 's' },
		{ "selector", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sel[MAX_SELECTORS];
	struct vigil_netpol_opts o = { .selector = sel };
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		if (c == 'c') {
			o.container = optarg;
		} else if (c == 'N') {
			o.name = optarg;
		} else if (c == 's') {
			o.namespace_ = optarg;
		} else if (c == 'l' && o.nselector < MAX_SELECTORS) {
			sel[o.nselector++] = optarg;
		} else if (c == 'o') {
			output = optarg;
		} else {
			if (c == 'l')
				cli_errorf("netpol: at most %d --selector labels", MAX_SELECTORS);
			fputs(profile_usage_netpol, stderr);
			return EXIT_ERROR;
		}
	}
	if (optind + 1 != argc) {
		fputs(profile_usage_netpol, stderr);
		return EXIT_ERROR;
	}
	return generate(argv[optind], output, gen_netpol, &o);
}
