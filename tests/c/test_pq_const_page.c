/*
 * pq_builder_add_const_page (a page column no row wrote, encoded without
 * reading it) must give the bytes pq_builder_add_page gives for the same
 * values: two builders get the same page sequence, one with constant pages
 * materialised, and their chunks must be equal byte for byte, metadata and
 * statistics included -- on dictionary pages, after the dictionary filled
 * up (PLAIN fallback), across row groups, for INT32 and FLOAT, with and
 * without compression. Also the run-end scan of the dictionary encoder:
 * its SSE2 and scalar versions against a plain loop.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_writer.h"
#include "parquet/run_scan.h"
#include "testutil.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Sparse values as a descriptor column holds them: mostly zero, runs, a
 * few distinct small values, sometimes one outside the direct-mapped span. */
static void sparse_values(uint32_t *v, size_t rows, uint32_t distinct)
{
    for (size_t r = 0; r < rows;) {
        size_t run = 1 + rnd() % 40;
        uint32_t x = rnd() % 4 ? 0 : rnd() % distinct;
        if (rnd() % 64 == 0) x = 100000 + rnd() % distinct;
        for (size_t k = 0; k < run && r < rows; k++) v[r++] = x;
    }
}

static void check_same_chunk(const pq_chunk *a, const pq_chunk *b, const char *what)
{
    int same = a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0 &&
               a->num_values == b->num_values && a->uncompressed_size == b->uncompressed_size &&
               a->dictionary_page_offset == b->dictionary_page_offset &&
               a->data_page_offset == b->data_page_offset && a->encodings == b->encodings &&
               a->has_minmax == b->has_minmax && a->data_page_count == b->data_page_count &&
               (!a->has_minmax || (a->min_len == b->min_len && a->max_len == b->max_len &&
                                   memcmp(a->min_value, b->min_value, a->min_len) == 0 &&
                                   memcmp(a->max_value, b->max_value, a->max_len) == 0));
    if (!same) fprintf(stderr, "chunks differ: %s\n", what);
    CHECK(same);
}

typedef struct page_plan {
    int constant;   /* 1: every row `value` */
    uint32_t value; /* bit pattern */
    size_t rows;
    uint32_t distinct; /* values of a mixed page */
} page_plan;

/* Both builders get the plan's pages; row group ends where group_end[i]. */
static void run_plan(pq_type type, pq_codec codec, size_t dict_bytes, const page_plan *plan,
                     size_t n, const int *group_end, const char *what)
{
    pq_column_def col = {"c", type, PQ_LOGICAL_NONE, PQ_REQUIRED};
    pq_write_options opt = {
        .codec = codec, .level = 0, .dictionary = true, .dictionary_bytes = dict_bytes};
    pq_builder *a = NULL, *b = NULL;
    csfs_error err;
    CHECK_EQ_INT(pq_builder_new(&a, &col, &opt, &err), 0);
    CHECK_EQ_INT(pq_builder_new(&b, &col, &opt, &err), 0);
    pq_encoder *enc = pq_encoder_new();
    CHECK(a && b && enc);
    if (!a || !b || !enc) return;
    pq_chunk ca, cb;
    memset(&ca, 0, sizeof ca);
    memset(&cb, 0, sizeof cb);
    for (size_t i = 0; i < n; i++) {
        const page_plan *p = &plan[i];
        uint32_t *v = malloc(p->rows * sizeof *v);
        CHECK(v != NULL);
        if (!v) break;
        if (p->constant)
            for (size_t r = 0; r < p->rows; r++) v[r] = p->value;
        else
            sparse_values(v, p->rows, p->distinct);
        pq_column_values cv = {.rows = p->rows, .values = v, .stride = 1};
        CHECK_EQ_INT(pq_builder_add_page(a, enc, &cv, &err), 0);
        if (p->constant)
            CHECK_EQ_INT(pq_builder_add_const_page(b, enc, p->value, p->rows, &err), 0);
        else
            CHECK_EQ_INT(pq_builder_add_page(b, enc, &cv, &err), 0);
        free(v);
        if (group_end[i]) {
            CHECK_EQ_INT(pq_builder_finish(a, enc, &ca, &err), 0);
            CHECK_EQ_INT(pq_builder_finish(b, enc, &cb, &err), 0);
            check_same_chunk(&ca, &cb, what);
        }
    }
    pq_chunk_release(&ca);
    pq_chunk_release(&cb);
    pq_encoder_free(enc);
    pq_builder_free(a);
    pq_builder_free(b);
}

