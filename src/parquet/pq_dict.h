/*
 * Dictionary building for RLE_DICTIONARY column chunks: one pass over the
 * values assigns each distinct value an index (first occurrence order) and
 * records the index of every non-null value. Distinctness is by bit pattern,
 * so -0.0/+0.0 and NaN payloads survive the round trip exactly.
 */
#ifndef CSFS_PQ_DICT_H
#define CSFS_PQ_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "parquet/pq_wbuf.h"
#include "parquet/pq_writer.h"

typedef struct pq_dict {
    /* Open-addressing table of entry index + 1 (0 = empty), power-of-two size. */
    uint32_t *slots;
    size_t nslots, slots_cap;
    /* Entries: bit patterns of fixed-width values, or the row of the first
     * occurrence of a byte array (its bytes stay in the caller's buffer). */
    uint64_t *keys;
    uint64_t *hashes; /* byte arrays only: hash of each entry, for rehashing */
    size_t nkeys, keys_cap, hashes_cap;
    /* Index of each non-null value, in row order. */
    uint32_t *idx;
    size_t nidx, idx_cap;
    size_t page_bytes; /* PLAIN size of the dictionary page */
    int value_width;   /* 4, 8, or 0 for BYTE_ARRAY */
} pq_dict;

/*
 * Builds the dictionary of one column chunk. Returns 1 when built, 0 when
 * its PLAIN size would exceed limit_bytes (the caller falls back to PLAIN),
 * or a negative CSFS_E_* code.
 */
int pq_dict_build(pq_dict *d, pq_type type, const pq_column_values *v, size_t limit_bytes,
                  csfs_error *err);

/* Appends the PLAIN encoding of the entries (the dictionary page body). */
void pq_dict_write_plain(const pq_dict *d, const pq_column_values *v, pq_wbuf *out);

/* Byte array entry i. */
static inline const uint8_t *pq_dict_bytes(const pq_dict *d, const pq_column_values *v, size_t i,
                                           size_t *len)
{
    uint64_t r = d->keys[i];
    *len = (size_t)(v->offsets[r + 1] - v->offsets[r]);
    return v->data + v->offsets[r];
}

void pq_dict_free(pq_dict *d);

#endif
