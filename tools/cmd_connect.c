/*
 * cmd_connect.c -- `tlsplug connect HOST:PORT`: a TLS client reduced to what
 * matters.  Handshakes, prints one key=value status line on stderr, then
 * relays stdin to the server and the server's data to stdout until either
 * side ends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "identopts.h"
#include "keyopts.h"
#include "revopts.h"
#include "tlsopts.h"

#define RELAY_BUFSIZE 16384

static void
connect_usage(FILE *f)
{
	fputs("usage: tlsplug connect HOST:PORT [--backend NAME] [--cafile FILE]"
	      "\n"
	      "         [--no-verify] [--servername NAME] [--alpn P1,P2]\n"
	      "         [--min-version V] [--max-version V] [--ciphers "
	      "NAME,...]\n"
	      "         [--cert FILE --key FILE [--pass PASSWORD]] "
	      "[--timeout SECONDS]\n"
	      "         [--keylog FILE] [--exporter LABEL:LEN] [--groups G,...]"
	      " [--sigalgs S,...]\n"
	      "         [--pin sha256//BASE64[,...]] [--peer-chain FILE]\n"
	      "         [--reconnect] [--sess-in FILE] [--sess-out FILE]\n"
	      "         [--crl FILE ...] [--ocsp-check | --require-ocsp]\n"
	      "\n"
	      "Connects to a TLS server, prints one status line on stderr,\n"
	      "  backend=NAME version=TLSv1.3 cipher=IANA_NAME group=NAME|none "
	      "alpn=PROTO|none\n"
	      "  peer=\"SUBJECT\"|none [ocsp=good|revoked|none] [exporter=HEX] "
	      "resumed=yes|no\n"
	      "  (ocsp= with --ocsp-check or --require-ocsp)\n"
	      "then relays stdin to the server and the server's data to stdout "
	      "until\n"
	      "either side ends.  IPv6 addresses go in brackets: [::1]:443.\n"
	      "\n"
	      "  --backend NAME       use this backend (default: the normal "
	      "selection)\n"
	      "  --cafile FILE        trust the PEM certificates in FILE "
	      "(default: system)\n"
	      "  --no-verify          do not validate the server (insecure)\n"
	      "  --servername NAME    name to check and send as SNI (default: "
	      "HOST)\n"
	      "  --alpn P1,P2         offer these ALPN protocols\n"
	      "  --min-version V      lowest TLS version (1.2, 1.3, TLSv1.2, "
	      "...)\n"
	      "  --max-version V      highest TLS version\n"
	      "  --ciphers NAME,...   cipher suites by IANA name, in order\n"
	      "  --cert FILE          client certificate chain (PEM)\n"
	      "  --key FILE           its private key\n"
	      "  --pass PASSWORD      password of an encrypted key\n"
	      "  --timeout SECONDS    give up connecting and handshaking after "
	      "this long\n"
	      KEYOPTS_HELP
	      "  --pin sha256//B64,...  the server's public key must match "
	      "one of these\n"
	      "                       SHA-256 SubjectPublicKeyInfo hashes "
	      "(besides validation;\n"
	      "                       with --no-verify, instead of it)\n"
	      "  --peer-chain FILE    write the chain the server sent (PEM, "
	      "leaf first;\n"
	      "                       - for stdout)\n"
	      "  --reconnect          then connect again with the first "
	      "connection's session\n"
	      "                       (one status line per connection)\n"
	      "  --sess-in FILE       resume the serialised session in FILE\n"
	      "  --sess-out FILE      write the last connection's session to "
	      "FILE (mode 0600)\n"
	      "  --crl FILE           check the server's chain against the "
	      "CRLs in FILE\n"
	      "                       (PEM or DER; may be repeated)\n"
	      "  --ocsp-check         ask for the server's OCSP staple and "
	      "check it when sent\n"
	      "  --require-ocsp       require a good stapled OCSP response "
	      "(must-staple)\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "Exit status: 0 success, 1 TLS failure (\"tlsplug: CATEGORY: "
	      "message\"),\n"
	      "2 usage error.\n", f);
}

/* Splits "host:port" or "[v6]:port" in place.  Returns 0 or -1. */
static int
split_hostport(char *text, char **host, char **port)
{
	char *colon;

	if (text[0] == '[') {
		char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':' || close == text + 1)
			return -1;
		*close = '\0';
		*host = text + 1;
		*port = close + 2;
	} else {
		colon = strchr(text, ':');
		if (colon == NULL || colon == text || strchr(colon + 1, ':'))
			return -1;
		*colon = '\0';
		*host = text;
		*port = colon + 1;
	}
	return **port == '\0' ? -1 : 0;
}

