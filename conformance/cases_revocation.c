/* cases_revocation.c -- certificate revocation: CRLs (a revoked leaf, a
 * revoked intermediate, PEM / DER / buffer, an issuer without a CRL, a
 * stale CRL), OCSP stapling (good, revoked, missing, expired, for another
 * certificate, from a delegated responder, a staple file replaced while
 * the server runs), and bad
 * input to each.  Certificates, CRLs and OCSP responses come from
 * tools/tlsplug-gen-test-certs (`openssl ca`, `openssl ocsp`). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

/* Revocation settings of one side, on top of a struct conf_side. */
struct rev_side {
	const char *crl;               /* CRL file in certdir, or NULL */
	const char *crl2;
	int crl_from_buffer;           /* load crl through a buffer */
	enum tlsplug_ocsp_mode ocsp;   /* client */
	const char *staple;            /* server: OCSP response file */
	const char *staple_path;       /* server: staple file, full path */
};

/* What a revocation scenario must show. */
struct rev_expect {
	int ccode;                     /* client's failure, 0: success */
	enum tlsplug_ocsp_status status;  /* the client's OCSP status */
	const char *message;           /* in the client's error, or NULL */
};

static int
add_crl(const struct conf_env *env, struct tlsplug_config_builder *b,
        const char *name, int from_buffer, char *why, size_t whylen)
{
	struct tlsplug_error *err = NULL;
	struct tlsplug_crl *crl = NULL;
	char path[PATH_MAX];
	int rc;

	if (from_buffer) {
		unsigned char *data;
		size_t len;

		if (conf_slurp(env, name, &data, &len, why, whylen) != 0)
			return -1;
		rc = tlsplug_crl_from_buffer(data, len, &crl, &err);
		free(data);
	} else {
		conf_path(env, name, path);
		rc = tlsplug_crl_from_file(path, &crl, &err);
	}
	if (rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "CRL %s: %s", name,
		          tlsplug_error_message(err));
		tlsplug_error_free(err);
		return -1;
	}
	rc = tlsplug_config_builder_add_crl(b, crl);
	tlsplug_crl_unref(crl);
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "add_crl: %s",
		                 tlsplug_status_name(rc));
	return 0;
}

/* base (from a side description) with the revocation settings r. */
static int
rev_config(const struct conf_env *env, const struct conf_side *side,
           const struct rev_side *r, struct tlsplug_config **out,
           char *why, size_t whylen)
{
	struct tlsplug_config *base;
	struct tlsplug_config_builder *b;
	char path[PATH_MAX];
	int rc = 0;

	*out = NULL;
	if (conf_config(env, side, &base, why, whylen) != 0)
		return -1;
	b = tlsplug_config_edit(base);
	tlsplug_config_unref(base);
	if (b == NULL)
		return conf_fail(why, whylen, "out of memory");
	if (r->crl != NULL)
		rc = add_crl(env, b, r->crl, r->crl_from_buffer, why, whylen);
	if (rc == 0 && r->crl2 != NULL)
		rc = add_crl(env, b, r->crl2, 0, why, whylen);
	if (rc == 0 && r->ocsp != TLSPLUG_OCSP_OFF &&
	    tlsplug_config_builder_set_ocsp_mode(b, r->ocsp) != TLSPLUG_OK)
		rc = conf_fail(why, whylen, "set_ocsp_mode failed");
	if (rc == 0 && (r->staple != NULL || r->staple_path != NULL)) {
		if (r->staple != NULL)
			conf_path(env, r->staple, path);
		else
			snprintf(path, sizeof(path), "%s", r->staple_path);
		if (tlsplug_config_builder_set_ocsp_staple_file(b, path) !=
		    TLSPLUG_OK)
			rc = conf_fail(why, whylen, "set_ocsp_staple_file: %s",
			    tlsplug_error_message(
			    tlsplug_config_builder_error(b)));
	}
	if (rc == 0 && tlsplug_config_builder_build(b, out) != TLSPLUG_OK)
		rc = conf_fail(why, whylen, "build: %s", tlsplug_error_message(
		                   tlsplug_config_builder_error(b)));
	tlsplug_config_builder_free(b);
	return rc;
}

