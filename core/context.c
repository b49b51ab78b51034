/*
 * context.c -- PEP 543 ClientContext / ServerContext: a backend, a role and
 * a config, turned into an engine context by the plugin.
 *
 * Before the plugin sees a config, the core refuses every setting the
 * backend's capabilities do not declare, so a backend never silently ignores
 * one.  The context also serves the server's ClientHello (select_server):
 * it runs the SNI callback, picks the certificate chain for the client's
 * server name, and keeps one plugin context per distinct
 * (tlsplug_config_equal) config the callback returned, built once under the
 * context's lock and shared read-only by every connection after that.
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "internal.h"
#include "peer.h"
#include "session.h"
#include "policy.h"
#include "revocation.h"
#include "registry.h"

/* One distinct (tlsplug_config_equal) config an SNI callback returned. */
struct sni_slot {
	struct tlsplug_config *config;
	/* ABI 1.0 plugins (sni_select): the plugin's own cache, released by
	 * context_ops.release_slot. */
	void *value;
	/* ABI 1.1 plugins (select_server): the plugin context the core built
	 * from config with context_ops.init, released with fini; bcfg is
	 * the view it was built from (config's, with the context's default
	 * groups and signature algorithms). */
	void *priv;
	struct tlsplug_bconfig bcfg;
	/* bcfg's ciphers and groups when the system policy chose them */
	uint16_t *policy_ciphers;
	uint16_t *policy_groups;
};

struct tlsplug_context {
	atomic_size_t refs;
	const struct tlsplug_backend *backend;
	const struct tlsplug_context_ops *ops;
	enum tlsplug_role role;
	struct tlsplug_config *config;
	/* The view the plugin got, with verify_peer set for the role and the
	 * system policy's floor applied. */
	struct tlsplug_bconfig bcfg;
	const struct tlsplug_policy *policy;   /* the registry's, or NULL */
	uint16_t *policy_ciphers;  /* bcfg.ciphers when the policy chose */
	uint16_t *policy_groups;   /* bcfg.groups when the policy chose */
	void *priv;
	struct tlsplug_error error;
	pthread_mutex_t lock;     /* protects the slot table and its slots */
	struct sni_slot **slots;  /* pointers, so slot addresses stay put */
	size_t nslots;
	size_t slots_cap;
	/* Key log destinations (NULL: off) and why a file would not open. */
	struct tlsplug__keylog *keylog;
	struct tlsplug_error keylog_error;
	/* Groups and signature algorithms from the configuration files, for
	 * configs that set none (bcfg and the SNI configs' views). */
	struct tlsplug__key_defaults keydef;
	struct tlsplug__ctx_sess sess;   /* cache, key file (session_config.c) */
};

static const char *
role_name(enum tlsplug_role role)
{
	return role == TLSPLUG_CLIENT ? "client" : "server";
}

/* TLS versions and the capability bit that declares each. */
static const struct {
	enum tlsplug_version v;
	uint64_t cap;
} version_caps[] = {
	{ TLSPLUG_VERSION_TLSv1, TLSPLUG_CAP_TLS1_0 },
	{ TLSPLUG_VERSION_TLSv1_1, TLSPLUG_CAP_TLS1_1 },
	{ TLSPLUG_VERSION_TLSv1_2, TLSPLUG_CAP_TLS1_2 },
	{ TLSPLUG_VERSION_TLSv1_3, TLSPLUG_CAP_TLS1_3 },
};

/*
 * Refuses (TLSPLUG_ERR_UNSUPPORTED, naming the setting and the backend)
 * what the backend does not declare it can do for role, and a server config
 * without any certificate.  Records into e; returns the status.
 */
