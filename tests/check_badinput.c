/*
 * check_badinput.c -- bad input gets a clear error and nothing breaks.
 *
 * Deterministic (fixed seeds) and bounded mutation tests of what tlsplug
 * reads from outside:
 *   - config files: thousands of mutated variants of a valid file through
 *     the parser; every diagnostic reads "FILE:LINE: message";
 *   - certificates, keys and trust stores from buffers: mutated PEM and
 *     DER are either accepted or refused with BAD_CERTIFICATE / BAD_KEY
 *     naming "(buffer)"; some accepted ones then go to every backend's
 *     context creation, which succeeds or fails with a record;
 *   - the host name matcher on random names and SANs;
 *   - the network: client and server connections of every backend fed
 *     random, mutated and truncated handshake flights end in WANT_READ or
 *     an error category with its record, never loop; a server flight
 *     whose Certificate lists no certificate, or one of an unknown
 *     signature algorithm, fails the client;
 *   - API misuse on connections: NULL arguments, calls in the wrong state,
 *     a context released by the caller while its connection lives.
 * Run under ASan (tools/test-all) or valgrind (CK_FORK=no) to catch memory
 * errors and leaks on these paths; TLSPLUG_TEST_SCALE=N runs N times as
 * many iterations (the first ones are the same).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "conf_runner.h"
#include "conffile.h"
#include "internal.h"
#include "ck_run.h"

#define CASE_TIMEOUT 60

static struct conf_runner runner;
/* Iterations multiplier, from $TLSPLUG_TEST_SCALE (default 1), for longer
 * runs by hand. */
static int scale = 1;

/* ---- helpers -------------------------------------------------------- */

/* xorshift64*: deterministic across platforms. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static size_t
rnd_below(uint64_t *s, size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd(s) % n);
}

static void
rnd_fill(uint64_t *s, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)rnd(s);
}

/* A growable byte string. */
struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void
bytes_reserve(struct bytes *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	b->cap = (b->len + more) * 2 + 64;
	b->p = realloc(b->p, b->cap);
	ck_assert_ptr_nonnull(b->p);
}

static void
bytes_set(struct bytes *b, const void *data, size_t len)
{
	b->len = 0;
	if (len == 0)
		return;
	bytes_reserve(b, len);
	memcpy(b->p, data, len);
	b->len = len;
}

static void
bytes_insert(struct bytes *b, size_t at, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (at > b->len)
		at = b->len;
	bytes_reserve(b, len);
	memmove(b->p + at + len, b->p + at, b->len - at);
	memcpy(b->p + at, data, len);
	b->len += len;
}

static void
bytes_erase(struct bytes *b, size_t at, size_t len)
{
	if (at >= b->len)
		return;
	if (len > b->len - at)
		len = b->len - at;
	memmove(b->p + at, b->p + at + len, b->len - at - len);
	b->len -= len;
}

/* Reads certdir/name. */
static void
slurp(const char *name, struct bytes *out)
{
	char path[4200];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", runner.certdir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	out->len = 0;
	for (;;) {
		bytes_reserve(out, 4096);
		n = fread(out->p + out->len, 1, 4096, f);
		out->len += n;
		if (n == 0)
			break;
	}
	fclose(f);
}

/* One generic mutation of b, chosen by the generator. */
static void
mutate(uint64_t *s, struct bytes *b)
{
	static const char *const inserts[] = {
		"\0", "[", "]", "=", "\n", "\r\n", "-----", "#", " ", "\xff",
		"-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\n",
		"====", "\x30\x84\xff\xff\xff\xff", "\x30\x80", "\x02\x00",
	};
	unsigned char junk[64];
	size_t at = rnd_below(s, b->len + 1), n;

	switch (rnd_below(s, 9)) {
	case 0:     /* bit flips */
		for (n = 1 + rnd_below(s, 4); n > 0 && b->len > 0; n--) {
			at = rnd_below(s, b->len);
			b->p[at] ^= (unsigned char)(1u << rnd_below(s, 8));
		}
		break;
	case 1:     /* truncation */
		b->len = at;
		break;
	case 2: {   /* a special token */
		const char *t = inserts[rnd_below(s, sizeof(inserts) /
		                                     sizeof(inserts[0]))];

		bytes_insert(b, at, t, t[0] == '\0' ? 1 : strlen(t));
		break;
	}
	case 3:     /* random bytes */
		n = 1 + rnd_below(s, sizeof(junk));
		rnd_fill(s, junk, n);
		bytes_insert(b, at, junk, n);
		break;
	case 4:     /* a hole */
		bytes_erase(b, at, 1 + rnd_below(s, 64));
		break;
	case 5: {   /* a very long line */
		char *line;

		n = 1000 + rnd_below(s, 70000);
		line = malloc(n);
		ck_assert_ptr_nonnull(line);
		memset(line, "aA=[9/+"[rnd_below(s, 7)], n);
		bytes_insert(b, at, line, n);
		free(line);
		break;
	}
	case 6:     /* a byte overwritten with a random one */
		if (b->len > 0)
			b->p[rnd_below(s, b->len)] = (unsigned char)rnd(s);
		break;
	case 7: {   /* a slice duplicated */
		size_t from = rnd_below(s, b->len + 1);
		unsigned char *copy;

		n = rnd_below(s, b->len - from + 1);
		if (n > 512)
			n = 512;
		copy = malloc(n + 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, b->p + from, n);
		bytes_insert(b, at, copy, n);
		free(copy);
		break;
	}
	default: {  /* LF to CRLF everywhere */
		for (size_t i = 0; i < b->len && b->len < 200000; i++)
			if (b->p[i] == '\n') {
				bytes_insert(b, i, "\r", 1);
				i++;
			}
		break;
	}
	}
}

/* A mutated copy of orig: one to four mutations. */
static void
mutant(uint64_t *s, const struct bytes *orig, struct bytes *out)
{
	bytes_set(out, orig->p, orig->len);
	for (size_t n = 1 + rnd_below(s, 4); n > 0; n--)
		mutate(s, out);
}

/* A negative status with a record of the same category. */
static void
check_record(const char *what, int rc, const struct tlsplug_error *e)
{
	ck_assert_msg(rc < 0, "%s: status %d", what, rc);
	ck_assert_msg(e != NULL, "%s: %s without an error record", what,
	              tlsplug_status_name(rc));
	ck_assert_msg(tlsplug_error_code(e) == rc, "%s: returned %s, record "
	              "says %s", what, tlsplug_status_name(rc),
	              tlsplug_status_name(tlsplug_error_code(e)));
	ck_assert_msg(tlsplug_error_message(e)[0] != '\0' &&
	              strchr(tlsplug_error_message(e), '\n') == NULL,
	              "%s: message not one line: \"%s\"", what,
	              tlsplug_error_message(e));
}

