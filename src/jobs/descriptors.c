/*
 * The descriptor job: CSF records -> descriptor rows, through the parallel
 * engine (engine/pipeline.h). This file decides what the rows are, which failures
 * are reported or fatal, and what the output records about its source.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "descriptor/metadata.h"
#include "descriptor/parsed.h"
#include "descriptor/v1.h"
#include "descriptor/v2.h"
#include "grasp/header_toml.h"
#include "common/sha256.h"
#include "common/error.h"
#include "grasp/csf_pq_header.h"
#include "io/outfile.h"
#include "jobs/job.h"
#include "common/json_array.h"
#include "engine/page_sink.h"
#include "grasp/peel.h"
#include "engine/pipeline.h"
#include "jobs/descriptors_hooks.h"
#include "jobs/job_source.h"

typedef struct desc_job {
    const csfs_descriptor_options *opt;
    const csfs_desc_hooks *hooks; /* NULL: the job's own sinks */
    csfs_pipe_source *src;
    csfs_pipe_source *given; /* the caller's source (borrowed), or NULL */
    const char *name;
    csfs_peel *own_peel;
    const csfs_peel *peel;
    csfs_outfile out;
    int out_open;
    csfs_page_sink *sink;
    size_t width;
    int threads;
    csfs_desc_ctx *ctx; /* V1: one per worker */
    csfs_v2_ctx *v2;    /* V2: one per worker */
    csfs_v2_record *v2rec;
    uint32_t *fill; /* V2: each column's value before a CSF writes it */
    FILE *rejects;  /* V2 --keep-going --rejects: a stream on rejects_out */
    csfs_outfile rejects_out;
    int rejects_open;
    uint64_t rejected, noncanonical, first_noncanonical_csf;
    char header_sha[65];
    const char *header_name;
    /* In file order (account runs on the orderer). */
    uint64_t failed, unknown_fields;
    csfs_desc_note first_unknown;
    uint64_t first_unknown_csf, first_unknown_line;
    int first_unknown_is_row;
    uint64_t trailing_separator_line; /* the list ends with " *" here (0: it does not) */
} desc_job;

static void report(const desc_job *d, const char *fmt, ...) CSFS_PRINTF(2, 3);

static void report(const desc_job *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    csfs_report_v(d->opt->report, d->opt->report_ctx, fmt, ap);
    va_end(ap);
}

static void desc_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                       size_t slot, uint64_t row_in_page, uint32_t *cols, size_t col_stride,
                       uint64_t *touched, void *notes)
{
    desc_job *d = ctx;
    if (!d->hooks || !d->hooks->no_descriptors) {
        d->ctx[worker].parsed = c->parsed; /* parsed in the scan: only stored here */
        csfs_desc_parse_records(&d->ctx[worker], c->data, c->scan, first, end, cols, col_stride,
                                touched, notes);
        d->ctx[worker].parsed = NULL;
    }
    if (d->hooks && d->hooks->parse)
        d->hooks->parse(d->hooks->ctx, worker, c, first, end, slot, row_in_page, cols, col_stride);
}

/* "file:LINE: CSF N" for text, "file: CSF N (row N)" for Parquet rows. */
static void where(const desc_job *d, const csfs_pipe_chunk *c, uint64_t record, uint32_t line,
                  char *out, size_t cap, uint64_t *abs_line)
{
    csfs_pipe_where(c, d->name, record, line, out, cap, abs_line);
}

/* The list ends with " *": its last J block is empty, which is also what a
 * list cut right after a separator looks like. --strict refuses it; else
 * warn_at_end names the line. */
static int trailing_separator(desc_job *d, const csfs_pipe_chunk *c, csfs_error *err)
{
    if (!c->scan->trailing_separator || c->line_base == CSFS_NO_LINES) return 0;
    uint64_t line = c->line_base + c->scan->trailing_separator;
    if (d->opt->strict)
        return csfs_fail_line(err, CSFS_E_FORMAT, line,
                              "%s:%llu: the list ends with a ' *' block separator, so its last J "
                              "block is empty: was the file cut short? (strict mode)",
                              d->name, (unsigned long long)line);
    d->trailing_separator_line = line;
    return 0;
}

