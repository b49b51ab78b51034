/*
 * backend.h -- what the backend fuzz targets (fuzz_backend.c) and their
 * recorder (record.c) share (backend.c): the registry that loads the
 * plugins of the build tree, and the one configuration each role of a
 * fuzz target uses, so a recorded handshake meets the same context when it
 * is replayed.
 */
#ifndef TLSPLUG_FUZZ_BACKEND_H
#define TLSPLUG_FUZZ_BACKEND_H

#include <stddef.h>

#include <tlsplug/tlsplug.h>

/* The server name the client targets send (in server.pem's SANs). */
#define FUZZ_HOST "localhost"

/* Peer settings the recorder varies (the fuzz target's side keeps the
 * defaults: TLS 1.2 to 1.3, the engine's groups). */
struct fuzz_variant {
	enum tlsplug_version max_version;   /* 0: maximum supported */
	const char *group;                  /* only group, or NULL */
	int client_cert;                    /* server asks, client has one */
};

/*
 * The registry over the build tree's plugins (TLSPLUG_PLUGIN_PATH set to
 * the plugin directories compiled in as FUZZ_PLUGIN_PATH; no config file
 * read; made when *reg is NULL, else reused) and the backend `name`
 * from it.  Exits with a message on failure
 * (a fuzz target cannot run without it).  Returns the backend; *reg
 * receives the registry, kept for the program's life.
 */
const struct tlsplug_backend *fuzz_backend(const char *name,
                                           struct tlsplug_registry **reg);

/*
 * A context on backend b for role: certificates from FUZZ_CERTS_DIR,
 * server.pem / client.pem as the chains and ca.pem as the trust store,
 * validation on, ALPN h2 and http/1.1, a fixed ticket key, no client
 * session cache (so no input changes how the next one runs); v (NULL: the
 * defaults) varies it for a recorded peer.  A server asks for a client
 * certificate (REQUEST) when its engine can.  Exits with a message on
 * failure.
 */
struct tlsplug_context *fuzz_context(const struct tlsplug_backend *b,
                                     enum tlsplug_role role,
                                     const struct fuzz_variant *v);

/* How a run went (fuzz_run), for the recorder's replay check. */
struct fuzz_outcome {
	int handshake;          /* status of the last handshake call */
	int read;               /* status of the last read (0 before) */
	size_t plaintext;       /* application bytes read */
	char message[256];      /* the connection's error, if any */
};

/*
 * One fuzz input: resets the random stream (fixed.c), makes a connection
 * on ctx (a client sends FUZZ_HOST), lets it send its first flight, gives
 * it all of data[0..size) and then EOF, runs the handshake and, once done,
 * reads (bounded), writes a line and shuts down, throwing away what it
 * sends.  out (may be NULL) receives how it went.  Aborts only when the
 * library breaks its own contract (no connection, lost bytes).
 */
void fuzz_run(struct tlsplug_context *ctx, const unsigned char *data,
              size_t size, struct fuzz_outcome *out);

#endif /* TLSPLUG_FUZZ_BACKEND_H */