static int
check_config(const struct tlsplug_backend *b, enum tlsplug_role role,
             const struct tlsplug_config *config, struct tlsplug_error *e)
{
	const struct tlsplug_backend_descriptor *d = b->d;
	const struct tlsplug_bconfig *v = tlsplug__config_bview(config);
	const char *name = b->name;
	uint64_t caps = d->caps;
	enum tlsplug_version lo, hi;
	int any = 0, rc;

	if (role == TLSPLUG_CLIENT ?
	    d->client_context == NULL || !(caps & TLSPLUG_CAP_CLIENT) :
	    d->server_context == NULL || !(caps & TLSPLUG_CAP_SERVER))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support the %s role", name,
		    role_name(role));
	if (!v->validate && !(caps & TLSPLUG_CAP_NO_VALIDATION))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s cannot turn certificate validation off "
		    "(insecure_no_validation)", name);
	if (v->nalpn > 0 && !(caps & TLSPLUG_CAP_ALPN))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support ALPN (inner protocols)", name);
	if (role == TLSPLUG_SERVER && v->has_sni_callback &&
	    !(caps & TLSPLUG_CAP_SNI_CALLBACK))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support an SNI callback", name);

	lo = v->min_version == TLSPLUG_VERSION_MINIMUM_SUPPORTED ?
	    TLSPLUG_VERSION_SSLv2 : v->min_version;
	hi = v->max_version == TLSPLUG_VERSION_MAXIMUM_SUPPORTED ?
	    TLSPLUG_VERSION_TLSv1_3 : v->max_version;
	for (size_t i = 0; i < sizeof(version_caps) / sizeof(version_caps[0]);
	     i++)
		if (version_caps[i].v >= lo && version_caps[i].v <= hi &&
		    (caps & version_caps[i].cap))
			any = 1;
	if (!any)
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s supports no TLS version from %s to %s "
		    "(version bounds)", name,
		    tlsplug_version_name(v->min_version),
		    tlsplug_version_name(v->max_version));

	if (role == TLSPLUG_CLIENT && v->nchains > 0 &&
	    !(caps & TLSPLUG_CAP_CLIENT_CERT))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support client certificates "
		    "(certificate chain in a client config)", name);
	if (role == TLSPLUG_SERVER && v->verify_peer &&
	    !(caps & TLSPLUG_CAP_CLIENT_CERT))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s cannot verify client certificates "
		    "(client certificate mode \"%s\")", name,
		    tlsplug_client_cert_mode_name(v->client_cert));
	if (role == TLSPLUG_CLIENT && v->validate && v->trust->system &&
	    !(caps & TLSPLUG_CAP_SYSTEM_TRUST))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s has no system trust store (set a trust "
		    "store)", name);
	if (tlsplug__config_needs_key_password(config) &&
	    !(caps & TLSPLUG_CAP_KEY_PASSWORD))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support encrypted private keys", name);
	if (role == TLSPLUG_SERVER && v->nchains > 1 &&
	    !(caps & TLSPLUG_CAP_MULTI_CHAIN))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support several certificate chains "
		    "(%zu configured)", name, v->nchains);
	if (tlsplug__revocation_check_caps(b, role, v, e) != TLSPLUG_OK)
		return e->code;
	rc = tlsplug__ident_check_caps(b, role, config, e);
	if (rc != TLSPLUG_OK)
		return rc;
	if (role == TLSPLUG_SERVER && v->nchains == 0 && !v->has_sni_callback)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "a server config needs a certificate chain");
	return tlsplug__check_key_settings(b, config, v, e);
}

static const struct tlsplug_backend *
usable_backend(const struct tlsplug_backend *b, struct tlsplug_error *e)
{
	const char *why;

	/* A record listed but not opened yet: open it now.  The state is
	 * read under the registry's lock (tlsplug_backend_state), as
	 * another thread may be opening the same record. */
	if (tlsplug_backend_state(b) == TLSPLUG_BACKEND_FOUND &&
	    b->registry != NULL && b->name != NULL) {
		const struct tlsplug_backend *found =
		    tlsplug_registry_find(b->registry, b->name);

		if (found != NULL)
			b = found;
	}
	if (tlsplug_backend_state(b) != TLSPLUG_BACKEND_OK || b->d == NULL ||
	    b->d->conn == NULL) {
		why = tlsplug_backend_reject_reason(b);
		tlsplug__error_set(e, TLSPLUG_ERR_PLUGIN,
		    "backend %s is not usable: %s",
		    b->name != NULL ? b->name : "(unnamed)",
		    why != NULL ? why : "not loaded");
		return NULL;
	}
	return b;
}