static int desc_account(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n,
                        csfs_error *err)
{
    desc_job *d = ctx;
    int rc = trailing_separator(d, c, err);
    if (rc) return rc;
    const csfs_descriptor_options *opt = d->opt;
    char at[1200];
    uint64_t line;
    for (size_t k = 0; k < n; k++) {
        const csfs_desc_notes *nt = notes[k];
        for (size_t i = 0; i < nt->n_failures; i++) {
            const csfs_desc_note *f = &nt->failures[i];
            const char *why = csfs_csf_status_text((csfs_csf_status)f->status);
            where(d, c, f->record, f->line, at, sizeof at, &line);
            if (opt->strict)
                return csfs_fail_line(err, CSFS_E_CSF, line, "%s: %s (strict mode)", at, why);
            if (d->failed + i < (uint64_t)opt->max_reported_failures)
                report(d, "%s failed: %s; written as a row of zeros", at, why);
        }
        if (nt->has_unknown) {
            where(d, c, nt->unknown.record, nt->unknown.line, at, sizeof at, &line);
            if (opt->strict)
                return csfs_fail_line(err, CSFS_E_CSF, line,
                                      "%s: subshell '%s' is not in the peel list (strict mode)", at,
                                      nt->unknown.name);
            if (d->unknown_fields == 0) {
                d->first_unknown = nt->unknown;
                d->first_unknown_csf = c->row_start + nt->unknown.record;
                d->first_unknown_line = line;
            }
        }
        d->failed += nt->failed;
        d->unknown_fields += nt->unknown_fields;
    }
    return 0;
}

/* ---- V2 ------------------------------------------------------------------------ */

typedef struct v2_reject {
    uint64_t record;
    uint32_t line;
    int kind;
    char reason[160];
} v2_reject;

/* Per segment: every failure (all are fatal or listed), non-canonical CSFs. */
typedef struct v2_notes {
    uint64_t noncanonical;
    uint64_t first_noncanonical; /* record index, valid when noncanonical */
    uint32_t first_noncanonical_line;
    v2_reject *rejects;
    size_t n, cap;
    int oom;
} v2_notes;

static void v2_notes_clear(void *p)
{
    v2_notes *n = p;
    n->noncanonical = 0;
    n->n = 0;
    n->oom = 0;
}

static void v2_notes_free(void *p)
{
    free(((v2_notes *)p)->rejects);
}

/* A rejected row writes every column. */
static void touch_all(size_t width, uint64_t *touched)
{
    for (size_t c = 0; touched && c < width; c++) touched[c / 64] |= 1ull << (c % 64);
}

