/*
 * conformance.h -- the backend conformance suite and the interop matrix.
 *
 * The suite is a table of cases written against the public API only, so it
 * runs unchanged against any plugin: `tlsplug check-backend PATH.so` and the
 * Check runners (tests/check_conformance.c, tests/check_interop.c) all walk
 * the same tables.  A client and a server run in one process over the
 * buffer API, with a pump moving ciphertext between the two connections.
 *
 * Where engines differ, a case reads tlsplug_backend_caps(): a backend
 * lacking a capability must refuse the setting cleanly with
 * TLSPLUG_ERR_UNSUPPORTED, which the case then checks instead.
 *
 * The certificates come from tools/tlsplug-gen-test-certs (see the list of
 * files at its top), generated into a fresh directory for each run.
 */
#ifndef TLSPLUG_TOOLS_CONFORMANCE_H
#define TLSPLUG_TOOLS_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include <tlsplug/tlsplug.h>

/* What a case runs against. */
struct conf_env {
	const struct tlsplug_backend *client;  /* client side backend */
	const struct tlsplug_backend *server;  /* server side backend */
	/* Every backend under test (for cross-backend comparisons in the
	 * matrix); at least client and server. */
	const struct tlsplug_backend *const *all;
	size_t nall;
	const char *certdir;                   /* generated certificates */
};

/* A case returns 0 on success, or -1 with the reason in why. */
typedef int (*conf_run_fn)(const struct conf_env *env, char *why,
                           size_t whylen);

struct conf_case {
	const char *name;
	conf_run_fn run;
};

/* The conformance suite (client and server on the same backend). */
extern const struct conf_case conf_cases[];
extern const size_t conf_case_count;
/* The interop matrix (run for every client x server pair). */
extern const struct conf_case conf_interop_cases[];
extern const size_t conf_interop_case_count;

/* Runs the generator script (through /bin/sh) to fill dir.  Returns 0, or
 * -1 with the reason in why. */
int conf_certs_generate(const char *script, const char *dir, char *why,
                        size_t whylen);
/* Removes dir and everything under it.  Returns 0 or -1 (errno set). */
int conf_certs_remove(const char *dir);

/* ------------------------------------------------------------------------
 * Helpers for the cases (util.c, pump.c).
 * ------------------------------------------------------------------------ */

/* Formats why and returns -1, so `return conf_fail(...)`. */
int conf_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1 if backend b declares every bit of cap. */
int conf_has(const struct tlsplug_backend *b, uint64_t cap);

/* dir/name into buf (PATH_MAX bytes). */
void conf_path(const struct conf_env *env, const char *name, char *buf);
/* Reads a whole file into a malloc'd buffer. Returns 0 or -1. */
int conf_slurp(const struct conf_env *env, const char *name,
               unsigned char **data, size_t *len, char *why, size_t whylen);

/* One side's settings, described for conf_config(). */
struct conf_side {
	const char *chain;        /* certificate file in certdir, or NULL */
	const char *key;          /* its key file */
	const char *chain2;       /* a second chain (servers) or NULL */
	const char *key2;
	const char *chain3;       /* a third chain or NULL */
	const char *key3;
	const char *trust;        /* trust store file, NULL: system store */
	int no_validation;
	enum tlsplug_version min; /* 0: default */
	enum tlsplug_version max; /* 0: default */
	const uint16_t *ciphers;
	size_t nciphers;
	const char *const *alpn;
	size_t nalpn;
	tlsplug_sni_cb sni;
	void *sni_data;
	/* Identity (cases_identity.c): pins as files in certdir holding
	 * one sha256//BASE64 line each ("rsa.pin,ecdsa.pin"), pins as text,
	 * a verify callback, a server's client-certificate mode. */
	const char *pin_files;
	const char *pins;
	tlsplug_verify_cb verify;
	void *verify_data;
	enum tlsplug_client_cert_mode client_cert;
	/* server: the ALPN mismatch rule (0: AUTO, the default) */
	enum tlsplug_alpn_mismatch alpn_mismatch;
};

