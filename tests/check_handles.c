/* check_handles.c -- certificate, private key and trust store handles. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ck_run.h"
#include "unpriv.h"

/* Files generated at test time, so nothing in the tree expires. */
static char dir[] = "/tmp/tlsplug-handles-XXXXXX";

static const char *
path(const char *name)
{
	static char buf[8][256];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static int
run(const char *cmd)
{
	char full[2048];

	snprintf(full, sizeof(full), "cd '%s' && { %s; } >/dev/null 2>&1", dir,
	         cmd);
	return system(full);
}

/* Copies file from to to.  Returns 0 or -1. */
static int
copy_file(const char *from, const char *to)
{
	char buf[4096];
	size_t n;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int rc = in != NULL && out != NULL ? 0 : -1;

	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		rc = -1;
	return rc;
}

static void
write_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(path(name), "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path(name));
		exit(99);
	}
}

static int
generate(void)
{
	const char *o = getenv("OPENSSL_BIN");
	char cmd[1024];
	static const char *const steps[] = {
		"%s req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		"-nodes -keyout key.pem -out cert.pem -subj /CN=leaf -days 2",
		"%s req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		"-nodes -keyout key2.pem -out cert2.pem -subj /CN=ca -days 2",
		"%s x509 -in cert.pem -outform DER -out cert.der",
		"%s pkey -in key.pem -outform DER -out key.der",
		"%s pkcs8 -topk8 -in key.pem -v2 aes-128-cbc "
		"-passout pass:secret -out key_enc.pem",
		"%s pkcs8 -topk8 -in key.pem -v2 aes-128-cbc "
		"-passout pass:secret -outform DER -out key_enc.der",
		"%s ecparam -name prime256v1 -genkey -out ec_params_key.pem",
		"%s x509 -in cert.pem -text -out cert_text.pem",
		"cat cert.pem cert2.pem > chain.pem",
		"cat cert.pem key.pem > combined.pem",
	};

	if (o == NULL || *o == '\0')
		o = "openssl";
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(cmd, sizeof(cmd), steps[i], o);
		if (run(cmd) != 0) {
			fprintf(stderr, "failed: %s\n", cmd);
			return -1;
		}
	}
	return 0;
}

static void
remove_dir(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", dir,
	         dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Asserts the error's code and that its message contains `needle`. */
static void
assert_error(struct tlsplug_error *e, int code, const char *needle)
{
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), code);
	ck_assert_msg(strstr(tlsplug_error_message(e), needle) != NULL,
	              "message '%s' lacks '%s'", tlsplug_error_message(e),
	              needle);
	tlsplug_error_free(e);
}

/* ---- certificates --------------------------------------------------- */

START_TEST(test_cert_pem_file)
{
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_blob blob;

	ck_assert_int_eq(tlsplug_certificate_from_file(path("cert.pem"), &c,
	                                               NULL), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug_certificate_count(c), 1);
	tlsplug__certificate_blob(c, &blob);
	ck_assert_int_eq(blob.format, TLSPLUG_FORMAT_PEM);
	ck_assert_str_eq(blob.origin, path("cert.pem"));
	ck_assert_uint_eq(blob.data[blob.len], '\0');
	ck_assert_uint_eq(strlen((const char *)blob.data), blob.len);
	ck_assert_ptr_nonnull(strstr((const char *)blob.data,
	                             "-----BEGIN CERTIFICATE-----"));
	ck_assert_ptr_eq(tlsplug_certificate_ref(c), c);
	tlsplug_certificate_unref(c);
	tlsplug_certificate_unref(c);
	tlsplug_certificate_unref(NULL);
	ck_assert_ptr_null(tlsplug_certificate_ref(NULL));
	ck_assert_uint_eq(tlsplug_certificate_count(NULL), 0);
}
END_TEST

