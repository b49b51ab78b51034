/*
 * plugin.h -- declarations shared by the GnuTLS plugin's source files.
 * Nothing here leaves the plugin: it exports only the descriptor.
 */
#ifndef TLSPLUG_PLUGINS_GNUTLS_PLUGIN_H
#define TLSPLUG_PLUGINS_GNUTLS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <tlsplug/backend.h>

/* The core services table given to init (set once, read-only after). */
extern const struct tlsplug_core *gtls_core;

/* One certificate chain, parsed. */
struct gtls_chain {
	gnutls_pcert_st *pcerts;
	unsigned int npcerts;
	gnutls_privkey_t key;
};

/*
 * Everything built from one (role, tlsplug_bconfig).  The core builds one
 * per context, and one per config an SNI callback returns (select_server),
 * each in its own context private state.  Read-only once built: sessions
 * on any thread share it without a lock.
 */
struct gtls_engine {
	enum tlsplug_role role;
	const struct tlsplug_bconfig *cfg;
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	struct gtls_chain *chains;
	size_t nchains;
	gnutls_datum_t *alpn;      /* points into cfg->alpn */
	unsigned int nalpn;
	int validate;
	int verify_peer;           /* server: ask for a client certificate */
	int require_cert;          /* server: ... and fail without one */
	/* Check the peer through the core even with validation off
	 * (bconfig check_peer_always: pins, a verify callback). */
	int check_always;
	gnutls_protocol_t vmin, vmax;   /* versions the priority enables */
	/* Server: the ticket master key (session.c); data NULL when tickets
	 * are off. */
	gnutls_datum_t ticket_key;
	/* The config's CRLs, parsed again to see which are stale (GnuTLS
	 * does not look at a CRL's nextUpdate); revocation.c. */
	gnutls_x509_crl_t *crls;
	unsigned int ncrls;
};

/* Context private state (ctx_priv). */
struct gtls_ctx {
	struct gtls_engine eng;
};

/* Connection private state (conn_priv). */
#define GTLS_MAX_OFFERED 256
struct gtls_conn {
	gnutls_session_t session;
	struct gtls_ctx *ctx;
	const struct gtls_engine *eng;   /* ctx's, or an SNI callback's */
	size_t chain;                    /* server: the chain the core chose */
	struct tlsplug_conn *host;
	const char *sent_sni;            /* client: the SNI name sent or NULL */
	struct tlsplug_error *err;       /* the current call's record */
	int pull_blocked;                /* last pull said "would block" */
	int handshake_done;
	/* A failure recorded by a callback inside the handshake (verify, SNI):
	 * its category and the alert to send.  Its message went straight to
	 * the call's error record. */
	int cb_status;
	int cb_alert;
	/* Once failed, every later call fails the same way (the core makes
	 * the error sticky with its record, so this is only a guard). */
	int failed;
	int failed_alert;                /* ALERT_RECEIVED: which alert */
	long failed_native;
	uint16_t cipher_id;              /* cached after the handshake */
	/* GnuTLS validated the peer's chain; the chain it verified, built
	 * when first asked for (verify.c), then kept until fini. */
	int verified_ok;
	int vchain_done;
	gnutls_datum_t *vchain;
	unsigned nvchain;
	/* Framing of the incoming records, followed byte by byte in pull:
	 * TLS 1.3 peers (OpenSSL) send an alert about our certificate in
	 * plaintext, before they switch to handshake keys, and GnuTLS, which
	 * already expects encrypted records, reports only a decryption
	 * failure.  The last record's type and first body bytes let us name
	 * the alert anyway. */
	struct {
		unsigned char hdr[5];
		unsigned hlen;           /* header bytes seen */
		size_t left;             /* body bytes still to come */
		unsigned char type;      /* last record's type */
		size_t len;              /* last record's length */
		unsigned char body[2];
		unsigned blen;
	} rec;
	/* server: the suites the client offered (the first
	 * GTLS_MAX_OFFERED), from its ClientHello */
	uint16_t offered[GTLS_MAX_OFFERED];
	size_t noffered;
	int offer_seen;
	/* server: versions the client offered (bit n: gnutls_protocol_t n),
	 * from its ClientHello; 0 until seen. */
	unsigned client_versions;
	/* server: copy of the name received, made when asked for (the engine
	 * only copies it out), or NULL */
	char *sni;
	int sni_done;                    /* server: SNI callback has run */
	uint32_t ticket_life;            /* client: last ticket's lifetime */
	/* client: what the stapled OCSP response said (enum
	 * tlsplug_ocsp_status), set by gtls_ocsp_check */
	int ocsp_status;
};

