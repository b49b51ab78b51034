/*
 * check_conn.c -- contexts and connections, driven through a mock backend:
 * the "null cipher" engine of tests/mock/nullcipher.c, built in process
 * against the current ABI, so the core's side of the plugin ABI (buffers,
 * handshake state, sticky errors, server selection and identity checks,
 * capability refusals) is tested without a real TLS engine.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_testlib.h"
#include "internal.h"
#include "ck_run.h"

/* ---- the mock engine (tests/mock/nullcipher.c) ----------------------- */

#define NULLCIPHER_NAME "mock"
#include "mock/nullcipher.c"

static const struct tlsplug_backend_descriptor mock_desc = {
	NULLCIPHER_DESCRIPTOR_INIT
};

static struct tlsplug_backend mock_backend = {
	.name = (char *)"mock",
	.state = TLSPLUG_BACKEND_OK,
	.d = &mock_desc,
};

static struct nullcipher_stats *const stats = &nullcipher_stats;

/* ---- helpers -------------------------------------------------------- */

static const char cert_pem[] = "-----BEGIN CERTIFICATE-----\nQUFBQQ==\n"
                               "-----END CERTIFICATE-----\n";
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\nS0tLSw==\n"
                              "-----END PRIVATE KEY-----\n";
static const char key_enc_pem[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "RUVFRQ==\n-----END ENCRYPTED PRIVATE KEY-----\n";

/* A certificate handle with the DER of a mock certificate for `san`. */
static struct tlsplug_certificate *
mock_cert_handle(const char *san)
{
	struct tlsplug_certificate *c = NULL;
	unsigned char der[MOCKCERT_MAX];
	size_t len = mockcert_der(der, san, NULL, &san, 1);

	ck_assert_int_eq(tlsplug_certificate_from_buffer(der, len, &c, NULL),
	                 TLSPLUG_OK);
	return c;
}

/* A config builder with one server chain. */
static struct tlsplug_config_builder *
server_builder(void)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_certificate *c = mock_cert_handle("*.mock.test");
	struct tlsplug_private_key *k = NULL;

	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_pem,
	    strlen(key_pem), &k, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b, c, NULL, k),
	                 TLSPLUG_OK);
	tlsplug_certificate_unref(c);
	tlsplug_private_key_unref(k);
	return b;
}

struct pair {
	struct tlsplug_context *cctx, *sctx;
	struct tlsplug_conn *cl, *sv;
};

static void
pair_open(struct pair *p, const char *host)
{
	const char *sp[] = { "http/1.1", "h2" };
	const char *cp[] = { "h2", "http/1.1" };
	struct tlsplug_config_builder *sb = server_builder();
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	int src;

	tlsplug_config_builder_set_alpn(sb, sp, 2);
	tlsplug_config_builder_set_alpn(cb, cp, 2);
	p->sctx = context(&mock_backend, TLSPLUG_SERVER, build(sb));
	p->cctx = context(&mock_backend, TLSPLUG_CLIENT, build(cb));
	p->cl = conn(p->cctx, host);
	p->sv = conn(p->sctx, NULL);
	ck_assert_int_eq(handshake(p->cl, p->sv, &src), TLSPLUG_OK);
	ck_assert_int_eq(src, TLSPLUG_OK);
}

static void
pair_close(struct pair *p)
{
	tlsplug_conn_free(p->cl);
	tlsplug_conn_free(p->sv);
	tlsplug_context_unref(p->cctx);
	tlsplug_context_unref(p->sctx);
}

/* ---- tests ---------------------------------------------------------- */

START_TEST(test_handshake_and_data)
{
	struct pair p;
	char buf[64];
	size_t n;
	const char *subject;

	pair_open(&p, "www.mock.test");
	ck_assert_str_eq(tlsplug_conn_alpn(p.cl), "http/1.1");
	ck_assert_str_eq(tlsplug_conn_alpn(p.sv), "http/1.1");
	ck_assert_uint_eq(tlsplug_conn_cipher(p.cl), 0x1301);
	ck_assert_int_eq(tlsplug_conn_version(p.sv), TLSPLUG_VERSION_TLSv1_3);
	ck_assert_str_eq(tlsplug_conn_server_name(p.sv), "www.mock.test");
	ck_assert_str_eq(tlsplug_conn_server_name(p.cl), "www.mock.test");
	subject = tlsplug_conn_peer_subject(p.cl);
	ck_assert_ptr_nonnull(subject);
	ck_assert_uint_gt(strlen(subject), 512);
	ck_assert_ptr_nonnull(strstr(subject, "Reader Who Wants"));
	ck_assert_ptr_eq(tlsplug_conn_peer_subject(p.cl), subject);
	ck_assert_ptr_null(tlsplug_conn_peer_subject(p.sv));
	ck_assert_ptr_eq(tlsplug_conn_context(p.cl), p.cctx);
	ck_assert_ptr_null(tlsplug_conn_error(p.cl));

	ck_assert_int_eq(tlsplug_conn_write(p.cl, "ping", 4, &n), TLSPLUG_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	ck_assert_uint_eq(n, 0);
	pump(p.cl, p.sv);
	ck_assert_uint_eq(tlsplug_conn_incoming_pending(p.sv), 3 + 4);
	/* Short reads leave the rest for later. */
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, 3, &n), TLSPLUG_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(buf, "pin", 3), 0);
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(buf[0], 'g');
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, 0, &n), TLSPLUG_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tlsplug_conn_write(p.sv, "pong", 4, &n), TLSPLUG_OK);
	/* read_outgoing copies and consumes. */
	{
		unsigned char wire[64];
		size_t w = tlsplug_conn_read_outgoing(p.sv, wire, sizeof(wire));

		ck_assert_uint_eq(w, 7);
		ck_assert_uint_eq(tlsplug_conn_peek_outgoing(p.sv, NULL), 0);
		ck_assert_int_eq(tlsplug_conn_receive_from_network(p.cl, wire,
		                                                   w),
		                 TLSPLUG_OK);
	}
	ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
	pair_close(&p);
	ck_assert_int_eq(stats->ctx_inits, stats->ctx_finis);
	ck_assert_int_eq(stats->conn_inits, stats->conn_finis);
}
END_TEST

/* The core, not each engine, decides what goes out as SNI: the host name
 * without a trailing dot, nothing for an IP literal. */
