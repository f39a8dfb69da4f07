/* Subshell state tables (genb.f90 JKVANT/SENIOR/KOPPL) and memoised CSF counts. */
#include "generate/coupling.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define S(j)                                                                                       \
    {                                                                                              \
        j, -1                                                                                      \
    }
static const gen_state st_zero[] = {S(0)};
/* one electron: 2J = 2j; filled in by index below */
static const gen_state st_one[] = {S(1),  S(3),  S(5),  S(7),  S(9), S(11),
                                   S(13), S(15), S(17), S(19), S(21)};
static const gen_state st_j3_2[] = {S(0), S(4)};
static const gen_state st_j5_2[] = {S(0), S(4), S(8)};
static const gen_state st_j5_3[] = {S(5), S(3), S(9)};
static const gen_state st_j7_2[] = {S(0), S(4), S(8), S(12)};
static const gen_state st_j7_3[] = {S(7), S(3), S(5), S(9), S(11), S(15)};
static const gen_state st_j7_4[] = {S(0), {4, 2}, {8, 2}, S(12), {4, 4}, {8, 4}, S(10), S(16)};
static const gen_state st_j9_3[] = {{9, 1}, S(3),  S(5),  S(7),  {9, 3},
                                    S(11),  S(13), S(15), S(17), S(21)};
static const gen_state st_j9_4[] = {{0, 0},  {4, 2}, {8, 2}, {12, 2}, {16, 2}, {0, 4},
                                    {4, 4},  S(6),   {8, 4}, S(10),   {12, 4}, S(14),
                                    {16, 4}, S(18),  S(20),  S(24)};
static const gen_state st_j9_5[] = {{9, 1},  S(3),    {5, 3},  {7, 3},  {9, 3}, {11, 3}, {13, 3},
                                    {15, 3}, {17, 3}, S(21),   S(1),    {5, 5}, {7, 5},  {9, 5},
                                    {11, 5}, {13, 5}, {15, 5}, {17, 5}, S(19),  S(25)};
/* q' = 2 for j >= 9/2: 0, 4, ..., 4j - 2 */
static const gen_state st_two[] = {S(0),  S(4),  S(8),  S(12), S(16), S(20),
                                   S(24), S(28), S(32), S(36), S(40)};
#undef S

int gen_subshell_states(int two_j, int q, const gen_state **states)
{
    int places = two_j + 1;
    if (q < 0 || q > places || two_j < 1 || two_j > 21 || !(two_j & 1)) return 0;
    int qe = q < places - q ? q : places - q;
    if (qe == 0) {
        *states = st_zero;
        return 1;
    }
    if (qe == 1) {
        *states = &st_one[(two_j - 1) / 2];
        return 1;
    }
    switch (two_j) {
    case 3:
        *states = st_j3_2;
        return 2;
    case 5:
        *states = qe == 2 ? st_j5_2 : st_j5_3;
        return 3;
    case 7:
        if (qe == 2) {
            *states = st_j7_2;
            return 4;
        }
        if (qe == 3) {
            *states = st_j7_3;
            return 6;
        }
        *states = st_j7_4;
        return 8;
    case 9:
        if (qe == 3) {
            *states = st_j9_3;
            return 10;
        }
        if (qe == 4) {
            *states = st_j9_4;
            return 16;
        }
        if (qe == 5) {
            *states = st_j9_5;
            return 20;
        }
        break;
    default:
        if (qe > 2) return 0;
    }
    /* qe == 2, j >= 9/2 */
    *states = st_two;
    return (two_j + 1) / 2;
}

int gen_subshell_max_two_j(int two_j, int q)
{
    const gen_state *s;
    int n = gen_subshell_states(two_j, q, &s), mx = 0;
    for (int i = 0; i < n; i++)
        if (s[i].two_j > mx) mx = s[i].two_j;
    return mx;
}

/* ---- memo -------------------------------------------------------------- */

typedef struct memo_entry {
    uint8_t key[24];      /* key[0] = n, then n bytes (2j << 3 | q') sorted */
    const uint64_t *dist; /* in a pool chunk (chunks never move) */
    int32_t max_two_j;
    int used;
} memo_entry;

#define POOL_CHUNK 65536

struct gen_count_memo {
    memo_entry *tab;
    size_t cap, used;
    uint64_t **chunks; /* pool of counts: chunks of POOL_CHUNK values */
    size_t n_chunks, chunk_used;
    uint64_t *tmp_a, *tmp_b;
    size_t tmp_cap;
};

int gen_count_memo_new(gen_count_memo **out, csfs_error *err)
{
    gen_count_memo *m = calloc(1, sizeof *m);
    if (!m) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    m->cap = 1024;
    m->tab = calloc(m->cap, sizeof *m->tab);
    if (!m->tab) {
        free(m);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    *out = m;
    return 0;
}

void gen_count_memo_free(gen_count_memo *m)
{
    if (!m) return;
    free(m->tab);
    for (size_t i = 0; i < m->n_chunks; i++) free(m->chunks[i]);
    free(m->chunks);
    free(m->tmp_a);
    free(m->tmp_b);
    free(m);
}

static uint64_t hash_key(const uint8_t *k)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i <= k[0]; i++) h = (h ^ k[i]) * 1099511628211ull;
    return h;
}

