/* check_error.c -- status names and texts, alert names, error records. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ck_run.h"

static const struct {
	int code;
	const char *name;
} codes[] = {
	{ TLSPLUG_OK, "OK" },
	{ TLSPLUG_WANT_READ, "WANT_READ" },
	{ TLSPLUG_WANT_WRITE, "WANT_WRITE" },
	{ TLSPLUG_CLOSED, "CLOSED" },
	{ TLSPLUG_RAGGED_EOF, "RAGGED_EOF" },
	{ TLSPLUG_ERR_NOMEM, "NOMEM" },
	{ TLSPLUG_ERR_INVALID, "INVALID" },
	{ TLSPLUG_ERR_MISUSE, "MISUSE" },
	{ TLSPLUG_ERR_UNSUPPORTED, "UNSUPPORTED" },
	{ TLSPLUG_ERR_IO, "IO" },
	{ TLSPLUG_ERR_NOT_FOUND, "NOT_FOUND" },
	{ TLSPLUG_ERR_PLUGIN, "PLUGIN" },
	{ TLSPLUG_ERR_CONFIG_FILE, "CONFIG_FILE" },
	{ TLSPLUG_ERR_BACKEND, "BACKEND" },
	{ TLSPLUG_ERR_TIMEOUT, "TIMEOUT" },
	{ TLSPLUG_ERR_POLICY, "POLICY" },
	{ TLSPLUG_ERR_BAD_CERTIFICATE, "BAD_CERTIFICATE" },
	{ TLSPLUG_ERR_BAD_KEY, "BAD_KEY" },
	{ TLSPLUG_ERR_BAD_PASSWORD, "BAD_PASSWORD" },
	{ TLSPLUG_ERR_KEY_MISMATCH, "KEY_MISMATCH" },
	{ TLSPLUG_ERR_CERT_EXPIRED, "CERT_EXPIRED" },
	{ TLSPLUG_ERR_CERT_NOT_YET_VALID, "CERT_NOT_YET_VALID" },
	{ TLSPLUG_ERR_CERT_HOSTNAME, "CERT_HOSTNAME" },
	{ TLSPLUG_ERR_CERT_UNTRUSTED, "CERT_UNTRUSTED" },
	{ TLSPLUG_ERR_CERT_SELF_SIGNED, "CERT_SELF_SIGNED" },
	{ TLSPLUG_ERR_CERT_SIGNATURE, "CERT_SIGNATURE" },
	{ TLSPLUG_ERR_CERT_PURPOSE, "CERT_PURPOSE" },
	{ TLSPLUG_ERR_CERT_REVOKED, "CERT_REVOKED" },
	{ TLSPLUG_ERR_CERT_INVALID, "CERT_INVALID" },
	{ TLSPLUG_ERR_PEER_NO_CERT, "PEER_NO_CERT" },
	{ TLSPLUG_ERR_NO_SHARED_VERSION, "NO_SHARED_VERSION" },
	{ TLSPLUG_ERR_NO_SHARED_CIPHER, "NO_SHARED_CIPHER" },
	{ TLSPLUG_ERR_ALERT_RECEIVED, "ALERT_RECEIVED" },
	{ TLSPLUG_ERR_PROTOCOL, "PROTOCOL" },
	{ TLSPLUG_ERR_HANDSHAKE_REFUSED, "HANDSHAKE_REFUSED" },
	{ TLSPLUG_ERR_NO_SHARED_ALPN, "NO_SHARED_ALPN" },
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

START_TEST(test_every_code_named)
{
	const char *unknown_text = tlsplug_strerror(-1000);

	ck_assert_str_eq(tlsplug_status_name(-1000), "UNKNOWN");
	for (size_t i = 0; i < NCODES; i++) {
		const char *text = tlsplug_strerror(codes[i].code);

		ck_assert_str_eq(tlsplug_status_name(codes[i].code),
		                 codes[i].name);
		ck_assert_ptr_nonnull(text);
		ck_assert_str_ne(text, unknown_text);
		ck_assert_ptr_null(strchr(text, '\n'));
		/* Texts are distinct, so messages can be told apart. */
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(text, tlsplug_strerror(codes[j].code));
	}
	ck_assert_str_eq(tlsplug_status_name(-10), "UNKNOWN");
	ck_assert_str_eq(tlsplug_status_name(5), "UNKNOWN");
}
END_TEST

START_TEST(test_alert_names)
{
	ck_assert_str_eq(tlsplug_alert_name(0), "close_notify");
	ck_assert_str_eq(tlsplug_alert_name(40), "handshake_failure");
	ck_assert_str_eq(tlsplug_alert_name(42), "bad_certificate");
	ck_assert_str_eq(tlsplug_alert_name(45), "certificate_expired");
	ck_assert_str_eq(tlsplug_alert_name(48), "unknown_ca");
	ck_assert_str_eq(tlsplug_alert_name(70), "protocol_version");
	ck_assert_str_eq(tlsplug_alert_name(112), "unrecognized_name");
	ck_assert_str_eq(tlsplug_alert_name(116), "certificate_required");
	ck_assert_str_eq(tlsplug_alert_name(120), "no_application_protocol");
	ck_assert_str_eq(tlsplug_alert_name(1), "unknown");
	ck_assert_str_eq(tlsplug_alert_name(-1), "unknown");
	ck_assert_str_eq(tlsplug_alert_name(255), "unknown");
}
END_TEST

