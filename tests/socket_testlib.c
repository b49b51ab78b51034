/* socket_testlib.c -- see socket_testlib.h. */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socket_testlib.h"

int
st_load_backends(const char *prog, struct tlsplug_registry **reg,
                 const struct tlsplug_backend **out, int max)
{
	const char *list = getenv("TLSPLUG_TEST_BACKENDS");
	char *copy, *tok, *save = NULL;
	int n = 0;

	if (tlsplug_registry_new(NULL, reg, NULL) != TLSPLUG_OK) {
		fprintf(stderr, "%s: no registry\n", prog);
		exit(99);
	}
	if (list == NULL)
		return 0;
	copy = strdup(list);
	if (copy == NULL)
		exit(99);
	for (tok = strtok_r(copy, " ", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, " ", &save)) {
		const struct tlsplug_backend *b = NULL;
		struct tlsplug_error *err = NULL;

		if (tlsplug_registry_load_file(*reg, tok, &b, &err) !=
		    TLSPLUG_OK) {
			fprintf(stderr, "%s: %s: %s\n", prog, tok,
			        err ? tlsplug_error_message(err) : "?");
			exit(99);
		}
		out[n++] = b;
	}
	free(copy);
	return n;
}

int
st_make_certs(const char *prog, char *dir, size_t size)
{
	const char *srcdir = getenv("top_srcdir");
	char cmd[PATH_MAX * 3];
	char tmpl[64];

	snprintf(tmpl, sizeof(tmpl), "/tmp/tlsplug-%s-XXXXXX", prog);
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(dir, size, "%s", tmpl);
	snprintf(cmd, sizeof(cmd), "sh '%s/tools/tlsplug-gen-test-certs' "
	         "'%s' >/dev/null", srcdir ? srcdir : "..", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void
st_remove_certs(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

struct tlsplug_config_builder *
st_builder(const char *certdir, enum tlsplug_role role)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	char p1[PATH_MAX], p2[PATH_MAX];

	ck_assert_ptr_nonnull(b);
	if (role == TLSPLUG_SERVER) {
		struct tlsplug_certificate *c = NULL;
		struct tlsplug_private_key *k = NULL;

		snprintf(p1, sizeof(p1), "%s/ecdsa.pem", certdir);
		snprintf(p2, sizeof(p2), "%s/ecdsa.key", certdir);
		ck_assert_int_eq(tlsplug_certificate_from_file(p1, &c, NULL),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_private_key_from_file(p2, &k, NULL),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b, c,
		    NULL, k), TLSPLUG_OK);
		tlsplug_certificate_unref(c);
		tlsplug_private_key_unref(k);
	} else {
		struct tlsplug_trust_store *t = NULL;

		snprintf(p1, sizeof(p1), "%s/ca.pem", certdir);
		ck_assert_int_eq(tlsplug_trust_store_from_file(p1, &t, NULL),
		                 TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_config_builder_set_trust_store(b, t),
		                 TLSPLUG_OK);
		tlsplug_trust_store_unref(t);
	}
	return b;
}

struct tlsplug_context *
st_context(const struct tlsplug_backend *be, enum tlsplug_role role,
           struct tlsplug_config_builder *b)
{
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;
	int rc;

	ck_assert_int_eq(tlsplug_config_builder_build(b, &cfg), TLSPLUG_OK);
	tlsplug_config_builder_free(b);
	rc = tlsplug_context_new(be, role, cfg, &ctx, &err);
	ck_assert_msg(rc == TLSPLUG_OK, "context_new(%s): %s",
	              tlsplug_backend_name(be),
	              err ? tlsplug_error_message(err) : "?");
	tlsplug_config_unref(cfg);
	return ctx;
}
