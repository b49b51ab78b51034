/*
 * conn_testlib.h -- a client and a server connection in memory, for tests
 * (conn_testlib.c).  Every helper fails the current Check test when what
 * it makes cannot be made.
 */
#ifndef TLSPLUG_TESTS_CONN_TESTLIB_H
#define TLSPLUG_TESTS_CONN_TESTLIB_H

#include <stddef.h>

#include <tlsplug/tlsplug.h>

/* Builds the config and frees the builder. */
struct tlsplug_config *build(struct tlsplug_config_builder *b);
/* A context on backend be; consumes the caller's reference on cfg. */
struct tlsplug_context *context(const struct tlsplug_backend *be,
                                enum tlsplug_role role,
                                struct tlsplug_config *cfg);
/* A connection on ctx (host: the client's server name, or NULL). */
struct tlsplug_conn *conn(struct tlsplug_context *ctx, const char *host);
/* Moves pending ciphertext both ways; returns the bytes moved. */
size_t pump(struct tlsplug_conn *a, struct tlsplug_conn *b);
/* Runs both handshakes to the end (bounded).  Returns the client's status
 * and stores the server's in *sv_rc (may be NULL). */
int handshake(struct tlsplug_conn *cl, struct tlsplug_conn *sv, int *sv_rc);

#endif /* TLSPLUG_TESTS_CONN_TESTLIB_H */
