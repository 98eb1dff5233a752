/* disclosure registry: what import (registry.c) and show/export
 * (registry_show.c) share. */
#ifndef DISCLOSURE_REGISTRY_CLI_H
#define DISCLOSURE_REGISTRY_CLI_H

typedef struct {
    const char *registry, *policy, *base_url, *format;
    int today;
} registry_options;

extern const char registry_usage[];
/* Options of a registry subcommand; returns the index of the first operand,
 * or -1 after saying why on stderr. */
int registry_parse_args(int argc, char **argv, registry_options *o, int allow_format);
int cmd_registry_show(int argc, char **argv);
int cmd_registry_export(int argc, char **argv);

#endif
