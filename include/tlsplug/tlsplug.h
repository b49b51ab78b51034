/*
 * tlsplug.h -- the application API of tlsplug.
 *
 * tlsplug gives a program one TLS API and lets whoever deploys it choose the
 * TLS engine underneath (OpenSSL, GnuTLS, or any plugin dropped into the
 * backend directory) at run time.  The API follows PEP 543 ("A Unified TLS
 * API"):
 *
 *   PEP 543                 tlsplug
 *   TLSConfiguration        struct tlsplug_config (immutable, refcounted),
 *                           built by struct tlsplug_config_builder
 *   Certificate, PrivateKey struct tlsplug_certificate, tlsplug_private_key
 *   TrustStore              struct tlsplug_trust_store
 *   ClientContext,          struct tlsplug_context (role client / server)
 *   ServerContext
 *   TLSWrappedBuffer        struct tlsplug_conn
 *   TLSWrappedSocket        struct tlsplug_socket (see tlsplug/socket.h)
 *   CipherSuite             uint16_t IANA ids, TLSPLUG_CS_* constants
 *   NextProtocol            ALPN strings, TLSPLUG_ALPN_* constants
 *   TLSVersion              enum tlsplug_version
 *   TLSError & subclasses   int status codes + struct tlsplug_error records
 *   Backend                 struct tlsplug_backend, found in the registry
 *
 * Conventions
 *   - Functions that can fail return an int status: TLSPLUG_OK (0), a
 *     positive "retry" code (TLSPLUG_WANT_READ, TLSPLUG_WANT_WRITE), a
 *     positive end code (TLSPLUG_CLOSED, TLSPLUG_RAGGED_EOF), or a
 *     negative TLSPLUG_ERR_*.
 *   - Objects that can fail keep their last error as a struct tlsplug_error
 *     (code, one-line message, backend name, the engine's own code), valid
 *     until the next call on that object.  Constructors that have no object
 *     yet take an optional `struct tlsplug_error **err`: on failure, when err
 *     is not NULL, *err receives a new record that the caller frees with
 *     tlsplug_error_free().
 *   - Every _new has a _free, every refcounted object _ref/_unref; all of
 *     them accept NULL and then do nothing.
 *   - Returned `const char *` strings belong to the object they came from.
 *   - The library never prints and never exits.
 *
 * Thread safety: distinct objects may be used from distinct threads at once.
 * Immutable objects (configs, certificates, keys, trust stores, contexts,
 * the registry) may be shared between threads; a connection may not.
 */
#ifndef TLSPLUG_TLSPLUG_H
#define TLSPLUG_TLSPLUG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define TLSPLUG_API __attribute__((visibility("default")))
#else
#define TLSPLUG_API
#endif

/*
 * The version of this library (the package version), as numbers and as
 * text, at compile time.  Not to be confused with enum tlsplug_version and
 * tlsplug_version_name(), which are TLS protocol versions.
 */
#define TLSPLUG_LIB_VERSION_MAJOR 0
#define TLSPLUG_LIB_VERSION_MINOR 2
#define TLSPLUG_LIB_VERSION_PATCH 0
#define TLSPLUG_LIB_VERSION "0.2.0"

/* Returns the version of the library actually running, e.g. "0.2.0"
 * (static storage); it may be newer than the TLSPLUG_LIB_VERSION a program
 * was compiled with. */
TLSPLUG_API const char *tlsplug_lib_version(void);
/* Stores the plugin ABI version the running library hosts (the
 * TLSPLUG_BACKEND_ABI_MAJOR / _MINOR of <tlsplug/backend.h> it was built
 * with): it loads plugins of that major, whatever their minor, and uses
 * what they offer up to that minor.  Either pointer may be NULL. */
TLSPLUG_API void tlsplug_lib_backend_abi(unsigned *major, unsigned *minor);

/* ------------------------------------------------------------------------
 * Status codes and error records
 * ------------------------------------------------------------------------ */

/*
 * Status codes.  The negative codes are the error categories that are the
 * same on every backend: the same bad certificate gives the same code on
 * OpenSSL and on GnuTLS; only the message text differs.
 * Keep tlsplug_strerror() and tlsplug_status_name() in core/error.c in sync.
 */
enum tlsplug_status {
	TLSPLUG_OK = 0,
	TLSPLUG_WANT_READ = 1,   /* feed ciphertext (or poll for input), retry */
	TLSPLUG_WANT_WRITE = 2,  /* drain ciphertext (or poll for output), retry */
	TLSPLUG_CLOSED = 3,      /* the peer sent close_notify: clean end */
	TLSPLUG_RAGGED_EOF = 4,  /* transport closed without close_notify:
	                            possible truncation (PEP 543 RaggedEOF) */

	/* usage and environment */
	TLSPLUG_ERR_NOMEM = -1,         /* out of memory */
	TLSPLUG_ERR_INVALID = -2,       /* bad argument or bad input data */
	TLSPLUG_ERR_MISUSE = -3,        /* call not allowed in this state */
	TLSPLUG_ERR_UNSUPPORTED = -4,   /* backend cannot honour a setting */
	TLSPLUG_ERR_IO = -5,            /* file or socket error (see errno) */
	TLSPLUG_ERR_NOT_FOUND = -6,     /* no such backend, file or name */
	TLSPLUG_ERR_PLUGIN = -7,        /* plugin rejected or failed to load */
	TLSPLUG_ERR_CONFIG_FILE = -8,   /* malformed configuration file */
	TLSPLUG_ERR_BACKEND = -9,       /* internal failure inside the engine */
	TLSPLUG_ERR_TIMEOUT = -11,      /* socket operation timed out */
	TLSPLUG_ERR_POLICY = -12,       /* below the system policy's floor */

	/* bad certificates, keys and passwords given to us */
	TLSPLUG_ERR_BAD_CERTIFICATE = -20, /* cannot parse certificate */
	TLSPLUG_ERR_BAD_KEY = -21,         /* cannot parse private key */
	TLSPLUG_ERR_BAD_PASSWORD = -22,    /* wrong or missing key password */
	TLSPLUG_ERR_KEY_MISMATCH = -23,    /* key does not match certificate */

	/* peer certificate verification */
	TLSPLUG_ERR_CERT_EXPIRED = -30,
	TLSPLUG_ERR_CERT_NOT_YET_VALID = -31,
	TLSPLUG_ERR_CERT_HOSTNAME = -32,    /* name does not match (RFC 9525) */
	TLSPLUG_ERR_CERT_UNTRUSTED = -33,   /* unknown issuer / untrusted root */
	TLSPLUG_ERR_CERT_SELF_SIGNED = -34, /* self-signed and not trusted */
	TLSPLUG_ERR_CERT_SIGNATURE = -35,   /* bad signature in the chain */
	TLSPLUG_ERR_CERT_PURPOSE = -36,     /* wrong key usage / purpose */
	TLSPLUG_ERR_CERT_REVOKED = -37,
	TLSPLUG_ERR_CERT_INVALID = -38,     /* any other verification failure */
	TLSPLUG_ERR_PEER_NO_CERT = -39,     /* client cert required, none sent */
	TLSPLUG_ERR_CERT_PIN = -40,         /* public key matches no pin */

	/* handshake and record layer */
	TLSPLUG_ERR_NO_SHARED_VERSION = -50,
	TLSPLUG_ERR_NO_SHARED_CIPHER = -51,
	TLSPLUG_ERR_ALERT_RECEIVED = -52,   /* peer sent a fatal alert */
	TLSPLUG_ERR_PROTOCOL = -53,         /* malformed or unexpected message */
	TLSPLUG_ERR_HANDSHAKE_REFUSED = -54, /* the SNI callback refused */
	/* No ALPN protocol in common (RFC 7301 3.2): the server's error, and
	 * the client's on the server's no_application_protocol alert
	 * (tlsplug_error_alert() then gives 120). */
	TLSPLUG_ERR_NO_SHARED_ALPN = -55
};

/* Returns a static one-line description of a status code. */
TLSPLUG_API const char *tlsplug_strerror(int status);
/* Returns the enumerator's name without prefix, e.g. "CERT_EXPIRED". */
TLSPLUG_API const char *tlsplug_status_name(int status);

/* An error record: category, message, backend name, the engine's code. */
struct tlsplug_error;

/* The category (a negative enum tlsplug_status), or TLSPLUG_OK if e is NULL. */
TLSPLUG_API int tlsplug_error_code(const struct tlsplug_error *e);
/* One line, no newline; names the file, line, setting or backend involved.
 * Messages from a backend start with its name ("openssl: ..."). Never NULL
 * for a non-NULL e. */
TLSPLUG_API const char *tlsplug_error_message(const struct tlsplug_error *e);
/* The backend that reported it, or NULL when the core did. */
TLSPLUG_API const char *tlsplug_error_backend(const struct tlsplug_error *e);
/* The engine's own error code (0 if none). */
TLSPLUG_API long tlsplug_error_native_code(const struct tlsplug_error *e);
/* For TLSPLUG_ERR_ALERT_RECEIVED: the alert number, else -1. */
TLSPLUG_API int tlsplug_error_alert(const struct tlsplug_error *e);
/* Frees a record handed to the caller through an `err` out-parameter. */
TLSPLUG_API void tlsplug_error_free(struct tlsplug_error *e);
/* Name of a TLS alert number ("certificate_expired"), or "unknown". */
TLSPLUG_API const char *tlsplug_alert_name(int alert);

/* ------------------------------------------------------------------------
 * TLS versions, cipher suites, ALPN protocols
 * ------------------------------------------------------------------------ */

enum tlsplug_version {
	TLSPLUG_VERSION_NONE = 0,             /* nothing negotiated yet */
	TLSPLUG_VERSION_MINIMUM_SUPPORTED = 1,
	TLSPLUG_VERSION_SSLv2 = 2,
	TLSPLUG_VERSION_SSLv3 = 3,
	TLSPLUG_VERSION_TLSv1 = 4,
	TLSPLUG_VERSION_TLSv1_1 = 5,
	TLSPLUG_VERSION_TLSv1_2 = 6,
	TLSPLUG_VERSION_TLSv1_3 = 7,
	TLSPLUG_VERSION_MAXIMUM_SUPPORTED = 8
};

/* "TLSv1.2", "MINIMUM_SUPPORTED", ...; "none" for NONE; NULL if invalid. */
TLSPLUG_API const char *tlsplug_version_name(enum tlsplug_version v);
/* Parses "1.2", "TLSv1.2", "TLSv1_2", "tls1.2", "min", "max" (case-blind).
 * Returns TLSPLUG_OK or TLSPLUG_ERR_INVALID. */
