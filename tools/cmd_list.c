/* cmd_list.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "list");
	return EXIT_USAGE;
}
