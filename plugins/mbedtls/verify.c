/*
 * verify.c -- peer certificate verification inside the handshake.
 *
 * mbedTLS checks the chain against the trust store and calls the verify
 * callback for every certificate of the chain it built, the leaf last.
 * The callback collects the flags, and at the leaf gives the verdict to
 * the core, which checks the peer's identity (core->check_peer: the host
 * name by RFC 9525 over the leaf's subjectAltNames, never the CN), so
 * every engine accepts the same names.  mbedTLS's own name check (which
 * falls back to the CN) is masked: the name it was given is the SNI name,
 * not a verification setting.
 *
 * On a failure mbedTLS sends the alert it maps from the flags
 * (certificate_expired, unknown_ca, ...); a failure of the core's checks
 * is marked MBEDTLS_X509_BADCERT_OTHER ("other reason, set by the verify
 * callback"), for which mbedTLS sends access_denied.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define MBTP_PURPOSE_FLAGS (MBEDTLS_X509_BADCERT_KEY_USAGE | \
	MBEDTLS_X509_BADCERT_EXT_KEY_USAGE | MBEDTLS_X509_BADCERT_NS_CERT_TYPE)

/* Is the certificate self-issued (issuer = subject) and alone? */
static int
mbtp_self_signed(const mbedtls_x509_crt *leaf)
{
	return leaf != NULL && leaf->raw.len > 0 &&
	       leaf->issuer_raw.len == leaf->subject_raw.len &&
	       memcmp(leaf->issuer_raw.p, leaf->subject_raw.p,
	              leaf->subject_raw.len) == 0;
}

/*
 * An empty chain: mbedTLS 2.28 skips a peer certificate whose signature
 * algorithm it does not know ("maybe a prior certificate was already
 * trusted"); when it skipped them all, it verifies the chain's first
 * certificate, never parsed: no bytes, null pointers, and every flag of
 * a bad certificate.
 */
static int
mbtp_empty_chain(const mbedtls_x509_crt *leaf)
{
	return leaf != NULL && leaf->raw.len == 0;
}

int
mbtp_verify_category(uint32_t flags, const mbedtls_x509_crt *leaf)
{
	if (flags == 0)
		return TLSPLUG_OK;
	if (mbtp_empty_chain(leaf))
		return TLSPLUG_ERR_CERT_INVALID;
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return mbtp_self_signed(leaf) ? TLSPLUG_ERR_CERT_SELF_SIGNED :
		                                TLSPLUG_ERR_CERT_UNTRUSTED;
	if (flags & MBTP_PURPOSE_FLAGS)
		return TLSPLUG_ERR_CERT_PURPOSE;
	if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		return TLSPLUG_ERR_CERT_NOT_YET_VALID;
	if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		return TLSPLUG_ERR_CERT_EXPIRED;
	if (flags & MBEDTLS_X509_BADCERT_REVOKED)
		return TLSPLUG_ERR_CERT_REVOKED;
	if (flags & MBEDTLS_X509_BADCERT_MISSING)
		return TLSPLUG_ERR_PEER_NO_CERT;
	return TLSPLUG_ERR_CERT_INVALID;
}

/* mbedTLS's description of flags, on one line. */
static void
mbtp_flags_text(uint32_t flags, char *buf, size_t size)
{
	char *p;
	size_t n;

	if (mbedtls_x509_crt_verify_info(buf, size, "", flags) < 0)
		buf[0] = '\0';
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
		*p = ';';
}

/* At the leaf of a chain that verified: copies the chain mbedTLS built
 * (c->vcerts, leaf first, up to the trust anchor) for verified_cert.
 * 0, or -1 when out of memory. */
static int
mbtp_keep_verified(struct mbtp_conn *c)
{
	size_t n = 0, total = 0, i;

	while (n < MBTP_VCHAIN_MAX && c->vcerts[n] != NULL)
		total += c->vcerts[n++]->raw.len;
	mbtp_core->free(c->vder);
	c->vder = NULL;
	c->nverified = 0;
	if (n == 0)
		return 0;
	c->vder = mbtp_core->alloc(total);
	if (c->vder == NULL)
		return -1;
	c->voff[0] = 0;
	for (i = 0; i < n; i++) {
		memcpy(c->vder + c->voff[i], c->vcerts[i]->raw.p,
		       c->vcerts[i]->raw.len);
		c->voff[i + 1] = c->voff[i] + c->vcerts[i]->raw.len;
	}
	c->nverified = n;
	memset(c->vcerts, 0, sizeof(c->vcerts));
	return 0;
}

