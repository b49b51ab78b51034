/*
 * cmd_serve.c -- `tlsplug serve`: a TLS server for tests and demos.
 *
 * One thread, one poll loop, non-blocking sockets: any number of clients at
 * once.  Each client gets a status line on stderr once its handshake is
 * done; its data is echoed back (--echo) or written to stdout.  SIGINT and
 * SIGTERM end the loop cleanly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "identopts.h"
#include "serve_http.h"
#include "serve_sni.h"
#include "keyopts.h"
#include "tlsopts.h"

#define CLIENT_BUFSIZE 16384

enum client_state { HANDSHAKE, OPEN, CLOSING };

struct client {
	struct tlsplug_socket *sock;
	enum client_state state;
	int want;                 /* TLSPLUG_WANT_READ or _WANT_WRITE */
	char addr[NI_MAXHOST + NI_MAXSERV + 4];
	struct serve_http *http;  /* --http: the request being read */
	const unsigned char *out; /* to send: buf (--echo) or an HTTP answer */
	size_t len, off;
	bool finish;              /* close once out is sent */
	bool echoing;             /* --echo, and not an HTTP client */
	unsigned char buf[CLIENT_BUFSIZE];
};

struct server {
	struct tlsplug_context *ctx;
	const struct tlsopts *opts;
	const char *backend;
	bool echo;
	bool http;
	int listen_fd;
	struct client **clients;
	size_t nclients, cap;
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
serve_usage(FILE *f)
{
	fputs("usage: tlsplug serve --port N [--bind ADDR] --cert FILE "
	      "--key FILE [--pass P]\n"
	      "         [--sni NAME=CERT,KEY ...] [--alpn P1,P2]\n"
	      "         [--cafile FILE --require-client-cert | "
	      "--request-client-cert]\n"
	      "         [--backend NAME]"
	      " [--echo | --http]\n"
	      "         [--min-version V] [--max-version V] [--ciphers "
	      "NAME,...]\n"
	      "         [--keylog FILE] [--exporter LABEL:LEN] [--groups G,...]"
	      " [--sigalgs S,...]\n"
	      "         [--ticket-key FILE] [--ticket-lifetime SECONDS] "
	      "[--no-tickets]\n"
	      "\n"
	      "A TLS server for tests and demos.  Prints\n"
	      "  listening on ADDR:PORT backend=NAME\n"
	      "on stderr once ready, then for each client a line\n"
	      "  client=ADDR:PORT backend=... version=... cipher=... group=... "
	      "alpn=...\n"
	      "  peer=... [exporter=HEX] sni=... resumed=yes|no\n"
	      "Stops cleanly on SIGINT or SIGTERM.\n"
	      "\n"
	      "  --port N             port to listen on (0: any free port, "
	      "printed)\n"
	      "  --bind ADDR          address to listen on (default 127.0.0.1)"
	      "\n"
	      "  --cert FILE          certificate chain (PEM, leaf first)\n"
	      "  --key FILE           its private key\n"
	      "  --pass PASSWORD      password of an encrypted key\n"
	      "  --sni NAME=CERT,KEY  serve this chain to clients asking for "
	      "NAME\n"
	      "                       (may be repeated; NAME may be *.domain)\n"
	      "  --alpn P1,P2         ALPN protocols, in preference order\n"
	      "  --cafile FILE        verify client certificates against FILE\n"
	      "  --require-client-cert  ask every client for a certificate "
	      "(needs --cafile)\n"
	      "  --request-client-cert  ask for one, accept clients without; "
	      "one that is\n"
	      "                       sent must verify (needs --cafile)\n"
	      "  --backend NAME       use this backend\n"
	      "  --echo               send each client's data back to it "
	      "(default: print it);\n"
	      "                       a client opening with an HTTP request "
	      "is answered as\n"
	      "                       with --http (so curl works too)\n"
	      "  --http               answer one HTTP/1.1 request per "
	      "connection: its body\n"
	      "                       back, or the client's status line "
	      "(for curl)\n"
	      "  --min-version V, --max-version V, --ciphers NAME,...  as for "
	      "connect\n"
	      KEYOPTS_HELP
	      "  --ticket-key FILE    session ticket master key (64 bytes or "
	      "128 hex digits,\n"
	      "                       mode 0600; see tlsplug.conf(5)): "
	      "servers sharing it\n"
	      "                       resume each other's sessions\n"
	      "  --ticket-lifetime SECONDS  ticket lifetime and key rotation "
	      "(default 7200)\n"
	      "  --no-tickets         issue no session tickets\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "Exit status: 0 after a signal, 1 TLS or socket failure, 2 usage "
	      "error.\n", f);
}

static void
format_sockaddr(const struct sockaddr *sa, socklen_t len, char *buf,
                size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" :
		         "%s:%s", host, serv);
}

