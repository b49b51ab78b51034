/* check_conffile.c -- the tlsplug.conf parser (core/conffile.c). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "conffile.h"
#include "ck_run.h"

/* Parses text as file "t.conf" for app. */
static void
parse(const char *text, const char *app, struct tlsplug__conf *c)
{
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(tlsplug__conf_parse(text, strlen(text), "t.conf", app,
	                                     c), TLSPLUG_OK);
}

START_TEST(test_good_file)
{
	struct tlsplug__conf c;

	parse("[default]\n"
	      "backend = openssl, gnutls\n"
	      "plugin_path = /opt/a:/opt/b\n", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.backend.value, "openssl, gnutls");
	ck_assert_str_eq(c.backend.source, "t.conf:2");
	ck_assert_uint_eq(c.backend.line, 2);
	ck_assert_str_eq(c.plugin_path.value, "/opt/a:/opt/b");
	ck_assert_str_eq(c.plugin_path.source, "t.conf:3");
	tlsplug__conf_clear(&c);
	ck_assert_ptr_null(c.backend.value);
}
END_TEST

START_TEST(test_comments_blanks_whitespace)
{
	struct tlsplug__conf c;

	parse("  # a comment\n"
	      "; another = comment\n"
	      "\n"
	      "   \t\n"
	      "  [ default ]  \n"
	      "\tbackend\t=\tfake \n"
	      "#backend = other\n", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.backend.value, "fake");
	ck_assert_str_eq(c.backend.source, "t.conf:6");
	ck_assert_ptr_null(c.plugin_path.value);
	tlsplug__conf_clear(&c);
}
END_TEST

START_TEST(test_crlf_and_no_final_newline)
{
	struct tlsplug__conf c;

	parse("[default]\r\nbackend = fake\r\nplugin_path = /x", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.backend.value, "fake");
	ck_assert_str_eq(c.plugin_path.value, "/x");
	ck_assert_str_eq(c.plugin_path.source, "t.conf:3");
	tlsplug__conf_clear(&c);
}
END_TEST

static const char app_text[] =
	"[myapp]\n"
	"backend = gnutls\n"
	"[default]\n"
	"backend = openssl\n"
	"plugin_path = /d\n";

START_TEST(test_app_section_overrides_default)
{
	struct tlsplug__conf c;

	/* The application's section wins although [default] comes later;
	 * keys it does not set come from [default]. */
	parse(app_text, "myapp", &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.backend.value, "gnutls");
	ck_assert_str_eq(c.backend.source, "t.conf:2");
	ck_assert_str_eq(c.plugin_path.value, "/d");
	tlsplug__conf_clear(&c);

	parse(app_text, NULL, &c);
	ck_assert_str_eq(c.backend.value, "openssl");
	ck_assert_str_eq(c.backend.source, "t.conf:4");
	tlsplug__conf_clear(&c);

	parse(app_text, "otherapp", &c);
	ck_assert_str_eq(c.backend.value, "openssl");
	tlsplug__conf_clear(&c);
}
END_TEST

START_TEST(test_later_line_wins)
{
	struct tlsplug__conf c;

	parse("[default]\nbackend = a\nbackend = b\n", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.backend.value, "b");
	ck_assert_str_eq(c.backend.source, "t.conf:3");
	tlsplug__conf_clear(&c);
}
END_TEST