/* Capability gates: 1 to go on, 0 when decided (*result set). */
static int
rev_gates(const struct conf_env *env, const struct rev_side *cr,
          const struct rev_side *sr, struct tlsplug_config *ccfg,
          struct tlsplug_config *scfg, int *result, char *why,
          size_t whylen)
{
	if (cr->crl != NULL &&
	    !conf_gate(env->client, TLSPLUG_CLIENT, TLSPLUG_CAP_CRL, ccfg,
	               result, why, whylen))
		return 0;
	if (cr->ocsp != TLSPLUG_OCSP_OFF &&
	    !conf_gate(env->client, TLSPLUG_CLIENT, TLSPLUG_CAP_OCSP_CHECK,
	               ccfg, result, why, whylen))
		return 0;
	if ((sr->staple != NULL || sr->staple_path != NULL) &&
	    !conf_gate(env->server, TLSPLUG_SERVER, TLSPLUG_CAP_OCSP_STAPLE,
	               scfg, result, why, whylen))
		return 0;
	/* A client that checks must meet a server that staples. */
	if (cr->ocsp != TLSPLUG_OCSP_OFF &&
	    (sr->staple != NULL || sr->staple_path != NULL) &&
	    !conf_has(env->server, TLSPLUG_CAP_OCSP_STAPLE)) {
		*result = 0;
		return 0;
	}
	return 1;
}

/* One handshake between prepared configs, checked against x. */
static int
rev_pair(const struct conf_env *env, struct tlsplug_config *ccfg,
         struct tlsplug_config *scfg, const struct rev_expect *x,
         char *why, size_t whylen)
{
	const struct tlsplug_error *e;
	enum tlsplug_ocsp_status st;
	struct conf_pair p;
	char ignore[256];
	int result = -1, rc;

	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) !=
	    TLSPLUG_OK)
		return -1;
	if (x->ccode == 0) {
		if (conf_connect(&p, 0, why, whylen) != 0 ||
		    conf_exchange(&p, 100, 0, why, whylen) != 0)
			goto out;
	} else {
		(void)conf_handshake(&p, 0, ignore, sizeof(ignore));
		rc = conf_client_outcome(&p);
		e = tlsplug_conn_error(p.c);
		if (rc != x->ccode) {
			conf_fail(why, whylen, "client (%s): got %s (%s), "
			    "expected %s", tlsplug_backend_name(env->client),
			    tlsplug_status_name(rc), e != NULL ?
			    tlsplug_error_message(e) : "no message",
			    tlsplug_status_name(x->ccode));
			goto out;
		}
		if (conf_check_error(e, x->ccode, env->client, "client", why,
		                     whylen) != 0)
			goto out;
		if (x->message != NULL &&
		    strstr(tlsplug_error_message(e), x->message) == NULL) {
			conf_fail(why, whylen, "client error \"%s\" does not "
			    "say \"%s\"", tlsplug_error_message(e), x->message);
			goto out;
		}
	}
	st = tlsplug_conn_ocsp_status(p.c);
	if (st != x->status) {
		conf_fail(why, whylen, "client OCSP status %s, expected %s",
		          tlsplug_ocsp_status_name(st),
		          tlsplug_ocsp_status_name(x->status));
		goto out;
	}
	if (tlsplug_conn_ocsp_status(p.s) != TLSPLUG_OCSP_STATUS_NONE) {
		conf_fail(why, whylen, "server OCSP status is %s, not none",
		          tlsplug_ocsp_status_name(
		          tlsplug_conn_ocsp_status(p.s)));
		goto out;
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

/* The client trusts the test root and asks for localhost; the server
 * presents chain/key; each side gets its revocation settings. */
static int
rev_run(const struct conf_env *env, const char *chain, const char *key,
        enum tlsplug_version v, const struct rev_side *cr,
        const struct rev_side *sr, const struct rev_expect *x, char *why,
        size_t whylen)
{
	struct conf_side cs = { .trust = "ca.pem", .min = v, .max = v };
	struct conf_side ss = { .chain = chain, .key = key, .min = v,
	                        .max = v };
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	int result;

	if (rev_config(env, &cs, cr, &ccfg, why, whylen) != 0 ||
	    rev_config(env, &ss, sr, &scfg, why, whylen) != 0) {
		tlsplug_config_unref(ccfg);
		return -1;
	}
	if (v == TLSPLUG_VERSION_TLSv1_2 &&
	    (!conf_has(env->client, TLSPLUG_CAP_TLS1_2) ||
	     !conf_has(env->server, TLSPLUG_CAP_TLS1_2)))
		result = 0;
	else if (rev_gates(env, cr, sr, ccfg, scfg, &result, why, whylen))
		result = rev_pair(env, ccfg, scfg, x, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

/* ---- CRLs ------------------------------------------------------------ */

CONF_CASE(case_crl_revoked_leaf)
{
	struct rev_side cr = { .crl = "int.crl.pem" }, sr = { 0 };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED };

	return rev_run(env, "revoked.pem", "revoked.key", 0, &cr, &sr, &x,
	               why, whylen);
}

CONF_CASE(case_crl_revoked_intermediate)
{
	struct rev_side cr = { .crl = "crls.pem" }, sr = { 0 };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED };

	return rev_run(env, "revint.pem", "revint.key", 0, &cr, &sr, &x,
	               why, whylen);
}

CONF_CASE(case_crl_good_leaf)
{
	struct rev_side cr = { .crl = "crls.pem" }, sr = { 0 };
	struct rev_expect x = { 0 };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

CONF_CASE(case_crl_der_and_buffer)
{
	struct rev_side der = { .crl = "int.crl.der" }, sr = { 0 };
	struct rev_side buf = { .crl = "int.crl.pem", .crl_from_buffer = 1 };
	struct rev_side two = { .crl = "ca.crl.pem", .crl2 = "int.crl.der" };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED };

	if (rev_run(env, "revoked.pem", "revoked.key", 0, &der, &sr, &x, why,
	            whylen) != 0 ||
	    rev_run(env, "revoked.pem", "revoked.key", 0, &buf, &sr, &x, why,
	            whylen) != 0 ||
	    rev_run(env, "revint.pem", "revint.key", 0, &two, &sr, &x, why,
	            whylen) != 0)
		return -1;
	return rev_run(env, "revoked.pem", "revoked.key", 0, &two, &sr, &x,
	               why, whylen);
}

CONF_CASE(case_crl_revoked_tls12)
{
	struct rev_side cr = { .crl = "crls.pem" }, sr = { 0 };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED };

	return rev_run(env, "revoked.pem", "revoked.key",
	               TLSPLUG_VERSION_TLSv1_2, &cr, &sr, &x, why, whylen);
}

