/*
 * wire.h -- reading and rewriting handshake messages on the wire, for the
 * cases that feed one side bytes its peer would never send (a ClientHello
 * with a session ID or ticket the server never issued, or without the
 * suite of the session it offers) and read what the other side answered.
 * Plaintext handshake records only (the first flight of each side).
 */
#ifndef TLSPLUG_CONFORMANCE_WIRE_H
#define TLSPLUG_CONFORMANCE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <tlsplug/tlsplug.h>

/* A growable byte buffer; oom is set (and data dropped) on allocation
 * failure. */
struct wire_buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};
void wire_put(struct wire_buf *w, const void *data, size_t n);
void wire_u8(struct wire_buf *w, unsigned v);
void wire_u16(struct wire_buf *w, unsigned v);
/* Frees w's bytes (w may be zeroed or NULL). */
void wire_buf_free(struct wire_buf *w);

/* A ClientHello in one record, as pointers into the bytes it was parsed
 * from (which must outlive it). */
struct wire_hello {
	unsigned char recver[2];        /* record layer version */
	const unsigned char *head;      /* legacy_version and random: 34 */
	const unsigned char *sid;
	size_t sidlen;
	const unsigned char *suites;    /* cipher suite list, 2 bytes each */
	size_t suiteslen;
	const unsigned char *comp;
	size_t complen;
	const unsigned char *ext;       /* extension block (no length) */
	size_t extlen;
};
/* Parses buf (a client's whole first flight).  Returns 0, or -1 with why
 * (not one handshake record holding one ClientHello, or malformed). */
int wire_parse_hello(const unsigned char *buf, size_t len,
                     struct wire_hello *h, char *why, size_t whylen);
/* The record for h with its session ID replaced by sid (sidlen bytes, any
 * length up to 255, so an invalid one too), its suites by suites (NULL:
 * h's) and its extensions by ext (NULL: h's).  Returns 0, or -1 (out of
 * memory) with why; *out is malloc'd. */
int wire_build_hello(const struct wire_hello *h, const unsigned char *sid,
                     size_t sidlen, const unsigned char *suites,
                     size_t suiteslen, const unsigned char *ext,
                     size_t extlen, unsigned char **out, size_t *outlen,
                     char *why, size_t whylen);
/* h's extensions without those of type `drop` (-1: none) into w. */
void wire_ext_copy(const struct wire_hello *h, int drop, struct wire_buf *w);
/* 1 if h carries an extension of this type. */
int wire_has_ext(const struct wire_hello *h, unsigned type);

/* What a server answered a ClientHello with. */
struct wire_reply {
	int alert;            /* it answered with an alert: its description,
	                       * else -1 */
	int hello;            /* a ServerHello came */
	int hrr;              /* ... and it is a HelloRetryRequest */
	unsigned char sid[32];
	size_t sidlen;
	uint16_t cipher;
	int psk;              /* it carries pre_shared_key (TLS 1.3) */
	/* What follows the ServerHello: a handshake message type, or
	 * 0x100 + the content type of the next record that is not a
	 * handshake one (0x114: ChangeCipherSpec), or -1: nothing. */
	int next;
};
/* Parses a server's first flight.  Returns 0, or -1 with why. */
int wire_parse_reply(const unsigned char *buf, size_t len,
                     struct wire_reply *r, char *why, size_t whylen);

/* Everything conn has to send, taken out of it into a malloc'd buffer
 * (NULL when out of memory; *len 0 when there was nothing). */
unsigned char *wire_take(struct tlsplug_conn *conn, size_t *len);

#endif
