/* backend.c -- the registry and contexts of the backend fuzz targets and
 * their recorder (backend.h). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixed.h"

static void
die(const char *what, const struct tlsplug_error *e)
{
	fprintf(stderr, "fuzz: %s: %s\n", what,
	        e != NULL ? tlsplug_error_message(e) : "failed");
	exit(2);
}

const struct tlsplug_backend *
fuzz_backend(const char *name, struct tlsplug_registry **reg)
{
	struct tlsplug_error *e = NULL;
	const struct tlsplug_backend *b;

	/* The build tree's plugins only, and no configuration file: the
	 * target runs the same wherever it is started. */
	if (setenv("TLSPLUG_PLUGIN_PATH", FUZZ_PLUGIN_PATH, 1) != 0 ||
	    setenv("TLSPLUG_CONF", "/dev/null", 1) != 0 ||
	    setenv("XDG_CONFIG_HOME", "/nonexistent", 1) != 0)
		die("setenv", NULL);
	unsetenv("TLSPLUG_BACKEND");
	if (*reg == NULL && tlsplug_registry_new(NULL, reg, &e) != TLSPLUG_OK)
		die("registry", e);
	b = tlsplug_registry_find(*reg, name);
	if (b == NULL)
		die(name, tlsplug_registry_error(*reg));
	return b;
}

static void
check(int rc, const char *what, struct tlsplug_config_builder *b)
{
	if (rc != TLSPLUG_OK)
		die(what, tlsplug_config_builder_error(b));
}

static void
cert_path(char *path, size_t size, const char *file)
{
	snprintf(path, size, "%s/%s", FUZZ_CERTS_DIR, file);
}

static struct tlsplug_certificate *
load_chain(const char *file)
{
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_error *e = NULL;
	char path[4096];

	cert_path(path, sizeof(path), file);
	if (tlsplug_certificate_from_file(path, &c, &e) != TLSPLUG_OK)
		die(path, e);
	return c;
}

static struct tlsplug_private_key *
load_key(const char *file)
{
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_error *e = NULL;
	char path[4096];

	cert_path(path, sizeof(path), file);
	if (tlsplug_private_key_from_file(path, &k, &e) != TLSPLUG_OK)
		die(path, e);
	return k;
}

static struct tlsplug_context *
make(const struct tlsplug_backend *b, enum tlsplug_role role,
     const struct fuzz_variant *v, int ask)
{
	static const char *const alpn[] = { "h2", "http/1.1" };
	static const unsigned char ticket_key[TLSPLUG_TICKET_KEY_SIZE] = {
		0x74, 0x6c, 0x73, 0x70, 0x6c, 0x75, 0x67, 0x20, 0x66, 0x75,
		0x7a, 0x7a,
	};
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_trust_store *ts = NULL;
	struct tlsplug_certificate *chain;
	struct tlsplug_private_key *key;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;
	char path[4096];
	int server = role == TLSPLUG_SERVER;
	int rc;

	if (cb == NULL)
		die("builder", NULL);
	cert_path(path, sizeof(path), "ca.pem");
	if (tlsplug_trust_store_from_file(path, &ts, &e) != TLSPLUG_OK)
		die(path, e);
	check(tlsplug_config_builder_set_trust_store(cb, ts), "trust", cb);
	tlsplug_trust_store_unref(ts);
	if (server || v == NULL || v->client_cert) {
		chain = load_chain(server ? "server.pem" : "client.pem");
		key = load_key(server ? "server.key" : "client.key");
		check(tlsplug_config_builder_add_cert_chain(cb, chain, NULL,
		      key), "chain", cb);
		tlsplug_certificate_unref(chain);
		tlsplug_private_key_unref(key);
	}
	check(tlsplug_config_builder_set_alpn(cb, alpn, 2), "alpn", cb);
	if (v != NULL && v->max_version != 0)
		check(tlsplug_config_builder_set_max_version(cb,
		      v->max_version), "max_version", cb);
	if (v != NULL && v->group != NULL)
		check(tlsplug_config_builder_set_groups(cb, &v->group, 1),
		      "groups", cb);
	if (server && (tlsplug_backend_caps(b) & TLSPLUG_CAP_SESSIONS) != 0)
		check(tlsplug_config_builder_set_ticket_key(cb, ticket_key,
		      sizeof(ticket_key)), "ticket key", cb);
	if (server) {
		check(tlsplug_config_builder_set_client_cert_mode(cb,
		      ask ? TLSPLUG_CLIENT_CERT_REQUEST :
		      TLSPLUG_CLIENT_CERT_NONE), "client_cert", cb);
	} else {
		check(tlsplug_config_builder_set_session_cache(cb, 0),
		      "session cache", cb);
	}
	check(tlsplug_config_builder_build(cb, &cfg), "build", cb);
	tlsplug_config_builder_free(cb);
	rc = tlsplug_context_new(b, role, cfg, &ctx, &e);
	tlsplug_config_unref(cfg);
	if (rc == TLSPLUG_ERR_UNSUPPORTED && ask) {
		tlsplug_error_free(e);
		return NULL;
	}
	if (rc != TLSPLUG_OK)
		die("context", e);
	return ctx;
}

