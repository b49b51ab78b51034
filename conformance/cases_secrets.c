/*
 * cases_secrets.c -- key logging and keying material exporters, on one
 * backend and across every pair: both ends of a connection must log the
 * same NSS key log lines (the TLS 1.3 secrets, the TLS 1.2 master
 * secret), each exactly once even with SSLKEYLOGFILE set (no engine may
 * write a copy of its own), and must export the same keying material and
 * tls-exporter channel binding (RFC 5705, RFC 8446 7.5, RFC 9266).
 * A backend without TLSPLUG_CAP_KEYLOG / TLSPLUG_CAP_EXPORTER must refuse
 * cleanly instead.  Also the shared helpers of cases_groups.c (configs
 * with groups, signature algorithms and key log settings).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/* ---- configs with key settings ---------------------------------------- */

int
conf_keys_config(const struct conf_env *env, const struct conf_side *side,
                 const struct conf_keys *k, struct tlsplug_config **out,
                 char *why, size_t whylen)
{
	struct tlsplug_config_builder *b;
	struct tlsplug_config *base;
	int rc = TLSPLUG_OK;

	*out = NULL;
	if (conf_config(env, side, &base, why, whylen) != 0)
		return -1;
	b = tlsplug_config_edit(base);
	tlsplug_config_unref(base);
	if (b == NULL)
		return conf_fail(why, whylen, "config_edit failed");
	if (k != NULL && k->ngroups > 0)
		rc = tlsplug_config_builder_set_groups(b, k->groups,
		                                       k->ngroups);
	if (rc == TLSPLUG_OK && k != NULL && k->nsigalgs > 0)
		rc = tlsplug_config_builder_set_sigalgs(b, k->sigalgs,
		                                        k->nsigalgs);
	if (rc == TLSPLUG_OK && k != NULL && k->log != NULL)
		rc = tlsplug_config_builder_set_keylog_callback(b,
		    conf_keylog_collect, k->log);
	if (rc == TLSPLUG_OK && k != NULL && k->keylog_file != NULL)
		rc = tlsplug_config_builder_set_keylog_file(b,
		                                            k->keylog_file);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_build(b, out);
	if (rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "key settings: %s",
		          tlsplug_error_message(
		              tlsplug_config_builder_error(b)));
		tlsplug_config_builder_free(b);
		return -1;
	}
	tlsplug_config_builder_free(b);
	return 0;
}

/* The capabilities a side's key settings need. */
static uint64_t
keys_caps(const struct conf_keys *k)
{
	uint64_t caps = 0;

	if (k == NULL)
		return 0;
	if (k->log != NULL || k->keylog_file != NULL)
		caps |= TLSPLUG_CAP_KEYLOG;
	if (k->ngroups > 0)
		caps |= TLSPLUG_CAP_GROUPS;
	if (k->nsigalgs > 0)
		caps |= TLSPLUG_CAP_SIGALGS;
	return caps;
}

/* Refusal check for one side lacking a capability (conf_gate). */
static int
keys_gate(const struct tlsplug_backend *b, enum tlsplug_role role,
          uint64_t caps, struct tlsplug_config *cfg, int *result, char *why,
          size_t whylen)
{
	static const uint64_t bits[] = {
		TLSPLUG_CAP_KEYLOG, TLSPLUG_CAP_GROUPS, TLSPLUG_CAP_SIGALGS,
	};

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if ((caps & bits[i]) &&
		    !conf_gate(b, role, bits[i], cfg, result, why, whylen))
			return 0;
	return 1;
}

/* A side whose bounds ask for TLS 1.3 only on a backend without it: its
 * context must be refused (the case then passes by that refusal). */
static int
version_gate(const struct tlsplug_backend *b, enum tlsplug_role role,
             const struct conf_side *side, struct tlsplug_config *cfg,
             int *result, char *why, size_t whylen)
{
	if (side->min != TLSPLUG_VERSION_TLSv1_3)
		return 1;
	return conf_gate(b, role, TLSPLUG_CAP_TLS1_3, cfg, result, why,
	                 whylen);
}

