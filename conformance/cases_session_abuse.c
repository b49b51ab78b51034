/*
 * cases_session_abuse.c -- resumption offers a server must not honour.
 *
 * On the wire (the client's first flight rewritten before the server sees
 * it): a session ID the server never issued, one of an invalid length, a
 * TLS 1.2 ticket or a TLS 1.3 pre_shared_key identity of random bytes, and
 * a real session offered without its cipher suite.  The server must answer
 * with a full handshake (RFC 5246 §7.4.1.2 and RFC 5077 §3.4: a new
 * session ID and its Certificate; RFC 8446 §4.2.11: no pre_shared_key in
 * the ServerHello) or fail cleanly, and never report a resumption.  The
 * rewritten hello is not the one the client hashed, so those handshakes
 * end in a clean error once the Finished messages are compared.
 *
 * Through the API: a session offered to a server context that never made
 * it (session IDs, no tickets), to a client whose suites changed, and to a
 * server that opens the ticket but no longer has the session's suite.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "session.h"
#include "wire.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/* Handshake message types and the ChangeCipherSpec record, as
 * wire_reply.next gives them. */
#define HS_CERTIFICATE 11
#define NEXT_CCS (0x100 + 20)

static int
pending(int rc)
{
	return rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE;
}

/* A client connection whose first flight was taken out of it, parsed,
 * and a server connection that has not seen anything yet. */
struct wire_run {
	struct conf_pair p;
	unsigned char *hello;           /* the client's flight */
	size_t hellolen;
	struct wire_hello h;
	unsigned char *reply;           /* the server's answer */
	size_t replylen;
	struct wire_reply r;
};

static void
wire_run_free(struct wire_run *w)
{
	tlsplug_conn_free(w->p.c);
	tlsplug_conn_free(w->p.s);
	free(w->hello);
	free(w->reply);
	memset(w, 0, sizeof(*w));
}

/* Connections from c and s; session give (NULL: none) set on the client,
 * which then writes its ClientHello, taken and parsed into w. */
static int
wire_start(struct tlsplug_context *c, struct tlsplug_context *s,
           const struct tlsplug_session *give, struct wire_run *w,
           char *why, size_t whylen)
{
	struct tlsplug_error *err = NULL;
	int rc;

	memset(w, 0, sizeof(*w));
	if (tlsplug_conn_new(c, "localhost", &w->p.c, &err) != TLSPLUG_OK ||
	    tlsplug_conn_new(s, NULL, &w->p.s, &err) != TLSPLUG_OK) {
		conf_fail(why, whylen, "conn_new: %s",
		          tlsplug_error_message(err));
		tlsplug_error_free(err);
		return -1;
	}
	if (give != NULL && (rc = tlsplug_conn_set_session(w->p.c, give)) !=
	    TLSPLUG_OK)
		return conf_fail(why, whylen, "set_session: %s (%s)",
		    tlsplug_status_name(rc),
		    tlsplug_error_message(tlsplug_conn_error(w->p.c)));
	rc = tlsplug_conn_handshake(w->p.c);
	if (!pending(rc))
		return conf_fail(why, whylen, "client's first handshake step: "
		                 "%s", tlsplug_status_name(rc));
	w->hello = wire_take(w->p.c, &w->hellolen);
	if (w->hello == NULL)
		return conf_fail(why, whylen, "out of memory");
	return wire_parse_hello(w->hello, w->hellolen, &w->h, why, whylen);
}

/* Gives the server msg (a rewritten ClientHello) and reads its answer into
 * w->reply / w->r.  Sets w->p.src.  Returns 0, or -1 with why. */
static int
wire_answer(struct wire_run *w, const unsigned char *msg, size_t len,
            char *why, size_t whylen)
{
	int rc = tlsplug_conn_receive_from_network(w->p.s, msg, len);

	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "receive_from_network: %s",
		                 tlsplug_status_name(rc));
	w->p.src = tlsplug_conn_handshake(w->p.s);
	if (w->p.src == TLSPLUG_OK)
		return conf_fail(why, whylen, "the server finished its "
		                 "handshake on a ClientHello alone");
	w->reply = wire_take(w->p.s, &w->replylen);
	if (w->reply == NULL)
		return conf_fail(why, whylen, "out of memory");
	if (w->replylen == 0) {
		if (w->p.src < 0) {
			/* Failed without an alert on the wire: allowed, the
			 * status says why. */
			w->r.alert = -1;
			w->r.hello = 0;
			w->r.next = -1;
			return 0;
		}
		return conf_fail(why, whylen, "the server said nothing to the "
		                 "ClientHello (%s)",
		                 tlsplug_status_name(w->p.src));
	}
	return wire_parse_reply(w->reply, w->replylen, &w->r, why, whylen);
}

