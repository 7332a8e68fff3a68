// SPDX-License-Identifier: Apache-2.0
/*
 * ECDSA P-256 keys and raw signatures, all through OpenSSL's EVP interface: the signature of a
 * blob is DER ECDSA over SHA-256, exactly what `openssl dgst -sha256 -sign` produces.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sign/sign_internal.h"
#include "util/buf.h"
#include "util/strutil.h"

/* Key and certificate files are small; anything bigger is not one. */
#define KEY_FILE_MAX (64u << 10)

struct vigil_sign_key {
	EVP_PKEY *pkey;
};

int sign_check_p256(EVP_PKEY *pkey, char *why, size_t why_size)
{
	char curve[64];
	size_t n = 0;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
		const char *t = EVP_PKEY_get0_type_name(pkey);

		snprintf(why, why_size, "%s key, expected ECDSA P-256", t ? t : "unknown");
		return -EINVAL;
	}
	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve),
					    &n)) {
		snprintf(why, why_size, "EC key without a named curve, expected P-256");
		return -EINVAL;
	}
	if (strcmp(curve, "prime256v1") && strcmp(curve, "P-256")) {
		snprintf(why, why_size, "EC key on curve %s, expected P-256", curve);
		return -EINVAL;
	}
	return 0;
}

EVP_PKEY *sign_pem_public(const char *pem, size_t len, char *why, size_t why_size)
{
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	BIO *bio;

	if (len > KEY_FILE_MAX || len > INT_MAX) {
		snprintf(why, why_size, "public key larger than %u bytes", KEY_FILE_MAX);
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!pkey) {
		/* Keyless signers put a certificate here; its key is what gets pinned. */
		(void)BIO_reset(bio);
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (cert)
			pkey = X509_get_pubkey(cert);
	}
	ERR_clear_error();
	X509_free(cert);
	BIO_free(bio);
	if (!pkey)
		snprintf(why, why_size, "not a PEM public key or certificate");
	return pkey;
}

int sign_spki(EVP_PKEY *pkey, unsigned char **ret, size_t *ret_len)
{
	unsigned char *der = NULL;
	int n;

	/*
	 * The same key can be written with a compressed or an uncompressed point, and OpenSSL
	 * re-encodes in the form it read: fix one form so equal keys give equal bytes.
	 */
	if (!EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
					    "uncompressed")) {
		ERR_clear_error();
		return -EINVAL;
	}
	n = i2d_PUBKEY(pkey, &der);

	if (n <= 0) {
		ERR_clear_error();
		return -EINVAL;
	}
	*ret = der;
	*ret_len = (size_t)n;
	return 0;
}

int sign_verify_blob(EVP_PKEY *pkey, const void *data, size_t len, const unsigned char *sig,
		     size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return -EINVAL;
	}
	r = EVP_DigestVerify(ctx, sig, sig_len, data, len);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r == 1 ? 1 : 0;
}

void vigil_sign__sha256_digest(const void *data, size_t len, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		n = 0;
	if (size < 8 + 2 * (size_t)n) {
		if (size)
			out[0] = '\0';
		return;
	}
	memcpy(out, "sha256:", 7);
	vigil_hex(md, n, out + 7);
}

/* ---- private keys ---------------------------------------------------------------------- */

static int read_small_file(const char *path, struct vigil_buf *out, struct vigil_error *err)
{
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;
	int r = 0;

	if (!f)
		return vigil_error__set(err, -errno, path, 0, 0, "%s", strerror(errno));
	out->max = KEY_FILE_MAX;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		r = vigil_buf__append(out, chunk, n);
		if (r < 0) {
			vigil_error__set(err, r, path, 0, 0, "%s",
					 r == -E2BIG ? "file too large for a key" : strerror(-r));
			break;
		}
	}
	if (!r && ferror(f))
		r = vigil_error__set(err, -EIO, path, 0, 0, "read error");
	fclose(f);
	if (!r && !out->data)
		r = vigil_error__set(err, -EINVAL, path, 0, 0, "empty file");
	return r;
}

int vigil_sign__key_load(const char *path, struct vigil_sign_key **ret, struct vigil_error *err)
{
	struct vigil_buf text = VIGIL_BUF_INIT;
	struct vigil_sign_key *k;
	EVP_PKEY *pkey;
	char why[128];
	BIO *bio;
	int r;

	r = read_small_file(path, &text, err);
	if (r < 0)
		return r;
	bio = BIO_new_mem_buf(text.data, (int)text.len);
	if (!bio) {
		vigil_buf__release(&text);
		return vigil_error__set(err, -ENOMEM, path, 0, 0, "out of memory");
	}
	/* No passphrase callback: an encrypted key fails here instead of prompting. */
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	ERR_clear_error();
	BIO_free(bio);
	OPENSSL_cleanse(text.data, text.len);
	vigil_buf__release(&text);
	if (!pkey)
		return vigil_error__set(err, -EINVAL, path, 0, 0,
					"not an unencrypted PEM private key");
	if (sign_check_p256(pkey, why, sizeof(why)) < 0) {
		EVP_PKEY_free(pkey);
		return vigil_error__set(err, -EINVAL, path, 0, 0, "%s", why);
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return vigil_error__set(err, -ENOMEM, path, 0, 0, "out of memory");
	}
	k->pkey = pkey;
	*ret = k;
	return 0;
}

