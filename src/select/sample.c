/*
 * csfs_sample_run: uniform rows without replacement. Each range (the whole
 * list, or each block) has its own generator stream, so blocks can be drawn
 * in parallel and the rows never depend on the thread count. A range draws
 * k of its m available rows by Floyd's algorithm (k draws, every k-subset
 * equally likely), or the m - k rows to leave out when k > m / 2; the set is
 * held in a bitmap or a hash set, whichever is smaller (the choice does not
 * change the rows). Excluded rows are removed before drawing: indices into
 * the available rows are mapped back to rows past the excluded ones.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "select/rng.h"
#include "select/rowvec.h"

typedef unsigned long long ull;

void csfs_sample_options_init(csfs_sample_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->fraction = -1;
}

void csfs_sample_result_free(csfs_sample_result *result)
{
    if (!result) return;
    free(result->rows);
    memset(result, 0, sizeof *result);
}

/* ---- a set of indices below m ------------------------------------------------------ */

typedef struct index_set {
    uint64_t *bits;  /* bitmap of m bits, or NULL */
    uint64_t *slots; /* open addressing, EMPTY when free */
    uint64_t mask;
} index_set;

#define EMPTY UINT64_MAX

static int set_init(index_set *s, uint64_t m, uint64_t c, csfs_error *err)
{
    memset(s, 0, sizeof *s);
    uint64_t bitmap_bytes = (m + 63) / 64 * 8;
    uint64_t slots = 16;
    while (slots < 2 * c) slots *= 2;
    if (bitmap_bytes <= slots * 8) {
        s->bits = calloc((size_t)((m + 63) / 64), 8);
        if (!s->bits)
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory drawing %llu rows", (ull)c);
        return 0;
    }
    s->slots = malloc((size_t)slots * sizeof *s->slots);
    if (!s->slots) return csfs_fail(err, CSFS_E_NOMEM, "out of memory drawing %llu rows", (ull)c);
    memset(s->slots, 0xFF, (size_t)slots * sizeof *s->slots);
    s->mask = slots - 1;
    return 0;
}

static void set_free(index_set *s)
{
    free(s->bits);
    free(s->slots);
}

/* Adds x; 0 when it was there already. */
static int set_add(index_set *s, uint64_t x)
{
    if (s->bits) {
        uint64_t w = s->bits[x >> 6], bit = (uint64_t)1 << (x & 63);
        s->bits[x >> 6] = w | bit;
        return !(w & bit);
    }
    uint64_t i = (x * 0x9E3779B97F4A7C15ull) >> 20 & s->mask;
    while (s->slots[i] != EMPTY) {
        if (s->slots[i] == x) return 0;
        i = (i + 1) & s->mask;
    }
    s->slots[i] = x;
    return 1;
}

/* ---- one range --------------------------------------------------------------------- */

typedef struct range_job {
    uint64_t lo, hi;      /* rows */
    const uint64_t *excl; /* sorted excluded rows inside [lo, hi) */
    size_t n_excl;
    uint64_t want;
    uint64_t stream;
    rowvec rows;
    int rc;
    csfs_error err;
} range_job;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Appends the row of available index idx (ascending calls) to r. */
typedef struct mapper {
    const range_job *r;
    size_t e; /* excluded rows passed */
} mapper;

static inline uint64_t map_index(mapper *m, uint64_t idx)
{
    uint64_t row = m->r->lo + idx + m->e;
    while (m->e < m->r->n_excl && m->r->excl[m->e] <= row) {
        m->e++;
        row++;
    }
    return row;
}

