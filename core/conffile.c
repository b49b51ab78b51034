/* conffile.c -- reads tlsplug.conf files (format in conffile.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "conffile.h"
#include "peer.h"
#include "policy.h"

/* SEC_SKIP: a [policy] outside the system file, reported once at its
 * header; its keys are not read. */
enum section {
	SEC_NONE, SEC_DEFAULT, SEC_APP, SEC_POLICY, SEC_SKIP, SEC_OTHER
};

/* The settings of one section while parsing. */
struct section_values {
	struct tlsplug__conf_entry backend;
	struct tlsplug__conf_entry plugin_path;
	struct tlsplug__conf_entry groups;
	struct tlsplug__conf_entry sigalgs;
	struct tlsplug__conf_entry client_cert;
	struct tlsplug__conf_entry session_cache;
	struct tlsplug__conf_entry ticket_lifetime;
	struct tlsplug__conf_entry ticket_key_file;
	struct tlsplug__conf_entry alpn_mismatch;
	struct tlsplug__conf_pin *pins;
	size_t npins;
};

/* The keys, in the order of enum key. */
enum key { KEY_BACKEND, KEY_PLUGIN_PATH, KEY_GROUPS, KEY_SIGALGS,
           KEY_CLIENT_CERT, KEY_SESSION_CACHE, KEY_TICKET_LIFETIME,
           KEY_TICKET_KEY_FILE, KEY_ALPN_MISMATCH, KEY_PIN };
static const char *const key_names[] = {
	"backend", "plugin_path", "groups", "sigalgs", "client_cert",
	"session_cache", "ticket_lifetime", "ticket_key_file",
	"alpn_mismatch", "pin",
};

static struct tlsplug__conf_entry *
key_entry(struct section_values *v, enum key k)
{
	switch (k) {
	case KEY_BACKEND: return &v->backend;
	case KEY_PLUGIN_PATH: return &v->plugin_path;
	case KEY_GROUPS: return &v->groups;
	case KEY_SIGALGS: return &v->sigalgs;
	case KEY_SESSION_CACHE: return &v->session_cache;
	case KEY_TICKET_LIFETIME: return &v->ticket_lifetime;
	case KEY_TICKET_KEY_FILE: return &v->ticket_key_file;
	case KEY_ALPN_MISMATCH: return &v->alpn_mismatch;
	default: return &v->client_cert;   /* KEY_PIN has no single entry */
	}
}

