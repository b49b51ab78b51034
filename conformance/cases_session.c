/*
 * cases_session.c -- session resumption: TLS 1.3 tickets and TLS 1.2
 * sessions resumed (given explicitly, serialised and back, and through the
 * client context's cache), and the refusals: a session of another backend,
 * for another server name, corrupt or truncated bytes; ticket keys shared
 * between server contexts, and their rotation.
 *
 * A backend without TLSPLUG_CAP_SESSIONS must refuse tlsplug_conn_set_session
 * with TLSPLUG_ERR_UNSUPPORTED and never resume.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance.h"
#include "session.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/* The version the cases about tickets and refusals run at: TLS 1.3 where
 * both ends speak it, else TLS 1.2 (tickets, their keys and the refusals
 * work alike there). */
enum tlsplug_version
sess_version(const struct conf_env *env)
{
	return tlsplug_backend_caps(env->client) & TLSPLUG_CAP_TLS1_3 &&
	       tlsplug_backend_caps(env->server) & TLSPLUG_CAP_TLS1_3 ?
	       V13 : V12;
}

int
sess_make_cfg(const struct conf_env *env, const struct conf_side *side,
         const struct sess_opts *o, int server, struct tlsplug_config **out,
         char *why, size_t whylen)
{
	struct tlsplug_config *base;
	struct tlsplug_config_builder *b;
	int rc;

	if (conf_config(env, side, &base, why, whylen) != 0)
		return -1;
	b = tlsplug_config_edit(base);
	tlsplug_config_unref(base);
	if (b == NULL)
		return conf_fail(why, whylen, "out of memory");
	rc = TLSPLUG_OK;
	if (server && o->key != NULL)
		rc = tlsplug_config_builder_set_ticket_key(b, o->key,
		    TLSPLUG_TICKET_KEY_SIZE);
	if (rc == TLSPLUG_OK && server && o->lifetime != 0)
		rc = tlsplug_config_builder_set_ticket_lifetime(b, o->lifetime);
	if (rc == TLSPLUG_OK && server && o->no_tickets)
		rc = tlsplug_config_builder_set_session_tickets(b, 0);
	if (rc == TLSPLUG_OK && !server && o->no_cache)
		rc = tlsplug_config_builder_set_session_cache(b, 0);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_build(b, out);
	tlsplug_config_builder_free(b);
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "session settings: %s",
		                 tlsplug_strerror(rc));
	return 0;
}

int
sess_ctx_new(const struct conf_env *env, const struct sess_opts *co,
             const struct sess_opts *so, struct sess_ctx *x, char *why,
             size_t whylen)
{
	struct conf_side cs = { .trust = "ca.pem", .min = co->version,
	                        .max = co->version, .ciphers = co->ciphers,
	                        .nciphers = co->nciphers };
	struct conf_side ss = { .chain = "rsa.pem", .key = "rsa.key",
	                        .ciphers = so->ciphers,
	                        .nciphers = so->nciphers };
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	struct tlsplug_error *err = NULL;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	if (sess_make_cfg(env, &cs, co, 0, &ccfg, why, whylen) != 0 ||
	    sess_make_cfg(env, &ss, so, 1, &scfg, why, whylen) != 0)
		goto out;
	if (tlsplug_context_new(env->client, TLSPLUG_CLIENT, ccfg, &x->c,
	                        &err) != TLSPLUG_OK ||
	    tlsplug_context_new(env->server, TLSPLUG_SERVER, scfg, &x->s,
	                        &err) != TLSPLUG_OK) {
		conf_fail(why, whylen, "context: %s",
		          tlsplug_error_message(err));
		tlsplug_error_free(err);
		tlsplug_context_unref(x->c);
		x->c = NULL;
		goto out;
	}
	rc = 0;
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return rc;
}

void
sess_ctx_free(struct sess_ctx *x)
{
	tlsplug_context_unref(x->c);
	tlsplug_context_unref(x->s);
	memset(x, 0, sizeof(*x));
}

/*
 * One connection from client context c to server context s for host,
 * with session `give` set first (NULL: none), data both ways (so TLS 1.3
 * tickets arrive), and what happened in *r.  A refused set_session is
 * reported in r (the handshake goes on in full).
 */
