/*
 * internal.h -- declarations shared by the core's source files only.
 * Nothing here is exported from libtlsplug (hidden visibility); names use
 * the tlsplug__ prefix.
 */
#ifndef TLSPLUG_CORE_INTERNAL_H
#define TLSPLUG_CORE_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <tlsplug/backend.h>
#include <tlsplug/tlsplug.h>

#define TLSPLUG_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- error records (error.c) ---------------------------------------- */

#define TLSPLUG_ERROR_MESSAGE_MAX 384
#define TLSPLUG_BACKEND_NAME_MAX 64

struct tlsplug_error {
	int code;                 /* TLSPLUG_OK when empty */
	long native_code;
	int alert;                /* -1 unless ALERT_RECEIVED */
	/* Name of the backend owning the object this record lives on, set by
	 * the core when the object is created; core->set_error copies it into
	 * `backend` and prefixes the message with it.  NULL for core objects. */
	const char *owner;
	char backend[TLSPLUG_BACKEND_NAME_MAX];   /* "" when the core reported */
	char message[TLSPLUG_ERROR_MESSAGE_MAX];
};

/* Reported when an error happened but there was no memory to record it
 * (objects allocate their error record on their first error). */
extern const struct tlsplug_error tlsplug__nomem_record;
/* Resets e to "no error" (keeps owner). */
void tlsplug__error_clear(struct tlsplug_error *e);
/* Records a core error; returns code. */
int tlsplug__error_set(struct tlsplug_error *e, int code, const char *fmt, ...)
	TLSPLUG_PRINTF(3, 4);
int tlsplug__error_setv(struct tlsplug_error *e, int code, const char *fmt,
                        va_list ap) TLSPLUG_PRINTF(3, 0);
/* Records an error reported on behalf of backend `backend` (message gets
 * "backend: " in front). */
int tlsplug__error_set_backend(struct tlsplug_error *e, const char *backend,
                               int code, long native, const char *fmt,
                               va_list ap) TLSPLUG_PRINTF(5, 0);
/* Records an error in a plugin call's record on behalf of the backend that
 * owns it (e->owner), as core->set_error does. */
int tlsplug__error_set_owner(struct tlsplug_error *e, int code, long native,
                             const char *fmt, ...) TLSPLUG_PRINTF(4, 5);
/* Copies e into a new heap record for an `err` out-parameter (if errp is
 * not NULL).  Returns e->code. */
int tlsplug__error_export(const struct tlsplug_error *e,
                          struct tlsplug_error **errp);
/* Shortcut: builds a core error straight into *errp (if not NULL). */
int tlsplug__error_out(struct tlsplug_error **errp, int code,
                       const char *fmt, ...) TLSPLUG_PRINTF(3, 4);

/* ---- allocation (alloc.c) ------------------------------------------- */

/* The core's allocator.  Tests may make it fail (fault injection). */
void *tlsplug__malloc(size_t n);
void *tlsplug__calloc(size_t n, size_t size);
void *tlsplug__realloc(void *p, size_t n);
void tlsplug__free(void *p);
char *tlsplug__strdup(const char *s);
/* Test hook: make the nth allocation from now fail (0: never). */
void tlsplug__alloc_fail_at(unsigned long nth);
/* Test hook: allocation attempts made so far through the functions above. */
unsigned long tlsplug__alloc_count(void);

/* ---- files (readfile.c) ---------------------------------------------- */

/* Reads the whole file at path (at most max bytes) into a new buffer with a
 * NUL after the data (not counted in *len); the caller frees it with
 * tlsplug__free.  Returns 0, or an errno value: the open/read error,
 * EISDIR for a directory, EFBIG when larger than max, ENOMEM. */
int tlsplug__read_file(const char *path, size_t max, unsigned char **data,
                       size_t *len);

/* ---- the core services table handed to plugins (services.c) --------- */

const struct tlsplug_core *tlsplug__core_services(void);

/* ---- backend records (registry.c / loader.c) ------------------------ */

