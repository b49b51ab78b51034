/*
 * check_identity.c -- the config settings about the peer's identity, in the
 * core alone: public-key pins (curl's sha256//BASE64 form, one precise
 * error per bad item), the verify callback and the server's client
 * certificate mode (equality, hashing, the rule for AUTO, what build()
 * refuses), the peer-chain calls' misuse answers, and the tlsplug.conf
 * keys pin and client_cert.  The handshakes that
 * use them run in the conformance suite on every backend.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "internal.h"
#include "peer.h"
#include "registry.h"
#include "ck_run.h"

/* Base64 of the bytes 0, 1, ..., 31 (and of 0..32: 33 bytes). */
#define PIN_0_31 "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PIN_33 "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
/* 32 bytes of 0xff. */
#define PIN_FF "sha256//" "//////////////////////////////////////////8="

/* A PEM certificate block: handles check the framing only. */
static const char fake_pem[] =
	"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

static struct tlsplug_config *
build_ok(struct tlsplug_config_builder *b)
{
	struct tlsplug_config *c = NULL;

	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	return c;
}

/* The builder's error message contains want. */
static void
error_says(struct tlsplug_config_builder *b, int code, const char *want)
{
	const struct tlsplug_error *e = tlsplug_config_builder_error(b);

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), code);
	ck_assert_msg(strstr(tlsplug_error_message(e), want) != NULL,
	              "message \"%s\" does not say \"%s\"",
	              tlsplug_error_message(e), want);
}

START_TEST(test_pin_roundtrip)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const unsigned char (*h)[32];
	unsigned char raw[32];
	char text[TLSPLUG__PIN_TEXT_SIZE];
	struct tlsplug_config *c;

	for (int i = 0; i < 32; i++)
		raw[i] = (unsigned char)i;
	tlsplug__pin_text(raw, text);
	ck_assert_str_eq(text, PIN_0_31);
	ck_assert_int_eq(tlsplug_config_builder_add_pins(b, PIN_0_31),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_add_pin_sha256(b, raw),
	                 TLSPLUG_OK);
	c = build_ok(b);
	ck_assert_uint_eq(tlsplug_config_pins(c, &h), 2);
	ck_assert_mem_eq(h[0], raw, 32);
	ck_assert_mem_eq(h[1], raw, 32);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_pin_list)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const unsigned char (*h)[32];
	struct tlsplug_config *c;

	ck_assert_int_eq(tlsplug_config_builder_add_pins(b,
	    " " PIN_0_31 " , " PIN_FF ";" PIN_0_31 "\t"), TLSPLUG_OK);
	c = build_ok(b);
	ck_assert_uint_eq(tlsplug_config_pins(c, &h), 3);
	ck_assert_uint_eq(h[1][0], 0xff);
	ck_assert_uint_eq(h[1][31], 0xff);
	ck_assert_uint_eq(h[2][31], 31);
	tlsplug_config_unref(c);
	ck_assert_int_eq(tlsplug_config_builder_clear_pins(b), TLSPLUG_OK);
	c = build_ok(b);
	ck_assert_uint_eq(tlsplug_config_pins(c, NULL), 0);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

