/*
 * evserver.c -- a small event-loop HTTPS server: the pattern an application
 * copies to serve many TLS connections from one thread with tlsplug.
 *
 *   usage: evserver [-b BACKEND] [-p PORT] [-t SECONDS] [-c MAX] CERT KEY
 *
 * It listens on 127.0.0.1:PORT (default 0: any free port), prints
 *
 *   listening on 127.0.0.1:PORT backend=NAME
 *
 * on stderr once ready, and answers every HTTP/1.1 request head with
 * "hello\n" (keep-alive, so load tools such as `h2load --h1` can drive it;
 * request bodies are not supported).  A client whose handshake is not done
 * within -t seconds (default 5) is dropped, so half-open clients cannot pin
 * the server; at most -c clients (default 1024) are served at once.
 * SIGINT or SIGTERM ends it cleanly: every connection is sent close_notify
 * and freed, and it exits 0.
 *
 * The pattern (Linux: epoll; the same shape works with poll or kqueue):
 *   - a non-blocking listening socket; accept4() until EAGAIN;
 *   - each client's descriptor is non-blocking and wrapped in a
 *     struct tlsplug_socket (the public socket API); its calls return
 *     TLSPLUG_WANT_READ or TLSPLUG_WANT_WRITE instead of waiting, and the
 *     loop then waits for that readiness on the descriptor, nothing else;
 *   - per-connection state (struct client) remembers where it stopped:
 *     handshaking, reading a request, or writing a response;
 *   - time-outs without a timer per connection: every client with the same
 *     time-out sits in a list ordered by its deadline (appended when its
 *     clock starts), so the loop looks at the list heads only;
 *   - signals arrive through a signalfd, as one more event.
 * Level-triggered epoll: a client is polled for exactly what its last
 * call asked for, and the loop reads until WANT_READ before it waits (the
 * engine and the socket may hold decrypted or buffered data).
 */
#define _GNU_SOURCE   /* accept4() */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#define IDLE_TIMEOUT_MS 60000   /* an established client may idle 60 s */
#define REQ_MAX 8192            /* largest request head we take */