/* ---- context.c ---- */

/* The context entry points, both roles. */
extern const struct tlsplug_context_ops gtls_context_ops;
/* Applies eng to session (credentials, priority, client-cert request). */
int gtls_engine_apply(const struct gtls_engine *eng, gnutls_session_t s);
#ifdef TLSPLUG_FUZZING
/* fuzzing.c: the fuzz programs' clock as GnuTLS's. */
void gtls_fuzzing_init(void);
#endif

/* ---- priority.c ---- */

/* Builds the priority cache for cfg and role; refuses (UNSUPPORTED) what
 * GnuTLS cannot honour exactly. */
int gtls_priority_build(const struct tlsplug_bconfig *cfg,
                        enum tlsplug_role role, gnutls_priority_t *out,
                        gnutls_protocol_t *vmin, gnutls_protocol_t *vmax,
                        struct tlsplug_error *err);
/* IANA id of the suite negotiated on session (0 if none). */
uint16_t gtls_session_cipher_id(gnutls_session_t session);
/* Fills ids with the suites the priority enables, in order. */
size_t gtls_priority_suites(gnutls_priority_t prio, uint16_t *ids,
                            size_t max);

/* ---- load.c ---- */

/* Parses chain bc (certificates, private key, checked to match) into ch;
 * cleans up on failure. */
int gtls_chain_init(struct gtls_chain *ch, const struct tlsplug_bchain *bc,
                    struct tlsplug_error *err);
/* Releases what gtls_chain_init made (safe on a zeroed chain). */
void gtls_chain_fini(struct gtls_chain *ch);
/* Sets the trust store of eng's credentials: the system's (t NULL or
 * system), or t's PEM certificates. */
int gtls_load_trust(struct gtls_engine *eng, const struct tlsplug_btrust *t,
                    struct tlsplug_error *err);

/* ---- hello.c ---- */

/* Server, the post-ClientHello function: has the core choose the config
 * and chain for the client's server name and switches to them. */
int gtls_post_client_hello(gnutls_session_t s);
/* Server: keeps the suites a ClientHello (msg: its body) offers. */
void gtls_session_note_offer(struct gtls_conn *c, const gnutls_datum_t *msg);
/* Server, before the ServerHello (msg: its body) goes out: a TLS 1.2
 * resumption of a suite the client did not offer (GnuTLS does not check)
 * fails the handshake with a protocol error (illegal_parameter); returns
 * the GnuTLS error, else 0. */
int gtls_session_check_resume(struct gtls_conn *c, const gnutls_datum_t *msg);
/* Server, a hook before each handshake message: for the ClientHello,
 * records the versions and suites the client offers
 * (gtls_conn.client_versions, offered); for the outgoing ServerHello,
 * gtls_session_check_resume. */
int gtls_client_hello_hook(gnutls_session_t s, unsigned htype,
                           unsigned when, unsigned incoming,
                           const gnutls_datum_t *msg);
/* The SNI host name the client sent, copied into buf (NULL if none, or
 * longer than size - 1). */
const char *gtls_conn_sni(struct gtls_conn *c, char *buf, size_t size);

/* ---- verify.c ---- */

/* gnutls verify function: the chain, then the core's identity checks,
 * recording the category. */
int gtls_verify_cb(gnutls_session_t session);
/* conn_ops.peer_cert: certificate `index` of the peer's chain as DER. */
ssize_t gtls_conn_peer_cert(void *priv, size_t index, unsigned char *buf,
                            size_t size);
/* conn_ops.verified_cert: the same of the chain GnuTLS verified. */
ssize_t gtls_conn_verified_cert(void *priv, size_t index,
                                unsigned char *buf, size_t size);
/* Frees the verified chain built for c (fini). */
void gtls_vchain_free(struct gtls_conn *c);

/* ---- keys.c ---- */

/* Hooks session s to core->keylog (GnuTLS's own key log is off then). */
void gtls_keylog_apply(gnutls_session_t s);
/* conn_ops.export_keying_material. */
int gtls_conn_export(void *priv, const char *label, size_t label_len,
                     const unsigned char *context, size_t context_len,
                     int use_context, unsigned char *out, size_t len,
                     struct tlsplug_error *err);

/* ---- groups.c ---- */

/* Probes (at plugin init) which groups and signature algorithms this
 * GnuTLS has. */
