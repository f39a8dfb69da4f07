/*
 * csfs_select_run: scores in, sorted unique rows out. Top-K keeps a bounded
 * heap, threshold keeps what passes, cumulative runs a radix select
 * (cumulative.c); per block, each block's row range is selected on its own.
 * Then the union rows are merged in, and blocks below min_per_block get
 * their best unselected rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/error.h"
#include "select/select_internal.h"

typedef unsigned long long ull;

void csfs_select_options_init(csfs_select_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->scores_type = CSFS_SCORES_F64;
}

void csfs_select_result_free(csfs_select_result *result)
{
    if (!result) return;
    free(result->rows);
    memset(result, 0, sizeof *result);
}

int sel_scan(sel_job *j, uint64_t first, uint64_t count, sel_chunk_fn fn, void *arg,
             csfs_error *err)
{
    j->passes++;
    const csfs_select_options *o = j->opt;
    for (uint64_t done = 0; done < count;) {
        if (o->cancel && *o->cancel) return csfs_fail(err, CSFS_E_CANCELLED, "cancelled");
        size_t n = count - done < SCORE_CHUNK ? (size_t)(count - done) : SCORE_CHUNK;
        int rc = score_source_read(j->src, first + done, n, j->chunk, err);
        if (rc == 0) rc = fn(arg, j->chunk, first + done, n, err);
        if (rc) return rc;
        done += n;
        j->scores_read += n;
        if (o->progress && (j->scores_read & ((SCORE_CHUNK << 4) - 1)) == 0) {
            double now = csfs_now_seconds();
            if (now - j->last_progress >= 0.2) {
                j->last_progress = now;
                csfs_progress p = {j->scores_read, 0, -1, now - j->t0};
                o->progress(o->progress_ctx, &p);
            }
        }
    }
    return 0;
}

/* ---- the modes over one row range ------------------------------------------------- */

typedef struct threshold_pass {
    double t;
    rowvec *out;
    double sum, comp;
} threshold_pass;

static inline void kahan_add(double *s, double *c, double x)
{
    double t = *s + x;
    if (fabs(*s) >= fabs(x))
        *c += (*s - t) + x;
    else
        *c += (x - t) + *s;
    *s = t;
}

static int threshold_piece(void *arg, const double *x, uint64_t row0, size_t n, csfs_error *err)
{
    threshold_pass *p = arg;
    for (size_t i = 0; i < n; i++) {
        if (x[i] >= p->t) {
            kahan_add(&p->sum, &p->comp, x[i]);
            int rc = rowvec_push(p->out, row0 + i, err);
            if (rc) return rc;
        }
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The mode on rows [first, first + count); appends ascending rows to out. */
static int select_range(sel_job *j, topk *t, uint64_t first, uint64_t count, rowvec *out,
                        double *sum, double *total, csfs_error *err)
{
    const csfs_select_options *o = j->opt;
    *sum = *total = 0;
    if (o->mode == CSFS_SELECT_CUMULATIVE)
        return cumulative_range(j, first, count, o->cumulative, out, sum, total, err);
    if (o->mode == CSFS_SELECT_THRESHOLD) {
        threshold_pass p = {o->threshold, out, 0, 0};
        int rc = sel_scan(j, first, count, threshold_piece, &p, err);
        *sum = p.sum + p.comp;
        *total = NAN; /* not needed: not computed */
        return rc;
    }
    int rc = topk_range(j, t, first, count, err);
    if (rc) return rc;
    size_t at = out->n;
    rc = rowvec_reserve(out, t->n, err);
    if (rc) return rc;
    double s = 0, c = 0;
    for (size_t i = 0; i < t->n; i++) {
        out->v[out->n++] = t->heap[i].row;
        kahan_add(&s, &c, t->heap[i].score);
    }
    if (out->n - at > 1) qsort(out->v + at, out->n - at, sizeof *out->v, cmp_u64);
    *sum = s + c;
    *total = NAN; /* not needed: not computed */
    return 0;
}

/* ---- blocks -------------------------------------------------------------------------- */

static int load_blocks(sel_job *j, csfs_blocks *b, csfs_error *err)
{
    const csfs_select_options *o = j->opt;
    const char *name = score_source_name(j->src);
    int rc;
    if (o->blocks_path) {
        rc = csfs_blocks_read(o->blocks_path, b, err);
    } else if (o->block_lengths) {
        rc = csfs_blocks_from_lengths(o->block_lengths, o->n_block_lengths, b, err);
    } else if (score_source_is_parquet(j->src)) {
        rc = csfs_blocks_read(o->scores_path, b, err);
        if (rc && rc != CSFS_E_NOMEM && rc != CSFS_E_CANCELLED) {
            char why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err->message);
            rc = csfs_fail(err, CSFS_E_ARGUMENT,
                           "the blocks are needed (per block, or a minimum per block), but the "
                           "scores do not give them: %s",
                           why);
        }
    } else {
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "%s: the blocks are needed (per block, or a minimum per block), but "
                         "the scores do not give them: give the CSF list they belong to",
                         name);
    }
    if (rc) return rc;
    if (b->csf_count != score_source_rows(j->src)) {
        const char *from = o->blocks_path     ? o->blocks_path
                           : o->block_lengths ? "given by the block lengths"
                                              : "in its csfs.block_lengths metadata";
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s has %llu scores but the list (%s) has %llu CSFs: they do not belong "
                         "together",
                         name, (ull)score_source_rows(j->src), from, (ull)b->csf_count);
    }
    return 0;
}

