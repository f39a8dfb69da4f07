#include "descriptor/v1.h"

#include <stdlib.h>
#include <string.h>

#include "grasp/csf_fields.h"
#include "common/bytes.h"
#include "common/error.h"
#include "descriptor/normalize.h"
#include "descriptor/parsed.h"

const char *csfs_csf_status_text(csfs_csf_status status)
{
    switch (status) {
    case CSFS_CSF_OK:
        return "ok";
    case CSFS_CSF_NON_ASCII:
        return "non-ASCII byte in the CSF";
    case CSFS_CSF_BAD_FINAL_J:
        return "the total J at the end of line 3 does not parse";
    case CSFS_CSF_NEG_TARGET:
        return "normalisation: negative coupling target 2J";
    case CSFS_CSF_BAD_OCCUPATION:
        return "normalisation: electron count below 0 or above the subshell's capacity";
    case CSFS_CSF_NO_CAPACITY:
        return "normalisation: a peel subshell has no known capacity";
    }
    return "unknown failure";
}

static inline int all_ws(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w != 0x2020202020202020ull) break;
    }
    for (; i < len; i++)
        if (!csfs_is_ws((unsigned char)s[i])) return 0;
    return 1;
}

int csfs_desc_ctx_init(csfs_desc_ctx *ctx, const csfs_peel *peel, csfs_layout layout, int normalize,
                       csfs_error *err)
{
    memset(ctx, 0, sizeof *ctx);
    if (layout != CSFS_LAYOUT_V1)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown descriptor layout %d", (int)layout);
    ctx->peel = peel;
    ctx->n_peel = peel->count;
    ctx->layout = layout;
    ctx->normalize = normalize;
    size_t n = peel->count ? peel->count : 1;
    /* One cache-line-aligned block per context: the scratch written for
     * every CSF must not share a line with another worker's. */
    size_t row_b = 3 * n * sizeof *ctx->row, touched_b = n * sizeof *ctx->touched;
    size_t cap_b = n * sizeof *ctx->capacity;
    size_t stored_b = (n + 63) / 64 * sizeof *ctx->stored;
    size_t total = (stored_b + row_b + touched_b + cap_b + n + 63) / 64 * 64;
    char *block = aligned_alloc(64, total);
    if (block) memset(block, 0, total);
    ctx->scratch = block;
    ctx->stored = (uint64_t *)block;
    if (block) block += stored_b;
    ctx->row = (int32_t *)block;
    ctx->touched = block ? (uint32_t *)(block + row_b) : NULL;
    ctx->capacity = block ? (int32_t *)(block + row_b + touched_b) : NULL;
    ctx->mark = block ? (uint8_t *)(block + row_b + touched_b + cap_b) : NULL;
    if (!block) {
        csfs_desc_ctx_free(ctx);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < peel->count; i++) {
        ctx->capacity[i] = csfs_subshell_capacity(peel->names[i]);
        if (ctx->capacity[i] == 0 && !ctx->no_capacity_name) ctx->no_capacity_name = peel->names[i];
    }
    return 0;
}

void csfs_desc_ctx_free(csfs_desc_ctx *ctx)
{
    free(ctx->scratch);
    memset(ctx, 0, sizeof *ctx);
}

size_t csfs_desc_width(const csfs_desc_ctx *ctx)
{
    return csfs_row_width(ctx->layout, ctx->n_peel);
}

size_t csfs_row_width(csfs_layout layout, size_t n_peel)
{
    return layout == CSFS_LAYOUT_V1 ? 3 * n_peel : 0;
}

static void forget_touched(csfs_desc_ctx *ctx)
{
    /* Locals: a store through mark could alias ctx, and the compiler would
     * reload every field for every entry. */
    uint8_t *mark = ctx->mark;
    const uint32_t *touched = ctx->touched;
    size_t n = ctx->n_touched;
    for (size_t t = 0; t < n; t++) mark[touched[t]] = 0;
    ctx->n_touched = 0;
}