static int
socket_fail(struct tlsplug_socket *sock, int rc)
{
	return tlsopts_fail(NULL, rc, tlsplug_socket_error(sock));
}

/*
 * A send failed.  When the server went away (EPIPE, ECONNRESET) it has
 * often said why first: its alert, still to be read, is the better report.
 */
static int
send_failed(struct tlsplug_socket *sock, int rc)
{
	static unsigned char in[RELAY_BUFSIZE];
	const struct tlsplug_error *e = tlsplug_socket_error(sock);
	char msg[512];
	int i;

	snprintf(msg, sizeof(msg), "%s",
	         e != NULL ? tlsplug_error_message(e) : tlsplug_strerror(rc));
	for (i = 0; rc == TLSPLUG_ERR_IO && i < 64; i++) {
		size_t n = 0;
		int r = tlsplug_socket_recv(sock, in, sizeof(in), &n);

		if (r == TLSPLUG_OK) {
			(void)cli_write_stdout(in, n);
			continue;
		}
		if (r < 0 && r != TLSPLUG_ERR_IO && r != TLSPLUG_ERR_TIMEOUT)
			return socket_fail(sock, r);
		break;
	}
	fprintf(stderr, "tlsplug: %s: %s\n", tlsplug_status_name(rc), msg);
	return EXIT_TLS_FAILURE;
}

/*
 * The relay, on a non-blocking descriptor: stdin -> TLS, TLS -> stdout.
 * Ends when the server closes (close_notify or EOF), or when stdin ended,
 * our close_notify went out and the server answered or closed -- so the
 * server's answer, or its post-handshake rejection, is always read.
 */
static int
relay(struct tlsplug_socket *sock)
{
	static unsigned char out[RELAY_BUFSIZE], in[RELAY_BUFSIZE];
	size_t outlen = 0, outoff = 0;
	bool stdin_open = true, close_sent = false;
	int want = TLSPLUG_WANT_READ;
	int fd = tlsplug_socket_fd(sock);
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		cli_error("fcntl: %s", strerror(errno));
		return EXIT_TLS_FAILURE;
	}
	for (;;) {
		struct pollfd p[2];
		nfds_t n = 0, si;
		int rc;

		if (stdin_open && outlen == 0) {
			p[n].fd = STDIN_FILENO;
			p[n].events = POLLIN;
			n++;
		}
		si = n;
		p[n].fd = fd;
		p[n].events = want == TLSPLUG_WANT_WRITE ? POLLOUT : POLLIN;
		if (tlsplug_socket_pending_outgoing(sock) > 0)
			p[n].events |= POLLOUT;
		n++;
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			cli_error("poll: %s", strerror(errno));
			return EXIT_TLS_FAILURE;
		}
		if (si > 0 && p[0].revents != 0) {
			ssize_t r = read(STDIN_FILENO, out, sizeof(out));

			if (r > 0) {
				outlen = (size_t)r;
				outoff = 0;
			} else if (r == 0 || (errno != EINTR &&
			                      errno != EAGAIN)) {
				stdin_open = false;
			}
		}
		want = TLSPLUG_WANT_READ;
		if (outlen > outoff) {
			size_t w = 0;

			rc = tlsplug_socket_send_all(sock, out + outoff,
			                             outlen - outoff, &w);
			outoff += w;
			if (rc == TLSPLUG_OK)
				outlen = outoff = 0;
			else if (rc == TLSPLUG_WANT_WRITE)
				want = rc;
			else if (rc != TLSPLUG_WANT_READ)
				return send_failed(sock, rc);
		} else if (!stdin_open && !close_sent) {
			rc = tlsplug_socket_shutdown(sock);
			if (rc == TLSPLUG_WANT_WRITE)
				want = rc;
			else if (rc != TLSPLUG_OK)
				return send_failed(sock, rc);
			close_sent = true;
		} else if (tlsplug_socket_pending_outgoing(sock) > 0) {
			rc = tlsplug_socket_flush(sock);
			if (rc == TLSPLUG_WANT_WRITE)
				want = rc;
			else if (rc != TLSPLUG_OK)
				return send_failed(sock, rc);
		}
		for (;;) {
			size_t r = 0;

			rc = tlsplug_socket_recv(sock, in, sizeof(in), &r);
			if (rc == TLSPLUG_OK) {
				if (cli_write_stdout(in, r) != 0) {
					cli_error("stdout: %s",
					          strerror(errno));
					return EXIT_TLS_FAILURE;
				}
				continue;
			}
			if (rc == TLSPLUG_WANT_READ)
				break;
			if (rc == TLSPLUG_WANT_WRITE) {
				want = rc;
				break;
			}
			if (rc == TLSPLUG_CLOSED) {
				/* Answer the server's close_notify. */
				if (!close_sent)
					(void)tlsplug_socket_shutdown(sock);
				return 0;
			}
			if (rc == TLSPLUG_RAGGED_EOF) {
				if (close_sent)
					return 0;
				return tlsopts_fail(NULL, rc, NULL);
			}
			return socket_fail(sock, rc);
		}
	}
}