int
conf_keys_pair(const struct conf_env *env, const struct conf_side *cs,
               const struct conf_keys *ck, const struct conf_side *ss,
               const struct conf_keys *sk, struct conf_pair *p, int *result,
               char *why, size_t whylen)
{
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	int go = 0;

	memset(p, 0, sizeof(*p));
	*result = -1;
	if (conf_keys_config(env, cs, ck, &ccfg, why, whylen) != 0 ||
	    conf_keys_config(env, ss, sk, &scfg, why, whylen) != 0)
		goto out;
	if (!version_gate(env->client, TLSPLUG_CLIENT, cs, ccfg, result, why,
	                  whylen) ||
	    !version_gate(env->server, TLSPLUG_SERVER, ss, scfg, result, why,
	                  whylen) ||
	    !keys_gate(env->client, TLSPLUG_CLIENT, keys_caps(ck), ccfg,
	               result, why, whylen) ||
	    !keys_gate(env->server, TLSPLUG_SERVER, keys_caps(sk), scfg,
	               result, why, whylen))
		goto out;
	if (conf_pair_new(env, ccfg, scfg, "localhost", p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	go = 1;
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return go;
}

/* ---- key log lines ------------------------------------------------------ */

void
conf_keylog_collect(const struct tlsplug_conn *conn, const char *line,
                    void *data)
{
	struct conf_keylog *l = data;

	(void)conn;
	if (l->n < CONF_KEYLOG_MAX)
		snprintf(l->line[l->n], sizeof(l->line[0]), "%s", line);
	l->n++;
}

static int
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* 1 if l holds line exactly `count` times. */
static int
count_line(const struct conf_keylog *l, const char *line)
{
	int n = 0;

	for (int i = 0; i < l->n && i < CONF_KEYLOG_MAX; i++)
		if (strcmp(l->line[i], line) == 0)
			n++;
	return n;
}

/*
 * Checks what one side logged: well-formed lines (LABEL, 64 hex digits of
 * client random, 2 x secret_len hex digits), one client random, the
 * labels the version must log, each once.
 */
static int
check_lines(const struct conf_keylog *l, const char *side,
            enum tlsplug_version v, size_t secret_len, char *why,
            size_t whylen)
{
	static const char *const need13[] = {
		"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
		"SERVER_HANDSHAKE_TRAFFIC_SECRET",
		"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
	};
	static const char *const need12[] = { "CLIENT_RANDOM" };
	const char *const *need = v == V13 ? need13 : need12;
	size_t nneed = v == V13 ? 4 : 1;

	if (l->n == 0 || l->n > CONF_KEYLOG_MAX)
		return conf_fail(why, whylen, "%s logged %d key log lines",
		                 side, l->n);
	for (int i = 0; i < l->n; i++) {
		const char *s = l->line[i], *sp = strchr(s, ' ');
		size_t rest;

		if (sp == NULL || strlen(sp) < 1 + 64 + 1 || sp[65] != ' ' ||
		    !is_hex(sp + 1, 64) ||
		    strncmp(sp + 1, strchr(l->line[0], ' ') + 1, 64) != 0)
			return conf_fail(why, whylen, "%s: malformed or other "
			                 "client random: \"%s\"", side, s);
		rest = strlen(sp + 66);
		/* The secrets the version must log have the suite's hash
		 * length; others (EXPORTER_SECRET) too. */
		if (rest != 2 * secret_len || !is_hex(sp + 66, rest))
			return conf_fail(why, whylen, "%s: secret of %zu hex "
			                 "digits (want %zu): \"%s\"", side, rest,
			                 2 * secret_len, s);
		if (count_line(l, s) != 1)
			return conf_fail(why, whylen, "%s logged \"%s\" %d "
			                 "times", side, s, count_line(l, s));
	}
	for (size_t k = 0; k < nneed; k++) {
		int found = 0;

		for (int i = 0; i < l->n; i++)
			if (strncmp(l->line[i], need[k], strlen(need[k])) == 0
			    && l->line[i][strlen(need[k])] == ' ')
				found++;
		if (found != 1)
			return conf_fail(why, whylen, "%s logged %s %d times "
			                 "(want once)", side, need[k], found);
	}
	return 0;
}

/* Both sides logged the same lines (in any order). */
static int
same_lines(const struct conf_keylog *a, const struct conf_keylog *b,
           char *why, size_t whylen)
{
	if (a->n != b->n)
		return conf_fail(why, whylen, "client logged %d lines, server "
		                 "%d", a->n, b->n);
	for (int i = 0; i < a->n; i++)
		if (count_line(b, a->line[i]) != 1)
			return conf_fail(why, whylen, "the server did not log "
			                 "the client's \"%s\"", a->line[i]);
	return 0;
}

/* A handshake at version v over an ECDSA P-256 chain, both sides
 * logging, with secrets of 48 bytes: TLS 1.3 pinned to
 * TLS_AES_256_GCM_SHA384, TLS 1.2's master secret.  With file, the client
 * also writes there, and the file must hold each line `copies` times.
 * With sni, the server's SNI callback switches every connection to a
 * config of its own with the same chain and no key log settings: the
 * lines still go to the context's callback. */
static int
keylog_run(const struct conf_env *env, enum tlsplug_version v,
           const char *file, int copies, int sni, char *why, size_t whylen)
{
	static const uint16_t s13[] = { 0x1302 };
	static const uint16_t s12[] = { 0xC02B };
	struct conf_keylog *cl = calloc(2, sizeof(*cl)), *sl = cl + 1;
	struct conf_side cs = { .trust = "ca.pem", .min = v, .max = v,
	                        .ciphers = v == V13 ? s13 : s12,
	                        .nciphers = 1 };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                        .min = v, .max = v };
	struct conf_keys ck = { .log = cl, .keylog_file = file };
	struct conf_keys sk = { .log = sl };
	struct conf_sni st = { .alt_name = "localhost" };
	struct conf_pair p;
	int result;

	if (cl == NULL)
		return conf_fail(why, whylen, "out of memory");
	if (sni) {
		struct conf_side alt = ss;

		if (conf_config(env, &alt, &st.alt, why, whylen) != 0) {
			free(cl);
			return -1;
		}
		ss.sni = conf_sni_cb;
		ss.sni_data = &st;
	}
	if (!conf_keys_pair(env, &cs, &ck, &ss, &sk, &p, &result, why,
	                    whylen)) {
		tlsplug_config_unref(st.alt);
		free(cl);
		return result;
	}
	result = conf_connect(&p, v, why, whylen);
	if (result == 0 && sni && st.calls != 1)
		result = conf_fail(why, whylen, "SNI callback called %d times",
		                   st.calls);
	if (result == 0)
		result = conf_exchange(&p, 100, 0, why, whylen);
	if (result == 0)
		result = check_lines(cl, "client", v, 48, why, whylen);
	if (result == 0)
		result = check_lines(sl, "server", v, 48, why, whylen);
	if (result == 0)
		result = same_lines(cl, sl, why, whylen);
	if (result == 0 && file != NULL) {
		/* The file holds what the callback got, each line once. */
		char *text = NULL;
		unsigned char *data = NULL;
		size_t len = 0, nl = 0;
		FILE *f = fopen(file, "r");

		if (f != NULL) {
			data = malloc(65536);
			len = data != NULL ? fread(data, 1, 65535, f) : 0;
			fclose(f);
		}
		text = (char *)data;
		if (text == NULL)
			result = conf_fail(why, whylen, "cannot read %s: %s",
			                   file, strerror(errno));
		else {
			text[len] = '\0';
			for (size_t i = 0; i < len; i++)
				nl += text[i] == '\n';
			if (nl != (size_t)(copies * cl->n))
				result = conf_fail(why, whylen, "%s has %zu "
				    "lines, want %d x the %d the callback got",
				    file, nl, copies, cl->n);
			for (int i = 0; result == 0 && i < cl->n; i++) {
				int n = 0;

				for (char *at = strstr(text, cl->line[i]);
				     at != NULL;
				     at = strstr(at + 1, cl->line[i]))
					n += at[strlen(cl->line[i])] == '\n';
				if (n != copies)
					result = conf_fail(why, whylen, "%s "
					    "holds \"%s\" %d times (want %d)",
					    file, cl->line[i], n, copies);
			}
		}
		free(data);
	}
	conf_pair_free(&p);
	tlsplug_config_unref(st.alt);
	free(cl);
	return result;
}

CONF_CASE(case_keylog_tls13)
{
	return keylog_run(env, V13, NULL, 0, 0, why, whylen);
}

CONF_CASE(case_keylog_tls12)
{
	return keylog_run(env, V12, NULL, 0, 0, why, whylen);
}

/* The SNI callback picks a config without key log settings: the lines of
 * the connection still reach the context's key log (an engine hooked only
 * where key logging is on must be hooked on the config switched to). */
CONF_CASE(case_keylog_sni_switch)
{
	enum tlsplug_version v = conf_has(env->client, TLSPLUG_CAP_TLS1_3) &&
	                         conf_has(env->server, TLSPLUG_CAP_TLS1_3) ?
	                         V13 : V12;

	/* Without the SNI callback this is keylog_tls1x, run elsewhere. */
	if (!conf_has(env->server, TLSPLUG_CAP_SNI_CALLBACK))
		return 0;
	if (keylog_run(env, v, NULL, 0, 1, why, whylen) != 0)
		return -1;
	return v == V12 ? 0 : keylog_run(env, V12, NULL, 0, 1, why, whylen);
}

/* The client's config file alone: each line once.  Then with
 * SSLKEYLOGFILE naming the same file too: the client's context writes
 * each line once (two names, one file), the server's context (in this
 * same process) once more: two copies, never more.  GnuTLS honours
 * SSLKEYLOGFILE itself: were its own writer left on, there would be
 * four. */
CONF_CASE(case_keylog_file_and_env)
{
	char path[PATH_MAX];
	int rc;

	/* TLS 1.3 where both ends speak it, else TLS 1.2 alone. */
	enum tlsplug_version v = conf_has(env->client, TLSPLUG_CAP_TLS1_3) &&
	                         conf_has(env->server, TLSPLUG_CAP_TLS1_3) ?
	                         V13 : V12;

	conf_path(env, "keylog-env.txt", path);
	unlink(path);
	unsetenv("SSLKEYLOGFILE");
	rc = keylog_run(env, v, path, 1, 0, why, whylen);
	if (rc != 0 || !conf_has(env->client, TLSPLUG_CAP_KEYLOG) ||
	    !conf_has(env->server, TLSPLUG_CAP_KEYLOG))
		goto out;
	setenv("SSLKEYLOGFILE", path, 1);
	unlink(path);
	rc = keylog_run(env, v, path, 2, 0, why, whylen);
	if (rc == 0) {
		unlink(path);
		rc = keylog_run(env, V12, path, 2, 0, why, whylen);
	}
	unsetenv("SSLKEYLOGFILE");
out:
	unlink(path);
	return rc;
}

/* A file that cannot be opened: the context works, the error says which
 * file, once. */
CONF_CASE(case_keylog_file_unopenable)
{
	char path[PATH_MAX + 32];
	struct conf_side cs = { .trust = "ca.pem" };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key" };
	struct conf_keys ck = { .keylog_file = path };
	const struct tlsplug_error *e;
	struct conf_pair p;
	int result;

	conf_path(env, "no-such-dir", path);
	strcat(path, "/keys.log");
	if (!conf_keys_pair(env, &cs, &ck, &ss, NULL, &p, &result, why,
	                    whylen))
		return result;
	e = tlsplug_context_keylog_error(p.cctx);
	if (e == NULL || tlsplug_error_code(e) != TLSPLUG_ERR_IO ||
	    strstr(tlsplug_error_message(e), path) == NULL)
		result = conf_fail(why, whylen, "no IO error naming %s: %s",
		                   path, e != NULL ? tlsplug_error_message(e) :
		                   "none");
	else
		result = conf_connect(&p, 0, why, whylen);
	conf_pair_free(&p);
	return result;
}

/* ---- exporters ---------------------------------------------------------- */

/* Exports on both sides and compares; *out gets the client's bytes. */
static int
export_both(struct conf_pair *p, const char *label, const void *ctx,
            size_t ctxlen, unsigned char *out, size_t len, char *why,
            size_t whylen)
{
	unsigned char *s = malloc(len);
	int rc, rs;

	if (s == NULL)
		return conf_fail(why, whylen, "out of memory");
	rc = tlsplug_conn_export_keying_material(p->c, label, ctx, ctxlen,
	                                         out, len);
	rs = tlsplug_conn_export_keying_material(p->s, label, ctx, ctxlen, s,
	                                         len);
	if (rc != TLSPLUG_OK || rs != TLSPLUG_OK) {
		free(s);
		return conf_fail(why, whylen, "export \"%s\" (%zu bytes): "
		    "client %s, server %s", label, len,
		    rc != TLSPLUG_OK ? tlsplug_error_message(
		        tlsplug_conn_error(p->c)) : "OK",
		    rs != TLSPLUG_OK ? tlsplug_error_message(
		        tlsplug_conn_error(p->s)) : "OK");
	}
	rc = memcmp(out, s, len) == 0 ? 0 : conf_fail(why, whylen,
	    "client and server export different bytes for \"%s\" (%zu "
	    "bytes, context %s)", label, len, ctx != NULL ? "given" : "none");
	free(s);
	return rc;
}

/* A connected pair at version v; returns 1 to go on, else 0 with
 * *result. */
static int
export_pair(const struct conf_env *env, enum tlsplug_version v,
            struct conf_pair *p, int *result, char *why, size_t whylen)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .min = v, .max = v },
		.s = { .chain = "rsa.pem", .key = "rsa.key", .min = v,
		       .max = v },
		.host = "localhost",
		/* A side without the version must refuse it (and the case
		 * passes by that refusal alone). */
		.ccap = v == V13 ? TLSPLUG_CAP_TLS1_3 : TLSPLUG_CAP_TLS1_2,
		.scap = v == V13 ? TLSPLUG_CAP_TLS1_3 : TLSPLUG_CAP_TLS1_2,
	};
	struct tlsplug_config *ccfg, *scfg;
	int rc;

	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, result, why,
	                           whylen))
		return 0;
	*result = -1;
	rc = conf_pair_new(env, ccfg, scfg, "localhost", p, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	if (rc != TLSPLUG_OK)
		return 0;
	if (conf_connect(p, v, why, whylen) != 0) {
		conf_pair_free(p);
		return 0;
	}
	if (!conf_has(env->client, TLSPLUG_CAP_EXPORTER) ||
	    !conf_has(env->server, TLSPLUG_CAP_EXPORTER)) {
		/* The side without it refuses, naming the feature. */
		struct tlsplug_conn *c = conf_has(env->client,
		    TLSPLUG_CAP_EXPORTER) ? p->s : p->c;
		unsigned char out[16];
		int rc = tlsplug_conn_export_keying_material(c, "EXP", NULL, 0,
		                                             out, 16);

		*result = rc == TLSPLUG_ERR_UNSUPPORTED ? 0 : conf_fail(why,
		    whylen, "exporter without the capability: %s",
		    tlsplug_status_name(rc));
		conf_pair_free(p);
		return 0;
	}
	return 1;
}

