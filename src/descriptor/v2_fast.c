/*
 * csfs_v2_parse's table-driven path (see v2_fast.h).
 *
 * In canonical form every byte of a CSF sits where csfs_v2_format puts it:
 *   line 1, field i: label right-aligned in 5 bytes, '(', electrons in 2, ')'
 *   line 2, field i: 9 spaces, or 3 spaces + ("  " or "v;") + J in 4 bytes;
 *                    the line ends with its last printed J
 *   line 3: 4 spaces; under field i < nf - 1: 9 spaces or 2K in 4 bytes
 *           between 4 spaces and 1; 2 spaces; total J in 4 bytes; parity
 * so a field is decided by whole-word compares and two table lookups:
 *   - the 8 bytes label + '(' + electrons -> peel index, electrons, and the
 *     states GRASP allows for that many electrons in that subshell (one
 *     entry per peel subshell and electron count that validate_record
 *     accepts, so a hit is also a passed label/capacity/electron check);
 *   - the 4 bytes of a J -> 2J, for the J texts format_two_j writes for
 *     2J < CSFS_V2_J4_CACHE.
 * Anything else (another spelling, a value outside the tables, an invalid
 * CSF) makes the path decline, and the general path decides.
 *
 * Consecutive CSFs of a list mostly share line 1 (98 % of gd_19peel_9J,
 * 72 % of a 57-peel list) and often lines 1 and 2 (86 %, 66 %): the
 * previous CSF's line 1 and its looked-up fields are kept, and its line 2
 * with its checked states; an equal line costs one compare per 8 bytes.
 */
#include "descriptor/v2_fast.h"

#include <stdlib.h>
#include <string.h>

#include "common/bytes.h" /* CSFS_HAVE_SSE2 and its intrinsics */
#include "common/error.h"

#define J_SLOTS 1024 /* power of two, > 5x the J texts cached */

/* A canonical line-1 field, already validated as a subshell of the list. */
typedef struct v2_field {
    int32_t peel;
    int32_t occ;
    uint64_t plain; /* bit 2J set: a state printed without seniority is allowed */
    int32_t table;  /* states with seniority: ctx->state_mask[table], or -1: none */
} v2_field;

struct csfs_v2_fast {
    uint64_t *f_key; /* 8 bytes of a canonical field; 0 = empty slot */
    v2_field **f_val;
    size_t f_mask;
    unsigned f_shift;
    v2_field *field;
    uint32_t j_key[J_SLOTS]; /* 4 bytes of a canonical J; 0 = empty slot */
    int32_t j_val[J_SLOTS];
    /* The last line 1 whose fields all passed, and those fields. */
    char *prev_l1;
    size_t prev_n1; /* 0: none */
    const v2_field **prev_f;
    /* The last line 2 whose states all passed under that line 1, and those
     * states (2J, seniority). */
    char *prev_l2;
    size_t prev_n2;
    int l2_ok;           /* 0: prev_l2 does not hold such a line */
    int32_t (*state)[2]; /* per field of line 1; -1, -1 past line 2's end */
};

static inline size_t j_slot(uint32_t key)
{
    return (size_t)((key * 0x9E3779B1u) >> 22) & (J_SLOTS - 1);
}

/* 2J of 4 canonical J bytes, or -1. */
static inline int32_t j_lookup(const struct csfs_v2_fast *F, uint32_t key)
{
    for (size_t h = j_slot(key);; h = (h + 1) & (J_SLOTS - 1)) {
        uint32_t k = F->j_key[h];
        if (k == key) return F->j_val[h];
        if (k == 0) return -1;
    }
}

static inline size_t f_slot(const struct csfs_v2_fast *F, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> F->f_shift) & F->f_mask;
}

static inline const v2_field *f_lookup(const struct csfs_v2_fast *F, uint64_t key)
{
    for (size_t h = f_slot(F, key);; h = (h + 1) & F->f_mask) {
        uint64_t k = F->f_key[h];
        if (k == key) return F->f_val[h];
        if (k == 0) return NULL;
    }
}

/* The states state_check (v2.c) accepts for occ electrons in a subshell of
 * capacity cap, as a bit set over 2J (all < 64) and a seniority table. */
static void allowed_states(const csfs_v2_ctx *ctx, int cap, int occ, v2_field *f)
{
    int sub_two_j = cap - 1;
    int pop = occ < cap - occ ? occ : cap - occ;
    f->plain = 0;
    f->table = -1;
    if (pop == 0) {
        f->plain = 1;
    } else if (pop == 1) {
        f->plain = 1ull << sub_two_j;
    } else if (pop == 2) {
        for (int tj = 0; tj <= 2 * (sub_two_j - 1); tj += 4) f->plain |= 1ull << tj;
    } else {
        f->table = csfs_v2_state_table_index(sub_two_j, pop);
        if (f->table >= 0) f->plain = ctx->state_mask[f->table][0];
    }
}

