/*
 * rcsfzerofirst (GRASP2018 src/appl/rcsfzerofirst90): the zero-order CSFs of
 * each block first, then the CSFs of the same block of the full list that are
 * not textually identical to a not-yet-matched zero-order CSF. Blocks are
 * paired by position; the run ends with the zero list's last block.
 *
 * GRASP's rule, kept exactly:
 *   - header: zero line 1 (15 characters), zero core line (trimmed), zero
 *     line 3 (15 characters), full peel line (trimmed), zero line 5 (7
 *     characters); the core lines must be equal, the peel lines are not
 *     compared (set_CSF_ZFlist.f90);
 *   - lines are compared and written without trailing blanks (Fortran
 *     padded comparison, TRIM on output);
 *   - one full CSF matches every unmatched zero CSF equal to it (the CYCLE in
 *     lodcsl_Part.f90 continues the inner loop), so a second copy of it in the
 *     full list is written, as GRASP writes it.
 * Where GRASP misbehaves csfs does not copy it but reports it: more than 20
 * zero blocks (GRASP overruns NUM_in_BLK(20)), full blocks beyond the zero
 * list's (GRASP drops them silently: csfs drops them too and warns, or keeps
 * them on request). Lines over 256 characters are cut as GRASP's records cut
 * them, with a warning (kept whole on request).
 *
 * Memory: one zero-order block (its text and a hash table); the full list is
 * streamed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "jobs/job.h"
#include "csfs.h"
#include "io/outset.h"
#include "listtools/grasp_cut.h"
#include "listtools/lt_engine.h"
#include "listtools/rec_stream.h"
#include "listtools/tokens.h"

#define GRASP_MAX_BLOCKS 20 /* rang_Int_C.f90: NUM_in_BLK(20) */
#define GRASP_RECORD 256    /* lodcsl_*.f90: CHARACTER(LEN=256) records */

void csfs_zerofirst_options_init(csfs_zerofirst_options *o)
{
    memset(o, 0, sizeof *o);
    csfs_engine_outputs_init(&o->engine);
}

void csfs_zerofirst_summary_free(csfs_zerofirst_summary *sum)
{
    if (!sum) return;
    free(sum->blocks);
    sum->blocks = NULL;
}

typedef struct zentry {
    uint64_t hash;
    size_t off;      /* in the block's text */
    uint32_t len[3]; /* trimmed lengths */
    uint32_t copies; /* equal CSFs in the zero block */
    int matched;
} zentry;

typedef struct zf {
    const csfs_zerofirst_options *opt;
    csfs_outset out;
    lt_tokens zero, full;
    csfs_buf text; /* the zero block's lines, back to back */
    zentry *ent;
    size_t n_ent, cap_ent;
    uint32_t *slot; /* open addressing: entry index + 1, 0 = empty */
    size_t n_slot;
    csfs_zerofirst_summary sum;
    size_t cap_blocks;
    lt_cut cut;                  /* GRASP's 256-character records */
    char zero_j[32], full_j[32]; /* J and parity of the block's first CSF */
    int warned_j, warned_empty;
    int full_end; /* how the last full block read ended: LT_SEP, LT_END, or 0 before any */
} zf;

static void report(const zf *z, const char *fmt, ...) CSFS_PRINTF(2, 3);
static void report(const zf *z, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    csfs_report_v(z->opt->report, z->opt->report_ctx, fmt, ap);
    va_end(ap);
}

static uint64_t hash3(const char *const l[3], const size_t n[3])
{
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < n[k]; i++) h = (h ^ (unsigned char)l[k][i]) * 1099511628211ull;
        h = (h ^ 0x0a) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

/* The lines of the token record as GRASP reads them: 256-character records,
 * trimmed (listtools/grasp_cut.h). */
static void trimmed(zf *z, const lt_tokens *t, const char *l[3], size_t n[3])
{
    for (int k = 0; k < 3; k++) {
        char where[600];
        l[k] = t->rec.line[k];
        n[k] = lt_trimmed(t->rec.line[k], t->rec.len[k]);
        if (n[k] <= GRASP_RECORD) continue;
        lt_cut_where(where, sizeof where, csfs_rec_stream_name(t->s), t->rec.line_no, t->rec.index,
                     k);
        n[k] = lt_cut_line(&z->cut, t->rec.line[k], t->rec.len[k], where);
    }
}

