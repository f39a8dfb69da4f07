/*
 * The descriptor job: CSF list -> chunks of whole records -> records ->
 * rows in column buffers -> sink. Chunks are processed in file order; CSF
 * numbers, line numbers and block lengths are fixed up here from each
 * chunk's counts, so the per-chunk work depends on nothing before it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csf_text.h"
#include "descriptor.h"
#include "error.h"
#include "io/outfile.h"
#include "peel.h"
#include "sink.h"

typedef struct desc_job {
    const csfs_descriptor_options *opt;
    csfs_text_reader *reader;
    const char *name;     /* input name for messages */
    csfs_peel *own_peel;  /* the header's list when no --peel was given */
    const csfs_peel *peel;
    csfs_outfile out;
    int out_open;
    csfs_sink *sink;
    csfs_desc_ctx ctx;
    csfs_buf chunk;
    csfs_chunk_scan scan;
    csfs_desc_batch batch;
    /* Running totals, in file order. */
    uint64_t line_base;   /* lines before the current chunk (header included) */
    uint64_t csfs;        /* CSFs before the current chunk */
    uint64_t failed;
    uint64_t unknown_fields;
    csfs_desc_note first_unknown;
    uint64_t first_unknown_csf, first_unknown_line;
    int64_t pending_blank; /* absolute line of a blank line not yet known to be trailing */
    uint64_t *blocks;
    size_t n_blocks, cap_blocks;
    uint64_t block_csfs;  /* CSFs in the open block */
    int seen_separator;
    uint64_t input_bytes;
} desc_job;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const desc_job *job, const char *fmt, ...) CSFS_PRINTF(2, 3);

static void report(const desc_job *job, const char *fmt, ...)
{
    if (!job->opt->report) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    job->opt->report(job->opt->report_ctx, msg);
}

static int push_block(desc_job *job, csfs_error *err)
{
    if (job->n_blocks == job->cap_blocks) {
        size_t cap = job->cap_blocks ? 2 * job->cap_blocks : 16;
        uint64_t *b = realloc(job->blocks, cap * sizeof *b);
        if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        job->blocks = b;
        job->cap_blocks = cap;
    }
    job->blocks[job->n_blocks++] = job->block_csfs;
    job->block_csfs = 0;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int open_job(desc_job *job, csfs_error *err)
{
    const csfs_descriptor_options *opt = job->opt;
    if (!opt->input || !opt->output)
        return csfs_fail(err, CSFS_E_ARGUMENT, "an input and an output file are required");
    if (opt->layout != CSFS_LAYOUT_V1)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown descriptor layout %d", (int)opt->layout);
    if (strcmp(opt->input, "-") != 0 && csfs_same_file(opt->input, opt->output))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite the input",
                         opt->output);
    int rc = csfs_text_open(opt->input, opt->chunk_bytes, &job->reader, err);
    if (rc) return rc;
    job->name = csfs_text_name(job->reader);
    const csfs_header *h = csfs_text_header(job->reader);
    job->line_base = CSFS_HEADER_LINES;
    job->input_bytes = h->bytes;
    if (opt->peel) {
        job->peel = opt->peel;
    } else {
        rc = csfs_peel_from_header_line(h->lines[3], h->lens[3], &job->own_peel, err);
        if (rc) return rc;
        job->peel = job->own_peel;
    }
    if (job->peel->count == 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 4,
                              "%s:4: no peel subshells in the header (pass --peel)", job->name);
    rc = csfs_desc_ctx_init(&job->ctx, job->peel, opt->layout, opt->normalize, err);
    if (rc) return rc;
    if (opt->normalize && job->ctx.no_capacity_name)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "cannot normalise: peel subshell '%s' has no known capacity (names "
                         "must end in s, p-, p, d-, d, f-, f, g-, g, h-, h, i- or i)",
                         job->ctx.no_capacity_name);

    rc = csfs_outfile_open(&job->out, opt->output, opt->force, err);
    if (rc) return rc;
    job->out_open = 1;
    size_t width = csfs_desc_width(&job->ctx);
    int npy = opt->format == CSFS_FORMAT_NPY ||
              (opt->format == CSFS_FORMAT_AUTO && ends_with(opt->output, ".npy"));
    if (npy) return csfs_sink_npy_open(&job->sink, &job->out, width, opt->normalize, err);
    return csfs_sink_parquet_open(&job->sink, &job->out, width, opt->normalize, opt->codec,
                                  opt->codec_level, opt->row_group_rows, err);
}

