/*
 * session.c -- resumable sessions: the object, its serialised form
 * (doc/SESSIONS.md), and what a connection does with them (the engine's
 * new sessions through core->session_ready, tlsplug_conn_set_session, the
 * cache offer before a client's handshake).
 *
 * The serialised form is an envelope around the engine's own bytes; every
 * field is checked before anything is trusted, and a CRC-32 over the whole
 * catches accidental corruption and truncation.  It is not a MAC: the
 * bytes are as secret as a key and are to be stored like one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "session.h"

/* ---- helpers ------------------------------------------------------- */

uint32_t
tlsplug__crc32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xFFFFFFFFu;
}

uint64_t
tlsplug__now(void)
{
	time_t t = time(NULL);

	return t < 0 ? 0 : (uint64_t)t;
}

static void
put_be(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
}

static uint64_t
get_be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- the object ------------------------------------------------------ */

struct tlsplug_session *
tlsplug__session_new(const char *backend, const char *server_name,
                     const unsigned char *data, size_t len,
                     uint32_t lifetime, bool single_use, uint8_t version,
                     uint64_t config_hash, uint64_t created)
{
	struct tlsplug_session *s;
	size_t blen = strlen(backend);

	if (blen >= sizeof(s->backend) || len == 0 ||
	    len > TLSPLUG__SESSION_DATA_MAX)
		return NULL;
	s = tlsplug__calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	memcpy(s->backend, backend, blen + 1);
	s->data = tlsplug__malloc(len);
	if (s->data == NULL)
		goto fail;
	memcpy(s->data, data, len);
	s->len = len;
	if (server_name != NULL) {
		s->server_name = tlsplug__strdup(server_name);
		if (s->server_name == NULL)
			goto fail;
	}
	s->single_use = single_use;
	s->version = version;
	s->lifetime = lifetime;
	s->config_hash = config_hash;
	s->created = created;
	atomic_init(&s->refs, 1);
	return s;
fail:
	tlsplug__free(s->data);
	tlsplug__free(s);
	return NULL;
}

bool
tlsplug__session_expired(const struct tlsplug_session *s, uint64_t now)
{
	return s->lifetime != 0 && now >= s->created + s->lifetime;
}

