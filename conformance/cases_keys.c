/* cases_keys.c -- private keys in every form with every constructor,
 * passwords right, wrong and missing, keys that do not match, missing,
 * unreadable and malformed files. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance.h"

struct password {
	const char *text;          /* NULL: give up */
	int calls;
};

static int
password_cb(char *buf, size_t size, void *user_data)
{
	struct password *pw = user_data;
	size_t n;

	pw->calls++;
	if (pw->text == NULL)
		return -1;
	n = strlen(pw->text);
	if (n > size)
		return -1;
	memcpy(buf, pw->text, n);
	return (int)n;
}

static int
record_fail(struct tlsplug_error *err, const char *what, char *why,
            size_t whylen)
{
	conf_fail(why, whylen, "%s: %s", what,
	          err != NULL ? tlsplug_error_message(err) : "failed");
	tlsplug_error_free(err);
	return -1;
}

/* A server config: `chain` from certdir with the key handle given. */
static int
server_config(const struct conf_env *env, const char *chain,
              struct tlsplug_private_key *key, struct tlsplug_config **out,
              char *why, size_t whylen)
{
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_config_builder *b;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, chain, path);
	if (tlsplug_certificate_from_file(path, &cert, &err) != TLSPLUG_OK)
		return record_fail(err, chain, why, whylen);
	b = tlsplug_config_builder_new();
	if (b == NULL) {
		tlsplug_certificate_unref(cert);
		return conf_fail(why, whylen, "out of memory");
	}
	rc = tlsplug_config_builder_add_cert_chain(b, cert, NULL, key);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_build(b, out);
	tlsplug_config_builder_free(b);
	tlsplug_certificate_unref(cert);
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "server config: %s",
		                 tlsplug_status_name(rc));
	return 0;
}

/* Connects a default client to a server using scfg. */
static int
connect_to(const struct conf_env *env, struct tlsplug_config *scfg,
           char *why, size_t whylen)
{
	struct conf_side cs = { .trust = "ca.pem" };
	struct tlsplug_config *ccfg;
	struct conf_pair p;
	int rc;

	if (conf_config(env, &cs, &ccfg, why, whylen) != 0)
		return -1;
	rc = conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen);
	tlsplug_config_unref(ccfg);
	if (rc != TLSPLUG_OK)
		return -1;
	rc = conf_connect(&p, 0, why, whylen);
	if (rc == 0)
		rc = conf_exchange(&p, 100, 0, why, whylen);
	conf_pair_free(&p);
	return rc;
}

/*
 * Runs a server with the certificate `chain` and `key`: expects success
 * (a handshake, then data both ways) when code is TLSPLUG_OK, else context
 * creation failing with code.  needs_cap: the key is encrypted, so a
 * backend without the key-password capability must refuse it with
 * UNSUPPORTED instead.
 */
static int
with_key(const struct conf_env *env, const char *chain,
         struct tlsplug_private_key *key, int needs_cap, int code,
         const char *what, char *why, size_t whylen)
{
	struct tlsplug_config *scfg;
	int rc;

	if (server_config(env, chain, key, &scfg, why, whylen) != 0)
		return -1;
	if (needs_cap &&
	    !conf_gate(env->server, TLSPLUG_SERVER, TLSPLUG_CAP_KEY_PASSWORD,
	               scfg, &rc, why, whylen)) {
		tlsplug_config_unref(scfg);
		return rc;
	}
	if (code == TLSPLUG_OK)
		rc = connect_to(env, scfg, why, whylen);
	else
		rc = conf_expect_context_error(env->server, TLSPLUG_SERVER,
		                               scfg, code, what, why, whylen);
	tlsplug_config_unref(scfg);
	return rc;
}

/* ---- every constructor with every form of a key -------------------- */

/* Where the key comes from, and how its password is given: the six
 * tlsplug_private_key_from_*(). */
enum key_source { FROM_FILE, FROM_BUFFER };
enum key_password { PW_NONE, PW_BYTES, PW_CALLBACK };

static const char *const source_names[] = { "file", "buffer" };
static const char *const password_names[] = {
	"no password", "password", "callback giving"
};

