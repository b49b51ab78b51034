/* check_config.c -- the config builder and immutable configs. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mock/mockcert.h"
#include "ck_run.h"

/* Handles made from framing-only PEM (the core reads the DER inside only
 * to pick among several chains; the engines parse it, and they are not
 * involved here). */
static const char cert_a[] = "-----BEGIN CERTIFICATE-----\nQUFBQQ==\n"
                             "-----END CERTIFICATE-----\n";
static const char cert_b[] = "-----BEGIN CERTIFICATE-----\nQkJCQg==\n"
                             "-----END CERTIFICATE-----\n";
static const char key_a[] = "-----BEGIN PRIVATE KEY-----\nS0tLSw==\n"
                            "-----END PRIVATE KEY-----\n";
static const char key_enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                              "RUVFRQ==\n-----END ENCRYPTED PRIVATE KEY-----\n";

static struct tlsplug_certificate *
cert(const char *pem)
{
	struct tlsplug_certificate *c = NULL;

	ck_assert_int_eq(tlsplug_certificate_from_buffer(pem, strlen(pem), &c,
	                                                 NULL), TLSPLUG_OK);
	return c;
}

static struct tlsplug_private_key *
key(const char *pem, const char *password)
{
	struct tlsplug_private_key *k = NULL;

	if (password != NULL)
		ck_assert_int_eq(tlsplug_private_key_from_buffer_with_password(
		    pem, strlen(pem), password, strlen(password), &k, NULL),
		    TLSPLUG_OK);
	else
		ck_assert_int_eq(tlsplug_private_key_from_buffer(pem,
		    strlen(pem), &k, NULL), TLSPLUG_OK);
	return k;
}

static struct tlsplug_trust_store *
trust(const char *pem)
{
	struct tlsplug_trust_store *t = NULL;

	ck_assert_int_eq(tlsplug_trust_store_from_buffer(pem, strlen(pem), &t,
	                                                 NULL), TLSPLUG_OK);
	return t;
}

static struct tlsplug_config *
build(struct tlsplug_config_builder *b)
{
	struct tlsplug_config *c = NULL;

	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	ck_assert_ptr_nonnull(c);
	return c;
}

static struct tlsplug_config *
sni_cb(struct tlsplug_conn *conn, const char *name,
       const struct tlsplug_config *orig, void *data)
{
	(void)conn;
	(void)name;
	(void)data;
	return tlsplug_config_ref((struct tlsplug_config *)orig);
}

static struct tlsplug_config *
sni_cb2(struct tlsplug_conn *conn, const char *name,
        const struct tlsplug_config *orig, void *data)
{
	(void)conn;
	(void)name;
	(void)orig;
	(void)data;
	return NULL;
}