/* Each bad pin list: the error and words of its message. */
static const struct {
	const char *pins;
	const char *says;
} bad_pins[] = {
	{ "", "pin list is empty" },
	{ "  ", "pin list is empty" },
	{ PIN_0_31 ",," PIN_FF, "item 2 is empty" },
	{ PIN_0_31 ",", "item 2 is empty" },
	{ "," PIN_0_31, "item 1 is empty" },
	{ "sha256//!!!!", "not valid base64 (at character 1" },
	{ "sha256//AAAA=AAA", "not valid base64" },
	{ "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "base64" },
	{ "sha256//AAAA", "decodes to 3 bytes, a SHA-256 hash is 32" },
	{ PIN_33, "decodes to more than 32 bytes" },
	{ "sha256//", "no hash after sha256//" },
	{ "md5//AAAA", "not of the form sha256//BASE64" },
	{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	  "not of the form sha256//BASE64" },
	{ PIN_0_31 ";sha256//AAAA", "(item 2 of the pin list)" },
};
#define NBAD (sizeof(bad_pins) / sizeof(bad_pins[0]))

START_TEST(test_pin_bad)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *c;

	ck_assert_int_eq(tlsplug_config_builder_add_pins(b, PIN_FF),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_add_pins(b, bad_pins[_i].pins),
	                 TLSPLUG_ERR_INVALID);
	error_says(b, TLSPLUG_ERR_INVALID, bad_pins[_i].says);
	/* All or nothing: the earlier pin only. */
	c = build_ok(b);
	ck_assert_uint_eq(tlsplug_config_pins(c, NULL), 1);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_pin_null)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();

	ck_assert_int_eq(tlsplug_config_builder_add_pins(NULL, PIN_FF),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_add_pins(b, NULL),
	                 TLSPLUG_ERR_INVALID);
	error_says(b, TLSPLUG_ERR_INVALID, "pin list is NULL");
	ck_assert_int_eq(tlsplug_config_builder_add_pin_sha256(b, NULL),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_clear_pins(NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_uint_eq(tlsplug_config_pins(NULL, NULL), 0);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_pin_nomem)
{
	/* Every allocation of add_pins and build failing in turn: a clean
	 * error each time, nothing leaked (valgrind, ASan). */
	for (unsigned long n = 1; n < 20; n++) {
		struct tlsplug_config_builder *b = tlsplug_config_builder_new();
		struct tlsplug_config *c = NULL;
		int rc;

		ck_assert_ptr_nonnull(b);
		tlsplug__alloc_fail_at(n);
		rc = tlsplug_config_builder_add_pins(b, PIN_0_31 "," PIN_FF);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_config_builder_build(b, &c);
		tlsplug__alloc_fail_at(0);
		ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_ERR_NOMEM);
		tlsplug_config_unref(c);
		tlsplug_config_builder_free(b);
	}
}
END_TEST

static int
cb_a(struct tlsplug_conn *conn, const struct tlsplug_der *chain, size_t n,
     int verdict, void *user_data)
{
	(void)conn; (void)chain; (void)n; (void)user_data;
	return verdict;
}

static int
cb_b(struct tlsplug_conn *conn, const struct tlsplug_der *chain, size_t n,
     int verdict, void *user_data)
{
	(void)conn; (void)chain; (void)n; (void)verdict; (void)user_data;
	return TLSPLUG_ERR_CERT_INVALID;
}

/* Two configs from the same builder steps are equal, with equal hashes;
 * changing one setting makes them differ. */
START_TEST(test_equal_hash)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *base, *same, *other;
	int data = 0;

	tlsplug_config_builder_add_pins(b, PIN_0_31);
	tlsplug_config_builder_set_verify_callback(b, cb_a, &data);
	base = build_ok(b);
	same = build_ok(b);
	ck_assert(tlsplug_config_equal(base, same));
	ck_assert_uint_eq(tlsplug_config_hash(base), tlsplug_config_hash(same));

	switch (_i) {
	case 0:
		tlsplug_config_builder_add_pins(b, PIN_FF);
		break;
	case 1:
		tlsplug_config_builder_set_verify_callback(b, cb_b, &data);
		break;
	case 2:
		tlsplug_config_builder_set_verify_callback(b, cb_a, NULL);
		break;
	case 3:
		tlsplug_config_builder_set_client_cert_mode(b,
		    TLSPLUG_CLIENT_CERT_NONE);
		break;
	default:
		tlsplug_config_builder_clear_pins(b);
		break;
	}
	other = build_ok(b);
	ck_assert(!tlsplug_config_equal(base, other));
	ck_assert_uint_ne(tlsplug_config_hash(base), tlsplug_config_hash(other));
	tlsplug_config_unref(base);
	tlsplug_config_unref(same);
	tlsplug_config_unref(other);
	tlsplug_config_builder_free(b);
}
END_TEST