/* Builds a config from a side description. */
int conf_config(const struct conf_env *env, const struct conf_side *side,
                struct tlsplug_config **out, char *why, size_t whylen);
/* Applies side's identity settings (pins, verify callback, client
 * certificate mode) to b (cases_identity.c). */
int conf_config_identity(const struct conf_env *env,
                         struct tlsplug_config_builder *b,
                         const struct conf_side *side, char *why,
                         size_t whylen);
/* Loads a chain + key from certdir and adds it to b. */
int conf_add_chain(const struct conf_env *env,
                   struct tlsplug_config_builder *b, const char *chain,
                   const char *key, char *why, size_t whylen);

/* A client and a server connection, and how their handshake went. */
struct conf_pair {
	struct tlsplug_context *cctx, *sctx;
	struct tlsplug_conn *c, *s;
	int crc, src;             /* last handshake status of each side */
};

/* Makes both contexts and connections; `host` is the client's
 * server_hostname.  On failure returns the failing status (why says which
 * side) and leaves nothing allocated. */
int conf_pair_new(const struct conf_env *env, struct tlsplug_config *ccfg,
                  struct tlsplug_config *scfg, const char *host,
                  struct conf_pair *p, char *why, size_t whylen);
/* Same from side descriptions. */
int conf_pair_sides(const struct conf_env *env, const struct conf_side *cs,
                    const struct conf_side *ss, const char *host,
                    struct conf_pair *p, char *why, size_t whylen);
void conf_pair_free(struct conf_pair *p);

/* Moves up to chunk (0: all) pending ciphertext bytes from one connection to
 * the other.  Returns the number moved. */
size_t conf_move(struct tlsplug_conn *from, struct tlsplug_conn *to,
                 size_t chunk);
/* Drives both handshakes to their end, moving chunk bytes at a time
 * (0: everything).  Sets p->crc / p->src.  Returns 0 when both succeeded,
 * else -1 with a description in why. */
int conf_handshake(struct conf_pair *p, size_t chunk, char *why,
                   size_t whylen);
/* conf_handshake, then checks that both sides agree on the version, cipher
 * and ALPN, and that the version is `version` (0: any). */
int conf_connect(struct conf_pair *p, enum tlsplug_version version,
                 char *why, size_t whylen);
/* The checks of conf_connect on a pair whose handshake is done. */
int conf_check_negotiated(struct conf_pair *p, enum tlsplug_version version,
                          char *why, size_t whylen);
/* After a handshake in which the server failed: the client's error as seen
 * from the handshake or (TLS 1.3: the client may finish first) from a read.
 * Returns the negative status, or the last non-error status. */
int conf_client_outcome(struct conf_pair *p);

/* Sends len bytes from one side and reads them on the other, comparing
 * byte for byte.  chunk: ciphertext bytes moved per step (0: all);
 * readsize: plaintext buffer given to each read. */
int conf_transfer(struct conf_pair *p, int from_client,
                  const unsigned char *data, size_t len, size_t chunk,
                  size_t readsize, char *why, size_t whylen);
/* Fills buf with bytes from a deterministic generator seeded by seed. */
void conf_random(unsigned char *buf, size_t len, uint64_t seed);
/* Random payload of len bytes sent both ways and compared. */
int conf_exchange(struct conf_pair *p, size_t len, size_t chunk,
                  char *why, size_t whylen);

/* Checks an error record: category `code`, and for a backend error, the
 * message starting with "<backend>: " and tlsplug_error_backend() equal to
 * the backend's name (b NULL: not checked). */
int conf_check_error(const struct tlsplug_error *e, int code,
                     const struct tlsplug_backend *b, const char *what,
                     char *why, size_t whylen);

/* Creates a context and expects it to fail with `code`, checking the error
 * record as conf_check_error().  Returns 0 or -1. */
int conf_expect_context_error(const struct tlsplug_backend *b,
                              enum tlsplug_role role,
                              struct tlsplug_config *cfg, int code,
                              const char *what, char *why, size_t whylen);

