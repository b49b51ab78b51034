/* cmd_connect.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_connect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "connect");
	return EXIT_USAGE;
}