START_TEST(test_sni_name_decided_by_core)
{
	static const struct {
		const char *host, *sni;
	} cases[] = {
		{ "www.mock.test", "www.mock.test" },
		{ "www.mock.test.", "www.mock.test" },
		{ "127.0.0.1", NULL },
		{ "::1", NULL },
		{ "2001:db8::7", NULL },
		/* Unicode names go out as A-labels (IDNA2008, UTS #46). */
		{ "b\xc3\xbc" "cher.mock.test", "xn--bcher-kva.mock.test" },
		{ "B\xc3\x9c" "CHER.mock.test.", "xn--bcher-kva.mock.test" },
		{ "\xe4\xbe\x8b\xe5\xad\x90.mock.test",
		  "xn--fsqu00a.mock.test" },
	};
	static const char *const invalid[] = {
		"a\xff.mock.test",             /* not UTF-8 */
		"\xe2\x80\x8d.mock.test",     /* ZWJ: disallowed */
		"-b\xc3\xbc" "cher.mock.test",    /* leading hyphen */
		/* Labels UTS #46 maps to nothing (U+200B, U+00AD): an empty
		 * name, an empty first or inner label. */
		"\xe2\x80\x8b",
		"\xe2\x80\x8b.mock.test",
		"a.\xc2\xad.mock.test",
	};
	struct tlsplug_context *cctx;
	struct pair p;

	cctx = context(&mock_backend, TLSPLUG_CLIENT,
	               build(tlsplug_config_builder_new()));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tlsplug_conn *c = conn(cctx, cases[i].host);
		const char *got = tlsplug_conn_server_name(c);

		ck_assert_str_eq(stats->last_sni_name,
		                 cases[i].sni ? cases[i].sni : "(none)");
		if (cases[i].sni == NULL)
			ck_assert_msg(got == NULL, "%s: SNI %s", cases[i].host,
			              got);
		else
			ck_assert_str_eq(got, cases[i].sni);
		tlsplug_conn_free(c);
	}
	/* A name that is not valid IDNA never reaches the plugin. */
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct tlsplug_conn *c = NULL;
		struct tlsplug_error *e = NULL;
		int before = stats->conn_inits;

		ck_assert_int_eq(tlsplug_conn_new(cctx, invalid[i], &c, &e),
		                 TLSPLUG_ERR_INVALID);
		ck_assert_ptr_null(c);
		ck_assert_msg(strstr(tlsplug_error_message(e),
		                     "not a valid internationalized domain "
		                     "name") != NULL, "%s",
		              tlsplug_error_message(e));
		ck_assert_int_eq(stats->conn_inits, before);
		tlsplug_error_free(e);
	}
	tlsplug_context_unref(cctx);

	/* The A-label form is what the certificate is checked against. */
	pair_open(&p, "b\xc3\xbc" "cher.mock.test");
	ck_assert_str_eq(tlsplug_conn_server_name(p.sv),
	                 "xn--bcher-kva.mock.test");
	pair_close(&p);

	/* The server sees the name without the dot; validation still
	 * accepts the absolute name. */
	pair_open(&p, "www.mock.test.");
	ck_assert_str_eq(tlsplug_conn_server_name(p.sv), "www.mock.test");
	ck_assert_str_eq(tlsplug_conn_server_name(p.cl), "www.mock.test");
	pair_close(&p);
}
END_TEST

START_TEST(test_large_transfer_short_writes)
{
	struct pair p;
	size_t total = 200000, sent = 0, got = 0;
	unsigned char *src = malloc(total), *dst = malloc(total);

	for (size_t i = 0; i < total; i++)
		src[i] = (unsigned char)(i * 31 + 7);
	pair_open(&p, "www.mock.test");
	for (int guard = 0; got < total && guard < 10000; guard++) {
		size_t n = 0;
		int rc;

		if (sent < total) {
			rc = tlsplug_conn_write(p.cl, src + sent, total - sent,
			                        &n);
			ck_assert_int_eq(rc, TLSPLUG_OK);
			ck_assert_uint_le(n, MOCK_MAX_PAYLOAD);
			sent += n;
		}
		pump(p.cl, p.sv);
		rc = tlsplug_conn_read(p.sv, dst + got, total - got, &n);
		ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_WANT_READ);
		got += n;
	}
	ck_assert_uint_eq(got, total);
	ck_assert_int_eq(memcmp(src, dst, total), 0);
	pair_close(&p);
	free(src);
	free(dst);
}
END_TEST

