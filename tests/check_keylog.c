/*
 * check_keylog.c -- the core's key logging, through the null-cipher mock
 * engine (tests/mock/nullcipher.c): the NSS line the core formats from a
 * secret the plugin hands to core->keylog, its delivery to the config's
 * callback, the config's file and SSLKEYLOGFILE (each line once when both
 * name one file), what is dropped (malformed labels, lengths), a file that
 * cannot be opened (reported once, the context still works), a backend
 * without the capability (settings refused, the variable ignored), and the
 * config's equality with key log settings.  The engines' own secrets are
 * tested by the conformance suite (keylog_* cases).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn_testlib.h"
#include "internal.h"
#include "ck_run.h"

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

/* The same engine without TLSPLUG_CAP_KEYLOG (set up in main). */
static struct tlsplug_backend_descriptor nokeylog_desc;
static struct tlsplug_backend nokeylog_backend = {
	.name = (char *)"nokeylog",
	.state = TLSPLUG_BACKEND_OK,
	.d = &nokeylog_desc,
};

static char dir[] = "/tmp/check_keylog.XXXXXX";

/* ---- helpers ---------------------------------------------------------- */

struct lines {
	int n;
	char last[512];
	const struct tlsplug_conn *conn;
};

static void
collect(const struct tlsplug_conn *c, const char *line, void *data)
{
	struct lines *l = data;

	l->n++;
	l->conn = c;
	snprintf(l->last, sizeof(l->last), "%s", line);
}

static unsigned char random32[32], secret48[48];
static char want_line[256];   /* "CLIENT_RANDOM <random> <secret>" */

static void
make_secrets(void)
{
	static const char hexd[] = "0123456789abcdef";
	char *p;

	for (int i = 0; i < 32; i++)
		random32[i] = (unsigned char)i;
	for (int i = 0; i < 48; i++)
		secret48[i] = (unsigned char)(0xf0 - i);
	p = want_line + sprintf(want_line, "CLIENT_RANDOM ");
	for (int i = 0; i < 32; i++) {
		*p++ = hexd[random32[i] >> 4];
		*p++ = hexd[random32[i] & 15];
	}
	*p++ = ' ';
	for (int i = 0; i < 48; i++) {
		*p++ = hexd[secret48[i] >> 4];
		*p++ = hexd[secret48[i] & 15];
	}
	*p = '\0';
}

/* A client connection on backend be with config cfg; *ctxp keeps the
 * context. */
static struct tlsplug_conn *
client(const struct tlsplug_backend *be, struct tlsplug_config *cfg,
       struct tlsplug_context **ctxp)
{
	*ctxp = context(be, TLSPLUG_CLIENT, cfg);
	return conn(*ctxp, NULL);
}

static void
log_secret(struct tlsplug_conn *c, const char *label)
{
	tlsplug__core_services()->keylog(c, label, random32, 32, secret48,
	                                 48);
}

/* The whole file at path ("" when missing). */
static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
path_in_dir(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
	unlink(out);
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(test_callback_gets_the_nss_line)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c;
	struct lines l = { 0 };

	unsetenv("SSLKEYLOGFILE");
	ck_assert_int_eq(tlsplug_config_builder_set_keylog_callback(b,
	                 collect, &l), TLSPLUG_OK);
	c = client(&mock_backend, build(b), &ctx);
	log_secret(c, "CLIENT_RANDOM");
	ck_assert_int_eq(l.n, 1);
	ck_assert_str_eq(l.last, want_line);
	ck_assert_ptr_eq(l.conn, c);
	ck_assert_ptr_null(tlsplug_context_keylog_error(ctx));
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
}
END_TEST

START_TEST(test_malformed_secrets_are_dropped)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const struct tlsplug_core *core = tlsplug__core_services();
	unsigned char big[65] = { 0 };
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c;
	struct lines l = { 0 };

	unsetenv("SSLKEYLOGFILE");
	tlsplug_config_builder_set_keylog_callback(b, collect, &l);
	c = client(&mock_backend, build(b), &ctx);
	log_secret(c, "client_random");            /* lower case */
	log_secret(c, "CLIENT RANDOM");            /* a blank */
	log_secret(c, "BAD\nLABEL");               /* a newline */
	log_secret(c, "");
	log_secret(c, "A_LABEL_OF_SIXTY_FIVE_CHARACTERS_IS_ONE_MORE_THAN_"
	              "WHAT_IS_ALLOWED");
	core->keylog(c, "CLIENT_RANDOM", random32, 31, secret48, 48);
	core->keylog(c, "CLIENT_RANDOM", random32, 32, secret48, 0);
	core->keylog(c, "CLIENT_RANDOM", random32, 32, big, 65);
	core->keylog(c, NULL, random32, 32, secret48, 48);
	core->keylog(c, "CLIENT_RANDOM", NULL, 32, secret48, 48);
	core->keylog(NULL, "CLIENT_RANDOM", random32, 32, secret48, 48);
	ck_assert_int_eq(l.n, 0);
	/* The longest allowed: a 64-byte secret. */
	core->keylog(c, "EXPORTER_SECRET", random32, 32, big, 64);
	ck_assert_int_eq(l.n, 1);
	ck_assert_uint_eq(strlen(l.last), strlen("EXPORTER_SECRET") + 1 + 64 +
	                  1 + 128);
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
}
END_TEST