int
tlsplug_context_new(const struct tlsplug_backend *b, enum tlsplug_role role,
                    struct tlsplug_config *config,
                    struct tlsplug_context **out, struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	struct tlsplug__key_defaults kd;
	struct tlsplug_context *ctx;
	int rc;

	if (out == NULL || config == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "context_new: config or out is NULL");
	*out = NULL;
	if (role != TLSPLUG_CLIENT && role != TLSPLUG_SERVER)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "context_new: role %d is neither client nor server",
		    (int)role);
	if (b == NULL) {
		struct tlsplug_registry *r = tlsplug_registry_default();

		if (r == NULL)
			return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
			    "out of memory creating the backend registry");
		/* The error is copied under the registry's lock: other
		 * threads may be choosing from the default registry too. */
		rc = tlsplug__registry_choose_err(r, &b, err);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	b = usable_backend(b, &e);
	if (b == NULL)
		return tlsplug__error_export(&e, err);
	rc = check_config(b, role, config, &e);
	if (rc == TLSPLUG_OK)
		rc = tlsplug__key_defaults_load(b, tlsplug__config_bview(config),
		                                &kd, &e);
	if (rc != TLSPLUG_OK)
		return tlsplug__error_export(&e, err);

	ctx = tlsplug__calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		tlsplug__key_defaults_free(&kd);
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	}
	/* calloc memory is aligned for any type, as backend.h promises. */
	ctx->priv = tlsplug__calloc(1, b->d->ctx_priv_size);
	if (ctx->priv == NULL ||
	    pthread_mutex_init(&ctx->lock, NULL) != 0) {
		tlsplug__key_defaults_free(&kd);
		tlsplug__free(ctx->priv);
		tlsplug__free(ctx);
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	}
	atomic_init(&ctx->refs, 1);
	ctx->backend = b;
	ctx->role = role;
	ctx->ops = role == TLSPLUG_CLIENT ? b->d->client_context :
	    b->d->server_context;
	ctx->config = tlsplug_config_ref(config);
	ctx->bcfg = *tlsplug__config_bview(config);
	if (role == TLSPLUG_CLIENT)
		ctx->bcfg.verify_peer = ctx->bcfg.validate;
	tlsplug__alpn_mismatch_resolve(b->registry, &ctx->bcfg);
	ctx->bcfg.keylog = tlsplug__keylog_wanted(config,
	    (b->d->caps & TLSPLUG_CAP_KEYLOG) != 0);
	ctx->keydef = kd;
	tlsplug__key_defaults_apply(&ctx->keydef, &ctx->bcfg);
	tlsplug__error_clear(&ctx->error);
	ctx->error.owner = b->name;
	ctx->policy = b->registry != NULL ?
	    tlsplug_registry_policy(b->registry) : NULL;
	rc = tlsplug__policy_apply(ctx->policy, b, role, config, &ctx->bcfg,
	                           &ctx->policy_ciphers, &e);
	/* The view has its groups now (the config's, else the files'
	 * defaults): the policy's allowed groups apply to them. */
	if (rc == TLSPLUG_OK)
		rc = tlsplug__policy_view_groups(ctx->policy, b, &ctx->bcfg,
		                                 &ctx->policy_groups, &e);
	if (rc != TLSPLUG_OK) {
		tlsplug__free(ctx->policy_ciphers);
		tlsplug__key_defaults_free(&ctx->keydef);
		tlsplug_config_unref(ctx->config);
		pthread_mutex_destroy(&ctx->lock);
		tlsplug__free(ctx->priv);
		tlsplug__free(ctx);
		return tlsplug__error_export(&e, err);
	}
	tlsplug__error_clear(&ctx->keylog_error);

	rc = tlsplug__ctx_sess_setup(b, role, config, &ctx->bcfg, &ctx->sess,
	                             &ctx->error);
	if (rc == TLSPLUG_OK)
		rc = ctx->ops->init(ctx->priv, role, &ctx->bcfg, &ctx->error);
	if (rc != TLSPLUG_OK) {
		if (rc > 0 || ctx->error.code == TLSPLUG_OK) {
			/* The plugin broke the contract: say so. */
			tlsplug__error_set(&ctx->error, rc < 0 ? rc :
			    TLSPLUG_ERR_BACKEND, "%s: context init failed (%s)",
			    b->name, tlsplug_status_name(rc));
		}
		tlsplug__error_export(&ctx->error, err);
		rc = ctx->error.code;
		/* init cleans up after itself when it fails: no fini. */
		tlsplug__ctx_sess_fini(&ctx->sess);
		tlsplug_config_unref(ctx->config);
		tlsplug__key_defaults_free(&ctx->keydef);
		pthread_mutex_destroy(&ctx->lock);
		tlsplug__free(ctx->policy_ciphers);
		tlsplug__free(ctx->policy_groups);
		tlsplug__free(ctx->priv);
		tlsplug__free(ctx);
		return rc;
	}
	/* After init: a context that fails opens no key log file. */
	tlsplug__keylog_open(config, (b->d->caps & TLSPLUG_CAP_KEYLOG) != 0,
	                     &ctx->keylog, &ctx->keylog_error);
	*out = ctx;
	return TLSPLUG_OK;
}