int
sess_connect(const struct conf_env *env, struct tlsplug_context *c,
             struct tlsplug_context *s, const char *host,
             const struct tlsplug_session *give, struct sess_run *r,
             char *why, size_t whylen)
{
	struct conf_pair p = { 0 };
	struct tlsplug_error *err = NULL;
	int rc = -1;

	(void)env;
	memset(r, 0, sizeof(*r));
	if (tlsplug_conn_new(c, host, &p.c, &err) != TLSPLUG_OK ||
	    tlsplug_conn_new(s, NULL, &p.s, &err) != TLSPLUG_OK) {
		conf_fail(why, whylen, "conn_new: %s",
		          tlsplug_error_message(err));
		tlsplug_error_free(err);
		goto out;
	}
	if (give != NULL) {
		r->set_rc = tlsplug_conn_set_session(p.c, give);
		if (r->set_rc != TLSPLUG_OK)
			snprintf(r->set_msg, sizeof(r->set_msg), "%s",
			    tlsplug_error_message(tlsplug_conn_error(p.c)));
	}
	if (conf_handshake(&p, 0, why, whylen) != 0 ||
	    conf_exchange(&p, 64, 0, why, whylen) != 0)
		goto out;
	r->cres = tlsplug_conn_resumed(p.c);
	r->sres = tlsplug_conn_resumed(p.s);
	r->version = tlsplug_conn_version(p.c);
	r->cipher = tlsplug_conn_cipher(p.c);
	r->got = tlsplug_conn_session(p.c);
	rc = 0;
out:
	tlsplug_conn_free(p.c);
	tlsplug_conn_free(p.s);
	return rc;
}

/* Both sides must agree on resumption, and it must be `want`. */
int
expect_resumed(const struct sess_run *r, int want, const char *what,
               char *why, size_t whylen)
{
	if (r->cres != r->sres)
		return conf_fail(why, whylen, "%s: client says resumed=%d, "
		                 "server says %d", what, r->cres, r->sres);
	if (r->cres != want)
		return conf_fail(why, whylen, "%s: resumed=%d, expected %d",
		                 what, r->cres, want);
	return 0;
}

/* Without the capability on either side: set_session is refused cleanly
 * (client side) and nothing resumes.  Returns 1 when the case may go on,
 * else 0 with *result set. */
int
sess_gate(const struct conf_env *env, int *result, char *why, size_t whylen)
{
	struct sess_ctx x;
	struct sess_opts o = { 0 };
	struct sess_run r1, r2;

	if (conf_has(env->client, TLSPLUG_CAP_SESSIONS) &&
	    conf_has(env->server, TLSPLUG_CAP_SESSIONS))
		return 1;
	*result = -1;
	if (sess_ctx_new(env, &o, &o, &x, why, whylen) != 0)
		return 0;
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) == 0) {
		if (r1.got != NULL && !conf_has(env->client,
		                                TLSPLUG_CAP_SESSIONS))
			conf_fail(why, whylen, "a backend without sessions "
			          "gave a session");
		else if (sess_connect(env, x.c, x.s, "localhost", r1.got, &r2,
		                      why, whylen) == 0) {
			if (r1.got != NULL && r2.set_rc != TLSPLUG_OK &&
			    r2.set_rc != TLSPLUG_ERR_UNSUPPORTED)
				conf_fail(why, whylen, "set_session: %s",
				          r2.set_msg);
			else if (expect_resumed(&r2, 0, "without sessions",
			                        why, whylen) == 0)
				*result = 0;
			tlsplug_session_unref(r2.got);
		}
		tlsplug_session_unref(r1.got);
	}
	sess_ctx_free(&x);
	return 0;
}

/* For a case about TLS 1.3 alone: when a side cannot speak it, that
 * side's TLS 1.3-only context is refused, and the case passes by that
 * refusal.  Returns 1 when both sides speak TLS 1.3, else 0 with
 * *result set. */
int
sess_v13_gate(const struct conf_env *env, int *result, char *why,
              size_t whylen)
{
	struct conf_side side = { .trust = "ca.pem", .chain = "rsa.pem",
	                          .key = "rsa.key", .min = V13, .max = V13 };
	struct sess_opts o = { .version = V13 };
	struct tlsplug_config *cfg = NULL;
	int server;

	if (sess_version(env) == V13)
		return 1;
	server = conf_has(env->client, TLSPLUG_CAP_TLS1_3);
	*result = -1;
	if (sess_make_cfg(env, &side, &o, server, &cfg, why, whylen) != 0)
		return 0;
	*result = conf_expect_context_error(server ? env->server :
		env->client, server ? TLSPLUG_SERVER : TLSPLUG_CLIENT, cfg,
		TLSPLUG_ERR_UNSUPPORTED, "TLS 1.3 only, without TLS 1.3", why,
		whylen);
	tlsplug_config_unref(cfg);
	return 0;
}