static const struct tlsplug_backend *
backend_at(int i)
{
	const struct tlsplug_backend *b = runner.backends[i];

	if (b == NULL)
		ck_abort_msg("[%s] plugin not loaded: %s",
		             conf_runner_name(&runner, (size_t)i),
		             runner.load_error[i]);
	return b;
}

/* ---- (a) config files ----------------------------------------------- */

static const char good_conf[] =
	"# tlsplug.conf\n"
	"; another comment\n"
	"[default]\n"
	"backend = openssl, gnutls\n"
	"plugin_path = /opt/a:/opt/b\n"
	"\n"
	"[myapp]\n"
	"  backend =gnutls  \n"
	"[other]\n"
	"plugin_path=/x\n";

/* "FILE:LINE: message" with 1 <= LINE <= maxline, one line. */
static void
check_diag(const char *d, unsigned maxline)
{
	static const char prefix[] = "t.conf:";
	char *end;
	unsigned long line;

	ck_assert_msg(strncmp(d, prefix, sizeof(prefix) - 1) == 0,
	              "diagnostic without \"t.conf:\": \"%s\"", d);
	line = strtoul(d + sizeof(prefix) - 1, &end, 10);
	ck_assert_msg(end != d + sizeof(prefix) - 1 && line >= 1 &&
	              line <= maxline, "diagnostic line number: \"%s\"", d);
	ck_assert_msg(end[0] == ':' && end[1] == ' ' && end[2] != '\0',
	              "diagnostic is not FILE:LINE: message: \"%s\"", d);
	ck_assert_msg(strchr(d, '\n') == NULL && strchr(d, '\r') == NULL,
	              "diagnostic not one line: \"%s\"", d);
}

static void
check_entry(const struct tlsplug__conf_entry *e, unsigned maxline)
{
	char want[64];

	if (e->value == NULL)
		return;
	snprintf(want, sizeof(want), "t.conf:%u", e->line);
	ck_assert_msg(e->line >= 1 && e->line <= maxline &&
	              e->source != NULL && strcmp(e->source, want) == 0,
	              "entry source \"%s\", line %u", e->source, e->line);
}

START_TEST(test_conffile_mutations)
{
	struct tlsplug__conf c;
	struct bytes orig = { 0 }, b = { 0 };
	uint64_t seed = 0x5eed0001;
	unsigned lines;
	int i, rc;

	/* The unmutated file is clean (the checks below can tell). */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(tlsplug__conf_parse(good_conf, strlen(good_conf),
	                 "t.conf", "myapp", &c), TLSPLUG_OK);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_str_eq(c.backend.value, "gnutls");
	ck_assert_str_eq(c.backend.source, "t.conf:8");
	tlsplug__conf_clear(&c);

	bytes_set(&orig, good_conf, strlen(good_conf));
	for (i = 0; i < 4000 * scale; i++) {
		mutant(&seed, &orig, &b);
		if (i % 4 == 3)  /* grow mutations on mutations */
			bytes_set(&orig, b.p, b.len < 8192 ? b.len : 8192);
		if (i % 64 == 63)
			bytes_set(&orig, good_conf, strlen(good_conf));
		lines = 1;
		for (size_t k = 0; k < b.len; k++)
			lines += b.p[k] == '\n';
		memset(&c, 0, sizeof(c));
		rc = tlsplug__conf_parse((const char *)b.p, b.len, "t.conf",
		                         i % 2 ? "myapp" : NULL, &c);
		ck_assert_msg(rc == TLSPLUG_OK, "variant %d: %s", i,
		              tlsplug_status_name(rc));
		for (size_t k = 0; k < c.ndiags; k++)
			check_diag(c.diags[k], lines);
		check_entry(&c.backend, lines);
		check_entry(&c.plugin_path, lines);
		tlsplug__conf_clear(&c);
		ck_assert_uint_eq(c.ndiags, 0);
	}
	free(orig.p);
	free(b.p);
}
END_TEST

/* ---- (b) certificates, keys, trust stores from buffers -------------- */

enum handle_kind { H_CERT, H_KEY, H_TRUST };

/* Makes a handle of kind from b.  Returns the status; *out gets it. */
static int
handle_from(enum handle_kind kind, const struct bytes *b, void **out)
{
	struct tlsplug_error *err = NULL;
	int rc, want;

	*out = NULL;
	switch (kind) {
	case H_CERT:
		rc = tlsplug_certificate_from_buffer(b->p, b->len,
		    (struct tlsplug_certificate **)out, &err);
		want = TLSPLUG_ERR_BAD_CERTIFICATE;
		break;
	case H_KEY:
		rc = tlsplug_private_key_from_buffer(b->p, b->len,
		    (struct tlsplug_private_key **)out, &err);
		want = TLSPLUG_ERR_BAD_KEY;
		break;
	default:
		rc = tlsplug_trust_store_from_buffer(b->p, b->len,
		    (struct tlsplug_trust_store **)out, &err);
		want = TLSPLUG_ERR_BAD_CERTIFICATE;
		break;
	}
	if (rc == TLSPLUG_OK) {
		ck_assert_ptr_nonnull(*out);
		ck_assert_ptr_null(err);
		return rc;
	}
	ck_assert_ptr_null(*out);
	ck_assert_msg(rc == want, "handle kind %d from %zu bytes: %s (%s)",
	              (int)kind, b->len, tlsplug_status_name(rc),
	              err != NULL ? tlsplug_error_message(err) : "no record");
	check_record("handle from buffer", rc, err);
	ck_assert_msg(strstr(tlsplug_error_message(err), "(buffer)") != NULL,
	              "message does not name (buffer): \"%s\"",
	              tlsplug_error_message(err));
	tlsplug_error_free(err);
	return rc;
}

static void
handle_free(enum handle_kind kind, void *h)
{
	if (kind == H_CERT)
		tlsplug_certificate_unref(h);
	else if (kind == H_KEY)
		tlsplug_private_key_unref(h);
	else
		tlsplug_trust_store_unref(h);
}