/* The final J and parity of a CSF: the last word of its line 3. */
static void final_j(const char *l3, size_t n, char out[32])
{
    size_t e = lt_trimmed(l3, n), b = e;
    while (b > 0 && l3[b - 1] != ' ') b--;
    snprintf(out, 32, "%.*s", (int)(e - b < 31 ? e - b : 31), l3 + b);
}

static int write_rec(zf *z, const char *const l[3], const size_t n[3], csfs_error *err)
{
    for (int k = 0; k < 3; k++) {
        int rc = csfs_outset_line(&z->out, 0, l[k], n[k], err);
        if (rc) return rc;
    }
    return 0;
}

static int grow_table(zf *z, csfs_error *err)
{
    size_t n = z->n_slot ? 2 * z->n_slot : 1024;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < z->n_ent; i++) {
        size_t j = z->ent[i].hash & (n - 1);
        while (s[j]) j = (j + 1) & (n - 1);
        s[j] = (uint32_t)(i + 1);
    }
    free(z->slot);
    z->slot = s;
    z->n_slot = n;
    return 0;
}

static int equal(const zf *z, const zentry *e, const char *const l[3], const size_t n[3])
{
    const char *p = z->text.data + e->off;
    for (int k = 0; k < 3; k++) {
        if (e->len[k] != n[k] || memcmp(p, l[k], n[k]) != 0) return 0;
        p += n[k];
    }
    return 1;
}

/* The entry equal to l, or NULL; *slot_out: where it is or would go. */
static zentry *find(const zf *z, uint64_t h, const char *const l[3], const size_t n[3],
                    size_t *slot_out)
{
    size_t j = h & (z->n_slot - 1);
    while (z->slot[j]) {
        zentry *e = &z->ent[z->slot[j] - 1];
        if (e->hash == h && equal(z, e, l, n)) {
            *slot_out = j;
            return e;
        }
        j = (j + 1) & (z->n_slot - 1);
    }
    *slot_out = j;
    return NULL;
}

static int add_zero(zf *z, const char *const l[3], const size_t n[3], csfs_error *err)
{
    if (2 * (z->n_ent + 1) > z->n_slot) {
        int rc = grow_table(z, err);
        if (rc) return rc;
    }
    uint64_t h = hash3(l, n);
    size_t j;
    zentry *e = find(z, h, l, n, &j);
    if (e) {
        e->copies++;
        return 0;
    }
    if (z->n_ent == z->cap_ent) {
        size_t cap = z->cap_ent ? 2 * z->cap_ent : 1024;
        zentry *ne = realloc(z->ent, cap * sizeof *ne);
        if (!ne) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        z->ent = ne;
        z->cap_ent = cap;
    }
    if (z->n_ent >= UINT32_MAX - 1)
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "more than 2^32 zero-order CSFs in one block");
    e = &z->ent[z->n_ent];
    e->hash = h;
    e->off = z->text.len;
    e->copies = 1;
    e->matched = 0;
    for (int k = 0; k < 3; k++) {
        e->len[k] = (uint32_t)n[k];
        int rc = csfs_buf_append(&z->text, l[k], n[k], err);
        if (rc) return rc;
    }
    z->slot[j] = (uint32_t)(++z->n_ent);
    return 0;
}

static int new_block(zf *z, csfs_error *err)
{
    csfs_zerofirst_summary *s = &z->sum;
    if (s->output_blocks == z->cap_blocks) {
        size_t cap = z->cap_blocks ? 2 * z->cap_blocks : 32;
        csfs_zerofirst_block *b = realloc(s->blocks, cap * sizeof *b);
        if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        s->blocks = b;
        z->cap_blocks = cap;
    }
    memset(&s->blocks[s->output_blocks], 0, sizeof *s->blocks);
    s->output_blocks++;
    return 0;
}

static int cancelled(const zf *z, uint64_t n, csfs_error *err)
{
    if ((n & 0xffff) != 0) return 0;
    return csfs_cancel_check(z->opt->cancel, csfs_rec_stream_name(z->full.s), err);
}

