/*
 * csfs_v2_parse's table-driven path (src/descriptor/v2_fast.c) against its
 * general path (ctx.general_only = 1), which the V2 goldens pin down:
 *   - every CSF of the real lists in shared/data/grasp, unchanged and with
 *     random edits (in sequence, so that the fast path's reused line 1 is met
 *     both with the same and with changed lines 2 and 3): the same status,
 *     record, canonical flag and failure text;
 *   - random records over each list's peel list (any subshells, electrons,
 *     states, seniorities, couplings, total J; valid or not) as
 *     csfs_v2_format prints them: the same again;
 *   - the fast path takes every canonical CSF whose values its tables hold
 *     (states 2J < 64, couplings and total 2J < 256) and declines the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor/v2.h"
#include "descriptor/v2_fast.h"
#include "grasp/csf_text.h"
#include "grasp/peel.h"
#include "testutil.h"

static const char *lists[] = {"c_like_n3_2x", "fe_3d6_4s2",           "li_like_gh_2x",
                              "nd3_4f3_1x",   "nd_4f4_6s2_seniority", "rcsfs_sample"};

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

typedef struct both {
    csfs_v2_ctx fast, general, direct; /* direct: csfs_v2_parse_fast alone */
    csfs_v2_record a, b, c;
} both;

static size_t n_compared, n_differ, n_fast, n_fast_wrong, n_in_tables, n_in_tables_missed;

/* Whether a canonical record's values all lie in the fast path's tables. */
static int in_tables(const csfs_v2_record *r)
{
    if (r->total_two_j >= CSFS_V2_J4_CACHE) return 0;
    for (size_t k = 0; k < r->nf; k++)
        if (r->sub[k].two_j > 63 || r->sub[k].two_k >= CSFS_V2_J4_CACHE) return 0;
    return 1;
}

static int same_record(const csfs_v2_record *x, const csfs_v2_record *y)
{
    return x->nf == y->nf && x->total_two_j == y->total_two_j && x->parity == y->parity &&
           x->canonical == y->canonical && memcmp(x->sub, y->sub, x->nf * sizeof *x->sub) == 0;
}

static void show(const char *what, const char *l1, size_t n1, const char *l2, size_t n2,
                 const char *l3, size_t n3)
{
    fprintf(stderr, "%s:\n[%.*s]\n[%.*s]\n[%.*s]\n", what, (int)n1, l1, (int)n2, l2, (int)n3, l3);
}

/* Parses one CSF both ways (and by the fast path alone) and compares. */
static void compare(both *t, const char *l1, size_t n1, const char *l2, size_t n2, const char *l3,
                    size_t n3)
{
    csfs_v2_failure wa, wb;
    memset(&wa, 0, sizeof wa);
    memset(&wb, 0, sizeof wb);
    int ra = csfs_v2_parse(&t->fast, l1, n1, l2, n2, l3, n3, &t->a, &wa);
    int rb = csfs_v2_parse(&t->general, l1, n1, l2, n2, l3, n3, &t->b, &wb);
    n_compared++;
    int same = ra == rb && (ra ? wa.kind == wb.kind && wa.field == wb.field && wa.peel == wb.peel &&
                                     wa.column == wb.column && strcmp(wa.reason, wb.reason) == 0
                               : same_record(&t->a, &t->b));
    if (!same) {
        if (n_differ++ < 3) show("fast and general paths differ", l1, n1, l2, n2, l3, n3);
        return;
    }
    int took = csfs_v2_parse_fast(&t->direct, l1, n1, l2, n2, l3, n3, &t->c);
    n_fast += took;
    if (took && (rb || !same_record(&t->c, &t->b))) {
        if (n_fast_wrong++ < 3) show("fast path took a CSF wrongly", l1, n1, l2, n2, l3, n3);
    }
    if (rb == 0 && t->b.canonical && in_tables(&t->b)) {
        n_in_tables++;
        if (!took && n_in_tables_missed++ < 3)
            show("fast path declined a canonical CSF", l1, n1, l2, n2, l3, n3);
    }
}

