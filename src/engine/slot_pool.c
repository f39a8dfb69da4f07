/* Per-page-slot pools of pieces (see engine/slot_pool.h). */
#include "engine/slot_pool.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

int csfs_slot_pool_init(csfs_slot_pool *p, size_t n_slots, size_t piece_size,
                        void (*piece_free)(void *piece), csfs_error *err)
{
    memset(p, 0, sizeof *p);
    p->slots = calloc(n_slots ? n_slots : 1, sizeof *p->slots);
    if (!p->slots) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    p->n_slots = n_slots;
    p->piece_size = piece_size;
    p->piece_free = piece_free;
    for (size_t i = 0; i < n_slots; i++) pthread_mutex_init(&p->slots[i].mu, NULL);
    return 0;
}

void *csfs_slot_pool_take(csfs_slot_pool *p, size_t slot)
{
    csfs_slot_pieces *sp = &p->slots[slot];
    pthread_mutex_lock(&sp->mu);
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 4;
        void **pp = realloc(sp->pieces, cap * sizeof *pp);
        if (pp) {
            memset(pp + sp->cap, 0, (cap - sp->cap) * sizeof *pp);
            sp->pieces = pp;
            sp->cap = cap;
        }
    }
    void *piece = NULL;
    if (sp->n < sp->cap) {
        if (!sp->pieces[sp->n]) sp->pieces[sp->n] = calloc(1, p->piece_size);
        piece = sp->pieces[sp->n];
        if (piece) sp->n++;
    }
    pthread_mutex_unlock(&sp->mu);
    return piece;
}

static int cmp_row_start(const void *a, const void *b)
{
    uint64_t x, y;
    memcpy(&x, *(void *const *)a, sizeof x);
    memcpy(&y, *(void *const *)b, sizeof y);
    return (x > y) - (x < y);
}

void csfs_slot_pool_sort(void **pieces, size_t n)
{
    qsort(pieces, n, sizeof *pieces, cmp_row_start);
}

void csfs_slot_pool_free(csfs_slot_pool *p)
{
    for (size_t i = 0; p->slots && i < p->n_slots; i++) {
        csfs_slot_pieces *sp = &p->slots[i];
        for (size_t k = 0; k < sp->cap; k++) {
            if (!sp->pieces[k]) continue;
            if (p->piece_free) p->piece_free(sp->pieces[k]);
            free(sp->pieces[k]);
        }
        free(sp->pieces);
        pthread_mutex_destroy(&sp->mu);
    }
    free(p->slots);
    memset(p, 0, sizeof *p);
}