/* Full handshake, then the session given explicitly, then through the
 * cache, then serialised and back. */
static int
resume_run(const struct conf_env *env, enum tlsplug_version v, char *why,
           size_t whylen)
{
	struct sess_opts o = { .version = v };
	struct sess_ctx x;
	struct sess_run r1, r2, r3, r4;
	struct tlsplug_session *back = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = -1, go;

	go = sess_gate(env, &rc, why, whylen);
	if (!go)
		return rc;
	if (sess_ctx_new(env, &o, &o, &x, why, whylen) != 0)
		return -1;
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	memset(&r4, 0, sizeof(r4));
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (expect_resumed(&r1, 0, "first connection", why, whylen) != 0)
		goto out;
	if (r1.version != v) {
		conf_fail(why, whylen, "version %s, expected %s",
		          tlsplug_version_name(r1.version),
		          tlsplug_version_name(v));
		goto out;
	}
	if (r1.got == NULL) {
		conf_fail(why, whylen, "no session after the first connection");
		goto out;
	}
	if (tlsplug_session_version(r1.got) != v ||
	    strcmp(tlsplug_session_backend(r1.got),
	           tlsplug_backend_name(env->client)) != 0 ||
	    tlsplug_session_server_name(r1.got) == NULL ||
	    strcmp(tlsplug_session_server_name(r1.got), "localhost") != 0) {
		conf_fail(why, whylen, "session says backend %s, version %s, "
		          "server %s", tlsplug_session_backend(r1.got),
		          tlsplug_version_name(tlsplug_session_version(r1.got)),
		          tlsplug_session_server_name(r1.got));
		goto out;
	}
	/* Explicitly. */
	if (sess_connect(env, x.c, x.s, "localhost", r1.got, &r2, why,
	                 whylen) != 0)
		goto out;
	if (r2.set_rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "set_session: %s", r2.set_msg);
		goto out;
	}
	if (expect_resumed(&r2, 1, "session given", why, whylen) != 0)
		goto out;
	/* Through the client context's cache (with the resumed connection's
	 * new ticket, in TLS 1.3). */
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r3, why,
	                 whylen) != 0 ||
	    expect_resumed(&r3, 1, "from the cache", why, whylen) != 0)
		goto out;
	/* Serialised and back. */
	if (r3.got == NULL) {
		conf_fail(why, whylen, "no session after a resumed connection");
		goto out;
	}
	(void)tlsplug_session_serialize(r3.got, NULL, 0, &len);
	buf = malloc(len);
	if (buf == NULL ||
	    tlsplug_session_serialize(r3.got, buf, len, &len) != TLSPLUG_OK ||
	    tlsplug_session_deserialize(buf, len, &back, NULL) != TLSPLUG_OK) {
		conf_fail(why, whylen, "serialise and back failed");
		goto out;
	}
	if (sess_connect(env, x.c, x.s, "localhost", back, &r4, why,
	                 whylen) != 0)
		goto out;
	if (r4.set_rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "set_session (deserialised): %s",
		          r4.set_msg);
		goto out;
	}
	rc = expect_resumed(&r4, 1, "deserialised session", why, whylen);
out:
	free(buf);
	tlsplug_session_unref(back);
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	tlsplug_session_unref(r3.got);
	tlsplug_session_unref(r4.got);
	sess_ctx_free(&x);
	return rc;
}

CONF_CASE(case_session_resume_tls13)
{
	int rc;

	if (!sess_v13_gate(env, &rc, why, whylen))
		return rc;
	return resume_run(env, V13, why, whylen);
}

CONF_CASE(case_session_resume_tls12)
{
	return resume_run(env, V12, why, whylen);
}

/* A first connection's session, for the refusal cases. */
static int
first_session(const struct conf_env *env, struct sess_ctx *x,
              struct tlsplug_session **s, char *why, size_t whylen)
{
	struct sess_opts o = { .version = sess_version(env) };
	struct sess_run r;

	*s = NULL;
	if (sess_ctx_new(env, &o, &o, x, why, whylen) != 0)
		return -1;
	if (sess_connect(env, x->c, x->s, "localhost", NULL, &r, why,
	                 whylen) != 0) {
		sess_ctx_free(x);
		return -1;
	}
	if (r.got == NULL) {
		sess_ctx_free(x);
		return conf_fail(why, whylen, "no session");
	}
	*s = r.got;
	return 0;
}

