/*
 * Parquet writer for flat schemas.
 *
 * Two separate steps so that the pipeline can run the heavy one on worker
 * threads and keep the file writer trivial:
 *
 *   1. pq_encode_chunk() turns the values of one column for one row group into
 *      a self-contained pq_chunk (page bytes, already compressed, plus the
 *      metadata the footer needs). It touches nothing shared: several threads
 *      may encode different columns at once, each with its own pq_encoder.
 *   2. pq_writer_write_row_group() appends the chunks of one row group, in
 *      column order, to the output and records their metadata (it fixes the
 *      chunk-relative page offsets to file offsets). pq_writer_finish() writes
 *      the footer.
 *
 * Ownership: the caller owns column definitions, values and options; the
 * writer copies what it keeps. A pq_chunk owns its bytes until
 * pq_chunk_release(); pq_writer_write_row_group() does not take ownership.
 */
#ifndef CSFS_PQ_WRITER_H
#define CSFS_PQ_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "io/outfile.h"
#include "parquet/pq_format.h"

typedef struct pq_column_def {
    const char *name;
    pq_type type; /* BOOLEAN is not written; INT32/INT64/FLOAT/DOUBLE/BYTE_ARRAY */
    pq_logical logical;
    pq_repetition repetition; /* REQUIRED or OPTIONAL */
} pq_column_def;

typedef struct pq_write_options {
    pq_codec codec;          /* UNCOMPRESSED, SNAPPY, GZIP, ZSTD */
    int level;               /* codec level; 0 = codec default (zstd 3, gzip 6) */
    bool dictionary;         /* RLE_DICTIONARY with PLAIN fallback; false = PLAIN */
    size_t page_bytes;       /* target uncompressed data page size; 0 = 1 MiB */
    size_t dictionary_bytes; /* dictionary page limit before PLAIN fallback; 0 = 1 MiB */
} pq_write_options;

/*
 * The values of one column for one row group. One slot per row, including
 * null rows (their slot content is ignored):
 *   - fixed width (INT32, INT64, FLOAT, DOUBLE): `values` holds `rows` values
 *     of the physical type, `stride` elements apart (stride 0 or 1 = dense).
 *   - BYTE_ARRAY: value r is data[offsets[r] .. offsets[r+1]).
 *   - OPTIONAL: defined[r] != 0 when row r has a value; NULL = all defined.
 */
typedef struct pq_column_values {
    size_t rows;
    const void *values;
    size_t stride;
    const uint64_t *offsets;
    const uint8_t *data;
    const uint8_t *defined;
} pq_column_values;

/* Encoded column chunk (opaque fields are the writer's business). */
typedef struct pq_chunk {
    uint8_t *bytes; /* dictionary page (if any) then data pages */
    size_t size;
    size_t capacity;
    int64_t num_values;             /* rows, nulls included */
    int64_t uncompressed_size;      /* page headers + uncompressed page bodies */
    int64_t dictionary_page_offset; /* chunk-relative, -1 when none */
    int64_t data_page_offset;       /* chunk-relative */
    uint32_t encodings;             /* bit set of pq_encoding values used */
    int64_t null_count;
    bool has_minmax;                /* false when all null/NaN, or no short upper bound exists */
    uint8_t *min_value, *max_value; /* PLAIN-encoded statistics values */
    size_t min_len, max_len;
    bool min_exact, max_exact; /* false when string statistics were truncated */
    pq_type type;              /* physical type the chunk was encoded as */
    pq_codec codec;            /* codec of its pages */
    int64_t data_page_count;   /* for the footer's page encoding statistics */
} pq_chunk;

/* Per-thread scratch: compression contexts and buffers reused between chunks. */
typedef struct pq_encoder pq_encoder;

pq_encoder *pq_encoder_new(void);
void pq_encoder_free(pq_encoder *enc);

/* Encodes one column chunk into *out (which the caller zero-initialises once
 * and may reuse: its buffers are recycled). */
int pq_encode_chunk(pq_encoder *enc, const pq_column_def *col, const pq_write_options *opt,
                    const pq_column_values *values, pq_chunk *out, csfs_error *err);

void pq_chunk_release(pq_chunk *chunk);

/* Checks that a column definition is one the writer supports. */
int pq_column_def_check(const pq_column_def *col, csfs_error *err);

/*
 * A column chunk built one data page at a time (the pipeline's path): pages
 * are added in order, by any thread but never two at once, then finish()
 * assembles the chunk (dictionary page first) and resets the builder for the
 * next row group. REQUIRED fixed-width columns only.
 */
typedef struct pq_builder pq_builder;

int pq_builder_new(pq_builder **out, const pq_column_def *col, const pq_write_options *opt,
                   csfs_error *err);
/* Encodes and compresses v->rows dense values as one data page. */
int pq_builder_add_page(pq_builder *b, pq_encoder *enc, const pq_column_values *v, csfs_error *err);
/* The same bytes as pq_builder_add_page of `rows` copies of the 4-byte
 * value (bit pattern of an INT32 or FLOAT column), without a column to
 * read: one dictionary lookup and one run (PLAIN pages are materialised). */
int pq_builder_add_const_page(pq_builder *b, pq_encoder *enc, uint32_t value, size_t rows,
                              csfs_error *err);
/* 1 once the current chunk writes PLAIN pages (dictionary off or full): a
 * constant page would then have to be materialised, and the caller's own
 * column is the cheaper source. */
int pq_builder_is_plain(const pq_builder *b);
int pq_builder_finish(pq_builder *b, pq_encoder *enc, pq_chunk *out, csfs_error *err);
void pq_builder_free(pq_builder *b);

/* Shared by the chunk encoders. */
struct pq_compressor *pq_encoder_compressor(pq_encoder *enc);
struct pq_wbuf;
void pq_write_page_header(struct pq_wbuf *out, pq_page_type type, size_t uncompressed_size,
                          size_t compressed_size, size_t num_values, pq_encoding encoding);

typedef struct pq_writer pq_writer;

typedef struct pq_kv {
    const char *key;
    const char *value;
} pq_kv;

/* Writes the leading magic to `out` (which stays the caller's). */
int pq_writer_open(pq_writer **w, csfs_outfile *out, const pq_column_def *cols, size_t ncols,
                   const pq_write_options *opt, csfs_error *err);

/* Appends one row group: chunks[0..ncols) in schema order, all of `rows` rows. */
int pq_writer_write_row_group(pq_writer *w, const pq_chunk *chunks, int64_t rows, csfs_error *err);

/* Writes the footer (schema, row groups, key-value metadata, created_by)
 * and the trailing magic. Does not commit `out`. */
int pq_writer_finish(pq_writer *w, const pq_kv *kv, size_t nkv, const char *created_by,
                     csfs_error *err);

void pq_writer_free(pq_writer *w);

#endif
