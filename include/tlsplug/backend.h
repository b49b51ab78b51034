/*
 * backend.h -- the tlsplug plugin ABI.
 *
 * A backend plugin is a shared object named tlsplug-NAME.so that exports
 * exactly one data symbol, TLSPLUG_BACKEND_SYMBOL ("tlsplug_backend_v1"): a
 * const struct tlsplug_backend_descriptor.  A plugin needs only this header
 * (and tlsplug.h for the shared enums); it does not link libtlsplug.  Every
 * service it needs from the core comes through struct tlsplug_core, handed
 * to its init entry point.
 *
 * Versioning (as SQLite's sqlite3_vfs.iVersion), one rule for every struct
 * the host and a plugin share:
 *   - the descriptor starts with abi_major, abi_minor and struct_size;
 *   - later minors only append members, behind "minor N" fences, in the
 *     descriptor and in every entry-point group (context_ops, conn_ops,
 *     info_ops) alike;
 *   - a member added in minor N exists in a plugin only when its descriptor
 *     declares abi_minor >= N.  The host never reads or calls it otherwise:
 *     at load time it copies each group only up to the size the declared
 *     minor defines (zero-filling the rest) and calls through that copy,
 *     testing members with TLSPLUG_OPS_HAS();
 *   - the host refuses a different major, refuses a struct_size smaller than
 *     the declared minor needs, accepts an older minor, and ignores members
 *     (and groups' members) of minors it does not know;
 *   - a member marked "required" in minor N must be set by a plugin that
 *     declares minor >= N; the host rejects the plugin naming the member;
 *   - the core services table is versioned the same way: a plugin reads a
 *     service added in core minor N only when core->abi_minor >= N
 *     (TLSPLUG_CORE_HAS()).
 * core/abi_layout.c pins every member's offset: a layout change without a
 * version bump breaks the build.
 *
 * What the core does for every plugin (so a plugin does not): the
 * ciphertext buffers (pull/push), the SNI name to send, the capability
 * refusals, the SNI callback and the choice of certificate chain for a
 * client's server name (select_server), the per-config engine contexts an
 * SNI callback needs, and the checks on the peer's identity: subjectAltName
 * extraction and the RFC 9525 host name check (check_peer, over the DER
 * chain the plugin hands over with conn_ops.peer_cert), and the system
 * policy (a floor applied to the config view before a plugin sees it:
 * versions, suites, bconfig->min_dh_bits; RSA key sizes in check_peer).  A plugin does chain
 * validation against the trust store, and the engine's own protocol work.
 *
 * Memory: the core allocates each context's and connection's private state
 * (ctx_priv_size / conn_priv_size bytes, zeroed, aligned for any type) and
 * frees it after the matching fini entry point.  A plugin never frees core
 * objects.
 *
 * Errors: fallible entry points take a struct tlsplug_error *err and report
 * through core->set_error(); the core prefixes the message with the backend
 * name.  They return the tlsplug_status they set (or TLSPLUG_OK, or a
 * TLSPLUG_WANT_* code).
 */
#ifndef TLSPLUG_BACKEND_H
#define TLSPLUG_BACKEND_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <tlsplug/tlsplug.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TLSPLUG_BACKEND_ABI_MAJOR 1
#define TLSPLUG_BACKEND_ABI_MINOR 1
/* The exported symbol's name carries the ABI major. */
#define TLSPLUG_BACKEND_SYMBOL "tlsplug_backend_v1"
#define TLSPLUG_BACKEND_DESCRIPTOR tlsplug_backend_v1

/* Marks the descriptor for export from a plugin built with hidden
 * visibility. */
#define TLSPLUG_BACKEND_EXPORT __attribute__((visibility("default")))

/* Bytes of struct `type` up to and including `member`: the size of a
 * shared struct as of the minor that added `member` last. */
#define TLSPLUG_SIZE_THROUGH(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* ------------------------------------------------------------------------
 * Capabilities (descriptor .caps): the TLSPLUG_CAP_* bits are defined in
 * <tlsplug/tlsplug.h> (included above), where applications read them too.
 * The core refuses, with TLSPLUG_ERR_UNSUPPORTED, a config or call that
 * needs a capability the backend does not declare, so a backend only sees
 * what it said it can do.
 * ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------
 * The configuration as a backend sees it: a plain read-only view the core
 * builds once per tlsplug_config.  Valid as long as the context that was
 * created from it (or that got it from sni_select) lives.  These structs
 * only grow at the end; a member added in core minor N may be read only
 * when core->abi_minor >= N.
 * ------------------------------------------------------------------------ */