/*
 * Capability gate.  When backend b (for role) declares cap, returns 1 and
 * the case goes on.  Otherwise checks that a context for role made from cfg
 * is refused with TLSPLUG_ERR_UNSUPPORTED, sets *result to 0 (refused
 * cleanly) or -1 (why filled), and returns 0.
 */
int conf_gate(const struct tlsplug_backend *b, enum tlsplug_role role,
              uint64_t cap, struct tlsplug_config *cfg, int *result,
              char *why, size_t whylen);

/*
 * A whole connection scenario: both sides' settings, the capabilities each
 * side needs (gated as conf_gate), and what must be seen.
 */
struct conf_scenario {
	struct conf_side c, s;
	const char *host;          /* client's server_hostname */
	uint64_t ccap, scap;       /* capabilities needed by client / server */
	enum tlsplug_version version; /* expected version, 0: any */
	const char *alpn;          /* expected ALPN protocol, NULL: none */
	const char *server_cn;     /* "CN=..." the client must see, or NULL */
	const char *client_cn;     /* "CN=..." the server must see, or NULL */
	int no_client_cert;        /* the server must see no client cert */
	size_t exchange;           /* random bytes sent each way after */
	size_t chunk;              /* ciphertext bytes moved per step, 0: all */
	/* conf_scenario_fail(): the alert the client must have received
	 * (0: any), checked when ccode is a category an alert gives
	 * (TLSPLUG_ERR_ALERT_RECEIVED, TLSPLUG_ERR_NO_SHARED_ALPN). */
	int client_alert;
};

/* Runs sc and expects success.  Returns 0 or -1. */
int conf_scenario_ok(const struct conf_env *env,
                     const struct conf_scenario *sc, char *why,
                     size_t whylen);

/* Any error (for conf_scenario_fail). */
#define CONF_ANY_ERROR 1000

/* Runs sc and expects failure: the client with ccode (as seen by the
 * handshake or, when the server fails after the client finished, by the
 * next read), the server with scode; either may be 0 (not checked) or
 * CONF_ANY_ERROR.  Backend error records must name their backend. */
int conf_scenario_fail(const struct conf_env *env,
                       const struct conf_scenario *sc, int ccode, int scode,
                       char *why, size_t whylen);

/* Builds the configs of sc and applies its capability gates.  Returns 1 to
 * go on (configs in *ccfg, *scfg), 0 when a gate or an error decided
 * (*result set; nothing to free). */
int conf_scenario_prepare(const struct conf_env *env,
                          const struct conf_scenario *sc,
                          struct tlsplug_config **ccfg,
                          struct tlsplug_config **scfg, int *result,
                          char *why, size_t whylen);

/* An SNI callback that records what it was given: returns `alt` for
 * alt_name, NULL (refusal) for refuse_name, else the original config. */
struct conf_sni {
	struct tlsplug_config *alt;
	const char *alt_name;
	const char *refuse_name;
	int calls;
	int got_null;              /* called with no name */
	char seen[256];            /* last name given */
};
struct tlsplug_config *conf_sni_cb(struct tlsplug_conn *conn,
	const char *server_name, const struct tlsplug_config *original,
	void *user_data);

/*
 * Parts of a case that need a process of their own (child.c).  fn runs in
 * a child; its result and why come back.  Returns 0, or -1 with why.
 */
typedef int (*conf_child_fn)(void *arg, char *why, size_t whylen);
/* fn with the certificate file `anchor` (in certdir) added to the system
 * trust store: in a private mount namespace (as root, or in a user
 * namespace), every system CA bundle found at the usual places is covered
 * by a copy holding its certificates plus the anchor.  Fails (never skips)
 * where no such namespace can be made. */
int conf_with_system_anchor(const struct conf_env *env, const char *anchor,
                            conf_child_fn fn, void *arg, char *why,
                            size_t whylen);
/* fn as a user without root's privileges: directly when not root, else in
 * a child that became the user nobody. */
