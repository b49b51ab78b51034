/*
 * exporter.c -- keying material exporters (RFC 5705, RFC 8446 section
 * 7.5) and the tls-exporter channel binding (RFC 9266).
 *
 * The core checks the arguments the same way for every engine (label,
 * context and output lengths, the labels TLS 1.2 reserves for itself,
 * the handshake state), so every backend refuses the same calls; the
 * plugin only runs its engine's exporter.
 */
#include "config.h"

#include <string.h>

#include "internal.h"

/* HkdfLabel's label is opaque<7..255> and starts with "tls13 ". */
#define LABEL_MAX 249
#define CONTEXT_MAX 65535

/* Labels the TLS 1.2 PRF uses itself (RFC 5705 section 4, RFC 7627):
 * exporting under them would disclose TLS's own keys. */
static const char *const reserved_labels[] = {
	"client finished", "server finished", "master secret",
	"key expansion", "extended master secret",
};

static int
fail(struct tlsplug_conn *conn, int code, const char *what)
{
	struct tlsplug_error e;

	if (conn == NULL)
		return code;
	tlsplug__conn_error_init(conn, &e);
	tlsplug__error_set(&e, code, "%s", what);
	return tlsplug__conn_keep_error(conn, &e);
}

int
tlsplug_conn_export_keying_material(struct tlsplug_conn *conn,
                                    const char *label, const void *context,
                                    size_t context_len, void *out, size_t len)
{
	const struct tlsplug_backend_descriptor *d = NULL;
	struct tlsplug_error e;
	void *priv;
	size_t label_len;
	int rc;

	if (conn == NULL || out == NULL)
		return fail(conn, TLSPLUG_ERR_MISUSE,
		    "export_keying_material: conn or out is NULL");
	priv = tlsplug__conn_done_priv(conn, &d);
	if (priv == NULL)
		return fail(conn, TLSPLUG_ERR_MISUSE,
		    "export_keying_material: the handshake is not done (or "
		    "the connection failed)");
	if (!(d->caps & TLSPLUG_CAP_EXPORTER) ||
	    !TLSPLUG_OPS_HAS(d, conn, 1, export_keying_material)) {
		tlsplug__conn_error_init(conn, &e);
		tlsplug__error_set(&e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support keying material exporters",
		    d->name);
		return tlsplug__conn_keep_error(conn, &e);
	}
	if (label == NULL || (label_len = strlen(label)) == 0 ||
	    label_len > LABEL_MAX)
		return fail(conn, TLSPLUG_ERR_INVALID,
		    "export_keying_material: the label must be 1 to 249 "
		    "bytes");
	for (size_t i = 0; i < sizeof(reserved_labels) /
	     sizeof(reserved_labels[0]); i++)
		if (strcmp(label, reserved_labels[i]) == 0) {
			tlsplug__conn_error_init(conn, &e);
			tlsplug__error_set(&e, TLSPLUG_ERR_INVALID,
			    "export_keying_material: label \"%s\" is "
			    "reserved by TLS (RFC 5705)", label);
			return tlsplug__conn_keep_error(conn, &e);
		}
	if (context == NULL && context_len > 0)
		return fail(conn, TLSPLUG_ERR_INVALID,
		    "export_keying_material: context is NULL but its length "
		    "is not 0");
	if (context_len > CONTEXT_MAX)
		return fail(conn, TLSPLUG_ERR_INVALID,
		    "export_keying_material: the context is longer than "
		    "65535 bytes");
	if (len == 0 || len > TLSPLUG_EXPORTER_MAX)
		return fail(conn, TLSPLUG_ERR_INVALID,
		    "export_keying_material: the length must be 1 to 8160 "
		    "bytes");

	tlsplug__conn_error_init(conn, &e);
	rc = d->conn->export_keying_material(priv, label, label_len,
	                                     context, context_len,
	                                     context != NULL, out, len, &e);
	if (rc == TLSPLUG_OK)
		return TLSPLUG_OK;
	if (rc > 0 || e.code == TLSPLUG_OK)
		tlsplug__error_set(&e, rc < 0 ? rc : TLSPLUG_ERR_BACKEND,
		    "%s: export_keying_material failed (%s)", d->name,
		    tlsplug_status_name(rc));
	/* The engine's bytes are not to be used: leave none behind. */
	memset(out, 0, len);
	return tlsplug__conn_keep_error(conn, &e);
}

int
tlsplug_conn_channel_binding(struct tlsplug_conn *conn, const char *type,
                             void *out, size_t size, size_t *len)
{
	/* RFC 9266 section 2. */
	static const char cb_label[] = "EXPORTER-Channel-Binding";
	static const unsigned char empty[1];
	struct tlsplug_error e;
	int rc;

	if (len != NULL)
		*len = 0;
	if (conn == NULL || type == NULL || out == NULL || len == NULL)
		return fail(conn, TLSPLUG_ERR_MISUSE,
		    "channel_binding: conn, type, out or len is NULL");
	if (strcmp(type, TLSPLUG_CHANNEL_BINDING_TLS_EXPORTER) != 0) {
		tlsplug__conn_error_init(conn, &e);
		tlsplug__error_set(&e, TLSPLUG_ERR_NOT_FOUND,
		    "channel_binding: unknown type \"%s\" (known: "
		    "tls-exporter)", type);
		return tlsplug__conn_keep_error(conn, &e);
	}
	if (size < 32)
		return fail(conn, TLSPLUG_ERR_INVALID,
		    "channel_binding: tls-exporter needs 32 bytes of room");
	if (tlsplug_conn_version(conn) != TLSPLUG_VERSION_NONE &&
	    tlsplug_conn_version(conn) != TLSPLUG_VERSION_TLSv1_3)
		return fail(conn, TLSPLUG_ERR_UNSUPPORTED,
		    "channel_binding: tls-exporter is defined for TLS 1.3 "
		    "only (RFC 9266)");
	rc = tlsplug_conn_export_keying_material(conn, cb_label, empty, 0,
	                                         out, 32);
	if (rc == TLSPLUG_OK)
		*len = 32;
	return rc;
}
