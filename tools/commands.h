/* commands.h -- the subcommands of the tlsplug CLI, one file each. */
#ifndef TLSPLUG_TOOLS_COMMANDS_H
#define TLSPLUG_TOOLS_COMMANDS_H

/* Exit statuses (documented in tlsplug(1)). */
#define EXIT_TLS_FAILURE 1   /* TLS or backend failure, backend not found */
#define EXIT_USAGE 2         /* bad command line */

/* Each command gets argv with argv[0] = the command name and returns the
 * process exit status.  Errors are printed as one line starting "tlsplug:". */
int cmd_list(int argc, char **argv);          /* cmd_list.c */
int cmd_info(int argc, char **argv);          /* cmd_info.c */
int cmd_which(int argc, char **argv);         /* cmd_which.c */
int cmd_connect(int argc, char **argv);       /* cmd_connect.c */
int cmd_serve(int argc, char **argv);         /* cmd_serve.c */
int cmd_check_backend(int argc, char **argv); /* cmd_check_backend.c */
int cmd_bench(int argc, char **argv);         /* cmd_bench.c */

/* Prints "tlsplug: <message>\n" to stderr (cli_util.c). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