struct tlsplug_session *
tlsplug_session_ref(struct tlsplug_session *s)
{
	if (s != NULL)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void
tlsplug_session_unref(struct tlsplug_session *s)
{
	if (s == NULL ||
	    atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* The engine's bytes hold the session's secrets. */
	memset(s->data, 0, s->len);
	tlsplug__free(s->data);
	tlsplug__free(s->server_name);
	tlsplug__free(s);
}

const char *
tlsplug_session_backend(const struct tlsplug_session *s)
{
	return s == NULL ? NULL : s->backend;
}

const char *
tlsplug_session_server_name(const struct tlsplug_session *s)
{
	return s == NULL ? NULL : s->server_name;
}

enum tlsplug_version
tlsplug_session_version(const struct tlsplug_session *s)
{
	return s == NULL ? TLSPLUG_VERSION_NONE :
	    (enum tlsplug_version)s->version;
}

uint64_t
tlsplug_session_expires(const struct tlsplug_session *s)
{
	return s == NULL || s->lifetime == 0 ? 0 : s->created + s->lifetime;
}

/* ---- serialised form ------------------------------------------------ */

/* Fixed bytes around the variable fields: magic, format, name length,
 * flags, version, created, lifetime, config hash, server name length,
 * data length, CRC. */
#define FIXED_LEN (TLSPLUG__SESSION_MAGIC_LEN + 1 + 1 + 1 + 1 + 8 + 4 + 8 + \
                   2 + 4 + 4)

int
tlsplug_session_serialize(const struct tlsplug_session *s, void *buf,
                          size_t size, size_t *len)
{
	size_t blen, nlen, need, pos = 0;
	unsigned char *p = buf;

	if (s == NULL || len == NULL)
		return TLSPLUG_ERR_MISUSE;
	blen = strlen(s->backend);
	nlen = s->server_name != NULL ? strlen(s->server_name) : 0;
	need = FIXED_LEN + blen + nlen + s->len;
	*len = need;
	if (buf == NULL || size < need)
		return TLSPLUG_ERR_INVALID;
	memcpy(p, TLSPLUG__SESSION_MAGIC, TLSPLUG__SESSION_MAGIC_LEN);
	pos += TLSPLUG__SESSION_MAGIC_LEN;
	p[pos++] = TLSPLUG__SESSION_FORMAT;
	p[pos++] = (unsigned char)blen;
	memcpy(p + pos, s->backend, blen);
	pos += blen;
	p[pos++] = s->single_use ? 1 : 0;
	p[pos++] = s->version;
	put_be(p + pos, s->created, 8);
	pos += 8;
	put_be(p + pos, s->lifetime, 4);
	pos += 4;
	put_be(p + pos, s->config_hash, 8);
	pos += 8;
	put_be(p + pos, nlen, 2);
	pos += 2;
	if (nlen > 0)
		memcpy(p + pos, s->server_name, nlen);
	pos += nlen;
	put_be(p + pos, s->len, 4);
	pos += 4;
	memcpy(p + pos, s->data, s->len);
	pos += s->len;
	put_be(p + pos, tlsplug__crc32(p, pos), 4);
	return TLSPLUG_OK;
}

/* A reader over the serialised bytes: each take names the field, so a
 * truncated input says where it ends. */
struct reader {
	const unsigned char *p;
	size_t len, pos;
	const char *missing;   /* the first field that did not fit */
};

static const unsigned char *
take(struct reader *r, size_t n, const char *field)
{
	const unsigned char *at;

	if (r->missing != NULL)
		return NULL;
	if (r->len - r->pos < n) {
		r->missing = field;
		return NULL;
	}
	at = r->p + r->pos;
	r->pos += n;
	return at;
}

static bool
name_ok(const unsigned char *s, size_t len, bool host)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')
			continue;
		/* Host names: A-labels, dots, IP literals (':'). */
		if (host && ((c >= 'A' && c <= 'Z') || c == '.' || c == ':'))
			continue;
		return false;
	}
	return true;
}

#define BAD(...) tlsplug__error_set(e, TLSPLUG_ERR_INVALID, __VA_ARGS__)

/* Parses and checks; on success *out is a new session. */
static int
parse(const unsigned char *data, size_t len, const char *what,
      struct tlsplug_session **out, struct tlsplug_error *e)
{
	struct reader r = { .p = data, .len = len };
	const unsigned char *magic, *f, *bname, *flags, *ver, *t, *life,
	    *hash, *nl, *name = NULL, *dl, *blob, *crc;
	size_t blen, nlen, dlen;
	char backend[TLSPLUG_BACKEND_NAME_MAX];
	char host[TLSPLUG__SESSION_NAME_MAX + 1];

