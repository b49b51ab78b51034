/*
 * loopback.c -- a TLS client and a TLS server talking to each other inside
 * one process, through tlsplug's buffer API (PEP 543's TLSWrappedBuffer).
 *
 *   usage: loopback [-b BACKEND] [-n HOSTNAME] CERT KEY CAFILE
 *
 * CERT and KEY are the server's certificate chain and private key (PEM or
 * DER), CAFILE the PEM file of certificates the client trusts.  HOSTNAME is
 * the name the client checks in the server's certificate (default
 * "localhost").  Without -b, the backend is the one tlsplug chooses by
 * default (TLSPLUG_BACKEND, the configuration files, or the built-in
 * order); `tlsplug which` tells which one that is.
 *
 * There is no socket: each connection owns two ciphertext buffers, and this
 * program moves the bytes one connection writes into the other one's input
 * ("pumping"), exactly as a program would move them to and from a socket,
 * a pipe or an event loop.  On success it prints one line such as
 *
 *   backend=openssl version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 alpn=h2
 *
 * and exits 0; on failure it prints the error and exits 1 (2 for usage).
 */
#define _POSIX_C_SOURCE 200809L   /* getopt() under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

/* Both sides offer these ALPN protocols; the server picks its first one the
 * client also offers. */
static const char *const alpn[] = { TLSPLUG_ALPN_H2, TLSPLUG_ALPN_HTTP1 };

/* Prints an error record (it may be NULL) and exits. */
static void
die(const char *what, const struct tlsplug_error *err)
{
	fprintf(stderr, "loopback: %s: %s\n", what,
	        err != NULL ? tlsplug_error_message(err) : "failed");
	exit(1);
}

/* Same, for constructors that hand over a heap error record. */
static void
die_free(const char *what, struct tlsplug_error *err)
{
	fprintf(stderr, "loopback: %s: %s\n", what,
	        err != NULL ? tlsplug_error_message(err) : "failed");
	tlsplug_error_free(err);
	exit(1);
}

/* Moves every pending outgoing ciphertext byte of `from` into `to`.
 * Returns the number of bytes moved. */
static size_t
pump(struct tlsplug_conn *from, struct tlsplug_conn *to)
{
	const void *data;
	size_t len = tlsplug_conn_peek_outgoing(from, &data);

	if (len == 0)
		return 0;
	if (tlsplug_conn_receive_from_network(to, data, len) != TLSPLUG_OK)
		die("receive_from_network", tlsplug_conn_error(to));
	/* Only consume what the peer really took: here, everything. */
	tlsplug_conn_consume_outgoing(from, len);
	return len;
}

/* Server config: a certificate chain with its key, and ALPN. */
static struct tlsplug_config *
server_config(const char *cert_file, const char *key_file)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_error *err = NULL;

	if (b == NULL)
		die("server config", NULL);
	/* The core checks the files at once (readable, PEM or DER) and names
	 * them in its errors; the engine parses them at context creation. */
	if (tlsplug_certificate_from_file(cert_file, &cert, &err) != TLSPLUG_OK)
		die_free("server certificate", err);
	if (tlsplug_private_key_from_file(key_file, &key, &err) != TLSPLUG_OK)
		die_free("server key", err);
	if (tlsplug_config_builder_add_cert_chain(b, cert, NULL, key) !=
	    TLSPLUG_OK ||
	    tlsplug_config_builder_set_alpn(b, alpn, 2) != TLSPLUG_OK)
		die("server config", tlsplug_config_builder_error(b));
	if (tlsplug_config_builder_build(b, &cfg) != TLSPLUG_OK)
		die("server config", tlsplug_config_builder_error(b));
	/* The builder took its own references. */
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	tlsplug_config_builder_free(b);
	return cfg;
}

/* Client config: validation stays on (the default), trusting CAFILE. */
static struct tlsplug_config *
client_config(const char *ca_file)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_trust_store *trust = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_error *err = NULL;

	if (b == NULL)
		die("client config", NULL);
	if (tlsplug_trust_store_from_file(ca_file, &trust, &err) != TLSPLUG_OK)
		die_free("trust store", err);
	if (tlsplug_config_builder_set_trust_store(b, trust) != TLSPLUG_OK ||
	    tlsplug_config_builder_set_alpn(b, alpn, 2) != TLSPLUG_OK)
		die("client config", tlsplug_config_builder_error(b));
	if (tlsplug_config_builder_build(b, &cfg) != TLSPLUG_OK)
		die("client config", tlsplug_config_builder_error(b));
	tlsplug_trust_store_unref(trust);
	tlsplug_config_builder_free(b);
	return cfg;
}

/* Runs both handshakes, pumping bytes both ways, until both are done. */
static void
handshake(struct tlsplug_conn *client, struct tlsplug_conn *server)
{
	int crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ;
	int round;

	/* A TLS 1.2 or 1.3 handshake needs a few flights; 50 rounds is far
	 * more than enough and keeps a broken backend from looping forever. */
	for (round = 0; round < 50; round++) {
		if (crc != TLSPLUG_OK) {
			crc = tlsplug_conn_handshake(client);
			if (crc < 0)
				die("client handshake",
				    tlsplug_conn_error(client));
		}
		/* Send what the client produced, even after an error: it
		 * may be an alert the server should see. */
		pump(client, server);
		if (src != TLSPLUG_OK) {
			src = tlsplug_conn_handshake(server);
			if (src < 0)
				die("server handshake",
				    tlsplug_conn_error(server));
		}
		pump(server, client);
		if (crc == TLSPLUG_OK && src == TLSPLUG_OK)
			return;
	}
	fprintf(stderr, "loopback: the handshake did not finish\n");
	exit(1);
}

