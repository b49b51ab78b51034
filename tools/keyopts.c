/*
 * keyopts.c -- --keylog, --exporter, --groups and --sigalgs of `tlsplug
 * connect` and `tlsplug serve`, their status line fields, and the groups
 * and signature algorithms `tlsplug info` lists.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "keyopts.h"
#include "tlsopts.h"

int
keyopts_option(struct tlsopts *o, int c, const char *arg)
{
	switch (c) {
	case KEYOPT_KEYLOG: o->keylog = arg; return 1;
	case KEYOPT_EXPORTER: o->exporter = arg; return 1;
	case KEYOPT_GROUPS: o->groups = arg; return 1;
	case KEYOPT_SIGALGS: o->sigalgs = arg; return 1;
	default: return 0;
	}
}

/* --exporter LABEL:LEN, split at the last colon (a label may hold
 * colons).  Returns 0, or -1 when malformed. */
static int
parse_exporter(const char *text, char *label, size_t size,
               unsigned long *len)
{
	const char *colon = strrchr(text, ':');
	size_t n;

	if (colon == NULL || colon == text)
		return -1;
	n = (size_t)(colon - text);
	if (n >= size || cli_parse_uint(colon + 1, TLSPLUG_EXPORTER_MAX, len)
	    != 0 || *len == 0)
		return -1;
	memcpy(label, text, n);
	label[n] = '\0';
	return 0;
}

/* Splits a --groups / --sigalgs list and calls set (NULL: only checks the
 * names with lookup).  Returns 0, or the exit status after saying why. */
static int
name_list(const struct tlsopts *o, const char *opt, const char *text,
          int (*lookup)(const char *, uint16_t *), const char *kind,
          struct tlsplug_config_builder *b,
          int (*set)(struct tlsplug_config_builder *, const char *const *,
                     size_t))
{
	char *copy = strdup(text);
	char *items[TLSOPTS_MAX_LIST];
	uint16_t id;
	int n, i, rc;

	if (copy == NULL) {
		cli_error("out of memory");
		return EXIT_TLS_FAILURE;
	}
	n = tlsopts_split_list(copy, items);
	if (n < 0) {
		free(copy);
		return cli_usage_error(o->cmd, "bad %s list '%s' "
		                       "(comma-separated IANA names)", opt,
		                       text);
	}
	for (i = 0; i < n; i++)
		if (lookup(items[i], &id) != TLSPLUG_OK) {
			rc = cli_usage_error(o->cmd, "unknown %s '%s' in %s "
			                     "(IANA names, such as %s)", kind,
			                     items[i], opt,
			                     lookup == tlsplug_group_from_name ?
			                     "x25519, secp256r1, ffdhe2048, "
			                     "X25519MLKEM768" :
			                     "rsa_pss_rsae_sha256, "
			                     "ecdsa_secp256r1_sha256, ed25519");
			free(copy);
			return rc;
		}
	rc = 0;
	if (set != NULL && set(b, (const char *const *)items, (size_t)n) !=
	    TLSPLUG_OK)
		rc = tlsopts_fail(NULL, TLSPLUG_ERR_INVALID,
		                  tlsplug_config_builder_error(b));
	free(copy);
	return rc;
}

int
keyopts_check(const struct tlsopts *o)
{
	char label[256];
	unsigned long len;
	int rc;

	if (o->exporter != NULL &&
	    parse_exporter(o->exporter, label, sizeof(label), &len) != 0)
		return cli_usage_error(o->cmd, "bad --exporter '%s' "
		                       "(LABEL:LEN, LEN from 1 to %d)",
		                       o->exporter, TLSPLUG_EXPORTER_MAX);
	if (o->keylog != NULL && o->keylog[0] == '\0')
		return cli_usage_error(o->cmd, "--keylog needs a file name");
	if (o->groups != NULL &&
	    (rc = name_list(o, "--groups", o->groups, tlsplug_group_from_name,
	                    "group", NULL, NULL)) != 0)
		return rc;
	if (o->sigalgs != NULL &&
	    (rc = name_list(o, "--sigalgs", o->sigalgs,
	                    tlsplug_sigalg_from_name, "signature algorithm",
	                    NULL, NULL)) != 0)
		return rc;
	return 0;
}