/* Zero block: written as read, remembered. *more: a separator ended it. */
static int zero_block(zf *z, int *more, csfs_error *err)
{
    csfs_zerofirst_block *b = &z->sum.blocks[z->sum.output_blocks - 1];
    z->n_ent = 0;
    z->text.len = 0;
    if (z->n_slot) memset(z->slot, 0, z->n_slot * sizeof *z->slot);
    z->zero_j[0] = 0;
    for (;;) {
        int kind, rc = lt_next(&z->zero, &kind, err);
        if (rc) return rc;
        if (kind != LT_REC) {
            *more = kind == LT_SEP;
            if (!b->zero && *more && !z->warned_empty) {
                report(z,
                       "%s: block %llu is empty (two ' *' lines in a row, or one first): "
                       "GRASP's rcsfzerofirst miscounts such lists (tried: it corrupts its heap "
                       "and aborts); csfs writes the paired block of the list after no "
                       "zero-order CSFs",
                       csfs_rec_stream_name(z->zero.s), (unsigned long long)z->sum.output_blocks);
                z->warned_empty = 1;
            }
            return 0;
        }
        const char *l[3];
        size_t n[3];
        trimmed(z, &z->zero, l, n);
        if (!b->zero) final_j(l[2], n[2], z->zero_j);
        if ((rc = add_zero(z, l, n, err)) || (rc = write_rec(z, l, n, err))) return rc;
        b->zero++;
        z->sum.zero_csfs++;
        if ((rc = cancelled(z, z->sum.zero_csfs, err))) return rc;
    }
}

/* The paired full block: the CSFs that match no unmatched zero CSF. */
static int full_block(zf *z, csfs_error *err)
{
    csfs_zerofirst_block *b = &z->sum.blocks[z->sum.output_blocks - 1];
    uint64_t unmatched = b->zero;
    for (;;) {
        int kind, rc = lt_next(&z->full, &kind, err);
        if (rc) return rc;
        if (kind != LT_REC) {
            z->full_end = kind;
            break;
        }
        const char *l[3];
        size_t n[3];
        trimmed(z, &z->full, l, n);
        if (!b->full) {
            final_j(l[2], n[2], z->full_j);
            if (b->zero && strcmp(z->zero_j, z->full_j) != 0 && z->warned_j < 3) {
                z->warned_j++;
                char where[600];
                csfs_rec_where(z->full.s, &z->full.rec, where, sizeof where);
                report(z,
                       "%s: block %llu of the full list starts with J = %s, but block %llu of "
                       "the zero-order list with J = %s: blocks are paired by position (as "
                       "GRASP pairs them), not by J",
                       where, (unsigned long long)z->sum.output_blocks, z->full_j,
                       (unsigned long long)z->sum.output_blocks, z->zero_j);
            }
        }
        b->full++;
        z->sum.full_csfs++;
        if ((rc = cancelled(z, z->sum.full_csfs, err))) return rc;
        if (unmatched) {
            size_t j;
            zentry *e = find(z, hash3(l, n), l, n, &j);
            if (e && !e->matched) {
                e->matched = 1;
                unmatched -= e->copies;
                continue;
            }
        }
        if ((rc = write_rec(z, l, n, err))) return rc;
        b->first++;
        z->sum.first_order_csfs++;
    }
    b->not_found = unmatched;
    return 0;
}

/* Full blocks after the zero list's last: counted, and written on request. */
static int extra_blocks(zf *z, csfs_error *err)
{
    int rc;
    while (z->full_end == LT_SEP) {
        z->sum.full_blocks++;
        csfs_zerofirst_block *b = NULL;
        if (z->opt->keep_extra_blocks) {
            if ((rc = csfs_outset_line(&z->out, 0, " *", 2, err))) return rc;
            if ((rc = new_block(z, err))) return rc;
            b = &z->sum.blocks[z->sum.output_blocks - 1];
        } else {
            z->sum.dropped_blocks++;
        }
        for (;;) {
            int kind;
            if ((rc = lt_next(&z->full, &kind, err))) return rc;
            if (kind != LT_REC) {
                z->full_end = kind;
                break;
            }
            z->sum.full_csfs++;
            if (!b) {
                z->sum.dropped_csfs++;
                continue;
            }
            const char *l[3];
            size_t n[3];
            trimmed(z, &z->full, l, n);
            b->full++;
            b->first++;
            z->sum.first_order_csfs++;
            if ((rc = write_rec(z, l, n, err))) return rc;
        }
    }
    return 0;
}