int
mbtp_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct mbtp_conn *c = p;
	const struct mbtp_engine *eng = c->eng;
	int client = eng->role == TLSPLUG_CLIENT;
	int verdict = TLSPLUG_OK, st;
	char text[256];

	/* The core checks the host name; mbedTLS's check (with its CN
	 * fallback) would only see the SNI name. */
	*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	c->vflags |= *flags;
	if (depth >= 0 && depth < MBTP_VCHAIN_MAX)
		c->vcerts[depth] = crt;
	if (depth != 0)
		return 0;

	/* mbedTLS checks the leaf's purpose only after this callback:
	 * check the extended key usage here, so the verdict has it. */
	if (mbedtls_x509_crt_check_extended_key_usage(crt,
	    client ? MBEDTLS_OID_SERVER_AUTH : MBEDTLS_OID_CLIENT_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0)
		c->vflags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
	if (eng->validate && c->vflags != 0) {
		verdict = mbtp_verify_category(c->vflags, crt);
		if (mbtp_empty_chain(crt))
			snprintf(text, sizeof(text), "no certificate of the "
			         "peer has a signature algorithm mbedTLS "
			         "knows");
		else
			mbtp_flags_text(c->vflags, text, sizeof(text));
		mbtp_core->set_error(c->err, verdict, (long)c->vflags,
			"certificate verify failed: %s", text);
	}
	if (eng->validate && c->vflags == 0 && mbtp_keep_verified(c) != 0)
		verdict = mbtp_core->set_error(c->err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory");
	c->vflags = 0;
	c->vchain = crt;
	st = mbtp_core->check_peer(c->host, verdict, c->err);
	c->vchain = NULL;
	if (st == TLSPLUG_OK)
		return 0;
	if (c->cb_status == 0)
		c->cb_status = st;
	if (st == TLSPLUG_ERR_NOMEM)
		return MBEDTLS_ERR_X509_ALLOC_FAILED;
	/* With MBEDTLS_SSL_VERIFY_OPTIONAL (validation off, or a server
	 * that only requests a client certificate) a flag would not stop
	 * the handshake: an error does. */
	if (!eng->validate || eng->optional_cert) {
		if (verdict == TLSPLUG_OK)
			*flags |= MBEDTLS_X509_BADCERT_OTHER;
		return MBEDTLS_ERR_X509_FATAL_ERROR;
	}
	if (verdict != TLSPLUG_OK)
		return 0;      /* mbedTLS fails on its own flags */
	*flags |= MBEDTLS_X509_BADCERT_OTHER;
	return 0;
}

ssize_t
mbtp_conn_verified_cert(void *priv, size_t index, unsigned char *buf,
                        size_t size)
{
	struct mbtp_conn *c = priv;
	size_t len;

	if (c->vder == NULL || index >= c->nverified)
		return 0;
	len = c->voff[index + 1] - c->voff[index];
	if (len <= size)
		memcpy(buf, c->vder + c->voff[index], len);
	return (ssize_t)len;
}

ssize_t
mbtp_conn_peer_cert(void *priv, size_t index, unsigned char *buf,
                    size_t size)
{
	struct mbtp_conn *c = priv;
	const mbedtls_x509_crt *crt = c->vchain;

	if (crt == NULL && c->ssl_ready && c->handshake_done)
		crt = mbedtls_ssl_get_peer_cert(&c->ssl);
	for (; crt != NULL && index > 0; index--)
		crt = crt->next;
	if (crt == NULL || crt->raw.p == NULL || crt->raw.len == 0)
		return 0;
	if (crt->raw.len <= size)
		memcpy(buf, crt->raw.p, crt->raw.len);
	return (ssize_t)crt->raw.len;
}