static void add_reject(v2_notes *nt, size_t i, uint32_t line, int kind, const char *reason)
{
    if (nt->n == nt->cap) {
        size_t cap = nt->cap ? 2 * nt->cap : 8;
        v2_reject *r = realloc(nt->rejects, cap * sizeof *r);
        if (!r) {
            nt->oom = 1;
            return;
        }
        nt->rejects = r;
        nt->cap = cap;
    }
    v2_reject *r = &nt->rejects[nt->n++];
    r->record = i;
    r->line = line;
    r->kind = kind;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

/* Records [first, end) parsed in the scan (descriptor/parsed.h): stored as
 * made records, failed ones then overwritten by the rejected row; the notes
 * as v2_parse makes them. */
static void v2_store_parsed(const csfs_pipe_chunk *c, size_t first, size_t end, size_t n_peel,
                            int32_t *dst, size_t col_stride, uint64_t *touched, v2_notes *nt)
{
    const csfs_parsed_chunk *p = c->parsed;
    csfs_v2_made made = csfs_parsed_v2_made(p);
    csfs_v2_store_made(&made, first, end, n_peel, dst, col_stride, touched);
    size_t f = csfs_parsed_v2_fail_at(p, first);
    const csfs_record *text = c->scan->rec;
    for (size_t i = first; i < end; i++) {
        if (p->fail[i]) {
            const csfs_v2_parsed_fail *pf = &p->fails[f++];
            csfs_v2_store_rejected(n_peel, dst + (i - first), col_stride);
            touch_all(csfs_v2_width(n_peel), touched);
            add_reject(nt, i, text[i].line, pf->kind, pf->reason);
        } else if (!p->canonical[i] && nt->noncanonical++ == 0) {
            nt->first_noncanonical = i;
            nt->first_noncanonical_line = text[i].line;
        }
    }
}

static void v2_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                     size_t slot, uint64_t row_in_page, uint32_t *cols, size_t col_stride,
                     uint64_t *touched, void *notes)
{
    desc_job *d = ctx;
    v2_notes *nt = notes;
    csfs_v2_ctx *v2 = &d->v2[worker];
    csfs_v2_record *rec = &d->v2rec[worker];
    int32_t *dst = (int32_t *)cols;
    size_t n_peel = d->peel->count;
    const csfs_v2_made *made = c->scan->made;
    if (made && !d->opt->peel) {
        /* made over the header's peel list: no text to parse */
        csfs_v2_store_made(made, first, end, n_peel, dst, col_stride, touched);
        if (d->hooks && d->hooks->parse)
            d->hooks->parse(d->hooks->ctx, worker, c, first, end, slot, row_in_page, cols,
                            col_stride);
        return;
    }
    if (c->parsed) {
        v2_store_parsed(c, first, end, n_peel, dst, col_stride, touched, nt);
        if (d->hooks && d->hooks->parse)
            d->hooks->parse(d->hooks->ctx, worker, c, first, end, slot, row_in_page, cols,
                            col_stride);
        return;
    }
    v2->ascii_known = csfs_records_ascii(c->data, c->scan, first, end);
    const csfs_record *text = c->scan->cols ? NULL : c->scan->rec; /* text: one test per chunk */
    /* Empty subshells hold their values already (the page's fill, else set
     * here by column); each CSF stores what it holds. */
    if (!touched) csfs_v2_fill_empty(n_peel, dst, col_stride, end - first);
    for (size_t i = first; i < end; i++) {
        const char *l[3];
        size_t n[3];
        uint32_t line = (uint32_t)i;
        if (text) {
            const csfs_record *t = &text[i];
            for (int k = 0; k < 3; k++) l[k] = c->data + t->off[k], n[k] = t->len[k];
            line = t->line;
        } else {
            csfs_record_lines(c->scan, c->data, i, l, n);
        }
        csfs_v2_failure why;
        if (csfs_v2_parse(v2, l[0], n[0], l[1], n[1], l[2], n[2], rec, &why) == 0) {
            csfs_v2_store_sparse(rec, n_peel, dst + (i - first), col_stride, touched);
            if (!rec->canonical && nt->noncanonical++ == 0) {
                nt->first_noncanonical = i;
                nt->first_noncanonical_line = line;
            }
            continue;
        }
        csfs_v2_store_rejected(n_peel, dst + (i - first), col_stride);
        touch_all(d->width, touched);
        add_reject(nt, i, line, why.kind, why.reason);
    }
    v2->ascii_known = 0;
    if (d->hooks && d->hooks->parse)
        d->hooks->parse(d->hooks->ctx, worker, c, first, end, slot, row_in_page, cols, col_stride);
}

static int v2_account(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n,
                      csfs_error *err)
{
    desc_job *d = ctx;
    const csfs_descriptor_options *opt = d->opt;
    char at[1200];
    uint64_t line;
    int rc = trailing_separator(d, c, err);
    if (rc) return rc;
    /* Text that restore would write differently: CR LF line ends and
     * separators other than " *" count as well as CSFs. */
    uint64_t odd_text = c->scan->crlf_lines + c->scan->odd_separators;
    if (odd_text && opt->strict) {
        return csfs_fail(err, CSFS_E_CSF,
                         "%s: %s (strict mode: restore would write LF line ends and ' *')", d->name,
                         c->scan->crlf_lines ? "CR LF line ends" : "a separator other than ' *'");
    }
    d->noncanonical += odd_text;
    for (size_t k = 0; k < n; k++) {
        const v2_notes *nt = notes[k];
        if (nt->oom) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t i = 0; i < nt->n; i++) {
            const v2_reject *r = &nt->rejects[i];
            where(d, c, r->record, r->line, at, sizeof at, &line);
            if (!opt->keep_going)
                return csfs_fail_line(
                    err, CSFS_E_CSF, line,
                    "%s: not a valid V2 CSF: %s (keeping going would write it as a "
                    "rejected row)",
                    at, r->reason);
            if (d->rejects &&
                fprintf(d->rejects, "%llu\t%llu\t%s\t%s\n",
                        (unsigned long long)(c->row_start + r->record), (unsigned long long)line,
                        csfs_v2_fail_name(r->kind), r->reason) < 0)
                return csfs_fail_errno(err, errno, "%s: cannot write", opt->rejects);
            if (d->rejected + i < (uint64_t)opt->max_reported_failures)
                report(d, "%s rejected: %s; written as a row of -1 with parity 0", at, r->reason);
        }
        d->rejected += nt->n;
        if (nt->noncanonical) {
            where(d, c, nt->first_noncanonical, nt->first_noncanonical_line, at, sizeof at, &line);
            if (opt->strict)
                return csfs_fail_line(err, CSFS_E_CSF, line,
                                      "%s: not in canonical GRASP form (restore would rewrite "
                                      "it; strict mode)",
                                      at);
            if (d->noncanonical == 0)
                d->first_noncanonical_csf = c->row_start + nt->first_noncanonical;
            d->noncanonical += nt->noncanonical;
        }
    }
    return 0;
}

