/* error.c -- status codes, their names, and error records. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Keep in sync with enum tlsplug_status in tlsplug.h. */
static const struct {
	int code;
	const char *name;
	const char *text;
} status_table[] = {
	{ TLSPLUG_OK, "OK", "success" },
	{ TLSPLUG_WANT_READ, "WANT_READ", "more incoming data needed" },
	{ TLSPLUG_WANT_WRITE, "WANT_WRITE", "outgoing data must be sent first" },
	{ TLSPLUG_CLOSED, "CLOSED", "connection closed by the peer (close_notify)" },
	{ TLSPLUG_RAGGED_EOF, "RAGGED_EOF", "connection closed without close_notify" },
	{ TLSPLUG_ERR_NOMEM, "NOMEM", "out of memory" },
	{ TLSPLUG_ERR_INVALID, "INVALID", "invalid argument or input" },
	{ TLSPLUG_ERR_MISUSE, "MISUSE", "call not allowed in this state" },
	{ TLSPLUG_ERR_UNSUPPORTED, "UNSUPPORTED", "setting not supported by the backend" },
	{ TLSPLUG_ERR_IO, "IO", "input/output error" },
	{ TLSPLUG_ERR_NOT_FOUND, "NOT_FOUND", "not found" },
	{ TLSPLUG_ERR_PLUGIN, "PLUGIN", "plugin rejected or failed to load" },
	{ TLSPLUG_ERR_CONFIG_FILE, "CONFIG_FILE", "malformed configuration file" },
	{ TLSPLUG_ERR_BACKEND, "BACKEND", "internal error in the TLS engine" },
	{ TLSPLUG_ERR_TIMEOUT, "TIMEOUT", "operation timed out" },
	{ TLSPLUG_ERR_POLICY, "POLICY",
	  "refused by the system policy (below its floor)" },
	{ TLSPLUG_ERR_BAD_CERTIFICATE, "BAD_CERTIFICATE", "certificate cannot be parsed" },
	{ TLSPLUG_ERR_BAD_KEY, "BAD_KEY", "private key cannot be parsed" },
	{ TLSPLUG_ERR_BAD_PASSWORD, "BAD_PASSWORD", "wrong or missing private key password" },
	{ TLSPLUG_ERR_KEY_MISMATCH, "KEY_MISMATCH", "private key does not match the certificate" },
	{ TLSPLUG_ERR_CERT_EXPIRED, "CERT_EXPIRED", "certificate has expired" },
	{ TLSPLUG_ERR_CERT_NOT_YET_VALID, "CERT_NOT_YET_VALID", "certificate is not yet valid" },
	{ TLSPLUG_ERR_CERT_HOSTNAME, "CERT_HOSTNAME", "certificate does not match the host name" },
	{ TLSPLUG_ERR_CERT_UNTRUSTED, "CERT_UNTRUSTED", "certificate issuer is unknown or untrusted" },
	{ TLSPLUG_ERR_CERT_SELF_SIGNED, "CERT_SELF_SIGNED", "certificate is self-signed and not trusted" },
	{ TLSPLUG_ERR_CERT_SIGNATURE, "CERT_SIGNATURE", "certificate signature is invalid" },
	{ TLSPLUG_ERR_CERT_PURPOSE, "CERT_PURPOSE", "certificate not valid for this purpose" },
	{ TLSPLUG_ERR_CERT_REVOKED, "CERT_REVOKED", "certificate has been revoked" },
	{ TLSPLUG_ERR_CERT_INVALID, "CERT_INVALID", "certificate verification failed" },
	{ TLSPLUG_ERR_PEER_NO_CERT, "PEER_NO_CERT", "peer sent no certificate but one is required" },
	{ TLSPLUG_ERR_CERT_PIN, "CERT_PIN", "certificate public key matches no pin" },
	{ TLSPLUG_ERR_NO_SHARED_VERSION, "NO_SHARED_VERSION", "no TLS version in common with the peer" },
	{ TLSPLUG_ERR_NO_SHARED_CIPHER, "NO_SHARED_CIPHER", "no cipher suite in common with the peer" },
	{ TLSPLUG_ERR_ALERT_RECEIVED, "ALERT_RECEIVED", "fatal alert received from the peer" },
	{ TLSPLUG_ERR_PROTOCOL, "PROTOCOL", "TLS protocol error" },
	{ TLSPLUG_ERR_HANDSHAKE_REFUSED, "HANDSHAKE_REFUSED", "handshake refused by the server name callback" },
	{ TLSPLUG_ERR_NO_SHARED_ALPN, "NO_SHARED_ALPN", "no ALPN protocol in common with the peer" },
};