/* Opens the listening socket.  Returns the fd or -1 (printed). */
static int
open_listener(const char *bind_addr, const char *port, char *where,
              size_t where_size)
{
	struct addrinfo hints, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fd = -1, e = 0, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(bind_addr, port, &hints, &res);
	if (rc != 0) {
		cli_error("serve: cannot resolve %s: %s", bind_addr,
		          gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		            SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		                 sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
		    listen(fd, 64) != 0) {
			e = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		cli_error("serve: cannot listen on %s port %s: %s", bind_addr,
		          port, strerror(e));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		cli_error("serve: getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	format_sockaddr((struct sockaddr *)&ss, sslen, where, where_size);
	return fd;
}

static void
client_drop(struct server *s, size_t i)
{
	tlsplug_socket_free(s->clients[i]->sock);
	serve_http_free(s->clients[i]->http);
	free(s->clients[i]);
	s->clients[i] = s->clients[--s->nclients];
}

/* Reports a client's failure; the server goes on. */
static void
client_fail(struct client *c, int rc)
{
	const struct tlsplug_error *e = tlsplug_socket_error(c->sock);
	char prefix[sizeof(c->addr) + 16];

	snprintf(prefix, sizeof(prefix), "client %s", c->addr);
	(void)tlsopts_fail(prefix, rc, e);
}

static void
client_status(FILE *f, const struct server *s, struct client *c)
{
	struct tlsplug_conn *conn = tlsplug_socket_conn(c->sock);
	const char *sni = tlsplug_conn_server_name(conn);

	fprintf(f, "client=%s backend=%s ", c->addr, s->backend);
	tlsopts_print_params(f, conn);
	keyopts_print_exporter(f, conn, s->opts);
	fprintf(f, " sni=%s resumed=%s\n", sni != NULL ? sni : "none",
	        tlsplug_conn_resumed(conn) ? "yes" : "no");
	fflush(f);
}

/* True when data starts with an HTTP/1.x request method and a space. */
static bool
looks_like_http(const unsigned char *data, size_t n)
{
	static const char *const methods[] = {
		"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ",
		"PATCH ",
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t len = strlen(methods[i]);

		if (n >= len && memcmp(data, methods[i], len) == 0)
			return true;
	}
	return false;
}

/* Takes received bytes: echo them, answer HTTP, or print them.  Returns
 * false on a fatal error (printed). */
static bool
client_data(const struct server *s, struct client *c, size_t n)
{
	char *info = NULL;
	size_t infolen = 0;
	FILE *f;
	int r;

	/* An echo server answers a client that opens with an HTTP request
	 * line as --http would, so curl can be pointed at it too. */
	if (s->echo && c->http == NULL && !c->echoing) {
		if (looks_like_http(c->buf, n)) {
			c->http = serve_http_new();
			if (c->http == NULL) {
				cli_error("serve: out of memory");
				return false;
			}
		} else {
			c->echoing = true;
		}
	}
	if (c->echoing) {
		c->out = c->buf;
		c->len = n;
		c->off = 0;
		return true;
	}
	if (c->http == NULL) {
		if (cli_write_stdout(c->buf, n) == 0)
			return true;
		cli_error("serve: stdout: %s", strerror(errno));
		return false;
	}
	r = serve_http_feed(c->http, c->buf, n);
	if (r == 0) {
		const char *interim = serve_http_interim(c->http);

		if (interim != NULL) {
			c->out = (const unsigned char *)interim;
			c->len = strlen(interim);
			c->off = 0;
		}
		return true;
	}
	f = open_memstream(&info, &infolen);
	if (f != NULL) {
		client_status(f, s, c);
		fclose(f);
	}
	r = info == NULL ? -1 : serve_http_respond(c->http, info, &c->out,
	                                           &c->len);
	free(info);
	if (r != 0) {
		cli_error("serve: out of memory");
		return false;
	}
	c->off = 0;
	c->finish = true;
	return true;
}

/*
 * Moves one client forward as far as it goes without blocking.  Returns
 * false when the client is finished (dropped by the caller).
 */
static bool
client_step(struct server *s, struct client *c)
{
	int rc;

	if (c->state == HANDSHAKE) {
		rc = tlsplug_socket_handshake(c->sock);
		if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE) {
			c->want = rc;
			return true;
		}
		if (rc != TLSPLUG_OK) {
			client_fail(c, rc);
			return false;
		}
		client_status(stderr, s, c);
		c->state = OPEN;
	}
	if (c->state == CLOSING) {
		rc = tlsplug_socket_flush(c->sock);
		if (rc == TLSPLUG_WANT_WRITE) {
			c->want = rc;
			return true;
		}
		return false;
	}
	for (;;) {
		size_t n = 0;

		if (c->len > c->off) {
			rc = tlsplug_socket_send_all(c->sock, c->out + c->off,
			                             c->len - c->off, &n);
			c->off += n;
			if (rc == TLSPLUG_WANT_READ ||
			    rc == TLSPLUG_WANT_WRITE) {
				c->want = rc;
				return true;
			}
			if (rc != TLSPLUG_OK) {
				client_fail(c, rc);
				return false;
			}
			c->len = c->off = 0;
			if (c->finish)
				goto close;
		}
		rc = tlsplug_socket_recv(c->sock, c->buf, sizeof(c->buf), &n);
		if (rc == TLSPLUG_OK) {
			if (!client_data(s, c, n))
				return false;
			continue;
		}
		if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE) {
			c->want = rc;
			return true;
		}
		if (rc == TLSPLUG_CLOSED)
			goto close;
		if (rc != TLSPLUG_RAGGED_EOF)
			client_fail(c, rc);
		return false;
	}
close:
	/* Our close_notify (an answer to the client's, or the end of an
	 * HTTP exchange), then let go. */
	rc = tlsplug_socket_shutdown(c->sock);
	if (rc == TLSPLUG_WANT_WRITE) {
		c->state = CLOSING;
		c->want = rc;
		return true;
	}
	return false;
}

static int
accept_clients(struct server *s)
{
	for (;;) {
		struct tlsplug_socket *sock = NULL;
		struct tlsplug_error *err = NULL;
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		struct client *c;
		int rc;

		rc = tlsplug_socket_accept(s->ctx, s->listen_fd, &sock, &err);
		if (rc == TLSPLUG_WANT_READ)
			return 0;
		if (rc != TLSPLUG_OK) {
			/* Out of descriptors or the like: say so, keep
			 * serving the clients we have. */
			(void)tlsopts_fail("serve", rc, err);
			tlsplug_error_free(err);
			return 0;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL || (s->nclients == s->cap &&
		    (s->cap = s->cap ? s->cap * 2 : 16,
		     s->clients = realloc(s->clients, s->cap *
		                          sizeof(*s->clients))) == NULL)) {
			cli_error("serve: out of memory");
			free(c);
			tlsplug_socket_free(sock);
			return -1;
		}
		c->sock = sock;
		if (s->http && (c->http = serve_http_new()) == NULL) {
			cli_error("serve: out of memory");
			free(c);
			tlsplug_socket_free(sock);
			return -1;
		}
		c->state = HANDSHAKE;
		c->want = TLSPLUG_WANT_READ;
		if (getpeername(tlsplug_socket_fd(sock), (struct sockaddr *)&ss,
		                &sslen) == 0)
			format_sockaddr((struct sockaddr *)&ss, sslen, c->addr,
			                sizeof(c->addr));
		else
			snprintf(c->addr, sizeof(c->addr), "?");
		s->clients[s->nclients++] = c;
		if (!client_step(s, c))
			client_drop(s, s->nclients - 1);
	}
}

static int
serve_loop(struct server *s)
{
	struct pollfd *p = NULL;
	size_t pcap = 0;
	sigset_t block, empty;
	int status = 0;

	/* Signals are blocked except inside ppoll, so none is missed between
	 * the check of stop_signal and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &empty);
	sigdelset(&empty, SIGINT);
	sigdelset(&empty, SIGTERM);

	while (stop_signal == 0) {
		size_t i, n;

		if (pcap < s->nclients + 1) {
			struct pollfd *np;

			pcap = s->nclients + 16;
			np = realloc(p, pcap * sizeof(*p));
			if (np == NULL) {
				cli_error("serve: out of memory");
				status = EXIT_TLS_FAILURE;
				break;
			}
			p = np;
		}
		p[0].fd = s->listen_fd;
		p[0].events = POLLIN;
		for (i = 0; i < s->nclients; i++) {
			struct client *c = s->clients[i];

			p[i + 1].fd = tlsplug_socket_fd(c->sock);
			p[i + 1].events = c->want == TLSPLUG_WANT_WRITE ?
			                  POLLOUT : POLLIN;
			if (tlsplug_socket_pending_outgoing(c->sock) > 0)
				p[i + 1].events |= POLLOUT;
		}
		n = s->nclients;
		if (ppoll(p, n + 1, NULL, &empty) < 0) {
			if (errno == EINTR)
				continue;
			cli_error("serve: poll: %s", strerror(errno));
			status = EXIT_TLS_FAILURE;
			break;
		}
		/* Clients first, newest last: accepting reorders nothing
		 * before the indexes are used. */
		for (i = n; i-- > 0;) {
			if (p[i + 1].revents == 0)
				continue;
			if (!client_step(s, s->clients[i]))
				client_drop(s, i);
		}
		if (p[0].revents != 0 && accept_clients(s) != 0) {
			status = EXIT_TLS_FAILURE;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &empty, NULL);
	free(p);
	return status;
}

/* The session ticket settings.  Returns 0, or prints the failure and
 * returns EXIT_TLS_FAILURE. */
static int
serve_tickets(struct tlsplug_config_builder *b, const char *key_file,
              uint32_t lifetime, bool off)
{
	int rc = TLSPLUG_OK;

	if (off)
		rc = tlsplug_config_builder_set_session_tickets(b, 0);
	if (rc == TLSPLUG_OK && key_file != NULL)
		rc = tlsplug_config_builder_set_ticket_key_file(b, key_file);
	if (rc == TLSPLUG_OK && lifetime != 0)
		rc = tlsplug_config_builder_set_ticket_lifetime(b, lifetime);
	if (rc != TLSPLUG_OK)
		return tlsopts_fail(NULL, rc, tlsplug_config_builder_error(b));
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "bind", required_argument, NULL, 'B' },
		{ "cert", required_argument, NULL, 'E' },
		{ "key", required_argument, NULL, 'K' },
		{ "pass", required_argument, NULL, 'p' },
		{ "sni", required_argument, NULL, 'S' },
		{ "alpn", required_argument, NULL, 'a' },
		{ "cafile", required_argument, NULL, 'C' },
		{ "require-client-cert", no_argument, NULL, 'R' },
		{ "request-client-cert", no_argument, NULL, 'Q' },
		{ "backend", required_argument, NULL, 'b' },
		{ "echo", no_argument, NULL, 'e' },
		{ "http", no_argument, NULL, 'H' },
		{ "min-version", required_argument, NULL, 'm' },
		{ "max-version", required_argument, NULL, 'M' },
		{ "ciphers", required_argument, NULL, 'c' },
		KEYOPTS_LONGOPTS,
		{ "ticket-key", required_argument, NULL, 'T' },
		{ "ticket-lifetime", required_argument, NULL, 'L' },
		{ "no-tickets", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tlsopts o = { .cmd = "serve" };
	struct server s = { .listen_fd = -1 };
	struct serve_sni *sni = NULL;
	struct tlsplug_registry *reg = NULL;
	const struct tlsplug_backend *backend;
	struct tlsplug_config_builder *b = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_error *err = NULL;
	const char *port = NULL, *bind_addr = "127.0.0.1";
	char where[NI_MAXHOST + NI_MAXSERV + 4];
	bool require_cert = false, request_cert = false, no_tickets = false;
	enum tlsplug_client_cert_mode mode = TLSPLUG_CLIENT_CERT_AUTO;
	const char *ticket_key = NULL;
	unsigned long portnum, lifetime = 0;
	struct sigaction sa;
	int c, rc, status;

	sni = serve_sni_new();
	if (sni == NULL) {
		cli_error("out of memory");
		return EXIT_TLS_FAILURE;
	}
	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'P': port = optarg; break;
		case 'B': bind_addr = optarg; break;
		case 'E': o.cert = optarg; break;
		case 'K': o.key = optarg; break;
		case 'p': o.pass = optarg; break;
		case 'a': o.alpn = optarg; break;
		case 'C': o.cafile = optarg; break;
		case 'R':
			require_cert = true;
			mode = TLSPLUG_CLIENT_CERT_REQUIRE;
			break;
		case 'Q':
			request_cert = true;
			mode = TLSPLUG_CLIENT_CERT_REQUEST;
			break;
		case 'b': o.backend = optarg; break;
		case 'e': s.echo = true; break;
		case 'H': s.http = true; break;
		case 'm': o.min_version = optarg; break;
		case 'M': o.max_version = optarg; break;
		case 'c': o.ciphers = optarg; break;
		case 'T': ticket_key = optarg; break;
		case 'N': no_tickets = true; break;
		case 'L':
			if (cli_parse_uint(optarg, 604800, &lifetime) != 0 ||
			    lifetime == 0) {
				serve_sni_free(sni);
				return cli_usage_error("serve", "bad "
				    "--ticket-lifetime '%s' (1 to 604800 "
				    "seconds)", optarg);
			}
			break;
		case 'S':
			if (serve_sni_add_arg(sni, optarg) != 0) {
				serve_sni_free(sni);
				return cli_usage_error("serve", "bad --sni '%s' "
				                       "(NAME=CERT,KEY)", optarg);
			}
			break;
		case 'h':
			serve_sni_free(sni);
			serve_usage(stdout);
			return 0;
		default:
			if (keyopts_option(&o, c, optarg))
				break;
			serve_sni_free(sni);
			return EXIT_USAGE;
		}
	}
	status = 0;
	if (optind < argc)
		status = cli_usage_error("serve", "unexpected argument '%s'",
		                         argv[optind]);
	else if (port == NULL)
		status = cli_usage_error("serve", "--port is required");
	else if (cli_parse_uint(port, 65535, &portnum) != 0)
		status = cli_usage_error("serve", "bad --port '%s'", port);
	else if (no_tickets && (ticket_key != NULL || lifetime != 0))
		status = cli_usage_error("serve", "--no-tickets excludes "
		                         "--ticket-key and --ticket-lifetime");
	else if (s.echo && s.http)
		status = cli_usage_error("serve", "--echo and --http exclude "
		                         "each other");
	else if (o.cert == NULL || o.key == NULL)
		status = cli_usage_error("serve", "--cert and --key are "
		                         "required");
	else if (require_cert && request_cert)
		status = cli_usage_error("serve", "--require-client-cert and "
		                         "--request-client-cert exclude each "
		                         "other");
	else if (require_cert && o.cafile == NULL)
		status = cli_usage_error("serve", "--require-client-cert needs "
		                         "--cafile");
	else if (request_cert && o.cafile == NULL)
		status = cli_usage_error("serve", "--request-client-cert needs "
		                         "--cafile");
	else
		status = tlsopts_check(&o);
	if (status != 0) {
		serve_sni_free(sni);
		return status;
	}

	status = tlsopts_backend(o.backend, &reg, &backend);
	/* No flag: the configuration files' client_cert, if any. */
	if (status == 0 && !require_cert && !request_cert)
		mode = tlsplug_registry_conf_client_cert(reg);
	if (status == 0 && o.cafile != NULL && !require_cert &&
	    !request_cert && mode == TLSPLUG_CLIENT_CERT_AUTO)
		/* A server config with a trust store asks for client
		 * certificates: say so rather than do it silently. */
		status = cli_usage_error("serve", "--cafile verifies client "
		                         "certificates: add "
		                         "--require-client-cert or "
		                         "--request-client-cert");
	if (status == 0)
		status = tlsopts_builder(&o, &b);
	if (status == 0 && mode != TLSPLUG_CLIENT_CERT_AUTO)
		status = identopts_client_cert(b, mode);
	if (status == 0)
		status = serve_tickets(b, ticket_key, (uint32_t)lifetime,
		                       no_tickets);
	if (status == 0)
		status = serve_sni_configure(sni, b);
	if (status == 0)
		status = tlsopts_build(b, &cfg);
	if (status == 0) {
		rc = tlsplug_context_new(backend, TLSPLUG_SERVER, cfg, &s.ctx,
		                         &err);
		if (rc != TLSPLUG_OK)
			status = tlsopts_fail(NULL, rc, err);
		else
			keyopts_warn(s.ctx);
		s.opts = &o;
	}
	if (status == 0) {
		s.listen_fd = open_listener(bind_addr, port, where,
		                            sizeof(where));
		if (s.listen_fd < 0)
			status = EXIT_TLS_FAILURE;
	}
	if (status == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
		s.backend = tlsplug_backend_name(backend);
		fprintf(stderr, "listening on %s backend=%s\n", where,
		        s.backend);
		fflush(stderr);
		status = serve_loop(&s);
	}
	while (s.nclients > 0)
		client_drop(&s, s.nclients - 1);
	free(s.clients);
	if (s.listen_fd >= 0)
		close(s.listen_fd);
	tlsplug_error_free(err);
	tlsplug_context_unref(s.ctx);
	tlsplug_config_unref(cfg);
	tlsplug_config_builder_free(b);
	serve_sni_free(sni);
	tlsplug_registry_free(reg);
	return status;
}
