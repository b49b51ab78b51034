/*
 * session_cache.c -- a client context's session cache: per key (server
 * name and peer address) the newest few sessions, at most max_keys keys,
 * the least recently used key evicted first; one mutex.
 *
 * Sizes are small (hundreds of keys), so a linear scan over an array kept
 * in recency order (most recent last) is simpler than a hash table and as
 * fast in practice.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "internal.h"
#include "session.h"

struct entry {
	char *key;
	struct tlsplug_session *s[TLSPLUG__SESSION_PER_KEY]; /* oldest first */
	size_t n;
};

struct tlsplug__sess_cache {
	pthread_mutex_t lock;
	struct entry *e;        /* least recently used first */
	size_t n, max;
};

struct tlsplug__sess_cache *
tlsplug__sess_cache_new(size_t max_keys)
{
	struct tlsplug__sess_cache *c;

	if (max_keys == 0)
		return NULL;
	c = tlsplug__calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->e = tlsplug__calloc(max_keys, sizeof(*c->e));
	if (c->e == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
		tlsplug__free(c->e);
		tlsplug__free(c);
		return NULL;
	}
	c->max = max_keys;
	return c;
}

static void
entry_clear(struct entry *e)
{
	for (size_t i = 0; i < e->n; i++)
		tlsplug_session_unref(e->s[i]);
	tlsplug__free(e->key);
	memset(e, 0, sizeof(*e));
}

void
tlsplug__sess_cache_free(struct tlsplug__sess_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->e[i]);
	tlsplug__free(c->e);
	pthread_mutex_destroy(&c->lock);
	tlsplug__free(c);
}

/* Moves entry i to the most recent place; returns its new index. */
static size_t
touch(struct tlsplug__sess_cache *c, size_t i)
{
	struct entry tmp = c->e[i];

	memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(c->e[0]));
	c->e[c->n - 1] = tmp;
	return c->n - 1;
}

static size_t
find(const struct tlsplug__sess_cache *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].key, key) == 0)
			return i;
	return c->n;
}

/* Drops session j of entry e. */
static void
drop(struct entry *e, size_t j)
{
	tlsplug_session_unref(e->s[j]);
	memmove(&e->s[j], &e->s[j + 1], (e->n - j - 1) * sizeof(e->s[0]));
	e->n--;
	e->s[e->n] = NULL;
}

int
tlsplug__sess_cache_put(struct tlsplug__sess_cache *c, const char *key,
                        struct tlsplug_session *s)
{
	struct entry *e;
	size_t i;
	int rc = TLSPLUG_OK;

	pthread_mutex_lock(&c->lock);
	i = find(c, key);
	if (i == c->n) {
		char *k = tlsplug__strdup(key);

		if (k == NULL) {
			rc = TLSPLUG_ERR_NOMEM;
			goto out;
		}
		if (c->n == c->max) {
			/* Evict the least recently used key. */
			entry_clear(&c->e[0]);
			memmove(&c->e[0], &c->e[1],
			        (c->n - 1) * sizeof(c->e[0]));
			c->n--;
			memset(&c->e[c->n], 0, sizeof(c->e[0]));
		}
		c->e[c->n].key = k;
		i = c->n++;
	} else {
		i = touch(c, i);
	}
	e = &c->e[i];
	/* A session that is not single use (TLS 1.2) replaces the others:
	 * it can be reused, and is the newest. */
	if (!s->single_use)
		while (e->n > 0)
			drop(e, e->n - 1);
	if (e->n == TLSPLUG__SESSION_PER_KEY)
		drop(e, 0);
	e->s[e->n++] = tlsplug_session_ref(s);
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

struct tlsplug_session *
tlsplug__sess_cache_take(struct tlsplug__sess_cache *c, const char *key,
                         uint64_t now)
{
	struct tlsplug_session *s = NULL;
	struct entry *e;
	size_t i;

	pthread_mutex_lock(&c->lock);
	i = find(c, key);
	if (i == c->n)
		goto out;
	i = touch(c, i);
	e = &c->e[i];
	for (size_t j = e->n; j-- > 0;)
		if (tlsplug__session_expired(e->s[j], now))
			drop(e, j);
	if (e->n == 0)
		goto out;
	s = e->s[e->n - 1];
	if (s->single_use) {
		/* Hand over the cache's reference. */
		e->n--;
		e->s[e->n] = NULL;
	} else {
		tlsplug_session_ref(s);
	}
out:
	pthread_mutex_unlock(&c->lock);
	return s;
}

size_t
tlsplug__sess_cache_count(struct tlsplug__sess_cache *c)
{
	size_t total = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		total += c->e[i].n;
	pthread_mutex_unlock(&c->lock);
	return total;
}

char *
tlsplug__sess_cache_key(const char *server_name, const char *peer)
{
	size_t a, b;
	char *k;

	if (server_name == NULL)
		return NULL;
	a = strlen(server_name);
	b = peer != NULL ? strlen(peer) : 0;
	k = tlsplug__malloc(a + b + 2);
	if (k == NULL)
		return NULL;
	memcpy(k, server_name, a);
	k[a] = '\n';   /* never in a host name */
	if (b > 0)
		memcpy(k + a + 1, peer, b);
	k[a + 1 + b] = '\0';
	return k;
}
