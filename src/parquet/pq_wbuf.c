#include "parquet/pq_wbuf.h"

#include <stdlib.h>

bool pq_wbuf_grow(pq_wbuf *b, size_t extra)
{
    if (b->failed) return false;
    if (extra > SIZE_MAX - b->size) {
        b->failed = true;
        return false;
    }
    size_t need = b->size + extra;
    if (need <= b->cap) return true;
    /* Doubling keeps repeated small appends amortised O(1). */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void pq_wbuf_free(pq_wbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->size = b->cap = 0;
    b->failed = false;
}
