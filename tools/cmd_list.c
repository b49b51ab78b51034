/*
 * cmd_list.c -- `tlsplug list`: every plugin file found on the plugin path,
 * loaded or rejected (with the reason), plus the default backend, the
 * configured names that were not found and config-file diagnostics.
 *
 * The plugins are loaded by probe.c, in child processes, so one that
 * crashes or hangs is listed as rejected; this file has the options and
 * the text and JSON output.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "probe.h"

#define DEFAULT_TIMEOUT 5        /* seconds a plugin may take to load */
#define MAX_TIMEOUT 3600

/* ---- output ---------------------------------------------------------- */

static const char *
state_name(int state)
{
	switch (state) {
	case TLSPLUG_BACKEND_OK:
		return "ok";
	case TLSPLUG_BACKEND_REJECTED:
		return "rejected";
	default:
		return "not-loaded";
	}
}

/* "TLSPLUG_BACKEND", "/etc/tlsplug.conf:3", "built-in order: priority 20"
 * in buf, or NULL when there is no default. */
static const char *
default_rule_text(const struct probe_result *l, char *buf, size_t size)
{
	const char *source;

	if (l->default_index < 0 || (size_t)l->default_index >= l->nentries)
		return NULL;
	source = l->source != NULL ? l->source : cli_rule_name(l->rule);
	if (l->rule == TLSPLUG_CHOSEN_BUILTIN)
		snprintf(buf, size, "%s: priority %d", source,
		         l->entries[l->default_index].priority);
	else
		snprintf(buf, size, "%s", source);
	return buf;
}

static void
print_json_strv(const struct probe_strv *sv)
{
	size_t i;

	fputc('[', stdout);
	for (i = 0; i < sv->n; i++) {
		if (i > 0)
			fputs(", ", stdout);
		cli_json_string(stdout, sv->v[i]);
	}
	fputc(']', stdout);
}

static void
print_json(const struct probe_result *l)
{
	char rulebuf[1024];
	const char *rule = default_rule_text(l, rulebuf, sizeof(rulebuf));
	size_t i;

	fputs("{\n  \"plugin_path\": ", stdout);
	print_json_strv(&l->dirs);
	fputs(",\n  \"default\": ", stdout);
	cli_json_string(stdout, rule != NULL
	                ? l->entries[l->default_index].name : NULL);
	fputs(",\n  \"default_rule\": ", stdout);
	cli_json_string(stdout, rule);
	fputs(",\n  \"default_error\": ", stdout);
	cli_json_string(stdout, rule == NULL ? l->choose_error : NULL);
	fputs(",\n  \"backends\": [", stdout);
	for (i = 0; i < l->nentries; i++) {
		const struct probe_entry *e = &l->entries[i];
		int ok = e->state == TLSPLUG_BACKEND_OK;

		fputs(i > 0 ? ",\n    {" : "\n    {", stdout);
		fputs("\"name\": ", stdout);
		cli_json_string(stdout, e->name);
		fputs(", \"state\": ", stdout);
		cli_json_string(stdout, state_name(e->state));
		fputs(", \"reason\": ", stdout);
		cli_json_string(stdout, ok ? NULL : e->reason);
		fputs(", \"path\": ", stdout);
		cli_json_string(stdout, e->path);
		if (e->abi_major != 0 || e->abi_minor != 0)
			printf(", \"abi\": \"%u.%u\"", e->abi_major,
			       e->abi_minor);
		else
			fputs(", \"abi\": null", stdout);
		fputs(", \"engine_version\": ", stdout);
		cli_json_string(stdout, ok ? e->engine : NULL);
		fputs(", \"description\": ", stdout);
		cli_json_string(stdout, ok ? e->description : NULL);
		if (ok)
			printf(", \"priority\": %d", e->priority);
		else
			fputs(", \"priority\": null", stdout);
		fputs(", \"capabilities\": ", stdout);
		cli_json_caps(stdout, ok ? e->caps : 0);
		printf(", \"default\": %s}",
		       (long)i == l->default_index ? "true" : "false");
	}
	fputs(l->nentries > 0 ? "\n  ]" : "]", stdout);
	fputs(",\n  \"missing\": ", stdout);
	print_json_strv(&l->missing);
	fputs(",\n  \"diagnostics\": ", stdout);
	print_json_strv(&l->diags);
	fputs("\n}\n", stdout);
}

static int
width(const char *s)
{
	return s != NULL ? (int)strlen(s) : 1;
}

