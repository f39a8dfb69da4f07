/* Row lists: growth, an LSD radix sort (selections reach 10^8 rows and more),
 * merging and membership. */
#include "select/rowvec.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

int rowvec_reserve(rowvec *r, size_t extra, csfs_error *err)
{
    if (r->cap - r->n >= extra) return 0;
    size_t cap = r->cap ? r->cap : 1024;
    while (cap - r->n < extra) {
        if (cap > SIZE_MAX / 2 / sizeof *r->v)
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory for the selected rows");
        cap *= 2;
    }
    uint64_t *v = realloc(r->v, cap * sizeof *v);
    if (!v) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for the selected rows");
    r->v = v;
    r->cap = cap;
    return 0;
}

void rowvec_free(rowvec *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Radix sort by 16-bit digits, skipping digits where every key agrees. */
static int radix_sort(uint64_t *v, size_t n)
{
    uint64_t *tmp = malloc(n * sizeof *tmp);
    size_t *count = malloc(65536 * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return -1;
    }
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        all_or |= v[i];
        all_and &= v[i];
    }
    uint64_t *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        if ((((all_or ^ all_and) >> shift) & 0xFFFF) == 0) continue;
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xFFFF]++;
        size_t at = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xFFFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(tmp);
    free(count);
    return 0;
}

void rows_sort_unique(uint64_t *v, size_t *n)
{
    size_t m = *n;
    int sorted = 1;
    for (size_t i = 1; i < m && sorted; i++) sorted = v[i - 1] <= v[i];
    if (!sorted && (m < 4096 || radix_sort(v, m) != 0)) qsort(v, m, sizeof *v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || v[i] != v[u - 1]) v[u++] = v[i];
    *n = u;
}

int rowvec_merge(rowvec *a, const uint64_t *b, size_t nb, uint64_t *added, csfs_error *err)
{
    if (added) *added = 0;
    if (nb == 0) return 0;
    size_t cap = a->n + nb;
    uint64_t *out = malloc(cap * sizeof *out);
    if (!out) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for the selected rows");
    size_t i = 0, j = 0, o = 0;
    uint64_t brought = 0;
    while (i < a->n || j < nb) {
        if (j == nb || (i < a->n && a->v[i] < b[j])) {
            out[o++] = a->v[i++];
        } else if (i == a->n || b[j] < a->v[i]) {
            out[o++] = b[j++];
            brought++;
        } else {
            out[o++] = a->v[i++];
            j++;
        }
    }
    free(a->v);
    a->v = out;
    a->n = o;
    a->cap = cap;
    if (added) *added = brought;
    return 0;
}

int rows_contain(const uint64_t *v, size_t n, uint64_t row)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == row;
}
