/*
 * cmd_serve.c -- `tlsplug serve`: a TLS server for tests and demos.
 *
 * Options and set-up; serve_loop.c runs the clients (one thread, epoll,
 * non-blocking sockets, time-outs and a connection limit).  Each client gets a status line on stderr once its handshake is
 * done; its data is echoed back (--echo) or written to stdout.  SIGINT and
 * SIGTERM end the loop cleanly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "identopts.h"
#include "serve_loop.h"
#include "serve_sni.h"
#include "keyopts.h"
#include "revopts.h"
#include "tlsopts.h"

/* Time-outs (seconds) and the connection limit unless set. */
#define SERVE_HANDSHAKE_DEFAULT 10
#define SERVE_IDLE_DEFAULT 300
#define SERVE_MAX_CONNS_DEFAULT 16384
/* Descriptors kept free beside the clients' (stdio, listener, epoll,
 * key log, OCSP and CRL files, plugins). */
#define SERVE_RESERVED_FDS 32

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
	      "         [--ocsp-staple FILE] [--crl FILE ...]\n"
	      "         [--handshake-timeout SECONDS] [--idle-timeout SECONDS]\n"
	      "         [--max-connections N] [--quiet]\n"
	      "\n"
	      "A TLS server for tests and demos.  Prints\n"
	      "  listening on ADDR:PORT backend=NAME\n"
	      "on stderr once ready, then for each client a line\n"
	      "  client=ADDR:PORT backend=... version=... cipher=... group=... "
	      "alpn=...\n"
	      "  peer=... [exporter=HEX] sni=... resumed=yes|no\n"
	      "(not with --quiet).  Stops cleanly on SIGINT or SIGTERM.\n"
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
	      "  --ocsp-staple FILE   staple this DER OCSP response to clients "
	      "that ask;\n"
	      "                       FILE is read again when it changes\n"
	      "  --crl FILE           check client certificates against the "
	      "CRLs in FILE\n"
	      "  --handshake-timeout SECONDS  a client that has not finished "
	      "its handshake\n"
	      "                       by then is closed (default 10)\n"
	      "  --idle-timeout SECONDS  an established client silent that "
	      "long is closed\n"
	      "                       (default 300; 0: never)\n"
	      "  --max-connections N  clients served at once (default 16384, "
	      "or what the\n"
	      "                       descriptor limit allows); more wait in "
	      "the listen\n"
	      "                       backlog until one leaves\n"
	      "  -q, --quiet          no status line per client (failures are "
	      "still reported)\n"
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
		    listen(fd, SOMAXCONN) != 0) {
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

/* --handshake-timeout (0x310), --idle-timeout (0x311), --max-connections
 * (0x312) into *s.  Returns 0, or EXIT_USAGE (printed). */
static int
serve_limit_option(struct serve_settings *s, int opt, const char *arg)
{
	static const struct {
		const char *name, *range;
		unsigned long min, max;
	} o[] = {
		{ "--handshake-timeout", "1 to 3600 seconds", 1, 3600 },
		{ "--idle-timeout", "0 to 86400 seconds", 0, 86400 },
		{ "--max-connections", "1 to 1000000", 1, 1000000 },
	};
	int i = opt - 0x310;
	unsigned long num;

	if (cli_parse_uint(arg, o[i].max, &num) != 0 || num < o[i].min)
		return cli_usage_error("serve", "bad %s '%s' (%s)", o[i].name,
		                       arg, o[i].range);
	if (i == 0)
		s->handshake_ms = (unsigned)num * 1000;
	else if (i == 1)
		s->idle_ms = (unsigned)num * 1000;
	else
		s->max_conns = num;
	return 0;
}

/*
 * Raises the descriptor limit to its hard limit, then checks the
 * connection limit against it: *max_conns of 0 becomes the default, lowered
 * to what the descriptors allow; an explicit one they cannot hold is an
 * error.  Returns 0 or EXIT_USAGE (printed).
 */
static int
serve_limits(size_t *max_conns)
{
	struct rlimit rl;
	size_t fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		rl.rlim_cur = want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576)
		fit = 1048576;
	else
		fit = rl.rlim_cur > SERVE_RESERVED_FDS ?
		      (size_t)rl.rlim_cur - SERVE_RESERVED_FDS : 1;
	if (*max_conns == 0) {
		*max_conns = SERVE_MAX_CONNS_DEFAULT < fit ?
		             SERVE_MAX_CONNS_DEFAULT : fit;
		return 0;
	}
	if (*max_conns > fit)
		return cli_usage_error("serve", "--max-connections %zu "
		                       "exceeds what the descriptor limit "
		                       "allows (%zu)", *max_conns, fit);
	return 0;
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
		{ "crl", required_argument, NULL, 0x300 },
		{ "ocsp-staple", required_argument, NULL, 0x303 },
		{ "handshake-timeout", required_argument, NULL, 0x310 },
		{ "idle-timeout", required_argument, NULL, 0x311 },
		{ "max-connections", required_argument, NULL, 0x312 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tlsopts o = { .cmd = "serve" };
	struct revopts r = { .ncrls = 0 };
	struct serve_settings s = {
		.listen_fd = -1,
		.handshake_ms = SERVE_HANDSHAKE_DEFAULT * 1000,
		.idle_ms = SERVE_IDLE_DEFAULT * 1000,
		.max_conns = 0,
	};
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
	while ((c = cli_getopt(argc, argv, "hq", longopts)) != -1) {
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
		case 'q': s.quiet = true; break;
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
		case 0x300:
			if (revopts_add_crl(&r, "serve", optarg) != 0) {
				serve_sni_free(sni);
				return EXIT_USAGE;
			}
			break;
		case 0x303: r.ocsp_staple = optarg; break;
		case 0x310:
		case 0x311:
		case 0x312:
			if (serve_limit_option(&s, c, optarg) != 0) {
				serve_sni_free(sni);
				return EXIT_USAGE;
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
		status = revopts_apply(&r, b);
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
	if (status == 0)
		status = serve_limits(&s.max_conns);
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
		status = serve_loop_run(&s, &stop_signal);
	}
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
