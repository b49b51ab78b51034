/* commands.h -- the subcommands of the tlsplug CLI, one file each. */
#ifndef TLSPLUG_TOOLS_COMMANDS_H
#define TLSPLUG_TOOLS_COMMANDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <getopt.h>

#include <tlsplug/tlsplug.h>

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

/* ---- cli_util.c: helpers any command may use ------------------------ */

/* Prints "tlsplug: <message>\n" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "tlsplug: CMD: <message> (try 'tlsplug CMD --help')" to stderr
 * and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * getopt_long() with the CLI's error messages: unknown options and missing
 * arguments are reported with cli_usage_error() (naming argv[0], the
 * command) and returned as '?'.  Returns -1 at the end of the options, as
 * getopt_long() does; optind/optarg are getopt's.  A leading ':' in
 * shortopts is added automatically.
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
               const struct option *longopts);
/* Makes the next cli_getopt() start again at argv[1] (tests, or a command
 * that parses twice). */
void cli_getopt_reset(void);

/* Parses a non-negative decimal integer no larger than max.  Returns 0 and
 * sets *out, or -1 (nothing printed). */
int cli_parse_uint(const char *text, unsigned long max, unsigned long *out);

/* Writes s as a JSON string literal (with quotes); NULL gives `null`.
 * Control characters are escaped and invalid UTF-8 becomes U+FFFD, so the
 * output is always valid JSON. */
void cli_json_string(FILE *f, const char *s);

/* Writes the names of the TLSPLUG_CAP_* bits set in caps, separated by sep
 * (unknown bits as "bit-N").  Writes "-" when caps is 0. */
void cli_print_caps(FILE *f, uint64_t caps, const char *sep);
/* The same as a JSON array of strings. */
void cli_json_caps(FILE *f, uint64_t caps);
/* The TLS versions a capability set allows, "TLSv1.2 TLSv1.3" style,
 * separated by sep ("-" when none). */
void cli_print_tls_versions(FILE *f, uint64_t caps, const char *sep);
void cli_json_tls_versions(FILE *f, uint64_t caps);

/* Short machine name of a choice rule: "explicit", "environment",
 * "user-config", "system-config", "built-in". */
const char *cli_rule_name(enum tlsplug_choice_rule rule);

/* Creates a registry for app_name (may be NULL), printing a "tlsplug:"
 * line on failure.  Returns NULL on failure. */
struct tlsplug_registry *cli_registry_new(const char *app_name);
/* Prints each config-file diagnostic of reg as a "tlsplug:" line. */
void cli_print_diagnostics(const struct tlsplug_registry *reg);

/* Writes all of buf to stdout (unbuffered, retrying on EINTR).  Returns 0
 * or -1. */
int cli_write_stdout(const unsigned char *buf, size_t len);

#endif
