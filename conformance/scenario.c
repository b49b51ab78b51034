/* scenario.c -- one connection described as data: build, gate on
 * capabilities, connect, check what each side sees. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conformance.h"

/* Gates each bit of caps on backend b for role. */
static int
gate_bits(const struct tlsplug_backend *b, enum tlsplug_role role,
          uint64_t caps, struct tlsplug_config *cfg, int *result, char *why,
          size_t whylen)
{
	uint64_t bit;

	for (bit = 1; bit != 0 && bit <= caps; bit <<= 1)
		if ((caps & bit) != 0 &&
		    !conf_gate(b, role, bit, cfg, result, why, whylen))
			return 0;
	return 1;
}

int
conf_scenario_prepare(const struct conf_env *env,
                      const struct conf_scenario *sc,
                      struct tlsplug_config **ccfg,
                      struct tlsplug_config **scfg, int *result, char *why,
                      size_t whylen)
{
	*ccfg = *scfg = NULL;
	*result = -1;
	if (conf_config(env, &sc->c, ccfg, why, whylen) != 0)
		return 0;
	if (conf_config(env, &sc->s, scfg, why, whylen) != 0)
		goto done;
	if (!gate_bits(env->client, TLSPLUG_CLIENT, sc->ccap, *ccfg, result,
	               why, whylen))
		goto done;
	if (!gate_bits(env->server, TLSPLUG_SERVER, sc->scap, *scfg, result,
	               why, whylen))
		goto done;
	return 1;
done:
	tlsplug_config_unref(*ccfg);
	tlsplug_config_unref(*scfg);
	*ccfg = *scfg = NULL;
	return 0;
}

/* Checks that conn's peer subject contains want ("CN=..."). */
static int
check_subject(struct tlsplug_conn *conn, const char *side, const char *want,
              char *why, size_t whylen)
{
	const char *subj = tlsplug_conn_peer_subject(conn);

	if (subj == NULL)
		return conf_fail(why, whylen, "%s sees no peer subject, "
		                 "expected %s", side, want);
	if (strstr(subj, want) == NULL)
		return conf_fail(why, whylen, "%s sees peer subject \"%s\", "
		                 "expected %s", side, subj, want);
	return 0;
}

static int
check_result(const struct conf_env *env, const struct conf_scenario *sc,
             struct conf_pair *p, char *why, size_t whylen)
{
	const char *alpn;

	if (conf_handshake(p, sc->chunk, why, whylen) != 0 ||
	    conf_check_negotiated(p, sc->version, why, whylen) != 0)
		return -1;
	alpn = tlsplug_conn_alpn(p->c);
	if (sc->alpn == NULL && alpn != NULL)
		return conf_fail(why, whylen, "ALPN \"%s\" negotiated, "
		                 "expected none", alpn);
	if (sc->alpn != NULL && (alpn == NULL || strcmp(alpn, sc->alpn) != 0))
		return conf_fail(why, whylen, "ALPN %s%s%s negotiated, "
		                 "expected \"%s\"", alpn != NULL ? "\"" : "",
		                 alpn != NULL ? alpn : "none",
		                 alpn != NULL ? "\"" : "", sc->alpn);
	if (sc->server_cn != NULL &&
	    check_subject(p->c, "client", sc->server_cn, why, whylen) != 0)
		return -1;
	if (sc->client_cn != NULL &&
	    check_subject(p->s, "server", sc->client_cn, why, whylen) != 0)
		return -1;
	if (sc->no_client_cert && tlsplug_conn_peer_subject(p->s) != NULL)
		return conf_fail(why, whylen, "server sees a client "
		                 "certificate \"%s\" it did not ask for",
		                 tlsplug_conn_peer_subject(p->s));
	if (sc->exchange > 0 &&
	    conf_exchange(p, sc->exchange, sc->chunk, why, whylen) != 0)
		return -1;
	(void)env;
	return 0;
}

