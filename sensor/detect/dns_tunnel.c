// SPDX-License-Identifier: Apache-2.0
/*
 * What a burst of DNS names means: names under one registered domain that each carry data
 * (long labels of high entropy: hex, base32, base64) and are all different are a DNS tunnel,
 * the data being the labels. A CDN's or a cluster's names are many too, but short and
 * readable (img12.cdn, ip-10-0-3-7): they do not carry data, so they are not called tunnelling
 * however many there are (docs/DETECTION.md §6).
 *
 * Bounded (about 4 KiB a tally): at most TALLY_DOMAINS domains (a further one takes the place
 * of the one with the fewest names carrying data: padding with other domains cannot push the
 * tunnel's out unless it carries less), and each domain remembers its last TALLY_NAMES names by hash (an older name
 * asked again counts again: the names a burst sees are already distinct, the cooldown sends a
 * name by one actor once an hour).
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
 * character, its dots and hyphens left out) and has a run of letters and digits (between dots
 * and hyphens) of DATA_RUN_LEN, or is DATA_SUB_LEN long (data split over shorter labels) with
 * a run of DATA_SUB_RUN. Readable names are long too (a cloud's load balancers, endpoints,
 * a cluster's services): their words are joined by hyphens and dots, and few are over 11
 * characters; and a long readable name is as random by character counts (about 4.4 bits) as
 * hex (about 3.7), so the entropy alone does not tell them apart.
 */
#define DATA_SUB_LEN 40
#define DATA_SUB_RUN 12
#define DATA_RUN_LEN 16
#define DATA_ENTROPY 3.0

struct tally_domain {
	char domain[256];
	uint64_t hashes[TALLY_NAMES];
	uint32_t nhashes, next;
	uint32_t unique, data, max_label;
	double entropy_sum;
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

int vigil_dns_tally__add(struct vigil_dns_tally *t, const char *name)
{
	const char *dom = vigil_dns_registered_domain(name);
	size_t sub = dom > name ? (size_t)(dom - name - 1) : 0, longest = 0, chars = 0, lrun = 0;
	char body[256];
	bool data;
	uint64_t h = vigil_fnv1a_str(name);
	struct tally_domain *d;

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
	/* the labels below the domain: the longest, the longest run between dots and hyphens,
	 * and their characters without the dots and hyphens */
	for (size_t i = 0, label = 0, run = 0; i <= sub; i++) {
		if (i == sub || name[i] == '.' || name[i] == '-') {
			if (run > lrun)
				lrun = run;
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
	{
		double e = vigil_entropy((const uint8_t *)body, chars);

		/* the body's entropy stands for the long run's (it is most of the body when it
		 * matters) */
		data = e >= DATA_ENTROPY &&
		       (lrun >= DATA_RUN_LEN || (sub >= DATA_SUB_LEN && lrun >= DATA_SUB_RUN));
		d->entropy_sum += e;
	}
	d->unique++;
	if (data)
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
