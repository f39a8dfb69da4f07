/*
 * Test-only writer of Fortran sequential unformatted records, the way
 * gfortran writes them (4- or 8-byte markers, either byte order, records
 * split into subrecords of at most max_sub data bytes), to memory or a
 * FILE. It shares no code with the reader in src/mixing/record.c, so reading
 * what it writes checks the reader against an independent statement of the
 * format (GRASP-MIXING.md 2). Used by tests/c/test_mixing.c and
 * bench/bench_mixing.c; header-only because each test is one source file.
 */
#ifndef CSFS_TEST_MIX_WRITER_H
#define CSFS_TEST_MIX_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mixw {
    FILE *f; /* when set, bytes go here; else to mem */
    uint8_t *mem;
    size_t len, cap;
    int marker;        /* 4 or 8 */
    int big;           /* big-endian markers and data */
    size_t max_sub;    /* 0: never split */
    uint64_t rec_left; /* data bytes of the record still to come */
    uint64_t sub_len, sub_left;
    int first_sub;
    int failed;
} mixw;

static inline void mixw_raw(mixw *w, const void *p, size_t n)
{
    if (w->f) {
        if (fwrite(p, 1, n, w->f) != n) w->failed = 1;
        return;
    }
    if (w->len + n > w->cap) {
        size_t c = w->cap ? w->cap : 4096;
        while (c < w->len + n) c *= 2;
        uint8_t *m = realloc(w->mem, c);
        if (!m) {
            w->failed = 1;
            return;
        }
        w->mem = m;
        w->cap = c;
    }
    memcpy(w->mem + w->len, p, n);
    w->len += n;
}

/* Integer v as `width` bytes in the writer's byte order. */
static inline void mixw_uint(mixw *w, uint64_t v, int width)
{
    uint8_t b[8];
    for (int i = 0; i < width; i++) {
        uint8_t byte = (uint8_t)(v >> (8 * i));
        b[w->big ? width - 1 - i : i] = byte;
    }
    mixw_raw(w, b, (size_t)width);
}

static inline void mixw_marker(mixw *w, int64_t v)
{
    mixw_uint(w, (uint64_t)v, w->marker);
}

static inline void mixw_open_sub(mixw *w)
{
    uint64_t take = w->max_sub && w->rec_left > w->max_sub ? w->max_sub : w->rec_left;
    int more = take < w->rec_left;
    mixw_marker(w, more ? -(int64_t)take : (int64_t)take);
    w->sub_len = w->sub_left = take;
    w->rec_left -= take;
}

/* Trailing marker: negative when a subrecord came before this one. */
static inline void mixw_close_sub(mixw *w)
{
    mixw_marker(w, w->first_sub ? (int64_t)w->sub_len : -(int64_t)w->sub_len);
    w->first_sub = 0;
}

static inline void mixw_begin(mixw *w, uint64_t len)
{
    w->rec_left = len;
    w->first_sub = 1;
    mixw_open_sub(w);
}

/* Data bytes already in file order. */
static inline void mixw_data(mixw *w, const void *p, size_t n)
{
    const uint8_t *d = p;
    while (n > 0) {
        if (w->sub_left == 0) {
            mixw_close_sub(w);
            mixw_open_sub(w);
            continue;
        }
        size_t take = w->sub_left < n ? (size_t)w->sub_left : n;
        mixw_raw(w, d, take);
        d += take;
        n -= take;
        w->sub_left -= take;
    }
}

static inline void mixw_i32(mixw *w, const int32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b[4];
        uint32_t u = (uint32_t)v[i];
        for (int k = 0; k < 4; k++) b[w->big ? 3 - k : k] = (uint8_t)(u >> (8 * k));
        mixw_data(w, b, 4);
    }
}

static inline void mixw_f64(mixw *w, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b[8];
        uint64_t u;
        memcpy(&u, &v[i], 8);
        for (int k = 0; k < 8; k++) b[w->big ? 7 - k : k] = (uint8_t)(u >> (8 * k));
        mixw_data(w, b, 8);
    }
}

static inline void mixw_end(mixw *w)
{
    if (w->sub_left != 0 || w->rec_left != 0) w->failed = 1;
    mixw_close_sub(w);
}

/* Whole records of typed values. */
static inline void mixw_record_i32(mixw *w, const int32_t *v, size_t n)
{
    mixw_begin(w, 4 * (uint64_t)n);
    mixw_i32(w, v, n);
    mixw_end(w);
}

static inline void mixw_record_f64(mixw *w, const double *v, size_t n)
{
    mixw_begin(w, 8 * (uint64_t)n);
    mixw_f64(w, v, n);
    mixw_end(w);
}

static inline void mixw_magic(mixw *w)
{
    mixw_begin(w, 6);
    mixw_data(w, "G92MIX", 6);
    mixw_end(w);
}

#endif
