#ifndef DISCLOSURE_CLI_H
#define DISCLOSURE_CLI_H
#include <stddef.h>
#include <stdio.h>

#include "disclosure.h"

/* Exit statuses shared by every subcommand (RULES.md "Output"). */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_CANNOT_RUN = 2 };

int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_registry(int argc, char **argv);

/* Read a whole file ("-" is stdin), at most max bytes (+1 to detect more). */
int cli_read_file(const char *path, size_t max, char **data, size_t *len, int *too_large);
/* Load a policy, printing "disclosure: FILE:LINE: reason" on failure. */
dsc_policy *cli_load_policy(const char *path);
void cli_print_error(const char *what, const dsc_error *err);

#endif
