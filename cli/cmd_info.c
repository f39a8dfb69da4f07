/* csfs info: argument parsing only; the description is csfs_parquet_info(). */
#include <stdbool.h>
#include <stdio.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs info FILE.parquet [--json]\n\n"
           "Describes a Parquet file without reading its values: schema (physical and\n"
           "logical types, repetition), rows, row groups with each column chunk's codec,\n"
           "encodings, sizes and statistics, key-value metadata and created_by.\n\n"
           "options:\n"
           "  --json      one JSON object (keys file_path, file_size, num_rows,\n"
           "              num_columns, compression, created_by, format_version,\n"
           "              num_row_groups, schema, row_groups, key_value_metadata)\n");
}

int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    cli_args a;
    cli_args_init(&a, "info", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--json", NULL)) {
            json = true;
        } else if (a.positional && !path) {
            path = a.arg;
        } else {
            cli_unknown(&a);
        }
    }
    if (a.error) return EXIT_USAGE;
    if (!path) {
        cli_usage_error("info", "no input file");
        return EXIT_USAGE;
    }
    csfs_error err = {0};
    char *text = NULL;
    int rc = csfs_parquet_info(path, json, &text, &err);
    if (rc == 0) {
        fputs(text, stdout);
        csfs_free(text);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "csfs info: cannot write the description\n");
            return EXIT_FAIL;
        }
    }
    if (rc) {
        return cli_fail("info", &err);
    }
    return EXIT_OK;
}
