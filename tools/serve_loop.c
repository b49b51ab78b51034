/* serve_loop.c -- the epoll loop of `tlsplug serve` (see serve_loop.h). */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "commands.h"
#include "keyopts.h"
#include "serve_http.h"
#include "serve_loop.h"
#include "tlsopts.h"

#define RECV_BUFSIZE 16384
#define MAX_EVENTS 256
/* Longest request method we recognise, with its space ("OPTIONS "). */
#define SNIFF_MAX 8
/* Clients at once after which the heap is trimmed once all have gone and
 * none came for TRIM_DELAY_MS (a malloc_trim() takes a millisecond or so,
 * and memory given back is paid for again in page faults: not between
 * the bursts of a busy server). */
#define TRIM_AFTER 32
#define TRIM_DELAY_MS 1000
/* Reads of one drain step, so one chatty closing peer cannot hold the
 * loop; level-triggered epoll brings it back. */
#define DRAIN_READS 16
/* How long the listener rests after a failed accept (ms). */
#define ACCEPT_PAUSE_MS 100
/* Connections accepted per wake-up. */
#define ACCEPT_BATCH 64

enum client_state { ST_HANDSHAKE, ST_OPEN, ST_CLOSING, ST_COUNT };
enum close_phase { CL_SHUTDOWN, CL_FLUSH, CL_DRAIN };

struct client {
	struct client *prev, *next;   /* in its state's deadline list */
	struct client *aprev, *anext; /* in the list to step again */
	bool again;
	uint64_t deadline;            /* monotonic ms */
	struct tlsplug_socket *sock;
	int fd;
	enum client_state state;
	enum close_phase phase;       /* while ST_CLOSING */
	int want;                     /* last WANT_* of the open state */
	uint32_t events;              /* registered with epoll */
	struct serve_http *http;      /* the request being read */
	char *info;                   /* the status line, once built */
	const unsigned char *out;     /* to send: pend or an HTTP answer */
	size_t len, off;
	unsigned char *pend;          /* echo bytes still to send */
	bool finish;                  /* close once out is sent */
	bool http_next;               /* out is a kept-alive HTTP answer */
	bool echoing;                 /* --echo, and not an HTTP client */
	size_t nsniff;                /* --echo: bytes held to tell HTTP */
	unsigned char sniff[SNIFF_MAX];
	char addr[64];
};

struct list {
	struct client *head, *tail;
};

struct loop {
	const struct serve_settings *set;
	int ep;
	bool listening;               /* listener in the epoll set */
	uint64_t accept_pause;        /* no accepting before (monotonic ms) */
	size_t nclients;
	size_t peak;                  /* most clients since the last trim */
	uint64_t trim_at;             /* trim then if still no clients (0: no) */
	struct list lists[ST_COUNT];
	struct client *again;         /* clients with work left (a stack) */
	unsigned char rbuf[RECV_BUFSIZE];
};

