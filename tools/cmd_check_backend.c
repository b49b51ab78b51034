/* cmd_check_backend.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_check_backend(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "check_backend");
	return EXIT_USAGE;
}
