/* csfs convert: argument parsing and the summary; the work is csfs_convert_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs convert INPUT -o OUTPUT.parquet [options]\n\n"
           "Converts a GRASP CSF list (text, .zst/.gz, or '-') into a CSF Parquet file, as\n"
           "rCSFs' convert_csfs does: the 4 columns idx (uint64, 0-based CSF number), line1,\n"
           "line2, line3 (the exact line text, trailing spaces kept); --block-column adds\n"
           "block (0-based J block). Every CSF of every block is kept. The header lines,\n"
           "peel list and block lengths go into the key-value metadata, and\n"
           "<input stem>_header.toml (rCSFs' sidecar) is written next to the output.\n\n"
           "options:\n"
           "  -o, --output FILE       output Parquet file (required)\n"
           "  --max-line-len N        cut lines to N bytes as rCSFs did (default: keep all;\n"
           "                          rCSFs used 256), counted in truncated_count\n"
           "  --block-column          also write the column block (int32, 0-based J block)\n"
           "  --no-header-toml        do not write the header TOML\n"
           "  --compression C         none | snappy | gzip[:1-9] | zstd[:1-22] (default zstd:3)\n"
           "  --row-group-size ROWS   rows per row group (default 65536)\n"
           "  --threads N             worker threads (default: online CPUs)\n"
           "  --chunk-size BYTES      text per work unit (tuning only)\n"
           "  --no-mmap               read a regular file by pread instead of mapping it\n"
           "                          (see csfs descriptors --help: SIGBUS if a mapped\n"
           "                          file is truncated)\n"
           "  --force                 replace existing outputs\n"
           "  --json                  print the summary as JSON on stdout\n"
           "  --quiet                 no summary on stderr\n");
}

int cmd_convert(int argc, char **argv)
{
    csfs_convert_options opt;
    csfs_convert_options_init(&opt);
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "convert", argc, argv);
    csfs_error err = {0};
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            return EXIT_OK;
        } else if (cli_is(&a, "--max-line-len", NULL)) {
            opt.max_line_len = (size_t)cli_int(&a, cli_value(&a));
        } else if (cli_is(&a, "--no-mmap", NULL)) {
            opt.no_mmap = 1;
        } else if (cli_is(&a, "--block-column", NULL)) {
            opt.block_column = 1;
        } else if (cli_is(&a, "--no-header-toml", NULL)) {
            opt.header_toml = 0;
        } else if (!cli_common_option(&a, &c, CLI_THREADS | CLI_PARQUET)) {
            cli_unknown(&a);
        }
    }
    cli_require_files(&a, &c, 1);
    if (a.error) return EXIT_USAGE;
    opt.input = c.input;
    opt.output = c.output;
    opt.threads = c.threads;
    opt.chunk_bytes = c.chunk_bytes;
    opt.force = c.force;
    opt.codec = c.codec;
    opt.codec_level = c.codec_level;
    if (c.row_group_rows) opt.row_group_rows = c.row_group_rows;
    int json = c.json, quiet = c.quiet;
    if (!quiet) opt.report = cli_report_stderr;
    if (!quiet && isatty(STDERR_FILENO)) opt.progress = cli_progress_line;
    opt.cancel = &cli_cancel;
    cli_install_signals();

    csfs_convert_summary sum;
    int rc = csfs_convert_run(&opt, &sum, &err);
    if (opt.progress) cli_progress_clear();
    if (rc != 0) {
        return cli_fail("convert", &err);
    }
    double mbs = sum.seconds > 0 ? (double)sum.input_bytes / 1e6 / sum.seconds : 0;
    if (!quiet)
        fprintf(stderr,
                "csfs convert: %llu CSFs, %llu blocks, %llu lines truncated, %.3f s, %.0f MB/s, "
                "%llu threads -> %s%s%s\n",
                (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count,
                (unsigned long long)sum.truncated_count, sum.seconds, mbs,
                (unsigned long long)sum.threads, opt.output, sum.header_toml[0] ? " + " : "",
                sum.header_toml);
    if (json) {
        printf("{\"input\": ");
        cli_print_json_string(stdout, opt.input);
        printf(", \"output\": ");
        cli_print_json_string(stdout, opt.output);
        printf(", \"header_file\": ");
        cli_print_json_string(stdout, sum.header_toml);
        printf(", \"csf_count\": %llu, \"block_count\": %llu, \"total_lines\": %llu, "
               "\"truncated_count\": %llu, \"input_bytes\": %llu, \"threads\": %llu, "
               "\"seconds\": %.6f}\n",
               (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count,
               (unsigned long long)sum.total_lines, (unsigned long long)sum.truncated_count,
               (unsigned long long)sum.input_bytes, (unsigned long long)sum.threads, sum.seconds);
    }
    return EXIT_OK;
}