static void pad(char *out, const char *p, size_t n, size_t width)
{
    size_t k = n < width ? n : width;
    memcpy(out, p, k);
    memset(out + k, ' ', width - k);
}

static int header(zf *z, csfs_error *err)
{
    const csfs_header *hz = csfs_rec_stream_header(z->zero.s);
    const csfs_header *hf = csfs_rec_stream_header(z->full.s);
    const char *nz = csfs_rec_stream_name(z->zero.s), *nf = csfs_rec_stream_name(z->full.s);
    static const char core[] = "Core subshells:";
    if (hz->lens[0] < 15 || memcmp(hz->lines[0], core, 15) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 1,
                              "%s:1: not a GRASP CSF list: line 1 is not 'Core subshells:'", nz);
    if (hf->lens[0] < 15 || memcmp(hf->lines[0], core, 15) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 1,
                              "%s:1: not a GRASP CSF list: line 1 is not 'Core subshells:'", nf);
    size_t cz = lt_trimmed(hz->lines[1], hz->lens[1]), cf = lt_trimmed(hf->lines[1], hf->lens[1]);
    if (cz != cf || memcmp(hz->lines[1], hf->lines[1], cz) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 2,
                              "%s:2 and %s:2: the core subshells differ ('%.*s' and '%.*s'); "
                              "both lists must have the same core",
                              nz, nf, (int)(cz < 200 ? cz : 200), hz->lines[1],
                              (int)(cf < 200 ? cf : 200), hf->lines[1]);
    char l15[16], l7[8];
    int rc;
    pad(l15, hz->lines[0], hz->lens[0], 15);
    if ((rc = csfs_outset_line(&z->out, 0, l15, 15, err))) return rc;
    if ((rc = csfs_outset_line(&z->out, 0, hz->lines[1], cz, err))) return rc;
    pad(l15, hz->lines[2], hz->lens[2], 15);
    if ((rc = csfs_outset_line(&z->out, 0, l15, 15, err))) return rc;
    if ((rc = csfs_outset_line(&z->out, 0, hf->lines[3], lt_trimmed(hf->lines[3], hf->lens[3]),
                               err)))
        return rc;
    pad(l7, hz->lines[4], hz->lens[4], 7);
    return csfs_outset_line(&z->out, 0, l7, 7, err);
}

typedef struct zf_run {
    const csfs_zerofirst_options *opt;
    csfs_zerofirst_summary *sum;
} zf_run;

static int zerofirst_text(void *ctx, const char *text_path, csfs_error *err);

int csfs_zerofirst_run(const csfs_zerofirst_options *opt, csfs_zerofirst_summary *sum,
                       csfs_error *err)
{
    csfs_error_clear(err);
    if (sum) memset(sum, 0, sizeof *sum);
    if (!opt->zero || !opt->full || (!opt->output && !csfs_engine_outputs_any(&opt->engine)))
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "zerofirst needs a zero-order list, a list and "
                         "an output");
    zf_run zr = {opt, sum};
    csfs_engine_run run = {.threads = opt->threads,
                           .force = opt->force,
                           .report = opt->report,
                           .report_ctx = opt->report_ctx,
                           .cancel = opt->cancel};
    int rc =
        lt_engine_single(&opt->engine, opt->output, "rcsf.out", &run, zerofirst_text, &zr, err);
    if (rc && sum) csfs_zerofirst_summary_free(sum);
    return rc;
}