/* Write before the handshake runs it implicitly. */
START_TEST(test_implicit_handshake)
{
	struct tlsplug_context *sctx = context(&mock_backend, TLSPLUG_SERVER,
	                                       build(server_builder()));
	struct tlsplug_context *cctx = context(&mock_backend, TLSPLUG_CLIENT,
	    build(tlsplug_config_builder_new()));
	struct tlsplug_conn *cl = conn(cctx, "a.mock.test");
	struct tlsplug_conn *sv = conn(sctx, NULL);
	char buf[16];
	size_t n = 99;
	int rc = TLSPLUG_WANT_READ;

	ck_assert_uint_eq(tlsplug_conn_cipher(cl), TLSPLUG_CS_NONE);
	ck_assert_int_eq(tlsplug_conn_version(cl), TLSPLUG_VERSION_NONE);
	ck_assert_ptr_null(tlsplug_conn_alpn(cl));
	ck_assert_ptr_null(tlsplug_conn_peer_subject(cl));
	ck_assert_int_eq(tlsplug_conn_write(cl, "x", 1, &n),
	                 TLSPLUG_WANT_READ);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	pump(cl, sv);
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	ck_assert_str_eq(tlsplug_conn_server_name(sv), "a.mock.test");
	pump(cl, sv);
	ck_assert_int_eq(tlsplug_conn_write(cl, "x", 1, &n), TLSPLUG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(tlsplug_conn_alpn(cl));
	pump(cl, sv);
	for (int i = 0; i < 3 && rc == TLSPLUG_WANT_READ; i++)
		rc = tlsplug_conn_read(sv, buf, sizeof(buf), &n);
	ck_assert_int_eq(rc, TLSPLUG_OK);
	ck_assert_int_eq(buf[0], 'x');
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
}
END_TEST

/* How the core's message starts when the host name does not match: the
 * names the certificate has, then its subject (long, so the record cuts
 * it). */
static const char mismatch_message[] = "mock: certificate verify failed: "
    "host name \"www.example.org\" matches no subjectAltName of the "
    "certificate (DNS:*.mock.test; subject CN=server.mock.test,O=A Rather "
    "Long Organisation Name";

static void
assert_mismatch(const struct tlsplug_error *e)
{
	const char *msg = tlsplug_error_message(e);

	ck_assert_msg(strncmp(msg, mismatch_message,
	                      strlen(mismatch_message)) == 0,
	              "unexpected message: %s", msg);
}

/* A fatal error is sticky; outgoing bytes (the alert) can still be sent;
 * the peer sees the alert by name. */
START_TEST(test_sticky_error_and_alert)
{
	struct tlsplug_context *sctx = context(&mock_backend, TLSPLUG_SERVER,
	                                       build(server_builder()));
	struct tlsplug_context *cctx = context(&mock_backend, TLSPLUG_CLIENT,
	    build(tlsplug_config_builder_new()));
	struct tlsplug_conn *cl = conn(cctx, "www.example.org");
	struct tlsplug_conn *sv = conn(sctx, NULL);
	const struct tlsplug_error *e;
	char buf[8];
	size_t n;
	int src;

	ck_assert_int_eq(handshake(cl, sv, &src), TLSPLUG_ERR_CERT_HOSTNAME);
	e = tlsplug_conn_error(cl);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_str_eq(tlsplug_error_backend(e), "mock");
	/* The core's check, with the names the certificate has. */
	assert_mismatch(e);
	ck_assert_int_eq(tlsplug_conn_handshake(cl), TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_int_eq(tlsplug_conn_read(cl, buf, sizeof(buf), &n),
	                 TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_int_eq(tlsplug_conn_write(cl, "x", 1, &n),
	                 TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_int_eq(tlsplug_conn_shutdown(cl), TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(cl, "x", 1),
	                 TLSPLUG_ERR_CERT_HOSTNAME);
	assert_mismatch(tlsplug_conn_error(cl));

	/* The server completed its side, then gets the alert. */
	ck_assert_int_eq(src, TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_ERR_ALERT_RECEIVED);
	e = tlsplug_conn_error(sv);
	ck_assert_int_eq(tlsplug_error_alert(e), 42);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e),
	                             "bad_certificate"));
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_ERR_ALERT_RECEIVED);
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
}
END_TEST

START_TEST(test_no_validation_skips_check)
{
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_context *sctx, *cctx;
	struct tlsplug_conn *cl, *sv;
	int src;

	tlsplug_config_builder_set_insecure_no_validation(cb, 1);
	sctx = context(&mock_backend, TLSPLUG_SERVER, build(server_builder()));
	cctx = context(&mock_backend, TLSPLUG_CLIENT, build(cb));
	ck_assert_int_eq(stats->last_verify_peer, 0);
	cl = conn(cctx, "www.example.org");
	sv = conn(sctx, NULL);
	ck_assert_int_eq(handshake(cl, sv, &src), TLSPLUG_OK);
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
}
END_TEST

START_TEST(test_close_notify)
{
	struct pair p;
	char buf[8];
	size_t n;

	pair_open(&p, "www.mock.test");
	ck_assert_int_eq(tlsplug_conn_shutdown(p.cl), TLSPLUG_WANT_READ);
	ck_assert_int_eq(tlsplug_conn_write(p.cl, "x", 1, &n),
	                 TLSPLUG_ERR_MISUSE);
	/* MISUSE is not sticky. */
	ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	pump(p.cl, p.sv);
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_int_eq(tlsplug_conn_shutdown(p.sv), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_shutdown(p.sv), TLSPLUG_OK);
	pump(p.cl, p.sv);
	ck_assert_int_eq(tlsplug_conn_shutdown(p.cl), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_ptr_null(tlsplug_conn_error(p.cl));
	pair_close(&p);
}
END_TEST

START_TEST(test_ragged_eof)
{
	struct pair p;
	char buf[8];
	size_t n;

	pair_open(&p, "www.mock.test");
	ck_assert_int_eq(tlsplug_conn_write(p.cl, "ab", 2, &n), TLSPLUG_OK);
	pump(p.cl, p.sv);
	tlsplug_conn_receive_eof(p.sv);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(p.sv, "x", 1),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(p.sv, NULL, 0),
	                 TLSPLUG_OK);
	/* Data before the EOF is still delivered. */
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_RAGGED_EOF);
	ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
	                 TLSPLUG_RAGGED_EOF);
	pair_close(&p);
}
END_TEST

