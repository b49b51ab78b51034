/* cmd_which.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_which(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "which");
	return EXIT_USAGE;
}