void gtls_groups_init(void);
/* info_ops.groups / info_ops.sigalgs. */
size_t gtls_info_groups(uint16_t *ids, size_t max);
size_t gtls_info_sigalgs(uint16_t *ids, size_t max);
/* Appends cfg's groups and signature algorithms to the priority string in
 * buf (at *pos). */
int gtls_groups_priority(const struct tlsplug_bconfig *cfg, char *buf,
                         size_t size, size_t *pos,
                         struct tlsplug_error *err);
/* conn_ops.group. */
uint16_t gtls_conn_group(void *priv);

/* ---- session.c ---- */

/* Server: the ticket key of eng (the config's, or a new one). */
int gtls_session_engine_init(struct gtls_engine *eng,
                             struct tlsplug_error *err);
void gtls_session_engine_fini(struct gtls_engine *eng);
/* Flags for gnutls_init (GNUTLS_NO_TICKETS on a server without them). */
unsigned gtls_session_init_flags(const struct gtls_engine *eng);
/* Per session: the client's ticket hook, the server's tickets.  A GnuTLS
 * code (< 0 on failure). */
int gtls_session_conn_init(struct gtls_conn *c);
/* After a completed handshake: the client's TLS 1.2 session. */
void gtls_session_handshake_done(struct gtls_conn *c);
/* conn_ops.set_session and conn_ops.resumed. */
int gtls_conn_set_session(void *priv, const unsigned char *data, size_t len,
                          struct tlsplug_error *err);
int gtls_conn_resumed(void *priv);
/* conn_ops.get_session: the session data (gnutls_session_get_data2). */
ssize_t gtls_conn_get_session(void *priv, unsigned char *buf, size_t size);
/* ---- policy.c ---- */

/* At plugin init: looks for the system priority (@SYSTEM). */
void gtls_policy_init(void);
/* The keyword priorities start from: "@SYSTEM" or "NORMAL". */
const char *gtls_policy_base(void);
/* Narrows [*minv, *maxv] to the versions @SYSTEM enables; UNSUPPORTED
 * (recorded) when nothing is left. */
int gtls_policy_versions(gnutls_protocol_t *minv, gnutls_protocol_t *maxv,
                         struct tlsplug_error *err);
/* Appends to a priority string what the DH floor removes; 0, or -1 when
 * buf is full. */
int gtls_policy_priority(const struct tlsplug_bconfig *cfg, char *buf,
                         size_t size, size_t *pos);
/* Applies the DH floor to a new session. */
void gtls_policy_session(const struct gtls_engine *eng, gnutls_session_t s);

/* ---- revocation.c ---- */

/* Adds cfg's CRLs to eng's credentials (after the trust store). */
int gtls_crls_load(struct gtls_engine *eng, struct tlsplug_error *err);
/* Frees what gtls_crls_load kept in eng. */
void gtls_crls_free(struct gtls_engine *eng);
/* Server: installs the OCSP status function when cfg has a staple. */
void gtls_ocsp_server_apply(struct gtls_engine *eng);
/* Client, from the verify function once the chain and the core's checks
 * passed: checks the stapled OCSP response (cfg->ocsp); 0, or a GnuTLS
 * error code with the failure recorded. */
int gtls_ocsp_check(struct gtls_conn *c);
/* The peer's chain verified against the credentials' trust list and CRLs
 * for purpose, into *status (gnutls_certificate_status_t bits), as
 * gnutls_certificate_verify_peers does but without judging a stapled
 * OCSP response; 0, 1 when a failure was recorded already (a CRL's
 * signature), or a GnuTLS error code. */
int gtls_verify_chain(struct gtls_conn *c, gnutls_typed_vdata_st *purpose,
                      unsigned *status);
/* Client: asks for a staple on session s when eng checks one; 0 or a
 * GnuTLS error code. */
int gtls_ocsp_session_setup(const struct gtls_engine *eng,
                            gnutls_session_t s);
/* conn_ops.ocsp_status */
enum tlsplug_ocsp_status gtls_conn_ocsp_status(void *conn_priv);

/* ---- conn.c ---- */

/* The connection entry points. */
extern const struct tlsplug_conn_ops gtls_conn_ops;
/* Records a failure found by a callback during the handshake: category
 * status, the alert to send, the GnuTLS code the callback returns.  The
 * first failure of a handshake wins. */
void gtls_conn_cb_fail(struct gtls_conn *c, int status, int alert,
                       int native, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same for a failure whose message is already in the call's error
 * record (the core's checks record their own). */
void gtls_conn_cb_status(struct gtls_conn *c, int status, int alert);

#endif /* TLSPLUG_PLUGINS_GNUTLS_PLUGIN_H */