static void test_const_pages(void)
{
    float half = 0.5f, neg_zero = -0.0f;
    uint32_t half_bits, neg_zero_bits;
    memcpy(&half_bits, &half, 4);
    memcpy(&neg_zero_bits, &neg_zero, 4);
    const uint32_t values[] = {0, 1, 7, 0xFFFFFFFFu, 100000, 0x80000000u, half_bits, neg_zero_bits};
    const size_t row_counts[] = {1, 3, 1024, 11264, 65536};
    const pq_codec codecs[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_ZSTD};
    for (size_t t = 0; t < 2; t++) {
        pq_type type = t ? PQ_FLOAT : PQ_INT32;
        for (size_t ci = 0; ci < 2; ci++)
            for (size_t vi = 0; vi < sizeof values / sizeof values[0]; vi++)
                for (size_t ri = 0; ri < sizeof row_counts / sizeof row_counts[0]; ri++) {
                    size_t rows = row_counts[ri];
                    uint32_t v = values[vi];
                    /* A constant first page (the dictionary starts with it),
                     * mixed pages, the constant again (found, not added),
                     * and another constant (added between mixed pages). */
                    page_plan plan[] = {{1, v, rows, 0},      {0, 0, rows, 20}, {1, v, rows, 0},
                                        {1, v ^ 5u, rows, 0}, {0, 0, rows, 20}, {1, v, rows, 0},
                                        {1, 0, rows, 0}};
                    int ends[] = {0, 0, 0, 1, 0, 0, 1};
                    char what[96];
                    snprintf(what, sizeof what, "type %zu codec %zu value %#x rows %zu", t, ci,
                             (unsigned)v, rows);
                    run_plan(type, codecs[ci], 0, plan, 7, ends, what);
                }
    }
}

/* A dictionary of 8 entries (32 bytes): the mixed pages fill it, so later
 * pages fall back to PLAIN, constant ones included; the next row group
 * starts with a fresh dictionary. */
static void test_full_dictionary(void)
{
    const size_t row_counts[] = {1, 1024, 11264};
    for (size_t ri = 0; ri < sizeof row_counts / sizeof row_counts[0]; ri++) {
        size_t rows = row_counts[ri];
        page_plan plan[] = {
            {1, 3, rows, 0},      /* dictionary page */
            {0, 0, rows, 6},      /* a few more entries, still fits */
            {1, 123456, rows, 0}, /* one more entry */
            {0, 0, 4096, 40},     /* overflows: PLAIN from here */
            {1, 3, rows, 0},      /* known value, but PLAIN now */
            {1, 987654, rows, 0}, /* new value, PLAIN */
            {1, 0, rows, 0},      /* next group: fresh dictionary */
            {0, 0, rows, 3},      {1, 0xFFFFFFFFu, rows, 0},
        };
        int ends[] = {0, 0, 0, 0, 0, 1, 0, 0, 1};
        char what[64];
        snprintf(what, sizeof what, "full dictionary, rows %zu", rows);
        run_plan(PQ_INT32, PQ_CODEC_ZSTD, 32, plan, 9, ends, what);
        run_plan(PQ_FLOAT, PQ_CODEC_UNCOMPRESSED, 32, plan, 9, ends, what);
        /* The very first page overflows a one-entry dictionary. */
        page_plan tiny[] = {{0, 0, rows + 1, 5}, {1, 42, rows, 0}, {1, 42, rows, 0}};
        int tiny_ends[] = {0, 0, 1};
        run_plan(PQ_INT32, PQ_CODEC_UNCOMPRESSED, 4, tiny, 3, tiny_ends, "one-entry dictionary");
    }
}

static size_t run_end_loop(const uint32_t *v, size_t from, size_t rows, uint32_t key)
{
    while (from < rows && v[from] == key) from++;
    return from;
}

static void test_run_end(void)
{
    enum { N = 4096 };
    uint32_t *v = malloc(N * sizeof *v);
    CHECK(v != NULL);
    if (!v) return;
    long bad = 0, checked = 0;
    for (int round = 0; round < 200; round++) {
        sparse_values(v, N, 1 + (uint32_t)round % 7);
        if (round % 3 == 0) /* long runs */
            for (size_t r = 0, len = 0; r < N; r++, len--) {
                if (len == 0) len = 1 + rnd() % 900;
                v[r] = r == 0 || len > 1 ? (r ? v[r - 1] : 0) : v[r - 1] ^ 1u;
            }
        if (round % 5 == 0) v[rnd() % N] = 0xFFFFFFFFu;
        for (int q = 0; q < 200; q++) {
            size_t rows = rnd() % (N + 1), from = rows ? rnd() % rows : 0;
            uint32_t key = rows && rnd() % 4 ? v[from] : rnd() % 3;
            size_t want = run_end_loop(v, from, rows, key);
            const uint8_t *b = (const uint8_t *)v;
            bad += pq_run_end_scalar(b, from, rows, key) != want;
            bad += pq_run_end(b, from, rows, key) != want;
#ifdef CSFS_HAVE_SSE2
            bad += pq_run_end_sse2(b, from, rows, key) != want;
#endif
            checked++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(checked > 0);
    free(v);
}

int main(void)
{
    test_const_pages();
    test_full_dictionary();
    test_run_end();
    return tu_done();
}