/* A server's OCSP staple as the core keeps it (opaque here): read it with
 * core->ocsp_staple. */
struct tlsplug_ocsp_source;

enum tlsplug_blob_format { TLSPLUG_FORMAT_PEM = 1, TLSPLUG_FORMAT_DER = 2 };

/* Bytes of a certificate, key or trust file, already checked for PEM or
 * DER framing.  PEM data is NUL-terminated (not counted in len). */
struct tlsplug_blob {
	const unsigned char *data;
	size_t len;
	enum tlsplug_blob_format format;
	const char *origin;        /* file path, or "(buffer)": for messages */
};

struct tlsplug_bkey {
	struct tlsplug_blob blob;
	/* Password for an encrypted key: bytes (password != NULL) or a
	 * callback (password_cb != NULL), or neither. */
	const char *password;
	size_t password_len;
	tlsplug_password_cb password_cb;
	void *password_user_data;
};

/* One certificate chain: blobs in order (leaf first); a PEM blob may hold
 * several certificates, also in order. */
struct tlsplug_bchain {
	const struct tlsplug_blob *certs;
	size_t ncerts;
	const struct tlsplug_bkey *key;
};

struct tlsplug_btrust {
	int system;                /* 1: the engine's default store */
	struct tlsplug_blob pem;   /* system == 0: PEM certificates */
};

struct tlsplug_bconfig {
	int validate;              /* verify the peer (chain + hostname) */
	/* server: ask for a client certificate and verify one that is sent
	 * (client_cert below is REQUEST or REQUIRE; in core minor 0: require
	 * one, the rule "validate && explicit trust store").  client: always
	 * equal to validate. */
	int verify_peer;
	enum tlsplug_version min_version;  /* may be MINIMUM_SUPPORTED */
	enum tlsplug_version max_version;  /* may be MAXIMUM_SUPPORTED */
	const uint16_t *ciphers;   /* IANA ids in priority order */
	size_t nciphers;           /* 0: the engine's secure default */
	const char *const *alpn;   /* protocol names in preference order */
	size_t nalpn;
	/* ALPN in wire format (RFC 7301 ProtocolNameList body: 1-byte length
	 * then bytes, repeated); NULL when nalpn == 0. */
	const unsigned char *alpn_wire;
	size_t alpn_wire_len;
	const struct tlsplug_bchain *chains;
	size_t nchains;
	const struct tlsplug_btrust *trust;
	int has_sni_callback;      /* the server must call core->sni_select */

