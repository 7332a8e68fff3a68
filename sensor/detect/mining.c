// SPDX-License-Identifier: Apache-2.0
/*
 * R1008's list: domains of public crypto-mining pools (Monero above all, the coin of
 * cryptojacking). A name matches when it is one of them or below one (eu1.pool.example
 * matches pool.example), so a pool's regional servers need no entry each. Kept to pools'
 * own domains: a domain that also serves other things would be noise.
 */
#include <string.h>
#include <strings.h>

#include "vigil/detect_paths.h"

static const char *const pools[] = {
	"2miners.com",
	"antpool.com",
	"bohemianpool.com",
	"c3pool.com",
	"c3pool.org",
	"c4pool.org",
	"crypto-pool.fr",
	"cryptonote.social",
	"dwarfpool.com",
	"dxpool.com",
	"ethermine.org",
	"ethpool.org",
	"f2pool.com",
	"fairhash.org",
	"hashvault.pro",
	"herominers.com",
	"kryptex.com",
	"kryptex.network",
	"minergate.com",
	"minexmr.com",
	"mining-dutch.nl",
	"miningmadness.com",
	"miningpoolhub.com",
	"miningpoolstats.stream",
	"monerohash.com",
	"moneroocean.stream",
	"moneropool.com",
	"multi-pools.com",
	"nanopool.org",
	"nicehash.com",
	"p2pool.io",
	"pool-pay.com",
	"prohashing.com",
	"rplant.xyz",
	"skypool.org",
	"slushpool.com",
	"solopool.org",
	"supportxmr.com",
	"trustpool.cc",
	"unmineable.com",
	"viabtc.com",
	"volt-mine.com",
	"xmrpool.eu",
	"xmrpool.net",
	"zergpool.com",
	"zeropool.io",
	NULL,
};

bool vigil_dns_mining_pool(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n && name[n - 1] == '.')
		n--; /* the root label */
	for (size_t i = 0; n && pools[i]; i++) {
		size_t k = strlen(pools[i]);

		if (k > n || strncasecmp(name + n - k, pools[i], k) != 0)
			continue;
		if (k == n || name[n - k - 1] == '.')
			return true;
	}
	return false;
}