START_TEST(test_misuse)
{
	struct tlsplug_context *sctx = context(&mock_backend, TLSPLUG_SERVER,
	                                       build(server_builder()));
	struct tlsplug_context *cctx = context(&mock_backend, TLSPLUG_CLIENT,
	    build(tlsplug_config_builder_new()));
	struct tlsplug_conn *c = NULL;
	struct tlsplug_error *e = NULL;
	size_t n = 5;
	char buf[4];

	ck_assert_int_eq(tlsplug_conn_handshake(NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_read(NULL, buf, 4, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tlsplug_conn_write(NULL, buf, 4, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_shutdown(NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(NULL, "x", 1),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_conn_receive_eof(NULL);
	ck_assert_uint_eq(tlsplug_conn_peek_outgoing(NULL, NULL), 0);
	tlsplug_conn_consume_outgoing(NULL, 3);
	ck_assert_uint_eq(tlsplug_conn_read_outgoing(NULL, buf, 4), 0);
	ck_assert_uint_eq(tlsplug_conn_incoming_pending(NULL), 0);
	ck_assert_ptr_null(tlsplug_conn_error(NULL));
	ck_assert_ptr_null(tlsplug_conn_alpn(NULL));
	ck_assert_ptr_null(tlsplug_conn_server_name(NULL));
	ck_assert_ptr_null(tlsplug_conn_peer_subject(NULL));
	ck_assert_ptr_null(tlsplug_conn_context(NULL));
	tlsplug_conn_free(NULL);

	ck_assert_int_eq(tlsplug_conn_new(NULL, NULL, &c, &e),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_error_free(e);
	ck_assert_int_eq(tlsplug_conn_new(cctx, NULL, NULL, NULL),
	                 TLSPLUG_ERR_MISUSE);
	e = NULL;
	ck_assert_int_eq(tlsplug_conn_new(sctx, "x.mock.test", &c, &e),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e), "client"));
	tlsplug_error_free(e);
	ck_assert_int_eq(tlsplug_conn_new(cctx, "", &c, NULL),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(c);

	/* The plugin's conn init can fail: its message comes through. */
	e = NULL;
	ck_assert_int_eq(tlsplug_conn_new(cctx, "fail-init.mock.test", &c, &e),
	                 TLSPLUG_ERR_BACKEND);
	ck_assert_str_eq(tlsplug_error_message(e),
	                 "mock: cannot make a connection");
	ck_assert_int_eq(tlsplug_error_native_code(e), 99);
	tlsplug_error_free(e);

	c = conn(cctx, NULL);
	ck_assert_int_eq(tlsplug_conn_shutdown(c), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_read(c, NULL, 4, &n), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_write(c, buf, 4, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(c, NULL, 3),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_error_code(tlsplug_conn_error(c)),
	                 TLSPLUG_ERR_MISUSE);
	/* None of that was fatal. */
	ck_assert_int_eq(tlsplug_conn_handshake(c), TLSPLUG_WANT_READ);
	ck_assert_ptr_null(tlsplug_conn_error(c));
	ck_assert_ptr_null(tlsplug_conn_server_name(c));
	tlsplug_conn_free(c);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
}
END_TEST

/* Once warmed up, read and write on a connection never allocate. */
START_TEST(test_no_allocation_in_steady_state)
{
	struct pair p;
	unsigned char msg[MOCK_MAX_PAYLOAD], buf[MOCK_MAX_PAYLOAD];
	size_t n;

	memset(msg, 'm', sizeof(msg));
	pair_open(&p, "www.mock.test");
	(void)tlsplug_conn_peer_subject(p.cl);
	/* The warm-up has the loop's pattern, the read that finds nothing
	 * included: the first one lets an idle connection's buffers go, and
	 * getting them back at once marks the connection as streaming. */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(tlsplug_conn_write(p.cl, msg, sizeof(msg), &n),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_conn_write(p.sv, msg, sizeof(msg), &n),
		                 TLSPLUG_OK);
		pump(p.cl, p.sv);
		ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
		                 TLSPLUG_WANT_READ);
	}
	tlsplug__alloc_fail_at(1);
	for (int i = 0; i < 1000; i++) {
		size_t len = 1 + (size_t)(i * 17) % sizeof(msg);

		ck_assert_int_eq(tlsplug_conn_write(p.cl, msg, len, &n),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_conn_write(p.sv, msg, len, &n),
		                 TLSPLUG_OK);
		pump(p.cl, p.sv);
		ck_assert_int_eq(tlsplug_conn_read(p.sv, buf, sizeof(buf), &n),
		                 TLSPLUG_OK);
		ck_assert_uint_eq(n, len);
		ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
		                 TLSPLUG_WANT_READ);
		(void)tlsplug_conn_alpn(p.cl);
		(void)tlsplug_conn_peer_subject(p.cl);
		(void)tlsplug_conn_server_name(p.sv);
	}
	/* Still armed: nothing was allocated. */
	ck_assert_ptr_null(tlsplug__malloc(1));
	tlsplug__alloc_fail_at(0);
	pair_close(&p);
}
END_TEST

/* An idle connection (a read found nothing) gives its ciphertext buffers
 * back: the next write has to allocate again. */
START_TEST(test_idle_connection_releases_buffers)
{
	struct pair p;
	unsigned char msg[64], buf[64];
	size_t n;
	void *q;
	int rc;

	memset(msg, 'm', sizeof(msg));
	pair_open(&p, "www.mock.test");
	ck_assert_int_eq(tlsplug_conn_write(p.sv, msg, sizeof(msg), &n),
	                 TLSPLUG_OK);
	pump(p.cl, p.sv);
	ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_read(p.cl, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	tlsplug__alloc_fail_at(1);
	rc = tlsplug_conn_write(p.cl, msg, sizeof(msg), &n);
	/* The armed failure was met inside the write. */
	q = tlsplug__malloc(1);
	tlsplug__alloc_fail_at(0);
	ck_assert_ptr_nonnull(q);
	tlsplug__free(q);
	ck_assert_int_ne(rc, TLSPLUG_OK);
	pair_close(&p);
}
END_TEST

/* ---- capability refusals -------------------------------------------- */

static struct tlsplug_backend_descriptor limited_desc;
static struct tlsplug_backend limited;

static const struct tlsplug_backend *
without(uint64_t cap)
{
	limited_desc = mock_desc;
	limited_desc.caps &= ~cap;
	limited = mock_backend;
	limited.d = &limited_desc;
	return &limited;
}

static void
assert_refused(const struct tlsplug_backend *be, enum tlsplug_role role,
               struct tlsplug_config *cfg, int code, const char *needle)
{
	struct tlsplug_context *ctx = (void *)1;
	struct tlsplug_error *e = NULL;
	int before = stats->ctx_inits;

	ck_assert_int_eq(tlsplug_context_new(be, role, cfg, &ctx, &e), code);
	ck_assert_ptr_null(ctx);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), code);
	ck_assert_msg(strstr(tlsplug_error_message(e), needle) != NULL,
	              "'%s' lacks '%s'", tlsplug_error_message(e), needle);
	if (code == TLSPLUG_ERR_UNSUPPORTED)
		ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e), "mock"));
	tlsplug_error_free(e);
	/* Refused before the plugin saw anything. */
	ck_assert_int_eq(stats->ctx_inits, before);
	tlsplug_config_unref(cfg);
}

