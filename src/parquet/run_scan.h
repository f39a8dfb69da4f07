/*
 * Where a run of equal 4-byte values ends: the dictionary encoder's inner
 * loop (pq_builder.c), which cuts descriptor columns into runs. Those columns
 * are mostly zero with scattered small values, so runs are short as often as
 * long: the vector version compares 16 values a step and then finds the
 * exact end 4 at a time. Both versions give the same index; tests call each
 * (tests/c/test_pq_const_page.c).
 */
#ifndef CSFS_PQ_RUN_SCAN_H
#define CSFS_PQ_RUN_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/bytes.h" /* CSFS_HAVE_SSE2 */

/* The first j in [from, rows) with v[j] != key, or rows. */
static inline size_t pq_run_end_scalar(const uint8_t *v, size_t from, size_t rows, uint32_t key)
{
    size_t j = from;
    uint64_t pair = (uint64_t)key << 32 | key;
    for (; j + 2 <= rows; j += 2) {
        uint64_t w;
        memcpy(&w, v + 4 * j, 8);
        if (w != pair) break;
    }
    for (; j < rows; j++) {
        uint32_t x;
        memcpy(&x, v + 4 * j, 4);
        if (x != key) break;
    }
    return j;
}

#ifdef CSFS_HAVE_SSE2
static inline size_t pq_run_end_sse2(const uint8_t *v, size_t from, size_t rows, uint32_t key)
{
    __m128i k = _mm_set1_epi32((int)key);
    size_t j = from;
    for (; j + 16 <= rows; j += 16) {
        const __m128i *p = (const __m128i *)(const void *)(v + 4 * j);
        __m128i a = _mm_cmpeq_epi32(_mm_loadu_si128(p), k);
        __m128i b = _mm_cmpeq_epi32(_mm_loadu_si128(p + 1), k);
        __m128i c = _mm_cmpeq_epi32(_mm_loadu_si128(p + 2), k);
        __m128i d = _mm_cmpeq_epi32(_mm_loadu_si128(p + 3), k);
        if (_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(a, b), _mm_and_si128(c, d))) != 0xFFFF)
            break;
    }
    for (; j + 4 <= rows; j += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(v + 4 * j));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi32(a, k));
        if (m != 0xFFFF) return j + (size_t)__builtin_ctz(~m & 0xFFFF) / 4;
    }
    return pq_run_end_scalar(v, j, rows, key);
}
#endif

static inline size_t pq_run_end(const uint8_t *v, size_t from, size_t rows, uint32_t key)
{
#ifdef CSFS_HAVE_SSE2
    return pq_run_end_sse2(v, from, rows, key);
#else
    return pq_run_end_scalar(v, from, rows, key);
#endif
}

#endif
