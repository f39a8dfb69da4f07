/* csfs export: argument parsing and the summary; the work is csfs_export_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs export CSF.parquet -o OUTPUT.c [options]\n\n"
           "Writes a CSF Parquet file (from 'csfs convert' or rCSFs' convert_csfs) back as a\n"
           "GRASP CSF list: the 5 header lines, then line1..line3 of every CSF, with ' *'\n"
           "between J blocks. Without --rows the text is the original list byte for byte.\n"
           "The header comes from --header, else the file's metadata (csfs files), else\n"
           "<stem>_header.toml beside it (rCSFs files); blocks from the metadata\n"
           "csfs.block_lengths, else the block column, else the TOML's [block_info].\n\n"
           "options:\n"
           "  -o, --output FILE   the CSF list to write (required); appears only when complete\n"
           "  --given-order       V2 input, rCSFs 1.3's subset rule: the --rows in the order\n"
           "                      given (repeats allowed), ' *' where (2J, parity) changes\n"
           "  --rows FILE         write only these rows (0-based): a .npy 1-D integer array or\n"
           "                      a text file with one index a line ('#' comments allowed).\n"
           "                      They are written in ascending order, with ' *' between the\n"
           "                      blocks that keep CSFs; an index out of range or repeated is\n"
           "                      an error; an empty list gives the header alone\n"
           "  --header FILE       header TOML to use instead of the metadata / sidecar\n"
           "  --threads N         row groups decoded in parallel (default 1)\n"
           "  --force             replace an existing output\n"
           "  --json              print the summary as JSON on stdout\n"
           "  --quiet             no summary on stderr\n");
}

int cmd_export(int argc, char **argv)
{
    csfs_export_options opt;
    csfs_export_options_init(&opt);
    const char *rows_file = NULL;
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "export", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--rows", NULL)) {
            rows_file = cli_value(&a);
        } else if (cli_is(&a, "--given-order", NULL)) {
            opt.given_order = 1;
        } else if (cli_is(&a, "--header", NULL)) {
            opt.header = cli_value(&a);
        } else if (!cli_common_option(&a, &c, CLI_THREADS)) {
            cli_unknown(&a);
        }
    }
    cli_require_files(&a, &c, 1);
    if (a.error) return EXIT_USAGE;
    opt.input = c.input;
    opt.output = c.output;
    opt.threads = c.threads;
    opt.force = c.force;
    int json = c.json, quiet = c.quiet;

    csfs_error err = {0};
    uint64_t *rows = NULL;
    if (rows_file) {
        size_t n;
        if (csfs_rows_load(rows_file, &rows, &n, &err) != 0) {
            return cli_fail("export", &err);
        }
        opt.has_rows = 1;
        opt.rows = rows;
        opt.n_rows = n;
    }
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_export_summary sum;
    int rc = csfs_export_run(&opt, &sum, &err);
    csfs_free(rows);
    if (rc != 0) {
        return cli_fail("export", &err);
    }
    double mbs = sum.seconds > 0 ? (double)sum.output_bytes / 1e6 / sum.seconds : 0;
    if (!quiet)
        fprintf(stderr,
                "csfs export: %llu of %llu CSFs, %llu blocks, %llu bytes, %.3f s, %.0f MB/s "
                "(header: %s) -> %s\n",
                (unsigned long long)sum.csf_count, (unsigned long long)sum.input_rows,
                (unsigned long long)sum.block_count, (unsigned long long)sum.output_bytes,
                sum.seconds, mbs, sum.header_source, opt.output);
    if (json) {
        printf("{\"input\": ");
        cli_print_json_string(stdout, opt.input);
        printf(", \"output\": ");
        cli_print_json_string(stdout, opt.output);
        printf(", \"header_source\": ");
        cli_print_json_string(stdout, sum.header_source);
        printf(", \"input_rows\": %llu, \"csf_count\": %llu, \"block_count\": %llu, "
               "\"output_bytes\": %llu, \"row_groups_read\": %llu, \"seconds\": %.6f}\n",
               (unsigned long long)sum.input_rows, (unsigned long long)sum.csf_count,
               (unsigned long long)sum.block_count, (unsigned long long)sum.output_bytes,
               (unsigned long long)sum.row_groups_read, sum.seconds);
    }
    return EXIT_OK;
}