struct tlsplug_context *
tlsplug_context_ref(struct tlsplug_context *ctx)
{
	if (ctx != NULL)
		atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
	return ctx;
}

void
tlsplug_context_unref(struct tlsplug_context *ctx)
{
	if (ctx == NULL ||
	    atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < ctx->nslots; i++) {
		struct sni_slot *s = ctx->slots[i];

		if (s->value != NULL && ctx->ops->release_slot != NULL)
			ctx->ops->release_slot(ctx->priv, s->value);
		if (s->priv != NULL) {
			ctx->ops->fini(s->priv);
			tlsplug__free(s->priv);
		}
		tlsplug_config_unref(s->config);
		tlsplug__free(s->policy_ciphers);
		tlsplug__free(s->policy_groups);
		tlsplug__free(s);
	}
	tlsplug__free(ctx->slots);
	tlsplug__keylog_close(ctx->keylog);
	ctx->ops->fini(ctx->priv);
	tlsplug__key_defaults_free(&ctx->keydef);
	tlsplug__free(ctx->priv);
	tlsplug__ctx_sess_fini(&ctx->sess);
	tlsplug__free(ctx->policy_ciphers);
	tlsplug__free(ctx->policy_groups);
	tlsplug_config_unref(ctx->config);
	pthread_mutex_destroy(&ctx->lock);
	tlsplug__free(ctx);
}

const struct tlsplug_backend *
tlsplug_context_backend(const struct tlsplug_context *ctx)
{
	return ctx == NULL ? NULL : ctx->backend;
}

struct tlsplug_config *
tlsplug_context_config(const struct tlsplug_context *ctx)
{
	return ctx == NULL ? NULL : ctx->config;
}

enum tlsplug_role
tlsplug_context_role(const struct tlsplug_context *ctx)
{
	return ctx == NULL ? (enum tlsplug_role)0 : ctx->role;
}

const struct tlsplug_error *
tlsplug_context_keylog_error(const struct tlsplug_context *ctx)
{
	if (ctx == NULL || ctx->keylog_error.code == TLSPLUG_OK)
		return NULL;
	return &ctx->keylog_error;
}

struct tlsplug__keylog *
tlsplug__context_keylog(const struct tlsplug_context *ctx)
{
	return ctx == NULL ? NULL : ctx->keylog;
}

void *
tlsplug__context_priv(const struct tlsplug_context *ctx)
{
	return ctx->priv;
}

const struct tlsplug_bconfig *
tlsplug__context_bconfig(const struct tlsplug_context *ctx)
{
	return &ctx->bcfg;
}

const struct tlsplug_policy *
tlsplug__context_policy(const struct tlsplug_context *ctx)
{
	return ctx->policy;
}

size_t
tlsplug__context_conn_priv_size(const struct tlsplug_context *ctx)
{
	return ctx->backend->d->conn_priv_size;
}

const char *
tlsplug__context_backend_name(const struct tlsplug_context *ctx)
{
	return ctx->backend->name;
}

/* ---- SNI selection -------------------------------------------------- */

/* Finds or adds the slot for config (consuming the caller's reference).
 * Called with ctx->lock held.  Returns NULL when out of memory. */
static struct sni_slot *
slot_for_locked(struct tlsplug_context *ctx, struct tlsplug_config *config)
{
	struct sni_slot *slot;

	for (size_t i = 0; i < ctx->nslots; i++) {
		if (tlsplug_config_equal(ctx->slots[i]->config, config)) {
			tlsplug_config_unref(config);
			return ctx->slots[i];
		}
	}
	if (ctx->nslots == ctx->slots_cap) {
		size_t cap = ctx->slots_cap == 0 ? 4 : ctx->slots_cap * 2;
		struct sni_slot **s = tlsplug__realloc(ctx->slots,
		                                       cap * sizeof(*s));

		if (s == NULL)
			goto fail;
		ctx->slots = s;
		ctx->slots_cap = cap;
	}
	slot = tlsplug__calloc(1, sizeof(*slot));
	if (slot == NULL)
		goto fail;
	slot->config = config;
	ctx->slots[ctx->nslots++] = slot;
	return slot;
fail:
	tlsplug_config_unref(config);
	return NULL;
}

/*
 * Builds the plugin context for a slot's config (select_server), once:
 * under ctx->lock, so a second handshake that needs it waits rather than
 * building its own.  A failure leaves the slot empty (a later handshake
 * tries again) and is recorded in err.
 */
