/* util.c -- building configs, contexts and connection pairs for the
 * conformance cases, and checking error records. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

int
conf_has(const struct tlsplug_backend *b, uint64_t cap)
{
	return (tlsplug_backend_caps(b) & cap) == cap;
}

void
conf_path(const struct conf_env *env, const char *name, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/%s", env->certdir, name);
}

int
conf_slurp(const struct conf_env *env, const char *name,
           unsigned char **data, size_t *len, char *why, size_t whylen)
{
	char path[PATH_MAX];
	FILE *f;
	long n;

	conf_path(env, name, path);
	f = fopen(path, "rb");
	if (f == NULL)
		return conf_fail(why, whylen, "%s: %s", path, strerror(errno));
	n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return conf_fail(why, whylen, "%s: cannot seek", path);
	}
	*data = malloc((size_t)n + 1);
	if (*data == NULL) {
		fclose(f);
		return conf_fail(why, whylen, "out of memory");
	}
	if (fread(*data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*data);
		*data = NULL;
		return conf_fail(why, whylen, "%s: short read", path);
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

/* Reports a failed constructor and frees its error record. */
static int
record_fail(struct tlsplug_error *err, const char *what, char *why,
            size_t whylen)
{
	conf_fail(why, whylen, "%s: %s (%s)", what,
	          err != NULL ? tlsplug_error_message(err) : "no error record",
	          tlsplug_status_name(tlsplug_error_code(err)));
	tlsplug_error_free(err);
	return -1;
}

int
conf_add_chain(const struct conf_env *env, struct tlsplug_config_builder *b,
               const char *chain, const char *key, char *why, size_t whylen)
{
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *pkey = NULL;
	struct tlsplug_error *err = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, chain, path);
	if (tlsplug_certificate_from_file(path, &cert, &err) != TLSPLUG_OK)
		return record_fail(err, chain, why, whylen);
	conf_path(env, key, path);
	if (tlsplug_private_key_from_file(path, &pkey, &err) != TLSPLUG_OK) {
		tlsplug_certificate_unref(cert);
		return record_fail(err, key, why, whylen);
	}
	rc = tlsplug_config_builder_add_cert_chain(b, cert, NULL, pkey);
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(pkey);
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "add_cert_chain(%s): %s", chain,
		                 tlsplug_status_name(rc));
	return 0;
}

/* Says why a builder setter failed. */
static int
setter_fail(struct tlsplug_config_builder *b, const char *what, int rc,
            char *why, size_t whylen)
{
	const struct tlsplug_error *e = tlsplug_config_builder_error(b);

	return conf_fail(why, whylen, "%s: %s (%s)", what,
	                 tlsplug_status_name(rc),
	                 e != NULL ? tlsplug_error_message(e) : "no reason");
}

int
conf_config(const struct conf_env *env, const struct conf_side *side,
            struct tlsplug_config **out, char *why, size_t whylen)
{
	struct tlsplug_config_builder *b;
	int rc = TLSPLUG_OK;
	const char *what = NULL;