static const char hello[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 6\r\n"
	"\r\n"
	"hello\n";
static const char hello_close[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 6\r\n"
	"Connection: close\r\n"
	"\r\n"
	"hello\n";
static const char too_large[] =
	"HTTP/1.1 431 Request Header Fields Too Large\r\n"
	"Content-Length: 0\r\n"
	"Connection: close\r\n"
	"\r\n";

/* A list of clients ordered by deadline (oldest clock start first). */
struct client_list {
	struct client *head, *tail;
};

/* Everything one connection needs between events. */
struct client {
	int fd;
	struct tlsplug_socket *sock;
	int handshake_done;
	uint32_t events;           /* what epoll watches for it now */
	uint64_t since_ms;         /* its time-out clock started here */
	struct client_list *list;  /* handshaking or established */
	struct client *prev, *next;
	const char *out;           /* response being sent, or NULL */
	size_t out_len, out_done;
	int close_after;           /* end the connection once out is sent */
	size_t in_len;
	char in[REQ_MAX];
};

struct server {
	int epfd, lfd, sigfd;
	struct tlsplug_context *ctx;
	struct client_list handshaking, established;
	uint64_t handshake_ms;
	size_t nclients, max_clients;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
list_remove(struct client *c)
{
	struct client_list *l = c->list;

	if (l == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->list = NULL;
}

/* (Re)starts c's time-out clock: to the tail of list l. */
static void
list_touch(struct client_list *l, struct client *c)
{
	list_remove(c);
	c->since_ms = now_ms();
	c->list = l;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

/* Ends a client: close_notify if the handshake was done (best effort: a
 * non-blocking send that does not fit is dropped), then every resource. */
static void
client_free(struct server *s, struct client *c)
{
	if (c->handshake_done)
		(void)tlsplug_socket_shutdown(c->sock);
	/* The descriptor is ours (tlsplug_socket_new never closes it). */
	tlsplug_socket_free(c->sock);
	(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	list_remove(c);
	free(c);
	s->nclients--;
}

/* Makes epoll watch c for what the last call asked (rc is
 * TLSPLUG_WANT_READ or TLSPLUG_WANT_WRITE); 0, or -1 on failure. */
static int
client_wait(struct server *s, struct client *c, int rc)
{
	uint32_t ev = rc == TLSPLUG_WANT_WRITE ? EPOLLOUT : EPOLLIN;
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (ev == c->events)
		return 0;       /* already so: save the system call */
	c->events = ev;
	return epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &e);
}

/* Looks for one complete request head at the start of c->in; when there
 * is one, takes it out and picks the response.  Returns 1 when a response
 * is ready, 0 when more input is needed. */
static int
parse_request(struct client *c)
{
	char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	size_t head;

	if (end == NULL) {
		if (c->in_len < sizeof(c->in))
			return 0;
		c->out = too_large;   /* no room left: refuse and close */
		c->out_len = sizeof(too_large) - 1;
		c->close_after = 1;
		c->in_len = 0;
		return 1;
	}
	head = (size_t)(end - c->in) + 4;
	end[2] = '\0';   /* the head as a string, for the checks below */
	/* HTTP/1.0 closes unless asked otherwise; "Connection: close" too.
	 * (A real server parses the header fields properly.) */
	c->close_after = strstr(c->in, " HTTP/1.0\r\n") != NULL ||
	    strstr(c->in, "\nConnection: close\r") != NULL ||
	    strstr(c->in, "\nconnection: close\r") != NULL;
	c->out = c->close_after ? hello_close : hello;
	c->out_len = (c->close_after ? sizeof(hello_close) : sizeof(hello)) - 1;
	c->out_done = 0;
	/* Keep what follows (a pipelined request) for the next round. */
	memmove(c->in, c->in + head, c->in_len - head);
	c->in_len -= head;
	return 1;
}

/* Moves c as far as it can go without waiting: handshake, then
 * alternately send the pending response and read the next request.
 * Returns 0 to keep c (its epoll interest set), -1 to drop it. */
static int
client_run(struct server *s, struct client *c)
{
	size_t n;
	int rc;

	if (!c->handshake_done) {
		rc = tlsplug_socket_handshake(c->sock);
		if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE)
			return client_wait(s, c, rc);
		if (rc != TLSPLUG_OK)
			return -1;   /* bad client, alert sent if possible */
		c->handshake_done = 1;
		/* From now on the idle time-out applies. */
		list_touch(&s->established, c);
	}
	/* Bounded: a client that keeps pipelining yields after 64 requests,
	 * to come back on its next event (level-triggered: at once). */
	for (int round = 0; round < 64; round++) {
		while (c->out != NULL && c->out_done < c->out_len) {
			rc = tlsplug_socket_send(c->sock, c->out + c->out_done,
			                         c->out_len - c->out_done, &n);
			if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE)
				return client_wait(s, c, rc);
			if (rc != TLSPLUG_OK)
				return -1;
			c->out_done += n;
		}
		if (c->out != NULL) {
			c->out = NULL;
			if (c->close_after)
				return -1;   /* client_free sends close_notify */
		}
		/* A request may already be buffered (pipelining). */
		if (parse_request(c))
			continue;
		rc = tlsplug_socket_recv(c->sock, c->in + c->in_len,
		                         sizeof(c->in) - c->in_len, &n);
		if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE)
			return client_wait(s, c, rc);
		if (rc != TLSPLUG_OK)
			return -1;   /* CLOSED, RAGGED_EOF or an error */
		c->in_len += n;
		list_touch(&s->established, c);
	}
	return client_wait(s, c, TLSPLUG_WANT_READ);
}

/* Accepts every pending connection (the listener is non-blocking). */
static void
accept_all(struct server *s)
{
	struct tlsplug_error *err = NULL;

	for (;;) {
		struct epoll_event e;
		struct client *c;
		int fd = accept4(s->lfd, NULL, NULL,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* EAGAIN: no more for now.  EMFILE and the like: the
			 * connection waits in the backlog and the listener
			 * stays readable, so this is tried again at once; a
			 * production server takes the listener out of the
			 * epoll set for a moment instead (tlsplug serve
			 * does). */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				perror("evserver: accept");
			return;
		}
		if (s->nclients >= s->max_clients ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);   /* over the limit: refuse */
			continue;
		}
		c->fd = fd;
		if (tlsplug_socket_new(s->ctx, fd, NULL, &c->sock, &err) !=
		    TLSPLUG_OK) {
			fprintf(stderr, "evserver: %s\n",
			        tlsplug_error_message(err));
			tlsplug_error_free(err);
			err = NULL;
			close(fd);
			free(c);
			continue;
		}
		/* The client speaks first (ClientHello): wait for input. */
		c->events = EPOLLIN;
		e.events = EPOLLIN;
		e.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
			tlsplug_socket_free(c->sock);
			close(fd);
			free(c);
			continue;
		}
		s->nclients++;
		list_touch(&s->handshaking, c);
	}
}

/* Drops the clients whose time is up; returns the milliseconds until the
 * next deadline (for epoll_wait), at most 1000. */
static int
expire(struct server *s)
{
	uint64_t now = now_ms(), wait = 1000;
	struct { struct client_list *l; uint64_t ms; } lists[2] = {
		{ &s->handshaking, s->handshake_ms },
		{ &s->established, IDLE_TIMEOUT_MS },
	};

	for (int i = 0; i < 2; i++) {
		struct client *c;

		/* The head has the earliest deadline: stop at the first
		 * client whose time is not up. */
		while ((c = lists[i].l->head) != NULL &&
		       now - c->since_ms >= lists[i].ms)
			client_free(s, c);
		if (c != NULL && c->since_ms + lists[i].ms - now < wait)
			wait = c->since_ms + lists[i].ms - now;
	}
	return (int)wait;
}