int
keyopts_apply(const struct tlsopts *o, struct tlsplug_config_builder *b)
{
	int rc;

	if (o->keylog != NULL &&
	    (rc = tlsplug_config_builder_set_keylog_file(b, o->keylog)) !=
	    TLSPLUG_OK)
		return tlsopts_fail(NULL, rc, tlsplug_config_builder_error(b));
	if (o->groups != NULL &&
	    (rc = name_list(o, "--groups", o->groups, tlsplug_group_from_name,
	                    "group", b, tlsplug_config_builder_set_groups)) !=
	    0)
		return rc;
	if (o->sigalgs != NULL &&
	    (rc = name_list(o, "--sigalgs", o->sigalgs,
	                    tlsplug_sigalg_from_name, "signature algorithm", b,
	                    tlsplug_config_builder_set_sigalgs)) != 0)
		return rc;
	return 0;
}

void
keyopts_warn(const struct tlsplug_context *ctx)
{
	const struct tlsplug_error *e = tlsplug_context_keylog_error(ctx);

	if (e != NULL)
		fprintf(stderr, "tlsplug: warning: %s\n",
		        tlsplug_error_message(e));
}

void
keyopts_print_exporter(FILE *f, struct tlsplug_conn *conn,
                       const struct tlsopts *o)
{
	unsigned char out[TLSPLUG_EXPORTER_MAX];
	char label[256];
	unsigned long len;

	if (o == NULL || o->exporter == NULL ||
	    parse_exporter(o->exporter, label, sizeof(label), &len) != 0)
		return;
	if (tlsplug_conn_export_keying_material(conn, label, NULL, 0, out,
	                                        len) != TLSPLUG_OK) {
		/* The status line stays one line of key=value pairs. */
		fputs(" exporter=error", f);
		return;
	}
	fputs(" exporter=", f);
	for (unsigned long i = 0; i < len; i++)
		fprintf(f, "%02x", out[i]);
}

/* id, name pairs of one list, as text or JSON. */
static void
print_ids(const char *title, size_t (*list)(const struct tlsplug_backend *,
          uint16_t *, size_t), const char *(*name)(uint16_t),
          const struct tlsplug_backend *b, int json)
{
	uint16_t ids[256];
	size_t n = list(b, ids, 256);

	if (n > 256)
		n = 256;
	if (json)
		printf(", \"%s\": [", title);
	else
		printf("%-15s %zu%s\n", title, n, n > 0 ? "" :
		       " (not reported)");
	for (size_t i = 0; i < n; i++) {
		const char *s = name(ids[i]);

		if (json) {
			printf("%s{\"id\": \"0x%04x\", \"name\": ",
			       i > 0 ? ", " : "", ids[i]);
			cli_json_string(stdout, s);
			fputs("}", stdout);
		} else {
			printf("  0x%04x  %s\n", ids[i], s != NULL ? s : "?");
		}
	}
	if (json)
		fputs("]", stdout);
}

void
keyopts_info_text(const struct tlsplug_backend *b)
{
	print_ids("groups:", tlsplug_backend_groups, tlsplug_group_name, b, 0);
	print_ids("sigalgs:", tlsplug_backend_sigalgs, tlsplug_sigalg_name, b,
	          0);
}

void
keyopts_info_json(const struct tlsplug_backend *b)
{
	print_ids("groups", tlsplug_backend_groups, tlsplug_group_name, b, 1);
	print_ids("sigalgs", tlsplug_backend_sigalgs, tlsplug_sigalg_name, b,
	          1);
}