csfs_csf_status csfs_desc_parse(csfs_desc_ctx *ctx, const char *l1, size_t n1, const char *l2,
                                size_t n2, const char *l3, size_t n3)
{
    forget_touched(ctx);
    ctx->unknown_fields = 0;
    if (!ctx->ascii_known &&
        (csfs_has_high_byte(l1, n1) || csfs_has_high_byte(l2, n2) || csfs_has_high_byte(l3, n3)))
        return CSFS_CSF_NON_ASCII;

    csfs_csf_lines c;
    csfs_csf_lines_init(&c, l1, n1, l2, n2, l3, n3);
    int32_t final_2j;
    if (csfs_total_2j(&c, &final_2j)) return CSFS_CSF_BAD_FINAL_J;

    /* The per-CSF state in locals (see forget_touched). */
    const csfs_peel *peel = ctx->peel;
    int32_t *row = ctx->row;
    uint8_t *mark = ctx->mark;
    uint32_t *touched = ctx->touched;
    size_t n_touched = 0;
    uint32_t unknown = 0, first_unknown = 0;
    /* Fields whose line-2 state / line-3 coupling bytes are all present
     * (lines are right-trimmed): those take the 9-byte fast path with no
     * bounds arithmetic; the rest are cut as csfs_field_at cuts them. */
    const size_t full_state = c.m / 9, full_cpl = c.coupling.len / 9;
    for (size_t b = 0; b < c.nf; b++) {
        csfs_field f;
        f.l1 = csfs_sub(c.l1, c.w, 9 * b);

        int32_t n = 0;
        if (f.l1.len >= 8) {
            unsigned hi = (unsigned)(unsigned char)f.l1.p[6] - '0';
            unsigned lo = (unsigned)(unsigned char)f.l1.p[7] - '0';
            if (lo <= 9 && (hi <= 9 || f.l1.p[6] == ' ')) { /* " 4", "12": the usual forms */
                n = (int32_t)((hi <= 9 ? 10 * hi : 0) + lo);
            } else {
                const char *t = f.l1.p + 6;
                size_t tl = 2;
                csfs_trim(&t, &tl);
                if (csfs_parse_i32(t, tl, &n)) n = 0;
            }
        }
        /* Lines 2 and 3 count as padded with spaces to line 1's width: only
         * their real bytes inside this field can be non-blank. */
        int32_t mid = 0;
        int has_mid = b < full_state ? csfs_j9_fast(c.l2 + 9 * b, &mid) : -1;
        if (has_mid < 0) {
            mid = 0;
            f.state = csfs_sub(c.l2, c.m, 9 * b);
            has_mid = f.state.len && !all_ws(f.state.p, f.state.len);
            if (has_mid) {
                const char *semi = memchr(f.state.p, ';', f.state.len);
                const char *t = semi ? semi + 1 : f.state.p;
                size_t tl = semi ? f.state.len - (size_t)(semi + 1 - f.state.p) : f.state.len;
                if (csfs_j_to_2j(t, tl, &mid)) mid = 0;
            }
        }
        int32_t cpl = 0;
        if (b == c.nf - 1) {
            cpl = final_2j; /* the last field's coupling is the total J */
        } else {
            int fast = b < full_cpl ? csfs_j9_fast(c.coupling.p + 9 * b, &cpl) : -1;
            if (fast == 0) {
                cpl = has_mid ? mid : 0;
            } else if (fast < 0) {
                cpl = 0;
                f.cpl = csfs_sub(c.coupling.p, c.coupling.len, 9 * b);
                if (f.cpl.len && !all_ws(f.cpl.p, f.cpl.len)) {
                    if (csfs_j_to_2j(f.cpl.p, f.cpl.len, &cpl)) cpl = 0;
                } else if (has_mid) {
                    cpl = mid;
                }
            }
        }

        int32_t k = f.l1.len >= 5 ? csfs_peel_lookup_field(peel, f.l1.p) : -1;
        if (k < 0) {
            if (unknown++ == 0) first_unknown = (uint32_t)b;
            continue;
        }
        int32_t *t = row + 3 * (size_t)k;
        if (n == 0) {
            t[0] = t[1] = t[2] = 0;
        } else {
            t[0] = n;
            t[1] = mid;
            t[2] = cpl;
        }
        if (!mark[k]) {
            mark[k] = 1;
            touched[n_touched++] = (uint32_t)k;
        }
    }
    ctx->n_touched = n_touched;
    ctx->unknown_fields = unknown;
    ctx->first_unknown_field = first_unknown;
    return CSFS_CSF_OK;
}

