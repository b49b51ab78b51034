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
 * Versioning (as SQLite's sqlite3_vfs.iVersion):
 *   - the descriptor starts with abi_major, abi_minor and struct_size;
 *   - later minors only append members, behind "minor N" fences;
 *   - the host refuses a different major, refuses a struct_size smaller than
 *     the declared minor needs, accepts an older minor (never reading past
 *     struct_size), and ignores members it does not know;
 *   - the core services table is versioned the same way: a plugin reads a
 *     service member only if core->abi_minor says it is present.
 * tests/check_abi.c pins every member's offset: a layout change without a
 * version bump breaks the build.
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
#define TLSPLUG_BACKEND_ABI_MINOR 0
/* The exported symbol's name carries the ABI major. */
#define TLSPLUG_BACKEND_SYMBOL "tlsplug_backend_v1"
#define TLSPLUG_BACKEND_DESCRIPTOR tlsplug_backend_v1

/* Marks the descriptor for export from a plugin built with hidden
 * visibility. */
#define TLSPLUG_BACKEND_EXPORT __attribute__((visibility("default")))

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
	/* server: request, require and verify a client certificate (validate
	 * && explicit trust store).  client: always equal to validate. */
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
#define TLSPLUG_CORE_ABI_MINOR 0

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

	/* Server name indication, server side: call from the engine's
	 * client-hello hook when bconfig->has_sni_callback.  Runs the user's
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
};

/* ------------------------------------------------------------------------
 * Entry-point groups.  A NULL group means "not supported"; inside a group,
 * members marked "required" must be set (the host checks at load time).
 * ------------------------------------------------------------------------ */

struct tlsplug_context_ops {
	/* required: builds the engine context in ctx_priv from cfg for role.
	 * Parse certificates, keys and trust here; refuse a setting the engine
	 * cannot honour with TLSPLUG_ERR_UNSUPPORTED naming it.  On failure
	 * init releases whatever it made: fini is not called. */
	int (*init)(void *ctx_priv, enum tlsplug_role role,
	            const struct tlsplug_bconfig *cfg, struct tlsplug_error *err);
	/* required: releases what init made (not ctx_priv itself). */
	void (*fini)(void *ctx_priv);
	/* optional: releases what the plugin stored in an sni_select slot. */
	void (*release_slot)(void *ctx_priv, void *slot_value);
};

struct tlsplug_conn_ops {
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
	 * -1 when there is no peer certificate. */
	int (*peer_subject)(void *conn_priv, char *buf, size_t size);
	/* optional: the SNI name received (server) or sent (client). */
	const char *(*server_name)(void *conn_priv);
};

struct tlsplug_info_ops {
	/* optional: the cipher suites the engine offers, IANA ids in its
	 * default preference order; returns the total, fills at most max. */
	size_t (*cipher_suites)(uint16_t *ids, size_t max);
	/* optional: where the system trust store comes from. */
	const char *(*system_trust_source)(void);
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
	 (d)->struct_size >= offsetof(struct tlsplug_backend_descriptor, field) \
	                     + sizeof((d)->field) && \
	 (d)->field != NULL)

#ifdef __cplusplus
}
#endif

#endif /* TLSPLUG_BACKEND_H */