/* Mutations aimed at PEM framing and DER lengths. */
static void
mutate_framing(uint64_t *s, struct bytes *b)
{
	unsigned char *p;
	size_t i;

	switch (rnd_below(s, 5)) {
	case 0:     /* a label changed */
		p = memmem(b->p, b->len, "-----BEGIN ", 11);
		if (p == NULL)
			p = memmem(b->p, b->len, "-----END ", 9);
		if (p != NULL && (size_t)(p - b->p) + 14 < b->len)
			p[11 + rnd_below(s, 3)] = "XY \0-"[rnd_below(s, 5)];
		break;
	case 1:     /* END line removed */
		p = memmem(b->p, b->len, "-----END", 8);
		if (p != NULL)
			bytes_erase(b, (size_t)(p - b->p), b->len);
		break;
	case 2:     /* base64 garbage in the body */
		for (i = 0; i < 1 + rnd_below(s, 8) && b->len > 40; i++)
			b->p[30 + rnd_below(s, b->len - 40)] =
			    "!*@$%^&\x80 \t="[rnd_below(s, 11)];
		break;
	case 3:     /* DER: a length made huge or short */
		for (i = 0; i + 1 < b->len; i++) {
			if (b->p[i] == 0x30 && (b->p[i + 1] & 0x80) &&
			    rnd_below(s, 3) == 0) {
				b->p[i + 1] = (unsigned char)(0x81 +
				    rnd_below(s, 8));
				if (i + 2 < b->len)
					b->p[i + 2] = 0xff;
				break;
			}
		}
		break;
	default:    /* DER truncated */
		b->len = rnd_below(s, b->len + 1);
		break;
	}
}

struct handle_source {
	enum handle_kind kind;
	const char *file;
};

static const struct handle_source handle_sources[] = {
	{ H_CERT, "ecdsa.pem" },
	{ H_CERT, "rsa.der" },
	{ H_KEY, "ecdsa.key" },
	{ H_KEY, "ecdsa-key.der" },
	{ H_KEY, "rsa.key" },
	{ H_TRUST, "ca.pem" },
};

#define KEEP_MAX 6

/* Accepted mutants kept for the context test. */
struct kept {
	void *h[KEEP_MAX];
	size_t n;
};

START_TEST(test_handle_mutations)
{
	const struct handle_source *src = &handle_sources[_i];
	struct bytes orig = { 0 }, b = { 0 };
	uint64_t seed = 0x5eed0100 + (uint64_t)_i;
	int i, refused = 0;
	void *h;

	slurp(src->file, &orig);
	ck_assert_int_eq(handle_from(src->kind, &orig, &h), TLSPLUG_OK);
	handle_free(src->kind, h);
	/* Empty input is refused, not accepted. */
	bytes_set(&b, "", 0);
	ck_assert_int_ne(handle_from(src->kind, &b, &h), TLSPLUG_OK);
	for (i = 0; i < 1500 * scale; i++) {
		bytes_set(&b, orig.p, orig.len);
		if (i % 2)
			mutate_framing(&seed, &b);
		else
			mutate(&seed, &b);
		if (handle_from(src->kind, &b, &h) == TLSPLUG_OK)
			handle_free(src->kind, h);
		else
			refused++;
	}
	ck_assert_msg(refused > 0, "%s: no mutant refused", src->file);
	free(orig.p);
	free(b.p);
}
END_TEST

/* Builds a config with the given handles (any may be NULL). */
static struct tlsplug_config *
config_with(struct tlsplug_certificate *cert, struct tlsplug_private_key *key,
            struct tlsplug_trust_store *trust)
{
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_config *cfg = NULL;

	ck_assert_ptr_nonnull(cb);
	if (cert != NULL && key != NULL)
		ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(cb,
		                 cert, NULL, key), TLSPLUG_OK);
	if (trust != NULL)
		ck_assert_int_eq(tlsplug_config_builder_set_trust_store(cb,
		                 trust), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(cb, &cfg), TLSPLUG_OK);
	tlsplug_config_builder_free(cb);
	return cfg;
}

/* A context from cfg: OK, or an error with its record. */
static void
try_context(const struct tlsplug_backend *b, enum tlsplug_role role,
            struct tlsplug_config *cfg, const char *what)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;
	struct tlsplug_conn *conn = NULL;
	int rc;

	rc = tlsplug_context_new(b, role, cfg, &ctx, &err);
	if (rc != TLSPLUG_OK) {
		ck_assert_ptr_null(ctx);
		check_record(what, rc, err);
		tlsplug_error_free(err);
		return;
	}
	/* A context that was made can start a handshake. */
	ck_assert_int_eq(tlsplug_conn_new(ctx, role == TLSPLUG_CLIENT ?
	                 "localhost" : NULL, &conn, NULL), TLSPLUG_OK);
	rc = tlsplug_conn_handshake(conn);
	ck_assert_msg(rc == TLSPLUG_WANT_READ, "%s: first handshake step: %s",
	              what, tlsplug_status_name(rc));
	tlsplug_conn_free(conn);
	tlsplug_context_unref(ctx);
}

/* Mutants the core accepts, handed to each backend's context creation. */
START_TEST(test_accepted_mutants_in_contexts)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct bytes cert_pem = { 0 }, key_pem = { 0 }, ca_pem = { 0 };
	struct bytes b = { 0 };
	struct tlsplug_certificate *cert, *mcert;
	struct tlsplug_private_key *key, *mkey;
	struct tlsplug_trust_store *mtrust;
	struct tlsplug_config *cfg;
	uint64_t seed = 0x5eed0200;
	int ncert = 0, nkey = 0, ntrust = 0, i;

	slurp("ecdsa.pem", &cert_pem);
	slurp("ecdsa.key", &key_pem);
	slurp("ca.pem", &ca_pem);
	ck_assert_int_eq(tlsplug_certificate_from_buffer(cert_pem.p,
	                 cert_pem.len, &cert, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_pem.p,
	                 key_pem.len, &key, NULL), TLSPLUG_OK);
	for (i = 0; i < 3000 && (ncert < KEEP_MAX || nkey < KEEP_MAX ||
	     ntrust < KEEP_MAX); i++) {
		void *h;

		switch (i % 3) {
		case 0:
			if (ncert >= KEEP_MAX)
				continue;
			bytes_set(&b, cert_pem.p, cert_pem.len);
			mutate_framing(&seed, &b);
			if (handle_from(H_CERT, &b, &h) != TLSPLUG_OK)
				continue;
			mcert = h;
			cfg = config_with(mcert, key, NULL);
			try_context(be, TLSPLUG_SERVER, cfg, "mutated cert");
			tlsplug_config_unref(cfg);
			tlsplug_certificate_unref(mcert);
			ncert++;
			break;
		case 1:
			if (nkey >= KEEP_MAX)
				continue;
			bytes_set(&b, key_pem.p, key_pem.len);
			mutate_framing(&seed, &b);
			if (handle_from(H_KEY, &b, &h) != TLSPLUG_OK)
				continue;
			mkey = h;
			cfg = config_with(cert, mkey, NULL);
			try_context(be, TLSPLUG_SERVER, cfg, "mutated key");
			tlsplug_config_unref(cfg);
			tlsplug_private_key_unref(mkey);
			nkey++;
			break;
		default:
			if (ntrust >= KEEP_MAX)
				continue;
			bytes_set(&b, ca_pem.p, ca_pem.len);
			mutate_framing(&seed, &b);
			if (handle_from(H_TRUST, &b, &h) != TLSPLUG_OK)
				continue;
			mtrust = h;
			cfg = config_with(NULL, NULL, mtrust);
			try_context(be, TLSPLUG_CLIENT, cfg, "mutated trust");
			tlsplug_config_unref(cfg);
			tlsplug_trust_store_unref(mtrust);
			ntrust++;
			break;
		}
	}
	ck_assert_msg(ncert > 0 && nkey > 0 && ntrust > 0, "too few accepted "
	              "mutants: %d %d %d", ncert, nkey, ntrust);
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	free(cert_pem.p);
	free(key_pem.p);
	free(ca_pem.p);
	free(b.p);
}
END_TEST