int conf_unprivileged(conf_child_fn fn, void *arg, char *why, size_t whylen);

/* The well-known (version, suite) pairs the cipher cases try. */
struct conf_suite {
	enum tlsplug_version version;
	uint16_t id;
	const char *chain;         /* server certificate it needs */
	const char *key;
};
extern const struct conf_suite conf_suites[];
extern const size_t conf_suite_count;
/* 1 if b lists id among its suites (or cannot list them). */
int conf_offers(const struct tlsplug_backend *b, uint16_t id);

/* Case functions shared by both tables (cases_*.c). */
#define CONF_CASE(fn) \
	int fn(const struct conf_env *env, char *why, size_t whylen)

CONF_CASE(case_negotiated_none_before_handshake);
CONF_CASE(case_tls12);
CONF_CASE(case_tls13);
CONF_CASE(case_tls10);
CONF_CASE(case_tls11);
CONF_CASE(case_default_versions);
CONF_CASE(case_version_min_max_supported);
CONF_CASE(case_version_client_max_below_server);
CONF_CASE(case_version_mismatch_13_vs_12);
CONF_CASE(case_version_mismatch_12_vs_13);
CONF_CASE(case_cipher_by_id);
CONF_CASE(case_cipher_unknown_ids_skipped);
CONF_CASE(case_cipher_none_usable);
CONF_CASE(case_cipher_no_shared);
CONF_CASE(case_cipher_order);
CONF_CASE(case_alpn_server_preference);
CONF_CASE(case_alpn_no_overlap);
CONF_CASE(case_alpn_server_none);
CONF_CASE(case_alpn_tls12);
CONF_CASE(case_alpn_no_overlap_tls12);
CONF_CASE(case_alpn_mismatch_continue);
CONF_CASE(case_cert_rsa_tls12);
CONF_CASE(case_cert_rsa_tls13);
CONF_CASE(case_cert_ecdsa_tls12);
CONF_CASE(case_cert_ecdsa_tls13);
CONF_CASE(case_cert_ed25519_tls12);
CONF_CASE(case_cert_ed25519_tls13);
CONF_CASE(case_cert_der_files);
CONF_CASE(case_cert_der_buffers);
CONF_CASE(case_cert_pem_buffers);
CONF_CASE(case_cert_rsa_der);
CONF_CASE(case_trust_from_file);
CONF_CASE(case_trust_from_buffer);
CONF_CASE(case_trust_system);
CONF_CASE(case_verify_expired);
CONF_CASE(case_verify_not_yet_valid);
CONF_CASE(case_verify_hostname_mismatch);
CONF_CASE(case_verify_untrusted_root);
CONF_CASE(case_verify_self_signed);
CONF_CASE(case_verify_wrong_purpose);
CONF_CASE(case_verify_no_validation);
CONF_CASE(case_verify_server_sees_alert);
CONF_CASE(case_verify_server_sees_alert_tls12);
CONF_CASE(case_host_ip_v4);
CONF_CASE(case_host_ip_v6);
CONF_CASE(case_host_ip_mismatch);
CONF_CASE(case_host_ip_only_cert_ignores_cn);
CONF_CASE(case_host_wildcard);
CONF_CASE(case_host_wildcard_two_labels);
CONF_CASE(case_host_wildcard_bare_domain);
CONF_CASE(case_host_null_skips_name_check);
CONF_CASE(case_host_case_insensitive);
CONF_CASE(case_sni_sent_for_names_only);
CONF_CASE(case_key_pem_pkcs8);
CONF_CASE(case_key_der_pkcs8);
CONF_CASE(case_key_pem_traditional);
CONF_CASE(case_key_der_traditional);
CONF_CASE(case_key_pem_pkcs8_encrypted);
CONF_CASE(case_key_der_pkcs8_encrypted);
CONF_CASE(case_key_pem_traditional_encrypted);
CONF_CASE(case_key_callback_gives_up);
CONF_CASE(case_key_mismatch);
CONF_CASE(case_file_missing);
CONF_CASE(case_file_unreadable);
CONF_CASE(case_file_garbage);
CONF_CASE(case_file_bad_pem_body);
CONF_CASE(case_sni_callback_switches);
CONF_CASE(case_sni_callback_refuses);
CONF_CASE(case_sni_callback_no_name);
CONF_CASE(case_sni_multi_chain);
CONF_CASE(case_mtls_tls12);
CONF_CASE(case_mtls_tls13);
CONF_CASE(case_mtls_missing_tls12);
CONF_CASE(case_mtls_missing_tls13);
CONF_CASE(case_mtls_untrusted_client);
CONF_CASE(case_mtls_not_requested);
CONF_CASE(case_data_small_sizes);
CONF_CASE(case_data_record_boundaries);
CONF_CASE(case_data_1mib);
CONF_CASE(case_data_bytewise_tls12);
CONF_CASE(case_data_bytewise_tls13);
CONF_CASE(case_data_short_reads);
CONF_CASE(case_data_short_writes);
CONF_CASE(case_data_interleaved);
CONF_CASE(case_read_runs_handshake);
CONF_CASE(case_shutdown_client_first);
CONF_CASE(case_shutdown_server_first);
CONF_CASE(case_shutdown_tls12);
CONF_CASE(case_ragged_eof_client);
CONF_CASE(case_ragged_eof_server);
CONF_CASE(case_peer_chain_as_sent);
CONF_CASE(case_peer_chain_client_cert);
CONF_CASE(case_verified_chain);
CONF_CASE(case_pin_match);
CONF_CASE(case_pin_mismatch);
CONF_CASE(case_pin_no_validation);
CONF_CASE(case_pin_keeps_validation);
CONF_CASE(case_verify_cb_accepts);
CONF_CASE(case_verify_cb_rejects);
CONF_CASE(case_verify_cb_cannot_rescue);
CONF_CASE(case_verify_cb_no_validation);
CONF_CASE(case_verify_cb_server);
CONF_CASE(case_verify_cb_sni_config);
CONF_CASE(case_client_cert_request_with);
CONF_CASE(case_client_cert_request_without);
CONF_CASE(case_client_cert_request_untrusted);
CONF_CASE(case_client_cert_require_without);
CONF_CASE(case_client_cert_none);
CONF_CASE(case_idna_sni);
CONF_CASE(case_interop_idna_sni_same_bytes);
/* Session resumption (cases_session.c). */
CONF_CASE(case_session_corrupt_refused);
CONF_CASE(case_session_cross_backend_real);
CONF_CASE(case_session_cross_backend_refused);
CONF_CASE(case_session_other_config_refused);
CONF_CASE(case_session_other_name_not_offered);
CONF_CASE(case_session_resume_tls12);
CONF_CASE(case_session_resume_tls13);
CONF_CASE(case_session_ticket_key_shared);
CONF_CASE(case_session_ticket_rejected_tls12);
CONF_CASE(case_session_ticket_rotation);
CONF_CASE(case_session_tickets_off);
/* Resumption offers a server must not honour (cases_session_abuse.c). */
CONF_CASE(case_session_garbage_id_tls12);
CONF_CASE(case_session_id_overlong);
CONF_CASE(case_session_garbage_ticket_tls12);
CONF_CASE(case_session_garbage_psk_tls13);
CONF_CASE(case_session_suite_missing_tls12);
CONF_CASE(case_session_unknown_id_tls12);
CONF_CASE(case_session_client_suite_changed);
CONF_CASE(case_session_server_suite_changed);
/* cases_revocation.c */
CONF_CASE(case_crl_revoked_leaf);
CONF_CASE(case_crl_revoked_intermediate);
CONF_CASE(case_crl_good_leaf);
CONF_CASE(case_crl_der_and_buffer);
CONF_CASE(case_crl_revoked_tls12);
CONF_CASE(case_crl_issuer_without_crl);
CONF_CASE(case_crl_stale);
CONF_CASE(case_crl_bad_signature);
CONF_CASE(case_crl_client_cert);
CONF_CASE(case_crl_bad_input);
CONF_CASE(case_ocsp_good);
CONF_CASE(case_ocsp_good_tls12);
CONF_CASE(case_ocsp_revoked);
CONF_CASE(case_ocsp_revoked_tls12);
CONF_CASE(case_ocsp_missing);
CONF_CASE(case_ocsp_other_certificate);
CONF_CASE(case_ocsp_expired);
CONF_CASE(case_ocsp_delegated_responder);
CONF_CASE(case_ocsp_off_ignores_staple);
CONF_CASE(case_ocsp_and_crl);
CONF_CASE(case_ocsp_staple_reload);
CONF_CASE(case_ocsp_staple_bad_input);
CONF_CASE(case_interop_crl_revoked);
CONF_CASE(case_interop_ocsp_good);
CONF_CASE(case_interop_ocsp_revoked);
CONF_CASE(case_interop_ocsp_missing);