START_TEST(test_file_appends_lines_mode_0600)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c;
	char path[256], want[600];
	struct stat st;

	unsetenv("SSLKEYLOGFILE");
	path_in_dir(path, sizeof(path), "file.log");
	ck_assert_int_eq(tlsplug_config_builder_set_keylog_file(b, path),
	                 TLSPLUG_OK);
	c = client(&mock_backend, build(b), &ctx);
	ck_assert_str_eq(tlsplug_config_keylog_file(
	                 tlsplug_context_config(ctx)), path);
	log_secret(c, "CLIENT_RANDOM");
	log_secret(c, "CLIENT_RANDOM");
	snprintf(want, sizeof(want), "%s\n%s\n", want_line, want_line);
	ck_assert_str_eq(slurp(path), want);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
}
END_TEST

START_TEST(test_sslkeylogfile)
{
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c;
	char path[256], want[600];

	path_in_dir(path, sizeof(path), "env.log");
	setenv("SSLKEYLOGFILE", path, 1);
	c = client(&mock_backend, tlsplug_config_default(), &ctx);
	log_secret(c, "CLIENT_RANDOM");
	snprintf(want, sizeof(want), "%s\n", want_line);
	ck_assert_str_eq(slurp(path), want);
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
	/* Empty: off. */
	setenv("SSLKEYLOGFILE", "", 1);
	c = client(&mock_backend, tlsplug_config_default(), &ctx);
	ck_assert_ptr_null(tlsplug__context_keylog(ctx));
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
	unsetenv("SSLKEYLOGFILE");
}
END_TEST

START_TEST(test_same_file_twice_gets_each_line_once)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c;
	char path[256], other[300];

	path_in_dir(path, sizeof(path), "same.log");
	/* Another name for the same file. */
	snprintf(other, sizeof(other), "%s/./same.log", dir);
	setenv("SSLKEYLOGFILE", other, 1);
	tlsplug_config_builder_set_keylog_file(b, path);
	c = client(&mock_backend, build(b), &ctx);
	log_secret(c, "CLIENT_RANDOM");
	ck_assert_int_eq(count_of(slurp(path), want_line), 1);
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
	unsetenv("SSLKEYLOGFILE");
}
END_TEST

START_TEST(test_unopenable_file_reported_once)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const struct tlsplug_error *e;
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c, *c2;
	struct lines l = { 0 };
	char path[256];

	unsetenv("SSLKEYLOGFILE");
	snprintf(path, sizeof(path), "%s/no/such/dir/keys.log", dir);
	tlsplug_config_builder_set_keylog_file(b, path);
	tlsplug_config_builder_set_keylog_callback(b, collect, &l);
	c = client(&mock_backend, build(b), &ctx);
	e = tlsplug_context_keylog_error(ctx);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), TLSPLUG_ERR_IO);
	ck_assert_msg(strstr(tlsplug_error_message(e), path) != NULL &&
	              strstr(tlsplug_error_message(e), strerror(ENOENT)) !=
	              NULL, "message: %s", tlsplug_error_message(e));
	/* The callback still gets the lines; the connection works. */
	log_secret(c, "CLIENT_RANDOM");
	ck_assert_int_eq(l.n, 1);
	c2 = conn(ctx, NULL);
	ck_assert_ptr_eq(tlsplug_context_keylog_error(ctx), e);
	ck_assert_ptr_null(tlsplug_conn_error(c2));
	tlsplug_conn_free(c2);
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);

	/* SSLKEYLOGFILE naming a directory: the same, named as the
	 * variable. */
	setenv("SSLKEYLOGFILE", dir, 1);
	c = client(&mock_backend, tlsplug_config_default(), &ctx);
	e = tlsplug_context_keylog_error(ctx);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e),
	                             "SSLKEYLOGFILE"));
	ck_assert_ptr_null(tlsplug__context_keylog(ctx));
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
	unsetenv("SSLKEYLOGFILE");
}
END_TEST

