// SPDX-License-Identifier: Apache-2.0
/*
 * Signing core without profiles: keys made at test time, real OpenSSL signatures over
 * canonical-JSON-shaped bytes, real trust directories on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sign/sign_internal.h"
#include "util/buf.h"
#include "vigil/sign.h"

static const char canon_nn[] =
	"{\"apiVersion\":\"spdx.softwarecomposition.kubescape.io/v1beta1\","
	"\"kind\":\"NetworkNeighborhood\",\"metadata\":{\"name\":\"pay\",\"namespace\":\"shop\"},"
	"\"spec\":{\"containers\":[{\"egress\":[{\"dnsNames\":[\"api.stripe.com.\"],"
	"\"ipAddresses\":[\"54.187.174.169\"],\"ports\":[{\"name\":\"TCP-443\",\"port\":443,"
	"\"protocol\":\"TCP\"}],\"type\":\"external\"}],\"name\":\"app\"}],"
	"\"matchLabels\":{\"app\":\"pay\"}}}";

struct fx {
	char dir[64];
	char key[128];
	char pub[128];
	struct vigil_sign_key *k;
	char *pem;
};

static char *read_text(const char *path)
{
	struct vigil_buf b = VIGIL_BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(vigil_buf__append(&b, chunk, n), 0);
	fclose(f);
	return vigil_buf__steal(&b, NULL);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vigil_error err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/vigil-test-sign-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->key, sizeof(f->key), "%s/signer", f->dir);
	snprintf(f->pub, sizeof(f->pub), "%s/signer.pub", f->dir);
	assert_int_equal(vigil_sign__keygen(f->key, false, &err), 0);
	assert_int_equal(vigil_sign__key_load(f->key, &f->k, &err), 0);
	f->pem = vigil_sign__key_public_pem(f->k);
	assert_non_null(f->pem);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	vigil_sign__key_free(f->k);
	free(f->pem);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Signs canon with f->k and fills annotations (strings owned by the caller: free sig/cert). */
static void sign_ann(struct fx *f, const char *canon, struct vigil_sign_annotations *a)
{
	unsigned char *sig;
	size_t n;

	assert_int_equal(vigil_sign__blob(f->k, canon, strlen(canon), &sig, &n), 0);
	memset(a, 0, sizeof(*a));
	a->signature = sign_b64_encode(sig, n);
	a->certificate = sign_b64_encode(f->pem, strlen(f->pem));
	a->issuer = "local";
	a->identity = "ci@example";
	a->timestamp = "1763776800";
	free(sig);
}

static void free_ann(struct vigil_sign_annotations *a)
{
	free((void *)a->signature);
	free((void *)a->certificate);
}

static struct vigil_trust *trust_of(const char *name, const char *pem, const char *scope)
{
	struct vigil_trust *t = vigil_trust__new();
	struct vigil_error err;

	assert_non_null(t);
	if (vigil_trust__add(t, name, pem, strlen(pem), scope, scope ? strlen(scope) : 0, "test",
			     &err) < 0)
		fail_msg("trust: %s", err.message);
	return t;
}

static enum vigil_sign_status verify(struct vigil_trust *t, const char *canon,
				     const struct vigil_sign_annotations *a,
				     struct vigil_sign_verdict *v)
{
	assert_int_equal(vigil_sign__verify_canon(t, canon, strlen(canon), a, v), 0);
	return v->status;
}

static void test_keygen_modes(void **state)
{
	struct fx *f = *state;
	struct vigil_error err;
	struct stat st;
	char *before, *after;

	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->pub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	before = read_text(f->key);
	assert_non_null(strstr(before, "BEGIN PRIVATE KEY"));
	/* Refuses to overwrite, and leaves the key as it was. */
	assert_int_equal(vigil_sign__keygen(f->key, false, &err), -EEXIST);
	assert_non_null(strstr(err.message, "--force"));
	after = read_text(f->key);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(vigil_sign__keygen(f->key, true, &err), 0);
	after = read_text(f->key);
	assert_string_not_equal(before, after);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(before);
	free(after);
	/* The public file holds the key's public half. */
	{
		struct vigil_sign_key *k;
		char *pem, *pub;

		assert_int_equal(vigil_sign__key_load(f->key, &k, &err), 0);
		pem = vigil_sign__key_public_pem(k);
		pub = read_text(f->pub);
		assert_string_equal(pem, pub);
		free(pem);
		free(pub);
		vigil_sign__key_free(k);
		/* Put the fixture key back so later tests still match f->pem. */
		vigil_sign__key_free(f->k);
		assert_int_equal(vigil_sign__key_load(f->key, &f->k, &err), 0);
		free(f->pem);
		f->pem = vigil_sign__key_public_pem(f->k);
	}
}