static size_t
status_index(int code)
{
	for (size_t i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
		if (status_table[i].code == code)
			return i;
	return (size_t)-1;
}

const char *
tlsplug_strerror(int status)
{
	size_t i = status_index(status);

	return i == (size_t)-1 ? "unknown status" : status_table[i].text;
}

const char *
tlsplug_status_name(int status)
{
	size_t i = status_index(status);

	return i == (size_t)-1 ? "UNKNOWN" : status_table[i].name;
}

/* TLS alert descriptions (IANA TLS Alerts registry). */
static const struct {
	int alert;
	const char *name;
} alert_table[] = {
	{ 0, "close_notify" }, { 10, "unexpected_message" },
	{ 20, "bad_record_mac" }, { 21, "decryption_failed" },
	{ 22, "record_overflow" }, { 30, "decompression_failure" },
	{ 40, "handshake_failure" }, { 41, "no_certificate" },
	{ 42, "bad_certificate" }, { 43, "unsupported_certificate" },
	{ 44, "certificate_revoked" }, { 45, "certificate_expired" },
	{ 46, "certificate_unknown" }, { 47, "illegal_parameter" },
	{ 48, "unknown_ca" }, { 49, "access_denied" },
	{ 50, "decode_error" }, { 51, "decrypt_error" },
	{ 60, "export_restriction" }, { 70, "protocol_version" },
	{ 71, "insufficient_security" }, { 80, "internal_error" },
	{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
	{ 100, "no_renegotiation" }, { 109, "missing_extension" },
	{ 110, "unsupported_extension" }, { 111, "certificate_unobtainable" },
	{ 112, "unrecognized_name" }, { 113, "bad_certificate_status_response" },
	{ 114, "bad_certificate_hash_value" }, { 115, "unknown_psk_identity" },
	{ 116, "certificate_required" }, { 120, "no_application_protocol" },
};

const char *
tlsplug_alert_name(int alert)
{
	for (size_t i = 0; i < sizeof(alert_table) / sizeof(alert_table[0]); i++)
		if (alert_table[i].alert == alert)
			return alert_table[i].name;
	return "unknown";
}

/* ---- records -------------------------------------------------------- */

int
tlsplug_error_code(const struct tlsplug_error *e)
{
	return e == NULL ? TLSPLUG_OK : e->code;
}

const char *
tlsplug_error_message(const struct tlsplug_error *e)
{
	if (e == NULL)
		return NULL;
	return e->message[0] != '\0' ? e->message : tlsplug_strerror(e->code);
}

const char *
tlsplug_error_backend(const struct tlsplug_error *e)
{
	return e == NULL || e->backend[0] == '\0' ? NULL : e->backend;
}

long
tlsplug_error_native_code(const struct tlsplug_error *e)
{
	return e == NULL ? 0 : e->native_code;
}

int
tlsplug_error_alert(const struct tlsplug_error *e)
{
	return e == NULL ? -1 : e->alert;
}

void
tlsplug_error_free(struct tlsplug_error *e)
{
	free(e);
}

const struct tlsplug_error tlsplug__nomem_record = {
	.code = TLSPLUG_ERR_NOMEM,
	.alert = -1,
	.message = "out of memory (recording an error)",
};

void
tlsplug__error_clear(struct tlsplug_error *e)
{
	if (e == NULL)
		return;
	e->code = TLSPLUG_OK;
	e->native_code = 0;
	e->alert = -1;
	e->backend[0] = '\0';
	e->message[0] = '\0';
}

int
tlsplug__error_setv(struct tlsplug_error *e, int code, const char *fmt,
                    va_list ap)
{
	if (e == NULL)
		return code;
	e->code = code;
	e->native_code = 0;
	e->alert = -1;
	e->backend[0] = '\0';
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	return code;
}

int
tlsplug__error_set(struct tlsplug_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlsplug__error_setv(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int
tlsplug__error_set_backend(struct tlsplug_error *e, const char *backend,
                           int code, long native, const char *fmt, va_list ap)
{
	int n;

	if (e == NULL)
		return code;
	e->code = code;
	e->native_code = native;
	e->alert = -1;
	snprintf(e->backend, sizeof(e->backend), "%s", backend ? backend : "");
	n = snprintf(e->message, sizeof(e->message), "%s: ",
	             backend ? backend : "backend");
	if (n < 0 || (size_t)n >= sizeof(e->message))
		n = 0;
	vsnprintf(e->message + n, sizeof(e->message) - (size_t)n, fmt, ap);
	return code;
}

int
tlsplug__error_set_owner(struct tlsplug_error *e, int code, long native,
                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlsplug__error_set_backend(e, e != NULL ? e->owner : NULL, code,
	                           native, fmt, ap);
	va_end(ap);
	return code;
}

int
tlsplug__error_export(const struct tlsplug_error *e,
                      struct tlsplug_error **errp)
{
	struct tlsplug_error *copy;

	if (errp == NULL || e == NULL)
		return e == NULL ? TLSPLUG_OK : e->code;
	/* Plain malloc: a record must be handed out even when the failure
	 * being reported is an injected allocation failure. */
	copy = malloc(sizeof(*copy));
	if (copy != NULL) {
		*copy = *e;
		copy->owner = NULL;
	}
	*errp = copy;
	return e->code;
}

int
tlsplug__error_out(struct tlsplug_error **errp, int code, const char *fmt, ...)
{
	struct tlsplug_error e = { .alert = -1 };
	va_list ap;

	va_start(ap, fmt);
	tlsplug__error_setv(&e, code, fmt, ap);
	va_end(ap);
	return tlsplug__error_export(&e, errp);
}
