/* csfs split: argument parsing and the summary; the work is csfs_split_run() (by J),
 * csfs_split_active_run() (by active set) or csfs_split_block_run() (by block). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs split INPUT --by j [-d DIR] [--prefix P] [--force] [--no-w] [--json]\n"
           "       csfs split INPUT --by active-set LABEL=ORBITALS ... [-d DIR] [--prefix P]\n"
           "       csfs split [INPUT] --dialog rcsfsplit.stdin [-d DIR]\n"
           "       csfs split INPUT --by block [-d DIR] [--prefix P] [--no-w]\n\n"
           "--by j: one list per total J, as GRASP's rcsfsplit names its outputs:\n"
           "DIR/P_<2J>.c for each J (P: the input's name without extension; DIR: the\n"
           "input's directory), each with the 5 header lines and that J's blocks in file\n"
           "order. Both parities of one J go to the same file, as separate blocks: that\n"
           "is the form GRASP's own per-J lists have and rmcdhf/rci read (rCSFs refuses\n"
           "such input). INPUT.w, when present, is copied to DIR/P_<2J>.w.\n\n"
           "--by active-set: GRASP's rcsfsplit, byte for byte: one list DIR/P<LABEL>.c per\n"
           "active orbital set (the highest n per l, e.g. _n4=4s,4p,4d,4f), holding the\n"
           "CSFs whose first line names no orbital outside the set; the peel line keeps\n"
           "the set's orbitals; every ' *' is copied, so an emptied block leaves two\n"
           "separators in a row, as GRASP leaves them. P defaults to the input's name\n"
           "without .c (and .zst/.gz, .parquet). --dialog reads the sets from the stdin\n"
           "you would give rcsfsplit (state name, number of sets, orbitals and label per\n"
           "set): it reads NAME.c (or INPUT) and writes NAME<label>.c in DIR (default:\n"
           "the current directory).\n\n"
           "--by block: GRASP's rasfsplit: one list per block, named DIR/P_even1.c,\n"
           "P_odd1.c, ... (numbered per parity in file order), each with the full header;\n"
           "the mixing files P.m and P.cm beside INPUT, when present, are split the same\n"
           "way into one-block mixing files (P_even1.m ...; blocks paired by number, not\n"
           "by position as GRASP pairs them), and INPUT.w is copied to each P_even1.w.\n\n"
           "Inputs: text, .zst/.gz or CSF Parquet (by active set or block). Every output\n"
           "is written only after the whole input was read: on error nothing is left.\n\n"
           "options:\n"
           "  --by j|active-set|block   how to split\n"
           "  --set LABEL=ORBITALS      an active set (as the positional form); repeatable\n"
           "  --dialog FILE             GRASP's rcsfsplit stdin (implies --by active-set)\n"
           "  --header TOML             header TOML of a CSF Parquet input (rCSFs files)\n"
           "  -d, --dir DIR             output directory\n"
           "  --prefix P                output name prefix\n"
           "  --no-w                    do not copy INPUT.w\n"
           "  --no-mixing               --by block: do not split P.m / P.cm\n"
           "  --force                   replace existing outputs\n"
           "  --json                    print the summary as JSON on stdout\n"
           "  --quiet                   no summary or warnings on stderr\n"
           "  --keep-long-lines         active-set/block: keep lines longer than GRASP's\n"
           "                            strings (rcsfsplit 200, rasfsplit 700 characters)\n"
           "                            whole; by default they are cut as GRASP cuts them\n"
           "  -j, --threads N           engine outputs' worker threads\n"
           "engine outputs (--by active-set or block):\n");
    cli_engine_help(1);
}

enum { BY_NONE, BY_J, BY_ACTIVE, BY_BLOCK };

static int add_set(csfs_active_set **sets, size_t *n, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        cli_usage_error("split", "'%s': an active set is LABEL=ORBITALS, e.g. _n4=4s,4p,4d,4f",
                        arg);
        return -1;
    }
    csfs_active_set *s = realloc(*sets, (*n + 1) * sizeof *s);
    char *label = strdup(arg);
    if (!s || !label) {
        free(label);
        if (s) *sets = s;
        cli_usage_error("split", "out of memory");
        return -1;
    }
    label[eq - arg] = 0;
    *sets = s;
    s[*n].label = label;
    s[*n].orbitals = label + (eq - arg) + 1;
    s[*n].output = NULL;
    (*n)++;
    return 0;
}

static int run_j(const char *input, const char *dir, const char *prefix, int copy_w, int force,
                 int json)
{
    csfs_split_options opt;
    csfs_split_options_init(&opt);
    opt.input = input;
    opt.dir = dir;
    opt.prefix = prefix;
    opt.copy_w = copy_w;
    opt.force = force;
    opt.cancel = &cli_cancel;
    csfs_split_summary sum;
    csfs_error err;
    int rc = csfs_split_run(&opt, &sum, &err);
    if (rc) {
        return cli_fail("split", &err);
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

static int run_active(csfs_split_active_options *opt, int quiet, int json)
{
    opt->report = quiet ? NULL : cli_report_stderr;
    opt->cancel = &cli_cancel;
    csfs_split_active_summary sum;
    csfs_error err;
    if (csfs_split_active_run(opt, &sum, &err) != 0) {
        return cli_fail("split", &err);
    }
    if (!quiet)
        for (size_t i = 0; i < sum.n_outputs; i++)
            fprintf(stderr, "csfs split: %s (orbital set %zu, %s): %llu CSFs\n",
                    sum.outputs[i].path, i + 1, opt->sets[i].orbitals,
                    (unsigned long long)sum.outputs[i].csfs);
    if (json) {
        printf("{\"input_csf_count\": %llu, \"block_count\": %llu, \"outputs\": [",
               (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count);
        for (size_t i = 0; i < sum.n_outputs; i++) {
            printf("%s{\"output_file\": ", i ? ", " : "");
            cli_print_json_string(stdout, sum.outputs[i].path);
            printf(", \"label\": ");
            cli_print_json_string(stdout, opt->sets[i].label ? opt->sets[i].label : "");
            printf(", \"maximum_orbitals\": ");
            cli_print_json_string(stdout, opt->sets[i].orbitals);
            printf(", \"csf_count\": %llu, \"block_lengths\": [",
                   (unsigned long long)sum.outputs[i].csfs);
            for (size_t b = 0; b < sum.outputs[i].n_blocks; b++)
                printf("%s%llu", b ? ", " : "",
                       (unsigned long long)sum.outputs[i].block_lengths[b]);
            printf("]}");
        }
        printf("]}\n");
    }
    csfs_split_active_summary_free(&sum);
    return EXIT_OK;
}

static int run_block(csfs_split_block_options *opt, int quiet, int json)
{
    opt->report = quiet ? NULL : cli_report_stderr;
    opt->cancel = &cli_cancel;
    csfs_split_block_summary sum;
    csfs_error err;
    if (csfs_split_block_run(opt, &sum, &err) != 0) {
        return cli_fail("split", &err);
    }
    if (!quiet)
        for (size_t i = 0; i < sum.n_outputs; i++)
            fprintf(stderr, "csfs split: %s (block %zu, %s parity): %llu CSFs\n", sum.paths[i],
                    i + 1, sum.parity[i] > 0 ? "even" : "odd", (unsigned long long)sum.csfs[i]);
    if (json) {
        printf("{\"csf_count\": %llu, \"w_copied\": %s, \"m_files\": %zu, \"cm_files\": %zu, "
               "\"outputs\": [",
               (unsigned long long)sum.csf_count, sum.w_copied ? "true" : "false", sum.m_files,
               sum.cm_files);
        for (size_t i = 0; i < sum.n_outputs; i++) {
            printf("%s{\"output_file\": ", i ? ", " : "");
            cli_print_json_string(stdout, sum.paths[i]);
            printf(", \"parity\": %d, \"csf_count\": %llu}", sum.parity[i],
                   (unsigned long long)sum.csfs[i]);
        }
        printf("]}\n");
    }
    csfs_split_block_summary_free(&sum);
    return EXIT_OK;
}

static int read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "csfs split: %s: cannot open the dialog\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap && cap < (1u << 24)) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            } else {
                b = nb;
            }
        } else if (n == cap) {
            break;
        }
    }
    fclose(f);
    if (!b) return -1;
    *text = b;
    *len = n;
    return 0;
}

int cmd_split(int argc, char **argv)
{
    const char *input = NULL, *dir = NULL, *prefix = NULL, *dialog = NULL, *header = NULL;
    int json = 0, quiet = 0, by = BY_NONE, copy_w = 1, force = 0, no_mixing = 0;
    int keep_long = 0, threads = 0;
    csfs_active_set *sets = NULL;
    size_t n_sets = 0;
    cli_engine eng;
    cli_engine_init(&eng);
    cli_args a;
    cli_args_init(&a, "split", argc, argv);
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--by", NULL)) {
            const char *v = cli_value(&a);
            if (!v) continue;
            if (strcmp(v, "j") == 0 || strcmp(v, "J") == 0) {
                by = BY_J;
            } else if (strcmp(v, "active-set") == 0 || strcmp(v, "active") == 0) {
                by = BY_ACTIVE;
            } else if (strcmp(v, "block") == 0) {
                by = BY_BLOCK;
            } else {
                cli_usage_error("split", "--by j, active-set or block, not '%s'", v);
                a.error = 1;
            }
        } else if (cli_is(&a, "--set", NULL)) {
            const char *v = cli_value(&a);
            if (v && add_set(&sets, &n_sets, v)) a.error = 1;
        } else if (cli_is(&a, "--dialog", NULL)) {
            dialog = cli_value(&a);
        } else if (cli_is(&a, "--header", NULL)) {
            header = cli_value(&a);
        } else if (cli_is(&a, "--dir", "-d")) {
            dir = cli_value(&a);
        } else if (cli_is(&a, "--prefix", NULL)) {
            prefix = cli_value(&a);
        } else if (cli_engine_option(&a, &eng)) {
            continue;
        } else if (cli_is(&a, "--keep-long-lines", NULL)) {
            keep_long = 1;
        } else if (cli_is(&a, "--threads", "-j")) {
            const char *v = cli_value(&a);
            if (v) threads = (int)cli_int(&a, v);
        } else if (cli_is(&a, "--no-w", NULL)) {
            copy_w = 0;
        } else if (cli_is(&a, "--no-mixing", NULL)) {
            no_mixing = 1;
        } else if (cli_is(&a, "--force", "-f")) {
            force = 1;
        } else if (cli_is(&a, "--json", NULL)) {
            json = 1;
        } else if (cli_is(&a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a.positional && !input && !strchr(a.arg, '=')) {
            input = a.arg;
        } else if (a.positional && strchr(a.arg, '=')) {
            if (add_set(&sets, &n_sets, a.arg)) a.error = 1;
        } else {
            cli_unknown(&a);
        }
    }
    if (dialog && by == BY_NONE) by = BY_ACTIVE;
    if (!a.error && by == BY_NONE) {
        cli_usage_error("split", "say how to split: --by j, --by active-set or --by block");
        a.error = 1;
    }
    if (!a.error && !input && !(by == BY_ACTIVE && dialog)) {
        cli_usage_error("split", "no input file");
        a.error = 1;
    }
    if (!a.error && by == BY_ACTIVE && !dialog && !n_sets) {
        cli_usage_error("split", "give the active sets: LABEL=ORBITALS ... (or --dialog FILE)");
        a.error = 1;
    }
    if (!a.error && ((by != BY_ACTIVE && (n_sets || dialog)) || (dialog && n_sets))) {
        cli_usage_error("split", n_sets && dialog ? "give the sets either as LABEL=ORBITALS or "
                                                    "in --dialog, not both"
                                                  : "active sets belong to --by active-set");
        a.error = 1;
    }
    if (!a.error && eng.o.text_name) {
        cli_usage_error("split", "--text-name: split writes its lists, which name the outputs' "
                                 "source");
        a.error = 1;
    }
    if (!a.error && by == BY_J && (csfs_engine_outputs_any(&eng.o) || keep_long)) {
        cli_usage_error("split", "engine outputs and --keep-long-lines belong to --by active-set "
                                 "or --by block");
        a.error = 1;
    }
    int rc = EXIT_USAGE;
    if (!a.error) {
        cli_install_signals();
        if (by == BY_J) {
            rc = run_j(input, dir, prefix, copy_w, force, json);
        } else if (by == BY_BLOCK) {
            csfs_split_block_options opt;
            csfs_split_block_options_init(&opt);
            opt.input = input;
            opt.input_header = header;
            opt.dir = dir;
            opt.prefix = prefix;
            opt.copy_w = copy_w;
            opt.split_mixing = !no_mixing;
            opt.force = force;
            opt.engine = eng.o;
            opt.threads = threads;
            opt.keep_long_lines = keep_long;
            rc = run_block(&opt, quiet, json);
        } else {
            csfs_split_active_options opt;
            csfs_split_active_options_init(&opt);
            char *text = NULL, *storage = NULL;
            csfs_active_set *dsets = NULL;
            size_t len = 0;
            rc = EXIT_OK;
            if (dialog) {
                csfs_error err;
                if (read_file(dialog, &text, &len) != 0) {
                    rc = EXIT_FAIL;
                } else if (csfs_split_active_parse_dialog(text, len, dialog, dir, &opt, &dsets,
                                                          &storage, &err) != 0) {
                    fprintf(stderr, "csfs split: %s\n", err.message);
                    rc = cli_exit_for(&err);
                }
                if (rc == EXIT_OK && prefix) opt.prefix = prefix;
            } else {
                opt.sets = sets;
                opt.n_sets = n_sets;
                opt.dir = dir;
                opt.prefix = prefix;
            }
            if (rc == EXIT_OK) {
                if (input) opt.input = input;
                opt.input_header = header;
                opt.force = force;
                opt.engine = eng.o;
                opt.threads = threads;
                opt.keep_long_lines = keep_long;
                rc = run_active(&opt, quiet, json);
            }
            free(text);
            free(storage);
            free(dsets);
        }
    }
    for (size_t i = 0; i < n_sets; i++) free((char *)sets[i].label);
    free(sets);
    return rc;
}
