/*
 * Column chunk statistics (min/max as PLAIN-encoded values) following the
 * Parquet rules: floats ignore NaN and widen a zero extreme to -0.0 (min) and
 * +0.0 (max) since both compare equal; byte arrays compare as unsigned bytes
 * and are truncated to PQ_STAT_MAX_BYTES, keeping valid bounds.
 */
#ifndef CSFS_PQ_STATS_H
#define CSFS_PQ_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "parquet/pq_writer.h"

#define PQ_STAT_MAX_BYTES 64

/* Running min/max of fixed-width values, fed page by page. */
typedef struct pq_minmax {
    bool set;
    union {
        int32_t i32;
        int64_t i64;
        uint64_t u64;
        float f32;
        double f64;
    } lo, hi;
} pq_minmax;

/*
 * Adds n fixed-width values of `type` at base + i * step, skipping value i
 * when defined && !defined[i] (and NaN).
 */
void pq_minmax_add(pq_minmax *acc, pq_type type, pq_logical logical, const uint8_t *base,
                   size_t step, const uint8_t *defined, size_t n);

/* Sets has_minmax/min/max of c from acc. */
int pq_minmax_store(const pq_minmax *acc, pq_type type, pq_chunk *c, csfs_error *err);

/*
 * Sets has_minmax/min/max of c from byte arrays: value i is
 * data[offsets[r] .. offsets[r + 1]) with r = rows ? rows[i] : i, skipped when
 * defined && !defined[i]. STRING bounds stay valid UTF-8.
 */
int pq_stats_bytes(pq_chunk *c, pq_logical logical, const uint64_t *offsets, const uint8_t *data,
                   const uint8_t *defined, const uint64_t *rows, size_t n, csfs_error *err);

#endif