TLSPLUG_API int tlsplug_version_parse(const char *text,
                                      enum tlsplug_version *out);

/* IANA cipher suite ids: TLSPLUG_CS_TLS_AES_128_GCM_SHA256 = 0x1301, ...
 * Anything that takes a suite takes any uint16_t id, listed here or not. */
enum tlsplug_cipher_suite_id {
#define TLSPLUG_CIPHER_SUITE(name, id) TLSPLUG_CS_##name = id,
#include <tlsplug/cipher_suites.h>
#undef TLSPLUG_CIPHER_SUITE
	TLSPLUG_CS_NONE = 0 /* "no suite negotiated"; 0x0000 is NULL_WITH_NULL_NULL */
};

/* IANA name of a suite ("TLS_AES_128_GCM_SHA256"), or NULL if not in the
 * table. */
TLSPLUG_API const char *tlsplug_cipher_suite_name(uint16_t id);
/* Id of an IANA name (case-blind). Returns TLSPLUG_OK or
 * TLSPLUG_ERR_NOT_FOUND. Also accepts "0x1301". */
TLSPLUG_API int tlsplug_cipher_suite_from_name(const char *name,
                                               uint16_t *id);
/* Number of suites in the table and the i-th id, in table order. */
TLSPLUG_API size_t tlsplug_cipher_suite_count(void);
TLSPLUG_API uint16_t tlsplug_cipher_suite_at(size_t i);

/* ALPN protocol ids (RFC 7301 registry), as PEP 543's NextProtocol. */
#define TLSPLUG_ALPN_H2        "h2"
#define TLSPLUG_ALPN_H2C       "h2c"
#define TLSPLUG_ALPN_HTTP1     "http/1.1"
#define TLSPLUG_ALPN_WEBRTC    "webrtc"
#define TLSPLUG_ALPN_C_WEBRTC  "c-webrtc"
#define TLSPLUG_ALPN_FTP       "ftp"
#define TLSPLUG_ALPN_STUN      "stun.nat-discovery"
#define TLSPLUG_ALPN_TURN      "stun.turn"

/* ------------------------------------------------------------------------
 * Certificates, private keys, trust stores (backend-neutral handles)
 *
 * The core keeps the bytes and checks at once what it can: the file exists
 * and is readable, the content is PEM (with the right labels) or DER.  The
 * engine parses them when a context is created, so one handle works with
 * every backend.  Handles are immutable and refcounted.
 * ------------------------------------------------------------------------ */

struct tlsplug_certificate;
struct tlsplug_private_key;
struct tlsplug_trust_store;

/* Loads one certificate or a chain (a PEM file with several CERTIFICATE
 * blocks, leaf first) or one DER certificate.  Errors: TLSPLUG_ERR_IO
 * (missing or unreadable; message names the file and strerror),
 * TLSPLUG_ERR_BAD_CERTIFICATE (neither PEM certificates nor DER),
 * TLSPLUG_ERR_NOMEM. */
TLSPLUG_API int tlsplug_certificate_from_file(const char *path,
	struct tlsplug_certificate **out, struct tlsplug_error **err);
/* Same from memory; the bytes are copied. */
TLSPLUG_API int tlsplug_certificate_from_buffer(const void *data, size_t len,
	struct tlsplug_certificate **out, struct tlsplug_error **err);
/* Number of certificates the handle holds (a PEM chain may hold several). */
TLSPLUG_API size_t tlsplug_certificate_count(const struct tlsplug_certificate *c);
TLSPLUG_API struct tlsplug_certificate *tlsplug_certificate_ref(
	struct tlsplug_certificate *c);
TLSPLUG_API void tlsplug_certificate_unref(struct tlsplug_certificate *c);

/*
 * Password callback for encrypted keys: write the password (not
 * NUL-terminated) into buf, at most size bytes, and return its length, or -1
 * to give up.  Called by the engine when a context is created, possibly more
 * than once, from the thread that creates the context.
 */
typedef int (*tlsplug_password_cb)(char *buf, size_t size, void *user_data);

/*
 * Private keys: six constructors, one for each source of the bytes (a file,
 * or a buffer that is copied) and each way of giving the password of an
 * encrypted key (none, password bytes, a password callback):
 *
 *   tlsplug_private_key_from_file                  file, no password
 *   tlsplug_private_key_from_file_with_password    file, password bytes
 *   tlsplug_private_key_from_file_with_callback    file, password callback
 *   tlsplug_private_key_from_buffer                buffer, no password
 *   tlsplug_private_key_from_buffer_with_password  buffer, password bytes
 *   tlsplug_private_key_from_buffer_with_callback  buffer, password callback
 *
 * Each accepts the same forms, PEM or DER: PKCS#8 (PEM "PRIVATE KEY"),
 * traditional RSA or EC ("RSA PRIVATE KEY", "EC PRIVATE KEY"), encrypted
 * PKCS#8 ("ENCRYPTED PRIVATE KEY", or its DER), and traditional encrypted
 * PEM (Proc-Type: 4,ENCRYPTED and DEK-Info headers).  RSA, ECDSA and
 * Ed25519 keys are expected to work on every backend.
 *
 * The core checks the framing at once; the engine decrypts and parses the
 * key when a context is created, calling a callback then (possibly more
 * than once).  Password bytes are copied (not NUL-terminated; (NULL, 0) is
 * the empty password) and wiped on free.  For a key that is not encrypted
 * the password or callback is dropped at once: never used, never called.
 *
 * Errors now: TLSPLUG_ERR_MISUSE (path or out is NULL), TLSPLUG_ERR_INVALID
 * (data NULL with len > 0, password NULL with password_len > 0, cb NULL),
 * TLSPLUG_ERR_IO (file missing or unreadable; the message names it and
 * says why), TLSPLUG_ERR_BAD_KEY (neither a PEM private key nor DER),
 * TLSPLUG_ERR_NOMEM.  At context creation: TLSPLUG_ERR_BAD_PASSWORD (wrong
 * password, the callback gave up, or an encrypted key given no password),
 * TLSPLUG_ERR_BAD_KEY (the engine cannot parse it), TLSPLUG_ERR_UNSUPPORTED
 * (an encrypted key on a backend without TLSPLUG_CAP_KEY_PASSWORD).  On
 * failure *out is NULL.
 */

/* Key from the file at path, with no password. */
TLSPLUG_API int tlsplug_private_key_from_file(const char *path,
	struct tlsplug_private_key **out, struct tlsplug_error **err);
/* Key from the file at path, with the password bytes given. */
TLSPLUG_API int tlsplug_private_key_from_file_with_password(const char *path,
	const void *password, size_t password_len,
	struct tlsplug_private_key **out, struct tlsplug_error **err);
/* Key from the file at path, with the password cb gives. */
TLSPLUG_API int tlsplug_private_key_from_file_with_callback(const char *path,
	tlsplug_password_cb cb, void *user_data,
	struct tlsplug_private_key **out, struct tlsplug_error **err);
/* Key from len bytes at data (copied), with no password. */
TLSPLUG_API int tlsplug_private_key_from_buffer(const void *data, size_t len,
	struct tlsplug_private_key **out, struct tlsplug_error **err);
/* Key from len bytes at data (copied), with the password bytes given. */
TLSPLUG_API int tlsplug_private_key_from_buffer_with_password(
	const void *data, size_t len, const void *password, size_t password_len,
	struct tlsplug_private_key **out, struct tlsplug_error **err);
/* Key from len bytes at data (copied), with the password cb gives. */
TLSPLUG_API int tlsplug_private_key_from_buffer_with_callback(
	const void *data, size_t len, tlsplug_password_cb cb, void *user_data,
	struct tlsplug_private_key **out, struct tlsplug_error **err);
TLSPLUG_API struct tlsplug_private_key *tlsplug_private_key_ref(
	struct tlsplug_private_key *k);
TLSPLUG_API void tlsplug_private_key_unref(struct tlsplug_private_key *k);

/* The engine's default system store (each backend says where it comes from
 * in `tlsplug info`).  Never fails; the handle is shared. */
TLSPLUG_API struct tlsplug_trust_store *tlsplug_trust_store_system(void);
/* A PEM file of trusted certificates.  Errors as certificate_from_file. */
TLSPLUG_API int tlsplug_trust_store_from_file(const char *path,
	struct tlsplug_trust_store **out, struct tlsplug_error **err);
/* PEM certificates in memory (copied). */
TLSPLUG_API int tlsplug_trust_store_from_buffer(const void *pem, size_t len,
	struct tlsplug_trust_store **out, struct tlsplug_error **err);
TLSPLUG_API struct tlsplug_trust_store *tlsplug_trust_store_ref(
	struct tlsplug_trust_store *t);
TLSPLUG_API void tlsplug_trust_store_unref(struct tlsplug_trust_store *t);

/* ------------------------------------------------------------------------
 * Configuration (PEP 543 TLSConfiguration)
 *
 * A tlsplug_config is immutable and refcounted, so it can key a cache and be
 * shared between threads.  Build one with a builder; "edit" gives a builder
 * pre-filled from an existing config (PEP 543's update()).
 *
 * Defaults: certificate validation on; the engine's secure default cipher
 * suites; no ALPN; lowest version TLS 1.2; highest MAXIMUM_SUPPORTED; the
 * system trust store; no certificate chain; no SNI callback; no public-key
 * pins; no verify callback; client-certificate mode AUTO.
 *
 * Mutual TLS rule (the same on every backend), unless
 * tlsplug_config_builder_set_client_cert_mode() says otherwise: a server
 * context whose config has validation on AND an explicitly set trust store
 * requests a client certificate, fails the handshake with
 * TLSPLUG_ERR_PEER_NO_CERT when none is sent, and verifies it against that
 * store.  A client whose config has a certificate chain presents the first
 * chain when the server asks.
 * ------------------------------------------------------------------------ */

struct tlsplug_config;
struct tlsplug_config_builder;
struct tlsplug_conn;

/*
 * Server name indication callback (server side).  Called during the
 * handshake with the name the client sent (NULL if none) and the config the
 * context was created with.  Return the config to continue with (a new
 * reference, or tlsplug_config_ref(original)), or NULL to refuse the
 * handshake (TLSPLUG_ERR_HANDSHAKE_REFUSED).  tlsplug takes ownership of the
 * returned reference.  The certificate chains of the returned config take
 * effect for this connection; the backend caches one engine context per
 * distinct (equal) config.  Runs on the thread that drives the handshake.
 */
typedef struct tlsplug_config *(*tlsplug_sni_cb)(struct tlsplug_conn *conn,
	const char *server_name, const struct tlsplug_config *original,
	void *user_data);