	if (len < TLSPLUG__SESSION_MAGIC_LEN ||
	    memcmp(data, TLSPLUG__SESSION_MAGIC,
	           TLSPLUG__SESSION_MAGIC_LEN) != 0)
		return BAD("%s: not a tlsplug session (it does not start "
		           "with \"%s\")", what, TLSPLUG__SESSION_MAGIC);
	magic = take(&r, TLSPLUG__SESSION_MAGIC_LEN, "magic");
	(void)magic;
	f = take(&r, 1, "format version");
	if (f != NULL && *f != TLSPLUG__SESSION_FORMAT)
		return BAD("%s: session format %u is not supported (this "
		           "library reads format %u)", what, (unsigned)*f,
		           (unsigned)TLSPLUG__SESSION_FORMAT);
	bname = NULL;
	f = take(&r, 1, "backend name length");
	blen = f != NULL ? *f : 0;
	if (f != NULL && (blen == 0 || blen >= sizeof(backend)))
		return BAD("%s: bad backend name length %zu", what, blen);
	if (f != NULL)
		bname = take(&r, blen, "backend name");
	if (bname != NULL && !name_ok(bname, blen, false))
		return BAD("%s: bad backend name", what);
	flags = take(&r, 1, "flags");
	if (flags != NULL && (*flags & ~1u) != 0)
		return BAD("%s: unknown flags 0x%02x", what, (unsigned)*flags);
	ver = take(&r, 1, "TLS version");
	if (ver != NULL && *ver > TLSPLUG_VERSION_TLSv1_3)
		return BAD("%s: bad TLS version %u", what, (unsigned)*ver);
	t = take(&r, 8, "creation time");
	life = take(&r, 4, "lifetime");
	hash = take(&r, 8, "config hash");
	nl = take(&r, 2, "server name length");
	nlen = nl != NULL ? (size_t)get_be(nl, 2) : 0;
	if (nlen > TLSPLUG__SESSION_NAME_MAX)
		return BAD("%s: server name length %zu is too long", what,
		           nlen);
	if (nl != NULL && nlen > 0)
		name = take(&r, nlen, "server name");
	if (name != NULL && !name_ok(name, nlen, true))
		return BAD("%s: bad server name", what);
	dl = take(&r, 4, "engine data length");
	dlen = dl != NULL ? (size_t)get_be(dl, 4) : 0;
	if (dl != NULL && (dlen == 0 || dlen > TLSPLUG__SESSION_DATA_MAX))
		return BAD("%s: engine data length %zu out of range (1 to %u)",
		           what, dlen, TLSPLUG__SESSION_DATA_MAX);
	blob = dl != NULL ? take(&r, dlen, "engine data") : NULL;
	crc = take(&r, 4, "checksum");
	if (r.missing != NULL)
		return BAD("%s: truncated (%zu bytes end inside the %s)", what,
		           len, r.missing);
	if (r.pos != len)
		return BAD("%s: %zu unexpected bytes after the session", what,
		           len - r.pos);
	if (get_be(crc, 4) != tlsplug__crc32(data, len - 4))
		return BAD("%s: checksum mismatch (the session is corrupt)",
		           what);
	memcpy(backend, bname, blen);
	backend[blen] = '\0';
	if (nlen > 0) {
		memcpy(host, name, nlen);
		host[nlen] = '\0';
	}
	*out = tlsplug__session_new(backend, nlen > 0 ? host : NULL, blob,
	    dlen, (uint32_t)get_be(life, 4), (*flags & 1u) != 0, *ver,
	    get_be(hash, 8), get_be(t, 8));
	if (*out == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "%s: out of memory", what);
	return TLSPLUG_OK;
}

#undef BAD

int
tlsplug_session_deserialize(const void *data, size_t len,
                            struct tlsplug_session **out,
                            struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };

	if (out == NULL || (data == NULL && len > 0))
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "session_deserialize: out is NULL, or data NULL with "
		    "length %zu", len);
	*out = NULL;
	if (parse(data, len, "serialised session", out, &e) != TLSPLUG_OK)
		return tlsplug__error_export(&e, err);
	return TLSPLUG_OK;
}

int
tlsplug_session_from_file(const char *path, struct tlsplug_session **out,
                          struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	unsigned char *buf = NULL;
	size_t len = 0;
	char what[512];
	int rc;

	if (path == NULL || out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "session_from_file: path or out is NULL");
	*out = NULL;
	rc = tlsplug__read_file(path, TLSPLUG__SESSION_DATA_MAX + 1024, &buf,
	                        &len);
	if (rc == ENOMEM)
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	if (rc != 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_IO,
		    "session file %s: %s", path,
		    rc == EFBIG ? "too large to be a session" : strerror(rc));
	snprintf(what, sizeof(what), "session file %s", path);
	rc = parse(buf, len, what, out, &e);
	memset(buf, 0, len);
	tlsplug__free(buf);
	if (rc != TLSPLUG_OK)
		return tlsplug__error_export(&e, err);
	return TLSPLUG_OK;
}

int
tlsplug_session_to_file(const struct tlsplug_session *s, const char *path,
                        struct tlsplug_error **err)
{
	unsigned char *buf;
	char *tmp;
	size_t len = 0, plen;
	int fd, rc = TLSPLUG_OK, saved;
	ssize_t n = 0;

