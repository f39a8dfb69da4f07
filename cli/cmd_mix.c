/* csfs mix: argument parsing and messages; the work is csfs_mix_labels_run()
 * (labels) and csfs_mix_levels_read() (--levels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs mix FILE.m|FILE.cm --csfs LIST -o LABELS.parquet [options]\n"
           "       csfs mix --levels FILE.m|FILE.cm [--csfs LIST] [--json]\n\n"
           "Reads a GRASP2018 mixing-coefficient file (rmcdhf .m, rci .cm), checks it against\n"
           "the CSF list it was computed from, and writes CI^2 labels with one row per CSF of\n"
           "the list, in list order: row i is CSF i, the same rows as 'csfs descriptors'.\n"
           "Blocks missing from the file (rmcdhf) or stored without levels (rci) give\n"
           "nlev = 0, ci2_max = 0, level_argmax = -1.\n\n"
           "Columns: row (int64), block, pos_in_block (1-based), nlev (levels stored for the\n"
           "block), ci2_max (max of c^2 over them), level_argmax (its storage index k).\n\n"
           "options:\n"
           "  --csfs LIST             the CSF list: GRASP text (.c, rcsf.inp; .zst/.gz too), or a\n"
           "                          Parquet file made by csfs (descriptors: J/parity unchecked)\n"
           "  -o, --output FILE       output Parquet file; written to a temporary in the same\n"
           "                          directory and renamed when complete\n"
           "  --wide                  add one double column per stored level, named by J,\n"
           "                          parity and position in the block (e.g. J1/2+_L3); 0.0\n"
           "                          for CSFs of other blocks\n"
           "  --values ci2|coef       --wide columns hold c^2 (default) or the signed coefficient\n"
           "  --long                  one row per (CSF, stored level) instead: row, block,\n"
           "                          pos_in_block, level, level_pos, energy, coefficient, ci2\n"
           "  --levels                list blocks and levels (J, parity, energy in Hartree and\n"
           "                          cm^-1 above the lowest, as rlevels) instead of labels\n"
           "  --compression C         none | snappy | gzip[:1-9] | zstd[:1-22] (default zstd:3)\n"
           "  --row-group-size ROWS   rows per Parquet row group (default 1048576)\n"
           "  --force                 replace an existing output\n"
           "  --json                  summary (or --levels listing) as JSON on stdout\n"
           "  --quiet                 no summary or warnings on stderr (errors still)\n");
}

static int run_levels(const char *input, const char *list_path, int json)
{
    csfs_error err = {0};
    csfs_mix_list list;
    int have_list = 0, rc = 0;
    if (list_path) {
        rc = csfs_mix_list_read(list_path, &list, &err);
        have_list = rc == 0;
    }
    csfs_mix_levels lv;
    memset(&lv, 0, sizeof lv);
    if (rc == 0) rc = csfs_mix_levels_read(input, have_list ? &list : NULL, &lv, &err);
    char *text = NULL;
    if (rc == 0) rc = csfs_mix_levels_format(&lv, json, &text, &err);
    if (rc == 0) fputs(text, stdout);
    csfs_free(text);
    csfs_mix_levels_free(&lv);
    if (have_list) csfs_mix_list_free(&list);
    if (rc) {
        return cli_fail("mix", &err);
    }
    return EXIT_OK;
}

static void print_summary(const csfs_mix_options *opt, const csfs_mix_summary *s, int quiet,
                          int json)
{
    static const char *layouts[] = {"narrow", "wide", "long"};
    if (!quiet) {
        fprintf(stderr,
                "csfs mix: %s: %llu CSFs in %llu blocks (%llu stored, %llu levels, %llu "
                "coefficients) -> %s: %llu rows, %llu columns, %.3f s\n",
                opt->input, (unsigned long long)s->csf_count, (unsigned long long)s->list_blocks,
                (unsigned long long)s->stored_blocks, (unsigned long long)s->levels,
                (unsigned long long)s->coefficients, opt->output, (unsigned long long)s->rows,
                (unsigned long long)s->columns, s->seconds);
        if (!s->jp_checked) fprintf(stderr, "csfs mix: warning: %s\n", s->jp_note);
    }
    if (!json) return;
    printf("{\"input\": ");
    cli_print_json_string(stdout, opt->input);
    printf(", \"csf_list\": ");
    cli_print_json_string(stdout, opt->csf_list);
    printf(", \"output\": ");
    cli_print_json_string(stdout, opt->output);
    printf(", \"layout\": \"%s\", \"rows\": %llu, \"columns\": %llu, \"csf_count\": %llu, "
           "\"list_blocks\": %llu, \"stored_blocks\": %llu, \"levels\": %llu, "
           "\"coefficients\": %llu, \"input_bytes\": %llu, \"jp_checked\": %s, \"jp_note\": ",
           layouts[opt->layout], (unsigned long long)s->rows, (unsigned long long)s->columns,
           (unsigned long long)s->csf_count, (unsigned long long)s->list_blocks,
           (unsigned long long)s->stored_blocks, (unsigned long long)s->levels,
           (unsigned long long)s->coefficients, (unsigned long long)s->input_bytes,
           s->jp_checked ? "true" : "false");
    cli_print_json_string(stdout, s->jp_note);
    printf(", \"seconds\": %.6f}\n", s->seconds);
}

int cmd_mix(int argc, char **argv)
{
    csfs_mix_options opt;
    csfs_mix_options_init(&opt);
    int levels = 0, wide = 0, longform = 0;
    const char *values = NULL;
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "mix", argc, argv);
    csfs_error err = {0};
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--csfs", NULL)) {
            opt.csf_list = cli_value(&a);
        } else if (cli_is(&a, "--wide", NULL)) {
            wide = 1;
        } else if (cli_is(&a, "--long", NULL)) {
            longform = 1;
        } else if (cli_is(&a, "--values", NULL)) {
            values = cli_value(&a);
        } else if (cli_is(&a, "--levels", NULL)) {
            levels = 1;
        } else if (!cli_common_option(&a, &c, CLI_PARQUET)) {
            cli_unknown(&a);
        }
    }
    if (a.error) return EXIT_USAGE;
    opt.input = c.input;
    opt.output = c.output;
    opt.force = c.force;
    opt.codec = c.codec;
    opt.codec_level = c.codec_level;
    opt.row_group_rows = c.row_group_rows;
    int json = c.json, quiet = c.quiet;
    const char *problem = NULL;
    if (!opt.input)
        problem = "no mixing file (.m/.cm) given";
    else if (wide && longform)
        problem = "--wide and --long exclude each other";
    else if (values && !wide)
        problem = "--values applies to --wide only";
    else if (values && strcmp(values, "ci2") && strcmp(values, "coef"))
        problem = "--values is ci2 or coef";
    else if (levels && (opt.output || wide || longform))
        problem = "--levels lists levels on stdout: no -o, --wide or --long";
    else if (!levels && !opt.csf_list)
        problem = "no CSF list (--csfs LIST): the labels are rows of the list";
    else if (!levels && !opt.output)
        problem = "no output file (-o FILE)";
    if (problem) {
        cli_usage_error("mix", "%s", problem);
        return EXIT_USAGE;
    }
    if (levels) return run_levels(opt.input, opt.csf_list, json);

    opt.layout = wide ? CSFS_MIX_WIDE : longform ? CSFS_MIX_LONG : CSFS_MIX_NARROW;
    opt.values = values && strcmp(values, "coef") == 0 ? CSFS_MIX_VALUES_COEF : CSFS_MIX_VALUES_CI2;
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_mix_summary sum;
    int rc = csfs_mix_labels_run(&opt, &sum, &err);
    if (rc != 0) {
        return cli_fail("mix", &err);
    }
    print_summary(&opt, &sum, quiet, json);
    return EXIT_OK;
}
