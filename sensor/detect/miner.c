// SPDX-License-Identifier: Apache-2.0
/*
 * R1007's facts: what gives a crypto miner away when it starts. Kubescape recognises XMRig by
 * the RandomX algorithm's effect on the CPU (a tracer of its own); Vigil has no such probe and
 * judges what a miner has to say to work, which renaming the binary does not change:
 *   - a pool URL in the stratum scheme (`stratum+tcp://`, `stratum+ssl://`, `stratum2+tcp://`)
 *     anywhere in its arguments;
 *   - a Monero proof-of-work chosen on the command line: `-a`/`--algo` with a RandomX or
 *     CryptoNight variant (`rx/0`, `randomx`, `cn/r`, `cryptonight`...), `--coin monero|xmr`,
 *     or one of XMRig's RandomX options (`--randomx-mode`, `--randomx-1gb-pages`, ...);
 *   - an executable named as the common miners are (xmrig, xmr-stak, cpuminer, minerd, ...);
 *   - a write to a CPU's model-specific registers (`/dev/cpu/N/msr`): XMRig's "MSR mod"
 *     retunes the cache prefetchers for RandomX; monitoring tools only read them.
 * A miner that reads everything from a configuration file, under another name, without root,
 * passes these (its pool's domain is R1008's, its pool port R1009's).
 */
#include <string.h>
#include <strings.h>

#include "vigil/detect_paths.h"

static const char *const miner_names[] = {
	"xmrig",	"xmr-stak", "xmrstak",	 "cpuminer", "minerd",
	"ccminer",	"nbminer",  "t-rex",	 "lolminer", "phoenixminer",
	"teamredminer", "srbminer", "nanominer", "gminer",   NULL,
};

/* Proof-of-work names of the Monero family as XMRig spells them: after --algo, a prefix
 * (rx/anything); after -a, which many programs take (cp -a), the whole value only. */
static const char *const algo_prefixes[] = {
	"rx/",	       "randomx", "cn/",      "cn-lite/",   "cn-heavy/", "cn-pico",
	"cryptonight", "argon2/", "astrobwt", "ghostrider", NULL,
};
static const char *const algos[] = {
	"rx/0",	       "rx/wow",	"rx/arq",	 "rx/graft",   "rx/sfx",    "rx/keva",
	"rx/yada",     "randomx",	"randomxmonero", "cn/r",       "cn/0",	    "cn/1",
	"cn/2",	       "cn/half",	"cn/rwz",	 "cn/zls",     "cn/double", "cn/ccx",
	"cryptonight", "argon2/chukwa", "argon2/wrkz",	 "ghostrider", NULL,
};

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "";
}

static bool has_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; s && *s; s++) {
		if (!strncasecmp(s, needle, n))
			return true;
	}
	return false;
}

static bool algo_value(const char *v, bool prefix)
{
	for (size_t i = 0; v && prefix && algo_prefixes[i]; i++) {
		if (!strncasecmp(v, algo_prefixes[i], strlen(algo_prefixes[i])))
			return true;
	}
	for (size_t i = 0; v && algos[i]; i++) {
		if (!strcasecmp(v, algos[i]))
			return true;
	}
	return false;
}

static bool coin_value(const char *v)
{
	return v && (!strcasecmp(v, "monero") || !strcasecmp(v, "xmr"));
}

/* "--opt=value" or "--opt" followed by "value" (next); "-aVALUE" for the short one. */
static const char *opt_value(const char *arg, const char *next, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(arg, opt, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (!arg[n])
		return next;
	if (opt[1] != '-' && strlen(opt) == 2)
		return arg + n; /* -arx/0 */
	return NULL;
}

const char *vigil_miner_hint(const char *exe, const char *const *argv, uint32_t argc)
{
	const char *b = base(exe);

	for (size_t i = 0; miner_names[i]; i++) {
		if (!strncasecmp(b, miner_names[i], strlen(miner_names[i])))
			return "a miner's executable name";
	}
	if (argc && argv && argv[0]) {
		const char *b0 = base(argv[0]);

		for (size_t i = 0; miner_names[i]; i++) {
			if (!strncasecmp(b0, miner_names[i], strlen(miner_names[i])))
				return "a miner's name in argv[0]";
		}
	}
	for (uint32_t i = 0; argv && i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL, *v;

		if (!a)
			continue;
		if (has_ci(a, "stratum+tcp://") || has_ci(a, "stratum+ssl://") ||
		    has_ci(a, "stratum+tls://") || has_ci(a, "stratum2+tcp://") ||
		    has_ci(a, "stratum1+tcp://"))
			return "a stratum pool URL in its arguments";
		if (i == 0)
			continue;
		if (((v = opt_value(a, next, "--algo")) && algo_value(v, true)) ||
		    ((v = opt_value(a, next, "-a")) && algo_value(v, false)))
			return "a RandomX/CryptoNight algorithm in its arguments";
		if ((v = opt_value(a, next, "--coin")) && coin_value(v))
			return "Monero chosen in its arguments";
		if (!strncmp(a, "--randomx-", 10))
			return "a RandomX option in its arguments";
	}
	return NULL;
}

bool vigil_path_cpu_msr(const char *path)
{
	const char *p = path;

	if (!p || strncmp(p, "/dev/cpu/", 9) != 0)
		return false;
	p += 9;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return !strcmp(p, "/msr");
}
