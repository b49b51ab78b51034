/*
 * plugin.h -- declarations shared by the wolfSSL plugin's source files.
 * Everything here has hidden visibility; the plugin exports only its
 * descriptor.
 *
 * wolfSSL's headers need its build options first: every file includes
 * <wolfssl/options.h> before <wolfssl/ssl.h> (this header does).
 */
#ifndef TLSPLUG_PLUGINS_WOLFSSL_PLUGIN_H
#define TLSPLUG_PLUGINS_WOLFSSL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#define WOLFP_NAME_MAX 256        /* SNI host names are at most 255 bytes */
#define WOLFP_ERRTEXT_MAX 128     /* wolfSSL error strings (80 + slack) */

/* The core services, kept by the plugin's init in wolfssl.c (read-only
 * afterwards). */
extern const struct tlsplug_core *wolfp_core;

/* A certificate's DER, owned. */
struct wolfp_der {
	unsigned char *data;
	size_t len;
};

/*
 * Everything built from one tlsplug_bconfig for one role.  The core builds
 * one per context, and one per config an SNI callback returns
 * (select_server), each in its own context private state.  Read-only once
 * built: connections on any thread share it without a lock.
 */
struct wolfp_engine {
	enum tlsplug_role role;
	const struct tlsplug_bconfig *cfg;
	/* Effective settings, kept so the ClientHello hook can apply them to
	 * a WOLFSSL that started on another engine.  Versions are protocol
	 * numbers (0x0303 for TLS 1.2), 0: no bound. */
	int min_version;
	int max_version;
	int verify_mode;
	/* The suites to use, as 2-byte wire ids, in order: those asked for
	 * that this wolfSSL has (or the plugin's default), minus those the
	 * version bounds rule out. */
	unsigned char *suites;
	size_t suites_len;
	/* Groups (IANA ids, as wolfSSL takes them) and signature algorithms
	 * (wolfSSL's list syntax) the config names; NULL: the defaults. */
	int *groups;
	int ngroups;
	char *sigalgs;
	/* One WOLFSSL_CTX per certificate chain (a WOLFSSL_CTX holds one
	 * chain), at least one; the core picks which serves a client. */
	WOLFSSL_CTX **wctx;
	size_t nchains;
	/* server: the ticket master key (the config's, or random) and the
	 * session id context derived from it (session.c). */
	unsigned char ticket_master[TLSPLUG_TICKET_KEY_SIZE];
	/* Shorter than wolfSSL's ID_LEN (32): wolfSSL stores a session's
	 * context in it only when it is. */
	unsigned char sid_ctx[20];
	unsigned keys_done : 1;
	/* server: TLS 1.2 sessions by id (sesscache.c), or NULL */
	struct wolfp_scache *scache;
	/* The config's CRLs, parsed, and the DER of each one's issuer
	 * Name (revocation.c). */
	WOLFSSL_X509_CRL **crls;
	struct wolfp_der *crl_issuers;
	size_t ncrls;
};

/* Per context private state. */
struct wolfp_ctx {
	struct wolfp_engine eng;
};

/* Per connection private state. */
struct wolfp_conn {
	WOLFSSL *ssl;
	struct wolfp_ctx *ctx;
	/* The engine serving the connection: its context's, or the one
	 * the ClientHello hook switched to. */
	const struct wolfp_engine *eng;
	struct tlsplug_conn *host;
	struct tlsplug_error *err;    /* the current call's error record */
	enum tlsplug_role role;

	/* transport state, set by the I/O callbacks */
	unsigned eof : 1;             /* pull returned EOF */
	unsigned would_block : 1;     /* pull said "nothing yet" */
	unsigned push_failed : 1;     /* push ran out of memory */

	unsigned hello_done : 1;      /* ClientHello hook ran already */
	/* The core refused the client's ALPN offer (its reason is in the
	 * call's error record): the server's first flight becomes the fatal
	 * no_application_protocol alert (conn.c, wolfp_io_send). */
	unsigned alpn_refused : 1;
	unsigned sent_close : 1;      /* our close_notify went out */
	unsigned alert_sent : 1;      /* conn.c sent a fatal alert itself */
	unsigned got_session : 1;     /* client: gave the core a session */
	/* client: a TLS 1.2 ticket is offered and the server's answer is
	 * not judged yet (session.c, wolfp_session_recv). */
	unsigned ticket12_watch : 1;
	/* client: what the server sent that wolfSSL has not read yet,
	 * pulled ahead to judge that answer (ahead_off: read so far). */
	unsigned char *ahead;
	size_t ahead_len, ahead_off;
	/* server: the versions the ClientHello's supported_versions
	 * extension offers (bit n: TLS 1.n, 0x03(n+1)), when it has one. */
	unsigned sv_seen : 1;
	unsigned char sv_mask;
	unsigned verified_ok : 1;     /* wolfSSL verified the peer's chain */
	unsigned vchain_done : 1;     /* vchain below is built */
	/* The chain verified, leaf to anchor, built when first asked for
	 * (verify.c). */
	struct wolfp_der *vchain;
	unsigned char nvchain;
	/* server: the group of the ServerHello's key_share (groups.c). */
	uint16_t group;
	int cb_status;                /* error recorded by a callback */