	/* --- core minor 1 --- */
	/* server: what to ask of clients: NONE, REQUEST (a client may send
	 * none; TLSPLUG_CAP_OPTIONAL_CLIENT_CERT) or REQUIRE (fail with
	 * TLSPLUG_ERR_PEER_NO_CERT without one).  verify_peer above stays
	 * "ask and verify" (client_cert != NONE). */
	enum tlsplug_client_cert_mode client_cert;  /* never AUTO here */
	/* Call core->check_peer even with validation off: the config has
	 * pins or a verify callback, which then decide alone. */
	int check_peer_always;
	/* server: issue session tickets (TLSPLUG_CAP_SESSIONS). */
	int session_tickets;
	/* server: the master key tickets are encrypted under
	 * (TLSPLUG_TICKET_KEY_SIZE bytes), NULL: the engine makes a random
	 * key per context.  The plugin derives the encryption keys from it,
	 * rotating them every ticket_lifetime seconds and accepting the
	 * previous period's too. */
	const unsigned char *ticket_key;
	size_t ticket_key_len;
	uint32_t ticket_lifetime;  /* seconds */
	/* Key-exchange groups (TLSPLUG_CAP_GROUPS) and signature algorithms
	 * (TLSPLUG_CAP_SIGALGS) as IANA code points, in preference order;
	 * n == 0: the engine's default.  When the config sets none, the core
	 * puts here the configuration files' defaults or the system policy's
	 * allowed groups (those the engine has).  The core has checked each
	 * one against info_ops.groups / info_ops.sigalgs: the plugin sets
	 * exactly these, in this order. */
	const uint16_t *groups;
	size_t ngroups;
	const uint16_t *sigalgs;
	size_t nsigalgs;
	/* Revocation (TLSPLUG_CAP_CRL): CRLs to check every peer chain the
	 * engine validates against, each certificate against the CRLs of its
	 * issuer; a certificate whose issuer has none here is not checked
	 * (ignore the engine's "CRL not found").  Each blob is DER (one CRL)
	 * or PEM (one or more "X509 CRL" blocks), already checked to be
	 * well-formed CertificateLists; ncrls 0: none. */
	const struct tlsplug_blob *crls;
	size_t ncrls;
	/* client (TLSPLUG_CAP_OCSP_CHECK): ask for and check the server's
	 * stapled OCSP response (tlsplug.h says what CHECK and REQUIRE
	 * accept), after the chain verified and core->check_peer passed;
	 * conn_ops.ocsp_status reports the outcome. */
	enum tlsplug_ocsp_mode ocsp;
	/* The system policy's smallest finite-field DH group in bits (0: no
	 * floor): the engine negotiates no smaller DHE group (the core checks
	 * RSA key sizes itself). */
	unsigned min_dh_bits;
	/* server (TLSPLUG_CAP_OCSP_STAPLE): where the OCSP response to staple
	 * for chain 0 comes from, NULL: none.  Read it with
	 * core->ocsp_staple at each handshake whose client asks for one: it
	 * may change while the context lives. */
	const struct tlsplug_ocsp_source *ocsp_staple;
	/* server: what core->alpn_select does when the client's ALPN offer
	 * shares nothing with alpn (ALERT or CONTINUE, never AUTO here: the
	 * core resolved it).  The core reads it; a plugin need not. */
	enum tlsplug_alpn_mismatch alpn_mismatch;
	/* TLSPLUG_CAP_KEYLOG: 1 when key logging is on for the context (the
	 * config's callback or file, or SSLKEYLOGFILE), for every connection
	 * that starts on it or switches to it through the SNI callback;
	 * 0: core->keylog would drop every line, so the plugin may leave its
	 * engine's hook off (an engine may format each secret as text before
	 * calling the hook: work for nothing). */
	int keylog;
	/* Append only below, behind a minor fence. */
};

/* One subjectAltName entry of a certificate, for core->match_hostname. */
enum tlsplug_san_type { TLSPLUG_SAN_DNS = 1, TLSPLUG_SAN_IP = 2 };
struct tlsplug_san {
	enum tlsplug_san_type type;
	const unsigned char *data; /* DNS: ASCII name; IP: 4 or 16 bytes */
	size_t len;
};

/* ------------------------------------------------------------------------
 * Core services handed to the plugin's init.  Append only.
 * ------------------------------------------------------------------------ */

#define TLSPLUG_CORE_ABI_MAJOR 1
#define TLSPLUG_CORE_ABI_MINOR 1

struct tlsplug_conn;      /* the host's connection object (opaque here) */

struct tlsplug_core {
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t struct_size;
	/* --- minor 0 --- */

	/* Allocation (the core's allocator, so tests can inject failures). */
	void *(*alloc)(size_t size);
	void *(*realloc)(void *p, size_t size);
	void (*free)(void *p);