START_TEST(test_defaults)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *c = build(b), *d = tlsplug_config_default();
	const struct tlsplug_bconfig *v = tlsplug__config_bview(c);
	const uint16_t *ids = (const uint16_t *)1;
	const char *const *alpn = (const char *const *)1;

	ck_assert_int_eq(tlsplug_config_validates(c), 1);
	ck_assert_int_eq(tlsplug_config_min_version(c),
	                 TLSPLUG_VERSION_TLSv1_2);
	ck_assert_int_eq(tlsplug_config_max_version(c),
	                 TLSPLUG_VERSION_MAXIMUM_SUPPORTED);
	ck_assert_uint_eq(tlsplug_config_ciphers(c, &ids), 0);
	ck_assert_ptr_null(ids);
	ck_assert_uint_eq(tlsplug_config_alpn(c, &alpn), 0);
	ck_assert_ptr_null(alpn);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(c), 0);
	ck_assert_ptr_null(tlsplug__config_sni_cb(c, NULL));
	ck_assert_int_eq(tlsplug__config_trust_explicit(c), 0);
	ck_assert_ptr_null(tlsplug_config_builder_error(b));

	ck_assert_int_eq(v->validate, 1);
	ck_assert_int_eq(v->verify_peer, 0);
	ck_assert_int_eq(v->min_version, TLSPLUG_VERSION_TLSv1_2);
	ck_assert_int_eq(v->max_version, TLSPLUG_VERSION_MAXIMUM_SUPPORTED);
	ck_assert_uint_eq(v->nciphers, 0);
	ck_assert_uint_eq(v->nalpn, 0);
	ck_assert_ptr_null(v->alpn_wire);
	ck_assert_uint_eq(v->nchains, 0);
	ck_assert_ptr_nonnull(v->trust);
	ck_assert_int_eq(v->trust->system, 1);
	ck_assert_int_eq(v->has_sni_callback, 0);

	/* The shared default holds the same settings. */
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(tlsplug_config_default(), d);
	ck_assert_int_eq(tlsplug_config_equal(c, d), 1);
	ck_assert_uint_eq(tlsplug_config_hash(c), tlsplug_config_hash(d));
	ck_assert_int_eq(tlsplug__config_bview(d)->trust->system, 1);
	ck_assert_int_eq(tlsplug__config_bview(d)->validate, 1);
	for (int i = 0; i < 3; i++)
		tlsplug_config_unref(d);
	ck_assert_ptr_eq(tlsplug_config_ref(d), d);
	ck_assert_int_eq(tlsplug_config_validates(d), 1);

	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_null_safety)
{
	ck_assert_int_eq(tlsplug_config_validates(NULL), 0);
	ck_assert_int_eq(tlsplug_config_min_version(NULL),
	                 TLSPLUG_VERSION_NONE);
	ck_assert_uint_eq(tlsplug_config_ciphers(NULL, NULL), 0);
	ck_assert_uint_eq(tlsplug_config_alpn(NULL, NULL), 0);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(NULL), 0);
	ck_assert_int_eq(tlsplug_config_equal(NULL, NULL), 1);
	ck_assert_int_eq(tlsplug_config_equal(NULL, tlsplug_config_default()),
	                 0);
	ck_assert_uint_eq(tlsplug_config_hash(NULL), 0);
	ck_assert_ptr_null(tlsplug_config_edit(NULL));
	ck_assert_ptr_null(tlsplug_config_builder_error(NULL));
	tlsplug_config_unref(NULL);
	tlsplug_config_builder_free(NULL);
	ck_assert_ptr_null(tlsplug_config_ref(NULL));
}
END_TEST

