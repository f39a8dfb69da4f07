/*
 * Parquet reader for flat schemas.
 *
 * Opening a file reads and checks its footer only. Values are then decoded
 * one column chunk (row group x column) at a time with pq_read_column(), so
 * memory stays bounded by the largest chunk, and a caller reads only the
 * columns it wants (projection) and the row groups it wants (streaming).
 *
 * Ownership and threads:
 *   - A pq_file owns its metadata; every pointer the accessors return (names,
 *     statistics bytes, key-value strings) stays valid until pq_file_close().
 *   - A file opened from memory does not copy the bytes: they must outlive it.
 *   - After opening, a pq_file is read-only: several threads may call
 *     pq_read_column() on the same file at once (reads use pread), each with
 *     its own pq_column_data.
 *   - A pq_column_data owns its buffers and all decoding scratch (page
 *     buffers, dictionary, codec contexts); they are reused by the next call
 *     and released by pq_column_data_free().
 *
 * Every input is treated as hostile: malformed files give CSFS_E_FORMAT,
 * features csfs does not read (nested columns, encryption, LZO/BROTLI or
 * unknown codecs and encodings) give CSFS_E_UNSUPPORTED, and messages name
 * the file, the row group and the column.
 */
#ifndef CSFS_PQ_READER_H
#define CSFS_PQ_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "parquet/pq_format.h"

typedef struct pq_file pq_file;

/* LogicalType annotation of a column (kind PQ_LK_NONE when absent). */
typedef struct pq_logical_type {
    pq_logical_kind kind;
    int bit_width;        /* INTEGER: 8, 16, 32 or 64 */
    bool is_signed;       /* INTEGER */
    int32_t scale;        /* DECIMAL */
    int32_t precision;    /* DECIMAL */
    bool adjusted_to_utc; /* TIME, TIMESTAMP */
    pq_time_unit unit;    /* TIME, TIMESTAMP */
} pq_logical_type;

/* One leaf column of the schema. */
typedef struct pq_column_info {
    const char *name; /* the leaf's own name */
    const char *path; /* names from the root joined by '.'; equals name when flat */
    pq_type type;
    pq_repetition repetition;
    int32_t type_length;      /* FIXED_LEN_BYTE_ARRAY width, else 0 */
    int converted_type;       /* pq_converted_type; PQ_CONVERTED_NONE when absent */
    int32_t scale, precision; /* SchemaElement fields, -1 when absent */
    int32_t field_id;         /* -1 when absent */
    pq_logical_type logical;
    int max_def, max_rep; /* definition / repetition level maxima */
    bool flat;            /* a REQUIRED or OPTIONAL child of the root: readable */
} pq_column_info;

/* Column chunk statistics; min/max are PLAIN-encoded values (without the
 * length prefix of BYTE_ARRAY), owned by the file. */
typedef struct pq_statistics {
    bool has_null_count, has_distinct_count, has_min, has_max;
    bool legacy_min_max; /* from the deprecated min/max fields */
    int64_t null_count, distinct_count;
    const uint8_t *min, *max;
    size_t min_len, max_len;
} pq_statistics;

/* Metadata of one column chunk. */
typedef struct pq_chunk_meta {
    int codec;          /* pq_codec value as stored (may be unknown) */
    uint32_t encodings; /* bit (1u << e) for each pq_encoding e listed */
    int64_t num_values;
    int64_t total_compressed_size, total_uncompressed_size;
    int64_t data_page_offset;
    int64_t dictionary_page_offset; /* -1 when absent */
    pq_statistics stats;
    bool external;  /* the chunk lives in another file (file_path) */
    bool encrypted; /* column crypto metadata present */
} pq_chunk_meta;

typedef struct pq_row_group_meta {
    int64_t num_rows;
    int64_t total_byte_size;
} pq_row_group_meta;

/* One key-value metadata pair. Both strings are NUL-terminated copies; the
 * lengths count their bytes (which may include NULs). value is NULL when the
 * pair has none. */
typedef struct pq_kv_pair {
    const char *key;
    const char *value;
    size_t key_len;
    size_t value_len;
} pq_kv_pair;

/* Opens a Parquet file and reads its footer. `path` is used in messages. */
int pq_file_open(pq_file **out, const char *path, csfs_error *err);

/* The same over size bytes in memory (not copied; they must outlive the
 * file); `name` is used in messages. */
int pq_file_open_memory(pq_file **out, const void *data, size_t size, const char *name,
                        csfs_error *err);

void pq_file_close(pq_file *f);

const char *pq_file_name(const pq_file *f);
uint64_t pq_file_size(const pq_file *f);
int32_t pq_file_version(const pq_file *f);
int64_t pq_file_num_rows(const pq_file *f);
const char *pq_file_created_by(const pq_file *f); /* NULL when absent */

size_t pq_file_num_row_groups(const pq_file *f);
const pq_row_group_meta *pq_file_row_group(const pq_file *f, size_t rg);

size_t pq_file_num_columns(const pq_file *f);
const pq_column_info *pq_file_column(const pq_file *f, size_t col);
/* Index of the leaf column whose path is `path`, or -1. */
long pq_file_find_column(const pq_file *f, const char *path);

