/* csfs rows: row files against a list (check, to and from block positions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs rows --check LIST ROWS\n"
           "       csfs rows --to-block LIST ROWS [-o PAIRS]\n"
           "       csfs rows --from-block LIST PAIRS [-o ROWS]\n\n"
           "Row files against a CSF list. Rows are global and count from 0 (row i = the i-th\n"
           "CSF of LIST, as in descriptor matrices and 'csfs export --rows'); blocks and\n"
           "positions in a block count from 1 as GRASP numbers them (as 'csfs mix' writes\n"
           "block and pos_in_block). LIST is a GRASP CSF list (text, .zst/.gz), a CSF\n"
           "Parquet, a descriptor Parquet or a 'csfs mix' label file: its J blocks are read.\n"
           "ROWS is an integer .npy 1-D array or text with one row a line; PAIRS an (N, 2)\n"
           "integer .npy or text with 'block position' a line.\n\n"
           "  --check        every row in range, ascending, none repeated; otherwise an error\n"
           "                 naming the first offending entry (nothing is dropped or fixed)\n"
           "  --to-block     each row as 'block position' (in the order given)\n"
           "  --from-block   each 'block position' back to its row (in the order given)\n\n"
           "options:\n"
           "  -o, --output FILE   write there (int64 .npy when the name ends in .npy, else\n"
           "                      text) instead of standard output\n"
           "  --force             replace an existing output\n"
           "  --json              print the summary as JSON on stdout (--check)\n"
           "  --quiet             no summary on stderr\n");
}

enum { MODE_NONE, MODE_CHECK, MODE_TO, MODE_FROM };

static int fail(csfs_error *err)
{
    fprintf(stderr, "csfs rows: %s\n", err->message);
    return cli_exit_for(err);
}

int cmd_rows(int argc, char **argv)
{
    int mode = MODE_NONE, modes = 0;
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "rows", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--check", NULL)) {
            mode = MODE_CHECK;
            modes++;
        } else if (cli_is(&a, "--to-block", NULL)) {
            mode = MODE_TO;
            modes++;
        } else if (cli_is(&a, "--from-block", NULL)) {
            mode = MODE_FROM;
            modes++;
        } else if (a.positional) {
            if (n_pos == 2) {
                cli_usage_error("rows", "unexpected argument '%s'", a.arg);
                a.error = 1;
            } else {
                pos[n_pos++] = a.arg;
            }
        } else if (!cli_common_option(&a, &c, 0)) {
            cli_unknown(&a);
        }
    }
    if (!a.error && modes != 1) {
        cli_usage_error("rows", "give exactly one of --check, --to-block, --from-block");
        a.error = 1;
    }
    if (!a.error && n_pos != 2) {
        cli_usage_error("rows", "give the list and the row file");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    const char *list = pos[0], *file = pos[1];
    const char *out = c.output ? c.output : "-";

    csfs_error err = {0};
    csfs_blocks b;
    if (csfs_blocks_read(list, &b, &err) != 0) return fail(&err);
    uint64_t *in = NULL, *res = NULL, *res2 = NULL;
    size_t n = 0;
    int rc = mode == MODE_FROM ? csfs_pairs_read(file, &in, &n, &err)
                               : csfs_rows_read(file, &in, &n, &err);
    if (rc == 0 && mode == MODE_CHECK) {
        rc = csfs_rows_check(b.csf_count, in, n, file, &err);
        if (rc == CSFS_E_ARGUMENT) err.code = rc = CSFS_E_FORMAT; /* a failed check: exit 1 */
        if (rc == 0 && !c.quiet)
            fprintf(stderr,
                    "csfs rows: %s: %zu rows, ascending, none repeated, all below %llu (%s, %zu "
                    "blocks)\n",
                    file, n, (unsigned long long)b.csf_count, list, b.n_blocks);
        if (rc == 0 && c.json) {
            printf("{\"rows_file\": ");
            cli_print_json_string(stdout, file);
            printf(", \"list\": ");
            cli_print_json_string(stdout, list);
            printf(", \"rows\": %zu, \"csf_count\": %llu, \"blocks\": %zu}\n", n,
                   (unsigned long long)b.csf_count, b.n_blocks);
        }
    } else if (rc == 0) {
        size_t cols = mode == MODE_TO ? 2 : 1;
        res = malloc((n ? n : 1) * cols * sizeof *res);
        res2 = malloc((n ? n : 1) * sizeof *res2);
        if (!res || !res2) {
            rc = CSFS_E_NOMEM;
            err.code = rc;
            snprintf(err.message, sizeof err.message, "out of memory");
        } else if (mode == MODE_TO) {
            rc = csfs_rows_to_blocks(&b, in, n, res, res2, &err);
            for (size_t i = n; rc == 0 && i-- > 0;) { /* interleave in place, from the end */
                res[2 * i + 1] = res2[i];
                res[2 * i] = res[i];
            }
            if (rc == 0) rc = csfs_pairs_write(out, res, n, c.force, &err);
        } else {
            for (size_t i = 0; i < n; i++) { /* split the pairs */
                res[i] = in[2 * i];
                res2[i] = in[2 * i + 1];
            }
            uint64_t *rows = in; /* in is free again: 2n >= n */
            rc = csfs_blocks_to_rows(&b, res, res2, n, rows, &err);
            if (rc == 0) rc = csfs_rows_write(out, rows, n, c.force, &err);
        }
        if (rc == 0 && !c.quiet && c.output)
            fprintf(stderr, "csfs rows: %zu %s -> %s\n", n,
                    mode == MODE_TO ? "rows to (block, position)" : "(block, position) to rows",
                    c.output);
    }
    free(in);
    free(res);
    free(res2);
    csfs_blocks_free(&b);
    return rc ? fail(&err) : EXIT_OK;
}
