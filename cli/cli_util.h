/* What every subcommand shares: option parsing, signals, messages. */
#ifndef CSFS_CLI_UTIL_H
#define CSFS_CLI_UTIL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "csfs.h"

/* Exit statuses: documented in `csfs --help`. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* Raised by SIGINT/SIGTERM/SIGHUP once cli_install_signals() ran; the library
 * polls it. cli_install_signals() also ignores SIGXFSZ (a file size limit then
 * fails the write with EFBIG instead of killing the process). */
extern volatile int cli_cancel;
void cli_install_signals(void);

/* Exit status for a library error (interrupted runs get 128 + signal). */
int cli_exit_for(const csfs_error *err);

/* Prints "csfs COMMAND: MESSAGE" for a library error, with the CLI's hint
 * where an option would change the outcome; returns cli_exit_for(err). */
int cli_fail(const char *command, const csfs_error *err);

/*
 * Long-option scanner over argv[1..]: `--name value`, `--name=value`, `-o value`,
 * flags, and positionals. Usage:
 *   cli_args a; cli_args_init(&a, argc, argv);
 *   while (cli_next(&a)) { if (cli_is(&a, "--out", "-o")) v = cli_value(&a); ... }
 */
typedef struct cli_args {
    int argc, i;
    char **argv;
    const char *arg;      /* current argument (option name part) */
    const char *inline_v; /* value after '=' */
    int positional;       /* current argument is not an option */
    int only_positional;  /* after "--" */
    int error;
    const char *command;
} cli_args;

void cli_args_init(cli_args *a, const char *command, int argc, char **argv);
int cli_next(cli_args *a);
int cli_is(cli_args *a, const char *long_name, const char *short_name);
/* The option's value; prints a usage error and sets a->error when missing. */
const char *cli_value(cli_args *a);
/* Unknown option: message and a->error. */
void cli_unknown(cli_args *a);
/* Parses a non-negative integer option value; -1 and a message on error. */
int64_t cli_int(cli_args *a, const char *text);
/* Parses a finite or infinite number (not NaN); NaN and a message on error. */
double cli_double(cli_args *a, const char *text);

void cli_usage_error(const char *command, const char *fmt, ...);

/* Options several subcommands share, parsed in one place. */
enum {
    CLI_THREADS = 1, /* --threads/-j N, --chunk-size BYTES */
    CLI_PARQUET = 2, /* --compression C, --row-group-size ROWS */
};

typedef struct cli_common {
    const char *input;  /* the first positional argument */
    const char *output; /* -o/--output */
    int threads;
    size_t chunk_bytes;
    int force, json, quiet;
    csfs_codec codec; /* ZSTD level 3 unless --compression */
    int codec_level;
    int64_t row_group_rows; /* 0: the command's default */
} cli_common;

void cli_common_init(cli_common *c);

/* Consumes the current argument when it is a shared option accepted by
 * `which` (CLI_* bits; -o, --force, --json, --quiet and the input always);
 * returns 1 if it did. Bad values set a->error with a message. */
int cli_common_option(cli_args *a, cli_common *c, unsigned which);

/* The usage error for a missing input or (when need_output) output. */
void cli_require_files(cli_args *a, const cli_common *c, int need_output);

/*
 * The engine outputs of the commands that write a GRASP list (generate,
 * interact, zerofirst, split): --csf-parquet, --v1, --v1-normalized, --v2,
 * --text-name, --compression, --row-group-size. `o` points into the struct
 * (call cli_engine_init, then cli_engine_option per argument).
 */
#define CLI_ENGINE_MAX_DESCRIPTORS 8
typedef struct cli_engine {
    csfs_engine_outputs o;
    csfs_descriptor_output d[CLI_ENGINE_MAX_DESCRIPTORS];
} cli_engine;

void cli_engine_init(cli_engine *e);
/* Consumes the current argument when it is one of the engine options. */
int cli_engine_option(cli_args *a, cli_engine *e);
/* Their --help lines; multi: the command writes several lists ({} names). */
void cli_engine_help(int multi);

/* Report callback for the library: one line to stderr unless quiet. */
void cli_report_stderr(void *ctx, const char *message);

/* Progress callback: one self-overwriting line on stderr (a terminal). */
void cli_progress_line(void *ctx, const csfs_progress *p);
/* Clears the progress line before the final messages. */
void cli_progress_clear(void);

/* s as a JSON string literal. */
void cli_print_json_string(FILE *f, const char *s);

#endif