static const char *const methods[] = {
	"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ",
	"CONNECT ", "TRACE ",
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
list_remove(struct list *l, struct client *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
list_append(struct list *l, struct client *c)
{
	c->prev = l->tail;
	c->next = NULL;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

/* The time-out of a state (0: none). */
static unsigned
state_ms(const struct loop *lp, enum client_state st)
{
	switch (st) {
	case ST_HANDSHAKE: return lp->set->handshake_ms;
	case ST_OPEN: return lp->set->idle_ms;
	default: return SERVE_CLOSE_MS;
	}
}

/* Puts c in state st with a fresh deadline, at the tail of its list (every
 * client of a list has the same time-out, so the list stays sorted). */
static void
client_arm(struct loop *lp, struct client *c, enum client_state st)
{
	unsigned ms = state_ms(lp, st);

	list_remove(&lp->lists[c->state], c);
	c->state = st;
	c->deadline = ms > 0 ? now_ms() + ms : UINT64_MAX;
	list_append(&lp->lists[st], c);
}

/* Marks c to be stepped again without waiting for an event: it may have
 * data buffered in the engine that no event would announce. */
static void
again_push(struct loop *lp, struct client *c)
{
	if (c->again)
		return;
	c->again = true;
	c->aprev = NULL;
	c->anext = lp->again;
	if (lp->again != NULL)
		lp->again->aprev = c;
	lp->again = c;
}

static void
again_remove(struct loop *lp, struct client *c)
{
	if (!c->again)
		return;
	if (c->aprev != NULL)
		c->aprev->anext = c->anext;
	else
		lp->again = c->anext;
	if (c->anext != NULL)
		c->anext->aprev = c->aprev;
	c->again = false;
	c->aprev = c->anext = NULL;
}

static void
client_free(struct loop *lp, struct client *c)
{
	again_remove(lp, c);
	list_remove(&lp->lists[c->state], c);
	/* Closing the descriptor takes it out of the epoll set. */
	tlsplug_socket_free(c->sock);
	serve_http_free(c->http);
	free(c->info);
	free(c->pend);
	free(c);
	lp->nclients--;
	if (lp->nclients == 0 && lp->peak >= TRIM_AFTER)
		lp->trim_at = now_ms() + TRIM_DELAY_MS;
}

/* After a crowd has gone, gives its memory back to the system: the
 * allocator keeps freed blocks between live ones otherwise, and a
 * long-running server would stay at its peak size for good.  Returns the
 * ms until a trim is due (-1: none). */
static int
trim_idle_heap(struct loop *lp, uint64_t now)
{
	if (lp->trim_at == 0)
		return -1;
	if (lp->nclients > 0) {
		lp->trim_at = 0;   /* the next crowd's end sets it again */
		return -1;
	}
	if (now < lp->trim_at)
		return (int)(lp->trim_at - now) + 1;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	lp->trim_at = 0;
	lp->peak = 0;
	return -1;
}

/* Asks epoll for the events c waits for; false when that fails. */
static bool
client_watch(struct loop *lp, struct client *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (ev == c->events)
		return true;
	if (epoll_ctl(lp->ep, EPOLL_CTL_MOD, c->fd, &e) != 0) {
		cli_error("serve: epoll_ctl: %s", strerror(errno));
		return false;
	}
	c->events = ev;
	return true;
}

/* Reports a client's failure; the server goes on. */
static void
client_fail(struct client *c, int rc)
{
	char prefix[sizeof(c->addr) + 16];

	snprintf(prefix, sizeof(prefix), "client %s", c->addr);
	(void)tlsopts_fail(prefix, rc, tlsplug_socket_error(c->sock));
}

/* The client's status line (built once: it does not change after the
 * handshake), or NULL when out of memory. */
static const char *
client_info(const struct loop *lp, struct client *c)
{
	struct tlsplug_conn *conn = tlsplug_socket_conn(c->sock);
	const char *sni = tlsplug_conn_server_name(conn);
	size_t len = 0;
	FILE *f;

	if (c->info != NULL)
		return c->info;
	f = open_memstream(&c->info, &len);
	if (f == NULL)
		return NULL;
	fprintf(f, "client=%s backend=%s ", c->addr, lp->set->backend);
	tlsopts_print_params(f, conn);
	keyopts_print_exporter(f, conn, lp->set->opts);
	fprintf(f, " sni=%s resumed=%s\n", sni != NULL ? sni : "none",
	        tlsplug_conn_resumed(conn) ? "yes" : "no");
	if (fclose(f) != 0) {
		free(c->info);
		c->info = NULL;
	}
	return c->info;
}

/* Prints the client's status line on stderr, in one write. */
static void
client_status(const struct loop *lp, struct client *c)
{
	const char *info;

	if (lp->set->quiet)
		return;
	info = client_info(lp, c);
	if (info == NULL) {
		cli_error("serve: out of memory");
		return;
	}
	fputs(info, stderr);
}

/* Starts closing: phase CL_SHUTDOWN sends our close_notify first (a clean
 * end), CL_FLUSH only writes what is queued (an alert after a failure). */
static void
client_begin_close(struct loop *lp, struct client *c, enum close_phase ph)
{
	c->phase = ph;
	client_arm(lp, c, ST_CLOSING);
}

/*
 * Moves a closing client on.  Once our last records are written, the write
 * side is shut down and whatever the peer still sends is read and thrown
 * away until it closes: closing a socket with unread data makes the kernel
 * send a reset, which can destroy our last records before the peer reads
 * them.  The TLS state no longer matters then, so the drain reads the
 * descriptor directly.  Returns false when the client is done.
 */
static bool
closing_step(struct loop *lp, struct client *c)
{
	int rc;

	if (c->phase == CL_SHUTDOWN) {
		rc = tlsplug_socket_shutdown(c->sock);
		if (rc == TLSPLUG_WANT_WRITE) {
			c->phase = CL_FLUSH;
			return client_watch(lp, c, EPOLLOUT);
		}
		if (rc != TLSPLUG_OK)
			return false;
		c->phase = CL_FLUSH;
	}
	if (c->phase == CL_FLUSH) {
		rc = tlsplug_socket_flush(c->sock);
		if (rc == TLSPLUG_WANT_WRITE)
			return client_watch(lp, c, EPOLLOUT);
		if (rc != TLSPLUG_OK)
			return false;
		if (shutdown(c->fd, SHUT_WR) != 0)
			return false;
		c->phase = CL_DRAIN;
		if (!client_watch(lp, c, EPOLLIN))
			return false;
	}
	for (int i = 0; i < DRAIN_READS; i++) {
		ssize_t n = recv(c->fd, lp->rbuf, sizeof(lp->rbuf),
		                 MSG_DONTWAIT);

		if (n > 0)
			continue;
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		                 errno == EINTR);
	}
	return true;
}

/* Starts closing c and goes as far as it can; as closing_step. */
static bool
client_close(struct loop *lp, struct client *c, enum close_phase ph)
{
	client_begin_close(lp, c, ph);
	return closing_step(lp, c);
}

/* Whether the n sniffed bytes are a whole method and its space (1), could
 * still become one (0), or cannot (-1). */
static int
sniff_http(const unsigned char *b, size_t n)
{
	int r = -1;

	for (size_t i = 0; i < NMETHODS; i++) {
		size_t len = strlen(methods[i]);

		if (memcmp(b, methods[i], n < len ? n : len) != 0)
			continue;
		if (n >= len)
			return 1;
		r = 0;
	}
	return r;
}

/* Queues a copy of data for sending back; false when out of memory. */
static bool
client_queue_copy(struct client *c, const unsigned char *a, size_t alen,
                  const unsigned char *b, size_t blen)
{
	free(c->pend);
	c->pend = malloc(alen + blen > 0 ? alen + blen : 1);
	if (c->pend == NULL) {
		cli_error("serve: out of memory");
		return false;
	}
	memcpy(c->pend, a, alen);
	if (blen > 0)
		memcpy(c->pend + alen, b, blen);
	c->out = c->pend;
	c->len = alen + blen;
	c->off = 0;
	return true;
}

/* Feeds request bytes to the HTTP reader; queues its answer once the
 * request is complete.  False on a fatal error (printed). */
static bool
client_http(const struct loop *lp, struct client *c,
            const unsigned char *data, size_t n)
{
	const char *info;
	int r = serve_http_feed(c->http, data, n);

	if (r == 0) {
		const char *interim = serve_http_interim(c->http);

		if (interim != NULL) {
			c->out = (const unsigned char *)interim;
			c->len = strlen(interim);
			c->off = 0;
		}
		return true;
	}
	info = client_info(lp, c);
	r = info == NULL ? -1 : serve_http_respond(c->http, info, &c->out,
	                                           &c->len);
	if (r != 0) {
		cli_error("serve: out of memory");
		return false;
	}
	c->off = 0;
	/* Kept alive: once the answer is out, the next request follows. */
	c->finish = !serve_http_keep_alive(c->http);
	c->http_next = !c->finish;
	return true;
}

/*
 * Takes received bytes: echo them, answer HTTP, or print them.  With
 * --echo, a client is answered as an HTTP one when it opens with a request
 * method and a space; up to SNIFF_MAX bytes are held until that is known,
 * however the client splits them into records.  Returns false on a fatal
 * error (printed).
 */
static bool
client_data(const struct loop *lp, struct client *c, const unsigned char *d,
            size_t n)
{
	if (lp->set->echo && c->http == NULL && !c->echoing) {
		int r = 0;

		while (n > 0 && c->nsniff < SNIFF_MAX && r == 0) {
			c->sniff[c->nsniff++] = *d++;
			n--;
			r = sniff_http(c->sniff, c->nsniff);
		}
		if (r == 0)
			return true;   /* wait for more */
		if (r < 0) {
			c->echoing = true;
			return client_queue_copy(c, c->sniff, c->nsniff, d,
			                         n);
		}
		c->http = serve_http_new();
		if (c->http == NULL) {
			cli_error("serve: out of memory");
			return false;
		}
		if (!client_http(lp, c, c->sniff, c->nsniff))
			return false;
		if (n == 0 || c->finish)
			return true;
	}
	if (c->echoing)
		return client_queue_copy(c, d, n, NULL, 0);
	if (lp->set->http && c->http == NULL) {
		/* Made at the first request: an idle client costs less. */
		c->http = serve_http_new();
		if (c->http == NULL) {
			cli_error("serve: out of memory");
			return false;
		}
	}
	if (c->http != NULL)
		return client_http(lp, c, d, n);
	if (cli_write_stdout(d, n) == 0)
		return true;
	cli_error("serve: stdout: %s", strerror(errno));
	return false;
}

/* The events an open or handshaking client waits for. */
static uint32_t
open_events(const struct client *c)
{
	uint32_t ev = c->want == TLSPLUG_WANT_WRITE ? EPOLLOUT : EPOLLIN;

	if (tlsplug_socket_pending_outgoing(c->sock) > 0)
		ev |= EPOLLOUT;
	return ev;
}

/* The peer ended the stream: echo what was held back, then close. */
static bool
client_end(struct loop *lp, struct client *c)
{
	if (c->nsniff > 0 && !c->echoing && c->http == NULL) {
		c->echoing = true;
		if (!client_queue_copy(c, c->sniff, c->nsniff, NULL, 0))
			return false;
		c->finish = true;
		return true;
	}
	return client_close(lp, c, CL_SHUTDOWN);
}

/* After an operation that did not succeed: wait for what it wants, or
 * report the failure and close (flushing the alert that says why). */
static bool
client_stalled(struct loop *lp, struct client *c, int rc)
{
	if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE) {
		c->want = rc;
		return client_watch(lp, c, open_events(c));
	}
	client_fail(c, rc);
	return client_close(lp, c, CL_FLUSH);
}

/*
 * Moves one client forward as far as it goes without blocking.  Returns
 * false when the client is finished (the caller frees it).
 */
static bool
client_step(struct loop *lp, struct client *c)
{
	int rc;

	if (c->state == ST_CLOSING)
		return closing_step(lp, c);
	if (c->state == ST_HANDSHAKE) {
		rc = tlsplug_socket_handshake(c->sock);
		if (rc != TLSPLUG_OK)
			return client_stalled(lp, c, rc);
		client_status(lp, c);
	}
	/* Any progress restarts the idle time-out. */
	client_arm(lp, c, ST_OPEN);
	for (int spins = 0; spins < 64; spins++) {
		size_t n = 0;

		if (c->len > c->off) {
			rc = tlsplug_socket_send_all(c->sock, c->out + c->off,
			                             c->len - c->off, &n);
			c->off += n;
			if (rc != TLSPLUG_OK)
				return client_stalled(lp, c, rc);
			c->len = c->off = 0;
			free(c->pend);
			c->pend = NULL;
			if (c->finish)
				return client_close(lp, c, CL_SHUTDOWN);
			if (c->http_next) {
				/* A pipelined request may be complete already. */
				c->http_next = false;
				(void)serve_http_next(c->http);
				if (!client_http(lp, c, NULL, 0))
					return false;
				if (c->len > c->off)
					continue;
			}
		}
		rc = tlsplug_socket_recv(c->sock, lp->rbuf, sizeof(lp->rbuf),
		                         &n);
		if (rc == TLSPLUG_OK) {
			if (!client_data(lp, c, lp->rbuf, n))
				return false;
			continue;
		}
		if (rc == TLSPLUG_CLOSED) {
			if (!client_end(lp, c))
				return false;
			if (c->state == ST_CLOSING)
				return true;
			continue;
		}
		/* An end without close_notify is no failure worth a line. */
		if (rc == TLSPLUG_RAGGED_EOF)
			return client_close(lp, c, CL_FLUSH);
		return client_stalled(lp, c, rc);
	}
	/* A client that keeps the loop busy yields to the others, and is
	 * stepped again after the next wait (which then does not block). */
	again_push(lp, c);
	return true;
}

static void
format_peer(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, ss.ss_family == AF_INET6 ? "[%s]:%s" :
		         "%s:%s", host, serv);
}

