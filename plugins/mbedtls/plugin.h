/*
 * plugin.h -- declarations shared by the mbedTLS plugin's source files.
 * Nothing here leaves the plugin: it exports only the descriptor.  The
 * engine structs are read-only once context init has built them.
 */
#ifndef TLSPLUG_PLUGINS_MBEDTLS_PLUGIN_H
#define TLSPLUG_PLUGINS_MBEDTLS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include <tlsplug/backend.h>

/* The core services table given to init (set once, read-only after). */
extern const struct tlsplug_core *mbtp_core;

/* One certificate chain, parsed: the certificates (leaf first) and the
 * private key. */
struct mbtp_chain {
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
};

/*
 * Everything built from one (role, tlsplug_bconfig).  The core builds one
 * per context, and one per config an SNI callback returns (select_server),
 * each in its own context private state.  Read-only once built: sessions
 * on any thread share it (mbedTLS reads an mbedtls_ssl_config, its
 * certificates and keys without modifying them).
 */
struct mbtp_engine {
	enum tlsplug_role role;
	const struct tlsplug_bconfig *cfg;
	/* The engine configuration; a server with ALPN also has conf_noalpn,
	 * identical but without ALPN, for clients whose list shares no
	 * protocol with ours (mbedTLS would refuse them, where every other
	 * engine goes on without ALPN). */
	mbedtls_ssl_config conf;
	mbedtls_ssl_config conf_noalpn;
	int has_noalpn;
	int conf_ready;
	mbedtls_x509_crt trust;    /* empty when not validating */
	struct mbtp_chain *chains;
	size_t nchains;
	int *suites;               /* 0-terminated IANA ids, or NULL */
	const char **alpn;         /* NULL-terminated, points into cfg */
	int validate;              /* verify the peer's chain */
	int check_peer;            /* call core->check_peer in verify */
	int verify_peer;           /* server: ask for a client certificate */
	int optional_cert;         /* server: a client may send none */
	int vmin, vmax;            /* minor versions enabled (1: TLS 1.0) */
	/* Revocation: the config's CRLs (has_crl: at least one). */
	mbedtls_x509_crl crl;
	int has_crl;
	/* Groups (curves) and signature hashes, terminated lists for
	 * mbedtls_ssl_conf_curves / _sig_hashes, or NULL: the defaults. */
	mbedtls_ecp_group_id *curves;
	int *hashes;
	/* Server: the ticket master key (the config's, else random) and
	 * what decides who may resume (see session.c). */
	unsigned char ticket_master[TLSPLUG_TICKET_KEY_SIZE];
	unsigned char ticket_rules[3];
};

/* Context private state (ctx_priv). */
struct mbtp_ctx {
	struct mbtp_engine eng;
};

/* The longest verified chain kept for conn_ops.verified_cert. */
#define MBTP_VCHAIN_MAX 16

/* Connection private state (conn_priv). */
struct mbtp_conn {
	mbedtls_ssl_context ssl;
	int ssl_ready;                   /* mbedtls_ssl_setup done */
	const mbedtls_ssl_config *conf;  /* the one it was set up with */
	int hello_done;                  /* server: mbtp_hello_prepare done */
	struct mbtp_ctx *ctx;
	const struct mbtp_engine *eng;   /* ctx's, or an SNI callback's */
	size_t chain;                    /* server: the chain the core chose */
	struct tlsplug_conn *host;
	const char *sent_sni;            /* client: the SNI name sent or NULL */
	struct tlsplug_error *err;       /* the current call's record */
	int pull_blocked;                /* last pull said "would block" */
	int handshake_done;
	/* A failure recorded inside the handshake (verify, ClientHello): its
	 * category; its message went straight to the call's error record. */
	int cb_status;
	/* Verification: flags of every certificate of the chain so far, and
	 * the peer's chain while the verify callback runs. */
	uint32_t vflags;
	const mbedtls_x509_crt *vchain;
	int failed;                      /* sticky failure category */
	int failed_alert;                /* ALERT_RECEIVED: which alert */
	long failed_native;
	int close_sent;                  /* our close_notify went out */
	int close_received;              /* the peer's arrived */
	/* server: the ClientHello record, read before mbedTLS sees it (see
	 * hello.c); hello_len bytes held, hello_off of them handed on. */
	unsigned char *hello;
	size_t hello_len, hello_cap, hello_off;
	char *sni;                       /* server: the name received */
	/* From the export-keys callback (keys.c): the master secret, the
	 * randoms (client's then server's) and the PRF, for the exporter;
	 * whether the handshake resumed, the group negotiated. */
	unsigned char master[48];
	unsigned char randoms[64];
	mbedtls_tls_prf_types prf;
	int have_keys;
	int resumed;
	uint16_t group;
	/* The verified chain (leaf first): the DER of each certificate in
	 * vder, certificate i at voff[i] .. voff[i + 1]; vcerts holds the
	 * chain by depth while the verify callback runs. */
	unsigned char *vder;
	size_t voff[MBTP_VCHAIN_MAX + 1];
	size_t nverified;
	const mbedtls_x509_crt *vcerts[MBTP_VCHAIN_MAX];
};

/* ---- context.c ---- */

/* The context entry points, both roles. */
extern const struct tlsplug_context_ops mbtp_context_ops;
/* The random generator given to mbedTLS (getrandom(2)). */
int mbtp_random(void *p, unsigned char *out, size_t len);

/* ---- load.c ---- */