/*
 * One connection on ctx: *session (if not NULL) is offered first, the
 * status line printed, then the relay.  Afterwards *session is the
 * connection's latest session when it made one (else it stays).
 */
static int
one_connection(struct tlsplug_context *ctx,
               const struct tlsplug_backend *backend, const char *host,
               const char *port, const char *servername, int timeout,
               const struct tlsopts *o, const struct revopts *r,
               const char *chain_file, struct tlsplug_session **session)
{
	struct tlsplug_socket *sock = NULL;
	struct tlsplug_error *err = NULL;
	struct tlsplug_session *got;
	struct tlsplug_conn *conn;
	int rc, status = 0;

	rc = tlsplug_socket_connect(ctx, host, port, servername,
	                            timeout * 1000, &sock, &err);
	if (rc != TLSPLUG_OK) {
		status = tlsopts_fail(NULL, rc, err);
		tlsplug_error_free(err);
		return status;
	}
	conn = tlsplug_socket_conn(sock);
	if (*session != NULL) {
		rc = tlsplug_conn_set_session(conn, *session);
		if (rc != TLSPLUG_OK)
			status = tlsopts_fail(NULL, rc,
			                      tlsplug_conn_error(conn));
	}
	if (status == 0) {
		rc = tlsplug_socket_handshake(sock);
		if (rc != TLSPLUG_OK && revopts_shows_ocsp(r)) {
			/* What the staple said, even when it failed. */
			fprintf(stderr, "backend=%s",
			        tlsplug_backend_name(backend));
			revopts_print(stderr, r, conn);
			fputc('\n', stderr);
		}
		if (rc != TLSPLUG_OK)
			status = socket_fail(sock, rc);
	}
	if (status == 0) {
		fprintf(stderr, "backend=%s ", tlsplug_backend_name(backend));
		tlsopts_print_params(stderr, conn);
		revopts_print(stderr, r, conn);
		keyopts_print_exporter(stderr, conn, o);
		fprintf(stderr, " resumed=%s\n",
		        tlsplug_conn_resumed(conn) ? "yes" : "no");
		fflush(stderr);
		if (chain_file != NULL)
			status = identopts_write_chain(conn, chain_file);
	}
	if (status == 0) {
		/* The timeout was for connecting and the handshake. */
		tlsplug_socket_set_timeout(sock, 0);
		status = relay(sock);
	}
	/* TLS 1.3 tickets arrive after the handshake: the relay read them. */
	got = tlsplug_conn_session(conn);
	if (got != NULL) {
		tlsplug_session_unref(*session);
		*session = got;
	}
	/* Our last records (an alert after a failure, close_notify) reach
	 * the server rather than a reset: write them, shut the write side,
	 * read what it still sends for up to the linger time, then close. */
	(void)tlsplug_socket_close(sock);
	tlsplug_socket_free(sock);
	return status;
}