/* One form of a key, as tools/tlsplug-gen-test-certs writes it (the
 * encrypted ones with the password "secret"), and its certificate. */
struct key_form {
	const char *file;
	const char *chain;
};

/* Makes a key handle from certdir/file with the constructor for (src,
 * how); pw holds the password (bytes, or what password_cb gives). */
static int
load_key(const struct conf_env *env, const char *file, enum key_source src,
         enum key_password how, struct password *pw,
         struct tlsplug_private_key **key, const char *what, char *why,
         size_t whylen)
{
	struct tlsplug_error *err = NULL;
	unsigned char *data = NULL;
	char path[PATH_MAX];
	size_t len = 0, pwlen = pw->text != NULL ? strlen(pw->text) : 0;
	int rc = TLSPLUG_ERR_INVALID;

	if (src == FROM_FILE)
		conf_path(env, file, path);
	else if (conf_slurp(env, file, &data, &len, why, whylen) != 0)
		return -1;
	switch ((int)src * 3 + (int)how) {
	case FROM_FILE * 3 + PW_NONE:
		rc = tlsplug_private_key_from_file(path, key, &err);
		break;
	case FROM_FILE * 3 + PW_BYTES:
		rc = tlsplug_private_key_from_file_with_password(path,
		    pw->text, pwlen, key, &err);
		break;
	case FROM_FILE * 3 + PW_CALLBACK:
		rc = tlsplug_private_key_from_file_with_callback(path,
		    password_cb, pw, key, &err);
		break;
	case FROM_BUFFER * 3 + PW_NONE:
		rc = tlsplug_private_key_from_buffer(data, len, key, &err);
		break;
	case FROM_BUFFER * 3 + PW_BYTES:
		rc = tlsplug_private_key_from_buffer_with_password(data, len,
		    pw->text, pwlen, key, &err);
		break;
	case FROM_BUFFER * 3 + PW_CALLBACK:
		rc = tlsplug_private_key_from_buffer_with_callback(data, len,
		    password_cb, pw, key, &err);
		break;
	}
	if (data != NULL) {
		/* The handle must hold its own copy. */
		memset(data, 0, len);
		free(data);
	}
	if (rc != TLSPLUG_OK)
		return record_fail(err, what, why, whylen);
	return 0;
}

/*
 * One combination: the key of `form` made with the constructor for (src,
 * how), the password being `text`; the server must then succeed (code
 * TLSPLUG_OK) or fail at context creation with code.
 */
static int
combination(const struct conf_env *env, const struct key_form *form,
            int encrypted, enum key_source src, enum key_password how,
            const char *text, int code, char *why, size_t whylen)
{
	struct password pw = { text, 0 };
	struct tlsplug_private_key *key = NULL;
	char what[256], inner[512];
	int rc;

	if (how == PW_NONE)
		snprintf(what, sizeof(what), "%s from a %s, no password",
		         form->file, source_names[src]);
	else
		snprintf(what, sizeof(what), "%s from a %s, %s \"%s\"",
		         form->file, source_names[src], password_names[how],
		         text != NULL ? text : "(gives up)");
	if (load_key(env, form->file, src, how, &pw, &key, what, why,
	             whylen) != 0)
		return -1;
	rc = with_key(env, form->chain, key, encrypted, code, what, why,
	              whylen);
	tlsplug_private_key_unref(key);
	if (rc != 0 && code == TLSPLUG_OK) {
		snprintf(inner, sizeof(inner), "%s", why);
		return conf_fail(why, whylen, "%s: %s", what, inner);
	}
	if (rc != 0 || how != PW_CALLBACK)
		return rc;
	/* Asked for the password of an encrypted key only. */
	if (!encrypted && pw.calls > 0)
		return conf_fail(why, whylen, "%s: the password callback was "
		                 "called for a key that is not encrypted",
		                 what);
	if (encrypted && pw.calls == 0 &&
	    conf_has(env->server, TLSPLUG_CAP_KEY_PASSWORD))
		return conf_fail(why, whylen, "%s: the password callback was "
		                 "never called", what);
	return 0;
}

/* A key that is not encrypted works with all six constructors; a password
 * given for it is not used, a callback not called, on any backend. */