/* Both sides' status in words. */
static void
describe(const struct tlsplug_conn *conn, int rc, char *buf, size_t len)
{
	const struct tlsplug_error *e = tlsplug_conn_error(conn);

	snprintf(buf, len, "%s%s%s%s", tlsplug_status_name(rc),
	         rc < 0 ? " (" : "",
	         rc < 0 ? (e != NULL ? tlsplug_error_message(e) :
	                   "no error record") : "",
	         rc < 0 ? ")" : "");
}

/* A server failure in the categories a bad or mismatched peer message
 * gives: never an internal one, never a crash. */
static int
clean_failure(const struct tlsplug_conn *conn, int rc, const char *what,
              char *why, size_t whylen)
{
	char d[300];

	if (rc == TLSPLUG_ERR_PROTOCOL || rc == TLSPLUG_ERR_ALERT_RECEIVED ||
	    rc == TLSPLUG_ERR_NO_SHARED_CIPHER)
		return 0;
	describe(conn, rc, d, sizeof(d));
	return conf_fail(why, whylen, "%s: the server ended with %s, expected "
	                 "a protocol error", what, d);
}

/*
 * After the server answered a rewritten ClientHello with a full
 * handshake: the rest goes through, and ends in an error (each side hashed
 * another ClientHello: the Finished messages or the TLS 1.3 handshake
 * keys cannot agree), with no side ever reporting a resumption.
 */
static int
wire_finish(struct wire_run *w, const char *what, char *why, size_t whylen)
{
	struct conf_pair *p = &w->p;
	int idle = 0;
	char cs[300], ss[300];

	if (tlsplug_conn_receive_from_network(p->c, w->reply, w->replylen) !=
	    TLSPLUG_OK)
		return conf_fail(why, whylen, "%s: the client refused the "
		                 "server's bytes", what);
	p->crc = TLSPLUG_WANT_READ;
	for (int i = 0; i < 1000; i++) {
		size_t moved;

		if (pending(p->crc))
			p->crc = tlsplug_conn_handshake(p->c);
		if (pending(p->src))
			p->src = tlsplug_conn_handshake(p->s);
		moved = conf_move(p->c, p->s, 0) + conf_move(p->s, p->c, 0);
		if (moved > 0) {
			idle = 0;
			continue;
		}
		if ((!pending(p->crc) && !pending(p->src)) || ++idle > 3)
			break;
	}
	if (tlsplug_conn_resumed(p->s) || tlsplug_conn_resumed(p->c))
		return conf_fail(why, whylen, "%s: resumed (client %d, server "
		                 "%d)", what, tlsplug_conn_resumed(p->c),
		                 tlsplug_conn_resumed(p->s));
	describe(p->c, p->crc, cs, sizeof(cs));
	describe(p->s, p->src, ss, sizeof(ss));
	if (p->src == TLSPLUG_OK && p->crc == TLSPLUG_OK)
		return conf_fail(why, whylen, "%s: both sides finished a "
		                 "handshake whose ClientHello differed", what);
	if (p->src >= 0 && p->crc >= 0)
		return conf_fail(why, whylen, "%s: stalled: client %s, server "
		                 "%s", what, cs, ss);
	if (p->src < 0)
		return clean_failure(p->s, p->src, what, why, whylen);
	return 0;
}

/* The answer to a resumption offer is a full TLS 1.2 handshake: a
 * ServerHello whose session ID is not the one offered (RFC 5246
 * §7.4.1.3; RFC 5077 §3.4 for a ticket) and whose suite is not `notsuite`
 * (0: any), followed by the server's Certificate. */
static int
expect_full_tls12(const struct wire_run *w, const unsigned char *sid,
                  size_t sidlen, uint16_t notsuite, const char *what,
                  char *why, size_t whylen)
{
	const struct wire_reply *r = &w->r;

	if (!r->hello)
		return conf_fail(why, whylen, "%s: no ServerHello (alert %d, "
		                 "server %s)", what, r->alert,
		                 tlsplug_status_name(w->p.src));
	if (sidlen > 0 && r->sidlen == sidlen &&
	    memcmp(r->sid, sid, sidlen) == 0)
		return conf_fail(why, whylen, "%s: the ServerHello echoes the "
		                 "session ID offered (a resumption), suite "
		                 "0x%04X, followed by %d", what,
		                 (unsigned)r->cipher, r->next);
	if (notsuite != 0 && r->cipher == notsuite)
		return conf_fail(why, whylen, "%s: the server chose suite "
		                 "0x%04X, which the client did not offer", what,
		                 (unsigned)notsuite);
	if (r->next != HS_CERTIFICATE)
		return conf_fail(why, whylen, "%s: the ServerHello is followed "
		                 "by %s%d, not the Certificate of a full "
		                 "handshake", what,
		                 r->next == NEXT_CCS ? "ChangeCipherSpec " : "",
		                 r->next);
	return 0;
}

