/*
 * tlsopts.h -- TLS options shared by `tlsplug connect` and `tlsplug serve`:
 * turning command-line text into a config builder, choosing the backend,
 * and reporting TLS failures as "tlsplug: CATEGORY: message".
 */
#ifndef TLSPLUG_TOOLS_TLSOPTS_H
#define TLSPLUG_TOOLS_TLSOPTS_H

#include <stdbool.h>
#include <stdio.h>

#include <tlsplug/tlsplug.h>

/* Option text as given (NULL: not given). */
struct tlsopts {
	const char *cmd;          /* "connect" or "serve", for messages */
	const char *backend;
	const char *cafile;
	const char *alpn;         /* "h2,http/1.1" */
	const char *ciphers;      /* "TLS_AES_128_GCM_SHA256,..." */
	const char *min_version;
	const char *max_version;
	const char *cert;
	const char *key;
	const char *pass;
	bool no_verify;
	/* keyopts.c: --keylog, --exporter (LABEL:LEN), --groups, --sigalgs */
	const char *keylog;
	const char *exporter;
	const char *groups;
	const char *sigalgs;
};

/* Splits a comma-separated list in place into at most TLSOPTS_MAX_LIST
 * items.  Returns the count, or -1 for an empty item or too many. */
#define TLSOPTS_MAX_LIST 64
int tlsopts_split_list(char *text, char **items);

/* Checks the option values that need no file access (versions, cipher
 * names, ALPN list, --cert/--key pairing).  Prints a usage error and
 * returns EXIT_USAGE, or returns 0. */
int tlsopts_check(const struct tlsopts *o);

/*
 * Makes a builder holding every setting of o: trust store (--cafile),
 * validation (--no-verify), ALPN, versions, cipher suites, and the
 * --cert/--key chain.  Returns 0 with *out set, or prints the failure and
 * returns the exit status (EXIT_USAGE, EXIT_TLS_FAILURE).
 */
int tlsopts_builder(const struct tlsopts *o,
                    struct tlsplug_config_builder **out);

/* Loads a certificate chain and its key (password may be NULL) into b.
 * Returns 0, or prints the failure and returns EXIT_TLS_FAILURE. */
int tlsopts_add_chain(struct tlsplug_config_builder *b, const char *cert,
                      const char *key, const char *password);

/* Builds the config.  Returns 0 or prints and returns EXIT_TLS_FAILURE. */
int tlsopts_build(struct tlsplug_config_builder *b,
                  struct tlsplug_config **out);

/* Chooses the backend (explicit name or the normal selection) from a new
 * registry.  Returns 0 with both set, or prints and returns
 * EXIT_TLS_FAILURE. */
int tlsopts_backend(const char *name, struct tlsplug_registry **reg,
                    const struct tlsplug_backend **out);

/* Prints "tlsplug: CATEGORY: message" (with prefix before the message
 * when not NULL) and returns EXIT_TLS_FAILURE.  e may be NULL: then the
 * text of code is used. */
int tlsopts_fail(const char *prefix, int code, const struct tlsplug_error *e);

/* Writes the negotiated parameters of conn as key=value pairs:
 * `version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 group=x25519 alpn=h2
 * peer="CN=..."` (group=none, alpn=none, peer=none when absent). */
void tlsopts_print_params(FILE *f, struct tlsplug_conn *conn);

#endif