/* Sets the last 4 bytes of a serialised session of n bytes to the CRC-32
 * of the rest (doc/SESSIONS.md), computed here from its definition. */
static void
fix_crc(unsigned char *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < n - 4; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	crc ^= 0xFFFFFFFFu;
	for (int i = 0; i < 4; i++)
		p[n - 4 + (size_t)i] = (unsigned char)(crc >> (24 - 8 * i));
}

/* Rewrites serialised bytes (as doc/SESSIONS.md describes them) with
 * backend name `name` and a valid checksum. */
static unsigned char *
forge_backend(const struct tlsplug_session *s, const char *name,
              size_t *outlen)
{
	unsigned char *in, *out;
	size_t len = 0, old, nlen = strlen(name), n;

	(void)tlsplug_session_serialize(s, NULL, 0, &len);
	in = malloc(len);
	if (in == NULL ||
	    tlsplug_session_serialize(s, in, len, &len) != TLSPLUG_OK) {
		free(in);
		return NULL;
	}
	old = in[9];
	n = len - old + nlen;
	out = malloc(n);
	if (out == NULL) {
		free(in);
		return NULL;
	}
	memcpy(out, in, 9);
	out[9] = (unsigned char)nlen;
	memcpy(out + 10, name, nlen);
	memcpy(out + 10 + nlen, in + 10 + old, len - 10 - old);
	fix_crc(out, n);
	free(in);
	*outlen = n;
	return out;
}

CONF_CASE(case_session_cross_backend_refused)
{
	struct sess_ctx x;
	struct tlsplug_session *s = NULL, *forged = NULL;
	struct sess_run r;
	unsigned char *bytes;
	size_t len = 0;
	const char *other = NULL;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (first_session(env, &x, &s, why, whylen) != 0)
		return -1;
	/* A real other backend when there is one, else a name that is
	 * not this one. */
	for (size_t i = 0; i < env->nall; i++)
		if (strcmp(tlsplug_backend_name(env->all[i]),
		           tlsplug_backend_name(env->client)) != 0)
			other = tlsplug_backend_name(env->all[i]);
	if (other == NULL)
		other = "not-the-same-engine";
	bytes = forge_backend(s, other, &len);
	if (bytes == NULL ||
	    tlsplug_session_deserialize(bytes, len, &forged, NULL) !=
	    TLSPLUG_OK) {
		conf_fail(why, whylen, "could not rename the session");
		goto out;
	}
	if (sess_connect(env, x.c, x.s, "localhost", forged, &r, why,
	                 whylen) != 0)
		goto out;
	tlsplug_session_unref(r.got);
	if (r.set_rc != TLSPLUG_ERR_INVALID ||
	    strstr(r.set_msg, other) == NULL ||
	    strstr(r.set_msg, tlsplug_backend_name(env->client)) == NULL) {
		conf_fail(why, whylen, "a session of backend %s was not "
		          "refused naming both backends: %s (%s)", other,
		          tlsplug_status_name(r.set_rc), r.set_msg);
		goto out;
	}
	rc = expect_resumed(&r, 0, "after the refusal", why, whylen);
out:
	free(bytes);
	tlsplug_session_unref(forged);
	tlsplug_session_unref(s);
	sess_ctx_free(&x);
	return rc;
}

/* The interop matrix: a session made by the client backend given to a
 * connection of every other backend under test. */
CONF_CASE(case_session_cross_backend_real)
{
	struct sess_ctx x;
	struct tlsplug_session *s = NULL;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (first_session(env, &x, &s, why, whylen) != 0)
		return -1;
	rc = 0;
	for (size_t i = 0; i < env->nall && rc == 0; i++) {
		const struct tlsplug_backend *b = env->all[i];
		struct conf_env e2 = *env;
		struct sess_ctx y;
		struct sess_opts o;
		struct sess_run r;

		if (b == env->client || !conf_has(b, TLSPLUG_CAP_SESSIONS))
			continue;
		e2.client = b;
		o = (struct sess_opts){ .version = sess_version(&e2) };
		if (sess_ctx_new(&e2, &o, &o, &y, why, whylen) != 0) {
			rc = -1;
			break;
		}
		if (sess_connect(&e2, y.c, x.s, "localhost", s, &r, why,
		                 whylen) != 0) {
			rc = -1;
		} else if (r.set_rc != TLSPLUG_ERR_INVALID ||
		           strstr(r.set_msg, tlsplug_backend_name(
		                  env->client)) == NULL) {
			rc = conf_fail(why, whylen, "%s session given to %s: "
			    "%s (%s)", tlsplug_backend_name(env->client),
			    tlsplug_backend_name(b),
			    tlsplug_status_name(r.set_rc), r.set_msg);
		} else {
			rc = expect_resumed(&r, 0, "cross-backend", why,
			                    whylen);
		}
		tlsplug_session_unref(r.got);
		sess_ctx_free(&y);
	}
	tlsplug_session_unref(s);
	sess_ctx_free(&x);
	return rc;
}

