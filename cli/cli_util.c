#include "cli_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile int cli_cancel;
static volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
    last_signal = sig;
    cli_cancel = 1;
}

/*
 * The library maps regular input files (README "Input"): one that another
 * process truncates meanwhile raises SIGBUS where the parse reads it. Say
 * what most likely happened, then die of the signal as before (exit status
 * 135; SA_RESETHAND restored the default action, the raised signal is
 * delivered when this returns). Only async-signal-safe calls.
 */
static void on_sigbus(int sig)
{
    static const char msg[] =
        "csfs: SIGBUS: an input file was truncated while csfs had it mapped (descriptors and "
        "convert take --no-mmap for files that may shrink while they are read); a hidden "
        "temporary output "
        "(.NAME.csfs-XXXXXX) may be left beside the output\n";
    ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)n;
    raise(sig);
}

void cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal or session: stop cleanly too */
    struct sigaction bus;
    memset(&bus, 0, sizeof bus);
    bus.sa_handler = on_sigbus;
    bus.sa_flags = SA_RESETHAND;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, NULL);
    /* Past a file size limit (ulimit -f, RLIMIT_FSIZE on batch systems) the
     * default action kills the process with the temporary output left behind;
     * ignored, write() fails with EFBIG and the error path removes it. */
    signal(SIGXFSZ, SIG_IGN);
}

int cli_exit_for(const csfs_error *err)
{
    if (err->code == CSFS_E_CANCELLED) return 128 + (last_signal ? last_signal : SIGINT);
    if (err->code == CSFS_E_ARGUMENT) return EXIT_USAGE;
    return EXIT_FAIL;
}

int cli_fail(const char *command, const csfs_error *err)
{
    /* The library describes the problem; the option that changes it is ours. */
    const char *hint = err->code == CSFS_E_EXISTS ? " (use --force to replace it)" : "";
    fprintf(stderr, "csfs %s: %s%s\n", command, err->message, hint);
    return cli_exit_for(err);
}

void cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "csfs %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'csfs %s --help')\n", command);
    va_end(ap);
}

void cli_args_init(cli_args *a, const char *command, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->argc = argc;
    a->argv = argv;
    a->i = 0;
    a->command = command;
}

int cli_next(cli_args *a)
{
    if (a->error || ++a->i >= a->argc) return 0;
    const char *s = a->argv[a->i];
    a->inline_v = NULL;
    a->positional = a->only_positional || s[0] != '-' || strcmp(s, "-") == 0;
    if (!a->positional && strcmp(s, "--") == 0) {
        a->only_positional = 1;
        return cli_next(a);
    }
    a->arg = s;
    if (!a->positional && s[1] == '-') {
        const char *eq = strchr(s, '=');
        if (eq) a->inline_v = eq + 1;
    }
    return 1;
}

int cli_is(cli_args *a, const char *long_name, const char *short_name)
{
    if (a->positional) return 0;
    size_t n = a->inline_v ? (size_t)(a->inline_v - 1 - a->arg) : strlen(a->arg);
    if (long_name && strlen(long_name) == n && strncmp(a->arg, long_name, n) == 0) return 1;
    return short_name && !a->inline_v && strcmp(a->arg, short_name) == 0;
}

const char *cli_value(cli_args *a)
{
    if (a->inline_v) return a->inline_v;
    if (a->i + 1 >= a->argc) {
        cli_usage_error(a->command, "option %s needs a value", a->arg);
        a->error = 1;
        return NULL;
    }
    return a->argv[++a->i];
}

void cli_unknown(cli_args *a)
{
    cli_usage_error(a->command, a->positional ? "unexpected argument '%s'" : "unknown option '%s'",
                    a->arg);
    a->error = 1;
}

int64_t cli_int(cli_args *a, const char *text)
{
    if (!text) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < 0) {
        cli_usage_error(a->command, "option %s needs a non-negative integer, not '%s'", a->arg,
                        text);
        a->error = 1;
        return -1;
    }
    return v;
}

double cli_double(cli_args *a, const char *text)
{
    if (!text) return NAN;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || end == text || v != v) {
        cli_usage_error(a->command, "option %s needs a number, not '%s'", a->arg, text);
        a->error = 1;
        return NAN;
    }
    return v;
}

void cli_report_stderr(void *ctx, const char *message)
{
    fprintf(stderr, "%s\n", message);
}

void cli_progress_line(void *ctx, const csfs_progress *p)
{
    double rate = p->seconds > 0 ? (double)p->csfs_done / p->seconds : 0;
    double mbs = p->seconds > 0 ? (double)p->bytes_done / 1e6 / p->seconds : 0;
    char eta[32] = "";
    if (p->bytes_total > 0 && p->bytes_done > 0 && p->bytes_done < (uint64_t)p->bytes_total)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 p->seconds * ((double)p->bytes_total / (double)p->bytes_done - 1.0));
    fprintf(stderr, "\r%llu CSFs, %.0f CSFs/s, %.0f MB/s%s\033[K", (unsigned long long)p->csfs_done,
            rate, mbs, eta);
    fflush(stderr);
}

void cli_progress_clear(void)
{
    fprintf(stderr, "\r\033[K");
}

