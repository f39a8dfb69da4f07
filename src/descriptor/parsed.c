/* Descriptors parsed in the scan (descriptor/parsed.h). */
#include "descriptor/parsed.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/grow.h"

csfs_parsed_chunk *csfs_parsed_new(int v2)
{
    csfs_parsed_chunk *p = calloc(1, sizeof *p);
    if (p) p->v2 = v2;
    return p;
}

void csfs_parsed_free(csfs_parsed_chunk *p)
{
    if (!p) return;
    free(p->rec);
    free(p->occ);
    free(p->sub);
    free(p->first);
    free(p->total_two_j);
    free(p->parity);
    free(p->fail);
    free(p->canonical);
    free(p->fails);
    free(p);
}

static int reserve(void **a, size_t *cap, size_t need, size_t elem, csfs_error *err)
{
    return csfs_grow_array(a, cap, need, elem, 1024, err);
}

void csfs_parsed_begin_v1(csfs_parsed_chunk *p, csfs_desc_ctx *ctx)
{
    p->ctx = ctx;
    p->n = p->n_occ = 0;
}

void csfs_parsed_begin_v2(csfs_parsed_chunk *p, csfs_v2_ctx *ctx, size_t n_peel)
{
    p->v2ctx = ctx;
    p->n_peel = n_peel;
    p->n = p->n_sub = p->n_fails = 0;
}

int csfs_parsed_v1_record(void *arg, const char *data, const csfs_record *r, size_t index,
                          int ascii, csfs_error *err)
{
    csfs_parsed_chunk *p = arg;
    csfs_desc_ctx *ctx = p->ctx;
    if (reserve((void **)&p->rec, &p->cap_rec, index + 1, sizeof *p->rec, err)) return CSFS_E_NOMEM;
    ctx->ascii_known = ascii;
    csfs_csf_status st = csfs_desc_parse(ctx, data + r->off[0], r->len[0], data + r->off[1],
                                         r->len[1], data + r->off[2], r->len[2]);
    ctx->ascii_known = 0;
    size_t n = ctx->n_touched;
    if (reserve((void **)&p->occ, &p->cap_occ, p->n_occ + n, sizeof *p->occ, err))
        return CSFS_E_NOMEM;
    csfs_desc_prec *pr = &p->rec[index];
    pr->first_occ = (uint32_t)p->n_occ;
    pr->n_occ = (uint32_t)n;
    pr->unknown_fields = ctx->unknown_fields;
    pr->first_unknown_field = ctx->first_unknown_field;
    pr->status = (int)st;
    /* The triples in touched order; the context is left as a fresh one
     * (marks cleared), ready for the next record or a load. */
    const uint32_t *touched = ctx->touched;
    const int32_t *row = ctx->row;
    uint8_t *mark = ctx->mark;
    csfs_desc_occ *o = n ? p->occ + p->n_occ : NULL; /* occ is NULL until a triple comes */
    for (size_t t = 0; t < n; t++) {
        uint32_t k = touched[t];
        const int32_t *v = row + 3 * (size_t)k;
        o[t] = (csfs_desc_occ){k, v[0], v[1], v[2]};
        mark[k] = 0;
    }
    ctx->n_touched = 0;
    p->n_occ += n;
    p->n = index + 1;
    return 0;
}

csfs_csf_status csfs_parsed_v1_load(const csfs_parsed_chunk *p, size_t i, csfs_desc_ctx *ctx)
{
    const csfs_desc_prec *pr = &p->rec[i];
    const csfs_desc_occ *o = pr->n_occ ? p->occ + pr->first_occ : NULL;
    uint32_t *touched = ctx->touched;
    int32_t *row = ctx->row;
    for (uint32_t t = 0; t < pr->n_occ; t++) {
        int32_t *v = row + 3 * (size_t)o[t].k;
        v[0] = o[t].n;
        v[1] = o[t].mid;
        v[2] = o[t].cpl;
        touched[t] = o[t].k;
    }
    ctx->n_touched = pr->n_occ;
    ctx->unknown_fields = pr->unknown_fields;
    ctx->first_unknown_field = pr->first_unknown_field;
    return (csfs_csf_status)pr->status;
}

int csfs_parsed_v2_record(void *arg, const char *data, const csfs_record *r, size_t index,
                          int ascii, csfs_error *err)
{
    csfs_parsed_chunk *p = arg;
    size_t need = index + 1;
    if (need > p->cap_v2) {
        size_t c = p->cap_v2;
        if (reserve((void **)&p->total_two_j, &c, need, sizeof *p->total_two_j, err)) goto oom;
        c = p->cap_v2;
        if (reserve((void **)&p->parity, &c, need, sizeof *p->parity, err)) goto oom;
        c = p->cap_v2;
        if (reserve((void **)&p->fail, &c, need, sizeof *p->fail, err)) goto oom;
        c = p->cap_v2;
        if (reserve((void **)&p->canonical, &c, need, sizeof *p->canonical, err)) goto oom;
        if (reserve((void **)&p->first, &p->cap_first, c + 1, sizeof *p->first, err)) goto oom;
        p->cap_v2 = c;
    }
    /* The parser writes the subshells straight into the chunk's array (it
     * needs n_peel + 1 free entries there). */
    if (reserve((void **)&p->sub, &p->cap_sub, p->n_sub + p->n_peel + 1, sizeof *p->sub, err))
        goto oom;
    csfs_v2_record rec = {.sub = p->sub + p->n_sub, .cap = p->n_peel};
    csfs_v2_failure why;
    csfs_v2_ctx *v2 = p->v2ctx;
    v2->ascii_known = ascii;
    int kind = csfs_v2_parse(v2, data + r->off[0], r->len[0], data + r->off[1], r->len[1],
                             data + r->off[2], r->len[2], &rec, &why);
    v2->ascii_known = 0;
    if (index == 0) p->first[0] = (uint32_t)p->n_sub;
    p->fail[index] = (uint8_t)kind;
    if (kind == CSFS_V2_OK) {
        p->n_sub += rec.nf;
        p->total_two_j[index] = rec.total_two_j;
        p->parity[index] = (int8_t)rec.parity;
        p->canonical[index] = (uint8_t)rec.canonical;
    } else {
        p->total_two_j[index] = 0;
        p->parity[index] = 0;
        p->canonical[index] = 0;
        if (reserve((void **)&p->fails, &p->cap_fails, p->n_fails + 1, sizeof *p->fails, err))
            goto oom;
        csfs_v2_parsed_fail *f = &p->fails[p->n_fails++];
        f->record = index;
        f->kind = kind;
        memcpy(f->reason, why.reason, sizeof f->reason);
    }
    p->first[index + 1] = (uint32_t)p->n_sub;
    p->n = index + 1;
    return 0;
oom:
    return CSFS_E_NOMEM;
}

csfs_v2_made csfs_parsed_v2_made(const csfs_parsed_chunk *p)
{
    return (csfs_v2_made){
        .sub = p->sub, .first = p->first, .total_two_j = p->total_two_j, .parity = p->parity};
}

size_t csfs_parsed_v2_fail_at(const csfs_parsed_chunk *p, size_t first)
{
    size_t lo = 0, hi = p->n_fails;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->fails[mid].record < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
