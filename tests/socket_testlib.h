/*
 * socket_testlib.h -- set-up shared by the socket tests (check_socket,
 * check_close): the backends the build made and a fresh certificate
 * directory.  Both run in main(), before Check forks.
 */
#ifndef TLSPLUG_TESTS_SOCKET_TESTLIB_H
#define TLSPLUG_TESTS_SOCKET_TESTLIB_H

#include <stddef.h>

#include <tlsplug/tlsplug.h>

/* Loads every plugin TLSPLUG_TEST_BACKENDS names (space-separated paths)
 * into a new registry (*reg, free it with tlsplug_registry_free) and puts
 * up to max of them in out.  Returns how many; exits 99 when the registry
 * or a plugin cannot be loaded (saying which, prefixed with prog). */
int st_load_backends(const char *prog, struct tlsplug_registry **reg,
                     const struct tlsplug_backend **out, int max);

/* Makes a temporary directory (its path in dir, size bytes) and fills it
 * with tools/tlsplug-gen-test-certs (from $top_srcdir).  Returns 0 or -1. */
int st_make_certs(const char *prog, char *dir, size_t size);

/* A config builder for role with the certificates in certdir: a server
 * gets the ecdsa.pem chain, a client trusts ca.pem.  Fails the current
 * Check test when they cannot be read. */
struct tlsplug_config_builder *st_builder(const char *certdir,
                                          enum tlsplug_role role);
/* Builds b's config (freeing b) and a context on be for role from it;
 * fails the current Check test when either fails. */
struct tlsplug_context *st_context(const struct tlsplug_backend *be,
                                   enum tlsplug_role role,
                                   struct tlsplug_config_builder *b);

/* Removes the directory st_make_certs made. */
void st_remove_certs(const char *dir);

#endif /* TLSPLUG_TESTS_SOCKET_TESTLIB_H */
