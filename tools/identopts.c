/* identopts.c -- the CLI's options about the peer's identity. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "identopts.h"
#include "tlsopts.h"

int
identopts_check_pins(const char *cmd, const char *pins)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const struct tlsplug_error *e;
	int rc;

	if (b == NULL) {
		cli_error("out of memory");
		return EXIT_TLS_FAILURE;
	}
	rc = tlsplug_config_builder_add_pins(b, pins);
	e = tlsplug_config_builder_error(b);
	if (rc == TLSPLUG_OK)
		rc = 0;
	else if (rc == TLSPLUG_ERR_INVALID)
		rc = cli_usage_error(cmd, "bad --pin: %s",
		                     e != NULL ? tlsplug_error_message(e) :
		                     "invalid");
	else
		rc = tlsopts_fail("--pin", rc, e);
	tlsplug_config_builder_free(b);
	return rc;
}

int
identopts_add_pins(const char *cmd, struct tlsplug_config_builder *b,
                   const char *pins)
{
	int rc = tlsplug_config_builder_add_pins(b, pins);

	if (rc == TLSPLUG_OK)
		return 0;
	if (rc == TLSPLUG_ERR_INVALID)
		return identopts_check_pins(cmd, pins);
	return tlsopts_fail("--pin", rc, tlsplug_config_builder_error(b));
}

int
identopts_client_cert(struct tlsplug_config_builder *b,
                      enum tlsplug_client_cert_mode mode)
{
	int rc = tlsplug_config_builder_set_client_cert_mode(b, mode);

	return rc == TLSPLUG_OK ? 0 :
	    tlsopts_fail(NULL, rc, tlsplug_config_builder_error(b));
}

/* One certificate as a PEM block, 64 base64 characters a line. */
static int
write_pem(FILE *f, const unsigned char *der, size_t len)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;

	fputs("-----BEGIN CERTIFICATE-----\n", f);
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		unsigned v = (unsigned)der[i] << 16;
		char q[4];

		if (left > 1)
			v |= (unsigned)der[i + 1] << 8;
		if (left > 2)
			v |= der[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = left > 1 ? b64[(v >> 6) & 63] : '=';
		q[3] = left > 2 ? b64[v & 63] : '=';
		fwrite(q, 1, 4, f);
		col += 4;
		if (col == 64) {
			fputc('\n', f);
			col = 0;
		}
	}
	if (col > 0)
		fputc('\n', f);
	return fputs("-----END CERTIFICATE-----\n", f) < 0 ? -1 : 0;
}

int
identopts_write_chain(struct tlsplug_conn *conn, const char *path)
{
	const struct tlsplug_der *certs;
	char prefix[512];
	size_t n = 0;
	FILE *f;
	int rc, bad = 0;

	snprintf(prefix, sizeof(prefix), "--peer-chain %s", path);
	rc = tlsplug_conn_peer_chain(conn, &certs, &n);
	if (rc != TLSPLUG_OK)
		return tlsopts_fail(prefix, rc, NULL);
	f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (f == NULL) {
		cli_error("--peer-chain %s: %s", path, strerror(errno));
		return EXIT_TLS_FAILURE;
	}
	for (size_t i = 0; i < n && !bad; i++)
		bad = write_pem(f, certs[i].data, certs[i].len) != 0;
	if (f == stdout)
		bad |= fflush(f) != 0;
	else
		bad |= fclose(f) != 0;
	if (bad) {
		cli_error("--peer-chain %s: %s", path, strerror(errno));
		return EXIT_TLS_FAILURE;
	}
	return 0;
}