/* A client context for TLS version v only (suites: default) and a
 * default server context, both without a cache or tickets to matter. */
static int
plain_ctx(const struct conf_env *env, enum tlsplug_version v,
          struct sess_ctx *x, char *why, size_t whylen)
{
	struct sess_opts co = { .version = v, .no_cache = 1 };
	struct sess_opts so = { 0 };

	return sess_ctx_new(env, &co, &so, x, why, whylen);
}

/*
 * A TLS 1.2 ClientHello with a random 32-byte session ID the server never
 * issued: a full handshake with a new session ID.
 */
CONF_CASE(case_session_garbage_id_tls12)
{
	unsigned char sid[32];
	unsigned char *msg = NULL;
	size_t len = 0;
	struct sess_ctx x;
	struct wire_run w;
	int rc = -1;

	if (plain_ctx(env, V12, &x, why, whylen) != 0)
		return -1;
	conf_random(sid, sizeof(sid), 31);
	if (wire_start(x.c, x.s, NULL, &w, why, whylen) != 0 ||
	    wire_build_hello(&w.h, sid, sizeof(sid), NULL, 0, NULL, 0, &msg,
	                     &len, why, whylen) != 0 ||
	    wire_answer(&w, msg, len, why, whylen) != 0 ||
	    expect_full_tls12(&w, sid, sizeof(sid), 0, "unknown session ID",
	                      why, whylen) != 0)
		goto out;
	rc = wire_finish(&w, "unknown session ID", why, whylen);
out:
	free(msg);
	wire_run_free(&w);
	sess_ctx_free(&x);
	return rc;
}

/*
 * A session ID of 33 bytes (RFC 5246 allows at most 32), with every outer
 * length consistent, and one whose length runs past the end of the
 * message: the server fails with a protocol error, never answers with a
 * ServerHello, never resumes.
 */
CONF_CASE(case_session_id_overlong)
{
	unsigned char sid[33];
	unsigned char *msg = NULL;
	size_t len = 0;
	struct sess_ctx x;
	struct wire_run w;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	if (plain_ctx(env, V12, &x, why, whylen) != 0)
		return -1;
	conf_random(sid, sizeof(sid), 32);
	for (int variant = 0; variant < 2; variant++) {
		const char *what = variant == 0 ? "a 33-byte session ID" :
		                   "a session ID longer than the hello";

		wire_run_free(&w);
		free(msg);
		msg = NULL;
		if (wire_start(x.c, x.s, NULL, &w, why, whylen) != 0 ||
		    wire_build_hello(&w.h, sid, variant == 0 ? 33 : 32, NULL,
		                     0, NULL, 0, &msg, &len, why, whylen) != 0)
			goto out;
		/* The session ID's length byte is at 5 + 4 + 34. */
		if (variant == 1)
			msg[43] = 0xF0;
		if (wire_answer(&w, msg, len, why, whylen) != 0)
			goto out;
		if (w.r.hello || w.p.src >= 0) {
			conf_fail(why, whylen, "%s: the server answered with "
			          "%s (status %s)", what,
			          w.r.hello ? "a ServerHello" : "nothing",
			          tlsplug_status_name(w.p.src));
			goto out;
		}
		if (clean_failure(w.p.s, w.p.src, what, why, whylen) != 0)
			goto out;
		if (tlsplug_conn_resumed(w.p.s)) {
			conf_fail(why, whylen, "%s: the server says resumed",
			          what);
			goto out;
		}
	}
	rc = 0;
out:
	free(msg);
	wire_run_free(&w);
	sess_ctx_free(&x);
	return rc;
}

/*
 * A TLS 1.2 ClientHello with a SessionTicket extension of random bytes
 * (and a session ID, as RFC 5077 §3.4 has the client send with it): the
 * server cannot open it, so a full handshake follows.
 */