/* Puts the listener in or out of the event set, as the limit (and a pause
 * after a failed accept) allows. */
static bool
listen_watch(struct loop *lp)
{
	bool want = lp->nclients < lp->set->max_conns &&
	            now_ms() >= lp->accept_pause;
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };

	if (want == lp->listening)
		return true;
	if (epoll_ctl(lp->ep, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
	              lp->set->listen_fd, &e) != 0) {
		cli_error("serve: epoll_ctl: %s", strerror(errno));
		return false;
	}
	lp->listening = want;
	return true;
}

/* Accepts what the backlog holds, up to the connection limit and
 * ACCEPT_BATCH at a time: a burst of new connections then waits in the
 * kernel's backlog, costing us nothing, while those already accepted get
 * their turn.  Returns 0, or -1 on a failure of the loop (printed). */
static int
accept_clients(struct loop *lp)
{
	for (int i = 0; i < ACCEPT_BATCH &&
	     lp->nclients < lp->set->max_conns; i++) {
		struct tlsplug_socket *sock = NULL;
		struct tlsplug_error *err = NULL;
		struct epoll_event e = { .events = EPOLLIN };
		struct client *c;
		int rc;

		rc = tlsplug_socket_accept(lp->set->ctx, lp->set->listen_fd,
		                           &sock, &err);
		if (rc == TLSPLUG_WANT_READ)
			return 0;
		if (rc != TLSPLUG_OK) {
			/* Out of descriptors or the like: say so, keep
			 * serving the clients we have, and leave the
			 * listener alone for a moment (it stays readable,
			 * and would make the loop spin). */
			(void)tlsopts_fail("serve", rc, err);
			tlsplug_error_free(err);
			lp->accept_pause = now_ms() + ACCEPT_PAUSE_MS;
			return 0;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			cli_error("serve: out of memory");
			tlsplug_socket_free(sock);
			return -1;
		}
		c->sock = sock;
		c->fd = tlsplug_socket_fd(sock);
		c->want = TLSPLUG_WANT_READ;
		c->events = EPOLLIN;
		e.data.ptr = c;
		format_peer(c->fd, c->addr, sizeof(c->addr));
		if (epoll_ctl(lp->ep, EPOLL_CTL_ADD, c->fd, &e) != 0) {
			cli_error("serve: epoll_ctl: %s", strerror(errno));
			free(c);
			tlsplug_socket_free(sock);
			return -1;
		}
		lp->nclients++;
		if (lp->nclients > lp->peak)
			lp->peak = lp->nclients;
		c->state = ST_HANDSHAKE;
		c->deadline = now_ms() + lp->set->handshake_ms;
		list_append(&lp->lists[ST_HANDSHAKE], c);
		/* Nothing to read yet, most likely: the first event
		 * starts the handshake. */
	}
	return 0;
}