static void test_valid_and_tampered(void **state)
{
	struct fx *f = *state;
	struct vigil_trust *t = trust_of("stripe", f->pem, NULL);
	struct vigil_sign_annotations a;
	struct vigil_sign_verdict v;
	char *copy = strdup(canon_nn);
	char digest[72];

	sign_ann(f, canon_nn, &a);
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_VALID);
	assert_string_equal(v.signer, "stripe");
	assert_string_equal(v.identity, "ci@example");
	assert_int_equal(v.timestamp, 1763776800);
	vigil_sign__sha256_digest(canon_nn, strlen(canon_nn), digest, sizeof(digest));
	assert_string_equal(v.digest, digest);
	assert_int_equal(strlen(v.digest), 71);
	/* Every single-byte change of the signed bytes is caught. */
	for (size_t i = 0; i < strlen(copy); i += 7) {
		char saved = copy[i];

		copy[i] = saved == 'x' ? 'y' : 'x';
		assert_int_equal(verify(t, copy, &a, &v), VIGIL_SIGN_TAMPERED);
		assert_string_equal(v.signer, "stripe");
		copy[i] = saved;
	}
	assert_int_equal(verify(t, copy, &a, &v), VIGIL_SIGN_VALID);
	free(copy);
	free_ann(&a);
	vigil_trust__free(t);
}

static char *other_pem(const char *kind)
{
	EVP_PKEY *pkey;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	if (!strcmp(kind, "rsa"))
		pkey = EVP_RSA_gen(2048);
	else
		pkey = EVP_EC_gen(kind);
	assert_non_null(pkey);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
	n = BIO_get_mem_data(bio, &data);
	out = strndup(data, (size_t)n);
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return out;
}

static void test_untrusted_key(void **state)
{
	struct fx *f = *state;
	char *stranger = other_pem("P-256");
	struct vigil_trust *t = trust_of("vendor", stranger, NULL);
	struct vigil_sign_annotations a;
	struct vigil_sign_verdict v;

	/* The embedded key verifies the signature, but nobody pinned it. */
	sign_ann(f, canon_nn, &a);
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_UNTRUSTED_KEY);
	assert_string_equal(v.signer, "");
	assert_non_null(strstr(v.reason, "not trusted"));
	free_ann(&a);
	/* Claiming the trusted key in the certificate while signing with another: tampered. */
	sign_ann(f, canon_nn, &a);
	free((void *)a.certificate);
	a.certificate = sign_b64_encode(stranger, strlen(stranger));
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_TAMPERED);
	assert_string_equal(v.signer, "vendor");
	free_ann(&a);
	free(stranger);
	vigil_trust__free(t);
}