static int both_init(both *t, const csfs_peel *peel)
{
    csfs_error err;
    size_t m = csfs_peel_count(peel);
    if (csfs_v2_ctx_init(&t->fast, peel, &err) || csfs_v2_ctx_init(&t->general, peel, &err) ||
        csfs_v2_ctx_init(&t->direct, peel, &err) || csfs_v2_record_init(&t->a, m, &err) ||
        csfs_v2_record_init(&t->b, m, &err) || csfs_v2_record_init(&t->c, m, &err))
        return -1;
    t->general.general_only = 1;
    return 0;
}

static void both_free(both *t)
{
    csfs_v2_ctx_free(&t->fast);
    csfs_v2_ctx_free(&t->general);
    csfs_v2_ctx_free(&t->direct);
    csfs_v2_record_free(&t->a);
    csfs_v2_record_free(&t->b);
    csfs_v2_record_free(&t->c);
}

/* One random edit that keeps the field grid most of the time: replace a
 * byte (by one the fast path's tables care about), else insert, delete or
 * append one. */
static void edit(char *line, size_t *len, size_t cap)
{
    static const char alphabet[] = " 0123456789/+-;()x*\t2 ";
    char ch = alphabet[rnd() % (sizeof alphabet - 1)];
    size_t n = *len;
    unsigned what = rnd() % 8;
    if (what < 5 && n) {
        line[rnd() % n] = ch;
    } else if (what == 5 && n < cap) {
        size_t at = rnd() % (n + 1);
        memmove(line + at + 1, line + at, n - at);
        line[at] = ch;
        (*len)++;
    } else if (what == 6 && n) {
        size_t at = rnd() % n;
        memmove(line + at, line + at + 1, n - at - 1);
        (*len)--;
    } else if (n < cap) {
        line[(*len)++] = ch;
    }
}

enum { CAP = 600 };

static void test_list_text(const char *name, both *t, csfs_text_reader *r)
{
    csfs_error err;
    csfs_buf chunk = {0};
    csfs_chunk_scan scan = {0};
    char lines[3][CAP];
    size_t records = 0;
    while (csfs_text_next_chunk(r, &chunk, &err) == 0 && chunk.len) {
        if (csfs_scan_chunk(chunk.data, chunk.len, csfs_text_at_end(r), &scan, &err)) {
            CHECK(0);
            break;
        }
        for (size_t i = 0; i < scan.n_rec; i++, records++) {
            const csfs_record *sr = &scan.rec[i];
            const char *l[3];
            size_t n[3];
            for (int k = 0; k < 3; k++) l[k] = chunk.data + sr->off[k], n[k] = sr->len[k];
            compare(t, l[0], n[0], l[1], n[1], l[2], n[2]);
            /* Edits after the unchanged CSF: line 1 is often the one the
             * fast path keeps from the CSF before. */
            for (int rep = 0; rep < 4; rep++) {
                size_t len[3];
                for (int k = 0; k < 3; k++) {
                    len[k] = n[k] < CAP - 8 ? n[k] : CAP - 8;
                    memcpy(lines[k], l[k], len[k]);
                }
                int edits = 1 + (int)(rnd() % 2);
                for (int e = 0; e < edits; e++) {
                    int k = (int)(rnd() % 3);
                    edit(lines[k], &len[k], CAP - 8);
                }
                compare(t, lines[0], len[0], lines[1], len[1], lines[2], len[2]);
            }
        }
    }
    printf("%-22s %6zu CSFs compared with 4 edits each\n", name, records);
    csfs_buf_free(&chunk);
    csfs_chunk_scan_free(&scan);
}

/* Random records over the peel list, printed as csfs_v2_format prints them
 * (whether or not they are valid), then parsed both ways. */
