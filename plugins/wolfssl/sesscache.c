/*
 * sesscache.c -- the TLS 1.2 session id cache of a wolfSSL server
 * context, kept by the plugin.
 *
 * wolfSSL's own server cache is one per process, and a lookup there does
 * not compare the session id context (Debian's wolfSSL 5.5.4): a server
 * context resumed session ids another context had issued, under another
 * ticket master key or other client certificate rules.  So wolfSSL's
 * internal cache is neither filled nor asked (NO_INTERNAL), and each
 * engine keeps its sessions in its own table through wolfSSL's external
 * cache callbacks: a new session is stored serialised (i2d) under its id,
 * a lookup gives wolfSSL a fresh copy (d2i), which wolfSSL frees.
 * Entries live one ticket lifetime; the table is bounded, the oldest entry
 * making room.  One mutex guards it: contexts are shared between threads.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Sessions one server context remembers. */
#define WOLFP_SCACHE_MAX 512

struct wolfp_scache_entry {
	unsigned char id[32];
	unsigned idlen;
	unsigned char *der;          /* NULL: a free slot */
	size_t derlen;
	uint64_t expires;            /* Unix time */
};

struct wolfp_scache {
	pthread_mutex_t lock;
	size_t next;                 /* slot written next (oldest) */
	struct wolfp_scache_entry e[WOLFP_SCACHE_MAX];
};

static void
entry_clear(struct wolfp_scache_entry *x)
{
	if (x->der != NULL) {
		memset(x->der, 0, x->derlen);
		wolfp_core->free(x->der);
	}
	memset(x, 0, sizeof *x);
}

/* The engine serving ssl's connection (its context's, or the one an SNI
 * callback switched to), or NULL. */
static struct wolfp_scache *
scache_of(WOLFSSL *ssl)
{
	const struct wolfp_conn *c = wolfSSL_get_app_data(ssl);

	if (c == NULL || c->eng == NULL || c->role != TLSPLUG_SERVER)
		return NULL;
	return c->eng->scache;
}

/* wolfSSL's new-session callback on server contexts. */
static int
scache_new_cb(WOLFSSL *ssl, WOLFSSL_SESSION *sess)
{
	struct wolfp_scache *sc = scache_of(ssl);
	const struct wolfp_conn *c = wolfSSL_get_app_data(ssl);
	const unsigned char *id;
	unsigned idlen = 0;
	unsigned char *der;
	ssize_t n;
	struct wolfp_scache_entry *x;

	if (sc == NULL)
		return 0;
	id = wolfSSL_SESSION_get_id(sess, &idlen);
	if (id == NULL || idlen == 0 || idlen > sizeof x->id)
		return 0;
	n = wolfp_session_der(sess, NULL, 0);
	if (n <= 0)
		return 0;
	der = wolfp_core->alloc((size_t)n);
	if (der == NULL)
		return 0;
	if (wolfp_session_der(sess, der, (size_t)n) != n) {
		wolfp_core->free(der);
		return 0;
	}
	pthread_mutex_lock(&sc->lock);
	x = &sc->e[sc->next];
	sc->next = (sc->next + 1) % WOLFP_SCACHE_MAX;
	entry_clear(x);
	memcpy(x->id, id, idlen);
	x->idlen = idlen;
	x->der = der;
	x->derlen = (size_t)n;
	x->expires = (uint64_t)time(NULL) + c->eng->cfg->ticket_lifetime;
	pthread_mutex_unlock(&sc->lock);
	return 0;       /* wolfSSL keeps its reference */
}

/* wolfSSL's lookup on server contexts: a copy of the session stored under
 * id, which wolfSSL frees (*copy 0), or NULL. */
static WOLFSSL_SESSION *
scache_get_cb(WOLFSSL *ssl, const unsigned char *id, int len, int *copy)
{
	struct wolfp_scache *sc = scache_of(ssl);
	WOLFSSL_SESSION *s = NULL;
	uint64_t now = (uint64_t)time(NULL);

	*copy = 0;
	if (sc == NULL || len <= 0 || (size_t)len > sizeof sc->e[0].id)
		return NULL;
	pthread_mutex_lock(&sc->lock);
	for (size_t i = 0; i < WOLFP_SCACHE_MAX && s == NULL; i++) {
		struct wolfp_scache_entry *x = &sc->e[i];
		const unsigned char *p = x->der;

		if (x->der == NULL || x->idlen != (unsigned)len ||
		    memcmp(x->id, id, (size_t)len) != 0)
			continue;
		if (now >= x->expires) {
			entry_clear(x);
			continue;
		}
		s = wolfSSL_d2i_SSL_SESSION(NULL, &p, (long)x->derlen);
	}
	pthread_mutex_unlock(&sc->lock);
	return s;
}

int
wolfp_scache_new(struct wolfp_engine *e, struct tlsplug_error *err)
{
	e->scache = wolfp_core->alloc(sizeof *e->scache);
	if (e->scache == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	memset(e->scache, 0, sizeof *e->scache);
	if (pthread_mutex_init(&e->scache->lock, NULL) != 0) {
		wolfp_core->free(e->scache);
		e->scache = NULL;
		return wolfp_core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
		    "cannot make the session cache's lock");
	}
	return TLSPLUG_OK;
}

int
wolfp_scache_setup(WOLFSSL_CTX *w, struct wolfp_engine *e)
{
	if (e->scache == NULL)
		return -1;
	if (wolfSSL_CTX_set_session_cache_mode(w, WOLFSSL_SESS_CACHE_SERVER |
	    WOLFSSL_SESS_CACHE_NO_INTERNAL) != WOLFSSL_SUCCESS)
		return -1;
	wolfSSL_CTX_sess_set_new_cb(w, scache_new_cb);
	wolfSSL_CTX_sess_set_get_cb(w, scache_get_cb);
	return 0;
}

void
wolfp_scache_free(struct wolfp_engine *e)
{
	if (e->scache == NULL)
		return;
	for (size_t i = 0; i < WOLFP_SCACHE_MAX; i++)
		entry_clear(&e->scache->e[i]);
	pthread_mutex_destroy(&e->scache->lock);
	wolfp_core->free(e->scache);
	e->scache = NULL;
}
