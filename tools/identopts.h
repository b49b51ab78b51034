/*
 * identopts.h -- the CLI's options about the peer's identity: `connect
 * --pin` (public-key pins) and `--peer-chain FILE` (the chain the server
 * sent, as PEM), and `serve --request-client-cert` /
 * `--require-client-cert` (the client-certificate mode).
 */
#ifndef TLSPLUG_TOOLS_IDENTOPTS_H
#define TLSPLUG_TOOLS_IDENTOPTS_H

#include <tlsplug/tlsplug.h>

/* Checks a --pin list without touching the network: 0, or prints
 * "tlsplug: cmd: bad --pin: REASON" and returns EXIT_USAGE. */
int identopts_check_pins(const char *cmd, const char *pins);

/* Adds the --pin list to b: 0, or prints the failure and returns the exit
 * status. */
int identopts_add_pins(const char *cmd, struct tlsplug_config_builder *b,
                       const char *pins);

/* Sets b's client-certificate mode: 0, or prints and returns the exit
 * status. */
int identopts_client_cert(struct tlsplug_config_builder *b,
                          enum tlsplug_client_cert_mode mode);

/* Writes the peer's chain as sent (PEM CERTIFICATE blocks, leaf first) to
 * path ("-": stdout), replacing the file.  0, or prints
 * "tlsplug: CATEGORY: --peer-chain FILE: reason" and returns
 * EXIT_TLS_FAILURE. */
int identopts_write_chain(struct tlsplug_conn *conn, const char *path);

#endif