/* The listening socket: non-blocking, 127.0.0.1:port. */
static int
listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 1024) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The server context: one certificate chain with its key, http/1.1. */
static struct tlsplug_context *
make_context(const struct tlsplug_backend *backend, const char *cert_file,
             const char *key_file)
{
	static const char *const alpn[] = { TLSPLUG_ALPN_HTTP1 };
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;

	if (b == NULL)
		return NULL;
	if (tlsplug_certificate_from_file(cert_file, &cert, &err) != TLSPLUG_OK ||
	    tlsplug_private_key_from_file(key_file, &key, &err) != TLSPLUG_OK) {
		fprintf(stderr, "evserver: %s\n", tlsplug_error_message(err));
		goto out;
	}
	if (tlsplug_config_builder_add_cert_chain(b, cert, NULL, key) !=
	    TLSPLUG_OK ||
	    tlsplug_config_builder_set_alpn(b, alpn, 1) != TLSPLUG_OK ||
	    tlsplug_config_builder_build(b, &cfg) != TLSPLUG_OK) {
		fprintf(stderr, "evserver: %s\n",
		        tlsplug_error_message(tlsplug_config_builder_error(b)));
		goto out;
	}
	if (tlsplug_context_new(backend, TLSPLUG_SERVER, cfg, &ctx, &err) !=
	    TLSPLUG_OK)
		fprintf(stderr, "evserver: %s\n", tlsplug_error_message(err));
out:
	tlsplug_error_free(err);
	tlsplug_config_unref(cfg);   /* the context keeps its reference */
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	tlsplug_config_builder_free(b);
	return ctx;
}

static void
usage(void)
{
	fprintf(stderr, "usage: evserver [-b BACKEND] [-p PORT] [-t SECONDS] "
	        "[-c MAX] CERT KEY\n");
	exit(2);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	const char *backend_name = NULL;
	const struct tlsplug_backend *backend;
	struct tlsplug_registry *reg = NULL;
	struct tlsplug_error *err = NULL;
	struct server s = { .epfd = -1, .lfd = -1, .sigfd = -1,
	                    .handshake_ms = 5000, .max_clients = 1024 };
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	struct epoll_event e;
	sigset_t sigs;
	int c, port = 0, status = 1, running = 1;

	while ((c = getopt(argc, argv, "b:p:t:c:")) != -1) {
		switch (c) {
		case 'b': backend_name = optarg; break;
		case 'p': port = (int)number(optarg, 0, 65535); break;
		case 't': s.handshake_ms =
		              (uint64_t)number(optarg, 1, 3600) * 1000; break;
		case 'c': s.max_clients = (size_t)number(optarg, 1, 1000000);
		          break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();

	if (tlsplug_registry_new(NULL, &reg, &err) != TLSPLUG_OK) {
		fprintf(stderr, "evserver: %s\n", tlsplug_error_message(err));
		tlsplug_error_free(err);
		return 1;
	}
	if (tlsplug_registry_choose(reg, backend_name, &backend, NULL, NULL) !=
	    TLSPLUG_OK) {
		fprintf(stderr, "evserver: %s\n",
		        tlsplug_error_message(tlsplug_registry_error(reg)));
		goto out;
	}
	s.ctx = make_context(backend, argv[optind], argv[optind + 1]);
	if (s.ctx == NULL)
		goto out;

	/* SIGINT and SIGTERM become readable events on sigfd; SIGPIPE is
	 * not a concern (the socket API writes with MSG_NOSIGNAL). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) != 0 ||
	    (s.sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (s.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (s.lfd = listen_on(port)) < 0 ||
	    getsockname(s.lfd, (struct sockaddr *)&addr, &alen) != 0) {
		perror("evserver");
		goto out;
	}
	/* data.ptr NULL: the listener; &s.sigfd: the signals. */
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, s.lfd, &e) != 0)
		goto out;
	e.data.ptr = &s.sigfd;
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, s.sigfd, &e) != 0)
		goto out;
	fprintf(stderr, "listening on 127.0.0.1:%d backend=%s\n",
	        ntohs(addr.sin_port), tlsplug_backend_name(backend));

	while (running) {
		struct epoll_event ev[64];
		int n = epoll_wait(s.epfd, ev, 64, expire(&s));

		if (n < 0 && errno != EINTR) {
			perror("evserver: epoll_wait");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			struct client *cl = ev[i].data.ptr;

			if (cl == NULL)
				accept_all(&s);
			else if ((void *)cl == (void *)&s.sigfd)
				running = 0;
			else if (client_run(&s, cl) != 0)
				client_free(&s, cl);
		}
	}
	status = 0;
out:
	/* Clean shutdown: every client gets close_notify and is freed. */
	while (s.handshaking.head != NULL)
		client_free(&s, s.handshaking.head);
	while (s.established.head != NULL)
		client_free(&s, s.established.head);
	if (s.lfd >= 0)
		close(s.lfd);
	if (s.sigfd >= 0)
		close(s.sigfd);
	if (s.epfd >= 0)
		close(s.epfd);
	tlsplug_context_unref(s.ctx);
	tlsplug_registry_free(reg);
	return status;
}
