/*
 * tlsplug.c -- the tlsplug command: global options and dispatch to the
 * subcommands (one file each, see commands.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "commands.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "list every plugin found and whether it loads" },
	{ "info", cmd_info, "show a backend's capabilities and cipher suites" },
	{ "which", cmd_which, "show the backend chosen by default, and why" },
	{ "connect", cmd_connect, "connect to a TLS server and relay stdin" },
	{ "serve", cmd_serve, "run a TLS server for tests and demos" },
	{ "check-backend", cmd_check_backend,
	  "run the conformance suite against a plugin" },
	{ "bench", cmd_bench, "run the benchmarks" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: tlsplug [--help | --version]\n"
	      "       tlsplug COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].name,
		        commands[i].summary);
	fputs("\n"
	      "'tlsplug COMMAND --help' (or 'tlsplug help COMMAND') "
	      "describes a command.\n"
	      "environment: TLSPLUG_BACKEND, TLSPLUG_PLUGIN_PATH, "
	      "TLSPLUG_CONF\n"
	      "exit status: 0 success, 1 TLS or backend failure, "
	      "2 usage error\n"
	      "See tlsplug(1) and tlsplug.conf(5).\n", f);
}

static void
version(void)
{
	unsigned major, minor;

	/* The library's figures come from the library running, which may be
	 * newer than the one this command was built with. */
	tlsplug_lib_backend_abi(&major, &minor);
	printf("tlsplug %s\n", PACKAGE_VERSION);
	printf("libtlsplug %s, backend ABI %u.%u\n", tlsplug_lib_version(),
	       major, minor);
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
unknown_command(const char *name)
{
	cli_error("unknown command '%s' (try 'tlsplug --help')", name);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	char *help_argv[3];

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc > 2) {
			cli_error("'%s' takes no arguments "
			          "(try 'tlsplug --help')", argv[1]);
			return EXIT_USAGE;
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		if (argc > 2) {
			cli_error("'%s' takes no arguments "
			          "(try 'tlsplug --help')", argv[1]);
			return EXIT_USAGE;
		}
		version();
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			usage(stdout);
			return 0;
		}
		if (argc > 3) {
			cli_error("help takes one command name "
			          "(try 'tlsplug --help')");
			return EXIT_USAGE;
		}
		cmd = find_command(argv[2]);
		if (cmd == NULL)
			return unknown_command(argv[2]);
		help_argv[0] = argv[2];
		help_argv[1] = (char *)"--help";
		help_argv[2] = NULL;
		return cmd->run(2, help_argv);
	}
	if (argv[1][0] == '-') {
		cli_error("unknown option '%s' (try 'tlsplug --help')",
		          argv[1]);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL)
		return unknown_command(argv[1]);
	return cmd->run(argc - 1, argv + 1);
}