/* New builder with the defaults above.  NULL only when out of memory. */
TLSPLUG_API struct tlsplug_config_builder *tlsplug_config_builder_new(void);
/* New builder holding every setting of cfg (PEP 543 update()). */
TLSPLUG_API struct tlsplug_config_builder *tlsplug_config_edit(
	const struct tlsplug_config *cfg);
TLSPLUG_API void tlsplug_config_builder_free(struct tlsplug_config_builder *b);

/*
 * Setters return TLSPLUG_OK, TLSPLUG_ERR_MISUSE (b is NULL),
 * TLSPLUG_ERR_INVALID (bad value; the builder keeps its previous value and
 * tlsplug_config_builder_error() says why) or TLSPLUG_ERR_NOMEM.
 */

/* Turns certificate validation (chain and hostname) off or back on.  Off is
 * insecure; a backend that cannot turn it off refuses the config with
 * TLSPLUG_ERR_UNSUPPORTED. */
TLSPLUG_API int tlsplug_config_builder_set_insecure_no_validation(
	struct tlsplug_config_builder *b, int no_validation);
/* Adds a certificate chain (leaf first; `chain` may hold the whole chain,
 * `extra` further intermediates, may be NULL) and its key.  Servers may add
 * several: for each client, the first chain whose leaf's subjectAltName
 * matches the client's SNI (RFC 9525), else the first chain, the same rule
 * on every backend.  Clients use the first for mutual TLS.  Takes
 * references. */
TLSPLUG_API int tlsplug_config_builder_add_cert_chain(
	struct tlsplug_config_builder *b, struct tlsplug_certificate *chain,
	struct tlsplug_certificate *extra, struct tlsplug_private_key *key);
/* Removes every chain. */
TLSPLUG_API int tlsplug_config_builder_clear_cert_chains(
	struct tlsplug_config_builder *b);
/* Cipher suites by IANA id, in priority order (n == 0: engine default).
 * Ids the engine lacks are skipped; none usable is an error at context
 * creation (TLSPLUG_ERR_UNSUPPORTED). */
TLSPLUG_API int tlsplug_config_builder_set_ciphers(
	struct tlsplug_config_builder *b, const uint16_t *ids, size_t n);
/* ALPN protocols in preference order (n == 0: none).  Each 1..255 bytes. */
TLSPLUG_API int tlsplug_config_builder_set_alpn(
	struct tlsplug_config_builder *b, const char *const *protocols, size_t n);
/*
 * Server: what to do when the client offers ALPN and none of its protocols
 * is in the config's list (RFC 7301 section 3.2).  The server always picks
 * the first protocol of its own list that the client offers (the same on
 * every engine); a client that offers no ALPN is served without it.
 */
enum tlsplug_alpn_mismatch {
	/* The `alpn_mismatch` key of the configuration files (tlsplug.conf(5))
	 * if one is set, else ALERT. */
	TLSPLUG_ALPN_MISMATCH_AUTO = 0,
	/* Fail the handshake with a fatal no_application_protocol alert
	 * (TLSPLUG_ERR_NO_SHARED_ALPN on both ends): what RFC 7301 says. */
	TLSPLUG_ALPN_MISMATCH_ALERT = 1,
	/* Go on without ALPN (tlsplug_conn_alpn() gives NULL), as servers
	 * that treat ALPN as a hint do. */
	TLSPLUG_ALPN_MISMATCH_CONTINUE = 2
};
/* Sets the mismatch rule above (clients ignore it).  Errors:
 * TLSPLUG_ERR_INVALID (not a rule). */
TLSPLUG_API int tlsplug_config_builder_set_alpn_mismatch(
	struct tlsplug_config_builder *b, enum tlsplug_alpn_mismatch mode);
/* The rule as set (AUTO unless changed). */
TLSPLUG_API enum tlsplug_alpn_mismatch tlsplug_config_alpn_mismatch(
	const struct tlsplug_config *c);
/* Parses "alert", "continue" or "auto" (case-blind).  Returns TLSPLUG_OK
 * or TLSPLUG_ERR_INVALID. */
TLSPLUG_API int tlsplug_alpn_mismatch_parse(const char *text,
	enum tlsplug_alpn_mismatch *out);
/* "auto", "alert", "continue"; NULL for another value. */
TLSPLUG_API const char *tlsplug_alpn_mismatch_name(
	enum tlsplug_alpn_mismatch mode);
/* Version bounds.  MINIMUM_SUPPORTED / MAXIMUM_SUPPORTED mean the engine's
 * own limits.  build() fails if lowest > highest. */
TLSPLUG_API int tlsplug_config_builder_set_min_version(
	struct tlsplug_config_builder *b, enum tlsplug_version v);
TLSPLUG_API int tlsplug_config_builder_set_max_version(
	struct tlsplug_config_builder *b, enum tlsplug_version v);
/* Trust store (takes a reference; NULL: back to the system store).  Setting
 * tlsplug_trust_store_system() is the same as the default: it does not count
 * as "explicitly set" for the mutual TLS rule above. */
TLSPLUG_API int tlsplug_config_builder_set_trust_store(
	struct tlsplug_config_builder *b, struct tlsplug_trust_store *t);
/* SNI callback (NULL: none). user_data is compared by equal(). */
TLSPLUG_API int tlsplug_config_builder_set_sni_callback(
	struct tlsplug_config_builder *b, tlsplug_sni_cb cb, void *user_data);
/* What a server asks of clients. */
enum tlsplug_client_cert_mode {
	/* The rule of tlsplug 0.1: require and verify a certificate when
	 * validation is on and a trust store was set explicitly, else none. */
	TLSPLUG_CLIENT_CERT_AUTO = 0,
	TLSPLUG_CLIENT_CERT_NONE = 1,     /* never ask */
	/* Ask; a client may send none; one that is sent must verify against
	 * the trust store (needs TLSPLUG_CAP_OPTIONAL_CLIENT_CERT). */
	TLSPLUG_CLIENT_CERT_REQUEST = 2,
	/* Ask and fail with TLSPLUG_ERR_PEER_NO_CERT when none is sent. */
	TLSPLUG_CLIENT_CERT_REQUIRE = 3
};

/* The reason for the last failed setter or build, or NULL. */
TLSPLUG_API const struct tlsplug_error *tlsplug_config_builder_error(
	const struct tlsplug_config_builder *b);

/* Makes an immutable config from the builder (which stays usable).  With
 * several certificate chains it reads each leaf's subjectAltName, to pick
 * chains by SNI.  Errors: TLSPLUG_ERR_INVALID (lowest version above
 * highest), TLSPLUG_ERR_BAD_CERTIFICATE (with several chains, a leaf that
 * is not a readable X.509 certificate; the message names its file),
 * TLSPLUG_ERR_NOMEM. */
TLSPLUG_API int tlsplug_config_builder_build(
	const struct tlsplug_config_builder *b, struct tlsplug_config **out);
/* A config with every default (shared, never fails). */
TLSPLUG_API struct tlsplug_config *tlsplug_config_default(void);
TLSPLUG_API struct tlsplug_config *tlsplug_config_ref(struct tlsplug_config *c);
TLSPLUG_API void tlsplug_config_unref(struct tlsplug_config *c);
/* 1 if a and b hold equal settings (handles compared by content), else 0. */
TLSPLUG_API int tlsplug_config_equal(const struct tlsplug_config *a,
                                     const struct tlsplug_config *b);
/* Hash consistent with tlsplug_config_equal(). */
TLSPLUG_API uint64_t tlsplug_config_hash(const struct tlsplug_config *c);

/* Read-only accessors. */
TLSPLUG_API int tlsplug_config_validates(const struct tlsplug_config *c);
TLSPLUG_API enum tlsplug_version tlsplug_config_min_version(
	const struct tlsplug_config *c);
TLSPLUG_API enum tlsplug_version tlsplug_config_max_version(
	const struct tlsplug_config *c);
TLSPLUG_API size_t tlsplug_config_ciphers(const struct tlsplug_config *c,
                                          const uint16_t **ids);
TLSPLUG_API size_t tlsplug_config_alpn(const struct tlsplug_config *c,
                                       const char *const **protocols);
TLSPLUG_API size_t tlsplug_config_cert_chain_count(
	const struct tlsplug_config *c);

/* ------------------------------------------------------------------------
 * Backends and the registry
 * ------------------------------------------------------------------------ */

struct tlsplug_backend;
struct tlsplug_registry;

enum tlsplug_backend_state {
	TLSPLUG_BACKEND_FOUND = 0,    /* file found, not opened yet */
	TLSPLUG_BACKEND_OK = 1,       /* loaded, validated, initialised */
	TLSPLUG_BACKEND_REJECTED = 2  /* see tlsplug_backend_reject_reason() */
};

/* How the backend was chosen (tlsplug which). */
enum tlsplug_choice_rule {
	TLSPLUG_CHOSEN_EXPLICIT = 1,     /* named in the API call / --backend */
	TLSPLUG_CHOSEN_ENVIRONMENT = 2,  /* TLSPLUG_BACKEND */
	TLSPLUG_CHOSEN_USER_CONFIG = 3,  /* user's file or TLSPLUG_CONF */
	TLSPLUG_CHOSEN_SYSTEM_CONFIG = 4,
	TLSPLUG_CHOSEN_BUILTIN = 5       /* priority, then name */
};

/*
 * Creates a registry: reads TLSPLUG_PLUGIN_PATH, TLSPLUG_BACKEND,
 * TLSPLUG_CONF (with secure_getenv, so a setuid program ignores them) and
 * the config files, and lists the plugin files (tlsplug-NAME.so) of every
 * plugin directory.  Plugins are opened lazily: naming a backend opens only
 * that file; the built-in order and tlsplug_registry_load_all() open all.
 * app_name (may be NULL) selects the [app_name] section of config files.
 * Malformed config lines do not stop creation: they are kept as
 * diagnostics, and any choice that depends on config files then fails with
 * TLSPLUG_ERR_CONFIG_FILE naming file:line.
 * Errors: TLSPLUG_ERR_NOMEM.
 */
TLSPLUG_API int tlsplug_registry_new(const char *app_name,
	struct tlsplug_registry **out, struct tlsplug_error **err);
TLSPLUG_API void tlsplug_registry_free(struct tlsplug_registry *r);
/* The process-wide registry (app name from tlsplug_set_app_name, or NULL),
 * created on first use, thread-safely.  NULL only when out of memory. */
TLSPLUG_API struct tlsplug_registry *tlsplug_registry_default(void);
/* Sets the application name the default registry uses; call before its first
 * use.  Returns TLSPLUG_ERR_MISUSE once the default registry exists. */