/* V2 column names: sub{i}_n, sub{i}_2j, sub{i}_v, sub{i}_2k, total_two_j, parity. */
static int v2_names(size_t n_peel, char **storage, const char ***names, csfs_error *err)
{
    size_t width = csfs_v2_width(n_peel);
    *storage = malloc(width * 32);
    *names = malloc(width * sizeof **names);
    if (!*storage || !*names) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t c = 0; c < width; c++) {
        csfs_v2_column_name(n_peel, c, *storage + 32 * c, 32);
        (*names)[c] = *storage + 32 * c;
    }
    return 0;
}

/* The SHA-256 of the header TOML, when one is given or beside a CSF Parquet
 * input: rCSFs 1.3 records it so a restore can refuse a wrong header. */
static int header_checksum(desc_job *d, csfs_error *err)
{
    const char *path = d->opt->header_toml;
    if (!path) path = csfs_pipe_source_toml_path(d->src);
    if (!path) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open header", path);
    csfs_sha256 sha;
    csfs_sha256_init(&sha);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) csfs_sha256_update(&sha, buf, got);
    int bad = ferror(f);
    fclose(f);
    if (bad) return csfs_fail(err, CSFS_E_IO, "%s: read failed", path);
    csfs_sha256_hex(&sha, d->header_sha);
    const char *slash = strrchr(path, '/');
    d->header_name = slash ? slash + 1 : path;
    return 0;
}

/* Per-worker arrays: each element starts on its own cache line (elements
 * are padded to whole lines), so workers never write to a shared line. */
static void *aligned_calloc(int n, size_t size)
{
    size_t elem = (size + 63) / 64 * 64;
    if (elem != size) return NULL; /* the types are declared 64-byte aligned */
    void *p = aligned_alloc(64, (size_t)n * elem);
    if (p) memset(p, 0, (size_t)n * elem);
    return p;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The peel list: --peel, else the header's line 4 (text, or a CSF Parquet
 * file's metadata). */
static int choose_peel(desc_job *d, csfs_error *err)
{
    if (d->opt->peel) {
        d->peel = d->opt->peel;
        return d->peel->count ? 0
                              : csfs_fail(err, CSFS_E_ARGUMENT, "the peel list names no subshell");
    }
    const char *kv = csfs_pipe_source_kv(d->src, "csfs.peel_subshells");
    if (kv) {
        char what[1100];
        snprintf(what, sizeof what, "%s: csfs.peel_subshells", d->name);
        csfs_str_array a;
        int rc = csfs_json_parse_str_array(kv, strlen(kv), what, &a, err);
        if (rc) return rc;
        rc = csfs_peel_from_names((const char *const *)a.items, a.n, &d->own_peel, err);
        csfs_str_array_free(&a);
        if (rc) return rc;
    } else {
        const csfs_header *h = csfs_pipe_source_header(d->src);
        if (!h)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "%s: no peel subshell list (no csfs metadata or header TOML "
                             "beside it): a peel list must be given",
                             d->name);
        int rc = csfs_peel_from_header_line(h->lines[3], h->lens[3], &d->own_peel, err);
        if (rc) return rc;
    }
    d->peel = d->own_peel;
    if (d->peel->count == 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 4, "%s:4: no peel subshells in the header line 4",
                              d->name);
    return 0;
}

