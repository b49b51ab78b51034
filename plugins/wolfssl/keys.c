/*
 * keys.c -- secrets derived from a connection: the keying material
 * exporter (RFC 5705 / RFC 8446 7.5), through wolfSSL's own
 * (HAVE_KEYING_MATERIAL).
 *
 * No key logging (TLSPLUG_CAP_KEYLOG): wolfSSL hands TLS 1.3 secrets to an
 * application only when built with HAVE_SECRET_CALLBACK, which Debian's
 * is not; and it writes no key log of its own (SHOW_SECRETS is off).
 */
#include "config.h"

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#ifndef HAVE_KEYING_MATERIAL
#error "the plugin needs wolfSSL built with HAVE_KEYING_MATERIAL"
#endif

int
wolfp_conn_export(void *conn_priv, const char *label, size_t label_len,
                  const unsigned char *context, size_t context_len,
                  int use_context, unsigned char *out, size_t len,
                  struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	static const unsigned char empty[1];
	char ebuf[WOLFP_ERRTEXT_MAX];
	int r;

	if (c->ssl == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_MISUSE, 0,
		                             "no connection to export from");
	r = wolfSSL_export_keying_material(c->ssl, out, len, label, label_len,
	                                   context != NULL ? context : empty,
	                                   context_len, use_context);
	wolfSSL_ERR_clear_error();
	if (r == WOLFSSL_SUCCESS)
		return TLSPLUG_OK;
	return wolfp_core->set_error(err, TLSPLUG_ERR_BACKEND, r,
		"keying material export failed: %s",
		wolfp_err_text(r, ebuf, sizeof ebuf));
}