static int draw_range(range_job *r, uint64_t seed, const volatile int *cancel)
{
    csfs_error *err = &r->err;
    uint64_t m = r->hi - r->lo - r->n_excl, k = r->want;
    int rc = rowvec_reserve(&r->rows, (size_t)k, err);
    if (rc || k == 0) return rc;
    mapper mp = {r, 0};
    if (k == m) {
        for (uint64_t i = 0; i < m; i++) r->rows.v[r->rows.n++] = map_index(&mp, i);
        return 0;
    }
    int complement = k > m / 2;
    uint64_t c = complement ? m - k : k;
    index_set s;
    rc = set_init(&s, m, c, err);
    if (rc) return rc;
    csfs_rng rng;
    csfs_rng_seed(&rng, seed, r->stream);
    for (uint64_t j = m - c; j < m; j++) { /* Floyd */
        if ((j & 0xFFFFF) == 0 && cancel && *cancel) {
            set_free(&s);
            return csfs_fail(err, CSFS_E_CANCELLED, "cancelled");
        }
        uint64_t t = csfs_rng_below(&rng, j + 1);
        if (!set_add(&s, t)) set_add(&s, j);
    }
    if (s.bits) {
        for (uint64_t w = 0; w < (m + 63) / 64; w++) {
            uint64_t word = complement ? ~s.bits[w] : s.bits[w];
            while (word) {
                uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(word);
                word &= word - 1;
                if (i < m) r->rows.v[r->rows.n++] = map_index(&mp, i);
            }
        }
    } else {
        uint64_t *v = s.slots; /* compact the chosen indices in place, then sort */
        size_t n = 0;
        for (uint64_t i = 0; i <= s.mask; i++)
            if (s.slots[i] != EMPTY) v[n++] = s.slots[i];
        if (n > 1) qsort(v, n, sizeof *v, cmp_u64);
        if (!complement) {
            for (size_t i = 0; i < n; i++) r->rows.v[r->rows.n++] = map_index(&mp, v[i]);
        } else {
            size_t at = 0;
            for (uint64_t i = 0; i < m; i++) {
                if (at < n && v[at] == i) {
                    at++;
                    continue;
                }
                r->rows.v[r->rows.n++] = map_index(&mp, i);
            }
        }
    }
    set_free(&s);
    return 0;
}

/* ---- threads over ranges ----------------------------------------------------------------- */

typedef struct pool {
    range_job *ranges;
    size_t n, next;
    uint64_t seed;
    const volatile int *cancel;
    pthread_mutex_t mu;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->mu);
        if (i == p->n) return NULL;
        p->ranges[i].rc = draw_range(&p->ranges[i], p->seed, p->cancel);
    }
}

static void run_ranges(pool *p, int threads)
{
    if (threads <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c > 0 ? (int)c : 1;
    }
    if ((size_t)threads > p->n) threads = (int)p->n;
    pthread_t tid[64];
    if (threads > 64) threads = 64;
    int started = 0;
    for (; started < threads - 1; started++)
        if (pthread_create(&tid[started], NULL, worker, p) != 0) break;
    worker(p); /* this thread works too; with no helper it does everything */
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
}

/* ---- the job ----------------------------------------------------------------------------------
 */