/* Ends the clients whose deadline passed; returns the ms until the next
 * deadline (-1: none). */
static int
expire(struct loop *lp)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (int st = 0; st < ST_COUNT; st++) {
		struct list *l = &lp->lists[st];

		while (l->head != NULL && l->head->deadline <= now) {
			struct client *c = l->head;

			if (st == ST_CLOSING) {
				client_free(lp, c);
				continue;
			}
			fprintf(stderr, "tlsplug: %s: client %s: %s after "
			        "%u ms\n", tlsplug_status_name(
			        TLSPLUG_ERR_TIMEOUT), c->addr, st ==
			        ST_HANDSHAKE ? "no handshake" : "idle",
			        state_ms(lp, (enum client_state)st));
			client_begin_close(lp, c, st == ST_HANDSHAKE ?
			                   CL_FLUSH : CL_SHUTDOWN);
			if (!closing_step(lp, c))
				client_free(lp, c);
		}
		if (l->head != NULL && l->head->deadline < next)
			next = l->head->deadline;
	}
	if (next == UINT64_MAX)
		return -1;
	return next - now > 60000 ? 60000 : (int)(next - now) + 1;
}

/* Steps the clients that yielded before this wait.  The stack is taken
 * whole first, since a step may push its client again; a step frees no
 * other client than its own. */