static void test_unsigned_and_malformed(void **state)
{
	struct fx *f = *state;
	struct vigil_trust *t = trust_of("local", f->pem, NULL);
	struct vigil_sign_annotations a = { 0 }, good;
	struct vigil_sign_verdict v;
	char big[VIGIL_SIGN_MAX_SIGNATURE_B64 + 8];
	char *rsa = other_pem("rsa"), *p384 = other_pem("P-384");
	char *rsa_b64 = sign_b64_encode(rsa, strlen(rsa));
	char *p384_b64 = sign_b64_encode(p384, strlen(p384));
	char *junk_b64 = sign_b64_encode("hello, not a key", 16);
	const char *saved;

	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_UNSIGNED);
	sign_ann(f, canon_nn, &good);
	a = good;
	a.certificate = NULL;
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
	assert_non_null(strstr(v.reason, "certificate"));

	static const char *const bad_sigs[] = {
		"!!!!",		/* not base64 */
		"QUJD",		/* base64 of "ABC": not DER */
		"MEUCIQ",	/* no padding */
		"MEUCIQ==",	/* truncated DER */
		"MAYCAQECAQE=", /* DER, but with trailing data after re-encode check? */
		"ME UCIQ=",	/* whitespace */
		"",		/* empty */
	};
	for (size_t i = 0; i < sizeof(bad_sigs) / sizeof(bad_sigs[0]); i++) {
		a = good;
		a.signature = bad_sigs[i];
		verify(t, canon_nn, &a, &v);
		/* A tiny well-formed DER (r=1, s=1) parses; it is then simply wrong. */
		if (i == 4)
			assert_int_equal(v.status, VIGIL_SIGN_TAMPERED);
		else
			assert_int_equal(v.status, VIGIL_SIGN_MALFORMED);
	}
	/* Truncating a real signature by one base64 quantum. */
	{
		char *cut = strdup(good.signature);

		cut[strlen(cut) - 4] = '\0';
		a = good;
		a.signature = cut;
		assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
		free(cut);
	}
	/* Oversized: bounded before decoding. */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	a = good;
	a.signature = big;
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
	assert_non_null(strstr(v.reason, "longer"));
	/* A valid base64 of 80 bytes is longer than any P-256 signature. */
	a.signature = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU"
		      "FBQUFBQUFBQUFBQUFBQUFBQUFB";
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);

	a = good;
	a.certificate = junk_b64;
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
	assert_non_null(strstr(v.reason, "not a PEM"));
	a.certificate = rsa_b64;
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
	assert_non_null(strstr(v.reason, "RSA"));
	a.certificate = p384_b64;
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
	assert_non_null(strstr(v.reason, "secp384r1"));
	a.certificate = "not base64 at all";
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);

	a = good;
	a.timestamp = "yesterday";
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_MALFORMED);
	a.timestamp = "1763776800";
	saved = a.identity;
	a.identity = "evil\x1b[31m";
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_VALID);
	assert_null(strchr(v.identity, '\x1b'));
	a.identity = saved;

	/* Trusting an RSA or P-384 key is refused up front. */
	{
		struct vigil_trust *t2 = vigil_trust__new();
		struct vigil_error err;

		assert_int_equal(vigil_trust__add(t2, "rsa", rsa, strlen(rsa), NULL, 0, "x", &err),
				 -EINVAL);
		assert_non_null(strstr(err.message, "RSA"));
		assert_int_equal(
			vigil_trust__add(t2, "p384", p384, strlen(p384), NULL, 0, "x", &err),
			-EINVAL);
		assert_int_equal(vigil_trust__add(t2, "bad/name", f->pem, strlen(f->pem), NULL, 0,
						  "x", &err),
				 -EINVAL);
		assert_int_equal(
			vigil_trust__add(t2, "a", f->pem, strlen(f->pem), NULL, 0, "x", &err), 0);
		assert_int_equal(
			vigil_trust__add(t2, "b", f->pem, strlen(f->pem), NULL, 0, "x", &err),
			-EEXIST);
		vigil_trust__free(t2);
	}
	free_ann(&good);
	free(rsa);
	free(p384);
	free(rsa_b64);
	free(p384_b64);
	free(junk_b64);
	vigil_trust__free(t);
}

static const char stripe_scope[] = "kinds: [NetworkNeighborhood, ContainerProfile]\n"
				   "sections: [egress]\n"
				   "egress:\n"
				   "  dnsNames: ['*.stripe.com', stripe.com]\n"
				   "  ipAddresses: [54.187.0.0/16]\n"
				   "  ports: [TCP-443]\n";

static enum vigil_sign_status scoped_verdict(struct fx *f, const char *scope, const char *canon,
					     char *reason, size_t size)
{
	struct vigil_trust *t = trust_of("stripe", f->pem, scope);
	struct vigil_sign_annotations a;
	struct vigil_sign_verdict v;

	sign_ann(f, canon, &a);
	verify(t, canon, &a, &v);
	if (reason)
		snprintf(reason, size, "%s", v.reason);
	free_ann(&a);
	vigil_trust__free(t);
	return v.status;
}

