/*
 * serve_loop.h -- the event loop of `tlsplug serve`.
 *
 * One thread drives every client through non-blocking sockets
 * (tlsplug_socket's WANT_READ / WANT_WRITE) and epoll, so the cost of a
 * wake-up does not grow with the number of idle clients.  Each client is in
 * one of three states, each with its own deadline:
 *   handshake  -- until the handshake completes (handshake_ms after accept);
 *   open       -- established (idle_ms after its last activity, 0: never);
 *   closing    -- our close_notify or alert is flushed, the write side shut
 *                 down, and what the peer still sends drained (a fixed,
 *                 short deadline), so the peer gets our last records rather
 *                 than a reset.
 * Clients of one state share the same time-out, so a list per state in
 * order of deadline makes every timer operation O(1).
 * At max_conns clients the listener is taken out of the event set: further
 * connections wait in the kernel's listen backlog (their TCP handshake
 * completes, their TLS one waits) until a client leaves.
 */
#ifndef TLSPLUG_TOOLS_SERVE_LOOP_H
#define TLSPLUG_TOOLS_SERVE_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <tlsplug/tlsplug.h>

struct tlsopts;

/* What the loop needs; the caller owns every pointer. */
struct serve_settings {
	struct tlsplug_context *ctx;
	const struct tlsopts *opts;   /* for the exporter in status lines */
	const char *backend;          /* name in status lines */
	bool echo;                    /* --echo */
	bool http;                    /* --http */
	bool quiet;                   /* --quiet: no status line per client */
	int listen_fd;                /* non-blocking, listening */
	unsigned handshake_ms;        /* > 0 */
	unsigned idle_ms;             /* 0: no idle time-out */
	size_t max_conns;             /* > 0 */
};

/* How long a closing client may take to drain (milliseconds). */
#define SERVE_CLOSE_MS 2000

/*
 * Serves until SIGINT or SIGTERM (which the caller made set *stop; they are
 * blocked except while the loop waits).  Returns 0, or EXIT_TLS_FAILURE
 * after a failure of the loop itself (printed).  Every client is freed
 * before it returns.
 */
int serve_loop_run(const struct serve_settings *set,
                   volatile sig_atomic_t *stop);

#endif