static void
print_text(const struct probe_result *l)
{
	int wname = 4, wstate = 5, wengine = 14, wpath = 4;
	char rulebuf[1024];
	const char *rule = default_rule_text(l, rulebuf, sizeof(rulebuf));
	size_t i;

	for (i = 0; i < l->nentries; i++) {
		const struct probe_entry *e = &l->entries[i];

		if (width(e->name) > wname)
			wname = width(e->name);
		if (width(state_name(e->state)) > wstate)
			wstate = width(state_name(e->state));
		if (e->state == TLSPLUG_BACKEND_OK &&
		    width(e->engine) > wengine)
			wengine = width(e->engine);
		if (width(e->path) > wpath)
			wpath = width(e->path);
	}
	if (l->nentries == 0) {
		fputs("no plugins found\n", stdout);
	} else {
		printf("  %-*s  %-*s  %-4s  %4s  %-*s  %-*s  %s\n", wname,
		       "NAME", wstate, "STATE", "ABI", "PRIO", wengine,
		       "ENGINE VERSION", wpath, "PATH", "CAPABILITIES");
	}
	for (i = 0; i < l->nentries; i++) {
		const struct probe_entry *e = &l->entries[i];
		char abi[32], prio[16];

		strcpy(abi, "-");
		strcpy(prio, "-");
		if (e->abi_major != 0 || e->abi_minor != 0)
			snprintf(abi, sizeof(abi), "%u.%u", e->abi_major,
			         e->abi_minor);
		if (e->state == TLSPLUG_BACKEND_OK)
			snprintf(prio, sizeof(prio), "%d", e->priority);
		printf("%c %-*s  %-*s  %-4s  %4s  %-*s  %-*s  ",
		       (long)i == l->default_index ? '*' : ' ',
		       wname, e->name, wstate, state_name(e->state), abi, prio,
		       wengine, e->state == TLSPLUG_BACKEND_OK &&
		       e->engine != NULL ? e->engine : "-", wpath, e->path);
		cli_print_caps(stdout, e->state == TLSPLUG_BACKEND_OK
		               ? e->caps : 0, ",");
		fputc('\n', stdout);
		if (e->state != TLSPLUG_BACKEND_OK)
			printf("  %-*s  reason: %s\n", wname, "",
			       e->reason != NULL ? e->reason : "unknown");
	}
	fputc('\n', stdout);
	if (rule != NULL)
		printf("default: %s (chosen by %s)\n",
		       l->entries[l->default_index].name, rule);
	else
		printf("default: none (%s)\n", l->choose_error != NULL
		       ? l->choose_error : "no backend available");
	fputs("plugin path: ", stdout);
	for (i = 0; i < l->dirs.n; i++)
		printf("%s%s", i > 0 ? ":" : "", l->dirs.v[i]);
	fputs(l->dirs.n == 0 ? "(empty)\n" : "\n", stdout);
	for (i = 0; i < l->missing.n; i++)
		printf("not found: %s (configured, but no plugin provides "
		       "it)\n", l->missing.v[i]);
}

static void
list_usage(FILE *f)
{
	fprintf(f, "usage: tlsplug list [--json] [--app NAME] "
	        "[--timeout SECONDS]\n"
	        "\n"
	        "Lists every plugin file on the plugin path: name, state (ok, "
	        "or rejected with\n"
	        "the reason), ABI version, priority, engine version, path and "
	        "capabilities.\n"
	        "'*' marks the default backend.  Plugins are loaded in a "
	        "separate process, so\n"
	        "one that crashes or hangs is reported as rejected.\n"
	        "\n"
	        "  --json              print a JSON object\n"
	        "  --app NAME          use the [NAME] section of the "
	        "configuration files\n"
	        "  --timeout SECONDS   time each plugin may take to load "
	        "(default %d)\n"
	        "  -h, --help          show this help\n"
	        "\n"
	        "Exit status: 0 (also when plugins are rejected), 1 when the "
	        "plugins cannot be\n"
	        "probed, 2 on usage errors.\n", DEFAULT_TIMEOUT);
}

int
cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "app", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct probe_result l;
	size_t i;
	const char *app = NULL;
	unsigned long timeout = DEFAULT_TIMEOUT;
	int c, json = 0, rc;

	while ((c = cli_getopt(argc, argv, "ha:t:", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'a':
			app = optarg;
			break;
		case 't':
			if (cli_parse_uint(optarg, MAX_TIMEOUT,
			                   &timeout) != 0 || timeout == 0)
				return cli_usage_error("list", "bad --timeout "
				                       "'%s' (1 to %d seconds)",
				                       optarg, MAX_TIMEOUT);
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument '%s'",
		                       argv[optind]);

	rc = probe_plugins(app, (unsigned)timeout, &l);
	if (rc == 0) {
		for (i = 0; i < l.diags.n; i++)
			cli_error("%s", l.diags.v[i]);
		if (json)
			print_json(&l);
		else
			print_text(&l);
	}
	probe_result_clear(&l);
	if (rc != 0)
		return EXIT_TLS_FAILURE;
	return fflush(stdout) == 0 ? 0 : EXIT_TLS_FAILURE;
}