static int zerofirst_text(void *ctx, const char *text_path, csfs_error *err)
{
    const zf_run *zr = ctx;
    csfs_zerofirst_options o2 = *zr->opt;
    o2.output = text_path;
    const csfs_zerofirst_options *opt = &o2;
    csfs_zerofirst_summary *sum = zr->sum;
    zf z;
    memset(&z, 0, sizeof z);
    z.opt = opt;
    lt_cut_init(&z.cut, "rcsfzerofirst", GRASP_RECORD, opt->keep_long_lines, opt->report,
                opt->report_ctx);
    csfs_outset_init(&z.out, opt->force);
    int rc = csfs_rec_stream_open(opt->zero, opt->zero_header, &z.zero.s, err);
    if (rc == 0) rc = csfs_rec_stream_open(opt->full, opt->full_header, &z.full.s, err);
    const char *nz = z.zero.s ? csfs_rec_stream_name(z.zero.s) : opt->zero;
    const char *nf = z.full.s ? csfs_rec_stream_name(z.full.s) : opt->full;
    if (rc == 0 &&
        (csfs_same_file(opt->output, opt->zero) || csfs_same_file(opt->output, opt->full)))
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would replace an input", opt->output);
    if (rc == 0) rc = csfs_outset_add(&z.out, opt->output, NULL, err);
    if (rc == 0) rc = header(&z, err);
    int more = 1;
    while (rc == 0 && more) {
        if (z.sum.output_blocks && (rc = csfs_outset_line(&z.out, 0, " *", 2, err))) break;
        if ((rc = new_block(&z, err))) break;
        if ((rc = zero_block(&z, &more, err))) break;
        z.sum.zero_blocks++;
        int before = z.full_end;
        if (before == LT_END) { /* the full list is exhausted */
            z.sum.blocks[z.sum.output_blocks - 1].not_found =
                z.sum.blocks[z.sum.output_blocks - 1].zero;
            continue;
        }
        if ((rc = full_block(&z, err))) break;
        if (before == LT_SEP || z.sum.blocks[z.sum.output_blocks - 1].full || z.full_end == LT_SEP)
            z.sum.full_blocks++;
    }
    if (rc == 0) rc = extra_blocks(&z, err);
    if (rc == 0) {
        z.sum.output_csfs = z.sum.zero_csfs + z.sum.first_order_csfs;
        if (opt->require_same_block_count && z.sum.zero_blocks != z.sum.full_blocks)
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s has %llu blocks and %s has %llu: the lists must have the same "
                           "blocks in the same order",
                           nz, (unsigned long long)z.sum.zero_blocks, nf,
                           (unsigned long long)z.sum.full_blocks);
    }
    if (rc == 0) rc = csfs_outset_commit(&z.out, err);
    if (rc == 0) {
        lt_cut_finish(&z.cut);
        if (z.sum.dropped_blocks)
            report(&z,
                   "%s has %llu blocks, %s only %llu: the last %llu block(s) of %s (%llu CSFs) "
                   "are not written, as GRASP's rcsfzerofirst drops them (keep them with "
                   "keep_extra_blocks)",
                   nf, (unsigned long long)z.sum.full_blocks, nz,
                   (unsigned long long)z.sum.zero_blocks, (unsigned long long)z.sum.dropped_blocks,
                   nf, (unsigned long long)z.sum.dropped_csfs);
        else if (z.sum.full_blocks > z.sum.zero_blocks)
            report(&z,
                   "%s has %llu blocks, %s only %llu: the extra blocks are written after the "
                   "paired ones (GRASP would drop them)",
                   nf, (unsigned long long)z.sum.full_blocks, nz,
                   (unsigned long long)z.sum.zero_blocks);
        if (z.sum.full_blocks < z.sum.zero_blocks)
            report(&z,
                   "%s has %llu blocks, %s only %llu: zero-order blocks %llu..%llu are written "
                   "alone, with no CSFs of %s (as GRASP writes them)",
                   nz, (unsigned long long)z.sum.zero_blocks, nf,
                   (unsigned long long)z.sum.full_blocks, (unsigned long long)z.sum.full_blocks + 1,
                   (unsigned long long)z.sum.zero_blocks, nf);
        if (z.sum.zero_blocks > GRASP_MAX_BLOCKS)
            report(&z,
                   "%s has %llu blocks: GRASP's rcsfzerofirst keeps per-block counts in an array "
                   "of %d (rang_Int_C.f90) and overruns it, so its output for such lists is "
                   "undefined; csfs handles any number of blocks",
                   nz, (unsigned long long)z.sum.zero_blocks, GRASP_MAX_BLOCKS);
        uint64_t odd =
            csfs_rec_stream_odd_separators(z.zero.s) + csfs_rec_stream_odd_separators(z.full.s);
        if (odd)
            report(&z,
                   "%llu separator line(s) other than ' *' were read as block separators and "
                   "written as ' *'",
                   (unsigned long long)odd);
    }
    if (rc == 0 && sum) {
        *sum = z.sum;
        z.sum.blocks = NULL;
    }
    free(z.sum.blocks);
    csfs_outset_free(&z.out);
    csfs_rec_stream_close(z.zero.s);
    csfs_rec_stream_close(z.full.s);
    csfs_buf_free(&z.text);
    free(z.ent);
    free(z.slot);
    return rc;
}
