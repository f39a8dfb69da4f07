/* Reader internals shared by its source files (not for callers). */
#ifndef CSFS_PQ_READER_INTERNAL_H
#define CSFS_PQ_READER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parquet/pq_decompress.h"
#include "parquet/pq_reader.h"

struct pq_file {
    char *name;         /* for messages */
    int fd;             /* -1 for memory sources */
    const uint8_t *mem; /* memory source */
    uint64_t size;

    int32_t version;
    int64_t num_rows;
    const char *created_by;
    pq_column_info *cols;
    size_t ncols;
    pq_row_group_meta *rgs;
    size_t nrg;
    pq_chunk_meta *chunks; /* nrg * ncols, row group major */
    pq_kv_pair *kv;
    size_t nkv;

    /* Copies of the footer's strings and statistics: never more than twice
     * the footer (each string's bytes plus a NUL), so sized once. */
    char *arena;
    size_t arena_used, arena_cap;
    char *paths;       /* the leaves' dotted paths */
    uint64_t data_end; /* where the footer starts: column chunks lie before */
    /* Written by parquet-mr < 1.2.9, whose chunk sizes leave out the
     * dictionary page header (PARQUET-816): chunks may run up to 100 bytes
     * past their stated size. */
    bool short_chunk_sizes;
};

/* Reads len bytes at offset off of the file's source into dst; CSFS_E_FORMAT
 * when the file is shorter. */
int pq_file_pread(const pq_file *f, uint64_t off, size_t len, uint8_t *dst, csfs_error *err);

/* Parses the thrift FileMetaData in buf[0..len) into f (which is zeroed
 * except for name/source fields). */
int pq_parse_footer(pq_file *f, const uint8_t *buf, size_t len, csfs_error *err);

/* A page header, flattened: the fields of the sub-header its type uses. */
typedef struct pq_page_header {
    int type; /* pq_page_type */
    int32_t uncompressed_size;
    int32_t compressed_size;
    bool has_crc;
    uint32_t crc;
    bool has_data_header; /* the sub-header matching `type` was present */
    int32_t num_values;   /* DATA_PAGE, DATA_PAGE_V2, DICTIONARY_PAGE */
    int encoding;
    int def_encoding;         /* DATA_PAGE */
    int32_t num_nulls;        /* DATA_PAGE_V2 */
    int32_t def_len, rep_len; /* DATA_PAGE_V2 level section sizes */
    bool is_compressed;       /* DATA_PAGE_V2 */
} pq_page_header;

/* Parses a PageHeader at p[0..len); *used gets its size. -1 with *why set on
 * malformed input. */
int pq_parse_page_header(const uint8_t *p, size_t len, pq_page_header *h, size_t *used,
                         const char **why);

/* Buffers and decoding scratch owned by a pq_column_data. */
typedef struct pq_scratch {
    /* Output, published through pq_column_data's pointers. */
    uint8_t *values;
    size_t values_cap;
    uint64_t *offsets;
    size_t offsets_cap;
    uint8_t *data;
    size_t data_cap;
    uint8_t *defined;
    size_t defined_cap;
    uint8_t *chunk; /* the chunk's bytes, read from a file */
    size_t chunk_cap;
    uint8_t *page; /* one decompressed page */
    size_t page_cap;
    /* Dictionary: fixed-width values, or byte arrays as (offset, length)
     * pairs into dict_data. */
    uint8_t *dict;
    size_t dict_cap;
    uint32_t *dict_len;
    size_t dict_len_cap;
    uint64_t *dict_off;
    size_t dict_off_cap;
    size_t dict_count;
    bool has_dict;
    /* Delta-encoded lengths and prefixes. */
    int32_t *ints;
    size_t ints_cap;
    pq_decompressor codecs;
} pq_scratch;

/* Grows *buf (an array of *cap elements of `size` bytes) to hold n: doubling,
 * for cheap appends, but to no more than `most` elements (the final size when
 * it is known) and never past `limit` bytes. False when allocation fails or n
 * elements would pass the limit. */
bool pq_grow(void *buf, size_t *cap, size_t n, size_t size, size_t most, uint64_t limit);

/* What a page's values section decodes into (see pq_decode.c). */
typedef struct pq_page_values {
    const pq_column_info *col;
    const uint8_t *p; /* the encoded values */
    size_t len;
    int encoding;
    size_t count;     /* values present (non-null) in the page */
    size_t first_row; /* row of the page's first value in out */
} pq_page_values;

/* Decodes `count` values: fixed width into s->values + first_row * width
 * onward, byte arrays appended to s->data (out->data_size bytes used) with
 * their end offsets in s->offsets[first_row + 1 ..]; the caller has made room
 * for count slots/offsets. Returns 0 or a CSFS_E_* code with err set; `where`
 * names the page. */
int pq_decode_values(const pq_page_values *pv, pq_scratch *s, pq_column_data *out, uint64_t limit,
                     const char *where, csfs_error *err);

/* Decodes a dictionary page's PLAIN values into s. */
int pq_decode_dictionary(const pq_column_info *col, const uint8_t *p, size_t len, size_t count,
                         pq_scratch *s, uint64_t limit, const char *where, csfs_error *err);

/* Decoding one column chunk, page by page (pq_chunk_read.c): pq_read_column
 * walks all pages of a chunk it reads whole; the page cursor
 * (pq_page_cursor.c) reads and decodes them one at a time. */
typedef struct pq_chunk_ctx {
    const pq_file *f;
    const pq_column_info *col;
    int codec;
    pq_column_data *out;
    pq_scratch *s;
    uint64_t limit;
    size_t width;         /* value slot size; 0 for BYTE_ARRAY */
    size_t rows_expected; /* rows the output may still take (the row group's) */
    size_t rows_done;     /* rows decoded into the output */
    bool data_seen;       /* a data page was decoded (no dictionary page after) */
    bool inplace;         /* byte arrays are still being decoded in place */
    char where[512];      /* "file: row group, column" */
    char where_page[600]; /* ... plus the page offset */
    csfs_error *err;
} pq_chunk_ctx;

/* Checks rg/col and the chunk's metadata, readies out's scratch and c, and
 * gives the chunk's byte range (0, 0 for a chunk of no rows). */
int pq_chunk_begin(const pq_file *f, size_t rg, size_t col, pq_column_data *out, pq_chunk_ctx *c,
                   uint64_t *start, uint64_t *len, csfs_error *err);
/* One page (CRC checked): a dictionary page is kept in the scratch, a data
 * page's values are appended at output row rows_done. */
int pq_chunk_page(pq_chunk_ctx *c, const pq_page_header *h, const uint8_t *body, size_t blen);
/* CSFS_E_FORMAT naming c's current page. */
int pq_chunk_bad(pq_chunk_ctx *c, const char *what);
/* Points out's fields at the rows decoded so far. */
int pq_chunk_publish(pq_chunk_ctx *c);

/* Bytes per value slot of a fixed-width physical type (0 for BYTE_ARRAY). */
size_t pq_value_width(const pq_column_info *col);

#endif
