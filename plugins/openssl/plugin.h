/*
 * plugin.h -- declarations shared by the OpenSSL plugin's source files.
 * Everything here has hidden visibility; the plugin exports only its
 * descriptor.
 */
#ifndef TLSPLUG_PLUGINS_OPENSSL_PLUGIN_H
#define TLSPLUG_PLUGINS_OPENSSL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#define OSSLP_NAME_MAX 256        /* SNI host names are at most 255 bytes */
#define OSSLP_SUBJECT_MAX 256     /* subject quoted in verify messages */

/* The core services, kept by the plugin's init (read-only afterwards). */
extern const struct tlsplug_core *osslp_core;

/*
 * Everything built from one tlsplug_bconfig for one role.  The core builds
 * one per context, and one per config an SNI callback returns
 * (select_server), each in its own context private state.
 */
struct osslp_engine {
	enum tlsplug_role role;
	const struct tlsplug_bconfig *cfg;
	/* Effective settings, kept so the SNI hook can apply them to an SSL
	 * that started on another engine. */
	int min_version;           /* OpenSSL version numbers, 0: no bound */
	int max_version;
	int verify_mode;
	char *ciphers12;           /* NULL: engine default */
	char *ciphers13;
	/* One SSL_CTX per certificate chain (an SSL_CTX holds one chain per
	 * key type), at least one; the core picks which serves a client. */
	SSL_CTX **sctx;
	size_t nchains;
};

/* Per context private state. */
struct osslp_ctx {
	struct osslp_engine eng;
};

/* Per connection private state. */
struct osslp_conn {
	SSL *ssl;
	struct osslp_ctx *ctx;
	struct tlsplug_conn *host;
	struct tlsplug_error *err;    /* the current call's error record */
	enum tlsplug_role role;

	/* transport state, set by the BIO */
	unsigned eof : 1;             /* pull returned EOF */
	unsigned would_block : 1;     /* pull said "nothing yet" */
	unsigned push_failed : 1;     /* push ran out of memory */

	unsigned hello_done : 1;      /* ClientHello hook ran already */
	int cb_status;                /* error recorded by a callback */

	/* First certificate verification failure (X509_V_ERR_*, 0: none);
	 * its message, with the certificate's subject, is already in the
	 * call's error record. */
	int verify_error;

	/* The SNI sent (client) or received (server) is read back from the
	 * SSL.  server: the SNI name while the ClientHello hook runs (the SSL has
	 * not parsed it yet), else NULL. */
	const char *hello_sni;
	/* The chain being verified while the verify callback asks the core
	 * to check it (conn_ops.peer_cert reads it), else NULL. */
	X509_STORE_CTX *verifying;
};

/* ---- openssl.c ---------------------------------------------------------- */

/* The transport BIO of a connection (pull/push through the core). */
BIO *osslp_bio_new(struct osslp_conn *c);

/* IANA id -> OpenSSL cipher, or NULL when this OpenSSL lacks it. */
const SSL_CIPHER *osslp_cipher_find(uint16_t id);
/* Cipher suites offered by default (IANA ids); returns the total. */
size_t osslp_default_ciphers(uint16_t *ids, size_t max);

/* ---- context.c ---------------------------------------------------------- */

/* Builds e from cfg for role (e is zeroed first); cleans up on failure. */
int osslp_engine_init(struct osslp_engine *e, enum tlsplug_role role,
                      const struct tlsplug_bconfig *cfg,
                      struct tlsplug_error *err);
/* Frees what e holds (safe on a zeroed or failed engine). */
void osslp_engine_fini(struct osslp_engine *e);

/* ---- load.c ------------------------------------------------------------- */

/* Text of OpenSSL error e for messages (buf is scratch space). */
const char *osslp_err_text(unsigned long e, char *buf, size_t size);
/* Loads a PEM trust blob into a new store, and the certificates' subjects
 * (for a server's CertificateRequest). */
int osslp_trust_load(const struct tlsplug_blob *b, X509_STORE **storep,
                     STACK_OF(X509_NAME) **namesp,
                     struct tlsplug_error *err);
/* Loads chain ch (leaf, intermediates, key) into s. */
int osslp_chain_load(SSL_CTX *s, const struct tlsplug_bchain *ch,
                     struct tlsplug_error *err);

/* ---- hello.c ------------------------------------------------------------ */

/* The ClientHello hook of server contexts: switches the connection to the
 * config and chain the core selects. */
int osslp_client_hello_cb(SSL *ssl, int *alert, void *arg);

/* ---- verify.c ----------------------------------------------------------- */

/* Verify callback installed on every context. */
int osslp_verify_cb(int ok, X509_STORE_CTX *store);
/* Maps an X509_V_ERR_* code to a TLSPLUG_ERR_CERT_* category. */
int osslp_verify_category(int x509_error);
/* conn_ops.peer_cert: certificate `index` of the peer's chain as DER. */
ssize_t osslp_peer_cert(void *conn_priv, size_t index, unsigned char *buf,
                        size_t size);
/* RFC 4514 text of a name into buf (NUL-terminated, truncated to size);
 * returns the full length, or -1. */
int osslp_name_text(const X509_NAME *name, char *buf, size_t size);

/* ---- conn.c ------------------------------------------------------------- */

extern const struct tlsplug_conn_ops osslp_conn_ops;
/* Records a certificate verification failure (X509_V_ERR_* x509_error at
 * depth, certificate subject or NULL) in the current call's error record;
 * returns its category. */
int osslp_verify_failure(struct osslp_conn *c, int x509_error, long native,
                         int depth, const char *subject);

#endif /* TLSPLUG_PLUGINS_OPENSSL_PLUGIN_H */
