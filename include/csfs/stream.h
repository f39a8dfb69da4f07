/*
 * csfs public API: any csfs source as a stream of Arrow record batches
 * through the Arrow C stream interface (the standard ABI of
 * https://arrow.apache.org/docs/format/CStreamInterface.html; no Arrow
 * library is needed on either side).
 *
 * Sources: a CSF list (text, .zst, .gz) or a CSF Parquet file go through the
 * parallel descriptor engine; any other Parquet file csfs reads (descriptor
 * Parquet, `csfs mix` labels, ...) is streamed column by column, a page of
 * each column at a time.
 *
 * Memory is bounded by the batch size and the thread count, never by the
 * file: a CSF source holds the batch being filled, one batch waiting for the
 * consumer and the engine's (threads + 3) pages of at most 16384 rows (plus
 * (threads + 2) text chunks of 8 MiB); another Parquet source holds one
 * decoded page and a 256 KiB read window per column (pages are the writer's,
 * about 1 MiB) and two batches, whatever its row-group size. A batch handed
 * out belongs to the consumer and is freed by its release callback (also
 * after the stream itself was released). With rows= in an order of their
 * own, the selected rows are held until the end.
 *
 * rows= reads and parses only what holds the rows: a Parquet source skips
 * row groups, batches and pages without one (pages by their headers: their
 * bodies are not read); a CSF text list is counted in one pass (record
 * boundaries only, at memchr speed, before csfs_stream_open returns: its
 * structure errors come from there), the selected records are copied to a
 * temporary file in $TMPDIR (or /tmp; removed at the end) and only they are
 * parsed (when most rows are selected, past 64 MiB of copies, the list is
 * parsed whole instead). A CSF Parquet list is read the same way without a
 * counting pass: the footer's row counts give the row groups holding the
 * rows, only their line1..line3 pages holding a selected row are read and
 * copied, the J blocks come from the metadata's block lengths (or the header
 * TOML's); the whole file is read instead when more than half its rows are
 * selected, or when it has no header or no block lengths beside a block
 * column.
 */
#ifndef CSFS_STREAM_H
#define CSFS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the Arrow C data and stream interfaces (verbatim ABI) ----------------- */

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ---- csfs streams ------------------------------------------------------------ */

/* Columns of a stream (bits of csfs_stream_options.columns). */
enum {
    /* Descriptor columns: col_0.. (v1, int32, or float32 when normalised),
     * sub{i}_n.. (V2, int32); for a Parquet source every column of the file. */
    CSFS_STREAM_DESCRIPTORS = 1u << 0,
    CSFS_STREAM_LINES = 1u << 1, /* line1, line2, line3: utf8 (CSF sources) */
    CSFS_STREAM_BLOCK = 1u << 2, /* block: uint32, 0-based J block */
    CSFS_STREAM_ROW = 1u << 3,   /* row: uint64, 0-based row in the source */
    /* coupling_signature: list<int32>, the v1 coupling 2J of every occupied
     * peel subshell in peel order, the last item the total 2J (rCSFs
     * read_csfs; CSF sources; implies a failed CSF is an error). */
    CSFS_STREAM_COUPLING = 1u << 4,
    /* The descriptors as one column "x": fixed_size_list<int32|float32>[width]
     * whose values are the batch's rows in row-major order (a C-contiguous
     * matrix for NumPy/PyTorch), instead of one column per descriptor. */
    CSFS_STREAM_MATRIX = 1u << 5,
};

/* Column order in a batch: row, block, the descriptors (or x), line1..3,
 * coupling_signature; each only when asked for. */

typedef struct csfs_stream_options {
    const char *input;     /* CSF list (text/.zst/.gz), CSF Parquet or any csfs Parquet */
    const csfs_peel *peel; /* NULL: the source's peel list */
    csfs_layout layout;    /* CSF sources; default CSFS_LAYOUT_V1 */
    int normalize;         /* v1 float32 normalised descriptors */
    int strict;            /* as csfs_descriptor_options.strict */
    int keep_going;        /* V2: a bad CSF becomes a rejected row instead of an error */
    unsigned columns;      /* CSFS_STREAM_* bits; 0: DESCRIPTORS | ROW */
    uint64_t batch_rows;   /* rows per batch (the last may be shorter); 0: 65536 */
    int threads;           /* 0: online CPUs */
    size_t chunk_bytes;    /* text read per work unit; 0: 8 MiB */
    size_t max_line_len;   /* line columns: 0 whole lines; N: cut to N bytes (counted) */
    /* Only these rows (0-based, any order, repeats allowed), in this order;
     * NULL: every row in file order (non-NULL with n_rows 0: no row). Copied.
     * A Parquet source decodes only the row groups that hold them; a text
     * source is read through. A row past the end fails the stream at its end. */
    const uint64_t *rows;
    size_t n_rows;
    /* Called with one message per reported failure/warning (from the
     * producer thread); NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Polled while batches are made: non-zero stops the stream with
     * CSFS_E_CANCELLED. Must stay valid until the stream is released. */
    const volatile int *cancel;
} csfs_stream_options;

CSFS_API void csfs_stream_options_init(csfs_stream_options *opt);

/*
 * Opens the source, checks it and starts making batches in the background.
 * On success *out is a live ArrowArrayStream (release it with
 * out->release(out)); on failure it is left released (release == NULL) and
 * err tells why. get_next returns 0 with a released array at the end, or an
 * errno value (EIO, ENOMEM, EINVAL, ECANCELED) with get_last_error giving the
 * message: the file and the 1-based line where one applies.
 */
CSFS_API int csfs_stream_open(const csfs_stream_options *opt, struct ArrowArrayStream *out,
                              csfs_error *err);

/* What a stream has read so far (complete once get_next signalled the end). */
typedef struct csfs_stream_info {
    uint64_t rows;                 /* rows handed out */
    uint64_t csf_count;            /* rows of the source read */
    uint64_t total_lines;          /* CSF sources: data lines after the header (3 per CSF plus
                                      separators) */
    uint64_t truncated_count;      /* lines cut by max_line_len */
    uint64_t failed_count;         /* v1: CSFs written as all-zero rows */
    uint64_t width;                /* descriptor columns */
    uint64_t bytes_read;           /* bytes read from the file (Parquet: column chunk bytes
                                      read; text: decompressed text, all of it also with
                                      rows=, which parses the selected records only;
                                      CSF Parquet: with rows=, the line1..3 column bytes
                                      read, else 0) */
    int done;                      /* the source was read to its end */
    int error_code;                /* CSFS_E_* the stream failed with, or 0 */
    const char *error_message;     /* its message (until the stream is released), or NULL */
    const uint64_t *block_lengths; /* CSFs per J block (valid until the stream is released) */
    size_t n_blocks;
    const char *header_lines[5]; /* the CSF list's header, or NULLs */
} csfs_stream_info;

/* Info of a stream made by csfs_stream_open (CSFS_E_ARGUMENT for another). */
CSFS_API int csfs_stream_get_info(struct ArrowArrayStream *stream, csfs_stream_info *info,
                                  csfs_error *err);

/* Stops a stream made by csfs_stream_open from another thread: the next
 * get_next fails with ECANCELED. */
CSFS_API void csfs_stream_cancel(struct ArrowArrayStream *stream);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_STREAM_H */
