/* Top-K by a bounded heap: O(N log K) time, O(K) memory, one pass. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "select/select_internal.h"

int topk_init(topk *t, size_t k, csfs_error *err)
{
    memset(t, 0, sizeof *t);
    t->k = k;
    if (k == 0) return 0;
    t->heap = malloc(k * sizeof *t->heap);
    if (!t->heap) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for %zu best rows", k);
    return 0;
}

void topk_free(topk *t)
{
    free(t->heap);
    memset(t, 0, sizeof *t);
}

/* Root = the row that ranks last. */
static void sift_up(scored_row *h, size_t i)
{
    scored_row x = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ranks_after(x, h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

static void sift_down(scored_row *h, size_t n, size_t i)
{
    scored_row x = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ranks_after(h[c + 1], h[c])) c++;
        if (!ranks_after(h[c], x)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

void topk_offer(topk *t, const double *x, uint64_t row0, size_t n)
{
    size_t i = 0;
    for (; i < n && t->n < t->k; i++) {
        t->heap[t->n] = (scored_row){x[i], row0 + i};
        sift_up(t->heap, t->n++);
    }
    if (t->n == 0) return;
    /* Full: a later row enters only with a strictly higher score than the
     * worst kept one (on a tie it has the higher row and ranks after). */
    double worst = t->heap[0].score;
    for (; i < n; i++) {
        if (x[i] > worst) {
            t->heap[0] = (scored_row){x[i], row0 + i};
            sift_down(t->heap, t->n, 0);
            worst = t->heap[0].score;
        }
    }
}

static int offer_piece(void *arg, const double *x, uint64_t row0, size_t n, csfs_error *err)
{
    topk_offer((topk *)arg, x, row0, n);
    return 0;
}

static int cmp_rank(const void *a, const void *b)
{
    scored_row x = *(const scored_row *)a, y = *(const scored_row *)b;
    return ranks_after(x, y) ? 1 : ranks_after(y, x) ? -1 : 0;
}

int topk_range(sel_job *j, topk *t, uint64_t first, uint64_t count, csfs_error *err)
{
    t->n = 0;
    int rc = sel_scan(j, first, count, offer_piece, t, err);
    if (rc == 0 && t->n > 1) qsort(t->heap, t->n, sizeof *t->heap, cmp_rank);
    return rc;
}
