/*
 * services.c -- the table of core services handed to every plugin's init
 * (struct tlsplug_core): allocation, error reporting, the transport
 * callbacks on a connection's ciphertext buffers, the server's selection
 * of config and chain, and the checks on the peer's identity.
 */
#include "config.h"

#include <stdio.h>

#include "internal.h"
#include "session.h"
#include "revocation.h"

static void *
svc_alloc(size_t size)
{
	return tlsplug__malloc(size);
}

static void *
svc_realloc(void *p, size_t size)
{
	return tlsplug__realloc(p, size);
}

static void
svc_free(void *p)
{
	tlsplug__free(p);
}

/* A plugin must report an error category; anything else is its bug, and
 * must still not read as success. */
static int
error_category(int code)
{
	return code < 0 ? code : TLSPLUG_ERR_BACKEND;
}

static int
svc_set_error(struct tlsplug_error *err, int code, long native_code,
              const char *fmt, ...)
{
	va_list ap;

	code = error_category(code);
	va_start(ap, fmt);
	tlsplug__error_set_backend(err, err != NULL ? err->owner : NULL, code,
	                           native_code, fmt, ap);
	va_end(ap);
	return code;
}

/* The alert no_application_protocol says why (RFC 7301 3.2): the client
 * gets the category the server has, the alert still in err->alert. */
#define ALERT_NO_APPLICATION_PROTOCOL 120

static int
svc_set_alert_error(struct tlsplug_error *err, int alert, long native_code,
                    const char *detail)
{
	int code = alert == ALERT_NO_APPLICATION_PROTOCOL ?
	           TLSPLUG_ERR_NO_SHARED_ALPN : TLSPLUG_ERR_ALERT_RECEIVED;

	tlsplug__error_set_owner(err, code, native_code,
	    "received fatal alert %s (%d) from the peer%s%s",
	    tlsplug_alert_name(alert), alert,
	    detail != NULL ? ": " : "",
	    detail != NULL ? detail :
	    code == TLSPLUG_ERR_NO_SHARED_ALPN ?
	    ": none of our ALPN protocols is the server's" : "");
	if (err != NULL)
		err->alert = alert;
	return code;
}

static ssize_t
svc_pull(struct tlsplug_conn *conn, void *buf, size_t len)
{
	return tlsplug__conn_pull(conn, buf, len);
}

static ssize_t
svc_push(struct tlsplug_conn *conn, const void *buf, size_t len)
{
	return tlsplug__conn_push(conn, buf, len);
}

static int
svc_sni_select(struct tlsplug_conn *conn, const char *server_name,
               const struct tlsplug_bconfig **cfg, void ***slot,
               struct tlsplug_error *err)
{
	return tlsplug__context_sni_select(conn, server_name, cfg, slot, err);
}

static int
svc_match_hostname(const char *host, const struct tlsplug_san *sans,
                   size_t nsans)
{
	return tlsplug__match_hostname(host, sans, nsans);
}

static int
svc_check_peer(struct tlsplug_conn *conn, int verdict,
               struct tlsplug_error *err)
{
	return tlsplug__conn_check_peer(conn, verdict, err);
}

static int
svc_select_server(struct tlsplug_conn *conn, const char *server_name,
                  const struct tlsplug_bconfig **cfg, void **ctx_priv,
                  size_t *chain, struct tlsplug_error *err)
{
	return tlsplug__context_select_server(conn, server_name, cfg,
	                                      ctx_priv, chain, err);
}

static ssize_t
svc_ocsp_staple(const struct tlsplug_ocsp_source *src, unsigned char *buf,
                size_t size)
{
	return tlsplug__ocsp_source_read(src, buf, size);
}

static void
svc_keylog(struct tlsplug_conn *conn, const char *label,
           const unsigned char *client_random, size_t random_len,
           const unsigned char *secret, size_t secret_len)
{
	tlsplug__keylog_secret(conn, label, client_random, random_len, secret,
	                       secret_len);
}

static int
svc_alpn_select(struct tlsplug_conn *conn, const struct tlsplug_bconfig *cfg,
                const unsigned char *offer, size_t offer_len,
                const unsigned char **out, size_t *out_len,
                struct tlsplug_error *err)
{
	(void)conn;
	return tlsplug__alpn_select(cfg, offer, offer_len, out, out_len, err);
}

static const struct tlsplug_core core_services = {
	.abi_major = TLSPLUG_CORE_ABI_MAJOR,
	.abi_minor = TLSPLUG_CORE_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_core),
	.alloc = svc_alloc,
	.realloc = svc_realloc,
	.free = svc_free,
	.set_error = svc_set_error,
	.set_alert_error = svc_set_alert_error,
	.pull = svc_pull,
	.push = svc_push,
	.sni_select = svc_sni_select,
	.match_hostname = svc_match_hostname,
	.check_peer = svc_check_peer,
	.select_server = svc_select_server,
	.ocsp_staple = svc_ocsp_staple,
	.keylog = svc_keylog,
	.session_ready = tlsplug__session_ready,
	.alpn_select = svc_alpn_select,
};

const struct tlsplug_core *
tlsplug__core_services(void)
{
	return &core_services;
}
