/* csfs select: argument parsing and the summary; the work is csfs_select_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf(
        "usage: csfs select SCORES -o ROWS.npy (--top K | --threshold T | --cumulative F)\n"
        "                   [--per-block] [--list LIST] [--union PREV.npy] [--min-per-block N]\n\n"
        "Chooses rows (CSFs) by score and writes them as a row file that 'csfs export --rows'\n"
        "reads: int64 .npy (text, one a line, when the name does not end in .npy), sorted\n"
        "ascending, each row once. Row i is the i-th CSF of the list, counted from 0.\n\n"
        "SCORES is a 1-D float32 or float64 .npy (one score per CSF), or a Parquet file with\n"
        "one score column (--column; e.g. ci2_max of 'csfs mix'). A NaN or infinite score is\n"
        "an error naming its row. Scores are read in pieces, never loaded whole.\n\n"
        "Order: higher score first; equal scores are taken by lower row number first, so\n"
        "a selection never depends on anything but the scores.\n\n"
        "modes (exactly one):\n"
        "  --top K             the K best rows (K per block with --per-block)\n"
        "  --threshold T       every row with score >= T\n"
        "  --cumulative F      the fewest best rows whose score sum reaches F x the sum of\n"
        "                      all scores (0 <= F <= 1; scores must be >= 0), e.g. 0.99 of\n"
        "                      the CI^2 weight; per block with --per-block\n\n"
        "options:\n"
        "  -o, --output FILE   the row file to write (required); appears only when complete\n"
        "  --column NAME       the Parquet column holding the scores (default: the file's\n"
        "                      only FLOAT/DOUBLE column)\n"
        "  --per-block         select in each J block on its own\n"
        "  --list LIST         where the J blocks are: the CSF list the scores belong to\n"
        "                      (GRASP text, .zst/.gz, CSF Parquet or descriptor Parquet).\n"
        "                      Default: the scores file's csfs.block_lengths metadata (as\n"
        "                      'csfs mix' labels have)\n"
        "  --union FILE        also keep these rows (e.g. the previous loop's selection)\n"
        "  --min-per-block N   every block keeps at least N rows (all of a smaller block):\n"
        "                      a block with fewer, after --union, gets its best unselected\n"
        "                      rows\n"
        "  --force             replace an existing output\n"
        "  --json              print the summary as JSON on stdout\n"
        "  --quiet             no summary on stderr\n");
}

static void progress(void *ctx, const csfs_progress *p)
{
    fprintf(stderr, "\r%llu scores read, %.0f /s\033[K", (unsigned long long)p->csfs_done,
            p->seconds > 0 ? (double)p->csfs_done / p->seconds : 0.0);
    fflush(stderr);
}

int cmd_select(int argc, char **argv)
{
    csfs_select_options opt;
    csfs_select_options_init(&opt);
    const char *union_file = NULL;
    int modes = 0;
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "select", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--top", NULL)) {
            opt.mode = CSFS_SELECT_TOP;
            opt.top = (uint64_t)cli_int(&a, cli_value(&a));
            modes++;
        } else if (cli_is(&a, "--threshold", NULL)) {
            opt.mode = CSFS_SELECT_THRESHOLD;
            opt.threshold = cli_double(&a, cli_value(&a));
            modes++;
        } else if (cli_is(&a, "--cumulative", NULL)) {
            opt.mode = CSFS_SELECT_CUMULATIVE;
            opt.cumulative = cli_double(&a, cli_value(&a));
            modes++;
            if (!a.error && !(opt.cumulative >= 0 && opt.cumulative <= 1)) {
                cli_usage_error("select", "--cumulative needs a fraction in [0, 1], not %g",
                                opt.cumulative);
                a.error = 1;
            }
        } else if (cli_is(&a, "--column", NULL)) {
            opt.column = cli_value(&a);
        } else if (cli_is(&a, "--per-block", NULL)) {
            opt.per_block = 1;
        } else if (cli_is(&a, "--list", NULL)) {
            opt.blocks_path = cli_value(&a);
        } else if (cli_is(&a, "--union", NULL)) {
            union_file = cli_value(&a);
        } else if (cli_is(&a, "--min-per-block", NULL)) {
            opt.min_per_block = (uint64_t)cli_int(&a, cli_value(&a));
        } else if (!cli_common_option(&a, &c, 0)) {
            cli_unknown(&a);
        }
    }
    cli_require_files(&a, &c, 1);
    if (!a.error && modes != 1) {
        cli_usage_error("select", "give exactly one of --top, --threshold, --cumulative");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    opt.scores_path = c.input;

    csfs_error err = {0};
    uint64_t *prev = NULL;
    size_t n_prev = 0;
    if (union_file && csfs_rows_read(union_file, &prev, &n_prev, &err) != 0) {
        fprintf(stderr, "csfs select: %s\n", err.message);
        return cli_exit_for(&err);
    }
    opt.union_rows = prev;
    opt.n_union_rows = n_prev;
    opt.cancel = &cli_cancel;
    if (!c.quiet && isatty(STDERR_FILENO)) opt.progress = progress;
    cli_install_signals();
    csfs_select_result res;
    int rc = csfs_select_run(&opt, &res, &err);
    if (opt.progress) cli_progress_clear();
    if (rc == 0) rc = csfs_rows_write(c.output, res.rows, res.n_rows, c.force, &err);
    csfs_rows_free(prev);
    if (rc != 0) {
        csfs_select_result_free(&res);
        fprintf(stderr, "csfs select: %s\n", err.message);
        return cli_exit_for(&err);
    }
    if (!c.quiet) {
        fprintf(stderr, "csfs select: %zu of %llu rows", res.n_rows,
                (unsigned long long)res.n_scores);
        if (res.n_blocks) fprintf(stderr, ", %zu blocks", res.n_blocks);
        if (opt.mode == CSFS_SELECT_CUMULATIVE && res.total_sum > 0)
            fprintf(stderr, ", %.6g of the score sum", res.score_sum / res.total_sum);
        if (res.added_union)
            fprintf(stderr, ", %llu from --union", (unsigned long long)res.added_union);
        if (res.added_minimum)
            fprintf(stderr, ", %llu for --min-per-block", (unsigned long long)res.added_minimum);
        fprintf(stderr, ", %.3f s -> %s\n", res.seconds, c.output);
    }
    if (c.json) {
        printf("{\"scores\": ");
        cli_print_json_string(stdout, c.input);
        printf(", \"output\": ");
        cli_print_json_string(stdout, c.output);
        printf(", \"rows\": %zu, \"scores_count\": %llu, \"blocks\": %zu, \"added_union\": %llu, "
               "\"added_minimum\": %llu, \"score_sum\": %.17g",
               res.n_rows, (unsigned long long)res.n_scores, res.n_blocks,
               (unsigned long long)res.added_union, (unsigned long long)res.added_minimum,
               res.score_sum);
        if (res.total_sum == res.total_sum) printf(", \"total_sum\": %.17g", res.total_sum);
        printf(", \"passes\": %llu, \"seconds\": %.6f}\n", (unsigned long long)res.passes,
               res.seconds);
    }
    csfs_select_result_free(&res);
    return EXIT_OK;
}