START_TEST(test_cert_chain_count)
{
	struct tlsplug_certificate *c = NULL;

	ck_assert_int_eq(tlsplug_certificate_from_file(path("chain.pem"), &c,
	                                               NULL), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug_certificate_count(c), 2);
	tlsplug_certificate_unref(c);
	/* Explanatory text around the block (openssl x509 -text). */
	ck_assert_int_eq(tlsplug_certificate_from_file(path("cert_text.pem"),
	                                               &c, NULL), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug_certificate_count(c), 1);
	tlsplug_certificate_unref(c);
	/* A certificate and its key in one file: the key block is skipped. */
	ck_assert_int_eq(tlsplug_certificate_from_file(path("combined.pem"),
	                                               &c, NULL), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug_certificate_count(c), 1);
	tlsplug_certificate_unref(c);
}
END_TEST

START_TEST(test_cert_der)
{
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_error *e = NULL;
	struct tlsplug_blob blob;
	unsigned char *data;
	size_t len;
	FILE *f;

	ck_assert_int_eq(tlsplug_certificate_from_file(path("cert.der"), &c,
	                                               NULL), TLSPLUG_OK);
	tlsplug__certificate_blob(c, &blob);
	ck_assert_int_eq(blob.format, TLSPLUG_FORMAT_DER);
	ck_assert_uint_eq(tlsplug_certificate_count(c), 1);

	/* Same bytes from memory; then truncated DER is refused. */
	len = blob.len;
	data = malloc(len);
	memcpy(data, blob.data, len);
	tlsplug_certificate_unref(c);
	ck_assert_int_eq(tlsplug_certificate_from_buffer(data, len, &c, NULL),
	                 TLSPLUG_OK);
	tlsplug__certificate_blob(c, &blob);
	ck_assert_str_eq(blob.origin, "(buffer)");
	ck_assert_int_eq(blob.format, TLSPLUG_FORMAT_DER);
	ck_assert_int_eq(memcmp(blob.data, data, len), 0);
	tlsplug_certificate_unref(c);
	c = (void *)1;
	ck_assert_int_eq(tlsplug_certificate_from_buffer(data, len - 1, &c, &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	ck_assert_ptr_null(c);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, "(buffer)");

	f = fopen(path("trunc.der"), "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(data, 1, len / 2, f);
	fclose(f);
	e = NULL;
	ck_assert_int_eq(tlsplug_certificate_from_file(path("trunc.der"), &c,
	                                               &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, path("trunc.der"));

	/* A DER private key is not a certificate. */
	e = NULL;
	ck_assert_int_eq(tlsplug_certificate_from_file(path("key.der"), &c, &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, "key.der");
	free(data);
}
END_TEST

START_TEST(test_missing_file)
{
	struct tlsplug_certificate *c = (void *)1;
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_error *e = NULL;

	ck_assert_int_eq(tlsplug_certificate_from_file(path("nope.pem"), &c,
	                                               &e), TLSPLUG_ERR_IO);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e),
	                             path("nope.pem")));
	assert_error(e, TLSPLUG_ERR_IO, strerror(ENOENT));

	e = NULL;
	ck_assert_int_eq(tlsplug_private_key_from_file(path("nope.key"), &k,
	                                               &e), TLSPLUG_ERR_IO);
	assert_error(e, TLSPLUG_ERR_IO, "nope.key");
	e = NULL;
	ck_assert_int_eq(tlsplug_trust_store_from_file(path("nope.ca"), &t, &e),
	                 TLSPLUG_ERR_IO);
	assert_error(e, TLSPLUG_ERR_IO, "nope.ca");
	/* err may be NULL. */
	ck_assert_int_eq(tlsplug_certificate_from_file(path("nope.pem"), &c,
	                                               NULL), TLSPLUG_ERR_IO);
}
END_TEST

/* As the (unprivileged) user: the file loads while readable, and is IO,
 * EACCES, naming the file, at mode 000. */
static int
mode_000(void *arg, char *msg, size_t len)
{
	const char *file = arg;
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_error *e = NULL;
	int rc;

	if (chmod(file, 0644) != 0) {
		snprintf(msg, len, "chmod %s: %s", file, strerror(errno));
		return -1;
	}
	rc = tlsplug_certificate_from_file(file, &c, &e);
	tlsplug_certificate_unref(c);
	c = NULL;
	if (rc != TLSPLUG_OK) {
		snprintf(msg, len, "readable %s: %s", file,
		         tlsplug_error_message(e));
		tlsplug_error_free(e);
		return -1;
	}
	chmod(file, 0);
	rc = tlsplug_certificate_from_file(file, &c, &e);
	tlsplug_certificate_unref(c);
	if (rc != TLSPLUG_ERR_IO || e == NULL ||
	    strstr(tlsplug_error_message(e), strerror(EACCES)) == NULL ||
	    strstr(tlsplug_error_message(e), file) == NULL) {
		snprintf(msg, len, "mode 000 %s: %s (%s), expected IO naming "
		         "the file and \"%s\"", file, tlsplug_status_name(rc),
		         e != NULL ? tlsplug_error_message(e) : "no record",
		         strerror(EACCES));
		tlsplug_error_free(e);
		return -1;
	}
	tlsplug_error_free(e);
	return 0;
}

START_TEST(test_unreadable_file)
{
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_error *e = NULL;
	char sub[] = "/tmp/tlsplug-noperm-XXXXXX", file[64], msg[512];
	uid_t uid;
	gid_t gid;
	int rc;

	/* A directory cannot be read, even by root. */
	ck_assert_int_eq(tlsplug_certificate_from_file(dir, &c, &e),
	                 TLSPLUG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(tlsplug_error_message(e), dir));
	assert_error(e, TLSPLUG_ERR_IO, strerror(EISDIR));

	/* Permission bits stop everyone but root: as root, this part runs
	 * as the user nobody (tests/unpriv.h), on a copy of cert.pem that
	 * user owns, in a directory it may enter. */
	ck_assert_ptr_nonnull(mkdtemp(sub));
	ck_assert_int_eq(chmod(sub, 0755), 0);
	snprintf(file, sizeof(file), "%s/noperm.pem", sub);
	ck_assert_int_eq(copy_file(path("cert.pem"), file), 0);
	if (geteuid() == 0) {
		unpriv_ids(&uid, &gid);
		ck_assert_int_eq(chown(file, uid, gid), 0);
	}
	rc = unpriv_run(mode_000, file, msg, sizeof(msg));
	unlink(file);
	rmdir(sub);
	ck_assert_msg(rc == 0, "%s", msg);
}
END_TEST

START_TEST(test_neither_pem_nor_der)
{
	static const char text[] = "just some text\nnot a certificate\n";
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_error *e = NULL;

	write_file("junk.txt", text, sizeof(text) - 1);
	ck_assert_int_eq(tlsplug_certificate_from_file(path("junk.txt"), &c,
	                                               &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, path("junk.txt"));
	e = NULL;
	ck_assert_int_eq(tlsplug_private_key_from_file(path("junk.txt"), &k,
	                                               &e),
	                 TLSPLUG_ERR_BAD_KEY);
	assert_error(e, TLSPLUG_ERR_BAD_KEY, path("junk.txt"));

	write_file("empty.pem", "", 0);
	e = NULL;
	ck_assert_int_eq(tlsplug_certificate_from_file(path("empty.pem"), &c,
	                                               &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, "empty");

	/* A key file is not a certificate, and the reverse. */
	e = NULL;
	ck_assert_int_eq(tlsplug_certificate_from_file(path("key.pem"), &c,
	                                               &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, "no CERTIFICATE");
	e = NULL;
	ck_assert_int_eq(tlsplug_private_key_from_file(path("cert.pem"), &k,
	                                               &e),
	                 TLSPLUG_ERR_BAD_KEY);
	assert_error(e, TLSPLUG_ERR_BAD_KEY, path("cert.pem"));
	e = NULL;
	ck_assert_int_eq(tlsplug_private_key_from_file(path("cert.der"), &k,
	                                               &e),
	                 TLSPLUG_ERR_BAD_KEY);
	assert_error(e, TLSPLUG_ERR_BAD_KEY, "cert.der");
}
END_TEST

/* PEM framing errors (these literals are never parsed as certificates). */
START_TEST(test_bad_pem_framing)
{
	static const struct {
		const char *pem;
		const char *why;
	} bad[] = {
		{ "-----BEGIN CERTIFICATE-----\nTUlJQg==\n"
		  "-----END PRIVATE KEY-----\n", "does not match" },
		{ "-----BEGIN CERTIFICATE-----\nTUlJQg==\n", "missing END" },
		{ "-----BEGIN CERTIFICATE-----\nTUlJ QgÃ©==\n"
		  "-----END CERTIFICATE-----\n", "base64" },
		{ "-----BEGIN CERTIFICATE-----\n"
		  "-----END CERTIFICATE-----\n", "empty" },
		{ "-----BEGIN CERTIFICATE-----\nTUlJQg==\n"
		  "-----BEGIN CERTIFICATE-----\nTUlJQg==\n"
		  "-----END CERTIFICATE-----\n", "missing END" },
		{ "-----BEGIN CERTIFICATE\nTUlJQg==\n"
		  "-----END CERTIFICATE-----\n", "BEGIN" },
		{ "-----BEGIN X509 CRL-----\nTUlJQg==\n"
		  "-----END X509 CRL-----\n", "no CERTIFICATE" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlsplug_certificate *c = NULL;
		struct tlsplug_error *e = NULL;

		ck_assert_msg(tlsplug_certificate_from_buffer(bad[i].pem,
		    strlen(bad[i].pem), &c, &e) == TLSPLUG_ERR_BAD_CERTIFICATE,
		    "case %zu accepted", i);
		ck_assert_ptr_null(c);
		assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, bad[i].why);
	}
	/* CRLF line ends and a chain of two minimal blocks are fine. */
	{
		static const char ok[] =
		    "-----BEGIN CERTIFICATE-----\r\nTUlJQg==\r\n"
		    "-----END CERTIFICATE-----\r\n"
		    "-----BEGIN CERTIFICATE-----\nTUlJQg==\n"
		    "-----END CERTIFICATE-----";
		struct tlsplug_certificate *c = NULL;

		ck_assert_int_eq(tlsplug_certificate_from_buffer(ok,
		    sizeof(ok) - 1, &c, NULL), TLSPLUG_OK);
		ck_assert_uint_eq(tlsplug_certificate_count(c), 2);
		tlsplug_certificate_unref(c);
	}
	/* Embedded NUL: not text. */
	{
		static const char nul[] =
		    "-----BEGIN CERTIFICATE-----\n\0TUlJ\n"
		    "-----END CERTIFICATE-----\n";
		struct tlsplug_certificate *c = NULL;

		ck_assert_int_eq(tlsplug_certificate_from_buffer(nul,
		    sizeof(nul) - 1, &c, NULL), TLSPLUG_ERR_BAD_CERTIFICATE);
	}
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_error *e = NULL;

	ck_assert_int_eq(tlsplug_certificate_from_file(NULL, &c, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_certificate_from_file(path("cert.pem"), NULL,
	                                               NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_certificate_from_buffer(NULL, 5, &c, &e),
	                 TLSPLUG_ERR_INVALID);
	tlsplug_error_free(e);
	ck_assert_int_eq(tlsplug_certificate_from_buffer(NULL, 0, &c, NULL),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	ck_assert_int_eq(tlsplug_private_key_from_file(NULL, &k, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_private_key_from_buffer("x", 1, NULL, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_private_key_from_file_with_password(
	    path("key_enc.pem"), NULL, 3, &k, NULL), TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_private_key_from_file_with_callback(
	    path("key_enc.pem"), NULL, NULL, &k, NULL), TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_trust_store_from_file(NULL, &t, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_trust_store_from_buffer("x", 1, NULL, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_ptr_null(c);
	ck_assert_ptr_null(k);
	ck_assert_ptr_null(t);
}
END_TEST

/* ---- private keys --------------------------------------------------- */

START_TEST(test_key_formats)
{
	static const char *const files[] = {
		"key.pem", "key.der", "ec_params_key.pem",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct tlsplug_private_key *k = NULL;
		struct tlsplug_error *e = NULL;
		struct tlsplug_bkey bk;
		int rc = tlsplug_private_key_from_file(path(files[i]), &k, &e);

		ck_assert_msg(rc == TLSPLUG_OK, "%s: %s", files[i],
		              tlsplug_error_message(e));
		tlsplug__private_key_bkey(k, &bk);
		ck_assert_int_eq(bk.blob.format, i == 1 ? TLSPLUG_FORMAT_DER :
		                 TLSPLUG_FORMAT_PEM);
		ck_assert_str_eq(bk.blob.origin, path(files[i]));
		ck_assert_ptr_null(bk.password);
		ck_assert_ptr_null(bk.password_cb);
		ck_assert_int_eq(tlsplug__private_key_encrypted(k), 0);
		ck_assert_ptr_eq(tlsplug_private_key_ref(k), k);
		tlsplug_private_key_unref(k);
		tlsplug_private_key_unref(k);
	}
	tlsplug_private_key_unref(NULL);
}
END_TEST

static int
password_cb(char *buf, size_t size, void *data)
{
	(void)buf;
	(void)size;
	(void)data;
	return -1;
}

START_TEST(test_encrypted_keys)
{
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_bkey bk;
	int token;

	ck_assert_int_eq(tlsplug_private_key_from_file_with_password(
	    path("key_enc.pem"), "secret", 6, &k, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 1);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_uint_eq(bk.password_len, 6);
	ck_assert_int_eq(memcmp(bk.password, "secret", 6), 0);
	ck_assert_ptr_nonnull(strstr((const char *)bk.blob.data,
	                             "ENCRYPTED PRIVATE KEY"));
	tlsplug_private_key_unref(k);

	ck_assert_int_eq(tlsplug_private_key_from_file_with_callback(
	    path("key_enc.der"), password_cb, &token, &k, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 1);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_int_eq(bk.blob.format, TLSPLUG_FORMAT_DER);
	ck_assert_ptr_eq(bk.password_cb, password_cb);
	ck_assert_ptr_eq(bk.password_user_data, &token);
	ck_assert_ptr_null(bk.password);
	tlsplug_private_key_unref(k);

	/* Without a password the handle is still made; the engine reports a
	 * missing password when the key is used. */
	ck_assert_int_eq(tlsplug_private_key_from_file(path("key_enc.pem"), &k,
	                                               NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 1);
	tlsplug_private_key_unref(k);
}
END_TEST

/* The six constructors: the same checks of their arguments, and a
 * password or callback kept for an encrypted key only. */
START_TEST(test_key_constructors)
{
	struct tlsplug_private_key *k = (void *)1;
	struct tlsplug_error *e = NULL;
	unsigned char *enc = NULL, *plain = NULL;
	size_t enclen = 0, plainlen = 0;
	struct tlsplug_bkey bk;
	int token;

	ck_assert_int_eq(tlsplug__read_file(path("key_enc.der"), 1 << 20, &enc,
	                                    &enclen), 0);
	ck_assert_int_eq(tlsplug__read_file(path("key.der"), 1 << 20, &plain,
	                                    &plainlen), 0);

	/* Bad arguments: INVALID (out set to NULL) or MISUSE. */
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_callback(enc,
	    enclen, NULL, NULL, &k, &e), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(k);
	assert_error(e, TLSPLUG_ERR_INVALID, "callback is NULL");
	e = NULL;
	k = (void *)1;
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_password(enc,
	    enclen, NULL, 1, &k, NULL), TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_callback(NULL, 3,
	    password_cb, NULL, &k, NULL), TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_callback(enc,
	    enclen, password_cb, NULL, NULL, NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_private_key_from_file_with_callback(NULL,
	    password_cb, NULL, &k, NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_private_key_from_file_with_password(NULL,
	    "x", 1, &k, NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_callback("x", 1,
	    password_cb, NULL, &k, &e), TLSPLUG_ERR_BAD_KEY);
	assert_error(e, TLSPLUG_ERR_BAD_KEY, "(buffer)");

	/* An encrypted DER key from a buffer, with a callback. */
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_callback(enc,
	    enclen, password_cb, &token, &k, NULL), TLSPLUG_OK);
	explicit_bzero(enc, enclen);   /* the handle has its own copy */
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 1);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_int_eq(bk.blob.format, TLSPLUG_FORMAT_DER);
	ck_assert_uint_eq(bk.blob.len, enclen);
	ck_assert_uint_eq(bk.blob.data[0], 0x30);
	ck_assert_str_eq(bk.blob.origin, "(buffer)");
	ck_assert_ptr_eq(bk.password_cb, password_cb);
	ck_assert_ptr_eq(bk.password_user_data, &token);
	ck_assert_ptr_null(bk.password);
	tlsplug_private_key_unref(k);

	/* The empty password (NULL, 0) is a password. */
	ck_assert_int_eq(tlsplug_private_key_from_file_with_password(
	    path("key_enc.pem"), NULL, 0, &k, NULL), TLSPLUG_OK);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_ptr_nonnull(bk.password);
	ck_assert_uint_eq(bk.password_len, 0);
	tlsplug_private_key_unref(k);

	/* A key that is not encrypted drops its password or callback. */
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_password(plain,
	    plainlen, "secret", 6, &k, NULL), TLSPLUG_OK);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 0);
	ck_assert_ptr_null(bk.password);
	ck_assert_uint_eq(bk.password_len, 0);
	ck_assert_ptr_null(bk.password_cb);
	tlsplug_private_key_unref(k);
	ck_assert_int_eq(tlsplug_private_key_from_file_with_callback(
	    path("key.pem"), password_cb, &token, &k, NULL), TLSPLUG_OK);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_ptr_null(bk.password_cb);
	ck_assert_ptr_null(bk.password_user_data);
	ck_assert_ptr_null(bk.password);
	tlsplug_private_key_unref(k);
	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_callback(plain,
	    plainlen, password_cb, &token, &k, NULL), TLSPLUG_OK);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_ptr_null(bk.password_cb);
	tlsplug_private_key_unref(k);

	tlsplug__free(enc);
	tlsplug__free(plain);
}
END_TEST

/* Traditional encrypted PEM (RFC 1421 headers); framing only. */
START_TEST(test_traditional_encrypted_framing)
{
	static const char pem[] =
	    "-----BEGIN RSA PRIVATE KEY-----\n"
	    "Proc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n"
	    "\n"
	    "TUlJQg==\n"
	    "-----END RSA PRIVATE KEY-----\n";
	static const char plain[] =
	    "-----BEGIN EC PRIVATE KEY-----\nTUlJQg==\n"
	    "-----END EC PRIVATE KEY-----\n";
	static const char two[] =
	    "-----BEGIN PRIVATE KEY-----\nTUlJQg==\n"
	    "-----END PRIVATE KEY-----\n"
	    "-----BEGIN PRIVATE KEY-----\nTUlJQg==\n"
	    "-----END PRIVATE KEY-----\n";
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_error *e = NULL;
	struct tlsplug_bkey bk;

	ck_assert_int_eq(tlsplug_private_key_from_buffer_with_password(pem,
	    sizeof(pem) - 1, "pw", 2, &k, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 1);
	tlsplug__private_key_bkey(k, &bk);
	ck_assert_str_eq(bk.blob.origin, "(buffer)");
	ck_assert_uint_eq(bk.blob.data[bk.blob.len], '\0');
	tlsplug_private_key_unref(k);

	ck_assert_int_eq(tlsplug_private_key_from_buffer(plain,
	    sizeof(plain) - 1, &k, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__private_key_encrypted(k), 0);
	tlsplug_private_key_unref(k);

	ck_assert_int_eq(tlsplug_private_key_from_buffer(two, sizeof(two) - 1,
	                                                 &k, &e),
	                 TLSPLUG_ERR_BAD_KEY);
	assert_error(e, TLSPLUG_ERR_BAD_KEY, "2 private keys");

	/* Headers are not allowed in certificates. */
	{
		static const char hdr[] =
		    "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n"
		    "TUlJQg==\n-----END CERTIFICATE-----\n";
		struct tlsplug_certificate *c = NULL;

		ck_assert_int_eq(tlsplug_certificate_from_buffer(hdr,
		    sizeof(hdr) - 1, &c, NULL), TLSPLUG_ERR_BAD_CERTIFICATE);
	}
}
END_TEST

/* ---- trust stores --------------------------------------------------- */

START_TEST(test_trust_stores)
{
	struct tlsplug_trust_store *sys = tlsplug_trust_store_system();
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_error *e = NULL;
	struct tlsplug_btrust bt;

	ck_assert_ptr_nonnull(sys);
	ck_assert_ptr_eq(tlsplug_trust_store_system(), sys);
	/* The shared handle survives any number of unrefs. */
	for (int i = 0; i < 5; i++)
		tlsplug_trust_store_unref(sys);
	ck_assert_ptr_eq(tlsplug_trust_store_ref(sys), sys);
	tlsplug__trust_store_btrust(sys, &bt);
	ck_assert_int_eq(bt.system, 1);
	ck_assert_int_eq(tlsplug__trust_store_is_system(sys), 1);

	ck_assert_int_eq(tlsplug_trust_store_from_file(path("chain.pem"), &t,
	                                               NULL), TLSPLUG_OK);
	tlsplug__trust_store_btrust(t, &bt);
	ck_assert_int_eq(bt.system, 0);
	ck_assert_int_eq(bt.pem.format, TLSPLUG_FORMAT_PEM);
	ck_assert_uint_eq(bt.pem.data[bt.pem.len], '\0');
	ck_assert_int_eq(tlsplug__trust_store_is_system(t), 0);
	tlsplug_trust_store_unref(t);

	/* Trust anchors are PEM only. */
	ck_assert_int_eq(tlsplug_trust_store_from_file(path("cert.der"), &t,
	                                               &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, "not PEM");
	e = NULL;
	ck_assert_int_eq(tlsplug_trust_store_from_file(path("key.pem"), &t, &e),
	                 TLSPLUG_ERR_BAD_CERTIFICATE);
	assert_error(e, TLSPLUG_ERR_BAD_CERTIFICATE, "key.pem");
	tlsplug_trust_store_unref(NULL);
}
END_TEST

START_TEST(test_trust_from_buffer)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nTUlJQg==\n"
	                          "-----END CERTIFICATE-----\n";
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_btrust bt;

	ck_assert_int_eq(tlsplug_trust_store_from_buffer(pem, sizeof(pem) - 1,
	                                                 &t, NULL), TLSPLUG_OK);
	tlsplug__trust_store_btrust(t, &bt);
	ck_assert_uint_eq(bt.pem.len, sizeof(pem) - 1);
	ck_assert_str_eq(bt.pem.origin, "(buffer)");
	ck_assert_ptr_eq(tlsplug_trust_store_ref(t), t);
	tlsplug_trust_store_unref(t);
	tlsplug_trust_store_unref(t);
}
END_TEST

/* Allocation failures anywhere in loading give NOMEM, never a crash or a
 * leak (ASan / valgrind check the latter). */
START_TEST(test_allocation_failures)
{
	int saw_ok = 0;

	for (unsigned long n = 1; n < 20; n++) {
		struct tlsplug_private_key *k = NULL;
		struct tlsplug_error *e = NULL;
		int rc;

		tlsplug__alloc_fail_at(n);
		rc = tlsplug_private_key_from_file_with_password(
		    path("key_enc.pem"), "secret", 6, &k, &e);
		tlsplug__alloc_fail_at(0);
		if (rc == TLSPLUG_OK) {
			saw_ok = 1;
			tlsplug_private_key_unref(k);
			break;
		}
		ck_assert_int_eq(rc, TLSPLUG_ERR_NOMEM);
		ck_assert_ptr_null(k);
		tlsplug_error_free(e);
	}
	ck_assert(saw_ok);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("handles");
	TCase *tc = tcase_create("handles");
	SRunner *sr;
	int failed;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	if (generate() != 0) {
		remove_dir();
		return 99;
	}
	tcase_add_test(tc, test_cert_pem_file);
	tcase_add_test(tc, test_cert_chain_count);
	tcase_add_test(tc, test_cert_der);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_neither_pem_nor_der);
	tcase_add_test(tc, test_bad_pem_framing);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_key_formats);
	tcase_add_test(tc, test_encrypted_keys);
	tcase_add_test(tc, test_key_constructors);
	tcase_add_test(tc, test_traditional_encrypted_framing);
	tcase_add_test(tc, test_trust_stores);
	tcase_add_test(tc, test_trust_from_buffer);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	remove_dir();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
