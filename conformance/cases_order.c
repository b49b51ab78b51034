/* cases_order.c -- cipher suite order: what the client offers, on the wire,
 * and which suite the server picks (TLSPLUG_CAP_CIPHER_ORDER). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conformance.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/* Two suites of one version, and the server certificate they need. */
struct order_family {
	enum tlsplug_version version;
	uint16_t a, b;
	const char *chain, *key;
};

static const struct order_family families[] = {
	{ V12, 0xC02F, 0xC030, "rsa.pem", "rsa.key" },
	{ V13, 0x1301, 0x1302, "ecdsa.pem", "ecdsa.key" },
};

/* 1 for values a ClientHello may carry that are no suites: the
 * renegotiation and fallback signals, and GREASE (RFC 8701). */
static int
not_a_suite(uint16_t id)
{
	return id == 0x00FF || id == 0x5600 ||
	       ((id & 0x0F0F) == 0x0A0A && (id >> 8) == (id & 0xFF));
}

/*
 * Parses the cipher_suites list of the ClientHello at the start of buf
 * (one TLS record), leaving out not_a_suite() values.  Returns the number
 * of suites stored in ids (at most max), or -1 with why filled.
 */
static int
offered_suites(const unsigned char *buf, size_t len, uint16_t *ids,
               size_t max, char *why, size_t whylen)
{
	size_t rec, pos, n, i;
	int count = 0;

	if (len < 5 || buf[0] != 22)
		return conf_fail(why, whylen, "client's first bytes are no "
		                 "handshake record");
	rec = (size_t)buf[3] << 8 | buf[4];
	if (len < 5 + rec || rec < 4 || buf[5] != 1)
		return conf_fail(why, whylen, "client's first record holds "
		                 "no whole ClientHello");
	/* record header, handshake header, legacy_version, random */
	pos = 5 + 4 + 2 + 32;
	if (pos + 1 > 5 + rec)
		return conf_fail(why, whylen, "ClientHello too short");
	pos += 1 + buf[pos];                     /* session id */
	if (pos + 2 > 5 + rec)
		return conf_fail(why, whylen, "ClientHello too short");
	n = (size_t)buf[pos] << 8 | buf[pos + 1];
	pos += 2;
	if (n % 2 != 0 || pos + n > 5 + rec)
		return conf_fail(why, whylen, "ClientHello suite list of %zu "
		                 "bytes does not fit", n);
	for (i = 0; i < n; i += 2) {
		uint16_t id = (uint16_t)(buf[pos + i] << 8 | buf[pos + i + 1]);

		if (not_a_suite(id))
			continue;
		if ((size_t)count < max)
			ids[count] = id;
		count++;
	}
	return count;
}

/* The client config of family f offering `first` then `second`. */
static int
client_config(const struct conf_env *env, const struct order_family *f,
              const uint16_t *order, struct tlsplug_config **cfg, char *why,
              size_t whylen)
{
	struct conf_side c = { .trust = "ca.pem", .min = f->version,
	                       .max = f->version, .ciphers = order,
	                       .nciphers = order != NULL ? 2 : 0 };

	return conf_config(env, &c, cfg, why, whylen);
}

/*
 * Checks a context for role that refused an ordered list: allowed only
 * when the backend does not declare TLSPLUG_CAP_CIPHER_ORDER, and only as
 * TLSPLUG_ERR_UNSUPPORTED.  Returns 1 when refused (result set), 0 when the
 * context was made (*ctx).
 */
static int
order_context(const struct tlsplug_backend *b, enum tlsplug_role role,
              struct tlsplug_config *cfg, struct tlsplug_context **ctx,
              int *result, char *why, size_t whylen)
{
	struct tlsplug_error *err = NULL;
	int rc;

	rc = tlsplug_context_new(b, role, cfg, ctx, &err);
	if (rc == TLSPLUG_OK)
		return 0;
	if (conf_has(b, TLSPLUG_CAP_CIPHER_ORDER))
		*result = conf_fail(why, whylen, "%s %s declares cipher_order "
		    "but refuses an ordered suite list: %s (%s)",
		    tlsplug_backend_name(b),
		    role == TLSPLUG_CLIENT ? "client" : "server",
		    tlsplug_status_name(rc),
		    err != NULL ? tlsplug_error_message(err) : "no message");
	else
		*result = conf_check_error(err, TLSPLUG_ERR_UNSUPPORTED, NULL,
		                           "ordered suite list refused",
		                           why, whylen);
	tlsplug_error_free(err);
	return 1;
}

/* The client offers exactly `order`, in that order (read from the
 * ClientHello it writes).  *ran is set when the offer was checked. */