struct tlsplug_backend {
	char *name;                /* from the file name, then the descriptor */
	char *path;
	enum tlsplug_backend_state state;
	char *reject_reason;
	void *dl_handle;
	const struct tlsplug_backend_descriptor *d;   /* when state == OK */
	/* registry.c may add fields below; context.c / conn.c use only name
	 * and d. */
	struct tlsplug_registry *registry;
	char *file_name;           /* NAME of tlsplug-NAME.so, or NULL */
	size_t index;              /* discovery order */
	/* The descriptor's version as read (0.0 when it could not be), also
	 * for rejected plugins. */
	unsigned abi_major, abi_minor;
	bool inited;               /* holds a reference on the plugin's init */
	bool loading;              /* being loaded (guards recursion) */
	/* d points here: the plugin's descriptor copied up to its
	 * struct_size (at most what the host knows), the rest zeroed, so the
	 * host never reads past struct_size. */
	struct tlsplug_backend_descriptor desc;
	/* ... and desc's group pointers here: each entry-point group copied
	 * up to the size of the minor the plugin declared, the rest zeroed,
	 * so the host never reads a member the plugin does not have. */
	struct tlsplug_context_ops client_ops;
	struct tlsplug_context_ops server_ops;
	struct tlsplug_conn_ops conn_ops;
	struct tlsplug_info_ops info_ops;
};

/* ---- config view (config.c) ----------------------------------------- */

/* The backend view of a config, built once when the config is built. */
const struct tlsplug_bconfig *tlsplug__config_bview(
	const struct tlsplug_config *c);
/* The SNI callback of a config (NULL if none). */
tlsplug_sni_cb tlsplug__config_sni_cb(const struct tlsplug_config *c,
                                      void **user_data);
/* 1 if the config's trust store was set explicitly. */
int tlsplug__config_trust_explicit(const struct tlsplug_config *c);
/* The chain for a client's server name: the index of the first chain whose
 * leaf's subjectAltName matches name (RFC 9525), else 0 (also for a NULL
 * name or a config without chains). */
size_t tlsplug__config_pick_chain(const struct tlsplug_config *c,
                                  const char *name);

/* The config's settings that context creation checks against the backend's
 * capabilities (besides what the backend view says). */
/* 1 if any chain's key is encrypted or comes with a password/callback. */
int tlsplug__config_needs_key_password(const struct tlsplug_config *c);
/* 1 if set_min_version() was called on the config's builder. */
int tlsplug__config_min_version_set(const struct tlsplug_config *c);

/* Note on verify_peer: the view a config carries follows the server rule
 * (validate && explicit trust store); context.c makes a client copy with
 * verify_peer = validate. */

/* ---- certificate / key / trust handles (handles.c) ------------------ */

/* Fill the backend view of a handle (pointers into the handle, valid while
 * it lives). */
void tlsplug__certificate_blob(const struct tlsplug_certificate *c,
                               struct tlsplug_blob *out);
void tlsplug__private_key_bkey(const struct tlsplug_private_key *k,
                               struct tlsplug_bkey *out);
void tlsplug__trust_store_btrust(const struct tlsplug_trust_store *t,
                                 struct tlsplug_btrust *out);
/* 1 if the key's framing says it is encrypted (ENCRYPTED PRIVATE KEY,
 * Proc-Type 4,ENCRYPTED, or DER EncryptedPrivateKeyInfo). */
int tlsplug__private_key_encrypted(const struct tlsplug_private_key *k);
/* 1 for the shared system trust store handle. */
int tlsplug__trust_store_is_system(const struct tlsplug_trust_store *t);

/* ---- contexts and connections (context.c, conn.c) ------------------- */

/* core->sni_select (ABI 1.0): runs the context's SNI callback for conn. */
int tlsplug__context_sni_select(struct tlsplug_conn *conn,
                                const char *server_name,
                                const struct tlsplug_bconfig **cfg,
                                void ***slot, struct tlsplug_error *err);
/* core->select_server (ABI 1.1): config, plugin context and chain for a
 * server connection (backend.h says how). */