/* ---- union and the minimum per block --------------------------------------------------- */

static int add_union(sel_job *j, rowvec *sel, uint64_t n_scores, csfs_select_result *res,
                     csfs_error *err)
{
    const csfs_select_options *o = j->opt;
    if (!o->n_union_rows) return 0;
    uint64_t *u = malloc(o->n_union_rows * sizeof *u);
    if (!u) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(u, o->union_rows, o->n_union_rows * sizeof *u);
    int rc = 0;
    for (size_t i = 0; i < o->n_union_rows; i++)
        if (u[i] >= n_scores) {
            rc = csfs_fail(err, CSFS_E_ARGUMENT,
                           "union rows: entry %zu: row %llu is out of range (%s has %llu scores)",
                           i, (ull)u[i], score_source_name(j->src), (ull)n_scores);
            break;
        }
    size_t n = o->n_union_rows;
    if (rc == 0) rows_sort_unique(u, &n);
    if (rc == 0) rc = rowvec_merge(sel, u, n, &res->added_union, err);
    free(u);
    return rc;
}

static int fill_minimum(sel_job *j, const csfs_blocks *b, rowvec *sel, csfs_select_result *res,
                        csfs_error *err)
{
    uint64_t want = j->opt->min_per_block;
    if (want == 0) return 0;
    rowvec add = {0};
    int rc = 0;
    size_t at = 0; /* first selected row of the block */
    for (size_t k = 0; rc == 0 && k < b->n_blocks; k++) {
        uint64_t lo = b->first[k], hi = b->first[k + 1];
        size_t have = 0;
        while (at < sel->n && sel->v[at] < lo) at++;
        while (at + have < sel->n && sel->v[at + have] < hi) have++;
        uint64_t need = want < hi - lo ? want : hi - lo;
        if (have >= need) continue;
        topk t;
        rc = topk_init(&t, (size_t)need, err);
        if (rc == 0) rc = topk_range(j, &t, lo, hi - lo, err);
        /* at most `have` of the block's best `need` are selected: enough remain */
        for (size_t i = 0; rc == 0 && i < t.n && have < need; i++) {
            if (rows_contain(sel->v + at, have, t.heap[i].row)) continue;
            rc = rowvec_push(&add, t.heap[i].row, err);
            have++;
        }
        topk_free(&t);
    }
    if (rc == 0) {
        rows_sort_unique(add.v, &add.n);
        rc = rowvec_merge(sel, add.v, add.n, &res->added_minimum, err);
    }
    rowvec_free(&add);
    return rc;
}

