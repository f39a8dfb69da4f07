#include "parquet/pq_stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

static int ensure_buffers(pq_chunk *c, csfs_error *err)
{
    /* Sized for the largest statistic ever kept, so they are allocated once. */
    if (!c->min_value) c->min_value = malloc(PQ_STAT_MAX_BYTES);
    if (!c->max_value) c->max_value = malloc(PQ_STAT_MAX_BYTES);
    if (!c->min_value || !c->max_value)
        return csfs_fail(err, CSFS_E_NOMEM, "parquet writer: out of memory");
    return 0;
}

/* Folds a scan's result (mn, mx of type T, in union member F) into acc. */
#define MERGE(T, F)                                                                                \
    do {                                                                                           \
        if (!acc->set) {                                                                           \
            acc->lo.F = mn;                                                                        \
            acc->hi.F = mx;                                                                        \
            acc->set = true;                                                                       \
        } else {                                                                                   \
            if (mn < acc->lo.F) acc->lo.F = mn;                                                    \
            if (mx > acc->hi.F) acc->hi.F = mx;                                                    \
        }                                                                                          \
    } while (0)

/* The generic scan: any stride, null flags; SKIP(x) drops values (NaN). */
#define MINMAX_SCAN(T, F, SKIP)                                                                    \
    do {                                                                                           \
        T mn = 0, mx = 0;                                                                          \
        bool any = false;                                                                          \
        for (size_t i = 0; i < n; i++) {                                                           \
            if (defined && !defined[i]) continue;                                                  \
            T x;                                                                                   \
            memcpy(&x, base + i * step, sizeof x);                                                 \
            if (SKIP(x)) continue;                                                                 \
            if (!any) {                                                                            \
                mn = mx = x;                                                                       \
                any = true;                                                                        \
            } else {                                                                               \
                if (x < mn) mn = x;                                                                \
                if (x > mx) mx = x;                                                                \
            }                                                                                      \
        }                                                                                          \
        if (any) MERGE(T, F);                                                                      \
    } while (0)

/*
 * Dense, all-defined values: the common descriptor case. Four independent
 * lanes of branch-free selects keep the loop free of the generic scan's
 * per-value branches and let the compiler pair them into SIMD.
 * `x < m ? x : m` never picks a NaN, so floats need no NaN test: lanes start
 * at +/-infinity and stay there (mn > mx) if every value is NaN.
 */
#define MINMAX_DENSE(T, F, INIT_MIN, INIT_MAX)                                                     \
    do {                                                                                           \
        const T *p = (const T *)(const void *)base;                                                \
        T l0 = (INIT_MIN), l1 = l0, l2 = l0, l3 = l0;                                              \
        T h0 = (INIT_MAX), h1 = h0, h2 = h0, h3 = h0;                                              \
        size_t i = 0;                                                                              \
        for (; i + 4 <= n; i += 4) {                                                               \
            T x0 = p[i], x1 = p[i + 1], x2 = p[i + 2], x3 = p[i + 3];                              \
            l0 = x0 < l0 ? x0 : l0;                                                                \
            l1 = x1 < l1 ? x1 : l1;                                                                \
            l2 = x2 < l2 ? x2 : l2;                                                                \
            l3 = x3 < l3 ? x3 : l3;                                                                \
            h0 = x0 > h0 ? x0 : h0;                                                                \
            h1 = x1 > h1 ? x1 : h1;                                                                \
            h2 = x2 > h2 ? x2 : h2;                                                                \
            h3 = x3 > h3 ? x3 : h3;                                                                \
        }                                                                                          \
        for (; i < n; i++) {                                                                       \
            l0 = p[i] < l0 ? p[i] : l0;                                                            \
            h0 = p[i] > h0 ? p[i] : h0;                                                            \
        }                                                                                          \
        l0 = l1 < l0 ? l1 : l0;                                                                    \
        l2 = l3 < l2 ? l3 : l2;                                                                    \
        T mn = l2 < l0 ? l2 : l0;                                                                  \
        h0 = h1 > h0 ? h1 : h0;                                                                    \
        h2 = h3 > h2 ? h3 : h2;                                                                    \
        T mx = h2 > h0 ? h2 : h0;                                                                  \
        if (n > 0 && !(mn > mx)) MERGE(T, F);                                                      \
    } while (0)

#define NEVER(x) 0
#define IS_NAN(x) ((x) != (x))

