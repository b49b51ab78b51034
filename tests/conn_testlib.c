/*
 * conn_testlib.c -- helpers shared by the tests that drive a client and a
 * server connection of one backend in memory (check_conn, check_legacy):
 * configs, contexts and connections that must be made, and the pump that
 * moves ciphertext between the two ends.  Each fails the current Check
 * test on error.
 */
#include "config.h"

#include <check.h>

#include "conn_testlib.h"

struct tlsplug_config *
build(struct tlsplug_config_builder *b)
{
	struct tlsplug_config *c = NULL;

	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	tlsplug_config_builder_free(b);
	return c;
}

struct tlsplug_context *
context(const struct tlsplug_backend *be, enum tlsplug_role role,
        struct tlsplug_config *cfg)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;
	int rc = tlsplug_context_new(be, role, cfg, &ctx, &e);

	ck_assert_msg(rc == TLSPLUG_OK, "context_new: %s",
	              tlsplug_error_message(e));
	tlsplug_config_unref(cfg);
	return ctx;
}

struct tlsplug_conn *
conn(struct tlsplug_context *ctx, const char *host)
{
	struct tlsplug_conn *c = NULL;

	ck_assert_int_eq(tlsplug_conn_new(ctx, host, &c, NULL), TLSPLUG_OK);
	return c;
}

size_t
pump(struct tlsplug_conn *a, struct tlsplug_conn *b)
{
	struct tlsplug_conn *from[2] = { a, b }, *to[2] = { b, a };
	size_t moved = 0;

	for (int i = 0; i < 2; i++) {
		const void *p;
		size_t n = tlsplug_conn_peek_outgoing(from[i], &p);

		if (n > 0) {
			ck_assert_int_eq(tlsplug_conn_receive_from_network(
			    to[i], p, n), TLSPLUG_OK);
			tlsplug_conn_consume_outgoing(from[i], n);
			moved += n;
		}
	}
	return moved;
}

int
handshake(struct tlsplug_conn *cl, struct tlsplug_conn *sv, int *sv_rc)
{
	int crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ;

	for (int i = 0; i < 20; i++) {
		if (crc == TLSPLUG_WANT_READ)
			crc = tlsplug_conn_handshake(cl);
		if (src == TLSPLUG_WANT_READ)
			src = tlsplug_conn_handshake(sv);
		if (pump(cl, sv) == 0 && crc != TLSPLUG_WANT_READ &&
		    src != TLSPLUG_WANT_READ)
			break;
	}
	if (sv_rc != NULL)
		*sv_rc = src;
	return crc;
}

