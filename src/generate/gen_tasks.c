/* Tasks of a counted generate job (see gen_tasks.h). */
#include "generate/gen_tasks.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "grasp/csf_text.h"

int gen_task_alloc(gen_task *t, csfs_error *err)
{
    memset(t, 0, sizeof *t);
    t->cfgs = malloc(GEN_TASK_MAX_CFGS * sizeof *t->cfgs);
    t->segs = malloc(GEN_TASK_MAX_CFGS * sizeof *t->segs);
    if (!t->cfgs || !t->segs) {
        gen_task_free(t);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    return 0;
}

void gen_task_free(gen_task *t)
{
    free(t->cfgs);
    free(t->segs);
    memset(t, 0, sizeof *t);
}

void gen_producer_init(gen_producer *P, gen_job *J)
{
    memset(P, 0, sizeof *P);
    P->J = J;
}

void gen_producer_sample(gen_producer *P, gen_job *J, uint64_t len, uint64_t stride)
{
    gen_producer_init(P, J);
    P->sample_len = len;
    P->sample_stride = stride;
}

/* Sampling: skips what lies before the next window; 0 when the current
 * configuration has nothing left in a window (*limit: CSFs left in it). */
static int sample_seek(gen_producer *P, uint64_t *limit)
{
    uint64_t left = P->cur_count - P->cur_done;
    uint64_t ws = P->pos / P->sample_stride * P->sample_stride, we = ws + P->sample_len;
    if (P->pos >= we) {
        ws += P->sample_stride;
        we = ws + P->sample_len;
    }
    if (P->pos + left <= ws) {
        P->pos += left;
        P->have_cfg = 0;
        return 0;
    }
    if (P->pos < ws) {
        P->cur_done += ws - P->pos;
        P->pos = ws;
    }
    *limit = we - P->pos;
    return 1;
}

int gen_producer_next(gen_producer *P, gen_task *t, csfs_error *err)
{
    gen_job *J = P->J;
    t->n_cfgs = 0;
    t->n_segs = 0;
    t->header = 0;
    t->separator = 0;
    t->csfs = 0;
    uint64_t bytes = 0;
    if (!P->header_done) {
        t->header = 1;
        P->header_done = 1;
    }
    while (P->block < J->n_blocks) {
        const gen_block *B = &J->blocks[P->block];
        if (!P->in_block) {
            if (P->block > 0 && !P->sample_len) {
                if (t->n_segs || t->header) return 0; /* the separator opens the next task */
                t->separator = 1;
            }
            int rc = gen_merge_rewind(J->merge, err);
            if (rc) return rc;
            P->in_block = 1;
            P->have_cfg = 0;
        }
        if (!P->have_cfg) {
            int r;
            for (;;) {
                r = gen_merge_next(J->merge, &P->cur, err);
                if (r <= 0) break;
                if (J->plan.lists[P->cur.list].parity != B->parity) continue;
                uint64_t c = gen_config_count(&P->cur, &J->plan, B->two_j);
                if (!c) continue;
                P->cur_count = c;
                P->cur_done = 0;
                gen_cfg_text_prepare(&P->cur_text, &P->cur, &J->plan);
                P->have_cfg = 1;
                break;
            }
            if (r < 0) return r;
            if (r == 0) {
                P->block++;
                P->in_block = 0;
                continue;
            }
        }
        if (t->n_cfgs == GEN_TASK_MAX_CFGS || bytes >= GEN_TASK_BYTES) return 0;
        uint64_t limit = UINT64_MAX;
        if (P->sample_len && !sample_seek(P, &limit)) continue;
        uint64_t per = gen_cfg_text_csf_bytes(&P->cur_text);
        uint64_t room = (GEN_TASK_BYTES - bytes) / per;
        if (room == 0) room = 1;
        uint64_t take = P->cur_count - P->cur_done;
        if (take > room) take = room;
        if (take > limit) take = limit;
        P->pos += take;
        t->cfgs[t->n_cfgs] = P->cur_text;
        t->segs[t->n_segs].cfg = (uint32_t)t->n_cfgs;
        t->segs[t->n_segs].two_j = B->two_j;
        t->segs[t->n_segs].skip = P->cur_done;
        t->segs[t->n_segs].take = take;
        t->n_cfgs++;
        t->n_segs++;
        bytes += take * per;
        t->csfs += take;
        P->cur_done += take;
        if (P->cur_done == P->cur_count) P->have_cfg = 0;
    }
    if (!t->n_segs && !t->header && !t->separator) P->finished = 1;
    return 0;
}

/* Room in the record table for the task's CSFs. */
static int reserve_records(const gen_task *t, csfs_record **rec, const size_t *n_rec,
                           size_t *cap_rec, csfs_error *err)
{
    size_t need = *n_rec + (size_t)t->csfs;
    if (need > *cap_rec) {
        size_t cap = *cap_rec ? *cap_rec : 1024;
        while (cap < need) cap *= 2;
        csfs_record *r = realloc(*rec, cap * sizeof *r);
        if (!r) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        *rec = r;
        *cap_rec = cap;
    }
    return 0;
}

int gen_task_emit(const gen_task *t, gen_emit_scratch *s, csfs_buf *out, csfs_record **rec,
                  size_t *n_rec, size_t *cap_rec, uint64_t *line, csfs_error *err)
{
    if (rec && reserve_records(t, rec, n_rec, cap_rec, err)) return CSFS_E_NOMEM;
    for (size_t i = 0; i < t->n_segs; i++) {
        const gen_seg *g = &t->segs[i];
        const gen_cfg_text *c = &t->cfgs[g->cfg];
        size_t start = out->len;
        int rc = gen_emit_text(c, g->two_j, g->skip, g->take, s, out, err);
        if (rc) return rc;
        if (!rec || c->m == 0) continue;
        /* Every CSF of a configuration has the same line lengths (csfgen.h). */
        uint32_t l1 = (uint32_t)(9 * c->m), l2 = (uint32_t)c->line2_len, l3 = l1 + 2;
        uint32_t per = l1 + l2 + l3 + 3, off = (uint32_t)start;
        csfs_record *r = *rec + *n_rec;
        for (uint64_t k = 0; k < g->take; k++, r++, off += per) {
            r->off[0] = off;
            r->off[1] = off + l1 + 1;
            r->off[2] = off + l1 + l2 + 2;
            r->len[0] = l1;
            r->len[1] = l2;
            r->len[2] = l3;
            r->line = (uint32_t)*line;
            *line += 3;
        }
        *n_rec += (size_t)g->take;
    }
    return 0;
}

int gen_task_emit_v2(const gen_task *t, const int32_t (*peel_of)[2], gen_emit_scratch *s,
                     gen_v2_out *out, csfs_record **rec, size_t *n_rec, size_t *cap_rec,
                     uint64_t *line, csfs_error *err)
{
    if (reserve_records(t, rec, n_rec, cap_rec, err)) return CSFS_E_NOMEM;
    for (size_t i = 0; i < t->n_segs; i++) {
        const gen_seg *g = &t->segs[i];
        const gen_cfg_text *c = &t->cfgs[g->cfg];
        int32_t peel[GEN_MAX_SUBSHELLS];
        for (int k = 0; k < c->m; k++)
            peel[k] = peel_of[gen_orb_index(c->sub[k].n, c->sub[k].l)][c->sub[k].k];
        int rc = gen_emit_v2(c, peel, g->two_j, g->skip, g->take, s, out, err);
        if (rc) return rc;
        if (c->m == 0) continue;
        csfs_record *r = *rec + *n_rec;
        for (uint64_t k = 0; k < g->take; k++, r++) {
            memset(r, 0, sizeof *r);
            r->line = (uint32_t)*line;
            *line += 3;
        }
        *n_rec += (size_t)g->take;
    }
    return 0;
}
