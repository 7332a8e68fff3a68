// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzzes the annotation/signature path and scopes. The first byte picks a mode, the rest is
 * split at NUL bytes into fields:
 *   0: signature, certificate, timestamp, identity, canon -> verify_canon (certificate "=" means
 *      the trusted key's own, so decoding, DER and the signature check are reached)
 *   1: canon -> signed with the trusted key, then verified against a scoped trust set, so the
 *      scope walk sees arbitrary JSON
 *   2: scope text, canon -> scope parse, then a scope check of canon
 *   3: PEM text -> trusting it as a key
 * The key pair is made once per process; verdicts do not depend on which key it is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sign/sign_internal.h"
#include "vigil/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_scope[] =
	"kinds: [NetworkNeighborhood, ContainerProfile, ApplicationProfile]\n"
	"sections: [egress, ingress, execs, opens, syscalls, rulePolicies, endpoints]\n"
	"egress: {dnsNames: ['*.stripe.com'], ipAddresses: [10.0.0.0/8, 'fd00::/8'], ports: ['TCP-*']}\n"
	"execs: {path: ['/usr/bin/*']}\n"
	"opens: {path: ['/etc/*', '/data/*']}\n"
	"syscalls: {names: ['read*', write]}\n"
	"rulePolicies: {names: [R0001]}\n"
	"endpoints: {endpoint: [':443/*']}\n";

static struct vigil_sign_key *key;
static char *key_pem, *key_pem_b64;
static struct vigil_trust *trust, *scoped;

static void init(void)
{
	char path[] = "/tmp/vigil-fuzz-sign-XXXXXX";
	char file[64];
	int fd;

	if (key)
		return;
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s", path);
	if (vigil_sign__keygen(file, false, NULL) < 0 || vigil_sign__key_load(file, &key, NULL) < 0)
		abort();
	unlink(file);
	snprintf(file, sizeof(file), "%s.pub", path);
	unlink(file);
	key_pem = vigil_sign__key_public_pem(key);
	key_pem_b64 = sign_b64_encode(key_pem, strlen(key_pem));
	trust = vigil_trust__new();
	scoped = vigil_trust__new();
	if (!trust || !scoped ||
	    vigil_trust__add(trust, "fuzz", key_pem, strlen(key_pem), NULL, 0, "fuzz", NULL) < 0 ||
	    vigil_trust__add(scoped, "fuzz", key_pem, strlen(key_pem), fixed_scope,
			     strlen(fixed_scope), "fuzz", NULL) < 0)
		abort();
}

/* Splits at NUL bytes into n NUL-terminated copies; the last takes the rest; missing = NULL. */
static void split(const uint8_t *data, size_t size, char **fields, size_t n)
{
	size_t pos = 0;

	for (size_t i = 0; i < n; i++) {
		size_t end = size;

		fields[i] = NULL;
		if (pos > size)
			continue;
		if (i + 1 < n) {
			const uint8_t *z = memchr(data + pos, 0, size - pos);

			if (z)
				end = (size_t)(z - data);
		}
		fields[i] = malloc(end - pos + 1);
		if (!fields[i])
			abort();
		memcpy(fields[i], data + pos, end - pos);
		fields[i][end - pos] = '\0';
		pos = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_sign_verdict v;
	char *f[5] = { NULL };

	if (size < 1)
		return 0;
	init();
	switch (data[0] % 4) {
	case 0: {
		struct vigil_sign_annotations a = { 0 };

		split(data + 1, size - 1, f, 5);
		a.signature = f[0];
		a.certificate = f[1] && !strcmp(f[1], "=") ? key_pem_b64 : f[1];
		a.timestamp = f[2] && *f[2] ? f[2] : NULL;
		a.identity = f[3];
		a.issuer = "local";
		if (vigil_sign__verify_canon(trust, f[4] ? f[4] : "", f[4] ? strlen(f[4]) : 0, &a,
					     &v) == 0 &&
		    v.status == VIGIL_SIGN_VALID)
			abort(); /* random bytes never carry a valid signature */
		{
			/* the fork's scheme too: the identity field doubles as its message */
			struct vigil_sign_foreign fo = { f[3], f[2] && *f[2] == 'u' ? "x" : NULL };

			if (vigil_sign__verify_canon_foreign(trust, f[4] ? f[4] : "",
							     f[4] ? strlen(f[4]) : 0, &a, &fo,
							     &v) == 0 &&
			    (v.status == VIGIL_SIGN_VALID || v.status == VIGIL_SIGN_FOREIGN_SCHEME))
				abort();
		}
		break;
	}
	case 1: {
		struct vigil_sign_annotations a = { 0 };
		unsigned char *sig;
		size_t sig_len;

		if (vigil_sign__blob(key, data + 1, size - 1, &sig, &sig_len) < 0)
			break;
		f[0] = sign_b64_encode(sig, sig_len);
		free(sig);
		a.signature = f[0];
		a.certificate = key_pem_b64;
		if (vigil_sign__verify_canon(scoped, (const char *)data + 1, size - 1, &a, &v) < 0)
			abort();
		/* A good signature is never reported as tampered or untrusted. */
		if (v.status == VIGIL_SIGN_TAMPERED || v.status == VIGIL_SIGN_UNTRUSTED_KEY)
			abort();
		break;
	}
	case 2: {
		struct vigil_trust *t = vigil_trust__new();
		char reason[256];

		split(data + 1, size - 1, f, 2);
		if (t &&
		    vigil_trust__add(t, "s", key_pem, strlen(key_pem), f[0], strlen(f[0]), "fuzz",
				     NULL) == 0 &&
		    f[1])
			vigil_trust__in_scope(t, 0, f[1], strlen(f[1]), reason, sizeof(reason));
		vigil_trust__free(t);
		break;
	}
	case 3: {
		struct vigil_trust *t = vigil_trust__new();

		if (t)
			vigil_trust__add(t, "k", (const char *)data + 1, size - 1, NULL, 0, "fuzz",
					 NULL);
		vigil_trust__free(t);
		break;
	}
	}
	for (size_t i = 0; i < 5; i++)
		free(f[i]);
	return 0;
}
