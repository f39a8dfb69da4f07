/*
 * Encoder for Parquet's RLE/bit-packed hybrid (definition levels and
 * dictionary indices). Runs of 8 or more equal values become RLE runs, the
 * rest bit-packed groups of 8; only the final group is padded, since a
 * reader knows the value count only for the whole sequence.
 *
 * The output has no length prefix: data page v1 definition levels need a
 * 4-byte one, dictionary indices a leading bit-width byte; callers add those.
 */
#ifndef CSFS_RLE_HYBRID_H
#define CSFS_RLE_HYBRID_H

#include <stddef.h>
#include <stdint.h>

#include "parquet/pq_wbuf.h"

/* Appends v[0..n), each < 2^bit_width (bit_width 0..32). */
void pq_rle_encode_u32(pq_wbuf *out, const uint32_t *v, size_t n, int bit_width);

/* A run of `len` equal values `value` (len >= 1). */
typedef struct pq_run {
    uint32_t value;
    uint32_t len;
} pq_run;

/*
 * The same bytes as pq_rle_encode_u32 of the values the runs spell out, with
 * no per-value pass for long runs: runs must be maximal (no two neighbours
 * with the same value), as the value-by-value scanner finds them.
 */
void pq_rle_encode_runs(pq_wbuf *out, const pq_run *runs, size_t nruns, int bit_width);

/* Appends the definition levels of a flat column: 1 where defined[i] != 0,
 * bit width 1. defined == NULL means all 1. */
void pq_rle_encode_levels(pq_wbuf *out, const uint8_t *defined, size_t n);

/* Smallest bit width able to hold max_value. */
int pq_bit_width(uint64_t max_value);

#endif