static int open_job(desc_job *d, csfs_matrix *matrix, csfs_error *err)
{
    const csfs_descriptor_options *opt = d->opt;
    if (!opt->input || (!opt->output && !matrix && !d->hooks))
        return csfs_fail(err, CSFS_E_ARGUMENT, "an input and an output file are required");
    if (opt->layout != CSFS_LAYOUT_V1 && opt->layout != CSFS_LAYOUT_V2)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown descriptor layout %d", (int)opt->layout);
    int v2 = opt->layout == CSFS_LAYOUT_V2;
    if (v2 && opt->normalize)
        return csfs_fail(
            err, CSFS_E_ARGUMENT,
            "V2 descriptors are int32 only: normalized descriptors need the v1 layout");
    if (!v2 && (opt->keep_going || opt->rejects))
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "keeping going past bad CSFs and a rejects file are for the V2 layout");
    if (opt->row_group_rows < 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "the row group size must be positive");
    if (!matrix && !d->hooks && !d->given && strcmp(opt->input, "-") != 0 &&
        csfs_same_file(opt->input, opt->output))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite the input",
                         opt->output);
    int rc = 0;
    if (d->given)
        d->src = d->given;
    else
        rc = csfs_pipe_source_open(opt->input, opt->chunk_bytes, &d->src, err);
    if (rc) return rc;
    d->name = csfs_pipe_source_name(d->src);
    rc = choose_peel(d, err);
    if (rc) return rc;
    d->threads = opt->threads ? opt->threads : csfs_online_cpus();
    if (v2) {
        d->v2 = aligned_calloc(d->threads, sizeof *d->v2);
        d->v2rec = aligned_calloc(d->threads, sizeof *d->v2rec);
        if (!d->v2 || !d->v2rec) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (int i = 0; i < d->threads; i++) {
            rc = csfs_v2_ctx_init(&d->v2[i], d->peel, err);
            if (rc == 0) rc = csfs_v2_record_init(&d->v2rec[i], d->peel->count, err);
            if (rc) return rc;
        }
        d->width = csfs_v2_width(d->peel->count);
        d->fill = malloc(d->width * sizeof *d->fill);
        if (!d->fill) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t c = 0; c < d->width; c++) d->fill[c] = csfs_v2_fill_value(d->peel->count, c);
        rc = header_checksum(d, err);
        if (rc) return rc;
    } else {
        d->ctx = aligned_calloc(d->threads, sizeof *d->ctx);
        if (!d->ctx) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (int i = 0; i < d->threads; i++) {
            rc = csfs_desc_ctx_init(&d->ctx[i], d->peel, opt->layout, opt->normalize, err);
            if (rc) return rc;
        }
        /* A name without a capacity fails normalisation for every CSF: rows of
         * zeros, counted, as in rCSFs; strict mode makes it an error at once. */
        const char *bad = d->ctx[0].no_capacity_name;
        int line4 = !opt->peel && !csfs_pipe_source_is_parquet(d->src); /* the header's */
        if (opt->normalize && bad && opt->strict)
            return csfs_fail_line(err, opt->peel ? CSFS_E_ARGUMENT : CSFS_E_FORMAT, line4 ? 4 : 0,
                                  "%s%s: cannot normalise: peel subshell '%s'%s has no known "
                                  "capacity (names must end in s, p-, p, d-, d, f-, f, g-, g, h-, "
                                  "h, i- or i)",
                                  d->name, line4 ? ":4" : "", bad,
                                  opt->peel ? "" : " of the file's peel list");
        if (opt->normalize && bad)
            report(d,
                   "%s: warning: peel subshell '%s' has no known capacity (names must end in s, "
                   "p-, p, d-, d, f-, f, g-, g, h-, h, i- or i): every CSF fails normalisation "
                   "and is written as a row of zeros",
                   d->name, bad);
        d->width = csfs_desc_width(&d->ctx[0]);
    }
    if (d->hooks)
        return d->hooks->open_sink(d->hooks->ctx, d->src, d->peel, d->width, &d->sink, err);
    if (matrix) return csfs_page_sink_memory(&d->sink, d->width, opt->normalize, matrix, err);
    if (opt->rejects) {
        rc = csfs_outfile_open(&d->rejects_out, opt->rejects, opt->force, err);
        if (rc) return rc;
        d->rejects_open = 1;
        int fd = dup(d->rejects_out.fd);
        d->rejects = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!d->rejects) return csfs_fail_errno(err, errno, "%s: cannot write", opt->rejects);
        fputs("row\tline\tkind\treason\n", d->rejects);
    }
    rc = csfs_outfile_open(&d->out, opt->output, opt->force, err);
    if (rc) return rc;
    d->out_open = 1;
    int npy = opt->format == CSFS_FORMAT_NPY ||
              (opt->format == CSFS_FORMAT_AUTO && ends_with(opt->output, ".npy"));
    if (npy) return csfs_page_sink_npy(&d->sink, &d->out, d->width, opt->normalize, err);
    char *storage = NULL;
    const char **names = NULL;
    if (v2) rc = v2_names(d->peel->count, &storage, &names, err);
    if (rc == 0)
        rc = csfs_page_sink_parquet(&d->sink, &d->out, d->width, opt->normalize, names, opt->codec,
                                    opt->codec_level, !opt->plain_encoding, err);
    free(storage);
    free(names);
    return rc;
}