struct parser {
	const char *filename;
	const char *app;
	struct tlsplug__conf *out;
	struct section_values def, app_values;
	bool nomem;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims blanks from both ends of [*s, *s + *len). */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

static char *
strndup_core(const char *s, size_t len)
{
	char *p = tlsplug__malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* printf into a new core-allocated string. */
static char *TLSPLUG_PRINTF(1, 2)
format_new(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = tlsplug__malloc((size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void
add_diag_text(struct tlsplug__conf *c, char *text, bool *nomem)
{
	char **v;

	if (text == NULL) {
		*nomem = true;
		return;
	}
	v = tlsplug__realloc(c->diags, (c->ndiags + 1) * sizeof(*v));
	if (v == NULL) {
		tlsplug__free(text);
		*nomem = true;
		return;
	}
	c->diags = v;
	c->diags[c->ndiags++] = text;
}

static void TLSPLUG_PRINTF(3, 4)
diag(struct parser *p, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Quoted file text may hold CR, tabs or escapes: a diagnostic stays
	 * one printable line. */
	for (char *c = msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	add_diag_text(p->out, format_new("%s:%u: %s", p->filename, line, msg),
	              &p->nomem);
}

bool
tlsplug__backend_name_valid(const char *s, size_t len)
{
	if (s == NULL || len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

void
tlsplug__strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		tlsplug__free(*p);
	tlsplug__free(v);
}

int
tlsplug__split_list(const char *text, char sep, char ***items, size_t *n)
{
	char **v;
	size_t count = 0, cap = 1;
	const char *s = text;

	for (const char *q = text; *q != '\0'; q++)
		if (*q == sep)
			cap++;
	v = tlsplug__calloc(cap + 1, sizeof(*v));
	if (v == NULL)
		return TLSPLUG_ERR_NOMEM;
	for (;;) {
		const char *end = strchr(s, sep);
		size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
		const char *item = s;

		trim(&item, &len);
		if (len > 0) {
			v[count] = strndup_core(item, len);
			if (v[count] == NULL) {
				tlsplug__strv_free(v);
				return TLSPLUG_ERR_NOMEM;
			}
			count++;
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	*items = v;
	*n = count;
	return TLSPLUG_OK;
}

/* Checks a `backend` value: a comma-separated list of valid names. */
static bool
check_backend_list(struct parser *p, unsigned line, const char *v,
                   size_t vlen)
{
	bool ok = true;
	size_t i = 0;

	while (i <= vlen) {
		size_t j = i;
		const char *item;
		size_t len;

		while (j < vlen && v[j] != ',')
			j++;
		item = v + i;
		len = j - i;
		trim(&item, &len);
		if (len == 0) {
			diag(p, line, "empty entry in backend list");
			ok = false;
		} else if (!tlsplug__backend_name_valid(item, len)) {
			diag(p, line, "invalid backend name '%.*s' "
			     "(allowed: a-z 0-9 _ -)", (int)len, item);
			ok = false;
		}
		i = j + 1;
	}
	return ok;
}

/* Checks a `plugin_path` value: ':'-separated absolute directories (empty
 * entries are skipped, as in PATH). */
static bool
check_plugin_path(struct parser *p, unsigned line, const char *v, size_t vlen)
{
	bool ok = true;
	size_t i = 0;

	while (i <= vlen) {
		size_t j = i;
		const char *item;
		size_t len;

		while (j < vlen && v[j] != ':')
			j++;
		item = v + i;
		len = j - i;
		trim(&item, &len);
		if (len > 0 && item[0] != '/') {
			diag(p, line, "plugin_path entry '%.*s' is not an "
			     "absolute directory", (int)len, item);
			ok = false;
		}
		i = j + 1;
	}
	return ok;
}

/* Checks a `groups` or `sigalgs` value: IANA names separated by commas,
 * each known, none twice. */
static bool
check_names(struct parser *p, unsigned line, enum key k, const char *v,
            size_t vlen)
{
	int (*lookup)(const char *, uint16_t *) = k == KEY_GROUPS ?
	    tlsplug_group_from_name : tlsplug_sigalg_from_name;
	const char *kind = k == KEY_GROUPS ? "group" : "signature algorithm";
	uint16_t ids[256];
	size_t n = 0, i = 0;

	while (i <= vlen) {
		size_t j = i, len;
		const char *item;
		char name[64];

		while (j < vlen && v[j] != ',')
			j++;
		item = v + i;
		len = j - i;
		trim(&item, &len);
		if (len == 0 || len >= sizeof(name)) {
			diag(p, line, "%s: empty or overlong name in '%.*s'",
			     key_names[k], (int)vlen, v);
			return false;
		}
		memcpy(name, item, len);
		name[len] = '\0';
		if (n == sizeof(ids) / sizeof(ids[0]) ||
		    lookup(name, &ids[n]) != TLSPLUG_OK) {
			diag(p, line, "unknown %s '%s' in %s (IANA names%s)",
			     kind, name, key_names[k], k == KEY_GROUPS ?
			     ", such as x25519, secp256r1, X25519MLKEM768" :
			     ", such as rsa_pss_rsae_sha256, ed25519");
			return false;
		}
		for (size_t m = 0; m < n; m++)
			if (ids[m] == ids[n]) {
				diag(p, line, "%s '%s' listed twice in %s",
				     kind, name, key_names[k]);
				return false;
			}
		n++;
		i = j + 1;
	}
	return true;
}

/* A decimal number lo..hi in v[0..len), else -1. */
static long
number_in(const char *v, size_t len, long lo, long hi)
{
	long n = 0;

	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	return n >= lo && n <= hi ? n : -1;
}

long
tlsplug__conf_session_cache(const char *v, size_t len)
{
	if ((len == 2 && memcmp(v, "on", 2) == 0) ||
	    (len == 3 && memcmp(v, "yes", 3) == 0))
		return TLSPLUG_SESSION_CACHE_DEFAULT;
	if ((len == 3 && memcmp(v, "off", 3) == 0) ||
	    (len == 2 && memcmp(v, "no", 2) == 0) ||
	    (len == 1 && v[0] == '0'))
		return 0;
	return number_in(v, len, 1, 1000000);
}

long
tlsplug__conf_ticket_lifetime(const char *v, size_t len)
{
	return number_in(v, len, 1, 604800);
}

static void
entry_clear(struct tlsplug__conf_entry *e)
{
	tlsplug__free(e->value);
	tlsplug__free(e->source);
	e->value = NULL;
	e->source = NULL;
	e->line = 0;
}

static void
entry_set(struct parser *p, struct tlsplug__conf_entry *e, unsigned line,
          const char *v, size_t vlen)
{
	char *value = strndup_core(v, vlen);
	char *source = format_new("%s:%u", p->filename, line);

	if (value == NULL || source == NULL) {
		tlsplug__free(value);
		tlsplug__free(source);
		p->nomem = true;
		return;
	}
	entry_clear(e);
	e->value = value;
	e->source = source;
	e->line = line;
}

/* alpn_mismatch = alert | continue (auto too: the same as not set). */
static bool
check_alpn_mismatch(struct parser *p, unsigned line, const char *v,
                    size_t vlen)
{
	enum tlsplug_alpn_mismatch m;
	char text[16];

	if (vlen < sizeof(text)) {
		memcpy(text, v, vlen);
		text[vlen] = '\0';
		if (tlsplug_alpn_mismatch_parse(text, &m) == TLSPLUG_OK)
			return true;
	}
	diag(p, line, "alpn_mismatch '%.*s' is not alert, continue or auto",
	     vlen > 64 ? 64 : (int)vlen, v);
	return false;
}

/* ---- identity keys: client_cert, pin ---------------------------------- */

static bool
check_client_cert(struct parser *p, unsigned line, const char *v, size_t vlen)
{
	enum tlsplug_client_cert_mode m;
	char text[16];

	if (vlen < sizeof(text)) {
		memcpy(text, v, vlen);
		text[vlen] = '\0';
		if (tlsplug_client_cert_mode_parse(text, &m) == TLSPLUG_OK)
			return true;
	}
	diag(p, line, "client_cert '%.*s' is not none, request, require or "
	     "auto", vlen > 64 ? 64 : (int)vlen, v);
	return false;
}

static void
pins_clear(struct tlsplug__conf_pin *pins, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tlsplug__free(pins[i].host);
		entry_clear(&pins[i].pins);
	}
	tlsplug__free(pins);
}

/* A `pin = HOST PINS` line: the host and a checked pin list; a later line
 * for the same host (case-blind) replaces the earlier one. */
static void
parse_pin(struct parser *p, unsigned line, const char *v, size_t vlen,
          struct section_values *target)
{
	struct tlsplug_error e = { .alert = -1 };
	const char *list;
	size_t hlen = 0, llen, i;
	unsigned char (*hashes)[32];
	struct tlsplug__conf_pin *grown;
	char *text;
	size_t n;

	while (hlen < vlen && !is_blank(v[hlen]))
		hlen++;
	list = v + hlen;
	llen = vlen - hlen;
	trim(&list, &llen);
	if (llen == 0) {
		diag(p, line, "pin: expected 'pin = HOST sha256//BASE64[,...]'");
		return;
	}
	text = strndup_core(list, llen);
	if (text == NULL) {
		p->nomem = true;
		return;
	}
	if (tlsplug__pins_parse(text, &hashes, &n, &e) != TLSPLUG_OK) {
		if (e.code == TLSPLUG_ERR_NOMEM)
			p->nomem = true;
		else
			diag(p, line, "pin for %.*s: %s", (int)hlen, v,
			     e.message);
		tlsplug__free(text);
		return;
	}
	tlsplug__free(hashes);
	tlsplug__free(text);
	if (target == NULL)
		return;
	for (i = 0; i < target->npins; i++)
		if (strlen(target->pins[i].host) == hlen &&
		    strncasecmp(target->pins[i].host, v, hlen) == 0)
			break;
	if (i == target->npins) {
		grown = tlsplug__realloc(target->pins,
		                         (i + 1) * sizeof(*grown));
		if (grown == NULL) {
			p->nomem = true;
			return;
		}
		target->pins = grown;
		memset(&grown[i], 0, sizeof(grown[i]));
		grown[i].host = strndup_core(v, hlen);
		if (grown[i].host == NULL) {
			p->nomem = true;
			return;
		}
		target->npins++;
	}
	entry_set(p, &target->pins[i].pins, line, list, llen);
}

/* The application's pins, then [default]'s for the other hosts. */
static void
resolve_pins(struct parser *p, struct tlsplug__conf *out)
{
	struct section_values *app = &p->app_values, *def = &p->def;
	size_t n = app->npins;

	out->pins = app->pins;
	out->npins = app->npins;
	app->pins = NULL;
	app->npins = 0;
	for (size_t i = 0; i < def->npins; i++) {
		struct tlsplug__conf_pin *grown;
		bool shadowed = false;

		for (size_t j = 0; j < n; j++)
			if (strcasecmp(out->pins[j].host, def->pins[i].host) ==
			    0)
				shadowed = true;
		if (shadowed)
			continue;
		grown = tlsplug__realloc(out->pins,
		                         (out->npins + 1) * sizeof(*grown));
		if (grown == NULL) {
			p->nomem = true;
			return;
		}
		out->pins = grown;
		out->pins[out->npins++] = def->pins[i];
		memset(&def->pins[i], 0, sizeof(def->pins[i]));
	}
}

static void
parse_section(struct parser *p, unsigned line, const char *s, size_t len,
              enum section *sec)
{
	const char *close = memchr(s, ']', len);
	const char *name = s + 1;
	size_t nlen, rest;

	*sec = SEC_OTHER;   /* keys after a bad header are ignored */
	if (close == NULL) {
		diag(p, line, "unterminated section header");
		return;
	}
	rest = len - (size_t)(close - s) - 1;
	if (rest > 0) {
		diag(p, line, "unexpected text after section header");
		return;
	}
	nlen = (size_t)(close - name);
	trim(&name, &nlen);
	if (nlen == 0) {
		diag(p, line, "empty section name");
		return;
	}
	if (nlen == 7 && memcmp(name, "default", 7) == 0) {
		*sec = SEC_DEFAULT;
	} else if (nlen == 6 && memcmp(name, "policy", 6) == 0) {
		*sec = p->out->policy_allowed ? SEC_POLICY : SEC_SKIP;
		if (*sec == SEC_SKIP)
			diag(p, line, "[policy] is honoured only in the system "
			     "config file, not here: remove it (the section "
			     "is ignored)");
	}
	else if (p->app != NULL && strlen(p->app) == nlen &&
	         memcmp(name, p->app, nlen) == 0)
		*sec = SEC_APP;
}

static void
parse_assignment(struct parser *p, unsigned line, const char *s, size_t len,
                 enum section sec)
{
	const char *eq = memchr(s, '=', len);
	const char *key = s, *v;
	size_t klen, vlen;
	struct section_values *target = NULL;
	struct tlsplug__conf_entry *e;
	enum key k;
	bool ok;

	if (sec == SEC_SKIP)
		return;
	if (eq == NULL) {
		diag(p, line, "expected 'key = value' or '[section]'");
		return;
	}
	klen = (size_t)(eq - s);
	trim(&key, &klen);
	v = eq + 1;
	vlen = len - (size_t)(v - s);
	trim(&v, &vlen);
	if (klen == 0) {
		diag(p, line, "missing key before '='");
		return;
	}
	if (sec == SEC_POLICY) {
		char why[400];
		int rc = tlsplug__policy_set(&p->out->policy, p->filename,
		                             line, key, klen, v, vlen, why,
		                             sizeof(why));

		if (rc == TLSPLUG_ERR_NOMEM)
			p->nomem = true;
		else if (rc != TLSPLUG_OK)
			diag(p, line, "%s", why);
		return;
	}
	for (k = KEY_BACKEND; k <= KEY_PIN; k++)
		if (strlen(key_names[k]) == klen &&
		    memcmp(key, key_names[k], klen) == 0)
			break;
	if (k > KEY_PIN) {
		diag(p, line, "unknown key '%.*s'", (int)klen, key);
		return;
	}
	if (sec == SEC_NONE) {
		diag(p, line, "key '%.*s' outside a section (put it under "
		     "[default])", (int)klen, key);
		return;
	}
	if (vlen == 0) {
		diag(p, line, "empty value for '%.*s'", (int)klen, key);
		return;
	}
	if (k == KEY_BACKEND)
		ok = check_backend_list(p, line, v, vlen);
	else if (k == KEY_PLUGIN_PATH)
		ok = check_plugin_path(p, line, v, vlen);
	else if (k == KEY_CLIENT_CERT)
		ok = check_client_cert(p, line, v, vlen);
	else if (k == KEY_SESSION_CACHE) {
		ok = tlsplug__conf_session_cache(v, vlen) >= 0;
		if (!ok)
			diag(p, line, "session_cache must be on, off or a "
			     "number of names (1 to 1000000), not '%.*s'",
			     (int)vlen, v);
	} else if (k == KEY_TICKET_LIFETIME) {
		ok = tlsplug__conf_ticket_lifetime(v, vlen) >= 0;
		if (!ok)
			diag(p, line, "ticket_lifetime must be a number of "
			     "seconds (1 to 604800), not '%.*s'", (int)vlen,
			     v);
	} else if (k == KEY_TICKET_KEY_FILE) {
		ok = v[0] == '/';
		if (!ok)
			diag(p, line, "ticket_key_file '%.*s' is not an "
			     "absolute path", (int)vlen, v);
	} else if (k == KEY_ALPN_MISMATCH) {
		ok = check_alpn_mismatch(p, line, v, vlen);
	} else if (k == KEY_PIN)
		ok = true;     /* parse_pin checks and reports */
	else
		ok = check_names(p, line, k, v, vlen);
	if (!ok)
		return;
	if (sec == SEC_DEFAULT)
		target = &p->def;
	else if (sec == SEC_APP)
		target = &p->app_values;
	if (k == KEY_PIN) {
		parse_pin(p, line, v, vlen, target);
		return;
	}
	if (target == NULL)
		return;
	e = key_entry(target, k);
	entry_set(p, e, line, v, vlen);
}

/* Moves the effective value (application section first) into *dst. */
static void
resolve(struct tlsplug__conf_entry *dst, struct tlsplug__conf_entry *app,
        struct tlsplug__conf_entry *def)
{
	struct tlsplug__conf_entry *src = app->value != NULL ? app : def;

	entry_clear(dst);
	*dst = *src;
	src->value = NULL;
	src->source = NULL;
}

int
tlsplug__conf_parse(const char *buf, size_t len, const char *filename,
                    const char *app, struct tlsplug__conf *out)
{
	struct parser p = {
		.filename = filename, .app = app, .out = out,
	};
	enum section sec = SEC_NONE;
	unsigned line = 0;
	size_t pos = 0;

	while (pos < len && !p.nomem) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += llen + 1;
		line++;
		if (memchr(s, '\0', llen) != NULL) {
			diag(&p, line, "NUL byte in line");
			continue;
		}
		trim(&s, &llen);
		if (llen == 0 || s[0] == '#' || s[0] == ';')
			continue;
		if (s[0] == '[')
			parse_section(&p, line, s, llen, &sec);
		else
			parse_assignment(&p, line, s, llen, sec);
	}
	resolve(&out->backend, &p.app_values.backend, &p.def.backend);
	resolve(&out->plugin_path, &p.app_values.plugin_path,
	        &p.def.plugin_path);
	resolve(&out->groups, &p.app_values.groups, &p.def.groups);
	resolve(&out->sigalgs, &p.app_values.sigalgs, &p.def.sigalgs);
	resolve(&out->client_cert, &p.app_values.client_cert,
	        &p.def.client_cert);
	resolve(&out->session_cache, &p.app_values.session_cache,
	        &p.def.session_cache);
	resolve(&out->ticket_lifetime, &p.app_values.ticket_lifetime,
	        &p.def.ticket_lifetime);
	resolve(&out->ticket_key_file, &p.app_values.ticket_key_file,
	        &p.def.ticket_key_file);
	resolve(&out->alpn_mismatch, &p.app_values.alpn_mismatch,
	        &p.def.alpn_mismatch);
	resolve_pins(&p, out);
	for (enum key k = KEY_BACKEND; k <= KEY_ALPN_MISMATCH; k++) {
		entry_clear(key_entry(&p.def, k));
		entry_clear(key_entry(&p.app_values, k));
	}
	pins_clear(p.def.pins, p.def.npins);
	pins_clear(p.app_values.pins, p.app_values.npins);
	if (p.nomem) {
		tlsplug__conf_clear(out);
		return TLSPLUG_ERR_NOMEM;
	}
	return TLSPLUG_OK;
}

int
tlsplug__conf_read_file(const char *path, bool must_exist, const char *app,
                        struct tlsplug__conf *out)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	bool nomem = false;
	int rc;

	out->path = tlsplug__strdup(path);
	if (out->path == NULL)
		return TLSPLUG_ERR_NOMEM;
	rc = tlsplug__read_file(path, TLSPLUG_CONF_MAX_SIZE, &buf, &len);
	if (rc == ENOMEM)
		goto nomem;
	if (rc == ENOENT && !must_exist)
		return TLSPLUG_OK;
	if (rc != 0) {
		out->present = rc != ENOENT;
		add_diag_text(out, format_new("%s: cannot read: %s", path,
		              rc == EFBIG ? "file too large" : strerror(rc)),
		              &nomem);
		if (nomem)
			goto nomem;
		return TLSPLUG_OK;
	}
	out->present = true;
	rc = tlsplug__conf_parse((const char *)buf, len, path, app, out);
	tlsplug__free(buf);
	return rc;
nomem:
	tlsplug__conf_clear(out);
	return TLSPLUG_ERR_NOMEM;
}

void
tlsplug__conf_clear(struct tlsplug__conf *c)
{
	if (c == NULL)
		return;
	tlsplug__free(c->path);
	entry_clear(&c->backend);
	entry_clear(&c->plugin_path);
	entry_clear(&c->groups);
	entry_clear(&c->sigalgs);
	entry_clear(&c->client_cert);
	entry_clear(&c->session_cache);
	entry_clear(&c->ticket_lifetime);
	entry_clear(&c->ticket_key_file);
	entry_clear(&c->alpn_mismatch);
	pins_clear(c->pins, c->npins);
	for (size_t i = 0; i < c->ndiags; i++)
		tlsplug__free(c->diags[i]);
	tlsplug__free(c->diags);
	tlsplug__policy_free(c->policy);
	memset(c, 0, sizeof(*c));
}