/* ---- the job ------------------------------------------------------------------------------ */

static int check_options(const csfs_select_options *o, csfs_error *err)
{
    if (o->mode == CSFS_SELECT_TOP) return 0;
    if (o->mode == CSFS_SELECT_THRESHOLD) {
        if (isnan(o->threshold)) return csfs_fail(err, CSFS_E_ARGUMENT, "the threshold is NaN");
        return 0;
    }
    if (o->mode == CSFS_SELECT_CUMULATIVE) {
        if (!(o->cumulative >= 0 && o->cumulative <= 1))
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "the cumulative fraction must be in [0, 1], not %g", o->cumulative);
        return 0;
    }
    return csfs_fail(err, CSFS_E_ARGUMENT, "no selection mode (top, threshold or cumulative)");
}

int csfs_select_run(const csfs_select_options *opt, csfs_select_result *result, csfs_error *err)
{
    memset(result, 0, sizeof *result);
    csfs_error local;
    if (!err) err = &local; /* messages are built from earlier ones */
    int rc = check_options(opt, err);
    if (rc) return rc;
    sel_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    j.t0 = j.last_progress = csfs_now_seconds();
    rc = score_source_open(opt, &j.src, err);
    if (rc) return rc;
    uint64_t n_scores = score_source_rows(j.src);
    csfs_blocks blocks = {0};
    int need_blocks = opt->per_block || opt->min_per_block > 0;
    if (need_blocks) rc = load_blocks(&j, &blocks, err);
    rowvec sel = {0};
    topk t = {0};
    j.chunk = rc ? NULL : malloc(SCORE_CHUNK * sizeof *j.chunk);
    if (rc == 0 && !j.chunk) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc == 0 && opt->mode == CSFS_SELECT_TOP) {
        uint64_t k = opt->top;
        uint64_t most = n_scores; /* the heap never needs more than the largest range */
        if (opt->per_block) {
            most = 0;
            for (size_t b = 0; b < blocks.n_blocks; b++)
                if (blocks.first[b + 1] - blocks.first[b] > most)
                    most = blocks.first[b + 1] - blocks.first[b];
        }
        rc = topk_init(&t, (size_t)(k < most ? k : most), err);
    }
    double sum = 0, sum_c = 0, total = 0, total_c = 0;
    size_t ranges = rc ? 0 : opt->per_block ? blocks.n_blocks : 1;
    for (size_t r = 0; rc == 0 && r < ranges; r++) {
        uint64_t lo = opt->per_block ? blocks.first[r] : 0;
        uint64_t hi = opt->per_block ? blocks.first[r + 1] : n_scores;
        double s, tot;
        rc = select_range(&j, &t, lo, hi - lo, &sel, &s, &tot, err);
        kahan_add(&sum, &sum_c, s);
        kahan_add(&total, &total_c, tot);
    }
    if (rc == 0) rc = add_union(&j, &sel, n_scores, result, err);
    if (rc == 0 && need_blocks) rc = fill_minimum(&j, &blocks, &sel, result, err);
    topk_free(&t);
    if (rc == 0) {
        result->rows = sel.v;
        result->n_rows = sel.n;
        sel.v = NULL;
        result->n_scores = n_scores;
        result->n_blocks = need_blocks ? blocks.n_blocks : 0;
        result->score_sum = sum + sum_c;
        result->total_sum = total + total_c;
        result->passes = j.passes;
        result->seconds = csfs_now_seconds() - j.t0;
    }
    rowvec_free(&sel);
    csfs_blocks_free(&blocks);
    free(j.chunk);
    score_source_close(j.src);
    return rc;
}