int tlsplug__context_select_server(struct tlsplug_conn *conn,
                                   const char *server_name,
                                   const struct tlsplug_bconfig **cfg,
                                   void **ctx_priv, size_t *chain,
                                   struct tlsplug_error *err);
/* The context's private state and backend view (for conn.c). */
void *tlsplug__context_priv(const struct tlsplug_context *ctx);
const char *tlsplug__context_backend_name(const struct tlsplug_context *ctx);
size_t tlsplug__context_conn_priv_size(const struct tlsplug_context *ctx);
/* The backend view the context's plugin got (verify_peer set for its
 * role). */
const struct tlsplug_bconfig *tlsplug__context_bconfig(
	const struct tlsplug_context *ctx);
/* The system policy the context was made under (NULL: none). */
const struct tlsplug_policy *tlsplug__context_policy(
	const struct tlsplug_context *ctx);

/* What the SNI selection decided for one connection (sni_select fills
 * cfg and slot, select_server cfg, ctx_priv and chain). */
struct tlsplug__sni_choice {
	const struct tlsplug_bconfig *cfg;
	/* The config cfg is the view of (held by the context). */
	const struct tlsplug_config *config;
	void **slot;
	void *ctx_priv;
	size_t chain;
};
/* The connection's remembered SNI selection: 1 and the earlier answer if
 * the callback already ran for this name on conn, else 0. */
int tlsplug__conn_sni_cached(const struct tlsplug_conn *conn,
                             const char *name,
                             struct tlsplug__sni_choice *choice);
void tlsplug__conn_sni_remember(struct tlsplug_conn *conn, const char *name,
                                const struct tlsplug__sni_choice *choice);

/* Certificate `index` of the peer's chain (0: the leaf) as DER, through
 * the plugin's conn_ops.peer_cert (ABI 1.1).  *der points into buf when it
 * fits in size bytes, else into a new allocation also stored in *heap,
 * which the caller frees (tlsplug__free; NULL-safe).  Returns the length,
 * 0 when there is no such certificate, -1 when the plugin cannot say (ABI
 * 1.0, out of memory). */
ssize_t tlsplug__conn_peer_cert(const struct tlsplug_conn *conn,
                                size_t index, unsigned char *buf,
                                size_t size, unsigned char **der,
                                unsigned char **heap);
/* Certificate `index` of the peer's chain as sent (verified 0) or as the
 * engine verified it (verified 1), straight from the plugin: the length
 * (the DER copied into buf when it fits in size), 0 past the end, -1 when
 * the plugin cannot say, -2 when the plugin has no such entry point (ABI
 * 1.0, or no TLSPLUG_CAP_VERIFIED_CHAIN). */
ssize_t tlsplug__conn_cert_raw(const struct tlsplug_conn *conn, int verified,
                               size_t index, unsigned char *buf,
                               size_t size);
/* Where conn keeps its struct tlsplug__peer (peer.c). */
struct tlsplug__peer;
struct tlsplug__peer **tlsplug__conn_peer_slot(struct tlsplug_conn *conn);
/* 1 once conn's handshake is done. */
int tlsplug__conn_handshake_done(const struct tlsplug_conn *conn);
/* The config serving conn: on a server, the one the SNI selection chose
 * once it ran, else the context's. */
const struct tlsplug_config *tlsplug__conn_config(
	const struct tlsplug_conn *conn);
/* The host name a client connection checks (NULL: none, or a server). */
const char *tlsplug__conn_hostname(const struct tlsplug_conn *conn);
/* core->check_peer: the core's checks on the peer's identity (identity.c,
 * backend.h says which). */
int tlsplug__conn_check_peer(struct tlsplug_conn *conn, int verdict,
                             struct tlsplug_error *err);

/* core->pull / core->push on a connection's ciphertext buffers. */
ssize_t tlsplug__conn_pull(struct tlsplug_conn *conn, void *buf, size_t len);
ssize_t tlsplug__conn_push(struct tlsplug_conn *conn, const void *buf,
                           size_t len);

