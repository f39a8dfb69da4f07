/*
 * csfs_mix_labels_run: mixing file + CSF list -> label table (Parquet).
 *
 * Two passes over the mixing file. The first reads only B1-B3 of each block
 * (coefficients are skipped) and checks the whole file against the list, so
 * that no output work starts on a file that does not belong to the list, and
 * so that the wide layout knows its columns. The second streams the
 * coefficients block by block, level by level, into row groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "io/outfile.h"
#include "jobs/job.h"
#include "mixing/labels.h"
#include "parquet/pq_writer.h"

#define DEFAULT_ROW_GROUP_ROWS ((int64_t)1 << 20)
/* The wide layout has a column per level: its row groups are cut so the
 * batch stays under this size whatever the number of levels. */
#define WIDE_BATCH_BYTES ((size_t)256 << 20)
#define NARROW_COLUMNS 6

/* One row group being filled: a buffer per column, written when full. */
typedef struct batch {
    size_t ncols, cap, rows;
    const pq_column_def *defs;
    uint8_t **cols;
    pq_chunk *chunks;
    pq_encoder *enc;
    pq_writer *w;
    pq_write_options wopt;
} batch;

typedef struct mix_job {
    const csfs_mix_options *opt;
    csfs_job *job;
    csfs_mix_list own_list;
    const csfs_mix_list *list;
    csfs_mix_levels lv;
    csfs_mix_reader *r;
    csfs_outfile out;
    int out_open;
    pq_column_def *defs;
    size_t ncols;
    char **level_names; /* wide: one per level of lv, file order */
    batch bt;
    double *level, *matrix, *ci2_max; /* per-block scratch */
    int32_t *argmax;
    size_t scratch_ncf, scratch_matrix;
    uint64_t rows;
} mix_job;

static size_t type_width(pq_type t)
{
    return t == PQ_INT32 ? 4 : 8;
}

static int batch_open(batch *b, csfs_outfile *out, const pq_column_def *defs, size_t ncols,
                      size_t cap, const pq_write_options *wopt, csfs_error *err)
{
    b->ncols = ncols;
    b->cap = cap;
    b->defs = defs;
    b->wopt = *wopt;
    b->cols = calloc(ncols, sizeof *b->cols);
    b->chunks = calloc(ncols, sizeof *b->chunks);
    b->enc = pq_encoder_new();
    if (!b->cols || !b->chunks || !b->enc) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t c = 0; c < ncols; c++) {
        b->cols[c] = malloc(cap * type_width(defs[c].type));
        if (!b->cols[c])
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory for a row group of %zu rows", cap);
    }
    return pq_writer_open(&b->w, out, defs, ncols, wopt, err);
}

static int batch_flush(batch *b, csfs_error *err)
{
    if (b->rows == 0) return 0;
    for (size_t c = 0; c < b->ncols; c++) {
        pq_column_values v = {.rows = b->rows, .values = b->cols[c], .stride = 1};
        int rc = pq_encode_chunk(b->enc, &b->defs[c], &b->wopt, &v, &b->chunks[c], err);
        if (rc) return rc;
    }
    int rc = pq_writer_write_row_group(b->w, b->chunks, (int64_t)b->rows, err);
    b->rows = 0;
    return rc;
}

static void batch_free(batch *b)
{
    for (size_t c = 0; b->cols && c < b->ncols; c++) free(b->cols[c]);
    for (size_t c = 0; b->chunks && c < b->ncols; c++) pq_chunk_release(&b->chunks[c]);
    free(b->cols);
    free(b->chunks);
    pq_writer_free(b->w);
    pq_encoder_free(b->enc);
    memset(b, 0, sizeof *b);
}

static int cancelled(const mix_job *j, csfs_error *err)
{
    csfs_job_progress(j->job, j->rows, 0, -1);
    return csfs_job_cancelled(j->job, err);
}

/* ---- columns --------------------------------------------------------------- */

