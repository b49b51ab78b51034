/*
 * revopts.h -- the revocation options of `tlsplug connect` (--crl,
 * --ocsp-check, --require-ocsp) and `tlsplug serve` (--ocsp-staple), and
 * the ocsp= field of their status lines.
 */
#ifndef TLSPLUG_TOOLS_REVOPTS_H
#define TLSPLUG_TOOLS_REVOPTS_H

#include <stdbool.h>
#include <stdio.h>

#include <tlsplug/tlsplug.h>

#define REVOPTS_MAX_CRLS 16

struct revopts {
	const char *crls[REVOPTS_MAX_CRLS];   /* --crl, may be repeated */
	size_t ncrls;
	bool ocsp_check;          /* --ocsp-check */
	bool require_ocsp;        /* --require-ocsp */
	const char *ocsp_staple;  /* --ocsp-staple FILE (serve) */
};

/* Records one --crl FILE.  Returns 0, or prints a usage error (too many)
 * and returns EXIT_USAGE. */
int revopts_add_crl(struct revopts *r, const char *cmd, const char *file);

/* Puts r's settings into b: CRLs (each file loaded now), the OCSP mode,
 * the staple file.  Returns 0, or prints "tlsplug: CATEGORY: message"
 * naming the file and returns EXIT_TLS_FAILURE. */
int revopts_apply(const struct revopts *r, struct tlsplug_config_builder *b);

/* 1 when the status line carries ocsp= (a client that checks). */
int revopts_shows_ocsp(const struct revopts *r);

/* Writes " ocsp=good|revoked|none|unknown" for conn when r checks OCSP. */
void revopts_print(FILE *f, const struct revopts *r,
                   const struct tlsplug_conn *conn);

#endif
