/*
 * The parallel engine shared by the jobs that turn CSF records into rows
 * (descriptors, convert): a source of record chunks, N workers, an ordered
 * writer, bounded memory. What a job does with records is its `kind`.
 *
 *   source      a CSF text list: a regular file is read by the workers,
 *               each its own byte range (grasp/csf_text_ranges.h); a pipe or
 *               compressed stream by a reader thread that cuts chunks at
 *               record boundaries; workers SCAN chunks into records. Or a
 *               CSF Parquet file (workers decode one row group per chunk)
 *   workers     PARSE a chunk's records into the pages their rows belong to
 *               (kind->parse); ENCODE pages (kind->sink)
 *   orderer     a pass under the engine's lock, run by the thread that raised
 *               work for it (a worker after its task; the reader at the end
 *               of input): numbers rows, lines and J blocks in file order,
 *               calls kind->account per chunk in order, and hands finished
 *               pages to the sink, which only writes bytes. The calling
 *               thread only watches for cancellation and reports progress.
 *
 * Pages are fixed row ranges, so outputs do not depend on the thread count
 * or the chunk size. Memory: (threads + 2) chunks and (threads + 3) pages.
 */
#ifndef CSFS_PIPELINE_H
#define CSFS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "grasp/csf_text.h"
#include "csfs.h"
#include "engine/page_sink.h"

/* What a kind sees of a chunk. */
typedef struct csfs_pipe_chunk {
    const char *data;            /* text chunk (text sources) */
    const csfs_chunk_scan *scan; /* its records */
    uint64_t row_start;          /* row of its first record */
    uint64_t line_base;          /* lines before it; CSFS_NO_LINES for Parquet rows */
    uint64_t block_start;        /* 0-based J block of its first record */
    /* The kind's parsed form of the records, filled during the scan
     * (csfs_pipe_kind.scan_record), or NULL when the chunk was not parsed
     * there (CSF Parquet rows, made chunks, a kind without the hook). */
    void *parsed;
} csfs_pipe_chunk;

#define CSFS_NO_LINES UINT64_MAX

/*
 * Names a record of chunk c in a message: "name:LINE: CSF N" for text (LINE
 * 1-based in the file, N the 0-based CSF index), "name: CSF N (row N)" for
 * CSF Parquet rows. record and rel_line (0-based line of its line 1) are
 * chunk-relative, as the scanner and the notes keep them; the sums are 64-bit
 * (lists pass 2^32 lines). *abs_line gets LINE, or 0 for Parquet rows.
 */
void csfs_pipe_where(const csfs_pipe_chunk *c, const char *name, uint64_t record, uint32_t rel_line,
                     char *out, size_t cap, uint64_t *abs_line);

typedef struct csfs_pipe_kind {
    void *ctx;
    csfs_page_sink *sink;
    uint64_t page_rows, group_rows;
    size_t page_cols; /* uint32 columns each page slot holds (0: none) */
    /* Bit pattern every row of page column k holds before it is written
     * (page_cols values; NULL: all zero bits). */
    const uint32_t *fill;
    size_t notes_size; /* bytes of the notes each parsed segment leaves */
    /*
     * Worker: records [first, end) of c become page rows row_in_page.. of
     * the page in `slot`; its uint32 columns are cols[k * col_stride + row].
     * Notes (zeroed, notes_size bytes) are handed back to account() in order.
     *
     * Page columns arrive holding their fill values: parse writes only the
     * values that differ (a row it leaves alone is a row of fill values) and
     * sets bit k of `touched` (page_cols bits, zeroed; NULL when page_cols
     * is 0) for every column k it wrote into. The engine merges the bits
     * into the page's (csfs_page.touched): sinks may take an untouched
     * column as all fill values without reading it, and only touched
     * columns are reset to their fill once the page is encoded.
     */
    void (*parse)(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                  size_t slot, uint64_t row_in_page, uint32_t *cols, size_t col_stride,
                  uint64_t *touched, void *notes);
    /* Orderer, in file order, once every segment of c was parsed. */
    int (*account)(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n_notes,
                   csfs_error *err);
    /* Notes that own memory: cleared (instead of zeroed) before reuse, and
     * released with the engine. Both optional. */
    void (*notes_clear)(void *notes);
    void (*notes_free)(void *notes);
    /* Orderer: slot is about to hold a new page (kind-owned slot storage). */
    void (*slot_reset)(void *ctx, size_t slot);
    /*
     * Optional: parse in the scan. For text chunks the scanner calls
     * scan_record for each record as it completes it (its bytes are still
     * in L1), in order, into a parsed form the kind owns: one per chunk
     * slot, made by parsed_new at setup, reused from chunk to chunk, freed
     * by parsed_free. scan_begin (worker, SCAN task) readies the form for
     * the chunk and returns its scan_record argument, or NULL not to parse
     * this chunk in its scan. parse() then finds the form in c->parsed.
     */
    void *(*parsed_new)(void *ctx);
    void (*parsed_free)(void *ctx, void *parsed);
    void *(*scan_begin)(void *ctx, size_t worker, void *parsed);
    int (*scan_record)(void *arg, const char *data, const csfs_record *rec, size_t index, int ascii,
                       csfs_error *err);
} csfs_pipe_kind;