void cli_print_json_string(FILE *f, const char *s)
{
    char *q = csfs_json_quote(s, strlen(s));
    if (q) fputs(q, f);
    csfs_free(q);
}

void cli_common_init(cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->codec = CSFS_CODEC_ZSTD;
    c->codec_level = 3;
}

int cli_common_option(cli_args *a, cli_common *c, unsigned which)
{
    if (cli_is(a, "--output", "-o")) {
        c->output = cli_value(a);
    } else if (cli_is(a, "--force", "-f")) {
        c->force = 1;
    } else if (cli_is(a, "--json", NULL)) {
        c->json = 1;
    } else if (cli_is(a, "--quiet", "-q")) {
        c->quiet = 1;
    } else if ((which & CLI_THREADS) && cli_is(a, "--threads", "-j")) {
        c->threads = (int)cli_int(a, cli_value(a));
    } else if ((which & CLI_THREADS) && cli_is(a, "--chunk-size", NULL)) {
        c->chunk_bytes = (size_t)cli_int(a, cli_value(a));
    } else if ((which & CLI_PARQUET) && cli_is(a, "--compression", NULL)) {
        const char *v = cli_value(a);
        csfs_error err;
        if (v && csfs_codec_parse(v, &c->codec, &c->codec_level, &err) != 0) {
            cli_usage_error(a->command, "%s", err.message);
            a->error = 1;
        }
    } else if ((which & CLI_PARQUET) && cli_is(a, "--row-group-size", NULL)) {
        c->row_group_rows = cli_int(a, cli_value(a));
        if (c->row_group_rows == 0) {
            cli_usage_error(a->command, "--row-group-size must be at least 1");
            a->error = 1;
        }
    } else if (a->positional && !c->input) {
        c->input = a->arg;
    } else {
        return 0;
    }
    return 1;
}

void cli_engine_init(cli_engine *e)
{
    memset(e, 0, sizeof *e);
    csfs_engine_outputs_init(&e->o);
    e->o.descriptors = e->d;
}

int cli_engine_option(cli_args *a, cli_engine *e)
{
    if (cli_is(a, "--csf-parquet", NULL)) {
        e->o.csf_parquet = cli_value(a);
    } else if (cli_is(a, "--v1", NULL) || cli_is(a, "--v1-normalized", NULL) ||
               cli_is(a, "--v2", NULL)) {
        int v2 = strstr(a->arg, "v2") != NULL, norm = strstr(a->arg, "normalized") != NULL;
        const char *v = cli_value(a);
        if (v && e->o.n_descriptors == CLI_ENGINE_MAX_DESCRIPTORS) {
            cli_usage_error(a->command, "at most %d descriptor outputs",
                            CLI_ENGINE_MAX_DESCRIPTORS);
            a->error = 1;
        } else if (v) {
            csfs_descriptor_output *d = &e->d[e->o.n_descriptors++];
            memset(d, 0, sizeof *d);
            d->path = v;
            d->layout = v2 ? CSFS_LAYOUT_V2 : CSFS_LAYOUT_V1;
            d->normalize = norm;
        }
    } else if (cli_is(a, "--text-name", NULL)) {
        e->o.text_name = cli_value(a);
    } else if (cli_is(a, "--compression", NULL)) {
        const char *v = cli_value(a);
        csfs_error err;
        if (v && csfs_codec_parse(v, &e->o.codec, &e->o.codec_level, &err) != 0) {
            cli_usage_error(a->command, "%s", err.message);
            a->error = 1;
        }
    } else if (cli_is(a, "--row-group-size", NULL)) {
        const char *v = cli_value(a);
        if (v) {
            int64_t n = cli_int(a, v);
            if (n == 0) {
                cli_usage_error(a->command, "--row-group-size must be at least 1");
                a->error = 1;
            } else if (n > 0) {
                e->o.row_group_rows = n;
            }
        }
    } else {
        return 0;
    }
    return 1;
}

void cli_engine_help(int multi)
{
    printf("  --csf-parquet FILE  also write the CSF Parquet (+ <stem>_header.toml beside\n"
           "                      it)\n"
           "  --v1 FILE           also write v1 descriptors (.parquet or .npy)\n"
           "  --v1-normalized FILE  also write normalised (float32) v1 descriptors\n"
           "  --v2 FILE           also write V2 descriptors\n"
           "                      (each: the bytes of csfs convert / csfs descriptors on\n"
           "                      the text written)\n");
    if (multi)
        printf("                      one per list written: {} in FILE (required) is the\n"
               "                      list's path without .c (e.g. --csf-parquet {}.parquet)\n");
    else
        printf("                      without -o the text is a temporary named by\n"
               "                      --text-name, removed at the end\n"
               "  --text-name NAME    the name the engine outputs record as their source\n"
               "                      (default rcsf.out)\n");
    printf("  --compression C     Parquet codec: none, snappy, gzip[:L], zstd[:L] (zstd:3)\n"
           "  --row-group-size N  Parquet rows per row group (default: each output's)\n");
}

void cli_require_files(cli_args *a, const cli_common *c, int need_output)
{
    if (a->error) return;
    if (!c->input) {
        cli_usage_error(a->command, "no input file");
        a->error = 1;
    } else if (need_output && !c->output) {
        cli_usage_error(a->command, "no output file (-o FILE)");
        a->error = 1;
    }
}