START_TEST(test_null_builder_is_misuse)
{
	struct tlsplug_config *c = NULL;
	const char *h2[] = { "h2" };
	uint16_t id = 0x1301;

	ck_assert_int_eq(tlsplug_config_builder_set_insecure_no_validation(
	    NULL, 1), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(NULL, NULL,
	    NULL, NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_clear_cert_chains(NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_set_ciphers(NULL, &id, 1),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_set_alpn(NULL, h2, 1),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_set_min_version(NULL,
	    TLSPLUG_VERSION_TLSv1_2), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_set_max_version(NULL,
	    TLSPLUG_VERSION_TLSv1_2), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_set_trust_store(NULL, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_set_sni_callback(NULL, sni_cb,
	                                                         NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_config_builder_build(NULL, &c),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_ptr_null(c);
}
END_TEST

/* Each bad value is refused, recorded, and the previous value kept. */
START_TEST(test_bad_setter_input)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const char *good[] = { "h2", "http/1.1" };
	const char *empty[] = { "h2", "" };
	const char *nul[] = { "h2", NULL };
	char long_name[257];
	const char *too_long[] = { long_name };
	struct tlsplug_config *c;
	const char *const *alpn;
	const struct tlsplug_error *e;

	memset(long_name, 'x', 256);
	long_name[256] = '\0';
	ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, good, 2),
	                 TLSPLUG_OK);

	ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, empty, 2),
	                 TLSPLUG_ERR_INVALID);
	e = tlsplug_config_builder_error(b);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e), "ALPN"));
	ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, too_long, 1),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "256"));
	ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, nul, 2),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, NULL, 1),
	                 TLSPLUG_ERR_INVALID);
	long_name[255] = '\0';   /* 255 bytes is the limit, and fine */
	c = build(b);
	ck_assert_uint_eq(tlsplug_config_alpn(c, &alpn), 2);
	ck_assert_str_eq(alpn[0], "h2");
	ck_assert_str_eq(alpn[1], "http/1.1");
	tlsplug_config_unref(c);
	ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, too_long, 1),
	                 TLSPLUG_OK);

	ck_assert_int_eq(tlsplug_config_builder_set_ciphers(b, NULL, 2),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "ciphers"));

	ck_assert_int_eq(tlsplug_config_builder_set_min_version(b,
	    TLSPLUG_VERSION_NONE), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "lowest"));
	ck_assert_int_eq(tlsplug_config_builder_set_min_version(b,
	    (enum tlsplug_version)9), TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_max_version(b,
	    (enum tlsplug_version)-1), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "highest"));

	ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b, NULL, NULL,
	                                                       NULL),
	                 TLSPLUG_ERR_INVALID);
	{
		struct tlsplug_certificate *ca = cert(cert_a);

		ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b, ca,
		    NULL, NULL), TLSPLUG_ERR_INVALID);
		ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
		    tlsplug_config_builder_error(b)), "key"));
		tlsplug_certificate_unref(ca);
	}

	c = build(b);
	ck_assert_int_eq(tlsplug_config_min_version(c),
	                 TLSPLUG_VERSION_TLSv1_2);
	ck_assert_int_eq(tlsplug_config_max_version(c),
	                 TLSPLUG_VERSION_MAXIMUM_SUPPORTED);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(c), 0);
	ck_assert_uint_eq(tlsplug_config_alpn(c, &alpn), 1);
	ck_assert_uint_eq(strlen(alpn[0]), 255);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_version_bounds)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *c = (void *)1;

	ck_assert_int_eq(tlsplug_config_builder_set_max_version(b,
	    TLSPLUG_VERSION_TLSv1_1), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b)), "TLSv1.2"));

	/* MINIMUM_SUPPORTED is below everything... */
	tlsplug_config_builder_set_min_version(b,
	    TLSPLUG_VERSION_MINIMUM_SUPPORTED);
	c = build(b);
	tlsplug_config_unref(c);
	tlsplug_config_builder_set_max_version(b,
	    TLSPLUG_VERSION_MINIMUM_SUPPORTED);
	c = build(b);
	tlsplug_config_unref(c);
	/* ...MAXIMUM_SUPPORTED above everything. */
	tlsplug_config_builder_set_min_version(b,
	    TLSPLUG_VERSION_MAXIMUM_SUPPORTED);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c),
	                 TLSPLUG_ERR_INVALID);
	tlsplug_config_builder_set_max_version(b,
	    TLSPLUG_VERSION_MAXIMUM_SUPPORTED);
	c = build(b);
	tlsplug_config_unref(c);
	tlsplug_config_builder_set_min_version(b, TLSPLUG_VERSION_TLSv1_3);
	tlsplug_config_builder_set_max_version(b, TLSPLUG_VERSION_TLSv1_3);
	c = build(b);
	ck_assert_int_eq(tlsplug_config_min_version(c),
	                 TLSPLUG_VERSION_TLSv1_3);
	tlsplug_config_unref(c);
	ck_assert_int_eq(tlsplug_config_builder_build(b, NULL),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_config_builder_free(b);
}
END_TEST

