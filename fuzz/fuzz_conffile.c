/*
 * fuzz_conffile.c -- libFuzzer target: the tlsplug.conf reader
 * (tlsplug__conf_parse, core/conffile.c, with the [policy] section of
 * core/policy.c and the pin lists of core/pin.c) on arbitrary file text.
 *
 * Each input is read twice: as the system file for application "app"
 * (its [policy] counts) and as a user file with no application (its
 * [policy] is refused).  What the reader promises is checked: every
 * diagnostic is one printable line "FILE:LINE: ..." whose line exists,
 * every setting it keeps passed its own check again (backend names, the
 * session numbers, absolute paths, pin lists) and names a line of the
 * file, and the values split with tlsplug__split_list() as the registry
 * splits them.  A policy that was read answers tlsplug__policy_groups().
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "conffile.h"
#include "peer.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_NAME "/etc/tlsplug.conf"

/* The number of lines the reader sees in data[0..size). */
static unsigned
count_lines(const uint8_t *data, size_t size)
{
	unsigned n = 0;
	size_t pos = 0;

	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);

		n++;
		if (nl == NULL)
			break;
		pos = (size_t)(nl - data) + 1;
	}
	return n;
}

/* A kept setting: a value and "FILE:LINE" naming a line that exists. */
static void
check_entry(const struct tlsplug__conf_entry *e, unsigned lines)
{
	char source[64];

	if (e->value == NULL) {
		if (e->source != NULL || e->line != 0)
			abort();
		return;
	}
	if (e->source == NULL || e->line == 0 || e->line > lines ||
	    e->value[0] == '\0')
		abort();
	snprintf(source, sizeof(source), FILE_NAME ":%u", e->line);
	if (strcmp(source, e->source) != 0)
		abort();
}

/* A value kept for a list key splits into at least one item, and every
 * item passes check (when given). */
static void
check_list(const char *value, char sep, bool (*check)(const char *, size_t))
{
	char **items = NULL;
	size_t n = 0;

	if (value == NULL)
		return;
	if (tlsplug__split_list(value, sep, &items, &n) != TLSPLUG_OK)
		return;     /* out of memory: nothing to check */
	if (items[n] != NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		if (items[i][0] == '\0' ||
		    (check != NULL && !check(items[i], strlen(items[i]))))
			abort();
	tlsplug__strv_free(items);
}

static bool
absolute(const char *s, size_t len)
{
	return len > 0 && s[0] == '/';
}

static void
check_conf(const struct tlsplug__conf *c, unsigned lines, bool system)
{
	const char *const *groups = NULL;
	size_t ngroups = 0;

	for (size_t i = 0; i < c->ndiags; i++) {
		const char *d = c->diags[i];
		char *end;
		unsigned long line;

		if (strncmp(d, FILE_NAME ":", sizeof(FILE_NAME)) != 0)
			abort();
		line = strtoul(d + sizeof(FILE_NAME), &end, 10);
		if (line == 0 || line > lines || end[0] != ':' ||
		    end[1] != ' ' || end[2] == '\0')
			abort();
		for (const char *p = d; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
	check_entry(&c->backend, lines);
	check_entry(&c->plugin_path, lines);
	check_entry(&c->groups, lines);
	check_entry(&c->sigalgs, lines);
	check_entry(&c->client_cert, lines);
	check_entry(&c->session_cache, lines);
	check_entry(&c->ticket_lifetime, lines);
	check_entry(&c->ticket_key_file, lines);
	check_list(c->backend.value, ',', tlsplug__backend_name_valid);
	check_list(c->plugin_path.value, ':', absolute);
	check_list(c->groups.value, ',', NULL);
	check_list(c->sigalgs.value, ',', NULL);
	if (c->session_cache.value != NULL &&
	    tlsplug__conf_session_cache(c->session_cache.value,
	        strlen(c->session_cache.value)) < 0)
		abort();
	if (c->ticket_lifetime.value != NULL &&
	    tlsplug__conf_ticket_lifetime(c->ticket_lifetime.value,
	        strlen(c->ticket_lifetime.value)) < 0)
		abort();
	if (c->ticket_key_file.value != NULL &&
	    c->ticket_key_file.value[0] != '/')
		abort();
	for (size_t i = 0; i < c->npins; i++) {
		struct tlsplug_error e = { .alert = -1 };
		unsigned char (*hashes)[32] = NULL;
		size_t n = 0;

		check_entry(&c->pins[i].pins, lines);
		if (c->pins[i].host == NULL || c->pins[i].host[0] == '\0' ||
		    c->pins[i].pins.value == NULL)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(c->pins[i].host, c->pins[j].host) == 0)
				abort();
		/* A kept pin list parses again. */
		if (tlsplug__pins_parse(c->pins[i].pins.value, &hashes, &n,
		                        &e) == TLSPLUG_OK) {
			if (n == 0)
				abort();
			tlsplug__free(hashes);
		} else if (e.code != TLSPLUG_ERR_NOMEM) {
			abort();
		}
	}
	if (!system && c->policy != NULL)
		abort();
	if (c->policy != NULL) {
		struct tlsplug_error e = { .alert = -1 };
		int rc = tlsplug__policy_groups(c->policy, NULL, 0, &groups,
		                                &ngroups, &e);

		if (rc != TLSPLUG_OK && (rc != e.code || e.message[0] == '\0'))
			abort();
		for (size_t i = 0; rc == TLSPLUG_OK && i < ngroups; i++)
			if (groups[i] == NULL || groups[i][0] == '\0')
				abort();
	}
}

static void
parse(const uint8_t *data, size_t size, const char *app, bool system)
{
	struct tlsplug__conf c;
	unsigned lines = count_lines(data, size);

	memset(&c, 0, sizeof(c));
	c.policy_allowed = system;
	if (tlsplug__conf_parse((const char *)data, size, FILE_NAME, app, &c) !=
	    TLSPLUG_OK) {
		/* Out of memory: everything was cleared. */
		if (c.ndiags != 0 || c.backend.value != NULL || c.policy != NULL)
			abort();
		return;
	}
	check_conf(&c, lines, system);
	tlsplug__conf_clear(&c);
	if (c.diags != NULL || c.pins != NULL || c.policy != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > TLSPLUG_CONF_MAX_SIZE)
		return 0;
	parse(data, size, "app", true);
	parse(data, size, NULL, false);
	return 0;
}