/* Only certificates whose issuer has a CRL are checked. */
CONF_CASE(case_crl_issuer_without_crl)
{
	struct rev_side cr = { .crl = "ca.crl.pem" }, sr = { 0 };
	struct rev_expect x = { 0 };

	return rev_run(env, "revoked.pem", "revoked.key", 0, &cr, &sr, &x,
	               why, whylen);
}

/* A CRL past its nextUpdate fails the certificates of its issuer. */
CONF_CASE(case_crl_stale)
{
	struct rev_side cr = { .crl = "int-expired.crl.pem" }, sr = { 0 };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_INVALID };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

/* A CRL whose signature does not verify fails the chain it is for. */
CONF_CASE(case_crl_bad_signature)
{
	struct rev_side cr = { .crl = "int-badsig.crl.der" }, sr = { 0 };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_INVALID };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

/* A server checks client certificates against its CRLs too. */
CONF_CASE(case_crl_client_cert)
{
	struct conf_side cs = { .trust = "ca.pem", .chain = "client.pem",
	                        .key = "client.key" };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                        .trust = "ca.pem" };
	struct rev_side cr = { 0 }, sr = { .crl = "crls.pem" };
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	struct conf_pair p;
	int result = 0;

	if (rev_config(env, &cs, &cr, &ccfg, why, whylen) != 0 ||
	    rev_config(env, &ss, &sr, &scfg, why, whylen) != 0) {
		tlsplug_config_unref(ccfg);
		return -1;
	}
	if (!conf_has(env->client, TLSPLUG_CAP_CLIENT_CERT) ||
	    !conf_has(env->server, TLSPLUG_CAP_CLIENT_CERT))
		goto out;
	if (!conf_gate(env->server, TLSPLUG_SERVER, TLSPLUG_CAP_CRL, scfg,
	               &result, why, whylen))
		goto out;
	/* The client certificate is not revoked: the CRLs are read and
	 * the handshake goes through. */
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	result = conf_connect(&p, 0, why, whylen);
	conf_pair_free(&p);
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