START_TEST(test_caps_refused)
{
	const char *h2[] = { "h2" };
	struct tlsplug_config_builder *b;
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_private_key *k = NULL;

	/* role: no server group, or no server capability */
	limited_desc = mock_desc;
	limited_desc.server_context = NULL;
	limited = mock_backend;
	limited.d = &limited_desc;
	assert_refused(&limited, TLSPLUG_SERVER, build(server_builder()),
	               TLSPLUG_ERR_UNSUPPORTED, "server role");
	assert_refused(without(TLSPLUG_CAP_CLIENT), TLSPLUG_CLIENT,
	               build(tlsplug_config_builder_new()),
	               TLSPLUG_ERR_UNSUPPORTED, "client role");

	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_insecure_no_validation(b, 1);
	assert_refused(without(TLSPLUG_CAP_NO_VALIDATION), TLSPLUG_CLIENT,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "validation");

	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_alpn(b, h2, 1);
	assert_refused(without(TLSPLUG_CAP_ALPN), TLSPLUG_CLIENT, build(b),
	               TLSPLUG_ERR_UNSUPPORTED, "ALPN");

	b = server_builder();
	tlsplug_config_builder_set_sni_callback(b,
	    (tlsplug_sni_cb)(void (*)(void))mock_engine_version, NULL);
	assert_refused(without(TLSPLUG_CAP_SNI_CALLBACK), TLSPLUG_SERVER,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "SNI");

	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_min_version(b, TLSPLUG_VERSION_TLSv1_3);
	assert_refused(without(TLSPLUG_CAP_TLS1_3), TLSPLUG_CLIENT, build(b),
	               TLSPLUG_ERR_UNSUPPORTED, "TLSv1.3");
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_max_version(b, TLSPLUG_VERSION_TLSv1_1);
	tlsplug_config_builder_set_min_version(b, TLSPLUG_VERSION_TLSv1);
	assert_refused(without(TLSPLUG_CAP_TLS1_0 | TLSPLUG_CAP_TLS1_1),
	               TLSPLUG_CLIENT, build(b), TLSPLUG_ERR_UNSUPPORTED,
	               "version");

	c = mock_cert_handle("other.mock.test");
	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_pem,
	    strlen(key_pem), &k, NULL), TLSPLUG_OK);
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	assert_refused(without(TLSPLUG_CAP_CLIENT_CERT), TLSPLUG_CLIENT,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "client cert");

	ck_assert_int_eq(tlsplug_trust_store_from_buffer(cert_pem,
	    strlen(cert_pem), &t, NULL), TLSPLUG_OK);
	b = server_builder();
	tlsplug_config_builder_set_trust_store(b, t);
	assert_refused(without(TLSPLUG_CAP_CLIENT_CERT), TLSPLUG_SERVER,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "client cert");

	b = server_builder();
	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	assert_refused(without(TLSPLUG_CAP_MULTI_CHAIN), TLSPLUG_SERVER,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "chains");
	tlsplug_private_key_unref(k);

	/* Revocation: the smallest well-formed CRL and OCSP response the
	 * core's framing check takes (the mock never parses them). */
	{
		static const unsigned char crl_der[] = {
			0x30, 0x24, 0x30, 0x18, 0x30, 0x05, 0x06, 0x03, 0x2a,
			0x03, 0x04, 0x30, 0x00, 0x17, 0x0d, '2', '5', '0', '1',
			'0', '1', '0', '0', '0', '0', '0', '0', 'Z', 0x30, 0x05,
			0x06, 0x03, 0x2a, 0x03, 0x04, 0x03, 0x01, 0x00,
		};
		static const unsigned char ocsp_der[] = {
			0x30, 0x1d, 0x0a, 0x01, 0x00, 0xa0, 0x18, 0x30, 0x16,
			0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30,
			0x01, 0x01, 0x04, 0x09, 0x30, 0x07, 0x30, 0x00, 0x30,
			0x00, 0x03, 0x01, 0x00,
		};
		struct tlsplug_crl *crl = NULL;

		ck_assert_int_eq(tlsplug_crl_from_buffer(crl_der,
		    sizeof(crl_der), &crl, NULL), TLSPLUG_OK);
		ck_assert_uint_eq(tlsplug_crl_count(crl), 1);
		b = tlsplug_config_builder_new();
		ck_assert_int_eq(tlsplug_config_builder_add_crl(b, crl),
		                 TLSPLUG_OK);
		assert_refused(without(TLSPLUG_CAP_CRL), TLSPLUG_CLIENT,
		               build(b), TLSPLUG_ERR_UNSUPPORTED, "(CRL)");
		b = server_builder();
		tlsplug_config_builder_add_crl(b, crl);
		assert_refused(without(TLSPLUG_CAP_CRL), TLSPLUG_SERVER,
		               build(b), TLSPLUG_ERR_UNSUPPORTED, "(CRL)");
		tlsplug_crl_unref(crl);

		b = tlsplug_config_builder_new();
		ck_assert_int_eq(tlsplug_config_builder_set_ocsp_mode(b,
		    TLSPLUG_OCSP_CHECK), TLSPLUG_OK);
		assert_refused(without(TLSPLUG_CAP_OCSP_CHECK), TLSPLUG_CLIENT,
		               build(b), TLSPLUG_ERR_UNSUPPORTED,
		               "(OCSP check)");
		b = server_builder();
		ck_assert_int_eq(tlsplug_config_builder_set_ocsp_staple(b,
		    ocsp_der, sizeof(ocsp_der)), TLSPLUG_OK);
		assert_refused(without(TLSPLUG_CAP_OCSP_STAPLE),
		               TLSPLUG_SERVER, build(b),
		               TLSPLUG_ERR_UNSUPPORTED, "(OCSP stapling)");
	}

	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_enc_pem,
	    strlen(key_enc_pem), &k, NULL), TLSPLUG_OK);
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	assert_refused(without(TLSPLUG_CAP_KEY_PASSWORD), TLSPLUG_SERVER,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "encrypted");
	tlsplug_private_key_unref(k);
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_password(
	    key_enc_pem, strlen(key_enc_pem), "pw", 2, &k, NULL), TLSPLUG_OK);
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	assert_refused(without(TLSPLUG_CAP_KEY_PASSWORD), TLSPLUG_CLIENT,
	               build(b), TLSPLUG_ERR_UNSUPPORTED, "encrypted");
	tlsplug_private_key_unref(k);
	/* A password given for a key that is not encrypted is dropped, so it
	 * needs no key-password capability. */
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_password(key_pem,
	    strlen(key_pem), "pw", 2, &k, NULL), TLSPLUG_OK);
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	{
		struct tlsplug_config *cfg = build(b);
		struct tlsplug_context *ctx = NULL;

		ck_assert_int_eq(tlsplug_context_new(
		    without(TLSPLUG_CAP_KEY_PASSWORD), TLSPLUG_CLIENT, cfg,
		    &ctx, NULL), TLSPLUG_OK);
		tlsplug_context_unref(ctx);
		tlsplug_config_unref(cfg);
	}

	assert_refused(without(TLSPLUG_CAP_SYSTEM_TRUST), TLSPLUG_CLIENT,
	               build(tlsplug_config_builder_new()),
	               TLSPLUG_ERR_UNSUPPORTED, "system trust");

	/* A server needs a certificate. */
	assert_refused(&mock_backend, TLSPLUG_SERVER,
	               build(tlsplug_config_builder_new()),
	               TLSPLUG_ERR_INVALID, "certificate chain");

	/* A rejected backend record is not used. */
	limited = mock_backend;
	limited.state = TLSPLUG_BACKEND_REJECTED;
	limited.reject_reason = (char *)"bad ABI";
	assert_refused(&limited, TLSPLUG_CLIENT,
	               build(tlsplug_config_builder_new()),
	               TLSPLUG_ERR_PLUGIN, "bad ABI");

	tlsplug_certificate_unref(c);
	tlsplug_private_key_unref(k);
	tlsplug_trust_store_unref(t);
}
END_TEST