	/* Records an error: category `code` (a negative tlsplug_status), the
	 * engine's own code, and a printf-style message (the core adds the
	 * backend name).  Returns code, so `return core->set_error(...)`. */
	int (*set_error)(struct tlsplug_error *err, int code, long native_code,
	                 const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));
	/* Records TLSPLUG_ERR_ALERT_RECEIVED for a fatal alert from the peer;
	 * the core names the alert.  `detail` may be NULL. */
	int (*set_alert_error)(struct tlsplug_error *err, int alert,
	                       long native_code, const char *detail);

	/* Transport: the connection's ciphertext buffers.
	 * pull copies up to len incoming bytes into buf: returns the count
	 * (> 0), 0 at network EOF (tlsplug_conn_receive_eof was called and
	 * everything was consumed), or -1 when nothing is available yet
	 * ("would block").  push appends len outgoing bytes: returns len, or -1
	 * when out of memory. */
	ssize_t (*pull)(struct tlsplug_conn *conn, void *buf, size_t len);
	ssize_t (*push)(struct tlsplug_conn *conn, const void *buf, size_t len);

	/* Server name indication, server side (ABI 1.0; a plugin declaring
	 * minor >= 1 uses select_server instead, which also picks the chain
	 * and builds the engine context for the callback's config): call from
	 * the engine's client-hello hook when bconfig->has_sni_callback.  Runs the user's
	 * callback with the name (NULL: none sent).  On TLSPLUG_OK, *cfg is
	 * the config to use for this connection and *slot a per-(context,
	 * distinct config) pointer, initially NULL, where the plugin caches its
	 * engine context for that config; the core passes it back to
	 * context_ops.release_slot when the context dies.  Connections on
	 * other threads may get the same slot at the same time: fill it with
	 * an atomic compare-and-swap (or under a lock of the plugin's).
	 * Returns TLSPLUG_ERR_HANDSHAKE_REFUSED (already recorded in err) when
	 * the callback refused, or TLSPLUG_ERR_UNSUPPORTED when the config it
	 * returned needs a capability the backend lacks. */
	int (*sni_select)(struct tlsplug_conn *conn, const char *server_name,
	                  const struct tlsplug_bconfig **cfg, void ***slot,
	                  struct tlsplug_error *err);

	/* Hostname check by RFC 9525, the same for every engine: names come
	 * from DNS and IP subjectAltName entries only, never the subject CN; a
	 * wildcard only as the whole left-most label.  host may be a DNS name
	 * or an IPv4/IPv6 literal.  Returns 1 on a match, else 0. */
	int (*match_hostname)(const char *host, const struct tlsplug_san *sans,
	                      size_t nsans);

	/* --- minor 1 --- */

	/*
	 * The checks on the peer's identity that the core owns, the same for
	 * every engine.  Call it once per handshake from the engine's
	 * certificate verification hook, on either role, after the engine's
	 * own chain validation against the trust store, with its verdict:
	 * TLSPLUG_OK, or the category of the failure (already recorded in
	 * err).  Call it whenever the engine validates (bconfig->validate, and
	 * on a server a client certificate was received), and also, with
	 * validation off, when bconfig->check_peer_always is set (verdict
	 * TLSPLUG_OK).  The core reads the chain through conn_ops.peer_cert
	 * (so that member must answer from inside the hook) and, when the
	 * verdict is OK, checks: with validation on, the system policy's
	 * floor on the RSA keys of the chain; on a client with a server host
	 * name and validation on, that name against the leaf's DNS and IP
	 * subjectAltName entries (RFC 9525); the SPKI pins; then runs the
	 * application's verify callback (which also sees a failed verdict,
	 * but cannot change it).
	 * Returns TLSPLUG_OK, or the failure's category, recorded in err with
	 * its message (a failed verdict is returned as it came):
	 * TLSPLUG_ERR_POLICY, TLSPLUG_ERR_CERT_HOSTNAME,
	 * TLSPLUG_ERR_CERT_PIN, the verify
	 * callback's category, TLSPLUG_ERR_CERT_INVALID (the leaf cannot be
	 * read), TLSPLUG_ERR_NOMEM.  The plugin then fails the handshake with
	 * a fatal alert: the one its engine sends for a failed application
	 * verification (handshake_failure on OpenSSL), internal_error for
	 * NOMEM.
	 */
	int (*check_peer)(struct tlsplug_conn *conn, int verdict,
	                  struct tlsplug_error *err);

	/*
	 * Server: decides what serves this connection.  Call it once per
	 * handshake from the engine's ClientHello hook, on every server
	 * connection, with the host name of the client's server_name
	 * extension (NULL: none).  The core runs the SNI callback if the
	 * config has one (a second call on the same connection, as after a
	 * HelloRetryRequest, gives the first answer again without running the
	 * callback), then picks the certificate chain: the first one whose
	 * leaf's subjectAltName matches the name (RFC 9525), else chain 0.
	 * On TLSPLUG_OK:
	 *   *cfg      the config for this connection: the context's own, or the
	 *             one the SNI callback returned;
	 *   *ctx_priv the plugin context (private state) built from *cfg: the
	 *             connection's own context's, or one the core built with
	 *             context_ops.init(SERVER, *cfg) for this (context, equal
	 *             config) pair and keeps until the context is freed
	 *             (context_ops.fini then releases it);
	 *   *chain    the index of the chain in (*cfg)->chains (0 when it has
	 *             none).
	 * The plugin switches the connection to *ctx_priv's engine context and
	 * to that chain, nothing more.
	 * Threads: for one (context, config) pair the core runs
	 * context_ops.init once, holding the context's lock; handshakes on
	 * other threads that need the same config wait for it and then share
	 * the result, as they share the context's own state: read-only.
	 * Errors (recorded in err): TLSPLUG_ERR_HANDSHAKE_REFUSED (the
	 * callback refused: send unrecognized_name), TLSPLUG_ERR_UNSUPPORTED
	 * (its config needs a capability the backend lacks), the category
	 * context_ops.init reported for that config, TLSPLUG_ERR_NOMEM.
	 */
	int (*select_server)(struct tlsplug_conn *conn, const char *server_name,
	                     const struct tlsplug_bconfig **cfg, void **ctx_priv,
	                     size_t *chain, struct tlsplug_error *err);

	/*
	 * Client (TLSPLUG_CAP_SESSIONS): the engine has a new resumable
	 * session: in TLS 1.2 once the handshake is done, in TLS 1.3 for each
	 * NewSessionTicket.  data: the engine's own serialisation, what
	 * conn_ops.set_session takes back (maybe in another process);
	 * lifetime: the seconds the server allows (0: unknown); single_use: 1
	 * for a TLS 1.3 ticket (used once).  The core copies the bytes into
	 * the client context's cache (when it has one; a session made inside
	 * the handshake enters it once the handshake is done) and remembers
	 * lifetime and single_use as the connection's latest session, whose
	 * bytes it asks for again with conn_ops.get_session when the
	 * application wants them (a plugin without get_session has them
	 * copied now).  Returns TLSPLUG_OK or TLSPLUG_ERR_NOMEM; either way
	 * the connection goes on.
	 */
	int (*session_ready)(struct tlsplug_conn *conn,
	                     const unsigned char *data, size_t len,
	                     uint32_t lifetime, int single_use);

	/*
	 * TLSPLUG_CAP_KEYLOG: the engine derived a secret (TLS 1.3: each
	 * traffic, handshake and exporter secret; TLS 1.2: the master
	 * secret, label "CLIENT_RANDOM").  label: the NSS key log label
	 * ([A-Z0-9_]+); client_random: the ClientHello's random (32 bytes);
	 * secret: 1 to 64 bytes.  The core writes the NSS key log line where
	 * the connection's context says (callback, files, SSLKEYLOGFILE), or
	 * drops it at once when key logging is off: the plugin hooks every
	 * connection (or only those of contexts whose bconfig.keylog is 1)
	 * and never writes key logs itself (it turns its engine's own key
	 * logging off).  Nothing to return: a line that cannot be
	 * delivered is dropped.
	 */
	void (*keylog)(struct tlsplug_conn *conn, const char *label,
	               const unsigned char *client_random, size_t random_len,
	               const unsigned char *secret, size_t secret_len);

	/*
	 * Server (TLSPLUG_CAP_OCSP_STAPLE): the OCSP response to staple now,
	 * from src (bconfig->ocsp_staple): copies its DER into buf when it
	 * fits in size bytes and returns its length in any case (call again
	 * with a buffer that large).  Returns 0 when there is none, -1 when
	 * src is NULL.  Thread-safe: the core reloads a staple file here.
	 */
	ssize_t (*ocsp_staple)(const struct tlsplug_ocsp_source *src,
	                       unsigned char *buf, size_t size);

	/*
	 * Server ALPN selection (RFC 7301), the same for every engine: call
	 * it from the engine's ALPN hook whenever cfg (the config serving
	 * this connection, after select_server) has ALPN protocols and the
	 * client sent the extension.  offer: the client's ProtocolNameList
	 * body (the bytes after its 2-byte length: 1-byte length then name,
	 * repeated), as OpenSSL's and wolfSSL's select callbacks give it.
	 * The core picks the first protocol of cfg->alpn the client offers.
	 * Returns TLSPLUG_OK with *out (pointing into offer) and *out_len set
	 * to the choice, or *out NULL and *out_len 0 to go on without ALPN
	 * (cfg has none; cfg->alpn_mismatch is CONTINUE and nothing
	 * matched).  Errors (recorded in err): TLSPLUG_ERR_NO_SHARED_ALPN
	 * (nothing matched and the rule is ALERT): fail the handshake with a
	 * fatal no_application_protocol alert (120); TLSPLUG_ERR_PROTOCOL
	 * (a malformed list): fail it with decode_error (50).
	 * Check TLSPLUG_CORE_HAS(core, 1, alpn_select) first; an older core
	 * lacks it, and a plugin then serves without ALPN.
	 */
	int (*alpn_select)(struct tlsplug_conn *conn,
	                   const struct tlsplug_bconfig *cfg,
	                   const unsigned char *offer, size_t offer_len,
	                   const unsigned char **out, size_t *out_len,
	                   struct tlsplug_error *err);
};