/* ---- (c) host name matching ----------------------------------------- */

/* A random name from a small alphabet, with long labels now and then. */
static size_t
random_name(uint64_t *s, unsigned char *buf, size_t max)
{
	static const char alpha[] = "ab.*-\0Xx9.";
	size_t len = rnd_below(s, 24), i;

	if (rnd_below(s, 8) == 0)
		len = 60 + rnd_below(s, 400);
	if (len > max)
		len = max;
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)alpha[rnd_below(s, sizeof(alpha) - 1)];
	return len;
}

START_TEST(test_hostname_random)
{
	uint64_t seed = 0x5eed0300;
	unsigned char names[5][512];
	struct tlsplug_san sans[4];
	char host[520];
	int i, matched = 0;

	/* The matcher can say yes (so the loop below tests something). */
	sans[0].type = TLSPLUG_SAN_DNS;
	sans[0].data = (const unsigned char *)"*.example.com";
	sans[0].len = 13;
	ck_assert_int_eq(tlsplug__match_hostname("a.example.com", sans, 1), 1);
	ck_assert_int_eq(tlsplug__match_hostname("a.b.example.com", sans, 1),
	                 0);
	for (i = 0; i < 20000 * scale; i++) {
		size_t n = rnd_below(&seed, 5), k, hl;
		int r;

		hl = random_name(&seed, (unsigned char *)host, 512);
		host[hl] = '\0';
		for (k = 0; k < n; k++) {
			unsigned char *d;

			/* Exact-size heap copies, so ASan sees overreads. */
			if (rnd_below(&seed, 4) == 0) {
				sans[k].type = TLSPLUG_SAN_IP;
				sans[k].len = rnd_below(&seed, 3) == 0 ?
				    rnd_below(&seed, 18) :
				    (rnd_below(&seed, 2) ? 4 : 16);
				rnd_fill(&seed, names[k], sans[k].len);
			} else {
				sans[k].type = TLSPLUG_SAN_DNS;
				if (rnd_below(&seed, 4) == 0 && hl < 500) {
					/* the host itself, maybe starred */
					memcpy(names[k], host, hl);
					sans[k].len = hl;
					if (hl > 0 && rnd_below(&seed, 2))
						names[k][0] = '*';
				} else {
					sans[k].len = random_name(&seed,
					    names[k], 512);
				}
			}
			d = malloc(sans[k].len + 1);
			ck_assert_ptr_nonnull(d);
			memcpy(d, names[k], sans[k].len);
			sans[k].data = d;
		}
		r = tlsplug__match_hostname(host, n > 0 ? sans : NULL, n);
		ck_assert_msg(r == 0 || r == 1, "match returned %d", r);
		matched += r;
		for (k = 0; k < n; k++)
			free((void *)sans[k].data);
	}
	ck_assert_int_gt(matched, 0);
	ck_assert_int_eq(tlsplug__match_hostname(NULL, NULL, 0), 0);
}
END_TEST

/* ---- (d) the network ------------------------------------------------ */

struct pair_ctx {
	struct tlsplug_context *cctx, *sctx;
};