/* edit() (PEP 543 update()) keeps every identity setting. */
START_TEST(test_edit_keeps)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new(), *e;
	struct tlsplug_config *c, *d;
	int data = 0;

	tlsplug_config_builder_add_pins(b, PIN_0_31 "," PIN_FF);
	tlsplug_config_builder_set_verify_callback(b, cb_a, &data);
	tlsplug_config_builder_set_client_cert_mode(b,
	    TLSPLUG_CLIENT_CERT_REQUEST);
	c = build_ok(b);
	e = tlsplug_config_edit(c);
	ck_assert_ptr_nonnull(e);
	d = build_ok(e);
	ck_assert(tlsplug_config_equal(c, d));
	ck_assert_uint_eq(tlsplug_config_pins(d, NULL), 2);
	ck_assert_int_eq(tlsplug_config_client_cert_mode(d),
	                 TLSPLUG_CLIENT_CERT_REQUEST);
	tlsplug_config_unref(c);
	tlsplug_config_unref(d);
	tlsplug_config_builder_free(b);
	tlsplug_config_builder_free(e);
}
END_TEST

/* The ALPN mismatch rule: set, read back, part of equal() and hash(),
 * kept by edit; bad values refused; names both ways. */
START_TEST(test_alpn_mismatch_setting)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *c = NULL, *d = NULL;
	struct tlsplug_config_builder *e;
	enum tlsplug_alpn_mismatch m;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_alpn_mismatch(c),
	                 TLSPLUG_ALPN_MISMATCH_AUTO);
	ck_assert_int_eq(tlsplug_config_builder_set_alpn_mismatch(b,
	                 (enum tlsplug_alpn_mismatch)7), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "alpn_mismatch"));
	ck_assert_int_eq(tlsplug_config_builder_set_alpn_mismatch(b,
	                 TLSPLUG_ALPN_MISMATCH_CONTINUE), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &d), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_alpn_mismatch(d),
	                 TLSPLUG_ALPN_MISMATCH_CONTINUE);
	ck_assert_int_eq(tlsplug_config_equal(c, d), 0);
	ck_assert(tlsplug_config_hash(c) != tlsplug_config_hash(d));
	e = tlsplug_config_edit(d);
	ck_assert_ptr_nonnull(e);
	tlsplug_config_unref(c);
	ck_assert_int_eq(tlsplug_config_builder_build(e, &c), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_equal(c, d), 1);
	ck_assert_int_eq(tlsplug_config_alpn_mismatch(NULL),
	                 TLSPLUG_ALPN_MISMATCH_AUTO);

	ck_assert_int_eq(tlsplug_alpn_mismatch_parse("ALERT", &m), TLSPLUG_OK);
	ck_assert_int_eq(m, TLSPLUG_ALPN_MISMATCH_ALERT);
	ck_assert_int_eq(tlsplug_alpn_mismatch_parse("continue", &m),
	                 TLSPLUG_OK);
	ck_assert_int_eq(m, TLSPLUG_ALPN_MISMATCH_CONTINUE);
	ck_assert_int_eq(tlsplug_alpn_mismatch_parse("ignore", &m),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_alpn_mismatch_parse(NULL, &m),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_str_eq(tlsplug_alpn_mismatch_name(
	                 TLSPLUG_ALPN_MISMATCH_AUTO), "auto");
	ck_assert_ptr_null(tlsplug_alpn_mismatch_name(
	                   (enum tlsplug_alpn_mismatch)3));
	tlsplug_config_unref(c);
	tlsplug_config_unref(d);
	tlsplug_config_builder_free(b);
	tlsplug_config_builder_free(e);
}
END_TEST

