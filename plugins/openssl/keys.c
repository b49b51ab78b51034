/*
 * keys.c -- secrets leaving the engine on purpose: the key log callback
 * (each line OpenSSL formats, handed to core->keylog as label, client
 * random and secret; the core writes the lines) and the keying material
 * exporter.
 *
 * OpenSSL writes no key log of its own unless built with enable-sslkeylog
 * (3.5 and later; off in distribution builds), which makes libssl honour
 * SSLKEYLOGFILE beside the callback with no way to turn it off per
 * context: the conformance case keylog_file_and_env would then see each
 * line written twice more.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define OSSLP_KEYLOG_LABEL_MAX 64

/* Decodes len hex digits at p into out (len / 2 bytes); -1 on a bad
 * digit. */
static int
osslp_unhex(const char *p, size_t len, unsigned char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int c = p[i], v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

/* SSL_CTX keylog callback: "LABEL CLIENT_RANDOM SECRET" (hex). */
static void
osslp_keylog_cb(const SSL *ssl, const char *line)
{
	struct osslp_conn *c = SSL_get_app_data(ssl);
	char label[OSSLP_KEYLOG_LABEL_MAX + 1];
	unsigned char random[32], secret[64];
	const char *sp1, *sp2;
	size_t llen, slen;

	if (c == NULL || line == NULL)
		return;
	sp1 = strchr(line, ' ');
	sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
	if (sp2 == NULL)
		return;
	llen = (size_t)(sp1 - line);
	slen = strlen(sp2 + 1);
	if (llen == 0 || llen > OSSLP_KEYLOG_LABEL_MAX ||
	    (size_t)(sp2 - sp1 - 1) != 2 * sizeof random ||
	    slen == 0 || slen % 2 != 0 || slen > 2 * sizeof secret ||
	    osslp_unhex(sp1 + 1, 2 * sizeof random, random) != 0 ||
	    osslp_unhex(sp2 + 1, slen, secret) != 0)
		return;
	memcpy(label, line, llen);
	label[llen] = '\0';
	osslp_core->keylog(c->host, label, random, sizeof random, secret,
	                   slen / 2);
	OPENSSL_cleanse(secret, sizeof secret);
}

void
osslp_keylog_apply(SSL_CTX *s, const struct tlsplug_bconfig *cfg)
{
	/* Hooked only when the core has somewhere to put the lines: OpenSSL
	 * formats each secret as hex text before it calls the hook. */
	if (TLSPLUG_CORE_HAS(osslp_core, 1, keylog) && cfg->keylog)
		SSL_CTX_set_keylog_callback(s, osslp_keylog_cb);
}

int
osslp_conn_export(void *conn_priv, const char *label, size_t label_len,
                  const unsigned char *context, size_t context_len,
                  int use_context, unsigned char *out, size_t len,
                  struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	static const unsigned char empty[1];

	ERR_clear_error();
	if (c->ssl == NULL ||
	    SSL_export_keying_material(c->ssl, out, len, label, label_len,
	                               context != NULL ? context : empty,
	                               context_len, use_context) != 1) {
		unsigned long e = ERR_get_error();
		char buf[256];

		ERR_clear_error();
		return osslp_core->set_error(err, TLSPLUG_ERR_BACKEND, (long)e,
			"keying material exporter failed: %s",
			osslp_err_text(e, buf, sizeof buf));
	}
	return TLSPLUG_OK;
}