/* With the capability present the same configs are accepted. */
START_TEST(test_caps_accepted)
{
	struct tlsplug_config_builder *b = server_builder();
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_context *ctx;

	ck_assert_int_eq(tlsplug_trust_store_from_buffer(cert_pem,
	    strlen(cert_pem), &t, NULL), TLSPLUG_OK);
	tlsplug_config_builder_set_trust_store(b, t);
	tlsplug_trust_store_unref(t);
	ctx = context(&mock_backend, TLSPLUG_SERVER, build(b));
	/* Server rule: validate && explicit trust store. */
	ck_assert_int_eq(stats->last_verify_peer, 1);
	ck_assert_int_eq(tlsplug_context_role(ctx), TLSPLUG_SERVER);
	ck_assert_ptr_eq(tlsplug_context_backend(ctx), &mock_backend);
	ck_assert_int_eq(tlsplug_config_cert_chain_count(
	    tlsplug_context_config(ctx)), 1);
	ck_assert_ptr_eq(tlsplug_context_ref(ctx), ctx);
	tlsplug_context_unref(ctx);
	tlsplug_context_unref(ctx);

	ctx = context(&mock_backend, TLSPLUG_SERVER, build(server_builder()));
	ck_assert_int_eq(stats->last_verify_peer, 0);
	tlsplug_context_unref(ctx);
	/* Client: verify_peer follows validate. */
	ctx = context(&mock_backend, TLSPLUG_CLIENT,
	              build(tlsplug_config_builder_new()));
	ck_assert_int_eq(stats->last_verify_peer, 1);
	tlsplug_context_unref(ctx);

	tlsplug_context_unref(NULL);
	ck_assert_ptr_null(tlsplug_context_ref(NULL));
	ck_assert_ptr_null(tlsplug_context_backend(NULL));
	ck_assert_ptr_null(tlsplug_context_config(NULL));
}
END_TEST

START_TEST(test_context_bad_arguments)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;
	struct tlsplug_config *cfg = build(tlsplug_config_builder_new());

	ck_assert_int_eq(tlsplug_context_new(&mock_backend, TLSPLUG_CLIENT,
	                                     NULL, &ctx, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_context_new(&mock_backend, TLSPLUG_CLIENT,
	                                     cfg, NULL, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_context_new(&mock_backend,
	                                     (enum tlsplug_role)7, cfg, &ctx,
	                                     &e), TLSPLUG_ERR_INVALID);
	tlsplug_error_free(e);
	ck_assert_ptr_null(ctx);
	tlsplug_config_unref(cfg);
}
END_TEST

START_TEST(test_context_init_failure)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;
	struct tlsplug_config *cfg;
	uint16_t dead = 0xDEAD;

	tlsplug_config_builder_set_ciphers(b, &dead, 1);
	cfg = build(b);
	ck_assert_int_eq(tlsplug_context_new(&mock_backend, TLSPLUG_CLIENT,
	                                     cfg, &ctx, &e),
	                 TLSPLUG_ERR_UNSUPPORTED);
	ck_assert_ptr_null(ctx);
	ck_assert_str_eq(tlsplug_error_message(e),
	                 "mock: no usable cipher suite");
	ck_assert_str_eq(tlsplug_error_backend(e), "mock");
	tlsplug_error_free(e);
	tlsplug_config_unref(cfg);
	ck_assert_int_eq(stats->ctx_finis, stats->ctx_inits);
}
END_TEST

/* ---- SNI ------------------------------------------------------------ */

static struct tlsplug_config *alt_a, *alt_b;
static int sni_calls;
static char sni_seen[64];

static struct tlsplug_config *
pick(struct tlsplug_conn *c, const char *name,
     const struct tlsplug_config *orig, void *data)
{
	(void)orig;
	ck_assert_ptr_eq(data, &sni_calls);
	ck_assert_ptr_nonnull(tlsplug_conn_context(c));
	__atomic_add_fetch(&sni_calls, 1, __ATOMIC_RELAXED);
	snprintf(sni_seen, sizeof(sni_seen), "%s", name ? name : "(none)");
	if (name == NULL)
		return tlsplug_config_ref((struct tlsplug_config *)orig);
	if (strcmp(name, "refuse.mock.test") == 0)
		return NULL;
	if (name[0] == 'a') {
		/* A new but equal config each time: the slot is shared. */
		struct tlsplug_config_builder *b = tlsplug_config_edit(alt_a);
		struct tlsplug_config *cfg = build(b);

		return cfg;
	}
	return tlsplug_config_ref(alt_b);
}

static struct tlsplug_context *
sni_server(void)
{
	struct tlsplug_config_builder *b = server_builder();
	const char *proto[] = { "h2" };


	tlsplug_config_builder_set_alpn(b, proto, 1);
	alt_a = build(b);
	b = server_builder();
	tlsplug_config_builder_set_alpn(b, (const char *[]){ "http/1.1" }, 1);
	alt_b = build(b);
	b = server_builder();
	tlsplug_config_builder_set_sni_callback(b, pick, &sni_calls);
	return context(&mock_backend, TLSPLUG_SERVER, build(b));
}

static int
sni_handshake(struct tlsplug_context *sctx, const char *host,
              const char **alpn, int *client_rc)
{
	const char *protos[] = { "http/1.1", "h2" };
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_context *cctx;
	struct tlsplug_conn *cl, *sv;
	static char alpn_copy[32];
	int src, crc;

	tlsplug_config_builder_set_alpn(cb, protos, 2);
	tlsplug_config_builder_set_insecure_no_validation(cb, 1);
	cctx = context(&mock_backend, TLSPLUG_CLIENT, build(cb));
	cl = conn(cctx, host);
	sv = conn(sctx, NULL);
	crc = handshake(cl, sv, &src);
	if (client_rc != NULL)
		*client_rc = crc;
	snprintf(alpn_copy, sizeof(alpn_copy), "%s",
	         tlsplug_conn_alpn(sv) ? tlsplug_conn_alpn(sv) : "none");
	if (alpn != NULL)
		*alpn = alpn_copy;
	if (src == TLSPLUG_ERR_HANDSHAKE_REFUSED)
		ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
		    tlsplug_conn_error(sv)), "refuse.mock.test"));
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	return src;
}