/* True when core services table `core` carries service `member`, added in
 * core minor `min`, and it is set. */
#define TLSPLUG_CORE_HAS(core, min, member) \
	((core)->abi_minor >= (min) && \
	 (core)->struct_size >= \
	     TLSPLUG_SIZE_THROUGH(struct tlsplug_core, member) && \
	 (core)->member != NULL)

/* ------------------------------------------------------------------------
 * Entry-point groups.  A NULL group means "not supported"; inside a group,
 * members marked "required" must be set (the host checks at load time).
 * Each group grows by the descriptor's rule (see the top of this file): a
 * member below a "minor N" fence exists only in plugins declaring
 * abi_minor >= N.
 * ------------------------------------------------------------------------ */

struct tlsplug_context_ops {
	/* --- minor 0 --- */
	/* required: builds the engine context in ctx_priv from cfg for role.
	 * Parse certificates, keys and trust here; refuse a setting the engine
	 * cannot honour with TLSPLUG_ERR_UNSUPPORTED naming it.  On failure
	 * init releases whatever it made: fini is not called. */
	int (*init)(void *ctx_priv, enum tlsplug_role role,
	            const struct tlsplug_bconfig *cfg, struct tlsplug_error *err);
	/* required: releases what init made (not ctx_priv itself). */
	void (*fini)(void *ctx_priv);
	/* optional: releases what the plugin stored in an sni_select slot
	 * (ABI 1.0 plugins only: with select_server the core keeps the
	 * contexts it builds and releases them with fini). */
	void (*release_slot)(void *ctx_priv, void *slot_value);
	/* Append only below, behind a minor fence. */
};