int csfs_v2_fast_init(csfs_v2_ctx *ctx, csfs_error *err)
{
    size_t n = ctx->n_peel;
    struct csfs_v2_fast *F = calloc(1, sizeof *F);
    if (!F) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    ctx->fast = F;
    size_t entries = 0;
    for (size_t i = 0; i < n; i++)
        if (ctx->display_ok[i]) entries += ctx->capacity[i];
    size_t slots = 16;
    unsigned bits = 4;
    while (slots < 2 * entries) slots *= 2, bits++;
    F->f_key = calloc(slots, sizeof *F->f_key);
    F->f_val = calloc(slots, sizeof *F->f_val);
    F->field = calloc(entries ? entries : 1, sizeof *F->field);
    F->prev_l1 = malloc(9 * (n ? n : 1));
    F->prev_f = calloc(n ? n : 1, sizeof *F->prev_f);
    F->prev_l2 = malloc(9 * (n ? n : 1));
    F->state = calloc(n ? n : 1, sizeof *F->state);
    if (!F->f_key || !F->f_val || !F->field || !F->prev_l1 || !F->prev_f || !F->prev_l2 ||
        !F->state) {
        csfs_v2_fast_free(ctx);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    F->f_mask = slots - 1;
    F->f_shift = 64 - bits;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ctx->display_ok[i]) continue;
        const char *name = ctx->peel->names[i];
        /* The index the general path finds for this label (the last of
         * repeated names), with that subshell's capacity. */
        int32_t k = csfs_peel_lookup(ctx->peel, csfs_name_key_of(name, strlen(name)));
        if (k < 0) continue;
        int cap = ctx->capacity[k];
        for (int occ = 1; occ <= cap && occ <= 99; occ++) {
            char b[8];
            memcpy(b, ctx->display[i], 5);
            b[5] = '(';
            b[6] = occ >= 10 ? (char)('0' + occ / 10) : ' ';
            b[7] = (char)('0' + occ % 10);
            uint64_t key = csfs_load8(b);
            size_t h = f_slot(F, key);
            while (F->f_key[h] && F->f_key[h] != key) h = (h + 1) & F->f_mask;
            if (F->f_key[h]) continue; /* a repeated name: the same entry */
            v2_field *f = &F->field[used++];
            f->peel = k;
            f->occ = occ;
            allowed_states(ctx, cap, occ, f);
            F->f_key[h] = key;
            F->f_val[h] = f;
        }
    }
    for (int32_t v = 0; v < CSFS_V2_J4_CACHE; v++) {
        uint32_t key = ctx->j4[v];
        if (key == 0) continue; /* does not fit 4 bytes */
        size_t h = j_slot(key);
        while (F->j_key[h]) h = (h + 1) & (J_SLOTS - 1);
        F->j_key[h] = key;
        F->j_val[h] = v;
    }
    return 0;
}

void csfs_v2_fast_free(csfs_v2_ctx *ctx)
{
    struct csfs_v2_fast *F = ctx->fast;
    if (!F) return;
    free(F->f_key);
    free(F->f_val);
    free(F->field);
    free(F->prev_l1);
    free(F->prev_f);
    free(F->prev_l2);
    free(F->state);
    free(F);
    ctx->fast = NULL;
}

/* a[0..n) == b[0..n), n >= 8: the differences of whole words or-ed
 * together (the last word overlapping), one test at the end. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
#ifdef CSFS_HAVE_SSE2
    if (n >= 16) {
        __m128i acc = _mm_setzero_si128();
        size_t i = 0;
        for (; i + 16 <= n; i += 16)
            acc = _mm_or_si128(acc, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + i)),
                                                  _mm_loadu_si128((const __m128i *)(b + i))));
        if (i < n)
            acc = _mm_or_si128(acc, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + n - 16)),
                                                  _mm_loadu_si128((const __m128i *)(b + n - 16))));
        return _mm_movemask_epi8(_mm_cmpeq_epi8(acc, _mm_setzero_si128())) == 0xFFFF;
    }
#endif
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) acc |= csfs_load8(a + i) ^ csfs_load8(b + i);
    if (i < n) acc |= csfs_load8(a + n - 8) ^ csfs_load8(b + n - 8);
    return acc == 0;
}

/* Line 1's fields into F->prev_f: 1 when every field is canonical, a
 * subshell of the list with a valid electron count, in peel order. */
static int line1_fields(struct csfs_v2_fast *F, const char *l1, size_t nf)
{
    int32_t prev = -1;
    for (size_t i = 0; i < nf; i++) {
        const char *p = l1 + 9 * i;
        if (p[8] != ')') return 0;
        const v2_field *f = f_lookup(F, csfs_load8(p));
        if (!f || f->peel <= prev) return 0;
        prev = f->peel;
        F->prev_f[i] = f;
    }
    return 1;
}