static int
slot_priv_locked(struct tlsplug_context *ctx, struct sni_slot *slot,
                 struct tlsplug_error *err)
{
	void *priv;
	int rc;

	if (slot->priv != NULL)
		return TLSPLUG_OK;
	priv = tlsplug__calloc(1, ctx->backend->d->ctx_priv_size);
	if (priv == NULL)
		return tlsplug__error_set(err, TLSPLUG_ERR_NOMEM,
		    "out of memory building the context for the server name "
		    "callback's config");
	slot->bcfg = *tlsplug__config_bview(slot->config);
	tlsplug__alpn_mismatch_resolve(ctx->backend->registry, &slot->bcfg);
	/* Its connections' lines go to ctx's key log. */
	slot->bcfg.keylog = ctx->bcfg.keylog;
	tlsplug__key_defaults_apply(&ctx->keydef, &slot->bcfg);
	/* The system policy holds for the callback's config too. */
	rc = tlsplug__policy_apply(ctx->policy, ctx->backend, TLSPLUG_SERVER,
	                           slot->config, &slot->bcfg,
	                           &slot->policy_ciphers, err);
	if (rc == TLSPLUG_OK)
		rc = tlsplug__policy_view_groups(ctx->policy, ctx->backend,
		                                 &slot->bcfg,
		                                 &slot->policy_groups, err);
	if (rc == TLSPLUG_OK)
		rc = ctx->ops->init(priv, TLSPLUG_SERVER, &slot->bcfg, err);
	if (rc != TLSPLUG_OK) {
		tlsplug__free(slot->policy_ciphers);
		tlsplug__free(slot->policy_groups);
		slot->policy_ciphers = slot->policy_groups = NULL;
		tlsplug__free(priv);
		if (rc > 0 || err->code == TLSPLUG_OK)
			return tlsplug__error_set(err, rc < 0 ? rc :
			    TLSPLUG_ERR_BACKEND, "%s: context init failed for "
			    "the server name callback's config (%s)",
			    ctx->backend->name, tlsplug_status_name(rc));
		return err->code;
	}
	slot->priv = priv;
	return TLSPLUG_OK;
}

/*
 * Runs the config's SNI callback for conn: *chosen gets a reference to the
 * config to continue with (the context's own when there is no callback).
 * Records the refusal or a capability the chosen config needs in err.
 */
static int
run_sni_callback(struct tlsplug_context *ctx, struct tlsplug_conn *conn,
                 const char *server_name, struct tlsplug_config **chosen,
                 struct tlsplug_error *err)
{
	tlsplug_sni_cb cb;
	void *data;
	int rc;

	*chosen = NULL;
	cb = tlsplug__config_sni_cb(ctx->config, &data);
	if (cb == NULL) {
		*chosen = tlsplug_config_ref(ctx->config);
		return TLSPLUG_OK;
	}
	*chosen = cb(conn, server_name, ctx->config, data);
	if (*chosen == NULL)
		return tlsplug__error_set(err, TLSPLUG_ERR_HANDSHAKE_REFUSED,
		    "the server name callback refused the handshake "
		    "(server name %s)",
		    server_name != NULL ? server_name : "not sent");
	if (*chosen != ctx->config) {
		rc = check_config(ctx->backend, TLSPLUG_SERVER, *chosen, err);
		if (rc != TLSPLUG_OK) {
			tlsplug_config_unref(*chosen);
			*chosen = NULL;
			return rc;
		}
	}
	return TLSPLUG_OK;
}

/* The server context's checks shared by both selection services. */
static struct tlsplug_context *
server_context_of(struct tlsplug_conn *conn, const char *what,
                  struct tlsplug_error *err)
{
	struct tlsplug_context *ctx = tlsplug_conn_context(conn);

	if (ctx == NULL) {
		tlsplug__error_set(err, TLSPLUG_ERR_MISUSE,
		                   "%s: missing connection", what);
		return NULL;
	}
	if (ctx->role != TLSPLUG_SERVER) {
		tlsplug__error_set(err, TLSPLUG_ERR_MISUSE,
		                   "%s called on a client connection", what);
		return NULL;
	}
	return ctx;
}

/* core->sni_select (ABI 1.0 plugins): the callback's config and a slot
 * where the plugin caches its own engine context for it. */
int
tlsplug__context_sni_select(struct tlsplug_conn *conn,
                            const char *server_name,
                            const struct tlsplug_bconfig **cfg, void ***slotp,
                            struct tlsplug_error *err)
{
	struct tlsplug__sni_choice choice;
	struct tlsplug_context *ctx;
	struct tlsplug_config *chosen;
	struct sni_slot *slot;
	int rc;

