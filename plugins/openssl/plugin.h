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

/* The core services, kept by the plugin's init in openssl.c (read-only
 * afterwards). */
extern const struct tlsplug_core *osslp_core;

/*
 * Everything built from one tlsplug_bconfig for one role.  The core builds
 * one per context, and one per config an SNI callback returns
 * (select_server), each in its own context private state.  Read-only once
 * built: connections on any thread share it without a lock.
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
	/* Groups and signature algorithms as OpenSSL lists ("a:b"), NULL:
	 * the engine's default. */
	char *groups;
	char *sigalgs;
	/* One SSL_CTX per certificate chain (an SSL_CTX holds one chain per
	 * key type), at least one; the core picks which serves a client. */
	SSL_CTX **sctx;
	size_t nchains;
	/* Server: the ticket master key (the config's or random) and the
	 * session id context derived from it (session.c). */
	unsigned char ticket_master[TLSPLUG_TICKET_KEY_SIZE];
	unsigned char sid_ctx[32];
	int keys_done;
	/* The config's CRLs, parsed (revocation.c), or NULL. */
	STACK_OF(X509_CRL) *crls;
	/* OpenSSL's own security callback, which policy.c's defers to. */
	int (*default_security_cb)(const SSL *, const SSL_CTX *, int, int,
	                           int, void *, void *);
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
	unsigned got_session : 1;     /* gave the core a session */
	int cb_status;                /* error recorded by a callback */

	/* First certificate verification failure (X509_V_ERR_*, 0: none);
	 * its message, with the certificate's subject, is already in the
	 * call's error record. */
	int verify_error;

	/* The SNI sent (client) or received (server) is read back from the
	 * SSL.  server: the SNI name while the ClientHello hook runs (the SSL
	 * has not parsed it yet), else NULL. */
	const char *hello_sni;
	/* The chain being verified while the verify callback asks the core
	 * to check it (conn_ops.peer_cert reads it), else NULL. */
	X509_STORE_CTX *verifying;
	/* client: what the stapled OCSP response said (enum
	 * tlsplug_ocsp_status), set by the status callback. */
	int ocsp_status;
	/* OpenSSL validated the chain (the verified chain is worth
	 * handing out). */
	unsigned verified_ok : 1;
};

/* ---- context.c ---------------------------------------------------------- */

/* The context entry points, both roles. */
extern const struct tlsplug_context_ops osslp_context_ops;

/* ---- ciphers.c ---------------------------------------------------------- */

/* Sets up (at plugin init) and frees (at fini) what id lookups need;
 * init returns 0, or -1 when out of memory. */
#ifdef TLSPLUG_FUZZING
/* fuzzing.c: the fuzz programs' random stream as OpenSSL's generator. */
void osslp_fuzzing_init(void);
/* Gives OpenSSL its own generator back (before the plugin is unloaded:
 * OpenSSL outlives it and would call into the unmapped method). */
void osslp_fuzzing_fini(void);
#endif
int osslp_ciphers_init(void);
void osslp_ciphers_fini(void);
/* Splits cfg's suites into e->ciphers12 and e->ciphers13 (both NULL: the
 * engine's default); suites OpenSSL lacks are skipped. */
int osslp_ciphers_build(struct osslp_engine *e, struct tlsplug_error *err);
/* Checks that e's suites leave something usable and narrows e's version
 * range to the versions they cover. */
int osslp_ciphers_check(struct osslp_engine *e, struct tlsplug_error *err);
/* Sets e's cipher lists and version bounds on s; 0, or -1. */
int osslp_apply_params(SSL_CTX *s, const struct osslp_engine *e);

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
/* Records a certificate verification failure (X509_V_ERR_* x509_error at
 * depth, certificate subject or NULL) in the current call's error record;
 * returns its category. */
int osslp_verify_failure(struct osslp_conn *c, int x509_error, long native,
                         int depth, const char *subject);
/* conn_ops.peer_cert: certificate `index` of the peer's chain as DER. */
ssize_t osslp_conn_peer_cert(void *conn_priv, size_t index,
                             unsigned char *buf, size_t size);
/* conn_ops.verified_cert: the same of the chain OpenSSL verified. */
ssize_t osslp_conn_verified_cert(void *conn_priv, size_t index,
                                 unsigned char *buf, size_t size);
/* Certificate verification function for validation off when the core
 * still checks the peer (bconfig check_peer_always). */
int osslp_unvalidated_cb(X509_STORE_CTX *store, void *arg);
/* RFC 4514 text of a name into buf (NUL-terminated, truncated to size);
 * returns the full length, or -1. */