static void test_scope(void **state)
{
	struct fx *f = *state;
	char reason[256];
	char buf[1024];

	if (scoped_verdict(f, stripe_scope, canon_nn, reason, sizeof(reason)) != VIGIL_SIGN_VALID)
		fail_msg("%s", reason);

	/* A name outside *.stripe.com. */
	snprintf(buf, sizeof(buf), "%s", canon_nn);
	memcpy(strstr(buf, "api.stripe.com"), "api.stripe.net", 14);
	assert_int_equal(scoped_verdict(f, stripe_scope, buf, reason, sizeof(reason)),
			 VIGIL_SIGN_OUT_OF_SCOPE);
	assert_non_null(strstr(reason, "api.stripe.net"));
	assert_non_null(strstr(reason, "stripe"));

	/* An address outside 54.187.0.0/16. */
	snprintf(buf, sizeof(buf), "%s", canon_nn);
	memcpy(strstr(buf, "54.187."), "54.188.", 7);
	assert_int_equal(scoped_verdict(f, stripe_scope, buf, reason, sizeof(reason)),
			 VIGIL_SIGN_OUT_OF_SCOPE);
	assert_non_null(strstr(reason, "54.188.174.169"));

	/* A port outside. */
	snprintf(buf, sizeof(buf), "%s", canon_nn);
	memcpy(strstr(buf, "TCP-443"), "TCP-444", 7);
	assert_int_equal(scoped_verdict(f, stripe_scope, buf, reason, sizeof(reason)),
			 VIGIL_SIGN_OUT_OF_SCOPE);

	/* The wrong kind. */
	assert_int_equal(scoped_verdict(f, stripe_scope,
					"{\"kind\":\"ApplicationProfile\",\"spec\":{}}", reason,
					sizeof(reason)),
			 VIGIL_SIGN_OUT_OF_SCOPE);
	assert_non_null(strstr(reason, "kind ApplicationProfile"));

	/* A section the signer may not touch (ContainerProfile with execs). */
	assert_int_equal(
		scoped_verdict(f, stripe_scope,
			       "{\"kind\":\"ContainerProfile\",\"spec\":{\"execs\":[{\"path\":"
			       "\"/bin/sh\"}],\"egress\":[{\"dnsNames\":[\"a.stripe.com\"]}]}}",
			       reason, sizeof(reason)),
		VIGIL_SIGN_OUT_OF_SCOPE);
	assert_non_null(strstr(reason, "execs"));
	/* Empty sections do not count; identity fields always pass. */
	assert_int_equal(
		scoped_verdict(
			f, stripe_scope,
			"{\"kind\":\"ContainerProfile\",\"spec\":{\"execs\":[],\"name\":\"x\","
			"\"imageID\":\"sha\",\"egress\":[{\"dnsNames\":[\"A.Stripe.COM.\"]}]}}",
			reason, sizeof(reason)),
		VIGIL_SIGN_VALID);
	/* Unknown sections are out of a limited scope (fail closed). */
	assert_int_equal(
		scoped_verdict(f, stripe_scope,
			       "{\"kind\":\"ContainerProfile\",\"spec\":{\"futureThing\":[1]}}",
			       reason, sizeof(reason)),
		VIGIL_SIGN_OUT_OF_SCOPE);
	/* A selector neighbor cannot be vouched for by an address-scoped signer. */
	assert_int_equal(
		scoped_verdict(
			f, stripe_scope,
			"{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{\"dnsNames\":"
			"[\"a.stripe.com\"],\"podSelector\":{\"matchLabels\":{\"a\":\"b\"}}}]}}",
			reason, sizeof(reason)),
		VIGIL_SIGN_OUT_OF_SCOPE);
	/* A neighbor with neither a name nor an address. */
	assert_int_equal(
		scoped_verdict(f, stripe_scope,
			       "{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{\"ports\":"
			       "[{\"name\":\"TCP-443\"}]}]}}",
			       reason, sizeof(reason)),
		VIGIL_SIGN_OUT_OF_SCOPE);
	/* ipAddress wildcard is not inside a CIDR. */
	assert_int_equal(scoped_verdict(f, stripe_scope,
					"{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{"
					"\"ipAddresses\":[\"*\"]}]}}",
					reason, sizeof(reason)),
			 VIGIL_SIGN_OUT_OF_SCOPE);
	/* A narrower network is inside, a wider one is not. */
	assert_int_equal(scoped_verdict(f, stripe_scope,
					"{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{"
					"\"ipAddresses\":[\"54.187.3.0/24\"]}]}}",
					NULL, 0),
			 VIGIL_SIGN_VALID);
	assert_int_equal(scoped_verdict(f, stripe_scope,
					"{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{"
					"\"ipAddresses\":[\"54.0.0.0/8\"]}]}}",
					NULL, 0),
			 VIGIL_SIGN_OUT_OF_SCOPE);

	/* IPv6 networks, endpoints, rule policies and name lists. */
	{
		static const char sc[] = "sections: [egress, endpoints, rulePolicies, syscalls]\n"
					 "egress: {ipAddresses: ['fd00::/8']}\n"
					 "endpoints: {endpoint: [':443/api/*']}\n"
					 "rulePolicies: {names: [R0002]}\n"
					 "syscalls: {names: ['read*', write]}\n";

		assert_int_equal(
			scoped_verdict(
				f, sc,
				"{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{"
				"\"ipAddresses\":[\"fd12::1\",\"fd00:1::/32\"]}],\"endpoints\":"
				"[{\"endpoint\":\":443/api/v1\"}],\"rulePolicies\":{\"R0002\":"
				"{}},\"syscalls\":[\"readv\",\"write\"]}}",
				reason, sizeof(reason)),
			VIGIL_SIGN_VALID);
		assert_int_equal(
			scoped_verdict(f, sc,
				       "{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{"
				       "\"ipAddresses\":[\"fe80::1\"]}]}}",
				       NULL, 0),
			VIGIL_SIGN_OUT_OF_SCOPE);
		assert_int_equal(
			scoped_verdict(f, sc,
				       "{\"kind\":\"ContainerProfile\",\"spec\":{\"egress\":[{"
				       "\"ipAddresses\":[\"10.0.0.1\"]}]}}",
				       NULL, 0),
			VIGIL_SIGN_OUT_OF_SCOPE);
		assert_int_equal(
			scoped_verdict(f, sc,
				       "{\"kind\":\"ContainerProfile\",\"spec\":{\"endpoints\":"
				       "[{\"endpoint\":\":0/api/v1\"}]}}",
				       NULL, 0),
			VIGIL_SIGN_OUT_OF_SCOPE);
		assert_int_equal(scoped_verdict(f, sc,
						"{\"kind\":\"ContainerProfile\",\"spec\":{"
						"\"rulePolicies\":{\"R0001\":{}}}}",
						reason, sizeof(reason)),
				 VIGIL_SIGN_OUT_OF_SCOPE);
		assert_non_null(strstr(reason, "R0001"));
		assert_int_equal(scoped_verdict(f, sc,
						"{\"kind\":\"ContainerProfile\",\"spec\":{"
						"\"syscalls\":[\"ptrace\"]}}",
						NULL, 0),
				 VIGIL_SIGN_OUT_OF_SCOPE);
	}

	/* Path scopes: ".." cannot walk out of the pattern. */
	{
		static const char vendor[] = "sections: [execs, opens]\n"
					     "opens: {path: ['/etc/redis/*', '/data/*']}\n";

		assert_int_equal(
			scoped_verdict(f, vendor,
				       "{\"kind\":\"ApplicationProfile\",\"spec\":{\"containers\":"
				       "[{\"name\":\"r\",\"opens\":[{\"path\":\"/data/x\"}],"
				       "\"execs\":[{\"path\":\"/bin/redis\"}]}]}}",
				       NULL, 0),
			VIGIL_SIGN_VALID);
		assert_int_equal(
			scoped_verdict(f, vendor,
				       "{\"kind\":\"ApplicationProfile\",\"spec\":{\"containers\":"
				       "[{\"name\":\"r\",\"opens\":[{\"path\":"
				       "\"/data/../etc/shadow\"}]}]}}",
				       reason, sizeof(reason)),
			VIGIL_SIGN_OUT_OF_SCOPE);
		assert_non_null(strstr(reason, "container r"));
		assert_int_equal(
			scoped_verdict(f, vendor,
				       "{\"kind\":\"ApplicationProfile\",\"spec\":{\"containers\":"
				       "[{\"name\":\"r\",\"syscalls\":[\"bpf\"]}]}}",
				       NULL, 0),
			VIGIL_SIGN_OUT_OF_SCOPE);
	}
}

