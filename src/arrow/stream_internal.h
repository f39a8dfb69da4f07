/*
 * The state behind a csfs ArrowArrayStream (arrow/stream.c) and what its
 * producers use: a producer thread reads the source (arrow/stream_engine.c for
 * CSF sources, arrow/stream_parquet.c for other Parquet files), declares the
 * columns once, then pushes finished batches into a small queue that get_next
 * pops; push blocks while the queue is full, which stops the engine, so
 * memory stays bounded whatever the file size.
 */
#ifndef CSFS_STREAM_INTERNAL_H
#define CSFS_STREAM_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "arrow/arrow_batch.h"
#include "csfs.h"

typedef struct csfs_stream_state {
    csfs_stream_options opt; /* input, peel and rows point to the copies below */
    char *input;
    csfs_peel *peel;
    unsigned columns;
    /* rows=: sel the sorted unique rows; want the rows as given (when their
     * order differs from sel, batches are held and gathered at the end). */
    uint64_t *sel, *want;
    size_t n_sel, n_want;
    int reorder;

    csfs_acol *cols;
    size_t n_cols;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ArrowArray *queue;
    size_t qcap, qhead, qlen;
    int schema_ready, finished, rc;
    csfs_error err;
    volatile int cancel; /* released, cancelled, or the caller's flag seen */
    pthread_t thread;
    int started;
    char last_error[1100];

    struct ArrowArray *held; /* reorder: the selected rows in file order */
    size_t n_held, cap_held;

    /* Info (under mu once the producer runs). */
    uint64_t rows_out, csf_count, total_lines, truncated, failed, width, bytes_read;
    uint64_t *blocks;
    size_t n_blocks;
    char *header[5];
} csfs_stream_state;

/* Producer: the columns (moved in); wakes csfs_stream_open. */
void csfs_stream_set_columns(csfs_stream_state *st, csfs_acol *cols, size_t n);
/* Producer: hands a batch out (moved); blocks while the queue is full.
 * CSFS_E_CANCELLED once the consumer is gone or cancelled. */
int csfs_stream_push(csfs_stream_state *st, struct ArrowArray *batch, csfs_error *err);
int csfs_stream_cancelled(csfs_stream_state *st);

/* rows= : the positions i in [0, n) of rows row_start + i that are selected,
 * into idx (n entries); returns their count (all n when no rows= was given,
 * idx then untouched and may be NULL). */
size_t csfs_stream_pick(const csfs_stream_state *st, uint64_t row_start, size_t n, uint32_t *idx);

/* 1 when path is a Parquet file with line1..line3 columns (a CSF Parquet file). */
int csfs_stream_is_csf_parquet(const char *path);

/* Engine sources whose records are the selected rows of another list (see
 * arrow/stream_text_rows.c): record i of the input is row[i] of the list,
 * in J block block[i]. */
typedef struct csfs_stream_row_map {
    const uint64_t *row;
    const uint32_t *block;
} csfs_stream_row_map;

/* CSF sources through the descriptor job's engine: input is st->input, or a
 * text of selected records with its map (map NULL otherwise). */
int csfs_stream_produce_engine(csfs_stream_state *st, const char *input,
                               const csfs_stream_row_map *map, csfs_error *err);
/* rows= on CSF text: a counting pass copies the selected records out, the
 * engine parses only them. */
int csfs_stream_produce_text_rows(csfs_stream_state *st, csfs_error *err);
/* rows= on CSF Parquet: only the row groups (and pages) holding selected
 * rows are read, and only those rows parsed (arrow/stream_parquet_rows.c). */
int csfs_stream_produce_parquet_rows(csfs_stream_state *st, csfs_error *err);
int csfs_stream_produce_parquet(csfs_stream_state *st, csfs_error *err);

#endif
