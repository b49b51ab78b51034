/* cmd_serve.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "serve");
	return EXIT_USAGE;
}