static void test_scope_parse_errors(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "kind: [ContainerProfile]\n", "did you mean \"kinds\"" },
		{ "kinds: [ContainerProfiles]\n", "did you mean \"ContainerProfile\"" },
		{ "sections: [egres]\n", "did you mean \"egress\"" },
		{ "sections: [execs]\negress: {dnsNames: [a]}\n", "not listed in sections" },
		{ "egress: {ipAddresses: [10.0.0.0/33]}\n", "not an address or CIDR" },
		{ "egress: {path: [a]}\n", "unknown field" },
		{ "execs: {}\n", "need a path" },
		{ "seccompProfile: {names: [a]}\n", "takes no patterns" },
		{ "kinds: {a: b}\n", "list of strings" },
		{ "- a\n- b\n", "expected a mapping" },
		{ "kinds: [a\n", "" },
	};
	struct vigil_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vigil_trust *t = vigil_trust__new();

		assert_int_equal(vigil_trust__add(t, "s", f->pem, strlen(f->pem), cases[i].text,
						  strlen(cases[i].text), "x", &err),
				 -EINVAL);
		if (!strstr(err.message, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].msg);
		assert_string_equal(err.file, "s.scope");
		assert_true(err.line >= 1);
		vigil_trust__free(t);
	}
	/* An empty scope limits nothing. */
	{
		struct vigil_trust *t = vigil_trust__new();

		assert_int_equal(vigil_trust__add(t, "s", f->pem, strlen(f->pem), "", 0, "x", &err),
				 0);
		assert_true(vigil_trust__scoped(t, 0));
		vigil_trust__free(t);
	}
}

