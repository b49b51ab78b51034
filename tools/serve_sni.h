/*
 * serve_sni.h -- `tlsplug serve --sni NAME=CERT,KEY`: one certificate chain
 * per server name, chosen by the SNI callback.
 */
#ifndef TLSPLUG_TOOLS_SERVE_SNI_H
#define TLSPLUG_TOOLS_SERVE_SNI_H

#include <tlsplug/tlsplug.h>

struct serve_sni;

/* New empty table, or NULL when out of memory. */
struct serve_sni *serve_sni_new(void);
/* Frees the table and the configs it made.  NULL is a no-op. */
void serve_sni_free(struct serve_sni *t);
/* Records "NAME=CERT,KEY" (NAME may be "*.domain").  Returns 0, or -1 if
 * the text is malformed or memory ran out. */
int serve_sni_add_arg(struct serve_sni *t, const char *arg);
/*
 * When the table is not empty: makes one config per entry -- every setting
 * of b, with the entry's chain instead of b's -- and sets on b an SNI
 * callback that picks the entry matching the client's name (case-blind),
 * else keeps b's own chain.  The table must outlive every context made from
 * b.  Returns 0, or prints the failure and returns the exit status.
 */
int serve_sni_configure(struct serve_sni *t, struct tlsplug_config_builder *b);

#endif