static void
contexts(const struct tlsplug_backend *b, struct pair_ctx *p)
{
	struct tlsplug_certificate *cert;
	struct tlsplug_private_key *key;
	struct tlsplug_trust_store *trust;
	struct tlsplug_config *ccfg, *scfg;
	char path[4200];

	snprintf(path, sizeof(path), "%s/ecdsa.pem", runner.certdir);
	ck_assert_int_eq(tlsplug_certificate_from_file(path, &cert, NULL),
	                 TLSPLUG_OK);
	snprintf(path, sizeof(path), "%s/ecdsa.key", runner.certdir);
	ck_assert_int_eq(tlsplug_private_key_from_file(path, &key, NULL),
	                 TLSPLUG_OK);
	snprintf(path, sizeof(path), "%s/ca.pem", runner.certdir);
	ck_assert_int_eq(tlsplug_trust_store_from_file(path, &trust, NULL),
	                 TLSPLUG_OK);
	ccfg = config_with(NULL, NULL, trust);
	scfg = config_with(cert, key, NULL);
	ck_assert_int_eq(tlsplug_context_new(b, TLSPLUG_CLIENT, ccfg,
	                 &p->cctx, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_context_new(b, TLSPLUG_SERVER, scfg,
	                 &p->sctx, NULL), TLSPLUG_OK);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	tlsplug_trust_store_unref(trust);
}

static void
contexts_free(struct pair_ctx *p)
{
	tlsplug_context_unref(p->cctx);
	tlsplug_context_unref(p->sctx);
}

/* Takes all of conn's pending output. */
static void
take_output(struct tlsplug_conn *conn, struct bytes *out)
{
	const void *data;
	size_t n = tlsplug_conn_peek_outgoing(conn, &data);

	if (out != NULL) {
		bytes_reserve(out, n);
		memcpy(out->p + out->len, data, n);
		out->len += n;
	}
	tlsplug_conn_consume_outgoing(conn, n);
}

/*
 * Feeds bytes to conn in pieces of `piece` bytes (0: at once), running the
 * handshake after each; with eof, then signals the network's end.  The
 * outcome must be WANT_READ (more needed) or an error with its record,
 * which then sticks.  Returns the last status.
 */
static int
feed(struct tlsplug_conn *conn, const unsigned char *data, size_t len,
     size_t piece, int eof, const char *what)
{
	size_t off = 0, n;
	int rc = TLSPLUG_WANT_READ, round;

	while (off < len && rc == TLSPLUG_WANT_READ) {
		n = piece == 0 || piece > len - off ? len - off : piece;
		ck_assert_int_eq(tlsplug_conn_receive_from_network(conn,
		                 data + off, n), TLSPLUG_OK);
		off += n;
		/* Bounded: each call consumes input or ends. */
		for (round = 0; round < 4; round++) {
			rc = tlsplug_conn_handshake(conn);
			take_output(conn, NULL);
			if (rc != TLSPLUG_WANT_WRITE)
				break;
		}
	}
	if (eof && rc == TLSPLUG_WANT_READ) {
		tlsplug_conn_receive_eof(conn);
		rc = tlsplug_conn_handshake(conn);
		take_output(conn, NULL);
		ck_assert_msg(rc != TLSPLUG_WANT_READ,
		              "%s: WANT_READ after EOF", what);
	}
	if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_OK)
		return rc;
	ck_assert_msg(rc < 0 || rc == TLSPLUG_RAGGED_EOF || rc ==
	              TLSPLUG_CLOSED, "%s: handshake ended with %s", what,
	              tlsplug_status_name(rc));
	if (rc < 0) {
		char buf[8];
		size_t got;

		check_record(what, rc, tlsplug_conn_error(conn));
		/* Sticky, whatever comes next. */
		ck_assert_int_eq(tlsplug_conn_handshake(conn), rc);
		ck_assert_int_eq(tlsplug_conn_read(conn, buf, sizeof(buf),
		                 &got), rc);
		ck_assert_int_eq(tlsplug_conn_write(conn, "x", 1, &got), rc);
		ck_assert_int_eq(tlsplug_conn_receive_from_network(conn, "x",
		                 1), rc);
		ck_assert_int_eq(tlsplug_conn_error(conn)->code, rc);
	}
	return rc;
}

/* A fresh client conn with its ClientHello sent (into hello, if given). */
static struct tlsplug_conn *
client_started(struct pair_ctx *p, struct bytes *hello)
{
	struct tlsplug_conn *c;

	ck_assert_int_eq(tlsplug_conn_new(p->cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_handshake(c), TLSPLUG_WANT_READ);
	take_output(c, hello);
	return c;
}

/* The real server flight answering client c (c already started, hello its
 * ClientHello). */
static void
server_flight(struct pair_ctx *p, const struct bytes *hello,
              struct bytes *flight)
{
	struct tlsplug_conn *s;
	int rc;

	ck_assert_int_eq(tlsplug_conn_new(p->sctx, NULL, &s, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(s, hello->p,
	                 hello->len), TLSPLUG_OK);
	rc = tlsplug_conn_handshake(s);
	ck_assert_msg(rc == TLSPLUG_WANT_READ || rc == TLSPLUG_OK,
	              "server on a real ClientHello: %s",
	              tlsplug_status_name(rc));
	flight->len = 0;
	take_output(s, flight);
	ck_assert_uint_gt(flight->len, 0);
	tlsplug_conn_free(s);
}

START_TEST(test_client_fed_garbage)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct pair_ctx p;
	struct bytes hello = { 0 }, flight = { 0 }, b = { 0 };
	uint64_t seed = 0x5eed0400;
	struct tlsplug_conn *c;
	int i, rc, errors = 0;

	contexts(be, &p);
	/* The real flight, byte by byte, gets the client through (TLS 1.3),
	 * or to waiting for the server's Finished, its own second flight
	 * sent (an engine without TLS 1.3). */
	c = client_started(&p, &hello);
	server_flight(&p, &hello, &flight);
	rc = feed(c, flight.p, flight.len, 1, 0, "real flight byte by byte");
	if (tlsplug_backend_caps(be) & TLSPLUG_CAP_TLS1_3) {
		ck_assert_msg(rc == TLSPLUG_OK, "client on the real flight "
		              "fed byte by byte: %s", tlsplug_status_name(rc));
	} else {
		ck_assert_msg(rc == TLSPLUG_WANT_READ, "TLS 1.2 client on the "
		              "real flight fed byte by byte: %s",
		              tlsplug_status_name(rc));
		ck_assert_uint_eq(tlsplug_conn_incoming_pending(c), 0);
	}
	tlsplug_conn_free(c);

	for (i = 0; i < 400 * scale; i++) {
		size_t k;

		hello.len = 0;
		c = client_started(&p, &hello);
		switch (i % 5) {
		case 0:     /* random bytes */
			b.len = 0;
			bytes_reserve(&b, 2048);
			b.len = 1 + rnd_below(&seed, 2048);
			rnd_fill(&seed, b.p, b.len);
			break;
		case 1:     /* a handshake record header, random body */
			b.len = 0;
			bytes_reserve(&b, 1024);
			b.len = 5 + 1 + rnd_below(&seed, 1000);
			rnd_fill(&seed, b.p, b.len);
			b.p[0] = 0x16;
			b.p[1] = 0x03;
			b.p[2] = (unsigned char)(1 + rnd_below(&seed, 3));
			k = b.len - 5 + rnd_below(&seed, 3) * 300;
			b.p[3] = (unsigned char)(k >> 8);
			b.p[4] = (unsigned char)k;
			if (b.len > 5)
				b.p[5] = 2;   /* ServerHello */
			break;
		case 2:     /* the real flight's prefix, then garbage */
			if (i % 10 == 2)
				server_flight(&p, &hello, &flight);
			k = rnd_below(&seed, flight.len);
			bytes_set(&b, flight.p, k);
			bytes_reserve(&b, 512);
			rnd_fill(&seed, b.p + b.len, 1 + rnd_below(&seed, 512));
			b.len += 1 + rnd_below(&seed, 512);
			break;
		case 3:     /* the real flight, mutated */
			server_flight(&p, &hello, &flight);
			mutant(&seed, &flight, &b);
			break;
		default:    /* the real flight, truncated, then EOF */
			server_flight(&p, &hello, &flight);
			bytes_set(&b, flight.p, rnd_below(&seed, flight.len));
			break;
		}
		if (b.len > 70000)
			b.len = 70000;
		rc = feed(c, b.p, b.len, i % 7 == 0 ? 1 + rnd_below(&seed, 9) :
		          0, i % 5 == 4 || i % 3 == 0, "client fed garbage");
		errors += rc < 0;
		tlsplug_conn_free(c);
	}
	ck_assert_int_gt(errors, 100);
	contexts_free(&p);
	free(hello.p);
	free(flight.p);
	free(b.p);
}
END_TEST

START_TEST(test_server_fed_garbage)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct pair_ctx p;
	struct bytes hello = { 0 }, b = { 0 };
	uint64_t seed = 0x5eed0500;
	struct tlsplug_conn *c, *s;
	int i, rc, errors = 0;

	contexts(be, &p);
	c = client_started(&p, &hello);
	tlsplug_conn_free(c);
	for (i = 0; i < 400 * scale; i++) {
		ck_assert_int_eq(tlsplug_conn_new(p.sctx, NULL, &s, NULL),
		                 TLSPLUG_OK);
		switch (i % 4) {
		case 0:     /* random bytes */
			b.len = 0;
			bytes_reserve(&b, 2048);
			b.len = 1 + rnd_below(&seed, 2048);
			rnd_fill(&seed, b.p, b.len);
			break;
		case 1:     /* the real ClientHello, truncated */
			bytes_set(&b, hello.p, rnd_below(&seed, hello.len));
			break;
		default:    /* the real ClientHello, mutated */
			mutant(&seed, &hello, &b);
			break;
		}
		if (b.len > 70000)
			b.len = 70000;
		rc = feed(s, b.p, b.len, i % 9 == 0 ? 1 : 0, i % 2,
		          "server fed garbage");
		errors += rc < 0;
		tlsplug_conn_free(s);
	}
	ck_assert_int_gt(errors, 100);
	contexts_free(&p);
	free(hello.p);
	free(b.p);
}
END_TEST