START_TEST(test_immutable_and_edit)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new(), *e;
	struct tlsplug_certificate *ca = cert(cert_a);
	struct tlsplug_private_key *ka = key(key_a, NULL);
	struct tlsplug_trust_store *ta = trust(cert_b);
	const char *protos[] = { "h2" };
	uint16_t ids[] = { 0x1302, 0x1301 };
	struct tlsplug_config *c1, *c2, *c3;
	const uint16_t *got;

	tlsplug_config_builder_set_alpn(b, protos, 1);
	tlsplug_config_builder_set_ciphers(b, ids, 2);
	tlsplug_config_builder_add_cert_chain(b, ca, NULL, ka);
	tlsplug_config_builder_set_trust_store(b, ta);
	tlsplug_config_builder_set_sni_callback(b, sni_cb, &ids);
	/* The builder and config hold their own references. */
	tlsplug_certificate_unref(ca);
	tlsplug_private_key_unref(ka);
	tlsplug_trust_store_unref(ta);
	c1 = build(b);

	/* Changing the builder does not change the config. */
	tlsplug_config_builder_set_insecure_no_validation(b, 1);
	tlsplug_config_builder_clear_cert_chains(b);
	tlsplug_config_builder_set_alpn(b, NULL, 0);
	ids[0] = 0xC02F;
	ck_assert_int_eq(tlsplug_config_validates(c1), 1);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(c1), 1);
	ck_assert_uint_eq(tlsplug_config_ciphers(c1, &got), 2);
	ck_assert_uint_eq(got[0], 0x1302);
	ck_assert_uint_eq(got[1], 0x1301);
	c2 = build(b);
	ck_assert_int_eq(tlsplug_config_equal(c1, c2), 0);
	ck_assert_int_eq(tlsplug_config_validates(c2), 0);
	tlsplug_config_builder_free(b);

	/* edit() = PEP 543 update(): same settings until changed. */
	e = tlsplug_config_edit(c1);
	ck_assert_ptr_nonnull(e);
	c3 = build(e);
	ck_assert_int_eq(tlsplug_config_equal(c1, c3), 1);
	ck_assert_uint_eq(tlsplug_config_hash(c1), tlsplug_config_hash(c3));
	tlsplug_config_unref(c3);
	tlsplug_config_builder_set_min_version(e, TLSPLUG_VERSION_TLSv1_3);
	c3 = build(e);
	ck_assert_int_eq(tlsplug_config_equal(c1, c3), 0);
	ck_assert_int_eq(tlsplug_config_min_version(c3),
	                 TLSPLUG_VERSION_TLSv1_3);
	ck_assert_int_eq(tlsplug_config_min_version(c1),
	                 TLSPLUG_VERSION_TLSv1_2);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(c3), 1);
	ck_assert_int_eq(tlsplug__config_trust_explicit(c3), 1);
	tlsplug_config_builder_free(e);

	/* Configs outlive their builder and each other. */
	ck_assert_ptr_eq(tlsplug_config_ref(c1), c1);
	tlsplug_config_unref(c1);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(c1), 1);
	tlsplug_config_unref(c1);
	tlsplug_config_unref(c2);
	tlsplug_config_unref(c3);
}
END_TEST

/* Builds a config with cert/key/trust loaded afresh from the same bytes. */
static struct tlsplug_config *
fresh(const char *leaf, const char *pass, const char *ca, const char *alpn1,
      const char *alpn2)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_certificate *c = cert(leaf);
	struct tlsplug_private_key *k = key(pass != NULL ? key_enc : key_a,
	                                    pass);
	struct tlsplug_trust_store *t = trust(ca);
	const char *protos[] = { alpn1, alpn2 };
	struct tlsplug_config *cfg;

	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	tlsplug_config_builder_set_trust_store(b, t);
	tlsplug_config_builder_set_alpn(b, protos, 2);
	cfg = build(b);
	tlsplug_certificate_unref(c);
	tlsplug_private_key_unref(k);
	tlsplug_trust_store_unref(t);
	tlsplug_config_builder_free(b);
	return cfg;
}