struct tlsplug_conn_ops {
	/* --- minor 0 --- */
	/* required: prepares conn_priv for a new connection on a context.
	 * host is the core's connection (for core->pull/push/sni_select).
	 * server_hostname: client only, may be NULL (no host check): what
	 * validation checks (through core->match_hostname).
	 * sni_name: client only, what to send as server name indication, or
	 * NULL to send none.  The core decides it, the same for every engine:
	 * server_hostname without a trailing dot, NULL for an IP literal
	 * (RFC 6066) or when server_hostname is NULL.
	 * Both stay valid until fini.  On failure init releases whatever it
	 * made: fini is not called. */
	int (*init)(void *conn_priv, void *ctx_priv, struct tlsplug_conn *host,
	            const char *server_hostname, const char *sni_name,
	            struct tlsplug_error *err);
	/* required */
	void (*fini)(void *conn_priv);
	/* required: OK, WANT_READ / WANT_WRITE, or an error. */
	int (*handshake)(void *conn_priv, struct tlsplug_error *err);
	/* required: OK (*nread > 0), WANT_*, TLSPLUG_CLOSED,
	 * TLSPLUG_RAGGED_EOF, or an error.  Handles post-handshake messages
	 * (session tickets, KeyUpdate) internally. */
	int (*read)(void *conn_priv, void *buf, size_t len, size_t *nread,
	            struct tlsplug_error *err);
	/* required: OK (*nwritten > 0), WANT_*, or an error.  After WANT_* the
	 * core calls again with the same buf and len. */
	int (*write)(void *conn_priv, const void *buf, size_t len,
	             size_t *nwritten, struct tlsplug_error *err);
	/* required: send close_notify; OK once the peer's was received too,
	 * WANT_READ while waiting for it. */
	int (*shutdown)(void *conn_priv, struct tlsplug_error *err);
	/* required: negotiated values, "none" (0 / NONE / NULL) before. */
	uint16_t (*cipher)(void *conn_priv);
	enum tlsplug_version (*version)(void *conn_priv);
	/* ALPN protocol chosen; *len set; NULL if none.  Owned by conn_priv. */
	const unsigned char *(*alpn)(void *conn_priv, size_t *len);
	/* optional: peer leaf subject (RFC 4514) into buf; returns length, or
	 * -1 when there is no peer certificate.  Not needed from minor 1 on:
	 * the core reads the subject from peer_cert, the same on every
	 * engine. */
	int (*peer_subject)(void *conn_priv, char *buf, size_t size);
	/* optional: the SNI name received (server) or sent (client). */
	const char *(*server_name)(void *conn_priv);