static int
plain_forms(const struct conf_env *env, const struct key_form *forms,
            size_t n, char *why, size_t whylen)
{
	for (size_t i = 0; i < n; i++)
		for (int src = FROM_FILE; src <= FROM_BUFFER; src++)
			for (int how = PW_NONE; how <= PW_CALLBACK; how++)
				if (combination(env, &forms[i], 0, src, how,
				                "unused", TLSPLUG_OK, why,
				                whylen) != 0)
					return -1;
	return 0;
}

/* An encrypted key works from a file and a buffer with its password given
 * as bytes or by a callback; a wrong password, and no password at all,
 * are TLSPLUG_ERR_BAD_PASSWORD from the engine. */
static int
encrypted_forms(const struct conf_env *env, const struct key_form *forms,
                size_t n, char *why, size_t whylen)
{
	static const struct {
		enum key_password how;
		const char *text;
		int code;
	} tries[] = {
		{ PW_BYTES, "secret", TLSPLUG_OK },
		{ PW_CALLBACK, "secret", TLSPLUG_OK },
		{ PW_BYTES, "wrong", TLSPLUG_ERR_BAD_PASSWORD },
		{ PW_CALLBACK, "wrong", TLSPLUG_ERR_BAD_PASSWORD },
		{ PW_NONE, NULL, TLSPLUG_ERR_BAD_PASSWORD },
	};

	size_t ntries = sizeof(tries) / sizeof(tries[0]);

	for (size_t i = 0; i < n; i++)
		for (int src = FROM_FILE; src <= FROM_BUFFER; src++)
			for (size_t t = 0; t < ntries; t++)
				if (combination(env, &forms[i], 1, src,
				                tries[t].how, tries[t].text,
				                tries[t].code, why,
				                whylen) != 0)
					return -1;
	return 0;
}

#define NFORMS(a) (sizeof(a) / sizeof((a)[0]))

CONF_CASE(case_key_pem_pkcs8)
{
	static const struct key_form forms[] = {
		{ "ecdsa.key", "ecdsa.pem" }, { "rsa.key", "rsa.pem" },
	};

	return plain_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_der_pkcs8)
{
	static const struct key_form forms[] = {
		{ "ecdsa-key.der", "ecdsa.pem" }, { "rsa-key.der", "rsa.pem" },
	};

	return plain_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_pem_traditional)
{
	static const struct key_form forms[] = {
		{ "ecdsa-trad.key", "ecdsa.pem" },
		{ "rsa-trad.key", "rsa.pem" },
	};

	return plain_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_der_traditional)
{
	static const struct key_form forms[] = {
		{ "ecdsa-trad.der", "ecdsa.pem" },
		{ "rsa-trad.der", "rsa.pem" },
	};

	return plain_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_pem_pkcs8_encrypted)
{
	static const struct key_form forms[] = {
		{ "ecdsa-enc.key", "ecdsa.pem" }, { "rsa-enc.key", "rsa.pem" },
	};

	return encrypted_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_der_pkcs8_encrypted)
{
	static const struct key_form forms[] = {
		{ "ecdsa-enc.der", "ecdsa.pem" }, { "rsa-enc.der", "rsa.pem" },
	};

	return encrypted_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_pem_traditional_encrypted)
{
	static const struct key_form forms[] = {
		{ "ecdsa-trad-enc.key", "ecdsa.pem" },
		{ "rsa-trad-enc.key", "rsa.pem" },
	};

	return encrypted_forms(env, forms, NFORMS(forms), why, whylen);
}

CONF_CASE(case_key_callback_gives_up)
{
	static const struct key_form form = { "ecdsa-enc.key", "ecdsa.pem" };

	for (int src = FROM_FILE; src <= FROM_BUFFER; src++)
		if (combination(env, &form, 1, src, PW_CALLBACK, NULL,
		                TLSPLUG_ERR_BAD_PASSWORD, why, whylen) != 0)
			return -1;
	return 0;
}

