/*
 * keys.c -- secrets leaving the engine on purpose: the key log function
 * (each secret GnuTLS derives, handed to core->keylog; the core writes
 * the lines) and the keying material exporter.
 *
 * GnuTLS writes key logs itself when SSLKEYLOGFILE is set: its default
 * key log function does.  Every session gets ours instead, so that one is
 * never called and each line is written once, by the core.
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

static int
gtls_keylog_fn(gnutls_session_t s, const char *label,
               const gnutls_datum_t *secret)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	gnutls_datum_t client, server;

	if (c == NULL || label == NULL || secret == NULL)
		return 0;
	gnutls_session_get_random(s, &client, &server);
	gtls_core->keylog(c->host, label, client.data, client.size,
	                  secret->data, secret->size);
	return 0;
}

void
gtls_keylog_apply(gnutls_session_t s)
{
	if (TLSPLUG_CORE_HAS(gtls_core, 1, keylog))
		gnutls_session_set_keylog_function(s, gtls_keylog_fn);
}

int
gtls_conn_export(void *priv, const char *label, size_t label_len,
                 const unsigned char *context, size_t context_len,
                 int use_context, unsigned char *out, size_t len,
                 struct tlsplug_error *err)
{
	struct gtls_conn *c = priv;
	static const char empty[1];
	const char *ctx = NULL;
	int ret;

	/* NULL: no context; non-NULL with size 0: an empty one (TLS 1.2
	 * tells them apart). */
	if (use_context)
		ctx = context != NULL ? (const char *)context : empty;
	ret = gnutls_prf_rfc5705(c->session, label_len, label, context_len,
	                         ctx, len, (char *)out);
	if (ret < 0)
		return gtls_core->set_error(err, ret == GNUTLS_E_MEMORY_ERROR ?
			TLSPLUG_ERR_NOMEM : TLSPLUG_ERR_BACKEND, ret,
			"keying material exporter failed: %s",
			gnutls_strerror(ret));
	return TLSPLUG_OK;
}
