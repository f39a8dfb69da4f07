/* csfs descriptors: argument parsing and the summary line; the work is
 * csfs_descriptors_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "csfs.h"

static void help(void)
{
    printf("usage: csfs descriptors INPUT -o OUTPUT [options]\n\n"
           "Reads a GRASP CSF list (plain text, .zst or .gz -- recognised by content -- or '-'\n"
           "for standard input) and writes one descriptor row per CSF, in file order, to\n"
           "OUTPUT: a Parquet file (columns col_0..col_{3N-1}) or, when OUTPUT ends in .npy,\n"
           "a NumPy array. INPUT may also be a CSF Parquet file (csfs convert, or rCSFs\n"
           "with its header TOML beside it).\n\n"
           "Layouts (--layout):\n"
           "  v1 (default, rCSFs 1.2-compatible): 3 int32 per peel subshell -- electrons,\n"
           "     the subshell's 2J, the coupling 2J (col_0..); float32 with --normalize.\n"
           "     A CSF that fails is an all-zero row, counted.\n"
           "  v2 (rCSFs 1.3, reversible: csfs export restores the text): per subshell\n"
           "     sub{i}_n, sub{i}_2j, sub{i}_v (seniority), sub{i}_2k, then total_two_j and\n"
           "     parity; int32 only. A bad CSF fails the run (as rCSFs) unless --keep-going.\n\n"
           "options:\n"
           "  -o, --output FILE       output file (required); written to a temporary in\n"
           "                          the same directory and renamed when complete\n"
           "  --normalize             float32 normalised descriptors instead of raw int32\n"
           "  --peel A,B,C            peel subshell order (default: the header's line 4)\n"
           "  --compression C         none | snappy | gzip[:1-9] | zstd[:1-22] (default zstd:3)\n"
           "  --row-group-size ROWS   rows per Parquet row group (default 1048576 for v1,\n"
           "                          131072 for v2, which export decodes group by group)\n"
           "  --encoding E            Parquet pages: dictionary (RLE_DICTIONARY, default) or\n"
           "                          plain\n"
           "  --format parquet|npy    output format (default: from the output name)\n"
           "  --layout v1|v2          descriptor layout (default v1)\n"
           "  --strict                the first failed CSF or unknown subshell is an error;\n"
           "                          otherwise failed CSFs are all-zero rows, counted. With\n"
           "                          v2: also text restore would rewrite (8/2, CR LF, ...)\n"
           "  --keep-going            v2: a bad CSF becomes a row of -1 with parity 0\n"
           "                          (row i stays CSF i), counted; export refuses it\n"
           "  --rejects FILE          v2: list every rejected CSF (row, line, kind, reason)\n"
           "  --header TOML           v2: header TOML whose SHA-256 the file records\n"
           "  --threads N             worker threads (default: online CPUs)\n"
           "  --chunk-size BYTES      text per work unit (default 8 MiB; tuning only: the\n"
           "                          output is the same for every value)\n"
           "  --no-mmap               read a regular file into buffers (pread) instead of\n"
           "                          mapping it. Mapping costs no copy, but a file that\n"
           "                          another process truncates while csfs maps it kills\n"
           "                          csfs with SIGBUS (the output is a temporary file\n"
           "                          then, never a partial OUTPUT); use --no-mmap for\n"
           "                          files that may shrink while they are read\n"
           "  --parse-in-scan         parse each CSF in the scanning pass (one pass over the\n"
           "                          text; same output; slower on the machines measured)\n"
           "  --force                 replace an existing output\n"
           "  --json                  print the summary as JSON on stdout\n"
           "  --quiet                 no summary or warnings on stderr (errors still)\n");
}

int cmd_descriptors(int argc, char **argv)
{
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    csfs_peel *peel = NULL;
    cli_common c;
    cli_common_init(&c);
    cli_args a;
    cli_args_init(&a, "descriptors", argc, argv);
    csfs_error err = {0};
    while (cli_next(&a)) {
        if (cli_is(&a, "--help", "-h")) {
            help();
            csfs_peel_free(peel);
            return EXIT_OK;
        } else if (cli_is(&a, "--no-mmap", NULL)) {
            opt.no_mmap = 1;
        } else if (cli_is(&a, "--parse-in-scan", NULL)) {
            opt.parse_in_scan = 1;
        } else if (cli_is(&a, "--normalize", NULL) || cli_is(&a, "--normalise", NULL)) {
            opt.normalize = 1;
        } else if (cli_is(&a, "--peel", NULL)) {
            const char *v = cli_value(&a);
            csfs_peel_free(peel);
            peel = NULL;
            if (v && csfs_peel_parse(v, &peel, &err) != 0) {
                cli_usage_error("descriptors", "--peel: %s", err.message);
                a.error = 1;
            }
        } else if (cli_is(&a, "--format", NULL)) {
            const char *v = cli_value(&a);
            if (v && strcmp(v, "parquet") == 0)
                opt.format = CSFS_FORMAT_PARQUET;
            else if (v && strcmp(v, "npy") == 0)
                opt.format = CSFS_FORMAT_NPY;
            else if (v) {
                cli_usage_error("descriptors", "--format is parquet or npy, not '%s'", v);
                a.error = 1;
            }
        } else if (cli_is(&a, "--encoding", NULL)) {
            const char *v = cli_value(&a);
            if (v && strcmp(v, "plain") == 0)
                opt.plain_encoding = 1;
            else if (v && strcmp(v, "dictionary") == 0)
                opt.plain_encoding = 0;
            else if (v) {
                cli_usage_error("descriptors", "--encoding is dictionary or plain, not '%s'", v);
                a.error = 1;
            }
        } else if (cli_is(&a, "--layout", NULL)) {
            const char *v = cli_value(&a);
            if (v && strcmp(v, "v1") == 0)
                opt.layout = CSFS_LAYOUT_V1;
            else if (v && strcmp(v, "v2") == 0)
                opt.layout = CSFS_LAYOUT_V2;
            else if (v) {
                cli_usage_error("descriptors", "--layout is v1 or v2, not '%s'", v);
                a.error = 1;
            }
        } else if (cli_is(&a, "--keep-going", NULL)) {
            opt.keep_going = 1;
        } else if (cli_is(&a, "--rejects", NULL)) {
            opt.rejects = cli_value(&a);
        } else if (cli_is(&a, "--header", NULL)) {
            opt.header_toml = cli_value(&a);
        } else if (cli_is(&a, "--strict", NULL)) {
            opt.strict = 1;
        } else if (!cli_common_option(&a, &c, CLI_THREADS | CLI_PARQUET)) {
            cli_unknown(&a);
        }
    }
    cli_require_files(&a, &c, 1);
    if (a.error) {
        csfs_peel_free(peel);
        return EXIT_USAGE;
    }
    opt.peel = peel;
    opt.input = c.input;
    opt.output = c.output;
    opt.threads = c.threads;
    opt.chunk_bytes = c.chunk_bytes;
    opt.force = c.force;
    opt.codec = c.codec;
    opt.codec_level = c.codec_level;
    opt.row_group_rows = c.row_group_rows;
    int json = c.json, quiet = c.quiet;
    if (!quiet) opt.report = cli_report_stderr;
    if (!quiet && isatty(STDERR_FILENO)) opt.progress = cli_progress_line;
    opt.cancel = &cli_cancel;
    cli_install_signals();

    csfs_summary sum;
    int rc = csfs_descriptors_run(&opt, &sum, &err);
    csfs_peel_free(peel);
    if (opt.progress) cli_progress_clear();
    if (rc != 0) {
        return cli_fail("descriptors", &err);
    }
    double rate = sum.seconds > 0 ? (double)sum.csf_count / sum.seconds : 0.0;
    if (!quiet)
        fprintf(stderr,
                "csfs descriptors: %llu CSFs, %llu blocks, %llu failed, %llu columns, "
                "%.3f s, %.0f CSFs/s, %llu threads -> %s\n",
                (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count,
                (unsigned long long)sum.failed_count, (unsigned long long)sum.columns, sum.seconds,
                rate, (unsigned long long)sum.threads, opt.output);
    if (json) {
        printf("{\"input\": ");
        cli_print_json_string(stdout, opt.input);
        printf(", \"output\": ");
        cli_print_json_string(stdout, opt.output);
        printf(", \"csf_count\": %llu, \"block_count\": %llu, \"failed_count\": %llu, "
               "\"unknown_subshell_count\": %llu, \"columns\": %llu, \"input_bytes\": %llu, "
               "\"threads\": %llu, \"rejected_count\": %llu, \"noncanonical_count\": %llu, "
               "\"seconds\": %.6f, \"csfs_per_second\": %.1f, "
               "\"cpu_seconds\": {\"reader\": %.6f, \"scan\": %.6f, \"parse\": %.6f, "
               "\"encode\": %.6f, \"writer\": %.6f}}\n",
               (unsigned long long)sum.csf_count, (unsigned long long)sum.block_count,
               (unsigned long long)sum.failed_count, (unsigned long long)sum.unknown_subshell_count,
               (unsigned long long)sum.columns, (unsigned long long)sum.input_bytes,
               (unsigned long long)sum.threads, (unsigned long long)sum.rejected_count,
               (unsigned long long)sum.noncanonical_count, sum.seconds, rate, sum.stages.reader,
               sum.stages.scan, sum.stages.parse, sum.stages.encode, sum.stages.writer);
    }
    return EXIT_OK;
}