/* For the socket wrapper: what tlsplug_conn_receive_from_network() does,
 * without the copy.  reserve points *space at free room for at least min
 * incoming bytes (*avail: all there is); it returns TLSPLUG_OK, or the
 * sticky error, MISUSE after EOF, NOMEM (recorded on conn).  commit then
 * queues the first n bytes written there.  Allocates only while the
 * incoming buffer is smaller than it has been asked for. */
int tlsplug__conn_in_reserve(struct tlsplug_conn *conn, size_t min,
                             void **space, size_t *avail);
void tlsplug__conn_in_commit(struct tlsplug_conn *conn, size_t n);
/* The descriptor had nothing for an idle connection (one whose buffers
 * release_idle() gave back during this read): gives back the room
 * tlsplug__conn_in_reserve() took for it, which would otherwise stay
 * allocated while the connection sits idle. */
void tlsplug__conn_in_unreserve_idle(struct tlsplug_conn *conn);
/* The incoming bytes not yet taken by the engine: *data points at them
 * (valid until the next call that changes the buffer); returns their
 * count. */
size_t tlsplug__conn_in_peek(const struct tlsplug_conn *conn,
                             const void **data);

/* For the socket wrapper: an outgoing sink.  While one is set, core->push
 * first offers the sink what is queued (queued, qlen: maybe 0) followed by
 * the engine's bytes (buf, len), to be written in that order -- in one
 * call, or not at all, as the sink chooses (waiting only where the socket
 * would wait anyway); it returns how many bytes it took from the two
 * together (0 if none).  What it did not take stays or gets queued.
 * NULL removes it. */
typedef size_t (*tlsplug__conn_sink_fn)(void *arg, const void *queued,
                                        size_t qlen, const void *buf,
                                        size_t len);
void tlsplug__conn_set_sink(struct tlsplug_conn *conn,
                            tlsplug__conn_sink_fn sink, void *arg);

/* For the socket wrapper: an incoming source.  While one is set and nothing
 * is queued (and no EOF was seen), core->pull asks source(arg, buf, len)
 * for the bytes, which it reads straight into the engine's buffer: it
 * returns how many (> 0), 0 at EOF (after tlsplug_conn_receive_eof()), or
 * -1 for "would block" -- the engine then answers WANT_READ as usual.
 * NULL removes it. */
typedef ssize_t (*tlsplug__conn_source_fn)(void *arg, void *buf,
                                           size_t len);
void tlsplug__conn_set_source(struct tlsplug_conn *conn,
                              tlsplug__conn_source_fn source, void *arg);

/* ---- host names in Unicode (idna.c) ---------------------------------- */

/* A host name with bytes outside ASCII (UTF-8) in its A-label form
 * (IDNA2008, UTS #46 mapping): TLSPLUG_OK and *out a new string (free with
 * tlsplug__free), or *out NULL when host is ASCII already (used as it is);
 * TLSPLUG_ERR_INVALID with *why (static text) when it is not a valid
 * internationalized name; TLSPLUG_ERR_NOMEM. */
int tlsplug__idna_to_ascii(const char *host, char **out, const char **why);

/* ---- code points (cipher.c) ------------------------------------------ */

/* A raw 16-bit code point written "0x" and 1 to 4 hex digits: 1 and *id
 * set; 0 when name does not start with "0x"; -1 when the digits are
 * bad. */
int tlsplug__parse_hex16(const char *name, uint16_t *id);

/* ---- key logging, exporters, groups (keylog.c, exporter.c, groups.c) - */

/* The config's key log callback (NULL: none). */
tlsplug_keylog_cb tlsplug__config_keylog_cb(const struct tlsplug_config *c,
                                            void **user_data);

/* Where a context's key log lines go: the config's callback and file,
 * SSLKEYLOGFILE. */
struct tlsplug__keylog;
/* 1 when a context created from config on a backend with (has_cap 1) or
 * without TLSPLUG_CAP_KEYLOG has somewhere to log keys to (bconfig.keylog);
 * reads SSLKEYLOGFILE. */