/* Bad input: one precise error each, nothing else breaks. */
CONF_CASE(case_crl_bad_input)
{
	static const char garbage[] = "not a CRL at all";
	struct tlsplug_error *err = NULL;
	struct tlsplug_crl *crl = NULL;
	char path[PATH_MAX];
	int rc;

	conf_path(env, "bad.crl", path);
	rc = tlsplug_crl_from_file(path, &crl, &err);
	if (rc != TLSPLUG_ERR_INVALID || crl != NULL ||
	    strstr(tlsplug_error_message(err), "bad.crl") == NULL ||
	    strstr(tlsplug_error_message(err), "not a CRL") == NULL) {
		conf_fail(why, whylen, "bad.crl: %s (%s), expected INVALID "
		          "naming the file", tlsplug_status_name(rc),
		          err != NULL ? tlsplug_error_message(err) : "");
		tlsplug_error_free(err);
		tlsplug_crl_unref(crl);
		return -1;
	}
	tlsplug_error_free(err);
	err = NULL;
	conf_path(env, "no-such.crl", path);
	rc = tlsplug_crl_from_file(path, &crl, &err);
	if (rc != TLSPLUG_ERR_IO ||
	    strstr(tlsplug_error_message(err), "no-such.crl") == NULL) {
		conf_fail(why, whylen, "missing CRL file: %s, expected IO",
		          tlsplug_status_name(rc));
		tlsplug_error_free(err);
		return -1;
	}
	tlsplug_error_free(err);
	err = NULL;
	rc = tlsplug_crl_from_buffer(garbage, sizeof(garbage) - 1, &crl,
	                             &err);
	tlsplug_error_free(err);
	if (rc != TLSPLUG_ERR_INVALID)
		return conf_fail(why, whylen, "garbage CRL buffer: %s, "
		                 "expected INVALID", tlsplug_status_name(rc));
	/* A certificate is not a CRL, in DER either. */
	{
		unsigned char *der;
		size_t len;

		if (conf_slurp(env, "ecdsa.der", &der, &len, why, whylen) != 0)
			return -1;
		err = NULL;
		rc = tlsplug_crl_from_buffer(der, len, &crl, &err);
		free(der);
		if (rc != TLSPLUG_ERR_INVALID ||
		    strstr(tlsplug_error_message(err), "not a CRL") == NULL) {
			conf_fail(why, whylen, "certificate as DER CRL: %s",
			          tlsplug_status_name(rc));
			tlsplug_error_free(err);
			return -1;
		}
		tlsplug_error_free(err);
	}
	/* And the good file still works after all that. */
	return case_crl_revoked_leaf(env, why, whylen);
}

/* ---- OCSP stapling --------------------------------------------------- */

CONF_CASE(case_ocsp_good)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_REQUIRE };
	struct rev_side sr = { .staple = "ecdsa.ocsp" };
	struct rev_expect x = { .status = TLSPLUG_OCSP_STATUS_GOOD };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

CONF_CASE(case_ocsp_good_tls12)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_REQUIRE };
	struct rev_side sr = { .staple = "ecdsa.ocsp" };
	struct rev_expect x = { .status = TLSPLUG_OCSP_STATUS_GOOD };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", TLSPLUG_VERSION_TLSv1_2,
	               &cr, &sr, &x, why, whylen);
}

CONF_CASE(case_ocsp_revoked)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_CHECK };
	struct rev_side sr = { .staple = "revoked.ocsp" };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED,
	                        .status = TLSPLUG_OCSP_STATUS_REVOKED,
	                        .message = "OCSP" };

	return rev_run(env, "revoked.pem", "revoked.key", 0, &cr, &sr, &x,
	               why, whylen);
}

CONF_CASE(case_ocsp_revoked_tls12)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_REQUIRE };
	struct rev_side sr = { .staple = "revoked.ocsp" };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED,
	                        .status = TLSPLUG_OCSP_STATUS_REVOKED,
	                        .message = "OCSP" };

	return rev_run(env, "revoked.pem", "revoked.key",
	               TLSPLUG_VERSION_TLSv1_2, &cr, &sr, &x, why, whylen);
}

