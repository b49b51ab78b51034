/* tlsopts.c -- TLS options shared by `tlsplug connect` and `tlsplug serve`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "keyopts.h"
#include "tlsopts.h"

#define MAX_LIST TLSOPTS_MAX_LIST

int
tlsopts_split_list(char *text, char **items)
{
	int n = 0;
	char *p = text;

	for (;;) {
		char *comma = strchr(p, ',');

		if (comma != NULL)
			*comma = '\0';
		if (*p == '\0' || n == MAX_LIST)
			return -1;
		items[n++] = p;
		if (comma == NULL)
			return n;
		p = comma + 1;
	}
}

static int
parse_ciphers(const struct tlsopts *o, uint16_t *ids, size_t *n)
{
	char *copy = strdup(o->ciphers);
	char *items[MAX_LIST];
	int count, i;

	if (copy == NULL) {
		cli_error("out of memory");
		return EXIT_TLS_FAILURE;
	}
	count = tlsopts_split_list(copy, items);
	if (count < 0) {
		free(copy);
		return cli_usage_error(o->cmd, "bad --ciphers list '%s'",
		                       o->ciphers);
	}
	for (i = 0; i < count; i++) {
		if (tlsplug_cipher_suite_from_name(items[i], &ids[i]) !=
		    TLSPLUG_OK) {
			cli_usage_error(o->cmd, "unknown cipher suite '%s' "
			                "(IANA names, e.g. "
			                "TLS_AES_128_GCM_SHA256, or 0x1301)",
			                items[i]);
			free(copy);
			return EXIT_USAGE;
		}
	}
	free(copy);
	*n = (size_t)count;
	return 0;
}

static int
parse_version(const struct tlsopts *o, const char *opt, const char *text,
              enum tlsplug_version *v)
{
	if (tlsplug_version_parse(text, v) != TLSPLUG_OK)
		return cli_usage_error(o->cmd, "bad %s '%s' (use 1.2, 1.3, "
		                       "TLSv1.2, TLSv1_2, min or max)", opt,
		                       text);
	return 0;
}

int
tlsopts_check(const struct tlsopts *o)
{
	enum tlsplug_version v;
	uint16_t ids[MAX_LIST];
	size_t n;
	int rc;

	if (o->min_version != NULL &&
	    (rc = parse_version(o, "--min-version", o->min_version, &v)) != 0)
		return rc;
	if (o->max_version != NULL &&
	    (rc = parse_version(o, "--max-version", o->max_version, &v)) != 0)
		return rc;
	if (o->ciphers != NULL && (rc = parse_ciphers(o, ids, &n)) != 0)
		return rc;
	if (o->alpn != NULL) {
		char *copy = strdup(o->alpn);
		char *items[MAX_LIST];
		int count = copy == NULL ? -1 : tlsopts_split_list(copy, items);
		int i;

		for (i = 0; i < count; i++)
			if (strlen(items[i]) > 255)
				count = -1;
		free(copy);
		if (count < 0)
			return cli_usage_error(o->cmd, "bad --alpn list '%s' "
			                       "(comma-separated protocol "
			                       "names, 1 to 255 bytes each)",
			                       o->alpn);
	}
	if ((o->cert == NULL) != (o->key == NULL))
		return cli_usage_error(o->cmd, "--cert and --key go together");
	if (o->pass != NULL && o->key == NULL)
		return cli_usage_error(o->cmd, "--pass needs --key");
	return keyopts_check(o);
}

int
tlsopts_fail(const char *prefix, int code, const struct tlsplug_error *e)
{
	if (e != NULL && tlsplug_error_code(e) != TLSPLUG_OK)
		code = tlsplug_error_code(e);
	fprintf(stderr, "tlsplug: %s: %s%s%s\n", tlsplug_status_name(code),
	        prefix != NULL ? prefix : "", prefix != NULL ? ": " : "",
	        e != NULL ? tlsplug_error_message(e) : tlsplug_strerror(code));
	return EXIT_TLS_FAILURE;
}

/* Reports a builder setter's failure. */
static int
builder_fail(struct tlsplug_config_builder *b, int rc)
{
	return tlsopts_fail(NULL, rc, tlsplug_config_builder_error(b));
}

int
tlsopts_add_chain(struct tlsplug_config_builder *b, const char *cert,
                  const char *key, const char *password)
{
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_private_key *k = NULL;
	struct tlsplug_error *err = NULL;
	int rc;

	rc = tlsplug_certificate_from_file(cert, &c, &err);
	if (rc == TLSPLUG_OK) {
		if (password != NULL)
			rc = tlsplug_private_key_from_file_with_password(key,
			    password, strlen(password), &k, &err);
		else
			rc = tlsplug_private_key_from_file(key, &k, &err);
	}
	if (rc != TLSPLUG_OK) {
		tlsplug_certificate_unref(c);
		tlsopts_fail(NULL, rc, err);
		tlsplug_error_free(err);
		return EXIT_TLS_FAILURE;
	}
	rc = tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	tlsplug_certificate_unref(c);
	tlsplug_private_key_unref(k);
	return rc == TLSPLUG_OK ? 0 : builder_fail(b, rc);
}