static size_t lower_bound(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* round(fraction x avail), halves up; two statements so no compiler fuses
 * them into one FMA (which could round differently on another machine). */
static uint64_t fraction_of(double fraction, uint64_t avail)
{
    double product = fraction * (double)avail;
    double rounded = product + 0.5;
    uint64_t n = (uint64_t)rounded;
    return n > avail ? avail : n;
}

int csfs_sample_run(const csfs_sample_options *opt, csfs_sample_result *result, csfs_error *err)
{
    memset(result, 0, sizeof *result);
    csfs_error local;
    if (!err) err = &local;
    double t0 = csfs_now_seconds();
    int use_fraction = opt->fraction >= 0;
    if (opt->fraction == opt->fraction && opt->fraction > 1)
        return csfs_fail(err, CSFS_E_ARGUMENT, "the fraction must be in [0, 1], not %g",
                         opt->fraction);
    if (opt->fraction != opt->fraction)
        return csfs_fail(err, CSFS_E_ARGUMENT, "the fraction is NaN");
    csfs_blocks b = {0};
    int rc;
    if (opt->list)
        rc = csfs_blocks_read(opt->list, &b, err);
    else if (opt->block_lengths)
        rc = csfs_blocks_from_lengths(opt->block_lengths, opt->n_block_lengths, &b, err);
    else
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "no list to sample from");
    if (rc) return rc;
    const char *list_name = opt->list ? opt->list : "the list";

    uint64_t *excl = NULL;
    size_t n_excl = opt->n_exclude;
    if (n_excl) {
        excl = malloc(n_excl * sizeof *excl);
        if (!excl) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n_excl; i++) {
            excl[i] = opt->exclude[i];
            if (excl[i] >= b.csf_count)
                rc = csfs_fail(err, CSFS_E_ARGUMENT,
                               "excluded rows: entry %zu: row %llu is out of range (%s has %llu "
                               "CSFs)",
                               i, (ull)excl[i], list_name, (ull)b.csf_count);
        }
        if (rc == 0) rows_sort_unique(excl, &n_excl);
    }

    size_t n_ranges = opt->per_block ? b.n_blocks : 1;
    range_job *ranges = rc ? NULL : calloc(n_ranges ? n_ranges : 1, sizeof *ranges);
    if (rc == 0 && !ranges) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint64_t available = 0;
    for (size_t i = 0; rc == 0 && i < n_ranges; i++) {
        range_job *r = &ranges[i];
        r->lo = opt->per_block ? b.first[i] : 0;
        r->hi = opt->per_block ? b.first[i + 1] : b.csf_count;
        size_t e0 = lower_bound(excl, n_excl, r->lo), e1 = lower_bound(excl, n_excl, r->hi);
        r->excl = excl ? excl + e0 : NULL;
        r->n_excl = e1 - e0;
        r->stream = i;
        uint64_t avail = r->hi - r->lo - r->n_excl;
        available += avail;
        r->want = use_fraction ? fraction_of(opt->fraction, avail) : opt->n;
        if (r->want > avail) {
            if (!opt->per_block)
                rc = csfs_fail(err, CSFS_E_ARGUMENT,
                               "asked for %llu rows but %s has only %llu to draw from (%llu CSFs, "
                               "%zu excluded)",
                               (ull)r->want, list_name, (ull)avail, (ull)b.csf_count, n_excl);
            r->want = avail;
            result->short_blocks++;
        }
    }
    if (rc == 0 && n_ranges) {
        pool p = {ranges, n_ranges, 0, opt->seed, opt->cancel, PTHREAD_MUTEX_INITIALIZER};
        run_ranges(&p, opt->per_block ? opt->threads : 1);
        for (size_t i = 0; rc == 0 && i < n_ranges; i++)
            if (ranges[i].rc) {
                rc = ranges[i].rc;
                if (err) *err = ranges[i].err;
            }
    }
    rowvec all = {0};
    uint64_t total = 0;
    for (size_t i = 0; rc == 0 && i < n_ranges; i++) total += ranges[i].rows.n;
    if (rc == 0) rc = rowvec_reserve(&all, (size_t)total, err);
    for (size_t i = 0; rc == 0 && i < n_ranges; i++) {
        if (ranges[i].rows.n) memcpy(all.v + all.n, ranges[i].rows.v, ranges[i].rows.n * 8);
        all.n += ranges[i].rows.n;
    }
    for (size_t i = 0; ranges && i < n_ranges; i++) rowvec_free(&ranges[i].rows);
    free(ranges);
    free(excl);
    if (rc == 0) {
        result->rows = all.v;
        result->n_rows = all.n;
        all.v = NULL;
        result->csf_count = b.csf_count;
        result->n_blocks = b.n_blocks;
        result->available = available;
        if (!opt->per_block) result->short_blocks = 0;
        result->seconds = csfs_now_seconds() - t0;
    }
    rowvec_free(&all);
    csfs_blocks_free(&b);
    return rc;
}
