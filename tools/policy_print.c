/*
 * policy_print.c -- the system policy in force, for which and info
 * (policy_print.h).
 */
#include "config.h"

#include <stdio.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "policy_print.h"

/* Writes the items of one list setting, separated by sep. */
static void
print_ciphers(FILE *f, const uint16_t *ids, size_t n, const char *sep,
              int json)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = tlsplug_cipher_suite_name(ids[i]);
		char buf[16];

		if (name == NULL) {
			snprintf(buf, sizeof(buf), "0x%04X", ids[i]);
			name = buf;
		}
		fputs(i > 0 ? sep : "", f);
		if (json)
			cli_json_string(f, name);
		else
			fputs(name, f);
	}
}

static void
print_groups(FILE *f, const char *const *names, size_t n, const char *sep,
             int json)
{
	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? sep : "", f);
		if (json)
			cli_json_string(f, names[i]);
		else
			fputs(names[i], f);
	}
}

void
cli_print_policy(FILE *f, const struct tlsplug_policy *p)
{
	const uint16_t *ids;
	const char *const *names;
	enum tlsplug_version v;
	unsigned line, bits;
	size_t n;

	if (p == NULL) {
		fputs("policy:         none\n", f);
		return;
	}
	fprintf(f, "policy:         %s\n", tlsplug_policy_file(p));
	v = tlsplug_policy_min_version(p, &line);
	if (v != TLSPLUG_VERSION_NONE)
		fprintf(f, "  min_version   %s (line %u)\n",
		        tlsplug_version_name(v), line);
	n = tlsplug_policy_ciphers(p, &ids, &line);
	if (n > 0) {
		fputs("  ciphers       ", f);
		print_ciphers(f, ids, n, ", ", 0);
		fprintf(f, " (line %u)\n", line);
	}
	n = tlsplug_policy_groups(p, &names, &line);
	if (n > 0) {
		fputs("  groups        ", f);
		print_groups(f, names, n, ", ", 0);
		fprintf(f, " (line %u)\n", line);
	}
	bits = tlsplug_policy_min_rsa_bits(p, &line);
	if (bits > 0)
		fprintf(f, "  min_rsa_bits  %u (line %u)\n", bits, line);
	bits = tlsplug_policy_min_dh_bits(p, &line);
	if (bits > 0)
		fprintf(f, "  min_dh_bits   %u (line %u)\n", bits, line);
}

void
cli_json_policy(FILE *f, const struct tlsplug_policy *p)
{
	const uint16_t *ids;
	const char *const *names;
	enum tlsplug_version v;
	unsigned line, bits;
	size_t n;

	if (p == NULL) {
		fputs("null", f);
		return;
	}
	fputs("{\"file\": ", f);
	cli_json_string(f, tlsplug_policy_file(p));
	v = tlsplug_policy_min_version(p, &line);
	if (v != TLSPLUG_VERSION_NONE) {
		fputs(", \"min_version\": {\"value\": ", f);
		cli_json_string(f, tlsplug_version_name(v));
		fprintf(f, ", \"line\": %u}", line);
	}
	n = tlsplug_policy_ciphers(p, &ids, &line);
	if (n > 0) {
		fputs(", \"ciphers\": {\"value\": [", f);
		print_ciphers(f, ids, n, ", ", 1);
		fprintf(f, "], \"line\": %u}", line);
	}
	n = tlsplug_policy_groups(p, &names, &line);
	if (n > 0) {
		fputs(", \"groups\": {\"value\": [", f);
		print_groups(f, names, n, ", ", 1);
		fprintf(f, "], \"line\": %u}", line);
	}
	bits = tlsplug_policy_min_rsa_bits(p, &line);
	if (bits > 0)
		fprintf(f, ", \"min_rsa_bits\": {\"value\": %u, \"line\": %u}",
		        bits, line);
	bits = tlsplug_policy_min_dh_bits(p, &line);
	if (bits > 0)
		fprintf(f, ", \"min_dh_bits\": {\"value\": %u, \"line\": %u}",
		        bits, line);
	fputs("}", f);
}