static void
run_again(struct loop *lp)
{
	struct client *c = lp->again;

	lp->again = NULL;
	while (c != NULL) {
		struct client *next = c->anext;

		c->again = false;
		c->aprev = c->anext = NULL;
		if (!client_step(lp, c))
			client_free(lp, c);
		c = next;
	}
}

int
serve_loop_run(const struct serve_settings *set, volatile sig_atomic_t *stop)
{
	struct epoll_event ev[MAX_EVENTS];
	struct loop *lp;
	sigset_t block, empty;
	int status = 0;

	lp = calloc(1, sizeof(*lp));
	if (lp == NULL) {
		cli_error("serve: out of memory");
		return EXIT_TLS_FAILURE;
	}
	lp->set = set;
	lp->ep = epoll_create1(EPOLL_CLOEXEC);
	if (lp->ep < 0) {
		cli_error("serve: epoll_create1: %s", strerror(errno));
		free(lp);
		return EXIT_TLS_FAILURE;
	}
	/* Signals are blocked except inside epoll_pwait, so none is missed
	 * between the check of *stop and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &empty);
	sigdelset(&empty, SIGINT);
	sigdelset(&empty, SIGTERM);

	while (*stop == 0 && status == 0) {
		uint64_t now;
		int n, timeout, trim;

		timeout = expire(lp);
		if (!listen_watch(lp)) {
			status = EXIT_TLS_FAILURE;
			break;
		}
		now = now_ms();
		trim = trim_idle_heap(lp, now);
		if (trim >= 0 && (timeout < 0 || trim < timeout))
			timeout = trim;
		if (!lp->listening && lp->accept_pause > now &&
		    (timeout < 0 || (uint64_t)timeout >
		     lp->accept_pause - now))
			timeout = (int)(lp->accept_pause - now) + 1;
		if (lp->again != NULL)
			timeout = 0;
		n = epoll_pwait(lp->ep, ev, MAX_EVENTS, timeout, &empty);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			cli_error("serve: epoll_wait: %s", strerror(errno));
			status = EXIT_TLS_FAILURE;
			break;
		}
		/* Each descriptor comes at most once per wait, so freeing a
		 * client never leaves a stale pointer in ev[]. */
		for (int i = 0; i < n; i++) {
			struct client *c = ev[i].data.ptr;

			if (c == NULL) {
				if (accept_clients(lp) != 0)
					status = EXIT_TLS_FAILURE;
				continue;
			}
			again_remove(lp, c);
			if (!client_step(lp, c))
				client_free(lp, c);
		}
		run_again(lp);
	}
	sigprocmask(SIG_SETMASK, &empty, NULL);
	for (int st = 0; st < ST_COUNT; st++)
		while (lp->lists[st].head != NULL)
			client_free(lp, lp->lists[st].head);
	close(lp->ep);
	free(lp);
	return status;
}
