/* csfs generate: argument parsing and the summary; the work is csfs_generate_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

static void help(void)
{
    printf("usage: csfs generate DIALOG -o rcsf.c [--threads N] [--force] [--strict]\n"
           "       csfs generate DIALOG --count [--json]\n\n"
           "GRASP2018's rcsfgenerate, byte for byte. DIALOG is what rcsfgenerate reads on\n"
           "stdin (a file, or - for stdin; an rcsfgenerate.log is valid too) or its TOML\n"
           "form. The output is GRASP's rcsf.out exactly (.zst compresses it).\n\n"
           "  -o, --output FILE   the CSF list to write (atomic; .zst: zstd-compressed)\n"
           "  --count             print the CSF count per J/parity block, the peel list and\n"
           "                      the exact text size, without generating any CSF\n"
           "  --json              with --count (or a run): the report as JSON on stdout\n"
           "  --clist FILE        orbital order file for order u (default: ./clist.ref, as\n"
           "                      GRASP)\n"
           "  --strict            GRASP's silent input changes (dropped orbitals, an\n"
           "                      unrecognised mode made active, a later list with another\n"
           "                      electron count, ...) are errors instead of warnings\n"
           "  --force-space       skip the free-space check at the destination\n"
           "  -j, --threads N     worker threads (default: online CPUs); the bytes never\n"
           "                      depend on it\n"
           "  -f, --force         replace an existing output\n"
           "  -q, --quiet         no warnings or summary on stderr\n");
}

static void print_report(const csfs_generate_report *r)
{
    fprintf(stderr, "%llu CSFs in %zu blocks (%llu configurations), text %llu bytes\n",
            (unsigned long long)r->csf_count, r->block_count,
            (unsigned long long)r->configuration_count, (unsigned long long)r->text_bytes);
    for (size_t i = 0; i < r->block_count; i++) {
        const csfs_generate_block *b = &r->blocks[i];
        if (b->two_j % 2)
            fprintf(stderr, "  block %zu: J = %d/2%c  %llu\n", i + 1, b->two_j,
                    b->parity ? '-' : '+', (unsigned long long)b->csf_count);
        else
            fprintf(stderr, "  block %zu: J = %d%c  %llu\n", i + 1, b->two_j / 2,
                    b->parity ? '-' : '+', (unsigned long long)b->csf_count);
    }
    fprintf(stderr, "  peel: %s\n", r->peel);
}

int cmd_generate(int argc, char **argv)
{
    csfs_generate_options opt;
    csfs_generate_options_init(&opt);
    int json = 0, count = 0, quiet = 0;
    cli_args a;
    cli_args_init(&a, "generate", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--output", "-o")) {
            opt.output = cli_value(&a);
        } else if (cli_is(&a, "--count", NULL)) {
            count = 1;
        } else if (cli_is(&a, "--json", NULL)) {
            json = 1;
        } else if (cli_is(&a, "--clist", NULL)) {
            opt.clist = cli_value(&a);
        } else if (cli_is(&a, "--strict", NULL)) {
            opt.strict = 1;
        } else if (cli_is(&a, "--force-space", NULL)) {
            opt.force_space = 1;
        } else if (cli_is(&a, "--force", "-f")) {
            opt.force = 1;
        } else if (cli_is(&a, "--quiet", "-q")) {
            quiet = 1;
        } else if (cli_is(&a, "--threads", "-j")) {
            const char *v = cli_value(&a);
            if (v) {
                int64_t n = cli_int(&a, v);
                if (n < 0)
                    a.error = 1;
                else
                    opt.threads = (int)n;
            }
        } else if (a.positional && !opt.dialog) {
            opt.dialog = a.arg;
        } else {
            cli_unknown(&a);
        }
    }
    if (!a.error && !opt.dialog) {
        cli_usage_error("generate", "no dialog file (use - for stdin)");
        a.error = 1;
    }
    if (!a.error && !count && !opt.output) {
        cli_usage_error("generate", "say where the list goes (-o FILE) or ask for --count");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    if (!quiet) {
        opt.report = cli_report_stderr;
        opt.report_ctx = NULL;
    }
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_generate_report rep;
    csfs_error err;
    int rc = count ? csfs_generate_count(&opt, &rep, &err) : csfs_generate_run(&opt, &rep, &err);
    if (rc) {
        fprintf(stderr, "csfs generate: %s\n", err.message);
        return cli_exit_for(&err);
    }
    if (json) {
        char *j = csfs_generate_report_json(&rep);
        if (j) {
            printf("%s\n", j);
            free(j);
        }
    } else if (count) {
        printf("csf_count: %llu\nblocks: %zu\n", (unsigned long long)rep.csf_count,
               rep.block_count);
        for (size_t i = 0; i < rep.block_count; i++)
            printf("block: %zu %d %c %llu\n", i + 1, rep.blocks[i].two_j,
                   rep.blocks[i].parity ? '-' : '+', (unsigned long long)rep.blocks[i].csf_count);
        printf("peel: %s\ntext_bytes: %llu\nconfigurations: %llu\n", rep.peel,
               (unsigned long long)rep.text_bytes, (unsigned long long)rep.configuration_count);
    }
    if (!quiet && !count) {
        fprintf(stderr, "csfs generate: %s: ", opt.output);
        print_report(&rep);
        fprintf(stderr, "  %.2f s, %d threads\n", rep.seconds, rep.threads);
    }
    csfs_generate_report_free(&rep);
    return EXIT_OK;
}