TLSPLUG_API int tlsplug_set_app_name(const char *app_name);

/* Opens and validates every plugin found (for listing). */
TLSPLUG_API void tlsplug_registry_load_all(struct tlsplug_registry *r);
/* Loads one plugin file by path (it need not be in a plugin directory; the
 * location safety rules still apply).  On success *out is the backend.
 * Errors: TLSPLUG_ERR_PLUGIN with the reason, TLSPLUG_ERR_IO. */
TLSPLUG_API int tlsplug_registry_load_file(struct tlsplug_registry *r,
	const char *path, const struct tlsplug_backend **out,
	struct tlsplug_error **err);
/* Every plugin file found so far, in discovery order (rejected ones too). */
TLSPLUG_API size_t tlsplug_registry_count(const struct tlsplug_registry *r);
TLSPLUG_API const struct tlsplug_backend *tlsplug_registry_get(
	const struct tlsplug_registry *r, size_t i);
/* The usable backend of that name (opening its file if needed), or NULL. */
TLSPLUG_API const struct tlsplug_backend *tlsplug_registry_find(
	struct tlsplug_registry *r, const char *name);
/*
 * Chooses a backend by the precedence rules: explicit name (if not NULL),
 * TLSPLUG_BACKEND, user config, system config, built-in order.  rule and
 * source (both may be NULL) tell why: source is "TLSPLUG_BACKEND",
 * "/path/tlsplug.conf:3" or "built-in order", owned by the registry.
 * Errors: TLSPLUG_ERR_NOT_FOUND (an explicit or configured name is not
 * available -- no fallback; the message lists the available backends),
 * TLSPLUG_ERR_CONFIG_FILE, TLSPLUG_ERR_PLUGIN (nothing usable at all).
 */
TLSPLUG_API int tlsplug_registry_choose(struct tlsplug_registry *r,
	const char *name, const struct tlsplug_backend **out,
	enum tlsplug_choice_rule *rule, const char **source);
/* The registry's last error (from choose, find, load_file).  With
 * several threads using one registry, another thread's call may replace
 * it at any time: read it only where no other thread uses the registry
 * (tlsplug_context_new() and load_file hand their errors out through
 * `err` instead). */
TLSPLUG_API const struct tlsplug_error *tlsplug_registry_error(
	const struct tlsplug_registry *r);
/* Plugin directories searched, in order. */
TLSPLUG_API size_t tlsplug_registry_dir_count(const struct tlsplug_registry *r);
TLSPLUG_API const char *tlsplug_registry_dir(const struct tlsplug_registry *r,
                                             size_t i);
/* Problems met while reading config files (each "file:line: message"). */
TLSPLUG_API size_t tlsplug_registry_diagnostic_count(
	const struct tlsplug_registry *r);
TLSPLUG_API const char *tlsplug_registry_diagnostic(
	const struct tlsplug_registry *r, size_t i);
/* Names asked for by TLSPLUG_BACKEND or config files that no usable plugin
 * provides (no such file, or its plugin was rejected). */
TLSPLUG_API size_t tlsplug_registry_missing_count(
	const struct tlsplug_registry *r);
TLSPLUG_API const char *tlsplug_registry_missing(
	const struct tlsplug_registry *r, size_t i);

/* Backend records (owned by the registry; valid until it is freed). */
TLSPLUG_API const char *tlsplug_backend_name(const struct tlsplug_backend *b);
TLSPLUG_API const char *tlsplug_backend_path(const struct tlsplug_backend *b);
TLSPLUG_API enum tlsplug_backend_state tlsplug_backend_state(
	const struct tlsplug_backend *b);
/* Why the plugin was rejected (one line), or NULL. */
TLSPLUG_API const char *tlsplug_backend_reject_reason(
	const struct tlsplug_backend *b);
/* Following accessors are meaningful for TLSPLUG_BACKEND_OK only. */
TLSPLUG_API const char *tlsplug_backend_description(
	const struct tlsplug_backend *b);
TLSPLUG_API const char *tlsplug_backend_engine_version(
	const struct tlsplug_backend *b);
TLSPLUG_API void tlsplug_backend_abi_version(const struct tlsplug_backend *b,
	unsigned *major, unsigned *minor);

/*
 * Capabilities: what a backend declares it can do, as bits of
 * tlsplug_backend_caps().  A context whose config needs a capability the
 * backend lacks is refused with TLSPLUG_ERR_UNSUPPORTED naming the setting,
 * so a program may test a bit first or just handle that error.  Plugins
 * declare the same bits in their descriptor (<tlsplug/backend.h>).
 */
#define TLSPLUG_CAP_CLIENT           (UINT64_C(1) << 0)  /* client contexts */
#define TLSPLUG_CAP_SERVER           (UINT64_C(1) << 1)  /* server contexts */
/* ALPN: tlsplug_config_builder_set_alpn() is negotiated. */
#define TLSPLUG_CAP_ALPN             (UINT64_C(1) << 2)
/* A server calls tlsplug_config_builder_set_sni_callback()'s callback. */
#define TLSPLUG_CAP_SNI_CALLBACK     (UINT64_C(1) << 3)
#define TLSPLUG_CAP_TLS1_2           (UINT64_C(1) << 4)  /* can speak 1.2 */
#define TLSPLUG_CAP_TLS1_3           (UINT64_C(1) << 5)  /* can speak 1.3 */
/* Validation can be turned off (set_insecure_no_validation). */
#define TLSPLUG_CAP_NO_VALIDATION    (UINT64_C(1) << 6)
/* Has a system trust store: a validating client needs no trust store set. */
#define TLSPLUG_CAP_SYSTEM_TRUST     (UINT64_C(1) << 7)
/* set_ciphers() is followed in exactly the order given; without this bit
 * an order the engine cannot follow is refused. */
#define TLSPLUG_CAP_CIPHER_ORDER     (UINT64_C(1) << 8)
/* Mutual TLS: clients present a chain, servers verify client certs. */
#define TLSPLUG_CAP_CLIENT_CERT      (UINT64_C(1) << 9)
/* Encrypted private keys (their password as bytes or by a callback). */
#define TLSPLUG_CAP_KEY_PASSWORD     (UINT64_C(1) << 10)
/* A server holds several chains and picks one by the client's SNI. */
#define TLSPLUG_CAP_MULTI_CHAIN      (UINT64_C(1) << 11)
#define TLSPLUG_CAP_ED25519          (UINT64_C(1) << 12) /* Ed25519 keys */
#define TLSPLUG_CAP_TLS1_0           (UINT64_C(1) << 13) /* can speak 1.0 */
#define TLSPLUG_CAP_TLS1_1           (UINT64_C(1) << 14) /* can speak 1.1 */
/* Session resumption: tlsplug_conn_session() / tlsplug_conn_set_session(),
 * the client's session cache, and session tickets on servers (with
 * set_ticket_key() and set_ticket_lifetime()). */
#define TLSPLUG_CAP_SESSIONS         (UINT64_C(1) << 15)
/* tlsplug_conn_verified_chain(): the chain the engine built to a trust
 * anchor. */
#define TLSPLUG_CAP_VERIFIED_CHAIN   (UINT64_C(1) << 16)
/* Public-key pins (tlsplug_config_builder_add_pins()) are checked. */
#define TLSPLUG_CAP_PINNING          (UINT64_C(1) << 17)
/* The application's verify callback (set_verify_callback()) is run. */
#define TLSPLUG_CAP_VERIFY_CALLBACK  (UINT64_C(1) << 18)
/* A server can ask for a client certificate without requiring one
 * (set_client_cert_mode(TLSPLUG_CLIENT_CERT_REQUEST)). */
#define TLSPLUG_CAP_OPTIONAL_CLIENT_CERT (UINT64_C(1) << 19)
/* Key logging: set_keylog_callback(), set_keylog_file() and the
 * SSLKEYLOGFILE environment variable get the NSS key log lines. */
#define TLSPLUG_CAP_KEYLOG           (UINT64_C(1) << 20)
/* tlsplug_conn_export_keying_material() and tlsplug_conn_channel_binding()
 * (RFC 5705, RFC 8446 section 7.5, RFC 9266). */
#define TLSPLUG_CAP_EXPORTER         (UINT64_C(1) << 21)
/* set_groups() is honoured in its order; tlsplug_conn_group() says which
 * key-exchange group was negotiated. */
#define TLSPLUG_CAP_GROUPS           (UINT64_C(1) << 22)
/* set_sigalgs() is honoured. */
#define TLSPLUG_CAP_SIGALGS          (UINT64_C(1) << 23)
/* Certificate revocation lists (tlsplug_config_builder_add_crl()). */
#define TLSPLUG_CAP_CRL              (UINT64_C(1) << 24)
/* A server staples an OCSP response
 * (tlsplug_config_builder_set_ocsp_staple()). */
#define TLSPLUG_CAP_OCSP_STAPLE      (UINT64_C(1) << 25)
/* A client checks a stapled OCSP response
 * (tlsplug_config_builder_set_ocsp_mode(), tlsplug_conn_ocsp_status()). */
#define TLSPLUG_CAP_OCSP_CHECK       (UINT64_C(1) << 26)
/* The engine negotiates no finite-field DH group smaller than the system
 * policy's min_dh_bits.  On a backend without it, a policy with
 * min_dh_bits leaves no finite-field DH suite (a configured one is
 * refused with TLSPLUG_ERR_POLICY). */
#define TLSPLUG_CAP_DH_FLOOR         (UINT64_C(1) << 27)
/* The highest bit named so far (for iteration). */
#define TLSPLUG_CAP_LAST             TLSPLUG_CAP_DH_FLOOR

/* The TLSPLUG_CAP_* bits the backend declares (0 unless
 * TLSPLUG_BACKEND_OK). */
TLSPLUG_API uint64_t tlsplug_backend_caps(const struct tlsplug_backend *b);
/* The name of one TLSPLUG_CAP_* bit ("client", "server", "alpn", ...), as
 * `tlsplug info` shows it; NULL for 0, several bits or an unknown bit. */
TLSPLUG_API const char *tlsplug_capability_name(uint64_t cap_bit);

TLSPLUG_API int tlsplug_backend_priority(const struct tlsplug_backend *b);
/* Cipher suites the engine offers (IANA ids, engine's preference order).
 * Returns the number found, filling at most max ids. */
TLSPLUG_API size_t tlsplug_backend_cipher_suites(
	const struct tlsplug_backend *b, uint16_t *ids, size_t max);
