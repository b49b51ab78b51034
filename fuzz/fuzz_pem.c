/*
 * fuzz_pem.c -- libFuzzer target: PEM decoding (core/pem.c) and the
 * handles' framing check (core/handles.c) on arbitrary text.
 *
 * Every CERTIFICATE block tlsplug__pem_next() finds is decoded and fed to
 * the certificate reader (and its public key to the policy's RSA size
 * reader); the loop must move forward and end in 0 or -2.  Private-key
 * blocks are decoded the same way.  The same bytes then go through every
 * handle that frames PEM or DER with that code: certificates, private keys
 * (without and with a password: the handle keeps the password exactly when
 * the framing says the key is encrypted), trust stores (PEM only) and CRLs
 * (PEM or DER, each checked by the CRL reader); what a handle accepted
 * must hand the engine a blob of the promised format and size.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pem.h"
#include "policy.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const key_labels[] = {
	"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
	"ENCRYPTED PRIVATE KEY",
};

/* A blob a handle hands an engine: the input's bytes, DER as they came,
 * PEM NUL-terminated. */
static void
check_blob(const struct tlsplug_blob *b, const uint8_t *data, size_t size)
{
	if (b->data == NULL || b->len != size || b->origin == NULL ||
	    memcmp(b->data, data, size) != 0 ||
	    (b->format != TLSPLUG_FORMAT_DER &&
	     b->format != TLSPLUG_FORMAT_PEM) ||
	    (b->format == TLSPLUG_FORMAT_PEM && b->data[size] != '\0'))
		abort();
}

static void
check_key(const uint8_t *data, size_t size, int with_password)
{
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	struct tlsplug_bkey bk;
	int rc;

	rc = with_password ?
	    tlsplug_private_key_from_buffer_with_password(data, size, "pw", 2,
	                                                  &key, &err) :
	    tlsplug_private_key_from_buffer(data, size, &key, &err);
	if (rc != TLSPLUG_OK) {
		if (key != NULL || err == NULL ||
		    (rc != TLSPLUG_ERR_BAD_KEY && rc != TLSPLUG_ERR_NOMEM))
			abort();
		tlsplug_error_free(err);
		return;
	}
	if (key == NULL || err != NULL)
		abort();
	tlsplug__private_key_bkey(key, &bk);
	check_blob(&bk.blob, data, size);
	/* The password is kept for an encrypted key only. */
	if ((bk.password != NULL) !=
	    (with_password && tlsplug__private_key_encrypted(key)))
		abort();
	if (bk.password != NULL && (bk.password_len != 2 ||
	    memcmp(bk.password, "pw", 2) != 0))
		abort();
	tlsplug_private_key_unref(key);
}

static void
check_trust(const uint8_t *data, size_t size)
{
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_btrust bt;

	if (tlsplug_trust_store_from_buffer(data, size, &t, NULL) !=
	    TLSPLUG_OK) {
		if (t != NULL)
			abort();
		return;
	}
	tlsplug__trust_store_btrust(t, &bt);
	if (bt.system || bt.pem.format != TLSPLUG_FORMAT_PEM ||
	    tlsplug__trust_store_is_system(t))
		abort();
	check_blob(&bt.pem, data, size);
	tlsplug_trust_store_unref(t);
}

static void
check_crl(const uint8_t *data, size_t size)
{
	struct tlsplug_crl *crl = NULL;

	if (tlsplug_crl_from_buffer(data, size, &crl, NULL) != TLSPLUG_OK) {
		if (crl != NULL)
			abort();
		return;
	}
	if (tlsplug_crl_count(crl) == 0)
		abort();
	tlsplug_crl_unref(crl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct tlsplug_certificate *cert = NULL;
	size_t pos = 0, der_len;
	unsigned char *der;
	const char *why = NULL;
	int rc;

	for (;;) {
		struct tlsplug__cert c;
		struct tlsplug_san sans[4];
		size_t before = pos;
		char name[256];

		rc = tlsplug__pem_next(text, size, &pos, "CERTIFICATE", &der,
		                       &der_len, &why);
		if (rc != 1)
			break;
		/* Forward, and 4 base64 characters make at most 3 bytes. */
		if (pos <= before || der == NULL || der_len == 0 ||
		    der_len > size)
			abort();
		if (tlsplug__cert_parse(der, der_len, &c, &why) == 0) {
			if (tlsplug__cert_sans(&c, sans, 4) != c.nsans ||
			    tlsplug__name_text(c.subject, name,
			                       sizeof(name)) < 0)
				abort();
			/* 0 (not RSA) or a size the key really has room
			 * for. */
			if (tlsplug__spki_rsa_bits(c.spki.p, c.spki.len) >
			    8 * c.spki.len)
				abort();
		}
		tlsplug__free(der);
	}
	if ((rc != 0 && rc != -2) || pos > size || (rc == -2 && why == NULL))
		abort();
	/* Key blocks: each label the key handle accepts, decoded. */
	for (size_t i = 0; i < sizeof(key_labels) / sizeof(key_labels[0]);
	     i++) {
		pos = 0;
		while ((rc = tlsplug__pem_next(text, size, &pos, key_labels[i],
		                               &der, &der_len, &why)) == 1) {
			if (der == NULL || der_len == 0 || der_len > size)
				abort();
			tlsplug__free(der);
		}
		if (rc != 0 && rc != -2)
			abort();
	}
	if (tlsplug_certificate_from_buffer(data, size, &cert, NULL) ==
	    TLSPLUG_OK) {
		struct tlsplug_blob b;

		tlsplug__certificate_blob(cert, &b);
		if (tlsplug_certificate_count(cert) == 0)
			abort();
		check_blob(&b, data, size);
	}
	tlsplug_certificate_unref(cert);
	check_key(data, size, 0);
	check_key(data, size, 1);
	check_trust(data, size);
	check_crl(data, size);
	return 0;
}
