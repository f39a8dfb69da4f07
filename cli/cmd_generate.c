/* csfs generate: argument parsing and the summary; the work is csfs_generate_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
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
           "                      the exact text size, without generating any CSF; with\n"
           "                      --csf-parquet/--v1/--v1-normalized/--v2 also an ESTIMATE\n"
           "                      of each file's size (a sample of 16 runs of CSFs encoded\n"
           "                      with the same options, scaled to the list)\n"
           "  --json              with --count (or a run): the report as JSON on stdout\n"
           "  --clist FILE        orbital order file for order u (default: ./clist.ref, as\n"
           "                      GRASP)\n"
           "  --strict            GRASP's silent input changes (dropped orbitals, an\n"
           "                      unrecognised mode made active, a later list with another\n"
           "                      electron count, ...) are errors instead of warnings\n"
           "  --force-space       skip the free-space check at each destination (exact for\n"
           "                      the text, the --count estimate for the other files)\n"
           "  --no-grasp-limits   go beyond GRASP (the list is then NOT GRASP's, and a\n"
           "                      warning says so): subshells with j = 9/2 (g+, h-) may hold\n"
           "                      more than 2 electrons (GRASP's own, otherwise unused j = 9/2\n"
           "                      state tables with seniority); more than 100 J blocks.\n"
           "                      Still kept: n <= 15, l <= 10, 2 electrons (or 2 holes) in\n"
           "                      j >= 11/2 subshells, 20 open subshells, 100 references\n"
           "  -j, --threads N     worker threads (default: online CPUs); the bytes never\n"
           "                      depend on it\n"
           "  -f, --force         replace an existing output\n"
           "  -q, --quiet         no warnings or summary on stderr\n"
           "  --dialog            ask GRASP's questions interactively (stdin), then run;\n"
           "                      with --save FILE the answers are saved as TOML\n"
           "  --save FILE         write the dialog's answers as TOML (with or without a run)\n");
    cli_engine_help(0);
    printf("  csfs generate makes these outputs straight from the generator: no text is\n"
           "  written or read back for them (without -o there is no temporary either);\n"
           "  one engine pass per output\n");
    printf("\n"
           "TOML form (what --save writes; --config FILE is an alias of DIALOG):\n"
           "  order = \"*\"\n  core = 3\n  [[list]]\n"
           "  references = [\"3d(10,i)4s(2,*)4p(6,*)4d(6,*)\"]\n"
           "  active = \"5s,5p,5d,4f\"\n  two_j = [0, 12]\n  excitations = 2\n"
           "(one [[list]] per \"Generate more lists?\" round).\n");
}

/* Asks GRASP's questions on stderr and collects the answers in stdin form. */
static char *ask_dialog(size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap), line[512];
    if (!buf) return NULL;
#define ASK(prompt)                                                                                \
    do {                                                                                           \
        fprintf(stderr, "%s\n", prompt);                                                           \
        if (!fgets(line, sizeof line, stdin)) goto done;                                           \
        size_t l = strlen(line);                                                                   \
        if (n + l + 2 > cap) {                                                                     \
            cap = 2 * (n + l + 2);                                                                 \
            char *nb = realloc(buf, cap);                                                          \
            if (!nb) goto done;                                                                    \
            buf = nb;                                                                              \
        }                                                                                          \
        memcpy(buf + n, line, l);                                                                  \
        n += l;                                                                                    \
        if (l == 0 || line[l - 1] != '\n') buf[n++] = '\n';                                        \
    } while (0)
    ASK("Default, reverse, symmetry or user specified ordering? (*/r/s/u)");
    ASK("Select core: 0 none, 1 He, 2 Ne, 3 Ar, 4 Kr, 5 Xe, 6 Rn");
    for (;;) {
        for (int j = 1;; j++) {
            char p[96];
            snprintf(p, sizeof p, "Give configuration %d (a blank line or * ends the list)", j);
            ASK(p);
            const char *q = line;
            while (*q == ' ') q++;
            if (*q == '\n' || *q == 0 || (q[0] == '*' && (q[1] == '\n' || q[1] == 0))) break;
        }
        ASK("Give set of active orbitals, as defined by the highest principal quantum number "
            "per l-symmetry, in a comma delimited list in s,p,d etc order, e.g. 5s,4p,3d");
        ASK("Resulting 2*J-number? lower, higher (J=1 -> 2*J=2 etc.)");
        ASK("Number of excitations (if negative number e.g. -2, correlation orbitals will "
            "always be doubly occupied)");
        ASK("Generate more lists ? (y/n)");
        const char *q = line;
        while (*q == ' ') q++;
        if (*q != 'y' && *q != 'Y') break;
    }