/* Sends one line from `from` to `to` and checks it arrives intact. */
static void
send_line(struct tlsplug_conn *from, struct tlsplug_conn *to,
          const char *line)
{
	char buf[256];
	size_t len = strlen(line), done = 0, got = 0, n;
	int rc, round;

	for (round = 0; done < len && round < 50; round++) {
		rc = tlsplug_conn_write(from, line + done, len - done, &n);
		if (rc < 0)
			die("write", tlsplug_conn_error(from));
		if (rc == TLSPLUG_OK)
			done += n;
		pump(from, to);
	}
	/* Reading may also need more records (TLS 1.3 session tickets arrive
	 * after the handshake), so pump both ways between reads. */
	for (round = 0; got < len && round < 50; round++) {
		rc = tlsplug_conn_read(to, buf + got, sizeof(buf) - 1 - got,
		                       &n);
		if (rc < 0)
			die("read", tlsplug_conn_error(to));
		if (rc == TLSPLUG_CLOSED || rc == TLSPLUG_RAGGED_EOF)
			break;
		if (rc == TLSPLUG_OK)
			got += n;
		pump(to, from);
		pump(from, to);
	}
	buf[got] = '\0';
	if (strcmp(buf, line) != 0) {
		fprintf(stderr, "loopback: sent \"%s\" but received \"%s\"\n",
		        line, buf);
		exit(1);
	}
}

static void
usage(void)
{
	fprintf(stderr,
	        "usage: loopback [-b BACKEND] [-n HOSTNAME] CERT KEY CAFILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *backend_name = NULL, *hostname = "localhost", *alpn_got;
	const struct tlsplug_backend *backend;
	struct tlsplug_registry *reg;
	struct tlsplug_config *scfg, *ccfg;
	struct tlsplug_context *sctx = NULL, *cctx = NULL;
	struct tlsplug_conn *server = NULL, *client = NULL;
	struct tlsplug_error *err = NULL;
	const char *cipher;
	char hex[8];
	int c;

	while ((c = getopt(argc, argv, "b:n:")) != -1) {
		switch (c) {
		case 'b':
			backend_name = optarg;
			break;
		case 'n':
			hostname = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3)
		usage();

	/* The registry finds the plugins; choose() applies the precedence
	 * rules.  An explicit name that is not available is an error (no
	 * silent fallback), and the message lists what is available. */
	reg = tlsplug_registry_default();
	if (reg == NULL)
		die("registry", NULL);
	if (tlsplug_registry_choose(reg, backend_name, &backend, NULL, NULL) !=
	    TLSPLUG_OK)
		die("backend", tlsplug_registry_error(reg));

	/* One config per role; each is immutable, and the same config would
	 * work unchanged with any other backend. */
	scfg = server_config(argv[optind], argv[optind + 1]);
	ccfg = client_config(argv[optind + 2]);

	if (tlsplug_context_new(backend, TLSPLUG_SERVER, scfg, &sctx, &err) !=
	    TLSPLUG_OK)
		die_free("server context", err);
	if (tlsplug_context_new(backend, TLSPLUG_CLIENT, ccfg, &cctx, &err) !=
	    TLSPLUG_OK)
		die_free("client context", err);
	/* Contexts hold their own references to the configs. */
	tlsplug_config_unref(scfg);
	tlsplug_config_unref(ccfg);

	if (tlsplug_conn_new(sctx, NULL, &server, &err) != TLSPLUG_OK)
		die_free("server connection", err);
	/* The client checks the server's certificate against this name and
	 * sends it as SNI. */
	if (tlsplug_conn_new(cctx, hostname, &client, &err) != TLSPLUG_OK)
		die_free("client connection", err);

	handshake(client, server);
	send_line(client, server, "hello from the client\n");
	send_line(server, client, "hello from the server\n");

	cipher = tlsplug_cipher_suite_name(tlsplug_conn_cipher(client));
	if (cipher == NULL) {
		snprintf(hex, sizeof(hex), "0x%04X",
		         tlsplug_conn_cipher(client));
		cipher = hex;
	}
	alpn_got = tlsplug_conn_alpn(client);
	printf("backend=%s version=%s cipher=%s alpn=%s\n",
	       tlsplug_backend_name(backend),
	       tlsplug_version_name(tlsplug_conn_version(client)), cipher,
	       alpn_got != NULL ? alpn_got : "none");

	/* close_notify both ways; WANT_READ just means "still waiting for
	 * the peer's", which the pump below delivers. */
	(void)tlsplug_conn_shutdown(client);
	pump(client, server);
	(void)tlsplug_conn_shutdown(server);
	pump(server, client);

	tlsplug_conn_free(client);
	tlsplug_conn_free(server);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
	return 0;
}