	if (cfg == NULL || slotp == NULL)
		return tlsplug__error_set(err, TLSPLUG_ERR_MISUSE,
		    "sni_select: missing output");
	ctx = server_context_of(conn, "sni_select", err);
	if (ctx == NULL)
		return err->code;
	/* Once per handshake, even when the engine sees a second
	 * ClientHello: the same answer as the first time. */
	if (tlsplug__conn_sni_cached(conn, server_name, &choice)) {
		*cfg = choice.cfg;
		*slotp = choice.slot;
		return TLSPLUG_OK;
	}
	rc = run_sni_callback(ctx, conn, server_name, &chosen, err);
	if (rc != TLSPLUG_OK)
		return rc;
	pthread_mutex_lock(&ctx->lock);
	slot = slot_for_locked(ctx, chosen);
	pthread_mutex_unlock(&ctx->lock);
	if (slot == NULL)
		return tlsplug__error_set(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory selecting a config");
	/* A server view: verify_peer already follows the server rule. */
	memset(&choice, 0, sizeof(choice));
	choice.cfg = slot->config == ctx->config ? &ctx->bcfg :
	    tlsplug__config_bview(slot->config);
	choice.config = slot->config;
	choice.slot = &slot->value;
	tlsplug__conn_sni_remember(conn, server_name, &choice);
	*cfg = choice.cfg;
	*slotp = choice.slot;
	return TLSPLUG_OK;
}

/* core->select_server (ABI 1.1 plugins): config, plugin context and
 * certificate chain for this connection (see backend.h). */
int
tlsplug__context_select_server(struct tlsplug_conn *conn,
                               const char *server_name,
                               const struct tlsplug_bconfig **cfg,
                               void **ctx_priv, size_t *chain,
                               struct tlsplug_error *err)
{
	struct tlsplug__sni_choice choice;
	struct tlsplug_context *ctx;
	struct tlsplug_config *chosen;
	struct sni_slot *slot;
	int rc;

	if (cfg == NULL || ctx_priv == NULL || chain == NULL)
		return tlsplug__error_set(err, TLSPLUG_ERR_MISUSE,
		    "select_server: missing output");
	ctx = server_context_of(conn, "select_server", err);
	if (ctx == NULL)
		return err->code;
	if (tlsplug__conn_sni_cached(conn, server_name, &choice))
		goto out;
	memset(&choice, 0, sizeof(choice));
	if (tlsplug__config_sni_cb(ctx->config, NULL) == NULL) {
		/* No callback: the context's own config; nothing to
		 * remember, the choice is the same every time. */
		choice.cfg = &ctx->bcfg;
		choice.config = ctx->config;
		choice.ctx_priv = ctx->priv;
		choice.chain = tlsplug__config_pick_chain(ctx->config,
		                                          server_name);
		goto out;
	}
	rc = run_sni_callback(ctx, conn, server_name, &chosen, err);
	if (rc != TLSPLUG_OK)
		return rc;
	if (tlsplug_config_equal(chosen, ctx->config)) {
		/* The same settings: the context's own engine serves. */
		tlsplug_config_unref(chosen);
		choice.cfg = &ctx->bcfg;
		choice.config = ctx->config;
		choice.ctx_priv = ctx->priv;
		choice.chain = tlsplug__config_pick_chain(ctx->config,
		                                          server_name);
	} else {
		pthread_mutex_lock(&ctx->lock);
		slot = slot_for_locked(ctx, chosen);
		rc = slot == NULL ? tlsplug__error_set(err, TLSPLUG_ERR_NOMEM,
		    "out of memory selecting a config") :
		    slot_priv_locked(ctx, slot, err);
		pthread_mutex_unlock(&ctx->lock);
		if (rc != TLSPLUG_OK)
			return rc;
		choice.cfg = &slot->bcfg;
		choice.config = slot->config;
		choice.ctx_priv = slot->priv;
		choice.chain = tlsplug__config_pick_chain(slot->config,
		                                          server_name);
	}
	tlsplug__conn_sni_remember(conn, server_name, &choice);
out:
	*cfg = choice.cfg;
	*ctx_priv = choice.ctx_priv;
	*chain = choice.chain;
	return TLSPLUG_OK;
}

struct tlsplug__ctx_sess *
tlsplug__context_sess(const struct tlsplug_context *ctx)
{
	return (struct tlsplug__ctx_sess *)&ctx->sess;
}
