/* csfs zerofirst: argument parsing and the summary; the work is csfs_zerofirst_run(). */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs zerofirst ZERO FULL -o OUTPUT [options]\n\n"
           "GRASP's rcsfzerofirst: for each block, the CSFs of the zero-order list ZERO\n"
           "first (as read), then the CSFs of the same block of FULL that are not\n"
           "textually identical to one of them, in FULL's order. Blocks are paired by\n"
           "position, as GRASP pairs them. The output is GRASP's rcsf.out byte for byte:\n"
           "ZERO's header with FULL's peel line. The core lines must be equal.\n"
           "FULL's blocks beyond ZERO's last block are dropped, as GRASP drops them,\n"
           "with a warning (--keep-extra-blocks writes them). Any number of blocks\n"
           "(GRASP's array holds 20). Inputs: text, .zst/.gz or CSF Parquet; memory\n"
           "holds one zero-order block, FULL is streamed.\n\n"
           "options:\n"
           "  -o, --output FILE       the list to write (optional with an engine output);\n"
           "                          appears only when complete\n"
           "  --keep-extra-blocks     write FULL's blocks beyond ZERO's last block too\n"
           "  --same-blocks           refuse lists with different block counts\n"
           "  --zero-header TOML      header TOML of a CSF Parquet ZERO (rCSFs files)\n"
           "  --full-header TOML      header TOML of a CSF Parquet FULL\n"
           "  --force                 replace an existing output\n"
           "  --json                  print the summary (per block) as JSON on stdout\n"
           "  --quiet                 no summary or warnings on stderr\n"
           "  --keep-long-lines       keep lines over 256 characters whole (GRASP reads\n"
           "                          256-character records and writes them cut; by default\n"
           "                          csfs does the same, with a warning)\n"
           "  -j, --threads N         engine outputs' worker threads\n");
    cli_engine_help(0);
}

int cmd_zerofirst(int argc, char **argv)
{
    csfs_zerofirst_options opt;
    csfs_zerofirst_options_init(&opt);
    cli_common c;
    cli_common_init(&c);
    cli_engine eng;
    cli_engine_init(&eng);
    cli_args a;
    cli_args_init(&a, "zerofirst", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--keep-extra-blocks", NULL)) {
            opt.keep_extra_blocks = 1;
        } else if (cli_engine_option(&a, &eng)) {
            continue;
        } else if (cli_is(&a, "--keep-long-lines", NULL)) {
            opt.keep_long_lines = 1;
        } else if (cli_is(&a, "--same-blocks", NULL)) {
            opt.require_same_block_count = 1;
        } else if (cli_is(&a, "--zero-header", NULL)) {
            opt.zero_header = cli_value(&a);
        } else if (cli_is(&a, "--full-header", NULL)) {
            opt.full_header = cli_value(&a);
        } else if (a.positional && c.input && !opt.full) {
            opt.full = a.arg;
        } else if (cli_is(&a, "--threads", "-j")) {
            const char *v = cli_value(&a);
            if (v) c.threads = (int)cli_int(&a, v);
        } else if (!cli_common_option(&a, &c, 0)) {
            cli_unknown(&a);
        }
    }
    if (!a.error && c.input && !opt.full) {
        cli_usage_error("zerofirst", "give two lists: ZERO FULL");
        a.error = 1;
    }
    opt.engine = eng.o;
    cli_require_files(&a, &c, !csfs_engine_outputs_any(&opt.engine));
    if (a.error) return EXIT_USAGE;
    opt.zero = c.input;
    opt.output = c.output;
    opt.force = c.force;
    opt.threads = c.threads;
    opt.report = c.quiet ? NULL : cli_report_stderr;
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_zerofirst_summary sum;
    csfs_error err;
    if (csfs_zerofirst_run(&opt, &sum, &err) != 0) {
        fprintf(stderr, "csfs zerofirst: %s\n", err.message);
        return cli_exit_for(&err);
    }
    if (!c.quiet) {
        fprintf(stderr, "csfs zerofirst: %llu zero-order + %llu other CSFs in %llu blocks -> %s\n",
                (unsigned long long)sum.zero_csfs, (unsigned long long)sum.first_order_csfs,
                (unsigned long long)sum.output_blocks,
                opt.output ? opt.output : "(engine outputs)");
        fprintf(stderr, "  Block    Zero-order Space   Complete Space\n");
        for (uint64_t i = 0; i < sum.output_blocks; i++)
            fprintf(stderr, "  %5llu  %17llu  %15llu\n", (unsigned long long)i + 1,
                    (unsigned long long)sum.blocks[i].zero, (unsigned long long)sum.blocks[i].full);
    }
    if (c.json) {
        printf("{\"output\": ");
        if (opt.output)
            cli_print_json_string(stdout, opt.output);
        else
            printf("null");
        printf(", \"zero_csf_count\": %llu, \"full_csf_count\": %llu, \"output_csf_count\": %llu, "
               "\"first_order_count\": %llu, \"zero_block_count\": %llu, \"full_block_count\": "
               "%llu, \"block_count\": %llu, \"dropped_block_count\": %llu, "
               "\"dropped_csf_count\": %llu, \"blocks\": [",
               (unsigned long long)sum.zero_csfs, (unsigned long long)sum.full_csfs,
               (unsigned long long)sum.output_csfs, (unsigned long long)sum.first_order_csfs,
               (unsigned long long)sum.zero_blocks, (unsigned long long)sum.full_blocks,
               (unsigned long long)sum.output_blocks, (unsigned long long)sum.dropped_blocks,
               (unsigned long long)sum.dropped_csfs);
        for (uint64_t i = 0; i < sum.output_blocks; i++)
            printf("%s{\"zero\": %llu, \"full\": %llu, \"first_order\": %llu, \"zero_not_found\": "
                   "%llu}",
                   i ? ", " : "", (unsigned long long)sum.blocks[i].zero,
                   (unsigned long long)sum.blocks[i].full, (unsigned long long)sum.blocks[i].first,
                   (unsigned long long)sum.blocks[i].not_found);
        printf("]}\n");
    }
    csfs_zerofirst_summary_free(&sum);
    return EXIT_OK;
}
