/*
 * The convert job: a CSF list -> CSF Parquet (idx, line1, line2, line3 as
 * rCSFs; block on request) and rCSFs' header TOML, through the parallel engine. Workers copy
 * each segment's lines into a piece of its page; the Parquet lanes gather a
 * page's pieces in row order when they encode it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "descriptor/metadata.h"
#include "common/error.h"
#include "grasp/header_toml.h"
#include "io/outfile.h"
#include "jobs/job_source.h"
#include "jobs/job.h"
#include "engine/page_sink.h"
#include "grasp/peel.h"
#include "engine/pipeline.h"
#include "engine/slot_pool.h"

#define DEFAULT_GROUP_ROWS 65536
#define PAGE_ROWS 16384

/* One parsed segment: rows [row_start, row_start + rows) of a page, in the
 * page slot's pool (engine/slot_pool.h: row_start must come first). */
typedef struct piece {
    uint64_t row_start;
    size_t rows, cap_rows;
    csfs_buf text[3]; /* line k of every row, back to back */
    uint64_t *off[3]; /* rows + 1 offsets into text[k] */
    int32_t *block;
} piece;

typedef struct conv_notes {
    uint64_t truncated;
} conv_notes;

typedef struct conv_job {
    const csfs_convert_options *opt;
    csfs_pipe_source *src;
    const char *name;
    csfs_outfile out;
    int out_open;
    csfs_page_sink *sink;
    csfs_slot_pool pieces;
    uint64_t truncated;
} conv_job;

