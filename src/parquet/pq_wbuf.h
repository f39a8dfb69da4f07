/*
 * Growable byte buffer used by the Parquet writer. Appends never fail
 * visibly: an allocation failure sets `failed` and later appends are dropped,
 * so encoders can write a whole structure and check once at the end instead
 * of after every byte.
 */
#ifndef CSFS_PQ_WBUF_H
#define CSFS_PQ_WBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pq_wbuf {
    uint8_t *data;
    size_t size;
    size_t cap;
    bool failed; /* an allocation failed: contents are incomplete */
} pq_wbuf;

/* Makes room for `extra` more bytes; returns false (and sets failed) on OOM. */
bool pq_wbuf_grow(pq_wbuf *b, size_t extra);

void pq_wbuf_free(pq_wbuf *b);

static inline bool pq_wbuf_reserve(pq_wbuf *b, size_t extra)
{
    if (b->failed) return false;
    if (b->cap - b->size >= extra) return true;
    return pq_wbuf_grow(b, extra);
}

static inline void pq_wbuf_reset(pq_wbuf *b)
{
    b->size = 0;
    b->failed = false;
}

static inline void pq_wbuf_append(pq_wbuf *b, const void *p, size_t n)
{
    if (n == 0 || !pq_wbuf_reserve(b, n)) return;
    memcpy(b->data + b->size, p, n);
    b->size += n;
}

static inline void pq_wbuf_byte(pq_wbuf *b, uint8_t v)
{
    if (!pq_wbuf_reserve(b, 1)) return;
    b->data[b->size++] = v;
}

static inline void pq_wbuf_u32le(pq_wbuf *b, uint32_t v)
{
    if (!pq_wbuf_reserve(b, 4)) return;
    uint8_t *p = b->data + b->size;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    b->size += 4;
}

#endif