	if (s == NULL || path == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "session_to_file: session or path is NULL");
	(void)tlsplug_session_serialize(s, NULL, 0, &len);
	plen = strlen(path);
	buf = tlsplug__malloc(len);
	tmp = tlsplug__malloc(plen + 16);
	if (buf == NULL || tmp == NULL) {
		tlsplug__free(buf);
		tlsplug__free(tmp);
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	}
	(void)tlsplug_session_serialize(s, buf, len, &len);
	snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid() % 100000);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	          0600);
	if (fd >= 0) {
		size_t off = 0;

		while (off < len) {
			n = write(fd, buf + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		saved = errno;
		if (close(fd) != 0 && off == len) {
			off = 0;
			saved = errno;
		}
		if (off < len || rename(tmp, path) != 0) {
			if (off == len)
				saved = errno;
			(void)unlink(tmp);
			rc = tlsplug__error_out(err, TLSPLUG_ERR_IO,
			    "session file %s: cannot write: %s", path,
			    strerror(saved != 0 ? saved : EIO));
		}
	} else {
		rc = tlsplug__error_out(err, TLSPLUG_ERR_IO,
		    "session file %s: cannot create %s: %s", path, tmp,
		    strerror(errno));
	}
	memset(buf, 0, len);
	tlsplug__free(buf);
	tlsplug__free(tmp);
	return rc;
}

/* ---- connections ---------------------------------------------------- */

static bool
has_sessions(const struct tlsplug__conn_parts *p)
{
	return (p->desc->caps & TLSPLUG_CAP_SESSIONS) &&
	    TLSPLUG_OPS_HAS(p->desc, conn, 1, set_session) &&
	    TLSPLUG_OPS_HAS(p->desc, conn, 1, resumed);
}

static bool
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Hands s's bytes to the engine; e gets the engine's error. */
static int
give(const struct tlsplug__conn_parts *p, const struct tlsplug_session *s,
     struct tlsplug_error *e)
{
	int rc = p->desc->conn->set_session(p->priv, s->data, s->len, e);

	if (rc != TLSPLUG_OK && e->code == TLSPLUG_OK)
		tlsplug__error_set_owner(e, TLSPLUG_ERR_INVALID,
		    0, "the engine cannot use the session's bytes");
	return rc == TLSPLUG_OK ? TLSPLUG_OK : e->code;
}

int
tlsplug_conn_set_session(struct tlsplug_conn *conn,
                         const struct tlsplug_session *s)
{
	struct tlsplug__conn_parts p;
	struct tlsplug_error e = { .alert = -1 };
	const char *mine;
	int rc;

	if (conn == NULL)
		return TLSPLUG_ERR_MISUSE;
	tlsplug__conn_parts(conn, &p);
	e.owner = tlsplug_backend_name(tlsplug_context_backend(p.ctx));
	mine = e.owner;
	if (s == NULL)
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_MISUSE,
		    "set_session: the session is NULL");
	else if (tlsplug_context_role(p.ctx) != TLSPLUG_CLIENT)
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_MISUSE,
		    "set_session: sessions are set on client connections");
	else if (p.sess->started)
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_MISUSE,
		    "set_session: the handshake has started");
	else if (!has_sessions(&p))
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support session resumption", mine);
	else if (strcmp(s->backend, mine) != 0)
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_INVALID,
		    "the session was made by backend %s (session format "
		    "%u); this connection uses backend %s", s->backend,
		    (unsigned)TLSPLUG__SESSION_FORMAT, mine);
	else if (!same_text(s->server_name, p.hostname))
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_INVALID,
		    "the session is for server %s, not %s",
		    s->server_name != NULL ? s->server_name : "(no name)",
		    p.hostname != NULL ? p.hostname : "(no name)");
	else if (s->config_hash !=
	         tlsplug_config_hash(tlsplug_context_config(p.ctx)))
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_INVALID,
		    "the session was made with another config (settings "
		    "differ from this context's)");
	else if (tlsplug__session_expired(s, tlsplug__now()))
		rc = tlsplug__error_set(&e, TLSPLUG_ERR_INVALID,
		    "the session has expired");
	else
		rc = give(&p, s, &e);
	/* Set or refused, the application chose: the cache is not asked
	 * for another session. */
	if (rc == TLSPLUG_OK || rc == TLSPLUG_ERR_INVALID) {
		p.sess->explicit_set = true;
		if (rc == TLSPLUG_OK)
			return TLSPLUG_OK;
	}
	return tlsplug__conn_note_error(conn, &e);
}