#undef ASK
done:
    buf[n] = 0;
    *len = n;
    return buf;
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
    int json = 0, count = 0, quiet = 0, interactive = 0;
    const char *save = NULL;
    cli_engine eng;
    cli_engine_init(&eng);
    cli_args a;
    cli_args_init(&a, "generate", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--output", "-o")) {
            opt.output = cli_value(&a);
        } else if (cli_is(&a, "--dialog", NULL)) {
            interactive = 1;
        } else if (cli_is(&a, "--save", NULL)) {
            save = cli_value(&a);
        } else if (cli_is(&a, "--config", NULL)) {
            opt.dialog = cli_value(&a);
        } else if (cli_engine_option(&a, &eng)) {
            continue;
        } else if (cli_is(&a, "--count", NULL)) {
            count = 1;
        } else if (cli_is(&a, "--json", NULL)) {
            json = 1;
        } else if (cli_is(&a, "--clist", NULL)) {
            opt.clist = cli_value(&a);
        } else if (cli_is(&a, "--strict", NULL)) {
            opt.strict = 1;
        } else if (cli_is(&a, "--no-grasp-limits", NULL)) {
            opt.no_grasp_limits = 1;
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
    if (!a.error && !opt.dialog && !interactive) {
        cli_usage_error("generate", "no dialog file (use - for stdin)");
        a.error = 1;
    }
    opt.engine = eng.o;
    if (!a.error && !count && !opt.output && !save && !csfs_engine_outputs_any(&eng.o)) {
        cli_usage_error("generate", "say where the list goes (-o FILE) or ask for --count");
        a.error = 1;
    }
    if (a.error) return EXIT_USAGE;
    if (!quiet) {
        opt.report = cli_report_stderr;
        opt.report_ctx = NULL;
        if (isatty(STDERR_FILENO)) opt.progress = cli_progress_line;
    }
    csfs_error err;
    char *asked = NULL;
    if (interactive) {
        size_t n;
        asked = ask_dialog(&n);
        if (!asked) return EXIT_FAIL;
        opt.dialog = NULL;
        opt.dialog_text = asked;
        opt.dialog_len = n;
    }
    if (save) {
        char *toml = NULL;
        int rc = csfs_generate_dialog_to_toml(&opt, &toml, &err);
        FILE *f = rc ? NULL : fopen(save, "w");
        if (rc || !f || fputs(toml, f) < 0 || fclose(f) != 0) {
            if (rc)
                fprintf(stderr, "csfs generate: %s\n", err.message);
            else
                fprintf(stderr, "csfs generate: %s: cannot write\n", save);
            free(toml);
            free(asked);
            return EXIT_FAIL;
        }
        free(toml);
        if (!count && !opt.output) {
            free(asked);
            return EXIT_OK;
        }
    }
    opt.cancel = &cli_cancel;
    cli_install_signals();
    csfs_generate_report rep;
    int rc = count ? csfs_generate_count(&opt, &rep, &err) : csfs_generate_run(&opt, &rep, &err);
    free(asked);
    if (opt.progress) cli_progress_clear();
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
        for (size_t i = 0; i < rep.n_estimates; i++)
            printf("estimated_bytes: %s %llu (estimate from a sample of %llu CSFs)\n",
                   rep.estimates[i].path, (unsigned long long)rep.estimates[i].bytes,
                   (unsigned long long)rep.estimates[i].sample_csfs);
    }
    if (!quiet && !count) {
        fprintf(stderr, "csfs generate: %s: ", opt.output ? opt.output : "(engine outputs)");
        print_report(&rep);
        fprintf(stderr, "  %.2f s, %d threads\n", rep.seconds, rep.threads);
    }
    csfs_generate_report_free(&rep);
    return EXIT_OK;
}