CONF_CASE(case_session_garbage_ticket_tls12)
{
	unsigned char sid[32], ticket[160];
	unsigned char *msg = NULL;
	size_t len = 0;
	struct wire_buf ext = { 0 };
	struct sess_ctx x;
	struct wire_run w;
	int rc = -1;

	if (plain_ctx(env, V12, &x, why, whylen) != 0)
		return -1;
	conf_random(sid, sizeof(sid), 33);
	conf_random(ticket, sizeof(ticket), 34);
	if (wire_start(x.c, x.s, NULL, &w, why, whylen) != 0)
		goto out;
	wire_ext_copy(&w.h, 35, &ext);
	wire_u16(&ext, 35);
	wire_u16(&ext, sizeof(ticket));
	wire_put(&ext, ticket, sizeof(ticket));
	if (ext.oom) {
		conf_fail(why, whylen, "out of memory");
		goto out;
	}
	if (wire_build_hello(&w.h, sid, sizeof(sid), NULL, 0, ext.p, ext.len,
	                     &msg, &len, why, whylen) != 0 ||
	    wire_answer(&w, msg, len, why, whylen) != 0 ||
	    expect_full_tls12(&w, sid, sizeof(sid), 0, "random ticket", why,
	                      whylen) != 0)
		goto out;
	rc = wire_finish(&w, "random ticket", why, whylen);
out:
	wire_buf_free(&ext);
	free(msg);
	wire_run_free(&w);
	sess_ctx_free(&x);
	return rc;
}

/* h's extensions with a pre_shared_key of random identity id and binder
 * (last, as RFC 8446 §4.2.11 requires), and psk_dhe_ke offered, into
 * ext. */
static void
psk_ext(const struct wire_hello *h, const unsigned char *id, size_t idlen,
        const unsigned char *binder, size_t blen, struct wire_buf *ext)
{
	wire_ext_copy(h, 41, ext);
	if (!wire_has_ext(h, 45)) {
		/* psk_key_exchange_modes: psk_dhe_ke */
		wire_u16(ext, 45);
		wire_u16(ext, 2);
		wire_u8(ext, 1);
		wire_u8(ext, 1);
	}
	/* One identity with its obfuscated age, one binder. */
	wire_u16(ext, 41);
	wire_u16(ext, (unsigned)(2 + 2 + idlen + 4 + 2 + 1 + blen));
	wire_u16(ext, (unsigned)(2 + idlen + 4));
	wire_u16(ext, (unsigned)idlen);
	wire_put(ext, id, idlen);
	wire_put(ext, binder, 4);
	wire_u16(ext, (unsigned)(1 + blen));
	wire_u8(ext, (unsigned)blen);
	wire_put(ext, binder, blen);
}

/*
 * A TLS 1.3 ClientHello offering a pre_shared_key whose identity is random
 * bytes (with psk_dhe_ke): the server finds no PSK it can use, so its
 * ServerHello carries no pre_shared_key and a full handshake follows.  A
 * server asking for another key share first (HelloRetryRequest) gets the
 * client's second ClientHello with the same identity.
 */
CONF_CASE(case_session_garbage_psk_tls13)
{
	unsigned char id[96], binder[32];
	unsigned char *msg = NULL;
	size_t len = 0;
	struct wire_buf ext = { 0 };
	struct sess_ctx x;
	struct wire_run w;
	int rc = -1;

	if (!sess_v13_gate(env, &rc, why, whylen))
		return rc;
	rc = -1;
	if (plain_ctx(env, V13, &x, why, whylen) != 0)
		return -1;
	conf_random(id, sizeof(id), 35);
	conf_random(binder, sizeof(binder), 36);
	if (wire_start(x.c, x.s, NULL, &w, why, whylen) != 0)
		goto out;
	for (int round = 0; round < 2; round++) {
		wire_buf_free(&ext);
		free(msg);
		msg = NULL;
		psk_ext(&w.h, id, sizeof(id), binder, sizeof(binder), &ext);
		if (ext.oom) {
			conf_fail(why, whylen, "out of memory");
			goto out;
		}
		free(w.reply);
		w.reply = NULL;
		if (wire_build_hello(&w.h, w.h.sid, w.h.sidlen, NULL, 0, ext.p,
		                     ext.len, &msg, &len, why, whylen) != 0 ||
		    wire_answer(&w, msg, len, why, whylen) != 0)
			goto out;
		if (!w.r.hrr || round > 0)
			break;
		/* The client answers the HelloRetryRequest with its second
		 * ClientHello. */
		if (tlsplug_conn_receive_from_network(w.p.c, w.reply,
		                                      w.replylen) != TLSPLUG_OK ||
		    !pending(tlsplug_conn_handshake(w.p.c))) {
			conf_fail(why, whylen, "random PSK: the client did not "
			          "answer the HelloRetryRequest");
			goto out;
		}
		free(w.hello);
		w.hello = wire_take(w.p.c, &w.hellolen);
		if (w.hello == NULL) {
			conf_fail(why, whylen, "out of memory");
			goto out;
		}
		/* A compatibility ChangeCipherSpec may come first. */
		{
			unsigned char *h = w.hello;
			size_t hl = w.hellolen;

			if (hl >= 6 && h[0] == 20) {
				h += 6;
				hl -= 6;
			}
			if (wire_parse_hello(h, hl, &w.h, why, whylen) != 0)
				goto out;
		}
	}
	if (!w.r.hello || w.r.hrr) {
		conf_fail(why, whylen, "random PSK: the server answered with "
		          "%s (alert %d, status %s)",
		          w.r.hrr ? "a second HelloRetryRequest" :
		          "no ServerHello", w.r.alert,
		          tlsplug_status_name(w.p.src));
		goto out;
	}
	if (w.r.psk) {
		conf_fail(why, whylen, "random PSK: the server accepted a PSK "
		          "identity it never issued");
		goto out;
	}
	rc = wire_finish(&w, "random PSK", why, whylen);
out:
	wire_buf_free(&ext);
	free(msg);
	wire_run_free(&w);
	sess_ctx_free(&x);
	return rc;
}