static int
mismatch(const struct conf_env *env, enum tlsplug_role role,
         const char *chain, const char *keyfile, char *why, size_t whylen)
{
	struct conf_side side = { .chain = chain, .key = keyfile,
	                          .trust = role == TLSPLUG_CLIENT ? "ca.pem" :
	                                   NULL };
	const struct tlsplug_backend *b = role == TLSPLUG_CLIENT ?
	                                  env->client : env->server;
	struct tlsplug_config *cfg;
	char what[128];
	int rc;

	if (conf_config(env, &side, &cfg, why, whylen) != 0)
		return -1;
	snprintf(what, sizeof(what), "%s context, %s with %s",
	         role == TLSPLUG_CLIENT ? "client" : "server", chain, keyfile);
	if ((role == TLSPLUG_CLIENT &&
	     !conf_gate(b, role, TLSPLUG_CAP_CLIENT_CERT, cfg, &rc, why,
	                whylen)) ||
	    (strncmp(chain, "ed25519", 7) == 0 &&
	     !conf_gate(b, role, TLSPLUG_CAP_ED25519, cfg, &rc, why,
	                whylen))) {
		tlsplug_config_unref(cfg);
		return rc;
	}
	rc = conf_expect_context_error(b, role, cfg, TLSPLUG_ERR_KEY_MISMATCH,
	                               what, why, whylen);
	tlsplug_config_unref(cfg);
	return rc;
}

CONF_CASE(case_key_mismatch)
{
	if (mismatch(env, TLSPLUG_SERVER, "ecdsa.pem", "mismatch.key", why,
	             whylen) != 0 ||
	    mismatch(env, TLSPLUG_SERVER, "rsa.pem", "ecdsa.key", why,
	             whylen) != 0)
		return -1;
	/* A backend without Ed25519 refuses the certificate itself. */
	if (mismatch(env, TLSPLUG_SERVER, "ed25519.pem", "rsa.key", why,
	             whylen) != 0)
		return -1;
	return mismatch(env, TLSPLUG_CLIENT, "client.pem", "mismatch.key",
	                why, whylen);
}

/* Loads path as certificate, key and trust store: each must fail with the
 * given codes and name the file. */
static int
load_all_fail(const char *path, int cert_code, int key_code,
              const char *what, char *why, size_t whylen)
{
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_trust_store *trust = NULL;
	struct tlsplug_error *errs[4] = { NULL, NULL, NULL, NULL };
	const char *kinds[4] = { "certificate", "private key", "trust store",
	                         "private key with password" };
	int codes[4], want[4] = { cert_code, key_code, cert_code, key_code };
	int i, result = 0;

	codes[0] = tlsplug_certificate_from_file(path, &cert, &errs[0]);
	codes[1] = tlsplug_private_key_from_file(path, &key, &errs[1]);
	tlsplug_private_key_unref(key);
	key = NULL;
	codes[2] = tlsplug_trust_store_from_file(path, &trust, &errs[2]);
	codes[3] = tlsplug_private_key_from_file_with_password(path, "x", 1,
	                                                       &key, &errs[3]);
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	tlsplug_trust_store_unref(trust);
	for (i = 0; i < 4 && result == 0; i++) {
		char w[128];

		snprintf(w, sizeof(w), "%s as %s", what, kinds[i]);
		if (codes[i] != want[i])
			result = conf_fail(why, whylen, "%s: returned %s, "
			                   "expected %s", w,
			                   tlsplug_status_name(codes[i]),
			                   tlsplug_status_name(want[i]));
		else if (conf_check_error(errs[i], want[i], NULL, w, why,
		                          whylen) != 0)
			result = -1;
		else if (strstr(tlsplug_error_message(errs[i]), path) == NULL)
			result = conf_fail(why, whylen, "%s: message does not "
			                   "name the file: \"%s\"", w,
			                   tlsplug_error_message(errs[i]));
	}
	for (i = 0; i < 4; i++)
		tlsplug_error_free(errs[i]);
	return result;
}

CONF_CASE(case_file_missing)
{
	char path[PATH_MAX];

	conf_path(env, "no-such-file.pem", path);
	return load_all_fail(path, TLSPLUG_ERR_IO, TLSPLUG_ERR_IO,
	                     "missing file", why, whylen);
}

