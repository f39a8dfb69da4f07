/*
 * Where select reads scores from, in pieces: a float32/float64 .npy file
 * (read with pread, never mapped or loaded whole), one column of a Parquet
 * file (one row group decoded at a time, the last one kept), or an array in
 * memory. Every value handed out is finite: NaN and infinities are errors
 * naming the row.
 */
#ifndef CSFS_SELECT_SCORES_H
#define CSFS_SELECT_SCORES_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

/* The most rows one score_source_read returns. */
#define SCORE_CHUNK ((size_t)1 << 16)

typedef struct score_source score_source;

/* From opt->scores_path (+ column) or opt->scores. */
int score_source_open(const csfs_select_options *opt, score_source **out, csfs_error *err);
void score_source_close(score_source *s);

uint64_t score_source_rows(const score_source *s);
/* The file name (or "scores" in memory), for messages. */
const char *score_source_name(const score_source *s);
/* 1 when the scores come from a Parquet file (which may hold block bounds). */
int score_source_is_parquet(const score_source *s);

/* Rows [first, first + n) (n <= SCORE_CHUNK) as doubles. */
int score_source_read(score_source *s, uint64_t first, size_t n, double *out, csfs_error *err);

#endif
