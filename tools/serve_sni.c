/* serve_sni.c -- per-name certificate chains for `tlsplug serve --sni`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "serve_sni.h"
#include "tlsopts.h"

struct sni_entry {
	char *name;
	char *cert;
	char *key;
	struct tlsplug_config *cfg;
};

struct serve_sni {
	struct sni_entry *e;
	size_t n;
};

struct serve_sni *
serve_sni_new(void)
{
	return calloc(1, sizeof(struct serve_sni));
}

void
serve_sni_free(struct serve_sni *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		/* name, cert and key share one allocation */
		free(t->e[i].name);
		tlsplug_config_unref(t->e[i].cfg);
	}
	free(t->e);
	free(t);
}

int
serve_sni_add_arg(struct serve_sni *t, const char *arg)
{
	struct sni_entry *ne;
	char *copy, *eq, *comma;

	copy = strdup(arg);
	if (copy == NULL)
		return -1;
	eq = strchr(copy, '=');
	comma = eq != NULL ? strchr(eq + 1, ',') : NULL;
	if (eq == NULL || comma == NULL || eq == copy || comma == eq + 1 ||
	    comma[1] == '\0') {
		free(copy);
		return -1;
	}
	ne = realloc(t->e, (t->n + 1) * sizeof(*t->e));
	if (ne == NULL) {
		free(copy);
		return -1;
	}
	t->e = ne;
	*eq = '\0';
	*comma = '\0';
	t->e[t->n].name = copy;
	t->e[t->n].cert = eq + 1;
	t->e[t->n].key = comma + 1;
	t->e[t->n].cfg = NULL;
	t->n++;
	return 0;
}

/* "*.example.test" matches exactly one label in front of ".example.test". */
static int
name_matches(const char *pattern, const char *name)
{
	const char *dot;

	if (strcasecmp(pattern, name) == 0)
		return 1;
	if (pattern[0] != '*' || pattern[1] != '.')
		return 0;
	dot = strchr(name, '.');
	return dot != NULL && dot != name && strcasecmp(dot, pattern + 1) == 0;
}

static struct tlsplug_config *
sni_callback(struct tlsplug_conn *conn, const char *server_name,
             const struct tlsplug_config *original, void *user_data)
{
	const struct serve_sni *t = user_data;
	size_t i;

	(void)conn;
	for (i = 0; server_name != NULL && i < t->n; i++)
		if (name_matches(t->e[i].name, server_name))
			return tlsplug_config_ref(t->e[i].cfg);
	return tlsplug_config_ref((struct tlsplug_config *)original);
}

int
serve_sni_configure(struct serve_sni *t, struct tlsplug_config_builder *b)
{
	struct tlsplug_config *base = NULL;
	size_t i;
	int status = 0;
	int rc;

	if (t->n == 0)
		return 0;
	status = tlsopts_build(b, &base);
	for (i = 0; status == 0 && i < t->n; i++) {
		struct tlsplug_config_builder *eb = tlsplug_config_edit(base);

		if (eb == NULL) {
			cli_error("out of memory");
			status = EXIT_TLS_FAILURE;
			break;
		}
		rc = tlsplug_config_builder_clear_cert_chains(eb);
		if (rc != TLSPLUG_OK)
			status = tlsopts_fail(NULL, rc,
			                      tlsplug_config_builder_error(eb));
		if (status == 0)
			status = tlsopts_add_chain(eb, t->e[i].cert,
			                           t->e[i].key, NULL);
		if (status == 0)
			status = tlsopts_build(eb, &t->e[i].cfg);
		tlsplug_config_builder_free(eb);
	}
	tlsplug_config_unref(base);
	if (status != 0)
		return status;
	rc = tlsplug_config_builder_set_sni_callback(b, sni_callback, t);
	if (rc != TLSPLUG_OK)
		return tlsopts_fail(NULL, rc, tlsplug_config_builder_error(b));
	return 0;
}