void
tlsplug__session_before_handshake(struct tlsplug_conn *conn)
{
	struct tlsplug__conn_parts p;
	struct tlsplug__ctx_sess *cs;
	struct tlsplug_session *s;
	struct tlsplug_error e = { .alert = -1 };
	char *key;

	tlsplug__conn_parts(conn, &p);
	if (p.sess->started)
		return;
	p.sess->started = true;
	cs = tlsplug__context_sess(p.ctx);
	if (p.sess->explicit_set || cs->cache == NULL || !has_sessions(&p))
		return;
	key = tlsplug__sess_cache_key(p.hostname, p.sess->peer);
	if (key == NULL)
		return;
	/* The cache holds only this context's sessions, hence its config's;
	 * the key is the server name (and address).  A session the engine
	 * refuses is dropped: the handshake goes on in full. */
	s = tlsplug__sess_cache_take(cs->cache, key, tlsplug__now());
	tlsplug__free(key);
	if (s != NULL)
		(void)give(&p, s, &e);
	tlsplug_session_unref(s);
}

/* Adds s to the context's cache, under the connection's server name and
 * peer address. */
static int
cache_put(const struct tlsplug__conn_parts *p, struct tlsplug_session *s)
{
	struct tlsplug__ctx_sess *cs = tlsplug__context_sess(p->ctx);
	char *key;
	int rc = TLSPLUG_OK;

	if (cs->cache == NULL)
		return TLSPLUG_OK;
	key = tlsplug__sess_cache_key(p->hostname, p->sess->peer);
	if (key != NULL)
		rc = tlsplug__sess_cache_put(cs->cache, key, s);
	tlsplug__free(key);
	return rc;
}

/* True when the plugin gives its session on demand (conn_ops.get_session),
 * so connections keep only what session_ready said of it. */
static bool
engine_keeps(const struct tlsplug__conn_parts *p)
{
	return TLSPLUG_OPS_HAS(p->desc, conn, 1, get_session);
}

/* A session object from bytes, with what session_ready said of them. */
static struct tlsplug_session *
make(const struct tlsplug__conn_parts *p, const unsigned char *data,
     size_t len)
{
	const struct tlsplug__conn_sess *cs = p->sess;

	return tlsplug__session_new(
	    tlsplug_backend_name(tlsplug_context_backend(p->ctx)),
	    p->hostname, data, len, cs->lifetime, cs->single_use,
	    cs->version, tlsplug_config_hash(tlsplug_context_config(p->ctx)),
	    cs->created);
}

/* The engine's current session (conn_ops.get_session), or NULL. */
static struct tlsplug_session *
from_engine(const struct tlsplug__conn_parts *p)
{
	unsigned char stack[2048], *buf = stack;
	struct tlsplug_session *s = NULL;
	size_t size = sizeof(stack);
	ssize_t n;

	n = p->desc->conn->get_session(p->priv, buf, size);
	if (n > (ssize_t)size && (size_t)n <= TLSPLUG__SESSION_DATA_MAX) {
		size = (size_t)n;
		buf = tlsplug__malloc(size);
		if (buf == NULL)
			return NULL;
		n = p->desc->conn->get_session(p->priv, buf, size);
	}
	if (n > 0 && (size_t)n <= size) {
		s = make(p, buf, (size_t)n);
		memset(buf, 0, (size_t)n);   /* the session's secrets */
	}
	if (buf != stack)
		tlsplug__free(buf);
	return s;
}

