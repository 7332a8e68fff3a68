// SPDX-License-Identifier: Apache-2.0
/*
 * What a burst of DNS names means: names under one registered domain that each carry data
 * (runs of encoded data, new name after name: hex, base32, base64, however the labels are cut)
 * and are all different are a DNS tunnel, the data being the labels. A CDN's, a cloud's or a
 * cluster's names are many too, and long, but readable (img12.cdn, ip-10-0-3-7,
 * vpce-0a1b2c3d4e5f67890-abcd1234 in every name): they do not carry data, so they are not
 * called tunnelling however many there are (docs/DETECTION.md §6).
 *
 * Bounded (about 6 KiB a tally): at most TALLY_DOMAINS domains (a further one takes the place
 * of the one with the fewest names carrying data: padding with other domains cannot push the
 * tunnel's out unless it carries less), and each domain remembers its last TALLY_NAMES names
 * and TALLY_RUNS random runs by hash (an older name asked again counts again: the names a
 * burst sees are already distinct, the cooldown sends a name by one actor once an hour).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/strutil.h"
#include "vigil/analysis.h"
#include "vigil/burst.h"

#define TALLY_DOMAINS 8
#define TALLY_NAMES   32
/*
 * A name carries data when the part below its domain is random (at least DATA_ENTROPY bits per
 * character, its dots and hyphens left out) and has DATA_RANDOM characters of new random runs,
 * or new runs that switch DATA_SWITCHES times in all. A run is what lies between dots and
 * hyphens; it is random when it switches between digits, lower and upper case twice or more
 * (DNS is case-blind: only an encoding keeps both cases), as hex, base32 and base64 do in
 * nearly every run however short they are cut, or when it is DATA_RUN_LEN long whatever its
 * characters. It is new when this domain's last TALLY_RUNS random runs do not hold it: a
 * tunnel's chunks differ name by name, while a vendor's id (vpce-0a1b2c3d4e5f67890) is the same
 * in all its names. Readable names are long too (a cloud's load balancers, endpoints, a
 * cluster's services) and as random by character counts (about 4.4 bits) as hex (about 3.7):
 * the entropy alone does not tell them apart; their runs are words, numbers, and words with
 * their number (web12, ubuntu2204: one switch). Not called data: data encoded in letters only
 * or digits only and cut into runs under DATA_RUN_LEN; base32 cut into runs of 4 is, in about
 * three names of four.
 */
#define DATA_RANDOM   16
#define DATA_RUN_LEN  16
#define DATA_SWITCHES 8
#define DATA_ENTROPY  3.0
#define TALLY_RUNS    32

struct tally_domain {
	char domain[256];
	uint64_t hashes[TALLY_NAMES];
	uint32_t nhashes, next;
	uint32_t unique, data, max_label;
	double entropy_sum;
	uint32_t runs[TALLY_RUNS]; /* the last random runs, by hash */
	uint32_t nruns, rnext;
};

struct vigil_dns_tally {
	struct tally_domain *d[TALLY_DOMAINS];
	size_t n;
};

struct vigil_dns_tally *vigil_dns_tally__new(void)
{
	return calloc(1, sizeof(struct vigil_dns_tally));
}

void vigil_dns_tally__free(struct vigil_dns_tally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->d[i]);
	free(t);
}

/* Second levels under which a country's registrations are made (co.uk, com.au, ...). */
static bool public_second_level(const char *label, size_t len)
{
	static const char *const sl[] = { "co", "com", "net", "org", "gov", "edu", "ac",
					  "or", "ne",  "go",  "gob", "mil", NULL };

	for (size_t i = 0; sl[i]; i++)
		if (strlen(sl[i]) == len && !memcmp(sl[i], label, len))
			return true;
	return false;
}

const char *vigil_dns_registered_domain(const char *name)
{
	const char *dots[3] = { NULL, NULL, NULL }; /* the last dot, the one before, ... */
	size_t len = strlen(name), n = 0;

	for (size_t i = len; i-- > 0 && n < 3;)
		if (name[i] == '.')
			dots[n++] = name + i;
	if (!dots[1]) /* one or two labels: the name itself */
		return name;
	/* a two-letter country code under a public second level: three labels */
	if (strlen(dots[0] + 1) == 2 &&
	    public_second_level(dots[1] + 1, (size_t)(dots[0] - dots[1] - 1)))
		return dots[2] ? dots[2] + 1 : name;
	return dots[1] + 1;
}