/* Failures and unknown subshells of the batch just parsed, with absolute
 * CSF numbers and lines. */
static int account_batch(desc_job *job, csfs_error *err)
{
    const csfs_desc_batch *b = &job->batch;
    const csfs_descriptor_options *opt = job->opt;
    for (size_t i = 0; i < b->n_failures; i++) {
        const csfs_desc_note *f = &b->failures[i];
        uint64_t csf = job->csfs + f->record, line = job->line_base + f->line + 1;
        const char *why = csfs_csf_status_text((csfs_csf_status)f->status);
        if (opt->strict)
            return csfs_fail_line(err, CSFS_E_CSF, line, "%s:%llu: CSF %llu: %s (strict mode)",
                                  job->name, (unsigned long long)line,
                                  (unsigned long long)csf, why);
        if (job->failed + i < (uint64_t)opt->max_reported_failures)
            report(job, "%s:%llu: CSF %llu failed: %s; written as a row of zeros", job->name,
                   (unsigned long long)line, (unsigned long long)csf, why);
    }
    if (b->has_unknown) {
        uint64_t csf = job->csfs + b->unknown.record, line = job->line_base + b->unknown.line + 1;
        if (opt->strict)
            return csfs_fail_line(err, CSFS_E_CSF, line,
                                  "%s:%llu: CSF %llu: subshell '%s' is not in the peel list "
                                  "(strict mode)",
                                  job->name, (unsigned long long)line, (unsigned long long)csf,
                                  b->unknown.name);
        if (job->unknown_fields == 0) {
            job->first_unknown = b->unknown;
            job->first_unknown_csf = csf;
            job->first_unknown_line = line;
        }
    }
    job->failed += b->failed;
    job->unknown_fields += b->unknown_fields;
    return 0;
}

/* Block bookkeeping and the blank-line rule across chunk boundaries. */
static int account_structure(desc_job *job, csfs_error *err)
{
    const csfs_chunk_scan *s = &job->scan;
    if (job->pending_blank >= 0 && s->has_content)
        return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)job->pending_blank,
                              "%s:%lld: blank line inside the CSF list", job->name,
                              (long long)job->pending_blank);
    size_t done = 0;
    for (size_t k = 0; k < s->n_sep; k++) {
        job->block_csfs += s->sep_before[k] - done;
        done = s->sep_before[k];
        job->seen_separator = 1;
        int rc = push_block(job, err);
        if (rc) return rc;
    }
    job->block_csfs += s->n_rec - done;
    if (s->trailing_blank >= 0 && job->pending_blank < 0)
        job->pending_blank = (int64_t)(job->line_base + (uint64_t)s->trailing_blank + 1);
    return 0;
}

static int run_chunks(desc_job *job, csfs_error *err)
{
    const csfs_descriptor_options *opt = job->opt;
    job->pending_blank = -1;
    for (;;) {
        if (opt->cancel && *opt->cancel)
            return csfs_fail(err, CSFS_E_CANCELLED, "%s: interrupted", job->name);
        int rc = csfs_text_next_chunk(job->reader, &job->chunk, err);
        if (rc) return rc;
        if (job->chunk.len == 0) break;
        job->input_bytes += job->chunk.len;
        int last = csfs_text_at_end(job->reader);
        rc = csfs_scan_chunk(job->chunk.data, job->chunk.len, last, &job->scan, err);
        if (rc) {
            uint64_t line = job->line_base + err->line;
            char reason[sizeof err->message];
            snprintf(reason, sizeof reason, "%s", err->message);
            return csfs_fail_line(err, rc, line, "%s:%llu: %s", job->name,
                                  (unsigned long long)line, reason);
        }
        rc = account_structure(job, err);
        if (rc) return rc;
        rc = csfs_desc_parse_chunk(&job->ctx, job->chunk.data, &job->scan, &job->batch, err);
        if (rc) return rc;
        rc = account_batch(job, err);
        if (rc) return rc;
        rc = job->sink->ops->append(job->sink, &job->batch, err);
        if (rc) return rc;
        job->csfs += job->scan.n_rec;
        job->line_base += job->scan.lines;
    }
    if (job->seen_separator || job->block_csfs > 0) return push_block(job, err);
    return 0;
}

