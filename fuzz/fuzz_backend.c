/*
 * fuzz_backend.c -- libFuzzer target: network bytes into one backend's
 * client or server through the buffer API.  Built once per engine and role
 * (fuzz/fuzz_<engine>_<role>: FUZZ_BACKEND names the plugin, FUZZ_SERVER
 * is 0 or 1); the plugin is loaded from the build tree through the normal
 * registry (backend.c).
 *
 * Each input is what the peer sends, all of it, run by fuzz_run()
 * (backend.c): a new connection on the one context takes the bytes with
 * tlsplug_conn_receive_from_network() and then the network's EOF, runs
 * its handshake, reads what follows (application data, alerts,
 * post-handshake messages), writes a line and shuts down; what it sends
 * is thrown away.  The seeds
 * (fuzz/corpus/fuzz_<engine>_<role>/) are the peer's side of real
 * handshakes recorded by fuzz/record.c, so mutations start past the
 * ClientHello.
 *
 * Determinism: the clock is fixed and each connection runs on a new
 * thread with the random stream reset (fixed.c); every engine draws from
 * that stream (OpenSSL through its plugin, wolfSSL through its seed
 * function, GnuTLS through getrandom() and its clock), so the same input
 * is the same connection, and a recorded flight replays to the end: the
 * fuzzer mutates encrypted handshake messages, application data and
 * alerts, not only the first flight (see fuzz/README).
 */
#include "config.h"

#include <stdint.h>

#include <tlsplug/tlsplug.h>

#include "backend.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tlsplug_registry *registry;
static struct tlsplug_context *context;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct tlsplug_backend *b;

	(void)argc;
	(void)argv;
	b = fuzz_backend(FUZZ_BACKEND, &registry);
	context = fuzz_context(b, FUZZ_SERVER ? TLSPLUG_SERVER :
	                       TLSPLUG_CLIENT, NULL);
	/* A plugin makes its engine context on the first connection (and
	 * wolfSSL draws random bytes then): one empty run first, so every
	 * input, the first included, meets the same state. */
	fuzz_run(context, NULL, 0, NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(context, data, size, NULL);
	return 0;
}