START_TEST(test_client_cert_mode_names)
{
	enum tlsplug_client_cert_mode m;

	ck_assert_int_eq(tlsplug_client_cert_mode_parse("Request", &m),
	                 TLSPLUG_OK);
	ck_assert_int_eq(m, TLSPLUG_CLIENT_CERT_REQUEST);
	ck_assert_int_eq(tlsplug_client_cert_mode_parse("require", &m),
	                 TLSPLUG_OK);
	ck_assert_int_eq(m, TLSPLUG_CLIENT_CERT_REQUIRE);
	ck_assert_int_eq(tlsplug_client_cert_mode_parse("none", &m),
	                 TLSPLUG_OK);
	ck_assert_int_eq(m, TLSPLUG_CLIENT_CERT_NONE);
	ck_assert_int_eq(tlsplug_client_cert_mode_parse("auto", &m),
	                 TLSPLUG_OK);
	ck_assert_int_eq(m, TLSPLUG_CLIENT_CERT_AUTO);
	ck_assert_int_eq(tlsplug_client_cert_mode_parse("optional", &m),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_client_cert_mode_parse(NULL, &m),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_str_eq(tlsplug_client_cert_mode_name(
	    TLSPLUG_CLIENT_CERT_REQUEST), "request");
	ck_assert_ptr_null(tlsplug_client_cert_mode_name(
	    (enum tlsplug_client_cert_mode)9));
}
END_TEST

/* The mode a server context gets: AUTO by the 0.1 rule, the others as
 * set; a mode that verifies needs validation on. */
START_TEST(test_client_cert_effective)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_config *c;

	ck_assert_int_eq(tlsplug_trust_store_from_buffer(fake_pem,
	    sizeof(fake_pem) - 1, &t, NULL), TLSPLUG_OK);
	c = build_ok(b);
	ck_assert_int_eq(tlsplug_config_client_cert_effective(c),
	                 TLSPLUG_CLIENT_CERT_NONE);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 0);
	tlsplug_config_unref(c);
	ck_assert_int_eq(tlsplug_config_client_cert_effective(
	    tlsplug_config_default()), TLSPLUG_CLIENT_CERT_NONE);

	tlsplug_config_builder_set_trust_store(b, t);
	c = build_ok(b);
	ck_assert_int_eq(tlsplug_config_client_cert_effective(c),
	                 TLSPLUG_CLIENT_CERT_REQUIRE);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 1);
	tlsplug_config_unref(c);

	tlsplug_config_builder_set_client_cert_mode(b,
	    TLSPLUG_CLIENT_CERT_REQUEST);
	c = build_ok(b);
	ck_assert_int_eq(tlsplug_config_client_cert_effective(c),
	                 TLSPLUG_CLIENT_CERT_REQUEST);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 1);
	ck_assert_int_eq(tlsplug__config_bview(c)->check_peer_always, 0);
	tlsplug_config_unref(c);

	tlsplug_config_builder_set_client_cert_mode(b,
	    TLSPLUG_CLIENT_CERT_NONE);
	c = build_ok(b);
	ck_assert_int_eq(tlsplug_config_client_cert_effective(c),
	                 TLSPLUG_CLIENT_CERT_NONE);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 0);
	tlsplug_config_unref(c);

	/* Validation off: request and require are refused, none is fine. */
	tlsplug_config_builder_set_insecure_no_validation(b, 1);
	c = build_ok(b);
	tlsplug_config_unref(c);
	tlsplug_config_builder_set_client_cert_mode(b,
	    TLSPLUG_CLIENT_CERT_REQUIRE);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(c);
	error_says(b, TLSPLUG_ERR_INVALID, "client certificate mode "
	           "\"require\" verifies the client's certificate, but "
	           "certificate validation is off");

	ck_assert_int_eq(tlsplug_config_builder_set_client_cert_mode(b,
	    (enum tlsplug_client_cert_mode)7), TLSPLUG_ERR_INVALID);
	error_says(b, TLSPLUG_ERR_INVALID, "7 is not a mode");
	ck_assert_int_eq(tlsplug_config_builder_set_client_cert_mode(NULL,
	    TLSPLUG_CLIENT_CERT_NONE), TLSPLUG_ERR_MISUSE);
	tlsplug_trust_store_unref(t);
	tlsplug_config_builder_free(b);
}
END_TEST