int csfs_v2_parse_fast(csfs_v2_ctx *ctx, const char *l1, size_t n1, const char *l2, size_t n2,
                       const char *l3, size_t n3, csfs_v2_record *rec)
{
    struct csfs_v2_fast *F = ctx->fast;
    static const char sp4_text[4] = {' ', ' ', ' ', ' '};
    static const char pre_mask_text[4] = {'\xFF', '\xFF', '\xFF', '\0'};
    const uint32_t sp4 = csfs_load4(sp4_text), pre_mask = csfs_load4(pre_mask_text);
    const uint64_t sp8 = (uint64_t)sp4 << 32 | sp4;

    /* Lengths as formatted: line 1 = 9 nf, line 3 = 9 nf + 2, line 2 a
     * whole number of fields up to 9 nf. */
    if (n1 == 0 || n1 % 9 != 0 || n1 > 9 * ctx->n_peel || n3 != n1 + 2 || n2 > n1 || n2 % 9 != 0)
        return 0;
    size_t nf = n1 / 9;
    char pc = l3[n3 - 1];
    if ((pc != '+' && pc != '-') || csfs_load4(l3) != sp4) return 0;
    int32_t total = j_lookup(F, csfs_load4(l3 + n3 - 5));
    if (total < 0) return 0;

    if (n1 != F->prev_n1 || !same_bytes(l1, F->prev_l1, n1)) {
        F->prev_n1 = 0;
        F->l2_ok = 0; /* its states were checked against another line 1 */
        if (!line1_fields(F, l1, nf)) return 0;
        memcpy(F->prev_l1, l1, n1);
        F->prev_n1 = n1;
    }
    const v2_field *const *pf = F->prev_f;
    size_t ns = n2 / 9; /* fields with a line-2 state; the rest print none */
    if (!F->l2_ok || n2 != F->prev_n2 || (n2 && !same_bytes(l2, F->prev_l2, n2))) {
        F->l2_ok = 0;
        for (size_t i = 0; i < ns; i++) {
            const char *st = l2 + 9 * i;
            int32_t two_j = CSFS_V2_MISSING, sen = CSFS_V2_MISSING;
            uint32_t j = csfs_load4(st + 5);
            if (csfs_load4(st) != sp4 || st[4] != ' ' || j != sp4) {
                /* "   " + ("  " | "v;") + J */
                if (((csfs_load4(st) ^ sp4) & pre_mask) != 0) return 0;
                if (st[4] == ';') {
                    unsigned v = (unsigned)(st[3] - '0');
                    if (v > 9) return 0;
                    sen = (int32_t)v;
                } else if (st[3] != ' ' || st[4] != ' ') {
                    return 0;
                }
                two_j = j_lookup(F, j);
                if (two_j < 0 || two_j > 63) return 0;
                const v2_field *f = pf[i];
                uint64_t allowed = sen < 0         ? f->plain
                                   : f->table >= 0 ? ctx->state_mask[f->table][sen + 1]
                                                   : 0;
                if (!((allowed >> two_j) & 1)) return 0;
            } else if (i + 1 == ns) {
                return 0; /* line 2 ends in blanks: not as formatted */
            }
            F->state[i][0] = two_j;
            F->state[i][1] = sen;
        }
        for (size_t i = ns; i < nf; i++) F->state[i][0] = F->state[i][1] = CSFS_V2_MISSING;
        memcpy(F->prev_l2, l2, n2);
        F->prev_n2 = n2;
        F->l2_ok = 1;
    }
    const int32_t(*state)[2] = F->state;
    csfs_v2_sub *sub = rec->sub;
    for (size_t i = 0; i < nf; i++) {
        const v2_field *f = pf[i];
        int32_t two_k = CSFS_V2_MISSING;
        const char *c = l3 + 4 + 9 * i;
        if (i + 1 < nf) {
            /* 4 spaces + (2K in 4 | 4 spaces) + a space */
            uint64_t w = csfs_load8(c);
            if (c[8] != ' ') return 0;
            if (w != sp8) {
                if (csfs_load4(c) != sp4 || i == 0) return 0;
                two_k = j_lookup(F, csfs_load4(c + 4));
                if (two_k < 0) return 0;
            }
        } else if (c[0] != ' ' || c[1] != ' ') {
            return 0;
        }
        csfs_v2_sub *d = &sub[i];
        d->peel = f->peel;
        d->occ = f->occ;
        d->two_j = state[i][0];
        d->seniority = state[i][1];
        d->two_k = two_k;
    }
    rec->nf = nf;
    rec->total_two_j = total;
    rec->parity = pc == '+' ? 1 : -1;
    rec->canonical = 1;
    return 1;
}
