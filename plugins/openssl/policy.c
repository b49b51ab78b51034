/*
 * policy.c -- the system policy's floor on finite-field Diffie-Hellman
 * (bconfig->min_dh_bits), through OpenSSL's security callback: a DHE
 * group (TLS 1.2 ServerKeyExchange parameters, or an RFC 7919 ffdhe group
 * in TLS 1.3) below the floor is neither offered nor accepted.  Every
 * other question goes to OpenSSL's own callback, so its security level
 * (from openssl.cnf or the default) still applies.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Bits of an RFC 7919 group, 0 for any other. */
static int
osslp_ffdhe_bits(int nid)
{
	switch (nid) {
	case NID_ffdhe2048: return 2048;
	case NID_ffdhe3072: return 3072;
	case NID_ffdhe4096: return 4096;
	case NID_ffdhe6144: return 6144;
	case NID_ffdhe8192: return 8192;
	default: return 0;
	}
}

static int
osslp_security_cb(const SSL *s, const SSL_CTX *ctx, int op, int bits,
                  int nid, void *other, void *ex)
{
	const struct osslp_engine *e = ex;
	int dh = 0;

	/* The operation without the "peer's" flag. */
	switch (op & ~SSL_SECOP_PEER) {
	case SSL_SECOP_TMP_DH:
		if (other != NULL)
			dh = EVP_PKEY_get_bits(other);
		break;
	case SSL_SECOP_CURVE_SUPPORTED:
	case SSL_SECOP_CURVE_SHARED:
	case SSL_SECOP_CURVE_CHECK:
		dh = osslp_ffdhe_bits(nid);
		break;
	default:
		break;
	}
	if (dh > 0 && (unsigned)dh < e->cfg->min_dh_bits)
		return 0;
	return e->default_security_cb(s, ctx, op, bits, nid, other, ex);
}

void
osslp_policy_apply(SSL_CTX *s, struct osslp_engine *e)
{
	if (e->cfg->min_dh_bits == 0)
		return;
	e->default_security_cb = SSL_CTX_get_security_callback(s);
	SSL_CTX_set_security_callback(s, osslp_security_cb);
	SSL_CTX_set0_security_ex_data(s, e);
}