/* Pins or a verify callback make the plugins call check_peer even with
 * validation off. */
START_TEST(test_check_peer_always)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *c;

	c = build_ok(b);
	ck_assert_int_eq(tlsplug__config_bview(c)->check_peer_always, 0);
	tlsplug_config_unref(c);
	tlsplug_config_builder_add_pins(b, PIN_FF);
	c = build_ok(b);
	ck_assert_int_eq(tlsplug__config_bview(c)->check_peer_always, 1);
	tlsplug_config_unref(c);
	tlsplug_config_builder_clear_pins(b);
	tlsplug_config_builder_set_verify_callback(b, cb_a, NULL);
	c = build_ok(b);
	ck_assert_int_eq(tlsplug__config_bview(c)->check_peer_always, 1);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_chain_misuse)
{
	const struct tlsplug_der *certs = (const void *)1;
	size_t n = 5;

	ck_assert_int_eq(tlsplug_conn_peer_chain(NULL, &certs, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_ptr_null(certs);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tlsplug_conn_verified_chain(NULL, &certs, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_verified_chain(NULL, NULL, NULL),
	                 TLSPLUG_ERR_MISUSE);
}
END_TEST

/* ---- tlsplug.conf: pin and client_cert ------------------------------- */

static void
conf_parse(const char *text, const char *app, struct tlsplug__conf *c)
{
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(tlsplug__conf_parse(text, strlen(text), "t.conf", app,
	                                     c), TLSPLUG_OK);
}

static const char *
conf_pins(const struct tlsplug__conf *c, const char *host)
{
	for (size_t i = 0; i < c->npins; i++)
		if (strcmp(c->pins[i].host, host) == 0)
			return c->pins[i].pins.value;
	return NULL;
}

START_TEST(test_conf_keys)
{
	static const char text[] =
		"[default]\n"
		"pin = localhost " PIN_0_31 "\n"
		"pin = other.test " PIN_0_31 " , " PIN_FF "\n"
		"pin = localhost " PIN_FF "\n"
		"client_cert = request\n"
		"[app]\n"
		"pin = other.test " PIN_FF "\n"
		"client_cert = None\n";
	struct tlsplug__conf c;

	conf_parse(text, NULL, &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_uint_eq(c.npins, 2);
	/* A later line for the same host replaces the earlier one. */
	ck_assert_str_eq(conf_pins(&c, "localhost"), PIN_FF);
	ck_assert_str_eq(conf_pins(&c, "other.test"),
	                 PIN_0_31 " , " PIN_FF);
	ck_assert_str_eq(c.client_cert.value, "request");
	ck_assert_str_eq(c.client_cert.source, "t.conf:5");
	tlsplug__conf_clear(&c);

	/* The application's section comes first. */
	conf_parse(text, "app", &c);
	ck_assert_uint_eq(c.npins, 2);
	ck_assert_str_eq(conf_pins(&c, "other.test"), PIN_FF);
	ck_assert_str_eq(conf_pins(&c, "localhost"), PIN_FF);
	ck_assert_str_eq(c.client_cert.value, "None");
	tlsplug__conf_clear(&c);
}
END_TEST

static const struct {
	const char *line;
	const char *says;
} bad_conf[] = {
	{ "pin = localhost", "t.conf:2: pin: expected 'pin = HOST "
	  "sha256//BASE64[,...]'" },
	{ "pin = localhost sha256//AAAA", "t.conf:2: pin for localhost: pin "
	  "\"sha256//AAAA\": decodes to 3 bytes, a SHA-256 hash is 32" },
	{ "pin = h " PIN_FF ",," PIN_FF, "t.conf:2: pin for h: pin list: "
	  "item 2 is empty" },
	{ "pin = h sha256//*", "t.conf:2: pin for h: pin \"sha256//*\": "
	  "not valid base64" },
	{ "client_cert = maybe", "t.conf:2: client_cert 'maybe' is not none, "
	  "request, require or auto" },
	{ "client_cert =", "t.conf:2: empty value for 'client_cert'" },
};
#define NBAD_CONF (sizeof(bad_conf) / sizeof(bad_conf[0]))

START_TEST(test_conf_bad)
{
	char text[256];
	struct tlsplug__conf c;

	/* In [default] and in a section of another application alike. */
	for (int other = 0; other < 2; other++) {
		snprintf(text, sizeof(text), "%s\n%s\n",
		         other ? "[someone-else]" : "[default]",
		         bad_conf[_i].line);
		conf_parse(text, "app", &c);
		ck_assert_uint_eq(c.ndiags, 1);
		ck_assert_msg(strncmp(c.diags[0], bad_conf[_i].says,
		                      strlen(bad_conf[_i].says)) == 0,
		              "diagnostic \"%s\", expected \"%s\"",
		              c.diags[0], bad_conf[_i].says);
		ck_assert_uint_eq(c.npins, 0);
		ck_assert_ptr_null(c.client_cert.value);
		tlsplug__conf_clear(&c);
	}
}
END_TEST

/* The registry's answers: the user's file before the system's. */
START_TEST(test_registry_conf)
{
	char dir[] = "/tmp/check_identity.XXXXXX", sys[64], user[96];
	struct tlsplug_registry *r = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sys, sizeof(sys), "%s/sys.conf", dir);
	snprintf(user, sizeof(user), "%s/user.conf", dir);
	f = fopen(sys, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[default]\npin = a.test " PIN_0_31 "\npin = b.test "
	      PIN_0_31 "\nclient_cert = require\n", f);
	fclose(f);
	f = fopen(user, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[default]\npin = A.TEST. " PIN_FF "\n", f);
	fclose(f);
	ck_assert_int_eq(setenv("TLSPLUG_CONF", user, 1), 0);
	ck_assert_int_eq(tlsplug__registry_new_ex(NULL, sys, &r, NULL),
	                 TLSPLUG_OK);
	ck_assert_str_eq(tlsplug_registry_conf_pins(r, "a.test"), PIN_FF);
	ck_assert_str_eq(tlsplug_registry_conf_pins(r, "a.test."), PIN_FF);
	ck_assert_str_eq(tlsplug_registry_conf_pins(r, "B.test"), PIN_0_31);
	ck_assert_ptr_null(tlsplug_registry_conf_pins(r, "c.test"));
	ck_assert_ptr_null(tlsplug_registry_conf_pins(r, NULL));
	ck_assert_ptr_null(tlsplug_registry_conf_pins(NULL, "a.test"));
	ck_assert_int_eq(tlsplug_registry_conf_client_cert(r),
	                 TLSPLUG_CLIENT_CERT_REQUIRE);
	ck_assert_int_eq(tlsplug_registry_conf_client_cert(NULL),
	                 TLSPLUG_CLIENT_CERT_AUTO);
	tlsplug_registry_free(r);
	unsetenv("TLSPLUG_CONF");
	remove(sys);
	remove(user);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("identity");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_pin_roundtrip);
	tcase_add_test(tc, test_pin_list);
	tcase_add_loop_test(tc, test_pin_bad, 0, NBAD);
	tcase_add_test(tc, test_pin_null);
	tcase_add_test(tc, test_pin_nomem);
	tcase_add_loop_test(tc, test_equal_hash, 0, 5);
	tcase_add_test(tc, test_edit_keeps);
	tcase_add_test(tc, test_alpn_mismatch_setting);
	tcase_add_test(tc, test_client_cert_mode_names);
	tcase_add_test(tc, test_client_cert_effective);
	tcase_add_test(tc, test_check_peer_always);
	tcase_add_test(tc, test_chain_misuse);
	tcase_add_test(tc, test_conf_keys);
	tcase_add_loop_test(tc, test_conf_bad, 0, NBAD_CONF);
	tcase_add_test(tc, test_registry_conf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	if (ck_ran_nothing(sr))
		failed = 1;
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
