/* cmd_info.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "info");
	return EXIT_USAGE;
}
