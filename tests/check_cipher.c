/* check_cipher.c -- the IANA cipher suite table. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include <tlsplug/tlsplug.h>

#include "ck_run.h"

/* Every suite PEP 543's CipherSuite enum names, with its IANA id. */
static const struct {
	const char *name;
	uint16_t id;
} pep_suites[] = {
	{ "TLS_RSA_WITH_RC4_128_SHA", 0x0005 },
	{ "TLS_RSA_WITH_IDEA_CBC_SHA", 0x0007 },
	{ "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A },
	{ "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", 0x0010 },
	{ "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x0016 },
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F },
	{ "TLS_DH_RSA_WITH_AES_128_CBC_SHA", 0x0031 },
	{ "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0033 },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035 },
	{ "TLS_DH_RSA_WITH_AES_256_CBC_SHA", 0x0037 },
	{ "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x0039 },
	{ "TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003C },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA256", 0x003D },
	{ "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", 0x003F },
	{ "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", 0x0041 },
	{ "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", 0x0043 },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", 0x0045 },
	{ "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0x0067 },
	{ "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", 0x0069 },
	{ "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0x006B },
	{ "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", 0x0084 },
	{ "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", 0x0086 },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", 0x0088 },
	{ "TLS_RSA_WITH_SEED_CBC_SHA", 0x0096 },
	{ "TLS_DH_RSA_WITH_SEED_CBC_SHA", 0x0098 },
	{ "TLS_DHE_RSA_WITH_SEED_CBC_SHA", 0x009A },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D },
	{ "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E },
	{ "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x009F },
	{ "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", 0x00A0 },
	{ "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", 0x00A1 },
	{ "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", 0x00BA },
	{ "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", 0x00BC },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", 0x00BE },
	{ "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", 0x00C0 },
	{ "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", 0x00C2 },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", 0x00C4 },
	{ "TLS_AES_128_GCM_SHA256", 0x1301 },
	{ "TLS_AES_256_GCM_SHA384", 0x1302 },
	{ "TLS_CHACHA20_POLY1305_SHA256", 0x1303 },
	{ "TLS_AES_128_CCM_SHA256", 0x1304 },
	{ "TLS_AES_128_CCM_8_SHA256", 0x1305 },
	{ "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", 0xC002 },
	{ "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", 0xC003 },
	{ "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", 0xC004 },
	{ "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", 0xC005 },
	{ "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", 0xC007 },
	{ "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", 0xC008 },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009 },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A },
	{ "TLS_ECDH_RSA_WITH_RC4_128_SHA", 0xC00C },
	{ "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", 0xC00D },
	{ "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", 0xC00E },
	{ "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", 0xC00F },
	{ "TLS_ECDHE_RSA_WITH_RC4_128_SHA", 0xC011 },
	{ "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0xC012 },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013 },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014 },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023 },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xC024 },
	{ "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", 0xC025 },
	{ "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", 0xC026 },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027 },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028 },
	{ "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", 0xC029 },
	{ "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", 0xC02A },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C },
	{ "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02D },
	{ "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02E },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030 },
	{ "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", 0xC031 },
	{ "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", 0xC032 },
	{ "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", 0xC072 },
	{ "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", 0xC073 },
	{ "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", 0xC074 },
	{ "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", 0xC075 },
	{ "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", 0xC076 },
	{ "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", 0xC077 },
	{ "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", 0xC078 },
	{ "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", 0xC079 },
	{ "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC07A },
	{ "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC07B },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC07C },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC07D },
	{ "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC07E },
	{ "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC07F },
	{ "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC086 },
	{ "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC087 },
	{ "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC088 },
	{ "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC089 },
	{ "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC08A },
	{ "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC08B },
	{ "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", 0xC08C },
	{ "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", 0xC08D },
	{ "TLS_RSA_WITH_AES_128_CCM", 0xC09C },
	{ "TLS_RSA_WITH_AES_256_CCM", 0xC09D },
	{ "TLS_DHE_RSA_WITH_AES_128_CCM", 0xC09E },
	{ "TLS_DHE_RSA_WITH_AES_256_CCM", 0xC09F },
	{ "TLS_RSA_WITH_AES_128_CCM_8", 0xC0A0 },
	{ "TLS_RSA_WITH_AES_256_CCM_8", 0xC0A1 },
	{ "TLS_DHE_RSA_WITH_AES_128_CCM_8", 0xC0A2 },
	{ "TLS_DHE_RSA_WITH_AES_256_CCM_8", 0xC0A3 },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", 0xC0AC },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", 0xC0AD },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", 0xC0AE },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", 0xC0AF },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8 },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9 },
	{ "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCAA },
};
#define NPEP (sizeof(pep_suites) / sizeof(pep_suites[0]))

START_TEST(test_pep_suites_both_ways)
{
	uint16_t id;

	for (size_t i = 0; i < NPEP; i++) {
		const char *name = tlsplug_cipher_suite_name(pep_suites[i].id);

		ck_assert_msg(name != NULL, "0x%04X missing", pep_suites[i].id);
		ck_assert_str_eq(name, pep_suites[i].name);
		ck_assert_int_eq(tlsplug_cipher_suite_from_name(
		    pep_suites[i].name, &id), TLSPLUG_OK);
		ck_assert_uint_eq(id, pep_suites[i].id);
	}
}
END_TEST

START_TEST(test_known_examples)
{
	ck_assert_str_eq(tlsplug_cipher_suite_name(0x1301),
	                 "TLS_AES_128_GCM_SHA256");
	ck_assert_str_eq(tlsplug_cipher_suite_name(0xC02F),
	                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	ck_assert_str_eq(tlsplug_cipher_suite_name(0xCCA8),
	                 "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
	ck_assert_uint_eq(TLSPLUG_CS_TLS_AES_128_GCM_SHA256, 0x1301);
	ck_assert_uint_eq(TLSPLUG_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	                  0xC02F);
}
END_TEST

START_TEST(test_unknown_ids)
{
	static const uint16_t unknown[] = { 0x0000, 0x0001, 0x1300, 0x1306,
	                                    0xC02E + 0x100, 0xFFFF, 0x5600 };

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		ck_assert_ptr_null(tlsplug_cipher_suite_name(unknown[i]));
}
END_TEST

START_TEST(test_from_name_forms)
{
	uint16_t id = 0;

	ck_assert_int_eq(tlsplug_cipher_suite_from_name(
	    "tls_aes_256_gcm_sha384", &id), TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x1302);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0x1301", &id),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x1301);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0Xc02f", &id),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(id, 0xC02F);
	/* A raw id need not be in the table. */
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0xfafa", &id),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(id, 0xFAFA);

	id = 7;
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0x", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0x12345", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0x13g1", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("TLS_AES_128_GCM", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name(NULL, &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_cipher_suite_from_name("0x1301", NULL),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_uint_eq(id, 7);
}
END_TEST

START_TEST(test_table_iteration)
{
	size_t n = tlsplug_cipher_suite_count();

	ck_assert_uint_ge(n, NPEP);
	for (size_t i = 0; i < n; i++) {
		uint16_t id = tlsplug_cipher_suite_at(i);
		const char *name = tlsplug_cipher_suite_name(id);
		uint16_t back;

		ck_assert_ptr_nonnull(name);
		ck_assert_int_eq(tlsplug_cipher_suite_from_name(name, &back),
		                 TLSPLUG_OK);
		ck_assert_uint_eq(back, id);
		for (size_t j = 0; j < i; j++)
			ck_assert_uint_ne(tlsplug_cipher_suite_at(j), id);
	}
	ck_assert_uint_eq(tlsplug_cipher_suite_at(n), TLSPLUG_CS_NONE);
	ck_assert_uint_eq(tlsplug_cipher_suite_at((size_t)-1), TLSPLUG_CS_NONE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cipher");
	TCase *tc = tcase_create("table");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_pep_suites_both_ways);
	tcase_add_test(tc, test_known_examples);
	tcase_add_test(tc, test_unknown_ids);
	tcase_add_test(tc, test_from_name_forms);
	tcase_add_test(tc, test_table_iteration);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
