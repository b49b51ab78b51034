/*
 * policy_print.h -- the system policy in force, as `tlsplug which` and
 * `tlsplug info` show it (text and JSON).
 */
#ifndef TLSPLUG_TOOLS_POLICY_PRINT_H
#define TLSPLUG_TOOLS_POLICY_PRINT_H

#include <stdio.h>

#include <tlsplug/tlsplug.h>

/* "policy:         FILE" then one indented line per setting with its line
 * number, or "policy:         none". */
void cli_print_policy(FILE *f, const struct tlsplug_policy *p);
/* A JSON value: null, or {"file": ..., "min_version": {"value": ...,
 * "line": N}, ...} with only the settings the file makes. */
void cli_json_policy(FILE *f, const struct tlsplug_policy *p);

#endif