int
tlsopts_builder(const struct tlsopts *o, struct tlsplug_config_builder **out)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	enum tlsplug_version v;
	int rc;

	*out = NULL;
	if (b == NULL) {
		cli_error("out of memory");
		return EXIT_TLS_FAILURE;
	}
	if (o->cafile != NULL) {
		struct tlsplug_trust_store *t = NULL;
		struct tlsplug_error *err = NULL;

		rc = tlsplug_trust_store_from_file(o->cafile, &t, &err);
		if (rc != TLSPLUG_OK) {
			tlsopts_fail(NULL, rc, err);
			tlsplug_error_free(err);
			goto fail;
		}
		rc = tlsplug_config_builder_set_trust_store(b, t);
		tlsplug_trust_store_unref(t);
		if (rc != TLSPLUG_OK)
			goto fail_builder;
	}
	if (o->no_verify) {
		rc = tlsplug_config_builder_set_insecure_no_validation(b, 1);
		if (rc != TLSPLUG_OK)
			goto fail_builder;
	}
	if (o->alpn != NULL) {
		char *copy = strdup(o->alpn);
		char *items[MAX_LIST];
		int count = copy == NULL ? -1 : tlsopts_split_list(copy, items);

		rc = count < 0 ? TLSPLUG_ERR_INVALID :
		     tlsplug_config_builder_set_alpn(b,
		         (const char *const *)items, (size_t)count);
		free(copy);
		if (rc != TLSPLUG_OK)
			goto fail_builder;
	}
	if (o->min_version != NULL) {
		if (parse_version(o, "--min-version", o->min_version, &v) != 0)
			goto fail_usage;
		rc = tlsplug_config_builder_set_min_version(b, v);
		if (rc != TLSPLUG_OK)
			goto fail_builder;
	}
	if (o->max_version != NULL) {
		if (parse_version(o, "--max-version", o->max_version, &v) != 0)
			goto fail_usage;
		rc = tlsplug_config_builder_set_max_version(b, v);
		if (rc != TLSPLUG_OK)
			goto fail_builder;
	}
	if (o->ciphers != NULL) {
		uint16_t ids[MAX_LIST];
		size_t n;

		if (parse_ciphers(o, ids, &n) != 0)
			goto fail_usage;
		rc = tlsplug_config_builder_set_ciphers(b, ids, n);
		if (rc != TLSPLUG_OK)
			goto fail_builder;
	}
	if (o->cert != NULL &&
	    tlsopts_add_chain(b, o->cert, o->key, o->pass) != 0)
		goto fail;
	if (keyopts_apply(o, b) != 0)
		goto fail;
	*out = b;
	return 0;

fail_builder:
	builder_fail(b, rc);
fail:
	tlsplug_config_builder_free(b);
	return EXIT_TLS_FAILURE;
fail_usage:
	tlsplug_config_builder_free(b);
	return EXIT_USAGE;
}

int
tlsopts_build(struct tlsplug_config_builder *b, struct tlsplug_config **out)
{
	int rc = tlsplug_config_builder_build(b, out);

	return rc == TLSPLUG_OK ? 0 : builder_fail(b, rc);
}

int
tlsopts_backend(const char *name, struct tlsplug_registry **reg,
                const struct tlsplug_backend **out)
{
	int rc;

	*out = NULL;
	*reg = cli_registry_new(NULL);
	if (*reg == NULL)
		return EXIT_TLS_FAILURE;
	rc = tlsplug_registry_choose(*reg, name, out, NULL, NULL);
	if (rc != TLSPLUG_OK || *out == NULL) {
		tlsopts_fail(NULL, rc != TLSPLUG_OK ? rc : TLSPLUG_ERR_NOT_FOUND,
		             tlsplug_registry_error(*reg));
		tlsplug_registry_free(*reg);
		*reg = NULL;
		return EXIT_TLS_FAILURE;
	}
	return 0;
}

/* Writes s in double quotes, escaping quotes and backslashes. */
static void
print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
tlsopts_print_params(FILE *f, struct tlsplug_conn *conn)
{
	uint16_t cs = tlsplug_conn_cipher(conn);
	const char *csname = tlsplug_cipher_suite_name(cs);
	const char *vname = tlsplug_version_name(tlsplug_conn_version(conn));
	const char *alpn = tlsplug_conn_alpn(conn);
	const char *peer = tlsplug_conn_peer_subject(conn);
	uint16_t group = tlsplug_conn_group(conn);
	const char *gname = tlsplug_group_name(group);

	fprintf(f, "version=%s", vname != NULL ? vname : "none");
	if (csname != NULL)
		fprintf(f, " cipher=%s", csname);
	else
		fprintf(f, " cipher=0x%04X", (unsigned)cs);
	if (group == 0)
		fputs(" group=none", f);
	else if (gname != NULL)
		fprintf(f, " group=%s", gname);
	else
		fprintf(f, " group=0x%04x", (unsigned)group);
	fprintf(f, " alpn=%s peer=", alpn != NULL ? alpn : "none");
	if (peer != NULL)
		print_quoted(f, peer);
	else
		fputs("none", f);
}