csfs_csf_status csfs_desc_store(csfs_desc_ctx *ctx, void *dst, size_t col_stride)
{
    if (ctx->normalize) return csfs_normalize_store(ctx, (float *)dst, col_stride);
    int32_t *out = dst;
    const uint32_t *touched = ctx->touched;
    const int32_t *row = ctx->row;
    uint64_t *stored = ctx->stored;
    size_t n = ctx->n_touched;
    for (size_t t = 0; t < n; t++) {
        size_t k = touched[t];
        const int32_t *v = row + 3 * k;
        if (v[0] == 0) continue; /* an explicit ( 0) leaves the zero triple */
        stored[k / 64] |= 1ull << (k % 64);
        out[(3 * k) * col_stride] = v[0];
        out[(3 * k + 1) * col_stride] = v[1];
        out[(3 * k + 2) * col_stride] = v[2];
    }
    return CSFS_CSF_OK;
}

/* ---- records of a chunk ---------------------------------------------------- */

void csfs_desc_notes_clear(csfs_desc_notes *notes)
{
    memset(notes, 0, sizeof *notes);
}

static void note(csfs_desc_note *nt, uint64_t record, uint32_t line, int status)
{
    nt->record = record;
    nt->line = line;
    nt->status = status;
    nt->name[0] = '\0';
}

/* The name of field `field` of a record's line 1, for messages. */
static void field_name(const char *line1, size_t len, uint32_t field, char out[8])
{
    size_t at = 9 * (size_t)field;
    const char *f = line1 + (at < len ? at : len);
    size_t fl = at < len ? len - at : 0;
    if (fl > 5) fl = 5;
    csfs_trim(&f, &fl);
    memcpy(out, f, fl);
    out[fl] = '\0';
}

/* Columns of the subshells in ctx->stored, as bits of touched. */
static void stored_columns(const csfs_desc_ctx *ctx, uint64_t *touched)
{
    for (size_t w = 0; w < (ctx->n_peel + 63) / 64; w++)
        for (uint64_t bits = ctx->stored[w]; bits; bits &= bits - 1) {
            size_t c = 3 * (64 * w + (size_t)__builtin_ctzll(bits));
            for (size_t t = c; t < c + 3; t++) touched[t / 64] |= 1ull << (t % 64);
        }
}

void csfs_desc_parse_records(csfs_desc_ctx *ctx, const char *data, const csfs_chunk_scan *scan,
                             size_t first, size_t end, uint32_t *dst, size_t col_stride,
                             uint64_t *touched, csfs_desc_notes *notes)
{
    /* Most values are zero and the rows already are: only the occupied
     * triples are stored, and the subshells they belong to noted. */
    memset(ctx->stored, 0, (ctx->n_peel + 63) / 64 * sizeof *ctx->stored);
    /* Records parsed in the scan were checked there. */
    ctx->ascii_known = ctx->parsed ? 1 : csfs_records_ascii(data, scan, first, end);
    const csfs_record *text = scan->cols ? NULL : scan->rec; /* text: one test per chunk */
    for (size_t i = first; i < end; i++) {
        const char *l[3];
        size_t n[3];
        uint32_t line = (uint32_t)i;
        if (text) {
            const csfs_record *t = &text[i];
            for (int k = 0; k < 3; k++) l[k] = data + t->off[k], n[k] = t->len[k];
            line = t->line;
        } else {
            csfs_record_lines(scan, data, i, l, n);
        }
        csfs_csf_status st = ctx->parsed ? csfs_parsed_v1_load(ctx->parsed, i, ctx)
                                         : csfs_desc_parse(ctx, l[0], n[0], l[1], n[1], l[2], n[2]);
        if (st == CSFS_CSF_OK) st = csfs_desc_store(ctx, dst + (i - first), col_stride);
        if (st != CSFS_CSF_OK) {
            if (notes->n_failures < CSFS_MAX_NOTES)
                note(&notes->failures[notes->n_failures++], i, line, st);
            notes->failed++;
            continue;
        }
        if (ctx->unknown_fields) {
            if (!notes->has_unknown) {
                notes->has_unknown = 1;
                note(&notes->unknown, i, line, -1);
                field_name(l[0], n[0], ctx->first_unknown_field, notes->unknown.name);
            }
            notes->unknown_fields += ctx->unknown_fields;
        }
    }
    ctx->ascii_known = 0;
    if (touched) stored_columns(ctx, touched);
}