/* Every kind of malformed line, with the exact diagnostic. */
static const struct {
	const char *text;
	size_t len;   /* 0: strlen(text) */
	const char *diag;
} bad_cases[] = {
	{ "[default]\nfoo = bar\n", 0, "t.conf:2: unknown key 'foo'" },
	{ "[default]\njust some words\n", 0,
	  "t.conf:2: expected 'key = value' or '[section]'" },
	{ "[default\nbackend = a\n", 0,
	  "t.conf:1: unterminated section header" },
	{ "[]\n", 0, "t.conf:1: empty section name" },
	{ "[  ]\n", 0, "t.conf:1: empty section name" },
	{ "[default] extra\n", 0,
	  "t.conf:1: unexpected text after section header" },
	{ "[default]\nbackend =\n", 0, "t.conf:2: empty value for 'backend'" },
	{ "[default]\nplugin_path =   \n", 0,
	  "t.conf:2: empty value for 'plugin_path'" },
	{ "[default]\nbackend = Open SSL\n", 0,
	  "t.conf:2: invalid backend name 'Open SSL' (allowed: a-z 0-9 _ -)" },
	{ "[default]\nbackend = a,,b\n", 0,
	  "t.conf:2: empty entry in backend list" },
	{ "[default]\nbackend = a,\n", 0,
	  "t.conf:2: empty entry in backend list" },
	{ "[default]\n= x\n", 0, "t.conf:2: missing key before '='" },
	{ "backend = a\n", 0, "t.conf:1: key 'backend' outside a section "
	  "(put it under [default])" },
	{ "[default]\nplugin_path = /ok:rel/dir\n", 0,
	  "t.conf:2: plugin_path entry 'rel/dir' is not an absolute "
	  "directory" },
	{ "[default]\nback\0end = a\n", 23, "t.conf:2: NUL byte in line" },
	/* Sections of other applications are checked too. */
	{ "[otherapp]\nbogus = 1\n", 0, "t.conf:2: unknown key 'bogus'" },
	/* Case matters: keys are lower case. */
	{ "[default]\nBackend = a\n", 0, "t.conf:2: unknown key 'Backend'" },
};

START_TEST(test_malformed_line)
{
	struct tlsplug__conf c = { 0 };
	size_t len = bad_cases[_i].len ? bad_cases[_i].len
	                               : strlen(bad_cases[_i].text);

	ck_assert_int_eq(tlsplug__conf_parse(bad_cases[_i].text, len, "t.conf",
	                                     NULL, &c), TLSPLUG_OK);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_str_eq(c.diags[0], bad_cases[_i].diag);
	/* A rejected value is never used. */
	ck_assert_ptr_null(c.backend.value);
	ck_assert_ptr_null(c.plugin_path.value);
	tlsplug__conf_clear(&c);
}
END_TEST

START_TEST(test_parsing_goes_on_after_errors)
{
	struct tlsplug__conf c;

	parse("[default]\n"
	      "colour = blue\n"
	      "backend = fake\n"
	      "nonsense\n"
	      "[broken\n"
	      "plugin_path = /x\n", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 3);
	ck_assert_str_eq(c.diags[0], "t.conf:2: unknown key 'colour'");
	ck_assert_str_eq(c.diags[1],
	                 "t.conf:4: expected 'key = value' or '[section]'");
	ck_assert_str_eq(c.diags[2], "t.conf:5: unterminated section header");
	ck_assert_str_eq(c.backend.value, "fake");
	/* Keys after a broken header belong to no section we use. */
	ck_assert_ptr_null(c.plugin_path.value);
	tlsplug__conf_clear(&c);
}
END_TEST