CONF_CASE(case_session_other_name_not_offered)
{
	struct sess_ctx x;
	struct tlsplug_session *s = NULL;
	struct sess_run r;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (first_session(env, &x, &s, why, whylen) != 0)
		return -1;
	/* rsa.pem is valid for 127.0.0.1 too; the cache holds a session
	 * for localhost only. */
	if (sess_connect(env, x.c, x.s, "127.0.0.1", NULL, &r, why,
	                 whylen) != 0)
		goto out;
	tlsplug_session_unref(r.got);
	if (expect_resumed(&r, 0, "another name, from the cache", why,
	                   whylen) != 0)
		goto out;
	if (sess_connect(env, x.c, x.s, "127.0.0.1", s, &r, why,
	                 whylen) != 0)
		goto out;
	tlsplug_session_unref(r.got);
	if (r.set_rc != TLSPLUG_ERR_INVALID ||
	    strstr(r.set_msg, "localhost") == NULL) {
		conf_fail(why, whylen, "a session for localhost given to a "
		          "connection for 127.0.0.1: %s (%s)",
		          tlsplug_status_name(r.set_rc), r.set_msg);
		goto out;
	}
	rc = expect_resumed(&r, 0, "another name, given", why, whylen);
out:
	tlsplug_session_unref(s);
	sess_ctx_free(&x);
	return rc;
}

CONF_CASE(case_session_corrupt_refused)
{
	struct sess_ctx x;
	struct tlsplug_session *s = NULL, *t = NULL;
	struct tlsplug_error *err = NULL;
	struct sess_run r;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (first_session(env, &x, &s, why, whylen) != 0)
		return -1;
	(void)tlsplug_session_serialize(s, NULL, 0, &len);
	buf = malloc(len);
	if (buf == NULL ||
	    tlsplug_session_serialize(s, buf, len, &len) != TLSPLUG_OK)
		goto out;
	/* Every truncation, and a flipped bit in the engine's bytes. */
	for (size_t n = 0; n < len; n += 1 + n / 16) {
		if (tlsplug_session_deserialize(buf, n, &t, &err) !=
		    TLSPLUG_ERR_INVALID || t != NULL) {
			conf_fail(why, whylen, "a session truncated to %zu of "
			          "%zu bytes was not refused", n, len);
			goto out;
		}
		tlsplug_error_free(err);
		err = NULL;
	}
	buf[len - 20] ^= 0x10;
	if (tlsplug_session_deserialize(buf, len, &t, &err) !=
	    TLSPLUG_ERR_INVALID ||
	    strstr(tlsplug_error_message(err), "checksum") == NULL) {
		conf_fail(why, whylen, "a corrupt session was not refused: %s",
		          tlsplug_error_message(err));
		goto out;
	}
	tlsplug_error_free(err);
	err = NULL;
	/* Engine bytes that are not a session, under a valid envelope:
	 * the engine refuses them; the handshake goes on in full. */
	free(buf);
	buf = forge_backend(s, tlsplug_backend_name(env->client), &len);
	if (buf == NULL)
		goto out;
	{
		/* The engine data follows its 4-byte length (doc/SESSIONS.md);
		 * its first bytes (a DER SEQUENCE or GnuTLS's header) become
		 * junk, and the checksum is made right again. */
		unsigned char *p = buf;
		struct tlsplug_session *junk = NULL;
		size_t at;

		at = 10 + p[9] + 1 + 1 + 8 + 4 + 8;
		at += 2 + ((size_t)p[at] << 8 | p[at + 1]);
		at += 4;
		memset(p + at, 0xA5, 8);
		fix_crc(p, len);
		if (tlsplug_session_deserialize(p, len, &junk, NULL) !=
		    TLSPLUG_OK) {
			conf_fail(why, whylen, "could not build the junk "
			          "session");
			goto out;
		}
		rc = sess_connect(env, x.c, x.s, "localhost", junk, &r, why,
		                  whylen);
		tlsplug_session_unref(junk);
		if (rc != 0)
			goto out;
		rc = -1;
		tlsplug_session_unref(r.got);
		if (r.set_rc != TLSPLUG_ERR_INVALID) {
			conf_fail(why, whylen, "junk engine bytes: set_session "
			          "gave %s", tlsplug_status_name(r.set_rc));
			goto out;
		}
		rc = expect_resumed(&r, 0, "junk engine bytes", why, whylen);
	}
out:
	tlsplug_error_free(err);
	free(buf);
	tlsplug_session_unref(s);
	sess_ctx_free(&x);
	return rc;
}