static void test_trust_dir(void **state)
{
	struct fx *f = *state;
	struct vigil_trust *t;
	struct vigil_error err;
	char dir[160], path[200];

	snprintf(dir, sizeof(dir), "%s/trust", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -ENOENT);
	assert_non_null(strstr(err.message, "no trusted keys"));

	snprintf(path, sizeof(path), "%s/stripe.pub", dir);
	write_text(path, f->pem, 0644);
	snprintf(path, sizeof(path), "%s/stripe.scope", dir);
	write_text(path, stripe_scope, 0644);
	snprintf(path, sizeof(path), "%s/README", dir);
	write_text(path, "ignored\n", 0644);
	{
		char *other = other_pem("P-256");

		snprintf(path, sizeof(path), "%s/vendor.pub", dir);
		write_text(path, other, 0644);
		free(other);
	}
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), 0);
	assert_int_equal(vigil_trust__count(t), 2);
	assert_string_equal(vigil_trust__name(t, 0), "stripe");
	assert_true(vigil_trust__scoped(t, 0));
	assert_string_equal(vigil_trust__name(t, 1), "vendor");
	assert_false(vigil_trust__scoped(t, 1));
	vigil_trust__free(t);

	/* A writable-by-others key could be replaced by anyone: refused. */
	snprintf(path, sizeof(path), "%s/vendor.pub", dir);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -EPERM);
	assert_non_null(strstr(err.file, "vendor.pub"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -EPERM);
	assert_int_equal(chmod(dir, 0755), 0);

	/* A broken scope names its file and line. */
	snprintf(path, sizeof(path), "%s/stripe.scope", dir);
	write_text(path, "sections: [egress]\negress: {dnsName: [x]}\n", 0644);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -EINVAL);
	assert_non_null(strstr(err.file, "stripe.scope"));
	assert_int_equal(err.line, 2);
	write_text(path, stripe_scope, 0644);

	/* A scope without its key is a mistake worth stopping for. */
	snprintf(path, sizeof(path), "%s/orphan.scope", dir);
	write_text(path, "sections: [egress]\n", 0644);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -ENOENT);
	assert_non_null(strstr(err.message, "orphan.pub"));
	unlink(path);

	/* The same key under two names. */
	snprintf(path, sizeof(path), "%s/stripe2.pub", dir);
	write_text(path, f->pem, 0644);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -EEXIST);
	unlink(path);

	/* Garbage key file. */
	snprintf(path, sizeof(path), "%s/junk.pub", dir);
	write_text(path, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 0644);
	assert_int_equal(vigil_trust__load_dir(dir, &t, &err), -EINVAL);
	assert_non_null(strstr(err.file, "junk.pub"));
	unlink(path);

	/* --pub: one unscoped key named after its file. */
	assert_int_equal(vigil_trust__load_pub(f->pub, &t, &err), 0);
	assert_string_equal(vigil_trust__name(t, 0), "signer");
	vigil_trust__free(t);
}