/* Removes path (file or empty directory) and the directory holding it. */
static void
remove_temp(char *path)
{
	char *slash = strrchr(path, '/');

	remove(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

static char *
temp_path(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char *dir, *path;

	ck_assert_int_ge(asprintf(&dir, "%s/tlsplug-conf-XXXXXX",
	                          tmp != NULL && tmp[0] == '/' ? tmp : "/tmp"),
	                 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	free(dir);
	return path;
}

START_TEST(test_groups_and_sigalgs)
{
	struct tlsplug__conf c;

	parse("[default]\n"
	      "groups = x25519, secp256r1,X25519MLKEM768\n"
	      "sigalgs = ed25519, rsa_pss_rsae_sha256\n"
	      "[myapp]\n"
	      "groups = ffdhe2048\n", "myapp", &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.groups.value, "ffdhe2048");
	ck_assert_str_eq(c.groups.source, "t.conf:5");
	ck_assert_str_eq(c.sigalgs.value, "ed25519, rsa_pss_rsae_sha256");
	ck_assert_str_eq(c.sigalgs.source, "t.conf:3");
	tlsplug__conf_clear(&c);
	ck_assert_ptr_null(c.groups.value);

	/* One precise diagnostic per bad line; the value is not kept. */
	parse("[default]\n"
	      "groups = x25519, x25591\n"
	      "groups = x25519,,secp256r1\n"
	      "groups = x25519, X25519\n"
	      "sigalgs = rsa-sha256\n", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 4);
	ck_assert_str_eq(c.diags[0], "t.conf:2: unknown group 'x25591' in "
	                 "groups (IANA names, such as x25519, secp256r1, "
	                 "X25519MLKEM768)");
	ck_assert_str_eq(c.diags[1], "t.conf:3: groups: empty or overlong "
	                 "name in 'x25519,,secp256r1'");
	ck_assert_str_eq(c.diags[2], "t.conf:4: group 'X25519' listed twice "
	                 "in groups");
	ck_assert_str_eq(c.diags[3], "t.conf:5: unknown signature algorithm "
	                 "'rsa-sha256' in sigalgs (IANA names, such as "
	                 "rsa_pss_rsae_sha256, ed25519)");
	ck_assert_ptr_null(c.groups.value);
	ck_assert_ptr_null(c.sigalgs.value);
	tlsplug__conf_clear(&c);
}
END_TEST

/* alpn_mismatch: alert, continue or auto (any case); the application's
 * section wins; anything else is one diagnostic and not kept. */
START_TEST(test_alpn_mismatch)
{
	struct tlsplug__conf c;

	parse("[default]\n"
	      "alpn_mismatch = alert\n"
	      "[myapp]\n"
	      "alpn_mismatch = Continue\n", "myapp", &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.alpn_mismatch.value, "Continue");
	ck_assert_str_eq(c.alpn_mismatch.source, "t.conf:4");
	tlsplug__conf_clear(&c);
	ck_assert_ptr_null(c.alpn_mismatch.value);

	parse("[default]\n"
	      "alpn_mismatch = ignore\n", NULL, &c);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_str_eq(c.diags[0], "t.conf:2: alpn_mismatch 'ignore' is "
	                 "not alert, continue or auto");
	ck_assert_ptr_null(c.alpn_mismatch.value);
	tlsplug__conf_clear(&c);
}
END_TEST

START_TEST(test_read_file)
{
	struct tlsplug__conf c = { 0 };
	char *path = temp_path("tlsplug.conf");
	FILE *f = fopen(path, "w");
	char *want;

	ck_assert_ptr_nonnull(f);
	fputs("[default]\nbackend = fake\nwhat\n", f);
	fclose(f);
	ck_assert_int_eq(tlsplug__conf_read_file(path, false, NULL, &c),
	                 TLSPLUG_OK);
	ck_assert(c.present);
	ck_assert_str_eq(c.path, path);
	ck_assert_str_eq(c.backend.value, "fake");
	ck_assert_int_ge(asprintf(&want, "%s:2", path), 0);
	ck_assert_str_eq(c.backend.source, want);
	free(want);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_int_ge(asprintf(&want, "%s:3: expected 'key = value' or "
	                          "'[section]'", path), 0);
	ck_assert_str_eq(c.diags[0], want);
	free(want);
	tlsplug__conf_clear(&c);
	remove_temp(path);
}
END_TEST

START_TEST(test_missing_file)
{
	struct tlsplug__conf c = { 0 };
	char *path = temp_path("absent.conf");
	char *want;

	/* Missing: not an error... */
	ck_assert_int_eq(tlsplug__conf_read_file(path, false, NULL, &c),
	                 TLSPLUG_OK);
	ck_assert(!c.present);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_ptr_null(c.backend.value);
	tlsplug__conf_clear(&c);
	/* ...unless the file was named explicitly (TLSPLUG_CONF). */
	ck_assert_int_eq(tlsplug__conf_read_file(path, true, NULL, &c),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_int_ge(asprintf(&want, "%s: cannot read: %s", path,
	                          strerror(ENOENT)), 0);
	ck_assert_str_eq(c.diags[0], want);
	free(want);
	tlsplug__conf_clear(&c);
	remove_temp(path);
}
END_TEST

START_TEST(test_unreadable_file)
{
	struct tlsplug__conf c = { 0 };
	char *path = temp_path("dir.conf");
	char *want;

	/* A directory cannot be read, even by root. */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(tlsplug__conf_read_file(path, false, NULL, &c),
	                 TLSPLUG_OK);
	ck_assert(c.present);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_int_ge(asprintf(&want, "%s: cannot read: %s", path,
	                          strerror(EISDIR)), 0);
	ck_assert_str_eq(c.diags[0], want);
	free(want);
	tlsplug__conf_clear(&c);
	remove_temp(path);
}
END_TEST

START_TEST(test_empty_file)
{
	struct tlsplug__conf c = { 0 };

	ck_assert_int_eq(tlsplug__conf_read_file("/dev/null", true, NULL, &c),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_ptr_null(c.backend.value);
	tlsplug__conf_clear(&c);
}
END_TEST

START_TEST(test_name_syntax)
{
	ck_assert(tlsplug__backend_name_valid("openssl", 7));
	ck_assert(tlsplug__backend_name_valid("my_tls-2", 8));
	ck_assert(!tlsplug__backend_name_valid("", 0));
	ck_assert(!tlsplug__backend_name_valid("OpenSSL", 7));
	ck_assert(!tlsplug__backend_name_valid("a b", 3));
	ck_assert(!tlsplug__backend_name_valid("a/b", 3));
	ck_assert(!tlsplug__backend_name_valid("a.so", 4));
}
END_TEST

START_TEST(test_split_list)
{
	char **v;
	size_t n;

	ck_assert_int_eq(tlsplug__split_list(" a , b,,c ,", ',', &v, &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "b");
	ck_assert_str_eq(v[2], "c");
	ck_assert_ptr_null(v[3]);
	tlsplug__strv_free(v);
	ck_assert_int_eq(tlsplug__split_list("", ':', &v, &n), TLSPLUG_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v[0]);
	tlsplug__strv_free(v);
}
END_TEST

START_TEST(test_out_of_memory)
{
	static const char text[] =
		"[default]\nbackend = a, b\nplugin_path = /x\nbad\n"
		"[app]\nbackend = c\n";
	unsigned long n;

	/* Fail each allocation in turn: NOMEM or success, never a crash or
	 * a leak (the sanitizer build checks leaks). */
	for (n = 1; n < 100; n++) {
		struct tlsplug__conf c = { 0 };
		int rc;

		tlsplug__alloc_fail_at(n);
		rc = tlsplug__conf_parse(text, sizeof(text) - 1, "t.conf",
		                         "app", &c);
		tlsplug__alloc_fail_at(0);
		if (rc == TLSPLUG_OK) {
			ck_assert_str_eq(c.backend.value, "c");
			tlsplug__conf_clear(&c);
			break;
		}
		ck_assert_int_eq(rc, TLSPLUG_ERR_NOMEM);
		ck_assert_ptr_null(c.diags);
		ck_assert_ptr_null(c.backend.value);
	}
	ck_assert_uint_gt(n, 1);
	ck_assert_uint_lt(n, 100);
}
END_TEST

static Suite *
conffile_suite(void)
{
	Suite *s = suite_create("conffile");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_comments_blanks_whitespace);
	tcase_add_test(tc, test_crlf_and_no_final_newline);
	tcase_add_test(tc, test_app_section_overrides_default);
	tcase_add_test(tc, test_later_line_wins);
	tcase_add_loop_test(tc, test_malformed_line, 0,
	                    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_parsing_goes_on_after_errors);
	tcase_add_test(tc, test_name_syntax);
	tcase_add_test(tc, test_split_list);
	tcase_add_test(tc, test_groups_and_sigalgs);
	tcase_add_test(tc, test_alpn_mismatch);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_empty_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conffile_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