/* Where the engine's system trust store comes from (file, directory,
 * p11-kit URL), or NULL if it cannot say. */
TLSPLUG_API const char *tlsplug_backend_system_trust_source(
	const struct tlsplug_backend *b);

/* ------------------------------------------------------------------------
 * Contexts (PEP 543 ClientContext / ServerContext)
 * ------------------------------------------------------------------------ */

struct tlsplug_context;

enum tlsplug_role { TLSPLUG_CLIENT = 1, TLSPLUG_SERVER = 2 };

/*
 * Creates a context for `role` from `config` on backend `b` (NULL: the
 * default registry's choice).  The engine parses certificates and keys now.
 * Takes its own reference on config.  Errors: TLSPLUG_ERR_UNSUPPORTED (the
 * backend cannot honour a setting; the message names it),
 * TLSPLUG_ERR_POLICY (a setting below the system policy: the message
 * names it and the policy's file and line; see tlsplug_registry_policy()),
 * TLSPLUG_ERR_BAD_CERTIFICATE, TLSPLUG_ERR_BAD_KEY, TLSPLUG_ERR_BAD_PASSWORD,
 * TLSPLUG_ERR_KEY_MISMATCH, TLSPLUG_ERR_NOT_FOUND, TLSPLUG_ERR_NOMEM, ...
 */
TLSPLUG_API int tlsplug_context_new(const struct tlsplug_backend *b,
	enum tlsplug_role role, struct tlsplug_config *config,
	struct tlsplug_context **out, struct tlsplug_error **err);
TLSPLUG_API struct tlsplug_context *tlsplug_context_ref(
	struct tlsplug_context *ctx);
TLSPLUG_API void tlsplug_context_unref(struct tlsplug_context *ctx);
TLSPLUG_API const struct tlsplug_backend *tlsplug_context_backend(
	const struct tlsplug_context *ctx);
TLSPLUG_API struct tlsplug_config *tlsplug_context_config(
	const struct tlsplug_context *ctx);
TLSPLUG_API enum tlsplug_role tlsplug_context_role(
	const struct tlsplug_context *ctx);

/* ------------------------------------------------------------------------
 * Connections over memory buffers (PEP 543 TLSWrappedBuffer)
 *
 * The connection owns two ciphertext buffers.  The application moves bytes
 * between them and the network: incoming bytes in with
 * tlsplug_conn_receive_from_network(), outgoing bytes out with
 * tlsplug_conn_peek_outgoing() + tlsplug_conn_consume_outgoing() (or
 * tlsplug_conn_read_outgoing()).  Operations return TLSPLUG_WANT_READ when
 * they need more incoming ciphertext and TLSPLUG_WANT_WRITE when outgoing
 * ciphertext must be sent before they can go on; with buffers the outgoing
 * buffer grows instead, so WANT_WRITE is only returned by the socket wrapper.
 * Always send pending outgoing bytes after each call, whatever it returned.
 * ------------------------------------------------------------------------ */

/* Creates a connection.  server_hostname (client only; NULL to skip
 * hostname checking and SNI) is what validation checks and, unless it is an
 * IP literal, what is sent as SNI (without a trailing dot), the same on
 * every backend.  A name in Unicode (UTF-8) is first converted to its
 * A-label form ("bücher.example" -> "xn--bcher-kva.example": IDNA2008 with
 * UTS #46 mapping, libidn2), and that form is sent and checked; a name that
 * is not valid IDNA, or one with a label the mapping empties (a label of
 * only U+200B, say), is refused here with TLSPLUG_ERR_INVALID naming it,
 * before any byte goes out.  tlsplug_conn_server_name() gives the A-label
 * form.  Takes a reference on ctx. */
TLSPLUG_API int tlsplug_conn_new(struct tlsplug_context *ctx,
	const char *server_hostname, struct tlsplug_conn **out,
	struct tlsplug_error **err);
TLSPLUG_API void tlsplug_conn_free(struct tlsplug_conn *conn);

/* Runs the handshake: TLSPLUG_OK when done, WANT_READ, or an error. */
TLSPLUG_API int tlsplug_conn_handshake(struct tlsplug_conn *conn);
/* Reads up to len plaintext bytes into buf; *nread is set (0 on non-OK).
 * Returns OK, WANT_READ, TLSPLUG_CLOSED (peer's close_notify),
 * TLSPLUG_RAGGED_EOF (network EOF without close_notify) or an error.
 * Runs the handshake first if needed. */
TLSPLUG_API int tlsplug_conn_read(struct tlsplug_conn *conn, void *buf,
                                  size_t len, size_t *nread);
/* Encrypts up to len bytes; *nwritten may be less than len (short write).
 * After WANT_*, call again with the same buf and len. */
TLSPLUG_API int tlsplug_conn_write(struct tlsplug_conn *conn, const void *buf,
                                   size_t len, size_t *nwritten);
/* Sends close_notify: OK when the peer's close_notify was also seen,
 * WANT_READ while waiting for it (it is fine to stop there). */
TLSPLUG_API int tlsplug_conn_shutdown(struct tlsplug_conn *conn);

/* Ciphertext from the network (copied).  Errors: TLSPLUG_ERR_NOMEM. */
TLSPLUG_API int tlsplug_conn_receive_from_network(struct tlsplug_conn *conn,
	const void *data, size_t len);
/* Tells the connection the network reached EOF (no more incoming bytes). */
TLSPLUG_API void tlsplug_conn_receive_eof(struct tlsplug_conn *conn);
/* Pending outgoing ciphertext: *data points into the connection's buffer,
 * valid until the next call on conn.  Returns its length. */
TLSPLUG_API size_t tlsplug_conn_peek_outgoing(const struct tlsplug_conn *conn,
                                              const void **data);
/* Drops the first n pending outgoing bytes (n > pending: all of them). */
TLSPLUG_API void tlsplug_conn_consume_outgoing(struct tlsplug_conn *conn,
                                               size_t n);
/* Copies and consumes up to len outgoing bytes; returns how many. */
TLSPLUG_API size_t tlsplug_conn_read_outgoing(struct tlsplug_conn *conn,
                                              void *buf, size_t len);
/* Incoming ciphertext not yet consumed by the engine. */
TLSPLUG_API size_t tlsplug_conn_incoming_pending(const struct tlsplug_conn *c);

/* Negotiated parameters ("none" before the handshake). */
TLSPLUG_API uint16_t tlsplug_conn_cipher(const struct tlsplug_conn *conn);
TLSPLUG_API enum tlsplug_version tlsplug_conn_version(
	const struct tlsplug_conn *conn);
/* The ALPN protocol chosen, or NULL. */
TLSPLUG_API const char *tlsplug_conn_alpn(const struct tlsplug_conn *conn);
/* The peer leaf certificate's subject in RFC 4514 form (read by the core
 * from the certificate, the same text on every backend), or NULL. */
TLSPLUG_API const char *tlsplug_conn_peer_subject(struct tlsplug_conn *conn);
/* The SNI name received (server) or sent (client), or NULL. */
TLSPLUG_API const char *tlsplug_conn_server_name(
	const struct tlsplug_conn *conn);
TLSPLUG_API struct tlsplug_context *tlsplug_conn_context(
	const struct tlsplug_conn *conn);
/* The last error on conn, or NULL. */
TLSPLUG_API const struct tlsplug_error *tlsplug_conn_error(
	const struct tlsplug_conn *conn);

/* ------------------------------------------------------------------------
 * Key logging, exporters, groups and signature algorithms
 * ------------------------------------------------------------------------ */

/*
 * Key logging (TLSPLUG_CAP_KEYLOG), for debugging with tools such as
 * Wireshark: the secrets of every handshake, as lines of the NSS key log
 * format ("LABEL CLIENT_RANDOM_HEX SECRET_HEX"; TLS 1.3:
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET, ...;
 * TLS 1.2: CLIENT_RANDOM with the master secret).  Anyone holding these
 * lines can decrypt the connections: never enable it in production.
 *
 * Three destinations, each independent of the others:
 *   - the config's callback (set_keylog_callback), once per line;
 *   - the config's file (set_keylog_file);
 *   - the file named by the environment variable SSLKEYLOGFILE, read with
 *     secure_getenv() (so never in setuid or setgid programs) when a
 *     context is created, on a backend with TLSPLUG_CAP_KEYLOG (on one
 *     without it the variable is ignored, with no error).
 * Files are opened when the context is created (appending, created with
 * mode 0600, close-on-exec); one line is one write(2) ending in "\n", so
 * several processes may share a file.  When the config's file and
 * SSLKEYLOGFILE name the same file, it gets each line once.  An engine's
 * own key logging (GnuTLS honours SSLKEYLOGFILE itself) is turned off:
 * every line is written by tlsplug, once.
 *
 * A file that cannot be opened does not fail the context: the context
 * works without writing that file, and tlsplug_context_keylog_error() says
 * once which file and why.  A config with a callback or a file on a backend
 * without TLSPLUG_CAP_KEYLOG is refused at context creation
 * (TLSPLUG_ERR_UNSUPPORTED, "key logging").
 */

/* Called with one key log line (no newline; valid during the call) from
 * the thread driving conn's handshake. */
typedef void (*tlsplug_keylog_cb)(const struct tlsplug_conn *conn,
	const char *line, void *user_data);
/* Sets the key log callback (NULL: none).  user_data is compared by
 * equal(). */
TLSPLUG_API int tlsplug_config_builder_set_keylog_callback(
	struct tlsplug_config_builder *b, tlsplug_keylog_cb cb,
	void *user_data);
/* Sets the key log file (copied; NULL or "": none).  TLSPLUG_ERR_INVALID
 * for a path longer than 4095 bytes. */
TLSPLUG_API int tlsplug_config_builder_set_keylog_file(
	struct tlsplug_config_builder *b, const char *path);
/* The config's key log file, or NULL. */
TLSPLUG_API const char *tlsplug_config_keylog_file(
	const struct tlsplug_config *c);
/* Why a key log file (the config's, or SSLKEYLOGFILE's) could not be
 * opened when ctx was created (TLSPLUG_ERR_IO, the message names the file
 * and the reason; with two failures, the first), or NULL when every file
 * opened.  Owned by ctx. */
TLSPLUG_API const struct tlsplug_error *tlsplug_context_keylog_error(
	const struct tlsplug_context *ctx);

