/*
 * Per-page-slot pools of "pieces": what a job's workers make of their
 * segments of a page (lines, blocks, signatures ...) beside the engine's own
 * uint32 columns. A worker takes a piece of its page's slot (thread-safe),
 * fills it unlocked (its address is stable), and the orderer (or the page's
 * encoders) reads the slot's pieces once the page is complete; slot_reset
 * empties the slot for its next page. Pieces are kept and reused, so a run
 * allocates only while pages grow to their largest.
 *
 * Used by the convert job (jobs/convert.c) and the Arrow stream
 * (arrow/stream_engine.c); each keeps its own piece type, whose first member
 * must be `uint64_t row_start` (the segment's first row) so the pool can
 * order them.
 */
#ifndef CSFS_SLOT_POOL_H
#define CSFS_SLOT_POOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct csfs_slot_pieces {
    pthread_mutex_t mu;
    void **pieces; /* stable addresses: workers fill them unlocked */
    size_t n, cap;
} csfs_slot_pieces;

typedef struct csfs_slot_pool {
    csfs_slot_pieces *slots;
    size_t n_slots;
    size_t piece_size;
    void (*piece_free)(void *piece); /* frees what a piece owns, not the piece */
} csfs_slot_pool;

/* n_slots pools (csfs_pipe_ring_slots) of pieces of piece_size bytes. */
int csfs_slot_pool_init(csfs_slot_pool *p, size_t n_slots, size_t piece_size,
                        void (*piece_free)(void *piece), csfs_error *err);

/* Worker: a piece of `slot` (zeroed when new, else as its last use left
 * it); NULL when out of memory. */
void *csfs_slot_pool_take(csfs_slot_pool *p, size_t slot);

/* Orderer: the slot is about to hold a new page (no worker touches it). */
static inline void csfs_slot_pool_reset(csfs_slot_pool *p, size_t slot)
{
    p->slots[slot].n = 0;
}

/* The pieces taken since the last reset, in the order taken. */
static inline void **csfs_slot_pool_pieces(const csfs_slot_pool *p, size_t slot, size_t *n)
{
    *n = p->slots[slot].n;
    return p->slots[slot].pieces;
}

/* Sorts pieces by their leading row_start. */
void csfs_slot_pool_sort(void **pieces, size_t n);

/* Frees every piece (piece_free first) and the pool; safe on a zeroed pool. */
void csfs_slot_pool_free(csfs_slot_pool *p);

#endif