int
cmd_connect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "cafile", required_argument, NULL, 'C' },
		{ "no-verify", no_argument, NULL, 'k' },
		{ "servername", required_argument, NULL, 's' },
		{ "alpn", required_argument, NULL, 'a' },
		{ "min-version", required_argument, NULL, 'm' },
		{ "max-version", required_argument, NULL, 'M' },
		{ "ciphers", required_argument, NULL, 'c' },
		{ "cert", required_argument, NULL, 'E' },
		{ "key", required_argument, NULL, 'K' },
		{ "pass", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		KEYOPTS_LONGOPTS,
		{ "pin", required_argument, NULL, 'P' },
		{ "peer-chain", required_argument, NULL, 'W' },
		{ "reconnect", no_argument, NULL, 'r' },
		{ "sess-in", required_argument, NULL, 'i' },
		{ "sess-out", required_argument, NULL, 'o' },
		{ "crl", required_argument, NULL, 0x300 },
		{ "ocsp-check", no_argument, NULL, 0x301 },
		{ "require-ocsp", no_argument, NULL, 0x302 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tlsopts o = { .cmd = "connect" };
	struct revopts r = { .ncrls = 0 };
	struct tlsplug_registry *reg = NULL;
	const struct tlsplug_backend *backend;
	struct tlsplug_config_builder *b = NULL;
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_session *session = NULL;
	struct tlsplug_error *err = NULL;
	const char *servername = NULL, *sess_in = NULL, *sess_out = NULL;
	const char *pins = NULL, *chain_file = NULL;
	bool reconnect = false;
	char *target, *host, *port;
	unsigned long timeout = 0;
	int c, rc, status;

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'b': o.backend = optarg; break;
		case 'C': o.cafile = optarg; break;
		case 'k': o.no_verify = true; break;
		case 's': servername = optarg; break;
		case 'a': o.alpn = optarg; break;
		case 'm': o.min_version = optarg; break;
		case 'M': o.max_version = optarg; break;
		case 'c': o.ciphers = optarg; break;
		case 'E': o.cert = optarg; break;
		case 'K': o.key = optarg; break;
		case 'p': o.pass = optarg; break;
		case 'P': pins = optarg; break;
		case 'W': chain_file = optarg; break;
		case 'r': reconnect = true; break;
		case 'i': sess_in = optarg; break;
		case 'o': sess_out = optarg; break;
		case 't':
			if (cli_parse_uint(optarg, 86400, &timeout) != 0)
				return cli_usage_error("connect", "bad --timeout "
				                       "'%s' (seconds)", optarg);
			break;
		case 0x300:
			if (revopts_add_crl(&r, "connect", optarg) != 0)
				return EXIT_USAGE;
			break;
		case 0x301: r.ocsp_check = true; break;
		case 0x302: r.require_ocsp = true; break;
		case 'h':
			connect_usage(stdout);
			return 0;
		default:
			if (keyopts_option(&o, c, optarg))
				break;
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("connect", "missing HOST:PORT");
	if (optind + 1 < argc)
		return cli_usage_error("connect", "unexpected argument '%s'",
		                       argv[optind + 1]);
	target = strdup(argv[optind]);
	if (target == NULL) {
		cli_error("out of memory");
		return EXIT_TLS_FAILURE;
	}
	if (split_hostport(target, &host, &port) != 0) {
		rc = cli_usage_error("connect", "bad address '%s' (HOST:PORT, "
		                     "or [IPV6]:PORT)", argv[optind]);
		free(target);
		return rc;
	}
	status = tlsopts_check(&o);
	if (status == 0 && pins != NULL)
		status = identopts_check_pins("connect", pins);
	if (status != 0) {
		free(target);
		return status;
	}
	if (servername == NULL)
		servername = host;

	/* A session file that cannot serve is an error before any
	 * connection (one line naming the file and why). */
	if (sess_in != NULL) {
		rc = tlsplug_session_from_file(sess_in, &session, &err);
		if (rc != TLSPLUG_OK)
			status = tlsopts_fail(NULL, rc, err);
	}
	if (status == 0)
		status = tlsopts_backend(o.backend, &reg, &backend);
	if (status == 0)
		status = tlsopts_builder(&o, &b);
	/* Without --pin, the configuration files' pins for the name. */
	if (status == 0 && pins == NULL)
		pins = tlsplug_registry_conf_pins(reg, servername);
	if (status == 0 && pins != NULL)
		status = identopts_add_pins("connect", b, pins);
	if (status == 0)
		status = revopts_apply(&r, b);
	if (status == 0)
		status = tlsopts_build(b, &cfg);
	if (status == 0) {
		rc = tlsplug_context_new(backend, TLSPLUG_CLIENT, cfg, &ctx,
		                         &err);
		if (rc != TLSPLUG_OK)
			status = tlsopts_fail(NULL, rc, err);
		else
			keyopts_warn(ctx);
	}
	if (status == 0)
		status = one_connection(ctx, backend, host, port, servername,
		                        (int)timeout, &o, &r, chain_file,
		                        &session);
	if (status == 0 && reconnect) {
		if (session == NULL) {
			cli_error("--reconnect: the first connection gave no "
			          "resumable session (the server issued none)");
			status = EXIT_TLS_FAILURE;
		} else {
			status = one_connection(ctx, backend, host, port,
			                        servername, (int)timeout, &o,
			                        &r, chain_file, &session);
		}
	}
	if (status == 0 && sess_out != NULL) {
		if (session == NULL) {
			cli_error("--sess-out %s: the server issued no "
			          "resumable session", sess_out);
			status = EXIT_TLS_FAILURE;
		} else {
			rc = tlsplug_session_to_file(session, sess_out, &err);
			if (rc != TLSPLUG_OK)
				status = tlsopts_fail(NULL, rc, err);
		}
	}
	tlsplug_error_free(err);
	tlsplug_session_unref(session);
	tlsplug_context_unref(ctx);
	tlsplug_config_unref(cfg);
	tlsplug_config_builder_free(b);
	tlsplug_registry_free(reg);
	free(target);
	return status;
}
