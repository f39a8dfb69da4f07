/*
 * Cumulative selection without sorting and without holding the scores: a
 * radix select on the scores' bit patterns (for x >= 0 the IEEE-754 bits of
 * a double order like the values). Pass 0 counts and sums the scores in
 * 65536 bins of the top 16 bits and finds the bin where the running sum,
 * from the highest bin down, reaches the target; each further pass refines
 * that bin by the next 16 bits, and selects the rows of the bins above it,
 * until the boundary is one score value K (at most 4 histogram passes, fewer
 * when a bin holds one value). Only the last pass selects: in row order, every
 * row above the boundary and the rows equal to K until the sum reaches the
 * target, so the rows come out ascending (no sort) into room reserved once
 * from the bins' counts. Memory: 2.6 MB of bins and the selected rows.
 *
 * Sums: bins are compensated (Neumaier) sums of their scores; the running
 * sum adds bins from the highest down. When every partial sum is exact (e.g.
 * float32 scores, whose sums fit a double's 53 bits) the result is exactly
 * the shortest prefix of the order (score descending, row ascending) with
 * sum >= fraction x total. If rounding ever keeps a refined running sum from
 * reaching the target, the whole boundary bin is taken (never fewer rows).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "select/select_internal.h"

#define BINS 65536

typedef unsigned long long ull;

typedef struct cbin {
    uint64_t count;
    double sum, comp;
    uint64_t kmin, kmax;
} cbin;

typedef struct cum_pass {
    int level; /* 0: all rows; M >= 1: candidates have key >> (64 - 16M) == prefix */
    int final; /* candidates all have one key: take them in row order up to the target */
    uint64_t prefix;
    cbin *bins;
    rowvec *out; /* rows are appended here, pass after pass */
    double emitted_sum, emitted_comp;
    double acc, target; /* final pass */
    const char *name;
} cum_pass;

static inline void neumaier(double *s, double *c, double x)
{
    double t = *s + x;
    if (*s >= x) /* both >= 0 */
        *c += (*s - t) + x;
    else
        *c += (x - t) + *s;
    *s = t;
}

static inline uint64_t key_of(double x)
{
    uint64_t k;
    memcpy(&k, &x, 8);
    return x == 0 ? 0 : k; /* -0.0 is 0 */
}

static inline void bin_add(cbin *b, uint64_t k, double x)
{
    if (b->count == 0 || k < b->kmin) b->kmin = k;
    if (b->count == 0 || k > b->kmax) b->kmax = k;
    b->count++;
    neumaier(&b->sum, &b->comp, x);
}

static int emit(cum_pass *p, uint64_t row, double x, csfs_error *err)
{
    neumaier(&p->emitted_sum, &p->emitted_comp, x);
    return rowvec_push(p->out, row, err);
}

static int cum_piece(void *arg, const double *x, uint64_t row0, size_t n, csfs_error *err)
{
    cum_pass *p = arg;
    int rc = 0;
    if (p->level == 0) {
        for (size_t i = 0; i < n; i++) {
            if (x[i] < 0)
                return csfs_fail(err, CSFS_E_FORMAT,
                                 "%s: row %llu: the score is %g; a cumulative selection needs "
                                 "scores >= 0",
                                 p->name, (ull)(row0 + i), x[i]);
            uint64_t k = key_of(x[i]);
            bin_add(&p->bins[k >> 48], k, x[i]);
        }
        return 0;
    }
    int shift = 64 - 16 * p->level;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint64_t k = key_of(x[i]);
        uint64_t hi = k >> shift;
        if (!p->final) {
            if (hi == p->prefix) bin_add(&p->bins[(k >> (shift - 16)) & 0xFFFF], k, x[i]);
        } else if (hi > p->prefix) {
            /* above the boundary at this level, so above it at every level */
            rc = emit(p, row0 + i, x[i], err);
        } else if (hi == p->prefix && p->acc < p->target) {
            p->acc += x[i];
            rc = emit(p, row0 + i, x[i], err);
        }
    }
    return rc;
}

/* The bin where acc + running sum (highest bin first) reaches target; acc
 * becomes the sum of the bins above it. Not reached (rounding): the lowest
 * non-empty bin. -1 when every bin is empty. */
static long boundary_bin(const cbin *bins, double *acc, uint64_t *above, double target)
{
    long last = -1;
    double before_last = *acc;
    uint64_t above_last = *above;
    for (long b = BINS - 1; b >= 0; b--) {
        if (!bins[b].count) continue;
        double t = *acc + (bins[b].sum + bins[b].comp);
        if (t >= target) return b;
        before_last = *acc;
        above_last = *above;
        last = b;
        *acc = t;
        *above += bins[b].count;
    }
    *acc = before_last;
    *above = above_last;
    return last;
}

int cumulative_range(sel_job *j, uint64_t first, uint64_t count, double fraction, rowvec *out,
                     double *selected_sum, double *total_sum, csfs_error *err)
{
    *selected_sum = 0;
    *total_sum = 0;
    cum_pass p;
    memset(&p, 0, sizeof p);
    p.name = score_source_name(j->src);
    p.bins = calloc(BINS, sizeof *p.bins);
    p.out = out;
    if (!p.bins) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = sel_scan(j, first, count, cum_piece, &p, err);
    double total = 0;
    for (long b = BINS - 1; rc == 0 && b >= 0; b--)
        if (p.bins[b].count) total = total + (p.bins[b].sum + p.bins[b].comp);
    *total_sum = total;
    double target = fraction * total, acc = 0;
    uint64_t above = 0;                 /* rows above the boundary bin */
    if (rc || !(target > 0)) goto done; /* nothing to reach: nothing selected */

    long b = boundary_bin(p.bins, &acc, &above, target);
    p.prefix = (uint64_t)b;
    for (int level = 1; rc == 0; level++) {
        cbin chosen = p.bins[b];
        p.level = level;
        p.final = level == 4 || chosen.kmin == chosen.kmax;
        if (p.final) {
            p.acc = acc;
            p.target = target;
            /* the rows above, and at most the boundary bin's: room at once */
            if (above + chosen.count > SIZE_MAX / 8) {
                rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory for the selected rows");
                break;
            }
            rc = rowvec_reserve(out, (size_t)(above + chosen.count), err);
            if (rc) break;
        } else {
            memset(p.bins, 0, BINS * sizeof *p.bins);
        }
        rc = sel_scan(j, first, count, cum_piece, &p, err);
        if (rc || p.final) break;
        b = boundary_bin(p.bins, &acc, &above, target);
        p.prefix = p.prefix << 16 | (uint64_t)b;
    }
    if (rc == 0) *selected_sum = p.emitted_sum + p.emitted_comp; /* rows ascending */
done:
    free(p.bins);
    return rc;
}
