/*
 * The selection library against brute force: every mode on adversarial
 * scores (ties everywhere, zeros, denormals, huge values, one value), the
 * cumulative radix select's levels and fallbacks, and the building blocks
 * (.npy headers, row lists, block conversions, the generator).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "io/npy.h"
#include "select/rng.h"
#include "select/rowvec.h"
#include "testutil.h"

static const double *g_scores;

/* The documented order: higher score first, then lower row. */
static int by_rank(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    double sx = g_scores[x], sy = g_scores[y];
    if (sx != sy) return sx > sy ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int ascending(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Brute force over the sorted order; returns the count, rows ascending in out.
 * Sums are exact (long double) for the data given here. */
static size_t brute(const double *s, size_t n, csfs_select_mode mode, double v, uint64_t *out)
{
    uint64_t *o = malloc((n ? n : 1) * sizeof *o);
    for (size_t i = 0; i < n; i++) o[i] = i;
    g_scores = s;
    qsort(o, n, sizeof *o, by_rank);
    size_t k = 0;
    if (mode == CSFS_SELECT_TOP) {
        k = v < (double)n ? (size_t)v : n;
    } else if (mode == CSFS_SELECT_THRESHOLD) {
        while (k < n && s[o[k]] >= v) k++;
    } else {
        long double total = 0, acc = 0; /* exact for the test data */
        for (size_t i = 0; i < n; i++) total += s[i];
        double target = v * (double)total; /* the documented target: a double product */
        if (target > 0)
            while (k < n && acc < target) acc += s[o[k++]];
    }
    memcpy(out, o, k * sizeof *o);
    qsort(out, k, sizeof *out, ascending);
    free(o);
    return k;
}

static int run(const double *s, size_t n, csfs_select_mode mode, double v, csfs_select_result *r)
{
    csfs_select_options o;
    csfs_select_options_init(&o);
    o.scores = s;
    o.n_scores = n;
    o.scores_type = CSFS_SCORES_F64;
    o.mode = mode;
    o.top = (uint64_t)v;
    o.threshold = v;
    o.cumulative = v;
    csfs_error err;
    int rc = csfs_select_run(&o, r, &err);
    if (rc) fprintf(stderr, "select failed: %s\n", err.message);
    return rc;
}

static void compare(const char *what, const double *s, size_t n, csfs_select_mode mode, double v)
{
    uint64_t *want = malloc((n ? n : 1) * sizeof *want);
    size_t k = brute(s, n, mode, v, want);
    csfs_select_result r;
    int rc = run(s, n, mode, v, &r);
    CHECK_EQ_INT(rc, 0);
    int same = rc == 0 && r.n_rows == k && (k == 0 || memcmp(r.rows, want, k * 8) == 0);
    if (!same)
        fprintf(stderr, "%s: mode %d value %g: %zu rows, brute force %zu\n", what, (int)mode, v,
                rc ? 0 : r.n_rows, k);
    CHECK(same);
    csfs_select_result_free(&r);
    free(want);
}

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 11;
}

static void test_adversarial_scores(void)
{
    enum { N = 5000 };
    double *s = malloc(N * sizeof *s);
    uint64_t x = 7;
    const double fractions[] = {0, 1e-300, 0.1, 0.5, 0.9, 0.999999, 1};
    for (int kind = 0; kind < 6; kind++) {
        for (size_t i = 0; i < N; i++) {
            uint64_t u = lcg(&x);
            switch (kind) {
            case 0:
                s[i] = (double)(u % 5);
                break; /* few values, ties */
            case 1:
                s[i] = 0.75;
                break; /* one value */
            case 2:
                s[i] = (u % 3 == 0) ? 0 : ldexp((double)(u % 1000), -1074);
                break; /* denormals */
            case 3:
                s[i] = ldexp((double)(u % 1024), (int)(u % 40) - 20);
                break; /* wide range */
            case 4:
                s[i] = i == 1234 ? 1e30 : (double)(u % 100) / 64;
                break; /* one huge */
            default:
                s[i] = (double)(u % (1u << 20)) / (1u << 20);
                break; /* fine grid */
            }
        }
        char what[32];
        snprintf(what, sizeof what, "kind %d", kind);
        for (size_t f = 0; f < sizeof fractions / sizeof *fractions; f++)
            compare(what, s, N, CSFS_SELECT_CUMULATIVE, fractions[f]);
        const double tops[] = {0, 1, 2, 77, N - 1, N, N + 1};
        for (size_t t = 0; t < sizeof tops / sizeof *tops; t++)
            compare(what, s, N, CSFS_SELECT_TOP, tops[t]);
        compare(what, s, N, CSFS_SELECT_THRESHOLD, s[17]);
        compare(what, s, N, CSFS_SELECT_THRESHOLD, 0);
    }
    compare("empty", s, 0, CSFS_SELECT_CUMULATIVE, 0.5);
    compare("empty", s, 0, CSFS_SELECT_TOP, 3);
    free(s);
}

/* Rounding: plain random doubles. The result must be a prefix of the order
 * whose sum reaches the target while the prefix one shorter does not (to
 * within the rounding of the sums). */
static void test_cumulative_inexact(void)
{
    enum { N = 20000 };
    double *s = malloc(N * sizeof *s);
    uint64_t x = 99;
    for (size_t i = 0; i < N; i++) {
        double u = (double)lcg(&x) / 9007199254740992.0;
        s[i] = u * u * u;
    }
    uint64_t *o = malloc(N * sizeof *o);
    for (size_t i = 0; i < N; i++) o[i] = i;
    g_scores = s;
    qsort(o, N, sizeof *o, by_rank);
    long double total = 0;
    for (size_t i = 0; i < N; i++) total += s[i];
    const double fr[] = {0.01, 0.3, 0.77, 0.95, 1.0};
    for (size_t f = 0; f < 5; f++) {
        csfs_select_result r;
        CHECK_EQ_INT(run(s, N, CSFS_SELECT_CUMULATIVE, fr[f], &r), 0);
        size_t k = r.n_rows;
        uint64_t *prefix = malloc((k ? k : 1) * sizeof *prefix);
        memcpy(prefix, o, k * sizeof *o);
        qsort(prefix, k, sizeof *prefix, ascending);
        CHECK(k > 0 && memcmp(prefix, r.rows, k * 8) == 0);
        long double sum = 0;
        for (size_t i = 0; i + 1 < k; i++) sum += s[o[i]];
        long double target = (long double)fr[f] * total, tol = total * 1e-12L;
        CHECK(sum < target + tol);
        CHECK(sum + s[o[k - 1]] >= target - tol);
        free(prefix);
        csfs_select_result_free(&r);
    }
    free(o);
    free(s);
}

static void test_errors(void)
{
    double s[4] = {1, 2, NAN, 3};
    csfs_select_result r;
    csfs_select_options o;
    csfs_select_options_init(&o);
    o.scores = s;
    o.n_scores = 4;
    o.mode = CSFS_SELECT_TOP;
    o.top = 1;
    csfs_error err;
    CHECK_EQ_INT(csfs_select_run(&o, &r, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "row 2: the score is NaN");
    s[2] = -1;
    o.mode = CSFS_SELECT_CUMULATIVE;
    o.cumulative = 0.5;
    CHECK_EQ_INT(csfs_select_run(&o, &r, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "row 2: the score is -1");
    o.cumulative = 1.5;
    CHECK_EQ_INT(csfs_select_run(&o, &r, &err), CSFS_E_ARGUMENT);
    o.cumulative = 0.5;
    o.per_block = 1; /* no blocks anywhere */
    CHECK_EQ_INT(csfs_select_run(&o, &r, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "blocks are needed");
    volatile int cancel = 1;
    o.per_block = 0;
    o.cancel = &cancel;
    CHECK_EQ_INT(csfs_select_run(&o, &r, NULL), CSFS_E_CANCELLED);
}

static void test_blocks(void)
{
    const uint64_t lengths[] = {3, 0, 4, 0};
    csfs_blocks b;
    csfs_error err;
    CHECK_EQ_INT(csfs_blocks_from_lengths(lengths, 4, &b, &err), 0);
    CHECK_EQ_INT(b.csf_count, 7);
    uint64_t rows[] = {0, 2, 3, 6}, blk[4], pos[4], back[4];
    CHECK_EQ_INT(csfs_rows_to_blocks(&b, rows, 4, blk, pos, &err), 0);
    CHECK(blk[0] == 1 && pos[0] == 1 && blk[1] == 1 && pos[1] == 3);
    CHECK(blk[2] == 3 && pos[2] == 1 && blk[3] == 3 && pos[3] == 4); /* past the empty block */
    CHECK_EQ_INT(csfs_blocks_to_rows(&b, blk, pos, 4, back, &err), 0);
    CHECK(memcmp(back, rows, sizeof rows) == 0);
    uint64_t bad_b[] = {2}, bad_p[] = {1};
    CHECK_EQ_INT(csfs_blocks_to_rows(&b, bad_b, bad_p, 1, back, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "position 1 in block 2 (entry 0) is out of range");
    uint64_t r2[] = {1, 7};
    CHECK_EQ_INT(csfs_rows_to_blocks(&b, r2, 2, blk, pos, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "row 7 (entry 1)");
    CHECK_EQ_INT(csfs_rows_check(7, rows, 4, "r", &err), 0);
    csfs_blocks_free(&b);
}

static void test_building_blocks(void)
{
    /* .npy header: formatted, then parsed back */
    char h[256];
    uint64_t shape[2] = {12345678901ull, 2};
    size_t n = csfs_npy_format_header(h, sizeof h, "<i8", 2, shape, 0);
    CHECK(n > 0 && n % 64 == 0 && h[n - 1] == '\n');
    FILE *f = fmemopen(h, n, "rb");
    csfs_npy_header p;
    csfs_error err;
    CHECK_EQ_INT(csfs_npy_read_header(f, "h", &p, &err), 0);
    fclose(f);
    CHECK(p.kind == 'i' && p.size == 8 && p.ndim == 2 && p.shape[0] == shape[0] &&
          p.shape[1] == 2 && p.data_offset == n && !p.fortran_order);

    /* row lists */
    uint64_t v[] = {9, 3, 3, 1, 9, 0};
    size_t m = 6;
    rows_sort_unique(v, &m);
    CHECK(m == 4 && v[0] == 0 && v[1] == 1 && v[2] == 3 && v[3] == 9);
    rowvec a = {0};
    for (uint64_t i = 0; i < 10; i += 2) rowvec_push(&a, i, &err);
    uint64_t b[] = {1, 2, 3, 10}, added;
    CHECK_EQ_INT(rowvec_merge(&a, b, 4, &added, &err), 0);
    CHECK(added == 3 && a.n == 8 && a.v[1] == 1 && a.v[7] == 10);
    CHECK(rows_contain(a.v, a.n, 3) && !rows_contain(a.v, a.n, 5));
    rowvec_free(&a);

    /* SplitMix64's published first output for state 0 (Vigna's splitmix64.c) */
    uint64_t x = 0;
    CHECK(csfs_splitmix64(&x) == 0xE220A8397B1DCDAFull);
    /* bounded integers stay in range and cover it */
    csfs_rng r;
    csfs_rng_seed(&r, 1, 0);
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint64_t u = csfs_rng_below(&r, 7);
        CHECK(u < 7);
        if (u < 7) seen[u]++;
    }
    for (int i = 0; i < 7; i++) CHECK(seen[i] > 850 && seen[i] < 1150);
}

int main(void)
{
    test_adversarial_scores();
    test_cumulative_inexact();
    test_errors();
    test_blocks();
    test_building_blocks();
    return tu_done();
}