static char *format_name(const char *fmt_base, const char *suffix, int32_t n)
{
    size_t len = strlen(fmt_base) + 24;
    char *s = malloc(len);
    if (s) snprintf(s, len, "%s%s%d", fmt_base, suffix, n);
    return s;
}

/* "J1/2+_L3"; a name already taken (two blocks of the same J^P, or a
 * repeated IVEC) gets the block, then the storage index, appended. */
static int make_level_names(mix_job *j, csfs_error *err)
{
    size_t n = j->lv.n_levels;
    j->level_names = calloc(n ? n : 1, sizeof *j->level_names);
    if (!j->level_names) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const csfs_mix_level *L = &j->lv.levels[i];
        char jt[16], base[48];
        snprintf(base, sizeof base, "J%s%c", csfs_format_j(L->two_j, jt, sizeof jt),
                 L->parity > 0 ? '+' : '-');
        char *name = format_name(base, "_L", L->pos);
        for (int attempt = 0; name && attempt < 2; attempt++) {
            int taken = 0;
            for (size_t p = 0; p < i && !taken; p++) taken = strcmp(j->level_names[p], name) == 0;
            if (!taken) break;
            char *longer =
                format_name(name, attempt == 0 ? "_B" : "_K", attempt == 0 ? L->block : L->k);
            free(name);
            name = longer;
        }
        if (!name) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        j->level_names[i] = name;
    }
    return 0;
}

static int make_columns(mix_job *j, csfs_error *err)
{
    static const pq_column_def narrow[NARROW_COLUMNS] = {
        {"row", PQ_INT64, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"block", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"pos_in_block", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"nlev", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"ci2_max", PQ_DOUBLE, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"level_argmax", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
    };
    static const pq_column_def longform[8] = {
        {"row", PQ_INT64, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"block", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"pos_in_block", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"level", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"level_pos", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"energy", PQ_DOUBLE, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"coefficient", PQ_DOUBLE, PQ_LOGICAL_NONE, PQ_REQUIRED},
        {"ci2", PQ_DOUBLE, PQ_LOGICAL_NONE, PQ_REQUIRED},
    };
    const csfs_mix_layout layout = j->opt->layout;
    if (layout == CSFS_MIX_LONG) {
        j->ncols = 8;
    } else {
        j->ncols = NARROW_COLUMNS + (layout == CSFS_MIX_WIDE ? j->lv.n_levels : 0);
    }
    j->defs = calloc(j->ncols, sizeof *j->defs);
    if (!j->defs) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (layout == CSFS_MIX_LONG) {
        memcpy(j->defs, longform, sizeof longform);
        return 0;
    }
    memcpy(j->defs, narrow, sizeof narrow);
    if (layout != CSFS_MIX_WIDE) return 0;
    int rc = make_level_names(j, err);
    for (size_t i = 0; rc == 0 && i < j->lv.n_levels; i++)
        j->defs[NARROW_COLUMNS + i] =
            (pq_column_def){j->level_names[i], PQ_DOUBLE, PQ_LOGICAL_NONE, PQ_REQUIRED};
    return rc;
}

/* ---- rows ------------------------------------------------------------------- */

static int reserve_scratch(mix_job *j, size_t ncf, size_t matrix, csfs_error *err)
{
    if (ncf > j->scratch_ncf) {
        free(j->level);
        free(j->ci2_max);
        free(j->argmax);
        j->level = malloc(ncf * sizeof *j->level);
        j->ci2_max = malloc(ncf * sizeof *j->ci2_max);
        j->argmax = malloc(ncf * sizeof *j->argmax);
        j->scratch_ncf = ncf;
        if (!j->level || !j->ci2_max || !j->argmax) {
            j->scratch_ncf = 0;
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory for a block of %zu CSFs", ncf);
        }
    }
    if (matrix > j->scratch_matrix) {
        free(j->matrix);
        j->matrix = malloc(matrix * sizeof *j->matrix);
        j->scratch_matrix = j->matrix ? matrix : 0;
        if (!j->matrix)
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory for %zu coefficients of a block",
                             matrix);
    }
    return 0;
}