/* The input and its header, opened before the kind is set up. */
typedef struct csfs_pipe_source csfs_pipe_source;

int csfs_pipe_source_open(const char *path, size_t chunk_bytes, csfs_pipe_source **out,
                          csfs_error *err);
void csfs_pipe_source_close(csfs_pipe_source *src);
const char *csfs_pipe_source_name(const csfs_pipe_source *src);
/* The 5 header lines (from the text, or a CSF Parquet file's metadata or
 * header TOML); NULL when a Parquet file has neither. */
const csfs_header *csfs_pipe_source_header(const csfs_pipe_source *src);
int64_t csfs_pipe_source_size(const csfs_pipe_source *src);
const char *csfs_pipe_source_compression(const csfs_pipe_source *src);
int csfs_pipe_source_is_parquet(const csfs_pipe_source *src);
/* A CSF Parquet file's csfs.peel_subshells, when it has one (NULL otherwise). */
const char *csfs_pipe_source_kv(const csfs_pipe_source *src, const char *key);

/*
 * A source whose chunks are made, not read (csfs generate): the reader
 * thread describes chunk after chunk in order (next, into one of `slots`
 * chunk slots), a worker then fills that slot's text and records (fill),
 * exactly as the text scanner would have found them in the same text (lines
 * counted from the first line after the 5 header lines). The maker is owned
 * by the caller and must outlive the source.
 */
typedef struct csfs_pipe_maker {
    void *ctx;
    const char *name;          /* for messages and metadata, as a text input's path */
    const csfs_header *header; /* the 5 header lines */
    int64_t size;              /* bytes of the text the chunks add up to (with header) */
    const char *compression;   /* of that text where it is stored ("zstd"); NULL: "plain" */
    /* Once, before any next/fill: the slot and worker counts of the run. */
    int (*start)(void *ctx, size_t slots, size_t workers, csfs_error *err);
    /* Reader thread, in order: 1 when the next chunk was described into slot,
     * 0 at the end, or a negative CSFS_E_*. */
    int (*next)(void *ctx, size_t slot, csfs_error *err);
    /* Worker: the text and records of the chunk described in slot (text and
     * scan are the engine's, reused: overwrite them). */
    int (*fill)(void *ctx, size_t slot, size_t worker, csfs_buf *text, csfs_chunk_scan *scan,
                csfs_error *err);
} csfs_pipe_maker;

int csfs_pipe_source_made(const csfs_pipe_maker *maker, csfs_pipe_source **out, csfs_error *err);

/* The header TOML a CSF Parquet input was read with, or NULL. */
const char *csfs_pipe_source_toml_path(const csfs_pipe_source *src);

/* A CSF Parquet file's block lengths from its header TOML ([block_info]),
 * or NULL. */
const uint64_t *csfs_pipe_source_toml_blocks(const csfs_pipe_source *src, size_t *n);

typedef struct csfs_pipe_result {
    uint64_t rows;
    uint64_t input_bytes;
    uint64_t *blocks; /* CSFs per J block (caller frees) */
    size_t n_blocks;
    int threads;
    csfs_stage_seconds stages; /* CPU seconds per stage */
} csfs_pipe_result;

typedef struct csfs_pipe_config {
    int threads; /* workers; 0 = online CPUs */
    const volatile int *cancel;
    void (*progress)(void *ctx, const csfs_progress *p);
    void *progress_ctx;
    int no_mmap; /* a regular file's ranges are pread, not mapped (csf_text_ranges.h) */
} csfs_pipe_config;

/* Runs every chunk of src through kind (whose sink must be ready). */
int csfs_pipe_run(csfs_pipe_source *src, const csfs_pipe_config *cfg, csfs_pipe_kind *kind,
                  csfs_pipe_result *res, csfs_error *err);

int csfs_online_cpus(void);

/* Page slots the engine uses for `threads` workers (kinds size per-slot
 * storage with it). */
static inline size_t csfs_pipe_ring_slots(int threads)
{
    return (size_t)threads + 3;
}

#endif
