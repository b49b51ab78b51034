/*
 * cmd_which.c -- `tlsplug which`: the backend an application would get by
 * default, and the rule that chose it (TLSPLUG_BACKEND, a config file's
 * path:line, or the built-in order).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"
#include "policy_print.h"

static void
which_usage(FILE *f)
{
	fputs("usage: tlsplug which [--json] [--app NAME]\n"
	      "\n"
	      "Prints the backend tlsplug would choose by default and the rule "
	      "that chose it:\n"
	      "TLSPLUG_BACKEND, a configuration file (path:line) or the "
	      "built-in order.\n"
	      "\n"
	      "  --json       print a JSON object\n"
	      "  --app NAME   use the [NAME] section of the configuration "
	      "files\n"
	      "  -h, --help   show this help\n"
	      "\n"
	      "Exit status: 0 when a backend is available, 1 when none can be "
	      "chosen, 2 on usage errors.\n", f);
}

/* Prints "(chosen by ...)" material: the source, plus the priority for the
 * built-in order. */
static void
print_reason(const struct tlsplug_backend *b, enum tlsplug_choice_rule rule,
             const char *source)
{
	if (source == NULL)
		source = cli_rule_name(rule);
	fputs(source, stdout);
	if (rule == TLSPLUG_CHOSEN_BUILTIN)
		printf(": priority %d", tlsplug_backend_priority(b));
}

int
cmd_which(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "app", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tlsplug_registry *reg;
	const struct tlsplug_backend *b = NULL;
	enum tlsplug_choice_rule rule = TLSPLUG_CHOSEN_BUILTIN;
	const char *source = NULL, *app = NULL;
	int c, json = 0, rc;

	while ((c = cli_getopt(argc, argv, "ha:", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'a':
			app = optarg;
			break;
		case 'h':
			which_usage(stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("which", "unexpected argument '%s'",
		                       argv[optind]);

	reg = cli_registry_new(app);
	if (reg == NULL)
		return EXIT_TLS_FAILURE;
	rc = tlsplug_registry_choose(reg, NULL, &b, &rule, &source);
	if (rc != TLSPLUG_OK || b == NULL) {
		const struct tlsplug_error *e = tlsplug_registry_error(reg);

		/* Exactly one line: the registry's message already names the
		 * backend or the file:line and lists what is available. */
		cli_error("%s", e != NULL ? tlsplug_error_message(e)
		                          : tlsplug_strerror(rc));
		tlsplug_registry_free(reg);
		return EXIT_TLS_FAILURE;
	}
	/* Config problems that did not decide the outcome (the environment
	 * overrode the files) are still worth seeing. */
	cli_print_diagnostics(reg);

	if (json) {
		fputs("{\"backend\": ", stdout);
		cli_json_string(stdout, tlsplug_backend_name(b));
		fputs(", \"rule\": ", stdout);
		cli_json_string(stdout, cli_rule_name(rule));
		fputs(", \"source\": ", stdout);
		cli_json_string(stdout, source);
		printf(", \"priority\": %d", tlsplug_backend_priority(b));
		fputs(", \"path\": ", stdout);
		cli_json_string(stdout, tlsplug_backend_path(b));
		fputs(", \"policy\": ", stdout);
		cli_json_policy(stdout, tlsplug_registry_policy(reg));
		fputs("}\n", stdout);
	} else {
		printf("%s (chosen by ", tlsplug_backend_name(b));
		print_reason(b, rule, source);
		fputs(")\n", stdout);
		cli_print_policy(stdout, tlsplug_registry_policy(reg));
	}
	tlsplug_registry_free(reg);
	return fflush(stdout) == 0 ? 0 : EXIT_TLS_FAILURE;
}
