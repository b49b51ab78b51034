/* cases_keys.c -- encrypted keys and passwords, keys that do not match,
 * missing, unreadable and malformed files. */
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
 * Runs the server with ecdsa.pem and `key`: expects success when code is
 * TLSPLUG_OK, else context creation failing with code.  Backends without
 * the key-password capability must refuse with UNSUPPORTED instead.
 */
static int
with_key(const struct conf_env *env, struct tlsplug_private_key *key,
         int code, const char *what, char *why, size_t whylen)
{
	struct tlsplug_config *scfg;
	int rc;

	if (server_config(env, "ecdsa.pem", key, &scfg, why, whylen) != 0)
		return -1;
	if (!conf_gate(env->server, TLSPLUG_SERVER, TLSPLUG_CAP_KEY_PASSWORD,
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

CONF_CASE(case_key_encrypted_password)
{
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, "ecdsa-enc.key", path);
	if (tlsplug_private_key_from_file_with_password(path, "secret", 6,
	    &key, &err) != TLSPLUG_OK)
		return record_fail(err, "ecdsa-enc.key", why, whylen);
	rc = with_key(env, key, TLSPLUG_OK, "encrypted key", why, whylen);
	tlsplug_private_key_unref(key);
	return rc;
}

CONF_CASE(case_key_encrypted_buffer)
{
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	unsigned char *data;
	size_t len;
	int rc;

	if (conf_slurp(env, "ecdsa-enc.key", &data, &len, why, whylen) != 0)
		return -1;
	rc = tlsplug_private_key_from_buffer_with_password(data, len,
	    "secret", 6, &key, &err);
	free(data);
	if (rc != TLSPLUG_OK)
		return record_fail(err, "ecdsa-enc.key (buffer)", why, whylen);
	rc = with_key(env, key, TLSPLUG_OK, "encrypted key", why, whylen);
	tlsplug_private_key_unref(key);
	return rc;
}

CONF_CASE(case_key_encrypted_callback)
{
	struct password pw = { "secret", 0 };
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, "ecdsa-enc.key", path);
	if (tlsplug_private_key_from_file_with_callback(path, password_cb, &pw,
	    &key, &err) != TLSPLUG_OK)
		return record_fail(err, "ecdsa-enc.key", why, whylen);
	rc = with_key(env, key, TLSPLUG_OK, "encrypted key", why, whylen);
	tlsplug_private_key_unref(key);
	if (rc == 0 && pw.calls == 0 &&
	    conf_has(env->server, TLSPLUG_CAP_KEY_PASSWORD))
		return conf_fail(why, whylen, "password callback never "
		                 "called");
	return rc;
}

CONF_CASE(case_key_wrong_password)
{
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, "ecdsa-enc.key", path);
	if (tlsplug_private_key_from_file_with_password(path, "wrong", 5,
	    &key, &err) != TLSPLUG_OK)
		return record_fail(err, "ecdsa-enc.key", why, whylen);
	rc = with_key(env, key, TLSPLUG_ERR_BAD_PASSWORD, "wrong password",
	              why, whylen);
	tlsplug_private_key_unref(key);
	if (rc != 0)
		return rc;
	/* No password at all for an encrypted key. */
	if (tlsplug_private_key_from_file(path, &key, &err) != TLSPLUG_OK)
		return record_fail(err, "ecdsa-enc.key", why, whylen);
	rc = with_key(env, key, TLSPLUG_ERR_BAD_PASSWORD, "no password", why,
	              whylen);
	tlsplug_private_key_unref(key);
	return rc;
}

CONF_CASE(case_key_callback_gives_up)
{
	struct password pw = { NULL, 0 };
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, "ecdsa-enc.key", path);
	if (tlsplug_private_key_from_file_with_callback(path, password_cb, &pw,
	    &key, &err) != TLSPLUG_OK)
		return record_fail(err, "ecdsa-enc.key", why, whylen);
	rc = with_key(env, key, TLSPLUG_ERR_BAD_PASSWORD,
	              "password callback giving up", why, whylen);
	tlsplug_private_key_unref(key);
	return rc;
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
	if (role == TLSPLUG_CLIENT &&
	    !conf_gate(b, role, TLSPLUG_CAP_CLIENT_CERT, cfg, &rc, why,
	               whylen)) {
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
	             whylen) != 0 ||
	    mismatch(env, TLSPLUG_SERVER, "ed25519.pem", "rsa.key", why,
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