START_TEST(test_equal_by_content)
{
	struct tlsplug_config *a = fresh(cert_a, NULL, cert_b, "h2", "x");
	struct tlsplug_config *b = fresh(cert_a, NULL, cert_b, "h2", "x");
	struct tlsplug_config *diff[] = {
		fresh(cert_b, NULL, cert_b, "h2", "x"),     /* leaf */
		fresh(cert_a, NULL, cert_a, "h2", "x"),     /* trust */
		fresh(cert_a, "pw", cert_b, "h2", "x"),     /* key */
		fresh(cert_a, NULL, cert_b, "x", "h2"),     /* ALPN order */
		fresh(cert_a, NULL, cert_b, "h2", "y"),     /* ALPN name */
	};
	struct tlsplug_config *p1 = fresh(cert_a, "pw", cert_b, "h2", "x");
	struct tlsplug_config *p2 = fresh(cert_a, "pw2", cert_b, "h2", "x");

	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(tlsplug_config_equal(a, b), 1);
	ck_assert_int_eq(tlsplug_config_equal(b, a), 1);
	ck_assert_uint_eq(tlsplug_config_hash(a), tlsplug_config_hash(b));
	for (size_t i = 0; i < sizeof(diff) / sizeof(diff[0]); i++) {
		ck_assert_msg(!tlsplug_config_equal(a, diff[i]), "case %zu", i);
		ck_assert_msg(tlsplug_config_hash(a) !=
		              tlsplug_config_hash(diff[i]), "hash %zu", i);
		tlsplug_config_unref(diff[i]);
	}
	/* Passwords are part of the key setting. */
	ck_assert_int_eq(tlsplug_config_equal(p1, p2), 0);
	tlsplug_config_unref(p1);
	tlsplug_config_unref(p2);
	tlsplug_config_unref(a);
	tlsplug_config_unref(b);
}
END_TEST

START_TEST(test_equal_each_setting)
{
	struct tlsplug_config *base = tlsplug_config_default();
	uint16_t ids1[] = { 0x1301, 0x1302 }, ids2[] = { 0x1302, 0x1301 };
	int token;

	for (int i = 0; i < 8; i++) {
		struct tlsplug_config_builder *b = tlsplug_config_edit(base);
		struct tlsplug_config *c, *c2;

		switch (i) {
		case 0:
			tlsplug_config_builder_set_insecure_no_validation(b, 1);
			break;
		case 1:
			tlsplug_config_builder_set_ciphers(b, ids1, 2);
			break;
		case 2:
			tlsplug_config_builder_set_ciphers(b, ids2, 2);
			break;
		case 3:
			tlsplug_config_builder_set_min_version(b,
			    TLSPLUG_VERSION_TLSv1_3);
			break;
		case 4:
			tlsplug_config_builder_set_max_version(b,
			    TLSPLUG_VERSION_TLSv1_3);
			break;
		case 5:
			tlsplug_config_builder_set_sni_callback(b, sni_cb,
			                                        NULL);
			break;
		case 6:
			tlsplug_config_builder_set_sni_callback(b, sni_cb,
			                                        &token);
			break;
		case 7:
			tlsplug_config_builder_set_sni_callback(b, sni_cb2,
			                                        NULL);
			break;
		}
		c = build(b);
		c2 = build(b);
		ck_assert_msg(!tlsplug_config_equal(base, c), "setting %d", i);
		ck_assert_int_eq(tlsplug_config_equal(c, c2), 1);
		ck_assert_uint_eq(tlsplug_config_hash(c),
		                  tlsplug_config_hash(c2));
		ck_assert_uint_ne(tlsplug_config_hash(c),
		                  tlsplug_config_hash(base));
		tlsplug_config_unref(c);
		tlsplug_config_unref(c2);
		tlsplug_config_builder_free(b);
	}
	/* ids1 and ids2 differ in order only: not equal. */
	{
		struct tlsplug_config_builder *b = tlsplug_config_builder_new();
		struct tlsplug_config *c1, *c2;

		tlsplug_config_builder_set_ciphers(b, ids1, 2);
		c1 = build(b);
		tlsplug_config_builder_set_ciphers(b, ids2, 2);
		c2 = build(b);
		ck_assert_int_eq(tlsplug_config_equal(c1, c2), 0);
		tlsplug_config_unref(c1);
		tlsplug_config_unref(c2);
		tlsplug_config_builder_free(b);
	}
}
END_TEST