/* Two server contexts: with the same ticket key a session from one
 * resumes on the other; with another key it does not. */
CONF_CASE(case_session_ticket_key_shared)
{
	unsigned char k1[TLSPLUG_TICKET_KEY_SIZE], k2[TLSPLUG_TICKET_KEY_SIZE];
	struct sess_opts co = { .version = sess_version(env) }, s1 = co,
	                 s2 = co, s3 = co;
	struct sess_ctx a, b, c;
	struct sess_run r1, r2, r3;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	conf_random(k1, sizeof(k1), 11);
	conf_random(k2, sizeof(k2), 12);
	s1.key = s2.key = k1;
	s3.key = k2;
	co.no_cache = 1;
	if (sess_ctx_new(env, &co, &s1, &a, why, whylen) != 0)
		return -1;
	if (sess_ctx_new(env, &co, &s2, &b, why, whylen) != 0) {
		sess_ctx_free(&a);
		return -1;
	}
	if (sess_ctx_new(env, &co, &s3, &c, why, whylen) != 0) {
		sess_ctx_free(&a);
		sess_ctx_free(&b);
		return -1;
	}
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	if (sess_connect(env, a.c, a.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (r1.got == NULL) {
		conf_fail(why, whylen, "no session");
		goto out;
	}
	/* The client context of a made the session; the servers differ. */
	if (sess_connect(env, a.c, b.s, "localhost", r1.got, &r2, why,
	                 whylen) != 0 ||
	    expect_resumed(&r2, 1, "same ticket key", why, whylen) != 0)
		goto out;
	if (r2.got == NULL) {
		conf_fail(why, whylen, "no session after resuming");
		goto out;
	}
	if (sess_connect(env, a.c, c.s, "localhost", r2.got, &r3, why,
	                 whylen) != 0)
		goto out;
	rc = expect_resumed(&r3, 0, "another ticket key", why, whylen);
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	tlsplug_session_unref(r3.got);
	sess_ctx_free(&a);
	sess_ctx_free(&b);
	sess_ctx_free(&c);
	return rc;
}

/* A TLS 1.2 session whose ticket the server cannot open (another ticket
 * key): the handshake goes on in full, cleanly, and nothing resumes; a
 * client must not take the server's answer for a resumption it refused. */
CONF_CASE(case_session_ticket_rejected_tls12)
{
	unsigned char k1[TLSPLUG_TICKET_KEY_SIZE], k2[TLSPLUG_TICKET_KEY_SIZE];
	struct sess_opts co = { .version = V12, .no_cache = 1 },
	                 s1 = { .version = V12 }, s2 = s1;
	struct sess_ctx a, b;
	struct sess_run r1, r2;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	conf_random(k1, sizeof(k1), 21);
	conf_random(k2, sizeof(k2), 22);
	s1.key = k1;
	s2.key = k2;
	if (sess_ctx_new(env, &co, &s1, &a, why, whylen) != 0)
		return -1;
	if (sess_ctx_new(env, &co, &s2, &b, why, whylen) != 0) {
		sess_ctx_free(&a);
		return -1;
	}
	memset(&r2, 0, sizeof(r2));
	if (sess_connect(env, a.c, a.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (r1.got == NULL) {
		conf_fail(why, whylen, "no session");
		goto out;
	}
	if (sess_connect(env, a.c, b.s, "localhost", r1.got, &r2, why,
	                 whylen) != 0)
		goto out;
	if (r2.set_rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "set_session refused: %s", r2.set_msg);
		goto out;
	}
	if (expect_resumed(&r2, 0, "another ticket key", why, whylen) != 0)
		goto out;
	if (r2.version != V12) {
		conf_fail(why, whylen, "version %d, expected TLS 1.2",
		          (int)r2.version);
		goto out;
	}
	/* The full handshake gave a new session. */
	rc = 0;
	if (r2.got == NULL)
		rc = conf_fail(why, whylen, "no session after the full "
		               "handshake");
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	sess_ctx_free(&a);
	sess_ctx_free(&b);
	return rc;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Seconds into the current period of `len` seconds. */
static double
into_period(double len)
{
	double t = now_s();

	return t - len * (double)(long)(t / len);
}

/* The rotation period a moment falls in, for periods of `len` seconds. */
static long
period_of(double t, double len)
{
	return (long)(t / len);
}

/*
 * Ticket lifetime L, which is also the key rotation period: a ticket made
 * late in one period still resumes early in the next (the previous
 * period's key is accepted), and one older than the lifetime does not.
 * L starts at 2 s, or more when a connection takes long (under valgrind).
 * The case times each connection: the first must lie wholly in one
 * period, the resuming one wholly in the next, younger than L.  When a
 * loaded machine made a connection straddle a period's end, nothing was
 * shown either way, so it tries again with L doubled (four tries, L at
 * most 120 s); only a connection placed as intended is judged.
 */
CONF_CASE(case_session_ticket_rotation)
{
	unsigned char k[TLSPLUG_TICKET_KEY_SIZE];
	struct sess_opts co = { .version = sess_version(env),
	                        .no_cache = 1 };
	struct sess_opts so = { .version = sess_version(env) };
	struct sess_ctx x;
	struct sess_run r1, r2, r3;
	double d, len, t0, b1, e1, b2, e2;
	int rc = -1, attempt, placed = 0;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	conf_random(k, sizeof(k), 21);
	so.key = k;
	/* How long one connection takes here. */
	if (sess_ctx_new(env, &co, &so, &x, why, whylen) != 0)
		return -1;
	t0 = now_s();
	rc = sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why, whylen);
	d = now_s() - t0;
	tlsplug_session_unref(r1.got);
	sess_ctx_free(&x);
	if (rc != 0)
		return -1;
	rc = -1;
	len = 2.0;
	while (len < 3.0 * d + 2.0 && len < 120.0)
		len += 1.0;
	memset(&x, 0, sizeof(x));
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	for (attempt = 0; attempt < 4 && !placed; attempt++) {
		if (attempt > 0) {
			tlsplug_session_unref(r1.got);
			tlsplug_session_unref(r2.got);
			memset(&r1, 0, sizeof(r1));
			memset(&r2, 0, sizeof(r2));
			sess_ctx_free(&x);
			len = len * 2.0 > 120.0 ? 120.0 : len * 2.0;
		}
		so.lifetime = (uint32_t)len;
		if (sess_ctx_new(env, &co, &so, &x, why, whylen) != 0) {
			memset(&x, 0, sizeof(x));
			goto out;
		}
		/* Late in a period: done about half a connection before its
		 * end. */
		t0 = len - 1.5 * d - 0.2;
		if (t0 < 0)
			t0 = 0;
		if (into_period(len) > t0)
			sleep_s(len - into_period(len) + 0.05);
		sleep_s(t0 - into_period(len));
		b1 = now_s();
		if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
		                 whylen) != 0)
			goto out;
		e1 = now_s();
		if (r1.got == NULL) {
			conf_fail(why, whylen, "no session");
			goto out;
		}
		if (tlsplug_session_expires(r1.got) == 0 ||
		    tlsplug_session_expires(r1.got) >
		        (uint64_t)now_s() + len + 1) {
			conf_fail(why, whylen, "session lifetime not taken from "
			          "the server's %.0f s (expires %llu, now %.0f)",
			          len,
			          (unsigned long long)
			              tlsplug_session_expires(r1.got),
			          now_s());
			goto out;
		}
		/* Early in the next period. */
		if (period_of(now_s(), len) == period_of(e1, len))
			sleep_s(len - into_period(len) + 0.05);
		b2 = now_s();
		if (sess_connect(env, x.c, x.s, "localhost", r1.got, &r2, why,
		                 whylen) != 0)
			goto out;
		e2 = now_s();
		placed = period_of(b1, len) == period_of(e1, len) &&
		         period_of(b2, len) == period_of(e2, len) &&
		         period_of(b2, len) == period_of(e1, len) + 1 &&
		         e2 - b1 < len - 0.5;
	}
	if (!placed) {
		conf_fail(why, whylen, "could not place a connection late in "
		          "one period and the next early in the following one "
		          "(four tries, periods up to %.0f s; one connection "
		          "took %.2f s)", len, d);
		goto out;
	}
	if (expect_resumed(&r2, 1, "a ticket of the previous period", why,
	                   whylen) != 0)
		goto out;
	/* Past the lifetime: the client no longer offers it (set_session
	 * refuses an expired session), and nothing resumes. */
	sleep_s(len + 0.2);
	if (sess_connect(env, x.c, x.s, "localhost", r1.got, &r3, why,
	                 whylen) != 0)
		goto out;
	if (r3.set_rc != TLSPLUG_ERR_INVALID ||
	    strstr(r3.set_msg, "expired") == NULL) {
		conf_fail(why, whylen, "an expired session was not refused: "
		          "%s (%s)", tlsplug_status_name(r3.set_rc),
		          r3.set_msg);
		goto out;
	}
	rc = expect_resumed(&r3, 0, "after the lifetime", why, whylen);
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	tlsplug_session_unref(r3.got);
	sess_ctx_free(&x);
	return rc;
}

/* Tickets off on the server: a TLS 1.3 client gets no resumable session
 * from a ticket (nothing resumes), and a client with its cache off does
 * not resume by itself. */
CONF_CASE(case_session_tickets_off)
{
	struct sess_opts co = { .version = V13 };
	struct sess_opts so = { .version = V13, .no_tickets = 1 };
	struct sess_ctx x;
	struct sess_run r1, r2;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen) ||
	    !sess_v13_gate(env, &rc, why, whylen))
		return rc;
	if (sess_ctx_new(env, &co, &so, &x, why, whylen) != 0)
		return -1;
	memset(&r2, 0, sizeof(r2));
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) != 0 ||
	    sess_connect(env, x.c, x.s, "localhost", NULL, &r2, why,
	                 whylen) != 0)
		goto out;
	rc = expect_resumed(&r2, 0, "tickets off", why, whylen);
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	sess_ctx_free(&x);
	return rc;
}