/*
 * Keying material exporters (TLSPLUG_CAP_EXPORTER): RFC 5705 (TLS 1.2) and
 * RFC 8446 section 7.5 (TLS 1.3).  Once the handshake is done, writes len
 * bytes derived from the connection's secrets, the label and the context
 * into out: both ends of a connection get the same bytes.
 *   label    1 to 249 bytes of text (NUL-terminated); the labels TLS 1.2
 *            uses itself ("client finished", "server finished", "master
 *            secret", "key expansion", "extended master secret") are
 *            refused;
 *   context  NULL: no context; else context_len bytes (0 to 65535; with
 *            TLS 1.2 an empty context differs from none, with TLS 1.3 it
 *            does not);
 *   len      1 to TLSPLUG_EXPORTER_MAX bytes.
 * Returns TLSPLUG_OK, TLSPLUG_ERR_MISUSE (NULL conn or out, handshake not
 * done), TLSPLUG_ERR_INVALID (bad label, context or length),
 * TLSPLUG_ERR_UNSUPPORTED (the backend lacks TLSPLUG_CAP_EXPORTER), or the
 * engine's failure; recorded as the connection's error (tlsplug_conn_error)
 * without ending the connection.
 */
#define TLSPLUG_EXPORTER_MAX 8160  /* 255 x 32: HKDF-Expand with SHA-256 */
TLSPLUG_API int tlsplug_conn_export_keying_material(
	struct tlsplug_conn *conn, const char *label, const void *context,
	size_t context_len, void *out, size_t len);

/*
 * Channel binding data of type `type` for conn into out (size bytes);
 * *len gets its length.  Types: "tls-exporter" (RFC 9266: the exporter
 * with label "EXPORTER-Channel-Binding", an empty context, 32 bytes;
 * defined for TLS 1.3 only, so a TLS 1.2 connection gets
 * TLSPLUG_ERR_UNSUPPORTED).  Errors as export_keying_material, plus
 * TLSPLUG_ERR_NOT_FOUND (unknown type) and TLSPLUG_ERR_INVALID (size too
 * small).
 */
#define TLSPLUG_CHANNEL_BINDING_TLS_EXPORTER "tls-exporter"
TLSPLUG_API int tlsplug_conn_channel_binding(struct tlsplug_conn *conn,
	const char *type, void *out, size_t size, size_t *len);

/*
 * Key-exchange groups (TLSPLUG_CAP_GROUPS) and signature algorithms
 * (TLSPLUG_CAP_SIGALGS), by their IANA names (TLS Supported Groups and TLS
 * SignatureScheme registries), in preference order:
 *   groups   x25519, x448, secp256r1, secp384r1, secp521r1, ffdhe2048,
 *            ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192,
 *            brainpoolP256r1tls13, ..., and the post-quantum ones
 *            X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024,
 *            MLKEM512, MLKEM768, MLKEM1024 (also P-256, P-384, P-521);
 *   sigalgs  rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256, ed25519,
 *            rsa_pkcs1_sha256, ..., mldsa44, mldsa65, mldsa87.
 * Names are matched case-blind; "0x11ec" gives any code point by number.
 * An unknown name, or one listed twice, is TLSPLUG_ERR_INVALID naming it
 * (n == 0: the engine's default).  At context creation a backend refuses
 * (TLSPLUG_ERR_UNSUPPORTED, naming the setting and the first group or
 * algorithm it lacks) what it does not have: whether an engine has a
 * post-quantum group depends on its version, and
 * tlsplug_backend_groups() tells.  A config that sets none gets the
 * `groups` / `sigalgs` of the configuration files (tlsplug.conf(5)) when
 * its backend comes from a registry: the entries its engine has, in the
 * file's order (none of them: TLSPLUG_ERR_UNSUPPORTED naming file:line).
 */
TLSPLUG_API int tlsplug_config_builder_set_groups(
	struct tlsplug_config_builder *b, const char *const *names, size_t n);
TLSPLUG_API int tlsplug_config_builder_set_sigalgs(
	struct tlsplug_config_builder *b, const char *const *names, size_t n);
/* The config's groups / signature algorithms as IANA code points. */
TLSPLUG_API size_t tlsplug_config_groups(const struct tlsplug_config *c,
                                         const uint16_t **ids);
TLSPLUG_API size_t tlsplug_config_sigalgs(const struct tlsplug_config *c,
                                          const uint16_t **ids);
/* IANA name of a group / signature scheme code point, or NULL when not in
 * tlsplug's table. */
TLSPLUG_API const char *tlsplug_group_name(uint16_t id);
TLSPLUG_API const char *tlsplug_sigalg_name(uint16_t id);
/* Code point of a name (case-blind, or "0x1d").  TLSPLUG_OK or
 * TLSPLUG_ERR_NOT_FOUND. */
TLSPLUG_API int tlsplug_group_from_name(const char *name, uint16_t *id);
TLSPLUG_API int tlsplug_sigalg_from_name(const char *name, uint16_t *id);
/* 1 when group id is post-quantum (ML-KEM, alone or in a hybrid). */
TLSPLUG_API int tlsplug_group_is_post_quantum(uint16_t id);
/* The key-exchange group the handshake used (IANA code point), 0 before
 * the handshake, without one (TLS 1.2 RSA key exchange) or on a backend
 * without TLSPLUG_CAP_GROUPS. */
TLSPLUG_API uint16_t tlsplug_conn_group(const struct tlsplug_conn *conn);
/* The groups / signature algorithms the engine has (IANA code points, its
 * default preference first); returns the total, filling at most max. */
TLSPLUG_API size_t tlsplug_backend_groups(const struct tlsplug_backend *b,
                                          uint16_t *ids, size_t max);
TLSPLUG_API size_t tlsplug_backend_sigalgs(const struct tlsplug_backend *b,
                                           uint16_t *ids, size_t max);

/* ------------------------------------------------------------------------
 * The peer's certificates, pins, verify callback, client-certificate mode
 *
 * The core checks the peer's identity the same way on every engine: after
 * the engine has validated the chain against the trust store, it matches
 * the host name (RFC 9525), then the public-key pins, then runs the
 * application's verify callback.  Each step can only turn success into
 * failure, never the reverse.  With validation off
 * (set_insecure_no_validation) the engine's chain and host name checks are
 * skipped and the pins and the callback, when set, decide alone.
 * On a server whose SNI callback returned another config, that config's
 * pins, verify callback and client-certificate mode apply.
 * ------------------------------------------------------------------------ */

/* One DER certificate: len bytes at data. */
struct tlsplug_der {
	const unsigned char *data;
	size_t len;
};

/*
 * The peer's certificate chain as the peer sent it, leaf first: *certs
 * points to *n entries (0 when the peer sent no certificate, as a client
 * may).  On a server, the client's certificate when one was presented.
 * The array and the bytes belong to conn and stay valid until it is freed.
 * Call after the handshake, or from the verify callback.  Errors:
 * TLSPLUG_ERR_MISUSE (conn, certs or n NULL, or the handshake is not done),
 * TLSPLUG_ERR_UNSUPPORTED (an ABI 1.0 plugin cannot hand the chain over),
 * TLSPLUG_ERR_NOMEM.  Nothing is recorded on conn: the status says it.
 */
TLSPLUG_API int tlsplug_conn_peer_chain(struct tlsplug_conn *conn,
	const struct tlsplug_der **certs, size_t *n);
/*
 * The chain the engine built and verified, from the peer's leaf to the
 * trust anchor (anchor last), as tlsplug_conn_peer_chain() gives the sent
 * one.  *n is 0 when nothing was verified (validation off, no peer
 * certificate).  Errors as tlsplug_conn_peer_chain(), and
 * TLSPLUG_ERR_UNSUPPORTED when the backend lacks
 * TLSPLUG_CAP_VERIFIED_CHAIN.
 */
TLSPLUG_API int tlsplug_conn_verified_chain(struct tlsplug_conn *conn,
	const struct tlsplug_der **certs, size_t *n);

/*
 * Public-key pins (needs TLSPLUG_CAP_PINNING): SHA-256 hashes of the
 * peer's SubjectPublicKeyInfo in curl's form "sha256//BASE64" (44 base64
 * characters: 32 bytes).  When a config has pins, the peer's leaf must
 * match one of them, on every engine alike, after the normal validation
 * (a pin never replaces it; with validation off the pins decide alone).
 * A mismatch fails the handshake with TLSPLUG_ERR_CERT_PIN; the message
 * names the pins and the key's actual "sha256//..." hash.  On a server
 * the pins apply to a client certificate when one is sent.
 *
 * add_pins takes one pin or a list separated by ',' or ';' (blanks around
 * items are ignored); every pin is added, or none.  Errors (recorded in
 * tlsplug_config_builder_error(), naming the pin): TLSPLUG_ERR_INVALID
 * for an empty list or an empty item ("item 2 of the pin list is
 * empty"), a pin without the "sha256//" prefix, one that is not base64,
 * one that does not decode to 32 bytes; TLSPLUG_ERR_MISUSE (b NULL),
 * TLSPLUG_ERR_NOMEM.
 */
TLSPLUG_API int tlsplug_config_builder_add_pins(
	struct tlsplug_config_builder *b, const char *pins);
/* Adds one pin given as its 32 raw bytes. */
TLSPLUG_API int tlsplug_config_builder_add_pin_sha256(
	struct tlsplug_config_builder *b, const unsigned char hash[32]);
/* Removes every pin. */
TLSPLUG_API int tlsplug_config_builder_clear_pins(
	struct tlsplug_config_builder *b);
/* The config's pins: returns how many, *hashes (may be NULL) the 32-byte
 * hashes, owned by c. */
TLSPLUG_API size_t tlsplug_config_pins(const struct tlsplug_config *c,
	const unsigned char (**hashes)[32]);

/*
 * Verify callback (needs TLSPLUG_CAP_VERIFY_CALLBACK).  Runs once per
 * handshake in which the peer presented a certificate (either role), after
 * the engine's validation, the host name check and the pins, with:
 *   chain, n   the chain as the peer sent it, leaf first (n >= 1); valid
 *              only during the call (tlsplug_conn_peer_chain() and
 *              tlsplug_conn_verified_chain() may also be called on conn);
 *   verdict    TLSPLUG_OK, or the category the checks failed with.
 * Return TLSPLUG_OK to accept, or a negative TLSPLUG_ERR_* category to
 * reject (anything else negative counts as TLSPLUG_ERR_CERT_INVALID): the
 * handshake then fails with that category and the message "certificate
 * rejected by the verify callback".  A failed verdict stands whatever the
 * callback returns: it can never turn a failure into success.
 * Threads: called on the thread that drives the handshake, inside
 * tlsplug_conn_handshake() (or the read, write or socket call that runs
 * it).  The callback must not free conn nor call its handshake, read,
 * write or shutdown; it must not keep pointers into chain.  user_data
 * belongs to the caller and must outlive every config holding it; configs
 * compare it by address (tlsplug_config_equal()).
 */
