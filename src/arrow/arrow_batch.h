/*
 * Arrow C data interface objects made by csfs: a schema of flat columns (a
 * struct "+s" whose children are the columns) and record batches whose
 * buffers the library allocated. Every array (the batch and each column)
 * owns its buffers, so a consumer may move a column out and release it on
 * its own, in any order, also after the stream that made it is gone.
 */
#ifndef CSFS_ARROW_BATCH_H
#define CSFS_ARROW_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/stream.h"

typedef enum csfs_acol_type {
    CSFS_ACOL_I32,
    CSFS_ACOL_U32,
    CSFS_ACOL_F32,
    CSFS_ACOL_I64,
    CSFS_ACOL_U64,
    CSFS_ACOL_F64,
    CSFS_ACOL_UTF8,     /* int32 offsets + bytes */
    CSFS_ACOL_BINARY,   /* the same, not text */
    CSFS_ACOL_LIST_I32, /* int32 offsets + int32 items */
    CSFS_ACOL_FSL_I32,  /* fixed_size_list<int32>[list_size]: rows x list_size values */
    CSFS_ACOL_FSL_F32,
} csfs_acol_type;

typedef struct csfs_acol {
    char *name; /* owned */
    csfs_acol_type type;
    size_t list_size; /* FSL */
} csfs_acol;

/* Bytes of one value of a fixed-width type (FSL: of one item); 0 otherwise. */
size_t csfs_acol_value_size(csfs_acol_type t);
int csfs_acol_is_var(csfs_acol_type t); /* UTF8, BINARY, LIST_I32 */

/* Buffers of one column of a batch being built (64-byte aligned). For a
 * fixed-width column `values` holds rows (x list_size) values; for a variable
 * one `offsets` holds rows + 1 int32 and `values` the bytes or items. */
typedef struct csfs_acol_data {
    void *values;
    int32_t *offsets;
    size_t values_bytes; /* allocated */
} csfs_acol_data;

void *csfs_arrow_alloc(size_t bytes); /* 64-byte aligned, at least 64 bytes */
void csfs_arrow_free(void *p);

/* The struct schema of cols; out is owned by the caller (release it). */
int csfs_arrow_schema(const csfs_acol *cols, size_t n, struct ArrowSchema *out);

/* A batch of `rows` rows from data[0..n): the buffers move into it (data is
 * zeroed). On failure (out of memory) the buffers are freed and -1 returned. */
int csfs_arrow_batch(const csfs_acol *cols, size_t n, int64_t rows, csfs_acol_data *data,
                     struct ArrowArray *out);

/* Frees the buffers of data[0..n) that did not move into a batch. */
void csfs_acol_data_free(csfs_acol_data *data, size_t n);

/* A batch of the rows pick[0..n_pick) of src batches: pick[k] = (batch << 32
 * | row). Columns as in cols. */
int csfs_arrow_gather(const csfs_acol *cols, size_t n_cols, const struct ArrowArray *const *src,
                      const uint64_t *pick, size_t n_pick, struct ArrowArray *out);

void csfs_acols_free(csfs_acol *cols, size_t n);

#endif