static void test_list_random(both *t, size_t m, size_t count)
{
    csfs_error err;
    csfs_v2_record rec;
    if (csfs_v2_record_init(&rec, m, &err)) {
        CHECK(0);
        return;
    }
    csfs_buf text = {0};
    size_t printed = 0;
    for (size_t n = 0; n < count; n++) {
        rec.nf = 0;
        size_t want = 1 + rnd() % (m < 8 ? m : 8);
        for (size_t i = 0; i < m && rec.nf < want; i++) {
            if (rnd() % (m + 1) > 2 * want) continue;
            csfs_v2_sub *s = &rec.sub[rec.nf++];
            int cap = t->fast.capacity[i] ? t->fast.capacity[i] : 2;
            s->peel = (int32_t)i;
            s->occ = (int32_t)(rnd() % 4 == 0 ? rnd() % 12 : 1 + rnd() % (unsigned)cap);
            unsigned kind = rnd() % 4;
            s->two_j = kind == 0 ? CSFS_V2_MISSING : (int32_t)(rnd() % (kind == 1 ? 70 : 26));
            s->seniority = s->two_j >= 0 && rnd() % 3 == 0 ? (int32_t)(rnd() % 10) : -1;
            csfs_v2_state st[32];
            size_t ns;
            if (kind == 3 && csfs_v2_subshell_states(cap - 1, s->occ, st, 32, &ns) == 0 && ns) {
                /* half of the printed states are ones GRASP allows */
                const csfs_v2_state *pick = &st[rnd() % (ns < 32 ? ns : 32)];
                s->two_j = pick->two_j;
                s->seniority = pick->seniority;
            }
            s->two_k = rnd() % 2 ? CSFS_V2_MISSING : (int32_t)(rnd() % (rnd() % 8 ? 40 : 300));
        }
        if (rec.nf == 0) continue;
        /* Couplings mostly between the first and the last, as printed. */
        if (rnd() % 8) rec.sub[0].two_k = CSFS_V2_MISSING;
        if (rnd() % 8) rec.sub[rec.nf - 1].two_k = CSFS_V2_MISSING;
        rec.total_two_j = (int32_t)(rnd() % (rnd() % 8 ? 40 : 400));
        rec.parity = rnd() % 2 ? 1 : -1;
        text.len = 0;
        csfs_v2_failure why;
        if (csfs_v2_format(&t->fast, &rec, &text, &why)) continue;
        printed++;
        const char *f1 = text.data, *e1 = memchr(f1, '\n', text.len);
        const char *f2 = e1 + 1, *e2 = memchr(f2, '\n', text.len - (size_t)(f2 - f1));
        const char *f3 = e2 + 1;
        size_t n3 = text.len - (size_t)(f3 - f1) - 1;
        compare(t, f1, (size_t)(e1 - f1), f2, (size_t)(e2 - f2), f3, n3);
    }
    CHECK(printed > count / 2);
    csfs_buf_free(&text);
    csfs_v2_record_free(&rec);
}

static void test_list(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/grasp/%s.c", name);
    const char *path = tu_data(rel);
    if (!path) return;
    csfs_error err;
    csfs_text_reader *r;
    if (csfs_text_open(path, 4096, &r, &err)) {
        CHECK(0);
        return;
    }
    const csfs_header *h = csfs_text_header(r);
    csfs_peel *peel;
    CHECK_EQ_INT(csfs_peel_from_header_line(h->lines[3], h->lens[3], &peel, &err), 0);
    both t;
    memset(&t, 0, sizeof t);
    CHECK_EQ_INT(both_init(&t, peel), 0);
    test_list_text(name, &t, r);
    test_list_random(&t, csfs_peel_count(peel), 3000);
    both_free(&t);
    csfs_peel_free(peel);
    csfs_text_close(r);
}

int main(void)
{
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) test_list(lists[i]);
    printf("compared %zu CSFs: %zu differ; fast path took %zu (%zu wrongly); %zu canonical "
           "within its tables, %zu of them declined\n",
           n_compared, n_differ, n_fast, n_fast_wrong, n_in_tables, n_in_tables_missed);
    if (n_compared) {
        CHECK_EQ_INT(n_differ, 0);
        CHECK_EQ_INT(n_fast_wrong, 0);
        CHECK_EQ_INT(n_in_tables_missed, 0);
        /* Not vacuous: the unchanged lists alone are canonical CSFs. */
        CHECK(n_fast > n_compared / 10);
        CHECK(n_in_tables > n_compared / 10);
    }
    return tu_done();
}
