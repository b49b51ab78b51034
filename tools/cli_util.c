/* cli_util.c -- helpers shared by the CLI's commands. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "commands.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tlsplug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
