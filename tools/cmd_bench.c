/* cmd_bench.c -- not written yet. */
#include "config.h"
#include "commands.h"

int
cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("%s: not implemented yet", "bench");
	return EXIT_USAGE;
}