	*out = NULL;
	b = tlsplug_config_builder_new();
	if (b == NULL)
		return conf_fail(why, whylen, "config_builder_new failed");
	if (side->chain != NULL &&
	    conf_add_chain(env, b, side->chain, side->key, why, whylen) != 0)
		goto fail_quiet;
	if (side->chain2 != NULL &&
	    conf_add_chain(env, b, side->chain2, side->key2, why, whylen) != 0)
		goto fail_quiet;
	if (side->chain3 != NULL &&
	    conf_add_chain(env, b, side->chain3, side->key3, why, whylen) != 0)
		goto fail_quiet;
	if (side->trust != NULL) {
		struct tlsplug_trust_store *t = NULL;
		struct tlsplug_error *err = NULL;
		char path[PATH_MAX];

		conf_path(env, side->trust, path);
		if (tlsplug_trust_store_from_file(path, &t, &err) !=
		    TLSPLUG_OK) {
			record_fail(err, side->trust, why, whylen);
			goto fail_quiet;
		}
		rc = tlsplug_config_builder_set_trust_store(b, t);
		tlsplug_trust_store_unref(t);
		what = "set_trust_store";
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->no_validation) {
		what = "set_insecure_no_validation";
		rc = tlsplug_config_builder_set_insecure_no_validation(b, 1);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->min != 0) {
		what = "set_min_version";
		rc = tlsplug_config_builder_set_min_version(b, side->min);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->max != 0) {
		what = "set_max_version";
		rc = tlsplug_config_builder_set_max_version(b, side->max);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->nciphers > 0) {
		what = "set_ciphers";
		rc = tlsplug_config_builder_set_ciphers(b, side->ciphers,
		                                        side->nciphers);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->nalpn > 0) {
		what = "set_alpn";
		rc = tlsplug_config_builder_set_alpn(b, side->alpn,
		                                     side->nalpn);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->alpn_mismatch != TLSPLUG_ALPN_MISMATCH_AUTO) {
		what = "set_alpn_mismatch";
		rc = tlsplug_config_builder_set_alpn_mismatch(b,
		                                              side->alpn_mismatch);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (side->sni != NULL) {
		what = "set_sni_callback";
		rc = tlsplug_config_builder_set_sni_callback(b, side->sni,
		                                             side->sni_data);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	if (conf_config_identity(env, b, side, why, whylen) != 0)
		goto fail_quiet;
	what = "build";
	rc = tlsplug_config_builder_build(b, out);
	if (rc != TLSPLUG_OK)
		goto fail;
	tlsplug_config_builder_free(b);
	return 0;
fail:
	setter_fail(b, what, rc, why, whylen);
fail_quiet:
	tlsplug_config_builder_free(b);
	return -1;
}

int
conf_pair_new(const struct conf_env *env, struct tlsplug_config *ccfg,
              struct tlsplug_config *scfg, const char *host,
              struct conf_pair *p, char *why, size_t whylen)
{
	struct tlsplug_error *err = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = tlsplug_context_new(env->client, TLSPLUG_CLIENT, ccfg, &p->cctx,
	                         &err);
	if (rc != TLSPLUG_OK) {
		record_fail(err, "client context", why, whylen);
		goto fail;
	}
	rc = tlsplug_context_new(env->server, TLSPLUG_SERVER, scfg, &p->sctx,
	                         &err);
	if (rc != TLSPLUG_OK) {
		record_fail(err, "server context", why, whylen);
		goto fail;
	}
	rc = tlsplug_conn_new(p->cctx, host, &p->c, &err);
	if (rc != TLSPLUG_OK) {
		record_fail(err, "client connection", why, whylen);
		goto fail;
	}
	rc = tlsplug_conn_new(p->sctx, NULL, &p->s, &err);
	if (rc != TLSPLUG_OK) {
		record_fail(err, "server connection", why, whylen);
		goto fail;
	}
	p->crc = p->src = TLSPLUG_WANT_READ;
	return TLSPLUG_OK;
fail:
	conf_pair_free(p);
	return rc < 0 ? rc : TLSPLUG_ERR_BACKEND;
}

int
conf_pair_sides(const struct conf_env *env, const struct conf_side *cs,
                const struct conf_side *ss, const char *host,
                struct conf_pair *p, char *why, size_t whylen)
{
	struct tlsplug_config *ccfg, *scfg;
	int rc;

	memset(p, 0, sizeof(*p));
	if (conf_config(env, cs, &ccfg, why, whylen) != 0)
		return TLSPLUG_ERR_INVALID;
	if (conf_config(env, ss, &scfg, why, whylen) != 0) {
		tlsplug_config_unref(ccfg);
		return TLSPLUG_ERR_INVALID;
	}
	rc = conf_pair_new(env, ccfg, scfg, host, p, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return rc;
}

void
conf_pair_free(struct conf_pair *p)
{
	tlsplug_conn_free(p->c);
	tlsplug_conn_free(p->s);
	tlsplug_context_unref(p->cctx);
	tlsplug_context_unref(p->sctx);
	memset(p, 0, sizeof(*p));
}

int
conf_check_error(const struct tlsplug_error *e, int code,
                 const struct tlsplug_backend *b, const char *what,
                 char *why, size_t whylen)
{
	const char *msg, *name, *eb;
	size_t n;

	if (e == NULL || tlsplug_error_code(e) == TLSPLUG_OK)
		return conf_fail(why, whylen, "%s: no error recorded, "
		                 "expected %s", what,
		                 tlsplug_status_name(code));
	msg = tlsplug_error_message(e);
	if (tlsplug_error_code(e) != code)
		return conf_fail(why, whylen, "%s: got %s (%s), expected %s",
		                 what,
		                 tlsplug_status_name(tlsplug_error_code(e)),
		                 msg != NULL ? msg : "no message",
		                 tlsplug_status_name(code));
	if (msg == NULL || msg[0] == '\0')
		return conf_fail(why, whylen, "%s: %s without a message", what,
		                 tlsplug_status_name(code));
	if (b == NULL)
		return 0;
	name = tlsplug_backend_name(b);
	n = strlen(name);
	if (strncmp(msg, name, n) != 0 || msg[n] != ':')
		return conf_fail(why, whylen, "%s: message does not start with "
		                 "\"%s:\": \"%s\"", what, name, msg);
	eb = tlsplug_error_backend(e);
	if (eb == NULL || strcmp(eb, name) != 0)
		return conf_fail(why, whylen, "%s: error backend is %s, "
		                 "expected %s", what, eb != NULL ? eb : "NULL",
		                 name);
	return 0;
}

int
conf_expect_context_error(const struct tlsplug_backend *b,
                          enum tlsplug_role role, struct tlsplug_config *cfg,
                          int code, const char *what, char *why,
                          size_t whylen)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;
	int rc, ret;

	rc = tlsplug_context_new(b, role, cfg, &ctx, &err);
	if (rc == TLSPLUG_OK) {
		tlsplug_context_unref(ctx);
		return conf_fail(why, whylen, "%s: context created, "
		                 "expected %s", what,
		                 tlsplug_status_name(code));
	}
	if (rc != tlsplug_error_code(err)) {
		ret = conf_fail(why, whylen, "%s: returned %s but the error "
		                "record says %s", what, tlsplug_status_name(rc),
		                tlsplug_status_name(tlsplug_error_code(err)));
		tlsplug_error_free(err);
		return ret;
	}
	/* UNSUPPORTED may come from the core's capability check, which has
	 * no backend to name; engine errors must name theirs. */
	ret = conf_check_error(err, code,
	                       code == TLSPLUG_ERR_UNSUPPORTED ? NULL : b,
	                       what, why, whylen);
	tlsplug_error_free(err);
	return ret;
}

int
conf_gate(const struct tlsplug_backend *b, enum tlsplug_role role,
          uint64_t cap, struct tlsplug_config *cfg, int *result, char *why,
          size_t whylen)
{
	char what[128];

	if (conf_has(b, cap))
		return 1;
	snprintf(what, sizeof(what), "%s without capability %s",
	         tlsplug_backend_name(b), tlsplug_capability_name(cap));
	*result = conf_expect_context_error(b, role, cfg,
	                                    TLSPLUG_ERR_UNSUPPORTED, what,
	                                    why, whylen);
	return 0;
}

const struct conf_suite conf_suites[] = {
	{ TLSPLUG_VERSION_TLSv1_3, 0x1301, "ecdsa.pem", "ecdsa.key" },
	{ TLSPLUG_VERSION_TLSv1_3, 0x1302, "ecdsa.pem", "ecdsa.key" },
	{ TLSPLUG_VERSION_TLSv1_3, 0x1303, "ecdsa.pem", "ecdsa.key" },
	{ TLSPLUG_VERSION_TLSv1_2, 0xC02B, "ecdsa.pem", "ecdsa.key" },
	{ TLSPLUG_VERSION_TLSv1_2, 0xC02C, "ecdsa.pem", "ecdsa.key" },
	{ TLSPLUG_VERSION_TLSv1_2, 0xCCA9, "ecdsa.pem", "ecdsa.key" },
	{ TLSPLUG_VERSION_TLSv1_2, 0xC02F, "rsa.pem", "rsa.key" },
	{ TLSPLUG_VERSION_TLSv1_2, 0xC030, "rsa.pem", "rsa.key" },
	{ TLSPLUG_VERSION_TLSv1_2, 0xCCA8, "rsa.pem", "rsa.key" },
};
const size_t conf_suite_count = sizeof(conf_suites) / sizeof(conf_suites[0]);

int
conf_offers(const struct tlsplug_backend *b, uint16_t id)
{
	uint16_t ids[512];
	size_t n, i;

	n = tlsplug_backend_cipher_suites(b, ids, 512);
	if (n == 0)
		return 1;
	if (n > 512)
		n = 512;
	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

void
conf_random(unsigned char *buf, size_t len, uint64_t seed)
{
	/* xorshift64*: reproducible payloads, no global state. */
	uint64_t x = seed * 0x9E3779B97F4A7C15u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		buf[i] = (unsigned char)((x * 0x2545F4914F6CDD1Du) >> 56);
	}
}