/* Parses chain bc (certificates, private key, checked to match) into ch,
 * which must be initialised (mbtp_chain_init); reports errors naming the
 * file. */
int mbtp_chain_load(struct mbtp_chain *ch, const struct tlsplug_bchain *bc,
                    struct tlsplug_error *err);
void mbtp_chain_init(struct mbtp_chain *ch);
void mbtp_chain_free(struct mbtp_chain *ch);
/* Parses the config's CRLs into crl (initialised); reports errors naming
 * the file. */
int mbtp_load_crls(mbedtls_x509_crl *crl, const struct tlsplug_bconfig *cfg,
                   struct tlsplug_error *err);
/* Loads the trust store (t NULL or system: the system's CA bundle). */
int mbtp_load_trust(mbedtls_x509_crt *out, const struct tlsplug_btrust *t,
                    struct tlsplug_error *err);
/* The system CA bundle file mbtp_load_trust reads, or NULL if none. */
const char *mbtp_system_bundle(void);

/* ---- hello.c ---- */

/* Server, before mbedTLS sees the ClientHello: reads it into c->hello,
 * reads the server name, ALPN list and versions offered, has the core
 * choose the config and chain (select_server), and moves the session to
 * the chosen engine when that is not the one it was set up on.  Returns
 * OK, WANT_READ, or a failure (recorded, alert sent). */
int mbtp_hello_prepare(struct mbtp_conn *c, struct tlsplug_error *err);

/* ---- verify.c ---- */

/* mbedTLS verify callback (per certificate, the leaf last): collects the
 * chain's flags and, at the leaf, the verdict and core->check_peer. */
int mbtp_verify_cb(void *p, mbedtls_x509_crt *crt, int depth,
                   uint32_t *flags);
/* Category of verification flags (0 when none is a failure). */
int mbtp_verify_category(uint32_t flags, const mbedtls_x509_crt *leaf);
/* conn_ops.peer_cert: certificate `index` of the peer's chain as DER. */
ssize_t mbtp_conn_peer_cert(void *priv, size_t index, unsigned char *buf,
                            size_t size);

/* conn_ops.verified_cert: certificate `index` of the verified chain. */
ssize_t mbtp_conn_verified_cert(void *priv, size_t index,
                                unsigned char *buf, size_t size);

/* ---- keys.c ---- */

/* The connection whose mbedTLS call runs on this thread (set by conn.c
 * around each call into mbedTLS): mbedTLS 2.28 hands the export-keys
 * callback its configuration's pointer only, and a configuration serves
 * many connections. */
extern _Thread_local struct mbtp_conn *mbtp_running;
/* Hooks conf's export-keys callback (key log, exporter, resumed flag and
 * group). */
void mbtp_keys_conf(mbedtls_ssl_config *conf);
/* conn_ops.export_keying_material (RFC 5705, TLS 1.0 to 1.2). */
int mbtp_conn_export(void *priv, const char *label, size_t label_len,
                     const unsigned char *context, size_t context_len,
                     int use_context, unsigned char *out, size_t len,
                     struct tlsplug_error *err);
/* conn_ops.resumed and conn_ops.group. */
int mbtp_conn_resumed(void *priv);
uint16_t mbtp_conn_group(void *priv);

/* ---- groups.c ---- */

/* info_ops.groups / info_ops.sigalgs. */
size_t mbtp_groups(uint16_t *ids, size_t max);
size_t mbtp_sigalgs(uint16_t *ids, size_t max);
/* eng->curves and eng->hashes from the config (refusing what mbedTLS
 * 2.28 cannot express). */
int mbtp_groups_setup(struct mbtp_engine *eng,
                      const struct tlsplug_bconfig *cfg,
                      struct tlsplug_error *err);
/* The IANA code point of curve id, 0 when it has none. */
uint16_t mbtp_group_iana(mbedtls_ecp_group_id id);

/* ---- session.c ---- */

/* Server: the ticket keys; conf: tickets (both roles). */
int mbtp_session_engine(struct mbtp_engine *eng, struct tlsplug_error *err);
void mbtp_session_conf(struct mbtp_engine *eng, mbedtls_ssl_config *conf);
/* Server: the suite of the session a ticket (len bytes, as the client sent
 * it) holds, when eng opens it (its key, its lifetime, a suite eng still
 * has): 0 with *suite, else -1. */
int mbtp_ticket_suite(const struct mbtp_engine *eng,
                      const unsigned char *ticket, size_t len, int *suite);
/* Client, after a handshake: hands the session to the core. */
void mbtp_session_handshake_done(struct mbtp_conn *c);
/* conn_ops.set_session. */
int mbtp_conn_set_session(void *priv, const unsigned char *data, size_t len,
                          struct tlsplug_error *err);

/* ---- conn.c ---- */

/* The connection entry points. */
extern const struct tlsplug_conn_ops mbtp_conn_ops;
/* Sets up c->ssl (initialised, not set up) on engine eng and conf, one
 * of eng's configs: the transport callbacks and the verify callback. */
int mbtp_conn_setup(struct mbtp_conn *c, const struct mbtp_engine *eng,
                    const mbedtls_ssl_config *conf,
                    struct tlsplug_error *err);
/* Sends a fatal alert now (best effort). */
void mbtp_conn_alert(struct mbtp_conn *c, unsigned char alert);
/* mbedTLS's message for an error code. */
const char *mbtp_strerror(int ret, char *buf, size_t size);

#endif /* TLSPLUG_PLUGINS_MBEDTLS_PLUGIN_H */