/* The SNI callback hands the core configs; the core builds one plugin
 * context per distinct config and releases them with the context. */
START_TEST(test_sni_slots)
{
	struct tlsplug_context *sctx = sni_server();
	const char *alpn;
	int crc;

	ck_assert_int_eq(sni_handshake(sctx, "a.mock.test", &alpn, NULL),
	                 TLSPLUG_OK);
	ck_assert_str_eq(alpn, "h2");
	ck_assert_str_eq(sni_seen, "a.mock.test");
	ck_assert_int_eq(sni_handshake(sctx, "a.mock.test", &alpn, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(sni_handshake(sctx, "a2.mock.test", NULL, NULL),
	                 TLSPLUG_OK);
	/* The context's own, and one the core built for alt_a. */
	ck_assert_int_eq(stats->server_inits, 2);
	ck_assert_int_eq(sni_handshake(sctx, "b.mock.test", &alpn, NULL),
	                 TLSPLUG_OK);
	ck_assert_str_eq(alpn, "http/1.1");
	ck_assert_int_eq(stats->server_inits, 3);
	ck_assert_int_eq(sni_handshake(sctx, "b.mock.test", NULL, NULL),
	                 TLSPLUG_OK);
	/* No name sent: the callback gets NULL. */
	ck_assert_int_eq(sni_handshake(sctx, NULL, &alpn, NULL), TLSPLUG_OK);
	ck_assert_str_eq(sni_seen, "(none)");
	ck_assert_str_eq(alpn, "none");
	/* The callback returned the context's own config: nothing built. */
	ck_assert_int_eq(stats->server_inits, 3);
	/* Refusal: the server fails, the client sees unrecognized_name. */
	ck_assert_int_eq(sni_handshake(sctx, "refuse.mock.test", NULL, &crc),
	                 TLSPLUG_ERR_HANDSHAKE_REFUSED);
	ck_assert_int_eq(crc, TLSPLUG_ERR_ALERT_RECEIVED);
	ck_assert_int_eq(sni_calls, 7);
	/* Two ClientHellos on one connection: one callback. */
	ck_assert_int_eq(sni_handshake(sctx, "hrr.mock.test", NULL, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(sni_calls, 8);
	ck_assert_int_eq(stats->server_inits, 3);
	ck_assert_int_eq(stats->ctx_finis, stats->ctx_inits - 3);
	/* The core releases the contexts it built with the context. */
	tlsplug_context_unref(sctx);
	ck_assert_int_eq(stats->ctx_finis, stats->ctx_inits);
	tlsplug_config_unref(alt_a);
	tlsplug_config_unref(alt_b);
}
END_TEST

/* A config from the callback that the backend cannot honour is refused. */
START_TEST(test_sni_config_checked)
{
	struct tlsplug_context *sctx;
	int crc;

	limited_desc = mock_desc;
	limited = mock_backend;
	limited.d = &limited_desc;
	sctx = sni_server();
	tlsplug_context_unref(sctx);
	/* Same server, on a backend without ALPN: alt_a carries ALPN. */
	limited_desc.caps &= ~TLSPLUG_CAP_ALPN;
	{
		struct tlsplug_config_builder *b = server_builder();
		struct tlsplug_context *cctx;
		struct tlsplug_conn *cl, *sv;
		int src;

		tlsplug_config_builder_set_sni_callback(b, pick, &sni_calls);
		sctx = context(&limited, TLSPLUG_SERVER, build(b));
		cctx = context(&mock_backend, TLSPLUG_CLIENT,
		               build(tlsplug_config_builder_new()));
		cl = conn(cctx, "a.mock.test");
		sv = conn(sctx, NULL);
		crc = handshake(cl, sv, &src);
		ck_assert_int_eq(src, TLSPLUG_ERR_UNSUPPORTED);
		ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
		    tlsplug_conn_error(sv)), "ALPN"));
		ck_assert_int_eq(crc, TLSPLUG_ERR_ALERT_RECEIVED);
		tlsplug_conn_free(cl);
		tlsplug_conn_free(sv);
		tlsplug_context_unref(cctx);
		tlsplug_context_unref(sctx);
	}
	tlsplug_config_unref(alt_a);
	tlsplug_config_unref(alt_b);
}
END_TEST

/* Several threads share one server context: the slot table stays
 * consistent (one slot per distinct config). */
static void *
sni_thread(void *arg)
{
	struct tlsplug_context *sctx = arg;

	for (int i = 0; i < 25; i++)
		if (sni_handshake(sctx, i % 2 ? "a.mock.test" : "b.mock.test",
		                  NULL, NULL) != TLSPLUG_OK)
			return (void *)1;
	return NULL;
}

START_TEST(test_sni_threads)
{
	struct tlsplug_context *sctx = sni_server();
	pthread_t th[4];

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, sni_thread, sctx),
		                 0);
	for (int i = 0; i < 4; i++) {
		void *res;

		ck_assert_int_eq(pthread_join(th[i], &res), 0);
		ck_assert_ptr_null(res);
	}
	ck_assert_int_eq(sni_calls, 100);
	/* One context per distinct config, however many threads raced. */
	ck_assert_int_eq(stats->server_inits, 3);
	tlsplug_context_unref(sctx);
	ck_assert_int_eq(stats->ctx_finis, stats->ctx_inits);
	tlsplug_config_unref(alt_a);
	tlsplug_config_unref(alt_b);
}
END_TEST

/* A config the SNI callback returns that the plugin's context init
 * refuses: the handshake fails with the plugin's reason, nothing is kept,
 * and the next handshake tries again. */
static struct tlsplug_config *
pick_unusable(struct tlsplug_conn *c, const char *name,
              const struct tlsplug_config *orig, void *data)
{
	struct tlsplug_config_builder *b = tlsplug_config_edit(orig);
	uint16_t dead = 0xDEAD;

	(void)c;
	(void)name;
	(void)data;
	tlsplug_config_builder_set_sni_callback(b, NULL, NULL);
	tlsplug_config_builder_set_ciphers(b, &dead, 1);
	return build(b);
}