static int memo_grow(gen_count_memo *m, csfs_error *err)
{
    size_t nc = m->cap * 2;
    memo_entry *nt = calloc(nc, sizeof *nt);
    if (!nt) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->tab[i].used) continue;
        size_t h = (size_t)hash_key(m->tab[i].key) & (nc - 1);
        while (nt[h].used) h = (h + 1) & (nc - 1);
        nt[h] = m->tab[i];
    }
    free(m->tab);
    m->tab = nt;
    m->cap = nc;
    return 0;
}

/* Counts of (state choices x coupling chains) per final 2J for the multiset. */
static int compute(gen_count_memo *m, const uint8_t *key, memo_entry *e, csfs_error *err)
{
    int n = key[0];
    int total = 0;
    for (int i = 1; i <= n; i++) total += gen_subshell_max_two_j(key[i] >> 3, key[i] & 7);
    size_t w = (size_t)total + 1;
    if (m->tmp_cap < w) {
        free(m->tmp_a);
        free(m->tmp_b);
        m->tmp_a = malloc(w * sizeof *m->tmp_a);
        m->tmp_b = malloc(w * sizeof *m->tmp_b);
        if (!m->tmp_a || !m->tmp_b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        m->tmp_cap = w;
    }
    uint64_t *a = m->tmp_a, *b = m->tmp_b;
    memset(a, 0, w * sizeof *a);
    a[0] = 1;
    int amax = 0;
    for (int i = 1; i <= n; i++) {
        const gen_state *st;
        int ns = gen_subshell_states(key[i] >> 3, key[i] & 7, &st);
        int bmax = amax + gen_subshell_max_two_j(key[i] >> 3, key[i] & 7);
        memset(b, 0, (size_t)(bmax + 1) * sizeof *b);
        for (int x = 0; x <= amax; x++) {
            if (!a[x]) continue;
            for (int s = 0; s < ns; s++) {
                int j = st[s].two_j;
                int lo = x > j ? x - j : j - x;
                for (int y = lo; y <= x + j; y += 2) b[y] += a[x];
            }
        }
        uint64_t *t = a;
        a = b;
        b = t;
        amax = bmax;
    }
    if (w > POOL_CHUNK)
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "a configuration reaches 2J = %d", amax);
    if (!m->n_chunks || m->chunk_used + w > POOL_CHUNK) {
        uint64_t **nc = realloc(m->chunks, (m->n_chunks + 1) * sizeof *nc);
        if (!nc) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        m->chunks = nc;
        m->chunks[m->n_chunks] = malloc(POOL_CHUNK * sizeof **nc);
        if (!m->chunks[m->n_chunks]) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        m->n_chunks++;
        m->chunk_used = 0;
    }
    uint64_t *dst = m->chunks[m->n_chunks - 1] + m->chunk_used;
    memcpy(dst, a, w * sizeof *a);
    m->chunk_used += w;
    e->dist = dst;
    e->max_two_j = amax;
    return 0;
}

int gen_count_lookup(gen_count_memo *m, const uint8_t *two_j, const uint8_t *q, int n,
                     const uint64_t **dist, int *max_two_j, csfs_error *err)
{
    uint8_t key[24];
    key[0] = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        int places = two_j[i] + 1;
        int qe = q[i] < places - q[i] ? q[i] : places - q[i];
        key[1 + i] = (uint8_t)(two_j[i] << 3 | qe);
    }
    /* insertion sort: n <= 20 */
    for (int i = 2; i <= n; i++) {
        uint8_t v = key[i];
        int k = i - 1;
        while (k >= 1 && key[k] > v) {
            key[k + 1] = key[k];
            k--;
        }
        key[k + 1] = v;
    }
    if ((m->used + 1) * 2 > m->cap) {
        int rc = memo_grow(m, err);
        if (rc) return rc;
    }
    size_t h = (size_t)hash_key(key) & (m->cap - 1);
    while (m->tab[h].used) {
        if (memcmp(m->tab[h].key, key, (size_t)n + 1) == 0) {
            *dist = m->tab[h].dist;
            *max_two_j = m->tab[h].max_two_j;
            return 0;
        }
        h = (h + 1) & (m->cap - 1);
    }
    memo_entry *e = &m->tab[h];
    memcpy(e->key, key, (size_t)n + 1);
    int rc = compute(m, key, e, err);
    if (rc) return rc;
    e->used = 1;
    m->used++;
    *dist = e->dist;
    *max_two_j = e->max_two_j;
    return 0;
}
