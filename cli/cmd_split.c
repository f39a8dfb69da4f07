/* csfs split: argument parsing and the summary; the work is csfs_split_run(). */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "jobs/split_by_j.h"

static void help(void)
{
    printf("usage: csfs split INPUT --by j [-d DIR] [--prefix P] [--force] [--no-w] [--json]\n\n"
           "Splits a GRASP CSF list by total J, as GRASP's rcsfsplit names its outputs:\n"
           "DIR/P_<2J>.c for each J (P: the input's name without extension; DIR: the\n"
           "input's directory), each with the 5 header lines and that J's blocks in file\n"
           "order. Both parities of one J go to the same file, as separate blocks: that\n"
           "is the form GRASP's own per-J lists have and rmcdhf/rci read (rCSFs refuses\n"
           "such input). INPUT.w, when present, is copied to DIR/P_<2J>.w. Every output is\n"
           "written only after the whole input was read: on error nothing is left.\n");
}

int cmd_split(int argc, char **argv)
{
    csfs_split_options opt = {.copy_w = 1};
    int json = 0, by_j = 0;
    cli_args a;
    cli_args_init(&a, "split", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--by", NULL)) {
            const char *v = cli_value(&a);
            if (v && strcmp(v, "j") != 0 && strcmp(v, "J") != 0) {
                cli_usage_error("split", "only --by j is supported, not '%s'", v);
                a.error = 1;
            }
            by_j = 1;
        } else if (cli_is(&a, "--dir", "-d")) {
            opt.dir = cli_value(&a);
        } else if (cli_is(&a, "--prefix", NULL)) {
            opt.prefix = cli_value(&a);
        } else if (cli_is(&a, "--no-w", NULL)) {
            opt.copy_w = 0;
        } else if (cli_is(&a, "--force", "-f")) {
            opt.force = 1;
        } else if (cli_is(&a, "--json", NULL)) {
            json = 1;
        } else if (a.positional && !opt.input) {
            opt.input = a.arg;
        } else {
            cli_unknown(&a);
        }
    }
    if (!a.error && !opt.input) {
        cli_usage_error("split", "no input file");
        a.error = 1;
    }
    if (!a.error && !by_j) {
        cli_usage_error("split", "say how to split: --by j");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_split_summary sum;
    csfs_error err;
    int rc = csfs_split_run(&opt, &sum, &err);
    if (rc) {
        fprintf(stderr, "csfs split: %s\n", err.message);
        return cli_exit_for(&err);
    }
    fprintf(stderr, "csfs split: %llu CSFs in %llu blocks -> %zu files\n",
            (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count, sum.n_outputs);
    if (json) {
        printf("{\"csf_count\": %llu, \"block_count\": %llu, \"outputs\": [",
               (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count);
        for (size_t i = 0; i < sum.n_outputs && i < CSFS_SPLIT_MAX_REPORTED; i++)
            printf("%s{\"two_j\": %d, \"csf_count\": %llu, \"block_count\": %llu}", i ? ", " : "",
                   (int)sum.two_j[i], (unsigned long long)sum.csfs[i],
                   (unsigned long long)sum.blocks[i]);
        printf("]}\n");
    }
    return EXIT_OK;
}