/* The ECDSA signature algorithm OIDs (ecdsa-with-SHA224 ... SHA512, the
 * last byte varies) as DER. */
static const unsigned char ecdsa_oid[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
};

/*
 * flight, a TLS 1.2 server's first one (all in the clear), with its
 * Certificate handshake message changed, into out as handshake records:
 * with `empty`, a list of no certificate; else the certificates' ECDSA
 * signature algorithms made an unknown OID.  Returns how many changes
 * were made (0: no Certificate message, or no such OID in it).
 */
static int
bad_certificate(const struct bytes *flight, int empty, struct bytes *out)
{
	static const unsigned char none[] = { 11, 0, 0, 3, 0, 0, 0 };
	struct bytes hs = { 0 }, msgs = { 0 };
	size_t off = 0, n;
	int changed = 0;

	/* The handshake messages, out of their records. */
	while (off + 5 <= flight->len) {
		n = (size_t)flight->p[off + 3] << 8 | flight->p[off + 4];
		ck_assert_uint_eq(flight->p[off], 0x16);
		ck_assert_uint_le(off + 5 + n, flight->len);
		bytes_reserve(&hs, n);
		memcpy(hs.p + hs.len, flight->p + off + 5, n);
		hs.len += n;
		off += 5 + n;
	}
	for (off = 0; off + 4 <= hs.len; off += 4 + n) {
		unsigned char *m;

		n = (size_t)hs.p[off + 1] << 16 |
		    (size_t)hs.p[off + 2] << 8 | hs.p[off + 3];
		ck_assert_uint_le(off + 4 + n, hs.len);
		bytes_reserve(&msgs, 4 + n);
		m = msgs.p + msgs.len;
		if (hs.p[off] == 11 && empty) {
			memcpy(m, none, sizeof(none));
			msgs.len += sizeof(none);
			changed++;
			continue;
		}
		memcpy(m, hs.p + off, 4 + n);
		msgs.len += 4 + n;
		for (size_t i = 4; hs.p[off] == 11 &&
		     i + sizeof(ecdsa_oid) < 4 + n; i++) {
			if (memcmp(m + i, ecdsa_oid, sizeof(ecdsa_oid)) == 0) {
				m[i + sizeof(ecdsa_oid)] = 0x7f;
				changed++;
			}
		}
	}
	/* Back into records, as the first one was framed. */
	out->len = 0;
	for (off = 0; off < msgs.len; off += n) {
		n = msgs.len - off < 16384 ? msgs.len - off : 16384;
		bytes_reserve(out, 5 + n);
		memcpy(out->p + out->len, flight->p, 3);
		out->p[out->len + 3] = (unsigned char)(n >> 8);
		out->p[out->len + 4] = (unsigned char)n;
		memcpy(out->p + out->len + 5, msgs.p + off, n);
		out->len += 5 + n;
	}
	free(hs.p);
	free(msgs.p);
	return changed;
}

/*
 * A TLS 1.2 server whose Certificate message lists no certificate (which
 * RFC 5246 does not allow a server), and one whose certificate is signed
 * with an unknown algorithm: the client fails with an error and its
 * record.  The mbedTLS 2.28 client skips a certificate of an unknown
 * signature algorithm and verifies what is left, a certificate it never
 * parsed; its plugin once compared that certificate's names through null
 * pointers (fuzz/corpus/fuzz_mbedtls_client/regress-unknown-sig-alg),
 * and now fails it as CERT_INVALID.
 */
START_TEST(test_client_bad_server_certificate)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_trust_store *trust;
	struct tlsplug_context *cctx;
	struct tlsplug_config *cfg;
	struct pair_ctx p;
	struct bytes hello = { 0 }, flight = { 0 }, b = { 0 };
	char path[4200];

	contexts(be, &p);
	/* A client of TLS 1.2 at most: the server's flight in the clear. */
	snprintf(path, sizeof(path), "%s/ca.pem", runner.certdir);
	ck_assert_int_eq(tlsplug_trust_store_from_file(path, &trust, NULL),
	                 TLSPLUG_OK);
	ck_assert_ptr_nonnull(cb);
	ck_assert_int_eq(tlsplug_config_builder_set_trust_store(cb, trust),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_set_max_version(cb,
	                 TLSPLUG_VERSION_TLSv1_2), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(cb, &cfg), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_context_new(be, TLSPLUG_CLIENT, cfg, &cctx,
	                 NULL), TLSPLUG_OK);
	tlsplug_context_unref(p.cctx);
	p.cctx = cctx;

	for (int empty = 0; empty < 2; empty++) {
		const char *what = empty ? "an empty server Certificate" :
		                   "a server certificate of an unknown "
		                   "signature algorithm";
		struct tlsplug_conn *c = client_started(&p, &hello);
		int rc;

		server_flight(&p, &hello, &flight);
		ck_assert_msg(bad_certificate(&flight, empty, &b) > 0,
		              "%s: nothing to change in the server's flight",
		              what);
		rc = feed(c, b.p, b.len, 0, 1, what);
		ck_assert_msg(rc < 0, "%s client on %s: %s",
		              tlsplug_backend_name(be), what,
		              tlsplug_status_name(rc));
		tlsplug_conn_free(c);
		hello.len = 0;
	}

	tlsplug_config_builder_free(cb);
	tlsplug_config_unref(cfg);
	tlsplug_trust_store_unref(trust);
	contexts_free(&p);
	free(hello.p);
	free(flight.p);
	free(b.p);
}
END_TEST

