/* cases_data.c -- data integrity, short reads and writes, byte-at-a-time
 * ciphertext, shutdown and ragged EOF. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conformance.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/* A connected pair at version v (0: default).  Both sides are held to v,
 * so a backend without it refuses the setting on either side. */
static int
open_pair(const struct conf_env *env, enum tlsplug_version v,
          struct conf_pair *p, int *result, char *why, size_t whylen)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .min = v, .max = v },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key", .min = v,
		       .max = v },
		.host = "localhost",
		.ccap = v == V13 ? TLSPLUG_CAP_TLS1_3 :
		        v == V12 ? TLSPLUG_CAP_TLS1_2 : 0 };
	struct tlsplug_config *ccfg, *scfg;
	int rc;

	sc.scap = sc.ccap;
	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, result, why,
	                           whylen))
		return 0;
	rc = conf_pair_new(env, ccfg, scfg, "localhost", p, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	*result = -1;
	return rc == TLSPLUG_OK;
}

static int
sizes(const struct conf_env *env, enum tlsplug_version v,
      const size_t *list, size_t n, size_t chunk, char *why, size_t whylen)
{
	struct conf_pair p;
	size_t i;
	int result;

	if (!open_pair(env, v, &p, &result, why, whylen))
		return result;
	if (conf_handshake(&p, chunk, why, whylen) != 0 ||
	    conf_check_negotiated(&p, v, why, whylen) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		char tmp[400];

		if (conf_exchange(&p, list[i], chunk, tmp, sizeof(tmp)) != 0) {
			conf_fail(why, whylen, "%zu bytes: %s", list[i], tmp);
			goto out;
		}
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

CONF_CASE(case_data_small_sizes)
{
	static const size_t list[] = { 1, 2, 3, 17, 255, 256, 1000, 4097 };

	return sizes(env, 0, list, sizeof(list) / sizeof(list[0]), 0, why,
	             whylen);
}

CONF_CASE(case_data_record_boundaries)
{
	static const size_t list[] = { 16383, 16384, 16385, 32768, 32769 };

	if (sizes(env, V12, list, sizeof(list) / sizeof(list[0]), 0, why,
	          whylen) != 0)
		return -1;
	return sizes(env, V13, list, sizeof(list) / sizeof(list[0]), 0, why,
	             whylen);
}

CONF_CASE(case_data_1mib)
{
	static const size_t list[] = { 1024 * 1024, 1024 * 1024 - 7 };

	return sizes(env, 0, list, sizeof(list) / sizeof(list[0]), 0, why,
	             whylen);
}

/* The handshake and the records, one ciphertext byte at a time. */
CONF_CASE(case_data_bytewise_tls12)
{
	static const size_t list[] = { 1, 16385 };

	return sizes(env, V12, list, sizeof(list) / sizeof(list[0]), 1, why,
	             whylen);
}

CONF_CASE(case_data_bytewise_tls13)
{
	static const size_t list[] = { 1, 16385 };

	return sizes(env, V13, list, sizeof(list) / sizeof(list[0]), 1, why,
	             whylen);
}

/* Reads into small buffers: the rest of a record stays available. */
CONF_CASE(case_data_short_reads)
{
	static const size_t readsizes[] = { 1, 7, 1000 };
	unsigned char data[20000];
	struct conf_pair p;
	size_t i;
	int result;

	if (!open_pair(env, 0, &p, &result, why, whylen))
		return result;
	if (conf_connect(&p, 0, why, whylen) != 0)
		goto out;
	for (i = 0; i < sizeof(readsizes) / sizeof(readsizes[0]); i++) {
		char tmp[400];
		size_t len = readsizes[i] == 1 ? 3000 : sizeof(data);

		conf_random(data, len, i + 77);
		if (conf_transfer(&p, 1, data, len, 0, readsizes[i], tmp,
		                  sizeof(tmp)) != 0 ||
		    conf_transfer(&p, 0, data, len, 0, readsizes[i], tmp,
		                  sizeof(tmp)) != 0) {
			conf_fail(why, whylen, "reads of %zu: %s",
			          readsizes[i], tmp);
			goto out;
		}
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

/* The two ends of a socket pair, as TLS sockets (both non-blocking). */
struct sock_pair {
	struct tlsplug_socket *c, *s;
	int fd[2];
};

static void
sock_pair_free(struct sock_pair *sp)
{
	tlsplug_socket_free(sp->c);
	tlsplug_socket_free(sp->s);
	if (sp->fd[0] >= 0)
		close(sp->fd[0]);
	if (sp->fd[1] >= 0)
		close(sp->fd[1]);
}

static const char *
sock_msg(struct tlsplug_socket *s)
{
	const struct tlsplug_error *e = tlsplug_socket_error(s);

	return e != NULL ? tlsplug_error_message(e) : "no error record";
}

/* Wraps a non-blocking AF_UNIX socket pair with kernel buffers of `buf`
 * bytes in a client and a server TLS socket, and runs the handshake. */
static int
sock_pair_open(const struct conf_env *env, int buf, struct sock_pair *sp,
               int *result, char *why, size_t whylen)
{
	struct conf_pair p;
	struct tlsplug_error *err = NULL;
	int i, crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ;

	memset(sp, 0, sizeof(*sp));
	sp->fd[0] = sp->fd[1] = -1;
	/* The contexts of a connected pair; its buffer connections unused. */
	if (!open_pair(env, 0, &p, result, why, whylen))
		return 0;
	*result = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp->fd) != 0) {
		conf_fail(why, whylen, "socketpair: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		setsockopt(sp->fd[i], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		setsockopt(sp->fd[i], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		fcntl(sp->fd[i], F_SETFL,
		      fcntl(sp->fd[i], F_GETFL) | O_NONBLOCK);
	}
	if (tlsplug_socket_new(p.cctx, sp->fd[0], "localhost", &sp->c,
	                       &err) != TLSPLUG_OK ||
	    tlsplug_socket_new(p.sctx, sp->fd[1], NULL, &sp->s, &err) !=
	    TLSPLUG_OK) {
		conf_fail(why, whylen, "socket_new: %s",
		          err != NULL ? tlsplug_error_message(err) : "failed");
		tlsplug_error_free(err);
		goto fail;
	}
	for (i = 0; i < 100000 && (crc != TLSPLUG_OK || src != TLSPLUG_OK);
	     i++) {
		if (crc != TLSPLUG_OK)
			crc = tlsplug_socket_handshake(sp->c);
		if (src != TLSPLUG_OK)
			src = tlsplug_socket_handshake(sp->s);
		if (crc < 0 || src < 0)
			break;
	}
	if (crc != TLSPLUG_OK || src != TLSPLUG_OK) {
		conf_fail(why, whylen, "socket handshake: client %s (%s), "
		          "server %s (%s)", tlsplug_status_name(crc),
		          sock_msg(sp->c), tlsplug_status_name(src),
		          sock_msg(sp->s));
		goto fail;
	}
	conf_pair_free(&p);
	return 1;
fail:
	conf_pair_free(&p);
	sock_pair_free(sp);
	return 0;
}

/*
 * The writer offers everything at once, through the socket wrapper on a
 * non-blocking socket with small kernel buffers, while the reader takes
 * at most 1000 bytes per turn: the writer meets WANT_WRITE (and retries
 * with the same buffer, as the contract says) and takes short writes (goes
 * on with the rest).  Every byte must arrive once, in order, and both
 * WANT_WRITE and short writes must have happened (a socket send takes at
 * most 64 KiB of plaintext, so a 1 MiB send cannot be taken whole).
 */
CONF_CASE(case_data_short_writes)
{
	size_t len = 1024 * 1024 + 3, written = 0, got = 0, n;
	unsigned long turns = 0, want_write = 0, short_writes = 0, sends = 0;
	unsigned char *data, *back;
	struct sock_pair sp;
	int result, rc;

	if (!sock_pair_open(env, 4096, &sp, &result, why, whylen))
		return result;
	result = -1;
	data = malloc(len);
	back = malloc(len);
	if (data == NULL || back == NULL) {
		conf_fail(why, whylen, "out of memory");
		goto out;
	}
	conf_random(data, len, 4242);
	while (got < len) {
		if (++turns > 20000000) {
			conf_fail(why, whylen, "no end after %lu turns: %zu "
			          "written, %zu read", turns, written, got);
			goto out;
		}
		if (written < len) {
			n = 0;
			rc = tlsplug_socket_send(sp.c, data + written,
			                         len - written, &n);
			sends++;
			if (rc == TLSPLUG_OK) {
				if (n == 0 || n > len - written) {
					conf_fail(why, whylen, "send of %zu "
					          "took %zu", len - written, n);
					goto out;
				}
				if (n < len - written)
					short_writes++;
				written += n;
			} else if (rc == TLSPLUG_WANT_WRITE) {
				want_write++;
				if (n != 0) {
					conf_fail(why, whylen, "WANT_WRITE "
					          "with %zu bytes taken", n);
					goto out;
				}
			} else if (rc != TLSPLUG_WANT_READ) {
				conf_fail(why, whylen, "send after %zu of "
				          "%zu: %s (%s)", written, len,
				          tlsplug_status_name(rc),
				          sock_msg(sp.c));
				goto out;
			}
		}
		/* The slow reader: one small read per turn. */
		n = 0;
		rc = tlsplug_socket_recv(sp.s, back + got,
		                         len - got < 1000 ? len - got : 1000,
		                         &n);
		if (rc == TLSPLUG_OK) {
			if (n == 0 || got + n > len ||
			    memcmp(back + got, data + got, n) != 0) {
				conf_fail(why, whylen, "read of %zu bytes at "
				          "%zu: %s", n, got, n == 0 ? "empty" :
				          got + n > len ? "too many" :
				          "bytes differ");
				goto out;
			}
			got += n;
		} else if (rc != TLSPLUG_WANT_READ &&
		           rc != TLSPLUG_WANT_WRITE) {
			conf_fail(why, whylen, "read after %zu of %zu: %s (%s)",
			          got, len, tlsplug_status_name(rc),
			          sock_msg(sp.s));
			goto out;
		}
	}
	if (written != len) {
		conf_fail(why, whylen, "all %zu bytes read with only %zu "
		          "written", len, written);
		goto out;
	}
	if (want_write == 0 || short_writes == 0) {
		conf_fail(why, whylen, "%lu WANT_WRITE and %lu short writes in "
		          "%lu sends of %zu bytes with 4 KiB socket buffers: "
		          "both must happen", want_write, short_writes, sends,
		          len);
		goto out;
	}
	/* Nothing more: the writer's close_notify is the next thing. */
	for (rc = TLSPLUG_WANT_WRITE, turns = 0;
	     rc == TLSPLUG_WANT_WRITE && turns < 1000; turns++)
		rc = tlsplug_socket_shutdown(sp.c);
	if (rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "client shutdown: %s (%s)",
		          tlsplug_status_name(rc), sock_msg(sp.c));
		goto out;
	}
	for (rc = TLSPLUG_WANT_READ, turns = 0;
	     rc == TLSPLUG_WANT_READ && turns < 1000; turns++)
		rc = tlsplug_socket_recv(sp.s, back, len, &n);
	if (rc != TLSPLUG_CLOSED) {
		conf_fail(why, whylen, "after all %zu bytes the reader got %s "
		          "(%zu bytes), expected CLOSED", len,
		          tlsplug_status_name(rc), rc == TLSPLUG_OK ? n : 0);
		goto out;
	}
	result = 0;
out:
	free(data);
	free(back);
	sock_pair_free(&sp);
	return result;
}

/* Both sides write before either reads. */
CONF_CASE(case_data_interleaved)
{
	unsigned char a[5000], b[7000], buf[8000];
	struct conf_pair p;
	size_t n, got;
	int result, rc, i;
	struct tlsplug_conn *readers[2];
	const unsigned char *want[2] = { b, a };
	size_t lens[2] = { sizeof(b), sizeof(a) };

	if (!open_pair(env, 0, &p, &result, why, whylen))
		return result;
	if (conf_connect(&p, 0, why, whylen) != 0)
		goto out;
	conf_random(a, sizeof(a), 1);
	conf_random(b, sizeof(b), 2);
	rc = tlsplug_conn_write(p.c, a, sizeof(a), &n);
	if (rc != TLSPLUG_OK || n != sizeof(a)) {
		conf_fail(why, whylen, "client write: %s, %zu of %zu",
		          tlsplug_status_name(rc), n, sizeof(a));
		goto out;
	}
	rc = tlsplug_conn_write(p.s, b, sizeof(b), &n);
	if (rc != TLSPLUG_OK || n != sizeof(b)) {
		conf_fail(why, whylen, "server write: %s, %zu of %zu",
		          tlsplug_status_name(rc), n, sizeof(b));
		goto out;
	}
	conf_move(p.c, p.s, 0);
	conf_move(p.s, p.c, 0);
	readers[0] = p.c;
	readers[1] = p.s;
	for (i = 0; i < 2; i++) {
		int calls;

		for (got = 0, calls = 0; got < lens[i] && calls < 100;
		     calls++) {
			rc = tlsplug_conn_read(readers[i], buf + got,
			                       sizeof(buf) - got, &n);
			if (rc != TLSPLUG_OK)
				break;
			got += n;
		}
		if (got != lens[i] || memcmp(buf, want[i], got) != 0) {
			conf_fail(why, whylen, "%s read %zu of %zu bytes "
			          "(last status %s)%s", i ? "server" : "client",
			          got, lens[i], tlsplug_status_name(rc),
			          got == lens[i] ? ", and they differ" : "");
			goto out;
		}
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

/* The server never calls handshake: its first read runs it. */
CONF_CASE(case_read_runs_handshake)
{
	static const char msg[] = "hello through an implicit handshake";
	unsigned char buf[100];
	struct conf_pair p;
	size_t n = 0, got = 0;
	int result, i, crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ;
	int written = 0;

	if (!open_pair(env, 0, &p, &result, why, whylen))
		return result;
	for (i = 0; i < 200 && got < sizeof(msg); i++) {
		if (crc != TLSPLUG_OK) {
			crc = tlsplug_conn_handshake(p.c);
			if (crc < 0)
				break;
		} else if (!written) {
			crc = tlsplug_conn_write(p.c, msg, sizeof(msg), &n);
			if (crc < 0 || n != sizeof(msg))
				break;
			written = 1;
		}
		src = tlsplug_conn_read(p.s, buf + got, sizeof(buf) - got, &n);
		if (src == TLSPLUG_OK)
			got += n;
		else if (src < 0 || src == TLSPLUG_CLOSED ||
		         src == TLSPLUG_RAGGED_EOF)
			break;
		conf_move(p.c, p.s, 0);
		conf_move(p.s, p.c, 0);
	}
	if (got != sizeof(msg) || memcmp(buf, msg, got) != 0) {
		conf_fail(why, whylen, "server read %zu of %zu bytes; client "
		          "%s, server %s", got, sizeof(msg),
		          tlsplug_status_name(crc), tlsplug_status_name(src));
		goto out;
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

/* Reads on conn until it returns something else than OK or WANT_READ. */
static int
read_end(struct tlsplug_conn *conn)
{
	unsigned char buf[1024];
	size_t n;
	int i, rc = TLSPLUG_WANT_READ;

	for (i = 0; i < 64; i++) {
		rc = tlsplug_conn_read(conn, buf, sizeof(buf), &n);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	return rc;
}

/* `first` sends close_notify; `second` reads CLOSED, answers with its own;
 * first then completes its shutdown and reads CLOSED too. */
static int
shutdown_from(const struct conf_env *env, enum tlsplug_version v,
              int client_first, char *why, size_t whylen)
{
	struct conf_pair p;
	struct tlsplug_conn *first, *second;
	const char *fn = client_first ? "client" : "server";
	const char *sn = client_first ? "server" : "client";
	int result, rc;

	if (!open_pair(env, v, &p, &result, why, whylen))
		return result;
	if (conf_connect(&p, v, why, whylen) != 0 ||
	    conf_exchange(&p, 1000, 0, why, whylen) != 0)
		goto out;
	first = client_first ? p.c : p.s;
	second = client_first ? p.s : p.c;
	rc = tlsplug_conn_shutdown(first);
	if (rc != TLSPLUG_WANT_READ && rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "%s shutdown: %s", fn,
		          tlsplug_status_name(rc));
		goto out;
	}
	conf_move(first, second, 0);
	rc = read_end(second);
	if (rc != TLSPLUG_CLOSED) {
		conf_fail(why, whylen, "%s read after the %s's close_notify: "
		          "%s, expected CLOSED", sn, fn,
		          tlsplug_status_name(rc));
		goto out;
	}
	rc = tlsplug_conn_shutdown(second);
	if (rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "%s shutdown after receiving "
		          "close_notify: %s, expected OK", sn,
		          tlsplug_status_name(rc));
		goto out;
	}
	conf_move(second, first, 0);
	rc = tlsplug_conn_shutdown(first);
	if (rc != TLSPLUG_OK) {
		conf_fail(why, whylen, "%s shutdown after the %s's "
		          "close_notify: %s, expected OK", fn, sn,
		          tlsplug_status_name(rc));
		goto out;
	}
	rc = read_end(first);
	if (rc != TLSPLUG_CLOSED) {
		conf_fail(why, whylen, "%s read after both close_notify: %s, "
		          "expected CLOSED", fn, tlsplug_status_name(rc));
		goto out;
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

CONF_CASE(case_shutdown_client_first)
{
	return shutdown_from(env, 0, 1, why, whylen);
}

CONF_CASE(case_shutdown_server_first)
{
	return shutdown_from(env, 0, 0, why, whylen);
}

CONF_CASE(case_shutdown_tls12)
{
	if (shutdown_from(env, V12, 1, why, whylen) != 0)
		return -1;
	return shutdown_from(env, V12, 0, why, whylen);
}

/* The sender's data arrives, then the transport ends without
 * close_notify: the reader gets the data, then RAGGED_EOF. */
static int
ragged(const struct conf_env *env, int client_reads, char *why,
       size_t whylen)
{
	unsigned char data[3000], buf[4000];
	struct conf_pair p;
	struct tlsplug_conn *writer, *reader;
	size_t n, got = 0;
	int result, rc = TLSPLUG_OK, i;

	if (!open_pair(env, 0, &p, &result, why, whylen))
		return result;
	if (conf_connect(&p, 0, why, whylen) != 0)
		goto out;
	writer = client_reads ? p.s : p.c;
	reader = client_reads ? p.c : p.s;
	conf_random(data, sizeof(data), 99);
	rc = tlsplug_conn_write(writer, data, sizeof(data), &n);
	if (rc != TLSPLUG_OK || n != sizeof(data)) {
		conf_fail(why, whylen, "write: %s", tlsplug_status_name(rc));
		goto out;
	}
	conf_move(writer, reader, 0);
	tlsplug_conn_receive_eof(reader);
	for (i = 0; i < 64; i++) {
		rc = tlsplug_conn_read(reader, buf + got, sizeof(buf) - got,
		                       &n);
		if (rc != TLSPLUG_OK)
			break;
		got += n;
	}
	if (got != sizeof(data) || memcmp(buf, data, got) != 0) {
		conf_fail(why, whylen, "%s read %zu of %zu bytes before the "
		          "end%s", client_reads ? "client" : "server", got,
		          sizeof(data),
		          got == sizeof(data) ? ", different" : "");
		goto out;
	}
	if (rc != TLSPLUG_RAGGED_EOF) {
		conf_fail(why, whylen, "%s read at EOF without close_notify: "
		          "%s, expected RAGGED_EOF",
		          client_reads ? "client" : "server",
		          tlsplug_status_name(rc));
		goto out;
	}
	result = 0;
out:
	conf_pair_free(&p);
	return result;
}

CONF_CASE(case_ragged_eof_client)
{
	return ragged(env, 1, why, whylen);
}

CONF_CASE(case_ragged_eof_server)
{
	return ragged(env, 0, why, whylen);
}