int tlsplug__keylog_wanted(const struct tlsplug_config *config, int has_cap);
/* Opens the destinations for a context created from config on a backend
 * with (has_cap 1) or without TLSPLUG_CAP_KEYLOG: *out NULL when there are
 * none (or no memory: key logging is a debugging aid and never fails a
 * context).  A file that cannot be opened is skipped and described in
 * *warn (TLSPLUG_ERR_IO, the first such failure). */
void tlsplug__keylog_open(const struct tlsplug_config *config, int has_cap,
                          struct tlsplug__keylog **out,
                          struct tlsplug_error *warn);
void tlsplug__keylog_close(struct tlsplug__keylog *k);
/* The context's destinations (NULL: key logging off). */
struct tlsplug__keylog *tlsplug__context_keylog(
	const struct tlsplug_context *ctx);
/* core->keylog: formats and delivers one line for conn. */
void tlsplug__keylog_secret(struct tlsplug_conn *conn, const char *label,
                            const unsigned char *client_random,
                            size_t random_len, const unsigned char *secret,
                            size_t secret_len);

/* Refuses (TLSPLUG_ERR_UNSUPPORTED, naming the setting, the first entry
 * and the backend) groups, signature algorithms or key logging in view v
 * (and the config's key log settings) that backend b cannot honour. */
int tlsplug__check_key_settings(const struct tlsplug_backend *b,
                                const struct tlsplug_config *config,
                                const struct tlsplug_bconfig *v,
                                struct tlsplug_error *e);

/* Default groups and signature algorithms from the configuration files
 * (tlsplug.conf `groups`, `sigalgs`), for a context whose config sets
 * none: code points the backend has, in the file's order. */
struct tlsplug__key_defaults {
	uint16_t *groups;            /* NULL: none */
	size_t ngroups;
	uint16_t *sigalgs;
	size_t nsigalgs;
};
/* Fills *d for a context on backend b (from b's registry's files) whose
 * config view is v; entries the backend lacks are skipped.  Errors:
 * TLSPLUG_ERR_UNSUPPORTED (a list of which the backend has nothing; the
 * message names the file and line), TLSPLUG_ERR_NOMEM. */
int tlsplug__key_defaults_load(const struct tlsplug_backend *b,
                               const struct tlsplug_bconfig *v,
                               struct tlsplug__key_defaults *d,
                               struct tlsplug_error *e);
/* Points v's empty groups / sigalgs at d's. */
void tlsplug__key_defaults_apply(const struct tlsplug__key_defaults *d,
                                 struct tlsplug_bconfig *v);
void tlsplug__key_defaults_free(struct tlsplug__key_defaults *d);

/* For the core's features built on the plugin's connection entry points:
 * the plugin's state and descriptor, NULL until the handshake is done. */
void *tlsplug__conn_done_priv(const struct tlsplug_conn *conn,
                              const struct tlsplug_backend_descriptor **d);
/* Makes e conn's last error without ending the connection; returns
 * e->code.  rec_init-style: a clean record owned by conn's backend. */
int tlsplug__conn_keep_error(struct tlsplug_conn *conn,
                             const struct tlsplug_error *e);
void tlsplug__conn_error_init(const struct tlsplug_conn *conn,
                              struct tlsplug_error *e);

/* ---- hostname matching (hostname.c) --------------------------------- */

int tlsplug__match_hostname(const char *host, const struct tlsplug_san *sans,
                            size_t nsans);

/* ALPN (alpn.c).  core->alpn_select: the server's choice from the client's
 * offer by cfg's list and rule (backend.h says what it returns). */
int tlsplug__alpn_select(const struct tlsplug_bconfig *cfg,
                         const unsigned char *offer, size_t offer_len,
                         const unsigned char **out, size_t *out_len,
                         struct tlsplug_error *err);
/* Resolves v->alpn_mismatch when it is AUTO: the configuration files'
 * `alpn_mismatch` (r's; r may be NULL), else ALERT. */
struct tlsplug_registry;
void tlsplug__alpn_mismatch_resolve(const struct tlsplug_registry *r,
                                    struct tlsplug_bconfig *v);

#endif /* TLSPLUG_CORE_INTERNAL_H */