	/* --- minor 1 --- */
	/* required: the peer's certificate chain as the peer sent it, leaf
	 * first, one certificate per call: copies the DER of certificate
	 * `index` (0: the leaf) into buf when it fits in size bytes, and
	 * returns its length in any case (when that is more than size, the
	 * core calls again with a buffer that large).  Returns 0 when there is
	 * no certificate at index (none received, or past the chain's end),
	 * -1 when it cannot say (out of memory).  Called from inside
	 * core->check_peer (the chain being verified) and at any time after
	 * the handshake (the chain received; a resumed session's where the
	 * engine keeps it). */
	ssize_t (*peer_cert)(void *conn_priv, size_t index, unsigned char *buf,
	                     size_t size);
	/* required with TLSPLUG_CAP_SESSIONS: client, before the handshake:
	 * resume the session in data (what core->session_ready was given,
	 * maybe by another process).  OK, or TLSPLUG_ERR_INVALID (recorded)
	 * when the engine cannot use the bytes. */
	int (*set_session)(void *conn_priv, const unsigned char *data,
	                   size_t len, struct tlsplug_error *err);
	/* required with TLSPLUG_CAP_SESSIONS: 1 when the handshake resumed a
	 * session (either role), else 0. */
	int (*resumed)(void *conn_priv);
	/* required with TLSPLUG_CAP_VERIFIED_CHAIN: the chain the engine built
	 * from the peer's leaf to a trust anchor, as peer_cert gives the sent
	 * one; 0 past its end or when none was built. */
	ssize_t (*verified_cert)(void *conn_priv, size_t index,
	                         unsigned char *buf, size_t size);
	/* required with TLSPLUG_CAP_EXPORTER: after the handshake, len bytes
	 * of keying material (RFC 5705 / RFC 8446 7.5) for label (label_len
	 * bytes) and, when use_context, the context (context_len bytes, maybe
	 * 0; context NULL only when context_len is 0) into out.  The core has
	 * checked the label, the lengths and that the handshake is done.  OK,
	 * or an error recorded in err. */
	int (*export_keying_material)(void *conn_priv, const char *label,
	                              size_t label_len,
	                              const unsigned char *context,
	                              size_t context_len, int use_context,
	                              unsigned char *out, size_t len,
	                              struct tlsplug_error *err);
	/* required with TLSPLUG_CAP_GROUPS: the IANA code point of the
	 * key-exchange group negotiated, 0 when none (before the handshake,
	 * TLS 1.2 without (EC)DHE). */
	uint16_t (*group)(void *conn_priv);
	/* optional with TLSPLUG_CAP_SESSIONS: client, after core->session_ready
	 * was called: the engine's latest resumable session, the bytes
	 * session_ready would be given for it (so the core need not keep a
	 * copy per connection).  Copies them into buf when they fit in size
	 * bytes and returns their length in any case (more than size: the
	 * core calls again with a buffer that large); 0 when there is none,
	 * -1 on failure.  Without it the core keeps the bytes session_ready
	 * gave. */
	ssize_t (*get_session)(void *conn_priv, unsigned char *buf,
	                       size_t size);
	/* required with TLSPLUG_CAP_OCSP_CHECK: client, what the server's
	 * stapled OCSP response said about its certificate, as checked in
	 * the handshake (NONE: no staple, mode OFF, or not checked yet). */
	enum tlsplug_ocsp_status (*ocsp_status)(void *conn_priv);
	/* optional: the connection is idle (handshake done, nothing queued
	 * either way, the last read wanted more input): free the engine's
	 * record buffers and whatever else it does not need until the next
	 * read or write, which must get them back by itself (OpenSSL:
	 * SSL_free_buffers).  Must keep anything not yet processed.  The
	 * core does not call it while a connection is streaming, so the
	 * next I/O's allocation is not paid per read or write. */
	void (*release_buffers)(void *conn_priv);
	/* Append only below, behind a minor fence. */
};