START_TEST(test_backend_without_capability)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *cfg;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;
	struct tlsplug_conn *c;
	char path[256];
	struct stat st;

	tlsplug_config_builder_set_keylog_file(b, "/dev/null");
	cfg = build(b);
	ck_assert_int_eq(tlsplug_context_new(&nokeylog_backend,
	                 TLSPLUG_CLIENT, cfg, &ctx, &e),
	                 TLSPLUG_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e),
	                             "key logging"));
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e), "nokeylog"));
	tlsplug_error_free(e);
	tlsplug_config_unref(cfg);

	/* The variable is ignored there: no file appears. */
	path_in_dir(path, sizeof(path), "ignored.log");
	setenv("SSLKEYLOGFILE", path, 1);
	c = client(&nokeylog_backend, tlsplug_config_default(), &ctx);
	ck_assert_ptr_null(tlsplug__context_keylog(ctx));
	ck_assert_int_ne(stat(path, &st), 0);
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
	unsetenv("SSLKEYLOGFILE");
}
END_TEST

START_TEST(test_off_by_default)
{
	struct tlsplug_context *ctx;
	struct tlsplug_conn *c;

	unsetenv("SSLKEYLOGFILE");
	c = client(&mock_backend, tlsplug_config_default(), &ctx);
	ck_assert_ptr_null(tlsplug__context_keylog(ctx));
	ck_assert_ptr_null(tlsplug_context_keylog_error(ctx));
	/* A secret handed over anyway goes nowhere, without harm. */
	log_secret(c, "CLIENT_RANDOM");
	tlsplug_conn_free(c);
	tlsplug_context_unref(ctx);
}
END_TEST

START_TEST(test_config_equality)
{
	struct tlsplug_config_builder *b1 = tlsplug_config_builder_new();
	struct tlsplug_config_builder *b2 = tlsplug_config_builder_new();
	struct tlsplug_config_builder *b3;
	struct tlsplug_config *c1, *c2, *c3;
	struct lines l;
	char longpath[5000];

	tlsplug_config_builder_set_keylog_file(b1, "/tmp/a.log");
	tlsplug_config_builder_set_keylog_file(b2, "/tmp/b.log");
	c1 = build(b1);
	c2 = build(b2);
	ck_assert(!tlsplug_config_equal(c1, c2));
	b3 = tlsplug_config_edit(c1);
	c3 = build(b3);
	ck_assert(tlsplug_config_equal(c1, c3));
	ck_assert_uint_eq(tlsplug_config_hash(c1), tlsplug_config_hash(c3));
	ck_assert_str_eq(tlsplug_config_keylog_file(c3), "/tmp/a.log");
	tlsplug_config_unref(c3);
	b3 = tlsplug_config_edit(c1);
	tlsplug_config_builder_set_keylog_callback(b3, collect, &l);
	c3 = build(b3);
	ck_assert(!tlsplug_config_equal(c1, c3));
	tlsplug_config_unref(c3);
	/* "" and NULL: no file. */
	b3 = tlsplug_config_edit(c1);
	tlsplug_config_builder_set_keylog_file(b3, "");
	c3 = build(b3);
	ck_assert_ptr_null(tlsplug_config_keylog_file(c3));
	ck_assert(tlsplug_config_equal(c3, tlsplug_config_default()));
	tlsplug_config_unref(c3);
	/* Too long a path: refused, the old value kept. */
	b3 = tlsplug_config_edit(c1);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(tlsplug_config_builder_set_keylog_file(b3, longpath),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(
	    tlsplug_config_builder_error(b3)), "key log file"));
	c3 = build(b3);
	ck_assert(tlsplug_config_equal(c1, c3));
	tlsplug_config_unref(c3);
	tlsplug_config_unref(c1);
	tlsplug_config_unref(c2);
}
END_TEST

static void
remove_dir(void)
{
	static const char *const names[] = {
		"file.log", "env.log", "same.log", "ignored.log",
	};
	char path[300];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
main(void)
{
	Suite *s = suite_create("keylog");
	TCase *tc = tcase_create("core");
	struct tlsplug_error err = { .alert = -1 };
	SRunner *sr;
	int failed;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	if (mock_desc.init(tlsplug__core_services(), &err) != TLSPLUG_OK)
		return 99;
	nokeylog_desc = mock_desc;
	nokeylog_desc.name = "nokeylog";
	nokeylog_desc.caps &= ~TLSPLUG_CAP_KEYLOG;
	make_secrets();
	tcase_add_test(tc, test_callback_gets_the_nss_line);
	tcase_add_test(tc, test_malformed_secrets_are_dropped);
	tcase_add_test(tc, test_file_appends_lines_mode_0600);
	tcase_add_test(tc, test_sslkeylogfile);
	tcase_add_test(tc, test_same_file_twice_gets_each_line_once);
	tcase_add_test(tc, test_unopenable_file_reported_once);
	tcase_add_test(tc, test_backend_without_capability);
	tcase_add_test(tc, test_off_by_default);
	tcase_add_test(tc, test_config_equality);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	remove_dir();
	return failed == 0 ? 0 : 1;
}
