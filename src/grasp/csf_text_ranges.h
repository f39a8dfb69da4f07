/*
 * A regular, uncompressed CSF list read as independent byte ranges, so that
 * every worker reads and scans its own chunk and no thread copies the whole
 * file. A worker maps its chunk read-only (no copy at all: the chunk's bytes
 * are the page cache's), or, when the caller asks for it, preads it into a
 * buffer. Pipes, stdin and zstd/gzip streams keep the serial reader of
 * csf_text.h.
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
 *
 * Mapping, the trade-off: a mapped chunk costs no copy, but a file
 * truncated by another process while a worker reads its mapping raises
 * SIGBUS, and catching that would need process-wide signal state, which a
 * library must not own. So a truncation is detected where it can be without
 * a handler: each mapping is pre-faulted (MADV_POPULATE_READ reports pages
 * past the end instead of faulting) and the size is checked after it, which
 * gives the same "changed while it was read" error as a short read; only a
 * truncation in the window between that check and the parse of the chunk
 * kills the process (outputs are temporary files renamed at the end, so no
 * partial output replaces a real one). Callers that read files other
 * processes may truncate pass no map (pread).
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
    int mappable;   /* the file system maps the file (probed once at init) */
} csfs_text_ranges;

/*
 * Sets up ranges of range_bytes (> 0) over the records of r's file. Returns
 * 1 when the input can be read by ranges (an uncompressed regular file), 0
 * when it must be read serially through r. r must outlive t; t is read-only
 * afterwards, so any number of threads may read chunks at once.
 */
int csfs_text_ranges_init(csfs_text_reader *r, size_t range_bytes, csfs_text_ranges *t);

/* Where chunk k's text is, in the buffer or mapping csfs_text_ranges_read
 * filled. */
typedef struct csfs_text_range {
    const char *data; /* the chunk is data[0 .. len) (read-only when mapped) */
    size_t len;
    uint64_t start; /* file offset of its first byte */
    int is_last;    /* it ends the file */
} csfs_text_range;

/* A read-only mapping of a chunk (and the few bytes around it that located
 * its boundaries): zero it before first use; the struct is reused from
 * chunk to chunk, each read replacing the mapping it holds. */
typedef struct csfs_text_map {
    void *addr;
    size_t len;
    uint64_t off; /* file offset of addr[0] (page-aligned) */
} csfs_text_map;

/* Unmaps m (if mapped) and zeroes it. */
void csfs_text_map_release(csfs_text_map *m);

/*
 * 1 when mapping t's ranges costs less than copying them: a mapping costs a
 * few system calls and a TLB flush per chunk besides its per-page cost, so
 * small ranges are cheaper to pread (they also stay in cache). Measured on
 * 200 MB in the page cache: pread 41 ms at 16 KiB ranges, 38 at 64 KiB, 107
 * at 256 KiB and 1 MiB; mapped 142, 68, 50, 46 ms.
 */
static inline int csfs_text_ranges_map_pays(const csfs_text_ranges *t)
{
    return t->mappable && t->range_bytes >= ((uint64_t)256 << 10);
}

/*
 * Reads chunk k. With map == NULL its bytes are pread into buf (reusing its
 * memory; the buffer also holds a few bytes around the chunk that located
 * its boundaries); otherwise *map's previous mapping is released and the
 * chunk is mapped read-only into *map (buf is used only when the file
 * system cannot map the file: the chunk is then pread). Either way
 * out->data[0 .. len) stays valid until the next read into the same buf or
 * map. Errors: a short read or a file shorter than at open (it changed) and
 * a chunk that would run CSFS_MAX_LINE_BYTES past its range without a line
 * that may begin the next one.
 */
int csfs_text_ranges_read(const csfs_text_ranges *t, uint64_t k, csfs_buf *buf, csfs_text_map *map,
                          csfs_text_range *out, csfs_error *err);

/* After every chunk was read: the file still has its size at open and its
 * name still leads to it. */
int csfs_text_ranges_check_end(const csfs_text_ranges *t, csfs_error *err);

#endif