/* The connection's session as of now: the engine's, or the copy kept. */
static struct tlsplug_session *
current(const struct tlsplug__conn_parts *p)
{
	if (!p->sess->have)
		return NULL;
	if (engine_keeps(p))
		return from_engine(p);
	return tlsplug_session_ref(p->sess->latest);
}

int
tlsplug__session_ready(struct tlsplug_conn *conn, const unsigned char *data,
                       size_t len, uint32_t lifetime, int single_use)
{
	struct tlsplug__conn_parts p;
	struct tlsplug_session *s;
	int rc;

	if (conn == NULL || data == NULL || len == 0 ||
	    len > TLSPLUG__SESSION_DATA_MAX)
		return TLSPLUG_ERR_INVALID;
	tlsplug__conn_parts(conn, &p);
	if (tlsplug_context_role(p.ctx) != TLSPLUG_CLIENT)
		return TLSPLUG_ERR_INVALID;
	if (lifetime > TLSPLUG__TICKET_LIFETIME_MAX)
		lifetime = TLSPLUG__TICKET_LIFETIME_MAX;
	p.sess->have = true;
	p.sess->lifetime = lifetime;
	p.sess->single_use = single_use != 0;
	p.sess->created = tlsplug__now();
	/* A session made inside the handshake (TLS 1.2) gets its version
	 * and enters the cache once the handshake is done. */
	p.sess->pending = !p.handshake_done;
	if (engine_keeps(&p) &&
	    (p.sess->pending || tlsplug__context_sess(p.ctx)->cache == NULL))
		return TLSPLUG_OK;
	s = make(&p, data, len);
	if (s == NULL)
		return TLSPLUG_ERR_NOMEM;
	if (!engine_keeps(&p)) {
		tlsplug_session_unref(p.sess->latest);
		p.sess->latest = tlsplug_session_ref(s);
	}
	rc = p.sess->pending ? TLSPLUG_OK : cache_put(&p, s);
	tlsplug_session_unref(s);
	return rc;
}

void
tlsplug__session_handshake_done(struct tlsplug_conn *conn)
{
	struct tlsplug__conn_parts p;
	struct tlsplug_session *s;

	tlsplug__conn_parts(conn, &p);
	/* Engines may not say while they read post-handshake messages. */
	p.sess->version = (uint8_t)tlsplug_conn_version(conn);
	if (p.sess->version > TLSPLUG_VERSION_TLSv1_3)
		p.sess->version = 0;
	if (!p.sess->pending)
		return;
	p.sess->pending = false;
	if (p.sess->latest != NULL)
		p.sess->latest->version = p.sess->version;
	if (tlsplug__context_sess(p.ctx)->cache == NULL)
		return;
	s = current(&p);
	if (s != NULL)
		(void)cache_put(&p, s);
	tlsplug_session_unref(s);
}

struct tlsplug_session *
tlsplug_conn_session(struct tlsplug_conn *conn)
{
	struct tlsplug__conn_parts p;

	if (conn == NULL)
		return NULL;
	tlsplug__conn_parts(conn, &p);
	if (!p.handshake_done)
		return NULL;
	return current(&p);
}

int
tlsplug_conn_resumed(const struct tlsplug_conn *conn)
{
	struct tlsplug__conn_parts p;

	if (conn == NULL)
		return 0;
	tlsplug__conn_parts((struct tlsplug_conn *)conn, &p);
	if (!p.handshake_done || !has_sessions(&p))
		return 0;
	return p.desc->conn->resumed(p.priv) ? 1 : 0;
}

void
tlsplug__conn_sess_fini(struct tlsplug__conn_sess *s)
{
	tlsplug_session_unref(s->latest);
	tlsplug__free(s->peer);
	memset(s, 0, sizeof(*s));
}

void
tlsplug__session_peer_from_fd(struct tlsplug_conn *conn, int fd)
{
	struct tlsplug__conn_parts p;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV], text[NI_MAXHOST + NI_MAXSERV];

	tlsplug__conn_parts(conn, &p);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	snprintf(text, sizeof(text), "%s %s", host, serv);
	tlsplug__free(p.sess->peer);
	p.sess->peer = tlsplug__strdup(text);
}
