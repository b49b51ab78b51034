/*
 * keyopts.h -- the key options of `tlsplug connect` and `tlsplug serve`
 * (--keylog, --exporter, --groups, --sigalgs), their part of the status
 * lines (group=, exporter=), and the groups and signature algorithms
 * `tlsplug info` lists.
 */
#ifndef TLSPLUG_TOOLS_KEYOPTS_H
#define TLSPLUG_TOOLS_KEYOPTS_H

#include <getopt.h>
#include <stdio.h>

#include <tlsplug/tlsplug.h>

#include "tlsopts.h"

/* getopt codes of the key options (above any character). */
enum {
	KEYOPT_KEYLOG = 0x4b00,
	KEYOPT_EXPORTER,
	KEYOPT_GROUPS,
	KEYOPT_SIGALGS
};

/* Their struct option entries, for a command's longopts table. */
#define KEYOPTS_LONGOPTS \
	{ "keylog", required_argument, NULL, KEYOPT_KEYLOG }, \
	{ "exporter", required_argument, NULL, KEYOPT_EXPORTER }, \
	{ "groups", required_argument, NULL, KEYOPT_GROUPS }, \
	{ "sigalgs", required_argument, NULL, KEYOPT_SIGALGS }

/* Their lines in a command's --help. */
#define KEYOPTS_HELP \
	"  --keylog FILE        append the session keys to FILE (NSS key log " \
	"format;\n" \
	"                       SSLKEYLOGFILE does the same)\n" \
	"  --exporter LABEL:LEN add exporter=HEX (RFC 5705 keying material, no " \
	"context)\n" \
	"                       to the status line\n" \
	"  --groups G1,G2       key-exchange groups by IANA name, in order " \
	"(x25519,...)\n" \
	"  --sigalgs S1,S2      signature algorithms by IANA name, in order\n"

/* Stores option c's argument in o: 1 if c is a key option, else 0. */
int keyopts_option(struct tlsopts *o, int c, const char *arg);
/* Checks the key options' values (group and algorithm names, the
 * exporter's label and length): prints a usage error and returns
 * EXIT_USAGE, or returns 0. */
int keyopts_check(const struct tlsopts *o);
/* Sets them on b.  Returns 0, or prints the failure and returns
 * EXIT_TLS_FAILURE. */
int keyopts_apply(const struct tlsopts *o, struct tlsplug_config_builder *b);
/* Says once on stderr why a key log file could not be opened for ctx (the
 * program goes on). */
void keyopts_warn(const struct tlsplug_context *ctx);
/* Writes " exporter=HEX" for conn when --exporter was given (or
 * " exporter=error" when the backend cannot export). */
void keyopts_print_exporter(FILE *f, struct tlsplug_conn *conn,
                            const struct tlsopts *o);
/* `tlsplug info`: the groups and signature algorithms of b, as text lines
 * or as the JSON members ", \"groups\": [...], \"sigalgs\": [...]". */
void keyopts_info_text(const struct tlsplug_backend *b);
void keyopts_info_json(const struct tlsplug_backend *b);

#endif