static void test_base64_strict(void **state)
{
	unsigned char *out;
	size_t n;

	assert_int_equal(sign_b64_decode("aGk=", 4, 16, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "hi", 2);
	free(out);
	assert_int_equal(sign_b64_decode("aGk", 3, 16, &out, &n), -EINVAL);
	assert_int_equal(sign_b64_decode("a=k=", 4, 16, &out, &n), -EINVAL);
	assert_int_equal(sign_b64_decode("a\nk=", 4, 16, &out, &n), -EINVAL);
	assert_int_equal(sign_b64_decode("====", 4, 16, &out, &n), -EINVAL);
	assert_int_equal(sign_b64_decode("aGVsbG8gd29ybGQ=", 16, 4, &out, &n), -E2BIG);
}

/*
 * The k8sstormcenter fork's scheme: the same annotations, a signature over the 64 hex digits of
 * its hash instead of the canonical bytes. Its own verdict, never "valid", and still tampered
 * when neither message verifies or when something it cannot cover is there.
 */
static void test_foreign_scheme(void **state)
{
	struct fx *f = *state;
	struct vigil_trust *t = trust_of("fork", f->pem, NULL);
	const char *hash = "0f343b0931126a20f133d67c2b018a3b5d2a4f9f6e8c7b1a0d9e8f7a6b5c4d3e";
	struct vigil_sign_foreign foreign = { hash, NULL };
	struct vigil_sign_annotations a;
	struct vigil_sign_verdict v;

	sign_ann(f, hash, &a); /* what the fork signs: the hash text */
	assert_int_equal(
		vigil_sign__verify_canon_foreign(t, canon_nn, strlen(canon_nn), &a, &foreign, &v),
		0);
	assert_int_equal(v.status, VIGIL_SIGN_FOREIGN_SCHEME);
	assert_string_equal(v.signer, "fork");
	assert_string_equal(vigil_sign__status_name(v.status), "foreign-scheme");
	assert_non_null(strstr(v.reason, "does not cover the order of lists"));
	/* without the foreign message (Vigil's scheme only), the same signature is tampering */
	assert_int_equal(verify(t, canon_nn, &a, &v), VIGIL_SIGN_TAMPERED);
	/* another hash: tampered */
	foreign.message = "1f343b0931126a20f133d67c2b018a3b5d2a4f9f6e8c7b1a0d9e8f7a6b5c4d3e";
	assert_int_equal(
		vigil_sign__verify_canon_foreign(t, canon_nn, strlen(canon_nn), &a, &foreign, &v),
		0);
	assert_int_equal(v.status, VIGIL_SIGN_TAMPERED);
	/* something the scheme cannot cover: tampered, and said */
	foreign.message = hash;
	foreign.uncovered = "the iouring lists";
	assert_int_equal(
		vigil_sign__verify_canon_foreign(t, canon_nn, strlen(canon_nn), &a, &foreign, &v),
		0);
	assert_int_equal(v.status, VIGIL_SIGN_TAMPERED);
	assert_non_null(strstr(v.reason, "does not cover the iouring lists"));
	free_ann(&a);
	/* a Vigil signature is still valid when a foreign message is offered */
	sign_ann(f, canon_nn, &a);
	foreign.uncovered = NULL;
	assert_int_equal(
		vigil_sign__verify_canon_foreign(t, canon_nn, strlen(canon_nn), &a, &foreign, &v),
		0);
	assert_int_equal(v.status, VIGIL_SIGN_VALID);
	free_ann(&a);
	vigil_trust__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_strict),	       cmocka_unit_test(test_keygen_modes),
		cmocka_unit_test(test_valid_and_tampered),     cmocka_unit_test(test_untrusted_key),
		cmocka_unit_test(test_unsigned_and_malformed), cmocka_unit_test(test_scope),
		cmocka_unit_test(test_scope_parse_errors),     cmocka_unit_test(test_trust_dir),
		cmocka_unit_test(test_foreign_scheme),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