static int
exporter_run(const struct conf_env *env, enum tlsplug_version v, char *why,
             size_t whylen)
{
	static const size_t lens[] = { 1, 32, 100, 1000 };
	unsigned char a[1000], b[1000], c[32], d[32];
	struct conf_pair p;
	int result;

	if (!export_pair(env, v, &p, &result, why, whylen))
		return result;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		result = export_both(&p, "EXPERIMENTAL-tlsplug", NULL, 0, a,
		                     lens[i], why, whylen);
		if (result != 0)
			goto out;
	}
	result = export_both(&p, "EXPERIMENTAL-tlsplug", NULL, 0, c, 32, why,
	                     whylen);
	/* A different label, a context: different bytes. */
	if (result == 0)
		result = export_both(&p, "EXPERIMENTAL-other", NULL, 0, d, 32,
		                     why, whylen);
	if (result == 0 && memcmp(c, d, 32) == 0)
		result = conf_fail(why, whylen, "two labels, same bytes");
	if (result == 0)
		result = export_both(&p, "EXPERIMENTAL-tlsplug", "context", 7,
		                     d, 32, why, whylen);
	if (result == 0 && memcmp(c, d, 32) == 0)
		result = conf_fail(why, whylen, "a context changed nothing");
	/* An empty context: the same as none in TLS 1.3 (RFC 8446 7.5),
	 * not in TLS 1.2 (RFC 5705). */
	if (result == 0)
		result = export_both(&p, "EXPERIMENTAL-tlsplug", "", 0, b, 32,
		                     why, whylen);
	if (result == 0 && (memcmp(b, c, 32) == 0) != (v == V13))
		result = conf_fail(why, whylen, "an empty context %s no "
		                   "context in %s", v == V13 ? "differs from" :
		                   "equals", tlsplug_version_name(v));
	/* A label TLS reserves, refused by every backend alike. */
	if (result == 0 && tlsplug_conn_export_keying_material(p.c,
	    "master secret", NULL, 0, a, 32) != TLSPLUG_ERR_INVALID)
		result = conf_fail(why, whylen, "label \"master secret\" was "
		                   "not refused");