START_TEST(test_system_trust_is_default)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_trust_store *t = trust(cert_a);
	struct tlsplug_config *c;

	tlsplug_config_builder_set_trust_store(b, t);
	tlsplug_trust_store_unref(t);
	c = build(b);
	ck_assert_int_eq(tlsplug__config_trust_explicit(c), 1);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 1);
	ck_assert_int_eq(tlsplug__config_bview(c)->trust->system, 0);
	tlsplug_config_unref(c);

	tlsplug_config_builder_set_trust_store(b, tlsplug_trust_store_system());
	c = build(b);
	ck_assert_int_eq(tlsplug__config_trust_explicit(c), 0);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 0);
	ck_assert_int_eq(tlsplug_config_equal(c, tlsplug_config_default()), 1);
	tlsplug_config_unref(c);

	/* Validation off: no client certificate requested either. */
	t = trust(cert_a);
	tlsplug_config_builder_set_trust_store(b, t);
	tlsplug_trust_store_unref(t);
	tlsplug_config_builder_set_insecure_no_validation(b, 1);
	c = build(b);
	ck_assert_int_eq(tlsplug__config_bview(c)->verify_peer, 0);
	tlsplug_config_unref(c);
	tlsplug_config_builder_set_trust_store(b, NULL);
	c = build(b);
	ck_assert_int_eq(tlsplug__config_trust_explicit(c), 0);
	tlsplug_config_unref(c);
	tlsplug_config_builder_free(b);
}
END_TEST

/* A certificate handle holding the DER of a mock certificate for name. */
static struct tlsplug_certificate *
der_cert(const char *name, unsigned char *der, size_t *len)
{
	struct tlsplug_certificate *c = NULL;

	*len = mockcert_der(der, name, NULL, &name, 1);
	ck_assert_int_eq(tlsplug_certificate_from_buffer(der, *len, &c, NULL),
	                 TLSPLUG_OK);
	return c;
}

START_TEST(test_backend_view)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	unsigned char der_a[MOCKCERT_MAX], der_b[MOCKCERT_MAX];
	size_t len_a, len_b;
	/* With several chains the core reads each leaf's names, so those
	 * are certificates it can read; an extra certificate is not read. */
	struct tlsplug_certificate *ca = der_cert("a.example", der_a, &len_a);
	struct tlsplug_certificate *la = der_cert("b.example", der_b, &len_b);
	struct tlsplug_certificate *cb = cert(cert_b);
	struct tlsplug_private_key *ka = key(key_a, NULL);
	struct tlsplug_private_key *ke = key(key_enc, "pw");
	const char *protos[] = { "h2", "http/1.1" };
	static const unsigned char wire[] = "\x02h2\x08http/1.1";
	uint16_t ids[] = { 0x1303 };
	const struct tlsplug_bconfig *v;
	struct tlsplug_config *c;
	void *data = NULL;

	tlsplug_config_builder_set_alpn(b, protos, 2);
	tlsplug_config_builder_set_ciphers(b, ids, 1);
	tlsplug_config_builder_add_cert_chain(b, ca, cb, ka);
	tlsplug_config_builder_add_cert_chain(b, la, NULL, ke);
	tlsplug_config_builder_set_sni_callback(b, sni_cb, &data);
	c = build(b);
	v = tlsplug__config_bview(c);

	ck_assert_uint_eq(v->nalpn, 2);
	ck_assert_str_eq(v->alpn[1], "http/1.1");
	ck_assert_uint_eq(v->alpn_wire_len, sizeof(wire) - 1);
	ck_assert_int_eq(memcmp(v->alpn_wire, wire, sizeof(wire) - 1), 0);
	ck_assert_uint_eq(v->nciphers, 1);
	ck_assert_uint_eq(v->ciphers[0], 0x1303);
	ck_assert_uint_eq(v->nchains, 2);
	ck_assert_uint_eq(v->chains[0].ncerts, 2);
	ck_assert_int_eq(v->chains[0].certs[0].format, TLSPLUG_FORMAT_DER);
	ck_assert_uint_eq(v->chains[0].certs[0].len, len_a);
	ck_assert_int_eq(memcmp(v->chains[0].certs[0].data, der_a, len_a), 0);
	ck_assert_int_eq(memcmp(v->chains[0].certs[1].data, cert_b,
	                        strlen(cert_b)), 0);
	ck_assert_uint_eq(v->chains[1].certs[0].len, len_b);
	ck_assert_int_eq(memcmp(v->chains[1].certs[0].data, der_b, len_b), 0);
	/* ... and picks a chain by those names. */
	ck_assert_uint_eq(tlsplug__config_pick_chain(c, "b.example"), 1);
	ck_assert_uint_eq(tlsplug__config_pick_chain(c, "a.example"), 0);
	ck_assert_uint_eq(tlsplug__config_pick_chain(c, "c.example"), 0);
	ck_assert_ptr_null(v->chains[0].key->password);
	ck_assert_uint_eq(v->chains[1].ncerts, 1);
	ck_assert_uint_eq(v->chains[1].key->password_len, 2);
	ck_assert_int_eq(memcmp(v->chains[1].key->password, "pw", 2), 0);
	ck_assert_int_eq(v->has_sni_callback, 1);
	ck_assert_ptr_eq(tlsplug__config_sni_cb(c, &data), sni_cb);
	ck_assert_ptr_eq(data, &data);
	ck_assert_int_eq(tlsplug__config_needs_key_password(c), 1);

	tlsplug_config_builder_clear_cert_chains(b);
	tlsplug_config_builder_add_cert_chain(b, ca, NULL, ka);
	tlsplug_config_unref(c);
	c = build(b);
	ck_assert_int_eq(tlsplug__config_needs_key_password(c), 0);
	ck_assert_uint_eq(tlsplug_config_cert_chain_count(c), 1);
	tlsplug_config_unref(c);

	tlsplug_certificate_unref(ca);
	tlsplug_certificate_unref(la);
	tlsplug_certificate_unref(cb);
	tlsplug_private_key_unref(ka);
	tlsplug_private_key_unref(ke);
	tlsplug_config_builder_free(b);
}
END_TEST

