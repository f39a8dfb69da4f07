/* csfs sample: argument parsing and the summary; the work is csfs_sample_run(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs sample LIST (-n N | --fraction F) [--per-block] [--seed S]\n"
           "                   [--exclude ROWS.npy] -o ROWS.npy\n\n"
           "Draws rows (CSFs) uniformly at random without replacement: every set of the\n"
           "requested size is equally likely. The rows are written as a row file that\n"
           "'csfs export --rows' reads: int64 .npy (text, one a line, when the name does not\n"
           "end in .npy), sorted ascending. Row i is the i-th CSF of LIST, counted from 0.\n"
           "LIST is a GRASP CSF list (text, .zst/.gz), a CSF Parquet or a descriptor Parquet\n"
           "file (its CSF count and J blocks are all that is read).\n\n"
           "The same seed gives the same rows on every machine and for every thread count:\n"
           "Floyd's algorithm over xoshiro256** seeded by SplitMix64 (integer arithmetic\n"
           "only); each block (or the whole list) has its own stream.\n\n"
           "options:\n"
           "  -o, --output FILE   the row file to write (required); appears only when complete\n"
           "  -n, --count N       rows to draw (from each block with --per-block; a block with\n"
           "                      fewer available rows gives them all). Drawing more than the\n"
           "                      whole list holds is an error\n"
           "  --fraction F        round(F x available rows) instead of N (0 <= F <= 1; of each\n"
           "                      block with --per-block)\n"
           "  --per-block         draw from each J block on its own\n"
           "  --seed S            the seed (default 0), any integer 0 .. 2^64-1\n"
           "  --exclude FILE      never draw these rows (e.g. those already chosen); the\n"
           "                      available rows are the others\n"
           "  --threads N         blocks drawn in parallel (default: online CPUs); never changes\n"
           "                      the rows\n"
           "  --force             replace an existing output\n"
           "  --json              print the summary as JSON on stdout\n"
           "  --quiet             no summary on stderr\n");
}

static int parse_seed(cli_args *a, const char *text, uint64_t *seed)
{
    char *end;
    if (!text) return -1;
    if (text[0] >= '0' && text[0] <= '9') {
        errno = 0;
        unsigned long long v = strtoull(text, &end, 0);
        if (!errno && *end == '\0') {
            *seed = v;
            return 0;
        }
    }
    cli_usage_error(a->command, "option --seed needs an integer 0 .. 2^64-1, not '%s'", text);
    a->error = 1;
    return -1;
}

int cmd_sample(int argc, char **argv)
{
    csfs_sample_options opt;
    csfs_sample_options_init(&opt);
    const char *exclude_file = NULL;
    int have_n = 0, have_fraction = 0;
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "sample", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--count", "-n")) {
            opt.n = (uint64_t)cli_int(&a, cli_value(&a));
            have_n = 1;
        } else if (cli_is(&a, "--fraction", NULL)) {
            opt.fraction = cli_double(&a, cli_value(&a));
            have_fraction = 1;
            if (!a.error && !(opt.fraction >= 0 && opt.fraction <= 1)) {
                cli_usage_error("sample", "--fraction needs a number in [0, 1], not %g",
                                opt.fraction);
                a.error = 1;
            }
        } else if (cli_is(&a, "--per-block", NULL)) {
            opt.per_block = 1;
        } else if (cli_is(&a, "--seed", NULL)) {
            parse_seed(&a, cli_value(&a), &opt.seed);
        } else if (cli_is(&a, "--exclude", NULL)) {
            exclude_file = cli_value(&a);
        } else if (!cli_common_option(&a, &c, CLI_THREADS)) {
            cli_unknown(&a);
        }
    }
    cli_require_files(&a, &c, 1);
    if (!a.error && have_n + have_fraction != 1) {
        cli_usage_error("sample", "give exactly one of -n and --fraction");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    opt.list = c.input;
    opt.threads = c.threads;

    csfs_error err = {0};
    uint64_t *excl = NULL;
    size_t n_excl = 0;
    if (exclude_file && csfs_rows_read(exclude_file, &excl, &n_excl, &err) != 0) {
        fprintf(stderr, "csfs sample: %s\n", err.message);
        return cli_exit_for(&err);
    }
    opt.exclude = excl;
    opt.n_exclude = n_excl;
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_sample_result res;
    int rc = csfs_sample_run(&opt, &res, &err);
    if (rc == 0) rc = csfs_rows_write(c.output, res.rows, res.n_rows, c.force, &err);
    csfs_rows_free(excl);
    if (rc != 0) {
        csfs_sample_result_free(&res);
        fprintf(stderr, "csfs sample: %s\n", err.message);
        return cli_exit_for(&err);
    }
    if (!c.quiet) {
        fprintf(stderr, "csfs sample: %zu of %llu rows (%llu available), seed %llu", res.n_rows,
                (unsigned long long)res.csf_count, (unsigned long long)res.available,
                (unsigned long long)opt.seed);
        if (opt.per_block) fprintf(stderr, ", %zu blocks", res.n_blocks);
        if (res.short_blocks)
            fprintf(stderr, ", %zu block%s with fewer rows than asked (all taken)",
                    res.short_blocks, res.short_blocks == 1 ? "" : "s");
        fprintf(stderr, ", %.3f s -> %s\n", res.seconds, c.output);
    }
    if (c.json) {
        printf("{\"list\": ");
        cli_print_json_string(stdout, c.input);
        printf(", \"output\": ");
        cli_print_json_string(stdout, c.output);
        printf(", \"rows\": %zu, \"csf_count\": %llu, \"blocks\": %zu, \"available\": %llu, "
               "\"short_blocks\": %zu, \"seed\": %llu, \"seconds\": %.6f}\n",
               res.n_rows, (unsigned long long)res.csf_count, res.n_blocks,
               (unsigned long long)res.available, res.short_blocks, (unsigned long long)opt.seed,
               res.seconds);
    }
    csfs_sample_result_free(&res);
    return EXIT_OK;
}