typedef int (*tlsplug_verify_cb)(struct tlsplug_conn *conn,
	const struct tlsplug_der *chain, size_t n, int verdict,
	void *user_data);
/* Sets the verify callback (NULL: none). */
TLSPLUG_API int tlsplug_config_builder_set_verify_callback(
	struct tlsplug_config_builder *b, tlsplug_verify_cb cb,
	void *user_data);

/*
 * What a server asks of clients (enum tlsplug_client_cert_mode above;
 * clients ignore it).  REQUEST and REQUIRE verify a certificate that is
 * sent against the config's trust store (the system store if none was
 * set), and need validation on: build() fails with TLSPLUG_ERR_INVALID
 * otherwise.  REQUEST needs TLSPLUG_CAP_OPTIONAL_CLIENT_CERT, REQUEST and
 * REQUIRE TLSPLUG_CAP_CLIENT_CERT (context creation refuses them with
 * TLSPLUG_ERR_UNSUPPORTED).  Errors: TLSPLUG_ERR_INVALID (not a mode).
 */
TLSPLUG_API int tlsplug_config_builder_set_client_cert_mode(
	struct tlsplug_config_builder *b, enum tlsplug_client_cert_mode mode);
/* The mode as set (AUTO unless changed). */
TLSPLUG_API enum tlsplug_client_cert_mode tlsplug_config_client_cert_mode(
	const struct tlsplug_config *c);
/* What a server context made from c does: NONE, REQUEST or REQUIRE (AUTO
 * resolved by its rule). */
TLSPLUG_API enum tlsplug_client_cert_mode
	tlsplug_config_client_cert_effective(const struct tlsplug_config *c);
/* Parses "none", "request", "require" or "auto" (case-blind).  Returns
 * TLSPLUG_OK or TLSPLUG_ERR_INVALID. */
TLSPLUG_API int tlsplug_client_cert_mode_parse(const char *text,
	enum tlsplug_client_cert_mode *out);
/* "auto", "none", "request", "require"; NULL for another value. */
TLSPLUG_API const char *tlsplug_client_cert_mode_name(
	enum tlsplug_client_cert_mode mode);

/*
 * What the configuration files say (tlsplug.conf(5)), for programs that
 * apply it; the library applies nothing by itself, a config holds only
 * what its builder was given.  Lines with bad values are diagnostics
 * (tlsplug_registry_diagnostic(); tlsplug_registry_choose() then fails
 * with TLSPLUG_ERR_CONFIG_FILE naming file:line) and count as not set.
 * The user's file comes before the system's; in a file, the
 * application's section before [default].
 *
 * tlsplug_registry_conf_pins: the pin list a `pin = HOST PINS` line gives
 * for host (case-blind, a trailing dot ignored), ready for
 * tlsplug_config_builder_add_pins(); owned by r; NULL when none.
 * tlsplug_registry_conf_client_cert: the `client_cert` mode, AUTO when
 * none is set.
 */
TLSPLUG_API const char *tlsplug_registry_conf_pins(
	const struct tlsplug_registry *r, const char *host);
TLSPLUG_API enum tlsplug_client_cert_mode tlsplug_registry_conf_client_cert(
	const struct tlsplug_registry *r);

/* ------------------------------------------------------------------------
 * Session resumption (needs TLSPLUG_CAP_SESSIONS)
 *
 * Client: after a handshake, tlsplug_conn_session() gives the connection's
 * latest resumable session (in TLS 1.3, the one from the newest ticket,
 * which arrives after the handshake: read from the connection at least
 * once first).  Give it to a new connection with tlsplug_conn_set_session()
 * before that one's handshake; tlsplug_conn_resumed() then says whether the
 * server accepted it.  Sessions serialise to bytes and back (for caches
 * shared between processes; the format in doc/SESSIONS.md names the
 * backend that made the session).
 *
 * Every client context also keeps a cache of its own: a connection with a
 * server host name and no session set is offered the newest session the
 * context got for that name (and peer address, for sockets), on by default
 * with TLSPLUG_SESSION_CACHE_DEFAULT names, thread-safe; TLS 1.3 tickets
 * are used once.  set_session_cache(b, 0), or `session_cache = off` in
 * tlsplug.conf, turns it off.
 *
 * Server: session tickets are on by default, encrypted under keys derived
 * from a master key (random per context unless set with set_ticket_key()
 * or set_ticket_key_file(), which lets the processes of one service resume
 * each other's sessions) and rotated every ticket lifetime (the previous
 * period's key is still accepted).
 *
 * Safety: a session is offered only to the server name and the config
 * (tlsplug_config_equal) it was made with, so resuming never skips a rule
 * the full handshake checked; a session from another backend, a corrupt or
 * truncated serialised session, or an expired one is refused with
 * TLSPLUG_ERR_INVALID and a message saying which.
 * ------------------------------------------------------------------------ */

/* The ticket master key's size in bytes. */
#define TLSPLUG_TICKET_KEY_SIZE 64
/* Server names a client context's cache keeps by default. */
#define TLSPLUG_SESSION_CACHE_DEFAULT 256

/* A resumable session (immutable, refcounted, shareable between
 * threads). */
struct tlsplug_session;

/* Client: the connection's latest resumable session, as a new reference
 * (release with tlsplug_session_unref), or NULL when it has none (yet). */
TLSPLUG_API struct tlsplug_session *tlsplug_conn_session(
	struct tlsplug_conn *conn);
/*
 * Client: resume session s on conn's handshake (call before it starts;
 * takes no reference: the bytes are handed to the engine at once).  s
 * must come from the same backend, server host name and an equal config
 * (tlsplug_config_equal), and must not have expired.  Errors (recorded on
 * conn): TLSPLUG_ERR_MISUSE (a server connection, or the handshake
 * started), TLSPLUG_ERR_UNSUPPORTED (the backend lacks
 * TLSPLUG_CAP_SESSIONS), TLSPLUG_ERR_INVALID (another backend's session,
 * another server name or config, expired, or bytes the engine refuses;
 * the message says which).  After an error the connection can still do a
 * full handshake.
 */
TLSPLUG_API int tlsplug_conn_set_session(struct tlsplug_conn *conn,
	const struct tlsplug_session *s);
/* Either role: 1 when the completed handshake resumed a session, else 0
 * (also before the handshake and on backends without sessions). */
TLSPLUG_API int tlsplug_conn_resumed(const struct tlsplug_conn *conn);

TLSPLUG_API struct tlsplug_session *tlsplug_session_ref(
	struct tlsplug_session *s);
TLSPLUG_API void tlsplug_session_unref(struct tlsplug_session *s);

/*
 * Serialises s into buf (size bytes) and stores the length in *len; when
 * buf is NULL or too small nothing is written, *len is still set and the
 * result is TLSPLUG_ERR_INVALID (ask with buf NULL first).  The bytes hold
 * the session's secrets: keep them as private as a key.  Errors:
 * TLSPLUG_ERR_MISUSE (s or len NULL), TLSPLUG_ERR_INVALID.
 */
TLSPLUG_API int tlsplug_session_serialize(const struct tlsplug_session *s,
	void *buf, size_t size, size_t *len);
/* Reads a serialised session (len bytes at data, copied).  Errors:
 * TLSPLUG_ERR_INVALID (not a tlsplug session, a format version this
 * library cannot read, truncated, a failed checksum, trailing bytes; the
 * message says which), TLSPLUG_ERR_MISUSE, TLSPLUG_ERR_NOMEM.  The
 * engine's own bytes are checked by the engine when the session is set on
 * a connection. */
TLSPLUG_API int tlsplug_session_deserialize(const void *data, size_t len,
	struct tlsplug_session **out, struct tlsplug_error **err);
/* Reads a file written by tlsplug_session_to_file() (or holding
 * serialised bytes).  Errors as deserialize, with the file's name in the
 * message, and TLSPLUG_ERR_IO. */
TLSPLUG_API int tlsplug_session_from_file(const char *path,
	struct tlsplug_session **out, struct tlsplug_error **err);
/* Writes s serialised to path (created with mode 0600, replaced
 * atomically).  Errors: TLSPLUG_ERR_IO (naming the file),
 * TLSPLUG_ERR_MISUSE, TLSPLUG_ERR_NOMEM. */
TLSPLUG_API int tlsplug_session_to_file(const struct tlsplug_session *s,
	const char *path, struct tlsplug_error **err);
/* The name of the backend that made s ("openssl"), never NULL. */
TLSPLUG_API const char *tlsplug_session_backend(
	const struct tlsplug_session *s);
/* The server host name s is for, or NULL. */
TLSPLUG_API const char *tlsplug_session_server_name(
	const struct tlsplug_session *s);
/* The TLS version of the connection that made s (NONE if unknown). */
TLSPLUG_API enum tlsplug_version tlsplug_session_version(
	const struct tlsplug_session *s);
/* Unix time after which the server no longer accepts s, 0 if unknown. */
TLSPLUG_API uint64_t tlsplug_session_expires(const struct tlsplug_session *s);

/*
 * Session settings of a config (setters follow the builder's rules).
 * Client: the context's cache keeps sessions for up to max_names server
 * names (0: no cache).  Unset: the config file's session_cache, else
 * TLSPLUG_SESSION_CACHE_DEFAULT.
 */
TLSPLUG_API int tlsplug_config_builder_set_session_cache(
	struct tlsplug_config_builder *b, size_t max_names);
/* Server: issue session tickets (default on; config file: none). */
TLSPLUG_API int tlsplug_config_builder_set_session_tickets(
	struct tlsplug_config_builder *b, int enabled);
/* Server: the ticket master key, TLSPLUG_TICKET_KEY_SIZE bytes (copied;
 * (NULL, 0): back to unset).  Unset: the config file's ticket_key_file,
 * else a random key per context.  TLSPLUG_ERR_INVALID for another
 * length. */
TLSPLUG_API int tlsplug_config_builder_set_ticket_key(
	struct tlsplug_config_builder *b, const void *key, size_t len);
/* Server: the ticket master key from a key file (doc/SESSIONS.md: 64
 * bytes, or 128 hex digits), read now.  TLSPLUG_ERR_IO (missing,
 * unreadable, or readable by others; the message names the file),
 * TLSPLUG_ERR_INVALID (not a key file). */
TLSPLUG_API int tlsplug_config_builder_set_ticket_key_file(
	struct tlsplug_config_builder *b, const char *path);
/* Server: seconds a ticket is valid, which is also how often the ticket
 * keys rotate: 1 to 604800 (7 days).  Unset: the config file's
 * ticket_lifetime, else 7200. */