out:
	conf_pair_free(&p);
	return result;
}

CONF_CASE(case_exporter_tls13)
{
	return exporter_run(env, V13, why, whylen);
}

CONF_CASE(case_exporter_tls12)
{
	return exporter_run(env, V12, why, whylen);
}

/* RFC 9266: both ends agree on 32 bytes, the exporter's under
 * "EXPORTER-Channel-Binding" with an empty context; TLS 1.2 has none. */
CONF_CASE(case_exporter_channel_binding)
{
	unsigned char a[32], b[32], c[32];
	size_t la = 0, lb = 0;
	struct conf_pair p;
	int result;

	if (!export_pair(env, V13, &p, &result, why, whylen)) {
		/* Refused (or failed): a side without TLS 1.3 still has the
		 * TLS 1.2 half to pass. */
		if (result != 0 || (conf_has(env->client, TLSPLUG_CAP_TLS1_3) &&
		                    conf_has(env->server, TLSPLUG_CAP_TLS1_3)))
			return result;
		goto tls12;
	}
	if (tlsplug_conn_channel_binding(p.c, "tls-exporter", a, 32, &la) !=
	    TLSPLUG_OK ||
	    tlsplug_conn_channel_binding(p.s, "tls-exporter", b, 32, &lb) !=
	    TLSPLUG_OK || la != 32 || lb != 32)
		result = conf_fail(why, whylen, "tls-exporter failed");
	else if (memcmp(a, b, 32) != 0)
		result = conf_fail(why, whylen, "tls-exporter differs between "
		                   "the ends");
	else
		result = export_both(&p, "EXPORTER-Channel-Binding", "", 0, c,
		                     32, why, whylen);
	if (result == 0 && memcmp(a, c, 32) != 0)
		result = conf_fail(why, whylen, "tls-exporter is not the "
		                   "RFC 9266 exporter");
	conf_pair_free(&p);
	if (result != 0)
		return result;
tls12:
	if (!export_pair(env, V12, &p, &result, why, whylen))
		return result;
	result = 0;
	if (tlsplug_conn_channel_binding(p.c, "tls-exporter", a, 32, &la) !=
	    TLSPLUG_ERR_UNSUPPORTED)
		result = conf_fail(why, whylen, "tls-exporter over TLS 1.2 was "
		                   "not refused");
	conf_pair_free(&p);
	return result;
}

/* Before the handshake: refused, and the handshake still works. */
CONF_CASE(case_exporter_before_handshake)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem" },
		.s = { .chain = "rsa.pem", .key = "rsa.key" },
	};
	unsigned char out[32];
	struct conf_pair p;
	int result = 0;

	if (conf_pair_sides(env, &sc.c, &sc.s, "localhost", &p, why, whylen)
	    != TLSPLUG_OK)
		return -1;
	if (tlsplug_conn_export_keying_material(p.c, "EXP", NULL, 0, out, 32)
	    != TLSPLUG_ERR_MISUSE)
		result = conf_fail(why, whylen, "exported before the "
		                   "handshake");
	else
		result = conf_connect(&p, 0, why, whylen);
	conf_pair_free(&p);
	return result;
}