/* Narrow (and wide) rows of list block b; nev = 0 when it has no levels. */
static int emit_block_rows(mix_job *j, size_t b, int32_t nev, const csfs_mix_block_info *bi,
                           csfs_error *err)
{
    batch *bt = &j->bt;
    size_t len = (size_t)j->list->block_lengths[b];
    uint64_t first = j->list->block_first[b];
    int wide = j->opt->layout == CSFS_MIX_WIDE, coef = j->opt->values == CSFS_MIX_VALUES_COEF;
    for (size_t i0 = 0; i0 < len;) {
        size_t take = bt->cap - bt->rows < len - i0 ? bt->cap - bt->rows : len - i0;
        size_t at = bt->rows;
        int64_t *row = (int64_t *)bt->cols[0] + at;
        int32_t *blk = (int32_t *)bt->cols[1] + at, *pos = (int32_t *)bt->cols[2] + at;
        int32_t *nl = (int32_t *)bt->cols[3] + at, *arg = (int32_t *)bt->cols[5] + at;
        double *ci2 = (double *)bt->cols[4] + at;
        for (size_t t = 0; t < take; t++) {
            size_t i = i0 + t;
            row[t] = (int64_t)(first + i);
            blk[t] = (int32_t)(b + 1);
            pos[t] = (int32_t)(i + 1);
            nl[t] = nev;
            ci2[t] = nev ? j->ci2_max[i] : 0.0;
            arg[t] = nev ? j->argmax[i] : -1;
        }
        for (size_t c = 0; wide && c < j->lv.n_levels; c++) {
            double *col = (double *)bt->cols[NARROW_COLUMNS + c] + at;
            if (!bi || nev == 0 || c < bi->first_level || c >= bi->first_level + (size_t)nev) {
                memset(col, 0, take * sizeof *col);
                continue;
            }
            const double *src = j->matrix + (c - bi->first_level) * len + i0;
            if (coef)
                memcpy(col, src, take * sizeof *col);
            else
                for (size_t t = 0; t < take; t++) col[t] = src[t] * src[t];
        }
        bt->rows += take;
        i0 += take;
        j->rows += take;
        if (bt->rows == bt->cap) {
            int rc = batch_flush(bt, err);
            if (rc) return rc;
        }
    }
    return 0;
}

/* Long rows of one stored block: one level at a time, in file order. */
static int emit_long_rows(mix_job *j, const csfs_mix_block *b, csfs_error *err)
{
    batch *bt = &j->bt;
    size_t ncf = (size_t)b->ncf;
    uint64_t first = j->list->block_first[b->jblock - 1];
    for (int32_t k = 0; k < b->nev; k++) {
        int rc = cancelled(j, err);
        if (rc == 0) rc = csfs_mix_read_level(j->r, j->level, err);
        if (rc) return rc;
        double energy = b->eav + b->eval[k];
        for (size_t i0 = 0; i0 < ncf;) {
            size_t take = bt->cap - bt->rows < ncf - i0 ? bt->cap - bt->rows : ncf - i0;
            size_t at = bt->rows;
            int64_t *row = (int64_t *)bt->cols[0] + at;
            int32_t *blk = (int32_t *)bt->cols[1] + at, *pos = (int32_t *)bt->cols[2] + at;
            int32_t *lev = (int32_t *)bt->cols[3] + at, *lpos = (int32_t *)bt->cols[4] + at;
            double *en = (double *)bt->cols[5] + at, *co = (double *)bt->cols[6] + at;
            double *c2 = (double *)bt->cols[7] + at;
            for (size_t t = 0; t < take; t++) {
                size_t i = i0 + t;
                double c = j->level[i];
                row[t] = (int64_t)(first + i);
                blk[t] = b->jblock;
                pos[t] = (int32_t)(i + 1);
                lev[t] = k + 1;
                lpos[t] = b->ivec[k];
                en[t] = energy;
                co[t] = c;
                c2[t] = c * c;
            }
            bt->rows += take;
            i0 += take;
            j->rows += take;
            if (bt->rows == bt->cap && (rc = batch_flush(bt, err))) return rc;
        }
    }
    return 0;
}