START_TEST(test_null_records)
{
	ck_assert_int_eq(tlsplug_error_code(NULL), TLSPLUG_OK);
	ck_assert_ptr_null(tlsplug_error_message(NULL));
	ck_assert_ptr_null(tlsplug_error_backend(NULL));
	ck_assert_int_eq(tlsplug_error_native_code(NULL), 0);
	ck_assert_int_eq(tlsplug_error_alert(NULL), -1);
	tlsplug_error_free(NULL);
}
END_TEST

START_TEST(test_core_record)
{
	struct tlsplug_error e = { .alert = -1 };
	struct tlsplug_error *out = NULL;

	ck_assert_int_eq(tlsplug__error_set(&e, TLSPLUG_ERR_IO,
	    "cannot open %s: %s", "/x", "No such file"), TLSPLUG_ERR_IO);
	ck_assert_int_eq(tlsplug_error_code(&e), TLSPLUG_ERR_IO);
	ck_assert_str_eq(tlsplug_error_message(&e),
	                 "cannot open /x: No such file");
	ck_assert_ptr_null(tlsplug_error_backend(&e));
	ck_assert_int_eq(tlsplug_error_alert(&e), -1);

	ck_assert_int_eq(tlsplug__error_export(&e, &out), TLSPLUG_ERR_IO);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(tlsplug_error_message(out),
	                 "cannot open /x: No such file");
	tlsplug_error_free(out);
	/* No out-parameter: only the code comes back. */
	ck_assert_int_eq(tlsplug__error_export(&e, NULL), TLSPLUG_ERR_IO);

	tlsplug__error_clear(&e);
	ck_assert_int_eq(tlsplug_error_code(&e), TLSPLUG_OK);
	ck_assert_str_eq(tlsplug_error_message(&e), tlsplug_strerror(0));
}
END_TEST

START_TEST(test_error_out)
{
	struct tlsplug_error *e = NULL;

	ck_assert_int_eq(tlsplug__error_out(&e, TLSPLUG_ERR_INVALID, "bad %d",
	                                    42), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), TLSPLUG_ERR_INVALID);
	ck_assert_str_eq(tlsplug_error_message(e), "bad 42");
	tlsplug_error_free(e);
	ck_assert_int_eq(tlsplug__error_out(NULL, TLSPLUG_ERR_INVALID, "x"),
	                 TLSPLUG_ERR_INVALID);
}
END_TEST

/* Errors reported by a plugin through the services table. */
START_TEST(test_backend_records)
{
	const struct tlsplug_core *core = tlsplug__core_services();
	struct tlsplug_error e = { .alert = -1 };

	e.owner = "mock";
	ck_assert_int_eq(core->set_error(&e, TLSPLUG_ERR_CERT_EXPIRED, 10,
	    "certificate %s expired", "leaf"), TLSPLUG_ERR_CERT_EXPIRED);
	ck_assert_int_eq(tlsplug_error_code(&e), TLSPLUG_ERR_CERT_EXPIRED);
	ck_assert_str_eq(tlsplug_error_message(&e),
	                 "mock: certificate leaf expired");
	ck_assert_str_eq(tlsplug_error_backend(&e), "mock");
	ck_assert_int_eq(tlsplug_error_native_code(&e), 10);
	ck_assert_int_eq(tlsplug_error_alert(&e), -1);

	ck_assert_int_eq(core->set_alert_error(&e, 48, 7, "from server"),
	                 TLSPLUG_ERR_ALERT_RECEIVED);
	ck_assert_int_eq(tlsplug_error_code(&e), TLSPLUG_ERR_ALERT_RECEIVED);
	ck_assert_int_eq(tlsplug_error_alert(&e), 48);
	ck_assert_int_eq(tlsplug_error_native_code(&e), 7);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(&e), "unknown_ca"));
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(&e), "48"));
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(&e), "from server"));
	ck_assert_str_eq(tlsplug_error_backend(&e), "mock");

	ck_assert_int_eq(core->set_alert_error(&e, 40, 0, NULL),
	                 TLSPLUG_ERR_ALERT_RECEIVED);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(&e),
	                             "handshake_failure (40)"));

	/* A non-negative category is a plugin bug, never "success". */
	ck_assert_int_eq(core->set_error(&e, TLSPLUG_OK, 0, "oops"),
	                 TLSPLUG_ERR_BACKEND);
	ck_assert_int_eq(tlsplug_error_code(&e), TLSPLUG_ERR_BACKEND);

	/* NULL records are tolerated. */
	ck_assert_int_eq(core->set_error(NULL, TLSPLUG_ERR_IO, 0, "x"),
	                 TLSPLUG_ERR_IO);
	ck_assert_int_eq(core->set_alert_error(NULL, 40, 0, NULL),
	                 TLSPLUG_ERR_ALERT_RECEIVED);
}
END_TEST

