/*
 * session.h -- helpers shared by the session cases (cases_session.c, which
 * defines them, and cases_session_abuse.c): a client and a server context
 * with session settings, one connection between them and what it did.
 */
#ifndef TLSPLUG_CONFORMANCE_SESSION_H
#define TLSPLUG_CONFORMANCE_SESSION_H

#include "conformance.h"

/* Extra session settings of a side. */
struct sess_opts {
	enum tlsplug_version version;   /* client: only this version, 0: any */
	const unsigned char *key;       /* server ticket key, or NULL */
	uint32_t lifetime;              /* server ticket lifetime, 0: default */
	int no_cache;                   /* client: cache off */
	int no_tickets;                 /* server: tickets off */
	const uint16_t *ciphers;        /* suites (IANA ids), NULL: default */
	size_t nciphers;
};

/* A client and a server context for the session cases. */
struct sess_ctx {
	struct tlsplug_context *c, *s;
};

/* What one connection did. */
struct sess_run {
	int cres, sres;                 /* resumed, client / server side */
	enum tlsplug_version version;
	uint16_t cipher;                /* suite the client negotiated */
	struct tlsplug_session *got;    /* the client's session after */
	int set_rc;                     /* tlsplug_conn_set_session result */
	char set_msg[400];              /* its error message */
};

/* TLS 1.3 where both ends speak it, else TLS 1.2. */
enum tlsplug_version sess_version(const struct conf_env *env);
/* A config from side plus the session settings o of a client (server 0)
 * or a server (1).  Returns 0, or -1 with why. */
int sess_make_cfg(const struct conf_env *env, const struct conf_side *side,
                  const struct sess_opts *o, int server,
                  struct tlsplug_config **out, char *why, size_t whylen);
/* Client context (trusting ca.pem, co's version and suites) and server
 * context (rsa.pem, so's suites and ticket settings) in *x.  Returns 0, or
 * -1 with why and nothing to free. */
int sess_ctx_new(const struct conf_env *env, const struct sess_opts *co,
                 const struct sess_opts *so, struct sess_ctx *x, char *why,
                 size_t whylen);
/* Frees both contexts (NULL-safe; x is zeroed). */
void sess_ctx_free(struct sess_ctx *x);
/* One connection from c to s for host with session `give` (NULL: none)
 * set first, 64 bytes each way; what happened in *r (r->got is the
 * caller's to unref).  A refused set_session is reported in r.  Returns 0
 * when the handshake and the exchange succeeded, else -1 with why. */
int sess_connect(const struct conf_env *env, struct tlsplug_context *c,
                 struct tlsplug_context *s, const char *host,
                 const struct tlsplug_session *give, struct sess_run *r,
                 char *why, size_t whylen);
/* Both sides agree that the connection resumed iff want.  0 or -1. */
int expect_resumed(const struct sess_run *r, int want, const char *what,
                   char *why, size_t whylen);
/* Returns 1 when both backends have sessions; else runs the refusal checks
 * of a backend without them and returns 0 with *result (0 or -1). */
int sess_gate(const struct conf_env *env, int *result, char *why,
              size_t whylen);
/* For a case about TLS 1.3 alone: returns 1 when both sides speak it,
 * else checks that the side without it refuses a TLS 1.3-only context and
 * returns 0 with *result (0 or -1). */
int sess_v13_gate(const struct conf_env *env, int *result, char *why,
                  size_t whylen);

#endif