/* Interop-only cases (interop.c). */
CONF_CASE(case_interop_tls12_rsa);
CONF_CASE(case_interop_tls12_ecdsa);
CONF_CASE(case_interop_tls12_ed25519);
CONF_CASE(case_interop_tls13_rsa);
CONF_CASE(case_interop_tls13_ecdsa);
CONF_CASE(case_interop_tls13_ed25519);
CONF_CASE(case_interop_bad_certs_same_category);
CONF_CASE(case_interop_version_mismatch_same_category);

/* ------------------------------------------------------------------------
 * Key logging, exporters, groups and signature algorithms
 * (cases_secrets.c, cases_groups.c).
 * ------------------------------------------------------------------------ */

/* Key log lines one side's callback received. */
#define CONF_KEYLOG_MAX 16
struct conf_keylog {
	int n;                     /* lines received (may pass the max) */
	char line[CONF_KEYLOG_MAX][300];
};
/* The key log callback filling a struct conf_keylog. */
void conf_keylog_collect(const struct tlsplug_conn *conn, const char *line,
                         void *data);
/* One side's key settings (IANA names), beside its struct conf_side. */
struct conf_keys {
	const char *const *groups;
	size_t ngroups;
	const char *const *sigalgs;
	size_t nsigalgs;
	struct conf_keylog *log;   /* key log callback's lines, or NULL */
	const char *keylog_file;
};
/* A config from side and k (NULL: none).  Returns 0 or -1 with why. */
int conf_keys_config(const struct conf_env *env,
                     const struct conf_side *side, const struct conf_keys *k,
                     struct tlsplug_config **out, char *why, size_t whylen);