START_TEST(test_sni_context_init_failure)
{
	struct tlsplug_config_builder *b = server_builder();
	struct tlsplug_context *sctx, *cctx;

	tlsplug_config_builder_set_sni_callback(b, pick_unusable, NULL);
	sctx = context(&mock_backend, TLSPLUG_SERVER, build(b));
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_insecure_no_validation(b, 1);
	cctx = context(&mock_backend, TLSPLUG_CLIENT, build(b));
	for (int round = 0; round < 2; round++) {
		struct tlsplug_conn *cl = conn(cctx, "x.mock.test");
		struct tlsplug_conn *sv = conn(sctx, NULL);
		int src;

		ck_assert_int_eq(handshake(cl, sv, &src),
		                 TLSPLUG_ERR_ALERT_RECEIVED);
		ck_assert_int_eq(src, TLSPLUG_ERR_UNSUPPORTED);
		ck_assert_str_eq(tlsplug_error_message(tlsplug_conn_error(sv)),
		                 "mock: no usable cipher suite");
		tlsplug_conn_free(cl);
		tlsplug_conn_free(sv);
	}
	ck_assert_int_eq(stats->server_inits, 1);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
	ck_assert_int_eq(stats->ctx_finis, stats->ctx_inits);
}
END_TEST

/* The core picks the chain whose leaf names match the client's server
 * name (RFC 9525), else the first. */
START_TEST(test_chain_pick)
{
	static const char *const sans[] = {
		"a.example", "*.b.example", "c.example",
	};
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_config *cfg;

	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_pem,
	    strlen(key_pem), &k, NULL), TLSPLUG_OK);
	for (size_t i = 0; i < 3; i++) {
		struct tlsplug_certificate *c = mock_cert_handle(sans[i]);

		ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b, c,
		    NULL, k), TLSPLUG_OK);
		tlsplug_certificate_unref(c);
	}
	cfg = build(b);
	ck_assert_uint_eq(tlsplug__config_pick_chain(cfg, "a.example"), 0);
	ck_assert_uint_eq(tlsplug__config_pick_chain(cfg, "x.b.example"), 1);
	ck_assert_uint_eq(tlsplug__config_pick_chain(cfg, "C.EXAMPLE"), 2);
	ck_assert_uint_eq(tlsplug__config_pick_chain(cfg, "b.example"), 0);
	ck_assert_uint_eq(tlsplug__config_pick_chain(cfg, "y.x.b.example"),
	                  0);
	ck_assert_uint_eq(tlsplug__config_pick_chain(cfg, NULL), 0);
	tlsplug_config_unref(cfg);

	/* Several chains: a leaf the core cannot read is refused at build
	 * time, naming it (one chain needs no names). */
	b = server_builder();
	{
		struct tlsplug_certificate *c = NULL;
		struct tlsplug_config *bad = NULL;

		ck_assert_int_eq(tlsplug_certificate_from_buffer(cert_pem,
		    strlen(cert_pem), &c, NULL), TLSPLUG_OK);
		tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
		ck_assert_int_eq(tlsplug_config_builder_build(b, &bad),
		                 TLSPLUG_ERR_BAD_CERTIFICATE);
		ck_assert_ptr_null(bad);
		ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
		    tlsplug_config_builder_error(b)), "(buffer)"));
		tlsplug_certificate_unref(c);
	}
	tlsplug_config_builder_free(b);
	tlsplug_private_key_unref(k);
}
END_TEST

/* Allocation failures while creating contexts and connections give NOMEM
 * and leak nothing. */
START_TEST(test_allocation_failures)
{
	struct tlsplug_config *cfg = build(server_builder());
	int done = 0;

	for (unsigned long n = 1; n < 30 && !done; n++) {
		struct tlsplug_context *ctx = NULL;
		struct tlsplug_conn *c = NULL;
		int rc;

		tlsplug__alloc_fail_at(n);
		rc = tlsplug_context_new(&mock_backend, TLSPLUG_SERVER, cfg,
		                         &ctx, NULL);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_conn_new(ctx, NULL, &c, NULL);
		tlsplug__alloc_fail_at(0);
		if (rc == TLSPLUG_OK)
			done = 1;
		else
			ck_assert_int_eq(rc, TLSPLUG_ERR_NOMEM);
		tlsplug_conn_free(c);
		tlsplug_context_unref(ctx);
	}
	ck_assert(done);
	tlsplug_config_unref(cfg);
}
END_TEST

/* Each test starts from zero counters, forked or not (CK_FORK=no). */
static void
reset_counters(void)
{
	memset(stats, 0, sizeof(*stats));
	stats->last_verify_peer = -1;
	sni_calls = 0;
}

int
main(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("mock");
	struct tlsplug_error err = { .alert = -1 };
	SRunner *sr;
	int failed;

	if (mock_desc.init(tlsplug__core_services(), &err) != TLSPLUG_OK)
		return 99;
	tcase_add_test(tc, test_handshake_and_data);
	tcase_add_test(tc, test_sni_name_decided_by_core);
	tcase_add_test(tc, test_large_transfer_short_writes);
	tcase_add_test(tc, test_implicit_handshake);
	tcase_add_test(tc, test_sticky_error_and_alert);
	tcase_add_test(tc, test_no_validation_skips_check);
	tcase_add_test(tc, test_close_notify);
	tcase_add_test(tc, test_ragged_eof);
	tcase_add_test(tc, test_misuse);
	tcase_add_test(tc, test_no_allocation_in_steady_state);
	tcase_add_test(tc, test_idle_connection_releases_buffers);
	tcase_add_test(tc, test_caps_refused);
	tcase_add_test(tc, test_caps_accepted);
	tcase_add_test(tc, test_context_bad_arguments);
	tcase_add_test(tc, test_context_init_failure);
	tcase_add_test(tc, test_sni_slots);
	tcase_add_test(tc, test_sni_config_checked);
	tcase_add_test(tc, test_sni_threads);
	tcase_add_test(tc, test_sni_context_init_failure);
	tcase_add_test(tc, test_chain_pick);
	tcase_add_test(tc, test_allocation_failures);
	tcase_add_checked_fixture(tc, reset_counters, NULL);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