/* Two TLS 1.2 suites with the RSA certificate the session contexts use
 * (A: AES128-GCM, B: AES256-GCM, else CHACHA20-POLY1305) that both sides
 * offer.  Returns 0 when there are none. */
static int
two_suites(const struct conf_env *env, enum tlsplug_version v,
           uint16_t *a, uint16_t *b)
{
	static const uint16_t v12[] = { 0xC02F, 0xC030, 0xCCA8 };
	/* TLS 1.3: A and B hash alike (SHA-256), C with SHA-384. */
	static const uint16_t v13[] = { 0x1301, 0x1303, 0x1302 };
	const uint16_t *l = v == V13 ? v13 : v12;
	size_t n = 0;
	uint16_t got[3];

	for (size_t i = 0; i < 3; i++)
		if (conf_offers(env->client, l[i]) &&
		    conf_offers(env->server, l[i]))
			got[n++] = l[i];
	if (n < 2 || got[0] != l[0])
		return 0;
	*a = got[0];
	*b = got[1];
	return 1;
}

/* One run of case_session_suite_missing_tls12: with tickets or, tickets
 * off, a session ID. */
static int
suite_missing_run(const struct conf_env *env, uint16_t a, uint16_t b,
                  int tickets, char *why, size_t whylen)
{
	const char *what = tickets ? "ticket without its suite" :
	                   "session ID without its suite";
	uint16_t both[2] = { a, b };
	struct sess_opts co = { .version = V12, .no_cache = 1,
	                        .ciphers = both, .nciphers = 2 };
	struct sess_opts so = { .no_tickets = !tickets, .ciphers = both,
	                        .nciphers = 2 };
	struct sess_ctx x;
	struct sess_run r1;
	struct wire_run w;
	unsigned char *suites = NULL, *msg = NULL;
	size_t len = 0;
	int found = 0, rc = -1;

	memset(&w, 0, sizeof(w));
	memset(&r1, 0, sizeof(r1));
	if (sess_ctx_new(env, &co, &so, &x, why, whylen) != 0)
		return -1;
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (r1.got == NULL || r1.cipher != a) {
		conf_fail(why, whylen, "%s: first connection: %s, suite "
		          "0x%04X (expected 0x%04X)", what,
		          r1.got != NULL ? "a session" : "no session",
		          (unsigned)r1.cipher, (unsigned)a);
		goto out;
	}
	if (wire_start(x.c, x.s, r1.got, &w, why, whylen) != 0)
		goto out;
	if (tickets ? !wire_has_ext(&w.h, 35) : w.h.sidlen == 0) {
		conf_fail(why, whylen, "%s: the client offers no %s", what,
		          tickets ? "ticket" : "session ID");
		goto out;
	}
	/* Suite A becomes a GREASE value (RFC 8701), which a server
	 * ignores. */
	suites = malloc(w.h.suiteslen);
	if (suites == NULL) {
		conf_fail(why, whylen, "out of memory");
		goto out;
	}
	memcpy(suites, w.h.suites, w.h.suiteslen);
	for (size_t i = 0; i + 1 < w.h.suiteslen; i += 2)
		if ((suites[i] << 8 | suites[i + 1]) == a) {
			suites[i] = suites[i + 1] = 0x0A;
			found = 1;
		}
	if (!found) {
		conf_fail(why, whylen, "%s: the session's suite is not in the "
		          "ClientHello", what);
		goto out;
	}
	if (wire_build_hello(&w.h, w.h.sid, w.h.sidlen, suites, w.h.suiteslen,
	                     NULL, 0, &msg, &len, why, whylen) != 0 ||
	    wire_answer(&w, msg, len, why, whylen) != 0)
		goto out;
	if (!w.r.hello) {
		/* Refused outright: it must be a clean failure. */
		if (w.p.src >= 0) {
			conf_fail(why, whylen, "%s: no ServerHello, status %s",
			          what, tlsplug_status_name(w.p.src));
			goto out;
		}
		if (clean_failure(w.p.s, w.p.src, what, why, whylen) != 0)
			goto out;
		if (tlsplug_conn_resumed(w.p.s)) {
			conf_fail(why, whylen, "%s: the server says resumed",
			          what);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (expect_full_tls12(&w, w.h.sid, w.h.sidlen, a, what, why,
	                      whylen) != 0)
		goto out;
	rc = wire_finish(&w, what, why, whylen);
out:
	free(msg);
	free(suites);
	wire_run_free(&w);
	tlsplug_session_unref(r1.got);
	sess_ctx_free(&x);
	return rc;
}

/*
 * A real session of suite A offered in a ClientHello whose suites no
 * longer include A (rewritten on the wire: a client must offer the
 * session's suite, RFC 5246 §7.4.1.2).  The server must not resume with a
 * suite the client did not offer: a full handshake with another suite, or
 * a clean failure.  Once with a session ID (tickets off), once with a
 * ticket.
 */
CONF_CASE(case_session_suite_missing_tls12)
{
	uint16_t a, b;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (!two_suites(env, V12, &a, &b))
		return conf_fail(why, whylen, "the backends share no two of "
		                 "the TLS 1.2 RSA AEAD suites");
	if (suite_missing_run(env, a, b, 0, why, whylen) != 0 ||
	    suite_missing_run(env, a, b, 1, why, whylen) != 0)
		return -1;
	return 0;
}

/*
 * TLS 1.2 with session IDs only (tickets off): a session one server
 * context issued, offered to another (its own ticket key, so its own
 * session id context) that never saw it.  The server does a full
 * handshake, which completes; nothing resumes, and the client gets a new
 * session.  (Whether the issuing server resumes it depends on the engine
 * keeping a server cache, and on the connection having been closed: not
 * judged here beyond both sides agreeing.)
 */
CONF_CASE(case_session_unknown_id_tls12)
{
	unsigned char k1[TLSPLUG_TICKET_KEY_SIZE], k2[TLSPLUG_TICKET_KEY_SIZE];
	struct sess_opts co = { .version = V12, .no_cache = 1 };
	struct sess_opts s1 = { .no_tickets = 1, .key = k1 };
	struct sess_opts s2 = { .no_tickets = 1, .key = k2 };
	struct sess_ctx x, y;
	struct sess_run r1, r2, r3;
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	rc = -1;
	conf_random(k1, sizeof(k1), 39);
	conf_random(k2, sizeof(k2), 40);
	if (sess_ctx_new(env, &co, &s1, &x, why, whylen) != 0)
		return -1;
	if (sess_ctx_new(env, &co, &s2, &y, why, whylen) != 0) {
		sess_ctx_free(&x);
		return -1;
	}
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (r1.got == NULL) {
		conf_fail(why, whylen, "no session");
		goto out;
	}
	if (sess_connect(env, x.c, x.s, "localhost", r1.got, &r2, why,
	                 whylen) != 0 ||
	    expect_resumed(&r2, r2.sres, "the issuing server", why,
	                   whylen) != 0)
		goto out;
	if (sess_connect(env, x.c, y.s, "localhost", r1.got, &r3, why,
	                 whylen) != 0)
		goto out;
	if (r3.set_rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "set_session: %s", r3.set_msg);
		goto out;
	}
	if (expect_resumed(&r3, 0, "a server context that never issued it",
	                   why, whylen) != 0)
		goto out;
	rc = 0;
	if (r3.got == NULL)
		rc = conf_fail(why, whylen, "no session after the full "
		               "handshake");
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	tlsplug_session_unref(r3.got);
	sess_ctx_free(&x);
	sess_ctx_free(&y);
	return rc;
}

/*
 * A session of suite A given to a client whose config offers only suite B:
 * the client does not offer it (its config differs: set_session refuses
 * it), and the full handshake negotiates B.  At TLS 1.2, and at TLS 1.3
 * where both sides speak it.
 */
static int
client_suite_run(const struct conf_env *env, enum tlsplug_version v,
                 char *why, size_t whylen)
{
	uint16_t a, b;
	struct sess_opts coa = { .version = v, .no_cache = 1 }, cob, so = { 0 };
	struct sess_ctx x, y;
	struct sess_run r1, r2;
	int rc = -1;

	if (!two_suites(env, v, &a, &b))
		return conf_fail(why, whylen, "the backends share no two "
		                 "suites for %s", tlsplug_version_name(v));
	cob = coa;
	coa.ciphers = &a;
	coa.nciphers = 1;
	cob.ciphers = &b;
	cob.nciphers = 1;
	if (sess_ctx_new(env, &coa, &so, &x, why, whylen) != 0)
		return -1;
	if (sess_ctx_new(env, &cob, &so, &y, why, whylen) != 0) {
		sess_ctx_free(&x);
		return -1;
	}
	memset(&r2, 0, sizeof(r2));
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (r1.got == NULL || r1.cipher != a) {
		conf_fail(why, whylen, "%s: first connection: %s, suite "
		          "0x%04X", tlsplug_version_name(v),
		          r1.got != NULL ? "a session" : "no session",
		          (unsigned)r1.cipher);
		goto out;
	}
	if (sess_connect(env, y.c, x.s, "localhost", r1.got, &r2, why,
	                 whylen) != 0)
		goto out;
	if (r2.set_rc != TLSPLUG_ERR_INVALID ||
	    strstr(r2.set_msg, "another config") == NULL) {
		conf_fail(why, whylen, "%s: a session of suite 0x%04X given to "
		          "a client offering only 0x%04X: %s (%s)",
		          tlsplug_version_name(v), (unsigned)a, (unsigned)b,
		          tlsplug_status_name(r2.set_rc), r2.set_msg);
		goto out;
	}
	if (expect_resumed(&r2, 0, "another suite", why, whylen) != 0)
		goto out;
	rc = 0;
	if (r2.cipher != b)
		rc = conf_fail(why, whylen, "%s: negotiated 0x%04X, expected "
		               "0x%04X", tlsplug_version_name(v),
		               (unsigned)r2.cipher, (unsigned)b);
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	sess_ctx_free(&x);
	sess_ctx_free(&y);
	return rc;
}

CONF_CASE(case_session_client_suite_changed)
{
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (client_suite_run(env, V12, why, whylen) != 0)
		return -1;
	if (sess_version(env) == V13)
		return client_suite_run(env, V13, why, whylen);
	return 0;
}

/*
 * Server contexts sharing a ticket key, so each can open the others'
 * tickets; the client offers suites A and B.  A session made with A
 * resumes on a server that still has A; a server with B alone must not
 * resume it with A (RFC 5246 §7.4.1.3: a resumption keeps the session's
 * suite) and does a full handshake with B.
 */
static int
server_suite_run(const struct conf_env *env, char *why, size_t whylen)
{
	unsigned char k[TLSPLUG_TICKET_KEY_SIZE];
	uint16_t a, b, both[2];
	struct sess_opts co = { .version = V12, .no_cache = 1,
	                        .ciphers = both, .nciphers = 2 };
	struct sess_opts sa = { .key = k, .ciphers = &a, .nciphers = 1 };
	struct sess_opts sb = { .key = k, .ciphers = &b, .nciphers = 1 };
	struct sess_ctx x, y;
	struct sess_run r1, r2, r3;
	int rc = -1;

	if (!two_suites(env, V12, &a, &b))
		return conf_fail(why, whylen, "the backends share no two of "
		                 "the TLS 1.2 RSA AEAD suites");
	both[0] = a;
	both[1] = b;
	conf_random(k, sizeof(k), 37);
	if (sess_ctx_new(env, &co, &sa, &x, why, whylen) != 0)
		return -1;
	if (sess_ctx_new(env, &co, &sb, &y, why, whylen) != 0) {
		sess_ctx_free(&x);
		return -1;
	}
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	if (sess_connect(env, x.c, x.s, "localhost", NULL, &r1, why,
	                 whylen) != 0)
		goto out;
	if (r1.got == NULL || r1.cipher != a) {
		conf_fail(why, whylen, "first connection: %s, suite 0x%04X",
		          r1.got != NULL ? "a session" : "no session",
		          (unsigned)r1.cipher);
		goto out;
	}
	if (sess_connect(env, x.c, x.s, "localhost", r1.got, &r2, why,
	                 whylen) != 0 ||
	    expect_resumed(&r2, 1, "the same suite", why, whylen) != 0)
		goto out;
	if (sess_connect(env, x.c, y.s, "localhost", r1.got, &r3, why,
	                 whylen) != 0)
		goto out;
	if (r3.set_rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "set_session: %s", r3.set_msg);
		goto out;
	}
	if (expect_resumed(&r3, 0, "a server without the session's suite",
	                   why, whylen) != 0) {
		conf_fail(why, whylen, "a server with 0x%04X alone resumed a "
		          "session of 0x%04X (negotiated 0x%04X)", (unsigned)b,
		          (unsigned)a, (unsigned)r3.cipher);
		goto out;
	}
	rc = 0;
	if (r3.cipher != b)
		rc = conf_fail(why, whylen, "a server with 0x%04X alone "
		               "negotiated 0x%04X", (unsigned)b,
		               (unsigned)r3.cipher);
out:
	tlsplug_session_unref(r1.got);
	tlsplug_session_unref(r2.got);
	tlsplug_session_unref(r3.got);
	sess_ctx_free(&x);
	sess_ctx_free(&y);
	return rc;
}