struct tlsplug_info_ops {
	/* --- minor 0 --- */
	/* optional: the cipher suites the engine offers, IANA ids in its
	 * default preference order; returns the total, fills at most max. */
	size_t (*cipher_suites)(uint16_t *ids, size_t max);
	/* optional: where the system trust store comes from. */
	const char *(*system_trust_source)(void);

	/* --- minor 1 --- */
	/* required with TLSPLUG_CAP_PINNING: SHA-256 of len bytes at data
	 * into out (32 bytes).  Returns 0, or -1 on failure. */
	int (*sha256)(const void *data, size_t len, unsigned char *out);
	/* required with TLSPLUG_CAP_GROUPS / TLSPLUG_CAP_SIGALGS: the groups
	 * / signature schemes (IANA code points) the engine can use, its
	 * default preference first; returns the total, fills at most max.
	 * The core refuses a config naming one not listed. */
	size_t (*groups)(uint16_t *ids, size_t max);
	size_t (*sigalgs)(uint16_t *ids, size_t max);
	/* Append only below, behind a minor fence. */
};

/* ------------------------------------------------------------------------
 * The descriptor.
 * ------------------------------------------------------------------------ */

struct tlsplug_backend_descriptor {
	uint16_t abi_major;        /* TLSPLUG_BACKEND_ABI_MAJOR */
	uint16_t abi_minor;        /* members up to this minor are present */
	uint32_t struct_size;      /* sizeof as the plugin was compiled */
	/* --- minor 0 --- */
	const char *name;          /* [a-z0-9_-]+, matches the file name */
	const char *description;   /* one line */
	int priority;              /* built-in preference: higher first */
	uint64_t caps;             /* TLSPLUG_CAP_* */
	size_t ctx_priv_size;      /* core allocates per context */
	size_t conn_priv_size;     /* core allocates per connection */
	/* required: called once (thread-safely) before anything else; keep
	 * `core` for later.  An error here rejects the plugin with the
	 * message as the reason. */
	int (*init)(const struct tlsplug_core *core, struct tlsplug_error *err);
	/* optional: called when the registry unloads the plugin. */
	void (*fini)(void);
	/* required: the engine's runtime version ("OpenSSL 3.0.19 ..."). */
	const char *(*engine_version)(void);
	const struct tlsplug_context_ops *client_context; /* NULL: no client */
	const struct tlsplug_context_ops *server_context; /* NULL: no server */
	const struct tlsplug_conn_ops *conn;               /* required */
	const struct tlsplug_info_ops *info;               /* optional */
	/* Append only below; never reorder or remove; bump abi_minor. */
};

/* True when descriptor d carries member `field` (present in minor >= min
 * and within struct_size) and it is not NULL. */
#define TLSPLUG_BACKEND_HAS(d, min, field) \
	((d)->abi_minor >= (min) && \
	 (d)->struct_size >= \
	     TLSPLUG_SIZE_THROUGH(struct tlsplug_backend_descriptor, field) && \
	 (d)->field != NULL)

/* True when entry-point group `group` of descriptor d (client_context,
 * server_context, conn or info) carries member `member`, added in minor
 * `min`, and it is set.  The host tests every member added after minor 0
 * this way before calling it. */
#define TLSPLUG_OPS_HAS(d, group, min, member) \
	((d)->abi_minor >= (min) && (d)->group != NULL && \
	 (d)->group->member != NULL)

#ifdef __cplusplus
}
#endif

#endif /* TLSPLUG_BACKEND_H */