/* A file in the temporary directory holding `content`. */
static int
temp_file(const char *content, size_t len, char *path, char *why,
          size_t whylen)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, PATH_MAX, "%s/tlsplug-conf-XXXXXX",
	         tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return conf_fail(why, whylen, "mkstemp %s failed", path);
	if (write(fd, content, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return conf_fail(why, whylen, "cannot write %s", path);
	}
	close(fd);
	return 0;
}

/* A file the user may not read: IO.  The same file readable first (then
 * it is garbage, not IO), so the permission is what makes the difference. */
static int
mode_000(void *arg, char *why, size_t whylen)
{
	char path[PATH_MAX];
	int rc;

	(void)arg;
	if (temp_file("x", 1, path, why, whylen) != 0)
		return -1;
	chmod(path, 0644);
	rc = load_all_fail(path, TLSPLUG_ERR_BAD_CERTIFICATE,
	                   TLSPLUG_ERR_BAD_KEY, "readable file", why, whylen);
	chmod(path, 0);
	if (rc == 0)
		rc = load_all_fail(path, TLSPLUG_ERR_IO, TLSPLUG_ERR_IO,
		                   "unreadable file", why, whylen);
	unlink(path);
	return rc;
}

CONF_CASE(case_file_unreadable)
{
	/* A directory cannot be read as a file. */
	if (load_all_fail(env->certdir, TLSPLUG_ERR_IO, TLSPLUG_ERR_IO,
	                  "directory", why, whylen) != 0)
		return -1;
	/* Permissions do not stop root: as root, this part runs in a child
	 * process as the user nobody. */
	return conf_unprivileged(mode_000, NULL, why, whylen);
}

CONF_CASE(case_file_garbage)
{
	static const char garbage[] = "this is not a certificate\n";
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	(void)env;   /* the core checks files before any backend sees them */
	if (temp_file(garbage, sizeof(garbage) - 1, path, why, whylen) != 0)
		return -1;
	rc = load_all_fail(path, TLSPLUG_ERR_BAD_CERTIFICATE,
	                   TLSPLUG_ERR_BAD_KEY, "garbage file", why, whylen);
	unlink(path);
	if (rc != 0)
		return rc;
	if (temp_file("", 0, path, why, whylen) != 0)
		return -1;
	rc = load_all_fail(path, TLSPLUG_ERR_BAD_CERTIFICATE,
	                   TLSPLUG_ERR_BAD_KEY, "empty file", why, whylen);
	unlink(path);
	if (rc != 0)
		return rc;
	rc = tlsplug_certificate_from_buffer(garbage, sizeof(garbage) - 1,
	                                     &cert, &err);
	tlsplug_certificate_unref(cert);
	if (rc != TLSPLUG_ERR_BAD_CERTIFICATE) {
		tlsplug_error_free(err);
		return conf_fail(why, whylen, "garbage buffer as certificate: "
		                 "%s", tlsplug_status_name(rc));
	}
	tlsplug_error_free(err);
	err = NULL;
	rc = tlsplug_private_key_from_buffer(garbage, sizeof(garbage) - 1,
	                                     &key, &err);
	tlsplug_private_key_unref(key);
	tlsplug_error_free(err);
	if (rc != TLSPLUG_ERR_BAD_KEY)
		return conf_fail(why, whylen, "garbage buffer as key: %s",
		                 tlsplug_status_name(rc));
	return 0;
}

/* PEM framing around bytes that are not DER: the core may accept the
 * framing, then the engine must refuse at context creation. */