static const pq_column_def conv_columns[5] = {
    {"idx", PQ_INT64, PQ_LOGICAL_UINT64, PQ_REQUIRED},
    {"line1", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
    {"line2", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
    {"line3", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
    {"block", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
};

void csfs_convert_options_init(csfs_convert_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->codec = CSFS_CODEC_ZSTD;
    opt->codec_level = 3;
    opt->row_group_rows = DEFAULT_GROUP_ROWS;
    opt->header_toml = 1;
}

static void piece_free(void *v)
{
    piece *p = v;
    for (int q = 0; q < 3; q++) {
        csfs_buf_free(&p->text[q]);
        free(p->off[q]);
    }
    free(p->block);
}

static int piece_reserve(piece *p, size_t rows)
{
    if (rows <= p->cap_rows) return 0;
    for (int k = 0; k < 3; k++) {
        uint64_t *o = realloc(p->off[k], (rows + 1) * sizeof *o);
        if (!o) return -1;
        p->off[k] = o;
    }
    int32_t *b = realloc(p->block, rows * sizeof *b);
    if (!b) return -1;
    p->block = b;
    p->cap_rows = rows;
    return 0;
}

/* ---- workers: copy a segment's lines into a piece ------------------------ */

static void conv_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                       size_t slot, uint64_t row_in_page, uint32_t *cols, size_t col_stride,
                       uint64_t *touched, void *notes)
{
    conv_job *j = ctx;
    piece *p = csfs_slot_pool_take(&j->pieces, slot);
    conv_notes *cn = notes;
    size_t rows = end - first;
    if (!p || piece_reserve(p, rows)) {
        cn->truncated = UINT64_MAX; /* out of memory: account() fails the job */
        return;
    }
    p->row_start = c->row_start + first;
    p->rows = rows;
    size_t cut = j->opt->max_line_len;
    /* Block of each record: the chunk's first block plus separators before it. */
    const csfs_chunk_scan *scan = c->scan;
    size_t sep = 0;
    while (sep < scan->n_sep && scan->sep_before[sep] <= first) sep++;
    for (int k = 0; k < 3; k++) p->text[k].len = 0, p->off[k][0] = 0;
    for (size_t i = first; i < end; i++) {
        while (sep < scan->n_sep && scan->sep_before[sep] <= i) sep++;
        p->block[i - first] = (int32_t)(c->block_start + sep);
        const char *l[3];
        size_t n[3];
        csfs_record_lines(scan, c->data, i, l, n);
        for (int k = 0; k < 3; k++) {
            if (cut && n[k] > cut) {
                n[k] = cut;
                cn->truncated++;
            }
            if (csfs_buf_append(&p->text[k], l[k], n[k], NULL)) {
                cn->truncated = UINT64_MAX;
                return;
            }
            p->off[k][i - first + 1] = p->text[k].len;
        }
    }
}

static int conv_account(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n,
                        csfs_error *err)
{
    conv_job *j = ctx;
    for (size_t k = 0; k < n; k++) {
        const conv_notes *cn = notes[k];
        if (cn->truncated == UINT64_MAX)
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory while converting %s", j->name);
        j->truncated += cn->truncated;
    }
    return 0;
}

static void conv_slot_reset(void *ctx, size_t slot)
{
    conv_job *j = ctx;
    csfs_slot_pool_reset(&j->pieces, slot);
}

/* ---- workers: a lane's values for a page ------------------------------------- */

static int grow_scratch(csfs_lane_scratch *s, size_t rows, size_t value_bytes, csfs_error *err)
{
    if (rows + 1 > s->offsets_cap) {
        uint64_t *o = realloc(s->offsets, (rows + 1) * sizeof *o);
        if (!o) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        s->offsets = o;
        s->offsets_cap = rows + 1;
    }
    if (rows * value_bytes > s->values_cap) {
        void *v = realloc(s->values, rows * value_bytes);
        if (!v) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        s->values = v;
        s->values_cap = rows * value_bytes;
    }
    return 0;
}

static int conv_values(void *ctx, size_t lane, const csfs_page *page, csfs_lane_scratch *s,
                       pq_column_values *out, csfs_error *err)
{
    conv_job *j = ctx;
    size_t n_pieces;
    void **pieces = csfs_slot_pool_pieces(&j->pieces, page->slot, &n_pieces);
    int rc = grow_scratch(s, page->rows, 8, err);
    if (rc) return rc;
    *out = (pq_column_values){.rows = page->rows};
    if (lane == 0) { /* idx: the running CSF number */
        uint64_t *v = s->values;
        for (size_t r = 0; r < page->rows; r++) v[r] = page->row_start + r;
        out->values = v;
        return 0;
    }
    /* Pieces arrive in any order; sorting a handful is cheap. Every lane
     * sorts the same way, so lanes can run at once on a read-only array. */
    void *sorted[64];
    void **order = n_pieces <= 64 ? sorted : malloc(n_pieces * sizeof *order);
    if (!order) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(order, pieces, n_pieces * sizeof *order);
    csfs_slot_pool_sort(order, n_pieces);
    size_t r = 0;
    if (lane == 4) {
        int32_t *v = s->values;
        for (size_t i = 0; i < n_pieces; i++) {
            const piece *p = order[i];
            memcpy(v + r, p->block, p->rows * sizeof *v);
            r += p->rows;
        }
        out->values = v;
    } else {
        int k = (int)lane - 1;
        s->bytes.len = 0;
        s->offsets[0] = 0;
        for (size_t i = 0; i < n_pieces && rc == 0; i++) {
            const piece *p = order[i];
            uint64_t base = s->bytes.len;
            rc = csfs_buf_append(&s->bytes, p->text[k].data, p->text[k].len, err);
            for (size_t q = 0; q < p->rows; q++) s->offsets[r + q + 1] = base + p->off[k][q + 1];
            r += p->rows;
        }
        out->offsets = s->offsets;
        out->data = (const uint8_t *)s->bytes.data;
    }
    if (order != sorted) free(order);
    if (rc == 0 && r != page->rows)
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "convert: page %llu has %zu rows, expected %zu",
                       (unsigned long long)page->index, r, page->rows);
    return rc;
}

/* ---- metadata -------------------------------------------------------------------- */

static int conv_metadata(conv_job *j, const csfs_pipe_result *res, csfs_kv_list *kv,
                         csfs_error *err)
{
    memset(kv, 0, sizeof *kv);
    const csfs_header *h = csfs_pipe_source_header(j->src);
    const char *name = strrchr(j->name, '/') ? strrchr(j->name, '/') + 1 : j->name;
    char size[32];
    snprintf(size, sizeof size, "%lld", (long long)csfs_pipe_source_size(j->src));
    int rc = csfs_kv_text(kv, "csfs.version", CSFS_VERSION_STRING, err);
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.kind", "csf_list", err);
    if (rc == 0)
        rc = csfs_kv_json_strings(kv, "csfs.header_lines", (const char *const *)h->lines, h->lens,
                                  CSFS_HEADER_LINES, err);
    csfs_peel *peel = NULL;
    if (rc == 0) rc = csfs_peel_from_header_line(h->lines[3], h->lens[3], &peel, err);
    if (rc == 0)
        rc = csfs_kv_json_strings(kv, "csfs.peel_subshells", (const char *const *)peel->names, NULL,
                                  peel->count, err);
    csfs_peel_free(peel);
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.source_file", name, err);
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.source_size", size, err);
    if (rc == 0)
        rc = csfs_kv_text(kv, "csfs.source_compression", csfs_pipe_source_compression(j->src), err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.csf_count", res->rows, err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.block_count", res->n_blocks, err);
    if (rc == 0) rc = csfs_kv_json_u64s(kv, "csfs.block_lengths", res->blocks, res->n_blocks, err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.truncated_count", j->truncated, err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.max_line_len", j->opt->max_line_len, err);
    if (rc) {
        csfs_kv_list_free(kv);
        return rc;
    }
    csfs_kv_finish(kv);
    return 0;
}

/* ---- the job ------------------------------------------------------------------------ */

static int write_toml(conv_job *j, const csfs_pipe_result *res, csfs_convert_summary *sum,
                      csfs_error *err)
{
    char *path = NULL;
    int rc = csfs_header_toml_path(j->opt->input, j->opt->output, &path, err);
    if (rc) return rc;
    const csfs_header *h = csfs_pipe_source_header(j->src);
    csfs_header_info info = {.csf_count = res->rows,
                             .total_lines = csfs_header_total_lines(res->rows, res->n_blocks),
                             .truncated_count = j->truncated,
                             .block_lengths = res->blocks,
                             .n_blocks = res->n_blocks};
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        info.lines[i] = h->lines[i];
        info.lens[i] = h->lens[i];
    }
    rc = csfs_header_toml_write(path, &info, j->opt->force, err);
    if (rc == 0 && sum) snprintf(sum->header_toml, sizeof sum->header_toml, "%s", path);
    free(path);
    return rc;
}

static int run_convert(const csfs_convert_options *opt, csfs_pipe_source *given,
                       csfs_convert_summary *sum, csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    if (sum) memset(sum, 0, sizeof *sum);
    csfs_job job = {.cancel = opt->cancel};
    int begun = csfs_job_begin(&job, opt->input, opt->threads, err);
    if (begun) return begun;
    if (!opt->input || !opt->output)
        return csfs_fail(err, CSFS_E_ARGUMENT, "an input and an output file are required");
    if (!given && strcmp(opt->input, "-") != 0 && csfs_same_file(opt->input, opt->output))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite the input",
                         opt->output);
    if (opt->row_group_rows < 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "the row group size must be positive");
    conv_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    csfs_pipe_result res;
    memset(&res, 0, sizeof res);
    int threads = opt->threads ? opt->threads : csfs_online_cpus();
    int rc = 0;
    if (given)
        j.src = given;
    else
        rc = csfs_pipe_source_open(opt->input, opt->chunk_bytes, &j.src, err);
    if (rc == 0 && csfs_pipe_source_is_parquet(j.src))
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: already a Parquet file; convert reads CSF text",
                       opt->input);
    if (rc == 0) {
        j.name = csfs_pipe_source_name(j.src);
        rc = csfs_slot_pool_init(&j.pieces, csfs_pipe_ring_slots(threads), sizeof(piece),
                                 piece_free, err);
    }
    if (rc == 0) rc = csfs_outfile_open(&j.out, opt->output, opt->force, err);
    if (rc == 0) {
        j.out_open = 1;
        csfs_parquet_columns cols = {
            .defs = conv_columns, .n = opt->block_column ? 5 : 4, .ctx = &j, .values = conv_values};
        /* PLAIN: idx is all distinct, lines nearly so; zstd takes the rest. */
        rc = csfs_page_sink_parquet_columns(&j.sink, &j.out, &cols, opt->codec, opt->codec_level, 0,
                                            err);
    }
    if (rc == 0) {
        uint64_t group =
            opt->row_group_rows > 0 ? (uint64_t)opt->row_group_rows : DEFAULT_GROUP_ROWS;
        csfs_pipe_kind kind = {.ctx = &j,
                               .sink = j.sink,
                               .page_rows = PAGE_ROWS,
                               .group_rows = group,
                               .notes_size = sizeof(conv_notes),
                               .parse = conv_parse,
                               .account = conv_account,
                               .slot_reset = conv_slot_reset};
        csfs_pipe_config cfg = {.threads = threads,
                                .cancel = opt->cancel,
                                .progress = opt->progress,
                                .progress_ctx = opt->progress_ctx,
                                .no_mmap = opt->no_mmap};
        rc = csfs_pipe_run(j.src, &cfg, &kind, &res, err);
    }
    csfs_kv_list kv = {0};
    if (rc == 0) rc = conv_metadata(&j, &res, &kv, err);
    if (rc == 0) {
        csfs_run_info info = {.kv = &kv};
        rc = j.sink->ops->finish(j.sink, &info, err);
    }
    csfs_kv_list_free(&kv);
    if (j.name) job.name = j.name;
    if (rc == 0) rc = csfs_job_cancelled(&job, err);
    /* The TOML first: if it fails, the Parquet file is not published either. */
    if (rc == 0 && opt->header_toml) rc = write_toml(&j, &res, sum, err);
    if (rc == 0) {
        rc = csfs_outfile_commit(&j.out, err);
        j.out_open = 0;
        if (rc && sum && sum->header_toml[0]) remove(sum->header_toml);
    }
    if (sum) {
        sum->csf_count = res.rows;
        sum->block_count = res.n_blocks;
        sum->total_lines = csfs_header_total_lines(res.rows, res.n_blocks);
        sum->truncated_count = j.truncated;
        sum->input_bytes = res.input_bytes;
        sum->threads = (uint64_t)threads;
        csfs_job_end(&job, rc, &sum->seconds, err);
        if (rc) sum->header_toml[0] = '\0';
    }
    if (j.sink) j.sink->ops->destroy(j.sink);
    if (j.out_open) csfs_outfile_abort(&j.out);
    csfs_slot_pool_free(&j.pieces);
    if (!given) csfs_pipe_source_close(j.src);
    free(res.blocks);
    return rc;
}

int csfs_convert_run(const csfs_convert_options *opt, csfs_convert_summary *sum, csfs_error *err)
{
    return run_convert(opt, NULL, sum, err);
}

int csfs_convert_run_source(const csfs_convert_options *opt, csfs_pipe_source *src,
                            csfs_convert_summary *sum, csfs_error *err)
{
    return run_convert(opt, src, sum, err);
}