static struct tally_domain *domain_of(struct vigil_dns_tally *t, const char *dom)
{
	struct tally_domain *d;

	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->d[i]->domain, dom))
			return t->d[i];
	if (t->n >= TALLY_DOMAINS) {
		size_t least = 0;

		for (size_t i = 1; i < t->n; i++)
			if (t->d[i]->data < t->d[least]->data ||
			    (t->d[i]->data == t->d[least]->data &&
			     t->d[i]->unique < t->d[least]->unique))
				least = i;
		d = t->d[least];
		memset(d, 0, sizeof(*d));
	} else {
		d = calloc(1, sizeof(*d));
		if (!d)
			return NULL;
		t->d[t->n++] = d;
	}
	vigil_strlcpy(d->domain, dom, sizeof(d->domain));
	return d;
}

/* How often the run s[0..len) switches between digits, lower and upper case. */
static unsigned run_switches(const char *s, size_t len)
{
	unsigned switches = 0;
	int was = -1;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int cls = c >= '0' && c <= '9'	 ? 0
			  : c >= 'a' && c <= 'z' ? 1
			  : c >= 'A' && c <= 'Z' ? 2
						 : 3;

		switches += was >= 0 && cls != was;
		was = cls;
	}
	return switches;
}

/*
 * The run s[0..len) when it may be encoded data (it switches classes, or is long) and d has not
 * seen it lately: remembered, and counted in *random (its length, when it switches twice or
 * more or is long: a word and its number, web12, switch once) and *switches.
 */
static void run_new(struct tally_domain *d, const char *s, size_t len, size_t *random,
		    size_t *switches)
{
	unsigned sw = run_switches(s, len);
	uint32_t h;

	if (!sw && len < DATA_RUN_LEN)
		return;
	h = (uint32_t)vigil_fnv1a(VIGIL_FNV1A_INIT, s, len);
	for (uint32_t i = 0; i < d->nruns; i++) {
		if (d->runs[i] != h)
			continue;
		if (d->nruns == TALLY_RUNS) { /* kept as the newest: a vendor's id in use stays */
			uint32_t *next = &d->runs[d->rnext++ % TALLY_RUNS];

			d->runs[i] = *next;
			*next = h;
		}
		return;
	}
	d->runs[d->rnext++ % TALLY_RUNS] = h;
	if (d->nruns < TALLY_RUNS)
		d->nruns++;
	if (sw >= 2 || len >= DATA_RUN_LEN)
		*random += len;
	*switches += sw;
}

int vigil_dns_tally__add(struct vigil_dns_tally *t, const char *name)
{
	const char *dom = vigil_dns_registered_domain(name);
	size_t sub = dom > name ? (size_t)(dom - name - 1) : 0, longest = 0, chars = 0, random = 0,
	       switches = 0;
	char body[256];
	uint64_t h = vigil_fnv1a_str(name);
	struct tally_domain *d;
	double e;

	if (!sub)
		return 0; /* the domain itself carries nothing */
	d = domain_of(t, dom);
	if (!d)
		return -ENOMEM;
	for (uint32_t i = 0; i < d->nhashes; i++)
		if (d->hashes[i] == h)
			return 0;
	d->hashes[d->next++ % TALLY_NAMES] = h;
	if (d->nhashes < TALLY_NAMES)
		d->nhashes++;
	/* the labels below the domain: the longest; the new random runs between dots and
	 * hyphens; and the characters without the dots and hyphens */
	for (size_t i = 0, label = 0, run = 0; i <= sub; i++) {
		if (i == sub || name[i] == '.' || name[i] == '-') {
			run_new(d, name + i - run, run, &random, &switches);
			run = 0;
			if (i < sub && name[i] == '-') {
				label++;
				continue;
			}
			if (label > longest)
				longest = label;
			label = 0;
			continue;
		}
		run++;
		label++;
		if (chars < sizeof(body))
			body[chars++] = name[i];
	}
	e = vigil_entropy((const uint8_t *)body, chars);
	d->entropy_sum += e;
	d->unique++;
	if (e >= DATA_ENTROPY && (random >= DATA_RANDOM || switches >= DATA_SWITCHES))
		d->data++;
	if (longest > d->max_label)
		d->max_label = (uint32_t)longest;
	return 0;
}

bool vigil_dns_tally__verdict(const struct vigil_dns_tally *t, struct vigil_dns_tunnel *ret)
{
	const struct tally_domain *best = NULL;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; t && i < t->n; i++)
		if (!best || t->d[i]->data > best->data ||
		    (t->d[i]->data == best->data && t->d[i]->unique > best->unique))
			best = t->d[i];
	if (!best)
		return false;
	vigil_strlcpy(ret->domain, best->domain, sizeof(ret->domain));
	ret->unique_names = best->unique;
	ret->data_names = best->data;
	ret->max_label_len = best->max_label;
	ret->entropy = best->unique ? best->entropy_sum / best->unique : 0;
	return best->unique >= VIGIL_DNS_TUNNEL_NAMES && best->data >= VIGIL_DNS_TUNNEL_NAMES;
}