/*
 * The same at TLS 1.3, where a PSK may be used with another suite of the
 * same hash (RFC 8446 §4.2.11, §4.6.1): a SHA-256 session on a server with
 * another SHA-256 suite alone negotiates that suite, resumed or not (both
 * sides agreeing); on a server with a SHA-384 suite alone it must not
 * resume, and negotiates that suite.
 */
static int
server_suite_run13(const struct conf_env *env, char *why, size_t whylen)
{
	unsigned char k[TLSPLUG_TICKET_KEY_SIZE];
	static const uint16_t all[3] = { 0x1301, 0x1303, 0x1302 };
	struct sess_opts co = { .version = V13, .no_cache = 1,
	                        .ciphers = all, .nciphers = 3 };
	struct sess_opts so[3];
	struct sess_ctx x[3];
	struct sess_run r[3];
	int rc = -1, made = 0;

	for (int i = 0; i < 3; i++)
		if (!conf_offers(env->client, all[i]) ||
		    !conf_offers(env->server, all[i]))
			return conf_fail(why, whylen, "TLS 1.3 suite 0x%04X "
			                 "not offered", (unsigned)all[i]);
	conf_random(k, sizeof(k), 38);
	memset(r, 0, sizeof(r));
	for (made = 0; made < 3; made++) {
		so[made] = (struct sess_opts){ .key = k,
		    .ciphers = &all[made], .nciphers = 1 };
		if (sess_ctx_new(env, &co, &so[made], &x[made], why,
		                 whylen) != 0)
			goto out;
	}
	if (sess_connect(env, x[0].c, x[0].s, "localhost", NULL, &r[0], why,
	                 whylen) != 0)
		goto out;
	if (r[0].got == NULL || r[0].cipher != all[0]) {
		conf_fail(why, whylen, "first connection: %s, suite 0x%04X",
		          r[0].got != NULL ? "a session" : "no session",
		          (unsigned)r[0].cipher);
		goto out;
	}
	for (int i = 1; i < 3; i++) {
		if (sess_connect(env, x[0].c, x[i].s, "localhost", r[0].got,
		                 &r[i], why, whylen) != 0) {
			/* A wolfSSL client refuses a server that resumes its
			 * ticket with another suite of the same hash, which
			 * RFC 8446 allows (README): the client fails, the
			 * server gets its alert. */
			if (i == 1 && strcmp(tlsplug_backend_name(env->client),
			                     "wolfssl") == 0 &&
			    strstr(why, "client PROTOCOL") != NULL &&
			    strstr(why, "server ALERT_RECEIVED") != NULL)
				continue;
			goto out;
		}
		if (r[i].cres != r[i].sres) {
			conf_fail(why, whylen, "suite 0x%04X: client says "
			          "resumed=%d, server %d", (unsigned)all[i],
			          r[i].cres, r[i].sres);
			goto out;
		}
		if (r[i].cipher != all[i]) {
			conf_fail(why, whylen, "a server with 0x%04X alone "
			          "negotiated 0x%04X", (unsigned)all[i],
			          (unsigned)r[i].cipher);
			goto out;
		}
	}
	rc = expect_resumed(&r[2], 0, "a SHA-256 PSK on a SHA-384 suite",
	                    why, whylen);
out:
	for (int i = 0; i < 3; i++)
		tlsplug_session_unref(r[i].got);
	while (made-- > 0)
		sess_ctx_free(&x[made]);
	return rc;
}

CONF_CASE(case_session_server_suite_changed)
{
	int rc = -1;

	if (!sess_gate(env, &rc, why, whylen))
		return rc;
	if (server_suite_run(env, why, whylen) != 0)
		return -1;
	if (sess_version(env) == V13)
		return server_suite_run13(env, why, whylen);
	return 0;
}
