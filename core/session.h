/*
 * session.h -- session resumption inside the core (core-internal):
 * the session object and its serialised form (session.c), the client
 * context's cache (session_cache.c), ticket keys (ticket_key.c) and the
 * session settings of configs and config files (session_config.c).
 *
 * The serialised form is documented in doc/SESSIONS.md; keep them in step.
 */
#ifndef TLSPLUG_CORE_SESSION_H
#define TLSPLUG_CORE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* The envelope: magic, then the format version this library writes. */
#define TLSPLUG__SESSION_MAGIC "TLSPSESS"
#define TLSPLUG__SESSION_MAGIC_LEN 8
#define TLSPLUG__SESSION_FORMAT 1
/* Largest engine data accepted (OpenSSL and GnuTLS sessions are a few KiB
 * with the peer's chain). */
#define TLSPLUG__SESSION_DATA_MAX (256u * 1024u)
/* Longest server name kept (a DNS name is at most 253 bytes). */
#define TLSPLUG__SESSION_NAME_MAX 255
/* Sessions kept per cache key (TLS 1.3 servers send several tickets). */
#define TLSPLUG__SESSION_PER_KEY 4
/* Longest ticket lifetime accepted: 7 days (RFC 8446, 4.6.1). */
#define TLSPLUG__TICKET_LIFETIME_MAX 604800u
#define TLSPLUG__TICKET_LIFETIME_DEFAULT 7200u

struct tlsplug_session {
	_Atomic size_t refs;
	char backend[TLSPLUG_BACKEND_NAME_MAX];  /* NUL-terminated */
	bool single_use;           /* a TLS 1.3 ticket */
	uint8_t version;           /* enum tlsplug_version */
	uint64_t created;          /* Unix seconds */
	uint32_t lifetime;         /* seconds, 0: unknown */
	uint64_t config_hash;      /* tlsplug_config_hash of the client's */
	char *server_name;         /* NULL: none */
	unsigned char *data;       /* the engine's own bytes */
	size_t len;
};

/* CRC-32 (IEEE 802.3, as zlib's crc32) of len bytes: the serialised
 * form's check against accidental corruption. */
uint32_t tlsplug__crc32(const void *data, size_t len);

/* A new session with refs 1 holding copies of name and data.  NULL when
 * out of memory. */
struct tlsplug_session *tlsplug__session_new(const char *backend,
	const char *server_name, const unsigned char *data, size_t len,
	uint32_t lifetime, bool single_use, uint8_t version,
	uint64_t config_hash, uint64_t created);
/* 1 when s has a known lifetime that has run out at `now`. */
bool tlsplug__session_expired(const struct tlsplug_session *s, uint64_t now);
/* Unix seconds now. */
uint64_t tlsplug__now(void);

/* ---- connections (session.c, with accessors from conn.c) ------------ */

/* What a connection keeps for resumption, embedded in it. */
struct tlsplug__conn_sess {
	struct tlsplug_session *latest;   /* the last one the engine made */
	char *peer;          /* peer address for the cache key, or NULL */
	bool explicit_set;   /* tlsplug_conn_set_session() was called */
	bool started;        /* the handshake was started */
	uint8_t version;     /* negotiated, once the handshake is done */
	/* What core->session_ready said of the latest session: the engine
	 * gives its bytes again on demand (conn_ops.get_session), so only a
	 * plugin without that member has them kept in `latest`. */
	bool have;           /* session_ready was called */
	bool pending;        /* ... inside the handshake */
	bool single_use;
	uint32_t lifetime;
	uint64_t created;
};

/* conn.c: the parts of a connection session.c needs. */
struct tlsplug__conn_parts {
	struct tlsplug_context *ctx;
	const struct tlsplug_backend_descriptor *desc;
	void *priv;
	const char *hostname;
	bool handshake_done;
	struct tlsplug__conn_sess *sess;
};
void tlsplug__conn_parts(struct tlsplug_conn *conn,
                         struct tlsplug__conn_parts *out);
/* Makes e the connection's last error (not sticky); returns e->code. */
int tlsplug__conn_note_error(struct tlsplug_conn *conn,
                             const struct tlsplug_error *e);

/* conn.c calls these: once before the first handshake step (offers a
 * cached session on a client; never fails the handshake), and on free. */
void tlsplug__session_before_handshake(struct tlsplug_conn *conn);
void tlsplug__conn_sess_fini(struct tlsplug__conn_sess *s);
/* conn.c calls this when the handshake completes: a session the engine
 * made during it gets its version and enters the cache. */
void tlsplug__session_handshake_done(struct tlsplug_conn *conn);

/* Sockets: the peer address of connected socket fd ("addr port") becomes
 * part of conn's cache key.  Nothing happens when it cannot be read. */
void tlsplug__session_peer_from_fd(struct tlsplug_conn *conn, int fd);

/* core->session_ready. */
int tlsplug__session_ready(struct tlsplug_conn *conn,
                           const unsigned char *data, size_t len,
                           uint32_t lifetime, int single_use);

/* ---- the client cache (session_cache.c) ----------------------------- */

struct tlsplug__sess_cache;

