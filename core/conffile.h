/*
 * conffile.h -- the tlsplug.conf reader (core-internal).
 *
 * Format (see tlsplug.conf(5)):
 *
 *   # comment            ; comment too (whole lines only)
 *   [default]
 *   backend = openssl, gnutls     preference list, first available wins
 *   plugin_path = /opt/a:/opt/b   directories added to the plugin path
 *   groups = x25519, secp256r1    default key-exchange groups (IANA names)
 *   sigalgs = ed25519, ...        default signature algorithms
 *   client_cert = request         a server's client-certificate mode
 *   pin = example.com sha256//B64,sha256//B64   public-key pins for a host
 *                                 (one line per host)
 *   [myapp]                       used when the application is "myapp";
 *   backend = gnutls              overrides [default] whatever the order
 *   session_cache = off           client session cache: on, off, or N
 *   ticket_lifetime = 3600        server: ticket lifetime and key rotation
 *   ticket_key_file = /etc/k      server: ticket master key (SESSIONS.md)
 *   alpn_mismatch = continue      server: no ALPN in common: alert (the
 *                                 default) or go on without ALPN
 *   [policy]                      the system policy (policy.h): honoured
 *   min_version = 1.2             only where policy_allowed (the system
 *                                 file); elsewhere the header is an error
 *
 * Whitespace around names, keys and values is trimmed.  A later line for the
 * same key in the same section replaces the earlier one.  Sections other than
 * [default] and the application's are checked but otherwise ignored, so a
 * file gives the same diagnostics for every application.  Keys outside any
 * section are an error (write them under [default]).  Every problem becomes a
 * diagnostic "FILE:LINE: message"; the rest of the file is still read.
 */
#ifndef TLSPLUG_CORE_CONFFILE_H
#define TLSPLUG_CORE_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

/* One effective setting: its value and where it came from. */
struct tlsplug__conf_entry {
	char *value;               /* NULL when not set */
	char *source;              /* "FILE:LINE" */
	unsigned line;
};

/* One `pin = HOST PINS` line: the host, and the pin list as value. */
struct tlsplug__conf_pin {
	char *host;
	struct tlsplug__conf_entry pins;
};

/* What one file says for one application. */
struct tlsplug__conf {
	char *path;                /* the file read (NULL: none) */
	bool present;              /* the file exists */
	struct tlsplug__conf_entry backend;
	struct tlsplug__conf_entry plugin_path;
	/* Default key-exchange groups and signature algorithms (IANA names,
	 * checked) for contexts whose config sets none. */
	struct tlsplug__conf_entry groups;
	struct tlsplug__conf_entry sigalgs;
	struct tlsplug__conf_entry client_cert;   /* checked mode name */
	/* Pins by host (checked lists): the application's section's, then
	 * [default]'s for the other hosts. */
	struct tlsplug__conf_pin *pins;
	size_t npins;
	/* Session settings (applied when a config leaves them unset):
	 * session_cache = on | off | N (server names kept); ticket_lifetime
	 * = seconds (1 to 604800); ticket_key_file = /absolute/path. */
	struct tlsplug__conf_entry session_cache;
	struct tlsplug__conf_entry ticket_lifetime;
	struct tlsplug__conf_entry ticket_key_file;
	/* Server: alpn_mismatch = alert | continue | auto (checked), for
	 * configs that leave it AUTO (context.c). */
	struct tlsplug__conf_entry alpn_mismatch;
	char **diags;              /* "FILE:LINE: message" */
	size_t ndiags;
	/* In: set by the caller before reading the system file, the only
	 * one whose [policy] counts.  Out: the policy read, or NULL. */
	bool policy_allowed;
	struct tlsplug_policy *policy;
};

/* Longest config file read (larger ones are a diagnostic). */
#define TLSPLUG_CONF_MAX_SIZE (1024 * 1024)

/*
 * Parses buf (len bytes, need not be NUL-terminated) as the contents of
 * file `filename`, for application `app` (NULL: only [default]).  Fills
 * *out, which must be zeroed or cleared.  Returns TLSPLUG_OK, or
 * TLSPLUG_ERR_NOMEM (then *out is cleared).  Syntax problems are not
 * errors: they land in out->diags.
 */
int tlsplug__conf_parse(const char *buf, size_t len, const char *filename,
                        const char *app, struct tlsplug__conf *out);

/*
 * Reads and parses file `path`.  A missing file leaves *out empty (not an
 * error) unless `must_exist`, in which case it becomes a diagnostic, as
 * does an unreadable or oversized file ("FILE: cannot read: reason").
 * Returns TLSPLUG_OK or TLSPLUG_ERR_NOMEM.
 */
int tlsplug__conf_read_file(const char *path, bool must_exist,
                            const char *app, struct tlsplug__conf *out);

/* Frees everything *c holds and zeroes it. */
void tlsplug__conf_clear(struct tlsplug__conf *c);

/* The value of a session_cache setting: on (-> TLSPLUG_SESSION_CACHE_DEFAULT),
 * off (0) or a number of names 1..1000000; -1 when invalid. */
long tlsplug__conf_session_cache(const char *v, size_t len);
/* The value of a ticket_lifetime setting (1..604800), or -1. */
long tlsplug__conf_ticket_lifetime(const char *v, size_t len);

/* True when s[0..len) is a valid backend name: [a-z0-9_-]+. */
bool tlsplug__backend_name_valid(const char *s, size_t len);

/*
 * Splits `text` at `sep`, trimming blanks around each item and dropping
 * empty items.  *items gets a NULL-terminated array of new strings (free
 * with tlsplug__strv_free), *n their count.  Returns TLSPLUG_OK or
 * TLSPLUG_ERR_NOMEM.
 */
int tlsplug__split_list(const char *text, char sep, char ***items,
                        size_t *n);
void tlsplug__strv_free(char **v);

#endif /* TLSPLUG_CORE_CONFFILE_H */