void vigil_sign__key_free(struct vigil_sign_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

char *vigil_sign__key_public_pem(const struct vigil_sign_key *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!bio)
		return NULL;
	if (PEM_write_bio_PUBKEY(bio, k->pkey) == 1) {
		n = BIO_get_mem_data(bio, &data);
		out = n > 0 ? strndup(data, (size_t)n) : NULL;
	}
	ERR_clear_error();
	BIO_free(bio);
	return out;
}

int vigil_sign__blob(const struct vigil_sign_key *k, const void *data, size_t len,
		     unsigned char **ret_sig, size_t *ret_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t n = 0;
	int r = -EINVAL;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, data, len) != 1)
		goto out;
	sig = malloc(n);
	if (!sig) {
		r = -ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(ctx, sig, &n, data, len) != 1) {
		free(sig);
		goto out;
	}
	*ret_sig = sig;
	*ret_len = n;
	r = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return r;
}

/* ---- key generation -------------------------------------------------------------------- */

/*
 * Writes text to a fresh temporary file next to path (created 0600 with O_EXCL, so no other
 * user can open it at any moment), then moves it into place: link() when the target must not
 * exist (atomic refusal), rename() when replacing.
 */
static int write_file_atomic(const char *path, const char *text, size_t len, mode_t mode,
			     bool force, struct vigil_error *err)
{
	char tmp[PATH_MAX];
	int fd, r = 0;
	ssize_t w;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
		return vigil_error__set(err, -ENAMETOOLONG, path, 0, 0, "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vigil_error__set(err, -errno, tmp, 0, 0, "%s", strerror(errno));
	for (size_t off = 0; off < len; off += (size_t)w) {
		w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			r = vigil_error__set(err, -errno, tmp, 0, 0, "%s", strerror(errno));
			break;
		}
	}
	if (!r && mode != 0600 && fchmod(fd, mode) < 0)
		r = vigil_error__set(err, -errno, tmp, 0, 0, "%s", strerror(errno));
	if (!r && fsync(fd) < 0)
		r = vigil_error__set(err, -errno, tmp, 0, 0, "%s", strerror(errno));
	if (close(fd) < 0 && !r)
		r = vigil_error__set(err, -errno, tmp, 0, 0, "%s", strerror(errno));
	if (!r) {
		if (force) {
			if (rename(tmp, path) < 0)
				r = vigil_error__set(err, -errno, path, 0, 0, "%s",
						     strerror(errno));
		} else if (link(tmp, path) < 0) {
			r = vigil_error__set(err, -errno, path, 0, 0, "%s",
					     errno == EEXIST ? "exists (use --force to replace it)"
							     : strerror(errno));
		}
	}
	unlink(tmp);
	return r;
}

int vigil_sign__keygen(const char *path, bool force, struct vigil_error *err)
{
	char pub_path[PATH_MAX];
	EVP_PKEY *pkey;
	BIO *priv = NULL, *pub = NULL;
	char *pdata, *qdata;
	long plen, qlen;
	struct stat st;
	int r;

	if ((size_t)snprintf(pub_path, sizeof(pub_path), "%s.pub", path) >= sizeof(pub_path))
		return vigil_error__set(err, -ENAMETOOLONG, path, 0, 0, "path too long");
	/* Check both before writing either, so a refusal leaves nothing half-done. */
	if (!force) {
		if (lstat(path, &st) == 0)
			return vigil_error__set(err, -EEXIST, path, 0, 0,
						"exists (use --force to replace it)");
		if (lstat(pub_path, &st) == 0)
			return vigil_error__set(err, -EEXIST, pub_path, 0, 0,
						"exists (use --force to replace it)");
	}
	pkey = EVP_EC_gen("P-256");
	if (!pkey) {
		ERR_clear_error();
		return vigil_error__set(err, -EIO, path, 0, 0, "key generation failed");
	}
	priv = BIO_new(BIO_s_secmem());
	pub = BIO_new(BIO_s_mem());
	if (!priv || !pub || PEM_write_bio_PrivateKey(priv, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(pub, pkey) != 1) {
		r = vigil_error__set(err, -ENOMEM, path, 0, 0, "cannot encode the key");
		goto out;
	}
	plen = BIO_get_mem_data(priv, &pdata);
	qlen = BIO_get_mem_data(pub, &qdata);
	r = write_file_atomic(path, pdata, (size_t)plen, 0600, force, err);
	if (r < 0)
		goto out;
	r = write_file_atomic(pub_path, qdata, (size_t)qlen, 0644, force, err);
	if (r < 0)
		unlink(path); /* a private key without its public half is useless */
out:
	ERR_clear_error();
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(pkey);
	return r;
}