START_TEST(test_long_message_truncated)
{
	struct tlsplug_error e = { .alert = -1 };
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tlsplug__error_set(&e, TLSPLUG_ERR_INVALID, "%s", big);
	ck_assert_uint_eq(strlen(tlsplug_error_message(&e)),
	                  TLSPLUG_ERROR_MESSAGE_MAX - 1);
}
END_TEST

START_TEST(test_version_names)
{
	enum tlsplug_version v;
	static const struct {
		const char *text;
		enum tlsplug_version v;
	} ok[] = {
		{ "1.2", TLSPLUG_VERSION_TLSv1_2 },
		{ "1.3", TLSPLUG_VERSION_TLSv1_3 },
		{ "1.0", TLSPLUG_VERSION_TLSv1 },
		{ "TLSv1.2", TLSPLUG_VERSION_TLSv1_2 },
		{ "TLSv1_3", TLSPLUG_VERSION_TLSv1_3 },
		{ "tls1.1", TLSPLUG_VERSION_TLSv1_1 },
		{ "TLSv1", TLSPLUG_VERSION_TLSv1 },
		{ "MIN", TLSPLUG_VERSION_MINIMUM_SUPPORTED },
		{ "max", TLSPLUG_VERSION_MAXIMUM_SUPPORTED },
		{ "SSLv3", TLSPLUG_VERSION_SSLv3 },
	};
	static const char *const bad[] = {
		"", "1", "1.4", "2.0", "TLSv1.2x", "tlsv", "v1.2", "1..2",
		"TLS 1.2", "minimal",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(tlsplug_version_parse(ok[i].text, &v),
		                 TLSPLUG_OK);
		ck_assert_int_eq(v, ok[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tlsplug_version_parse(bad[i], &v) ==
		              TLSPLUG_ERR_INVALID, "accepted '%s'", bad[i]);
	ck_assert_int_eq(tlsplug_version_parse(NULL, &v), TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_version_parse("1.2", NULL),
	                 TLSPLUG_ERR_INVALID);

	ck_assert_str_eq(tlsplug_version_name(TLSPLUG_VERSION_TLSv1_2),
	                 "TLSv1.2");
	ck_assert_str_eq(tlsplug_version_name(TLSPLUG_VERSION_TLSv1_3),
	                 "TLSv1.3");
	ck_assert_str_eq(tlsplug_version_name(TLSPLUG_VERSION_NONE), "none");
	ck_assert_ptr_null(tlsplug_version_name((enum tlsplug_version)99));
	/* Every name parses back to its version. */
	for (int i = TLSPLUG_VERSION_MINIMUM_SUPPORTED;
	     i <= TLSPLUG_VERSION_MAXIMUM_SUPPORTED; i++) {
		ck_assert_int_eq(tlsplug_version_parse(
		    tlsplug_version_name((enum tlsplug_version)i), &v),
		    TLSPLUG_OK);
		ck_assert_int_eq(v, i);
	}
}
END_TEST

/* The library's own version: header macros, the running library and
 * configure.ac's AC_INIT (PACKAGE_VERSION) say the same. */
START_TEST(test_lib_version)
{
	char parts[64];
	unsigned major = 99, minor = 99;

	snprintf(parts, sizeof(parts), "%d.%d.%d", TLSPLUG_LIB_VERSION_MAJOR,
	         TLSPLUG_LIB_VERSION_MINOR, TLSPLUG_LIB_VERSION_PATCH);
	ck_assert_str_eq(TLSPLUG_LIB_VERSION, PACKAGE_VERSION);
	ck_assert_str_eq(parts, PACKAGE_VERSION);
	ck_assert_str_eq(tlsplug_lib_version(), PACKAGE_VERSION);
	tlsplug_lib_backend_abi(&major, &minor);
	ck_assert_uint_eq(major, TLSPLUG_BACKEND_ABI_MAJOR);
	ck_assert_uint_eq(minor, TLSPLUG_BACKEND_ABI_MINOR);
	tlsplug_lib_backend_abi(NULL, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("error");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_every_code_named);
	tcase_add_test(tc, test_alert_names);
	tcase_add_test(tc, test_null_records);
	tcase_add_test(tc, test_core_record);
	tcase_add_test(tc, test_error_out);
	tcase_add_test(tc, test_backend_records);
	tcase_add_test(tc, test_long_message_truncated);
	tcase_add_test(tc, test_version_names);
	tcase_add_test(tc, test_lib_version);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