	/* First certificate verification failure (a wolfSSL error code, or
	 * an X509_V_ERR_* number as the verify callback reports it; 0:
	 * none); its message is already in the call's error record. */
	int verify_error;

	/* server: the SNI name while the ClientHello hook runs, else NULL. */
	const char *hello_sni;
	/* The chain being verified while the verify callback asks the core
	 * to check it (conn_ops.peer_cert reads it), else NULL. */
	WOLFSSL_X509_STORE_CTX *verifying;
};

/* ---- wolfssl.c ---------------------------------------------------------- */

/* Marks the calling thread as one that used wolfSSL's EC code, so its
 * per-thread EC cache is freed when it exits (see wolfssl.c). */
void wolfp_thread_mark(void);

/* ---- context.c ---------------------------------------------------------- */

/* The context entry points, both roles. */
extern const struct tlsplug_context_ops wolfp_context_ops;

/* ---- ciphers.c ---------------------------------------------------------- */

/* Builds the plugin's default suite list (plugin init); 0, or -1. */
int wolfp_ciphers_init(void);
/* Builds e->suites from cfg (see there), checks that something usable
 * remains and narrows e's version range to the versions it covers. */
int wolfp_ciphers_build(struct wolfp_engine *e, struct tlsplug_error *err);
/* Sets e's suites and version bounds on a WOLFSSL_CTX; 0, or -1. */
int wolfp_apply_params(WOLFSSL_CTX *w, const struct wolfp_engine *e);
/* The same on one WOLFSSL (after a switch of engine); 0, or -1. */
int wolfp_apply_ssl(WOLFSSL *ssl, const struct wolfp_engine *e);
/* info_ops.cipher_suites: the suites offered by default. */
size_t wolfp_cipher_suites(uint16_t *ids, size_t max);

/* ---- groups.c ----------------------------------------------------------- */

/* Probes which groups and signature algorithms this wolfSSL has (plugin
 * init). */
void wolfp_groups_init(void);
/* info_ops.groups / info_ops.sigalgs. */
size_t wolfp_info_groups(uint16_t *ids, size_t max);
size_t wolfp_info_sigalgs(uint16_t *ids, size_t max);
/* Builds e's group and signature algorithm lists from its config. */
int wolfp_groups_build(struct wolfp_engine *e, struct tlsplug_error *err);
/* Sets e's lists on a WOLFSSL_CTX, or on a WOLFSSL after a switch of
 * engine; 0, or -1. */
int wolfp_groups_apply(WOLFSSL_CTX *w, const struct wolfp_engine *e);
int wolfp_groups_apply_ssl(WOLFSSL *ssl, const struct wolfp_engine *e);
/* Server: notes the group of the ServerHello c sends (m, len: what the
 * message callback got). */
void wolfp_groups_server_hello(struct wolfp_conn *c, const unsigned char *m,
                               size_t len);
/* conn_ops.group. */
uint16_t wolfp_conn_group(void *conn_priv);

/* ---- keys.c ------------------------------------------------------------- */

/* conn_ops.export_keying_material. */
int wolfp_conn_export(void *conn_priv, const char *label, size_t label_len,
                      const unsigned char *context, size_t context_len,
                      int use_context, unsigned char *out, size_t len,
                      struct tlsplug_error *err);

/* ---- load.c ------------------------------------------------------------- */

/* Text of wolfSSL error code e for messages (buf is scratch space). */
const char *wolfp_err_text(int e, char *buf, size_t size);
/* Loads the PEM trust blob into w's certificate store. */
int wolfp_trust_load(WOLFSSL_CTX *w, const struct tlsplug_blob *b,
                     struct tlsplug_error *err);
/* Loads the system trust store into w. */
int wolfp_trust_system(WOLFSSL_CTX *w, struct tlsplug_error *err);
/* Loads chain ch (leaf, intermediates, key) into w. */
int wolfp_chain_load(WOLFSSL_CTX *w, const struct tlsplug_bchain *ch,
                     struct tlsplug_error *err);

/* ---- hello.c ------------------------------------------------------------ */

/* The ClientHello hook of server contexts (wolfSSL's server name
 * callback, run for every ClientHello): switches the connection to the
 * config and chain the core selects. */
int wolfp_hello_cb(WOLFSSL *ssl, int *alert, void *arg);
/* wolfSSL's message callback on server contexts: reads the versions a
 * ClientHello offers, for the hook above. */
void wolfp_hello_msg_cb(int write_p, int version, int content_type,
                        const void *buf, size_t len, WOLFSSL *ssl,
                        void *arg);

/* ---- verify.c ----------------------------------------------------------- */