int
conf_scenario_ok(const struct conf_env *env, const struct conf_scenario *sc,
                 char *why, size_t whylen)
{
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	int result;

	if (!conf_scenario_prepare(env, sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	if (conf_pair_new(env, ccfg, scfg, sc->host, &p, why, whylen) !=
	    TLSPLUG_OK) {
		result = -1;
	} else {
		result = check_result(env, sc, &p, why, whylen);
		conf_pair_free(&p);
	}
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

/* Checks one side's failure status and error record. */
static int
check_side(const char *side, int rc, const struct tlsplug_error *e,
           int want, const struct tlsplug_backend *b, char *why,
           size_t whylen)
{
	char what[64];

	snprintf(what, sizeof(what), "%s (%s)", side, tlsplug_backend_name(b));
	if (want == CONF_ANY_ERROR) {
		if (rc >= 0)
			return conf_fail(why, whylen, "%s: %s, expected an "
			                 "error", what,
			                 tlsplug_status_name(rc));
		return conf_check_error(e, rc, b, what, why, whylen);
	}
	if (rc != want) {
		const char *msg = e != NULL ? tlsplug_error_message(e) : NULL;

		return conf_fail(why, whylen, "%s: got %s%s%s%s, expected %s",
		                 what, tlsplug_status_name(rc),
		                 msg != NULL ? " (" : "",
		                 msg != NULL ? msg : "", msg != NULL ? ")" : "",
		                 tlsplug_status_name(want));
	}
	/* The SNI refusal is recorded by the core, on the backend's behalf. */
	if (want == TLSPLUG_ERR_HANDSHAKE_REFUSED)
		b = NULL;
	return conf_check_error(e, want, b, what, why, whylen);
}

int
conf_scenario_fail(const struct conf_env *env,
                   const struct conf_scenario *sc, int ccode, int scode,
                   char *why, size_t whylen)
{
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	char ignore[256];
	int result, crc;

	if (!conf_scenario_prepare(env, sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	if (conf_pair_new(env, ccfg, scfg, sc->host, &p, why, whylen) !=
	    TLSPLUG_OK) {
		result = -1;
		goto out;
	}
	if (conf_handshake(&p, sc->chunk, ignore, sizeof(ignore)) == 0 &&
	    scode != 0) {
		result = conf_fail(why, whylen, "handshake succeeded on both "
		                   "sides, expected the server to fail with %s",
		                   scode == CONF_ANY_ERROR ? "an error" :
		                   tlsplug_status_name(scode));
		goto free_pair;
	}
	if (scode != 0 && check_side("server", p.src, tlsplug_conn_error(p.s),
	                             scode, env->server, why, whylen) != 0) {
		result = -1;
		goto free_pair;
	}
	if (ccode != 0) {
		const struct tlsplug_error *e;

		crc = conf_client_outcome(&p);
		e = tlsplug_conn_error(p.c);
		if (check_side("client", crc, e, ccode, env->client, why,
		               whylen) != 0) {
			result = -1;
			goto free_pair;
		}
		if ((ccode == TLSPLUG_ERR_ALERT_RECEIVED ||
		     ccode == TLSPLUG_ERR_NO_SHARED_ALPN) &&
		    sc->client_alert != 0 &&
		    tlsplug_error_alert(e) != sc->client_alert) {
			result = conf_fail(why, whylen, "client (%s) received "
			    "alert %d (%s), expected %d (%s)",
			    tlsplug_backend_name(env->client),
			    tlsplug_error_alert(e),
			    tlsplug_alert_name(tlsplug_error_alert(e)),
			    sc->client_alert,
			    tlsplug_alert_name(sc->client_alert));
			goto free_pair;
		}
	}
	result = 0;
free_pair:
	conf_pair_free(&p);
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

struct tlsplug_config *
conf_sni_cb(struct tlsplug_conn *conn, const char *server_name,
            const struct tlsplug_config *original, void *user_data)
{
	struct conf_sni *st = user_data;

	(void)conn;
	st->calls++;
	if (server_name == NULL) {
		st->got_null = 1;
		st->seen[0] = '\0';
		return tlsplug_config_ref((struct tlsplug_config *)original);
	}
	snprintf(st->seen, sizeof(st->seen), "%s", server_name);
	if (st->refuse_name != NULL &&
	    strcasecmp(server_name, st->refuse_name) == 0)
		return NULL;
	if (st->alt_name != NULL && strcasecmp(server_name, st->alt_name) == 0)
		return tlsplug_config_ref(st->alt);
	return tlsplug_config_ref((struct tlsplug_config *)original);
}