TLSPLUG_API int tlsplug_config_builder_set_ticket_lifetime(
	struct tlsplug_config_builder *b, uint32_t seconds);

/* ------------------------------------------------------------------------
 * Revocation and system policy
 *
 * Certificate revocation lists (CRLs) and OCSP stapling (RFC 6066 status
 * requests, RFC 6960 responses), the same on every backend that declares
 * the capability; and the system policy, a floor the system config file
 * sets for every application and every engine.
 * ------------------------------------------------------------------------ */

/* Certificate revocation lists: backend-neutral, immutable, refcounted
 * handles, as certificates are. */
struct tlsplug_crl;

/* Loads CRLs from a file: PEM (one or more "X509 CRL" blocks) or one DER
 * CRL.  The core checks at once that every CRL is a well-formed
 * CertificateList (tbsCertList, signature algorithm, signature); the
 * engine checks its signature when a context is created.
 * Errors: TLSPLUG_ERR_MISUSE (path or out NULL), TLSPLUG_ERR_IO (missing
 * or unreadable; the message names the file and says why),
 * TLSPLUG_ERR_INVALID (not a CRL: the message names the file, the block
 * and what is wrong), TLSPLUG_ERR_NOMEM.  On failure *out is NULL. */
TLSPLUG_API int tlsplug_crl_from_file(const char *path,
	struct tlsplug_crl **out, struct tlsplug_error **err);
/* The same from len bytes at data (copied). */
TLSPLUG_API int tlsplug_crl_from_buffer(const void *data, size_t len,
	struct tlsplug_crl **out, struct tlsplug_error **err);
/* Number of CRLs the handle holds (a PEM file may hold several). */
TLSPLUG_API size_t tlsplug_crl_count(const struct tlsplug_crl *crl);
TLSPLUG_API struct tlsplug_crl *tlsplug_crl_ref(struct tlsplug_crl *crl);
TLSPLUG_API void tlsplug_crl_unref(struct tlsplug_crl *crl);

/*
 * Adds CRLs to the trust settings (takes a reference).  Whenever the
 * engine validates a peer's chain (a client its server, a server the
 * client certificates it verifies), each certificate is checked against
 * the CRLs its issuer signed: a revoked leaf or intermediate fails with
 * TLSPLUG_ERR_CERT_REVOKED on every backend.  A certificate whose issuer
 * has no CRL here is not checked; a CRL past its nextUpdate, or whose
 * signature does not verify with the issuer's key, fails the certificates
 * of that issuer with TLSPLUG_ERR_CERT_INVALID.  CRLs apply with the
 * system trust store as well as an explicit one.  A backend without
 * TLSPLUG_CAP_CRL refuses the config (TLSPLUG_ERR_UNSUPPORTED, "CRL").
 * Errors: TLSPLUG_ERR_MISUSE, TLSPLUG_ERR_INVALID (crl NULL),
 * TLSPLUG_ERR_NOMEM.
 */
TLSPLUG_API int tlsplug_config_builder_add_crl(
	struct tlsplug_config_builder *b, struct tlsplug_crl *crl);
/* Removes every CRL. */
TLSPLUG_API int tlsplug_config_builder_clear_crls(
	struct tlsplug_config_builder *b);
/* Number of CRL handles in the config. */
TLSPLUG_API size_t tlsplug_config_crl_count(const struct tlsplug_config *c);

/* What a client does with the OCSP response a server staples. */
enum tlsplug_ocsp_mode {
	TLSPLUG_OCSP_OFF = 0,     /* ask for none, check none (default) */
	/* Ask for a staple; when one comes, check it: it must be a
	 * successful response for the server's certificate, signed by its
	 * issuer (or a responder the issuer delegated to), and current
	 * (thisUpdate not in the future, nextUpdate not past, 5 minutes of
	 * leeway).  "revoked" fails with TLSPLUG_ERR_CERT_REVOKED, a
	 * response that fails a check with TLSPLUG_ERR_CERT_INVALID naming
	 * the check.  No staple, or "unknown": the handshake goes on. */
	TLSPLUG_OCSP_CHECK = 1,
	/* As CHECK, and a good response is required (must-staple): no
	 * staple, or "unknown", fails with TLSPLUG_ERR_CERT_INVALID. */
	TLSPLUG_OCSP_REQUIRE = 2
};

/* Sets the client's OCSP mode.  A backend without TLSPLUG_CAP_OCSP_CHECK
 * refuses a client config with a mode other than OFF
 * (TLSPLUG_ERR_UNSUPPORTED, "OCSP check").  Servers ignore it.
 * Errors: TLSPLUG_ERR_MISUSE, TLSPLUG_ERR_INVALID (unknown mode). */
TLSPLUG_API int tlsplug_config_builder_set_ocsp_mode(
	struct tlsplug_config_builder *b, enum tlsplug_ocsp_mode mode);
TLSPLUG_API enum tlsplug_ocsp_mode tlsplug_config_ocsp_mode(
	const struct tlsplug_config *c);

/*
 * Server: the DER OCSP response (RFC 6960 OCSPResponse) to staple for the
 * first certificate chain, to every client that asks (copied; NULL, 0
 * removes it).  The core checks that it is a well-formed OCSPResponse;
 * whether it matches the certificate is the client's check.  A backend
 * without TLSPLUG_CAP_OCSP_STAPLE refuses a server config with a staple
 * (TLSPLUG_ERR_UNSUPPORTED, "OCSP stapling").
 * Errors: TLSPLUG_ERR_MISUSE, TLSPLUG_ERR_INVALID (not an OCSPResponse,
 * der NULL with len > 0), TLSPLUG_ERR_NOMEM.
 */
TLSPLUG_API int tlsplug_config_builder_set_ocsp_staple(
	struct tlsplug_config_builder *b, const void *der, size_t len);
/*
 * The same from a file, which is reloadable: the file is read now (errors
 * name it: TLSPLUG_ERR_IO, TLSPLUG_ERR_INVALID), and every context made
 * from the config looks at it again before a handshake that staples (at
 * most once a second): a file replaced since (a new response from the
 * responder) is read and stapled from then on, without a new config or
 * context.  A replacement that cannot be read or is not an OCSPResponse
 * is ignored and the last good response stays.  path NULL removes it.
 */
TLSPLUG_API int tlsplug_config_builder_set_ocsp_staple_file(
	struct tlsplug_config_builder *b, const char *path);

/* What the server's stapled OCSP response said, as the client checked it
 * during the handshake. */
enum tlsplug_ocsp_status {
	TLSPLUG_OCSP_STATUS_NONE = 0,     /* no staple (or none checked) */
	TLSPLUG_OCSP_STATUS_GOOD = 1,
	TLSPLUG_OCSP_STATUS_REVOKED = 2,
	TLSPLUG_OCSP_STATUS_UNKNOWN = 3   /* the responder does not know */
};
/* The client connection's OCSP status (NONE for a server, before the
 * handshake, with the mode OFF, or on a backend without
 * TLSPLUG_CAP_OCSP_CHECK). */
TLSPLUG_API enum tlsplug_ocsp_status tlsplug_conn_ocsp_status(
	const struct tlsplug_conn *conn);
/* "none", "good", "revoked", "unknown" (as status lines show it); NULL
 * for a value out of range. */
TLSPLUG_API const char *tlsplug_ocsp_status_name(enum tlsplug_ocsp_status s);

/*
 * The system policy: the [policy] section of the system config file
 * (tlsplug.conf(5)), honoured only there, never in the user's file or one
 * TLSPLUG_CONF names.  It is a floor for every application and every
 * engine: tlsplug_context_new() refuses (TLSPLUG_ERR_POLICY, the message
 * naming the policy file and line) a config that goes below it, and
 * settings left at their defaults are raised to it.  One policy belongs to
 * each registry (the one whose backend makes the context).
 */
struct tlsplug_policy;

/* The registry's policy, or NULL when the system file sets none.  Owned by
 * the registry. */
TLSPLUG_API const struct tlsplug_policy *tlsplug_registry_policy(
	const struct tlsplug_registry *r);
/* The file the policy comes from. */
TLSPLUG_API const char *tlsplug_policy_file(const struct tlsplug_policy *p);
/* Lowest TLS version allowed (TLSPLUG_VERSION_NONE: not set); *line (may
 * be NULL) gets its line in the file (0 when not set). */
TLSPLUG_API enum tlsplug_version tlsplug_policy_min_version(
	const struct tlsplug_policy *p, unsigned *line);
/* Cipher suites allowed (IANA ids; 0: not restricted). */
TLSPLUG_API size_t tlsplug_policy_ciphers(const struct tlsplug_policy *p,
	const uint16_t **ids, unsigned *line);
/* Key exchange groups allowed (names such as "x25519", "secp256r1",
 * "ffdhe2048", lower case; 0: not restricted).  Every context is held to
 * them: groups its config sets (set_groups(), or the configuration
 * files' `groups`) outside the list are refused with TLSPLUG_ERR_POLICY;
 * with none set, the context uses the policy's groups that its engine
 * has, in the policy's order (none of them, or a backend without
 * TLSPLUG_CAP_GROUPS: TLSPLUG_ERR_POLICY). */
TLSPLUG_API size_t tlsplug_policy_groups(const struct tlsplug_policy *p,
	const char *const **names, unsigned *line);
/* Smallest RSA key and finite-field DH group allowed, in bits (0: not
 * set).  RSA applies to every certificate of a peer's chain and to the
 * context's own chains; DH to the groups the engine negotiates. */
TLSPLUG_API unsigned tlsplug_policy_min_rsa_bits(
	const struct tlsplug_policy *p, unsigned *line);
TLSPLUG_API unsigned tlsplug_policy_min_dh_bits(
	const struct tlsplug_policy *p, unsigned *line);
/*
 * Checks a list of key exchange groups (names as above, in any case)
 * against the policy: TLSPLUG_OK when every one is allowed (or the policy
 * does not restrict groups, or p is NULL), else TLSPLUG_ERR_POLICY naming
 * the first group that is not, and the policy's file and line, in *err
 * (if not NULL).  n == 0 is always allowed: the context then uses the
 * policy's groups.  tlsplug_context_new() makes the same check.
 */
TLSPLUG_API int tlsplug_policy_check_groups(const struct tlsplug_policy *p,
	const char *const *groups, size_t n, struct tlsplug_error **err);

/* Sockets (PEP 543 TLSWrappedSocket). */
#include <tlsplug/socket.h>

#ifdef __cplusplus
}
#endif

#endif /* TLSPLUG_TLSPLUG_H */
