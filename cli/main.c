/* csfs: the command-line front end. Each subcommand lives in cli/cmd_*.c
 * and calls the library; nothing here computes anything. */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"convert", cmd_convert, "CSF list -> CSF Parquet (idx, line1..3, block) + header TOML"},
    {"descriptors", cmd_descriptors, "CSF list -> descriptor matrix (Parquet or .npy)"},
    {"export", cmd_export, "CSF Parquet -> GRASP CSF list (all CSFs or --rows)"},
    {"generate", cmd_generate,
     "GRASP rcsfgenerate dialog -> the CSF list, byte for byte (--count)"},
    {"info", cmd_info, "schema, row groups and metadata of a Parquet file"},
    {"mix", cmd_mix, "GRASP mixing coefficients (.m/.cm) -> CI^2 labels per CSF"},
    {"interact", cmd_interact, "MR + candidates -> the interacting CSFs (GRASP rcsfinteract)"},
    {"split", cmd_split, "CSF list -> one list per J, active set (rcsfsplit) or block (rasfsplit)"},
    {"peel", cmd_peel, "peel subshell list of a CSF list, header TOML or Parquet file"},
    {"zerofirst", cmd_zerofirst, "zero-order CSFs first in each block (GRASP rcsfzerofirst)"},
    {"select", cmd_select, "scores -> the rows to keep (top K, threshold, cumulative; per block)"},
    {"sample", cmd_sample, "CSF list -> uniform random rows without replacement (seeded)"},
    {"rows", cmd_rows, "row files against a list: check, to/from (block, position)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: csfs COMMAND [OPTIONS] ...\n\n"
               "Turns GRASP2018 CSF lists into machine-learning descriptor matrices.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'csfs COMMAND --help' describes a command.\n"
               "Options: --help, --version.\n"
               "Exit status: 0 success, 1 failure (message on stderr), 2 bad usage,\n"
               "128+N killed by signal N (e.g. 130 after Ctrl-C; no partial output is left).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("csfs %s\n", csfs_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "csfs: unknown command '%s' (see 'csfs --help')\n", argv[1]);
    return EXIT_USAGE;
}