void pq_minmax_add(pq_minmax *acc, pq_type type, pq_logical logical, const uint8_t *base,
                   size_t step, const uint8_t *defined, size_t n)
{
    size_t width = type == PQ_INT32 || type == PQ_FLOAT ? 4 : 8;
    bool unsigned64 = logical == PQ_LOGICAL_UINT64;
    if (!defined && step == width && (uintptr_t)base % width == 0) {
        switch (type) {
        case PQ_INT32:
            MINMAX_DENSE(int32_t, i32, INT32_MAX, INT32_MIN);
            break;
        case PQ_INT64:
            if (unsigned64)
                MINMAX_DENSE(uint64_t, u64, UINT64_MAX, 0);
            else
                MINMAX_DENSE(int64_t, i64, INT64_MAX, INT64_MIN);
            break;
        case PQ_FLOAT:
            MINMAX_DENSE(float, f32, INFINITY, -INFINITY);
            break;
        case PQ_DOUBLE:
            MINMAX_DENSE(double, f64, INFINITY, -INFINITY);
            break;
        default:
            break;
        }
        return;
    }
    switch (type) {
    case PQ_INT32:
        MINMAX_SCAN(int32_t, i32, NEVER);
        break;
    case PQ_INT64:
        if (unsigned64)
            MINMAX_SCAN(uint64_t, u64, NEVER);
        else
            MINMAX_SCAN(int64_t, i64, NEVER);
        break;
    case PQ_FLOAT:
        MINMAX_SCAN(float, f32, IS_NAN);
        break;
    case PQ_DOUBLE:
        MINMAX_SCAN(double, f64, IS_NAN);
        break;
    default:
        break;
    }
}

int pq_minmax_store(const pq_minmax *acc, pq_type type, pq_chunk *c, csfs_error *err)
{
    c->has_minmax = false;
    if (!acc->set) return 0;
    int rc = ensure_buffers(c, err);
    if (rc) return rc;
    pq_minmax m = *acc;
    /* A reader filtering on "x > 0" must not skip a chunk holding -0.0 that it
     * described as min 0.0, hence the widening of zero extremes. */
    if (type == PQ_FLOAT) {
        if (m.lo.f32 == 0) m.lo.f32 = -0.0f;
        if (m.hi.f32 == 0) m.hi.f32 = 0.0f;
    } else if (type == PQ_DOUBLE) {
        if (m.lo.f64 == 0) m.lo.f64 = -0.0;
        if (m.hi.f64 == 0) m.hi.f64 = 0.0;
    }
    /* The union members share their first bytes: little-endian PLAIN as is. */
    size_t width = type == PQ_INT32 || type == PQ_FLOAT ? 4 : 8;
    memcpy(c->min_value, &m.lo, width);
    memcpy(c->max_value, &m.hi, width);
    c->min_len = c->max_len = width;
    c->min_exact = c->max_exact = true;
    c->has_minmax = true;
    return 0;
}

static int cmp_bytes(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    int r = memcmp(a, b, la < lb ? la : lb);
    if (r) return r;
    return (la > lb) - (la < lb);
}

/* Longest prefix of at most PQ_STAT_MAX_BYTES that does not split a UTF-8
 * sequence (for STRING), or exactly PQ_STAT_MAX_BYTES. */
static size_t cut_length(const uint8_t *p, size_t len, bool utf8)
{
    if (len <= PQ_STAT_MAX_BYTES) return len;
    size_t cut = PQ_STAT_MAX_BYTES;
    if (utf8)
        while (cut > 0 && (p[cut] & 0xC0) == 0x80) cut--;
    return cut;
}

/*
 * An upper bound of at most PQ_STAT_MAX_BYTES for a longer max value: a
 * prefix with its last byte incremented. For STRING only an ASCII byte is
 * incremented, so the bound stays valid UTF-8. Returns false when no such
 * byte exists (the caller omits the statistics).
 */
static bool upper_bound(const uint8_t *p, size_t len, bool utf8, uint8_t *out, size_t *out_len)
{
    size_t cut = cut_length(p, len, utf8);
    for (size_t i = cut; i-- > 0;) {
        if (utf8 ? p[i] < 0x7F : p[i] != 0xFF) {
            memcpy(out, p, i);
            out[i] = (uint8_t)(p[i] + 1);
            *out_len = i + 1;
            return true;
        }
    }
    return false;
}

int pq_stats_bytes(pq_chunk *c, pq_logical logical, const uint64_t *offsets, const uint8_t *data,
                   const uint8_t *defined, const uint64_t *rows, size_t n, csfs_error *err)
{
    c->has_minmax = false;
    int rc = ensure_buffers(c, err);
    if (rc) return rc;
    const uint8_t *mn = NULL, *mx = NULL;
    size_t lmn = 0, lmx = 0;
    for (size_t i = 0; i < n; i++) {
        if (defined && !defined[i]) continue;
        uint64_t r = rows ? rows[i] : i;
        const uint8_t *p = data + offsets[r];
        size_t len = (size_t)(offsets[r + 1] - offsets[r]);
        if (!mn) {
            mn = mx = p;
            lmn = lmx = len;
            continue;
        }
        if (cmp_bytes(p, len, mn, lmn) < 0) {
            mn = p;
            lmn = len;
        } else if (cmp_bytes(p, len, mx, lmx) > 0) {
            mx = p;
            lmx = len;
        }
    }
    if (!mn) return 0;
    bool utf8 = logical == PQ_LOGICAL_STRING;
    if (lmx <= PQ_STAT_MAX_BYTES) {
        memcpy(c->max_value, mx, lmx);
        c->max_len = lmx;
        c->max_exact = true;
    } else if (upper_bound(mx, lmx, utf8, c->max_value, &c->max_len)) {
        c->max_exact = false;
    } else {
        return 0;
    }
    c->min_len = cut_length(mn, lmn, utf8);
    memcpy(c->min_value, mn, c->min_len);
    c->min_exact = c->min_len == lmn;
    c->has_minmax = true;
    return 0;
}