const pq_chunk_meta *pq_file_chunk(const pq_file *f, size_t rg, size_t col);

/* Key-value metadata in file order; lookup returns the first pair's value
 * (NULL when the key is absent or has no value). */
size_t pq_file_num_kv(const pq_file *f);
const pq_kv_pair *pq_file_kv(const pq_file *f, size_t i);
const char *pq_file_kv_lookup(const pq_file *f, const char *key);

/*
 * Decoded values of one column chunk. Zero-initialise once (or
 * pq_column_data_init), pass to pq_read_column() any number of times, then
 * pq_column_data_free().
 *
 * After a successful read of `rows` rows:
 *   - fixed-width types: `values` holds rows * width bytes, one slot per row
 *     in the physical type's little-endian layout (BOOLEAN: one byte 0/1,
 *     INT96: the raw 12 bytes, FIXED_LEN_BYTE_ARRAY: type_length bytes), so
 *     INT32/INT64/FLOAT/DOUBLE slots read as native values (csfs builds on
 *     little-endian hosts only); slots of null rows are zero.
 *   - BYTE_ARRAY: row r is data[offsets[r] .. offsets[r+1]) (offsets has
 *     rows + 1 entries; null rows are empty); `values` is NULL.
 *   - `defined[r]` is 1 when row r has a value and 0 when null, for OPTIONAL
 *     columns; NULL for REQUIRED ones.
 *   - `prefixed` (only when allow_prefixed was set): the BYTE_ARRAY values
 *     were left where their decompressed PLAIN pages put them, after their
 *     4-byte little-endian length: row r is data[offsets[r] ..) of
 *     pq_load_le32(data + offsets[r] - 4) bytes, and offsets[rows] is the
 *     end of the last value. No value is copied; `data` holds the pages'
 *     value sections back to back (length prefixes and, in v1 pages, level
 *     bytes in between). A chunk with nulls, dictionary or non-PLAIN pages
 *     is delivered as usual (prefixed false).
 */
typedef struct pq_column_data {
    size_t rows;
    pq_type type;
    size_t width; /* bytes per slot of `values`; 0 for BYTE_ARRAY */
    void *values;
    uint64_t *offsets;
    uint8_t *data;
    uint64_t data_size;
    uint8_t *defined;
    size_t null_count;

    /* Setting: the most bytes one read may allocate for values and pages
     * (a guard against decompression and RLE bombs). 0: PQ_DEFAULT_MAX_BYTES. */
    uint64_t max_bytes;
    /* Setting: BYTE_ARRAY values may be delivered in place (`prefixed`). */
    bool allow_prefixed;
    /* Results of a read with allow_prefixed: the values are in place, and
     * then whether every byte of their pages' value sections (values and
     * length prefixes) is below 0x80, checked while each page was hot. */
    bool prefixed;
    bool ascii;

    /* Private: the buffers behind the pointers above, and decoding scratch. */
    struct pq_scratch *scratch;
} pq_column_data;

#define PQ_DEFAULT_MAX_BYTES ((uint64_t)16 << 30)

void pq_column_data_init(pq_column_data *d);
void pq_column_data_free(pq_column_data *d);

/*
 * Decodes column `col` of row group `rg` into *out. Reads only that chunk's
 * bytes. Checks page CRCs when present. Fails with CSFS_E_UNSUPPORTED for
 * nested columns, and with CSFS_E_ARGUMENT for indices out of range.
 */
int pq_read_column(const pq_file *f, size_t rg, size_t col, pq_column_data *out, csfs_error *err);

/*
 * A column chunk read one page at a time: memory is one page (a window of
 * its compressed bytes, the decompressed body, its decoded values), not the
 * chunk, so a reader's memory follows its batch size rather than the file's
 * row-group size. Pages wholly before the rows asked for are skipped by
 * their headers' value counts: their bodies are neither read nor
 * decompressed. Same checks and messages as pq_read_column.
 */
typedef struct pq_page_cursor pq_page_cursor;

int pq_page_cursor_open(const pq_file *f, size_t rg, size_t col, pq_page_cursor **out,
                        csfs_error *err);

/*
 * The next data page that holds a row >= `from` (a row of the row group):
 * *page its decoded rows (as pq_read_column's output, for this page only;
 * valid until the next call), *first its first row. *page is NULL after the
 * chunk's last page.
 */
int pq_page_cursor_next(pq_page_cursor *c, uint64_t from, const pq_column_data **page,
                        uint64_t *first, csfs_error *err);

/* Reads only what each page needs, never ahead: for callers that pick rows
 * here and there (rows=). */
void pq_page_cursor_sparse(pq_page_cursor *c);

/* The cursor moved to another column chunk of the same file (its sparse
 * setting and byte count kept), its buffers and codec contexts reused: for
 * callers that visit many chunks. */
int pq_page_cursor_reopen(pq_page_cursor *c, size_t rg, size_t col, csfs_error *err);

/* Bytes of the file read so far. */
uint64_t pq_page_cursor_bytes_read(const pq_page_cursor *c);

void pq_page_cursor_close(pq_page_cursor *c);

#endif