CONF_CASE(case_ocsp_missing)
{
	struct rev_side check = { .ocsp = TLSPLUG_OCSP_CHECK };
	struct rev_side require = { .ocsp = TLSPLUG_OCSP_REQUIRE };
	struct rev_side sr = { 0 };
	struct rev_expect ok = { .status = TLSPLUG_OCSP_STATUS_NONE };
	struct rev_expect fail = { .ccode = TLSPLUG_ERR_CERT_INVALID,
	                           .message = "no OCSP response" };

	if (rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &check, &sr, &ok, why,
	            whylen) != 0)
		return -1;
	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &require, &sr, &fail,
	               why, whylen);
}

CONF_CASE(case_ocsp_other_certificate)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_CHECK };
	struct rev_side sr = { .staple = "rsa.ocsp" };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_INVALID,
	                        .message = "another certificate" };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

CONF_CASE(case_ocsp_expired)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_CHECK };
	struct rev_side sr = { .staple = "ecdsa-expired.ocsp" };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_INVALID,
	                        .message = "expired" };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

/* A response signed by a responder the issuer delegated to. */
CONF_CASE(case_ocsp_delegated_responder)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_REQUIRE };
	struct rev_side sr = { .staple = "ecdsa-delegated.ocsp" };
	struct rev_expect x = { .status = TLSPLUG_OCSP_STATUS_GOOD };

	return rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &x, why,
	               whylen);
}

/* With the mode off, a client neither asks for nor judges a staple. */
CONF_CASE(case_ocsp_off_ignores_staple)
{
	struct rev_side cr = { 0 }, sr = { .staple = "revoked.ocsp" };
	struct rev_expect x = { .status = TLSPLUG_OCSP_STATUS_NONE };

	return rev_run(env, "revoked.pem", "revoked.key", 0, &cr, &sr, &x,
	               why, whylen);
}

/* CRL and staple together: either one revoking is enough. */
CONF_CASE(case_ocsp_and_crl)
{
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_CHECK, .crl = "crls.pem" };
	struct rev_side sr = { .staple = "ecdsa.ocsp" };
	struct rev_expect good = { .status = TLSPLUG_OCSP_STATUS_GOOD };
	struct rev_side sr2 = { .staple = "revoked.ocsp" };
	struct rev_expect revoked = { .ccode = TLSPLUG_ERR_CERT_REVOKED };

	if (rev_run(env, "ecdsa.pem", "ecdsa.key", 0, &cr, &sr, &good, why,
	            whylen) != 0)
		return -1;
	return rev_run(env, "revoked.pem", "revoked.key", 0, &cr, &sr2,
	               &revoked, why, whylen);
}

/* Copies certdir/name to path (replacing it by a rename, as a responder's
 * cron job would). */
static int
put_file(const struct conf_env *env, const char *name, const char *path,
         char *why, size_t whylen)
{
	char tmp[PATH_MAX + 8];
	unsigned char *data;
	size_t len;
	FILE *f;
	int ok;

	if (conf_slurp(env, name, &data, &len, why, whylen) != 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "wb");
	ok = f != NULL && fwrite(data, 1, len, f) == len;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	free(data);
	if (!ok || rename(tmp, path) != 0)
		return conf_fail(why, whylen, "cannot write %s", path);
	return 0;
}

/* The staple file is reloaded when it changes: no new config, context
 * or server. */
CONF_CASE(case_ocsp_staple_reload)
{
	struct conf_side cs = { .trust = "ca.pem" };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key" };
	struct rev_side cr = { .ocsp = TLSPLUG_OCSP_REQUIRE }, sr = { 0 };
	struct rev_expect good = { .status = TLSPLUG_OCSP_STATUS_GOOD };
	struct rev_expect other = { .ccode = TLSPLUG_ERR_CERT_INVALID,
	                            .message = "another certificate" };
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	char path[PATH_MAX];
	int result = -1;

	conf_path(env, "reload.ocsp", path);
	if (put_file(env, "ecdsa.ocsp", path, why, whylen) != 0)
		return -1;
	sr.staple_path = path;
	if (rev_config(env, &cs, &cr, &ccfg, why, whylen) != 0 ||
	    rev_config(env, &ss, &sr, &scfg, why, whylen) != 0)
		goto out;
	if (!rev_gates(env, &cr, &sr, ccfg, scfg, &result, why, whylen))
		goto out;
	result = -1;
	if (rev_pair(env, ccfg, scfg, &good, why, whylen) != 0)
		goto out;
	/* The file is looked at no more than once a second. */
	sleep(1);
	if (put_file(env, "rsa.ocsp", path, why, whylen) != 0)
		goto out;
	if (rev_pair(env, ccfg, scfg, &other, why, whylen) != 0) {
		char tmp[300];

		snprintf(tmp, sizeof(tmp), "%s", why);
		conf_fail(why, whylen, "after replacing the staple file: %s",
		          tmp);
		goto out;
	}
	/* A replacement that is not an OCSP response is ignored. */
	sleep(1);
	if (put_file(env, "int.crl.der", path, why, whylen) != 0 ||
	    rev_pair(env, ccfg, scfg, &other, why, whylen) != 0)
		goto out;
	result = 0;
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	unlink(path);
	return result;
}