static void warn_at_end(desc_job *d, const csfs_pipe_result *res)
{
    const csfs_descriptor_options *opt = d->opt;
    if (d->failed > (uint64_t)opt->max_reported_failures)
        report(d, "%s: %llu CSFs failed in all (the first %d are listed above)", d->name,
               (unsigned long long)d->failed, opt->max_reported_failures);
    if (d->unknown_fields && d->first_unknown_line)
        report(d,
               "%s: warning: %llu subshell fields are not in the peel list and were left out "
               "(first: '%s' in CSF %llu, line %llu); check the peel list",
               d->name, (unsigned long long)d->unknown_fields, d->first_unknown.name,
               (unsigned long long)d->first_unknown_csf, (unsigned long long)d->first_unknown_line);
    else if (d->unknown_fields)
        report(d,
               "%s: warning: %llu subshell fields are not in the peel list and were left out "
               "(first: '%s' in CSF %llu); check the peel list",
               d->name, (unsigned long long)d->unknown_fields, d->first_unknown.name,
               (unsigned long long)d->first_unknown_csf);
    if (d->rejected > (uint64_t)opt->max_reported_failures)
        report(d, "%s: %llu CSFs rejected in all (listed in %s)", d->name,
               (unsigned long long)d->rejected, opt->rejects ? opt->rejects : "no rejects file");
    if (d->noncanonical)
        report(d,
               "%s: note: %llu CSFs or lines are not in canonical GRASP form (e.g. CSF %llu); "
               "restoring the text from these descriptors rewrites them (strict mode refuses)",
               d->name, (unsigned long long)d->noncanonical,
               (unsigned long long)d->first_noncanonical_csf);
    if (res->rows == 0)
        report(d, "%s: warning: the list holds no CSF (nothing after the header)", d->name);
    for (size_t i = 0; i < res->n_blocks; i++)
        if (res->blocks[i] == 0 && i + 1 == res->n_blocks && d->trailing_separator_line)
            report(d,
                   "%s:%llu: warning: the list ends with a ' *' block separator, so its last J "
                   "block (%zu of %zu) is empty: was the file cut short?",
                   d->name, (unsigned long long)d->trailing_separator_line, i + 1, res->n_blocks);
        else if (res->blocks[i] == 0)
            report(d,
                   "%s: warning: J block %zu of %zu is empty (two separators in a row, or one "
                   "at the start or the end)",
                   d->name, i + 1, res->n_blocks);
}

/* Block lengths to record: a CSF Parquet file's own (csfs metadata, else its
 * header TOML: they keep empty blocks) when they agree with its rows, else
 * what the engine counted. */