/* Verify callback installed on every context. */
int wolfp_verify_cb(int ok, WOLFSSL_X509_STORE_CTX *store);
/* Maps a verification failure (wolfSSL error code or X509_V_ERR_*) to a
 * TLSPLUG_ERR_CERT_* category; 0 when it is not about a certificate. */
int wolfp_verify_category(int code);
/* Records a certificate verification failure (code at depth) in the
 * current call's error record; returns its category. */
int wolfp_verify_failure(struct wolfp_conn *c, int code, int depth);
/* conn_ops.peer_cert: certificate `index` of the peer's chain as DER. */
ssize_t wolfp_conn_peer_cert(void *conn_priv, size_t index,
                             unsigned char *buf, size_t size);
/* conn_ops.verified_cert: certificate `index` of the chain verified. */
ssize_t wolfp_conn_verified_cert(void *conn_priv, size_t index,
                                 unsigned char *buf, size_t size);
/* Frees the verified chain's copies (connection fini). */
void wolfp_vchain_free(struct wolfp_conn *c);

/* ---- revocation.c ------------------------------------------------------- */

/* Parses the config's CRLs into e. */
int wolfp_crls_load(struct wolfp_engine *e, struct tlsplug_error *err);
/* Frees them (safe on an engine without). */
void wolfp_crls_free(struct wolfp_engine *e);
/* Adds e's CRLs to a WOLFSSL_CTX and turns checking on; 0, or -1. */
int wolfp_crls_apply(WOLFSSL_CTX *w, const struct wolfp_engine *e);
/* 1 when verification failure `code` on the certificate store is at
 * (depth: its place in the chain) is only wolfSSL's "no CRL" for an
 * issuer that has none here (not checked, as on other engines), else 0. */
int wolfp_crl_missing_ok(const struct wolfp_conn *c, int code,
                         WOLFSSL_X509_STORE_CTX *store, int depth);

/* ---- sesscache.c -------------------------------------------------------- */

/* Makes server engine e's session id cache: TLSPLUG_OK, or NOMEM (or
 * BACKEND) recorded in err. */
int wolfp_scache_new(struct wolfp_engine *e, struct tlsplug_error *err);
/* A server WOLFSSL_CTX of e keeps TLS 1.2 session ids in e's cache
 * (wolfp_scache_new made it) instead of wolfSSL's process-wide one.  0,
 * or -1. */
int wolfp_scache_setup(WOLFSSL_CTX *w, struct wolfp_engine *e);
/* Frees e's cache and the sessions in it (NULL-safe). */
void wolfp_scache_free(struct wolfp_engine *e);

/* ---- session.c ---------------------------------------------------------- */

/* Sets up resumption on a WOLFSSL_CTX of e: client, the new-session
 * callback; server, ticket keys (made once per engine), session id
 * context, lifetime, or tickets off.  0, or -1. */
int wolfp_session_setup(WOLFSSL_CTX *w, struct wolfp_engine *e);
/* Serialises sess into buf (size bytes) when it fits; returns its length
 * in any case, 0 when it is not resumable, -1 on failure. */
ssize_t wolfp_session_der(WOLFSSL_SESSION *sess, unsigned char *buf,
                          size_t size);
/* wolfSSL's new-session callback on client contexts: hands the session
 * to core->session_ready (when the core has it). */
int wolfp_session_new_cb(WOLFSSL *ssl, WOLFSSL_SESSION *sess);
/* Client, once the handshake is done: a resumed TLS 1.2 session that
 * brought no new one is handed over again. */
void wolfp_session_handshake_done(struct wolfp_conn *c);
/* Client, wolfSSL's receive callback while c->ticket12_watch is set or
 * bytes pulled ahead are left: up to sz bytes into buf, a
 * WOLFSSL_CBIO_ERR_* code, or 0 when nothing is left ahead (the caller
 * pulls itself).  Reads ahead the
 * server's first flight far enough to tell wolfSSL a refused TLS 1.2
 * ticket before it reads the ServerHello. */
int wolfp_session_recv(struct wolfp_conn *c, char *buf, int sz);
/* Frees what wolfp_session_recv pulled ahead. */
void wolfp_session_fini(struct wolfp_conn *c);
/* conn_ops.set_session, .resumed, .get_session. */
int wolfp_conn_set_session(void *conn_priv, const unsigned char *data,
                           size_t len, struct tlsplug_error *err);
int wolfp_conn_resumed(void *conn_priv);
ssize_t wolfp_conn_get_session(void *conn_priv, unsigned char *buf,
                               size_t size);

/* ---- conn.c ------------------------------------------------------------- */

/* The connection entry points. */
extern const struct tlsplug_conn_ops wolfp_conn_ops;
/* The transport callbacks, installed on every WOLFSSL_CTX. */
int wolfp_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx);
int wolfp_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx);

#endif /* TLSPLUG_PLUGINS_WOLFSSL_PLUGIN_H */