/* Both configs, gated on the capabilities the key settings need (a side
 * without one must refuse its context: conf_gate), then the pair for
 * "localhost".  Returns 1 to go on (p to free), else 0 with *result (0:
 * refused cleanly, -1: why filled). */
int conf_keys_pair(const struct conf_env *env, const struct conf_side *cs,
                   const struct conf_keys *ck, const struct conf_side *ss,
                   const struct conf_keys *sk, struct conf_pair *p,
                   int *result, char *why, size_t whylen);

CONF_CASE(case_keylog_tls13);
CONF_CASE(case_keylog_tls12);
CONF_CASE(case_keylog_sni_switch);
CONF_CASE(case_keylog_file_and_env);
CONF_CASE(case_keylog_file_unopenable);
CONF_CASE(case_exporter_tls13);
CONF_CASE(case_exporter_tls12);
CONF_CASE(case_exporter_channel_binding);
CONF_CASE(case_exporter_before_handshake);
CONF_CASE(case_groups_each_tls13);
CONF_CASE(case_groups_each_tls12);
CONF_CASE(case_groups_retry_request);
CONF_CASE(case_groups_no_shared);
CONF_CASE(case_groups_post_quantum);
CONF_CASE(case_groups_unknown_name);
CONF_CASE(case_sigalgs_restrict);
CONF_CASE(case_sigalgs_no_shared);

#endif
