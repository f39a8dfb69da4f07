/* csfs interact: argument parsing and the summary; the work is csfs_interact_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs interact MR CANDIDATES -o OUT [--hamiltonian dc|dcb] [--by-j]\n"
           "                    [--threads N] [--force] [--quiet] [--keep-long-lines]\n"
           "                    [--csf-parquet FILE] [--v1|--v1-normalized|--v2 FILE]\n"
           "       csfs interact --explain MR CANDIDATES --row I [--hamiltonian dc|dcb]\n\n"
           "GRASP2018's rcsfinteract, byte for byte: OUT gets, per block, the MR CSFs of\n"
           "the block and then, in list order, the CSFs of the paired candidate block that\n"
           "interact with one of them through the Dirac-Coulomb (dc, GRASP option 1,\n"
           "default) or Dirac-Coulomb-Breit (dcb, option 2) Hamiltonian by GRASP's angular\n"
           "selection rules. Blocks are paired by position as GRASP does (a warning when\n"
           "their J or parity differ); --by-j pairs each candidate block with the MR block\n"
           "of its J and parity. The core lines must be equal and the MR peel list a prefix\n"
           "of the candidates'. --explain prints which MR CSF and which rule keeps\n"
           "candidate I (1-based over the whole list), or why none does.\n"
           "GRASP reads CSF lines into 256-character records: a longer line is cut to 256\n"
           "characters (and tested so), as GRASP writes it, with a warning naming it.\n\n"
           "  -o, --output FILE   the list to write (optional with an engine output)\n"
           "  --hamiltonian H     dc (default) or dcb\n"
           "  --by-j              pair blocks by J and parity instead of by position\n"
           "  --keep-long-lines   keep lines over 256 characters whole (NOT GRASP's bytes)\n"
           "  -j, --threads N     worker threads (default: online CPUs)\n"
           "  -f, --force         replace existing outputs\n"
           "  -q, --quiet         no progress line or table on stderr\n");
    cli_engine_help(0);
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "csfs interact: warning: %s\n", msg);
}

int cmd_interact(int argc, char **argv)
{
    csfs_interact_options opt;
    csfs_interact_options_init(&opt);
    int quiet = 0, explain = 0;
    long long row = 0;
    cli_engine eng;
    cli_engine_init(&eng);
    cli_args a;
    cli_args_init(&a, "interact", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--hamiltonian", NULL)) {
            const char *v = cli_value(&a);
            if (v && strcmp(v, "dc") == 0)
                opt.hamiltonian = CSFS_HAMILTONIAN_DC;
            else if (v && strcmp(v, "dcb") == 0)
                opt.hamiltonian = CSFS_HAMILTONIAN_DCB;
            else if (v) {
                cli_usage_error("interact", "--hamiltonian is dc or dcb, not '%s'", v);
                a.error = 1;
            }
        } else if (cli_is(&a, "--output", "-o")) {
            opt.output = cli_value(&a);
        } else if (cli_is(&a, "--threads", "-j")) {
            const char *v = cli_value(&a);
            if (v) opt.threads = atoi(v);
            if (v && opt.threads < 1) {
                cli_usage_error("interact", "--threads needs a positive number");
                a.error = 1;
            }
        } else if (cli_engine_option(&a, &eng)) {
            continue;
        } else if (cli_is(&a, "--keep-long-lines", NULL)) {
            opt.keep_long_lines = 1;
        } else if (cli_is(&a, "--by-j", NULL)) {
            opt.by_j = 1;
        } else if (cli_is(&a, "--explain", NULL)) {
            explain = 1;
        } else if (cli_is(&a, "--row", NULL)) {
            const char *v = cli_value(&a);
            if (v) row = atoll(v);
            if (v && row < 1) {
                cli_usage_error("interact", "--row is a 1-based CSF number");
                a.error = 1;
            }
        } else if (cli_is(&a, "--force", "-f")) {
            opt.force = 1;
        } else if (cli_is(&a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a.positional && !opt.mr) {
            opt.mr = a.arg;
        } else if (a.positional && !opt.candidates) {
            opt.candidates = a.arg;
        } else {
            cli_unknown(&a);
        }
    }
    if (!a.error && (!opt.mr || !opt.candidates)) {
        cli_usage_error("interact", "give the MR list and the candidate list");
        a.error = 1;
    }
    if (!a.error && explain && row < 1) {
        cli_usage_error("interact", "--explain needs --row I");
        a.error = 1;
    }
    opt.engine = eng.o;
    if (!a.error && !explain && !opt.output && !csfs_engine_outputs_any(&opt.engine)) {
        cli_usage_error("interact", "no output file (-o OUT, or an engine output)");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    opt.report = report;
    if (!quiet && !explain && isatty(STDERR_FILENO)) opt.progress = cli_progress_line;
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_error err;
    if (explain) {
        char text[8192];
        int rc = csfs_interact_explain(&opt, (uint64_t)(row - 1), text, sizeof text, &err);
        if (rc) {
            fprintf(stderr, "csfs interact: %s\n", err.message);
            return cli_exit_for(&err);
        }
        fputs(text, stdout);
        return EXIT_OK;
    }
    csfs_interact_summary sum;
    int rc = csfs_interact_run(&opt, &sum, &err);
    if (opt.progress) cli_progress_clear();
    if (rc) {
        fprintf(stderr, "csfs interact: %s\n", err.message);
        return cli_exit_for(&err);
    }
    if (!quiet) {
        fprintf(stderr, " Block    MR NCSF   Before NCSF   After NCSF\n");
        for (size_t b = 0; b < sum.n_blocks; b++)
            fprintf(stderr, "   %2zu      %7llu   %10llu   %10llu\n", b + 1,
                    (unsigned long long)sum.blocks[b].mr,
                    (unsigned long long)sum.blocks[b].candidates,
                    (unsigned long long)sum.blocks[b].kept);
        fprintf(stderr,
                "csfs interact: %llu candidates -> %llu CSFs written (%d threads, %.2f s)\n",
                (unsigned long long)sum.candidates, (unsigned long long)sum.written, sum.threads,
                sum.seconds);
    }
    csfs_interact_summary_free(&sum);
    return EXIT_OK;
}
