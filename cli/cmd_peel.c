/* csfs peel: prints a file's peel subshell list; the work is csfs_peel_read_any(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs peel FILE [--json]\n\n"
           "Prints the peel subshells (the descriptor layout order), one a line, of FILE:\n"
           "a GRASP CSF list (text, .zst, .gz; header line 4), a header TOML\n"
           "(header_lines[3]), or a Parquet file -- CSF or descriptor, csfs or rCSFs --\n"
           "(metadata csfs.peel_subshells or peel_subshells, else its header from\n"
           "csfs.header_lines or <stem>_header.toml beside it). The kind is told by content.\n"
           "Names from header lines follow rCSFs: white-space tokens with a letter and only\n"
           "letters, digits, '+', '-', '_'.\n\n"
           "options:\n"
           "  --json   one JSON object: {\"file\", \"source\", \"peel_subshells\": [...]}\n");
}

int cmd_peel(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    cli_args a;
    cli_args_init(&a, "peel", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--json", NULL)) {
            json = 1;
        } else if (a.positional && !path) {
            path = a.arg;
        } else {
            cli_unknown(&a);
        }
    }
    if (!a.error && !path) {
        cli_usage_error("peel", "no input file");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;

    csfs_error err = {0};
    csfs_peel *peel = NULL;
    csfs_peel_origin origin;
    char *detail = NULL;
    if (csfs_peel_read_any(path, &peel, &origin, &detail, &err) != 0) {
        return cli_fail("peel", &err);
    }
    size_t n = csfs_peel_count(peel);
    if (json) {
        printf("{\"file\": ");
        cli_print_json_string(stdout, path);
        printf(", \"source\": ");
        cli_print_json_string(stdout, csfs_peel_origin_name(origin));
        printf(", \"detail\": ");
        cli_print_json_string(stdout, detail ? detail : "");
        printf(", \"peel_subshells\": [");
        for (size_t i = 0; i < n; i++) {
            if (i) printf(", ");
            cli_print_json_string(stdout, csfs_peel_name(peel, i));
        }
        printf("]}\n");
    } else {
        for (size_t i = 0; i < n; i++) printf("%s\n", csfs_peel_name(peel, i));
    }
    csfs_free(detail);
    csfs_peel_free(peel);
    return EXIT_OK;
}
