/*
 * A regular, uncompressed CSF list read as independent byte ranges, so that
 * every worker reads (pread) and scans its own chunk and no thread copies
 * the whole file. Pipes, stdin and zstd/gzip streams keep the serial reader
 * of csf_text.h.
 *
 * The records after the header, [data_start, file_end), are cut into ranges
 * of S bytes: range k is [data_start + k*S, data_start + (k+1)*S). Chunk k
 * holds the records whose line 1 starts in range k. Its start is the first
 * line start at or after the range start whose line may begin a chunk
 * (csfs_is_cut_line: a record's line 1 or a separator); its end is the same
 * point for range k + 1. Both neighbours find a boundary by the same rule
 * on the same bytes, so every byte after the header lands in exactly one
 * chunk, and a record straddles two chunks only when it is malformed, which
 * the scanner reports exactly as it does for the serial reader's chunks.
 * A range holding no such line start gives an empty chunk.
 *
 * The file's size is taken at open: a short read (the file was truncated)
 * is the same "changed while it was read" error as the serial reader's, and
 * csfs_text_ranges_check_end, once every chunk was read, catches a file that
 * grew or was replaced.
 */
#ifndef CSFS_CSF_TEXT_RANGES_H
#define CSFS_CSF_TEXT_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "grasp/csf_text.h"

typedef struct csfs_text_ranges {
    const csfs_input *in;
    int fd;
    uint64_t data_start; /* first byte after the header */
    uint64_t file_end;   /* size at open */
    uint64_t range_bytes;
    uint64_t count; /* ranges (chunks) */
} csfs_text_ranges;

/*
 * Sets up ranges of range_bytes (> 0) over the records of r's file. Returns
 * 1 when the input can be read by ranges (an uncompressed regular file), 0
 * when it must be read serially through r. r must outlive t; t is read-only
 * afterwards, so any number of threads may read chunks at once.
 */
int csfs_text_ranges_init(csfs_text_reader *r, size_t range_bytes, csfs_text_ranges *t);

/* Where chunk k's text is in the buffer csfs_text_ranges_read filled. */
typedef struct csfs_text_range {
    size_t off, len; /* the chunk is buf->data[off .. off + len) */
    uint64_t start;  /* file offset of its first byte */
    int is_last;     /* it ends the file */
} csfs_text_range;

/*
 * Reads chunk k into buf (reusing its memory; the buffer also holds a few
 * bytes around the chunk that located its boundaries). Errors: a short read
 * (the file changed) and a chunk that would run CSFS_MAX_LINE_BYTES past its
 * range without a line that may begin the next one.
 */
int csfs_text_ranges_read(const csfs_text_ranges *t, uint64_t k, csfs_buf *buf,
                          csfs_text_range *out, csfs_error *err);

/* After every chunk was read: the file still has its size at open and its
 * name still leads to it. */
int csfs_text_ranges_check_end(const csfs_text_ranges *t, csfs_error *err);

#endif