struct tlsplug_context *
fuzz_context(const struct tlsplug_backend *b, enum tlsplug_role role,
             const struct fuzz_variant *v)
{
	int ask = role == TLSPLUG_SERVER && (v == NULL || v->client_cert);
	struct tlsplug_context *ctx = make(b, role, v, ask);

	/* An engine without optional client certificates: none asked. */
	if (ctx == NULL)
		ctx = make(b, role, v, 0);
	return ctx;
}

/* Throws away what the connection wants to send. */
static void
drain(struct tlsplug_conn *c)
{
	const void *p;
	size_t n;

	while ((n = tlsplug_conn_peek_outgoing(c, &p)) > 0)
		tlsplug_conn_consume_outgoing(c, n);
}

static void
run(struct tlsplug_context *ctx, const unsigned char *data, size_t size,
    struct fuzz_outcome *out)
{
	static char buf[16384];
	struct fuzz_outcome o = { .handshake = TLSPLUG_WANT_READ };
	struct tlsplug_conn *c = NULL;
	int server = tlsplug_context_role(ctx) == TLSPLUG_SERVER;
	const struct tlsplug_error *e;
	size_t n = 0;

	tlsplug_fuzz_random_reset();
	if (tlsplug_conn_new(ctx, server ? NULL : FUZZ_HOST, &c, NULL) !=
	    TLSPLUG_OK)
		abort();
	/* A client's first flight is made before the peer's bytes arrive,
	 * as on a network. */
	o.handshake = tlsplug_conn_handshake(c);
	drain(c);
	if (size > 0 &&
	    tlsplug_conn_receive_from_network(c, data, size) != TLSPLUG_OK)
		abort();
	tlsplug_conn_receive_eof(c);
	/* Bounded: each round consumes input or ends. */
	for (int i = 0; i < 64 && o.handshake == TLSPLUG_WANT_READ; i++) {
		o.handshake = tlsplug_conn_handshake(c);
		drain(c);
	}
	if (o.handshake == TLSPLUG_OK) {
		for (int i = 0; i < 64; i++) {
			size_t got = 0;

			o.read = tlsplug_conn_read(c, buf, sizeof(buf), &got);
			o.plaintext += got;
			drain(c);
			if (o.read != TLSPLUG_OK)
				break;
		}
		if (tlsplug_conn_write(c, "fuzz\n", 5, &n) == TLSPLUG_OK)
			(void)tlsplug_conn_shutdown(c);
		drain(c);
	}
	e = tlsplug_conn_error(c);
	if (out != NULL) {
		snprintf(o.message, sizeof(o.message), "%s",
		         e != NULL ? tlsplug_error_message(e) : "");
		*out = o;
	}
	tlsplug_conn_free(c);
}

struct run_args {
	struct tlsplug_context *ctx;
	const unsigned char *data;
	size_t size;
	struct fuzz_outcome *out;
};

static void *
run_thread(void *arg)
{
	struct run_args *a = arg;

	run(a->ctx, a->data, a->size, a->out);
	return NULL;
}

void
fuzz_run(struct tlsplug_context *ctx, const unsigned char *data, size_t size,
         struct fuzz_outcome *out)
{
	struct run_args a = { ctx, data, size, out };
	pthread_t t;

	/* A new thread each time: GnuTLS makes a thread's random generator
	 * on its first draw (fixed.c), so it starts from the reset stream. */
	if (pthread_create(&t, NULL, run_thread, &a) != 0 ||
	    pthread_join(t, NULL) != 0)
		abort();
}
