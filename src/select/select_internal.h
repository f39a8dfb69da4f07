/*
 * What the selection modes share: the job (options, the score source, the
 * read buffer, progress and cancel) and scanning a row range of the scores
 * in pieces. The order of every mode: higher score first, equal scores by
 * lower row first.
 */
#ifndef CSFS_SELECT_INTERNAL_H
#define CSFS_SELECT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "select/rowvec.h"
#include "select/scores.h"

typedef struct sel_job {
    const csfs_select_options *opt;
    score_source *src;
    double *chunk; /* SCORE_CHUNK scores */
    uint64_t scores_read;
    uint64_t passes;
    double t0, last_progress;
} sel_job;

/* Called for each piece: x[i] is the score of row row0 + i. */
typedef int (*sel_chunk_fn)(void *arg, const double *x, uint64_t row0, size_t n, csfs_error *err);

/* Reads rows [first, first + count) in order, piece by piece. */
int sel_scan(sel_job *j, uint64_t first, uint64_t count, sel_chunk_fn fn, void *arg,
             csfs_error *err);

/* A row with its score; `a` ranks after `b` when it comes later in the order. */
typedef struct scored_row {
    double score;
    uint64_t row;
} scored_row;

static inline int ranks_after(scored_row a, scored_row b)
{
    return a.score < b.score || (a.score == b.score && a.row > b.row);
}

/* The best k rows of a range (topk.c): a buffer of 2k candidates, cut back
 * to the best k when full. Rows must be offered in ascending order (a later
 * row never wins a tie). */
typedef struct topk {
    scored_row *heap; /* the buffer; after topk_range, the best rows, best first */
    size_t n, k, cap;
    int full;   /* k rows kept: only scores above the bar can enter */
    double bar; /* the k-th best score so far */
} topk;

int topk_init(topk *t, size_t k, csfs_error *err);
void topk_free(topk *t);
/* Offers a piece of scores (rows row0 ...). */
void topk_offer(topk *t, const double *x, uint64_t row0, size_t n);
/* The best rows of [first, first + count), best first, in t->heap[0..t->n). */
int topk_range(sel_job *j, topk *t, uint64_t first, uint64_t count, csfs_error *err);

/* Cumulative selection of [first, first + count): the shortest prefix of the
 * order whose sum reaches fraction x the range's sum; appends the rows in
 * ascending order to out. */
int cumulative_range(sel_job *j, uint64_t first, uint64_t count, double fraction, rowvec *out,
                     double *selected_sum, double *total_sum, csfs_error *err);

#endif