static int one_block(mix_job *j, size_t b, const csfs_mix_block *cur, csfs_error *err)
{
    int32_t nev = cur ? cur->nev : 0;
    size_t len = (size_t)j->list->block_lengths[b];
    const csfs_mix_block_info *bi = cur ? csfs_mix_levels_block(&j->lv, cur->jblock) : NULL;
    if (cur && (!bi || bi->nev != nev || bi->ncf != cur->ncf))
        return csfs_fail(err, CSFS_E_IO, "%s: block %d changed between two reads of the file",
                         j->opt->input, cur->jblock);
    if (j->opt->layout == CSFS_MIX_LONG) {
        if (nev == 0) return 0;
        int rc = reserve_scratch(j, len, 0, err);
        return rc ? rc : emit_long_rows(j, cur, err);
    }
    int wide = j->opt->layout == CSFS_MIX_WIDE;
    if (nev > 0) {
        int rc = reserve_scratch(j, len, wide ? len * (size_t)nev : 0, err);
        if (rc == 0)
            rc = csfs_mix_block_maxima(j->r, cur, j->level, wide ? j->matrix : NULL, j->ci2_max,
                                       j->argmax, err);
        if (rc) return rc;
    }
    return emit_block_rows(j, b, nev, bi, err);
}

static int write_rows(mix_job *j, csfs_error *err)
{
    int rc = csfs_mix_open(j->opt->input, &j->r, err);
    if (rc) return rc;
    const csfs_mix_block *sb = NULL;
    rc = csfs_mix_next_block(j->r, &sb, err);
    for (size_t b = 0; rc >= 0 && b < j->list->n_blocks; b++) {
        const csfs_mix_block *cur = sb && sb->jblock == (int32_t)(b + 1) ? sb : NULL;
        rc = cancelled(j, err);
        if (rc == 0 && cur) rc = csfs_mix_check_block(j->r, cur, j->list, err);
        if (rc == 0) rc = one_block(j, b, cur, err);
        if (rc == 0 && cur) rc = csfs_mix_next_block(j->r, &sb, err);
    }
    if (rc >= 0) rc = batch_flush(&j->bt, err);
    return rc < 0 ? rc : 0;
}

/* ---- the job ------------------------------------------------------------------ */

static int check_options(const csfs_mix_options *opt, csfs_error *err)
{
    if (!opt->input) return csfs_fail(err, CSFS_E_ARGUMENT, "no mixing file given");
    if (!opt->output) return csfs_fail(err, CSFS_E_ARGUMENT, "no output file given");
    if (!opt->csf_list && !opt->list)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "%s: no CSF list given: the labels are rows of the list", opt->input);
    if (opt->layout < CSFS_MIX_NARROW || opt->layout > CSFS_MIX_LONG)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown label layout %d", (int)opt->layout);
    if (csfs_same_file(opt->output, opt->input) ||
        (opt->csf_list && csfs_same_file(opt->output, opt->csf_list)))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite an input",
                         opt->output);
    return 0;
}

static size_t batch_rows(const mix_job *j)
{
    int64_t g = j->opt->row_group_rows > 0 ? j->opt->row_group_rows : DEFAULT_ROW_GROUP_ROWS;
    uint64_t total = j->list->csf_count;
    if (j->opt->layout == CSFS_MIX_LONG) {
        total = 0;
        for (size_t i = 0; i < j->lv.n_blocks; i++)
            total += (uint64_t)j->lv.blocks[i].ncf * (uint64_t)j->lv.blocks[i].nev;
    }
    uint64_t cap = (uint64_t)g < total ? (uint64_t)g : total;
    if (j->opt->layout == CSFS_MIX_WIDE) {
        uint64_t most = WIDE_BATCH_BYTES / (8 * j->ncols);
        if (cap > most) cap = most;
    }
    return cap ? (size_t)cap : 1;
}