int osslp_name_text(const X509_NAME *name, char *buf, size_t size);

/* ---- keys.c ------------------------------------------------------------- */

/* Hooks s's connections to core->keylog (when the core has it and cfg
 * says key logging is on). */
void osslp_keylog_apply(SSL_CTX *s, const struct tlsplug_bconfig *cfg);
/* conn_ops.export_keying_material. */
int osslp_conn_export(void *conn_priv, const char *label, size_t label_len,
                      const unsigned char *context, size_t context_len,
                      int use_context, unsigned char *out, size_t len,
                      struct tlsplug_error *err);

/* ---- groups.c ----------------------------------------------------------- */

/* OpenSSL 3.0's default group list, for an SSL leaving an engine context
 * that set its own. */
#define OSSLP_DEFAULT_GROUPS \
	"x25519:secp256r1:x448:secp521r1:secp384r1:ffdhe2048:ffdhe3072:" \
	"ffdhe4096:ffdhe6144:ffdhe8192"
/* Probes (at plugin init) which groups and signature algorithms this
 * OpenSSL has. */
void osslp_groups_init(void);
/* info_ops.groups / info_ops.sigalgs. */
size_t osslp_info_groups(uint16_t *ids, size_t max);
size_t osslp_info_sigalgs(uint16_t *ids, size_t max);
/* e->groups and e->sigalgs from e->cfg. */
int osslp_groups_build(struct osslp_engine *e, struct tlsplug_error *err);
/* Sets e's groups and signature algorithms on s; 0, or -1. */
int osslp_groups_apply(SSL_CTX *s, const struct osslp_engine *e);
/* Moves an SSL that started on engine `from` to e's groups; 0, or -1. */
int osslp_groups_apply_ssl(SSL *ssl, const struct osslp_engine *from,
                           const struct osslp_engine *e);
/* conn_ops.group. */
uint16_t osslp_conn_group(void *conn_priv);
/* ---- session.c ---------------------------------------------------------- */

/* Sets up s for sessions: the client's new-session hook, the server's
 * tickets (keys, rotation, lifetime) and session id context.  0, or -1. */
int osslp_session_setup(SSL_CTX *s, struct osslp_engine *e);
/* After a completed handshake (client: a resumed TLS 1.2 session). */
void osslp_session_handshake_done(struct osslp_conn *c);
/* conn_ops.set_session and conn_ops.resumed. */
int osslp_conn_set_session(void *conn_priv, const unsigned char *data,
                           size_t len, struct tlsplug_error *err);
int osslp_conn_resumed(void *conn_priv);
/* conn_ops.get_session: the latest resumable session as i2d bytes. */
ssize_t osslp_conn_get_session(void *conn_priv, unsigned char *buf,
                               size_t size);
/* ---- policy.c ----------------------------------------------------------- */

/* Installs the system policy's DH floor (cfg->min_dh_bits) on s. */
void osslp_policy_apply(SSL_CTX *s, struct osslp_engine *e);

/* ---- revocation.c ------------------------------------------------------- */

/* Parses cfg's CRLs into e->crls (NULL when there are none). */
int osslp_crls_load(struct osslp_engine *e, struct tlsplug_error *err);
void osslp_crls_free(struct osslp_engine *e);
/* Adds e's CRLs to s's store and turns CRL checking on; 0, or -1. */
int osslp_crls_apply(SSL_CTX *s, const struct osslp_engine *e);
/* 1 when verify error x509_error only says that a certificate's issuer
 * has no CRL here: such certificates are not checked. */
int osslp_crl_missing_ok(const struct osslp_conn *c, int x509_error);
/* Installs the OCSP status callbacks on s, the SSL_CTX of chain `chain`:
 * a client's check, a server's staple (chain 0 only); 0, or -1. */
int osslp_ocsp_apply(SSL_CTX *s, const struct osslp_engine *e,
                     size_t chain);
/* conn_ops.ocsp_status */
enum tlsplug_ocsp_status osslp_conn_ocsp_status(void *conn_priv);

/* ---- conn.c ------------------------------------------------------------- */

/* The connection entry points. */
extern const struct tlsplug_conn_ops osslp_conn_ops;
/* Creates (at plugin init) and frees (at fini) the transport BIO method;
 * 0, or -1 when out of memory. */
int osslp_bio_method_new(void);
void osslp_bio_method_free(void);

#endif /* TLSPLUG_PLUGINS_OPENSSL_PLUGIN_H */