/* A cache of at most max_keys keys (server name and peer address), each
 * with at most TLSPLUG__SESSION_PER_KEY sessions.  NULL when out of
 * memory. */
struct tlsplug__sess_cache *tlsplug__sess_cache_new(size_t max_keys);
void tlsplug__sess_cache_free(struct tlsplug__sess_cache *c);
/* Adds s (takes a new reference) under key; evicts the least recently
 * used key when full and the oldest session of a full key.  Returns
 * TLSPLUG_OK or TLSPLUG_ERR_NOMEM. */
int tlsplug__sess_cache_put(struct tlsplug__sess_cache *c, const char *key,
                            struct tlsplug_session *s);
/* The newest unexpired session under key (a new reference), or NULL.  A
 * single-use session leaves the cache; expired ones are dropped. */
struct tlsplug_session *tlsplug__sess_cache_take(
	struct tlsplug__sess_cache *c, const char *key, uint64_t now);
/* Number of sessions held (for tests). */
size_t tlsplug__sess_cache_count(struct tlsplug__sess_cache *c);
/* The cache key of a server name and peer address (either may be NULL):
 * a new string, or NULL when out of memory or without a server name
 * (nothing is cached then). */
char *tlsplug__sess_cache_key(const char *server_name, const char *peer);

/* ---- ticket keys (ticket_key.c) ------------------------------------- */

/* Parses a ticket key file's contents (doc/SESSIONS.md): exactly
 * TLSPLUG_TICKET_KEY_SIZE bytes, or that many bytes as hex digits with an
 * optional final newline.  Fills key; returns NULL, or why not (static
 * text). */
const char *tlsplug__ticket_key_parse(const unsigned char *data, size_t len,
                                      unsigned char *key);
/* Reads the key file at path into key, refusing a file others may read
 * or write.  Returns TLSPLUG_OK, else records the error (naming the file,
 * prefixed by `where` when not NULL) into e: TLSPLUG_ERR_IO,
 * TLSPLUG_ERR_INVALID. */
int tlsplug__ticket_key_read(const char *path, const char *where,
                             unsigned char *key, struct tlsplug_error *e);

/* ---- settings (session_config.c) ------------------------------------ */

/* The session settings of a builder or config; -1 / NULL: not set (the
 * config file or the built-in default decides at context creation). */
struct tlsplug__sess_settings {
	long cache;              /* client cache keys, 0 off, -1 unset */
	int tickets;             /* server: 0/1, -1 unset */
	long lifetime;           /* seconds, -1 unset */
	unsigned char *key;      /* TLSPLUG_TICKET_KEY_SIZE bytes, or NULL */
};
#define TLSPLUG__SESS_SETTINGS_DEFAULT \
	{ .cache = -1, .tickets = -1, .lifetime = -1, .key = NULL }

int tlsplug__sess_settings_copy(struct tlsplug__sess_settings *dst,
                                const struct tlsplug__sess_settings *src);
void tlsplug__sess_settings_free(struct tlsplug__sess_settings *s);
bool tlsplug__sess_settings_equal(const struct tlsplug__sess_settings *a,
                                  const struct tlsplug__sess_settings *b);
/* The settings' contribution to the config hash (FNV-1a step). */
uint64_t tlsplug__sess_settings_hash(uint64_t h,
                                     const struct tlsplug__sess_settings *s);
/* Fills the session members of a backend view from s (built-in defaults
 * where unset). */
void tlsplug__sess_settings_view(const struct tlsplug__sess_settings *s,
                                 struct tlsplug_bconfig *v);

/* config.c: the settings inside a builder (NULL if b is NULL; *e its
 * error record) and inside a config. */
struct tlsplug__sess_settings *tlsplug__builder_sess(
	struct tlsplug_config_builder *b, struct tlsplug_error **e);
const struct tlsplug__sess_settings *tlsplug__config_sess(
	const struct tlsplug_config *c);

/* What a context keeps for sessions. */
struct tlsplug__ctx_sess {
	struct tlsplug__sess_cache *cache;   /* client, or NULL */
	unsigned char *key;                  /* from a key file, or NULL */
};

/*
 * At context creation: decides the effective session settings of `config`
 * (explicit settings, then the registry's config files, then the built-in
 * defaults) into bcfg's session members, checks them against the
 * backend's capabilities, and makes the client's cache.  Errors (recorded
 * in e): TLSPLUG_ERR_UNSUPPORTED (a ticket key on a backend without
 * sessions), TLSPLUG_ERR_CONFIG_FILE (a key file named in a config file
 * that cannot be used: FILE:LINE), TLSPLUG_ERR_NOMEM.
 */
int tlsplug__ctx_sess_setup(const struct tlsplug_backend *b,
                            enum tlsplug_role role,
                            const struct tlsplug_config *config,
                            struct tlsplug_bconfig *bcfg,
                            struct tlsplug__ctx_sess *out,
                            struct tlsplug_error *e);
void tlsplug__ctx_sess_fini(struct tlsplug__ctx_sess *s);
/* context.c: the context's session state. */
struct tlsplug__ctx_sess *tlsplug__context_sess(
	const struct tlsplug_context *ctx);

#endif /* TLSPLUG_CORE_SESSION_H */