CONF_CASE(case_ocsp_staple_bad_input)
{
	static const unsigned char garbage[] = { 0x30, 0x03, 0x0a, 0x01, 0x00 };
	static const unsigned char try_later[] = { 0x30, 0x03, 0x0a, 0x01,
	                                           0x03 };
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const struct tlsplug_error *e;
	char path[PATH_MAX];
	int rc, result = -1;

	if (b == NULL)
		return conf_fail(why, whylen, "out of memory");
	rc = tlsplug_config_builder_set_ocsp_staple(b, garbage,
	                                            sizeof(garbage));
	e = tlsplug_config_builder_error(b);
	if (rc != TLSPLUG_ERR_INVALID || e == NULL ||
	    strstr(tlsplug_error_message(e), "no responseBytes") == NULL) {
		conf_fail(why, whylen, "OCSPResponse without bytes: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	rc = tlsplug_config_builder_set_ocsp_staple(b, try_later,
	                                            sizeof(try_later));
	e = tlsplug_config_builder_error(b);
	if (rc != TLSPLUG_ERR_INVALID ||
	    strstr(tlsplug_error_message(e), "tryLater") == NULL) {
		conf_fail(why, whylen, "tryLater response: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	conf_path(env, "int.crl.der", path);
	rc = tlsplug_config_builder_set_ocsp_staple_file(b, path);
	e = tlsplug_config_builder_error(b);
	if (rc != TLSPLUG_ERR_INVALID ||
	    strstr(tlsplug_error_message(e), "int.crl.der") == NULL) {
		conf_fail(why, whylen, "a CRL as staple: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	conf_path(env, "no-such.ocsp", path);
	rc = tlsplug_config_builder_set_ocsp_staple_file(b, path);
	e = tlsplug_config_builder_error(b);
	if (rc != TLSPLUG_ERR_IO ||
	    strstr(tlsplug_error_message(e), "no-such.ocsp") == NULL) {
		conf_fail(why, whylen, "missing staple file: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	rc = tlsplug_config_builder_set_ocsp_mode(b,
	                                          (enum tlsplug_ocsp_mode)7);
	if (rc != TLSPLUG_ERR_INVALID) {
		conf_fail(why, whylen, "OCSP mode 7: %s",
		          tlsplug_status_name(rc));
		goto out;
	}
	result = 0;
out:
	tlsplug_config_builder_free(b);
	return result;
}

/* ---- the interop matrix ---------------------------------------------- */

CONF_CASE(case_interop_crl_revoked)
{
	struct rev_side cr = { .crl = "crls.pem" }, sr = { 0 };
	struct rev_expect x = { .ccode = TLSPLUG_ERR_CERT_REVOKED };

	if (rev_run(env, "revoked.pem", "revoked.key", 0, &cr, &sr, &x, why,
	            whylen) != 0)
		return -1;
	return rev_run(env, "revint.pem", "revint.key", 0, &cr, &sr, &x, why,
	               whylen);
}

CONF_CASE(case_interop_ocsp_good)
{
	return case_ocsp_good(env, why, whylen) != 0 ? -1 :
	    case_ocsp_good_tls12(env, why, whylen);
}

CONF_CASE(case_interop_ocsp_revoked)
{
	return case_ocsp_revoked(env, why, whylen) != 0 ? -1 :
	    case_ocsp_revoked_tls12(env, why, whylen);
}

CONF_CASE(case_interop_ocsp_missing)
{
	return case_ocsp_missing(env, why, whylen);
}