static void recorded_blocks(desc_job *d, csfs_pipe_result *res)
{
    const char *kv = csfs_pipe_source_kv(d->src, "csfs.block_lengths");
    uint64_t *v = NULL;
    size_t n = 0;
    csfs_error ignore;
    if (kv) {
        if (csfs_block_lengths_parse(kv, d->name, &v, &n, &ignore) != 0) return;
    } else {
        const uint64_t *t = csfs_pipe_source_toml_blocks(d->src, &n);
        if (!t || !n || !(v = malloc(n * sizeof *v))) return;
        memcpy(v, t, n * sizeof *v);
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += v[i];
    if (sum != res->rows) {
        free(v);
        return;
    }
    free(res->blocks);
    res->blocks = v;
    res->n_blocks = n;
}

/* ---- parsing in the scan (engine/pipeline.h scan_record) ----------------------- */

static void *desc_parsed_new(void *ctx)
{
    return csfs_parsed_new(((desc_job *)ctx)->opt->layout == CSFS_LAYOUT_V2);
}

static void desc_parsed_free(void *ctx, void *parsed)
{
    (void)ctx;
    csfs_parsed_free(parsed);
}

static void *desc_scan_begin(void *ctx, size_t worker, void *parsed)
{
    desc_job *d = ctx;
    csfs_parsed_chunk *p = parsed;
    if (p->v2)
        csfs_parsed_begin_v2(p, &d->v2[worker], d->peel->count);
    else
        csfs_parsed_begin_v1(p, &d->ctx[worker]);
    return p;
}

static void hook_slot_reset(void *ctx, size_t slot)
{
    const csfs_desc_hooks *h = ((desc_job *)ctx)->hooks;
    h->slot_reset(h->ctx, slot);
}

uint64_t csfs_descriptor_group_rows(const csfs_descriptor_options *opt)
{
    return opt->row_group_rows > 0         ? (uint64_t)opt->row_group_rows
           : opt->layout == CSFS_LAYOUT_V2 ? 131072u
                                           : (1u << 20);
}

static int run_job(const csfs_descriptor_options *opt, const csfs_desc_hooks *hooks,
                   csfs_matrix *matrix, csfs_pipe_source *given, csfs_summary *summary,
                   csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_job job = {.cancel = opt->cancel};
    int begun = csfs_job_begin(&job, opt->input, opt->threads, err);
    if (begun) {
        if (summary) memset(summary, 0, sizeof *summary);
        return begun;
    }
    desc_job d;
    memset(&d, 0, sizeof d);
    d.opt = opt;
    d.hooks = hooks;
    d.given = given;
    csfs_pipe_result res;
    memset(&res, 0, sizeof res);
    int rc = open_job(&d, matrix, err);
    if (rc == 0) {
        csfs_pipe_kind kind = {
            .ctx = &d,
            .sink = d.sink,
            .page_rows = csfs_page_rows(d.width),
            .group_rows = csfs_descriptor_group_rows(opt),
            .page_cols = hooks && hooks->no_descriptors ? 0 : d.width,
            .notes_size = sizeof(csfs_desc_notes),
            .parse = desc_parse,
            .account = desc_account,
        };
        /* Parse in the segment tasks (default) or in the scan: the same bytes
         * either way. Parsing in the scan is the slower one here: the parsed
         * form is about as large as the fixed-width text it comes from (16
         * bytes per occupied subshell against 9), so it adds a write and a
         * read of the text's size instead of saving one, and costs ~420
         * instructions per CSF to build and load (bench/RESULTS-fused.md). */
        if (opt->parse_in_scan && !(hooks && hooks->no_descriptors)) {
            kind.parsed_new = desc_parsed_new;
            kind.parsed_free = desc_parsed_free;
            kind.scan_begin = desc_scan_begin;
            kind.scan_record =
                opt->layout == CSFS_LAYOUT_V2 ? csfs_parsed_v2_record : csfs_parsed_v1_record;
        }
        if (hooks && hooks->page_rows) kind.page_rows = hooks->page_rows;
        if (hooks && hooks->slot_reset) kind.slot_reset = hook_slot_reset;
        if (opt->layout == CSFS_LAYOUT_V2) {
            kind.notes_size = sizeof(v2_notes);
            kind.parse = v2_parse;
            kind.account = v2_account;
            kind.notes_clear = v2_notes_clear;
            kind.fill = d.fill;
            kind.notes_free = v2_notes_free;
        }
        csfs_pipe_config cfg = {.threads = d.threads,
                                .cancel = opt->cancel,
                                .progress = opt->progress,
                                .progress_ctx = opt->progress_ctx,
                                .no_mmap = opt->no_mmap};
        rc = csfs_pipe_run(d.src, &cfg, &kind, &res, err);
    }
    if (rc == 0) {
        recorded_blocks(&d, &res);
        /* From a CSF Parquet file made by convert, the source is its CSF list:
         * the same descriptors then carry the same metadata either way. */
        const char *kv_file = csfs_pipe_source_kv(d.src, "csfs.source_file");
        const char *kv_size = csfs_pipe_source_kv(d.src, "csfs.source_size");
        const char *kv_comp = csfs_pipe_source_kv(d.src, "csfs.source_compression");
        int inherit = kv_file && kv_size && kv_comp;
        csfs_run_info info = {
            .source_path = inherit ? kv_file : d.name,
            .source_size = inherit ? strtoll(kv_size, NULL, 10) : csfs_pipe_source_size(d.src),
            .source_compression = inherit ? kv_comp : csfs_pipe_source_compression(d.src),
            .header = csfs_pipe_source_header(d.src),
            .peel = d.peel,
            .layout = opt->layout,
            .normalize = opt->normalize,
            .csf_count = res.rows,
            .failed_count = d.failed,
            .block_lengths = res.blocks,
            .n_blocks = res.n_blocks,
            .header_sha256 = d.header_name ? d.header_sha : NULL,
            .header_filename = d.header_name,
        };
        rc = d.sink->ops->finish(d.sink, &info, err);
    }
    if (d.name) job.name = d.name;
    if (rc == 0) rc = csfs_job_cancelled(&job, err);
    if (rc == 0 && d.rejects) {
        int bad = fclose(d.rejects) != 0;
        d.rejects = NULL;
        if (bad) rc = csfs_fail_errno(err, errno, "%s: cannot write", opt->rejects);
    }
    if (rc == 0 && d.rejects_open) {
        rc = csfs_outfile_commit(&d.rejects_out, err);
        d.rejects_open = 0;
    }
    if (rc == 0 && d.out_open) {
        rc = csfs_outfile_commit(&d.out, err);
        d.out_open = 0;
    }
    if (rc == 0) warn_at_end(&d, &res);
    if (summary) {
        memset(summary, 0, sizeof *summary);
        summary->csf_count = res.rows;
        summary->block_count = res.n_blocks;
        summary->failed_count = d.failed;
        summary->unknown_subshell_count = d.unknown_fields;
        summary->input_bytes = res.input_bytes;
        summary->columns = d.width;
        summary->peel_count = d.peel ? d.peel->count : 0;
        summary->threads = (uint64_t)d.threads;
        summary->stages = res.stages;
        summary->rejected_count = d.rejected;
        summary->noncanonical_count = d.noncanonical;
        csfs_job_end(&job, rc, &summary->seconds, err);
    }
    if (d.sink) d.sink->ops->destroy(d.sink);
    if (d.out_open) csfs_outfile_abort(&d.out);
    if (d.rejects) fclose(d.rejects);
    if (d.rejects_open) csfs_outfile_abort(&d.rejects_out);
    for (int i = 0; d.ctx && i < d.threads; i++) csfs_desc_ctx_free(&d.ctx[i]);
    free(d.ctx);
    for (int i = 0; d.v2 && i < d.threads; i++) csfs_v2_ctx_free(&d.v2[i]);
    for (int i = 0; d.v2rec && i < d.threads; i++) csfs_v2_record_free(&d.v2rec[i]);
    free(d.v2);
    free(d.v2rec);
    free(d.fill);
    csfs_peel_free(d.own_peel);
    if (!d.given) csfs_pipe_source_close(d.src);
    free(res.blocks);
    return rc;
}

int csfs_descriptors_run(const csfs_descriptor_options *opt, csfs_summary *summary, csfs_error *err)
{
    return run_job(opt, NULL, NULL, NULL, summary, err);
}

int csfs_descriptors_run_source(const csfs_descriptor_options *opt, csfs_pipe_source *src,
                                csfs_summary *summary, csfs_error *err)
{
    return run_job(opt, NULL, NULL, src, summary, err);
}

int csfs_descriptors_matrix(const csfs_descriptor_options *opt, csfs_matrix *out,
                            csfs_summary *summary, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    return run_job(opt, NULL, out, NULL, summary, err);
}

int csfs_descriptors_with_hooks(const csfs_descriptor_options *opt, const csfs_desc_hooks *hooks,
                                csfs_summary *summary, csfs_error *err)
{
    return run_job(opt, hooks, NULL, NULL, summary, err);
}
