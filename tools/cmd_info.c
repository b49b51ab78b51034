/*
 * cmd_info.c -- `tlsplug info NAME`: one backend in detail: versions,
 * capabilities, TLS versions, cipher suites (IANA names) and where its
 * "system" trust store comes from.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "keyopts.h"
#include "policy_print.h"

static void
info_usage(FILE *f)
{
	fputs("usage: tlsplug info NAME [--json] [--app NAME]\n"
	      "\n"
	      "Shows a backend's description, ABI and engine versions, path, "
	      "priority,\n"
	      "capabilities, TLS versions, cipher suites (IANA names) and the "
	      "source of its\n"
	      "system trust store.\n"
	      "\n"
	      "  --json       print a JSON object\n"
	      "  --app NAME   use the [NAME] section of the configuration "
	      "files\n"
	      "  -h, --help   show this help\n"
	      "\n"
	      "Exit status: 0 on success, 1 when NAME is not an available "
	      "backend, 2 on usage errors.\n", f);
}

/* The engine's cipher suites in a malloc'd array (*n of them); NULL with
 * *n == 0 when it lists none or memory ran out. */
static uint16_t *
suites_of(const struct tlsplug_backend *b, size_t *n)
{
	size_t max = 256, got;
	uint16_t *ids = NULL, *tmp;

	for (;;) {
		tmp = realloc(ids, max * sizeof(*ids));
		if (tmp == NULL) {
			free(ids);
			*n = 0;
			return NULL;
		}
		ids = tmp;
		got = tlsplug_backend_cipher_suites(b, ids, max);
		if (got <= max)
			break;
		max = got;
	}
	*n = got;
	return ids;
}

/* Writes "0x1302" for a suite the table does not name. */
static const char *
suite_name(uint16_t id, char *buf, size_t size)
{
	const char *name = tlsplug_cipher_suite_name(id);

	if (name != NULL)
		return name;
	snprintf(buf, size, "0x%04X", id);
	return buf;
}

static void
print_json(const struct tlsplug_backend *b, const uint16_t *ids, size_t n,
           const struct tlsplug_policy *policy)
{
	unsigned major = 0, minor = 0;
	uint64_t caps = tlsplug_backend_caps(b);
	size_t i;

	tlsplug_backend_abi_version(b, &major, &minor);
	fputs("{\"name\": ", stdout);
	cli_json_string(stdout, tlsplug_backend_name(b));
	fputs(", \"description\": ", stdout);
	cli_json_string(stdout, tlsplug_backend_description(b));
	fputs(", \"path\": ", stdout);
	cli_json_string(stdout, tlsplug_backend_path(b));
	printf(", \"abi\": \"%u.%u\"", major, minor);
	fputs(", \"engine_version\": ", stdout);
	cli_json_string(stdout, tlsplug_backend_engine_version(b));
	printf(", \"priority\": %d", tlsplug_backend_priority(b));
	fputs(", \"capabilities\": ", stdout);
	cli_json_caps(stdout, caps);
	fputs(", \"tls_versions\": ", stdout);
	cli_json_tls_versions(stdout, caps);
	fputs(", \"system_trust_source\": ", stdout);
	cli_json_string(stdout, tlsplug_backend_system_trust_source(b));
	fputs(", \"cipher_suites\": [", stdout);
	for (i = 0; i < n; i++) {
		printf("%s{\"id\": \"0x%04X\", \"name\": ", i > 0 ? ", " : "",
		       ids[i]);
		cli_json_string(stdout, tlsplug_cipher_suite_name(ids[i]));
		fputs("}", stdout);
	}
	fputs("]", stdout);
	keyopts_info_json(b);
	fputs(", \"policy\": ", stdout);
	cli_json_policy(stdout, policy);
	fputs("}\n", stdout);
}

static void
print_text(const struct tlsplug_backend *b, const uint16_t *ids, size_t n,
           const struct tlsplug_policy *policy)
{
	unsigned major = 0, minor = 0;
	uint64_t caps = tlsplug_backend_caps(b);
	const char *s;
	char buf[16];
	size_t i;

	tlsplug_backend_abi_version(b, &major, &minor);
	printf("name:           %s\n", tlsplug_backend_name(b));
	s = tlsplug_backend_description(b);
	printf("description:    %s\n", s != NULL ? s : "-");
	printf("path:           %s\n", tlsplug_backend_path(b));
	printf("ABI version:    %u.%u\n", major, minor);
	s = tlsplug_backend_engine_version(b);
	printf("engine version: %s\n", s != NULL ? s : "-");
	printf("priority:       %d\n", tlsplug_backend_priority(b));
	fputs("capabilities:   ", stdout);
	cli_print_caps(stdout, caps, " ");
	fputs("\nTLS versions:   ", stdout);
	cli_print_tls_versions(stdout, caps, " ");
	s = tlsplug_backend_system_trust_source(b);
	printf("\nsystem trust:   %s\n", s != NULL ? s : "(not reported)");
	printf("cipher suites:  %zu%s\n", n,
	       n > 0 ? "" : " (not reported)");
	for (i = 0; i < n; i++)
		printf("  0x%04X  %s\n", ids[i],
		       suite_name(ids[i], buf, sizeof(buf)));
	keyopts_info_text(b);
	cli_print_policy(stdout, policy);
}

int
cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "app", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tlsplug_registry *reg;
	const struct tlsplug_backend *b;
	const char *app = NULL, *name;
	uint16_t *ids;
	size_t n;
	int c, json = 0;

	while ((c = cli_getopt(argc, argv, "ha:", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'a':
			app = optarg;
			break;
		case 'h':
			info_usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("info", "missing backend NAME");
	if (optind + 1 < argc)
		return cli_usage_error("info", "unexpected argument '%s'",
		                       argv[optind + 1]);
	name = argv[optind];

	reg = cli_registry_new(app);
	if (reg == NULL)
		return EXIT_TLS_FAILURE;
	b = tlsplug_registry_find(reg, name);
	if (b == NULL || tlsplug_backend_state(b) != TLSPLUG_BACKEND_OK) {
		const struct tlsplug_error *e = tlsplug_registry_error(reg);

		/* The registry's message names the backend, says why it is
		 * not available and lists those that are. */
		if (e != NULL)
			cli_error("%s", tlsplug_error_message(e));
		else
			cli_error("backend '%s' is not available", name);
		tlsplug_registry_free(reg);
		return EXIT_TLS_FAILURE;
	}
	cli_print_diagnostics(reg);
	ids = suites_of(b, &n);
	if (json)
		print_json(b, ids, n, tlsplug_registry_policy(reg));
	else
		print_text(b, ids, n, tlsplug_registry_policy(reg));
	free(ids);
	tlsplug_registry_free(reg);
	return fflush(stdout) == 0 ? 0 : EXIT_TLS_FAILURE;
}