static void warn_at_end(desc_job *job)
{
    const csfs_descriptor_options *opt = job->opt;
    if (job->failed > (uint64_t)opt->max_reported_failures)
        report(job, "%s: %llu CSFs failed in all (first %d listed above)", job->name,
               (unsigned long long)job->failed, opt->max_reported_failures);
    if (job->unknown_fields)
        report(job,
               "%s: warning: %llu subshell fields are not in the peel list and were left out "
               "(first: '%s' in CSF %llu, line %llu); check the peel list",
               job->name, (unsigned long long)job->unknown_fields, job->first_unknown.name,
               (unsigned long long)job->first_unknown_csf,
               (unsigned long long)job->first_unknown_line);
    for (size_t i = 0; i < job->n_blocks; i++)
        if (job->blocks[i] == 0)
            report(job, "%s: warning: J block %zu of %zu is empty (two separators in a row, or "
                        "one at the start or the end)",
                   job->name, i + 1, job->n_blocks);
}

static void close_job(desc_job *job)
{
    if (job->sink) job->sink->ops->destroy(job->sink);
    if (job->out_open) csfs_outfile_abort(&job->out);
    csfs_text_close(job->reader);
    csfs_peel_free(job->own_peel);
    csfs_desc_ctx_free(&job->ctx);
    csfs_buf_free(&job->chunk);
    csfs_chunk_scan_free(&job->scan);
    csfs_desc_batch_free(&job->batch);
    free(job->blocks);
}

int csfs_descriptors_run(const csfs_descriptor_options *opt, csfs_summary *summary,
                         csfs_error *err)
{
    double t0 = now_seconds();
    csfs_error_clear(err);
    desc_job job;
    memset(&job, 0, sizeof job);
    job.opt = opt;
    int rc = open_job(&job, err);
    if (rc == 0) rc = run_chunks(&job, err);
    if (rc == 0) {
        csfs_input *in = csfs_text_input(job.reader);
        csfs_run_info info = {
            .source_path = job.name,
            .source_size = csfs_input_file_size(in),
            .source_compression = csfs_input_compression(in),
            .header = csfs_text_header(job.reader),
            .peel = job.peel,
            .layout = opt->layout,
            .normalize = opt->normalize,
            .csf_count = job.csfs,
            .failed_count = job.failed,
            .block_lengths = job.blocks,
            .n_blocks = job.n_blocks,
        };
        rc = job.sink->ops->finish(job.sink, &info, err);
    }
    if (rc == 0 && opt->cancel && *opt->cancel)
        rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: interrupted", job.name);
    if (rc == 0) {
        rc = csfs_outfile_commit(&job.out, err);
        job.out_open = 0;
    }
    if (rc == 0) warn_at_end(&job);
    if (summary) {
        memset(summary, 0, sizeof *summary);
        summary->csf_count = job.csfs;
        summary->block_count = job.n_blocks;
        summary->failed_count = job.failed;
        summary->unknown_subshell_count = job.unknown_fields;
        summary->input_bytes = job.input_bytes;
        summary->columns = job.peel ? csfs_row_width(opt->layout, job.peel->count) : 0;
        summary->seconds = now_seconds() - t0;
    }
    close_job(&job);
    return rc;
}