CONF_CASE(case_file_bad_pem_body)
{
	static const char bad_cert[] =
	    "-----BEGIN CERTIFICATE-----\n"
	    "dGhpcyBpcyBub3QgYSBjZXJ0aWZpY2F0ZSBhdCBhbGw=\n"
	    "-----END CERTIFICATE-----\n";
	static const char bad_key[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "dGhpcyBpcyBub3QgYSBjZXJ0aWZpY2F0ZSBhdCBhbGw=\n"
	    "-----END PRIVATE KEY-----\n";
	struct tlsplug_certificate *cert = NULL, *good = NULL;
	struct tlsplug_private_key *key = NULL, *goodkey = NULL;
	struct tlsplug_trust_store *trust = NULL;
	struct tlsplug_config_builder *b = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc, result = -1;

	conf_path(env, "ecdsa.pem", path);
	if (tlsplug_certificate_from_file(path, &good, &err) != TLSPLUG_OK)
		return record_fail(err, "ecdsa.pem", why, whylen);
	conf_path(env, "ecdsa.key", path);
	if (tlsplug_private_key_from_file(path, &goodkey, &err) !=
	    TLSPLUG_OK) {
		tlsplug_certificate_unref(good);
		return record_fail(err, "ecdsa.key", why, whylen);
	}

	/* Certificate. */
	rc = tlsplug_certificate_from_buffer(bad_cert, sizeof(bad_cert) - 1,
	                                     &cert, &err);
	if (rc == TLSPLUG_OK) {
		b = tlsplug_config_builder_new();
		if (b == NULL ||
		    tlsplug_config_builder_add_cert_chain(b, cert, NULL,
		                                          goodkey) != 0 ||
		    tlsplug_config_builder_build(b, &cfg) != 0) {
			conf_fail(why, whylen, "cannot build a config");
			goto out;
		}
		if (conf_expect_context_error(env->server, TLSPLUG_SERVER, cfg,
		    TLSPLUG_ERR_BAD_CERTIFICATE, "server with a broken "
		    "certificate", why, whylen) != 0)
			goto out;
		tlsplug_config_unref(cfg);
		tlsplug_config_builder_free(b);
		cfg = NULL;
		b = NULL;
	} else if (rc != TLSPLUG_ERR_BAD_CERTIFICATE) {
		conf_fail(why, whylen, "broken PEM certificate: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	tlsplug_error_free(err);
	err = NULL;

	/* Key. */
	rc = tlsplug_private_key_from_buffer(bad_key, sizeof(bad_key) - 1,
	                                     &key, &err);
	if (rc == TLSPLUG_OK) {
		b = tlsplug_config_builder_new();
		if (b == NULL ||
		    tlsplug_config_builder_add_cert_chain(b, good, NULL,
		                                          key) != 0 ||
		    tlsplug_config_builder_build(b, &cfg) != 0) {
			conf_fail(why, whylen, "cannot build a config");
			goto out;
		}
		if (conf_expect_context_error(env->server, TLSPLUG_SERVER, cfg,
		    TLSPLUG_ERR_BAD_KEY, "server with a broken key", why,
		    whylen) != 0)
			goto out;
		tlsplug_config_unref(cfg);
		tlsplug_config_builder_free(b);
		cfg = NULL;
		b = NULL;
	} else if (rc != TLSPLUG_ERR_BAD_KEY) {
		conf_fail(why, whylen, "broken PEM key: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	tlsplug_error_free(err);
	err = NULL;

	/* Trust store. */
	rc = tlsplug_trust_store_from_buffer(bad_cert, sizeof(bad_cert) - 1,
	                                     &trust, &err);
	if (rc == TLSPLUG_OK) {
		b = tlsplug_config_builder_new();
		if (b == NULL ||
		    tlsplug_config_builder_set_trust_store(b, trust) != 0 ||
		    tlsplug_config_builder_build(b, &cfg) != 0) {
			conf_fail(why, whylen, "cannot build a config");
			goto out;
		}
		if (conf_expect_context_error(env->client, TLSPLUG_CLIENT, cfg,
		    TLSPLUG_ERR_BAD_CERTIFICATE, "client with a broken trust "
		    "store", why, whylen) != 0)
			goto out;
	} else if (rc != TLSPLUG_ERR_BAD_CERTIFICATE) {
		conf_fail(why, whylen, "broken PEM trust store: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	result = 0;
out:
	tlsplug_error_free(err);
	tlsplug_config_unref(cfg);
	tlsplug_config_builder_free(b);
	tlsplug_certificate_unref(cert);
	tlsplug_certificate_unref(good);
	tlsplug_private_key_unref(key);
	tlsplug_private_key_unref(goodkey);
	tlsplug_trust_store_unref(trust);
	return result;
}