static int run_job(mix_job *j, csfs_error *err)
{
    const csfs_mix_options *opt = j->opt;
    int rc = check_options(opt, err);
    if (rc) return rc;
    j->list = opt->list;
    if (!j->list) {
        rc = csfs_mix_list_read(opt->csf_list, &j->own_list, err);
        if (rc) return rc;
        j->list = &j->own_list;
    }
    rc = csfs_mix_levels_read(opt->input, j->list, &j->lv, err);
    if (rc == 0) rc = make_columns(j, err);
    if (rc) return rc;
    rc = csfs_outfile_open(&j->out, opt->output, opt->force, err);
    if (rc) return rc;
    j->out_open = 1;
    pq_write_options wopt = {.codec = (pq_codec)opt->codec, .level = opt->codec_level};
    rc = batch_open(&j->bt, &j->out, j->defs, j->ncols, batch_rows(j), &wopt, err);
    if (rc == 0) rc = write_rows(j, err);
    if (rc) return rc;
    csfs_mix_meta meta;
    rc = csfs_mix_meta_build(opt, &j->lv, j->list,
                             opt->layout == CSFS_MIX_WIDE ? j->level_names : NULL, &meta, err);
    if (rc) return rc;
    pq_kv *kv = malloc(meta.n * sizeof *kv);
    if (!kv) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < meta.n; i++) kv[i] = (pq_kv){meta.keys[i], meta.values[i]};
    if (rc == 0)
        rc = pq_writer_finish(j->bt.w, kv, meta.n, "csfs version " CSFS_VERSION_STRING, err);
    free(kv);
    csfs_mix_meta_free(&meta);
    if (rc == 0) rc = cancelled(j, err);
    if (rc == 0) {
        rc = csfs_outfile_commit(&j->out, err);
        j->out_open = 0;
    }
    return rc;
}

static void close_job(mix_job *j)
{
    batch_free(&j->bt);
    if (j->out_open) csfs_outfile_abort(&j->out);
    csfs_mix_close(j->r);
    for (size_t i = 0; j->level_names && i < j->lv.n_levels; i++) free(j->level_names[i]);
    free(j->level_names);
    csfs_mix_levels_free(&j->lv);
    csfs_mix_list_free(&j->own_list);
    free(j->defs);
    free(j->level);
    free(j->matrix);
    free(j->ci2_max);
    free(j->argmax);
}

int csfs_mix_labels_run(const csfs_mix_options *opt, csfs_mix_summary *summary, csfs_error *err)
{
    csfs_job job = {.cancel = opt->cancel,
                    .report = opt->report,
                    .report_ctx = opt->report_ctx,
                    .progress = opt->progress,
                    .progress_ctx = opt->progress_ctx};
    if (summary) memset(summary, 0, sizeof *summary);
    int rc = csfs_job_begin(&job, opt->input, 0, err);
    if (rc) return rc;
    mix_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    j.job = &job;
    rc = run_job(&j, err);
    if (summary) {
        summary->rows = j.rows;
        summary->columns = j.ncols;
        if (j.list) {
            summary->csf_count = j.list->csf_count;
            summary->list_blocks = j.list->n_blocks;
            summary->jp_checked = j.list->jp_known;
            snprintf(summary->jp_note, sizeof summary->jp_note, "%s", j.list->jp_note);
        }
        summary->stored_blocks = j.lv.n_blocks;
        summary->levels = j.lv.n_levels;
        for (size_t i = 0; i < j.lv.n_blocks; i++)
            summary->coefficients += (uint64_t)j.lv.blocks[i].ncf * (uint64_t)j.lv.blocks[i].nev;
        summary->input_bytes = j.lv.size;
        csfs_job_end(&job, rc, &summary->seconds, err);
    }
    close_job(&j);
    return rc;
}