/* Every allocation in edit/build may fail: NOMEM, nothing leaks (checked
 * under ASan/valgrind), and the builder stays usable. */
START_TEST(test_allocation_failures)
{
	struct tlsplug_config *base = fresh(cert_a, "pw", cert_b, "h2", "x");
	int built = 0;

	for (unsigned long n = 1; n < 40 && !built; n++) {
		struct tlsplug_config_builder *b;
		struct tlsplug_config *c = NULL;
		int rc;

		tlsplug__alloc_fail_at(n);
		b = tlsplug_config_edit(base);
		if (b == NULL) {
			tlsplug__alloc_fail_at(0);
			continue;
		}
		rc = tlsplug_config_builder_build(b, &c);
		tlsplug__alloc_fail_at(0);
		if (rc == TLSPLUG_OK) {
			ck_assert_int_eq(tlsplug_config_equal(base, c), 1);
			built = 1;
			tlsplug_config_unref(c);
		} else {
			ck_assert_int_eq(rc, TLSPLUG_ERR_NOMEM);
			ck_assert_ptr_null(c);
			ck_assert_int_eq(tlsplug_error_code(
			    tlsplug_config_builder_error(b)),
			    TLSPLUG_ERR_NOMEM);
			c = build(b);
			tlsplug_config_unref(c);
		}
		tlsplug_config_builder_free(b);
	}
	ck_assert(built);
	tlsplug_config_unref(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_null_safety);
	tcase_add_test(tc, test_null_builder_is_misuse);
	tcase_add_test(tc, test_bad_setter_input);
	tcase_add_test(tc, test_version_bounds);
	tcase_add_test(tc, test_immutable_and_edit);
	tcase_add_test(tc, test_equal_by_content);
	tcase_add_test(tc, test_equal_each_setting);
	tcase_add_test(tc, test_system_trust_is_default);
	tcase_add_test(tc, test_backend_view);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