/* ---- (e) API misuse ------------------------------------------------- */

/* Moves everything pending from one conn to the other. */
static void
move_all(struct tlsplug_conn *from, struct tlsplug_conn *to)
{
	const void *data;
	size_t n = tlsplug_conn_peek_outgoing(from, &data);

	if (n > 0) {
		ck_assert_int_eq(tlsplug_conn_receive_from_network(to, data, n),
		                 TLSPLUG_OK);
		tlsplug_conn_consume_outgoing(from, n);
	}
}

static void
connect_pair(struct tlsplug_conn *c, struct tlsplug_conn *s)
{
	int crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ, i;

	for (i = 0; i < 16 && (crc != TLSPLUG_OK || src != TLSPLUG_OK); i++) {
		crc = tlsplug_conn_handshake(c);
		move_all(c, s);
		src = tlsplug_conn_handshake(s);
		move_all(s, c);
	}
	ck_assert_msg(crc == TLSPLUG_OK && src == TLSPLUG_OK,
	              "handshake: client %s, server %s",
	              tlsplug_status_name(crc), tlsplug_status_name(src));
}

START_TEST(test_null_arguments)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct tlsplug_error *err = NULL;
	struct tlsplug_conn *c = NULL;
	struct pair_ctx p;
	const void *data = &data;
	char buf[8];
	size_t n = 99;

	ck_assert_int_eq(tlsplug_conn_handshake(NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_read(NULL, buf, 8, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_uint_eq(n, 0);
	n = 99;
	ck_assert_int_eq(tlsplug_conn_write(NULL, "x", 1, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tlsplug_conn_shutdown(NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(NULL, "x", 1),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_conn_receive_eof(NULL);
	ck_assert_uint_eq(tlsplug_conn_peek_outgoing(NULL, &data), 0);
	ck_assert_ptr_null(data);
	ck_assert_uint_eq(tlsplug_conn_peek_outgoing(NULL, NULL), 0);
	tlsplug_conn_consume_outgoing(NULL, 5);
	ck_assert_uint_eq(tlsplug_conn_read_outgoing(NULL, buf, 8), 0);
	ck_assert_uint_eq(tlsplug_conn_incoming_pending(NULL), 0);
	ck_assert_ptr_null(tlsplug_conn_error(NULL));
	ck_assert_ptr_null(tlsplug_conn_alpn(NULL));
	ck_assert_ptr_null(tlsplug_conn_peer_subject(NULL));
	ck_assert_ptr_null(tlsplug_conn_server_name(NULL));
	ck_assert_ptr_null(tlsplug_conn_context(NULL));
	ck_assert_uint_eq(tlsplug_conn_cipher(NULL), TLSPLUG_CS_NONE);
	ck_assert_int_eq(tlsplug_conn_version(NULL), TLSPLUG_VERSION_NONE);
	tlsplug_conn_free(NULL);

	ck_assert_int_eq(tlsplug_conn_new(NULL, "x", &c, &err),
	                 TLSPLUG_ERR_MISUSE);
	check_record("conn_new(NULL)", TLSPLUG_ERR_MISUSE, err);
	tlsplug_error_free(err);
	err = NULL;
	ck_assert_int_eq(tlsplug_context_new(be, TLSPLUG_CLIENT, NULL, NULL,
	                 &err), TLSPLUG_ERR_MISUSE);
	check_record("context_new(NULL)", TLSPLUG_ERR_MISUSE, err);
	tlsplug_error_free(err);
	err = NULL;
	ck_assert_int_lt(tlsplug_certificate_from_buffer(NULL, 5, NULL, &err),
	                 0);
	tlsplug_error_free(err);
	err = NULL;
	ck_assert_int_lt(tlsplug_private_key_from_buffer(NULL, 5, NULL, &err),
	                 0);
	tlsplug_error_free(err);

	contexts(be, &p);
	ck_assert_int_eq(tlsplug_conn_new(p.cctx, "localhost", NULL, &err),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_error_free(err);
	ck_assert_int_eq(tlsplug_conn_new(p.cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	/* NULL buffers on a live conn: MISUSE with a record, not sticky. */
	ck_assert_int_eq(tlsplug_conn_read(c, NULL, 8, &n),
	                 TLSPLUG_ERR_MISUSE);
	check_record("read(NULL)", TLSPLUG_ERR_MISUSE, tlsplug_conn_error(c));
	ck_assert_int_eq(tlsplug_conn_read(c, buf, 8, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_write(c, NULL, 1, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_write(c, "x", 1, NULL),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(c, NULL, 3),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(c, NULL, 0),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_shutdown(c), TLSPLUG_ERR_MISUSE);
	check_record("shutdown before handshake", TLSPLUG_ERR_MISUSE,
	             tlsplug_conn_error(c));
	ck_assert_uint_eq(tlsplug_conn_read_outgoing(c, NULL, 4), 0);
	ck_assert_int_eq(tlsplug_conn_handshake(c), TLSPLUG_WANT_READ);
	tlsplug_conn_free(c);
	contexts_free(&p);
}
END_TEST

START_TEST(test_wrong_state)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct tlsplug_conn *c, *s;
	struct pair_ctx p;
	char buf[64];
	size_t n;
	int rc;

	contexts(be, &p);

	/* Write after shutdown. */
	ck_assert_int_eq(tlsplug_conn_new(p.cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_new(p.sctx, NULL, &s, NULL), TLSPLUG_OK);
	connect_pair(c, s);
	rc = tlsplug_conn_shutdown(c);
	ck_assert_msg(rc == TLSPLUG_WANT_READ || rc == TLSPLUG_OK,
	              "shutdown: %s", tlsplug_status_name(rc));
	ck_assert_int_eq(tlsplug_conn_write(c, "late", 4, &n),
	                 TLSPLUG_ERR_MISUSE);
	check_record("write after shutdown", TLSPLUG_ERR_MISUSE,
	             tlsplug_conn_error(c));
	ck_assert_uint_eq(n, 0);
	/* Receive after EOF. */
	move_all(c, s);
	tlsplug_conn_receive_eof(s);
	ck_assert_int_eq(tlsplug_conn_receive_from_network(s, "abc", 3),
	                 TLSPLUG_ERR_MISUSE);
	check_record("receive after EOF", TLSPLUG_ERR_MISUSE,
	             tlsplug_conn_error(s));
	ck_assert_int_eq(tlsplug_conn_receive_from_network(s, "", 0),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_read(s, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_int_eq(tlsplug_conn_read(s, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	tlsplug_conn_free(c);
	tlsplug_conn_free(s);

	/* Everything after a fatal error returns that error. */
	ck_assert_int_eq(tlsplug_conn_new(p.cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_handshake(c), TLSPLUG_WANT_READ);
	take_output(c, NULL);
	rc = feed(c, (const unsigned char *)"\x15\x03\x03\x00\x02\x02\x28", 7,
	          0, 0, "fatal alert");
	ck_assert_int_lt(rc, 0);
	ck_assert_int_eq(tlsplug_conn_read(c, buf, sizeof(buf), &n), rc);
	ck_assert_int_eq(tlsplug_conn_shutdown(c), rc);
	tlsplug_conn_receive_eof(c);
	ck_assert_int_eq(tlsplug_conn_handshake(c), rc);
	tlsplug_conn_free(c);

	/* Data after the peer's close_notify and an EOF in mid-record. */
	ck_assert_int_eq(tlsplug_conn_new(p.cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_new(p.sctx, NULL, &s, NULL), TLSPLUG_OK);
	connect_pair(c, s);
	ck_assert_int_eq(tlsplug_conn_write(s, "hello", 5, &n), TLSPLUG_OK);
	{
		const void *data;
		size_t len = tlsplug_conn_peek_outgoing(s, &data);

		ck_assert_uint_gt(len, 3);
		ck_assert_int_eq(tlsplug_conn_receive_from_network(c, data,
		                 len - 3), TLSPLUG_OK);
	}
	ck_assert_int_eq(tlsplug_conn_read(c, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	tlsplug_conn_receive_eof(c);
	rc = tlsplug_conn_read(c, buf, sizeof(buf), &n);
	ck_assert_msg(rc == TLSPLUG_RAGGED_EOF || rc < 0, "EOF in a record: %s",
	              tlsplug_status_name(rc));
	if (rc < 0)
		check_record("EOF in a record", rc, tlsplug_conn_error(c));
	ck_assert_int_eq(tlsplug_conn_read(c, buf, sizeof(buf), &n), rc);
	tlsplug_conn_free(c);
	tlsplug_conn_free(s);
	contexts_free(&p);
}
END_TEST

START_TEST(test_context_released_first)
{
	const struct tlsplug_backend *be = backend_at(_i);
	struct tlsplug_conn *c, *s;
	struct pair_ctx p;
	char buf[16];
	size_t n;

	contexts(be, &p);
	ck_assert_int_eq(tlsplug_conn_new(p.cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_new(p.sctx, NULL, &s, NULL), TLSPLUG_OK);
	/* The caller lets go of both contexts: the conns hold their own. */
	contexts_free(&p);
	ck_assert_ptr_nonnull(tlsplug_conn_context(c));
	ck_assert_int_eq(tlsplug_context_role(tlsplug_conn_context(s)),
	                 TLSPLUG_SERVER);
	connect_pair(c, s);
	ck_assert_int_eq(tlsplug_conn_write(c, "still here", 10, &n),
	                 TLSPLUG_OK);
	move_all(c, s);
	ck_assert_int_eq(tlsplug_conn_read(s, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(memcmp(buf, "still here", 10), 0);
	ck_assert_str_eq(tlsplug_conn_server_name(s), "localhost");
	tlsplug_conn_free(s);
	/* The client outlives its peer. */
	ck_assert_int_eq(tlsplug_conn_read(c, buf, sizeof(buf), &n),
	                 TLSPLUG_WANT_READ);
	tlsplug_conn_free(c);
}
END_TEST

int
main(void)
{
	Suite *s;
	SRunner *sr;
	TCase *tc;
	int rc, failed, nb;

	rc = conf_runner_setup(&runner);
	if (rc != 0) {
		conf_runner_teardown(&runner);
		return rc;
	}
	nb = (int)runner.n;
	if (getenv("TLSPLUG_TEST_SCALE") != NULL &&
	    atoi(getenv("TLSPLUG_TEST_SCALE")) > 0)
		scale = atoi(getenv("TLSPLUG_TEST_SCALE"));
	s = suite_create("badinput");

	tc = tcase_create("conffile");
	tcase_set_timeout(tc, CASE_TIMEOUT);
	tcase_add_test(tc, test_conffile_mutations);
	suite_add_tcase(s, tc);

	tc = tcase_create("handles");
	tcase_set_timeout(tc, CASE_TIMEOUT);
	tcase_add_loop_test(tc, test_handle_mutations, 0,
	                    (int)(sizeof(handle_sources) /
	                          sizeof(handle_sources[0])));
	tcase_add_loop_test(tc, test_accepted_mutants_in_contexts, 0, nb);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostname");
	tcase_set_timeout(tc, CASE_TIMEOUT);
	tcase_add_test(tc, test_hostname_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("network");
	tcase_set_timeout(tc, CASE_TIMEOUT);
	tcase_add_loop_test(tc, test_client_fed_garbage, 0, nb);
	tcase_add_loop_test(tc, test_server_fed_garbage, 0, nb);
	tcase_add_loop_test(tc, test_client_bad_server_certificate, 0, nb);
	suite_add_tcase(s, tc);

	tc = tcase_create("misuse");
	tcase_set_timeout(tc, CASE_TIMEOUT);
	tcase_add_loop_test(tc, test_null_arguments, 0, nb);
	tcase_add_loop_test(tc, test_wrong_state, 0, nb);
	tcase_add_loop_test(tc, test_context_released_first, 0, nb);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	conf_runner_teardown(&runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