static int
client_offers(const struct conf_env *env, const struct order_family *f,
              const uint16_t *order, int *ran, char *why, size_t whylen)
{
	struct tlsplug_config *cfg;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_conn *conn = NULL;
	struct tlsplug_error *err = NULL;
	const void *data = NULL;
	uint16_t ids[64];
	size_t len;
	int result = -1, n, rc;

	if (client_config(env, f, order, &cfg, why, whylen) != 0)
		return -1;
	if (order_context(env->client, TLSPLUG_CLIENT, cfg, &ctx, &result,
	                  why, whylen)) {
		tlsplug_config_unref(cfg);
		return result;
	}
	tlsplug_config_unref(cfg);
	if (tlsplug_conn_new(ctx, "localhost", &conn, &err) != TLSPLUG_OK) {
		conf_fail(why, whylen, "client connection: %s",
		          err != NULL ? tlsplug_error_message(err) : "failed");
		tlsplug_error_free(err);
		goto out;
	}
	rc = tlsplug_conn_handshake(conn);
	len = tlsplug_conn_peek_outgoing(conn, &data);
	if (rc != TLSPLUG_WANT_READ || len == 0) {
		conf_fail(why, whylen, "client's first handshake step: %s, "
		          "%zu bytes out", tlsplug_status_name(rc), len);
		goto out;
	}
	n = offered_suites(data, len, ids, 64, why, whylen);
	if (n < 0)
		goto out;
	if (n != 2 || ids[0] != order[0] || ids[1] != order[1]) {
		conf_fail(why, whylen, "client configured with 0x%04X, 0x%04X "
		          "offers %d suites: 0x%04X, 0x%04X%s", order[0],
		          order[1], n, n > 0 ? ids[0] : 0, n > 1 ? ids[1] : 0,
		          n > 2 ? ", ..." : "");
		goto out;
	}
	*ran = 1;
	result = 0;
out:
	tlsplug_conn_free(conn);
	tlsplug_context_unref(ctx);
	return result;
}

/* The server configured with `order` picks order[0] from a client that
 * offers both the other way round (or, if the client backend refuses that
 * list, in its own default order).  *ran is set when the pick was seen. */
static int
server_picks(const struct conf_env *env, const struct order_family *f,
             const uint16_t *order, int *ran, char *why, size_t whylen)
{
	uint16_t reversed[2] = { order[1], order[0] };
	struct conf_side s = { .chain = f->chain, .key = f->key,
	                       .min = f->version, .max = f->version,
	                       .ciphers = order, .nciphers = 2 };
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	struct tlsplug_context *probe = NULL;
	struct conf_pair p;
	int result = -1, refused;

	if (conf_config(env, &s, &scfg, why, whylen) != 0)
		return -1;
	if (order_context(env->server, TLSPLUG_SERVER, scfg, &probe, &result,
	                  why, whylen)) {
		tlsplug_config_unref(scfg);
		return result;
	}
	tlsplug_context_unref(probe);
	/* The client offers the reversed list if its backend takes it. */
	if (client_config(env, f, reversed, &ccfg, why, whylen) != 0)
		goto out;
	refused = order_context(env->client, TLSPLUG_CLIENT, ccfg, &probe,
	                        &result, why, whylen);
	if (refused && result != 0)
		goto out;
	tlsplug_context_unref(probe);
	if (refused) {
		tlsplug_config_unref(ccfg);
		if (client_config(env, f, NULL, &ccfg, why, whylen) != 0) {
			ccfg = NULL;
			goto out;
		}
	}
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	if (conf_connect(&p, f->version, why, whylen) == 0) {
		if (tlsplug_conn_cipher(p.c) != order[0])
			conf_fail(why, whylen, "server configured with 0x%04X, "
			          "0x%04X picked 0x%04X from a client offering "
			          "%s", order[0], order[1],
			          tlsplug_conn_cipher(p.c), refused ?
			          "its default list" :
			          "them the other way round");
		else if (conf_exchange(&p, 100, 0, why, whylen) == 0)
			result = 0;
	}
	conf_pair_free(&p);
	if (result == 0)
		*ran = 1;
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

/*
 * TLSPLUG_CAP_CIPHER_ORDER: the suites are used in exactly the configured
 * order.  For TLS 1.2 and TLS 1.3, and both orders of two suites: the
 * client's ClientHello lists them in that order, and the server picks its
 * first from a client that prefers the other.  A backend without the
 * capability may refuse an order it cannot reproduce (UNSUPPORTED), but
 * never uses another one; a backend with it refuses none, so for it every
 * check must have run.
 */
CONF_CASE(case_cipher_order)
{
	int cran = 0, sran = 0;
	size_t i, k;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct order_family *f = &families[i];
		uint64_t vcap = f->version == V13 ? TLSPLUG_CAP_TLS1_3 :
		                TLSPLUG_CAP_TLS1_2;

		if (!conf_has(env->client, vcap) ||
		    !conf_has(env->server, vcap))
			continue;
		for (k = 0; k < 2; k++) {
			uint16_t order[2] = { k ? f->b : f->a,
			                      k ? f->a : f->b };
			char tmp[600];

			if (!conf_offers(env->client, order[0]) ||
			    !conf_offers(env->client, order[1]) ||
			    !conf_offers(env->server, order[0]) ||
			    !conf_offers(env->server, order[1]))
				return conf_fail(why, whylen, "suites "
				    "0x%04X and 0x%04X are not offered by "
				    "both backends", order[0], order[1]);
			if (client_offers(env, f, order, &cran, tmp,
			                  sizeof(tmp)) != 0 ||
			    server_picks(env, f, order, &sran, tmp,
			                 sizeof(tmp)) != 0)
				return conf_fail(why, whylen, "%s: %s",
				    tlsplug_version_name(f->version), tmp);
		}
	}
	if (conf_has(env->client, TLSPLUG_CAP_CIPHER_ORDER) && cran == 0)
		return conf_fail(why, whylen, "no client order was checked");
	if (conf_has(env->server, TLSPLUG_CAP_CIPHER_ORDER) && sran == 0)
		return conf_fail(why, whylen, "no server order was checked");
	return 0;
}
