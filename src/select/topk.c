/*
 * Top-K in one pass, O(N) expected time and O(K) memory: rows whose score
 * beats the worst kept one go to a buffer of 2K; when it is full, a
 * quickselect keeps the best K and the K-th score becomes the new bar. Only
 * about K ln(N/K) rows ever pass the bar on random data, so the scan is a
 * compare per score. Rows arrive in ascending order, so a later row with a
 * score equal to the bar ranks after the kept one and is not taken.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "select/select_internal.h"

int topk_init(topk *t, size_t k, csfs_error *err)
{
    memset(t, 0, sizeof *t);
    t->k = k;
    if (k == 0) return 0;
    t->cap = k < SIZE_MAX / 2 / sizeof *t->heap ? 2 * k : k + 1;
    if (t->cap < k + 1024) t->cap = k + 1024;
    t->heap = malloc(t->cap * sizeof *t->heap);
    if (!t->heap) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for %zu best rows", k);
    return 0;
}

void topk_free(topk *t)
{
    free(t->heap);
    memset(t, 0, sizeof *t);
}

static inline void swap(scored_row *a, scored_row *b)
{
    scored_row t = *a;
    *a = *b;
    *b = t;
}

static int cmp_rank(const void *a, const void *b)
{
    scored_row x = *(const scored_row *)a, y = *(const scored_row *)b;
    return ranks_after(x, y) ? 1 : ranks_after(y, x) ? -1 : 0;
}

/* Reorders a[0..n) so that a[k-1] is the k-th best and a[0..k-1) the better
 * ones. Median-of-3 quickselect; a deep recursion falls back to sorting. */
static void select_best(scored_row *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n, want = k - 1;
    for (int depth = 0; hi - lo > 16; depth++) {
        if (depth > 100) {
            qsort(a + lo, hi - lo, sizeof *a, cmp_rank);
            return;
        }
        size_t mid = lo + (hi - lo) / 2, last = hi - 1;
        if (ranks_after(a[lo], a[mid])) swap(&a[lo], &a[mid]);
        if (ranks_after(a[mid], a[last])) swap(&a[mid], &a[last]);
        if (ranks_after(a[lo], a[mid])) swap(&a[lo], &a[mid]);
        swap(&a[mid], &a[last]); /* the median is the pivot, at the end */
        scored_row p = a[last];
        size_t store = lo;
        for (size_t i = lo; i < last; i++)
            if (ranks_after(p, a[i])) swap(&a[i], &a[store++]);
        swap(&a[store], &a[last]);
        if (store == want) return;
        if (store > want)
            hi = store;
        else
            lo = store + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) /* insertion sort of the rest */
        for (size_t j = i; j > lo && ranks_after(a[j - 1], a[j]); j--) swap(&a[j], &a[j - 1]);
}

/* Keeps the best k of the buffer; the k-th score becomes the bar. */
static void compact(topk *t)
{
    if (t->n <= t->k) return;
    select_best(t->heap, t->n, t->k);
    t->n = t->k;
    t->full = 1;
    t->bar = t->heap[t->k - 1].score;
}

void topk_offer(topk *t, const double *x, uint64_t row0, size_t n)
{
    if (t->k == 0) return;
    size_t i = 0;
    while (i < n) {
        size_t room = t->cap - t->n;
        scored_row *b = t->heap + t->n;
        size_t got = 0;
        if (!t->full) {
            size_t take = n - i < room ? n - i : room;
            for (; got < take; got++) b[got] = (scored_row){x[i + got], row0 + i + got};
            i += take;
        } else {
            double bar = t->bar;
            for (; i < n && got < room; i++)
                if (x[i] > bar) b[got++] = (scored_row){x[i], row0 + i};
        }
        t->n += got;
        if (t->n == t->cap) compact(t);
    }
}

static int offer_piece(void *arg, const double *x, uint64_t row0, size_t n, csfs_error *err)
{
    topk_offer((topk *)arg, x, row0, n);
    return 0;
}

int topk_range(sel_job *j, topk *t, uint64_t first, uint64_t count, csfs_error *err)
{
    t->n = 0;
    t->full = 0;
    int rc = sel_scan(j, first, count, offer_piece, t, err);
    if (rc == 0) compact(t);
    if (rc == 0 && t->n > 1) qsort(t->heap, t->n, sizeof *t->heap, cmp_rank);
    return rc;
}