/* A session is offered only under the config it was made with: one made
 * by a client that validates is refused by a client context that does
 * not, and the other way round, so resuming never skips (or adds) a
 * check the full handshake made. */
CONF_CASE(case_session_other_config_refused)
{
	struct sess_ctx x;
	struct tlsplug_session *s = NULL, *t = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_context *lax = NULL;
	struct conf_side side = { .no_validation = 1,
	                          .min = sess_version(env),
	                          .max = sess_version(env) };
	struct sess_opts o = { .version = sess_version(env) };
	struct sess_run r1, r2;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (!conf_has(env->client, TLSPLUG_CAP_NO_VALIDATION))
		return 0;
	if (first_session(env, &x, &s, why, whylen) != 0)
		return -1;
	memset(&r2, 0, sizeof(r2));
	if (sess_make_cfg(env, &side, &o, 0, &cfg, why, whylen) != 0)
		goto out;
	if (tlsplug_context_new(env->client, TLSPLUG_CLIENT, cfg, &lax,
	                        NULL) != TLSPLUG_OK) {
		conf_fail(why, whylen, "a client context without validation "
		          "was refused");
		goto out;
	}
	/* Validating session, lax connection. */
	if (sess_connect(env, lax, x.s, "localhost", s, &r1, why, whylen) != 0)
		goto out;
	t = r1.got;
	if (r1.set_rc != TLSPLUG_ERR_INVALID ||
	    strstr(r1.set_msg, "another config") == NULL) {
		conf_fail(why, whylen, "a validating client's session given "
		          "to a client without validation: %s (%s)",
		          tlsplug_status_name(r1.set_rc), r1.set_msg);
		goto out;
	}
	if (expect_resumed(&r1, 0, "validating session, lax client", why,
	                   whylen) != 0)
		goto out;
	/* Lax session, validating connection. */
	if (t == NULL) {
		conf_fail(why, whylen, "no session without validation");
		goto out;
	}
	if (sess_connect(env, x.c, x.s, "localhost", t, &r2, why,
	                 whylen) != 0)
		goto out;
	if (r2.set_rc != TLSPLUG_ERR_INVALID) {
		conf_fail(why, whylen, "a session made without validation "
		          "given to a validating client: %s (%s)",
		          tlsplug_status_name(r2.set_rc), r2.set_msg);
		goto out;
	}
	rc = expect_resumed(&r2, 0, "lax session, validating client", why,
	                    whylen);
out:
	tlsplug_session_unref(r2.got);
	tlsplug_session_unref(t);
	tlsplug_session_unref(s);
	tlsplug_context_unref(lax);
	tlsplug_config_unref(cfg);
	sess_ctx_free(&x);
	return rc;
}
